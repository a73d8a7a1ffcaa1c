package spf

import (
	"context"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/handwash/handwash/resolve"
	"github.com/handwash/handwash/resolve/resolvetest"
)

func analyseZone(t *testing.T) *resolvetest.Server {
	t.Helper()
	var mx []string
	for i := range 11 {
		mx = append(mx, "manymx.example.com. MX "+itoa(i)+" mail.example.com.")
	}
	s := resolvetest.Start(t, zone(append([]string{
		"mail.example.com. A 192.0.2.1",
		"example.com. MX 10 mail.example.com.",
		txt("example.com.", "v=spf1 ip4:192.0.2.0/24 include:_spf.example.net include:_spf.%{d} mx -all"),
		txt("_spf.example.net.", "v=spf1 include:_inner.example.net a:mail.example.com ~all"),
		txt("_inner.example.net.", "v=spf1 ip6:2001:db8::/32 ?all"),
		txt("_spf.example.com.", "v=spf1 a:mail.example.com -all"),

		txt("over.example.com.", "v=spf1 include:_spf.example.net include:_spf.example.com a a a a a a a ptr -all"),
		"over.example.com. A 192.0.2.1",

		txt("redirect.example.com.", "v=spf1 ip4:192.0.2.1 redirect=_spf.example.org"),
		txt("_spf.example.org.", "v=spf1 a:mail.example.com ~all"),
		txt("ignored.example.com.", "v=spf1 -all redirect=_spf.example.org"),
		txt("noall.example.com.", "v=spf1 ip4:192.0.2.1"),

		txt("open.example.com.", "v=spf1 ptr include:open.example.net +all"),
		txt("open.example.net.", "v=spf1 +all"),

		txt("void.example.com.", "v=spf1 a:missing.example.com mx:nomx.example.com exists:empty.example.com include:nowhere.example.com include:norecord.example.com -all"),
		"nomx.example.com. A 192.0.2.1",
		"empty.example.com. AAAA 2001:db8::1",
		txt("norecord.example.com.", "google-site-verification=x"),

		txt("loop.example.com.", "v=spf1 include:loop2.example.com -all"),
		txt("loop2.example.com.", "v=spf1 include:loop.example.com -all"),

		txt("macro.example.com.", "v=spf1 include:%{ir}._spf.example.com exists:%{l}.x.example.com -all"),

		txt("broken.example.com.", "v=spf1 include:bad.example.com include:two.example.com include:slow.example.com mx:manymx.example.com -all"),
		txt("bad.example.com.", "v=spf1 ip4:192.0.2.1/33"),
		txt("two.example.com.", "v=spf1 -all"),
		txt("two.example.com.", "v=spf1 +all"),

		txt("twice.example.com.", "v=spf1 -all"),
		txt("twice.example.com.", "v=spf1 ~all"),
		txt("syntax.example.com.", "v=spf1 a:foo-bar -all"),
	}, mx...)...))
	s.Timeout("slow.example.com")
	return s
}

func TestAnalyse(t *testing.T) {
	s := analyseZone(t)
	r := s.Resolver()
	ctx := context.Background()

	a, err := Analyse(ctx, r, "example.com")
	if err != nil {
		t.Fatal(err)
	}
	if a.Lookups != 6 || a.OverLimit() || !a.Complete {
		t.Errorf("lookups %d, over %v, complete %v; want 6, false, true", a.Lookups, a.OverLimit(), a.Complete)
	}
	wantChain := []Node{
		{Domain: "example.com", Record: "v=spf1 ip4:192.0.2.0/24 include:_spf.example.net include:_spf.%{d} mx -all", Lookups: 3},
		{Domain: "_spf.example.net", Depth: 1, Via: "include:_spf.example.net", Record: "v=spf1 include:_inner.example.net a:mail.example.com ~all", Lookups: 2},
		{Domain: "_inner.example.net", Depth: 2, Via: "include:_inner.example.net", Record: "v=spf1 ip6:2001:db8::/32 ?all"},
		{Domain: "_spf.example.com", Depth: 1, Via: "include:_spf.%{d}", Record: "v=spf1 a:mail.example.com -all", Lookups: 1},
	}
	if diff := cmp.Diff(wantChain, a.Chain, cmpopts.EquateErrors()); diff != "" {
		t.Errorf("chain (-want +got):\n%s", diff)
	}
	if a.All != QualifierFail || a.AllDomain != "example.com" || a.DefaultVerdict() != Fail {
		t.Errorf("all %q in %q, default %s; want - in example.com, fail", a.All, a.AllDomain, a.DefaultVerdict())
	}
	if diff := cmp.Diff([]Place{{"_inner.example.net", "?all"}}, a.NeutralAll); diff != "" {
		t.Errorf("?all (-want +got):\n%s", diff)
	}
	if len(a.PassAll)+len(a.PTR)+len(a.VoidLookups)+len(a.Problems) != 0 {
		t.Errorf("unexpected findings: %+v %+v %+v %+v", a.PassAll, a.PTR, a.VoidLookups, a.Problems)
	}
}

func TestAnalyseCases(t *testing.T) {
	s := analyseZone(t)
	r := s.Resolver()
	ctx := context.Background()
	tests := []struct {
		domain   string
		lookups  int
		complete bool
		all      Qualifier
		allIn    string
		verdict  Verdict
		ptr      []Place
		passAll  []Place
		voids    []VoidLookup
		problems []string // parts of each problem's text, in order
	}{
		{domain: "over.example.com", lookups: 13, complete: true, all: '-', allIn: "over.example.com", verdict: Fail,
			ptr: []Place{{"over.example.com", "ptr"}}},
		{domain: "redirect.example.com", lookups: 2, complete: true, all: '~', allIn: "_spf.example.org", verdict: SoftFail},
		{domain: "ignored.example.com", lookups: 0, complete: true, all: '-', allIn: "ignored.example.com", verdict: Fail},
		{domain: "noall.example.com", lookups: 0, complete: true, verdict: Neutral},
		{domain: "open.example.com", lookups: 2, complete: true, all: '+', allIn: "open.example.com", verdict: Pass,
			ptr: []Place{{"open.example.com", "ptr"}}, passAll: []Place{{"open.example.net", "+all"}, {"open.example.com", "+all"}}},
		{domain: "void.example.com", lookups: 5, complete: true, all: '-', allIn: "void.example.com", verdict: Fail,
			voids: []VoidLookup{
				{"void.example.com", "a:missing.example.com", "missing.example.com", true},
				{"void.example.com", "mx:nomx.example.com", "nomx.example.com", false},
				{"void.example.com", "exists:empty.example.com", "empty.example.com", false},
				{"void.example.com", "include:nowhere.example.com", "nowhere.example.com", true},
			},
			problems: []string{
				"include:nowhere.example.com names nowhere.example.com, which has no SPF record, so checks that reach this include are a permerror",
				"include:norecord.example.com names norecord.example.com, which has no SPF record",
			}},
		{domain: "loop.example.com", lookups: 2, complete: false, all: '-', allIn: "loop.example.com", verdict: Fail,
			problems: []string{"include:loop.example.com leads back to loop.example.com, a loop"}},
		{domain: "macro.example.com", lookups: 2, complete: false, all: '-', allIn: "macro.example.com", verdict: Fail},
		{domain: "broken.example.com", lookups: 4, complete: false, all: '-', allIn: "broken.example.com", verdict: Fail,
			problems: []string{
				`the SPF record of bad.example.com, reached by include:bad.example.com, has an error, so checks that reach it are a permerror: term 1 "ip4:192.0.2.1/33": CIDR length 33 is more than 32`,
				"include:two.example.com names two.example.com, which has 2 SPF records",
				"could not look up the record of slow.example.com",
				"mx:manymx.example.com names manymx.example.com, which has 11 mail servers; SPF allows at most 10",
			}},
		{domain: "twice.example.com", complete: true, verdict: PermError,
			problems: []string{"twice.example.com publishes 2 SPF records"}},
		{domain: "syntax.example.com", complete: true, verdict: PermError,
			problems: []string{`the SPF record of syntax.example.com has an error, so every check is a permerror: term 1 "a:foo-bar"`}},
		{domain: "mail.example.com", complete: true, verdict: None},
	}
	for _, tt := range tests {
		t.Run(tt.domain, func(t *testing.T) {
			a, err := Analyse(ctx, r, tt.domain)
			if err != nil {
				t.Fatal(err)
			}
			if a.Lookups != tt.lookups || a.Complete != tt.complete || a.All != tt.all || a.AllDomain != tt.allIn || a.DefaultVerdict() != tt.verdict {
				t.Errorf("lookups %d, complete %v, all %q in %q, default %s; want %d, %v, %q in %q, %s",
					a.Lookups, a.Complete, a.All, a.AllDomain, a.DefaultVerdict(), tt.lookups, tt.complete, tt.all, tt.allIn, tt.verdict)
			}
			if diff := cmp.Diff(tt.ptr, a.PTR); diff != "" {
				t.Errorf("ptr (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.passAll, a.PassAll); diff != "" {
				t.Errorf("+all (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.voids, a.VoidLookups); diff != "" {
				t.Errorf("void lookups (-want +got):\n%s", diff)
			}
			if len(a.Problems) != len(tt.problems) {
				t.Errorf("%d problems, want %d: %+v", len(a.Problems), len(tt.problems), a.Problems)
				return
			}
			for i, p := range a.Problems {
				if !strings.Contains(p.Text, tt.problems[i]) {
					t.Errorf("problem %d = %q, want it to contain %q", i, p.Text, tt.problems[i])
				}
			}
		})
	}
}

func TestAnalyseErrors(t *testing.T) {
	s := analyseZone(t)
	s.ServFail("down.example.com")
	r := s.Resolver()
	if _, err := Analyse(context.Background(), r, "down.example.com"); err == nil || !resolve.IsTemporary(err) {
		t.Errorf("SERVFAIL: %v, want a temporary error", err)
	}
	if _, err := Analyse(context.Background(), r, "localhost"); err == nil {
		t.Error("a one-label name was analysed")
	}
	a, err := Analyse(context.Background(), r, "nowhere.example.com")
	if err != nil || len(a.Records) != 0 || a.DefaultVerdict() != None {
		t.Errorf("NXDOMAIN: %+v, %v; want no records", a, err)
	}
}
