package resolve_test

import (
	"context"
	"errors"
	"net/netip"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/handwash/handwash/resolve"
	"github.com/handwash/handwash/resolve/resolvetest"
	"github.com/miekg/dns"
)

const zone = `
$ORIGIN example.com.
$TTL 300
@            SOA   ns1 hostmaster 1 3600 600 86400 60
@            TXT   "v=spf1 " "ip4:192.0.2.1 " "-all"
@            TXT   "another record"
@            A     192.0.2.1
@            A     192.0.2.2
@            AAAA  2001:db8::1
@            MX    10 Mail.Example.COM.
@            MX    20 backup.example.net.
mail         A     192.0.2.25
quoted       TXT   "say \"hi\" \\ \065 ok"
alias        CNAME mail
alias2       CNAME alias
away         CNAME target.example.net.
dangling     CNAME nowhere
loop1        CNAME loop2
loop2        CNAME loop1
nullmx       MX    0 .
odd\032name\"q  A     192.0.2.7
oddmx        MX    5 odd\032name\"q
*.wild       TXT   "wildcard"
deep.empty.nonterminal A 192.0.2.9
1.2.0.192.in-addr.arpa. PTR mail.example.com.
1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa. PTR v6.example.com.

$ORIGIN example.net.
@            SOA   ns1 hostmaster 1 3600 600 86400 60
target       A     198.51.100.7
`

func start(t *testing.T, opts ...resolve.Option) (*resolvetest.Server, resolve.Resolver) {
	t.Helper()
	s := resolvetest.Start(t, zone)
	return s, s.Resolver(opts...)
}

func TestLookupTXT(t *testing.T) {
	_, r := start(t)
	ctx := context.Background()
	tests := []struct {
		name string
		want []string
	}{
		{"example.com", []string{"v=spf1 ip4:192.0.2.1 -all", "another record"}},
		{"EXAMPLE.com.", []string{"v=spf1 ip4:192.0.2.1 -all", "another record"}},
		{"quoted.example.com", []string{`say "hi" \ A ok`}},
		{"anything.wild.example.com", []string{"wildcard"}},
		{"mail.example.com", nil},              // NODATA
		{"empty.nonterminal.example.com", nil}, // exists, holds nothing
	}
	for _, tt := range tests {
		got, err := r.LookupTXT(ctx, tt.name)
		if err != nil {
			t.Errorf("LookupTXT(%q): %v", tt.name, err)
			continue
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("LookupTXT(%q) (-want +got):\n%s", tt.name, diff)
		}
	}
}

func TestNotFound(t *testing.T) {
	_, r := start(t)
	ctx := context.Background()
	for _, name := range []string{"nope.example.com", "dangling.example.com", "nope.example.net"} {
		_, err := r.LookupTXT(ctx, name)
		if !errors.Is(err, resolve.ErrNotFound) {
			t.Errorf("LookupTXT(%q) = %v, want ErrNotFound", name, err)
		}
		if resolve.IsTemporary(err) {
			t.Errorf("LookupTXT(%q): IsTemporary = true for NXDOMAIN", name)
		}
	}
}

func TestAddresses(t *testing.T) {
	_, r := start(t)
	ctx := context.Background()
	a, err := r.LookupA(ctx, "example.com")
	if err != nil {
		t.Fatal(err)
	}
	want := []netip.Addr{netip.MustParseAddr("192.0.2.1"), netip.MustParseAddr("192.0.2.2")}
	if diff := cmp.Diff(want, a, cmp.Comparer(func(x, y netip.Addr) bool { return x == y })); diff != "" {
		t.Errorf("LookupA (-want +got):\n%s", diff)
	}
	if !a[0].Is4() {
		t.Errorf("LookupA gave %v, want a 4-byte address", a[0])
	}
	aaaa, err := r.LookupAAAA(ctx, "example.com")
	if err != nil || len(aaaa) != 1 || aaaa[0] != netip.MustParseAddr("2001:db8::1") {
		t.Errorf("LookupAAAA = %v, %v; want [2001:db8::1]", aaaa, err)
	}
	none, err := r.LookupAAAA(ctx, "mail.example.com")
	if err != nil || none != nil {
		t.Errorf("LookupAAAA(NODATA) = %v, %v; want nil, nil", none, err)
	}
}

func TestCNAME(t *testing.T) {
	s, r := start(t)
	ctx := context.Background()
	tests := []struct {
		name string
		want string
	}{
		{"alias.example.com", "192.0.2.25"},
		{"alias2.example.com", "192.0.2.25"},
		{"away.example.com", "198.51.100.7"}, // the chain leaves the zone
	}
	for _, tt := range tests {
		got, err := r.LookupA(ctx, tt.name)
		if err != nil || len(got) != 1 || got[0].String() != tt.want {
			t.Errorf("LookupA(%q) = %v, %v; want [%s]", tt.name, got, err, tt.want)
		}
	}
	if n := s.Count("target.example.net", "A"); n != 1 {
		t.Errorf("the end of a chain leaving the zone was asked %d times, want 1", n)
	}
	_, err := r.LookupA(ctx, "loop1.example.com")
	if err == nil || errors.Is(err, resolve.ErrNotFound) || !resolve.IsTemporary(err) {
		t.Errorf("LookupA(CNAME loop) = %v, want a temporary error", err)
	}
}

// TestPlainTextNames checks names are taken byte for byte, as SPF macros can build names with spaces and quotes.
func TestPlainTextNames(t *testing.T) {
	_, r := start(t)
	ctx := context.Background()
	got, err := r.LookupA(ctx, `Odd Name"q.example.com`)
	if err != nil || len(got) != 1 || got[0].String() != "192.0.2.7" {
		t.Errorf("LookupA(name with a space and a quote) = %v, %v", got, err)
	}
	mx, err := r.LookupMX(ctx, "oddmx.example.com")
	if err != nil || len(mx) != 1 || mx[0].Host != `odd name"q.example.com` {
		t.Errorf("LookupMX = %v, %v; want the host in plain text", mx, err)
	}
}

func TestMX(t *testing.T) {
	_, r := start(t)
	ctx := context.Background()
	got, err := r.LookupMX(ctx, "example.com")
	if err != nil {
		t.Fatal(err)
	}
	want := []resolve.MX{{Host: "mail.example.com", Pref: 10}, {Host: "backup.example.net", Pref: 20}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("LookupMX (-want +got):\n%s", diff)
	}
	got, err = r.LookupMX(ctx, "nullmx.example.com")
	if diff := cmp.Diff([]resolve.MX{{Host: "", Pref: 0}}, got); err != nil || diff != "" {
		t.Errorf("LookupMX(null MX) = %v, %v", got, err)
	}
}

func TestPTR(t *testing.T) {
	_, r := start(t)
	ctx := context.Background()
	tests := []struct {
		addr string
		want []string
	}{
		{"192.0.2.1", []string{"mail.example.com"}},
		{"::ffff:192.0.2.1", []string{"mail.example.com"}}, // IPv4-mapped: in-addr.arpa
		{"2001:db8::1", []string{"v6.example.com"}},
	}
	for _, tt := range tests {
		got, err := r.LookupPTR(ctx, netip.MustParseAddr(tt.addr))
		if err != nil {
			t.Errorf("LookupPTR(%s): %v", tt.addr, err)
			continue
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("LookupPTR(%s) (-want +got):\n%s", tt.addr, diff)
		}
	}
	if _, err := r.LookupPTR(ctx, netip.MustParseAddr("192.0.2.99")); !errors.Is(err, resolve.ErrNotFound) {
		t.Errorf("LookupPTR(no PTR) = %v, want ErrNotFound", err)
	}
}

func TestTemporaryErrors(t *testing.T) {
	s, r := start(t, resolve.WithTimeout(100*time.Millisecond))
	s.ServFail("example.com")
	s.Fail(dns.RcodeRefused, "mail.example.com")
	s.Timeout("alias.example.com")
	ctx := context.Background()
	for _, name := range []string{"example.com", "mail.example.com", "alias.example.com"} {
		_, err := r.LookupTXT(ctx, name)
		if err == nil || errors.Is(err, resolve.ErrNotFound) || !resolve.IsTemporary(err) {
			t.Errorf("LookupTXT(%q) = %v, want a temporary error", name, err)
		}
		var e *resolve.Error
		if !errors.As(err, &e) || !e.Temporary() {
			t.Errorf("LookupTXT(%q): error %v is not a temporary *resolve.Error", name, err)
		}
	}
	_, err := r.LookupA(ctx, "alias.example.com")
	var e *resolve.Error
	if !errors.As(err, &e) || !e.Timeout() {
		t.Errorf("silent server: %v, want a timeout", err)
	}

	// Failures are not kept: once the server recovers, so do lookups.
	s.Heal("example.com")
	if got, err := r.LookupTXT(ctx, "example.com"); err != nil || len(got) != 2 {
		t.Errorf("after recovery: %v, %v", got, err)
	}
}

func TestContextCancelled(t *testing.T) {
	_, r := start(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := r.LookupTXT(ctx, "example.com")
	if err == nil || !resolve.IsTemporary(err) || !errors.Is(err, context.Canceled) {
		t.Errorf("LookupTXT(cancelled) = %v, want a temporary error wrapping context.Canceled", err)
	}
}

func TestTruncatedFallsBackToTCP(t *testing.T) {
	s, r := start(t)
	s.Truncate("example.com")
	got, err := r.LookupTXT(context.Background(), "example.com")
	if err != nil || len(got) != 2 {
		t.Fatalf("LookupTXT = %v, %v", got, err)
	}
	var udp, tcp int
	for _, q := range s.Queries() {
		if q.TCP {
			tcp++
		} else {
			udp++
		}
	}
	if udp != 1 || tcp != 1 {
		t.Errorf("asked %d times over UDP and %d over TCP, want 1 and 1", udp, tcp)
	}
}

func TestLargeAnswerOverTCP(t *testing.T) {
	var z string
	for i := range 40 {
		z += "big.test. TXT \"" + string(rune('a'+i%26)) + " a fairly long string to fill the answer up quickly\"\n"
	}
	s := resolvetest.Start(t, z)
	got, err := s.Resolver().LookupTXT(context.Background(), "big.test")
	if err != nil || len(got) != 40 {
		t.Fatalf("LookupTXT = %d records, %v; want 40", len(got), err)
	}
}

func TestCache(t *testing.T) {
	s, r := start(t)
	ctx := context.Background()
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	resolve.SetClock(r, func() time.Time { return now })

	for range 3 {
		r.LookupTXT(ctx, "example.com")
		r.LookupTXT(ctx, "Example.COM.") // same name
		r.LookupTXT(ctx, "nope.example.com")
		r.LookupA(ctx, "mail.example.com")
		r.LookupAAAA(ctx, "mail.example.com") // NODATA is kept too
	}
	for _, c := range []struct{ name, qtype string }{
		{"example.com", "TXT"}, {"nope.example.com", "TXT"}, {"mail.example.com", "A"}, {"mail.example.com", "AAAA"},
	} {
		if n := s.Count(c.name, c.qtype); n != 1 {
			t.Errorf("%s %s asked %d times, want 1", c.name, c.qtype, n)
		}
	}

	// Negative answers last the SOA's minimum (60 s); positive ones their TTL (300 s).
	now = now.Add(61 * time.Second)
	r.LookupTXT(ctx, "nope.example.com")
	r.LookupTXT(ctx, "example.com")
	if n := s.Count("nope.example.com", "TXT"); n != 2 {
		t.Errorf("after 61 s the NXDOMAIN was asked %d times in all, want 2", n)
	}
	if n := s.Count("example.com", "TXT"); n != 1 {
		t.Errorf("after 61 s the TXT was asked %d times in all, want 1", n)
	}
	now = now.Add(300 * time.Second)
	r.LookupTXT(ctx, "example.com")
	if n := s.Count("example.com", "TXT"); n != 2 {
		t.Errorf("after 361 s the TXT was asked %d times in all, want 2", n)
	}
}

func TestCacheBounded(t *testing.T) {
	s, r := start(t, resolve.WithCacheSize(4))
	ctx := context.Background()
	for i := range 20 {
		r.LookupA(ctx, string(rune('a'+i))+".example.com")
	}
	if n := resolve.CacheLen(r); n > 4 {
		t.Errorf("cache holds %d answers, want at most 4", n)
	}
	_ = s
}

func TestCacheOff(t *testing.T) {
	s, r := start(t, resolve.WithCacheSize(0))
	for range 3 {
		r.LookupTXT(context.Background(), "example.com")
	}
	if n := s.Count("example.com", "TXT"); n != 3 {
		t.Errorf("without a cache example.com was asked %d times, want 3", n)
	}
}

func TestSecure(t *testing.T) {
	s, r := start(t)
	s.Sign("example.com")
	ctx := context.Background()
	for _, tt := range []struct {
		name string
		want bool
	}{
		{"example.com", true},
		{"mail.example.com", true}, // NODATA below the apex, still validated
		{"example.net", false},
	} {
		got, err := r.Secure(ctx, tt.name)
		if err != nil || got != tt.want {
			t.Errorf("Secure(%q) = %v, %v; want %v", tt.name, got, err, tt.want)
		}
	}
	if _, err := r.Secure(ctx, "nope.example.net"); !errors.Is(err, resolve.ErrNotFound) {
		t.Errorf("Secure(NXDOMAIN) = %v, want ErrNotFound", err)
	}
}

func TestSecureDNSKEY(t *testing.T) {
	s := resolvetest.Start(t, `
signed.test. SOA ns hostmaster 1 3600 600 86400 60
signed.test. DNSKEY 257 3 13 mdsswUyr3DPW132mOi8V9xESWE8jTo0dxCjjnopKl+GqJxpVXckHAeF+KkxLbxILfDLUT0rAK9iUzy1L53eKGQ==
`)
	if ok, err := s.Resolver().Secure(context.Background(), "signed.test"); !ok || err != nil {
		t.Errorf("Secure(zone with DNSKEY) = %v, %v; want true", ok, err)
	}
}

func TestInvalidNames(t *testing.T) {
	s, r := start(t)
	long := ""
	for range 64 {
		long += "a"
	}
	for _, name := range []string{"a..b", long + ".example.com", ".example.com"} {
		_, err := r.LookupTXT(context.Background(), name)
		if !errors.Is(err, resolve.ErrInvalidName) || !errors.Is(err, resolve.ErrNotFound) {
			t.Errorf("LookupTXT(%q) = %v, want ErrInvalidName", name, err)
		}
	}
	if n := s.Total(); n != 0 {
		t.Errorf("invalid names sent %d questions, want none", n)
	}
}

func TestNew(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"192.0.2.53:53", "192.0.2.53:53"},
		{"192.0.2.53", "192.0.2.53:53"},
		{"[2001:db8::53]:5353", "[2001:db8::53]:5353"},
		{"2001:db8::53", "[2001:db8::53]:53"},
		{"resolver.example:53", "resolver.example:53"},
	} {
		got, err := resolve.NormaliseServer(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("normaliseServer(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
	for _, bad := range []string{"192.0.2.53:port", ":53", "a b"} {
		if _, err := resolve.New(bad); err == nil {
			t.Errorf("New(%q) succeeded, want an error", bad)
		}
	}
}

func TestResolvConf(t *testing.T) {
	dir := t.TempDir()
	for _, tt := range []struct{ conf, want string }{
		{"# comment\nsearch example.com\nnameserver 192.0.2.53\nnameserver 192.0.2.54\n", "192.0.2.53:53"},
		{"nameserver 2001:db8::53\n", "[2001:db8::53]:53"},
		{"search example.com\n", "127.0.0.1:53"},
	} {
		p := filepath.Join(dir, "resolv.conf")
		if err := os.WriteFile(p, []byte(tt.conf), 0o600); err != nil {
			t.Fatal(err)
		}
		got, err := resolve.FromResolvConf(p)
		if err != nil || got != tt.want {
			t.Errorf("resolv.conf %q: %q, %v; want %q", tt.conf, got, err, tt.want)
		}
	}
}

func TestUnescapeTXT(t *testing.T) {
	for in, want := range map[string]string{
		`plain`:         "plain",
		`a\"b`:          `a"b`,
		`a\\b`:          `a\b`,
		`\065\066`:      "AB",
		`\255`:          "\xff",
		`trailing\`:     `trailing\`,
		`\999`:          "999",
		`v=spf1 \"-all`: `v=spf1 "-all`,
	} {
		if got := resolve.UnescapeTXT(in); got != want {
			t.Errorf("unescapeTXT(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestConcurrent runs lookups from many goroutines; run with -race.
func TestConcurrent(t *testing.T) {
	_, r := start(t, resolve.WithCacheSize(8))
	done := make(chan error)
	for i := range 16 {
		go func() {
			var err error
			for j := range 20 {
				name := []string{"example.com", "mail.example.com", "alias.example.com", "nope.example.com"}[(i+j)%4]
				if _, e := r.LookupA(context.Background(), name); e != nil && !errors.Is(e, resolve.ErrNotFound) {
					err = e
				}
			}
			done <- err
		}()
	}
	for range 16 {
		if err := <-done; err != nil {
			t.Error(err)
		}
	}
}
