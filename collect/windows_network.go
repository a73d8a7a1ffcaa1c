package collect

import (
	"context"
	"encoding/binary"
	"encoding/hex"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/handwash/handwash"
)

func collectWinNetwork(_ context.Context, h Host, src winSource, f *handwash.Facts) error {
	ls, err := src.Listeners()
	if err != nil {
		return err
	}
	f.Network = &handwash.NetworkFacts{Listeners: winListeners(ls)}
	for _, l := range ls {
		if l.Image == "" && l.PID > 4 {
			reason := handwash.ReasonError
			if !h.Elevated() {
				reason = handwash.ReasonNeedsAdmin
			}
			f.AddMissing("network.listeners.process", reason, "Windows names the programs of some services and protected processes only to administrators")
			break
		}
	}
	return nil
}

// winListeners keeps the sockets other machines can reach (not loopback),
// names their process by its executable, and drops duplicates (Windows
// lists a socket once per owning process thread pool in some versions).
func winListeners(ls []socketListener) []handwash.Listener {
	out := []handwash.Listener{}
	seen := map[string]bool{}
	for _, l := range ls {
		addr, err := netip.ParseAddr(l.Address)
		if err != nil || addr.Unmap().IsLoopback() {
			continue
		}
		hl := handwash.Listener{Protocol: l.Protocol, Address: addr.Unmap().String(), Port: l.Port, Process: processName(l)}
		key := fmt.Sprintf("%s|%s|%d|%s", hl.Protocol, hl.Address, hl.Port, hl.Process)
		if seen[key] {
			continue
		}
		seen[key] = true
		out = append(out, hl)
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Protocol != b.Protocol {
			return a.Protocol < b.Protocol
		}
		if a.Port != b.Port {
			return a.Port < b.Port
		}
		return a.Address < b.Address
	})
	return out
}

// processName is the executable's file name; PID 4 is the kernel, which
// owns SMB (445) and http.sys listeners.
func processName(l socketListener) string {
	if l.Image != "" {
		i := strings.LastIndexAny(l.Image, `\/`)
		return l.Image[i+1:]
	}
	switch l.PID {
	case 0:
		return ""
	case 4:
		return "System"
	}
	return ""
}

// Sizes of the rows GetExtendedTcpTable and GetExtendedUdpTable fill, after
// the 4-byte row count (iphlpapi's MIB_*ROW_OWNER_PID structures).
const (
	tcp4RowSize = 24 // state, local addr, local port, remote addr, remote port, pid
	tcp6RowSize = 56 // local addr[16], scope, local port, remote addr[16], scope, remote port, state, pid
	udp4RowSize = 12 // local addr, local port, pid
	udp6RowSize = 28 // local addr[16], scope, local port, pid
	tcpListen   = 2  // MIB_TCP_STATE_LISTEN
)

// parseSocketTable reads a MIB_{TCP,TCP6,UDP,UDP6}TABLE_OWNER_PID buffer.
// Addresses are in network order as stored; ports are in network order in
// the low 16 bits of a DWORD.
func parseSocketTable(buf []byte, proto string, v6 bool) ([]socketListener, error) {
	if len(buf) < 4 {
		return nil, errors.New("socket table too short")
	}
	n := int(binary.LittleEndian.Uint32(buf))
	size := map[[2]bool]int{{false, false}: tcp4RowSize, {false, true}: tcp6RowSize, {true, false}: udp4RowSize, {true, true}: udp6RowSize}[[2]bool{proto == "udp", v6}]
	if n < 0 || n > (len(buf)-4)/size {
		return nil, fmt.Errorf("socket table claims %d rows but holds %d bytes", n, len(buf))
	}
	port := func(b []byte) int { return int(b[0])<<8 | int(b[1]) }
	var out []socketListener
	for i := 0; i < n; i++ {
		r := buf[4+i*size : 4+(i+1)*size]
		var l socketListener
		l.Protocol = proto
		switch {
		case proto == "tcp" && !v6:
			if binary.LittleEndian.Uint32(r[0:]) != tcpListen {
				continue
			}
			l.Address = netip.AddrFrom4([4]byte(r[4:8])).String()
			l.Port = port(r[8:])
			l.PID = binary.LittleEndian.Uint32(r[20:])
		case proto == "tcp":
			if binary.LittleEndian.Uint32(r[48:]) != tcpListen {
				continue
			}
			l.Address = netip.AddrFrom16([16]byte(r[0:16])).String()
			l.Port = port(r[20:])
			l.PID = binary.LittleEndian.Uint32(r[52:])
		case !v6:
			l.Address = netip.AddrFrom4([4]byte(r[0:4])).String()
			l.Port = port(r[4:])
			l.PID = binary.LittleEndian.Uint32(r[8:])
		default:
			l.Address = netip.AddrFrom16([16]byte(r[0:16])).String()
			l.Port = port(r[20:])
			l.PID = binary.LittleEndian.Uint32(r[24:])
		}
		out = append(out, l)
	}
	return out, nil
}

func collectWinWiFi(_ context.Context, _ Host, src winSource, f *handwash.Facts) error {
	ps, err := src.WLANProfiles()
	if errors.Is(err, errNoWLAN) {
		// Without the WLAN AutoConfig service Windows cannot join any Wi-Fi
		// network, so none of its saved profiles can be used.
		f.WiFi = &handwash.WiFiFacts{Profiles: []handwash.WiFiProfile{}}
		return nil
	}
	if err != nil {
		return err
	}
	w := &handwash.WiFiFacts{Profiles: []handwash.WiFiProfile{}}
	seen := map[string]bool{}
	for _, p := range ps {
		wp, err := parseWLANProfile([]byte(p.XML))
		if err != nil {
			f.AddMissing("wifi.profiles", handwash.ReasonError, fmt.Sprintf("profile %q: %v", p.Name, err))
			continue
		}
		if wp.SSID == "" {
			wp.SSID = p.Name
		}
		// The same profile appears once per wireless adapter.
		key := wp.SSID + "|" + wp.Security + "|" + wp.Encryption
		if seen[key] {
			continue
		}
		seen[key] = true
		w.Profiles = append(w.Profiles, wp)
	}
	sort.SliceStable(w.Profiles, func(i, j int) bool { return w.Profiles[i].SSID < w.Profiles[j].SSID })
	f.WiFi = w
	return nil
}

// wlanProfileXML is the part of a WLAN_profile document we read
// (https://learn.microsoft.com/windows/win32/nativewifi/wlan-profileschema-elements).
// Elements are matched by local name only, so the namespace (http or, in
// some of Microsoft's samples, https) does not matter. Keys are never read.
type wlanProfileXML struct {
	XMLName        xml.Name      `xml:"WLANProfile"`
	Name           string        `xml:"name"`
	SSIDs          []wlanSSIDXML `xml:"SSIDConfig"`
	ConnectionMode string        `xml:"connectionMode"`
	Auth           string        `xml:"MSM>security>authEncryption>authentication"`
	Encryption     string        `xml:"MSM>security>authEncryption>encryption"`
	UseOneX        string        `xml:"MSM>security>authEncryption>useOneX"`
}

type wlanSSIDXML struct {
	SSID []struct {
		Hex  string `xml:"hex"`
		Name string `xml:"name"`
	} `xml:"SSID"`
}

// parseWLANProfile reads a WLAN profile's network name and security.
func parseWLANProfile(b []byte) (handwash.WiFiProfile, error) {
	var x wlanProfileXML
	d := xml.NewDecoder(strings.NewReader(string(b)))
	// Windows writes encoding="US-ASCII" or "UTF-8"; both read as UTF-8.
	d.CharsetReader = func(label string, r io.Reader) (io.Reader, error) { return r, nil }
	if err := d.Decode(&x); err != nil {
		return handwash.WiFiProfile{}, err
	}
	p := handwash.WiFiProfile{}
	for _, c := range x.SSIDs {
		for _, s := range c.SSID {
			if p.SSID != "" {
				break
			}
			p.SSID = strings.TrimSpace(s.Name)
			if p.SSID == "" && s.Hex != "" {
				p.SSID = decodeHexSSID(s.Hex)
			}
		}
	}
	if p.SSID == "" {
		p.SSID = strings.TrimSpace(x.Name)
	}
	auth := strings.ToLower(strings.TrimSpace(x.Auth))
	enc := strings.ToLower(strings.TrimSpace(x.Encryption))
	oneX := strings.EqualFold(strings.TrimSpace(x.UseOneX), "true")
	p.Security = wlanSecurity(auth, enc, oneX)
	p.Encryption = wlanEncryption(enc)
	switch strings.ToLower(strings.TrimSpace(x.ConnectionMode)) {
	case "auto":
		p.AutoConnect = boolPtr(true)
	case "manual":
		p.AutoConnect = boolPtr(false)
	}
	return p, nil
}

// wlanSecurity maps the schema's authentication values
// (https://learn.microsoft.com/windows/win32/nativewifi/wlan-profileschema-authencryption-security-element)
// to Handwash's words. Open authentication with WEP keys is WEP.
func wlanSecurity(auth, enc string, oneX bool) string {
	switch auth {
	case "open":
		if enc == "wep" {
			return "wep"
		}
		if oneX {
			return "enterprise" // dynamic WEP with 802.1X
		}
		return "open"
	case "shared":
		return "wep"
	case "wpa", "wpa2", "wpa3", "wpa3ent", "wpa3ent192":
		return "enterprise"
	case "wpapsk":
		return "wpa"
	case "wpa2psk":
		return "wpa2"
	case "wpa3sae":
		return "wpa3"
	case "owe":
		return "owe"
	}
	return "unknown"
}

// wlanEncryption maps the schema's encryption values; GCMP-256 is AES.
func wlanEncryption(enc string) string {
	switch enc {
	case "none", "wep", "tkip", "aes":
		return enc
	case "gcmp256", "gcmp":
		return "aes"
	}
	return ""
}

// decodeHexSSID reads an SSID given in hex, keeping it as hex if it is not
// text.
func decodeHexSSID(h string) string {
	b, err := hex.DecodeString(strings.TrimSpace(h))
	if err != nil {
		return h
	}
	s := string(b)
	for _, r := range s {
		if r < 0x20 || r == utf8.RuneError {
			return h
		}
	}
	return s
}
