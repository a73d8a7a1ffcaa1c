package advisories

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/handwash/handwash/feeds"
	"github.com/handwash/handwash/policy"
	"github.com/handwash/handwash/schema"
	"github.com/handwash/handwash/vuln"
)

// A Source keeps only the end-of-life products it looks up (eolProducts);
// every recorded device is judged as with the whole data: its programs,
// its operating system, and phones' and tablets' versions.
func TestEOLProductsJudgeAsTheWholeData(t *testing.T) {
	products := "../../shared/fixtures/eol/products"
	if _, err := os.Stat(products); err != nil {
		t.Skip("the shared fixtures are not beside the project")
	}
	now := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
	cache := feeds.New(t.TempDir())
	if _, err := cache.Import(context.Background(), products, feeds.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	whole, meta, err := cache.LoadEOL()
	if err != nil {
		t.Fatal(err)
	}
	ds := meta.DataSource()
	wholeOS := policy.LifecycleFromEOL(whole, ds.Source, ds.AsOf)
	src := New(cache, func() time.Time { return now })

	files, _ := filepath.Glob("../collect/testdata/*/*.facts.json")
	if len(files) < 9 {
		t.Fatalf("only %d recorded Facts", len(files))
	}
	for _, file := range files {
		in, err := os.Open(file)
		if err != nil {
			t.Fatal(err)
		}
		f, err := schema.DecodeFacts(in, file)
		in.Close()
		if err != nil {
			t.Fatal(err)
		}
		var opt policy.Options
		src.Apply(&opt, f)
		if opt.Software == nil || opt.OSLifecycle == nil {
			t.Fatalf("%s: no end-of-life results (%q)", file, opt.SoftwareMissing)
		}
		want := policy.SoftwareSupportOf(vuln.SoftwareEOL(f.Software.Items, whole, now, softwareWarning), now)
		if diff := cmp.Diff(want.Items, opt.Software.Items); diff != "" {
			t.Errorf("%s: programs (-whole data +products kept):\n%s", file, diff)
		}
		wantOS, okW := wholeOS.LookupOSSupport(f)
		gotOS, okG := opt.OSLifecycle.LookupOSSupport(f)
		if okW != okG || !cmp.Equal(wantOS, gotOS) {
			t.Errorf("%s: OS support %+v (%v), with the whole data %+v (%v)", file, gotOS, okG, wantOS, okW)
		}
	}
	for _, c := range []struct{ os, version string }{
		{"ios", "18.6.2"}, {"ios", "17.5"}, {"ipados", "18.1"}, {"android", "13"}, {"android", "16.0"}, {"android", "99"},
	} {
		a1, b1, d1 := mobileSupport(whole, c.os, c.version, now)
		a2, b2, d2 := src.MobileSupport(c.os, c.version)
		if !cmp.Equal(a1, a2) || b1 != b2 || d1 != d2 {
			t.Errorf("%s %s: %v %v %q, with the whole data %v %v %q", c.os, c.version, a2, b2, d2, a1, b1, d1)
		}
	}
	// And it keeps far fewer than the whole data's products.
	if src.eol.data.Len() > len(eolProducts()) || src.eol.data.Len() < 20 || whole.Len() < 400 {
		t.Errorf("kept %d products of %d (%d asked for)", src.eol.data.Len(), whole.Len(), len(eolProducts()))
	}
}
