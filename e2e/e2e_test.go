// Package e2e tests Handwash end to end, as people run it: the handwash
// binary built from this checkout, a server on loopback, administrators'
// commands, and agents enrolling and uploading.
package e2e

import (
	"bufio"
	"bytes"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/handwash/handwash/agent"
)

// bin is the handwash binary the tests run, built once by TestMain.
var bin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "handwash-e2e")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	bin = filepath.Join(dir, "handwash")
	build := exec.Command("go", "build", "-o", bin, "../cmd/handwash")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "building handwash:", err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// run runs the handwash binary and returns what it printed; it fails the test
// on a non-zero exit unless allowFail.
func run(t *testing.T, allowFail bool, args ...string) (string, int) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := cmd.ProcessState.ExitCode()
	if err != nil && !allowFail {
		t.Fatalf("handwash %s: %v\nstdout: %s\nstderr: %s", strings.Join(args, " "), err, out.String(), errb.String())
	}
	return out.String(), code
}

// server is a running `handwash serve`.
type server struct {
	t    *testing.T
	cmd  *exec.Cmd
	url  string
	data string
	log  *bytes.Buffer
	mu   *sync.Mutex
	done chan struct{}
	// fingerprint is the certificate's SHA-256 fingerprint as serve
	// printed it, when it serves HTTPS with its own certificate.
	fingerprint string
	// client reaches the server: pinned to its certificate over HTTPS.
	client *http.Client
}

// freePort finds a loopback port nobody listens on, so a restarted server
// can come back at the address the agents were given.
func freePort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

var (
	listening       = regexp.MustCompile(`listening on (https?://\S+)`)
	fingerprintLine = regexp.MustCompile(`^\s*((?:[0-9A-F]{2}:){31}[0-9A-F]{2})\s*$`)
)

// startServer starts `handwash serve --http` on addr with data in dir and
// waits until it answers /readyz.
func startServer(t *testing.T, dir, addr string) *server {
	t.Helper()
	return startServerArgs(t, dir, addr)
}

// startServerArgs is startServer with more serve flags (--database).
func startServerArgs(t *testing.T, dir, addr string, extra ...string) *server {
	t.Helper()
	return launch(t, dir, addr, append([]string{"--http"}, extra...))
}

// startServerTLS starts serve over HTTPS with the self-signed certificate
// it makes on first start, as on a fresh machine; the server's client pins
// the fingerprint serve prints, as agents do with --fingerprint.
func startServerTLS(t *testing.T, dir, addr string, extra ...string) *server {
	t.Helper()
	return launch(t, dir, addr, extra)
}

// launch starts serve with args and waits until it answers /readyz.
func launch(t *testing.T, dir, addr string, args []string) *server {
	t.Helper()
	s := &server{t: t, data: dir, log: &bytes.Buffer{}, mu: &sync.Mutex{}, done: make(chan struct{}), client: http.DefaultClient}
	s.cmd = exec.Command(bin, append([]string{"serve", "--listen", addr, "--data", dir}, args...)...)
	stdout, err := s.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	s.cmd.Stderr = &lockedWriter{w: s.log, mu: s.mu}
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// The banner: the address, and over HTTPS the fingerprint on a line
	// of its own just after it.
	type banner struct{ url, fingerprint string }
	banners := make(chan banner, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		var b banner
		for sc.Scan() {
			if m := listening.FindStringSubmatch(sc.Text()); m != nil && b.url == "" {
				b.url = m[1]
				if strings.HasPrefix(b.url, "http:") {
					banners <- b
				}
			}
			if m := fingerprintLine.FindStringSubmatch(sc.Text()); m != nil && b.url != "" && b.fingerprint == "" {
				b.fingerprint = m[1]
				banners <- b
			}
		}
	}()
	go func() { s.cmd.Wait(); close(s.done) }()
	select {
	case b := <-banners:
		s.url, s.fingerprint = b.url, b.fingerprint
	case <-s.done:
		t.Fatalf("server exited at start:\n%s", s.logs())
	case <-time.After(20 * time.Second):
		t.Fatalf("server did not start:\n%s", s.logs())
	}
	if s.fingerprint != "" {
		s.client = &http.Client{Transport: &http.Transport{TLSClientConfig: pinnedTLS(t, s.fingerprint)}}
		t.Cleanup(s.client.CloseIdleConnections)
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		resp, err := s.client.Get(s.url + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("server not ready: %v\n%s", err, s.logs())
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Cleanup(func() { s.kill() })
	return s
}

// pinnedTLS trusts the one certificate whose SHA-256 fingerprint serve
// printed, as the agent's --fingerprint does.
func pinnedTLS(t *testing.T, fingerprint string) *tls.Config {
	t.Helper()
	pin, err := agent.ParseFingerprint(fingerprint)
	if err != nil {
		t.Fatal(err)
	}
	return agent.TLSConfig(pin)
}

func (s *server) logs() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.log.String()
}

// stop ends the server as an operator does, with SIGTERM, and waits.
func (s *server) stop() {
	s.t.Helper()
	s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.done:
	case <-time.After(40 * time.Second):
		s.t.Fatalf("server did not stop on SIGTERM:\n%s", s.logs())
	}
}

// kill ends the server at once, as a crash or power cut would.
func (s *server) kill() {
	s.cmd.Process.Kill()
	<-s.done
}

type lockedWriter struct {
	w  io.Writer
	mu *sync.Mutex
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// api calls the server's API with a credential and decodes the answer.
func api(t *testing.T, method, url, credential string, body, out any) int {
	t.Helper()
	var r io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, url, r)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+credential)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if out != nil && resp.StatusCode < 300 {
		if err := json.Unmarshal(b, out); err != nil {
			t.Fatalf("%s %s: %v: %s", method, url, err, b)
		}
	}
	return resp.StatusCode
}

// tenancy is what an IT provider sets up with `handwash admin` before
// any agent can enrol.
type tenancy struct {
	providerID, orgID string
	adminToken        string
	enrollToken       string
}

var (
	credentialRe = regexp.MustCompile(`hw[te]_[a-z0-9_]+`)
	idRe         = func(prefix string) *regexp.Regexp { return regexp.MustCompile(prefix + `_[a-z0-9]+`) }
)

// setUp creates a provider, an administrator token, an organisation and an
// enrolment token with the admin commands, on the server's data directory.
func setUp(t *testing.T, data string, uses int) tenancy {
	t.Helper()
	return setUpArgs(t, data, uses)
}

// setUpArgs is setUp with the server's database flags (--database).
func setUpArgs(t *testing.T, data string, uses int, db ...string) tenancy {
	t.Helper()
	admin := func(args ...string) string {
		out, _ := run(t, false, append(append([]string{"admin", "--data", data}, db...), args...)...)
		return out
	}
	var tn tenancy
	out := admin("provider", "create", "Careful IT Ltd")
	tn.providerID = idRe("prov").FindString(out)
	out = admin("token", "create", "--provider", tn.providerID, "--role", "provider_admin", "--name", "e2e")
	tn.adminToken = credentialRe.FindString(out)
	out = admin("org", "create", "--provider", tn.providerID, "Rose House Care Home")
	tn.orgID = idRe("org").FindString(out)
	out = admin("enroll-token", "--org", tn.orgID, "--uses", fmt.Sprint(uses))
	tn.enrollToken = credentialRe.FindString(out)
	if tn.providerID == "" || tn.orgID == "" || !strings.HasPrefix(tn.adminToken, "hwt_") || !strings.HasPrefix(tn.enrollToken, "hwe_") {
		t.Fatalf("admin commands gave %+v", tn)
	}
	return tn
}

type snapshot struct {
	ID string `json:"id"`
}
