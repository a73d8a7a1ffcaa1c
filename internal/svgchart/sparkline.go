package svgchart

import (
	"html/template"
	"math"
	"strings"
	"time"
)

// Sparkline is a small line with no axes for a table cell, such as an
// organisation's score over the last weeks. Its y axis always runs from
// zero to Max, so the sparklines in one column compare with each other.
type Sparkline struct {
	// ID prefixes the ids of the sparkline's title and description; it
	// must be unique on the page, so a table needs one a row.
	// Characters other than ASCII letters, digits, '-' and '_' become '-'.
	ID string
	// Title names the sparkline, such as "Score trend for Rose Lodge";
	// empty means "Trend".
	Title string
	// Points need not be sorted; a NaN value breaks the line.
	Points []Point
	// Max is the top of the y axis; zero means 100.
	Max float64
	// Start and End fix the time axis; a zero one is taken from the
	// points. Points outside Start to End are left out.
	Start, End time.Time
	// Gap breaks the line where two points are further apart than Gap;
	// zero joins all points.
	Gap time.Duration
	// Location is the time zone of the dates in the description and table;
	// nil means UTC.
	Location *time.Location
	// ValueHeading heads the table's value column; empty means "Value".
	ValueHeading string
}

// Sparkline size, in viewBox units and, because a percentage width
// collapses inside an automatically sized table cell, also in CSS pixels.
const (
	sparkW   = 120
	sparkH   = 30
	sparkPad = 4
)

func (c Sparkline) max() float64 {
	if c.Max > 0 && !math.IsInf(c.Max, 0) {
		return c.Max
	}
	return 100
}

func (c Sparkline) loc() *time.Location {
	if c.Location != nil {
		return c.Location
	}
	return time.UTC
}

func (c Sparkline) line() line { return prepare("", c.Points, c.Start, c.End, c.max()) }

// SVG draws the sparkline, with a dot on the latest value. It has a fixed
// size of 120 by 30 pixels, which a page's stylesheet may change; the
// viewBox keeps it in proportion.
func (c Sparkline) SVG() template.HTML {
	id := ident(c.ID, "spark")
	max, loc := c.max(), c.loc()
	l := c.line()
	s, e := span([]line{l}, c.Start, c.End, loc)
	rs := runs(l.pts, c.Gap)
	sc := newScale(s, e, sparkPad, sparkW-2*sparkPad, sparkPad, sparkH-2*sparkPad, max)

	var desc strings.Builder
	describe(&desc, []line{l}, c.Start, c.End, max, len(rs) > 1, loc)
	var w writer
	openSVG(&w, id, "sparkline", sparkW, sparkH, `width="120" height="30"`, titleOr(c.Title, "Trend"), desc.String())
	// A faint baseline at zero gives the line something to be read against.
	w.s(`<line x1="`)
	w.num(sparkPad)
	w.s(`" y1="`)
	w.num(sc.y(0))
	w.s(`" x2="`)
	w.num(sparkW - sparkPad)
	w.s(`" y2="`)
	w.num(sc.y(0))
	w.s(`" class="grid" stroke="` + gridColour + `" stroke-width="1"/>`)
	if l.valid == 0 {
		w.s(`<text x="`)
		w.num(sparkW / 2)
		w.s(`" y="`)
		w.num(sparkH/2 + 3)
		w.s(`" class="na" text-anchor="middle" font-size="11" font-style="italic" fill="` + muted + `">no data yet</text></svg>`)
		return template.HTML(w.b)
	}
	if hasSegment(rs) {
		w.s(`<path d="`)
		w.path(rs, sc)
		w.b = w.b[:len(w.b)-1]
		w.s(`" fill="none" stroke="` + palette[0] + `" stroke-width="1.5" stroke-linejoin="round"/>`)
	}
	// Lone points would be invisible without a dot; the latest value gets
	// one too, as that is what people look for.
	w.s(`<path d="`)
	for _, r := range rs {
		if len(r) == 1 && !r[0].Time.Equal(l.last.Time) {
			w.dot(sc.x(r[0].Time), sc.y(r[0].Value))
		}
	}
	w.dot(sc.x(l.last.Time), sc.y(l.last.Value))
	w.s(`" fill="` + palette[0] + `"/></svg>`)
	return template.HTML(w.b)
}

// Table gives the sparkline's numbers: a row a time.
func (c Sparkline) Table() Table {
	return timeTable(titleOr(c.Title, "Trend"), []string{or(c.ValueHeading, "Value")}, []line{c.line()}, c.loc())
}

// dot writes a small circle centred on (x, y) as path data.
func (w *writer) dot(x, y float64) {
	w.s("M")
	w.num(x - 2.5)
	w.s(" ")
	w.num(y)
	w.s("A2.5 2.5 0 1 0 ")
	w.num(x + 2.5)
	w.s(" ")
	w.num(y)
	w.s("A2.5 2.5 0 1 0 ")
	w.num(x - 2.5)
	w.s(" ")
	w.num(y)
	w.s("Z")
}
