package main

import (
	"bytes"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/handwash/handwash"
)

// setBuild sets what the release build's -X flags set, for one test.
func setBuild(t *testing.T, v, c, d string) {
	t.Helper()
	oldV, oldC, oldD := version, commit, date
	version, commit, date = v, c, d
	t.Cleanup(func() { version, commit, date = oldV, oldC, oldD })
}

func TestVersionRelease(t *testing.T) {
	setBuild(t, "1.2.3", "0123456789abcdef0123456789abcdef01234567", "2026-11-25T10:00:00Z")
	code, out, errOut := handwashRun(t, "", "version")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	lines := strings.Split(out, "\n")
	if !strings.HasPrefix(lines[0], "handwash 1.2.3 (go") {
		t.Errorf("first line = %q, want the release version", lines[0])
	}
	for _, want := range []string{
		"\ncommit 0123456789abcdef0123456789abcdef01234567\n",
		"\nbuilt 2026-11-25T10:00:00Z\n",
		"\ncontrols ",
		"\nfacts schema " + handwash.FactsSchema + "\n",
		"\nOS support dates as of ",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("version output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "development") {
		t.Errorf("a release build says development:\n%s", out)
	}
	if got := versionString(); got != "1.2.3" {
		t.Errorf("versionString() = %q, want 1.2.3", got)
	}
}

func TestVersionDevelopmentBuild(t *testing.T) {
	setBuild(t, "", "", "")
	code, out, errOut := handwashRun(t, "", "version")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if !strings.HasPrefix(out, "handwash development build (go") || !strings.Contains(out, "\ncommit ") {
		t.Errorf("version of a development build:\n%s", out)
	}
	if !strings.Contains(out, "\ncontrols ") || !strings.Contains(out, handwash.FactsSchema) {
		t.Errorf("version no longer shows the controls and the facts schema:\n%s", out)
	}
}

func TestVersionDescribeBuild(t *testing.T) {
	vcs := &debug.BuildInfo{
		Main: debug.Module{Path: "github.com/handwash/handwash", Version: "(devel)"},
		Settings: []debug.BuildSetting{
			{Key: "-trimpath", Value: "true"},
			{Key: "vcs", Value: "git"},
			{Key: "vcs.revision", Value: "fedcba9876543210fedcba9876543210fedcba98"},
			{Key: "vcs.time", Value: "2026-11-20T08:30:00Z"},
			{Key: "vcs.modified", Value: "true"},
		},
	}
	installed := &debug.BuildInfo{Main: debug.Module{Path: "github.com/handwash/handwash", Version: "v1.2.4"}}
	for _, tc := range []struct {
		name                  string
		version, commit, date string
		bi                    *debug.BuildInfo
		want                  buildDetails
		lines                 []string
	}{
		{
			name: "release", version: "1.2.3", commit: "0123abc", date: "2026-11-25T10:00:00Z", bi: vcs,
			want:  buildDetails{Release: true, Version: "1.2.3", Commit: "0123abc", Date: "2026-11-25T10:00:00Z"},
			lines: []string{"handwash 1.2.3 ", "commit 0123abc", "built 2026-11-25T10:00:00Z"},
		},
		{
			name: "release from a modified tree", version: "1.2.3", commit: "0123abc-modified", date: "2026-11-25T10:00:00Z",
			want:  buildDetails{Release: true, Version: "1.2.3", Commit: "0123abc", Modified: true, Date: "2026-11-25T10:00:00Z"},
			lines: []string{"handwash 1.2.3 ", "commit 0123abc, with uncommitted changes", "built 2026-11-25T10:00:00Z"},
		},
		{
			name: "release without commit or date", version: "1.2.3",
			want:  buildDetails{Release: true, Version: "1.2.3"},
			lines: []string{"handwash 1.2.3 ", "commit unknown", "build date unknown"},
		},
		{
			name: "go build in a checkout", bi: vcs,
			want:  buildDetails{Commit: "fedcba9876543210fedcba9876543210fedcba98", Modified: true, Date: "2026-11-20T08:30:00Z"},
			lines: []string{"handwash development build ", "commit fedcba9876543210fedcba9876543210fedcba98, with uncommitted changes", "committed 2026-11-20T08:30:00Z"},
		},
		{
			name: "go install of a module version", bi: installed,
			want:  buildDetails{Version: "v1.2.4"},
			lines: []string{"handwash development build ", "module version v1.2.4", "commit unknown (no version control details were recorded when this copy was built)"},
		},
		{
			name: "go build in a checkout, with a pseudo-version",
			bi: &debug.BuildInfo{
				Main:     debug.Module{Path: "github.com/handwash/handwash", Version: "v1.2.4-0.20261130094442-7093102a109f+dirty"},
				Settings: []debug.BuildSetting{{Key: "vcs.revision", Value: "7093102a109f56f26a03365fe04164ed35a79e8d"}},
			},
			want:  buildDetails{Commit: "7093102a109f56f26a03365fe04164ed35a79e8d"},
			lines: []string{"handwash development build ", "commit 7093102a109f56f26a03365fe04164ed35a79e8d"},
		},
		{
			name:  "no build information",
			want:  buildDetails{},
			lines: []string{"handwash development build ", "commit unknown (no version control details were recorded when this copy was built)"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := describeBuild(tc.version, tc.commit, tc.date, tc.bi)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("describeBuild (-want +got):\n%s", diff)
			}
			var b bytes.Buffer
			writeBuild(&b, got)
			lines := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
			if len(lines) != len(tc.lines) {
				t.Fatalf("writeBuild wrote %d lines, want %d:\n%s", len(lines), len(tc.lines), b.String())
			}
			for i, want := range tc.lines {
				if !strings.HasPrefix(lines[i], want) {
					t.Errorf("line %d = %q, want it to start %q", i+1, lines[i], want)
				}
			}
		})
	}
}
