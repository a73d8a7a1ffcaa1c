package svgchart

import (
	"encoding/xml"
	"html/template"
	"io"
	"math"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/handwash/handwash/internal/golden"
)

// day returns midnight UTC on the given day of November 2026 (days past 30
// run on into December).
func day(d int) time.Time { return time.Date(2026, 11, d, 0, 0, 0, 0, time.UTC) }

// daily makes n daily points from start with a gentle, repeatable wave.
func daily(start time.Time, n int, base, swing float64) []Point {
	pts := make([]Point, n)
	for i := range pts {
		pts[i] = Point{start.AddDate(0, 0, i), math.Round(base + swing*math.Sin(float64(i)/5))}
	}
	return pts
}

func areaBars() []Bar {
	return []Bar{
		{Label: "Backing up your data", Missing: true},
		{Label: "Protecting from malware", Value: 9},
		{Label: "Keeping devices safe", Value: 55},
		{Label: "Passwords and accounts", Value: 80},
		{Label: "Avoiding phishing", Value: 100},
		{Label: "Updates and unsupported software", Value: 38},
	}
}

// chart is one rendered case: its SVG and its table.
type chart struct {
	svg   template.HTML
	table Table
}

func bar(c BarChart) chart        { return chart{c.SVG(), c.Table()} }
func lineChart(c LineChart) chart { return chart{c.SVG(), c.Table()} }
func spark(c Sparkline) chart     { return chart{c.SVG(), c.Table()} }

// cases are the charts kept as golden files, one for each chart type and
// edge case.
func cases() map[string]chart {
	withGaps := daily(day(1), 21, 70, 12)
	withGaps = append(withGaps[:5], withGaps[9:]...) // four days missing: a gap by time
	withGaps[10].Value = math.NaN()                  // and one known gap
	// A long line with a ten-day gap and a lone point: markers only at the
	// lone point and the end.
	dense := daily(day(1), 120, 65, 15)
	dense = append(dense[:50], dense[60:]...)
	dense = append(append(dense[:70:70], dense[71]), dense[73:]...)
	return map[string]chart{
		"bar-scores": bar(BarChart{ID: "areas", Title: "Score by area", Bars: areaBars(), Bands: ScoreBands(),
			MissingText: "not assessed yet", LabelHeading: "Area", ValueHeading: "Score"}),
		"bar-empty":    bar(BarChart{ID: "empty", Title: "Score by area"}),
		"bar-no-bands": bar(BarChart{ID: "plain", Title: "Devices by platform", Max: 40, Bars: []Bar{{Label: "Windows", Value: 31}, {Label: "macOS", Value: 7.25}, {Label: "Linux", Value: 52}, {Label: "Other", Value: -3}}}),
		"bar-hostile": bar(BarChart{ID: `x" onload="alert(1)`, Title: `<script>alert("t")</script>`, Bands: []Band{{Min: 0, Name: "<b>bad</b>", Class: `" onclick="x`, Colour: `red"/><script>`}},
			Bars: []Bar{{Label: `<script>alert('l')</script> & "more"`, Value: 5}, {Label: strings.Repeat("A very long label ", 20), Value: 50}}}),
		"line-daily": lineChart(LineChart{ID: "trend", Title: "Scores over three weeks", Gap: 36 * time.Hour, Series: []Series{
			{Name: "Overall", Points: withGaps},
			{Name: "Backups", Points: daily(day(1), 21, 40, 20)},
			{Name: "Protecting from malware", Points: daily(day(3), 19, 85, 10)},
		}}),
		"line-weekly": lineChart(LineChart{ID: "weekly", Title: "Scores over six months", Series: weekly(6)}),
		"line-years":  lineChart(LineChart{ID: "years", Title: "Overall score since 2024", Series: []Series{{Name: "Overall", Points: monthly(time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), 36)}}}),
		"line-one-point": lineChart(LineChart{ID: "one", Title: "Overall score", Series: []Series{
			{Name: "Overall", Points: []Point{{time.Date(2026, 11, 3, 14, 5, 0, 0, time.UTC), 74}}}}}),
		"line-no-data": lineChart(LineChart{ID: "none", Title: "Overall score", Series: []Series{{Name: "Overall"}}}),
		"line-same-time": lineChart(LineChart{ID: "same", Title: "Overall score", Series: []Series{
			{Name: "Overall", Points: []Point{{day(3), 60}, {day(3), 70}}},
			{Name: "Updates", Points: []Point{{day(3), 20}}}}}),
		"line-out-of-range": lineChart(LineChart{ID: "range", Title: "Overall score", Series: []Series{
			{Name: "Overall", Points: []Point{{day(1), -20}, {day(2), 50}, {day(3), 140}, {day(4), math.Inf(1)}, {day(5), 90}}}}}),
		"line-dense": lineChart(LineChart{ID: "dense", Title: "Scores over four months", Gap: 36 * time.Hour, Series: []Series{
			{Name: "Overall", Points: dense}, {Name: "Updates", Points: daily(day(1), 120, 45, 25)}}}),
		"line-six-series": lineChart(LineChart{ID: "six", Title: "Scores by area", Series: sixAreas()}),
		"spark":           spark(Sparkline{ID: "org-1", Title: "Score trend for Rose Lodge", Points: weekly(1)[0].Points}),
		"spark-gap": spark(Sparkline{ID: "org-2", Title: "Score trend for Elm House", Gap: 8 * 24 * time.Hour,
			Points: []Point{{day(1), 40}, {day(8), 45}, {day(29), 60}, {day(36).AddDate(0, 0, 7), 72}}}),
		"spark-one":  spark(Sparkline{ID: "org-3", Title: "Score trend for Oak Court", Points: []Point{{day(20), 81}}}),
		"spark-none": spark(Sparkline{ID: "org-4", Title: "Score trend for Ash Grove"}),
	}
}

// weekly makes n series of 26 weekly points from Monday 1 June 2026.
func weekly(n int) []Series {
	names := []string{"Overall", "Backups", "Malware", "Phones and tablets", "Passwords", "Phishing"}
	out := make([]Series, n)
	for i := range out {
		pts := make([]Point, 26)
		for j := range pts {
			pts[j] = Point{time.Date(2026, 6, 1+7*j, 9, 0, 0, 0, time.UTC), math.Round(50 + 30*math.Sin(float64(j+5*i)/4))}
		}
		out[i] = Series{Name: names[i], Points: pts}
	}
	return out
}

func monthly(start time.Time, n int) []Point {
	pts := make([]Point, n)
	for i := range pts {
		pts[i] = Point{start.AddDate(0, i, 0), float64(30 + 2*i)}
	}
	return pts
}

func sixAreas() []Series {
	s := weekly(6)
	for i := range s {
		s[i].Points = s[i].Points[:10] // few enough points for a marker on each
	}
	return s
}

func TestGolden(t *testing.T) {
	for name, c := range cases() {
		t.Run(name, func(t *testing.T) {
			// Each golden file is a small HTML page, so it can be opened in
			// a browser to look at.
			got := "<!DOCTYPE html>\n<meta charset=\"utf-8\">\n" + string(c.svg) + "\n" + string(c.table.HTML()) + "\n"
			golden.Check(t, name+".html", got)
		})
	}
}

// svgElements are the only elements a chart may contain; anything else in
// the output came from caller text that was not escaped.
var svgElements = map[string]bool{"svg": true, "title": true, "desc": true, "rect": true, "text": true, "line": true, "path": true, "g": true}

var tableElements = map[string]bool{"div": true, "table": true, "caption": true, "thead": true, "tbody": true, "tr": true, "th": true, "td": true}

// parsed is what checkMarkup learns from a chart while it checks it.
type parsed struct {
	ids   map[string]string // id -> element
	text  map[string]string // element of an id -> its text
	attrs map[string]string // attributes of the root element
}

// checkMarkup decodes the whole of s as XML and fails the test unless it is
// well formed, has one root element and holds only allowed elements.
func checkMarkup(t testing.TB, s string, allowed map[string]bool) parsed {
	t.Helper()
	p := parsed{ids: map[string]string{}, text: map[string]string{}, attrs: map[string]string{}}
	d := xml.NewDecoder(strings.NewReader(s))
	depth, roots := 0, 0
	var inID string
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("not well-formed XML: %v\n%s", err, s)
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			if !allowed[tok.Name.Local] {
				t.Fatalf("unexpected element <%s> in\n%s", tok.Name.Local, s)
			}
			if depth == 0 {
				roots++
				for _, a := range tok.Attr {
					p.attrs[a.Name.Local] = a.Value
				}
			}
			for _, a := range tok.Attr {
				if strings.HasPrefix(strings.ToLower(a.Name.Local), "on") || a.Name.Local == "style" || a.Name.Local == "href" {
					t.Fatalf("unexpected attribute %s in\n%s", a.Name.Local, s)
				}
				if a.Name.Local == "id" {
					if _, dup := p.ids[a.Value]; dup {
						t.Fatalf("id %q used twice", a.Value)
					}
					p.ids[a.Value] = tok.Name.Local
					inID = a.Value
				}
			}
			depth++
		case xml.EndElement:
			depth--
			inID = ""
		case xml.CharData:
			if inID != "" {
				p.text[inID] += string(tok)
			}
		}
	}
	if roots != 1 {
		t.Fatalf("%d root elements, want 1", roots)
	}
	return p
}

// checkAccessible checks the names a screen reader needs: role="img", and
// aria-labelledby naming a <title> and a <desc> that have text.
func checkAccessible(t testing.TB, svg string) parsed {
	t.Helper()
	p := checkMarkup(t, svg, svgElements)
	if got := p.attrs["role"]; got != "img" {
		t.Errorf("role = %q, want img", got)
	}
	refs := strings.Fields(p.attrs["aria-labelledby"])
	if len(refs) != 2 || p.ids[refs[0]] != "title" || p.ids[refs[1]] != "desc" {
		t.Errorf("aria-labelledby = %q, want the ids of a <title> and a <desc> (ids: %v)", p.attrs["aria-labelledby"], p.ids)
	}
	for _, r := range refs {
		if strings.TrimSpace(p.text[r]) == "" {
			t.Errorf("element %s named by aria-labelledby is empty", r)
		}
	}
	if p.attrs["viewBox"] == "" {
		t.Error("no viewBox: the chart would not scale")
	}
	return p
}

func TestChartsAreWellFormedAndNamed(t *testing.T) {
	for name, c := range cases() {
		t.Run(name, func(t *testing.T) {
			p := checkAccessible(t, string(c.svg))
			if !strings.HasPrefix(name, "spark") && p.attrs["width"] != "100%" {
				t.Errorf("width = %q, want 100%%", p.attrs["width"])
			}
			checkMarkup(t, string(c.table.HTML()), tableElements)
			checkMarkup(t, string(c.table.Hidden()), tableElements)
		})
	}
}

// Two charts on one page must not share ids, or a screen reader would read
// one chart's title for the other.
func TestIDsDoNotClash(t *testing.T) {
	page := "<div>" +
		string(BarChart{ID: "areas", Title: "A", Bars: areaBars()}.SVG()) +
		string(LineChart{ID: "trend", Title: "B", Series: weekly(2)}.SVG()) +
		string(Sparkline{ID: "org-1", Title: "C", Points: weekly(1)[0].Points}.SVG()) +
		string(Sparkline{ID: "org-2", Title: "D"}.SVG()) + "</div>"
	allowed := map[string]bool{"div": true}
	for k := range svgElements {
		allowed[k] = true
	}
	p := checkMarkup(t, page, allowed) // fails on a repeated id
	if len(p.ids) != 8 {
		t.Errorf("%d ids, want 8: %v", len(p.ids), p.ids)
	}
}

func TestIdent(t *testing.T) {
	for in, want := range map[string]string{
		"areas":                  "areas",
		"org_42-trend":           "org_42-trend",
		"":                       "chart",
		"org 7":                  "org-7",
		"7":                      "chart-7",
		"-x":                     "chart--x",
		`a" onload="x`:           "a--onload--x",
		"café":                   "caf--",
		strings.Repeat("a", 100): strings.Repeat("a", 64),
	} {
		if got := ident(in, "chart"); got != want {
			t.Errorf("ident(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestColour(t *testing.T) {
	for in, want := range map[string]string{
		"#00703c":       "#00703c",
		"#FFF":          "#FFF",
		"red":           "#def",
		"#00703":        "#def",
		`#000"/><x a="`: "#def",
		"#gggggg":       "#def",
		"":              "#def",
	} {
		if got := colour(in, "#def"); got != want {
			t.Errorf("colour(%q) = %q, want %q", in, got, want)
		}
	}
}

// Caller text must come out escaped, in the chart and in its table.
func TestEscapesCallerText(t *testing.T) {
	const label = `<script>alert("x")</script> & co`
	const escaped = `&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; co`
	for name, out := range map[string]string{
		"bar":         string(BarChart{Title: label, Bars: []Bar{{Label: label, Value: 3}}}.SVG()),
		"bar table":   string(BarChart{Title: label, Bars: []Bar{{Label: label, Value: 3}}}.Table().HTML()),
		"line":        string(LineChart{Title: label, Series: []Series{{Name: label, Points: []Point{{day(1), 3}}}}}.SVG()),
		"line table":  string(LineChart{Title: label, Series: []Series{{Name: label, Points: []Point{{day(1), 3}}}}}.Table().Hidden()),
		"spark":       string(Sparkline{Title: label, Points: []Point{{day(1), 3}}}.SVG()),
		"spark table": string(Sparkline{Title: label, ValueHeading: label}.Table().HTML()),
	} {
		if strings.Contains(out, "<script") {
			t.Errorf("%s: <script> came out unescaped:\n%s", name, out)
		}
		if !strings.Contains(out, escaped) {
			t.Errorf("%s: lacks the escaped text %q:\n%s", name, escaped, out)
		}
	}
}

func TestClean(t *testing.T) {
	for _, tc := range []struct {
		in   string
		max  int
		want string
	}{
		{"plain", 10, "plain"},
		{"bad \xff byte", 0, "bad \uFFFD byte"},
		{"bell\a and nul\x00", 0, "bell\uFFFD and nul\uFFFD"},
		{"tab\tand\nnewline", 0, "tab\tand\nnewline"},
		{"windows\r\nand\rmac", 0, "windows\nand\nmac"},
		{"exactly10!", 10, "exactly10!"},
		{"eleven long", 10, "eleven lo…"},
		{"ééééé", 3, "éé…"},
		{"\uFFFE", 0, "\uFFFD"},
	} {
		if got := clean(tc.in, tc.max); got != tc.want {
			t.Errorf("clean(%q, %d) = %q, want %q", tc.in, tc.max, got, tc.want)
		}
	}
}

func TestFormatValue(t *testing.T) {
	for in, want := range map[float64]string{
		0: "0", 38: "38", 7.25: "7.3", -3: "-3", 99.96: "100", math.Copysign(0, -1): "0",
		1e300: "1e+300", math.NaN(): "no value", math.Inf(1): "infinity", math.Inf(-1): "minus infinity",
	} {
		if got := formatValue(in); got != want {
			t.Errorf("formatValue(%v) = %q, want %q", in, got, want)
		}
	}
}

func TestBand(t *testing.T) {
	c := BarChart{Bands: ScoreBands()}
	for v, want := range map[float64]string{100: "good", 80: "good", 79.9: "fair", 50: "fair", 49: "poor", 0: "poor", -5: "poor"} {
		if got := c.band(v).Name; got != want {
			t.Errorf("band(%v) = %q, want %q", v, got, want)
		}
	}
	if got := (BarChart{}).band(50); got != (Band{}) {
		t.Errorf("band with no bands = %+v, want none", got)
	}
}

func TestBarTable(t *testing.T) {
	got := BarChart{Title: "Score by area", Bars: areaBars()[:3], Bands: ScoreBands(), MissingText: "not assessed yet", LabelHeading: "Area"}.Table()
	want := Table{Caption: "Score by area", Header: []string{"Area", "Value"}, Rows: [][]string{
		{"Backing up your data", "not assessed yet"},
		{"Protecting from malware", "9 out of 100 (poor)"},
		{"Keeping devices safe", "55 out of 100 (fair)"},
	}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Table (-want +got):\n%s", diff)
	}
}

func TestLineTable(t *testing.T) {
	c := LineChart{Title: "Scores", Series: []Series{
		{Name: "Overall", Points: []Point{{day(2), 60}, {day(1), 55}, {day(2), 61}, {day(3), math.NaN()}}},
		{Points: []Point{{day(1), 20}}},
	}}
	want := Table{Caption: "Scores", Header: []string{"Date", "Overall", "Series 2"}, Rows: [][]string{
		{"1 November 2026", "55", "20"},
		{"2 November 2026", "60, 61", "no data"},
		{"3 November 2026", "no data", "no data"},
	}}
	if diff := cmp.Diff(want, c.Table()); diff != "" {
		t.Errorf("Table (-want +got):\n%s", diff)
	}
	// A time of day is shown when points are not at midnight, in the chart's zone.
	london, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Skip("no time zone data:", err)
	}
	c = LineChart{Location: london, Series: []Series{{Name: "Overall", Points: []Point{{time.Date(2026, 7, 1, 8, 30, 0, 0, time.UTC), 5}}}}}
	if got, want := c.Table().Rows[0][0], "1 July 2026, 09:30"; got != want {
		t.Errorf("date cell = %q, want %q", got, want)
	}
}

func TestRuns(t *testing.T) {
	nan := math.NaN()
	pts := []Point{{day(1), 1}, {day(2), 2}, {day(3), nan}, {day(4), 4}, {day(8), 8}, {day(9), 9}, {day(10), nan}}
	for _, tc := range []struct {
		gap  time.Duration
		want []int // lengths of the runs
	}{
		{0, []int{2, 3}},
		{36 * time.Hour, []int{2, 1, 2}},
		{7 * 24 * time.Hour, []int{2, 3}},
	} {
		var got []int
		for _, r := range runs(pts, tc.gap) {
			got = append(got, len(r))
		}
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("runs with gap %v (-want +got):\n%s", tc.gap, diff)
		}
	}
	if got := runs([]Point{{day(1), nan}}, 0); len(got) != 0 {
		t.Errorf("runs of only NaN = %v, want none", got)
	}
}

func TestTimeTicks(t *testing.T) {
	for _, tc := range []struct {
		name string
		s, e time.Time
		want []string
	}{
		{"days", day(3), day(7), []string{"3 Nov", "4 Nov", "5 Nov", "6 Nov", "7 Nov"}},
		{"one day", day(3), day(4), []string{"3 Nov", "4 Nov"}},
		{"every other day", day(1), day(15), []string{"1 Nov", "3 Nov", "5 Nov", "7 Nov", "9 Nov", "11 Nov", "13 Nov", "15 Nov"}},
		{"mondays", day(1), day(30), []string{"2 Nov", "9 Nov", "16 Nov", "23 Nov", "30 Nov"}},
		{"every other monday", day(1), day(91), []string{"2 Nov", "16 Nov", "30 Nov", "14 Dec", "28 Dec", "11 Jan", "25 Jan"}},
		{"months", time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC), time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC), []string{"Jul 2026", "Aug", "Sep", "Oct", "Nov"}},
		{"months across a new year", time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC), time.Date(2027, 3, 15, 0, 0, 0, 0, time.UTC), []string{"Sep 2026", "Oct", "Nov", "Dec", "Jan 2027", "Feb", "Mar"}},
		{"quarters", time.Date(2025, 2, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC), []string{"Apr 2025", "Jul", "Oct", "Jan 2026", "Apr", "Jul", "Oct"}},
		{"years", time.Date(2014, 5, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC), []string{"2016", "2018", "2020", "2022", "2024", "2026"}},
		{"millennia", time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC), []string{"1 Jan 0001", "1 Jan 9999"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			for _, tk := range timeTicks(tc.s, tc.e, 8) {
				got = append(got, tk.label)
				if tk.at.Before(tc.s) || tk.at.After(tc.e) {
					t.Errorf("tick %s at %v is outside %v to %v", tk.label, tk.at, tc.s, tc.e)
				}
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("ticks (-want +got):\n%s", diff)
			}
		})
	}
}

// Ticks fall on local midnights and Mondays, also across a change of the
// clocks.
func TestTimeTicksInZone(t *testing.T) {
	london, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Skip("no time zone data:", err)
	}
	s, e := time.Date(2026, 10, 23, 0, 0, 0, 0, london), time.Date(2026, 10, 27, 0, 0, 0, 0, london)
	for _, tk := range timeTicks(s, e, 8) {
		if h, m, _ := tk.at.Clock(); h != 0 || m != 0 {
			t.Errorf("tick %s at %v, want local midnight", tk.label, tk.at)
		}
	}
}

func TestSpan(t *testing.T) {
	one := []line{prepare("", []Point{{time.Date(2026, 11, 3, 14, 5, 0, 0, time.UTC), 1}}, time.Time{}, time.Time{}, 100)}
	s, e := span(one, time.Time{}, time.Time{}, time.UTC)
	if !s.Equal(day(2)) || !e.Equal(day(5)) {
		t.Errorf("span of one point = %v to %v, want a day either side of its day", s, e)
	}
	same := []line{prepare("", []Point{{day(3), 1}, {day(3), 2}}, time.Time{}, time.Time{}, 100)}
	if s, e = span(same, time.Time{}, time.Time{}, time.UTC); !s.Equal(day(2)) || !e.Equal(day(4)) {
		t.Errorf("span of points at one midnight = %v to %v, want a day either side", s, e)
	}
	two := []line{prepare("", []Point{{day(9), 1}, {day(2), 1}}, time.Time{}, time.Time{}, 100)}
	if s, e = span(two, time.Time{}, time.Time{}, time.UTC); !s.Equal(day(2)) || !e.Equal(day(9)) {
		t.Errorf("span = %v to %v, want 2 to 9 November", s, e)
	}
	if s, e = span(two, day(1), day(30), time.UTC); !s.Equal(day(1)) || !e.Equal(day(30)) {
		t.Errorf("span with Start and End = %v to %v, want them", s, e)
	}
	if s, e = span(nil, time.Time{}, time.Time{}, time.UTC); !s.IsZero() || !e.IsZero() {
		t.Errorf("span of nothing = %v to %v, want zero", s, e)
	}
}

func TestLineDescription(t *testing.T) {
	for _, tc := range []struct {
		name string
		c    LineChart
		want []string
	}{
		{"no series", LineChart{Title: "T"}, []string{">No data yet.<", ">No data yet</text>"}},
		{"empty series", LineChart{Title: "T", Series: []Series{{Name: "Overall"}}}, []string{">No data yet.<"}},
		{"only NaN", LineChart{Title: "T", Series: []Series{{Name: "Overall", Points: []Point{{day(1), math.NaN()}}}}}, []string{">No data yet.<"}},
		{"clamped", LineChart{Title: "T", Series: []Series{{Name: "Overall", Points: []Point{{day(1), 120}, {day(2), -1}}}}},
			[]string{"2 values are outside 0 to 100 and are drawn at the nearest edge.", "lowest -1, highest 120"}},
		{"one clamped", LineChart{Title: "T", Max: 10, Series: []Series{{Name: "Overall", Points: []Point{{day(1), 12}}}}},
			[]string{"One value is outside 0 to 10", "Overall: one value, 12 on 1 November 2026."}},
		{"one point", LineChart{Title: "T", Series: []Series{{Name: "A", Points: []Point{{day(3), 7}}}}},
			[]string{">On 3 November 2026. A: one value, 7 on 3 November 2026.<"}},
		{"period of the values", LineChart{Title: "T", Series: []Series{{Name: "A", Points: []Point{{day(3), 7}}}, {Name: "B", Points: []Point{{day(1), math.NaN()}, {day(5), 1}}}}},
			[]string{">From 3 November 2026 to 5 November 2026."}},
		{"series without data", LineChart{Title: "T", Series: []Series{{Name: "A", Points: []Point{{day(1), 1}}}, {Name: "B"}}},
			[]string{"B: no data yet."}},
		{"gap", LineChart{Title: "T", Gap: 36 * time.Hour, Series: []Series{{Name: "A", Points: []Point{{day(1), 1}, {day(2), 1}, {day(5), 1}}}}},
			[]string{"Lines break where there is no data."}},
		{"outside start and end", LineChart{Title: "T", Start: day(2), End: day(3), Series: []Series{{Name: "A", Points: []Point{{day(1), 1}, {day(2), 2}, {day(3), 3}, {day(4), 4}}}}},
			[]string{"From 2 November 2026 to 3 November 2026.", "A: 2 values from 2 November 2026 to 3 November 2026; first 2, latest 3"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := string(tc.c.SVG())
			checkAccessible(t, got)
			for _, w := range tc.want {
				if !strings.Contains(got, w) {
					t.Errorf("chart lacks %q:\n%s", w, got)
				}
			}
		})
	}
}

func TestBarDescription(t *testing.T) {
	got := string(BarChart{Title: "T", Bars: areaBars(), Bands: ScoreBands(), MissingText: "not assessed yet"}.SVG())
	for _, w := range []string{
		"Backing up your data: not assessed yet. Protecting from malware: 9 out of 100, poor.",
		">9 (poor)</text>", ">100 (good)</text>", `class="bar poor" fill="#d4351c"`,
	} {
		if !strings.Contains(got, w) {
			t.Errorf("chart lacks %q:\n%s", w, got)
		}
	}
	if strings.Contains(got, "nearest end") {
		t.Error("description mentions clamping, but no value is out of range")
	}
	got = string(BarChart{Title: "T", Bars: []Bar{{Label: "A", Value: 130}}}.SVG())
	if !strings.Contains(got, "Values outside 0 to 100 are drawn at the nearest end of the scale.") || !strings.Contains(got, `width="360" height="22" class="bar"`) {
		t.Errorf("a value over the maximum is not clamped and explained:\n%s", got)
	}
}

// relativeLuminance follows WCAG 2.2's definition for an sRGB "#rrggbb".
func relativeLuminance(t *testing.T, hex string) float64 {
	t.Helper()
	if len(hex) != 7 {
		t.Fatalf("colour %q is not #rrggbb", hex)
	}
	var c [3]float64
	for i := range c {
		v, err := strconv.ParseUint(hex[1+2*i:3+2*i], 16, 8)
		if err != nil {
			t.Fatal(err)
		}
		x := float64(v) / 255
		if x <= 0.04045 {
			x /= 12.92
		} else {
			x = math.Pow((x+0.055)/1.055, 2.4)
		}
		c[i] = x
	}
	return 0.2126*c[0] + 0.7152*c[1] + 0.0722*c[2]
}

func contrast(t *testing.T, a, b string) float64 {
	la, lb := relativeLuminance(t, a), relativeLuminance(t, b)
	if la < lb {
		la, lb = lb, la
	}
	return (la + 0.05) / (lb + 0.05)
}

// Text must contrast 4.5:1 with the background (WCAG 1.4.3); lines, bars
// and markers 3:1 (WCAG 1.4.11). Series colours are held to 4.5:1 too, as
// the legend relies on them.
func TestContrast(t *testing.T) {
	for _, tc := range []struct {
		what, colour string
		min          float64
	}{
		{"ink text", ink, 4.5},
		{"muted text", muted, 4.5},
	} {
		if got := contrast(t, tc.colour, background); got < tc.min {
			t.Errorf("%s %s: contrast %.2f, want at least %.1f", tc.what, tc.colour, got, tc.min)
		}
	}
	if got := contrast(t, muted, trackColour); got < 4.5 {
		t.Errorf("muted text on the track: contrast %.2f, want at least 4.5", got)
	}
	for _, c := range palette {
		if got := contrast(t, c, background); got < 4.5 {
			t.Errorf("series colour %s: contrast %.2f, want at least 4.5", c, got)
		}
	}
	for _, b := range ScoreBands() {
		if got := contrast(t, b.Colour, background); got < 3 {
			t.Errorf("band %s colour %s: contrast %.2f, want at least 3", b.Name, b.Colour, got)
		}
		if got := contrast(t, b.Colour, trackColour); got < 3 {
			t.Errorf("band %s colour %s on the track: contrast %.2f, want at least 3", b.Name, b.Colour, got)
		}
	}
}

// Any two series differ in dash pattern or marker as well as colour, so
// the legend works in greyscale and for people who do not see colour.
func TestSeriesStylesDifferBeyondColour(t *testing.T) {
	for i := 0; i < 25; i++ {
		for j := i + 1; j < 25; j++ {
			a, b := styleOf(i), styleOf(j)
			if a == b {
				t.Errorf("series %d and %d look the same: %+v", i+1, j+1, a)
			}
			if a.dash == b.dash && a.marker == b.marker {
				t.Errorf("series %d and %d differ only in colour: %+v, %+v", i+1, j+1, a, b)
			}
		}
	}
}

func TestNiceStep(t *testing.T) {
	for raw, want := range map[float64]float64{20: 20, 8: 10, 2.2: 2.5, 0.3: 0.5, 7: 10, 0: 1, -1: 1} {
		if got := niceStep(raw); math.Abs(got-want) > 1e-9 {
			t.Errorf("niceStep(%v) = %v, want %v", raw, got, want)
		}
	}
}

func TestTableHidden(t *testing.T) {
	got := string(Table{Caption: "C", Header: []string{"A", "B"}, Rows: [][]string{{"x", "1"}}}.Hidden())
	want := `<div class="visually-hidden"><table class="chart-data"><caption>C</caption><thead><tr><th scope="col">A</th><th scope="col">B</th></tr></thead><tbody><tr><th scope="row">x</th><td>1</td></tr>` + "\n" + `</tbody></table></div>`
	if got != want {
		t.Errorf("Hidden() =\n%s\nwant\n%s", got, want)
	}
	if !strings.Contains(VisuallyHiddenCSS, "."+HiddenClass+"{") {
		t.Errorf("VisuallyHiddenCSS does not style .%s", HiddenClass)
	}
}

// A chart with no title still has a name, or a screen reader would announce
// an unnamed image.
func TestBlankTitleHasDefault(t *testing.T) {
	for want, svg := range map[string]template.HTML{
		"Bar chart":  BarChart{Title: " "}.SVG(),
		"Line chart": LineChart{}.SVG(),
		"Trend":      Sparkline{Title: "\n"}.SVG(),
	} {
		p := checkAccessible(t, string(svg))
		if got := p.text[strings.Fields(p.attrs["aria-labelledby"])[0]]; got != want {
			t.Errorf("title = %q, want %q", got, want)
		}
	}
	if got := (LineChart{}).Table().Caption; got != "Line chart" {
		t.Errorf("caption = %q, want Line chart", got)
	}
}

// Values and times outside the axes are drawn at the nearest edge, never
// outside the plot.
func TestScaleClamps(t *testing.T) {
	sc := newScale(day(1), day(11), 40, 500, 10, 200, 100)
	for _, tc := range []struct {
		name      string
		got, want float64
	}{
		{"y of 100", sc.y(100), 10},
		{"y of 0", sc.y(0), 210},
		{"y of 50", sc.y(50), 110},
		{"y above the top", sc.y(150), 10},
		{"y below zero", sc.y(-5), 210},
		{"y of infinity", sc.y(math.Inf(1)), 10},
		{"x at the start", sc.x(day(1)), 40},
		{"x half way", sc.x(day(6)), 290},
		{"x before the start", sc.x(day(1).AddDate(-1, 0, 0)), 40},
		{"x after the end", sc.x(day(20)), 540},
	} {
		if math.Abs(tc.got-tc.want) > 1e-9 {
			t.Errorf("%s = %v, want %v", tc.name, tc.got, tc.want)
		}
	}
}
