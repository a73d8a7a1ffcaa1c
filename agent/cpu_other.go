//go:build !unix && !windows

package agent

import "time"

// cpuTime is unknown on this platform.
func cpuTime() time.Duration { return 0 }
