package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/handwash/handwash"
	"github.com/handwash/handwash/backup"
)

// backupCopy makes an original folder and a copy of it whose files are
// dated age before the test clock.
func backupCopy(t *testing.T, age time.Duration) (source, copyDir string) {
	t.Helper()
	dir := t.TempDir()
	source, copyDir = filepath.Join(dir, "Documents"), filepath.Join(dir, "Backup")
	when := now().Add(-age)
	for name, content := range map[string]string{"care plans/Mrs Smith.txt": "Mobility: frame.\n", "rota.csv": "Mon,Tue\n", "scans/a.pdf": strings.Repeat("%PDF\x00", 1000)} {
		for _, d := range []string{source, copyDir} {
			p := filepath.Join(d, filepath.FromSlash(name))
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
				t.Fatal(err)
			}
			if err := os.Chtimes(p, when, when); err != nil {
				t.Fatal(err)
			}
		}
	}
	return source, copyDir
}

func TestBackupVerifyFolder(t *testing.T) {
	source, copyDir := backupCopy(t, 3*time.Hour)
	code, out, errOut := handwashRun(t, "", "backup", "verify", "--kind", "folder", "--repo", copyDir, "--source", source, "--fail-on", "")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{"Backup check: copy in folder " + copyDir, "What was checked", "Newest backup", "3 files", "MB/s",
		"Compared with the originals: 3 (3 identical)", "Ransomware", "In good order", backup.ControlRestore} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}

	code, out, _ = handwashRun(t, "", "backup", "verify", "--kind", "folder", "--repo", copyDir, "--format", "json", "--fail-on", "")
	var res backup.Result
	if err := json.Unmarshal([]byte(out), &res); err != nil || code != exitOK {
		t.Fatalf("--format json: exit %d, %v\n%s", code, err, out)
	}
	if res.Schema != backup.ResultSchema || res.Verification.Kind != backup.KindFolder || res.Verification.Restore.Files != 3 || len(res.Findings) != 4 {
		t.Errorf("json: %+v", res)
	}
}

// TestBackupVerifyFailOn checks the exit codes: a copy older than
// --max-age fails a high-severity control, which --fail-on high (the
// default) turns into exit code 1.
func TestBackupVerifyFailOn(t *testing.T) {
	source, copyDir := backupCopy(t, 50*time.Hour)
	code, out, errOut := handwashRun(t, "", "backup", "verify", "--kind", "folder", "--repo", copyDir, "--source", source)
	if code != exitFindings || !strings.Contains(errOut, "at or above high severity") || !strings.Contains(out, "Newest backup no more than 24 hours old [HIGH]") {
		t.Errorf("stale copy: exit %d\n%s%s", code, out, errOut)
	}
	if runtime.GOOS != "windows" {
		// This account owns the copy, so the ransomware control fails too.
		if !strings.Contains(out, backup.ControlProtected) {
			t.Errorf("exposure not reported:\n%s", out)
		}
	}
	code, _, _ = handwashRun(t, "", "backup", "verify", "--kind", "folder", "--repo", copyDir, "--max-age", "72h", "--fail-on", "critical")
	if code != exitOK {
		t.Errorf("--max-age 72h --fail-on critical: exit %d", code)
	}
}

func TestBackupVerifyUsageErrors(t *testing.T) {
	dir := t.TempDir()
	for _, args := range [][]string{
		{"--repo", dir},
		{"--kind", "tape", "--repo", dir},
		{"--kind", "borg", "--repo", dir},
		{"--kind", "borg", "--repo", dir, "--subset", "1/10"},
		{"--kind", "s3", "--repo", "https://bucket.example/backups"},
		{"--kind", "s3", "--repo", "s3://bucket", "--marker", "x"},
		{"--kind", "s3", "--repo", "s3://bucket", "--password-file", filepath.Join(dir, "missing")},
		{"--kind", "folder", "--repo", dir, "--endpoint", "s3.example"},
		{"--kind", "folder", "--repo", filepath.Join(dir, "missing")},
		{"--kind", "folder", "--repo", dir, "--format", "html"},
		{"--kind", "folder", "--repo", dir, "--fail-on", "severe"},
		{"--kind", "folder", "--repo", dir, "--max-age", "-1h"},
		{"--kind", "folder", "--repo", dir, "--subset", "1/10"},
		{"--kind", "restic", "--repo", dir, "--marker", "x"},
		{"--kind", "restic", "--repo", dir, "--restic", filepath.Join(dir, "no-restic"), "--password-file", filepath.Join(dir, "missing")},
		{"--kind", "folder", "--repo", dir, "extra-argument"},
	} {
		code, _, errOut := handwashRun(t, "", append([]string{"backup", "verify"}, args...)...)
		if code != exitUsage || !strings.HasPrefix(errOut, "handwash: ") {
			t.Errorf("%v: exit %d, want %d\n%s", args, code, exitUsage, errOut)
		}
	}
	t.Run("borg in an empty folder", func(t *testing.T) {
		needProgram(t, "borg", "borgbackup")
		_, _, errOut := handwashRun(t, "", "backup", "verify", "--kind", "borg", "--repo", dir)
		if !strings.Contains(errOut, "not a borg repository") {
			t.Errorf("borg in an empty folder: %s", errOut)
		}
	})
}

// needProgram skips the test when program, from the Debian package pkg, is
// not installed, or fails it when HANDWASH_TEST_ALL=1 asks for every test.
func needProgram(t *testing.T, program, pkg string) {
	t.Helper()
	if _, err := exec.LookPath(program); err != nil {
		if os.Getenv("HANDWASH_TEST_ALL") == "1" {
			t.Fatalf("%s is not installed, and HANDWASH_TEST_ALL=1 needs every test to run: install it (sudo apt install %s)", program, pkg)
		}
		t.Skipf("%s is not installed (sudo apt install %s); set HANDWASH_TEST_ALL=1 to make this a failure", program, pkg)
	}
}

// TestBackupVerifyBorg runs the whole command on a real borg repository.
func TestBackupVerifyBorg(t *testing.T) {
	needProgram(t, "borg", "borgbackup")
	source, _ := backupCopy(t, time.Hour)
	dir := t.TempDir()
	repo, pw := filepath.Join(dir, "repo"), filepath.Join(dir, "pw")
	os.WriteFile(pw, []byte("correct horse\n"), 0o600)
	for _, args := range [][]string{{"init", "--encryption=repokey", repo}, {"create", repo + "::first", source}} {
		cmd := exec.Command("borg", args...)
		cmd.Env = append(os.Environ(), "BORG_PASSPHRASE=correct horse", "BORG_BASE_DIR="+filepath.Join(dir, "base"))
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("borg %v: %v\n%s", args, err, out)
		}
	}
	t.Setenv("BORG_BASE_DIR", filepath.Join(dir, "base"))
	code, out, errOut := handwashRun(t, "", "backup", "verify", "--kind", "borg", "--repo", repo, "--password-file", pw,
		"--source", source, "--format", "json", "--fail-on", "")
	var res backup.Result
	if err := json.Unmarshal([]byte(out), &res); err != nil || code != exitOK {
		t.Fatalf("exit %d, %v\n%s%s", code, err, out, errOut)
	}
	v := res.Verification
	if v.Kind != backup.KindBorg || v.Backups != 1 || !v.Integrity.Ran || !v.Integrity.OK || !v.Restore.OK() || v.Restore.Compared == 0 {
		t.Errorf("verification = %+v", v)
	}
}

// TestBackupVerifyRestic runs the whole command on a real restic
// repository, and on the same repository with a wrong password.
func TestBackupVerifyRestic(t *testing.T) {
	needProgram(t, "restic", "restic")
	source, _ := backupCopy(t, time.Hour)
	dir := t.TempDir()
	repo, pw, bad := filepath.Join(dir, "repo"), filepath.Join(dir, "pw"), filepath.Join(dir, "bad")
	os.WriteFile(pw, []byte("correct horse\n"), 0o600)
	os.WriteFile(bad, []byte("wrong horse\n"), 0o600)
	for _, args := range [][]string{{"init"}, {"backup", source}} {
		cmd := exec.Command("restic", append([]string{"-r", repo, "--cache-dir", filepath.Join(dir, "cache")}, args...)...)
		cmd.Env = append(os.Environ(), "RESTIC_PASSWORD_FILE="+pw)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("restic %v: %v\n%s", args, err, out)
		}
	}
	code, out, errOut := handwashRun(t, "", "backup", "verify", "--kind", "restic", "--repo", repo, "--password-file", pw,
		"--source", source, "--subset", "1/1", "--format", "json", "--fail-on", "")
	var res backup.Result
	if err := json.Unmarshal([]byte(out), &res); err != nil || code != exitOK {
		t.Fatalf("exit %d, %v\n%s%s", code, err, out, errOut)
	}
	v := res.Verification
	if v.Backups != 1 || !v.Integrity.OK || v.Integrity.Subset != "1/1" || !v.Restore.OK() || v.Restore.Matched != 3 {
		t.Errorf("verification: %+v", v)
	}
	for _, f := range res.Findings {
		if f.ControlID != backup.ControlProtected && f.Status != handwash.StatusPass {
			t.Errorf("%s: %s %s", f.ControlID, f.Status, f.Summary)
		}
	}

	code, _, errOut = handwashRun(t, "", "backup", "verify", "--kind", "restic", "--repo", repo, "--password-file", bad)
	if code != exitUsage || !strings.Contains(errOut, "the password does not open the restic repository") || strings.Contains(errOut, "wrong horse") {
		t.Errorf("wrong password: exit %d: %s", code, errOut)
	}
	code, _, errOut = handwashRun(t, "", "backup", "verify", "--kind", "restic", "--repo", filepath.Join(dir, "nothing"), "--password-file", pw)
	if code != exitUsage || !strings.Contains(errOut, "there is no restic repository at") {
		t.Errorf("missing repository: exit %d: %s", code, errOut)
	}
}

func TestBackupHelp(t *testing.T) {
	code, out, _ := handwashRun(t, "", "backup", "verify", "--help")
	if code != exitOK || !strings.Contains(out, "Exit codes:") || !strings.Contains(out, "--password-file") {
		t.Errorf("help: exit %d\n%s", code, out)
	}
}

// TestBackupLockedExitsTwo checks that a locked repository (ECONFLICT from
// backup/restic) exits with the usage code, 2, not the internal one.
func TestBackupLockedExitsTwo(t *testing.T) {
	err := usageOrInternal(handwash.Errorf(handwash.ECONFLICT, "the repository at /srv/restic is locked"))
	var errb strings.Builder
	if code := exitCode(err, &errb); code != exitUsage || !strings.Contains(errb.String(), "is locked") {
		t.Errorf("exit %d: %s", code, errb.String())
	}
}
