package packaging

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/handwash/handwash/agent"
)

// linuxPackages builds the amd64 .deb and .rpm once for the tests that
// read them.
var linuxPackages = struct {
	sync.Mutex
	paths map[string]string
}{paths: map[string]string{}}

func linuxPackage(t *testing.T, format string) string {
	t.Helper()
	skipUnderRace(t)
	bin := handwashBinary(t, "linux", "amd64")
	linuxPackages.Lock()
	defer linuxPackages.Unlock()
	if p, ok := linuxPackages.paths[format]; ok {
		return p
	}
	dir := filepath.Join(binDir, "packages")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	p, err := Linux{Version: testVersion, Arch: "amd64", Binary: bin}.Write(format, dir)
	if err != nil {
		t.Fatal(err)
	}
	linuxPackages.paths[format] = p
	return p
}

func TestLinuxFileNames(t *testing.T) {
	for _, c := range []struct{ version, arch, format, want string }{
		{"1.2.3", "amd64", "deb", "handwash_1.2.3_amd64.deb"},
		{"v1.2.3", "arm64", "deb", "handwash_1.2.3_arm64.deb"},
		{"1.2.3-rc.1", "amd64", "deb", "handwash_1.2.3~rc.1_amd64.deb"},
		{"1.2.3", "amd64", "rpm", "handwash-1.2.3-1.x86_64.rpm"},
		{"1.2.3", "arm64", "rpm", "handwash-1.2.3-1.aarch64.rpm"},
	} {
		got, err := Linux{Version: c.version, Arch: c.arch}.FileName(c.format)
		if err != nil || got != c.want {
			t.Errorf("FileName(%s %s %s) = %q, %v; want %q", c.version, c.arch, c.format, got, err, c.want)
		}
	}
	if _, err := (Linux{Version: "1.2.3", Arch: "386"}).FileName("deb"); err == nil {
		t.Error("a 386 package was named")
	}
	if _, err := (Linux{Version: "1.2.3", Arch: "amd64"}).FileName("apk"); err == nil {
		t.Error("an apk package was named")
	}
}

func TestLinuxRefusesTheWrongProgram(t *testing.T) {
	// The test binary is a Linux program, but not handwash for arm64
	// unless the tests run on arm64.
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	arch := "arm64"
	if CheckBinary(exe, "linux", "arm64") == nil {
		arch = "amd64"
	}
	err = Linux{Version: "1.2.3", Arch: arch, Binary: exe}.Build("deb", &bytes.Buffer{})
	if err == nil || !strings.Contains(err.Error(), "not linux/"+arch) {
		t.Errorf("packaging a program for the wrong architecture: %v", err)
	}
	path, err := Linux{Version: "1.2.3", Arch: arch, Binary: exe}.Write("rpm", t.TempDir())
	if err == nil {
		t.Errorf("Write made %s", path)
	}
}

func TestDeb(t *testing.T) {
	needTool(t, "dpkg-deb", "dpkg")
	deb := linuxPackage(t, "deb")

	info := command(t, "dpkg-deb", "--info", deb)
	for _, want := range []string{
		"Package: " + Name,
		"Version: " + testVersion,
		"Architecture: amd64",
		"Maintainer: " + Maintainer,
		"Homepage: " + Homepage,
		"Section: admin",
		"Description: " + Summary,
		" 'systemctl enable --now handwash-agent'.", // a continuation line
	} {
		if !strings.Contains(info, "\n "+want) {
			t.Errorf("dpkg-deb --info lacks %q:\n%s", want, info)
		}
	}
	for _, script := range []string{"postinst", "prerm", "postrm"} {
		if !regexp.MustCompile(`\s\*\s+` + script + `\s+#!/bin/sh`).MatchString(info) {
			t.Errorf("dpkg-deb --info does not list an executable %s:\n%s", script, info)
		}
	}

	// The files, their owners and permissions.
	contents := command(t, "dpkg-deb", "--contents", deb)
	for _, want := range []*regexp.Regexp{
		regexp.MustCompile(`(?m)^-rwxr-xr-x root/root +\d+ \S+ \S+ \./usr/bin/handwash$`),
		regexp.MustCompile(`(?m)^-rw-r--r-- root/root +\d+ \S+ \S+ \./lib/systemd/system/handwash-agent\.service$`),
		regexp.MustCompile(`(?m)^drwx------ root/root +0 \S+ \S+ \./etc/handwash/$`),
	} {
		if !want.MatchString(contents) {
			t.Errorf("dpkg-deb --contents has no line matching %s:\n%s", want, contents)
		}
	}
	var files []string
	for _, l := range strings.Split(strings.TrimSpace(contents), "\n") {
		if f := strings.Fields(l); len(f) > 0 && !strings.HasPrefix(f[0], "d") {
			files = append(files, f[len(f)-1])
		}
	}
	if strings.Join(files, " ") != "./lib/systemd/system/handwash-agent.service ./usr/bin/handwash" {
		t.Errorf("the package holds the files %q, want only the unit and the program", files)
	}

	// The maintainer scripts are ours, and the unit is the agent's.
	ctrl := t.TempDir()
	command(t, "dpkg-deb", "--control", deb, ctrl)
	for _, name := range []string{"postinst", "prerm", "postrm"} {
		got, err := os.ReadFile(filepath.Join(ctrl, name))
		if err != nil {
			t.Fatal(err)
		}
		if want, _ := Script("deb", name); string(got) != want {
			t.Errorf("the package's %s differs from scripts/deb/%s", name, name)
		}
	}
	root := t.TempDir()
	command(t, "dpkg-deb", "--extract", deb, root)
	unitFile := filepath.Join(root, DebUnitPath)
	unit, err := os.ReadFile(unitFile)
	if err != nil {
		t.Fatal(err)
	}
	if string(unit) != SystemdUnit() {
		t.Errorf("the package's unit differs from SystemdUnit():\n%s", unit)
	}
	if fi, err := os.Stat(filepath.Join(root, BinaryPath)); err != nil || fi.Size() == 0 {
		t.Errorf("the program in the package: %v", err)
	}

	t.Run("systemd-analyze verify", func(t *testing.T) {
		verifyUnit(t, string(unit), filepath.Join(root, BinaryPath))
	})
}

// verifyUnit runs systemd-analyze verify on unit, with its ExecStart
// pointed at exe (the program as extracted from the package: verify
// checks that the program exists, and it is not installed here).
func verifyUnit(t *testing.T, unit, exe string) {
	analyze := needTool(t, "systemd-analyze", "systemd")
	dir := t.TempDir()
	// First a unit that cannot be wrong: if that fails, systemd-analyze
	// cannot run here (some containers), which says nothing of ours.
	probe := filepath.Join(dir, "handwash-probe.service")
	os.WriteFile(probe, []byte("[Unit]\nDescription=probe\n\n[Service]\nType=oneshot\nExecStart=/bin/true\n"), 0o644)
	if out, err := exec.Command(analyze, "verify", "--man=no", probe).CombinedOutput(); err != nil {
		t.Skipf("systemd-analyze cannot run in this container or machine (it fails on a trivial unit: %v: %s)", err, bytes.TrimSpace(out))
	}
	if !strings.Contains(unit, "\nExecStart="+BinaryPath+" ") {
		t.Fatalf("the unit does not start %s:\n%s", BinaryPath, unit)
	}
	unit = strings.Replace(unit, "\nExecStart="+BinaryPath+" ", "\nExecStart="+exe+" ", 1)
	file := filepath.Join(dir, agent.SystemdUnitName)
	if err := os.WriteFile(file, []byte(unit), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(analyze, "verify", "--man=no", file).CombinedOutput()
	if err != nil || len(bytes.TrimSpace(out)) > 0 {
		t.Errorf("systemd-analyze verify %s: %v\n%s", agent.SystemdUnitName, err, out)
	}
}

func TestRPM(t *testing.T) {
	path := linuxPackage(t, "rpm")
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(b, []byte{0xed, 0xab, 0xee, 0xdb}) {
		t.Fatalf("%s does not start as an RPM package does", path)
	}
	needTool(t, "rpm", "rpm")
	info := command(t, "rpm", "--query", "--info", "--package", path)
	for _, re := range []string{
		`Name +: handwash\n`,
		`Version +: 1\.2\.3\n`,
		`Architecture: x86_64\n`,
		`License +: ` + regexp.QuoteMeta(Licence) + `\n`,
		`URL +: ` + regexp.QuoteMeta(Homepage) + `\n`,
		`Summary +: ` + regexp.QuoteMeta(Summary) + `\n`,
		`Packager +: ` + regexp.QuoteMeta(Maintainer) + `\n`,
		`Description :\nHandwash checks a computer`,
	} {
		if !regexp.MustCompile(re).MatchString(info) {
			t.Errorf("rpm --query --info has nothing matching %q:\n%s", re, info)
		}
	}
	list := command(t, "rpm", "--query", "--list", "--verbose", "--package", path)
	for _, re := range []string{
		`(?m)^drwx------ +\d+ root +root +0 .* /etc/handwash$`,
		`(?m)^-rwxr-xr-x +1 root +root +\d+ .* /usr/bin/handwash$`,
		`(?m)^-rw-r--r-- +1 root +root +\d+ .* /usr/lib/systemd/system/handwash-agent\.service$`,
	} {
		if !regexp.MustCompile(re).MatchString(list) {
			t.Errorf("rpm --query --list has nothing matching %q:\n%s", re, list)
		}
	}
	if n := len(strings.Split(strings.TrimSpace(list), "\n")); n != 3 {
		t.Errorf("the package holds %d entries, want 3:\n%s", n, list)
	}
	scripts := command(t, "rpm", "--query", "--scripts", "--package", path)
	for label, name := range map[string]string{"postinstall": "post", "preuninstall": "preun", "postuninstall": "postun"} {
		want, _ := Script("rpm", name)
		if !strings.Contains(scripts, label+" scriptlet (using /bin/sh):\n"+want) {
			t.Errorf("the package's %s scriptlet is not scripts/rpm/%s:\n%s", label, name, scripts)
		}
	}
}

// TestDpkgInstall installs the .deb on this machine, runs the program,
// and purges it. It changes the system, so it runs only as root with
// HANDWASH_TEST_DPKG=1 (as CI sets).
func TestDpkgInstall(t *testing.T) {
	if os.Getenv("HANDWASH_TEST_DPKG") != "1" {
		t.Skip("installs the package on this machine: set HANDWASH_TEST_DPKG=1, as root, to run it")
	}
	if os.Geteuid() != 0 {
		t.Skip("HANDWASH_TEST_DPKG is set, but dpkg -i needs root")
	}
	needTool(t, "dpkg", "dpkg")
	if out, err := exec.Command("dpkg-query", "--show", "--showformat=${Status}", Name).Output(); err == nil && strings.Contains(string(out), "installed") {
		t.Fatalf("a %s package is already installed here (%s): this test would replace and purge it", Name, out)
	}
	for _, p := range []string{BinaryPath, ConfigDir} {
		if _, err := os.Lstat(p); err == nil {
			t.Fatalf("%s exists already: this test would replace or remove it", p)
		}
	}
	deb := linuxPackage(t, "deb")
	t.Cleanup(func() {
		if out, err := exec.Command("dpkg", "--purge", Name).CombinedOutput(); err != nil {
			t.Logf("cleaning up: dpkg --purge: %v\n%s", err, out)
		}
	})

	out := command(t, "dpkg", "--install", deb)
	t.Logf("dpkg --install:\n%s", out)
	if !strings.Contains(out, "handwash agent enroll --server") {
		t.Errorf("the postinst did not say how to enrol:\n%s", out)
	}
	version := command(t, BinaryPath, "version")
	if !strings.HasPrefix(version, "handwash ") {
		t.Errorf("%s version printed %q", BinaryPath, version)
	}
	unit, err := os.ReadFile(DebUnitPath)
	if err != nil {
		t.Fatalf("the unit is not installed: %v", err)
	}
	if string(unit) != SystemdUnit() {
		t.Errorf("the installed unit is not SystemdUnit():\n%s", unit)
	}
	fi, err := os.Stat(ConfigDir)
	if err != nil || fi.Mode().Perm() != 0o700 || !fi.IsDir() {
		t.Errorf("%s: %v, mode %v; want a folder with mode 0700", ConfigDir, err, fi.Mode())
	}
	t.Run("systemd-analyze verify installed", func(t *testing.T) {
		verifyUnit(t, string(unit), BinaryPath)
	})

	// A stand-in enrolment, to see that purge deletes it.
	if err := os.WriteFile(filepath.Join(ConfigDir, "agent.json"), []byte("{}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	// Removal keeps the enrolment, for reinstalling; purge deletes it.
	out = command(t, "dpkg", "--remove", Name)
	t.Logf("dpkg --remove:\n%s", out)
	for _, p := range []string{BinaryPath, DebUnitPath} {
		if _, err := os.Lstat(p); err == nil {
			t.Errorf("%s is still there after dpkg --remove", p)
		}
	}
	if _, err := os.Stat(filepath.Join(ConfigDir, "agent.json")); err != nil {
		t.Errorf("dpkg --remove did not keep the enrolment: %v", err)
	}
	out = command(t, "dpkg", "--purge", Name)
	t.Logf("dpkg --purge:\n%s", out)
	for _, p := range []string{BinaryPath, DebUnitPath, ConfigDir} {
		if _, err := os.Lstat(p); err == nil {
			t.Errorf("%s is still there after dpkg --purge", p)
		}
	}
}
