package agent

import (
	"errors"
	"net"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/handwash/handwash/agent/agenttest"
)

func addN(t *testing.T, s *Spool, n, packages int) []string {
	t.Helper()
	var ids []string
	for i := range n {
		e, _, err := s.Add(testFacts(string(rune('a'+i)), packages))
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, e.SnapshotID)
	}
	return ids
}

// The server stores a snapshot and the connection breaks before its
// answer: the agent cannot know, retries with the same snapshot ID, gets
// "200 duplicate", and the snapshot is stored once.
func TestRetryAfterLostAnswerIsNotStoredTwice(t *testing.T) {
	srv := agenttest.NewServer()
	defer srv.Close()
	u, sp, _ := testUploader(t, enrolled(t, srv, ""))
	ids := addN(t, sp, 1, 20)
	srv.DropAfterStore = 1

	if err := u.flush(t.Context(), 0); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(ids, storedIDs(srv)); diff != "" {
		t.Errorf("stored (-want +got):\n%s", diff)
	}
	reqs := srv.Requests()
	if len(reqs) != 3 || reqs[1] != reqs[2] { // enrol, upload, retry
		t.Errorf("requests %q, want the upload twice with the same ID", reqs)
	}
	if n := len(spoolIDs(t, sp)); n != 0 {
		t.Errorf("%d left in the spool", n)
	}
}

// The server is down (nothing listens), then comes back: every snapshot
// arrives exactly once, in the order collected.
func TestServerDownThenUpDeliversEachOnceInOrder(t *testing.T) {
	srv := agenttest.NewServer()
	path := enrolled(t, srv, "")
	addr := srv.Listener.Addr().String()
	srv.Close() // enrolled; now the server goes away
	u, sp, lb := testUploader(t, path)
	ids := addN(t, sp, 5, 10)

	done := make(chan error, 1)
	go func() { done <- u.flush(t.Context(), 0) }()
	// Let it fail a few times.
	time.Sleep(100 * time.Millisecond)
	if !strings.Contains(lb.String(), "stays in the spool") {
		t.Fatalf("no retry logged:\n%s", lb.String())
	}
	l, err := net.Listen("tcp", addr)
	if err != nil {
		t.Skipf("cannot listen on %s again: %v", addr, err)
	}
	back := agenttest.NewServerOn(l)
	defer back.Close()
	// The device's credential is the old server's; the new one must know it.
	back.AdoptDevices(srv)

	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("flush did not finish after the server came back")
	}
	if diff := cmp.Diff(ids, storedIDs(back)); diff != "" {
		t.Errorf("stored (-want +got):\n%s", diff)
	}
}

// 503 with Retry-After, then recovery: the spool goes in order, once.
func TestBusyServerIsRetried(t *testing.T) {
	srv := agenttest.NewServer()
	defer srv.Close()
	u, sp, _ := testUploader(t, enrolled(t, srv, ""))
	u.backoff = Backoff{Base: time.Millisecond, Max: 5 * time.Millisecond} // Retry-After is capped by Max
	ids := addN(t, sp, 3, 5)
	srv.Down = true
	done := make(chan error, 1)
	go func() { done <- u.flush(t.Context(), 0) }()
	time.Sleep(50 * time.Millisecond)
	srv.Lock()
	srv.Down = false
	srv.Unlock()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(ids, storedIDs(srv)); diff != "" {
		t.Errorf("stored (-want +got):\n%s", diff)
	}
	if st := u.state.get(); st.LastReportedAt == nil || st.LastError != "" || st.LastReportedSnapshot != ids[2] {
		t.Errorf("state after recovery: %+v", st)
	}
}

func TestUnauthorizedStopsUploads(t *testing.T) {
	srv := agenttest.NewServer()
	defer srv.Close()
	u, sp, lb := testUploader(t, enrolled(t, srv, ""))
	ids := addN(t, sp, 3, 5)
	srv.RevokeDevices = true
	before := len(srv.Requests())
	err := u.flush(t.Context(), 0)
	if !errors.Is(err, ErrNeedsEnrolment) {
		t.Fatalf("err = %v", err)
	}
	if n := len(srv.Requests()) - before; n != 1 {
		t.Errorf("%d requests after a 401, want 1", n)
	}
	if diff := cmp.Diff(ids, spoolIDs(t, sp)); diff != "" {
		t.Errorf("spool changed (-want +got):\n%s", diff)
	}
	if !strings.Contains(lb.String(), "enrol it again") || !u.state.get().NeedsEnrolment {
		t.Errorf("not logged or recorded:\n%s", lb.String())
	}
}

// A snapshot the server refuses (400, 409, 413) is set aside, and the
// queue goes on.
func TestRefusedSnapshotIsMovedAside(t *testing.T) {
	for _, status := range []int{http.StatusBadRequest, http.StatusConflict, http.StatusRequestEntityTooLarge} {
		t.Run(http.StatusText(status), func(t *testing.T) {
			srv := agenttest.NewServer()
			defer srv.Close()
			u, sp, lb := testUploader(t, enrolled(t, srv, ""))
			ids := addN(t, sp, 3, 5)
			srv.Refuse[ids[1]] = status
			if err := u.flush(t.Context(), 0); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff([]string{ids[0], ids[2]}, storedIDs(srv)); diff != "" {
				t.Errorf("stored (-want +got):\n%s", diff)
			}
			rs, _ := sp.Rejected()
			if len(rs) != 1 || rs[0].SnapshotID != ids[1] {
				t.Errorf("rejected = %+v", rs)
			}
			if !strings.Contains(lb.String(), "refused by the test") || u.state.get().Rejected != 1 {
				t.Errorf("refusal not logged with the server's reason:\n%s", lb.String())
			}
		})
	}
}

// A body that is not gzip at all (a damaged file) is refused by the server
// as 400 and set aside rather than retried for ever.
func TestDamagedSpoolFileIsSetAside(t *testing.T) {
	srv := agenttest.NewServer()
	defer srv.Close()
	u, sp, _ := testUploader(t, enrolled(t, srv, ""))
	ids := addN(t, sp, 2, 5)
	es, _ := sp.List()
	os.WriteFile(es[0].Path, []byte("not gzip"), 0o600)
	if err := u.flush(t.Context(), 0); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(ids[1:], storedIDs(srv)); diff != "" {
		t.Errorf("stored (-want +got):\n%s", diff)
	}
}

// When the server already holds the Facts as the device's newest, it
// answers from the digest header and the body is never sent.
func TestDigestShortcutSendsNoBody(t *testing.T) {
	srv := agenttest.NewServer()
	defer srv.Close()
	u, sp, _ := testUploader(t, enrolled(t, srv, ""))
	f := testFacts("same", 3000)
	first, _, err := sp.Add(f)
	if err != nil {
		t.Fatal(err)
	}
	if err := u.flush(t.Context(), 0); err != nil {
		t.Fatal(err)
	}
	// The same observations again, collected later.
	f.CollectedAt = f.CollectedAt.Add(4 * time.Hour)
	f.Collection.DurationMS = 1234
	second, _, err := sp.Add(f)
	if err != nil {
		t.Fatal(err)
	}
	if second.Digest != first.Digest || second.Size < 20000 {
		t.Fatalf("test set-up: digests %s %s, size %d", first.Digest, second.Digest, second.Size)
	}
	before := srv.BytesReceived()
	if err := u.flush(t.Context(), 0); err != nil {
		t.Fatal(err)
	}
	sent := srv.BytesReceived() - before
	if sent >= second.Size/4 {
		t.Errorf("the client sent %d bytes for a %d-byte body the server did not need", sent, second.Size)
	}
	snaps := srv.Snapshots()
	if len(snaps) != 2 || snaps[1].ID != second.SnapshotID || snaps[1].Facts != nil {
		t.Fatalf("second snapshot not recorded through the shortcut: %+v", snaps)
	}
	// Without the body, the header dated it.
	if !snaps[1].CollectedAt.Equal(f.CollectedAt) {
		t.Errorf("shortcut snapshot dated %v, collected %v", snaps[1].CollectedAt, f.CollectedAt)
	}
	if n := len(spoolIDs(t, sp)); n != 0 {
		t.Errorf("%d left in the spool", n)
	}
}

// A full body, by contrast, does arrive: the byte counter can tell.
func TestBodyIsSentWhenTheServerNeedsIt(t *testing.T) {
	srv := agenttest.NewServer()
	defer srv.Close()
	u, sp, _ := testUploader(t, enrolled(t, srv, ""))
	e, _, _ := sp.Add(testFacts("x", 3000))
	before := srv.BytesReceived()
	if err := u.flush(t.Context(), 0); err != nil {
		t.Fatal(err)
	}
	if sent := srv.BytesReceived() - before; sent < e.Size {
		t.Errorf("sent %d bytes for a %d-byte body", sent, e.Size)
	}
}

func TestFlushGivesUpAfterTries(t *testing.T) {
	srv := agenttest.NewServer()
	path := enrolled(t, srv, "")
	srv.Close()
	u, sp, _ := testUploader(t, path)
	addN(t, sp, 2, 1)
	err := u.flush(t.Context(), 3)
	if err == nil || !strings.Contains(err.Error(), "connection refused") && !strings.Contains(err.Error(), "cannot reach") {
		t.Errorf("err = %v", err)
	}
	if n := len(spoolIDs(t, sp)); n != 2 {
		t.Errorf("spool has %d, want 2", n)
	}
	if st := u.state.get(); st.LastError == "" || st.LastErrorAt == nil {
		t.Errorf("state: %+v", st)
	}
}

func TestBackoffBounds(t *testing.T) {
	b := Backoff{Base: 10 * time.Second, Max: 15 * time.Minute}
	for n := range 20 {
		top := min(b.Base<<n, b.Max)
		if n > 10 {
			top = b.Max
		}
		for range 50 {
			d := b.Delay(n)
			if d < top/2 || d > top {
				t.Fatalf("Delay(%d) = %s, want within [%s, %s]", n, d, top/2, top)
			}
		}
	}
}

func TestJitterBounds(t *testing.T) {
	iv := 4 * time.Hour
	lo, hi := iv, iv
	for range 10000 {
		d := Jitter(iv)
		if d < iv*9/10 || d > iv*11/10 {
			t.Fatalf("Jitter(4h) = %s, outside ±10%%", d)
		}
		lo, hi = min(lo, d), max(hi, d)
	}
	// And it does spread: both sides of the interval are used.
	if lo > iv-15*time.Minute || hi < iv+15*time.Minute {
		t.Errorf("jitter spread only %s … %s", lo, hi)
	}
}
