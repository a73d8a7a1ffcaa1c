//go:build !race

package packaging

// raceDetector is whether the tests run with -race.
const raceDetector = false
