package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/handwash/handwash"
	"github.com/handwash/handwash/policy"
	"github.com/handwash/handwash/schema"
)

// The recorded Facts were collected on 20 November 2026; judge them then.
func TestMain(m *testing.M) {
	now = func() time.Time { return time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC) }
	os.Exit(m.Run())
}

// handwashRun runs the program as a user would, returning its exit code and output.
func handwashRun(t *testing.T, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(context.Background(), args, strings.NewReader(stdin), &out, &errb)
	return code, out.String(), errb.String()
}

const (
	windowsNeglected = "../../collect/testdata/windows/neglected.facts.json"
	windowsWellKept  = "../../collect/testdata/windows/well-kept.facts.json"
	macosWellKept    = "../../collect/testdata/macos/well-kept.facts.json"
)

func decodeAssessment(t *testing.T, s string) *handwash.Assessment {
	t.Helper()
	var a handwash.Assessment
	if err := json.Unmarshal([]byte(s), &a); err != nil {
		t.Fatalf("output is not an assessment: %v\n%s", err, s)
	}
	return &a
}

func TestCheckThisMachine(t *testing.T) {
	code, out, errOut := handwashRun(t, "", "check", "--format", "json")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	a := decodeAssessment(t, out)
	if a.Schema != handwash.AssessmentSchema || len(a.Findings) < 45 || a.CatalogueVersion == "" {
		t.Errorf("assessment: schema %q, %d findings, catalogue %q", a.Schema, len(a.Findings), a.CatalogueVersion)
	}
	if a.Device.Platform != handwash.Platform(collectPlatform()) {
		t.Errorf("platform = %s", a.Device.Platform)
	}
	for _, ar := range a.Areas {
		if ar.Area == handwash.AreaPeople && ar.Assessed {
			t.Error("people area counted as assessed")
		}
	}
}

func TestCheckTextReport(t *testing.T) {
	code, out, errOut := handwashRun(t, "", "check", "--facts", windowsNeglected)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{"Overall score:", "Fix these first", "How to fix it on Windows:", "Why it matters:", "People and process", "not assessed yet"} {
		if !strings.Contains(out, want) {
			t.Errorf("text report lacks %q", want)
		}
	}
}

// Saved Facts from another platform are judged exactly as the evaluator
// judges them directly.
func TestCheckSavedFactsFromAnyPlatform(t *testing.T) {
	for _, file := range []string{windowsNeglected, macosWellKept} {
		b, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		code, out, errOut := handwashRun(t, string(b), "check", "--facts", "-", "--format", "json")
		if code != exitOK {
			t.Fatalf("%s: exit %d: %s", file, code, errOut)
		}
		got := decodeAssessment(t, out)
		f, err := schema.DecodeFacts(bytes.NewReader(b), file)
		if err != nil {
			t.Fatal(err)
		}
		cat, _ := policy.Default()
		want := cat.Evaluate(f, policy.Options{Now: got.EvaluatedAt})
		if len(got.Findings) != len(want.Findings) {
			t.Fatalf("%d findings, want %d", len(got.Findings), len(want.Findings))
		}
		for i := range want.Findings {
			if got.Findings[i].ControlID != want.Findings[i].ControlID || got.Findings[i].Status != want.Findings[i].Status {
				t.Errorf("%s: %s = %s, want %s", file, got.Findings[i].ControlID, got.Findings[i].Status, want.Findings[i].Status)
			}
		}
		if got.Device.Platform != f.Device.Platform {
			t.Errorf("platform %s, want %s", got.Device.Platform, f.Device.Platform)
		}
	}
}

func TestCollectPrintsValidFacts(t *testing.T) {
	code, out, errOut := handwashRun(t, "", "collect")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if _, err := schema.DecodeFacts(strings.NewReader(out), "collect output"); err != nil {
		t.Fatalf("collect printed Facts that do not validate: %v", err)
	}
	// And they can be judged.
	code, _, errOut = handwashRun(t, out, "check", "--facts", "-")
	if code != exitOK {
		t.Fatalf("check --facts -: exit %d: %s", code, errOut)
	}
}

func TestFailOn(t *testing.T) {
	cases := []struct {
		file, failOn string
		want         int
	}{
		{windowsNeglected, "critical", exitFindings},
		{windowsNeglected, "high", exitFindings},
		{windowsWellKept, "high", exitOK},
		{windowsWellKept, "medium", exitFindings}, // "Choose where to get apps" is Anywhere
		{windowsWellKept, "", exitOK},
	}
	for _, tc := range cases {
		args := []string{"check", "--facts", tc.file, "--format", "json"}
		if tc.failOn != "" {
			args = append(args, "--fail-on", tc.failOn)
		}
		code, out, errOut := handwashRun(t, "", args...)
		if code != tc.want {
			t.Errorf("%s --fail-on %q: exit %d, want %d (%s)", filepath.Base(tc.file), tc.failOn, code, tc.want, errOut)
		}
		decodeAssessment(t, out) // the report is printed whatever the exit code
		if code == exitFindings && !strings.Contains(errOut, "at or above "+tc.failOn) {
			t.Errorf("stderr %q does not say why it failed", errOut)
		}
	}
}

func TestBadInputExitsTwoAndChangesNothing(t *testing.T) {
	dir := t.TempDir()
	truncated := filepath.Join(dir, "truncated.json")
	b, _ := os.ReadFile(windowsWellKept)
	os.WriteFile(truncated, b[:len(b)/2], 0o644)
	badConfig := filepath.Join(dir, "handwash.yaml")
	os.WriteFile(badConfig, []byte("exceptions:\n  - control: malware.no-such-thing\n    reason: r\n    owner: o\n    expires: 2027-01-01\n"), 0o644)
	report := filepath.Join(dir, "report.html")

	cases := []struct {
		name string
		args []string
		want string
	}{
		{"unknown format", []string{"check", "--format", "yaml", "--output", report}, `unknown --format "yaml"`},
		{"unknown fail-on", []string{"check", "--fail-on", "severe", "--output", report}, `--fail-on: unknown severity "severe"`},
		{"missing facts file", []string{"check", "--facts", filepath.Join(dir, "nope.json"), "--output", report}, "nope.json does not exist"},
		{"truncated facts", []string{"check", "--facts", truncated, "--output", report}, "truncated.json: line "},
		{"bad exceptions", []string{"check", "--facts", windowsWellKept, "--config", badConfig, "--output", report}, `no control has the ID "malware.no-such-thing"`},
		{"missing config", []string{"check", "--config", filepath.Join(dir, "none.yaml"), "--output", report}, "none.yaml does not exist"},
		{"unknown control", []string{"check", "--explain", "updates.nothing", "--output", report}, `no control has the ID "updates.nothing"`},
		{"unknown flag", []string{"check", "--colour"}, "unknown flag: --colour"},
		{"unknown command", []string{"chek"}, `unknown command "chek"`},
		{"stray argument", []string{"check", "now"}, `unknown command "now"`},
		{"collect argument", []string{"collect", "facts.json"}, `unknown command "facts.json"`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errOut := handwashRun(t, "", tc.args...)
			if code != exitUsage {
				t.Errorf("exit %d, want %d; stderr %q", code, exitUsage, errOut)
			}
			if !strings.Contains(errOut, tc.want) {
				t.Errorf("stderr %q does not contain %q", errOut, tc.want)
			}
			if out != "" {
				t.Errorf("printed a report on bad input: %.200s", out)
			}
			if _, err := os.Stat(report); err == nil {
				t.Error("wrote the report file on bad input")
			}
			if entries, _ := os.ReadDir(dir); len(entries) != 2 {
				t.Errorf("left files behind: %v", entries)
			}
		})
	}
}

func TestHTMLReportFile(t *testing.T) {
	out := filepath.Join(t.TempDir(), "report.html")
	code, stdout, errOut := handwashRun(t, "", "check", "--facts", windowsNeglected, "--format", "html", "--output", out)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if stdout != "" {
		t.Errorf("printed to stdout as well as the file")
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	page := string(b)
	if !strings.HasPrefix(page, "<!DOCTYPE html>") || !strings.Contains(page, "<svg") || strings.Contains(page, "<script") {
		t.Errorf("not a self-contained report: %.200s", page)
	}
	if !strings.Contains(errOut, "Report written to") {
		t.Errorf("stderr %q does not say where the report is", errOut)
	}
}

func TestExplain(t *testing.T) {
	code, out, errOut := handwashRun(t, "", "check", "--facts", windowsNeglected, "--explain", "updates.smbv1-off")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{"updates.smbv1-off", "What it checks", "References", "NAO", "On this device: FAIL", "Evidence", "SMBv1 file sharing (server): yes", "On Windows:", "On macOS:", "On Linux:"} {
		if !strings.Contains(out, want) {
			t.Errorf("explain lacks %q:\n%s", want, out)
		}
	}
}

func TestExceptionsFromConfig(t *testing.T) {
	dir := t.TempDir()
	config := filepath.Join(dir, "handwash.yaml")
	os.WriteFile(config, []byte(`exceptions:
  - control: updates.smbv1-off
    reason: The old X-ray viewer needs it until it is replaced in March.
    owner: Practice manager
    expires: 2099-03-31
  - control: malware.firewall-on
    reason: Was waiting for the IT provider.
    owner: Practice manager
    expires: 2020-01-31
`), 0o644)
	code, out, errOut := handwashRun(t, "", "check", "--facts", windowsNeglected, "--config", config, "--format", "json")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	a := decodeAssessment(t, out)
	for _, f := range a.Findings {
		switch f.ControlID {
		case "updates.smbv1-off":
			if f.Status != handwash.StatusExcepted || f.Exception == nil || f.Exception.Owner != "Practice manager" {
				t.Errorf("smbv1: %+v", f)
			}
		case "malware.firewall-on":
			if f.Status != handwash.StatusFail || f.Exception == nil || !f.Exception.Expired {
				t.Errorf("firewall: %+v", f)
			}
		}
	}
	_, text, _ := handwashRun(t, "", "check", "--facts", windowsNeglected, "--config", config)
	text = strings.Join(strings.Fields(text), " ")
	if !strings.Contains(text, "expired on 31 January 2020") || !strings.Contains(text, "accepted by Practice manager") {
		t.Errorf("text report does not describe the exceptions:\n%s", text)
	}
}

func TestHelpDocumentsExitCodes(t *testing.T) {
	for _, cmd := range []string{"check", "collect", "serve", "admin"} {
		code, out, _ := handwashRun(t, "", cmd, "--help")
		if code != exitOK || !strings.Contains(out, "Exit codes:") || !strings.Contains(out, "2  usage or input error") {
			t.Errorf("%s --help (exit %d) does not document exit codes:\n%s", cmd, code, out)
		}
		// Only check judges against a severity.
		if hasFailOn := strings.Contains(out, "--fail-on"); hasFailOn != (cmd == "check") {
			t.Errorf("%s --help mentions --fail-on: %v", cmd, hasFailOn)
		}
	}
}

func TestVersion(t *testing.T) {
	code, out, _ := handwashRun(t, "", "version")
	if code != exitOK || !strings.Contains(out, "controls ") || !strings.Contains(out, handwash.FactsSchema) {
		t.Errorf("version: exit %d\n%s", code, out)
	}
}

// TestCheckSettingsFromConfig: the settings block of handwash.yaml sets how
// old the newest backup may be; a value Handwash cannot use stops the check
// with exit code 2, naming the line and what to write, before anything is
// judged or written.
func TestCheckSettingsFromConfig(t *testing.T) {
	dir := t.TempDir()
	// The well-kept Windows laptop, with a backup that last ran 30 hours
	// before the check, verified by the agent 2 days ago from a share this
	// laptop could delete.
	b, err := os.ReadFile(windowsWellKept)
	if err != nil {
		t.Fatal(err)
	}
	var f handwash.Facts
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatal(err)
	}
	last, verifiedAt, yes := now().Add(-30*time.Hour), now().Add(-48*time.Hour), true
	f.Backup.Tools[0].LastSuccess = &last
	f.Backup.Verifications = []handwash.BackupVerification{{Kind: "folder", Location: `\\NAS\backup\office`, VerifiedAt: verifiedAt,
		RestoreOK: &yes, FilesRestored: 20, CanDelete: &yes}}
	factsFile := filepath.Join(dir, "facts.json")
	b, _ = json.Marshal(&f)
	os.WriteFile(factsFile, b, 0o644)

	check := func(t *testing.T, config string) (code int, a *handwash.Assessment, errOut string) {
		t.Helper()
		args := []string{"check", "--facts", factsFile, "--format", "json"}
		if config != "" {
			path := filepath.Join(dir, "handwash.yaml")
			os.WriteFile(path, []byte(config), 0o644)
			t.Cleanup(func() { os.Remove(path) })
			args = append(args, "--config", path)
		}
		code, out, errOut := handwashRun(t, "", args...)
		if code == exitOK {
			a = decodeAssessment(t, out)
		} else if out != "" {
			t.Errorf("printed a report with exit %d: %.200s", code, out)
		}
		return code, a, errOut
	}
	finding := func(t *testing.T, a *handwash.Assessment, id string) handwash.Finding {
		t.Helper()
		for _, fd := range a.Findings {
			if fd.ControlID == id {
				return fd
			}
		}
		t.Fatalf("no finding for %s", id)
		return handwash.Finding{}
	}

	t.Run("default", func(t *testing.T) {
		code, a, errOut := check(t, "")
		if code != exitOK {
			t.Fatalf("exit %d: %s", code, errOut)
		}
		fd := finding(t, a, "backup.recent")
		if fd.Status != handwash.StatusFail || !strings.Contains(fd.Summary, "finished 30 hours ago; it should be no more than 24 hours old") {
			t.Errorf("backup.recent: %s %q", fd.Status, fd.Summary)
		}
		// The agent's verification is judged too.
		if fd := finding(t, a, "backup.restore-tested"); fd.Status != handwash.StatusPass {
			t.Errorf("backup.restore-tested: %s %q", fd.Status, fd.Summary)
		}
		if fd := finding(t, a, "backup.verified-protected"); fd.Status != handwash.StatusFail || !strings.Contains(fd.Summary, `\\NAS\backup\office (folder)`) {
			t.Errorf("backup.verified-protected: %s %q", fd.Status, fd.Summary)
		}
	})
	t.Run("48 hours", func(t *testing.T) {
		code, a, errOut := check(t, "settings:\n  backup_max_age: 48h\n")
		if code != exitOK {
			t.Fatalf("exit %d: %s", code, errOut)
		}
		fd := finding(t, a, "backup.recent")
		if fd.Status != handwash.StatusPass {
			t.Errorf("backup.recent: %s %q", fd.Status, fd.Summary)
		}
		if e := fd.Evidence[len(fd.Evidence)-1]; e.Label != "Age limit" || e.Value != "2 days" {
			t.Errorf("evidence %+v, want the age limit of 2 days", e)
		}
	})
	t.Run("12 hours, with exceptions", func(t *testing.T) {
		code, a, errOut := check(t, `settings:
  backup_max_age: 12h
exceptions:
  - control: backup.verified-protected
    reason: The NAS is replaced by an append-only backup server in January.
    owner: Registered manager
    expires: 2099-01-31
`)
		if code != exitOK {
			t.Fatalf("exit %d: %s", code, errOut)
		}
		if fd := finding(t, a, "backup.recent"); fd.Status != handwash.StatusFail || !strings.Contains(fd.Summary, "no more than 12 hours old") {
			t.Errorf("backup.recent: %s %q", fd.Status, fd.Summary)
		}
		if fd := finding(t, a, "backup.verified-protected"); fd.Status != handwash.StatusExcepted {
			t.Errorf("backup.verified-protected: %s, want the exception to apply", fd.Status)
		}
	})

	report := filepath.Join(dir, "report.html")
	for _, tc := range []struct{ name, config, want string }{
		{"words", "settings:\n  backup_max_age: 2 days\n",
			`handwash.yaml: line 2: settings, field "backup_max_age": "2 days" is not a length of time Handwash can read: write it in hours with an h, such as 48h`},
		{"too short", "# shorter than an hour\nsettings:\n  backup_max_age: 30m\n",
			`handwash.yaml: line 3: settings, field "backup_max_age": "30m" is too short: give at least 1h and at most 744h (31 days)`},
		{"too long", "settings:\n  backup_max_age: 800h\n", `"800h" is too long: give at least 1h and at most 744h (31 days)`},
		{"no value", "settings:\n  backup_max_age:\n", `line 2: settings, field "backup_max_age": empty`},
		{"misspelt", "settings:\n  backup_max_ag: 48h\n", `handwash.yaml: line 2, column 3: unknown field "backup_max_ag"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(dir, "handwash.yaml")
			os.WriteFile(path, []byte(tc.config), 0o644)
			defer os.Remove(path)
			code, out, errOut := handwashRun(t, "", "check", "--facts", factsFile, "--config", path, "--output", report)
			if code != exitUsage {
				t.Errorf("exit %d, want %d; stderr %q", code, exitUsage, errOut)
			}
			if !strings.Contains(errOut, tc.want) {
				t.Errorf("stderr %q does not contain %q", errOut, tc.want)
			}
			if out != "" {
				t.Errorf("printed a report on bad input: %.200s", out)
			}
			if _, err := os.Stat(report); err == nil {
				t.Error("wrote the report file on bad input")
			}
		})
	}
}
