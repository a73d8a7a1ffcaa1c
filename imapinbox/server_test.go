package imapinbox

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"io"
	"log"
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver"
	"github.com/emersion/go-imap/v2/imapserver/imapmemserver"

	"github.com/handwash/handwash/imapinbox/imaptest"
)

// Test account of every test server.
const (
	testUser     = "reports@care.example"
	testPassword = "S3cret-pa55word!"
)

// How a test server protects its connections.
const (
	modeTLS      = "tls"      // implicit TLS
	modeSTARTTLS = "starttls" // plain first, STARTTLS offered
	modePlain    = "plain"    // no TLS at all; login allowed in plain text
)

// testCerts is a certificate authority and a server certificate it signed
// for 127.0.0.1 and localhost.
type testCerts struct {
	pool   *x509.CertPool // holds the CA
	server tls.Certificate
}

var (
	certsOnce sync.Once
	certs     testCerts
)

// getCerts makes the test certificates once per run.
func getCerts(t *testing.T) testCerts {
	t.Helper()
	certsOnce.Do(func() {
		c, err := imaptest.NewCerts()
		if err != nil {
			t.Fatal(err)
		}
		certs = testCerts{pool: c.Pool, server: c.Server}
	})
	if certs.pool == nil {
		t.Fatal("no test certificates")
	}
	return certs
}

// testServer is an in-memory IMAP server on 127.0.0.1 with one user and
// an INBOX.
type testServer struct {
	addr   string
	mode   string
	pool   *x509.CertPool
	user   *imapmemserver.User
	logins atomic.Int32 // LOGIN commands that reached the session

	mu       sync.Mutex
	received bytes.Buffer // every byte the server read, before any TLS
	loginErr error        // when set, Login fails with it
}

// startServer starts a test server in the given mode; it stops when the
// test ends.
func startServer(t *testing.T, mode string) *testServer {
	t.Helper()
	c := getCerts(t)
	ts := &testServer{mode: mode, pool: c.pool, user: imapmemserver.NewUser(testUser, testPassword)}
	if err := ts.user.Create("INBOX", nil); err != nil {
		t.Fatal(err)
	}
	mem := imapmemserver.New()
	mem.AddUser(ts.user)
	serverTLS := &tls.Config{Certificates: []tls.Certificate{c.server}}
	opts := &imapserver.Options{
		NewSession: func(*imapserver.Conn) (imapserver.Session, *imapserver.GreetingData, error) {
			return &watchedSession{Session: mem.NewSession(), ts: ts}, nil, nil
		},
		Caps:   imap.CapSet{imap.CapIMAP4rev1: {}},
		Logger: log.New(io.Discard, "", 0),
	}
	switch mode {
	case modeSTARTTLS:
		opts.TLSConfig = serverTLS
	case modePlain:
		opts.InsecureAuth = true
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ts.addr = ln.Addr().String()
	var served net.Listener = recordingListener{ln, ts}
	if mode == modeTLS {
		served = tls.NewListener(served, serverTLS)
	}
	srv := imapserver.New(opts)
	go srv.Serve(served)
	t.Cleanup(func() { srv.Close() })
	return ts
}

// mailbox returns settings that reach the test server and trust its CA.
func (ts *testServer) mailbox() Mailbox {
	mb := Mailbox{
		Addr:      ts.addr,
		Username:  testUser,
		Password:  testPassword,
		TLSConfig: &tls.Config{RootCAs: ts.pool},
		Timeout:   5 * time.Second,
	}
	if ts.mode == modeTLS {
		mb.Security = SecurityTLS
	}
	return mb
}

// add appends a message to INBOX, received at date, and returns its UID.
func (ts *testServer) add(t *testing.T, raw []byte, date time.Time) uint32 {
	t.Helper()
	data, err := ts.user.Append("INBOX", bytes.NewReader(raw), &imap.AppendOptions{Time: date})
	if err != nil {
		t.Fatal(err)
	}
	return uint32(data.UID)
}

// unseen returns the UIDs in INBOX without \Seen, as the server sees them.
func (ts *testServer) unseen(t *testing.T) []uint32 {
	t.Helper()
	sess := imapmemserver.NewUserSession(ts.user)
	defer sess.Close()
	if _, err := sess.Select("INBOX", nil); err != nil {
		t.Fatal(err)
	}
	criteria := &imap.SearchCriteria{NotFlag: []imap.Flag{imap.FlagSeen}}
	data, err := sess.Search(imapserver.NumKindUID, criteria, &imap.SearchOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var uids []uint32
	for _, uid := range data.AllUIDs() {
		uids = append(uids, uint32(uid))
	}
	return uids
}

// receivedBytes returns a copy of what the server has read so far.
func (ts *testServer) receivedBytes() []byte {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	return bytes.Clone(ts.received.Bytes())
}

// failLogin makes every later login fail with err.
func (ts *testServer) failLogin(err error) {
	ts.mu.Lock()
	ts.loginErr = err
	ts.mu.Unlock()
}

// watchedSession counts logins and can make them fail.
type watchedSession struct {
	imapserver.Session
	ts *testServer
}

func (s *watchedSession) Login(username, password string) error {
	s.ts.logins.Add(1)
	s.ts.mu.Lock()
	err := s.ts.loginErr
	s.ts.mu.Unlock()
	if err != nil {
		return err
	}
	return s.Session.Login(username, password)
}

// recordingListener records what each accepted connection reads.
type recordingListener struct {
	net.Listener
	ts *testServer
}

func (l recordingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return recordingConn{c, l.ts}, nil
}

type recordingConn struct {
	net.Conn
	ts *testServer
}

func (c recordingConn) Read(b []byte) (int, error) {
	n, err := c.Conn.Read(b)
	c.ts.mu.Lock()
	c.ts.received.Write(b[:n])
	c.ts.mu.Unlock()
	return n, err
}

// startSilentServer accepts connections on 127.0.0.1 and never answers,
// reading and dropping whatever is sent. It stops when the test ends.
func startSilentServer(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	var conns []net.Conn
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
			go io.Copy(io.Discard, c)
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		wg.Wait()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})
	return ln.Addr().String()
}

// closedAddr returns an address on 127.0.0.1 where nothing listens.
func closedAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}
