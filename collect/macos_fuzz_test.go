package collect

import (
	"testing"
)

// The macOS parsers read what tools print and what files hold on a machine
// we do not control; whatever they are given, they must not panic.

func FuzzParsePlist(f *testing.F) {
	for _, s := range []string{
		`<?xml version="1.0" encoding="UTF-8"?><plist version="1.0"><dict><key>a</key><array><integer>1</integer><real>2.5</real><true/><date>2025-05-13T18:02:11Z</date><data>QUJD</data></array></dict></plist>`,
		`<plist><dict/></plist>`,
		`<array><string>x</string></array>`,
		`<plist><integer>18446744073709551615</integer></plist>`,
		`<plist><dict><key>a</key></dict></plist>`,
		"Getting global account policies\n<?xml version=\"1.0\"?><plist><dict/></plist>",
		`bplist00`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		v, err := parsePlist(b)
		if err == nil {
			// Walking the value must be safe too.
			plistGet(v, "a", "b")
			plistInt(v)
			plistBool(v)
			plistDataString(v)
			parseInstallHistory(v)
			if m, ok := v.(map[string]any); ok {
				parseKnownNetworks(m)
				macTimeMachineDestination(m, "x")
				macPendingUpdates(m, "1")
				macAutomaticUpdates(macPrefs{stored: m})
			}
		}
		plistFromOutput(b)
		parseIoregPlatform(b)
		parsePwpolicy(b)
		parseTmutilDestinations(Output{Stdout: b})
	})
}

func FuzzMacTextParsers(f *testing.F) {
	for _, s := range []string{
		"2025-06-02 09:14:01.123 sysadminctl[4321:98765] screenLock delay is 300 seconds\n",
		"screenLock delay is -1(.000000) seconds",
		"FileVault is On.\nEncryption in progress: Percent completed = 42.1\nDeferred enablement appears to be active for user 'alice'.\n",
		"Firewall is enabled. (State = 2)\nFirewall has block all state set to disabled.\nStealth mode enabled\n",
		"1 :  /Applications/Zoom.app \n \t ( Allow incoming connections ) \nrtadvd (state: 1)\n",
		"System Integrity Protection status: unknown (Custom Configuration).\n\tKext Signing: enabled\n",
		"--- com.apple.system_extension.endpoint_security\n*\t*\tX9E956P446\tcom.crowdstrike.falcon.Agent (7.10/19101.0)\tFalcon Sensor\t[activated enabled]\n",
		"alice 501\nGroupMembership: root alice\nNFSHomeDirectory:\n /Users/alice\n",
		"Proto Recv-Q Send-Q  Local Address Foreign Address (state) rhiwat shiwat process:pid state\ntcp4 0 0 *.5000 *.* LISTEN 1 2 Control Center:612 00100\n",
		"Proto Recv-Q Send-Q Local Address Foreign Address (state) rhiwat shiwat pid epid\ntcp46 0 0 *.22 *.* LISTEN 1 2 1 0\n",
		"\t\"com.openssh.sshd\" => enabled\n",
		"PID\tStatus\tLabel\n-\t0\tcom.apple.FilesystemUI\n",
		"Battery Power:\n displaysleep 2\nAC Power:\n Sleep On Power Button 1\n",
		"Enrolled via DEP: No\nMDM enrollment: Yes (User Approved)\n",
		"assessments enabled\ndeveloper id enabled\n",
		"Hardware Port: Wi-Fi\nDevice: en0\nPreferred networks on en0:\n\tOffice\n",
		"[default]\nprotocol_vers_map=6\n",
		"Snapshots for disk /:\ncom.apple.TimeMachine.2025-06-01-101530.local\n",
		"    1 /sbin/launchd\n",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		b := []byte(s)
		parseSysadminctlScreenLock(b)
		parseFdesetupStatus(b)
		parseSocketfilterfw(b)
		parseSocketfilterfwApps(b)
		parseCsrutilStatus(b)
		parseSystemExtensions(b)
		parseDsclList(b)
		parseDsclRead(b)
		for _, sock := range parseNetstatListeners(b) {
			macLoopback(sock.Address)
		}
		parsePsComm(b)
		parseLaunchctlDisabled(b)
		parseLaunchctlList(b)
		for _, kv := range parsePmsetCustom(b) {
			_ = kv["displaysleep"]
		}
		parseProfilesEnrollment(b)
		parseSpctlStatus(b)
		parseWiFiDevice(b)
		parsePreferredWireless(b)
		macNSMBAllowsSMB1(b)
		countLocalSnapshots(b)
		macSSHDLine(s)
		macStripURLUser(s)
		macWiFiSecurity([]string{s})
		macFormFactor(s, s, len(s)%3-1)
		if h, err := ParseReplay([]byte("-- file: /etc/ssh/sshd_config --\n" + s)); err == nil {
			if cfg, err := macReadSSHDConfig(t.Context(), h); err == nil {
				macSSHDEffective(cfg)
			}
		}
	})
}
