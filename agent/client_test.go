package agent

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/handwash/handwash"
	"github.com/handwash/handwash/agent/agenttest"
)

func TestParseFingerprint(t *testing.T) {
	want := strings.Repeat("ab", 31) + "0f"
	colons := strings.ToUpper(strings.Repeat("AB:", 31)) + "0F"
	for _, in := range []string{want, strings.ToUpper(want), colons, "sha256:" + want, "SHA256:" + colons, "SHA256 Fingerprint=" + colons, " " + colons + "\n"} {
		b, err := ParseFingerprint(in)
		if err != nil || hex.EncodeToString(b) != want {
			t.Errorf("ParseFingerprint(%q) = %x, %v", in, b, err)
		}
	}
	for _, in := range []string{"", "abcd", want + "00", strings.Repeat("zz", 32), "md5:" + want} {
		if _, err := ParseFingerprint(in); err == nil {
			t.Errorf("ParseFingerprint(%q) accepted", in)
		}
	}
	b, _ := ParseFingerprint(want)
	if got := FormatFingerprint(b); got != colons {
		t.Errorf("FormatFingerprint = %s", got)
	}
}

func fingerprintOf(srv *agenttest.Server) string {
	sum := sha256.Sum256(srv.Certificate().Raw)
	return FormatFingerprint(sum[:])
}

func TestPinnedCertificate(t *testing.T) {
	srv := agenttest.NewTLSServer()
	defer srv.Close()
	dev := handwash.DeviceInfo{Hostname: "PC", Platform: "linux"}
	enrol := func(fp string) (*Config, error) {
		return Enroll(t.Context(), EnrollOptions{Server: srv.URL, Token: srv.AddEnrollToken(1), Fingerprint: fp,
			ConfigPath: filepath.Join(testDir(t), "agent.json"), Device: dev})
	}

	t.Run("right pin", func(t *testing.T) {
		cfg, err := enrol(fingerprintOf(srv))
		if err != nil {
			t.Fatal(err)
		}
		want := strings.ToLower(strings.ReplaceAll(fingerprintOf(srv), ":", ""))
		if cfg.Fingerprint != want {
			t.Errorf("stored fingerprint %q, want %q", cfg.Fingerprint, want)
		}
		// The pin is used for uploads too.
		c, _ := NewClient(cfg.Server, cfg.Fingerprint, cfg.Credential, "test")
		if _, err := c.Device(t.Context()); err != nil {
			t.Errorf("Device with the right pin: %v", err)
		}
	})
	t.Run("wrong pin", func(t *testing.T) {
		before := len(srv.Requests())
		_, err := enrol(strings.Repeat("00", 32))
		var pe *PinError
		if !errors.As(err, &pe) || handwash.ErrorCode(err) != CodeUnavailable {
			t.Fatalf("err = %v (%T), want a PinError", err, err)
		}
		if !strings.Contains(err.Error(), "pinned") || !strings.Contains(err.Error(), fingerprintOf(srv)) {
			t.Errorf("message does not explain: %v", err)
		}
		if n := len(srv.Requests()) - before; n != 0 {
			t.Errorf("%d request(s) reached the server through a wrong pin", n)
		}
	})
	t.Run("no pin and a self-signed certificate", func(t *testing.T) {
		_, err := enrol("")
		if err == nil || handwash.ErrorCode(err) != CodeUnavailable || !strings.Contains(err.Error(), "--fingerprint") {
			t.Fatalf("err = %v, want refusal that suggests --fingerprint", err)
		}
	})
	t.Run("pin with plain http", func(t *testing.T) {
		plain := agenttest.NewServer()
		defer plain.Close()
		_, err := NewClient(plain.URL, fingerprintOf(srv), "", "test")
		if handwash.ErrorCode(err) != handwash.EINVALID {
			t.Errorf("err = %v", err)
		}
	})
}

func TestEnroll(t *testing.T) {
	srv := agenttest.NewServer()
	defer srv.Close()
	path := filepath.Join(testDir(t), "handwash", "agent.json")
	dev := handwash.DeviceInfo{Hostname: "RECEPTION-PC", Platform: "windows", ID: "0123456789abcdef0123456789abcdef"}

	t.Run("bad token", func(t *testing.T) {
		_, err := Enroll(t.Context(), EnrollOptions{Server: srv.URL, Token: "hwe_et_unknown_secret", ConfigPath: path, Device: dev})
		if handwash.ErrorCode(err) != handwash.EUNAUTHORIZED || !strings.Contains(err.Error(), "new one") {
			t.Fatalf("err = %v (code %s)", err, handwash.ErrorCode(err))
		}
		if _, err := os.Stat(path); !os.IsNotExist(err) {
			t.Error("a configuration was written after a refused token")
		}
	})
	t.Run("not a token", func(t *testing.T) {
		before := len(srv.Requests())
		_, err := Enroll(t.Context(), EnrollOptions{Server: srv.URL, Token: "hwt_tok_api_token", ConfigPath: path, Device: dev})
		if handwash.ErrorCode(err) != handwash.EINVALID || len(srv.Requests()) != before {
			t.Errorf("err = %v; requests %d → %d", err, before, len(srv.Requests()))
		}
	})
	t.Run("good token", func(t *testing.T) {
		tok := srv.AddEnrollToken(1)
		cfg, err := Enroll(t.Context(), EnrollOptions{Server: srv.URL, Token: tok, ConfigPath: path, Device: dev})
		if err != nil {
			t.Fatal(err)
		}
		ds := srv.Devices()
		if len(ds) != 1 || ds[0].ID != cfg.DeviceID || ds[0].Hostname != "RECEPTION-PC" || ds[0].Platform != "windows" {
			t.Errorf("server has %+v; config %+v", ds, cfg)
		}
		got, err := LoadConfig(path)
		if err != nil || got.Credential != cfg.Credential || got.Server != srv.URL {
			t.Errorf("stored %+v, %v", got, err)
		}
		// The token had one use.
		_, err = Enroll(t.Context(), EnrollOptions{Server: srv.URL, Token: tok, ConfigPath: path, Device: dev})
		if handwash.ErrorCode(err) != handwash.EUNAUTHORIZED {
			t.Errorf("second use: %v", err)
		}
	})
	t.Run("server unreachable", func(t *testing.T) {
		down := agenttest.NewServer()
		url := down.URL
		down.Close()
		_, err := Enroll(t.Context(), EnrollOptions{Server: url, Token: "hwe_et_x_y", ConfigPath: filepath.Join(testDir(t), "a.json"), Device: dev})
		if handwash.ErrorCode(err) != CodeUnavailable || !strings.Contains(err.Error(), "server is running") {
			t.Errorf("err = %v", err)
		}
	})
}

// Enrolment runs only the identifying collectors, so it takes a moment,
// not a full collection.
func TestDeviceIdentity(t *testing.T) {
	start := time.Now()
	d := DeviceIdentity(t.Context())
	if d.Hostname == "" || d.Platform == "" {
		t.Errorf("identity %+v", d)
	}
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("took %s", took)
	}
}
