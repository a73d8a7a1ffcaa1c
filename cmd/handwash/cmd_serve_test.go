package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"runtime/debug"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/handwash/handwash"
	"github.com/handwash/handwash/postgres/pgtest"
)

// realClock makes the CLI's clock the real one for a test: the server
// judges by the real time, so what admin makes must too.
func realClock(t *testing.T) {
	old := now
	now = time.Now
	t.Cleanup(func() { now = old })
}

type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// serving is a handwash serve running in the test process.
type serving struct {
	url, fingerprint string
	stdout, stderr   *syncBuffer
	stop             func() int
}

var listeningRE = regexp.MustCompile(`listening on (https?://[^ ]+) `)

// serve starts handwash serve with args and waits until it listens.
func serve(t *testing.T, args ...string) *serving {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	s := &serving{stdout: &syncBuffer{}, stderr: &syncBuffer{}}
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, append([]string{"serve"}, args...), strings.NewReader(""), s.stdout, s.stderr)
	}()
	stopped := false
	s.stop = func() int {
		if stopped {
			return 0
		}
		stopped = true
		cancel()
		select {
		case code := <-done:
			return code
		case <-time.After(20 * time.Second):
			t.Fatalf("serve did not stop within 20 seconds:\n%s", s.stderr)
			return -1
		}
	}
	t.Cleanup(func() { s.stop() })
	deadline := time.Now().Add(20 * time.Second)
	for {
		if m := listeningRE.FindStringSubmatch(s.stdout.String()); m != nil {
			s.url = m[1]
			break
		}
		select {
		case code := <-done:
			t.Fatalf("serve exited %d:\n%s%s", code, s.stdout, s.stderr)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("serve did not start:\n%s%s", s.stdout, s.stderr)
		}
		time.Sleep(10 * time.Millisecond)
	}
	if m := regexp.MustCompile(`fingerprint[^\n]*\n  ([0-9A-F:]{95})\n`).FindStringSubmatch(s.stdout.String()); m != nil {
		s.fingerprint = m[1]
	}
	return s
}

// admin runs handwash admin --format json and decodes its output.
func admin(t *testing.T, data string, out any, args ...string) {
	t.Helper()
	code, stdout, stderr := handwashRun(t, "", append([]string{"admin", "--data", data, "--format", "json"}, args...)...)
	if code != exitOK {
		t.Fatalf("admin %v: exit %d: %s", args, code, stderr)
	}
	if out != nil {
		if err := json.Unmarshal([]byte(stdout), out); err != nil {
			t.Fatalf("admin %v: %v\n%s", args, err, stdout)
		}
	}
}

// pinnedClient trusts only the certificate with this fingerprint.
func pinnedClient(fingerprint string) *http.Client {
	return &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{
		InsecureSkipVerify: true, // replaced by the pin below
		VerifyConnection: func(cs tls.ConnectionState) error {
			if certFingerprint(cs.PeerCertificates[0].Raw) != fingerprint {
				return fmt.Errorf("not the pinned certificate")
			}
			return nil
		},
	}}}
}

func get(t *testing.T, c *http.Client, url, cred string, out any) int {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	if cred != "" {
		req.Header.Set("Authorization", "Bearer "+cred)
	}
	res, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if out != nil && res.StatusCode == http.StatusOK {
		if err := json.Unmarshal(b, out); err != nil {
			t.Fatalf("GET %s: %v: %s", url, err, b)
		}
	}
	return res.StatusCode
}

// The end-to-end test on loopback: a server and two agents. They
// enrol, upload, and their findings can be read through the API. Then the
// server stops, the agents collect into their spools, the server starts
// again, and every snapshot arrives exactly once.
func TestServeEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("collects this machine's Facts several times")
	}
	realClock(t)
	data := t.TempDir()
	srv := serve(t, "--data", data, "--listen", "127.0.0.1:0")
	if srv.fingerprint == "" || !strings.HasPrefix(srv.url, "https://127.0.0.1:") {
		t.Fatalf("serve printed:\n%s", srv.stdout)
	}
	if !strings.Contains(srv.stdout.String(), "handwash admin --data") {
		t.Errorf("serve does not say how to make the first administrator:\n%s", srv.stdout)
	}
	client := pinnedClient(srv.fingerprint)
	defer client.CloseIdleConnections()

	var p handwash.Provider
	admin(t, data, &p, "provider", "create", "Careful IT")
	var tok struct{ Credential string }
	admin(t, data, &tok, "token", "create", "--provider", p.ID, "--role", "provider_admin", "--name", "test")
	var org handwash.Org
	admin(t, data, &org, "org", "create", "--provider", "Careful IT", "Rose House")
	var et struct{ Credential string }
	admin(t, data, &et, "enroll-token", "--org", "Rose House", "--uses", "2")

	agents := make([]string, 2)
	for i := range agents {
		agents[i] = filepath.Join(t.TempDir(), "agent.json")
		code, out, errOut := handwashRun(t, "", "agent", "enroll", "--server", srv.url, "--token", et.Credential, "--fingerprint", srv.fingerprint, "--config", agents[i])
		if code != exitOK {
			t.Fatalf("agent %d enroll: exit %d\n%s%s", i, code, out, errOut)
		}
	}
	runAgents := func(wantCode int) {
		t.Helper()
		for i, cfg := range agents {
			if code, out, errOut := handwashRun(t, "", "agent", "run", "--once", "--config", cfg); code != wantCode {
				t.Fatalf("agent %d run --once: exit %d, want %d\n%s%s", i, code, wantCode, out, errOut)
			}
		}
	}
	runAgents(exitOK)

	var devices struct {
		Items []handwash.Device `json:"items"`
		Total int               `json:"total"`
	}
	if s := get(t, client, srv.url+"/api/v1/devices?org="+org.ID, tok.Credential, &devices); s != http.StatusOK || devices.Total != 2 {
		t.Fatalf("devices: %d, %+v", s, devices)
	}
	for _, d := range devices.Items {
		var a handwash.Assessment
		deadline := time.Now().Add(20 * time.Second)
		for get(t, client, srv.url+"/api/v1/devices/"+d.ID+"/assessment", tok.Credential, &a) != http.StatusOK {
			if time.Now().After(deadline) {
				t.Fatalf("device %s not judged:\n%s", d.ID, srv.stderr)
			}
			time.Sleep(50 * time.Millisecond)
		}
		if len(a.Findings) < 40 || string(a.Device.Platform) != collectPlatform() {
			t.Errorf("assessment of %s: %d findings, platform %s", d.ID, len(a.Findings), a.Device.Platform)
		}
	}
	var findings struct{ Total int }
	get(t, client, srv.url+"/api/v1/findings?org="+org.ID, tok.Credential, &findings)
	if findings.Total < 80 {
		t.Errorf("%d findings for two devices", findings.Total)
	}

	// The server stops; the agents collect twice each, into their spools.
	port := strings.TrimPrefix(srv.url, "https://127.0.0.1:")
	if code := srv.stop(); code != exitOK {
		t.Fatalf("serve exited %d:\n%s", code, srv.stderr)
	}
	if !strings.Contains(srv.stderr.String(), "stopped") {
		t.Errorf("serve did not log its stop:\n%s", srv.stderr)
	}
	runAgents(exitInternal)
	runAgents(exitInternal)
	srv2 := serve(t, "--data", data, "--listen", "127.0.0.1:"+port)
	if srv2.fingerprint != srv.fingerprint {
		t.Errorf("the certificate changed on restart: %s, was %s", srv2.fingerprint, srv.fingerprint)
	}
	if strings.Contains(srv2.stdout.String(), "Nobody can use this server yet") {
		t.Error("serve asks for a first administrator again")
	}
	runAgents(exitOK)
	runAgents(exitOK) // nothing left: sends one new collection each

	for _, d := range devices.Items {
		var snaps struct {
			Items []handwash.Snapshot `json:"items"`
		}
		get(t, client, srv2.url+"/api/v1/devices/"+d.ID+"/snapshots", tok.Credential, &snaps)
		ids := map[string]bool{}
		for _, s := range snaps.Items {
			if ids[s.ID] {
				t.Errorf("device %s: snapshot %s stored twice", d.ID, s.ID)
			}
			ids[s.ID] = true
		}
		// One before the stop, two spooled, one after each of two runs.
		if len(snaps.Items) != 5 {
			t.Errorf("device %s has %d snapshots, want 5: %+v", d.ID, len(snaps.Items), snaps.Items)
		}
	}
	for _, o := range []string{srv.stderr.String(), srv2.stderr.String()} {
		for _, secret := range []string{tok.Credential, et.Credential} {
			if strings.Contains(o, secret) {
				t.Error("the server logged a credential")
			}
		}
	}
}

// On first start serve makes a self-signed ECDSA P-256 certificate for
// this machine and loopback, with its key readable by the owner only, and
// prints its fingerprint; later starts use it again.
func TestServeSelfSignedCertificate(t *testing.T) {
	data := t.TempDir()
	srv := serve(t, "--data", data, "--listen", "127.0.0.1:0")
	b, err := os.ReadFile(filepath.Join(data, certFile))
	if err != nil {
		t.Fatal(err)
	}
	block, _ := pem.Decode(b)
	cert, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(cert.Raw)
	if !strings.EqualFold(strings.ReplaceAll(srv.fingerprint, ":", ""), fmt.Sprintf("%x", sum)) {
		t.Errorf("printed fingerprint %s, certificate's %x", srv.fingerprint, sum)
	}
	if cert.PublicKeyAlgorithm != x509.ECDSA || cert.NotAfter.Before(time.Now().AddDate(5, 0, 0)) {
		t.Errorf("certificate: %v key, until %v", cert.PublicKeyAlgorithm, cert.NotAfter)
	}
	for _, name := range []string{"localhost", "127.0.0.1", "::1"} {
		if err := cert.VerifyHostname(name); err != nil {
			t.Errorf("the certificate is not for %s: %v", name, err)
		}
	}
	if host, _ := os.Hostname(); host != "" {
		if err := cert.VerifyHostname(host); err != nil {
			t.Errorf("the certificate is not for this machine's name %s: %v", host, err)
		}
	}
	if runtime.GOOS != "windows" {
		fi, err := os.Stat(filepath.Join(data, keyFile))
		if err != nil || fi.Mode().Perm() != 0o600 {
			t.Errorf("key file: %v, mode %v", err, fi.Mode())
		}
	}
	c := pinnedClient(srv.fingerprint)
	defer c.CloseIdleConnections()
	if s := get(t, c, srv.url+"/healthz", "", nil); s != http.StatusOK {
		t.Errorf("healthz over TLS: %d", s)
	}
	// The dashboard has every path but the API's and the operations
	// endpoints: signed out, it asks people to sign in.
	if s := get(t, c, srv.url+"/signin", "", nil); s != http.StatusOK {
		t.Errorf("dashboard sign-in page over TLS: %d", s)
	}
	if s := get(t, c, srv.url+"/api/v1/nothing", "", nil); s != http.StatusNotFound {
		t.Errorf("an unknown API path: %d, want the API's 404", s)
	}
	// Plain HTTP to the TLS port gets nothing useful.
	if res, err := http.Get(strings.Replace(srv.url, "https", "http", 1) + "/healthz"); err == nil {
		res.Body.Close()
		if res.StatusCode == http.StatusOK {
			t.Error("plain HTTP answered on the TLS port")
		}
	}
	srv.stop()
	srv2 := serve(t, "--data", data, "--listen", "127.0.0.1:0")
	if srv2.fingerprint != srv.fingerprint || strings.Contains(srv2.stdout.String(), "Made a self-signed") {
		t.Errorf("the second start made a new certificate:\n%s", srv2.stdout)
	}
}

// --http serves plain HTTP, and the flags come from the environment too.
func TestServePlainHTTPFromEnvironment(t *testing.T) {
	t.Setenv("HANDWASH_DATA", t.TempDir())
	t.Setenv("HANDWASH_HTTP", "true")
	t.Setenv("HANDWASH_LISTEN", "127.0.0.1:0")
	t.Setenv("HANDWASH_LOG_FORMAT", "json")
	srv := serve(t)
	if !strings.HasPrefix(srv.url, "http://127.0.0.1:") || srv.fingerprint != "" {
		t.Fatalf("serve printed:\n%s", srv.stdout)
	}
	if s := get(t, http.DefaultClient, srv.url+"/readyz", "", nil); s != http.StatusOK {
		t.Errorf("readyz: %d", s)
	}
	res, err := http.Get(srv.url + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	metrics, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Errorf("metrics: %d", res.StatusCode)
	}
	for _, m := range []string{"handwash_uploads_total", "handwash_upload_duration_seconds", `handwash_devices{state="total"}`,
		"handwash_evaluation_queue", "handwash_evaluations_in_progress", "go_goroutines"} {
		if !strings.Contains(string(metrics), m) {
			t.Errorf("/metrics has no %s", m)
		}
	}
	srv.stop()
	if !strings.Contains(srv.stderr.String(), `"msg":"request"`) {
		t.Errorf("no JSON request log:\n%s", srv.stderr)
	}
	if _, err := os.Stat(filepath.Join(os.Getenv("HANDWASH_DATA"), certFile)); err == nil {
		t.Error("--http made a certificate")
	}
}

func TestServeBadFlags(t *testing.T) {
	data := t.TempDir()
	for _, c := range []struct {
		env  []string
		args []string
		want string
	}{
		{nil, []string{"--tls-cert", "c.pem"}, "--tls-key"},
		{nil, []string{"--http", "--tls-cert", "c.pem", "--tls-key", "k.pem"}, "--http"},
		{nil, []string{"--stale-after", "0s"}, "--stale-after"},
		{nil, []string{"--stale-after", "soon"}, "stale-after"},
		{nil, []string{"--listen", "8443"}, "--listen"},
		{nil, []string{"--log-format", "xml"}, "--log-format"},
		{nil, []string{"--database", "mysql://x"}, "--database"},
		{nil, []string{"--tls-cert", "/nonexistent/c.pem", "--tls-key", "/nonexistent/k.pem"}, "/nonexistent/c.pem"},
		{[]string{"HANDWASH_WORKERS", "many"}, nil, "HANDWASH_WORKERS"},
		{[]string{"HANDWASH_DATABASE", "postgres://user:hunter2@db/x", "HANDWASH_WORKERS", "x"}, nil, "HANDWASH_WORKERS"},
		{nil, []string{"--public-url", "handwash.example.org"}, "--public-url"},
		{nil, []string{"--feeds-refresh", "5m"}, "--feeds-refresh"},
		{nil, []string{"--debug-listen", ":6060"}, "--debug-listen :6060: give a loopback address"},
		{nil, []string{"--debug-listen", "192.0.2.1:6060"}, "--debug-listen"},
		{nil, []string{"--backup-max-age", "30m"}, "--backup-max-age 30m0s is too short: give at least 1h and at most 744h (31 days)"},
		{nil, []string{"--backup-max-age", "745h"}, "--backup-max-age 745h0m0s is too long"},
		{nil, []string{"--backup-max-age", "2 days"}, "backup-max-age"},
		{[]string{"HANDWASH_BACKUP_MAX_AGE", "0s"}, nil, "--backup-max-age 0s is too short"},
		{[]string{"HANDWASH_BACKUP_MAX_AGE", "a week"}, nil, "HANDWASH_BACKUP_MAX_AGE"},
		{nil, []string{"--smtp-from", "alerts@example.org"}, "--smtp-host"},
		{nil, []string{"--smtp-host", "smtp.example.org"}, "from"},
		{nil, []string{"--smtp-host", "smtp.example.org", "--smtp-from", "a@example.org", "--smtp-tls", "none"}, "tls"},
		{[]string{"HANDWASH_SMTP_PASSWORD", "hunter2"}, []string{"--smtp-host", "smtp.example.org", "--smtp-username", "u", "--smtp-from", "not an address"}, "from"},
		{nil, []string{"--smtp-host", "smtp.example.org", "--smtp-from", "a@example.org", "--smtp-password-file", "/nonexistent/pw"}, "--smtp-password-file"},
	} {
		t.Run(strings.Join(append(c.env, c.args...), " "), func(t *testing.T) {
			for i := 0; i+1 < len(c.env); i += 2 {
				t.Setenv(c.env[i], c.env[i+1])
			}
			code, _, errOut := handwashRun(t, "", append([]string{"serve", "--data", data, "--listen", "127.0.0.1:0"}, c.args...)...)
			if code != exitUsage || !strings.Contains(errOut, c.want) {
				t.Errorf("exit %d, want %d naming %s:\n%s", code, exitUsage, c.want, errOut)
			}
			if strings.Contains(errOut, "hunter2") {
				t.Error("the database password was printed")
			}
		})
	}
}

func TestServeHelpListsEveryEnvironmentVariable(t *testing.T) {
	for _, cmd := range [][]string{{"serve"}, {"admin"}} {
		code, out, _ := handwashRun(t, "", append(cmd, "--help")...)
		if code != exitOK {
			t.Fatalf("%v --help: exit %d", cmd, code)
		}
		names := serveFlags
		if cmd[0] == "admin" {
			names = adminFlags
		}
		for _, f := range names {
			if !strings.Contains(out, "--"+f) || !strings.Contains(out, envName(f)) {
				t.Errorf("%v --help does not explain --%s and %s", cmd, f, envName(f))
			}
		}
		if !strings.Contains(out, "Exit codes") {
			t.Errorf("%v --help has no exit codes", cmd)
		}
	}
}

func TestAdmin(t *testing.T) {
	realClock(t)
	data := t.TempDir()
	run := func(args ...string) (int, string, string) {
		t.Helper()
		return handwashRun(t, "", append([]string{"admin", "--data", data}, args...)...)
	}
	var p handwash.Provider
	admin(t, data, &p, "provider", "create", "Careful IT")
	var org handwash.Org
	admin(t, data, &org, "org", "create", "--provider", p.ID, "Rose House")
	var site handwash.Site
	admin(t, data, &site, "site", "create", "--org", "rose house", "Main building")
	var u handwash.User
	admin(t, data, &u, "user", "create", "--provider", "Careful IT", "--org", org.ID, "--role", "org_admin", "--email", "jo@rose.example", "--name", "Jo")
	if u.OrgID != org.ID || u.Role != handwash.RoleOrgAdmin {
		t.Errorf("user: %+v", u)
	}
	var tok struct {
		handwash.APIToken
		Credential string
	}
	admin(t, data, &tok, "token", "create", "--provider", p.ID, "--org", "Rose House", "--role", "viewer", "--name", "dashboard", "--expires", "48h")
	if !strings.HasPrefix(tok.Credential, "hwt_"+tok.ID+"_") || tok.ExpiresAt == nil || time.Until(*tok.ExpiresAt) > 49*time.Hour {
		t.Errorf("token: %+v", tok)
	}

	// The lists, in text.
	for _, c := range []struct {
		args []string
		want []string
	}{
		{[]string{"provider", "list"}, []string{p.ID, "Careful IT"}},
		{[]string{"org", "list"}, []string{org.ID, "Rose House", "Careful IT"}},
		{[]string{"site", "list", "--org", org.ID}, []string{site.ID, "Main building"}},
		{[]string{"user", "list"}, []string{u.ID, "jo@rose.example", "org_admin"}},
		{[]string{"token", "list"}, []string{tok.ID, "dashboard", "viewer"}},
	} {
		code, out, errOut := run(c.args...)
		if code != exitOK {
			t.Errorf("%v: exit %d: %s", c.args, code, errOut)
		}
		for _, w := range c.want {
			if !strings.Contains(out, w) {
				t.Errorf("%v lacks %q:\n%s", c.args, w, out)
			}
		}
		if strings.Contains(out, tok.Credential) {
			t.Errorf("%v shows a credential", c.args)
		}
	}

	// The enrolment token, with the commands for each platform, and the
	// fingerprint of the data directory's certificate.
	fp := serve(t, "--data", data, "--listen", "127.0.0.1:0").fingerprint
	code, out, errOut := run("enroll-token", "--org", "Rose House", "--site", "Main building", "--uses", "5", "--expires", "2h", "--server", "https://handwash.example:8443")
	if code != exitOK {
		t.Fatalf("enroll-token: exit %d: %s", code, errOut)
	}
	cred := regexp.MustCompile(`hwe_enr_[a-z0-9]+_[a-z0-9]+`).FindString(out)
	for _, w := range []string{cred, "Windows", "macOS", "Linux", `.\handwash.exe agent enroll --server https://handwash.example:8443 --token ` + cred + " --fingerprint " + fp, "sudo handwash agent install", "5 use(s)"} {
		if cred == "" || !strings.Contains(out, w) {
			t.Errorf("enroll-token lacks %q:\n%s", w, out)
		}
	}
	code, out, _ = run("enroll-token", "list", "--org", org.ID)
	if code != exitOK || !strings.Contains(out, "0/5") || !strings.Contains(out, site.ID) || strings.Contains(out, cred) {
		t.Errorf("enroll-token list: exit %d\n%s", code, out)
	}
	code, out, _ = run("token", "revoke", tok.ID)
	if code != exitOK || !strings.Contains(out, "Revoked") {
		t.Errorf("token revoke: exit %d\n%s", code, out)
	}

	// Bad input names the flag and exits 2.
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"org", "create", "Orphan"}, "--provider"},
		{[]string{"org", "create", "--provider", "Nobody", "Orphan"}, "--provider"},
		{[]string{"site", "create", "--org", "Nowhere", "X"}, "--org"},
		{[]string{"user", "create", "--provider", p.ID, "--role", "emperor", "--email", "a@b.example", "--name", "A"}, "--role"},
		{[]string{"user", "create", "--provider", p.ID, "--role", "viewer", "--email", "nobody", "--name", "A"}, "--email"},
		{[]string{"token", "create", "--provider", p.ID, "--role", "org_admin", "--name", "x"}, "--org"},
		{[]string{"token", "create", "--provider", p.ID, "--role", "viewer", "--name", "x", "--expires", "-1h"}, "--expires"},
		{[]string{"enroll-token", "--org", org.ID, "--uses", "0"}, "--uses"},
		{[]string{"enroll-token", "--org", org.ID, "--expires", "9000h"}, "--expires"},
		{[]string{"enroll-token", "--org", org.ID, "--site", "Attic"}, "--site"},
		{[]string{"enroll-token"}, "--org"},
		{[]string{"provider", "delete"}, "delete"},
		{[]string{"frobnicate"}, "frobnicate"},
		{[]string{"--format", "yaml", "provider", "list"}, "--format"},
	} {
		code, _, errOut := run(c.args...)
		if code != exitUsage || !strings.Contains(errOut, c.want) {
			t.Errorf("admin %v: exit %d, want 2 naming %s:\n%s", c.args, code, c.want, errOut)
		}
	}
}

// --database postgres://… runs the same on PostgreSQL, and admin works on
// the same database.
func TestServePostgreSQL(t *testing.T) {
	dsn := pgtest.Schema(t)
	srv := serve(t, "--database", dsn, "--http", "--listen", "127.0.0.1:0", "--data", t.TempDir())
	if s := get(t, http.DefaultClient, srv.url+"/readyz", "", nil); s != http.StatusOK {
		t.Errorf("readyz: %d", s)
	}
	if !strings.Contains(srv.stdout.String(), `--database "$HANDWASH_DATABASE"`) {
		t.Errorf("the first steps do not use the database:\n%s", srv.stdout)
	}
	code, out, errOut := handwashRun(t, "", "admin", "--database", dsn, "provider", "create", "Careful IT")
	if code != exitOK || !strings.Contains(out, "Created provider") {
		t.Fatalf("admin on PostgreSQL: exit %d\n%s%s", code, out, errOut)
	}
	if code := srv.stop(); code != exitOK {
		t.Errorf("serve exited %d:\n%s", code, srv.stderr)
	}
}

// TestServeTunesGC: serve collects garbage half as often as Go's default,
// unless GOGC in its environment says otherwise.
func TestServeTunesGC(t *testing.T) {
	before := debug.SetGCPercent(100)
	defer debug.SetGCPercent(before)

	if got := tuneGC(func(string) string { return "" }); got != serverGCPercent {
		t.Fatalf("without GOGC: set %d, want %d", got, serverGCPercent)
	}
	if now := debug.SetGCPercent(100); now != serverGCPercent {
		t.Fatalf("without GOGC the collector is at %d, want %d", now, serverGCPercent)
	}
	env := func(k string) string {
		if k == "GOGC" {
			return "50"
		}
		return ""
	}
	if got := tuneGC(env); got != 0 {
		t.Fatalf("with GOGC=50: set %d, want nothing", got)
	}
	if now := debug.SetGCPercent(100); now != 100 {
		t.Fatalf("with GOGC=50 the collector was changed to %d", now)
	}
}
