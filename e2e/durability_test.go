package e2e

import (
	"bytes"
	"compress/gzip"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	_ "modernc.org/sqlite"

	"github.com/handwash/handwash"
)

// realisticFacts is the Facts recorded on a real Debian 12 machine.
func realisticFacts(t testing.TB) *handwash.Facts {
	t.Helper()
	b, err := os.ReadFile("../collect/testdata/linux/debian12-container.facts.json")
	if err != nil {
		t.Fatal(err)
	}
	var f handwash.Facts
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatal(err)
	}
	return &f
}

// enrollDevice enrols a device with srv through the API and returns its
// credential.
func enrollDevice(t testing.TB, srv *server, enrollToken, hostname string) (id, credential string) {
	t.Helper()
	body, _ := json.Marshal(map[string]string{"hostname": hostname, "platform": "linux"})
	req, _ := http.NewRequest("POST", srv.url+"/api/v1/enroll", bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+enrollToken)
	req.Header.Set("Content-Type", "application/json")
	resp, err := srv.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct {
		DeviceID   string `json:"device_id"`
		Credential string `json:"credential"`
	}
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 201 || json.Unmarshal(b, &out) != nil {
		t.Fatalf("enrol: HTTP %d: %s", resp.StatusCode, b)
	}
	return out.DeviceID, out.Credential
}

func newSnapshotID() string {
	b := make([]byte, 16)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// gzipFacts encodes and compresses Facts as an agent uploads them.
func gzipFacts(t testing.TB, f *handwash.Facts) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if err := json.NewEncoder(zw).Encode(f); err != nil {
		t.Fatal(err)
	}
	zw.Close()
	return buf.Bytes()
}

// upload sends one snapshot and returns the HTTP status, or 0 when the
// request failed.
func upload(client *http.Client, url, credential, snapshotID, digest string, body []byte) int {
	req, _ := http.NewRequest("POST", url+"/api/v1/snapshots", bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+credential)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Content-Encoding", "gzip")
	req.Header.Set("Handwash-Snapshot-Id", snapshotID)
	if digest != "" {
		req.Header.Set("Handwash-Facts-Digest", digest)
		req.Header.Set("Expect", "100-continue")
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

// TestUploadsSurviveSIGKILL kills the server during a burst of uploads.
// After a restart every upload that was answered 2xx is stored, the
// database passes SQLite's integrity check, and every stored snapshot's
// Facts can be read back whole.
func TestUploadsSurviveSIGKILL(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	addr := freePort(t)
	srv := startServer(t, data, addr)
	const devices = 12
	tn := setUp(t, data, devices)

	type dev struct{ id, cred string }
	var ds []dev
	for i := range devices {
		id, cred := enrollDevice(t, srv, tn.enrollToken, fmt.Sprintf("ward-pc-%02d", i))
		ds = append(ds, dev{id, cred})
	}
	base := realisticFacts(t)

	var (
		mu    sync.Mutex
		acked = map[string][]string{} // device ID -> snapshot IDs answered 2xx
		n     atomic.Int64
	)
	client := &http.Client{Timeout: 10 * time.Second}
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for w, d := range ds {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				// Every upload observes something new, so each is a whole
				// new snapshot to store and judge.
				f := *base
				f.CollectedAt = time.Now().UTC().Truncate(time.Second)
				f.Device.Hostname = fmt.Sprintf("ward-pc-%02d-%d", w, i)
				id := newSnapshotID()
				code := upload(client, srv.url, d.cred, id, "", gzipFacts(t, &f))
				if code == 0 {
					return // the server is gone
				}
				if code >= 200 && code < 300 {
					mu.Lock()
					acked[d.id] = append(acked[d.id], id)
					mu.Unlock()
					n.Add(1)
				}
			}
		}()
	}
	// Let the burst run, then kill the server mid-flight.
	deadline := time.Now().Add(30 * time.Second)
	for n.Load() < 150 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	srv.kill()
	close(stop)
	wg.Wait()
	if n.Load() < 50 {
		t.Fatalf("only %d uploads were answered before the kill", n.Load())
	}
	t.Logf("%d uploads answered 2xx before SIGKILL", n.Load())

	srv = startServer(t, data, addr)
	missing := 0
	for _, d := range ds {
		var snaps struct {
			Items []snapshot `json:"items"`
		}
		api(t, "GET", srv.url+"/api/v1/devices/"+d.id+"/snapshots?limit=500", tn.adminToken, nil, &snaps)
		have := map[string]bool{}
		for _, s := range snaps.Items {
			have[s.ID] = true
		}
		for _, id := range acked[d.id] {
			if !have[id] {
				missing++
			}
		}
	}
	if missing > 0 {
		t.Errorf("%d acknowledged uploads are missing after the restart", missing)
	}
	srv.stop()

	// Nothing half written: the file is sound, and every snapshot row has
	// its Facts.
	db, err := sql.Open("sqlite", "file:"+filepath.Join(data, "handwash.db")+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var check string
	if err := db.QueryRow(`PRAGMA integrity_check`).Scan(&check); err != nil || check != "ok" {
		t.Errorf("integrity_check = %q, %v", check, err)
	}
	var orphans int
	if err := db.QueryRow(`SELECT count(*) FROM snapshots s LEFT JOIN facts f
		ON f.device_id = s.device_id AND f.digest = s.digest WHERE f.digest IS NULL`).Scan(&orphans); err != nil {
		t.Fatal(err)
	}
	if orphans > 0 {
		t.Errorf("%d snapshots have no stored Facts", orphans)
	}
}
