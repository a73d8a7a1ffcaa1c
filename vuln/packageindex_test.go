package vuln

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
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
// the same ID, names and versions that need escaping, a file that is not
// a record, and a folder.
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
	add("DSA-9106-1.json", zip.Deflate, record("DSA-9106-1", "Debian:12", "odd name,%20", fixedIn("2,0"), []string{"0 9"}, "CVE-2025-1006"))
	add("README.txt", zip.Deflate, "not a record")
	add("DSA-9105-1.JSON", zip.Deflate, record("DSA-9105-1", "Debian:12", "zlib", fixedIn("9"), nil))
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// Matching through the index gives the same matches as the whole export,
// for any set of packages.
func TestPackageIndexRoundTrip(t *testing.T) {
	export := trickyExport(t)
	index := packageIndexOf(t, export)
	if !bytes.HasPrefix(index, []byte(packageIndexMagic+"\nsha256 "+shaHex(export)+"\n")) {
		t.Fatalf("index starts %q", index[:min(len(index), 120)])
	}
	for _, n := range []string{"left-pad", "DSA-9102-1", "README", "DSA-9105-1", "Long upstream text"} {
		if bytes.Contains(index, []byte(n)) {
			t.Errorf("the index holds %s", n)
		}
	}
	whole, err := LoadZip(bytes.NewReader(export), int64(len(export)), nil)
	if err != nil {
		t.Fatal(err)
	}
	open := func() *PackageIndex {
		px, err := ParsePackageIndex(index)
		if err != nil {
			t.Fatal(err)
		}
		return px
	}
	if px := open(); px.SHA256() != shaHex(export) || px.Size() != int64(len(export)) {
		t.Errorf("index of %s, %d bytes", px.SHA256(), px.Size())
	}
	if err := open().Check(); err != nil {
		t.Errorf("Check: %v", err)
	}
	all := []Installed{
		{Name: "libssl3", Version: "3.0.11-1", Source: "openssl"},
		{Name: "openssl", Version: "3.0.11-1"},
		{Name: "curl", Version: "7.88.1-10+deb12u5"},
		{Name: "zlib1g", Version: "1:1.2.13.dfsg-1", Source: "zlib"},
		{Name: "left-pad", Version: "1.0.0"},
		{Name: "odd", Version: "1,0%x y", Source: "odd name,%20"},
	}
	matched := 0
	for _, eco := range []Ecosystem{{"Debian", "12"}, {"Debian", "11"}, {"Debian", ""}, {"npm", ""}} {
		for mask := range 1 << len(all) {
			var pkgs []Installed
			for i, p := range all {
				if mask&(1<<i) != 0 {
					pkgs = append(pkgs, p)
				}
			}
			got, err := open().Match(eco, pkgs)
			if err != nil {
				t.Fatal(err)
			}
			want := whole.Match(eco, pkgs)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Fatalf("%s, %v: (-whole +through the index)\n%s", eco, LookupNames(pkgs), diff)
			}
			matched += len(got)
		}
	}
	if matched == 0 {
		t.Fatal("nothing matched")
	}
	// Tallied as the whole export's matches are, whatever is known
	// exploited and however many items are kept.
	for _, known := range []map[string]bool{{}, {"CVE-2025-1001": true}, {"CVE-2025-1003": true, "CVE-2025-1006": true}} {
		for _, max := range []int{0, 1, 2, 50} {
			for _, eco := range []Ecosystem{{"Debian", "12"}, {"Debian", ""}} {
				ms := whole.Match(eco, all)
				MarkKnownExploited(ms, func(c string) bool { return known[c] })
				got, err := open().Tally(eco, all, func(c string) bool { return known[c] }, max)
				if err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(TallyOf(ms, max), got); diff != "" {
					t.Fatalf("%s, %v known, %d items: (-whole +through the index)\n%s", eco, known, max, diff)
				}
			}
		}
	}
	// The odd names and versions are escaped, and matched.
	if !bytes.Contains(index, []byte("\nodd%20name%2C%2520\t")) {
		t.Errorf("the odd package's line is not escaped:\n%s", index)
	}
	ms, _ := open().Match(Ecosystem{"Debian", "12"}, all[5:])
	if len(ms) != 1 || ms[0].Advisory.ID != "DSA-9106-1" || ms[0].Fixed != "2,0" {
		t.Errorf("the odd package: %+v", ms)
	}
	// An index is read once.
	px := open()
	px.Check()
	if _, err := px.Match(Ecosystem{"Debian", "12"}, all); err == nil {
		t.Error("an index read twice")
	}
}

// Ubuntu's releases (a device of 22.04 takes its LTS and Pro entries, and
// an advisory is reported once, from its first ecosystem that affects the
// package), rpm ecosystems with spaces in their names, and ranges given
// out of order and with last_affected and limit events are matched
// through the index as the whole export matches them.
func TestPackageIndexOtherEcosystems(t *testing.T) {
	ubuntu := record("USN-7001-1", "Ubuntu:Pro:22.04:LTS", "openssl", fixedIn("3.0.2-0ubuntu1.20"), nil, "CVE-2025-2001")
	ubuntu["affected"] = []map[string]any{
		{"package": map[string]string{"ecosystem": "Ubuntu:Pro:22.04:LTS", "name": "openssl"}, "ranges": fixedIn("3.0.2-0ubuntu1.20")},
		{"package": map[string]string{"ecosystem": "Ubuntu:22.04:LTS", "name": "openssl"}, "ranges": fixedIn("3.0.2-0ubuntu1.19")},
		{"package": map[string]string{"ecosystem": "Ubuntu:24.04:LTS", "name": "openssl"}, "ranges": fixedIn("3.0.13-0ubuntu3.5")},
	}
	odd := record("USN-7002-1", "Ubuntu:22.04:LTS", "curl", []Range{
		{Type: "ECOSYSTEM", Events: []Event{{Fixed: "7.81.0-1ubuntu1.18"}, {Introduced: "7.81.0-1ubuntu1.10"}, {LastAffected: "7.81.0-1ubuntu1.5"}, {Introduced: "0"}}},
		{Type: "ECOSYSTEM", Events: []Event{{Introduced: "8.0"}, {Limit: "9.0"}}},
		{Type: "SEMVER", Events: []Event{{Introduced: "0"}, {Fixed: "1.0.0"}}},
	}, []string{"7.81.0-1ubuntu1.7"})
	rhel := record("RHSA-2025:1234", "Red Hat:enterprise_linux:9::baseos", "openssl", fixedIn("1:3.0.7-27.el9"), nil, "CVE-2025-2003")
	export := zipOf(t, ubuntu, odd, rhel)
	index := packageIndexOf(t, export)
	if !bytes.Contains(index, []byte(" Red%20Hat:enterprise_linux:9::baseos ")) {
		t.Errorf("the Red Hat ecosystem is not escaped:\n%s", index)
	}
	whole, err := LoadZip(bytes.NewReader(export), int64(len(export)), nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		eco  Ecosystem
		pkgs []Installed
	}{
		{Ecosystem{"Ubuntu", "22.04"}, []Installed{{Name: "libssl3", Version: "3.0.2-0ubuntu1.10", Source: "openssl"}, {Name: "curl", Version: "7.81.0-1ubuntu1.3"}}},
		{Ecosystem{"Ubuntu", "22.04"}, []Installed{{Name: "curl", Version: "7.81.0-1ubuntu1.7"}}},
		{Ecosystem{"Ubuntu", "22.04"}, []Installed{{Name: "curl", Version: "7.81.0-1ubuntu1.12"}}},
		{Ecosystem{"Ubuntu", "22.04"}, []Installed{{Name: "curl", Version: "8.5"}, {Name: "libssl3", Version: "3.0.2-0ubuntu1.19", Source: "openssl"}}},
		{Ecosystem{"Ubuntu", "24.04"}, []Installed{{Name: "openssl", Version: "3.0.13-0ubuntu3.1"}}},
		{Ecosystem{"Ubuntu", ""}, []Installed{{Name: "openssl", Version: "3.0.2-0ubuntu1.10"}}},
		{Ecosystem{"Red Hat", "enterprise_linux:9::baseos"}, []Installed{{Name: "openssl", Version: "1:3.0.7-24.el9"}}},
		{Ecosystem{"Red Hat", ""}, []Installed{{Name: "openssl-libs", Version: "1:3.0.7-24.el9", Source: "openssl"}}},
	} {
		px, err := ParsePackageIndex(index)
		if err != nil {
			t.Fatal(err)
		}
		want := whole.Match(c.eco, c.pkgs)
		got, err := px.Match(c.eco, c.pkgs)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s %v: (-whole +through the index)\n%s", c.eco, c.pkgs, diff)
		}
		if len(want) == 0 && c.pkgs[0].Version != "7.81.0-1ubuntu1.12" {
			t.Errorf("%s %v: nothing matched", c.eco, c.pkgs)
		}
		known := func(c string) bool { return c == "CVE-2025-2001" }
		MarkKnownExploited(want, known)
		px, _ = ParsePackageIndex(index)
		tally, err := px.Tally(c.eco, c.pkgs, known, 50)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(TallyOf(want, 50), tally); diff != "" {
			t.Errorf("%s %v: tally (-whole +through the index)\n%s", c.eco, c.pkgs, diff)
		}
	}
}

// An index that is cut short, damaged or malformed is an error, never a
// wrong answer.
func TestPackageIndexRefused(t *testing.T) {
	export := trickyExport(t)
	index := packageIndexOf(t, export)
	pkgs := []Installed{{Name: "openssl", Version: "1"}, {Name: "curl", Version: "1"}, {Name: "zlib", Version: "1"}}
	body := index[:bytes.LastIndex(index, []byte("end "))]
	line := func(s string) []byte { return sealed(append(bytes.Clone(body), s+"\n"...)) }
	for _, c := range []struct {
		name  string
		index []byte
		want  string
		// check: only Check sees it, since it is not on a package
		// Match looks for.
		check bool
	}{
		{"empty", nil, "not a package index", false},
		{"cut short", index[:len(index)-10], "cut short", false},
		{"cut short at a line", body, "cut short", false},
		{"a byte changed", bytes.Replace(index, []byte("curl"), []byte("curm"), 1), "checksum does not match", false},
		{"more after the end", append(bytes.Clone(index), "x\n"...), "more follows", false},
		{"another format", sealed(bytes.Replace(body, []byte("index 2"), []byte("index 1"), 1)), "not a package index of this version", false},
		{"no digest", sealed(bytes.Replace(body, []byte("sha256 "), []byte("sha1 "), 1)), "SHA-256 is missing", false},
		{"no size", sealed(bytes.Replace(body, []byte("size "), []byte("length "), 1)), "size is missing", false},
		{"a line without a tab", line("curl"), "malformed", false},
		{"no package", line("\t1\tDSA-1-1\t2025-01-01T00:00:00Z\t\t0 Debian:12 i0,e "), "malformed", false},
		{"too few fields", line("curl\t1\tDSA-1-1\t2025-01-01T00:00:00Z\t"), "malformed", false},
		{"a bad record number", line("curl\tx\tDSA-1-1\t2025-01-01T00:00:00Z\t\t0 Debian:12 i0,e "), "record number", false},
		{"an entry with three parts", line("curl\t1\tDSA-1-1\t2025-01-01T00:00:00Z\t\t0 Debian:12 i0,e"), "entry is malformed", false},
		{"a bad place", line("curl\t1\tDSA-1-1\t2025-01-01T00:00:00Z\t\t-1 Debian:12 i0,e "), "place", false},
		{"an ecosystem not compared", line("curl\t1\tDSA-1-1\t2025-01-01T00:00:00Z\t\t0 npm i0,e "), "ecosystem", false},
		{"a bad bound", line("curl\t1\tDSA-1-1\t2025-01-01T00:00:00Z\t\t0 Debian:12 x0,e "), "bound", false},
		{"an end with a version", line("curl\t1\tDSA-1-1\t2025-01-01T00:00:00Z\t\t0 Debian:12 i0,e1 "), "bound", false},
		{"an empty bound", line("curl\t1\tDSA-1-1\t2025-01-01T00:00:00Z\t\t0 Debian:12 i0,,e "), "bound", false},
		{"a bad version", line("curl\t1\tDSA-1-1\t2025-01-01T00:00:00Z\t\t0 Debian:12  1.0"), "version", false},
		{"a bad escape", line("curl\t1\tDSA-1-1\t2025-01-01T00:00:00Z\t\t0 Debian:12 i0,f1%zz,e "), "escape", false},
		{"an escape cut short", line("curl\t1\tDSA-1-1\t2025-01-01T00:00:00Z\t\t0 Debian:12 i0,f1%2,e "), "escape", false},
		{"a lower-case escape", line("curl\t1\tDSA-1-1\t2025-01-01T00:00:00Z\t\t0 Debian:12 i0,f1%2c,e "), "escape", false},
		{"a control byte", line("curl\t1\tDSA-1-1\t2025-01-01T00:00:00Z\t\t0 Debian:12 i0,f1\r,e "), "escaped", false},
		{"a bad time", line("curl\t1\tDSA-1-1\tyesterday\t\t0 Debian:12 i0,e "), "modified time", false},
		{"no ID", line("curl\t1\t\t2025-01-01T00:00:00Z\t\t0 Debian:12 i0,e "), "ID", false},
		{"a CVE that is not one", line("curl\t1\tDSA-1-1\t2025-01-01T00:00:00Z\tGHSA-1\t0 Debian:12 i0,e "), "CVE", false},
		{"a bad line on another package", line("bash\t1\tDSA-1-1\t2025-01-01T00:00:00Z\t\t0 Debian:12 i0,x "), "bound", true},
		{"a bad package name", line("bash%\t1\tDSA-1-1\t2025-01-01T00:00:00Z\t\t0 Debian:12 i0,e "), "escape", false},
	} {
		if c.index == nil {
			c.index = []byte{}
		}
		errs := map[string]error{}
		if px, err := ParsePackageIndex(c.index); err != nil {
			errs["open"] = err
		} else {
			_, errs["Match"] = px.Match(Ecosystem{"Debian", "12"}, pkgs)
			px, _ = ParsePackageIndex(c.index)
			errs["Check"] = px.Check()
		}
		for what, err := range errs {
			if what == "Match" && c.check {
				if err != nil {
					t.Errorf("%s: Match: %v", c.name, err)
				}
				continue
			}
			if handwash.ErrorCode(err) != handwash.EINVALID || !strings.Contains(err.Error(), c.want) {
				t.Errorf("%s: %s: %v, want an error mentioning %q", c.name, what, err, c.want)
			}
		}
	}
	// A record the builder was not given.
	zr, _ := zip.NewReader(bytes.NewReader(export), int64(len(export)))
	b := NewPackageIndexBuilder(zr)
	if err := b.Write(&bytes.Buffer{}, int64(len(export)), shaHex(export)); err == nil || !strings.Contains(err.Error(), "was not read") {
		t.Errorf("a record not added: %v", err)
	}
}

// Escaping gives back every value, and never a byte that separates.
func FuzzEscape(f *testing.F) {
	for _, s := range []string{"", "1:2.3-4+deb12u1", "a b,c%d\te\nf", "%41", "\x7f\x00é"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		e := string(appendEscaped(nil, s))
		if strings.ContainsAny(e, " ,\t\r\n") {
			t.Fatalf("%q escaped is %q", s, e)
		}
		back, err := unescape(e)
		if err != nil || back != s {
			t.Fatalf("%q escaped is %q, back %q, %v", s, e, back, err)
		}
		if u, err := unescape(s); err == nil && string(appendEscaped(nil, u)) != s {
			t.Fatalf("%q unescaped is %q, which escapes otherwise", s, u)
		}
	})
}

// Whatever index opens, matching through it and checking it never panic,
// give only EINVALID errors, and agree: an index Check accepts, Match
// reads.
func FuzzParsePackageIndex(f *testing.F) {
	export := trickyExport(f)
	index := packageIndexOf(f, export)
	body := index[:bytes.LastIndex(index, []byte("end "))]
	f.Add(body, false)
	f.Add(index, true)
	f.Add([]byte(packageIndexMagic+"\nsha256 "+strings.Repeat("0", 64)+"\nsize 5\ncurl\t1\tDSA-1-1\t2025-01-01T00:00:00Z\tCVE-1\t0 Debian:12 i0,f2,e v1\n"), false)
	pkgs := []Installed{{Name: "libssl3", Version: "3.0.11-1", Source: "openssl"}, {Name: "curl", Version: "7.88.1-10+deb12u5"}, {Name: "zlib", Version: "1:1.2.13.dfsg-1"}}
	eco := Ecosystem{Name: "Debian", Release: "12"}
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
		_, matchErr := px.Match(eco, pkgs)
		px, _ = ParsePackageIndex(data)
		checkErr := px.Check()
		for _, err := range []error{matchErr, checkErr} {
			if err != nil && handwash.ErrorCode(err) != handwash.EINVALID {
				t.Fatalf("error without a code: %v", err)
			}
		}
		if checkErr == nil && matchErr != nil {
			t.Fatalf("Check accepts what Match refuses: %v", matchErr)
		}
	})
}
