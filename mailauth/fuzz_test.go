package mailauth

import (
	"fmt"
	"strings"
	"testing"
)

// The records these parsers read come from strangers' DNS and web servers,
// so each must survive anything and only ever accept what it promises.

func FuzzParseMTASTSPolicy(f *testing.F) {
	f.Add("version: STSv1\r\nmode: enforce\r\nmx: mail.example.com\r\nmx: *.example.net\r\nmax_age: 604800\r\n")
	f.Add("version: STSv1\nmode: none\nmax_age: 0")
	f.Add("version: STSv1\nmode: testing\nmx: a.example\nmax_age: 31557600\nx: y z\n")
	f.Add("<html>404</html>")
	f.Fuzz(func(t *testing.T, text string) {
		p, err := ParseMTASTSPolicy(text)
		if err != nil {
			return
		}
		if p.Version != "STSv1" || (p.Mode != ModeEnforce && p.Mode != ModeTesting && p.Mode != ModeNone) {
			t.Fatalf("accepted version %q mode %q", p.Version, p.Mode)
		}
		if p.MaxAge < 0 || p.MaxAge > maxPolicyAge {
			t.Fatalf("accepted max_age %d", p.MaxAge)
		}
		if len(p.MX) == 0 && p.Mode != ModeNone {
			t.Fatal("accepted a policy with no mx")
		}
		// What was accepted reads back the same when written out again.
		var b strings.Builder
		fmt.Fprintf(&b, "version: %s\nmode: %s\n", p.Version, p.Mode)
		for _, mx := range p.MX {
			if !validMXPattern(mx) {
				t.Fatalf("accepted mx %q", mx)
			}
			fmt.Fprintf(&b, "mx: %s\n", mx)
			p.MatchMX(strings.TrimPrefix(mx, "*."))
		}
		fmt.Fprintf(&b, "max_age: %d\n", p.MaxAge)
		again, err := ParseMTASTSPolicy(b.String())
		if err != nil {
			t.Fatalf("written-out policy does not parse: %v\n%s", err, b.String())
		}
		if fmt.Sprint(again) != fmt.Sprint(p) {
			t.Fatalf("round trip changed the policy: %+v then %+v", p, again)
		}
	})
}

func FuzzParseMTASTSRecord(f *testing.F) {
	f.Add("v=STSv1; id=20240101000000;")
	f.Add("v=STSv1;id=a;ext=b")
	f.Fuzz(func(t *testing.T, txt string) {
		r, err := ParseMTASTSRecord(txt)
		if err != nil {
			return
		}
		if r.ID == "" || len(r.ID) > 32 || !isAlnum(r.ID) {
			t.Fatalf("accepted id %q", r.ID)
		}
	})
}

func FuzzParseTLSRPT(f *testing.F) {
	f.Add("v=TLSRPTv1; rua=mailto:tls@example.org")
	f.Add("v=TLSRPTv1;rua=mailto:a@example.org, https://reports.example.net/tls?x=1;")
	f.Add("v=TLSRPTv1; rua=mailto:%61@example.org; ext=1")
	f.Fuzz(func(t *testing.T, txt string) {
		r, err := ParseTLSRPT(txt)
		if err != nil {
			return
		}
		if len(r.RUA) == 0 {
			t.Fatal("accepted a record with no rua")
		}
		for _, u := range r.RUA {
			if err := checkReportURI(u, "https"); err != nil {
				t.Fatalf("accepted rua %q: %v", u, err)
			}
		}
	})
}

func FuzzParseDKIMKey(f *testing.F) {
	f.Add("v=DKIM1; k=rsa; p=" + testKey(f, "2048"))
	f.Add("v=DKIM1; p=" + syntheticRSA(f, 512, true))
	f.Add("v=DKIM1; k=ed25519; p=qUc4nmgllde3WzroeZG3O9x1ZYt4dEqX8WMpJVBNqPo=")
	f.Add("v=DKIM1; t=y:s; h=sha1:sha256; s=email; p=")
	f.Fuzz(func(t *testing.T, txt string) {
		k, err := ParseDKIMKey(txt)
		if err != nil {
			return
		}
		switch {
		case k.KeyType != "rsa" && k.KeyType != "ed25519":
			t.Fatalf("accepted key type %q", k.KeyType)
		case k.Revoked && k.Bits != 0:
			t.Fatalf("revoked key with %d bits", k.Bits)
		case !k.Revoked && k.Bits <= 0:
			t.Fatalf("live key with %d bits", k.Bits)
		case k.KeyType == "ed25519" && !k.Revoked && k.Bits != 256:
			t.Fatalf("Ed25519 key with %d bits", k.Bits)
		}
	})
}

func FuzzParseDMARC(f *testing.F) {
	f.Add("v=DMARC1; p=none")
	f.Add("v=DMARC1; p=reject; sp=quarantine; pct=50; adkim=s; aspf=r; fo=1:d; rf=afrf; ri=3600; rua=mailto:d@example.org,mailto:x@reports.example.net!10m; ruf=mailto:f@example.org")
	f.Add("v=DMARC1; rua=mailto:d@example.org; P=Quarantine; poilcy=reject")
	f.Add("v=DMARC1; p=reject; np=reject; t=y; pct=-1")
	f.Fuzz(func(t *testing.T, txt string) {
		isDMARCRecord(txt)
		r, err := ParseDMARC(txt)
		if err != nil {
			return
		}
		if !isDMARCRecord(txt) {
			t.Fatalf("accepted a record that does not start with v=DMARC1: %q", txt)
		}
		valid := map[string]bool{"none": true, "quarantine": true, "reject": true}
		if !valid[r.Policy] || (r.SubdomainPolicy != "" && !valid[r.SubdomainPolicy]) {
			t.Fatalf("accepted p=%q sp=%q", r.Policy, r.SubdomainPolicy)
		}
		if r.Percent < 0 || r.Percent > 100 {
			t.Fatalf("accepted pct=%d", r.Percent)
		}
		for _, a := range append(r.RUA, r.RUF...) {
			if a.Error == "" && a.Domain == "" {
				t.Fatalf("report address %q has neither a domain nor an error", a.URI)
			}
		}
		// Judging the record must cope with whatever it holds, and every
		// record suggested in its place must itself be valid.
		rep := &Report{Domain: "example.org", DMARC: DMARCResult{Name: "_dmarc.example.org", Records: []string{txt}, Record: &r, Policy: r.Policy}}
		for _, f := range judgeDMARC(rep) {
			for _, rec := range f.Records {
				if strings.HasPrefix(rec.Name, "_dmarc.") {
					if _, err := ParseDMARC(rec.Value); err != nil {
						t.Fatalf("%s suggests %q, which does not parse: %v", f.ID, rec.Value, err)
					}
				}
			}
		}
	})
}

func FuzzParseDomain(f *testing.F) {
	f.Add("example.org")
	f.Add("manager@Sunnyside-Care.co.uk.")
	f.Add("bücher.example")
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseDomain(s)
		if err != nil {
			return
		}
		if !validHostname(d) || d != strings.ToLower(d) {
			t.Fatalf("ParseDomain(%q) = %q", s, d)
		}
		if again, err := ParseDomain(d); err != nil || again != d {
			t.Fatalf("ParseDomain(%q) = %q, but that gives %q, %v", s, d, again, err)
		}
	})
}
