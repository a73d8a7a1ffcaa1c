package agent

import (
	"compress/gzip"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/handwash/handwash"
)

// Spool bounds. A collection of a typical Windows PC is 20–100 kB once
// compressed, so 50 collections (eight days at the default schedule) stay
// far below the byte bound, which is there for machines with a very long
// list of installed software.
const (
	DefaultSpoolCount    = 50
	DefaultSpoolBytes    = 50 << 20
	DefaultRejectedCount = 10
)

// staleTemp is how old a temporary file must be before a new Spool removes
// it: younger ones may belong to another agent process writing right now
// ('agent run --once' started by hand while the service runs).
const staleTemp = time.Hour

// Spool keeps collections on disk until the server has them: one gzip file
// of the Facts' JSON per snapshot, named
//
//	<sequence>-<snapshot ID>-<digest hex>.json.gz
//
// where the sequence is the time of collection in Unix nanoseconds, 20
// digits, made strictly greater than every sequence already in the spool
// so that the names' lexical order is the order of collection even if the
// clock steps back. A file is written under a temporary name (starting with
// a dot, so listings skip it), flushed to disk and then renamed: a crash
// leaves a complete snapshot or none, and a half-written temporary file is
// ignored, then removed once stale. The spool holds at most MaxCount files
// and MaxBytes bytes; adding beyond either drops the oldest, with a warning.
//
// A Spool is safe for concurrent use by one process; two processes may
// share one (the server's snapshot IDs make a double upload harmless).
type Spool struct {
	dir string
	// MaxCount and MaxBytes bound the spool; MaxRejected bounds rejected/.
	MaxCount    int
	MaxBytes    int64
	MaxRejected int
	Log         *slog.Logger
	// Now is the clock; time.Now when nil.
	Now func() time.Time

	mu      sync.Mutex
	lastSeq int64
}

// Entry is one spooled snapshot.
type Entry struct {
	Name       string // file name within the spool
	Path       string
	Seq        int64 // Unix nanoseconds at collection; orders the spool
	SnapshotID string
	Digest     string // "sha256:<hex>"
	Size       int64
}

// CollectedAt is when the snapshot was spooled, near enough to when its
// Facts were collected to tell people its age.
func (e Entry) CollectedAt() time.Time { return time.Unix(0, e.Seq) }

var entryName = regexp.MustCompile(`^([0-9]{20})-([0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12})-([0-9a-f]{64})\.json\.gz$`)

func parseEntry(dir, name string) (Entry, bool) {
	m := entryName.FindStringSubmatch(name)
	if m == nil {
		return Entry{}, false
	}
	seq, err := strconv.ParseInt(m[1], 10, 64)
	if err != nil {
		return Entry{}, false
	}
	return Entry{Name: name, Path: filepath.Join(dir, name), Seq: seq, SnapshotID: m[2], Digest: "sha256:" + m[3]}, true
}

// OpenSpool opens (making it if need be) the spool in dir, readable only by
// administrators, and removes stale temporary files left by a crash.
func OpenSpool(dir string, log *slog.Logger) (*Spool, error) {
	if err := PrepareDir(dir); err != nil {
		return nil, err
	}
	s := &Spool{dir: dir, MaxCount: DefaultSpoolCount, MaxBytes: DefaultSpoolBytes, MaxRejected: DefaultRejectedCount, Log: orDiscard(log)}
	names, err := readNames(dir)
	if err != nil {
		return nil, err
	}
	for _, n := range names {
		if !strings.HasPrefix(n, ".") {
			continue
		}
		p := filepath.Join(dir, n)
		if fi, err := os.Lstat(p); err == nil && fi.Mode().IsRegular() && time.Since(fi.ModTime()) > staleTemp {
			s.Log.Info("removing an incomplete spool file left by an interrupted run", "file", n)
			os.Remove(p)
		}
	}
	return s, nil
}

// Dir is the spool's directory.
func (s *Spool) Dir() string { return s.dir }

// RejectedDir is where snapshots the server refused are kept.
func (s *Spool) RejectedDir() string { return filepath.Join(s.dir, "rejected") }

func (s *Spool) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

func readNames(dir string) ([]string, error) {
	d, err := os.Open(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer d.Close()
	return d.Readdirnames(-1)
}

// List returns the spooled snapshots, oldest first.
func (s *Spool) List() ([]Entry, error) { return listEntries(s.dir) }

func listEntries(dir string) ([]Entry, error) {
	names, err := readNames(dir)
	if err != nil {
		return nil, err
	}
	slices.Sort(names)
	var es []Entry
	for _, n := range names {
		e, ok := parseEntry(dir, n)
		if !ok {
			continue
		}
		fi, err := os.Stat(e.Path)
		if err != nil {
			continue // removed since the listing: sent by another process
		}
		e.Size = fi.Size()
		es = append(es, e)
	}
	return es, nil
}

// NewSnapshotID returns a random UUID (version 4), as the API asks for.
func NewSnapshotID() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic("agent: no randomness: " + err.Error()) // crypto/rand does not fail on supported systems
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// Add spools the Facts under a new snapshot ID, then enforces the bounds.
// It returns the new entry and any entries dropped to make room, which have
// been logged as a warning already.
func (s *Spool) Add(f *handwash.Facts) (Entry, []Entry, error) {
	digest := f.Digest()
	s.mu.Lock()
	defer s.mu.Unlock()

	existing, err := s.List()
	if err != nil {
		return Entry{}, nil, fmt.Errorf("reading the spool: %w", err)
	}
	seq := s.now().UnixNano()
	for _, e := range existing {
		s.lastSeq = max(s.lastSeq, e.Seq)
	}
	if seq <= s.lastSeq {
		seq = s.lastSeq + 1
	}
	id := NewSnapshotID()
	name := fmt.Sprintf("%020d-%s-%s.json.gz", seq, id, strings.TrimPrefix(digest, "sha256:"))
	e, _ := parseEntry(s.dir, name)
	if e.Size, err = s.write(e.Path, f); err != nil {
		return Entry{}, nil, fmt.Errorf("writing to the spool: %w", err)
	}
	s.lastSeq = seq
	dropped := s.enforceBounds(append(existing, e))
	return e, dropped, nil
}

// write streams the Facts as gzip-compressed JSON into a temporary file and
// renames it to path once it is complete on disk.
func (s *Spool) write(path string, f *handwash.Facts) (int64, error) {
	tmp, err := os.CreateTemp(s.dir, ".spool-*.tmp")
	if err != nil {
		return 0, err
	}
	name := tmp.Name()
	defer os.Remove(name) // finds nothing after the rename
	zw, _ := gzip.NewWriterLevel(tmp, gzip.BestCompression)
	// The gzip header's time (whole seconds, as collected_at has) tells
	// the uploader when the Facts were collected without reading them.
	zw.Header.ModTime = f.CollectedAt
	if err := json.NewEncoder(zw).Encode(f); err != nil {
		tmp.Close()
		return 0, err
	}
	if err := zw.Close(); err != nil {
		tmp.Close()
		return 0, err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return 0, err
	}
	fi, err := tmp.Stat()
	if err != nil {
		tmp.Close()
		return 0, err
	}
	if err := tmp.Close(); err != nil {
		return 0, err
	}
	if err := secureFile(name); err != nil {
		return 0, err
	}
	if err := os.Rename(name, path); err != nil {
		return 0, err
	}
	syncDir(s.dir)
	return fi.Size(), nil
}

// enforceBounds drops the oldest entries while the spool is over a bound,
// never the newest one (the collection just made).
func (s *Spool) enforceBounds(es []Entry) []Entry {
	var total int64
	for _, e := range es {
		total += e.Size
	}
	var dropped []Entry
	for len(es) > 1 && (len(es) > s.MaxCount || total > s.MaxBytes) {
		old := es[0]
		es = es[1:]
		total -= old.Size
		if err := os.Remove(old.Path); err != nil && !errors.Is(err, fs.ErrNotExist) {
			s.Log.Error("cannot remove from the full spool", "file", old.Name, "err", err)
			continue
		}
		dropped = append(dropped, old)
		s.Log.Warn("the spool is full, so the oldest collection waiting to be sent was dropped; check why this computer cannot report to the server ('handwash agent status')",
			"snapshot", old.SnapshotID, "collected", old.CollectedAt().UTC().Format(time.RFC3339),
			"max_count", s.MaxCount, "max_bytes", s.MaxBytes)
	}
	return dropped
}

// Open opens a spooled snapshot's compressed Facts.
func (s *Spool) Open(e Entry) (io.ReadCloser, int64, error) {
	f, err := os.Open(e.Path)
	if err != nil {
		return nil, 0, err
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, 0, err
	}
	return f, fi.Size(), nil
}

// CollectedAt returns when a spooled snapshot's Facts were collected, from
// the gzip header; zero if the file does not say.
func (s *Spool) CollectedAt(e Entry) time.Time {
	f, err := os.Open(e.Path)
	if err != nil {
		return time.Time{}
	}
	defer f.Close()
	zr, err := gzip.NewReader(f) // reads the header only
	if err != nil || zr.Header.ModTime.Unix() <= 0 {
		return time.Time{}
	}
	return zr.Header.ModTime.UTC()
}

// Remove deletes a snapshot the server has. One already gone (sent by
// another process) is not an error.
func (s *Spool) Remove(e Entry) error {
	err := os.Remove(e.Path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err == nil {
		syncDir(s.dir)
	}
	return err
}

// Reject moves a snapshot the server refused into rejected/, so the queue
// goes on and the file stays for someone to look at, keeping at most
// MaxRejected there.
func (s *Spool) Reject(e Entry) error {
	dir := s.RejectedDir()
	if err := secureDir(dir); err != nil {
		return err
	}
	if err := os.Rename(e.Path, filepath.Join(dir, e.Name)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	rs, err := listEntries(dir)
	if err != nil {
		return err
	}
	for len(rs) > max(s.MaxRejected, 1) {
		os.Remove(rs[0].Path)
		rs = rs[1:]
	}
	syncDir(s.dir)
	return nil
}

// Rejected lists the snapshots the server refused, oldest first.
func (s *Spool) Rejected() ([]Entry, error) { return listEntries(s.RejectedDir()) }

// SpoolSummary describes a spool for status without opening it for writing.
type SpoolSummary struct {
	Count    int        `json:"count"`
	Bytes    int64      `json:"bytes"`
	Oldest   *time.Time `json:"oldest,omitempty"`
	Rejected int        `json:"rejected"`
}

// SummarizeSpool counts what waits in the spool in dir.
func SummarizeSpool(dir string) (SpoolSummary, error) {
	var sum SpoolSummary
	es, err := listEntries(dir)
	if err != nil {
		return sum, err
	}
	for i, e := range es {
		sum.Count++
		sum.Bytes += e.Size
		if i == 0 {
			t := e.CollectedAt().UTC()
			sum.Oldest = &t
		}
	}
	rs, err := listEntries(filepath.Join(dir, "rejected"))
	if err != nil {
		return sum, err
	}
	sum.Rejected = len(rs)
	return sum, nil
}
