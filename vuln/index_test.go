package vuln

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/handwash/handwash"
	"github.com/handwash/handwash/collect"
)

// fixtures is the shared folder of real third-party data.
const fixtures = "../../shared/fixtures"

func readFixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(fixtures, name))
	if os.IsNotExist(err) {
		t.Skipf("%s is missing: the shared fixtures folder is not beside the project", name)
	}
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// record writes an OSV record for one Debian-family package.
func record(id, eco, pkg string, ranges []Range, versions []string, aliases ...string) map[string]any {
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

func fixedIn(v string) []Range {
	return []Range{{Type: "ECOSYSTEM", Events: []Event{{Introduced: "0"}, {Fixed: v}}}}
}

// zipOf writes records as an OSV export.
func zipOf(t testing.TB, records ...map[string]any) []byte {
	t.Helper()
	b, err := writeZip(records)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func writeZip(records []map[string]any) ([]byte, error) {
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

// The real Debian 12 image's 705 packages against advisories written for
// this test, each with the reason it matches or not.
func TestMatchDebian12Image(t *testing.T) {
	items, err := collect.DpkgPackages(bytes.NewReader(readFixture(t, "dpkg/debian12-bookworm-image-status")))
	if err != nil {
		t.Fatal(err)
	}
	pkgs := InstalledFrom(items, "dpkg")
	if len(pkgs) != 705 {
		t.Fatalf("%d packages, want 705", len(pkgs))
	}
	withdrawn := record("DSA-9006-1", "Debian:12", "apt", fixedIn("2.6.2"), nil)
	withdrawn["withdrawn"] = "2025-08-02T00:00:00Z"
	export := zipOf(t,
		// openssl 3.0.19-1~deb12u2 is installed (libssl3 and openssl):
		// older than the fix, so affected, one match for both packages.
		record("DSA-9001-1", "Debian:12", "openssl", fixedIn("3.0.20-1~deb12u1"), nil, "CVE-2025-0001", "CVE-2014-0160"),
		// Fixed in an older version than installed: not affected.
		record("DSA-9002-1", "Debian:12", "openssl", fixedIn("3.0.17-1~deb12u1"), nil, "CVE-2025-0002"),
		// bash's binary 5.2.15-2+b8 is a rebuild of source 5.2.15-2, which
		// is what advisories compare: older than +deb12u1, affected.
		record("DSA-9003-1", "Debian:12", "bash", fixedIn("5.2.15-2+deb12u1"), nil, "CVE-2025-0003"),
		// glibc 2.36-9+deb12u14: after the last affected version, so not
		// affected; and listed by version with no fix, so affected.
		record("DEBIAN-CVE-2025-0004", "Debian:12", "glibc",
			[]Range{{Type: "ECOSYSTEM", Events: []Event{{Introduced: "0"}, {LastAffected: "2.36-9+deb12u13"}}}}, nil),
		record("DEBIAN-CVE-2025-0005", "Debian:12", "glibc", nil, []string{"2.36-9+deb12u14"}),
		// zlib 1:1.2.13.dfsg-1 has epoch 1: newer than 1.3 (epoch 0), older
		// than 1:1.2.13.dfsg-1+deb12u1.
		record("DSA-9004-1", "Debian:12", "zlib", fixedIn("1.3"), nil, "CVE-2025-0006"),
		record("DSA-9005-1", "Debian:12", "zlib", fixedIn("1:1.2.13.dfsg-1+deb12u1"), nil, "CVE-2025-0007"),
		// systemd 252.38-1~deb12u1 is inside the first of two ranges.
		record("DSA-9007-1", "Debian:12", "systemd", []Range{{Type: "ECOSYSTEM", Events: []Event{
			{Introduced: "253"}, {Fixed: "253.5-1"}, {Introduced: "252.30-1~deb12u1"}, {Fixed: "252.39-1~deb12u1"}}}}, nil, "CVE-2025-0008"),
		// Withdrawn, another release, another distribution: never.
		withdrawn,
		record("DSA-9008-1", "Debian:11", "openssl", fixedIn("4.0"), nil),
		record("USN-9009-1", "Ubuntu:22.04:LTS", "openssl", fixedIn("4.0"), nil),
	)
	ix, err := LoadZip(bytes.NewReader(export), int64(len(export)), nil)
	if err != nil {
		t.Fatal(err)
	}
	if ix.Len() != 10 {
		t.Errorf("index holds %d advisories, want 10 (the withdrawn one left out)", ix.Len())
	}
	eco := Ecosystem{Name: "Debian", Release: "12"}
	ms := ix.Match(eco, pkgs)
	type got struct {
		ID, Source, Version, Fixed string
		Packages                   []string
	}
	var results []got
	for _, m := range ms {
		results = append(results, got{m.Advisory.ID, m.Source, m.Version, m.Fixed, m.Packages})
	}
	want := []got{
		{"DSA-9003-1", "bash", "5.2.15-2", "5.2.15-2+deb12u1", []string{"bash"}},
		{"DEBIAN-CVE-2025-0005", "glibc", "2.36-9+deb12u14", "", []string{"libc-bin", "libc-dev-bin", "libc-devtools", "libc-l10n", "libc6", "libc6-dbg", "libc6-dev", "locales"}},
		{"DSA-9001-1", "openssl", "3.0.19-1~deb12u2", "3.0.20-1~deb12u1", []string{"libssl-dev", "libssl3", "openssl"}},
		{"DSA-9007-1", "systemd", "252.38-1~deb12u1", "252.39-1~deb12u1", nil},
		{"DSA-9005-1", "zlib", "1:1.2.13.dfsg-1", "1:1.2.13.dfsg-1+deb12u1", []string{"zlib1g", "zlib1g-dev"}},
	}
	// systemd's binary packages in the image (systemd, libsystemd0, udev …).
	for _, p := range pkgs {
		if name, version := p.lookup(); name == "systemd" && version == "252.38-1~deb12u1" {
			want[3].Packages = append(want[3].Packages, p.Name)
		}
	}
	slices.Sort(want[3].Packages)
	if diff := cmp.Diff(want, results); diff != "" {
		t.Errorf("matches (-want +got):\n%s", diff)
	}
	if len(ms) > 0 && (ms[2].Advisory.Affected != nil || ms[2].Advisory.Aliases != nil || ms[2].Advisory.Modified.IsZero()) {
		t.Errorf("the index keeps more of an advisory than its ID and modified time: %+v", ms[2].Advisory)
	}

	// Heartbleed's CVE is in CISA's catalogue: that match goes first.
	known := map[string]bool{"CVE-2014-0160": true}
	MarkKnownExploited(ms, func(c string) bool { return known[c] })
	if !ms[0].KnownExploited || ms[0].Advisory.ID != "DSA-9001-1" || ms[1].KnownExploited {
		t.Errorf("after marking known exploited: first %s (%v)", ms[0].Advisory.ID, ms[0].KnownExploited)
	}
	if want := []string{"CVE-2025-0001", "CVE-2014-0160"}; !slices.Equal(ms[0].CVEs, want) {
		t.Errorf("CVEs %v, want %v", ms[0].CVEs, want)
	}
}

func TestAffects(t *testing.T) {
	for _, c := range []struct {
		name      string
		scheme    Scheme
		af        Affected
		version   string
		hit       bool
		wantFixed string
	}{
		{"below the fix", SchemeDeb, Affected{Ranges: fixedIn("1.2-3")}, "1.2-2", true, "1.2-3"},
		{"at the fix", SchemeDeb, Affected{Ranges: fixedIn("1.2-3")}, "1.2-3", false, ""},
		{"tilde sorts first", SchemeDeb, Affected{Ranges: fixedIn("1.2-3")}, "1.2-3~bpo1", true, "1.2-3"},
		{"before introduced", SchemeDeb, Affected{Ranges: []Range{{Type: "ECOSYSTEM", Events: []Event{{Introduced: "2.0"}, {Fixed: "2.5"}}}}}, "1.9", false, ""},
		{"at last affected", SchemeDeb, Affected{Ranges: []Range{{Type: "ECOSYSTEM", Events: []Event{{Introduced: "0"}, {LastAffected: "3.1"}}}}}, "3.1", true, ""},
		{"two fixes, the lower", SchemeDeb, Affected{Ranges: append(fixedIn("5.0"), fixedIn("4.2")...)}, "4.0", true, "4.2"},
		{"GIT ranges are not ours", SchemeDeb, Affected{Ranges: []Range{{Type: "GIT", Events: []Event{{Introduced: "0"}, {Fixed: "abc"}}}}}, "1.0", false, ""},
		{"listed", SchemeDeb, Affected{Versions: []string{"1.0-1", "1.0-2"}}, "1.0-2", true, ""},
		{"rpm epoch", SchemeRPM, Affected{Ranges: fixedIn("1:1.0-1.el9")}, "2.0-1.el9", true, "1:1.0-1.el9"},
		{"rpm release", SchemeRPM, Affected{Ranges: fixedIn("3.0.7-27.el9")}, "3.0.7-25.el9", true, "3.0.7-27.el9"},
	} {
		t.Run(c.name, func(t *testing.T) {
			a := &Advisory{ID: "T-1"}
			r := newRef(a, &c.af, c.scheme, nil)
			hit, fixed := r.affects(c.version)
			if hit != c.hit || fixed != c.wantFixed {
				t.Errorf("affects(%s) = %v, %q; want %v, %q", c.version, hit, fixed, c.hit, c.wantFixed)
			}
		})
	}
}

func TestEcosystemCovers(t *testing.T) {
	ubuntu := Ecosystem{Name: "Ubuntu", Release: "22.04"}
	for _, c := range []struct {
		device Ecosystem
		eco    string
		want   bool
	}{
		{ubuntu, "Ubuntu:22.04:LTS", true},
		{ubuntu, "Ubuntu:Pro:22.04:LTS", true},
		{ubuntu, "Ubuntu:24.04:LTS", false},
		{ubuntu, "Debian:12", false},
		{Ecosystem{Name: "Debian", Release: "12"}, "Debian:12", true},
		{Ecosystem{Name: "Debian", Release: "12"}, "Debian:11", false},
		{Ecosystem{Name: "Alpine", Release: "v3.20"}, "Alpine:v3.20", true},
	} {
		e, err := ParseEcosystem(c.eco)
		if err != nil {
			t.Fatal(err)
		}
		if got := c.device.Covers(e); got != c.want {
			t.Errorf("%v covers %s = %v, want %v", c.device, c.eco, got, c.want)
		}
	}
}

func TestLoadZipRefuses(t *testing.T) {
	good := record("DSA-1-1", "Debian:12", "openssl", fixedIn("1"), nil)
	export := zipOf(t, good, record("USN-2-1", "Ubuntu:22.04:LTS", "openssl", fixedIn("1"), nil))
	debianOnly := func(e Ecosystem) bool { return e.Name == "Debian" }
	_, err := LoadZip(bytes.NewReader(export), int64(len(export)), debianOnly)
	if handwash.ErrorCode(err) != handwash.EINVALID || !strings.Contains(err.Error(), "USN-2-1") || !strings.Contains(err.Error(), "Ubuntu") {
		t.Errorf("an Ubuntu record in a Debian export: %v", err)
	}
	export = zipOf(t, good)
	_, err = LoadZip(bytes.NewReader(export[:len(export)/2]), int64(len(export)/2), nil)
	if handwash.ErrorCode(err) != handwash.EINVALID || !strings.Contains(err.Error(), "zip") {
		t.Errorf("a truncated export: %v", err)
	}
	bad := record("DSA-3-1", "Debian:12", "openssl", []Range{{Type: "ECOSYSTEM"}}, nil)
	export = zipOf(t, good, bad)
	_, err = LoadZip(bytes.NewReader(export), int64(len(export)), nil)
	if handwash.ErrorCode(err) != handwash.EINVALID || !strings.Contains(err.Error(), "DSA-3-1.json") || !strings.Contains(err.Error(), "events") {
		t.Errorf("a record with an empty range: %v", err)
	}
}

func TestParseOSV(t *testing.T) {
	ok := `{"id":"DSA-5678-1","modified":"2025-01-02T03:04:05Z","affected":[{"package":{"ecosystem":"Debian:12","name":"curl"},
		"ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":"7.88.1-10+deb12u8"}]}]}],"future_field":{"x":1}}`
	a, err := ParseOSV([]byte(ok))
	if err != nil {
		t.Fatal(err)
	}
	if a.ID != "DSA-5678-1" || a.Affected[0].Ranges[0].Events[1].Fixed != "7.88.1-10+deb12u8" || !a.Modified.Equal(time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)) {
		t.Errorf("parsed: %+v", a)
	}
	for _, c := range []struct{ name, json, want string }{
		{"not JSON", `{"id":`, "not OSV JSON"},
		{"two records", `{"id":"A-1","modified":"2025-01-02T03:04:05Z"}{}`, "one record per file"},
		{"no id", `{"modified":"2025-01-02T03:04:05Z"}`, `"id" is missing`},
		{"bad id", `{"id":"no dash here","modified":"2025-01-02T03:04:05Z"}`, `"id"`},
		{"no modified", `{"id":"A-1"}`, `"modified"`},
		{"bad time", `{"id":"A-1","modified":"yesterday"}`, "not OSV JSON"},
		{"no ecosystem", `{"id":"A-1","modified":"2025-01-02T03:04:05Z","affected":[{"package":{"name":"x"},"versions":["1"]}]}`, "affected[0].package"},
		{"bad range type", `{"id":"A-1","modified":"2025-01-02T03:04:05Z","affected":[{"package":{"ecosystem":"Debian:12","name":"x"},"ranges":[{"type":"DATE","events":[{"introduced":"0"}]}]}]}`, "ranges[0].type"},
		{"two keys in an event", `{"id":"A-1","modified":"2025-01-02T03:04:05Z","affected":[{"package":{"ecosystem":"Debian:12","name":"x"},"ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0","fixed":"1"}]}]}]}`, "exactly one"},
		{"wrong type", `{"id":"A-1","modified":"2025-01-02T03:04:05Z","aliases":"CVE-1"}`, "not OSV JSON"},
	} {
		_, err := ParseOSV([]byte(c.json))
		if handwash.ErrorCode(err) != handwash.EINVALID || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want an error mentioning %s", c.name, err, c.want)
		}
	}
	if _, err := ParseOSV(bytes.Repeat([]byte(" "), MaxAdvisoryBytes+1)); handwash.ErrorCode(err) != handwash.EINVALID {
		t.Errorf("an oversized record: %v", err)
	}
}

func FuzzParseOSV(f *testing.F) {
	f.Add([]byte(`{"id":"DSA-5678-1","modified":"2025-01-02T03:04:05Z","affected":[{"package":{"ecosystem":"Debian:12","name":"curl"},"ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":"7.88.1-10+deb12u8"}]}],"versions":["1"]}]}`))
	f.Add([]byte(`{"id":"A-1","modified":"2025-01-02T03:04:05Z","withdrawn":"2025-01-03T00:00:00Z"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		a, err := ParseOSV(data)
		if err != nil {
			return
		}
		// Whatever parses can be indexed and matched without panicking.
		ix := NewIndex()
		ix.Add(a)
		for _, af := range a.Affected {
			if eco, err := ParseEcosystem(af.Package.Ecosystem); err == nil {
				ix.Match(eco, []Installed{{Name: af.Package.Name, Version: "1.0"}})
			}
		}
	})
}

func TestDeviceEcosystem(t *testing.T) {
	for _, c := range []struct {
		id, version string
		want        string
		manager     string
	}{
		{"debian", "12", "Debian:12", "dpkg"},
		{"ubuntu", "24.04", "Ubuntu:24.04", "dpkg"},
		{"alpine", "3.20.3", "Alpine:v3.20", "apk"},
		{"rocky", "9.4", "Rocky Linux:9", "rpm"},
		{"almalinux", "9.4", "AlmaLinux:9", "rpm"},
		{"fedora", "40", "", ""},
		{"windows", "10.0.26100", "", ""},
		{"debian", "", "", ""},
		{"alpine", "3", "", ""},
	} {
		eco, manager, ok := DeviceEcosystem(&handwash.OSFacts{ID: c.id, Version: c.version})
		if got := eco.String(); ok != (c.want != "") || (ok && (got != c.want || manager != c.manager)) {
			t.Errorf("%s %s: %q %q %v, want %q %q", c.id, c.version, got, manager, ok, c.want, c.manager)
		}
	}
	if _, _, ok := DeviceEcosystem(nil); ok {
		t.Error("no OS facts gave an ecosystem")
	}
}
