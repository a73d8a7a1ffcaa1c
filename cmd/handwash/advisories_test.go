package main

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/handwash/handwash"
	"github.com/handwash/handwash/collect"
	"github.com/handwash/handwash/schema"
	"github.com/handwash/handwash/vuln"
)

// debianFacts is the recorded Debian 12 container's Facts with the real
// Debian 12 image's packages, which carry their source packages.
func debianFacts(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile("../../collect/testdata/linux/debian12-container.facts.json")
	if err != nil {
		t.Fatal(err)
	}
	f, err := schema.DecodeFacts(bytes.NewReader(b), "debian12-container.facts.json")
	if err != nil {
		t.Fatal(err)
	}
	status, err := os.ReadFile("../../../shared/fixtures/dpkg/debian12-bookworm-image-status")
	if os.IsNotExist(err) {
		t.Skip("the shared fixtures are not beside the project")
	}
	if err != nil {
		t.Fatal(err)
	}
	if f.Software.Items, err = collect.DpkgPackages(bytes.NewReader(status)); err != nil {
		t.Fatal(err)
	}
	out, err := json.Marshal(f)
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "debian.facts.json")
	if err := os.WriteFile(file, out, 0o600); err != nil {
		t.Fatal(err)
	}
	return file
}

// debianAdvisories writes an OSV export for Debian: openssl's flaw is
// Heartbleed's CVE, which CISA lists as exploited; bash's is not listed.
func debianAdvisories(t *testing.T) string {
	t.Helper()
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for _, r := range []string{
		`{"id":"DSA-9001-1","modified":"2025-08-01T10:00:00Z","aliases":["CVE-2014-0160"],"summary":"openssl security update",
		  "affected":[{"package":{"ecosystem":"Debian:12","name":"openssl"},"ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":"3.0.20-1~deb12u1"}]}]}]}`,
		`{"id":"DSA-9003-1","modified":"2025-08-01T10:00:00Z","aliases":["CVE-2025-0003"],"summary":"bash security update",
		  "affected":[{"package":{"ecosystem":"Debian:12","name":"bash"},"ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":"5.2.15-2+deb12u1"}]}]}]}`,
	} {
		var rec struct{ ID string }
		if err := json.Unmarshal([]byte(r), &rec); err != nil {
			t.Fatal(err)
		}
		w, _ := zw.Create(rec.ID + ".json")
		w.Write([]byte(r))
	}
	zw.Close()
	file := filepath.Join(t.TempDir(), "all.zip")
	if err := os.WriteFile(file, b.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	return file
}

func TestCheckMatchesAdvisories(t *testing.T) {
	kevFixtureBytes(t)
	facts := debianFacts(t)
	cache := t.TempDir()
	finding := func(a *handwash.Assessment, id string) handwash.Finding {
		t.Helper()
		for _, f := range a.Findings {
			if f.ControlID == id {
				return f
			}
		}
		t.Fatalf("no finding for %s", id)
		return handwash.Finding{}
	}

	// Without advisory data: unknown, saying which command gets it.
	code, out, errOut := handwashRun(t, "", "check", "--facts", facts, "--feeds", cache, "--format", "json")
	if code != exitOK {
		t.Fatalf("check: exit %d: %s", code, errOut)
	}
	a := decodeAssessment(t, out)
	for _, id := range []string{"updates.packages-known-exploited", "updates.packages-security-fixes"} {
		f := finding(a, id)
		if f.Status != handwash.StatusUnknown || len(f.Missing) != 1 || !strings.Contains(f.Missing[0].Detail, "handwash feeds update --only kev,osv:Debian") {
			t.Errorf("%s without advisories: %s %+v", id, f.Status, f.Missing)
		}
	}

	for _, args := range [][]string{{kevFixture}, {debianAdvisories(t), "--ecosystem", "Debian"}} {
		if code, out, errOut := handwashRun(t, "", append(append([]string{"feeds", "import"}, args...), "--cache", cache)...); code != exitOK {
			t.Fatalf("feeds import %v: exit %d\n%s%s", args, code, out, errOut)
		}
	}
	code, out, errOut = handwashRun(t, "", "check", "--facts", facts, "--feeds", cache, "--format", "json")
	if code != exitOK {
		t.Fatalf("check: exit %d: %s", code, errOut)
	}
	a = decodeAssessment(t, out)
	exploited := finding(a, "updates.packages-known-exploited")
	if want := "1 advisory is for flaws that attackers are exploiting: libssl-dev, libssl3, openssl 3.0.19-1~deb12u2 (DSA-9001-1, CVE-2014-0160; fixed in 3.0.20-1~deb12u1)."; exploited.Status != handwash.StatusFail || exploited.Summary != want {
		t.Errorf("known exploited: %s %q\nwant %q", exploited.Status, exploited.Summary, want)
	}
	fixes := finding(a, "updates.packages-security-fixes")
	if fixes.Status != handwash.StatusFail || !strings.HasPrefix(fixes.Summary, "2 security fixes are not installed: ") || !strings.Contains(fixes.Summary, "bash 5.2.15-2 (fixed in 5.2.15-2+deb12u1, DSA-9003-1)") {
		t.Errorf("security fixes: %s %q", fixes.Status, fixes.Summary)
	}
	// The fixture catalogue is from August 2025: far over a week old.
	if age := finding(a, "updates.advisories-current"); age.Status != handwash.StatusFail || !strings.Contains(age.Summary, " days old") {
		t.Errorf("advisory age: %s %q", age.Status, age.Summary)
	}
	var names []string
	for _, d := range a.ReferenceData {
		names = append(names, d.Name+" ("+d.AsOf+")")
	}
	if got := strings.Join(names, "; "); !strings.Contains(got, "OSV") || !strings.Contains(got, "Known Exploited") {
		t.Errorf("the report does not say which advisories it used: %s", got)
	}
}

// Without --only, update keeps what this machine and the cache need.
func TestMachineFeeds(t *testing.T) {
	cache := t.TempDir()
	if code, out, errOut := handwashRun(t, "", "feeds", "import", debianAdvisories(t), "--ecosystem", "Debian", "--cache", cache); code != exitOK {
		t.Fatalf("import: exit %d\n%s%s", code, out, errOut)
	}
	c, err := openFeeds(cache)
	if err != nil {
		t.Fatal(err)
	}
	names := machineFeeds(c)
	if len(names) < 3 || names[0] != "kev" || names[1] != "eol" || !slices.Contains(names, "osv:Debian") {
		t.Errorf("feeds to update: %v, want kev, eol and the imported osv:Debian", names)
	}
	if eco, _, ok := vuln.DeviceEcosystem(collect.OSRelease()); ok && !slices.Contains(names, "osv:"+eco.Name) {
		t.Errorf("feeds to update: %v lack this machine's %s", names, eco.Name)
	}
}
