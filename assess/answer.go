package assess

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/handwash/handwash"
)

// The values an answer can have, and Unanswered for a question with no
// current answer (the domain's, under shorter names).
const (
	ValueYes           = handwash.AnswerYes
	ValuePartly        = handwash.AnswerPartly
	ValueNo            = handwash.AnswerNo
	ValueNotApplicable = handwash.AnswerNotApplicable
	Unanswered         = handwash.AnswerUnanswered
)

// Limits on what an answer holds.
const (
	MaxNoteLength  = 4000 // characters
	MaxOwnerLength = 200  // characters
)

// Answer is an organisation's answer to one question: the domain's type,
// with its review date and Effective value (see handwash.Answer).
type Answer = handwash.Answer

// DefaultReviewBy is the review date of an answer given at answeredAt when
// no other date is set: 12 months later, because the DSPT is an annual
// self-assessment and its evidence items look back over the last 12 months
// (for example training needs analysis 3.1.1 and the asset register 7.1.1).
func DefaultReviewBy(answeredAt time.Time) time.Time {
	return answeredAt.AddDate(1, 0, 0)
}

func validValue(v string) bool {
	switch v {
	case ValueYes, ValuePartly, ValueNo, ValueNotApplicable:
		return true
	}
	return false
}

// ParseValue reads an answer as people type it: yes or y, no or n, partly
// or partial, and not applicable, not-applicable, na or n/a, in any case.
// It returns the stored value, such as ValueNotApplicable.
func ParseValue(s string) (string, error) {
	switch strings.ToLower(strings.Join(strings.Fields(s), " ")) {
	case "yes", "y":
		return ValueYes, nil
	case "no", "n":
		return ValueNo, nil
	case "partly", "partial":
		return ValuePartly, nil
	case "not applicable", "not-applicable", "na", "n/a":
		return ValueNotApplicable, nil
	}
	return "", handwash.Errorf(handwash.EINVALID, "%q is not an answer Handwash knows: answer yes, partly, no or not applicable (y, n, partial, na and n/a also work)", shorten(s))
}

// ValidateAnswer checks an answer before it is stored: the question exists,
// the value is one of the four answers, the note and owner are not too
// long, the review date is not before the answer date, a not-applicable
// answer has a note saying why, and attachments are plain file names. The
// error is a *handwash.Error (EINVALID) naming the field.
func (c *Catalogue) ValidateAnswer(a Answer) error {
	fail := func(field, format string, args ...any) error {
		who := "answer"
		if a.QuestionID != "" {
			who = "answer to " + shorten(a.QuestionID)
		}
		return handwash.Errorf(handwash.EINVALID, "%s, field %q: %s", who, field, fmt.Sprintf(format, args...))
	}
	switch {
	case a.QuestionID == "":
		return fail("question_id", "missing: give the ID of the question answered, such as backup.offline-copy")
	case !c.has(a.QuestionID):
		return fail("question_id", "no question has this ID: check the spelling against the question list")
	}
	if !validValue(a.Value) {
		if v, err := ParseValue(a.Value); err == nil {
			return fail("value", "write %q as %q", shorten(a.Value), v)
		}
		return fail("value", "%q is not an answer: use yes, partly, no or not-applicable", shorten(a.Value))
	}
	if n := utf8.RuneCountInString(a.Note); n > MaxNoteLength {
		return fail("note", "%d characters is too long: keep it to %d and attach a document for anything longer", n, MaxNoteLength)
	}
	if n := utf8.RuneCountInString(a.Owner); n > MaxOwnerLength {
		return fail("owner", "%d characters is too long: give a name and role in at most %d", n, MaxOwnerLength)
	}
	if !a.ReviewBy.IsZero() && !a.AnsweredAt.IsZero() && a.ReviewBy.Before(a.AnsweredAt) {
		return fail("review_by", "%s is before the answer was given (%s): choose a later review date", a.ReviewBy.Format(time.DateOnly), a.AnsweredAt.Format(time.DateOnly))
	}
	if a.Value == ValueNotApplicable && strings.TrimSpace(a.Note) == "" {
		return fail("note", "missing: say why this question does not apply to your organisation")
	}
	for _, name := range a.Attachments {
		switch {
		case strings.TrimSpace(name) == "":
			return fail("attachments", "an attachment has no name: give each attachment's file name")
		case strings.ContainsAny(name, `/\`):
			return fail("attachments", "%q: give the file name only, without folders", shorten(name))
		}
	}
	return nil
}

func (c *Catalogue) has(id string) bool {
	_, ok := c.byID[id]
	return ok
}

// shorten keeps messages readable when someone pastes a page of text.
func shorten(s string) string {
	const limit = 60
	if utf8.RuneCountInString(s) <= limit {
		return s
	}
	return string([]rune(s)[:limit]) + "…"
}
