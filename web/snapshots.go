package web

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"github.com/handwash/handwash/internal/gunzip"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/handwash/handwash"
	"github.com/handwash/handwash/schema"
)

// The snapshot upload's headers.
const (
	headerSnapshotID  = "Handwash-Snapshot-Id"
	headerFactsDigest = "Handwash-Facts-Digest"
	// headerCollectedAt says when the Facts were collected, for the
	// digest shortcut, where the body that says so is never read.
	headerCollectedAt = "Handwash-Collected-At"
)

// uploadResult is the answer to a snapshot upload.
type uploadResult struct {
	SnapshotID string `json:"snapshot_id"`
	Stored     bool   `json:"stored"`
	Duplicate  bool   `json:"duplicate,omitempty"`
}

// handleSnapshotUpload takes a device's Facts.
//
// It reads the headers first and the body last: when the digest the agent
// sends is the device's newest, it answers without reading the body, and
// since Go's server sends "100 Continue" only when a handler reads the
// body, an agent that asked with "Expect: 100-continue" never sends it.
// Otherwise the body is read within its limits (compressed and
// decompressed, so a small gzip bomb is stopped at 16 MiB), validated with
// the same decoder as handwash check --facts, and its digest computed here:
// the header is only a hint.
func handleSnapshotUpload(s *server) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		result, err := s.upload(w, r)
		s.metrics.uploadDuration.Observe(time.Since(start).Seconds())
		if err != nil {
			s.metrics.uploads.WithLabelValues(uploadErrorResult(err)).Inc()
			writeErr(w, r, err)
			return
		}
		s.metrics.uploads.WithLabelValues(result).Inc()
		answer := uploadResult{SnapshotID: r.Header.Get(headerSnapshotID), Stored: true}
		status := http.StatusCreated
		switch result {
		case uploadDuplicate:
			answer.Stored, answer.Duplicate = false, true
			status = http.StatusOK
		case uploadCreated:
			s.stored()
		}
		writeJSON(w, status, answer)
	})
}

func uploadErrorResult(err error) string {
	switch handwash.ErrorCode(err) {
	case handwash.EINVALID:
		return uploadInvalid
	case handwash.ECONFLICT:
		return uploadConflict
	case handwash.ETOOLARGE:
		return uploadTooLarge
	case handwash.EUNAUTHORIZED:
		return uploadUnauthorized
	}
	return uploadError
}

// upload does the work of handleSnapshotUpload and says what became of
// the snapshot.
func (s *server) upload(w http.ResponseWriter, r *http.Request) (string, error) {
	dev := deviceOf(r)
	now := s.now()

	// Headers first: nothing below may read the body until the shortcut
	// has been ruled out.
	snapshotID := r.Header.Get(headerSnapshotID)
	if err := validSnapshotID(snapshotID); err != nil {
		return "", err
	}
	gzipped := false
	switch enc := strings.ToLower(strings.TrimSpace(r.Header.Get("Content-Encoding"))); enc {
	case "", "identity":
	case "gzip", "x-gzip":
		gzipped = true
	default:
		return "", handwash.Errorf(handwash.EINVALID, "Content-Encoding %q: send the Facts as they are or gzip-compressed", enc)
	}
	limit := int64(MaxSnapshotSize)
	if gzipped {
		limit = MaxSnapshotCompressed
	}
	if r.ContentLength > limit {
		return "", tooLarge(gzipped)
	}
	hint := r.Header.Get(headerFactsDigest)
	if hint != "" && !validDigest(hint) {
		return "", invalid(headerFactsDigest, "expected sha256: and 64 hexadecimal digits")
	}

	if hint != "" && hint == dev.FactsDigest {
		collected := now
		if v := r.Header.Get(headerCollectedAt); v != "" {
			t, err := time.Parse(time.RFC3339, v)
			if err != nil {
				return "", invalid(headerCollectedAt, "expected an RFC 3339 time such as 2026-11-20T09:30:00Z")
			}
			collected = t
		}
		if err := s.checkCollectedAt(headerCollectedAt, collected, now); err != nil {
			return "", err
		}
		d := *dev
		d.LastSeenAt = &now
		d.LastSnapshotID = snapshotID
		snap := &handwash.Snapshot{ID: snapshotID, DeviceID: dev.ID, CollectedAt: collected.UTC(), ReceivedAt: now, Digest: hint}
		return s.putSnapshot(r, &d, snap, nil, uploadShortcut)
	}

	// The body, within its limit as sent.
	sent, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	if err != nil {
		var maxErr *http.MaxBytesError
		if errors.As(err, &maxErr) {
			return "", tooLarge(gzipped)
		}
		return "", handwash.Errorf(handwash.EINVALID, "the body could not be read: %v", err)
	}

	// Decompressing and validating take memory and CPU in proportion to
	// the Facts; bound how many run at once.
	select {
	case s.uploadSlots <- struct{}{}:
		defer func() { <-s.uploadSlots }()
	case <-r.Context().Done():
		return "", r.Context().Err()
	}

	raw := sent
	var f *handwash.Facts
	decode := func(raw []byte) (err error) {
		s.metrics.uploadBytes.Observe(float64(len(raw)))
		f, err = schema.DecodeFactsBytes(raw, "facts")
		return err
	}
	if gzipped {
		err = gunzip.Use(sent, MaxSnapshotSize, decode)
		var gzErr *gunzip.Error
		switch {
		case errors.As(err, &gzErr) && gzErr.Kind == gunzip.ErrNotGzip:
			return "", handwash.Errorf(handwash.EINVALID, "the body is not gzip-compressed as Content-Encoding says: %v", gzErr.Err)
		case errors.As(err, &gzErr):
			return "", handwash.Errorf(handwash.EINVALID, "the gzip-compressed body is damaged or cut short: %v", gzErr.Err)
		case errors.Is(err, gunzip.ErrTooLarge):
			return "", handwash.Errorf(handwash.ETOOLARGE, "the Facts are larger than %d MiB once decompressed, the most the server takes", MaxSnapshotSize>>20)
		}
	} else {
		err = decode(raw)
	}
	if err != nil {
		return "", err
	}
	if err := s.checkCollectedAt("collected_at", f.CollectedAt, now); err != nil {
		return "", err
	}
	digest := f.Digest()

	d := *dev
	d.LastSeenAt = &now
	d.LastSnapshotID = snapshotID
	d.Hostname = f.Device.Hostname
	d.Platform = f.Device.Platform
	d.OS = ""
	if f.OS != nil {
		d.OS = f.OS.Name
	}
	d.FactsDigest = digest
	snap := &handwash.Snapshot{ID: snapshotID, DeviceID: dev.ID, CollectedAt: f.CollectedAt.UTC(), ReceivedAt: now, Digest: digest}

	if digest == dev.FactsDigest {
		// Stored already: only "last seen" moves.
		return s.putSnapshot(r, &d, snap, nil, uploadUnchanged)
	}
	stored := sent
	if !gzipped {
		if stored, err = gzipBytes(raw); err != nil {
			return "", err
		}
	}
	// The agent's own gzip stream is kept as it came: it has just been
	// read to its end without error, so it decompresses to these Facts.
	snap.Size = len(stored)
	// Offered before they are stored: once stored, the device is marked for
	// judging and a judge may claim it at once, which must find them
	// offered rather than read them back. Facts offered for an upload that
	// turns out to be a retry are never taken, and age out.
	s.uploaded(dev.ID, digest, f)
	return s.putSnapshot(r, &d, snap, stored, uploadCreated)
}

// putSnapshot stores a snapshot and says whether it was new (as result)
// or a retry.
func (s *server) putSnapshot(r *http.Request, d *handwash.Device, snap *handwash.Snapshot, facts []byte, result string) (string, error) {
	created, err := s.store.PutSnapshot(r.Context(), d, snap, facts)
	if err != nil {
		if handwash.ErrorCode(err) == handwash.ECONFLICT {
			return "", handwash.Errorf(handwash.ECONFLICT, "%s %q was already used by this device for other Facts: give each collection its own snapshot ID", headerSnapshotID, snap.ID)
		}
		return "", err
	}
	if !created {
		return uploadDuplicate, nil
	}
	return result, nil
}

// checkCollectedAt refuses Facts from a device whose clock is wrong, or
// so old that they say nothing about the device today.
func (s *server) checkCollectedAt(field string, t, now time.Time) error {
	switch {
	case t.IsZero():
		return invalid(field, "missing: say when the Facts were collected")
	case t.After(now.Add(s.cfg.MaxFuture)):
		return invalid(field, "%s is more than %s ahead of the server's clock (%s): check the device's date and time", t.UTC().Format(time.RFC3339), humanDuration(s.cfg.MaxFuture), now.UTC().Format(time.RFC3339))
	case t.Before(now.Add(-s.cfg.MaxAge)):
		return invalid(field, "%s is more than %s before the server's clock (%s): these Facts are too old to say anything about the device now; collect them again", t.UTC().Format(time.RFC3339), humanDuration(s.cfg.MaxAge), now.UTC().Format(time.RFC3339))
	}
	return nil
}

func humanDuration(d time.Duration) string {
	if d%(24*time.Hour) == 0 {
		if n := int(d / (24 * time.Hour)); n != 1 {
			return fmt.Sprintf("%d days", n)
		}
		return "1 day"
	}
	return d.String()
}

func tooLarge(gzipped bool) error {
	if gzipped {
		return handwash.Errorf(handwash.ETOOLARGE, "the compressed Facts are larger than %d MiB, the most the server takes", MaxSnapshotCompressed>>20)
	}
	return handwash.Errorf(handwash.ETOOLARGE, "the Facts are larger than %d MiB, the most the server takes", MaxSnapshotSize>>20)
}

// validSnapshotID accepts the IDs agents choose: UUIDs, or anything of
// letters, digits, '-', '_' and '.' up to 64 characters.
func validSnapshotID(id string) error {
	if id == "" {
		return invalid(headerSnapshotID, "missing: send an ID for this collection (a UUID), the same one on every retry")
	}
	if len(id) > 64 {
		return invalid(headerSnapshotID, "longer than 64 characters")
	}
	for _, c := range id {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.') {
			return invalid(headerSnapshotID, "may hold only letters, digits, '-', '_' and '.'")
		}
	}
	return nil
}

// validDigest accepts "sha256:" and 64 lower-case hexadecimal digits.
func validDigest(d string) bool {
	hex, ok := strings.CutPrefix(d, "sha256:")
	if !ok || len(hex) != 64 {
		return false
	}
	for _, c := range hex {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

// gunzip decompresses b, refusing more than limit bytes of output however
// small the input: a gzip bomb stops there.
var gzipWriters = sync.Pool{New: func() any { return gzip.NewWriter(io.Discard) }}

// gzipBytes compresses Facts for storage.
func gzipBytes(b []byte) ([]byte, error) {
	var buf bytes.Buffer
	buf.Grow(len(b) / 6)
	zw := gzipWriters.Get().(*gzip.Writer)
	defer gzipWriters.Put(zw)
	zw.Reset(&buf)
	if _, err := zw.Write(b); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// deviceView is a device as the API shows it.
type deviceView struct {
	*handwash.Device
	Stale bool `json:"stale"`
}

func (s *server) view(d *handwash.Device) deviceView {
	return deviceView{Device: d, Stale: d.Stale(s.now(), s.cfg.StaleAfter)}
}

// handleDeviceSelf answers a device with its own record, for handwash
// agent status.
func handleDeviceSelf(s *server) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, s.view(deviceOf(r)))
	})
}
