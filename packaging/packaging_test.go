package packaging

import (
	"encoding/xml"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/handwash/handwash/agent"
)

func TestParseVersion(t *testing.T) {
	for in, want := range map[string]string{
		"1.2.3":            "1.2.3",
		"v1.2.3":           "1.2.3",
		"0.1.0":            "0.1.0",
		"1.2.3-rc.1":       "1.2.3-rc.1",
		"10.20.30+abc.def": "10.20.30+abc.def",
	} {
		v, err := ParseVersion(in)
		if err != nil {
			t.Errorf("ParseVersion(%q): %v", in, err)
			continue
		}
		if v.String() != want {
			t.Errorf("ParseVersion(%q) = %s, want %s", in, v, want)
		}
	}
	for _, bad := range []string{"", "1.2", "1.2.3.4", "01.2.3", "1.2.3-", "one.two.three", "1.2.3 ", "1.2.3-rc 1"} {
		if _, err := ParseVersion(bad); err == nil {
			t.Errorf("ParseVersion(%q) accepted it", bad)
		}
	}
}

func TestMSIVersionAndProductCode(t *testing.T) {
	if v, err := MSIVersion("v1.2.3-rc.1"); err != nil || v != "1.2.3" {
		t.Errorf("MSIVersion(v1.2.3-rc.1) = %q, %v; want 1.2.3", v, err)
	}
	for _, tooLarge := range []string{"256.0.0", "1.256.0", "1.2.65536"} {
		if _, err := MSIVersion(tooLarge); err == nil {
			t.Errorf("MSIVersion(%s) accepted a version Windows Installer cannot hold", tooLarge)
		}
	}
	guid := regexp.MustCompile(`^[0-9A-F]{8}-[0-9A-F]{4}-5[0-9A-F]{3}-[89AB][0-9A-F]{3}-[0-9A-F]{12}$`)
	a, err := ProductCode("1.2.3")
	if err != nil {
		t.Fatal(err)
	}
	if !guid.MatchString(a) {
		t.Errorf("ProductCode(1.2.3) = %s, not an upper-case version 5 GUID", a)
	}
	if again, _ := ProductCode("v1.2.3"); again != a {
		t.Errorf("the product code of one version changed between builds: %s, %s", a, again)
	}
	if b, _ := ProductCode("1.2.4"); b == a {
		t.Errorf("1.2.3 and 1.2.4 have the same product code %s", a)
	}
	if a == UpgradeCode {
		t.Error("the product code is the upgrade code")
	}
	// Known answer: RFC 9562's example of a version 5 UUID.
	if got := nameUUID("6ba7b810-9dad-11d1-80b4-00c04fd430c8", "www.example.com"); got != "2ED6657D-E927-568B-95E1-2665A8AEA6A2" {
		t.Errorf("nameUUID(DNS namespace, www.example.com) = %s", got)
	}
}

func TestSystemdUnitIsTheAgents(t *testing.T) {
	unit := SystemdUnit()
	want := agent.SystemdUnit(BinaryPath, "")
	_, wantRest, _ := strings.Cut(want, "\n")
	first, rest, _ := strings.Cut(unit, "\n")
	if first != unitHeader {
		t.Errorf("the unit's first line is %q, want %q", first, unitHeader)
	}
	// Beyond its first line, it differs only in turning self-update off:
	// the package manager updates the program.
	off := "Environment=" + agent.SelfUpdateEnv + "=off\n"
	if strings.Replace(rest, off, "", 1) != wantRest {
		t.Errorf("the packaged unit differs from what 'handwash agent install' writes, beyond its first line and self-update:\n%s\nwant:\n%s", rest, wantRest)
	}
	for _, line := range []string{
		"Environment=" + agent.SelfUpdateEnv + "=off",
		"ExecStart=/usr/bin/handwash agent run",
		"ReadWritePaths=" + ConfigDir,
		"WantedBy=multi-user.target",
	} {
		if !strings.Contains(unit, "\n"+line+"\n") {
			t.Errorf("the unit lacks %q:\n%s", line, unit)
		}
	}
	if !strings.HasSuffix(DebUnitPath, "/"+agent.SystemdUnitName) || !strings.HasSuffix(RPMUnitPath, "/"+agent.SystemdUnitName) {
		t.Errorf("unit paths %s and %s are not named %s", DebUnitPath, RPMUnitPath, agent.SystemdUnitName)
	}
}

// TestScripts checks the maintainer scripts' syntax and that each acts on
// the agent's unit and folder as the packages name them.
func TestScripts(t *testing.T) {
	sh := needTool(t, "sh", "dash")
	for format, names := range scriptNames {
		for i, name := range names {
			s, err := Script(format, name)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(s, "#!/bin/sh\n") {
				t.Errorf("%s %s does not start with #!/bin/sh", format, name)
			}
			if !strings.Contains(s, "unit="+agent.SystemdUnitName+"\n") {
				t.Errorf("%s %s does not name the unit %s", format, name, agent.SystemdUnitName)
			}
			path := filepath.Join(t.TempDir(), name)
			if err := os.WriteFile(path, []byte(s), 0o755); err != nil {
				t.Fatal(err)
			}
			if out, err := exec.Command(sh, "-n", path).CombinedOutput(); err != nil {
				t.Errorf("%s %s: sh -n: %v\n%s", format, name, err, out)
			}
			switch i {
			case 0: // after install: reload, never enable or start
				for _, want := range []string{"systemctl daemon-reload", "chmod 0700 " + ConfigDir, "systemctl try-restart", "handwash agent enroll --server", "systemctl enable --now handwash-agent"} {
					if !strings.Contains(s, want) {
						t.Errorf("%s %s lacks %q", format, name, want)
					}
				}
				// The commands, without the message for people (a here-document).
				code := s
				if from, to := strings.Index(code, "<<'MSG'"), strings.Index(code, "\nMSG\n"); from >= 0 && to > from {
					code = code[:from] + code[to:]
				}
				for _, line := range strings.Split(code, "\n") {
					l := strings.TrimSpace(line)
					if strings.HasPrefix(l, "systemctl enable") || strings.HasPrefix(l, "systemctl start") || strings.HasPrefix(l, "systemctl restart") {
						t.Errorf("%s %s turns the agent on before it is enrolled: %s", format, name, l)
					}
				}
			case 1: // before removal: stop and disable
				for _, want := range []string{`systemctl stop "$unit"`, `systemctl disable "$unit"`} {
					if !strings.Contains(s, want) {
						t.Errorf("%s %s lacks %q", format, name, want)
					}
				}
			case 2: // after removal: secrets go only on purge (deb) or erase (rpm)
				if !strings.Contains(s, "rm -rf "+ConfigDir+"\n") {
					t.Errorf("%s %s does not remove %s", format, name, ConfigDir)
				}
			}
		}
	}
	deb, _ := Script("deb", "postrm")
	purge := deb[strings.Index(deb, "purge)"):]
	if strings.Index(purge, "rm -rf") > strings.Index(purge, ";;") {
		t.Error("deb postrm removes /etc/handwash outside its purge case")
	}
	rpm, _ := Script("rpm", "postun")
	if !strings.Contains(rpm, "if [ \"$1\" -eq 0 ]; then\n\trm -rf /etc/handwash") {
		t.Error("rpm postun removes /etc/handwash other than on erase")
	}
}

func TestCheckBinary(t *testing.T) {
	// The test binary itself is a program for this platform.
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	if err := CheckBinary(exe, "windows", "amd64"); err == nil {
		t.Error("CheckBinary took a non-Windows program for windows/amd64")
	}
	notProgram := filepath.Join(t.TempDir(), "handwash")
	os.WriteFile(notProgram, []byte("#!/bin/sh\necho hello\n"), 0o755)
	for _, goos := range []string{"linux", "windows"} {
		if err := CheckBinary(notProgram, goos, "amd64"); err == nil {
			t.Errorf("CheckBinary took a shell script for %s", goos)
		}
	}
	if err := CheckBinary(exe, "darwin", "arm64"); err == nil {
		t.Error("CheckBinary accepted darwin, for which no packages are made")
	}
}

func TestWXS(t *testing.T) {
	src, err := MSI{Version: "v1.2.3-rc.1"}.WXS(`C:\a & <b>\handwash.exe`)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		XMLName xml.Name
		Product struct {
			ID          string `xml:"Id,attr"`
			UpgradeCode string `xml:"UpgradeCode,attr"`
			Version     string `xml:"Version,attr"`
			Directory   []struct {
				Directory []struct {
					Directory []struct {
						Name      string `xml:"Name,attr"`
						Component struct {
							File struct {
								Name   string `xml:"Name,attr"`
								Source string `xml:"Source,attr"`
							}
							ServiceInstall struct {
								Name      string `xml:"Name,attr"`
								Arguments string `xml:"Arguments,attr"`
								Start     string `xml:"Start,attr"`
								Account   string `xml:"Account,attr"`
							}
							ServiceControl []struct {
								Name   string `xml:"Name,attr"`
								Stop   string `xml:"Stop,attr"`
								Remove string `xml:"Remove,attr"`
								Start  string `xml:"Start,attr"`
								Wait   string `xml:"Wait,attr"`
							}
						}
					}
				}
			}
			CustomAction []struct {
				ID         string `xml:"Id,attr"`
				ExeCommand string `xml:"ExeCommand,attr"`
			}
		}
	}
	if err := xml.Unmarshal(src, &doc); err != nil {
		t.Fatalf("the WiX source is not XML: %v\n%s", err, src)
	}
	p := doc.Product
	if want, _ := ProductCode("1.2.3"); p.ID != want || p.UpgradeCode != UpgradeCode || p.Version != "1.2.3" {
		t.Errorf("product %s, upgrade code %s, version %s", p.ID, p.UpgradeCode, p.Version)
	}
	dir := p.Directory[0].Directory[0].Directory[0]
	c := dir.Component
	if dir.Name != "Handwash" || c.File.Name != "handwash.exe" || c.File.Source != `C:\a & <b>\handwash.exe` {
		t.Errorf("folder %q, file %q from %q", dir.Name, c.File.Name, c.File.Source)
	}
	svc := agent.WindowsServiceFor("", "")
	if c.ServiceInstall.Name != agent.WindowsServiceName || c.ServiceInstall.Arguments != strings.Join(svc.Args, " ") ||
		c.ServiceInstall.Arguments != "agent run" || c.ServiceInstall.Start != "auto" || c.ServiceInstall.Account != "LocalSystem" {
		t.Errorf("service %+v", c.ServiceInstall)
	}
	// Stopped (waiting) on install and removal and removed on removal; not
	// started by the installer (StartAgent starts it once enrolled).
	if sc := c.ServiceControl; len(sc) != 1 ||
		sc[0].Name != agent.WindowsServiceName || sc[0].Stop != "both" || sc[0].Remove != "uninstall" || sc[0].Start != "" || sc[0].Wait != "yes" {
		t.Errorf("service control %+v", sc)
	}
	cas := map[string]string{}
	for _, ca := range p.CustomAction {
		cas[ca.ID] = ca.ExeCommand
	}
	for id, want := range map[string]string{
		"EnrolAgent":      `agent enroll --server "[SERVER]" --token "[TOKEN]" --fingerprint "[FINGERPRINT]"`,
		"StartAgent":      "agent install",
		"RemoveAgentData": `/c rmdir /s /q "[CommonAppDataFolder]Handwash"`,
	} {
		if cas[id] != want {
			t.Errorf("custom action %s runs %q, want %q", id, cas[id], want)
		}
	}
}
