package quiz

import (
	"slices"
	"time"

	"github.com/handwash/handwash"
	"github.com/handwash/handwash/phish"
)

// PassMark is the percentage of correct answers needed to pass. A staff
// quiz with an 80% pass mark counts as evidence for DSPT 3.2.1, which asks
// that at least 95% of staff completed data security training in the last
// twelve months (../shared/domain.md, "Items useful for automation").
const PassMark = 80

// Attempt is one person's answers to a drawn set of questions.
type Attempt struct {
	// Person is who took the quiz, as the dashboard knows them.
	Person string
	// Taken is when the answers were handed in.
	Taken time.Time
	// Answers maps each question's item ID to Phishing or Genuine.
	Answers map[string]string
}

// Result is a marked attempt: the score, whether it passed, and feedback
// on every question, which the dashboard shows and keeps as training
// evidence.
type Result struct {
	Person string    `json:"person"`
	Taken  time.Time `json:"taken"`
	// Score is the number of correct answers out of Total.
	Score int `json:"score"`
	Total int `json:"total"`
	// Percent is Score as a percentage of Total, rounded down, so a near
	// miss is never rounded up to a pass.
	Percent int `json:"percent"`
	// Passed is true when Percent is at least PassMark.
	Passed bool `json:"passed"`
	// Feedback has one entry per question, in the order they were asked.
	Feedback []Feedback `json:"feedback"`
}

// Feedback tells the person how they did on one question and what the
// email had to teach.
type Feedback struct {
	ID      string `json:"id"`
	From    string `json:"from"`
	Subject string `json:"subject"`
	// Given is the person's answer; Answer is the right one.
	Given   string `json:"given"`
	Answer  string `json:"answer"`
	Correct bool   `json:"correct"`
	// Teaching says what gives the email away, or why it is genuine.
	Teaching string   `json:"teaching"`
	Clues    []string `json:"clues,omitempty"`
	// Verdict and Signs are what Handwash's phishing check found in the
	// email, each sign with a title and a plain-English explanation.
	Verdict phish.Verdict `json:"verdict"`
	Signs   []phish.Sign  `json:"signs"`
}

// Mark scores an attempt at the drawn questions. Every question must have
// an answer, each answer must be Phishing or Genuine, and no answer may be
// for a question that was not asked; otherwise Mark returns an EINVALID
// error naming the question.
func Mark(drawn []Item, a Attempt) (Result, error) {
	if len(drawn) == 0 {
		return Result{}, handwash.Errorf(handwash.EINVALID, "there are no questions to mark; start the quiz again")
	}
	asked := make(map[string]bool, len(drawn))
	for _, it := range drawn {
		if asked[it.ID] {
			return Result{}, handwash.Errorf(handwash.EINVALID, "question %q was asked twice; start the quiz again", it.ID)
		}
		asked[it.ID] = true
	}
	ids := make([]string, 0, len(a.Answers))
	for id := range a.Answers {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		if !asked[id] {
			return Result{}, handwash.Errorf(handwash.EINVALID, "there is an answer for %q, which is not one of the questions asked; start the quiz again", id)
		}
	}
	r := Result{Person: a.Person, Taken: a.Taken, Total: len(drawn), Feedback: make([]Feedback, 0, len(drawn))}
	for _, it := range drawn {
		given, ok := a.Answers[it.ID]
		switch {
		case !ok || given == "":
			return Result{}, handwash.Errorf(handwash.EINVALID, "question %q (%q) has no answer; answer every question, then hand in again", it.ID, it.Subject)
		case given != Phishing && given != Genuine:
			return Result{}, handwash.Errorf(handwash.EINVALID, "the answer to question %q is %q; answer %q or %q", it.ID, given, Phishing, Genuine)
		}
		f := Feedback{
			ID: it.ID, From: it.From, Subject: it.Subject,
			Given: given, Answer: it.Answer, Correct: given == it.Answer,
			Teaching: it.Teaching, Clues: slices.Clone(it.Clues),
			Verdict: it.Verdict, Signs: it.clone().Signs,
		}
		if f.Signs == nil {
			// The JSON says "no signs" as [], as phish.Report does.
			f.Signs = []phish.Sign{}
		}
		if f.Correct {
			r.Score++
		}
		r.Feedback = append(r.Feedback, f)
	}
	r.Percent = r.Score * 100 / r.Total
	r.Passed = r.Percent >= PassMark
	return r, nil
}
