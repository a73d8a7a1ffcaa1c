package e2e

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/handwash/handwash"
	"github.com/handwash/handwash/postgres"
	"github.com/handwash/handwash/postgres/pgtest"
	"github.com/handwash/handwash/sqlite"
	"github.com/handwash/handwash/storetest"
)

// TestLoad plays many agents uploading realistic Facts (1,500 installed
// packages each) to a server on loopback and reports throughput, latency,
// server memory and storage. It is a measurement, not a pass/fail test, so
// it runs only when asked:
//
//	HANDWASH_LOAD=1 go test ./e2e -run TestLoad -v -timeout 30m
//
// Settings (environment): HANDWASH_LOAD_DEVICES (default 2000),
// HANDWASH_LOAD_SECONDS per phase (20), HANDWASH_LOAD_CLIENTS (32),
// HANDWASH_LOAD_CHANGED, the share of steady-state uploads whose Facts
// changed (0.05), and HANDWASH_LOAD_POSTGRES=1 to measure PostgreSQL (the
// test database, HANDWASH_TEST_POSTGRES or pgtest.DefaultDSN, in a fresh
// schema dropped afterwards) instead of SQLite.
func TestLoad(t *testing.T) {
	if os.Getenv("HANDWASH_LOAD") == "" {
		t.Skip("a measurement: set HANDWASH_LOAD=1 to run it (see docs/PERFORMANCE.md)")
	}
	devices := envInt("HANDWASH_LOAD_DEVICES", 2000)
	seconds := envInt("HANDWASH_LOAD_SECONDS", 20)
	clients := envInt("HANDWASH_LOAD_CLIENTS", 32)
	changed, _ := strconv.ParseFloat(envOr("HANDWASH_LOAD_CHANGED", "0.05"), 64)
	database := ""
	if os.Getenv("HANDWASH_LOAD_POSTGRES") != "" {
		database = pgtest.Schema(t)
	}

	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	addr := freePort(t)
	args := []string{}
	if database != "" {
		args = append(args, "--database", database)
	}
	// HANDWASH_LOAD_PROFILE=DIR saves the server's CPU profile of each
	// timed phase there (go tool pprof DIR/<phase>.pprof).
	profileDir, debugAddr, serveArgs := os.Getenv("HANDWASH_LOAD_PROFILE"), "", args
	if profileDir != "" {
		debugAddr = freePort(t)
		serveArgs = append(slices.Clip(args), "--debug-listen", debugAddr)
	}
	// HANDWASH_LOAD_TLS=1 serves HTTPS with serve's own certificate, and
	// each upload comes on a connection of its own, with a full TLS
	// handshake, as agents connect once per collection.
	overTLS := os.Getenv("HANDWASH_LOAD_TLS") != ""
	var srv *server
	if overTLS {
		srv = startServerTLS(t, data, addr, serveArgs...)
	} else {
		srv = startServerArgs(t, data, addr, serveArgs...)
	}
	tn := setUpArgs(t, data, devices, args...)
	store := "SQLite"
	if database != "" {
		store = "PostgreSQL"
	}
	if overTLS {
		store += " over HTTPS"
	}
	// The judge's queue, read from the database beside the server.
	var queue interface {
		PendingEvaluations(context.Context) (int, error)
	}
	if database != "" {
		db, err := postgres.Open(context.Background(), database)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		queue = db
	} else {
		db, err := sqlite.Open(filepath.Join(data, "handwash.db"))
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		queue = db
	}
	waiting := func() int {
		n, err := queue.PendingEvaluations(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	// judged waits for the judge to catch up after a phase and says how
	// long that took: uploads are answered before they are judged.
	judged := func() {
		began, n := time.Now(), waiting()
		cpu0 := procCPU(srv.cmd.Process.Pid)
		for waiting() > 0 {
			if time.Since(began) > 10*time.Minute {
				t.Fatal("the judge did not catch up in 10 minutes")
			}
			time.Sleep(50 * time.Millisecond)
		}
		judgedAt, cpu1 := time.Since(began), procCPU(srv.cmd.Process.Pid)
		// Then the judge compacts the older Facts of the devices it
		// judged: wait until the server is idle (under 5% of a core).
		for {
			c := procCPU(srv.cmd.Process.Pid)
			time.Sleep(500 * time.Millisecond)
			if procCPU(srv.cmd.Process.Pid)-c < 25*time.Millisecond || time.Since(began) > 10*time.Minute {
				break
			}
		}
		t.Logf("%s: %d devices were waiting to be judged; judged %s later (server CPU %s); older Facts compacted %s after that (server CPU %s)",
			store, n, judgedAt.Round(10*time.Millisecond), (cpu1 - cpu0).Round(10*time.Millisecond),
			(time.Since(began) - judgedAt).Round(100*time.Millisecond), (procCPU(srv.cmd.Process.Pid) - cpu1).Round(10*time.Millisecond))
	}

	// Every device gets Facts of its own: a few package inventories, each
	// device with its own name, and one upgraded version of each.
	start := time.Now()
	bases := make([]*handwash.Facts, 8)
	for i := range bases {
		bases[i] = storetest.RealisticFacts(t, "../collect/testdata/linux/debian12-container.facts.json", 1500, uint64(i))
	}
	type agent struct {
		id, cred   string
		bodies     [2]splitBody
		digests    [2]string
		current    atomic.Int32
		uploadedMu sync.Mutex
	}
	agents := make([]*agent, devices)
	var wg sync.WaitGroup
	sem := make(chan struct{}, 8)
	for i := range agents {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			a := &agent{}
			a.id, a.cred = enrollDevice(t, srv, tn.enrollToken, fmt.Sprintf("pc-%05d", i))
			rng := rand.New(rand.NewPCG(uint64(i), 7))
			for v := range 2 {
				f := *bases[i%len(bases)]
				sw := *f.Software
				sw.Items = append([]handwash.SoftwareItem(nil), f.Software.Items...)
				f.Software = &sw
				f.Device.Hostname = fmt.Sprintf("pc-%05d", i)
				f.CollectedAt = time.Now().UTC().Truncate(time.Second)
				if v == 1 {
					storetest.Upgrade(&f, 3, rng)
				}
				a.bodies[v] = splitGzip(t, &f)
				a.digests[v] = f.Digest()
			}
			agents[i] = a
		}()
	}
	wg.Wait()
	t.Logf("%s: %d devices enrolled and their Facts prepared in %s (gzip body %d KB)", store, devices, time.Since(start).Round(time.Second), agents[0].bodies[0].size()/1024)

	transport := &http.Transport{MaxIdleConnsPerHost: clients * 2, MaxConnsPerHost: clients * 2, ExpectContinueTimeout: time.Second}
	if overTLS {
		transport.TLSClientConfig = pinnedTLS(t, srv.fingerprint)
		transport.DisableKeepAlives = true
	}
	client := &http.Client{Transport: transport, Timeout: 30 * time.Second}

	// phase uploads for the given time from clients goroutines, or when d
	// is 0 once from each device; pick says which version a device sends
	// and whether to send the digest hint.
	phase := func(name string, d time.Duration, pick func(a *agent, rng *rand.Rand) (v int, hint bool)) {
		var (
			mu        sync.Mutex
			latencies []time.Duration
			byCode    = map[int]int{}
			next      atomic.Int64
		)
		stopAt := time.Now().Add(d)
		profiled := make(chan struct{})
		if debugAddr != "" && d > 0 {
			go func() {
				defer close(profiled)
				saveProfile(t, debugAddr, d, filepath.Join(profileDir, strings.Fields(name)[0]+".pprof"))
			}()
		} else {
			close(profiled)
		}
		began := time.Now()
		cpu0, self0 := procCPU(srv.cmd.Process.Pid), procCPU(os.Getpid())
		var wg sync.WaitGroup
		for c := range clients {
			wg.Add(1)
			go func() {
				defer wg.Done()
				rng := rand.New(rand.NewPCG(uint64(c), 99))
				var local []time.Duration
				codes := map[int]int{}
				for {
					i := int(next.Add(1)) - 1
					if d == 0 && i >= len(agents) || d > 0 && !time.Now().Before(stopAt) {
						break
					}
					a := agents[i%len(agents)]
					v, hint := pick(a, rng)
					digest := ""
					if hint {
						digest = a.digests[v]
					}
					t0 := time.Now()
					code := upload(client, srv.url, a.cred, newSnapshotID(), digest, a.bodies[v].at(time.Now()))
					local = append(local, time.Since(t0))
					codes[code]++
					if code >= 200 && code < 300 {
						a.current.Store(int32(v))
					}
				}
				mu.Lock()
				latencies = append(latencies, local...)
				for k, n := range codes {
					byCode[k] += n
				}
				mu.Unlock()
			}()
		}
		wg.Wait()
		elapsed := time.Since(began)
		<-profiled
		cpu, self := procCPU(srv.cmd.Process.Pid)-cpu0, procCPU(os.Getpid())-self0
		sort.Slice(latencies, func(i, j int) bool { return latencies[i] < latencies[j] })
		ok := byCode[200] + byCode[201]
		pct := func(p float64) time.Duration {
			if len(latencies) == 0 {
				return 0
			}
			return latencies[int(p*float64(len(latencies)-1))].Round(10 * time.Microsecond)
		}
		perUpload := time.Duration(0)
		if ok > 0 {
			perUpload = cpu / time.Duration(ok)
		}
		t.Logf("%s %s: %d uploads in %s = %.0f/s answered 2xx; p50 %s, p99 %s; answers %v; server CPU %.0f%% of one core, %s per upload; load generator CPU %.0f%%",
			store, name, ok, elapsed.Round(time.Millisecond), float64(ok)/elapsed.Seconds(), pct(0.50), pct(0.99), byCode,
			100*cpu.Seconds()/elapsed.Seconds(), perUpload.Round(time.Microsecond), 100*self.Seconds()/elapsed.Seconds())
	}

	size0 := dirSize(data)
	// First contact: every device sends its whole Facts once.
	phase("first uploads (each device once, with new Facts)", 0, func(a *agent, rng *rand.Rand) (int, bool) {
		return 0, false
	})
	judged()
	// Steady state, as agents behave: most collections observe nothing new
	// and the digest lets the server answer before the body is sent.
	phase(fmt.Sprintf("steady state (%.0f%% changed)", changed*100), time.Duration(seconds)*time.Second, func(a *agent, rng *rand.Rand) (int, bool) {
		cur := int(a.current.Load())
		if rng.Float64() < changed {
			return 1 - cur, true
		}
		return cur, true
	})
	judged()
	// The worst case: every upload carries Facts the server must read.
	phase("every upload changed", time.Duration(seconds)*time.Second, func(a *agent, rng *rand.Rand) (int, bool) {
		return 1 - int(a.current.Load()), false
	})
	judged()
	t.Logf("%s: server peak RSS %s, now %s, with %d devices stored; data directory grew %d KB",
		store, procStatus(srv.cmd.Process.Pid, "VmHWM"), procStatus(srv.cmd.Process.Pid, "VmRSS"), devices, (dirSize(data)-size0)/1024)
	srv.stop()
}

// splitBody is a device's Facts as gzip members before and after the value
// of collected_at, so that each upload carries its own, later collection
// time, as an agent's do, without compressing 170 KB of JSON each time: a
// gzip reader reads concatenated members as one stream.
type splitBody struct{ before, after []byte }

func splitGzip(t testing.TB, f *handwash.Facts) splitBody {
	t.Helper()
	b, err := json.Marshal(f)
	if err != nil {
		t.Fatal(err)
	}
	stamp, _ := json.Marshal(f.CollectedAt)
	key := []byte(`"collected_at":`)
	i := bytes.Index(b, append(key, stamp...))
	if i < 0 {
		t.Fatal("collected_at not found in the Facts' JSON")
	}
	i += len(key)
	return splitBody{before: gzipBytes(b[:i]), after: gzipBytes(b[i+len(stamp):])}
}

func (s splitBody) size() int { return len(s.before) + len(s.after) }

// at is the whole body with collected_at set to t.
func (s splitBody) at(t time.Time) []byte {
	stamp, _ := json.Marshal(t.UTC())
	mid := gzipBytes(stamp)
	body := make([]byte, 0, s.size()+len(mid))
	return append(append(append(body, s.before...), mid...), s.after...)
}

func gzipBytes(b []byte) []byte {
	var buf bytes.Buffer
	zw := gzipWriters.Get().(*gzip.Writer)
	zw.Reset(&buf)
	zw.Write(b)
	zw.Close()
	gzipWriters.Put(zw)
	return buf.Bytes()
}

var gzipWriters = sync.Pool{New: func() any { return gzip.NewWriter(nil) }}

// saveProfile saves the server's CPU profile over d to file.
func saveProfile(t *testing.T, debugAddr string, d time.Duration, file string) {
	resp, err := http.Get(fmt.Sprintf("http://%s/debug/pprof/profile?seconds=%d", debugAddr, int(d.Seconds())))
	if err != nil {
		t.Errorf("profiling the server: %v", err)
		return
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err == nil && resp.StatusCode != http.StatusOK {
		err = fmt.Errorf("%s: %s", resp.Status, b)
	}
	if err == nil {
		err = os.WriteFile(file, b, 0o644)
	}
	if err != nil {
		t.Errorf("profiling the server: %v", err)
	}
}

func envInt(key string, def int) int {
	if n, err := strconv.Atoi(os.Getenv(key)); err == nil && n > 0 {
		return n
	}
	return def
}

func envOr(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}

func dirSize(dir string) int64 {
	var n int64
	filepath.Walk(dir, func(_ string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() {
			n += info.Size()
		}
		return nil
	})
	return n
}

// procCPU is the CPU time a process has used, user and system, from
// /proc/PID/stat (in clock ticks of 1/100 s on Linux).
func procCPU(pid int) time.Duration {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	// The command name may hold spaces; the fields after it are fixed.
	fields := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+1:]))
	if len(fields) < 13 {
		return 0
	}
	utime, _ := strconv.ParseInt(fields[11], 10, 64)
	stime, _ := strconv.ParseInt(fields[12], 10, 64)
	return time.Duration(utime+stime) * 10 * time.Millisecond
}

// procStatus reads one line of /proc/PID/status, such as VmHWM (peak RSS).
func procStatus(pid int, key string) string {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return "unknown"
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, key+":"); ok {
			return strings.TrimSpace(v)
		}
	}
	return "unknown"
}
