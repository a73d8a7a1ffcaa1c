package phish

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"
)

// checkLinks looks at where each link goes.
func (a *analysis) checkLinks() {
	seen := map[string]bool{}
	for _, l := range a.m.links {
		key := l.href + "\x00" + l.text
		if seen[key] {
			continue
		}
		seen[key] = true
		a.checkLink(l, 0)
	}
}

// scripted are link schemes that run code or carry a whole page inside the
// link, instead of naming a website.
var scripted = []string{"javascript:", "vbscript:", "data:"}

// maxURL is the longest link looked at. Browsers accept longer, but no
// genuine link in mail needs more, and checks on a link grow with its
// length.
const maxURL = 4096

func (a *analysis) checkLink(l link, depth int) {
	href := strings.TrimSpace(l.href)
	if len(href) > maxURL {
		href = href[:maxURL]
	}
	lower := strings.ToLower(href)
	for _, s := range scripted {
		if strings.HasPrefix(lower, s) {
			a.add("link.script", 3, "A link runs code or carries a hidden web page instead of going to a website.", clip(href, 120))
			return
		}
	}
	if strings.HasPrefix(lower, "www.") {
		href = "http://" + href
	}
	u, err := url.Parse(href)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https" && u.Scheme != "ftp") {
		return
	}
	host := normaliseHost(u.Hostname())
	if host == "" || len(host) > 253 {
		// 253 characters is the most DNS allows.
		return
	}
	evidence := clip(href, 200)
	if l.text != "" && l.text != l.href {
		evidence = fmt.Sprintf("%s → %s", clip(l.text, 80), clip(href, 200))
	}

	// Mail services such as Microsoft's Safe Links rewrite every link to
	// pass through their scanner; judge the address inside instead.
	if inner := unwrap(u, host); inner != "" && depth < 3 {
		a.checkLink(link{href: inner, text: l.text, inHTML: l.inHTML}, depth+1)
		return
	}
	if target, ok := redirectTarget(u, host); ok {
		a.add("link.redirect", 2, "A link goes through "+host+", a service that forwards visitors to another address, so the link does not show where it really leads.", evidence)
		if target != "" && depth < 3 {
			a.checkLink(link{href: target}, depth+1)
		}
	}
	if u.User != nil {
		a.add("link.userinfo", 3, "A link puts a name before an @ sign in the address ("+clip(u.User.Username(), 40)+"@). Browsers ignore that part and go to "+host+".", evidence)
	}
	if isIP(host) {
		a.add("link.ip-address", 3, "A link goes to "+host+", a bare internet address with no name.", evidence)
	}
	if inSet(host, shorteners) {
		a.add("link.shortener", 2, "A link uses "+orgDomain(host)+", a link-shortening service, so you cannot see where it goes.", evidence)
	}
	if i := strings.LastIndexByte(host, '.'); i >= 0 && unusualTLDs[host[i+1:]] {
		a.add("link.unusual-tld", 1, "A link goes to a website ending in ."+host[i+1:]+".", evidence)
	}
	if lk, ok := findLookalike(host, a.brands.protected); ok {
		a.add("link.lookalike-domain", 5, fmt.Sprintf("A link goes to %s, which looks like %s (%s) but is not: it %s.",
			unicodeHost(orgDomain(host)), lk.target.domain, lk.target.owner, lk.how), evidence)
	}
	if l.inHTML {
		a.checkLinkText(l.text, host, evidence)
	}
	a.checkLinkPath(u, host, evidence)
}

// unwrap returns the address inside a link rewritten by the recipient's
// own mail service, or "".
func unwrap(u *url.URL, host string) string {
	switch {
	case strings.HasSuffix(host, ".safelinks.protection.outlook.com"):
		return u.Query().Get("url")
	case host == "urldefense.com" && strings.HasPrefix(u.Path, "/v3/__"):
		inner := strings.TrimPrefix(u.Path, "/v3/__")
		if i := strings.Index(inner, "__;"); i >= 0 {
			inner = inner[:i]
		} else {
			inner = strings.TrimSuffix(inner, "__")
		}
		return inner
	}
	return ""
}

// redirectTarget reports whether the link goes through an open redirector,
// and where to if the address says.
func redirectTarget(u *url.URL, host string) (string, bool) {
	for _, r := range redirectors {
		if !under(host, r.host) || !strings.HasPrefix(u.Path, r.path) {
			continue
		}
		q := u.Query()
		for _, k := range []string{"q", "url", "u"} {
			if v := q.Get(k); strings.HasPrefix(v, "http") {
				return v, true
			}
		}
		if r.path == "/amp/" {
			rest := strings.TrimPrefix(u.Path, "/amp/")
			if s, ok := strings.CutPrefix(rest, "s/"); ok {
				return "https://" + s, true
			}
			return "http://" + rest, true
		}
		return "", true
	}
	return "", false
}

// inSet reports whether host or any domain above it is in set.
func inSet(host string, set map[string]bool) bool {
	for {
		if set[host] {
			return true
		}
		i := strings.IndexByte(host, '.')
		if i < 0 {
			return false
		}
		host = host[i+1:]
	}
}

// shownAddress matches link text that is itself an address: what the reader
// believes they are clicking.
var shownAddress = regexp.MustCompile(`(?i)^(?:https?://)?((?:[a-z0-9\p{L}](?:[a-z0-9\p{L}-]*[a-z0-9\p{L}])?\.)+[a-z\p{L}]{2,63})(?:[:/?#]\S*)?$`)

// checkLinkText compares the address a link shows with where it goes.
func (a *analysis) checkLinkText(text, host, evidence string) {
	text = strings.TrimSpace(strings.Trim(strings.TrimSpace(text), "<>[]()\"'"))
	if text == "" || len(text) > 300 {
		return
	}
	if strings.HasPrefix(strings.ToLower(text), "mailto:") || strings.Contains(text, "@") {
		return
	}
	sm := shownAddress.FindStringSubmatch(text)
	if sm == nil {
		return
	}
	shown := normaliseHost(sm[1])
	// Text such as "Report.pdf" or "index.html" looks like an address but
	// has no real top-level domain.
	if suffixOf(shown) == "" {
		return
	}
	shownOrg, hostOrg := orgDomain(shown), orgDomain(host)
	if shownOrg == hostOrg {
		return
	}
	weight := 4
	detail := fmt.Sprintf("A link shows %s but goes to %s.", unicodeHost(shown), unicodeHost(host))
	if a.tracking[hostOrg] && !a.isProtected(shown) {
		// Newsletters send clicks through the sender's own counting
		// service; the sender's signature vouches for it.
		weight = 1
		detail = fmt.Sprintf("A link shows %s but goes through %s first, which the sender uses to count clicks.", unicodeHost(shown), unicodeHost(host))
	}
	a.add("link.text-mismatch", weight, detail, evidence)
}

// isProtected reports whether host is under one of the protected domains.
func (a *analysis) isProtected(host string) bool {
	for _, p := range a.brands.protected {
		if under(host, p.domain) {
			return true
		}
	}
	return false
}

// wpFolders are the program folders of WordPress, which runs a large part
// of the web and is the commonest home for pages planted by criminals.
var wpFolders = []string{"/wp-content/", "/wp-admin/", "/wp-includes/", "/.well-known/", "/cgi-bin/"}

var pageExt = []string{".php", ".htm", ".html", ".asp", ".aspx", ".jsp", ".cgi"}

// checkLinkPath looks at what the address after the domain says about the
// page: a sign-in page, named after a well-known service, hidden in a
// website's program folders.
func (a *analysis) checkLinkPath(u *url.URL, host, evidence string) {
	hostOrg := orgDomain(host)
	if hostOrg == a.fromOrg && a.fromOrg != "" {
		// A sender linking to its own website's sign-in page is normal.
		return
	}
	path := strings.ToLower(u.EscapedPath())
	if p, err := url.PathUnescape(path); err == nil {
		path = p
	}
	words := pathWords(path)
	// Words in the host below the registered name count too:
	// office365.login.example.com.
	if sub := strings.TrimSuffix(host, hostOrg); sub != host {
		words = append(words, pathWords(sub)...)
	}
	signIn, brand := "", ""
	for i, w := range words {
		if signInWords[w] && signIn == "" {
			signIn = w
		}
		if i+1 < len(words) && signInWords[w+words[i+1]] && signIn == "" {
			signIn = w + "-" + words[i+1] // sign-in, log-in
		}
		if b, ok := signInBrands[w]; ok && brand == "" && !underAny(host, b.domains) {
			brand = b.name
		}
	}
	switch {
	case signIn != "" && brand != "":
		a.add("link.fake-sign-in", 4, fmt.Sprintf("A link goes to a page that names %s and looks like a sign-in page, but it is on %s, which is not a website of %s.", brand, hostOrg, brand), evidence)
	case signIn != "":
		a.add("link.sign-in-page", 2, fmt.Sprintf("A link goes to what looks like a sign-in or account-check page on %s, a website that has nothing to do with the sender.", hostOrg), evidence)
	}
	for _, f := range wpFolders {
		if !strings.Contains(path, f) {
			continue
		}
		page := strings.HasSuffix(path, "/") && f != "/wp-content/"
		for _, e := range pageExt {
			page = page || strings.HasSuffix(path, e)
		}
		if page && !strings.Contains(path, "/.well-known/acme-challenge/") {
			a.add("link.compromised-site", 2, fmt.Sprintf("A link goes to a page inside the program folders of %s (%s).", hostOrg, strings.Trim(f, "/")), evidence)
		}
		break
	}
}

// pathWords splits a path or host into lowercase words of letters and
// digits.
func pathWords(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool {
		return (r < 'a' || r > 'z') && (r < '0' || r > '9')
	})
}

func underAny(host string, domains []string) bool {
	for _, d := range domains {
		if under(host, d) {
			return true
		}
	}
	return false
}

// suffixOf returns the public suffix of host, or "" when it has none that
// is real (as with file names such as report.pdf). The names reserved for
// examples and tests (RFC 2606) count as real.
func suffixOf(host string) string {
	s, icann := publicSuffix(host)
	if !icann && !strings.Contains(s, ".") && s != "example" && s != "test" {
		return ""
	}
	return s
}

// checkForms looks for boxes to type into, which genuine mail does not
// have.
func (a *analysis) checkForms() {
	for _, f := range a.m.forms {
		action := strings.TrimSpace(f.action)
		target := ""
		if u, err := url.Parse(action); err == nil && u.Host != "" {
			target = orgDomain(u.Hostname())
		}
		if f.password {
			ev := "a password box"
			if action != "" {
				ev += ", sent to " + clip(action, 200)
			}
			a.add("html.password-form", 5, "The message contains a box to type a password into.", ev)
		}
		switch {
		case f.inputs == 0:
		case target != "" && target != a.fromOrg:
			a.add("html.form", 3, fmt.Sprintf("The message contains a form with %d boxes to fill in, and what you type goes to %s.", f.inputs, target), "form action: "+clip(action, 200))
		default:
			a.add("html.form", 1, fmt.Sprintf("The message contains a form with %d boxes to fill in.", f.inputs), "form action: "+clip(action, 200))
		}
	}
}
