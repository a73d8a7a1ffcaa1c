// Package throttle limits failed sign-in attempts: at most a set number in
// any sliding window of time, per key. Cyber Essentials asks for no more than
// 10 guesses in 5 minutes; the dashboard keeps one Limiter keyed by account
// and one keyed by client address, so that neither guessing many passwords
// for one account nor one password for many accounts gets past the limit.
//
// A Limiter lives in memory, in one process: a restart forgets it, and
// several server replicas each allow the limit. It holds a bounded number of
// keys so that an attacker sending from many addresses cannot use it to
// exhaust memory.
package throttle

import (
	"crypto/sha256"
	"sync"
	"time"
)

// MaxKeys is how many keys a Limiter tracks at once. At about 300 bytes a key
// with a limit of 10, that is some 30 MB at most.
const MaxKeys = 100_000

// maxKeyLen is the longest key kept as it is; longer ones (a username pasted
// with a megabyte of text, say) are kept as their SHA-256, so that the key
// bound also bounds memory.
const maxKeyLen = 64

// Limiter counts attempts per key in a sliding window. It is safe for
// concurrent use.
//
// When MaxKeys keys are tracked and none has expired, a new key is not
// tracked on its own: its attempts count in one overflow bucket shared by
// every key that did not fit, with the same limit. Keys already tracked keep
// their counts (none is evicted to make room, as that would let an attacker
// wipe a count by flooding), so the Limiter fails safe: no key gets more than
// the limit, and during such a flood new keys together get only the limit
// until tracked keys expire.
type Limiter struct {
	limit   int
	window  time.Duration
	now     func() time.Time
	maxKeys int
	// base is when the Limiter was made: times are kept as durations since
	// base, which use the monotonic clock and so ignore changes to the
	// wall clock.
	base time.Time

	mu       sync.Mutex
	keys     map[string]*entry
	overflow *entry
	// nextSweep is the earliest time at which sweeping could free a key.
	nextSweep time.Duration
}

// entry holds the times of the latest attempts for one key, at most limit
// of them, oldest first from head in a ring.
type entry struct {
	times []time.Duration
	head  int
	n     int
	// pending counts attempts that Allow let through and that have not yet
	// been followed by Fail, so Fail does not count them twice.
	pending int
}

// New returns a Limiter that allows at most limit attempts per key in any
// window, reading the time from now (time.Now if nil, a fake clock in
// tests). It panics if limit or window is not positive: that is a mistake in
// the calling code, not in anything a user did.
func New(limit int, window time.Duration, now func() time.Time) *Limiter {
	if limit < 1 || window <= 0 {
		panic("throttle: New needs a positive limit and window")
	}
	if now == nil {
		now = time.Now
	}
	return &Limiter{
		limit:   limit,
		window:  window,
		now:     now,
		maxKeys: MaxKeys,
		base:    now(),
		keys:    make(map[string]*entry),
	}
}

// Allow reports whether an attempt for key may go ahead; if not, retryAfter
// is how long until the oldest counted attempt leaves the window.
//
// An attempt it allows is counted at once, before the caller knows whether
// it succeeds: otherwise many requests sent at the same moment would all be
// allowed before any of their failures was recorded. So call Allow exactly
// once for each attempt, then Fail if it failed (which does not count it
// again), or Succeed or Reset if it succeeded. An attempt abandoned in
// between stays counted, which errs on the safe side.
func (l *Limiter) Allow(key string) (ok bool, retryAfter time.Duration) {
	key = shorten(key)
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.elapsed()
	e := l.entry(key, now)
	e.prune(now, l.window)
	if e.n >= l.limit {
		return false, e.oldest() + l.window - now
	}
	e.add(now)
	e.pending++
	return true, 0
}

// Fail records that an attempt for key failed. After Allow it confirms the
// attempt Allow counted; without one it counts a new attempt.
func (l *Limiter) Fail(key string) {
	key = shorten(key)
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.elapsed()
	e := l.entry(key, now)
	e.prune(now, l.window)
	if e.pending > 0 {
		e.pending--
		return
	}
	e.add(now)
}

// Succeed takes back the attempt Allow counted for key, because it
// succeeded, and keeps the failures: the limit is on guesses, so people who
// sign in from one address (a care home behind one router) do not use up
// each other's attempts, while a person who signs in does not wipe out the
// failures of someone guessing from the same address.
func (l *Limiter) Succeed(key string) {
	key = shorten(key)
	l.mu.Lock()
	defer l.mu.Unlock()
	e, ok := l.keys[key]
	if !ok {
		e = l.overflow
	}
	if e == nil {
		return
	}
	e.prune(l.elapsed(), l.window)
	if e.pending > 0 {
		// The newest attempt stands for this one: attempts in flight at
		// once are counted within moments of each other.
		e.pending--
		e.n--
	}
}

// Reset forgets the attempts for key, after a successful sign-in. A key that
// did not fit (see Limiter) is not tracked, and its attempts stay in the
// shared overflow bucket.
func (l *Limiter) Reset(key string) {
	key = shorten(key)
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.keys, key)
}

// Len returns how many keys are tracked.
func (l *Limiter) Len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.keys)
}

func (l *Limiter) elapsed() time.Duration { return l.now().Sub(l.base) }

// entry returns the entry for key, making one if there is room, or the
// overflow bucket if there is not. l.mu is held.
func (l *Limiter) entry(key string, now time.Duration) *entry {
	if e, ok := l.keys[key]; ok {
		return e
	}
	if len(l.keys) >= l.maxKeys {
		l.sweep(now)
	}
	if len(l.keys) >= l.maxKeys {
		if l.overflow == nil {
			l.overflow = l.newEntry()
		}
		return l.overflow
	}
	e := l.newEntry()
	l.keys[key] = e
	return e
}

func (l *Limiter) newEntry() *entry {
	return &entry{times: make([]time.Duration, l.limit)}
}

// sweepsPerWindow bounds how often sweep walks the keys.
const sweepsPerWindow = 20

// sweep deletes the keys whose every attempt has left the window. It walks
// every key, so it runs only when the map is full, and then only once a key
// can have expired and at most sweepsPerWindow times a window: a flood of
// new keys at the cap costs a few walks per window, not one per request.
// Between walks, new keys go to the overflow bucket. l.mu is held.
func (l *Limiter) sweep(now time.Duration) {
	if now < l.nextSweep {
		return
	}
	// Keys added after this walk expire later than any it sees, so the
	// earliest expiry it finds is the next time a walk can free a key;
	// with no key left, any time will do.
	next, kept := time.Duration(1<<63-1), false
	for k, e := range l.keys {
		expires := e.newest() + l.window
		if expires <= now {
			delete(l.keys, k)
			continue
		}
		next, kept = min(next, expires), true
	}
	if !kept {
		next = now
	}
	l.nextSweep = max(next, now+l.window/sweepsPerWindow)
}

// prune drops attempts older than the window. A pending attempt that has
// left the window cannot be confirmed by Fail any more.
func (e *entry) prune(now, window time.Duration) {
	for e.n > 0 && e.times[e.head] <= now-window {
		e.head = (e.head + 1) % len(e.times)
		e.n--
	}
	e.pending = min(e.pending, e.n)
}

// add records an attempt at now, dropping the oldest if the ring is full (an
// attempt counted while over the limit extends the wait).
func (e *entry) add(now time.Duration) {
	if e.n == len(e.times) {
		e.head = (e.head + 1) % len(e.times)
		e.n--
	}
	e.times[(e.head+e.n)%len(e.times)] = now
	e.n++
}

func (e *entry) oldest() time.Duration { return e.times[e.head] }

// newest returns the time of the latest attempt; an entry with none is
// treated as long expired.
func (e *entry) newest() time.Duration {
	if e.n == 0 {
		return -1 << 62
	}
	return e.times[(e.head+e.n-1)%len(e.times)]
}

func shorten(key string) string {
	if len(key) <= maxKeyLen {
		return key
	}
	sum := sha256.Sum256([]byte(key))
	// The NUL byte keeps these apart from most short keys; a short key that
	// equals one only shares its count, which limits more, never less.
	return "\x00" + string(sum[:])
}
