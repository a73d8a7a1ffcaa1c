package vuln

import "slices"

// Tally is what a device's matches come to: how many there are of each
// kind, and the first to act on.
type Tally struct {
	// Fixable counts matches fixed by a newer version of the package,
	// Unfixed those without a fix yet, and KnownExploited those, fixed or
	// not, for a flaw known to be exploited.
	Fixable, Unfixed, KnownExploited int
	// Items are the first matches to act on: the known exploited, then
	// those with a fix, each in Match's order, at most the number asked
	// for.
	Items []Match
}

// TallyOf tallies ms, marked by MarkKnownExploited (or not), keeping at
// most max items.
func TallyOf(ms []Match, max int) Tally {
	var t Tally
	for _, m := range ms {
		t.count(m.Fixed, m.KnownExploited)
	}
	for _, exploited := range []bool{true, false} {
		for _, m := range ms {
			if len(t.Items) == max {
				return t
			}
			if m.KnownExploited == exploited && (exploited || m.Fixed != "") {
				t.Items = append(t.Items, m)
			}
		}
	}
	return t
}

func (t *Tally) count(fixed string, exploited bool) {
	if fixed == "" {
		t.Unfixed++
	} else {
		t.Fixable++
	}
	if exploited {
		t.KnownExploited++
	}
}

// tallier tallies hits as they come, keeping only the first max of the
// known exploited and of the others with a fix, in Match's order.
type tallier struct {
	m                  *matcher
	known              func(string) bool
	max                int
	t                  Tally
	exploited, fixable []hit
}

func newTallier(m *matcher, known func(string) bool, max int) *tallier {
	return &tallier{m: m, known: known, max: max}
}

// add tallies one hit: an advisory for one group, which PackageIndex.each
// gives once.
func (tl *tallier) add(h hit) {
	exploited := slices.ContainsFunc(h.cves, tl.known)
	tl.t.count(h.fixed, exploited)
	switch {
	case exploited:
		tl.exploited = tl.keep(append(tl.exploited, h), false)
	case h.fixed != "":
		tl.fixable = tl.keep(append(tl.fixable, h), false)
	}
}

// keep puts hs in Match's order and drops all but the first max, when
// there are several times as many or final says so.
func (tl *tallier) keep(hs []hit, final bool) []hit {
	if !final && len(hs) < 4*tl.max+16 {
		return hs
	}
	slices.SortFunc(hs, compareMatched)
	return hs[:min(len(hs), tl.max)]
}

// tally is the tally of every hit added.
func (tl *tallier) tally() Tally {
	t := tl.t
	for _, c := range []struct {
		hits      []hit
		exploited bool
	}{{tl.keep(tl.exploited, true), true}, {tl.keep(tl.fixable, true), false}} {
		for _, h := range c.hits {
			if len(t.Items) == tl.max {
				return t
			}
			m := tl.m.match(h)
			m.KnownExploited = c.exploited
			t.Items = append(t.Items, m)
		}
	}
	return t
}
