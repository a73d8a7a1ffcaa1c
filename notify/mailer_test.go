package notify

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"io"
	"log"
	"log/slog"
	"math/big"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
	"github.com/google/go-cmp/cmp"

	"github.com/handwash/handwash"
)

const (
	smtpUser     = "alerts@rosecourt.example"
	smtpPassword = "s3cret-Pa55word-never-shown"
)

// sink is an SMTP server in the test process that keeps what it receives
// and can be told to refuse a step.
type sink struct {
	mu       sync.Mutex
	user     string
	password string
	authTLS  bool // whether AUTH came over TLS
	from     string
	rcpts    []string
	data     []byte

	// Replies to give instead of accepting; nil accepts.
	authErr, rcptErr, dataErr error
}

type sinkSession struct {
	s    *sink
	conn *smtp.Conn
}

func (ss *sinkSession) AuthMechanisms() []string { return []string{sasl.Plain} }

func (ss *sinkSession) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, username, password string) error {
		ss.s.mu.Lock()
		defer ss.s.mu.Unlock()
		ss.s.user, ss.s.password = username, password
		_, ss.s.authTLS = ss.conn.TLSConnectionState()
		if ss.s.authErr != nil {
			return ss.s.authErr
		}
		if username != smtpUser || password != smtpPassword {
			return smtp.ErrAuthFailed
		}
		return nil
	}), nil
}

func (ss *sinkSession) Mail(from string, _ *smtp.MailOptions) error {
	ss.s.mu.Lock()
	defer ss.s.mu.Unlock()
	ss.s.from = from
	return nil
}

func (ss *sinkSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	ss.s.mu.Lock()
	defer ss.s.mu.Unlock()
	if ss.s.rcptErr != nil {
		return ss.s.rcptErr
	}
	ss.s.rcpts = append(ss.s.rcpts, to)
	return nil
}

func (ss *sinkSession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	ss.s.mu.Lock()
	defer ss.s.mu.Unlock()
	if ss.s.dataErr != nil {
		return ss.s.dataErr
	}
	ss.s.data = b
	return nil
}

func (ss *sinkSession) Reset()        {}
func (ss *sinkSession) Logout() error { return nil }

// serverKind says how the test server offers TLS.
type serverKind int

const (
	plainServer    serverKind = iota // no TLS; AUTH allowed anyway
	startTLSServer                   // offers STARTTLS; AUTH only after it
	implicitServer                   // TLS from the first byte
)

// startSMTP runs a sink on 127.0.0.1 and returns it with its port.
func startSMTP(t *testing.T, kind serverKind, cert *tls.Certificate) (*sink, int) {
	t.Helper()
	s := &sink{}
	srv := smtp.NewServer(smtp.BackendFunc(func(c *smtp.Conn) (smtp.Session, error) {
		return &sinkSession{s: s, conn: c}, nil
	}))
	srv.Domain = "localhost"
	srv.ErrorLog = log.New(io.Discard, "", 0)
	srv.ReadTimeout = 10 * time.Second
	srv.WriteTimeout = 10 * time.Second
	var l net.Listener
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	switch kind {
	case plainServer:
		srv.AllowInsecureAuth = true
	case startTLSServer:
		srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{*cert}}
	case implicitServer:
		l = tls.NewListener(l, &tls.Config{Certificates: []tls.Certificate{*cert}})
	}
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
	return s, l.Addr().(*net.TCPAddr).Port
}

// selfSigned makes a certificate for 127.0.0.1 and localhost, and a pool
// that trusts it.
func selfSigned(t *testing.T) (*tls.Certificate, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "Handwash test mail server"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
		DNSNames:              []string{"localhost"},
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1)},
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
	return &tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, pool
}

func newMailer(t *testing.T, cfg MailerConfig) *Mailer {
	t.Helper()
	m, err := NewMailer(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// received is a delivered message taken apart.
type received struct {
	header     mail.Header
	text, html string
	textType   string
	htmlType   string
}

func parseMessage(t *testing.T, data []byte) received {
	t.Helper()
	msg, err := mail.ReadMessage(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("reading the message: %v\n%s", err, data)
	}
	mediaType, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil || mediaType != "multipart/alternative" {
		t.Fatalf("Content-Type = %q (%v), want multipart/alternative", msg.Header.Get("Content-Type"), err)
	}
	r := received{header: msg.Header}
	mr := multipart.NewReader(msg.Body, params["boundary"])
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		var body io.Reader = p
		// multipart.Reader decodes quoted-printable itself and drops the
		// header; decode by hand only if it was left.
		if strings.EqualFold(p.Header.Get("Content-Transfer-Encoding"), "quoted-printable") {
			body = quotedprintable.NewReader(p)
		}
		b, err := io.ReadAll(body)
		if err != nil {
			t.Fatal(err)
		}
		text := strings.ReplaceAll(string(b), "\r\n", "\n")
		ct, _, _ := mime.ParseMediaType(p.Header.Get("Content-Type"))
		switch ct {
		case "text/plain":
			r.text, r.textType = text, p.Header.Get("Content-Type")
		case "text/html":
			r.html, r.htmlType = text, p.Header.Get("Content-Type")
		default:
			t.Errorf("unexpected part %q", ct)
		}
	}
	return r
}

func TestMailerDelivers(t *testing.T) {
	cert, pool := selfSigned(t)
	tests := []struct {
		name    string
		kind    serverKind
		mode    TLSMode
		wantTLS bool
	}{
		{"plain to this machine", plainServer, TLSNone, false},
		{"starttls", startTLSServer, TLSStartTLS, true},
		{"implicit tls", implicitServer, TLSImplicit, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, port := startSMTP(t, tt.kind, cert)
			m := newMailer(t, MailerConfig{
				Host: "127.0.0.1", Port: port, TLS: tt.mode,
				Username: smtpUser, Password: smtpPassword,
				From: "Handwash <handwash@rosecourt.example>", RootCAs: pool, Timeout: 10 * time.Second,
			})
			msg := samples()["new_high_failure"]
			to := []string{"manager@rosecourt.example", "Deputy Manager <deputy@rosecourt.example>"}
			if err := m.Send(context.Background(), to, msg); err != nil {
				t.Fatalf("Send: %v", err)
			}
			s.mu.Lock()
			defer s.mu.Unlock()
			if s.user != smtpUser || s.password != smtpPassword {
				t.Errorf("AUTH got %q / %q, want the configured username and password", s.user, s.password)
			}
			if s.authTLS != tt.wantTLS {
				t.Errorf("AUTH over TLS = %v, want %v", s.authTLS, tt.wantTLS)
			}
			if s.from != "handwash@rosecourt.example" {
				t.Errorf("MAIL FROM = %q", s.from)
			}
			if diff := cmp.Diff([]string{"manager@rosecourt.example", "deputy@rosecourt.example"}, s.rcpts); diff != "" {
				t.Errorf("RCPT TO (-want +got):\n%s", diff)
			}

			want, err := RenderEmail(msg)
			if err != nil {
				t.Fatal(err)
			}
			got := parseMessage(t, s.data)
			subject, err := new(mime.WordDecoder).DecodeHeader(got.header.Get("Subject"))
			if err != nil {
				t.Fatal(err)
			}
			if subject != want.Subject {
				t.Errorf("Subject = %q, want %q", subject, want.Subject)
			}
			for name, value := range map[string]string{
				"From":           `"Handwash" <handwash@rosecourt.example>`,
				"To":             `<manager@rosecourt.example>, "Deputy Manager" <deputy@rosecourt.example>`,
				"Auto-Submitted": "auto-generated",
				"MIME-Version":   "1.0",
			} {
				if got := got.header.Get(name); got != value {
					t.Errorf("%s = %q, want %q", name, got, value)
				}
			}
			for _, name := range []string{"Date", "Message-ID"} {
				if got.header.Get(name) == "" {
					t.Errorf("no %s header", name)
				}
			}
			if diff := cmp.Diff(want.Text, got.text); diff != "" {
				t.Errorf("text part (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(want.HTML, got.html); diff != "" {
				t.Errorf("HTML part (-want +got):\n%s", diff)
			}
			for _, ct := range []string{got.textType, got.htmlType} {
				if !strings.Contains(strings.ToLower(ct), "charset=utf-8") {
					t.Errorf("part Content-Type %q has no UTF-8 charset", ct)
				}
			}
		})
	}
}

func TestMailerHostileSubjectStaysOneHeader(t *testing.T) {
	s, port := startSMTP(t, plainServer, nil)
	m := newMailer(t, MailerConfig{Host: "127.0.0.1", Port: port, TLS: TLSNone, From: "handwash@rosecourt.example"})
	if err := m.Send(context.Background(), []string{"manager@rosecourt.example"}, samples()["escaping"]); err != nil {
		t.Fatal(err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	got := parseMessage(t, s.data)
	if bcc := got.header.Get("Bcc"); bcc != "" {
		t.Errorf("a device name added a Bcc header: %q", bcc)
	}
	if diff := cmp.Diff([]string{"manager@rosecourt.example"}, s.rcpts); diff != "" {
		t.Errorf("recipients (-want +got):\n%s", diff)
	}
}

func TestMailerFailures(t *testing.T) {
	cert, pool := selfSigned(t)
	tests := []struct {
		name      string
		kind      serverKind
		mode      TLSMode
		pool      *x509.CertPool
		setup     func(*sink)
		temporary bool
		status    int
		want      string
	}{
		{"wrong password", plainServer, TLSNone, nil, func(s *sink) { s.authErr = smtp.ErrAuthFailed }, false, 535, "check the username and password"},
		{"recipient refused", plainServer, TLSNone, nil, func(s *sink) {
			s.rcptErr = &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no such user"}
		}, false, 550, "refused an address"},
		{"mailbox busy", plainServer, TLSNone, nil, func(s *sink) {
			s.rcptErr = &smtp.SMTPError{Code: 450, EnhancedCode: smtp.EnhancedCode{4, 2, 1}, Message: "mailbox busy"}
		}, true, 450, "try again later"},
		{"data refused for now", plainServer, TLSNone, nil, func(s *sink) {
			s.dataErr = &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "local error"}
		}, true, 451, "reply 451"},
		{"untrusted certificate", startTLSServer, TLSStartTLS, x509.NewCertPool(), nil, false, 0, "certificate is not trusted"},
		{"no starttls offered", plainServer, TLSStartTLS, pool, nil, false, 0, "does not offer STARTTLS"},
		{"tls to a plain port", plainServer, TLSImplicit, pool, nil, false, 0, "did not answer with TLS"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, port := startSMTP(t, tt.kind, cert)
			if tt.setup != nil {
				tt.setup(s)
			}
			host := "127.0.0.1"
			m := newMailer(t, MailerConfig{
				Host: host, Port: port, TLS: tt.mode, Username: smtpUser, Password: smtpPassword,
				From: "handwash@rosecourt.example", RootCAs: tt.pool, Timeout: 5 * time.Second,
			})
			err := m.Send(context.Background(), []string{"manager@rosecourt.example"}, samples()["test"])
			checkDeliveryError(t, err, tt.temporary, tt.status, tt.want)
			s.mu.Lock()
			defer s.mu.Unlock()
			if s.data != nil {
				t.Error("the server received a message although Send failed")
			}
		})
	}
}

func TestMailerUnreachable(t *testing.T) {
	// A port with nothing listening: take one, then close it.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	m := newMailer(t, MailerConfig{Host: "127.0.0.1", Port: port, TLS: TLSNone, Username: smtpUser, Password: smtpPassword, From: "handwash@rosecourt.example"})
	err = m.Send(context.Background(), []string{"manager@rosecourt.example"}, samples()["test"])
	checkDeliveryError(t, err, true, 0, "could not reach the mail server")
}

func TestMailerTimeout(t *testing.T) {
	// A server that accepts the connection and never says a word.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	done := make(chan struct{})
	defer close(done)
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go func() { <-done; c.Close() }()
		}
	}()
	m := newMailer(t, MailerConfig{Host: "127.0.0.1", Port: l.Addr().(*net.TCPAddr).Port, TLS: TLSNone, From: "handwash@rosecourt.example", Timeout: 200 * time.Millisecond})
	err = m.Send(context.Background(), []string{"manager@rosecourt.example"}, samples()["test"])
	checkDeliveryError(t, err, true, 0, "did not answer within 200ms")
}

func TestMailerCancelled(t *testing.T) {
	_, port := startSMTP(t, plainServer, nil)
	m := newMailer(t, MailerConfig{Host: "127.0.0.1", Port: port, TLS: TLSNone, From: "handwash@rosecourt.example"})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := m.Send(ctx, []string{"manager@rosecourt.example"}, samples()["test"])
	checkDeliveryError(t, err, true, 0, "cancelled")
}

func TestMailerRefusesBadInput(t *testing.T) {
	m := newMailer(t, MailerConfig{Host: "127.0.0.1", Port: 1, TLS: TLSNone, From: "handwash@rosecourt.example"})
	bad := samples()["test"]
	bad.Subject = ""
	tests := []struct {
		name string
		to   []string
		msg  Message
		want string
	}{
		{"no recipients", nil, samples()["test"], "no recipients"},
		{"bad recipient", []string{"manager@rosecourt.example", "not an address"}, samples()["test"], `recipient 2, "not an address"`},
		{"too many", make([]string, 51), samples()["test"], "51 recipients"},
		{"bad message", []string{"manager@rosecourt.example"}, bad, "subject is empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := m.Send(context.Background(), tt.to, tt.msg)
			if handwash.ErrorCode(err) != handwash.EINVALID || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Send() = %v, want EINVALID with %q", err, tt.want)
			}
			if IsTemporary(err) {
				t.Error("IsTemporary = true for bad input")
			}
		})
	}
}

// checkDeliveryError checks err is a DeliveryError as wanted, and that it
// shows no secret.
func checkDeliveryError(t *testing.T, err error, temporary bool, status int, want string, secrets ...string) {
	t.Helper()
	if err == nil {
		t.Fatal("Send() = nil, want an error")
	}
	t.Log(err)
	de, ok := err.(*DeliveryError)
	if !ok {
		t.Fatalf("Send() = %T %v, want *DeliveryError", err, err)
	}
	if de.Temporary != temporary || IsTemporary(err) != temporary {
		t.Errorf("temporary = %v, want %v: %v", de.Temporary, temporary, err)
	}
	if de.Status != status {
		t.Errorf("status = %d, want %d: %v", de.Status, status, err)
	}
	if !strings.Contains(err.Error(), want) {
		t.Errorf("error = %q, want it to say %q", err, want)
	}
	wantHint := "will not fix itself"
	if temporary {
		wantHint = "probably temporary"
	}
	if !strings.Contains(err.Error(), wantHint) {
		t.Errorf("error = %q, want it to say %q", err, wantHint)
	}
	text := fmt.Sprintf("%v %+v %#v", err, err, err)
	for _, s := range append(secrets, smtpPassword) {
		if strings.Contains(text, s) {
			t.Errorf("error shows the secret %q: %s", s, text)
		}
	}
}

func TestMailerConfigValidate(t *testing.T) {
	ok := MailerConfig{Host: "smtp.example.org", Username: "u", Password: "p", From: "Handwash <alerts@example.org>"}
	tests := []struct {
		name   string
		change func(*MailerConfig)
		want   string
	}{
		{"valid", func(*MailerConfig) {}, ""},
		{"implicit tls", func(c *MailerConfig) { c.TLS = TLSImplicit; c.Port = 465 }, ""},
		{"none on loopback", func(c *MailerConfig) { c.Host = "127.0.0.1"; c.TLS = TLSNone }, ""},
		{"none on localhost", func(c *MailerConfig) { c.Host = "localhost"; c.TLS = TLSNone }, ""},
		{"none on ipv6 loopback", func(c *MailerConfig) { c.Host = "::1"; c.TLS = TLSNone }, ""},
		{"no sign-in", func(c *MailerConfig) { c.Username, c.Password = "", "" }, ""},
		{"no host", func(c *MailerConfig) { c.Host = "" }, `"host": is empty`},
		{"host with scheme", func(c *MailerConfig) { c.Host = "smtp://smtp.example.org" }, `"host": should be the host name only`},
		{"host with port", func(c *MailerConfig) { c.Host = "smtp.example.org:587" }, `"host": "smtp.example.org:587" has a port in it`},
		{"port out of range", func(c *MailerConfig) { c.Port = 70000 }, `"port": 70000 is not a port`},
		{"unknown tls", func(c *MailerConfig) { c.TLS = "ssl" }, `"tls": "ssl" is not known`},
		{"none on a remote host", func(c *MailerConfig) { c.TLS = TLSNone }, `"tls": "none" would send the password`},
		{"none on a private address", func(c *MailerConfig) { c.Host = "192.168.1.10"; c.TLS = TLSNone }, `only allowed for a mail server on this machine`},
		{"username without password", func(c *MailerConfig) { c.Password = "" }, `"password": is empty but username is set`},
		{"password without username", func(c *MailerConfig) { c.Username = "" }, `"username": is empty but a password is set`},
		{"line break in password", func(c *MailerConfig) { c.Password = "a\r\nb" }, `line break`},
		{"no from", func(c *MailerConfig) { c.From = "" }, `"from": is empty`},
		{"bad from", func(c *MailerConfig) { c.From = "alerts at example.org" }, `"from": "alerts at example.org" is not an email address`},
		{"negative timeout", func(c *MailerConfig) { c.Timeout = -time.Second }, `"timeout": is -1s`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := ok
			tt.change(&c)
			err := c.Validate()
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("Validate() = %v, want nil", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Errorf("Validate() = %v, want an error with %q", err, tt.want)
			case err != nil && handwash.ErrorCode(err) != handwash.EINVALID:
				t.Errorf("code = %q, want invalid", handwash.ErrorCode(err))
			}
			if err != nil && c.Password != "" && strings.Contains(err.Error(), c.Password) && len(c.Password) > 2 {
				t.Errorf("error shows the password: %v", err)
			}
			if _, nerr := NewMailer(c); (nerr == nil) != (err == nil) {
				t.Errorf("NewMailer() = %v, but Validate() = %v", nerr, err)
			}
		})
	}
}

func TestMailerConfigHidesPassword(t *testing.T) {
	c := MailerConfig{Host: "smtp.example.org", Username: "alerts", Password: smtpPassword, From: "alerts@example.org"}
	var logged bytes.Buffer
	slog.New(slog.NewTextHandler(&logged, nil)).Info("mail", "config", c)
	slog.New(slog.NewJSONHandler(&logged, nil)).Info("mail", "config", c)
	text := fmt.Sprintf("%v %+v %#v %s", c, c, c, c) + logged.String()
	if strings.Contains(text, smtpPassword) {
		t.Errorf("the password shows: %s", text)
	}
	if !strings.Contains(logged.String(), "smtp.example.org") || !strings.Contains(text, "port 587 (starttls)") {
		t.Errorf("the settings do not show: %s", text)
	}
}

func TestMailerDefaultPorts(t *testing.T) {
	for mode, want := range map[TLSMode]int{"": 587, TLSStartTLS: 587, TLSImplicit: 465, TLSNone: 25} {
		c := MailerConfig{Host: "localhost", TLS: mode}
		if got := c.port(); got != want {
			t.Errorf("port for %q = %d, want %d", mode, got, want)
		}
	}
	if got := (MailerConfig{Port: 2525}).port(); got != 2525 {
		t.Errorf("port = %d, want the one given", got)
	}
}
