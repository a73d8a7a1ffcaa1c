// Package osvtest makes OSV exports for tests and benchmarks: a
// Debian-sized advisory set built around a real Debian 12 image's packages.
package osvtest

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strings"

	"github.com/handwash/handwash/collect"
	"github.com/handwash/handwash/vuln"
)

// Debian is a Debian-sized advisory set and the packages to match against
// it.
type Debian struct {
	// Zip is the export: OSV's Debian export holds tens of thousands of
	// records for each release, most of them for a few source packages
	// (the kernel, browsers, toolchains). This one has 50,000 records for
	// Debian 12 over 3,000 source packages with a Zipf-like spread, about
	// a third without a fix yet, and the image's source packages among
	// them.
	Zip []byte
	// Image is the image's packages, and Inventory those and more, 3,000
	// in all.
	Image, Inventory []vuln.Installed
}

// NewDebian makes the advisory set around the image whose dpkg status file
// is status (the shared fixtures' dpkg/debian12-bookworm-image-status). The
// same status gives the same set.
func NewDebian(status []byte) (*Debian, error) {
	items, err := collect.DpkgPackages(bytes.NewReader(status))
	if err != nil {
		return nil, err
	}
	image := vuln.InstalledFrom(items, "dpkg")
	sources := vuln.LookupNames(image)
	for i := 0; len(sources) < 3000; i++ {
		sources = append(sources, fmt.Sprintf("pkg-%04d", i))
	}
	rng := rand.New(rand.NewPCG(7, 11))
	zipf := rand.NewZipf(rng, 1.1, 4, uint64(len(sources)-1))
	var records []map[string]any
	for i := range 50000 {
		name := sources[zipf.Uint64()]
		ranges := FixedIn(fmt.Sprintf("%d.%d-%d", rng.IntN(5), rng.IntN(50), 1+rng.IntN(3)))
		if rng.IntN(3) == 0 {
			ranges = []vuln.Range{{Type: "ECOSYSTEM", Events: []vuln.Event{{Introduced: "0"}}}}
		}
		records = append(records, Record(fmt.Sprintf("DEBIAN-CVE-2025-%05d", i), "Debian:12", name, ranges, nil, fmt.Sprintf("CVE-2025-%05d", i)))
	}
	inventory := append([]vuln.Installed{}, image...)
	for i := 0; len(inventory) < 3000; i++ {
		inventory = append(inventory, vuln.Installed{Name: fmt.Sprintf("pkg-%04d", i), Version: fmt.Sprintf("%d.%d-1", rng.IntN(5), rng.IntN(50))})
	}
	export, err := Zip(records)
	return &Debian{Zip: export, Image: image, Inventory: inventory}, err
}

// Record is an OSV record for one Debian-family package, with the long
// details text real records have.
func Record(id, eco, pkg string, ranges []vuln.Range, versions []string, aliases ...string) map[string]any {
	return map[string]any{
		"schema_version": "1.6.0",
		"id":             id,
		"modified":       "2025-08-01T10:00:00Z",
		"published":      "2025-07-30T10:00:00Z",
		"aliases":        aliases,
		"summary":        pkg + " security update",
		"details":        strings.Repeat("Long upstream text. ", 50),
		"affected": []map[string]any{{
			"package":  map[string]string{"ecosystem": eco, "name": pkg, "purl": "pkg:deb/debian/" + pkg},
			"ranges":   ranges,
			"versions": versions,
		}},
		"references": []map[string]string{{"type": "ADVISORY", "url": "https://security-tracker.debian.org/tracker/" + id}},
	}
}

// FixedIn is a range from the first version to the fix.
func FixedIn(v string) []vuln.Range {
	return []vuln.Range{{Type: "ECOSYSTEM", Events: []vuln.Event{{Introduced: "0"}, {Fixed: v}}}}
}

// Zip writes records as an OSV export: one <id>.json file each.
func Zip(records []map[string]any) ([]byte, error) {
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for _, r := range records {
		w, err := zw.Create(r["id"].(string) + ".json")
		if err != nil {
			return nil, err
		}
		if err := json.NewEncoder(w).Encode(r); err != nil {
			return nil, err
		}
	}
	err := zw.Close()
	return b.Bytes(), err
}
