package mailauth

import (
	"fmt"
	"strings"
)

// tag is one name=value pair of a DKIM or DMARC tag-list.
type tag struct {
	Name, Value string
}

// parseTagList reads the tag=value; syntax that DKIM (RFC 6376 section 3.2)
// and DMARC (RFC 7489 section 6.4) share. It keeps the tags in order and
// rejects duplicates, which RFC 6376 says make the whole list invalid; it is
// strict about names and lenient about values, which each caller checks.
func parseTagList(s string) ([]tag, error) {
	var tags []tag
	seen := make(map[string]bool)
	parts := strings.Split(s, ";")
	for i, part := range parts {
		part = trimFWS(part)
		if part == "" {
			// An empty last part is the optional trailing ";"; an empty one
			// elsewhere is ";;", which the grammar does not allow.
			if i == len(parts)-1 {
				continue
			}
			return tags, fmt.Errorf("empty tag (two semicolons together) at position %d", i+1)
		}
		name, value, ok := strings.Cut(part, "=")
		if !ok {
			return tags, fmt.Errorf("%q is not of the form name=value", clip(part))
		}
		name, value = trimFWS(name), trimFWS(value)
		if !validTagName(name) {
			return tags, fmt.Errorf("%q is not a valid tag name", clip(name))
		}
		if seen[name] {
			return tags, fmt.Errorf("tag %q is given more than once", name)
		}
		seen[name] = true
		tags = append(tags, tag{Name: name, Value: value})
	}
	return tags, nil
}

// validTagName is ALPHA *(ALPHA / DIGIT / "_").
func validTagName(s string) bool {
	if s == "" || !isAlpha(s[0]) {
		return false
	}
	for i := 1; i < len(s); i++ {
		if !isAlpha(s[i]) && !isDigit(s[i]) && s[i] != '_' {
			return false
		}
	}
	return true
}

// trimFWS removes folding white space: the spaces, tabs and line breaks a
// record may carry around its tags, especially when pasted from a guide.
func trimFWS(s string) string { return strings.Trim(s, " \t\r\n") }

// removeFWS drops every white-space character, as DKIM's base64 key data
// may be split across lines or character-strings.
func removeFWS(s string) string {
	return strings.Map(func(r rune) rune {
		switch r {
		case ' ', '\t', '\r', '\n':
			return -1
		}
		return r
	}, s)
}

func isAlpha(b byte) bool { return 'a' <= b && b <= 'z' || 'A' <= b && b <= 'Z' }
func isDigit(b byte) bool { return '0' <= b && b <= '9' }

// clip shortens text quoted back in an error, so a hostile record cannot
// fill a report.
func clip(s string) string {
	const max = 60
	if len(s) <= max {
		return s
	}
	return strings.ToValidUTF8(s[:max], "") + "…"
}
