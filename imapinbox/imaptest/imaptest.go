// Package imaptest runs an in-memory IMAP server over TLS on 127.0.0.1 for
// tests of code that reads a mailbox, with a certificate authority made
// for the test run.
package imaptest

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io"
	"log"
	"math/big"
	"net"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver"
	"github.com/emersion/go-imap/v2/imapserver/imapmemserver"
)

// Certs are a certificate authority and a server certificate it signed for
// 127.0.0.1 and localhost, valid for a day.
type Certs struct {
	// Pool holds the authority, for clients to trust.
	Pool *x509.CertPool
	// CAPEM is the authority in PEM, for a --ca-file.
	CAPEM  []byte
	Server tls.Certificate
}

// NewCerts makes an ECDSA P-256 authority and server certificate.
func NewCerts() (Certs, error) {
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return Certs{}, err
	}
	now := time.Now()
	caTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "Handwash test CA"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour),
		KeyUsage: x509.KeyUsageCertSign, BasicConstraintsValid: true, IsCA: true,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		return Certs{}, err
	}
	caCert, err := x509.ParseCertificate(caDER)
	if err != nil {
		return Certs{}, err
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return Certs{}, err
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "localhost"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		DNSNames: []string{"localhost"}, IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, caCert, &key.PublicKey, caKey)
	if err != nil {
		return Certs{}, err
	}
	pool := x509.NewCertPool()
	pool.AddCert(caCert)
	caPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER})
	return Certs{Pool: pool, CAPEM: caPEM, Server: tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}}, nil
}

// Server is an IMAP server with one user and an INBOX, serving TLS from
// the start.
type Server struct {
	// Addr is where it listens, 127.0.0.1:port.
	Addr string
	// Certs are the certificates it serves with.
	Certs Certs
	user  *imapmemserver.User
}

// Start starts a server for user and password; it stops when the test
// ends.
func Start(t testing.TB, user, password string) *Server {
	t.Helper()
	c, err := NewCerts()
	if err != nil {
		t.Fatal(err)
	}
	s := &Server{Certs: c, user: imapmemserver.NewUser(user, password)}
	if err := s.user.Create("INBOX", nil); err != nil {
		t.Fatal(err)
	}
	mem := imapmemserver.New()
	mem.AddUser(s.user)
	srv := imapserver.New(&imapserver.Options{
		NewSession: func(*imapserver.Conn) (imapserver.Session, *imapserver.GreetingData, error) {
			return mem.NewSession(), nil, nil
		},
		Caps:   imap.CapSet{imap.CapIMAP4rev1: {}},
		Logger: log.New(io.Discard, "", 0),
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s.Addr = ln.Addr().String()
	go srv.Serve(tls.NewListener(ln, &tls.Config{Certificates: []tls.Certificate{c.Server}}))
	t.Cleanup(func() { srv.Close() })
	return s
}

// ClientTLS is a client configuration that trusts the server.
func (s *Server) ClientTLS() *tls.Config {
	return &tls.Config{RootCAs: s.Certs.Pool, MinVersion: tls.VersionTLS12}
}

// Add puts a message in INBOX.
func (s *Server) Add(t testing.TB, raw []byte) {
	t.Helper()
	if _, err := s.user.Append("INBOX", bytes.NewReader(raw), &imap.AppendOptions{Time: time.Now()}); err != nil {
		t.Fatal(err)
	}
}

// Unseen counts the messages in INBOX not yet marked read.
func (s *Server) Unseen(t testing.TB) int {
	t.Helper()
	sess := imapmemserver.NewUserSession(s.user)
	defer sess.Close()
	if _, err := sess.Select("INBOX", nil); err != nil {
		t.Fatal(err)
	}
	data, err := sess.Search(imapserver.NumKindUID, &imap.SearchCriteria{NotFlag: []imap.Flag{imap.FlagSeen}}, &imap.SearchOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return len(data.AllUIDs())
}
