//go:build linux

package agent

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/handwash/handwash"
)

// stubSystemd makes install and uninstall act on a temporary unit path
// and record systemctl calls instead of making them.
func stubSystemd(t *testing.T, booted bool) *[]string {
	t.Helper()
	oldPath, oldBooted, oldCtl := unitPath, systemdBooted, systemctl
	t.Cleanup(func() { unitPath, systemdBooted, systemctl = oldPath, oldBooted, oldCtl })
	unitPath = filepath.Join(testDir(t), "system", SystemdUnitName)
	systemdBooted = func() bool { return booted }
	var calls []string
	systemctl = func(_ context.Context, args ...string) error {
		calls = append(calls, strings.Join(args, " "))
		return nil
	}
	return &calls
}

func TestInstallWithoutSystemdFailsClearly(t *testing.T) {
	if systemdBooted() {
		t.Skip("systemd runs this machine")
	}
	if !isAdmin() {
		t.Skip("install checks for root first")
	}
	exe := "/usr/local/bin/handwash"
	cfg := filepath.Join(testDir(t), "agent.json")
	testConfig().Save(cfg)
	err := InstallService(t.Context(), ServiceOptions{Executable: exe, ConfigPath: cfg})
	if handwash.ErrorCode(err) != handwash.EINVALID || !strings.Contains(err.Error(), "not run by systemd") {
		t.Errorf("err = %v", err)
	}
	if _, err := os.Stat(SystemdUnitPath); err == nil {
		t.Error("a unit was written")
	}
}

func TestInstallAndUninstallWithSystemd(t *testing.T) {
	if !isAdmin() {
		t.Skip("needs root")
	}
	calls := stubSystemd(t, true)
	cfg := filepath.Join(testDir(t), "handwash", "agent.json")
	if err := testConfig().Save(cfg); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	o := ServiceOptions{Executable: "/usr/local/bin/handwash", ConfigPath: cfg, Out: &out}
	if err := InstallService(t.Context(), o); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	b, err := os.ReadFile(unitPath)
	if err != nil || string(b) != SystemdUnit(o.Executable, cfg) {
		t.Errorf("unit file: %v\n%s", err, b)
	}
	if fi, _ := os.Stat(unitPath); fi.Mode().Perm() != 0o644 {
		t.Errorf("unit mode %o", fi.Mode().Perm())
	}
	want := []string{"daemon-reload", "enable " + SystemdUnitName, "restart " + SystemdUnitName}
	if diff := cmp.Diff(want, *calls); diff != "" {
		t.Errorf("install's systemctl calls (-want +got):\n%s", diff)
	}

	*calls = nil
	if err := UninstallService(t.Context(), o); err != nil {
		t.Fatal(err)
	}
	want = []string{"disable --now " + SystemdUnitName, "daemon-reload"}
	if diff := cmp.Diff(want, *calls); diff != "" {
		t.Errorf("uninstall's systemctl calls (-want +got):\n%s", diff)
	}
	for _, p := range []string{unitPath, cfg, filepath.Dir(cfg)} {
		if _, err := os.Stat(p); !os.IsNotExist(err) {
			t.Errorf("%s left behind", p)
		}
	}
}

func TestUninstallKeepConfig(t *testing.T) {
	if !isAdmin() {
		t.Skip("needs root")
	}
	stubSystemd(t, true)
	cfg := filepath.Join(testDir(t), "agent.json")
	testConfig().Save(cfg)
	if err := UninstallService(t.Context(), ServiceOptions{ConfigPath: cfg, KeepConfig: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(cfg); err != nil {
		t.Errorf("--keep-config removed the configuration: %v", err)
	}
}

func TestInstallRequiresEnrolment(t *testing.T) {
	if !isAdmin() {
		t.Skip("needs root")
	}
	stubSystemd(t, true)
	err := InstallService(t.Context(), ServiceOptions{Executable: "/usr/local/bin/handwash", ConfigPath: filepath.Join(testDir(t), "agent.json")})
	if handwash.ErrorCode(err) != handwash.ENOTFOUND {
		t.Errorf("err = %v", err)
	}
}
