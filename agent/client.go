package agent

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/handwash/handwash"
)

// CodeUnavailable marks errors where the server could not be reached or
// trusted. The command maps it to exit code 3 with the message as is; the
// root package's codes describe requests the server answered.
const CodeUnavailable = "unavailable"

// Timeouts of the HTTP client. The server answers an upload without judging
// it (judging is asynchronous), so two minutes covers a slow link.
const (
	dialTimeout     = 15 * time.Second
	requestTimeout  = 2 * time.Minute
	continueTimeout = 5 * time.Second
	maxAnswerSize   = 64 << 10
)

// Client speaks the server's API (docs/api.md) for one device.
type Client struct {
	base       *url.URL
	credential Secret
	userAgent  string
	http       *http.Client
}

// ParseServerURL checks a server address. https is required, except on
// loopback addresses (tests, or a server on the same machine), because the
// requests carry the device credential and the device's weak spots.
func ParseServerURL(raw string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || u.Host == "" || u.Opaque != "" {
		return nil, fmt.Errorf("server: %q is not a server address such as https://handwash.example:8443", raw)
	}
	if u.User != nil {
		return nil, errors.New("server: the address must not hold a user name or password")
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return nil, errors.New("server: the address must not have a ?query or #fragment")
	}
	u.Scheme = strings.ToLower(u.Scheme)
	switch u.Scheme {
	case "https":
	case "http":
		if !isLoopback(u.Hostname()) {
			return nil, fmt.Errorf("server: plain http:// would send the device credential and this computer's Facts unencrypted; use https://%s (only loopback addresses such as http://127.0.0.1 may use http)", u.Host)
		}
	default:
		return nil, fmt.Errorf("server: %q must start with https://", raw)
	}
	u.Path = strings.TrimRight(u.Path, "/")
	u.RawPath = ""
	return u, nil
}

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// NewClient returns a client of server. fingerprint, when not empty, pins
// the server's certificate (see ParseFingerprint); credential may be empty
// for enrolment.
func NewClient(server, fingerprint string, credential Secret, version string) (*Client, error) {
	u, err := ParseServerURL(server)
	if err != nil {
		return nil, handwash.Errorf(handwash.EINVALID, "%v", err)
	}
	var pin []byte
	if fingerprint != "" {
		if u.Scheme != "https" {
			return nil, handwash.Errorf(handwash.EINVALID, "--fingerprint pins an https:// server's certificate; %s is plain http", u.Redacted())
		}
		if pin, err = ParseFingerprint(fingerprint); err != nil {
			return nil, handwash.Errorf(handwash.EINVALID, "%v", err)
		}
	}
	tr := &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           (&net.Dialer{Timeout: dialTimeout, KeepAlive: 30 * time.Second}).DialContext,
		TLSClientConfig:       TLSConfig(pin),
		TLSHandshakeTimeout:   dialTimeout,
		ResponseHeaderTimeout: requestTimeout,
		// With Expect: 100-continue the body waits this long for the
		// server's go-ahead, so a server that already holds the Facts
		// answers before they are sent. A proxy that ignores the header
		// costs only this wait.
		ExpectContinueTimeout: continueTimeout,
		MaxIdleConns:          2,
		IdleConnTimeout:       30 * time.Second,
	}
	if version == "" {
		version = "dev"
	}
	return &Client{
		base:       u,
		credential: credential,
		userAgent:  "handwash-agent/" + version,
		http: &http.Client{
			Transport: tr,
			// A redirect could lead the credential or the Facts somewhere
			// else, even to plain http: never follow one.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
	}, nil
}

// Server returns the server's address as given.
func (c *Client) Server() string { return c.base.String() }

// CloseIdleConnections lets go of kept-alive connections, so the agent at
// rest holds no sockets or TLS buffers.
func (c *Client) CloseIdleConnections() { c.http.CloseIdleConnections() }

func (c *Client) endpoint(path string) string {
	u := *c.base
	u.Path = c.base.Path + "/api/v1/" + path
	return u.String()
}

func (c *Client) newRequest(ctx context.Context, method, path string, body io.Reader, bearer string) (*http.Request, error) {
	req, err := http.NewRequestWithContext(ctx, method, c.endpoint(path), body)
	if err != nil {
		return nil, err
	}
	req.Header.Set("User-Agent", c.userAgent)
	req.Header.Set("Accept", "application/json")
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	return req, nil
}

// APIError is an answer from the server other than success.
type APIError struct {
	Status  int    // the HTTP status
	Code    string // the error code from the JSON body, if any
	Message string // the server's message, with anything like a credential removed
	// RetryAfter is how long the server asked to be left alone (429, 503).
	RetryAfter time.Duration
}

func (e *APIError) Error() string {
	msg := e.Message
	if msg == "" {
		msg = http.StatusText(e.Status)
	}
	return fmt.Sprintf("the server answered %d: %s", e.Status, msg)
}

// readAnswer decodes a successful answer into v, or returns an *APIError.
func readAnswer(resp *http.Response, v any) error {
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswerSize))
	if err != nil && resp.StatusCode/100 == 2 {
		return err
	}
	if resp.StatusCode/100 == 2 {
		if v == nil || len(body) == 0 {
			return nil
		}
		if err := json.Unmarshal(body, v); err != nil {
			return fmt.Errorf("the server's answer is not what this agent expects (%v): is %s a Handwash server?", err, resp.Request.URL.Host)
		}
		return nil
	}
	e := &APIError{Status: resp.StatusCode}
	var doc struct {
		Error struct {
			Code    string `json:"code"`
			Message string `json:"message"`
		} `json:"error"`
	}
	if json.Unmarshal(body, &doc) == nil && doc.Error.Message != "" {
		e.Code, e.Message = doc.Error.Code, RedactCredential(doc.Error.Message)
	} else if resp.StatusCode/100 == 3 {
		e.Message = fmt.Sprintf("it redirects to %s; give that address as --server when enrolling", resp.Header.Get("Location"))
	}
	if s := resp.Header.Get("Retry-After"); s != "" {
		if n, err := strconv.Atoi(s); err == nil && n > 0 {
			e.RetryAfter = time.Duration(n) * time.Second
		} else if t, err := http.ParseTime(s); err == nil {
			e.RetryAfter = time.Until(t)
		}
	}
	return e
}

// EnrollRequest is what a device says about itself when it enrols.
type EnrollRequest struct {
	Hostname string `json:"hostname"`
	Platform string `json:"platform"`
	DeviceID string `json:"device_id,omitempty"`
}

// EnrollAnswer is the server's answer to an enrolment.
type EnrollAnswer struct {
	DeviceID   string `json:"device_id"`
	Credential Secret `json:"credential"`
	OrgID      string `json:"org_id"`
	SiteID     string `json:"site_id"`
}

// Enroll exchanges an enrolment token for a device credential. A refused
// token is EUNAUTHORIZED; a server that cannot be reached or trusted is
// CodeUnavailable; the messages say what to do.
func (c *Client) Enroll(ctx context.Context, token string, r EnrollRequest) (*EnrollAnswer, error) {
	body, err := json.Marshal(r)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, requestTimeout)
	defer cancel()
	req, err := c.newRequest(ctx, http.MethodPost, "enroll", strings.NewReader(string(body)), token)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, c.connectionError(err)
	}
	var a EnrollAnswer
	if err := readAnswer(resp, &a); err != nil {
		var ae *APIError
		if errors.As(err, &ae) {
			switch {
			case ae.Status == http.StatusUnauthorized:
				return nil, &handwash.Error{Code: handwash.EUNAUTHORIZED, Err: err,
					Message: "the server refused the enrolment token: it is unknown, revoked, expired or used up. Ask your Handwash administrator for a new one ('handwash admin enroll-token --org NAME')"}
			case ae.Status >= 400 && ae.Status < 500:
				return nil, &handwash.Error{Code: handwash.EINVALID, Err: err, Message: "enrolment refused: " + err.Error()}
			}
		}
		return nil, &handwash.Error{Code: CodeUnavailable, Err: err, Message: "enrolment failed: " + err.Error()}
	}
	if _, _, ok := handwash.ParseCredential(handwash.PrefixDevice, a.Credential.Reveal()); !ok || a.DeviceID == "" {
		return nil, &handwash.Error{Code: CodeUnavailable,
			Message: "the server's enrolment answer has no device ID or device credential: is " + c.base.Host + " a Handwash server of the same version?"}
	}
	return &a, nil
}

// Upload is one spooled snapshot to send.
type Upload struct {
	SnapshotID string
	Digest     string // "sha256:<hex>" of the Facts (handwash.Facts.Digest)
	// CollectedAt dates the snapshot when the server answers from the
	// digest without reading the body; zero to leave it to the server.
	CollectedAt time.Time
	// Open returns the gzip-compressed Facts and their size; it is called
	// again if the body has to be sent again.
	Open func() (io.ReadCloser, int64, error)
}

// UploadAnswer is the server's answer to a successful upload.
type UploadAnswer struct {
	Status     int    `json:"-"`
	SnapshotID string `json:"snapshot_id"`
	Stored     bool   `json:"stored"`
	Duplicate  bool   `json:"duplicate"`
}

// Upload sends one snapshot. The body streams from the spool file as it
// is, already gzip-compressed. It returns an *APIError for an answer other
// than 2xx and a CodeUnavailable error when the server could not be reached.
func (c *Client) Upload(ctx context.Context, u Upload) (*UploadAnswer, error) {
	ctx, cancel := context.WithTimeout(ctx, requestTimeout)
	defer cancel()
	// The transport closes a request body when it is done with it, but
	// possibly after Do has returned; Windows will not delete or move an
	// open file, so every body opened is closed here before returning,
	// and the spool can remove or set aside the file at once.
	var bodies openBodies
	defer bodies.closeAll()
	body, size, err := bodies.open(u.Open)
	if err != nil {
		return nil, err
	}
	req, err := c.newRequest(ctx, http.MethodPost, "snapshots", body, c.credential.Reveal())
	if err != nil {
		return nil, err
	}
	req.ContentLength = size
	req.GetBody = func() (io.ReadCloser, error) {
		r, _, err := bodies.open(u.Open)
		return r, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Content-Encoding", "gzip")
	req.Header.Set("Handwash-Snapshot-Id", u.SnapshotID)
	if u.Digest != "" {
		req.Header.Set("Handwash-Facts-Digest", u.Digest)
		req.Header.Set("Expect", "100-continue")
	}
	if !u.CollectedAt.IsZero() {
		req.Header.Set("Handwash-Collected-At", u.CollectedAt.UTC().Format(time.RFC3339))
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, c.connectionError(err)
	}
	a := &UploadAnswer{}
	if err := readAnswer(resp, a); err != nil {
		return nil, err
	}
	a.Status = resp.StatusCode
	return a, nil
}

// openBodies keeps the request bodies an upload opened, to close them all.
type openBodies struct {
	mu sync.Mutex
	rs []*onceCloser
}

func (b *openBodies) open(open func() (io.ReadCloser, int64, error)) (io.ReadCloser, int64, error) {
	r, n, err := open()
	if err != nil {
		return nil, 0, err
	}
	oc := &onceCloser{ReadCloser: r}
	b.mu.Lock()
	b.rs = append(b.rs, oc)
	b.mu.Unlock()
	return oc, n, nil
}

func (b *openBodies) closeAll() {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, r := range b.rs {
		r.Close()
	}
}

// onceCloser lets both the transport and Upload close a body.
type onceCloser struct {
	io.ReadCloser
	once sync.Once
	err  error
}

func (c *onceCloser) Close() error {
	c.once.Do(func() { c.err = c.ReadCloser.Close() })
	return c.err
}

// Device returns the server's record of this device.
func (c *Client) Device(ctx context.Context) (*handwash.Device, error) {
	req, err := c.newRequest(ctx, http.MethodGet, "device", nil, c.credential.Reveal())
	if err != nil {
		return nil, err
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, c.connectionError(err)
	}
	var d handwash.Device
	if err := readAnswer(resp, &d); err != nil {
		return nil, err
	}
	return &d, nil
}

// connectionError explains a request that got no answer: what failed and
// what to check. Go's errors name the URL, never the headers, so no
// credential can be in them.
func (c *Client) connectionError(err error) error {
	where := c.base.Redacted()
	host := c.base.Host
	var (
		pin      *PinError
		unknown  x509.UnknownAuthorityError
		verify   *tls.CertificateVerificationError
		hostname x509.HostnameError
		invalid  x509.CertificateInvalidError
		recordHd tls.RecordHeaderError
		dns      *net.DNSError
		netErr   net.Error
	)
	var msg string
	switch {
	case errors.Is(err, context.Canceled):
		msg = "stopped before the server answered"
	case errors.As(err, &pin):
		msg = fmt.Sprintf("the server at %s presented a certificate other than the pinned one (it has SHA-256 %s). If the server's certificate was replaced on purpose, enrol again with its new fingerprint; if not, something may be intercepting the connection: tell your IT provider",
			where, FormatFingerprint(pin.Got))
	case errors.As(err, &hostname):
		msg = fmt.Sprintf("the server's certificate is not for %s (%v): use the name the certificate was made for, or pin it with --fingerprint", c.base.Hostname(), hostname.Error())
	case errors.As(err, &invalid):
		msg = fmt.Sprintf("the server's certificate at %s is not valid (%v): ask the server's administrator to renew it", where, invalid.Error())
	case errors.As(err, &unknown), errors.As(err, &verify):
		msg = fmt.Sprintf("this computer does not trust the server's certificate at %s. If the server uses the self-signed certificate 'handwash serve' made, enrol with --fingerprint and the SHA-256 fingerprint it printed", where)
	case errors.As(err, &recordHd) || strings.Contains(err.Error(), "server gave HTTP response to HTTPS client"):
		msg = fmt.Sprintf("%s does not speak HTTPS: check the address and port (handwash serve --http is meant for a reverse proxy in front of it)", host)
	case errors.As(err, &dns):
		msg = fmt.Sprintf("cannot find the server %s (the name lookup failed): check the address is spelt right and that this computer is connected to the network", c.base.Hostname())
	case errors.Is(err, syscall.ECONNREFUSED):
		msg = fmt.Sprintf("nothing answers at %s (connection refused): check that the Handwash server is running and that the port is right", host)
	case errors.As(err, &netErr) && netErr.Timeout():
		msg = fmt.Sprintf("the server at %s did not answer in time: check this computer's network connection and that a firewall lets it reach %s", where, host)
	default:
		msg = fmt.Sprintf("cannot reach the server at %s (%v): check the address and port, that the server is running, and that a firewall lets this computer reach it", where, err)
	}
	return &handwash.Error{Code: CodeUnavailable, Message: RedactCredential(msg), Err: err}
}
