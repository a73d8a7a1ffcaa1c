package evidence

import (
	"bytes"
	"fmt"
	"io"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/handwash/handwash"
	"github.com/handwash/handwash/internal/pdfkit"
	"github.com/handwash/handwash/internal/pdfkit/pdftest"
)

func renderPDF(t testing.TB, r *Report) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := RenderPDF(&b, r); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestRenderPDFNeedsAReport(t *testing.T) {
	if err := RenderPDF(io.Discard, nil); handwash.ErrorCode(err) != handwash.EINVALID {
		t.Errorf("RenderPDF(nil) = %v, want an EINVALID error", err)
	}
}

// The same report gives the same bytes, so a stored report can be checked
// against a fresh one, and a different moment gives different bytes (the
// dates come from the report, not the clock).
func TestPDFIsDeterministic(t *testing.T) {
	first := renderPDF(t, fixture(t))
	if !bytes.HasPrefix(first, []byte("%PDF-1.")) {
		t.Fatalf("output starts %q, want %%PDF-1.", first[:min(len(first), 8)])
	}
	if !bytes.HasSuffix(bytes.TrimSpace(first), []byte("%%EOF")) {
		t.Errorf("output does not end with %s", "%%EOF")
	}
	// Rendering in between with other input must not leak into the next.
	renderPDF(t, small())
	second := renderPDF(t, fixture(t))
	if !bytes.Equal(first, second) {
		t.Errorf("two renderings of the same report differ (%d and %d bytes)", len(first), len(second))
	}
	for _, date := range []string{"/CreationDate (D:20261130140500)", "/ModDate (D:20261130140500)"} {
		if !bytes.Contains(first, []byte(date)) {
			t.Errorf("the PDF lacks %s: its dates must be the report's GeneratedAt", date)
		}
	}
	later := fixture(t)
	later.GeneratedAt = later.GeneratedAt.Add(time.Minute)
	if bytes.Equal(first, renderPDF(t, later)) {
		t.Error("a report made a minute later renders the same bytes: GeneratedAt is not used")
	}
}

func TestPDFText(t *testing.T) {
	text := pdftest.Poppler(t, "pdftotext", renderPDF(t, fixture(t)))
	// pdftotext breaks lines where the PDF does; words are what matter.
	flat := strings.Join(strings.Fields(text), " ")
	want := []string{
		"Cyber hygiene evidence report", "Rosewood Care Homes Ltd", "Meadow IT Services",
		"30 November 2026 at 14:05 UTC", "controls version " + testCatalogue(t).Version,
		"Summary", "Scores by area", "Findings by area", "Accepted risks (exceptions)",
		"Cyber Essentials requirements and the Handwash checks that evidence them",
		"DSPT evidence items and the Handwash checks that evidence them",
		"Data Security and Protection Toolkit", "What this report does not cover",
		"Requirement Checked by Handwash Result across devices",
		"Firewall switched on for every network", "Operating system still gets security updates",
		"NOT MET", "SELF-ASSESSED", "Security update management", "A6.4", "6.2.1",
		"EXPIRED", "31 October 2026", "Not seen for 20 days", "NEW-LAPTOP-12",
		"Page 1 of ",
		// Backups, the last verified restore and phishing reports.
		"Backups", "Backup jobs by name, as they stood on 30 November 2026 at 14:05 UTC",
		"Care records to the cloud (Veeam)", "FAILED", "OVERDUE", "working", "waiting for its first report",
		"It said: “Job failed: the target disk is full ?”", "may run 6 hours late",
		"Last verified restore", "Newest restore test on each device", `\\NAS\backup`,
		"Phishing reports", "make it easy for staff to report a suspicious email, without blame",
		"In the last 12 months, staff reported 29 emails: 8 likely phishing and 11 suspicious.",
		"December 2025", "November 2026", "Total 29 8 11",
		// Cloud accounts, and phones and tablets.
		"Cloud accounts and two-step verification", "administrator (question A7.16) and every user (A7.17)", "Standards Met (4.5.3)",
		"Lists of cloud accounts imported, the newest from each service", "Microsoft 365 18 November 2026", "by jane@rosewood.example",
		"Cloud account checks, as they stood on 30 November 2026 at 14:05 UTC", "Every cloud administrator signs in with MFA", "passwords.cloud-admin-mfa",
		"The Google Workspace list was imported 45 days ago (16 October 2026)",
		"Phones and tablets", "The NCSC's tips for smartphones and tablets",
		"Phones and tablets by where they were listed from", "Microsoft Intune 2 Jamf Pro 1 Entered by hand 1 Total 4",
		"Phone and tablet checks, as they stood on 30 November 2026 at 14:05 UTC", "devices.mobile-os-supported",
		"iPhone 8 (Zoë Müller) on iOS 16.7.10", "Could not be checked", "Samsung SM-A145R (Night Carer) (last 21 October 2026)",
		// The Unicode strings, as the core fonts can show them.
		"Salle-de-séjour’s PC — 2->3 ?",
		"The résumé printer’s driver needs SMBv1 — replace it -> March ?",
		"Zoë Müller",
	}
	for _, a := range handwash.Areas {
		want = append(want, a.Title())
	}
	for _, w := range want {
		if !strings.Contains(flat, w) {
			t.Errorf("the PDF's text lacks %q", w)
		}
	}
	if strings.Contains(text, "{nb}") {
		t.Error(`the page count alias "{nb}" was not replaced`)
	}
	// The sections come in the HTML's order.
	last := -1
	for _, h := range []string{"Alerts, newest first", "Backup jobs by name", "Last verified restore", "Emails staff reported as suspicious each month",
		"Cloud account checks", "Phone and tablet checks", "Cyber Essentials requirements and"} {
		i := strings.Index(flat, h)
		if i < last {
			t.Errorf("%q comes before the section it should follow", h)
		}
		last = i
	}

	// Without a restore test, the report says how to record one.
	r := fixture(t)
	r.Findings = slices.DeleteFunc(r.Findings, func(f *handwash.DeviceFinding) bool { return f.ControlID == restoreControl })
	r.BackupJobs, r.PhishMonths = nil, nil
	r.CloudAccounts, r.CloudImports, r.MobileDevices = nil, nil, nil
	flat = strings.Join(strings.Fields(pdftest.Poppler(t, "pdftotext", renderPDF(t, r))), " ")
	for _, w := range []string{
		"No restore test has been recorded by Handwash yet: run handwash backup verify, or record the last test in the self-assessment.",
		"No backup jobs report to Handwash yet.", "No phishing reports have been counted for this organisation.",
		"No list of cloud accounts has been imported yet, so this report cannot show who signs in with MFA. Import one on the organisation's Cloud accounts page in the Handwash dashboard",
		"No phones or tablets are recorded yet. Import them from the organisation's device management service (Microsoft Intune, Google endpoint management or Jamf Pro), or add each one by hand, on the organisation's Phones and tablets page",
	} {
		if !strings.Contains(flat, w) {
			t.Errorf("the PDF's text without backups, phishing reports, cloud accounts or phones lacks %q", w)
		}
	}
	for _, bad := range []string{"Cloud account checks", "Phone and tablet checks", "Lists of cloud accounts imported"} {
		if strings.Contains(flat, bad) {
			t.Errorf("the PDF's text with nothing imported has %q", bad)
		}
	}
}

// A table longer than a page carries on over the next pages, each
// starting with the table's caption, marked continued, and its headings.
func TestPDFTablesBreakAcrossPages(t *testing.T) {
	r := large(t, 120)
	pdf := renderPDF(t, r)
	text := pdftest.Poppler(t, "pdftotext", pdf)
	pages := strings.Split(text, "\f")
	continued := 0
	for i, page := range pages {
		flat := strings.Join(strings.Fields(page), " ")
		if !strings.Contains(flat, "Enrolled devices (120), by name (continued)") {
			continue
		}
		continued++
		// pdftotext reads the headings in varying order; each must be there.
		for _, h := range []string{"Device", "Platform", "Operating system", "Score", "Checks", "failing", "Last seen", "Status"} {
			if !strings.Contains(flat, h) {
				t.Errorf("page %d continues the device list without its heading %q", i+1, h)
			}
		}
		if !strings.Contains(flat, "Page ") || !strings.Contains(flat, " of ") {
			t.Errorf("page %d has no page number", i+1)
		}
	}
	if continued < 2 {
		t.Errorf("the list of 120 devices continued on %d pages, want at least 2", continued)
	}
	// Every device is listed, however the pages fall and its name wraps
	// (pdftotext joins a line that ends in a hyphen to the next without it).
	squash := strings.NewReplacer("-", "", " ", "", "\n", "", "\f", "")
	flat := squash.Replace(text)
	for _, d := range r.Devices {
		if name := squash.Replace(pdfkit.Fold(d.Hostname)); !strings.Contains(flat, name) {
			t.Errorf("device %q is not in the PDF", d.Hostname)
		}
	}
}

func TestPDFMetadata(t *testing.T) {
	r := fixture(t)
	r.Org.Name = "Zoë’s Care — Home 🙂"
	info := pdftest.Poppler(t, "pdfinfo", renderPDF(t, r), "-isodates")
	// The emoji becomes "?": see pdfkit.MetaText.
	for _, want := range []string{
		"Title:           Cyber hygiene evidence: Zoë’s Care — Home ?",
		"Creator:         Handwash 1.4.0",
		"CreationDate:    2026-11-30T14:05:00",
	} {
		if !strings.Contains(info, want) {
			t.Errorf("pdfinfo lacks %q:\n%s", want, info)
		}
	}
}

// A row taller than a page (a requirement that many checks evidence) is
// split between pages rather than running off the end of one.
func TestPDFRowTallerThanAPage(t *testing.T) {
	r := small()
	r.Controls, r.Findings = nil, nil
	for i := range 90 {
		c := ctl(fmt.Sprintf("malware.check-%02d", i), handwash.AreaMalware, handwash.SeverityHigh, "ce:firewalls")
		c.Title = fmt.Sprintf("Firewall check number %02d with a title long enough to wrap onto a second line", i)
		r.Controls = append(r.Controls, c)
		r.Findings = append(r.Findings, &handwash.DeviceFinding{DeviceID: "d1", Finding: handwash.Finding{ControlID: c.ID, Status: handwash.StatusPass}})
	}
	text := pdftest.Poppler(t, "pdftotext", renderPDF(t, r))
	flat := strings.Join(strings.Fields(text), " ")
	for _, c := range r.Controls {
		if !strings.Contains(flat, "Firewall check number "+c.ID[len(c.ID)-2:]) {
			t.Errorf("%s is missing from the Cyber Essentials table", c.ID)
		}
	}
	if pages := strings.Count(text, "\f"); pages > 12 {
		t.Errorf("the report has %d pages, want at most 12: a tall row made empty pages", pages)
	}
	if !strings.Contains(flat, "Cyber Essentials requirements and the Handwash checks that evidence them (continued)") {
		t.Error("the split row's table does not carry on under its caption")
	}
}
