package backup

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestChooseDeterministicAndUniform(t *testing.T) {
	items := make([]int, 100)
	for i := range items {
		items[i] = i
	}
	a, b := Choose(items, 10, 42), Choose(items, 10, 42)
	if !slices.Equal(a, b) || len(a) != 10 {
		t.Fatalf("same seed, different samples: %v %v", a, b)
	}
	if c := Choose(items, 10, 0); len(c) != 10 {
		t.Fatalf("random seed: %v", c)
	}
	if got := Choose(items[:3], 10, 1); len(got) != 3 {
		t.Errorf("fewer items than asked: %v", got)
	}
	// Each item should be chosen about 10% of the time.
	counts := make([]int, len(items))
	const rounds = 4000
	for seed := uint64(1); seed <= rounds; seed++ {
		s := Choose(items, 10, seed)
		seen := map[int]bool{}
		for _, x := range s {
			if seen[x] {
				t.Fatalf("seed %d chose %d twice: %v", seed, x, s)
			}
			seen[x] = true
			counts[x]++
		}
	}
	for i, n := range counts {
		if n < rounds/10*6/10 || n > rounds/10*14/10 {
			t.Errorf("item %d chosen %d times in %d rounds, want about %d", i, n, rounds, rounds/10)
		}
	}
}

func TestLocalPath(t *testing.T) {
	for _, bad := range []string{"", "/etc/passwd", "../x", "a/../../x", "a/\x00b"} {
		if _, err := LocalPath(bad); !errors.Is(err, ErrUnsafePath) {
			t.Errorf("LocalPath(%q) = %v, want ErrUnsafePath", bad, err)
		}
	}
	if runtime.GOOS == "windows" {
		if _, err := LocalPath(`C:\x`); err == nil {
			t.Error("a volume name was allowed")
		}
	}
	got, err := LocalPath("home/office/a b.txt")
	if err != nil || got != filepath.Join("home", "office", "a b.txt") {
		t.Errorf("LocalPath = %q, %v", got, err)
	}
}

func TestHashReaderStreams(t *testing.T) {
	data := strings.Repeat("care plan ", 100_000) // larger than the buffer
	h, err := HashReader(strings.NewReader(data))
	want := sha256.Sum256([]byte(data))
	if err != nil || h.SHA256 != hex.EncodeToString(want[:]) || h.Size != int64(len(data)) {
		t.Errorf("HashReader = %+v, %v", h, err)
	}
}

func write(t *testing.T, dir, name, content string, mtime time.Time) {
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

func TestCompare(t *testing.T) {
	restored, source := t.TempDir(), t.TempDir()
	backedUp := time.Date(2026, 11, 29, 22, 0, 0, 0, time.UTC)
	before, after := backedUp.Add(-time.Hour), backedUp.Add(time.Hour)
	write(t, restored, "r/same.txt", "same", before)
	write(t, source, "same.txt", "same", before)
	write(t, restored, "r/edited.txt", "old!", before)
	write(t, source, "edited.txt", "new!", after) // changed since: skipped
	write(t, restored, "r/bad.txt", "AAAA", before)
	write(t, source, "bad.txt", "BBBB", before) // unchanged but different
	write(t, restored, "r/gone.txt", "gone", before)
	write(t, restored, "r/short.txt", "sho", before)
	write(t, source, "short.txt", "shor", before)
	write(t, restored, "r/outside.txt", "out", before)
	files := []Restored{
		{Name: "same.txt", Path: "r/same.txt", Original: "same.txt", Size: 4, ModTime: before, BackupTime: backedUp},
		{Name: "edited.txt", Path: "r/edited.txt", Original: "edited.txt", Size: 4, ModTime: before, BackupTime: backedUp},
		{Name: "bad.txt", Path: "r/bad.txt", Original: "bad.txt", Size: 4, ModTime: before, BackupTime: backedUp},
		{Name: "gone.txt", Path: "r/gone.txt", Original: "gone.txt", Size: 4, BackupTime: backedUp},
		{Name: "short.txt", Path: "r/short.txt", Original: "short.txt", Size: 4, BackupTime: backedUp},
		{Name: "missing.txt", Path: "r/missing.txt", Original: "missing.txt", Size: 1, BackupTime: backedUp},
		{Name: "outside.txt", Path: "r/outside.txt", Size: -1, BackupTime: backedUp},
		{Name: "escape", Path: "../escape", Size: -1},
	}
	c, err := Compare(context.Background(), restored, source, files)
	if err != nil {
		t.Fatal(err)
	}
	want := Comparison{Files: 6, Bytes: 22, Compared: 2, Matched: 1, Changed: 2, NotInSource: 1,
		Mismatched: []string{"bad.txt", "short.txt"}, Unreadable: []string{"missing.txt", "escape"}}
	if !equalComparison(c, want) {
		t.Errorf("Compare =\n %+v\nwant\n %+v", c, want)
	}
	var rt RestoreTest
	c.Fill(&rt)
	if rt.Files != 6 || rt.Changed != 2 || rt.Matched != 1 || len(rt.Unreadable) != 2 {
		t.Errorf("Fill: %+v", rt)
	}

	// Without a source, files are read whole but not compared.
	c, err = Compare(context.Background(), restored, "", files[:1])
	if err != nil || c.Files != 1 || c.Compared != 0 || c.Changed != 0 {
		t.Errorf("no source: %+v, %v", c, err)
	}
}

// TestCompareAlternatives checks that an original not at Original is
// looked for at each of Alternatives in turn, only inside the source.
func TestCompareAlternatives(t *testing.T) {
	base, restored := t.TempDir(), t.TempDir()
	source := filepath.Join(base, "src")
	backedUp := time.Date(2026, 11, 29, 22, 0, 0, 0, time.UTC)
	before := backedUp.Add(-time.Hour)
	write(t, restored, "r/moved.txt", "same", before)
	write(t, source, "moved.txt", "same", before)
	write(t, restored, "r/first.txt", "AAAA", before)
	write(t, source, "first.txt", "AAAA", before)
	write(t, source, "alt/first.txt", "BBBB", before) // Original is there: not used
	write(t, restored, "r/order.txt", "CCCC", before)
	write(t, source, "y/order.txt", "CCCC", before)
	write(t, source, "order.txt", "DDDD", before) // a later alternative: not used
	write(t, restored, "r/gone.txt", "gone", before)
	write(t, base, "gone.txt", "gone", before) // outside the source
	files := []Restored{
		{Name: "moved.txt", Path: "r/moved.txt", Original: "home/ann/moved.txt", Alternatives: []string{"ann/moved.txt", "moved.txt"}, Size: 4, BackupTime: backedUp},
		{Name: "first.txt", Path: "r/first.txt", Original: "first.txt", Alternatives: []string{"alt/first.txt"}, Size: 4, BackupTime: backedUp},
		{Name: "order.txt", Path: "r/order.txt", Original: "x/order.txt", Alternatives: []string{"y/order.txt", "order.txt"}, Size: 4, BackupTime: backedUp},
		{Name: "gone.txt", Path: "r/gone.txt", Original: "x/gone.txt", Alternatives: []string{"../gone.txt", "/gone.txt", "", "link/gone.txt"}, Size: 4, BackupTime: backedUp},
	}
	if runtime.GOOS != "windows" {
		if err := os.Symlink(base, filepath.Join(source, "link")); err != nil {
			t.Fatal(err)
		}
	}
	c, err := Compare(context.Background(), restored, source, files)
	if err != nil {
		t.Fatal(err)
	}
	want := Comparison{Files: 4, Bytes: 16, Compared: 3, Matched: 3, Changed: 1}
	if !equalComparison(c, want) {
		t.Errorf("Compare =\n %+v\nwant\n %+v", c, want)
	}
}

func equalComparison(a, b Comparison) bool {
	return a.Files == b.Files && a.Bytes == b.Bytes && a.Compared == b.Compared && a.Matched == b.Matched &&
		a.Changed == b.Changed && a.NotInSource == b.NotInSource &&
		slices.Equal(a.Mismatched, b.Mismatched) && slices.Equal(a.Unreadable, b.Unreadable)
}

// TestCompareRefusesLinksOut checks that a restored symbolic link cannot
// make Compare read a file outside the restore folder.
func TestCompareRefusesLinksOut(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("symbolic links need privileges on Windows")
	}
	restored, outside := t.TempDir(), t.TempDir()
	write(t, outside, "secret.txt", "secret", time.Now())
	if err := os.Symlink(filepath.Join(outside, "secret.txt"), filepath.Join(restored, "link.txt")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, filepath.Join(restored, "dir")); err != nil {
		t.Fatal(err)
	}
	c, err := Compare(context.Background(), restored, "", []Restored{
		{Name: "link.txt", Path: "link.txt", Size: -1}, {Name: "dir/secret.txt", Path: "dir/secret.txt", Size: -1}})
	if err != nil || c.Files != 0 || len(c.Unreadable) != 2 {
		t.Errorf("links out were followed: %+v, %v", c, err)
	}
}

func TestRemoveTempReadOnly(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "restore")
	write(t, dir, "a/b/c.txt", "x", time.Now())
	if err := os.Chmod(filepath.Join(dir, "a", "b", "c.txt"), 0o400); err != nil {
		t.Fatal(err)
	}
	for _, d := range []string{"a/b", "a"} {
		if err := os.Chmod(filepath.Join(dir, d), 0o500); err != nil {
			t.Fatal(err)
		}
	}
	if err := RemoveTemp(dir); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("still there: %v", err)
	}
}

func TestModifiable(t *testing.T) {
	dir := t.TempDir()
	known, writable := Modifiable([]string{dir, filepath.Join(dir, "missing")})
	if runtime.GOOS == "windows" {
		if known {
			t.Error("Windows permissions are not read yet, so should not be known")
		}
		return
	}
	if !known || !slices.Equal(writable, []string{dir}) {
		t.Errorf("own temp dir: known %v, writable %v", known, writable)
	}
	if known, _ := Modifiable([]string{filepath.Join(dir, "missing")}); known {
		t.Error("a missing path was judged")
	}
}
