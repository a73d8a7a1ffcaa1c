package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"testing"
)

func TestUsage(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{nil, "--version is required"},
		{[]string{"--version", "1.2"}, "not a release version"},
		{[]string{"--version", "1.2.3"}, "give at least one binary"},
		{[]string{"--version", "1.2.3", "--bin-linux-amd64", "x", "extra"}, "unexpected arguments"},
		{[]string{"--no-such-flag"}, "no-such-flag"},
	} {
		err := run(context.Background(), c.args, &bytes.Buffer{})
		var u usageError
		if !errors.As(err, &u) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("pkg %q: %v; want a usage error saying %q", c.args, err, c.want)
		}
	}
}

// TestLinuxPackages packages the test's own program, which is a Linux
// program for this machine's architecture: it shows what the command
// makes and prints without building handwash.
func TestLinuxPackages(t *testing.T) {
	if runtime.GOOS != "linux" || (runtime.GOARCH != "amd64" && runtime.GOARCH != "arm64") {
		t.Skipf("the test program (%s/%s) cannot stand in for a Linux binary that is packaged", runtime.GOOS, runtime.GOARCH)
	}
	if raceDetector {
		t.Skip("makes Linux packages, which takes minutes under the race detector; the tests without -race cover it")
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "dist")
	var stdout bytes.Buffer
	if err := run(context.Background(), []string{"--version", "v2.0.1", "--bin-linux-" + runtime.GOARCH, exe, "--out", out}, &stdout); err != nil {
		t.Fatal(err)
	}
	rpmArch := map[string]string{"amd64": "x86_64", "arm64": "aarch64"}[runtime.GOARCH]
	want := []string{"handwash_2.0.1_" + runtime.GOARCH + ".deb", "handwash-2.0.1-1." + rpmArch + ".rpm"}
	lines := strings.Split(strings.TrimSpace(stdout.String()), "\n")
	if len(lines) != len(want) {
		t.Fatalf("pkg printed:\n%s\nwant a line for each of %q", stdout.String(), want)
	}
	for i, name := range want {
		path := filepath.Join(out, name)
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if !regexp.MustCompile(`^`+regexp.QuoteMeta(path)+`  \d+ bytes  sha256:[0-9a-f]{64}$`).MatchString(lines[i]) || !strings.Contains(lines[i], "  "+strconv.FormatInt(fi.Size(), 10)+" bytes") {
			t.Errorf("line %d is %q, for %s of %d bytes", i+1, lines[i], path, fi.Size())
		}
	}
	entries, _ := os.ReadDir(out)
	if len(entries) != len(want) {
		t.Errorf("%s holds %d files, want %d (no temporary files left)", out, len(entries), len(want))
	}

	// With SOURCE_DATE_EPOCH, the same program makes the same packages.
	t.Setenv("SOURCE_DATE_EPOCH", "1767225600")
	var sums [2]string
	for i := range sums {
		var b bytes.Buffer
		dir := filepath.Join(t.TempDir(), "dist")
		if err := run(context.Background(), []string{"--version", "2.0.1", "--bin-linux-" + runtime.GOARCH, exe, "--out", dir}, &b); err != nil {
			t.Fatal(err)
		}
		sums[i] = strings.ReplaceAll(b.String(), dir, "dist")
	}
	if sums[0] != sums[1] {
		t.Errorf("two builds with SOURCE_DATE_EPOCH differ:\n%s\n%s", sums[0], sums[1])
	}

	// A Linux program given as the Windows one fails before anything is
	// written for it.
	err = run(context.Background(), []string{"--version", "2.0.1", "--bin-windows-amd64", exe, "--out", out}, &bytes.Buffer{})
	if err == nil || !strings.Contains(err.Error(), "not a Windows program") {
		t.Errorf("packaging a Linux program as the Windows one: %v", err)
	}
}
