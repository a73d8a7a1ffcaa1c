package svgchart

import (
	"html/template"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Point is one value at one time.
type Point struct {
	// Time is when the value was measured.
	Time time.Time
	// Value is the value at Time; NaN marks a time known to have no value,
	// and the line breaks there.
	Value float64
}

// Series is one named line.
type Series struct {
	// Name labels the line in the legend, description and table.
	Name string
	// Points need not be sorted; several may share a time.
	Points []Point
}

// LineChart draws values over time, one line a series, on a y axis from
// zero to Max with gridlines and a time axis whose ticks are days, weeks,
// months or years depending on the span. Lines differ in colour, dash
// pattern and marker shape, and a legend names them.
type LineChart struct {
	// ID prefixes the ids of the chart's title and description; it must be
	// unique on the page. Characters other than ASCII letters, digits, '-'
	// and '_' become '-'.
	ID string
	// Title names the chart for screen readers and captions its table;
	// empty means "Line chart".
	Title string
	// Series are drawn in order, each in its own style.
	Series []Series
	// Max is the top of the y axis; zero means 100. Values outside 0 to
	// Max are drawn at the nearest edge, and the description says so.
	Max float64
	// Start and End fix the time axis; a zero one is taken from the
	// points. Points outside Start to End are left out.
	Start, End time.Time
	// Gap breaks a line where two points are further apart than Gap, so
	// that days with no data show as gaps; zero joins all points.
	Gap time.Duration
	// Location is the time zone of the ticks, dates and table; nil means
	// UTC.
	Location *time.Location
}

// Line chart layout, in viewBox units.
const (
	lineW       = 640
	lineLeft    = 44
	lineRight   = 32
	lineTop     = 16
	linePlotH   = 220
	legendCols  = 3
	legendRowH  = 22
	legendChars = 21 // characters of a series name shown in the legend; the full name is in the description and table
	denseAfter  = 31 // above this many points a line gets markers only at its end and at lone points
)

// palette, dashes and markers give each series a style. Any two of the
// first 25 series differ in dash pattern or marker as well as in colour, so
// a chart reads in greyscale and for people who do not see colour; every
// colour contrasts at least 4.5:1 with white.
var (
	palette = []string{"#1d70b8", "#b25e09", "#912b88", "#00703c", "#0b0c0c", "#d4351c"}
	dashes  = []string{"", "8 4", "2 3", "12 4 2 4", "4 4"}
	markers = []string{"circle", "square", "triangle", "diamond", "cross"}
)

type seriesStyle struct{ colour, dash, marker string }

func styleOf(i int) seriesStyle {
	// The marker moves on by one each time the dashes come round again, so
	// dash and marker never repeat together before len(dashes)² series.
	return seriesStyle{palette[i%len(palette)], dashes[i%len(dashes)], markers[(i+i/len(dashes))%len(markers)]}
}

func (c LineChart) max() float64 {
	if c.Max > 0 && !math.IsInf(c.Max, 0) {
		return c.Max
	}
	return 100
}

func (c LineChart) loc() *time.Location {
	if c.Location != nil {
		return c.Location
	}
	return time.UTC
}

// line is a series ready to draw: its points sorted and in range, and its
// facts for the description.
type line struct {
	name    string
	pts     []Point // sorted by time; NaN values kept, as they break the line
	valid   int     // points with a value
	first   Point   // first and last points with a value
	last    Point
	min     float64
	max     float64
	clamped int // values outside 0 to Max
}

// prepare sorts the points, leaves out those outside [start, end] when those
// are set, and gathers what the description needs.
func prepare(name string, pts []Point, start, end time.Time, max float64) line {
	l := line{name: name, pts: make([]Point, 0, len(pts)), min: math.Inf(1), max: math.Inf(-1)}
	for _, p := range pts {
		if !start.IsZero() && p.Time.Before(start) || !end.IsZero() && p.Time.After(end) {
			continue
		}
		l.pts = append(l.pts, p)
	}
	sort.SliceStable(l.pts, func(i, j int) bool { return l.pts[i].Time.Before(l.pts[j].Time) })
	for _, p := range l.pts {
		if math.IsNaN(p.Value) {
			continue
		}
		if l.valid == 0 {
			l.first = p
		}
		l.last = p
		l.valid++
		l.min = math.Min(l.min, p.Value)
		l.max = math.Max(l.max, p.Value)
		if p.Value < 0 || p.Value > max {
			l.clamped++
		}
	}
	return l
}

// runs splits a line's points into stretches to join: a NaN value, or two
// points further apart than gap (when gap is above zero), ends a stretch.
func runs(pts []Point, gap time.Duration) [][]Point {
	var out [][]Point
	start := -1
	for i, p := range pts {
		if math.IsNaN(p.Value) {
			if start >= 0 {
				out = append(out, pts[start:i])
			}
			start = -1
			continue
		}
		if start >= 0 && gap > 0 && p.Time.Sub(pts[i-1].Time) > gap {
			out = append(out, pts[start:i])
			start = -1
		}
		if start < 0 {
			start = i
		}
	}
	if start >= 0 {
		out = append(out, pts[start:])
	}
	return out
}

// span returns the time axis: start and end if set, else the earliest and
// latest points. An axis shorter than a day is widened by a whole day on
// each side, so that one point, or points all at the same time, sit near
// the middle of an axis with a tick on their day.
func span(lines []line, start, end time.Time, loc *time.Location) (time.Time, time.Time) {
	s, e := start, end
	for _, l := range lines {
		if len(l.pts) == 0 {
			continue
		}
		if start.IsZero() && (s.IsZero() || l.pts[0].Time.Before(s)) {
			s = l.pts[0].Time
		}
		if end.IsZero() && (e.IsZero() || l.pts[len(l.pts)-1].Time.After(e)) {
			e = l.pts[len(l.pts)-1].Time
		}
	}
	if s.IsZero() && e.IsZero() {
		return s, e
	}
	if s.IsZero() {
		s = e
	}
	if e.IsZero() {
		e = s
	}
	s, e = s.In(loc), e.In(loc)
	if e.Before(s) {
		s, e = e, s
	}
	if e.Sub(s) < 24*time.Hour {
		d := startOfDay(e)
		if d.Equal(e) {
			e = d.AddDate(0, 0, 1)
		} else {
			e = d.AddDate(0, 0, 2)
		}
		s = startOfDay(s).AddDate(0, 0, -1)
	}
	return s, e
}

func startOfDay(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, t.Location())
}

// seconds is t as a float, so that spans of any length scale without the
// overflow of time.Duration (about 292 years).
func seconds(t time.Time) float64 { return float64(t.Unix()) + float64(t.Nanosecond())/1e9 }

// scale maps times and values to viewBox coordinates.
type scale struct {
	s0, s1     float64 // seconds at the left and right of the plot
	x0, w      float64
	y0, h, max float64
}

func newScale(s, e time.Time, x0, w, y0, h, max float64) scale {
	s0, s1 := seconds(s), seconds(e)
	if !(s1 > s0) {
		s1 = s0 + 86400
	}
	return scale{s0: s0, s1: s1, x0: x0, w: w, y0: y0, h: h, max: max}
}

func (sc scale) x(t time.Time) float64 {
	f := (seconds(t) - sc.s0) / (sc.s1 - sc.s0)
	return sc.x0 + math.Min(math.Max(f, 0), 1)*sc.w
}

func (sc scale) y(v float64) float64 {
	return sc.y0 + sc.h - math.Min(math.Max(v, 0), sc.max)/sc.max*sc.h
}

// path writes the d attribute of the lines through the runs.
func (w *writer) path(rs [][]Point, sc scale) {
	for _, r := range rs {
		if len(r) < 2 {
			continue // a lone point is shown by its marker
		}
		for i, p := range r {
			if i == 0 {
				w.s("M")
			} else {
				w.s(" L")
			}
			w.num(sc.x(p.Time))
			w.s(" ")
			w.num(sc.y(p.Value))
		}
		w.s(" ")
	}
}

// marker writes the outline of one marker centred on (x, y) as path data,
// so that all of a series' markers are one element.
func (w *writer) marker(shape string, x, y float64) {
	pt := func(cmd string, dx, dy float64) {
		w.s(cmd)
		w.num(x + dx)
		w.s(" ")
		w.num(y + dy)
	}
	switch shape {
	case "square":
		pt("M", -3.5, -3.5)
		pt("L", 3.5, -3.5)
		pt("L", 3.5, 3.5)
		pt("L", -3.5, 3.5)
	case "triangle":
		pt("M", 0, -5)
		pt("L", 4.5, 3.5)
		pt("L", -4.5, 3.5)
	case "diamond":
		pt("M", 0, -5)
		pt("L", 5, 0)
		pt("L", 0, 5)
		pt("L", -5, 0)
	case "cross":
		for _, d := range [][2]float64{{-1.5, -5}, {1.5, -5}, {1.5, -1.5}, {5, -1.5}, {5, 1.5}, {1.5, 1.5}, {1.5, 5}, {-1.5, 5}, {-1.5, 1.5}, {-5, 1.5}, {-5, -1.5}, {-1.5, -1.5}} {
			cmd := "L"
			if d == [2]float64{-1.5, -5} {
				cmd = "M"
			}
			pt(cmd, d[0], d[1])
		}
	default: // circle, as two arcs
		pt("M", -4, 0)
		w.s("A4 4 0 1 0 ")
		w.num(x + 4)
		w.s(" ")
		w.num(y)
		w.s("A4 4 0 1 0 ")
		w.num(x - 4)
		w.s(" ")
		w.num(y)
	}
	w.s("Z")
}

// markerPoints picks the points that get a marker: all of them on a short
// line; on a long one only lone points and the last, which keeps the chart
// readable while the legend's marker still finds its line.
func markerPoints(l line, rs [][]Point) []Point {
	var out []Point
	dense := l.valid > denseAfter
	for _, r := range rs {
		if !dense || len(r) == 1 {
			out = append(out, r...)
		}
	}
	if dense && l.valid > 0 {
		if len(out) == 0 || !out[len(out)-1].Time.Equal(l.last.Time) {
			out = append(out, l.last)
		}
	}
	return out
}

// describe writes the description of a line chart or sparkline: the
// period, then one sentence a series. The period is start to end when they
// are set, else that of the values, not of the axis, which span widens.
func describe(b *strings.Builder, lines []line, start, end time.Time, max float64, gaps bool, loc *time.Location) {
	total, clamped := 0, 0
	s, e := start, end
	for _, l := range lines {
		total += l.valid
		clamped += l.clamped
		if l.valid == 0 {
			continue
		}
		if start.IsZero() && (s.IsZero() || l.first.Time.Before(s)) {
			s = l.first.Time
		}
		if end.IsZero() && (e.IsZero() || l.last.Time.After(e)) {
			e = l.last.Time
		}
	}
	if total == 0 {
		b.WriteString("No data yet.")
		return
	}
	if from, to := s.In(loc).Format(longDate), e.In(loc).Format(longDate); from == to {
		b.WriteString("On " + from + ".")
	} else {
		b.WriteString("From " + from + " to " + to + ".")
	}
	for _, l := range lines {
		b.WriteString(" ")
		if l.name != "" {
			b.WriteString(clean(l.name, MaxText) + ": ")
		}
		switch l.valid {
		case 0:
			b.WriteString("no data yet.")
		case 1:
			b.WriteString("one value, " + formatValue(l.last.Value) + " on " + l.last.Time.In(loc).Format(longDate) + ".")
		default:
			b.WriteString(strconv.Itoa(l.valid) + " values from " + l.first.Time.In(loc).Format(longDate) +
				" to " + l.last.Time.In(loc).Format(longDate) + "; first " + formatValue(l.first.Value) +
				", latest " + formatValue(l.last.Value) + ", lowest " + formatValue(l.min) +
				", highest " + formatValue(l.max) + ".")
		}
	}
	if gaps {
		b.WriteString(" Lines break where there is no data.")
	}
	if clamped == 1 {
		b.WriteString(" One value is outside 0 to " + formatValue(max) + " and is drawn at the nearest edge.")
	} else if clamped > 1 {
		b.WriteString(" " + strconv.Itoa(clamped) + " values are outside 0 to " + formatValue(max) + " and are drawn at the nearest edge.")
	}
}

func (c LineChart) lines() []line {
	out := make([]line, len(c.Series))
	for i, s := range c.Series {
		out[i] = prepare(s.Name, s.Points, c.Start, c.End, c.max())
	}
	return out
}

// SVG draws the chart. With no values at all it draws the empty axes and
// says "No data yet".
func (c LineChart) SVG() template.HTML {
	id := ident(c.ID, "chart")
	max, loc := c.max(), c.loc()
	lines := c.lines()
	s, e := span(lines, c.Start, c.End, loc)
	allRuns := make([][][]Point, len(lines))
	total, gaps := 0, false
	for i, l := range lines {
		allRuns[i] = runs(l.pts, c.Gap)
		total += l.valid
		gaps = gaps || len(allRuns[i]) > 1
	}
	legendRows := 0
	if total > 0 {
		legendRows = (len(lines) + legendCols - 1) / legendCols
	}
	plotW := float64(lineW - lineLeft - lineRight)
	axisY := float64(lineTop + linePlotH)
	height := axisY + 36 + float64(legendRows*legendRowH)
	if legendRows > 0 {
		height += 4
	}
	sc := newScale(s, e, lineLeft, plotW, lineTop, linePlotH, max)

	var desc strings.Builder
	describe(&desc, lines, c.Start, c.End, max, gaps, loc)
	var w writer
	openSVG(&w, id, "chart chart-line", lineW, height, `width="100%"`, titleOr(c.Title, "Line chart"), desc.String())

	// Y gridlines and labels.
	step := niceStep(max / 5)
	for v := 0.0; v <= max*(1+1e-9); v += step {
		y := sc.y(v)
		w.s(`<line x1="`)
		w.num(lineLeft)
		w.s(`" y1="`)
		w.num(y)
		w.s(`" x2="`)
		w.num(lineLeft + plotW)
		w.s(`" y2="`)
		w.num(y)
		w.s(`" class="grid" stroke="` + gridColour + `" stroke-width="1"/><text x="`)
		w.num(lineLeft - 6)
		w.s(`" y="`)
		w.num(y + 4)
		w.s(`" class="axis" text-anchor="end" font-size="12" fill="` + muted + `">`)
		w.s(formatValue(v))
		w.s(`</text>`)
	}
	// Axis lines.
	w.s(`<path d="M`)
	w.num(lineLeft)
	w.s(" ")
	w.num(lineTop)
	w.s(" V")
	w.num(axisY)
	w.s(" H")
	w.num(lineLeft + plotW)
	w.s(`" class="axis-line" fill="none" stroke="` + ink + `" stroke-width="1"/>`)

	if total == 0 {
		w.s(`<text x="`)
		w.num(lineLeft + plotW/2)
		w.s(`" y="`)
		w.num(lineTop + linePlotH/2)
		w.s(`" class="na" text-anchor="middle" font-size="16" font-style="italic" fill="` + muted + `">No data yet</text></svg>`)
		return template.HTML(w.b)
	}

	// Time ticks.
	for _, t := range timeTicks(s, e, int(plotW/70)) {
		x := sc.x(t.at)
		w.s(`<line x1="`)
		w.num(x)
		w.s(`" y1="`)
		w.num(axisY)
		w.s(`" x2="`)
		w.num(x)
		w.s(`" y2="`)
		w.num(axisY + 5)
		w.s(`" stroke="` + ink + `" stroke-width="1"/><text x="`)
		w.num(x)
		w.s(`" y="`)
		w.num(axisY + 18)
		w.s(`" class="axis" text-anchor="middle" font-size="12" fill="` + muted + `">`)
		w.s(t.label)
		w.s(`</text>`)
	}

	// Lines and markers.
	for i, l := range lines {
		st := styleOf(i)
		w.s(`<g class="series series-`)
		w.int(i + 1)
		w.s(`">`)
		if hasSegment(allRuns[i]) {
			w.s(`<path d="`)
			w.path(allRuns[i], sc)
			w.b = w.b[:len(w.b)-1] // the trailing space
			w.s(`" fill="none" stroke="` + st.colour + `" stroke-width="2" stroke-linejoin="round"`)
			if st.dash != "" {
				w.s(` stroke-dasharray="` + st.dash + `"`)
			}
			w.s(`/>`)
		}
		if mp := markerPoints(l, allRuns[i]); len(mp) > 0 {
			w.s(`<path d="`)
			for _, p := range mp {
				w.marker(st.marker, sc.x(p.Time), sc.y(p.Value))
			}
			w.s(`" fill="` + st.colour + `" stroke="` + background + `" stroke-width="1"/>`)
		}
		w.s(`</g>`)
	}

	// Legend: a sample of each line's stroke and marker, and its name.
	colW := plotW / legendCols
	for i, l := range lines {
		st := styleOf(i)
		x := lineLeft + float64(i%legendCols)*colW
		y := axisY + 36 + float64(i/legendCols)*legendRowH
		w.s(`<g class="legend-item"><line x1="`)
		w.num(x)
		w.s(`" y1="`)
		w.num(y)
		w.s(`" x2="`)
		w.num(x + 30)
		w.s(`" y2="`)
		w.num(y)
		w.s(`" stroke="` + st.colour + `" stroke-width="2"`)
		if st.dash != "" {
			w.s(` stroke-dasharray="` + st.dash + `"`)
		}
		w.s(`/><path d="`)
		w.marker(st.marker, x+15, y)
		w.s(`" fill="` + st.colour + `" stroke="` + background + `" stroke-width="1"/><text x="`)
		w.num(x + 36)
		w.s(`" y="`)
		w.num(y + 4.5)
		w.s(`" class="label" font-size="13" fill="` + ink + `">`)
		name := l.name
		if name == "" {
			name = "Series " + strconv.Itoa(i+1)
		}
		w.text(truncate(name, legendChars))
		w.s(`</text></g>`)
	}
	w.s(`</svg>`)
	return template.HTML(w.b)
}

func hasSegment(rs [][]Point) bool {
	for _, r := range rs {
		if len(r) > 1 {
			return true
		}
	}
	return false
}

// niceStep rounds a raw gridline step up to 1, 2, 2.5 or 5 times a power of
// ten, so gridlines fall on round numbers.
func niceStep(raw float64) float64 {
	if !(raw > 0) || math.IsInf(raw, 0) {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(raw)))
	for _, m := range []float64{1, 2, 2.5, 5, 10} {
		if raw <= m*p*(1+1e-9) {
			return m * p
		}
	}
	return 10 * p
}

// Table gives the chart's numbers: a row for each time any series has a
// point, a column for each series.
func (c LineChart) Table() Table {
	names := make([]string, len(c.Series))
	for i, s := range c.Series {
		names[i] = s.Name
		if names[i] == "" {
			names[i] = "Series " + strconv.Itoa(i+1)
		}
	}
	return timeTable(titleOr(c.Title, "Line chart"), names, c.lines(), c.loc())
}

// timeTable lays out lines as rows of times; points of one series at the
// same time share a cell.
func timeTable(caption string, names []string, lines []line, loc *time.Location) Table {
	t := Table{Caption: caption, Header: append([]string{"Date"}, names...)}
	type key struct {
		sec  int64
		nsec int
	}
	rowOf := map[key]int{}
	var times []time.Time
	withTime := false
	for _, l := range lines {
		for _, p := range l.pts {
			k := key{p.Time.Unix(), p.Time.Nanosecond()}
			if _, ok := rowOf[k]; !ok {
				rowOf[k] = -1
				times = append(times, p.Time)
				lt := p.Time.In(loc)
				withTime = withTime || !lt.Equal(startOfDay(lt))
			}
		}
	}
	sort.SliceStable(times, func(i, j int) bool { return times[i].Before(times[j]) })
	cells := make([][]string, len(times))
	for i, tm := range times {
		rowOf[key{tm.Unix(), tm.Nanosecond()}] = i
		cells[i] = make([]string, 1+len(lines))
		cells[i][0] = dateText(tm.In(loc), withTime)
	}
	for j, l := range lines {
		for _, p := range l.pts {
			i := rowOf[key{p.Time.Unix(), p.Time.Nanosecond()}]
			v := formatValue(p.Value)
			if math.IsNaN(p.Value) {
				v = "no data"
			}
			if cells[i][j+1] != "" {
				v = cells[i][j+1] + ", " + v
			}
			cells[i][j+1] = v
		}
	}
	for _, row := range cells {
		for j := range row {
			if row[j] == "" {
				row[j] = "no data"
			}
		}
	}
	t.Rows = cells
	return t
}
