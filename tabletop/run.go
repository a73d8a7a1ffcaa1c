package tabletop

import (
	"fmt"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/handwash/handwash"
)

// How far the group met an item of good practice, in a Rating.
const (
	MetYes    = "yes"    // the organisation does this already
	MetPartly = "partly" // some of it, or not reliably
	MetNo     = "no"     // not at all
)

// MaxTextLength is the longest answer or note a Run may hold, in
// characters; longer notes belong in a document kept with the exercise
// record.
const MaxTextLength = 4000

// Run is one sitting of an exercise: who took part, what they said and how
// they rated themselves against each item of good practice.
type Run struct {
	// ScenarioID is the ID of the scenario that was run.
	ScenarioID string `json:"scenario_id"`
	// Facilitator is the person who read out the injects and kept time.
	Facilitator string `json:"facilitator"`
	// Participants are the people round the table, as they want to be named.
	Participants []string `json:"participants"`
	// Started is when the session began.
	Started time.Time `json:"started"`
	// Answers are what the group said in reply to the discussion questions.
	Answers []RunAnswer `json:"answers"`
	// Ratings are the group's judgement against the items of good practice.
	Ratings []Rating `json:"ratings"`
}

// RunAnswer is what was said in reply to one discussion question.
type RunAnswer struct {
	// InjectIndex is the inject's position in Scenario.Injects, from 0.
	InjectIndex int `json:"inject_index"`
	// Question is the question's position in Inject.Questions, from 0.
	Question int `json:"question"`
	// Text is the answer, at most MaxTextLength characters.
	Text string `json:"text"`
	// By is who gave the answer; empty when it was the group's.
	By string `json:"by"`
}

// Rating is how far the group meets one item of good practice.
type Rating struct {
	// InjectIndex is the inject's position in Scenario.Injects, from 0.
	InjectIndex int `json:"inject_index"`
	// Good is the item's position in Inject.Good, from 0.
	Good int `json:"good"`
	// Met is MetYes, MetPartly or MetNo.
	Met string `json:"met"`
	// Note says why, or what is missing; at most MaxTextLength characters.
	Note string `json:"note"`
}

// ValidateRun checks that a run fits this scenario: it names this
// scenario, every answer points at a question that exists and holds some
// text of at most MaxTextLength characters, and every rating points at an
// item of good practice that exists, once, with Met yes, partly or no. The
// error, for the first problem found, is a *handwash.Error (EINVALID) that
// says which answer or rating is wrong and what to do.
func (s Scenario) ValidateRun(run Run) error {
	fail := func(format string, args ...any) error {
		return handwash.Errorf(handwash.EINVALID, "exercise run of %s: %s", s.ID, fmt.Sprintf(format, args...))
	}
	if run.ScenarioID != s.ID {
		return fail("the run is for scenario %q: record it against that scenario", run.ScenarioID)
	}
	injectRange := fmt.Sprintf("this scenario has %d injects, numbered 0 to %d", len(s.Injects), len(s.Injects)-1)
	for i, a := range run.Answers {
		if a.InjectIndex < 0 || a.InjectIndex >= len(s.Injects) {
			return fail("answer %d: there is no inject %d: %s", i, a.InjectIndex, injectRange)
		}
		in := s.Injects[a.InjectIndex]
		if a.Question < 0 || a.Question >= len(in.Questions) {
			return fail("answer %d: inject %d (%s) has no question %d: it has %d questions, numbered 0 to %d", i, a.InjectIndex, in.Title, a.Question, len(in.Questions), len(in.Questions)-1)
		}
		switch n := utf8.RuneCountInString(a.Text); {
		case strings.TrimSpace(a.Text) == "":
			return fail("answer %d is empty: write what was said, or leave the answer out", i)
		case n > MaxTextLength:
			return fail("answer %d is %d characters long: keep answers to %d characters and put longer notes in a document kept with the exercise record", i, n, MaxTextLength)
		}
	}
	rated := map[[2]int]int{}
	for i, r := range run.Ratings {
		if r.InjectIndex < 0 || r.InjectIndex >= len(s.Injects) {
			return fail("rating %d: there is no inject %d: %s", i, r.InjectIndex, injectRange)
		}
		in := s.Injects[r.InjectIndex]
		if r.Good < 0 || r.Good >= len(in.Good) {
			return fail("rating %d: inject %d (%s) has no good-practice item %d: it has %d, numbered 0 to %d", i, r.InjectIndex, in.Title, r.Good, len(in.Good), len(in.Good)-1)
		}
		if r.Met != MetYes && r.Met != MetPartly && r.Met != MetNo {
			return fail("rating %d: met is %q: use yes, partly or no", i, r.Met)
		}
		if n := utf8.RuneCountInString(r.Note); n > MaxTextLength {
			return fail("rating %d: the note is %d characters long: keep notes to %d characters and put more in a document kept with the exercise record", i, n, MaxTextLength)
		}
		key := [2]int{r.InjectIndex, r.Good}
		if prev, dup := rated[key]; dup {
			return fail("rating %d rates inject %d, good-practice item %d again (see rating %d): keep one rating for each item", i, r.InjectIndex, r.Good, prev)
		}
		rated[key] = i
	}
	return nil
}

// metRank orders ratings for the gap list, worst first; -1 for a value
// that is not a rating.
func metRank(met string) int {
	switch met {
	case MetNo:
		return 0
	case MetPartly:
		return 1
	case "":
		return 2 // not rated
	case MetYes:
		return 3
	}
	return -1
}

// AfterAction is the summary of an exercise: what went well and, more
// usefully, the gaps and the controls and questions to work on for each.
type AfterAction struct {
	// ScenarioID and ScenarioTitle name the scenario that was run;
	// Facilitator, Participants and Started are copied from the Run.
	ScenarioID    string    `json:"scenario_id"`
	ScenarioTitle string    `json:"scenario_title"`
	Facilitator   string    `json:"facilitator"`
	Participants  []string  `json:"participants"`
	Started       time.Time `json:"started"`
	// WentWell are the items of good practice the group rated yes, in
	// scenario order.
	WentWell []Outcome `json:"went_well"`
	// Gaps are the items rated no, then partly, then those not rated, each
	// group in scenario order.
	Gaps []Outcome `json:"gaps"`
	// Discussion is what was said, in scenario order.
	Discussion []Discussed `json:"discussion"`
}

// Outcome is one item of good practice as the exercise judged it.
type Outcome struct {
	// InjectIndex and Good place the item in the scenario, from 0, as in
	// a Rating; InjectTitle and Text are copied from the scenario.
	InjectIndex int    `json:"inject_index"`
	InjectTitle string `json:"inject_title"`
	Good        int    `json:"good"`
	Text        string `json:"text"`
	// Met is MetYes, MetPartly, MetNo, or empty when the item was not rated.
	Met  string `json:"met"`
	Note string `json:"note,omitempty"`
	// Links are the controls and questions the item depends on; for a gap,
	// these are the actions to take.
	Links []string `json:"links"`
}

// Discussed is one answer given in the exercise, beside its question.
type Discussed struct {
	// InjectIndex and Question place the question in the scenario, from
	// 0, as in a RunAnswer; InjectTitle and Asked are copied from it.
	InjectIndex int    `json:"inject_index"`
	InjectTitle string `json:"inject_title"`
	Question    int    `json:"question"`
	Asked       string `json:"asked"`
	// Text is the answer and By who gave it, empty for the group.
	Text string `json:"text"`
	By   string `json:"by,omitempty"`
}

// Report summarises a run of this scenario. Every item of good practice
// appears once: in WentWell when rated yes, otherwise in Gaps. Report
// does not check the run (use ValidateRun first): an answer or rating that
// points at nothing, or a rating with a value that is not yes, partly or
// no, is left out, and when an item is rated twice the last rating counts.
func (s Scenario) Report(run Run) AfterAction {
	aa := AfterAction{
		ScenarioID:    s.ID,
		ScenarioTitle: s.Title,
		Facilitator:   run.Facilitator,
		Participants:  append([]string(nil), run.Participants...),
		Started:       run.Started,
	}
	ratings := map[[2]int]Rating{}
	for _, r := range run.Ratings {
		if metRank(r.Met) >= 0 && r.Met != "" {
			ratings[[2]int{r.InjectIndex, r.Good}] = r
		}
	}
	for i, in := range s.Injects {
		for j, g := range in.Good {
			r := ratings[[2]int{i, j}]
			o := Outcome{
				InjectIndex: i,
				InjectTitle: in.Title,
				Good:        j,
				Text:        g.Text,
				Met:         r.Met,
				Note:        strings.TrimSpace(r.Note),
				Links:       append([]string(nil), g.Links...),
			}
			if r.Met == MetYes {
				aa.WentWell = append(aa.WentWell, o)
			} else {
				aa.Gaps = append(aa.Gaps, o)
			}
		}
	}
	// Stable, so each group keeps scenario order.
	sort.SliceStable(aa.Gaps, func(a, b int) bool { return metRank(aa.Gaps[a].Met) < metRank(aa.Gaps[b].Met) })

	for _, a := range run.Answers {
		if a.InjectIndex < 0 || a.InjectIndex >= len(s.Injects) {
			continue
		}
		in := s.Injects[a.InjectIndex]
		if a.Question < 0 || a.Question >= len(in.Questions) {
			continue
		}
		aa.Discussion = append(aa.Discussion, Discussed{
			InjectIndex: a.InjectIndex,
			InjectTitle: in.Title,
			Question:    a.Question,
			Asked:       in.Questions[a.Question],
			Text:        strings.TrimSpace(a.Text),
			By:          strings.TrimSpace(a.By),
		})
	}
	sort.SliceStable(aa.Discussion, func(a, b int) bool {
		x, y := aa.Discussion[a], aa.Discussion[b]
		if x.InjectIndex != y.InjectIndex {
			return x.InjectIndex < y.InjectIndex
		}
		return x.Question < y.Question
	})
	return aa
}
