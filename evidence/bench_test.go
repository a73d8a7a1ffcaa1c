package evidence

import (
	"io"
	"testing"
)

// The report of a large organisation: 500 devices, each with a finding for
// every control of the catalogue (58 today).
func benchReport(b *testing.B) *Report {
	b.Helper()
	r := large(b, 500)
	b.ReportMetric(float64(len(r.Findings)), "findings")
	return r
}

func BenchmarkBuild(b *testing.B) {
	r := benchReport(b)
	for b.Loop() {
		if _, err := Build(r); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkRenderHTML(b *testing.B) {
	r := benchReport(b)
	for b.Loop() {
		if err := RenderHTML(io.Discard, r); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkRenderPDF(b *testing.B) {
	r := benchReport(b)
	for b.Loop() {
		if err := RenderPDF(io.Discard, r); err != nil {
			b.Fatal(err)
		}
	}
}
