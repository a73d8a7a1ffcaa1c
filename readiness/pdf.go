package readiness

import (
	"fmt"
	"io"
	"strings"

	"github.com/handwash/handwash"
	"github.com/handwash/handwash/internal/pdfkit"
)

// WritePDF writes the readiness as an A4 PDF with the content of the HTML
// page: the summary, the Cyber Essentials automatic-fail items and the
// five requirements with what is behind each, the DSPT items at
// Approaching Standards and Standards Met, and the action plan, most
// urgent first. Tables carry on across pages under their caption and
// headings, and every page has a footer with "Page N of M". The output
// depends only on r: the document's dates are r.Now, so the same
// readiness always gives the same bytes.
func WritePDF(w io.Writer, r *Readiness) error {
	if r == nil {
		return handwash.Errorf(handwash.EINVALID, "no readiness to write: build it first with readiness.Build")
	}
	p := renderPDF(r)
	if err := p.F.Error(); err != nil {
		return fmt.Errorf("making the PDF: %w", err)
	}
	return p.F.Output(w)
}

// renderPDF lays out the whole document, ready to be written.
func renderPDF(r *Readiness) *pdfDoc {
	p := newPDF(r)
	p.front()
	p.cyberEssentials()
	p.dspt()
	p.actionPlan()
	return p
}

// pdfDoc draws a Readiness with fpdf.
type pdfDoc struct {
	*pdfkit.Doc
	r *Readiness
	// deepest is the lowest the cursor has been at the foot of any page,
	// in millimetres from the top. Everything drawn ends at the cursor and
	// spacing stops at the bottom margin, so nothing is drawn below it.
	deepest float64
}

func newPDF(r *Readiness) *pdfDoc {
	p := &pdfDoc{r: r, Doc: pdfkit.New(pdfkit.Info{
		Date:     r.Now,
		Title:    r.Title,
		Author:   "Handwash",
		Subject:  "Readiness for Cyber Essentials and the NHS Data Security and Protection Toolkit, and an action plan, for " + r.OrgName,
		Keywords: "cyber hygiene, Cyber Essentials, DSPT, readiness, action plan",
		Creator:  "Handwash",
	})}
	// Text goes down to the bottom margin of a page exactly 297 mm high.
	p.Bottom = pdfkit.PageHeight - pdfkit.BottomMargin
	f := p.F
	f.SetHeaderFunc(func() {
		if f.PageNo() > 1 {
			p.PageHeader(r.OrgName+": Cyber Essentials and DSPT readiness, "+r.Date, true)
		}
	})
	f.SetFooterFunc(func() {
		p.deepest = max(p.deepest, f.GetY())
		p.PageFooter("Made by Handwash on " + r.Date)
	})
	f.AddPage()
	return p
}

// down leaves h millimetres of space, stopping at the bottom margin: the
// cursor never goes below it, and whatever comes next starts a new page
// if it does not fit.
func (p *pdfDoc) down(h float64) {
	p.F.SetY(min(p.F.GetY()+h, p.Bottom))
}

// bookmark adds an entry to the document's outline. Outline titles are
// not in the fonts' encoding but in the PDF's own, so they are written as
// UTF-16 and keep every character of the Basic Multilingual Plane.
func (p *pdfDoc) bookmark(title string, level int) {
	p.F.Bookmark(pdfkit.UTF16(title), level, -1)
}

// h2 starts a section: a bookmark, a large heading and a rule under it.
func (p *pdfDoc) h2(title string, newPage bool) {
	if newPage {
		p.F.AddPage()
	} else {
		p.down(4)
		p.Ensure(40)
	}
	p.bookmark(title, 0)
	p.Font("B", 15, pdfkit.Ink)
	p.F.MultiCell(p.Width, 7, p.S(title), "", "L", false)
	p.Rule(p.F.GetY()+0.5, pdfkit.Ink, 0.5)
	p.down(3.5)
}

// h3 is a sub-heading, bookmarked under its section.
func (p *pdfDoc) h3(title string) {
	p.down(2)
	p.Ensure(30)
	p.bookmark(title, 1)
	p.Font("B", 11.5, pdfkit.Ink)
	p.F.MultiCell(p.Width, 6, p.S(title), "", "L", false)
	p.down(1)
}

// h4 heads a requirement or item: a bar and its status in its colour
// beside the title, so the status stands out as on the HTML page.
func (p *pdfDoc) h4(title, status string, c pdfkit.Colour) {
	f := p.F
	p.down(3)
	p.Ensure(32)
	p.bookmark(title+": "+status, 2)
	y := f.GetY()
	f.SetLeftMargin(pdfkit.Margin + 4)
	f.SetX(pdfkit.Margin + 4)
	p.Font("B", 10.5, pdfkit.Ink)
	f.Write(5.5, p.S(title+": "))
	p.Font("B", 10.5, c)
	f.Write(5.5, p.S(status))
	f.Ln(5.5)
	f.SetLeftMargin(pdfkit.Margin)
	f.SetFillColor(c.R, c.G, c.B)
	f.Rect(pdfkit.Margin, y, 1.5, f.GetY()-y, "F")
	p.down(1)
}

// para writes a paragraph of body text.
func (p *pdfDoc) para(text string, c pdfkit.Colour) {
	p.runs(pdfkit.Run{Text: text, Colour: c})
}

// runs writes a paragraph of runs of body text.
func (p *pdfDoc) runs(runs ...pdfkit.Run) {
	f := p.F
	f.SetX(pdfkit.Margin)
	for _, r := range runs {
		p.Font(r.Style, pdfkit.BodySize, r.Colour)
		f.Write(pdfkit.BodyLine, p.S(r.Text))
	}
	f.Ln(pdfkit.BodyLine)
	p.down(1.5)
}

// item writes one list item: a bullet, then runs of text that wrap under
// the first word rather than under the bullet.
func (p *pdfDoc) item(marker string, runs ...pdfkit.Run) {
	p.Item(marker, runs...)
	p.F.Ln(pdfkit.BodyLine)
	p.down(1)
}

// note writes a paragraph set off by a grey bar down its left side, kept
// on one page.
func (p *pdfDoc) note(text string) {
	f := p.F
	p.Font("", pdfkit.BodySize, pdfkit.Ink)
	lines := len(p.Wrap(p.S(text), p.Width-6))
	p.Ensure(float64(lines)*pdfkit.BodyLine + 2)
	y := f.GetY()
	f.SetXY(pdfkit.Margin+6, y+1)
	f.MultiCell(p.Width-6, pdfkit.BodyLine, p.S(text), "", "L", false)
	f.SetFillColor(pdfkit.LineColour.R, pdfkit.LineColour.G, pdfkit.LineColour.B)
	f.Rect(pdfkit.Margin, y, 1.8, f.GetY()+1-y, "F")
	p.down(3)
}

func (p *pdfDoc) front() {
	f, r := p.F, p.r
	p.bookmark("Cyber Essentials and DSPT readiness", 0)
	p.Font("B", 20, pdfkit.Ink)
	f.MultiCell(p.Width, 9, p.S("Cyber Essentials and DSPT readiness"), "", "L", false)
	p.Font("B", 14, pdfkit.Ink)
	f.MultiCell(p.Width, 7, p.S(r.OrgName), "", "L", false)
	p.Font("", pdfkit.BodySize, pdfkit.Muted)
	f.MultiCell(p.Width, pdfkit.BodyLine, p.S(intro(r)), "", "L", false)
	p.down(3)

	p.h2("Summary", false)
	p.table(pdfkit.Table{
		Caption: "Readiness at a glance",
		Columns: []pdfkit.Column{{Head: "Scheme", Width: 0.3}, {Head: "Status", Width: 0.17}, {Head: "In short", Width: 0.53}},
		Rows: []pdfkit.Row{
			levelRow("Cyber Essentials", r.CyberEssentials.Status, r.CyberEssentials.Summary),
			levelRow("DSPT "+LevelApproaching, r.DSPT.Approaching.Status, r.DSPT.Approaching.Summary),
			levelRow("DSPT "+LevelMet, r.DSPT.StandardsMet.Status, r.DSPT.StandardsMet.Summary),
		},
	})
	p.runs(pdfkit.Run{Text: "Action plan: ", Style: "B", Colour: pdfkit.Ink}, pdfkit.Run{Text: actionsSummary(r.Actions), Colour: pdfkit.Ink})
	p.note(coverNote)
}

// levelRow is a row of a table of statuses: what, its status and why.
func levelRow(name string, s Status, summary string) pdfkit.Row {
	return pdfkit.Row{Cells: []pdfkit.Cell{
		{{Text: name}},
		{{Text: s.Label(), Style: "B", Colour: statusColour(s)}},
		{{Text: summary}},
	}}
}

func (p *pdfDoc) cyberEssentials() {
	ce := p.r.CyberEssentials
	p.h2("Cyber Essentials", true)
	p.runs(pdfkit.Run{Text: ce.Status.Label() + ".", Style: "B", Colour: statusColour(ce.Status)}, pdfkit.Run{Text: " " + ce.Summary, Colour: pdfkit.Ink})
	p.h3("Automatic fails")
	p.para(autoFailIntro, pdfkit.Ink)
	for _, it := range ce.AutoFail {
		p.ceItem(it)
	}
	p.h3("Requirements")
	for _, it := range ce.Requirements {
		p.ceItem(it)
	}
}

func (p *pdfDoc) ceItem(it *CEItem) {
	title := it.Title
	if it.Questions != "" {
		title += " (" + it.Questions + ")"
	}
	p.h4(title, it.Status.Label(), statusColour(it.Status))
	p.para(it.Text, pdfkit.Ink)
	if it.Rule != "" {
		p.runs(pdfkit.Run{Text: "Rule: ", Style: "B", Colour: pdfkit.Ink}, pdfkit.Run{Text: it.Rule, Colour: pdfkit.Ink})
	}
	p.runs(pdfkit.Run{Text: "Why this status: ", Style: "B", Colour: pdfkit.Ink}, pdfkit.Run{Text: it.Reason, Colour: pdfkit.Ink})
	p.behind("Behind "+it.Title, it.Checks, it.Answers)
}

// behind draws the checks and questions behind a requirement or item.
func (p *pdfDoc) behind(caption string, checks []Check, answers []QuestionResult) {
	if len(checks) == 0 && len(answers) == 0 {
		return
	}
	t := pdfkit.Table{
		Caption: caption,
		Columns: []pdfkit.Column{{Head: "Check or question", Width: 0.4}, {Head: "Result", Width: 0.16}, {Head: "Details", Width: 0.44}},
	}
	autoFail := pdfkit.Part{Text: "Automatic fail", Style: "B", Size: pdfkit.SmallSize, Colour: pdfkit.Red}
	for _, c := range checks {
		what := pdfkit.Cell{{Text: c.Title}, {Text: "Check " + c.ID + ", " + c.Source, Size: pdfkit.SmallSize, Colour: pdfkit.Muted}}
		if c.AutoFail {
			what = append(what, autoFail)
		}
		t.Rows = append(t.Rows, pdfkit.Row{Cells: []pdfkit.Cell{what, {{Text: c.Status.Label(), Style: "B", Colour: checkColour(c.Status)}}, {{Text: c.Detail}}}})
	}
	for _, a := range answers {
		what := pdfkit.Cell{{Text: a.Question}, {Text: "Question " + a.ID, Size: pdfkit.SmallSize, Colour: pdfkit.Muted}}
		if a.AutoFail {
			what = append(what, autoFail)
		}
		t.Rows = append(t.Rows, pdfkit.Row{Cells: []pdfkit.Cell{what, {{Text: a.Status.Label(), Style: "B", Colour: answerColour(a.Status)}}, {{Text: answerDetail(a)}}}})
	}
	p.table(t)
}

func (p *pdfDoc) dspt() {
	d := p.r.DSPT
	p.h2("Data Security and Protection Toolkit", true)
	p.table(pdfkit.Table{
		Caption: "Readiness by level",
		Columns: []pdfkit.Column{{Head: "Level", Width: 0.3}, {Head: "Status", Width: 0.17}, {Head: "In short", Width: 0.53}},
		Rows:    []pdfkit.Row{levelRow(d.Approaching.Name, d.Approaching.Status, d.Approaching.Summary), levelRow(d.StandardsMet.Name, d.StandardsMet.Status, d.StandardsMet.Summary)},
	})
	p.para(dsptIntro, pdfkit.Ink)
	t := pdfkit.Table{
		Caption: "Evidence items Handwash covers",
		Columns: []pdfkit.Column{{Head: "Item", Width: 0.14}, {Head: "What it asks", Width: 0.38}, {Head: "Needed from", Width: 0.2},
			{Head: LevelApproaching, Width: 0.14}, {Head: LevelMet, Width: 0.14}},
	}
	for _, it := range d.Items {
		label := pdfkit.Cell{{Text: it.Label()}}
		if it.Note != "" {
			label = append(label, pdfkit.Part{Text: it.Note, Size: pdfkit.SmallSize, Colour: pdfkit.Muted})
		}
		needed := pdfkit.Cell{{Text: it.NeededFor()}}
		if n := it.LevelNote(); n != "" {
			needed = append(needed, pdfkit.Part{Text: n, Size: pdfkit.SmallSize, Colour: pdfkit.Muted})
		}
		at := func(level string) pdfkit.Cell {
			s := it.At(level)
			c := metColour(it.Met)
			if s == "Not needed" {
				c = pdfkit.Muted
			}
			return pdfkit.Cell{{Text: s, Style: "B", Colour: c}}
		}
		t.Rows = append(t.Rows, pdfkit.Row{Cells: []pdfkit.Cell{label, {{Text: it.Text}}, needed, at(LevelApproaching), at(LevelMet)}})
	}
	p.table(t)

	p.h3("What shows each item, and what is missing")
	for _, it := range d.Items {
		status := "not met"
		if it.Met {
			status = "met"
		}
		p.h4(it.Label(), status, metColour(it.Met))
		p.para(it.Text, pdfkit.Ink)
		p.behind("Behind item "+it.Label(), it.Checks, it.Answers)
		if len(it.Missing) > 0 {
			p.Ensure(3 * pdfkit.BodyLine)
			p.runs(pdfkit.Run{Text: "Missing:", Style: "B", Colour: pdfkit.Ink})
			for _, m := range it.Missing {
				p.item("•", pdfkit.Run{Text: m, Colour: pdfkit.Ink})
			}
		}
	}
}

func (p *pdfDoc) actionPlan() {
	r := p.r
	p.h2("Action plan", true)
	p.para(actionsIntro, pdfkit.Ink)
	if len(r.Actions) == 0 {
		p.para(nothingToDo, pdfkit.Ink)
	} else {
		t := pdfkit.Table{
			Caption: "What to do, most urgent first",
			Columns: []pdfkit.Column{{Head: "No.", Width: 0.06}, {Head: "What to do", Width: 0.52}, {Head: "Severity and effort", Width: 0.16}, {Head: "Helps with", Width: 0.26}},
		}
		for i, a := range r.Actions {
			what := pdfkit.Cell{{Text: a.Title, Style: "B"}}
			if a.AutoFail {
				what = append(what, pdfkit.Part{Text: "Automatic fail", Style: "B", Colour: pdfkit.Red})
			}
			what = append(what, pdfkit.Part{Text: "Now: " + a.Problem})
			for _, x := range []struct{ lead, text string }{{"Note: ", a.Note}, {"Why: ", a.Why}, {"Done when: ", a.Goal}, {"Owner: ", a.Owner}} {
				if x.text != "" {
					what = append(what, pdfkit.Part{Text: x.lead + x.text})
				}
			}
			kind := "Check "
			if a.Kind == ActionQuestion {
				kind = "Question "
			}
			what = append(what, pdfkit.Part{Text: kind + a.Link, Size: pdfkit.SmallSize, Colour: pdfkit.Muted})
			helps := schemesWords(a.Schemes)
			if len(a.Schemes) > 0 {
				names := make([]string, len(a.Schemes))
				for j, s := range a.Schemes {
					names[j] = s.String()
				}
				helps = strings.Join(names, "\n")
			}
			t.Rows = append(t.Rows, pdfkit.Row{Cells: []pdfkit.Cell{
				{{Text: fmt.Sprint(i + 1)}},
				what,
				{{Text: severityWords(a.Severity), Style: "B", Colour: severityColour(a.Severity)}, {Text: "Effort: " + effortWords(a.Effort)}},
				{{Text: helps}},
			}})
		}
		p.table(t)
	}
	p.down(2)
	p.para("Made by Handwash on "+r.Date+". The automatic-fail rules are those of "+AutoFailSource+
		". DSPT item levels come from the DSPT's guidance where it could be checked; items marked “not confirmed” or “not known” should be checked in the Toolkit.", pdfkit.Muted)
}

func statusColour(s Status) pdfkit.Colour {
	switch s {
	case StatusReady:
		return pdfkit.Green
	case StatusNotReady:
		return pdfkit.Red
	case StatusPartly:
		return pdfkit.Muted
	}
	return pdfkit.Ink
}

func checkColour(s CheckStatus) pdfkit.Colour {
	switch s {
	case CheckPass:
		return pdfkit.Green
	case CheckFail:
		return pdfkit.Red
	case CheckUnknown:
		return pdfkit.Muted
	}
	return pdfkit.Ink
}

func answerColour(s AnswerStatus) pdfkit.Colour {
	switch s {
	case AnswerYes:
		return pdfkit.Green
	case AnswerNo:
		return pdfkit.Red
	case AnswerPartly, AnswerExpired:
		return pdfkit.Muted
	}
	return pdfkit.Ink
}

func metColour(met bool) pdfkit.Colour {
	if met {
		return pdfkit.Green
	}
	return pdfkit.Red
}

func severityColour(s handwash.Severity) pdfkit.Colour {
	if s.Rank() >= handwash.SeverityHigh.Rank() {
		return pdfkit.Red
	}
	return pdfkit.Muted
}

// table draws t, starting a new page (with the caption and headings
// again) whenever the next row would not fit, in ink unless a part says
// otherwise. It breaks pages itself: the automatic page break is off while
// it draws, so no row is ever split where it was not meant to be.
func (p *pdfDoc) table(t pdfkit.Table) {
	t.Ink = pdfkit.Ink
	p.F.SetAutoPageBreak(false, pdfkit.BottomMargin)
	defer p.F.SetAutoPageBreak(true, pdfkit.BottomMargin)
	p.Table(t)
	p.down(4)
}
