package sqlstore

import (
	"context"
	"database/sql"
	"sync"

	"github.com/handwash/handwash"
)

// maxBatch bounds how many writes share one transaction, so that one
// commit stays short and a failing batch retries little.
const maxBatch = 64

// batcher runs concurrent writes in shared transactions ("group commit").
// A SQLite database has one writer: each upload or assessment in a
// transaction of its own waits for every earlier commit and writes the same
// index and table pages to the write-ahead log again and again. The
// batcher's single goroutine takes every write waiting when it is free and
// runs them in one transaction, each under a savepoint, so that one write's
// failure rolls back only its own changes. Nobody waits for a batch to
// fill: a write that arrives when the writer is idle runs at once.
//
// A caller is answered only after its batch has committed, so an
// acknowledged write is as durable as one committed alone. When a batch
// cannot commit, each of its writes runs again alone.
type batcher struct {
	s    *Store
	jobs chan *writeJob
	quit chan struct{}
	done chan struct{}
	stop sync.Once
}

// writeJob is one caller's write. fn may run more than once (alone, after
// its batch failed to commit), so it must set its results afresh each time.
type writeJob struct {
	ctx    context.Context
	fn     func(ctx context.Context, tx *sql.Tx) error
	err    error
	answer chan struct{}
}

func newBatcher(s *Store) *batcher {
	b := &batcher{s: s, jobs: make(chan *writeJob), quit: make(chan struct{}), done: make(chan struct{})}
	go b.run()
	return b
}

// do runs fn as part of the next batch and waits until it is committed or
// has failed.
func (b *batcher) do(ctx context.Context, fn func(ctx context.Context, tx *sql.Tx) error) error {
	j := &writeJob{ctx: ctx, fn: fn, answer: make(chan struct{})}
	select {
	case b.jobs <- j:
	case <-b.quit:
		return handwash.Errorf(handwash.EINTERNAL, "the store is closed")
	case <-ctx.Done():
		return ctx.Err()
	}
	// Once handed over, the write may be committed whatever happens to
	// ctx, so the answer is awaited: the caller must not report a failure
	// for a write that was made.
	<-j.answer
	return j.err
}

// close stops the batcher after the batch in hand.
func (b *batcher) close() {
	b.stop.Do(func() { close(b.quit) })
	<-b.done
}

func (b *batcher) run() {
	defer close(b.done)
	batch := make([]*writeJob, 0, maxBatch)
	for {
		select {
		case j := <-b.jobs:
			batch = append(batch[:0], j)
		case <-b.quit:
			return
		}
	more:
		for len(batch) < maxBatch {
			select {
			case j := <-b.jobs:
				batch = append(batch, j)
			default:
				break more
			}
		}
		b.write(batch)
		clear(batch)
	}
}

// write runs a batch and answers each of its callers.
func (b *batcher) write(batch []*writeJob) {
	defer func() {
		for _, j := range batch {
			close(j.answer)
		}
	}()
	if len(batch) > 1 && b.together(batch) == nil {
		return
	}
	// One write, or a batch of which nothing was committed: each alone,
	// so that one bad write or a transient error fails only itself.
	for _, j := range batch {
		j.err = b.s.inTx(j.ctx, func(tx *sql.Tx) error { return j.fn(j.ctx, tx) })
	}
}

// together runs a batch in one transaction, each write under a savepoint.
// The callers' contexts are not used to cancel statements: one caller
// giving up must not interrupt the others' transaction.
func (b *batcher) together(batch []*writeJob) error {
	ctx := context.Background()
	// The savepoint statements run three times a write: prepared once,
	// before the transaction takes the connection.
	var sp [3]*sql.Stmt
	for i, q := range []string{"SAVEPOINT batched_write", "ROLLBACK TO SAVEPOINT batched_write", "RELEASE SAVEPOINT batched_write"} {
		st, err := b.s.prepared(ctx, q)
		if err != nil {
			return err
		}
		sp[i] = st
	}
	tx, err := b.s.write.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	savepoint, rollback, release := tx.StmtContext(ctx, sp[0]), tx.StmtContext(ctx, sp[1]), tx.StmtContext(ctx, sp[2])
	for _, j := range batch {
		if _, err := savepoint.ExecContext(ctx); err != nil {
			_ = tx.Rollback()
			return err
		}
		j.err = j.fn(context.WithoutCancel(j.ctx), tx)
		if j.err != nil {
			if _, err := rollback.ExecContext(ctx); err != nil {
				_ = tx.Rollback()
				return err
			}
		}
		if _, err := release.ExecContext(ctx); err != nil {
			_ = tx.Rollback()
			return err
		}
	}
	return tx.Commit()
}
