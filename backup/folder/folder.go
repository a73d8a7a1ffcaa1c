// Package folder verifies a plain copy of a folder, kept on another disk or
// a NAS (robocopy, rsync, a NAS's own backup app, or files copied by
// hand): the newest file in the copy (or a marker file the copy job
// updates), a test restore of a random sample of files read from the copy
// into a temporary folder and compared by SHA-256 with the originals that
// have not changed since, and whether this computer could delete or change
// the copy. A plain copy has no integrity check of its own.
//
// It never writes to the copy or the originals.
package folder

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/handwash/handwash"
	"github.com/handwash/handwash/backup"
)

// Options say which copy to verify and how.
type Options struct {
	// Copy is the folder holding the copy.
	Copy string
	// Source is the original folder the copy mirrors; empty means
	// restored files are only read back, not compared.
	Source string
	// Marker is a file the copy job updates each time it finishes; its
	// time is the newest backup's. A relative name is inside Copy. Empty
	// means the newest file in the copy.
	Marker string
	// Sample is how many files to restore (default backup.DefaultSample).
	Sample int
	// TempDir is where the temporary restore folder is made.
	TempDir string
	// Seed makes the sample repeatable, for tests; 0 chooses at random.
	Seed uint64
	// Now is the clock (default time.Now).
	Now func() time.Time
}

// skipDirs are folders that NAS systems and operating systems keep inside
// shares (recycle bins, snapshots, thumbnails, indexes): not part of the
// copy.
var skipDirs = map[string]bool{
	"@eaDir": true, "#recycle": true, "#snapshot": true, ".snapshot": true, ".snapshots": true, "@Recycle": true, "@Recently-Snapshot": true,
	"$RECYCLE.BIN": true, "System Volume Information": true, ".Trashes": true, ".Spotlight-V100": true, ".fseventsd": true, ".TemporaryItems": true,
}

func (o Options) check() (Options, error) {
	if o.Copy == "" {
		return o, handwash.Errorf(handwash.EINVALID, "--repo: give the folder that holds the copy, such as E:\\Backup or /mnt/nas/backup")
	}
	var err error
	if o.Copy, err = dir("--repo", o.Copy); err != nil {
		return o, err
	}
	if o.Source != "" {
		if o.Source, err = dir("--source", o.Source); err != nil {
			return o, err
		}
	}
	if o.Marker != "" {
		if !filepath.IsAbs(o.Marker) {
			o.Marker = filepath.Join(o.Copy, o.Marker)
		}
		if st, err := os.Stat(o.Marker); err != nil || st.IsDir() {
			return o, handwash.Errorf(handwash.EINVALID, "--marker %s: no such file: give the file the copy job updates each time it finishes", o.Marker)
		}
	}
	if o.Sample == 0 {
		o.Sample = backup.DefaultSample
	}
	if o.Sample < 0 {
		return o, handwash.Errorf(handwash.EINVALID, "--sample %d: give how many files to restore, such as 20", o.Sample)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return o, nil
}

func dir(flag, p string) (string, error) {
	abs, err := filepath.Abs(p)
	if err != nil {
		return "", handwash.Errorf(handwash.EINVALID, "%s %s: %v", flag, p, err)
	}
	st, err := os.Stat(abs)
	switch {
	case err != nil:
		return "", handwash.Errorf(handwash.EINVALID, "%s %s cannot be read: %v: check the folder's name, that the disk or NAS is connected, and that this account may read it", flag, p, unwrap(err))
	case !st.IsDir():
		return "", handwash.Errorf(handwash.EINVALID, "%s %s is a file: give a folder", flag, p)
	}
	return abs, nil
}

func unwrap(err error) error {
	if pe, ok := err.(*fs.PathError); ok {
		return pe.Err
	}
	return err
}

// file is one file found in the copy.
type file struct {
	rel   string // slash-separated, inside the copy
	size  int64
	mtime time.Time
}

// Verify verifies the copy. It returns an error only when it cannot be
// verified at all (bad options, a folder that cannot be read).
func Verify(ctx context.Context, opts Options) (*backup.Verification, error) {
	o, err := opts.check()
	if err != nil {
		return nil, err
	}
	v := &backup.Verification{Kind: backup.KindFolder, Location: opts.Copy, StartedAt: o.Now()}
	v.Integrity.Detail = "A plain copy has no integrity check of its own: the test restore is its check."
	w, err := walk(ctx, o.Copy, o.Sample, o.Seed)
	if err != nil {
		return nil, err
	}
	newest(v, w, o.Marker)
	if w.files == 0 {
		v.Restore.Detail = joinNotes("The folder holds no files.", w.note())
	} else if v.Restore, err = restoreTest(ctx, o, w); err != nil {
		return nil, err
	}
	v.Exposure = exposure(o.Copy, w.sample)
	v.FinishedAt = o.Now()
	return v, nil
}

// newest sets the newest backup: the marker's time, or the newest file's.
func newest(v *backup.Verification, w *walked, marker string) {
	if w.files > 0 {
		v.Backups = 1
		t := w.newest
		v.Newest = &t
	}
	if marker != "" {
		if st, err := os.Stat(marker); err == nil {
			t := st.ModTime()
			v.Newest, v.Backups = &t, 1
		}
	}
}

// walked is what walking the copy found.
type walked struct {
	files, skipped int // files found; folders that could not be read
	newest         time.Time
	sample         []file
}

func (w *walked) note() string {
	if w.skipped == 0 {
		return ""
	}
	return fmt.Sprintf("%d folders in the copy could not be read, so their files were left out.", w.skipped)
}

// walk lists the copy's regular files without following links, keeping a
// random sample and the newest modification time.
func walk(ctx context.Context, root string, n int, seed uint64) (*walked, error) {
	w := &walked{}
	s := backup.NewSampler[file](n, seed)
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if p == root {
				return err
			}
			w.skipped++
			return fs.SkipDir
		}
		if d.IsDir() && p != root && skipDirs[d.Name()] {
			return fs.SkipDir
		}
		if !d.Type().IsRegular() {
			return nil
		}
		if w.files%1000 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		return w.add(s, root, p, d)
	})
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, handwash.Errorf(handwash.EINVALID, "the copy in %s cannot be read: %v", root, unwrap(err))
	}
	w.sample = s.Sample()
	sort.Slice(w.sample, func(i, j int) bool { return w.sample[i].rel < w.sample[j].rel })
	return w, nil
}

func (w *walked) add(s *backup.Sampler[file], root, p string, d fs.DirEntry) error {
	info, err := d.Info()
	if err != nil {
		return nil // gone since it was listed
	}
	rel, err := filepath.Rel(root, p)
	if err != nil {
		return nil
	}
	w.files++
	if info.ModTime().After(w.newest) {
		w.newest = info.ModTime()
	}
	s.Add(file{rel: filepath.ToSlash(rel), size: info.Size(), mtime: info.ModTime()})
	return nil
}

// restoreTest reads the sample out of the copy into a temporary folder and
// compares it with the originals.
func restoreTest(ctx context.Context, o Options, w *walked) (backup.RestoreTest, error) {
	rt := backup.RestoreTest{Ran: true}
	start := time.Now()
	tmp, err := os.MkdirTemp(o.TempDir, "handwash-folder-")
	if err != nil {
		return rt, handwash.Errorf(handwash.EINVALID, "cannot make a temporary folder to restore into: %v", err)
	}
	defer backup.RemoveTemp(tmp)
	files, err := restoreFiles(ctx, o.Copy, tmp, o.Source, w.sample)
	if err != nil {
		return rt, err
	}
	c, err := backup.Compare(ctx, tmp, o.Source, files)
	if err != nil {
		return rt, err
	}
	c.Fill(&rt)
	rt.Seconds = time.Since(start).Seconds()
	rt.Detail = joinNotes(fmt.Sprintf("%d of the %d files in the copy were chosen at random.", len(w.sample), w.files), w.note(), sourceNote(o.Source))
	return rt, nil
}

func sourceNote(source string) string {
	if source == "" {
		return "No source folder was given, so the files were not compared with the originals (give --source to do so)."
	}
	return ""
}

// restoreFiles copies each sampled file from the copy into tmp, named by
// its number so no name from the copy decides where anything is written,
// and describes it for backup.Compare. The copy's own time of each file
// stands for when it was backed up.
func restoreFiles(ctx context.Context, copyDir, tmp, source string, sample []file) ([]backup.Restored, error) {
	src, err := os.OpenRoot(copyDir)
	if err != nil {
		return nil, handwash.Errorf(handwash.EINVALID, "the copy in %s cannot be read: %v", copyDir, unwrap(err))
	}
	defer src.Close()
	dst, err := os.OpenRoot(tmp)
	if err != nil {
		return nil, err
	}
	defer dst.Close()
	buf := make([]byte, 64<<10)
	var out []backup.Restored
	for i, f := range sample {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		name := fmt.Sprintf("%06d", i)
		_ = copyOut(src, dst, f.rel, name, buf) // a file that cannot be read is counted unreadable by Compare
		r := backup.Restored{Name: f.rel, Path: name, Size: -1, BackupTime: f.mtime}
		if source != "" {
			r.Original = f.rel
		}
		out = append(out, r)
	}
	return out, nil
}

func copyOut(src, dst *os.Root, rel, name string, buf []byte) error {
	p, err := backup.LocalPath(rel)
	if err != nil {
		return err
	}
	in, err := src.Open(p)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := dst.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.CopyBuffer(onlyWriter{out}, in, buf); err != nil {
		out.Close()
		_ = dst.Remove(name)
		return err
	}
	return out.Close()
}

// onlyWriter hides a file's ReadFrom, so io.CopyBuffer uses the buffer.
type onlyWriter struct{ io.Writer }

func joinNotes(s ...string) string {
	var out []string
	for _, x := range s {
		if x != "" {
			out = append(out, x)
		}
	}
	return strings.Join(out, " ")
}
