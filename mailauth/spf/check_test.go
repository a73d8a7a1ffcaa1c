package spf

import (
	"strings"
	"testing"

	"github.com/handwash/handwash/resolve/resolvetest"
)

var label63 = strings.Repeat("a", 63)

// Section 4.3: initial processing of the domain and sender.
func TestInitialProcessing(t *testing.T) {
	z := zone(
		txt("example.net.", "v=spf1 -all exp=exp.example.net"),
		txt("exp.example.net.", "%{l}"),
		txt(label63+".example.com.", "v=spf1 -all"),
		txt("hosed.example.com.", "v=spf1 a:\xEF\xBB\xBFgarbage.example.net -all"),
		txt("hosed2.example.com.", "v=spf1 \x80a:example.net -all"),
		txt("hosed3.example.com.", "v=spf1 a:example.net \x96all"),
		txt("nothosed.example.com.", "v=spf1 a:example.net -all"),
		txt("nothosed.example.com.", "\x96"),
		txt("ctrl.example.com.", "v=spf1 a:ctrl.example.com\rptr -all"),
		"ctrl.example.com. A 192.0.2.3",
		txt("fine.example.com.", "v=spf1 a  -all"),
	)
	runCases(t, z, nil, []hostCase{
		{name: "label over 63", spec: "4.3", ip: "192.0.2.5", helo: "mail.example.net", mailFrom: "lyme@a" + label63 + ".example.com", want: v(None)},
		{name: "label of 63", spec: "4.3", ip: "192.0.2.5", helo: "mail.example.net", mailFrom: "lyme@" + label63 + ".example.com", want: v(Fail)},
		{name: "empty label", spec: "4.3", ip: "192.0.2.5", helo: "mail.example.net", mailFrom: "lyme@a...example.com", want: v(None)},
		{name: "name over 253", spec: "4.3", ip: "192.0.2.5", helo: "mail.example.net", mailFrom: "x@" + strings.Repeat(label63+".", 4) + "com", want: v(None)},
		{name: "HELO of one label", spec: "4.3", ip: "192.0.2.5", helo: "A2345678", mailFrom: "", want: v(None)},
		{name: "HELO address literal", spec: "4.3", ip: "192.0.2.5", helo: "[192.0.2.5]", mailFrom: "", want: v(None)},
		{name: "sender address literal", spec: "4.3", ip: "192.0.2.5", helo: "OEMCOMPUTER", mailFrom: "foo@[192.0.2.5]", want: v(None)},
		{name: "no local part", spec: "4.3", ip: "192.0.2.4", helo: "mail.example.net", mailFrom: "@example.net", want: v(Fail), exp: str("postmaster")},
		{name: "null sender checks HELO as postmaster", spec: "2.4", ip: "192.0.2.4", helo: "example.net", mailFrom: "", want: v(Fail), exp: str("postmaster")},
		{name: "non-ASCII in a domain", spec: "3.1", ip: "192.0.2.4", helo: "hosed", mailFrom: "foobar@hosed.example.com", want: v(PermError)},
		{name: "non-ASCII before a mechanism", spec: "3.1", ip: "192.0.2.4", helo: "hosed", mailFrom: "foobar@hosed2.example.com", want: v(PermError)},
		{name: "non-ASCII qualifier", spec: "3.1", ip: "192.0.2.4", helo: "hosed", mailFrom: "foobar@hosed3.example.com", want: v(PermError)},
		{name: "non-ASCII in another TXT record", spec: "4.5", ip: "192.0.2.4", helo: "hosed", mailFrom: "foobar@nothosed.example.com", want: v(Fail), exp: str("")},
		{name: "control character separates nothing", spec: "4.6.1", ip: "192.0.2.3", helo: "hosed", mailFrom: "foobar@ctrl.example.com", want: v(PermError)},
		{name: "two spaces", spec: "4.6.1", ip: "192.0.2.4", helo: "hosed", mailFrom: "actually@fine.example.com", want: v(Fail)},
	})
}

// Section 4.4: looking the record up.
func TestRecordLookup(t *testing.T) {
	z := zone(
		txt("txt.example.net.", "v=spf1 -all"),
		txt("split.example.net.", "v=spf1 ", "ip4:192.0.2.4", " -all"),
		txt("servfail.example.net.", "v=spf1 +all"),
		"nospf.example.net. A 192.0.2.4",
	)
	runCases(t, z, func(s *resolvetest.Server) {
		s.Timeout("timeout.example.net")
		s.ServFail("servfail.example.net")
	}, []hostCase{
		{name: "TXT", spec: "4.4", ip: "192.0.2.4", helo: "mail.example.net", mailFrom: "foo@txt.example.net", want: v(Fail)},
		{name: "strings joined", spec: "3.3", ip: "192.0.2.4", helo: "mail.example.net", mailFrom: "foo@split.example.net", want: v(Pass)},
		{name: "timeout", spec: "4.4", ip: "192.0.2.4", helo: "mail.example.net", mailFrom: "foo@timeout.example.net", want: v(TempError)},
		{name: "SERVFAIL", spec: "4.4", ip: "192.0.2.4", helo: "mail.example.net", mailFrom: "foo@servfail.example.net", want: v(TempError)},
		{name: "no such domain", spec: "4.3", ip: "192.0.2.4", helo: "mail.example.net", mailFrom: "foo@nowhere.example.net", want: v(None)},
		{name: "no TXT records", spec: "4.5", ip: "192.0.2.4", helo: "mail.example.net", mailFrom: "foo@nospf.example.net", want: v(None)},
	})
}

// Section 4.5: choosing the record.
func TestRecordSelection(t *testing.T) {
	z := zone(
		txt("example3.com.", "v=spf10"),
		txt("example3.com.", "v=spf1 mx"),
		"example3.com. MX 0 mail.example1.com.",
		txt("example1.com.", "v=spf1"),
		txt("example2.com.", "v=spf1", "mx"),
		"mail.example1.com. A 192.0.2.4",
		txt("example5.com.", "v=spf1 -all"),
		txt("example5.com.", "v=spf1 +all"),
		txt("example6.com.", "v=spf1 -all"),
		txt("example6.com.", "V=sPf1 +all"),
		txt("example9.com.", "v=SpF1 ~all"),
		txt("example10.com.", "google-site-verification=abc"),
		txt("example10.com.", "v=spf1 ip4:192.0.2.4 -all"),
		txt("example10.com.", "v=DMARC1; p=none"),
	)
	runCases(t, z, nil, []hostCase{
		{name: "version runs into a term", spec: "4.5", ip: "192.0.2.4", helo: "mail.example1.com", mailFrom: "foo@example2.com", want: v(None)},
		{name: "empty record", spec: "4.5", ip: "192.0.2.4", helo: "mail1.example1.com", mailFrom: "foo@example1.com", want: v(Neutral)},
		{name: "v=spf10 is not a record", spec: "4.5", ip: "192.0.2.4", helo: "mail.example1.com", mailFrom: "foo@example3.com", want: v(Pass)},
		{name: "two records", spec: "4.5", ip: "192.0.2.4", helo: "mail.example1.com", mailFrom: "foo@example5.com", want: v(PermError)},
		{name: "two records in different case", spec: "4.5", ip: "192.0.2.4", helo: "mail.example1.com", mailFrom: "foo@example6.com", want: v(PermError)},
		{name: "no record", spec: "4.5", ip: "192.0.2.4", helo: "mail.example1.com", mailFrom: "foo@mail.example1.com", want: v(None)},
		{name: "version in any case", spec: "4.5", ip: "192.0.2.4", helo: "mail.example1.com", mailFrom: "foo@example9.com", want: v(SoftFail)},
		{name: "other TXT records ignored", spec: "4.5", ip: "192.0.2.4", helo: "mail.example1.com", mailFrom: "foo@example10.com", want: v(Pass), mech: "ip4:192.0.2.4"},
	})
}

// Sections 4.6 and 4.7: evaluating the record.
func TestRecordEvaluation(t *testing.T) {
	z := zone(
		"mail.example.com. A 192.0.2.4",
		txt("t1.example.com.", "v=spf1 ip4:192.0.2.4 -all moo"),
		txt("t2.example.com.", "v=spf1 moo.cow-far_out=man:dog/cat ip4:192.0.2.4 -all"),
		txt("t3.example.com.", "v=spf1 moo.cow/far_out=man:dog/cat ip4:192.0.2.4 -all"),
		txt("t4.example.com.", "v=spf1 moo.cow:far_out=man:dog/cat ip4:192.0.2.4 -all"),
		txt("t5.example.com.", "v=spf1 redirect=t5.example.com ~all"),
		txt("t6.example.com.", "v=spf1 ip4:192.0.2.4 redirect=t2.example.com"),
		txt("t7.example.com.", "v=spf1 ip4:192.0.2.4"),
		txt("t8.example.com.", "v=spf1 ip4:192.0.2.4 redirect:t2.example.com"),
		txt("t9.example.com.", "v=spf1 a:foo-bar -all"),
		txt("t10.example.com.", "v=spf1 a:mail.example...com -all"),
		txt("t11.example.com.", "v=spf1 a:a"+label63+".example.com -all"),
		txt("t12.example.com.", "v=spf1 a:%{H}.bar -all"),
	)
	runCases(t, z, nil, []hostCase{
		{name: "errors anywhere", spec: "4.6", ip: "192.0.2.4", helo: "mail.example.com", mailFrom: "foo@t1.example.com", want: v(PermError)},
		{name: "modifier name characters", spec: "4.6.1", ip: "192.0.2.4", helo: "mail.example.com", mailFrom: "foo@t2.example.com", want: v(Pass)},
		{name: "slash before =", spec: "4.6.1", ip: "192.0.2.4", helo: "mail.example.com", mailFrom: "foo@t3.example.com", want: v(PermError)},
		{name: "colon before =", spec: "4.6.1", ip: "192.0.2.4", helo: "mail.example.com", mailFrom: "foo@t4.example.com", want: v(PermError)},
		{name: "redirect ignored with all", spec: "6.1", ip: "192.0.2.4", helo: "mail.example.com", mailFrom: "foo@t5.example.com", want: v(SoftFail)},
		{name: "redirect after mechanisms", spec: "4.6.3", ip: "192.0.2.5", helo: "mail.example.com", mailFrom: "foo@t6.example.com", want: v(Fail), mech: "-all"},
		{name: "default neutral", spec: "4.7", ip: "192.0.2.5", helo: "mail.example.com", mailFrom: "foo@t7.example.com", want: v(Neutral)},
		{name: "redirect is a modifier", spec: "4.6.1", ip: "192.0.2.4", helo: "mail.example.com", mailFrom: "foo@t8.example.com", want: v(PermError)},
		{name: "domain without a top label", spec: "7.1", ip: "192.0.2.4", helo: "mail.example.com", mailFrom: "foo@t9.example.com", want: v(PermError)},
		{name: "empty label matches nothing", spec: "4.8", ip: "192.0.2.4", helo: "mail.example.com", mailFrom: "foo@t10.example.com", want: v(Fail)},
		{name: "long label matches nothing", spec: "4.8", ip: "192.0.2.4", helo: "mail.example.com", mailFrom: "foo@t11.example.com", want: v(Fail)},
		{name: "long label from a macro", spec: "4.8", ip: "192.0.2.4", helo: strings.Repeat("%", 22), mailFrom: "foo@t12.example.com", want: v(Fail)},
	})
}

// Section 5.1: all.
func TestAll(t *testing.T) {
	z := zone(
		txt("e1.example.com.", "v=spf1 -all."),
		txt("e2.example.com.", "v=spf1 -all:foobar"),
		txt("e3.example.com.", "v=spf1 -all/8"),
		txt("e4.example.com.", "v=spf1 ?all"),
		txt("e5.example.com.", "v=spf1 all -all"),
		txt("e6.example.com.", "v=spf1 ~all ip4:192.0.2.4"),
	)
	runCases(t, z, nil, []hostCase{
		{name: "all.", spec: "5.1", ip: "192.0.2.4", helo: "mail.example.com", mailFrom: "foo@e1.example.com", want: v(PermError)},
		{name: "all:domain", spec: "5.1", ip: "192.0.2.4", helo: "mail.example.com", mailFrom: "foo@e2.example.com", want: v(PermError)},
		{name: "all/cidr", spec: "5.1", ip: "192.0.2.4", helo: "mail.example.com", mailFrom: "foo@e3.example.com", want: v(PermError)},
		{name: "?all", spec: "5.1", ip: "192.0.2.4", helo: "mail.example.com", mailFrom: "foo@e4.example.com", want: v(Neutral)},
		{name: "the first all wins", spec: "5.1", ip: "192.0.2.4", helo: "mail.example.com", mailFrom: "foo@e5.example.com", want: v(Pass)},
		{name: "terms after all are never reached", spec: "5.1", ip: "192.0.2.4", helo: "mail.example.com", mailFrom: "foo@e6.example.com", want: v(SoftFail), mech: "~all"},
	})
}

// Section 5.2: include.
func TestInclude(t *testing.T) {
	z := zone(
		"mail.example.com. A 192.0.2.4",
		txt("ip5.example.com.", "v=spf1 ip4:192.0.2.5 -all"),
		txt("ip6.example.com.", "v=spf1 ip4:192.0.2.6 ~all"),
		txt("ip7.example.com.", "v=spf1 ip4:192.0.2.7 ?all"),
		txt("pass.example.com.", "v=spf1 ip4:192.0.2.4 -all"),
		txt("erehwon.example.com.", "v=spfl am not an SPF record"),
		txt("e1.example.com.", "v=spf1 include:ip5.example.com ~all"),
		txt("e2.example.com.", "v=spf1 include:ip6.example.com all"),
		txt("e3.example.com.", "v=spf1 include:ip7.example.com -all"),
		txt("e4.example.com.", "v=spf1 include:ip8.example.com -all"),
		txt("e5.example.com.", "v=spf1 include:e6.example.com -all"),
		txt("e6.example.com.", "v=spf1 include +all"),
		txt("e7.example.com.", "v=spf1 include:erehwon.example.com -all"),
		txt("e8.example.com.", "v=spf1 include: -all"),
		txt("e9.example.com.", "v=spf1 include:ip5.example.com/24 -all"),
		txt("e10.example.com.", "v=spf1 -include:pass.example.com +all"),
		txt("e11.example.com.", "v=spf1 include:nowhere.example.com -all"),
		txt("e12.example.com.", "v=spf1 ?include:pass.example.com -all"),
	)
	runCases(t, z, func(s *resolvetest.Server) { s.Timeout("ip8.example.com") }, []hostCase{
		{name: "fail does not match", spec: "5.2", ip: "192.0.2.4", helo: "mail.example.com", mailFrom: "foo@e1.example.com", want: v(SoftFail)},
		{name: "softfail does not match", spec: "5.2", ip: "192.0.2.4", helo: "mail.example.com", mailFrom: "foo@e2.example.com", want: v(Pass), mech: "all"},
		{name: "neutral does not match", spec: "5.2", ip: "192.0.2.4", helo: "mail.example.com", mailFrom: "foo@e3.example.com", want: v(Fail)},
		{name: "temperror", spec: "5.2", ip: "192.0.2.4", helo: "mail.example.com", mailFrom: "foo@e4.example.com", want: v(TempError)},
		{name: "permerror", spec: "5.2", ip: "192.0.2.4", helo: "mail.example.com", mailFrom: "foo@e5.example.com", want: v(PermError)},
		{name: "no domain", spec: "5.2", ip: "192.0.2.4", helo: "mail.example.com", mailFrom: "foo@e6.example.com", want: v(PermError)},
		{name: "CIDR", spec: "5.2", ip: "192.0.2.4", helo: "mail.example.com", mailFrom: "foo@e9.example.com", want: v(PermError)},
		{name: "none is permerror", spec: "5.2", ip: "192.0.2.4", helo: "mail.example.com", mailFrom: "foo@e7.example.com", want: v(PermError)},
		{name: "no such domain is permerror", spec: "5.2", ip: "192.0.2.4", helo: "mail.example.com", mailFrom: "foo@e11.example.com", want: v(PermError)},
		{name: "empty domain", spec: "5.2", ip: "192.0.2.4", helo: "mail.example.com", mailFrom: "foo@e8.example.com", want: v(PermError)},
		{name: "pass with a qualifier", spec: "5.2", ip: "192.0.2.4", helo: "mail.example.com", mailFrom: "foo@e10.example.com", want: v(Fail), mech: "-include:pass.example.com"},
		{name: "pass with ?", spec: "5.2", ip: "192.0.2.4", helo: "mail.example.com", mailFrom: "foo@e12.example.com", want: v(Neutral)},
		{name: "outer record goes on", spec: "5.2", ip: "192.0.2.9", helo: "mail.example.com", mailFrom: "foo@e12.example.com", want: v(Fail)},
	})
}

// Section 5.3: a.
func TestA(t *testing.T) {
	z := zone(
		"mail.example.com. A 192.0.2.4",
		txt("e1.example.com.", "v=spf1 a/0 -all"),
		"e2.example.com. A 198.51.100.1",
		"e2.example.com. AAAA 2001:db8::2",
		txt("e2.example.com.", "v=spf1 a/0 -all"),
		"e2a.example.com. AAAA 2001:db8::1",
		txt("e2a.example.com.", "v=spf1 a//0 -all"),
		"e2b.example.com. A 198.51.100.1",
		txt("e2b.example.com.", "v=spf1 a//0 -all"),
		"ipv6.example.com. AAAA 2001:db8::1",
		"ipv6.example.com. A 198.51.100.1",
		txt("ipv6.example.com.", "v=spf1 a -all"),
		txt("e3.example.com.", "v=spf1 a:foo.example.com\x00"),
		txt("e4.example.com.", "v=spf1 a:111.222.33.44"),
		txt("e5.example.com.", "v=spf1 a:abc.123"),
		txt("e5a.example.com.", "v=spf1 a:museum"),
		txt("e5b.example.com.", "v=spf1 a:museum."),
		txt("e6.example.com.", "v=spf1 a//33 -all"),
		txt("e6a.example.com.", "v=spf1 a/33 -all"),
		txt("e7.example.com.", "v=spf1 a//129 -all"),
		"e8.example.com. A 192.0.2.5",
		"e8.example.com. AAAA 2001:db8:1234::dead:beef",
		txt("e8.example.com.", "v=spf1 a/24//64 -all"),
		"e8e.example.com. A 192.0.2.5",
		txt("e8e.example.com.", "v=spf1 a/24/64 -all"),
		"e8a.example.com. A 192.0.2.5",
		"e8a.example.com. AAAA 2001:db8:1234::dead:beef",
		txt("e8a.example.com.", "v=spf1 a/24 -all"),
		"e8b.example.com. A 192.0.2.5",
		"e8b.example.com. AAAA 2001:db8:1234::dead:beef",
		txt("e8b.example.com.", "v=spf1 a//64 -all"),
		txt("e9.example.com.", "v=spf1 a:example.com:8080"),
		txt("e10.example.com.", "v=spf1 a:foo.example.com/24"),
		"foo.example.com. A 198.51.100.1",
		"foo.example.com. A 192.0.2.5",
		txt("e11.example.com.", "v=spf1 a:foo:bar/baz.example.com"),
		"foo:bar/baz.example.com. A 192.0.2.4",
		txt("e12.example.com.", "v=spf1 a:example.-com"),
		txt("e13.example.com.", "v=spf1 a:"),
		txt("e14.example.com.", "v=spf1 a:foo.example.xn--zckzah -all"),
		"foo.example.xn--zckzah. A 192.0.2.4",
		txt("e15.example.com.", "v=spf1 a:alias.example.com -all"),
		"alias.example.com. CNAME mail.example.com.",
	)
	runCases(t, z, nil, []hostCase{
		{name: "cidr6 on IPv4", spec: "5.3", ip: "192.0.2.4", helo: "mail.example.com", mailFrom: "foo@e6.example.com", want: v(Fail)},
		{name: "bad cidr4", spec: "5.3", ip: "192.0.2.4", helo: "mail.example.com", mailFrom: "foo@e6a.example.com", want: v(PermError)},
		{name: "bad cidr6", spec: "5.3", ip: "192.0.2.4", helo: "mail.example.com", mailFrom: "foo@e7.example.com", want: v(PermError)},
		{name: "dual cidr IPv4", spec: "5.3", ip: "192.0.2.4", helo: "mail.example.com", mailFrom: "foo@e8.example.com", want: v(Pass)},
		{name: "dual cidr with one slash", spec: "5.3", ip: "192.0.2.4", helo: "mail.example.com", mailFrom: "foo@e8e.example.com", want: v(PermError)},
		{name: "dual cidr IPv6", spec: "5.3", ip: "2001:db8:1234::cafe:babe", helo: "mail.example.com", mailFrom: "foo@e8.example.com", want: v(Pass)},
		{name: "IPv4 cidr default", spec: "5.3", ip: "192.0.2.4", helo: "mail.example.com", mailFrom: "foo@e8b.example.com", want: v(Fail)},
		{name: "IPv6 cidr default", spec: "5.3", ip: "2001:db8:1234::cafe:babe", helo: "mail.example.com", mailFrom: "foo@e8a.example.com", want: v(Fail)},
		{name: "any address matches", spec: "5.3", ip: "192.0.2.4", helo: "mail.example.com", mailFrom: "foo@e10.example.com", want: v(Pass)},
		{name: "port in domain", spec: "7.1", ip: "192.0.2.4", helo: "mail.example.com", mailFrom: "foo@e9.example.com", want: v(PermError)},
		{name: "no records with /0", spec: "5.3", ip: "192.0.2.4", helo: "mail.example.com", mailFrom: "foo@e1.example.com", want: v(Fail)},
		{name: "/0 matches any IPv4", spec: "5.3", ip: "192.0.2.4", helo: "mail.example.com", mailFrom: "foo@e2.example.com", want: v(Pass)},
		{name: "/0 is not for IPv6", spec: "5.3", ip: "2001:db8::99", helo: "mail.example.com", mailFrom: "foo@e2.example.com", want: v(Fail)},
		{name: "//0 is not for IPv4", spec: "5.3", ip: "192.0.2.4", helo: "mail.example.com", mailFrom: "foo@e2a.example.com", want: v(Fail)},
		{name: "//0 is not for IPv4-mapped", spec: "5", ip: "::FFFF:192.0.2.4", helo: "mail.example.com", mailFrom: "foo@e2a.example.com", want: v(Fail)},
		{name: "//0 matches any IPv6", spec: "5.3", ip: "2001:db8::99", helo: "mail.example.com", mailFrom: "foo@e2a.example.com", want: v(Pass)},
		{name: "dual stack", spec: "5.3", ip: "2001:db8::1", helo: "mail.example.com", mailFrom: "foo@ipv6.example.com", want: v(Pass)},
		{name: "//0 with no AAAA", spec: "5.3", ip: "2001:db8::99", helo: "mail.example.com", mailFrom: "foo@e2b.example.com", want: v(Fail)},
		{name: "NUL in domain", spec: "7.1", ip: "192.0.2.5", helo: "mail.example.com", mailFrom: "foo@e3.example.com", want: v(PermError)},
		{name: "IP address as domain", spec: "7.1", ip: "192.0.2.4", helo: "mail.example.com", mailFrom: "foo@e4.example.com", want: v(PermError)},
		{name: "numeric top label", spec: "7.1", ip: "192.0.2.4", helo: "mail.example.com", mailFrom: "foo@e5.example.com", want: v(PermError)},
		{name: "hyphens in top label", spec: "7.1", ip: "192.0.2.4", helo: "mail.example.com", mailFrom: "foo@e14.example.com", want: v(Pass)},
		{name: "top label starts with hyphen", spec: "7.1", ip: "192.0.2.4", helo: "mail.example.com", mailFrom: "foo@e12.example.com", want: v(PermError)},
		{name: "only a top label", spec: "7.1", ip: "192.0.2.4", helo: "mail.example.com", mailFrom: "foo@e5a.example.com", want: v(PermError)},
		{name: "only a top label and a dot", spec: "7.1", ip: "192.0.2.4", helo: "mail.example.com", mailFrom: "foo@e5b.example.com", want: v(PermError)},
		{name: "colon and slash in domain", spec: "7.1", ip: "192.0.2.4", helo: "mail.example.com", mailFrom: "foo@e11.example.com", want: v(Pass)},
		{name: "colon and slash, IPv4-mapped", spec: "7.1", ip: "::FFFF:192.0.2.4", helo: "mail.example.com", mailFrom: "foo@e11.example.com", want: v(Pass)},
		{name: "empty domain", spec: "5.3", ip: "192.0.2.4", helo: "mail.example.com", mailFrom: "foo@e13.example.com", want: v(PermError)},
		{name: "CNAME followed", spec: "5.3", ip: "192.0.2.4", helo: "mail.example.com", mailFrom: "foo@e15.example.com", want: v(Pass)},
	})
}

// Section 5.4: mx.
func TestMX(t *testing.T) {
	z := zone(
		"mail.example.com. A 192.0.2.4",
		"mail.example.com. MX 0 .",
		txt("mail.example.com.", "v=spf1 mx"),
		txt("e1.example.com.", "v=spf1 mx/0 -all"),
		"e1.example.com. MX 0 e1.example.com.",
		"e2.example.com. A 198.51.100.1",
		"e2.example.com. AAAA 2001:db8::2",
		"e2.example.com. MX 0 e2.example.com.",
		txt("e2.example.com.", "v=spf1 mx/0 -all"),
		"e2a.example.com. AAAA 2001:db8::1",
		"e2a.example.com. MX 0 e2a.example.com.",
		txt("e2a.example.com.", "v=spf1 mx//0 -all"),
		"e2b.example.com. A 198.51.100.1",
		"e2b.example.com. MX 0 e2b.example.com.",
		txt("e2b.example.com.", "v=spf1 mx//0 -all"),
		txt("e3.example.com.", "v=spf1 mx:foo.example.com\x00"),
		txt("e4.example.com.", "v=spf1 mx"),
		"e4.example.com. A 192.0.2.4",
		txt("e5.example.com.", "v=spf1 mx:abc.123"),
		txt("e6.example.com.", "v=spf1 mx//33 -all"),
		txt("e6a.example.com.", "v=spf1 mx/33 -all"),
		txt("e7.example.com.", "v=spf1 mx//129 -all"),
		txt("e9.example.com.", "v=spf1 mx:example.com:8080"),
		txt("e10.example.com.", "v=spf1 mx:foo.example.com/24"),
		"foo.example.com. MX 0 foo1.example.com.",
		"foo1.example.com. A 198.51.100.1",
		"foo1.example.com. A 192.0.2.5",
		txt("e11.example.com.", "v=spf1 mx:foo:bar/baz.example.com"),
		"foo:bar/baz.example.com. MX 0 foo:bar/baz.example.com.",
		"foo:bar/baz.example.com. A 192.0.2.4",
		txt("e12.example.com.", "v=spf1 mx:example.-com"),
		txt("e13.example.com.", "v=spf1 mx: -all"),
		txt("e14.example.com.", "v=spf1 mx:several.example.com -all"),
		"several.example.com. MX 20 second.example.com.",
		"several.example.com. MX 10 first.example.com.",
		"first.example.com. A 198.51.100.9",
		"second.example.com. A 192.0.2.4",
	)
	runCases(t, z, nil, []hostCase{
		{name: "cidr6 on IPv4", spec: "5.4", ip: "192.0.2.4", helo: "mail.example.com", mailFrom: "foo@e6.example.com", want: v(Fail)},
		{name: "bad cidr4", spec: "5.4", ip: "192.0.2.4", helo: "mail.example.com", mailFrom: "foo@e6a.example.com", want: v(PermError)},
		{name: "bad cidr6", spec: "5.4", ip: "192.0.2.4", helo: "mail.example.com", mailFrom: "foo@e7.example.com", want: v(PermError)},
		{name: "any address matches", spec: "5.4", ip: "192.0.2.4", helo: "mail.example.com", mailFrom: "foo@e10.example.com", want: v(Pass)},
		{name: "port in domain", spec: "7.1", ip: "192.0.2.4", helo: "mail.example.com", mailFrom: "foo@e9.example.com", want: v(PermError)},
		{name: "exchanger without addresses", spec: "5.4", ip: "192.0.2.4", helo: "mail.example.com", mailFrom: "foo@e1.example.com", want: v(Fail)},
		{name: "/0", spec: "5.4", ip: "192.0.2.4", helo: "mail.example.com", mailFrom: "foo@e2.example.com", want: v(Pass)},
		{name: "/0 not for IPv6", spec: "5.4", ip: "2001:db8::99", helo: "mail.example.com", mailFrom: "foo@e2.example.com", want: v(Fail)},
		{name: "//0 not for IPv4", spec: "5.4", ip: "192.0.2.4", helo: "mail.example.com", mailFrom: "foo@e2a.example.com", want: v(Fail)},
		{name: "//0 not for IPv4-mapped", spec: "5", ip: "::FFFF:192.0.2.4", helo: "mail.example.com", mailFrom: "foo@e2a.example.com", want: v(Fail)},
		{name: "//0 for IPv6", spec: "5.4", ip: "2001:db8::99", helo: "mail.example.com", mailFrom: "foo@e2a.example.com", want: v(Pass)},
		{name: "//0 without AAAA", spec: "5.4", ip: "2001:db8::99", helo: "mail.example.com", mailFrom: "foo@e2b.example.com", want: v(Fail)},
		{name: "NUL in domain", spec: "7.1", ip: "192.0.2.5", helo: "mail.example.com", mailFrom: "foo@e3.example.com", want: v(PermError)},
		{name: "numeric top label", spec: "7.1", ip: "192.0.2.4", helo: "mail.example.com", mailFrom: "foo@e5.example.com", want: v(PermError)},
		{name: "colon in domain", spec: "7.1", ip: "192.0.2.4", helo: "mail.example.com", mailFrom: "foo@e11.example.com", want: v(Pass)},
		{name: "colon in domain, IPv4-mapped", spec: "7.1", ip: "::FFFF:192.0.2.4", helo: "mail.example.com", mailFrom: "foo@e11.example.com", want: v(Pass)},
		{name: "bad top label", spec: "7.1", ip: "192.0.2.4", helo: "mail.example.com", mailFrom: "foo@e12.example.com", want: v(PermError)},
		{name: "null MX", spec: "5.4", ip: "192.0.2.4", helo: "mail.example.com", mailFrom: "", want: v(Neutral)},
		{name: "no MX is not an implicit MX", spec: "5.4", ip: "192.0.2.4", helo: "mail.example.com", mailFrom: "foo@e4.example.com", want: v(Neutral)},
		{name: "empty domain", spec: "5.4", ip: "192.0.2.4", helo: "mail.example.com", mailFrom: "foo@e13.example.com", want: v(PermError)},
		{name: "second exchanger", spec: "5.4", ip: "192.0.2.4", helo: "mail.example.com", mailFrom: "foo@e14.example.com", want: v(Pass)},
	})
}

// Section 5.5: ptr.
func TestPTR(t *testing.T) {
	z := zone(
		"mail.example.com. A 192.0.2.4",
		"mail.example.com. AAAA 2001:db8::1",
		txt("e1.example.com.", "v=spf1 ptr/0 -all"),
		txt("e2.example.com.", "v=spf1 ptr:example.com -all"),
		"4.2.0.192.in-addr.arpa. PTR e3.example.com.",
		"4.2.0.192.in-addr.arpa. PTR e4.example.com.",
		"4.2.0.192.in-addr.arpa. PTR mail.example.com.",
		"1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.E.B.A.B.E.F.A.C.ip6.arpa. PTR e3.example.com.",
		"1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.D.0.1.0.0.2.ip6.arpa. PTR mail.Example.com.",
		txt("e3.example.com.", "v=spf1 ptr -all"),
		"e3.example.com. A 192.0.2.4",
		"e3.example.com. AAAA CAFE:BABE::1",
		txt("e4.example.com.", "v=spf1 ptr -all"),
		txt("e5.example.com.", "v=spf1 ptr:"),
		txt("e6.example.com.", "v=spf1 ptr:example.Com -all"),
		txt("e7.example.com.", "v=spf1 ptr:example.com ?all"),
		txt("e8.example.com.", "v=spf1 -ptr:example.com +all"),
	)
	runCases(t, z, func(s *resolvetest.Server) {
		s.ServFail("5.2.0.192.in-addr.arpa")
	}, []hostCase{
		{name: "CIDR", spec: "5.5", ip: "192.0.2.4", helo: "mail.example.com", mailFrom: "foo@e1.example.com", want: v(PermError)},
		{name: "target", spec: "5.5", ip: "192.0.2.4", helo: "mail.example.com", mailFrom: "foo@e2.example.com", want: v(Pass)},
		{name: "implicit target", spec: "5.5", ip: "192.0.2.4", helo: "mail.example.com", mailFrom: "foo@e3.example.com", want: v(Pass)},
		{name: "name does not point back", spec: "5.5", ip: "192.0.2.4", helo: "mail.example.com", mailFrom: "foo@e4.example.com", want: v(Fail)},
		{name: "IPv6", spec: "5.5", ip: "CAFE:BABE::1", helo: "mail.example.com", mailFrom: "foo@e3.example.com", want: v(Pass)},
		{name: "empty domain", spec: "5.5", ip: "192.0.2.4", helo: "mail.example.com", mailFrom: "foo@e5.example.com", want: v(PermError)},
		{name: "case differs", spec: "5.5", ip: "2001:db8::1", helo: "mail.example.com", mailFrom: "bar@e6.example.com", want: v(Pass)},
		{name: "no reverse name", spec: "5.5", ip: "192.0.2.99", helo: "mail.example.com", mailFrom: "bar@e7.example.com", want: v(Neutral)},
		{name: "reverse lookup fails: no match, not temperror", spec: "5.5", ip: "192.0.2.5", helo: "mail.example.com", mailFrom: "bar@e8.example.com", want: v(Pass)},
	})
}

// An IPv6 client matched by ptr after mx and a redirect, with the exchangers of two domains.
func TestPTRAfterRedirect(t *testing.T) {
	z := zone(
		txt("example.org.", "v=spf1 mx redirect=_spf.example.com"),
		"example.org. MX 10 smtp.example.org.",
		"example.org. MX 10 smtp1.example.com.",
		"smtp.example.org. A 198.51.100.2",
		"smtp.example.org. AAAA 2001:db8:ff0:100::3",
		"smtp1.example.com. A 192.0.2.26",
		"smtp1.example.com. AAAA 2001:db8:ff0:200::2",
		"2.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.1.0.0.F.F.0.8.B.D.0.1.0.0.2.ip6.arpa. PTR smtp6-v.fe.example.org.",
		"smtp6-v.fe.example.org. AAAA 2001:db8:ff0:100::2",
		txt("_spf.example.com.", "v=spf1 ptr:fe.example.org ptr:sgp.example.com exp=_expspf.example.org -all"),
		txt("_expspf.example.org.", "Sender domain not allowed from this host. Please see http://www.example.org/Why?s=mfrom&id=%{S}&ip=%{C}&r=%{R}"),
	)
	runCases(t, z, nil, []hostCase{
		{name: "ptr matches", spec: "5.5", ip: "2001:db8:ff0:100::2", helo: "example.org", mailFrom: "test@example.org", want: v(Pass), mech: "ptr:fe.example.org"},
		{name: "neither matches", spec: "6.2", ip: "2001:db8:ff0:100::9", helo: "example.org", mailFrom: "test@example.org", want: v(Fail),
			exp: str("Sender domain not allowed from this host. Please see http://www.example.org/Why?s=mfrom&id=test%40example.org&ip=2001%3Adb8%3Aff0%3A100%3A%3A9&r=receiver.example.org")},
	})
}

// Section 5.6: ip4 and ip6.
func TestIP(t *testing.T) {
	z := zone(
		txt("e1.example.com.", "v=spf1 ip4:198.51.100.1/0 -all"),
		txt("e2.example.com.", "v=spf1 ip4:192.0.2.4/32 -all"),
		txt("e3.example.com.", "v=spf1 ip4:192.0.2.4/33 -all"),
		txt("e4.example.com.", "v=spf1 ip4:192.0.2.4/032 -all"),
		txt("e5.example.com.", "v=spf1 ip4"),
		txt("e6.example.com.", "v=spf1 ip4:192.0.2.4//32"),
		txt("e7.example.com.", "v=spf1 -ip4:192.0.2.4 ip6:::FFFF:192.0.2.4"),
		txt("e8.example.com.", "v=spf1 ip4:192.0.2.4:8080"),
		txt("e9.example.com.", "v=spf1 ip4:192.0.2"),
		txt("f1.example.com.", "v=spf1 -all ip6"),
		txt("f2.example.com.", "v=spf1 ip6:::198.51.100.1/0"),
		txt("f3.example.com.", "v=spf1 ip6:::198.51.100.1/129"),
		txt("f4.example.com.", "v=spf1 ip6:::198.51.100.1//33"),
		txt("f5.example.com.", "v=spf1 ip6:Cafe:Babe:8000::/33"),
		txt("f6.example.com.", "v=spf1 ip6::CAFE::BABE"),
		txt("f7.example.com.", "v=spf1 ip4:192.0.2.0/24 ip6:2001:db8::/32 -all"),
	)
	runCases(t, z, nil, []hostCase{
		{name: "/0", spec: "5.6", ip: "192.0.2.4", helo: "mail.example.com", mailFrom: "foo@e1.example.com", want: v(Pass)},
		{name: "/32", spec: "5.6", ip: "192.0.2.4", helo: "mail.example.com", mailFrom: "foo@e2.example.com", want: v(Pass)},
		{name: "/33", spec: "5.6", ip: "192.0.2.4", helo: "mail.example.com", mailFrom: "foo@e3.example.com", want: v(PermError)},
		{name: "/032", spec: "5.6", ip: "192.0.2.4", helo: "mail.example.com", mailFrom: "foo@e4.example.com", want: v(PermError)},
		{name: "bare ip4", spec: "5.6", ip: "192.0.2.4", helo: "mail.example.com", mailFrom: "foo@e5.example.com", want: v(PermError)},
		{name: "port", spec: "5.6", ip: "192.0.2.4", helo: "mail.example.com", mailFrom: "foo@e8.example.com", want: v(PermError)},
		{name: "short address", spec: "5.6", ip: "192.0.2.4", helo: "mail.example.com", mailFrom: "foo@e9.example.com", want: v(PermError)},
		{name: "dual cidr", spec: "5.6", ip: "192.0.2.4", helo: "mail.example.com", mailFrom: "foo@e6.example.com", want: v(PermError)},
		{name: "IPv4-mapped is IPv4", spec: "5", ip: "::FFFF:192.0.2.4", helo: "mail.example.com", mailFrom: "foo@e7.example.com", want: v(Fail)},
		{name: "bare ip6", spec: "5.6", ip: "192.0.2.4", helo: "mail.example.com", mailFrom: "foo@f1.example.com", want: v(PermError)},
		{name: "ip6 /0 not for IPv4", spec: "5", ip: "192.0.2.4", helo: "mail.example.com", mailFrom: "foo@f2.example.com", want: v(Neutral)},
		{name: "ip6 /0 not for IPv4-mapped", spec: "5", ip: "::FFFF:192.0.2.4", helo: "mail.example.com", mailFrom: "foo@f2.example.com", want: v(Neutral)},
		{name: "ip6 /0", spec: "5.6", ip: "DEAF:BABE::CAB:FEE", helo: "mail.example.com", mailFrom: "foo@f2.example.com", want: v(Pass)},
		{name: "/129", spec: "5.6", ip: "192.0.2.4", helo: "mail.example.com", mailFrom: "foo@f3.example.com", want: v(PermError)},
		{name: "ip6 dual cidr", spec: "5.6", ip: "192.0.2.4", helo: "mail.example.com", mailFrom: "foo@f4.example.com", want: v(PermError)},
		{name: "ip6 /33", spec: "5.6", ip: "CAFE:BABE:8000::", helo: "mail.example.com", mailFrom: "foo@f5.example.com", want: v(Pass)},
		{name: "ip6 /33 outside", spec: "5.6", ip: "CAFE:BABE::", helo: "mail.example.com", mailFrom: "foo@f5.example.com", want: v(Neutral)},
		{name: "ip6 /33 with IPv4", spec: "5.6", ip: "192.0.2.4", helo: "mail.example.com", mailFrom: "foo@f5.example.com", want: v(Neutral)},
		{name: "bad ip6", spec: "5.6", ip: "192.0.2.4", helo: "mail.example.com", mailFrom: "foo@f6.example.com", want: v(PermError)},
		{name: "ip4 range", spec: "5.6", ip: "192.0.2.200", helo: "mail.example.com", mailFrom: "foo@f7.example.com", want: v(Pass), mech: "ip4:192.0.2.0/24"},
		{name: "ip6 range", spec: "5.6", ip: "2001:db8:ffff::1", helo: "mail.example.com", mailFrom: "foo@f7.example.com", want: v(Pass), mech: "ip6:2001:db8::/32"},
		{name: "outside both", spec: "5.6", ip: "198.51.100.1", helo: "mail.example.com", mailFrom: "foo@f7.example.com", want: v(Fail), mech: "-all"},
	})
}

// Section 5.7: exists.
func TestExists(t *testing.T) {
	z := zone(
		"mail.example.com. A 192.0.2.4",
		"mail6.example.com. AAAA CAFE:BABE::4",
		txt("e1.example.com.", "v=spf1 exists:"),
		txt("e2.example.com.", "v=spf1 exists"),
		txt("e3.example.com.", "v=spf1 exists:mail.example.com/24"),
		txt("e4.example.com.", "v=spf1 exists:mail.example.com"),
		txt("e5.example.com.", "v=spf1 exists:mail6.example.com -all"),
		txt("e6.example.com.", "v=spf1 exists:err.example.com -all"),
		// The example of section 5.7, with the worked sender of section 7.4.
		txt("email.example.com.", "v=spf1 exists:%{ir}.%{l1r+-}._spf.%{d} -all"),
		"3.2.0.192.strong._spf.email.example.com. A 127.0.0.2",
	)
	runCases(t, z, func(s *resolvetest.Server) { s.Timeout("err.example.com") }, []hostCase{
		{name: "empty domain", spec: "5.7", ip: "192.0.2.4", helo: "mail.example.com", mailFrom: "foo@e1.example.com", want: v(PermError)},
		{name: "no domain", spec: "5.7", ip: "192.0.2.4", helo: "mail.example.com", mailFrom: "foo@e2.example.com", want: v(PermError)},
		{name: "CIDR", spec: "5.7", ip: "192.0.2.4", helo: "mail.example.com", mailFrom: "foo@e3.example.com", want: v(PermError)},
		{name: "A record", spec: "5.7", ip: "192.0.2.4", helo: "mail.example.com", mailFrom: "foo@e4.example.com", want: v(Pass)},
		{name: "A record for IPv6 client", spec: "5.7", ip: "CAFE:BABE::3", helo: "mail.example.com", mailFrom: "foo@e4.example.com", want: v(Pass)},
		{name: "AAAA only", spec: "5.7", ip: "CAFE:BABE::3", helo: "mail.example.com", mailFrom: "foo@e5.example.com", want: v(Fail)},
		{name: "DNS error", spec: "5", ip: "CAFE:BABE::3", helo: "mail.example.com", mailFrom: "foo@e6.example.com", want: v(TempError)},
		{name: "section 7.4 sender", spec: "5.7", ip: "192.0.2.3", helo: "mail.example.com", mailFrom: "strong-bad@email.example.com", want: v(Pass)},
		{name: "section 7.4 sender, other IP", spec: "5.7", ip: "192.0.2.4", helo: "mail.example.com", mailFrom: "strong-bad@email.example.com", want: v(Fail)},
	})
}
