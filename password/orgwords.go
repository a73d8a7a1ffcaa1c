//go:build !js

package password

import (
	"strings"
	"unicode"

	"golang.org/x/net/publicsuffix"
)

// OrgWords returns the words an attacker targeting an organisation would
// try first, for Strength's userInputs: its name run together and word by
// word ("Rose Court Care Home": rosecourtcarehome, rose, court, care,
// home), and the names in its web and mail domains without the public
// suffix (rosecourt.co.uk, www.rose-court.nhs.uk: rosecourt, rose-court,
// rose, court). Domains may be given as addresses or URLs.
func OrgWords(name string, domains ...string) []string {
	var out []string
	seen := map[string]bool{}
	add := func(w string) {
		w = strings.ToLower(w)
		if len([]rune(w)) >= 3 && !seen[w] {
			seen[w] = true
			out = append(out, w)
		}
	}
	words := strings.FieldsFunc(name, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	add(strings.Join(words, ""))
	for _, d := range domains {
		for _, label := range domainLabels(d) {
			add(strings.ReplaceAll(label, "-", ""))
			add(label)
		}
	}
	for _, w := range words {
		add(w)
	}
	for _, d := range domains {
		for _, label := range domainLabels(d) {
			for _, part := range strings.Split(label, "-") {
				add(part)
			}
		}
	}
	return out
}

// domainLabels is the labels of a domain (or URL or mail address) before
// its public suffix, without www.
func domainLabels(d string) []string {
	d = strings.ToLower(strings.TrimSpace(d))
	if i := strings.Index(d, "://"); i >= 0 {
		d = d[i+3:]
	}
	if i := strings.LastIndex(d, "@"); i >= 0 {
		d = d[i+1:]
	}
	if i := strings.IndexAny(d, "/:?#"); i >= 0 {
		d = d[:i]
	}
	d = strings.Trim(d, ".")
	if d == "" {
		return nil
	}
	if suffix, _ := publicsuffix.PublicSuffix(d); suffix != d {
		d = strings.TrimSuffix(d, "."+suffix)
	}
	var out []string
	for _, l := range strings.Split(d, ".") {
		if l != "" && l != "www" && l != "mail" {
			out = append(out, l)
		}
	}
	return out
}
