package restic

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
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

// requireRestic skips a test that needs the restic program when it is not
// installed, unless HANDWASH_TEST_ALL=1 asks for every test to run.
func requireRestic(t testing.TB) string {
	t.Helper()
	bin, err := exec.LookPath("restic")
	if err != nil {
		if os.Getenv("HANDWASH_TEST_ALL") == "1" {
			t.Fatalf("restic is not installed, and HANDWASH_TEST_ALL=1 needs every test to run: install it (sudo apt install restic)")
		}
		t.Skip("restic is not installed (sudo apt install restic); set HANDWASH_TEST_ALL=1 to make this a failure")
	}
	return bin
}

// fixture is a restic repository holding one backup of a small tree.
type fixture struct {
	repo, pwFile, source string
	files                map[string][]byte // path inside source -> content
}

const testPassword = "correct horse battery staple"

func resticCmd(t testing.TB, f *fixture, stdin *os.File, args ...string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command("restic", append([]string{"-r", f.repo, "--cache-dir", filepath.Join(filepath.Dir(f.repo), "cache")}, args...)...)
	cmd.Env = append(os.Environ(), "RESTIC_PASSWORD_FILE="+f.pwFile)
	if stdin != nil {
		cmd.Stdin = stdin
	}
	return cmd
}

func restic(t testing.TB, f *fixture, args ...string) {
	t.Helper()
	if out, err := resticCmd(t, f, nil, args...).CombinedOutput(); err != nil {
		t.Fatalf("restic %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

// newFixture makes a source tree (nested folders, text and binary files,
// names with spaces and wildcard characters), a repository with a
// password file, and one backup of the tree.
func newFixture(t testing.TB, files map[string][]byte) *fixture {
	t.Helper()
	requireRestic(t)
	dir := t.TempDir()
	f := &fixture{repo: filepath.Join(dir, "repo"), pwFile: filepath.Join(dir, "password"), source: filepath.Join(dir, "Documents"), files: files}
	if err := os.WriteFile(f.pwFile, []byte(testPassword+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for name, data := range files {
		p := filepath.Join(f.source, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	restic(t, f, "init")
	restic(t, f, "backup", f.source)
	return f
}

func random(n int) []byte {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return b
}

func smallTree() map[string][]byte {
	return map[string][]byte{
		"care plans/Mrs Smith.txt":          []byte("Mobility: needs a frame. Diet: soft.\n"),
		"care plans/archive/2025 [old].txt": []byte("older plan\n"),
		"rota/week 48*.csv":                 []byte("Mon,Tue,Wed\nAnn,Bob,Cat\n"),
		"scans/letter.pdf":                  random(200_000),
		"scans/photo.jpg":                   random(70_000),
		"empty.txt":                         nil,
		"deep/a/b/c/d/notes.md":             []byte("# Notes\n"),
	}
}

func (f *fixture) options() Options {
	return Options{Repo: f.repo, PasswordFile: f.pwFile, Source: f.source, Sample: 100, Seed: 7, TempDir: filepath.Dir(f.repo)}
}

func TestVerifyGood(t *testing.T) {
	t.Parallel()
	f := newFixture(t, smallTree())
	v, err := Verify(context.Background(), f.options())
	if err != nil {
		t.Fatal(err)
	}
	n := len(f.files)
	if v.Kind != backup.KindRestic || v.Backups != 1 || v.Newest == nil || time.Since(*v.Newest) > time.Minute || !strings.HasPrefix(v.Tool, "restic ") {
		t.Errorf("snapshots: %+v", v)
	}
	if !v.Integrity.Ran || !v.Integrity.OK {
		t.Errorf("integrity: %+v", v.Integrity)
	}
	r := v.Restore
	if !r.OK() || r.Files != n || r.Compared != n || r.Matched != n || r.Changed != 0 || r.Bytes != 270_000+37+11+24+8 {
		t.Errorf("restore: %+v", r)
	}
	if !strings.Contains(r.Detail, fmt.Sprintf("%d of the %d files", n, n)) {
		t.Errorf("restore detail: %q", r.Detail)
	}
	if runtime.GOOS != "windows" {
		if !v.Exposure.Known || !v.Exposure.CanDelete || !strings.Contains(v.Exposure.Detail, "can write to") {
			t.Errorf("exposure of our own folder: %+v", v.Exposure)
		}
	}
	fs := backup.Findings(v, backup.FindingOptions{})
	for _, fd := range fs {
		want := handwash.StatusPass
		if fd.ControlID == backup.ControlProtected {
			want = handwash.StatusFail
		}
		if fd.Status != want {
			t.Errorf("%s: %s, want %s: %s", fd.ControlID, fd.Status, want, fd.Summary)
		}
	}
	if _, err := os.Stat(filepath.Join(f.repo, "locks")); err == nil {
		if entries, _ := os.ReadDir(filepath.Join(f.repo, "locks")); len(entries) > 0 {
			t.Errorf("a lock was left in the repository: %v", entries)
		}
	}
	leftovers, _ := filepath.Glob(filepath.Join(filepath.Dir(f.repo), "handwash-restic-*"))
	if len(leftovers) > 0 {
		t.Errorf("temporary folders left behind: %v", leftovers)
	}
}

func TestVerifySampleAndNoSource(t *testing.T) {
	t.Parallel()
	f := newFixture(t, smallTree())
	o := f.options()
	o.Sample, o.Source = 3, ""
	v, err := Verify(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	if r := v.Restore; !r.OK() || r.Files != 3 || r.Compared != 0 || !strings.Contains(r.Detail, "No source folder was given") {
		t.Errorf("restore: %+v", r)
	}
}

// TestVerifyChangedSourceSkipped changes a file after the backup: it is
// counted as changed and not compared, not reported as a mismatch.
func TestVerifyChangedSourceSkipped(t *testing.T) {
	t.Parallel()
	f := newFixture(t, smallTree())
	p := filepath.Join(f.source, "care plans", "Mrs Smith.txt")
	if err := os.WriteFile(p, []byte("Mobility: walks unaided now. Diet: normal.\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	later := time.Now().Add(time.Minute)
	if err := os.Chtimes(p, later, later); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(f.source, "scans", "photo.jpg")); err != nil {
		t.Fatal(err)
	}
	v, err := Verify(context.Background(), f.options())
	if err != nil {
		t.Fatal(err)
	}
	r := v.Restore
	if !r.OK() || r.Changed != 2 || r.Compared != len(f.files)-2 || r.Matched != r.Compared {
		t.Errorf("restore: %+v", r)
	}
}

// TestVerifySourceNotInSnapshot gives a source folder the snapshot does
// not hold: nothing is compared, and the detail says why.
func TestVerifySourceNotInSnapshot(t *testing.T) {
	t.Parallel()
	f := newFixture(t, smallTree())
	o := f.options()
	o.Source = t.TempDir()
	v, err := Verify(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	if r := v.Restore; !r.OK() || r.Compared != 0 || !strings.Contains(r.Detail, "is not among the folders this snapshot holds") {
		t.Errorf("restore: %+v", r)
	}
}

// TestVerifyCorruptPack flips bytes in every pack file: restic check,
// reading all the data, must report the damage, and the restore test must
// not call the damaged files whole.
func TestVerifyCorruptPack(t *testing.T) {
	t.Parallel()
	f := newFixture(t, smallTree())
	corruptPacks(t, f.repo)
	o := f.options()
	o.Subset = "1/1"
	v, err := Verify(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	in := v.Integrity
	if !in.Ran || in.OK || !strings.Contains(in.Detail, "restic check found errors") {
		t.Errorf("integrity: %+v", in)
	}
	if !strings.Contains(in.Detail, "does not match") && !strings.Contains(in.Detail, "verification failed") {
		t.Errorf("integrity detail does not say what is wrong: %q", in.Detail)
	}
	if v.Restore.OK() {
		t.Errorf("a restore from damaged packs was judged whole: %+v", v.Restore)
	}
	fs := backup.Findings(v, backup.FindingOptions{})
	if fs[2].Status != handwash.StatusFail || !strings.Contains(fs[2].Summary, "found damage") {
		t.Errorf("integrity finding: %s %q", fs[2].Status, fs[2].Summary)
	}
}

// corruptPacks flips bytes in the middle of every file under data/.
func corruptPacks(t *testing.T, repo string) {
	t.Helper()
	n := 0
	err := filepath.WalkDir(filepath.Join(repo, "data"), func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		if err := os.Chmod(p, 0o600); err != nil {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		for i := len(b) / 2; i < len(b)/2+8 && i < len(b); i++ {
			b[i] ^= 0xff
		}
		n++
		return os.WriteFile(p, b, 0o600)
	})
	if err != nil || n == 0 {
		t.Fatalf("corrupting %d packs: %v", n, err)
	}
}

func TestVerifyWrongPassword(t *testing.T) {
	t.Parallel()
	f := newFixture(t, smallTree())
	o := f.options()
	o.PasswordFile, o.Password = "", "not the password 7Hx"
	_, err := Verify(context.Background(), o)
	if handwash.ErrorCode(err) != handwash.EINVALID || !strings.Contains(err.Error(), "password does not open") {
		t.Fatalf("err = %v (%s)", err, handwash.ErrorCode(err))
	}
	if strings.Contains(err.Error(), "7Hx") || strings.Contains(fmt.Sprintf("%+v", err), "7Hx") {
		t.Errorf("the error repeats the password: %v", err)
	}
}

func TestVerifyMissingRepository(t *testing.T) {
	t.Parallel()
	requireRestic(t)
	dir := t.TempDir()
	pw := filepath.Join(dir, "pw")
	if err := os.WriteFile(pw, []byte("x\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := Verify(context.Background(), Options{Repo: filepath.Join(dir, "nothing here"), PasswordFile: pw})
	if handwash.ErrorCode(err) != handwash.EINVALID || !strings.Contains(err.Error(), "there is no restic repository at") {
		t.Fatalf("err = %v (%s)", err, handwash.ErrorCode(err))
	}
}

// TestVerifyLocked holds a real lock: restic backup --stdin waits for its
// input while holding the repository's lock, and restic check cannot take
// its exclusive lock meanwhile.
func TestVerifyLocked(t *testing.T) {
	t.Parallel()
	f := newFixture(t, smallTree())
	pr, pw, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	holder := resticCmd(t, f, pr, "backup", "--stdin", "--stdin-filename", "held.txt")
	if err := holder.Start(); err != nil {
		t.Fatal(err)
	}
	pr.Close()
	defer func() {
		pw.Write([]byte("done\n"))
		pw.Close()
		holder.Wait()
	}()
	waitForLock(t, f.repo)
	_, err = Verify(context.Background(), f.options())
	if handwash.ErrorCode(err) != handwash.ECONFLICT || !strings.Contains(err.Error(), "is locked by PID") || !strings.Contains(err.Error(), "unlock") {
		t.Fatalf("err = %v (%s)", err, handwash.ErrorCode(err))
	}
}

func waitForLock(t *testing.T, repo string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if entries, _ := os.ReadDir(filepath.Join(repo, "locks")); len(entries) > 0 {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatal("restic did not take a lock within 20 seconds")
}

func TestVerifyEmptyRepository(t *testing.T) {
	t.Parallel()
	requireRestic(t)
	dir := t.TempDir()
	f := &fixture{repo: filepath.Join(dir, "repo"), pwFile: filepath.Join(dir, "pw")}
	if err := os.WriteFile(f.pwFile, []byte("pw\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	restic(t, f, "init")
	v, err := Verify(context.Background(), Options{Repo: f.repo, PasswordFile: f.pwFile})
	if err != nil {
		t.Fatal(err)
	}
	if v.Backups != 0 || v.Newest != nil || v.Restore.Ran || !v.Integrity.OK {
		t.Errorf("%+v", v)
	}
}

func TestOptionErrors(t *testing.T) {
	dir := t.TempDir()
	pw := filepath.Join(dir, "pw")
	if err := os.WriteFile(pw, []byte("x\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("RESTIC_PASSWORD", "")
	t.Setenv("RESTIC_PASSWORD_FILE", "")
	t.Setenv("RESTIC_PASSWORD_COMMAND", "")
	tests := []struct {
		name string
		o    Options
		says string
	}{
		{"no repo", Options{PasswordFile: pw}, "--repo"},
		{"no password", Options{Repo: dir}, "no password"},
		{"both passwords", Options{Repo: dir, PasswordFile: pw, Password: "x"}, "not both"},
		{"missing password file", Options{Repo: dir, PasswordFile: filepath.Join(dir, "nope")}, "--password-file"},
		{"bad subset", Options{Repo: dir, PasswordFile: pw, Subset: "0/3"}, "--subset"},
		{"subset over", Options{Repo: dir, PasswordFile: pw, Subset: "4/3"}, "--subset"},
		{"subset words", Options{Repo: dir, PasswordFile: pw, Subset: "half"}, "--subset"},
		{"negative sample", Options{Repo: dir, PasswordFile: pw, Sample: -1}, "--sample"},
		{"source is a file", Options{Repo: dir, PasswordFile: pw, Source: pw}, "--source"},
		{"no restic", Options{Repo: dir, PasswordFile: pw, Restic: filepath.Join(dir, "no-restic-here")}, "restic is not installed"},
	}
	for _, tt := range tests {
		_, err := Verify(context.Background(), tt.o)
		if handwash.ErrorCode(err) != handwash.EINVALID || !strings.Contains(err.Error(), tt.says) {
			t.Errorf("%s: %v (%s)", tt.name, err, handwash.ErrorCode(err))
		}
	}
	for _, ok := range []string{"", "3/13", "1/1", "5%", "2.5%", "all"} {
		if err := checkSubset(ok); err != nil {
			t.Errorf("checkSubset(%q) = %v", ok, err)
		}
	}
}

// TestKnownErrors maps restic 0.14's own words, recorded from real runs,
// to errors; the repository location in them is already redacted.
func TestKnownErrors(t *testing.T) {
	tests := []struct {
		stderr string
		code   string
		says   string
	}{
		{"Fatal: wrong password or no key found\n", handwash.EINVALID, "the password does not open"},
		{"Fatal: unable to open config file: stat nope/config: no such file or directory\nIs there a repository at the following location?\nnope\n", handwash.EINVALID, "stat nope/config: no such file or directory"},
		{"reading repository password from stdin\nFatal: an empty password is not a password\n", handwash.EINVALID, "no password reached restic"},
		{"Resolving password failed: Fatal: /etc/pw does not exist\n", handwash.EINVALID, "/etc/pw does not exist"},
		{"unable to create lock in backend: repository is already locked by PID 10440 on vm by root (UID 0, GID 0)\nlock was created at 2026-11-30 07:05:25 (2.3s ago)\nstorage ID 78f4c347\nthe `unlock` command can be used to remove stale locks\n",
			handwash.ECONFLICT, "is locked by PID 10440 on vm by root: another restic"},
		{"unable to create lock in backend: repository is already locked exclusively by PID 7 on nas by backup (UID 1001, GID 1001)\n", handwash.ECONFLICT, "locked by PID 7 on nas by backup:"},
	}
	r := &runner{loc: "/srv/restic"}
	for _, tt := range tests {
		err := r.classify(errors.New("exit status 1"), tt.stderr, "check")
		if handwash.ErrorCode(err) != tt.code || !strings.Contains(err.Error(), tt.says) {
			t.Errorf("%q:\n got %v (%s)", tt.stderr, err, handwash.ErrorCode(err))
		}
	}
	err := r.classify(errors.New("exit status 1"), "Fatal: unable to open repository at rest:https://h/: 500 Internal Server Error\n", "check")
	if handwash.ErrorCode(err) != handwash.EINVALID || !strings.Contains(err.Error(), "500 Internal Server Error") {
		t.Errorf("other failure: %v", err)
	}
	if err := r.classify(context.Canceled, "", "check"); !errors.Is(err, context.Canceled) {
		t.Errorf("cancel: %v", err)
	}
}

func TestScrub(t *testing.T) {
	r := &runner{secret: "s3cret!"}
	got := r.scrub("Fatal: rest:https://office:hunter2@backup.example:8000/ said s3cret!")
	if strings.Contains(got, "hunter2") || strings.Contains(got, "s3cret!") {
		t.Errorf("scrub left a secret: %q", got)
	}
}

func TestRedact(t *testing.T) {
	for in, want := range map[string]string{
		"rest:https://office:hunter2@backup.example:8000/office/": "rest:https://office:***@backup.example:8000/office/",
		"rest:http://backup.example:8000/":                        "rest:http://backup.example:8000/",
		"/srv/restic":                                             "/srv/restic",
		"sftp:backup@nas:/srv/restic":                             "sftp:backup@nas:/srv/restic",
	} {
		if got := Redact(in); got != want {
			t.Errorf("Redact(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestIncludeBatches(t *testing.T) {
	var sample []node
	for i := range 300 {
		sample = append(sample, node{Path: fmt.Sprintf("/home/office/Documents/%03d %s.txt", i, strings.Repeat("x", 100))})
	}
	batches := includeBatches(sample, maxIncludeChars)
	total := 0
	for _, b := range batches {
		size := 0
		for _, p := range b {
			size += len(p) + len(" --include ")
		}
		if size > maxIncludeChars {
			t.Errorf("batch of %d characters", size)
		}
		total += len(b)
	}
	if total != 300 || len(batches) < 2 {
		t.Errorf("%d patterns in %d batches", total, len(batches))
	}
	if got := escapePattern("/a/we[ir]d*?.txt"); got != "/a/we[[]ir]d[*][?].txt" {
		t.Errorf("escapePattern = %q", got)
	}
}

func TestPathMap(t *testing.T) {
	src := t.TempDir()
	parent := filepath.Dir(src)
	base := filepath.Base(src)
	tests := []struct {
		paths []string
		tree  string
		want  string
	}{
		{[]string{src}, filepath.ToSlash(src) + "/a/b.txt", "a/b.txt"},                           // absolute backup
		{[]string{src}, "/" + base + "/a/b.txt", "a/b.txt"},                                      // relative backup
		{[]string{parent}, filepath.ToSlash(parent) + "/" + base + "/c.txt", "c.txt"},            // source inside the backed-up folder
		{[]string{parent}, filepath.ToSlash(parent) + "/other/c.txt", ""},                        // outside the source
		{[]string{filepath.Join(src, "sub")}, filepath.ToSlash(src) + "/sub/d.txt", "sub/d.txt"}, // backed-up folder inside the source
	}
	for _, tt := range tests {
		m := newPathMap(tt.paths, src)
		if got := m.original(tt.tree); got != tt.want {
			t.Errorf("paths %v, %s: got %q, want %q", tt.paths, tt.tree, got, tt.want)
		}
	}
	if forms := treeForms(`C:\Users\office`); forms[0] != "/C/Users/office" && filepath.Separator == '\\' {
		t.Errorf("treeForms = %v", forms)
	}
}

func TestCheckErrors(t *testing.T) {
	stderr := "using temporary cache in /tmp/x\nerror for tree 418fcc4a:\n  decrypting blob 418fcc4a8ac5e4b07cd5d0fcff51c6b8b5a0e3145c3da6ca33bc367e37b90536 failed: ciphertext verification failed\n" +
		"Pack ID does not match, want 9314d8e510edd5546e9a246718ac16bf617d5ea3579ecb0b3cef66ef96234b0e, got af008a2438c082ada11368ae8a20081aef2aabf50e05a249d70955734ec3e6e3\n" +
		"Pack ID does not match, want 1, got 2\nPack ID does not match, want 3, got 4\nFatal: repository contains errors\n"
	got := checkErrors(stderr)
	want := "error for tree 418fcc4a: decrypting blob 418fcc4a failed: ciphertext verification failed Pack ID does not match, want 9314d8e5, got af008a24 Pack ID does not match, want 1, got 2 (and 1 more lines: run restic check yourself to see them all)"
	if got != want {
		t.Errorf("checkErrors =\n %q\nwant\n %q", got, want)
	}
}

func TestCapped(t *testing.T) {
	c := &capped{max: 5}
	c.Write([]byte("abc"))
	c.Write([]byte("defgh"))
	if c.String() != "abcde" || !c.cut {
		t.Errorf("%q %v", c.String(), c.cut)
	}
	var b bytes.Buffer
	b.WriteString("x")
}

// TestSnapshotsOfSource checks that with a source folder only the
// snapshots that hold it count: another computer's newer snapshots in a
// shared repository must not hide that this one's stopped.
func TestSnapshotsOfSource(t *testing.T) {
	old := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	input := `[{"time":"2026-11-29T00:00:00Z","id":"b","short_id":"b","paths":["/srv/other"]},` +
		`{"time":"2026-11-01T00:00:00Z","id":"a","short_id":"a","paths":["/home/office"]},` +
		`{"time":"2026-10-01T00:00:00Z","id":"c","short_id":"c","paths":["/home/office/Documents"]}]`
	l := snapshotList{source: "/home/office/Documents"}
	if err := l.read(strings.NewReader(input)); err != nil {
		t.Fatal(err)
	}
	if l.count != 2 || l.all != 3 || l.newest.ID != "a" || !l.newest.Time.Equal(old) || !strings.Contains(l.note(), "2 of the repository's 3 snapshots") {
		t.Errorf("%+v %q", l, l.note())
	}
	l = snapshotList{source: "/nowhere"}
	if err := l.read(strings.NewReader(input)); err != nil || l.count != 3 || l.newest.ID != "b" || l.note() != "" {
		t.Errorf("no snapshot holds the source: %+v, %v", l, err)
	}
	l = snapshotList{}
	if err := l.read(strings.NewReader("[]")); err != nil || l.count != 0 {
		t.Errorf("empty: %+v, %v", l, err)
	}
}
