package mailauth

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// MTA-STS modes (RFC 8461 section 5).
const (
	ModeEnforce = "enforce"
	ModeTesting = "testing"
	ModeNone    = "none"
)

// maxPolicyAge is the largest max_age RFC 8461 allows: about a year.
const maxPolicyAge = 31557600

// MTASTSRecord is the _mta-sts TXT record (RFC 8461 section 3.1).
type MTASTSRecord struct {
	// ID changes whenever the policy does, telling senders to fetch it again.
	ID string `json:"id"`
}

// ParseMTASTSRecord reads an _mta-sts TXT record.
func ParseMTASTSRecord(txt string) (MTASTSRecord, error) {
	var r MTASTSRecord
	fields, err := parseSemicolonFields(txt, "v=STSv1")
	if err != nil {
		return r, err
	}
	for _, f := range fields {
		if !validExtName(f.Name) {
			return r, fmt.Errorf("%q is not a valid field name", clip(f.Name))
		}
		if !validFieldValue(f.Value) {
			return r, fmt.Errorf("the value of %s has a character the record may not hold", f.Name)
		}
		if f.Name != "id" {
			continue // unknown fields are for future use (RFC 8461 section 3.1)
		}
		if r.ID != "" {
			return r, errors.New("id is given more than once")
		}
		if f.Value == "" || len(f.Value) > 32 || !isAlnum(f.Value) {
			return r, fmt.Errorf("id %q must be 1 to 32 letters and digits", clip(f.Value))
		}
		r.ID = f.Value
	}
	if r.ID == "" {
		return r, errors.New("no id field")
	}
	return r, nil
}

// MTASTSPolicy is the policy file served at
// https://mta-sts.<domain>/.well-known/mta-sts.txt (RFC 8461 section 3.2).
type MTASTSPolicy struct {
	Version string `json:"version"`
	// Mode is enforce, testing or none.
	Mode string `json:"mode"`
	// MX lists the patterns of the mail servers senders may deliver to.
	MX []string `json:"mx"`
	// MaxAge is how many seconds senders may keep the policy.
	MaxAge int `json:"max_age"`
}

// ParseMTASTSPolicy reads an MTA-STS policy file. Unknown fields are
// ignored and only the first of a repeated field counts, so that a policy
// written for a later version still reads.
func ParseMTASTSPolicy(text string) (MTASTSPolicy, error) {
	var p MTASTSPolicy
	var haveAge bool
	for n, line := range strings.Split(text, "\n") {
		line = strings.TrimSuffix(line, "\r")
		if strings.TrimSpace(line) == "" {
			continue
		}
		key, value, ok := strings.Cut(line, ":")
		if !ok {
			return p, fmt.Errorf("line %d: %q is not of the form key: value", n+1, clip(line))
		}
		value = strings.TrimRight(strings.TrimLeft(value, " \t"), " \t")
		if !validExtName(key) {
			return p, fmt.Errorf("line %d: %q is not a valid field name", n+1, clip(key))
		}
		if value == "" {
			return p, fmt.Errorf("line %d: %s has no value", n+1, key)
		}
		if !printableASCII(value) {
			return p, fmt.Errorf("line %d: %s has characters a policy may not hold", n+1, key)
		}
		switch key {
		case "version":
			if p.Version == "" {
				p.Version = value
			}
		case "mode":
			if p.Mode == "" {
				p.Mode = value
			}
		case "max_age":
			if haveAge {
				continue
			}
			if len(value) > 10 || !allDigits(value) {
				return p, fmt.Errorf("line %d: max_age %q is not a number of seconds", n+1, clip(value))
			}
			age, _ := strconv.Atoi(value)
			if age > maxPolicyAge {
				return p, fmt.Errorf("line %d: max_age %d is over the limit of %d seconds (a year)", n+1, age, maxPolicyAge)
			}
			p.MaxAge, haveAge = age, true
		case "mx":
			pat := strings.ToLower(strings.TrimSuffix(value, "."))
			if !validMXPattern(pat) {
				return p, fmt.Errorf("line %d: mx %q is not a host name or *.pattern", n+1, clip(value))
			}
			p.MX = append(p.MX, pat)
		}
	}
	switch {
	case p.Version == "":
		return p, errors.New("no version line")
	case p.Version != "STSv1":
		return p, fmt.Errorf("version %q is not STSv1", clip(p.Version))
	case p.Mode == "":
		return p, errors.New("no mode line")
	case p.Mode != ModeEnforce && p.Mode != ModeTesting && p.Mode != ModeNone:
		return p, fmt.Errorf("mode %q is not enforce, testing or none", clip(p.Mode))
	case !haveAge:
		return p, errors.New("no max_age line")
	case len(p.MX) == 0 && p.Mode != ModeNone:
		return p, errors.New("no mx lines: senders would have nowhere to deliver")
	}
	return p, nil
}

// MatchMX reports whether host (a real MX host name) is allowed by the
// policy's patterns. A "*." pattern matches exactly one leftmost label
// (RFC 8461 section 4.1), so *.example.com covers mx1.example.com but
// neither example.com nor a.mx1.example.com.
func (p MTASTSPolicy) MatchMX(host string) bool {
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	for _, pat := range p.MX {
		if suffix, ok := strings.CutPrefix(pat, "*."); ok {
			label, rest, found := strings.Cut(host, ".")
			if found && label != "" && rest == suffix {
				return true
			}
		} else if host == pat {
			return true
		}
	}
	return false
}

// semicolonField is one name=value of an STS or TLS-RPT record.
type semicolonField struct{ Name, Value string }

// parseSemicolonFields reads the "v=X; name=value; ..." syntax of MTA-STS
// and TLS-RPT records, which must begin with the version given.
func parseSemicolonFields(txt, version string) ([]semicolonField, error) {
	parts := strings.Split(txt, ";")
	if strings.TrimRight(parts[0], " \t") != version {
		return nil, fmt.Errorf("the record must begin with %q", version+";")
	}
	if len(parts) == 1 {
		return nil, fmt.Errorf("nothing follows %q", version)
	}
	var fields []semicolonField
	for i, part := range parts[1:] {
		part = strings.Trim(part, " \t")
		if part == "" {
			if i == len(parts)-2 {
				continue // the optional trailing ";"
			}
			return nil, errors.New("empty field (two semicolons together)")
		}
		name, value, ok := strings.Cut(part, "=")
		if !ok {
			return nil, fmt.Errorf("%q is not of the form name=value", clip(part))
		}
		fields = append(fields, semicolonField{Name: name, Value: value})
	}
	return fields, nil
}

// validExtName is (ALPHA / DIGIT) *31(ALPHA / DIGIT / "_" / "-" / "."),
// the field names of MTA-STS and TLS-RPT.
func validExtName(s string) bool {
	if s == "" || len(s) > 32 || !(isAlpha(s[0]) || isDigit(s[0])) {
		return false
	}
	for i := 1; i < len(s); i++ {
		c := s[i]
		if !isAlpha(c) && !isDigit(c) && c != '_' && c != '-' && c != '.' {
			return false
		}
	}
	return true
}

// validMXPattern accepts a host name, optionally with one leading "*.".
func validMXPattern(s string) bool {
	s = strings.TrimPrefix(s, "*.")
	return validHostname(s)
}

// validFieldValue is 1*(%x21-3A / %x3C / %x3E-7E): printable ASCII with
// no space, ";" or "=", so a space inside a value is caught as a mistake.
func validFieldValue(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x21 || c > 0x7e || c == '=' || c == ';' {
			return false
		}
	}
	return true
}

func isAlnum(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isAlpha(s[i]) && !isDigit(s[i]) {
			return false
		}
	}
	return true
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return true
}

// printableASCII allows visible characters and inner spaces, as policy
// values (sts-policy-vchar *(*WSP sts-policy-vchar)) do.
func printableASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; (c < 0x21 || c > 0x7e) && c != ' ' && c != '\t' {
			return false
		}
	}
	return true
}
