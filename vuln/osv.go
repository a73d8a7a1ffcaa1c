package vuln

import (
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/handwash/handwash"
)

// Advisory is one OSV record (https://ossf.github.io/osv-schema/), with
// what matching needs: the rest (summary, details, severity, references)
// is skipped as it is read, and is at the advisory's address. Unknown
// fields are ignored, as the schema asks, so newer records still load.
type Advisory struct {
	ID       string    `json:"id"`
	Modified time.Time `json:"modified"`
	// Withdrawn, when set, means the advisory was retracted: it never
	// matches.
	Withdrawn *time.Time `json:"withdrawn,omitempty"`
	Aliases   []string   `json:"aliases,omitempty"`
	Upstream  []string   `json:"upstream,omitempty"`
	Affected  []Affected `json:"affected,omitempty"`
}

// Affected is one package an advisory affects, in one ecosystem.
type Affected struct {
	Package Package `json:"package"`
	Ranges  []Range `json:"ranges,omitempty"`
	// Versions lists affected versions one by one.
	Versions []string `json:"versions,omitempty"`
}

// Package names a package in an ecosystem such as "Debian:12".
type Package struct {
	Ecosystem string `json:"ecosystem"`
	Name      string `json:"name"`
}

// Range is a span of affected versions, given as events in version order.
type Range struct {
	// Type is ECOSYSTEM (the ecosystem's own version order), SEMVER or GIT.
	Type   string  `json:"type"`
	Events []Event `json:"events"`
}

// Event is one point in a range: exactly one of its fields is set.
type Event struct {
	Introduced   string `json:"introduced,omitempty"`
	Fixed        string `json:"fixed,omitempty"`
	LastAffected string `json:"last_affected,omitempty"`
	Limit        string `json:"limit,omitempty"`
}

// Limits on one advisory.
const (
	// MaxAdvisoryBytes bounds one record: the largest in OSV's Debian and
	// Ubuntu exports are a few hundred kilobytes.
	MaxAdvisoryBytes = 4 << 20
	maxIDLen         = 200
)

// idPattern is the schema's pattern for an ID: a prefix and a local part.
var idPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._:-]*-[A-Za-z0-9._:-]+$`)

// ParseOSV reads and checks one OSV record. The error names the field that
// is wrong and says what was expected.
func ParseOSV(data []byte) (*Advisory, error) {
	invalid := func(format string, args ...any) error {
		return handwash.Errorf(handwash.EINVALID, "OSV record: "+format, args...)
	}
	if len(data) > MaxAdvisoryBytes {
		return nil, invalid("is %d bytes, over the limit of %d", len(data), MaxAdvisoryBytes)
	}
	// A check reads tens of thousands of records: decodeAdvisory reads the
	// usual ones faster and with far fewer allocations, and leaves the rest
	// (and every error) to Unmarshal, which decodes in place, without a
	// Decoder's copy of the data.
	a, fast := decodeAdvisory(data)
	if !fast {
		if err := json.Unmarshal(data, &a); err != nil {
			var se *json.SyntaxError
			if errors.As(err, &se) && strings.Contains(se.Error(), "after top-level value") {
				return nil, invalid("has more after its closing brace: give one record per file")
			}
			return nil, invalid("is not OSV JSON: %v", err)
		}
	}
	id := a.ID
	switch {
	case id == "":
		return nil, invalid("field \"id\" is missing")
	case len(id) > maxIDLen || !idPattern.MatchString(id):
		return nil, invalid("field \"id\" %q is not an OSV identifier such as DSA-5678-1 or CVE-2024-1234", clip(id))
	case a.Modified.IsZero():
		return nil, invalid("%s: field \"modified\" is missing: every record says when it last changed", id)
	}
	for i, af := range a.Affected {
		where := fmt.Sprintf("%s: affected[%d]", id, i)
		if af.Package.Ecosystem == "" || af.Package.Name == "" {
			if len(af.Ranges) > 0 || len(af.Versions) > 0 {
				return nil, invalid("%s.package needs an ecosystem and a name", where)
			}
		}
		if af.Package.Ecosystem != "" {
			if _, err := ParseEcosystem(af.Package.Ecosystem); err != nil {
				return nil, invalid("%s.package.ecosystem: %s", where, handwash.ErrorMessage(err))
			}
		}
		for j, r := range af.Ranges {
			rwhere := fmt.Sprintf("%s.ranges[%d]", where, j)
			switch r.Type {
			case "ECOSYSTEM", "SEMVER", "GIT":
			default:
				return nil, invalid("%s.type %q is not ECOSYSTEM, SEMVER or GIT", rwhere, clip(r.Type))
			}
			if len(r.Events) == 0 {
				return nil, invalid("%s.events is empty: a range needs at least an \"introduced\" event", rwhere)
			}
			for k, e := range r.Events {
				n := 0
				for _, v := range []string{e.Introduced, e.Fixed, e.LastAffected, e.Limit} {
					if v != "" {
						n++
					}
				}
				if n != 1 {
					return nil, invalid("%s.events[%d] must have exactly one of introduced, fixed, last_affected or limit", rwhere, k)
				}
			}
		}
	}
	return &a, nil
}

// Ecosystem is an OSV ecosystem with its release, such as Debian 12
// ("Debian:12"), Ubuntu 22.04 ("Ubuntu:22.04:LTS") or Alpine 3.20
// ("Alpine:v3.20").
type Ecosystem struct {
	// Name is the ecosystem: Debian, Ubuntu, Alpine, Red Hat, Rocky Linux,
	// AlmaLinux, and the others OSV knows.
	Name string
	// Release is what follows the first colon, or "" for every release.
	Release string
}

func (e Ecosystem) String() string {
	if e.Release == "" {
		return e.Name
	}
	return e.Name + ":" + e.Release
}

// Scheme is how the ecosystem orders versions, or "" when Handwash does not
// compare its versions.
func (e Ecosystem) Scheme() Scheme {
	switch e.Name {
	case "Debian", "Ubuntu":
		return SchemeDeb
	case "Red Hat", "Rocky Linux", "AlmaLinux", "openSUSE", "SUSE", "Mageia":
		return SchemeRPM
	case "Alpine", "Wolfi", "Chainguard":
		return SchemeAPK
	}
	return ""
}

// ParseEcosystem splits an OSV ecosystem string.
func ParseEcosystem(s string) (Ecosystem, error) {
	if s == "" || len(s) > 200 || strings.TrimSpace(s) != s {
		return Ecosystem{}, handwash.Errorf(handwash.EINVALID, "%q is not an OSV ecosystem such as Debian:12", clip(s))
	}
	name, release, _ := strings.Cut(s, ":")
	if name == "" {
		return Ecosystem{}, handwash.Errorf(handwash.EINVALID, "%q has no ecosystem name before the colon", clip(s))
	}
	return Ecosystem{Name: name, Release: release}, nil
}

// clip shortens a value quoted in an error.
func clip(s string) string {
	if len(s) > 80 {
		return s[:80] + "…"
	}
	return s
}
