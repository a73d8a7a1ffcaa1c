package readiness

import (
	"bufio"
	"fmt"
	"github.com/handwash/handwash/internal/english"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/handwash/handwash"
	"github.com/handwash/handwash/assess"
)

// textWidth is the width plain text is wrapped to.
const textWidth = 100

// Words the two renderers share.
const (
	coverNote = "This covers only what Handwash checks on your devices, cloud accounts and phones, and what the self-assessment asks. " +
		"A certification body assesses Cyber Essentials, and the DSPT is published in the Toolkit itself, which has more items than these: " +
		"being ready here is a good start, not a pass."
	autoFailIntro = "In " + AutoFailSource + ", a “no” to any of these questions fails the whole assessment, however well everything else is answered."
	dsptIntro     = "An item is met only when every check behind it passes (or has an accepted exception) and every question behind it is answered yes, or not applicable with a reason. " +
		"Approaching Standards is for social care providers; Standards Met needs every mandatory item. Items whose level is not known are counted at Standards Met, to be safe."
	nothingToDo  = "Nothing to do: no check fails, and every question is answered yes (or not applicable, with a reason)."
	actionsIntro = "Every failing check and every question not answered yes, most urgent first: anything that fails Cyber Essentials outright, then by how serious it is (critical, high, medium, low), then quickest first."
)

// WriteText writes the readiness as plain text, wrapped to 100 columns,
// for a terminal or an email.
func WriteText(w io.Writer, r *Readiness) error {
	if r == nil {
		return handwash.Errorf(handwash.EINVALID, "no readiness to write: build it first with readiness.Build")
	}
	t := &textWriter{w: bufio.NewWriter(w)}
	t.heading("Cyber Essentials and DSPT readiness", '=')
	t.para("", r.OrgName)
	t.para("", intro(r))
	t.blank()

	t.heading("Summary", '-')
	t.para("Cyber Essentials: ", r.CyberEssentials.Status.Label()+". "+r.CyberEssentials.Summary)
	t.para("DSPT Approaching Standards: ", r.DSPT.Approaching.Status.Label()+". "+r.DSPT.Approaching.Summary)
	t.para("DSPT Standards Met: ", r.DSPT.StandardsMet.Status.Label()+". "+r.DSPT.StandardsMet.Summary)
	t.para("Action plan: ", actionsSummary(r.Actions))
	t.blank()
	t.para("", coverNote)
	t.blank()

	t.heading("Cyber Essentials", '=')
	t.para("", r.CyberEssentials.Status.Label()+". "+r.CyberEssentials.Summary)
	t.blank()
	t.heading("Automatic fails", '-')
	t.para("", autoFailIntro)
	for _, it := range r.CyberEssentials.AutoFail {
		t.blank()
		t.ceItem(it)
	}
	t.blank()
	t.heading("Requirements", '-')
	for i, it := range r.CyberEssentials.Requirements {
		if i > 0 {
			t.blank()
		}
		t.ceItem(it)
	}
	t.blank()

	t.heading("Data Security and Protection Toolkit", '=')
	t.para(LevelApproaching+": ", r.DSPT.Approaching.Status.Label()+". "+r.DSPT.Approaching.Summary)
	t.para(LevelMet+": ", r.DSPT.StandardsMet.Status.Label()+". "+r.DSPT.StandardsMet.Summary)
	t.blank()
	t.para("", dsptIntro)
	for _, it := range r.DSPT.Items {
		t.blank()
		t.dsptItem(it)
	}
	t.blank()

	t.heading("Action plan", '=')
	t.para("", actionsIntro)
	if len(r.Actions) == 0 {
		t.blank()
		t.para("", nothingToDo)
	}
	for i, a := range r.Actions {
		t.blank()
		t.action(i+1, a)
	}
	return t.w.Flush()
}

// intro says what the readiness was worked out from and when.
func intro(r *Readiness) string {
	devices := "no assessed device"
	if r.Devices > 0 {
		devices = english.Count(r.Devices, "assessed device", "assessed devices")
	}
	s := fmt.Sprintf("Worked out on %s from %s, the findings for the organisation as a whole (such as cloud accounts and phones) and the self-assessment answers",
		r.Date, devices)
	var versions []string
	if r.ControlsVersion != "" {
		versions = append(versions, "controls version "+r.ControlsVersion)
	}
	if r.QuestionsVersion != "" {
		versions = append(versions, "questions version "+r.QuestionsVersion)
	}
	if len(versions) > 0 {
		s += " (" + strings.Join(versions, ", ") + ")"
	}
	return s + "."
}

func actionsSummary(as []Action) string {
	if len(as) == 0 {
		return "Nothing to do."
	}
	auto := 0
	for _, a := range as {
		if a.AutoFail {
			auto++
		}
	}
	s := english.Count(len(as), "action", "actions")
	if auto > 0 {
		s += fmt.Sprintf(", %d of them automatic fails for Cyber Essentials", auto)
	}
	return s + "."
}

// textWriter writes wrapped plain text; the first error sticks in the
// bufio.Writer and Flush returns it.
type textWriter struct{ w *bufio.Writer }

func (t *textWriter) blank() { t.w.WriteString("\n") }

func (t *textWriter) heading(s string, underline rune) {
	t.w.WriteString(s + "\n" + strings.Repeat(string(underline), utf8.RuneCountInString(s)) + "\n")
}

// para writes lead then text, wrapped with a hanging indent as wide as
// lead (at most 4 columns).
func (t *textWriter) para(lead, text string) { t.indented("", lead, text) }

// indented writes indent, lead and text, wrapping lines under text's start
// (or under indent plus four when the lead is long).
func (t *textWriter) indented(indent, lead, text string) {
	hang := indent + strings.Repeat(" ", min(utf8.RuneCountInString(lead), 4))
	line := indent + lead
	width := utf8.RuneCountInString(line)
	first := true
	for _, word := range strings.Fields(text) {
		n := utf8.RuneCountInString(word)
		switch {
		case first:
			line += word
			width += n
			first = false
		case width+1+n > textWidth:
			t.w.WriteString(line + "\n")
			line, width = hang+word, utf8.RuneCountInString(hang)+n
		default:
			line += " " + word
			width += 1 + n
		}
	}
	t.w.WriteString(strings.TrimRight(line, " ") + "\n")
}

func (t *textWriter) ceItem(it *CEItem) {
	title := it.Title
	if it.Questions != "" {
		title += " (" + it.Questions + ")"
	}
	t.para("["+it.Status.Label()+"] ", title)
	t.indented("  ", "", it.Text)
	if it.Rule != "" {
		t.indented("  ", "Rule: ", it.Rule)
	}
	t.indented("  ", "Why this status: ", it.Reason)
	t.checks("  ", it.Checks)
	t.answers("  ", "Questions:", it.Answers)
}

func (t *textWriter) checks(indent string, cs []Check) {
	if len(cs) == 0 {
		return
	}
	t.indented(indent, "", "Checks:")
	for _, c := range cs {
		t.indented(indent, "- ", c.Status.Label()+": "+c.Title+" ("+checkWhere(c)+")")
		t.indented(indent+"    ", "", c.Detail)
	}
}

// checkWhere says a check's ID, where its result comes from and whether it
// fails Cyber Essentials outright.
func checkWhere(c Check) string {
	s := c.ID + "; " + strings.ToLower(c.Source)
	if c.AutoFail {
		s += "; automatic fail"
	}
	return s
}

func (t *textWriter) answers(indent, label string, as []QuestionResult) {
	if len(as) == 0 {
		return
	}
	t.indented(indent, "", label)
	for _, a := range as {
		where := a.ID
		if a.AutoFail {
			where += "; automatic fail"
		}
		t.indented(indent, "- ", a.Status.Label()+": "+a.Question+" ("+where+")")
		t.indented(indent+"    ", "", answerDetail(a))
	}
}

// answerDetail is where an answer stands, with its owner and note.
func answerDetail(a QuestionResult) string {
	s := a.Detail
	if a.Owner != "" {
		s += " Owner: " + a.Owner + "."
	}
	if a.Note != "" {
		s += " Note: " + a.Note
	}
	return s
}

func (t *textWriter) dsptItem(it *DSPTItem) {
	head := it.Label()
	if it.Note != "" {
		head += " (" + it.Note + ")"
	}
	t.para(head+": ", it.Text)
	needed := it.NeededFor()
	if n := it.LevelNote(); n != "" {
		needed += ". " + n
	}
	t.indented("  ", "Needed from: ", needed)
	t.indented("  ", "", fmt.Sprintf("%s: %s. %s: %s.", LevelApproaching, it.At(LevelApproaching), LevelMet, it.At(LevelMet)))
	t.checks("  ", it.Checks)
	t.answers("  ", "Questions:", it.Answers)
	if len(it.Missing) > 0 {
		t.indented("  ", "", "Missing:")
		for _, m := range it.Missing {
			t.indented("  ", "- ", m)
		}
	}
}

func (t *textWriter) action(n int, a Action) {
	var tags []string
	if a.AutoFail {
		tags = append(tags, "Automatic fail")
	}
	tags = append(tags, severityWords(a.Severity))
	lead := fmt.Sprintf("%d. ", n)
	t.para(lead, "["+strings.Join(tags, ", ")+"] "+a.Title)
	pad := strings.Repeat(" ", len(lead))
	t.indented(pad, "Now: ", a.Problem)
	if a.Note != "" {
		t.indented(pad, "Note: ", a.Note)
	}
	if a.Why != "" {
		t.indented(pad, "Why: ", a.Why)
	}
	if a.Goal != "" {
		t.indented(pad, "Done when: ", a.Goal)
	}
	t.indented(pad, "Effort: ", effortWords(a.Effort)+".")
	if a.Owner != "" {
		t.indented(pad, "Owner: ", a.Owner)
	}
	t.indented(pad, "Helps with: ", schemesWords(a.Schemes))
	kind := "Check"
	if a.Kind == ActionQuestion {
		kind = "Question"
	}
	t.indented(pad, kind+": ", a.Link)
}

func severityWords(s handwash.Severity) string {
	if s == "" {
		return "Severity not rated"
	}
	return capitalise(string(s))
}

func effortWords(e assess.Effort) string {
	if e == "" {
		return "not estimated"
	}
	return string(e)
}

func schemesWords(refs []SchemeRef) string {
	if len(refs) == 0 {
		return "Neither scheme asks for this as such, but it protects you."
	}
	parts := make([]string, len(refs))
	for i, r := range refs {
		parts[i] = r.String()
	}
	return strings.Join(parts, "; ")
}
