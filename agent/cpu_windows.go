//go:build windows

package agent

import (
	"time"

	"golang.org/x/sys/windows"
)

// cpuTime is the processor time used so far by this process. Windows
// does not add the children's (PowerShell, for example) to it.
func cpuTime() time.Duration {
	var c, e, k, u windows.Filetime
	if windows.GetProcessTimes(windows.CurrentProcess(), &c, &e, &k, &u) != nil {
		return 0
	}
	// Filetimes count 100-nanosecond intervals.
	ticks := func(f windows.Filetime) int64 { return int64(f.HighDateTime)<<32 | int64(f.LowDateTime) }
	return time.Duration((ticks(k) + ticks(u)) * 100)
}
