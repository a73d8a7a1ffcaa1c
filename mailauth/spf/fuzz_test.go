package spf

import (
	"context"
	"net/netip"
	"slices"
	"strings"
	"testing"

	"github.com/handwash/handwash/resolve"
)

var fuzzRecords = []string{
	"v=spf1 -all",
	"v=spf1",
	"v=spf1 +a mx:Example.ORG/24//64 -ptr:%{d2} ~ip4:192.0.2.0/24 ?ip6:2001:db8::/32 include:_spf.example.net exists:%{ir}.%{l1r+-}._spf.%{d} all redirect=_spf.example.com exp=explain._spf.%{d} x-opt=%{l}.any",
	"v=spf1 a:foo:bar/baz.example.com a//0 mx/0 a/32//128",
	"v=spf1 a:macro%%percent%_%_space%-url-space.example.com -all",
	"v=spf1 exists:%{l2r+-}.user.%{d2} exists:%{D128R=_,/}.x.com",
	"v=spf1 ip4:1.2.3.4/33",
	"v=spf1 ip6:::FFFF:1.2.3.4 ip4:0.0.0.0/0",
	"v=spf1 moo.cow-far_out=man:dog/cat",
	"v=spf1 a:%{H}.bar exp=%{r}.example.com",
	"v=spf1 exists:%(ir).sbl.example.com",
	"V=SPF1 include: -all.",
	"v=spf1 a:foo.example.com\x00",
	"v=spf1 ip4:1.2.3.4//32 mx:e/1//1 a:x.y/01",
}

// FuzzParse checks Parse never panics and that what it accepts is consistent: every term's offset points at its text, and parsing the terms again gives the same terms.
func FuzzParse(f *testing.F) {
	for _, r := range fuzzRecords {
		f.Add(r)
	}
	f.Fuzz(func(t *testing.T, s string) {
		rec, err := Parse(s)
		if err != nil {
			if rec != nil {
				t.Fatalf("Parse(%q) gave a record and an error", s)
			}
			se, ok := err.(*SyntaxError)
			if !ok {
				t.Fatalf("Parse(%q) = %T, want *SyntaxError", s, err)
			}
			if se.Offset < 0 || se.Offset > len(s) {
				t.Fatalf("Parse(%q): offset %d outside the record", s, se.Offset)
			}
			return
		}
		var texts []string
		for _, tm := range rec.Terms {
			if s[tm.Offset:tm.Offset+len(tm.Text)] != tm.Text {
				t.Fatalf("Parse(%q): term %d at offset %d is not %q", s, tm.Pos, tm.Offset, tm.Text)
			}
			if tm.Text == "" || strings.ContainsRune(tm.Text, ' ') {
				t.Fatalf("Parse(%q): term %q", s, tm.Text)
			}
			if tm.Modifier == (tm.Qualifier != 0) {
				t.Fatalf("Parse(%q): term %q is modifier %v with qualifier %q", s, tm.Text, tm.Modifier, tm.Qualifier)
			}
			if tm.Name == "ip4" && !tm.Modifier && !tm.Prefix.Addr().Is4() || tm.Name == "ip6" && !tm.Modifier && !tm.Prefix.Addr().Is6() {
				t.Fatalf("Parse(%q): %q has prefix %v", s, tm.Text, tm.Prefix)
			}
			if tm.CIDR4 > 32 || tm.CIDR6 > 128 {
				t.Fatalf("Parse(%q): %q has CIDR lengths %d and %d", s, tm.Text, tm.CIDR4, tm.CIDR6)
			}
			texts = append(texts, tm.Text)
		}
		again, err := Parse("v=spf1 " + strings.Join(texts, " "))
		if err != nil {
			t.Fatalf("Parse(%q) succeeded but its terms alone fail: %v", s, err)
		}
		if len(again.Terms) != len(rec.Terms) {
			t.Fatalf("Parse(%q): %d terms, then %d", s, len(rec.Terms), len(again.Terms))
		}
	})
}

// FuzzMacro checks macro parsing and expansion never panic, that text without "%" is left alone, and that domain-specs expand to printable ASCII.
func FuzzMacro(f *testing.F) {
	for _, s := range []string{
		"%{s}", "%{ir}.%{v}._spf.%{d2}", "%{lr-}.lp.%{ir}.%{v}._spf.%{d2}", "%{L}", "%%%_%-", "%{d0}",
		"%{d99999999999999999999}", "%{l2r+-}", "%{S=.-+,/_}", "%{c} %{r} %{t}", "%", "%{", "%{}", "%x",
		"plain text", "%{p}.example.com",
	} {
		f.Add(s, "strong-bad@email.example.com", true)
	}
	ip4, ip6 := netip.MustParseAddr("192.0.2.3"), netip.MustParseAddr("2001:db8::cb01")
	f.Fuzz(func(t *testing.T, s, sender string, explanation bool) {
		for _, ip := range []netip.Addr{ip4, ip6} {
			got, err := ExpandMacros(s, explanation, ip, "email.example.com", sender, "mx.example.org")
			if err != nil {
				continue
			}
			if !strings.Contains(s, "%") && got != s {
				t.Fatalf("%q expanded to %q, want it unchanged", s, got)
			}
		}
		if m, err := parseDomainSpec(s); err == nil {
			env := newMacroEnv(ip4, "email.example.com", "strong-bad@email.example.com", "mx.example.org")
			out := m.expand(env)
			for i := 0; i < len(out); i++ {
				if out[i] < 0x20 || out[i] > 0x7e {
					t.Fatalf("domain-spec %q expanded to %q, with byte 0x%02x", s, out, out[i])
				}
			}
		}
	})
}

// mapResolver answers from maps, with no network, so FuzzCheckHost runs fast.
type mapResolver struct {
	txt map[string][]string
	a   map[string][]netip.Addr
	mx  map[string][]resolve.MX
}

func (m *mapResolver) name(n string) string { return strings.ToLower(strings.TrimSuffix(n, ".")) }

func (m *mapResolver) notFound(n string) error {
	return &resolve.Error{Name: n, Type: "ANY", Err: resolve.ErrNotFound}
}

func (m *mapResolver) LookupTXT(_ context.Context, n string) ([]string, error) {
	if v, ok := m.txt[m.name(n)]; ok {
		return v, nil
	}
	return nil, m.notFound(n)
}

func (m *mapResolver) LookupA(_ context.Context, n string) ([]netip.Addr, error) {
	if n == "temp.example.com" {
		return nil, &resolve.Error{Name: n, Type: "A", Err: context.DeadlineExceeded}
	}
	return m.a[m.name(n)], nil
}

func (m *mapResolver) LookupAAAA(_ context.Context, n string) ([]netip.Addr, error) {
	return nil, nil
}

func (m *mapResolver) LookupMX(_ context.Context, n string) ([]resolve.MX, error) {
	return m.mx[m.name(n)], nil
}

func (m *mapResolver) LookupPTR(_ context.Context, _ netip.Addr) ([]string, error) {
	return []string{"mail.example.com", "example.com"}, nil
}

func (m *mapResolver) Secure(context.Context, string) (bool, error) { return false, nil }

// FuzzCheckHost serves a fuzzed record for example.com, next to a few fixed ones, and checks CheckHost and Analyse never panic, always give one of the seven results, and keep to the limits.
func FuzzCheckHost(f *testing.F) {
	for _, r := range fuzzRecords {
		f.Add(r)
	}
	f.Add("v=spf1 include:example.com")
	f.Add("v=spf1 redirect=example.com")
	f.Add("v=spf1 a a a a a a a a a a a a")
	f.Add("v=spf1 a:temp.example.com")
	f.Add("v=spf1 include:inc.example.com -all exp=exp.example.com")
	mail := netip.MustParseAddr("192.0.2.1")
	f.Fuzz(func(t *testing.T, record string) {
		r := &mapResolver{
			txt: map[string][]string{
				"example.com":     {record},
				"inc.example.com": {"v=spf1 ip4:192.0.2.0/24 include:example.com ~all"},
				"exp.example.com": {"%{l} at %{i} may not send for %{d}: %{c} %{r} %{t} %{p}"},
			},
			a:  map[string][]netip.Addr{"mail.example.com": {mail}, "example.com": {mail}},
			mx: map[string][]resolve.MX{"example.com": {{Host: "mail.example.com", Pref: 10}}},
		}
		for _, ip := range []string{"192.0.2.1", "2001:db8::1"} {
			res := CheckHost(context.Background(), r, netip.MustParseAddr(ip), "example.com", "user@example.com")
			if !slices.Contains([]Verdict{None, Neutral, Pass, Fail, SoftFail, TempError, PermError}, res.Verdict) {
				t.Fatalf("record %q: verdict %q", record, res.Verdict)
			}
			if res.Lookups > LookupLimit || res.VoidLookups > VoidLookupLimit+1 {
				t.Fatalf("record %q: %d lookups, %d void", record, res.Lookups, res.VoidLookups)
			}
			if (res.Verdict == PermError || res.Verdict == TempError) != (res.Err != nil) {
				t.Fatalf("record %q: verdict %s with error %v", record, res.Verdict, res.Err)
			}
			if res.Verdict != Fail && res.Explanation != "" {
				t.Fatalf("record %q: explanation %q for %s", record, res.Explanation, res.Verdict)
			}
		}
		if _, err := Analyse(context.Background(), r, "example.com"); err != nil {
			t.Fatalf("Analyse: %v", err)
		}
	})
}
