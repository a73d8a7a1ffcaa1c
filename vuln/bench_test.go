package vuln

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"testing"

	"github.com/handwash/handwash/collect"
)

// A Debian-sized advisory set: OSV's Debian export holds tens of thousands
// of records for each release, most of them for a few source packages (the
// kernel, browsers, toolchains). This one has 50,000 records for Debian 12
// over 3,000 source packages with a Zipf-like spread, about a third without
// a fix yet, and the real image's source packages among them.
var benchData = sync.OnceValues(func() (*benchSet, error) {
	status, err := os.ReadFile(filepath.Join(fixtures, "dpkg/debian12-bookworm-image-status"))
	if err != nil {
		return nil, err
	}
	items, err := collect.DpkgPackages(bytes.NewReader(status))
	if err != nil {
		return nil, err
	}
	image := InstalledFrom(items, "dpkg")
	var sources []string
	seen := map[string]bool{}
	for _, p := range image {
		if name, _ := p.lookup(); !seen[name] {
			seen[name] = true
			sources = append(sources, name)
		}
	}
	for i := 0; len(sources) < 3000; i++ {
		sources = append(sources, fmt.Sprintf("pkg-%04d", i))
	}
	rng := rand.New(rand.NewPCG(7, 11))
	zipf := rand.NewZipf(rng, 1.1, 4, uint64(len(sources)-1))
	var records []map[string]any
	for i := range 50000 {
		name := sources[zipf.Uint64()]
		ranges := fixedIn(fmt.Sprintf("%d.%d-%d", rng.IntN(5), rng.IntN(50), 1+rng.IntN(3)))
		if rng.IntN(3) == 0 {
			ranges = []Range{{Type: "ECOSYSTEM", Events: []Event{{Introduced: "0"}}}}
		}
		records = append(records, record(fmt.Sprintf("DEBIAN-CVE-2025-%05d", i), "Debian:12", name, ranges, nil, fmt.Sprintf("CVE-2025-%05d", i)))
	}
	inventory := append([]Installed{}, image...)
	for i := 0; len(inventory) < 3000; i++ {
		inventory = append(inventory, Installed{Name: fmt.Sprintf("pkg-%04d", i), Version: fmt.Sprintf("%d.%d-1", rng.IntN(5), rng.IntN(50))})
	}
	export, err := writeZip(records)
	return &benchSet{zip: export, image: image, inventory: inventory}, err
})

type benchSet struct {
	zip              []byte
	image, inventory []Installed
}

func loadBench(b *testing.B) (*benchSet, *Index) {
	b.Helper()
	set, err := benchData()
	if os.IsNotExist(err) {
		b.Skip("the shared fixtures folder is not beside the project")
	}
	if err != nil {
		b.Fatal(err)
	}
	ix, err := LoadZip(bytes.NewReader(set.zip), int64(len(set.zip)), nil)
	if err != nil {
		b.Fatal(err)
	}
	return set, ix
}

// BenchmarkLoadOSV reads the 50,000-record export into an index, and
// reports the heap the index keeps.
func BenchmarkLoadOSV(b *testing.B) {
	set, _ := loadBench(b)
	var ix *Index
	for b.Loop() {
		var err error
		if ix, err = LoadZip(bytes.NewReader(set.zip), int64(len(set.zip)), nil); err != nil {
			b.Fatal(err)
		}
	}
	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	runtime.KeepAlive(ix)
	ix = nil
	runtime.GC()
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	b.ReportMetric(float64(before.HeapAlloc-after.HeapAlloc)/(1<<20), "index-MB")
	b.ReportMetric(float64(len(set.zip))/(1<<20), "export-MB")
}

// BenchmarkMatch matches the real image's 705 packages and a 3,000-package
// inventory against the index.
func BenchmarkMatch(b *testing.B) {
	set, ix := loadBench(b)
	eco := Ecosystem{Name: "Debian", Release: "12"}
	for _, c := range []struct {
		name string
		pkgs []Installed
	}{{"705 packages", set.image}, {"3000 packages", set.inventory}} {
		b.Run(c.name, func(b *testing.B) {
			n := 0
			for b.Loop() {
				n = len(ix.Match(eco, c.pkgs))
			}
			b.ReportMetric(float64(n), "matches")
		})
	}
}
