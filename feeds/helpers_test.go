package feeds

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/handwash/handwash/vuln"
)

const (
	fixtures    = "../../shared/fixtures"
	kevFixture  = fixtures + "/kev/known_exploited_vulnerabilities.json"
	eolProducts = fixtures + "/eol/products"
)

// readFixture reads a shared fixture, skipping the test when the folder is
// not there.
func readFixture(t testing.TB, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		if os.IsNotExist(err) {
			t.Skipf("shared fixture %s not found: these tests need /work/shared/fixtures beside the repository", path)
		}
		t.Fatal(err)
	}
	return b
}

// eolAPIFromFixtures builds an endoflife.date API v1 document from a few
// real product files.
func eolAPIFromFixtures(t testing.TB, products ...string) []byte {
	t.Helper()
	if len(products) == 0 {
		products = []string{"windows", "debian", "ubuntu", "macos", "office"}
	}
	fsys := fstest.MapFS{}
	for _, p := range products {
		fsys[p+".md"] = &fstest.MapFile{Data: readFixture(t, eolProducts+"/"+p+".md")}
	}
	e, err := vuln.ParseEOLProductFiles(fsys)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := e.WriteAPIv1(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// osvRecord is an OSV record (schema 1.6) of one package in one
// ecosystem release, fixed in one version.
func osvRecord(id, modified, ecosystem, pkg, fixed string, aliases ...string) map[string]any {
	return map[string]any{
		"schema_version": "1.6.0",
		"id":             id,
		"modified":       modified,
		"published":      modified,
		"aliases":        aliases,
		"summary":        pkg + " security update",
		"details":        "Several vulnerabilities were discovered in " + pkg + ".",
		"affected": []any{map[string]any{
			"package": map[string]any{"ecosystem": ecosystem, "name": pkg, "purl": "pkg:deb/debian/" + pkg},
			"ranges": []any{map[string]any{
				"type":   "ECOSYSTEM",
				"events": []any{map[string]any{"introduced": "0"}, map[string]any{"fixed": fixed}},
			}},
		}},
		"references": []any{map[string]any{"type": "ADVISORY", "url": "https://security-tracker.debian.org/tracker/" + id}},
	}
}

// debianRecords are realistic Debian advisories: OpenSSL's DSA-5764-1 for
// bookworm, its DLA for bullseye, and regreSSHion in OpenSSH.
func debianRecords() map[string]map[string]any {
	return map[string]map[string]any{
		"DSA-5764-1.json": osvRecord("DSA-5764-1", "2024-09-03T19:41:09Z", "Debian:12", "openssl", "3.0.14-1~deb12u2",
			"CVE-2024-2511", "CVE-2024-4603", "CVE-2024-4741", "CVE-2024-5535", "CVE-2024-6119"),
		"DLA-3942-1.json":           osvRecord("DLA-3942-1", "2024-10-27T12:00:00Z", "Debian:11", "openssl", "1.1.1w-0+deb11u2", "CVE-2024-5535", "CVE-2024-9143"),
		"DEBIAN-CVE-2024-6387.json": osvRecord("DEBIAN-CVE-2024-6387", "2024-07-02T08:15:00Z", "Debian:12", "openssh", "1:9.2p1-2+deb12u3"),
	}
}

// ubuntuRecord is Ubuntu's record of regreSSHion: it belongs in the Ubuntu
// feed, not Debian's.
func ubuntuRecord() map[string]any {
	return osvRecord("UBUNTU-CVE-2024-6387", "2024-07-08T10:00:00Z", "Ubuntu:22.04:LTS", "openssh", "1:8.9p1-3ubuntu0.10")
}

// zipOf writes records into a zip, one JSON file each, as OSV's all.zip.
func zipOf(t testing.TB, records map[string]map[string]any) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	names := make([]string, 0, len(records))
	for n := range records {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		w, err := zw.Create(n)
		if err != nil {
			t.Fatal(err)
		}
		if err := json.NewEncoder(w).Encode(records[n]); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// zipRaw writes files as given.
func zipRaw(t testing.TB, files map[string][]byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for n, b := range files {
		w, err := zw.Create(n)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(b)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// feedServer serves feed files with ETags and Last-Modified, answers
// conditional requests, and records what it was asked.
type feedServer struct {
	*httptest.Server
	mu       sync.Mutex
	files    map[string][]byte
	status   map[string]int
	requests []*http.Request
	// hold, if set, is waited on before answering.
	hold chan struct{}
	got  chan struct{}
}

var lastModified = time.Date(2025, 8, 25, 17, 4, 19, 0, time.UTC)

func newFeedServer(t *testing.T) *feedServer {
	t.Helper()
	s := &feedServer{files: map[string][]byte{}, status: map[string]int{}}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.Close)
	return s
}

func (s *feedServer) set(path string, b []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.files[path] = b
}

func (s *feedServer) fail(path string, status int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.status[path] = status
}

func etag(b []byte) string {
	h := sha256.Sum256(b)
	return `"` + hex.EncodeToString(h[:8]) + `"`
}

func (s *feedServer) serve(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.requests = append(s.requests, r.Clone(r.Context()))
	b, ok := s.files[r.URL.Path]
	status := s.status[r.URL.Path]
	hold, got := s.hold, s.got
	s.mu.Unlock()
	if got != nil {
		got <- struct{}{}
	}
	if hold != nil {
		<-hold
	}
	if status != 0 {
		http.Error(w, "something went wrong", status)
		return
	}
	if !ok {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("ETag", etag(b))
	w.Header().Set("Last-Modified", lastModified.Format(http.TimeFormat))
	if r.Header.Get("If-None-Match") == etag(b) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	w.Write(b)
}

// lastRequest is the last request for path.
func (s *feedServer) lastRequest(t *testing.T, path string) *http.Request {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := len(s.requests) - 1; i >= 0; i-- {
		if s.requests[i].URL.Path == path {
			return s.requests[i]
		}
	}
	t.Fatalf("no request for %s", path)
	return nil
}

func (s *feedServer) urls() URLs {
	return URLs{KEV: s.URL + "/kev.json", EOL: s.URL + "/api/v1/products/full", OSVBase: s.URL + "/osv"}
}

// clock is a settable clock for ages.
type clock struct{ t time.Time }

func (c *clock) now() time.Time              { return c.t }
func (c *clock) advance(d time.Duration)     { c.t = c.t.Add(d) }
func newCache(t *testing.T, c *clock) *Cache { ch := New(t.TempDir()); ch.Now = c.now; return ch }

// snapshot is every file in the cache folder with its bytes, to show that a
// failure changed nothing (and left no temporary file behind).
func snapshot(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	entries, err := os.ReadDir(dir)
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		out[e.Name()] = string(b)
	}
	return out
}

func sameFiles(t *testing.T, before, after map[string]string) {
	t.Helper()
	for n, b := range before {
		a, ok := after[n]
		switch {
		case !ok:
			t.Errorf("%s was removed", n)
		case a != b:
			t.Errorf("%s changed (%d bytes, was %d)", n, len(a), len(b))
		}
	}
	for n := range after {
		if _, ok := before[n]; !ok {
			t.Errorf("%s was left behind", n)
		}
	}
}

func wantIn(t *testing.T, msg string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(msg, w) {
			t.Errorf("message %q lacks %q", msg, w)
		}
	}
}
