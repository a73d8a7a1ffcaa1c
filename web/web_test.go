package web

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/handwash/handwash"
	"github.com/handwash/handwash/policy"
	"github.com/handwash/handwash/sqlite"
)

// env is a server over a real SQLite store in a temporary directory, with
// a clock the test can move and a record of every secret it has seen, so
// that the logs can be searched for them.
type env struct {
	t     *testing.T
	store *sqlite.DB
	srv   *httptest.Server
	logs  *lockedBuffer
	clock atomic.Int64 // offset from the real time, in nanoseconds

	mu      sync.Mutex
	secrets []string
}

type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// newEnv starts a server; each of with may change its dependencies first.
func newEnv(t *testing.T, with ...func(*Deps)) *env {
	t.Helper()
	return newEnvConfig(t, Config{}, with...)
}

// newEnvConfig starts a server with settings.
func newEnvConfig(t *testing.T, cfg Config, with ...func(*Deps)) *env {
	t.Helper()
	store, err := sqlite.Open(filepath.Join(t.TempDir(), "handwash.db"))
	if err != nil {
		t.Fatal(err)
	}
	cat, err := policy.Default()
	if err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, store: store, logs: &lockedBuffer{}}
	log := slog.New(slog.NewJSONHandler(e.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	deps := Deps{Store: store, Controls: cat, Logger: log, Now: e.now}
	for _, f := range with {
		f(&deps)
	}
	h := NewServer(cfg, deps)
	e.srv = httptest.NewServer(h)
	t.Cleanup(func() {
		e.srv.Close()
		store.Close()
		e.checkLogsHoldNoSecret()
		if t.Failed() {
			t.Logf("server logs:\n%s", e.errorLogs())
		}
	})
	return e
}

func (e *env) now() time.Time { return time.Now().Add(time.Duration(e.clock.Load())) }

// advance moves the server's clock.
func (e *env) advance(d time.Duration) { e.clock.Add(int64(d)) }

// remember records a credential, and its secret part, to look for in logs.
func (e *env) remember(cred string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.secrets = append(e.secrets, cred)
	if i := strings.LastIndexByte(cred, '_'); i > 0 {
		e.secrets = append(e.secrets, cred[i+1:])
	}
}

// errorLogs returns the log lines about errors.
func (e *env) errorLogs() string {
	var out []string
	for _, l := range strings.Split(e.logs.String(), "\n") {
		if strings.Contains(l, `"level":"ERROR"`) || strings.Contains(l, `"level":"WARN"`) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// checkLogsHoldNoSecret fails when any credential or secret issued in the
// test appears in the server's logs.
func (e *env) checkLogsHoldNoSecret() {
	logs := e.logs.String()
	if !strings.Contains(logs, `"msg":"request"`) {
		e.t.Error("the server logged no requests: the secrets check would pass vacuously")
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, s := range e.secrets {
		if strings.Contains(logs, s) {
			e.t.Errorf("the logs hold the secret %q", s)
		}
	}
}

// tenancy is the test's tenants: provider P with organisations A and B,
// and provider Q with organisation C.
type tenancy struct {
	p, q     *handwash.Provider
	a, b, c  *handwash.Org
	siteA    *handwash.Site
	siteB    *handwash.Site
	tokens   map[string]string // name → credential
	tokenIDs map[string]string // name → token ID
}

func (e *env) tenancy() *tenancy {
	e.t.Helper()
	ctx := context.Background()
	tn := &tenancy{tokens: map[string]string{}, tokenIDs: map[string]string{}}
	tn.p = &handwash.Provider{Name: "Careful IT"}
	tn.q = &handwash.Provider{Name: "Other IT"}
	for _, p := range []*handwash.Provider{tn.p, tn.q} {
		if err := e.store.CreateProvider(ctx, p); err != nil {
			e.t.Fatal(err)
		}
	}
	mkOrg := func(p *handwash.Provider, name string) *handwash.Org {
		o := &handwash.Org{Name: name}
		if err := e.store.CreateOrg(ctx, handwash.Scope{ProviderID: p.ID}, o); err != nil {
			e.t.Fatal(err)
		}
		return o
	}
	tn.a = mkOrg(tn.p, "Rose House")
	tn.b = mkOrg(tn.p, "Oak Lodge")
	tn.c = mkOrg(tn.q, "Elm Surgery")
	mkSite := func(o *handwash.Org, name string) *handwash.Site {
		s := &handwash.Site{OrgID: o.ID, Name: name}
		if err := e.store.CreateSite(ctx, handwash.Scope{ProviderID: o.ProviderID}, s); err != nil {
			e.t.Fatal(err)
		}
		return s
	}
	tn.siteA = mkSite(tn.a, "Main building")
	tn.siteB = mkSite(tn.b, "Annexe")

	future := e.now().Add(30 * 24 * time.Hour)
	past := e.now().Add(-time.Hour)
	for _, k := range []struct {
		name    string
		p       *handwash.Provider
		org     *handwash.Org
		role    handwash.Role
		expires *time.Time
		revoke  bool
	}{
		{"P admin", tn.p, nil, handwash.RoleProviderAdmin, &future, false},
		{"P viewer", tn.p, nil, handwash.RoleViewer, &future, false},
		{"A admin", tn.p, tn.a, handwash.RoleOrgAdmin, nil, false},
		{"A viewer", tn.p, tn.a, handwash.RoleViewer, &future, false},
		{"A provider admin", tn.p, tn.a, handwash.RoleProviderAdmin, &future, false},
		{"B admin", tn.p, tn.b, handwash.RoleOrgAdmin, &future, false},
		{"B viewer", tn.p, tn.b, handwash.RoleViewer, &future, false},
		{"Q admin", tn.q, nil, handwash.RoleProviderAdmin, &future, false},
		{"P admin revoked", tn.p, nil, handwash.RoleProviderAdmin, &future, true},
		{"P admin expired", tn.p, nil, handwash.RoleProviderAdmin, &past, false},
	} {
		secret := handwash.NewSecret()
		t := &handwash.APIToken{Name: k.name, Role: k.role, SecretHash: handwash.HashSecret(secret), ExpiresAt: k.expires}
		scope := handwash.Scope{ProviderID: k.p.ID}
		if k.org != nil {
			t.OrgID = k.org.ID
		}
		if err := e.store.CreateAPIToken(ctx, scope, t); err != nil {
			e.t.Fatalf("token %s: %v", k.name, err)
		}
		if k.revoke {
			if err := e.store.RevokeAPIToken(ctx, scope, t.ID); err != nil {
				e.t.Fatal(err)
			}
		}
		cred := handwash.Credential(handwash.PrefixAPIToken, t.ID, secret)
		e.remember(cred)
		tn.tokens[k.name] = cred
		tn.tokenIDs[k.name] = t.ID
	}
	return tn
}

// enrollToken makes an enrolment token for an organisation through the
// store.
func (e *env) enrollToken(o *handwash.Org, uses int, life time.Duration) string {
	e.t.Helper()
	secret := handwash.NewSecret()
	t := &handwash.EnrollToken{OrgID: o.ID, SecretHash: handwash.HashSecret(secret), MaxUses: uses, ExpiresAt: e.now().Add(life)}
	if err := e.store.CreateEnrollToken(context.Background(), handwash.Scope{ProviderID: o.ProviderID}, t); err != nil {
		e.t.Fatal(err)
	}
	cred := handwash.Credential(handwash.PrefixEnrollToken, t.ID, secret)
	e.remember(cred)
	return cred
}

// enroll enrols a device in an organisation through the API and returns
// its ID and credential.
func (e *env) enroll(o *handwash.Org, hostname string) (id, cred string) {
	e.t.Helper()
	res := e.do("POST", "/api/v1/enroll", e.enrollToken(o, 1, time.Hour), map[string]string{"hostname": hostname, "platform": "windows"})
	res.want(http.StatusCreated)
	var out enrollResponse
	res.decode(&out)
	e.remember(out.Credential)
	return out.DeviceID, out.Credential
}

// response is an answer, read in full.
type response struct {
	t      *testing.T
	what   string
	status int
	header http.Header
	body   []byte
}

func (r *response) want(status int) *response {
	r.t.Helper()
	if r.status != status {
		r.t.Fatalf("%s: status %d, want %d: %s", r.what, r.status, status, r.body)
	}
	return r
}

func (r *response) decode(v any) {
	r.t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		r.t.Fatalf("%s: %v: %s", r.what, err, r.body)
	}
}

// errorOf returns the answer's JSON error, failing when it has none.
func (r *response) errorOf() errorDetail {
	r.t.Helper()
	var b errorBody
	if err := json.Unmarshal(r.body, &b); err != nil || b.Error.Code == "" {
		r.t.Fatalf("%s: not a JSON error (%v): %s", r.what, err, r.body)
	}
	if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		r.t.Errorf("%s: Content-Type %q", r.what, ct)
	}
	return b.Error
}

// wantError checks the status, the code, and that the message says
// something about each of words.
func (r *response) wantError(status int, code string, words ...string) {
	r.t.Helper()
	r.want(status)
	got := r.errorOf()
	if got.Code != code {
		r.t.Errorf("%s: code %q, want %q", r.what, got.Code, code)
	}
	for _, w := range words {
		if !strings.Contains(strings.ToLower(got.Message), strings.ToLower(w)) {
			r.t.Errorf("%s: message %q does not mention %q", r.what, got.Message, w)
		}
	}
}

// do sends a request with a credential ("" for none) and a body: nil, a
// []byte sent as is, or a value sent as JSON.
func (e *env) do(method, path, cred string, body any, headers ...string) *response {
	e.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case []byte:
		rd = bytes.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			e.t.Fatal(err)
		}
		rd = bytes.NewReader(j)
	}
	req, err := http.NewRequest(method, e.srv.URL+path, rd)
	if err != nil {
		e.t.Fatal(err)
	}
	if cred != "" {
		req.Header.Set("Authorization", "Bearer "+cred)
	}
	if _, ok := body.([]byte); !ok && body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	res, err := e.srv.Client().Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	return &response{t: e.t, what: method + " " + path, status: res.StatusCode, header: res.Header, body: b}
}

// Recorded Facts from collect's golden tests.
const (
	windowsNeglected = "../collect/testdata/windows/neglected.facts.json"
	windowsWellKept  = "../collect/testdata/windows/well-kept.facts.json"
	linuxWellKept    = "../collect/testdata/linux/well-kept.facts.json"
	macosNeglected   = "../collect/testdata/macos/neglected.facts.json"
)

var collectedAtRE = regexp.MustCompile(`"collected_at": "[^"]*"`)

// facts reads recorded Facts and dates them at, so the server takes them.
func facts(t *testing.T, file string, at time.Time) []byte {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	b = collectedAtRE.ReplaceAllFunc(b, func(m []byte) []byte {
		n++
		if n > 1 {
			return m
		}
		return fmt.Appendf(nil, `"collected_at": %q`, at.UTC().Format(time.RFC3339))
	})
	if n == 0 {
		t.Fatalf("%s has no collected_at", file)
	}
	return b
}

func gzipped(t *testing.T, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(b)
	zw.Close()
	return buf.Bytes()
}

// upload sends Facts as a device, gzip-compressed.
func (e *env) upload(cred, snapshotID string, factsJSON []byte, headers ...string) *response {
	e.t.Helper()
	h := append([]string{"Content-Encoding", "gzip", headerSnapshotID, snapshotID, "Content-Type", "application/json"}, headers...)
	return e.do("POST", "/api/v1/snapshots", cred, gzipped(e.t, factsJSON), h...)
}

// dump is every row of every table of the store, for telling whether a
// request changed anything. Token last-use times are left out: a good
// token's use is recorded even when what it asked for was refused.
func (e *env) dump() string {
	e.t.Helper()
	ctx := context.Background()
	db := e.store.WriteDB()
	rows, err := db.QueryContext(ctx, `SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`)
	if err != nil {
		e.t.Fatal(err)
	}
	var tables []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			e.t.Fatal(err)
		}
		tables = append(tables, name)
	}
	rows.Close()
	var out strings.Builder
	for _, table := range tables {
		rows, err := db.QueryContext(ctx, `SELECT * FROM "`+table+`"`)
		if err != nil {
			e.t.Fatal(err)
		}
		cols, _ := rows.Columns()
		var lines []string
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				e.t.Fatal(err)
			}
			var line strings.Builder
			for i, c := range cols {
				if c == "last_used_at" {
					continue
				}
				fmt.Fprintf(&line, "%s=%v ", c, vals[i])
			}
			lines = append(lines, line.String())
		}
		rows.Close()
		sort.Strings(lines)
		fmt.Fprintf(&out, "%s (%d rows)\n", table, len(lines))
		for _, l := range lines {
			out.WriteString("  " + l + "\n")
		}
	}
	return out.String()
}

// readStoredFacts reads a device's newest Facts back from the store.
func readStoredFacts(e *env, d *handwash.Device) (*handwash.Facts, error) {
	gz, err := e.store.Facts(context.Background(), d.ID, d.FactsDigest)
	if err != nil {
		return nil, err
	}
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		return nil, err
	}
	var f handwash.Facts
	return &f, json.NewDecoder(zr).Decode(&f)
}
