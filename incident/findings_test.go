package incident

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/handwash/handwash"
	"github.com/handwash/handwash/internal/golden"
)

// entered is an incident as the dashboard's form would give it.
func entered(t *testing.T, id string, fields map[string]string) *handwash.Incident {
	t.Helper()
	f := map[string]string{"title": "Incident " + id, "what": "What happened."}
	for k, v := range fields {
		f[k] = v
	}
	in, err := ParseForm(f, testNow)
	if err != nil {
		t.Fatalf("%s: %v", id, err)
	}
	in.ID = id
	return &in
}

// cases are incident logs as the store would hold them, at testNow
// (09:00 on Monday 30 November 2026).
func cases(t *testing.T) map[string][]*handwash.Incident {
	reported := entered(t, "inc-1", map[string]string{"title": "Care plan emailed to the wrong family", "occurred_at": "2026-11-02T10:15", "discovered_at": "2026-11-02T16:40",
		"personal_data": "yes", "ico_reported_on": "2026-11-03", "dspt_reported_on": "2026-11-03", "references": "DSPT 26-1234; ICO IC-000002",
		"actions": "Family asked to delete it; they confirmed.", "lessons": "Check the address before sending; use the care system's secure messages.", "closed_on": "2026-11-20"})
	nearMiss := entered(t, "inc-2", map[string]string{"title": "Phishing email reported by night staff", "occurred_at": "2026-11-20T02:10", "discovered_at": "2026-11-20T02:15",
		"near_miss": "yes", "lessons": "Praised at handover; reminded staff how to report.", "closed_on": "2026-11-21"})
	laptop := entered(t, "inc-3", map[string]string{"title": "Laptop stolen from car", "occurred_at": "2026-11-24T17:30", "discovered_at": "2026-11-24T18:10",
		"personal_data": "yes", "actions": "Asked the IT provider to wipe it."})
	invoice := entered(t, "inc-4", map[string]string{"title": "Supplier invoice paid to fraudsters' account", "occurred_at": "2026-09-14T11:00", "discovered_at": "2026-10-01T09:00",
		"fraud": "yes", "dspt_reported_on": "2026-10-02"})
	dsptLate := entered(t, "inc-5", map[string]string{"title": "Rota spreadsheet shared publicly by link", "occurred_at": "2026-11-10T09:00", "discovered_at": "2026-11-12T14:00",
		"personal_data": "yes", "ico_reported_on": "2026-11-13", "lessons": "Sharing links set to the organisation only."})
	fresh := entered(t, "inc-6", map[string]string{"title": "Residents' photos posted to the wrong Facebook group", "occurred_at": "2026-11-30T07:00", "discovered_at": "2026-11-30T08:00",
		"personal_data": "yes"})
	ransom := entered(t, "inc-7", map[string]string{"title": "Office PC showed a ransom note", "occurred_at": "2026-11-29T22:00", "discovered_at": "2026-11-29T22:30",
		"fraud": "yes", "personal_data": "yes", "ico_reported_on": "2026-11-30"})
	var many []*handwash.Incident
	for i := range 12 {
		many = append(many, entered(t, fmt.Sprintf("old-%02d", i), map[string]string{
			"title":         fmt.Sprintf("Fax sent to the wrong GP surgery %d", i+1),
			"occurred_at":   fmt.Sprintf("2026-%02d-10T10:00", i%9+1),
			"discovered_at": fmt.Sprintf("2026-%02d-11T10:00", i%9+1),
			"personal_data": "yes", "ico_reported_on": fmt.Sprintf("2026-%02d-11", i%9+1), "dspt_reported_on": fmt.Sprintf("2026-%02d-11", i%9+1),
		}))
	}
	return map[string][]*handwash.Incident{
		"empty":     nil,
		"good":      {reported, nearMiss, nil},
		"ico-late":  {reported, laptop, invoice},
		"dspt-late": {dsptLate, nearMiss},
		"pending":   {fresh, ransom, nearMiss},
		"many":      many,
	}
}

// TestGolden judges each case and compares the findings, as text and as
// JSON, with testdata/findings-<name>.golden. Run with -update to rewrite
// them after a deliberate change, and read the diff: it is what people
// see.
func TestGolden(t *testing.T) {
	for name, log := range cases(t) {
		t.Run(name, func(t *testing.T) {
			fs := Findings(log, testNow)
			js, err := json.MarshalIndent(fs, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			golden.Check(t, "findings-"+name+".golden", render(fs)+string(js)+"\n")
		})
	}
}

// TestFindingStatuses pins each case's verdicts, so a change of wording
// cannot hide a change of verdict in a large golden diff.
func TestFindingStatuses(t *testing.T) {
	type verdict struct {
		status   handwash.Status
		severity handwash.Severity
	}
	var (
		na       = verdict{handwash.StatusNotApplicable, handwash.SeverityHigh}
		pass     = verdict{handwash.StatusPass, handwash.SeverityHigh}
		critical = verdict{handwash.StatusFail, handwash.SeverityCritical}
		high     = verdict{handwash.StatusFail, handwash.SeverityHigh}
		lessons  = verdict{handwash.StatusPass, handwash.SeverityMedium}
		noLesson = verdict{handwash.StatusFail, handwash.SeverityMedium}
	)
	want := map[string][2]verdict{
		"empty":     {na, {handwash.StatusNotApplicable, handwash.SeverityMedium}},
		"good":      {pass, lessons},
		"ico-late":  {critical, noLesson},
		"dspt-late": {high, lessons},
		"pending":   {pass, lessons},
		"many":      {pass, noLesson},
	}
	for name, log := range cases(t) {
		fs := Findings(log, testNow)
		if len(fs) != 2 {
			t.Fatalf("%s: %d findings", name, len(fs))
		}
		for i, id := range []string{ControlReporting, ControlLessons} {
			f := fs[i]
			got := verdict{f.Status, f.Severity}
			if f.ControlID != id || f.Area != handwash.AreaPeople || got != want[name][i] {
				t.Errorf("%s: finding %d is %s in %s, %v; want %s %v: %s", name, i, f.ControlID, f.Area, got, id, want[name][i], f.Summary)
			}
			if (f.Why != "" && f.Fix != "") != (f.Status == handwash.StatusFail) {
				t.Errorf("%s: %s %s with why %q", name, id, f.Status, f.Why)
			}
		}
	}
}

// An incident 30 days old is not yet stale; a minute later it is, unless
// lessons are written or it is closed.
func TestLessonsBoundary(t *testing.T) {
	found := utc(2026, 10, 31, 9, 0)
	in := &handwash.Incident{Title: "t", What: "w", OccurredAt: found, DiscoveredAt: found}
	at := found.Add(LessonsWithin)
	if f := Findings([]*handwash.Incident{in}, at)[1]; f.Status != handwash.StatusPass {
		t.Errorf("at 30 days: %s", f.Summary)
	}
	if f := Findings([]*handwash.Incident{in}, at.Add(time.Minute))[1]; f.Status != handwash.StatusFail {
		t.Errorf("after 30 days: %s", f.Summary)
	}
	for _, change := range []func(in handwash.Incident) handwash.Incident{
		func(in handwash.Incident) handwash.Incident { in.Lessons = "Lock the office."; return in },
		func(in handwash.Incident) handwash.Incident { in.ClosedOn = day(2026, 11, 2); return in },
	} {
		c := change(*in)
		if f := Findings([]*handwash.Incident{&c}, at.Add(time.Minute))[1]; f.Status != handwash.StatusPass {
			t.Errorf("%+v: %s", c, f.Summary)
		}
	}
}

func render(fs []handwash.Finding) string {
	var b strings.Builder
	for _, f := range fs {
		fmt.Fprintf(&b, "== %s [%s, %s, %s] %s\n%s\n", f.ControlID, f.Area, f.Severity, f.Status, f.Title, f.Summary)
		for _, e := range f.Evidence {
			fmt.Fprintf(&b, "  %s: %s\n", e.Label, e.Value)
		}
		if f.Why != "" {
			fmt.Fprintf(&b, "Why: %s\nFix:\n%s\n", f.Why, f.Fix)
		}
		b.WriteString("\n")
	}
	return b.String()
}
