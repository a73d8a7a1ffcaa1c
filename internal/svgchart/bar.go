package svgchart

import (
	"html/template"
	"math"
	"strings"
)

// Band is a range of values drawn in one colour and named in words, so that
// a low score reads as bad without relying on colour.
type Band struct {
	// Min is the lowest value in the band: a value falls in the band with
	// the highest Min at or below it.
	Min float64
	// Name says what the band means, such as "poor"; it is printed after
	// the value and used in the description and table.
	Name string
	// Class is the bar's CSS class, for pages that restyle the bands.
	Class string
	// Colour fills the bar, as #rgb or #rrggbb; it should contrast at least
	// 3:1 with white. Anything else falls back to the default blue.
	Colour string
}

// ScoreBands returns the bands Handwash uses for scores out of 100: good
// from 80, fair from 50, poor below, in GOV.UK green, orange and red.
func ScoreBands() []Band {
	return []Band{
		{Min: 80, Name: "good", Class: "good", Colour: "#00703c"},
		{Min: 50, Name: "fair", Class: "fair", Colour: "#b25e09"},
		{Min: math.Inf(-1), Name: "poor", Class: "poor", Colour: "#d4351c"},
	}
}

// Bar is one labelled value of a bar chart.
type Bar struct {
	// Label names the bar, such as an area's title.
	Label string
	// Value is drawn from zero; values outside 0 to the chart's Max are
	// drawn at the nearest end and printed as they are.
	Value float64
	// Missing marks a bar with no value yet; it shows the chart's
	// MissingText instead. A NaN Value counts as missing too.
	Missing bool
}

// BarChart is a horizontal bar chart with the value printed beside each bar.
type BarChart struct {
	// ID prefixes the ids of the chart's title and description; it must be
	// unique on the page. Characters other than ASCII letters, digits, '-'
	// and '_' become '-'.
	ID string
	// Title names the chart for screen readers and captions its table;
	// empty means "Bar chart".
	Title string
	// Bars are drawn top to bottom in order.
	Bars []Bar
	// Max is the value of a full bar; zero means 100.
	Max float64
	// Bands colour and name ranges of values; without them every bar is
	// blue and only the number is printed.
	Bands []Band
	// MissingText is shown for a missing value; empty means "no data yet".
	MissingText string
	// LabelHeading and ValueHeading head the table's columns; empty means
	// "Name" and "Value".
	LabelHeading, ValueHeading string
}

// Bar chart layout, in viewBox units.
const (
	barRowH     = 34
	barTop      = 10
	barW        = 360
	barLabelMax = 37 // characters of a label shown; the full label is in the description and table
)

func (c BarChart) max() float64 {
	if c.Max > 0 && !math.IsInf(c.Max, 0) {
		return c.Max
	}
	return 100
}

func (c BarChart) missingText() string {
	if c.MissingText != "" {
		return c.MissingText
	}
	return "no data yet"
}

// band returns the band of v, or a zero Band when none applies.
func (c BarChart) band(v float64) Band {
	best, found := Band{}, false
	for _, b := range c.Bands {
		if v >= b.Min && (!found || b.Min > best.Min) {
			best, found = b, true
		}
	}
	return best
}

func missing(b Bar) bool { return b.Missing || math.IsNaN(b.Value) }

// valueText is how a value reads on the chart: "38 (poor)".
func (c BarChart) valueText(v float64) string {
	s := formatValue(v)
	if name := c.band(v).Name; name != "" {
		s += " (" + clean(name, MaxText) + ")"
	}
	return s
}

// sentence describes one bar: "Protecting from malware: 9 out of 100, poor."
func (c BarChart) sentence(b Bar) string {
	label := clean(b.Label, MaxText)
	if missing(b) {
		return label + ": " + c.missingText() + "."
	}
	s := label + ": " + formatValue(b.Value) + " out of " + formatValue(c.max())
	if name := c.band(b.Value).Name; name != "" {
		s += ", " + clean(name, MaxText)
	}
	return s + "."
}

// SVG draws the chart. Each bar's value is printed as text beside it, so
// the colour of the band is never the only way to read it.
func (c BarChart) SVG() template.HTML {
	id := ident(c.ID, "chart")
	max := c.max()
	labelW, valueW := 100.0, 70.0
	clamped := false
	for _, b := range c.Bars {
		labelW = math.Max(labelW, estWidth(truncate(b.Label, barLabelMax))+20)
		if !missing(b) {
			valueW = math.Max(valueW, estWidth(c.valueText(b.Value))+16)
			clamped = clamped || b.Value < 0 || b.Value > max
		}
	}
	labelW = math.Min(labelW, 8*barLabelMax+20)
	rows := len(c.Bars)
	if rows == 0 {
		rows = 1
	}
	width, height := labelW+barW+valueW, float64(barTop*2+barRowH*rows)

	var desc strings.Builder
	for i, b := range c.Bars {
		if i > 0 {
			desc.WriteByte(' ')
		}
		desc.WriteString(c.sentence(b))
	}
	if len(c.Bars) == 0 {
		desc.WriteString("No data yet.")
	}
	if clamped {
		desc.WriteString(" Values outside 0 to " + formatValue(max) + " are drawn at the nearest end of the scale.")
	}

	var w writer
	openSVG(&w, id, "chart chart-bar", width, height, `width="100%"`, titleOr(c.Title, "Bar chart"), desc.String())
	if len(c.Bars) == 0 {
		w.s(`<text x="`)
		w.num(width / 2)
		w.s(`" y="`)
		w.int(barTop + 22)
		w.s(`" class="na" text-anchor="middle" font-size="14" font-style="italic" fill="` + muted + `">No data yet</text>`)
	}
	for i, b := range c.Bars {
		y := float64(barTop + i*barRowH)
		w.s(`<text x="`)
		w.num(labelW - 10)
		w.s(`" y="`)
		w.num(y + 21)
		w.s(`" class="label" text-anchor="end" font-size="14" fill="` + ink + `">`)
		w.text(truncate(b.Label, barLabelMax))
		w.s(`</text><rect x="`)
		w.num(labelW)
		w.s(`" y="`)
		w.num(y + 6)
		w.s(`" width="`)
		w.int(barW)
		w.s(`" height="22" class="track" fill="` + trackColour + `"/>`)
		if missing(b) {
			w.s(`<text x="`)
			w.num(labelW + 8)
			w.s(`" y="`)
			w.num(y + 22)
			w.s(`" class="na" font-size="14" font-style="italic" fill="` + muted + `">`)
			w.text(c.missingText())
			w.s(`</text>`)
			continue
		}
		band := c.band(b.Value)
		w.s(`<rect x="`)
		w.num(labelW)
		w.s(`" y="`)
		w.num(y + 6)
		w.s(`" width="`)
		w.num(barW * math.Min(math.Max(b.Value, 0), max) / max)
		w.s(`" height="22" class="bar`)
		if cl := ident(band.Class, ""); cl != "" {
			w.s(" " + cl)
		}
		w.s(`" fill="` + colour(band.Colour, palette[0]) + `"/><text x="`)
		w.num(labelW + barW + 8)
		w.s(`" y="`)
		w.num(y + 22)
		w.s(`" class="value" font-size="14" fill="` + ink + `">`)
		w.text(c.valueText(b.Value))
		w.s(`</text>`)
	}
	w.s(`</svg>`)
	return template.HTML(w.b)
}

// Table gives the chart's numbers: one row a bar.
func (c BarChart) Table() Table {
	t := Table{Caption: titleOr(c.Title, "Bar chart"), Header: []string{or(c.LabelHeading, "Name"), or(c.ValueHeading, "Value")}}
	for _, b := range c.Bars {
		v := c.missingText()
		if !missing(b) {
			v = formatValue(b.Value) + " out of " + formatValue(c.max())
			if name := c.band(b.Value).Name; name != "" {
				v += " (" + name + ")"
			}
		}
		t.Rows = append(t.Rows, []string{b.Label, v})
	}
	return t
}

func or(s, def string) string {
	if s != "" {
		return s
	}
	return def
}
