package training

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/handwash/handwash"
	"github.com/handwash/handwash/internal/golden"
)

// team makes n people who count, the first trained of them completing
// training a month before testNow and the rest never trained.
func team(n, trained int) ([]*handwash.StaffMember, []handwash.TrainingRecord) {
	var staff []*handwash.StaffMember
	var records []handwash.TrainingRecord
	for i := range n {
		m := &handwash.StaffMember{ID: fmt.Sprintf("stf-%02d", i+1), Name: fmt.Sprintf("Carer %02d", i+1), Role: "Carer", StartedOn: date(2020, 1, 1)}
		staff = append(staff, m)
		if i < trained {
			records = append(records, handwash.TrainingRecord{StaffID: m.ID, Course: "Data Security Awareness Level 1",
				CompletedOn: *date(2026, 10, 30-i%28), Source: handwash.TrainingByHand})
		}
	}
	return staff, records
}

// The DSPT's 95% is met at 95% exactly and missed just below it.
func TestStatusTarget(t *testing.T) {
	for _, c := range []struct {
		n, trained, percent, needed int
		met                         bool
		status                      handwash.Status
	}{
		{20, 20, 100, 0, true, handwash.StatusPass},
		{20, 19, 95, 0, true, handwash.StatusPass},
		{20, 18, 90, 1, false, handwash.StatusFail},
		{200, 190, 95, 0, true, handwash.StatusPass},
		{200, 189, 94, 1, false, handwash.StatusFail}, // 94.5% is not 95%
		{7, 6, 85, 1, false, handwash.StatusFail},     // 95% of 7 is 6.65: all 7 are needed
		{1, 0, 0, 1, false, handwash.StatusFail},
		{1, 1, 100, 0, true, handwash.StatusPass},
		{0, 0, 0, 0, false, handwash.StatusUnknown},
	} {
		staff, records := team(c.n, c.trained)
		s := Status(staff, records, testNow)
		f := s.Finding()
		if s.Counted != c.n || s.Trained != c.trained || s.Percent != c.percent || s.Met != c.met || s.Needed != c.needed || f.Status != c.status {
			t.Errorf("%d of %d: counted %d trained %d percent %d met %v needed %d status %s; want %d%% met %v needed %d status %s",
				c.trained, c.n, s.Counted, s.Trained, s.Percent, s.Met, s.Needed, f.Status, c.percent, c.met, c.needed, c.status)
		}
		if len(s.Overdue) != c.n-c.trained || len(s.Due) != c.n {
			t.Errorf("%d of %d: %d overdue, %d due", c.trained, c.n, len(s.Overdue), len(s.Due))
		}
	}
}

// Leavers and people who have not started yet do not count, either way.
func TestStatusWhoCounts(t *testing.T) {
	staff, records := team(19, 19)
	staff = append(staff,
		&handwash.StaffMember{ID: "left", Name: "Left Yesterday", LeftOn: date(2026, 11, 29)},
		&handwash.StaffMember{ID: "left-today", Name: "Left Today", LeftOn: date(2026, 11, 30)},
		&handwash.StaffMember{ID: "starts", Name: "Starts Tomorrow", StartedOn: date(2026, 12, 1)},
		&handwash.StaffMember{ID: "leaving", Name: "Leaving Tomorrow", LeftOn: date(2026, 12, 1)},
		&handwash.StaffMember{ID: "started", Name: "Started Today", StartedOn: date(2026, 11, 30)},
		nil,
	)
	s := Status(staff, records, testNow)
	if s.Registered != 24 || s.Counted != 21 || s.Left != 2 || s.NotStarted != 1 || s.Trained != 19 {
		t.Errorf("registered %d counted %d left %d not started %d trained %d; want 24, 21, 2, 1, 19", s.Registered, s.Counted, s.Left, s.NotStarted, s.Trained)
	}
	var overdue []string
	for _, p := range s.Overdue {
		overdue = append(overdue, p.Staff.Name)
	}
	if d := cmp.Diff([]string{"Leaving Tomorrow", "Started Today"}, overdue); d != "" {
		t.Errorf("overdue (-want +got):\n%s", d)
	}
	// 19 of 21 is 90%: the untrained leavers and starters would have made
	// it 19 of 24, and counting only the trained, 19 of 19.
	if s.Percent != 90 || s.Met {
		t.Errorf("percent %d met %v", s.Percent, s.Met)
	}
}

// The most recent completion counts, and lapses twelve months later, on
// UK days.
func TestStatusLapses(t *testing.T) {
	staff := []*handwash.StaffMember{
		{ID: "a", Name: "Ann"}, {ID: "b", Name: "Bea"}, {ID: "c", Name: "Cal"}, {ID: "d", Name: "Dev"},
		{ID: "e", Name: "Eve"}, {ID: "f", Name: "Fin"}, {ID: "g", Name: "Gus"},
	}
	london, _ := time.LoadLocation("Europe/London")
	records := []handwash.TrainingRecord{
		// Ann: an old course, then a new one.
		{StaffID: "a", Course: "Old", CompletedOn: *date(2024, 6, 1)},
		{StaffID: "a", Course: "New", CompletedOn: *date(2026, 6, 1)},
		{StaffID: "a", Course: "Older", CompletedOn: *date(2023, 6, 1)},
		// Bea: a year ago tomorrow, still counts today, lapses tomorrow.
		{StaffID: "b", Course: "C", CompletedOn: *date(2025, 12, 1)},
		// Cal: a year ago today: lapsed today.
		{StaffID: "c", Course: "C", CompletedOn: *date(2025, 11, 30)},
		// Dev: a quiz passed at 00:30 UK summer time on 1 December 2025 is
		// 23:30 UTC on 30 November, but the UK day is 1 December.
		{StaffID: "d", Course: "Quiz", CompletedOn: time.Date(2025, 12, 1, 0, 30, 0, 0, london), Source: handwash.TrainingQuiz},
		// Eve: a date still to come does not count.
		{StaffID: "e", Course: "Booked", CompletedOn: *date(2026, 12, 5)},
		// Fin: training recorded for someone else's ID.
		{StaffID: "nobody", Course: "C", CompletedOn: *date(2026, 11, 1)},
		// Gus: trained in March.
		{StaffID: "g", Course: "C", CompletedOn: *date(2026, 3, 15)},
	}
	s := Status(staff, records, testNow)
	var got []string
	for _, p := range s.Due {
		v := p.Staff.Name + " never"
		if p.Last != nil {
			v = fmt.Sprintf("%s %s lapses %s trained %v", p.Staff.Name, p.Last.Course, p.Lapses.Format(time.DateOnly), p.Trained)
		}
		got = append(got, v)
	}
	want := []string{
		"Eve never",
		"Fin never",
		"Cal C lapses 2026-11-30 trained false",
		"Bea C lapses 2026-12-01 trained true",
		"Dev Quiz lapses 2026-12-01 trained true",
		"Gus C lapses 2027-03-15 trained true",
		"Ann New lapses 2027-06-01 trained true",
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("due (-want +got):\n%s", d)
	}
	if len(s.Overdue) != 3 || s.Overdue[2].Staff.Name != "Cal" {
		t.Errorf("overdue %+v", s.Overdue)
	}
	// Late in the evening of 30 November UK time is still 30 November.
	late := time.Date(2026, 11, 30, 23, 59, 0, 0, london)
	if s := Status(staff, records, late); s.Trained != 4 {
		t.Errorf("at %v: %d trained", late, s.Trained)
	}
	// In summer, 23:30 UTC is already the next UK day.
	summer := []handwash.TrainingRecord{{StaffID: "a", Course: "C", CompletedOn: *date(2025, 7, 1)}}
	if s := Status(staff[:1], summer, time.Date(2026, 6, 30, 23, 30, 0, 0, time.UTC)); s.Trained != 0 {
		t.Errorf("lapsed training counted on the UK day it lapsed")
	}
}

// cases are organisations as the store would hold them.
func cases(t *testing.T) map[string]Summary {
	register, registerRecords := stored(t, parseFileT(t, "spreadsheet-register.csv"))
	rota, rotaRecords := stored(t, parseFileT(t, "rota-export.csv"))
	pass, passRecords := team(20, 19)
	fail, failRecords := team(20, 18)
	many, manyRecords := team(40, 25)
	left := []*handwash.StaffMember{{ID: "x", Name: "Gone", LeftOn: date(2025, 1, 1)}, {ID: "y", Name: "Soon", StartedOn: date(2027, 1, 1)}}
	return map[string]Summary{
		"register":      Status(register, registerRecords, testNow),
		"rota":          Status(rota, rotaRecords, testNow),
		"pass-19-of-20": Status(pass, passRecords, testNow),
		"fail-18-of-20": Status(fail, failRecords, testNow),
		"many-overdue":  Status(many, manyRecords, testNow),
		"none":          Status(nil, nil, testNow),
		"nobody-counts": Status(left, nil, testNow),
	}
}

// TestGolden compares each case's finding, as text and as JSON, with
// testdata/finding-<name>.golden. Run with -update to rewrite them after a
// deliberate change, and read the diff: it is what people see.
func TestGolden(t *testing.T) {
	for name, s := range cases(t) {
		t.Run(name, func(t *testing.T) {
			f := s.Finding()
			js, err := json.MarshalIndent(f, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			golden.Check(t, "finding-"+name+".golden", render(f)+"\n"+string(js)+"\n")
		})
	}
}

func TestFindingStatuses(t *testing.T) {
	want := map[string]handwash.Status{
		"register": handwash.StatusFail, "rota": handwash.StatusFail, "pass-19-of-20": handwash.StatusPass,
		"fail-18-of-20": handwash.StatusFail, "many-overdue": handwash.StatusFail, "none": handwash.StatusUnknown,
		"nobody-counts": handwash.StatusUnknown,
	}
	for name, s := range cases(t) {
		f := s.Finding()
		if f.Status != want[name] || f.ControlID != ControlID || f.Area != handwash.AreaPeople {
			t.Errorf("%s: %s %s %s, want %s", name, f.ControlID, f.Area, f.Status, want[name])
		}
		if hasWhy := f.Why != "" && f.Fix != ""; hasWhy != (f.Status != handwash.StatusPass) {
			t.Errorf("%s: %s finding with why %q", name, f.Status, f.Why)
		}
	}
}

func render(f handwash.Finding) string {
	var b strings.Builder
	fmt.Fprintf(&b, "== %s [%s, %s, %s] %s\n%s\n", f.ControlID, f.Area, f.Severity, f.Status, f.Title, f.Summary)
	for _, e := range f.Evidence {
		fmt.Fprintf(&b, "  %s: %s\n", e.Label, e.Value)
	}
	for _, m := range f.Missing {
		fmt.Fprintf(&b, "  missing %s (%s): %s\n", m.Fact, m.Reason, m.Detail)
	}
	if f.Why != "" {
		fmt.Fprintf(&b, "Why: %s\nFix:\n%s\n", f.Why, f.Fix)
	}
	return b.String()
}
