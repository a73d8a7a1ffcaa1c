package collect

import (
	"context"
	"encoding/json"
	"os"
	"runtime"
	"strings"
	"testing"

	"github.com/handwash/handwash"
)

// TestLinuxCollectsThisMachine runs every Linux collector on the machine
// the test runs on and checks what must hold anywhere.
func TestLinuxCollectsThisMachine(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("needs a Linux machine")
	}
	f := Collect(context.Background(), Options{Collectors: linuxCollectors()})
	if os.Getenv("HANDWASH_DUMP") != "" {
		b, _ := json.MarshalIndent(f, "", "  ")
		os.WriteFile(os.Getenv("HANDWASH_DUMP"), b, 0o644)
	}
	if f.Device.Platform != "linux" {
		t.Errorf("platform = %q, want linux", f.Device.Platform)
	}
	if f.OS == nil || f.OS.ID == "" || f.OS.Kernel == "" {
		t.Errorf("os = %+v, want the os-release ID and the kernel", f.OS)
	}
	if _, err := os.Stat("/var/lib/dpkg/status"); err == nil && (f.Software == nil || len(f.Software.Items) == 0) {
		t.Errorf("software = %+v, want the dpkg packages", f.Software)
	}
	for _, c := range f.Collection.Collectors {
		if c.Error != "" {
			t.Errorf("collector %s failed: %s", c.Name, c.Error)
		}
	}
	for _, m := range f.Collection.Missing {
		t.Logf("missing %s: %s (%s)", m.Fact, m.Reason, m.Detail)
		switch m.Reason {
		case handwash.ReasonError, handwash.ReasonTimedOut:
			t.Errorf("missing %s: %s (%s)", m.Fact, m.Reason, m.Detail)
		}
		if m.Reason == handwash.ReasonNeedsAdmin && f.Collection.Elevated {
			t.Errorf("missing %s needs admin, but the check ran as root", m.Fact)
		}
	}
	// Every topic left out says why.
	b, _ := json.Marshal(f)
	var top map[string]json.RawMessage
	json.Unmarshal(b, &top)
	for _, topic := range []string{"os", "updates", "firewall", "malware", "encryption", "screen_lock", "accounts", "password_policy", "remote_access", "smb", "network", "wifi", "removable_media", "app_control", "content_protection", "backup", "software"} {
		if _, ok := top[topic]; ok {
			continue
		}
		if _, ok := f.MissingFor(topic); !ok && !linuxMissingUnder(f, topic) {
			t.Errorf("topic %s is absent with no reason", topic)
		}
	}
	t.Logf("collected in %d ms as %s", f.Collection.DurationMS, map[bool]string{true: "root", false: "a user"}[f.Collection.Elevated])
}

func linuxMissingUnder(f *handwash.Facts, topic string) bool {
	for _, m := range f.Collection.Missing {
		if strings.HasPrefix(m.Fact, topic+".") {
			return true
		}
	}
	return false
}

// BenchmarkLinuxCollectThisMachine measures a whole collection of this
// machine with the Linux collectors.
func BenchmarkLinuxCollectThisMachine(b *testing.B) {
	if runtime.GOOS != "linux" {
		b.Skip("needs a Linux machine")
	}
	for b.Loop() {
		Collect(context.Background(), Options{Collectors: linuxCollectors()})
	}
}

// TestLinuxGolden collects whole Linux machines from recordings (the
// comment at the top of each says what is a real capture and what was
// written from documented formats) and compares the Facts with the golden
// files. Run `go test ./collect -run TestLinuxGolden -update` to rewrite
// them, then read the diff.
func TestLinuxGolden(t *testing.T) {
	for _, name := range []string{"well-kept", "neglected", "fedora-server", "debian12-container"} {
		t.Run(name, func(t *testing.T) {
			f := collectReplay(t, "testdata/linux/"+name+".txtar", linuxCollectors())
			for _, c := range f.Collection.Collectors {
				if c.Error != "" {
					t.Errorf("collector %s failed: %s", c.Name, c.Error)
				}
			}
			checkGolden(t, "testdata/linux/"+name+".facts.json", f)
		})
	}
}
