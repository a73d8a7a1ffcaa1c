package judge_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/handwash/handwash"
	"github.com/handwash/handwash/judge"
	"github.com/handwash/handwash/policy"
	"github.com/handwash/handwash/sqlite"
	"github.com/handwash/handwash/storetest"
)

// BenchmarkJudge measures the judge on SQLite: each round marks 200
// devices with realistic Facts (1,500 installed packages each) for judging
// and waits until every one is judged, as after a catalogue change. It
// reports judgements per second; the work per device is reading and
// decoding its Facts, evaluating every control, and storing the
// assessment, its findings and scores.
func BenchmarkJudge(b *testing.B) {
	const devices = 200
	cat, err := policy.Default()
	if err != nil {
		b.Fatal(err)
	}
	store, err := sqlite.Open(filepath.Join(b.TempDir(), "handwash.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer store.Close()
	ctx := context.Background()
	base := storetest.RealisticFacts(b, "../collect/testdata/linux/debian12-container.facts.json", 1500, 1)
	variants := storetest.FactsVariants(b, base, 8, 1)
	for i, d := range storetest.BenchDevices(b, store, devices) {
		sn := &handwash.Snapshot{ID: fmt.Sprint("s", i), CollectedAt: time.Now(), Digest: fmt.Sprintf("sha256:%064x", i%len(variants))}
		if _, err := store.PutSnapshot(ctx, d, sn, variants[i%len(variants)]); err != nil {
			b.Fatal(err)
		}
	}
	j := judge.New(judge.Config{Poll: 10 * time.Millisecond, Rejudge: -1}, judge.Deps{Store: store, Catalogue: cat})
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { j.Run(runCtx); close(done) }()
	defer func() { cancel(); <-done }()
	wait := func() {
		for {
			n, err := store.PendingEvaluations(ctx)
			if err != nil {
				b.Fatal(err)
			}
			if n == 0 {
				return
			}
			time.Sleep(2 * time.Millisecond)
		}
	}
	wait()
	b.ResetTimer()
	start := time.Now()
	for b.Loop() {
		if _, err := store.MarkAllForEvaluation(ctx); err != nil {
			b.Fatal(err)
		}
		j.Wake()
		wait()
	}
	b.ReportMetric(float64(b.N*devices)/time.Since(start).Seconds(), "judgements/s")
}
