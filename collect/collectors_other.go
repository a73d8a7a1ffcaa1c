//go:build !linux && !windows && !darwin

package collect

// Collectors returns the collectors for this platform. Handwash has none of
// its own for it yet: the Facts hold the device's identity, and every topic
// is recorded as not supported.
func Collectors() []Collector { return commonCollectors() }
