package packaging

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// testVersion is the version the tests package.
const testVersion = "1.2.3"

// needTool skips the test when a program it needs is missing, saying which
// Debian package brings it, unless HANDWASH_TEST_ALL is set (as in CI):
// then the test fails.
func needTool(t *testing.T, tool, debianPackage string) string {
	t.Helper()
	path, err := exec.LookPath(tool)
	if err == nil {
		return path
	}
	msg := fmt.Sprintf("%s is not installed (apt-get install %s)", tool, debianPackage)
	if os.Getenv("HANDWASH_TEST_ALL") != "" {
		t.Fatalf("%s, and HANDWASH_TEST_ALL is set", msg)
	}
	t.Skip(msg + "; set HANDWASH_TEST_ALL=1 to make this a failure")
	return ""
}

// skipUnderRace skips a test that makes a Linux package under the race
// detector: compressing the 60 MB program through instrumented code takes
// minutes, and the plain run of the tests covers the same code.
func skipUnderRace(t *testing.T) {
	t.Helper()
	if raceDetector {
		t.Skip("makes a Linux package, which takes minutes under the race detector; the tests without -race cover it")
	}
}

// command runs a program and returns what it printed on standard output,
// failing the test with its error output if it fails.
func command(t *testing.T, name string, args ...string) string {
	t.Helper()
	out, err := commandErr(name, args...)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func commandErr(name string, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return stdout.String(), fmt.Errorf("%s %s: %v\n%s%s", name, strings.Join(args, " "), err, stdout.String(), stderr.String())
	}
	return stdout.String(), nil
}

// binaries holds the handwash programs the tests build, once per run of
// the tests, in a folder removed by TestMain.
var (
	binDir   string
	binMu    sync.Mutex
	binBuilt = map[string]string{}
	binErr   = map[string]error{}
)

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "handwash-packaging-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binDir = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// handwashBinary builds cmd/handwash for goos/goarch with go build (once)
// and returns the program's path.
func handwashBinary(t *testing.T, goos, goarch string) string {
	t.Helper()
	key := goos + "-" + goarch
	binMu.Lock()
	defer binMu.Unlock()
	if p, ok := binBuilt[key]; ok {
		return p
	}
	if err, ok := binErr[key]; ok {
		t.Fatal(err)
	}
	out := filepath.Join(binDir, key, "handwash")
	if goos == "windows" {
		out += ".exe"
	}
	start := time.Now()
	// go test puts its own go first on PATH.
	cmd := exec.Command("go", "build", "-trimpath", "-o", out, "./cmd/handwash")
	cmd.Dir = ".." // the module's root
	cmd.Env = append(os.Environ(), "GOOS="+goos, "GOARCH="+goarch, "CGO_ENABLED=0")
	if b, err := cmd.CombinedOutput(); err != nil {
		binErr[key] = fmt.Errorf("go build for %s: %v\n%s", key, err, b)
		t.Fatal(binErr[key])
	}
	t.Logf("built handwash for %s in %s", key, time.Since(start).Round(time.Millisecond))
	binBuilt[key] = out
	return out
}
