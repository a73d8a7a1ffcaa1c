package tabletop

import (
	"errors"
	"io/fs"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/handwash/handwash"
)

// Scenario files may come from whoever runs the exercise, so Load must
// survive anything: return a scenario that passes Validate, or a
// *handwash.Error naming the file; and whatever it accepts must report
// without a panic.
func FuzzLoad(f *testing.F) {
	names, err := fs.Glob(scenariosFS, "scenarios/*.yaml")
	if err != nil {
		f.Fatal(err)
	}
	for _, name := range names {
		b, err := fs.ReadFile(scenariosFS, name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(strings.TrimSuffix(strings.TrimPrefix(name, "scenarios/"), ".yaml"), b)
	}
	f.Add("example", []byte(validScenario))
	f.Add("example", []byte(strings.Replace(validScenario, "at_minutes: 20", "at_minutes: 0", 1)))
	f.Add("example", []byte(strings.Replace(validScenario, "links: [backup.restore-tested]", "links: &a [x.y]\n        text: *a", 1)))
	f.Add("example", []byte("id: example\n---\nid: example\n"))
	f.Add("example", []byte("[1, 2"))
	f.Add("example", []byte("exceptions:\n  ! #0000000000000000000"))
	f.Add("x", []byte(""))
	f.Fuzz(func(t *testing.T, id string, data []byte) {
		if !scenarioIDPattern.MatchString(id) {
			id = "fuzz"
		}
		file := "scenarios/" + id + ".yaml"
		list, err := Load(fstest.MapFS{file: {Data: data}})
		if err != nil {
			var he *handwash.Error
			if !errors.As(err, &he) || (he.Code != handwash.EINVALID && he.Code != handwash.ETOOLARGE) || he.Message == "" {
				t.Fatalf("error %T %q is not an invalid or too-large *handwash.Error", err, err)
			}
			if !strings.Contains(he.Message, file) {
				t.Fatalf("error %q does not name the file %s", he.Message, file)
			}
			if list != nil {
				t.Fatalf("returned %d scenarios with an error", len(list))
			}
			return
		}
		if len(list) != 1 {
			t.Fatalf("%d scenarios from one file", len(list))
		}
		s := list[0]
		if s.ID != id || s.File != file {
			t.Fatalf("scenario %q from file %q, want %q from %q", s.ID, s.File, id, file)
		}
		if err := s.Validate(nil); err != nil {
			t.Fatalf("Load accepted a scenario Validate rejects: %v", err)
		}
		run := Run{ScenarioID: s.ID}
		items := 0
		for i, in := range s.Injects {
			run.Answers = append(run.Answers, RunAnswer{InjectIndex: i, Question: len(in.Questions) - 1, Text: "answer"})
			for j := range in.Good {
				run.Ratings = append(run.Ratings, Rating{InjectIndex: i, Good: j, Met: MetNo})
				items++
			}
		}
		if err := s.ValidateRun(run); err != nil {
			t.Fatalf("a run that fits the scenario was rejected: %v", err)
		}
		aa := s.Report(run)
		if len(aa.Gaps) != items || len(aa.WentWell) != 0 || len(aa.Discussion) != len(s.Injects) {
			t.Fatalf("report has %d gaps, %d went well, %d answers; want %d, 0, %d", len(aa.Gaps), len(aa.WentWell), len(aa.Discussion), items, len(s.Injects))
		}
	})
}
