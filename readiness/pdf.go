package readiness

import (
	"fmt"
	"io"
	"math"
	"strings"
	"unicode"
	"unicode/utf16"

	"codeberg.org/go-pdf/fpdf"
	"golang.org/x/text/unicode/norm"

	"github.com/handwash/handwash"
)

// Page layout, in millimetres on A4 portrait (210 × 297), and type sizes
// in points: those of the evidence report's PDF, so the two look alike.
const (
	pdfPageHeight = 297.0
	pdfMargin     = 15.0
	pdfTop        = 18.0
	pdfBottom     = 18.0
	pdfBody       = 10.0 // body text size, points
	pdfTableSize  = 8.5  // table text size, points
	pdfSmall      = 7.5  // IDs and notes under a cell's text, points
	pdfLine       = 5.0  // body line height
	pdfRowLine    = 3.9  // table line height
	pdfCellPad    = 1.4  // space above and below a table row's text
)

type pdfColour struct{ r, g, b int }

// Colours: the GOV.UK palette of the HTML. Text is ink, muted, green or
// the dark red, each at least 4.5:1 on white; a status is always in
// words too.
var (
	pdfInk     = pdfColour{11, 12, 12}
	pdfMuted   = pdfColour{80, 90, 95}
	pdfLineCol = pdfColour{177, 180, 182}
	pdfShade   = pdfColour{243, 242, 241}
	pdfRed     = pdfColour{148, 37, 20}
	pdfGreen   = pdfColour{0, 112, 60}
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
	if err := p.f.Error(); err != nil {
		return fmt.Errorf("making the PDF: %w", err)
	}
	return p.f.Output(w)
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
	f *fpdf.Fpdf
	r *Readiness
	// tr turns Windows-1252 text (after pdfFold) into the bytes the core
	// fonts expect.
	tr func(string) string
	// width is the width between the margins.
	width float64
	// deepest is the lowest the cursor has been at the foot of any page,
	// in millimetres from the top. Everything drawn ends at the cursor and
	// spacing stops at the bottom margin, so nothing is drawn below it.
	deepest float64
}

func newPDF(r *Readiness) *pdfDoc {
	f := fpdf.New("P", "mm", "A4", "")
	p := &pdfDoc{f: f, r: r, tr: f.UnicodeTranslatorFromDescriptor("cp1252")}
	f.SetMargins(pdfMargin, pdfTop, pdfMargin)
	f.SetAutoPageBreak(true, pdfBottom)
	pw, _ := f.GetPageSize()
	p.width = pw - 2*pdfMargin

	// Fixed dates and sorted resources make the bytes depend on the
	// readiness alone. Compression stays on: zlib output is deterministic.
	f.SetCreationDate(r.Now)
	f.SetModificationDate(r.Now)
	f.SetCatalogSort(true)
	f.SetTitle(pdfMetaText(r.Title), true)
	f.SetAuthor("Handwash", true)
	f.SetCreator("Handwash", true)
	f.SetProducer("Handwash", true)
	f.SetSubject(pdfMetaText("Readiness for Cyber Essentials and the NHS Data Security and Protection Toolkit, and an action plan, for "+r.OrgName), true)
	f.SetKeywords("cyber hygiene, Cyber Essentials, DSPT, readiness, action plan", true)
	f.SetLang("en-GB")
	f.SetDisplayMode("fullwidth", "continuous")
	f.AliasNbPages("{nb}")

	f.SetHeaderFunc(func() {
		if f.PageNo() == 1 {
			return
		}
		p.font("", 8, pdfMuted)
		f.SetXY(pdfMargin, 9)
		f.CellFormat(p.width, 4, p.fit(p.s(r.OrgName+": Cyber Essentials and DSPT readiness, "+r.Date), p.width-2), "", 0, "L", false, 0, "")
		p.rule(14, pdfLineCol, 0.2)
		f.SetXY(pdfMargin, pdfTop)
	})
	f.SetFooterFunc(func() {
		p.deepest = max(p.deepest, f.GetY())
		p.rule(pdfPageHeight-13, pdfLineCol, 0.2)
		p.font("", 8, pdfMuted)
		f.SetXY(pdfMargin, pdfPageHeight-12)
		f.CellFormat(p.width/2, 4, p.s("Made by Handwash on "+r.Date), "", 0, "L", false, 0, "")
		f.CellFormat(p.width/2, 4, fmt.Sprintf("Page %d of {nb}", f.PageNo()), "", 0, "R", false, 0, "")
	})
	f.AddPage()
	return p
}

// s prepares text for the core fonts.
func (p *pdfDoc) s(text string) string { return p.tr(pdfFold(text)) }

// fit shortens text (already in the core fonts' encoding) with an ellipsis
// to fit w millimetres in the current font.
func (p *pdfDoc) fit(text string, w float64) string {
	if p.f.GetStringWidth(text) <= w {
		return text
	}
	ellipsis := p.tr("…")
	for text != "" && p.f.GetStringWidth(text+ellipsis) > w {
		text = text[:len(text)-1]
	}
	return strings.TrimRight(text, " ") + ellipsis
}

func (p *pdfDoc) font(style string, size float64, c pdfColour) {
	p.f.SetFont("Helvetica", style, size)
	p.f.SetTextColor(c.r, c.g, c.b)
}

func (p *pdfDoc) rule(y float64, c pdfColour, width float64) {
	p.f.SetDrawColor(c.r, c.g, c.b)
	p.f.SetLineWidth(width)
	p.f.Line(pdfMargin, y, pdfMargin+p.width, y)
}

// bottom is how far down the page text may go.
func (p *pdfDoc) bottom() float64 { return pdfPageHeight - pdfBottom }

// down leaves h millimetres of space, stopping at the bottom margin: the
// cursor never goes below it, and whatever comes next starts a new page
// if it does not fit.
func (p *pdfDoc) down(h float64) {
	p.f.SetY(min(p.f.GetY()+h, p.bottom()))
}

// ensure starts a new page unless h millimetres fit on this one, so a
// heading is never left alone at the foot of a page.
func (p *pdfDoc) ensure(h float64) {
	if p.f.GetY()+h > p.bottom() {
		p.f.AddPage()
	}
}

// bookmark adds an entry to the document's outline. Outline titles are
// not in the fonts' encoding but in the PDF's own, so they are written as
// UTF-16 and keep every character of the Basic Multilingual Plane.
func (p *pdfDoc) bookmark(title string, level int) {
	b := []byte{0xfe, 0xff}
	for _, u := range utf16.Encode([]rune(pdfMetaText(title))) {
		b = append(b, byte(u>>8), byte(u))
	}
	p.f.Bookmark(string(b), level, -1)
}

// h2 starts a section: a bookmark, a large heading and a rule under it.
func (p *pdfDoc) h2(title string, newPage bool) {
	if newPage {
		p.f.AddPage()
	} else {
		p.down(4)
		p.ensure(40)
	}
	p.bookmark(title, 0)
	p.font("B", 15, pdfInk)
	p.f.MultiCell(p.width, 7, p.s(title), "", "L", false)
	p.rule(p.f.GetY()+0.5, pdfInk, 0.5)
	p.down(3.5)
}

// h3 is a sub-heading, bookmarked under its section.
func (p *pdfDoc) h3(title string) {
	p.down(2)
	p.ensure(30)
	p.bookmark(title, 1)
	p.font("B", 11.5, pdfInk)
	p.f.MultiCell(p.width, 6, p.s(title), "", "L", false)
	p.down(1)
}

// h4 heads a requirement or item: a bar and its status in its colour
// beside the title, so the status stands out as on the HTML page.
func (p *pdfDoc) h4(title, status string, c pdfColour) {
	f := p.f
	p.down(3)
	p.ensure(32)
	p.bookmark(title+": "+status, 2)
	y := f.GetY()
	f.SetLeftMargin(pdfMargin + 4)
	f.SetX(pdfMargin + 4)
	p.font("B", 10.5, pdfInk)
	f.Write(5.5, p.s(title+": "))
	p.font("B", 10.5, c)
	f.Write(5.5, p.s(status))
	f.Ln(5.5)
	f.SetLeftMargin(pdfMargin)
	f.SetFillColor(c.r, c.g, c.b)
	f.Rect(pdfMargin, y, 1.5, f.GetY()-y, "F")
	p.down(1)
}

// pdfRun is a stretch of text in one style, for paragraphs that start in
// bold.
type pdfRun struct {
	text  string
	style string
	c     pdfColour
}

// para writes a paragraph of body text.
func (p *pdfDoc) para(text string, c pdfColour) {
	p.runs(pdfRun{text: text, c: c})
}

// runs writes a paragraph of runs of body text.
func (p *pdfDoc) runs(runs ...pdfRun) {
	f := p.f
	f.SetX(pdfMargin)
	for _, r := range runs {
		p.font(r.style, pdfBody, r.c)
		f.Write(pdfLine, p.s(r.text))
	}
	f.Ln(pdfLine)
	p.down(1.5)
}

// item writes one list item: a bullet, then runs of text that wrap under
// the first word rather than under the bullet.
func (p *pdfDoc) item(marker string, runs ...pdfRun) {
	f := p.f
	p.ensure(2 * pdfLine)
	indent := 6.0
	p.font("", pdfBody, pdfInk)
	f.SetX(pdfMargin + 1)
	f.CellFormat(indent-1, pdfLine, p.s(marker), "", 0, "L", false, 0, "")
	f.SetLeftMargin(pdfMargin + indent)
	for _, r := range runs {
		p.font(r.style, pdfBody, r.c)
		f.Write(pdfLine, p.s(r.text))
	}
	f.SetLeftMargin(pdfMargin)
	f.Ln(pdfLine)
	p.down(1)
}

// note writes a paragraph set off by a grey bar down its left side, kept
// on one page.
func (p *pdfDoc) note(text string) {
	f := p.f
	p.font("", pdfBody, pdfInk)
	lines := len(p.wrap(p.s(text), p.width-6))
	p.ensure(float64(lines)*pdfLine + 2)
	y := f.GetY()
	f.SetXY(pdfMargin+6, y+1)
	f.MultiCell(p.width-6, pdfLine, p.s(text), "", "L", false)
	f.SetFillColor(pdfLineCol.r, pdfLineCol.g, pdfLineCol.b)
	f.Rect(pdfMargin, y, 1.8, f.GetY()+1-y, "F")
	p.down(3)
}

func (p *pdfDoc) front() {
	f, r := p.f, p.r
	p.bookmark("Cyber Essentials and DSPT readiness", 0)
	p.font("B", 20, pdfInk)
	f.MultiCell(p.width, 9, p.s("Cyber Essentials and DSPT readiness"), "", "L", false)
	p.font("B", 14, pdfInk)
	f.MultiCell(p.width, 7, p.s(r.OrgName), "", "L", false)
	p.font("", pdfBody, pdfMuted)
	f.MultiCell(p.width, pdfLine, p.s(intro(r)), "", "L", false)
	p.down(3)

	p.h2("Summary", false)
	p.table(pdfTable{
		caption: "Readiness at a glance",
		cols:    []pdfCol{{"Scheme", 0.3, "L"}, {"Status", 0.17, "L"}, {"In short", 0.53, "L"}},
		rows: []pdfRow{
			levelRow("Cyber Essentials", r.CyberEssentials.Status, r.CyberEssentials.Summary),
			levelRow("DSPT "+LevelApproaching, r.DSPT.Approaching.Status, r.DSPT.Approaching.Summary),
			levelRow("DSPT "+LevelMet, r.DSPT.StandardsMet.Status, r.DSPT.StandardsMet.Summary),
		},
	})
	p.runs(pdfRun{text: "Action plan: ", style: "B", c: pdfInk}, pdfRun{text: actionsSummary(r.Actions), c: pdfInk})
	p.note(coverNote)
}

// levelRow is a row of a table of statuses: what, its status and why.
func levelRow(name string, s Status, summary string) pdfRow {
	return pdfRow{cells: []pdfCell{
		{{text: name}},
		{{text: s.Label(), style: "B", c: statusColour(s)}},
		{{text: summary}},
	}}
}

func (p *pdfDoc) cyberEssentials() {
	ce := p.r.CyberEssentials
	p.h2("Cyber Essentials", true)
	p.runs(pdfRun{text: ce.Status.Label() + ".", style: "B", c: statusColour(ce.Status)}, pdfRun{text: " " + ce.Summary, c: pdfInk})
	p.h3("Automatic fails")
	p.para(autoFailIntro, pdfInk)
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
	p.para(it.Text, pdfInk)
	if it.Rule != "" {
		p.runs(pdfRun{text: "Rule: ", style: "B", c: pdfInk}, pdfRun{text: it.Rule, c: pdfInk})
	}
	p.runs(pdfRun{text: "Why this status: ", style: "B", c: pdfInk}, pdfRun{text: it.Reason, c: pdfInk})
	p.behind("Behind "+it.Title, it.Checks, it.Answers)
}

// behind draws the checks and questions behind a requirement or item.
func (p *pdfDoc) behind(caption string, checks []Check, answers []QuestionResult) {
	if len(checks) == 0 && len(answers) == 0 {
		return
	}
	t := pdfTable{
		caption: caption,
		cols:    []pdfCol{{"Check or question", 0.4, "L"}, {"Result", 0.16, "L"}, {"Details", 0.44, "L"}},
	}
	autoFail := pdfPart{text: "Automatic fail", style: "B", size: pdfSmall, c: pdfRed}
	for _, c := range checks {
		what := pdfCell{{text: c.Title}, {text: "Check " + c.ID + ", " + c.Source, size: pdfSmall, c: pdfMuted}}
		if c.AutoFail {
			what = append(what, autoFail)
		}
		t.rows = append(t.rows, pdfRow{cells: []pdfCell{what, {{text: c.Status.Label(), style: "B", c: checkColour(c.Status)}}, {{text: c.Detail}}}})
	}
	for _, a := range answers {
		what := pdfCell{{text: a.Question}, {text: "Question " + a.ID, size: pdfSmall, c: pdfMuted}}
		if a.AutoFail {
			what = append(what, autoFail)
		}
		t.rows = append(t.rows, pdfRow{cells: []pdfCell{what, {{text: a.Status.Label(), style: "B", c: answerColour(a.Status)}}, {{text: answerDetail(a)}}}})
	}
	p.table(t)
}

func (p *pdfDoc) dspt() {
	d := p.r.DSPT
	p.h2("Data Security and Protection Toolkit", true)
	p.table(pdfTable{
		caption: "Readiness by level",
		cols:    []pdfCol{{"Level", 0.3, "L"}, {"Status", 0.17, "L"}, {"In short", 0.53, "L"}},
		rows:    []pdfRow{levelRow(d.Approaching.Name, d.Approaching.Status, d.Approaching.Summary), levelRow(d.StandardsMet.Name, d.StandardsMet.Status, d.StandardsMet.Summary)},
	})
	p.para(dsptIntro, pdfInk)
	t := pdfTable{
		caption: "Evidence items Handwash covers",
		cols: []pdfCol{{"Item", 0.14, "L"}, {"What it asks", 0.38, "L"}, {"Needed from", 0.2, "L"},
			{LevelApproaching, 0.14, "L"}, {LevelMet, 0.14, "L"}},
	}
	for _, it := range d.Items {
		label := pdfCell{{text: it.Label()}}
		if it.Note != "" {
			label = append(label, pdfPart{text: it.Note, size: pdfSmall, c: pdfMuted})
		}
		needed := pdfCell{{text: it.NeededFor()}}
		if n := it.LevelNote(); n != "" {
			needed = append(needed, pdfPart{text: n, size: pdfSmall, c: pdfMuted})
		}
		at := func(level string) pdfCell {
			s := it.At(level)
			c := metColour(it.Met)
			if s == "Not needed" {
				c = pdfMuted
			}
			return pdfCell{{text: s, style: "B", c: c}}
		}
		t.rows = append(t.rows, pdfRow{cells: []pdfCell{label, {{text: it.Text}}, needed, at(LevelApproaching), at(LevelMet)}})
	}
	p.table(t)

	p.h3("What shows each item, and what is missing")
	for _, it := range d.Items {
		status := "not met"
		if it.Met {
			status = "met"
		}
		p.h4(it.Label(), status, metColour(it.Met))
		p.para(it.Text, pdfInk)
		p.behind("Behind item "+it.Label(), it.Checks, it.Answers)
		if len(it.Missing) > 0 {
			p.ensure(3 * pdfLine)
			p.runs(pdfRun{text: "Missing:", style: "B", c: pdfInk})
			for _, m := range it.Missing {
				p.item("•", pdfRun{text: m, c: pdfInk})
			}
		}
	}
}

func (p *pdfDoc) actionPlan() {
	r := p.r
	p.h2("Action plan", true)
	p.para(actionsIntro, pdfInk)
	if len(r.Actions) == 0 {
		p.para(nothingToDo, pdfInk)
	} else {
		t := pdfTable{
			caption: "What to do, most urgent first",
			cols:    []pdfCol{{"No.", 0.06, "L"}, {"What to do", 0.52, "L"}, {"Severity and effort", 0.16, "L"}, {"Helps with", 0.26, "L"}},
		}
		for i, a := range r.Actions {
			what := pdfCell{{text: a.Title, style: "B"}}
			if a.AutoFail {
				what = append(what, pdfPart{text: "Automatic fail", style: "B", c: pdfRed})
			}
			what = append(what, pdfPart{text: "Now: " + a.Problem})
			for _, x := range []struct{ lead, text string }{{"Note: ", a.Note}, {"Why: ", a.Why}, {"Done when: ", a.Goal}, {"Owner: ", a.Owner}} {
				if x.text != "" {
					what = append(what, pdfPart{text: x.lead + x.text})
				}
			}
			kind := "Check "
			if a.Kind == ActionQuestion {
				kind = "Question "
			}
			what = append(what, pdfPart{text: kind + a.Link, size: pdfSmall, c: pdfMuted})
			helps := schemesWords(a.Schemes)
			if len(a.Schemes) > 0 {
				names := make([]string, len(a.Schemes))
				for j, s := range a.Schemes {
					names[j] = s.String()
				}
				helps = strings.Join(names, "\n")
			}
			t.rows = append(t.rows, pdfRow{cells: []pdfCell{
				{{text: fmt.Sprint(i + 1)}},
				what,
				{{text: severityWords(a.Severity), style: "B", c: severityColour(a.Severity)}, {text: "Effort: " + effortWords(a.Effort)}},
				{{text: helps}},
			}})
		}
		p.table(t)
	}
	p.down(2)
	p.para("Made by Handwash on "+r.Date+". The automatic-fail rules are those of "+AutoFailSource+
		". DSPT item levels come from the DSPT's guidance where it could be checked; items marked “not confirmed” or “not known” should be checked in the Toolkit.", pdfMuted)
}

func statusColour(s Status) pdfColour {
	switch s {
	case StatusReady:
		return pdfGreen
	case StatusNotReady:
		return pdfRed
	case StatusPartly:
		return pdfMuted
	}
	return pdfInk
}

func checkColour(s CheckStatus) pdfColour {
	switch s {
	case CheckPass:
		return pdfGreen
	case CheckFail:
		return pdfRed
	case CheckUnknown:
		return pdfMuted
	}
	return pdfInk
}

func answerColour(s AnswerStatus) pdfColour {
	switch s {
	case AnswerYes:
		return pdfGreen
	case AnswerNo:
		return pdfRed
	case AnswerPartly, AnswerExpired:
		return pdfMuted
	}
	return pdfInk
}

func metColour(met bool) pdfColour {
	if met {
		return pdfGreen
	}
	return pdfRed
}

func severityColour(s handwash.Severity) pdfColour {
	if s.Rank() >= handwash.SeverityHigh.Rank() {
		return pdfRed
	}
	return pdfMuted
}

// pdfTable is a table that breaks across pages, repeating its caption
// (marked "continued") and column headings on each.
type pdfTable struct {
	caption string
	cols    []pdfCol
	rows    []pdfRow
}

type pdfCol struct {
	head  string
	width float64 // a fraction of the width between the margins
	align string  // L or R
}

type pdfRow struct {
	cells []pdfCell
}

// pdfCell is a cell's text: paragraphs, one under another, each in its
// own style.
type pdfCell []pdfPart

type pdfPart struct {
	text  string
	style string    // "" or "B"
	size  float64   // points; 0 means pdfTableSize
	c     pdfColour // the zero value is ink
}

// pdfWrapped is one line of a cell's text, with its style.
type pdfWrapped struct {
	text  string
	style string
	size  float64
	c     pdfColour
}

func (p *pdfDoc) cellLines(c pdfCell, w float64) []pdfWrapped {
	var out []pdfWrapped
	for _, part := range c {
		if part.text == "" {
			continue
		}
		size, c := part.size, part.c
		if size == 0 {
			size = pdfTableSize
		}
		if c == (pdfColour{}) {
			c = pdfInk
		}
		p.font(part.style, size, c)
		for _, l := range p.wrap(p.s(part.text), w) {
			out = append(out, pdfWrapped{text: l, style: part.style, size: size, c: c})
		}
	}
	return out
}

func (p *pdfDoc) tableHead(t pdfTable, widths []float64, continued bool) {
	f := p.f
	caption := t.caption
	if continued {
		caption += " (continued)"
	}
	p.font("B", 9, pdfInk)
	f.SetX(pdfMargin)
	f.MultiCell(p.width, 4.5, p.s(caption), "", "L", false)
	f.Ln(0.5)
	// Headings may wrap too: the row is as tall as the tallest.
	lines := make([][]string, len(t.cols))
	n := 1
	for i, c := range t.cols {
		lines[i] = p.wrap(p.s(c.head), widths[i])
		n = max(n, len(lines[i]))
	}
	h := float64(n)*pdfRowLine + 2*pdfCellPad
	y := f.GetY()
	f.SetFillColor(pdfShade.r, pdfShade.g, pdfShade.b)
	f.Rect(pdfMargin, y, p.width, h, "F")
	x := pdfMargin
	for i, c := range t.cols {
		for j, l := range lines[i] {
			f.SetXY(x, y+pdfCellPad+float64(j)*pdfRowLine)
			f.CellFormat(widths[i], pdfRowLine, l, "", 0, c.align, false, 0, "")
		}
		x += widths[i]
	}
	p.rule(y+h, pdfInk, 0.4)
	f.SetXY(pdfMargin, y+h)
}

// table draws t, starting a new page (with the caption and headings
// again) whenever the next row would not fit. It breaks pages itself: the
// automatic page break is off while it draws, so no row is ever split
// where it was not meant to be.
func (p *pdfDoc) table(t pdfTable) {
	f := p.f
	f.SetAutoPageBreak(false, pdfBottom)
	defer f.SetAutoPageBreak(true, pdfBottom)
	widths := make([]float64, len(t.cols))
	for i, c := range t.cols {
		widths[i] = c.width * p.width
	}
	rows := make([][][]pdfWrapped, len(t.rows))
	lines := make([]int, len(t.rows))
	for i, r := range t.rows {
		rows[i] = make([][]pdfWrapped, len(r.cells))
		n := 1
		for j, c := range r.cells {
			if j >= len(widths) {
				break
			}
			rows[i][j] = p.cellLines(c, widths[j])
			n = max(n, len(rows[i][j]))
		}
		lines[i] = n
	}
	height := func(n int) float64 { return float64(n)*pdfRowLine + 2*pdfCellPad }
	// Keep the caption, the headings and the first row together.
	first := 0.0
	if len(lines) > 0 {
		first = min(height(lines[0]), 40)
	}
	p.ensure(16 + first)
	p.tableHead(t, widths, false)
	bottom := p.bottom()
	for i := range t.rows {
		n := lines[i]
		y := f.GetY()
		// A row that does not fit goes to the next page; one taller than
		// a whole page is split between pages, a few lines at least on each.
		fresh := bottom - (pdfTop + 20)
		if y+height(n) > bottom && (height(n) <= fresh || bottom-y < height(3)) {
			f.AddPage()
			p.tableHead(t, widths, true)
			y = f.GetY()
		}
		for from := 0; from < n; {
			fit := int(math.Floor((bottom - y - 2*pdfCellPad) / pdfRowLine))
			to := min(n, from+max(fit, 1))
			p.row(t, rows[i], widths, y, height(to-from), from, to)
			from = to
			if from < n {
				f.AddPage()
				p.tableHead(t, widths, true)
				y = f.GetY()
			}
		}
	}
	p.down(4)
}

// row draws lines [from, to) of a table row's cells in a band h high at y.
func (p *pdfDoc) row(t pdfTable, cells [][]pdfWrapped, widths []float64, y, h float64, from, to int) {
	f := p.f
	x := pdfMargin
	for j, lines := range cells {
		align := t.cols[j].align
		for k := from; k < to && k < len(lines); k++ {
			l := lines[k]
			p.font(l.style, l.size, l.c)
			f.SetXY(x, y+pdfCellPad+float64(k-from)*pdfRowLine)
			f.CellFormat(widths[j], pdfRowLine, l.text, "", 0, align, false, 0, "")
		}
		x += widths[j]
	}
	p.rule(y+h, pdfLineCol, 0.2)
	f.SetXY(pdfMargin, y+h)
}

// wrap breaks text (already in the core fonts' encoding) into lines that
// fit a cell w wide in the current font. It breaks at spaces, and after a
// hyphen, slash, dot or underscore, so that IDs break between their
// parts; only a part wider than the cell is cut within it.
func (p *pdfDoc) wrap(text string, w float64) []string {
	limit := w - 2*p.f.GetCellMargin()
	var lines []string
	for _, para := range strings.Split(text, "\n") {
		line, lineW := "", 0.0
		flush := func() {
			lines = append(lines, strings.TrimRight(line, " "))
			line, lineW = "", 0
		}
		for _, piece := range pdfBreakPieces(para) {
			pw := p.f.GetStringWidth(strings.TrimRight(piece, " "))
			if lineW+pw <= limit {
				line += piece
				lineW += p.f.GetStringWidth(piece)
				continue
			}
			if line != "" {
				flush()
			}
			// A piece wider than the cell is cut where it must be.
			for pw > limit {
				cut := 1
				for cut < len(piece) && p.f.GetStringWidth(piece[:cut+1]) <= limit {
					cut++
				}
				lines = append(lines, piece[:cut])
				piece = piece[cut:]
				pw = p.f.GetStringWidth(strings.TrimRight(piece, " "))
			}
			line, lineW = piece, p.f.GetStringWidth(piece)
		}
		if line != "" || len(lines) == 0 {
			flush()
		}
	}
	return lines
}

// pdfBreakPieces splits text after each place a line may break: after a
// run of spaces, and after a hyphen, slash, dot or underscore.
func pdfBreakPieces(text string) []string {
	var pieces []string
	start := 0
	for i := 0; i < len(text); i++ {
		end := -1
		switch text[i] {
		case ' ':
			j := i
			for j+1 < len(text) && text[j+1] == ' ' {
				j++
			}
			end, i = j+1, j
		case '-', '/', '.', '_':
			end = i + 1
		}
		if end > 0 {
			pieces = append(pieces, text[start:end])
			start = end
		}
	}
	if start < len(text) {
		pieces = append(pieces, text[start:])
	}
	return pieces
}

// The PDF uses the core fonts every PDF reader has (Helvetica), so nothing
// is embedded and the file stays small; they can only show Windows-1252.
// pdfFold turns any text into characters of that code page as the
// evidence report's PDF does, keeping as much meaning as it can: curly
// quotes, dashes, "é" and "€" stay as they are, arrows and comparison
// signs become their ASCII spellings, letters with accents the code page
// lacks lose the accent ("ș" becomes "s", "Ł" becomes "L"), and what has
// no spelling at all (an emoji, a Chinese character) becomes "?", once per
// symbol.

// pdfCP1252Extra are the characters Windows-1252 has at 0x80-0x9F, where
// ISO 8859-1 has control characters; 0xA0-0xFF match Unicode.
var pdfCP1252Extra = map[rune]bool{
	'€': true, '‚': true, 'ƒ': true, '„': true, '…': true, '†': true, '‡': true,
	'ˆ': true, '‰': true, 'Š': true, '‹': true, 'Œ': true, 'Ž': true, '‘': true,
	'’': true, '“': true, '”': true, '•': true, '–': true, '—': true, '˜': true,
	'™': true, 'š': true, '›': true, 'œ': true, 'ž': true, 'Ÿ': true,
}

// pdfInCP1252 reports whether r is a printable character of Windows-1252
// (or a newline, which breaks lines).
func pdfInCP1252(r rune) bool {
	return r == '\n' || r >= 0x20 && r < 0x7f || r >= 0xa0 && r <= 0xff || pdfCP1252Extra[r]
}

// pdfSpelled are characters outside Windows-1252 with a well-known
// spelling inside it, or letters that no Unicode decomposition reduces to
// one.
var pdfSpelled = map[rune]string{
	'→': "->", '⇒': "=>", '←': "<-", '⇐': "<=", '↔': "<->", '⟶': "->", '➔': "->", '➜': "->",
	'≤': "<=", '≥': ">=", '≠': "!=", '≈': "~", '−': "-", '∞': "infinity",
	'‐': "-", '‑': "-", '‒': "–", '―': "—", '⁃': "-",
	'′': "'", '″': "\"", '‛': "'", '‟': "\"",
	'✓': "yes", '✔': "yes", '✗': "x", '✘': "x",
	'Ł': "L", 'ł': "l", 'Đ': "D", 'đ': "d", 'Ħ': "H", 'ħ': "h", 'ı': "i",
	'Ŋ': "N", 'ŋ': "n", 'Ŧ': "T", 'ŧ': "t", 'ĸ': "k", 'ẞ': "SS",
	'Ə': "E", 'ə': "e", '№': "No.", '\uFFFD': "?",
}

// pdfFold returns s in characters Windows-1252 has (see above).
func pdfFold(s string) string {
	ascii := true
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 0x7f || c < 0x20 && c != '\n' {
			ascii = false
			break
		}
	}
	if ascii {
		return s
	}
	// Composed first, so a letter and its combining accent become the one
	// character the code page may have ("e" + U+0301 is "é").
	s = norm.NFC.String(s)
	var b strings.Builder
	joined := false // the previous symbol was followed by a zero-width joiner
	for _, r := range s {
		switch {
		case r == '\t' || r == '\r':
			b.WriteByte(' ')
			continue
		case r == '\u200d':
			// An emoji sequence (a family, a flag) is one symbol: one "?".
			joined = true
			continue
		case pdfIgnorable(r):
			continue
		}
		skip := joined
		joined = false
		switch {
		case pdfInCP1252(r):
			b.WriteRune(r)
		case pdfSpelled[r] != "":
			b.WriteString(pdfSpelled[r])
		case unicode.IsSpace(r):
			b.WriteByte(' ')
		case r < 0x20 || r >= 0x7f && r < 0xa0:
			// Control characters print nothing.
		default:
			if s := pdfDecompose(r); s != "" {
				b.WriteString(s)
			} else if !skip {
				b.WriteByte('?')
			}
		}
	}
	return b.String()
}

// pdfIgnorable reports whether r prints nothing by itself: a combining
// mark (its letter is kept), a zero-width character, a variation selector,
// an emoji skin tone or tag.
func pdfIgnorable(r rune) bool {
	switch {
	case unicode.Is(unicode.Mn, r), unicode.Is(unicode.Me, r):
		return true
	case r == '\u200b' || r == '\u200c' || r == '\u2060' || r == '\ufeff' || r == '\u00ad':
		return true
	case r >= 0xfe00 && r <= 0xfe0f, r >= 0xe0100 && r <= 0xe01ef: // variation selectors
		return true
	case r >= 0x1f3fb && r <= 0x1f3ff: // skin tones
		return true
	case r >= 0xe0000 && r <= 0xe007f: // tags
		return true
	}
	return false
}

// pdfDecompose spells r by its compatibility decomposition without the
// accents the code page lacks: "ș" is "s", "ﬁ" is "fi", a full-width "Ａ"
// is "A". It returns "" when that leaves nothing the code page has.
func pdfDecompose(r rune) string {
	d := norm.NFKD.String(string(r))
	if d == string(r) {
		return ""
	}
	var b strings.Builder
	for _, x := range d {
		switch {
		case pdfInCP1252(x) && x != '\n':
			b.WriteRune(x)
		case unicode.Is(unicode.Mn, x):
		default:
			if s := pdfSpelled[x]; s != "" {
				b.WriteString(s)
			} else {
				return ""
			}
		}
	}
	return b.String()
}

// pdfMetaText prepares text for the document's properties and outline,
// which PDF readers show in full Unicode: fpdf writes the properties as
// UTF-16 but without surrogate pairs, so characters beyond the Basic
// Multilingual Plane (emoji) become "?", once per symbol.
func pdfMetaText(s string) string {
	var b strings.Builder
	joined := false
	for _, r := range s {
		switch {
		case r == '\u200d':
			joined = true
			continue
		case pdfIgnorable(r):
			continue
		case r > 0xffff:
			if !joined {
				b.WriteByte('?')
			}
		default:
			b.WriteRune(r)
		}
		joined = false
	}
	return b.String()
}
