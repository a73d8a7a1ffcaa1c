package report

import (
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"strings"

	"github.com/handwash/handwash"
)

//go:embed report.html.tmpl
var htmlTemplate string

var pageTemplate = template.Must(template.New("report").Funcs(template.FuncMap{
	"add1":      func(i int) int { return i + 1 },
	"status":    statusLabel,
	"when":      when,
	"scoreLine": scoreLine,
	"ref":       refLine,
	"steps":     steps,
	"inline":    inlineCode,
	"chart":     areaChart,
	"reason":    handwash.ReasonText,
	"title":     func(p handwash.Platform) string { return p.Title() },
	"expires":   func(e *handwash.AppliedException) string { return e.Expires.Format("2 January 2006") },
}).Parse(htmlTemplate))

// HTML writes one self-contained, printable HTML page: no scripts, fonts,
// images or styles from anywhere else, so it can be emailed or archived as
// evidence and still read the same.
func HTML(w io.Writer, in Input) error {
	return pageTemplate.Execute(w, newView(in))
}

// steps splits fix text into numbered steps for an ordered list.
func steps(s string) []string {
	var out []string
	for _, line := range strings.Split(s, "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		if i := strings.Index(line, ". "); i > 0 && i <= 3 && isDigits(line[:i]) {
			line = line[i+2:]
		}
		out = append(out, line)
	}
	return out
}

// inlineCode escapes text and shows `backquoted` parts (commands, settings)
// as code.
func inlineCode(s string) template.HTML {
	parts := strings.Split(s, "`")
	if len(parts)%2 == 0 { // an unmatched backquote: show the text as it is
		return template.HTML(template.HTMLEscapeString(s))
	}
	var b strings.Builder
	for i, p := range parts {
		if i%2 == 1 {
			b.WriteString("<code>" + template.HTMLEscapeString(p) + "</code>")
		} else {
			b.WriteString(template.HTMLEscapeString(p))
		}
	}
	return template.HTML(b.String())
}

// areaChart draws the area scores as a horizontal bar chart in SVG, with a
// title and description for screen readers; the same numbers are in the
// table beside it.
func areaChart(areas []areaView) template.HTML {
	const (
		rowH   = 34
		labelW = 300
		barW   = 360
		top    = 10
	)
	h := top*2 + rowH*len(areas)
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="chart" role="img" aria-labelledby="chart-title chart-desc" viewBox="0 0 %d %d" width="100%%" xmlns="http://www.w3.org/2000/svg">`, labelW+barW+70, h)
	b.WriteString(`<title id="chart-title">Score by area</title><desc id="chart-desc">`)
	for _, a := range areas {
		if a.Assessed {
			fmt.Fprintf(&b, "%s %d out of 100. ", template.HTMLEscapeString(a.Title), a.Value)
		} else {
			fmt.Fprintf(&b, "%s not assessed yet. ", template.HTMLEscapeString(a.Title))
		}
	}
	b.WriteString(`</desc>`)
	for i, a := range areas {
		y := top + i*rowH
		fmt.Fprintf(&b, `<text x="%d" y="%d" class="label" text-anchor="end">%s</text>`, labelW-10, y+21, template.HTMLEscapeString(a.Title))
		fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%d" height="22" class="track"/>`, labelW, y+6, barW)
		if !a.Assessed {
			fmt.Fprintf(&b, `<text x="%d" y="%d" class="na">not assessed yet</text>`, labelW+8, y+22)
			continue
		}
		wd := barW * a.Value / 100
		fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%d" height="22" class="bar %s"/>`, labelW, y+6, wd, band(a.Value))
		fmt.Fprintf(&b, `<text x="%d" y="%d" class="value">%d</text>`, labelW+barW+8, y+22, a.Value)
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// band names the colour band of a score.
func band(v int) string {
	switch {
	case v >= 80:
		return "good"
	case v >= 50:
		return "fair"
	}
	return "poor"
}
