//go:build unix

package borg

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/handwash/handwash"
)

func TestVerifyLocked(t *testing.T) {
	f := backedUp(t)
	// Another borg holds the repository: borg with-lock keeps its lock
	// while sleep runs. Both run in a process group of their own, ended
	// together at the end of the test.
	hold := exec.Command("borg", "with-lock", f.repo, "sleep", "60")
	hold.Env = append(append(os.Environ(), f.env...), "BORG_PASSPHRASE="+testPassphrase)
	hold.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := hold.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = syscall.Kill(-hold.Process.Pid, syscall.SIGTERM)
		_ = hold.Wait()
	})
	waitFor(t, filepath.Join(f.repo, "lock.exclusive"))
	o := f.opts()
	o.LockWait = time.Second
	began := time.Now()
	_, err := Verify(context.Background(), o)
	wantError(t, err, handwash.EINVALID, "in use by another borg", "Try again")
	if d := time.Since(began); d > 20*time.Second {
		t.Errorf("Verify took %v with a 1s lock wait", d)
	}
}

func waitFor(t *testing.T, path string) {
	t.Helper()
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if _, err := os.Stat(path); err == nil {
			return
		}
	}
	t.Fatalf("%s did not appear", path)
}

// fakeBorg writes a shell script that acts as borg: it records its
// arguments and environment, then runs body.
func fakeBorg(t *testing.T, body string) (path, record string) {
	t.Helper()
	dir := t.TempDir()
	path, record = filepath.Join(dir, "borg"), filepath.Join(dir, "record")
	script := "#!/bin/sh\n" +
		"echo \"ARGS $*\" >> '" + record + "'\n" +
		"env >> '" + record + "'\n" +
		"if [ \"$1\" = --version ]; then echo \"${FAKE_VERSION:-borg 1.2.4}\"; exit 0; fi\n" +
		body + "\n"
	if err := os.WriteFile(path, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return path, record
}

func TestPassphraseOnlyInEnvironment(t *testing.T) {
	borg, record := fakeBorg(t, `echo '{"type": "log_message", "levelname": "ERROR", "msgid": "PassphraseWrong", "message": "passphrase supplied in BORG_PASSPHRASE, by BORG_PASSCOMMAND or via BORG_PASSPHRASE_FD is incorrect."}' >&2; exit 2`)
	t.Setenv("BORG_PASSCOMMAND", "cat /somewhere/else")
	_, err := Verify(context.Background(), Options{Repo: t.TempDir(), Borg: borg, Passphrase: "s3cret-words-here"})
	wantError(t, err, handwash.EINVALID, "passphrase", "wrong")
	b, _ := os.ReadFile(record)
	rec := string(b)
	for _, line := range strings.Split(rec, "\n") {
		if strings.HasPrefix(line, "ARGS ") && strings.Contains(line, "s3cret") {
			t.Errorf("the passphrase is on borg's command line: %s", line)
		}
	}
	for _, want := range []string{"BORG_PASSPHRASE=s3cret-words-here", "BORG_RELOCATED_REPO_ACCESS_IS_OK=no",
		"BORG_UNKNOWN_UNENCRYPTED_REPO_ACCESS_IS_OK=no", "BORG_DISPLAY_PASSPHRASE=no", "TZ=UTC0", "BORG_RSH=ssh -o BatchMode=yes",
		"ARGS --log-json --lock-wait 5 list --json --"} {
		if !strings.Contains(rec, want) {
			t.Errorf("borg was not given %q:\n%s", want, rec)
		}
	}
	if strings.Contains(rec, "BORG_PASSCOMMAND") {
		t.Errorf("borg was left Handwash's own BORG_PASSCOMMAND as well as the passphrase given")
	}
}

func TestBorgVersions(t *testing.T) {
	for _, tt := range []struct{ version, want string }{
		{"borg 1.1.16", "needs borg 1.2 or later"},
		{"borg 2.0.0b14", "needs borg 1.2 or later"},
		{"Traceback (most recent call last):", "did not run properly"},
	} {
		borg, _ := fakeBorg(t, "exit 0")
		t.Setenv("FAKE_VERSION", tt.version)
		_, err := Verify(context.Background(), Options{Repo: t.TempDir(), Borg: borg})
		wantError(t, err, handwash.EINVALID, tt.want)
	}
}

func TestVerifyStopped(t *testing.T) {
	borg, _ := fakeBorg(t, "exec sleep 30")
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	began := time.Now()
	_, err := Verify(ctx, Options{Repo: t.TempDir(), Borg: borg})
	wantError(t, err, handwash.EINVALID, "stopped before it finished")
	if d := time.Since(began); d > 10*time.Second {
		t.Errorf("Verify took %v to stop", d)
	}
}

func TestReadOnlyBypassesLock(t *testing.T) {
	borg, record := fakeBorg(t, "exit 2")
	r := &runner{path: borg, lockWait: 3, readOnly: true, loc: location{arg: "/r", display: "/r"}}
	if _, err := r.run(context.Background(), "", nil, "list", "--json", "--", "/r"); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(record); !strings.Contains(string(b), "ARGS --log-json --lock-wait 3 --bypass-lock list --json -- /r") {
		t.Errorf("borg was not told to bypass the lock of a repository it cannot write to:\n%s", b)
	}
}

// TestLetRead checks that a file restored without read permission for its
// owner is made readable, and that nothing outside the folder is touched.
func TestLetRead(t *testing.T) {
	dir, outside := t.TempDir(), t.TempDir()
	for _, p := range []string{filepath.Join(dir, "a", "locked.txt"), filepath.Join(outside, "secret.txt")} {
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte("x"), 0o200); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink(outside, filepath.Join(dir, "out")); err != nil {
		t.Fatal(err)
	}
	letRead(dir, []item{{Path: "a/locked.txt"}, {Path: "out/secret.txt"}, {Path: "../secret.txt"}, {Path: "missing"}})
	if got := permOf(t, filepath.Join(dir, "a", "locked.txt")); got != 0o600 {
		t.Errorf("locked.txt has mode %v; want 0600", got)
	}
	if got := permOf(t, filepath.Join(outside, "secret.txt")); got != 0o200 {
		t.Errorf("a file outside the restore folder was changed to mode %v", got)
	}
}

func permOf(t *testing.T, name string) os.FileMode {
	t.Helper()
	fi, err := os.Stat(name)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Mode().Perm()
}
