package mailauth

import (
	"context"
	"testing"
	"time"

	"github.com/handwash/handwash/resolve"
	"github.com/handwash/handwash/resolve/resolvetest"
)

// BenchmarkCheck times a whole domain check (every lookup, the MTA-STS
// fetch over HTTPS and the judging) against a local DNS server. "warm" has
// the resolver's cache filled, as when an IT provider checks one domain
// again or many that share their provider's records; "cold" asks the
// server every question, to show what the cache saves.
func BenchmarkCheck(b *testing.B) {
	for _, bc := range []struct {
		name string
		opts []resolve.Option
	}{
		{"warm", nil},
		{"cold", []resolve.Option{resolve.WithCacheSize(0)}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			srv := resolvetest.Start(b, goodM365(b).zone())
			srv.Sign(home)
			web := newPolicyServer(b, "mta-sts."+home)
			web.set("mta-sts."+home, policy{body: enforcePolicy})
			r := srv.Resolver(bc.opts...)
			opts := Options{HTTPClient: web.client(5 * time.Second)}
			ctx := context.Background()
			if rep, err := Check(ctx, r, home, opts); err != nil || rep.Grade != GradeA {
				b.Fatalf("first check: grade %v, %v", rep.Grade, err)
			}
			srv.Reset()
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Check(ctx, r, home, opts); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(srv.Total())/float64(b.N), "dns-queries/op")
		})
	}
}
