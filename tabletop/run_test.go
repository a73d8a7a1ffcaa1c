package tabletop

import (
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/handwash/handwash"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata/")

func scenario(t *testing.T, id string) Scenario {
	t.Helper()
	for _, s := range builtIn(t) {
		if s.ID == id {
			return s
		}
	}
	t.Fatalf("no built-in scenario %s", id)
	return Scenario{}
}

// fixedRun is a sitting of ransomware-friday-night: some items met, some
// partly, some not, some not rated, and answers given out of order.
func fixedRun() Run {
	return Run{
		ScenarioID:   "ransomware-friday-night",
		Facilitator:  "Jo Evans, deputy manager",
		Participants: []string{"Amira Khan, registered manager", "Grace Obi, senior carer (nights)", "Tom Reid, IT provider", "Helen Marsh, data protection lead"},
		Started:      time.Date(2026, 11, 20, 14, 0, 0, 0, time.UTC),
		Answers: []RunAnswer{
			{InjectIndex: 1, Question: 1, Text: "The backup disk is plugged into the server all the time. Nobody takes it home.", By: "Tom Reid"},
			{InjectIndex: 0, Question: 0, Text: "Grace would ring the on-call phone. The number is on the board in the office.", By: "Grace Obi"},
			{InjectIndex: 0, Question: 1, Text: "  We thought she would switch it off at the wall.  "},
			{InjectIndex: 2, Question: 1, Text: "Helen decides; nobody was sure when the 72 hours start.", By: "Helen Marsh"},
		},
		Ratings: []Rating{
			{InjectIndex: 0, Good: 0, Met: MetYes, Note: "On-call number on the office board and in the night folder."},
			{InjectIndex: 0, Good: 1, Met: MetNo, Note: "Staff would restart it and try to carry on."},
			{InjectIndex: 1, Good: 1, Met: MetNo, Note: "Only backup is always plugged in."},
			{InjectIndex: 1, Good: 2, Met: MetPartly},
			{InjectIndex: 2, Good: 0, Met: MetYes},
			{InjectIndex: 2, Good: 2, Met: MetPartly, Note: "Helen knows the 72 hours; nobody else does."},
			{InjectIndex: 3, Good: 0, Met: MetNo, Note: "Restore never tested."},
		},
	}
}

// TestReportGolden compares the after-action summary of fixedRun with
// testdata/report.golden. Regenerate with -update and read the diff: it is
// the behaviour change (or the change to the scenario's wording).
func TestReportGolden(t *testing.T) {
	s := scenario(t, "ransomware-friday-night")
	run := fixedRun()
	if err := s.ValidateRun(run); err != nil {
		t.Fatal(err)
	}
	b, err := json.MarshalIndent(s.Report(run), "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	got := string(b) + "\n"
	golden := filepath.Join("testdata", "report.golden")
	if *update {
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test ./tabletop -update)", err)
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("%s (-want +got):\n%s", golden, diff)
	}
}

// Every item of good practice appears once, went well only when rated yes,
// and the gaps come no, then partly, then not rated, carrying their links.
func TestReportSortsEveryItem(t *testing.T) {
	for _, s := range builtIn(t) {
		run := Run{ScenarioID: s.ID}
		mets := []string{MetYes, MetPartly, MetNo, ""}
		n := 0
		for i, in := range s.Injects {
			for j := range in.Good {
				if m := mets[n%len(mets)]; m != "" {
					run.Ratings = append(run.Ratings, Rating{InjectIndex: i, Good: j, Met: m})
				}
				n++
			}
		}
		if err := s.ValidateRun(run); err != nil {
			t.Fatalf("%s: %v", s.ID, err)
		}
		aa := s.Report(run)
		if got := len(aa.WentWell) + len(aa.Gaps); got != n {
			t.Errorf("%s: %d items in the report, want %d", s.ID, got, n)
		}
		seen := map[[2]int]bool{}
		for _, o := range append(append([]Outcome(nil), aa.WentWell...), aa.Gaps...) {
			key := [2]int{o.InjectIndex, o.Good}
			if seen[key] {
				t.Errorf("%s: inject %d, item %d reported twice", s.ID, o.InjectIndex, o.Good)
			}
			seen[key] = true
			if want := s.Injects[o.InjectIndex].Good[o.Good]; o.Text != want.Text || !cmp.Equal(o.Links, want.Links) {
				t.Errorf("%s: inject %d, item %d: got %q %v, want %q %v", s.ID, o.InjectIndex, o.Good, o.Text, o.Links, want.Text, want.Links)
			}
		}
		for _, o := range aa.WentWell {
			if o.Met != MetYes {
				t.Errorf("%s: went well with met %q", s.ID, o.Met)
			}
		}
		for i, o := range aa.Gaps {
			if o.Met == MetYes {
				t.Errorf("%s: gap rated yes", s.ID)
			}
			if len(o.Links) == 0 {
				t.Errorf("%s: gap %q has no actions", s.ID, o.Text)
			}
			if i > 0 && metRank(aa.Gaps[i-1].Met) > metRank(o.Met) {
				t.Errorf("%s: gap rated %q after one rated %q", s.ID, o.Met, aa.Gaps[i-1].Met)
			}
		}
	}
}

// An empty run reports every item as a gap, not rated; a run that points at
// nothing is ignored rather than a panic.
func TestReportUnratedAndOutOfRange(t *testing.T) {
	s := scenario(t, "lost-laptop")
	aa := s.Report(Run{
		ScenarioID: s.ID,
		Answers:    []RunAnswer{{InjectIndex: 99, Text: "x"}, {InjectIndex: 0, Question: -1, Text: "x"}},
		Ratings:    []Rating{{InjectIndex: -1, Met: MetYes}, {InjectIndex: 0, Good: 99, Met: MetYes}, {InjectIndex: 0, Good: 0, Met: "maybe"}},
	})
	if len(aa.WentWell) != 0 || len(aa.Discussion) != 0 {
		t.Errorf("went well %d, discussion %d; want none", len(aa.WentWell), len(aa.Discussion))
	}
	for _, g := range aa.Gaps {
		if g.Met != "" {
			t.Errorf("gap %q rated %q, want not rated", g.Text, g.Met)
		}
	}
}

func TestValidateRun(t *testing.T) {
	s := scenario(t, "ransomware-friday-night")
	long := strings.Repeat("é", MaxTextLength) // characters, not bytes
	tests := []struct {
		name string
		edit func(*Run)
		want string // "" for no error
	}{
		{"fixed run", func(*Run) {}, ""},
		{"answer of the longest length", func(r *Run) { r.Answers[0].Text = long }, ""},
		{"no answers or ratings", func(r *Run) { r.Answers, r.Ratings = nil, nil }, ""},
		{
			"another scenario",
			func(r *Run) { r.ScenarioID = "lost-laptop" },
			`exercise run of ransomware-friday-night: the run is for scenario "lost-laptop": record it against that scenario`,
		},
		{
			"unknown inject in an answer",
			func(r *Run) { r.Answers[2].InjectIndex = 4 },
			"exercise run of ransomware-friday-night: answer 2: there is no inject 4: this scenario has 4 injects, numbered 0 to 3",
		},
		{
			"negative inject in an answer",
			func(r *Run) { r.Answers[0].InjectIndex = -1 },
			"answer 0: there is no inject -1",
		},
		{
			"question out of range",
			func(r *Run) { r.Answers[1].Question = 3 },
			"exercise run of ransomware-friday-night: answer 1: inject 0 (Friday 22:40, the office) has no question 3: it has 3 questions, numbered 0 to 2",
		},
		{
			"negative question",
			func(r *Run) { r.Answers[1].Question = -1 },
			"answer 1: inject 0 (Friday 22:40, the office) has no question -1",
		},
		{
			"answer too long",
			func(r *Run) { r.Answers[3].Text = long + "e" },
			"exercise run of ransomware-friday-night: answer 3 is 4001 characters long: keep answers to 4000 characters and put longer notes in a document kept with the exercise record",
		},
		{
			"empty answer",
			func(r *Run) { r.Answers[0].Text = " \n" },
			"answer 0 is empty",
		},
		{
			"unknown inject in a rating",
			func(r *Run) { r.Ratings[1].InjectIndex = 7 },
			"rating 1: there is no inject 7: this scenario has 4 injects, numbered 0 to 3",
		},
		{
			"good item out of range",
			func(r *Run) { r.Ratings[2].Good = 4 },
			"rating 2: inject 1 (Friday 23:15, the on-call manager) has no good-practice item 4: it has 4, numbered 0 to 3",
		},
		{
			"bad met",
			func(r *Run) { r.Ratings[3].Met = "Yes" },
			`exercise run of ransomware-friday-night: rating 3: met is "Yes": use yes, partly or no`,
		},
		{
			"met left empty",
			func(r *Run) { r.Ratings[0].Met = "" },
			`rating 0: met is "": use yes, partly or no`,
		},
		{
			"note too long",
			func(r *Run) { r.Ratings[0].Note = long + "e" },
			"rating 0: the note is 4001 characters long",
		},
		{
			"item rated twice",
			func(r *Run) { r.Ratings = append(r.Ratings, Rating{InjectIndex: 1, Good: 1, Met: MetYes}) },
			"rating 7 rates inject 1, good-practice item 1 again (see rating 2): keep one rating for each item",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			run := fixedRun()
			tt.edit(&run)
			err := s.ValidateRun(run)
			if tt.want == "" {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				return
			}
			var he *handwash.Error
			if !errors.As(err, &he) || he.Code != handwash.EINVALID {
				t.Fatalf("error %T %v, want a *handwash.Error with code %s", err, err, handwash.EINVALID)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got  %q\nwant %q", err, tt.want)
			}
		})
	}
}
