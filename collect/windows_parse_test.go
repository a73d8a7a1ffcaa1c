package collect

import (
	"encoding/binary"
	"errors"
	"io/fs"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/google/go-cmp/cmp"
	"github.com/handwash/handwash"
)

// testWinSource opens a winSource over a small recording written inline.
func testWinSource(t *testing.T, recording string) winSource {
	t.Helper()
	h, err := ParseReplay([]byte(recording))
	if err != nil {
		t.Fatal(err)
	}
	src, err := replayWinSource(h)
	if err != nil {
		t.Fatal(err)
	}
	return src
}

// regOf builds regValues from name/value pairs, DWORDs for uint64 and
// REG_SZ for strings.
func regOf(kv ...any) regValues {
	v := regValues{}
	for i := 0; i+1 < len(kv); i += 2 {
		name := strings.ToLower(kv[i].(string))
		switch x := kv[i+1].(type) {
		case int:
			v[name] = regValue{Type: regDWORD, Num: uint64(x)}
		case string:
			v[name] = regValue{Type: regSZ, Str: x}
		case regValue:
			v[name] = x
		}
	}
	return v
}

func TestDecodeProductState(t *testing.T) {
	// Values from community decoders of SecurityCenter2's productState
	// (neophob.com 2010; Stack Overflow 4700897), and 397568, which a
	// Windows 11 PC reported for Windows Defender in a published
	// Get-WmiObject output.
	tests := []struct {
		state              uint32
		enabled, outOfDate bool
	}{
		{397568, true, false},  // 0x061100 Defender on, current
		{397584, true, true},   // 0x061110 on, out of date
		{393472, false, false}, // 0x060100 off (another product is primary)
		{393232, false, true},  // 0x060010 off, out of date
		{266240, true, false},  // 0x041000 third-party on, current
		{266256, true, true},   // 0x041010 on, out of date
		{262144, false, false}, // 0x040000 off, current
		{262160, false, true},  // 0x040010 off, out of date
	}
	for _, tt := range tests {
		got := decodeProductState(tt.state)
		if got.enabled != tt.enabled || got.outOfDate != tt.outOfDate {
			t.Errorf("decodeProductState(%d = %#x) = %+v, want enabled %v, out of date %v", tt.state, tt.state, got, tt.enabled, tt.outOfDate)
		}
	}
}

func TestRegValueDrift(t *testing.T) {
	// The same setting is REG_SZ on one build and REG_DWORD on another;
	// both read the same.
	tests := []struct {
		name    string
		v       regValue
		wantStr string
		strOK   bool
		wantNum uint64
		numOK   bool
	}{
		{"dword", regValue{Type: regDWORD, Num: 1}, "1", true, 1, true},
		{"sz number", regValue{Type: regSZ, Str: "1"}, "1", true, 1, true},
		{"sz hex", regValue{Type: regSZ, Str: "0x258"}, "0x258", true, 600, true},
		{"sz with nul", regValue{Type: regSZ, Str: "600\x00"}, "600", true, 600, true},
		{"sz minus one", regValue{Type: regSZ, Str: "-1"}, "-1", true, 0xFFFFFFFF, true},
		{"sz word", regValue{Type: regSZ, Str: "Warn"}, "Warn", true, 0, false},
		{"expand sz", regValue{Type: regExpandSZ, Str: "%USERPROFILE%"}, "%USERPROFILE%", true, 0, false},
		{"qword", regValue{Type: regQWORD, Num: 1 << 40}, "1099511627776", true, 1 << 40, true},
		{"binary dword", regValue{Type: regBinary, Bin: []byte{0x2c, 0x01, 0, 0}}, "", false, 300, true},
		{"binary other", regValue{Type: regBinary, Bin: []byte{1, 2}}, "", false, 0, false},
		{"multi sz", regValue{Type: regMultiSZ, Strs: []string{"a", "b"}}, "a\nb", true, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			vs := regValues{"x": tt.v}
			s, ok := vs.str("X")
			if s != tt.wantStr || ok != tt.strOK {
				t.Errorf("str = %q, %v; want %q, %v", s, ok, tt.wantStr, tt.strOK)
			}
			n, ok := vs.num("x")
			if n != tt.wantNum || ok != tt.numOK {
				t.Errorf("num = %d, %v; want %d, %v", n, ok, tt.wantNum, tt.numOK)
			}
		})
	}
	if _, ok := (regValues{}).num("absent"); ok {
		t.Error("an absent value reads as present")
	}
}

func TestDecodeRawRegValue(t *testing.T) {
	utf16le := func(s string) []byte {
		var b []byte
		for _, u := range utf16.Encode([]rune(s)) {
			b = append(b, byte(u), byte(u>>8))
		}
		return b
	}
	dword := make([]byte, 4)
	binary.LittleEndian.PutUint32(dword, 0x1a0b)
	qword := make([]byte, 8)
	binary.LittleEndian.PutUint64(qword, 0x1dd78c524118000)
	tests := []struct {
		name string
		typ  uint32
		b    []byte
		want regValue
	}{
		{"sz", 1, utf16le("Windows 10 Pro\x00"), regValue{Type: regSZ, Str: "Windows 10 Pro"}},
		{"sz non-ascii", 1, utf16le("Café 🙂\x00"), regValue{Type: regSZ, Str: "Café 🙂"}},
		{"expand sz", 2, utf16le("%SystemRoot%\\x\x00"), regValue{Type: regExpandSZ, Str: "%SystemRoot%\\x"}},
		{"multi sz", 7, utf16le("one\x00two\x00\x00"), regValue{Type: regMultiSZ, Strs: []string{"one", "two"}}},
		{"dword", 4, dword, regValue{Type: regDWORD, Num: 0x1a0b}},
		{"dword big endian", 5, []byte{0, 0, 0x1a, 0x0b}, regValue{Type: regDWORD, Num: 0x1a0b}},
		{"qword", 11, qword, regValue{Type: regQWORD, Num: 0x1dd78c524118000}},
		{"short dword", 4, []byte{1}, regValue{Type: regBinary, Bin: []byte{1}}},
		{"binary", 3, []byte{0xde, 0xad}, regValue{Type: regBinary, Bin: []byte{0xde, 0xad}}},
		{"none", 0, nil, regValue{Type: regNone}},
	}
	for _, tt := range tests {
		got := decodeRawRegValue(tt.typ, tt.b)
		if diff := cmp.Diff(tt.want, got, cmp.AllowUnexported(regValue{})); diff != "" {
			t.Errorf("%s: (-want +got)\n%s", tt.name, diff)
		}
	}
}

func TestParseRegDump(t *testing.T) {
	// The layout of reg.exe's output: the key unindented, each value as
	// four spaces, name, four spaces, type, four spaces, data.
	text := "\r\nHKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion\r\n" +
		"    ProductName    REG_SZ    Windows 10 Pro\r\n" +
		"    UBR    REG_DWORD    0x1a0b\r\n" +
		"    (Default)    REG_SZ    \r\n" +
		"    Name With  Spaces    REG_EXPAND_SZ    %SystemRoot%\\a    b\r\n" +
		"    Features    REG_MULTI_SZ    a\\0b\\0c\r\n" +
		"    Blob    REG_BINARY    DEADBEEF\r\n" +
		"    Big    REG_QWORD    0x1dd78c524118000\r\n" +
		"    Empty    REG_SZ\r\n" +
		"\r\n" +
		"HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion\\Winlogon\r\n" +
		"    AutoAdminLogon    REG_SZ    1\r\n" +
		"HKLM\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion\\ProfileList\r\n" +
		"\r\nEnd of search: 9 match(es) found.\r\n"
	keys, err := parseRegDump(`HKLM\SOFTWARE\Microsoft\Windows NT\CurrentVersion`, text)
	if err != nil {
		t.Fatal(err)
	}
	if len(keys) != 3 {
		t.Fatalf("got %d keys, want 3: %+v", len(keys), keys)
	}
	cv := keys[0].values
	want := regValues{
		"productname":       {Type: regSZ, Str: "Windows 10 Pro"},
		"ubr":               {Type: regDWORD, Num: 0x1a0b},
		"":                  {Type: regSZ, Str: ""},
		"name with  spaces": {Type: regExpandSZ, Str: `%SystemRoot%\a    b`},
		"features":          {Type: regMultiSZ, Strs: []string{"a", "b", "c"}},
		"blob":              {Type: regBinary, Bin: []byte{0xde, 0xad, 0xbe, 0xef}},
		"big":               {Type: regQWORD, Num: 0x1dd78c524118000},
		"empty":             {Type: regSZ, Str: ""},
	}
	if diff := cmp.Diff(want, cv, cmp.AllowUnexported(regValue{})); diff != "" {
		t.Errorf("values (-want +got)\n%s", diff)
	}
	if keys[1].path != `HKLM\SOFTWARE\Microsoft\Windows NT\CurrentVersion\Winlogon` || keys[2].path != `HKLM\SOFTWARE\Microsoft\Windows NT\CurrentVersion\ProfileList` {
		t.Errorf("key paths = %q, %q", keys[1].path, keys[2].path)
	}

	for _, bad := range []string{
		"    UBR    REG_DWORD    0xZZ\n",
		"    UBR    REG_DWORD    0x100000000\n",
		"    NoType here\n",
		"not a key\n",
		"    Blob    REG_BINARY    XYZ\n",
	} {
		if _, err := parseRegDump(`HKLM\X`, bad); err == nil {
			t.Errorf("parseRegDump(%q) gave no error", bad)
		}
	}
}

func TestReplaySourceRegistry(t *testing.T) {
	src := testWinSource(t, `
-- reg: HKEY_LOCAL_MACHINE\SOFTWARE\A --
    One    REG_DWORD    0x1
HKEY_LOCAL_MACHINE\SOFTWARE\A\Listed
-- reg: HKLM\SOFTWARE\A\B\C --
    Deep    REG_SZ    yes
-- reg-error: HKU\S-1-5-21-1-2-3-1001\Software --
ERROR: Access is denied.
-- wmi-error: root\SecurityCenter2 SELECT displayName FROM AntiVirusProduct --
0x8004100E Invalid namespace
-- wmi-error: root\cimv2 SELECT Name FROM Win32_Thing --
0x80041003 Access denied
-- wmi: root\cimv2 SELECT   Name  FROM Win32_Service --
[{"Name": "x"}]
`)
	v, err := src.RegValues(`hklm\software\a`)
	if err != nil || v["one"].Num != 1 {
		t.Errorf("RegValues(a) = %v, %v", v, err)
	}
	subs, err := src.RegSubkeys(`HKLM\SOFTWARE\A`)
	if diff := cmp.Diff([]string{"B", "Listed"}, subs); diff != "" || err != nil {
		t.Errorf("subkeys of A (-want +got) %v\n%s", err, diff)
	}
	// A key below a recorded one exists, with no values.
	if v, err := src.RegValues(`HKLM\SOFTWARE\A\B`); err != nil || len(v) != 0 {
		t.Errorf("RegValues(A\\B) = %v, %v; want no values", v, err)
	}
	if _, err := src.RegValues(`HKLM\SOFTWARE\Nope`); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("absent key: err = %v, want fs.ErrNotExist", err)
	}
	_, err = src.RegValues(`HKU\S-1-5-21-1-2-3-1001\Software`)
	if !errors.Is(err, fs.ErrPermission) || reasonFor(err) != handwash.ReasonNeedsAdmin {
		t.Errorf("denied key: err = %v (reason %s), want permission", err, reasonFor(err))
	}
	var out []struct{ Name string }
	err = src.WMI(`root\SecurityCenter2`, "SELECT displayName FROM AntiVirusProduct", &out)
	if !errors.Is(err, errWMINotAvailable) || reasonFor(err) != handwash.ReasonNotSupported {
		t.Errorf("invalid namespace: err = %v, want errWMINotAvailable", err)
	}
	err = src.WMI(`root\cimv2`, "SELECT Name FROM Win32_Thing", &out)
	if reasonFor(err) != handwash.ReasonNeedsAdmin {
		t.Errorf("WMI access denied: reason %s, want needs_admin", reasonFor(err))
	}
	if err := src.WMI(`ROOT\CIMV2`, "select name from win32_service", &out); err != nil || len(out) != 1 || out[0].Name != "x" {
		t.Errorf("WMI lookup ignoring case and spaces: %v, %v", out, err)
	}
	if err := src.WMI(`root\cimv2`, "SELECT Other FROM Win32_Service", &out); err == nil || !strings.Contains(err.Error(), "no recording") {
		t.Errorf("unrecorded query: err = %v", err)
	}
}

func TestParseWinTime(t *testing.T) {
	tests := []struct {
		in   string
		want string // RFC 3339, or "" for not a time
	}{
		{"20261120060211.000000+000", "2026-11-20T06:02:11Z"},
		{"20261022081240.000000+060", "2026-10-22T07:12:40Z"},
		{"20261022081240.500000-300", "2026-10-22T13:12:40.5Z"},
		{"/Date(1718000000000)/", "2024-06-10T06:13:20Z"},
		{`\/Date(1718000000000)\/`, "2024-06-10T06:13:20Z"},
		{`\/Date(1718000000000+0100)\/`, "2024-06-10T06:13:20Z"},
		{"/Date(-62135596800000)/", "0001-01-01T00:00:00Z"},
		{"2026-11-12T03:40:52Z", "2026-11-12T03:40:52Z"},
		{"2025-10-14T09:12:33.1234567+01:00", "2025-10-14T08:12:33.1234567Z"},
		// Localised dates, as Format-List prints them, are never read.
		{"7/30/2013 3:01:45 AM", ""},
		{"30.07.2013 03:01:45", ""},
		{"", ""},
		{"/Date(abc)/", ""},
		{"2026112006021.000000+000", ""},
	}
	for _, tt := range tests {
		got, ok := parseWinTime(tt.in)
		gotS := ""
		if ok {
			gotS = got.Format(time.RFC3339Nano)
		}
		if gotS != tt.want {
			t.Errorf("parseWinTime(%q) = %q, want %q", tt.in, gotS, tt.want)
		}
	}
}

func TestFiletimeToTime(t *testing.T) {
	got, ok := filetimeToTime(0x1dd78c524118000)
	if !ok || !got.Equal(time.Date(2026, 11, 20, 8, 0, 0, 0, time.UTC)) {
		t.Errorf("filetimeToTime = %v, %v", got, ok)
	}
	if _, ok := filetimeToTime(0); ok {
		t.Error("FILETIME 0 (zeroed between cycles) read as a time")
	}
}

func TestDecodePSJSON(t *testing.T) {
	var rows []struct {
		Drive      string
		Protection *int
	}
	for _, in := range []string{
		`{"Drive":"C:","Protection":1}`,
		"\ufeff[{\"Drive\":\"C:\",\"Protection\":1}]\r\n",
	} {
		rows = nil
		if err := decodePSJSON([]byte(in), &rows); err != nil || len(rows) != 1 || rows[0].Drive != "C:" {
			t.Errorf("decodePSJSON(%q) = %+v, %v", in, rows, err)
		}
	}
	if err := decodePSJSON([]byte("  \r\n"), &rows); err == nil {
		t.Error("empty output (Wine's PowerShell stub) decoded without error")
	}
}

func TestSIDs(t *testing.T) {
	// Real SIDs of the built-in accounts, from InSpec's ADSI fixture
	// (inspec/inspec test/fixtures/cmd/adsiusers).
	tests := []struct {
		sid  string
		rid  uint64
		ok   bool
		hive bool
	}{
		{"S-1-5-21-1759981009-4135989804-1844563890-500", 500, true, true},
		{"S-1-5-21-1759981009-4135989804-1844563890-501", 501, true, true},
		{"S-1-12-1-2013642154-1238270521-3470271622-1624463150", 1624463150, true, true},
		{"S-1-5-21-1759981009-4135989804-1844563890-1001_Classes", 0, false, false},
		{"S-1-5-18", 18, true, false},
		{".DEFAULT", 0, false, false},
		{"Administrator", 0, false, false},
	}
	for _, tt := range tests {
		rid, ok := ridOf(tt.sid)
		if rid != tt.rid || ok != tt.ok {
			t.Errorf("ridOf(%q) = %d, %v; want %d, %v", tt.sid, rid, ok, tt.rid, tt.ok)
		}
		if got := isUserHiveSID(tt.sid); got != tt.hive {
			t.Errorf("isUserHiveSID(%q) = %v, want %v", tt.sid, got, tt.hive)
		}
	}
}

func TestWinLocalAccounts(t *testing.T) {
	users := []wmiUserAccount{
		{Name: "Gast", SID: "S-1-5-21-1-2-3-501", Disabled: false},
		{Name: "Admin-Renamed", SID: "S-1-5-21-1-2-3-500", Disabled: true, PasswordRequired: true},
		{Name: "ana", SID: "S-1-5-21-1-2-3-1001", PasswordRequired: true},
	}
	members := []groupMember{{SID: "s-1-5-21-1-2-3-1001", SIDUsage: 1}}
	got := winLocalAccounts(users, members, true)
	want := []handwash.LocalAccount{
		{Name: "Admin-Renamed", ID: "S-1-5-21-1-2-3-500", Enabled: boolPtr(false), Admin: boolPtr(false), Builtin: "administrator", PasswordRequired: boolPtr(true)},
		{Name: "ana", ID: "S-1-5-21-1-2-3-1001", Enabled: boolPtr(true), Admin: boolPtr(true), PasswordRequired: boolPtr(true)},
		{Name: "Gast", ID: "S-1-5-21-1-2-3-501", Enabled: boolPtr(true), Admin: boolPtr(false), Builtin: "guest", PasswordRequired: boolPtr(false)},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got)\n%s", diff)
	}
	if got := winLocalAccounts(users, nil, false); got[0].Admin != nil {
		t.Error("admin guessed without the members of Administrators")
	}
}

func TestWinUserIsAdmin(t *testing.T) {
	ana := winUser{Name: `PC\ana`, SID: "S-1-5-21-1-2-3-1001"}
	tokAna := winToken{winUser: winUser{SID: ana.SID, Admin: boolPtr(true)}}
	tokSystem := winToken{winUser: winUser{SID: sidSystem, Admin: boolPtr(true)}}
	usersOnly := []groupMember{{SID: "S-1-5-21-1-2-3-500", SIDUsage: 1}}
	withGroup := append(usersOnly, groupMember{SID: "S-1-5-21-9-9-9-512", SIDUsage: 2})
	withRole := append(usersOnly, groupMember{SID: "S-1-12-1-5-6-7-8", SIDUsage: 8})
	withAna := append(withGroup, groupMember{SID: ana.SID, SIDUsage: 1})
	tests := []struct {
		name    string
		u       winUser
		tok     winToken
		members []groupMember
		mErr    error
		want    *bool
	}{
		{"console token says", winUser{SID: ana.SID, Admin: boolPtr(false)}, tokSystem, withAna, nil, boolPtr(false)},
		{"own token, UAC-filtered admin", ana, tokAna, usersOnly, nil, boolPtr(true)},
		{"direct member", ana, tokSystem, withAna, nil, boolPtr(true)},
		{"no groups: not admin", ana, tokSystem, usersOnly, nil, boolPtr(false)},
		{"a group could hold her", ana, tokSystem, withGroup, nil, nil},
		{"an Entra role could hold her", ana, tokSystem, withRole, nil, nil},
		{"members unknown", ana, tokSystem, nil, errors.New("x"), nil},
	}
	for _, tt := range tests {
		got := winUserIsAdmin(tt.u, tt.tok, nil, tt.members, tt.mErr)
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("%s: (-want +got)\n%s", tt.name, diff)
		}
	}
}

func TestWinPasswordPolicy(t *testing.T) {
	tests := []struct {
		name string
		m    userModals
		want *handwash.PasswordPolicyFacts
	}{
		{"never expires, lockout 10 for 15 minutes", userModals{MinPasswdLen: 12, MaxPasswdAge: timeqForever, LockoutThreshold: 10, LockoutObservation: 900, LockoutDuration: 900},
			&handwash.PasswordPolicyFacts{Source: "local security policy", MinLength: intPtr(12), MaxAgeDays: intPtr(0), LockoutThreshold: intPtr(10), LockoutWindowMinutes: intPtr(15), LockoutMinutes: intPtr(15)}},
		{"Windows defaults: 42 days, no lockout", userModals{MaxPasswdAge: 3628800, LockoutDuration: 1800, LockoutObservation: 1800},
			&handwash.PasswordPolicyFacts{Source: "local security policy", MinLength: intPtr(0), MaxAgeDays: intPtr(42), LockoutThreshold: intPtr(0)}},
		{"locked until an administrator unlocks", userModals{MaxPasswdAge: timeqForever, LockoutThreshold: 5, LockoutObservation: 1800, LockoutDuration: timeqForever},
			&handwash.PasswordPolicyFacts{Source: "local security policy", MinLength: intPtr(0), MaxAgeDays: intPtr(0), LockoutThreshold: intPtr(5), LockoutWindowMinutes: intPtr(30)}},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, winPasswordPolicy(tt.m)); diff != "" {
			t.Errorf("%s: (-want +got)\n%s", tt.name, diff)
		}
	}
}

func TestSeceditValue(t *testing.T) {
	// A real export from InSpec's fixtures; it has no PasswordComplexity.
	b, err := os.ReadFile("../../shared/fixtures/posture/inspec/cmd-secedit-export")
	if err != nil {
		t.Skipf("shared fixture not available (%v): the real secedit export is not tested", err)
	}
	if v, ok := seceditValue(b, "System Access", "MaximumPasswordAge"); !ok || v != "42" {
		t.Errorf("MaximumPasswordAge = %q, %v; want 42", v, ok)
	}
	if v, ok := seceditValue(b, "System Access", "NewGuestName"); !ok || v != "Guest" {
		t.Errorf("NewGuestName = %q, %v; want Guest (quotes removed)", v, ok)
	}
	if _, ok := seceditValue(b, "System Access", "PasswordComplexity"); ok {
		t.Error("PasswordComplexity found in an export that lacks it")
	}
	if _, ok := seceditValue(b, "Privilege Rights", "MaximumPasswordAge"); ok {
		t.Error("a setting was found in the wrong section")
	}
	// secedit writes UTF-16LE with a byte-order mark.
	u := utf16.Encode([]rune("[Unicode]\r\nUnicode=yes\r\n[System Access]\r\nPasswordComplexity = 1\r\n"))
	wide := []byte{0xFF, 0xFE}
	for _, c := range u {
		wide = append(wide, byte(c), byte(c>>8))
	}
	if v, ok := seceditValue(wide, "System Access", "PasswordComplexity"); !ok || v != "1" {
		t.Errorf("UTF-16 export: PasswordComplexity = %q, %v; want 1", v, ok)
	}
}

// formatList reads PowerShell's Format-List text ("Name : Value").
func formatList(t *testing.T, path string) map[string]string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Skipf("shared fixture not available (%v)", err)
	}
	m := map[string]string{}
	for _, l := range strings.Split(string(b), "\n") {
		k, v, ok := strings.Cut(l, ":")
		if ok {
			m[strings.TrimSpace(k)] = strings.TrimSpace(v)
		}
	}
	return m
}

func TestDefenderFromPublishedExample(t *testing.T) {
	// Microsoft's published Get-MpComputerStatus example
	// (shared/fixtures/posture/microsoftdocs): an older Defender without
	// AMRunningMode, IsTamperProtected or DefenderSignaturesOutOfDate, and
	// a localised date that must not be read.
	m := formatList(t, "../../shared/fixtures/posture/microsoftdocs/Get-MpComputerStatus.example.txt")
	b := func(k string) *bool { v := m[k] == "True"; return &v }
	date := m["AntivirusSignatureLastUpdated"]
	s := wmiMpStatus{
		AMServiceEnabled:              b("AMServiceEnabled"),
		AntivirusEnabled:              b("AntivirusEnabled"),
		RealTimeProtectionEnabled:     b("RealTimeProtectionEnabled"),
		AntivirusSignatureLastUpdated: &date,
	}
	got := defenderProduct(s)
	want := handwash.AntiMalwareProduct{Name: "Microsoft Defender Antivirus", Enabled: boolPtr(true), RealTime: boolPtr(true), Builtin: true}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got)\n%s", diff)
	}
	if m["FullScanAge"] != "4294967295" {
		t.Errorf("FullScanAge = %q, the example's 'never' value", m["FullScanAge"])
	}
}

func TestDefenderModes(t *testing.T) {
	on, off := true, false
	passive, normal := "Passive Mode", "Normal"
	date := "20261119221503.000000+000"
	p := defenderProduct(wmiMpStatus{AMServiceEnabled: &on, AntivirusEnabled: &on, RealTimeProtectionEnabled: &on, AMRunningMode: &passive, AntivirusSignatureLastUpdated: &date, DefenderSignaturesOutOfDate: &off, IsTamperProtected: &on})
	if *p.Enabled || *p.RealTime || !*p.SignaturesCurrent || !*p.TamperProtected || p.SignaturesUpdated.Format(time.RFC3339) != "2026-11-19T22:15:03Z" {
		t.Errorf("passive mode: %+v", p)
	}
	p = defenderProduct(wmiMpStatus{AMServiceEnabled: &on, AntivirusEnabled: &off, AMRunningMode: &normal})
	if *p.Enabled || p.RealTime != nil || p.SignaturesCurrent != nil {
		t.Errorf("antivirus off: %+v", p)
	}
}

func TestSMBFromPublishedExample(t *testing.T) {
	// Microsoft's published Get-SmbServerConfiguration example: SMBv1 on,
	// signing not required. The same answer from MSFT_SmbServerConfiguration
	// must win over the registry on an elevated run.
	m := formatList(t, "../../shared/fixtures/posture/microsoftdocs/Get-SmbServerConfiguration.example.txt")
	js := func(k string) string { return strings.ToLower(m[k]) }
	rec := `-- elevated --
-- reg: HKLM\SYSTEM\CurrentControlSet\Services\LanmanServer\Parameters --
    RequireSecuritySignature    REG_DWORD    0x1
-- reg: HKLM\SYSTEM\CurrentControlSet\Services\srv --
    Start    REG_DWORD    0x3
-- reg: HKLM\SOFTWARE\Microsoft\Windows NT\CurrentVersion --
    CurrentBuild    REG_SZ    17763
-- wmi: root\cimv2 SELECT Name, State, StartMode FROM Win32_Service WHERE Name='LanmanServer' --
[{"Name": "LanmanServer", "State": "Running"}]
-- wmi-error: root\cimv2 SELECT Name, InstallState FROM Win32_OptionalFeature WHERE Name LIKE 'SMB1Protocol%' --
0x80041010 Invalid class
-- wmi: root\Microsoft\Windows\SMB SELECT EnableSMB1Protocol, RequireSecuritySignature FROM MSFT_SmbServerConfiguration --
[{"EnableSMB1Protocol": ` + js("EnableSMB1Protocol") + `, "RequireSecuritySignature": ` + js("RequireSecuritySignature") + `}]
`
	h, err := ParseReplay([]byte(rec))
	if err != nil {
		t.Fatal(err)
	}
	src, _ := replayWinSource(h)
	f := &handwash.Facts{}
	if err := collectWinSMB(t.Context(), h, src, f); err != nil {
		t.Fatal(err)
	}
	want := &handwash.SMBFacts{ServerEnabled: boolPtr(true), V1Server: boolPtr(true), V1Client: boolPtr(false), SigningRequired: boolPtr(false)}
	if diff := cmp.Diff(want, f.SMB); diff != "" {
		t.Errorf("(-want +got)\n%s", diff)
	}
}

func TestSMB1Installed(t *testing.T) {
	tests := []struct {
		name          string
		state         map[string]uint32
		listed        bool
		driverExists  bool
		driver        regValues
		wantInstalled bool
	}{
		{"feature enabled", map[string]uint32{"smb1protocol-server": 1}, true, false, nil, true},
		{"feature disabled", map[string]uint32{"smb1protocol-server": 2}, true, true, regOf("Start", 3), false},
		{"only the old single feature", map[string]uint32{"smb1protocol": 1}, true, false, nil, true},
		{"no SMB1 feature at all", map[string]uint32{}, true, true, regOf("Start", 3), false},
		{"features unknown, driver on", nil, false, true, regOf("Start", 3), true},
		{"features unknown, driver disabled", nil, false, true, regOf("Start", 4), false},
		{"features unknown, driver gone", nil, false, false, nil, false},
	}
	for _, tt := range tests {
		got, known := smb1Installed(tt.state, tt.listed, "smb1protocol-server", tt.driverExists, tt.driver)
		if got != tt.wantInstalled || !known {
			t.Errorf("%s: installed %v (known %v), want %v", tt.name, got, known, tt.wantInstalled)
		}
	}
}

func TestMergeFirewallProfile(t *testing.T) {
	tests := []struct {
		name          string
		local, policy regValues
		want          handwash.FirewallProfile
	}{
		{"nothing set: Windows defaults", regOf(), regOf(), handwash.FirewallProfile{Name: "p", Enabled: boolPtr(true), DefaultInbound: "block"}},
		{"local off", regOf("EnableFirewall", 0), regOf(), handwash.FirewallProfile{Name: "p", Enabled: boolPtr(false), DefaultInbound: "block"}},
		{"policy on wins over local off", regOf("EnableFirewall", 0), regOf("EnableFirewall", 1), handwash.FirewallProfile{Name: "p", Enabled: boolPtr(true), DefaultInbound: "block"}},
		{"policy off wins over local on", regOf("EnableFirewall", 1), regOf("EnableFirewall", 0), handwash.FirewallProfile{Name: "p", Enabled: boolPtr(false), DefaultInbound: "block"}},
		{"local allows inbound", regOf("EnableFirewall", 1, "DefaultInboundAction", 0), regOf(), handwash.FirewallProfile{Name: "p", Enabled: boolPtr(true), DefaultInbound: "allow"}},
		{"policy blocks inbound over local allow", regOf("DefaultInboundAction", 0), regOf("DefaultInboundAction", 1), handwash.FirewallProfile{Name: "p", Enabled: boolPtr(true), DefaultInbound: "block"}},
		{"policy sets one value, local the other", regOf("DefaultInboundAction", 0), regOf("EnableFirewall", 1), handwash.FirewallProfile{Name: "p", Enabled: boolPtr(true), DefaultInbound: "allow"}},
		{"REG_SZ drift", regOf("EnableFirewall", "0"), regOf(), handwash.FirewallProfile{Name: "p", Enabled: boolPtr(false), DefaultInbound: "block"}},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, mergeFirewallProfile("p", tt.local, tt.policy)); diff != "" {
			t.Errorf("%s: (-want +got)\n%s", tt.name, diff)
		}
	}
}

func TestActiveThirdPartyFirewall(t *testing.T) {
	ps := []wmiSecurityProduct{
		{DisplayName: "Windows Firewall", ProductState: 266240, PathToSignedProductExe: "windowsdefender://"},
		{DisplayName: "Old Suite Firewall", ProductState: 262144},
		{DisplayName: "Norton Smart Firewall", ProductState: 266256},
	}
	p, ok := activeThirdParty(ps)
	if !ok || p.DisplayName != "Norton Smart Firewall" {
		t.Errorf("activeThirdParty = %+v, %v", p, ok)
	}
	if _, ok := activeThirdParty(ps[:2]); ok {
		t.Error("a switched-off product counted as active")
	}
}

func TestWinFirewallServiceAbsent(t *testing.T) {
	// Found under Wine, which has no firewall service: without mpssvc the
	// profiles' defaults must not read as a firewall that is on.
	tests := []struct {
		name, recording string
		want            bool
	}{
		{"service installed", "-- reg: HKLM\\SYSTEM\\CurrentControlSet\\Services\\mpssvc --\n    Start    REG_DWORD    0x2\n", true},
		{"service disabled", "-- reg: HKLM\\SYSTEM\\CurrentControlSet\\Services\\mpssvc --\n    Start    REG_DWORD    0x4\n", false},
		{"no service at all", "-- reg: HKLM\\SYSTEM\\CurrentControlSet\\Services\\Other --\n    Start    REG_DWORD    0x2\n", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := testWinSource(t, tt.recording+"-- wmi-error: root\\SecurityCenter2 "+wqlFirewallProducts+" --\n0x8004100E\n")
			f := &handwash.Facts{}
			if err := collectWinFirewall(t.Context(), nil, src, f); err != nil {
				t.Fatal(err)
			}
			for _, p := range f.Firewall.Profiles {
				if p.Enabled == nil || *p.Enabled != tt.want {
					t.Errorf("profile %s enabled = %v, want %v", p.Name, p.Enabled, tt.want)
				}
			}
		})
	}
}

func TestWMIErrorText(t *testing.T) {
	tests := []struct {
		err  *wmiError
		want string
	}{
		{&wmiError{Code: 0x80041003, Msg: "Access denied"}, "WMI error 0x80041003: Access denied"},
		// No description (go-ole gave "<nil>"): the code's name.
		{&wmiError{Code: 0x80020005}, "WMI error 0x80020005: type mismatch in an argument (DISP_E_TYPEMISMATCH)"},
		{&wmiError{Code: 0x80001234}, "WMI error 0x80001234"},
	}
	for _, tt := range tests {
		if got := tt.err.Error(); got != tt.want {
			t.Errorf("Error() = %q, want %q", got, tt.want)
		}
	}
}

func TestWinAutorun(t *testing.T) {
	tests := []struct {
		name                  string
		machine, user, userAP regValues
		want                  bool
	}{
		{"nothing set: AutoPlay on", regOf(), regOf(), regOf(), false},
		{"Windows default mask 0x91 leaves USB and CD on", regOf("NoDriveTypeAutoRun", 0x91), regOf(), regOf(), false},
		{"0xFF: every drive type", regOf("NoDriveTypeAutoRun", 0xFF), regOf(), regOf(), true},
		{"0xB5 covers removable and CD", regOf("NoDriveTypeAutoRun", 0xB5), regOf(), regOf(), true},
		{"0x95 covers removable but not CD", regOf("NoDriveTypeAutoRun", 0x95), regOf(), regOf(), false},
		{"0x24 removable and CD only", regOf("NoDriveTypeAutoRun", 0x24), regOf(), regOf(), true},
		{"NoAutorun", regOf("NoAutorun", 1), regOf(), regOf(), true},
		{"user policy", regOf(), regOf("NoDriveTypeAutoRun", 0xFF), regOf(), true},
		{"user turned AutoPlay off", regOf(), regOf(), regOf("DisableAutoplay", 1), true},
		{"user AutoPlay on", regOf(), regOf(), regOf("DisableAutoplay", 0), false},
	}
	for _, tt := range tests {
		got, detail := winAutorun(tt.machine, tt.user, tt.userAP)
		if got != tt.want || detail == "" {
			t.Errorf("%s: winAutorun = %v (%q), want %v", tt.name, got, detail, tt.want)
		}
	}
}

func TestWinUSBStorage(t *testing.T) {
	none := regOf()
	tests := []struct {
		name                                             string
		machineRS, disk, userRS, userDisk, mdm, usb, uas regValues
		want                                             string
	}{
		{"default", none, none, none, none, none, regOf("Start", 3), none, "allowed"},
		{"Deny_All", regOf("Deny_All", 1), none, none, none, none, none, none, "blocked"},
		{"user Deny_All", none, none, regOf("Deny_All", 1), none, none, none, none, "blocked"},
		{"deny read", none, regOf("Deny_Read", 1), none, none, none, none, none, "blocked"},
		{"deny write", none, regOf("Deny_Write", 1), none, none, none, none, none, "read_only"},
		{"user deny write", none, none, none, regOf("Deny_Write", 1), none, none, none, "read_only"},
		{"MDM deny write", none, none, none, none, regOf("RemovableDiskDenyWriteAccess", 1), none, none, "read_only"},
		{"USBSTOR disabled", none, none, none, none, none, regOf("Start", 4), none, "blocked"},
		{"deny execute only", none, regOf("Deny_Execute", 1), none, none, none, none, none, "allowed"},
	}
	for _, tt := range tests {
		got, _ := winUSBStorage(tt.machineRS, tt.disk, tt.userRS, tt.userDisk, tt.mdm, tt.usb, tt.uas)
		if got != tt.want {
			t.Errorf("%s: %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestParseWLANProfile(t *testing.T) {
	// Microsoft's documented samples of the WLAN_profile schema
	// (MicrosoftDocs/win32 desktop-src/NativeWiFi/*-profile-sample.md),
	// and a template from opentechinstitute/commotion-winmesh
	// (profile_template.xml.py) with its placeholders filled in.
	wpa2Personal := `<?xml version="1.0" encoding="US-ASCII"?>
<WLANProfile xmlns="https://www.microsoft.com/networking/WLAN/profile/v1">
    <name>SampleWPA2PSK</name>
    <SSIDConfig>
        <SSID>
            <name>SampleWPA2PSK</name>
        </SSID>
    </SSIDConfig>
    <connectionType>ESS</connectionType>
    <connectionMode>auto</connectionMode>
    <autoSwitch>false</autoSwitch>
    <MSM>
        <security>
            <authEncryption>
                <authentication>WPA2PSK</authentication>
                <encryption>AES</encryption>
                <useOneX>false</useOneX>
            </authEncryption>
        </security>
    </MSM>
</WLANProfile>`
	nonBroadcast := `<?xml version="1.0" encoding="US-ASCII"?>
<WLANProfile xmlns="http://www.microsoft.com/networking/WLAN/profile/v1">
    <name>SampleNonBroadcast</name>
    <SSIDConfig>
        <SSID>
            <name>SampleNonBroadcast</name>
        </SSID>
        <nonBroadcast>true</nonBroadcast>
    </SSIDConfig>
    <connectionType>ESS</connectionType>
    <connectionMode>auto</connectionMode>
    <MSM>
        <security>
            <authEncryption>
                <authentication>WPAPSK</authentication>
                <encryption>TKIP</encryption>
                <useOneX>false</useOneX>
            </authEncryption>
        </security>
    </MSM>
</WLANProfile>`
	wpa2Enterprise := `<?xml version="1.0" encoding="US-ASCII"?>
<WLANProfile xmlns="http://www.microsoft.com/networking/WLAN/profile/v1">
    <name>SampleWPA2EnterprisePEAPMSCHAP</name>
    <SSIDConfig>
        <SSID>
            <name>SampleWPA2EnterprisePEAPMSCHAP</name>
        </SSID>
    </SSIDConfig>
    <connectionType>ESS</connectionType>
    <connectionMode>auto</connectionMode>
    <MSM>
        <security>
            <authEncryption>
                <authentication>WPA2</authentication>
                <encryption>AES</encryption>
                <useOneX>true</useOneX>
            </authEncryption>
            <OneX xmlns="http://www.microsoft.com/networking/OneX/v1">
                <EAPConfig>
                    <EapHostConfig xmlns="http://www.microsoft.com/provisioning/EapHostConfig"
                                   xmlns:eapCommon="http://www.microsoft.com/provisioning/EapCommon">
                        <EapMethod>
                            <eapCommon:Type>25</eapCommon:Type>
                            <eapCommon:AuthorId>0</eapCommon:AuthorId>
                       </EapMethod>
                   </EapHostConfig>
                </EAPConfig>
            </OneX>
        </security>
    </MSM>
</WLANProfile>`
	commotion := `<?xml version="1.0"?>
<WLANProfile xmlns="http://www.microsoft.com/networking/WLAN/profile/v1">
	<name>commotion-wireless.net</name>
	<SSIDConfig>
		<SSID>
                        <hex>636F6D6D6F74696F6E2D776972656C6573732E6E6574</hex>
                        <name>commotion-wireless.net</name>
		</SSID>
		<nonBroadcast>false</nonBroadcast>
	</SSIDConfig>
	<connectionType>IBSS</connectionType>
	<connectionMode>manual</connectionMode>
	<MSM>
		<security>
			<authEncryption>
				<authentication>open</authentication>
				<encryption>none</encryption>
				<useOneX>false</useOneX>
			</authEncryption>
		</security>
	</MSM>
</WLANProfile>`
	hexOnly := `<WLANProfile xmlns="http://www.microsoft.com/networking/WLAN/profile/v1"><name>p</name>
<SSIDConfig><SSID><hex>4F6C64526F75746572</hex></SSID></SSIDConfig>
<MSM><security><authEncryption><authentication>shared</authentication><encryption>WEP</encryption></authEncryption></security></MSM></WLANProfile>`
	tests := []struct {
		name string
		xml  string
		want handwash.WiFiProfile
	}{
		{"WPA2-Personal sample (https namespace)", wpa2Personal, handwash.WiFiProfile{SSID: "SampleWPA2PSK", Security: "wpa2", AutoConnect: boolPtr(true), Encryption: "aes"}},
		{"non-broadcast WPA-Personal TKIP sample", nonBroadcast, handwash.WiFiProfile{SSID: "SampleNonBroadcast", Security: "wpa", AutoConnect: boolPtr(true), Encryption: "tkip"}},
		{"WPA2-Enterprise PEAP sample", wpa2Enterprise, handwash.WiFiProfile{SSID: "SampleWPA2EnterprisePEAPMSCHAP", Security: "enterprise", AutoConnect: boolPtr(true), Encryption: "aes"}},
		{"open ad hoc, manual", commotion, handwash.WiFiProfile{SSID: "commotion-wireless.net", Security: "open", AutoConnect: boolPtr(false), Encryption: "none"}},
		{"hex SSID, shared WEP, no mode", hexOnly, handwash.WiFiProfile{SSID: "OldRouter", Security: "wep", Encryption: "wep"}},
	}
	for _, tt := range tests {
		got, err := parseWLANProfile([]byte(tt.xml))
		if err != nil {
			t.Errorf("%s: %v", tt.name, err)
			continue
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("%s: (-want +got)\n%s", tt.name, diff)
		}
	}
	// Microsoft's Bootstrap Profile Sample closes EAPConfig twice: it is
	// not well-formed XML, and must be refused rather than half read.
	bootstrap := `<WLANProfile xmlns="http://www.microsoft.com/networking/WLAN/profile/v1"><name>SampleBootstrap</name>
<MSM><security><authEncryption><authentication>WPA2</authentication><encryption>AES</encryption><useOneX>true</useOneX></authEncryption>
<OneX xmlns="http://www.microsoft.com/networking/OneX/v1"><EAPConfig></EAPConfig></EAPConfig></OneX></security></MSM></WLANProfile>`
	if _, err := parseWLANProfile([]byte(bootstrap)); err == nil {
		t.Error("the malformed Bootstrap sample parsed without error")
	}
}

func TestWLANSecurityMapping(t *testing.T) {
	tests := []struct {
		auth, enc string
		oneX      bool
		want      string
	}{
		{"open", "none", false, "open"},
		{"open", "wep", false, "wep"},
		{"open", "wep", true, "wep"},
		{"open", "none", true, "enterprise"},
		{"shared", "wep", false, "wep"},
		{"wpapsk", "tkip", false, "wpa"},
		{"wpa", "tkip", true, "enterprise"},
		{"wpa2psk", "aes", false, "wpa2"},
		{"wpa2", "aes", true, "enterprise"},
		{"wpa3sae", "aes", false, "wpa3"},
		{"wpa3", "gcmp256", true, "enterprise"},
		{"wpa3ent192", "gcmp256", true, "enterprise"},
		{"owe", "aes", false, "owe"},
		{"futureauth", "aes", false, "unknown"},
	}
	for _, tt := range tests {
		if got := wlanSecurity(tt.auth, tt.enc, tt.oneX); got != tt.want {
			t.Errorf("wlanSecurity(%s, %s, %v) = %q, want %q", tt.auth, tt.enc, tt.oneX, got, tt.want)
		}
	}
	if wlanEncryption("gcmp256") != "aes" || wlanEncryption("tkip") != "tkip" || wlanEncryption("x") != "" {
		t.Error("wlanEncryption")
	}
}

func TestWinSoftwareItems(t *testing.T) {
	e := func(key, arch string, kv ...any) uninstallEntry {
		return uninstallEntry{key: key, arch: arch, values: regOf(kv...)}
	}
	entries := []uninstallEntry{
		e("{7Z}", "", "DisplayName", "7-Zip 24.09 (x64 edition)", "DisplayVersion", "24.09.00.0", "Publisher", "Igor Pavlov"),
		e("{7Z}", "", "DisplayName", "7-Zip 24.09 (x64 edition)", "DisplayVersion", "24.09.00.0"), // the same, from a user hive
		e("{VC}", "", "DisplayName", "VC++ Runtime", "SystemComponent", 1),
		e("{KB}", "", "DisplayName", "Security Update for Office (KB1)", "ParentKeyName", "Office16.PROPLUS"),
		e("NoName", "", "UninstallString", "x.exe"),
		e("Chrome", "x86", "DisplayName", "  Google Chrome ", "DisplayVersion", "142.0"),
		e("{SysStr}", "", "DisplayName", "Hidden as text", "SystemComponent", "1"),
		e("adobe", "x86", "DisplayName", "adobe Reader", "DisplayVersion", "1"),
	}
	got := winSoftwareItems(entries)
	want := []handwash.SoftwareItem{
		{Name: "7-Zip 24.09 (x64 edition)", Version: "24.09.00.0", Publisher: "Igor Pavlov", Source: "registry"},
		{Name: "adobe Reader", Version: "1", Source: "registry", Arch: "x86"},
		{Name: "Google Chrome", Version: "142.0", Source: "registry", Arch: "x86"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got)\n%s", diff)
	}
}

func TestWinESU(t *testing.T) {
	rev := func(n int) *int { return &n }
	tests := []struct {
		name   string
		build  int
		rev    *int
		lic    []wmiLicence
		licErr error
		want   *bool
	}{
		{"year 1 licence active", 19045, rev(6456), []wmiLicence{{ID: esuLicenceIDs[0], LicenseStatus: 1}}, nil, boolPtr(true)},
		{"licence in grace only", 19045, rev(6456), []wmiLicence{{ID: esuLicenceIDs[1], LicenseStatus: 2}}, nil, boolPtr(false)},
		{"no licence, last free update", 19045, rev(6456), nil, nil, boolPtr(false)},
		{"no licence, ESU updates arriving (consumer ESU)", 19045, rev(6575), nil, nil, boolPtr(true)},
		{"licence unreadable, updates arriving", 19045, rev(6575), nil, errors.New("x"), boolPtr(true)},
		{"licence unreadable, nothing to go on", 19045, rev(5737), nil, errors.New("x"), nil},
		{"21H2 cannot get ESU", 19044, rev(6575), nil, nil, boolPtr(false)},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, winESU(tt.build, tt.rev, tt.lic, tt.licErr)); diff != "" {
			t.Errorf("%s: (-want +got)\n%s", tt.name, diff)
		}
	}
	if !strings.Contains(wqlESU, "WHERE ID='f520e45e-7413-4a34-a497-d2765967d094' OR ID='1043add5") {
		t.Errorf("the ESU query must filter by licence ID: %s", wqlESU)
	}
}

func TestWinOSFromRegistry(t *testing.T) {
	tests := []struct {
		name string
		cv   regValues
		want handwash.OSFacts
	}{
		{"Windows 11 says Windows 10", regOf("ProductName", "Windows 10 Pro", "CurrentBuild", "26200", "UBR", 0x2109, "EditionID", "Professional", "DisplayVersion", "25H2"),
			handwash.OSFacts{Name: "Windows 11 Pro", ID: "windows", Version: "10.0.26200", Build: "26200", Revision: intPtr(8457), Edition: "Professional", DisplayVersion: "25H2"}},
		{"Windows 10 1909: ReleaseId", regOf("ProductName", "Windows 10 Enterprise", "CurrentBuildNumber", "18363", "ReleaseId", "1909", "EditionID", "Enterprise"),
			handwash.OSFacts{Name: "Windows 10 Enterprise", ID: "windows", Version: "10.0.18363", Build: "18363", Edition: "Enterprise", DisplayVersion: "1909"}},
		{"UBR written as text", regOf("ProductName", "Windows 10 Pro", "CurrentBuild", "19045", "UBR", "6456"),
			handwash.OSFacts{Name: "Windows 10 Pro", ID: "windows", Version: "10.0.19045", Build: "19045", Revision: intPtr(6456)}},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(&tt.want, winOSFromRegistry(tt.cv)); diff != "" {
			t.Errorf("%s: (-want +got)\n%s", tt.name, diff)
		}
	}
	if !isLTSC("EnterpriseS") || !isLTSC("IoTEnterpriseS") || !isLTSC("EnterpriseSN") || isLTSC("Professional") || isLTSC("ServerStandard") {
		t.Error("isLTSC")
	}
}

func TestWinFormFactor(t *testing.T) {
	u := func(n uint16) *uint16 { return &n }
	yes, no := boolPtr(true), boolPtr(false)
	tests := []struct {
		name    string
		sys     wmiComputerSystem
		product string
		chassis []uint16
		battery *bool
		want    string
	}{
		{"Hyper-V", wmiComputerSystem{Manufacturer: "Microsoft Corporation", Model: "Virtual Machine"}, "WinNT", []uint16{3}, no, handwash.FormVM},
		{"VMware", wmiComputerSystem{Manufacturer: "VMware, Inc.", Model: "VMware20,1"}, "WinNT", []uint16{1}, no, handwash.FormVM},
		{"server edition", wmiComputerSystem{Model: "PowerEdge T150"}, "ServerNT", []uint16{17}, no, handwash.FormServer},
		{"notebook", wmiComputerSystem{}, "WinNT", []uint16{10}, yes, handwash.FormLaptop},
		{"detachable", wmiComputerSystem{}, "WinNT", []uint16{32}, yes, handwash.FormLaptop},
		{"tablet", wmiComputerSystem{}, "WinNT", []uint16{30}, yes, handwash.FormTablet},
		{"desktop", wmiComputerSystem{}, "WinNT", []uint16{3}, no, handwash.FormDesktop},
		{"all in one", wmiComputerSystem{}, "WinNT", []uint16{13}, no, handwash.FormDesktop},
		{"chassis unknown, role mobile", wmiComputerSystem{PCSystemType: u(2)}, "WinNT", []uint16{2}, no, handwash.FormLaptop},
		{"chassis other, battery", wmiComputerSystem{}, "WinNT", []uint16{1}, yes, handwash.FormLaptop},
		{"nothing known", wmiComputerSystem{}, "WinNT", nil, nil, handwash.FormUnknown},
	}
	for _, tt := range tests {
		if got := winFormFactor(tt.sys, tt.product, tt.chassis, tt.battery); got != tt.want {
			t.Errorf("%s: %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestWinJoin(t *testing.T) {
	tests := []struct {
		j    joinInfo
		want string
	}{
		{joinInfo{Status: 2}, "workgroup"},
		{joinInfo{Status: 1}, "workgroup"},
		{joinInfo{Status: 3}, "domain"},
		{joinInfo{Status: 2, AADJoinType: 1}, "entra"},
		{joinInfo{Status: 3, AADJoinType: 1}, "hybrid"},
		{joinInfo{Status: 2, AADJoinType: 2}, "workgroup"}, // only a work account added
	}
	for _, tt := range tests {
		if got := winJoin(tt.j); got != tt.want {
			t.Errorf("winJoin(%+v) = %q, want %q", tt.j, got, tt.want)
		}
	}
}

func TestWinAutomaticUpdates(t *testing.T) {
	none := regOf()
	tests := []struct {
		name         string
		au, mdm, svc regValues
		want         *bool
	}{
		{"nothing set: Windows default", none, none, regOf("Start", 3), boolPtr(true)},
		{"service disabled", none, none, regOf("Start", 4), boolPtr(false)},
		{"NoAutoUpdate", regOf("NoAutoUpdate", 1), none, none, boolPtr(false)},
		{"AUOptions 2", regOf("AUOptions", 2), none, none, boolPtr(false)},
		{"AUOptions 3", regOf("AUOptions", 3), none, none, boolPtr(false)},
		{"AUOptions 4", regOf("AUOptions", 4, "NoAutoUpdate", 0), none, none, boolPtr(true)},
		{"AUOptions 5: local admin chooses", regOf("AUOptions", 5), none, none, nil},
		{"AUOptions 7", regOf("AUOptions", 7), none, none, boolPtr(false)},
		{"Group Policy wins over MDM", regOf("AUOptions", 2), regOf("AllowAutoUpdate", 2), none, boolPtr(false)},
		{"MDM auto", none, regOf("AllowAutoUpdate", 3), none, boolPtr(true)},
		{"MDM off", none, regOf("AllowAutoUpdate", 5), none, boolPtr(false)},
		{"MDM notify", none, regOf("AllowAutoUpdate", 0), none, boolPtr(false)},
	}
	for _, tt := range tests {
		got, detail := winAutomaticUpdates(tt.au, tt.mdm, tt.svc)
		if diff := cmp.Diff(tt.want, got); diff != "" || detail == "" {
			t.Errorf("%s: %q (-want +got)\n%s", tt.name, detail, diff)
		}
	}
	if got := winUpdateSource(regOf("WUServer", "http://wsus:8530"), regOf("UseWUServer", 1)); got != "WSUS (http://wsus:8530)" {
		t.Errorf("winUpdateSource = %q", got)
	}
	if got := winUpdateSource(regOf("WUServer", "http://wsus:8530"), regOf("UseWUServer", 0)); got != "" {
		t.Errorf("winUpdateSource with UseWUServer 0 = %q", got)
	}
}

func TestWinLastInstalled(t *testing.T) {
	h := []wuaHistoryEntry{
		{Date: "2026-11-20T06:02:11Z", Operation: 1, ResultCode: 2, Title: "Security Intelligence Update for Microsoft Defender Antivirus - KB2267602 (Version 1.441.312.0)"},
		{Date: "2026-11-19T06:00:00Z", Operation: 1, ResultCode: 2, Title: "Definitions", Categories: []string{"{E0789628-CE08-4437-BE74-2495B842F43B}"}},
		{Date: "2026-11-18T03:00:00Z", Operation: 1, ResultCode: 4, Title: "2026-11 Cumulative Update (KB5072033)"},
		{Date: "2026-11-17T03:00:00Z", Operation: 2, ResultCode: 2, Title: "Uninstall (KB5072000)"},
		{Date: "2026-11-12T03:41:09Z", Operation: 1, ResultCode: 2, Title: "Windows Malicious Software Removal Tool x64 - v5.143 (KB890830)"},
		{Date: "2026-11-12T03:40:52Z", Operation: 1, ResultCode: 3, Title: "2026-11 Cumulative Update for Windows 11 (KB5072033)"},
		{Date: "2026-10-15T03:02:44Z", Operation: 1, ResultCode: 2, Title: "2026-10 Cumulative Update (KB5066835)"},
	}
	got := winLastInstalled(h)
	if got == nil || got.Format(time.RFC3339) != "2026-11-12T03:40:52Z" {
		t.Errorf("winLastInstalled = %v, want 2026-11-12T03:40:52Z", got)
	}
	if winLastInstalled(h[:2]) != nil {
		t.Error("definition updates counted as Windows updates")
	}
	// The failed November install (4) does not count; the November one
	// that succeeded with errors (3) does.
	if got := winCumulativeMonth(h); got != "2026-11" {
		t.Errorf("winCumulativeMonth = %q, want 2026-11", got)
	}
	if got := winCumulativeMonth(append(h[6:], wuaHistoryEntry{Date: "2026-11-20T03:00:00Z", Operation: 1, ResultCode: 2,
		Title: "2026-11 Cumulative Update for .NET Framework 3.5 and 4.8.1 for Windows 11, version 24H2 for x64 (KB5066000)"})); got != "2026-10" {
		t.Errorf("with a .NET cumulative update: %q, want 2026-10 (Windows' own)", got)
	}
	if got := winCumulativeMonth(h[:2]); got != "" {
		t.Errorf("no cumulative update: %q", got)
	}
	if diff := cmp.Diff([]string{"KB5072033", "KB890830"}, kbIDs("Update (KB5072033) and kb890830 but not XKB1 or KB")); diff != "" {
		t.Errorf("kbIDs (-want +got)\n%s", diff)
	}
}

func TestWinPendingUpdates(t *testing.T) {
	got := winPendingUpdates([]wuaUpdate{
		{Title: "Z Feature", Categories: []string{"b54e7d24-7add-428f-8b75-90a396fa584f"}},
		{Title: "A Critical", Categories: []string{"E6CF1350-C01B-414D-A61F-263D14D133B4"}, KBArticleIDs: []string{"5000001"}},
		{Title: "M Rated", MsrcSeverity: "Important", LastDeploymentChangeTime: "2025-10-14T00:00:00Z", KBArticleIDs: []string{"KB5066791", " "}},
	})
	rel := time.Date(2025, 10, 14, 0, 0, 0, 0, time.UTC)
	want := []handwash.PendingUpdate{
		{Name: "A Critical", Security: true, IDs: []string{"KB5000001"}},
		{Name: "M Rated", Security: true, Severity: "Important", Released: &rel, IDs: []string{"KB5066791"}},
		{Name: "Z Feature", Security: false},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got)\n%s", diff)
	}
	if got := winPendingUpdates(nil); got == nil || len(got) != 0 {
		t.Errorf("no pending updates = %#v, want an empty, non-nil list", got)
	}
}

func TestWinRDP(t *testing.T) {
	tests := []struct {
		name         string
		edition      string
		ts, tcp, pol regValues
		want         *handwash.RDPFacts
	}{
		{"Home has no RDP host", "Core", regOf("fDenyTSConnections", 0), regOf(), regOf(), &handwash.RDPFacts{Enabled: boolPtr(false)}},
		{"off, NLA on", "Professional", regOf("fDenyTSConnections", 1), regOf("UserAuthentication", 1, "SecurityLayer", 2, "PortNumber", 3389), regOf(),
			&handwash.RDPFacts{Enabled: boolPtr(false), NLA: boolPtr(true), Port: intPtr(3389)}},
		{"on without NLA", "Professional", regOf("fDenyTSConnections", 0), regOf("UserAuthentication", 0, "PortNumber", 3390), regOf(),
			&handwash.RDPFacts{Enabled: boolPtr(false || true), NLA: boolPtr(false), Port: intPtr(3390)}},
		{"NLA asked for but RDP security layer", "Enterprise", regOf("fDenyTSConnections", 0), regOf("UserAuthentication", 1, "SecurityLayer", 0), regOf(),
			&handwash.RDPFacts{Enabled: boolPtr(true), NLA: boolPtr(false), Port: intPtr(3389)}},
		{"policy wins", "Professional", regOf("fDenyTSConnections", 1), regOf("UserAuthentication", 0), regOf("fDenyTSConnections", 0, "UserAuthentication", 1),
			&handwash.RDPFacts{Enabled: boolPtr(true), NLA: boolPtr(true), Port: intPtr(3389)}},
		{"nothing set: off", "Professional", regOf(), regOf(), regOf(), &handwash.RDPFacts{Enabled: boolPtr(false), Port: intPtr(3389)}},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, winRDP(tt.edition, tt.ts, tt.tcp, tt.pol)); diff != "" {
			t.Errorf("%s: (-want +got)\n%s", tt.name, diff)
		}
	}
}

func TestSecureScreenSaver(t *testing.T) {
	tests := []struct {
		name      string
		pref, pol regValues
		want      int
		ok        bool
	}{
		{"Windows 11 default: active but none chosen", regOf("ScreenSaveActive", "1"), regOf(), 0, false},
		{"not secure", regOf("ScreenSaveActive", "1", "SCRNSAVE.EXE", "Mystify.scr", "ScreenSaveTimeOut", "600", "ScreenSaverIsSecure", "0"), regOf(), 0, false},
		{"secure", regOf("ScreenSaveActive", "1", "SCRNSAVE.EXE", "Mystify.scr", "ScreenSaveTimeOut", "600", "ScreenSaverIsSecure", "1"), regOf(), 600, true},
		{"policy makes it secure and sooner", regOf("ScreenSaveActive", "1", "SCRNSAVE.EXE", "x.scr", "ScreenSaveTimeOut", "900"), regOf("ScreenSaverIsSecure", "1", "ScreenSaveTimeOut", "300"), 300, true},
		{"policy as DWORD (older docs)", regOf(), regOf("ScreenSaveActive", 1, "ScreenSaverIsSecure", 1, "ScreenSaveTimeOut", 300, "SCRNSAVE.EXE", "scrnsave.scr"), 300, true},
		{"policy turns it off", regOf("ScreenSaveActive", "1", "SCRNSAVE.EXE", "x.scr", "ScreenSaveTimeOut", "900", "ScreenSaverIsSecure", "1"), regOf("ScreenSaveActive", "0"), 0, false},
	}
	for _, tt := range tests {
		got, ok := secureScreenSaver(tt.pref, tt.pol)
		if got != tt.want || ok != tt.ok {
			t.Errorf("%s: %d, %v; want %d, %v", tt.name, got, ok, tt.want, tt.ok)
		}
	}
	if s, ok := sleepLock(powerSettings{ACSleepSeconds: 1800, ACLockOnWake: 1}, regOf(), regOf()); !ok || s != 1800 {
		t.Errorf("sleepLock = %d, %v", s, ok)
	}
	if _, ok := sleepLock(powerSettings{ACSleepSeconds: 1800, ACLockOnWake: 1}, regOf(), regOf("ACSettingIndex", 0)); ok {
		t.Error("policy turning sign-in on wake off still locks")
	}
	if _, ok := sleepLock(powerSettings{ACSleepSeconds: 0, ACLockOnWake: 1}, regOf(), regOf()); ok {
		t.Error("never sleeping locks")
	}
}

func TestWinSmartScreenAndInstallSources(t *testing.T) {
	tests := []struct {
		name      string
		pol, expl regValues
		want      *bool
		level     string
	}{
		{"nothing set: on", regOf(), regOf(), boolPtr(true), "warn"},
		{"user turned off", regOf(), regOf("SmartScreenEnabled", "Off"), boolPtr(false), ""},
		{"admin approval", regOf(), regOf("SmartScreenEnabled", "RequireAdmin"), boolPtr(true), "block"},
		{"policy block", regOf("EnableSmartScreen", 1, "ShellSmartScreenLevel", "Block"), regOf("SmartScreenEnabled", "Off"), boolPtr(true), "block"},
		{"policy off", regOf("EnableSmartScreen", 0), regOf("SmartScreenEnabled", "Warn"), boolPtr(false), ""},
	}
	for _, tt := range tests {
		got, level := winSmartScreen(tt.pol, tt.expl)
		if diff := cmp.Diff(tt.want, got); diff != "" || level != tt.level {
			t.Errorf("%s: level %q want %q (-want +got)\n%s", tt.name, level, tt.level, diff)
		}
	}
	srcs := []struct {
		pol, expl regValues
		want      string
	}{
		{regOf(), regOf(), "anywhere"},
		{regOf(), regOf("AicEnabled", "Recommendations"), "anywhere"},
		{regOf(), regOf("AicEnabled", "PreferStore"), "store_preferred"},
		{regOf("ConfigureAppInstallControlEnabled", 1, "ConfigureAppInstallControl", "StoreOnly"), regOf("AicEnabled", "Anywhere"), "store_only"},
		{regOf("ConfigureAppInstallControlEnabled", 0, "ConfigureAppInstallControl", "StoreOnly"), regOf(), "anywhere"},
	}
	for _, tt := range srcs {
		if got := winInstallSources(tt.pol, tt.expl); got != tt.want {
			t.Errorf("winInstallSources(%v, %v) = %q, want %q", tt.pol, tt.expl, got, tt.want)
		}
	}
}

func TestWinAllowListing(t *testing.T) {
	u := func(n uint32) *uint32 { return &n }
	tests := []struct {
		name      string
		sac       regValues
		dg        []wmiDeviceGuard
		appLocker string
		want      string
	}{
		{"nothing", regOf("VerifiedAndReputablePolicyState", 0), []wmiDeviceGuard{{UsermodeCodeIntegrityPolicyEnforcementStatus: u(0)}}, "", "off"},
		{"Smart App Control on", regOf("VerifiedAndReputablePolicyState", 1), nil, "", "enforced"},
		{"Smart App Control evaluating", regOf("VerifiedAndReputablePolicyState", 2), nil, "", "audit"},
		{"App Control enforced", regOf(), []wmiDeviceGuard{{UsermodeCodeIntegrityPolicyEnforcementStatus: u(2)}}, "audit", "enforced"},
		{"AppLocker audit", regOf(), nil, "audit", "audit"},
		{"kernel-only code integrity (HVCI) is not allow-listing", regOf(), []wmiDeviceGuard{{CodeIntegrityPolicyEnforcementStatus: u(2), UsermodeCodeIntegrityPolicyEnforcementStatus: u(0)}}, "", "off"},
	}
	for _, tt := range tests {
		got, known := winAllowListing(tt.sac, tt.dg, true, tt.appLocker, true)
		if got != tt.want || !known {
			t.Errorf("%s: %q (known %v), want %q", tt.name, got, known, tt.want)
		}
	}
	if _, known := winAllowListing(regOf(), nil, false, "", true); known {
		t.Error("off reported without App Control's status")
	}
}

func TestWinOfficeMacrosBlocked(t *testing.T) {
	const sid = "S-1-5-21-1-2-3-1001"
	pol := func(app, kv string) string {
		return "-- reg: HKU\\" + sid + `\Software\Policies\Microsoft\Office\16.0\` + app + "\\security --\n" + kv + "\n"
	}
	pref := func(app, kv string) string {
		return "-- reg: HKU\\" + sid + `\Software\Microsoft\Office\16.0\` + app + "\\security --\n" + kv + "\n"
	}
	block := "    blockcontentexecutionfrominternet    REG_DWORD    0x1"
	allow := "    blockcontentexecutionfrominternet    REG_DWORD    0x0"
	tests := []struct {
		name   string
		rec    string
		office officeInstall
		want   *bool
	}{
		{"current Microsoft 365 Apps, no policy: blocked by default", "", officeInstall{"c2r", 19328}, boolPtr(true)},
		{"current, user enabled all macros: still blocked", pref("word", "    VBAWarnings    REG_DWORD    0x1"), officeInstall{"c2r", 19328}, boolPtr(true)},
		{"policy allows in Excel", pol("excel", allow), officeInstall{"c2r", 19328}, boolPtr(false)},
		{"Office 2019 before 2206, no policy", "", officeInstall{"c2r", 10395}, boolPtr(false)},
		{"old Click-to-Run, policy blocks all three", pol("word", block) + pol("excel", block) + pol("powerpoint", block), officeInstall{"c2r", 10395}, boolPtr(true)},
		{"MSI 2016, no policy: undocumented", "", officeInstall{"msi", 0}, nil},
		{"MSI 2016, user enabled all macros", pref("word", "    VBAWarnings    REG_DWORD    0x1"), officeInstall{"msi", 0}, boolPtr(false)},
		{"MSI 2016, VBA policy disables all", pol("word", "    VBAWarnings    REG_DWORD    0x4") + pol("excel", "    VBAWarnings    REG_DWORD    0x4") + pol("powerpoint", "    VBAWarnings    REG_DWORD    0x4"), officeInstall{"msi", 0}, boolPtr(true)},
	}
	for _, tt := range tests {
		src := testWinSource(t, tt.rec)
		got, why := winOfficeMacrosBlocked(regRead{src}, sid, tt.office)
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("%s: %s (-want +got)\n%s", tt.name, why, diff)
		}
	}
}

func TestParseFileHistoryConfig(t *testing.T) {
	// The shape of a real Config1.xml published by Alex Verboon
	// (verboon.info, April 2012), trimmed.
	real := `<?xml version="1.0" encoding="UTF-8"?>
<DataProtectionUserConfig SchemaVersion="1">
  <UserName>Admin</UserName>
  <FriendlyName>Admin</FriendlyName>
  <PCName>AV-WIN8-004</PCName>
  <UserId>6f5671be-a258-45cc-9a08-377ef1c943fb</UserId>
  <Library>
    <LibraryName>*7b0db17d-9cd2-4a93-9733-46cc89022e7c</LibraryName>
    <Folder>C:\Users\Admin\Documents</Folder>
    <Folder>C:\Users\Public\Documents</Folder>
  </Library>
  <UserFolder>C:\Users\Admin\Desktop</UserFolder>
  <LocalCatalogPath1>C:\Users\Admin\AppData\Local\Microsoft\Windows\FileHistory\Configuration\Catalog1.edb</LocalCatalogPath1>
  <StagingArea>
    <StagingAreaPath>C:\Users\Admin\AppData\Local\Microsoft\Windows\FileHistory\Data</StagingAreaPath>
    <StagingAreaMaximumCapacity>24986936729</StagingAreaMaximumCapacity>
  </StagingArea>
  <RetentionPolicies>
    <RetentionPolicyType>DISABLED</RetentionPolicyType>
    <MinimumRetentionAge>365</MinimumRetentionAge>
  </RetentionPolicies>
  <DPFrequency>3600</DPFrequency>
  <DPStatus>ENABLED</DPStatus>
  <Target>
    <TargetName>\\labhome099\data\FileHistoryBackup</TargetName>
    <TargetUrl>\\labhome099\data\FileHistoryBackup\</TargetUrl>
    <TargetDriveType>REMOTE</TargetDriveType>
    <TargetConfigPath1>Admin\AV-WIN8-004\Configuration\Config1.xml</TargetConfigPath1>
    <TargetBackupStorePath>Admin\AV-WIN8-004\Data</TargetBackupStorePath>
  </Target>
</DataProtectionUserConfig>`
	got, err := parseFileHistoryConfig([]byte(real))
	if err != nil {
		t.Fatal(err)
	}
	want := handwash.BackupTool{Name: "File History", Configured: boolPtr(true), Automatic: boolPtr(true),
		Destination: &handwash.BackupDest{Kind: handwash.DestNetworkShare, Location: `\\labhome099\data\FileHistoryBackup\`}, Detail: "every 1 hour"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got)\n%s", diff)
	}
	off := strings.NewReplacer("ENABLED", "DISABLED", "REMOTE", "REMOVABLE", "3600", "86400").Replace(real)
	got, err = parseFileHistoryConfig([]byte(off))
	if err != nil || *got.Automatic || got.Destination.Kind != handwash.DestRemovableDisk || got.Detail != "File History is turned off; every 1 day" {
		t.Errorf("turned off: %+v, %v", got, err)
	}
	if _, err := parseFileHistoryConfig([]byte("<Other/>")); err == nil {
		t.Error("a file that is not File History's parsed")
	}
}

func TestFoldersInside(t *testing.T) {
	shell := regOf(
		"Desktop", regValue{Type: regExpandSZ, Str: `%USERPROFILE%\OneDrive - Contoso\Desktop`},
		"Personal", regValue{Type: regExpandSZ, Str: `C:\Users\ana\OneDrive - Contoso\Documents`},
		"My Pictures", regValue{Type: regExpandSZ, Str: `%USERPROFILE%\Pictures`},
	)
	got := foldersInside(shell, `C:\Users\ana`, `C:\Users\ana\OneDrive - Contoso`)
	if diff := cmp.Diff([]string{"Desktop", "Documents"}, got); diff != "" {
		t.Errorf("(-want +got)\n%s", diff)
	}
	// A folder whose name only starts the same is not inside.
	if got := foldersInside(regOf("Desktop", `C:\Users\ana\OneDrive - Contoso Old\Desktop`), `C:\Users\ana`, `C:\Users\ana\OneDrive - Contoso`); len(got) != 0 {
		t.Errorf("prefix match: %v", got)
	}
}

func TestParseServerBackupSummary(t *testing.T) {
	got, err := parseServerBackupSummary([]byte(`{"LastSuccessfulBackupTime":"\/Date(1794992400000)\/","LastBackupTime":"\/Date(1795078800000)\/","LastBackupResultHR":-2147024784}`))
	if err != nil {
		t.Fatal(err)
	}
	if got.LastSuccess.Format(time.RFC3339) != "2026-11-18T09:00:00Z" || got.LastAttempt.Format(time.RFC3339) != "2026-11-19T09:00:00Z" || got.Detail != "last backup failed (0x80070070)" {
		t.Errorf("got %+v", got)
	}
}

func TestParseShellBitLocker(t *testing.T) {
	got, err := parseShellBitLocker([]byte(`[{"Drive":"D:","Protection":5},{"Drive":"C:","Protection":1},{"Drive":"E:","Protection":null},{"Drive":"F:","Protection":6}]`), "C:")
	if err != nil {
		t.Fatal(err)
	}
	want := []handwash.Volume{
		{Name: "C:", Role: handwash.RoleSystem, Encrypted: boolPtr(true), Method: "BitLocker"},
		{Name: "D:", Role: handwash.RoleData, Encrypted: boolPtr(false), Method: "BitLocker", Detail: "suspended"},
		{Name: "E:", Role: handwash.RoleData, Detail: "Explorer's BitLocker state is unknown (-1)"},
		{Name: "F:", Role: handwash.RoleData, Encrypted: boolPtr(true), Method: "BitLocker", Detail: "locked"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got)\n%s", diff)
	}
	// One drive: PowerShell 5.1 prints a bare object.
	got, err = parseShellBitLocker([]byte(`{"Drive":"C:","Protection":2}`), "")
	if err != nil || len(got) != 1 || *got[0].Encrypted || got[0].Role != handwash.RoleSystem {
		t.Errorf("bare object: %+v, %v", got, err)
	}
}

func TestBitLockerVolumes(t *testing.T) {
	u := func(n uint32) *uint32 { return &n }
	s := func(v string) *string { return &v }
	got := bitLockerVolumes([]wmiEncryptableVolume{
		{DriveLetter: s("D:"), VolumeType: u(1), ProtectionStatus: u(0), ConversionStatus: u(1), EncryptionMethod: u(6)},
		{DriveLetter: s("C:"), VolumeType: u(0), ProtectionStatus: u(1), ConversionStatus: u(1), EncryptionMethod: u(7)},
		{DriveLetter: nil, VolumeType: u(1), ProtectionStatus: u(0), ConversionStatus: u(0)},
		{DriveLetter: s("E:"), VolumeType: u(2), ProtectionStatus: u(0), ConversionStatus: u(2), EncryptionMethod: u(6)},
		{DriveLetter: s("F:"), VolumeType: u(1), ProtectionStatus: u(2), ConversionStatus: u(1), EncryptionMethod: u(4)},
	})
	want := []handwash.Volume{
		{Name: "C:", Role: handwash.RoleSystem, Encrypted: boolPtr(true), Method: "BitLocker", Detail: "XTS-AES 256"},
		{Name: "D:", Role: handwash.RoleData, Encrypted: boolPtr(false), Method: "BitLocker", Detail: "encrypted but protection is off (suspended, or waiting for activation); XTS-AES 128"},
		{Name: "F:", Role: handwash.RoleData, Encrypted: boolPtr(true), Method: "BitLocker", Detail: "locked; AES-CBC 256"},
		{Name: "E:", Role: handwash.RoleRemovable, Encrypted: boolPtr(false), Method: "BitLocker", Detail: "encrypting; XTS-AES 128"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got)\n%s", diff)
	}
}

func TestParseSocketTable(t *testing.T) {
	le := func(b []byte, v uint32) []byte { return binary.LittleEndian.AppendUint32(b, v) }
	port := func(b []byte, p int) []byte { return append(b, byte(p>>8), byte(p), 0, 0) } // network order, low word
	// TCP over IPv4: one listener on 0.0.0.0:445 (pid 4), one established.
	tcp4 := le(nil, 2)
	tcp4 = le(tcp4, 2)
	tcp4 = append(tcp4, 0, 0, 0, 0)
	tcp4 = port(tcp4, 445)
	tcp4 = append(tcp4, 0, 0, 0, 0)
	tcp4 = port(tcp4, 0)
	tcp4 = le(tcp4, 4)
	tcp4 = le(tcp4, 5) // ESTABLISHED
	tcp4 = append(tcp4, 192, 168, 1, 42)
	tcp4 = port(tcp4, 50000)
	tcp4 = append(tcp4, 1, 1, 1, 1)
	tcp4 = port(tcp4, 443)
	tcp4 = le(tcp4, 900)
	// TCP over IPv6: :: port 3389, listening, pid 1320.
	tcp6 := le(nil, 1)
	tcp6 = append(tcp6, make([]byte, 16)...)
	tcp6 = le(tcp6, 0)
	tcp6 = port(tcp6, 3389)
	tcp6 = append(tcp6, make([]byte, 16)...)
	tcp6 = le(tcp6, 0)
	tcp6 = port(tcp6, 0)
	tcp6 = le(tcp6, 2)
	tcp6 = le(tcp6, 1320)
	// UDP over IPv4 and IPv6.
	udp4 := le(nil, 1)
	udp4 = append(udp4, 10, 20, 0, 53)
	udp4 = port(udp4, 137)
	udp4 = le(udp4, 4)
	udp6 := le(nil, 1)
	udp6 = append(udp6, 0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1)
	udp6 = le(udp6, 7)
	udp6 = port(udp6, 5353)
	udp6 = le(udp6, 2312)

	var got []socketListener
	for _, c := range []struct {
		b     []byte
		proto string
		v6    bool
	}{{tcp4, "tcp", false}, {tcp6, "tcp", true}, {udp4, "udp", false}, {udp6, "udp", true}} {
		ls, err := parseSocketTable(c.b, c.proto, c.v6)
		if err != nil {
			t.Fatalf("%s v6=%v: %v", c.proto, c.v6, err)
		}
		got = append(got, ls...)
	}
	want := []socketListener{
		{Protocol: "tcp", Address: "0.0.0.0", Port: 445, PID: 4},
		{Protocol: "tcp", Address: "::", Port: 3389, PID: 1320},
		{Protocol: "udp", Address: "10.20.0.53", Port: 137, PID: 4},
		{Protocol: "udp", Address: "fe80::1", Port: 5353, PID: 2312},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got)\n%s", diff)
	}
	if _, err := parseSocketTable(le(nil, 3), "tcp", false); err == nil {
		t.Error("a table claiming rows it does not hold parsed")
	}
	if _, err := parseSocketTable([]byte{1}, "udp", false); err == nil {
		t.Error("a short buffer parsed")
	}
}

func TestWinListeners(t *testing.T) {
	got := winListeners([]socketListener{
		{Protocol: "tcp", Address: "127.0.0.1", Port: 9012},
		{Protocol: "tcp", Address: "::1", Port: 49670},
		{Protocol: "tcp", Address: "::ffff:127.0.0.1", Port: 1},
		{Protocol: "tcp", Address: "::ffff:10.0.0.5", Port: 8080, Image: `C:\Apps\srv.exe`},
		{Protocol: "udp", Address: "0.0.0.0", Port: 5353, PID: 2248},
		{Protocol: "udp", Address: "0.0.0.0", Port: 5353, PID: 2248},
		{Protocol: "tcp", Address: "0.0.0.0", Port: 445, PID: 4},
		{Protocol: "tcp", Address: "bogus", Port: 1},
	})
	want := []handwash.Listener{
		{Protocol: "tcp", Address: "0.0.0.0", Port: 445, Process: "System"},
		{Protocol: "tcp", Address: "10.0.0.5", Port: 8080, Process: "srv.exe"},
		{Protocol: "udp", Address: "0.0.0.0", Port: 5353},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got)\n%s", diff)
	}
}

func TestWindowsCollectorsOutsideWindows(t *testing.T) {
	// On other platforms the real source answers "not on Windows"; a
	// collector fails cleanly rather than panicking or guessing.
	if runtime.GOOS == "windows" {
		t.Skip("the real source works here")
	}
	h, _ := ParseReplay([]byte("-- hostname: x --\n"))
	f := &handwash.Facts{}
	err := collectWinOS(t.Context(), h, realWinSource(), f)
	if !errors.Is(err, errNotWindows) || f.OS != nil {
		t.Errorf("collectWinOS = %v, os %+v", err, f.OS)
	}
}
