package main

import (
	"os"
	"testing"
)

// The built-in support dates are exactly what the generator makes from the
// endoflife.date product files they came from.
func TestLifecycleJSONIsGenerated(t *testing.T) {
	dir := "../../../../shared/fixtures/eol/products"
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("endoflife.date product files not found at %s: %v", dir, err)
	}
	got, err := Generate(dir)
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile("../../lifecycle.json")
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != string(want) {
		t.Error("policy/lifecycle.json differs from what the generator makes: run go generate ./policy")
	}
}
