package mailauth

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"io"
	"log"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// checkedAt is the time every test report is stamped with, so golden files
// and suggested MTA-STS ids do not change from run to run.
var checkedAt = time.Date(2026, 11, 20, 9, 30, 0, 0, time.UTC)

// policy is what the test web server answers at one mta-sts host.
type policy struct {
	status      int    // 200 if zero
	contentType string // text/plain if empty
	body        string
	location    string // for redirects
	delay       time.Duration
}

// policyServer is an HTTPS server standing in for every mta-sts.<domain>
// host. Its certificate names the hosts given to newPolicyServer, and the
// client it hands out trusts that certificate and dials it whatever the
// host, so a test can serve a policy for any domain and still have the
// certificate checked against the real host name.
type policyServer struct {
	srv  *httptest.Server
	pool *x509.CertPool

	mu sync.Mutex
	by map[string]policy // host → answer
}

func newPolicyServer(t testing.TB, certHosts ...string) *policyServer {
	t.Helper()
	ps := &policyServer{by: map[string]policy{}}
	ps.srv = httptest.NewUnstartedServer(http.HandlerFunc(ps.serve))
	cert, pool := selfSigned(t, certHosts)
	ps.srv.TLS = &tls.Config{Certificates: []tls.Certificate{cert}}
	// A test of a certificate for the wrong name makes the server log the
	// failed handshake; the test checks the client's side instead.
	ps.srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	ps.srv.StartTLS()
	t.Cleanup(ps.srv.Close)
	ps.pool = pool
	return ps
}

func (ps *policyServer) set(host string, p policy) {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	ps.by[host] = p
}

func (ps *policyServer) serve(w http.ResponseWriter, r *http.Request) {
	ps.mu.Lock()
	p, ok := ps.by[r.Host]
	ps.mu.Unlock()
	if !ok || r.URL.Path != "/.well-known/mta-sts.txt" {
		http.NotFound(w, r)
		return
	}
	if p.delay > 0 {
		select {
		case <-time.After(p.delay):
		case <-r.Context().Done():
			return
		}
	}
	if p.location != "" {
		w.Header().Set("Location", p.location)
	}
	ct := p.contentType
	if ct == "" {
		ct = "text/plain; charset=utf-8"
	}
	w.Header().Set("Content-Type", ct)
	status := p.status
	if status == 0 {
		status = http.StatusOK
	}
	w.WriteHeader(status)
	w.Write([]byte(p.body))
}

// client gives an *http.Client that sends every connection to the test
// server, whatever host the URL names, and verifies the certificate
// against that host name as a real sender would.
func (ps *policyServer) client(timeout time.Duration) *http.Client {
	addr := ps.srv.Listener.Addr().String()
	var d net.Dialer
	return &http.Client{
		Timeout: timeout,
		Transport: &http.Transport{
			DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
				return d.DialContext(ctx, network, addr)
			},
			TLSClientConfig: &tls.Config{RootCAs: ps.pool},
		},
	}
}

// selfSigned makes a certificate for hosts, and a pool that trusts it.
func selfSigned(t testing.TB, hosts []string) (tls.Certificate, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "mta-sts test"},
		DNSNames:              hosts,
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(leaf)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, pool
}

// txt writes a TXT record's value as zone-file character-strings of at
// most 255 octets, as a long DKIM key must be published.
func txt(s string) string {
	var parts []string
	for len(s) > 255 {
		parts = append(parts, s[:255])
		s = s[255:]
	}
	parts = append(parts, s)
	for i, p := range parts {
		parts[i] = `"` + strings.ReplaceAll(strings.ReplaceAll(p, `\`, `\\`), `"`, `\"`) + `"`
	}
	return strings.Join(parts, " ")
}
