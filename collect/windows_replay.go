package collect

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io/fs"
	"sort"
	"strconv"
	"strings"
)

// replayWinSource opens the winSource of a recording. Besides the sections
// every ReplayHost knows, a Windows recording holds these:
//
//	-- reg: HKLM\SOFTWARE\Microsoft\Windows NT\CurrentVersion --
//	    ProductName    REG_SZ    Windows 10 Pro
//	    UBR    REG_DWORD    0x1a0b
//
// A registry key as "reg query" prints it: four spaces, the name, four
// spaces, the type, four spaces, the data (DWORD and QWORD in 0x hex,
// REG_BINARY in hex digits, REG_MULTI_SZ items joined by \0). "(Default)"
// names the default value. A line without indentation that is a key path
// (HKEY_LOCAL_MACHINE\… or HKLM\…) starts another key, as "reg query /s"
// prints it, or lists a subkey, as plain "reg query" does. A key exists if
// it, or a key below it, is recorded; nothing else does.
//
//	-- reg-error: HKU\S-1-5-21-…-1001\Software --   reading the key fails with this text
//	-- wmi: root\SecurityCenter2 SELECT displayName, productState FROM AntiVirusProduct --
//	[{"displayName": "Windows Defender", "productState": 397568}]
//
// A WMI query's answer: a JSON array with one object per instance, keyed by
// property name (as Get-CimInstance … | ConvertTo-Json prints it), dates as
// CIM DATETIME strings. The name is the namespace and the query exactly as
// the collector sends it (case and runs of spaces do not matter).
//
//	-- wmi-error: root\CIMV2\Security\MicrosoftVolumeEncryption SELECT … --
//	0x80041003 access denied
//
// The query fails with that HRESULT (0x80041003 access denied,
// 0x8004100E invalid namespace, 0x80041010 invalid class).
//
//	-- api: NetUserModalsGet --                  JSON of userModals
//	-- api: NetLocalGroupGetMembers S-1-5-32-544 -- JSON array of groupMember
//	-- api: NetGetJoinInformation --             JSON of joinInfo
//	-- api: console-user --                      JSON of winUser
//	-- api: process-token --                     JSON of winToken
//	-- api: power-settings --                    JSON of powerSettings
//	-- api: GetExtendedTcpTable --               JSON array of socketListener (tcp)
//	-- api: GetExtendedUdpTable --               JSON array of socketListener (udp)
//	-- api: WlanGetProfileList --                JSON array of wlanProfile
//	-- api: WlanGetProfile <name> --             the profile's XML
//	-- api: secedit --                           the exported security template
//	-- api: wua-history --                       JSON array of wuaHistoryEntry
//	-- api: wua-pending --                       JSON array of wuaUpdate
//	-- api: wua-results --                       {"last_search": …, "last_install": …}
//	-- api-error: <any api name> --              the call fails with this text
//
// A call with neither section fails as "not recorded", so a recording
// states every answer a collector relies on.
func replayWinSource(h Host) (winSource, error) {
	rh, ok := h.(*ReplayHost)
	if !ok {
		return nil, fmt.Errorf("replay source needs a *ReplayHost, not %T", h)
	}
	s := &replaySource{
		keys:   map[string]*replayKey{},
		regErr: map[string]string{},
		wmi:    map[string][]byte{},
		wmiErr: map[string]string{},
		api:    map[string][]byte{},
		apiErr: map[string]string{},
	}
	// The sections are read straight from the ReplayHost (same package):
	// registry keys are case-insensitive, and listing a key's subkeys needs
	// every recorded key.
	names := make([]string, 0, len(rh.sections))
	for k := range rh.sections {
		names = append(names, k)
	}
	sort.Strings(names) // deterministic errors
	for _, k := range names {
		body := rh.sections[k]
		kind, name, ok := strings.Cut(k, ": ")
		if !ok {
			continue
		}
		switch kind {
		case "reg":
			keys, err := parseRegDump(name, string(body))
			if err != nil {
				return nil, fmt.Errorf("section %q: %w", k, err)
			}
			for _, rk := range keys {
				s.addKey(rk.path, rk.values)
			}
		case "reg-error":
			s.regErr[regLookupKey(name)] = string(body)
		case "wmi":
			s.wmi[wmiLookupKey(name)] = body
		case "wmi-error":
			s.wmiErr[wmiLookupKey(name)] = string(body)
		case "api":
			s.api[strings.ToLower(name)] = body
		case "api-error":
			s.apiErr[strings.ToLower(name)] = string(body)
		}
	}
	return s, nil
}

type replaySource struct {
	keys   map[string]*replayKey // by regLookupKey
	regErr map[string]string
	wmi    map[string][]byte
	wmiErr map[string]string
	api    map[string][]byte
	apiErr map[string]string
}

type replayKey struct {
	values  regValues
	subkeys map[string]string // lower-cased name → name as recorded
}

// addKey records a key, its values, and that each of its parents exists
// and has it as a subkey.
func (s *replaySource) addKey(path string, values regValues) {
	k := s.key(path)
	for n, v := range values {
		k.values[n] = v
	}
	for {
		i := strings.LastIndexByte(path, '\\')
		if i < 0 {
			return
		}
		parent, child := path[:i], path[i+1:]
		s.key(parent).subkeys[strings.ToLower(child)] = child
		path = parent
	}
}

func (s *replaySource) key(path string) *replayKey {
	lk := regLookupKey(path)
	k, ok := s.keys[lk]
	if !ok {
		k = &replayKey{values: regValues{}, subkeys: map[string]string{}}
		s.keys[lk] = k
	}
	return k
}

func (s *replaySource) RegValues(key string) (regValues, error) {
	lk := regLookupKey(key)
	if text, ok := s.regErr[lk]; ok {
		return nil, parseAPIError(text)
	}
	k, ok := s.keys[lk]
	if !ok {
		return nil, &fs.PathError{Op: "open", Path: key, Err: fs.ErrNotExist}
	}
	out := make(regValues, len(k.values))
	for n, v := range k.values {
		out[n] = v
	}
	return out, nil
}

func (s *replaySource) RegSubkeys(key string) ([]string, error) {
	lk := regLookupKey(key)
	if text, ok := s.regErr[lk]; ok {
		return nil, parseAPIError(text)
	}
	k, ok := s.keys[lk]
	if !ok {
		return nil, &fs.PathError{Op: "open", Path: key, Err: fs.ErrNotExist}
	}
	names := make([]string, 0, len(k.subkeys))
	for _, n := range k.subkeys {
		names = append(names, n)
	}
	sort.Strings(names)
	return names, nil
}

func (s *replaySource) WMI(namespace, query string, dst any) error {
	lk := wmiLookupKey(namespace + " " + query)
	if text, ok := s.wmiErr[lk]; ok {
		return parseWMIError(text)
	}
	body, ok := s.wmi[lk]
	if !ok {
		return fmt.Errorf("replay: no recording of WMI %s %s", namespace, query)
	}
	if err := json.Unmarshal(body, dst); err != nil {
		return fmt.Errorf("replay: WMI %s: %w", query, err)
	}
	return nil
}

// call returns the body of an api section, or its recorded error.
func (s *replaySource) call(name string) ([]byte, error) {
	ln := strings.ToLower(name)
	if text, ok := s.apiErr[ln]; ok {
		return nil, parseAPIError(text)
	}
	body, ok := s.api[ln]
	if !ok {
		return nil, fmt.Errorf("replay: no recording of %s", name)
	}
	return body, nil
}

// callJSON decodes an api section's JSON into dst.
func (s *replaySource) callJSON(name string, dst any) error {
	body, err := s.call(name)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(body, dst); err != nil {
		return fmt.Errorf("replay: %s: %w", name, err)
	}
	return nil
}

func (s *replaySource) ConsoleUser() (u winUser, err error) {
	err = s.callJSON("console-user", &u)
	return u, err
}

func (s *replaySource) ProcessToken() (t winToken, err error) {
	err = s.callJSON("process-token", &t)
	return t, err
}

func (s *replaySource) UserModals() (m userModals, err error) {
	err = s.callJSON("NetUserModalsGet", &m)
	return m, err
}

func (s *replaySource) LocalGroupMembers(sid string) (ms []groupMember, err error) {
	err = s.callJSON("NetLocalGroupGetMembers "+sid, &ms)
	return ms, err
}

func (s *replaySource) JoinInfo() (j joinInfo, err error) {
	err = s.callJSON("NetGetJoinInformation", &j)
	return j, err
}

func (s *replaySource) PowerSettings() (p powerSettings, err error) {
	err = s.callJSON("power-settings", &p)
	return p, err
}

func (s *replaySource) Listeners() ([]socketListener, error) {
	var all []socketListener
	for _, api := range []string{"GetExtendedTcpTable", "GetExtendedUdpTable"} {
		var ls []socketListener
		if err := s.callJSON(api, &ls); err != nil {
			return nil, err
		}
		all = append(all, ls...)
	}
	return all, nil
}

func (s *replaySource) WLANProfiles() ([]wlanProfile, error) {
	var ps []wlanProfile
	if err := s.callJSON("WlanGetProfileList", &ps); err != nil {
		return nil, err
	}
	for i := range ps {
		body, err := s.call("WlanGetProfile " + ps[i].Name)
		if err != nil {
			return nil, err
		}
		ps[i].XML = string(body)
	}
	return ps, nil
}

func (s *replaySource) SecurityPolicy(ctx context.Context) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return s.call("secedit")
}

func (s *replaySource) WindowsUpdate(ctx context.Context) (wuaState, error) {
	if err := ctx.Err(); err != nil {
		return wuaState{}, err
	}
	var st wuaState
	st.HistoryErr = s.callJSON("wua-history", &st.History)
	st.PendingErr = s.callJSON("wua-pending", &st.Pending)
	var res struct {
		LastSearch  string `json:"last_search"`
		LastInstall string `json:"last_install"`
	}
	if st.ResultsErr = s.callJSON("wua-results", &res); st.ResultsErr == nil {
		if t, ok := parseWinTime(res.LastSearch); ok {
			st.LastSearch = &t
		}
		if t, ok := parseWinTime(res.LastInstall); ok {
			st.LastInstall = &t
		}
	}
	return st, nil
}

// regLookupKey normalises a key path for lookup: short root names, no
// trailing backslash, lower case.
func regLookupKey(path string) string {
	return strings.ToLower(normRegPath(path))
}

// normRegPath turns HKEY_LOCAL_MACHINE\… into HKLM\… and trims spaces and
// trailing backslashes.
func normRegPath(path string) string {
	path = strings.TrimRight(strings.TrimSpace(path), `\`)
	root, rest, _ := strings.Cut(path, `\`)
	switch strings.ToUpper(root) {
	case "HKEY_LOCAL_MACHINE", "HKLM":
		root = "HKLM"
	case "HKEY_USERS", "HKU":
		root = "HKU"
	case "HKEY_CURRENT_USER", "HKCU":
		root = "HKCU"
	case "HKEY_CLASSES_ROOT", "HKCR":
		root = "HKCR"
	default:
		return path
	}
	if rest == "" {
		return root
	}
	return root + `\` + rest
}

// isRegPath says whether a line names a key.
func isRegPath(line string) bool {
	root, _, _ := strings.Cut(line, `\`)
	switch strings.ToUpper(root) {
	case "HKEY_LOCAL_MACHINE", "HKLM", "HKEY_USERS", "HKU", "HKEY_CURRENT_USER", "HKCU", "HKEY_CLASSES_ROOT", "HKCR":
		return true
	}
	return false
}

func wmiLookupKey(s string) string { return strings.ToLower(strings.Join(strings.Fields(s), " ")) }

// dumpedKey is one key read from reg.exe output.
type dumpedKey struct {
	path   string
	values regValues
}

// parseRegDump reads "reg query" output. Values before any key line belong
// to key, the section's own key.
func parseRegDump(key, text string) ([]dumpedKey, error) {
	var keys []dumpedKey
	cur := -1
	start := func(path string) {
		path = normRegPath(path)
		for i := range keys {
			if strings.EqualFold(keys[i].path, path) {
				cur = i
				return
			}
		}
		keys = append(keys, dumpedKey{path: path, values: regValues{}})
		cur = len(keys) - 1
	}
	start(key)
	for n, line := range strings.Split(text, "\n") {
		line = strings.TrimRight(line, "\r")
		trim := strings.TrimSpace(line)
		switch {
		case trim == "", strings.HasPrefix(trim, "End of search:"):
			continue
		case line[0] != ' ' && line[0] != '\t':
			if !isRegPath(trim) {
				return nil, fmt.Errorf("line %d: %q is neither a key nor a value", n+1, trim)
			}
			start(trim)
			continue
		}
		name, v, err := parseRegValueLine(line)
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", n+1, err)
		}
		keys[cur].values[strings.ToLower(name)] = v
	}
	return keys, nil
}

var regTypes = []string{regSZ, regExpandSZ, regMultiSZ, regDWORD, regQWORD, regBinary, regNone}

// parseRegValueLine reads "    Name    REG_TYPE    data".
func parseRegValueLine(line string) (string, regValue, error) {
	line = strings.TrimLeft(line, " \t")
	for from := 0; from < len(line); {
		i := strings.Index(line[from:], "    REG_")
		if i < 0 {
			break
		}
		i += from
		rest := line[i+4:]
		for _, t := range regTypes {
			after, ok := strings.CutPrefix(rest, t)
			if !ok || (after != "" && !strings.HasPrefix(after, "    ") && strings.TrimSpace(after) != "") {
				continue
			}
			name := line[:i]
			if name == "(Default)" {
				name = ""
			}
			data := strings.TrimPrefix(after, "    ")
			v, err := decodeRegData(t, data)
			if err != nil {
				return "", regValue{}, fmt.Errorf("value %q: %w", name, err)
			}
			return name, v, nil
		}
		from = i + 1
	}
	return "", regValue{}, fmt.Errorf("%q is not a registry value", line)
}

// decodeRegData reads a value's data as reg.exe prints it.
func decodeRegData(typ, data string) (regValue, error) {
	v := regValue{Type: typ}
	switch typ {
	case regSZ, regExpandSZ:
		v.Str = data
	case regMultiSZ:
		if data != "" {
			v.Strs = strings.Split(data, `\0`)
		}
	case regDWORD, regQWORD:
		bits := 32
		if typ == regQWORD {
			bits = 64
		}
		n, err := strconv.ParseUint(strings.TrimSpace(data), 0, bits)
		if err != nil {
			return v, fmt.Errorf("bad %s %q", typ, data)
		}
		v.Num = n
	default:
		b, err := hex.DecodeString(strings.TrimSpace(data))
		if err != nil {
			return v, fmt.Errorf("bad %s %q", typ, data)
		}
		v.Bin = b
	}
	return v, nil
}
