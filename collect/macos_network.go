package collect

import (
	"context"
	"errors"
	"io/fs"
	"path"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/handwash/handwash"
)

// macKnownNetworksPlist holds the saved Wi-Fi networks with their security
// type and auto-join setting (macOS 11 and later); only root may read it.
const macKnownNetworksPlist = "/Library/Preferences/com.apple.wifi.known-networks.plist"

// collectMacNetwork lists the TCP sockets listening beyond loopback. It
// uses `netstat -anv`, which shows every socket without root (lsof shows
// only the caller's own), and names the owning process from netstat's
// process column or, on releases that print only a PID, from ps.
func collectMacNetwork(ctx context.Context, h Host, f *handwash.Facts) error {
	all, err := macTCPListeners(ctx, h)
	if err != nil {
		return macTopicMissing(f, "network", err)
	}
	n := &handwash.NetworkFacts{Listeners: []handwash.Listener{}}
	for _, l := range all {
		if !macLoopback(l.Address) {
			n.Listeners = append(n.Listeners, l)
		}
	}
	f.Network = n
	return nil
}

// macTCPListeners returns every listening TCP socket, loopback included.
func macTCPListeners(ctx context.Context, h Host) ([]handwash.Listener, error) {
	out, err := macRunOK(ctx, h, macNetstat, "-anv", "-p", "tcp")
	if err != nil {
		return nil, err
	}
	socks := parseNetstatListeners(out)
	var names map[int]string
	for _, s := range socks {
		if s.Process == "" && s.PID > 0 {
			if ps, err := macRunOK(ctx, h, macPs, "-axo", "pid=,comm="); err == nil {
				names = parsePsComm(ps)
			}
			break
		}
	}
	seen := map[handwash.Listener]bool{}
	var ls []handwash.Listener
	for _, s := range socks {
		l := handwash.Listener{Protocol: "tcp", Address: s.Address, Port: s.Port, Process: s.Process}
		if l.Process == "" {
			l.Process = names[s.PID]
		}
		if !seen[l] {
			seen[l] = true
			ls = append(ls, l)
		}
	}
	sort.Slice(ls, func(i, j int) bool {
		a, b := ls[i], ls[j]
		if a.Port != b.Port {
			return a.Port < b.Port
		}
		if a.Address != b.Address {
			return a.Address < b.Address
		}
		return a.Process < b.Process
	})
	return ls, nil
}

// macSocket is one listening socket from netstat.
type macSocket struct {
	Address string
	Port    int
	PID     int
	Process string
}

var macProcPIDRe = regexp.MustCompile(`^(.*):(\d+)$`)

// parseNetstatListeners reads the LISTEN lines of `netstat -anv -p tcp`.
// Addresses end in ".port" ("*.22", "127.0.0.1.631", "::1.631"). After the
// state come columns that vary by release, so the header says where the
// owner is: a "pid" column (then "epid"), or, on recent releases, a
// "process:pid" column whose process name may itself hold spaces
// ("Google Chrome He:35474").
func parseNetstatListeners(b []byte) []macSocket {
	var out []macSocket
	pidCol, procCol := -1, -1
	for _, line := range strings.Split(string(b), "\n") {
		fields := strings.Fields(line)
		if len(fields) == 0 {
			continue
		}
		if fields[0] == "Proto" {
			pidCol, procCol = -1, -1
			for i, h := range fields {
				if h == "(state)" {
					for j, c := range fields[i+1:] {
						switch c {
						case "pid":
							pidCol = j
						case "process:pid":
							procCol = j
						}
					}
					break
				}
			}
			continue
		}
		if !strings.HasPrefix(fields[0], "tcp") || len(fields) < 6 || fields[5] != "LISTEN" {
			continue
		}
		addr, port, ok := macSplitNetstatAddr(fields[3])
		if !ok {
			continue
		}
		if addr == "*" {
			addr = "::"
			if fields[0] == "tcp4" {
				addr = "0.0.0.0"
			}
		}
		s := macSocket{Address: addr, Port: port}
		rest := fields[6:]
		switch {
		case procCol >= 0 && procCol < len(rest):
			for end := procCol; end < len(rest); end++ {
				if m := macProcPIDRe.FindStringSubmatch(strings.Join(rest[procCol:end+1], " ")); m != nil {
					s.Process = m[1]
					s.PID, _ = strconv.Atoi(m[2])
					break
				}
			}
		case pidCol >= 0 && pidCol < len(rest):
			s.PID, _ = strconv.Atoi(rest[pidCol])
		}
		out = append(out, s)
	}
	return out
}

// macSplitNetstatAddr splits "addr.port" at the last dot.
func macSplitNetstatAddr(s string) (string, int, bool) {
	i := strings.LastIndex(s, ".")
	if i <= 0 {
		return "", 0, false
	}
	port, err := strconv.Atoi(s[i+1:])
	if err != nil || port < 0 || port > 65535 {
		return "", 0, false
	}
	return s[:i], port, true
}

// macLoopback says whether an address can be reached only from this Mac.
func macLoopback(addr string) bool {
	return strings.HasPrefix(addr, "127.") || addr == "::1" || strings.HasSuffix(addr, "%lo0") || addr == "localhost"
}

// parsePsComm reads `ps -axo pid=,comm=` into process names (the last
// element of the command's path).
func parsePsComm(b []byte) map[int]string {
	out := map[int]string{}
	for _, line := range strings.Split(string(b), "\n") {
		line = strings.TrimSpace(line)
		pidStr, comm, ok := strings.Cut(line, " ")
		if !ok {
			continue
		}
		pid, err := strconv.Atoi(pidStr)
		if err != nil {
			continue
		}
		out[pid] = path.Base(strings.TrimSpace(comm))
	}
	return out
}

// collectMacWiFi lists the saved Wi-Fi networks. Their security type and
// auto-join setting are only in the root-only known-networks plist; without
// root the names come from networksetup and the rest is unknown.
func collectMacWiFi(ctx context.Context, h Host, f *handwash.Facts) error {
	out, err := macRunOK(ctx, h, macNetworksetup, "-listallhardwareports")
	if err != nil {
		return macTopicMissing(f, "wifi", err)
	}
	dev := parseWiFiDevice(out)
	known, kerr := macReadPlistDict(ctx, h, macKnownNetworksPlist)
	if kerr == nil {
		f.WiFi = &handwash.WiFiFacts{Profiles: parseKnownNetworks(known)}
		return nil
	}
	if errors.Is(kerr, fs.ErrNotExist) && dev == "" {
		// No Wi-Fi hardware and no saved networks.
		f.WiFi = &handwash.WiFiFacts{Profiles: []handwash.WiFiProfile{}}
		return nil
	}
	if dev == "" {
		return macTopicMissing(f, "wifi", kerr)
	}
	out, err = macRunOK(ctx, h, macNetworksetup, "-listpreferredwirelessnetworks", dev)
	if err != nil {
		return macTopicMissing(f, "wifi", err)
	}
	w := &handwash.WiFiFacts{Profiles: []handwash.WiFiProfile{}}
	for _, ssid := range parsePreferredWireless(out) {
		w.Profiles = append(w.Profiles, handwash.WiFiProfile{SSID: ssid, Security: "unknown"})
	}
	f.WiFi = w
	if len(w.Profiles) > 0 {
		for _, what := range []struct{ fact, what string }{
			{"wifi.profiles.security", "security type"},
			{"wifi.profiles.auto_connect", "auto-join setting"},
		} {
			reason, detail := macReason(kerr), kerr.Error()
			switch {
			case errors.Is(kerr, fs.ErrNotExist):
				reason, detail = handwash.ReasonNotSupported, "this macOS keeps no known-networks list (macOS 11 and later do)"
			case errors.Is(kerr, fs.ErrPermission):
				detail = "each saved network's " + what.what + " is in " + macKnownNetworksPlist + ", which only root can read"
			}
			f.AddMissing(what.fact, reason, detail)
		}
	}
	return nil
}

// parseWiFiDevice finds the Wi-Fi interface in `networksetup
// -listallhardwareports` ("Hardware Port: Wi-Fi" then "Device: en0";
// "AirPort" on old releases).
func parseWiFiDevice(b []byte) string {
	wifi := false
	for _, line := range strings.Split(string(b), "\n") {
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		k, v = strings.TrimSpace(k), strings.TrimSpace(v)
		switch k {
		case "Hardware Port":
			wifi = v == "Wi-Fi" || v == "AirPort"
		case "Device":
			if wifi && v != "" {
				return v
			}
		}
	}
	return ""
}

// parsePreferredWireless reads `networksetup -listpreferredwirelessnetworks
// en0`: a heading, then one tab-indented SSID per line.
func parsePreferredWireless(b []byte) []string {
	var out []string
	for _, line := range strings.Split(string(b), "\n") {
		if !strings.HasPrefix(line, "\t") && !strings.HasPrefix(line, " ") {
			continue
		}
		if ssid := strings.TrimSpace(line); ssid != "" {
			out = append(out, ssid)
		}
	}
	return out
}

// parseKnownNetworks reads com.apple.wifi.known-networks.plist: a key
// "wifi.network.ssid.<SSID>" per network, holding SupportedSecurityTypes
// and, when the user turned auto-join off, AutoJoinDisabled.
func parseKnownNetworks(m map[string]any) []handwash.WiFiProfile {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	profiles := []handwash.WiFiProfile{}
	for _, k := range keys {
		ssid, ok := strings.CutPrefix(k, "wifi.network.ssid.")
		if !ok || ssid == "" {
			continue
		}
		e, _ := m[k].(map[string]any)
		var types []string
		switch t := e["SupportedSecurityTypes"].(type) {
		case string:
			types = []string{t}
		case []any:
			for _, x := range t {
				if s, ok := x.(string); ok {
					types = append(types, s)
				}
			}
		}
		p := handwash.WiFiProfile{SSID: ssid, Security: macWiFiSecurity(types)}
		disabled, _ := plistBool(e["AutoJoinDisabled"])
		p.AutoConnect = boolPtr(!disabled)
		switch p.Security {
		case "open", "owe":
			p.Encryption = map[string]string{"open": "none", "owe": "aes"}[p.Security]
		case "wep":
			p.Encryption = "wep"
		}
		profiles = append(profiles, p)
	}
	return profiles
}

// macWiFiSecurity maps macOS's security type names ("WPA2 Personal",
// "WPA/WPA2 Personal", "WPA3 Personal", "WPA2 Enterprise", "WEP", "Open",
// "OWE") to the schema's. A network that accepts several is reported by
// the weakest it accepts, which is what an attacker would use.
func macWiFiSecurity(types []string) string {
	rank := map[string]int{"open": 0, "wep": 1, "wpa": 2, "owe": 3, "wpa2": 4, "wpa3": 5, "enterprise": 6}
	best := ""
	for _, t := range types {
		low := strings.ToLower(t)
		s := "unknown"
		switch {
		case strings.Contains(low, "enterprise"), strings.Contains(low, "802.1x"):
			s = "enterprise"
		case strings.Contains(low, "wpa/"), low == "wpa personal", strings.HasPrefix(low, "wpa personal"):
			s = "wpa"
		case strings.Contains(low, "wpa2"):
			s = "wpa2" // includes "WPA2/WPA3 Personal", which still accepts WPA2
		case strings.Contains(low, "wpa3"):
			s = "wpa3"
		case strings.Contains(low, "wpa"):
			s = "wpa"
		case strings.Contains(low, "wep"):
			s = "wep"
		case strings.Contains(low, "owe"), strings.Contains(low, "enhanced open"):
			s = "owe"
		case low == "open", low == "none":
			s = "open"
		}
		if s == "unknown" {
			return "unknown"
		}
		if best == "" || rank[s] < rank[best] {
			best = s
		}
	}
	if best == "" {
		return "unknown"
	}
	return best
}
