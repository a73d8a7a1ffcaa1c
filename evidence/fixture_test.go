package evidence

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/handwash/handwash"
	"github.com/handwash/handwash/policy"
	"github.com/handwash/handwash/schema"
)

// judgedAt is when the fixture's devices were judged: the clock the
// collectors' recordings use. generatedAt is when the report is made.
var (
	judgedAt    = time.Date(2026, 11, 20, 9, 30, 0, 0, time.UTC)
	generatedAt = time.Date(2026, 11, 30, 14, 5, 0, 0, time.UTC)
)

// Strings with characters outside Windows-1252, which the PDF's core fonts
// cannot show: a right single quotation mark and an em dash (inside it), an
// accented letter (inside it), an arrow and an emoji (outside it).
const (
	unicodeHost   = "Salle-de-séjour’s PC — 2→3 🙂"
	unicodeReason = "The résumé printer’s driver needs SMBv1 — replace it → March 🙂"
)

// fixtureDevice is one enrolled device of the fixture, judged from a
// recording of a real machine.
type fixtureDevice struct {
	id, facts, hostname string
	lastSeen            time.Duration // before generatedAt; 0 means never seen
}

var fixtureDevices = []fixtureDevice{
	{"dev-01", "windows/neglected", "", 2 * time.Hour},
	{"dev-02", "windows/non-admin", "", 26 * time.Hour},
	{"dev-03", "windows/well-kept", "", 3 * time.Hour},
	{"dev-04", "macos/neglected", "", 20 * 24 * time.Hour}, // stale
	{"dev-05", "macos/well-kept", "", 5 * time.Hour},
	{"dev-06", "macos/non-admin", "", 30 * time.Hour},
	{"dev-07", "linux/well-kept", "nurse-station-ubuntu", 4 * time.Hour},
	{"dev-08", "linux/fedora-server", "rosewood-files", time.Hour},
	{"dev-09", "linux/neglected", unicodeHost, 9 * 24 * time.Hour}, // stale
}

// exceptions accepted in the fixture: one for every device, one for a
// device that has expired, and one with a reason outside Windows-1252.
func fixtureExceptions() []*handwash.StoredException {
	created := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	return []*handwash.StoredException{
		{ID: "ex-1", ProviderID: "prov-1", OrgID: "org-1", Control: "malware.usb-controlled",
			Reason: "Care plans are printed from USB sticks on the nurses' station until the new printer arrives.",
			Owner:  "Jane Smith, Registered Manager", Expires: time.Date(2027, 3, 31, 23, 59, 59, 0, time.UTC), CreatedAt: created, CreatedBy: "jane@rosewood.example"},
		{ID: "ex-2", ProviderID: "prov-1", OrgID: "org-1", DeviceID: "dev-01", Control: "malware.rdp-off",
			Reason: "The pharmacy supplier connects by Remote Desktop.", Owner: "Sam Patel",
			Expires: time.Date(2026, 10, 31, 23, 59, 59, 0, time.UTC), CreatedAt: created, CreatedBy: "sam@meadow-it.example"},
		{ID: "ex-3", ProviderID: "prov-1", OrgID: "org-1", DeviceID: "dev-09", Control: "updates.smbv1-off",
			Reason: unicodeReason, Owner: "Zoë Müller", Expires: time.Date(2027, 1, 15, 23, 59, 59, 0, time.UTC), CreatedAt: created, CreatedBy: "zoe@rosewood.example"},
	}
}

// fixtureAlerts are alerts handled in every way: an NHS England cyber
// alert acknowledged and closed in time, an automatic one fixed late, one
// still open past its acknowledge clock, and one just opened.
func fixtureAlerts() []*handwash.Alert {
	at := func(days, hours int) time.Time {
		return generatedAt.AddDate(0, 0, -days).Add(time.Duration(-hours) * time.Hour)
	}
	clocks := func(a *handwash.Alert) *handwash.Alert {
		a.ProviderID, a.OrgID = "prov-1", "org-1"
		a.AckDue, a.FixDue = a.OpenedAt.Add(handwash.DefaultAckWithin), a.OpenedAt.Add(handwash.DefaultFixWithin)
		return a
	}
	return []*handwash.Alert{
		clocks(&handwash.Alert{ID: "alr-1", Origin: handwash.AlertManual, Severity: handwash.SeverityCritical, Title: "Critical flaw in VPN appliances",
			Reference: "CC-4567", State: handwash.AlertClosed, OpenedAt: at(40, 0), AcknowledgedAt: at(40, -5), ClosedAt: at(37, 0),
			CloseReason: "Installed version 9.1.2 on the appliance."}),
		clocks(&handwash.Alert{ID: "alr-2", Origin: handwash.AlertAutomatic, ControlID: "updates.os-supported", Severity: handwash.SeverityCritical,
			Title: "Operating system still gets security updates", State: handwash.AlertClosed, OpenedAt: at(30, 0), AcknowledgedAt: at(27, 0),
			ClosedAt: at(12, 0), CloseReason: "Fixed on every affected device, as their newest Facts show."}),
		clocks(&handwash.Alert{ID: "alr-3", Origin: handwash.AlertAutomatic, ControlID: "updates.smbv1-off", Severity: handwash.SeverityCritical,
			Title: "SMBv1 switched off", State: handwash.AlertOpen, OpenedAt: at(3, 0), Affected: 1}),
		clocks(&handwash.Alert{ID: "alr-4", Origin: handwash.AlertManual, Severity: handwash.SeverityHigh, Title: "Phishing emails claiming to be from the CQC",
			Reference: "CC-4601", State: handwash.AlertAcknowledged, OpenedAt: at(0, 6), AcknowledgedAt: at(0, 2)}),
	}
}

// fixtureBackupJobs are backup jobs in every state at generatedAt: one
// working, one whose newest report was a failure (its message on several
// lines, with an emoji), one overdue and one not yet reported.
func fixtureBackupJobs() []*handwash.BackupJob {
	ago := func(d time.Duration) *time.Time { t := generatedAt.Add(-d); return &t }
	job := func(id, name string, every, grace time.Duration, created time.Duration) *handwash.BackupJob {
		return &handwash.BackupJob{ID: id, ProviderID: "prov-1", OrgID: "org-1", Name: name, Every: every, Grace: grace, CreatedAt: generatedAt.Add(-created)}
	}
	day := 24 * time.Hour
	nightly := job("bj-1", "Nightly NAS backup (Synology Hyper Backup)", day, 2*time.Hour, 90*day)
	nightly.LastSuccessAt, nightly.LastPingAt = ago(12*time.Hour), ago(12*time.Hour)
	records := job("bj-2", "Care records to the cloud (Veeam)", day, 6*time.Hour, 90*day)
	records.LastSuccessAt, records.LastFailureAt, records.LastPingAt = ago(26*time.Hour), ago(2*time.Hour), ago(2*time.Hour)
	records.LastMessage = "Job failed:\n\tthe target disk is full 🙂"
	image := job("bj-3", "Weekly server image", 7*day, day, 90*day)
	image.LastSuccessAt, image.LastPingAt = ago(9*day), ago(9*day)
	laptop := job("bj-4", "New laptop backup", day, 0, 3*time.Hour)
	return []*handwash.BackupJob{records, laptop, image, nightly}
}

// fixturePhishMonths are the 12 months to generatedAt's, as the store
// gives them: oldest first, every month present, two without a report.
func fixturePhishMonths() []handwash.PhishMonth {
	counts := [][3]int{{3, 1, 1}, {0, 0, 0}, {2, 0, 1}, {4, 2, 1}, {1, 0, 0}, {0, 0, 0}, {5, 1, 2}, {2, 1, 0}, {3, 0, 2}, {6, 2, 3}, {2, 0, 1}, {1, 1, 0}}
	var out []handwash.PhishMonth
	for i, c := range counts {
		out = append(out, handwash.PhishMonth{Month: time.Date(2025, 12+time.Month(i), 1, 0, 0, 0, 0, time.UTC), Reports: c[0], Phishing: c[1], Suspicious: c[2]})
	}
	return out
}

// fixtureRestores are restore tests of two devices (a check that the
// catalogue may not have yet), one passed and one failed.
func fixtureRestores() []*handwash.DeviceFinding {
	restore := func(dev string, st handwash.Status, summary string) *handwash.DeviceFinding {
		return &handwash.DeviceFinding{DeviceID: dev, Since: judgedAt, Finding: handwash.Finding{ControlID: "backup.restore-tested", Area: handwash.AreaBackup,
			Severity: handwash.SeverityMedium, Title: "Backups restored in a test recently", Status: st, Summary: summary}}
	}
	return []*handwash.DeviceFinding{
		restore("dev-08", handwash.StatusPass, "20 files were restored from the restic backup on 18 November 2026 and all came back whole."),
		restore("dev-03", handwash.StatusFail, "The test restore from the backup folder on \\\\NAS\\backup failed: 2 of 20 files came back different."),
	}
}

// fixtureCloud is the organisation's cloud accounts: a Microsoft 365 list
// imported 12 days before the report, with an administrator and a user
// without MFA and a shared mailbox that can be signed in to, and a Google
// Workspace list imported 45 days before, too long ago.
func fixtureCloud() ([]handwash.CloudAccount, []handwash.CloudImport) {
	yes, no := true, false
	acct := func(source, email, name string, admin bool, mfa *bool, shared bool, signIn *bool) handwash.CloudAccount {
		return handwash.CloudAccount{OrgID: "org-1", Source: source, Email: email, Name: name, Admin: admin, MFA: mfa, Shared: shared, SignInAllowed: signIn}
	}
	m365, google := handwash.AccountsM365, handwash.AccountsGoogle
	accounts := []handwash.CloudAccount{
		acct(m365, "admin@rosewood.example", "Rosewood Admin", true, &yes, false, &yes),
		acct(m365, "it.support@rosewood.example", "IT Support", true, &no, false, &yes),
		acct(m365, "jane.smith@rosewood.example", "Jane Smith", false, &yes, false, &yes),
		acct(m365, "night.nurse@rosewood.example", "Night Nurse", false, &no, false, &yes),
		acct(m365, "office@rosewood.example", "Office", false, nil, true, &yes),
		acct(m365, "leaver@rosewood.example", "Left in June", false, &no, false, &no),
		acct(google, "zoe@rosewood-homes.example", "Zoë Müller", false, &yes, false, &yes),
		acct(google, "rota@rosewood-homes.example", "Rota", false, &yes, false, &yes),
	}
	imports := []handwash.CloudImport{
		{OrgID: "org-1", Source: google, ImportedAt: generatedAt.Add(-45 * 24 * time.Hour), ImportedBy: "zoe@rosewood.example", Accounts: 2},
		{OrgID: "org-1", Source: m365, ImportedAt: generatedAt.Add(-12 * 24 * time.Hour), ImportedBy: "jane@rosewood.example", Accounts: 6},
	}
	return accounts, imports
}

// fixtureMobiles are the organisation's phones and tablets from Intune,
// Jamf and by hand: one whose system is out of support and one whose
// support ends soon, one that cannot be wiped, one not seen for 40 days,
// and Intune's, whose passcode is not known.
func fixtureMobiles() []*handwash.MobileDevice {
	yes, no := true, false
	ago := func(days int) *time.Time { t := generatedAt.Add(time.Duration(-days) * 24 * time.Hour); return &t }
	return []*handwash.MobileDevice{
		{ID: "mob-1", OrgID: "org-1", Source: handwash.MobileIntune, ExternalID: "a1b2", Owner: "Jo Bloggs", Model: "iPhone 13", OS: "ios", OSVersion: "17.6.1",
			Encrypted: &yes, Managed: &yes, LastSeen: ago(2)},
		{ID: "mob-2", OrgID: "org-1", Source: handwash.MobileIntune, ExternalID: "c3d4", Owner: "Night Carer", Model: "Samsung SM-A145R", OS: "android", OSVersion: "12",
			Encrypted: &yes, Managed: &yes, LastSeen: ago(40)},
		{ID: "mob-3", OrgID: "org-1", Source: handwash.MobileJamf, ExternalID: "77", Owner: "Activities", Model: "iPad (9th generation)", OS: "ipados", OSVersion: "18.1",
			Passcode: &yes, Encrypted: &yes, Managed: &yes, LastSeen: ago(1)},
		{ID: "mob-4", OrgID: "org-1", Source: handwash.MobileByHand, Owner: "Zoë Müller", Model: "iPhone 8", OS: "ios", OSVersion: "16.7.10",
			Passcode: &yes, Managed: &no, LastSeen: ago(10)},
	}
}

// fixtureSupport is the end-of-life data the fixture's phones are judged
// by.
func fixtureSupport(os, version string) (*bool, bool, string) {
	yes, no := true, false
	major, _, _ := strings.Cut(version, ".")
	switch os + " " + major {
	case "ios 16":
		return &no, false, "iOS 16 no longer gets security updates"
	case "android 12":
		return &no, false, "Android 12 no longer gets security updates"
	case "ios 17":
		return &yes, true, "iOS 17 gets security updates until about 30 March 2027"
	case "ipados 18":
		return &yes, false, "iPadOS 18 still gets security updates"
	}
	return nil, false, "not in the end-of-life data"
}

var (
	catalogueOnce sync.Once
	catalogue     *policy.Catalogue
	catalogueErr  error
)

func testCatalogue(tb testing.TB) *policy.Catalogue {
	tb.Helper()
	catalogueOnce.Do(func() { catalogue, catalogueErr = policy.Default() })
	if catalogueErr != nil {
		tb.Fatal(catalogueErr)
	}
	return catalogue
}

// judgeDevice evaluates a recording as the server would for an enrolled device,
// with the exceptions that bear on it.
func judgeDevice(tb testing.TB, fd fixtureDevice, ex []*handwash.StoredException) (*handwash.Device, *handwash.Assessment) {
	tb.Helper()
	file := filepath.Join("..", "collect", "testdata", filepath.FromSlash(fd.facts)+".facts.json")
	f, err := os.Open(file)
	if err != nil {
		tb.Fatal(err)
	}
	facts, err := schema.DecodeFacts(f, file)
	f.Close()
	if err != nil {
		tb.Fatal(err)
	}
	if fd.hostname != "" {
		facts.Device.Hostname = fd.hostname
	}
	var applied []handwash.Exception
	for _, e := range ex {
		if e.DeviceID == "" || e.DeviceID == fd.id {
			applied = append(applied, handwash.Exception{Control: e.Control, Reason: e.Reason, Owner: e.Owner, Expires: e.Expires})
		}
	}
	a := testCatalogue(tb).Evaluate(facts, policy.Options{Now: judgedAt, Exceptions: applied})
	at := judgedAt
	dev := &handwash.Device{
		ID: fd.id, ProviderID: "prov-1", OrgID: "org-1",
		Hostname: facts.Device.Hostname, Platform: facts.Device.Platform, OS: a.Facts.OS,
		EnrolledAt: time.Date(2026, 5, 1, 9, 0, 0, 0, time.UTC), Score: a.Overall.Value, EvaluatedAt: &at,
	}
	if fd.lastSeen > 0 {
		seen := generatedAt.Add(-fd.lastSeen)
		dev.LastSeenAt = &seen
	}
	return dev, a
}

// fixture is a realistic report: a care home group's computers on three
// platforms, well kept and neglected, judged by the built-in catalogue,
// plus one enrolled laptop that has never reported.
func fixture(tb testing.TB) *Report {
	tb.Helper()
	ex := fixtureExceptions()
	r := &Report{
		ProviderName:     "Meadow IT Services",
		Org:              handwash.Org{ID: "org-1", ProviderID: "prov-1", Name: "Rosewood Care Homes Ltd", CreatedAt: time.Date(2026, 5, 1, 9, 0, 0, 0, time.UTC)},
		GeneratedAt:      generatedAt,
		CatalogueVersion: testCatalogue(tb).Version,
		Version:          "1.4.0",
		Exceptions:       ex,
		Alerts:           fixtureAlerts(),
		BackupJobs:       fixtureBackupJobs(),
		PhishMonths:      fixturePhishMonths(),
		MobileDevices:    fixtureMobiles(),
		MobileSupport:    fixtureSupport,
		Controls:         testCatalogue(tb).Controls,
	}
	r.CloudAccounts, r.CloudImports = fixtureCloud()
	var assessments []*handwash.Assessment
	for _, fd := range fixtureDevices {
		dev, a := judgeDevice(tb, fd, ex)
		r.Devices = append(r.Devices, dev)
		assessments = append(assessments, a)
		for _, f := range a.Findings {
			r.Findings = append(r.Findings, &handwash.DeviceFinding{DeviceID: dev.ID, Hostname: dev.Hostname, Since: judgedAt, Finding: f})
		}
	}
	for _, f := range fixtureRestores() {
		for _, dev := range r.Devices {
			if dev.ID == f.DeviceID {
				f.Hostname = dev.Hostname
			}
		}
		r.Findings = append(r.Findings, f)
	}
	r.Devices = append(r.Devices, &handwash.Device{
		ID: "dev-10", ProviderID: "prov-1", OrgID: "org-1", Hostname: "NEW-LAPTOP-12", Platform: handwash.PlatformWindows,
		EnrolledAt: generatedAt.Add(-2 * time.Hour), Score: -1,
	})
	r.Scores = orgScores("org-1", assessments)
	return r
}

// orgScores sums assessments as the store's OrgScores does.
func orgScores(orgID string, as []*handwash.Assessment) handwash.OrgScores {
	out := handwash.OrgScores{OrgID: orgID, Devices: len(as)}
	byArea := map[handwash.Area]*handwash.Score{}
	for _, a := range as {
		addScore(&out.Overall, a.Overall)
		for _, s := range a.Areas {
			if byArea[s.Area] == nil {
				byArea[s.Area] = &handwash.Score{}
			}
			addScore(byArea[s.Area], s.Score)
		}
	}
	finishScore(&out.Overall)
	for _, area := range handwash.Areas {
		s := handwash.Score{}
		if byArea[area] != nil {
			s = *byArea[area]
		}
		finishScore(&s)
		out.Areas = append(out.Areas, handwash.AreaScore{Area: area, Title: area.Title(), Score: s})
	}
	return out
}

func addScore(sum *handwash.Score, s handwash.Score) {
	sum.Earned += s.Earned
	sum.Max += s.Max
	sum.Pass += s.Pass
	sum.Fail += s.Fail
	sum.Unknown += s.Unknown
	sum.Excepted += s.Excepted
	sum.NotApplicable += s.NotApplicable
}

func finishScore(s *handwash.Score) {
	s.Assessed = s.Max > 0
	if !s.Assessed {
		s.Value = -1
		return
	}
	s.Value = int(math.Round(100 * float64(s.Earned) / float64(s.Max)))
}

// large is a report of n devices, each judged like one of the fixture's
// recordings, for benchmarks: every device has a finding for every control.
func large(tb testing.TB, n int) *Report {
	tb.Helper()
	base := fixture(tb)
	byDevice := map[string][]*handwash.DeviceFinding{}
	for _, f := range base.Findings {
		byDevice[f.DeviceID] = append(byDevice[f.DeviceID], f)
	}
	r := *base
	r.Devices, r.Findings = nil, nil
	judged := base.Devices[:len(fixtureDevices)]
	for i := range n {
		src := judged[i%len(judged)]
		dev := *src
		dev.ID = fmt.Sprintf("dev-%04d", i)
		dev.Hostname = fmt.Sprintf("%s-%04d", src.Hostname, i)
		r.Devices = append(r.Devices, &dev)
		for _, f := range byDevice[src.ID] {
			g := *f
			g.DeviceID, g.Hostname = dev.ID, dev.Hostname
			r.Findings = append(r.Findings, &g)
		}
	}
	return &r
}
