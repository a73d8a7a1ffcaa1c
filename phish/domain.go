package phish

import (
	"net/netip"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/mtibben/confusables"
	"golang.org/x/net/idna"
	"golang.org/x/net/publicsuffix"
)

// normaliseHost lowercases a host name, drops a trailing dot and brackets,
// and turns Unicode labels into their xn-- form, so that one domain is
// always written one way.
func normaliseHost(host string) string {
	host = strings.TrimSuffix(strings.ToLower(strings.TrimSpace(host)), ".")
	host = strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")
	if host == "" {
		return ""
	}
	if !isASCII(host) {
		if a, err := idna.Punycode.ToASCII(host); err == nil {
			host = strings.ToLower(a)
		}
	}
	return host
}

// unicodeHost is the host as a reader would see it, with xn-- labels decoded.
func unicodeHost(host string) string {
	if !strings.Contains(host, "xn--") {
		return host
	}
	u, err := idna.Punycode.ToUnicode(host)
	if err != nil {
		return host
	}
	return u
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// isIP reports whether host is an IP address, written the usual way or as
// one big decimal or hexadecimal number, which browsers also accept.
func isIP(host string) bool {
	if _, err := netip.ParseAddr(host); err == nil {
		return true
	}
	if host == "" {
		return false
	}
	if strings.HasPrefix(host, "0x") && len(host) > 2 && len(host) <= 10 {
		for _, c := range host[2:] {
			if !strings.ContainsRune("0123456789abcdef", c) {
				return false
			}
		}
		return true
	}
	if len(host) >= 8 && len(host) <= 10 {
		for _, c := range host {
			if c < '0' || c > '9' {
				return false
			}
		}
		return true
	}
	return false
}

// orgDomain is the organisational domain of host: the part someone had to
// register (example.co.uk for mail.example.co.uk), which is what DMARC
// compares. Hosts that are themselves public suffixes, such as nhs.uk where
// every trust registers its own name, keep the first label below the suffix.
func orgDomain(host string) string {
	host = normaliseHost(host)
	if host == "" || isIP(host) {
		return host
	}
	d, err := publicsuffix.EffectiveTLDPlusOne(host)
	if err != nil {
		return host
	}
	return d
}

// splitSuffix returns the registrable name and its public suffix:
// ("barclays", "co.uk") for barclays.co.uk.
func splitSuffix(domain string) (name, suffix string) {
	suffix, _ = publicsuffix.PublicSuffix(domain)
	if suffix == domain || !strings.HasSuffix(domain, "."+suffix) {
		// The domain is itself a suffix (nhs.uk, gov.uk): its name is its
		// first label.
		name, rest, ok := strings.Cut(domain, ".")
		if !ok {
			return domain, ""
		}
		return name, rest
	}
	name = strings.TrimSuffix(domain, "."+suffix)
	if i := strings.LastIndexByte(name, '.'); i >= 0 {
		name = name[i+1:]
	}
	return name, suffix
}

// under reports whether host is domain or one of its sub-domains.
func under(host, domain string) bool {
	return host == domain || strings.HasSuffix(host, "."+domain)
}

// skeleton folds characters that look alike (Cyrillic а and Latin a, rn and
// m, 0 and O) to one form, per Unicode TR39, so that lookalikes compare
// equal.
func skeleton(s string) string {
	if isASCII(s) {
		// Most names are plain ASCII, where folding works one character
		// at a time; a table made once avoids Unicode normalisation.
		var b strings.Builder
		b.Grow(len(s) + 4)
		for i := 0; i < len(s); i++ {
			b.WriteString(asciiSkeleton[s[i]])
		}
		return b.String()
	}
	return fullSkeleton(s)
}

func fullSkeleton(s string) string {
	// Fold before lowercasing too: the lowercase of Greek capital eta (Η)
	// is η, which looks like n, while Η itself looks like H.
	return strings.ToLower(confusables.Skeleton(strings.ToLower(confusables.Skeleton(s))))
}

var asciiSkeleton = func() (t [utf8.RuneSelf]string) {
	for c := range t {
		t[c] = fullSkeleton(string(rune(c)))
	}
	return t
}()

// protectedDomain is a domain that criminals imitate, with its parts worked
// out once.
type protectedDomain struct {
	domain   string // barclays.co.uk
	owner    string // Barclays, or "your organisation"
	name     string // barclays
	suffix   string // co.uk
	skelName string
	skelFull string
	squashed string // barclayscouk
}

func newProtected(domain, owner string) protectedDomain {
	domain = normaliseHost(domain)
	name, suffix := splitSuffix(domain)
	return protectedDomain{
		domain:   domain,
		owner:    owner,
		name:     name,
		suffix:   suffix,
		skelName: skeleton(name),
		skelFull: skeleton(domain),
		squashed: squash(domain),
	}
}

// squash drops dots and hyphens, so nhs-uk.com's name reads like nhs.uk.
func squash(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '.' || r == '-' {
			return -1
		}
		return r
	}, s)
}

// lookalike describes how a domain imitates a protected one.
type lookalike struct {
	target protectedDomain
	how    string // a plain-English phrase: "swaps letters for ones that look the same"
}

// findLookalike compares host against the protected domains and says which
// one it imitates, if any. A host under any protected domain is genuine.
func findLookalike(host string, protected []protectedDomain) (lookalike, bool) {
	host = normaliseHost(host)
	if host == "" || isIP(host) {
		return lookalike{}, false
	}
	for _, p := range protected {
		if under(host, p.domain) {
			return lookalike{}, false
		}
	}
	org := orgDomain(host)
	name, suffix := splitSuffix(org)
	uname := unicodeHost(name)
	skelName := skeleton(uname)
	skelFull := skeleton(unicodeHost(org))
	punycode := strings.Contains(org, "xn--")
	labels := "." + host + "."
	for _, p := range protected {
		switch {
		case skelFull == p.skelFull:
			how := "uses letters that look the same as the real ones"
			if punycode {
				how = "uses letters from another alphabet that look the same as the real ones"
			}
			return lookalike{p, how}, true
		case skelName == p.skelName && suffix != p.suffix && len(p.name) >= 3:
			return lookalike{p, "has the same name but a different ending"}, true
		case len(p.squashed) >= 5 && squash(unicodeHost(name)) == p.squashed:
			return lookalike{p, "joins up the parts of the real address"}, true
		case strings.Contains(labels, "."+p.domain+"."):
			return lookalike{p, "puts the real address at the start of a different one"}, true
		case hasToken(name, p.name) && len(p.name) >= 3:
			return lookalike{p, "adds words to the real name"}, true
		}
		if len(p.skelName) >= 4 && skelName != p.skelName {
			d := editDistance(skelName, p.skelName)
			if (d == 1 && (len(p.skelName) >= 6 || suffix == p.suffix)) || (d == 2 && len(p.skelName) >= 10) {
				return lookalike{p, "differs from the real name by a letter or two"}, true
			}
		}
	}
	return lookalike{}, false
}

// hasToken reports whether name, split at hyphens, contains token as a
// whole part: nhs-payroll has nhs, nhsemployers does not.
func hasToken(name, token string) bool {
	if !strings.Contains(name, "-") {
		return false
	}
	for part := range strings.SplitSeq(name, "-") {
		if part == token {
			return true
		}
	}
	return false
}

// editDistance is the optimal string alignment distance between a and b:
// insertions, deletions, substitutions and swaps of neighbours each cost one.
// Inputs are domain names, so it works on bytes and gives up early past 3.
func editDistance(a, b string) int {
	if a == b {
		return 0
	}
	if d := len(a) - len(b); d > 3 || d < -3 {
		return 4
	}
	prev2 := make([]int, len(b)+1)
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(b)]
}

// brandSet is the brands and protected domains one analysis uses, with the
// expensive parts (skeletons, suffix splits) worked out once.
type brandSet struct {
	brands    []brandNames
	protected []protectedDomain
}

type brandNames struct {
	Brand
	names []string // folded display names, see nameKey
	own   bool     // the organisation using Handwash
}

var (
	defaultSetOnce sync.Once
	defaultSet     *brandSet
)

func defaultBrandSet() *brandSet {
	defaultSetOnce.Do(func() { defaultSet = newBrandSet(DefaultBrands(), nil, "") })
	return defaultSet
}

func newBrandSet(brands []Brand, extra []protectedDomain, ownName string) *brandSet {
	s := &brandSet{}
	for i, b := range brands {
		bn := brandNames{Brand: b, own: ownName != "" && i == len(brands)-1}
		names := b.DisplayNames
		if len(names) == 0 {
			names = []string{b.Name}
		}
		for _, n := range names {
			if k := nameKey(n); k != "" {
				bn.names = append(bn.names, k)
			}
		}
		s.brands = append(s.brands, bn)
		owner := b.Name
		if bn.own {
			owner = ownOrganisation
		}
		for _, d := range b.Domains {
			if d = strings.TrimSpace(d); d != "" {
				s.protected = append(s.protected, newProtected(d, owner))
			}
		}
	}
	s.protected = append(s.protected, extra...)
	return s
}

// brandSetFor builds the set for opts, reusing the default one when the
// options add nothing.
func brandSetFor(opts Options) *brandSet {
	if opts.Brands == nil && len(opts.OrgDomains) == 0 && len(opts.Protected) == 0 && opts.OrgName == "" {
		return defaultBrandSet()
	}
	brands := opts.Brands
	if brands == nil {
		brands = DefaultBrands()
	}
	orgDomains := slices.DeleteFunc(slices.Clone(opts.OrgDomains), func(d string) bool { return freeMail[orgDomain(d)] })
	var extra []protectedDomain
	if opts.OrgName == "" {
		// Without a name the organisation is not a brand, but its domains
		// still deserve protection from lookalikes.
		for _, d := range orgDomains {
			if d = strings.TrimSpace(d); d != "" {
				extra = append(extra, newProtected(d, ownOrganisation))
			}
		}
	}
	for _, d := range opts.Protected {
		if d = strings.TrimSpace(d); d != "" {
			extra = append(extra, newProtected(d, d))
		}
	}
	if opts.OrgName != "" {
		brands = append(slices.Clone(brands), Brand{Name: opts.OrgName, Domains: orgDomains})
	}
	return newBrandSet(brands, extra, opts.OrgName)
}

const ownOrganisation = "your organisation"

// nameKey folds a display name or brand name for comparison: lookalike
// characters folded, lowercased, and everything but letters and digits
// turned into single spaces, padded so that " nhs " matches whole words.
func nameKey(s string) string {
	s = skeleton(s)
	var b strings.Builder
	b.WriteByte(' ')
	space := true
	for _, r := range s {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') || r > utf8.RuneSelf {
			b.WriteRune(r)
			space = false
		} else if !space {
			b.WriteByte(' ')
			space = true
		}
	}
	if !space {
		b.WriteByte(' ')
	}
	if b.Len() <= 1 {
		return ""
	}
	return b.String()
}
