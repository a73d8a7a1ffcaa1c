package readiness

import (
	"fmt"
	"github.com/handwash/handwash/internal/english"
	"strings"

	"github.com/handwash/handwash/cloudimport"
	"github.com/handwash/handwash/evidence"
)

// CyberEssentials is an organisation's readiness for Cyber Essentials.
type CyberEssentials struct {
	// Status is the assessment's as a whole: not ready when any
	// automatic-fail item or requirement is not ready, ready only when all
	// are.
	Status Status
	// Summary explains the status in a sentence or two, without naming
	// it.
	Summary string
	// AutoFail are the items a "no" to which fails the assessment
	// outright, whatever else is answered: MFA on cloud services, and high
	// and critical fixes within 14 days.
	AutoFail []*CEItem
	// Requirements are the five technical requirements, in the order the
	// requirements document gives them.
	Requirements []*CEItem
}

// CEItem is one Cyber Essentials requirement, or one automatic-fail item,
// with the checks and questions behind it.
type CEItem struct {
	// ID is the requirement's ("firewalls"), as controls and questions
	// cite it, or the automatic-fail item's ("cloud-mfa").
	ID    string
	Title string
	// Text says what it asks.
	Text string
	// Questions are the question numbers in the IASME question set, for an
	// automatic-fail item: "A6.4, A6.5".
	Questions string
	// Rule says, for an automatic-fail item, when the assessment fails.
	Rule string
	// AutoFail is true for an automatic-fail item.
	AutoFail bool
	Status   Status
	// Reason says why it has its status, in a sentence.
	Reason string
	// Checks are the device checks and the findings from no device behind
	// it, failures first; Answers are the questions behind it, in
	// catalogue order.
	Checks  []Check
	Answers []QuestionResult
}

// AutoFailSource names where the automatic-fail rules come from.
const AutoFailSource = "IASME's Cyber Essentials question set version 16 (Danzell), in use from April 2026"

// autoFail is one automatic-fail item: the questions of the IASME question
// set whose notes say the assessment fails if the answer is no, and what
// in Handwash evidences them. The rules are those of the project's domain
// digest (Cyber Essentials, "Auto-fail (Danzell)", wording checked in
// IASME's comparison of question sets 15 and 16).
type autoFail struct {
	id, title, text, questions, rule string
	// rows are the question numbers whose rows of evidence's Cyber
	// Essentials table give the device checks.
	rows []string
	// findings are the controls of findings from no device.
	findings []string
	// asked are the self-assessment questions.
	asked []string
}

var autoFails = []autoFail{
	{
		id:        "cloud-mfa",
		title:     "Multi-factor authentication on every cloud service",
		text:      "Multi-factor authentication (MFA, also called two-step verification) is switched on for every administrator and every user of every cloud service that offers it, such as Microsoft 365, Google Workspace and your care records system.",
		questions: "A7.15, A7.16, A7.17",
		rule:      "The assessment fails if a cloud service you list as having no MFA does offer it (A7.15), or if MFA is not on for all administrators (A7.16) and all users (A7.17) of your cloud services.",
		rows:      []string{"A7.15", "A7.16", "A7.17"},
		findings:  []string{cloudimport.ControlAdminMFA, cloudimport.ControlUserMFA},
		asked:     []string{"passwords.mfa-cloud-services"},
	},
	{
		id:        "fixes-14-days",
		title:     "High and critical security fixes within 14 days",
		text:      "Fixes the maker calls critical or high-risk (or scores 7 or more, or gives no rating) are installed within 14 days of release: for operating systems and router and firewall software (A6.4), and for applications (A6.5).",
		questions: "A6.4, A6.5",
		rule:      "The assessment fails if the answer to A6.4 or A6.5 is no.",
		rows:      []string{"A6.4", "A6.5"},
		asked:     []string{"updates.network-equipment-updated"},
	},
}

// rowIDs splits a row's question numbers: "A7.16, A7.17".
func rowIDs(id string) []string {
	var out []string
	for _, s := range strings.Split(id, ",") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// autoFailRow reports whether an evidence row evidences one of the
// question numbers.
func autoFailRow(row *evidence.Requirement, numbers []string) bool {
	if row.Scheme != "ce" || row.Whole {
		return false
	}
	for _, id := range rowIDs(row.ID) {
		for _, n := range numbers {
			if id == n {
				return true
			}
		}
	}
	return false
}

// markAutoFail notes the checks and questions behind the automatic-fail
// items, so that they are marked wherever they appear.
func (b *builder) markAutoFail() {
	b.autoFailChecks, b.autoFailQuestions = map[string]bool{}, map[string]bool{}
	for _, def := range autoFails {
		for _, row := range b.doc.CyberEssentials {
			if autoFailRow(row, def.rows) {
				for _, c := range row.Controls {
					b.autoFailChecks[c.ID] = true
				}
			}
		}
		for _, id := range def.findings {
			b.autoFailChecks[id] = true
		}
		for _, id := range def.asked {
			b.autoFailQuestions[id] = true
		}
	}
}

func (b *builder) flag(c Check) Check {
	c.AutoFail = b.autoFailChecks[c.ID]
	return c
}

func (b *builder) cyberEssentials() CyberEssentials {
	var ce CyberEssentials
	for _, def := range autoFails {
		item := &CEItem{ID: def.id, Title: def.title, Text: def.text, Questions: def.questions, Rule: def.rule, AutoFail: true}
		seen := map[string]bool{}
		for _, row := range b.doc.CyberEssentials {
			if !autoFailRow(row, def.rows) {
				continue
			}
			for _, c := range row.Controls {
				if !seen[c.ID] {
					seen[c.ID] = true
					item.Checks = append(item.Checks, b.flag(deviceCheck(c)))
				}
			}
		}
		for _, x := range b.extra {
			for _, id := range def.findings {
				if x.ID == id {
					item.Checks = append(item.Checks, b.flag(x.Check))
				}
			}
		}
		for _, id := range def.asked {
			if q, ok := b.cat.Question(id); ok {
				item.Answers = append(item.Answers, b.question(q))
			}
		}
		sortChecks(item.Checks)
		item.Status, item.Reason = judge(item.Checks, item.Answers, true)
		ce.AutoFail = append(ce.AutoFail, item)
	}

	whole := map[string]*evidence.Requirement{}
	for _, row := range b.doc.CyberEssentials {
		if row.Whole {
			whole[row.Group] = row
		}
	}
	for _, req := range evidence.CERequirements() {
		item := &CEItem{ID: req.ID, Title: req.Title, Text: req.Text}
		if row := whole[req.Title]; row != nil {
			for _, c := range row.Controls {
				item.Checks = append(item.Checks, b.flag(deviceCheck(c)))
			}
		}
		for _, x := range b.extra {
			if x.ce == req.ID {
				item.Checks = append(item.Checks, b.flag(x.Check))
			}
		}
		for i := range b.cat.Questions {
			if q := &b.cat.Questions[i]; q.Refs.CyberEssentials == req.ID {
				item.Answers = append(item.Answers, b.question(q))
			}
		}
		sortChecks(item.Checks)
		item.Status, item.Reason = judge(item.Checks, item.Answers, false)
		ce.Requirements = append(ce.Requirements, item)
	}
	ce.Status, ce.Summary = ceOverall(ce.AutoFail, ce.Requirements)
	return ce
}

// judge works out a requirement's status from the checks and questions
// behind it. A "partly" fails an automatic-fail item, and an
// automatic-fail question wherever it appears: MFA on for some users, or
// some fixes installed in time, is a "no" to the question as Cyber
// Essentials asks it.
func judge(checks []Check, answers []QuestionResult, autoFail bool) (Status, string) {
	var fail, unknown, notChecked, pass int
	for _, c := range checks {
		switch c.Status {
		case CheckFail:
			fail++
		case CheckUnknown:
			unknown++
		case CheckNotChecked:
			notChecked++
		case CheckPass:
			pass++
		}
	}
	var no, partlyFails, partly, unanswered, expired, noReason, yes, notApplicable int
	for _, a := range answers {
		switch a.Status {
		case AnswerNo:
			no++
		case AnswerPartly:
			if autoFail || a.AutoFail {
				partlyFails++
			} else {
				partly++
			}
		case AnswerUnanswered:
			unanswered++
		case AnswerExpired:
			expired++
		case AnswerNotApplicable:
			if a.Good {
				notApplicable++
			} else {
				noReason++
			}
		case AnswerYes:
			yes++
		}
	}
	var gaps []string
	add := func(n int, one, many string) {
		if n > 0 {
			gaps = append(gaps, english.Count(n, one, many))
		}
	}
	add(fail, "check fails", "checks fail")
	add(no, "question is answered no", "questions are answered no")
	add(partlyFails, "question is answered only partly, which counts as no", "questions are answered only partly, which counts as no")
	add(partly, "question is answered partly", "questions are answered partly")
	add(unknown, "check could not be checked everywhere", "checks could not be checked everywhere")
	add(notChecked, "check has no result yet", "checks have no result yet")
	if n := unanswered + expired; n > 0 {
		s := english.Count(n, "question is not answered", "questions are not answered")
		if expired > 0 {
			s += fmt.Sprintf(" (%d out of date)", expired)
		}
		gaps = append(gaps, s)
	}
	add(noReason, "question is answered not applicable without a reason", "questions are answered not applicable without a reason")
	reason := capitalise(english.List(gaps, 0)) + "."

	known := pass + fail + unknown + no + partly + partlyFails + yes + notApplicable + noReason
	switch {
	case fail+no+partlyFails > 0:
		return StatusNotReady, reason
	case known == 0:
		return StatusNotKnown, "Nothing is known yet: no check has a result and no question is answered."
	case len(gaps) > 0:
		return StatusPartly, "Nothing fails, but " + english.List(gaps, 0) + "."
	}
	var shown []string
	if pass > 0 {
		shown = append(shown, "every check passes")
	}
	switch {
	case yes > 0 && notApplicable > 0:
		shown = append(shown, "every question is answered yes or not applicable")
	case yes > 0:
		shown = append(shown, "every question is answered yes")
	case notApplicable > 0:
		shown = append(shown, "every question is answered not applicable")
	}
	return StatusReady, capitalise(english.List(shown, 0)) + "."
}

// ceOverall says how ready the assessment is as a whole.
func ceOverall(auto, reqs []*CEItem) (Status, string) {
	count := func(items []*CEItem, s Status) int {
		n := 0
		for _, it := range items {
			if it.Status == s {
				n++
			}
		}
		return n
	}
	autoNot, reqNot := count(auto, StatusNotReady), count(reqs, StatusNotReady)
	all := append(append([]*CEItem(nil), auto...), reqs...)
	switch {
	case autoNot > 0:
		s := fmt.Sprintf("%s would fail the assessment outright", capitalise(english.Count(autoNot, "automatic-fail item", "automatic-fail items")))
		if reqNot > 0 {
			s += fmt.Sprintf(", and %d of the %d requirements %s not ready", reqNot, len(reqs), isAre(reqNot))
		}
		return StatusNotReady, s + "."
	case reqNot > 0:
		return StatusNotReady, fmt.Sprintf("%d of the %d requirements %s not ready.", reqNot, len(reqs), isAre(reqNot))
	case count(all, StatusReady) == len(all):
		return StatusReady, "Everything Handwash checks and asks for is in place. The assessment asks more than this: answer the rest of its questions with your certification body."
	case count(all, StatusNotKnown) == len(all):
		return StatusNotKnown, "No device has reported and no question is answered yet."
	}
	open := len(all) - count(all, StatusReady)
	return StatusPartly, fmt.Sprintf("Nothing fails, but %d of the %d items below %s not yet shown in full.", open, len(all), isAre(open))
}

func isAre(n int) string {
	if n == 1 {
		return "is"
	}
	return "are"
}

func capitalise(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
