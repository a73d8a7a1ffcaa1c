package advisories

import (
	"archive/zip"
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/handwash/handwash"
	"github.com/handwash/handwash/feeds"
	"github.com/handwash/handwash/policy"
)

const kevFixture = "../../shared/fixtures/kev/known_exploited_vulnerabilities.json"

// export writes an OSV export for Debian 12 with one record per package
// given, each fixed in version 2.0-1; openssl's is Heartbleed's CVE (on
// CISA's list).
func export(t *testing.T, pkgs ...string) string {
	t.Helper()
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for i, p := range pkgs {
		alias := "CVE-2025-000" + string(rune('1'+i))
		if p == "openssl" {
			alias = "CVE-2014-0160"
		}
		w, _ := zw.Create(p + ".json")
		w.Write([]byte(`{"id":"DSA-900` + string(rune('1'+i)) + `-1","modified":"2025-08-01T10:00:00Z","aliases":["` + alias + `"],
		  "affected":[{"package":{"ecosystem":"Debian:12","name":"` + p + `"},"ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":"2.0-1"}]}]}]}`))
	}
	zw.Close()
	file := filepath.Join(t.TempDir(), "all.zip")
	if err := os.WriteFile(file, b.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	return file
}

func debian(pkgs ...string) *handwash.Facts {
	f := &handwash.Facts{Device: handwash.DeviceInfo{Platform: handwash.PlatformLinux},
		OS: &handwash.OSFacts{ID: "debian", Version: "12", Name: "Debian GNU/Linux 12 (bookworm)"}, Software: &handwash.SoftwareFacts{}}
	for _, p := range pkgs {
		f.Software.Items = append(f.Software.Items, handwash.SoftwareItem{Name: p, Version: "1.0-1", Source: "dpkg"})
	}
	return f
}

func TestApply(t *testing.T) {
	if _, err := os.Stat(kevFixture); err != nil {
		t.Skip("the shared fixtures are not beside the project")
	}
	ctx := context.Background()
	cache := feeds.New(t.TempDir())
	now := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	cache.Now = clock
	src := New(cache, clock)

	// Nothing in the cache: the controls say which command gets it.
	var opt policy.Options
	src.Apply(&opt, debian("openssl"))
	if opt.Vulns != nil || !strings.Contains(opt.VulnsMissing, "handwash feeds update --only kev,osv:Debian") {
		t.Fatalf("empty cache: %+v", opt)
	}
	// Other platforms and unknown distributions.
	opt = policy.Options{}
	src.Apply(&opt, &handwash.Facts{Device: handwash.DeviceInfo{Platform: handwash.PlatformWindows}, Software: &handwash.SoftwareFacts{}})
	if opt.Vulns != nil || opt.VulnsMissing != "" {
		t.Errorf("Windows: %+v", opt)
	}
	fedora := debian("openssl")
	fedora.OS.ID, fedora.OS.Name = "fedora", "Fedora Linux 40"
	opt = policy.Options{}
	src.Apply(&opt, fedora)
	if !strings.Contains(opt.VulnsMissing, "no source of security advisories for Fedora Linux 40") {
		t.Errorf("Fedora: %q", opt.VulnsMissing)
	}

	for _, imp := range []struct{ path, eco string }{{kevFixture, ""}, {export(t, "openssl"), "Debian"}} {
		if _, err := cache.Import(ctx, imp.path, feeds.ImportOptions{Ecosystem: imp.eco}); err != nil {
			t.Fatal(err)
		}
	}
	// Loaded within the minute, as the first look was a miss.
	now = now.Add(time.Minute)
	opt = policy.Options{}
	src.Apply(&opt, debian("openssl", "bash"))
	if opt.Vulns == nil || opt.Vulns.KnownExploited != 1 || opt.Vulns.Fixable != 1 || opt.Vulns.Checked != 2 || len(opt.ReferenceData) != 2 {
		t.Fatalf("with the feeds: %+v %q", opt.Vulns, opt.VulnsMissing)
	}

	// A newer export replaces the file: seen within a minute, not before.
	if _, err := cache.Import(ctx, export(t, "openssl", "bash"), feeds.ImportOptions{Ecosystem: "Debian"}); err != nil {
		t.Fatal(err)
	}
	opt = policy.Options{}
	src.Apply(&opt, debian("openssl", "bash"))
	if opt.Vulns.Fixable != 1 {
		t.Errorf("reloaded before a minute passed: %d fixable", opt.Vulns.Fixable)
	}
	now = now.Add(time.Minute)
	opt = policy.Options{}
	src.Apply(&opt, debian("openssl", "bash"))
	if opt.Vulns.Fixable != 2 {
		t.Errorf("the newer export was not loaded: %d fixable", opt.Vulns.Fixable)
	}
	if opt.Vulns.DataAgeDays < 400 {
		t.Errorf("the August 2025 catalogue is %d days old", opt.Vulns.DataAgeDays)
	}
}

func TestApplySoftware(t *testing.T) {
	products := "../../shared/fixtures/eol/products"
	if _, err := os.Stat(products); err != nil {
		t.Skip("the shared fixtures are not beside the project")
	}
	now := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
	cache := feeds.New(t.TempDir())
	src := New(cache, func() time.Time { return now })
	windows := &handwash.Facts{Device: handwash.DeviceInfo{Platform: handwash.PlatformWindows}, Software: &handwash.SoftwareFacts{Items: []handwash.SoftwareItem{
		{Name: "Java 8 Update 251", Version: "8.0.2510.8", Publisher: "Oracle Corporation", Source: "registry"},
		{Name: "Microsoft Office Professional Plus 2016", Version: "16.0.4266.1001", Publisher: "Microsoft Corporation", Source: "registry"},
	}}}
	var opt policy.Options
	src.Apply(&opt, windows)
	if opt.Software != nil || !strings.Contains(opt.SoftwareMissing, "handwash feeds update --only eol") {
		t.Fatalf("without end-of-life data: %+v", opt)
	}
	if _, err := cache.Import(context.Background(), products, feeds.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	now = now.Add(time.Minute)
	opt = policy.Options{}
	src.Apply(&opt, windows)
	if opt.Software == nil || len(opt.Software.Items) != 1 {
		t.Fatalf("with end-of-life data: %+v (%q)", opt.Software, opt.SoftwareMissing)
	}
	// Office is left to updates.unsupported-software.
	if it := opt.Software.Items[0]; it.Name != "Java 8 Update 251" || !it.Ended || it.DaysEnded < 365 || it.Ends != "31 March 2022" {
		t.Errorf("Java 8: %+v", it)
	}
	if opt.OSLifecycle == nil || opt.OSLifecycle.Source().AsOf == "" {
		t.Errorf("no OS support dates from the end-of-life data: %+v", opt.OSLifecycle)
	}
	if len(opt.ReferenceData) != 1 || opt.Vulns != nil || opt.VulnsMissing != "" {
		t.Errorf("reference data %+v; a Windows device needs no package advisories (%q)", opt.ReferenceData, opt.VulnsMissing)
	}
}
