package agent

import (
	"compress/gzip"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/handwash/handwash"
)

func newTestSpool(t *testing.T) (*Spool, *logBuffer) {
	t.Helper()
	log, lb := testLogger(t)
	s, err := OpenSpool(filepath.Join(testDir(t), "spool"), log)
	if err != nil {
		t.Fatal(err)
	}
	return s, lb
}

func TestSpoolKeepsCollectionOrder(t *testing.T) {
	s, _ := newTestSpool(t)
	var want []string
	for i := range 5 {
		e, dropped, err := s.Add(testFacts(string(rune('a'+i)), 3))
		if err != nil || len(dropped) != 0 {
			t.Fatalf("Add: %v, dropped %d", err, len(dropped))
		}
		want = append(want, e.SnapshotID)
	}
	if diff := cmp.Diff(want, spoolIDs(t, s)); diff != "" {
		t.Errorf("spool order (-want +got):\n%s", diff)
	}
}

// A clock that steps back (Windows correcting its time at boot) must not
// put a new collection before older ones.
func TestSpoolOrderSurvivesClockSteppingBack(t *testing.T) {
	s, _ := newTestSpool(t)
	clock := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	s.Now = func() time.Time { clock = clock.Add(-time.Hour); return clock }
	var want []string
	for i := range 4 {
		e, _, err := s.Add(testFacts(string(rune('a'+i)), 1))
		if err != nil {
			t.Fatal(err)
		}
		want = append(want, e.SnapshotID)
	}
	// A new Spool on the same folder (a restart) continues after them.
	s2, err := OpenSpool(s.Dir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	s2.Now = s.Now
	e, _, err := s2.Add(testFacts("e", 1))
	if err != nil {
		t.Fatal(err)
	}
	want = append(want, e.SnapshotID)
	if diff := cmp.Diff(want, spoolIDs(t, s2)); diff != "" {
		t.Errorf("spool order (-want +got):\n%s", diff)
	}
}

func TestSpoolDropsOldestWhenFullWithAWarning(t *testing.T) {
	s, lb := newTestSpool(t)
	s.MaxCount = 3
	var ids []string
	for i := range 5 {
		e, _, err := s.Add(testFacts(string(rune('a'+i)), 2))
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, e.SnapshotID)
	}
	if diff := cmp.Diff(ids[2:], spoolIDs(t, s)); diff != "" {
		t.Errorf("after 5 adds with room for 3 (-want +got):\n%s", diff)
	}
	log := lb.String()
	for _, id := range ids[:2] {
		if !strings.Contains(log, "level=WARN") || !strings.Contains(log, "snapshot="+id) {
			t.Errorf("no warning about dropping %s in the log:\n%s", id, log)
		}
	}
}

func TestSpoolBoundByBytes(t *testing.T) {
	s, _ := newTestSpool(t)
	e, _, err := s.Add(testFacts("a", 200))
	if err != nil {
		t.Fatal(err)
	}
	// Room for two of these, not three.
	s.MaxBytes = 2*e.Size + e.Size/2
	var last []string
	for i := range 3 {
		e, dropped, err := s.Add(testFacts(string(rune('b'+i)), 200))
		if err != nil {
			t.Fatal(err)
		}
		last = append(last, e.SnapshotID)
		if i == 2 && len(dropped) != 1 {
			t.Errorf("third add dropped %d, want 1", len(dropped))
		}
	}
	if got := spoolIDs(t, s); len(got) != 2 || got[1] != last[2] {
		t.Errorf("spool = %v, want the newest two of %v", got, last)
	}
	// One collection larger than the whole bound is still kept: it is
	// the newest, and the server decides whether it is too large.
	s.MaxBytes = 10
	e, _, err = s.Add(testFacts("big", 50))
	if err != nil {
		t.Fatal(err)
	}
	if got := spoolIDs(t, s); len(got) != 1 || got[0] != e.SnapshotID {
		t.Errorf("spool = %v, want only %s", got, e.SnapshotID)
	}
}

// A crash while writing leaves a temporary file: listings ignore it, and a
// later start removes it once it is old enough not to belong to a writer
// still at work.
func TestSpoolIgnoresHalfWrittenFiles(t *testing.T) {
	s, _ := newTestSpool(t)
	good, _, err := s.Add(testFacts("a", 5))
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(good.Path)
	if err != nil {
		t.Fatal(err)
	}
	stale := filepath.Join(s.Dir(), ".spool-123.tmp")
	fresh := filepath.Join(s.Dir(), ".spool-456.tmp")
	for _, p := range []string{stale, fresh} {
		if err := os.WriteFile(p, b[:len(b)/2], 0o600); err != nil {
			t.Fatal(err)
		}
	}
	old := time.Now().Add(-2 * staleTemp)
	os.Chtimes(stale, old, old)
	// Names that are not snapshots are left alone too.
	os.WriteFile(filepath.Join(s.Dir(), "notes.txt"), []byte("x"), 0o600)

	if diff := cmp.Diff([]string{good.SnapshotID}, spoolIDs(t, s)); diff != "" {
		t.Errorf("listing (-want +got):\n%s", diff)
	}
	if _, err := OpenSpool(s.Dir(), nil); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(stale); !os.IsNotExist(err) {
		t.Errorf("stale temporary file still there: %v", err)
	}
	if _, err := os.Stat(fresh); err != nil {
		t.Errorf("a fresh temporary file (another writer's) was removed: %v", err)
	}
}

func TestSpoolFileIsTheFactsGzipped(t *testing.T) {
	s, _ := newTestSpool(t)
	f := testFacts("a", 10)
	e, _, err := s.Add(f)
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`^[0-9]{20}-[0-9a-f-]{36}-[0-9a-f]{64}\.json\.gz$`).MatchString(e.Name) {
		t.Errorf("name %q", e.Name)
	}
	if e.Digest != f.Digest() {
		t.Errorf("digest %s, want %s", e.Digest, f.Digest())
	}
	r, _, err := s.Open(e)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	zr, err := gzip.NewReader(r)
	if err != nil {
		t.Fatal(err)
	}
	var got handwash.Facts
	if err := json.NewDecoder(zr).Decode(&got); err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(io.Discard, zr); err != nil {
		t.Errorf("gzip stream: %v", err)
	}
	if got.Digest() != f.Digest() {
		t.Error("the spooled Facts differ from those added")
	}
}

func TestSpoolRejectKeepsABoundedFolder(t *testing.T) {
	s, _ := newTestSpool(t)
	s.MaxRejected = 2
	var ids []string
	for i := range 3 {
		e, _, err := s.Add(testFacts(string(rune('a'+i)), 1))
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, e.SnapshotID)
		if err := s.Reject(e); err != nil {
			t.Fatal(err)
		}
	}
	rs, err := s.Rejected()
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range rs {
		got = append(got, r.SnapshotID)
	}
	if diff := cmp.Diff(ids[1:], got); diff != "" {
		t.Errorf("rejected (-want +got):\n%s", diff)
	}
	if n := len(spoolIDs(t, s)); n != 0 {
		t.Errorf("%d left in the spool", n)
	}
	sum, err := SummarizeSpool(s.Dir())
	if err != nil || sum.Count != 0 || sum.Rejected != 2 {
		t.Errorf("summary %+v, %v", sum, err)
	}
}

func TestSpoolPermissions(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("Windows uses an access list, set by files_windows.go")
	}
	s, _ := newTestSpool(t)
	e, _, err := s.Add(testFacts("a", 1))
	if err != nil {
		t.Fatal(err)
	}
	for p, want := range map[string]os.FileMode{s.Dir(): 0o700, e.Path: 0o600} {
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if got := fi.Mode().Perm(); got != want {
			t.Errorf("%s: mode %o, want %o", p, got, want)
		}
	}
}

func TestNewSnapshotIDIsUUIDv4(t *testing.T) {
	re := regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	seen := map[string]bool{}
	for range 100 {
		id := NewSnapshotID()
		if !re.MatchString(id) || seen[id] {
			t.Fatalf("id %q (seen before: %v)", id, seen[id])
		}
		seen[id] = true
	}
}
