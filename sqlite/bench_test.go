package sqlite_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/handwash/handwash"
	"github.com/handwash/handwash/sqlite"
	"github.com/handwash/handwash/storetest"
)

// factsPath is a real Facts document that the benchmarks fill up to a
// realistic 1,500 packages.
const factsPath = "../collect/testdata/linux/debian12-container.facts.json"

func openBench(tb testing.TB) *sqlite.DB {
	db, err := sqlite.Open(filepath.Join(tb.TempDir(), "handwash.db"))
	if err != nil {
		tb.Fatal(err)
	}
	return db
}

func BenchmarkPutSnapshot(b *testing.B) {
	f := storetest.RealisticFacts(b, factsPath, 1500, 1)
	variants := storetest.FactsVariants(b, f, 32, 1)
	b.Logf("Facts with 1,500 packages: %d bytes gzip-compressed", len(variants[0]))
	storetest.BenchmarkPutSnapshot(b, func(tb testing.TB) handwash.Store { return openBench(tb) }, variants)
}

// BenchmarkStorage measures how the database file grows per snapshot, for
// devices uploading realistic Facts: unchanged ones (most uploads) and
// ones whose packages changed since the previous upload. It runs one
// round whatever b.N is, and reports bytes per snapshot and per device per
// year at the agent's default schedule (every 4 hours), with the Facts
// changing once a day and at every upload.
func BenchmarkStorage(b *testing.B) {
	const devices, rounds = 40, 26
	f := storetest.RealisticFacts(b, factsPath, 1500, 1)
	variants := storetest.FactsVariants(b, f, rounds+1, 2)
	digests := make([]string, len(variants))
	for i := range digests {
		digests[i] = fmt.Sprintf("sha256:%064x", i)
	}
	assessment := benchAssessment()
	for range b.N {
		db := openBench(b)
		ds := storetest.BenchDevices(b, db, devices)
		ctx := context.Background()
		at := time.Now().Add(-24 * time.Hour)
		// Each new digest is judged, as on the server, which adds a score
		// history entry; then the Facts before it are compacted, as the judge
		// does between bursts.
		put := func(d *handwash.Device, id string, v int, facts []byte) {
			at = at.Add(time.Millisecond)
			sn := &handwash.Snapshot{ID: id, CollectedAt: at, Digest: digests[v], Size: len(facts)}
			if _, err := db.PutSnapshot(ctx, d, sn, facts); err != nil {
				b.Fatal(err)
			}
			if facts != nil {
				if err := db.PutAssessment(ctx, d.ID, digests[v], assessment); err != nil {
					b.Fatal(err)
				}
				if err := db.CompactFacts(ctx, d.ID); err != nil {
					b.Fatal(err)
				}
			}
		}
		size := func() int64 {
			if _, err := db.WriteDB().Exec(`PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
				b.Fatal(err)
			}
			fi, err := os.Stat(db.Path())
			if err != nil {
				b.Fatal(err)
			}
			return fi.Size()
		}
		for _, d := range ds {
			put(d, "first", 0, variants[0])
		}
		s0 := size()
		for r := range rounds {
			for _, d := range ds {
				put(d, fmt.Sprintf("same-%d", r), 0, nil)
			}
		}
		s1 := size()
		// Two changes first: each device then has its keyframe and its
		// newest Facts whole, a fixed cost; after that a change adds a
		// delta, a score history entry and a snapshot row.
		var s2 int64
		for r := 1; r <= rounds; r++ {
			if r == 3 {
				s2 = size()
			}
			for _, d := range ds {
				put(d, fmt.Sprintf("new-%d", r), r, variants[r])
			}
		}
		s3 := size()
		if os.Getenv("HANDWASH_BENCH_DBSTAT") != "" {
			rows, err := db.WriteDB().Query(`SELECT name, SUM(pgsize) FROM dbstat GROUP BY name ORDER BY 2 DESC`)
			if err != nil {
				b.Fatal(err)
			}
			for rows.Next() {
				var name string
				var n int64
				rows.Scan(&name, &n)
				b.Logf("%-24s %d bytes", name, n)
			}
			rows.Close()
			var deltas, deltaBytes, wholes, wholeBytes, free int64
			db.WriteDB().QueryRow(`SELECT COUNT(base), COALESCE(SUM(CASE WHEN base IS NULL THEN 0 ELSE length(data) END), 0),
				COUNT(*) - COUNT(base), COALESCE(SUM(CASE WHEN base IS NULL THEN length(data) ELSE 0 END), 0) FROM facts`).Scan(&deltas, &deltaBytes, &wholes, &wholeBytes)
			db.WriteDB().QueryRow(`PRAGMA freelist_count`).Scan(&free)
			b.Logf("%d deltas of %d bytes, %d whole Facts of %d bytes, %d free pages", deltas, deltaBytes, wholes, wholeBytes, free)
		}
		db.Close()
		same := float64(s1-s0) / (devices * rounds)
		changed := float64(s3-s2) / (devices * (rounds - 2))
		b.ReportMetric(float64(s2)/devices, "bytes/device-fixed")
		b.ReportMetric(float64(len(variants[0])), "gzip-facts-bytes")
		b.ReportMetric(same, "bytes/unchanged")
		b.ReportMetric(changed, "bytes/changed")
		b.ReportMetric((365*changed+5*365*same)/1e6, "MB/device-year-daily-change")
		b.ReportMetric(6*365*changed/1e6, "MB/device-year-every-upload-changed")
		b.ReportMetric(6*365*same/1e6, "MB/device-year-unchanged")
	}
}

// benchAssessment is an assessment of a typical size: 60 findings with
// evidence, scored in every area.
func benchAssessment() *handwash.Assessment {
	a := &handwash.Assessment{Schema: handwash.AssessmentSchema, CatalogueVersion: "bench", EvaluatedAt: time.Now()}
	for i := range 60 {
		area := handwash.Areas[i%6]
		a.Findings = append(a.Findings, handwash.Finding{ControlID: fmt.Sprintf("%s-%02d", area, i), Area: area, Severity: handwash.SeverityHigh,
			Title: "A control of " + string(area), Status: handwash.StatusPass, Summary: "What was found, in one plain sentence.",
			Evidence: []handwash.Evidence{{Label: "observed", Value: "a value from the Facts"}}})
	}
	for _, area := range handwash.Areas {
		a.Areas = append(a.Areas, handwash.AreaScore{Area: area, Title: area.Title(), Score: handwash.Score{Value: 100, Earned: 60, Max: 60, Pass: 10, Assessed: true}})
	}
	a.Overall = handwash.Score{Value: 100, Earned: 360, Max: 360, Pass: 60, Assessed: true}
	return a
}
