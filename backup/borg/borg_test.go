package borg

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/handwash/handwash"
	"github.com/handwash/handwash/backup"
)

const testPassphrase = "correct horse battery staple"

// needBorg skips the test when borg is not installed, unless
// HANDWASH_TEST_ALL=1 asks for every test to run.
func needBorg(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("borg"); err != nil {
		if os.Getenv("HANDWASH_TEST_ALL") == "1" {
			t.Fatal("borg is not on PATH and HANDWASH_TEST_ALL=1: install borgbackup (apt install borgbackup)")
		}
		t.Skip("borg is not on PATH: install borgbackup to run this test (HANDWASH_TEST_ALL=1 makes this a failure)")
	}
}

// fixture is a borg repository in a temporary folder, with the folder it
// backs up.
type fixture struct {
	t    *testing.T
	dir  string
	repo string
	src  string
	env  []string
}

// newFixture makes a source tree and an encrypted repository (with extra
// borg init options), without archives.
func newFixture(t *testing.T, initArgs ...string) *fixture {
	t.Helper()
	needBorg(t)
	t.Parallel()
	dir := t.TempDir()
	f := &fixture{t: t, dir: dir, repo: filepath.Join(dir, "repo"), src: filepath.Join(dir, "src"),
		// TZ is overridden by Verify: times must still come out right.
		env: []string{"BORG_BASE_DIR=" + filepath.Join(dir, "base"), "TZ=America/New_York"}}
	writeTree(t, f.src)
	f.borg("", append(append([]string{"init", "--encryption=repokey"}, initArgs...), f.repo)...)
	return f
}

// backedUp is newFixture with one archive, "first", of the source folder
// by its absolute path.
func backedUp(t *testing.T, initArgs ...string) *fixture {
	f := newFixture(t, initArgs...)
	f.borg("", "create", f.repo+"::first", f.src)
	return f
}

// borg runs borg in dir with the fixture's environment and passphrase.
func (f *fixture) borg(dir string, args ...string) string {
	f.t.Helper()
	cmd := exec.Command("borg", args...)
	cmd.Dir = dir
	cmd.Env = append(append(os.Environ(), f.env...), "BORG_PASSPHRASE="+testPassphrase)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		f.t.Fatalf("borg %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	return string(out)
}

func (f *fixture) opts() Options {
	return Options{Repo: f.repo, Passphrase: testPassphrase, Source: f.src, Env: f.env, Sample: 100, TempDir: f.dir}
}

// testFiles are the regular files with content in the source tree.
var testFiles = map[string][]byte{
	"letter.txt":                   []byte("Dear Mrs Smith,\nYour care plan is attached.\n"),
	"docs/rota/week1.csv":          []byte("name,day\nann,mon\nbob,tue\n"),
	"docs/rota/week2.csv":          []byte("name,day\ncat,wed\n"),
	"docs/policies/infection.md":   []byte("# Infection control\nWash your hands.\n"),
	"images/scan.bin":              binary(6000),
	"deep/er/and/deeper/notes.txt": []byte("nested\n"),
}

func binary(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i*7 + i/256)
	}
	return b
}

func writeTree(t *testing.T, root string) {
	t.Helper()
	for name, data := range testFiles {
		p := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(root, "empty.txt"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("letter.txt", filepath.Join(root, "link.txt")); err != nil {
		t.Fatal(err)
	}
	// Make every original older than the backup, as most are.
	old := time.Now().Add(-time.Hour)
	_ = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			err = os.Chtimes(p, old, old)
		}
		return err
	})
}

func verify(t *testing.T, o Options) *backup.Verification {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	v, err := Verify(ctx, o)
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	return v
}

func TestVerifyGood(t *testing.T) {
	f := backedUp(t)
	before := time.Now()
	v := verify(t, f.opts())
	if v.Kind != backup.KindBorg || v.Location != f.repo || !strings.HasPrefix(v.Tool, "borg 1.") {
		t.Errorf("Kind, Location, Tool = %q, %q, %q", v.Kind, v.Location, v.Tool)
	}
	if v.Backups != 1 || v.Newest == nil {
		t.Fatalf("Backups = %d, Newest = %v; want 1 archive", v.Backups, v.Newest)
	}
	if d := before.Sub(*v.Newest); d < -time.Minute || d > 5*time.Minute {
		t.Errorf("Newest = %v, %v before the check: the time zone is wrong", v.Newest, d)
	}
	if !v.Integrity.Ran || !v.Integrity.OK || v.Integrity.Subset != "" {
		t.Errorf("Integrity = %+v", v.Integrity)
	}
	r := v.Restore
	if !r.OK() || r.Files != len(testFiles) || r.Compared != len(testFiles) || r.Matched != len(testFiles) || r.Snapshot != "first" {
		t.Errorf("Restore = %+v; want all %d files restored and matched", r, len(testFiles))
	}
	if !strings.Contains(r.Detail, "were identical") {
		t.Errorf("Restore.Detail = %q", r.Detail)
	}
	if !v.Exposure.Known || !v.Exposure.CanDelete || !strings.Contains(v.Exposure.Detail, "can change or delete") {
		t.Errorf("Exposure = %+v; this account made the repository, so can delete it", v.Exposure)
	}
	if v.StartedAt.IsZero() || v.FinishedAt.Before(v.StartedAt) {
		t.Errorf("StartedAt, FinishedAt = %v, %v", v.StartedAt, v.FinishedAt)
	}
	leftovers, _ := filepath.Glob(filepath.Join(f.dir, "handwash-borg-*"))
	if len(leftovers) > 0 {
		t.Errorf("restored files left behind: %v", leftovers)
	}
}

func TestVerifyDataAndNewest(t *testing.T) {
	f := backedUp(t)
	time.Sleep(1100 * time.Millisecond) // archive times are to the second
	if err := os.WriteFile(filepath.Join(f.src, "letter.txt"), []byte("second version\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	f.borg("", "create", f.repo+"::second", f.src)
	o := f.opts()
	o.VerifyData, o.Source, o.Sample = true, "", 2
	v := verify(t, o)
	if v.Backups != 2 || v.Restore.Snapshot != "second" {
		t.Errorf("Backups = %d, Snapshot = %q; want 2, second", v.Backups, v.Restore.Snapshot)
	}
	if !v.Integrity.OK || v.Integrity.Subset != "all" || !strings.Contains(v.Integrity.Detail, "--verify-data") {
		t.Errorf("Integrity = %+v", v.Integrity)
	}
	r := v.Restore
	if !r.OK() || r.Files != 2 || r.Compared != 0 || !strings.Contains(r.Detail, "No original folder") {
		t.Errorf("without a source, sample 2: Restore = %+v", r)
	}
}

func TestVerifyRelativeArchive(t *testing.T) {
	f := newFixture(t)
	f.borg(f.src, "create", f.repo+"::rel", ".")
	v := verify(t, f.opts())
	if !v.Restore.OK() || v.Restore.Matched != len(testFiles) {
		t.Errorf("archive made from inside the source: Restore = %+v", v.Restore)
	}
}

// TestVerifyChangedSource also checks an append-only repository, to spare
// a borg run.
func TestVerifyChangedSource(t *testing.T) {
	f := backedUp(t, "--append-only")
	// Changed since the backup: not compared.
	changed := filepath.Join(f.src, "docs", "rota", "week1.csv")
	if err := os.WriteFile(changed, []byte("name,day\nann,fri\nbob,sat\nzed,sun\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	// Deleted since: not compared.
	if err := os.Remove(filepath.Join(f.src, "letter.txt")); err != nil {
		t.Fatal(err)
	}
	// Different, yet the same size and dated as backed up: a mismatch.
	// (Its own time, not a new one: borg recorded it, and a time over 2
	// seconds from that is a change.)
	same := filepath.Join(f.src, "docs", "rota", "week2.csv")
	fi, err := os.Stat(same)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(same, []byte("name,day\ncat,thu\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(same, fi.ModTime(), fi.ModTime()); err != nil {
		t.Fatal(err)
	}
	v := verify(t, f.opts())
	r := v.Restore
	if r.Files != len(testFiles) || r.Compared != len(testFiles)-2 || r.Matched != len(testFiles)-3 || r.Changed != 2 {
		t.Errorf("Restore = %+v; want %d restored, %d compared, %d matched, 2 changed", r, len(testFiles), len(testFiles)-2, len(testFiles)-3)
	}
	if len(r.Mismatched) != 1 || !strings.HasSuffix(r.Mismatched[0], "docs/rota/week2.csv") || r.OK() {
		t.Errorf("Mismatched = %v; want week2.csv", r.Mismatched)
	}
	if !strings.Contains(r.Detail, "2 files were not compared") {
		t.Errorf("Restore.Detail = %q; want the 2 changed files counted", r.Detail)
	}
	if !strings.Contains(v.Exposure.Detail, "append-only") || !strings.Contains(v.Exposure.Detail, "can be undone") {
		t.Errorf("Exposure.Detail = %q; want append-only explained", v.Exposure.Detail)
	}
}

func TestVerifyCorrupt(t *testing.T) {
	f := backedUp(t)
	corruptLargestSegment(t, f.repo)
	v := verify(t, f.opts())
	in := v.Integrity
	if !in.Ran || in.OK || !strings.Contains(in.Detail, "damage") || !strings.Contains(in.Detail, "borg check --repair") {
		t.Errorf("Integrity = %+v; want a failed check explained", in)
	}
	t.Logf("Integrity.Detail: %s", in.Detail)
	t.Logf("Restore: %+v", v.Restore)
}

// corruptLargestSegment flips bytes in the middle of the repository's
// largest segment file, where the backed-up data is.
func corruptLargestSegment(t *testing.T, repo string) {
	t.Helper()
	var largest string
	var size int64
	_ = filepath.WalkDir(filepath.Join(repo, "data"), func(p string, d fs.DirEntry, err error) error {
		if fi, e := d.Info(); err == nil && e == nil && d.Type().IsRegular() && fi.Size() > size {
			largest, size = p, fi.Size()
		}
		return err
	})
	b, err := os.ReadFile(largest)
	if err != nil {
		t.Fatal(err)
	}
	for i := len(b) / 2; i < len(b)/2+32 && i < len(b); i++ {
		b[i] ^= 0xff
	}
	if err := os.WriteFile(largest, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestVerifyWrongPassphrase(t *testing.T) {
	f := backedUp(t)
	o := f.opts()
	o.Passphrase = "not the passphrase at all"
	_, err := Verify(context.Background(), o)
	wantError(t, err, handwash.EINVALID, "passphrase", "wrong")
	if strings.Contains(err.Error(), o.Passphrase) || strings.Contains(err.Error(), testPassphrase) {
		t.Errorf("the error shows a passphrase: %v", err)
	}
	var he *handwash.Error
	if errors.As(err, &he) && he.Err != nil && strings.Contains(he.Err.Error(), o.Passphrase) {
		t.Errorf("the error's cause shows the passphrase: %v", he.Err)
	}
}

func TestVerifyPassphraseFile(t *testing.T) {
	f := backedUp(t)
	o := f.opts()
	o.Passphrase = ""
	o.PassphraseFile = filepath.Join(f.dir, "pass")
	if err := os.WriteFile(o.PassphraseFile, []byte(testPassphrase+"\r\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if v := verify(t, o); !v.Integrity.OK || !v.Restore.OK() {
		t.Errorf("with a passphrase file: %+v", v)
	}
	o.PassphraseFile = filepath.Join(f.dir, "nope")
	_, err := Verify(context.Background(), o)
	wantError(t, err, handwash.EINVALID, "passphrase file", "does not exist")
	// With none given (and none in the environment), borg must not wait
	// for a keyboard.
	o.PassphraseFile = ""
	o.Env = append(o.Env, "BORG_PASSPHRASE=", "BORG_PASSCOMMAND=", "BORG_PASSPHRASE_FD=")
	_, err = Verify(context.Background(), o)
	wantError(t, err, handwash.EINVALID, "passphrase")
}

func TestVerifyMissingRepo(t *testing.T) {
	f := newFixture(t)
	o := f.opts()
	o.Repo = filepath.Join(f.dir, "no-such-repo")
	_, err := Verify(context.Background(), o)
	wantError(t, err, handwash.ENOTFOUND, "There is no borg repository at "+o.Repo)
	o.Repo = f.src
	_, err = Verify(context.Background(), o)
	wantError(t, err, handwash.ENOTFOUND, "is not a borg repository")
}

func TestVerifyUnreachableServer(t *testing.T) {
	needBorg(t)
	if _, err := exec.LookPath("ssh"); err != nil {
		t.Skip("ssh is not installed")
	}
	t.Parallel()
	_, err := Verify(context.Background(), Options{Repo: "ssh://backup@127.0.0.1:1/srv/borg", Passphrase: testPassphrase,
		Env: []string{"BORG_BASE_DIR=" + t.TempDir()}})
	// ssh's own reason is quoted when borg passes it on, which it does not
	// always do in time; the plain message is always there.
	wantError(t, err, handwash.ENOTFOUND, "Could not connect to the backup server for ssh://backup@127.0.0.1:1/srv/borg")
}

func TestVerifyEmptyRepo(t *testing.T) {
	f := newFixture(t)
	v := verify(t, f.opts())
	if v.Backups != 0 || v.Newest != nil || v.Restore.Ran || !strings.Contains(v.Restore.Detail, "no backups") || !v.Integrity.OK {
		t.Errorf("empty repository: %+v", v)
	}
}

func TestVerifyBadOptions(t *testing.T) {
	tests := []struct {
		name string
		o    Options
		code string
		want string
	}{
		{"no repo", Options{}, handwash.EINVALID, "Give the borg repository"},
		{"archive", Options{Repo: "/mnt/b::mon"}, handwash.EINVALID, "without an archive name"},
		{"both", Options{Repo: "/r", Passphrase: "x", PassphraseFile: "/p"}, handwash.EINVALID, "not both"},
		{"source", Options{Repo: "/r", Source: "/no/such/folder"}, handwash.EINVALID, "original folder"},
		{"temp", Options{Repo: "/r", TempDir: "/no/such/folder"}, handwash.EINVALID, "temporary folder"},
		{"negative", Options{Repo: "/r", Sample: -1}, handwash.EINVALID, "cannot be negative"},
		{"no borg", Options{Repo: "/r", Borg: "/no/such/borg"}, handwash.ENOTFOUND, "/no/such/borg was not found"},
		{"ssh", Options{Repo: "ssh://", Borg: "/no/such/borg"}, handwash.EINVALID, "not a valid address"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Verify(context.Background(), tt.o)
			wantError(t, err, tt.code, tt.want)
		})
	}
}

func TestOptionsStringHidesPassphrase(t *testing.T) {
	o := Options{Repo: "/r", Passphrase: "hunter2-secret", Env: []string{"BORG_PASSPHRASE=hunter3-secret"}}
	for _, s := range []string{o.String(), o.GoString()} {
		if strings.Contains(s, "hunter") {
			t.Errorf("%s shows a passphrase", s)
		}
	}
}

func wantError(t *testing.T, err error, code string, words ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error; want %s", code)
	}
	if got := handwash.ErrorCode(err); got != code {
		t.Errorf("code %s, want %s: %v", got, code, err)
	}
	for _, w := range words {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error %q does not say %q", err, w)
		}
	}
}
