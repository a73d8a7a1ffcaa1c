//go:build !js

package password

import (
	"bytes"
	"context"
	"math/rand/v2"
	"strings"

	"github.com/handwash/handwash"
)

// RangeSource answers range queries as Have I Been Pwned's API does: the
// lines "SUFFIX:COUNT" of every breached password whose SHA-1 hash starts
// with a prefix of PrefixLen hexadecimal characters, padded with entries
// of count 0. The server's password check for staff asks one on behalf of
// the browser, which hashes the password itself and sends only the prefix.
// *RangeClient and *Offline are RangeSources.
type RangeSource interface {
	Range(ctx context.Context, prefix string) ([]byte, error)
}

// Padding bounds: a padded answer has from padMin to padMax entries, as
// Have I Been Pwned's padded answers do, so its size says nothing about
// how many real entries it holds.
const (
	padMin = 800
	padMax = 1000
)

// Range returns the entries of the downloaded list whose hash starts with
// prefix, as "SUFFIX:COUNT" lines, padded with random suffixes of count 0.
func (o *Offline) Range(ctx context.Context, prefix string) ([]byte, error) {
	if !isHex(prefix, PrefixLen) {
		return nil, handwash.Errorf(handwash.EINVALID, "not a hash prefix: want %d hexadecimal characters", PrefixLen)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	prefix = strings.ToUpper(prefix)
	read := o.readFileRange
	if o.dir {
		read = o.readDirRange
	}
	real, err := read(prefix)
	if err != nil {
		return nil, err
	}
	return pad(real), nil
}

// readFileRange reads the lines of the single sorted file that start with
// prefix, through the index, and returns them without the prefix.
func (o *Offline) readFileRange(prefix string) ([]byte, error) {
	p := uint32(0)
	for i := 0; i < PrefixLen; i++ {
		p = p<<4 | uint32(hexVal(prefix[i]))
	}
	const prefixBitsLen = 4 * PrefixLen
	first, last := p, p
	if o.idx.bits >= prefixBitsLen {
		first, last = p<<(o.idx.bits-prefixBitsLen), (p+1)<<(o.idx.bits-prefixBitsLen)-1
	} else {
		first, last = p>>(prefixBitsLen-o.idx.bits), p>>(prefixBitsLen-o.idx.bits)
	}
	start, _, err := o.idx.block(first)
	if err != nil {
		return nil, o.changed(err)
	}
	_, end, err := o.idx.block(last)
	if err != nil {
		return nil, o.changed(err)
	}
	if end < start || end-start > maxRangeFile {
		return nil, o.changed(nil)
	}
	buf := make([]byte, end-start)
	if _, err := o.r.ReadAt(buf, int64(start)); err != nil {
		return nil, o.changed(err)
	}
	var out bytes.Buffer
	for len(buf) > 0 {
		line := buf
		if i := bytes.IndexByte(buf, '\n'); i >= 0 {
			line, buf = buf[:i], buf[i+1:]
		} else {
			buf = nil
		}
		line = bytes.TrimSuffix(line, []byte{'\r'})
		if len(line) < 42 || line[40] != ':' {
			if len(line) == 0 {
				continue
			}
			return nil, o.changed(nil)
		}
		if !bytes.EqualFold(line[:PrefixLen], []byte(prefix)) {
			continue
		}
		if _, _, err := parseCountLine(line, 40); err != nil {
			return nil, o.changed(err)
		}
		out.Write(bytes.ToUpper(line[PrefixLen:41]))
		out.Write(line[41:])
		out.WriteString("\r\n")
	}
	return out.Bytes(), nil
}

// readDirRange reads the per-prefix file of a downloaded folder.
func (o *Offline) readDirRange(prefix string) ([]byte, error) {
	body, name, err := readPrefixFile(o.path, prefix)
	if err != nil {
		return nil, err
	}
	if _, err := ParseRange(body, strings.Repeat("0", 40-PrefixLen)); err != nil {
		return nil, handwash.Errorf(handwash.EINVALID, "%s, %v: each line should be the 35 characters after the prefix, a colon and a count", name, err)
	}
	return body, nil
}

// pad adds entries of count 0 with random suffixes until the answer has
// from padMin to padMax entries.
func pad(real []byte) []byte {
	n := bytes.Count(real, []byte{'\n'})
	if len(real) > 0 && real[len(real)-1] != '\n' {
		real = append(real, '\r', '\n')
		n++
	}
	const hexUpper = "0123456789ABCDEF"
	const lineLen = 40 - PrefixLen + len(":0\r\n")
	target := padMin + rand.IntN(padMax-padMin+1)
	out := make([]byte, len(real), len(real)+max(target-n, 0)*lineLen)
	copy(out, real)
	var line [lineLen]byte
	copy(line[40-PrefixLen:], ":0\r\n")
	for ; n < target; n++ {
		for i := 0; i < 40-PrefixLen; i += 16 {
			r := rand.Uint64()
			for j := i; j < min(i+16, 40-PrefixLen); j++ {
				line[j] = hexUpper[r&15]
				r >>= 4
			}
		}
		out = append(out, line[:]...)
	}
	return out
}
