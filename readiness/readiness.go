// Package readiness says how ready one organisation is for the two schemes
// care providers are measured by: Cyber Essentials, and the NHS Data
// Security and Protection Toolkit (DSPT).
//
// It brings together everything Handwash knows about the organisation: its
// device checks, as package evidence maps them to Cyber Essentials
// requirements and DSPT evidence items; findings that come from no device,
// such as its cloud accounts (package cloudimport) and its phones and
// tablets (package mdmimport); and its self-assessment answers (package
// assess). Build works out a Readiness from them: each Cyber Essentials
// requirement, with the questions that fail the assessment outright shown
// first; each DSPT item at Approaching Standards and at Standards Met, with
// what shows it and what is missing; and an action plan, most urgent first.
// WriteText and WriteHTML print it for a registered manager.
//
// Readiness covers only what Handwash checks and asks. It passes neither
// scheme: a certification body assesses Cyber Essentials, and the
// organisation publishes its DSPT assessment in the Toolkit itself, which
// has more items than Handwash covers.
package readiness

import (
	"cmp"
	"fmt"
	"github.com/handwash/handwash/internal/english"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/handwash/handwash"
	"github.com/handwash/handwash/assess"
	"github.com/handwash/handwash/evidence"
)

// Input is everything readiness is worked out from, for one organisation.
type Input struct {
	// OrgName names the organisation.
	OrgName string
	// Evidence is the organisation's evidence report as evidence.Build
	// works it out from its devices' findings and the control catalogue.
	// Readiness reads its Cyber Essentials and DSPT tables, which map each
	// device check to the requirements and items it evidences, and its
	// areas, for failing checks that neither scheme cites. Nil means no
	// device has been assessed.
	Evidence *evidence.Document
	// Findings are judged for the organisation as a whole rather than on
	// one device: its cloud accounts (cloudimport.Findings) and its phones
	// and tablets (mdmimport.Findings).
	Findings []handwash.Finding
	// Catalogue is the self-assessment's questions; nil means
	// assess.Default().
	Catalogue *assess.Catalogue
	// Answers are the organisation's answers, history included: for each
	// question the latest by AnsweredAt counts, the later in the list when
	// two share a time, as in assess.Progress.
	Answers []handwash.Answer
	// Now is when readiness is worked out: an answer past its review date
	// counts as unanswered.
	Now time.Time
}

// Readiness is an organisation's readiness for Cyber Essentials and the
// DSPT, and what to do next.
type Readiness struct {
	// Title names the document: "Cyber Essentials and DSPT readiness: Ash
	// Lodge".
	Title string
	// OrgName is the Input's, cleaned; never empty.
	OrgName string
	// Now is the Input's, in UTC.
	Now time.Time
	// Date is Now's day as people read it: "30 November 2026".
	Date string
	// QuestionsVersion is the self-assessment catalogue's version;
	// ControlsVersion is the device controls', when the evidence says.
	QuestionsVersion, ControlsVersion string
	// Devices counts the devices assessed, from the evidence.
	Devices int

	CyberEssentials CyberEssentials
	DSPT            DSPT
	// Actions are every failing check and every question not answered
	// yes, most urgent first (see Action).
	Actions []Action
}

// Status is how ready a Cyber Essentials requirement, or the assessment as
// a whole, is.
type Status string

// The statuses a requirement can have.
const (
	// StatusReady: every check behind it passes and every question is
	// answered yes (or not applicable, with a reason).
	StatusReady Status = "ready"
	// StatusNotReady: a check fails, or a question is answered no (or,
	// for an automatic-fail question, partly).
	StatusNotReady Status = "not-ready"
	// StatusPartly: nothing fails, but some questions are answered partly
	// or not at all, or some checks have no result yet.
	StatusPartly Status = "partly"
	// StatusNotKnown: no check has a result and no question is answered.
	StatusNotKnown Status = "not-known"
)

// Label is the status as the report prints it.
func (s Status) Label() string {
	switch s {
	case StatusReady:
		return "Ready"
	case StatusNotReady:
		return "Not ready"
	case StatusPartly:
		return "Partly ready"
	case StatusNotKnown:
		return "Not known"
	}
	return string(s)
}

// CheckStatus is one check's result across the organisation.
type CheckStatus string

// The results a check can have.
const (
	// CheckPass: it passes everywhere it applies, perhaps by an accepted
	// exception.
	CheckPass CheckStatus = "pass"
	// CheckFail: it fails on at least one device, or for the organisation.
	CheckFail CheckStatus = "fail"
	// CheckUnknown: nothing fails, but it could not be checked somewhere.
	CheckUnknown CheckStatus = "unknown"
	// CheckNotChecked: nothing has reported it yet.
	CheckNotChecked CheckStatus = "not-checked"
	// CheckNotApplicable: it applies to none of the devices.
	CheckNotApplicable CheckStatus = "not-applicable"
)

// Label is the result as the report prints it.
func (s CheckStatus) Label() string {
	switch s {
	case CheckPass:
		return "Passes"
	case CheckFail:
		return "Fails"
	case CheckUnknown:
		return "Could not be checked"
	case CheckNotChecked:
		return "Not checked yet"
	case CheckNotApplicable:
		return "Does not apply"
	}
	return string(s)
}

// Where a check's result comes from.
const (
	SourceDevices = "Devices"
	SourceCloud   = "Cloud accounts"
	SourcePhones  = "Phones and tablets"
	SourcePeople  = "Training and incidents"
	SourceOther   = "Other findings"
)

// Check is one check behind a requirement or item, with its result across
// the organisation.
type Check struct {
	// ID is the control's ID, such as malware.firewall-on.
	ID    string
	Title string
	// Source is SourceDevices, SourceCloud, SourcePhones, SourcePeople or
	// SourceOther.
	Source   string
	Severity handwash.Severity
	Status   CheckStatus
	// Detail says the result in a sentence: "Fails on 2 of 5 devices:
	// alpha and bravo."
	Detail string
	// Why says why the check matters, from the catalogue or the finding.
	Why string
	// AutoFail is true when a failure fails Cyber Essentials outright.
	AutoFail bool
}

// AnswerStatus is where a question's answer stands.
type AnswerStatus string

// The states an answer can be in.
const (
	AnswerYes           AnswerStatus = "yes"
	AnswerPartly        AnswerStatus = "partly"
	AnswerNo            AnswerStatus = "no"
	AnswerNotApplicable AnswerStatus = "not-applicable"
	// AnswerUnanswered: never answered.
	AnswerUnanswered AnswerStatus = "unanswered"
	// AnswerExpired: answered, but the review date has passed, so it
	// counts as unanswered.
	AnswerExpired AnswerStatus = "expired"
)

// Label is the answer as the report prints it.
func (s AnswerStatus) Label() string {
	switch s {
	case AnswerYes:
		return "Yes"
	case AnswerPartly:
		return "Partly"
	case AnswerNo:
		return "No"
	case AnswerNotApplicable:
		return "Not applicable"
	case AnswerUnanswered:
		return "Not answered"
	case AnswerExpired:
		return "Out of date"
	}
	return string(s)
}

// QuestionResult is one self-assessment question behind a requirement or
// item, with the organisation's answer.
type QuestionResult struct {
	// ID is the question's ID, such as passwords.mfa-cloud-services.
	ID       string
	Question string
	Severity handwash.Severity
	Effort   assess.Effort
	Status   AnswerStatus
	// Good is true when the answer shows the requirement: yes, or not
	// applicable with a note saying why.
	Good bool
	// Detail says where the answer stands in a sentence: "Answered yes on
	// 3 March 2026 by Jane Smith; review by 3 March 2027."
	Detail string
	// Note and Owner are the answer's, cleaned and shortened.
	Note, Owner string
	// AutoFail is true when a "no" fails Cyber Essentials outright.
	AutoFail bool
}

// Text limits, in characters, for what callers and answers supply.
const (
	maxName = 120
	maxNote = 400
	maxText = 1000
)

// Build works out an organisation's readiness. It fails only when Now is
// not set or the built-in question catalogue cannot be read.
func Build(in Input) (*Readiness, error) {
	if in.Now.IsZero() {
		return nil, handwash.Errorf(handwash.EINVALID, "readiness needs the time it is worked out at: set Input.Now")
	}
	cat := in.Catalogue
	if cat == nil {
		var err error
		if cat, err = assess.Default(); err != nil {
			return nil, err
		}
	}
	now := in.Now.UTC()
	doc := in.Evidence
	if doc == nil {
		// The evidence of no devices still lists the self-assessed
		// requirements, which give the DSPT items their wording.
		var err error
		if doc, err = evidence.Build(&evidence.Report{Org: handwash.Org{Name: in.OrgName}, GeneratedAt: now}); err != nil {
			return nil, err
		}
	}
	r := &Readiness{
		OrgName:          orDefault(clean(in.OrgName, maxName), "this organisation"),
		Now:              now,
		Date:             now.Format("2 January 2006"),
		QuestionsVersion: cat.Version,
		Devices:          doc.Assessed,
	}
	if in.Evidence != nil && in.Evidence.CatalogueVersion != "unknown" {
		r.ControlsVersion = in.Evidence.CatalogueVersion
	}
	r.Title = "Cyber Essentials and DSPT readiness: " + r.OrgName

	b := &builder{
		cat:     cat,
		doc:     doc,
		now:     now,
		answers: latestAnswers(cat, in.Answers),
		extra:   extraChecks(in.Findings),
	}
	b.markAutoFail()
	r.CyberEssentials = b.cyberEssentials()
	r.DSPT = b.dspt()
	r.Actions = b.actions(r)
	return r, nil
}

// builder holds what every part of the readiness is worked out from.
type builder struct {
	cat     *assess.Catalogue
	doc     *evidence.Document
	now     time.Time
	answers map[string]handwash.Answer
	// extra are the checks from findings that come from no device, in the
	// order given, one per control.
	extra []extraCheck
	// autoFailChecks and autoFailQuestions are the IDs behind the
	// automatic-fail items.
	autoFailChecks, autoFailQuestions map[string]bool
}

// latestAnswers keeps each catalogue question's current answer: the latest
// by AnsweredAt, and the later in the list when two share a time.
func latestAnswers(cat *assess.Catalogue, answers []handwash.Answer) map[string]handwash.Answer {
	latest := map[string]handwash.Answer{}
	for _, a := range answers {
		if _, ok := cat.Question(a.QuestionID); !ok {
			continue
		}
		if prev, ok := latest[a.QuestionID]; ok && a.AnsweredAt.Before(prev.AnsweredAt) {
			continue
		}
		latest[a.QuestionID] = a
	}
	return latest
}

// question works out where a question's answer stands.
func (b *builder) question(q *assess.Question) QuestionResult {
	res := QuestionResult{
		ID:       q.ID,
		Question: q.Question,
		Severity: q.Severity,
		Effort:   q.Effort,
		Status:   AnswerUnanswered,
		Detail:   "Not answered yet.",
		AutoFail: b.autoFailQuestions[q.ID],
	}
	a, ok := b.answers[q.ID]
	if !ok {
		return res
	}
	res.Note = clean(a.Note, maxNote)
	res.Owner = clean(a.Owner, maxName)
	by := ""
	if who := clean(a.AnsweredBy, maxName); who != "" {
		by = " by " + who
	}
	on := ""
	if !a.AnsweredAt.IsZero() {
		on = " on " + day(a.AnsweredAt)
	}
	review := a.ReviewDate()
	switch a.Effective(b.now) {
	case handwash.AnswerUnanswered:
		if a.Expired(b.now) {
			res.Status = AnswerExpired
			res.Detail = fmt.Sprintf("Answered %s%s%s, but its review date, %s, has passed: check it and answer again.", valueWords(a.Value), on, by, day(review))
		} else {
			res.Detail = "The answer stored is not yes, partly, no or not applicable: answer again."
		}
		return res
	case handwash.AnswerYes:
		res.Status, res.Good = AnswerYes, true
	case handwash.AnswerPartly:
		res.Status = AnswerPartly
	case handwash.AnswerNo:
		res.Status = AnswerNo
	case handwash.AnswerNotApplicable:
		res.Status = AnswerNotApplicable
		res.Good = res.Note != ""
	}
	res.Detail = fmt.Sprintf("Answered %s%s%s", valueWords(a.Value), on, by)
	if !review.IsZero() {
		res.Detail += "; review by " + day(review)
	}
	res.Detail += "."
	if res.Status == AnswerNotApplicable && !res.Good {
		res.Detail += " No reason is given: say why it does not apply."
	}
	return res
}

func valueWords(v string) string {
	switch v {
	case handwash.AnswerNotApplicable:
		return "not applicable"
	case handwash.AnswerYes, handwash.AnswerPartly, handwash.AnswerNo:
		return v
	}
	return "“" + clean(v, 20) + "”"
}

// deviceCheck says a device check's result across the devices.
func deviceCheck(c *evidence.ControlResult) Check {
	ch := Check{ID: c.ID, Title: c.Title, Source: SourceDevices, Severity: c.Severity, Why: c.Why}
	switch {
	case c.Fail > 0:
		ch.Status = CheckFail
		ch.Detail = fmt.Sprintf("Fails on %d of %s: %s", c.Fail, english.Count(c.Of, "device", "devices"), english.List(c.Failing, c.MoreFailing))
		if c.Unknown > 0 {
			ch.Detail += fmt.Sprintf("; %d could not be checked", c.Unknown)
		}
		ch.Detail += "."
	case c.Unknown > 0:
		ch.Status = CheckUnknown
		ch.Detail = fmt.Sprintf("No failures, but %d of %s could not be checked.", c.Unknown, english.Count(c.Of, "device", "devices"))
	case c.Pass+c.Excepted > 0:
		ch.Status = CheckPass
		n := c.Pass + c.Excepted
		if n == 1 {
			ch.Detail = "Passes on the 1 device checked"
		} else {
			ch.Detail = fmt.Sprintf("Passes on all %d devices checked", n)
		}
		if c.Excepted > 0 {
			ch.Detail += fmt.Sprintf(", %d by an accepted exception", c.Excepted)
		}
		if c.NotApplicable > 0 {
			ch.Detail += fmt.Sprintf("; does not apply to %d", c.NotApplicable)
		}
		ch.Detail += "."
	case c.NotApplicable > 0:
		ch.Status = CheckNotApplicable
		ch.Detail = "Does not apply to any of the devices."
	default:
		ch.Status = CheckNotChecked
		ch.Detail = "No device has reported this check yet."
	}
	return ch
}

// clean makes caller-supplied text safe to print: one line, no control
// characters, valid UTF-8, at most max characters.
func clean(s string, max int) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || r >= 0x80 && r < 0xa0 {
			return ' '
		}
		return r
	}, s)
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	runes := []rune(s)
	return strings.TrimSpace(string(runes[:max-1])) + "…"
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func day(t time.Time) string { return t.UTC().Format("2 January 2006") }

// sentences returns up to n sentences from the start of s, stopping before
// the one that starts with stop (when stop is not empty).
func sentences(s string, n int, stop string) string {
	s = strings.Join(strings.Fields(s), " ")
	end, count := 0, 0
	for i := 0; i < len(s) && count < n; i++ {
		if stop != "" && strings.HasPrefix(s[i:], stop) && (i == 0 || s[i-1] == ' ') {
			break
		}
		if c := s[i]; (c == '.' || c == '?' || c == '!') && (i+1 == len(s) || s[i+1] == ' ') {
			end = i + 1
			count++
		}
	}
	if end == 0 {
		return s
	}
	return s[:end]
}

// sentenceFrom returns the sentence of s that starts with start, or "".
func sentenceFrom(s, start string) string {
	s = strings.Join(strings.Fields(s), " ")
	i := strings.Index(s, start)
	if i < 0 {
		return ""
	}
	return sentences(s[i:], 1, "")
}

// sortChecks orders checks as the report lists them: failures first, then
// those that could not be checked or have no result, then the rest; by
// severity, then ID.
func sortChecks(cs []Check) {
	rank := func(s CheckStatus) int {
		switch s {
		case CheckFail:
			return 0
		case CheckUnknown:
			return 1
		case CheckNotChecked:
			return 2
		case CheckPass:
			return 3
		}
		return 4
	}
	slices.SortStableFunc(cs, func(a, b Check) int {
		return cmp.Or(cmp.Compare(rank(a.Status), rank(b.Status)), cmp.Compare(b.Severity.Rank(), a.Severity.Rank()), cmp.Compare(a.ID, b.ID))
	})
}
