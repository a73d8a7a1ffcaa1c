package collect

import (
	"bytes"
	"testing"
)

// The Linux parsers read files and command output that anyone who can
// write to the machine could shape: none may panic.

func FuzzParseOSRelease(f *testing.F) {
	f.Add("PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nID=debian\nVERSION_ID=\"12\"\nSUPPORT_END=2028-06-30\n")
	f.Add("NAME='x\nID_LIKE=\"a b\"\nexport X=\"\\\"")
	f.Fuzz(func(t *testing.T, s string) {
		o := parseOSRelease(s)
		if o.ID == "" {
			t.Error("empty ID: os-release(5) defaults it to linux")
		}
	})
}

func FuzzParseSSHDConfig(f *testing.F) {
	f.Add("Include /etc/ssh/sshd_config.d/*.conf\nPermitRootLogin yes\nMatch User x\n", "PasswordAuthentication=no\nInclude *.conf\n")
	f.Add("Include sshd_config\n", "")
	f.Fuzz(func(t *testing.T, main, dropin string) {
		h := replayOf(map[string]string{"file: /etc/ssh/sshd_config": main, "file: /etc/ssh/sshd_config.d/a.conf": dropin})
		linuxSSHDConfig(h)
		parseSSHDEffective([]byte(main))
	})
}

func FuzzParseProcNet(f *testing.F) {
	f.Add("  sl  local_address rem_address   st\n   1: 00000000:08AE 00000000:0000 0A 00000000:00000000\n")
	f.Add("h\n 0: 00000000000000000000000001000000:1111 0:0000 07\n 1: zz:zz 0 0A\n")
	f.Fuzz(func(t *testing.T, s string) {
		for _, l := range parseProcNet([]byte(s), "tcp") {
			if l.Port < 0 || l.Port > 65535 || l.Address == "" {
				t.Errorf("bad listener %+v", l)
			}
		}
		parseProcNet([]byte(s), "udp")
	})
}

func FuzzParseDpkgStatus(f *testing.F) {
	f.Add("Package: a\nStatus: install ok installed\nVersion: 1.0\nArchitecture: amd64\n\nPackage: b\n")
	f.Add("Package:\nStatus: \n Version: x\n\n\n:::\n")
	f.Fuzz(func(t *testing.T, s string) {
		pkgs, _ := parseDpkgStatus(bytes.NewReader([]byte(s)))
		for _, p := range pkgs {
			if p.Name == "" || p.Version == "" {
				t.Errorf("package without name or version: %+v", p)
			}
		}
	})
}

func FuzzParseAptPackages(f *testing.F) {
	f.Add("Package: libssl3\nVersion: 3.0.19-1~deb12u2\nArchitecture: amd64\n\nPackage: libssl3\nVersion: 3.0.17\nArchitecture: amd64\n")
	f.Add("Origin: Debian\nDate: Sat, 28 Nov 2026 02:53:00 UTC\nSuite: x-security\n")
	f.Fuzz(func(t *testing.T, s string) {
		versions := map[string]string{}
		parseAptPackages(bytes.NewReader([]byte(s)), versions)
		parseAptRelease(s)
		parseAptDeb822(s)
		parseAptSourcesList(s)
		parseAptHistory([]byte(s), nil)
	})
}

func FuzzParseNmcli(f *testing.F) {
	f.Add("CafeGuest:802-11-wireless:yes\nLab\\:5G:802-11-wireless:no\n\\")
	f.Add("[connection]\ntype=wifi\n[wifi]\nssid=x\n[wifi-security]\nkey-mgmt=sae\n")
	f.Fuzz(func(t *testing.T, s string) {
		for _, fields := range parseNmcliTerse([]byte(s)) {
			if len(fields) == 0 {
				t.Error("a line with no fields")
			}
		}
		nmcliUnescape(s)
		parseNMKeyfile(s)
	})
}

func FuzzParseFirewallOutputs(f *testing.F) {
	f.Add("Status: active\nDefault: deny (incoming)\n--\n22/tcp  ALLOW IN  Anywhere\n")
	f.Add(`{"nftables":[{"chain":{"hook":"input","policy":"accept"}},{"rule":{"expr":[{"match":{"left":{"payload":{"field":"dport"}},"right":[1]}},{"accept":null}]}}]}`)
	f.Fuzz(func(t *testing.T, s string) {
		parseUFWStatus([]byte(s))
		parseNftJSON([]byte(s))
		parseIptablesSave([]byte(s))
		parseFirewalldZones([]byte(s))
		parseLsblk([]byte(s), nil)
	})
}
