package collect

// macosCollectors are the collectors of macos machines. They live in files
// without build tags so their tests run on every platform against recordings.
func macosCollectors() []Collector { return nil }
