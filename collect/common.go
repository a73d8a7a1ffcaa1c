package collect

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"strings"

	"github.com/handwash/handwash"
)

// commonCollectors are the collectors every platform runs.
func commonCollectors() []Collector {
	return []Collector{{Name: "hostname", Topics: nil, Run: collectHostname}}
}

func collectHostname(_ context.Context, h Host, f *handwash.Facts) error {
	name, err := h.Hostname()
	if err != nil {
		return err
	}
	f.Device.Hostname = name
	return nil
}

// DeviceID turns the OS's machine identifier into Handwash's device ID: an
// application-specific hash, so the raw identifier (which machine-id(5) asks
// not to expose) never leaves the machine.
func DeviceID(raw string) string {
	raw = strings.ToLower(strings.TrimSpace(raw))
	if raw == "" {
		return ""
	}
	m := hmac.New(sha256.New, []byte("handwash device id v1"))
	m.Write([]byte(raw))
	return hex.EncodeToString(m.Sum(nil))[:32]
}

// boolPtr returns a pointer to b, for optional facts.
func boolPtr(b bool) *bool { return &b }

// intPtr returns a pointer to n, for optional facts.
func intPtr(n int) *int { return &n }
