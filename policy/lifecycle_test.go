package policy

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/handwash/handwash"
	"github.com/handwash/handwash/vuln"
)

// Support data made from endoflife.date's files says what the built-in
// copy, made from the same files, says, for every recorded machine.
func TestLifecycleFromEOLAgrees(t *testing.T) {
	dir := "../../shared/fixtures/eol/products"
	if _, err := os.Stat(dir); err != nil {
		t.Skip("the shared fixtures are not beside the project")
	}
	e, err := vuln.ParseEOLProductFiles(os.DirFS(dir))
	if err != nil {
		t.Fatal(err)
	}
	lc := LifecycleFromEOL(e, "endoflife.date (feeds)", "2026-08-20")
	files, _ := filepath.Glob("../collect/testdata/*/*.facts.json")
	if len(files) < 5 {
		t.Fatalf("only %d recorded machines", len(files))
	}
	for _, file := range files {
		b, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		var f handwash.Facts
		if err := json.Unmarshal(b, &f); err != nil {
			t.Fatal(err)
		}
		want, wantOK := LookupOSSupport(&f)
		got, gotOK := lc.LookupOSSupport(&f)
		want.Source, got.Source = "", ""
		if got != want || gotOK != wantOK {
			t.Errorf("%s: from the feed %+v (%v), built in %+v (%v)", filepath.Base(file), got, gotOK, want, wantOK)
		}
	}
	if s := lc.Source(); s.Source != "endoflife.date (feeds)" || s.AsOf != "2026-08-20" {
		t.Errorf("source: %+v", s)
	}
}

// Fresher data changes the verdict: Debian 12's end brought forward.
func TestLifecycleFromEOLIsUsed(t *testing.T) {
	c, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	f := wellKept(handwash.PlatformLinux)
	f.OS = &handwash.OSFacts{Name: "Debian GNU/Linux 12 (bookworm)", ID: "debian", Version: "12", ExtendedSupport: ptr(false)}
	ended := time.Date(2026, 6, 10, 0, 0, 0, 0, time.UTC)
	e := &vuln.EOL{Products: []vuln.EOLProduct{{Name: "debian", Releases: []vuln.EOLRelease{
		{Name: "12", Codename: "Bookworm", EOL: vuln.EOLDate{Given: true, Date: ended}},
	}}}}
	opt := Options{Now: caseNow, Vulns: cleanVulns(), Software: &SoftwareSupport{Items: []SoftwareEndItem{}}}
	if fd := findingFor(t, c.Evaluate(f, opt), "updates.os-supported"); fd.Status != pass {
		t.Fatalf("with the built-in dates: %s %s", fd.Status, fd.Summary)
	}
	opt.OSLifecycle = LifecycleFromEOL(e, "endoflife.date API", "2026-11-29")
	a := c.Evaluate(f, opt)
	if fd := findingFor(t, a, "updates.os-supported"); fd.Status != fail {
		t.Errorf("with fresher dates: %s %s", fd.Status, fd.Summary)
	}
	if a.ReferenceData[0].Source != "endoflife.date API" {
		t.Errorf("the report names %+v as the source", a.ReferenceData[0])
	}
}
