// Package e2e tests Handwash end to end, as people run it: the handwash
// binary built from this checkout, a server on loopback, administrators'
// commands, and agents enrolling and uploading.
package e2e

import (
	"bufio"
	"bytes"
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

var listening = regexp.MustCompile(`listening on (http://\S+)`)

// startServer starts `handwash serve --http` on addr with data in dir and
// waits until it answers /readyz.
func startServer(t *testing.T, dir, addr string) *server {
	t.Helper()
	s := &server{t: t, data: dir, log: &bytes.Buffer{}, mu: &sync.Mutex{}, done: make(chan struct{})}
	s.cmd = exec.Command(bin, "serve", "--http", "--listen", addr, "--data", dir)
	stdout, err := s.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	s.cmd.Stderr = &lockedWriter{w: s.log, mu: s.mu}
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	urls := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if m := listening.FindStringSubmatch(sc.Text()); m != nil {
				select {
				case urls <- m[1]:
				default:
				}
			}
		}
	}()
	go func() { s.cmd.Wait(); close(s.done) }()
	select {
	case s.url = <-urls:
	case <-s.done:
		t.Fatalf("server exited at start:\n%s", s.logs())
	case <-time.After(20 * time.Second):
		t.Fatalf("server did not start:\n%s", s.logs())
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		resp, err := http.Get(s.url + "/readyz")
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
	var tn tenancy
	out, _ := run(t, false, "admin", "--data", data, "provider", "create", "Careful IT Ltd")
	tn.providerID = idRe("prov").FindString(out)
	out, _ = run(t, false, "admin", "--data", data, "token", "create", "--provider", tn.providerID, "--role", "provider_admin", "--name", "e2e")
	tn.adminToken = credentialRe.FindString(out)
	out, _ = run(t, false, "admin", "--data", data, "org", "create", "--provider", tn.providerID, "Rose House Care Home")
	tn.orgID = idRe("org").FindString(out)
	out, _ = run(t, false, "admin", "--data", data, "enroll-token", "--org", tn.orgID, "--uses", fmt.Sprint(uses))
	tn.enrollToken = credentialRe.FindString(out)
	if tn.providerID == "" || tn.orgID == "" || !strings.HasPrefix(tn.adminToken, "hwt_") || !strings.HasPrefix(tn.enrollToken, "hwe_") {
		t.Fatalf("admin commands gave %+v", tn)
	}
	return tn
}

type device struct {
	ID       string `json:"id"`
	Hostname string `json:"hostname"`
	Score    int    `json:"score"`
}

type snapshot struct {
	ID string `json:"id"`
}

// waitJudged waits until every device in the organisation has a score.
func waitJudged(t *testing.T, url, token string, want int) []device {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		var list struct {
			Items []device `json:"items"`
			Total int      `json:"total"`
		}
		api(t, "GET", url+"/api/v1/devices", token, nil, &list)
		judged := 0
		for _, d := range list.Items {
			if d.Score >= 0 {
				judged++
			}
		}
		if list.Total == want && judged == want {
			return list.Items
		}
		if time.Now().After(deadline) {
			t.Fatalf("after 60 s: %d devices, %d judged; want %d", list.Total, judged, want)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// TestServerAndTwoAgents is the journey of an IT provider: start a server,
// set up an organisation, enrol two computers, read their findings; then the
// server goes down, the agents keep collecting, and when it comes back every
// collection arrives exactly once.
func TestServerAndTwoAgents(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	addr := freePort(t)
	srv := startServer(t, data, addr)
	tn := setUp(t, data, 2)

	agents := []string{filepath.Join(dir, "agent1", "agent.json"), filepath.Join(dir, "agent2", "agent.json")}
	for _, cfg := range agents {
		run(t, false, "agent", "enroll", "--server", srv.url, "--token", tn.enrollToken, "--config", cfg)
		run(t, false, "agent", "run", "--once", "--config", cfg)
	}
	// The token allowed two computers: a third is refused.
	if _, code := run(t, true, "agent", "enroll", "--server", srv.url, "--token", tn.enrollToken, "--config", filepath.Join(dir, "agent3", "agent.json")); code != 2 {
		t.Errorf("third enrolment with a two-use token: exit %d, want 2", code)
	}

	devices := waitJudged(t, srv.url, tn.adminToken, 2)
	for _, d := range devices {
		var findings struct {
			Items []struct {
				ControlID string `json:"control_id"`
				Status    string `json:"status"`
			} `json:"items"`
			Total int `json:"total"`
		}
		if code := api(t, "GET", srv.url+"/api/v1/findings?device="+d.ID, tn.adminToken, nil, &findings); code != 200 || findings.Total < 45 {
			t.Errorf("findings of %s: HTTP %d, %d findings", d.ID, code, findings.Total)
		}
		var assessment struct {
			Schema   string `json:"schema"`
			Findings []any  `json:"findings"`
		}
		if code := api(t, "GET", srv.url+"/api/v1/devices/"+d.ID+"/assessment", tn.adminToken, nil, &assessment); code != 200 || assessment.Schema != "handwash.assessment/v1" {
			t.Errorf("assessment of %s: HTTP %d, schema %q", d.ID, code, assessment.Schema)
		}
	}

	// The server goes down; each agent collects twice meanwhile.
	srv.stop()
	for _, cfg := range agents {
		for range 2 {
			if _, code := run(t, true, "agent", "run", "--once", "--config", cfg); code != 3 {
				t.Errorf("run --once with the server down: exit %d, want 3 (kept in the spool)", code)
			}
		}
		status, _ := run(t, false, "agent", "status", "--config", cfg)
		if !strings.Contains(status, "2") {
			t.Errorf("status with two collections waiting:\n%s", status)
		}
	}

	// It comes back at the same address; the next run sends the spool.
	srv = startServer(t, data, addr)
	for _, cfg := range agents {
		run(t, false, "agent", "run", "--once", "--config", cfg)
	}
	for _, d := range devices {
		var snaps struct {
			Items []snapshot `json:"items"`
		}
		api(t, "GET", srv.url+"/api/v1/devices/"+d.ID+"/snapshots?limit=100", tn.adminToken, nil, &snaps)
		seen := map[string]bool{}
		for _, s := range snaps.Items {
			if seen[s.ID] {
				t.Errorf("snapshot %s of %s stored twice", s.ID, d.ID)
			}
			seen[s.ID] = true
		}
		// One at enrolment, two while the server was down, one now.
		if len(seen) != 4 {
			t.Errorf("device %s has %d snapshots, want 4 (each collection exactly once)", d.ID, len(seen))
		}
	}
	for _, cfg := range agents {
		status, _ := run(t, false, "agent", "status", "--config", cfg)
		if !strings.Contains(strings.ToLower(status), "nothing") && !strings.Contains(status, " 0 ") {
			t.Logf("status after the spool was sent:\n%s", status)
		}
	}
	srv.stop()
	if strings.Contains(srv.logs(), tn.adminToken) || strings.Contains(srv.logs(), tn.enrollToken) {
		t.Error("the server logged a credential")
	}
}
