package mailauth

import (
	"crypto/rsa"
	"crypto/x509"
	"encoding/asn1"
	"encoding/base64"
	"math/big"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// testKey reads a real RSA public key, base64 SubjectPublicKeyInfo, made
// with openssl for these tests.
func testKey(t testing.TB, bits string) string {
	t.Helper()
	b, err := os.ReadFile("testdata/rsa" + bits + ".b64")
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(b))
}

// syntheticRSA gives a base64 RSA public key with a modulus of the given
// length, for sizes crypto/rsa will no longer generate. pkcs1 picks the
// bare RSAPublicKey form instead of SubjectPublicKeyInfo.
func syntheticRSA(t testing.TB, bits int, pkcs1 bool) string {
	t.Helper()
	n := new(big.Int).Lsh(big.NewInt(1), uint(bits-1))
	n.Add(n, big.NewInt(1))
	var der []byte
	var err error
	if pkcs1 {
		der, err = asn1.Marshal(struct{ N, E *big.Int }{n, big.NewInt(65537)})
	} else {
		der, err = x509.MarshalPKIXPublicKey(&rsa.PublicKey{N: n, E: 65537})
	}
	if err != nil {
		t.Fatal(err)
	}
	return base64.StdEncoding.EncodeToString(der)
}

func TestParseDKIMKey(t *testing.T) {
	k2048 := testKey(t, "2048")
	tests := []struct {
		name    string
		txt     string
		want    DKIMKeyRecord
		wantErr string
	}{
		{"rsa 2048", "v=DKIM1; k=rsa; p=" + k2048, DKIMKeyRecord{KeyType: "rsa", Bits: 2048}, ""},
		{"no v or k", "p=" + k2048, DKIMKeyRecord{KeyType: "rsa", Bits: 2048}, ""},
		{"rsa 1024", "v=DKIM1; p=" + testKey(t, "1024"), DKIMKeyRecord{KeyType: "rsa", Bits: 1024}, ""},
		{"rsa 512", "v=DKIM1; p=" + syntheticRSA(t, 512, false), DKIMKeyRecord{KeyType: "rsa", Bits: 512}, ""},
		{"pkcs1 form", "k=rsa; p=" + syntheticRSA(t, 2048, true), DKIMKeyRecord{KeyType: "rsa", Bits: 2048}, ""},
		{"key split by spaces", "v=DKIM1; p=" + k2048[:100] + " " + k2048[100:200] + "\t" + k2048[200:], DKIMKeyRecord{KeyType: "rsa", Bits: 2048}, ""},
		{"ed25519", "v=DKIM1; k=ed25519; p=qUc4nmgllde3WzroeZG3O9x1ZYt4dEqX8WMpJVBNqPo=", DKIMKeyRecord{KeyType: "ed25519", Bits: 256}, ""},
		{"revoked", "v=DKIM1; p=", DKIMKeyRecord{KeyType: "rsa", Revoked: true}, ""},
		{"testing and hashes", "v=DKIM1; h=sha256; t=y:s; p=" + k2048, DKIMKeyRecord{KeyType: "rsa", Bits: 2048, Testing: true, Hashes: []string{"sha256"}}, ""},
		{"service email", "s=email; p=" + k2048, DKIMKeyRecord{KeyType: "rsa", Bits: 2048}, ""},
		{"service not email", "s=tlsrpt; p=" + k2048, DKIMKeyRecord{KeyType: "rsa"}, "not for email"},
		{"no p", "v=DKIM1; k=rsa", DKIMKeyRecord{KeyType: "rsa"}, "no p="},
		{"v not first", "k=rsa; v=DKIM1; p=" + k2048, DKIMKeyRecord{KeyType: "rsa"}, "first"},
		{"wrong version", "v=DKIM2; p=" + k2048, DKIMKeyRecord{}, "not DKIM1"},
		{"unknown key type", "k=dsa; p=" + k2048, DKIMKeyRecord{KeyType: "rsa"}, "not rsa or ed25519"},
		{"bad base64", "p=!!!!", DKIMKeyRecord{KeyType: "rsa"}, "base64"},
		{"not a key", "p=" + base64.StdEncoding.EncodeToString([]byte("hello")), DKIMKeyRecord{KeyType: "rsa"}, "not an RSA public key"},
		{"ed25519 wrong size", "k=ed25519; p=" + k2048, DKIMKeyRecord{KeyType: "ed25519"}, "32 bytes"},
		{"duplicate tag", "p=" + k2048 + "; p=" + k2048, DKIMKeyRecord{}, "more than once"},
		{"spf record by mistake", "v=spf1 -all", DKIMKeyRecord{}, "not DKIM1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseDKIMKey(tt.txt)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error = %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("ParseDKIMKey (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseMTASTSRecord(t *testing.T) {
	tests := []struct {
		txt, wantID, wantErr string
	}{
		{"v=STSv1; id=2024-01-01;", "", "letters and digits"},
		{"v=STSv1; id=20240101000000;", "20240101000000", ""},
		{"v=STSv1;id=abc", "abc", ""},
		{"v=STSv1; id=abc; ext=1", "abc", ""},
		{"v=STSv1 ; id=abc", "abc", ""},
		{"v=STSv1", "", "nothing follows"},
		{"v=STSv1;", "", "no id"},
		{"v=STSv2; id=1", "", "must begin"},
		{" v=STSv1; id=1", "", "must begin"},
		{"v=STSv1; id=1; id=2", "", "more than once"},
		{"v=STSv1; id=" + strings.Repeat("a", 33), "", "1 to 32"},
		{"v=STSv1; id=a b", "", "character"},
		{"v=STSv1;; id=1", "", "two semicolons"},
		{"v=STSv1; id", "", "name=value"},
	}
	for _, tt := range tests {
		got, err := ParseMTASTSRecord(tt.txt)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("ParseMTASTSRecord(%q) error = %v, want one containing %q", tt.txt, err, tt.wantErr)
			}
			continue
		}
		if err != nil || got.ID != tt.wantID {
			t.Errorf("ParseMTASTSRecord(%q) = %+v, %v; want id %q", tt.txt, got, err, tt.wantID)
		}
	}
}

func TestParseMTASTSPolicy(t *testing.T) {
	tests := []struct {
		name    string
		text    string
		want    MTASTSPolicy
		wantErr string
	}{
		{
			name: "enforce with CRLF",
			text: "version: STSv1\r\nmode: enforce\r\nmx: mail.example.com\r\nmx: *.example.net\r\nmax_age: 604800\r\n",
			want: MTASTSPolicy{Version: "STSv1", Mode: "enforce", MX: []string{"mail.example.com", "*.example.net"}, MaxAge: 604800},
		},
		{
			name: "LF, no final newline, extension and capitals",
			text: "version: STSv1\nmode: testing\nmx: MX1.Example.COM.\nfoo_bar: baz qux\nmax_age: 86400",
			want: MTASTSPolicy{Version: "STSv1", Mode: "testing", MX: []string{"mx1.example.com"}, MaxAge: 86400},
		},
		{
			name: "none needs no mx",
			text: "version: STSv1\nmode: none\nmax_age: 0\n",
			want: MTASTSPolicy{Version: "STSv1", Mode: "none", MaxAge: 0},
		},
		{
			name: "first of a repeated field counts",
			text: "version: STSv1\nmode: enforce\nmode: none\nmx: a.example\nmax_age: 10\nmax_age: 20\n",
			want: MTASTSPolicy{Version: "STSv1", Mode: "enforce", MX: []string{"a.example"}, MaxAge: 10},
		},
		{name: "no version", text: "mode: enforce\nmx: a.example\nmax_age: 1\n", wantErr: "no version"},
		{name: "wrong version", text: "version: STSv2\nmode: enforce\nmx: a.example\nmax_age: 1\n", wantErr: "not STSv1"},
		{name: "bad mode", text: "version: STSv1\nmode: on\nmx: a.example\nmax_age: 1\n", wantErr: "not enforce"},
		{name: "no mode", text: "version: STSv1\nmx: a.example\nmax_age: 1\n", wantErr: "no mode"},
		{name: "no max_age", text: "version: STSv1\nmode: enforce\nmx: a.example\n", wantErr: "no max_age"},
		{name: "max_age too big", text: "version: STSv1\nmode: enforce\nmx: a.example\nmax_age: 31557601\n", wantErr: "over the limit"},
		{name: "max_age not a number", text: "version: STSv1\nmode: enforce\nmx: a.example\nmax_age: 1w\n", wantErr: "not a number"},
		{name: "max_age negative", text: "version: STSv1\nmode: enforce\nmx: a.example\nmax_age: -1\n", wantErr: "not a number"},
		{name: "no mx in enforce", text: "version: STSv1\nmode: enforce\nmax_age: 1\n", wantErr: "no mx"},
		{name: "bad mx", text: "version: STSv1\nmode: enforce\nmx: mail_server\nmax_age: 1\n", wantErr: "not a host name"},
		{name: "wildcard in the middle", text: "version: STSv1\nmode: enforce\nmx: mail.*.example\nmax_age: 1\n", wantErr: "not a host name"},
		{name: "HTML error page", text: "<html><body>Not found</body></html>", wantErr: "key: value"},
		{name: "equals instead of colon", text: "version=STSv1\n", wantErr: "key: value"},
		{name: "empty value", text: "version:\n", wantErr: "no value"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseMTASTSPolicy(tt.text)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error = %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("ParseMTASTSPolicy (-want +got):\n%s", diff)
			}
		})
	}
}

func TestMatchMX(t *testing.T) {
	p := MTASTSPolicy{MX: []string{"mail.example.com", "*.example.net"}}
	tests := []struct {
		host string
		want bool
	}{
		{"mail.example.com", true},
		{"MAIL.example.com.", true},
		{"mx.mail.example.com", false},
		{"mx1.example.net", true},
		{"example.net", false},
		{"a.mx1.example.net", false},
		{".example.net", false},
		{"other.example", false},
	}
	for _, tt := range tests {
		if got := p.MatchMX(tt.host); got != tt.want {
			t.Errorf("MatchMX(%q) = %v, want %v", tt.host, got, tt.want)
		}
	}
}

func TestParseTLSRPT(t *testing.T) {
	tests := []struct {
		txt     string
		want    []string
		wantErr string
	}{
		{"v=TLSRPTv1; rua=mailto:tls@example.org", []string{"mailto:tls@example.org"}, ""},
		{"v=TLSRPTv1;rua=mailto:a@example.org, https://reports.example.net/tls?x=1;", []string{"mailto:a@example.org", "https://reports.example.net/tls?x=1"}, ""},
		{"v=TLSRPTv1; rua=mailto:a@example.org; ext=x", []string{"mailto:a@example.org"}, ""},
		{"v=TLSRPTv1;", nil, "no rua"},
		{"v=TLSRPTv1", nil, "nothing follows"},
		{"v=TLSRPTv2; rua=mailto:a@example.org", nil, "must begin"},
		{"v=TLSRPTv1; rua=tls@example.org", nil, "must begin mailto: or https:"},
		{"v=TLSRPTv1; rua=http://example.org/", nil, "must begin mailto: or https:"},
		{"v=TLSRPTv1; rua=mailto:", nil, "no email address"},
		{"v=TLSRPTv1; rua=mailto:a@localhost", nil, "not a valid email domain"},
		{"v=TLSRPTv1; rua=https:///path", nil, "no valid host"},
		{"v=TLSRPTv1; rua=mailto:a@example.org; rua=mailto:b@example.org", nil, "more than once"},
		{"v=TLSRPTv1; rua=mailto:a@example.org,", nil, "empty report address"},
		{"v=TLSRPTv1; rua=mailto:a b@example.org", nil, "space"},
	}
	for _, tt := range tests {
		got, err := ParseTLSRPT(tt.txt)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("ParseTLSRPT(%q) error = %v, want one containing %q", tt.txt, err, tt.wantErr)
			}
			continue
		}
		if err != nil {
			t.Errorf("ParseTLSRPT(%q): %v", tt.txt, err)
			continue
		}
		if diff := cmp.Diff(tt.want, got.RUA); diff != "" {
			t.Errorf("ParseTLSRPT(%q) rua (-want +got):\n%s", tt.txt, diff)
		}
	}
}

func TestParseDMARC(t *testing.T) {
	tests := []struct {
		name    string
		txt     string
		want    DMARCRecord
		wantErr string
	}{
		{
			name: "minimal",
			txt:  "v=DMARC1; p=none",
			want: DMARCRecord{Policy: "none", Percent: 100, DKIMAlignment: "r", SPFAlignment: "r"},
		},
		{
			name: "everything",
			txt:  "v=DMARC1; p=reject; sp=quarantine; pct=50; adkim=s; aspf=r; fo=1; rua=mailto:d@example.org,mailto:x@reports.example.net!10m; ruf=mailto:f@example.org",
			want: DMARCRecord{
				Policy: "reject", SubdomainPolicy: "quarantine", Percent: 50, DKIMAlignment: "s", SPFAlignment: "r",
				RUA: []ReportAddress{{URI: "mailto:d@example.org", Domain: "example.org"}, {URI: "mailto:x@reports.example.net!10m", Domain: "reports.example.net"}},
				RUF: []ReportAddress{{URI: "mailto:f@example.org", Domain: "example.org"}},
			},
		},
		{
			name: "capitals in names and keywords",
			txt:  "v=DMARC1; P=Reject; ADKIM=S",
			want: DMARCRecord{Policy: "reject", Percent: 100, DKIMAlignment: "s", SPFAlignment: "r"},
		},
		{
			name:    "typo and order",
			txt:     "v=DMARC1; rua=mailto:d@example.org; p=quarantine; pct=100; ruf-mailto=x",
			wantErr: "not a valid tag name",
		},
		{
			name: "unknown tag and p not second",
			txt:  "v=DMARC1; rua=mailto:d@example.org; p=quarantine; poilcy=reject",
			want: DMARCRecord{
				Policy: "quarantine", Percent: 100, DKIMAlignment: "r", SPFAlignment: "r",
				RUA: []ReportAddress{{URI: "mailto:d@example.org", Domain: "example.org"}},
				Notes: []string{
					"p= should come straight after v=DMARC1; some receivers ignore a record where it does not",
					`tag "poilcy" is not a DMARC tag, so receivers ignore it: check its spelling`,
				},
			},
		},
		{
			name: "bad report address",
			txt:  "v=DMARC1; p=none; rua=dmarc@example.org",
			want: DMARCRecord{Policy: "none", Percent: 100, DKIMAlignment: "r", SPFAlignment: "r",
				RUA: []ReportAddress{{URI: "dmarc@example.org", Error: `report address "dmarc@example.org" must begin mailto:`}}},
		},
		{name: "no p", txt: "v=DMARC1; rua=mailto:d@example.org", wantErr: "missing a 'p' parameter"},
		{name: "bad p", txt: "v=DMARC1; p=block", wantErr: "invalid policy"},
		{name: "bad pct", txt: "v=DMARC1; p=reject; pct=150", wantErr: "out of bounds"},
		{name: "wrong version", txt: "v=DMARC2; p=reject", wantErr: "begin with v=DMARC1"},
		{name: "lower-case version", txt: "v=dmarc1; p=reject", wantErr: "begin with v=DMARC1"},
		{name: "duplicate", txt: "v=DMARC1; p=reject; p=none", wantErr: "more than once"},
		{name: "double semicolon", txt: "v=DMARC1;; p=reject", wantErr: "two semicolons"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseDMARC(tt.txt)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error = %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("ParseDMARC (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseDomain(t *testing.T) {
	tests := []struct {
		in, want, wantErr string
	}{
		{"example.org", "example.org", ""},
		{"  Example.ORG. ", "example.org", ""},
		{"manager@sunnyside-care.co.uk", "sunnyside-care.co.uk", ""},
		{"bücher.example", "xn--bcher-kva.example", ""},
		{"", "", "not a domain name"},
		{"localhost", "", "not a full domain name"},
		{"192.0.2.1", "", "is an IP address"},
		{"example.123", "", "ends in a number"},
		{"[::1]", "", "not a valid domain name"},
		{"exa mple.org", "", `"exa mple.org" is not a valid domain name`},
		{"-bad.example", "", "not a valid domain name"},
		{"a..example", "", "not a valid domain name"},
		{"_dmarc.example.org", "", "not a valid domain name"},
		{strings.Repeat("a", 64) + ".example", "", "not a valid domain name"},
		{"https://example.org/", "", "not a valid domain name"},
	}
	for _, tt := range tests {
		got, err := ParseDomain(tt.in)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("ParseDomain(%q) error = %v, want one containing %q", tt.in, err, tt.wantErr)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("ParseDomain(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}
