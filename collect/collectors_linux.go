//go:build linux

package collect

// Collectors returns the collectors for this platform.
func Collectors() []Collector { return append(commonCollectors(), linuxCollectors()...) }
