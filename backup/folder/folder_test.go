package folder

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/handwash/handwash"
	"github.com/handwash/handwash/backup"
)

var (
	edited = time.Now().Add(-48 * time.Hour).Truncate(time.Second)
	copied = time.Now().Add(-2 * time.Hour).Truncate(time.Second)
)

var tree = map[string]string{
	"care plans/Mrs Smith.txt":      "Mobility: needs a frame.\n",
	"care plans/archive/2025.txt":   "older plan\n",
	"rota/week 48*.csv":             "Mon,Tue\nAnn,Bob\n",
	"scans/letter.pdf":              strings.Repeat("%PDF binary \x00\x01\x02", 5000),
	"deep/a/b/c/notes.md":           "# Notes\n",
	"@eaDir/thumb.jpg":              "NAS thumbnail, not part of the copy",
	"#recycle/deleted last week.do": "in the NAS recycle bin",
}

// setup makes an original folder and a copy of it, as robocopy /MIR would:
// same content, each file keeping its own date (preserve) or dated when
// copied.
func setup(t *testing.T, preserve bool) (source, copyDir string) {
	t.Helper()
	dir := t.TempDir()
	source, copyDir = filepath.Join(dir, "Documents"), filepath.Join(dir, "Backup")
	for name, content := range tree {
		if strings.HasPrefix(name, "@") || strings.HasPrefix(name, "#") {
			put(t, copyDir, name, content, copied)
			continue
		}
		put(t, source, name, content, edited)
		when := copied
		if preserve {
			when = edited
		}
		put(t, copyDir, name, content, when)
	}
	return source, copyDir
}

func put(t *testing.T, dir, name, content string, mtime time.Time) {
	t.Helper()
	p := filepath.Join(dir, filepath.FromSlash(name))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(p, mtime, mtime); err != nil {
		t.Fatal(err)
	}
}

func TestVerifyGood(t *testing.T) {
	for _, preserve := range []bool{true, false} {
		source, copyDir := setup(t, preserve)
		tmp := t.TempDir()
		v, err := Verify(context.Background(), Options{Copy: copyDir, Source: source, Sample: 100, Seed: 3, TempDir: tmp})
		if err != nil {
			t.Fatal(err)
		}
		r := v.Restore
		if !r.OK() || r.Files != 5 || r.Compared != 5 || r.Matched != 5 || r.Changed != 0 {
			t.Errorf("preserve %v: restore %+v", preserve, r)
		}
		want := copied
		if preserve {
			want = edited
		}
		if v.Newest == nil || !v.Newest.Equal(want) || v.Backups != 1 || v.Integrity.Ran {
			t.Errorf("preserve %v: newest %v, want %v; %+v", preserve, v.Newest, want, v)
		}
		if runtime.GOOS != "windows" && (!v.Exposure.Known || !v.Exposure.CanDelete) {
			t.Errorf("exposure of our own folder: %+v", v.Exposure)
		}
		if left, _ := os.ReadDir(tmp); len(left) > 0 {
			t.Errorf("left behind in the temporary folder: %v", left)
		}
		fs := backup.Findings(v, backup.FindingOptions{})
		if fs[1].Status != handwash.StatusPass || fs[2].Status != handwash.StatusNotApplicable {
			t.Errorf("findings: restore %s, integrity %s", fs[1].Status, fs[2].Status)
		}
	}
}

func TestVerifyChangedAndDamaged(t *testing.T) {
	source, copyDir := setup(t, true)
	// Edited after the copy was made: not compared.
	put(t, source, "care plans/Mrs Smith.txt", "Mobility: walks unaided.\n", time.Now())
	// Damaged in the copy, same size and date: a mismatch.
	put(t, copyDir, "rota/week 48*.csv", "Mon,Tue\nXXX,Bob\n", edited)
	// Unreadable in the copy.
	if runtime.GOOS != "windows" && os.Geteuid() != 0 {
		os.Chmod(filepath.Join(copyDir, "deep", "a", "b", "c", "notes.md"), 0)
	}
	v, err := Verify(context.Background(), Options{Copy: copyDir, Source: source, Sample: 100, Seed: 3, TempDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	r := v.Restore
	if r.OK() || r.Changed != 1 || len(r.Mismatched) != 1 || r.Mismatched[0] != "rota/week 48*.csv" {
		t.Errorf("restore %+v", r)
	}
	if os.Geteuid() != 0 && runtime.GOOS != "windows" && (len(r.Unreadable) != 1 || r.Unreadable[0] != "deep/a/b/c/notes.md") {
		t.Errorf("unreadable: %v", r.Unreadable)
	}
}

func TestVerifyMarkerAndSample(t *testing.T) {
	source, copyDir := setup(t, true)
	marker := time.Now().Add(-time.Hour).Truncate(time.Second)
	put(t, copyDir, "last-backup.txt", "done\n", marker)
	v, err := Verify(context.Background(), Options{Copy: copyDir, Source: source, Marker: "last-backup.txt", Sample: 2, TempDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	if v.Newest == nil || !v.Newest.Equal(marker) {
		t.Errorf("newest %v, want the marker's %v", v.Newest, marker)
	}
	if v.Restore.Files != 2 || !strings.Contains(v.Restore.Detail, "2 of the 6 files") {
		t.Errorf("restore %+v", v.Restore)
	}
}

func TestVerifyNoSourceEmptyAndErrors(t *testing.T) {
	_, copyDir := setup(t, true)
	v, err := Verify(context.Background(), Options{Copy: copyDir, TempDir: t.TempDir()})
	if err != nil || !v.Restore.OK() || v.Restore.Compared != 0 || !strings.Contains(v.Restore.Detail, "No source folder") {
		t.Errorf("no source: %+v, %v", v, err)
	}
	empty := t.TempDir()
	v, err = Verify(context.Background(), Options{Copy: empty})
	if err != nil || v.Newest != nil || v.Restore.Ran || v.Backups != 0 {
		t.Errorf("empty: %+v, %v", v, err)
	}
	for _, o := range []Options{
		{},
		{Copy: filepath.Join(empty, "missing")},
		{Copy: empty, Source: filepath.Join(empty, "missing")},
		{Copy: empty, Marker: "missing.txt"},
		{Copy: empty, Sample: -2},
	} {
		if _, err := Verify(context.Background(), o); handwash.ErrorCode(err) != handwash.EINVALID {
			t.Errorf("%+v: %v", o, err)
		}
	}
}

// TestVerifyLinksNotFollowed puts links in the copy that lead outside it:
// they are not part of the sample and nothing outside is read.
func TestVerifyLinksNotFollowed(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("symbolic links need privileges on Windows")
	}
	outside := t.TempDir()
	put(t, outside, "secret.txt", "secret", edited)
	copyDir := t.TempDir()
	put(t, copyDir, "real.txt", "real", edited)
	os.Symlink(filepath.Join(outside, "secret.txt"), filepath.Join(copyDir, "link.txt"))
	os.Symlink(outside, filepath.Join(copyDir, "linkdir"))
	v, err := Verify(context.Background(), Options{Copy: copyDir, Sample: 10, TempDir: t.TempDir()})
	if err != nil || v.Restore.Files != 1 || v.Restore.Bytes != 4 {
		t.Errorf("%+v, %v", v.Restore, err)
	}
}

func TestVerifyCancelled(t *testing.T) {
	_, copyDir := setup(t, true)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Verify(ctx, Options{Copy: copyDir}); err != context.Canceled {
		t.Errorf("err = %v", err)
	}
}
