package spf

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"time"
)

// macroToken is a literal run or one macro of a macro-string (RFC 7208 section 7.1).
type macroToken struct {
	lit     string // the text of a literal, or of %% %_ %-
	letter  byte   // lower-case macro letter; 0 for literals
	expand  bool   // a macro-expand in the grammar: %{...}, %%, %_ or %-
	upper   bool   // written in upper case: URL-escape the result
	digits  int    // keep this many right-hand parts; 0 keeps all
	reverse bool
	delims  string // split on these; "" means "."
}

type macroString []macroToken

type macroError struct {
	off int
	msg string
}

func (e *macroError) Error() string { return e.msg }

// parseMacroString parses a macro-string; explanation allows spaces and the letters c, r and t, which only explanation strings may use (section 7.2).
func parseMacroString(s string, allowCRT, explanation bool) (macroString, error) {
	var out macroString
	lit := strings.Builder{}
	flush := func() {
		if lit.Len() > 0 {
			out = append(out, macroToken{lit: lit.String()})
			lit.Reset()
		}
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '%' {
			if c < 0x21 || c > 0x7e {
				if !(explanation && c == ' ') {
					return nil, &macroError{i, fmt.Sprintf("byte 0x%02x at offset %d is not printable ASCII", c, i)}
				}
			}
			lit.WriteByte(c)
			continue
		}
		if i+1 >= len(s) {
			return nil, &macroError{i, `a "%" at the end must be written "%%"`}
		}
		switch s[i+1] {
		case '%', '_', '-':
			flush()
			out = append(out, macroToken{lit: map[byte]string{'%': "%", '_': " ", '-': "%20"}[s[i+1]], expand: true})
			i++
			continue
		case '{':
		default:
			return nil, &macroError{i, fmt.Sprintf(`"%%%c" is not a macro; "%%" must be followed by "{", "%%", "_" or "-" (write "%%%%" for a percent sign)`, s[i+1])}
		}
		end := strings.IndexByte(s[i:], '}')
		if end < 0 {
			return nil, &macroError{i, `a macro opened with "%{" is not closed with "}"`}
		}
		tok, err := parseMacroBody(s[i+2:i+end], allowCRT)
		if err != nil {
			return nil, &macroError{i, fmt.Sprintf("macro %q: %s", s[i:i+end+1], err)}
		}
		flush()
		out = append(out, tok)
		i += end
	}
	flush()
	return out, nil
}

// parseMacroBody parses what is between "%{" and "}": a letter, transformers, delimiters.
func parseMacroBody(b string, allowCRT bool) (macroToken, error) {
	if b == "" {
		return macroToken{}, fmt.Errorf("no macro letter")
	}
	tok := macroToken{expand: true}
	l := b[0]
	tok.upper = 'A' <= l && l <= 'Z'
	l |= 0x20
	switch l {
	case 's', 'l', 'o', 'd', 'i', 'p', 'v', 'h':
	case 'c', 'r', 't':
		if !allowCRT {
			return tok, fmt.Errorf("the letter %q may only be used in explanation text", string(b[0]))
		}
	default:
		return tok, fmt.Errorf("%q is not a macro letter (s, l, o, d, i, p, v, h, and c, r, t in explanations)", string(b[0]))
	}
	tok.letter = l
	i := 1
	for i < len(b) && isDigit(b[i]) {
		i++
	}
	if i > 1 {
		d := b[1:i]
		n, err := strconv.Atoi(d)
		if err != nil || n > 1000 {
			n = 1000 // more parts than any name can have
		}
		if strings.Trim(d, "0") == "" {
			return tok, fmt.Errorf("the number of parts to keep must not be zero")
		}
		tok.digits = n
	}
	if i < len(b) && (b[i] == 'r' || b[i] == 'R') {
		tok.reverse = true
		i++
	}
	for ; i < len(b); i++ {
		if !strings.ContainsRune(".-+,/_=", rune(b[i])) {
			return tok, fmt.Errorf("%q is not a delimiter (. - + , / _ =)", string(b[i]))
		}
		tok.delims += b[i : i+1]
	}
	return tok, nil
}

// parseDomainSpec parses a domain-spec: a macro-string ending in a macro or in "." and a top-level label (section 7.1).
func parseDomainSpec(s string) (macroString, error) {
	m, err := parseMacroString(s, false, false)
	if err != nil {
		return nil, err
	}
	if len(m) > 0 && m[len(m)-1].expand {
		return m, nil
	}
	// The literal run after the last macro must be "." toplabel ["."].
	tail := ""
	if len(m) > 0 {
		tail = m[len(m)-1].lit
	}
	t := strings.TrimSuffix(tail, ".")
	dot := strings.LastIndexByte(t, '.')
	if dot < 0 {
		return nil, &macroError{0, fmt.Sprintf("%q is not a valid domain: it must end in a dot and a top-level label, as in example.com", s)}
	}
	if top := t[dot+1:]; !isTopLabel(top) {
		return nil, &macroError{0, fmt.Sprintf("%q is not a valid domain: its last label %q must be letters and digits, not all digits, and may not start or end with a hyphen", s, top)}
	}
	return m, nil
}

// isTopLabel checks toplabel = ( *alphanum ALPHA *alphanum ) / ( 1*alphanum "-" *( alphanum / "-" ) alphanum ).
func isTopLabel(s string) bool {
	if s == "" {
		return false
	}
	alpha, dash := false, false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case isAlpha(c):
			alpha = true
		case isDigit(c):
		case c == '-':
			dash = true
		default:
			return false
		}
	}
	if dash {
		return s[0] != '-' && s[len(s)-1] != '-'
	}
	return alpha
}

// macroEnv holds the values macros expand to.
type macroEnv struct {
	sender   string // s
	local    string // l
	senderDo string // o
	domain   string // d
	ip       netip.Addr
	helo     string // h
	receiver string // r
	now      time.Time
	ptr      func() string // p: looked up only when used
}

// expand gives the macro-string's text with every macro replaced.
func (m macroString) expand(env *macroEnv) string {
	var b strings.Builder
	for _, t := range m {
		if t.letter == 0 {
			b.WriteString(t.lit)
			continue
		}
		v := transform(env.value(t.letter), t)
		if t.upper {
			v = urlEscape(v)
		}
		b.WriteString(v)
	}
	return b.String()
}

func (env *macroEnv) value(l byte) string {
	switch l {
	case 's':
		return env.sender
	case 'l':
		return env.local
	case 'o':
		return env.senderDo
	case 'd':
		return env.domain
	case 'i':
		return dottedIP(env.ip)
	case 'p':
		if env.ptr == nil {
			return "unknown"
		}
		return env.ptr()
	case 'v':
		if env.ip.Is4() {
			return "in-addr"
		}
		return "ip6"
	case 'h':
		return env.helo
	case 'c':
		return env.ip.String()
	case 'r':
		if env.receiver == "" {
			return "unknown"
		}
		return env.receiver
	case 't':
		return strconv.FormatInt(env.now.Unix(), 10)
	}
	return ""
}

// dottedIP gives an IPv4 address as a dotted quad and an IPv6 address as 32 dot-separated nibbles, as %{i} expands (section 7.3).
func dottedIP(ip netip.Addr) string {
	if ip.Is4() {
		return ip.String()
	}
	const hex = "0123456789abcdef"
	a := ip.As16()
	b := make([]byte, 0, 63)
	for i, x := range a {
		if i > 0 {
			b = append(b, '.')
		}
		b = append(b, hex[x>>4], '.', hex[x&15])
	}
	return string(b)
}

// transform splits v on the delimiters, reverses and keeps the right-hand parts as the macro asks, and joins them with dots.
func transform(v string, t macroToken) string {
	if t.digits == 0 && !t.reverse && (t.delims == "" || t.delims == ".") {
		return v
	}
	delims := t.delims
	if delims == "" {
		delims = "."
	}
	parts := splitAny(v, delims)
	if t.reverse {
		for i, j := 0, len(parts)-1; i < j; i, j = i+1, j-1 {
			parts[i], parts[j] = parts[j], parts[i]
		}
	}
	if t.digits > 0 && t.digits < len(parts) {
		parts = parts[len(parts)-t.digits:]
	}
	return strings.Join(parts, ".")
}

func splitAny(s, delims string) []string {
	var parts []string
	start := 0
	for i := 0; i < len(s); i++ {
		if strings.IndexByte(delims, s[i]) >= 0 {
			parts = append(parts, s[start:i])
			start = i + 1
		}
	}
	return append(parts, s[start:])
}

// urlEscape percent-encodes every byte outside RFC 3986's unreserved set, as upper-case macro letters ask (section 7.3).
func urlEscape(s string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if isAlpha(c) || isDigit(c) || c == '-' || c == '.' || c == '_' || c == '~' {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return b.String()
}

// ExpandMacros expands an SPF macro-string (RFC 7208 section 7) for a message from sender at ip, checked for domain, with helo as the HELO name; explanation allows the letters c, r and t and spaces, as explanation text may have. The p macro expands to "unknown", since it would need the DNS.
func ExpandMacros(s string, explanation bool, ip netip.Addr, domain, sender, helo string) (string, error) {
	m, err := parseMacroString(s, explanation, explanation)
	if err != nil {
		return "", err
	}
	env := newMacroEnv(ip.Unmap(), domain, sender, helo)
	return m.expand(env), nil
}

func newMacroEnv(ip netip.Addr, domain, sender, helo string) *macroEnv {
	local, sdom := splitSender(sender, domain)
	return &macroEnv{
		sender:   local + "@" + sdom,
		local:    local,
		senderDo: sdom,
		domain:   domain,
		ip:       ip,
		helo:     helo,
		now:      time.Now(),
	}
}

// splitSender gives the sender's local part and domain: "postmaster" when the local part is empty, and domain when the sender has none (RFC 7208 section 4.3).
func splitSender(sender, domain string) (local, sdom string) {
	at := strings.LastIndexByte(sender, '@')
	if at < 0 {
		if sender == "" {
			return "postmaster", domain
		}
		return "postmaster", sender
	}
	local, sdom = sender[:at], sender[at+1:]
	if local == "" {
		local = "postmaster"
	}
	if sdom == "" {
		sdom = domain
	}
	return local, sdom
}
