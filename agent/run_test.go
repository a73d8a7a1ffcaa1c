package agent

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/handwash/handwash"
	"github.com/handwash/handwash/agent/agenttest"
)

// fakeCollect returns distinct small Facts and counts its calls.
type fakeCollect struct {
	n atomic.Int32
}

func (f *fakeCollect) collect(context.Context) *handwash.Facts {
	i := f.n.Add(1)
	return testFacts(string(rune('a'+i)), 5)
}

func testRunner(t *testing.T, path string) (*Runner, *fakeCollect, *logBuffer) {
	t.Helper()
	log, lb := testLogger(t)
	fc := &fakeCollect{}
	return &Runner{ConfigPath: path, Version: "test", Log: log, Collect: fc.collect,
		Backoff: Backoff{Base: 5 * time.Millisecond, Max: 20 * time.Millisecond}}, fc, lb
}

func TestOnceSends(t *testing.T) {
	srv := agenttest.NewServer()
	defer srv.Close()
	path := enrolled(t, srv, "")
	r, _, _ := testRunner(t, path)
	if err := r.Once(t.Context()); err != nil {
		t.Fatal(err)
	}
	if n := len(srv.Snapshots()); n != 1 {
		t.Errorf("server stored %d", n)
	}
	st, err := LoadState(PathsFor(path).State)
	if err != nil {
		t.Fatal(err)
	}
	if st.LastCollectedAt == nil || st.LastReportedAt == nil || st.LastReportedSnapshot != srv.Snapshots()[0].ID || st.LastError != "" {
		t.Errorf("state %+v", st)
	}
	sum, _ := SummarizeSpool(PathsFor(path).Spool)
	if sum.Count != 0 {
		t.Errorf("spool %+v", sum)
	}
}

func TestOnceKeepsTheCollectionWhenTheServerIsDown(t *testing.T) {
	srv := agenttest.NewServer()
	path := enrolled(t, srv, "")
	srv.Close()
	r, _, _ := testRunner(t, path)
	err := r.Once(t.Context())
	if handwash.ErrorCode(err) != CodeUnavailable || !strings.Contains(err.Error(), "1 collection(s) wait in the spool") {
		t.Fatalf("err = %v (%s)", err, handwash.ErrorCode(err))
	}
	// And the next run sends it with its own.
	back := agenttest.NewServer()
	defer back.Close()
	back.AdoptDevices(srv)
	cfg, _ := LoadConfig(path)
	cfg.Server = back.URL
	if err := cfg.Save(path); err != nil {
		t.Fatal(err)
	}
	r2, _, _ := testRunner(t, path)
	if err := r2.Once(t.Context()); err != nil {
		t.Fatal(err)
	}
	if n := len(back.Snapshots()); n != 2 {
		t.Errorf("server stored %d, want 2", n)
	}
}

func TestOnceRefusedCredential(t *testing.T) {
	srv := agenttest.NewServer()
	defer srv.Close()
	path := enrolled(t, srv, "")
	srv.RevokeDevices = true
	r, _, _ := testRunner(t, path)
	if err := r.Once(t.Context()); !errors.Is(err, ErrNeedsEnrolment) {
		t.Fatalf("err = %v", err)
	}
}

func TestOnceNotEnrolled(t *testing.T) {
	r, _, _ := testRunner(t, testDir(t)+"/agent.json")
	if err := r.Once(t.Context()); handwash.ErrorCode(err) != handwash.ENOTFOUND {
		t.Errorf("err = %v", err)
	}
}

// Run collects at start and on schedule; the server is down for a while;
// afterwards every collection has arrived once, in order.
func TestRunOnScheduleThroughAnOutage(t *testing.T) {
	srv := agenttest.NewServer()
	defer srv.Close()
	path := enrolled(t, srv, "")
	r, fc, _ := testRunner(t, path)
	r.Interval = 30 * time.Millisecond
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- r.Run(ctx) }()

	waitFor(t, "the first upload", func() bool { return len(srv.Snapshots()) >= 1 })
	srv.Lock()
	srv.Down = true
	srv.Unlock()
	n := fc.n.Load()
	waitFor(t, "collections during the outage", func() bool { return fc.n.Load() >= n+3 })
	srv.Lock()
	srv.Down = false
	srv.Unlock()
	n = fc.n.Load()
	waitFor(t, "the spool to drain", func() bool { return len(srv.Snapshots()) >= int(n) })
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	// Whatever was collected after the last upload waits in the spool;
	// the server has the rest, each once, in collection order.
	es, _ := r.spool.List()
	if got, want := len(srv.Snapshots())+len(es), int(fc.n.Load()); got != want {
		t.Errorf("server %d + spool %d = %d, want %d collections", len(srv.Snapshots()), len(es), got, want)
	}
	// fakeCollect numbers its collections in the host name.
	seen := map[string]bool{}
	last := rune(0)
	for _, s := range srv.Snapshots() {
		if seen[s.ID] {
			t.Errorf("%s stored twice", s.ID)
		}
		seen[s.ID] = true
		name := []rune(s.Facts.Device.Hostname)
		if n := name[len(name)-1]; n != last+1 && last != 0 {
			t.Errorf("collection %d arrived after %d", n-'a', last-'a')
		} else {
			last = n
		}
	}
	if st, _ := LoadState(PathsFor(path).State); st.NextCollectionAt == nil || st.LastReportedAt == nil {
		t.Errorf("state %+v", st)
	}
}

// A refused credential stops uploads, not collections; a new enrolment
// written while the agent runs resumes them without a restart.
func TestRunWaitsForANewEnrolment(t *testing.T) {
	configPoll = 10 * time.Millisecond
	defer func() { configPoll = time.Minute }()
	srv := agenttest.NewServer()
	defer srv.Close()
	path := enrolled(t, srv, "")
	srv.RevokeDevices = true
	r, fc, lb := testRunner(t, path)
	r.Interval = 20 * time.Millisecond
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	var wg sync.WaitGroup
	wg.Go(func() { r.Run(ctx) })

	waitFor(t, "the refusal", func() bool { return strings.Contains(lb.String(), "enrol it again") })
	before := len(srv.Requests())
	waitFor(t, "more collections", func() bool { return fc.n.Load() >= 4 })
	if n := len(srv.Requests()) - before; n != 0 {
		t.Errorf("%d requests after the refusal", n)
	}
	srv.Lock()
	srv.RevokeDevices = false
	srv.Unlock()
	// Enrolling again writes a new credential.
	if _, err := Enroll(t.Context(), EnrollOptions{Server: srv.URL, Token: srv.AddEnrollToken(1), ConfigPath: path,
		Device: handwash.DeviceInfo{Hostname: "PC", Platform: "linux"}}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "uploads to resume", func() bool { return len(srv.Snapshots()) >= 4 })
	cancel()
	wg.Wait()
}

// A stop arriving during a collection waits for it and spools it.
func TestRunStopFinishesTheCollection(t *testing.T) {
	srv := agenttest.NewServer()
	defer srv.Close()
	path := enrolled(t, srv, "")
	r, _, _ := testRunner(t, path)
	started := make(chan struct{})
	r.Collect = func(ctx context.Context) *handwash.Facts {
		close(started)
		time.Sleep(100 * time.Millisecond)
		if ctx.Err() != nil {
			t.Error("the collection's context was cancelled by the stop")
		}
		return testFacts("slow", 5)
	}
	srv.Down = true // keep it in the spool
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- r.Run(ctx) }()
	<-started
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if sum, _ := SummarizeSpool(PathsFor(path).Spool); sum.Count+len(srv.Snapshots()) != 1 {
		t.Errorf("the collection under way was lost: spool %+v", sum)
	}
}

// A restart moments after a collection does not collect again at once.
func TestRunDoesNotRecollectAfterAQuickRestart(t *testing.T) {
	srv := agenttest.NewServer()
	defer srv.Close()
	path := enrolled(t, srv, "")
	r, fc, lb := testRunner(t, path)
	if err := r.Once(t.Context()); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
	defer cancel()
	if err := r.Run(ctx); err != nil {
		t.Fatal(err)
	}
	if n := fc.n.Load(); n != 1 {
		t.Errorf("%d collections, want 1", n)
	}
	if !strings.Contains(lb.String(), "collected moments ago") {
		t.Errorf("log:\n%s", lb.String())
	}
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
