package sqlstore

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/maphash"
	"io"
)

// A device's Facts change little from one collection to the next (a few
// package versions, a signature date), yet each compressed document is
// tens of kilobytes: stored whole, a device whose Facts change daily would
// use well over the 10 MB a year budgeted for it. So most Facts are kept
// as a delta against a keyframe, an earlier whole document of the same
// device: the segments (runs of JSON up to and including a comma) that the
// keyframe already holds are copied from it by position, and only the
// others are written out. A delta is never based on another delta, so any
// Facts are rebuilt from at most two rows. Uploads store Facts whole;
// Store.CompactFacts turns them into deltas later, off the upload path.

// deltaMagic starts every delta, before compression.
const deltaMagic = "HWD1"

// window is how many segments in a row identify a place in the keyframe.
const window = 4

// maxFactsBytes bounds what a delta may rebuild, as the server bounds
// uploads, so a damaged row cannot exhaust memory.
const maxFactsBytes = 64 << 20

// segments splits JSON after each comma. The split is arbitrary for the
// rest of the text, but the same for keyframe and target, which is all the
// delta needs.
func segments(b []byte) [][]byte {
	segs := make([][]byte, 0, bytes.Count(b, []byte{','})+1)
	for len(b) > 0 {
		i := bytes.IndexByte(b, ',')
		if i < 0 {
			segs = append(segs, b)
			break
		}
		segs = append(segs, b[:i+1])
		b = b[i+1:]
	}
	return segs
}

var seed = maphash.MakeSeed()

func hashWindow(segs [][]byte) uint64 {
	var h maphash.Hash
	h.SetSeed(seed)
	for _, s := range segs {
		h.Write(s)
		h.WriteByte(0)
	}
	return h.Sum64()
}

func equalRun(a, b [][]byte) bool {
	for i := range a {
		if !bytes.Equal(a[i], b[i]) {
			return false
		}
	}
	return true
}

// makeDelta writes target as copies of base's segments and inserted
// bytes: a copy is uvarint(2*count) uvarint(first), an insertion
// uvarint(2*len+1) and the bytes.
func makeDelta(base, target []byte) []byte {
	B, T := segments(base), segments(target)
	at := make(map[uint64]int, len(B))
	for j := 0; j+window <= len(B); j++ {
		h := hashWindow(B[j : j+window])
		if _, ok := at[h]; !ok {
			at[h] = j
		}
	}
	out := []byte(deltaMagic)
	var insert []byte
	flush := func() {
		if len(insert) > 0 {
			out = binary.AppendUvarint(out, uint64(2*len(insert)+1))
			out = append(out, insert...)
			insert = insert[:0]
		}
	}
	next := -1 // where in base the text is expected to go on
	for i := 0; i < len(T); {
		j := -1
		if next >= 0 && next < len(B) && bytes.Equal(B[next], T[i]) {
			j = next
		} else if i+window <= len(T) {
			if c, ok := at[hashWindow(T[i:i+window])]; ok && equalRun(B[c:c+window], T[i:i+window]) {
				j = c
			}
		}
		if j < 0 {
			insert = append(insert, T[i]...)
			i++
			if next >= 0 {
				next++ // most changes replace a segment in place
			}
			continue
		}
		n := 0
		for j+n < len(B) && i+n < len(T) && bytes.Equal(B[j+n], T[i+n]) {
			n++
		}
		flush()
		out = binary.AppendUvarint(out, uint64(2*n))
		out = binary.AppendUvarint(out, uint64(j))
		i, next = i+n, j+n
	}
	flush()
	return out
}

var errBadDelta = errors.New("stored Facts delta is damaged")

// applyDelta rebuilds the target of a delta from its base.
func applyDelta(base, delta []byte) ([]byte, error) {
	if !bytes.HasPrefix(delta, []byte(deltaMagic)) {
		return nil, errBadDelta
	}
	B := segments(base)
	d := delta[len(deltaMagic):]
	out := make([]byte, 0, len(base)+len(base)/8)
	for len(d) > 0 {
		op, n := binary.Uvarint(d)
		if n <= 0 {
			return nil, errBadDelta
		}
		d = d[n:]
		if op%2 == 1 {
			size := op / 2
			if size > uint64(len(d)) {
				return nil, errBadDelta
			}
			out, d = append(out, d[:size]...), d[size:]
		} else {
			first, n := binary.Uvarint(d)
			if n <= 0 {
				return nil, errBadDelta
			}
			d = d[n:]
			count := op / 2
			if first > uint64(len(B)) || count > uint64(len(B))-first {
				return nil, errBadDelta
			}
			for _, s := range B[first : first+count] {
				out = append(out, s...)
			}
		}
		if len(out) > maxFactsBytes {
			return nil, errBadDelta
		}
	}
	return out, nil
}

func gunzip(b []byte) ([]byte, error) {
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	out, err := io.ReadAll(io.LimitReader(zr, maxFactsBytes+1))
	if err != nil {
		return nil, err
	}
	if len(out) > maxFactsBytes {
		return nil, fmt.Errorf("over %d bytes decompressed", maxFactsBytes)
	}
	return out, nil
}

func gzipBytes(b []byte, level int) []byte {
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, level)
	zw.Write(b) // a bytes.Buffer does not fail
	zw.Close()
	return buf.Bytes()
}
