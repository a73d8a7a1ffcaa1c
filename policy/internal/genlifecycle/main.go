// Command genlifecycle writes policy/lifecycle.json, the operating-system
// support dates built into Handwash, from endoflife.date's product files
// (MIT licence; https://github.com/endoflife-date/endoflife.date).
//
//	go run ./policy/internal/genlifecycle -products ../shared/fixtures/eol/products -out policy/lifecycle.json
//
// The feeds of `handwash feeds` refresh the same data at run time; this copy
// lets `handwash check` judge OS support with no network.
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/goccy/go-yaml"
)

// products are the endoflife.date products Handwash uses for OS support.
var products = []string{
	"windows", "windows-server", "macos",
	"debian", "ubuntu", "fedora", "rhel", "rocky-linux", "almalinux", "centos", "centos-stream",
	"linuxmint", "opensuse", "sles", "amazon-linux",
}

// Release is one release cycle of a product, as written to lifecycle.json.
type Release struct {
	Cycle    string `json:"cycle"`
	Label    string `json:"label,omitempty"`
	Codename string `json:"codename,omitempty"`
	Released string `json:"released,omitempty"`
	// EOL is the end of security support: a date, "ended" (no date known), or "" (not set).
	EOL string `json:"eol"`
	// ExtendedEOL is the end of extended security updates (ESU, ESM, Debian LTS).
	ExtendedEOL string `json:"extended_eol,omitempty"`
	LTS         bool   `json:"lts,omitempty"`
	Latest      string `json:"latest,omitempty"`
}

// File is lifecycle.json.
type File struct {
	Source   string               `json:"source"`
	AsOf     string               `json:"as_of"`
	Products map[string][]Release `json:"products"`
}

func main() {
	dir := flag.String("products", "../shared/fixtures/eol/products", "endoflife.date products folder")
	out := flag.String("out", "policy/lifecycle.json", "file to write")
	flag.Parse()
	b, err := Generate(*dir)
	if err != nil {
		fmt.Fprintln(os.Stderr, "genlifecycle:", err)
		os.Exit(1)
	}
	if err := os.WriteFile(*out, b, 0o644); err != nil {
		fmt.Fprintln(os.Stderr, "genlifecycle:", err)
		os.Exit(1)
	}
}

// Generate reads the product files in dir and returns lifecycle.json.
func Generate(dir string) ([]byte, error) {
	f := File{Source: "endoflife.date (MIT licence), products " + strings.Join(products, ", "), Products: map[string][]Release{}}
	var newest time.Time
	for _, p := range products {
		rels, latest, err := readProduct(filepath.Join(dir, p+".md"))
		if err != nil {
			return nil, err
		}
		f.Products[p] = rels
		if latest.After(newest) {
			newest = latest
		}
	}
	f.AsOf = newest.Format(time.DateOnly)
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", " ")
	if err := enc.Encode(f); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

type frontMatter struct {
	Releases []map[string]any `yaml:"releases"`
}

func readProduct(path string) ([]Release, time.Time, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, time.Time{}, err
	}
	parts := bytes.SplitN(b, []byte("\n---"), 2)
	if !bytes.HasPrefix(b, []byte("---")) || len(parts) != 2 {
		return nil, time.Time{}, fmt.Errorf("%s: no front matter", path)
	}
	var fm frontMatter
	if err := yaml.Unmarshal(bytes.TrimPrefix(parts[0], []byte("---")), &fm); err != nil {
		return nil, time.Time{}, fmt.Errorf("%s: %w", path, err)
	}
	var rels []Release
	var newest time.Time
	for _, r := range fm.Releases {
		rel := Release{
			Cycle:    str(r["releaseCycle"]),
			Label:    str(r["releaseLabel"]),
			Codename: str(r["codename"]),
			Released: date(r["releaseDate"]),
			EOL:      date(r["eol"]),
			Latest:   str(r["latest"]),
		}
		if e := date(r["eoes"]); e != "" && e != "ended" {
			rel.ExtendedEOL = e
		}
		rel.LTS, _ = r["lts"].(bool)
		for _, k := range []string{"releaseDate", "latestReleaseDate"} {
			if t, err := time.Parse(time.DateOnly, date(r[k])); err == nil && t.After(newest) {
				newest = t
			}
		}
		rels = append(rels, rel)
	}
	sort.SliceStable(rels, func(i, j int) bool { return rels[i].Released > rels[j].Released })
	return rels, newest, nil
}

func str(v any) string {
	if v == nil {
		return ""
	}
	return strings.TrimSpace(fmt.Sprint(v))
}

// date normalises a YAML date, or a boolean meaning "ended" (true) or "not
// yet" (false).
func date(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case bool:
		if x {
			return "ended"
		}
		return ""
	case time.Time:
		return x.Format(time.DateOnly)
	}
	s := str(v)
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t.Format(time.DateOnly)
	}
	if len(s) >= 10 {
		if _, err := time.Parse(time.DateOnly, s[:10]); err == nil {
			return s[:10]
		}
	}
	return s
}
