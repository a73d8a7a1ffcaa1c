package spf

import (
	"context"
	"errors"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/handwash/handwash/resolve"
	"github.com/handwash/handwash/resolve/resolvetest"
)

// Section 6: redirect, exp and unknown modifiers.
func TestModifiers(t *testing.T) {
	z := zone(
		"mail.example.com. A 192.0.2.4",
		txt("e1.example.com.", "v=spf1 exp=exp1.example.com redirect=e2.example.com"),
		txt("e2.example.com.", "v=spf1 -all"),
		txt("e3.example.com.", "v=spf1 exp=exp1.example.com redirect=e4.example.com"),
		txt("e4.example.com.", "v=spf1 -all exp=exp2.example.com"),
		txt("exp1.example.com.", "No-see-um"),
		txt("exp2.example.com.", "See me."),
		txt("exp3.example.com.", "Correct!"),
		txt("exp4.example.com.", "%{l} in implementation"),
		txt("e5.example.com.", "v=spf1 1up=foo"),
		txt("e6.example.com.", "v=spf1 =all"),
		txt("e7.example.com.", "v=spf1 include:e3.example.com -all exp=exp3.example.com"),
		txt("e8.example.com.", "v=spf1 -all exp=exp4.example.com"),
		txt("e9.example.com.", "v=spf1 -all foo=%abc"),
		txt("e10.example.com.", "v=spf1 redirect=erehwon.example.com"),
		txt("e11.example.com.", "v=spf1 -all exp=e11msg.example.com"),
		txt("e11msg.example.com.", "Answer a fool according to his folly."),
		txt("e11msg.example.com.", "Do not answer a fool according to his folly."),
		txt("e12.example.com.", "v=spf1 exp= -all"),
		txt("e13.example.com.", "v=spf1 exp=e13msg.example.com -all"),
		txt("e13msg.example.com.", "The %{x}-files."),
		txt("e14.example.com.", "v=spf1 exp=e13msg.example.com -all exp=e11msg.example.com"),
		txt("e15.example.com.", "v=spf1 redirect=e12.example.com -all redirect=e12.example.com"),
		txt("e16.example.com.", "v=spf1 exp=-all"),
		txt("e17.example.com.", "v=spf1 redirect=-all ?all"),
		txt("e18.example.com.", "v=spf1 ?all redirect="),
		txt("e19.example.com.", "v=spf1 default=pass"),
		txt("e20.example.com.", "v=spf1 default=+"),
		txt("e21.example.com.", "v=spf1 exp=e21msg.example.com -all"),
		txt("e22.example.com.", "v=spf1 exp=mail.example.com -all"),
		txt("nonascii.example.com.", "v=spf1 exp=badexp.example.com -all"),
		txt("badexp.example.com.", "\xEF\xBB\xBFExplanation"),
		txt("e23.example.com.", "v=spf1 a:erehwon.example.com a:foobar.example.com exp=nxdomain.example.com -all"),
		txt("e24.example.com.", "v=spf1 redirect=testimplicit.example.com"),
		"e24.example.com. A 192.0.2.1",
		txt("testimplicit.example.com.", "v=spf1 a -all"),
		"testimplicit.example.com. A 192.0.2.2",
		txt("e25.example.com.", "v=spf1 ~all exp=exp2.example.com"),
		txt("e26.example.com.", "v=spf1 -all exp=e26msg.example.com"),
		txt("e26msg.example.com.", "%{c} is not allowed by %{d}, checked by %{r} at %{t}; see https://example.com/why?s=%{S}&i=%{I}"),
		txt("e27.example.com.", "v=spf1 redirect=e26.example.com"),
		txt("e28.example.com.", "v=spf1 ip4:192.0.2.4 ?all redirect=e2.example.com exp=exp2.example.com"),
	)
	runCases(t, z, func(s *resolvetest.Server) { s.Timeout("e21msg.example.com") }, []hostCase{
		{name: "redirect to no record", spec: "6.1", ip: "192.0.2.4", helo: "mail.example.com", mailFrom: "foo@e10.example.com", want: v(PermError)},
		{name: "redirect drops the first exp", spec: "6.2", ip: "192.0.2.4", helo: "mail.example.com", mailFrom: "foo@e1.example.com", want: v(Fail), exp: str("")},
		{name: "syntax error in redirect", spec: "6.1", ip: "192.0.2.4", helo: "mail.example.com", mailFrom: "foo@e17.example.com", want: v(PermError)},
		{name: "include never uses the included exp", spec: "6.2", ip: "192.0.2.4", helo: "mail.example.com", mailFrom: "foo@e7.example.com", want: v(Fail), exp: str("Correct!")},
		{name: "redirect uses the target's exp", spec: "6.2", ip: "192.0.2.4", helo: "mail.example.com", mailFrom: "foo@e3.example.com", want: v(Fail), exp: str("See me."), mech: "-all"},
		{name: "modifier name starts with a digit", spec: "6", ip: "192.0.2.4", helo: "mail.example.com", mailFrom: "foo@e5.example.com", want: v(PermError)},
		{name: "empty modifier name", spec: "6", ip: "192.0.2.4", helo: "mail.example.com", mailFrom: "foo@e6.example.com", want: v(PermError)},
		{name: "local part with a space", spec: "7.3", ip: "192.0.2.4", helo: "mail.example.com", mailFrom: "Macro Error@e8.example.com", want: v(Fail), exp: str("Macro Error in implementation")},
		{name: "two explanation records", spec: "6.2", ip: "192.0.2.4", helo: "mail.example.com", mailFrom: "foo@e11.example.com", want: v(Fail), exp: str("")},
		{name: "no explanation record", spec: "6.2", ip: "192.0.2.4", helo: "mail.example.com", mailFrom: "foo@e22.example.com", want: v(Fail), exp: str("")},
		{name: "explanation lookup times out", spec: "6.2", ip: "192.0.2.4", helo: "mail.example.com", mailFrom: "foo@e21.example.com", want: v(Fail), exp: str("")},
		{name: "exp= with no domain", spec: "6.2", ip: "192.0.2.4", helo: "mail.example.com", mailFrom: "foo@e12.example.com", want: v(PermError)},
		{name: "macro error in explanation", spec: "6.2", ip: "192.0.2.4", helo: "mail.example.com", mailFrom: "foo@e13.example.com", want: v(Fail), exp: str("")},
		{name: "exp= is not a domain", spec: "6.2", ip: "192.0.2.4", helo: "mail.example.com", mailFrom: "foo@e16.example.com", want: v(PermError)},
		{name: "exp twice", spec: "6", ip: "192.0.2.4", helo: "mail.example.com", mailFrom: "foo@e14.example.com", want: v(PermError)},
		{name: "redirect= with no domain", spec: "6.1", ip: "192.0.2.4", helo: "mail.example.com", mailFrom: "foo@e18.example.com", want: v(PermError)},
		{name: "redirect twice", spec: "6", ip: "192.0.2.4", helo: "mail.example.com", mailFrom: "foo@e15.example.com", want: v(PermError)},
		{name: "unknown modifier with bad macro", spec: "6", ip: "192.0.2.4", helo: "mail.example.com", mailFrom: "foo@e9.example.com", want: v(PermError)},
		{name: "default= is ignored", spec: "6", ip: "192.0.2.4", helo: "mail.example.com", mailFrom: "foo@e19.example.com", want: v(Neutral)},
		{name: "default=+ is ignored", spec: "6", ip: "192.0.2.4", helo: "mail.example.com", mailFrom: "foo@e20.example.com", want: v(Neutral)},
		{name: "non-ASCII explanation", spec: "6.2", ip: "192.0.2.4", helo: "hosed", mailFrom: "foobar@nonascii.example.com", want: v(Fail), exp: str("")},
		{name: "exp lookups are not void lookups", spec: "4.6.4", ip: "192.0.2.4", helo: "mail.example.com", mailFrom: "foo@e23.example.com", want: v(Fail)},
		{name: "redirect changes the domain", spec: "6.1", ip: "192.0.2.2", helo: "e24.example.com", mailFrom: "bar@e24.example.com", want: v(Pass), mech: "a"},
		{name: "no explanation but for fail", spec: "6.2", ip: "192.0.2.4", helo: "mail.example.com", mailFrom: "foo@e25.example.com", want: v(SoftFail), exp: str("")},
		{name: "c, d, r, t and escapes in exp", spec: "7.3", ip: "192.0.2.4", helo: "mail.example.com", mailFrom: "a+b@e26.example.com", want: v(Fail),
			exp: str("192.0.2.4 is not allowed by e26.example.com, checked by receiver.example.org at 1700000000; see https://example.com/why?s=a%2Bb%40e26.example.com&i=192.0.2.4")},
		{name: "d in exp after redirect is the target", spec: "6.1", ip: "192.0.2.4", helo: "mail.example.com", mailFrom: "a+b@e27.example.com", want: v(Fail),
			exp: str("192.0.2.4 is not allowed by e26.example.com, checked by receiver.example.org at 1700000000; see https://example.com/why?s=a%2Bb%40e27.example.com&i=192.0.2.4")},
		{name: "redirect ignored with ?all", spec: "6.1", ip: "192.0.2.5", helo: "mail.example.com", mailFrom: "foo@e28.example.com", want: v(Neutral)},
	})
}

// Section 7: macros, checked end to end.
func TestMacros(t *testing.T) {
	long := "somewhat.long.exp.example.com"
	z := zone(
		txt("example.com.d.spf.example.com.", "v=spf1 redirect=a.spf.example.com"),
		txt("a.spf.example.com.", "v=spf1 include:o.spf.example.com. ~all"),
		txt("o.spf.example.com.", "v=spf1 ip4:192.0.2.40"),
		"msgbas2x.cos.example.com. A 192.0.2.40",
		"example.com. A 198.51.100.76",
		txt("example.com.", "v=spf1 redirect=%{d}.d.spf.example.com."),
		txt("exp.example.com.", "v=spf1 exp=msg.example.com. -all"),
		txt("msg.example.com.", "This is a test."),
		txt("e1.example.com.", "v=spf1 -exists:%(ir).sbl.example.com ?all"),
		txt("e1e.example.com.", "v=spf1 exists:foo%(ir).sbl.example.com ?all"),
		txt("e1t.example.com.", "v=spf1 exists:foo%.sbl.example.com ?all"),
		txt("e1a.example.com.", "v=spf1 a:macro%%percent%_%_space%-url-space.example.com -all"),
		`macro%percent\032\032space%20url-space.example.com. A 192.0.2.4`,
		txt("e2.example.com.", "v=spf1 -all exp=%{r}.example.com"),
		txt("e3.example.com.", "v=spf1 -all exp=%{ir}.example.com"),
		txt("40.2.0.192.example.com.", "Connections from %{c} not authorized."),
		txt(long+".", "v=spf1 -all exp=foobar.%{o}.%{o}.%{o}.%{o}.%{o}.%{o}.%{o}.%{o}.example.com"),
		txt(strings.Repeat(long+".", 8)+"example.com.", "Congratulations!  That was tricky."),
		txt("e4.example.com.", "v=spf1 -all exp=e4msg.example.com"),
		txt("e4msg.example.com.", "%{c} is queried as %{ir}.%{v}.arpa"),
		txt("e5.example.com.", "v=spf1 a:%{a}.example.com -all"),
		txt("e6.example.com.", "v=spf1 -all exp=e6msg.example.com"),
		txt("e6msg.example.com.", "connect from %{p}"),
		"mx.example.com. A 192.0.2.41",
		"mx.example.com. A 192.0.2.42",
		"mx.example.com. AAAA CAFE:BABE::2",
		"mx.example.com. AAAA CAFE:BABE::3",
		"40.2.0.192.in-addr.arpa. PTR mx.example.com.",
		"41.2.0.192.in-addr.arpa. PTR mx.example.com.",
		"42.2.0.192.in-addr.arpa. PTR mx.example.com.",
		"42.2.0.192.in-addr.arpa. PTR mx.e7.example.com.",
		"1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.E.B.A.B.E.F.A.C.ip6.arpa. PTR mx.example.com.",
		"3.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.E.B.A.B.E.F.A.C.ip6.arpa. PTR mx.example.com.",
		"mx.e7.example.com. A 192.0.2.42",
		"mx.e7.example.com.should.example.com. A 127.0.0.2",
		"mx.example.com.ok.example.com. A 127.0.0.2",
		txt("e7.example.com.", "v=spf1 exists:%{p}.should.example.com ~exists:%{p}.ok.example.com"),
		txt("e8.example.com.", "v=spf1 -all exp=msg8.%{D2}"),
		txt("msg8.example.com.", "http://example.com/why.html?l=%{L}"),
		txt("e9.example.com.", "v=spf1 a:%{H} -all"),
		txt("e10.example.com.", "v=spf1 -include:_spfh.%{d2} ip4:192.0.2.0/24 -all"),
		txt("_spfh.example.com.", "v=spf1 -a:%{h} +all"),
		txt("e11.example.com.", "v=spf1 exists:%{i}.%{l2r-}.user.%{d2}"),
		"192.0.2.4.gladstone.philip.user.example.com. A 127.0.0.2",
		txt("e12.example.com.", "v=spf1 exists:%{l2r+-}.user.%{d2}"),
		"bar.foo.user.example.com. A 127.0.0.2",
	)
	const helo = "msgbas2x.cos.example.com"
	runCases(t, z, nil, []hostCase{
		{name: "trailing dot on domains is ignored", spec: "7.3", ip: "192.0.2.40", helo: helo, mailFrom: "test@example.com", want: v(Pass)},
		{name: "trailing dot kept in explanation", spec: "7.3", ip: "192.0.2.40", helo: helo, mailFrom: "test@exp.example.com", want: v(Fail), exp: str("This is a test.")},
		{name: "r only in explanations", spec: "7.2", ip: "192.0.2.40", helo: helo, mailFrom: "test@e2.example.com", want: v(PermError)},
		{name: "%( is not a macro", spec: "7.1", ip: "192.0.2.40", helo: helo, mailFrom: "test@e1.example.com", want: v(PermError)},
		{name: "%( inside a name", spec: "7.1", ip: "192.0.2.40", helo: helo, mailFrom: "test@e1e.example.com", want: v(PermError)},
		{name: "%. is not a macro", spec: "7.1", ip: "192.0.2.40", helo: helo, mailFrom: "test@e1t.example.com", want: v(PermError)},
		{name: "%% %_ %- in a name", spec: "7.1", ip: "192.0.2.4", helo: "mail.example.com", mailFrom: "test@e1a.example.com", want: v(Pass)},
		{name: "i and c for IPv4", spec: "7.3", ip: "192.0.2.40", helo: helo, mailFrom: "test@e3.example.com", want: v(Fail), exp: str("Connections from 192.0.2.40 not authorized.")},
		{name: "long names cut from the left", spec: "7.3", ip: "192.0.2.40", helo: helo, mailFrom: "test@" + long, want: v(Fail), exp: str("Congratulations!  That was tricky.")},
		{name: "v for IPv4", spec: "7.3", ip: "192.0.2.40", helo: helo, mailFrom: "test@e4.example.com", want: v(Fail), exp: str("192.0.2.40 is queried as 40.2.0.192.in-addr.arpa")},
		{name: "v for IPv6", spec: "7.3", ip: "CAFE:BABE::1", helo: helo, mailFrom: "test@e4.example.com", want: v(Fail),
			exp: str("cafe:babe::1 is queried as 1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.e.b.a.b.e.f.a.c.ip6.arpa")},
		{name: "no such letter", spec: "7.1", ip: "CAFE:BABE::192.0.2.40", helo: helo, mailFrom: "test@e5.example.com", want: v(PermError)},
		{name: "p, not validated", spec: "7.3", ip: "192.0.2.40", helo: helo, mailFrom: "test@e6.example.com", want: v(Fail), exp: str("connect from unknown")},
		{name: "p, validated", spec: "7.3", ip: "192.0.2.41", helo: helo, mailFrom: "test@e6.example.com", want: v(Fail), exp: str("connect from mx.example.com")},
		{name: "p, IPv6 not validated", spec: "7.3", ip: "CAFE:BABE::1", helo: helo, mailFrom: "test@e6.example.com", want: v(Fail), exp: str("connect from unknown")},
		{name: "p, IPv6 validated", spec: "7.3", ip: "CAFE:BABE::3", helo: helo, mailFrom: "test@e6.example.com", want: v(Fail), exp: str("connect from mx.example.com")},
		{name: "p prefers a subdomain", spec: "7.3", ip: "192.0.2.42", helo: helo, mailFrom: "test@e7.example.com", want: v(Pass)},
		{name: "upper case escapes", spec: "7.3", ip: "192.0.2.42", helo: helo, mailFrom: "~jack&jill=up-a_b3.c@e8.example.com", want: v(Fail),
			exp: str("http://example.com/why.html?l=~jack%26jill%3Dup-a_b3.c")},
		{name: "h", spec: "7.3", ip: "192.0.2.40", helo: helo, mailFrom: "test@e9.example.com", want: v(Pass)},
		{name: "h that is no domain", spec: "7.3", ip: "192.0.2.40", helo: "JUMPIN' JUPITER", mailFrom: "test@e9.example.com", want: v(Fail)},
		{name: "h that is an address literal", spec: "7.3", ip: "192.0.2.40", helo: "[192.0.2.40]", mailFrom: "test@e9.example.com", want: v(Fail)},
		{name: "requiring a valid HELO", spec: "7.3", ip: "192.0.2.4", helo: "OEMCOMPUTER", mailFrom: "test@e10.example.com", want: v(Fail), mech: "-include:_spfh.%{d2}"},
		{name: "split on dash, reverse, keep two", spec: "7.3", ip: "192.0.2.4", helo: "mail.example.com", mailFrom: "philip-gladstone-test@e11.example.com", want: v(Pass)},
		{name: "several delimiters", spec: "7.3", ip: "192.0.2.4", helo: "mail.example.com", mailFrom: "foo-bar+zip+quux@e12.example.com", want: v(Pass)},
	})
}

// Section 4.6.4: processing limits.
func TestLimits(t *testing.T) {
	var mxs []string
	for i := range 10 {
		mxs = append(mxs, "e4.example.com. MX "+string(rune('0'+i))+" mail.example.com.")
	}
	var ptrs []string
	for _, n := range []string{"e1", "e2", "e3", "e4", "", "e6", "e7", "e8", "e9", "e10", "e5"} {
		name := "example.com."
		if n != "" {
			name = n + ".example.com."
		}
		ptrs = append(ptrs, "5.2.0.192.in-addr.arpa. PTR "+name)
	}
	var as []string
	for i := 1; i <= 12; i++ {
		as = append(as, "e10.example.com. A 192.0.2."+itoa(i))
	}
	z := zone(append(append(append([]string{
		"mail.example.com. A 192.0.2.4",
		txt("e1.example.com.", "v=spf1 ip4:198.51.100.1 redirect=e1.example.com"),
		"e1.example.com. A 192.0.2.6",
		txt("e2.example.com.", "v=spf1 include:e3.example.com"),
		"e2.example.com. A 192.0.2.7",
		txt("e3.example.com.", "v=spf1 include:e2.example.com"),
		"e3.example.com. A 192.0.2.8",
		txt("e4.example.com.", "v=spf1 mx"),
		"e4.example.com. MX 10 e4.example.com.",
		"e4.example.com. A 192.0.2.5",
		txt("e5.example.com.", "v=spf1 ptr"),
		"e5.example.com. A 192.0.2.5",
		txt("e6.example.com.", "v=spf1 a mx a mx a mx a mx a ptr ip4:192.0.2.4 -all"),
		"e6.example.com. A 192.0.2.8",
		"e6.example.com. MX 10 e6.example.com.",
		txt("e7.example.com.", "v=spf1 a mx a mx a mx a mx a ptr a ip4:192.0.2.4 -all"),
		"e7.example.com. A 192.0.2.20",
		txt("e8.example.com.", "v=spf1 a include:inc.example.com ip4:192.0.2.4 mx -all"),
		"e8.example.com. A 192.0.2.4",
		txt("inc.example.com.", "v=spf1 a a a a a a a a"),
		"inc.example.com. A 192.0.2.10",
		txt("e9.example.com.", "v=spf1 a include:inc.example.com a ip4:192.0.2.4 -all"),
		"e9.example.com. A 192.0.2.21",
		txt("e10.example.com.", "v=spf1 a -all"),
		txt("e11.example.com.", "v=spf1 a:err.example.com a:err1.example.com a:err2.example.com ?all"),
		txt("e12.example.com.", "v=spf1 a:err.example.com a:err1.example.com ?all"),
		txt("e13.example.com.", "v=spf1 a:empty.example.com mx:empty.example.com exists:none.example.com ?all"),
		"empty.example.com. TXT \"not an address\"",
	}, mxs...), ptrs...), as...)...)
	runCases(t, z, nil, []hostCase{
		{name: "redirect loop", spec: "4.6.4", ip: "192.0.2.4", helo: "mail.example.com", mailFrom: "foo@e1.example.com", want: v(PermError)},
		{name: "include loop", spec: "4.6.4", ip: "192.0.2.4", helo: "mail.example.com", mailFrom: "foo@e2.example.com", want: v(PermError)},
		{name: "more than 10 MX", spec: "4.6.4", ip: "192.0.2.5", helo: "mail.example.com", mailFrom: "foo@e4.example.com", want: v(PermError)},
		{name: "only 10 PTR names", spec: "4.6.4", ip: "192.0.2.5", helo: "mail.example.com", mailFrom: "foo@e5.example.com", want: v(Neutral)},
		{name: "no limit on A records", spec: "4.6.4", ip: "192.0.2.12", helo: "mail.example.com", mailFrom: "foo@e10.example.com", want: v(Pass)},
		{name: "10 lookups", spec: "4.6.4", ip: "192.0.2.4", helo: "mail.example.com", mailFrom: "foo@e6.example.com", want: v(Pass)},
		{name: "11 lookups", spec: "4.6.4", ip: "192.0.2.4", helo: "mail.example.com", mailFrom: "foo@e7.example.com", want: v(PermError)},
		{name: "10 with an include", spec: "4.6.4", ip: "192.0.2.4", helo: "mail.example.com", mailFrom: "foo@e8.example.com", want: v(Pass)},
		{name: "11 with an include", spec: "4.6.4", ip: "192.0.2.4", helo: "mail.example.com", mailFrom: "foo@e9.example.com", want: v(PermError)},
		{name: "2 void lookups", spec: "4.6.4", ip: "192.0.2.4", helo: "mail.example.com", mailFrom: "foo@e12.example.com", want: v(Neutral)},
		{name: "3 void lookups", spec: "4.6.4", ip: "192.0.2.4", helo: "mail.example.com", mailFrom: "foo@e11.example.com", want: v(PermError)},
		{name: "empty answers are void too", spec: "4.6.4", ip: "192.0.2.4", helo: "mail.example.com", mailFrom: "foo@e13.example.com", want: v(PermError)},
	})
}

func itoa(i int) string {
	if i < 10 {
		return string(rune('0' + i))
	}
	return string(rune('0'+i/10)) + string(rune('0'+i%10))
}

func TestCountsAndErrors(t *testing.T) {
	s := resolvetest.Start(t, zone(
		txt("example.com.", "v=spf1 a mx include:_spf.example.net -all"),
		"example.com. A 198.51.100.1",
		"example.com. MX 10 mail.example.com.",
		"mail.example.com. A 198.51.100.2",
		txt("_spf.example.net.", "v=spf1 a:nothing.example.net ip4:192.0.2.0/24 ~all"),
		txt("over.example.com.", "v=spf1 a a a a a a a a a a a -all"),
		"over.example.com. A 198.51.100.1",
		txt("void.example.com.", "v=spf1 a:v1.example.com a:v2.example.com a:v3.example.com -all"),
		txt("bad.example.com.", "v=spf1 ip4:192.0.2.1/33 -all"),
	))
	r := s.Resolver()
	ctx := context.Background()
	ip := netip.MustParseAddr("192.0.2.3")

	res := CheckHost(ctx, r, ip, "example.com", "strong-bad@example.com")
	if res.Verdict != Pass || res.Mechanism != "include:_spf.example.net" || res.MatchedIn != "example.com" {
		t.Errorf("got %s by %q in %q, want pass by include:_spf.example.net in example.com", res.Verdict, res.Mechanism, res.MatchedIn)
	}
	if res.Lookups != 4 || res.VoidLookups != 1 {
		t.Errorf("lookups %d, void %d; want 4 and 1", res.Lookups, res.VoidLookups)
	}
	// TXT example.com, A, MX, A of mail, TXT _spf, A nothing.
	if res.Queries != 6 {
		t.Errorf("queries %d, want 6", res.Queries)
	}

	res = CheckHost(ctx, r, ip, "over.example.com", "")
	var le *LimitError
	if res.Verdict != PermError || !errors.As(res.Err, &le) || le.Limit != "DNS lookups" || le.Max != 10 || res.Lookups != 10 {
		t.Errorf("over the limit: %s, %v, lookups %d", res.Verdict, res.Err, res.Lookups)
	}
	res = CheckHost(ctx, r, ip, "void.example.com", "")
	if res.Verdict != PermError || !errors.As(res.Err, &le) || le.Limit != "void lookups" || res.VoidLookups != 3 {
		t.Errorf("void lookups: %s, %v, void %d", res.Verdict, res.Err, res.VoidLookups)
	}
	res = CheckHost(ctx, r, ip, "void.example.com", "", WithVoidLimit(3))
	if res.Verdict != Fail {
		t.Errorf("void limit of 3: %s, want fail", res.Verdict)
	}
	res = CheckHost(ctx, r, ip, "bad.example.com", "")
	var se *SyntaxError
	if res.Verdict != PermError || !errors.As(res.Err, &se) || se.Pos != 1 {
		t.Errorf("syntax error: %s, %v", res.Verdict, res.Err)
	}
	if !strings.Contains(res.Reason, `term 1 "ip4:192.0.2.1/33": CIDR length 33 is more than 32`) {
		t.Errorf("reason %q does not name the term", res.Reason)
	}
	res = CheckHost(ctx, r, netip.Addr{}, "example.com", "")
	if res.Verdict != PermError || res.Err == nil {
		t.Errorf("no IP: %s, %v", res.Verdict, res.Err)
	}
}

func TestTrace(t *testing.T) {
	s := resolvetest.Start(t, zone(
		txt("example.com.", "v=spf1 ip4:198.51.100.0/24 include:_spf.example.net -all"),
		txt("_spf.example.net.", "v=spf1 ip4:192.0.2.0/24 ~all"),
	))
	res := CheckHost(context.Background(), s.Resolver(), netip.MustParseAddr("192.0.2.3"), "example.com", "")
	var got []string
	for _, st := range res.Steps {
		got = append(got, st.String())
	}
	want := []string{
		"checking whether 192.0.2.3 may send mail for example.com (sender postmaster@example.com)",
		`the SPF record of example.com is "v=spf1 ip4:198.51.100.0/24 include:_spf.example.net -all"`,
		"ip4:198.51.100.0/24: does not match: 192.0.2.3 is not in 198.51.100.0/24",
		"include:_spf.example.net: checking the record of _spf.example.net (DNS lookup 1 of 10)",
		`  the SPF record of _spf.example.net is "v=spf1 ip4:192.0.2.0/24 ~all"`,
		"  ip4:192.0.2.0/24: 192.0.2.3 is in 192.0.2.0/24",
		"  ip4:192.0.2.0/24: matched, so _spf.example.net's result is pass",
		"include:_spf.example.net: _spf.example.net gave pass, so the include matches",
		"include:_spf.example.net: matched, so example.com's result is pass",
		"the result is pass: include:_spf.example.net in the record of example.com matched",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("steps:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if res.Steps[4].Depth != 1 || res.Steps[4].Domain != "_spf.example.net" || res.Steps[4].Kind != StepRecord {
		t.Errorf("step 4 = %+v", res.Steps[4])
	}
}

func TestTimeLimit(t *testing.T) {
	s := resolvetest.Start(t, zone(txt("example.com.", "v=spf1 a:slow.example.com -all")))
	s.Timeout("slow.example.com")
	// The resolver would wait 30 seconds for the slow name; only the
	// check's own 100 ms limit can end it within a few seconds, however
	// busy the machine.
	start := time.Now()
	res := CheckHost(context.Background(), s.Resolver(resolve.WithTimeout(30*time.Second)), netip.MustParseAddr("192.0.2.3"), "example.com", "", WithTimeLimit(100*time.Millisecond))
	if res.Verdict != TempError {
		t.Errorf("got %s, want temperror", res.Verdict)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("took %v: the 100 ms limit was not applied", d)
	}
}

func TestCaching(t *testing.T) {
	s := resolvetest.Start(t, zone(
		txt("example.com.", "v=spf1 a mx include:_spf.example.net -all"),
		"example.com. A 198.51.100.1",
		"example.com. MX 10 mail.example.com.",
		"mail.example.com. A 198.51.100.2",
		txt("_spf.example.net.", "v=spf1 ip4:192.0.2.0/24 ~all"),
	))
	r := s.Resolver()
	for range 5 {
		CheckHost(context.Background(), r, netip.MustParseAddr("192.0.2.3"), "example.com", "")
	}
	if n := s.Total(); n != 5 {
		t.Errorf("5 checks asked %d questions, want 5 (the first check's)", n)
	}
}
