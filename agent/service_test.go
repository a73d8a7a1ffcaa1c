package agent

import (
	"bytes"
	"encoding/xml"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/handwash/handwash/internal/golden"
)

func TestSystemdUnitGolden(t *testing.T) {
	golden.Check(t, "handwash-agent.service", SystemdUnit("/usr/local/bin/handwash", "/etc/handwash/agent.json"))
	// An unusual path stays one word, with systemd's specials escaped.
	golden.Check(t, "handwash-agent-custom.service", SystemdUnit(`/opt/Hand wash/handwash`, "/srv/100%/agent.json"))
}

func TestLaunchdPlistGolden(t *testing.T) {
	p := LaunchdPlist("/usr/local/bin/handwash", "/etc/handwash/agent.json")
	golden.Check(t, "dev.handwash.agent.plist", p)
	custom := LaunchdPlist("/Applications/Hand & Wash/handwash", "/Library/Handwash <test>/agent.json")
	golden.Check(t, "dev.handwash.agent-custom.plist", custom)
	// Both are well-formed XML.
	for _, doc := range []string{p, custom} {
		d := xml.NewDecoder(strings.NewReader(doc))
		d.Strict = true
		for {
			_, err := d.Token()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatalf("not well-formed: %v\n%s", err, doc)
			}
		}
	}
}

func TestWindowsServiceArgs(t *testing.T) {
	def := `C:\ProgramData\Handwash\agent.json`
	if got := WindowsServiceFor(def, def).Args; !cmp.Equal(got, []string{"agent", "run"}) {
		t.Errorf("default config: %q", got)
	}
	if got := WindowsServiceFor(`D:\hw\agent.json`, def).Args; !cmp.Equal(got, []string{"agent", "run", "--config", `D:\hw\agent.json`}) {
		t.Errorf("custom config: %q", got)
	}
}

// systemd-analyze checks the unit as systemd would load it, where the
// tool is installed (it needs no running systemd).
func TestSystemdUnitVerifies(t *testing.T) {
	tool, err := exec.LookPath("systemd-analyze")
	if err != nil {
		t.Skip("systemd-analyze is not installed")
	}
	exe, err := os.Executable() // any executable file will do for ExecStart
	if err != nil {
		t.Fatal(err)
	}
	dir := testDir(t)
	cfgDir := filepath.Join(dir, "etc handwash")
	os.MkdirAll(cfgDir, 0o700)
	unit := filepath.Join(dir, SystemdUnitName)
	if err := os.WriteFile(unit, []byte(SystemdUnit(exe, filepath.Join(cfgDir, "agent.json"))), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(tool, "verify", "--man=no", unit).CombinedOutput()
	// Complaints about the host (no systemd running, other units) are not
	// about this unit; only lines naming it count.
	var ours []string
	for _, line := range strings.Split(string(out), "\n") {
		if strings.Contains(line, SystemdUnitName) {
			ours = append(ours, line)
		}
	}
	if len(ours) > 0 {
		t.Errorf("systemd-analyze verify (%v):\n%s", err, strings.Join(ours, "\n"))
	}
	t.Logf("systemd-analyze verify: %v\n%s", err, out)
}

// dataSteps leave nothing of the agent behind, and nothing else is touched.
func TestUninstallRemovesTheAgentsFiles(t *testing.T) {
	dir := filepath.Join(testDir(t), "handwash")
	p := PathsFor(filepath.Join(dir, "agent.json"))
	if err := testConfig().Save(p.Config); err != nil {
		t.Fatal(err)
	}
	sp, _ := OpenSpool(p.Spool, nil)
	e, _, _ := sp.Add(testFacts("a", 1))
	sp.Reject(e)
	sp.Add(testFacts("b", 1))
	openState(p.State).update(func(s *State) { s.LastError = "x" })

	var out bytes.Buffer
	if err := runSteps(ServiceOptions{Out: &out}, dataSteps(p)); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		names, _ := readNames(dir)
		t.Errorf("%s still there, holding %v\n%s", dir, names, out.String())
	}

	// A folder shared with other files keeps them.
	os.MkdirAll(dir, 0o700)
	testConfig().Save(p.Config)
	os.WriteFile(filepath.Join(dir, "other.txt"), []byte("x"), 0o600)
	out.Reset()
	if err := runSteps(ServiceOptions{Out: &out}, dataSteps(p)); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "other.txt")); err != nil {
		t.Errorf("another file was removed: %v", err)
	}
	if _, err := os.Stat(p.Config); !os.IsNotExist(err) {
		t.Error("configuration left behind")
	}
	if !strings.Contains(out.String(), "Skipped remove "+dir) {
		t.Errorf("output:\n%s", out.String())
	}
}

func TestDryRunChangesNothing(t *testing.T) {
	dir := testDir(t)
	p := PathsFor(filepath.Join(dir, "agent.json"))
	testConfig().Save(p.Config)
	var out bytes.Buffer
	if err := UninstallService(t.Context(), ServiceOptions{ConfigPath: p.Config, DryRun: true, Out: &out}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(p.Config); err != nil {
		t.Errorf("dry run removed the configuration: %v", err)
	}
	if !strings.Contains(out.String(), "Would remove "+p.Config) {
		t.Errorf("output:\n%s", out.String())
	}
}

func TestCheckInstallRefusesATemporaryExecutable(t *testing.T) {
	cfg := filepath.Join(testDir(t), "agent.json")
	testConfig().Save(cfg)
	err := checkInstall(ServiceOptions{Executable: filepath.Join(os.TempDir(), "go-build1", "handwash"), ConfigPath: cfg})
	if err == nil || !strings.Contains(err.Error(), "temporary folder") {
		t.Errorf("err = %v", err)
	}
	if err := checkInstall(ServiceOptions{Executable: "handwash", ConfigPath: cfg}); err == nil {
		t.Error("accepted a relative path")
	}
}
