package dashboard_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/handwash/handwash"
	"github.com/handwash/handwash/dashboard"
	"github.com/handwash/handwash/internal/passhash"
	"github.com/handwash/handwash/internal/totp"
	"github.com/handwash/handwash/judge"
	"github.com/handwash/handwash/policy"
	"github.com/handwash/handwash/sqlite"
)

// clock is a settable clock for the dashboard, so tests can move past
// timeouts and throttling windows without sleeping.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// person is a user with a password, and a TOTP secret when they have
// multi-factor authentication set up.
type person struct {
	user     *handwash.User
	password string
	secret   string
}

// world is a dashboard over a real SQLite store holding one provider with
// two organisations (Rose House and Oak Lodge), their people and devices
// judged from recorded Facts.
type world struct {
	t     *testing.T
	store *sqlite.DB
	cat   *policy.Catalogue
	clock *clock
	srv   *httptest.Server
	// handler is the dashboard itself, for requests from other addresses.
	handler http.Handler
	// stored counts the dashboard's calls to wake the judge.
	stored atomic.Int32
	// notified counts the dashboard's calls to wake the notifier.
	notified atomic.Int32

	provider                    *handwash.Provider
	rose, oak                   *handwash.Org
	providerAdmin, roseAdmin    person
	roseViewer, newAdmin        person
	oakAdmin                    person
	roseWindows, roseMac, oakPC *handwash.Device
}

func newWorld(t *testing.T) *world {
	t.Helper()
	return newWorldWith(t, dashboard.Config{})
}

// newWorldWith is newWorld with the dashboard's settings given (cookies
// are always insecure, for plain HTTP).
func newWorldWith(t *testing.T, cfg dashboard.Config, deps ...func(*dashboard.Deps)) *world {
	t.Helper()
	store, err := sqlite.Open(filepath.Join(t.TempDir(), "handwash.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	cat, err := policy.Default()
	if err != nil {
		t.Fatal(err)
	}
	w := &world{t: t, store: store, cat: cat, clock: &clock{t: time.Now().UTC().Truncate(time.Second)}}
	ctx := context.Background()
	w.provider = &handwash.Provider{Name: "Careful IT"}
	must(t, store.CreateProvider(ctx, w.provider))
	scope := handwash.Scope{ProviderID: w.provider.ID}
	w.rose = &handwash.Org{Name: "Rose House"}
	w.oak = &handwash.Org{Name: "Oak Lodge"}
	must(t, store.CreateOrg(ctx, scope, w.rose))
	must(t, store.CreateOrg(ctx, scope, w.oak))

	w.providerAdmin = w.person("sam@careful-it.example", "Sam Patel", handwash.RoleProviderAdmin, "", true)
	w.roseAdmin = w.person("jo@rosehouse.example", "Jo Brown", handwash.RoleOrgAdmin, w.rose.ID, true)
	w.roseViewer = w.person("ali@rosehouse.example", "Ali Khan", handwash.RoleViewer, w.rose.ID, false)
	w.newAdmin = w.person("new@rosehouse.example", "Nia Jones", handwash.RoleOrgAdmin, w.rose.ID, false)
	w.oakAdmin = w.person("kim@oaklodge.example", "Kim Lee", handwash.RoleOrgAdmin, w.oak.ID, true)

	w.roseWindows = w.device(w.rose, "RECEPTION-PC", "../collect/testdata/windows/neglected.facts.json")
	w.roseMac = w.device(w.rose, "office-mac", "../collect/testdata/macos/well-kept.facts.json")
	w.oakPC = w.device(w.oak, "OAK-PC-1", "../collect/testdata/windows/well-kept.facts.json")

	cfg.InsecureCookies = true
	d := dashboard.Deps{Store: store, Catalogue: cat, Now: w.clock.now,
		Stored: func() { w.stored.Add(1) }, Notified: func() { w.notified.Add(1) }}
	for _, f := range deps {
		f(&d)
	}
	h, err := dashboard.New(cfg, d)
	if err != nil {
		t.Fatal(err)
	}
	w.handler = h
	w.srv = httptest.NewServer(h)
	t.Cleanup(w.srv.Close)
	return w
}

func (w *world) person(email, name string, role handwash.Role, orgID string, mfa bool) person {
	w.t.Helper()
	ctx := context.Background()
	u := &handwash.User{Email: email, Name: name, Role: role, OrgID: orgID}
	must(w.t, w.store.CreateUser(ctx, handwash.Scope{ProviderID: w.provider.ID}, u))
	p := person{user: u, password: "correct horse battery " + name}
	hash, err := passhash.Hash(p.password)
	must(w.t, err)
	must(w.t, w.store.SetPassword(ctx, u.ID, hash, w.clock.now()))
	if mfa {
		p.secret, err = totp.NewSecret()
		must(w.t, err)
		_, hashed, err := passhash.NewRecoveryCodes(passhash.RecoveryCodeCount)
		must(w.t, err)
		must(w.t, w.store.SetMFA(ctx, u.ID, p.secret, hashed))
	}
	return p
}

// device enrols a device in org and stores an assessment of the recorded
// Facts, as the server would after its first upload.
func (w *world) device(org *handwash.Org, hostname, factsFile string) *handwash.Device {
	w.t.Helper()
	ctx := context.Background()
	scope := handwash.Scope{ProviderID: w.provider.ID}
	secret := handwash.NewSecret()
	tok := &handwash.EnrollToken{OrgID: org.ID, SecretHash: handwash.HashSecret(secret), MaxUses: 1, ExpiresAt: time.Now().Add(time.Hour)}
	must(w.t, w.store.CreateEnrollToken(ctx, scope, tok))
	b, err := os.ReadFile(factsFile)
	must(w.t, err)
	var f handwash.Facts
	must(w.t, json.Unmarshal(b, &f))
	d := &handwash.Device{ID: handwash.NewID("dev"), Hostname: hostname, Platform: f.Device.Platform, SecretHash: handwash.HashSecret(handwash.NewSecret())}
	must(w.t, w.store.Enroll(ctx, tok.ID, handwash.HashSecret(secret), time.Now(), d))
	digest := f.Digest()
	now := time.Now()
	d.LastSeenAt, d.FactsDigest = &now, digest
	sn := &handwash.Snapshot{ID: "s1", DeviceID: d.ID, CollectedAt: now, ReceivedAt: now, Digest: digest}
	_, err = w.store.PutSnapshot(ctx, d, sn, gzipped(w.t, b))
	must(w.t, err)
	a := judge.Evaluate(w.cat, d, &f, nil, now)
	must(w.t, w.store.PutAssessment(ctx, d.ID, digest, a))
	got, err := w.store.Device(ctx, scope, d.ID)
	must(w.t, err)
	return got
}

// browser is a client with its own cookies that does not follow
// redirects, so tests see each step.
type browser struct {
	t      *testing.T
	w      *world
	client *http.Client
	// csrf is the form token of the last page read.
	csrf string
}

func (w *world) browser() *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{t: w.t, w: w, client: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
}

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// get fetches a page and returns its status, body and redirect target.
func (b *browser) get(path string) (int, string, string) {
	b.t.Helper()
	return b.do(http.MethodGet, path, nil)
}

// post submits a form; the page's form token is added unless the form
// sets "csrf" itself.
func (b *browser) post(path string, form url.Values) (int, string, string) {
	b.t.Helper()
	sent := url.Values{}
	for k, v := range form {
		sent[k] = v
	}
	if _, ok := form["csrf"]; !ok && b.csrf != "" {
		sent.Set("csrf", b.csrf)
	}
	return b.do(http.MethodPost, path, sent)
}

func (b *browser) do(method, path string, form url.Values, headers ...string) (int, string, string) {
	b.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, b.w.srv.URL+path, body)
	must(b.t, err)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	res, err := b.client.Do(req)
	must(b.t, err)
	defer res.Body.Close()
	page, err := io.ReadAll(res.Body)
	must(b.t, err)
	if m := csrfField.FindSubmatch(page); m != nil {
		b.csrf = string(m[1])
	}
	return res.StatusCode, string(page), res.Header.Get("Location")
}

// signIn signs a person in completely (with their code when they have
// MFA) and fails the test otherwise.
func (b *browser) signIn(p person) {
	b.t.Helper()
	status, page, loc := b.post("/signin", url.Values{"email": {p.user.Email}, "password": {p.password}, "next": {"/"}})
	if status != http.StatusSeeOther {
		b.t.Fatalf("sign in as %s: %d, want 303: %s", p.user.Email, status, text(page))
	}
	if p.secret == "" {
		return
	}
	if !strings.HasPrefix(loc, "/signin/code") {
		b.t.Fatalf("sign in as %s went to %q, want the code page", p.user.Email, loc)
	}
	b.get(loc)
	code, err := totp.Code(p.secret, b.w.clock.now())
	must(b.t, err)
	if status, page, _ := b.post("/signin/code", url.Values{"code": {code}, "next": {"/"}}); status != http.StatusSeeOther {
		b.t.Fatalf("code for %s: %d, want 303: %s", p.user.Email, status, text(page))
	}
}

var tags = regexp.MustCompile(`(?s)<[^>]*>`)
var spaces = regexp.MustCompile(`\s+`)

// text is a page's visible text, roughly, for messages and contains checks.
func text(page string) string {
	return strings.TrimSpace(spaces.ReplaceAllString(tags.ReplaceAllString(page, " "), " "))
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func gzipped(t testing.TB, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	_, err := zw.Write(b)
	must(t, err)
	must(t, zw.Close())
	return buf.Bytes()
}

// response is a whole answer, headers included.
type response struct {
	status int
	header http.Header
	body   string
}

// raw fetches a path and returns the whole answer.
func (b *browser) raw(path string) response {
	b.t.Helper()
	res, err := b.client.Get(b.w.srv.URL + path)
	must(b.t, err)
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	must(b.t, err)
	return response{res.StatusCode, res.Header, string(body)}
}
