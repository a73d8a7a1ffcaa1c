package vuln_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/handwash/handwash/vuln"
	"github.com/handwash/handwash/vuln/osvtest"
)

// benchData is a Debian-sized advisory set (osvtest.NewDebian): 50,000
// records for Debian 12 over 3,000 source packages, around the real
// Debian 12 image's packages.
var benchData = sync.OnceValues(func() (*osvtest.Debian, error) {
	status, err := os.ReadFile(filepath.Join("../../shared/fixtures", "dpkg/debian12-bookworm-image-status"))
	if err != nil {
		return nil, err
	}
	return osvtest.NewDebian(status)
})

func loadBench(b *testing.B) (*osvtest.Debian, *vuln.Index) {
	b.Helper()
	set, err := benchData()
	if os.IsNotExist(err) {
		b.Skip("the shared fixtures folder is not beside the project")
	}
	if err != nil {
		b.Fatal(err)
	}
	ix, err := vuln.LoadZip(bytes.NewReader(set.Zip), int64(len(set.Zip)), nil)
	if err != nil {
		b.Fatal(err)
	}
	return set, ix
}

// kept reports the heap that what load returns keeps, in MB.
func kept(load func() any) float64 {
	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	v := load()
	runtime.GC()
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	runtime.KeepAlive(v)
	return float64(after.HeapAlloc-before.HeapAlloc) / (1 << 20)
}

// BenchmarkLoadOSV reads the 50,000-record export into an index, and
// reports the heap the index keeps.
func BenchmarkLoadOSV(b *testing.B) {
	set, _ := loadBench(b)
	load := func() any {
		ix, err := vuln.LoadZip(bytes.NewReader(set.Zip), int64(len(set.Zip)), nil)
		if err != nil {
			b.Fatal(err)
		}
		return ix
	}
	for b.Loop() {
		load()
	}
	b.ReportMetric(kept(load), "index-MB")
	b.ReportMetric(float64(len(set.Zip))/(1<<20), "export-MB")
}

// BenchmarkMatchAsRead matches the image's 705 packages against the
// lines of the export's package index for their names, keeping every
// match (match) or, as handwash check does, only their tally with 50 items
// (tally), and reports the heap what is kept takes.
func BenchmarkMatchAsRead(b *testing.B) {
	set, _ := loadBench(b)
	var buf bytes.Buffer
	if err := vuln.WritePackageIndex(&buf, bytes.NewReader(set.Zip), int64(len(set.Zip)), sha(set.Zip)); err != nil {
		b.Fatal(err)
	}
	eco := vuln.Ecosystem{Name: "Debian", Release: "12"}
	known := func(c string) bool { return c[len(c)-1] == '7' }
	for _, c := range []struct {
		name string
		read func(px *vuln.PackageIndex) (any, int, error)
	}{
		{"match", func(px *vuln.PackageIndex) (any, int, error) {
			ms, err := px.Match(eco, set.Image)
			return ms, len(ms), err
		}},
		{"tally", func(px *vuln.PackageIndex) (any, int, error) {
			t, err := px.Tally(eco, set.Image, known, 50)
			return t, t.Fixable + t.Unfixed, err
		}},
	} {
		b.Run(c.name, func(b *testing.B) {
			n := 0
			read := func() any {
				px, err := vuln.ParsePackageIndex(buf.Bytes())
				if err != nil {
					b.Fatal(err)
				}
				v, count, err := c.read(px)
				if err != nil {
					b.Fatal(err)
				}
				n = count
				return v
			}
			for b.Loop() {
				read()
			}
			b.ReportMetric(kept(read), "kept-MB")
			b.ReportMetric(float64(n), "matches")
			b.ReportMetric(float64(buf.Len())/(1<<20), "package-index-MB")
		})
	}
}

// BenchmarkMatch matches the real image's 705 packages and a 3,000-package
// inventory against the index.
func BenchmarkMatch(b *testing.B) {
	set, ix := loadBench(b)
	eco := vuln.Ecosystem{Name: "Debian", Release: "12"}
	for _, c := range []struct {
		name string
		pkgs []vuln.Installed
	}{{"705 packages", set.Image}, {"3000 packages", set.Inventory}} {
		b.Run(c.name, func(b *testing.B) {
			n := 0
			for b.Loop() {
				n = len(ix.Match(eco, c.pkgs))
			}
			b.ReportMetric(float64(n), "matches")
		})
	}
}

func sha(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

// The Debian-sized set's package index matches the real image's packages,
// and the 3,000-package inventory's, exactly as the whole export does.
func TestPackageIndexDebianSet(t *testing.T) {
	if testing.Short() {
		t.Skip("loads a 50,000-record export")
	}
	set, err := benchData()
	if os.IsNotExist(err) {
		t.Skip("the shared fixtures folder is not beside the project")
	}
	if err != nil {
		t.Fatal(err)
	}
	size := int64(len(set.Zip))
	whole, err := vuln.LoadZip(bytes.NewReader(set.Zip), size, nil)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := vuln.WritePackageIndex(&buf, bytes.NewReader(set.Zip), size, sha(set.Zip)); err != nil {
		t.Fatal(err)
	}
	eco := vuln.Ecosystem{Name: "Debian", Release: "12"}
	for _, pkgs := range [][]vuln.Installed{set.Image, set.Inventory} {
		px, err := vuln.ParsePackageIndex(buf.Bytes())
		if err != nil {
			t.Fatal(err)
		}
		got, err := px.Match(eco, pkgs)
		if err != nil {
			t.Fatal(err)
		}
		want := whole.Match(eco, pkgs)
		if len(want) < 20000 {
			t.Errorf("%d matches: the set should match most of the image's packages", len(want))
		}
		if !reflect.DeepEqual(want, got) { // cmp.Diff takes seconds on equal sets
			t.Fatalf("%d packages: (-whole +through the index)\n%s", len(pkgs), cmp.Diff(want, got))
		}
		t.Logf("%d packages: %d matches", len(pkgs), len(got))
		// Tallied alike, with a tenth of the CVEs known exploited.
		known := func(c string) bool { return c[len(c)-1] == '7' }
		vuln.MarkKnownExploited(want, known)
		for _, max := range []int{50, 5000} {
			px, _ := vuln.ParsePackageIndex(buf.Bytes())
			tally, err := px.Tally(eco, pkgs, known, max)
			if err != nil {
				t.Fatal(err)
			}
			if w := vuln.TallyOf(want, max); !reflect.DeepEqual(w, tally) {
				t.Fatalf("%d packages, %d items: (-whole +through the index)\n%s", len(pkgs), max, cmp.Diff(w, tally))
			}
			if tally.KnownExploited == 0 || len(tally.Items) != max {
				t.Errorf("%d packages: %d known exploited, %d items", len(pkgs), tally.KnownExploited, len(tally.Items))
			}
		}
	}
	px, err := vuln.ParsePackageIndex(buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if err := px.Check(); err != nil {
		t.Error(err)
	}
}

// The fast path of ParseOSV decodes every record of the Debian-sized set
// exactly as json.Unmarshal does.
func TestDecodeAdvisoryDebianSet(t *testing.T) {
	if testing.Short() {
		t.Skip("makes a 50,000-record export")
	}
	set, err := benchData()
	if os.IsNotExist(err) {
		t.Skip("the shared fixtures folder is not beside the project")
	}
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	vuln.EachRecord(t, set.Zip, func(name string, data []byte) {
		n++
		got, ok := vuln.DecodeAdvisory(data)
		if !ok {
			t.Fatalf("%s: the fast path gave up", name)
		}
		var want vuln.Advisory
		if err := json.Unmarshal(data, &want); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("%s: (-json.Unmarshal +fast path)\n%s", name, cmp.Diff(want, got))
		}
	})
	if n != 50000 {
		t.Errorf("%d records, want 50000", n)
	}
}
