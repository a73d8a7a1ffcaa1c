package feeds

import (
	"context"
	"encoding/json"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/handwash/handwash"
)

func TestStatusAges(t *testing.T) {
	_, sources := servedFeeds(t)
	clk := &clock{start}
	c := newCache(t, clk)

	// Nothing yet: KEV and EOL are missing; OSV feeds appear once stored.
	got := c.Status()
	if len(got) != 2 || got[0].Name != "kev" || got[1].Name != "eol" || !got[0].Missing || !got[1].Missing || got[0].Problem != "" {
		t.Fatalf("empty cache: %+v", got)
	}
	if _, err := c.Update(context.Background(), nil, sources); err != nil {
		t.Fatal(err)
	}

	clk.advance(3*24*time.Hour + 5*time.Hour)
	got = c.Status()
	if names := []string{got[0].Name, got[1].Name, got[2].Name}; len(got) != 3 || !cmp.Equal(names, []string{"kev", "eol", "osv:Debian"}) {
		t.Fatalf("status lists %v", got)
	}
	for _, s := range got {
		if s.Missing || s.Stale || s.Age != 77*time.Hour || s.AgeSeconds != 77*3600 || s.Problem != "" {
			t.Errorf("%s after 3 days: %+v", s.Name, s)
		}
		if !strings.HasPrefix(s.Source, "http://127.0.0.1:") || s.Version == "" || s.Count == 0 || s.Imported {
			t.Errorf("%s: %+v", s.Name, s)
		}
	}
	if got[0].Title != "KEV" || got[2].Title != "OSV Debian" || AgeWords(got[0].Age) != "3 days" {
		t.Errorf("titles %q %q, age %q", got[0].Title, got[2].Title, AgeWords(got[0].Age))
	}

	// Exactly seven days is still fresh; a moment more is stale.
	clk.t = start.Add(StaleAfter)
	if s := c.Status("kev")[0]; s.Stale {
		t.Error("stale at exactly 7 days")
	}
	clk.advance(time.Minute)
	if s := c.Status("kev")[0]; !s.Stale || AgeWords(s.Age) != "7 days" {
		t.Errorf("after 7 days: %+v", s)
	}

	// A feed asked for by name and not stored is missing.
	if s := c.Status("osv:Ubuntu")[0]; !s.Missing || s.Title != "OSV Ubuntu" {
		t.Errorf("osv:Ubuntu: %+v", s)
	}

	// A file gone or a record damaged is reported, with the fix.
	os.Remove(filepath.Join(c.Dir(), "osv-Debian.zip"))
	os.WriteFile(filepath.Join(c.Dir(), "eol.meta.json"), []byte("{"), 0o644)
	for _, s := range c.Status("eol", "osv:Debian") {
		if !s.Missing || !strings.Contains(s.Problem, "handwash feeds update --only "+s.Name) {
			t.Errorf("%s: %+v", s.Name, s)
		}
	}
	if _, _, err := c.OSVPath("Debian"); err == nil || !strings.Contains(handwash.ErrorMessage(err), "missing or damaged") {
		t.Errorf("OSVPath with the zip gone: %v", err)
	}

	// JSON has the ages in seconds.
	b, _ := json.Marshal(c.Status("kev")[0])
	var m map[string]any
	json.Unmarshal(b, &m)
	if m["age_seconds"] != float64(7*24*3600+60) || m["stale"] != true || m["name"] != "kev" {
		t.Errorf("JSON: %s", b)
	}
}

func TestMetaDataSource(t *testing.T) {
	c := newCache(t, &clock{start})
	r, err := c.Import(context.Background(), kevFixture, ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	ds := r.Meta.DataSource()
	if ds.Name != "CISA Known Exploited Vulnerabilities catalogue 2025.08.25 (1,404 entries)" || ds.AsOf != "2025-08-25" || !strings.HasSuffix(ds.Source, "known_exploited_vulnerabilities.json") {
		t.Errorf("%+v", ds)
	}
	if w := r.Meta.VersionWords(); w != "catalogue 2025.08.25, 1,404 entries, checked 25 August 2025" {
		t.Errorf("VersionWords = %q", w)
	}
}

func TestAgeWordsAndThousands(t *testing.T) {
	for d, want := range map[time.Duration]string{
		0: "less than a minute", 59 * time.Second: "less than a minute", time.Minute: "1 minute",
		45 * time.Minute: "45 minutes", time.Hour: "1 hour", 47 * time.Hour: "47 hours",
		48 * time.Hour: "2 days", 30 * 24 * time.Hour: "30 days",
	} {
		if got := AgeWords(d); got != want {
			t.Errorf("AgeWords(%v) = %q, want %q", d, got, want)
		}
	}
	for n, want := range map[int]string{0: "0", 999: "999", 1000: "1,000", 1404: "1,404", 1234567: "1,234,567", -1404: "-1,404"} {
		if got := Thousands(n); got != want {
			t.Errorf("Thousands(%d) = %q", n, got)
		}
	}
}

func TestSourcesAndNames(t *testing.T) {
	all, err := DefaultURLs().Sources()
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"kev " + DefaultKEVURL,
		"eol https://endoflife.date/api/v1/products/full",
		"osv:Debian https://osv-vulnerabilities.storage.googleapis.com/Debian/all.zip",
		"osv:Ubuntu https://osv-vulnerabilities.storage.googleapis.com/Ubuntu/all.zip",
		"osv:Alpine https://osv-vulnerabilities.storage.googleapis.com/Alpine/all.zip",
		"osv:Red Hat https://osv-vulnerabilities.storage.googleapis.com/Red%20Hat/all.zip",
		"osv:Rocky Linux https://osv-vulnerabilities.storage.googleapis.com/Rocky%20Linux/all.zip",
		"osv:AlmaLinux https://osv-vulnerabilities.storage.googleapis.com/AlmaLinux/all.zip",
	}
	var got []string
	for _, s := range all {
		got = append(got, s.Name+" "+s.URL)
		u, _ := url.Parse(s.URL)
		if err := checkURL(u); err != nil || s.maxBytes() == 0 || s.timeout() == 0 {
			t.Errorf("%s: %v", s.Name, err)
		}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("default sources (-want +got):\n%s", diff)
	}

	for in, want := range map[string]string{
		"KEV": "kev", " eol ": "eol", "osv:debian": "osv:Debian", "OSV:red-hat": "osv:Red Hat", "osv:RedHat": "osv:Red Hat",
		"osv:rocky_linux": "osv:Rocky Linux", "osv:almalinux": "osv:AlmaLinux", "osv:Wolfi": "osv:Wolfi",
	} {
		if got, err := ParseName(in); err != nil || got != want {
			t.Errorf("ParseName(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for in, msg := range map[string]string{
		"nvd": "the feeds are kev, eol and osv:<ecosystem>", "osv:Debian:12": "names a release",
		"osv:../etc": "not an OSV ecosystem", "osv:": "not an OSV ecosystem",
	} {
		_, err := ParseName(in)
		if err == nil || handwash.ErrorCode(err) != handwash.EINVALID || !strings.Contains(handwash.ErrorMessage(err), msg) {
			t.Errorf("ParseName(%q) error %v, want one with %q", in, err, msg)
		}
	}
	some, err := DefaultURLs().Sources("osv", "kev", "osv:Debian")
	if err != nil || len(some) != 7 || some[6].Name != "kev" {
		t.Errorf("osv expands to every ecosystem, once each: %v %v", some, err)
	}
	if fileBase("osv:Red Hat") != "osv-Red_Hat" || dataFile("osv:Rocky Linux") != "osv-Rocky_Linux.zip" || dataFile("kev") != "kev.json" {
		t.Error("file names")
	}
	for _, u := range []string{"http://localhost:8080/x", "http://127.0.0.1/x", "http://[::1]/x", "https://example.org/x"} {
		p, _ := url.Parse(u)
		if err := checkURL(p); err != nil {
			t.Errorf("%s refused: %v", u, err)
		}
	}
	for _, u := range []string{"http://10.0.0.1/x", "ftp://example.org/x", "file:///etc/passwd"} {
		p, _ := url.Parse(u)
		if err := checkURL(p); err == nil {
			t.Errorf("%s allowed", u)
		}
	}
}

// DefaultDir is in the user's cache folder; ServerDir in the data folder.
func TestDirs(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", "/tmp/cache-home")
	t.Setenv("HOME", "/tmp/home")
	d, err := DefaultDir()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(d, filepath.Join("handwash", "feeds")) {
		t.Errorf("DefaultDir = %s", d)
	}
	if got := ServerDir("/var/lib/handwash"); got != filepath.Join("/var/lib/handwash", "feeds") {
		t.Errorf("ServerDir = %s", got)
	}
}
