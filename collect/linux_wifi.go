package collect

import (
	"context"
	"sort"
	"strings"

	"github.com/handwash/handwash"
)

// linuxWiFi fills the saved Wi-Fi networks of NetworkManager: from its
// keyfiles when they can be read (root), otherwise from nmcli, which shows
// every profile's security but hides the secrets.
func linuxWiFi(ctx context.Context, h Host, f *handwash.Facts, _ *linuxState) error {
	const dir = "/etc/NetworkManager/system-connections"
	names, dirErr := h.ReadDir(dir)
	_, nmcliErr := h.LookPath("nmcli")
	if dirErr != nil && nmcliErr != nil {
		if !linuxHasWireless(h) {
			// No Wi-Fi adapter and no NetworkManager: no saved networks to use.
			f.WiFi = &handwash.WiFiFacts{Profiles: []handwash.WiFiProfile{}}
			return nil
		}
		f.AddMissing("wifi", handwash.ReasonNotSupported, "Wi-Fi is not managed by NetworkManager")
		return nil
	}
	if dirErr == nil {
		var profiles []handwash.WiFiProfile
		readable := true
		for _, n := range names {
			if !strings.HasSuffix(n, ".nmconnection") {
				continue
			}
			b, err := h.ReadFile(dir + "/" + n)
			if err != nil {
				readable = false
				break
			}
			if p, ok := parseNMKeyfile(string(b)); ok {
				profiles = append(profiles, p)
			}
		}
		if readable && (nmcliErr != nil || h.Elevated()) {
			f.WiFi = &handwash.WiFiFacts{Profiles: linuxSortProfiles(profiles)}
			return nil
		}
	}
	if nmcliErr != nil {
		f.AddMissing("wifi", handwash.ReasonNeedsAdmin, dir+" is readable only by root and nmcli is not installed")
		return nil
	}
	out, err := h.Run(ctx, "nmcli", "-t", "-f", "NAME,TYPE,AUTOCONNECT", "connection", "show")
	if err != nil {
		return err
	}
	if out.ExitCode != 0 {
		f.AddMissing("wifi", handwash.ReasonError, "nmcli: "+linuxFirstLine(out.Stderr))
		return nil
	}
	profiles := []handwash.WiFiProfile{}
	for _, c := range parseNmcliTerse(out.Stdout) {
		if len(c) < 3 || c[1] != "802-11-wireless" {
			continue
		}
		det, err := h.Run(ctx, "nmcli", "-g", "802-11-wireless.ssid,802-11-wireless-security.key-mgmt,802-11-wireless-security.proto,802-11-wireless-security.pairwise", "connection", "show", c[0])
		if err != nil || det.ExitCode != 0 {
			f.AddMissing("wifi.profiles", handwash.ReasonError, "nmcli connection show "+c[0]+" failed")
			continue
		}
		v := linuxLines(det.Stdout)
		for len(v) < 4 {
			v = append(v, "")
		}
		ssid := nmcliUnescape(v[0])
		if ssid == "" {
			ssid = c[0]
		}
		sec, enc := linuxWiFiSecurity(nmcliUnescape(v[1]), nmcliUnescape(v[2]), nmcliUnescape(v[3]))
		on, ok := linuxBool(c[2])
		p := handwash.WiFiProfile{SSID: ssid, Security: sec, Encryption: enc}
		if ok {
			p.AutoConnect = boolPtr(on)
		}
		profiles = append(profiles, p)
	}
	f.WiFi = &handwash.WiFiFacts{Profiles: linuxSortProfiles(profiles)}
	return nil
}

// linuxHasWireless reports whether any network interface is wireless.
func linuxHasWireless(h Host) bool {
	ifs, _ := h.ReadDir("/sys/class/net")
	for _, i := range ifs {
		if linuxExists(h, "/sys/class/net/"+i+"/wireless") {
			return true
		}
	}
	return false
}

func linuxSortProfiles(p []handwash.WiFiProfile) []handwash.WiFiProfile {
	if p == nil {
		p = []handwash.WiFiProfile{}
	}
	sort.SliceStable(p, func(i, j int) bool { return p[i].SSID < p[j].SSID })
	return p
}

// parseNMKeyfile reads a NetworkManager keyfile (.nmconnection); ok is
// false for connections that are not Wi-Fi. No [wifi-security] group
// means an open network.
func parseNMKeyfile(text string) (handwash.WiFiProfile, bool) {
	ini := parseINI(text)
	t := ini["connection"]["type"]
	if t != "wifi" && t != "802-11-wireless" {
		return handwash.WiFiProfile{}, false
	}
	wifi := ini["wifi"]
	if wifi == nil {
		wifi = ini["802-11-wireless"]
	}
	sec := ini["wifi-security"]
	if sec == nil {
		sec = ini["802-11-wireless-security"]
	}
	p := handwash.WiFiProfile{SSID: wifi["ssid"]}
	p.Security, p.Encryption = linuxWiFiSecurity(sec["key-mgmt"], sec["proto"], sec["pairwise"])
	auto := true // NetworkManager's default
	if v, ok := linuxBool(ini["connection"]["autoconnect"]); ok {
		auto = v
	}
	p.AutoConnect = boolPtr(auto)
	return p, true
}

// linuxWiFiSecurity maps NetworkManager's key-mgmt (and proto, pairwise)
// to the schema's security and encryption: "" open, none static WEP,
// ieee8021x dynamic WEP, wpa-psk WPA2 (WPA when proto is wpa alone), sae
// WPA3, wpa-eap enterprise, owe enhanced open.
func linuxWiFiSecurity(keyMgmt, proto, pairwise string) (string, string) {
	enc := ""
	switch {
	case strings.Contains(pairwise, "ccmp"):
		enc = "aes"
	case strings.Contains(pairwise, "tkip"):
		enc = "tkip"
	}
	switch strings.TrimSpace(keyMgmt) {
	case "":
		return "open", "none"
	case "owe":
		return "owe", "aes"
	case "none", "ieee8021x":
		return "wep", "wep"
	case "wpa-psk":
		if strings.TrimSpace(proto) == "wpa" {
			return "wpa", enc
		}
		return "wpa2", enc
	case "sae":
		return "wpa3", "aes"
	case "wpa-eap", "wpa-eap-suite-b-192":
		return "enterprise", enc
	}
	return "unknown", enc
}

// parseNmcliTerse splits nmcli -t lines into fields at colons that are not
// escaped ("\:" is a colon inside a value).
func parseNmcliTerse(b []byte) [][]string {
	var out [][]string
	for _, line := range linuxLines(b) {
		var fields []string
		var cur strings.Builder
		for i := 0; i < len(line); i++ {
			switch {
			case line[i] == '\\' && i+1 < len(line):
				i++
				cur.WriteByte(line[i])
			case line[i] == ':':
				fields = append(fields, cur.String())
				cur.Reset()
			default:
				cur.WriteByte(line[i])
			}
		}
		out = append(out, append(fields, cur.String()))
	}
	return out
}

// nmcliUnescape undoes nmcli's escaping of colons and backslashes.
func nmcliUnescape(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) {
			i++
		}
		b.WriteByte(s[i])
	}
	return b.String()
}
