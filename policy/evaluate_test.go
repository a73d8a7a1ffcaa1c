package policy

import (
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/handwash/handwash"
)

// testCatalogue is a small catalogue that exercises the evaluator.
func testCatalogue(t *testing.T) *Catalogue {
	t.Helper()
	controls := `
- id: malware.fw
  area: malware
  severity: critical
  title: Firewall on
  checks: c
  why: w.
  pass: size(facts.firewall.profiles) > 0 && facts.firewall.profiles.all(p, has(p.enabled) && p.enabled)
  message: "'off: ' + facts.firewall.profiles.filter(p, !(has(p.enabled) && p.enabled)).map(p, p.name).join(', ')"
  evidence: [{label: Firewall, expr: facts.firewall.product}]
  fix: {windows: w, macos: m, linux: l}
  references: [{scheme: ce, text: t}]
- id: malware.rdp
  area: malware
  severity: medium
  title: RDP off
  checks: c
  why: w.
  platforms: [windows]
  pass: "!facts.remote_access.rdp.enabled"
  evidence: [{label: RDP, expr: facts.remote_access.rdp.enabled}]
  fix: {windows: w}
  references: [{scheme: ce, text: t}]
- id: devices.lock
  area: devices
  severity: high
  title: Screen lock
  checks: c
  why: w.
  applies: facts.device.graphical
  pass: facts.screen_lock.enabled && facts.screen_lock.idle_seconds <= 900
  evidence: [{label: Idle, expr: facts.screen_lock.idle_seconds}]
  fix: {windows: w, macos: m, linux: l}
  references: [{scheme: ce, text: t}]
- id: updates.supported
  area: updates
  severity: critical
  title: OS supported
  checks: c
  why: w.
  pass: "!os_support.ended && (!os_support.announced || now < os_support.ends)"
  evidence: [{label: Product, expr: os_support.product}]
  fix: {windows: w, macos: m, linux: l}
  references: [{scheme: ce, text: t}]
- id: backup.recent
  area: backup
  severity: low
  title: Backup recent
  checks: c
  why: w.
  pass: facts.backup.tools.exists(t, has(t.last_success) && now - t.last_success <= duration('24h'))
  evidence: [{label: Tools, expr: "facts.backup.tools.map(t, t.name)"}]
  fix: {windows: w, macos: m, linux: l}
  references: [{scheme: ce, text: t}]
`
	c, err := Load(fstest.MapFS{
		"controls/catalogue.yaml": {Data: []byte("version: t1\n")},
		"controls/all.yaml":       {Data: []byte(controls)},
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

var now = time.Date(2026, 11, 20, 9, 30, 0, 0, time.UTC)

func yes() *bool   { b := true; return &b }
func no() *bool    { b := false; return &b }
func n(i int) *int { return &i }

func statuses(a *handwash.Assessment) map[string]handwash.Status {
	m := map[string]handwash.Status{}
	for _, f := range a.Findings {
		m[f.ControlID] = f.Status
	}
	return m
}

func finding(a *handwash.Assessment, id string) handwash.Finding {
	for _, f := range a.Findings {
		if f.ControlID == id {
			return f
		}
	}
	return handwash.Finding{}
}

func TestEvaluateStatuses(t *testing.T) {
	c := testCatalogue(t)
	last := now.Add(-2 * time.Hour)
	f := &handwash.Facts{
		Device:     handwash.DeviceInfo{Platform: handwash.PlatformWindows, Graphical: yes()},
		OS:         &handwash.OSFacts{Name: "Windows 11 Pro", ID: "windows", Build: "26200", Edition: "Professional", Version: "10.0.26200"},
		Firewall:   &handwash.FirewallFacts{Product: "Windows Defender Firewall", Profiles: []handwash.FirewallProfile{{Name: "domain", Enabled: yes()}, {Name: "public", Enabled: no()}}},
		ScreenLock: &handwash.ScreenLockFacts{Enabled: yes(), IdleSeconds: n(300)},
		Backup:     &handwash.BackupFacts{Tools: []handwash.BackupTool{{Name: "File History", LastSuccess: &last}}},
	}
	f.AddMissing("remote_access", handwash.ReasonNeedsAdmin, "no access")
	a := c.Evaluate(f, Options{Now: now})
	want := map[string]handwash.Status{
		"malware.fw":        handwash.StatusFail,
		"malware.rdp":       handwash.StatusUnknown,
		"devices.lock":      handwash.StatusPass,
		"updates.supported": handwash.StatusPass,
		"backup.recent":     handwash.StatusPass,
	}
	if diff := cmp.Diff(want, statuses(a)); diff != "" {
		t.Errorf("statuses (-want +got):\n%s", diff)
	}
	if got := finding(a, "malware.fw").Summary; got != "off: public" {
		t.Errorf("message = %q", got)
	}
	rdp := finding(a, "malware.rdp")
	wantMissing := []handwash.Missing{{Fact: "remote_access", Reason: handwash.ReasonNeedsAdmin, Detail: "no access"}}
	if diff := cmp.Diff(wantMissing, rdp.Missing); diff != "" {
		t.Errorf("missing (-want +got):\n%s", diff)
	}
	if !strings.Contains(rdp.Summary, "administrator") {
		t.Errorf("unknown summary %q does not explain the reason", rdp.Summary)
	}
	if rdp.Fix != "w" || rdp.Why != "w." {
		t.Errorf("unknown finding lacks why/fix: %+v", rdp)
	}
	if fw := finding(a, "malware.fw"); fw.Evidence[0].Value != "Windows Defender Firewall" {
		t.Errorf("evidence = %+v", fw.Evidence)
	}
	if p := finding(a, "devices.lock"); p.Why != "" || p.Fix != "" {
		t.Error("passing findings should not repeat why and fix")
	}
}

func TestEvaluateNotApplicable(t *testing.T) {
	c := testCatalogue(t)
	f := &handwash.Facts{Device: handwash.DeviceInfo{Platform: handwash.PlatformLinux, Graphical: no()}}
	a := c.Evaluate(f, Options{Now: now})
	got := statuses(a)
	if got["malware.rdp"] != handwash.StatusNotApplicable {
		t.Errorf("windows-only control on linux: %s", got["malware.rdp"])
	}
	if got["devices.lock"] != handwash.StatusNotApplicable {
		t.Errorf("screen lock on a headless machine: %s", got["devices.lock"])
	}
	// Nothing observed: unknown, with the reason that no collector said
	// anything, and OS support unknown because there is no OS.
	if got["malware.fw"] != handwash.StatusUnknown || got["updates.supported"] != handwash.StatusUnknown {
		t.Errorf("statuses = %v", got)
	}
	if m := finding(a, "malware.fw").Missing; len(m) != 1 || m[0].Reason != handwash.ReasonNotCollected {
		t.Errorf("missing = %+v", m)
	}
	if m := finding(a, "updates.supported").Missing; len(m) != 1 || m[0].Fact != "os_support" {
		t.Errorf("missing = %+v", m)
	}
}

func TestEvaluateOSSupport(t *testing.T) {
	c := testCatalogue(t)
	cases := []struct {
		name string
		os   handwash.OSFacts
		want handwash.Status
	}{
		{"windows 11 25H2 pro", handwash.OSFacts{ID: "windows", Build: "26200", Edition: "Professional"}, handwash.StatusPass},
		{"windows 11 24H2 pro ended 13 Oct 2026", handwash.OSFacts{ID: "windows", Build: "26100", Edition: "Professional"}, handwash.StatusFail},
		{"windows 11 24H2 enterprise", handwash.OSFacts{ID: "windows", Build: "26100", Edition: "Enterprise"}, handwash.StatusPass},
		{"windows 10 22H2", handwash.OSFacts{ID: "windows", Build: "19045", Edition: "Professional"}, handwash.StatusFail},
		{"windows 10 LTSC 2021", handwash.OSFacts{ID: "windows", Build: "19044", Edition: "EnterpriseS"}, handwash.StatusPass},
		{"macos 13", handwash.OSFacts{ID: "macos", Version: "13.7.8"}, handwash.StatusFail},
		{"macos 15", handwash.OSFacts{ID: "macos", Version: "15.7.2"}, handwash.StatusPass},
		{"debian 11 standard support over", handwash.OSFacts{ID: "debian", Version: "11"}, handwash.StatusFail},
		{"ubuntu 24.04", handwash.OSFacts{ID: "ubuntu", Version: "24.04"}, handwash.StatusPass},
		{"unknown distro, declared end", handwash.OSFacts{ID: "exotic", Version: "1", SupportEnd: ptrTime(now.AddDate(0, 0, -1))}, handwash.StatusFail},
		{"unknown distro", handwash.OSFacts{ID: "exotic", Version: "1"}, handwash.StatusUnknown},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			platform := handwash.PlatformLinux
			switch tc.os.ID {
			case "windows":
				platform = handwash.PlatformWindows
			case "macos":
				platform = handwash.PlatformMacOS
			}
			os := tc.os
			f := &handwash.Facts{Device: handwash.DeviceInfo{Platform: platform}, OS: &os}
			got := finding(c.Evaluate(f, Options{Now: now}), "updates.supported")
			if got.Status != tc.want {
				t.Errorf("status = %s, want %s (%+v)", got.Status, tc.want, got.Evidence)
			}
		})
	}
}

func ptrTime(t time.Time) *time.Time { return &t }

func TestExceptionsApplyAndExpire(t *testing.T) {
	c := testCatalogue(t)
	f := &handwash.Facts{
		Device:   handwash.DeviceInfo{Platform: handwash.PlatformWindows, Hostname: "RECEPTION-PC"},
		Firewall: &handwash.FirewallFacts{Profiles: []handwash.FirewallProfile{{Name: "public", Enabled: no()}}},
	}
	f.AddMissing("remote_access", handwash.ReasonNeedsAdmin, "")
	ex := []handwash.Exception{
		{Control: "malware.fw", Device: "reception-pc", Reason: "r", Owner: "o", Expires: now.Add(time.Hour)},
		{Control: "malware.rdp", Reason: "r", Owner: "o", Expires: now.Add(-time.Hour)},
		{Control: "devices.lock", Device: "OTHER-PC", Reason: "r", Owner: "o", Expires: now.Add(time.Hour)},
	}
	a := c.Evaluate(f, Options{Now: now, Exceptions: ex})
	fw := finding(a, "malware.fw")
	if fw.Status != handwash.StatusExcepted || fw.Exception == nil || fw.Exception.Expired {
		t.Errorf("current exception: %+v", fw)
	}
	rdp := finding(a, "malware.rdp")
	if rdp.Status != handwash.StatusUnknown || rdp.Exception == nil || !rdp.Exception.Expired {
		t.Errorf("expired exception: %+v", rdp)
	}
	if lock := finding(a, "devices.lock"); lock.Exception != nil {
		t.Errorf("exception for another device applied: %+v", lock)
	}
	for _, id := range a.FixFirst {
		if id == "malware.fw" {
			t.Error("an excepted failure is in the fix-first list")
		}
	}
}

func TestScoresAndFixFirst(t *testing.T) {
	c := testCatalogue(t)
	f := &handwash.Facts{
		Device:       handwash.DeviceInfo{Platform: handwash.PlatformWindows, Graphical: yes()},
		OS:           &handwash.OSFacts{ID: "windows", Build: "19045", Edition: "Professional"},
		Firewall:     &handwash.FirewallFacts{Profiles: []handwash.FirewallProfile{{Name: "public", Enabled: no()}}},
		RemoteAccess: &handwash.RemoteAccessFacts{RDP: &handwash.RDPFacts{Enabled: yes()}},
		ScreenLock:   &handwash.ScreenLockFacts{Enabled: yes(), IdleSeconds: n(60)},
		Backup:       &handwash.BackupFacts{Tools: []handwash.BackupTool{}},
	}
	a := c.Evaluate(f, Options{Now: now})
	// fw critical fail, rdp medium fail, lock high pass, supported critical
	// fail (Windows 10 without ESU), backup low fail.
	wantFix := []string{"malware.fw", "updates.supported", "malware.rdp", "backup.recent"}
	if diff := cmp.Diff(wantFix, a.FixFirst); diff != "" {
		t.Errorf("fix first (-want +got):\n%s", diff)
	}
	if a.Overall.Earned != 6 || a.Overall.Max != 10+3+6+10+1 || a.Overall.Value != 20 {
		t.Errorf("overall = %+v", a.Overall)
	}
	for _, s := range a.Areas {
		if s.Area == handwash.AreaPeople && (s.Assessed || s.Value != -1) {
			t.Errorf("people area = %+v, want not assessed", s)
		}
		if s.Area == handwash.AreaDevices && s.Value != 100 {
			t.Errorf("devices area = %+v", s)
		}
	}
}

func TestCompareVersions(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want int
	}{{"15.7.2", "15.7", 1}, {"15.7", "15.7.0", 0}, {"10.15", "11", -1}, {"26.1", "26.0.9", 1}, {"1.a", "1.b", -1}} {
		if got := compareVersions(tc.a, tc.b); got != tc.want {
			t.Errorf("compareVersions(%q, %q) = %d, want %d", tc.a, tc.b, got, tc.want)
		}
	}
}
