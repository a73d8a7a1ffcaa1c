package policy

import (
	"testing"
)

// BenchmarkLoadCatalogue parses and compiles the built-in catalogue, which
// every `handwash check` does once.
func BenchmarkLoadCatalogue(b *testing.B) {
	for b.Loop() {
		if _, err := Load(controlsFS); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkEvaluate judges the Facts recorded on a real Debian 12 machine
// (about 750 packages) against the whole catalogue.
func BenchmarkEvaluate(b *testing.B) {
	c, err := Default()
	if err != nil {
		b.Fatal(err)
	}
	t := &testing.T{}
	f := decode(t, "../collect/testdata/linux/debian12-container.facts.json")
	if t.Failed() {
		b.Fatal("cannot read the recorded Facts")
	}
	for b.Loop() {
		c.Evaluate(f, Options{Now: goldenNow})
	}
}
