package borg

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/handwash/handwash"
)

// archive is one backup in a repository.
type archive struct {
	Name  string
	Start time.Time
}

// borgTime is how borg prints times in JSON: local time without a zone,
// which TZ=UTC0 in borg's environment makes UTC.
const borgTime = "2006-01-02T15:04:05.999999"

func parseBorgTime(s string) (time.Time, error) {
	return time.ParseInLocation(borgTime, s, time.UTC)
}

// parseArchives reads borg list --json REPO.
func parseArchives(b []byte) ([]archive, error) {
	var doc struct {
		Archives []struct {
			Name  string `json:"name"`
			Start string `json:"start"`
			Time  string `json:"time"`
		} `json:"archives"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		return nil, fmt.Errorf("reading borg list --json: %w", err)
	}
	arcs := make([]archive, 0, len(doc.Archives))
	for _, a := range doc.Archives {
		s := a.Start
		if s == "" {
			s = a.Time
		}
		t, err := parseBorgTime(s)
		if err != nil || a.Name == "" {
			return nil, fmt.Errorf("reading borg list --json: archive %q has time %q", a.Name, s)
		}
		arcs = append(arcs, archive{Name: a.Name, Start: t})
	}
	return arcs, nil
}

// newestArchive returns the archive started last (the later-listed of
// equals), or nil when there are none.
func newestArchive(arcs []archive) *archive {
	var newest *archive
	for i := range arcs {
		if newest == nil || !arcs[i].Start.Before(newest.Start) {
			newest = &arcs[i]
		}
	}
	return newest
}

// archives lists the repository's archives. Failures that stop the
// verification are errors. Any other failure, which may be damage that
// borg check will report, is returned as a plain-English note.
func (r *runner) archives(ctx context.Context) ([]archive, string, error) {
	out, err := r.run(ctx, "", nil, "list", "--json", "--", r.loc.arg)
	if err != nil {
		return nil, "", err
	}
	if err := r.stopError(out); err != nil {
		return nil, "", err
	}
	if out.code != 0 && out.code != 1 {
		return nil, "borg could not list the backups in the repository. It said: " + r.scrub(out.summary()), nil
	}
	arcs, err := parseArchives(out.stdout)
	if err != nil {
		return nil, "", &handwash.Error{Code: handwash.EINTERNAL, Err: err, Message: fmt.Sprintf("Handwash could not read borg's list of backups in %s: %v", r.loc.display, err)}
	}
	return arcs, "", nil
}
