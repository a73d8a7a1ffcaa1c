package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/handwash/handwash/agent"
)

func TestAgentBackupAddListRemove(t *testing.T) {
	dir := t.TempDir()
	cfgPath := filepath.Join(dir, "agent.json")
	cfg := &agent.Config{Server: "https://handwash.example:8443", DeviceID: "dev_abcdefghijklmnop",
		Credential: "hwd_dev_abcdefghijklmnop_abcdefghijklmnopqrstuvwxyz234567", EnrolledAt: time.Now()}
	must(t, cfg.Save(cfgPath))
	pass := filepath.Join(dir, "restic-password")
	must(t, os.WriteFile(pass, []byte("correct horse\n"), 0o600))

	code, out, errOut := handwashRun(t, "", "agent", "--config", cfgPath, "backup", "add", "--kind", "restic", "--repo", "/srv/restic", "--password-file", pass)
	if code != exitOK || !strings.Contains(out, "every 7 days") {
		t.Fatalf("add: exit %d\n%s%s", code, out, errOut)
	}
	for name, args := range map[string][]string{
		"unknown kind":          {"--kind", "tape", "--repo", "/x"},
		"missing password file": {"--kind", "restic", "--repo", "/y", "--password-file", filepath.Join(dir, "none")},
		"too often":             {"--kind", "folder", "--repo", "/z", "--every", "1m"},
	} {
		code, out, errOut := handwashRun(t, "", append([]string{"agent", "--config", cfgPath, "backup", "add"}, args...)...)
		if code != exitUsage {
			t.Errorf("%s: exit %d, want %d\n%s%s", name, code, exitUsage, out, errOut)
		}
	}
	code, out, _ = handwashRun(t, "", "agent", "--config", cfgPath, "backup", "list")
	if code != exitOK || !strings.Contains(out, "/srv/restic") || strings.Contains(out, "correct horse") || strings.Count(out, "\n") != 2 {
		t.Errorf("list: exit %d\n%s", code, out)
	}
	b, err := os.ReadFile(cfgPath)
	must(t, err)
	if strings.Contains(string(b), "correct horse") {
		t.Error("the configuration holds the password itself")
	}
	code, _, _ = handwashRun(t, "", "agent", "--config", cfgPath, "backup", "remove", "--kind", "restic", "--repo", "/srv/restic")
	if code != exitOK {
		t.Errorf("remove: exit %d", code)
	}
	if code, _, _ = handwashRun(t, "", "agent", "--config", cfgPath, "backup", "remove", "--kind", "restic", "--repo", "/srv/restic"); code != exitUsage {
		t.Errorf("remove twice: exit %d, want %d", code, exitUsage)
	}
}

// The agent's verifier sums a verification up for the Facts, and says
// what stopped one that could not run.
func TestAgentVerifyBackup(t *testing.T) {
	source, copyDir := backupCopy(t, time.Hour)
	f := agentVerifyBackup(t.Context(), agent.BackupTarget{Kind: "folder", Repo: copyDir, Source: source}, "1/13")
	if f.Kind != "folder" || f.Problem != "" || f.RestoreOK == nil || !*f.RestoreOK || f.FilesRestored == 0 || f.NewestBackup == nil {
		t.Errorf("folder verification = %+v", f)
	}
	f = agentVerifyBackup(t.Context(), agent.BackupTarget{Kind: "folder", Repo: filepath.Join(copyDir, "missing")}, "1/13")
	if f.Kind != "folder" || f.Problem == "" || f.RestoreOK != nil || f.VerifiedAt.IsZero() {
		t.Errorf("verification of a missing folder = %+v", f)
	}
}
