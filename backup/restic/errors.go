package restic

import (
	"context"
	"errors"
	"regexp"
	"strings"

	"github.com/handwash/handwash"
)

// lockedRE finds who holds a lock in restic's message.
var lockedRE = regexp.MustCompile(`locked (?:exclusively )?by (PID [0-9]+ on \S+ by [^\n(]+)`)

// classify turns a failed restic command into an error a person can act
// on. doing says what restic was asked to do ("list the snapshots of").
// Known failures become handwash errors: a wrong or missing password and a
// missing repository are EINVALID (the command line must change), a locked
// repository ECONFLICT (try again later). The message never holds the
// password, and restic's own words are scrubbed of it before they get here.
func (r *runner) classify(err error, stderr, doing string) error {
	if err == nil || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	if e := knownError(stderr, r.loc); e != nil {
		e.Err = err
		return e
	}
	e := handwash.Errorf(handwash.EINVALID, "restic could not %s the repository at %s: %s", doing, r.loc, fatalLine(stderr, err))
	e.Err = err
	return e
}

// knownError recognises restic's messages for the failures people meet.
func knownError(stderr, loc string) *handwash.Error {
	s := strings.ToLower(stderr)
	switch {
	case strings.Contains(s, "wrong password or no key found"):
		return handwash.Errorf(handwash.EINVALID, "the password does not open the restic repository at %s: check that the password file holds the repository's password on its first line (restic reads the whole first line, spaces included), and that it is the password of this repository", loc)
	case strings.Contains(s, "an empty password is not a password"), strings.Contains(s, "reading repository password from stdin"):
		return handwash.Errorf(handwash.EINVALID, "no password reached restic for the repository at %s: give --password-file with a file that holds it (an empty file does not count)", loc)
	case strings.Contains(s, "resolving password failed"):
		return handwash.Errorf(handwash.EINVALID, "restic could not read the password for the repository at %s: %s", loc, fatalLine(stderr, nil))
	case strings.Contains(s, "is there a repository at the following location?"), strings.Contains(s, "unable to open config file"):
		return handwash.Errorf(handwash.EINVALID, "there is no restic repository at %s, or it cannot be reached (restic said: %s): check the location, that the disk or server is connected, and that this account may read it", loc, reason(stderr))
	case strings.Contains(s, "repository is already locked"):
		return handwash.Errorf(handwash.ECONFLICT, "the repository at %s is locked%s: another restic (a backup, a prune or a check) is using it. Wait for it to finish and run this again. If none is running (a computer was switched off during a backup), the lock is stale: remove it with restic -r %s unlock", loc, holder(stderr), loc)
	}
	return nil
}

// holder says who holds a lock, from restic's message.
func holder(stderr string) string {
	if m := lockedRE.FindStringSubmatch(stderr); m != nil {
		return " by " + strings.TrimSpace(m[1])
	}
	return ""
}

// reason is what restic said after "unable to open config file:".
func reason(stderr string) string {
	for _, line := range strings.Split(stderr, "\n") {
		if _, after, ok := strings.Cut(line, "unable to open config file: "); ok {
			return strings.TrimSpace(after)
		}
	}
	return fatalLine(stderr, nil)
}

// fatalLine is restic's "Fatal:" message or, failing that, the first line
// of its output that reads as a message (one with a space: the lines of a
// Go stack trace that restic prints after an unexpected error have none).
func fatalLine(stderr string, err error) string {
	var first string
	for _, line := range strings.Split(stderr, "\n") {
		line = strings.TrimSpace(line)
		if f, ok := strings.CutPrefix(line, "Fatal: "); ok {
			return shortIDs(f)
		}
		if first == "" && strings.Contains(line, " ") {
			first = line
		}
	}
	if first != "" {
		return shortIDs(first)
	}
	if err != nil {
		return err.Error()
	}
	return "no reason given"
}

var longIDRE = regexp.MustCompile(`\b([0-9a-f]{8})[0-9a-f]{56}\b`)

// shortIDs shortens restic's 64-character IDs to the 8 it shows people.
func shortIDs(s string) string { return longIDRE.ReplaceAllString(s, "$1") }
