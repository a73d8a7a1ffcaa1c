package evidence

import (
	_ "embed"
	"html/template"
	"io"

	"github.com/handwash/handwash/internal/svgchart"
)

//go:embed evidence.html.tmpl
var htmlTemplate string

var pageTemplate = template.Must(template.New("evidence").Funcs(template.FuncMap{
	"plural": plural,
	"chart":  areaChart,
	"mappingTable": func(caption string, rows []*Requirement) mappingTable {
		return mappingTable{Caption: caption, Rows: rows}
	},
	"checksTable": func(caption string, rows []FindingRow) checksTable {
		return checksTable{Caption: caption, Rows: rows}
	},
}).Parse(htmlTemplate))

// mappingTable is what the "mapping" template draws: the Cyber Essentials
// or the DSPT table.
type mappingTable struct {
	Caption string
	Rows    []*Requirement
}

// checksTable is what the "checks" template draws: the findings of the
// cloud accounts or of the phones and tablets.
type checksTable struct {
	Caption string
	Rows    []FindingRow
}

// RenderHTML writes the report as one self-contained, printable HTML page:
// no scripts, and no fonts, images or styles from anywhere else, so it can
// be emailed, printed on A4 or archived as evidence and still read the
// same. Every string from the Report is escaped.
func RenderHTML(w io.Writer, r *Report) error {
	d, err := Build(r)
	if err != nil {
		return err
	}
	return pageTemplate.Execute(w, d)
}

// areaChart draws the area scores as a bar chart with each score and its
// band printed beside its bar; the table after it gives the same numbers.
func areaChart(areas []*AreaSection) template.HTML {
	bars := make([]svgchart.Bar, len(areas))
	for i, a := range areas {
		bars[i] = svgchart.Bar{Label: a.Title, Value: float64(a.Value), Missing: !a.Assessed}
	}
	return svgchart.BarChart{
		ID:          "area-chart",
		Title:       "Score by area, out of 100",
		Bars:        bars,
		Max:         100,
		Bands:       svgchart.ScoreBands(),
		MissingText: "not assessed",
	}.SVG()
}
