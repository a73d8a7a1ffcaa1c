package mailauth

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/handwash/handwash"
	"github.com/handwash/handwash/resolve/resolvetest"
)

// The domain most tests check, set up as a care home on Microsoft 365
// would be once everything is done right. Each test starts from these
// records and changes what it is about.
const home = "sunnyside.example"

// records are a zone's parts by purpose, so a test can swap one out.
type records map[string]string

func (rs records) with(changes records) records {
	out := records{}
	for k, v := range rs {
		out[k] = v
	}
	for k, v := range changes {
		out[k] = v
	}
	return out
}

func (rs records) zone() string {
	var b strings.Builder
	for _, v := range rs {
		b.WriteString(v)
		b.WriteString("\n")
	}
	return b.String()
}

func goodM365(t testing.TB) records {
	key := txt("v=DKIM1; k=rsa; p=" + testKey(t, "2048"))
	return records{
		"mx": `sunnyside.example. MX 0 sunnyside-example.mail.protection.outlook.com.
sunnyside-example.mail.protection.outlook.com. A 192.0.2.10`,
		"spf": `sunnyside.example. TXT "v=spf1 include:spf.protection.outlook.com -all"
spf.protection.outlook.com. TXT "v=spf1 ip4:192.0.2.0/24 -all"`,
		"dmarc": `_dmarc.sunnyside.example. TXT "v=DMARC1; p=reject; rua=mailto:dmarc@sunnyside.example"`,
		"dkim": `selector1._domainkey.sunnyside.example. CNAME selector1-sunnyside-example._domainkey.sunnysidecare.onmicrosoft.com.
selector2._domainkey.sunnyside.example. CNAME selector2-sunnyside-example._domainkey.sunnysidecare.onmicrosoft.com.
selector1-sunnyside-example._domainkey.sunnysidecare.onmicrosoft.com. TXT ` + key + `
selector2-sunnyside-example._domainkey.sunnysidecare.onmicrosoft.com. TXT ` + key,
		"mta-sts": `_mta-sts.sunnyside.example. TXT "v=STSv1; id=20260101000000"`,
		"tls-rpt": `_smtp._tls.sunnyside.example. TXT "v=TLSRPTv1; rua=mailto:tls@sunnyside.example"`,
		"other":   `sunnyside.example. A 192.0.2.80`,
	}
}

const enforcePolicy = "version: STSv1\nmode: enforce\nmx: sunnyside-example.mail.protection.outlook.com\nmax_age: 1209600\n"

// setup is everything a test domain needs besides its zone.
type setup struct {
	policies map[string]policy // by mta-sts host
	signed   []string          // zones to mark DNSSEC-signed
	servfail []string          // names the DNS fails for
	opts     Options
}

// run checks domain against a DNS server holding zone and a web server
// holding the policies.
func run(t testing.TB, zone, domain string, s setup) *Report {
	t.Helper()
	dnsSrv := resolvetest.Start(t, zone)
	dnsSrv.Sign(s.signed...)
	dnsSrv.ServFail(s.servfail...)
	web := newPolicyServer(t, "mta-sts."+home, "mta-sts.greenfield.example", "mta-sts.mail.sunnyside.example")
	for host, p := range s.policies {
		web.set(host, p)
	}
	opts := s.opts
	if opts.HTTPClient == nil {
		opts.HTTPClient = web.client(2 * time.Second)
	}
	opts.Now = func() time.Time { return checkedAt }
	rep, err := Check(context.Background(), dnsSrv.Resolver(), domain, opts)
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func goodSetup() setup {
	return setup{
		policies: map[string]policy{"mta-sts." + home: {body: enforcePolicy}},
		signed:   []string{home},
	}
}

// findings maps each finding's ID to its status.
func findings(rep *Report) map[string]Status {
	m := map[string]Status{}
	for _, f := range rep.Findings {
		if _, dup := m[f.ID]; dup {
			m[f.ID] = "DUPLICATE"
		}
		m[f.ID] = f.Status
	}
	return m
}

func finding(t testing.TB, rep *Report, id string) Finding {
	t.Helper()
	for _, f := range rep.Findings {
		if f.ID == id {
			return f
		}
	}
	t.Fatalf("no finding %s; have %v", id, findings(rep))
	return Finding{}
}

func TestCheck(t *testing.T) {
	base := goodM365(t)
	tests := []struct {
		name   string
		zone   records
		domain string // home if empty
		setup  func(*setup)
		grade  Grade
		want   map[string]Status // findings that must be there, with these statuses
		absent []string          // findings that must not be there
	}{
		{
			name:  "everything in place",
			zone:  base,
			grade: GradeA,
			want: map[string]Status{
				"email.mx-ok": StatusPass, "email.dmarc-ok": StatusPass, "email.dkim-ok": StatusPass,
				"email.mta-sts-ok": StatusPass, "email.tls-rpt-ok": StatusPass, "email.dnssec-ok": StatusPass,
			},
		},

		// DMARC
		{
			name:  "no DMARC record",
			zone:  base.with(records{"dmarc": ""}),
			grade: GradeF,
			want:  map[string]Status{"email.dmarc-missing": StatusFail},
		},
		{
			name:  "DMARC record that is not DMARC",
			zone:  base.with(records{"dmarc": `_dmarc.sunnyside.example. TXT "some verification token"`}),
			grade: GradeF,
			want:  map[string]Status{"email.dmarc-missing": StatusFail},
		},
		{
			name:  "p=none",
			zone:  base.with(records{"dmarc": `_dmarc.sunnyside.example. TXT "v=DMARC1; p=none; rua=mailto:dmarc@sunnyside.example"`}),
			grade: GradeD,
			want:  map[string]Status{"email.dmarc-policy-none": StatusFail},
		},
		{
			name:  "p=quarantine",
			zone:  base.with(records{"dmarc": `_dmarc.sunnyside.example. TXT "v=DMARC1; p=quarantine; rua=mailto:dmarc@sunnyside.example"`}),
			grade: GradeB,
			want:  map[string]Status{"email.dmarc-policy-quarantine": StatusWarn},
		},
		{
			name:  "pct below 100",
			zone:  base.with(records{"dmarc": `_dmarc.sunnyside.example. TXT "v=DMARC1; p=reject; pct=25; rua=mailto:dmarc@sunnyside.example"`}),
			grade: GradeB,
			want:  map[string]Status{"email.dmarc-pct": StatusWarn, "email.dmarc-ok": StatusPass},
		},
		{
			name:  "subdomains left open",
			zone:  base.with(records{"dmarc": `_dmarc.sunnyside.example. TXT "v=DMARC1; p=reject; sp=none; rua=mailto:dmarc@sunnyside.example"`}),
			grade: GradeA,
			want:  map[string]Status{"email.dmarc-subdomain-none": StatusWarn},
		},
		{
			name: "two DMARC records",
			zone: base.with(records{"dmarc": `_dmarc.sunnyside.example. TXT "v=DMARC1; p=reject"
_dmarc.sunnyside.example. TXT "v=DMARC1; p=none"`}),
			grade: GradeF,
			want:  map[string]Status{"email.dmarc-multiple": StatusFail},
		},
		{
			name:  "DMARC with a bad policy",
			zone:  base.with(records{"dmarc": `_dmarc.sunnyside.example. TXT "v=DMARC1; p=block"`}),
			grade: GradeF,
			want:  map[string]Status{"email.dmarc-invalid": StatusFail},
		},
		{
			name:  "DMARC with a misspelt tag",
			zone:  base.with(records{"dmarc": `_dmarc.sunnyside.example. TXT "v=DMARC1; p=reject; rau=mailto:dmarc@sunnyside.example"`}),
			grade: GradeA,
			want:  map[string]Status{"email.dmarc-syntax": StatusWarn, "email.dmarc-no-reports": StatusWarn},
		},
		{
			name:   "subdomain covered by the organisation's record",
			domain: "mail." + home,
			zone: base.with(records{
				"mx":      "mail.sunnyside.example. MX 10 sunnyside-example.mail.protection.outlook.com.\nsunnyside-example.mail.protection.outlook.com. A 192.0.2.10",
				"dmarc":   `_dmarc.sunnyside.example. TXT "v=DMARC1; p=reject; sp=quarantine; rua=mailto:dmarc@sunnyside.example"`,
				"dkim":    "",
				"mta-sts": "",
			}),
			grade: GradeC, // no DKIM at mail.sunnyside.example
			want:  map[string]Status{"email.dmarc-policy-quarantine": StatusWarn, "email.dkim-missing": StatusFail},
		},
		{
			name:   "subdomain where the organisation leaves subdomains open",
			domain: "mail." + home,
			zone: base.with(records{
				"mx":    "mail.sunnyside.example. MX 10 sunnyside-example.mail.protection.outlook.com.\nsunnyside-example.mail.protection.outlook.com. A 192.0.2.10",
				"dmarc": `_dmarc.sunnyside.example. TXT "v=DMARC1; p=reject; sp=none"`,
			}),
			grade: GradeF, // and mail.sunnyside.example has no SPF record
			want:  map[string]Status{"email.dmarc-policy-none": StatusFail, "email.spf-missing": StatusFail},
		},
		{
			name:  "reports to another organisation that has not agreed",
			zone:  base.with(records{"dmarc": `_dmarc.sunnyside.example. TXT "v=DMARC1; p=reject; rua=mailto:d@reports.example.net"`}),
			grade: GradeA,
			want:  map[string]Status{"email.dmarc-report-not-authorised": StatusWarn},
		},
		{
			name: "reports to another organisation that has agreed",
			zone: base.with(records{
				"dmarc": `_dmarc.sunnyside.example. TXT "v=DMARC1; p=reject; rua=mailto:d@reports.example.net"` + "\n" +
					`*._report._dmarc.reports.example.net. TXT "v=DMARC1"`,
			}),
			grade:  GradeA,
			absent: []string{"email.dmarc-report-not-authorised"},
		},
		{
			name: "failure reports sent away",
			zone: base.with(records{
				"dmarc": `_dmarc.sunnyside.example. TXT "v=DMARC1; p=reject; rua=mailto:d@sunnyside.example; ruf=mailto:f@reports.example.net"` + "\n" +
					`sunnyside.example._report._dmarc.reports.example.net. TXT "v=DMARC1;"`,
			}),
			grade: GradeA,
			want:  map[string]Status{"email.dmarc-failure-reports": StatusWarn},
		},
		{
			name:  "bad report address",
			zone:  base.with(records{"dmarc": `_dmarc.sunnyside.example. TXT "v=DMARC1; p=reject; rua=dmarc@sunnyside.example"`}),
			grade: GradeA,
			want:  map[string]Status{"email.dmarc-report-address-invalid": StatusWarn},
		},
		{
			name:  "DMARC lookup fails",
			zone:  base,
			setup: func(s *setup) { s.servfail = []string{"_dmarc." + home} },
			grade: GradeUnknown,
			want:  map[string]Status{"email.dmarc-unknown": StatusUnknown},
		},

		// SPF
		{
			name:  "no SPF record",
			zone:  base.with(records{"spf": ""}),
			grade: GradeC,
			want:  map[string]Status{"email.spf-missing": StatusFail},
		},
		{
			name: "no SPF record and DMARC p=none",
			zone: base.with(records{"spf": "",
				"dmarc": `_dmarc.sunnyside.example. TXT "v=DMARC1; p=none; rua=mailto:dmarc@sunnyside.example"`}),
			grade: GradeF,
			want:  map[string]Status{"email.spf-missing": StatusFail, "email.dmarc-policy-none": StatusFail},
		},
		{
			name:  "two SPF records",
			zone:  base.with(records{"spf": base["spf"] + "\n" + `sunnyside.example. TXT "v=spf1 include:mailgun.org ~all"`}),
			grade: GradeC,
			want:  map[string]Status{"email.spf-multiple": StatusFail},
		},
		{
			name:  "SPF record with a mistake",
			zone:  base.with(records{"spf": `sunnyside.example. TXT "v=spf1 include:spf.protection.outlook.com ip4:192.0.2.300 -all"`}),
			grade: GradeC,
			want:  map[string]Status{"email.spf-invalid": StatusFail},
		},
		{
			name:   "SPF +all",
			zone:   base.with(records{"spf": `sunnyside.example. TXT "v=spf1 include:spf.protection.outlook.com +all"` + "\n" + `spf.protection.outlook.com. TXT "v=spf1 ip4:192.0.2.0/24 -all"`}),
			grade:  GradeC,
			want:   map[string]Status{"email.spf-pass-all": StatusFail},
			absent: []string{"email.spf-ok"},
		},
		{
			name:  "SPF ?all",
			zone:  base.with(records{"spf": `sunnyside.example. TXT "v=spf1 include:spf.protection.outlook.com ?all"` + "\n" + `spf.protection.outlook.com. TXT "v=spf1 ip4:192.0.2.0/24 -all"`}),
			grade: GradeC,
			want:  map[string]Status{"email.spf-neutral": StatusWarn},
		},
		{
			name:  "SPF ~all is fine",
			zone:  base.with(records{"spf": `sunnyside.example. TXT "v=spf1 include:spf.protection.outlook.com ~all"` + "\n" + `spf.protection.outlook.com. TXT "v=spf1 ip4:192.0.2.0/24 -all"`}),
			grade: GradeA,
			want:  map[string]Status{"email.spf-ok": StatusPass},
		},
		{
			name: "SPF over the lookup limit",
			zone: base.with(records{"spf": `sunnyside.example. TXT "v=spf1 include:a.example.net include:b.example.net include:c.example.net include:d.example.net include:e.example.net include:f.example.net include:g.example.net -all"
a.example.net. TXT "v=spf1 a mx -all"
b.example.net. TXT "v=spf1 a mx -all"
c.example.net. TXT "v=spf1 ip4:192.0.2.1 -all"
d.example.net. TXT "v=spf1 ip4:192.0.2.1 -all"
e.example.net. TXT "v=spf1 ip4:192.0.2.1 -all"
f.example.net. TXT "v=spf1 ip4:192.0.2.1 -all"
g.example.net. TXT "v=spf1 ip4:192.0.2.1 -all"
a.example.net. A 192.0.2.2
a.example.net. MX 10 a.example.net.
b.example.net. A 192.0.2.3
b.example.net. MX 10 b.example.net.`}),
			grade: GradeC,
			want:  map[string]Status{"email.spf-too-many-lookups": StatusFail},
		},
		{
			name:  "SPF with void lookups",
			zone:  base.with(records{"spf": `sunnyside.example. TXT "v=spf1 a:old1.sunnyside.example a:old2.sunnyside.example mx:old3.sunnyside.example include:spf.protection.outlook.com -all"` + "\n" + `spf.protection.outlook.com. TXT "v=spf1 ip4:192.0.2.0/24 -all"`}),
			grade: GradeC,
			want:  map[string]Status{"email.spf-void-lookups": StatusFail},
		},
		{
			name:  "SPF include with no record",
			zone:  base.with(records{"spf": `sunnyside.example. TXT "v=spf1 include:spf.protection.outlook.com include:oldcrm.example.net -all"` + "\n" + `spf.protection.outlook.com. TXT "v=spf1 ip4:192.0.2.0/24 -all"` + "\noldcrm.example.net. A 192.0.2.9"}),
			grade: GradeC,
			want:  map[string]Status{"email.spf-broken-include": StatusFail},
		},
		{
			name:  "SPF ptr",
			zone:  base.with(records{"spf": `sunnyside.example. TXT "v=spf1 ptr include:spf.protection.outlook.com -all"` + "\n" + `spf.protection.outlook.com. TXT "v=spf1 ip4:192.0.2.0/24 -all"`}),
			grade: GradeA,
			want:  map[string]Status{"email.spf-ptr": StatusWarn},
		},
		{
			name:  "SPF does not list the provider the mail goes to",
			zone:  base.with(records{"spf": `sunnyside.example. TXT "v=spf1 include:_spf.google.com -all"` + "\n" + `_spf.google.com. TXT "v=spf1 ip4:192.0.2.0/24 ~all"`}),
			grade: GradeA,
			want:  map[string]Status{"email.spf-provider-missing": StatusWarn},
		},
		{
			name:   "SPF include lookup fails",
			zone:   base,
			setup:  func(s *setup) { s.servfail = []string{"spf.protection.outlook.com"} },
			grade:  GradeUnknown,
			want:   map[string]Status{"email.spf-partly-unknown": StatusUnknown},
			absent: []string{"email.spf-broken-include"},
		},
		{
			name:  "NHSmail relay",
			zone:  base.with(records{"spf": `sunnyside.example. TXT "v=spf1 include:_spf.nhs.net ~all"` + "\n" + `_spf.nhs.net. TXT "v=spf1 ip4:192.0.2.0/24 -all"`, "mx": "sunnyside.example. MX 10 mail.sunnyside.example.\nmail.sunnyside.example. A 192.0.2.25", "dkim": ""}),
			setup: func(s *setup) { s.policies = nil },
			grade: GradeC,
			want:  map[string]Status{"email.dkim-missing": StatusWarn, "email.spf-ok": StatusPass},
		},

		// DKIM
		{
			name:  "DKIM not turned on in Microsoft 365",
			zone:  base.with(records{"dkim": ""}),
			grade: GradeC,
			want:  map[string]Status{"email.dkim-missing": StatusFail},
		},
		{
			name: "DKIM CNAMEs published but signing not turned on",
			zone: base.with(records{"dkim": `selector1._domainkey.sunnyside.example. CNAME selector1-sunnyside-example._domainkey.sunnysidecare.onmicrosoft.com.
selector2._domainkey.sunnyside.example. CNAME selector2-sunnyside-example._domainkey.sunnysidecare.onmicrosoft.com.`}),
			grade: GradeC,
			want:  map[string]Status{"email.dkim-missing": StatusFail},
		},
		{
			name:  "1024-bit DKIM key",
			zone:  base.with(records{"dkim": `selector1._domainkey.sunnyside.example. TXT ` + txt("v=DKIM1; p="+testKey(t, "1024"))}),
			grade: GradeA,
			want:  map[string]Status{"email.dkim-short-key": StatusWarn, "email.dkim-ok": StatusPass},
		},
		{
			name:   "512-bit DKIM key",
			zone:   base.with(records{"dkim": `selector1._domainkey.sunnyside.example. TXT ` + txt("v=DKIM1; p="+syntheticRSA(t, 512, false))}),
			grade:  GradeC,
			want:   map[string]Status{"email.dkim-weak-key": StatusFail},
			absent: []string{"email.dkim-ok"},
		},
		{
			name:  "DKIM key only revoked",
			zone:  base.with(records{"dkim": `selector1._domainkey.sunnyside.example. TXT "v=DKIM1; p="`}),
			grade: GradeC,
			want:  map[string]Status{"email.dkim-missing": StatusFail},
		},
		{
			name:  "DKIM key in testing",
			zone:  base.with(records{"dkim": `selector2._domainkey.sunnyside.example. TXT ` + txt("v=DKIM1; t=y; p="+testKey(t, "2048"))}),
			grade: GradeA,
			want:  map[string]Status{"email.dkim-testing": StatusWarn, "email.dkim-ok": StatusPass},
		},
		{
			name:  "DKIM record cut short",
			zone:  base.with(records{"dkim": `selector1._domainkey.sunnyside.example. TXT ` + txt("v=DKIM1; p="+testKey(t, "2048")[:200])}),
			grade: GradeC,
			want:  map[string]Status{"email.dkim-invalid": StatusFail, "email.dkim-missing": StatusFail},
		},
		{
			name:  "DKIM only Ed25519",
			zone:  base.with(records{"dkim": `google._domainkey.sunnyside.example. TXT "v=DKIM1; k=ed25519; p=qUc4nmgllde3WzroeZG3O9x1ZYt4dEqX8WMpJVBNqPo="`}),
			grade: GradeA,
			want:  map[string]Status{"email.dkim-ed25519-only": StatusWarn, "email.dkim-ok": StatusPass},
		},
		{
			name: "DKIM at a selector given to the check",
			zone: base.with(records{
				"dkim": `mc1._domainkey.sunnyside.example. TXT ` + txt("v=DKIM1; p="+testKey(t, "2048")),
				"mx":   "sunnyside.example. MX 10 mail.sunnyside.example.\nmail.sunnyside.example. A 192.0.2.25",
			}),
			setup: func(s *setup) {
				s.opts.Selectors = []string{"MC1", "selector1"}
				s.policies = map[string]policy{"mta-sts." + home: {body: strings.Replace(enforcePolicy, "sunnyside-example.mail.protection.outlook.com", "mail.sunnyside.example", 1)}}
			},
			grade: GradeA,
			want:  map[string]Status{"email.dkim-ok": StatusPass},
		},
		{
			name:  "DKIM lookup fails",
			zone:  base.with(records{"dkim": ""}),
			setup: func(s *setup) { s.servfail = []string{"selector1._domainkey." + home} },
			grade: GradeUnknown,
			want:  map[string]Status{"email.dkim-unknown": StatusUnknown},
		},

		// MTA-STS
		{
			name:  "no MTA-STS",
			zone:  base.with(records{"mta-sts": ""}),
			grade: GradeB,
			want:  map[string]Status{"email.mta-sts-missing": StatusFail},
		},
		{
			name: "MTA-STS in testing",
			zone: base,
			setup: func(s *setup) {
				s.policies["mta-sts."+home] = policy{body: strings.Replace(enforcePolicy, "enforce", "testing", 1)}
			},
			grade: GradeB,
			want:  map[string]Status{"email.mta-sts-testing": StatusWarn},
		},
		{
			name: "MTA-STS switched off",
			zone: base,
			setup: func(s *setup) {
				s.policies["mta-sts."+home] = policy{body: "version: STSv1\nmode: none\nmax_age: 86400\n"}
			},
			grade: GradeB,
			want:  map[string]Status{"email.mta-sts-none": StatusWarn},
		},
		{
			name: "MTA-STS policy missing a mail server",
			zone: base,
			setup: func(s *setup) {
				s.policies["mta-sts."+home] = policy{body: "version: STSv1\nmode: enforce\nmx: old-mail.sunnyside.example\nmax_age: 1209600\n"}
			},
			grade: GradeB,
			want:  map[string]Status{"email.mta-sts-mx-mismatch": StatusFail},
		},
		{
			name: "MTA-STS wildcard covers the mail server",
			zone: base,
			setup: func(s *setup) {
				s.policies["mta-sts."+home] = policy{body: "version: STSv1\nmode: enforce\nmx: *.mail.protection.outlook.com\nmax_age: 1209600\n"}
			},
			grade: GradeA,
			want:  map[string]Status{"email.mta-sts-ok": StatusPass},
		},
		{
			name: "MTA-STS max_age short",
			zone: base,
			setup: func(s *setup) {
				s.policies["mta-sts."+home] = policy{body: strings.Replace(enforcePolicy, "1209600", "3600", 1)}
			},
			grade: GradeA,
			want:  map[string]Status{"email.mta-sts-max-age-short": StatusWarn},
		},
		{
			name:  "MTA-STS policy not there",
			zone:  base,
			setup: func(s *setup) { s.policies = nil },
			grade: GradeB,
			want:  map[string]Status{"email.mta-sts-policy-unavailable": StatusFail},
		},
		{
			name: "MTA-STS policy served as HTML",
			zone: base,
			setup: func(s *setup) {
				s.policies["mta-sts."+home] = policy{body: enforcePolicy, contentType: "text/html"}
			},
			grade: GradeB,
			want:  map[string]Status{"email.mta-sts-policy-unavailable": StatusFail},
		},
		{
			name: "MTA-STS policy behind a redirect",
			zone: base,
			setup: func(s *setup) {
				s.policies["mta-sts."+home] = policy{status: http.StatusFound, location: "https://www.sunnyside.example/mta-sts.txt"}
			},
			grade: GradeB,
			want:  map[string]Status{"email.mta-sts-policy-unavailable": StatusFail},
		},
		{
			name: "MTA-STS policy over 64 KB",
			zone: base,
			setup: func(s *setup) {
				s.policies["mta-sts."+home] = policy{body: enforcePolicy + strings.Repeat("x: padding\n", 7000)}
			},
			grade: GradeB,
			want:  map[string]Status{"email.mta-sts-policy-unavailable": StatusFail},
		},
		{
			name: "MTA-STS policy with a mistake",
			zone: base,
			setup: func(s *setup) {
				s.policies["mta-sts."+home] = policy{body: "version: STSv1\nmode: enforced\nmx: sunnyside-example.mail.protection.outlook.com\nmax_age: 1209600\n"}
			},
			grade: GradeB,
			want:  map[string]Status{"email.mta-sts-policy-invalid": StatusFail},
		},
		{
			name:   "MTA-STS server certificate for another name",
			domain: "greenfield.example",
			zone: records{
				"mx":      "greenfield.example. MX 0 greenfield-example.mail.protection.outlook.com.\ngreenfield-example.mail.protection.outlook.com. A 192.0.2.11",
				"dmarc":   `_dmarc.greenfield.example. TXT "v=DMARC1; p=reject; rua=mailto:d@greenfield.example"`,
				"mta-sts": `_mta-sts.greenfield.example. TXT "v=STSv1; id=1"`,
			},
			setup: func(s *setup) {
				s.policies["mta-sts.greenfield.example"] = policy{body: enforcePolicy}
				// Only the home domain's host is on this server's certificate.
				ps := newPolicyServer(t, "mta-sts."+home)
				ps.set("mta-sts.greenfield.example", policy{body: enforcePolicy})
				s.opts.HTTPClient = ps.client(2 * time.Second)
			},
			grade: GradeC,
			want:  map[string]Status{"email.mta-sts-policy-unavailable": StatusFail},
		},
		{
			name: "MTA-STS policy server too slow",
			zone: base,
			setup: func(s *setup) {
				s.policies["mta-sts."+home] = policy{body: enforcePolicy, delay: 2 * time.Second}
				web := newPolicyServer(t, "mta-sts."+home)
				web.set("mta-sts."+home, s.policies["mta-sts."+home])
				s.opts.HTTPClient = web.client(200 * time.Millisecond)
			},
			grade: GradeUnknown,
			want:  map[string]Status{"email.mta-sts-policy-unknown": StatusUnknown},
		},
		{
			name:  "MTA-STS record with a bad id",
			zone:  base.with(records{"mta-sts": `_mta-sts.sunnyside.example. TXT "v=STSv1; id=2026-01-01"`}),
			grade: GradeB,
			want:  map[string]Status{"email.mta-sts-record-invalid": StatusFail},
		},
		{
			name: "two MTA-STS records",
			zone: base.with(records{"mta-sts": `_mta-sts.sunnyside.example. TXT "v=STSv1; id=1"
_mta-sts.sunnyside.example. TXT "v=STSv1; id=2"`}),
			grade: GradeB,
			want:  map[string]Status{"email.mta-sts-multiple": StatusFail},
		},

		// TLS-RPT
		{
			name:  "no TLS-RPT",
			zone:  base.with(records{"tls-rpt": ""}),
			grade: GradeA,
			want:  map[string]Status{"email.tls-rpt-missing": StatusWarn},
		},
		{
			name:  "TLS-RPT with a bad address",
			zone:  base.with(records{"tls-rpt": `_smtp._tls.sunnyside.example. TXT "v=TLSRPTv1; rua=tls@sunnyside.example"`}),
			grade: GradeA,
			want:  map[string]Status{"email.tls-rpt-invalid": StatusFail},
		},
		{
			name: "two TLS-RPT records",
			zone: base.with(records{"tls-rpt": `_smtp._tls.sunnyside.example. TXT "v=TLSRPTv1; rua=mailto:a@sunnyside.example"
_smtp._tls.sunnyside.example. TXT "v=TLSRPTv1; rua=mailto:b@sunnyside.example"`}),
			grade: GradeA,
			want:  map[string]Status{"email.tls-rpt-multiple": StatusFail},
		},

		// DNSSEC
		{
			name:  "zone not signed",
			zone:  base,
			setup: func(s *setup) { s.signed = nil },
			grade: GradeA,
			want:  map[string]Status{"email.dnssec-unsigned": StatusWarn},
		},

		// MX
		{
			name: "null MX and nothing sent",
			zone: records{
				"mx":    `sunnyside.example. MX 0 .`,
				"spf":   `sunnyside.example. TXT "v=spf1 -all"`,
				"dmarc": `_dmarc.sunnyside.example. TXT "v=DMARC1; p=reject"`,
			},
			setup:  func(s *setup) { s.policies = nil },
			grade:  GradeA,
			want:   map[string]Status{"email.mx-null": StatusPass, "email.dkim-not-needed": StatusPass},
			absent: []string{"email.mta-sts-missing", "email.tls-rpt-missing"},
		},
		{
			name:  "no MX at all",
			zone:  base.with(records{"mx": ""}),
			grade: GradeA,
			want:  map[string]Status{"email.mx-missing": StatusWarn},
		},
		{
			name:  "MX host that does not exist",
			zone:  base.with(records{"mx": base["mx"] + "\nsunnyside.example. MX 20 old-mail.sunnyside.example."}),
			grade: GradeB, // the old host is not in the MTA-STS policy either
			want:  map[string]Status{"email.mx-no-address": StatusFail, "email.mta-sts-mx-mismatch": StatusFail},
		},
		{
			name:  "MX lookup fails",
			zone:  base,
			setup: func(s *setup) { s.servfail = []string{home} },
			grade: GradeUnknown,
			want:  map[string]Status{"email.mx-unknown": StatusUnknown, "email.dnssec-unknown": StatusUnknown},
		},

		// Providers
		{
			name: "Google Workspace",
			zone: records{
				"mx": `sunnyside.example. MX 1 aspmx.l.google.com.
sunnyside.example. MX 5 alt1.aspmx.l.google.com.
aspmx.l.google.com. A 192.0.2.30
alt1.aspmx.l.google.com. A 192.0.2.31`,
				"spf":   `sunnyside.example. TXT "v=spf1 include:_spf.google.com ~all"` + "\n" + `_spf.google.com. TXT "v=spf1 ip4:192.0.2.0/24 ~all"`,
				"dmarc": `_dmarc.sunnyside.example. TXT "v=DMARC1; p=quarantine; rua=mailto:d@sunnyside.example"`,
			},
			setup: func(s *setup) { s.policies = nil },
			grade: GradeC,
			want:  map[string]Status{"email.dkim-missing": StatusFail, "email.mta-sts-missing": StatusFail},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := goodSetup()
			if tt.setup != nil {
				tt.setup(&s)
			}
			domain := tt.domain
			if domain == "" {
				domain = home
			}
			rep := run(t, tt.zone.zone(), domain, s)
			got := findings(rep)
			if rep.Grade != tt.grade {
				t.Errorf("grade = %s (%s), want %s; findings %v", rep.Grade, rep.GradeReason, tt.grade, got)
			}
			for id, st := range tt.want {
				if got[id] != st {
					t.Errorf("finding %s = %q, want %q; findings %v", id, got[id], st, got)
				}
			}
			for _, id := range tt.absent {
				if _, ok := got[id]; ok {
					t.Errorf("finding %s is there and should not be", id)
				}
			}
			for id, st := range got {
				if st == "DUPLICATE" {
					t.Errorf("finding %s appears more than once", id)
				}
			}
			checkOrder(t, rep)
		})
	}
}

// checkOrder checks the worst problem comes first.
func checkOrder(t *testing.T, rep *Report) {
	t.Helper()
	rank := func(f Finding) int {
		switch f.Status {
		case StatusFail, StatusWarn:
			return 100 - 10*f.Severity.Rank()
		case StatusUnknown:
			return 200
		}
		return 300
	}
	for i := 1; i < len(rep.Findings); i++ {
		if rank(rep.Findings[i]) < rank(rep.Findings[i-1]) {
			t.Errorf("finding %s comes after %s", rep.Findings[i].ID, rep.Findings[i-1].ID)
		}
	}
}

func TestCheckErrors(t *testing.T) {
	srv := resolvetest.Start(t, goodM365(t).zone())
	_, err := Check(context.Background(), srv.Resolver(), "no such place!", Options{})
	if handwash.ErrorCode(err) != handwash.EINVALID || !strings.Contains(err.Error(), "no such place!") {
		t.Errorf("invalid domain: error %v (code %s), want EINVALID naming it", err, handwash.ErrorCode(err))
	}
	_, err = Check(context.Background(), srv.Resolver(), "nowhere.example", Options{})
	if handwash.ErrorCode(err) != handwash.ENOTFOUND || !strings.Contains(err.Error(), "nowhere.example") {
		t.Errorf("missing domain: error %v (code %s), want ENOTFOUND naming it", err, handwash.ErrorCode(err))
	}
	_, err = Check(context.Background(), srv.Resolver(), home, Options{Selectors: []string{"s1", "bad selector!"}})
	if handwash.ErrorCode(err) != handwash.EINVALID || !strings.Contains(err.Error(), "bad selector!") {
		t.Errorf("invalid selector: error %v (code %s), want EINVALID naming it", err, handwash.ErrorCode(err))
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Check(ctx, srv.Resolver(), home, Options{}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: error %v, want context.Canceled", err)
	}
}

// TestCheckTimeout checks that a DNS server that never answers gives
// "could not check" findings within the overall timeout, not a hang or a
// failure.
func TestCheckTimeout(t *testing.T) {
	srv := resolvetest.Start(t, goodM365(t).zone())
	srv.Timeout("_dmarc."+home, "_mta-sts."+home)
	start := time.Now()
	rep, err := Check(context.Background(), srv.Resolver(), home, Options{Timeout: 2 * time.Second, HTTPClient: newPolicyServer(t).client(time.Second)})
	if err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("check took %v with a 2s timeout", d)
	}
	got := findings(rep)
	for _, id := range []string{"email.dmarc-unknown", "email.mta-sts-unknown"} {
		if got[id] != StatusUnknown {
			t.Errorf("finding %s = %q, want unknown; findings %v", id, got[id], got)
		}
	}
	if rep.Grade != GradeUnknown {
		t.Errorf("grade = %s, want unknown", rep.Grade)
	}
}

func TestAdvice(t *testing.T) {
	base := goodM365(t)
	t.Run("DKIM records for Microsoft 365", func(t *testing.T) {
		rep := run(t, base.with(records{"dkim": ""}).zone(), home, goodSetup())
		f := finding(t, rep, "email.dkim-missing")
		want := []Record{
			{Name: "selector1._domainkey.sunnyside.example", Type: "CNAME", Value: "selector1-sunnyside-example._domainkey.<tenant>.onmicrosoft.com"},
			{Name: "selector2._domainkey.sunnyside.example", Type: "CNAME", Value: "selector2-sunnyside-example._domainkey.<tenant>.onmicrosoft.com"},
		}
		if fmt.Sprint(f.Records) != fmt.Sprint(want) {
			t.Errorf("records = %v, want %v", f.Records, want)
		}
		if !strings.Contains(f.Fix, "Defender portal") {
			t.Errorf("fix does not say where to turn DKIM on: %s", f.Fix)
		}
	})
	t.Run("DMARC p=none keeps the report addresses", func(t *testing.T) {
		rep := run(t, base.with(records{"dmarc": `_dmarc.sunnyside.example. TXT "v=DMARC1; p=none; adkim=s; rua=mailto:a@sunnyside.example,mailto:bad"`}).zone(), home, goodSetup())
		f := finding(t, rep, "email.dmarc-policy-none")
		want := "v=DMARC1; p=quarantine; adkim=s; rua=mailto:a@sunnyside.example"
		if len(f.Records) != 1 || f.Records[0].Value != want || f.Records[0].Name != "_dmarc."+home {
			t.Errorf("records = %v, want _dmarc.%s TXT %q", f.Records, home, want)
		}
	})
	t.Run("MTA-STS policy lists the real mail servers", func(t *testing.T) {
		rep := run(t, base.with(records{"mta-sts": ""}).zone(), home, goodSetup())
		f := finding(t, rep, "email.mta-sts-missing")
		if len(f.Records) != 2 || f.Records[0].Value != "v=STSv1; id=20261120093000" ||
			!strings.Contains(f.Records[1].Value, "mx: sunnyside-example.mail.protection.outlook.com\n") ||
			!strings.Contains(f.Records[1].Value, "mode: testing\n") {
			t.Errorf("records = %q", f.Records)
		}
		if got, err := ParseMTASTSPolicy(f.Records[1].Value); err != nil || !got.MatchMX("sunnyside-example.mail.protection.outlook.com") {
			t.Errorf("suggested policy does not parse or match: %+v, %v", got, err)
		}
	})
	t.Run("NHSmail advice sends people to NHSmail for exact values", func(t *testing.T) {
		zone := base.with(records{
			"mx":   "sunnyside.example. MX 10 relay.example.nhs.net.\nrelay.example.nhs.net. A 192.0.2.40",
			"spf":  "",
			"dkim": "",
		})
		rep := run(t, zone.zone(), home, goodSetup())
		if rep.Provider != ProviderNHSmail {
			t.Fatalf("provider = %q, want NHSmail", rep.Provider)
		}
		spfFix := finding(t, rep, "email.spf-missing")
		if !strings.Contains(spfFix.Fix, "NHSmail helpdesk") || spfFix.Records[0].Value != "v=spf1 include:_spf.nhs.net ~all" {
			t.Errorf("SPF advice = %q with %v", spfFix.Fix, spfFix.Records)
		}
		if f := finding(t, rep, "email.dkim-missing"); !strings.Contains(f.Fix, "NHSmail helpdesk") || len(f.Records) != 0 {
			t.Errorf("DKIM advice = %q with %v; want it to send people to the helpdesk, inventing no record", f.Fix, f.Records)
		}
	})
	t.Run("records suggested are valid", func(t *testing.T) {
		for _, z := range []records{base.with(records{"dmarc": ""}), base.with(records{"tls-rpt": ""}), base.with(records{"mta-sts": ""})} {
			rep := run(t, z.zone(), home, goodSetup())
			for _, f := range rep.Findings {
				for _, r := range f.Records {
					var err error
					switch {
					case strings.HasPrefix(r.Name, "_dmarc."):
						_, err = ParseDMARC(r.Value)
					case strings.HasPrefix(r.Name, "_smtp._tls."):
						_, err = ParseTLSRPT(r.Value)
					case strings.HasPrefix(r.Name, "_mta-sts."):
						_, err = ParseMTASTSRecord(r.Value)
					}
					if err != nil {
						t.Errorf("%s suggests %s %q, which does not parse: %v", f.ID, r.Name, r.Value, err)
					}
				}
			}
		}
	})
}
