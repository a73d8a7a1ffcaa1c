package vuln

import (
	"cmp"
	"slices"
	"strings"
)

// matcher matches advisories against one device's packages as they are
// read, keeping only the hits: Index.Match's result without an index of
// every advisory read, which for handwash check on a Debian machine is
// tens of thousands.
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

// add matches a, the place'th record of its export, as Index.add files it.
func (m *matcher) add(a *Advisory, place int) {
	if a.Withdrawn != nil {
		return
	}
	var kept *Advisory
	var ids []string
	for i := range a.Affected {
		af := &a.Affected[i]
		gs := m.byName[af.Package.Name]
		if len(gs) == 0 {
			continue
		}
		eco, ok := indexed(af)
		if !ok || !m.eco.Covers(eco) {
			continue
		}
		if kept == nil {
			kept, ids = &Advisory{ID: a.ID, Modified: a.Modified}, cves(a)
		}
		r := newRef(kept, af, eco.Scheme(), ids)
		r.order = uint64(place)<<20 | uint64(min(i, 1<<20-1))
		for _, g := range gs {
			if ok, fixed := r.affects(m.groups[g].version); ok {
				m.hits = append(m.hits, hit{group: g, eco: af.Package.Ecosystem, adv: kept, cves: ids, order: r.order, fixed: fixed})
			}
		}
	}
}

// matches are the hits as Index.Match reports them: by package, then
// ecosystem and advisory (an advisory once per package, its first entry
// that affects it), then by advisory ID.
func (m *matcher) matches() []Match {
	slices.SortFunc(m.hits, func(a, b hit) int {
		return cmp.Or(cmp.Compare(a.group, b.group), strings.Compare(a.eco, b.eco),
			strings.Compare(a.adv.ID, b.adv.ID), cmp.Compare(a.order, b.order))
	})
	var out []Match
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
