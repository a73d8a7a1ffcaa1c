package agent

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/handwash/handwash"
	"github.com/handwash/handwash/agent/agenttest"
)

// testFacts returns Facts with n installed packages; tag makes their
// digest differ from other calls'.
func testFacts(tag string, n int) *handwash.Facts {
	f := &handwash.Facts{Schema: handwash.FactsSchema, CollectedAt: time.Now().UTC().Truncate(time.Second)}
	f.Device = handwash.DeviceInfo{ID: "0123456789abcdef0123456789abcdef", Hostname: "RECEPTION-PC-" + tag, Platform: "windows", Arch: "amd64"}
	f.Software = &handwash.SoftwareFacts{Items: []handwash.SoftwareItem{}}
	for i := range n {
		// Random versions keep the gzip body large, as real inventories are.
		v := make([]byte, 6)
		rand.Read(v)
		f.Software.Items = append(f.Software.Items, handwash.SoftwareItem{Name: fmt.Sprintf("package-%04d", i), Version: hex.EncodeToString(v), Source: "registry"})
	}
	return f
}

// logBuffer collects log lines for tests to read.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func testLogger(t *testing.T) (*slog.Logger, *logBuffer) {
	t.Helper()
	var lb logBuffer
	return slog.New(slog.NewTextHandler(&lb, &slog.HandlerOptions{Level: slog.LevelDebug})), &lb
}

// enrolled enrols a device with the fake server into a temporary folder and
// returns the configuration's path.
func enrolled(t *testing.T, srv *agenttest.Server, fingerprint string) string {
	t.Helper()
	path := filepath.Join(testDir(t), "handwash", "agent.json")
	_, err := Enroll(t.Context(), EnrollOptions{
		Server: srv.URL, Token: srv.AddEnrollToken(1), Fingerprint: fingerprint, ConfigPath: path,
		Device: handwash.DeviceInfo{Hostname: "RECEPTION-PC", Platform: "windows", ID: "0123456789abcdef0123456789abcdef"},
	})
	if err != nil {
		t.Fatalf("enrol: %v", err)
	}
	return path
}

// testUploader returns an uploader over the configuration's spool with
// quick retries.
func testUploader(t *testing.T, configPath string) (*uploader, *Spool, *logBuffer) {
	t.Helper()
	cfg, err := LoadConfig(configPath)
	if err != nil {
		t.Fatal(err)
	}
	log, lb := testLogger(t)
	sp, err := OpenSpool(PathsFor(configPath).Spool, log)
	if err != nil {
		t.Fatal(err)
	}
	c, err := NewClient(cfg.Server, cfg.Fingerprint, cfg.Credential, "test")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.CloseIdleConnections)
	u := &uploader{client: c, spool: sp, state: openState(PathsFor(configPath).State), log: log,
		backoff: Backoff{Base: 5 * time.Millisecond, Max: 20 * time.Millisecond}, now: time.Now}
	return u, sp, lb
}

func spoolIDs(t *testing.T, s *Spool) []string {
	t.Helper()
	es, err := s.List()
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, e := range es {
		ids = append(ids, e.SnapshotID)
	}
	return ids
}

func storedIDs(srv *agenttest.Server) []string {
	var ids []string
	for _, s := range srv.Snapshots() {
		ids = append(ids, s.ID)
	}
	return ids
}

// testDir is t.TempDir, removed with removeTree: under Wine, where the
// Windows build of these tests runs, the testing package's own cleanup
// fails (Wine lacks the call os.RemoveAll makes on Windows).
func testDir(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "handwash-agent-test-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := removeTree(dir); err != nil {
			t.Errorf("cleanup: %v", err)
		}
	})
	return dir
}
