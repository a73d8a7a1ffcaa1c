package collect

import (
	"testing"
)

func FuzzParseRegDump(f *testing.F) {
	f.Add("\r\nHKEY_LOCAL_MACHINE\\SOFTWARE\\X\r\n    ProductName    REG_SZ    Windows 10 Pro\r\n    UBR    REG_DWORD    0x1a0b\r\n")
	f.Add("    M    REG_MULTI_SZ    a\\0b\n    B    REG_BINARY    00FF\nHKLM\\SOFTWARE\\Y\n    Q    REG_QWORD    0x1\n")
	f.Add("End of search: 2 match(es) found.\n    (Default)    REG_SZ\n")
	f.Add("    x    REG_DWORD    REG_DWORD    0x1\n")
	f.Fuzz(func(t *testing.T, text string) {
		keys, err := parseRegDump(`HKLM\SOFTWARE\X`, text)
		if err != nil {
			return
		}
		for _, k := range keys {
			for _, v := range k.values {
				v.text()
				v.number()
			}
		}
	})
}

func FuzzParseWLANProfile(f *testing.F) {
	f.Add(`<WLANProfile xmlns="http://www.microsoft.com/networking/WLAN/profile/v1"><name>x</name><SSIDConfig><SSID><hex>41</hex><name>A</name></SSID></SSIDConfig><connectionMode>auto</connectionMode><MSM><security><authEncryption><authentication>open</authentication><encryption>none</encryption><useOneX>false</useOneX></authEncryption></security></MSM></WLANProfile>`)
	f.Add(`<?xml version="1.0" encoding="US-ASCII"?><WLANProfile><SSIDConfig><SSID><hex>zz</hex></SSID></SSIDConfig></WLANProfile>`)
	f.Add(`<WLANProfile><MSM><security><authEncryption></authEncryption></security></MSM>`)
	f.Fuzz(func(t *testing.T, doc string) {
		p, err := parseWLANProfile([]byte(doc))
		if err == nil && p.Security == "" {
			t.Errorf("a parsed profile has no security word: %+v", p)
		}
	})
}

func FuzzPowerShellJSON(f *testing.F) {
	f.Add(`[{"Drive":"C:","Protection":1},{"Drive":"D:","Protection":null}]`)
	f.Add(`{"Drive":"C:","Protection":2}`)
	f.Add(`{"LastSuccessfulBackupTime":"\/Date(1794906000000)\/","LastBackupTime":"\/Date(-1)\/","LastBackupResultHR":0}`)
	f.Add("\ufeff[]")
	f.Fuzz(func(t *testing.T, out string) {
		_, _ = parseShellBitLocker([]byte(out), "C:")
		_, _ = parseServerBackupSummary([]byte(out))
	})
}

func FuzzParseWinTime(f *testing.F) {
	for _, s := range []string{"20261120060211.000000+000", `\/Date(1718000000000+0100)\/`, "/Date(1)/", "2026-11-12T03:40:52Z", "99999999999999.999999-999"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) { parseWinTime(s) })
}

func FuzzParseSocketTable(f *testing.F) {
	f.Add([]byte{1, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 1, 189, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 4, 0, 0, 0}, false, false)
	f.Add([]byte{255, 255, 255, 255}, true, true)
	f.Fuzz(func(t *testing.T, b []byte, udp, v6 bool) {
		proto := "tcp"
		if udp {
			proto = "udp"
		}
		_, _ = parseSocketTable(b, proto, v6)
	})
}

func FuzzParseFileHistoryConfig(f *testing.F) {
	f.Add(`<DataProtectionUserConfig><DPFrequency>3600</DPFrequency><DPStatus>ENABLED</DPStatus><Target><TargetUrl>E:\</TargetUrl><TargetDriveType>REMOVABLE</TargetDriveType></Target></DataProtectionUserConfig>`)
	f.Add("\xff\xfe<\x00D\x00/\x00>\x00")
	f.Fuzz(func(t *testing.T, doc string) {
		_, _ = parseFileHistoryConfig([]byte(doc))
		seceditValue([]byte(doc), "System Access", "PasswordComplexity")
	})
}

func FuzzReplaySource(f *testing.F) {
	f.Add("-- reg: HKLM\\SOFTWARE\\A --\n    X    REG_SZ    y\nHKLM\\SOFTWARE\\A\\B\n-- wmi-error: root\\x SELECT a FROM b --\n0x80041003\n")
	f.Add("-- api: NetUserModalsGet --\n{\"usrmod0_min_passwd_len\": 1}\n-- reg-error: HKU --\nAccess is denied.\n")
	f.Fuzz(func(t *testing.T, rec string) {
		h, err := ParseReplay([]byte(rec))
		if err != nil {
			return
		}
		src, err := replayWinSource(h)
		if err != nil {
			return
		}
		_, _ = src.RegValues(`HKLM\SOFTWARE\A`)
		_, _ = src.RegSubkeys(`HKLM\SOFTWARE`)
		_, _ = src.UserModals()
		var out []wmiService
		_ = src.WMI(`root\x`, "SELECT a FROM b", &out)
	})
}
