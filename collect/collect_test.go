package collect

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/handwash/handwash"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata/")

// fixedNow is the clock of every golden collection.
func fixedNow() time.Time { return time.Date(2026, 11, 20, 9, 30, 0, 0, time.UTC) }

// collectReplay collects Facts from a recording with the given collectors
// and a fixed clock, as golden tests do.
func collectReplay(t *testing.T, recording string, cs []Collector) *handwash.Facts {
	t.Helper()
	h, err := LoadReplay(recording)
	if err != nil {
		t.Fatal(err)
	}
	return Collect(context.Background(), Options{Host: h, Collectors: cs, Version: "test", Now: fixedNow})
}

// checkGolden compares Facts with the golden file name.facts.json beside the
// recording, or rewrites it with -update.
func checkGolden(t *testing.T, golden string, f *handwash.Facts) {
	t.Helper()
	got, err := json.MarshalIndent(f, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, '\n')
	if *update {
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test ./collect -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s differs (-want +got):\n%s", filepath.Base(golden), diff)
	}
}

func TestCollectKeepsGoingWhenCollectorsFail(t *testing.T) {
	h, err := ParseReplay([]byte("-- hostname: pc-01 --\n"))
	if err != nil {
		t.Fatal(err)
	}
	cs := []Collector{
		{Name: "ok", Topics: []string{"os"}, Run: func(ctx context.Context, h Host, f *handwash.Facts) error {
			f.OS = &handwash.OSFacts{Name: "Test OS"}
			return nil
		}},
		{Name: "broken", Topics: []string{"firewall"}, Run: func(ctx context.Context, h Host, f *handwash.Facts) error {
			return errors.New("boom")
		}},
		{Name: "panics", Topics: []string{"smb"}, Run: func(ctx context.Context, h Host, f *handwash.Facts) error {
			var m map[string]int
			m["x"] = 1
			return nil
		}},
		{Name: "slow", Topics: []string{"wifi"}, Timeout: 50 * time.Millisecond, Run: func(ctx context.Context, h Host, f *handwash.Facts) error {
			<-ctx.Done()
			f.WiFi = &handwash.WiFiFacts{}
			return ctx.Err()
		}},
		{Name: "hostname", Run: collectHostname},
	}
	f := Collect(context.Background(), Options{Host: h, Collectors: cs, Now: fixedNow})
	if f.OS == nil || f.OS.Name != "Test OS" {
		t.Errorf("os = %+v, want the ok collector's result", f.OS)
	}
	if f.Device.Hostname != "pc-01" {
		t.Errorf("hostname = %q, want pc-01", f.Device.Hostname)
	}
	want := map[string]string{"firewall": handwash.ReasonError, "smb": handwash.ReasonError, "wifi": handwash.ReasonTimedOut}
	for fact, reason := range want {
		m, ok := f.MissingFor(fact)
		if !ok || m.Reason != reason {
			t.Errorf("missing %s = %+v, %v; want reason %s", fact, m, ok, reason)
		}
	}
	if f.WiFi != nil {
		t.Errorf("wifi = %+v, want nothing from a collector that timed out", f.WiFi)
	}
	errs := map[string]string{}
	for _, c := range f.Collection.Collectors {
		errs[c.Name] = c.Error
	}
	if errs["ok"] != "" || errs["broken"] != "boom" || errs["slow"] != "timed out" || errs["panics"] == "" {
		t.Errorf("collector errors = %v", errs)
	}
	// Topics no collector filled still carry a reason.
	if m, ok := f.MissingFor("backup"); !ok || m.Reason != handwash.ReasonNotSupported {
		t.Errorf("missing backup = %+v, %v; want not_supported", m, ok)
	}
}

func TestCollectAbandonsAStuckCollector(t *testing.T) {
	h, _ := ParseReplay(nil)
	release := make(chan struct{})
	defer close(release)
	cs := []Collector{{Name: "stuck", Topics: []string{"os"}, Timeout: 10 * time.Millisecond, Run: func(ctx context.Context, h Host, f *handwash.Facts) error {
		<-release // ignores its context
		return nil
	}}}
	// The collector ignores its deadline; Collect gives up on it after the
	// longest timeout plus a second and records it as timed out.
	f := Collect(context.Background(), Options{Host: h, Collectors: cs, Now: time.Now})
	if m, ok := f.MissingFor("os"); !ok || m.Reason != handwash.ReasonTimedOut {
		t.Errorf("missing os = %+v, %v; want timed_out", m, ok)
	}
}

func TestDeviceIDHidesTheMachineID(t *testing.T) {
	id := DeviceID("  0123456789ABCDEF0123456789abcdef\n")
	if id != DeviceID("0123456789abcdef0123456789abcdef") {
		t.Error("DeviceID depends on case or spaces")
	}
	if len(id) != 32 || id == "0123456789abcdef0123456789abcdef" {
		t.Errorf("DeviceID = %q", id)
	}
	if DeviceID("") != "" {
		t.Error("DeviceID of nothing should be empty")
	}
}
