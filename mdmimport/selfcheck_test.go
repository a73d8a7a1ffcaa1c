package mdmimport

import (
	"strings"
	"testing"

	"github.com/handwash/handwash"
)

func selfCheck(t *testing.T, form map[string]string) *handwash.MobileDevice {
	t.Helper()
	d, err := ParseSelfCheck(form, now)
	if err != nil {
		t.Fatal(err)
	}
	return &d
}

// User-Agent headers as real phones send them.
func TestDetectPhone(t *testing.T) {
	for _, c := range []struct {
		name  string
		ua    string
		hints ClientHints
		want  Detected
	}{
		{"iPhone Safari 17", "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1",
			ClientHints{}, Detected{OS: "ios", Version: "17.5.1"}},
		{"iPhone Safari 26, system version frozen at 18.6", "Mozilla/5.0 (iPhone; CPU iPhone OS 18_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/26.1 Mobile/15E148 Safari/604.1",
			ClientHints{}, Detected{OS: "ios", Version: "26.1"}},
		{"iPhone Chrome on 18.6 or later", "Mozilla/5.0 (iPhone; CPU iPhone OS 18_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/141.0.7390.41 Mobile/15E148 Safari/604.1",
			ClientHints{}, Detected{OS: "ios", Version: "18.6", Frozen: true}},
		{"iPad mini asking for the mobile site", "Mozilla/5.0 (iPad; CPU OS 16_7_10 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/16.6 Mobile/15E148 Safari/604.1",
			ClientHints{}, Detected{OS: "ipados", Version: "16.7.10"}},
		{"iPad as a Mac", "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
			ClientHints{}, Detected{OS: "ipados", Version: "18.1"}},
		{"Mac desktop", "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15",
			ClientHints{}, Detected{}},
		{"Chrome on Android, reduced", "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36",
			ClientHints{}, Detected{OS: "android", Frozen: true}},
		{"Chrome on Android with client hints", "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36",
			ClientHints{Platform: `"Android"`, PlatformVersion: `"15.0.0"`, Model: `"Pixel 8"`}, Detected{OS: "android", Version: "15", Model: "Pixel 8"}},
		{"Samsung Internet", "Mozilla/5.0 (Linux; Android 13; SM-S911B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/23.0 Chrome/115.0.0.0 Mobile Safari/537.36",
			ClientHints{}, Detected{OS: "android", Version: "13", Model: "SM-S911B"}},
		{"old Android with a build", "Mozilla/5.0 (Linux; Android 8.1.0; Nokia 3.1 Build/OPM1.171019.026) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/83.0.4103.106 Mobile Safari/537.36",
			ClientHints{}, Detected{OS: "android", Version: "8.1.0", Model: "Nokia 3.1"}},
		{"Firefox on Android", "Mozilla/5.0 (Android 14; Mobile; rv:133.0) Gecko/133.0 Firefox/133.0",
			ClientHints{}, Detected{OS: "android", Version: "14"}},
		{"Windows", "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0",
			ClientHints{Platform: `"Windows"`, PlatformVersion: `"15.0.0"`}, Detected{}},
		{"hints with rubbish", "", ClientHints{Platform: "Android", PlatformVersion: "fifteen", Model: "\x00\x01"}, Detected{OS: "android"}},
	} {
		if got := DetectPhone(c.ua, c.hints); got != c.want {
			t.Errorf("%s: %+v, want %+v", c.name, got, c.want)
		}
	}
}

func FuzzDetectPhone(f *testing.F) {
	f.Add("Mozilla/5.0 (iPhone; CPU iPhone OS 18_6 like Mac OS X) Version/26.1 Mobile/15E148", "", "", "")
	f.Add("Mozilla/5.0 (Linux; Android 10; K) Chrome/131.0.0.0 Mobile", `"Android"`, `"15.0.0"`, `"Pixel 8"`)
	f.Fuzz(func(t *testing.T, ua, platform, version, model string) {
		d := DetectPhone(ua, ClientHints{Platform: platform, PlatformVersion: version, Model: model})
		if d.OS != "" && d.OS != "ios" && d.OS != "ipados" && d.OS != "android" {
			t.Fatalf("OS %q", d.OS)
		}
		if d.Version != "" && !validVersion(d.Version) {
			t.Fatalf("version %q", d.Version)
		}
		if len(d.Model) > 80 {
			t.Fatalf("model of %d bytes", len(d.Model))
		}
		// What DetectPhone gives, ParseSelfCheck accepts.
		if d.OS != "" {
			if _, err := ParseSelfCheck(map[string]string{"owner": "Jo", "os": d.OS, "os_version": d.Version, "model": d.Model,
				"passcode": "yes", "managed": "yes", "auto_updates": "yes", "unknown_wifi": "no"}, now); err != nil {
				t.Fatalf("%+v: %v", d, err)
			}
		}
	})
}

func TestParseSelfCheck(t *testing.T) {
	ok := map[string]string{"owner": " Ann Lee ", "os": "ios", "os_version": "18.1", "passcode": "yes", "managed": "unsure", "auto_updates": "no", "unknown_wifi": "yes"}
	d, err := ParseSelfCheck(ok, now)
	if err != nil {
		t.Fatal(err)
	}
	if d.Source != handwash.MobileSelfCheck || d.Owner != "Ann Lee" || d.Model != "iOS device" || d.Managed != nil ||
		d.Passcode == nil || !*d.Passcode || d.Encrypted == nil || !*d.Encrypted || d.AutoUpdates == nil || *d.AutoUpdates ||
		d.UnknownWiFi == nil || !*d.UnknownWiFi || d.LastSeen == nil || !d.LastSeen.Equal(now) {
		t.Errorf("ParseSelfCheck = %+v", d)
	}
	android := map[string]string{"owner": "Bo", "os": "android", "passcode": "yes", "managed": "yes", "auto_updates": "yes", "unknown_wifi": "no"}
	if d, err := ParseSelfCheck(android, now); err != nil || d.Encrypted != nil {
		t.Errorf("Android: %+v, %v (encryption is not known from a passcode)", d, err)
	}
	for _, c := range []struct {
		change map[string]string
		field  string
	}{
		{map[string]string{"owner": ""}, "owner"},
		{map[string]string{"os": "windows"}, "os"},
		{map[string]string{"os_version": "eighteen"}, "os_version"},
		{map[string]string{"passcode": ""}, "passcode"},
		{map[string]string{"managed": "maybe"}, "managed"},
		{map[string]string{"auto_updates": ""}, "auto_updates"},
		{map[string]string{"unknown_wifi": "often"}, "unknown_wifi"},
		{map[string]string{"model": strings.Repeat("x", 201)}, "model"},
	} {
		form := map[string]string{}
		for k, v := range ok {
			form[k] = v
		}
		for k, v := range c.change {
			form[k] = v
		}
		_, err := ParseSelfCheck(form, now)
		if handwash.ErrorCode(err) != handwash.EINVALID || !strings.HasPrefix(handwash.ErrorMessage(err), c.field+":") {
			t.Errorf("%v: %v, want an error about %s", c.change, err, c.field)
		}
	}
}

// Each step says where to look on the person's kind of phone only.
func TestSelfCheckSteps(t *testing.T) {
	for _, os := range []string{"ios", "android", ""} {
		steps := SelfCheckSteps(os)
		if len(steps) != 4 {
			t.Fatalf("%s: %d steps", os, len(steps))
		}
		for _, s := range steps {
			if s.Question == "" || !strings.HasSuffix(s.Question, "?") || s.How == "" || s.Why == "" || s.Yes == "" || s.No == "" {
				t.Errorf("%s: incomplete step %+v", os, s)
			}
			hasApple, hasAndroid := strings.Contains(s.How, "iPhone and iPad:"), strings.Contains(s.How, "Android:")
			if (os == "ios" && (!hasApple || hasAndroid)) || (os == "android" && (hasApple || !hasAndroid)) || (os == "" && !(hasApple && hasAndroid)) {
				t.Errorf("%s: %s: instructions for the wrong phones: %s", os, s.Field, s.How)
			}
		}
	}
}
