package main

import (
	"context"
	"io"
	"strings"
	"testing"
)

// BenchmarkCheckThisMachine runs a whole `handwash check --format json` on
// this machine in process: collect, judge and render.
func BenchmarkCheckThisMachine(b *testing.B) {
	for b.Loop() {
		if code := run(context.Background(), []string{"check", "--format", "json"}, strings.NewReader(""), io.Discard, io.Discard); code != exitOK {
			b.Fatalf("exit %d", code)
		}
	}
}
