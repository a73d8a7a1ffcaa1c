package imapinbox

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"

	"github.com/handwash/handwash"
)

// testMessage returns a small message whose subject says n.
func testMessage(n int) []byte {
	return []byte(fmt.Sprintf("From: Staff <staff%d@care.example>\r\n"+
		"To: reports@care.example\r\n"+
		"Subject: Suspicious email %d\r\n"+
		"Message-ID: <%d@care.example>\r\n"+
		"\r\n"+
		"Is this a phish? Number %d.\r\n", n, n, n, n))
}

// fill adds n messages, received a minute apart, oldest first, and
// returns their bytes by UID.
func fill(t *testing.T, ts *testServer, n int) map[uint32][]byte {
	t.Helper()
	base := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	msgs := map[uint32][]byte{}
	for i := 1; i <= n; i++ {
		raw := testMessage(i)
		msgs[ts.add(t, raw, base.Add(time.Duration(i)*time.Minute))] = raw
	}
	return msgs
}

// collector is a handler that keeps what it is handed.
type collector struct {
	got  []Message
	fail map[int]error // by call number, from 1
}

func (c *collector) handle(_ context.Context, m Message) error {
	c.got = append(c.got, m)
	return c.fail[len(c.got)]
}

func (c *collector) uids() []uint32 {
	var uids []uint32
	for _, m := range c.got {
		uids = append(uids, m.UID)
	}
	return uids
}

// wantKind checks err's kind, code, and that it holds no password.
func wantKind(t *testing.T, err, kind error, code string) {
	t.Helper()
	if err == nil {
		t.Fatalf("got no error, want %v", kind)
	}
	if !errors.Is(err, kind) {
		t.Errorf("error %q is not %v", err, kind)
	}
	if got := handwash.ErrorCode(err); got != code {
		t.Errorf("code = %q, want %q (error %q)", got, code, err)
	}
	wantNoPassword(t, err)
}

// wantNoPassword checks that neither err's message nor any cause in its
// chain holds the test password.
func wantNoPassword(t *testing.T, err error) {
	t.Helper()
	for e := err; e != nil; e = errors.Unwrap(e) {
		for _, text := range []string{e.Error(), fmt.Sprintf("%+v", e), fmt.Sprintf("%#v", e)} {
			if strings.Contains(text, testPassword) {
				t.Fatalf("error holds the password: %s", text)
			}
		}
	}
	var he *handwash.Error
	if errors.As(err, &he) && he.Err != nil && strings.Contains(he.Err.Error(), testPassword) {
		t.Fatalf("error cause holds the password: %s", he.Err)
	}
}

// wantMentions checks that the message names each of words.
func wantMentions(t *testing.T, err error, words ...string) {
	t.Helper()
	msg := handwash.ErrorMessage(err)
	for _, w := range words {
		if !strings.Contains(msg, w) {
			t.Errorf("message %q does not mention %q", msg, w)
		}
	}
}

func TestDrainOldestFirstAndMarksSeen(t *testing.T) {
	ts := startServer(t, modeTLS)
	msgs := fill(t, ts, 3)
	var c collector
	n, err := Drain(context.Background(), ts.mailbox(), 10, 1<<20, c.handle)
	if err != nil {
		t.Fatal(err)
	}
	if n != 3 {
		t.Errorf("handled %d, want 3", n)
	}
	if want := []uint32{1, 2, 3}; !slices.Equal(c.uids(), want) {
		t.Errorf("handed UIDs %v, want %v", c.uids(), want)
	}
	base := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	for i, m := range c.got {
		if !bytes.Equal(m.Raw, msgs[m.UID]) {
			t.Errorf("UID %d: Raw = %q, want the appended bytes %q", m.UID, m.Raw, msgs[m.UID])
		}
		if m.Size != int64(len(msgs[m.UID])) || m.TooLarge {
			t.Errorf("UID %d: Size %d TooLarge %v, want %d false", m.UID, m.Size, m.TooLarge, len(msgs[m.UID]))
		}
		if want := base.Add(time.Duration(i+1) * time.Minute); !m.InternalDate.Equal(want) {
			t.Errorf("UID %d: InternalDate %v, want %v", m.UID, m.InternalDate, want)
		}
	}
	if u := ts.unseen(t); len(u) != 0 {
		t.Errorf("unseen after Drain: %v, want none", u)
	}
	n, err = Drain(context.Background(), ts.mailbox(), 10, 1<<20, c.handle)
	if err != nil || n != 0 {
		t.Errorf("second Drain = %d, %v; want 0, nil", n, err)
	}
	if len(c.got) != 3 {
		t.Errorf("second Drain handed out %d more messages", len(c.got)-3)
	}
}

func TestDrainMaxLimitsTheBatch(t *testing.T) {
	ts := startServer(t, modeTLS)
	fill(t, ts, 3)
	var c collector
	n, err := Drain(context.Background(), ts.mailbox(), 2, 1<<20, c.handle)
	if err != nil || n != 2 {
		t.Fatalf("Drain = %d, %v; want 2, nil", n, err)
	}
	if want := []uint32{1, 2}; !slices.Equal(c.uids(), want) {
		t.Errorf("handed UIDs %v, want %v", c.uids(), want)
	}
	if got, want := ts.unseen(t), []uint32{3}; !slices.Equal(got, want) {
		t.Errorf("unseen %v, want %v", got, want)
	}
	n, err = Drain(context.Background(), ts.mailbox(), 2, 1<<20, c.handle)
	if err != nil || n != 1 {
		t.Fatalf("second Drain = %d, %v; want 1, nil", n, err)
	}
}

func TestDrainHandlerErrorLeavesRestUnseen(t *testing.T) {
	ts := startServer(t, modeTLS)
	fill(t, ts, 3)
	refuse := handwash.Errorf(handwash.ECONFLICT, "cannot store the report now")
	// The handler checks, on the server, that fetching did not set \Seen.
	var peeked []bool
	handle := func(ctx context.Context, m Message) error {
		peeked = append(peeked, slices.Contains(ts.unseen(t), m.UID))
		if m.UID == 2 {
			return refuse
		}
		return nil
	}
	n, err := Drain(context.Background(), ts.mailbox(), 10, 1<<20, handle)
	if n != 1 {
		t.Errorf("handled %d, want 1", n)
	}
	if !errors.Is(err, refuse) {
		t.Fatalf("error %v does not wrap the handler's", err)
	}
	if code := handwash.ErrorCode(err); code != handwash.ECONFLICT {
		t.Errorf("code %q, want the handler's %q", code, handwash.ECONFLICT)
	}
	if !strings.Contains(err.Error(), "UID 2") || !strings.Contains(err.Error(), "INBOX") {
		t.Errorf("error %q does not name the message and folder", err)
	}
	if want := []bool{true, true}; !slices.Equal(peeked, want) {
		t.Errorf("message unseen while handled: %v, want %v (fetching must peek)", peeked, want)
	}
	if got, want := ts.unseen(t), []uint32{2, 3}; !slices.Equal(got, want) {
		t.Errorf("unseen %v, want %v", got, want)
	}
	// The refused message comes back first next time.
	var c collector
	if n, err := Drain(context.Background(), ts.mailbox(), 10, 1<<20, c.handle); err != nil || n != 2 {
		t.Fatalf("next Drain = %d, %v; want 2, nil", n, err)
	}
	if want := []uint32{2, 3}; !slices.Equal(c.uids(), want) {
		t.Errorf("next Drain handed %v, want %v", c.uids(), want)
	}
}

func TestDrainTooLarge(t *testing.T) {
	ts := startServer(t, modeTLS)
	small := ts.add(t, testMessage(1), time.Now())
	big := append(testMessage(2), bytes.Repeat([]byte("x"), 500)...)
	bigUID := ts.add(t, big, time.Now())
	var c collector
	n, err := Drain(context.Background(), ts.mailbox(), 10, 300, c.handle)
	if err != nil || n != 2 {
		t.Fatalf("Drain = %d, %v; want 2, nil", n, err)
	}
	if m := c.got[0]; m.UID != small || m.TooLarge || m.Raw == nil {
		t.Errorf("small message: UID %d TooLarge %v Raw nil %v", m.UID, m.TooLarge, m.Raw == nil)
	}
	m := c.got[1]
	if m.UID != bigUID || !m.TooLarge || m.Raw != nil || m.Size != int64(len(big)) {
		t.Errorf("big message: UID %d TooLarge %v Raw %d bytes Size %d; want UID %d, TooLarge, no Raw, Size %d",
			m.UID, m.TooLarge, len(m.Raw), m.Size, bigUID, len(big))
	}
	if u := ts.unseen(t); len(u) != 0 {
		t.Errorf("unseen %v, want none: a too-large message is flagged like any other", u)
	}
}

func TestDrainSTARTTLS(t *testing.T) {
	ts := startServer(t, modeSTARTTLS)
	msgs := fill(t, ts, 2)
	var c collector
	n, err := Drain(context.Background(), ts.mailbox(), 10, 1<<20, c.handle)
	if err != nil || n != 2 {
		t.Fatalf("Drain = %d, %v; want 2, nil", n, err)
	}
	for _, m := range c.got {
		if !bytes.Equal(m.Raw, msgs[m.UID]) {
			t.Errorf("UID %d: Raw differs from the appended bytes", m.UID)
		}
	}
	if bytes.Contains(ts.receivedBytes(), []byte(testPassword)) {
		t.Error("the password crossed the wire in plain text")
	}
}

func TestRefusesServerWithoutSTARTTLS(t *testing.T) {
	ts := startServer(t, modePlain)
	fill(t, ts, 1)
	called := false
	handle := func(context.Context, Message) error { called = true; return nil }
	n, err := Drain(context.Background(), ts.mailbox(), 10, 1<<20, handle)
	if n != 0 || called {
		t.Errorf("handled %d messages (handler called %v), want none", n, called)
	}
	wantKind(t, err, ErrNoSTARTTLS, handwash.EINVALID)
	wantMentions(t, err, ts.addr, testUser, "plain text", "993")
	if got := ts.logins.Load(); got != 0 {
		t.Errorf("server saw %d login attempts, want 0", got)
	}
	got := ts.receivedBytes()
	if bytes.Contains(got, []byte(testPassword)) || bytes.Contains(bytes.ToUpper(got), []byte("LOGIN")) {
		t.Errorf("the server received a login or the password: %q", got)
	}
	// The plain server would have let us in: the refusal is ours.
	if _, err := Check(context.Background(), ts.mailbox()); !errors.Is(err, ErrNoSTARTTLS) {
		t.Errorf("Check: %v, want ErrNoSTARTTLS", err)
	}
}

func TestWrongPassword(t *testing.T) {
	ts := startServer(t, modeTLS)
	mb := ts.mailbox()
	mb.Password = "wrong-" + testPassword
	_, err := Drain(context.Background(), mb, 10, 1<<20, new(collector).handle)
	wantKind(t, err, ErrLogin, handwash.EUNAUTHORIZED)
	wantMentions(t, err, ts.addr, testUser, "username and password", "Microsoft 365", "Google Workspace", "app password")
	if strings.Contains(err.Error(), mb.Password) {
		t.Errorf("error holds the wrong password: %s", err)
	}
}

func TestLoginErrorFromServerIsRedacted(t *testing.T) {
	ts := startServer(t, modeSTARTTLS)
	// A careless server quotes the password back.
	ts.failLogin(&imap.Error{Type: imap.StatusResponseTypeNo, Code: imap.ResponseCodeAuthenticationFailed,
		Text: "bad password " + testPassword})
	_, err := Check(context.Background(), ts.mailbox())
	wantKind(t, err, ErrLogin, handwash.EUNAUTHORIZED)
	wantMentions(t, err, "AUTHENTICATIONFAILED", "bad password")
}

func TestMissingFolder(t *testing.T) {
	ts := startServer(t, modeTLS)
	mb := ts.mailbox()
	mb.Folder = "Phishing Reports"
	_, err := Drain(context.Background(), mb, 10, 1<<20, new(collector).handle)
	wantKind(t, err, ErrFolder, handwash.ENOTFOUND)
	wantMentions(t, err, `"Phishing Reports"`, testUser, ts.addr, "INBOX")
}

func TestOtherFolder(t *testing.T) {
	ts := startServer(t, modeTLS)
	if err := ts.user.Create("Reports", nil); err != nil {
		t.Fatal(err)
	}
	if _, err := ts.user.Append("Reports", bytes.NewReader(testMessage(1)), &imap.AppendOptions{}); err != nil {
		t.Fatal(err)
	}
	fill(t, ts, 2) // in INBOX, not read
	mb := ts.mailbox()
	mb.Folder = "Reports"
	n, err := Check(context.Background(), mb)
	if err != nil || n != 1 {
		t.Errorf("Check(Reports) = %d, %v; want 1, nil", n, err)
	}
}

func TestUntrustedCertificate(t *testing.T) {
	ts := startServer(t, modeTLS)
	for name, cfg := range map[string]*tls.Config{
		"no CA in pool": nil,
		"wrong name":    {RootCAs: ts.pool, ServerName: "imap.wrong.example"},
	} {
		t.Run(name, func(t *testing.T) {
			mb := ts.mailbox()
			mb.TLSConfig = cfg
			_, err := Check(context.Background(), mb)
			wantKind(t, err, ErrTLS, handwash.EINVALID)
			wantMentions(t, err, ts.addr, "certificate", "do not turn certificate checks off")
			if ts.logins.Load() != 0 {
				t.Error("logged in over an untrusted connection")
			}
		})
	}
}

func TestUntrustedCertificateSTARTTLS(t *testing.T) {
	ts := startServer(t, modeSTARTTLS)
	mb := ts.mailbox()
	mb.TLSConfig = nil
	_, err := Check(context.Background(), mb)
	wantKind(t, err, ErrTLS, handwash.EINVALID)
	if bytes.Contains(ts.receivedBytes(), []byte(testPassword)) || ts.logins.Load() != 0 {
		t.Error("the password was sent over an untrusted connection")
	}
}

func TestTLSOnPlainPort(t *testing.T) {
	ts := startServer(t, modeSTARTTLS)
	mb := ts.mailbox()
	mb.Security = SecurityTLS
	_, err := Check(context.Background(), mb)
	wantKind(t, err, ErrTLS, handwash.EINVALID)
	wantMentions(t, err, "993", "143")
}

func TestCannotConnect(t *testing.T) {
	mb := Mailbox{Addr: closedAddr(t), Username: testUser, Password: testPassword, Timeout: 2 * time.Second}
	_, err := Drain(context.Background(), mb, 10, 1<<20, new(collector).handle)
	wantKind(t, err, ErrConnect, CodeUnavailable)
	wantMentions(t, err, mb.Addr, testUser, "Addr")
}

func TestServerTooSlow(t *testing.T) {
	addr := startSilentServer(t)
	for _, security := range []string{SecurityTLS, SecuritySTARTTLS} {
		t.Run(security, func(t *testing.T) {
			mb := Mailbox{Addr: addr, Security: security, Username: testUser, Password: testPassword, Timeout: 200 * time.Millisecond}
			start := time.Now()
			_, err := Check(context.Background(), mb)
			if took := time.Since(start); took > 3*time.Second {
				t.Errorf("took %v with a 200ms limit", took)
			}
			wantKind(t, err, ErrServer, CodeUnavailable)
			wantMentions(t, err, "did not answer within 200ms", addr)
		})
	}
}

func TestCancelStopsPromptly(t *testing.T) {
	addr := startSilentServer(t)
	for _, security := range []string{SecurityTLS, SecuritySTARTTLS} {
		t.Run(security, func(t *testing.T) {
			mb := Mailbox{Addr: addr, Security: security, Username: testUser, Password: testPassword, Timeout: time.Minute}
			ctx, cancel := context.WithCancel(context.Background())
			time.AfterFunc(100*time.Millisecond, cancel)
			start := time.Now()
			_, err := Drain(ctx, mb, 10, 1<<20, new(collector).handle)
			if took := time.Since(start); took > 3*time.Second {
				t.Errorf("took %v to stop after cancel", took)
			}
			if !errors.Is(err, context.Canceled) {
				t.Errorf("error %v does not wrap context.Canceled", err)
			}
			wantNoPassword(t, err)
		})
	}
}

func TestCancelDuringHandler(t *testing.T) {
	ts := startServer(t, modeTLS)
	fill(t, ts, 3)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	calls := 0
	handle := func(context.Context, Message) error {
		calls++
		cancel() // the server is shutting down as the first message is handled
		return nil
	}
	n, err := Drain(ctx, ts.mailbox(), 10, 1<<20, handle)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("error %v does not wrap context.Canceled", err)
	}
	if n != 1 || calls != 1 {
		t.Errorf("handled %d (calls %d), want 1", n, calls)
	}
	wantMentions(t, err, "UID 1", "hand it out again")
	if got := ts.unseen(t); len(got) < 2 {
		t.Errorf("unseen %v: messages after the cancel were marked", got)
	}
}

func TestCheck(t *testing.T) {
	ts := startServer(t, modeSTARTTLS)
	fill(t, ts, 3)
	n, err := Check(context.Background(), ts.mailbox())
	if err != nil || n != 3 {
		t.Fatalf("Check = %d, %v; want 3, nil", n, err)
	}
	if got := ts.unseen(t); len(got) != 3 {
		t.Errorf("Check changed flags: unseen %v", got)
	}
	if _, err := Drain(context.Background(), ts.mailbox(), 10, 1<<20, new(collector).handle); err != nil {
		t.Fatal(err)
	}
	if n, err := Check(context.Background(), ts.mailbox()); err != nil || n != 0 {
		t.Errorf("Check after Drain = %d, %v; want 0, nil", n, err)
	}
}

func TestDrainArguments(t *testing.T) {
	mb := Mailbox{Addr: closedAddr(t), Username: testUser, Password: testPassword}
	h := new(collector).handle
	for name, call := range map[string]func() (int, error){
		"max 0":     func() (int, error) { return Drain(context.Background(), mb, 0, 1, h) },
		"maxSize 0": func() (int, error) { return Drain(context.Background(), mb, 1, 0, h) },
		"no handle": func() (int, error) { return Drain(context.Background(), mb, 1, 1, nil) },
		"bad mailbox": func() (int, error) {
			bad := mb
			bad.Username = ""
			return Drain(context.Background(), bad, 1, 1, h)
		},
	} {
		if _, err := call(); handwash.ErrorCode(err) != handwash.EINVALID {
			t.Errorf("%s: error %v, want EINVALID (and no connection)", name, err)
		}
	}
}

func TestValidate(t *testing.T) {
	good := Mailbox{Addr: "outlook.office365.com:993", Username: testUser, Password: testPassword}
	if err := good.Validate(); err != nil {
		t.Fatalf("good settings: %v", err)
	}
	for _, tc := range []struct {
		name, field string
		change      func(*Mailbox)
	}{
		{"empty addr", "Addr", func(m *Mailbox) { m.Addr = "" }},
		{"no port", "Addr", func(m *Mailbox) { m.Addr = "imap.example.org" }},
		{"port 0", "Addr", func(m *Mailbox) { m.Addr = "imap.example.org:0" }},
		{"port too big", "Addr", func(m *Mailbox) { m.Addr = "imap.example.org:65536" }},
		{"port not a number", "Addr", func(m *Mailbox) { m.Addr = "imap.example.org:imaps" }},
		{"signed port", "Addr", func(m *Mailbox) { m.Addr = "imap.example.org:+993" }},
		{"no host", "Addr", func(m *Mailbox) { m.Addr = ":993" }},
		{"URL", "Addr", func(m *Mailbox) { m.Addr = "imaps://imap.example.org:993" }},
		{"security", "Security", func(m *Mailbox) { m.Security = "ssl" }},
		{"plain text", "Security", func(m *Mailbox) { m.Security = "none" }},
		{"no username", "Username", func(m *Mailbox) { m.Username = "" }},
		{"no password", "Password", func(m *Mailbox) { m.Password = "" }},
		{"folder control", "Folder", func(m *Mailbox) { m.Folder = "INBOX\r\nA1 LOGOUT" }},
		{"folder long", "Folder", func(m *Mailbox) { m.Folder = strings.Repeat("f", 201) }},
		{"folder not UTF-8", "Folder", func(m *Mailbox) { m.Folder = "Rep\xfforts" }},
		{"insecure TLS", "TLSConfig", func(m *Mailbox) { m.TLSConfig = &tls.Config{InsecureSkipVerify: true} }},
		{"negative timeout", "Timeout", func(m *Mailbox) { m.Timeout = -time.Second }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			mb := good
			tc.change(&mb)
			err := mb.Validate()
			if handwash.ErrorCode(err) != handwash.EINVALID {
				t.Fatalf("error %v, want EINVALID", err)
			}
			if !strings.Contains(err.Error(), "mailbox setting "+tc.field+":") {
				t.Errorf("error %q does not name %s", err, tc.field)
			}
			wantNoPassword(t, err)
		})
	}
	for _, ok := range []func(*Mailbox){
		func(m *Mailbox) { m.Addr = "127.0.0.1:143"; m.Security = SecuritySTARTTLS },
		func(m *Mailbox) { m.Addr = "[::1]:65535"; m.Security = SecurityTLS },
		func(m *Mailbox) { m.Folder = strings.Repeat("f", 200) },
		func(m *Mailbox) { m.Folder = "Boîte/Signalements" },
	} {
		mb := good
		ok(&mb)
		if err := mb.Validate(); err != nil {
			t.Errorf("%+v: %v", mb, err)
		}
	}
}

func TestSecurityByPort(t *testing.T) {
	for addr, want := range map[string]string{
		"imap.example.org:993": SecurityTLS,
		"imap.example.org:143": SecuritySTARTTLS,
		"imap.example.org:144": SecuritySTARTTLS,
	} {
		if got := (Mailbox{Addr: addr}).security(); got != want {
			t.Errorf("%s: %s, want %s", addr, got, want)
		}
	}
	if got := (Mailbox{Addr: "imap.example.org:993", Security: SecuritySTARTTLS}).security(); got != SecuritySTARTTLS {
		t.Errorf("Security is not obeyed: %s", got)
	}
}

func TestTLSConfigDefaults(t *testing.T) {
	given := &tls.Config{MinVersion: tls.VersionTLS10}
	cfg := Mailbox{Addr: "imap.example.org:993", TLSConfig: given}.tlsConfig()
	if cfg.MinVersion != tls.VersionTLS12 || cfg.ServerName != "imap.example.org" {
		t.Errorf("MinVersion %x ServerName %q, want TLS 1.2 and imap.example.org", cfg.MinVersion, cfg.ServerName)
	}
	if given.MinVersion != tls.VersionTLS10 || given.ServerName != "" {
		t.Error("the caller's TLSConfig was changed")
	}
	cfg = Mailbox{Addr: "10.0.0.1:993", TLSConfig: &tls.Config{ServerName: "imap.example.org", MinVersion: tls.VersionTLS13}}.tlsConfig()
	if cfg.MinVersion != tls.VersionTLS13 || cfg.ServerName != "imap.example.org" {
		t.Errorf("MinVersion %x ServerName %q: a stricter setting was overridden", cfg.MinVersion, cfg.ServerName)
	}
}

func TestStringHidesPassword(t *testing.T) {
	mb := Mailbox{Addr: "imap.example.org:993", Username: testUser, Password: testPassword, Folder: "Reports"}
	var logged bytes.Buffer
	slog.New(slog.NewJSONHandler(&logged, nil)).Info("reading", "mailbox", mb)
	slog.New(slog.NewTextHandler(&logged, nil)).Info("reading", "mailbox", mb)
	for _, s := range []string{mb.String(), fmt.Sprintf("%v %+v %#v %s", mb, mb, mb, mb), logged.String()} {
		if strings.Contains(s, testPassword) {
			t.Errorf("password shown: %s", s)
		}
	}
	if want := `folder "Reports" of reports@care.example on imap.example.org:993`; mb.String() != want {
		t.Errorf("String() = %q, want %q", mb.String(), want)
	}
	if !strings.Contains(logged.String(), `"username":"reports@care.example"`) {
		t.Errorf("log lacks the username: %s", logged.String())
	}
}
