package collect

import (
	"context"
	"testing"

	"github.com/handwash/handwash"
)

// TestMacOSGolden collects whole Macs from recordings (see the comment at
// the top of each for what is real and what was written from
// documentation) and compares the Facts with the golden files. Run
// `go test ./collect -run TestMacOSGolden -update` to rewrite them, then
// read the diff.
func TestMacOSGolden(t *testing.T) {
	for _, name := range []string{"well-kept", "neglected", "non-admin"} {
		t.Run(name, func(t *testing.T) {
			f := collectReplay(t, "testdata/macos/"+name+".txtar", macosCollectors())
			for _, c := range f.Collection.Collectors {
				if c.Error != "" {
					t.Errorf("collector %s failed: %s", c.Name, c.Error)
				}
			}
			checkGolden(t, "testdata/macos/"+name+".facts.json", f)
		})
	}
}

// TestMacOSDegrades checks what the collectors say when a Mac withholds
// something: each case is a small recording and the reasons expected for
// the facts it hides.
func TestMacOSDegrades(t *testing.T) {
	tests := []struct {
		name      string
		recording string
		want      map[string]string // fact -> reason
		check     func(t *testing.T, f *handwash.Facts)
	}{
		{
			name: "login window, nobody signed in",
			recording: `-- elevated --
-- cmd: /usr/bin/stat -f %Su /dev/console --
root
`,
			want: map[string]string{"screen_lock": handwash.ReasonNotSupported, "content_protection": handwash.ReasonNotSupported},
		},
		{
			name: "tmutil without Full Disk Access",
			recording: `-- cmd: /usr/bin/tmutil destinationinfo -X --
-- stderr: /usr/bin/tmutil destinationinfo -X --
tmutil: destinationinfo requires Full Disk Access privileges.
To allow this operation to be performed, go to System Settings > Privacy & Security > Full Disk Access.
-- exit: /usr/bin/tmutil destinationinfo -X --
80
`,
			want: map[string]string{"backup": handwash.ReasonNeedsAdmin},
		},
		{
			name: "SYSTEM_VERSION_COMPAT hides the real version",
			recording: `-- env: SYSTEM_VERSION_COMPAT --
1
-- file: /System/Library/CoreServices/SystemVersion.plist --
<plist><dict><key>ProductVersion</key><string>10.16</string></dict></plist>
`,
			want: map[string]string{"os": handwash.ReasonError},
		},
		{
			name: "firewall from the MDM profile when socketfilterfw is gone",
			recording: `-- file: /Library/Managed Preferences/com.apple.security.firewall.plist --
<plist><dict><key>EnableFirewall</key><true/><key>BlockAllIncoming</key><true/></dict></plist>
`,
			want: map[string]string{"firewall.stealth": handwash.ReasonError},
			check: func(t *testing.T, f *handwash.Facts) {
				if f.Firewall == nil || *f.Firewall.Profiles[0].Enabled != true || f.Firewall.Profiles[0].DefaultInbound != "block" {
					t.Errorf("firewall = %+v, want enabled with inbound blocked, from the profile", f.Firewall)
				}
			},
		},
		{
			name:      "no tools at all",
			recording: "",
			want: map[string]string{
				"accounts": handwash.ReasonNotInstalled, "password_policy": handwash.ReasonNotInstalled,
				"encryption": handwash.ReasonNotInstalled, "network": handwash.ReasonNotInstalled,
				"backup": handwash.ReasonNotInstalled, "wifi": handwash.ReasonNotInstalled,
				"firewall": handwash.ReasonNotInstalled, "software": handwash.ReasonNotInstalled,
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, err := ParseReplay([]byte(tt.recording))
			if err != nil {
				t.Fatal(err)
			}
			f := Collect(context.Background(), Options{Host: h, Collectors: macosCollectors(), Now: fixedNow})
			for fact, reason := range tt.want {
				m, ok := f.MissingFor(fact)
				if !ok || m.Fact != fact || m.Reason != reason {
					t.Errorf("missing %s = %+v, %v; want reason %s", fact, m, ok, reason)
				}
			}
			if tt.check != nil {
				tt.check(t, f)
			}
		})
	}
}
