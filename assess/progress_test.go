package assess

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/handwash/handwash"
)

func TestProgress(t *testing.T) {
	c, err := Load(strings.NewReader(`version: "1"
questions:
  - {id: backup.one, area: backup, question: One?, help: H., evidence: E., refs: {ncsc: Backing up your data}}
  - {id: backup.two, area: backup, question: Two?, help: H., evidence: E., refs: {ncsc: Backing up your data}}
  - {id: backup.three, area: backup, question: Three?, help: H., evidence: E., refs: {ncsc: Backing up your data}}
  - {id: people.one, area: people, question: One?, help: H., evidence: E., refs: {dspt: [{item: "1.1.5"}]}}
  - {id: people.two, area: people, question: Two?, help: H., evidence: E., refs: {dspt: [{item: "1.1.5"}]}}
`))
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	answers := []Answer{
		// backup.one: answered no, then yes later; the later answer counts
		// whatever the order given.
		{QuestionID: "backup.one", Value: ValueYes, AnsweredAt: now.AddDate(0, -1, 0)},
		{QuestionID: "backup.one", Value: ValueNo, AnsweredAt: now.AddDate(0, -2, 0)},
		// backup.two: past its review date.
		{QuestionID: "backup.two", Value: ValueYes, AnsweredAt: now.AddDate(-1, -1, 0)},
		// backup.three: unanswered.
		{QuestionID: "people.one", Value: ValueNotApplicable, Note: "Sole trader.", AnsweredAt: now.AddDate(0, 0, -1)},
		{QuestionID: "people.two", Value: ValuePartly, AnsweredAt: now, ReviewBy: now.AddDate(0, 3, 0)},
		// Not in the catalogue: ignored.
		{QuestionID: "backup.retired", Value: ValueYes, AnsweredAt: now},
	}
	got := c.Progress(answers, now)
	want := Progress{
		Counts: Counts{Questions: 5, Answered: 3, Unanswered: 2, Expired: 1, Yes: 1, Partly: 1, NotApplicable: 1},
		ByArea: map[handwash.Area]Counts{
			handwash.AreaBackup: {Questions: 3, Answered: 1, Unanswered: 2, Expired: 1, Yes: 1},
			handwash.AreaPeople: {Questions: 2, Answered: 2, Partly: 1, NotApplicable: 1},
		},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Progress (-want +got):\n%s", diff)
	}
	if p := got.PercentAnswered(); p != 60 {
		t.Errorf("PercentAnswered = %d, want 60", p)
	}

	empty := c.Progress(nil, now)
	if empty.Answered != 0 || empty.Unanswered != 5 || empty.Expired != 0 {
		t.Errorf("with no answers: %+v", empty.Counts)
	}
}

func TestProgressDefaultCatalogue(t *testing.T) {
	c := mustDefault(t)
	p := c.Progress(nil, time.Now())
	if p.Questions != len(c.Questions) || p.Unanswered != len(c.Questions) {
		t.Errorf("with no answers: %+v, want all %d unanswered", p.Counts, len(c.Questions))
	}
	for _, a := range handwash.Areas {
		if p.ByArea[a].Questions != len(c.ByArea(a)) {
			t.Errorf("area %s: %d questions, want %d", a, p.ByArea[a].Questions, len(c.ByArea(a)))
		}
	}
	if (Counts{}).PercentAnswered() != 0 {
		t.Error("PercentAnswered of nothing is not 0")
	}
}
