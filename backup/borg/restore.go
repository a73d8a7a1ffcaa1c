package borg

import (
	"context"
	"crypto/sha256"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/handwash/handwash"
	"github.com/handwash/handwash/backup"
)

// restore restores a random sample of files from the newest archive into
// a temporary folder, compares them with the originals and deletes them.
func (r *runner) restore(ctx context.Context, o Options, newest *archive) (backup.RestoreTest, error) {
	if newest == nil {
		return backup.RestoreTest{Detail: "The repository has no backups (archives), so nothing could be restored."}, nil
	}
	rt := backup.RestoreTest{Snapshot: newest.Name}
	p, note, err := r.pick(ctx, newest, o)
	if err != nil || note != "" {
		rt.Detail = note
		return rt, err
	}
	left := p.within(o.SampleBytes)
	if len(p.chosen) == 0 {
		rt.Detail = fmt.Sprintf("The newest backup, %s, has no files with content to restore (%s listed).", newest.Name, plural(p.files, "file"))
		return rt, nil
	}
	began := time.Now()
	t, err := r.extract(ctx, o, newest, p.chosen)
	if err != nil {
		return rt, err
	}
	if t.stopped != "" {
		rt.Detail = "The test restore could not run. " + t.stopped + t.leftoverNote()
		return rt, nil
	}
	t.fill(&rt)
	rt.Seconds = time.Since(began).Seconds()
	rt.Detail = t.detail(newest, o.Source, left, p.damaged)
	return rt, nil
}

// extract restores files into a new temporary folder, compares them and
// deletes the folder.
func (r *runner) extract(ctx context.Context, o Options, a *archive, files []item) (*tally, error) {
	dir, err := os.MkdirTemp(o.TempDir, "handwash-borg-")
	if err != nil {
		return nil, &handwash.Error{Code: handwash.EINVALID, Err: err,
			Message: fmt.Sprintf("Handwash could not make a temporary folder to restore files into (%s). Give a folder with free space as the temporary folder.", plainOSError(err))}
	}
	t := &tally{}
	defer t.remove(dir)
	args := []string{"extract", "--noacls", "--noxattrs", "--noflags", "--numeric-ids", "--", r.loc.arg + "::" + a.Name}
	for _, f := range files {
		args = append(args, "pf:"+f.Path)
	}
	out, err := r.run(ctx, dir, nil, args...)
	if err != nil {
		return nil, err
	}
	if err := r.stopError(out); err != nil {
		t.stopped = err.Error()
		return t, nil
	}
	if out.code >= 2 {
		t.said = r.scrub(out.summary())
	}
	t.compareAll(dir, o.Source, a.Start, files)
	return t, nil
}

// tally is what a test restore found.
type tally struct {
	files      int
	bytes      int64
	compared   int
	matched    int
	changed    int // originals changed or gone since the backup
	mismatched []string
	unreadable []string
	said       string // what borg said when extract failed
	stopped    string // why extract could not run at all
	leftover   string // a temporary folder that could not be deleted
}

// remove deletes the temporary folder, noting it if it cannot. Should a
// restored folder be read-only, it makes the folders writable and tries
// again.
func (t *tally) remove(dir string) {
	if os.RemoveAll(dir) == nil {
		return
	}
	_ = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.IsDir() {
			_ = os.Chmod(p, 0o700)
		}
		return nil
	})
	if os.RemoveAll(dir) != nil {
		t.leftover = dir
	}
}

func (t *tally) fill(rt *backup.RestoreTest) {
	rt.Ran = true
	rt.Files, rt.Bytes = t.files, t.bytes
	rt.Compared, rt.Matched, rt.Changed = t.compared, t.matched, t.changed
	rt.Mismatched, rt.Unreadable = t.mismatched, t.unreadable
}

func (t *tally) compareAll(dir, source string, at time.Time, files []item) {
	for _, it := range files {
		t.compare(dir, source, at, it)
	}
}

// compare checks one restored file: that it came back whole, and that it
// matches its original when that has not changed since the backup.
func (t *tally) compare(dir, source string, at time.Time, it item) {
	sum, size, err := hashRestored(filepath.Join(dir, filepath.FromSlash(it.Path)))
	if err != nil || it.damaged() {
		t.unreadable = append(t.unreadable, it.Path)
		return
	}
	t.files++
	t.bytes += size
	if size != it.Size {
		// Restored short or long: not what was backed up, whatever the
		// original is now.
		t.mismatched = append(t.mismatched, it.Path)
		return
	}
	if source == "" {
		return
	}
	orig := findOriginal(source, it.Path)
	fi, err := os.Lstat(orig)
	if orig == "" || err != nil || !unchanged(fi, it, at) {
		t.changed++
		return
	}
	osum, _, err := hashFile(orig)
	if err != nil {
		t.changed++ // removed or unreadable between the look and the read
		return
	}
	t.compared++
	if osum == sum {
		t.matched++
	} else {
		t.mismatched = append(t.mismatched, it.Path)
	}
}

// mtimeSlack is how far an original's modification time may be past the
// backup's, or from the time borg recorded, and still count as unchanged:
// FAT and some network shares keep times to 2 seconds, and borg lists an
// archive's start to the second (as backup.MtimeSlack).
const mtimeSlack = 2 * time.Second

// unchanged reports whether an original looks as it did when backed up: a
// regular file of the recorded size, modified no later than the backup
// started and at the time borg recorded.
func unchanged(fi fs.FileInfo, it item, at time.Time) bool {
	if !fi.Mode().IsRegular() || fi.Size() != it.Size {
		return false
	}
	mt := fi.ModTime()
	if mt.After(at.Add(mtimeSlack)) {
		return false
	}
	if rec, err := parseBorgTime(it.Mtime); err == nil {
		d := mt.Sub(rec)
		return -mtimeSlack <= d && d <= mtimeSlack
	}
	return true
}

// findOriginal finds the original of a file in the archive under the
// source folder, or "". borg stores paths as given to borg create, without
// a leading /: /home/ann/docs/a.txt backed up by absolute path is
// home/ann/docs/a.txt; from inside /home/ann, docs/a.txt. With source
// /home/ann, each is tried after dropping a leading part that ends the
// source's own path ("home/ann", "ann", nothing), longest first.
func findOriginal(source, archived string) string {
	for _, p := range originalCandidates(source, archived) {
		if _, err := os.Lstat(p); err == nil {
			return p
		}
	}
	return ""
}

func originalCandidates(source, archived string) []string {
	src := strings.Split(filepath.ToSlash(filepath.Clean(source)), "/")
	parts := strings.Split(archived, "/")
	var out []string
	for k := min(len(src), len(parts)-1); k >= 0; k-- {
		if equalParts(parts[:k], src[len(src)-k:]) {
			out = append(out, filepath.Join(source, filepath.FromSlash(strings.Join(parts[k:], "/"))))
		}
	}
	return out
}

func equalParts(a, b []string) bool {
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return len(a) == len(b)
}

// hashRestored hashes a restored file, first letting this account read it
// should borg have restored it without read permission.
func hashRestored(name string) ([sha256.Size]byte, int64, error) {
	sum, n, err := hashFile(name)
	if os.IsPermission(err) && os.Chmod(name, 0o600) == nil {
		return hashFile(name)
	}
	return sum, n, err
}

// hashFile returns the SHA-256 and size of a regular file.
func hashFile(name string) ([sha256.Size]byte, int64, error) {
	var sum [sha256.Size]byte
	fi, err := os.Lstat(name)
	if err != nil {
		return sum, 0, err
	}
	if !fi.Mode().IsRegular() {
		return sum, 0, fmt.Errorf("%s is not a regular file", name)
	}
	f, err := os.Open(name)
	if err != nil {
		return sum, 0, err
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	h.Sum(sum[:0])
	return sum, n, err
}
