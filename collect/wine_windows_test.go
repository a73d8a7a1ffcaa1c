//go:build windows

package collect

import (
	"context"
	"errors"
	"io/fs"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unsafe"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/handwash/handwash"
	"golang.org/x/sys/windows"
	"golang.org/x/sys/windows/registry"
)

// TestRealWindowsCollectors runs Collect with the real host and the real
// Windows collectors: registry, Win32 and COM calls, no recordings. On
// Windows it checks what must hold on any machine. Under Wine (CI runs it
// there; see scripts/wine-setup) it first seeds registry values and checks
// that each comes back through the collectors, and that what Wine cannot
// serve (WMI, PowerShell, BitLocker, the Windows Update Agent) ends as a
// Missing entry, never as a made-up value.
//
//	bin=$(scripts/wine-setup) && PATH="$bin:$PATH" GOOS=windows GOARCH=amd64 \
//	    go test -run TestRealWindowsCollectors ./collect
func TestRealWindowsCollectors(t *testing.T) {
	wine := underWine()
	if wine {
		t.Log("under Wine: seeding the registry and checking it is read back")
		seedRegistry(t, wineSeeds)
	} else {
		t.Log("on Windows: checking what holds on any machine; nothing outside HKCU\\Software\\Handwash is written")
	}
	socks := openTestSockets(t, wine)
	src := realWinSource()

	t.Run("registry round trip", func(t *testing.T) { testRealRegistry(t, src) })
	t.Run("listeners", func(t *testing.T) { testRealListeners(t, src, socks, wine) })
	t.Run("accounts and join", func(t *testing.T) { testRealAccounts(t, src, wine) })

	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	start := time.Now()
	f := Collect(ctx, Options{Version: "test"})
	took := time.Since(start)
	t.Logf("Collect took %v", took.Round(time.Millisecond))
	// Collect stops waiting at the longest collector timeout plus a second,
	// whatever a stuck WMI or COM call does.
	if limit := maxTimeout(windowsCollectors()) + 3*time.Second; took > limit {
		t.Errorf("Collect took %v, more than its own bound %v", took, limit)
	}

	t.Run("collection", func(t *testing.T) { checkCollection(t, f, wine) })
	t.Run("device and os", func(t *testing.T) { checkDeviceAndOS(t, f, wine) })
	t.Run("registry topics", func(t *testing.T) { checkRegistryTopics(t, f) })
	if wine {
		t.Run("seeded values", func(t *testing.T) { checkSeeded(t, f, socks) })
		t.Run("what Wine cannot serve", func(t *testing.T) { checkWineGaps(t, f) })
	}
}

// underWine says whether the test runs under Wine, which keeps its own
// settings in HKCU\Software\Wine.
func underWine() bool {
	k, err := registry.OpenKey(registry.CURRENT_USER, `Software\Wine`, registry.QUERY_VALUE)
	if err != nil {
		return false
	}
	k.Close()
	return true
}

// wineCollectorFailures are the collectors that fail as a whole under Wine
// 8.0, and why. Any other failure is a bug in the Windows code (or a new
// gap in Wine, to be written down here and in docs/ARCHITECTURE.md).
var wineCollectorFailures = map[string]string{
	"windows-accounts":        "local users come from WMI (Win32_UserAccount), which Wine cannot serve",
	"windows-password-policy": "Wine's NetUserModalsGet implements neither level 0 nor level 3",
}

func checkCollection(t *testing.T, f *handwash.Facts, wine bool) {
	if f.Schema != handwash.FactsSchema {
		t.Errorf("schema = %q, want %q", f.Schema, handwash.FactsSchema)
	}
	if got, want := f.Collection.Elevated, windows.GetCurrentProcessToken().IsElevated(); got != want {
		t.Errorf("collection.elevated = %v, want %v", got, want)
	}
	ran := map[string]bool{}
	for _, c := range f.Collection.Collectors {
		ran[c.Name] = true
		t.Logf("collector %-28s %5d ms %s", c.Name, c.DurationMS, c.Error)
		switch {
		case c.Error == "":
		case strings.HasPrefix(c.Error, "internal error"):
			t.Errorf("collector %s panicked: %s", c.Name, c.Error)
		case c.Error == errTimedOut || c.Error == "did not finish in time":
			t.Errorf("collector %s overran its timeout", c.Name)
		case !wine:
			t.Errorf("collector %s failed: %s", c.Name, c.Error)
		case wineCollectorFailures[c.Name] == "":
			t.Errorf("collector %s failed under Wine, which it did not before: %s", c.Name, c.Error)
		}
	}
	for _, c := range Collectors() {
		if !ran[c.Name] {
			t.Errorf("collector %s is not in collection.collectors", c.Name)
		}
	}
	for _, m := range f.Collection.Missing {
		if handwash.ReasonText(m.Reason) == m.Reason {
			t.Errorf("missing %s has an unknown reason %q", m.Fact, m.Reason)
		}
		if strings.TrimSpace(m.Detail) == "" {
			t.Errorf("missing %s (%s) says nothing", m.Fact, m.Reason)
		}
		// Errors of the stand-in source or of a recording, or go-ole's
		// placeholder for an empty description, must never reach a report.
		for _, bad := range []string{errNotWindows.Error(), "no recording", "<nil>"} {
			if strings.Contains(m.Detail, bad) {
				t.Errorf("missing %s: detail %q contains %q", m.Fact, m.Detail, bad)
			}
		}
	}
	// Every topic a Windows collector fills is either filled or has a
	// reason of its own, not the catch-all "no collector".
	covered := map[string]bool{}
	for _, c := range windowsCollectors() {
		for _, topic := range c.Topics {
			covered[topic] = true
		}
	}
	v := reflect.ValueOf(f).Elem()
	for i := 0; i < v.NumField(); i++ {
		fv := v.Field(i)
		if fv.Kind() != reflect.Pointer || !fv.IsNil() {
			continue
		}
		name := jsonName(v.Type().Field(i))
		m, ok := f.MissingFor(name)
		if !ok && !hasMissingUnder(f, name) {
			t.Errorf("topic %s is nil with no Missing entry", name)
			continue
		}
		if covered[name] && ok && strings.HasPrefix(m.Detail, "no collector") {
			t.Errorf("topic %s has a collector but is recorded as %q", name, m.Detail)
		}
	}
}

func checkDeviceAndOS(t *testing.T, f *handwash.Facts, wine bool) {
	d := f.Device
	if d.Platform != "windows" {
		t.Errorf("device.platform = %q, want windows", d.Platform)
	}
	if !slices.Contains([]string{"amd64", "arm64", "386"}, d.Arch) {
		t.Errorf("device.arch = %q", d.Arch)
	}
	if host, err := os.Hostname(); err == nil && !strings.EqualFold(d.Hostname, host) {
		t.Errorf("device.hostname = %q, want %q", d.Hostname, host)
	}
	guid := regString(t, registry.LOCAL_MACHINE, `SOFTWARE\Microsoft\Cryptography`, "MachineGuid")
	if want := DeviceID(guid); d.ID != want {
		t.Errorf("device.id = %q, want %q (from MachineGuid %s)", d.ID, want, guid)
	}
	if d.Join == "" {
		t.Errorf("device.join is empty")
	}

	o := f.OS
	if o == nil {
		m, _ := f.MissingFor("os")
		t.Fatalf("os is nil: %s", m.Detail)
	}
	// The build the registry gives must be the one the kernel reports.
	rv := windows.RtlGetVersion()
	if want := strconv.Itoa(int(rv.BuildNumber)); o.Build != want {
		t.Errorf("os.build = %q, but RtlGetVersion says %s", o.Build, want)
	}
	if rv.MajorVersion == 10 && o.Version != "10.0."+o.Build {
		t.Errorf("os.version = %q, want 10.0.%s", o.Version, o.Build)
	}
	if o.ID != "windows" || !strings.Contains(o.Name, "Windows") {
		t.Errorf("os id %q, name %q", o.ID, o.Name)
	}
	if build, _ := strconv.Atoi(o.Build); build >= 22000 != strings.Contains(o.Name, "Windows 11") {
		t.Errorf("os.name %q does not match build %s", o.Name, o.Build)
	}
	if wine {
		if build, _ := strconv.Atoi(o.Build); build < 10240 {
			t.Errorf("Wine reports build %s: it should pretend to be Windows 10 (scripts/wine-setup runs winecfg -v win10)", o.Build)
		}
		return
	}
	// Every Windows 10 and 11 has an EditionID and a UBR.
	if o.Edition == "" || o.Revision == nil {
		t.Errorf("os.edition %q, os.revision %v: want both", o.Edition, o.Revision)
	}
}

// checkRegistryTopics checks the topics read from the registry, which
// every Windows (and Wine) can serve: each is there, with its parts.
func checkRegistryTopics(t *testing.T, f *handwash.Facts) {
	if fw := f.Firewall; fw == nil {
		t.Error("firewall is nil")
	} else {
		var names []string
		for _, p := range fw.Profiles {
			names = append(names, p.Name)
			if p.Enabled == nil {
				t.Errorf("firewall profile %s: enabled unknown", p.Name)
			}
		}
		if !slices.Equal(names, []string{"domain", "private", "public"}) && !slices.Equal(names, []string{"default"}) {
			t.Errorf("firewall profiles = %v", names)
		}
	}
	if ra := f.RemoteAccess; ra == nil || ra.RDP == nil || ra.RDP.Enabled == nil || ra.RDP.Port == nil {
		t.Errorf("remote_access.rdp incomplete: %+v", ra)
	}
	if s := f.SMB; s == nil {
		t.Error("smb is nil")
	} else {
		for name, v := range map[string]*bool{"v1_server": s.V1Server, "v1_client": s.V1Client, "signing_required": s.SigningRequired} {
			if _, missing := f.MissingFor("smb." + name); (v == nil) != missing {
				t.Errorf("smb.%s = %v, but missing is %v", name, v, missing)
			}
		}
	}
	if rm := f.RemovableMedia; rm == nil || rm.USBStorage == "" {
		t.Errorf("removable_media incomplete: %+v", rm)
	} else if _, missing := f.MissingFor("removable_media.autorun_disabled"); (rm.AutorunDisabled == nil) != missing {
		t.Errorf("removable_media.autorun_disabled = %v, but missing is %v", rm.AutorunDisabled, missing)
	}
	if u := f.Updates; u == nil || u.Automatic == nil {
		t.Errorf("updates.automatic unknown: %+v", u)
	}
	if s := f.Software; s == nil || s.Items == nil {
		t.Errorf("software.items missing: %+v", s)
	} else {
		for _, it := range s.Items {
			if it.Name == "" || it.Source != "registry" {
				t.Errorf("software item %+v", it)
			}
		}
	}
	if sl := f.ScreenLock; sl == nil || sl.PINMinLength == nil {
		t.Errorf("screen_lock incomplete: %+v", sl)
	}
	if ac := f.AppControl; ac == nil || ac.ReputationCheck == nil || ac.InstallSources == "" {
		t.Errorf("app_control incomplete: %+v", ac)
	}
	if f.Network == nil || f.Network.Listeners == nil {
		t.Errorf("network.listeners missing: %+v", f.Network)
	}
	if f.WiFi == nil {
		m, _ := f.MissingFor("wifi")
		t.Errorf("wifi is nil: %s", m.Detail)
	}
	if f.PasswordPolicy != nil && f.PasswordPolicy.MinLength == nil {
		t.Errorf("password_policy without a minimum length: %+v", f.PasswordPolicy)
	}
}

// regString reads one REG_SZ value straight through x/sys, to compare with
// what the collectors made of it.
func regString(t *testing.T, root registry.Key, path, name string) string {
	t.Helper()
	k, err := registry.OpenKey(root, path, registry.QUERY_VALUE|registry.WOW64_64KEY)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	defer k.Close()
	s, _, err := k.GetStringValue(name)
	if err != nil {
		t.Fatalf("%s\\%s: %v", path, name, err)
	}
	return s
}

// testRealRegistry writes every value type under HKCU (harmless on any
// machine) and reads it back through RegValues, whose buffer sizing and
// decoding are otherwise only tested on bytes made up by hand.
func testRealRegistry(t *testing.T, src winSource) {
	const path = `Software\Handwash\RealWindowsTest`
	long := strings.Repeat("0123456789", 10_000) // far beyond a first guess at a buffer
	raw := func(k registry.Key, name string, typ uint32, b []byte) {
		if err := setRawValue(k, name, typ, b); err != nil {
			t.Fatal(err)
		}
	}
	k, _, err := registry.CreateKey(registry.CURRENT_USER, path, registry.ALL_ACCESS)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { deleteKeyTree(registry.CURRENT_USER, `Software\Handwash`) })
	for _, err := range []error{
		k.SetStringValue("Text", "Grüße, café ✓"),
		k.SetStringValue("", "the default value"),
		k.SetStringValue("Empty", ""),
		k.SetStringValue("Long", long),
		k.SetExpandStringValue("Expand", `%SystemRoot%\System32`),
		k.SetStringsValue("Multi", []string{"one", "two", "three"}),
		k.SetDWordValue("MixedCaseDWORD", 0xFFFFFFFF),
		k.SetQWordValue("Qword", 1<<40+5),
		k.SetBinaryValue("Blob", []byte{0, 1, 2, 0xFF}),
		k.SetBinaryValue("NoBytes", nil),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}
	raw(k, "BigEndian", registry.DWORD_BIG_ENDIAN, []byte{0, 0, 1, 2})
	raw(k, "None", registry.NONE, []byte{7})
	k.Close()
	sk, _, err := registry.CreateKey(registry.CURRENT_USER, path+`\Sub Key`, registry.ALL_ACCESS)
	if err != nil {
		t.Fatal(err)
	}
	sk.Close()

	want := regValues{
		"text":           {Type: regSZ, Str: "Grüße, café ✓"},
		"":               {Type: regSZ, Str: "the default value"},
		"empty":          {Type: regSZ, Str: ""},
		"long":           {Type: regSZ, Str: long},
		"expand":         {Type: regExpandSZ, Str: `%SystemRoot%\System32`},
		"multi":          {Type: regMultiSZ, Strs: []string{"one", "two", "three"}},
		"mixedcasedword": {Type: regDWORD, Num: 0xFFFFFFFF},
		"qword":          {Type: regQWORD, Num: 1<<40 + 5},
		"blob":           {Type: regBinary, Bin: []byte{0, 1, 2, 0xFF}},
		"nobytes":        {Type: regBinary},
		"bigendian":      {Type: regDWORD, Num: 0x102},
		"none":           {Type: regNone, Bin: []byte{7}},
	}
	// HKCU, and the same hive as HKU\<SID> (how collectors reach a user's
	// settings), read alike.
	paths := []string{`HKCU\` + path, `HKEY_CURRENT_USER\` + path + `\`}
	if tok, err := src.ProcessToken(); err == nil {
		paths = append(paths, userKey(tok.SID, path))
	}
	for _, p := range paths {
		got, err := src.RegValues(p)
		if err != nil {
			t.Errorf("RegValues(%s): %v", p, err)
			continue
		}
		if diff := cmp.Diff(want, got, cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("RegValues(%s) (-want +got):\n%s", p, diff)
		}
	}
	if got, err := src.RegSubkeys(`HKCU\` + path); err != nil || !slices.Equal(got, []string{"Sub Key"}) {
		t.Errorf("RegSubkeys = %q, %v; want [Sub Key]", got, err)
	}
	for _, p := range []string{`HKCU\` + path + `\Nope`, `HKLM\SOFTWARE\Handwash\Nope\Nope`} {
		_, err := src.RegValues(p)
		if !errors.Is(err, fs.ErrNotExist) || reasonFor(err) != handwash.ReasonNotInstalled {
			t.Errorf("RegValues(%s): err %v, want fs.ErrNotExist", p, err)
		}
		if _, err := src.RegSubkeys(p); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("RegSubkeys(%s): err %v, want fs.ErrNotExist", p, err)
		}
	}
	if _, err := src.RegValues(`HKXX\Software`); err == nil {
		t.Error("an unknown root gave no error")
	}
	hives, err := src.RegSubkeys(`HKU`)
	if err != nil || !slices.Contains(hives, ".DEFAULT") && !slices.Contains(hives, ".Default") {
		t.Errorf("RegSubkeys(HKU) = %q, %v; want the loaded hives", hives, err)
	}
}

// testSockets are the sockets this test opens, for the listener checks.
type testSockets struct {
	byKey map[string]bool // "tcp|127.0.0.1|port"
	// public is a TCP listener on every IPv4 address (under Wine only:
	// on Windows it would make the firewall ask), or 0.
	public int
}

// openTestSockets opens TCP and UDP sockets on the loopback addresses, over
// raw Winsock for UDP because Go's net package asks for an ioctl Wine 8.0
// lacks (SIO_UDP_CONNRESET).
func openTestSockets(t *testing.T, wine bool) testSockets {
	s := testSockets{byKey: map[string]bool{}}
	var wsa windows.WSAData
	if err := windows.WSAStartup(0x202, &wsa); err != nil {
		t.Fatalf("WSAStartup: %v", err)
	}
	t.Cleanup(func() { windows.WSACleanup() })
	listen := func(network, addr string) int {
		ln, err := net.Listen(network, addr)
		if err != nil {
			t.Logf("no %s socket on %s: %v", network, addr, err)
			return 0
		}
		t.Cleanup(func() { ln.Close() })
		return ln.Addr().(*net.TCPAddr).Port
	}
	if p := listen("tcp4", "127.0.0.1:0"); p != 0 {
		s.byKey["tcp|127.0.0.1|"+strconv.Itoa(p)] = true
	}
	if p := listen("tcp6", "[::1]:0"); p != 0 {
		s.byKey["tcp|::1|"+strconv.Itoa(p)] = true
	}
	udp := func(family int, sa windows.Sockaddr, addr string) {
		h, err := windows.Socket(family, windows.SOCK_DGRAM, windows.IPPROTO_UDP)
		if err != nil {
			t.Logf("no UDP socket for %s: %v", addr, err)
			return
		}
		t.Cleanup(func() { windows.Closesocket(h) })
		if err := windows.Bind(h, sa); err != nil {
			t.Logf("cannot bind UDP to %s: %v", addr, err)
			return
		}
		got, err := windows.Getsockname(h)
		if err != nil {
			t.Fatal(err)
		}
		port := 0
		switch a := got.(type) {
		case *windows.SockaddrInet4:
			port = a.Port
		case *windows.SockaddrInet6:
			port = a.Port
		}
		s.byKey["udp|"+addr+"|"+strconv.Itoa(port)] = true
	}
	udp(windows.AF_INET, &windows.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}, "127.0.0.1")
	udp(windows.AF_INET6, &windows.SockaddrInet6{Addr: [16]byte{15: 1}}, "::1")
	if wine {
		s.public = listen("tcp4", "0.0.0.0:0")
	}
	return s
}

// testRealListeners checks GetExtendedTcpTable and GetExtendedUdpTable:
// the four row layouts must give back the address and port of each socket
// this test opened, and (where Windows says, which Wine 8.0 does not) this
// process as its owner.
func testRealListeners(t *testing.T, src winSource, socks testSockets, wine bool) {
	ls, err := src.Listeners()
	if err != nil {
		t.Fatal(err)
	}
	exe, _ := os.Executable()
	found := map[string]bool{}
	for _, l := range ls {
		key := l.Protocol + "|" + l.Address + "|" + strconv.Itoa(l.Port)
		if !socks.byKey[key] {
			continue
		}
		found[key] = true
		switch {
		case l.PID == 0 && wine:
			// Wine cannot tell which process owns a socket.
		case l.PID != uint32(os.Getpid()):
			t.Errorf("%s: owner %d, want this process %d", key, l.PID, os.Getpid())
		case !strings.EqualFold(filepath.Base(l.Image), filepath.Base(exe)):
			t.Errorf("%s: image %q, want %s", key, l.Image, filepath.Base(exe))
		}
	}
	for key := range socks.byKey {
		if !found[key] {
			t.Errorf("socket %s is not among the %d listeners", key, len(ls))
		}
	}
	if len(socks.byKey) < 2 {
		t.Errorf("only %d test sockets could be opened", len(socks.byKey))
	}
}

// testRealAccounts checks the token, console user and join calls.
func testRealAccounts(t *testing.T, src winSource, wine bool) {
	tok, err := src.ProcessToken()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(tok.SID, "S-1-") || tok.Name == "" || tok.Admin == nil {
		t.Errorf("process token %+v", tok)
	}
	if tok.Elevated != windows.GetCurrentProcessToken().IsElevated() {
		t.Errorf("process token elevated = %v", tok.Elevated)
	}
	u, err := src.ConsoleUser()
	switch {
	case errors.Is(err, errNoConsoleUser):
		t.Log("nobody is signed in at the console")
	case err != nil:
		t.Errorf("ConsoleUser: %v", err)
	default:
		// Per-user settings are read from HKU\<SID>: the hive must be there.
		if _, err := src.RegSubkeys(`HKU\` + u.SID); err != nil {
			t.Errorf("console user %s: hive HKU\\%s: %v", u.Name, u.SID, err)
		}
		if wine && u.SID != tok.SID {
			t.Errorf("under Wine the console user %s should be this process's %s", u.SID, tok.SID)
		}
	}
	j, err := src.JoinInfo()
	if err != nil {
		t.Errorf("JoinInfo: %v", err)
	} else if j.Status < 1 || j.Status > 3 || j.Name == "" {
		t.Errorf("JoinInfo = %+v", j)
	}
	members, err := src.LocalGroupMembers(sidAdministrators)
	switch {
	case err != nil:
		t.Errorf("LocalGroupMembers(Administrators): %v", err)
	case wine:
		t.Logf("Administrators under Wine: %d members", len(members)) // Wine lists none
	case len(members) == 0:
		// The built-in Administrator (RID 500) is always a member.
		t.Error("Administrators has no members")
	}
	for _, m := range members {
		if !strings.HasPrefix(m.SID, "S-1-") || m.DomainAndName == "" {
			t.Errorf("group member %+v", m)
		}
	}
}

// regSeed is a registry value the test writes under Wine.
type regSeed struct {
	path  string // HKLM\… or HKCU\…
	name  string
	value any // string, uint32, []string
	// wow32 writes through the 32-bit view, as a 32-bit installer does.
	wow32 bool
}

const (
	seedUninstall = `HKLM\SOFTWARE\Microsoft\Windows\CurrentVersion\Uninstall\`
	seedUser      = `HKCU\Software\Microsoft\Windows\CurrentVersion\Uninstall\`
)

// wineSeeds are the settings checkSeeded expects back. They change the
// Wine prefix only for the length of the test.
var wineSeeds = []regSeed{
	{keyCurrentVersion, "EditionID", "Professional", false},
	{keyCurrentVersion, "UBR", uint32(1234), false},
	{keyCurrentVersion, "ReleaseId", "1903", false},
	{keyEnrollments + `\{4F5A3C1E-9B2D-4C6E-8A7F-0123456789AB}`, "ProviderID", "MS DM Server", false},
	{keyFindMyPolicy, "AllowFindMyDevice", uint32(0), false},

	{keyFirewallSvc, "Start", uint32(2), false},
	{keyFirewallLocal + `\DomainProfile`, "EnableFirewall", uint32(0), false},
	{keyFirewallPolicy + `\DomainProfile`, "EnableFirewall", uint32(1), false},
	{keyFirewallLocal + `\StandardProfile`, "EnableFirewall", uint32(0), false},
	{keyFirewallPolicy + `\PublicProfile`, "DefaultInboundAction", uint32(0), false},
	{keyDefenderPolicy, "PUAProtection", uint32(1), false},

	{keyTerminalServer, "fDenyTSConnections", uint32(0), false},
	{keyRDPTcp, "UserAuthentication", uint32(1), false},
	{keyRDPTcp, "SecurityLayer", uint32(2), false},
	{keyRDPTcp, "PortNumber", uint32(3390), false},

	{keyLanmanServer, "SMB1", uint32(1), false},
	{keyLanmanServer, "RequireSecuritySignature", uint32(1), false},
	{keySMB1ServerDriver, "Start", uint32(2), false},
	{keySMB1ClientDriver, "Start", uint32(4), false},

	{keyExplorerPolicies, "NoDriveTypeAutoRun", uint32(0xFF), false},
	{`HKCU\` + userRemovablePolicy + `\` + removableDiskClass, "Deny_Write", uint32(1), false},

	{keySystemPolicies, "InactivityTimeoutSecs", uint32(900), false},
	{`HKCU\` + userDesktop, "ScreenSaveActive", "1", false},
	{`HKCU\` + userDesktop, "ScreenSaverIsSecure", "1", false},
	{`HKCU\` + userDesktop, "SCRNSAVE.EXE", `C:\windows\system32\scrnsave.scr`, false},
	{`HKCU\` + userDesktop, "ScreenSaveTimeOut", "600", false},
	{keyPINComplexity, "MinimumPINLength", uint32(6), false},

	{keyAUPolicy, "NoAutoUpdate", uint32(1), false},
	{keyWURebootNeeded, "HandwashTest", uint32(1), false},
	{keySystemPolicy, "EnableSmartScreen", uint32(1), false},
	{keySystemPolicy, "ShellSmartScreenLevel", "Block", false},

	{seedUninstall + "HandwashWineTest", "DisplayName", "Handwash Wine Test", false},
	{seedUninstall + "HandwashWineTest", "DisplayVersion", "1.2.3", false},
	{seedUninstall + "HandwashWineTest", "Publisher", "Handwash", false},
	{seedUninstall + "HandwashWineTestHidden", "DisplayName", "Handwash Hidden Component", false},
	{seedUninstall + "HandwashWineTestHidden", "SystemComponent", uint32(1), false},
	{seedUninstall + "HandwashWineTestUpdate", "DisplayName", "Update for Handwash Wine Test", false},
	{seedUninstall + "HandwashWineTestUpdate", "ParentKeyName", "HandwashWineTest", false},
	{seedUninstall + "HandwashWineTest32", "DisplayName", "Handwash Wine Test (32-bit)", true},
	{seedUninstall + "HandwashWineTest32", "DisplayVersion", "4.5", true},
	{seedUser + "HandwashWineTestUser", "DisplayName", "Handwash Per-User Test", false},
	{seedUser + "HandwashWineTestUser", "DisplayVersion", "7.8.9", false},
}

func checkSeeded(t *testing.T, f *handwash.Facts, socks testSockets) {
	if o := f.OS; o != nil {
		if o.Edition != "Professional" || o.Revision == nil || *o.Revision != 1234 || o.DisplayVersion != "1903" {
			t.Errorf("os: edition %q, revision %v, display version %q; want Professional, 1234, 1903", o.Edition, o.Revision, o.DisplayVersion)
		}
	}
	if d := f.Device; d.MDMEnrolled == nil || !*d.MDMEnrolled || d.FindMy == nil || *d.FindMy {
		t.Errorf("device: mdm_enrolled %v, find_my %v; want true, false", d.MDMEnrolled, d.FindMy)
	}

	if fw := f.Firewall; fw != nil {
		want := []handwash.FirewallProfile{
			{Name: "domain", Enabled: boolPtr(true), DefaultInbound: "block"}, // policy over local
			{Name: "private", Enabled: boolPtr(false), DefaultInbound: "block"},
			{Name: "public", Enabled: boolPtr(true), DefaultInbound: "allow"},
		}
		if diff := cmp.Diff(want, fw.Profiles); diff != "" {
			t.Errorf("firewall profiles (-want +got):\n%s", diff)
		}
	}
	if m := f.Malware; m == nil || m.PUAProtection == nil || !*m.PUAProtection {
		t.Errorf("malware.pua_protection: want true from policy, got %+v", m)
	}

	if ra := f.RemoteAccess; ra != nil {
		want := &handwash.RDPFacts{Enabled: boolPtr(true), NLA: boolPtr(true), Port: intPtr(3390)}
		if diff := cmp.Diff(want, ra.RDP); diff != "" {
			t.Errorf("remote_access.rdp (-want +got):\n%s", diff)
		}
	}
	if s := f.SMB; s != nil {
		if s.V1Server == nil || !*s.V1Server || s.V1Client == nil || *s.V1Client || s.SigningRequired == nil || !*s.SigningRequired {
			t.Errorf("smb: v1_server %v, v1_client %v, signing_required %v; want true, false, true", s.V1Server, s.V1Client, s.SigningRequired)
		}
	}
	if rm := f.RemovableMedia; rm != nil {
		if rm.AutorunDisabled == nil || !*rm.AutorunDisabled || !strings.Contains(rm.AutorunDetail, "NoDriveTypeAutoRun 0xFF") {
			t.Errorf("removable_media.autorun_disabled %v (%q); want true from NoDriveTypeAutoRun 0xFF", rm.AutorunDisabled, rm.AutorunDetail)
		}
		// The user's policy, read from HKU\<SID> of the console user.
		if rm.USBStorage != "read_only" {
			t.Errorf("removable_media.usb_storage = %q (%s), want read_only from the user's Deny_Write", rm.USBStorage, rm.USBStorageDetail)
		}
	}
	if sl := f.ScreenLock; sl != nil {
		if sl.Enabled == nil || !*sl.Enabled || sl.IdleSeconds == nil || *sl.IdleSeconds != 600 {
			t.Errorf("screen_lock: enabled %v, idle %v; want true, 600 (the user's screen saver, under the machine's 900)", sl.Enabled, sl.IdleSeconds)
		}
		if !strings.Contains(sl.Scope, "machine policy") || !strings.Contains(sl.Scope, "user ") {
			t.Errorf("screen_lock.scope = %q, want the machine policy and the user", sl.Scope)
		}
		if sl.GraceSeconds == nil || *sl.GraceSeconds != defaultGraceSeconds || sl.PINMinLength == nil || *sl.PINMinLength != 6 {
			t.Errorf("screen_lock: grace %v, PIN length %v; want %d, 6", sl.GraceSeconds, sl.PINMinLength, defaultGraceSeconds)
		}
	}
	if u := f.Updates; u != nil {
		if u.Automatic == nil || *u.Automatic || !strings.Contains(u.AutomaticDetail, "NoAutoUpdate") {
			t.Errorf("updates.automatic %v (%q), want false from NoAutoUpdate", u.Automatic, u.AutomaticDetail)
		}
		if u.RebootRequired == nil || !*u.RebootRequired {
			t.Errorf("updates.reboot_required = %v, want true", u.RebootRequired)
		}
	}
	if ac := f.AppControl; ac != nil && (ac.ReputationCheck == nil || !*ac.ReputationCheck || ac.ReputationLevel != "block") {
		t.Errorf("app_control: reputation %v, level %q; want true, block", ac.ReputationCheck, ac.ReputationLevel)
	}

	if s := f.Software; s != nil {
		var got []handwash.SoftwareItem
		for _, it := range s.Items {
			if strings.HasPrefix(it.Name, "Handwash ") {
				got = append(got, it)
			}
		}
		want := []handwash.SoftwareItem{
			{Name: "Handwash Per-User Test", Version: "7.8.9", Source: "registry"},
			{Name: "Handwash Wine Test", Version: "1.2.3", Publisher: "Handwash", Source: "registry"},
			{Name: "Handwash Wine Test (32-bit)", Version: "4.5", Source: "registry", Arch: "x86"},
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("software items (-want +got):\n%s", diff)
		}
	}

	if n := f.Network; n != nil && socks.public != 0 {
		if !slices.ContainsFunc(n.Listeners, func(l handwash.Listener) bool {
			return l.Protocol == "tcp" && l.Address == "0.0.0.0" && l.Port == socks.public
		}) {
			t.Errorf("network.listeners lacks tcp 0.0.0.0:%d: %+v", socks.public, n.Listeners)
		}
		for _, l := range n.Listeners {
			if a, err := netip.ParseAddr(l.Address); err != nil || a.Unmap().IsLoopback() {
				t.Errorf("listener %+v: loopback or bad address", l)
			}
		}
	}
}

// checkWineGaps checks that what Wine lacks is reported as unknown: an
// invented value here would be invented on a broken Windows too.
func checkWineGaps(t *testing.T, f *handwash.Facts) {
	// No BitLocker, and PowerShell is a stub that prints nothing.
	if f.Encryption != nil {
		t.Errorf("encryption = %+v under Wine, which has no BitLocker: want it missing", f.Encryption)
	} else if _, ok := f.MissingFor("encryption"); !ok {
		t.Error("encryption is nil without a reason")
	}
	// No antivirus and no Security Center.
	if m := f.Malware; m != nil && len(m.Products) != 0 {
		t.Errorf("malware.products = %+v under Wine", m.Products)
	}
	// The Windows Update Agent is a stub: no history, no search.
	for _, fact := range []string{"updates.last_installed", "updates.last_checked", "updates.pending"} {
		if _, ok := f.MissingFor(fact); !ok {
			t.Errorf("%s is not missing under Wine, whose Update Agent is a stub", fact)
		}
	}
	for name, why := range wineCollectorFailures {
		t.Logf("known under Wine: %s fails: %s", name, why)
	}
}

// seedRegistry writes the seeds and, when the test ends, puts back what
// was there: old values rewritten, new values deleted, and keys it had to
// create deleted with everything in them.
func seedRegistry(t *testing.T, seeds []regSeed) {
	t.Helper()
	var undo []func() error
	t.Cleanup(func() {
		for i := len(undo) - 1; i >= 0; i-- {
			if err := undo[i](); err != nil {
				t.Errorf("restoring the registry: %v", err)
			}
		}
	})
	for _, s := range seeds {
		rootName, path, _ := strings.Cut(s.path, `\`)
		root := registry.LOCAL_MACHINE
		if rootName == "HKCU" {
			root = registry.CURRENT_USER
		}
		view := uint32(registry.WOW64_64KEY)
		if s.wow32 {
			view = registry.WOW64_32KEY
		}
		// The first part of the path that does not exist yet is deleted
		// afterwards, whole. RegDeleteKey has no view flag, so a key
		// made in the 32-bit view is deleted by its WOW6432Node path.
		parts := strings.Split(path, `\`)
		for i := range parts {
			p := strings.Join(parts[:i+1], `\`)
			k, err := registry.OpenKey(root, p, registry.QUERY_VALUE|view)
			if err == nil {
				k.Close()
				continue
			}
			del := p
			if s.wow32 {
				del = strings.Replace(p, `SOFTWARE\`, `SOFTWARE\WOW6432Node\`, 1)
			}
			undo = append(undo, func() error { return deleteKeyTree(root, del) })
			break
		}
		k, _, err := registry.CreateKey(root, path, registry.ALL_ACCESS|view)
		if err != nil {
			t.Fatalf("creating %s: %v", s.path, err)
		}
		if n, typ, err := k.GetValue(s.name, nil); err == nil {
			old := make([]byte, n)
			n, typ, err = k.GetValue(s.name, old)
			if err != nil {
				t.Fatalf("%s\\%s: %v", s.path, s.name, err)
			}
			undo = append(undo, func() error { return setValueAt(root, path, view, s.name, typ, old[:n]) })
		} else {
			undo = append(undo, func() error { return deleteValueAt(root, path, view, s.name) })
		}
		switch v := s.value.(type) {
		case string:
			err = k.SetStringValue(s.name, v)
		case uint32:
			err = k.SetDWordValue(s.name, v)
		case []string:
			err = k.SetStringsValue(s.name, v)
		default:
			t.Fatalf("seed %s\\%s: type %T", s.path, s.name, v)
		}
		k.Close()
		if err != nil {
			t.Fatalf("writing %s\\%s: %v", s.path, s.name, err)
		}
	}
}

func setValueAt(root registry.Key, path string, view uint32, name string, typ uint32, data []byte) error {
	k, err := registry.OpenKey(root, path, registry.SET_VALUE|view)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil // its key went with a newer seed's
		}
		return err
	}
	defer k.Close()
	return setRawValue(k, name, typ, data)
}

var procRegSetValueEx = windows.NewLazySystemDLL("advapi32.dll").NewProc("RegSetValueExW")

// setRawValue writes a value of any type as bytes (RegSetValueExW), which
// the registry package does not export.
func setRawValue(k registry.Key, name string, typ uint32, data []byte) error {
	pname, err := windows.UTF16PtrFromString(name)
	if err != nil {
		return err
	}
	var p *byte
	if len(data) > 0 {
		p = &data[0]
	}
	r, _, _ := procRegSetValueEx.Call(uintptr(k), uintptr(unsafe.Pointer(pname)), 0, uintptr(typ), uintptr(unsafe.Pointer(p)), uintptr(len(data)))
	if r != 0 {
		return windows.Errno(r)
	}
	return nil
}

func deleteValueAt(root registry.Key, path string, view uint32, name string) error {
	k, err := registry.OpenKey(root, path, registry.SET_VALUE|view)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	defer k.Close()
	if err := k.DeleteValue(name); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}

// deleteKeyTree deletes a key and its subkeys (RegDeleteKey takes only
// leaves).
func deleteKeyTree(root registry.Key, path string) error {
	k, err := registry.OpenKey(root, path, registry.ENUMERATE_SUB_KEYS|registry.WOW64_64KEY)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	subs, err := k.ReadSubKeyNames(0)
	k.Close()
	if err != nil {
		return err
	}
	for _, s := range subs {
		if err := deleteKeyTree(root, path+`\`+s); err != nil {
			return err
		}
	}
	return registry.DeleteKey(root, path)
}
