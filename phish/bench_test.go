package phish

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func readFixture(rel string) ([]byte, error) {
	return os.ReadFile(filepath.Join(corpusDir, filepath.FromSlash(rel)))
}

// BenchmarkAnalyse analyses every message in the shared email fixtures,
// with DNS off, and reports messages per second. The budget is 1,000 per
// second per core:
//
//	go test -run '^$' -bench . -benchtime 3s -cpu 1 ./phish
func BenchmarkAnalyse(b *testing.B) {
	msgs := allMessages(b)
	total := 0
	for _, m := range msgs {
		total += len(m)
	}
	ctx := context.Background()
	b.SetBytes(int64(total))
	b.ReportAllocs()
	start := time.Now()
	n := 0
	for b.Loop() {
		for _, m := range msgs {
			if _, err := Analyse(ctx, m, Options{}); err != nil {
				b.Fatal(err)
			}
			n++
		}
	}
	b.ReportMetric(float64(n)/time.Since(start).Seconds(), "msgs/s")
	b.ReportMetric(float64(len(msgs)), "msgs/op")
}

// BenchmarkAnalyseLarge times the largest fixture, to show the cost grows
// with size rather than faster.
func BenchmarkAnalyseLarge(b *testing.B) {
	raw, err := readFixture("spamassassin/spam/extracttext/gtube_png.eml")
	if err != nil {
		b.Skipf("fixture missing: %v", err)
	}
	b.SetBytes(int64(len(raw)))
	for b.Loop() {
		if _, err := Analyse(context.Background(), raw, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkHostileInputs times each message built to make the checks slow
// (hostileInputs): each should take time in proportion to its 2 MB.
func BenchmarkHostileInputs(b *testing.B) {
	for name, raw := range hostileInputs() {
		b.Run(strings.ReplaceAll(name, " ", "-"), func(b *testing.B) {
			b.SetBytes(int64(len(raw)))
			for b.Loop() {
				if _, err := Analyse(context.Background(), []byte(raw), Options{}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
