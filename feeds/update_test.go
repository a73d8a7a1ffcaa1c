package feeds

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/handwash/handwash"
)

// start is when the tests' clock begins: the day after the KEV fixture was
// released.
var start = time.Date(2025, 8, 26, 9, 0, 0, 0, time.UTC)

// servedFeeds puts a real KEV catalogue, an EOL document of real products
// and a small Debian OSV zip on a test server.
func servedFeeds(t *testing.T) (*feedServer, []Source) {
	t.Helper()
	srv := newFeedServer(t)
	srv.set("/kev.json", readFixture(t, kevFixture))
	srv.set("/api/v1/products/full", eolAPIFromFixtures(t))
	srv.set("/osv/Debian/all.zip", zipOf(t, debianRecords()))
	sources, err := srv.urls().Sources("kev", "eol", "osv:Debian")
	if err != nil {
		t.Fatal(err)
	}
	return srv, sources
}

func TestUpdateDownloadsThenAsksIfChanged(t *testing.T) {
	srv, sources := servedFeeds(t)
	clk := &clock{start}
	c := newCache(t, clk)
	c.UserAgent = "handwash/v1.2.3"
	var stages []string
	c.Progress = func(p Progress) { stages = append(stages, p.Name+" "+p.Stage) }

	results, err := c.Update(context.Background(), nil, sources)
	if err != nil {
		t.Fatal(err)
	}
	if len(results) != 3 {
		t.Fatalf("%d results", len(results))
	}
	want := map[string]struct {
		version string
		count   int
	}{
		"kev":        {"2025.08.25", 1404},
		"eol":        {"", 5},
		"osv:Debian": {"2024-10-27T12:00:00Z", 3},
	}
	for _, r := range results {
		if r.Err != nil || !r.Changed || r.Previous != nil {
			t.Errorf("%s: changed %v, previous %v, err %v", r.Name, r.Changed, r.Previous, r.Err)
		}
		m := r.Meta
		w := want[r.Name]
		if (w.version != "" && m.Version != w.version) || m.Count != w.count {
			t.Errorf("%s: version %q count %d, want %q %d", r.Name, m.Version, m.Count, w.version, w.count)
		}
		if m.ETag == "" || m.LastModified != "Mon, 25 Aug 2025 17:04:19 GMT" || m.Imported || !m.FetchedAt.Equal(start) || !m.CheckedAt.Equal(start) {
			t.Errorf("%s: meta %+v", r.Name, m)
		}
		b, err := os.ReadFile(filepath.Join(c.Dir(), m.File))
		if err != nil {
			t.Fatal(err)
		}
		if sha(b) != m.SHA256 || int64(len(b)) != m.Size || etag(b) != m.ETag {
			t.Errorf("%s: stored file does not match its metadata", r.Name)
		}
		if err := c.Verify(r.Name); err != nil {
			t.Error(err)
		}
	}
	if ua := srv.lastRequest(t, "/kev.json").Header.Get("User-Agent"); ua != "handwash/v1.2.3" {
		t.Errorf("User-Agent %q", ua)
	}
	if h := srv.lastRequest(t, "/kev.json").Header.Get("If-None-Match"); h != "" {
		t.Errorf("first request was conditional (If-None-Match %s)", h)
	}
	if !contains(stages, "kev downloading") || !contains(stages, "osv:Debian validating") {
		t.Errorf("progress: %v", stages)
	}

	// Two days later nothing has changed: the server says 304 and the
	// cache records that it checked.
	before := snapshot(t, c.Dir())
	clk.advance(48 * time.Hour)
	results, err = c.Update(context.Background(), nil, sources)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range results {
		if r.Err != nil || r.Changed || r.Previous == nil {
			t.Errorf("%s: changed %v, err %v", r.Name, r.Changed, r.Err)
		}
		if !r.Meta.CheckedAt.Equal(clk.t) || !r.Meta.FetchedAt.Equal(start) || r.Meta.SHA256 != r.Previous.SHA256 {
			t.Errorf("%s after 304: checked %v fetched %v", r.Name, r.Meta.CheckedAt, r.Meta.FetchedAt)
		}
	}
	req := srv.lastRequest(t, "/kev.json")
	if req.Header.Get("If-None-Match") != results[0].Meta.ETag || req.Header.Get("If-Modified-Since") != "Mon, 25 Aug 2025 17:04:19 GMT" {
		t.Errorf("second request: If-None-Match %q, If-Modified-Since %q", req.Header.Get("If-None-Match"), req.Header.Get("If-Modified-Since"))
	}
	after := snapshot(t, c.Dir())
	for n := range before {
		if !strings.HasSuffix(n, ".meta.json") && before[n] != after[n] {
			t.Errorf("%s changed on a 304", n)
		}
	}

	// The loaders read what was stored.
	k, km, err := c.LoadKEV()
	if err != nil {
		t.Fatal(err)
	}
	if e, ok := k.Lookup("CVE-2017-0144"); !ok || e.VendorProject != "Microsoft" || km.Version != "2025.08.25" {
		t.Errorf("KEV: EternalBlue %v %v, version %s", e, ok, km.Version)
	}
	eol, _, err := c.LoadEOL()
	if err != nil {
		t.Fatal(err)
	}
	if p, ok := eol.Product("debian"); !ok || len(p.Releases) == 0 {
		t.Errorf("EOL: debian %v", ok)
	}
	z, om, err := c.OpenOSV("debian")
	if err != nil {
		t.Fatal(err)
	}
	defer z.Close()
	if len(z.File) != 3 || om.Ecosystem != "Debian" {
		t.Errorf("OSV zip: %d files, ecosystem %q", len(z.File), om.Ecosystem)
	}
	p, _, err := c.OSVPath("Debian")
	if err != nil || filepath.Base(p) != "osv-Debian.zip" {
		t.Errorf("OSVPath = %s, %v", p, err)
	}

	// A new catalogue is downloaded again.
	srv.set("/kev.json", bytes.Replace(readFixture(t, kevFixture), []byte(`"2025.08.25"`), []byte(`"2025.08.26"`), 1))
	results, err = c.Update(context.Background(), nil, sources[:1])
	if err != nil || !results[0].Changed || results[0].Meta.Version != "2025.08.26" || results[0].Previous.Version != "2025.08.25" {
		t.Errorf("new catalogue: %+v, %v", results[0], err)
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// Bad downloads are rejected with a clear error, and the cache stays
// byte for byte as it was.
func TestUpdateRejectsBadFiles(t *testing.T) {
	kev := readFixture(t, kevFixture)
	eol := eolAPIFromFixtures(t)
	debian := zipOf(t, debianRecords())
	withUbuntu := debianRecords()
	withUbuntu["UBUNTU-CVE-2024-6387.json"] = ubuntuRecord()
	noModified := debianRecords()
	delete(noModified["DSA-5764-1.json"], "modified")

	tests := []struct {
		name   string
		path   string
		body   []byte
		status int
		source func(s *Source)
		want   []string
	}{
		{name: "truncated KEV", path: "/kev.json", body: kev[:len(kev)/3], want: []string{"KEV:", "rejected", "truncated"}},
		{name: "KEV of the wrong schema", path: "/kev.json", body: eol, want: []string{"KEV:", `"catalogVersion" is missing`}},
		{name: "KEV missing an entry", path: "/kev.json", body: bytes.Replace(kev, []byte(`"count": 1404`), []byte(`"count": 1405`), 1), want: []string{"KEV:", "says 1405 entries but the catalogue has 1404"}},
		{name: "web page instead of KEV", path: "/kev.json", body: []byte("<!DOCTYPE html><title>Sign in to the Wi-Fi</title>"), want: []string{"KEV:", "web page"}},
		{name: "truncated EOL", path: "/api/v1/products/full", body: eol[:len(eol)/2], want: []string{"End-of-life dates:", "truncated"}},
		{name: "EOL of the wrong schema", path: "/api/v1/products/full", body: kev, want: []string{"End-of-life dates:", `"schema_version" is missing`}},
		{name: "truncated zip", path: "/osv/Debian/all.zip", body: debian[:len(debian)-30], want: []string{"OSV Debian:", "not a complete zip file"}},
		{name: "wrong ecosystem", path: "/osv/Debian/all.zip", body: zipOf(t, withUbuntu), want: []string{"OSV Debian:", "wrong ecosystem", "UBUNTU-CVE-2024-6387", `"Ubuntu:22.04:LTS"`, "not the Debian feed"}},
		{name: "bad OSV record", path: "/osv/Debian/all.zip", body: zipOf(t, noModified), want: []string{"OSV Debian:", "DSA-5764-1.json", `"modified" is missing`}},
		{name: "not a zip", path: "/osv/Debian/all.zip", body: kev, want: []string{"OSV Debian:", "not a complete zip file"}},
		{name: "oversize", path: "/kev.json", body: bytes.Replace(kev, []byte("2025.08.25"), []byte("2025.08.26"), 1), source: func(s *Source) { s.MaxBytes = 100_000 }, want: []string{"KEV:", "the file from 127.0.0.1", "is over the limit of 100,000 bytes"}},
		{name: "oversize by Content-Length", path: "/kev.json", body: []byte(`{"catalogVersion": "x"}`), source: func(s *Source) { s.MaxBytes = 10 }, want: []string{"KEV:", "offered 23 bytes, over the limit of 10"}},
		{name: "server error", path: "/kev.json", status: http.StatusBadGateway, want: []string{"KEV:", "502 Bad Gateway", "handwash feeds import"}},
		{name: "not found", path: "/osv/Debian/all.zip", status: http.StatusNotFound, want: []string{"OSV Debian:", "404 Not Found"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newFeedServer(t)
			srv.set("/kev.json", kev)
			srv.set("/api/v1/products/full", eol)
			srv.set("/osv/Debian/all.zip", debian)
			sources, _ := srv.urls().Sources("kev", "eol", "osv:Debian")
			c := newCache(t, &clock{start})
			if _, err := c.Update(context.Background(), nil, sources); err != nil {
				t.Fatal(err)
			}
			before := snapshot(t, c.Dir())

			if tt.body != nil {
				srv.set(tt.path, tt.body)
			}
			if tt.status != 0 {
				srv.fail(tt.path, tt.status)
			}
			var src Source
			for _, s := range sources {
				if strings.HasSuffix(s.URL, tt.path) {
					src = s
				}
			}
			if tt.source != nil {
				tt.source(&src)
			}
			results, err := c.Update(context.Background(), nil, []Source{src})
			if err == nil || handwash.ErrorCode(err) != CodeUnavailable {
				t.Fatalf("Update error = %v, want one saying the feed could not be updated", err)
			}
			r := results[0]
			if r.Err == nil || r.Changed {
				t.Fatalf("result %+v", r)
			}
			msg := handwash.ErrorMessage(r.Err)
			t.Log(msg)
			wantIn(t, msg, tt.want...)
			wantIn(t, msg, "is kept")
			if r.Meta.SHA256 != r.Previous.SHA256 {
				t.Error("result's metadata is not the previous one")
			}
			sameFiles(t, before, snapshot(t, c.Dir()))
			if err := c.Verify(src.Name); err != nil {
				t.Error(err)
			}
		})
	}
}

// With nothing cached, a failure stores nothing and says so.
func TestUpdateFailureWithEmptyCache(t *testing.T) {
	srv := newFeedServer(t)
	srv.set("/kev.json", []byte(`{"title":"CISA Catalog of Known Exploited Vulnerabilities","catalogVersion":"2025.08.25"`))
	sources, _ := srv.urls().Sources("kev")
	c := newCache(t, &clock{start})
	results, err := c.Update(context.Background(), nil, sources)
	if err == nil {
		t.Fatal("accepted a truncated catalogue")
	}
	wantIn(t, handwash.ErrorMessage(results[0].Err), "KEV:", "truncated", "Nothing was stored")
	if files := snapshot(t, c.Dir()); len(files) != 0 {
		t.Errorf("left files: %v", files)
	}
	if s := c.Status("kev"); !s[0].Missing {
		t.Errorf("status %+v", s[0])
	}
	if _, _, err := c.LoadKEV(); handwash.ErrorCode(err) != handwash.ENOTFOUND || !strings.Contains(handwash.ErrorMessage(err), "handwash feeds update --only kev") {
		t.Errorf("LoadKEV error %v", err)
	}
}

// When the cached file is gone or damaged, the update asks for the whole
// file again rather than trusting a 304.
func TestUpdateAfterDamageDownloadsAgain(t *testing.T) {
	srv, sources := servedFeeds(t)
	c := newCache(t, &clock{start})
	if _, err := c.Update(context.Background(), nil, sources[:1]); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(c.Dir(), "kev.json")
	b, _ := os.ReadFile(p)
	os.WriteFile(p, b[:100], 0o644)
	if _, _, err := c.LoadKEV(); err == nil || !strings.Contains(handwash.ErrorMessage(err), "damaged") {
		t.Errorf("LoadKEV of a damaged file: %v", err)
	}
	results, err := c.Update(context.Background(), nil, sources[:1])
	if err != nil || !results[0].Changed {
		t.Fatalf("%+v %v", results, err)
	}
	if h := srv.lastRequest(t, "/kev.json").Header.Get("If-None-Match"); h != "" {
		t.Errorf("asked If-None-Match %s with a damaged file", h)
	}
	if _, _, err := c.LoadKEV(); err != nil {
		t.Error(err)
	}
}

// Only https is fetched (plain http only on loopback), and redirects to
// plain http are refused.
func TestUpdateRefusesUnencrypted(t *testing.T) {
	c := newCache(t, &clock{start})
	results, err := c.Update(context.Background(), nil, []Source{{Name: "kev", URL: "http://feeds.example.org/kev.json"}})
	if err == nil {
		t.Fatal("fetched over plain http")
	}
	wantIn(t, handwash.ErrorMessage(results[0].Err), "KEV:", "plain http://", "https://")

	tls := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "http://feeds.example.org/kev.json", http.StatusFound)
	}))
	defer tls.Close()
	results, err = c.Update(context.Background(), tls.Client(), []Source{{Name: "kev", URL: tls.URL + "/kev.json"}})
	if err == nil {
		t.Fatal("followed a redirect to plain http")
	}
	wantIn(t, handwash.ErrorMessage(results[0].Err), "KEV:", "refused a redirect", "plain http://")
}

// A second updater of the same feed is told another is running and
// changes nothing; the first finishes normally.
func TestUpdateLocksEachFeed(t *testing.T) {
	srv, sources := servedFeeds(t)
	dir := t.TempDir()
	a, b := New(dir), New(dir)
	srv.mu.Lock()
	srv.hold, srv.got = make(chan struct{}), make(chan struct{}, 1)
	srv.mu.Unlock()

	done := make(chan error)
	go func() {
		_, err := a.Update(context.Background(), nil, sources[:1])
		done <- err
	}()
	<-srv.got // a is downloading
	results, err := b.Update(context.Background(), nil, sources[:1])
	if err == nil || handwash.ErrorCode(results[0].Err) != handwash.ECONFLICT {
		t.Errorf("second updater: %v", err)
	} else {
		wantIn(t, handwash.ErrorMessage(results[0].Err), "another Handwash process is updating it")
	}
	close(srv.hold)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if err := a.Verify("kev"); err != nil {
		t.Error(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "kev.lock")); !os.IsNotExist(err) {
		t.Errorf("lock left behind: %v", err)
	}

	// A lock left by a process that died is taken over.
	srv.mu.Lock()
	srv.hold, srv.got = nil, nil
	srv.mu.Unlock()
	lock := filepath.Join(dir, "eol.lock")
	os.WriteFile(lock, []byte("pid 1 since long ago\n"), 0o644)
	old := time.Now().Add(-LockStale - time.Minute)
	os.Chtimes(lock, old, old)
	if _, err := b.Update(context.Background(), nil, sources[1:2]); err != nil {
		t.Errorf("stale lock not taken over: %v", err)
	}
}

func TestUpdateRejectsBadNames(t *testing.T) {
	srv, _ := servedFeeds(t)
	c := newCache(t, &clock{start})
	// Names are taken in any usual spelling.
	results, err := c.Update(context.Background(), nil, []Source{{Name: "osv:debian", URL: srv.URL + "/osv/Debian/all.zip"}})
	if err != nil || results[0].Name != "osv:Debian" || results[0].Meta.Name != "osv:Debian" {
		t.Errorf("osv:debian: %+v %v", results, err)
	}
	results, err = c.Update(context.Background(), nil, []Source{{Name: "nvd", URL: "https://nvd.example/x"}})
	if err == nil {
		t.Fatal("accepted")
	}
	wantIn(t, handwash.ErrorMessage(results[0].Err), `"nvd" is not a feed name`)
}
