// Package svgchart draws small, accessible charts as SVG on the server: a
// horizontal bar chart (scores by area), a line chart (scores over time) and
// a sparkline (a trend in a table cell).
//
// The charts need no JavaScript, fonts or styles from elsewhere: colours and
// sizes are SVG presentation attributes, so a chart reads the same in an
// email, in print and under a strict Content-Security-Policy, while a page's
// stylesheet can still restyle the classes. Every chart is an SVG with
// role="img", a <title> and a <desc> named by aria-labelledby, and ids made
// from a prefix the caller chooses, so several charts can share a page. The
// description says in words what the chart shows, and each chart also gives
// its numbers as a Table, which callers render beside it or inside a
// visually hidden container (see HiddenClass and VisuallyHiddenCSS).
//
// Every string a caller passes (titles, labels, series names) is cleaned to
// valid XML characters and HTML-escaped before it is written, so the
// template.HTML the charts return is safe to put in an html/template page.
package svgchart

import (
	"html/template"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// MaxText is the most characters of one caller-supplied string that a chart
// or table keeps; longer text is cut and ends with "…", so one runaway label
// cannot make a page enormous.
const MaxText = 200

// HiddenClass is the class of the container Table.Hidden writes: the page's
// stylesheet must hide it visually (VisuallyHiddenCSS does) while leaving it
// to screen readers.
const HiddenClass = "visually-hidden"

// VisuallyHiddenCSS is a stylesheet rule that hides HiddenClass from sight
// but not from screen readers; a page that shows charts should include it.
// It is a class rule rather than a style attribute so that it works under a
// Content-Security-Policy that forbids inline styles.
const VisuallyHiddenCSS = ".visually-hidden{position:absolute!important;width:1px!important;height:1px!important;" +
	"margin:0!important;padding:0!important;overflow:hidden!important;clip:rect(0 0 0 0)!important;" +
	"clip-path:inset(50%)!important;border:0!important;white-space:nowrap!important}"

// Colours. Text is ink or muted, both at least 7:1 against the white
// background every chart paints, so text passes WCAG's 4.5:1; lines, bars
// and markers are at least 3:1 (WCAG 1.4.11).
const (
	background  = "#ffffff"
	ink         = "#0b0c0c"
	muted       = "#505a5f"
	gridColour  = "#b1b4b6" // gridlines only support reading: the numbers are in text and the table
	trackColour = "#f3f2f1"
)

// fontFamily is set on every chart so text measures roughly the same
// everywhere; the label widths below assume about 8 units a character at
// font-size 14.
const fontFamily = "system-ui, -apple-system, Segoe UI, Roboto, Arial, sans-serif"

// Table is a chart's numbers as rows, for people who cannot see the chart.
// Its strings are plain text: render it through html/template, or with HTML
// or Hidden, which escape it.
type Table struct {
	// Caption names the table; it is the chart's title.
	Caption string
	// Header holds the column headings.
	Header []string
	// Rows hold the cells; the first cell of each row heads the row.
	Rows [][]string
}

// HTML renders the table as markup with a caption, column headings and row
// headings, every string escaped.
func (t Table) HTML() template.HTML {
	var w writer
	t.write(&w)
	return template.HTML(w.b)
}

// Hidden renders the table inside a container of class HiddenClass, so that
// it is read by screen readers but not shown.
func (t Table) Hidden() template.HTML {
	var w writer
	w.s(`<div class="` + HiddenClass + `">`)
	t.write(&w)
	w.s(`</div>`)
	return template.HTML(w.b)
}

func (t Table) write(w *writer) {
	w.s(`<table class="chart-data">`)
	if t.Caption != "" {
		w.s(`<caption>`)
		w.text(t.Caption)
		w.s(`</caption>`)
	}
	if len(t.Header) > 0 {
		w.s(`<thead><tr>`)
		for _, h := range t.Header {
			w.s(`<th scope="col">`)
			w.text(h)
			w.s(`</th>`)
		}
		w.s(`</tr></thead>`)
	}
	w.s(`<tbody>`)
	for _, row := range t.Rows {
		w.s(`<tr>`)
		for i, c := range row {
			if i == 0 {
				w.s(`<th scope="row">`)
				w.text(c)
				w.s(`</th>`)
				continue
			}
			w.s(`<td>`)
			w.text(c)
			w.s(`</td>`)
		}
		w.s("</tr>\n")
	}
	w.s(`</tbody></table>`)
}

// writer builds markup. Its methods never fail, which keeps the drawing code
// free of error handling that could only ever pass nil along.
type writer struct{ b []byte }

func (w *writer) s(s string) { w.b = append(w.b, s...) }

func (w *writer) int(i int) { w.b = strconv.AppendInt(w.b, int64(i), 10) }

// num writes a coordinate rounded to one decimal place: enough for a
// viewBox a few hundred units wide, and it keeps the output small and
// stable for golden files.
func (w *writer) num(f float64) {
	f = math.Round(f*10) / 10
	if f == 0 || math.IsNaN(f) || math.IsInf(f, 0) {
		f = 0 // also turns -0 into 0
	}
	w.b = strconv.AppendFloat(w.b, f, 'f', -1, 64)
}

// text writes caller-supplied text, cleaned and HTML-escaped.
func (w *writer) text(s string) { w.s(template.HTMLEscapeString(clean(s, MaxText))) }

// clean makes s safe to escape into XML: invalid UTF-8 and characters that
// XML 1.0 forbids (most control characters) become U+FFFD, carriage returns
// become newlines, and, when max is
// above zero, text longer than max characters is cut to max-1 and ends with
// "…".
func clean(s string, max int) string {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	if strings.IndexByte(s, '\r') >= 0 {
		// XML and HTML parsers read both as a newline anyway; doing it here
		// keeps the text the same in every output.
		s = strings.NewReplacer("\r\n", "\n", "\r", "\n").Replace(s)
	}
	n, ok := 0, true
	for _, r := range s {
		if !xmlChar(r) {
			ok = false
		}
		n++
	}
	cut := max > 0 && n > max
	if ok && !cut {
		return s
	}
	var b strings.Builder
	i := 0
	for _, r := range s {
		if cut && i == max-1 {
			b.WriteRune('…')
			break
		}
		if !xmlChar(r) {
			r = '\uFFFD'
		}
		b.WriteRune(r)
		i++
	}
	return b.String()
}

// xmlChar reports whether XML 1.0 allows r in a document.
func xmlChar(r rune) bool {
	return r == 0x09 || r == 0x0A || r == 0x0D ||
		r >= 0x20 && r <= 0xD7FF ||
		r >= 0xE000 && r <= 0xFFFD ||
		r >= 0x10000 && r <= 0x10FFFF
}

// ident makes a caller's id prefix or class name safe inside an attribute
// and inside aria-labelledby's space-separated list: anything but ASCII
// letters, digits, '-' and '_' becomes '-', and an empty result becomes def.
func ident(s, def string) string {
	if len(s) > 64 {
		s = s[:64]
	}
	b := []byte(s)
	for i, c := range b {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			b[i] = '-'
		}
	}
	if len(b) == 0 {
		return def
	}
	if c := b[0]; c >= '0' && c <= '9' || c == '-' {
		// An id that starts with a letter is also a valid CSS selector.
		return def + "-" + string(b)
	}
	return string(b)
}

// colour returns c if it is a CSS hex colour (#rgb or #rrggbb), else def, so
// a caller's colour can never break out of its attribute.
func colour(c, def string) string {
	if len(c) != 4 && len(c) != 7 || c[0] != '#' {
		return def
	}
	for _, x := range c[1:] {
		if !(x >= '0' && x <= '9' || x >= 'a' && x <= 'f' || x >= 'A' && x <= 'F') {
			return def
		}
	}
	return c
}

// titleOr returns title, or def when title is blank, so that no chart is
// an image without a name.
func titleOr(title, def string) string {
	if strings.TrimSpace(title) == "" {
		return def
	}
	return title
}

// openSVG writes the start of a chart: the root element, a white background
// (so the contrast of the text holds on any page, and in print) and the
// title and description that name it for screen readers.
func openSVG(w *writer, id, class string, width, height float64, size, title, desc string) {
	w.s(`<svg class="`)
	w.s(class)
	w.s(`" role="img" aria-labelledby="`)
	w.s(id + "-title " + id + "-desc")
	w.s(`" viewBox="0 0 `)
	w.num(width)
	w.s(` `)
	w.num(height)
	w.s(`" `)
	w.s(size)
	w.s(` font-family="` + fontFamily + `" xmlns="http://www.w3.org/2000/svg"><title id="`)
	w.s(id + "-title")
	w.s(`">`)
	w.text(title)
	w.s(`</title><desc id="`)
	w.s(id + "-desc")
	w.s(`">`)
	// The description is built from caller text and is often long (one
	// sentence per series), so it is escaped but not cut to MaxText.
	w.s(template.HTMLEscapeString(clean(desc, 0)))
	w.s(`</desc><rect class="bg" width="`)
	w.num(width)
	w.s(`" height="`)
	w.num(height)
	w.s(`" fill="` + background + `"/>`)
}

// formatValue writes a value for people: whole numbers as they are, others
// to one decimal place, and huge ones in short scientific notation.
func formatValue(v float64) string {
	switch {
	case math.IsNaN(v):
		return "no value"
	case math.IsInf(v, 1):
		return "infinity"
	case math.IsInf(v, -1):
		return "minus infinity"
	case math.Abs(v) >= 1e6:
		return strconv.FormatFloat(v, 'g', 4, 64)
	}
	v = math.Round(v*10) / 10
	if v == 0 {
		v = 0
	}
	return strconv.FormatFloat(v, 'f', -1, 64)
}

// truncate cuts visible text to n characters, ending with "…", because a
// chart has fixed room for it; the full text is in the description and
// the table.
func truncate(s string, n int) string { return clean(s, n) }

// estWidth estimates the width of text at font-size 14. It only has to be
// good enough to leave room for labels: the label column is capped, and
// labels longer than it are cut.
func estWidth(s string) float64 { return 8 * float64(utf8.RuneCountInString(s)) }

// longDate is how dates read in descriptions and tables: "3 November 2026".
const longDate = "2 January 2006"

func dateText(t time.Time, withTime bool) string {
	if withTime {
		return t.Format(longDate + ", 15:04")
	}
	return t.Format(longDate)
}
