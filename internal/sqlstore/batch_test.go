package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"sync"
	"testing"
	"time"

	_ "modernc.org/sqlite"

	"github.com/handwash/handwash"
)

// openBatched opens a SQLite file with one write connection and group
// commit, as the sqlite package does, and a scratch table.
func openBatched(t *testing.T) *Store {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+filepath.Join(t.TempDir(), "b.db")+"?_pragma=journal_mode(WAL)&_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	db.SetMaxOpenConns(1)
	if _, err := db.Exec(`CREATE TABLE n (v INTEGER PRIMARY KEY)`); err != nil {
		t.Fatal(err)
	}
	s := New(db, nil, Dialect{Name: "sqlite", GroupCommit: true})
	t.Cleanup(func() { s.Close() })
	return s
}

func insert(v int) func(context.Context, *sql.Tx) error {
	return func(ctx context.Context, tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO n (v) VALUES ($1)`, v)
		return err
	}
}

func stored(t *testing.T, s *Store) map[int]bool {
	t.Helper()
	rows, err := s.write.Query(`SELECT v FROM n`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	got := map[int]bool{}
	for rows.Next() {
		var v int
		rows.Scan(&v)
		got[v] = true
	}
	return got
}

// writesBehind runs a slow write first, so that the writes given queue up
// behind it and share the next batch, and returns each one's error.
func writesBehind(t *testing.T, s *Store, fns []func(context.Context, *sql.Tx) error) []error {
	t.Helper()
	started := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		err := s.inWriteTx(context.Background(), func(ctx context.Context, tx *sql.Tx) error {
			select {
			case <-started:
			default:
				close(started)
			}
			time.Sleep(100 * time.Millisecond)
			return insert(-1)(ctx, tx)
		})
		if err != nil {
			t.Errorf("the slow write: %v", err)
		}
	})
	<-started
	errs := make([]error, len(fns))
	for i, fn := range fns {
		wg.Go(func() { errs[i] = s.inWriteTx(context.Background(), fn) })
	}
	wg.Wait()
	return errs
}

// A write that fails rolls back only itself; the others in its batch are
// stored, once each.
func TestBatchFailingWrite(t *testing.T) {
	s := openBatched(t)
	var fns []func(context.Context, *sql.Tx) error
	for v := range 10 {
		fns = append(fns, insert(v))
	}
	bad := errors.New("refused")
	fns = append(fns, func(ctx context.Context, tx *sql.Tx) error {
		if err := insert(100)(ctx, tx); err != nil {
			return err
		}
		return bad // after writing: the write must be undone
	}, insert(3)) // a duplicate key: refused by the database
	errs := writesBehind(t, s, fns)
	for v := range 10 {
		if errs[v] != nil && v != 3 {
			t.Errorf("write %d: %v", v, errs[v])
		}
	}
	if !errors.Is(errs[10], bad) {
		t.Errorf("failing write: %v, want %v", errs[10], bad)
	}
	// The two writes of 3 run in either order: exactly one is stored.
	if (errs[3] == nil) == (errs[11] == nil) {
		t.Errorf("two writes of the same key: %v and %v, want one stored and one refused", errs[3], errs[11])
	}
	got := stored(t, s)
	if got[100] {
		t.Error("the failing write's row was kept")
	}
	if len(got) != 11 { // -1 and 0..9
		t.Errorf("stored %v, want -1 and 0 to 9", got)
	}
}

// A write that breaks the shared transaction makes the batch fail to
// commit; every write is then tried alone, so only the breaker fails and
// the others are stored once.
func TestBatchCommitFails(t *testing.T) {
	s := openBatched(t)
	var fns []func(context.Context, *sql.Tx) error
	for v := range 10 {
		fns = append(fns, insert(v))
	}
	fns = append(fns, func(ctx context.Context, tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `ROLLBACK`) // ends the transaction under everyone
		return err
	})
	errs := writesBehind(t, s, fns)
	for v := range 10 {
		if errs[v] != nil {
			t.Errorf("write %d: %v", v, errs[v])
		}
	}
	if errs[10] == nil {
		t.Error("the write that broke its transaction did not fail")
	}
	got := stored(t, s)
	for v := range 10 {
		if !got[v] {
			t.Errorf("write %d was answered but not stored", v)
		}
	}
	if len(got) != 11 {
		t.Errorf("stored %v", got)
	}
}

// A closed store refuses writes instead of hanging.
func TestBatchClosed(t *testing.T) {
	s := openBatched(t)
	s.Close()
	err := s.inWriteTx(context.Background(), insert(1))
	if handwash.ErrorCode(err) != handwash.EINTERNAL {
		t.Fatalf("write to a closed store: %v, want an internal error", err)
	}
}
