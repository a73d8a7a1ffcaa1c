package restic

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"time"

	"github.com/handwash/handwash/backup"
)

// maxIncludeChars is the most characters of --include patterns given to one
// restic restore: Windows allows 32,767 characters on a command line, and
// a sample larger than this is restored in batches.
const maxIncludeChars = 16 << 10

// node is one entry of restic ls --json.
type node struct {
	Type  string    `json:"type"`
	Path  string    `json:"path"`
	Size  int64     `json:"size"`
	Mtime time.Time `json:"mtime"`
}

// restoreTest restores a random sample of the files in snap into dir and
// compares them with the originals in source (if given).
func (r *runner) restoreTest(ctx context.Context, snap snapshot, dir, source string, n int, seed uint64) (backup.RestoreTest, error) {
	rt := backup.RestoreTest{Ran: true, Snapshot: snap.ShortID}
	start := time.Now()
	sample, total, err := r.sampleFiles(ctx, snap.ID, n, seed)
	var damaged listError
	if errors.As(err, &damaged) {
		rt.Detail = "restic could not list the files of the newest snapshot, so none could be restored: " + damaged.msg + "."
		return rt, nil
	}
	if err != nil {
		return rt, err
	}
	if total == 0 {
		rt.Detail = "The newest snapshot holds no files."
		return rt, nil
	}
	notes := []string{fmt.Sprintf("%d of the %d files in the snapshot were chosen at random.", len(sample), total)}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return rt, err
	}
	if msg := r.restoreFiles(ctx, snap.ID, dir, sample); msg != "" {
		notes = append(notes, msg)
	}
	if err := ctx.Err(); err != nil {
		return rt, err
	}
	files, srcNote := restoredFiles(snap, sample, source)
	c, err := backup.Compare(ctx, dir, source, files)
	if err != nil {
		return rt, err
	}
	c.Fill(&rt)
	rt.Seconds = time.Since(start).Seconds()
	rt.Detail = strings.Join(append(notes, compareNotes(c, source, srcNote)...), " ")
	return rt, nil
}

// sampleFiles lists the snapshot's files as restic gives them and keeps a
// random sample of n, sorted by path; total is how many files there are.
func (r *runner) sampleFiles(ctx context.Context, id string, n int, seed uint64) ([]node, int, error) {
	s := backup.NewSampler[node](n, seed)
	consume := func(out io.Reader) error {
		dec := json.NewDecoder(out)
		for {
			var nd node
			if err := dec.Decode(&nd); err == io.EOF {
				return nil
			} else if err != nil {
				return fmt.Errorf("reading restic's list of files: %w", err)
			}
			if nd.Type == "file" {
				s.Add(nd)
			}
		}
	}
	stderr, err := r.stream(ctx, consume, "--no-lock", "ls", "--json", id)
	if err != nil && exitCode(err) > 0 && knownError(stderr, r.loc) == nil {
		return nil, 0, listError{fatalLine(stderr, err)}
	}
	if err != nil {
		return nil, 0, r.classify(err, stderr, "list the files of the newest snapshot in")
	}
	sample := s.Sample()
	sort.Slice(sample, func(i, j int) bool { return sample[i].Path < sample[j].Path })
	return sample, s.Seen(), nil
}

// listError is restic failing to list a snapshot it has just named: the
// repository is damaged, and the restore test fails.
type listError struct{ msg string }

func (e listError) Error() string { return e.msg }

// restoreFiles restores the sample into dir, in batches that keep each
// command line short. It returns what restic said if it reported errors;
// files it could not restore are then missing, and counted so.
func (r *runner) restoreFiles(ctx context.Context, id, dir string, sample []node) string {
	var said []string
	for _, batch := range includeBatches(sample, maxIncludeChars) {
		args := []string{"--no-lock", "restore", id, "--target", dir}
		for _, p := range batch {
			args = append(args, "--include", p)
		}
		_, stderr, err := r.run(ctx, args...)
		if err != nil && ctx.Err() == nil {
			said = append(said, fatalLine(stderr, err))
		}
	}
	if len(said) == 0 {
		return ""
	}
	return "restic restore reported errors: " + strings.Join(said, "; ") + "."
}

// includeBatches turns the sample into --include patterns, split so that
// no batch has more than max characters of them.
func includeBatches(sample []node, max int) [][]string {
	var out [][]string
	var cur []string
	size := 0
	for _, nd := range sample {
		p := escapePattern(nd.Path)
		if len(cur) > 0 && size+len(p)+len(" --include ") > max {
			out, cur, size = append(out, cur), nil, 0
		}
		cur = append(cur, p)
		size += len(p) + len(" --include ")
	}
	if len(cur) > 0 {
		out = append(out, cur)
	}
	return out
}

// escapePattern makes a path a restic --include pattern that matches only
// it: the wildcard characters are put in character classes, which
// restic's matching (Go's filepath.Match) reads the same on every system.
func escapePattern(p string) string {
	var b strings.Builder
	for _, r := range p {
		switch {
		case r == '*' || r == '?' || r == '[':
			b.WriteString("[" + string(r) + "]")
		case r == '\\' && runtime.GOOS != "windows":
			b.WriteString(`[\\]`)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// restoredFiles describes each sampled file for backup.Compare: where
// restic restored it (the target plus its path in the snapshot), and
// which original it came from. The note says why none could be compared,
// when source is not among the folders the snapshot holds.
func restoredFiles(snap snapshot, sample []node, source string) ([]backup.Restored, string) {
	m := newPathMap(snap.Paths, source)
	files := make([]backup.Restored, 0, len(sample))
	for _, nd := range sample {
		files = append(files, backup.Restored{
			Name: nd.Path, Path: strings.TrimPrefix(nd.Path, "/"), Original: m.original(nd.Path),
			Size: nd.Size, ModTime: nd.Mtime, BackupTime: snap.Time,
		})
	}
	if source != "" && !m.related {
		return files, fmt.Sprintf("The source folder %s is not among the folders this snapshot holds (%s), so no file was compared with it.", source, strings.Join(snap.Paths, ", "))
	}
	return files, ""
}

func compareNotes(c backup.Comparison, source, srcNote string) []string {
	switch {
	case source == "":
		return []string{"No source folder was given, so the files were not compared with the originals (give --source to do so)."}
	case srcNote != "":
		return []string{srcNote}
	case c.NotInSource > 0:
		return []string{fmt.Sprintf("%d of the files restored are not in the source folder %s, so were not compared.", c.NotInSource, source)}
	}
	return nil
}

// pathMap maps a file's path inside a snapshot to its original's path
// inside the source folder. restic keeps each backed-up folder under its
// full path when it was given in full (/home/office/Documents), and
// under its last parts when it was given relative (Documents), so each
// folder the snapshot records is tried at each of those places.
type pathMap struct {
	src     string // the source folder, resolved
	roots   []root
	related bool // source and the snapshot's folders overlap
}

type root struct {
	tree string // where the folder is in the snapshot, slash-separated
	orig string // the folder on disk
}

func newPathMap(paths []string, source string) pathMap {
	var m pathMap
	if source == "" {
		return m
	}
	src := resolve(source)
	m.src = src
	for _, p := range paths {
		orig := resolve(p)
		if !within(orig, src) && !within(src, orig) {
			continue
		}
		m.related = true
		for _, t := range treeForms(p) {
			m.roots = append(m.roots, root{tree: t, orig: orig})
		}
	}
	// Try the longest (most specific) places first.
	sort.SliceStable(m.roots, func(i, j int) bool { return len(m.roots[i].tree) > len(m.roots[j].tree) })
	return m
}

// original is the slash-separated path inside the source folder of the
// file at treePath in the snapshot, or "" when it is not in the source
// folder.
func (m pathMap) original(treePath string) string {
	for _, r := range m.roots {
		rest, ok := strings.CutPrefix(treePath, r.tree)
		if !ok || (rest != "" && rest[0] != '/') {
			continue
		}
		rel, err := filepath.Rel(m.src, filepath.Join(r.orig, filepath.FromSlash(rest)))
		if err != nil || !filepath.IsLocal(rel) {
			return "" // outside the source folder
		}
		return filepath.ToSlash(rel)
	}
	return ""
}

// treeForms lists where restic may have put a backed-up folder in the
// snapshot's tree: its full path (a Windows drive letter becomes a folder,
// C:\Users as /C/Users), then each shorter tail of it.
func treeForms(p string) []string {
	s := filepath.ToSlash(p)
	if len(s) >= 2 && s[1] == ':' {
		s = "/" + s[:1] + s[2:]
	}
	parts := strings.Split(strings.Trim(s, "/"), "/")
	var out []string
	for i := range parts {
		out = append(out, "/"+strings.Join(parts[i:], "/"))
	}
	return out
}

// resolve makes a path absolute and follows its symbolic links where it
// exists, so /var and /private/var on macOS compare equal.
func resolve(p string) string {
	if abs, err := filepath.Abs(p); err == nil {
		p = abs
	}
	if r, err := filepath.EvalSymlinks(p); err == nil {
		return r
	}
	return filepath.Clean(p)
}

// within reports whether path is dir or inside it.
func within(path, dir string) bool {
	rel, err := filepath.Rel(dir, path)
	return err == nil && (rel == "." || filepath.IsLocal(rel))
}
