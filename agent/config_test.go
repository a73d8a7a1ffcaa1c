package agent

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/handwash/handwash"
)

const testCredential = "hwd_dev_abcdefghijklmnop_abcdefghijklmnopqrstuvwxyz234567"

func testConfig() *Config {
	return &Config{
		Server: "https://handwash.example:8443", DeviceID: "dev_abcdefghijklmnop", Credential: testCredential,
		Interval: Duration(2 * time.Hour), OrgID: "org_x", EnrolledAt: time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC),
	}
}

func TestConfigRoundTripAndPermissions(t *testing.T) {
	path := filepath.Join(testDir(t), "etc", "handwash", "agent.json")
	c := testConfig()
	if err := c.Save(path); err != nil {
		t.Fatal(err)
	}
	got, err := LoadConfig(path)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, c) {
		t.Errorf("loaded %+v, saved %+v", got, c)
	}
	if got.EffectiveInterval() != 2*time.Hour {
		t.Errorf("interval %s", got.EffectiveInterval())
	}
	if runtime.GOOS != "windows" {
		for p, want := range map[string]os.FileMode{path: 0o600, filepath.Dir(path): 0o700} {
			fi, err := os.Stat(p)
			if err != nil {
				t.Fatal(err)
			}
			if fi.Mode().Perm() != want {
				t.Errorf("%s: mode %o, want %o", p, fi.Mode().Perm(), want)
			}
		}
	}
	// Saving again replaces the file whole, leaving no temporary file.
	c.DeviceID = "dev_other"
	if err := c.Save(path); err != nil {
		t.Fatal(err)
	}
	names, _ := readNames(filepath.Dir(path))
	if len(names) != 1 {
		t.Errorf("folder holds %v, want only agent.json", names)
	}
}

// The credential must not leak through any of the ways a value reaches a
// log or a message.
func TestCredentialNeverPrinted(t *testing.T) {
	c := testConfig()
	var lb logBuffer
	log := slog.New(slog.NewTextHandler(&lb, nil))
	log.Info("config", "config", c, "credential", c.Credential)
	slog.New(slog.NewJSONHandler(&lb, nil)).Info("config", "credential", c.Credential)
	for _, s := range []string{
		fmt.Sprint(c), fmt.Sprintf("%v %+v %#v %s %q", c, c, c, c.Credential, c.Credential), fmt.Sprintf("%#v", *c), lb.String(),
	} {
		if strings.Contains(s, "abcdefghijklmnopqrstuvwxyz234567") {
			t.Errorf("credential printed: %s", s)
		}
	}
	// The file holds it, of course.
	b, _ := json.Marshal(c)
	if !strings.Contains(string(b), testCredential) {
		t.Error("JSON lost the credential")
	}
}

func TestLoadConfigErrors(t *testing.T) {
	dir := testDir(t)
	_, err := LoadConfig(filepath.Join(dir, "missing.json"))
	if handwash.ErrorCode(err) != handwash.ENOTFOUND || !strings.Contains(err.Error(), "not enrolled") {
		t.Errorf("missing file: %v (%s)", err, handwash.ErrorCode(err))
	}
	for name, content := range map[string]string{
		"damaged":    `{"server": "https://x", "credential": "` + testCredential,
		"unknown":    `{"server": "https://x", "credential": "` + testCredential + `", "device_id": "d", "colour": "red"}`,
		"badcred":    `{"server": "https://x", "credential": "hwt_tok_secret_x", "device_id": "d"}`,
		"httpremote": `{"server": "http://example.com", "credential": "` + testCredential + `", "device_id": "d"}`,
		"interval":   `{"server": "https://x", "credential": "` + testCredential + `", "device_id": "d", "interval": "5s"}`,
	} {
		p := filepath.Join(dir, name+".json")
		os.WriteFile(p, []byte(content), 0o600)
		_, err := LoadConfig(p)
		if handwash.ErrorCode(err) != handwash.EINVALID {
			t.Errorf("%s: %v (code %s), want invalid", name, err, handwash.ErrorCode(err))
		}
		if err != nil && strings.Contains(err.Error(), "abcdefghijklmnopqrstuvwxyz234567") {
			t.Errorf("%s: error holds the credential: %v", name, err)
		}
	}
}

func TestRedactCredential(t *testing.T) {
	in := `bad header "Bearer hwd_dev_abc_s3cr3t" and hwe_et_x_y, not hwdx_1 or hw_d`
	want := `bad header "Bearer hwd_[redacted]" and hwe_[redacted], not hwdx_1 or hw_d`
	if got := RedactCredential(in); got != want {
		t.Errorf("RedactCredential:\n got %s\nwant %s", got, want)
	}
}

func TestParseServerURL(t *testing.T) {
	for raw, ok := range map[string]bool{
		"https://handwash.example:8443":    true,
		"https://handwash.example/hw/":     true,
		"http://127.0.0.1:8080":            true,
		"http://[::1]:8080":                true,
		"http://localhost:8080":            true,
		"HTTP://127.0.0.1":                 true,
		"http://handwash.example:8443":     false,
		"http://192.168.1.10":              false,
		"ftp://handwash.example":           false,
		"handwash.example:8443":            false,
		"https://user:pw@handwash.example": false,
		"https://handwash.example/?a=1":    false,
		"":                                 false,
	} {
		u, err := ParseServerURL(raw)
		if (err == nil) != ok {
			t.Errorf("ParseServerURL(%q) = %v, %v; want ok=%v", raw, u, err, ok)
		}
	}
	u, _ := ParseServerURL("https://handwash.example/hw/")
	if u.String() != "https://handwash.example/hw" {
		t.Errorf("trailing slash kept: %s", u)
	}
}

func TestDurationJSON(t *testing.T) {
	var c struct{ I Duration }
	for in, want := range map[string]time.Duration{`{"I":"4h"}`: 4 * time.Hour, `{"I":"90m"}`: 90 * time.Minute, `{"I":60000000000}`: time.Minute} {
		if err := json.Unmarshal([]byte(in), &c); err != nil || time.Duration(c.I) != want {
			t.Errorf("%s: %v, %v", in, time.Duration(c.I), err)
		}
	}
	if err := json.Unmarshal([]byte(`{"I":"soon"}`), &c); err == nil {
		t.Error("accepted soon")
	}
	b, _ := json.Marshal(Duration(4 * time.Hour))
	if string(b) != `"4h0m0s"` {
		t.Errorf("marshal: %s", b)
	}
}
