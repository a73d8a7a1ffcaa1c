package sqlstore

import (
	"context"
	"errors"
	"sync"

	"github.com/handwash/handwash"
)

// maxBatch bounds how many snapshots share one transaction, so that one
// commit stays short and a failing batch retries little.
const maxBatch = 64

// batcher stores concurrent snapshots in shared transactions ("group
// commit"). A SQLite database has one writer: each upload in a transaction
// of its own waits for every earlier commit and writes the same index and
// table pages to the write-ahead log again and again. The batcher's single
// goroutine takes every snapshot waiting when it is free and stores them
// in one transaction, each under a savepoint, so that one snapshot's
// failure rolls back only its own changes. Nobody waits for a batch to
// fill: a snapshot that arrives when the writer is idle is stored at once.
//
// A snapshot's caller is answered only after its batch has committed, so
// an acknowledged upload is as durable as one stored alone. When a batch
// cannot commit, each of its snapshots is stored again alone.
type batcher struct {
	s    *Store
	reqs chan *putRequest
	quit chan struct{}
	done chan struct{}
	stop sync.Once
}

type putRequest struct {
	ctx   context.Context
	d     *handwash.Device
	sn    *handwash.Snapshot
	facts []byte
	// answered when the snapshot is stored, or not.
	created bool
	err     error
	device  *handwash.Device
	answer  chan struct{}
}

func newBatcher(s *Store) *batcher {
	b := &batcher{s: s, reqs: make(chan *putRequest), quit: make(chan struct{}), done: make(chan struct{})}
	go b.run()
	return b
}

// put stores one snapshot as part of the next batch and waits for it.
func (b *batcher) put(ctx context.Context, d *handwash.Device, sn *handwash.Snapshot, facts []byte) (bool, error) {
	r := &putRequest{ctx: ctx, d: d, sn: sn, facts: facts, answer: make(chan struct{})}
	select {
	case b.reqs <- r:
	case <-b.quit:
		return false, handwash.Errorf(handwash.EINTERNAL, "the store is closed")
	case <-ctx.Done():
		return false, ctx.Err()
	}
	// Once handed over, the snapshot may be committed whatever happens to
	// ctx, so the answer is awaited: the caller must not report a failure
	// for a snapshot that was stored.
	<-r.answer
	if r.err != nil {
		return false, r.err
	}
	if r.created {
		*d = *r.device
	}
	return r.created, nil
}

// close stops the batcher after the batch in hand.
func (b *batcher) close() {
	b.stop.Do(func() { close(b.quit) })
	<-b.done
}

func (b *batcher) run() {
	defer close(b.done)
	batch := make([]*putRequest, 0, maxBatch)
	for {
		select {
		case r := <-b.reqs:
			batch = append(batch[:0], r)
		case <-b.quit:
			return
		}
	more:
		for len(batch) < maxBatch {
			select {
			case r := <-b.reqs:
				batch = append(batch, r)
			default:
				break more
			}
		}
		b.store(batch)
		clear(batch)
	}
}

// store stores a batch and answers each of its callers.
func (b *batcher) store(batch []*putRequest) {
	defer func() {
		for _, r := range batch {
			close(r.answer)
		}
	}()
	if len(batch) == 1 {
		r := batch[0]
		r.created, r.err = b.s.putSnapshotAlone(r.ctx, r.d, r.sn, r.facts)
		r.device = r.d
		return
	}
	if err := b.storeTogether(batch); err != nil {
		// Nothing of the batch was committed: store each alone, so that
		// one bad snapshot or a transient error fails only itself.
		for _, r := range batch {
			r.created, r.err = b.s.putSnapshotAlone(r.ctx, r.d, r.sn, r.facts)
			r.device = r.d
		}
	}
}

// storeTogether stores a batch in one transaction, each snapshot under a
// savepoint. Its callers' contexts are not used for the statements: one
// caller giving up must not interrupt the others' transaction.
func (b *batcher) storeTogether(batch []*putRequest) error {
	ctx := context.Background()
	update, insert, err := b.s.snapshotStatements(ctx)
	if err != nil {
		return err
	}
	tx, err := b.s.write.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	for _, r := range batch {
		r.created, r.err, r.device = false, nil, nil
		if _, err := tx.ExecContext(ctx, "SAVEPOINT put_snapshot"); err != nil {
			_ = tx.Rollback()
			return err
		}
		device, err := b.s.putSnapshot(context.WithoutCancel(r.ctx), tx, update, insert, r.d, r.sn, r.facts)
		if err != nil {
			if _, rerr := tx.ExecContext(ctx, "ROLLBACK TO SAVEPOINT put_snapshot"); rerr != nil {
				_ = tx.Rollback()
				return rerr
			}
		}
		if _, rerr := tx.ExecContext(ctx, "RELEASE SAVEPOINT put_snapshot"); rerr != nil {
			_ = tx.Rollback()
			return rerr
		}
		switch {
		case errors.Is(err, errRetry):
		case err != nil:
			r.err = b.s.dbErr("store snapshot", err)
		default:
			r.created, r.device = true, device
		}
	}
	return tx.Commit()
}
