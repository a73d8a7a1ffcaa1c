package vuln

import (
	"archive/zip"
	"cmp"
	"fmt"
	"io"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/handwash/handwash"
)

// Installed is one installed package, as matching needs it.
type Installed struct {
	Name    string
	Version string
	// Source and SourceVersion are the source package it was built from
	// and that package's version, where known (dpkg) and different.
	Source        string
	SourceVersion string
}

// InstalledFrom takes the packages of an inventory that came from one
// package manager (dpkg, rpm or apk).
func InstalledFrom(items []handwash.SoftwareItem, manager string) []Installed {
	var out []Installed
	for _, it := range items {
		if it.Source != manager || it.Name == "" || it.Version == "" {
			continue
		}
		out = append(out, Installed{Name: it.Name, Version: it.Version, Source: it.SourcePackage, SourceVersion: it.SourceVersion})
	}
	return out
}

// LookupNames are the package names Match looks pkgs' advisories up by
// (source packages where known), each once, in the order first met: the
// names whose lines PackageIndex.Match reads.
func LookupNames(pkgs []Installed) []string {
	var out []string
	seen := map[string]bool{}
	for _, p := range pkgs {
		if name, _ := p.lookup(); !seen[name] {
			seen[name] = true
			out = append(out, name)
		}
	}
	return out
}

// lookup is the name and version an advisory is matched by: the source
// package's where known.
func (p Installed) lookup() (name, version string) {
	name, version = p.Name, p.Version
	if p.Source != "" {
		name = p.Source
	}
	if p.SourceVersion != "" {
		version = p.SourceVersion
	}
	return name, version
}

// Index holds advisories by ecosystem and package name, ready to match.
// Build it with Add or LoadZip, then only read it: Match may be called
// from many goroutines at once.
type Index struct {
	byKey      map[string][]ref
	ecosystems map[string]Ecosystem
	count      int
	newest     time.Time
	frozen     bool
}

// Freeze packs the index for matching; LoadZip does it. An index matches
// the same whether frozen or not, only faster.
func (ix *Index) Freeze() {
	for key, refs := range ix.byKey {
		n, size := 0, 0
		for _, r := range refs {
			n += len(r.bounds) + len(r.versions)
			for _, b := range r.bounds {
				size += len(b.version)
			}
			for _, v := range r.versions {
				size += len(v)
			}
		}
		var text strings.Builder
		text.Grow(size)
		for _, r := range refs {
			for _, b := range r.bounds {
				text.WriteString(b.version)
			}
			for _, v := range r.versions {
				text.WriteString(v)
			}
		}
		all, at := text.String(), 0
		take := func(v string) string {
			v, at = all[at:at+len(v)], at+len(v)
			return v
		}
		bounds := make([]bound, 0, n)
		versions := make([]string, 0, n)
		packed := make([]ref, len(refs))
		for i, r := range refs {
			start := len(bounds)
			for _, b := range r.bounds {
				bounds = append(bounds, bound{b.kind, take(b.version)})
			}
			vstart := len(versions)
			for _, v := range r.versions {
				versions = append(versions, take(v))
			}
			r.bounds, r.versions = bounds[start:len(bounds):len(bounds)], versions[vstart:len(versions):len(versions)]
			packed[i] = r
		}
		// In advisory order, so that Match needs no sort.
		slices.SortFunc(packed, func(a, b ref) int {
			if c := strings.Compare(a.adv.ID, b.adv.ID); c != 0 {
				return c
			}
			return cmp.Compare(a.order, b.order)
		})
		ix.byKey[key] = packed
	}
	ix.frozen = true
}

// ref is one affected entry of one advisory, in the form matching reads:
// the ranges of the ecosystem's own version order as one list of bounds in
// version order, and the listed versions. Freeze packs each package's refs
// into one block of memory, since matching a device reads thousands of
// them and waiting for scattered memory would be most of its time.
type ref struct {
	adv      *Advisory
	scheme   Scheme
	bounds   []bound
	versions []string
	// cves are the advisory's CVE identifiers, worked out once.
	cves []string
	// order is the entry's place in its export (record, then entry).
	order uint64
}

// bound is one event of a range.
type bound struct {
	kind    boundKind
	version string
}

type boundKind uint8

const (
	boundIntroduced boundKind = iota
	boundFixed
	boundLastAffected
	// boundEnd ends a range: the next bound starts another.
	boundEnd
)

// newRef turns an affected entry into a ref.
func newRef(a *Advisory, af *Affected, scheme Scheme, ids []string) ref {
	r := ref{adv: a, scheme: scheme, versions: af.Versions, cves: ids}
	for _, rg := range af.Ranges {
		if rg.Type != "ECOSYSTEM" {
			continue
		}
		sortEvents(scheme, rg.Events)
		for _, e := range rg.Events {
			switch {
			case e.Introduced != "":
				r.bounds = append(r.bounds, bound{boundIntroduced, e.Introduced})
			case e.Fixed != "":
				r.bounds = append(r.bounds, bound{boundFixed, e.Fixed})
			case e.LastAffected != "":
				r.bounds = append(r.bounds, bound{boundLastAffected, e.LastAffected})
			}
		}
		r.bounds = append(r.bounds, bound{kind: boundEnd})
	}
	return r
}

// NewIndex returns an empty index.
func NewIndex() *Index {
	return &Index{byKey: map[string][]ref{}, ecosystems: map[string]Ecosystem{}}
}

// Len is how many advisories the index holds.
func (ix *Index) Len() int { return ix.count }

// Newest is the newest "modified" time among the advisories: how fresh the
// data is.
func (ix *Index) Newest() time.Time { return ix.newest }

// Add puts an advisory in the index. A withdrawn advisory, and affected
// entries in ecosystems whose versions Handwash does not compare, are left
// out. Of the advisory itself the index keeps only its ID and when it was
// modified (the rest is at its address): the matches report no more.
func (ix *Index) Add(a *Advisory) {
	ix.add(a, ix.count)
}

// add is Add with the record's place in its export, which orders two
// entries of one advisory for one package as the export does.
func (ix *Index) add(a *Advisory, place int) {
	if a.Withdrawn != nil {
		return
	}
	kept := &Advisory{ID: a.ID, Modified: a.Modified}
	added := false
	ids := cves(a)
	for i := range a.Affected {
		af := &a.Affected[i]
		eco, ok := indexed(af)
		if !ok {
			continue
		}
		key := af.Package.Ecosystem + "\x00" + af.Package.Name
		r := newRef(kept, af, eco.Scheme(), ids)
		r.order = uint64(place)<<20 | uint64(min(i, 1<<20-1))
		ix.byKey[key] = append(ix.byKey[key], r)
		ix.ecosystems[af.Package.Ecosystem] = eco
		added = true
	}
	if added {
		ix.frozen = false
		ix.count++
		if a.Modified.After(ix.newest) {
			ix.newest = a.Modified
		}
	}
}

// indexed reports whether Add files an affected entry under its package,
// and the entry's ecosystem: one whose versions Handwash compares, with a
// package name.
func indexed(af *Affected) (Ecosystem, bool) {
	eco, err := ParseEcosystem(af.Package.Ecosystem)
	if err != nil || af.Package.Name == "" || eco.Scheme() == "" {
		return Ecosystem{}, false
	}
	return eco, true
}

// sortEvents puts a range's events in version order, "introduced: 0"
// first, as the OSV schema evaluates them.
func sortEvents(s Scheme, events []Event) {
	version := func(e Event) string {
		return e.Introduced + e.Fixed + e.LastAffected + e.Limit // exactly one is set
	}
	sort.SliceStable(events, func(i, j int) bool {
		a, b := events[i], events[j]
		if a.Introduced == "0" || b.Introduced == "0" {
			return a.Introduced == "0" && b.Introduced != "0"
		}
		return s.Compare(version(a), version(b)) < 0
	})
}

// LoadZip reads an OSV export (a zip of one JSON record per file, as OSV
// publishes each ecosystem's all.zip) into a new index. accept, when not
// nil, says which ecosystems the export may hold: a record of any other is
// an error, since it means the wrong file was given.
func LoadZip(r io.ReaderAt, size int64, accept func(Ecosystem) bool) (*Index, error) {
	zr, err := openZip(r, size)
	if err != nil {
		return nil, err
	}
	files := recordFiles(zr)
	return addAll(len(files), func(i int) (*Advisory, error) { return readRecord(files[i]) },
		func(i int) string { return files[i].Name }, accept)
}

func openZip(r io.ReaderAt, size int64) (*zip.Reader, error) {
	zr, err := zip.NewReader(r, size)
	if err != nil {
		return nil, handwash.Errorf(handwash.EINVALID, "OSV export: not a readable zip file (%v): download it again", err)
	}
	return zr, nil
}

// recordFiles are the records of an export, as LoadZip reads them: every
// *.json file, in the zip's order.
func recordFiles(zr *zip.Reader) []*zip.File {
	var files []*zip.File
	for _, f := range zr.File {
		if !f.FileInfo().IsDir() && strings.HasSuffix(f.Name, ".json") {
			files = append(files, f)
		}
	}
	return files
}

// decodeAll reads files on every CPU, giving each record to use with its
// place in files (from several goroutines at once), and returns each
// file's error.
func decodeAll(files []*zip.File, use func(i int, a *Advisory)) []error {
	errs := make([]error, len(files))
	forEach(len(files), func(i int) {
		var a *Advisory
		if a, errs[i] = readRecord(files[i]); errs[i] == nil {
			use(i, a)
		}
	})
	return errs
}

// forEach calls do for 0 to n-1 on every CPU.
func forEach(n int, do func(i int)) {
	var next atomic.Int64
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				do(i)
			}
		})
	}
	wg.Wait()
}

// addAll reads n records on every CPU and adds each to a new index as soon
// as it is read, so that only the index is kept, not every record until
// the last is read; the index is the same as adding them in order. It
// reports the first (in order) record that cannot be read, or is of an
// ecosystem accept refuses, once all have been read; where names a record
// in an error.
func addAll(n int, read func(i int) (*Advisory, error), where func(i int) string, accept func(Ecosystem) bool) (*Index, error) {
	ix := NewIndex()
	var mu sync.Mutex
	errs := make([]error, n)
	forEach(n, func(i int) {
		a, err := read(i)
		if err == nil {
			err = accepted(a, accept)
		}
		if err != nil {
			errs[i] = err
			return
		}
		mu.Lock()
		ix.add(a, i)
		mu.Unlock()
	})
	for i, err := range errs {
		if err != nil {
			return nil, handwash.Errorf(handwash.EINVALID, "OSV export, %s: %s", clip(where(i)), handwash.ErrorMessage(err))
		}
	}
	ix.Freeze()
	return ix, nil
}

// accepted reports an error when a names an ecosystem accept refuses.
func accepted(a *Advisory, accept func(Ecosystem) bool) error {
	if accept == nil {
		return nil
	}
	for _, af := range a.Affected {
		if eco, err := ParseEcosystem(af.Package.Ecosystem); err == nil && !accept(eco) {
			return fmt.Errorf("%s is for %s, which this export should not hold: check that the file is the right ecosystem's", a.ID, clip(af.Package.Ecosystem))
		}
	}
	return nil
}

func readRecord(f *zip.File) (*Advisory, error) {
	if f.UncompressedSize64 > MaxAdvisoryBytes {
		return nil, handwash.Errorf(handwash.EINVALID, "is %d bytes, over the limit of %d", f.UncompressedSize64, MaxAdvisoryBytes)
	}
	rc, err := f.Open()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	// The size the zip gives, and one byte more to see that it ends there.
	data := make([]byte, 0, f.UncompressedSize64+1)
	data, err = readAllInto(data, io.LimitReader(rc, MaxAdvisoryBytes+1))
	if err != nil {
		return nil, fmt.Errorf("cannot be read: %w", err)
	}
	return ParseOSV(data)
}

// readAllInto is io.ReadAll appending to b, which should have room for
// all of it.
func readAllInto(b []byte, r io.Reader) ([]byte, error) {
	for {
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)]
		}
		n, err := r.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if err == io.EOF {
			return b, nil
		}
		if err != nil {
			return b, err
		}
	}
}

// Match is an advisory that affects an installed package.
type Match struct {
	// Packages are the installed packages affected: the binary packages
	// built from Source.
	Packages []string
	// Source is the package the advisory names, and Version its installed
	// version.
	Source  string
	Version string
	// Ecosystem is the advisory's ecosystem, such as Debian:12.
	Ecosystem string
	Advisory  *Advisory
	// Fixed is the version that fixes it, or "" when there is no fix yet.
	Fixed string
	// CVEs are the CVE identifiers of the advisory and its aliases.
	CVEs []string
	// KnownExploited says whether one of CVEs is in CISA's catalogue of
	// known exploited vulnerabilities (see MarkKnownExploited).
	KnownExploited bool
}

// Covers reports whether advisories for ecosystem release r (as the index
// names it) apply to a device of release e: the same name and release, or
// for Ubuntu the release's LTS or Pro entries.
func (e Ecosystem) Covers(r Ecosystem) bool {
	if e.Name != r.Name {
		return false
	}
	if e.Release == "" || r.Release == e.Release {
		return true
	}
	return e.Name == "Ubuntu" && (r.Release == e.Release+":LTS" || r.Release == "Pro:"+e.Release+":LTS")
}

// Match reports every advisory in the index that affects one of pkgs on a
// device of ecosystem eco, ordered by source package and advisory ID. A
// source package with several binary packages installed is one match per
// advisory, listing them all. Matches share their Packages and CVEs slices
// with each other and the index: do not change them.
func (ix *Index) Match(eco Ecosystem, pkgs []Installed) []Match {
	var ecos []string
	for name, e := range ix.ecosystems {
		if eco.Covers(e) {
			ecos = append(ecos, name)
		}
	}
	slices.Sort(ecos)
	if len(ecos) == 0 {
		return nil
	}
	var out []Match
	seen := map[*Advisory]bool{}
	for _, g := range groupsOf(pkgs) {
		clear(seen)
		start := len(out)
		for _, ecoName := range ecos {
			refs := ix.byKey[ecoName+"\x00"+g.name]
			for i := range refs {
				r := &refs[i]
				if seen[r.adv] {
					continue
				}
				hit, fixed := r.affects(g.version)
				if !hit {
					continue
				}
				seen[r.adv] = true
				out = append(out, Match{Packages: g.binaries, Source: g.name, Version: g.version,
					Ecosystem: ecoName, Advisory: r.adv, Fixed: fixed, CVEs: r.cves})
			}
		}
		// A frozen index keeps each package's advisories in ID order;
		// otherwise, or across two ecosystems, put them in order here.
		if !ix.frozen || len(ecos) > 1 {
			slices.SortStableFunc(out[start:], func(a, b Match) int { return strings.Compare(a.Advisory.ID, b.Advisory.ID) })
		}
	}
	return out
}

// group is the installed binary packages of one source package and
// version, as advisories are matched.
type group struct {
	name, version string
	binaries      []string
}

// groupsOf groups binary packages by the source and version they are
// looked up by, in name order, each group's binaries sorted.
func groupsOf(pkgs []Installed) []*group {
	groups := map[[2]string]*group{}
	var order []*group
	for _, p := range pkgs {
		name, version := p.lookup()
		k := [2]string{name, version}
		g, ok := groups[k]
		if !ok {
			g = &group{name: name, version: version}
			groups[k] = g
			order = append(order, g)
		}
		g.binaries = append(g.binaries, p.Name)
	}
	slices.SortFunc(order, func(a, b *group) int { return strings.Compare(a.name, b.name) })
	for _, g := range order {
		slices.Sort(g.binaries)
	}
	return order
}

// affects evaluates the ref for version v as the OSV schema says: v is
// affected when listed in versions, or when within a range of the
// ecosystem's own order. fixed is the lowest fixing version above v, or ""
// when none is known.
func (r *ref) affects(v string) (hit bool, fixed string) {
	hit = slices.Contains(r.versions, v)
	in, next := false, ""
	for _, b := range r.bounds {
		switch b.kind {
		case boundIntroduced:
			if b.version == "0" || r.scheme.Compare(v, b.version) >= 0 {
				in = true
			}
		case boundFixed:
			if r.scheme.Compare(v, b.version) >= 0 {
				in = false
			} else if in && next == "" {
				next = b.version
			}
		case boundLastAffected:
			if r.scheme.Compare(v, b.version) > 0 {
				in = false
			}
		case boundEnd:
			if in {
				hit = true
				if next != "" && (fixed == "" || r.scheme.Compare(next, fixed) < 0) {
					fixed = next
				}
			}
			in, next = false, ""
		}
	}
	return hit, fixed
}

// cves lists the CVE identifiers an advisory is known by.
func cves(a *Advisory) []string {
	var out []string
	for _, id := range append(append([]string{a.ID}, a.Aliases...), a.Upstream...) {
		if strings.HasPrefix(id, "CVE-") && !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	return out
}

// MarkKnownExploited sets KnownExploited on each match with a CVE that
// known reports (KEV's Lookup), and moves those matches first.
func MarkKnownExploited(ms []Match, known func(cve string) bool) {
	for i := range ms {
		for _, c := range ms[i].CVEs {
			if known(c) {
				ms[i].KnownExploited = true
				break
			}
		}
	}
	sort.SliceStable(ms, func(i, j int) bool { return ms[i].KnownExploited && !ms[j].KnownExploited })
}
