package report

import (
	_ "embed"
	"html/template"
	"io"
	"strings"

	"github.com/handwash/handwash"
	"github.com/handwash/handwash/internal/svgchart"
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

// areaChart draws the area scores as a horizontal bar chart, with each
// score and its band printed beside its bar; the same numbers are in the
// table that follows it, so the chart offers no table of its own.
func areaChart(areas []areaView) template.HTML {
	bars := make([]svgchart.Bar, len(areas))
	for i, a := range areas {
		bars[i] = svgchart.Bar{Label: a.Title, Value: float64(a.Value), Missing: !a.Assessed}
	}
	return svgchart.BarChart{
		ID:          "chart",
		Title:       "Score by area",
		Bars:        bars,
		Max:         100,
		Bands:       svgchart.ScoreBands(),
		MissingText: "not assessed yet",
	}.SVG()
}
