package collect

// windowsCollectors are the collectors of windows machines. They live in files
// without build tags so their tests run on every platform against recordings.
func windowsCollectors() []Collector { return nil }
