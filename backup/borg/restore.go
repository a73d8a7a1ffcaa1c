package borg

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
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
	chosen, left := p.within(o.SampleBytes)
	if len(chosen) == 0 {
		rt.Detail = fmt.Sprintf("The newest backup, %s, has no files with content to restore (%s listed).", newest.Name, plural(p.files, "file"))
		return rt, nil
	}
	began := time.Now()
	t, err := r.extract(ctx, o, newest, chosen)
	if err != nil {
		return rt, err
	}
	if t.stopped != "" {
		rt.Detail = "The test restore could not run. " + t.stopped + t.leftoverNote()
		return rt, nil
	}
	rt.Ran = true
	t.Fill(&rt)
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
	letRead(dir, files)
	restored, damaged := restoredFiles(files, o.Source, a.Start)
	if t.Comparison, err = backup.Compare(ctx, dir, o.Source, restored); err != nil {
		if ctx.Err() != nil {
			return nil, r.stoppedError(ctx.Err())
		}
		return nil, &handwash.Error{Code: handwash.EINVALID, Err: err,
			Message: fmt.Sprintf("Handwash could not compare the restored files with the originals (%s).", plainOSError(err))}
	}
	t.Unreadable = append(t.Unreadable, damaged...)
	return t, nil
}

// tally is what a test restore found.
type tally struct {
	backup.Comparison
	said     string // what borg said when extract failed
	stopped  string // why extract could not run at all
	leftover string // a temporary folder that could not be deleted
}

// remove deletes the temporary folder, noting it if it cannot.
func (t *tally) remove(dir string) {
	if backup.RemoveTemp(dir) != nil {
		t.leftover = dir
	}
}

// restoredFiles describes the restored files for backup.Compare, with
// where each one's original may be under source. Files borg marks as
// missing some of their data are left out and named apart: they cannot
// have come back whole.
func restoredFiles(files []item, source string, at time.Time) (restored []backup.Restored, damaged []string) {
	for _, it := range files {
		if it.damaged() {
			damaged = append(damaged, it.Path)
			continue
		}
		f := backup.Restored{Name: it.Path, Path: it.Path, Size: it.Size, BackupTime: at}
		if mt, err := parseBorgTime(it.Mtime); err == nil {
			f.ModTime = mt
		}
		if source != "" {
			if c := originalCandidates(source, it.Path); len(c) > 0 {
				f.Original, f.Alternatives = c[0], c[1:]
			}
		}
		restored = append(restored, f)
	}
	return restored, damaged
}

// letRead lets this account read restored files that borg restored, with
// their backed-up permissions, without read permission for their owner.
func letRead(dir string, files []item) {
	root, err := os.OpenRoot(dir)
	if err != nil {
		return
	}
	defer root.Close()
	for _, it := range files {
		p, err := backup.LocalPath(it.Path)
		if err != nil {
			continue
		}
		if fi, err := root.Lstat(p); err == nil && fi.Mode().IsRegular() && fi.Mode().Perm()&0o400 == 0 {
			_ = root.Chmod(p, fi.Mode().Perm()|0o400)
		}
	}
}

// originalCandidates lists where the original of a file in the archive
// may be, as slash-separated paths inside the source folder, the likeliest
// first. borg stores paths as given to borg create, without a leading /:
// /home/ann/docs/a.txt backed up by absolute path is home/ann/docs/a.txt;
// from inside /home/ann, docs/a.txt. With source /home/ann, each is tried
// after dropping a leading part that ends the source's own path
// ("home/ann", "ann", nothing), longest first.
func originalCandidates(source, archived string) []string {
	src := strings.Split(filepath.ToSlash(filepath.Clean(source)), "/")
	parts := strings.Split(archived, "/")
	var out []string
	for k := min(len(src), len(parts)-1); k >= 0; k-- {
		if slices.Equal(parts[:k], src[len(src)-k:]) {
			out = append(out, strings.Join(parts[k:], "/"))
		}
	}
	return out
}
