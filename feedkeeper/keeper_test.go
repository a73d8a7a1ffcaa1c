package feedkeeper

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/handwash/handwash"
	"github.com/handwash/handwash/feeds"
	"github.com/handwash/handwash/sqlite"
	"github.com/handwash/handwash/vuln"
)

const fixtures = "../../shared/fixtures"

func fixture(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(fixtures, path))
	if os.IsNotExist(err) {
		t.Skipf("shared fixture %s not found: these tests need the shared fixtures folder beside the repository", path)
	}
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// feedServer serves a real KEV catalogue and an end-of-life document made
// from real product files, and counts the downloads.
type feedServer struct {
	*httptest.Server
	mu    sync.Mutex
	gets  map[string]int
	files map[string][]byte
}

func newFeedServer(t *testing.T) *feedServer {
	t.Helper()
	fsys := fstest.MapFS{}
	for _, p := range []string{"windows", "debian"} {
		fsys[p+".md"] = &fstest.MapFile{Data: fixture(t, "eol/products/"+p+".md")}
	}
	e, err := vuln.ParseEOLProductFiles(fsys)
	if err != nil {
		t.Fatal(err)
	}
	var eol bytes.Buffer
	if err := e.WriteAPIv1(&eol); err != nil {
		t.Fatal(err)
	}
	s := &feedServer{gets: map[string]int{}, files: map[string][]byte{
		"/kev.json": fixture(t, "kev/known_exploited_vulnerabilities.json"),
		"/eol.json": eol.Bytes(),
	}}
	s.Server = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		b, ok := s.files[r.URL.Path]
		if ok {
			s.gets[r.URL.Path]++
		}
		s.mu.Unlock()
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Write(b)
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *feedServer) count(path string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.gets[path]
}

func (s *feedServer) urls() feeds.URLs {
	return feeds.URLs{KEV: s.URL + "/kev.json", EOL: s.URL + "/eol.json", OSVBase: s.URL + "/osv"}
}

func openStore(t *testing.T) handwash.Store {
	t.Helper()
	s, err := sqlite.Open(filepath.Join(t.TempDir(), "handwash.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// process is one serve process: its own cache folder and a keeper.
func process(t *testing.T, name string, srv *feedServer, store Store, logs io.Writer) *Keeper {
	t.Helper()
	c := feeds.New(filepath.Join(t.TempDir(), name))
	return New(Config{Every: 24 * time.Hour, Share: true, Holder: name, URLs: srv.urls(), Client: srv.Client()},
		c, store, slog.New(slog.NewTextHandler(logs, nil)))
}

// Two processes with their own cache folders share one database: the
// feeds are downloaded once, and both caches end up holding them.
func TestFeedsFetchedOnceAcrossProcesses(t *testing.T) {
	srv := newFeedServer(t)
	store := openStore(t)
	var logs bytes.Buffer
	a := process(t, "a", srv, store, &logs)
	b := process(t, "b", srv, store, &logs)
	ctx := context.Background()

	// Both look at once, as two replicas starting together would.
	var wg sync.WaitGroup
	for _, k := range []*Keeper{a, b} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := k.Round(ctx); err != nil {
				t.Errorf("round of %s: %v", k.cfg.Holder, err)
			}
		}()
	}
	wg.Wait()
	// The one that did not fetch copies on its next round.
	for _, k := range []*Keeper{a, b} {
		if err := k.Round(ctx); err != nil {
			t.Fatalf("second round of %s: %v", k.cfg.Holder, err)
		}
	}
	if n, m := srv.count("/kev.json"), srv.count("/eol.json"); n != 1 || m != 1 {
		t.Errorf("downloads: KEV %d, EOL %d; want each once across both processes\n%s", n, m, logs.String())
	}
	for _, k := range []*Keeper{a, b} {
		for _, name := range []string{"kev", "eol"} {
			if err := k.cache.Verify(name); err != nil {
				t.Errorf("%s's cache: %v", k.cfg.Holder, err)
			}
		}
		if kev, _, err := k.cache.LoadKEV(); err != nil || kev.Len() == 0 {
			t.Errorf("%s's KEV does not load: %v", k.cfg.Holder, err)
		}
	}
	ma, _ := a.cache.Meta("kev")
	mb, _ := b.cache.Meta("kev")
	if ma != mb {
		t.Errorf("the two caches describe KEV differently:\n%+v\n%+v", ma, mb)
	}

	// A day later one of them fetches again (a conditional request the
	// test server answers in full); a round within the day fetches nothing.
	a.now = func() time.Time { return time.Now().Add(2 * time.Hour) }
	b.now = a.now
	a.Round(ctx)
	b.Round(ctx)
	if n := srv.count("/kev.json"); n != 1 {
		t.Errorf("KEV fetched %d times within a day; want 1", n)
	}
	a.now = func() time.Time { return time.Now().Add(25 * time.Hour) }
	b.now = a.now
	a.Round(ctx)
	b.Round(ctx)
	if n := srv.count("/kev.json"); n != 2 {
		t.Errorf("KEV fetched %d times after a day; want 2", n)
	}
}

// A feed imported by hand into one process's cache reaches the others,
// even when nobody fetches from the internet.
func TestImportedFeedIsShared(t *testing.T) {
	srv := newFeedServer(t)
	store := openStore(t)
	var logs bytes.Buffer
	a := process(t, "a", srv, store, &logs)
	b := process(t, "b", srv, store, &logs)
	a.cfg.Every, b.cfg.Every = 0, 0
	path := filepath.Join(t.TempDir(), "kev.json")
	if err := os.WriteFile(path, fixture(t, "kev/known_exploited_vulnerabilities.json"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := a.cache.Import(context.Background(), path, feeds.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := a.Round(ctx); err != nil {
		t.Fatal(err)
	}
	if err := b.Round(ctx); err != nil {
		t.Fatal(err)
	}
	if err := b.cache.Verify("kev"); err != nil {
		t.Fatalf("the imported KEV did not reach the other process: %v\n%s", err, logs.String())
	}
	if srv.count("/kev.json") != 0 {
		t.Error("a keeper with no refresh interval fetched from the internet")
	}
	if !strings.Contains(logs.String(), "copied from the database") {
		t.Errorf("logs do not say the feed was copied:\n%s", logs.String())
	}
}

// A failed fetch is tried again within the hour, not a day later.
func TestFailedRefreshRetriesSoon(t *testing.T) {
	srv := newFeedServer(t)
	srv.mu.Lock()
	delete(srv.files, "/eol.json")
	srv.mu.Unlock()
	store := openStore(t)
	var logs bytes.Buffer
	a := process(t, "a", srv, store, &logs)
	a.cfg.Share = false
	ctx := context.Background()
	base := time.Now()
	a.now = func() time.Time { return base }
	a.Round(ctx)
	if !strings.Contains(logs.String(), "could not be refreshed") {
		t.Errorf("logs do not report the failed feed:\n%s", logs.String())
	}
	a.now = func() time.Time { return base.Add(30 * time.Minute) }
	a.Round(ctx)
	if n := srv.count("/kev.json"); n != 1 {
		t.Errorf("KEV fetched %d times within 30 minutes of a failure; want 1", n)
	}
	a.now = func() time.Time { return base.Add(61 * time.Minute) }
	a.Round(ctx)
	if n := srv.count("/kev.json"); n != 2 {
		t.Errorf("KEV fetched %d times an hour after a failure; want 2", n)
	}
}

// Run does its first round after the first wait, on its own.
func TestRunRefreshes(t *testing.T) {
	srv := newFeedServer(t)
	store := openStore(t)
	var logs bytes.Buffer
	var mu sync.Mutex
	c := feeds.New(t.TempDir())
	k := New(Config{Every: time.Hour, First: time.Millisecond, Look: time.Hour, URLs: srv.urls(), Client: srv.Client()},
		c, store, slog.New(slog.NewTextHandler(&lockedWriter{w: &logs, mu: &mu}, nil)))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		k.Run(ctx)
	}()
	deadline := time.Now().Add(20 * time.Second)
	for srv.count("/eol.json") == 0 || c.Verify("eol") != nil {
		if time.Now().After(deadline) {
			mu.Lock()
			t.Fatalf("no refresh within 20 s:\n%s", logs.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	<-done
	if err := c.Verify("kev"); err != nil {
		t.Error(err)
	}
}

// lockedWriter is a writer a logger and a test share.
type lockedWriter struct {
	w  io.Writer
	mu *sync.Mutex
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
