package readiness

import (
	"cmp"
	"slices"

	"github.com/handwash/handwash"
	"github.com/handwash/handwash/assess"
	"github.com/handwash/handwash/evidence"
)

// ActionKind says what an action links to.
type ActionKind string

// The kinds of action.
const (
	// ActionCheck: a failing check; Link is the control's ID.
	ActionCheck ActionKind = "check"
	// ActionQuestion: a question answered no or partly, or not answered;
	// Link is the question's ID.
	ActionQuestion ActionKind = "question"
)

// SchemeRef is a Cyber Essentials requirement or a DSPT item an action
// helps to meet.
type SchemeRef struct {
	// Scheme is "ce" or "dspt".
	Scheme string
	// ID is the requirement ("user-access-control") or the item ("4.5.3").
	ID string
	// Title names the requirement ("User access control") or the item
	// ("4.5.3", "Standard 7").
	Title string
}

// String names the requirement or item for a reader: "Cyber Essentials:
// User access control", "DSPT 4.5.3".
func (s SchemeRef) String() string {
	if s.Scheme == "ce" {
		return "Cyber Essentials: " + s.Title
	}
	return "DSPT " + s.Title
}

// Action is one thing to do: a failing check to fix, or a question to
// answer or put right.
type Action struct {
	// Title says what good looks like (a check's title) or asks the
	// question.
	Title string
	// Why says in plain English why it matters.
	Why string
	// Goal says, for a question, what a "yes" looks like.
	Goal string
	// Problem says what is wrong now: "Fails on 2 of 5 devices: alpha and
	// bravo." or "Not answered yet."
	Problem string
	// Note and Owner are the answer's, for a question.
	Note, Owner string
	// Link is the control's or the question's ID.
	Link     string
	Kind     ActionKind
	Severity handwash.Severity
	// Effort is the question's estimate of the work; empty for a check,
	// which has none.
	Effort assess.Effort
	// AutoFail is true when, left undone, it fails Cyber Essentials
	// outright.
	AutoFail bool
	// Schemes are the Cyber Essentials requirements and DSPT items it
	// helps to meet, requirements first.
	Schemes []SchemeRef
}

// compareActions orders actions by risk, then effort: automatic fails
// first, then by severity (critical, high, medium, low, then info and
// unrated), then low effort before high (and a check, whose effort is not
// estimated, after them), then by ID, so the order is stable.
func compareActions(a, b Action) int {
	if a.AutoFail != b.AutoFail {
		if a.AutoFail {
			return -1
		}
		return 1
	}
	effort := func(e assess.Effort) int {
		if r := e.Rank(); r >= 0 {
			return r
		}
		return 3
	}
	return cmp.Or(
		cmp.Compare(b.Severity.Rank(), a.Severity.Rank()),
		cmp.Compare(effort(a.Effort), effort(b.Effort)),
		cmp.Compare(a.Link, b.Link),
		cmp.Compare(a.Kind, b.Kind),
	)
}

// SortActions orders actions as the plan lists them: automatic fails
// first, then by severity, then lowest effort, then by ID.
func SortActions(as []Action) { slices.SortStableFunc(as, compareActions) }

// actions lists every failing check and every question not answered yes
// (or not applicable with a reason), in plan order.
func (b *builder) actions(r *Readiness) []Action {
	checkSchemes := map[string][]SchemeRef{}
	questionSchemes := map[string][]SchemeRef{}
	add := func(m map[string][]SchemeRef, id string, ref SchemeRef) {
		if !slices.Contains(m[id], ref) {
			m[id] = append(m[id], ref)
		}
	}
	for _, req := range r.CyberEssentials.Requirements {
		ref := SchemeRef{Scheme: "ce", ID: req.ID, Title: req.Title}
		for _, c := range req.Checks {
			add(checkSchemes, c.ID, ref)
		}
		for _, a := range req.Answers {
			add(questionSchemes, a.ID, ref)
		}
	}
	for _, it := range r.DSPT.Items {
		ref := SchemeRef{Scheme: "dspt", ID: it.ID, Title: it.Label()}
		for _, c := range it.Checks {
			add(checkSchemes, c.ID, ref)
		}
		for _, a := range it.Answers {
			add(questionSchemes, a.ID, ref)
		}
	}

	var out []Action
	check := func(c Check) {
		out = append(out, Action{
			Title:    c.Title,
			Why:      c.Why,
			Problem:  c.Detail,
			Link:     c.ID,
			Kind:     ActionCheck,
			Severity: c.Severity,
			AutoFail: c.AutoFail,
			Schemes:  checkSchemes[c.ID],
		})
	}
	for _, c := range b.deviceResults() {
		if c.Fail > 0 {
			check(b.flag(deviceCheck(c)))
		}
	}
	for _, x := range b.extra {
		if x.Status == CheckFail {
			check(b.flag(x.Check))
		}
	}
	for i := range b.cat.Questions {
		q := &b.cat.Questions[i]
		res := b.question(q)
		if res.Good {
			continue
		}
		out = append(out, Action{
			Title:    q.Question,
			Why:      sentences(q.Help, 2, `"Yes" means`),
			Goal:     sentenceFrom(q.Help, `"Yes" means`),
			Problem:  res.Detail,
			Note:     res.Note,
			Owner:    res.Owner,
			Link:     q.ID,
			Kind:     ActionQuestion,
			Severity: q.Severity,
			Effort:   q.Effort,
			AutoFail: res.AutoFail,
			Schemes:  questionSchemes[q.ID],
		})
	}
	SortActions(out)
	return out
}

// deviceResults are every device check in the evidence, once each: those
// the Cyber Essentials and DSPT tables cite, and those in the areas that
// neither scheme cites.
func (b *builder) deviceResults() []*evidence.ControlResult {
	var out []*evidence.ControlResult
	seen := map[string]bool{}
	add := func(cs []*evidence.ControlResult) {
		for _, c := range cs {
			if c != nil && !seen[c.ID] {
				seen[c.ID] = true
				out = append(out, c)
			}
		}
	}
	for _, row := range b.doc.CyberEssentials {
		add(row.Controls)
	}
	for _, row := range b.doc.DSPT {
		add(row.Controls)
	}
	for _, a := range b.doc.Areas {
		add(a.Controls)
	}
	return out
}
