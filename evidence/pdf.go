package evidence

import (
	"fmt"
	"io"
	"strings"

	"github.com/handwash/handwash"
	"github.com/handwash/handwash/internal/pdfkit"
)

// Colours beyond pdfkit's palette: the blue of the GOV.UK palette, and
// the score bands' colours.
var (
	pdfBlue  = pdfkit.Colour{R: 29, G: 112, B: 184}
	pdfBands = map[string]pdfkit.Colour{"good": {R: 0, G: 112, B: 60}, "fair": {R: 178, G: 94, B: 9}, "poor": {R: 212, G: 53, B: 28}}
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
	if err := p.F.Error(); err != nil {
		return fmt.Errorf("making the PDF: %w", err)
	}
	return p.F.Output(w)
}

// pdfDoc draws a Document with fpdf.
type pdfDoc struct {
	*pdfkit.Doc
	d *Document
}

func newPDF(d *Document) *pdfDoc {
	creator := "Handwash"
	if d.Version != "" {
		creator += " " + d.Version
	}
	p := &pdfDoc{d: d, Doc: pdfkit.New(pdfkit.Info{
		Date:     d.GeneratedAt,
		Title:    d.Title,
		Author:   "Handwash",
		Subject:  "Cyber Essentials and Data Security and Protection Toolkit evidence for " + d.OrgName,
		Keywords: "cyber hygiene, Cyber Essentials, DSPT, evidence",
		Creator:  creator,
	})}
	f := p.F
	f.SetHeaderFunc(func() {
		if f.PageNo() > 1 {
			p.PageHeader(d.OrgName+": cyber hygiene evidence, "+d.Date, false)
		}
	})
	f.SetFooterFunc(func() { p.PageFooter("Made by Handwash on " + d.Date) })
	f.AddPage()
	return p
}

// h2 starts a section: a bookmark, a large heading and a rule under it.
func (p *pdfDoc) h2(title string, newPage bool) {
	if newPage {
		p.F.AddPage()
	} else {
		p.F.Ln(4)
		p.Ensure(40)
	}
	p.F.Bookmark(p.S(title), 0, -1)
	p.Font("B", 15, pdfkit.Ink)
	p.F.MultiCell(p.Width, 7, p.S(title), "", "L", false)
	y := p.F.GetY() + 0.5
	p.Rule(y, pdfkit.Ink, 0.5)
	p.F.SetY(y + 3)
}

// h3 is a sub-heading, bookmarked under its section.
func (p *pdfDoc) h3(title string) {
	p.F.Ln(2)
	p.Ensure(30)
	p.F.Bookmark(p.S(title), 1, -1)
	p.Font("B", 11.5, pdfkit.Ink)
	p.F.MultiCell(p.Width, 6, p.S(title), "", "L", false)
	p.F.Ln(1)
}

// para writes a paragraph of body text.
func (p *pdfDoc) para(text string, style string, c pdfkit.Colour) {
	p.Font(style, pdfkit.BodySize, c)
	p.F.MultiCell(p.Width, pdfkit.BodyLine, p.S(text), "", "L", false)
	p.F.Ln(1.5)
}

// item writes one list item: a bullet or number, then runs of text that
// wrap under the first word rather than under the bullet.
func (p *pdfDoc) item(marker string, runs ...pdfkit.Run) {
	p.Item(marker, runs...)
	p.F.Ln(pdfkit.BodyLine + 1)
}

func (p *pdfDoc) summary() {
	f, d := p.F, p.d
	p.F.Bookmark("Summary", 0, -1)
	p.Font("B", 20, pdfkit.Ink)
	f.MultiCell(p.Width, 9, p.S("Cyber hygiene evidence report"), "", "L", false)
	p.Font("B", 14, pdfkit.Ink)
	f.MultiCell(p.Width, 7, p.S(d.OrgName), "", "L", false)
	meta := "Made on " + d.Generated
	if d.ProviderName != "" {
		meta += " by " + d.ProviderName
	}
	p.Font("", pdfkit.BodySize, pdfkit.Muted)
	f.MultiCell(p.Width, pdfkit.BodyLine, p.S(meta+", with Handwash controls version "+d.CatalogueVersion+"."), "", "L", false)
	f.Ln(3)

	p.h2("Summary", false)
	if d.Overall.Assessed {
		y := f.GetY()
		f.SetFillColor(pdfkit.Shade.R, pdfkit.Shade.G, pdfkit.Shade.B)
		f.Rect(pdfkit.Margin, y, p.Width, 20, "F")
		f.SetFillColor(pdfBlue.R, pdfBlue.G, pdfBlue.B)
		f.Rect(pdfkit.Margin, y, 1.8, 20, "F")
		p.Font("B", 28, pdfkit.Ink)
		f.SetXY(pdfkit.Margin+6, y+4)
		score := fmt.Sprintf("%d", d.Overall.Value)
		f.CellFormat(f.GetStringWidth(score)+1, 12, score, "", 0, "L", false, 0, "")
		p.Font("", 12, pdfkit.Muted)
		f.CellFormat(14, 14, "/100", "", 0, "L", false, 0, "")
		f.SetLeftMargin(pdfkit.Margin + 45)
		f.SetXY(pdfkit.Margin+45, y+5)
		p.Font("", pdfkit.BodySize, pdfkit.Ink)
		f.Write(pdfkit.BodyLine, p.S("Overall score: "))
		p.Font("B", pdfkit.BodySize, pdfkit.Ink)
		f.Write(pdfkit.BodyLine, p.S(d.Band))
		p.Font("", pdfkit.BodySize, pdfkit.Ink)
		f.Write(pdfkit.BodyLine, p.S(". It adds up every check on every device, weighted by how much each matters."))
		f.SetLeftMargin(pdfkit.Margin)
		f.SetY(y + 24)
	} else {
		p.para("No device has been assessed yet, so there is no score. Enrol the organisation's computers and this report fills in once they first report.", "", pdfkit.Ink)
	}

	enrolled := plural(d.Devices, "device is", "devices are") + " enrolled"
	if d.Assessed != d.Devices {
		has := "have"
		if d.Assessed == 1 {
			has = "has"
		}
		enrolled += fmt.Sprintf("; %d of them %s been assessed", d.Assessed, has)
	}
	p.item("•", pdfkit.Run{Text: enrolled + "."})
	switch {
	case d.Stale > 0:
		their := "their results"
		if d.Stale == 1 {
			their = "its results"
		}
		p.item("•", pdfkit.Run{Text: plural(d.Stale, "device has", "devices have") + " not reported for more than " + d.StaleAfter, Style: "B"},
			pdfkit.Run{Text: ", so " + their + " may be out of date. They are marked in the device list."})
	case d.Devices > 0:
		p.item("•", pdfkit.Run{Text: "Every device has reported in the last " + d.StaleAfter + "."})
	}
	switch {
	case d.Failing > 0:
		p.item("•", pdfkit.Run{Text: plural(d.Failing, "check fails", "checks fail"), Style: "B"}, pdfkit.Run{Text: " on at least one device."})
	case d.Assessed > 0:
		p.item("•", pdfkit.Run{Text: "No check fails on any device."})
	}
	if n := len(d.Exceptions); n > 0 {
		as := "exceptions"
		if n == 1 {
			as = "an exception"
		}
		runs := []pdfkit.Run{{Text: plural(n, "risk has", "risks have") + " been accepted as " + as}}
		if d.ExpiredExceptions > 0 {
			verb := "have expired and no longer apply"
			if d.ExpiredExceptions == 1 {
				verb = "has expired and no longer applies"
			}
			runs = append(runs, pdfkit.Run{Text: "; "}, pdfkit.Run{Text: fmt.Sprintf("%d of them %s", d.ExpiredExceptions, verb), Style: "B"})
		}
		runs = append(runs, pdfkit.Run{Text: "."})
		p.item("•", runs...)
	}

	if len(d.FixFirst) > 0 {
		p.h3("Most important to fix")
		for i, c := range d.FixFirst {
			text := fmt.Sprintf(": fails on %d of %s.", c.Fail, plural(c.Of, "device", "devices"))
			if c.Why != "" {
				text += " " + c.Why
			}
			p.item(fmt.Sprintf("%d.", i+1), pdfkit.Run{Text: c.Title, Style: "B"}, pdfkit.Run{Text: " (" + string(c.Severity) + ")", Style: "B", Colour: severityColour(c.Severity)}, pdfkit.Run{Text: text})
		}
	}
	p.h3("How to read this report")
	p.para("Handwash checks each enrolled computer against its catalogue of controls, drawn from the NCSC Small Business Guide, Cyber Essentials and the Data Security and Protection Toolkit (DSPT). On each device a check passes, fails, could not be checked (the facts it needs were not available), does not apply, or has failed but was accepted as an exception, with a reason, an owner and an end date.", "", pdfkit.Ink)
	p.para("Handwash sees only what the computers show, and the lists of cloud accounts and of phones and tablets imported into it. It does not yet cover the self-assessed questions about training, policies, cloud services, routers and suppliers: the Cyber Essentials and DSPT tables list them as Self-assessed, to be answered in your own assessment.", "", pdfkit.Ink)
}

func severityColour(s handwash.Severity) pdfkit.Colour {
	if s.Rank() >= handwash.SeverityHigh.Rank() {
		return pdfkit.Red
	}
	return pdfkit.Muted
}

// scores draws each area's score as a bar with its value and band printed
// beside it, then the same numbers as a table.
func (p *pdfDoc) scores() {
	f := p.F
	p.h2("Scores by area", false)
	labelW, barW, rowH, barH := 62.0, 80.0, 8.0, 5.5
	p.Ensure(float64(len(p.d.Areas))*rowH + 4)
	for _, a := range p.d.Areas {
		y := f.GetY()
		p.Font("", 9, pdfkit.Ink)
		f.SetXY(pdfkit.Margin, y)
		f.CellFormat(labelW-3, rowH, p.S(a.Title), "", 0, "R", false, 0, "")
		f.SetFillColor(pdfkit.Shade.R, pdfkit.Shade.G, pdfkit.Shade.B)
		f.Rect(pdfkit.Margin+labelW, y+(rowH-barH)/2, barW, barH, "F")
		f.SetXY(pdfkit.Margin+labelW+barW+3, y)
		if !a.Assessed {
			f.SetXY(pdfkit.Margin+labelW+2, y)
			p.Font("I", 9, pdfkit.Muted)
			f.CellFormat(barW, rowH, "not assessed", "", 0, "L", false, 0, "")
		} else {
			c := pdfBands[a.Band]
			f.SetFillColor(c.R, c.G, c.B)
			f.Rect(pdfkit.Margin+labelW, y+(rowH-barH)/2, barW*float64(min(max(a.Value, 0), 100))/100, barH, "F")
			p.Font("B", 9, pdfkit.Ink)
			f.CellFormat(40, rowH, fmt.Sprintf("%d (%s)", a.Value, a.Band), "", 0, "L", false, 0, "")
		}
		f.SetY(y + rowH)
	}
	f.Ln(4)
	t := pdfTable{
		Caption: "Scores by area, over every assessed device",
		Cols:    []pdfkit.Column{{Head: "Area", Width: 0.3}, {Head: "Score", Width: 0.2, Align: "R"}, {Head: "Results of every check on every device", Width: 0.5}},
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
	p.para("Each table lists the checks that did not pass on every device, the most important first.", "", pdfkit.Ink)
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
				Cols: []pdfkit.Column{{Head: "Check", Width: 0.3}, {Head: "Severity", Width: 0.1}, {Head: "Fails on", Width: 0.09, Align: "R"},
					{Head: "Could not be checked", Width: 0.11, Align: "R"}, {Head: "Accepted", Width: 0.1, Align: "R"}, {Head: "Devices that fail", Width: 0.3}},
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
			p.para("Every check in this area passed on every device checked.", "", pdfkit.Ink)
		default:
			p.para(a.Note, "", pdfkit.Ink)
		}
	}
}

func (p *pdfDoc) exceptions() {
	p.h2("Accepted risks (exceptions)", false)
	if len(p.d.Exceptions) == 0 {
		p.para("No risks have been accepted as exceptions.", "", pdfkit.Ink)
		return
	}
	p.para("An exception accepts that a check fails, for a reason, until a date, with a named owner. An expired exception no longer applies: the check counts as failed again.", "", pdfkit.Ink)
	t := pdfTable{
		Caption: "Exceptions, soonest to end first",
		Cols:    []pdfkit.Column{{Head: "Check", Width: 0.22}, {Head: "Device", Width: 0.16}, {Head: "Reason", Width: 0.3}, {Head: "Owner", Width: 0.17}, {Head: "Until", Width: 0.15}},
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
			until = pdfCell{Lead: "EXPIRED", LeadColour: pdfkit.Red, Text: e.Expires}
		}
		t.Rows = append(t.Rows, pdfRow{Cells: []pdfCell{{Text: e.ControlTitle, Sub: e.ControlID}, {Text: e.Device}, {Text: e.Reason}, owner, until}})
	}
	p.table(t)
}

func (p *pdfDoc) alerts() {
	p.h2("Alerts", false)
	p.para(p.d.AlertsIntro(), "", pdfkit.Ink)
	if len(p.d.Alerts) == 0 {
		p.para("There have been no alerts.", "", pdfkit.Ink)
		return
	}
	t := pdfTable{
		Caption: "Alerts, newest first, with how fast each was handled",
		Cols:    []pdfkit.Column{{Head: "Alert", Width: 0.24}, {Head: "Opened", Width: 0.14}, {Head: "Acknowledged", Width: 0.16}, {Head: "Closed", Width: 0.22}, {Head: "Acknowledged in time", Width: 0.12}, {Head: "Fixed in time", Width: 0.12}},
	}
	clockCell := func(text string, missed bool) pdfCell {
		if missed {
			return pdfCell{Lead: strings.ToUpper(text), LeadColour: pdfkit.Red}
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
	p.para(p.d.BackupsIntro(), "", pdfkit.Ink)
	if len(p.d.Backups) == 0 {
		p.para("No backup jobs report to Handwash yet. Give each backup its own address on the organisation's Backups page, so that a backup that fails or stops running is noticed.", "", pdfkit.Ink)
	} else {
		t := pdfTable{
			Caption: "Backup jobs by name, as they stood on " + p.d.Generated,
			Cols:    []pdfkit.Column{{Head: "Backup", Width: 0.26}, {Head: "Runs every", Width: 0.16}, {Head: "Last success", Width: 0.2}, {Head: "State", Width: 0.38}},
		}
		for _, b := range p.d.Backups {
			state := pdfCell{Text: b.State, Sub: b.Detail}
			if b.Failing {
				state = pdfCell{Lead: b.State, LeadColour: pdfkit.Red, Sub: b.Detail}
			}
			t.Rows = append(t.Rows, pdfRow{Cells: []pdfCell{{Text: b.Name}, {Text: b.Every, Sub: b.Late}, {Text: b.LastSuccess}, state}})
		}
		p.table(t)
	}
	p.h3("Last verified restore")
	if len(p.d.Restores) == 0 {
		p.para("No restore test has been recorded by Handwash yet: run handwash backup verify, or record the last test in the self-assessment.", "", pdfkit.Ink)
		return
	}
	p.para("A backup is proven only by restoring from it. Handwash's restore test (handwash backup verify) restores a sample of files from a backup and checks they came back whole; each device's newest result is listed.", "", pdfkit.Ink)
	t := pdfTable{
		Caption: "Newest restore test on each device, by device name",
		Cols:    []pdfkit.Column{{Head: "Device", Width: 0.26}, {Head: "Result", Width: 0.16}, {Head: "What Handwash found", Width: 0.58}},
	}
	for _, r := range p.d.Restores {
		result := pdfCell{Text: r.Result}
		if r.Failing {
			result = pdfCell{Lead: strings.ToUpper(r.Result), LeadColour: pdfkit.Red}
		}
		t.Rows = append(t.Rows, pdfRow{Cells: []pdfCell{{Text: r.Device}, result, {Text: r.Summary}}})
	}
	p.table(t)
}

func (p *pdfDoc) phishing() {
	p.h2("Phishing reports", false)
	p.para(p.d.PhishIntro(), "", pdfkit.Ink)
	p.para(p.d.PhishSummary(), "", pdfkit.Ink)
	if len(p.d.PhishMonths) == 0 {
		return
	}
	t := pdfTable{
		Caption: "Emails staff reported as suspicious each month, oldest first, with the totals",
		Cols:    []pdfkit.Column{{Head: "Month", Width: 0.4}, {Head: "Reports", Width: 0.2, Align: "R"}, {Head: "Likely phishing", Width: 0.2, Align: "R"}, {Head: "Suspicious", Width: 0.2, Align: "R"}},
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
	p.Ensure(16 + float64(len(t.Rows))*(pdfkit.RowLine+2*pdfkit.CellPad))
	p.table(t)
}

func (p *pdfDoc) cloud() {
	d := p.d
	p.h2("Cloud accounts and two-step verification", false)
	p.para(d.CloudIntro(), "", pdfkit.Ink)
	if len(d.CloudFindings) == 0 {
		p.para(d.CloudNone(), "", pdfkit.Ink)
		return
	}
	if len(d.CloudImports) > 0 {
		t := pdfTable{
			Caption: "Lists of cloud accounts imported, the newest from each service",
			Cols:    []pdfkit.Column{{Head: "Service", Width: 0.3}, {Head: "Imported on", Width: 0.45}, {Head: "Accounts", Width: 0.25, Align: "R"}},
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
	p.para(d.PhonesIntro(), "", pdfkit.Ink)
	if len(d.MobileFindings) == 0 {
		p.para(d.PhonesNone(), "", pdfkit.Ink)
		return
	}
	t := pdfTable{
		Caption: "Phones and tablets by where they were listed from",
		Cols:    []pdfkit.Column{{Head: "Listed from", Width: 0.5}, {Head: "Phones and tablets", Width: 0.5, Align: "R"}},
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
		Cols:    []pdfkit.Column{{Head: "Check", Width: 0.34}, {Head: "Result", Width: 0.16}, {Head: "What Handwash found", Width: 0.5}},
	}
	for _, r := range rows {
		result := pdfCell{Text: r.Result}
		if r.Failing {
			result = pdfCell{Lead: strings.ToUpper(r.Result), LeadColour: pdfkit.Red}
		}
		t.Rows = append(t.Rows, pdfRow{Cells: []pdfCell{{Text: r.Title, Sub: r.ID}, result, {Text: r.Summary}}})
	}
	p.table(t)
}

func (p *pdfDoc) mappings() {
	p.h2("Cyber Essentials", true)
	p.para("Each of the five Cyber Essentials requirements, then the questions the checks cite, with the Handwash checks that give evidence for them. A device counts as failing a requirement if it fails any of its checks.", "", pdfkit.Ink)
	p.mapping("Cyber Essentials requirements and the Handwash checks that evidence them", p.d.CyberEssentials)
	p.h2("Data Security and Protection Toolkit", false)
	p.para("The DSPT evidence items the checks cite, and the self-assessed items that no device check can answer.", "", pdfkit.Ink)
	p.mapping("DSPT evidence items and the Handwash checks that evidence them", p.d.DSPT)
}

func (p *pdfDoc) mapping(caption string, reqs []*Requirement) {
	t := pdfTable{
		Caption: caption,
		Cols:    []pdfkit.Column{{Head: "Requirement", Width: 0.34}, {Head: "Checked by Handwash", Width: 0.4}, {Head: "Result across devices", Width: 0.26}},
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

func resultColour(k ResultKind) pdfkit.Colour {
	switch k {
	case ResultMet:
		return pdfkit.Green
	case ResultNotMet:
		return pdfkit.Red
	case ResultSelfAssessed:
		return pdfBlue
	}
	return pdfkit.Muted
}

func (p *pdfDoc) devices() {
	p.h2("Devices", true)
	if len(p.d.DeviceRows) == 0 {
		p.para("No devices are enrolled.", "", pdfkit.Ink)
		return
	}
	t := pdfTable{
		Caption: fmt.Sprintf("Enrolled devices (%d), by name", len(p.d.DeviceRows)),
		Cols: []pdfkit.Column{{Head: "Device", Width: 0.22}, {Head: "Platform", Width: 0.1}, {Head: "Operating system", Width: 0.2}, {Head: "Score", Width: 0.1, Align: "R"},
			{Head: "Checks failing", Width: 0.09, Align: "R"}, {Head: "Last seen", Width: 0.13}, {Head: "Status", Width: 0.16}},
	}
	for _, d := range p.d.DeviceRows {
		failing := "–"
		if d.Assessed {
			failing = fmt.Sprint(d.Failing)
		}
		status := pdfCell{Text: d.Status}
		if d.Stale {
			status = pdfCell{Text: d.Status, Bold: true, Colour: pdfkit.Red}
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
		p.item("•", pdfkit.Run{Text: s})
	}
	p.F.Ln(3)
	made := "Made by Handwash"
	if p.d.Version != "" {
		made += " " + p.d.Version
	}
	p.para(made+" on "+p.d.Generated+", from its controls version "+p.d.CatalogueVersion+": checks against the NCSC Small Business Guide, Cyber Essentials, the Data Security and Protection Toolkit and the lessons of WannaCry.", "", pdfkit.Muted)
	p.para("This report is evidence to support an assessment. It is not a Cyber Essentials certificate or a DSPT submission.", "", pdfkit.Muted)
}

// pdfTable is a table of pdfCells, which pdfkit draws across pages.
type pdfTable struct {
	Caption string
	Cols    []pdfkit.Column
	Rows    []pdfRow
}

type pdfRow struct {
	Cells []pdfCell
	// Shaded rows head a group of rows.
	Shaded bool
}

// pdfCell is a cell's text: an optional bold Lead line (such as a result),
// the Text, and an optional smaller, muted Sub line (such as a control ID).
// The zero colours are black.
type pdfCell struct {
	Lead       string
	LeadColour pdfkit.Colour
	Text       string
	Bold       bool
	Colour     pdfkit.Colour
	Sub        string
}

// parts is the cell as pdfkit draws it.
func (c pdfCell) parts() pdfkit.Cell {
	style := ""
	if c.Bold {
		style = "B"
	}
	return pdfkit.Cell{
		{Text: c.Lead, Style: "B", Size: pdfkit.TableSize, Colour: c.LeadColour},
		{Text: c.Text, Style: style, Size: pdfkit.TableSize, Colour: c.Colour},
		{Text: c.Sub, Size: pdfkit.SmallSize, Colour: pdfkit.Muted},
	}
}

// table draws t, starting a new page (with the caption and headings again)
// whenever the next row would not fit.
func (p *pdfDoc) table(t pdfTable) {
	kt := pdfkit.Table{Caption: t.Caption, Columns: t.Cols, Rows: make([]pdfkit.Row, len(t.Rows))}
	for i, r := range t.Rows {
		kt.Rows[i] = pdfkit.Row{Shaded: r.Shaded, Cells: make([]pdfkit.Cell, len(r.Cells))}
		for j, c := range r.Cells {
			kt.Rows[i].Cells[j] = c.parts()
		}
	}
	p.Font("", pdfkit.TableSize, pdfkit.Ink)
	p.Table(kt)
	p.F.Ln(4)
}
