package collect

// linuxCollectors are the collectors of linux machines. They live in files
// without build tags so their tests run on every platform against recordings.
func linuxCollectors() []Collector { return nil }
