package advisories

import (
	"fmt"
	"strings"
	"time"

	"github.com/handwash/handwash/vuln"
)

// mobileWarning is how long before its end a phone's or tablet's
// operating system counts as ending soon: the same warning as for other
// operating systems (issue 5's 90 days).
const mobileWarning = 90 * 24 * time.Hour

// mobileProducts maps a device's OS to endoflife.date's product.
var mobileProducts = map[string]string{"ios": "ios", "ipados": "ipados", "android": "android"}

// MobileSupport says whether a phone or tablet OS version still gets
// security updates, from the end-of-life data: supported is nil when the
// data is missing or does not know the version; endsSoon when support
// ends within 90 days; detail says what was found, in plain English.
func (s *Source) MobileSupport(os, version string) (supported *bool, endsSoon bool, detail string) {
	if s.cache == nil {
		return nil, false, "no end-of-life data: run handwash feeds update on the server"
	}
	eol := s.loadEOL()
	if eol.err != nil || eol.data == nil {
		return nil, false, "no end-of-life data: run handwash feeds update on the server"
	}
	return mobileSupport(eol.data, os, version, s.now())
}

func mobileSupport(e *vuln.EOL, os, version string, now time.Time) (*bool, bool, string) {
	name, ok := mobileProducts[strings.ToLower(os)]
	if !ok {
		return nil, false, fmt.Sprintf("the end-of-life data does not cover %q", os)
	}
	p, ok := e.Product(name)
	if !ok {
		return nil, false, "the end-of-life data has no " + name
	}
	major, _, _ := strings.Cut(strings.TrimSpace(version), ".")
	r, ok := p.Release(major)
	if !ok || major == "" {
		return nil, false, fmt.Sprintf("the end-of-life data does not know %s %s", p.Label, version)
	}
	yes, no := true, false
	switch {
	case r.EOL.Passed(now):
		return &no, false, fmt.Sprintf("%s %s no longer gets security updates (%s)", p.Label, r.Label, r.EOL)
	case r.EOL.Given && !r.EOL.Date.IsZero() && r.EOL.Date.Sub(now) < mobileWarning:
		return &yes, true, fmt.Sprintf("%s %s gets security updates until %s", p.Label, r.Label, r.EOL)
	}
	return &yes, false, fmt.Sprintf("%s %s still gets security updates", p.Label, r.Label)
}
