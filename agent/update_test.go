package agent

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/handwash/handwash/agent/agenttest"
	"github.com/handwash/handwash/agent/release"
)

// fakeBuilds are the builds of testdata/fakeagent made by this test
// process, by version and self-test behaviour, in one folder.
var fakeBuilds struct {
	sync.Mutex
	dir  string
	made map[string][]byte
}

func TestMain(m *testing.M) {
	code := m.Run()
	if fakeBuilds.dir != "" {
		removeTree(fakeBuilds.dir)
	}
	os.Exit(code)
}

// fakeAgent builds testdata/fakeagent for this computer as a release of
// version whose self-test does selftest (pass, fail or hang), and
// returns the program.
func fakeAgent(t *testing.T, version, selftest string) []byte {
	t.Helper()
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("the go command is not here to build a test release")
	}
	fakeBuilds.Lock()
	defer fakeBuilds.Unlock()
	key := version + "-" + selftest
	if b, ok := fakeBuilds.made[key]; ok {
		return b
	}
	if fakeBuilds.dir == "" {
		if fakeBuilds.dir, err = os.MkdirTemp("", "handwash-fakeagent-"); err != nil {
			t.Fatal(err)
		}
		fakeBuilds.made = map[string][]byte{}
	}
	out := filepath.Join(fakeBuilds.dir, key+".exe")
	cmd := exec.Command(goTool, "build", "-trimpath", "-ldflags", "-s -w -X main.version="+version+" -X main.selftest="+selftest, "-o", out, "./testdata/fakeagent")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOFLAGS=-buildvcs=false")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("building the test release: %v\n%s", err, b)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	fakeBuilds.made[key] = b
	return b
}

// updateEnv is an enrolled agent whose program is a fake release of
// version 1.2.0 in a folder of its own, a server, and the release key.
type updateEnv struct {
	t      *testing.T
	srv    *agenttest.Server
	config string
	exe    string
	old    []byte
	pub    ed25519.PublicKey
	priv   ed25519.PrivateKey
	now    time.Time
	log    *logBuffer
	u      *updater
	client *Client
}

func newUpdateEnv(t *testing.T) *updateEnv {
	t.Helper()
	e := &updateEnv{t: t, srv: agenttest.NewServer(), now: time.Now().UTC()}
	t.Cleanup(e.srv.Close)
	e.config = enrolled(t, e.srv, "")
	e.old = fakeAgent(t, "1.2.0", "pass")
	bin := testDir(t)
	e.exe = filepath.Join(bin, "handwash")
	if runtime.GOOS == "windows" {
		e.exe += ".exe"
	}
	if err := os.WriteFile(e.exe, e.old, 0o755); err != nil {
		t.Fatal(err)
	}
	var err error
	if e.pub, e.priv, err = ed25519.GenerateKey(rand.Reader); err != nil {
		t.Fatal(err)
	}
	log, lb := testLogger(t)
	e.log = lb
	cfg, err := LoadConfig(e.config)
	if err != nil {
		t.Fatal(err)
	}
	if e.client, err = NewClient(cfg.Server, cfg.Fingerprint, cfg.Credential, "1.2.0"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(e.client.CloseIdleConnections)
	e.u = &updater{
		key: e.pub, exe: e.exe, configPath: e.config, version: "1.2.0", goos: runtime.GOOS, goarch: runtime.GOARCH,
		log: log, state: openState(PathsFor(e.config).State), now: func() time.Time { return e.now }, canRestart: func() error { return nil },
	}
	return e
}

// offer makes the server offer bin as version, signed with key.
func (e *updateEnv) offer(version string, bin []byte, key ed25519.PrivateKey) *agenttest.Release {
	sum := sha256.Sum256(bin)
	rel := &agenttest.Release{
		Offer: release.Offer{
			Version: version, OS: runtime.GOOS, Arch: runtime.GOARCH, SHA256: hex.EncodeToString(sum[:]), Size: int64(len(bin)),
			Signature: base64.StdEncoding.EncodeToString(ed25519.Sign(key, sum[:])),
			URL:       "/api/v1/agent/releases/" + release.FileName(version, runtime.GOOS, runtime.GOARCH),
		},
		Binary: bin,
	}
	e.srv.Lock()
	e.srv.Release = rel
	e.srv.Unlock()
	return rel
}

func sha(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

func (e *updateEnv) exeSHA() string {
	e.t.Helper()
	b, err := os.ReadFile(e.exe)
	if err != nil {
		e.t.Fatal(err)
	}
	return sha(b)
}

// selfTest runs the program in place as the updater does and returns the
// version it says it is.
func (e *updateEnv) selfTest() string {
	e.t.Helper()
	out, err := exec.Command(e.exe, "agent", "selftest", "--config", e.config).Output()
	if err != nil {
		e.t.Fatalf("%s agent selftest: %v", e.exe, err)
	}
	var a SelfTestReport
	if err := json.Unmarshal(out, &a); err != nil {
		e.t.Fatal(err)
	}
	return a.Version
}

// leftovers lists the files in the program's folder other than the program.
func (e *updateEnv) leftovers() []string {
	e.t.Helper()
	names, err := readNames(filepath.Dir(e.exe))
	if err != nil {
		e.t.Fatal(err)
	}
	var out []string
	for _, n := range names {
		if n != filepath.Base(e.exe) {
			out = append(out, n)
		}
	}
	slices.Sort(out)
	return out
}

// afterUpdate is what leftovers should be after an update: the previous
// version, and on Windows the running program moved aside to .old, which
// the next start removes.
func (e *updateEnv) afterUpdate() []string {
	base := filepath.Base(e.exe)
	if runtime.GOOS == "windows" {
		return []string{base + ".old", base + ".previous"}
	}
	return []string{base + ".previous"}
}

func (e *updateEnv) state() UpdateState {
	e.t.Helper()
	st, err := LoadState(PathsFor(e.config).State)
	if err != nil {
		e.t.Fatal(err)
	}
	return st.Update
}

func TestSelfUpdateInstallsASignedRelease(t *testing.T) {
	e := newUpdateEnv(t)
	newBin := fakeAgent(t, "1.10.0", "pass")
	e.offer("1.10.0", newBin, e.priv)

	rs := e.u.check(t.Context(), e.client)
	if rs == nil {
		t.Fatalf("no restart; log:\n%s", e.log)
	}
	if rs.Executable != e.exe || rs.From != "1.2.0" || rs.To != "1.10.0" {
		t.Errorf("restart %+v", rs)
	}
	if got := e.exeSHA(); got != sha(newBin) {
		t.Errorf("the program in place is not the new release")
	}
	if v := e.selfTest(); v != "1.10.0" {
		t.Errorf("the program in place says it is %s", v)
	}
	prev, err := os.ReadFile(e.exe + ".previous")
	if err != nil || sha(prev) != sha(e.old) {
		t.Errorf("the previous version was not kept as .previous (%v)", err)
	}
	if left, want := e.leftovers(), e.afterUpdate(); !slices.Equal(left, want) {
		t.Errorf("files left beside the program: %v, want %v", left, want)
	}
	st := e.state()
	if st.InstalledVersion != "1.10.0" || st.InstalledFrom != "1.2.0" || st.InstalledAt == nil || st.CheckedAt == nil ||
		st.Previous != e.exe+".previous" || st.RefusedReason != "" || st.Error != "" {
		t.Errorf("state %+v", st)
	}
	for _, step := range []string{"the server offers a new version", "downloading the new version", "size, checksum and signature are good",
		"passed its self-test", "kept the running version", "installed the new version"} {
		if !strings.Contains(e.log.String(), step) {
			t.Errorf("the log does not say %q:\n%s", step, e.log)
		}
	}
	cfg, _ := LoadConfig(e.config)
	if strings.Contains(e.log.String(), cfg.Credential.Reveal()) {
		t.Error("the log holds the device credential")
	}
}

// Every download that is not the signed release offered, and every release
// that cannot start, is refused: deleted, logged, recorded for status, and
// the running program is left exactly as it was.
func TestSelfUpdateRefusals(t *testing.T) {
	good := fakeAgent(t, "1.3.0", "pass")
	flipped := bytes.Clone(good)
	flipped[len(flipped)/2] ^= 0x01
	_, otherKey, _ := ed25519.GenerateKey(rand.Reader)

	for _, c := range []struct {
		name     string
		setup    func(e *updateEnv)
		reason   string
		download bool // whether the binary is fetched at all
	}{
		{"one byte flipped on the way", func(e *updateEnv) {
			e.offer("1.3.0", good, e.priv).Send = flipped
		}, "does not match its SHA-256 checksum", true},
		{"one byte flipped, with a checksum to match", func(e *updateEnv) {
			rel := e.offer("1.3.0", good, e.priv)
			rel.Binary, rel.Offer.SHA256 = flipped, sha(flipped)
		}, "signature does not match", true},
		{"signed with another key", func(e *updateEnv) {
			e.offer("1.3.0", good, otherKey)
		}, "signature does not match", true},
		{"cut short", func(e *updateEnv) {
			rel := e.offer("1.3.0", good, e.priv)
			rel.Send, rel.Length = good[:len(good)/2], len(good)
		}, "cut short", true},
		{"shorter than offered", func(e *updateEnv) {
			e.offer("1.3.0", good, e.priv).Send = good[:len(good)-10]
		}, "not the", true},
		{"longer than offered", func(e *updateEnv) {
			e.offer("1.3.0", good, e.priv).Send = append(bytes.Clone(good), "more"...)
		}, "not the", true},
		{"self-test fails", func(e *updateEnv) {
			e.offer("1.3.0", fakeAgent(t, "1.3.0", "fail"), e.priv)
		}, "failed its self-test", true},
		{"self-test never ends", func(e *updateEnv) {
			old := selfTestTimeout
			selfTestTimeout = time.Second
			t.Cleanup(func() { selfTestTimeout = old })
			e.offer("1.3.0", fakeAgent(t, "1.3.0", "hang"), e.priv)
		}, "did not finish", true},
		{"an older release offered as newer", func(e *updateEnv) {
			e.offer("1.3.0", fakeAgent(t, "1.1.0", "pass"), e.priv)
		}, "not the 1.3.0 offered", true},
		{"too large", func(e *updateEnv) {
			e.offer("1.3.0", good, e.priv).Offer.Size = release.MaxSize + 1
		}, "at most 200 MB", false},
		{"for another system", func(e *updateEnv) {
			e.offer("1.3.0", good, e.priv).Offer.OS = "plan9"
		}, "plan9", false},
		{"from elsewhere", func(e *updateEnv) {
			e.offer("1.3.0", good, e.priv).Offer.URL = "https://elsewhere.example/handwash_1.3.0_linux_amd64"
		}, "not where this server keeps", false},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := newUpdateEnv(t)
			before := e.exeSHA()
			c.setup(e)
			if rs := e.u.check(t.Context(), e.client); rs != nil {
				t.Fatalf("installed: %+v", rs)
			}
			if e.exeSHA() != before {
				t.Error("the running program was changed")
			}
			if left := e.leftovers(); len(left) != 0 {
				t.Errorf("files left beside the program: %v", left)
			}
			if v := e.selfTest(); v != "1.2.0" {
				t.Errorf("the program in place says it is %s", v)
			}
			st := e.state()
			if st.RefusedVersion != "1.3.0" || st.RefusedAt == nil || !strings.Contains(st.RefusedReason, c.reason) || st.InstalledVersion != "" {
				t.Errorf("state %+v, want a refusal saying %q", st, c.reason)
			}
			if !strings.Contains(e.log.String(), "update refused") || !strings.Contains(e.log.String(), c.reason) {
				t.Errorf("the log does not say why:\n%s", e.log)
			}
			if got := e.srv.Downloads() > 0; got != c.download {
				t.Errorf("downloaded: %v, want %v", got, c.download)
			}
		})
	}
}

// A release refused for its signature is not fetched again at every
// check, only after a day or with another signature; one cut short is
// tried again at the next check.
func TestSelfUpdateRetries(t *testing.T) {
	e := newUpdateEnv(t)
	good := fakeAgent(t, "1.3.0", "pass")
	_, otherKey, _ := ed25519.GenerateKey(rand.Reader)
	e.offer("1.3.0", good, otherKey)
	e.u.check(t.Context(), e.client)
	e.now = e.now.Add(updateCheckEvery)
	if !e.u.due() {
		t.Fatal("not due after updateCheckEvery")
	}
	e.u.check(t.Context(), e.client)
	if n := e.srv.Downloads(); n != 1 {
		t.Errorf("%d downloads of a release refused for its signature", n)
	}
	e.now = e.now.Add(refusedHold)
	e.u.check(t.Context(), e.client)
	if n := e.srv.Downloads(); n != 2 {
		t.Errorf("%d downloads after a day", n)
	}

	// Cut short, then whole: installed at the next check.
	rel := e.offer("1.3.0", good, e.priv)
	rel.Send, rel.Length = good[:100], len(good)
	if e.u.check(t.Context(), e.client) != nil {
		t.Fatal("installed a download cut short")
	}
	e.srv.Lock()
	rel.Send, rel.Length = nil, 0
	e.srv.Unlock()
	if rs := e.u.check(t.Context(), e.client); rs == nil || e.exeSHA() != sha(good) {
		t.Fatalf("not installed at the next check; log:\n%s", e.log)
	}
	if st := e.state(); st.RefusedReason != "" || st.RetryAfter != nil {
		t.Errorf("the refusal outlived the update: %+v", st)
	}
}

func TestSelfUpdateNothingNewer(t *testing.T) {
	e := newUpdateEnv(t)
	e.offer("1.2.0", fakeAgent(t, "1.2.0", "pass"), e.priv)
	if rs := e.u.check(t.Context(), e.client); rs != nil {
		t.Fatalf("installed %+v", rs)
	}
	if e.srv.Downloads() != 0 {
		t.Error("downloaded the version it runs")
	}
	if st := e.state(); st.CheckedAt == nil || st.RefusedReason != "" || st.Error != "" {
		t.Errorf("state %+v", st)
	}
	// A server that cannot be reached is a problem for status, not a refusal.
	e.srv.Close()
	e.u.check(t.Context(), e.client)
	if st := e.state(); !strings.Contains(st.Error, "cannot ask the server") || st.RefusedReason != "" {
		t.Errorf("state %+v", st)
	}
}

// Run asks after its upload cycle, installs, and returns a Restart for
// the caller to start the new version.
func TestRunRestartsAfterAnUpdate(t *testing.T) {
	e := newUpdateEnv(t)
	newBin := fakeAgent(t, "1.3.0", "pass")
	e.offer("1.3.0", newBin, e.priv)
	r, _, lb := testRunner(t, e.config)
	r.Version, r.executable, r.releaseKey = "1.2.0", e.exe, base64.StdEncoding.EncodeToString(e.pub)
	// Leftovers of an earlier update are cleared at start.
	os.WriteFile(e.exe+".old", []byte("old"), 0o755)
	os.WriteFile(filepath.Join(filepath.Dir(e.exe), ".handwash.update-123"), []byte("half"), 0o600)

	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	err := r.Run(ctx)
	var rs *Restart
	if !errors.As(err, &rs) || rs.To != "1.3.0" || rs.Executable != e.exe {
		t.Fatalf("Run = %v; log:\n%s", err, lb)
	}
	if e.exeSHA() != sha(newBin) {
		t.Error("the new version is not in place")
	}
	if left, want := e.leftovers(), e.afterUpdate(); !slices.Equal(left, want) {
		t.Errorf("files beside the program: %v, want %v", left, want)
	}
}

// A build without the release key never asks for, or installs, anything.
func TestSelfUpdateOffWithoutAKey(t *testing.T) {
	if ReleasePublicKey != "" {
		t.Skip("built with a release key")
	}
	if on, why := SelfUpdate(); on || !strings.Contains(why, "development build") {
		t.Errorf("SelfUpdate() = %v, %q", on, why)
	}
	e := newUpdateEnv(t)
	e.offer("1.3.0", fakeAgent(t, "1.3.0", "pass"), e.priv)
	before := e.exeSHA()
	r, _, lb := testRunner(t, e.config)
	r.Version, r.executable = "1.2.0", e.exe
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- r.Run(ctx) }()
	waitFor(t, "the collection sent", func() bool { return len(e.srv.Snapshots()) == 1 })
	time.Sleep(100 * time.Millisecond)
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	for _, req := range e.srv.Requests() {
		if strings.Contains(req, "/agent/release") {
			t.Errorf("asked the server for a release: %s", req)
		}
	}
	if e.exeSHA() != before {
		t.Error("the program changed")
	}
	if !strings.Contains(lb.String(), "self-update is off: this is a development build") {
		t.Errorf("the log does not say self-update is off:\n%s", lb)
	}
	// Nor does its service unit open the program's folder.
	if strings.Contains(SystemdUnit("/usr/local/bin/handwash", ""), "ReadWritePaths=/usr/local/bin") {
		t.Error("the unit lets the service write the program's folder")
	}
}

// With a release key, the service may write the program's folder.
func TestSystemdUnitWithSelfUpdate(t *testing.T) {
	old := ReleasePublicKey
	defer func() { ReleasePublicKey = old }()
	pub, _, _ := ed25519.GenerateKey(rand.Reader)
	ReleasePublicKey = base64.StdEncoding.EncodeToString(pub)
	if on, _ := SelfUpdate(); !on {
		t.Fatal("self-update off with a key")
	}
	if u := SystemdUnit("/opt/handwash/handwash", ""); !strings.Contains(u, "\nReadWritePaths=/opt/handwash\n") {
		t.Errorf("the unit does not open the program's folder:\n%s", u)
	}
	// Installed from a package, the package manager updates it.
	t.Setenv(SelfUpdateEnv, "off")
	if on, why := SelfUpdate(); on || !strings.Contains(why, "package manager") {
		t.Errorf("SelfUpdate() with %s=off = %v, %q", SelfUpdateEnv, on, why)
	}
	t.Setenv(SelfUpdateEnv, "")
	ReleasePublicKey = "not a key"
	if on, why := SelfUpdate(); on || !strings.Contains(why, "damaged") {
		t.Errorf("SelfUpdate() with a damaged key = %v, %q", on, why)
	}
}

func TestSelfTest(t *testing.T) {
	srv := agenttest.NewServer()
	defer srv.Close()
	path := enrolled(t, srv, "")
	rep, err := SelfTest(path, "1.3.0")
	if err != nil || rep.Version != "1.3.0" || rep.OS != runtime.GOOS || rep.Arch != runtime.GOARCH {
		t.Errorf("SelfTest = %+v, %v", rep, err)
	}
	if _, err := SelfTest(filepath.Join(testDir(t), "agent.json"), "1.3.0"); err == nil {
		t.Error("passed without a configuration")
	}
}

func TestDescribeUpdates(t *testing.T) {
	at := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
	when := func(t *time.Time) string {
		if t == nil {
			return "never"
		}
		return t.Format(time.DateOnly)
	}
	text := func(s UpdateState) string {
		var b strings.Builder
		for _, l := range DescribeUpdates(s, when) {
			b.WriteString(l[0] + ": " + l[1] + "\n")
		}
		return b.String()
	}
	got := text(UpdateState{CheckedAt: &at, RefusedAt: &at, RefusedVersion: "1.4.0", RefusedReason: "signature does not match: the download was not signed with the release key built into this agent"})
	for _, want := range []string{"Updates: off: this is a development build", "Update refused: 2026-11-30: version 1.4.0: signature does not match", "kept the version it had"} {
		if !strings.Contains(got, want) {
			t.Errorf("lacks %q:\n%s", want, got)
		}
	}
	old := ReleasePublicKey
	defer func() { ReleasePublicKey = old }()
	pub, _, _ := ed25519.GenerateKey(rand.Reader)
	ReleasePublicKey = base64.StdEncoding.EncodeToString(pub)
	got = text(UpdateState{CheckedAt: &at, InstalledAt: &at, InstalledFrom: "1.2.0", InstalledVersion: "1.3.0", Previous: "/usr/local/bin/handwash.previous", Error: "cannot ask the server for a new version: it is down"})
	for _, want := range []string{"Updates: automatic", "last asked the server 2026-11-30", "Last update: version 1.3.0 installed 2026-11-30, replacing 1.2.0 (kept as /usr/local/bin/handwash.previous)",
		"Update problem: cannot ask the server"} {
		if !strings.Contains(got, want) {
			t.Errorf("lacks %q:\n%s", want, got)
		}
	}
}
