package packaging

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/handwash/handwash/agent"
)

func needMSITools(t *testing.T) {
	t.Helper()
	needTool(t, "wixl", "wixl")
	needTool(t, "msibuild", "msitools")
	needTool(t, "msiinfo", "msitools")
}

func TestMSIFileName(t *testing.T) {
	for in, want := range map[string]string{"1.2.3": "handwash-1.2.3-x64.msi", "v1.2.3-rc.1": "handwash-1.2.3-rc.1-x64.msi"} {
		if got, err := (MSI{Version: in}).FileName(); err != nil || got != want {
			t.Errorf("FileName(%s) = %q, %v; want %q", in, got, err, want)
		}
	}
}

func TestMSIRefusesALinuxProgram(t *testing.T) {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "handwash.msi")
	if err := (MSI{Version: testVersion, Binary: exe}).Build(context.Background(), out); err == nil || !strings.Contains(err.Error(), "Windows program") {
		t.Errorf("building an MSI around a non-Windows program: %v", err)
	}
	if _, err := os.Stat(out); err == nil {
		t.Error("a failed build left an MSI behind")
	}
}

// TestMSI builds the MSI with wixl from a windows/amd64 handwash.exe and
// reads its tables back with msiinfo.
func TestMSI(t *testing.T) {
	needMSITools(t)
	exe := handwashBinary(t, "windows", "amd64")
	msi, err := MSI{Version: testVersion, Binary: exe}.Write(context.Background(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if filepath.Base(msi) != "handwash-1.2.3-x64.msi" {
		t.Errorf("the MSI is named %s", filepath.Base(msi))
	}

	tables := map[string]bool{}
	for _, name := range strings.Fields(command(t, "msiinfo", "tables", msi)) {
		tables[name] = true
	}
	for _, want := range []string{"File", "Component", "Property", "ServiceInstall", "ServiceControl", "CustomAction", "InstallExecuteSequence", "Registry", "Upgrade"} {
		if !tables[want] {
			t.Errorf("the MSI has no %s table (msiinfo tables: %v)", want, tables)
		}
	}
	ctx := context.Background()
	table := func(name string) [][]string {
		t.Helper()
		rows, err := MSITable(ctx, msi, name)
		if err != nil {
			t.Fatal(err)
		}
		return rows
	}
	// byKey indexes rows by their first column.
	byKey := func(rows [][]string) map[string][]string {
		m := map[string][]string{}
		for _, r := range rows {
			m[r[0]] = r
		}
		return m
	}

	// handwash.exe, in Program Files\Handwash.
	files := table("File")
	st, err := os.Stat(exe)
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 1 || files[0][2] != "handwash.exe" || files[0][3] != strconv.FormatInt(st.Size(), 10) {
		t.Errorf("File table %q: want handwash.exe alone, %d bytes", files, st.Size())
	}
	comps := table("Component")
	if len(comps) != 1 || comps[0][1] != "{"+componentGUID+"}" || comps[0][2] != "INSTALLDIR" || comps[0][5] != files[0][0] {
		t.Errorf("Component table %q", comps)
	}
	if a, _ := strconv.Atoi(comps[0][3]); a&256 == 0 {
		t.Errorf("the component is not 64-bit (attributes %s)", comps[0][3])
	}
	dirs := byKey(table("Directory"))
	if d := dirs["INSTALLDIR"]; d == nil || d[1] != "ProgramFiles64Folder" || d[2] != "Handwash" {
		t.Errorf("INSTALLDIR is %q, want Handwash in ProgramFiles64Folder", d)
	}

	// The version, the codes, and SERVER, TOKEN and FINGERPRINT passed
	// through and the token kept out of logs.
	props := map[string]string{}
	for _, r := range table("Property") {
		props[r[0]] = r[1]
	}
	pc, _ := ProductCode(testVersion)
	for name, want := range map[string]string{
		"ProductVersion":      testVersion,
		"ProductCode":         "{" + pc + "}",
		"UpgradeCode":         "{" + UpgradeCode + "}",
		"ProductName":         "Handwash",
		"Manufacturer":        Vendor,
		"ALLUSERS":            "1",
		"MsiHiddenProperties": "TOKEN",
	} {
		if props[name] != want {
			t.Errorf("property %s = %q, want %q", name, props[name], want)
		}
	}
	secure := map[string]bool{}
	for _, p := range strings.Split(props["SecureCustomProperties"], ";") {
		secure[p] = true
	}
	for _, p := range append(MSIProperties, "WIX_UPGRADE_DETECTED", "WIX_DOWNGRADE_DETECTED") {
		if !secure[p] {
			t.Errorf("SecureCustomProperties %q lacks %s", props["SecureCustomProperties"], p)
		}
	}

	// The service, as 'handwash agent install' makes it.
	svc := agent.WindowsServiceFor("", "")
	si := table("ServiceInstall")
	if len(si) != 1 {
		t.Fatalf("ServiceInstall table %q", si)
	}
	for i, want := range map[int]string{
		1:  agent.WindowsServiceName,
		2:  svc.DisplayName,
		3:  "16", // its own process
		4:  "2",  // automatic
		5:  "1",  // normal error control
		8:  "LocalSystem",
		10: "agent run",
		11: comps[0][0],
		12: svc.Description,
	} {
		if si[0][i] != want {
			t.Errorf("ServiceInstall column %d is %q, want %q", i+1, si[0][i], want)
		}
	}
	// 0x2 stop on install, 0x20 stop on removal, 0x80 delete on removal,
	// waiting; not started by the installer (StartAgent starts it once
	// enrolled).
	sc := table("ServiceControl")
	if len(sc) != 1 || sc[0][1] != agent.WindowsServiceName || sc[0][2] != "162" || sc[0][4] != "1" || sc[0][5] != comps[0][0] {
		t.Errorf("ServiceControl table %q", sc)
	}
	reg := map[string]string{}
	for _, r := range table("Registry") {
		if r[1] == "2" && r[2] == eventLogKey+agent.WindowsServiceName {
			reg[r[3]] = r[4]
		}
	}
	if reg["EventMessageFile"] != `%SystemRoot%\System32\EventCreate.exe` || reg["TypesSupported"] != "#7" {
		t.Errorf("event log source %q", reg)
	}

	// The custom actions and where they run.
	cas := byKey(table("CustomAction"))
	const deferredSystem = 1024 | 2048 // in the script, not impersonating: as SYSTEM
	for name, want := range map[string]struct {
		typ            int
		source, target string
	}{
		"EnrolAgent":         {18 | deferredSystem | hideTarget, files[0][0], `agent enroll --server "[SERVER]" --token "[TOKEN]" --fingerprint "[FINGERPRINT]"`},
		"StartAgent":         {18 | deferredSystem | 64, files[0][0], "agent install"},
		"SetRemoveAgentData": {51, "HandwashCmd", `[System64Folder]cmd.exe`},
		"RemoveAgentData":    {50 | deferredSystem | 64, "HandwashCmd", `/c rmdir /s /q "[CommonAppDataFolder]` + WindowsDataFolder + `"`},
	} {
		ca := cas[name]
		if ca == nil {
			t.Errorf("no custom action %s", name)
			continue
		}
		typ, _ := strconv.Atoi(ca[1])
		if typ&1024 == 0 {
			typ &^= 2048 // wixl marks immediate actions too; it means nothing there
		}
		if typ != want.typ || ca[2] != want.source || ca[3] != want.target {
			t.Errorf("custom action %s is %q, want type %d, source %s, target %s", name, ca, want.typ, want.source, want.target)
		}
	}
	seq := byKey(table("InstallExecuteSequence"))
	at := func(action string) int {
		t.Helper()
		r := seq[action]
		if r == nil {
			t.Fatalf("%s is not in InstallExecuteSequence", action)
		}
		n, _ := strconv.Atoi(r[2])
		return n
	}
	for _, c := range []struct {
		action, condition, after, before string
	}{
		{"SetRemoveAgentData", `REMOVE~="ALL" AND NOT UPGRADINGPRODUCTCODE`, "DeleteServices", "RemoveAgentData"},
		{"RemoveAgentData", `REMOVE~="ALL" AND NOT UPGRADINGPRODUCTCODE`, "DeleteServices", "RemoveFiles"},
		{"EnrolAgent", `SERVER AND NOT (REMOVE~="ALL")`, "InstallFiles", "InstallServices"},
		{"StartAgent", `NOT (REMOVE~="ALL")`, "InstallServices", "StartServices"},
		{"RemoveExistingProducts", "", "InstallValidate", "InstallInitialize"},
	} {
		if got := seq[c.action]; got == nil || got[1] != c.condition {
			t.Errorf("%s runs on condition %q, want %q", c.action, got, c.condition)
		}
		if n := at(c.action); n <= at(c.after) || n >= at(c.before) {
			t.Errorf("%s is at %d in InstallExecuteSequence, not between %s (%d) and %s (%d)", c.action, n, c.after, at(c.after), c.before, at(c.before))
		}
	}

	// Upgrades replace older versions and refuse to replace newer ones.
	up := table("Upgrade")
	var upgrade, downgrade bool
	for _, r := range up {
		if r[0] != "{"+UpgradeCode+"}" {
			t.Errorf("Upgrade row %q has another upgrade code", r)
		}
		upgrade = upgrade || r[6] == "WIX_UPGRADE_DETECTED" && r[2] == testVersion
		downgrade = downgrade || r[6] == "WIX_DOWNGRADE_DETECTED" && r[1] == testVersion
	}
	if !upgrade || !downgrade {
		t.Errorf("Upgrade table %q", up)
	}

	info := command(t, "msiinfo", "suminfo", msi)
	if !strings.Contains(info, "Template: x64;1033") {
		t.Errorf("the MSI is not for x64:\n%s", info)
	}
}
