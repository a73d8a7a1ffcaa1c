package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/handwash/handwash/agent"
	"github.com/handwash/handwash/agent/agenttest"
)

func TestAgentEnrollRunStatus(t *testing.T) {
	srv := agenttest.NewServer()
	defer srv.Close()
	cfg := filepath.Join(t.TempDir(), "handwash", "agent.json")

	code, out, errOut := handwashRun(t, "", "agent", "enroll", "--server", srv.URL, "--token", srv.AddEnrollToken(1), "--config", cfg)
	if code != exitOK || !strings.Contains(out, "Enrolled") || !strings.Contains(out, "handwash agent install") {
		t.Fatalf("enroll: exit %d\n%s%s", code, out, errOut)
	}
	if runtime.GOOS != "windows" {
		if fi, err := os.Stat(cfg); err != nil || fi.Mode().Perm() != 0o600 {
			t.Errorf("configuration file: %v, mode %v", err, fi.Mode())
		}
	}
	c, err := agent.LoadConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	secret := c.Credential.Reveal()

	code, out, errOut = handwashRun(t, "", "agent", "run", "--once", "--config", cfg)
	if code != exitOK || !strings.Contains(out, "sent") {
		t.Fatalf("run --once: exit %d\n%s%s", code, out, errOut)
	}
	snaps := srv.Snapshots()
	if len(snaps) != 1 || snaps[0].Facts == nil || string(snaps[0].Facts.Device.Platform) != collectPlatform() {
		t.Fatalf("server stored %+v", snaps)
	}

	code, out, errOut = handwashRun(t, "", "agent", "status", "--config", cfg)
	if code != exitOK {
		t.Fatalf("status: exit %d\n%s", code, errOut)
	}
	for _, want := range []string{"Reporting normally.", srv.URL, c.DeviceID, "Waiting to send:  nothing", "Last problem:     none", "Server says:      last heard from this computer"} {
		if !strings.Contains(out, want) {
			t.Errorf("status lacks %q:\n%s", want, out)
		}
	}
	code, out, _ = handwashRun(t, "", "agent", "status", "--config", cfg, "--format", "json", "--offline")
	var s agentStatus
	if err := json.Unmarshal([]byte(out), &s); code != exitOK || err != nil {
		t.Fatalf("status json: exit %d, %v\n%s", code, err, out)
	}
	if s.DeviceID != c.DeviceID || s.State.LastReportedSnapshot != snaps[0].ID || s.Spool.Count != 0 || s.ServerView != nil {
		t.Errorf("status json: %+v", s)
	}
	for _, o := range []string{out, errOut} {
		if strings.Contains(o, secret) {
			t.Error("status printed the credential")
		}
	}
}

func TestAgentEnrollErrors(t *testing.T) {
	srv := agenttest.NewServer()
	defer srv.Close()
	cfg := filepath.Join(t.TempDir(), "agent.json")
	for _, tc := range []struct {
		name string
		args []string
		code int
		want string
	}{
		{"bad token", []string{"--server", srv.URL, "--token", "hwe_et_nope_nope"}, exitUsage, "refused the enrolment token"},
		{"not a token", []string{"--server", srv.URL, "--token", "letmein"}, exitUsage, "not an enrolment token"},
		{"no server", []string{"--token", "hwe_et_a_b"}, exitUsage, "--server is required"},
		{"plain http", []string{"--server", "http://handwash.example", "--token", "hwe_et_a_b"}, exitUsage, "unencrypted"},
		{"bad fingerprint", []string{"--server", "https://127.0.0.1:1", "--token", "hwe_et_a_b", "--fingerprint", "12:34"}, exitUsage, "64 hexadecimal digits"},
		{"unreachable", []string{"--server", "http://127.0.0.1:1", "--token", "hwe_et_a_b"}, exitInternal, "check that the Handwash server is running"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, _, errOut := handwashRun(t, "", append([]string{"agent", "enroll", "--config", cfg}, tc.args...)...)
			if code != tc.code || !strings.Contains(errOut, tc.want) {
				t.Errorf("exit %d, want %d; stderr:\n%s", code, tc.code, errOut)
			}
			if strings.Contains(errOut, "please report") {
				t.Errorf("presented as an internal error:\n%s", errOut)
			}
		})
	}
	if _, err := os.Stat(cfg); !os.IsNotExist(err) {
		t.Error("a failed enrolment wrote a configuration")
	}
}

func TestAgentEnrollTokenFromStdin(t *testing.T) {
	srv := agenttest.NewServer()
	defer srv.Close()
	cfg := filepath.Join(t.TempDir(), "agent.json")
	code, _, errOut := handwashRun(t, srv.AddEnrollToken(1)+"\n", "agent", "enroll", "--server", srv.URL, "--token", "-", "--config", cfg)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
}

func TestAgentRunOnceServerDown(t *testing.T) {
	srv := agenttest.NewServer()
	cfg := filepath.Join(t.TempDir(), "agent.json")
	if code, _, errOut := handwashRun(t, "", "agent", "enroll", "--server", srv.URL, "--token", srv.AddEnrollToken(1), "--config", cfg); code != exitOK {
		t.Fatal(errOut)
	}
	srv.Close()
	code, _, errOut := handwashRun(t, "", "agent", "run", "--once", "--config", cfg)
	if code != exitInternal || !strings.Contains(errOut, "1 collection(s) wait in the spool") {
		t.Fatalf("exit %d\n%s", code, errOut)
	}
	code, out, _ := handwashRun(t, "", "agent", "status", "--config", cfg)
	for _, want := range []string{"not reported to the server yet", "Waiting to send:  1 collection(s)", "Server says:      could not ask it"} {
		if !strings.Contains(out, want) {
			t.Errorf("status (exit %d) lacks %q:\n%s", code, want, out)
		}
	}
}

func TestAgentRunRefusedCredential(t *testing.T) {
	srv := agenttest.NewServer()
	defer srv.Close()
	cfg := filepath.Join(t.TempDir(), "agent.json")
	if code, _, errOut := handwashRun(t, "", "agent", "enroll", "--server", srv.URL, "--token", srv.AddEnrollToken(1), "--config", cfg); code != exitOK {
		t.Fatal(errOut)
	}
	srv.RevokeDevices = true
	code, _, errOut := handwashRun(t, "", "agent", "run", "--once", "--config", cfg)
	if code != exitUsage || !strings.Contains(errOut, "enrol it again") {
		t.Errorf("exit %d\n%s", code, errOut)
	}
	_, out, _ := handwashRun(t, "", "agent", "status", "--config", cfg, "--offline")
	if !strings.Contains(out, "no longer accepts this computer") {
		t.Errorf("status:\n%s", out)
	}
}

func TestAgentNotEnrolled(t *testing.T) {
	cfg := filepath.Join(t.TempDir(), "agent.json")
	for _, args := range [][]string{{"status"}, {"run", "--once"}, {"install"}} {
		code, _, errOut := handwashRun(t, "", append(append([]string{"agent"}, args...), "--config", cfg)...)
		want := exitUsage
		if code != want || !strings.Contains(errOut, "not enrolled") && !strings.Contains(errOut, "administrator") {
			t.Errorf("%v: exit %d\n%s", args, code, errOut)
		}
	}
}

func TestAgentInstallDryRun(t *testing.T) {
	cfg := filepath.Join(t.TempDir(), "agent.json")
	exe := executablePath
	executablePath = func() (string, error) { return "/usr/local/bin/handwash", nil }
	defer func() { executablePath = exe }()
	code, out, errOut := handwashRun(t, "", "agent", "install", "--dry-run", "--config", cfg)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if runtime.GOOS == "linux" && (!strings.Contains(out, "Would write "+agent.SystemdUnitPath) || !strings.Contains(out, "--config "+cfg)) {
		t.Errorf("dry run:\n%s", out)
	}
	code, out, _ = handwashRun(t, "", "agent", "uninstall", "--dry-run", "--config", cfg)
	if code != exitOK || !strings.Contains(out, "Would remove "+cfg) {
		t.Errorf("uninstall dry run: exit %d\n%s", code, out)
	}
}

func TestAgentHelpDocumentsExitCodes(t *testing.T) {
	for _, sub := range []string{"enroll", "run", "status", "install", "uninstall"} {
		_, out, _ := handwashRun(t, "", "agent", sub, "--help")
		if !strings.Contains(out, "Exit codes:") {
			t.Errorf("agent %s --help has no exit codes", sub)
		}
	}
	_, out, _ := handwashRun(t, "", "agent", "run", "--help")
	if !strings.Contains(out, "--once collects once") {
		t.Errorf("run --help does not say what --once exits with:\n%s", out)
	}
}

func TestHumanDuration(t *testing.T) {
	for d, want := range map[time.Duration]string{
		30 * time.Second: "30 seconds", time.Minute: "1 minute", 90 * time.Minute: "2 hours",
		4 * time.Hour: "4 hours", 47 * time.Hour: "47 hours", 72 * time.Hour: "3 days",
	} {
		if got := humanDuration(d); got != want {
			t.Errorf("humanDuration(%s) = %q, want %q", d, got, want)
		}
	}
}
