package collect

import (
	"strings"
	"testing"

	"github.com/handwash/handwash"
)

// windowsReplayCollectors are the Windows collectors over a recording,
// with the hostname collector every platform runs.
func windowsReplayCollectors() []Collector {
	return append(commonCollectors(), windowsCollectorsFrom(replayWinSource)...)
}

// TestWindowsGolden collects whole recorded machines and compares the Facts
// with golden files (go test ./collect -run TestWindowsGolden -update).
func TestWindowsGolden(t *testing.T) {
	for _, name := range []string{"well-kept", "neglected", "non-admin"} {
		t.Run(name, func(t *testing.T) {
			f := collectReplay(t, "testdata/windows/"+name+".txtar", windowsReplayCollectors())
			for _, c := range f.Collection.Collectors {
				if c.Error != "" {
					t.Errorf("collector %s failed: %s", c.Name, c.Error)
				}
			}
			for _, m := range f.Collection.Missing {
				if strings.Contains(m.Detail, "no recording") {
					t.Errorf("the recording lacks an answer: %s: %s", m.Fact, m.Detail)
				}
				if handwash.ReasonText(m.Reason) == m.Reason {
					t.Errorf("missing %s has an unknown reason %q", m.Fact, m.Reason)
				}
			}
			if f.Device.Platform != "windows" {
				t.Errorf("platform = %q, want windows", f.Device.Platform)
			}
			checkGolden(t, "testdata/windows/"+name+".facts.json", f)
		})
	}
}
