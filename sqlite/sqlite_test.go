package sqlite_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/handwash/handwash"
	"github.com/handwash/handwash/sqlite"
	"github.com/handwash/handwash/storetest"
)

func TestStore(t *testing.T) {
	storetest.Run(t, func(t *testing.T) handwash.Store {
		db, err := sqlite.Open(filepath.Join(t.TempDir(), "handwash.db"))
		if err != nil {
			t.Fatal(err)
		}
		return db
	})
}

// TestFactsCompacted checks that judged Facts are kept as deltas, which the
// conformance suite cannot see, and still read back whole.
func TestFactsCompacted(t *testing.T) {
	db, err := sqlite.Open(filepath.Join(t.TempDir(), "handwash.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	f := storetest.RealisticFacts(t, factsPath, 1500, 1)
	variants := storetest.FactsVariants(t, f, 10, 1)
	d := storetest.BenchDevices(t, db, 1)[0]
	ctx := context.Background()
	at := time.Now().Add(-time.Hour)
	for i, v := range variants {
		digest := fmt.Sprintf("sha256:%064x", i)
		at = at.Add(time.Minute)
		if _, err := db.PutSnapshot(ctx, d, &handwash.Snapshot{ID: digest, CollectedAt: at, Digest: digest}, v); err != nil {
			t.Fatal(err)
		}
		if err := db.PutAssessment(ctx, d.ID, digest, &handwash.Assessment{EvaluatedAt: at}); err != nil {
			t.Fatal(err)
		}
		if err := db.CompactFacts(ctx, d.ID); err != nil {
			t.Fatal(err)
		}
	}
	var whole, deltas, deltaBytes int
	err = db.WriteDB().QueryRow(`SELECT COUNT(*) FILTER (WHERE base IS NULL), COUNT(base), COALESCE(SUM(CASE WHEN base IS NULL THEN 0 ELSE length(data) END), 0) FROM facts`).Scan(&whole, &deltas, &deltaBytes)
	if err != nil {
		t.Fatal(err)
	}
	// The first is the keyframe, the newest stays whole, the rest are deltas.
	if whole != 2 || deltas != len(variants)-2 {
		t.Errorf("%d whole Facts and %d deltas, want 2 and %d", whole, deltas, len(variants)-2)
	}
	if avg := deltaBytes / max(deltas, 1); avg > len(variants[0])/10 {
		t.Errorf("deltas average %d bytes, over a tenth of the %d-byte Facts", avg, len(variants[0]))
	}
	for i, v := range variants {
		got, err := db.Facts(ctx, d.ID, fmt.Sprintf("sha256:%064x", i))
		if err != nil {
			t.Fatal(err)
		}
		if gunzip(t, got) != gunzip(t, v) {
			t.Errorf("Facts %d do not read back as sent", i)
		}
	}
}

func gunzip(t *testing.T, b []byte) string {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	out, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

// TestCheckpointedInBackground checks that what the writer commits reaches
// the database file while the write-ahead log is still far short of the
// 1,000 pages at which the writer would copy it back itself.
func TestCheckpointedInBackground(t *testing.T) {
	path := filepath.Join(t.TempDir(), "handwash.db")
	db, err := sqlite.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	w := db.WriteDB()
	if _, err := w.Exec(`CREATE TABLE scratch (b BLOB)`); err != nil {
		t.Fatal(err)
	}
	size := func() int64 {
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		return fi.Size()
	}
	before := size()
	const written = 1 << 20 // 256 pages of 4 KB
	for i := range written / (64 << 10) {
		if _, err := w.Exec(`INSERT INTO scratch (b) VALUES ($1)`, bytes.Repeat([]byte{byte(i)}, 64<<10)); err != nil {
			t.Fatal(err)
		}
	}
	deadline := time.Now().Add(10 * time.Second)
	for size()-before < written {
		if time.Now().After(deadline) {
			t.Fatalf("the database file grew by %d bytes in 10 s after %d were committed: the log was not checkpointed", size()-before, written)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
