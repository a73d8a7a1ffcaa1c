package feeds

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/handwash/handwash"
	"github.com/handwash/handwash/vuln"
)

// realFeedsCache is a cache holding the real KEV catalogue and
// end-of-life data imported from real endoflife.date product files: all
// of them (464), or with products named, those.
func realFeedsCache(t testing.TB, products ...string) *Cache {
	t.Helper()
	readFixture(t, kevFixture)
	eol := eolProducts
	if len(products) > 0 {
		eol = filepath.Join(t.TempDir(), "eol.json")
		if err := os.WriteFile(eol, eolAPIFromFixtures(t, products...), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	c := New(t.TempDir())
	c.Now = func() time.Time { return start }
	for _, p := range []string{kevFixture, eol} {
		if _, err := c.Import(context.Background(), p, ImportOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	return c
}

// LoadKEVIDs has exactly the CVEs of the whole catalogue.
func TestLoadKEVIDs(t *testing.T) {
	c := realFeedsCache(t, "debian")
	ids, m, err := c.LoadKEVIDs()
	if err != nil {
		t.Fatal(err)
	}
	k, km, err := c.LoadKEV()
	if err != nil {
		t.Fatal(err)
	}
	if m != km || m.Count != 1404 {
		t.Errorf("metadata %+v, LoadKEV's %+v", m, km)
	}
	var unique []string
	for _, e := range k.Vulnerabilities {
		if !ids.Contains(e.CVEID) {
			t.Errorf("%s is in the catalogue but not in its IDs", e.CVEID)
		}
		if !slices.Contains(unique, e.CVEID) {
			unique = append(unique, e.CVEID)
		}
	}
	if ids.Len() != len(unique) || ids.Len() < 1400 {
		t.Errorf("%d IDs, the catalogue has %d different CVEs", ids.Len(), len(unique))
	}
	if !ids.Contains(" cve-2017-0144 ") || ids.Contains("CVE-1999-0001") {
		t.Error("EternalBlue not found, or a CVE the catalogue lacks found")
	}
}

// LoadEOL keeps the products asked for, as the whole data has them.
func TestLoadEOLProducts(t *testing.T) {
	c := realFeedsCache(t)
	all, m, err := c.LoadEOL()
	if err != nil {
		t.Fatal(err)
	}
	if all.Len() != m.Count || all.Len() < 400 {
		t.Fatalf("%d products, the metadata says %d", all.Len(), m.Count)
	}
	// "mac" is an alias of macos; linux-kernel.md is /linux.
	names := []string{"windows", "debian", "mac", "firefox", "linux-kernel"}
	some, m2, err := c.LoadEOL(names...)
	if err != nil {
		t.Fatal(err)
	}
	if m2 != m {
		t.Errorf("metadata %+v, want %+v", m2, m)
	}
	var got []string
	for _, p := range some.Products {
		got = append(got, p.Name)
	}
	if want := []string{"debian", "firefox", "linux", "macos", "windows"}; !cmp.Equal(got, want) {
		t.Errorf("products %v, want %v", got, want)
	}
	for _, name := range names {
		a, ok1 := all.Product(name)
		b, ok2 := some.Product(name)
		if !ok1 || !ok2 {
			t.Fatalf("%s: found %v in all, %v in some", name, ok1, ok2)
		}
		if diff := cmp.Diff(a, b, cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("%s (-all +some):\n%s", name, diff)
		}
	}
	if _, ok := some.Product("chrome"); ok {
		t.Error("chrome was not asked for")
	}
	if !some.GeneratedAt.Equal(all.GeneratedAt) || some.Source != all.Source {
		t.Errorf("some: %v %q; all: %v %q", some.GeneratedAt, some.Source, all.GeneratedAt, all.Source)
	}
}

// A stored file that no longer matches its metadata is not used, however
// it is read.
func TestLoadDamaged(t *testing.T) {
	c := realFeedsCache(t, "debian", "windows")
	for _, f := range []string{"kev.json", "eol.json"} {
		p := filepath.Join(c.Dir(), f)
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		// Same length, one byte changed: still valid JSON.
		i := strings.LastIndex(string(b), "2")
		b[i] = '3'
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	loads := map[string]func() error{
		"LoadKEV":    func() error { _, _, err := c.LoadKEV(); return err },
		"LoadKEVIDs": func() error { _, _, err := c.LoadKEVIDs(); return err },
		"LoadEOL":    func() error { _, _, err := c.LoadEOL(); return err },
		"LoadEOL(windows)": func() error {
			_, _, err := c.LoadEOL("windows")
			return err
		},
	}
	for name, load := range loads {
		err := load()
		if handwash.ErrorCode(err) != handwash.EINVALID || !strings.Contains(handwash.ErrorMessage(err), "damaged") || !strings.Contains(handwash.ErrorMessage(err), "SHA-256") {
			t.Errorf("%s of a changed file: %v", name, err)
		}
	}
	// Cut short: the hash cannot match either.
	if err := os.WriteFile(filepath.Join(c.Dir(), "kev.json"), []byte(`{"count":`), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, _, err := c.LoadKEVIDs(); err == nil || !strings.Contains(handwash.ErrorMessage(err), "damaged") {
		t.Errorf("LoadKEVIDs of a truncated file: %v", err)
	}
}

// A file that matches its metadata but does not decode is damaged too
// (written by something other than Handwash, metadata and all).
func TestLoadUndecodable(t *testing.T) {
	c := realFeedsCache(t, "debian")
	m, err := c.Meta("kev")
	if err != nil {
		t.Fatal(err)
	}
	b := []byte(`{"catalogVersion":"x","dateReleased":"2025-08-25T17:04:19.9796Z","count":1,"vulnerabilities":[{"cveID":"not a CVE"}]}`)
	if err := os.WriteFile(filepath.Join(c.Dir(), m.File), b, 0o644); err != nil {
		t.Fatal(err)
	}
	m.Size, m.SHA256 = int64(len(b)), sha(b)
	if err := c.writeMeta(m); err != nil {
		t.Fatal(err)
	}
	_, _, err = c.LoadKEVIDs()
	if handwash.ErrorCode(err) != handwash.EINVALID || !strings.Contains(handwash.ErrorMessage(err), "in the cache is damaged") || !strings.Contains(handwash.ErrorMessage(err), "not a CVE") {
		t.Errorf("LoadKEVIDs: %v", err)
	}
}

// BenchmarkLoad reads the real KEV catalogue and end-of-life data from the
// cache: whole, and as the check and the server need them (the CVE IDs;
// the products they look up).
func BenchmarkLoad(b *testing.B) {
	c := realFeedsCache(b)
	some := []string{"windows", "windows-server", "macos", "debian", "ubuntu", "chrome", "firefox", "office", "python"}
	for _, bc := range []struct {
		name string
		load func() error
	}{
		{"KEV", func() error { _, _, err := c.LoadKEV(); return err }},
		{"KEVIDs", func() error { _, _, err := c.LoadKEVIDs(); return err }},
		{"EOL", func() error { _, _, err := c.LoadEOL(); return err }},
		{"EOL_9_products", func() error { _, _, err := c.LoadEOL(some...); return err }},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if err := bc.load(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	_ = vuln.MaxKEVBytes
}
