package resolvetest_test

import (
	"testing"

	"github.com/handwash/handwash/resolve/resolvetest"
	"github.com/miekg/dns"
)

const zone = `
$ORIGIN example.org.
@        SOA   ns hostmaster 1 3600 600 86400 120
@        TXT   "hello"
www      CNAME @
ext      CNAME host.example.net.
gone     CNAME missing
a.b.c    A     192.0.2.1
*.wild   A     192.0.2.2
`

func ask(t *testing.T, s *resolvetest.Server, name string, qtype uint16, edit func(*dns.Msg)) *dns.Msg {
	t.Helper()
	m := new(dns.Msg)
	m.SetQuestion(dns.Fqdn(name), qtype)
	if edit != nil {
		edit(m)
	}
	r, err := dns.Exchange(m, s.Addr())
	if err != nil {
		t.Fatalf("asking %s: %v", name, err)
	}
	return r
}

func TestAnswers(t *testing.T) {
	s := resolvetest.Start(t, zone)
	tests := []struct {
		name    string
		qtype   uint16
		rcode   int
		answers int
		soa     bool // a SOA in the authority section, as negative answers carry
	}{
		{"example.org", dns.TypeTXT, dns.RcodeSuccess, 1, false},
		{"EXAMPLE.org", dns.TypeTXT, dns.RcodeSuccess, 1, false},
		{"example.org", dns.TypeA, dns.RcodeSuccess, 0, true},        // NODATA
		{"b.c.example.org", dns.TypeA, dns.RcodeSuccess, 0, true},    // empty non-terminal
		{"nope.example.org", dns.TypeA, dns.RcodeNameError, 0, true}, // NXDOMAIN
		{"www.example.org", dns.TypeTXT, dns.RcodeSuccess, 2, false}, // CNAME + TXT
		{"ext.example.org", dns.TypeA, dns.RcodeSuccess, 1, false},   // CNAME out of the zone, not followed
		{"gone.example.org", dns.TypeA, dns.RcodeNameError, 1, true}, // CNAME to nothing
		{"x.y.wild.example.org", dns.TypeA, dns.RcodeSuccess, 1, false},
		{"wild.example.org", dns.TypeA, dns.RcodeSuccess, 0, true},
		{"other.test", dns.TypeA, dns.RcodeNameError, 0, true},
	}
	for _, tt := range tests {
		r := ask(t, s, tt.name, tt.qtype, nil)
		if r.Rcode != tt.rcode || len(r.Answer) != tt.answers {
			t.Errorf("%s %s: rcode %s with %d answers, want %s with %d", tt.name, dns.TypeToString[tt.qtype],
				dns.RcodeToString[r.Rcode], len(r.Answer), dns.RcodeToString[tt.rcode], tt.answers)
		}
		hasSOA := len(r.Ns) == 1 && r.Ns[0].Header().Rrtype == dns.TypeSOA
		if hasSOA != tt.soa {
			t.Errorf("%s %s: authority %v, want a SOA: %v", tt.name, dns.TypeToString[tt.qtype], r.Ns, tt.soa)
		}
		if !r.Authoritative {
			t.Errorf("%s: AA bit not set", tt.name)
		}
	}
	r := ask(t, s, "x.y.wild.example.org", dns.TypeA, nil)
	if got := r.Answer[0].Header().Name; got != "x.y.wild.example.org." {
		t.Errorf("wildcard answer owned by %q, want the name asked", got)
	}
}

func TestFailures(t *testing.T) {
	s := resolvetest.Start(t, zone)
	s.ServFail("example.org")
	s.Fail(dns.RcodeRefused, "www.example.org.")
	if r := ask(t, s, "example.org", dns.TypeTXT, nil); r.Rcode != dns.RcodeServerFailure {
		t.Errorf("ServFail: rcode %s", dns.RcodeToString[r.Rcode])
	}
	if r := ask(t, s, "WWW.example.org", dns.TypeTXT, nil); r.Rcode != dns.RcodeRefused {
		t.Errorf("Fail(REFUSED): rcode %s", dns.RcodeToString[r.Rcode])
	}
	s.Heal("example.org")
	if r := ask(t, s, "example.org", dns.TypeTXT, nil); r.Rcode != dns.RcodeSuccess {
		t.Errorf("after Heal: rcode %s", dns.RcodeToString[r.Rcode])
	}

	s.Timeout("example.org")
	c := &dns.Client{Timeout: 100e6}
	m := new(dns.Msg)
	m.SetQuestion("example.org.", dns.TypeTXT)
	if _, _, err := c.Exchange(m, s.Addr()); err == nil {
		t.Error("Timeout: the server answered")
	}
}

func TestSignedAndEDNS(t *testing.T) {
	s := resolvetest.Start(t, zone)
	s.Sign("example.org")
	plain := ask(t, s, "example.org", dns.TypeTXT, nil)
	if plain.AuthenticatedData {
		t.Error("AD set for a question that did not ask for DNSSEC")
	}
	if plain.IsEdns0() != nil {
		t.Error("OPT in the answer to a question without one")
	}
	do := ask(t, s, "example.org", dns.TypeTXT, func(m *dns.Msg) { m.SetEdns0(1232, true) })
	if !do.AuthenticatedData || do.IsEdns0() == nil || !do.IsEdns0().Do() {
		t.Errorf("DO question: AD %v, OPT %v; want AD and DO echoed", do.AuthenticatedData, do.IsEdns0())
	}
	other := ask(t, s, "other.test", dns.TypeTXT, func(m *dns.Msg) { m.SetEdns0(1232, true) })
	if other.AuthenticatedData {
		t.Error("AD set for a name outside the signed zone")
	}
}

func TestTruncate(t *testing.T) {
	s := resolvetest.Start(t, zone)
	s.Truncate("example.org")
	if r := ask(t, s, "example.org", dns.TypeTXT, nil); !r.Truncated || len(r.Answer) != 0 {
		t.Errorf("UDP: TC %v with %d answers, want TC and none", r.Truncated, len(r.Answer))
	}
	c := &dns.Client{Net: "tcp"}
	m := new(dns.Msg)
	m.SetQuestion("example.org.", dns.TypeTXT)
	r, _, err := c.Exchange(m, s.Addr())
	if err != nil || r.Truncated || len(r.Answer) != 1 {
		t.Errorf("TCP: %v, %v; want the whole answer", r, err)
	}
}

func TestCounts(t *testing.T) {
	s := resolvetest.Start(t, zone)
	ask(t, s, "example.org", dns.TypeTXT, nil)
	ask(t, s, "Example.org.", dns.TypeTXT, nil)
	ask(t, s, "example.org", dns.TypeA, nil)
	if got := s.Count("example.org", "TXT"); got != 2 {
		t.Errorf("Count(TXT) = %d, want 2", got)
	}
	if got := s.Count("example.org.", ""); got != 3 {
		t.Errorf("Count(any) = %d, want 3", got)
	}
	if got := s.Total(); got != 3 {
		t.Errorf("Total = %d, want 3", got)
	}
	if q := s.Queries(); len(q) != 3 || q[2] != (resolvetest.Query{Name: "example.org", Type: "A"}) {
		t.Errorf("Queries = %v", q)
	}
	s.Reset()
	if s.Total() != 0 || len(s.Queries()) != 0 {
		t.Error("Reset left counts behind")
	}
}

func TestAddRejectsBadZone(t *testing.T) {
	s := resolvetest.Start(t, zone)
	if err := s.Add("bad.example.org. IN A not-an-address\n"); err == nil {
		t.Error("Add accepted a malformed record")
	}
	if err := s.Add("more.example.org. TXT \"added\"\n"); err != nil {
		t.Fatal(err)
	}
	if r := ask(t, s, "more.example.org", dns.TypeTXT, nil); len(r.Answer) != 1 {
		t.Errorf("added record not served: %v", r)
	}
}
