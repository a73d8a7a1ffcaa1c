package agent

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"time"

	"github.com/handwash/handwash"
)

// Backoff spaces out retries after network errors and busy servers: the
// delay doubles from Base up to Max, and each is drawn at random from its
// upper half so that devices cut off together (a care home's router
// restarting) do not all come back in the same second.
type Backoff struct {
	Base, Max time.Duration
}

// DefaultBackoff is the agent's: 10 s, 20 s, 40 s … up to 15 minutes.
var DefaultBackoff = Backoff{Base: 10 * time.Second, Max: 15 * time.Minute}

// Delay returns the wait before retry number n (0 for the first retry).
func (b Backoff) Delay(n int) time.Duration {
	d := b.Base
	for i := 0; i < n && d < b.Max; i++ {
		d *= 2
	}
	d = min(d, b.Max)
	if d <= 1 {
		return d
	}
	return d/2 + rand.N(d/2+1)
}

// ErrNeedsEnrolment is returned when the server refused the device
// credential: nothing more can be sent until the device is enrolled again.
var ErrNeedsEnrolment = &handwash.Error{
	Code:    handwash.EUNAUTHORIZED,
	Message: "the server no longer accepts this device's credential (the device may have been removed on the server): enrol it again with 'handwash agent enroll --server URL --token TOKEN'; collections wait in the spool until then",
}

// uploader sends the spool to the server.
type uploader struct {
	client  *Client
	spool   *Spool
	state   *stateFile
	log     *slog.Logger
	backoff Backoff
	now     func() time.Time
}

// flush sends every spooled snapshot, oldest first, removing each only
// after the server answered 2xx (201 stored, or 200 for a snapshot it
// already had). A snapshot the server refuses (400, 409, 413) is moved to
// rejected/ so the ones behind it can go. Network errors, 5xx and 429 are
// retried with backoff; after tries failures in a row (0: no limit) flush
// gives up with the last error and the spool as it is. It returns nil once
// the spool is empty, ErrNeedsEnrolment on 401, and ctx's error when
// stopped; an upload under way when ctx ends is finished first.
func (u *uploader) flush(ctx context.Context, tries int) error {
	failures := 0
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		es, err := u.spool.List()
		if err != nil {
			return err
		}
		if len(es) == 0 {
			return nil
		}
		e := es[0]
		// Not cancelled by ctx: a stop waits for the answer, so the
		// snapshot is either known to be stored (and removed) or left.
		a, err := u.client.Upload(context.WithoutCancel(ctx), Upload{
			SnapshotID:  e.SnapshotID,
			Digest:      e.Digest,
			CollectedAt: u.spool.CollectedAt(e),
			Open:        func() (io.ReadCloser, int64, error) { return u.spool.Open(e) },
		})
		if err == nil {
			failures = 0
			if err := u.spool.Remove(e); err != nil {
				return err
			}
			u.log.Info("sent a collection to the server", "snapshot", e.SnapshotID, "collected", e.CollectedAt().UTC().Format(time.RFC3339),
				"status", a.Status, "duplicate", a.Duplicate)
			u.record(func(s *State) {
				s.LastReportedAt = timePtr(u.now())
				s.LastReportedSnapshot = e.SnapshotID
				s.LastError, s.LastErrorAt, s.NeedsEnrolment = "", nil, false
			})
			continue
		}
		if errors.Is(err, fs.ErrNotExist) {
			continue // sent and removed by another agent process meanwhile
		}
		var ae *APIError
		if errors.As(err, &ae) {
			switch ae.Status {
			case http.StatusBadRequest, http.StatusConflict, http.StatusRequestEntityTooLarge:
				u.log.Error("the server refused a collection; it was set aside in the spool's rejected folder so the others can be sent",
					"snapshot", e.SnapshotID, "status", ae.Status, "reason", ae.Message, "folder", u.spool.RejectedDir())
				if rerr := u.spool.Reject(e); rerr != nil {
					return rerr
				}
				u.record(func(s *State) {
					s.Rejected++
					s.LastError, s.LastErrorAt = "the server refused collection "+e.SnapshotID+": "+err.Error(), timePtr(u.now())
				})
				continue
			case http.StatusUnauthorized:
				u.log.Error(ErrNeedsEnrolment.Message)
				u.record(func(s *State) {
					s.NeedsEnrolment = true
					s.LastError, s.LastErrorAt = ErrNeedsEnrolment.Message, timePtr(u.now())
				})
				return ErrNeedsEnrolment
			}
		}
		failures++
		u.record(func(s *State) { s.LastError, s.LastErrorAt = plain(err), timePtr(u.now()) })
		if tries > 0 && failures >= tries {
			return err
		}
		wait := u.backoff.Delay(failures - 1)
		if ae != nil && ae.RetryAfter > wait {
			wait = min(ae.RetryAfter, u.backoff.Max)
		}
		u.log.Warn("could not send a collection; it stays in the spool and will be retried", "snapshot", e.SnapshotID,
			"err", plain(err), "retry_in", wait.Round(time.Second).String())
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
	}
}

func (u *uploader) record(change func(*State)) {
	if u.state == nil {
		return
	}
	if err := u.state.update(change); err != nil {
		u.log.Warn("cannot write the agent's state file (status will be out of date)", "err", err)
	}
}

// plain is an error's message for people: a handwash.Error's message, or
// the error's own text, never "internal error … please report this" for
// what is only a network or server problem.
func plain(err error) string {
	var he *handwash.Error
	if errors.As(err, &he) && he.Message != "" {
		return he.Message
	}
	return RedactCredential(err.Error())
}
