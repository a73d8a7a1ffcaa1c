package collect

import (
	"context"
	"errors"
	"os"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/handwash/handwash"
)

// The outputs below are written from the formats documented in
// /work/shared/platforms/macos.md and the tools' man pages unless a comment
// names the public repository they come from.

func TestParseSysadminctlScreenLock(t *testing.T) {
	tests := []struct {
		name     string
		in       string
		required *bool
		delay    *int
		ok       bool
	}{
		{"immediate", "2025-06-02 09:14:01.123 sysadminctl[4321:98765] screenLock delay is immediate\n", boolPtr(true), intPtr(0), true},
		{"seconds", "2025-06-02 09:14:01.123 sysadminctl[4321:98765] screenLock delay is 300 seconds\n", boolPtr(true), intPtr(300), true},
		{"off", "2025-06-02 09:14:01.123 sysadminctl[4321:98765] screenLock is off\n", boolPtr(false), nil, true},
		{"minus one means off", "2026-01-01 10:00:00.000 sysadminctl[1:2] screenLock delay is -1(.000000) seconds\n", boolPtr(false), nil, true},
		{"no prefix", "screenLock delay is 5 seconds", boolPtr(true), intPtr(5), true},
		{"other noise first", "2025-06-02 09:14:01.123 sysadminctl[1:2] Some warning\n2025-06-02 09:14:01.124 sysadminctl[1:2] screenLock delay is 60 seconds\n", boolPtr(true), intPtr(60), true},
		{"nothing useful", "sysadminctl: usage\n", nil, nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			required, delay, ok := parseSysadminctlScreenLock([]byte(tt.in))
			if diff := cmp.Diff([]any{tt.required, tt.delay, tt.ok}, []any{required, delay, ok}); diff != "" {
				t.Errorf("parseSysadminctlScreenLock(%q) (-want +got):\n%s", tt.in, diff)
			}
		})
	}
}

func TestParseFdesetupStatus(t *testing.T) {
	tests := []struct {
		name      string
		in        string
		encrypted bool
		detail    string
		ok        bool
	}{
		{"on", "FileVault is On.\n", true, "on", true},
		{"on with keychain note", "FileVault is On.\nFileVault master keychain appears to be installed.\n", true, "on", true},
		{"off", "FileVault is Off.\n", false, "off", true},
		{"encrypting", "FileVault is On.\nEncryption in progress: Percent completed = 42.1\n", false, "encrypting 42.1%", true},
		{"paused", "Encryption in progress (Paused): Percent completed = 10.0\n", false, "encryption paused 10.0%", true},
		{"decrypting", "FileVault is On.\nDecryption in progress: Percent completed = 77.5\n", false, "decrypting 77.5%", true},
		{"deferred", "FileVault is Off.\nDeferred enablement appears to be active for user 'alice'.\n", false, "waiting for activation (deferred enablement for user alice)", true},
		{"unknown", "Error: something\n", false, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			enc, detail, ok := parseFdesetupStatus([]byte(tt.in))
			if enc != tt.encrypted || detail != tt.detail || ok != tt.ok {
				t.Errorf("parseFdesetupStatus(%q) = %v, %q, %v; want %v, %q, %v", tt.in, enc, detail, ok, tt.encrypted, tt.detail, tt.ok)
			}
		})
	}
}

func TestParseSocketfilterfw(t *testing.T) {
	type alf struct {
		Enabled, BlockAll, Stealth, Builtin, Downloaded *bool
	}
	tests := []struct {
		name string
		in   string
		want alf
	}{
		{"current wording", "Firewall is enabled. (State = 1)\nFirewall has block all state set to disabled.\nFirewall stealth mode is on\nAutomatically allow built-in signed software ENABLED.\nAutomatically allow downloaded signed software DISABLED.\n",
			alf{boolPtr(true), boolPtr(false), boolPtr(true), boolPtr(true), boolPtr(false)}},
		{"off", "Firewall is disabled. (State = 0)\nFirewall has block all state set to disabled.\nFirewall stealth mode is off\n",
			alf{boolPtr(false), boolPtr(false), boolPtr(false), nil, nil}},
		{"block all", "Firewall is enabled. (State = 1)\nFirewall has block all state set to enabled.\n",
			alf{boolPtr(true), boolPtr(true), nil, nil, nil}},
		{"older wording", "Firewall is enabled. (State = 1)\nBlock all DISABLED! \nStealth mode enabled\nAutomatically allow signed software ENABLED.\n",
			alf{boolPtr(true), boolPtr(false), boolPtr(true), boolPtr(true), boolPtr(true)}},
		{"older block all", "Firewall is blocking all non-essential incoming connections.\nStealth mode disabled\n",
			alf{boolPtr(true), boolPtr(true), boolPtr(false), nil, nil}},
		{"state 2 alone means block all", "Firewall is enabled. (State = 2)\n", alf{boolPtr(true), boolPtr(true), nil, nil, nil}},
		// Real output: kolide/launcher, ee/tables/execparsers/socketfilterfw/test-data/data.txt
		// (the dedicated block-all answer wins over "State = 2").
		{"real capture", "Firewall is enabled. (State = 2)\nFirewall has block all state set to disabled.\nAutomatically allow built-in signed software ENABLED.\nAutomatically allow downloaded signed software ENABLED.\nStealth mode enabled\nLog mode is on \nLog Option is throttled \n",
			alf{boolPtr(true), boolPtr(false), boolPtr(true), boolPtr(true), boolPtr(true)}},
		{"nothing", "usage: socketfilterfw [-h]\n", alf{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := parseSocketfilterfw([]byte(tt.in))
			got := alf{a.enabled, a.blockAll, a.stealth, a.allowBuiltin, a.allowDownloaded}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("parseSocketfilterfw (-want +got):\n%s", diff)
			}
		})
	}
}

func TestALFFillFromManaged(t *testing.T) {
	a := macALF{stealth: boolPtr(false)}
	a.fillFromManaged(map[string]any{"EnableFirewall": true, "EnableStealthMode": true, "BlockAllIncoming": int64(0)})
	if a.enabled == nil || !*a.enabled || a.blockAll == nil || *a.blockAll || *a.stealth {
		t.Errorf("got enabled=%v blockAll=%v stealth=%v; want the profile to fill only what socketfilterfw left out", a.enabled, a.blockAll, *a.stealth)
	}
}

func TestParseSocketfilterfwApps(t *testing.T) {
	current := "ALF: total number of apps = 2 \n\n1 :  /Applications/Zoom.app \n \t ( Allow incoming connections ) \n\n2 :  /usr/local/bin/node \n \t ( Block incoming connections ) \n"
	// Older format. Real output: kolide/launcher, ee/tables/execparsers/socketfilterfw/test-data/apps.txt
	older := "Total number of apps = 6\nreplicatord (state: 1)\nPop Helper.app (state: 4)\nGoogle Chrome (state: 4)\nrtadvd (state: 1)\ncom.docker.backend (state: 1)\nsshd-keygen-wrapper (state: 1)\n"
	tests := []struct {
		name string
		in   string
		want []macALFApp
	}{
		{"current", current, []macALFApp{{"/Applications/Zoom.app", true}, {"/usr/local/bin/node", false}}},
		{"older", older, []macALFApp{{"replicatord", true}, {"Pop Helper.app", false}, {"Google Chrome", false}, {"rtadvd", true}, {"com.docker.backend", true}, {"sshd-keygen-wrapper", true}}},
		{"empty", "ALF: total number of apps = 0 \n", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := parseSocketfilterfwApps([]byte(tt.in))
			if diff := cmp.Diff(tt.want, got, cmp.AllowUnexported(macALFApp{})); diff != "" {
				t.Errorf("parseSocketfilterfwApps (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseCsrutilStatus(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want *bool
	}{
		{"enabled", "System Integrity Protection status: enabled.\n", boolPtr(true)},
		{"disabled", "System Integrity Protection status: disabled.\n", boolPtr(false)},
		{"custom, filesystem off", "System Integrity Protection status: unknown (Custom Configuration).\n\nConfiguration:\n\tApple Internal: disabled\n\tKext Signing: enabled\n\tFilesystem Protections: disabled\n\tDebugging Restrictions: enabled\n\nThis is an unsupported configuration, likely to break in the future and leave your machine in an unknown state.\n", boolPtr(false)},
		{"custom, all on but Apple Internal", "System Integrity Protection status: unknown (Custom Configuration).\n\nConfiguration:\n\tApple Internal: disabled\n\tKext Signing: enabled\n\tFilesystem Protections: enabled\n", boolPtr(true)},
		{"nothing", "csrutil: failed\n", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, parseCsrutilStatus([]byte(tt.in))); diff != "" {
				t.Errorf("parseCsrutilStatus (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseSystemExtensions(t *testing.T) {
	in := "3 extension(s)\n" +
		"--- com.apple.system_extension.endpoint_security (Go to 'System Settings > General > Login Items & Extensions > Endpoint Security Extensions' to modify these system extension(s))\n" +
		"enabled\tactive\tteamID\tbundleID (version)\tname\t[state]\n" +
		"\t\tX9E956P446\tcom.crowdstrike.falcon.Agent (7.09/19001.0)\tFalcon Sensor\t[terminated waiting to uninstall on reboot]\n" +
		"*\t*\tX9E956P446\tcom.crowdstrike.falcon.Agent (7.10/19101.0)\tFalcon Sensor\t[activated enabled]\n" +
		"--- com.apple.system_extension.network_extension\n" +
		"enabled\tactive\tteamID\tbundleID (version)\tname\t[state]\n" +
		"*\t\tMLZF7K7B5R\tat.obdev.littlesnitch.networkextension (6.1.2/7013)\tLittle Snitch Network Extension\t[activated waiting for user]\n"
	want := []macSystemExtension{
		{Category: "com.apple.system_extension.endpoint_security", TeamID: "X9E956P446", BundleID: "com.crowdstrike.falcon.Agent", Version: "7.10/19101.0", Name: "Falcon Sensor", State: "activated enabled", Enabled: true},
		{Category: "com.apple.system_extension.network_extension", TeamID: "MLZF7K7B5R", BundleID: "at.obdev.littlesnitch.networkextension", Version: "6.1.2/7013", Name: "Little Snitch Network Extension", State: "activated waiting for user"},
	}
	if diff := cmp.Diff(want, parseSystemExtensions([]byte(in))); diff != "" {
		t.Errorf("parseSystemExtensions (-want +got):\n%s", diff)
	}
	if got := parseSystemExtensions([]byte("0 extension(s)\n")); len(got) != 0 {
		t.Errorf("no extensions: got %v", got)
	}
}

func TestParseDscl(t *testing.T) {
	list := "_amavisd                 83\n_analyticsd              263\nalice                    501\nbob                      502\ndaemon                   1\nGuest                    201\nnobody                   -2\nroot                     0\n"
	want := map[string][]string{"_amavisd": {"83"}, "_analyticsd": {"263"}, "alice": {"501"}, "bob": {"502"}, "daemon": {"1"}, "Guest": {"201"}, "nobody": {"-2"}, "root": {"0"}}
	if diff := cmp.Diff(want, parseDsclList([]byte(list))); diff != "" {
		t.Errorf("parseDsclList (-want +got):\n%s", diff)
	}
	tests := []struct {
		name string
		in   string
		want map[string][]string
	}{
		{"one line", "GroupMembership: root alice\n", map[string][]string{"GroupMembership": {"root", "alice"}}},
		{"values on the next lines", "NFSHomeDirectory:\n /Users/alice smith\nUniqueID: 501\n", map[string][]string{"NFSHomeDirectory": {"/Users/alice smith"}, "UniqueID": {"501"}}},
		{"no such attribute", "No such key: GroupMembership\n", map[string][]string{"No such key": {"GroupMembership"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, parseDsclRead([]byte(tt.in))); diff != "" {
				t.Errorf("parseDsclRead (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParsePwpolicy(t *testing.T) {
	const head = "Getting global account policies\n<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!DOCTYPE plist PUBLIC \"-//Apple//DTD PLIST 1.0//EN\" \"http://www.apple.com/DTDs/PropertyList-1.0.dtd\">\n<plist version=\"1.0\">\n"
	// The shape of a stock Mac's answer: one content policy, four characters.
	stock := head + `<dict>
	<key>policyCategoryPasswordContent</key>
	<array>
		<dict>
			<key>policyContent</key>
			<string>policyAttributePassword matches '.{4,}+'</string>
			<key>policyContentDescription</key>
			<dict><key>en</key><string>Enter a password that is four characters or more.</string></dict>
			<key>policyIdentifier</key>
			<string>com.apple.defaultpasswordpolicy.fde</string>
		</dict>
	</array>
</dict>
</plist>
`
	managed := head + `<dict>
	<key>policyCategoryAuthentication</key>
	<array>
		<dict>
			<key>policyContent</key>
			<string>(policyAttributeFailedAuthentications &lt; policyAttributeMaximumFailedAuthentications) OR (policyAttributeCurrentTime &gt; (policyAttributeLastFailedAuthenticationTime + autoEnableInSeconds))</string>
			<key>policyIdentifier</key>
			<string>ProfilePayload:3B01C197:maxFailedAttempts</string>
			<key>policyParameters</key>
			<dict>
				<key>autoEnableInSeconds</key><integer>900</integer>
				<key>policyAttributeMaximumFailedAuthentications</key><integer>10</integer>
			</dict>
		</dict>
	</array>
	<key>policyCategoryPasswordChange</key>
	<array>
		<dict>
			<key>policyContent</key>
			<string>policyAttributeCurrentTime &gt; policyAttributeLastPasswordChangeTime + (policyAttributeExpiresEveryNDays * 24 * 60 * 60)</string>
			<key>policyParameters</key>
			<dict><key>policyAttributeExpiresEveryNDays</key><integer>365</integer></dict>
		</dict>
	</array>
	<key>policyCategoryPasswordContent</key>
	<array>
		<dict>
			<key>policyContent</key>
			<string>policyAttributePassword matches '.{12,}'</string>
			<key>policyIdentifier</key>
			<string>ProfilePayload:3B01C197:minLength</string>
			<key>policyParameters</key>
			<dict><key>minimumLength</key><integer>12</integer></dict>
		</dict>
		<dict>
			<key>policyContent</key>
			<string>policyAttributePassword matches '(.*[0-9].*){1,}+'</string>
			<key>policyIdentifier</key>
			<string>ProfilePayload:3B01C197:requireNumeric</string>
		</dict>
		<dict>
			<key>policyContent</key>
			<string>policyAttributePassword matches '.{4,}+'</string>
			<key>policyIdentifier</key>
			<string>com.apple.defaultpasswordpolicy.fde</string>
		</dict>
	</array>
</dict>
</plist>
`
	tests := []struct {
		name string
		in   string
		want *handwash.PasswordPolicyFacts
	}{
		{"stock", stock, &handwash.PasswordPolicyFacts{Source: "pwpolicy", MinLength: intPtr(4), MaxAgeDays: intPtr(0), LockoutThreshold: intPtr(0), Complexity: boolPtr(false)}},
		{"managed", managed, &handwash.PasswordPolicyFacts{Source: "pwpolicy", MinLength: intPtr(12), MaxAgeDays: intPtr(365), LockoutThreshold: intPtr(10), LockoutMinutes: intPtr(15), Complexity: boolPtr(true)}},
		{"empty dict", head + "<dict/>\n</plist>\n", &handwash.PasswordPolicyFacts{Source: "pwpolicy", MinLength: intPtr(0), MaxAgeDays: intPtr(0), LockoutThreshold: intPtr(0), Complexity: boolPtr(false)}},
		{"no policies sentence", "No global account policies have been set.\n", &handwash.PasswordPolicyFacts{Source: "pwpolicy", MinLength: intPtr(0), MaxAgeDays: intPtr(0), LockoutThreshold: intPtr(0), Complexity: boolPtr(false)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parsePwpolicy([]byte(tt.in))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("parsePwpolicy (-want +got):\n%s", diff)
			}
		})
	}
	if _, err := parsePwpolicy([]byte("Error: something went wrong\n")); err == nil {
		t.Error("parsePwpolicy accepted an error message")
	}
}

func TestParseTmutilDestinations(t *testing.T) {
	plist := `<?xml version="1.0" encoding="UTF-8"?>
<plist version="1.0">
<dict>
	<key>Destinations</key>
	<array>
		<dict>
			<key>ID</key><string>8A6F1C2E-5B7D-4E21-9C3A-0D2B6E7F1A90</string>
			<key>Kind</key><string>Network</string>
			<key>LastDestination</key><integer>1</integer>
			<key>Name</key><string>TimeMachine</string>
			<key>URL</key><string>smb://alice@nas.local/TimeMachine</string>
		</dict>
		<dict>
			<key>ID</key><string>1B2C</string>
			<key>Kind</key><string>Local</string>
			<key>MountPoint</key><string>/Volumes/Backup</string>
			<key>Name</key><string>Backup</string>
		</dict>
	</array>
</dict>
</plist>
`
	tests := []struct {
		name string
		out  Output
		want []macTMDestination
	}{
		{"two", Output{Stdout: []byte(plist)}, []macTMDestination{
			{Name: "TimeMachine", Kind: "Network", ID: "8A6F1C2E-5B7D-4E21-9C3A-0D2B6E7F1A90", URL: "smb://alice@nas.local/TimeMachine"},
			{Name: "Backup", Kind: "Local", ID: "1B2C", MountPoint: "/Volumes/Backup"},
		}},
		{"none, said", Output{Stderr: []byte("tmutil: No destinations configured.\n"), ExitCode: 1}, []macTMDestination{}},
		{"none, empty dict", Output{Stdout: []byte("<plist><dict/></plist>")}, []macTMDestination{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseTmutilDestinations(tt.out)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("parseTmutilDestinations (-want +got):\n%s", diff)
			}
		})
	}
	if _, err := parseTmutilDestinations(Output{Stderr: []byte("tmutil: destinationinfo requires Full Disk Access privileges.\n"), ExitCode: 80}); macReason(err) != handwash.ReasonNeedsAdmin {
		t.Errorf("Full Disk Access error: reason %q, want needs_admin (err %v)", macReason(err), err)
	}
}

func TestTimeMachineDestinationHistory(t *testing.T) {
	day := func(d int) time.Time { return time.Date(2026, 11, d, 22, 0, 0, 0, time.UTC) }
	prefs := map[string]any{"Destinations": []any{
		map[string]any{"DestinationID": "OTHER", "LastKnownEncryptionState": "NotEncrypted"},
		map[string]any{
			"DestinationID":              "8a6f",
			"SnapshotDates":              []any{day(10), day(12)},
			"ReferenceLocalSnapshotDate": day(19),
			"AttemptDates":               []any{day(18)},
			"LastKnownEncryptionState":   "Encrypted",
		},
	}}
	h := macTimeMachineDestination(prefs, "8A6F")
	if h.lastSuccess == nil || !h.lastSuccess.Equal(day(19)) {
		t.Errorf("last success = %v, want %v", h.lastSuccess, day(19))
	}
	if h.lastAttempt == nil || !h.lastAttempt.Equal(day(19)) {
		t.Errorf("last attempt = %v, want the later success %v", h.lastAttempt, day(19))
	}
	if h.encrypted == nil || !*h.encrypted {
		t.Errorf("encrypted = %v, want true", h.encrypted)
	}
	if got := macTimeMachineDestination(prefs, "none"); got.lastSuccess != nil || got.encrypted != nil {
		t.Errorf("unknown destination: got %+v", got)
	}
	if got := macStripURLUser("smb://alice:secret@nas.local/TimeMachine"); got != "smb://nas.local/TimeMachine" {
		t.Errorf("macStripURLUser = %q", got)
	}
	snaps := "Snapshots for disk /:\ncom.apple.TimeMachine.2026-11-19-221004.local\ncom.apple.TimeMachine.2026-11-20-081502.local\ncom.apple.os.update-ABC\n"
	if n := countLocalSnapshots([]byte(snaps)); n != 2 {
		t.Errorf("countLocalSnapshots = %d, want 2", n)
	}
}

func TestInstallHistoryFiltering(t *testing.T) {
	at := func(s string) time.Time { t, _ := time.Parse(time.RFC3339, s); return t }
	v := []any{
		map[string]any{"date": at("2026-09-16T18:00:00Z"), "displayName": "macOS Tahoe 26.0", "displayVersion": "26.0", "processName": "softwareupdated"},
		map[string]any{"date": at("2026-11-04T19:30:00Z"), "displayName": "macOS Tahoe 26.1", "displayVersion": "26.1", "processName": "softwareupdated"},
		map[string]any{"date": at("2026-11-18T03:12:00Z"), "displayName": "XProtectPlistConfigData", "displayVersion": "5330", "processName": "softwareupdated", "contentType": "config-data"},
		map[string]any{"date": at("2026-11-06T03:12:00Z"), "displayName": "XProtectPayloads", "displayVersion": "160", "processName": "softwareupdated", "contentType": "config-data"},
		map[string]any{"date": at("2026-11-19T10:00:00Z"), "displayName": "Firefox", "displayVersion": "145.0", "processName": "installer"},
		map[string]any{"date": at("2026-11-19T11:00:00Z"), "displayName": "macOS Tahoe 26.2 beta", "processName": "Installer"},
		map[string]any{"displayName": "no date", "processName": "softwareupdated"},
	}
	hist := parseInstallHistory(v)
	if len(hist) != 6 {
		t.Fatalf("parseInstallHistory kept %d entries, want 6 (the one without a date dropped)", len(hist))
	}
	if e, ok := macLastOSUpdate(hist); !ok || e.Name != "macOS Tahoe 26.1" {
		t.Errorf("macLastOSUpdate = %+v, %v; want macOS Tahoe 26.1 (the Installer entry is not Software Update)", e, ok)
	}
	if e, ok := macLastXProtectUpdate(hist); !ok || e.Name != "XProtectPlistConfigData" {
		t.Errorf("macLastXProtectUpdate = %+v, %v", e, ok)
	}
	if _, ok := macLastOSUpdate(nil); ok {
		t.Error("macLastOSUpdate found an update in an empty history")
	}
}

func TestParseNetstatListeners(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []macSocket
	}{
		{"pid column", `Active Internet connections (including servers)
Proto Recv-Q Send-Q  Local Address          Foreign Address        (state)      rhiwat  shiwat    pid   epid state  options           gencnt    flags   flags1 usscnt rtncnt fltrs
tcp4       0      0  *.80                   *.*                    LISTEN       131072  131072  10521      0 00100 00000006 000000000000965d 00000000 00000900      1      0 000001
tcp6       0      0  ::1.631                *.*                    LISTEN       131072  131072    401      0 00100 00000006 000000000000965c 00000000 00000900      1      0 000001
tcp4       0      0  192.168.1.20.50210     17.57.146.20.443       ESTABLISHED  131072  131768    812      0 00102 00000000 000000000000965b 00000080 04000900      1      0 000001
`, []macSocket{{Address: "0.0.0.0", Port: 80, PID: 10521}, {Address: "::1", Port: 631, PID: 401}}},
		{"byte counts before pid", `Proto Recv-Q Send-Q  Local Address          Foreign Address        (state)        rxbytes    txbytes  rhiwat  shiwat    pid   epid  state  options           gencnt    flags   flags1 usecnt rtncnt  fltrs
tcp46      0      0  *.22                   *.*                    LISTEN               0          0  131072  131072      1      0 00100 00000006 0000000000000a1e 00000000 00000800      1      0 000001
`, []macSocket{{Address: "::", Port: 22, PID: 1}}},
		{"process:pid with spaces", `Proto Recv-Q Send-Q  Local Address                                 Foreign Address                               (state)          rxbytes      txbytes  rhiwat  shiwat          process:pid    state  options           gencnt    flags   flags1 usecnt rtncnt fltrs
tcp4       0      0  *.5000                                        *.*                                           LISTEN                 0            0  131072  131072  ControlCenter:612  00100 00000006 0000000000001b2e 00000000 00000900      1      0 000001
tcp4       0      0  127.0.0.1.45623                               *.*                                           LISTEN                 0            0  131072  131072  Google Chrome He:35474  00100 00000006 0000000000001b2f 00000000 00000900      1      0 000001
`, []macSocket{{Address: "0.0.0.0", Port: 5000, PID: 612, Process: "ControlCenter"}, {Address: "127.0.0.1", Port: 45623, PID: 35474, Process: "Google Chrome He"}}},
		{"no header", "tcp4 0 0 *.8080 *.* LISTEN\n", []macSocket{{Address: "0.0.0.0", Port: 8080}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, parseNetstatListeners([]byte(tt.in))); diff != "" {
				t.Errorf("parseNetstatListeners (-want +got):\n%s", diff)
			}
		})
	}
	for addr, want := range map[string]bool{"127.0.0.1": true, "::1": true, "fe80::1%lo0": true, "0.0.0.0": false, "::": false, "192.168.1.20": false} {
		if got := macLoopback(addr); got != want {
			t.Errorf("macLoopback(%q) = %v, want %v", addr, got, want)
		}
	}
	names := parsePsComm([]byte("    1 /sbin/launchd\n  401 /usr/sbin/cupsd\n10521 /Applications/OrbStack.app/Contents/MacOS/OrbStack Helper\n"))
	if diff := cmp.Diff(map[int]string{1: "launchd", 401: "cupsd", 10521: "OrbStack Helper"}, names); diff != "" {
		t.Errorf("parsePsComm (-want +got):\n%s", diff)
	}
}

func TestParseLaunchctl(t *testing.T) {
	disabled := "\tdisabled services = {\n\t\t\"com.apple.AEServer\" => disabled\n\t\t\"com.openssh.sshd\" => enabled\n\t\t\"com.apple.smbd\" => true\n\t\t\"com.apple.screensharing\" => false\n\t}\n"
	want := map[string]bool{"com.apple.AEServer": true, "com.openssh.sshd": false, "com.apple.smbd": true, "com.apple.screensharing": false}
	if diff := cmp.Diff(want, parseLaunchctlDisabled([]byte(disabled))); diff != "" {
		t.Errorf("parseLaunchctlDisabled (-want +got):\n%s", diff)
	}

	// Real output: inspec/inspec test/fixtures/cmd/launchctl-list, shared
	// under fixtures/posture/inspec.
	b, err := os.ReadFile("../../shared/fixtures/posture/inspec/cmd-launchctl-list")
	if errors.Is(err, os.ErrNotExist) {
		t.Skip("shared fixtures are not here (../../shared/fixtures)")
	}
	if err != nil {
		t.Fatal(err)
	}
	wantJobs := []macLaunchdJob{{PID: 2892, Status: "0", Label: "org.openbsd.ssh-agent"}, {Status: "0", Label: "com.apple.FilesystemUI"}, {Status: "-15", Label: "org.example.killed-agent"}}
	if diff := cmp.Diff(wantJobs, parseLaunchctlList(b)); diff != "" {
		t.Errorf("parseLaunchctlList (-want +got):\n%s", diff)
	}
}

func TestMacServiceState(t *testing.T) {
	tests := []struct {
		name      string
		overrides map[string]bool
		ports     map[int]bool
		loaded    map[string]bool
		want      *bool
	}{
		{"enabled override", map[string]bool{"com.openssh.sshd": false}, map[int]bool{}, nil, boolPtr(true)},
		{"disabled override", map[string]bool{"com.openssh.sshd": true}, map[int]bool{}, nil, boolPtr(false)},
		{"no override: ships disabled", map[string]bool{}, map[int]bool{}, nil, boolPtr(false)},
		{"listening despite override", map[string]bool{"com.openssh.sshd": true}, map[int]bool{22: true}, nil, boolPtr(true)},
		{"loaded as root", map[string]bool{}, nil, map[string]bool{"com.openssh.sshd": true}, boolPtr(true)},
		{"nothing known", nil, nil, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, macServiceState("com.openssh.sshd", 22, tt.overrides, tt.ports, tt.loaded)); diff != "" {
				t.Errorf("macServiceState (-want +got):\n%s", diff)
			}
		})
	}
}

func TestMacSSHDConfig(t *testing.T) {
	tests := []struct {
		name      string
		recording string
		root      string
		password  bool
		empty     bool
	}{
		{"macOS defaults: PAM lets passwords in", `-- file: /etc/ssh/sshd_config --
# comment
Include /etc/ssh/sshd_config.d/*
#PermitRootLogin prohibit-password
-- file: /etc/ssh/sshd_config.d/100-macos.conf --
UsePAM yes
AcceptEnv LANG LC_*
`, "prohibit-password", true, false},
		{"first value wins, drop-in before 100-macos", `-- file: /etc/ssh/sshd_config --
Include /etc/ssh/sshd_config.d/*
PasswordAuthentication yes
PermitRootLogin yes
-- file: /etc/ssh/sshd_config.d/010-harden.conf --
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin no
-- file: /etc/ssh/sshd_config.d/100-macos.conf --
UsePAM yes
`, "no", false, false},
		{"password off but keyboard-interactive with PAM", `-- file: /etc/ssh/sshd_config --
PasswordAuthentication no
UsePAM yes
`, "prohibit-password", true, false},
		{"Match block is not global", `-- file: /etc/ssh/sshd_config --
PasswordAuthentication no
KbdInteractiveAuthentication=no
Match User alice
  PasswordAuthentication yes
  PermitEmptyPasswords yes
Match all
PermitRootLogin without-password
`, "prohibit-password", false, false},
		{"AuthenticationMethods leaves passwords out", `-- file: /etc/ssh/sshd_config --
AuthenticationMethods publickey
UsePAM yes
PermitEmptyPasswords yes
`, "prohibit-password", false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, err := ParseReplay([]byte(tt.recording))
			if err != nil {
				t.Fatal(err)
			}
			cfg, err := macReadSSHDConfig(context.Background(), h)
			if err != nil {
				t.Fatal(err)
			}
			root, pw, empty := macSSHDEffective(cfg)
			if root != tt.root || *pw != tt.password || *empty != tt.empty {
				t.Errorf("got root=%q password=%v empty=%v; want %q %v %v", root, *pw, *empty, tt.root, tt.password, tt.empty)
			}
		})
	}
	h, _ := ParseReplay([]byte("-- denied: /etc/ssh/sshd_config --\n"))
	if _, err := macReadSSHDConfig(context.Background(), h); macReason(err) != handwash.ReasonNeedsAdmin {
		t.Errorf("unreadable sshd_config: reason %q (err %v), want needs_admin", macReason(err), err)
	}
}

func TestMacNSMBAllowsSMB1(t *testing.T) {
	tests := []struct {
		name string
		conf string
		want bool
	}{
		{"no file: default 7 includes SMB 1", "", true},
		{"SMB 2 and 3 only", "[default]\nsigning_required=yes\nprotocol_vers_map=6\n", false},
		{"SMB 3 only, hex", "[default]\nprotocol_vers_map=0x4\n", false},
		{"set for one server only", "[default]\n[NAS]\nprotocol_vers_map=6\n", true},
		{"all three", "[default]\nprotocol_vers_map=7\n", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := macNSMBAllowsSMB1([]byte(tt.conf)); got != tt.want {
				t.Errorf("macNSMBAllowsSMB1(%q) = %v, want %v", tt.conf, got, tt.want)
			}
		})
	}
}

func TestParsePmsetAndEffectiveIdle(t *testing.T) {
	laptop := "Battery Power:\n Sleep On Power Button 1\n displaysleep         2\n sleep                1\nAC Power:\n Sleep On Power Button 1\n hibernatefile        /var/vm/sleepimage\n displaysleep         10\n"
	got := parsePmsetCustom([]byte(laptop))
	want := map[string]map[string]string{
		"Battery Power": {"Sleep On Power Button": "1", "displaysleep": "2", "sleep": "1"},
		"AC Power":      {"Sleep On Power Button": "1", "hibernatefile": "/var/vm/sleepimage", "displaysleep": "10"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("parsePmsetCustom (-want +got):\n%s", diff)
	}

	tests := []struct {
		name          string
		idle          *int
		display       map[string]int
		seconds       int
		never, unknow bool
	}{
		{"screen saver first on mains", intPtr(300), map[string]int{"Battery Power": 2, "AC Power": 10}, 300, false, false},
		{"display first", intPtr(1200), map[string]int{"AC Power": 10}, 600, false, false},
		{"screen saver never, display sleeps", intPtr(0), map[string]int{"AC Power": 10}, 600, false, false},
		{"nothing ever on mains", intPtr(0), map[string]int{"Battery Power": 2, "AC Power": 0}, 120, true, false},
		{"screen saver unknown, display never", nil, map[string]int{"AC Power": 0}, 0, false, true},
		{"screen saver unknown, display sleeps: an upper bound", nil, map[string]int{"AC Power": 15}, 900, false, false},
		{"no pmset, screen saver known", intPtr(600), nil, 600, false, false},
		{"no pmset, nothing known", nil, nil, 0, false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, never, unknown := macEffectiveIdle(tt.idle, tt.display)
			if s != tt.seconds || never != tt.never || unknown != tt.unknow {
				t.Errorf("macEffectiveIdle = %d, never %v, unknown %v; want %d, %v, %v", s, never, unknown, tt.seconds, tt.never, tt.unknow)
			}
		})
	}
}

func TestParseIoregAndFormFactor(t *testing.T) {
	// The shape of `ioreg -rd1 -c IOPlatformExpertDevice -a` on Apple silicon
	// (model "Mac14,7" as a NUL-terminated <data>).
	in := `<?xml version="1.0" encoding="UTF-8"?>
<plist version="1.0">
<array>
	<dict>
		<key>IOObjectClass</key><string>IOPlatformExpertDevice</string>
		<key>IOPlatformSerialNumber</key><string>C02ABC123DEF</string>
		<key>IOPlatformUUID</key><string>12345678-1234-5678-9ABC-DEF012345678</string>
		<key>manufacturer</key><data>QXBwbGUgSW5jLgA=</data>
		<key>model</key><data>TWFjMTQsNwA=</data>
	</dict>
</array>
</plist>`
	hw, err := parseIoregPlatform([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(macHardware{UUID: "12345678-1234-5678-9ABC-DEF012345678", Model: "Mac14,7"}, hw); diff != "" {
		t.Errorf("parseIoregPlatform (-want +got):\n%s", diff)
	}
	if _, err := parseIoregPlatform([]byte("<plist><array/></plist>")); err == nil {
		t.Error("parseIoregPlatform found a UUID in nothing")
	}

	tests := []struct {
		model, product string
		battery        int
		want           string
	}{
		{"MacBookAir10,1", "", -1, handwash.FormLaptop},
		{"Mac14,2", "", 1, handwash.FormLaptop},
		{"Mac14,3", "", 0, handwash.FormDesktop},
		{"iMac21,1", "", -1, handwash.FormDesktop},
		{"Mac15,3", "MacBook Pro (14-inch, Nov 2023)", -1, handwash.FormLaptop},
		{"VirtualMac2,1", "", 0, handwash.FormVM},
		{"Mac14,3", "", -1, handwash.FormUnknown},
	}
	for _, tt := range tests {
		if got := macFormFactor(tt.model, tt.product, tt.battery); got != tt.want {
			t.Errorf("macFormFactor(%q, %q, %d) = %q, want %q", tt.model, tt.product, tt.battery, got, tt.want)
		}
	}
}

func TestParseProfilesAndSpctl(t *testing.T) {
	for in, want := range map[string][2]bool{
		"Enrolled via DEP: No\nMDM enrollment: No\n":                                  {false, true},
		"Enrolled via DEP: Yes\nMDM enrollment: Yes (User Approved)\nMDM server: x\n": {true, true},
		"MDM enrollment: Yes\n": {true, true},
		"profiles: error\n":     {false, false},
	} {
		enrolled, ok := parseProfilesEnrollment([]byte(in))
		if enrolled != want[0] || ok != want[1] {
			t.Errorf("parseProfilesEnrollment(%q) = %v, %v; want %v", in, enrolled, ok, want)
		}
	}
	g := parseSpctlStatus([]byte("assessments enabled\ndeveloper id disabled\n"))
	if g.assessments == nil || !*g.assessments || g.developerID == nil || *g.developerID {
		t.Errorf("parseSpctlStatus store-only: %+v", g)
	}
	g = parseSpctlStatus([]byte("assessments disabled\n"))
	if g.assessments == nil || *g.assessments || g.developerID != nil {
		t.Errorf("parseSpctlStatus disabled: %+v", g)
	}
}

func TestMacAutomaticUpdates(t *testing.T) {
	tests := []struct {
		name    string
		p       macPrefs
		want    *bool
		wantDet string
	}{
		{"all on", macPrefs{stored: map[string]any{"AutomaticallyInstallMacOSUpdates": true}}, boolPtr(true),
			"check for updates: on (default); download new updates: on (default); install macOS updates: on; install Security Responses and system files: on (default)"},
		{"install not set", macPrefs{stored: map[string]any{}}, nil,
			"check for updates: on (default); download new updates: on (default); install macOS updates: not set; install Security Responses and system files: on (default)"},
		{"check off", macPrefs{stored: map[string]any{"AutomaticCheckEnabled": false}}, boolPtr(false),
			"check for updates: off; download new updates: on (default); install macOS updates: not set; install Security Responses and system files: on (default)"},
		{"MDM wins", macPrefs{managed: map[string]any{"AutomaticallyInstallMacOSUpdates": true, "CriticalUpdateInstall": int64(1)}, stored: map[string]any{"AutomaticallyInstallMacOSUpdates": false}}, boolPtr(true),
			"check for updates: on (default); download new updates: on (default); install macOS updates: on; install Security Responses and system files: on (set by MDM: install macOS updates, install Security Responses and system files)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, detail := macAutomaticUpdates(tt.p)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("automatic (-want +got):\n%s", diff)
			}
			if detail != tt.wantDet {
				t.Errorf("detail = %q\nwant     %q", detail, tt.wantDet)
			}
		})
	}

	pending, err := macPendingUpdates(map[string]any{"RecommendedUpdates": []any{
		map[string]any{"Display Name": "macOS Ventura 13.7.8", "Display Version": "13.7.8", "Identifier": "MSU_UPDATE_22H730_patch_13.7.8", "Product Key": "MSU_UPDATE_22H730_patch_13.7.8"},
		map[string]any{"Display Name": "Command Line Tools for Xcode", "Display Version": "15.3", "Product Key": "062-12345"},
	}}, "13.6.1")
	if err != nil {
		t.Fatal(err)
	}
	wantPending := []handwash.PendingUpdate{
		{Name: "macOS Ventura 13.7.8", Version: "13.7.8", Installed: "13.6.1", Security: true, IDs: []string{"MSU_UPDATE_22H730_patch_13.7.8"}},
		{Name: "Command Line Tools for Xcode", Version: "15.3", IDs: []string{"062-12345"}},
	}
	if diff := cmp.Diff(wantPending, pending); diff != "" {
		t.Errorf("macPendingUpdates (-want +got):\n%s", diff)
	}
	if got, err := macPendingUpdates(map[string]any{}, ""); err != nil || got == nil || len(got) != 0 {
		t.Errorf("no RecommendedUpdates: got %#v, %v; want an empty, non-nil list", got, err)
	}
	if _, err := macPendingUpdates(map[string]any{"LastRecommendedUpdatesAvailable": int64(2)}, ""); err == nil {
		t.Error("a count of 2 with no list should not read as none pending")
	}
}

func TestWiFiParsers(t *testing.T) {
	ports := "\nHardware Port: Ethernet\nDevice: en0\nEthernet Address: aa:bb:cc:dd:ee:ff\n\nHardware Port: Wi-Fi\nDevice: en1\nEthernet Address: aa:bb:cc:dd:ee:00\n"
	if got := parseWiFiDevice([]byte(ports)); got != "en1" {
		t.Errorf("parseWiFiDevice = %q, want en1", got)
	}
	if got := parseWiFiDevice([]byte("Hardware Port: Ethernet\nDevice: en0\n")); got != "" {
		t.Errorf("parseWiFiDevice without Wi-Fi = %q", got)
	}
	pref := "Preferred networks on en1:\n\tCareHome-Staff\n\tBT-Hub 5G\n"
	if diff := cmp.Diff([]string{"CareHome-Staff", "BT-Hub 5G"}, parsePreferredWireless([]byte(pref))); diff != "" {
		t.Errorf("parsePreferredWireless (-want +got):\n%s", diff)
	}
	known := map[string]any{
		"wifi.network.ssid.Office":     map[string]any{"SupportedSecurityTypes": "WPA2 Personal"},
		"wifi.network.ssid.Cafe":       map[string]any{"SupportedSecurityTypes": "Open", "AutoJoinDisabled": true},
		"wifi.network.ssid.Corp":       map[string]any{"SupportedSecurityTypes": "WPA2 Enterprise"},
		"wifi.network.ssid.Mixed":      map[string]any{"SupportedSecurityTypes": "WPA2/WPA3 Personal"},
		"wifi.network.ssid.Old":        map[string]any{"SupportedSecurityTypes": "WPA/WPA2 Personal"},
		"wifi.network.ssid.New":        map[string]any{"SupportedSecurityTypes": "WPA3 Personal"},
		"wifi.network.ssid.Weird":      map[string]any{"SupportedSecurityTypes": "Something"},
		"some.other.key":               "x",
		"wifi.network.ssid.Legacy WEP": map[string]any{"SupportedSecurityTypes": []any{"WEP"}},
	}
	want := []handwash.WiFiProfile{
		{SSID: "Cafe", Security: "open", AutoConnect: boolPtr(false), Encryption: "none"},
		{SSID: "Corp", Security: "enterprise", AutoConnect: boolPtr(true)},
		{SSID: "Legacy WEP", Security: "wep", AutoConnect: boolPtr(true), Encryption: "wep"},
		{SSID: "Mixed", Security: "wpa2", AutoConnect: boolPtr(true)},
		{SSID: "New", Security: "wpa3", AutoConnect: boolPtr(true)},
		{SSID: "Office", Security: "wpa2", AutoConnect: boolPtr(true)},
		{SSID: "Old", Security: "wpa", AutoConnect: boolPtr(true)},
		{SSID: "Weird", Security: "unknown", AutoConnect: boolPtr(true)},
	}
	if diff := cmp.Diff(want, parseKnownNetworks(known)); diff != "" {
		t.Errorf("parseKnownNetworks (-want +got):\n%s", diff)
	}
}
