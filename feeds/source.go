package feeds

import (
	"net"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/handwash/handwash"
	"github.com/handwash/handwash/vuln"
)

// Kind is what a feed holds.
type Kind string

// The kinds of feed.
const (
	KindKEV Kind = "kev" // CISA Known Exploited Vulnerabilities catalogue (JSON)
	KindEOL Kind = "eol" // endoflife.date API v1 products/full (JSON)
	KindOSV Kind = "osv" // OSV advisories of one ecosystem (zip of JSON records)
)

// The public sources.
const (
	DefaultKEVURL = "https://www.cisa.gov/sites/default/files/feeds/known_exploited_vulnerabilities.json"
	DefaultEOLURL = "https://endoflife.date/api/v1/products/full"
	// DefaultOSVBase holds one folder per ecosystem with all.zip in it
	// (https://google.github.io/osv.dev/data/).
	DefaultOSVBase = "https://osv-vulnerabilities.storage.googleapis.com"
)

// OSVEcosystems are the Linux ecosystems fetched by default, spelt as OSV
// spells its folders and the records' affected[].package.ecosystem.
var OSVEcosystems = []string{"Debian", "Ubuntu", "Alpine", "Red Hat", "Rocky Linux", "AlmaLinux"}

// Limits on OSV zips (see the package documentation).
const (
	MaxOSVBytes        = 2 << 30
	MaxOSVUncompressed = 16 << 30
	MaxOSVRecords      = 2_000_000
)

// Timeouts for one feed's download, validation included.
const (
	DefaultTimeout = 5 * time.Minute
	OSVTimeout     = 60 * time.Minute
)

// StaleAfter is how old a feed may be before it is itself a finding: its
// data may miss a week of new advisories.
const StaleAfter = 7 * 24 * time.Hour

// Source is where one feed is fetched from.
type Source struct {
	// Name is the feed: kev, eol, or osv:<Ecosystem> such as osv:Debian.
	Name string
	// URL is fetched with GET.
	URL string
	// MaxBytes bounds the download; 0 means the kind's limit.
	MaxBytes int64
	// Timeout bounds the whole update of this feed; 0 means DefaultTimeout
	// (OSVTimeout for OSV).
	Timeout time.Duration
}

// Kind is what the source holds.
func (s Source) Kind() Kind { k, _ := splitName(s.Name); return k }

// Ecosystem is the OSV ecosystem of an osv:<Ecosystem> source, or "".
func (s Source) Ecosystem() string { _, e := splitName(s.Name); return e }

func (s Source) maxBytes() int64 {
	if s.MaxBytes > 0 {
		return s.MaxBytes
	}
	return maxBytes(s.Kind())
}

func (s Source) timeout() time.Duration {
	switch {
	case s.Timeout > 0:
		return s.Timeout
	case s.Kind() == KindOSV:
		return OSVTimeout
	}
	return DefaultTimeout
}

func maxBytes(k Kind) int64 {
	switch k {
	case KindKEV:
		return vuln.MaxKEVBytes
	case KindEOL:
		return vuln.MaxEOLBytes
	}
	return MaxOSVBytes
}

// URLs are the bases the sources are fetched from; tests and local mirrors
// change them.
type URLs struct {
	KEV     string // the catalogue's JSON
	EOL     string // endoflife.date's api/v1/products/full
	OSVBase string // <OSVBase>/<Ecosystem>/all.zip
}

// DefaultURLs are the public sources.
func DefaultURLs() URLs {
	return URLs{KEV: DefaultKEVURL, EOL: DefaultEOLURL, OSVBase: DefaultOSVBase}
}

// DefaultNames are the feeds Update fetches when none are named.
func DefaultNames() []string {
	names := []string{string(KindKEV), string(KindEOL)}
	for _, e := range OSVEcosystems {
		names = append(names, osvName(e))
	}
	return names
}

// Sources returns the sources of the named feeds (kev, eol, osv:<Ecosystem>,
// or osv for every ecosystem in OSVEcosystems), or of every default feed
// when none are named. Names are matched without regard to case, spaces
// or hyphens ("osv:red-hat" is osv:Red Hat).
func (u URLs) Sources(names ...string) ([]Source, error) {
	if len(names) == 0 {
		names = DefaultNames()
	}
	var out []Source
	seen := map[string]bool{}
	add := func(name string) {
		if seen[name] {
			return
		}
		seen[name] = true
		k, eco := splitName(name)
		s := Source{Name: name}
		switch k {
		case KindKEV:
			s.URL = u.KEV
		case KindEOL:
			s.URL = u.EOL
		case KindOSV:
			s.URL = strings.TrimSuffix(u.OSVBase, "/") + "/" + url.PathEscape(eco) + "/all.zip"
		}
		out = append(out, s)
	}
	for _, n := range names {
		if strings.EqualFold(strings.TrimSpace(n), "osv") {
			for _, e := range OSVEcosystems {
				add(osvName(e))
			}
			continue
		}
		name, err := ParseName(n)
		if err != nil {
			return nil, err
		}
		add(name)
	}
	return out, nil
}

// ecosystemPattern is what an OSV ecosystem name may be: it also names
// files in the cache.
var ecosystemPattern = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9 ._-]{0,63}$`)

// ParseName checks a feed name and returns it in its usual spelling: kev,
// eol, or osv:<Ecosystem> with a known ecosystem spelt as OSV spells it.
func ParseName(s string) (string, error) {
	s = strings.TrimSpace(s)
	switch strings.ToLower(s) {
	case "kev":
		return string(KindKEV), nil
	case "eol":
		return string(KindEOL), nil
	}
	prefix, eco, ok := strings.Cut(s, ":")
	if !ok || !strings.EqualFold(prefix, "osv") {
		return "", handwash.Errorf(handwash.EINVALID, "%q is not a feed: the feeds are kev, eol and osv:<ecosystem> (%s)", clip(s), strings.Join(OSVEcosystems, ", "))
	}
	eco, err := CanonicalEcosystem(eco)
	if err != nil {
		return "", err
	}
	return osvName(eco), nil
}

// CanonicalEcosystem spells an OSV ecosystem as OSV does ("red hat" is
// "Red Hat"). Names Handwash does not know are kept as given if they could
// be one; a release ("Debian:12") is refused: a feed holds every release.
func CanonicalEcosystem(s string) (string, error) {
	s = strings.TrimSpace(s)
	if strings.Contains(s, ":") {
		return "", handwash.Errorf(handwash.EINVALID, "%q names a release: give the ecosystem alone, such as %s", clip(s), strings.SplitN(s, ":", 2)[0])
	}
	fold := func(x string) string {
		return strings.NewReplacer(" ", "", "-", "", "_", "").Replace(strings.ToLower(x))
	}
	for _, e := range OSVEcosystems {
		if fold(e) == fold(s) {
			return e, nil
		}
	}
	if !ecosystemPattern.MatchString(s) {
		return "", handwash.Errorf(handwash.EINVALID, "%q is not an OSV ecosystem such as %s", clip(s), strings.Join(OSVEcosystems, ", "))
	}
	return s, nil
}

func osvName(eco string) string { return string(KindOSV) + ":" + eco }

func splitName(name string) (Kind, string) {
	if k, eco, ok := strings.Cut(name, ":"); ok {
		return Kind(k), eco
	}
	return Kind(name), ""
}

// Title is a feed's name for people: "KEV", "End-of-life dates", "OSV
// Debian".
func Title(name string) string {
	k, eco := splitName(name)
	switch k {
	case KindKEV:
		return "KEV"
	case KindEOL:
		return "End-of-life dates"
	case KindOSV:
		return "OSV " + eco
	}
	return name
}

// Description says what a feed is, for reports.
func Description(name string) string {
	k, eco := splitName(name)
	switch k {
	case KindKEV:
		return "CISA Known Exploited Vulnerabilities catalogue"
	case KindEOL:
		return "endoflife.date support dates"
	case KindOSV:
		return "OSV advisories for " + eco
	}
	return name
}

// CheckURL says whether Update will fetch from an address: https://, or
// http:// only on this computer's loopback address.
func CheckURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return handwash.Errorf(handwash.EINVALID, "%q is not a web address such as https://mirror.example.org/kev.json", clip(raw))
	}
	return checkURL(u)
}

// checkURL allows https://, and http:// only to this computer's loopback
// address: feed data is not signed, so only TLS keeps it from being
// changed on the way.
func checkURL(u *url.URL) error {
	switch u.Scheme {
	case "https":
		return nil
	case "http":
		host := u.Hostname()
		if host == "localhost" {
			return nil
		}
		if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
			return nil
		}
		return handwash.Errorf(handwash.EINVALID, "%s is plain http://, which anyone on the way could change: use https://.", u.Redacted())
	}
	return handwash.Errorf(handwash.EINVALID, "%s is not an https:// address.", u.Redacted())
}

func clip(s string) string {
	if len(s) > 80 {
		return s[:80] + "…"
	}
	return s
}
