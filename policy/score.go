package policy

import (
	"math"
	"sort"

	"github.com/handwash/handwash"
)

// Score fills in an assessment's area scores, overall score and fix-first
// list from its findings.
//
// Each judged control is worth its severity's weight (critical 10, high 6,
// medium 3, low 1). A pass or an accepted exception earns it; a failure or
// an unknown earns nothing, so a score says what could be shown to be right;
// controls that do not apply are left out. The people area has no device
// controls: it is "not assessed", never counted as passed.
func Score(a *handwash.Assessment) {
	byArea := map[handwash.Area]*handwash.Score{}
	for _, area := range handwash.Areas {
		byArea[area] = &handwash.Score{}
	}
	overall := handwash.Score{}
	for _, f := range a.Findings {
		s := byArea[f.Area]
		if s == nil {
			continue
		}
		add(s, f)
		add(&overall, f)
	}
	a.Areas = a.Areas[:0]
	for _, area := range handwash.Areas {
		s := byArea[area]
		finish(s)
		a.Areas = append(a.Areas, handwash.AreaScore{Area: area, Title: area.Title(), Score: *s})
	}
	finish(&overall)
	a.Overall = overall
	a.FixFirst = FixFirst(a.Findings)
}

func add(s *handwash.Score, f handwash.Finding) {
	w := f.Severity.Weight()
	switch f.Status {
	case handwash.StatusPass:
		s.Pass++
		s.Earned += w
		s.Max += w
	case handwash.StatusExcepted:
		s.Excepted++
		s.Earned += w
		s.Max += w
	case handwash.StatusFail:
		s.Fail++
		s.Max += w
	case handwash.StatusUnknown:
		s.Unknown++
		s.Max += w
	case handwash.StatusNotApplicable:
		s.NotApplicable++
	}
}

func finish(s *handwash.Score) {
	s.Assessed = s.Max > 0
	if !s.Assessed {
		s.Value = -1
		return
	}
	s.Value = int(math.Round(100 * float64(s.Earned) / float64(s.Max)))
}

// FixFirst orders the failed findings' control IDs: most severe first, then
// in area order, then by ID, so the list is stable.
func FixFirst(fs []handwash.Finding) []string {
	var failed []handwash.Finding
	for _, f := range fs {
		if f.Status == handwash.StatusFail {
			failed = append(failed, f)
		}
	}
	areaRank := map[handwash.Area]int{}
	for i, a := range handwash.Areas {
		areaRank[a] = i
	}
	sort.SliceStable(failed, func(i, j int) bool {
		a, b := failed[i], failed[j]
		if a.Severity.Rank() != b.Severity.Rank() {
			return a.Severity.Rank() > b.Severity.Rank()
		}
		if areaRank[a.Area] != areaRank[b.Area] {
			return areaRank[a.Area] < areaRank[b.Area]
		}
		return a.ControlID < b.ControlID
	})
	ids := make([]string, len(failed))
	for i, f := range failed {
		ids[i] = f.ControlID
	}
	return ids
}
