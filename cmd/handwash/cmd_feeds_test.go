package main

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/handwash/handwash/feeds"
)

const kevFixture = "../../../shared/fixtures/kev/known_exploited_vulnerabilities.json"

func kevFixtureBytes(t *testing.T) []byte {
	t.Helper()
	b, err := os.ReadFile(kevFixture)
	if os.IsNotExist(err) {
		t.Skipf("shared fixture %s not found: these tests need /work/shared/fixtures beside the repository", kevFixture)
	}
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func wantAll(t *testing.T, what, s string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(s, w) {
			t.Errorf("%s lacks %q:\n%s", what, w, s)
		}
	}
}

// The clock is 20 November 2026 (TestMain): the real catalogue of
// 25 August 2025 is long out of date.
func TestFeedsImportRealKEVThenStatus(t *testing.T) {
	kevFixtureBytes(t)
	cache := t.TempDir()
	code, out, errOut := handwashRun(t, "", "feeds", "import", kevFixture, "--cache", cache)
	if code != exitOK {
		t.Fatalf("import: exit %d\n%s%s", code, out, errOut)
	}
	wantAll(t, "import", out, "KEV: 1,404 entries, catalogue 2025.08.25, imported from ", "known_exploited_vulnerabilities.json",
		"Note: this data is 451 days old", "vulnerabilities found exploited since 25 August 2025 are missing")

	code, out, errOut = handwashRun(t, "", "feeds", "status", "--cache", cache)
	if code != exitOK {
		t.Fatalf("status: exit %d\n%s", code, errOut)
	}
	wantAll(t, "status", out,
		"Feeds in "+cache,
		"KEV (CISA Known Exploited Vulnerabilities catalogue)",
		"from:     imported from ",
		"version:  1,404 entries, catalogue 2025.08.25",
		"age:      451 days old (dated by its data 25 August 2025 17:04 UTC)",
		"OUT OF DATE: older than 7 days",
		"'handwash feeds update --only kev'",
		"End-of-life dates (endoflife.date support dates)",
		"MISSING: not in the cache. To get it, run 'handwash feeds update --only eol'",
		"No OSV advisories are in the cache",
	)
	if strings.Contains(out, "All feeds are up to date") {
		t.Error("status says all is well")
	}

	code, out, _ = handwashRun(t, "", "feeds", "status", "--cache", cache, "--format", "json")
	var st struct {
		Cache          string
		StaleAfterDays int `json:"stale_after_days"`
		Feeds          []feeds.FeedStatus
	}
	if err := json.Unmarshal([]byte(out), &st); code != exitOK || err != nil {
		t.Fatalf("status json: exit %d, %v\n%s", code, err, out)
	}
	if st.Cache != cache || st.StaleAfterDays != 7 || len(st.Feeds) != 2 {
		t.Fatalf("status json: %+v", st)
	}
	if k := st.Feeds[0]; k.Name != "kev" || !k.Stale || k.Missing || k.Version != "2025.08.25" || k.Count != 1404 || !k.Imported || k.AgeSeconds < 451*86400 {
		t.Errorf("kev: %+v", k)
	}
	if e := st.Feeds[1]; e.Name != "eol" || !e.Missing {
		t.Errorf("eol: %+v", e)
	}
}

// feedsServer serves the real catalogue with an ETag, as CISA's does.
type feedsServer struct {
	*httptest.Server
	mu   sync.Mutex
	body []byte
}

func newFeedsServer(t *testing.T, body []byte) *feedsServer {
	s := &feedsServer{body: body}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		b := s.body
		s.mu.Unlock()
		tag := `"` + strings.Repeat("a", 8) + string(rune('a'+len(b)%26)) + `"`
		w.Header().Set("ETag", tag)
		w.Header().Set("Last-Modified", "Mon, 25 Aug 2025 17:04:19 GMT")
		if r.Header.Get("If-None-Match") == tag {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Write(b)
	}))
	t.Cleanup(s.Close)
	return s
}

func TestFeedsUpdate(t *testing.T) {
	kev := kevFixtureBytes(t)
	srv := newFeedsServer(t, kev)
	cache := t.TempDir()
	args := []string{"feeds", "update", "--only", "kev", "--kev-url", srv.URL + "/kev.json", "--cache", cache}

	code, out, errOut := handwashRun(t, "", args...)
	if code != exitOK {
		t.Fatalf("update: exit %d\n%s%s", code, out, errOut)
	}
	wantAll(t, "update", out, "KEV: 1,404 entries, catalogue 2025.08.25, downloaded", "Feeds are in "+cache)

	code, out, errOut = handwashRun(t, "", args...)
	if code != exitOK {
		t.Fatalf("second update: exit %d\n%s%s", code, out, errOut)
	}
	wantAll(t, "second update", out, "KEV: not changed since 25 August 2025 17:04 UTC (1,404 entries, catalogue 2025.08.25)")

	code, out, _ = handwashRun(t, "", "feeds", "status", "--cache", cache)
	wantAll(t, "status", out, "from:     "+srv.URL+"/kev.json", "age:      less than a minute old (checked with the source 20 November 2026 10:00 UTC)")
	if strings.Contains(out, "KEV (CISA Known Exploited Vulnerabilities catalogue)\n  OUT OF DATE") {
		t.Error("fresh KEV reported out of date")
	}

	// A catalogue cut short is rejected, the command exits 3, and the
	// cached copy is kept byte for byte.
	stored, _ := os.ReadFile(filepath.Join(cache, "kev.json"))
	srv.mu.Lock()
	srv.body = kev[:len(kev)-1000]
	srv.mu.Unlock()
	code, out, errOut = handwashRun(t, "", args...)
	if code != exitInternal {
		t.Fatalf("bad download: exit %d, want %d\n%s%s", code, exitInternal, out, errOut)
	}
	wantAll(t, "bad download", out, "KEV: NOT UPDATED: the file from "+srv.URL+"/kev.json was rejected", "truncated", "is kept")
	wantAll(t, "bad download stderr", errOut, "1 of 1 feeds could not be updated (kev)")
	if now, _ := os.ReadFile(filepath.Join(cache, "kev.json")); !bytes.Equal(now, stored) {
		t.Error("the cached catalogue changed")
	}

	code, out, _ = handwashRun(t, "", append(args, "--format", "json")...)
	var res struct {
		Feeds []struct {
			Name    string
			Changed bool
			Error   string
			Feed    *feeds.Meta
		}
	}
	if err := json.Unmarshal([]byte(out), &res); code != exitInternal || err != nil || len(res.Feeds) != 1 {
		t.Fatalf("json: exit %d %v\n%s", code, err, out)
	}
	if f := res.Feeds[0]; f.Name != "kev" || f.Changed || !strings.Contains(f.Error, "truncated") || f.Feed == nil || f.Feed.Version != "2025.08.25" {
		t.Errorf("json: %+v", f)
	}
}

func TestFeedsUsageErrors(t *testing.T) {
	kev := kevFixtureBytes(t)
	dir := t.TempDir()
	truncated := filepath.Join(dir, "kev.json")
	os.WriteFile(truncated, kev[:5000], 0o644)
	cache := t.TempDir()
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"unknown flag", []string{"feeds", "update", "--onl", "kev"}, "unknown flag: --onl"},
		{"unknown feed", []string{"feeds", "update", "--only", "nvd"}, `--only: "nvd" is not a feed`},
		{"empty --only", []string{"feeds", "update", "--only", ""}, "--only: name at least one feed"},
		{"bad format", []string{"feeds", "status", "--format", "xml"}, `--format "xml"`},
		{"plain http mirror", []string{"feeds", "update", "--kev-url", "http://mirror.example.org/kev.json"}, "--kev-url: http://mirror.example.org/kev.json is plain http://"},
		{"unknown command", []string{"feeds", "refresh"}, `unknown command "refresh" for "handwash feeds"`},
		{"import without a path", []string{"feeds", "import"}, "give one PATH to import"},
		{"import of nothing", []string{"feeds", "import", filepath.Join(dir, "nope.json")}, "nope.json does not exist"},
		{"import of a damaged file", []string{"feeds", "import", truncated}, "kev.json: KEV catalogue: the JSON ends too soon"},
		{"ecosystem with a release", []string{"feeds", "import", truncated, "--ecosystem", "Debian:12"}, `--ecosystem: "Debian:12" names a release`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := handwashRun(t, "", append(tt.args, "--cache", cache)...)
			if code != exitUsage {
				t.Errorf("exit %d, want %d\n%s%s", code, exitUsage, out, errOut)
			}
			wantAll(t, "stderr", errOut, tt.want)
		})
	}
	if entries, _ := os.ReadDir(cache); len(entries) != 0 {
		t.Errorf("usage errors wrote to the cache: %v", entries)
	}
}

func TestFeedsHelp(t *testing.T) {
	for _, args := range [][]string{{"feeds", "--help"}, {"feeds", "update", "--help"}, {"feeds", "import", "--help"}, {"feeds", "status", "--help"}} {
		code, out, _ := handwashRun(t, "", args...)
		if code != exitOK {
			t.Errorf("%v: exit %d", args, code)
		}
		wantAll(t, strings.Join(args, " "), out, "Exit codes:", "Examples:", "--cache")
	}
}
