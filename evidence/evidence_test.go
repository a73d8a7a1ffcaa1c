package evidence

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/handwash/handwash"
)

func TestBuildNeedsAReport(t *testing.T) {
	_, err := Build(nil)
	if handwash.ErrorCode(err) != handwash.EINVALID {
		t.Errorf("Build(nil) = %v, want an EINVALID error", err)
	}
}

// ctl is a control citing the given references, written "ce:A6.4",
// "dspt:6.2.1" or "dspt:" followed by text without an item number.
func ctl(id string, area handwash.Area, sev handwash.Severity, refs ...string) *handwash.Control {
	c := &handwash.Control{ID: id, Area: area, Severity: sev, Title: "Title of " + id, Why: "Why " + id + " matters."}
	for _, r := range refs {
		scheme, rest, _ := strings.Cut(r, ":")
		ref := handwash.Reference{Scheme: scheme, Text: "Text of " + rest}
		if scheme == "dspt" && strings.HasPrefix(rest, "(") {
			ref.Text = "Backups kept apart " + rest
		} else {
			ref.ID = rest
		}
		c.References = append(c.References, ref)
	}
	return c
}

// small is a report of three devices judged by a handful of controls, with
// results chosen to give every kind of requirement result.
func small() *Report {
	at := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	seen := func(d time.Duration) *time.Time { t := at.Add(-d); return &t }
	r := &Report{
		Org:         handwash.Org{ID: "o", Name: "Ash Lodge"},
		GeneratedAt: at,
		Controls: []*handwash.Control{
			ctl("malware.firewall-on", handwash.AreaMalware, handwash.SeverityCritical, "ce:firewalls"),
			ctl("malware.antimalware-on", handwash.AreaMalware, handwash.SeverityCritical, "ce:malware-protection", "dspt:6.2.1"),
			ctl("malware.realtime", handwash.AreaMalware, handwash.SeverityHigh, "ce:malware-protection", "dspt:6.2.1"),
			ctl("updates.security-pending", handwash.AreaUpdates, handwash.SeverityCritical, "ce:A6.4", "dspt:8.3.1"),
			ctl("devices.screen-lock", handwash.AreaDevices, handwash.SeverityHigh, "ce:secure-configuration"),
			ctl("passwords.ssh-root", handwash.AreaPasswords, handwash.SeverityHigh, "ce:user-access-control"),
			ctl("backup.separate", handwash.AreaBackup, handwash.SeverityMedium, "dspt:(DSPT standard 7; item number to be confirmed)"),
			ctl("backup.offline", handwash.AreaBackup, handwash.SeverityMedium, "dspt:(DSPT standard 7, business continuity; item number to be confirmed)"),
			ctl("backup.tested", handwash.AreaBackup, handwash.SeverityLow, "dspt:6.10.1"),
		},
		Devices: []*handwash.Device{
			{ID: "d1", Hostname: "alpha", Platform: handwash.PlatformWindows, Score: 40, LastSeenAt: seen(time.Hour)},
			{ID: "d2", Hostname: "Bravo", Platform: handwash.PlatformMacOS, Score: 90, LastSeenAt: seen(10 * 24 * time.Hour)},
			{ID: "d3", Hostname: "charlie", Platform: handwash.PlatformLinux, Score: 70, LastSeenAt: seen(2 * time.Hour)},
			{ID: "d4", Hostname: "delta", Platform: handwash.PlatformWindows, Score: -1, EnrolledAt: at.Add(-time.Hour)},
		},
		Exceptions: []*handwash.StoredException{
			{ID: "e2", Control: "malware.realtime", DeviceID: "d3", Reason: "Scanner clash", Owner: "Ann", Expires: at.Add(30 * 24 * time.Hour)},
			{ID: "e1", Control: "devices.screen-lock", Reason: "Kiosk", Owner: "Bob", Expires: at.Add(-24 * time.Hour)},
			{ID: "e3", Control: "gone.control", DeviceID: "d9", Reason: "Old", Owner: "Cy", Expires: at.Add(24 * time.Hour)},
		},
	}
	find := func(dev, id string, st handwash.Status) {
		var c *handwash.Control
		for _, x := range r.Controls {
			if x.ID == id {
				c = x
			}
		}
		f := handwash.Finding{ControlID: id, Status: st, Title: "Finding title " + id, Area: handwash.AreaUpdates, Severity: handwash.SeverityLow}
		if c != nil {
			f.Title, f.Area, f.Severity = c.Title, c.Area, c.Severity
		}
		r.Findings = append(r.Findings, &handwash.DeviceFinding{DeviceID: dev, Finding: f})
	}
	// Firewalls: d1 fails. Malware protection: all pass, d3 by an exception.
	// Security updates: d2 unknown, others pass. Secure configuration: not
	// applicable everywhere. User access control: no findings at all.
	for _, d := range []string{"d1", "d2", "d3"} {
		find(d, "malware.firewall-on", map[string]handwash.Status{"d1": handwash.StatusFail}[d])
		find(d, "malware.antimalware-on", handwash.StatusPass)
		find(d, "devices.screen-lock", handwash.StatusNotApplicable)
		find(d, "backup.separate", handwash.StatusFail)
	}
	for i, f := range r.Findings {
		if f.Status == "" {
			r.Findings[i].Status = handwash.StatusPass
		}
	}
	find("d1", "malware.realtime", handwash.StatusPass)
	find("d2", "malware.realtime", handwash.StatusPass)
	find("d3", "malware.realtime", handwash.StatusExcepted)
	find("d1", "updates.security-pending", handwash.StatusPass)
	find("d2", "updates.security-pending", handwash.StatusUnknown)
	find("d3", "updates.security-pending", handwash.StatusPass)
	find("d1", "backup.offline", handwash.StatusPass)
	// A finding of a device no longer enrolled, and of a control no longer
	// in the catalogue: the first is ignored, the second still listed.
	find("d9", "malware.firewall-on", handwash.StatusFail)
	find("d2", "retired.control", handwash.StatusFail)
	return r
}

// rows returns a mapping table as "ID|group|result|fail/unknown/excepted/pass|controls" lines.
func rows(reqs []*Requirement) []string {
	var out []string
	for _, r := range reqs {
		var ids []string
		for _, c := range r.Controls {
			ids = append(ids, c.ID)
		}
		out = append(out, fmt.Sprintf("%s|%s|%s|%d/%d/%d/%d|%s", r.ID, r.Group, r.Result, r.Fail, r.Unknown, r.Excepted, r.Pass, strings.Join(ids, ",")))
	}
	return out
}

func TestMappingCyberEssentials(t *testing.T) {
	d, err := Build(small())
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"|Firewalls|not-met|1/0/0/2|malware.firewall-on",
		"A4.6|Firewalls|self-assessed|0/0/0/0|",
		"|Firewalls|self-assessed|0/0/0/0|",
		"|Secure configuration|not-checked|0/0/0/0|devices.screen-lock",
		"|Security update management|partly|0/1/0/2|updates.security-pending",
		"A6.4|Security update management|partly|0/1/0/2|updates.security-pending",
		"|User access control|not-checked|0/0/0/0|passwords.ssh-root",
		"A7.16, A7.17|User access control|self-assessed|0/0/0/0|",
		"|User access control|self-assessed|0/0/0/0|",
		"|Malware protection|met|0/0/1/2|malware.antimalware-on,malware.realtime",
	}
	if diff := cmp.Diff(want, rows(d.CyberEssentials)); diff != "" {
		t.Errorf("Cyber Essentials rows (-want +got):\n%s", diff)
	}
	texts := map[string]string{}
	for _, r := range d.CyberEssentials {
		texts[r.Group+" "+r.ID+" "+string(r.Result)] = r.ResultText
	}
	for key, want := range map[string]string{
		"Firewalls  not-met":                     "Fails on 1 of 3 devices checked.",
		"Malware protection  met":                "Passes on all 3 devices checked, 1 of them by an accepted exception.",
		"Security update management  partly":     "No failures, but 1 of 3 devices could not be checked.",
		"Secure configuration  not-checked":      "These checks do not apply to any of the devices.",
		"User access control  not-checked":       "No device has a result for these checks yet.",
		"Firewalls A4.6 self-assessed":           "Handwash cannot check this: answer it in your self-assessment.",
		"Security update management A6.4 partly": "No failures, but 1 of 3 devices could not be checked.",
	} {
		if got := texts[key]; got != want {
			t.Errorf("%s: result text %q, want %q", key, got, want)
		}
	}
}

func TestMappingDSPT(t *testing.T) {
	d, err := Build(small())
	if err != nil {
		t.Fatal(err)
	}
	// Items in number order (6.2.1 before 6.10.1), a standard without an
	// item number after its items, the two wordings of standard 7 in one
	// row, and the self-assessed items no control cites.
	want := []string{
		"3.2.1|Standard 3|self-assessed|0/0/0/0|",
		"4.3.1|Standard 4|self-assessed|0/0/0/0|",
		"4.5.3|Standard 4|self-assessed|0/0/0/0|",
		"6.1.1|Standard 6|self-assessed|0/0/0/0|",
		"6.2.1|Standard 6|met|0/0/1/2|malware.antimalware-on,malware.realtime",
		"6.10.1|Standard 6|not-checked|0/0/0/0|backup.tested",
		"7.1.1|Standard 7|self-assessed|0/0/0/0|",
		"Standard 7|Standard 7|not-met|3/0/0/0|backup.separate,backup.offline",
		"8.3.1|Standard 8|partly|0/1/0/2|updates.security-pending",
		"9.1.1|Standard 9|self-assessed|0/0/0/0|",
	}
	if diff := cmp.Diff(want, rows(d.DSPT)); diff != "" {
		t.Errorf("DSPT rows (-want +got):\n%s", diff)
	}
	for _, r := range d.DSPT {
		if r.ID == "Standard 7" {
			if r.Text != "Backups kept apart" || r.Note != "item number to be confirmed" {
				t.Errorf("standard 7 row: text %q, note %q; want the reference text without its bracket, and the note", r.Text, r.Note)
			}
		}
	}
}

// Without passes a requirement is never called met: a control with no
// finding on a device counts as not checked there.
func TestMappingNeedsPassesToCallItMet(t *testing.T) {
	r := small()
	var problems []*handwash.DeviceFinding
	for _, f := range r.Findings {
		if f.Status != handwash.StatusPass && f.Status != handwash.StatusNotApplicable {
			problems = append(problems, f)
		}
	}
	r.Findings = problems
	d, err := Build(r)
	if err != nil {
		t.Fatal(err)
	}
	for _, req := range d.CyberEssentials {
		if req.Group == "Malware protection" && req.Whole {
			if req.Result != ResultMet || req.Checked != 1 {
				t.Errorf("malware protection with only an exception: %s on %d devices, want met on the 1 device with a result", req.Result, req.Checked)
			}
		}
		if req.Group == "Firewalls" && req.Whole && (req.Result != ResultNotMet || req.Checked != 1) {
			t.Errorf("firewalls with only failures: %s on %d devices, want not met on 1", req.Result, req.Checked)
		}
	}
}

func TestFindingsPerArea(t *testing.T) {
	d, err := Build(small())
	if err != nil {
		t.Fatal(err)
	}
	got := map[handwash.Area][]string{}
	for _, a := range d.Areas {
		for _, c := range a.Controls {
			got[a.Area] = append(got[a.Area], fmt.Sprintf("%s fail %s unknown %d accepted %d: %s", c.ID, c.FailText(), c.Unknown, c.Excepted, c.FailingNames()))
		}
	}
	want := map[handwash.Area][]string{
		handwash.AreaBackup:  {"backup.separate fail 3 of 3 unknown 0 accepted 0: alpha, Bravo, charlie"},
		handwash.AreaMalware: {"malware.firewall-on fail 1 of 3 unknown 0 accepted 0: alpha", "malware.realtime fail none unknown 0 accepted 1: "},
		handwash.AreaUpdates: {"retired.control fail 1 of 3 unknown 0 accepted 0: Bravo", "updates.security-pending fail none unknown 1 accepted 0: "},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("findings per area (-want +got):\n%s", diff)
	}
	var fix []string
	for _, c := range d.FixFirst {
		fix = append(fix, c.ID)
	}
	// Most severe first, then the most devices.
	if diff := cmp.Diff([]string{"malware.firewall-on", "backup.separate", "retired.control"}, fix); diff != "" {
		t.Errorf("fix first (-want +got):\n%s", diff)
	}
	if d.Failing != 3 {
		t.Errorf("Failing = %d, want 3", d.Failing)
	}
}

func TestFailingDevicesAreCapped(t *testing.T) {
	r := small()
	r.Devices, r.Findings = nil, nil
	for i := range 13 {
		id := fmt.Sprintf("d%02d", i)
		r.Devices = append(r.Devices, &handwash.Device{ID: id, Hostname: "pc-" + id, Score: 10})
		r.Findings = append(r.Findings, &handwash.DeviceFinding{DeviceID: id, Finding: handwash.Finding{ControlID: "malware.firewall-on", Status: handwash.StatusFail}})
	}
	d, err := Build(r)
	if err != nil {
		t.Fatal(err)
	}
	c := d.FixFirst[0]
	want := "pc-d00, pc-d01, pc-d02, pc-d03, pc-d04, pc-d05, pc-d06, pc-d07, pc-d08, pc-d09 and 3 more"
	if got := c.FailingNames(); got != want || c.FailText() != "13 of 13" {
		t.Errorf("failing devices %q (%s), want %q (13 of 13)", got, c.FailText(), want)
	}
}

func TestDevicesAndExceptions(t *testing.T) {
	d, err := Build(small())
	if err != nil {
		t.Fatal(err)
	}
	var devs []string
	for _, r := range d.DeviceRows {
		devs = append(devs, fmt.Sprintf("%s %s %s %s %v %s %d", r.Name, r.Platform, r.Score, r.LastSeen, r.Stale, r.Status, r.Failing))
	}
	want := []string{
		"alpha Windows 40/100 30 November 2026 false Reporting 2",
		"Bravo macOS 90/100 20 November 2026 true Not seen for 10 days 2",
		"charlie Linux 70/100 30 November 2026 false Reporting 1",
		"delta Windows Not assessed yet Never false Waiting for its first report 0",
	}
	if diff := cmp.Diff(want, devs); diff != "" {
		t.Errorf("device rows (-want +got):\n%s", diff)
	}
	if d.Devices != 4 || d.Assessed != 3 || d.Stale != 1 || d.StaleAfter != "7 days" {
		t.Errorf("devices %d, assessed %d, stale %d after %s; want 4, 3, 1 after 7 days", d.Devices, d.Assessed, d.Stale, d.StaleAfter)
	}

	var ex []string
	for _, e := range d.Exceptions {
		ex = append(ex, fmt.Sprintf("%s|%s|%s|%s|%v", e.ControlTitle, e.Device, e.Owner, e.Expires, e.Expired))
	}
	wantEx := []string{
		"Title of devices.screen-lock|Every device|Bob|29 November 2026|true",
		"gone.control|Device d9 (no longer enrolled)|Cy|1 December 2026|false",
		"Title of malware.realtime|charlie|Ann|30 December 2026|false",
	}
	if diff := cmp.Diff(wantEx, ex); diff != "" {
		t.Errorf("exceptions (-want +got):\n%s", diff)
	}
	if d.ExpiredExceptions != 1 {
		t.Errorf("ExpiredExceptions = %d, want 1", d.ExpiredExceptions)
	}

	r := small()
	r.StaleAfter = 12 * 24 * time.Hour
	d, _ = Build(r)
	if d.Stale != 0 || d.StaleAfter != "12 days" {
		t.Errorf("with StaleAfter 12 days: %d stale after %s, want 0 after 12 days", d.Stale, d.StaleAfter)
	}
}

func TestAreasAndNotes(t *testing.T) {
	r := small()
	r.Scores.Areas = []handwash.AreaScore{
		{Area: handwash.AreaMalware, Score: handwash.Score{Value: 83, Assessed: true, Pass: 5, Fail: 1, Excepted: 1}},
		{Area: handwash.AreaBackup, Score: handwash.Score{Value: 40, Assessed: true, Pass: 1, Fail: 3, Unknown: 1}},
	}
	r.NotAssessed = []Note{{Area: handwash.AreaPhishing, Text: "Mail checks run separately."}}
	d, err := Build(r)
	if err != nil {
		t.Fatal(err)
	}
	got := map[handwash.Area]string{}
	for _, a := range d.Areas {
		got[a.Area] = a.Band + "|" + a.Results + "|" + a.Note
	}
	want := map[handwash.Area]string{
		handwash.AreaBackup:    "poor|1 check passed, 3 failed, 1 could not be checked|",
		handwash.AreaMalware:   "good|5 checks passed, 1 failed, 1 accepted as an exception|",
		handwash.AreaDevices:   "||No device check in this area could be judged yet.",
		handwash.AreaPasswords: "||No device check in this area could be judged yet.",
		handwash.AreaPhishing:  "||Mail checks run separately.",
		handwash.AreaUpdates:   "||No device check in this area could be judged yet.",
		handwash.AreaPeople:    "||" + peopleNote,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("areas (-want +got):\n%s", diff)
	}
}

func TestClip(t *testing.T) {
	for _, c := range []struct {
		in   string
		max  int
		want string
	}{
		{"  plain  ", 10, "plain"},
		{"abcdefghij", 10, "abcdefghij"},
		{"abcdefghijk", 10, "abcdefghi…"},
		{"séjour’s — 🙂", 20, "séjour’s — 🙂"},
		{"tab\there\r\nnull\x00bell\x07", 40, "tab here \nnull\uFFFDbell\uFFFD"},
		{"bad \xff utf-8", 20, "bad \uFFFD utf-8"},
		{"c1 \u0085 control", 20, "c1 \uFFFD control"},
		{"🙂🙂🙂🙂", 3, "🙂🙂…"},
	} {
		if got := clip(c.in, c.max); got != c.want {
			t.Errorf("clip(%q, %d) = %q, want %q", c.in, c.max, got, c.want)
		}
	}
}

func TestCompareItems(t *testing.T) {
	ordered := []string{"1.1.5", "6.2.1", "6.10.1", "Standard 6", "7.1.1", "A4.1.1", "A4.6", "A6.4", "A6.5", "A7.16, A7.17", ""}
	for i := range ordered {
		for j := range ordered {
			got := compareItems(ordered[i], ordered[j])
			want := 0
			if i < j {
				want = -1
			} else if i > j {
				want = 1
			}
			// Items of different schemes never meet in one table; only the
			// order within each matters.
			if (strings.HasPrefix(ordered[i], "A") != strings.HasPrefix(ordered[j], "A")) && ordered[i] != "" && ordered[j] != "" {
				continue
			}
			if got != want {
				t.Errorf("compareItems(%q, %q) = %d, want %d", ordered[i], ordered[j], got, want)
			}
		}
	}
}

func TestFilename(t *testing.T) {
	for _, c := range []struct{ org, ext, want string }{
		{"Rosewood Care Homes Ltd", "pdf", "handwash-evidence-rosewood-care-homes-ltd-2026-11-30.pdf"},
		{"St. Mary’s Surgery — Zoë 🙂", "html", "handwash-evidence-st-mary-s-surgery-zoe-2026-11-30.html"},
		{"../../etc/passwd", "pdf", "handwash-evidence-etc-passwd-2026-11-30.pdf"},
		{"", "pdf", "handwash-evidence-2026-11-30.pdf"},
	} {
		r := &Report{Org: handwash.Org{Name: c.org}, GeneratedAt: time.Date(2026, 11, 30, 23, 0, 0, 0, time.UTC)}
		if got := Filename(r, c.ext); got != c.want {
			t.Errorf("Filename(%q, %q) = %q, want %q", c.org, c.ext, got, c.want)
		}
	}
}

// The alerts are listed newest first with whether each clock was met.
func TestBuildAlerts(t *testing.T) {
	d, err := Build(fixture(t))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, a := range d.Alerts {
		got = append(got, a.Title+"|"+a.AckClock+"|"+a.FixClock)
	}
	want := []string{
		"Phishing emails claiming to be from the CQC|Met|Running",
		"SMBv1 switched off|Overdue|Running",
		"Operating system still gets security updates|Missed|Missed",
		"Critical flaw in VPN appliances|Met|Met",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("alerts:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if a := d.Alerts[3]; a.Acknowledged != "21 October 2026, 19:05 UTC, after 5 hours" || a.Closed != "24 October 2026, 14:05 UTC, after 3 days" {
		t.Errorf("VPN alert: acknowledged %q, closed %q", a.Acknowledged, a.Closed)
	}

	// At most 50, newest first, with the rest counted.
	r := fixture(t)
	r.Alerts = nil
	for i := range 60 {
		r.Alerts = append(r.Alerts, &handwash.Alert{ID: fmt.Sprintf("alr-%02d", i), Title: fmt.Sprintf("Alert %02d", i), Severity: handwash.SeverityHigh,
			OpenedAt: generatedAt.Add(-time.Duration(i) * time.Hour), AckDue: generatedAt.Add(time.Hour), FixDue: generatedAt.Add(time.Hour)})
	}
	d, err = Build(r)
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Alerts) != 50 || d.MoreAlerts != 10 || d.Alerts[0].Title != "Alert 00" || !strings.Contains(d.AlertsIntro(), "10 older ones") {
		t.Errorf("60 alerts: %d listed, %d more, first %q", len(d.Alerts), d.MoreAlerts, d.Alerts[0].Title)
	}
}

// The backup jobs are listed by name with where each stood when the
// report was made, and what a failing one last said, cleaned and clipped.
func TestBuildBackups(t *testing.T) {
	d, err := Build(fixture(t))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, b := range d.Backups {
		got = append(got, strings.Join([]string{b.Name, b.Every, b.Late, b.LastSuccess, b.State, fmt.Sprint(b.Failing), b.Detail}, "|"))
	}
	want := []string{
		"Care records to the cloud (Veeam)|1 day|may run 6 hours late|29 November 2026, 12:05 UTC|FAILED|true|" +
			"Its newest report was a failure, on 30 November 2026, 12:05 UTC. It said: “Job failed: the target disk is full 🙂”",
		"New laptop backup|1 day||Never|waiting for its first report|false|It should report its first success by 1 December 2026, 11:05 UTC.",
		"Nightly NAS backup (Synology Hyper Backup)|1 day|may run 2 hours late|30 November 2026, 02:05 UTC|working|false|",
		"Weekly server image|7 days|may run 1 day late|21 November 2026, 14:05 UTC|OVERDUE|true|It should have succeeded by 29 November 2026, 14:05 UTC.",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("backup rows (-want +got):\n%s", diff)
	}
	if d.FailingBackups != 2 || !strings.Contains(d.BackupsIntro(), "2 of the 4 jobs were failing or overdue") || !strings.Contains(d.BackupsIntro(), "7.3.4") {
		t.Errorf("%d failing; intro %q", d.FailingBackups, d.BackupsIntro())
	}

	// A job that failed and then stopped reporting is overdue, and says
	// what its failure said; text from the backup software is cleaned and
	// clipped; a nil job is skipped.
	r := small()
	failed := r.GeneratedAt.Add(-40 * time.Hour)
	success := r.GeneratedAt.Add(-50 * time.Hour)
	r.BackupJobs = []*handwash.BackupJob{nil, {ID: "j1", Name: " \x00" + strings.Repeat("n", 300), Every: 24 * time.Hour,
		LastSuccessAt: &success, LastFailureAt: &failed, LastMessage: "bell\x07 " + strings.Repeat("m", 2000)}}
	d, err = Build(r)
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Backups) != 1 {
		t.Fatalf("%d backup rows, want 1", len(d.Backups))
	}
	b := d.Backups[0]
	if b.State != "OVERDUE" || !b.Failing || b.Late != "" || !strings.Contains(b.Detail, "It should have succeeded by 29 November 2026, 10:00 UTC. Its newest report was a failure, on 28 November 2026, 20:00 UTC. It said: “bell\uFFFD mmm") {
		t.Errorf("failed then silent: %+v", b)
	}
	if n := len([]rune(b.Name)); n != maxName || !strings.HasPrefix(b.Name, "\uFFFDnnn") || !strings.HasSuffix(b.Name, "…") {
		t.Errorf("name of %d characters: %q", n, b.Name)
	}
	if n := len([]rune(b.Detail)); n > 3*maxText/2 {
		t.Errorf("detail of %d characters: the message is not clipped", n)
	}
	if d.BackupsIntro() == "" || !strings.Contains(d.BackupsIntro(), "This job was failing or overdue") {
		t.Errorf("intro for one failing job: %q", d.BackupsIntro())
	}

	r.BackupJobs = nil
	d, _ = Build(r)
	if len(d.Backups) != 0 || strings.Contains(d.BackupsIntro(), "below") {
		t.Errorf("no jobs: %d rows, intro %q", len(d.Backups), d.BackupsIntro())
	}
}

// The last verified restore comes from the devices' findings of the
// restore-test check, when there are any.
func TestBuildRestores(t *testing.T) {
	d, err := Build(fixture(t))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range d.Restores {
		got = append(got, fmt.Sprintf("%s|%s|%v|%s", r.Device, r.Result, r.Failing, r.Summary))
	}
	want := []string{
		`CARE-LT-07|Failed|true|The test restore from the backup folder on \\NAS\backup failed: 2 of 20 files came back different.`,
		"rosewood-files|Passed|false|20 files were restored from the restic backup on 18 November 2026 and all came back whole.",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("restore rows (-want +got):\n%s", diff)
	}

	// Only enrolled devices to which the check applies, the last finding of
	// each winning, summaries clipped; none at all without the check's
	// findings.
	r := small()
	restore := func(dev string, st handwash.Status, summary string) *handwash.DeviceFinding {
		return &handwash.DeviceFinding{DeviceID: dev, Finding: handwash.Finding{ControlID: restoreControl, Status: st, Summary: summary}}
	}
	d, _ = Build(r)
	if d.Restores != nil {
		t.Errorf("without restore findings: %v", d.Restores)
	}
	r.Findings = append(r.Findings, nil, restore("d9", handwash.StatusPass, "gone"), restore("d3", handwash.StatusFail, "first"),
		restore("d3", handwash.StatusUnknown, strings.Repeat("x", 2000)), restore("d1", handwash.StatusNotApplicable, "No backup to test."))
	d, _ = Build(r)
	got = nil
	for _, r := range d.Restores {
		got = append(got, fmt.Sprintf("%s|%s|%v|%d", r.Device, r.Result, r.Failing, len([]rune(r.Summary))))
	}
	if diff := cmp.Diff([]string{"charlie|Could not be checked|false|1000"}, got); diff != "" {
		t.Errorf("restore rows (-want +got):\n%s", diff)
	}
}

// The phishing table covers the newest 12 months, oldest first, with
// their totals and how many had no report.
func TestBuildPhishMonths(t *testing.T) {
	d, err := Build(fixture(t))
	if err != nil {
		t.Fatal(err)
	}
	if len(d.PhishMonths) != 12 || d.PhishMonths[0].Month != "December 2025" || d.PhishMonths[11].Month != "November 2026" {
		t.Fatalf("months: %+v", d.PhishMonths)
	}
	if got := d.PhishTotal; got != (PhishRow{Month: "Total", Reports: 29, Phishing: 8, Suspicious: 11}) {
		t.Errorf("total %+v", got)
	}
	if want := "In the last 12 months, staff reported 29 emails: 8 likely phishing and 11 suspicious. No email was reported in 2 of the 12 months."; d.PhishSummary() != want {
		t.Errorf("summary %q, want %q", d.PhishSummary(), want)
	}
	if !strings.Contains(d.PhishIntro(), "without blame") || !strings.Contains(d.PhishIntro(), "A month without reports usually means staff do not know how") {
		t.Errorf("intro %q", d.PhishIntro())
	}

	// Given out of order and more than 12, the newest 12 are listed.
	r := small()
	for i := range 14 {
		r.PhishMonths = append(r.PhishMonths, handwash.PhishMonth{Month: time.Date(2025, 10+time.Month(13-i), 1, 0, 0, 0, 0, time.UTC), Reports: 1})
	}
	d, _ = Build(r)
	if len(d.PhishMonths) != 12 || d.PhishMonths[0].Month != "December 2025" || d.PhishMonths[11].Month != "November 2026" || d.PhishTotal.Reports != 12 {
		t.Errorf("14 months out of order: %+v, total %+v", d.PhishMonths, d.PhishTotal)
	}

	for _, c := range []struct {
		months []handwash.PhishMonth
		want   string
	}{
		{nil, "No phishing reports have been counted for this organisation."},
		{[]handwash.PhishMonth{{Month: generatedAt}, {Month: generatedAt}}, "No email was reported in the last 2 months."},
		{[]handwash.PhishMonth{{Month: generatedAt, Reports: 1}}, "In the last month, staff reported 1 email: 0 likely phishing and 0 suspicious."},
	} {
		r.PhishMonths = c.months
		d, _ = Build(r)
		if got := d.PhishSummary(); got != c.want {
			t.Errorf("%d months: summary %q, want %q", len(c.months), got, c.want)
		}
	}
}

// findingLines returns finding rows as "ID|result|failing|summary" lines.
func findingLines(rows []FindingRow) []string {
	var out []string
	for _, r := range rows {
		out = append(out, fmt.Sprintf("%s|%s|%v|%s", r.ID, r.Result, r.Failing, r.Summary))
	}
	return out
}

// The cloud accounts section lists each service's import, Microsoft 365
// first, and the four findings of cloudimport, judged when the report was
// made; with nothing imported it has no findings.
func TestBuildCloud(t *testing.T) {
	d, err := Build(fixture(t))
	if err != nil {
		t.Fatal(err)
	}
	want := []CloudImportRow{
		{Service: "Microsoft 365", Imported: "18 November 2026", By: "jane@rosewood.example", Accounts: 6},
		{Service: "Google Workspace", Imported: "16 October 2026", By: "zoe@rosewood.example", Accounts: 2},
	}
	if diff := cmp.Diff(want, d.CloudImports); diff != "" {
		t.Errorf("imports (-want +got):\n%s", diff)
	}
	wantFindings := []string{
		"passwords.cloud-admin-mfa|Failed|true|1 administrator account can sign in with a password alone: it.support@rosewood.example.",
		"passwords.cloud-user-mfa|Failed|true|2 of the 6 accounts that can sign in have no MFA: it.support@rosewood.example and night.nurse@rosewood.example.",
		"passwords.cloud-shared-sign-in|Failed|true|1 shared mailbox can be signed in to directly, with a password nobody owns: office@rosewood.example.",
		"passwords.cloud-import-fresh|Failed|true|The Google Workspace list was imported 45 days ago (16 October 2026); it should be no more than 30 days old, so new starters' and leavers' accounts may be missing from these findings.",
	}
	if diff := cmp.Diff(wantFindings, findingLines(d.CloudFindings)); diff != "" {
		t.Errorf("findings (-want +got):\n%s", diff)
	}
	if d.CloudFindings[0].Title != "Every cloud administrator signs in with MFA" {
		t.Errorf("title %q", d.CloudFindings[0].Title)
	}
	for _, w := range []string{"A7.16", "A7.17", "4.5.3", "outright"} {
		if !strings.Contains(d.CloudIntro(), w) {
			t.Errorf("intro lacks %q: %q", w, d.CloudIntro())
		}
	}
	if !strings.Contains(d.CloudNone(), "Cloud accounts page") {
		t.Errorf("no-import text %q", d.CloudNone())
	}

	// Names from an export are cleaned and clipped, and the findings are
	// judged at GeneratedAt, not by the clock.
	r := small()
	no := false
	r.CloudAccounts = []handwash.CloudAccount{{Source: handwash.AccountsGoogle, Email: "a\x00\n\n" + strings.Repeat("b", 2000) + "@x.example", MFA: &no}}
	r.CloudImports = []handwash.CloudImport{{Source: handwash.AccountsGoogle, ImportedAt: r.GeneratedAt.Add(-time.Hour), ImportedBy: "Ann\tAdmin\x07", Accounts: 1}}
	d, _ = Build(r)
	if got := d.CloudImports; len(got) != 1 || got[0].By != "Ann Admin\uFFFD" {
		t.Errorf("imports %+v", got)
	}
	if got := findingLines(d.CloudFindings); len(got) != 4 || !strings.HasPrefix(got[3], "passwords.cloud-import-fresh|Passed|false|The Google Workspace list was imported today") {
		t.Errorf("findings %q", got)
	}
	if f := d.CloudFindings[1]; f.Result != "Failed" || len([]rune(f.Summary)) != maxText || !strings.HasPrefix(f.Summary, "The one account that can sign in has no MFA: a\uFFFD bbb") || !strings.HasSuffix(f.Summary, "…") {
		t.Errorf("user finding not cleaned or clipped: %q…, %d characters", f.Summary[:min(len(f.Summary), 60)], len([]rune(f.Summary)))
	}

	r.CloudAccounts, r.CloudImports = nil, nil
	d, _ = Build(r)
	if d.CloudImports != nil || d.CloudFindings != nil {
		t.Errorf("nothing imported: %+v, %+v", d.CloudImports, d.CloudFindings)
	}
}

// The phones and tablets section counts the devices from each source, MDMs
// first, and lists the four findings of mdmimport, with the end-of-life
// data the Report gives or, without it, whether a system is supported not
// known.
func TestBuildMobile(t *testing.T) {
	d, err := Build(fixture(t))
	if err != nil {
		t.Fatal(err)
	}
	want := []MobileSourceRow{{"Microsoft Intune", 2}, {"Jamf Pro", 1}, {"Entered by hand", 1}}
	if diff := cmp.Diff(want, d.MobileSources); diff != "" || d.MobileTotal != 4 {
		t.Errorf("sources (-want +got):\n%s; total %d", diff, d.MobileTotal)
	}
	wantFindings := []string{
		"devices.mobile-os-supported|Failed|true|2 phones or tablets run a system that no longer gets security updates: Samsung SM-A145R (Night Carer) on Android 12 and iPhone 8 (Zoë Müller) on iOS 16.7.10. Support ends soon for iPhone 13 (Jo Bloggs) on iOS 17.6.1: plan to update or replace it.",
		"devices.mobile-passcode|Could not be checked|false|Whether a passcode is set is not known for Samsung SM-A145R (Night Carer) and iPhone 13 (Jo Bloggs) (Microsoft Intune's export does not say whether a passcode is set).",
		"devices.mobile-wipe|Failed|true|1 phone or tablet cannot be locked or wiped remotely if lost or stolen: iPhone 8 (Zoë Müller).",
		"devices.mobile-seen-recently|Failed|true|1 phone or tablet has not checked in for more than 30 days: Samsung SM-A145R (Night Carer) (last 21 October 2026).",
	}
	if diff := cmp.Diff(wantFindings, findingLines(d.MobileFindings)); diff != "" {
		t.Errorf("findings (-want +got):\n%s", diff)
	}
	for _, w := range []string{"NCSC", "PIN", "tracked, locked or wiped", "up to date"} {
		if !strings.Contains(d.PhonesIntro(), w) {
			t.Errorf("intro lacks %q: %q", w, d.PhonesIntro())
		}
	}
	if !strings.Contains(d.PhonesNone(), "Phones and tablets page") {
		t.Errorf("no-devices text %q", d.PhonesNone())
	}

	// Without end-of-life data, support is not known; nil devices are
	// skipped; self-checks and unknown sources are counted after the MDMs.
	r := fixture(t)
	r.MobileSupport = nil
	r.MobileDevices = append(r.MobileDevices, nil,
		&handwash.MobileDevice{ID: "mob-5", Source: handwash.MobileSelfCheck, Owner: "Ann", Model: "Pixel 8", OS: "android", OSVersion: "15"},
		&handwash.MobileDevice{ID: "mob-6", Source: "other\x00mdm", Owner: "Bob", Model: "Pixel 9", OS: "android", OSVersion: "16"})
	d, _ = Build(r)
	want = []MobileSourceRow{{"Microsoft Intune", 2}, {"Jamf Pro", 1}, {"Entered by hand", 1}, {"Staff self-check", 1}, {"other\uFFFDmdm", 1}}
	if diff := cmp.Diff(want, d.MobileSources); diff != "" || d.MobileTotal != 6 {
		t.Errorf("sources (-want +got):\n%s; total %d", diff, d.MobileTotal)
	}
	if f := d.MobileFindings[0]; f.Result != "Could not be checked" || !strings.HasPrefix(f.Summary, "Whether the system is still supported is not known for ") {
		t.Errorf("without end-of-life data: %+v", f)
	}

	r.MobileDevices = []*handwash.MobileDevice{nil}
	d, _ = Build(r)
	if d.MobileSources != nil || d.MobileTotal != 0 || d.MobileFindings != nil {
		t.Errorf("no devices: %+v, %d, %+v", d.MobileSources, d.MobileTotal, d.MobileFindings)
	}
}
