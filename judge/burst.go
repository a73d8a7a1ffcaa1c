package judge

import (
	"context"
	"sync"
	"time"
)

// Uploads come first. When a fleet reports after an outage, or every agent
// is restarted at once, uploads with new Facts arrive far faster than
// devices can be judged (an upload costs the server about a millisecond
// and a half, a judgement two to four). Judging at full speed then would
// halve the uploads the server can take, and agents would wait and retry.
// Instead, while a burst lasts the judge takes one device at a time and
// rests three times as long as it took, so it uses at most a quarter of
// one CPU and still makes progress; when the burst ends it judges the rest
// at full speed. Nothing is lost by waiting: each device's newest Facts are
// judged, and a device that uploaded several times meanwhile is judged
// once.
const (
	// burstUploads uploads with new Facts within burstWindow make a
	// burst: a fleet of 10,000 devices reporting every 4 hours sends one
	// a second.
	burstUploads = 100
	burstWindow  = time.Second
	// burstRest is how long the judge rests after each judgement during a
	// burst, as a multiple of the time it took.
	burstRest = 3
)

// burst keeps the times of the newest uploads with new Facts.
type burst struct {
	mu    sync.Mutex
	times [burstUploads]time.Time
	next  int // the oldest, overwritten next
}

func (b *burst) add(t time.Time) {
	b.mu.Lock()
	b.times[b.next] = t
	b.next = (b.next + 1) % len(b.times)
	b.mu.Unlock()
}

// on reports whether the last burstUploads uploads all came within
// burstWindow of now.
func (b *burst) on(now time.Time) bool {
	b.mu.Lock()
	oldest := b.times[b.next]
	b.mu.Unlock()
	return !oldest.IsZero() && now.Sub(oldest) < burstWindow
}

// judgeDuringBurst claims one device and judges it, then rests (see
// burstRest). It reports false when no device was waiting.
func (j *Judge) judgeDuringBurst(ctx context.Context) bool {
	devices, err := j.store.ClaimEvaluations(ctx, j.cfg.Holder, 1, j.now(), j.cfg.Lease)
	if err != nil && ctx.Err() == nil {
		j.log.ErrorContext(ctx, "could not claim devices to judge", "err", err)
	}
	if len(devices) == 0 {
		return false
	}
	j.metrics.claimed.Inc()
	j.metrics.paced.Inc()
	start := time.Now()
	j.evaluate(ctx, devices[0])
	select {
	case <-ctx.Done():
	case <-time.After(burstRest * time.Since(start)):
	}
	return true
}
