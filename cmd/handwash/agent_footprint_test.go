package main

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/handwash/handwash/agent"
	"github.com/handwash/handwash/agent/agenttest"
)

// TestAgentFootprint measures the agent as the service runs it: a real
// 'handwash agent run' process against the test server, its resident
// memory at rest after the first collection and upload, and the processor
// time of that collection (the agent's own and the tools it ran). The
// budget (docs/DESIGN.md) is 30 MB at rest and 2 CPU-seconds per
// collection. It builds the binary, so it runs only when asked:
//
//	HANDWASH_AGENT_FOOTPRINT=1 go test -run TestAgentFootprint -v ./cmd/handwash
func TestAgentFootprint(t *testing.T) {
	if os.Getenv("HANDWASH_AGENT_FOOTPRINT") == "" {
		t.Skip("set HANDWASH_AGENT_FOOTPRINT=1 to measure the agent")
	}
	if runtime.GOOS != "linux" {
		t.Skip("reads /proc")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "handwash")
	build := exec.Command("go", "build", "-trimpath", "-o", bin, ".")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	srv := agenttest.NewServer()
	defer srv.Close()
	cfg := filepath.Join(dir, "etc", "agent.json")
	if out, err := exec.Command(bin, "agent", "enroll", "--server", srv.URL, "--token", srv.AddEnrollToken(1), "--config", cfg).CombinedOutput(); err != nil {
		t.Fatalf("enroll: %v\n%s", err, out)
	}

	var log bytes.Buffer
	run := exec.Command(bin, "agent", "run", "--config", cfg)
	run.Stderr = &log
	if err := run.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		run.Process.Signal(os.Interrupt)
		run.Wait()
	}()
	deadline := time.Now().Add(60 * time.Second)
	for len(srv.Snapshots()) == 0 {
		if time.Now().After(deadline) {
			t.Fatalf("no upload within a minute:\n%s", log.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
	afterUpload := procStatus(t, run.Process.Pid)
	// At rest: the collection is over, the connection closed, memory
	// handed back; the runtime's scavenger returns the rest within seconds.
	time.Sleep(20 * time.Second)
	rest := procStatus(t, run.Process.Pid)

	st, err := agent.LoadState(agent.PathsFor(cfg).State)
	if err != nil {
		t.Fatal(err)
	}
	snap := srv.Snapshots()[0].Facts
	pkgs := 0
	if snap.Software != nil {
		pkgs = len(snap.Software.Items)
	}
	t.Logf("collection: %.2f s wall, %.2f CPU-seconds (agent and the tools it ran), %d installed packages",
		st.LastCollectionSeconds, st.LastCollectionCPUSeconds, pkgs)
	t.Logf("memory: VmRSS %d kB just after the upload, %d kB at rest 20 s later (%d kB of it the program's own memory, %d kB pages of the executable); peak VmHWM %d kB",
		afterUpload["VmRSS"], rest["VmRSS"], rest["RssAnon"], rest["RssFile"], rest["VmHWM"])
	if rest["VmRSS"] > 30<<10 {
		t.Errorf("at rest the agent holds %d kB, over the 30 MB budget", rest["VmRSS"])
	}
	if st.LastCollectionCPUSeconds > 2 {
		t.Errorf("a collection took %.2f CPU-seconds, over the budget of 2", st.LastCollectionCPUSeconds)
	}
}

// procStatus reads the kB figures of /proc/PID/status.
func procStatus(t *testing.T, pid int) map[string]int {
	t.Helper()
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	m := map[string]int{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			continue
		}
		if n, err := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(v), " kB")); err == nil {
			m[k] = n
		}
	}
	return m
}
