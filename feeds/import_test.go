package feeds

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/handwash/handwash"
)

func writeFile(t *testing.T, dir, name string, b []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestImportRealKEV(t *testing.T) {
	clk := &clock{start}
	c := newCache(t, clk)
	r, err := c.Import(context.Background(), kevFixture, ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	abs, _ := filepath.Abs(kevFixture)
	m := r.Meta
	if r.Name != "kev" || !r.Changed || !m.Imported || m.Source != abs || m.Version != "2025.08.25" || m.Count != 1404 || m.ETag != "" {
		t.Errorf("meta %+v", m)
	}
	// Nobody vouched that the file was current: its age counts from the
	// catalogue's release, not the import.
	if want := time.Date(2025, 8, 25, 17, 4, 19, 979600000, time.UTC); !m.CheckedAt.Equal(want) || !m.FetchedAt.Equal(start) {
		t.Errorf("checked %v (want %v), fetched %v", m.CheckedAt, want, m.FetchedAt)
	}
	if b := readFixture(t, kevFixture); sha(b) != m.SHA256 || int64(len(b)) != m.Size {
		t.Error("stored file differs from the one imported")
	}
	k, _, err := c.LoadKEV()
	if err != nil {
		t.Fatal(err)
	}
	if e, ok := k.Lookup("CVE-2017-0144"); !ok || e.VendorProject != "Microsoft" {
		t.Errorf("EternalBlue: %v %v", e, ok)
	}
	s := c.Status("kev")[0]
	if s.Stale || s.Missing || s.Age.Round(time.Hour) != 16*time.Hour {
		t.Errorf("status %+v", s)
	}
}

// The kind is told from the content: the names here mislead.
func TestImportTellsKindFromContent(t *testing.T) {
	dir := t.TempDir()
	c := newCache(t, &clock{start})
	tests := []struct {
		file      string
		body      []byte
		eco       string
		wantName  string
		wantCount int
	}{
		{"export.bin", readFixture(t, kevFixture), "", "kev", 1404},
		{"kev.json", eolAPIFromFixtures(t, "debian", "ubuntu"), "", "eol", 2},
		{"feed.dat", zipOf(t, debianRecords()), "", "osv:Debian", 3},
		{"ubuntu.zip", zipOf(t, map[string]map[string]any{"UBUNTU-CVE-2024-6387.json": ubuntuRecord()}), "ubuntu", "osv:Ubuntu", 1},
		{"bom.json", append([]byte("\ufeff\n  "), readFixture(t, kevFixture)...), "", "kev", 1404},
	}
	for _, tt := range tests {
		r, err := c.Import(context.Background(), writeFile(t, dir, tt.file, tt.body), ImportOptions{Ecosystem: tt.eco})
		if err != nil {
			t.Errorf("%s: %v", tt.file, err)
			continue
		}
		if r.Name != tt.wantName || r.Meta.Count != tt.wantCount {
			t.Errorf("%s: imported as %s with %d records, want %s with %d", tt.file, r.Name, r.Meta.Count, tt.wantName, tt.wantCount)
		}
		if err := c.Verify(r.Name); err != nil {
			t.Error(err)
		}
	}
	if _, _, err := c.OSVPath("Ubuntu"); err != nil {
		t.Error(err)
	}
}

// A folder of endoflife.date product files is stored as API v1 JSON,
// which LoadEOL reads.
func TestImportEOLProductFiles(t *testing.T) {
	src := t.TempDir()
	products := filepath.Join(src, "products")
	os.Mkdir(products, 0o755)
	for _, p := range []string{"windows", "debian", "ubuntu", "macos", "chrome", "firefox", "office", "python"} {
		writeFile(t, products, p+".md", readFixture(t, eolProducts+"/"+p+".md"))
	}
	writeFile(t, src, "README.md", []byte("# endoflife.date\n"))
	c := newCache(t, &clock{time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)})
	r, err := c.Import(context.Background(), src, ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if r.Name != "eol" || r.Meta.Count != 8 || !r.Meta.Imported {
		t.Errorf("%+v", r.Meta)
	}
	e, _, err := c.LoadEOL()
	if err != nil {
		t.Fatal(err)
	}
	p, ok := e.Product("windows")
	if !ok {
		t.Fatal("no windows")
	}
	rel, ok := p.Release("10-22h2")
	if !ok || rel.EOL.String() != "2025-10-14" || rel.Extended.String() != "2028-10-10" {
		t.Errorf("Windows 10 22H2: %+v", rel)
	}
}

// Bad files are rejected with a clear error, and the cache stays byte for
// byte as it was.
func TestImportRejects(t *testing.T) {
	kev := readFixture(t, kevFixture)
	debian := zipOf(t, debianRecords())
	withUbuntu := debianRecords()
	withUbuntu["UBUNTU-CVE-2024-6387.json"] = ubuntuRecord()
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(kev)
	zw.Close()
	record, _ := json.Marshal(debianRecords()["DSA-5764-1.json"])
	badSchema := debianRecords()
	badSchema["DSA-5764-1.json"]["affected"].([]any)[0].(map[string]any)["ranges"] = []any{map[string]any{"type": "SEMVER", "events": []any{}}}

	tests := []struct {
		name string
		file string
		body []byte
		eco  string
		want []string
		code string
	}{
		{name: "truncated KEV", file: "kev.json", body: kev[:len(kev)/2], want: []string{"kev.json: KEV catalogue:", "truncated", "nothing was changed"}},
		{name: "KEV cut before its fields", file: "kev.json", body: []byte("{"), want: []string{"kev.json:", "cut short"}},
		{name: "truncated zip", file: "all.zip", body: debian[:len(debian)/2], want: []string{"all.zip: OSV zip:", "not a complete zip file"}},
		{name: "wrong ecosystem", file: "all.zip", body: zipOf(t, withUbuntu), eco: "Debian", want: []string{"all.zip: OSV zip: wrong ecosystem", `"Ubuntu:22.04:LTS", not Debian`}},
		{name: "Ubuntu zip as Debian", file: "all.zip", body: zipOf(t, map[string]map[string]any{"UBUNTU-CVE-2024-6387.json": ubuntuRecord()}), eco: "debian", want: []string{"wrong ecosystem", "not the Debian feed"}},
		{name: "mixed ecosystems", file: "all.zip", body: zipOf(t, withUbuntu), want: []string{"several ecosystems (Debian, Ubuntu)"}},
		{name: "record breaking the OSV schema", file: "all.zip", body: zipOf(t, badSchema), want: []string{"DSA-5764-1.json", "events is empty"}},
		{name: "not a record in the zip", file: "all.zip", body: zipRaw(t, map[string][]byte{"README.txt": []byte("hello")}), want: []string{"README.txt", "not an OSV record"}},
		{name: "empty zip", file: "all.zip", body: zipRaw(t, map[string][]byte{}), want: []string{"holds no OSV records"}},
		{name: "one OSV record", file: "DSA-5764-1.json", body: record, want: []string{"is one OSV record", "all.zip"}},
		{name: "web page", file: "kev.json", body: []byte("<html><body>Blocked by your firewall</body></html>"), want: []string{"is not a feed"}},
		{name: "old EOL API", file: "ubuntu.json", body: []byte(`[{"cycle":"22.04","eol":"2027-04-01"}]`), want: []string{"JSON list", "api/v1/products/full"}},
		{name: "unknown JSON", file: "facts.json", body: []byte(`{"schema":"handwash.facts/v1","device":{}}`), want: []string{"neither CISA's KEV catalogue nor endoflife.date's API v1", `"device"`, `"schema"`}},
		{name: "gzip", file: "kev.json.gz", body: gz.Bytes(), want: []string{"gzip", "unpack it first"}},
		{name: "empty file", file: "kev.json", body: []byte{}, want: []string{"kev.json: is empty"}},
		{name: "zip name, not a zip", file: "all.zip", body: []byte("Debian advisories"), want: []string{"named .zip but is not a zip file"}},
		{name: "ecosystem for JSON", file: "kev.json", body: kev, eco: "Debian", want: []string{"--ecosystem is for OSV zips"}},
		{name: "ecosystem with a release", file: "all.zip", body: debian, eco: "Debian:12", want: []string{`"Debian:12" names a release`}},
		{name: "missing file", file: "", want: []string{"does not exist"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newCache(t, &clock{start})
			ctx := context.Background()
			for _, f := range []struct {
				name string
				b    []byte
			}{{"kev.json", kev}, {"all.zip", debian}, {"eol.json", eolAPIFromFixtures(t, "debian")}} {
				if _, err := c.Import(ctx, writeFile(t, t.TempDir(), f.name, f.b), ImportOptions{}); err != nil {
					t.Fatal(err)
				}
			}
			before := snapshot(t, c.Dir())
			path := filepath.Join(t.TempDir(), "missing.json")
			if tt.file != "" {
				path = writeFile(t, t.TempDir(), tt.file, tt.body)
			}
			_, err := c.Import(ctx, path, ImportOptions{Ecosystem: tt.eco})
			if err == nil {
				t.Fatal("accepted")
			}
			code := tt.code
			if code == "" {
				code = handwash.EINVALID
			}
			if got := handwash.ErrorCode(err); got != code {
				t.Errorf("code %s, want %s", got, code)
			}
			msg := handwash.ErrorMessage(err)
			t.Log(msg)
			wantIn(t, msg, tt.want...)
			sameFiles(t, before, snapshot(t, c.Dir()))
		})
	}
}

// An OSV record too large for vuln.ParseOSV stops the import early, and a
// zip over the size limit is refused.
func TestImportOversize(t *testing.T) {
	c := newCache(t, &clock{start})
	big := debianRecords()
	big["DSA-5764-1.json"]["details"] = string(bytes.Repeat([]byte("x"), 5<<20))
	_, err := c.Import(context.Background(), writeFile(t, t.TempDir(), "all.zip", zipOf(t, big)), ImportOptions{})
	if err == nil {
		t.Fatal("accepted a 5 MB record")
	}
	wantIn(t, handwash.ErrorMessage(err), "DSA-5764-1.json", "over the limit")
	if files := snapshot(t, c.Dir()); len(files) != 0 {
		t.Errorf("left files: %v", files)
	}
}
