package spf

import (
	"net/netip"
	"testing"
	"time"
)

// TestMacroExamples runs the worked examples of RFC 7208 section 7.4.
func TestMacroExamples(t *testing.T) {
	const sender = "strong-bad@email.example.com"
	ip4 := netip.MustParseAddr("192.0.2.3")
	ip6 := netip.MustParseAddr("2001:db8::cb01")
	tests := []struct {
		ip   netip.Addr
		in   string
		want string
	}{
		{ip4, "%{s}", "strong-bad@email.example.com"},
		{ip4, "%{o}", "email.example.com"},
		{ip4, "%{d}", "email.example.com"},
		{ip4, "%{d4}", "email.example.com"},
		{ip4, "%{d3}", "email.example.com"},
		{ip4, "%{d2}", "example.com"},
		{ip4, "%{d1}", "com"},
		{ip4, "%{dr}", "com.example.email"},
		{ip4, "%{d2r}", "example.email"},
		{ip4, "%{l}", "strong-bad"},
		{ip4, "%{l-}", "strong.bad"},
		{ip4, "%{lr}", "strong-bad"},
		{ip4, "%{lr-}", "bad.strong"},
		{ip4, "%{l1r-}", "strong"},
		{ip4, "%{ir}.%{v}._spf.%{d2}", "3.2.0.192.in-addr._spf.example.com"},
		{ip4, "%{lr-}.lp._spf.%{d2}", "bad.strong.lp._spf.example.com"},
		{ip4, "%{lr-}.lp.%{ir}.%{v}._spf.%{d2}", "bad.strong.lp.3.2.0.192.in-addr._spf.example.com"},
		{ip4, "%{ir}.%{v}.%{l1r-}.lp._spf.%{d2}", "3.2.0.192.in-addr.strong.lp._spf.example.com"},
		{ip4, "%{d2}.trusted-domains.example.net", "example.com.trusted-domains.example.net"},
		{ip6, "%{ir}.%{v}._spf.%{d2}", "1.0.b.c.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6._spf.example.com"},

		// Section 7.3: the other letters and escapes.
		{ip4, "%{i}", "192.0.2.3"},
		{ip6, "%{i}", "2.0.0.1.0.d.b.8.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.c.b.0.1"},
		{ip4, "%{v}", "in-addr"},
		{ip6, "%{v}", "ip6"},
		{ip4, "%{c}", "192.0.2.3"},
		{ip6, "%{c}", "2001:db8::cb01"},
		{ip4, "%{h}", "mx.example.org"},
		{ip4, "%{r}", "unknown"},
		{ip4, "%{t}", "1700000000"},
		{ip4, "%{p}", "unknown"},
		{ip4, "%%-%_-%-", "%- -%20"},
		{ip4, "%{D2}", "example.com"},
		{ip4, "%{S}", "strong-bad%40email.example.com"},
		{ip4, "%{L}", "strong-bad"},
		{ip4, "%{d10}", "email.example.com"},           // more parts than there are
		{ip4, "%{d2R}", "example.email"},               // the r transformer in upper case
		{ip4, "%{l2r+-}", "bad.strong"},                // several delimiters
		{ip4, "%{s=}", "strong-bad@email.example.com"}, // a delimiter that is not there
		{ip4, "%{l1}", "strong-bad"},
		{ip4, "%{s2@.}", ""}, // "@" is no delimiter: parse error below
	}
	for _, tt := range tests[:len(tests)-1] {
		m, err := parseMacroString(tt.in, true, true)
		if err != nil {
			t.Errorf("%q: %v", tt.in, err)
			continue
		}
		env := newMacroEnv(tt.ip, "email.example.com", sender, "mx.example.org")
		env.now = time.Unix(1700000000, 0)
		if got := m.expand(env); got != tt.want {
			t.Errorf("%s with %s = %q, want %q", tt.in, tt.ip, got, tt.want)
		}
	}
	if _, err := parseMacroString("%{s2@.}", true, true); err == nil {
		t.Error(`"%{s2@.}" parsed, want an error: "@" is not a delimiter`)
	}
}

func TestMacroEdges(t *testing.T) {
	ip := netip.MustParseAddr("192.0.2.3")
	tests := []struct {
		sender, in, want string
	}{
		// URL-escaping: everything outside ALPHA DIGIT - . _ ~ (section 7.3).
		{"~jack&jill=up-a_b3.c@example.com", "%{L}", "~jack%26jill%3Dup-a_b3.c"},
		{"a b@example.com", "%{L}", "a%20b"},
		// Empty parts are kept when splitting.
		{"a..b@example.com", "%{lr}", "b..a"},
		{"a--b@example.com", "%{l2r-}", ".a"},
		// No local part: postmaster (section 4.3).
		{"@example.net", "%{l}", "postmaster"},
		{"", "%{s}", "postmaster@email.example.com"},
		{"example.net", "%{s}", "postmaster@example.net"},
		{"Macro Error@example.com", "%{l} in implementation", "Macro Error in implementation"},
	}
	for _, tt := range tests {
		got, err := ExpandMacros(tt.in, true, ip, "email.example.com", tt.sender, "")
		if err != nil || got != tt.want {
			t.Errorf("%q for sender %q = %q, %v; want %q", tt.in, tt.sender, got, err, tt.want)
		}
	}
	// Huge transformer numbers are capped, not overflowed.
	if got, err := ExpandMacros("%{d99999999999999999999999}", false, ip, "a.b.c", "x@a.b.c", ""); err != nil || got != "a.b.c" {
		t.Errorf("huge digits: %q, %v", got, err)
	}
	// An IPv4-mapped address expands as IPv4.
	if got, _ := ExpandMacros("%{ir}.%{v}", false, netip.MustParseAddr("::ffff:192.0.2.3"), "a.b", "x@a.b", ""); got != "3.2.0.192.in-addr" {
		t.Errorf("IPv4-mapped: %q", got)
	}
}

func TestDomainSpec(t *testing.T) {
	for in, ok := range map[string]bool{
		"example.com":         true,
		"example.com.":        true,
		"%{d}":                true,
		"%{d}.":               false, // "." with no top label
		"%{d}.com":            true,
		"%{d}com":             false,
		"_spf.%{d2}":          true,
		"foo%%":               true,
		"%-":                  true,
		".com":                true, // the grammar allows it; no DNS name results
		"a.b-":                false,
		"a.-b":                false,
		"a.1-b":               true,
		"a.12":                false,
		"a.xn--p1ai":          true,
		"foo:bar/baz.example": true,
		"":                    false,
	} {
		_, err := parseDomainSpec(in)
		if (err == nil) != ok {
			t.Errorf("parseDomainSpec(%q) = %v, want ok %v", in, err, ok)
		}
	}
}
