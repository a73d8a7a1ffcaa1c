package spf

import (
	"context"
	"net/netip"
	"testing"

	"github.com/handwash/handwash/resolve/resolvetest"
)

// benchZone is a typical small provider's record: its own range, Microsoft 365 through an include chain, a mailing service, and its MX.
var benchZone = zone(
	txt("example.com.", "v=spf1 ip4:198.51.100.0/24 mx include:spf.protection.example.net include:_spf.mailer.example.org -all"),
	"example.com. MX 10 mail.example.com.",
	"mail.example.com. A 198.51.100.25",
	txt("spf.protection.example.net.", "v=spf1 ip4:203.0.113.0/25 ip6:2001:db8:1::/48 include:spfd.protection.example.net -all"),
	txt("spfd.protection.example.net.", "v=spf1 ip4:203.0.113.128/25 ip6:2001:db8:2::/48 -all"),
	txt("_spf.mailer.example.org.", "v=spf1 ip4:192.0.2.0/24 ~all"),
)

// BenchmarkCheckHost measures a whole check with every answer already in the resolver's cache, as when one domain check asks about many senders.
func BenchmarkCheckHost(b *testing.B) {
	s := resolvetest.Start(b, benchZone)
	r := s.Resolver()
	ctx := context.Background()
	ip := netip.MustParseAddr("192.0.2.3") // matched by the last include
	if res := CheckHost(ctx, r, ip, "example.com", "user@example.com"); res.Verdict != Pass {
		b.Fatalf("warm-up: %s (%s)", res.Verdict, res.Reason)
	}
	before := s.Total()
	b.ReportAllocs()
	for b.Loop() {
		CheckHost(ctx, r, ip, "example.com", "user@example.com")
	}
	if n := s.Total() - before; n != 0 {
		b.Fatalf("the warm cache still sent %d questions", n)
	}
}

// BenchmarkAnalyse measures the domain check's analysis with a warm cache.
func BenchmarkAnalyse(b *testing.B) {
	s := resolvetest.Start(b, benchZone)
	r := s.Resolver()
	ctx := context.Background()
	if _, err := Analyse(ctx, r, "example.com"); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		Analyse(ctx, r, "example.com")
	}
}

// BenchmarkParse measures parsing a record of typical length.
func BenchmarkParse(b *testing.B) {
	const rec = "v=spf1 ip4:198.51.100.0/24 mx include:spf.protection.example.net include:_spf.mailer.example.org exists:%{ir}.%{l1r+-}._spf.%{d} -all"
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(rec); err != nil {
			b.Fatal(err)
		}
	}
}
