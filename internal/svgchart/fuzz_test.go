package svgchart

import (
	"math"
	"strings"
	"testing"
	"time"
)

// FuzzCharts feeds arbitrary labels, values and timestamps to every chart
// and checks that the output is well-formed XML holding only the chart's
// own elements, and that the caller's text comes back exactly (cleaned and
// cut, never interpreted as markup).
func FuzzCharts(f *testing.F) {
	f.Add("Backups", "Overall", 42.0, 101.0, int64(1793750400), int64(1793836800), int64(36*3600))
	f.Add(`<script>alert(1)</script>`, `"&'`, math.NaN(), math.Inf(-1), int64(0), int64(0), int64(0))
	f.Add("\x00\xff\ufffe]]><!--", "a\u2028b", -1e308, 1e-300, int64(-62135596800), int64(253402300799), int64(-5))
	f.Add(strings.Repeat("long ", 100), "", 0.0, 100.0, int64(math.MinInt64), int64(math.MaxInt64), int64(math.MaxInt64))
	f.Fuzz(func(t *testing.T, label, name string, v1, v2 float64, t1, t2, gap int64) {
		at1, at2 := time.Unix(t1, 0), time.Unix(t2, int64(uint64(t1)%1e9))
		pts := []Point{{at1, v1}, {at2, v2}, {at1, v2}}
		outputs := map[string]string{
			"bar": string(BarChart{ID: name, Title: label, Bars: []Bar{{Label: label, Value: v1}, {Label: name, Value: v2}},
				Max: v2, Bands: []Band{{Min: v1, Name: name, Class: label, Colour: name}}}.SVG()),
			"line": string(LineChart{ID: label, Title: label, Max: v1, Gap: time.Duration(gap),
				Series: []Series{{Name: label, Points: pts}, {Name: name, Points: pts[1:]}}}.SVG()),
			"line with range": string(LineChart{Title: label, Start: at2, End: at1, Series: []Series{{Name: name, Points: pts}}}.SVG()),
			"spark":           string(Sparkline{ID: name, Title: label, Points: pts, Max: v2, Gap: time.Duration(gap)}.SVG()),
		}
		blank := strings.TrimSpace(label) == ""
		for what, svg := range outputs {
			p := checkAccessible(t, svg)
			refs := strings.Fields(p.attrs["aria-labelledby"])
			if want := clean(label, MaxText); len(refs) > 0 && !blank && p.text[refs[0]] != want {
				t.Errorf("%s: title reads %q, want %q", what, p.text[refs[0]], want)
			}
			if strings.Contains(svg, "NaN") || strings.Contains(svg, "Inf") && !strings.Contains(label+name, "Inf") {
				t.Errorf("%s: a non-number reached the markup:\n%s", what, svg)
			}
		}
		for what, tbl := range map[string]Table{
			"bar":   BarChart{Title: label, Bars: []Bar{{Label: label, Value: v1}}}.Table(),
			"line":  LineChart{Title: label, Series: []Series{{Name: name, Points: pts}}}.Table(),
			"spark": Sparkline{Title: label, Points: pts, ValueHeading: name}.Table(),
		} {
			checkMarkup(t, string(tbl.HTML()), tableElements)
			checkMarkup(t, string(tbl.Hidden()), tableElements)
			if tbl.Caption != label && !blank {
				t.Errorf("%s table caption = %q, want the title as given", what, tbl.Caption)
			}
		}
	})
}
