//go:build windows

package collect

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"unsafe"

	ole "github.com/go-ole/go-ole"
	"github.com/yusufpapurcu/wmi"
	"golang.org/x/sys/windows"
	"golang.org/x/sys/windows/registry"
)

// realWinSource reads this Windows machine.
func realWinSource() winSource { return windowsSource{} }

type windowsSource struct{}

// Win32 functions golang.org/x/sys/windows does not bind.
var (
	modNetapi32  = windows.NewLazySystemDLL("netapi32.dll")
	modIphlpapi  = windows.NewLazySystemDLL("iphlpapi.dll")
	modWlanapi   = windows.NewLazySystemDLL("wlanapi.dll")
	modWtsapi32  = windows.NewLazySystemDLL("wtsapi32.dll")
	modPowrprof  = windows.NewLazySystemDLL("powrprof.dll")
	modKernel32  = windows.NewLazySystemDLL("kernel32.dll")
	procUserMod  = modNetapi32.NewProc("NetUserModalsGet")
	procGroupMem = modNetapi32.NewProc("NetLocalGroupGetMembers")
	procAADJoin  = modNetapi32.NewProc("NetGetAadJoinInformation")
	procAADFree  = modNetapi32.NewProc("NetFreeAadJoinInformation")
	procTCPTable = modIphlpapi.NewProc("GetExtendedTcpTable")
	procUDPTable = modIphlpapi.NewProc("GetExtendedUdpTable")
	procWlanOpen = modWlanapi.NewProc("WlanOpenHandle")
	procWlanClos = modWlanapi.NewProc("WlanCloseHandle")
	procWlanIfs  = modWlanapi.NewProc("WlanEnumInterfaces")
	procWlanList = modWlanapi.NewProc("WlanGetProfileList")
	procWlanGet  = modWlanapi.NewProc("WlanGetProfile")
	procWlanFree = modWlanapi.NewProc("WlanFreeMemory")
	procWTSQuery = modWtsapi32.NewProc("WTSQuerySessionInformationW")
	procPwrGetAS = modPowrprof.NewProc("PowerGetActiveScheme")
	procPwrAC    = modPowrprof.NewProc("PowerReadACValueIndex")
	procPwrDC    = modPowrprof.NewProc("PowerReadDCValueIndex")
	_            = modKernel32
)

// openRegKey opens a key by full path, always in the 64-bit view: a
// 32-bit build would otherwise be redirected to WOW6432Node and miss
// 64-bit data.
func openRegKey(path string, access uint32) (registry.Key, error) {
	root, sub, _ := strings.Cut(normRegPath(path), `\`)
	var k registry.Key
	switch root {
	case "HKLM":
		k = registry.LOCAL_MACHINE
	case "HKU":
		k = registry.USERS
	case "HKCU":
		k = registry.CURRENT_USER
	case "HKCR":
		k = registry.CLASSES_ROOT
	default:
		return 0, fmt.Errorf("unknown registry root in %q", path)
	}
	key, err := registry.OpenKey(k, sub, access|registry.WOW64_64KEY)
	if err != nil {
		return 0, fmt.Errorf("%s: %w", path, err)
	}
	return key, nil
}

func (windowsSource) RegValues(path string) (regValues, error) {
	k, err := openRegKey(path, registry.QUERY_VALUE)
	if err != nil {
		return nil, err
	}
	defer k.Close()
	names, err := k.ReadValueNames(0)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	out := make(regValues, len(names))
	for _, n := range names {
		v, err := readRegValue(k, n)
		if err != nil {
			continue // deleted while we read, or too large: skip it
		}
		out[strings.ToLower(n)] = v
	}
	return out, nil
}

// readRegValue reads one value of any type, sizing the buffer first.
func readRegValue(k registry.Key, name string) (regValue, error) {
	for range 3 {
		n, _, err := k.GetValue(name, nil)
		if err != nil {
			return regValue{}, err
		}
		buf := make([]byte, n)
		var typ uint32
		if n > 0 {
			n, typ, err = k.GetValue(name, buf)
			if errors.Is(err, registry.ErrShortBuffer) {
				continue // grew between the calls
			}
			if err != nil {
				return regValue{}, err
			}
		} else {
			_, typ, _ = k.GetValue(name, nil)
		}
		return decodeRawRegValue(typ, buf[:n]), nil
	}
	return regValue{}, registry.ErrShortBuffer
}

func (windowsSource) RegSubkeys(path string) ([]string, error) {
	k, err := openRegKey(path, registry.ENUMERATE_SUB_KEYS)
	if err != nil {
		return nil, err
	}
	defer k.Close()
	names, err := k.ReadSubKeyNames(0)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return names, nil
}

// wmiClient leaves a pointer field nil for a NULL property, and lets a
// struct ask for properties an older build lacks.
var wmiClient = &wmi.Client{AllowMissingFields: true, PtrNil: true}

func (windowsSource) WMI(namespace, query string, dst any) (err error) {
	// The library fills structs by reflection and panics on some type
	// mismatches; that is one failed query, not a failed collector.
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("WMI %s: %v", query, p)
		}
	}()
	err = wmiClient.Query(query, dst, nil, namespace)
	if err == nil {
		return nil
	}
	var oe *ole.OleError
	if errors.As(err, &oe) {
		code := uint32(oe.Code())
		if ex, ok := oe.SubError().(ole.EXCEPINFO); ok && ex.SCODE() != 0 {
			code = ex.SCODE()
		}
		// go-ole writes "<nil>" for an exception without a description,
		// and every HRESULT that is not an exception has none.
		msg := strings.TrimSpace(oe.Description())
		if msg == "<nil>" {
			msg = ""
		}
		return &wmiError{Code: code, Msg: msg}
	}
	return err
}

const wtsUserName, wtsDomainName = 5, 7

// wtsString asks Remote Desktop Services about a session.
func wtsString(session uint32, class uint32) (string, error) {
	var buf *uint16
	var n uint32
	r, _, err := procWTSQuery.Call(0, uintptr(session), uintptr(class), uintptr(unsafe.Pointer(&buf)), uintptr(unsafe.Pointer(&n)))
	if r == 0 {
		return "", err
	}
	defer windows.WTSFreeMemory(uintptr(unsafe.Pointer(buf)))
	return windows.UTF16PtrToString(buf), nil
}

func (s windowsSource) ConsoleUser() (winUser, error) {
	tok, tokErr := s.ProcessToken()
	if sess := windows.WTSGetActiveConsoleSessionId(); sess != 0xFFFFFFFF {
		name, err := wtsString(sess, wtsUserName)
		if err == nil && name != "" {
			domain, _ := wtsString(sess, wtsDomainName)
			u := winUser{Name: domain + `\` + name}
			if domain == "" {
				u.Name = name
			}
			if tokErr == nil && strings.EqualFold(tok.Name, u.Name) {
				return tok.winUser, nil
			}
			sid, _, _, err := windows.LookupSID("", u.Name)
			if err != nil {
				return winUser{}, fmt.Errorf("the SID of %s: %w", u.Name, err)
			}
			u.SID = sid.String()
			// As SYSTEM (the agent) the console session's own token can
			// be read, which settles group and Entra role membership.
			var ut windows.Token
			if err := windows.WTSQueryUserToken(sess, &ut); err == nil {
				u.Admin = tokenInAdministrators(ut)
				ut.Close()
			}
			return u, nil
		}
	}
	// Nobody at the console (a Remote Desktop session, or a server): the
	// person running the check, unless that is the system itself.
	if tokErr != nil {
		return winUser{}, tokErr
	}
	if tok.SID == sidSystem {
		return winUser{}, errNoConsoleUser
	}
	return tok.winUser, nil
}

func (windowsSource) ProcessToken() (winToken, error) {
	t := windows.GetCurrentProcessToken()
	tu, err := t.GetTokenUser()
	if err != nil {
		return winToken{}, err
	}
	var w winToken
	w.SID = tu.User.Sid.String()
	if acct, dom, _, err := tu.User.Sid.LookupAccount(""); err == nil {
		w.Name = dom + `\` + acct
	}
	w.Elevated = t.IsElevated()
	w.Admin = tokenInAdministrators(t)
	return w, nil
}

// tokenInAdministrators says whether a token holds Administrators. Under
// UAC an administrator's unelevated token still lists the group, marked
// deny-only: membership is what we want.
func tokenInAdministrators(t windows.Token) *bool {
	gs, err := t.GetTokenGroups()
	if err != nil {
		return nil
	}
	for _, g := range gs.AllGroups() {
		if g.Sid.String() == sidAdministrators {
			return boolPtr(true)
		}
	}
	return boolPtr(false)
}

func (windowsSource) UserModals() (userModals, error) {
	var m userModals
	var b0, b3 *uint32
	if r, _, _ := procUserMod.Call(0, 0, uintptr(unsafe.Pointer(&b0))); r != 0 {
		return m, netapiError("NetUserModalsGet level 0", r)
	}
	defer windows.NetApiBufferFree((*byte)(unsafe.Pointer(b0)))
	l0 := unsafe.Slice(b0, 5) // min_passwd_len, max_passwd_age, min_passwd_age, force_logoff, password_hist_len
	m.MinPasswdLen, m.MaxPasswdAge, m.MinPasswdAge, m.PasswordHistLen = l0[0], l0[1], l0[2], l0[4]
	if r, _, _ := procUserMod.Call(0, 3, uintptr(unsafe.Pointer(&b3))); r != 0 {
		return m, netapiError("NetUserModalsGet level 3", r)
	}
	defer windows.NetApiBufferFree((*byte)(unsafe.Pointer(b3)))
	l3 := unsafe.Slice(b3, 3) // lockout_duration, lockout_observation_window, lockout_threshold
	m.LockoutDuration, m.LockoutObservation, m.LockoutThreshold = l3[0], l3[1], l3[2]
	return m, nil
}

// netapiError names a NET_API_STATUS. The NERR_ codes (2100 and up) live
// in netmsg.dll, which windows.Errno's message lookup does not search, so
// it would print only "winapi error #2140"; Win32 codes keep their
// windows.Errno, and with it the fs.ErrPermission mapping.
func netapiError(fn string, r uintptr) error {
	code := uint32(r)
	if name, ok := nerrNames[code]; ok {
		return fmt.Errorf("%s: %s (NERR %d)", fn, name, code)
	}
	return fmt.Errorf("%s: %w", fn, windows.Errno(code))
}

var nerrNames = map[uint32]string{
	2114: "the Server service is not started",
	2140: "internal error",
	2220: "the group does not exist",
	2221: "the user does not exist",
	2351: "invalid computer name",
	2453: "no domain controller was found",
}

// localgroupMembersInfo2 is LOCALGROUP_MEMBERS_INFO_2.
type localgroupMembersInfo2 struct {
	sid           *windows.SID
	sidUsage      uint32
	domainAndName *uint16
}

func (windowsSource) LocalGroupMembers(sidStr string) ([]groupMember, error) {
	sid, err := windows.StringToSid(sidStr)
	if err != nil {
		return nil, err
	}
	// The group's name is localised ("Administratoren"): look it up.
	name, _, _, err := sid.LookupAccount("")
	if err != nil {
		return nil, err
	}
	pname, err := windows.UTF16PtrFromString(name)
	if err != nil {
		return nil, err
	}
	var out []groupMember
	var resume uintptr
	for {
		var buf *byte
		var read, total uint32
		r, _, _ := procGroupMem.Call(0, uintptr(unsafe.Pointer(pname)), 2, uintptr(unsafe.Pointer(&buf)),
			0xFFFFFFFF, uintptr(unsafe.Pointer(&read)), uintptr(unsafe.Pointer(&total)), uintptr(unsafe.Pointer(&resume)))
		if r != 0 && r != uintptr(windows.ERROR_MORE_DATA) {
			return nil, netapiError("NetLocalGroupGetMembers", r)
		}
		if buf != nil {
			for _, m := range unsafe.Slice((*localgroupMembersInfo2)(unsafe.Pointer(buf)), read) {
				gm := groupMember{SIDUsage: m.sidUsage, DomainAndName: windows.UTF16PtrToString(m.domainAndName)}
				if m.sid != nil {
					gm.SID = m.sid.String()
				}
				out = append(out, gm)
			}
			windows.NetApiBufferFree(buf)
		}
		if r == 0 {
			return out, nil
		}
	}
}

// dsregJoinInfo is the start of DSREG_JOIN_INFO.
type dsregJoinInfo struct {
	joinType        uint32
	joinCertificate uintptr
	deviceID        *uint16
	idpDomain       *uint16
	tenantID        *uint16
}

func (windowsSource) JoinInfo() (joinInfo, error) {
	var j joinInfo
	var name *uint16
	if err := windows.NetGetJoinInformation(nil, &name, &j.Status); err != nil {
		return j, err
	}
	j.Name = windows.UTF16PtrToString(name)
	windows.NetApiBufferFree((*byte)(unsafe.Pointer(name)))
	if procAADJoin.Find() != nil {
		return j, nil // before Windows 10: no Entra join
	}
	var info *dsregJoinInfo
	if hr, _, _ := procAADJoin.Call(0, uintptr(unsafe.Pointer(&info))); hr != 0 {
		return j, fmt.Errorf("NetGetAadJoinInformation: HRESULT 0x%08X", uint32(hr))
	}
	if info != nil {
		j.AADJoinType = info.joinType
		j.TenantID = windows.UTF16PtrToString(info.tenantID)
		procAADFree.Call(uintptr(unsafe.Pointer(info)))
	}
	return j, nil
}

// Power setting GUIDs: the sleep subgroup and its idle timeout, and
// CONSOLELOCK, which has no subgroup.
var (
	guidSleepSubgroup = windows.GUID{Data1: 0x238c9fa8, Data2: 0x0aad, Data3: 0x41ed, Data4: [8]byte{0x83, 0xf4, 0x97, 0xbe, 0x24, 0x2c, 0x8f, 0x20}}
	guidStandbyIdle   = windows.GUID{Data1: 0x29f6c1db, Data2: 0x86da, Data3: 0x48c5, Data4: [8]byte{0x9f, 0xdb, 0xf2, 0xb6, 0x7b, 0x1f, 0x44, 0xda}}
	guidNoSubgroup    = windows.GUID{Data1: 0xfea3413e, Data2: 0x7e05, Data3: 0x4911, Data4: [8]byte{0x9a, 0x71, 0x70, 0x03, 0x31, 0xf1, 0xc2, 0x94}}
	guidConsoleLock   = windows.GUID{Data1: 0x0e796bdb, Data2: 0x100d, Data3: 0x47d6, Data4: [8]byte{0xa2, 0xd5, 0xf7, 0xd2, 0xda, 0xa5, 0x1f, 0x51}}
)

func (windowsSource) PowerSettings() (powerSettings, error) {
	var p powerSettings
	var scheme *windows.GUID
	if r, _, _ := procPwrGetAS.Call(0, uintptr(unsafe.Pointer(&scheme))); r != 0 {
		return p, fmt.Errorf("PowerGetActiveScheme: %w", windows.Errno(r))
	}
	defer windows.LocalFree(windows.Handle(unsafe.Pointer(scheme)))
	read := func(proc *windows.LazyProc, sub, setting *windows.GUID) (uint32, error) {
		var v uint32
		if r, _, _ := proc.Call(0, uintptr(unsafe.Pointer(scheme)), uintptr(unsafe.Pointer(sub)), uintptr(unsafe.Pointer(setting)), uintptr(unsafe.Pointer(&v))); r != 0 {
			return 0, windows.Errno(r)
		}
		return v, nil
	}
	var err error
	if p.ACSleepSeconds, err = read(procPwrAC, &guidSleepSubgroup, &guidStandbyIdle); err != nil {
		return p, err
	}
	p.DCSleepSeconds, _ = read(procPwrDC, &guidSleepSubgroup, &guidStandbyIdle)
	p.ACLockOnWake, _ = read(procPwrAC, &guidNoSubgroup, &guidConsoleLock)
	p.DCLockOnWake, _ = read(procPwrDC, &guidNoSubgroup, &guidConsoleLock)
	return p, nil
}

func (windowsSource) Listeners() ([]socketListener, error) {
	const afInet, afInet6 = 2, 23
	const tcpTableOwnerPIDListener, udpTableOwnerPID = 3, 1
	var all []socketListener
	for _, t := range []struct {
		proc  *windows.LazyProc
		proto string
		af    uintptr
		class uintptr
		v6    bool
	}{
		{procTCPTable, "tcp", afInet, tcpTableOwnerPIDListener, false},
		{procTCPTable, "tcp", afInet6, tcpTableOwnerPIDListener, true},
		{procUDPTable, "udp", afInet, udpTableOwnerPID, false},
		{procUDPTable, "udp", afInet6, udpTableOwnerPID, true},
	} {
		buf, err := socketTable(t.proc, t.af, t.class)
		if err != nil {
			return nil, err
		}
		ls, err := parseSocketTable(buf, t.proto, t.v6)
		if err != nil {
			return nil, err
		}
		all = append(all, ls...)
	}
	images := map[uint32]string{}
	for i := range all {
		pid := all[i].PID
		img, ok := images[pid]
		if !ok {
			img = processImage(pid)
			images[pid] = img
		}
		all[i].Image = img
	}
	return all, nil
}

// socketTable calls GetExtendedTcpTable or GetExtendedUdpTable, growing the
// buffer until the table fits.
func socketTable(proc *windows.LazyProc, af, class uintptr) ([]byte, error) {
	size := uint32(16 << 10)
	for range 5 {
		buf := make([]byte, size)
		r, _, _ := proc.Call(uintptr(unsafe.Pointer(&buf[0])), uintptr(unsafe.Pointer(&size)), 0, af, class, 0)
		switch windows.Errno(r) {
		case 0:
			return buf[:min(int(size), len(buf))], nil
		case windows.ERROR_INSUFFICIENT_BUFFER:
			size += 4 << 10 // more sockets may open before the next call
			continue
		default:
			return nil, fmt.Errorf("%s: %w", proc.Name, windows.Errno(r))
		}
	}
	return nil, fmt.Errorf("%s: the table kept growing", proc.Name)
}

// processImage is a process's executable path, or "" when Windows will not
// say (protected processes, without administrator rights).
func processImage(pid uint32) string {
	if pid == 0 || pid == 4 {
		return ""
	}
	h, err := windows.OpenProcess(windows.PROCESS_QUERY_LIMITED_INFORMATION, false, pid)
	if err != nil {
		return ""
	}
	defer windows.CloseHandle(h)
	buf := make([]uint16, windows.MAX_LONG_PATH)
	n := uint32(len(buf))
	if err := windows.QueryFullProcessImageName(h, 0, &buf[0], &n); err != nil {
		return ""
	}
	return windows.UTF16ToString(buf[:n])
}

// WLAN structures: WLAN_INTERFACE_INFO is a GUID, a 256-character
// description and a state (532 bytes); WLAN_PROFILE_INFO a 256-character
// name and flags (516 bytes). Both lists start with two DWORDs.
const wlanInterfaceInfoSize, wlanProfileInfoSize = 532, 516

func (windowsSource) WLANProfiles() ([]wlanProfile, error) {
	if procWlanOpen.Find() != nil {
		return nil, errNoWLAN // Server without the Wireless LAN Service
	}
	var h windows.Handle
	var ver uint32
	if r, _, _ := procWlanOpen.Call(2, 0, uintptr(unsafe.Pointer(&ver)), uintptr(unsafe.Pointer(&h))); r != 0 {
		if e := windows.Errno(r); e == windows.ERROR_SERVICE_NOT_ACTIVE || e == windows.ERROR_SERVICE_DOES_NOT_EXIST {
			return nil, errNoWLAN
		}
		return nil, fmt.Errorf("WlanOpenHandle: %w", windows.Errno(r))
	}
	defer procWlanClos.Call(uintptr(h), 0)
	var ifs *byte
	if r, _, _ := procWlanIfs.Call(uintptr(h), 0, uintptr(unsafe.Pointer(&ifs))); r != 0 {
		return nil, fmt.Errorf("WlanEnumInterfaces: %w", windows.Errno(r))
	}
	defer procWlanFree.Call(uintptr(unsafe.Pointer(ifs)))
	nIfs := *(*uint32)(unsafe.Pointer(ifs))
	var out []wlanProfile
	for i := uint32(0); i < nIfs; i++ {
		item := unsafe.Add(unsafe.Pointer(ifs), 8+uintptr(i)*wlanInterfaceInfoSize)
		guid := (*windows.GUID)(item)
		desc := windows.UTF16ToString(unsafe.Slice((*uint16)(unsafe.Add(item, 16)), 256))
		var list *byte
		if r, _, _ := procWlanList.Call(uintptr(h), uintptr(unsafe.Pointer(guid)), 0, uintptr(unsafe.Pointer(&list))); r != 0 {
			return nil, fmt.Errorf("WlanGetProfileList: %w", windows.Errno(r))
		}
		n := *(*uint32)(unsafe.Pointer(list))
		for j := uint32(0); j < n; j++ {
			p := unsafe.Add(unsafe.Pointer(list), 8+uintptr(j)*wlanProfileInfoSize)
			nameBuf := unsafe.Slice((*uint16)(p), 256)
			flags := *(*uint32)(unsafe.Add(p, 512))
			var xmlPtr *uint16
			// Flags in: 0, so keys stay encrypted (never
			// WLAN_PROFILE_GET_PLAINTEXT_KEY).
			var inFlags, access uint32
			r, _, _ := procWlanGet.Call(uintptr(h), uintptr(unsafe.Pointer(guid)), uintptr(unsafe.Pointer(&nameBuf[0])), 0,
				uintptr(unsafe.Pointer(&xmlPtr)), uintptr(unsafe.Pointer(&inFlags)), uintptr(unsafe.Pointer(&access)))
			if r != 0 {
				continue // a per-user profile of someone else
			}
			out = append(out, wlanProfile{Interface: desc, Name: windows.UTF16ToString(nameBuf), Flags: flags, XML: windows.UTF16PtrToString(xmlPtr)})
			procWlanFree.Call(uintptr(unsafe.Pointer(xmlPtr)))
		}
		procWlanFree.Call(uintptr(unsafe.Pointer(list)))
	}
	return out, nil
}

func (windowsSource) SecurityPolicy(ctx context.Context) ([]byte, error) {
	dir, err := os.MkdirTemp("", "handwash-secedit-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	cfg := filepath.Join(dir, "policy.inf")
	root := os.Getenv("SystemRoot")
	if root == "" {
		root = `C:\Windows`
	}
	cmd := exec.CommandContext(ctx, filepath.Join(root, "System32", "secedit.exe"), "/export", "/cfg", cfg, "/areas", "SECURITYPOLICY", "/quiet")
	hideWindow(cmd)
	if out, err := cmd.CombinedOutput(); err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, fmt.Errorf("secedit: %v: %s", err, strings.TrimSpace(string(out)))
	}
	return os.ReadFile(cfg)
}

// wuaOnce keeps one Windows Update Agent query running at a time: a
// collector that gave up waiting must not start a second.
var wuaOnce sync.Mutex

func (windowsSource) WindowsUpdate(ctx context.Context) (wuaState, error) {
	type result struct {
		st  wuaState
		err error
	}
	if !wuaOnce.TryLock() {
		return wuaState{}, errors.New("a Windows Update Agent query is still running")
	}
	ch := make(chan result, 1)
	go func() {
		defer wuaOnce.Unlock()
		st, err := queryWUA()
		ch <- result{st, err}
	}()
	select {
	case r := <-ch:
		return r.st, r.err
	case <-ctx.Done():
		// The agent cannot be interrupted; its goroutine ends on its own.
		return wuaState{}, ctx.Err()
	}
}
