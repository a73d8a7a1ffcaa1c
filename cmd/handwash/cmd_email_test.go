package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/handwash/handwash/resolve/resolvetest"
)

// careZone is a care home's domain on Microsoft 365 with SPF, DKIM and a
// monitoring-only DMARC policy, and a payroll service it includes.
const careZone = `
$ORIGIN rosecourt.example.
@          SOA   ns hostmaster 1 3600 600 86400 120
@          MX    0 rosecourt-example.mail.protection.outlook.com.
@          TXT   "v=spf1 ip4:192.0.2.0/28 include:payroll.example.net -all"
_dmarc     TXT   "v=DMARC1; p=none; rua=mailto:dmarc@rosecourt.example"
selector1._domainkey TXT "v=DKIM1; k=rsa; p=MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAwz1TpxYBGp3fyQDwYZ4lXC9mqW9N0F6i1X9kZ0VQ0nV3xgT7N8yqNw4G4pqjJY9rXfJ2p8M0i5ZQ7XyJqg1ZpS6e4vV1y8g2a3M5c0G1GQ2y7Qk4x4f3v9kqk5fJ7QG3mC8T2D0dK1N8cH7oQ3rR5mZ3q0m8y1Q9WlF2b7J6c4x0Y6h2k5n1E8w3p7S9t0V4u2A6i8B1D3F5H7J9L0N2P4R6T8V0X2Z4b6d8f0h2j4l6n8p0r2t4v6x8z0B2D4F6H8J0L2N4P6R8T0V2X4Z6b8d0f2h4j6l8n0p2r4t6v8x0z2B4D6F8H0J2L4N6P8R0T2V4X6Z8b0d2f4h6j8l0wIDAQAB"
$ORIGIN payroll.example.net.
@          SOA   ns hostmaster 1 3600 600 86400 120
@          TXT   "v=spf1 ip4:198.51.100.7 -all"
`

func TestEmailSPF(t *testing.T) {
	dns := resolvetest.Start(t, careZone)
	for _, tc := range []struct {
		ip, sender string
		code       int
		want       []string
	}{
		{"192.0.2.5", "manager@rosecourt.example", 0, []string{"SPF result: PASS", "Decided by: ip4:192.0.2.0/28", "DNS lookups: 0 of the 10 allowed"}},
		{"198.51.100.7", "payroll@rosecourt.example", 0, []string{"SPF result: PASS", "Decided by: include:payroll.example.net", "the SPF record of payroll.example.net is"}},
		{"203.0.113.9", "manager@rosecourt.example", 1, []string{"SPF result: FAIL", "may not send its mail", "Decided by: -all"}},
		{"203.0.113.9", "someone@nowhere.example", 1, []string{"SPF result: NONE"}},
	} {
		code, out, errOut := handwashRun(t, "", "email", "spf", "--resolver", dns.Addr(), "--ip", tc.ip, "--sender", tc.sender)
		if code != tc.code {
			t.Errorf("spf %s %s: exit %d, want %d\n%s%s", tc.ip, tc.sender, code, tc.code, out, errOut)
		}
		for _, w := range tc.want {
			if !strings.Contains(out, w) {
				t.Errorf("spf %s %s: output lacks %q:\n%s", tc.ip, tc.sender, w, out)
			}
		}
	}

	code, out, _ := handwashRun(t, "", "email", "spf", "--resolver", dns.Addr(), "--ip", "198.51.100.7", "--sender", "payroll@rosecourt.example", "--format", "json")
	var got spfJSON
	if err := json.Unmarshal([]byte(out), &got); err != nil || code != 0 {
		t.Fatalf("--format json: exit %d, %v\n%s", code, err, out)
	}
	if got.Result != "pass" || got.Lookups != 1 || got.Mechanism != "include:payroll.example.net" || len(got.Steps) < 3 {
		t.Errorf("--format json gave %+v", got)
	}

	for _, args := range [][]string{
		{"--ip", "192.0.2.300", "--sender", "a@rosecourt.example"},
		{"--sender", "a@rosecourt.example"},
		{"--ip", "192.0.2.5"},
		{"--ip", "192.0.2.5", "--sender", "no-at-sign"},
		{"--ip", "192.0.2.5", "--sender", ""},
		{"--ip", "192.0.2.5", "--sender", "a@rosecourt.example", "--format", "xml"},
		{"--ip", "192.0.2.5", "--sender", "a@rosecourt.example", "--resolver", "not a server"},
	} {
		code, _, errOut := handwashRun(t, "", append([]string{"email", "spf"}, args...)...)
		if code != exitUsage || !strings.Contains(errOut, "--") {
			t.Errorf("email spf %q: exit %d, want 2 with the flag named: %s", args, code, errOut)
		}
	}
}

func TestEmailCheck(t *testing.T) {
	dns := resolvetest.Start(t, careZone)
	code, out, errOut := handwashRun(t, "", "email", "check", "--resolver", dns.Addr(), "rosecourt.example")
	if code != 0 {
		t.Fatalf("exit %d: %s%s", code, out, errOut)
	}
	for _, w := range []string{"rosecourt.example", "Microsoft 365", "p=quarantine", "_dmarc.rosecourt.example"} {
		if !strings.Contains(out, w) {
			t.Errorf("the report lacks %q:\n%s", w, out)
		}
	}
	code, out, _ = handwashRun(t, "", "email", "check", "--resolver", dns.Addr(), "--format", "json", "--fail-on", "medium", "rosecourt.example")
	var rep struct {
		Domain   string `json:"domain"`
		Grade    string `json:"grade"`
		Findings []struct {
			ID     string `json:"id"`
			Status string `json:"status"`
		} `json:"findings"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("--format json: %v\n%s", err, out)
	}
	if rep.Domain != "rosecourt.example" || rep.Grade == "" || rep.Grade == "A" || len(rep.Findings) == 0 {
		t.Errorf("report: %+v", rep)
	}
	if code != exitFindings {
		t.Errorf("--fail-on medium with DMARC p=none: exit %d, want 1", code)
	}

	for _, args := range [][]string{
		{"not a domain!"},
		{"--selector", "a.b", "rosecourt.example"},
		{"--fail-on", "severe", "rosecourt.example"},
		{"--format", "pdf", "rosecourt.example"},
		{},
	} {
		code, _, errOut := handwashRun(t, "", append([]string{"email", "check", "--resolver", dns.Addr()}, args...)...)
		if code != exitUsage {
			t.Errorf("email check %q: exit %d, want 2: %s", args, code, errOut)
		}
	}
}

func TestPhishAnalyse(t *testing.T) {
	dir := filepath.Join("..", "..", "..", "shared", "fixtures", "email", "spamassassin")
	phishing := filepath.Join(dir, "spam", "phishing_openphish.eml")
	if _, err := os.Stat(phishing); err != nil {
		t.Skipf("shared fixtures not found (%v): these tests need the shared fixtures folder beside the repository", err)
	}
	code, out, errOut := handwashRun(t, "", "phish", "analyse", "--no-dns", phishing)
	if code != 0 || !strings.HasPrefix(out, "LIKELY PHISHING") || !strings.Contains(out, "report@phishing.gov.uk") {
		t.Errorf("exit %d:\n%s%s", code, out, errOut)
	}
	code, _, _ = handwashRun(t, "", "phish", "analyse", "--no-dns", "--fail-on", "suspicious", phishing)
	if code != exitFindings {
		t.Errorf("--fail-on suspicious on phishing: exit %d, want 1", code)
	}

	raw, err := os.ReadFile(filepath.Join(dir, "nice", "001"))
	if err != nil {
		t.Fatal(err)
	}
	code, out, _ = handwashRun(t, string(raw), "phish", "analyse", "--no-dns", "--format", "json", "--fail-on", "likely-phishing", "-")
	var rep struct {
		Verdict string `json:"verdict"`
		Signs   []any  `json:"signs"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil || rep.Verdict == "" {
		t.Fatalf("--format json from standard input: %v\n%s", err, out)
	}
	if rep.Verdict == "likely phishing" || code != 0 {
		t.Errorf("ordinary mail: verdict %q, exit %d", rep.Verdict, code)
	}

	big := filepath.Join(t.TempDir(), "big.eml")
	if err := os.WriteFile(big, []byte("Subject: x\r\n\r\n"+strings.Repeat("a", 26<<20)), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"/nonexistent/message.eml"},
		{dir},
		{big},
		{"-"},
		{"--fail-on", "bad", phishing},
		{"--no-dns", "--resolver", "127.0.0.1:53", phishing},
		{"--format", "html", phishing},
	} {
		code, _, errOut := handwashRun(t, "", append([]string{"phish", "analyse"}, args...)...)
		if code != exitUsage || errOut == "" {
			t.Errorf("phish analyse %q: exit %d, want 2 with a message: %q", args, code, errOut)
		}
	}
}
