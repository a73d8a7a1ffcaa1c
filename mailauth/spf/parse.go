package spf

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"
)

// Qualifier says what a mechanism's match means: '+' pass, '-' fail, '~' softfail or '?' neutral.
type Qualifier byte

// The qualifiers of RFC 7208 section 4.6.2.
const (
	QualifierPass     Qualifier = '+'
	QualifierFail     Qualifier = '-'
	QualifierSoftFail Qualifier = '~'
	QualifierNeutral  Qualifier = '?'
)

// String gives the qualifier as written in a record.
func (q Qualifier) String() string { return string(q) }

// Verdict gives the result a match of a mechanism with this qualifier produces.
func (q Qualifier) Verdict() Verdict {
	switch q {
	case QualifierFail:
		return Fail
	case QualifierSoftFail:
		return SoftFail
	case QualifierNeutral:
		return Neutral
	default:
		return Pass
	}
}

// Term is one mechanism or modifier of a record.
type Term struct {
	// Pos is the term's place in the record: 1 for the first term after "v=spf1".
	Pos int
	// Offset is the byte offset of the term in the record text.
	Offset int
	// Text is the term as written.
	Text string
	// Modifier is true for name=value terms (redirect, exp and unknown ones), false for mechanisms.
	Modifier bool
	// Qualifier is a mechanism's qualifier, '+' when none is written; zero for modifiers.
	Qualifier Qualifier
	// Name is the mechanism's name in lower case (all, include, a, mx, ptr, ip4, ip6, exists) or the modifier's name in lower case.
	Name string
	// Domain is the domain-spec as written, macros unexpanded, for include, a, mx, ptr, exists, redirect and exp; empty when a, mx or ptr leave it out.
	Domain string
	// Prefix is the network of an ip4 or ip6 mechanism.
	Prefix netip.Prefix
	// CIDR4 and CIDR6 are the prefix lengths of an a or mx mechanism (32 and 128 unless written).
	CIDR4, CIDR6 int
	// Value is a modifier's value as written.
	Value string

	macro macroString // Domain or Value, parsed
}

// QueriesDNS reports whether evaluating the term asks the DNS, so counts against the limit of 10 (RFC 7208 section 4.6.4).
func (t *Term) QueriesDNS() bool {
	switch t.Name {
	case "include", "a", "mx", "ptr", "exists":
		return !t.Modifier
	case "redirect":
		return t.Modifier
	}
	return false
}

// Record is a parsed SPF record.
type Record struct {
	// Text is the record as published.
	Text string
	// Terms are the mechanisms and modifiers in the order written.
	Terms []Term
}

// Redirect gives the redirect modifier, or nil.
func (r *Record) Redirect() *Term { return r.modifier("redirect") }

// Exp gives the exp modifier, or nil.
func (r *Record) Exp() *Term { return r.modifier("exp") }

// All gives the first all mechanism, or nil.
func (r *Record) All() *Term {
	for i := range r.Terms {
		if t := &r.Terms[i]; !t.Modifier && t.Name == "all" {
			return t
		}
	}
	return nil
}

func (r *Record) modifier(name string) *Term {
	for i := range r.Terms {
		if t := &r.Terms[i]; t.Modifier && t.Name == name {
			return t
		}
	}
	return nil
}

// SyntaxError says what is wrong with a record and where, naming the term by its place and text.
type SyntaxError struct {
	// Pos is the term's place (1 for the first after "v=spf1"), 0 for the record as a whole.
	Pos int
	// Offset is the byte offset in the record where the problem is.
	Offset int
	// Term is the term as written.
	Term string
	// Msg says what is wrong, in plain English.
	Msg string
}

// Error gives, for example, `term 3 "ip4:1.2.3.4/33": CIDR length 33 is more than 32`.
func (e *SyntaxError) Error() string {
	if e.Pos == 0 {
		return e.Msg
	}
	return fmt.Sprintf("term %d %q: %s", e.Pos, e.Term, e.Msg)
}

// IsSPF reports whether a TXT record is an SPF version 1 record: "v=spf1" in any case, then a space or the end (RFC 7208 section 4.5).
func IsSPF(txt string) bool {
	return len(txt) >= 6 && strings.EqualFold(txt[:6], "v=spf1") && (len(txt) == 6 || txt[6] == ' ')
}

// Parse checks a whole record against the grammar of RFC 7208 (sections 4.6, 5, 6, 7 and 12) and gives its terms; any error makes the record a permerror.
func Parse(record string) (*Record, error) {
	if !IsSPF(record) {
		return nil, &SyntaxError{Msg: `the record does not start with "v=spf1" followed by a space`}
	}
	rec := &Record{Text: record}
	pos := 0
	for i := 6; i < len(record); {
		if record[i] == ' ' {
			i++
			continue
		}
		j := strings.IndexByte(record[i:], ' ')
		if j < 0 {
			j = len(record)
		} else {
			j += i
		}
		pos++
		t, err := parseTerm(record[i:j], pos, i)
		if err != nil {
			return nil, err
		}
		rec.Terms = append(rec.Terms, t)
		i = j
	}
	var redirect, exp *Term
	for i := range rec.Terms {
		t := &rec.Terms[i]
		if !t.Modifier {
			continue
		}
		switch t.Name {
		case "redirect":
			if redirect != nil {
				return nil, t.errorf(0, "redirect appears twice (first as term %d); a record may have only one", redirect.Pos)
			}
			redirect = t
		case "exp":
			if exp != nil {
				return nil, t.errorf(0, "exp appears twice (first as term %d); a record may have only one", exp.Pos)
			}
			exp = t
		}
	}
	return rec, nil
}

func (t *Term) errorf(off int, format string, args ...any) *SyntaxError {
	return &SyntaxError{Pos: t.Pos, Offset: t.Offset + off, Term: t.Text, Msg: fmt.Sprintf(format, args...)}
}

// parseTerm parses one term; off is its byte offset in the record.
func parseTerm(s string, pos, off int) (Term, error) {
	t := Term{Pos: pos, Offset: off, Text: s}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x21 || c > 0x7e {
			return t, t.errorf(i, "byte 0x%02x at offset %d is not printable ASCII; terms are separated by single spaces and hold only printable ASCII", c, i)
		}
	}
	if eq := strings.IndexByte(s, '='); eq >= 0 && isModifierName(s[:eq]) {
		return t, parseModifier(&t, s[:eq], s[eq+1:])
	}
	return t, parseMechanism(&t, s)
}

// isModifierName reports whether s is a modifier name: ALPHA *( ALPHA / DIGIT / "-" / "_" / "." ).
func isModifierName(s string) bool {
	if s == "" || !isAlpha(s[0]) {
		return false
	}
	for i := 1; i < len(s); i++ {
		c := s[i]
		if !isAlpha(c) && !isDigit(c) && c != '-' && c != '_' && c != '.' {
			return false
		}
	}
	return true
}

func parseModifier(t *Term, name, value string) error {
	t.Modifier = true
	t.Name = strings.ToLower(name)
	t.Value = value
	valueOff := len(name) + 1
	var err error
	switch t.Name {
	case "redirect", "exp":
		if value == "" {
			return t.errorf(valueOff, "%s needs a domain, as in %s=_spf.example.com", t.Name, t.Name)
		}
		t.Domain = value
		t.macro, err = parseDomainSpec(value)
	default:
		// Unknown modifiers are ignored, but their value must still be a
		// valid macro-string (RFC 7208 section 6 and appendix A).
		t.macro, err = parseMacroString(value, true, false)
	}
	if err != nil {
		return termMacroError(t, valueOff, err)
	}
	return nil
}

func termMacroError(t *Term, off int, err error) error {
	if me, ok := err.(*macroError); ok {
		return t.errorf(off+me.off, "%s", me.msg)
	}
	return t.errorf(off, "%v", err)
}

func parseMechanism(t *Term, s string) error {
	i := 0
	t.Qualifier = QualifierPass
	switch s[0] {
	case '+', '-', '~', '?':
		t.Qualifier = Qualifier(s[0])
		i = 1
	}
	j := i
	for j < len(s) && (isAlpha(s[j]) || j > i && isDigit(s[j])) {
		j++
	}
	t.Name = strings.ToLower(s[i:j])
	rest := s[j:]
	if t.Name == "" {
		return t.errorf(i, "%q is not a mechanism or a modifier", s)
	}
	if rest != "" && rest[0] != ':' && rest[0] != '/' {
		if _, known := mechanisms[t.Name]; known {
			return t.errorf(j, "%q cannot follow %q; a mechanism's name is followed by \":\", \"/\" or a space", rest[:1], t.Name)
		}
		return t.errorf(i, "%q is not a mechanism or a modifier", s[i:])
	}
	if _, known := mechanisms[t.Name]; !known {
		if t.Name == "redirect" || t.Name == "exp" {
			return t.errorf(i, "%s is a modifier and is written with \"=\", as in %s=_spf.example.com", t.Name, t.Name)
		}
		return t.errorf(i, "unknown mechanism %q; the mechanisms are all, include, a, mx, ptr, ip4, ip6 and exists", t.Name)
	}
	switch t.Name {
	case "all":
		if rest != "" {
			return t.errorf(j, "all takes no domain or CIDR length")
		}
	case "include", "exists":
		if rest == "" || rest[0] != ':' || len(rest) == 1 {
			return t.errorf(j, "%s needs a domain, as in %s:example.com", t.Name, t.Name)
		}
		t.Domain = rest[1:]
		m, err := parseDomainSpec(t.Domain)
		if err != nil {
			return termMacroError(t, j+1, err)
		}
		t.macro = m
	case "ptr":
		if rest != "" {
			if rest[0] != ':' {
				return t.errorf(j, "ptr takes no CIDR length")
			}
			if len(rest) == 1 {
				return t.errorf(j, "ptr: needs a domain after the colon, or no colon")
			}
			t.Domain = rest[1:]
			m, err := parseDomainSpec(t.Domain)
			if err != nil {
				return termMacroError(t, j+1, err)
			}
			t.macro = m
		}
	case "a", "mx":
		t.CIDR4, t.CIDR6 = 32, 128
		spec, c4, c6, err := splitDualCIDR(rest)
		if err != nil {
			return t.errorf(j, "%s", err)
		}
		if c4 >= 0 {
			t.CIDR4 = c4
		}
		if c6 >= 0 {
			t.CIDR6 = c6
		}
		if spec != "" {
			if spec[0] != ':' {
				return t.errorf(j, "%q is not a CIDR length; write %s/24, %s//64 or %s/24//64", spec, t.Name, t.Name, t.Name)
			}
			if len(spec) == 1 {
				return t.errorf(j, "%s: needs a domain after the colon, or no colon", t.Name)
			}
			t.Domain = spec[1:]
			m, err := parseDomainSpec(t.Domain)
			if err != nil {
				return termMacroError(t, j+1, err)
			}
			t.macro = m
		}
	case "ip4", "ip6":
		if rest == "" || rest[0] != ':' || len(rest) == 1 {
			return t.errorf(j, "%s needs an address, as in %s", t.Name, map[string]string{"ip4": "ip4:192.0.2.0/24", "ip6": "ip6:2001:db8::/32"}[t.Name])
		}
		p, err := parseIPNetwork(t.Name, rest[1:])
		if err != nil {
			return t.errorf(j+1, "%s", err)
		}
		t.Prefix = p
	}
	return nil
}

var mechanisms = map[string]struct{}{
	"all": {}, "include": {}, "a": {}, "mx": {}, "ptr": {}, "ip4": {}, "ip6": {}, "exists": {},
}

// splitDualCIDR takes a trailing dual-cidr-length ("/24", "//64", "/24//64") off s, giving -1 for lengths not written.
func splitDualCIDR(s string) (rest string, c4, c6 int, err error) {
	c4, c6 = -1, -1
	rest = s
	if n, i, ok := trailingCIDR(rest); ok && i >= 1 && rest[i-1] == '/' {
		if c6, err = cidrLength(n, 128); err != nil {
			return "", 0, 0, err
		}
		rest = rest[:i-1]
	}
	if n, i, ok := trailingCIDR(rest); ok {
		if c4, err = cidrLength(n, 32); err != nil {
			return "", 0, 0, err
		}
		rest = rest[:i]
	}
	return rest, c4, c6, nil
}

// trailingCIDR finds a "/" followed by only digits at the end of s, giving the index of the slash.
func trailingCIDR(s string) (digits string, slash int, ok bool) {
	i := len(s)
	for i > 0 && isDigit(s[i-1]) {
		i--
	}
	if i == len(s) || i == 0 || s[i-1] != '/' {
		return "", 0, false
	}
	return s[i:], i - 1, true
}

func cidrLength(s string, max int) (int, error) {
	if len(s) > 1 && s[0] == '0' {
		return 0, fmt.Errorf("CIDR length %s has a leading zero", s)
	}
	if len(s) > 3 {
		return 0, fmt.Errorf("CIDR length %s is more than %d", s, max)
	}
	n, _ := strconv.Atoi(s)
	if n > max {
		return 0, fmt.Errorf("CIDR length %d is more than %d", n, max)
	}
	return n, nil
}

// parseIPNetwork parses the "1.2.3.0/24" after ip4: or ip6:.
func parseIPNetwork(mech, s string) (netip.Prefix, error) {
	addr, length := s, ""
	max := 32
	if mech == "ip6" {
		max = 128
	}
	if i := strings.IndexByte(s, '/'); i >= 0 {
		addr, length = s[:i], s[i+1:]
		if length == "" || strings.Trim(length, "0123456789") != "" {
			return netip.Prefix{}, fmt.Errorf("%q is not a CIDR length; write a number after one slash, as in %s:%s/%d", length, mech, addr, max-8)
		}
	}
	ip, err := netip.ParseAddr(addr)
	if err != nil || ip.Zone() != "" {
		if mech == "ip4" {
			return netip.Prefix{}, fmt.Errorf("%q is not an IPv4 address; write all four numbers, as in 192.0.2.1", addr)
		}
		return netip.Prefix{}, fmt.Errorf("%q is not an IPv6 address", addr)
	}
	if mech == "ip4" && !ip.Is4() {
		return netip.Prefix{}, fmt.Errorf("%q is not an IPv4 address; use ip6: for IPv6", addr)
	}
	if mech == "ip6" && !ip.Is6() {
		return netip.Prefix{}, fmt.Errorf("%q is not an IPv6 address; use ip4: for IPv4", addr)
	}
	bits := max
	if length != "" {
		if bits, err = cidrLength(length, max); err != nil {
			return netip.Prefix{}, err
		}
	}
	return ip.Prefix(bits)
}

func isAlpha(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }
func isDigit(c byte) bool { return '0' <= c && c <= '9' }
