package restic

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"regexp"
	"strings"
	"time"

	"github.com/handwash/handwash/backup"
)

var versionRE = regexp.MustCompile(`restic ([0-9]+\.[0-9]+\.[0-9]+\S*)`)

// version is "restic 0.14.0", from restic version.
func (r *runner) version(ctx context.Context) (string, error) {
	out, stderr, err := r.run(ctx, "version")
	if err != nil {
		return "", r.classify(err, stderr, "start for")
	}
	if m := versionRE.FindStringSubmatch(out); m != nil {
		return "restic " + m[1], nil
	}
	return "restic", nil
}

// snapshot is one snapshot, as restic snapshots --json lists it.
type snapshot struct {
	Time     time.Time `json:"time"`
	ID       string    `json:"id"`
	ShortID  string    `json:"short_id"`
	Paths    []string  `json:"paths"`
	Hostname string    `json:"hostname"`
}

// snapshotList is what the listing says: how many snapshots, and the
// newest. When a source folder is given, only the snapshots that hold it
// count, if any do: a repository shared by several computers must not
// hide that this one's backups stopped.
type snapshotList struct {
	source  string
	count   int
	newest  snapshot
	all     int // every snapshot, whether or not it holds the source
	matched bool
}

// snapshots reads restic snapshots --json as it comes, keeping only the
// newest: a repository of years of snapshots costs no more memory.
func (r *runner) snapshots(ctx context.Context, source string) (snapshotList, error) {
	l := snapshotList{source: source}
	stderr, err := r.stream(ctx, func(out io.Reader) error { return l.read(out) }, "--no-lock", "snapshots", "--json")
	if err != nil {
		return l, r.classify(err, stderr, "list the snapshots of")
	}
	return l, nil
}

// add counts one snapshot.
func (l *snapshotList) add(s snapshot) {
	l.all++
	holds := l.source != "" && newPathMap(s.Paths, l.source).related
	switch {
	case holds && !l.matched:
		l.matched, l.count, l.newest = true, 1, s
	case holds || !l.matched:
		l.count++
		if l.count == 1 || s.Time.After(l.newest.Time) {
			l.newest = s
		}
	}
}

// note says which snapshots were counted, when not all were.
func (l *snapshotList) note() string {
	switch {
	case l.source == "" || l.count == l.all:
		return ""
	case l.matched:
		return fmt.Sprintf("%d of the repository's %d snapshots hold the source folder %s; only they were counted.", l.count, l.all, l.source)
	}
	return ""
}

func (l *snapshotList) read(out io.Reader) error {
	dec := json.NewDecoder(out)
	tok, err := dec.Token()
	if err == io.EOF || (err == nil && tok == nil) {
		return nil // no output, or null: no snapshots
	}
	if err != nil || tok != json.Delim('[') {
		return fmt.Errorf("restic snapshots --json did not give a list: %v", err)
	}
	for dec.More() {
		var s snapshot
		if err := dec.Decode(&s); err != nil {
			return fmt.Errorf("reading restic's list of snapshots: %w", err)
		}
		l.add(s)
	}
	return nil
}

// check runs restic check, reading the subset of the data asked for, and
// says what it found. noLock skips restic's exclusive lock, for a
// repository this computer cannot write to (and so cannot lock).
func (r *runner) check(ctx context.Context, subset string, noLock bool) (backup.Integrity, error) {
	in := backup.Integrity{Ran: true, Subset: subset}
	args := []string{"check"}
	if noLock {
		args = append([]string{"--no-lock"}, args...)
	}
	switch subset {
	case "":
	case "all":
		args = append(args, "--read-data")
	default:
		args = append(args, "--read-data-subset", subset)
	}
	_, stderr, err := r.run(ctx, args...)
	if err == nil {
		in.OK = true
		if noLock {
			in.Detail = "restic check ran without its usual lock, because this computer cannot write to the repository: if a backup or prune was running at the same time, run the check again before acting on any error."
		}
		return in, nil
	}
	if exitCode(err) < 0 || knownError(stderr, r.loc) != nil {
		return in, r.classify(err, stderr, "check")
	}
	if !noLock && strings.Contains(stderr, "unable to create lock") {
		// This computer may not write to the repository (a read-only
		// share, an SFTP account without write access): check unlocked.
		return r.check(ctx, subset, true)
	}
	in.Detail = "restic check found errors: " + checkErrors(stderr)
	return in, nil
}

// maxCheckLines is how many of restic check's error lines a report quotes.
const maxCheckLines = 4

// checkErrors summarises restic check's errors: its first few lines, IDs
// shortened, and how many more there were.
func checkErrors(stderr string) string {
	var lines []string
	for _, l := range strings.Split(stderr, "\n") {
		l = strings.TrimSpace(l)
		if l == "" || l == "Fatal: repository contains errors" || strings.HasPrefix(l, "using temporary cache") {
			continue
		}
		lines = append(lines, shortIDs(l))
	}
	if len(lines) == 0 {
		return "it stopped without saying why"
	}
	s := strings.Join(lines[:min(len(lines), maxCheckLines)], " ")
	if n := len(lines) - maxCheckLines; n > 0 {
		s += fmt.Sprintf(" (and %d more lines: run restic check yourself to see them all)", n)
	}
	return s
}
