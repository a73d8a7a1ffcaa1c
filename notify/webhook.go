package notify

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/handwash/handwash"
)

// The headers of a signed generic webhook request; the package doc says how
// to check them.
const (
	HeaderSignature = "X-Handwash-Signature"
	HeaderTimestamp = "X-Handwash-Timestamp"
)

// Webhook defaults and limits.
const (
	DefaultWebhookTimeout   = 10 * time.Second
	DefaultMaxResponseBytes = 64 << 10
	// MinSecretLength is the shortest signing secret accepted: anything
	// shorter could be guessed.
	MinSecretLength = 16
	maxSecretLength = 1024
	maxTimeout      = 5 * time.Minute
	maxURLLength    = 2048
)

// WebhookConfig says where and how to post notifications. The names in
// brackets are the ones errors use.
type WebhookConfig struct {
	// URL (url) is the address to post to: http or https. For Slack and
	// Teams the address holds a secret token, so errors show only its
	// scheme and host.
	URL string
	// Format (format) is generic, slack or teams; empty means generic.
	Format Format
	// Secret (secret), when set, signs each generic request with
	// HMAC-SHA256; at least MinSecretLength characters.
	Secret string
	// Timeout (timeout) bounds the whole request; 0 means
	// DefaultWebhookTimeout.
	Timeout time.Duration
	// MaxResponseBytes (max_response_bytes) caps how much of the answer is
	// read; 0 means DefaultMaxResponseBytes.
	MaxResponseBytes int64
	// AllowPrivateNetworks (allow_private_networks) lets the webhook reach
	// loopback, private and link-local addresses. Off by default, so that
	// whoever can set a webhook address cannot use it to reach services
	// inside the server's own network.
	AllowPrivateNetworks bool
}

// Validate reports the first setting that is missing or wrong, naming it
// and saying what to do. It never repeats the URL, which may hold a secret.
func (c WebhookConfig) Validate() error {
	invalid := func(field, format string, args ...any) error {
		return handwash.Errorf(handwash.EINVALID, "webhook setting %q: "+format, append([]any{field}, args...)...)
	}
	if c.URL == "" {
		return invalid("url", "is empty: paste the webhook address your service gave you")
	}
	if len(c.URL) > maxURLLength {
		return invalid("url", "is %d characters long: a webhook address is at most %d", len(c.URL), maxURLLength)
	}
	u, err := url.Parse(c.URL)
	if err != nil {
		return invalid("url", "is not a web address: paste the whole webhook address, starting with https://")
	}
	if u.Scheme != "https" && u.Scheme != "http" {
		return invalid("url", "must start with https:// (or http://), not %q", u.Scheme+":")
	}
	if u.Host == "" || u.Hostname() == "" {
		return invalid("url", "has no host name: paste the whole webhook address, starting with https://")
	}
	if !c.AllowPrivateNetworks {
		if reason := privateHost(u.Hostname()); reason != "" {
			return invalid("url", "points at %s (%s), which is blocked: set allow_private_networks if the receiver is on your own network", reason, u.Hostname())
		}
	}
	switch c.Format {
	case "", FormatGeneric:
		if c.Secret != "" && len(c.Secret) < MinSecretLength {
			return invalid("secret", "is %d characters long: use a random value of at least %d characters", len(c.Secret), MinSecretLength)
		}
		if len(c.Secret) > maxSecretLength {
			return invalid("secret", "is %d characters long: use at most %d", len(c.Secret), maxSecretLength)
		}
	case FormatSlack, FormatTeams:
		if c.Secret != "" {
			return invalid("secret", "is only for the generic format: %s does not check signatures, so remove the secret (the address itself is the secret)", c.Format)
		}
	default:
		return invalid("format", "%q is not known: use generic, slack or teams", c.Format)
	}
	if c.Timeout < 0 || c.Timeout > maxTimeout {
		return invalid("timeout", "is %s: use a positive duration up to %s, or 0 for the default %s", c.Timeout, maxTimeout, DefaultWebhookTimeout)
	}
	if c.MaxResponseBytes < 0 {
		return invalid("max_response_bytes", "is %d: use a positive number, or 0 for %d", c.MaxResponseBytes, DefaultMaxResponseBytes)
	}
	return nil
}

// privateHost says what kind of non-public address host is, or "" when it
// is a public address or a name: names are checked again when connecting.
func privateHost(host string) string {
	if strings.EqualFold(host, "localhost") || strings.HasSuffix(strings.ToLower(host), ".localhost") {
		return "this machine"
	}
	ip, err := netip.ParseAddr(host)
	if err != nil {
		return ""
	}
	return privateAddr(ip)
}

// sharedSpace is the carrier-grade NAT range (RFC 6598), where some clouds
// keep their metadata services.
var sharedSpace = netip.MustParsePrefix("100.64.0.0/10")

// privateAddr says what kind of non-public address ip is, or "".
func privateAddr(ip netip.Addr) string {
	ip = ip.Unmap()
	switch {
	case ip.IsLoopback():
		return "this machine"
	case ip.IsPrivate(), sharedSpace.Contains(ip):
		return "a private network address"
	case ip.IsLinkLocalUnicast(), ip.IsLinkLocalMulticast():
		return "a link-local address"
	case !ip.IsGlobalUnicast():
		return "an address that is not a public one"
	}
	return ""
}

// errBlocked marks a connection refused because the address is not public.
var errBlocked = errors.New("address blocked")

// blockedError names the address a connection was refused to.
type blockedError struct {
	addr, reason string
}

func (e *blockedError) Error() string {
	return "connecting to " + e.addr + " (" + e.reason + ") is blocked"
}
func (e *blockedError) Is(target error) bool {
	return target == errBlocked
}

// String describes the webhook without its secret parts.
func (c WebhookConfig) String() string {
	s := fmt.Sprintf("%s webhook to %s", c.format(), origin(c.URL))
	if c.Secret != "" {
		s += ", signed"
	}
	return s
}

// GoString is String, so %#v does not print the secret either.
func (c WebhookConfig) GoString() string { return c.String() }

// LogValue logs the webhook without its secret parts.
func (c WebhookConfig) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("url", origin(c.URL)),
		slog.String("format", string(c.format())),
		slog.Bool("signed", c.Secret != ""),
	)
}

func (c WebhookConfig) format() Format {
	if c.Format == "" {
		return FormatGeneric
	}
	return c.Format
}

// origin is the scheme and host of a URL: all of it that errors and logs
// may show.
func origin(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return "(an address that could not be read)"
	}
	return u.Scheme + "://" + u.Host
}

// Webhook posts notifications to one webhook address. It is safe for
// concurrent use.
type Webhook struct {
	cfg     WebhookConfig
	url     string
	origin  string
	secrets []string
	client  *http.Client
	now     func() time.Time
}

// NewWebhook checks cfg and returns a sender for it.
func NewWebhook(cfg WebhookConfig) (*Webhook, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg.Format = cfg.format()
	if cfg.Timeout == 0 {
		cfg.Timeout = DefaultWebhookTimeout
	}
	if cfg.MaxResponseBytes == 0 {
		cfg.MaxResponseBytes = DefaultMaxResponseBytes
	}
	u, _ := url.Parse(cfg.URL) // Validate parsed it
	w := &Webhook{cfg: cfg, url: cfg.URL, origin: u.Scheme + "://" + u.Host, now: time.Now}
	// Every part of the address after the host may be a token; parts too
	// short to hold one are left alone, so "/" does not blank out an error.
	w.secrets = []string{cfg.URL, u.String(), cfg.Secret}
	parts := []string{u.Path, u.EscapedPath(), u.RawQuery, u.Fragment}
	if u.User != nil {
		parts = append(parts, u.User.String())
		if p, ok := u.User.Password(); ok {
			parts = append(parts, p)
		}
	}
	for _, p := range parts {
		if len(p) >= 6 {
			w.secrets = append(w.secrets, p)
		}
	}

	// A proxy from the environment is used as it is: it, not Handwash,
	// then decides which addresses can be reached.
	proxy, _ := http.ProxyFromEnvironment(&http.Request{URL: u})
	proxyAddr := ""
	if proxy != nil {
		proxyAddr = canonicalAddr(proxy)
	}
	dialer := &net.Dialer{Timeout: cfg.Timeout, KeepAlive: 30 * time.Second}
	guarded := &net.Dialer{Timeout: cfg.Timeout, KeepAlive: 30 * time.Second, Control: refusePrivate}
	transport := &http.Transport{
		Proxy: func(*http.Request) (*url.URL, error) { return proxy, nil },
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			if cfg.AllowPrivateNetworks || addr == proxyAddr {
				return dialer.DialContext(ctx, network, addr)
			}
			// Checked on the address actually dialled, after name
			// resolution, so a name that resolves to a private address
			// is refused too.
			return guarded.DialContext(ctx, network, addr)
		},
		TLSClientConfig:       &tls.Config{MinVersion: tls.VersionTLS12},
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          4,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   cfg.Timeout,
		ResponseHeaderTimeout: cfg.Timeout,
	}
	w.client = &http.Client{
		Transport: transport,
		Timeout:   cfg.Timeout,
		// A redirect would send a signed body somewhere the settings do not
		// name, so none is followed: the 3xx is reported instead.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	return w, nil
}

// refusePrivate is a net.Dialer Control that refuses non-public addresses.
func refusePrivate(_, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return &blockedError{addr: address, reason: "an address that could not be read"}
	}
	if reason := privateAddr(ap.Addr()); reason != "" {
		return &blockedError{addr: ap.Addr().Unmap().String(), reason: reason}
	}
	return nil
}

// canonicalAddr is the host:port a proxy URL dials.
func canonicalAddr(u *url.URL) string {
	port := u.Port()
	if port == "" {
		switch u.Scheme {
		case "https":
			port = "443"
		case "socks5", "socks5h":
			port = "1080"
		default:
			port = "80"
		}
	}
	return net.JoinHostPort(u.Hostname(), port)
}

// Send renders m in the webhook's format and posts it, once. It returns nil
// when the receiver answered 2xx, a *handwash.Error with code EINVALID when
// m is not valid, and a *DeliveryError otherwise; IsTemporary says whether
// to try again later.
func (w *Webhook) Send(ctx context.Context, m Message) error {
	body, err := RenderWebhook(w.cfg.Format, m)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.url, bytes.NewReader(body))
	if err != nil {
		return w.fail(false, 0, "could not make the request", err)
	}
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	req.Header.Set("User-Agent", "Handwash")
	if w.cfg.Secret != "" {
		ts := strconv.FormatInt(w.now().Unix(), 10)
		req.Header.Set(HeaderTimestamp, ts)
		req.Header.Set(HeaderSignature, sign(w.cfg.Secret, ts, body))
	}
	resp, err := w.client.Do(req)
	if err != nil {
		return w.transportError(err)
	}
	defer resp.Body.Close()
	// Read what the cap allows, so the connection can be reused and a
	// receiver cannot hold us with an endless answer.
	answer, _ := io.ReadAll(io.LimitReader(resp.Body, w.cfg.MaxResponseBytes))
	if resp.StatusCode >= 200 && resp.StatusCode <= 299 {
		return nil
	}
	return w.statusError(resp, answer)
}

// sign is the signature of one request: HMAC-SHA256 over the timestamp, a
// full stop and the body, in hex after "sha256=".
func sign(secret, timestamp string, body []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(timestamp))
	mac.Write([]byte{'.'})
	mac.Write(body)
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}

// VerifySignature checks a signed generic webhook request as a receiver
// should: the timestamp header is a Unix time within tolerance of now
// (either way, for clock skew), and the signature header is the
// HMAC-SHA256 of "<timestamp>.<body>" under secret, compared in constant
// time. It returns nil when both hold, and an error saying which does not
// otherwise.
func VerifySignature(secret string, body []byte, timestamp, signature string, now time.Time, tolerance time.Duration) error {
	unauthorized := func(format string, args ...any) error {
		return handwash.Errorf(handwash.EUNAUTHORIZED, "webhook signature: "+format, args...)
	}
	if secret == "" {
		return unauthorized("no secret to check against")
	}
	if timestamp == "" || len(timestamp) > 19 || strings.TrimLeft(timestamp, "0123456789") != "" {
		return unauthorized("the %s header is missing or not a Unix time in seconds", HeaderTimestamp)
	}
	sec, err := strconv.ParseInt(timestamp, 10, 64)
	if err != nil {
		return unauthorized("the %s header is not a Unix time in seconds", HeaderTimestamp)
	}
	age := now.Sub(time.Unix(sec, 0))
	if age > tolerance || age < -tolerance {
		return unauthorized("the request was signed at %s, more than %s from now: it may be a replay, or a clock is wrong", time.Unix(sec, 0).UTC().Format(time.RFC3339), tolerance)
	}
	hexSig, ok := strings.CutPrefix(signature, "sha256=")
	if !ok || len(hexSig) != 2*sha256.Size {
		return unauthorized("the %s header is missing or not \"sha256=\" and 64 hex digits", HeaderSignature)
	}
	got, err := hex.DecodeString(hexSig)
	if err != nil {
		return unauthorized("the %s header is not hex", HeaderSignature)
	}
	want, _ := hex.DecodeString(strings.TrimPrefix(sign(secret, timestamp, body), "sha256="))
	if !hmac.Equal(got, want) {
		return unauthorized("the signature does not match: check both sides use the same secret, and that the body is checked exactly as received")
	}
	return nil
}

// fail makes a DeliveryError that names only the webhook's origin and
// carries the cause with every secret part of the settings cut out.
func (w *Webhook) fail(temporary bool, status int, msg string, cause error) *DeliveryError {
	return &DeliveryError{
		Temporary: temporary,
		Status:    status,
		Message:   "webhook to " + w.origin + ": " + msg,
		Err:       redact(cause, w.secrets...),
	}
}

func (w *Webhook) transportError(err error) error {
	// url.Error repeats the whole URL, token and all: keep only its cause.
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	var certErr *tls.CertificateVerificationError
	var unknownCA x509.UnknownAuthorityError
	var hostErr x509.HostnameError
	switch {
	case errors.Is(err, errBlocked):
		return w.fail(false, 0, "the address leads to a private or local network, which is blocked: set allow_private_networks if the receiver is on your own network", err)
	case errors.Is(err, context.Canceled):
		return w.fail(true, 0, "sending was cancelled before the webhook service answered", err)
	case isTimeout(err):
		return w.fail(true, 0, fmt.Sprintf("the webhook service did not answer within %s: check that it is up, and that this server may connect to it", w.cfg.Timeout), err)
	case errors.As(err, &certErr), errors.As(err, &unknownCA), errors.As(err, &hostErr):
		return w.fail(false, 0, "the webhook server's certificate is not trusted: check the address, and that the server has a valid certificate for its name", err)
	}
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) && dnsErr.IsNotFound {
		return w.fail(true, 0, "the host name was not found: check the address for typing mistakes", err)
	}
	return w.fail(true, 0, "could not connect to the webhook service: check the address, and that this server may connect to it", err)
}

func (w *Webhook) statusError(resp *http.Response, answer []byte) error {
	code := resp.StatusCode
	status := strconv.Itoa(code)
	if text := http.StatusText(code); text != "" {
		status += " " + text
	}
	var msg string
	temporary := false
	switch {
	case code >= 300 && code <= 399:
		msg = "the webhook service answered " + status + ", a redirect, which Handwash does not follow: use the final address your service gives for the webhook"
	case code == http.StatusBadRequest || code == http.StatusUnprocessableEntity:
		msg = "the webhook service refused the message with " + status + ": check that the format setting (" + string(w.cfg.Format) + ") is the one this service expects"
	case code == http.StatusUnauthorized || code == http.StatusForbidden:
		msg = "the webhook service refused the message with " + status + ": check that the address is complete and the webhook is still allowed to post"
		if w.cfg.Secret != "" {
			msg += ", and that the receiver uses the same signing secret"
		}
	case code == http.StatusNotFound || code == http.StatusGone:
		msg = "the webhook service answered " + status + ": the webhook may have been deleted or the address mistyped; make a new webhook and paste its address"
	case code == http.StatusRequestEntityTooLarge:
		msg = "the webhook service answered " + status + ": the message is bigger than it accepts"
	case code == http.StatusRequestTimeout || code == http.StatusTooManyRequests:
		msg = "the webhook service answered " + status + ": it is busy or limiting how often it accepts messages"
		temporary = true
	case code >= 500:
		msg = "the webhook service answered " + status + ": it has a problem of its own; if this goes on, check the service's status page"
		temporary = true
	default:
		msg = "the webhook service answered " + status + ", not a success: check the address and the format setting"
	}
	var cause error
	if said := truncate(oneLine(strings.ToValidUTF8(string(answer), "")), 200); said != "" {
		cause = fmt.Errorf("the service said: %q", said)
	}
	e := w.fail(temporary, code, msg, cause)
	if temporary {
		e.RetryAfter = retryAfter(resp.Header.Get("Retry-After"), w.now())
	}
	return e
}

// retryAfter reads a Retry-After header: seconds or an HTTP date, at most a
// day; 0 when absent or unreadable.
func retryAfter(v string, now time.Time) time.Duration {
	const most = 24 * time.Hour
	if v == "" {
		return 0
	}
	var d time.Duration
	if secs, err := strconv.Atoi(strings.TrimSpace(v)); err == nil {
		if secs < 0 {
			return 0
		}
		d = time.Duration(min(secs, int(most/time.Second))) * time.Second
	} else if t, err := http.ParseTime(v); err == nil {
		d = t.Sub(now)
	}
	return max(0, min(d, most))
}
