// Package report renders assessments for people and programs: plain text
// for a terminal, a stable JSON document, and one self-contained printable
// HTML page with a chart of the areas.
package report

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/handwash/handwash"
)

// Formats lists the formats Render knows.
var Formats = []string{"text", "json", "html"}

// Input is what a report is made from.
type Input struct {
	Assessment *handwash.Assessment
	// Controls are the catalogue's controls, for references and checks text.
	Controls []*handwash.Control
	// Version is the Handwash version that made the report.
	Version string
}

// Render writes the assessment in the named format.
func Render(w io.Writer, format string, in Input) error {
	switch format {
	case "text":
		return Text(w, in)
	case "json":
		return JSON(w, in)
	case "html":
		return HTML(w, in)
	}
	return handwash.Errorf(handwash.EINVALID, "unknown format %q: use one of %s", format, strings.Join(Formats, ", "))
}

// JSON writes the assessment as the documented JSON document
// (docs/assessment.schema.json).
func JSON(w io.Writer, in Input) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(in.Assessment)
}

// view is the assessment arranged for reading, shared by the text and HTML
// renderers.
type view struct {
	A        *handwash.Assessment
	Version  string
	Controls map[string]*handwash.Control
	FixFirst []handwash.Finding
	Areas    []areaView
	Unknown  []handwash.Finding
	Excepted []handwash.Finding
	Expired  []handwash.Finding
	Platform handwash.Platform
}

type areaView struct {
	handwash.AreaScore
	Findings []handwash.Finding
}

func newView(in Input) *view {
	a := in.Assessment
	v := &view{A: a, Version: in.Version, Controls: map[string]*handwash.Control{}, Platform: a.Device.Platform}
	for _, c := range in.Controls {
		v.Controls[c.ID] = c
	}
	byID := map[string]handwash.Finding{}
	byArea := map[handwash.Area][]handwash.Finding{}
	for _, f := range a.Findings {
		byID[f.ControlID] = f
		byArea[f.Area] = append(byArea[f.Area], f)
		switch {
		case f.Status == handwash.StatusUnknown:
			v.Unknown = append(v.Unknown, f)
		case f.Status == handwash.StatusExcepted:
			v.Excepted = append(v.Excepted, f)
		}
		if f.Exception != nil && f.Exception.Expired {
			v.Expired = append(v.Expired, f)
		}
	}
	for _, id := range a.FixFirst {
		v.FixFirst = append(v.FixFirst, byID[id])
	}
	for _, as := range a.Areas {
		fs := byArea[as.Area]
		sort.SliceStable(fs, func(i, j int) bool {
			if r1, r2 := statusRank(fs[i].Status), statusRank(fs[j].Status); r1 != r2 {
				return r1 < r2
			}
			if fs[i].Severity.Rank() != fs[j].Severity.Rank() {
				return fs[i].Severity.Rank() > fs[j].Severity.Rank()
			}
			return fs[i].ControlID < fs[j].ControlID
		})
		v.Areas = append(v.Areas, areaView{AreaScore: as, Findings: fs})
	}
	return v
}

// statusRank orders findings within an area: problems first.
func statusRank(s handwash.Status) int {
	switch s {
	case handwash.StatusFail:
		return 0
	case handwash.StatusUnknown:
		return 1
	case handwash.StatusExcepted:
		return 2
	case handwash.StatusPass:
		return 3
	}
	return 4
}

// statusLabel is how a status reads in a report.
func statusLabel(s handwash.Status) string {
	switch s {
	case handwash.StatusPass:
		return "PASS"
	case handwash.StatusFail:
		return "FAIL"
	case handwash.StatusUnknown:
		return "UNKNOWN"
	case handwash.StatusExcepted:
		return "ACCEPTED"
	case handwash.StatusNotApplicable:
		return "N/A"
	}
	return strings.ToUpper(string(s))
}

// scoreLine explains a score in words: "3 of 5 high-severity controls pass".
func scoreLine(s handwash.Score, findings []handwash.Finding) string {
	if !s.Assessed {
		return "not assessed yet"
	}
	parts := []string{fmt.Sprintf("%d passed", s.Pass)}
	if s.Fail > 0 {
		parts = append(parts, fmt.Sprintf("%d failed", s.Fail))
	}
	if s.Unknown > 0 {
		parts = append(parts, fmt.Sprintf("%d could not be checked", s.Unknown))
	}
	if s.Excepted > 0 {
		parts = append(parts, fmt.Sprintf("%d accepted as exceptions", s.Excepted))
	}
	line := strings.Join(parts, ", ")
	// Name the most serious level that is not all passing.
	for _, sev := range []handwash.Severity{handwash.SeverityCritical, handwash.SeverityHigh} {
		total, ok := 0, 0
		for _, f := range findings {
			if f.Severity != sev || f.Status == handwash.StatusNotApplicable {
				continue
			}
			total++
			if f.Status == handwash.StatusPass || f.Status == handwash.StatusExcepted {
				ok++
			}
		}
		if total > 0 && ok < total {
			return fmt.Sprintf("%s; %d of %d %s-severity controls pass", line, ok, total, sev)
		}
	}
	return line
}

func osLine(a *handwash.Assessment) string {
	parts := []string{}
	if a.Device.Hostname != "" {
		parts = append(parts, a.Device.Hostname)
	}
	if a.Facts.OS != "" {
		parts = append(parts, a.Facts.OS)
	} else {
		parts = append(parts, a.Device.Platform.Title())
	}
	return strings.Join(parts, " — ")
}

func when(t time.Time) string {
	if t.IsZero() {
		return "unknown"
	}
	return t.UTC().Format("2 January 2006, 15:04 UTC")
}

// refLine renders one reference as text.
func refLine(r handwash.Reference) string {
	s := handwash.SchemeTitle(r.Scheme)
	if r.ID != "" {
		s += " " + r.ID
	}
	return s + ": " + r.Text
}
