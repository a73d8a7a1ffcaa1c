package collect

import (
	"strings"
	"testing"
	"time"

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

// slowWMI answers WMI late, as Windows does after boot or with a
// rebuilding repository, and as Wine did before RpcSs ran.
type slowWMI struct {
	winSource
	delay time.Duration
}

func (s slowWMI) WMI(namespace, query string, dst any) error {
	time.Sleep(s.delay)
	return s.winSource.WMI(namespace, query, dst)
}

// TestSlowWMIKeepsOtherFacts checks that a collector gives up on WMI before
// its own deadline: it must still report what it read from the registry,
// and only the facts that needed WMI are missing, as timed out. (Under
// Wine every WMI call once took 10 s, and the OS, firewall, SMB and remote
// access topics were lost whole.)
func TestSlowWMIKeepsOtherFacts(t *testing.T) {
	cs := windowsCollectorsFrom(func(h Host) (winSource, error) {
		src, err := replayWinSource(h)
		return slowWMI{src, 3 * time.Second}, err
	})
	for i := range cs {
		cs[i].Timeout = wmiMargin + 250*time.Millisecond
	}
	start := time.Now()
	f := collectReplay(t, "testdata/windows/neglected.txtar", cs)
	if took := time.Since(start); took > 2*time.Second {
		t.Errorf("Collect took %v: it waited for WMI", took)
	}
	for _, c := range f.Collection.Collectors {
		if c.Error == errTimedOut || c.Error == "did not finish in time" {
			t.Errorf("collector %s overran its timeout", c.Name)
		}
	}
	if f.OS == nil || f.OS.Build == "" {
		t.Errorf("os = %+v, want the build from the registry", f.OS)
	}
	if f.Firewall == nil || len(f.Firewall.Profiles) != 3 {
		t.Errorf("firewall = %+v, want the three profiles from the registry", f.Firewall)
	}
	if f.RemoteAccess == nil || f.RemoteAccess.RDP == nil || f.SMB == nil || f.SMB.V1Server == nil {
		t.Errorf("remote access %+v, smb %+v: want the registry's answers", f.RemoteAccess, f.SMB)
	}
	for _, fact := range []string{"os.extended_support", "remote_access.ssh", "smb.server_enabled"} {
		if m, ok := f.MissingFor(fact); !ok || m.Reason != handwash.ReasonTimedOut {
			t.Errorf("missing %s = %+v, want timed out", fact, m)
		}
	}
}
