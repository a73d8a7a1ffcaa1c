package vuln

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/handwash/handwash"
)

func shaHex(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

// packageIndexOf writes export's package index.
func packageIndexOf(t testing.TB, export []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := WritePackageIndex(&buf, bytes.NewReader(export), int64(len(export)), shaHex(export)); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// sealed ends an index body with its checksum line, as the builder does.
func sealed(body []byte) []byte {
	h := sha256.Sum256(body)
	return append(append([]byte{}, body...), "end "+hex.EncodeToString(h[:])+"\n"...)
}

// trickyExport holds what the index must get right: a record naming two
// packages and two releases, a withdrawn one, one of an ecosystem whose
// versions are not compared, a stored (uncompressed) one, two records with
// the same ID, a file that is not a record, and a folder.
func trickyExport(t testing.TB) []byte {
	t.Helper()
	two := record("DSA-9101-1", "Debian:12", "openssl", fixedIn("3.0.20-1"), nil, "CVE-2025-1001")
	two["affected"] = []map[string]any{
		{"package": map[string]string{"ecosystem": "Debian:12", "name": "openssl"}, "ranges": fixedIn("3.0.20-1")},
		{"package": map[string]string{"ecosystem": "Debian:11", "name": "openssl"}, "ranges": fixedIn("1.1.1w-1")},
		{"package": map[string]string{"ecosystem": "Debian:12", "name": "openssl"}, "versions": []string{"3.0.11-1"}},
		{"package": map[string]string{"ecosystem": "Debian:12", "name": "curl"}, "ranges": fixedIn("7.88.1-10+deb12u9")},
	}
	withdrawn := record("DSA-9102-1", "Debian:12", "curl", fixedIn("9"), nil)
	withdrawn["withdrawn"] = "2025-08-02T00:00:00Z"
	npm := record("GHSA-aaaa-bbbb-cccc", "npm", "left-pad", fixedIn("2.0.0"), nil)
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	add := func(name string, method uint16, r any) {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: method})
		if err != nil {
			t.Fatal(err)
		}
		if s, ok := r.(string); ok {
			w.Write([]byte(s))
			return
		}
		json.NewEncoder(w).Encode(r)
	}
	zw.Create("advisories/")
	add("advisories/DSA-9101-1.json", zip.Deflate, two)
	add("DSA-9102-1.json", zip.Deflate, withdrawn)
	add("GHSA-aaaa-bbbb-cccc.json", zip.Deflate, npm)
	add("DSA-9103-1.json", zip.Store, record("DSA-9103-1", "Debian:12", "curl", fixedIn("7.88.1-10+deb12u8"), nil, "CVE-2025-1003"))
	add("DSA-9104-1.json", zip.Deflate, record("DSA-9104-1", "Debian:12", "zlib", nil, []string{"1:1.2.13.dfsg-1"}))
	add("DSA-9104-1-again.json", zip.Deflate, record("DSA-9104-1", "Debian:12", "zlib", fixedIn("1:1.2.13.dfsg-2"), nil))
	add("README.txt", zip.Deflate, "not a record")
	add("DSA-9105-1.JSON", zip.Deflate, record("DSA-9105-1", "Debian:12", "zlib", fixedIn("9"), nil))
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// Loading through the index gives the same matches as the whole export,
// for any set of packages.
func TestPackageIndexRoundTrip(t *testing.T) {
	export := trickyExport(t)
	index := packageIndexOf(t, export)
	if !bytes.HasPrefix(index, []byte(packageIndexMagic+"\nsha256 "+shaHex(export)+"\n")) {
		t.Fatalf("index starts %q", index[:min(len(index), 120)])
	}
	for _, n := range []string{"left-pad", "DSA-9102-1", "README", "DSA-9105-1"} {
		if bytes.Contains(index, []byte(n)) {
			t.Errorf("the index lists %s", n)
		}
	}
	whole, err := LoadZip(bytes.NewReader(export), int64(len(export)), nil)
	if err != nil {
		t.Fatal(err)
	}
	px, err := ParsePackageIndex(index)
	if err != nil {
		t.Fatal(err)
	}
	if px.SHA256() != shaHex(export) || px.Size() != int64(len(export)) {
		t.Errorf("index of %s, %d bytes", px.SHA256(), px.Size())
	}
	all := []Installed{
		{Name: "libssl3", Version: "3.0.11-1", Source: "openssl"},
		{Name: "openssl", Version: "3.0.11-1"},
		{Name: "curl", Version: "7.88.1-10+deb12u5"},
		{Name: "zlib1g", Version: "1:1.2.13.dfsg-1", Source: "zlib"},
		{Name: "left-pad", Version: "1.0.0"},
		{Name: "bash", Version: "5.2.15-2"},
	}
	for _, eco := range []Ecosystem{{"Debian", "12"}, {"Debian", "11"}, {"Debian", ""}, {"npm", ""}} {
		for mask := range 1 << len(all) {
			var pkgs []Installed
			for i, p := range all {
				if mask&(1<<i) != 0 {
					pkgs = append(pkgs, p)
				}
			}
			part, err := px.LoadZip(bytes.NewReader(export), int64(len(export)), LookupNames(pkgs), nil)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(whole.Match(eco, pkgs), part.Match(eco, pkgs)); diff != "" {
				t.Fatalf("%s, %v: (-whole +through the index)\n%s", eco, LookupNames(pkgs), diff)
			}
			matched, err := px.Match(bytes.NewReader(export), int64(len(export)), eco, pkgs, nil)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(whole.Match(eco, pkgs), matched); diff != "" {
				t.Fatalf("%s, %v: (-whole +matched as read)\n%s", eco, LookupNames(pkgs), diff)
			}
		}
	}
	part, _ := px.LoadZip(bytes.NewReader(export), int64(len(export)), []string{"curl"}, nil)
	if part.Len() != 2 {
		t.Errorf("curl's records: %d, want 2 (DSA-9101-1 and DSA-9103-1)", part.Len())
	}
	// accept sees the records read.
	_, err = px.LoadZip(bytes.NewReader(export), int64(len(export)), []string{"curl"}, func(e Ecosystem) bool { return e.Release != "11" })
	if err == nil || !strings.Contains(err.Error(), "Debian:11") {
		t.Errorf("a refused ecosystem: %v", err)
	}
}

// An index that does not describe the export, or is cut short or
// damaged, is an error, never a wrong answer.
func TestPackageIndexRefused(t *testing.T) {
	export := trickyExport(t)
	index := packageIndexOf(t, export)
	names := []string{"openssl", "curl", "zlib"}
	load := func(index, export []byte) error {
		px, err := ParsePackageIndex(index)
		if err != nil {
			return err
		}
		_, err = px.LoadZip(bytes.NewReader(export), int64(len(export)), names, nil)
		return err
	}
	if err := load(index, export); err != nil {
		t.Fatal(err)
	}
	body := index[:bytes.LastIndex(index, []byte("end "))]
	// The same records in another zip: the offsets differ.
	other := zipOf(t, record("DSA-9103-1", "Debian:12", "curl", fixedIn("1"), nil))
	// The same size, one byte of a record's data changed.
	flipped := bytes.Clone(export)
	at := bytes.Index(flipped, []byte(`"DSA-9103-1"`)) // stored uncompressed
	flipped[at+5] = '7'
	// An index listing a record under a package it does not name: zlib's
	// records moved to curl.
	moved := bytes.Replace(body, []byte("\nzlib\t"), []byte("\nzlia\t"), 1)
	moved = bytes.Replace(moved, []byte("\ncurl\t"), []byte("\ncurl\t"+string(listOf(t, body, "zlib"))+"\t"), 1)
	for _, c := range []struct {
		name          string
		index, export []byte
		want          string
	}{
		{"empty", nil, export, "cut short"},
		{"cut short", index[:len(index)-10], export, "cut short"},
		{"cut short at a line", body, export, "cut short"},
		{"a byte changed", bytes.Replace(index, []byte("curl"), []byte("curm"), 1), export, "checksum does not match"},
		{"another format", sealed(bytes.Replace(body, []byte("index 1"), []byte("index 2"), 1)), export, "not a package index of this version"},
		{"no digest", sealed(bytes.Replace(body, []byte("sha256 "), []byte("sha1 "), 1)), export, "SHA-256 is missing"},
		{"no size", sealed(bytes.Replace(body, []byte("size "), []byte("length "), 1)), export, "size is missing"},
		{"another export", index, other, "not this one"},
		{"the export changed", index, flipped, "does not match the package index"},
		{"a malformed line", sealed(append(bytes.Clone(body), "curl\n"...)), export, "malformed"},
		{"a malformed record", sealed(append(bytes.Clone(body), "curl\t1,2,3\n"...)), export, "malformed"},
		{"a record beyond the end", sealed(append(bytes.Clone(body), fmt.Sprintf("curl\t9,%d,10,10,0,0\n", len(export))...)), export, "beyond the export's end"},
		{"an unknown method", sealed(append(bytes.Clone(body), "curl\t9,0,10,10,0,12\n"...)), export, "compression method"},
		{"a record listed twice, differently", sealed(append(bytes.Clone(body), "curl\t0,0,10,10,0,0\n"...)), export, "two places"},
		{"a record under the wrong package", sealed(moved), export, "does not name curl"},
	} {
		err := load(c.index, c.export)
		if handwash.ErrorCode(err) != handwash.EINVALID || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want an error mentioning %q", c.name, err, c.want)
		}
	}
	// A record the builder was not given.
	zr, _ := zip.NewReader(bytes.NewReader(export), int64(len(export)))
	b := NewPackageIndexBuilder(zr)
	if err := b.Write(&bytes.Buffer{}, int64(len(export)), shaHex(export)); err == nil || !strings.Contains(err.Error(), "was not read") {
		t.Errorf("a record not added: %v", err)
	}
}

// listOf is the record list of a package's line in an index body.
func listOf(t *testing.T, body []byte, name string) []byte {
	t.Helper()
	for line := range bytes.Lines(body) {
		if list, ok := bytes.CutPrefix(line, []byte(name+"\t")); ok {
			return bytes.TrimSuffix(list, []byte("\n"))
		}
	}
	t.Fatalf("no line for %s", name)
	return nil
}

// Whatever index parses, loading through it never panics and never gives
// a match the whole export does not: at worst it misses some, which only
// an index altered with its checksum made again can do.
func FuzzParsePackageIndex(f *testing.F) {
	export := trickyExport(f)
	index := packageIndexOf(f, export)
	body := index[:bytes.LastIndex(index, []byte("end "))]
	f.Add(body, false)
	f.Add(index, true)
	f.Add([]byte(packageIndexMagic+"\nsha256 "+strings.Repeat("0", 64)+"\nsize 5\nx\t0,0,5,5,0,0\n"), false)
	whole, err := LoadZip(bytes.NewReader(export), int64(len(export)), nil)
	if err != nil {
		f.Fatal(err)
	}
	pkgs := []Installed{{Name: "libssl3", Version: "3.0.11-1", Source: "openssl"}, {Name: "curl", Version: "7.88.1-10+deb12u5"}, {Name: "zlib", Version: "1:1.2.13.dfsg-1"}}
	eco := Ecosystem{Name: "Debian", Release: "12"}
	want := whole.Match(eco, pkgs)
	f.Fuzz(func(t *testing.T, data []byte, raw bool) {
		if !raw {
			data = sealed(data) // get past the checksum to the lines
		}
		px, err := ParsePackageIndex(data)
		if err != nil {
			if handwash.ErrorCode(err) != handwash.EINVALID {
				t.Fatalf("error without a code: %v", err)
			}
			return
		}
		ix, err := px.LoadZip(bytes.NewReader(export), px.Size(), LookupNames(pkgs), nil)
		if err != nil {
			return
		}
		for _, m := range ix.Match(eco, pkgs) {
			if !slices.ContainsFunc(want, func(w Match) bool { return cmp.Equal(w, m) }) {
				t.Fatalf("a match the whole export does not give: %+v", m)
			}
		}
	})
}
