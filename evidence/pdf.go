package evidence

import (
	"fmt"
	"io"
	"math"
	"strings"

	"codeberg.org/go-pdf/fpdf"

	"github.com/handwash/handwash"
)

// Page layout, in millimetres on A4 portrait (210 × 297).
const (
	pdfMargin    = 15.0
	pdfTop       = 18.0
	pdfBottom    = 18.0
	pdfBody      = 10.0 // body text size, points
	pdfTableSize = 8.5  // table text size, points
	pdfLine      = 5.0  // body line height
	pdfRowLine   = 3.9  // table line height
	pdfCellPad   = 1.4  // space above and below a table row's text
)

type rgb struct{ r, g, b int }

// Colours: the same GOV.UK palette as the HTML. Text is ink, muted or the
// dark red, each at least 4.5:1 on white; meaning is always in words too.
var (
	pdfInk     = rgb{11, 12, 12}
	pdfMuted   = rgb{80, 90, 95}
	pdfLineCol = rgb{177, 180, 182}
	pdfShade   = rgb{243, 242, 241}
	pdfRed     = rgb{148, 37, 20}
	pdfGreen   = rgb{0, 112, 60}
	pdfBlue    = rgb{29, 112, 184}
	pdfBands   = map[string]rgb{"good": {0, 112, 60}, "fair": {178, 94, 9}, "poor": {212, 53, 28}}
)

// RenderPDF writes the report as an A4 PDF with the same content as the
// HTML: the area scores drawn as bars with their values printed, tables
// that carry on across pages under repeated headings, "Page N of M" on
// every page, and bookmarks for each section. The output depends only on
// the Report: the document's dates are its GeneratedAt, so the same Report
// always gives the same bytes.
func RenderPDF(w io.Writer, r *Report) error {
	d, err := Build(r)
	if err != nil {
		return err
	}
	p := newPDF(d)
	p.summary()
	p.scores()
	p.findings()
	p.exceptions()
	p.alerts()
	p.backups()
	p.phishing()
	p.cloud()
	p.phones()
	p.mappings()
	p.devices()
	p.limits()
	if err := p.f.Error(); err != nil {
		return fmt.Errorf("making the PDF: %w", err)
	}
	return p.f.Output(w)
}

// pdfDoc draws a Document with fpdf.
type pdfDoc struct {
	f *fpdf.Fpdf
	d *Document
	// tr turns Windows-1252 text (after pdfFold) into the bytes the core
	// fonts expect.
	tr func(string) string
	// width is the width between the margins.
	width float64
}

func newPDF(d *Document) *pdfDoc {
	f := fpdf.New("P", "mm", "A4", "")
	p := &pdfDoc{f: f, d: d, tr: f.UnicodeTranslatorFromDescriptor("cp1252")}
	f.SetMargins(pdfMargin, pdfTop, pdfMargin)
	f.SetAutoPageBreak(true, pdfBottom)
	pw, _ := f.GetPageSize()
	p.width = pw - 2*pdfMargin

	// Fixed dates and sorted resources make the bytes depend on the report
	// alone. Compression stays on: zlib output is itself deterministic.
	f.SetCreationDate(d.GeneratedAt)
	f.SetModificationDate(d.GeneratedAt)
	f.SetCatalogSort(true)
	f.SetTitle(metaText(d.Title), true)
	f.SetAuthor("Handwash", true)
	creator := "Handwash"
	if d.Version != "" {
		creator += " " + d.Version
	}
	f.SetCreator(creator, true)
	f.SetProducer(creator, true)
	f.SetSubject(metaText("Cyber Essentials and Data Security and Protection Toolkit evidence for "+d.OrgName), true)
	f.SetKeywords("cyber hygiene, Cyber Essentials, DSPT, evidence", true)
	f.SetLang("en-GB")
	f.SetDisplayMode("fullwidth", "continuous")
	f.AliasNbPages("{nb}")

	f.SetHeaderFunc(func() {
		if f.PageNo() == 1 {
			return
		}
		p.font("", 8, pdfMuted)
		f.SetXY(pdfMargin, 9)
		f.CellFormat(p.width, 4, p.s(d.OrgName+": cyber hygiene evidence, "+d.Date), "", 0, "L", false, 0, "")
		p.rule(14, pdfLineCol, 0.2)
		f.SetXY(pdfMargin, pdfTop)
	})
	f.SetFooterFunc(func() {
		ph := 297.0
		p.rule(ph-13, pdfLineCol, 0.2)
		p.font("", 8, pdfMuted)
		f.SetXY(pdfMargin, ph-12)
		f.CellFormat(p.width/2, 4, p.s("Made by Handwash on "+d.Date), "", 0, "L", false, 0, "")
		f.CellFormat(p.width/2, 4, fmt.Sprintf("Page %d of {nb}", f.PageNo()), "", 0, "R", false, 0, "")
	})
	f.AddPage()
	return p
}

// metaText prepares text for the document's properties, which PDF readers
// show in full Unicode: fpdf writes them as UTF-16 but without surrogate
// pairs, so characters beyond the Basic Multilingual Plane (emoji) become
// "?", once per symbol.
func metaText(s string) string {
	var b strings.Builder
	joined := false
	for _, r := range s {
		switch {
		case r == '\u200d':
			joined = true
			continue
		case ignorable(r):
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

// s prepares text for the core fonts.
func (p *pdfDoc) s(text string) string { return p.tr(pdfFold(text)) }

func (p *pdfDoc) font(style string, size float64, c rgb) {
	p.f.SetFont("Helvetica", style, size)
	p.f.SetTextColor(c.r, c.g, c.b)
}

func (p *pdfDoc) rule(y float64, c rgb, width float64) {
	p.f.SetDrawColor(c.r, c.g, c.b)
	p.f.SetLineWidth(width)
	p.f.Line(pdfMargin, y, pdfMargin+p.width, y)
}

// space reports whether h millimetres fit on the page below the cursor.
func (p *pdfDoc) space(h float64) bool {
	_, ph := p.f.GetPageSize()
	return p.f.GetY()+h <= ph-pdfBottom
}

// ensure starts a new page unless h millimetres fit on this one, so a
// heading is never left alone at the foot of a page.
func (p *pdfDoc) ensure(h float64) {
	if !p.space(h) {
		p.f.AddPage()
	}
}

// h2 starts a section: a bookmark, a large heading and a rule under it.
func (p *pdfDoc) h2(title string, newPage bool) {
	if newPage {
		p.f.AddPage()
	} else {
		p.f.Ln(4)
		p.ensure(40)
	}
	p.f.Bookmark(p.s(title), 0, -1)
	p.font("B", 15, pdfInk)
	p.f.MultiCell(p.width, 7, p.s(title), "", "L", false)
	y := p.f.GetY() + 0.5
	p.rule(y, pdfInk, 0.5)
	p.f.SetY(y + 3)
}

// h3 is a sub-heading, bookmarked under its section.
func (p *pdfDoc) h3(title string) {
	p.f.Ln(2)
	p.ensure(30)
	p.f.Bookmark(p.s(title), 1, -1)
	p.font("B", 11.5, pdfInk)
	p.f.MultiCell(p.width, 6, p.s(title), "", "L", false)
	p.f.Ln(1)
}

// para writes a paragraph of body text.
func (p *pdfDoc) para(text string, style string, c rgb) {
	p.font(style, pdfBody, c)
	p.f.MultiCell(p.width, pdfLine, p.s(text), "", "L", false)
	p.f.Ln(1.5)
}

// run is a stretch of text in one style, for items that start in bold.
type run struct {
	text  string
	style string
	c     rgb
}

// item writes one list item: a bullet or number, then runs of text that
// wrap under the first word rather than under the bullet.
func (p *pdfDoc) item(marker string, runs ...run) {
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
	f.Ln(pdfLine + 1)
}

func (p *pdfDoc) summary() {
	f, d := p.f, p.d
	p.f.Bookmark("Summary", 0, -1)
	p.font("B", 20, pdfInk)
	f.MultiCell(p.width, 9, p.s("Cyber hygiene evidence report"), "", "L", false)
	p.font("B", 14, pdfInk)
	f.MultiCell(p.width, 7, p.s(d.OrgName), "", "L", false)
	meta := "Made on " + d.Generated
	if d.ProviderName != "" {
		meta += " by " + d.ProviderName
	}
	p.font("", pdfBody, pdfMuted)
	f.MultiCell(p.width, pdfLine, p.s(meta+", with Handwash controls version "+d.CatalogueVersion+"."), "", "L", false)
	f.Ln(3)

	p.h2("Summary", false)
	if d.Overall.Assessed {
		y := f.GetY()
		f.SetFillColor(pdfShade.r, pdfShade.g, pdfShade.b)
		f.Rect(pdfMargin, y, p.width, 20, "F")
		f.SetFillColor(pdfBlue.r, pdfBlue.g, pdfBlue.b)
		f.Rect(pdfMargin, y, 1.8, 20, "F")
		p.font("B", 28, pdfInk)
		f.SetXY(pdfMargin+6, y+4)
		score := fmt.Sprintf("%d", d.Overall.Value)
		f.CellFormat(f.GetStringWidth(score)+1, 12, score, "", 0, "L", false, 0, "")
		p.font("", 12, pdfMuted)
		f.CellFormat(14, 14, "/100", "", 0, "L", false, 0, "")
		f.SetLeftMargin(pdfMargin + 45)
		f.SetXY(pdfMargin+45, y+5)
		p.font("", pdfBody, pdfInk)
		f.Write(pdfLine, p.s("Overall score: "))
		p.font("B", pdfBody, pdfInk)
		f.Write(pdfLine, p.s(d.Band))
		p.font("", pdfBody, pdfInk)
		f.Write(pdfLine, p.s(". It adds up every check on every device, weighted by how much each matters."))
		f.SetLeftMargin(pdfMargin)
		f.SetY(y + 24)
	} else {
		p.para("No device has been assessed yet, so there is no score. Enrol the organisation's computers and this report fills in once they first report.", "", pdfInk)
	}

	enrolled := plural(d.Devices, "device is", "devices are") + " enrolled"
	if d.Assessed != d.Devices {
		has := "have"
		if d.Assessed == 1 {
			has = "has"
		}
		enrolled += fmt.Sprintf("; %d of them %s been assessed", d.Assessed, has)
	}
	p.item("•", run{text: enrolled + "."})
	switch {
	case d.Stale > 0:
		their := "their results"
		if d.Stale == 1 {
			their = "its results"
		}
		p.item("•", run{text: plural(d.Stale, "device has", "devices have") + " not reported for more than " + d.StaleAfter, style: "B"},
			run{text: ", so " + their + " may be out of date. They are marked in the device list."})
	case d.Devices > 0:
		p.item("•", run{text: "Every device has reported in the last " + d.StaleAfter + "."})
	}
	switch {
	case d.Failing > 0:
		p.item("•", run{text: plural(d.Failing, "check fails", "checks fail"), style: "B"}, run{text: " on at least one device."})
	case d.Assessed > 0:
		p.item("•", run{text: "No check fails on any device."})
	}
	if n := len(d.Exceptions); n > 0 {
		as := "exceptions"
		if n == 1 {
			as = "an exception"
		}
		runs := []run{{text: plural(n, "risk has", "risks have") + " been accepted as " + as}}
		if d.ExpiredExceptions > 0 {
			verb := "have expired and no longer apply"
			if d.ExpiredExceptions == 1 {
				verb = "has expired and no longer applies"
			}
			runs = append(runs, run{text: "; "}, run{text: fmt.Sprintf("%d of them %s", d.ExpiredExceptions, verb), style: "B"})
		}
		runs = append(runs, run{text: "."})
		p.item("•", runs...)
	}

	if len(d.FixFirst) > 0 {
		p.h3("Most important to fix")
		for i, c := range d.FixFirst {
			text := fmt.Sprintf(": fails on %d of %s.", c.Fail, plural(c.Of, "device", "devices"))
			if c.Why != "" {
				text += " " + c.Why
			}
			p.item(fmt.Sprintf("%d.", i+1), run{text: c.Title, style: "B"}, run{text: " (" + string(c.Severity) + ")", style: "B", c: severityColour(c.Severity)}, run{text: text})
		}
	}
	p.h3("How to read this report")
	p.para("Handwash checks each enrolled computer against its catalogue of controls, drawn from the NCSC Small Business Guide, Cyber Essentials and the Data Security and Protection Toolkit (DSPT). On each device a check passes, fails, could not be checked (the facts it needs were not available), does not apply, or has failed but was accepted as an exception, with a reason, an owner and an end date.", "", pdfInk)
	p.para("Handwash sees only what the computers show, and the lists of cloud accounts and of phones and tablets imported into it. It does not yet cover the self-assessed questions about training, policies, cloud services, routers and suppliers: the Cyber Essentials and DSPT tables list them as Self-assessed, to be answered in your own assessment.", "", pdfInk)
}

func severityColour(s handwash.Severity) rgb {
	if s.Rank() >= handwash.SeverityHigh.Rank() {
		return pdfRed
	}
	return pdfMuted
}

// scores draws each area's score as a bar with its value and band printed
// beside it, then the same numbers as a table.
func (p *pdfDoc) scores() {
	f := p.f
	p.h2("Scores by area", false)
	labelW, barW, rowH, barH := 62.0, 80.0, 8.0, 5.5
	p.ensure(float64(len(p.d.Areas))*rowH + 4)
	for _, a := range p.d.Areas {
		y := f.GetY()
		p.font("", 9, pdfInk)
		f.SetXY(pdfMargin, y)
		f.CellFormat(labelW-3, rowH, p.s(a.Title), "", 0, "R", false, 0, "")
		f.SetFillColor(pdfShade.r, pdfShade.g, pdfShade.b)
		f.Rect(pdfMargin+labelW, y+(rowH-barH)/2, barW, barH, "F")
		f.SetXY(pdfMargin+labelW+barW+3, y)
		if !a.Assessed {
			f.SetXY(pdfMargin+labelW+2, y)
			p.font("I", 9, pdfMuted)
			f.CellFormat(barW, rowH, "not assessed", "", 0, "L", false, 0, "")
		} else {
			c := pdfBands[a.Band]
			f.SetFillColor(c.r, c.g, c.b)
			f.Rect(pdfMargin+labelW, y+(rowH-barH)/2, barW*float64(min(max(a.Value, 0), 100))/100, barH, "F")
			p.font("B", 9, pdfInk)
			f.CellFormat(40, rowH, fmt.Sprintf("%d (%s)", a.Value, a.Band), "", 0, "L", false, 0, "")
		}
		f.SetY(y + rowH)
	}
	f.Ln(4)
	t := pdfTable{
		Caption: "Scores by area, over every assessed device",
		Cols:    []pdfCol{{"Area", 0.3, "L"}, {"Score", 0.2, "R"}, {"Results of every check on every device", 0.5, "L"}},
	}
	for _, a := range p.d.Areas {
		score, results := "Not assessed", a.Note
		if a.Assessed {
			score, results = fmt.Sprintf("%d out of 100 (%s)", a.Value, a.Band), a.Results
		}
		t.Rows = append(t.Rows, pdfRow{Cells: []pdfCell{{Text: a.Title}, {Text: score}, {Text: results}}})
	}
	p.table(t)
}

func (p *pdfDoc) findings() {
	p.h2("Findings by area", true)
	p.para("Each table lists the checks that did not pass on every device, the most important first.", "", pdfInk)
	for _, a := range p.d.Areas {
		title := a.Title
		if a.Assessed {
			title += fmt.Sprintf(" (%d out of 100)", a.Value)
		}
		p.h3(title)
		switch {
		case len(a.Controls) > 0:
			t := pdfTable{
				Caption: a.Title + ": checks that did not pass on every device",
				Cols: []pdfCol{{"Check", 0.3, "L"}, {"Severity", 0.1, "L"}, {"Fails on", 0.09, "R"},
					{"Could not be checked", 0.11, "R"}, {"Accepted", 0.1, "R"}, {"Devices that fail", 0.3, "L"}},
			}
			for _, c := range a.Controls {
				t.Rows = append(t.Rows, pdfRow{Cells: []pdfCell{
					{Text: c.Title, Sub: c.ID},
					{Text: string(c.Severity), Colour: severityColour(c.Severity), Bold: c.Severity.Rank() >= handwash.SeverityHigh.Rank()},
					{Text: c.FailText()}, {Text: fmt.Sprint(c.Unknown)}, {Text: fmt.Sprint(c.Excepted)},
					{Text: c.FailingNames()},
				}})
			}
			p.table(t)
		case a.Assessed:
			p.para("Every check in this area passed on every device checked.", "", pdfInk)
		default:
			p.para(a.Note, "", pdfInk)
		}
	}
}

func (p *pdfDoc) exceptions() {
	p.h2("Accepted risks (exceptions)", false)
	if len(p.d.Exceptions) == 0 {
		p.para("No risks have been accepted as exceptions.", "", pdfInk)
		return
	}
	p.para("An exception accepts that a check fails, for a reason, until a date, with a named owner. An expired exception no longer applies: the check counts as failed again.", "", pdfInk)
	t := pdfTable{
		Caption: "Exceptions, soonest to end first",
		Cols:    []pdfCol{{"Check", 0.22, "L"}, {"Device", 0.16, "L"}, {"Reason", 0.3, "L"}, {"Owner", 0.17, "L"}, {"Until", 0.15, "L"}},
	}
	for _, e := range p.d.Exceptions {
		owner := pdfCell{Text: e.Owner}
		if e.CreatedBy != "" {
			owner.Sub = "Added by " + e.CreatedBy
			if e.Created != "" {
				owner.Sub += " on " + e.Created
			}
		}
		until := pdfCell{Text: e.Expires}
		if e.Expired {
			until = pdfCell{Lead: "EXPIRED", LeadColour: pdfRed, Text: e.Expires}
		}
		t.Rows = append(t.Rows, pdfRow{Cells: []pdfCell{{Text: e.ControlTitle, Sub: e.ControlID}, {Text: e.Device}, {Text: e.Reason}, owner, until}})
	}
	p.table(t)
}

func (p *pdfDoc) alerts() {
	p.h2("Alerts", false)
	p.para(p.d.AlertsIntro(), "", pdfInk)
	if len(p.d.Alerts) == 0 {
		p.para("There have been no alerts.", "", pdfInk)
		return
	}
	t := pdfTable{
		Caption: "Alerts, newest first, with how fast each was handled",
		Cols:    []pdfCol{{"Alert", 0.24, "L"}, {"Opened", 0.14, "L"}, {"Acknowledged", 0.16, "L"}, {"Closed", 0.22, "L"}, {"Acknowledged in time", 0.12, "L"}, {"Fixed in time", 0.12, "L"}},
	}
	clockCell := func(text string, missed bool) pdfCell {
		if missed {
			return pdfCell{Lead: strings.ToUpper(text), LeadColour: pdfRed}
		}
		return pdfCell{Text: text}
	}
	for _, a := range p.d.Alerts {
		sub := string(a.Severity) + ", " + a.Origin
		if a.Reference != "" {
			sub = a.Reference + ", " + sub
		}
		t.Rows = append(t.Rows, pdfRow{Cells: []pdfCell{{Text: a.Title, Sub: sub}, {Text: a.Opened}, {Text: a.Acknowledged},
			{Text: a.Closed, Sub: a.Reason}, clockCell(a.AckClock, a.AckMissed), clockCell(a.FixClock, a.FixMissed)}})
	}
	p.table(t)
}

func (p *pdfDoc) backups() {
	p.h2("Backups", false)
	p.para(p.d.BackupsIntro(), "", pdfInk)
	if len(p.d.Backups) == 0 {
		p.para("No backup jobs report to Handwash yet. Give each backup its own address on the organisation's Backups page, so that a backup that fails or stops running is noticed.", "", pdfInk)
	} else {
		t := pdfTable{
			Caption: "Backup jobs by name, as they stood on " + p.d.Generated,
			Cols:    []pdfCol{{"Backup", 0.26, "L"}, {"Runs every", 0.16, "L"}, {"Last success", 0.2, "L"}, {"State", 0.38, "L"}},
		}
		for _, b := range p.d.Backups {
			state := pdfCell{Text: b.State, Sub: b.Detail}
			if b.Failing {
				state = pdfCell{Lead: b.State, LeadColour: pdfRed, Sub: b.Detail}
			}
			t.Rows = append(t.Rows, pdfRow{Cells: []pdfCell{{Text: b.Name}, {Text: b.Every, Sub: b.Late}, {Text: b.LastSuccess}, state}})
		}
		p.table(t)
	}
	p.h3("Last verified restore")
	if len(p.d.Restores) == 0 {
		p.para("No restore test has been recorded by Handwash yet: run handwash backup verify, or record the last test in the self-assessment.", "", pdfInk)
		return
	}
	p.para("A backup is proven only by restoring from it. Handwash's restore test (handwash backup verify) restores a sample of files from a backup and checks they came back whole; each device's newest result is listed.", "", pdfInk)
	t := pdfTable{
		Caption: "Newest restore test on each device, by device name",
		Cols:    []pdfCol{{"Device", 0.26, "L"}, {"Result", 0.16, "L"}, {"What Handwash found", 0.58, "L"}},
	}
	for _, r := range p.d.Restores {
		result := pdfCell{Text: r.Result}
		if r.Failing {
			result = pdfCell{Lead: strings.ToUpper(r.Result), LeadColour: pdfRed}
		}
		t.Rows = append(t.Rows, pdfRow{Cells: []pdfCell{{Text: r.Device}, result, {Text: r.Summary}}})
	}
	p.table(t)
}

func (p *pdfDoc) phishing() {
	p.h2("Phishing reports", false)
	p.para(p.d.PhishIntro(), "", pdfInk)
	p.para(p.d.PhishSummary(), "", pdfInk)
	if len(p.d.PhishMonths) == 0 {
		return
	}
	t := pdfTable{
		Caption: "Emails staff reported as suspicious each month, oldest first, with the totals",
		Cols:    []pdfCol{{"Month", 0.4, "L"}, {"Reports", 0.2, "R"}, {"Likely phishing", 0.2, "R"}, {"Suspicious", 0.2, "R"}},
	}
	row := func(m PhishRow, total bool) pdfRow {
		return pdfRow{Shaded: total, Cells: []pdfCell{{Text: m.Month, Bold: total}, {Text: fmt.Sprint(m.Reports), Bold: total},
			{Text: fmt.Sprint(m.Phishing), Bold: total}, {Text: fmt.Sprint(m.Suspicious), Bold: total}}}
	}
	for _, m := range p.d.PhishMonths {
		t.Rows = append(t.Rows, row(m, false))
	}
	t.Rows = append(t.Rows, row(p.d.PhishTotal, true))
	// At most 13 short rows: kept on one page rather than split.
	p.ensure(16 + float64(len(t.Rows))*(pdfRowLine+2*pdfCellPad))
	p.table(t)
}

func (p *pdfDoc) cloud() {
	d := p.d
	p.h2("Cloud accounts and two-step verification", false)
	p.para(d.CloudIntro(), "", pdfInk)
	if len(d.CloudFindings) == 0 {
		p.para(d.CloudNone(), "", pdfInk)
		return
	}
	if len(d.CloudImports) > 0 {
		t := pdfTable{
			Caption: "Lists of cloud accounts imported, the newest from each service",
			Cols:    []pdfCol{{"Service", 0.3, "L"}, {"Imported on", 0.45, "L"}, {"Accounts", 0.25, "R"}},
		}
		for _, im := range d.CloudImports {
			imported := pdfCell{Text: im.Imported}
			if im.By != "" {
				imported.Sub = "by " + im.By
			}
			t.Rows = append(t.Rows, pdfRow{Cells: []pdfCell{{Text: im.Service}, imported, {Text: fmt.Sprint(im.Accounts)}}})
		}
		p.table(t)
	}
	p.checks(d.CloudCaption(), d.CloudFindings)
}

func (p *pdfDoc) phones() {
	d := p.d
	p.h2("Phones and tablets", false)
	p.para(d.PhonesIntro(), "", pdfInk)
	if len(d.MobileFindings) == 0 {
		p.para(d.PhonesNone(), "", pdfInk)
		return
	}
	t := pdfTable{
		Caption: "Phones and tablets by where they were listed from",
		Cols:    []pdfCol{{"Listed from", 0.5, "L"}, {"Phones and tablets", 0.5, "R"}},
	}
	for _, s := range d.MobileSources {
		t.Rows = append(t.Rows, pdfRow{Cells: []pdfCell{{Text: s.Source}, {Text: fmt.Sprint(s.Devices)}}})
	}
	if len(d.MobileSources) > 1 {
		t.Rows = append(t.Rows, pdfRow{Shaded: true, Cells: []pdfCell{{Text: "Total", Bold: true}, {Text: fmt.Sprint(d.MobileTotal), Bold: true}}})
	}
	p.table(t)
	p.checks(d.PhonesCaption(), d.MobileFindings)
}

// checks draws the findings of the cloud accounts or of the phones and
// tablets.
func (p *pdfDoc) checks(caption string, rows []FindingRow) {
	t := pdfTable{
		Caption: caption,
		Cols:    []pdfCol{{"Check", 0.34, "L"}, {"Result", 0.16, "L"}, {"What Handwash found", 0.5, "L"}},
	}
	for _, r := range rows {
		result := pdfCell{Text: r.Result}
		if r.Failing {
			result = pdfCell{Lead: strings.ToUpper(r.Result), LeadColour: pdfRed}
		}
		t.Rows = append(t.Rows, pdfRow{Cells: []pdfCell{{Text: r.Title, Sub: r.ID}, result, {Text: r.Summary}}})
	}
	p.table(t)
}

func (p *pdfDoc) mappings() {
	p.h2("Cyber Essentials", true)
	p.para("Each of the five Cyber Essentials requirements, then the questions the checks cite, with the Handwash checks that give evidence for them. A device counts as failing a requirement if it fails any of its checks.", "", pdfInk)
	p.mapping("Cyber Essentials requirements and the Handwash checks that evidence them", p.d.CyberEssentials)
	p.h2("Data Security and Protection Toolkit", false)
	p.para("The DSPT evidence items the checks cite, and the self-assessed items that no device check can answer.", "", pdfInk)
	p.mapping("DSPT evidence items and the Handwash checks that evidence them", p.d.DSPT)
}

func (p *pdfDoc) mapping(caption string, reqs []*Requirement) {
	t := pdfTable{
		Caption: caption,
		Cols:    []pdfCol{{"Requirement", 0.34, "L"}, {"Checked by Handwash", 0.4, "L"}, {"Result across devices", 0.26, "L"}},
	}
	for _, r := range reqs {
		req := pdfCell{Text: r.Text}
		switch {
		case r.Whole:
			req = pdfCell{Lead: r.Group, Text: r.Text}
		case r.ID != "":
			req.Lead = r.ID
			if r.Note != "" {
				req.Sub = r.Note
			}
		}
		checks := "No device check"
		if len(r.Controls) > 0 {
			var lines []string
			for _, c := range r.Controls {
				line := "• " + c.Title + " (" + c.ID + ")"
				if c.Fail > 0 {
					line += fmt.Sprintf(": fails on %d", c.Fail)
				}
				lines = append(lines, line)
			}
			checks = strings.Join(lines, "\n")
		}
		t.Rows = append(t.Rows, pdfRow{Shaded: r.Whole, Cells: []pdfCell{
			req, {Text: checks},
			{Lead: strings.ToUpper(r.Result.Label()), LeadColour: resultColour(r.Result), Text: r.ResultText},
		}})
	}
	p.table(t)
}

func resultColour(k ResultKind) rgb {
	switch k {
	case ResultMet:
		return pdfGreen
	case ResultNotMet:
		return pdfRed
	case ResultSelfAssessed:
		return pdfBlue
	}
	return pdfMuted
}

func (p *pdfDoc) devices() {
	p.h2("Devices", true)
	if len(p.d.DeviceRows) == 0 {
		p.para("No devices are enrolled.", "", pdfInk)
		return
	}
	t := pdfTable{
		Caption: fmt.Sprintf("Enrolled devices (%d), by name", len(p.d.DeviceRows)),
		Cols: []pdfCol{{"Device", 0.22, "L"}, {"Platform", 0.1, "L"}, {"Operating system", 0.2, "L"}, {"Score", 0.1, "R"},
			{"Checks failing", 0.09, "R"}, {"Last seen", 0.13, "L"}, {"Status", 0.16, "L"}},
	}
	for _, d := range p.d.DeviceRows {
		failing := "–"
		if d.Assessed {
			failing = fmt.Sprint(d.Failing)
		}
		status := pdfCell{Text: d.Status}
		if d.Stale {
			status = pdfCell{Text: d.Status, Bold: true, Colour: pdfRed}
		}
		t.Rows = append(t.Rows, pdfRow{Cells: []pdfCell{{Text: d.Name}, {Text: d.Platform}, {Text: d.OS}, {Text: d.Score}, {Text: failing}, {Text: d.LastSeen}, status}})
	}
	p.table(t)
}

func (p *pdfDoc) limits() {
	p.h2("What this report does not cover", false)
	for _, s := range []string{
		"Self-assessed questions: training, policies, incident reporting, suppliers, multi-factor authentication on cloud services (the cloud accounts section covers only the Microsoft 365 and Google Workspace accounts imported), routers and other network equipment. Answer them in your Cyber Essentials or DSPT self-assessment.",
		"Computers that are not enrolled, and phones and tablets that are not imported or entered by hand.",
		"Anything that changed after each device last reported, or after the cloud accounts were last imported: see the last-seen and import dates.",
	} {
		p.item("•", run{text: s})
	}
	p.f.Ln(3)
	made := "Made by Handwash"
	if p.d.Version != "" {
		made += " " + p.d.Version
	}
	p.para(made+" on "+p.d.Generated+", from its controls version "+p.d.CatalogueVersion+": checks against the NCSC Small Business Guide, Cyber Essentials, the Data Security and Protection Toolkit and the lessons of WannaCry.", "", pdfMuted)
	p.para("This report is evidence to support an assessment. It is not a Cyber Essentials certificate or a DSPT submission.", "", pdfMuted)
}

// pdfTable is a table that breaks across pages, repeating its caption
// (marked "continued") and column headings on each.
type pdfTable struct {
	Caption string
	Cols    []pdfCol
	Rows    []pdfRow
}

type pdfCol struct {
	Head  string
	Width float64 // a fraction of the width between the margins
	Align string  // L or R
}

type pdfRow struct {
	Cells []pdfCell
	// Shaded rows head a group of rows.
	Shaded bool
}

// pdfCell is a cell's text: an optional bold Lead line (such as a result),
// the Text, and an optional smaller, muted Sub line (such as a control ID).
type pdfCell struct {
	Lead       string
	LeadColour rgb
	Text       string
	Bold       bool
	Colour     rgb
	Sub        string
}

// wrapped is one line of a cell's text, with its style.
type wrapped struct {
	text  string
	style string
	size  float64
	c     rgb
}

func (p *pdfDoc) cellLines(c pdfCell, w float64) []wrapped {
	var out []wrapped
	add := func(text, style string, size float64, col rgb) {
		if text == "" {
			return
		}
		p.font(style, size, col)
		for _, l := range p.wrap(p.s(text), w) {
			out = append(out, wrapped{text: l, style: style, size: size, c: col})
		}
	}
	add(c.Lead, "B", pdfTableSize, c.LeadColour)
	style := ""
	if c.Bold {
		style = "B"
	}
	add(c.Text, style, pdfTableSize, c.Colour)
	add(c.Sub, "", pdfTableSize-1, pdfMuted)
	return out
}

func (p *pdfDoc) tableHead(t pdfTable, widths []float64, continued bool) {
	f := p.f
	caption := t.Caption
	if continued {
		caption += " (continued)"
	}
	p.font("B", 9, pdfInk)
	f.MultiCell(p.width, 4.5, p.s(caption), "", "L", false)
	f.Ln(0.5)
	// Headings may wrap too: the row is as tall as the tallest.
	lines := make([][]string, len(t.Cols))
	n := 1
	for i, c := range t.Cols {
		lines[i] = p.wrap(p.s(c.Head), widths[i])
		n = max(n, len(lines[i]))
	}
	h := float64(n)*pdfRowLine + 2*pdfCellPad
	y := f.GetY()
	f.SetFillColor(pdfShade.r, pdfShade.g, pdfShade.b)
	f.Rect(pdfMargin, y, p.width, h, "F")
	x := pdfMargin
	for i, c := range t.Cols {
		for j, l := range lines[i] {
			f.SetXY(x, y+pdfCellPad+float64(j)*pdfRowLine)
			f.CellFormat(widths[i], pdfRowLine, l, "", 0, c.Align, false, 0, "")
		}
		x += widths[i]
	}
	p.rule(y+h, pdfInk, 0.4)
	f.SetXY(pdfMargin, y+h)
}

// table draws t, starting a new page (with the caption and headings again)
// whenever the next row would not fit.
func (p *pdfDoc) table(t pdfTable) {
	f := p.f
	widths := make([]float64, len(t.Cols))
	for i, c := range t.Cols {
		widths[i] = c.Width * p.width
	}
	p.font("", pdfTableSize, pdfInk)
	rows := make([][][]wrapped, len(t.Rows))
	heights := make([]float64, len(t.Rows))
	for i, r := range t.Rows {
		rows[i] = make([][]wrapped, len(r.Cells))
		n := 1
		for j, c := range r.Cells {
			if j >= len(widths) {
				break
			}
			rows[i][j] = p.cellLines(c, widths[j])
			n = max(n, len(rows[i][j]))
		}
		heights[i] = float64(n)*pdfRowLine + 2*pdfCellPad
	}
	// Keep the caption, the headings and the first row together.
	first := 0.0
	if len(heights) > 0 {
		first = min(heights[0], 40)
	}
	p.ensure(16 + first)
	p.tableHead(t, widths, false)
	_, ph := f.GetPageSize()
	bottom := ph - pdfBottom
	for i, r := range t.Rows {
		n := int(math.Round((heights[i] - 2*pdfCellPad) / pdfRowLine))
		y := f.GetY()
		// A row that does not fit goes to the next page; one taller than
		// a whole page is split between pages, a few lines at least on each.
		fresh := bottom - (pdfTop + 20)
		if y+heights[i] > bottom && (heights[i] <= fresh || bottom-y < 2*pdfCellPad+3*pdfRowLine) {
			f.AddPage()
			p.tableHead(t, widths, true)
			y = f.GetY()
		}
		for from := 0; from < n; {
			fit := int((bottom - y - 2*pdfCellPad) / pdfRowLine)
			to := min(n, from+max(fit, 1))
			h := float64(to-from)*pdfRowLine + 2*pdfCellPad
			p.row(t, r, rows[i], widths, y, h, from, to)
			from = to
			if from < n {
				f.AddPage()
				p.tableHead(t, widths, true)
				y = f.GetY()
			}
		}
	}
	f.Ln(4)
}

// row draws lines [from, to) of a table row's cells in a band h high at y.
func (p *pdfDoc) row(t pdfTable, r pdfRow, cells [][]wrapped, widths []float64, y, h float64, from, to int) {
	f := p.f
	if r.Shaded {
		f.SetFillColor(pdfShade.r, pdfShade.g, pdfShade.b)
		f.Rect(pdfMargin, y, p.width, h, "F")
	}
	x := pdfMargin
	for j, lines := range cells {
		align := t.Cols[j].Align
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
// hyphen, slash, dot or underscore, so that hostnames and control IDs
// break between their parts; only a part wider than the cell is cut
// within it.
func (p *pdfDoc) wrap(text string, w float64) []string {
	limit := w - 2*p.f.GetCellMargin()
	var lines []string
	for _, para := range strings.Split(text, "\n") {
		line, lineW := "", 0.0
		flush := func() {
			lines = append(lines, strings.TrimRight(line, " "))
			line, lineW = "", 0
		}
		for _, piece := range breakPieces(para) {
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

// breakPieces splits text after each place a line may break: after a run
// of spaces, and after a hyphen, slash, dot or underscore.
func breakPieces(text string) []string {
	var pieces []string
	start := 0
	for i := 0; i < len(text); i++ {
		c := text[i]
		end := -1
		switch c {
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
