package vuln

// DecodeAdvisory is decodeAdvisory, for the tests beside the benchmarks,
// which use the generated Debian set of package osvtest (which imports
// this package, so these tests cannot).
var DecodeAdvisory = decodeAdvisory

// EachRecord is eachRecord, for the same tests.
var EachRecord = eachRecord
