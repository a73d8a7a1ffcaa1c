package packaging

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/handwash/handwash/agent"
	"github.com/handwash/handwash/agent/agenttest"
)

// TestMSIUnderWine installs the MSI silently with Wine's msiexec, enrolling
// with a stand-in server on loopback, then uninstalls it, and checks what
// each leaves behind. Wine's Windows Installer is not Microsoft's, so this
// shows the custom actions, service and properties work together rather
// than proving every detail: under Wine, 'handwash agent install' cannot
// update the service the MSI made (Wine lacks the service SID setting), so
// whether the service starts is not checked here. It runs when HANDWASH_TEST_WINE names the
// folder scripts/wine-setup prints (its go_windows_amd64_exec runs a
// program under Wine in the prefix it prepared).
func TestMSIUnderWine(t *testing.T) {
	wineDir := os.Getenv("HANDWASH_TEST_WINE")
	if wineDir == "" {
		t.Skip("set HANDWASH_TEST_WINE to the folder scripts/wine-setup prints to install the MSI under Wine")
	}
	wine := filepath.Join(wineDir, "go_windows_amd64_exec")
	if _, err := os.Stat(wine); err != nil {
		t.Fatalf("HANDWASH_TEST_WINE: %v", err)
	}
	prefix := winePrefix(t, wine)
	needMSITools(t)
	exe := handwashBinary(t, "windows", "amd64")
	msi, err := MSI{Version: testVersion, Binary: exe}.Write(context.Background(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}

	programFiles := filepath.Join(prefix, "drive_c", "Program Files", "Handwash")
	data := filepath.Join(prefix, "drive_c", "ProgramData", WindowsDataFolder)
	for _, p := range []string{programFiles, data} {
		if _, err := os.Stat(p); err == nil {
			t.Fatalf("%s exists before the installation: this prefix has Handwash installed already", p)
		}
	}
	srv := agenttest.NewServer()
	defer srv.Close()
	token := srv.AddEnrollToken(1)

	wineRun := func(args ...string) {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
		defer cancel()
		out, err := exec.CommandContext(ctx, wine, args...).CombinedOutput()
		if err != nil {
			t.Fatalf("wine %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	winMSI := `Z:` + strings.ReplaceAll(msi, "/", `\`)
	t.Cleanup(func() {
		// Whatever happened, leave the prefix without Handwash.
		exec.Command(wine, "msiexec", "/x", winMSI, "/qn").Run()
	})

	// A token the server refuses fails the installation, which leaves
	// nothing behind.
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	if out, err := exec.CommandContext(ctx, wine, "msiexec", "/i", winMSI, "SERVER="+srv.URL, "TOKEN=hwe_not_a_token", "/qn").CombinedOutput(); err == nil {
		t.Errorf("installing with a refused token succeeded:\n%s", out)
	}
	if _, err := os.Stat(filepath.Join(programFiles, "handwash.exe")); err == nil {
		t.Error("a failed installation left handwash.exe behind")
	}
	if svc := regQuery(t, wine, `HKLM\SYSTEM\CurrentControlSet\Services\`+agent.WindowsServiceName); svc != "" {
		t.Errorf("a failed installation left the service behind:\n%s", svc)
	}

	wineRun("msiexec", "/i", winMSI, "SERVER="+srv.URL, "TOKEN="+token, "/qn")
	if _, err := os.Stat(filepath.Join(programFiles, "handwash.exe")); err != nil {
		t.Errorf("handwash.exe is not installed: %v", err)
	}
	if _, err := os.Stat(filepath.Join(data, "agent.json")); err != nil {
		t.Errorf("the agent was not enrolled: %v", err)
	}
	if devs := srv.Devices(); len(devs) != 1 {
		t.Errorf("the server has %d devices, want the one enrolled", len(devs))
	}
	svc := regQuery(t, wine, `HKLM\SYSTEM\CurrentControlSet\Services\`+agent.WindowsServiceName)
	if !strings.Contains(svc, `handwash.exe`) || !strings.Contains(svc, "agent run") {
		t.Errorf("the service is not registered to run handwash.exe agent run:\n%s", svc)
	}
	if ev := regQuery(t, wine, `HKLM\SYSTEM\CurrentControlSet\Services\EventLog\Application\`+agent.WindowsServiceName); !strings.Contains(ev, "EventCreate.exe") {
		t.Errorf("the event log source is not registered:\n%s", ev)
	}

	// An upgrade replaces the older version. Windows keeps the enrolment
	// (the older version's removal runs with UPGRADINGPRODUCTCODE set, so
	// RemoveAgentData does not run; TestMSI checks that condition), but
	// Wine's RemoveExistingProducts runs "msiexec /qn /i {product}
	// REMOVE=ALL" without it, so under Wine the enrolment goes.
	newer, err := MSI{Version: "1.2.4", Binary: exe}.Write(context.Background(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	winNewer := `Z:` + strings.ReplaceAll(newer, "/", `\`)
	t.Cleanup(func() { exec.Command(wine, "msiexec", "/x", winNewer, "/qn").Run() })
	wineRun("msiexec", "/i", winNewer, "/qn")
	if _, err := os.Stat(filepath.Join(programFiles, "handwash.exe")); err != nil {
		t.Errorf("handwash.exe is gone after the upgrade: %v", err)
	}
	uninstall := regQuery(t, wine, `HKLM\Software\Microsoft\Windows\CurrentVersion\Uninstall`)
	pcOld, _ := ProductCode(testVersion)
	pcNew, _ := ProductCode("1.2.4")
	if strings.Contains(uninstall, pcOld) || !strings.Contains(uninstall, pcNew) {
		t.Errorf("after the upgrade, Windows lists these programs:\n%s\nwant %s and not %s", uninstall, pcNew, pcOld)
	}

	// Removal deletes the agent's whole folder: the enrolment, the state,
	// the spool and whatever else the agent keeps there.
	for _, f := range []string{"agent.json", "agent-state.json", "backup-verifications.json", "spool/rejected/x.json"} {
		p := filepath.Join(data, filepath.FromSlash(f))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte("{}\n"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	wineRun("msiexec", "/x", winNewer, "/qn")
	for _, p := range []string{filepath.Join(programFiles, "handwash.exe"), data} {
		if _, err := os.Stat(p); err == nil {
			t.Errorf("%s is still there after uninstalling", p)
		}
	}
	if svc := regQuery(t, wine, `HKLM\SYSTEM\CurrentControlSet\Services\`+agent.WindowsServiceName); svc != "" {
		t.Errorf("the service is still registered after uninstalling:\n%s", svc)
	}
}

// winePrefix reads the prefix the wrapper uses.
func winePrefix(t *testing.T, wrapper string) string {
	t.Helper()
	b, err := os.ReadFile(wrapper)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range strings.Fields(string(b)) {
		if v, ok := strings.CutPrefix(f, "WINEPREFIX="); ok {
			return strings.Trim(v, `'"`)
		}
	}
	t.Fatalf("%s does not set WINEPREFIX", wrapper)
	return ""
}

// regQuery returns what reg query prints for a key, or "" when the key
// does not exist.
func regQuery(t *testing.T, wine, key string) string {
	t.Helper()
	out, err := exec.Command(wine, "reg", "query", key).CombinedOutput()
	if err != nil {
		return ""
	}
	return string(out)
}
