package assess

import (
	"time"

	"github.com/handwash/handwash"
)

// Counts tallies questions by the state of their answers.
type Counts struct {
	// Questions is how many questions there are.
	Questions int `json:"questions"`
	// Answered is how many have a current answer, of any value.
	Answered int `json:"answered"`
	// Unanswered is how many have no current answer, Expired included.
	Unanswered int `json:"unanswered"`
	// Expired is how many have an answer past its review date.
	Expired int `json:"expired"`
	// Yes, Partly, No and NotApplicable split Answered by value.
	Yes           int `json:"yes"`
	Partly        int `json:"partly"`
	No            int `json:"no"`
	NotApplicable int `json:"not_applicable"`
}

// PercentAnswered is the share of questions with a current answer, rounded
// down to a whole percentage.
func (c Counts) PercentAnswered() int {
	if c.Questions == 0 {
		return 0
	}
	return c.Answered * 100 / c.Questions
}

func (c *Counts) add(value string, expired bool) {
	c.Questions++
	switch value {
	case Unanswered:
		c.Unanswered++
		if expired {
			c.Expired++
		}
		return
	case ValueYes:
		c.Yes++
	case ValuePartly:
		c.Partly++
	case ValueNo:
		c.No++
	case ValueNotApplicable:
		c.NotApplicable++
	}
	c.Answered++
}

// Progress is how far an organisation has got through the self-assessment.
type Progress struct {
	// Counts covers the whole catalogue.
	Counts
	// ByArea covers each area that has questions.
	ByArea map[handwash.Area]Counts `json:"by_area"`
}

// Progress counts the catalogue's questions by their current answers at
// now. Where a question has several answers (its history), the latest by
// AnsweredAt counts, and the later in the list when two share a time.
// Answers to questions not in the catalogue are ignored.
func (c *Catalogue) Progress(answers []Answer, now time.Time) Progress {
	latest := map[string]Answer{}
	for _, a := range answers {
		if !c.has(a.QuestionID) {
			continue
		}
		if prev, ok := latest[a.QuestionID]; ok && a.AnsweredAt.Before(prev.AnsweredAt) {
			continue
		}
		latest[a.QuestionID] = a
	}
	p := Progress{ByArea: map[handwash.Area]Counts{}}
	for _, q := range c.Questions {
		value, expired := Unanswered, false
		if a, ok := latest[q.ID]; ok {
			value = a.Effective(now)
			expired = validValue(a.Value) && a.Expired(now)
		}
		p.add(value, expired)
		area := p.ByArea[q.Area]
		area.add(value, expired)
		p.ByArea[q.Area] = area
	}
	return p
}
