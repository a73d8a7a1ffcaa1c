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
// ecosystem and advisory (an advisory once per package, its first entry
// that affects it), then by advisory ID.
func (m *matcher) matches() []Match {
	slices.SortFunc(m.hits, func(a, b hit) int {
		return cmp.Or(cmp.Compare(a.group, b.group), strings.Compare(a.eco, b.eco),
			strings.Compare(a.adv.ID, b.adv.ID), cmp.Compare(a.order, b.order))
	})
	if len(m.hits) == 0 {
		return nil
	}
	out := make([]Match, 0, len(m.hits))
	seen := map[*Advisory]bool{}
	for i := 0; i < len(m.hits); {
		g := m.groups[m.hits[i].group]
		clear(seen)
		start := len(out)
		for ; i < len(m.hits) && m.groups[m.hits[i].group] == g; i++ {
			h := &m.hits[i]
			if seen[h.adv] {
				continue
			}
			seen[h.adv] = true
			out = append(out, Match{Packages: g.binaries, Source: g.name, Version: g.version,
				Ecosystem: h.eco, Advisory: h.adv, Fixed: h.fixed, CVEs: h.cves})
		}
		slices.SortStableFunc(out[start:], func(a, b Match) int { return strings.Compare(a.Advisory.ID, b.Advisory.ID) })
	}
	return out
}
