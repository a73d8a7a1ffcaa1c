package notify

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/handwash/handwash"
)

// The secret parts of a webhook address, as Slack and Teams put a token in
// the path, and a signing secret.
const (
	hookPath    = "/services/T0001/B0002/XyZsecretTokenInPath"
	hookQuery   = "sig=query-secret-value"
	hookSecret  = "a-signing-secret-of-32-characters"
	signingTime = 1763631000
)

// request is what a test webhook receiver got.
type request struct {
	method, path, query string
	header              http.Header
	body                []byte
}

// receiver is an httptest server that records each request and answers
// with handle, or 204 when handle is nil.
func receiver(t *testing.T, handle http.HandlerFunc) (*httptest.Server, func() []request) {
	t.Helper()
	var mu sync.Mutex
	var got []request
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		got = append(got, request{r.Method, r.URL.Path, r.URL.RawQuery, r.Header.Clone(), body})
		mu.Unlock()
		if handle != nil {
			handle(w, r)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(srv.Close)
	return srv, func() []request {
		mu.Lock()
		defer mu.Unlock()
		return append([]request(nil), got...)
	}
}

func newWebhook(t *testing.T, cfg WebhookConfig) *Webhook {
	t.Helper()
	cfg.AllowPrivateNetworks = true // httptest listens on 127.0.0.1
	w, err := NewWebhook(cfg)
	if err != nil {
		t.Fatal(err)
	}
	w.now = func() time.Time { return time.Unix(signingTime, 0) }
	return w
}

func TestWebhookSendsEachFormat(t *testing.T) {
	for _, f := range Formats {
		t.Run(string(f), func(t *testing.T) {
			srv, got := receiver(t, nil)
			cfg := WebhookConfig{URL: srv.URL + hookPath + "?" + hookQuery, Format: f}
			if f == FormatGeneric {
				cfg.Secret = hookSecret
			}
			w := newWebhook(t, cfg)
			m := samples()["new_high_failure"]
			if err := w.Send(context.Background(), m); err != nil {
				t.Fatalf("Send: %v", err)
			}
			reqs := got()
			if len(reqs) != 1 {
				t.Fatalf("got %d requests, want 1", len(reqs))
			}
			r := reqs[0]
			want, err := RenderWebhook(f, m)
			if err != nil {
				t.Fatal(err)
			}
			if r.method != http.MethodPost || r.path != hookPath || r.query != hookQuery {
				t.Errorf("request = %s %s?%s, want POST %s?%s", r.method, r.path, r.query, hookPath, hookQuery)
			}
			if diff := cmp.Diff(string(want), string(r.body)); diff != "" {
				t.Errorf("body (-want +got):\n%s", diff)
			}
			if ct := r.header.Get("Content-Type"); ct != "application/json; charset=utf-8" {
				t.Errorf("Content-Type = %q", ct)
			}
			ts, sig := r.header.Get(HeaderTimestamp), r.header.Get(HeaderSignature)
			if f != FormatGeneric {
				if ts != "" || sig != "" {
					t.Errorf("%s request is signed: %q %q", f, ts, sig)
				}
				return
			}
			if ts != strconv.Itoa(signingTime) {
				t.Errorf("%s = %q, want %d", HeaderTimestamp, ts, signingTime)
			}
			if err := VerifySignature(hookSecret, r.body, ts, sig, time.Unix(signingTime+60, 0), 5*time.Minute); err != nil {
				t.Errorf("VerifySignature: %v", err)
			}
		})
	}
}

func TestVerifySignature(t *testing.T) {
	body := []byte(`{"version":1}`)
	ts := strconv.Itoa(signingTime)
	good := sign(hookSecret, ts, body)
	now := time.Unix(signingTime, 0)
	tests := []struct {
		name      string
		secret    string
		body      []byte
		ts, sig   string
		now       time.Time
		wantError string
	}{
		{"valid", hookSecret, body, ts, good, now, ""},
		{"valid, clock a little behind", hookSecret, body, ts, good, now.Add(-4 * time.Minute), ""},
		{"other secret", "another-secret-of-enough-length", body, ts, good, now, "does not match"},
		{"body changed", hookSecret, []byte(`{"version":2}`), ts, good, now, "does not match"},
		{"timestamp changed", hookSecret, body, strconv.Itoa(signingTime + 1), good, now, "does not match"},
		{"replayed later", hookSecret, body, ts, good, now.Add(6 * time.Minute), "may be a replay"},
		{"from the future", hookSecret, body, ts, good, now.Add(-6 * time.Minute), "may be a replay"},
		{"no timestamp", hookSecret, body, "", good, now, "X-Handwash-Timestamp header is missing"},
		{"signed timestamp", hookSecret, body, "-5", good, now, "not a Unix time"},
		{"huge timestamp", hookSecret, body, "99999999999999999999", good, now, "not a Unix time"},
		{"no prefix", hookSecret, body, ts, strings.TrimPrefix(good, "sha256="), now, "X-Handwash-Signature header is missing or not"},
		{"not hex", hookSecret, body, ts, "sha256=" + strings.Repeat("z", 64), now, "not hex"},
		{"short", hookSecret, body, ts, good[:20], now, "64 hex digits"},
		{"no secret", "", body, ts, good, now, "no secret"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := VerifySignature(tt.secret, tt.body, tt.ts, tt.sig, tt.now, 5*time.Minute)
			switch {
			case tt.wantError == "" && err != nil:
				t.Errorf("VerifySignature() = %v, want nil", err)
			case tt.wantError != "" && (err == nil || !strings.Contains(err.Error(), tt.wantError)):
				t.Errorf("VerifySignature() = %v, want an error with %q", err, tt.wantError)
			case err != nil && handwash.ErrorCode(err) != handwash.EUNAUTHORIZED:
				t.Errorf("code = %q, want unauthorized", handwash.ErrorCode(err))
			}
		})
	}
}

// The signature is pinned to a value computed by hand, so a change to what
// is signed (the order, the separator, the encoding) shows here even if
// sign and VerifySignature changed together:
// printf '%s' '1763631000.{"version":1}' | openssl dgst -sha256 -hmac a-signing-secret-of-32-characters
func TestSignatureIsStable(t *testing.T) {
	got := sign(hookSecret, strconv.Itoa(signingTime), []byte(`{"version":1}`))
	want := "sha256=" + pinnedSignature
	if got != want {
		t.Errorf("sign() = %s, want %s", got, want)
	}
}

func TestWebhookStatusErrors(t *testing.T) {
	tests := []struct {
		name       string
		status     int
		header     map[string]string
		body       string
		temporary  bool
		retryAfter time.Duration
		want       string
	}{
		{"not found", 404, nil, "no_service", false, 0, "404 Not Found: the webhook may have been deleted"},
		{"gone", 410, nil, "", false, 0, "410 Gone"},
		{"forbidden", 403, nil, "invalid_token", false, 0, "same signing secret"},
		{"bad request", 400, nil, "invalid_payload", false, 0, `format setting (generic)`},
		{"redirect", 302, map[string]string{"Location": "https://elsewhere.example/"}, "", false, 0, "a redirect, which Handwash does not follow"},
		{"rate limited", 429, map[string]string{"Retry-After": "30"}, "rate_limited", true, 30 * time.Second, "429 Too Many Requests"},
		{"server error", 500, nil, "oops", true, 0, "500 Internal Server Error"},
		{"unavailable with a date", 503, map[string]string{"Retry-After": time.Unix(signingTime+120, 0).UTC().Format(http.TimeFormat)}, "", true, 2 * time.Minute, "503 Service Unavailable"},
		{"echoes the token", 400, nil, "bad hook " + hookPath + "?" + hookQuery, false, 0, "the service said"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, _ := receiver(t, func(w http.ResponseWriter, _ *http.Request) {
				for k, v := range tt.header {
					w.Header().Set(k, v)
				}
				w.WriteHeader(tt.status)
				io.WriteString(w, tt.body)
			})
			w := newWebhook(t, WebhookConfig{URL: srv.URL + hookPath + "?" + hookQuery, Secret: hookSecret})
			err := w.Send(context.Background(), samples()["test"])
			checkWebhookError(t, err, tt.temporary, tt.status, tt.want)
			if got := err.(*DeliveryError).RetryAfter; got != tt.retryAfter {
				t.Errorf("RetryAfter = %s, want %s", got, tt.retryAfter)
			}
			if !strings.Contains(err.Error(), "webhook to "+srv.URL+":") {
				t.Errorf("error = %q, want it to name %s", err, srv.URL)
			}
		})
	}
}

// checkWebhookError checks err is a DeliveryError as wanted and shows none
// of the address's secret parts nor the signing secret.
func checkWebhookError(t *testing.T, err error, temporary bool, status int, want string) {
	t.Helper()
	checkDeliveryError(t, err, temporary, status, want, hookPath, "XyZsecretTokenInPath", hookQuery, "query-secret-value", hookSecret)
}

func TestWebhookTimeout(t *testing.T) {
	release := make(chan struct{})
	srv, _ := receiver(t, func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	})
	defer close(release)
	w := newWebhook(t, WebhookConfig{URL: srv.URL + hookPath + "?" + hookQuery, Format: FormatSlack, Timeout: 100 * time.Millisecond})
	err := w.Send(context.Background(), samples()["test"])
	checkWebhookError(t, err, true, 0, "did not answer within 100ms")
}

func TestWebhookCancelled(t *testing.T) {
	srv, got := receiver(t, nil)
	w := newWebhook(t, WebhookConfig{URL: srv.URL + hookPath})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := w.Send(ctx, samples()["test"])
	checkWebhookError(t, err, true, 0, "cancelled")
	if n := len(got()); n != 0 {
		t.Errorf("the receiver got %d requests after the context was cancelled", n)
	}
}

func TestWebhookUnreachable(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	w := newWebhook(t, WebhookConfig{URL: "http://" + addr + hookPath + "?" + hookQuery, Format: FormatTeams})
	err = w.Send(context.Background(), samples()["test"])
	checkWebhookError(t, err, true, 0, "could not connect to the webhook service")
}

func TestWebhookCapsTheAnswer(t *testing.T) {
	const limit = 1 << 10
	const offered = 64 << 20
	var written int64
	srv, _ := receiver(t, func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusOK)
		chunk := bytes.Repeat([]byte("x"), 32<<10)
		for written < offered {
			n, err := w.Write(chunk)
			written += int64(n)
			if err != nil {
				return
			}
		}
	})
	w := newWebhook(t, WebhookConfig{URL: srv.URL + hookPath, MaxResponseBytes: limit})
	if err := w.Send(context.Background(), samples()["test"]); err != nil {
		t.Fatalf("Send: %v", err)
	}
	srv.Close() // waits for the handler
	// Socket buffers take some bytes that were never read; a reader
	// without a cap would have taken all of them.
	if written >= offered {
		t.Errorf("the receiver wrote all %d bytes: the answer was read without a cap", written)
	}
}

func TestWebhookErrorAnswerIsShort(t *testing.T) {
	srv, _ := receiver(t, func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusBadGateway)
		io.WriteString(w, strings.Repeat("upstream failed\n", 10000))
	})
	w := newWebhook(t, WebhookConfig{URL: srv.URL + hookPath})
	err := w.Send(context.Background(), samples()["test"])
	checkWebhookError(t, err, true, 502, "the service said")
	if n := len(err.Error()); n > 800 {
		t.Errorf("error is %d bytes long: the answer was not cut", n)
	}
}

func TestWebhookRefusesPrivateAddresses(t *testing.T) {
	srv, got := receiver(t, nil)
	// Validate refuses an address that is plainly private...
	if _, err := NewWebhook(WebhookConfig{URL: srv.URL + hookPath}); err == nil || !strings.Contains(err.Error(), "allow_private_networks") {
		t.Errorf("NewWebhook(%s) = %v, want a refusal naming allow_private_networks", srv.URL, err)
	} else if strings.Contains(err.Error(), hookPath) {
		t.Errorf("error shows the path: %v", err)
	}
	// ...and the dialler refuses a name that only turns out to be private
	// once resolved.
	w, err := NewWebhook(WebhookConfig{URL: "http://public.example" + hookPath})
	if err != nil {
		t.Fatal(err)
	}
	dial := w.client.Transport.(*http.Transport).DialContext
	if _, err := dial(context.Background(), "tcp", srv.Listener.Addr().String()); !errors.Is(err, errBlocked) {
		t.Errorf("dialling %s = %v, want it blocked", srv.Listener.Addr(), err)
	}
	// Sent for real to the receiver's loopback address, as a name that
	// resolved there would be.
	w.url = srv.URL + hookPath + "?" + hookQuery
	checkWebhookError(t, w.Send(context.Background(), samples()["test"]), false, 0, "set allow_private_networks")
	if n := len(got()); n != 0 {
		t.Errorf("the receiver got %d requests", n)
	}
}

func TestPrivateAddr(t *testing.T) {
	tests := []struct {
		addr string
		want string
	}{
		{"8.8.8.8", ""},
		{"2a00:1450:4009:81f::200e", ""},
		{"127.0.0.1", "this machine"},
		{"::1", "this machine"},
		{"::ffff:127.0.0.1", "this machine"},
		{"10.1.2.3", "a private network address"},
		{"192.168.0.1", "a private network address"},
		{"172.16.5.4", "a private network address"},
		{"fd00::1", "a private network address"},
		{"100.100.100.200", "a private network address"},
		{"169.254.169.254", "a link-local address"},
		{"fe80::1", "a link-local address"},
		{"0.0.0.0", "an address that is not a public one"},
		{"239.1.2.3", "an address that is not a public one"},
	}
	for _, tt := range tests {
		if got := privateHost(tt.addr); got != tt.want {
			t.Errorf("privateHost(%s) = %q, want %q", tt.addr, got, tt.want)
		}
	}
	for _, host := range []string{"localhost", "LOCALHOST", "printer.localhost"} {
		if privateHost(host) == "" {
			t.Errorf("privateHost(%s) = \"\", want it refused", host)
		}
	}
	if got := privateHost("hooks.slack.com"); got != "" {
		t.Errorf("privateHost(hooks.slack.com) = %q, want \"\": names are checked when dialled", got)
	}
}

func TestWebhookConfigValidate(t *testing.T) {
	ok := WebhookConfig{URL: "https://hooks.slack.com" + hookPath, Format: FormatSlack}
	tests := []struct {
		name   string
		change func(*WebhookConfig)
		want   string
	}{
		{"valid", func(*WebhookConfig) {}, ""},
		{"generic signed", func(c *WebhookConfig) { c.Format, c.Secret = FormatGeneric, hookSecret }, ""},
		{"empty format is generic", func(c *WebhookConfig) { c.Format, c.Secret = "", hookSecret }, ""},
		{"http", func(c *WebhookConfig) { c.URL = "http://receiver.example/hook" }, ""},
		{"private allowed", func(c *WebhookConfig) { c.URL, c.AllowPrivateNetworks = "http://10.0.0.5/hook", true }, ""},
		{"no url", func(c *WebhookConfig) { c.URL = "" }, `"url": is empty`},
		{"ftp", func(c *WebhookConfig) { c.URL = "ftp://files.example" + hookPath }, `"url": must start with https://`},
		{"file", func(c *WebhookConfig) { c.URL = "file:///etc/passwd" }, `must start with https://`},
		{"no host", func(c *WebhookConfig) { c.URL = "https://" + hookPath }, `"url": has no host name`},
		{"relative", func(c *WebhookConfig) { c.URL = hookPath }, `"url": must start with https://`},
		{"unparsable", func(c *WebhookConfig) { c.URL = "https://exa mple.com" + hookPath }, `"url": is not a web address`},
		{"metadata service", func(c *WebhookConfig) { c.URL = "http://169.254.169.254/latest" }, `link-local address (169.254.169.254), which is blocked`},
		{"localhost", func(c *WebhookConfig) { c.URL = "http://localhost:8080" + hookPath }, `points at this machine`},
		{"unknown format", func(c *WebhookConfig) { c.Format = "discord" }, `"format": "discord" is not known`},
		{"secret on slack", func(c *WebhookConfig) { c.Secret = hookSecret }, `"secret": is only for the generic format`},
		{"short secret", func(c *WebhookConfig) { c.Format, c.Secret = FormatGeneric, "short" }, `"secret": is 5 characters long`},
		{"negative timeout", func(c *WebhookConfig) { c.Timeout = -1 }, `"timeout": is -1ns`},
		{"huge timeout", func(c *WebhookConfig) { c.Timeout = time.Hour }, `"timeout": is 1h0m0s`},
		{"negative cap", func(c *WebhookConfig) { c.MaxResponseBytes = -1 }, `"max_response_bytes": is -1`},
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
			if err != nil && (strings.Contains(err.Error(), "XyZsecretTokenInPath") || strings.Contains(err.Error(), hookSecret)) {
				t.Errorf("error shows a secret: %v", err)
			}
			if _, nerr := NewWebhook(c); (nerr == nil) != (err == nil) {
				t.Errorf("NewWebhook() = %v, but Validate() = %v", nerr, err)
			}
		})
	}
}

func TestWebhookConfigHidesSecrets(t *testing.T) {
	c := WebhookConfig{URL: "https://user:pass-word@hooks.example.org" + hookPath + "?" + hookQuery, Secret: hookSecret}
	var logged bytes.Buffer
	slog.New(slog.NewTextHandler(&logged, nil)).Info("webhook", "config", c)
	slog.New(slog.NewJSONHandler(&logged, nil)).Info("webhook", "config", c)
	text := fmt.Sprintf("%v %+v %#v %s", c, c, c, c) + logged.String()
	for _, secret := range []string{"XyZsecretTokenInPath", "query-secret-value", hookSecret, "pass-word"} {
		if strings.Contains(text, secret) {
			t.Errorf("%q shows: %s", secret, text)
		}
	}
	if !strings.Contains(text, "https://hooks.example.org") || !strings.Contains(text, "signed") {
		t.Errorf("the origin does not show: %s", text)
	}
}

func TestRetryAfter(t *testing.T) {
	now := time.Unix(signingTime, 0)
	tests := []struct {
		in   string
		want time.Duration
	}{
		{"", 0},
		{"0", 0},
		{"120", 2 * time.Minute},
		{"-5", 0},
		{"999999999", 24 * time.Hour},
		{now.Add(90 * time.Second).UTC().Format(http.TimeFormat), 90 * time.Second},
		{now.Add(-time.Hour).UTC().Format(http.TimeFormat), 0},
		{"soon", 0},
	}
	for _, tt := range tests {
		if got := retryAfter(tt.in, now); got != tt.want {
			t.Errorf("retryAfter(%q) = %s, want %s", tt.in, got, tt.want)
		}
	}
}

func FuzzVerifySignature(f *testing.F) {
	ts := strconv.Itoa(signingTime)
	f.Add([]byte(`{"version":1}`), ts, sign(hookSecret, ts, []byte(`{"version":1}`)))
	f.Add([]byte(""), "", "")
	f.Add([]byte("x"), "-1", "sha256=")
	f.Fuzz(func(t *testing.T, body []byte, timestamp, signature string) {
		now := time.Unix(signingTime, 0)
		err := VerifySignature(hookSecret, body, timestamp, signature, now, 5*time.Minute)
		if err == nil && strings.ToLower(signature) != sign(hookSecret, timestamp, body) {
			t.Errorf("accepted a signature that is not ours: %q", signature)
		}
		// What we sign, we accept.
		if err := VerifySignature(hookSecret, body, ts, sign(hookSecret, ts, body), now, 5*time.Minute); err != nil {
			t.Errorf("refused our own signature: %v", err)
		}
	})
}

const pinnedSignature = "98b993f00d4d21265c79cdaf467112861770dce6da58a5b086ccc8197436f058"
