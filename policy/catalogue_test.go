package policy

import (
	"flag"
	"os"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/handwash/handwash"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata/")

func TestCatalogueLoads(t *testing.T) {
	c, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Controls) < 45 {
		t.Errorf("catalogue has %d controls, want at least 45", len(c.Controls))
	}
	perArea := map[handwash.Area]int{}
	for _, ctl := range c.Controls {
		perArea[ctl.Area]++
	}
	for _, a := range handwash.Areas {
		if a == handwash.AreaPeople {
			if perArea[a] != 0 {
				t.Errorf("people has %d device controls; the self-assessment covers it", perArea[a])
			}
			continue
		}
		if perArea[a] == 0 {
			t.Errorf("area %s has no controls", a)
		}
	}
}

// Every control cites at least one of the schemes care providers are
// measured by, not only vendor or CIS guidance.
func TestEveryControlCitesNCSCOrCyberEssentialsOrDSPT(t *testing.T) {
	c, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	for _, ctl := range c.Controls {
		ok := false
		for _, r := range ctl.References {
			switch r.Scheme {
			case "ncsc-sbg", "ce", "dspt", "nao":
				ok = true
			}
		}
		if !ok {
			t.Errorf("%s cites none of the NCSC guide, Cyber Essentials, the DSPT or the NAO", ctl.ID)
		}
		if !strings.HasSuffix(ctl.Why, ".") {
			t.Errorf("%s: why should be full sentences", ctl.ID)
		}
	}
}

// The catalogue's version must change when a control does, so stored
// assessments say which rules judged them. testdata/catalogue.lock records
// the version and the digest of the files it was given to.
func TestCatalogueVersionChangesWithControls(t *testing.T) {
	c, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	got := c.Version + " " + c.Digest + "\n"
	if *update {
		if err := os.WriteFile("testdata/catalogue.lock", []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile("testdata/catalogue.lock")
	if err != nil {
		t.Fatal(err)
	}
	wantVersion, wantDigest, _ := strings.Cut(strings.TrimSpace(string(want)), " ")
	switch {
	case wantDigest == c.Digest && wantVersion != c.Version:
		t.Errorf("version changed to %s but no control did: run go test ./policy -update", c.Version)
	case wantDigest != c.Digest && wantVersion == c.Version:
		t.Errorf("controls changed but the version is still %s: raise version in controls/catalogue.yaml, then run go test ./policy -update", c.Version)
	case wantDigest != c.Digest:
		t.Errorf("catalogue.lock is out of date: run go test ./policy -update")
	}
}

func TestLoadRejectsBadControls(t *testing.T) {
	good := `- id: malware.x
  area: malware
  severity: high
  title: T
  checks: C
  why: W.
  pass: "true"
  evidence: [{label: L, expr: "facts.device.hostname"}]
  fix: {windows: a, macos: b, linux: c}
  references: [{scheme: ce, text: t}]
`
	cases := map[string]struct{ yaml, want string }{
		"unknown field":    {good + "  colour: red\n", "unknown field"},
		"no references":    {strings.Replace(good, "  references: [{scheme: ce, text: t}]\n", "", 1), "no references"},
		"missing fix":      {strings.Replace(good, ", linux: c", "", 1), "no fix steps for Linux"},
		"bad expression":   {strings.Replace(good, `pass: "true"`, `pass: "facts.firewal.enabled"`, 1), "undefined field 'firewal'"},
		"not boolean":      {strings.Replace(good, `pass: "true"`, `pass: "facts.device.hostname"`, 1), "want bool"},
		"area prefix":      {strings.Replace(good, "id: malware.x", "id: backup.x", 1), "must start with its area"},
		"unknown severity": {strings.Replace(good, "severity: high", "severity: urgent", 1), "unknown severity"},
		"duplicate id":     {good + strings.Replace(good, "- id", "- id", 1), "already defined"},
		"unknown platform": {strings.Replace(good, "  fix:", "  platforms: [beos]\n  fix:", 1), "unknown platform"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			fsys := fstest.MapFS{
				"controls/catalogue.yaml": {Data: []byte("version: test\n")},
				"controls/malware.yaml":   {Data: []byte(tc.yaml)},
			}
			_, err := Load(fsys)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Load = %v, want an error containing %q", err, tc.want)
			}
		})
	}
	fsys := fstest.MapFS{
		"controls/catalogue.yaml": {Data: []byte("version: test\n")},
		"controls/malware.yaml":   {Data: []byte(good)},
	}
	if _, err := Load(fsys); err != nil {
		t.Errorf("Load(good) = %v", err)
	}
}
