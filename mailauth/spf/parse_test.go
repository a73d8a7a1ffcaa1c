package spf

import (
	"errors"
	"net/netip"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func TestIsSPF(t *testing.T) {
	for in, want := range map[string]bool{
		"v=spf1":            true,
		"v=spf1 -all":       true,
		"V=SpF1 ~all":       true, // section 4.5: the version is case-insensitive
		"v=spf10":           false,
		"v=spf1mx":          false, // strings joined without a space (section 3.3)
		"v=spf2.0/pra -all": false,
		" v=spf1 -all":      false,
		"spf1":              false,
		"":                  false,
	} {
		if got := IsSPF(in); got != want {
			t.Errorf("IsSPF(%q) = %v, want %v", in, got, want)
		}
	}
}

func TestParseTerms(t *testing.T) {
	rec, err := Parse("v=spf1  +a mx:Example.ORG/24//64 -ptr:%{d2} ~ip4:192.0.2.0/24 ?ip6:2001:db8::/32 include:_spf.example.net exists:%{ir}.%{l1r+-}._spf.%{d} all redirect=_spf.example.com exp=explain._spf.%{d} x-opt=%{l}.any ")
	if err != nil {
		t.Fatal(err)
	}
	want := []Term{
		{Pos: 1, Offset: 8, Text: "+a", Qualifier: '+', Name: "a", CIDR4: 32, CIDR6: 128},
		{Pos: 2, Offset: 11, Text: "mx:Example.ORG/24//64", Qualifier: '+', Name: "mx", Domain: "Example.ORG", CIDR4: 24, CIDR6: 64},
		{Pos: 3, Offset: 33, Text: "-ptr:%{d2}", Qualifier: '-', Name: "ptr", Domain: "%{d2}"},
		{Pos: 4, Offset: 44, Text: "~ip4:192.0.2.0/24", Qualifier: '~', Name: "ip4", Prefix: netip.MustParsePrefix("192.0.2.0/24")},
		{Pos: 5, Offset: 62, Text: "?ip6:2001:db8::/32", Qualifier: '?', Name: "ip6", Prefix: netip.MustParsePrefix("2001:db8::/32")},
		{Pos: 6, Offset: 81, Text: "include:_spf.example.net", Qualifier: '+', Name: "include", Domain: "_spf.example.net"},
		{Pos: 7, Offset: 106, Text: "exists:%{ir}.%{l1r+-}._spf.%{d}", Qualifier: '+', Name: "exists", Domain: "%{ir}.%{l1r+-}._spf.%{d}"},
		{Pos: 8, Offset: 138, Text: "all", Qualifier: '+', Name: "all"},
		{Pos: 9, Offset: 142, Text: "redirect=_spf.example.com", Modifier: true, Name: "redirect", Domain: "_spf.example.com", Value: "_spf.example.com"},
		{Pos: 10, Offset: 168, Text: "exp=explain._spf.%{d}", Modifier: true, Name: "exp", Domain: "explain._spf.%{d}", Value: "explain._spf.%{d}"},
		{Pos: 11, Offset: 190, Text: "x-opt=%{l}.any", Modifier: true, Name: "x-opt", Value: "%{l}.any"},
	}
	if diff := cmp.Diff(want, rec.Terms, cmpopts.IgnoreUnexported(Term{}), cmp.Comparer(func(a, b netip.Prefix) bool { return a == b })); diff != "" {
		t.Errorf("terms (-want +got):\n%s", diff)
	}
	for _, tm := range rec.Terms {
		if got := rec.Text[tm.Offset : tm.Offset+len(tm.Text)]; got != tm.Text {
			t.Errorf("term %d: offset %d points at %q", tm.Pos, tm.Offset, got)
		}
	}
	if rec.Redirect() == nil || rec.Redirect().Pos != 9 || rec.Exp() == nil || rec.Exp().Pos != 10 || rec.All() == nil || rec.All().Pos != 8 {
		t.Errorf("Redirect, Exp, All = %v, %v, %v", rec.Redirect(), rec.Exp(), rec.All())
	}
	var dns []string
	for _, tm := range rec.Terms {
		if tm.QueriesDNS() {
			dns = append(dns, tm.Name)
		}
	}
	if diff := cmp.Diff([]string{"a", "mx", "ptr", "include", "exists", "redirect"}, dns); diff != "" {
		t.Errorf("QueriesDNS (-want +got):\n%s", diff)
	}
}

// TestParseValid lists records the grammar of RFC 7208 accepts, some of them surprising.
func TestParseValid(t *testing.T) {
	for _, rec := range []string{
		"v=spf1",
		"V=SPF1 -ALL",
		"v=spf1 a  -all", // 4.6.1: one or more spaces
		"v=spf1 ",        // trailing space
		"v=spf1 moo.cow-far_out=man:dog/cat ip4:192.0.2.1 -all",       // 4.6.1: an unknown modifier
		"v=spf1 a:foo:bar/baz.example.com",                            // 7.1: any visible character but %
		"v=spf1 a:foo.example.com/24",                                 // CIDR after a domain
		"v=spf1 a//0 mx/0 a/32//128",                                  // the ends of the ranges
		"v=spf1 a:foo.example.xn--zckzah -all",                        // 7.1: a top label with hyphens
		"v=spf1 a:example.123-4",                                      // 1*alphanum "-" ... alphanum
		"v=spf1 a:mail.example...com",                                 // empty labels: valid syntax, no DNS name
		"v=spf1 a:%{H}.bar",                                           // ends in a valid top label
		"v=spf1 exists:%{i}",                                          // ends in a macro
		"v=spf1 exists:%{l}%%",                                        // %% is a macro-expand
		"v=spf1 a:macro%%percent%_%_space%-url-space.example.com",     // 7.1: %% %_ %-
		"v=spf1 exists:%{l2r+-}.user.%{d2} exists:%{D128R=_,/}.x.com", // transformers and delimiters
		"v=spf1 include:_spf.example.com. -all",                       // trailing dot
		"v=spf1 ip6:::1.1.1.1/0 ip6:::FFFF:1.2.3.4 ip4:0.0.0.0/0",     // IPv4 in IPv6 forms
		"v=spf1 default=pass",                                         // an obsolete modifier, ignored
		"v=spf1 default=+",
		"v=spf1 -all foo=%{c}%{r}%{t}",   // unknown modifiers may use every letter
		"v=spf1 include=foo.example.com", // a modifier named include
	} {
		if _, err := Parse(rec); err != nil {
			t.Errorf("Parse(%q): %v", rec, err)
		}
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		rec  string
		want string // the whole error message, or a part of it after "..."
	}{
		{"v=spf1 a mx ip4:1.2.3.4/33", `term 3 "ip4:1.2.3.4/33": CIDR length 33 is more than 32`},
		{"v=spf1 ip4:1.2.3.4/032", `term 1 "ip4:1.2.3.4/032": CIDR length 032 has a leading zero`},
		{"v=spf1 ip6:::1.1.1.1/129", `term 1 "ip6:::1.1.1.1/129": CIDR length 129 is more than 128`},
		{"v=spf1 ip6:::1.1.1.1//33", `...is not a CIDR length`},
		{"v=spf1 ip4:1.2.3.4//32", `...is not a CIDR length`},
		{"v=spf1 ip4:1.2.3", `term 1 "ip4:1.2.3": "1.2.3" is not an IPv4 address; write all four numbers, as in 192.0.2.1`},
		{"v=spf1 ip4:1.2.3.4:8080", `..."1.2.3.4:8080" is not an IPv4 address`},
		{"v=spf1 ip4:01.2.3.4", `...is not an IPv4 address`},
		{"v=spf1 ip4:2001:db8::1", `...use ip6: for IPv6`},
		{"v=spf1 ip6:192.0.2.1", `...use ip4: for IPv4`},
		{"v=spf1 ip6::CAFE::BABE", `...is not an IPv6 address`},
		{"v=spf1 ip6:fe80::1%eth0", `...is not an IPv6 address`},
		{"v=spf1 ip4", `term 1 "ip4": ip4 needs an address, as in ip4:192.0.2.0/24`},
		{"v=spf1 -all ip6", `term 2 "ip6": ip6 needs an address`},
		{"v=spf1 a/33 -all", `term 1 "a/33": CIDR length 33 is more than 32`},
		{"v=spf1 a//129 -all", `term 1 "a//129": CIDR length 129 is more than 128`},
		{"v=spf1 a/24/64 -all", `...CIDR length 64 is more than 32`},
		{"v=spf1 mx/24/24", `..."/24" is not a CIDR length`},
		{"v=spf1 a:", `term 1 "a:": a: needs a domain after the colon, or no colon`},
		{"v=spf1 mx: -all", `term 1 "mx:": mx: needs a domain`},
		{"v=spf1 ptr:", `term 1 "ptr:": ptr: needs a domain`},
		{"v=spf1 ptr/0 -all", `term 1 "ptr/0": ptr takes no CIDR length`},
		{"v=spf1 include", `term 1 "include": include needs a domain, as in include:example.com`},
		{"v=spf1 include: -all", `...include needs a domain`},
		{"v=spf1 include:ip5.example.com/24", `...is not a valid domain`},
		{"v=spf1 exists", `term 1 "exists": exists needs a domain`},
		{"v=spf1 exists:mail.example.com/24", `...is not a valid domain`},
		{"v=spf1 -all.", `term 1 "-all.": "." cannot follow "all"`},
		{"v=spf1 -all:foobar", `...all takes no domain or CIDR length`},
		{"v=spf1 -all/8", `...all takes no domain or CIDR length`},
		{"v=spf1 ip4:192.0.2.1 -all moo", `term 3 "moo": unknown mechanism "moo"; the mechanisms are all, include, a, mx, ptr, ip4, ip6 and exists`},
		{"v=spf1 moo.cow/far_out=man:dog/cat", `..."moo.cow/far_out=man:dog/cat" is not a mechanism or a modifier`},
		{"v=spf1 moo.cow:far_out=man:dog/cat", `...is not a mechanism or a modifier`},
		{"v=spf1 1up=foo", `..."1up=foo" is not a mechanism or a modifier`},
		{"v=spf1 =all", `..."=all" is not a mechanism or a modifier`},
		{"v=spf1 ip4:1.2.3.4 redirect:t2.example.com", `term 2 "redirect:t2.example.com": redirect is a modifier and is written with "=", as in redirect=_spf.example.com`},
		{"v=spf1 a:foo-bar -all", `term 1 "a:foo-bar": "foo-bar" is not a valid domain: it must end in a dot and a top-level label, as in example.com`},
		{"v=spf1 a:111.222.33.44", `...its last label "44" must be letters and digits, not all digits`},
		{"v=spf1 a:abc.123", `...its last label "123"`},
		{"v=spf1 a:museum", `..."museum" is not a valid domain`},
		{"v=spf1 a:museum.", `..."museum." is not a valid domain`},
		{"v=spf1 a:example.-com", `...its last label "-com"`},
		{"v=spf1 a:example.com:8080", `...its last label "com:8080"`},
		{"v=spf1 a:foo.example.com\x00", `term 1 "a:foo.example.com\x00": byte 0x00 at offset 17 is not printable ASCII`},
		{"v=spf1 a:ctrl.example.com\rptr -all", `...byte 0x0d at offset 18`},
		{"v=spf1 a:\xEF\xBB\xBFgarbage.example.net -all", `...byte 0xef at offset 2`},
		{"v=spf1 \x80a:example.net -all", `...byte 0x80 at offset 0`},
		{"v=spf1 a:example.net\t-all", `...byte 0x09`},
		{"v=spf1 exists:%(ir).sbl.example.com", `term 1 "exists:%(ir).sbl.example.com": "%(" is not a macro`},
		{"v=spf1 exists:foo%.sbl.example.com", `..."%." is not a macro`},
		{"v=spf1 exists:foo.example.com%", `...a "%" at the end must be written "%%"`},
		{"v=spf1 a:%{a}.example.com", `...macro "%{a}": "a" is not a macro letter`},
		{"v=spf1 a:%{d0}.example.com", `...the number of parts to keep must not be zero`},
		{"v=spf1 a:%{d.example.com", `...is not closed`},
		{"v=spf1 a:%{}.example.com", `...no macro letter`},
		{"v=spf1 a:%{d2x}.example.com", `..."x" is not a delimiter`},
		{"v=spf1 exists:%{c}.example.com", `...the letter "c" may only be used in explanation text`},
		{"v=spf1 -all exp=%{r}.example.com", `...the letter "r" may only be used in explanation text`},
		{"v=spf1 -all exp=%{t}.example.com", `...the letter "t"`},
		{"v=spf1 exp= -all", `term 1 "exp=": exp needs a domain, as in exp=_spf.example.com`},
		{"v=spf1 ?all redirect=", `term 2 "redirect=": redirect needs a domain`},
		{"v=spf1 exp=-all", `..."-all" is not a valid domain`},
		{"v=spf1 redirect=-all ?all", `..."-all" is not a valid domain`},
		{"v=spf1 exp=a.example.com -all exp=b.example.com", `term 3 "exp=b.example.com": exp appears twice (first as term 1); a record may have only one`},
		{"v=spf1 redirect=a.example.com -all redirect=a.example.com", `...redirect appears twice`},
		{"v=spf1 -all foo=%abc", `term 2 "foo=%abc": "%a" is not a macro`},
		{"v=spf10", `the record does not start with "v=spf1" followed by a space`},
		{"spf1 -all", `the record does not start with "v=spf1"`},
	}
	for _, tt := range tests {
		_, err := Parse(tt.rec)
		if err == nil {
			t.Errorf("Parse(%q) succeeded, want error %q", tt.rec, tt.want)
			continue
		}
		var se *SyntaxError
		if !errors.As(err, &se) {
			t.Errorf("Parse(%q) = %T, want *SyntaxError", tt.rec, err)
		}
		if part, ok := strings.CutPrefix(tt.want, "..."); ok {
			if !strings.Contains(err.Error(), part) {
				t.Errorf("Parse(%q) = %q, want it to contain %q", tt.rec, err, part)
			}
		} else if !strings.HasPrefix(err.Error(), tt.want) {
			t.Errorf("Parse(%q) =\n  %q\nwant\n  %q", tt.rec, err, tt.want)
		}
	}
}

func TestSyntaxErrorOffset(t *testing.T) {
	_, err := Parse("v=spf1 a mx exists:%{x}.example.com")
	var se *SyntaxError
	if !errors.As(err, &se) {
		t.Fatal(err)
	}
	if se.Pos != 3 || se.Offset != 19 || se.Term != "exists:%{x}.example.com" {
		t.Errorf("error at term %d offset %d (%q), want term 3 offset 19", se.Pos, se.Offset, se.Term)
	}
}
