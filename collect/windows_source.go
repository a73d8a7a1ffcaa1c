package collect

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf16"

	"github.com/handwash/handwash"
)

// winSource is everything the Windows collectors read from Windows. The real
// one (realWinSource) calls the registry, WMI and Win32 APIs; the replay one
// (replayWinSource) answers from a recording, so every collector runs in
// tests on any platform. Keep it small: parsing and judgement stay in the
// collectors, which are plain Go without build tags.
//
// Errors follow io/fs: a missing key or value is fs.ErrNotExist, a refusal
// is fs.ErrPermission. A WMI namespace or class that this edition lacks is
// errWMINotAvailable.
type winSource interface {
	// RegValues returns the values of a registry key, with lower-cased
	// names. Keys are full paths beginning HKLM\, HKU\ or HKCU\; HKLM is
	// always read in the 64-bit view, and the 32-bit view is reached through
	// its WOW6432Node path, as reg.exe shows it.
	RegValues(key string) (regValues, error)
	// RegSubkeys lists the names (not paths) of a key's subkeys.
	RegSubkeys(key string) ([]string, error)
	// WMI runs a WQL query in a namespace and fills dst, a pointer to a
	// slice of structs whose field names are the property names.
	WMI(namespace, query string, dst any) error
	// ConsoleUser is the person signed in at the console, or, when nobody
	// is, the user running the check (never SYSTEM).
	ConsoleUser() (winUser, error)
	// ProcessToken describes the account this process runs as.
	ProcessToken() (winToken, error)
	// UserModals is NetUserModalsGet levels 0 and 3: the local password
	// and lockout policy.
	UserModals() (userModals, error)
	// LocalGroupMembers lists the members of the local group with this SID
	// (NetLocalGroupGetMembers level 2).
	LocalGroupMembers(sid string) ([]groupMember, error)
	// JoinInfo says whether the device is joined to a domain or Entra ID.
	JoinInfo() (joinInfo, error)
	// PowerSettings reads the lock-related settings of the active power plan.
	PowerSettings() (powerSettings, error)
	// Listeners lists listening TCP sockets and bound UDP sockets.
	Listeners() ([]socketListener, error)
	// WLANProfiles returns the saved Wi-Fi profiles as XML, never with keys
	// in plain text. errNoWLAN means the WLAN service is not running.
	WLANProfiles() ([]wlanProfile, error)
	// SecurityPolicy is the text of "secedit /export /areas SECURITYPOLICY"
	// (administrators only).
	SecurityPolicy(ctx context.Context) ([]byte, error)
	// WindowsUpdate asks the Windows Update Agent for its history and for
	// the updates it already knows are missing, without going online.
	WindowsUpdate(ctx context.Context) (wuaState, error)
}

var (
	// errWMINotAvailable is a WMI namespace or class this Windows lacks
	// (WBEM_E_INVALID_NAMESPACE, WBEM_E_INVALID_CLASS), e.g.
	// SecurityCenter2 on Windows Server.
	errWMINotAvailable = errors.New("WMI class not available on this edition")
	// errNotWindows is what every call of the real source answers on other
	// platforms.
	errNotWindows = errors.New("not on Windows")
	// errNoWLAN means the WLAN AutoConfig service is not running, as on a
	// desktop without Wi-Fi.
	errNoWLAN = errors.New("WLAN AutoConfig service is not running")
	// errNoConsoleUser means nobody is signed in at the console and the
	// check runs as SYSTEM.
	errNoConsoleUser = errors.New("nobody is signed in")
)

// wmiError is a failed WMI call with its HRESULT. It matches
// errWMINotAvailable and fs.ErrPermission where the code says so, so
// collectors can give the right reason.
type wmiError struct {
	Code uint32
	Msg  string
}

func (e *wmiError) Error() string {
	msg := e.Msg
	if msg == "" {
		msg = wmiCodeNames[e.Code]
	}
	if msg != "" {
		return fmt.Sprintf("WMI error 0x%08X: %s", e.Code, msg)
	}
	return fmt.Sprintf("WMI error 0x%08X", e.Code)
}

// wmiCodeNames explain the HRESULTs a WMI query meets most, for errors
// that come without a description (all but WMI's own exceptions).
var wmiCodeNames = map[uint32]string{
	0x80020005: "type mismatch in an argument (DISP_E_TYPEMISMATCH)",
	0x80020009: "exception (DISP_E_EXCEPTION)",
	0x80041001: "generic failure (WBEM_E_FAILED)",
	0x80041003: "access denied (WBEM_E_ACCESS_DENIED)",
	0x8004100E: "invalid namespace (WBEM_E_INVALID_NAMESPACE)",
	0x80041010: "invalid class (WBEM_E_INVALID_CLASS)",
	0x80041017: "invalid query (WBEM_E_INVALID_QUERY)",
	0x80070005: "access denied (E_ACCESSDENIED)",
	0x800706BA: "the RPC server is unavailable",
	0x80004001: "not implemented (E_NOTIMPL)",
}

func (e *wmiError) Is(target error) bool {
	switch target {
	case errWMINotAvailable:
		return e.Code == 0x8004100E || e.Code == 0x80041010
	case fs.ErrPermission:
		return e.Code == 0x80041003 || e.Code == 0x80070005
	}
	return false
}

var hexCode = regexp.MustCompile(`0[xX][0-9A-Fa-f]{8}`)

// parseWMIError reads an error recorded as text, taking the first 0x........
// HRESULT in it.
func parseWMIError(text string) error {
	text = strings.TrimSpace(text)
	if m := hexCode.FindString(text); m != "" {
		code, _ := strconv.ParseUint(m[2:], 16, 32)
		return &wmiError{Code: uint32(code), Msg: strings.TrimSpace(strings.Replace(text, m, "", 1))}
	}
	return parseAPIError(text)
}

// parseAPIError turns recorded error text into the error the real source
// would return: "access denied" and "not found" keep their meaning.
func parseAPIError(text string) error {
	text = strings.TrimSpace(text)
	low := strings.ToLower(text)
	switch {
	case strings.Contains(low, "access is denied") || strings.Contains(low, "access denied"):
		return fmt.Errorf("%s: %w", text, fs.ErrPermission)
	case strings.Contains(low, "not found") || strings.Contains(low, "cannot find") || strings.Contains(low, "unable to find"):
		return fmt.Errorf("%s: %w", text, fs.ErrNotExist)
	case strings.Contains(low, "wlan") && strings.Contains(low, "not running"):
		return errNoWLAN
	case strings.Contains(low, "nobody is signed in"):
		return errNoConsoleUser
	case strings.Contains(low, "timed out") || strings.Contains(low, "timeout"):
		return fmt.Errorf("%s: %w", text, context.DeadlineExceeded)
	}
	return errors.New(text)
}

// reasonFor picks the Missing reason for an error from a winSource.
func reasonFor(err error) string {
	switch {
	case errors.Is(err, fs.ErrPermission):
		return handwash.ReasonNeedsAdmin
	case errors.Is(err, errWMINotAvailable), errors.Is(err, errNotWindows):
		return handwash.ReasonNotSupported
	case errors.Is(err, context.DeadlineExceeded):
		return handwash.ReasonTimedOut
	case errors.Is(err, fs.ErrNotExist):
		return handwash.ReasonNotInstalled
	}
	return handwash.ReasonError
}

// Registry value types, as reg.exe names them.
const (
	regSZ       = "REG_SZ"
	regExpandSZ = "REG_EXPAND_SZ"
	regMultiSZ  = "REG_MULTI_SZ"
	regDWORD    = "REG_DWORD"
	regQWORD    = "REG_QWORD"
	regBinary   = "REG_BINARY"
	regNone     = "REG_NONE"
)

// regValue is one registry value as stored.
type regValue struct {
	Type string
	Str  string   // REG_SZ, REG_EXPAND_SZ
	Strs []string // REG_MULTI_SZ
	Num  uint64   // REG_DWORD, REG_QWORD
	Bin  []byte   // REG_BINARY and anything else
}

// regValues are a key's values by lower-cased name (registry names are
// case-insensitive).
type regValues map[string]regValue

// value looks a value up by name.
func (v regValues) value(name string) (regValue, bool) {
	r, ok := v[strings.ToLower(name)]
	return r, ok
}

// has says whether the value exists.
func (v regValues) has(name string) bool {
	_, ok := v.value(name)
	return ok
}

// str reads a value as text. Numbers are given in decimal, because the same
// setting is REG_SZ on one build and REG_DWORD on another.
func (v regValues) str(name string) (string, bool) {
	r, ok := v.value(name)
	if !ok {
		return "", false
	}
	return r.text()
}

// num reads a value as a number, accepting a number written as text
// ("1", "0x1") for the same reason str accepts numbers.
func (v regValues) num(name string) (uint64, bool) {
	r, ok := v.value(name)
	if !ok {
		return 0, false
	}
	return r.number()
}

// text is the value as text, if it has one.
func (r regValue) text() (string, bool) {
	switch r.Type {
	case regSZ, regExpandSZ:
		return strings.TrimRight(r.Str, "\x00"), true
	case regMultiSZ:
		return strings.Join(r.Strs, "\n"), true
	case regDWORD, regQWORD:
		return strconv.FormatUint(r.Num, 10), true
	}
	return "", false
}

// number is the value as a number, if it is one.
func (r regValue) number() (uint64, bool) {
	switch r.Type {
	case regDWORD, regQWORD:
		return r.Num, true
	case regSZ, regExpandSZ:
		s := strings.TrimSpace(strings.TrimRight(r.Str, "\x00"))
		n, err := strconv.ParseUint(s, 0, 64)
		if err != nil {
			if i, err := strconv.ParseInt(s, 10, 64); err == nil && i < 0 {
				// A negative number in text, as some tools write -1 for
				// "never"; keep its two's-complement DWORD form.
				return uint64(uint32(i)), true
			}
			return 0, false
		}
		return n, true
	case regBinary:
		// A DWORD written as four little-endian bytes.
		if len(r.Bin) == 4 {
			return uint64(r.Bin[0]) | uint64(r.Bin[1])<<8 | uint64(r.Bin[2])<<16 | uint64(r.Bin[3])<<24, true
		}
	}
	return 0, false
}

// winUser is a Windows account: DOMAIN\name and SID.
type winUser struct {
	Name string `json:"name"`
	SID  string `json:"sid"`
	// Admin says the account belongs to Administrators, directly or through
	// groups and Entra roles, where one of its tokens could be read: that
	// of this process, or (as SYSTEM) that of the console session. It
	// counts membership that UAC filtered out of an unelevated token.
	Admin *bool `json:"admin,omitempty"`
}

// winToken describes the account this process runs as.
type winToken struct {
	winUser
	// Elevated says the process runs with full administrator rights.
	Elevated bool `json:"elevated"`
}

// userModals is NetUserModalsGet levels 0 and 3 (times in seconds,
// 0xFFFFFFFF meaning never or forever).
type userModals struct {
	MinPasswdLen       uint32 `json:"usrmod0_min_passwd_len"`
	MaxPasswdAge       uint32 `json:"usrmod0_max_passwd_age"`
	MinPasswdAge       uint32 `json:"usrmod0_min_passwd_age"`
	PasswordHistLen    uint32 `json:"usrmod0_password_hist_len"`
	LockoutDuration    uint32 `json:"usrmod3_lockout_duration"`
	LockoutObservation uint32 `json:"usrmod3_lockout_observation_window"`
	LockoutThreshold   uint32 `json:"usrmod3_lockout_threshold"`
}

// timeqForever is TIMEQ_FOREVER in NetUserModalsGet's answers.
const timeqForever = 0xFFFFFFFF

// groupMember is LOCALGROUP_MEMBERS_INFO_2.
type groupMember struct {
	SID string `json:"lgrmi2_sid"`
	// SIDUsage is SID_NAME_USE: 1 user, 2 group, 4 alias, 5 well-known
	// group, 6 deleted account, 8 unknown.
	SIDUsage      uint32 `json:"lgrmi2_sidusage"`
	DomainAndName string `json:"lgrmi2_domainandname"`
}

// joinInfo is NetGetJoinInformation and NetGetAadJoinInformation.
type joinInfo struct {
	// Status is NETSETUP_JOIN_STATUS: 1 unjoined, 2 workgroup, 3 domain.
	Status uint32 `json:"status"`
	Name   string `json:"name"`
	// AADJoinType is DSREG_JOIN_TYPE: 0 none, 1 device joined (Entra or
	// hybrid), 2 a work account added only.
	AADJoinType uint32 `json:"aad_join_type"`
	TenantID    string `json:"tenant_id,omitempty"`
}

// powerSettings are the active power plan's lock-related settings, in
// seconds for timeouts (0 = never).
type powerSettings struct {
	ACSleepSeconds uint32 `json:"ac_sleep_seconds"`
	DCSleepSeconds uint32 `json:"dc_sleep_seconds"`
	// ACLockOnWake and DCLockOnWake are CONSOLELOCK: sign-in needed on wake.
	ACLockOnWake uint32 `json:"ac_consolelock"`
	DCLockOnWake uint32 `json:"dc_consolelock"`
}

// socketListener is one listening or bound socket.
type socketListener struct {
	Protocol string `json:"protocol"` // tcp or udp
	Address  string `json:"address"`
	Port     int    `json:"port"`
	PID      uint32 `json:"pid"`
	// Image is the process's executable path, empty when Windows would not
	// say (protected processes, without administrator rights).
	Image string `json:"image,omitempty"`
}

// wlanProfile is one saved Wi-Fi profile.
type wlanProfile struct {
	Interface string `json:"interface"`
	Name      string `json:"name"`
	// Flags are WLAN_PROFILE_INFO flags: 1 group policy, 2 per-user.
	Flags uint32 `json:"flags"`
	XML   string `json:"-"`
}

// wuaState is what the Windows Update Agent says.
type wuaState struct {
	History     []wuaHistoryEntry
	HistoryErr  error
	Pending     []wuaUpdate
	PendingErr  error
	LastSearch  *time.Time
	LastInstall *time.Time
	ResultsErr  error
}

// wuaHistoryEntry is one IUpdateHistoryEntry.
type wuaHistoryEntry struct {
	Date string `json:"date"`
	// Operation is 1 install, 2 uninstall.
	Operation int `json:"operation"`
	// ResultCode is 2 succeeded, 3 succeeded with errors, 4 failed, 5 aborted.
	ResultCode int      `json:"result_code"`
	Title      string   `json:"title"`
	Categories []string `json:"categories,omitempty"`
}

// wuaUpdate is one IUpdate the agent knows is not installed.
type wuaUpdate struct {
	Title                    string   `json:"title"`
	MsrcSeverity             string   `json:"msrc_severity,omitempty"`
	LastDeploymentChangeTime string   `json:"last_deployment_change_time,omitempty"`
	KBArticleIDs             []string `json:"kb_article_ids,omitempty"`
	Categories               []string `json:"categories,omitempty"`
}

// parseWinTime reads the date formats Windows tools give: WMI's CIM
// DATETIME ("20251014091233.123456+060"), PowerShell 5.1's JSON
// "\/Date(1718000000000)\/", and RFC 3339. It never reads localised dates.
func parseWinTime(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, false
	}
	if rest, ok := strings.CutPrefix(s, "/Date("); ok {
		return parseJSONDate(rest)
	}
	if rest, ok := strings.CutPrefix(s, `\/Date(`); ok {
		return parseJSONDate(strings.ReplaceAll(rest, `\/`, "/"))
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t.UTC(), true
	}
	return parseCIMDateTime(s)
}

// parseJSONDate reads the inside of /Date(ms[+-hhmm])/.
func parseJSONDate(rest string) (time.Time, bool) {
	body, ok := strings.CutSuffix(rest, ")/")
	if !ok {
		return time.Time{}, false
	}
	// The optional offset only says which zone the writer was in; the
	// milliseconds are UTC.
	if i := strings.LastIndexAny(body, "+-"); i > 0 {
		body = body[:i]
	}
	ms, err := strconv.ParseInt(body, 10, 64)
	if err != nil {
		return time.Time{}, false
	}
	return time.UnixMilli(ms).UTC(), true
}

// parseCIMDateTime reads yyyymmddHHMMSS.mmmmmmsUUU, where UUU is the offset
// from UTC in minutes.
func parseCIMDateTime(s string) (time.Time, bool) {
	if len(s) != 25 || s[14] != '.' || (s[21] != '+' && s[21] != '-') {
		return time.Time{}, false
	}
	base, err := time.Parse("20060102150405", s[:14])
	if err != nil {
		return time.Time{}, false
	}
	micro, err := strconv.Atoi(s[15:21])
	if err != nil {
		return time.Time{}, false
	}
	off, err := strconv.Atoi(s[22:])
	if err != nil {
		return time.Time{}, false
	}
	if s[21] == '-' {
		off = -off
	}
	t := base.Add(time.Duration(micro)*time.Microsecond - time.Duration(off)*time.Minute)
	return t.UTC(), true
}

// decodePSJSON reads PowerShell's ConvertTo-Json output, which is a bare
// object when there is one result and an array otherwise, into a slice.
func decodePSJSON(b []byte, dst any) error {
	b = []byte(strings.TrimSpace(strings.TrimPrefix(string(b), "\ufeff")))
	if len(b) == 0 {
		return errors.New("PowerShell printed nothing")
	}
	if b[0] == '{' {
		b = append(append([]byte{'['}, b...), ']')
	}
	return json.Unmarshal(b, dst)
}

// filetimeToTime turns a Windows FILETIME (100 ns since 1601) into a time.
func filetimeToTime(ft uint64) (time.Time, bool) {
	const epochDiff = 116444736000000000 // 1601-01-01 to 1970-01-01 in 100 ns
	if ft <= epochDiff {
		return time.Time{}, false
	}
	d := ft - epochDiff
	return time.Unix(int64(d/10000000), int64(d%10000000)*100).UTC(), true
}

// ridOf returns the relative identifier, the last part of a SID.
func ridOf(sid string) (uint64, bool) {
	i := strings.LastIndexByte(sid, '-')
	if i < 0 || !strings.HasPrefix(sid, "S-1-") {
		return 0, false
	}
	n, err := strconv.ParseUint(sid[i+1:], 10, 32)
	return n, err == nil
}

// Well-known SIDs and RIDs. Names are localised and renamable; these are not.
const (
	sidAdministrators = "S-1-5-32-544"
	sidSystem         = "S-1-5-18"
	ridAdministrator  = 500
	ridGuest          = 501
)

// isUserHiveSID says whether an HKEY_USERS subkey is a person's hive: local
// or domain (S-1-5-21-…) or Entra ID (S-1-12-1-…), not a *_Classes hive or
// a service account.
func isUserHiveSID(name string) bool {
	if strings.HasSuffix(strings.ToLower(name), "_classes") {
		return false
	}
	return strings.HasPrefix(name, "S-1-5-21-") || strings.HasPrefix(name, "S-1-12-1-")
}

// regRead is a registry reader that treats an absent key as no values.
type regRead struct{ src winSource }

// values returns a key's values; an absent key has none.
func (r regRead) values(key string) (regValues, error) {
	v, err := r.src.RegValues(key)
	if errors.Is(err, fs.ErrNotExist) {
		return regValues{}, nil
	}
	return v, err
}

// exists says whether a key exists.
func (r regRead) exists(key string) (bool, error) {
	_, err := r.src.RegValues(key)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	return err == nil, err
}

// subkeys lists a key's subkeys; an absent key has none.
func (r regRead) subkeys(key string) ([]string, error) {
	s, err := r.src.RegSubkeys(key)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	return s, err
}

// userKey is a path in a user's hive, HKU\<SID>\rest.
func userKey(sid, rest string) string { return `HKU\` + sid + `\` + rest }

// decodeRawRegValue turns a value's raw bytes, as RegQueryValueEx returns
// them, into a regValue. Strings are UTF-16LE; numbers little-endian
// (REG_DWORD_BIG_ENDIAN aside).
func decodeRawRegValue(typ uint32, b []byte) regValue {
	utf16le := func(b []byte) []uint16 {
		u := make([]uint16, len(b)/2)
		for i := range u {
			u[i] = uint16(b[2*i]) | uint16(b[2*i+1])<<8
		}
		return u
	}
	switch typ {
	case 1, 2: // REG_SZ, REG_EXPAND_SZ
		t := regSZ
		if typ == 2 {
			t = regExpandSZ
		}
		u := utf16le(b)
		for len(u) > 0 && u[len(u)-1] == 0 {
			u = u[:len(u)-1]
		}
		return regValue{Type: t, Str: string(utf16.Decode(u))}
	case 7: // REG_MULTI_SZ
		var items []string
		var cur []uint16
		for _, c := range utf16le(b) {
			if c == 0 {
				if len(cur) > 0 {
					items = append(items, string(utf16.Decode(cur)))
				}
				cur = cur[:0]
				continue
			}
			cur = append(cur, c)
		}
		if len(cur) > 0 {
			items = append(items, string(utf16.Decode(cur)))
		}
		return regValue{Type: regMultiSZ, Strs: items}
	case 4: // REG_DWORD
		if len(b) >= 4 {
			return regValue{Type: regDWORD, Num: uint64(binary.LittleEndian.Uint32(b))}
		}
	case 5: // REG_DWORD_BIG_ENDIAN
		if len(b) >= 4 {
			return regValue{Type: regDWORD, Num: uint64(binary.BigEndian.Uint32(b))}
		}
	case 11: // REG_QWORD
		if len(b) >= 8 {
			return regValue{Type: regQWORD, Num: binary.LittleEndian.Uint64(b)}
		}
	case 0:
		return regValue{Type: regNone, Bin: b}
	}
	return regValue{Type: regBinary, Bin: b}
}
