package vuln

import (
	"archive/zip"
	"bufio"
	"bytes"
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/handwash/handwash"
)

// A package index holds, for one OSV export, what matching needs of each
// record (its ID, when it changed, its CVEs, and the ranges and versions
// of each affected entry) filed under the packages the record names. A
// check of one device reads the lines of its own packages from this one
// file (PackageIndex.Match), and never decompresses or decodes the
// export's records, which for Debian are tens of thousands. It is a text
// file:
//
//	handwash OSV package index 2
//	sha256 <the export's SHA-256, hex>
//	size <the export's size in bytes>
//	<package>\t<record>\t<ID>\t<modified>\t<CVEs>\t<entry>\t<entry>...
//	...
//	end <SHA-256 of every byte above this line, hex>
//
// with one line for each package a record files entries under (as
// Index.Add files them), sorted by package and then record. <record> is
// the record's place among the export's records, in LoadZip's order;
// <modified> is RFC 3339; <CVEs> are separated by commas. Each <entry> is
// one affected entry of the record for the package:
//
//	<place> <ecosystem> <bounds> <versions>
//
// its place in the record's "affected" list; its ecosystem as the record
// gives it; the events of its ECOSYSTEM ranges in version order, each
// range's events followed by "e" (an event is "i", "f" or "l", for
// introduced, fixed or last_affected, then the version); and its listed
// versions, each "v" then the version. Bounds and versions are separated
// by commas. In every value, '%', ',', space, tab, line breaks and the
// other control bytes are written as %XX. The last line makes a cut-short
// or altered index detectable.

const packageIndexMagic = "handwash OSV package index 2"

// MaxPackageIndexBytes bounds a package index: it holds what matching
// needs of every record, a small part of each.
const MaxPackageIndexBytes = 1 << 30

// maxIndexLine bounds one line: what matching needs of one record, which
// is at most MaxAdvisoryBytes, each byte escaped at worst.
const maxIndexLine = 3*MaxAdvisoryBytes + 1024

// PackageIndexBuilder gathers, as an export's records are read, what
// matching needs of each, then writes the export's package index. Add may
// be called from many goroutines at once, each record once.
type PackageIndexBuilder struct {
	files []*zip.File
	at    map[*zip.File]int
	lines [][]indexLine
	added []bool
}

// indexLine is one line of a package index: the package, and the rest
// from the tab after it, without the line break.
type indexLine struct {
	name, rest string
}

// NewPackageIndexBuilder starts the package index of the export zr.
func NewPackageIndexBuilder(zr *zip.Reader) *PackageIndexBuilder {
	files := recordFiles(zr)
	b := &PackageIndexBuilder{files: files, at: make(map[*zip.File]int, len(files)),
		lines: make([][]indexLine, len(files)), added: make([]bool, len(files))}
	for i, f := range files {
		b.at[f] = i
	}
	return b
}

// Add notes what matching needs of a, read from f (one of the export's
// files). Files LoadZip does not read are ignored. It puts a's ranges'
// events in version order.
func (b *PackageIndexBuilder) Add(f *zip.File, a *Advisory) {
	i, ok := b.at[f]
	if !ok {
		return
	}
	b.added[i] = true
	b.lines[i] = indexLines(a, i)
}

// indexLines are the package index's lines for a, the n'th record of its
// export, in the order of the packages' first entries.
func indexLines(a *Advisory, n int) []indexLine {
	if a.Withdrawn != nil {
		return nil
	}
	var head []byte
	var lines []indexLine
	var text [][]byte
	ids := cves(a)
	for j := range a.Affected {
		af := &a.Affected[j]
		eco, ok := indexed(af)
		if !ok {
			continue
		}
		if head == nil {
			head = fmt.Appendf(nil, "\t%d\t", n)
			head = appendEscaped(head, a.ID)
			head = append(head, '\t')
			head = a.Modified.AppendFormat(head, time.RFC3339Nano)
			head = append(head, '\t')
			for k, id := range ids {
				if k > 0 {
					head = append(head, ',')
				}
				head = appendEscaped(head, id)
			}
		}
		at := slices.IndexFunc(lines, func(l indexLine) bool { return l.name == af.Package.Name })
		if at < 0 {
			at = len(lines)
			lines = append(lines, indexLine{name: af.Package.Name})
			text = append(text, slices.Clone(head))
		}
		text[at] = appendEntry(text[at], j, af, eco.Scheme())
	}
	for k := range lines {
		lines[k].rest = string(text[k])
	}
	return lines
}

// appendEntry appends "\t<place> <ecosystem> <bounds> <versions>" for the
// affected entry af, the j'th of its record.
func appendEntry(b []byte, j int, af *Affected, s Scheme) []byte {
	r := newRef(nil, af, s, nil)
	b = append(b, '\t')
	b = strconv.AppendInt(b, int64(j), 10)
	b = append(b, ' ')
	b = appendEscaped(b, af.Package.Ecosystem)
	b = append(b, ' ')
	for k, bd := range r.bounds {
		if k > 0 {
			b = append(b, ',')
		}
		b = append(b, "ifle"[bd.kind])
		b = appendEscaped(b, bd.version)
	}
	b = append(b, ' ')
	for k, v := range r.versions {
		if k > 0 {
			b = append(b, ',')
		}
		b = append(b, 'v')
		b = appendEscaped(b, v)
	}
	return b
}

// appendEscaped appends s with '%', ',', space and control bytes written
// as %XX.
func appendEscaped(b []byte, s string) []byte {
	const hexDigits = "0123456789ABCDEF"
	for i := 0; i < len(s); i++ {
		if c := s[i]; escaped(c) {
			b = append(b, '%', hexDigits[c>>4], hexDigits[c&15])
		} else {
			b = append(b, c)
		}
	}
	return b
}

// escaped reports whether appendEscaped escapes c.
func escaped(c byte) bool { return c <= ' ' || c == '%' || c == ',' || c == 0x7f }

// unescape undoes appendEscaped. A value that appendEscaped would not have
// written (a byte it escapes, an escape of one it does not, or a malformed
// escape) is an error, so that each value has one form.
func unescape(s string) (string, error) {
	plain := true
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '%':
			plain = false
		case escaped(c):
			return "", fmt.Errorf("the value %q holds a byte that should be escaped", clip(s))
		}
	}
	if plain {
		return s, nil
	}
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if s[i] != '%' {
			out = append(out, s[i])
			continue
		}
		if i+2 >= len(s) {
			return "", fmt.Errorf("the value %q has an escape cut short", clip(s))
		}
		v, err := strconv.ParseUint(s[i+1:i+3], 16, 8)
		if err != nil || strings.ToUpper(s[i+1:i+3]) != s[i+1:i+3] || !escaped(byte(v)) {
			return "", fmt.Errorf("the value %q has a malformed escape", clip(s))
		}
		out = append(out, byte(v))
		i += 2
	}
	return string(out), nil
}

// Write writes the package index of the export, which is size bytes long
// with SHA-256 digest (hex). It fails when a record was not added.
func (b *PackageIndexBuilder) Write(w io.Writer, size int64, digest string) error {
	if len(digest) != 64 {
		return fmt.Errorf("package index: %q is not a SHA-256", clip(digest))
	}
	type line struct {
		n int
		*indexLine
	}
	var all []line
	for i, f := range b.files {
		if !b.added[i] {
			return fmt.Errorf("package index: record %s was not read", clip(f.Name))
		}
		for k := range b.lines[i] {
			all = append(all, line{i, &b.lines[i][k]})
		}
	}
	slices.SortFunc(all, func(a, b line) int {
		if c := strings.Compare(a.name, b.name); c != 0 {
			return c
		}
		return a.n - b.n
	})
	h := sha256.New()
	bw := bufio.NewWriter(io.MultiWriter(w, h))
	fmt.Fprintf(bw, "%s\nsha256 %s\nsize %d\n", packageIndexMagic, digest, size)
	var name []byte
	for _, l := range all {
		name = appendEscaped(name[:0], l.name)
		bw.Write(name)
		bw.WriteString(l.rest)
		bw.WriteByte('\n')
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	_, err := fmt.Fprintf(w, "end %s\n", hex.EncodeToString(h.Sum(nil)))
	return err
}

// WritePackageIndex reads every record of the export r (size bytes, with
// SHA-256 digest in hex) and writes its package index to w. Records are
// dropped as soon as what matching needs of them is noted, so it needs far
// less memory than LoadZip.
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

// PackageIndex is an export's package index, opened: its first lines
// read (OpenPackageIndex). Match or Check reads the rest, once.
type PackageIndex struct {
	digest string
	size   int64
	r      *bufio.Reader
	h      hash.Hash
	// read counts the bytes read, and done says the rest has been read.
	read int64
	done bool
}

// badIndex is the error of an index that cannot be used.
func badIndex(what string) error {
	return handwash.Errorf(handwash.EINVALID, "OSV package index: %s: build it again from the export", what)
}

// OpenPackageIndex reads the first lines of a package index, as
// PackageIndexBuilder writes it, from r: the SHA-256 and size of the
// export it was made from. An index of another format is an EINVALID
// error.
func OpenPackageIndex(r io.Reader) (*PackageIndex, error) {
	px := &PackageIndex{r: bufio.NewReaderSize(r, 64<<10), h: sha256.New()}
	line := func(prefix string) (string, bool) {
		l, err := px.r.ReadSlice('\n')
		px.read += int64(len(l))
		if err != nil {
			return "", false
		}
		px.h.Write(l)
		return strings.CutPrefix(string(l[:len(l)-1]), prefix)
	}
	if magic, ok := line(""); !ok || magic != packageIndexMagic {
		return nil, badIndex("not a package index of this version")
	}
	digest, ok := line("sha256 ")
	if b, err := hex.DecodeString(digest); !ok || err != nil || len(b) != sha256.Size || digest != strings.ToLower(digest) {
		return nil, badIndex("its export's SHA-256 is missing")
	}
	size, ok := line("size ")
	n, err := strconv.ParseInt(size, 10, 64)
	if !ok || err != nil || n < 0 {
		return nil, badIndex("its export's size is missing")
	}
	px.digest, px.size = digest, n
	return px, nil
}

// ParsePackageIndex opens a package index held in memory.
func ParsePackageIndex(data []byte) (*PackageIndex, error) {
	return OpenPackageIndex(bytes.NewReader(data))
}

// SHA256 is the SHA-256 (hex) of the export the index was made from.
func (px *PackageIndex) SHA256() string { return px.digest }

// Size is the size in bytes of the export the index was made from.
func (px *PackageIndex) Size() int64 { return px.size }

// scan reads the rest of the index, giving each package line to use when
// want says so (its package as written, escaped, and the rest from the tab
// after it), and checks the last line's checksum. Any error means the
// index cannot be used, whatever use was given.
func (px *PackageIndex) scan(want func(name []byte) bool, use func(name, rest []byte) error) error {
	if px.done {
		return errors.New("OSV package index: read twice")
	}
	px.done = true
	var long []byte
	for {
		line, err := px.r.ReadSlice('\n')
		if err == bufio.ErrBufferFull {
			long = append(long[:0], line...)
			for err == bufio.ErrBufferFull && len(long) <= maxIndexLine {
				line, err = px.r.ReadSlice('\n')
				long = append(long, line...)
			}
			line = long
		}
		px.read += int64(len(line))
		if px.read > MaxPackageIndexBytes || len(line) > maxIndexLine {
			return badIndex("over the size limit")
		}
		if err != nil {
			if err == io.EOF {
				return badIndex("cut short")
			}
			return badIndex(fmt.Sprintf("it cannot be read (%v)", err))
		}
		text := line[:len(line)-1]
		name, rest, ok := bytes.Cut(text, []byte("\t"))
		if !ok {
			sum, ok := bytes.CutPrefix(text, []byte("end "))
			switch {
			case !ok:
				return badIndex("a line is malformed")
			case hex.EncodeToString(px.h.Sum(nil)) != string(sum):
				return badIndex("damaged (its checksum does not match)")
			}
			if _, err := px.r.ReadByte(); err != io.EOF {
				return badIndex("more follows its last line")
			}
			return nil
		}
		px.h.Write(line)
		if len(name) == 0 {
			return badIndex("a package line is malformed")
		}
		if want(name) {
			if err := use(name, rest); err != nil {
				return err
			}
		}
	}
}

// Check reads the rest of the index and checks every line.
func (px *PackageIndex) Check() error {
	var l parsedLine
	ecos := ecosystemCache{}
	return px.scan(func([]byte) bool { return true }, func(name, rest []byte) error {
		if _, err := unescape(string(name)); err != nil {
			return badIndex(err.Error())
		}
		if err := l.parse(string(rest), ecos); err != nil {
			return err
		}
		_, _, err := l.advisory()
		return err
	})
}

// Match matches pkgs, the packages of one device of ecosystem eco, against
// the lines of the index for their names (LookupNames), reading the rest
// of the index: it gives exactly what the index LoadZip makes of the whole
// export gives, keeping only the matches. An error means the index cannot
// be used: match against the whole export instead.
func (px *PackageIndex) Match(eco Ecosystem, pkgs []Installed) ([]Match, error) {
	m := newMatcher(eco, pkgs)
	if err := px.each(m, func(h hit) { m.hits = append(m.hits, h) }); err != nil {
		return nil, err
	}
	return m.matches(), nil
}

// Tally is Match's matches tallied as TallyOf tallies them, after marking
// those with a CVE known reports (MarkKnownExploited), keeping only max
// items: a Debian machine's packages can match tens of thousands of
// advisories, and a report lists a few.
func (px *PackageIndex) Tally(eco Ecosystem, pkgs []Installed, known func(cve string) bool, max int) (Tally, error) {
	m := newMatcher(eco, pkgs)
	t := newTallier(m, known, max)
	if err := px.each(m, t.add); err != nil {
		return Tally{}, err
	}
	return t.tally(), nil
}

// each reads the rest of the index, giving use each advisory that affects
// one of m's groups, once for each group, with the entry Match reports
// (the first, by ecosystem and then place, of the record's entries that
// affect it).
func (px *PackageIndex) each(m *matcher, use func(hit)) error {
	var l parsedLine
	ecos := ecosystemCache{}
	var r ref
	return px.scan(func(name []byte) bool {
		_, ok := m.byName[string(name)]
		return ok || bytes.IndexByte(name, '%') >= 0
	}, func(name, rest []byte) error {
		gs, ok := m.byName[string(name)]
		if !ok {
			n, err := unescape(string(name))
			if err != nil {
				return badIndex(err.Error())
			}
			if gs = m.byName[n]; len(gs) == 0 {
				return nil
			}
		}
		if err := l.parse(string(rest), ecos); err != nil {
			return err
		}
		// The record as matches report it, made at its first. (A record
		// filed under two packages is made for each: an advisory is
		// reported once for each package, so that costs nothing.)
		var adv *Advisory
		var ids []string
		for _, g := range gs {
			var best *parsedEntry
			var bestFixed string
			for k := range l.entries {
				e := &l.entries[k]
				if !m.eco.Covers(e.eco) || (best != nil && cmp.Or(strings.Compare(e.ecoText, best.ecoText), cmp.Compare(e.place, best.place)) >= 0) {
					continue
				}
				r.scheme, r.bounds, r.versions = e.eco.Scheme(), l.bounds[e.bounds[0]:e.bounds[1]], l.versions[e.versions[0]:e.versions[1]]
				if affected, fixed := r.affects(m.groups[g].version); affected {
					best, bestFixed = e, fixed
				}
			}
			if best == nil {
				continue
			}
			if adv == nil {
				var err error
				if adv, ids, err = l.advisory(); err != nil {
					return err
				}
			}
			// A copy of fixed, so as not to keep the line.
			use(hit{group: g, eco: best.ecoText, adv: adv, cves: ids,
				order: uint64(l.n)<<20 | uint64(min(best.place, 1<<20-1)), fixed: strings.Clone(bestFixed)})
		}
		return nil
	})
}

// parsedLine is a package line of the index after its package, parsed
// for matching. Its strings are parts of the line, which parse takes as
// one string, so a line costs one allocation, not one for each version.
type parsedLine struct {
	n             int
	id, modified  string
	cves          string
	entries       []parsedEntry
	bounds        []bound
	versions      []string
	fields, parts []string
}

// parsedEntry is one affected entry of a line: its bounds and versions
// are spans of the line's.
type parsedEntry struct {
	place            int
	eco              Ecosystem
	ecoText          string
	bounds, versions [2]int
}

// ecosystemCache holds the ecosystems met so far, parsed, with their text
// (one copy of it, which matches keep rather than the line).
type ecosystemCache map[string]parsedEcosystem

type parsedEcosystem struct {
	eco  Ecosystem
	text string
}

// parse reads rest, the line after its package, keeping the bounds and
// versions of every entry and leaving the record's ID, time and CVEs
// (which only a match needs) to advisory.
func (l *parsedLine) parse(rest string, ecos ecosystemCache) error {
	bad := func(what string) error { return badIndex(fmt.Sprintf("record %d: %s", l.n, what)) }
	l.fields = splitInto(l.fields[:0], rest, '\t')
	l.entries, l.bounds, l.versions = l.entries[:0], l.bounds[:0], l.versions[:0]
	l.n = -1
	if len(l.fields) < 5 {
		return badIndex("a package line is malformed")
	}
	n, err := strconv.ParseUint(l.fields[0], 10, 31)
	if err != nil {
		return badIndex("a package line's record number is malformed")
	}
	l.n, l.id, l.modified, l.cves = int(n), l.fields[1], l.fields[2], l.fields[3]
	for _, field := range l.fields[4:] {
		l.parts = splitInto(l.parts[:0], field, ' ')
		if len(l.parts) != 4 {
			return bad("an entry is malformed")
		}
		place, err := strconv.ParseUint(l.parts[0], 10, 31)
		if err != nil {
			return bad("an entry's place is malformed")
		}
		e := parsedEntry{place: int(place)}
		pe, ok := ecos[l.parts[1]]
		if !ok {
			text, err := unescape(l.parts[1])
			if err != nil {
				return bad(err.Error())
			}
			eco, err := ParseEcosystem(text)
			if err != nil || eco.Scheme() == "" {
				return bad(fmt.Sprintf("the ecosystem %q is not one whose versions Handwash compares", clip(text)))
			}
			pe = parsedEcosystem{eco, strings.Clone(text)}
			ecos[strings.Clone(l.parts[1])] = pe
		}
		e.eco, e.ecoText = pe.eco, pe.text
		e.bounds[0] = len(l.bounds)
		if l.parts[2] != "" {
			for item := range strings.SplitSeq(l.parts[2], ",") {
				kind := -1
				if item != "" {
					kind = strings.IndexByte("ifle", item[0])
				}
				if kind < 0 || (kind == int(boundEnd)) != (len(item) == 1) {
					return bad(fmt.Sprintf("the bound %q is malformed", clip(item)))
				}
				v, err := unescape(item[1:])
				if err != nil {
					return bad(err.Error())
				}
				l.bounds = append(l.bounds, bound{boundKind(kind), v})
			}
		}
		e.bounds[1] = len(l.bounds)
		e.versions[0] = len(l.versions)
		if l.parts[3] != "" {
			for item := range strings.SplitSeq(l.parts[3], ",") {
				if item == "" || item[0] != 'v' {
					return bad(fmt.Sprintf("the version %q is malformed", clip(item)))
				}
				v, err := unescape(item[1:])
				if err != nil {
					return bad(err.Error())
				}
				l.versions = append(l.versions, v)
			}
		}
		e.versions[1] = len(l.versions)
		l.entries = append(l.entries, e)
	}
	return nil
}

// advisory is the line's record as a match reports it, with its CVEs.
func (l *parsedLine) advisory() (*Advisory, []string, error) {
	bad := func(what string) error { return badIndex(fmt.Sprintf("record %d: %s", l.n, what)) }
	id, err := unescape(l.id)
	if err != nil {
		return nil, nil, bad(err.Error())
	}
	if id == "" || len(id) > maxIDLen {
		return nil, nil, bad("its ID is malformed")
	}
	modified, err := time.Parse(time.RFC3339Nano, l.modified)
	if err != nil {
		return nil, nil, bad("its modified time is malformed")
	}
	var ids []string
	if l.cves != "" {
		for c := range strings.SplitSeq(l.cves, ",") {
			c, err := unescape(c)
			if err != nil || !strings.HasPrefix(c, "CVE-") {
				return nil, nil, bad(fmt.Sprintf("the CVE %q is malformed", clip(c)))
			}
			ids = append(ids, strings.Clone(c))
		}
	}
	// Copies, so as not to keep the line.
	return &Advisory{ID: strings.Clone(id), Modified: modified}, ids, nil
}

// splitInto appends to out the parts of s between seps.
func splitInto(out []string, s string, sep byte) []string {
	for {
		i := strings.IndexByte(s, sep)
		if i < 0 {
			return append(out, s)
		}
		out = append(out, s[:i])
		s = s[i+1:]
	}
}
