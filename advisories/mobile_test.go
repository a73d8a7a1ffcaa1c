package advisories

import (
	"os"
	"testing"
	"time"

	"github.com/handwash/handwash/vuln"
)

// The real end-of-life data says which phone and tablet versions still
// get security updates.
func TestMobileSupport(t *testing.T) {
	dir := "../../shared/fixtures/eol/products"
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("the end-of-life fixtures are not beside the repository: %v", err)
	}
	e, err := vuln.ParseEOLProductFiles(os.DirFS(dir))
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		os, version string
		want        string // yes, no or unknown
	}{
		{"ios", "18.6.2", "yes"},
		{"ios", "17.5", "no"}, // security updates ended 13 May 2025
		{"iOS", "26.1", "yes"},
		{"android", "13", "no"}, // ended 2 March 2026
		{"android", "16.0", "yes"},
		{"ipados", "18.1", "yes"},
		{"android", "99", "unknown"},
		{"windows", "11", "unknown"},
		{"ios", "", "unknown"},
	} {
		got, _, detail := mobileSupport(e, c.os, c.version, now)
		w := "unknown"
		if got != nil {
			w = map[bool]string{true: "yes", false: "no"}[*got]
		}
		if w != c.want || detail == "" {
			t.Errorf("%s %s: %s (%s), want %s", c.os, c.version, w, detail, c.want)
		}
	}
	if got, _, _ := New(nil, nil).MobileSupport("ios", "18"); got != nil {
		t.Error("without a feeds folder the support is known")
	}
}
