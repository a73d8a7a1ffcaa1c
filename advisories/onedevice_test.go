package advisories

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/handwash/handwash"
	"github.com/handwash/handwash/collect"
	"github.com/handwash/handwash/feeds"
	"github.com/handwash/handwash/policy"
	"github.com/handwash/handwash/vuln/osvtest"
)

// The real Debian 12 image's 705 packages, judged against a Debian-sized
// export (osvtest.NewDebian: 50,000 records) and the real KEV catalogue:
// a Source for one device, reading only the image's packages' advisories
// through the package index, gives exactly the findings of the server's
// Source, which keeps the whole export; with the index there, and with it
// missing (made again) or damaged.
func TestOneDeviceFindsTheSame(t *testing.T) {
	status, err := os.ReadFile("../../shared/fixtures/dpkg/debian12-bookworm-image-status")
	if os.IsNotExist(err) {
		t.Skip("the shared fixtures are not beside the project")
	}
	if err != nil {
		t.Fatal(err)
	}
	if testing.Short() {
		t.Skip("makes and imports a 50,000-record export")
	}
	set, err := osvtest.NewDebian(status)
	if err != nil {
		t.Fatal(err)
	}
	items, err := collect.DpkgPackages(bytes.NewReader(status))
	if err != nil {
		t.Fatal(err)
	}
	facts := &handwash.Facts{Device: handwash.DeviceInfo{Platform: handwash.PlatformLinux},
		OS:       &handwash.OSFacts{ID: "debian", Version: "12", Name: "Debian GNU/Linux 12 (bookworm)"},
		Software: &handwash.SoftwareFacts{Items: items}}

	ctx := context.Background()
	now := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	cache := feeds.New(t.TempDir())
	cache.Now = clock
	zipFile := filepath.Join(t.TempDir(), "all.zip")
	if err := os.WriteFile(zipFile, set.Zip, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, imp := range []struct{ path, eco string }{{kevFixture, ""}, {zipFile, "Debian"}} {
		if _, err := cache.Import(ctx, imp.path, feeds.ImportOptions{Ecosystem: imp.eco}); err != nil {
			t.Fatal(err)
		}
	}
	cat, err := policy.Default()
	if err != nil {
		t.Fatal(err)
	}
	judge := func(src *Source) (policy.Options, *handwash.Assessment) {
		opt := policy.Options{Now: now}
		src.Apply(&opt, facts)
		if opt.Vulns == nil {
			t.Fatalf("no advisory results: %s", opt.VulnsMissing)
		}
		return opt, cat.Evaluate(facts, opt)
	}
	wantOpt, want := judge(New(cache, clock))
	if v := wantOpt.Vulns; v.Checked != 705 || v.Fixable+v.Unfixed < 20000 || len(v.Items) == 0 {
		t.Fatalf("the image should have most of the export's advisories: %+v", v)
	}
	index := filepath.Join(cache.Dir(), "osv-Debian.index")
	for _, c := range []struct {
		name   string
		before func()
	}{
		{"with the index", func() {}},
		{"with the index missing", func() { os.Remove(index) }},
		{"with the index damaged", func() { os.WriteFile(index, []byte("handwash OSV package index 1\n"), 0o644) }},
	} {
		c.before()
		gotOpt, got := judge(NewForOneDevice(cache, clock))
		if diff := cmp.Diff(wantOpt.Vulns, gotOpt.Vulns); diff != "" {
			t.Errorf("%s: advisory results (-whole export +one device):\n%s", c.name, diff)
		}
		if diff := cmp.Diff(wantOpt.ReferenceData, gotOpt.ReferenceData); diff != "" {
			t.Errorf("%s: reference data (-whole export +one device):\n%s", c.name, diff)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s: assessment (-whole export +one device):\n%s", c.name, diff)
		}
		if _, _, err := cache.OSVIndex("Debian"); err != nil {
			t.Errorf("%s: the index is not there after the check: %v", c.name, err)
		}
	}
}
