package agent

import (
	"fmt"
	"runtime"
	"time"
)

// SelfTestReport is what 'handwash agent selftest' prints as JSON: the
// running agent checks it before a new version replaces it (update.go).
type SelfTestReport struct {
	Version string `json:"version"`
	OS      string `json:"os"`
	Arch    string `json:"arch"`
}

// SelfTest checks that this program can take over as the agent: that it
// reads the agent's configuration, state and spool as the running agent
// left them. It changes nothing and reaches no server.
func SelfTest(configPath, version string) (*SelfTestReport, error) {
	if _, err := LoadConfig(configPath); err != nil {
		return nil, err
	}
	p := PathsFor(configPath)
	if _, err := LoadState(p.State); err != nil {
		return nil, fmt.Errorf("cannot read the agent's state %s: %w", p.State, err)
	}
	if _, err := SummarizeSpool(p.Spool); err != nil {
		return nil, fmt.Errorf("cannot read the agent's spool %s: %w", p.Spool, err)
	}
	return &SelfTestReport{Version: version, OS: runtime.GOOS, Arch: runtime.GOARCH}, nil
}

// DescribeUpdates is what status says about self-update, as label and
// text pairs; when writes a moment for people.
func DescribeUpdates(s UpdateState, when func(*time.Time) string) [][2]string {
	on, why := SelfUpdate()
	var out [][2]string
	if !on {
		out = append(out, [2]string{"Updates", why})
	} else {
		out = append(out, [2]string{"Updates", "automatic: " + why + "; last asked the server " + when(s.CheckedAt)})
	}
	if s.InstalledAt != nil {
		text := fmt.Sprintf("version %s installed %s, replacing %s", s.InstalledVersion, when(s.InstalledAt), s.InstalledFrom)
		if s.Previous != "" {
			text += " (kept as " + s.Previous + ")"
		}
		out = append(out, [2]string{"Last update", text})
	}
	if s.RefusedAt != nil {
		out = append(out, [2]string{"Update refused", fmt.Sprintf("%s: version %s: %s. This computer kept the version it had", when(s.RefusedAt), s.RefusedVersion, s.RefusedReason)})
	}
	if s.Error != "" {
		out = append(out, [2]string{"Update problem", s.Error})
	}
	return out
}
