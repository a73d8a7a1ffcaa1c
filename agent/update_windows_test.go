//go:build windows

package agent

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// TestHelperRunning is not a test: it is the program that keeps running
// while TestReplaceRunningExecutable replaces it.
func TestHelperRunning(t *testing.T) {
	if os.Getenv("HANDWASH_TEST_HELPER_RUNNING") != "1" {
		t.Skip("only run by TestReplaceRunningExecutable")
	}
	time.Sleep(time.Minute)
}

// Windows will not replace a running program, but lets it be renamed:
// the running one goes to .old, the new one takes its name, and the next
// start removes .old. (A copy of the test program stands in for handwash.)
func TestReplaceRunningExecutable(t *testing.T) {
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	dir := testDir(t)
	exe := filepath.Join(dir, "handwash.exe")
	if err := copyFile(self, exe); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(exe, "-test.run=^TestHelperRunning$")
	cmd.Env = append(os.Environ(), "HANDWASH_TEST_HELPER_RUNNING=1")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		cmd.Process.Kill()
		cmd.Wait()
	}()
	time.Sleep(500 * time.Millisecond)
	old, _ := os.ReadFile(exe)

	prev, err := keepPrevious(exe)
	if err != nil {
		t.Fatalf("keeping the running program: %v", err)
	}
	newExe := filepath.Join(dir, tempPrefix("handwash.exe")+"1.exe")
	if err := os.WriteFile(newExe, []byte("the new version"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := replaceExecutable(newExe, exe); err != nil {
		t.Fatalf("replacing the running program: %v", err)
	}
	if b, _ := os.ReadFile(exe); string(b) != "the new version" {
		t.Error("the new version is not in place")
	}
	for _, f := range []string{prev, exe + ".old"} {
		if b, _ := os.ReadFile(f); sha(b) != sha(old) {
			t.Errorf("%s is not the old version", f)
		}
	}
	cmd.Process.Kill()
	cmd.Wait()
	log, _ := testLogger(t)
	(&updater{exe: exe, log: log}).cleanUp()
	if _, err := os.Stat(exe + ".old"); err == nil {
		t.Error(".old was not removed at the next start")
	}
	if _, err := os.Stat(prev); err != nil {
		t.Errorf(".previous went with .old: %v", err)
	}
}
