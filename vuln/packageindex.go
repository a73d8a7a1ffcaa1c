package vuln

import (
	"archive/zip"
	"bufio"
	"bytes"
	"compress/flate"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/handwash/handwash"
)

// A package index says, for one OSV export, which records name each
// package and where each record lies in the zip, so that judging one
// device reads and decodes only the records of its own packages
// (PackageIndex.LoadZip) instead of the whole export (LoadZip). It is a
// text file:
//
//	handwash OSV package index 1
//	sha256 <the export's SHA-256, hex>
//	size <the export's size in bytes>
//	<package>\t<record>\t<record>...
//	...
//	end <SHA-256 of every byte above this line, hex>
//
// with one line for each package name Add files records under (any
// release of the ecosystem), sorted by name, and each record given as
// <n>,<offset>,<compressed size>,<size>,<CRC-32>,<method>: its place among
// the export's records, in LoadZip's order, the offset of its compressed
// data in the zip, and what the zip's directory says of it. The last line
// makes a cut-short or altered index detectable.

const packageIndexMagic = "handwash OSV package index 1"

// MaxPackageIndexBytes bounds a package index: a few dozen bytes for each
// record (Debian's export, the largest, has a few hundred thousand).
const MaxPackageIndexBytes = 256 << 20

// PackageIndexBuilder gathers, as an export's records are read, which
// packages each names, then writes the export's package index. Add may be
// called from many goroutines at once, each record once.
type PackageIndexBuilder struct {
	files []*zip.File
	at    map[*zip.File]int
	names [][]string
	added []bool
}

// NewPackageIndexBuilder starts the package index of the export zr.
func NewPackageIndexBuilder(zr *zip.Reader) *PackageIndexBuilder {
	files := recordFiles(zr)
	b := &PackageIndexBuilder{files: files, at: make(map[*zip.File]int, len(files)),
		names: make([][]string, len(files)), added: make([]bool, len(files))}
	for i, f := range files {
		b.at[f] = i
	}
	return b
}

// Add notes the packages that a, read from f (one of the export's files),
// names. Files LoadZip does not read are ignored.
func (b *PackageIndexBuilder) Add(f *zip.File, a *Advisory) {
	i, ok := b.at[f]
	if !ok {
		return
	}
	b.added[i] = true
	if a.Withdrawn != nil {
		return
	}
	var names []string
	for j := range a.Affected {
		af := &a.Affected[j]
		if _, ok := indexed(af); ok && !slices.Contains(names, af.Package.Name) {
			names = append(names, af.Package.Name)
		}
	}
	b.names[i] = names
}

// Write writes the package index of the export, which is size bytes long
// with SHA-256 digest (hex). It fails when a record was not added, or when
// the index cannot describe the export (a record compressed in a way zip
// readers rarely support, or a package name with a tab or line break).
func (b *PackageIndexBuilder) Write(w io.Writer, size int64, digest string) error {
	if len(digest) != 64 {
		return fmt.Errorf("package index: %q is not a SHA-256", clip(digest))
	}
	offsets := make([]int64, len(b.files))
	byName := map[string][]int{}
	for i, f := range b.files {
		if !b.added[i] {
			return fmt.Errorf("package index: record %s was not read", clip(f.Name))
		}
		if len(b.names[i]) == 0 {
			continue
		}
		if f.Method != zip.Store && f.Method != zip.Deflate {
			return fmt.Errorf("package index: record %s is compressed with method %d", clip(f.Name), f.Method)
		}
		var err error
		if offsets[i], err = f.DataOffset(); err != nil {
			return fmt.Errorf("package index: record %s: %w", clip(f.Name), err)
		}
		for _, n := range b.names[i] {
			if n == "" || strings.ContainsAny(n, "\t\r\n") {
				return fmt.Errorf("package index: record %s names the package %q, which the index cannot hold", clip(f.Name), clip(n))
			}
			byName[n] = append(byName[n], i)
		}
	}
	names := make([]string, 0, len(byName))
	for n := range byName {
		names = append(names, n)
	}
	slices.Sort(names)
	h := sha256.New()
	bw := bufio.NewWriter(io.MultiWriter(w, h))
	fmt.Fprintf(bw, "%s\nsha256 %s\nsize %d\n", packageIndexMagic, digest, size)
	var line []byte
	for _, n := range names {
		line = append(line[:0], n...)
		for _, i := range byName[n] {
			f := b.files[i]
			line = append(line, '\t')
			for j, v := range []uint64{uint64(i), uint64(offsets[i]), f.CompressedSize64, f.UncompressedSize64, uint64(f.CRC32), uint64(f.Method)} {
				if j > 0 {
					line = append(line, ',')
				}
				line = strconv.AppendUint(line, v, 10)
			}
		}
		bw.Write(append(line, '\n'))
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	_, err := fmt.Fprintf(w, "end %s\n", hex.EncodeToString(h.Sum(nil)))
	return err
}

// WritePackageIndex reads every record of the export r (size bytes, with
// SHA-256 digest in hex) and writes its package index to w. Records are
// dropped as soon as their package names are noted, so it needs far less
// memory than LoadZip.
func WritePackageIndex(w io.Writer, r io.ReaderAt, size int64, digest string) error {
	zr, err := openZip(r, size)
	if err != nil {
		return err
	}
	b := NewPackageIndexBuilder(zr)
	errs := decodeAll(b.files, func(i int, a *Advisory) { b.Add(b.files[i], a) })
	for i, err := range errs {
		if err != nil {
			return handwash.Errorf(handwash.EINVALID, "OSV export, %s: %s", clip(b.files[i].Name), handwash.ErrorMessage(err))
		}
	}
	return b.Write(w, size, digest)
}

// PackageIndex is an export's package index, checked whole
// (ParsePackageIndex).
type PackageIndex struct {
	digest string
	size   int64
	// body is the package lines, each ending in a line break.
	body []byte
}

// ParsePackageIndex reads a package index as PackageIndexBuilder writes
// it. An index cut short, altered or of another format is an EINVALID
// error.
func ParsePackageIndex(data []byte) (*PackageIndex, error) {
	bad := func(what string) error {
		return handwash.Errorf(handwash.EINVALID, "OSV package index: %s: build it again from the export", what)
	}
	if len(data) > MaxPackageIndexBytes {
		return nil, bad("over the size limit")
	}
	if !bytes.HasSuffix(data, []byte("\n")) {
		return nil, bad("cut short")
	}
	cut := bytes.LastIndexByte(data[:len(data)-1], '\n') + 1
	sum, ok := bytes.CutPrefix(data[cut:len(data)-1], []byte("end "))
	if !ok {
		return nil, bad("cut short")
	}
	if h := sha256.Sum256(data[:cut]); hex.EncodeToString(h[:]) != string(sum) {
		return nil, bad("damaged (its checksum does not match)")
	}
	rest := data[:cut]
	line := func(prefix string) (string, bool) {
		i := bytes.IndexByte(rest, '\n')
		if i < 0 {
			return "", false
		}
		l := string(rest[:i])
		rest = rest[i+1:]
		return strings.CutPrefix(l, prefix)
	}
	px := &PackageIndex{}
	if magic, ok := line(""); !ok || magic != packageIndexMagic {
		return nil, bad("not a package index of this version")
	}
	digest, ok := line("sha256 ")
	if b, err := hex.DecodeString(digest); !ok || err != nil || len(b) != sha256.Size || digest != strings.ToLower(digest) {
		return nil, bad("its export's SHA-256 is missing")
	}
	size, ok := line("size ")
	n, err := strconv.ParseInt(size, 10, 64)
	if !ok || err != nil || n < 0 {
		return nil, bad("its export's size is missing")
	}
	px.digest, px.size, px.body = digest, n, rest
	return px, nil
}

// SHA256 is the SHA-256 (hex) of the export the index was built from.
func (px *PackageIndex) SHA256() string { return px.digest }

// Size is the size in bytes of the export the index was built from.
func (px *PackageIndex) Size() int64 { return px.size }

// indexedRecord is where one record lies in the export.
type indexedRecord struct {
	// n is its place among the export's records; listed is a package it
	// was listed under.
	n      int
	listed string
	offset int64
	csize  int64
	size   int64
	crc    uint32
	method uint16
}

// records are the records listed under names, each once, in the export's
// order.
func (px *PackageIndex) records(names []string) ([]indexedRecord, error) {
	bad := func(what string) error {
		return handwash.Errorf(handwash.EINVALID, "OSV package index: %s: build it again from the export", what)
	}
	want := make(map[string]bool, len(names))
	for _, n := range names {
		want[n] = true
	}
	byN := map[int]indexedRecord{}
	for body := px.body; len(body) > 0; {
		end := bytes.IndexByte(body, '\n') // ParsePackageIndex cut it after one
		line := body[:end]
		body = body[end+1:]
		name, list, ok := bytes.Cut(line, []byte("\t"))
		if !ok || len(name) == 0 {
			return nil, bad("a package line is malformed")
		}
		if !want[string(name)] {
			continue
		}
		for field := range bytes.SplitSeq(list, []byte("\t")) {
			r, err := px.parseRecord(string(field))
			if err != nil {
				return nil, bad(err.Error())
			}
			r.listed = string(name)
			if prev, ok := byN[r.n]; ok {
				prev.listed = r.listed
				if prev != r {
					return nil, bad(fmt.Sprintf("record %d is listed at two places", r.n))
				}
				continue
			}
			byN[r.n] = r
		}
	}
	out := make([]indexedRecord, 0, len(byN))
	for _, r := range byN {
		out = append(out, r)
	}
	slices.SortFunc(out, func(a, b indexedRecord) int { return a.n - b.n })
	return out, nil
}

// parseRecord reads n,offset,compressed size,size,CRC-32,method.
func (px *PackageIndex) parseRecord(s string) (indexedRecord, error) {
	var v [6]uint64
	rest := s
	for i := range v {
		var field string
		field, rest, _ = strings.Cut(rest, ",")
		n, err := strconv.ParseUint(field, 10, 63)
		if err != nil || (i == len(v)-1) != (rest == "") {
			return indexedRecord{}, fmt.Errorf("record %q is malformed", clip(s))
		}
		v[i] = n
	}
	r := indexedRecord{n: int(v[0]), offset: int64(v[1]), csize: int64(v[2]), size: int64(v[3]), crc: uint32(v[4]), method: uint16(v[5])}
	switch {
	case v[0] > 1<<31, v[4] > 1<<32-1:
		return indexedRecord{}, fmt.Errorf("record %q is malformed", clip(s))
	case r.method != zip.Store && r.method != zip.Deflate, v[5] > 1<<16-1:
		return indexedRecord{}, fmt.Errorf("record %d has an unknown compression method", r.n)
	case r.size > MaxAdvisoryBytes:
		return indexedRecord{}, fmt.Errorf("record %d is over the limit of %d bytes", r.n, MaxAdvisoryBytes)
	case r.offset > px.size || r.csize > px.size-r.offset:
		return indexedRecord{}, fmt.Errorf("record %d lies beyond the export's end", r.n)
	case r.method == zip.Store && r.csize != r.size:
		return indexedRecord{}, fmt.Errorf("record %d has two sizes", r.n)
	}
	return r, nil
}

// LoadZip reads from the export r, size bytes, only the records the index
// lists under names, into a new index: for packages looked up by those
// names (LookupNames), Match gives exactly what it gives with the index
// LoadZip makes of the whole export. The index's Len and Newest count only
// the records read, and accept (as for LoadZip) sees only them.
//
// r must be the export the index was built from: the caller compares
// SHA256 with the export's; the size, each record's CRC-32 and the package
// it names are checked here. Any error means the index or the export is
// not as expected: load the whole export with LoadZip instead.
func (px *PackageIndex) LoadZip(r io.ReaderAt, size int64, names []string, accept func(Ecosystem) bool) (*Index, error) {
	if size != px.size {
		return nil, handwash.Errorf(handwash.EINVALID, "OSV package index: built from an export of %d bytes, not this one of %d: build it again from the export", px.size, size)
	}
	recs, err := px.records(names)
	if err != nil {
		return nil, err
	}
	return addAll(len(recs), px.reader(r, recs), func(i int) string { return fmt.Sprintf("record %d", recs[i].n) }, accept)
}

// Match matches pkgs, the packages of one device of ecosystem eco, against
// the records the index lists under their names (LookupNames), reading
// them from the export r, size bytes, as LoadZip does: it gives what
// LoadZip's index would give for pkgs, but keeps only the matches, not an
// index of every record read. Errors are as for LoadZip.
func (px *PackageIndex) Match(r io.ReaderAt, size int64, eco Ecosystem, pkgs []Installed, accept func(Ecosystem) bool) ([]Match, error) {
	if size != px.size {
		return nil, handwash.Errorf(handwash.EINVALID, "OSV package index: built from an export of %d bytes, not this one of %d: build it again from the export", px.size, size)
	}
	recs, err := px.records(LookupNames(pkgs))
	if err != nil {
		return nil, err
	}
	m := newMatcher(eco, pkgs)
	if err := readEach(len(recs), px.reader(r, recs), func(i int) string { return fmt.Sprintf("record %d", recs[i].n) }, accept, m.add); err != nil {
		return nil, err
	}
	return m.matches(), nil
}

// reader reads the i'th of recs from r, checking that it names the package
// it was listed under.
func (px *PackageIndex) reader(r io.ReaderAt, recs []indexedRecord) func(i int) (*Advisory, error) {
	return func(i int) (*Advisory, error) {
		a, err := readIndexed(r, recs[i])
		if err == nil && !namesPackage(a, recs[i].listed) {
			err = fmt.Errorf("does not name %s, as the package index says: build the index again from the export", clip(recs[i].listed))
		}
		return a, err
	}
}

// namesPackage reports whether Add files a under the package name.
func namesPackage(a *Advisory, name string) bool {
	if a.Withdrawn != nil {
		return false
	}
	for i := range a.Affected {
		if _, ok := indexed(&a.Affected[i]); ok && a.Affected[i].Package.Name == name {
			return true
		}
	}
	return false
}

// flateReaders and recordBuffers are reused from record to record: each
// flate reader holds a 32 KB window.
var flateReaders, recordBuffers sync.Pool

// readIndexed reads one record where the index says it lies, checking it
// against the index's size and CRC-32.
func readIndexed(r io.ReaderAt, rec indexedRecord) (*Advisory, error) {
	bp, _ := recordBuffers.Get().(*[]byte)
	if bp == nil {
		bp = new([]byte)
	}
	defer recordBuffers.Put(bp)
	need := rec.csize
	if rec.method == zip.Deflate {
		need += rec.size
	}
	if int64(cap(*bp)) < need {
		*bp = make([]byte, need)
	}
	compressed := (*bp)[:rec.csize]
	if _, err := r.ReadAt(compressed, rec.offset); err != nil {
		return nil, fmt.Errorf("cannot be read: %w", err)
	}
	data := compressed
	if rec.method == zip.Deflate {
		fr, _ := flateReaders.Get().(io.ReadCloser)
		if fr == nil {
			fr = flate.NewReader(bytes.NewReader(compressed))
		} else if err := fr.(flate.Resetter).Reset(bytes.NewReader(compressed), nil); err != nil {
			return nil, err
		}
		data = (*bp)[rec.csize:need]
		_, err := io.ReadFull(fr, data)
		if err == nil {
			// The stream must end here.
			if n, _ := fr.Read(make([]byte, 1)); n != 0 {
				err = errors.New("is longer than the index says")
			}
		}
		flateReaders.Put(fr)
		if err != nil {
			return nil, fmt.Errorf("cannot be read as the package index says (%v): build the index again from the export", err)
		}
	}
	if crc32.ChecksumIEEE(data) != rec.crc {
		return nil, errors.New("does not match the package index: build the index again from the export")
	}
	// ParseOSV keeps nothing of data, so the buffer can be used again.
	return ParseOSV(data)
}
