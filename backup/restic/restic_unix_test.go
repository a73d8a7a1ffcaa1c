//go:build unix

package restic

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// fakeRestic writes a shell script that stands in for restic: it records
// its arguments and environment, answers restic version, and runs body
// for any other command.
func fakeRestic(t *testing.T, body string) (bin, log string) {
	t.Helper()
	dir := t.TempDir()
	bin, log = filepath.Join(dir, "restic"), filepath.Join(dir, "log")
	script := "#!/bin/sh\necho \"$@\" >> " + log + "\nenv >> " + log + ".env\n" +
		"case \"$*\" in *version*) echo 'restic 0.14.0 compiled with go1.19.8 on linux/amd64'; exit 0;; esac\n" + body + "\n"
	if err := os.WriteFile(bin, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return bin, log
}

// TestPasswordOnlyInEnvironment checks that the password reaches restic
// through its environment and never its command line, and that the
// repository does too (a REST address may hold a password).
func TestPasswordOnlyInEnvironment(t *testing.T) {
	bin, log := fakeRestic(t, "echo 'Fatal: wrong password or no key found' >&2; exit 1")
	repo := "rest:https://office:hunter2@backup.example:8000/office/"
	_, err := Verify(context.Background(), Options{Repo: repo, Password: "Zq9-secret", Restic: bin, TempDir: t.TempDir()})
	if err == nil || strings.Contains(err.Error(), "hunter2") || strings.Contains(err.Error(), "Zq9-secret") {
		t.Fatalf("err = %v", err)
	}
	args, _ := os.ReadFile(log)
	env, _ := os.ReadFile(log + ".env")
	if strings.Contains(string(args), "Zq9-secret") || strings.Contains(string(args), "hunter2") {
		t.Errorf("a secret reached the command line:\n%s", args)
	}
	if !strings.Contains(string(env), "RESTIC_PASSWORD=Zq9-secret") || !strings.Contains(string(env), "RESTIC_REPOSITORY="+repo) {
		t.Errorf("the password or repository did not reach restic's environment")
	}
}

// TestPasswordFileReplacesInherited checks that a password file given
// replaces a password already in this process's environment.
func TestPasswordFileReplacesInherited(t *testing.T) {
	t.Setenv("RESTIC_PASSWORD", "inherited")
	t.Setenv("RESTIC_PASSWORD_COMMAND", "echo inherited")
	bin, log := fakeRestic(t, "echo 'Fatal: wrong password or no key found' >&2; exit 1")
	pw := filepath.Join(t.TempDir(), "pw")
	os.WriteFile(pw, []byte("x\n"), 0o600)
	Verify(context.Background(), Options{Repo: t.TempDir(), PasswordFile: pw, Restic: bin, TempDir: t.TempDir()})
	env, _ := os.ReadFile(log + ".env")
	if strings.Contains(string(env), "inherited") || !strings.Contains(string(env), "RESTIC_PASSWORD_FILE="+pw) {
		t.Errorf("environment:\n%s", env)
	}
}

// TestVerifyStopped cancels a verification while restic runs: restic is
// interrupted and Verify returns at once with the context's error.
func TestVerifyStopped(t *testing.T) {
	bin, _ := fakeRestic(t, "exec sleep 30")
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := Verify(ctx, Options{Repo: t.TempDir(), Password: "x", Restic: bin, TempDir: t.TempDir()})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("err = %v", err)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("took %v to stop", d)
	}
}

// TestSnapshotsOutputNotJSON checks that output restic should not give is
// an error that says so, not a crash.
func TestSnapshotsOutputNotJSON(t *testing.T) {
	bin, _ := fakeRestic(t, "echo 'this is not json'")
	_, err := Verify(context.Background(), Options{Repo: t.TempDir(), Password: "x", Restic: bin, TempDir: t.TempDir()})
	if err == nil || !strings.Contains(err.Error(), "list the snapshots") {
		t.Errorf("err = %v", err)
	}
}

// TestLocalExposureReadOnly checks a repository this account cannot write
// to. Root may write anywhere, so it needs another account.
func TestLocalExposureReadOnly(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("running as root, which may write to any folder: run the tests as another user to cover a read-only repository")
	}
	e := localExposure("/usr")
	if !e.Known || e.CanDelete || !strings.Contains(e.Detail, "cannot write") {
		t.Errorf("%+v", e)
	}
}

func TestLocalExposureOwnFolder(t *testing.T) {
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "data", "00"), 0o700)
	os.Chmod(filepath.Join(dir, "data", "00"), 0o500) // read-only, but ours to change back
	e := localExposure(dir)
	if !e.Known || !e.CanDelete || !strings.Contains(e.Detail, "can write to") {
		t.Errorf("%+v", e)
	}
}
