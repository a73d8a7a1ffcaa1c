package svgchart

import "time"

// tick is one labelled mark on a time axis.
type tick struct {
	at    time.Time
	label string
}

// timeTicks chooses marks for a time axis from s to e (both in the axis's
// time zone): the finest of days, every other day, Mondays, every other
// Monday, months, quarters, half-years and years that gives at most max
// ticks. Days and weeks read "3 Nov"; months read "Nov", with the year on
// January and on the first tick; years read "2027".
func timeTicks(s, e time.Time, max int) []tick {
	if max < 2 {
		max = 2
	}
	day := startOfDay(s)
	if day.Before(s) {
		day = day.AddDate(0, 0, 1)
	}
	for _, n := range []int{1, 2} {
		if ts, ok := every(day, e, max, func(t time.Time) time.Time { return t.AddDate(0, 0, n) }); ok {
			return labelled(ts, func(t time.Time, _ int) string { return t.Format("2 Jan") })
		}
	}
	monday := day
	for i := 0; i < 7 && monday.Weekday() != time.Monday; i++ {
		monday = monday.AddDate(0, 0, 1)
	}
	for _, n := range []int{7, 14} {
		if ts, ok := every(monday, e, max, func(t time.Time) time.Time { return t.AddDate(0, 0, n) }); ok {
			return labelled(ts, func(t time.Time, _ int) string { return t.Format("2 Jan") })
		}
	}
	for _, n := range []int{1, 2, 3, 6, 12, 24, 60, 120, 240, 600, 1200} {
		first := firstMonth(s, n)
		if ts, ok := every(first, e, max, func(t time.Time) time.Time { return t.AddDate(0, n, 0) }); ok {
			if n >= 12 {
				return labelled(ts, func(t time.Time, _ int) string { return t.Format("2006") })
			}
			return labelled(ts, func(t time.Time, i int) string {
				if i == 0 || t.Month() == time.January {
					return t.Format("Jan 2006")
				}
				return t.Format("Jan")
			})
		}
	}
	// Spans of thousands of years: mark the ends.
	return []tick{{s, s.Format("2 Jan 2006")}, {e, e.Format("2 Jan 2006")}}
}

// every lists first, next(first), … up to e, and reports false if there
// would be more than max. It also stops, reporting false, if next fails to
// move forward, as it can at the far ends of time.Time's range.
func every(first, e time.Time, max int, next func(time.Time) time.Time) ([]time.Time, bool) {
	var out []time.Time
	for t := first; !t.After(e); t = next(t) {
		if len(out) == max || len(out) > 0 && !t.After(out[len(out)-1]) {
			return nil, false
		}
		out = append(out, t)
	}
	return out, true
}

// firstMonth returns the first of a month at or after s whose month number,
// counted from January of year 0, is a multiple of n: so quarters start in
// January, April, July and October, and 5-year ticks on round years.
func firstMonth(s time.Time, n int) time.Time {
	m := s.Year()*12 + int(s.Month()) - 1
	if !time.Date(s.Year(), s.Month(), 1, 0, 0, 0, 0, s.Location()).Equal(s) {
		m++
	}
	if r := mod(m, n); r != 0 {
		m += n - r
	}
	return time.Date(floorDiv(m, 12), time.Month(mod(m, 12)+1), 1, 0, 0, 0, 0, s.Location())
}

func mod(a, n int) int {
	r := a % n
	if r < 0 {
		r += n
	}
	return r
}

func floorDiv(a, n int) int { return (a - mod(a, n)) / n }

func labelled(ts []time.Time, label func(time.Time, int) string) []tick {
	out := make([]tick, len(ts))
	for i, t := range ts {
		out[i] = tick{t, label(t, i)}
	}
	return out
}
