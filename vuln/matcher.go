package vuln

import (
	"cmp"
	"slices"
	"strings"
)

// matcher matches advisories against one device's packages as they are
// read (PackageIndex.Match), keeping only the hits: Index.Match's result
// without an index of every advisory read, which for handwash check on a
// Debian machine is tens of thousands.
type matcher struct {
	eco    Ecosystem
	groups []*group
	byName map[string][]int // indexes into groups
	hits   []hit
}

// hit is one affected entry of one advisory that affects one group, with
// what ordering and reporting it needs (not the entry's versions, which
// would keep the record's text alive).
type hit struct {
	group int
	eco   string // the entry's ecosystem, as the advisory gives it
	adv   *Advisory
	cves  []string
	order uint64
	fixed string
}

func newMatcher(eco Ecosystem, pkgs []Installed) *matcher {
	m := &matcher{eco: eco, groups: groupsOf(pkgs), byName: map[string][]int{}}
	for i, g := range m.groups {
		m.byName[g.name] = append(m.byName[g.name], i)
	}
	return m
}

// matches are the hits as Index.Match reports them: by package, then
// advisory ID. Each hit is another advisory or package (PackageIndex.each
// gives an advisory once for each group).
func (m *matcher) matches() []Match {
	if len(m.hits) == 0 {
		return nil
	}
	slices.SortFunc(m.hits, compareMatched)
	out := make([]Match, len(m.hits))
	for i, h := range m.hits {
		out[i] = m.match(h)
	}
	return out
}

// compareMatched orders hits as Index.Match orders matches: by package,
// advisory ID, ecosystem and place in the export (two records can have
// one ID).
func compareMatched(a, b hit) int {
	return cmp.Or(cmp.Compare(a.group, b.group), strings.Compare(a.adv.ID, b.adv.ID),
		strings.Compare(a.eco, b.eco), cmp.Compare(a.order, b.order))
}

// match is the match a hit reports.
func (m *matcher) match(h hit) Match {
	g := m.groups[h.group]
	return Match{Packages: g.binaries, Source: g.name, Version: g.version,
		Ecosystem: h.eco, Advisory: h.adv, Fixed: h.fixed, CVEs: h.cves}
}
