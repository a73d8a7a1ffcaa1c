package throttle

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
)

// clock is a fake clock that tests move by hand.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2026, 5, 1, 9, 0, 0, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// attempt is one failed sign-in as the dashboard makes it: Allow, then Fail.
func attempt(t *testing.T, l *Limiter, key string) (bool, time.Duration) {
	t.Helper()
	ok, wait := l.Allow(key)
	if ok {
		l.Fail(key)
	}
	return ok, wait
}

func mustAllow(t *testing.T, l *Limiter, key string, want bool, wantWait time.Duration) {
	t.Helper()
	ok, wait := attempt(t, l, key)
	if ok != want || wait != wantWait {
		t.Fatalf("Allow(%q) = %v, %v; want %v, %v", key, ok, wait, want, wantWait)
	}
}

func TestCyberEssentialsLimit(t *testing.T) {
	c := newClock()
	l := New(10, 5*time.Minute, c.Now)
	for i := range 10 {
		mustAllow(t, l, "alice", true, 0)
		if i < 9 {
			c.Advance(10 * time.Second)
		}
	}
	// Ten guesses in 90 seconds: the eleventh waits until the first is
	// five minutes old.
	mustAllow(t, l, "alice", false, 5*time.Minute-90*time.Second)
	c.Advance(5*time.Minute - 90*time.Second - time.Nanosecond)
	mustAllow(t, l, "alice", false, time.Nanosecond)
	c.Advance(time.Nanosecond)
	mustAllow(t, l, "alice", true, 0)
	// The window slides: the next guess waits for the second failure.
	mustAllow(t, l, "alice", false, 10*time.Second)
	// Other keys are not affected.
	mustAllow(t, l, "bob", true, 0)
}

// TestSlidingWindow checks that no window of the given length, starting
// anywhere, holds more than limit attempts.
func TestSlidingWindow(t *testing.T) {
	c := newClock()
	l := New(3, time.Minute, c.Now)
	var allowed []time.Time
	for range 200 {
		if ok, _ := attempt(t, l, "k"); ok {
			allowed = append(allowed, c.Now())
		}
		c.Advance(7 * time.Second)
	}
	for i := range allowed {
		n := 0
		for _, a := range allowed[i:] {
			if a.Sub(allowed[i]) < time.Minute {
				n++
			}
		}
		if n > 3 {
			t.Fatalf("%d attempts allowed in the minute from %s", n, allowed[i].Format(time.TimeOnly))
		}
	}
	// Tries 7 s apart: three are allowed, then the next at 63 s when the
	// first has left the window, and so on, three in every nine tries.
	if got, want := len(allowed), 3*(200/9)+2; got != want {
		t.Errorf("%d attempts allowed, want %d", got, want)
	}
}

func TestReset(t *testing.T) {
	c := newClock()
	l := New(2, time.Minute, c.Now)
	mustAllow(t, l, "a", true, 0)
	mustAllow(t, l, "a", true, 0)
	mustAllow(t, l, "a", false, time.Minute)
	l.Reset("a")
	mustAllow(t, l, "a", true, 0)
	if got := l.Len(); got != 1 {
		t.Errorf("Len = %d, want 1", got)
	}
	l.Reset("a")
	l.Reset("never seen")
	if got := l.Len(); got != 0 {
		t.Errorf("Len after Reset = %d, want 0", got)
	}
}

func TestCounting(t *testing.T) {
	c := newClock()
	l := New(3, time.Minute, c.Now)
	// Fail without Allow counts an attempt.
	l.Fail("a")
	l.Fail("a")
	mustAllow(t, l, "a", true, 0)
	mustAllow(t, l, "a", false, time.Minute)

	// Allow without Fail counts too: an attempt the caller abandoned.
	for range 3 {
		if ok, _ := l.Allow("b"); !ok {
			t.Fatal("Allow refused before the limit")
		}
	}
	if ok, _ := l.Allow("b"); ok {
		t.Error("Allow let a fourth attempt through")
	}
	// Fail after Allow does not count the attempt twice.
	for range 2 {
		l.Allow("c")
		l.Fail("c")
	}
	if ok, _ := l.Allow("c"); !ok {
		t.Error("two Allow+Fail pairs used up a limit of three")
	}
	// Fail while over the limit extends the wait (the caller ignored Allow).
	c.Advance(30 * time.Second)
	l.Fail("a")
	if _, wait := l.Allow("a"); wait != 30*time.Second {
		t.Errorf("wait = %v, want 30s (the second oldest attempt)", wait)
	}
	// A pending attempt that left the window cannot be confirmed later.
	l.Allow("d")
	c.Advance(2 * time.Minute)
	l.Fail("d")
	l.Fail("d")
	mustAllow(t, l, "d", true, 0)
	mustAllow(t, l, "d", false, time.Minute)
}

// TestConcurrentAttempts checks that attempts made at the same moment cannot
// get past the limit, however they interleave.
func TestConcurrentAttempts(t *testing.T) {
	c := newClock()
	l := New(10, 5*time.Minute, c.Now)
	var wg sync.WaitGroup
	var mu sync.Mutex
	allowed := map[string]int{}
	start := make(chan struct{})
	for g := range 50 {
		wg.Go(func() {
			<-start
			for i := range 20 {
				key := fmt.Sprint("user", (g+i)%4)
				ok, _ := l.Allow(key)
				if ok {
					mu.Lock()
					allowed[key]++
					mu.Unlock()
					l.Fail(key)
				}
				if i%5 == 0 {
					c.Advance(time.Millisecond)
				}
			}
		})
	}
	close(start)
	wg.Wait()
	for key, n := range allowed {
		if n != 10 {
			t.Errorf("%s: %d attempts allowed, want 10", key, n)
		}
	}
	if len(allowed) != 4 {
		t.Errorf("keys = %v, want user0 to user3", allowed)
	}
}

// TestSimultaneousAttempts checks the case a check-then-record limiter gets
// wrong: many requests pass Allow before any of them fails.
func TestSimultaneousAttempts(t *testing.T) {
	c := newClock()
	l := New(10, 5*time.Minute, c.Now)
	var checked, wg sync.WaitGroup
	results := make([]bool, 50)
	checked.Add(len(results))
	for i := range results {
		wg.Go(func() {
			results[i], _ = l.Allow("alice")
			checked.Done()
			checked.Wait() // every Allow happens before any Fail
			if results[i] {
				l.Fail("alice")
			}
		})
	}
	wg.Wait()
	got := 0
	for _, ok := range results {
		if ok {
			got++
		}
	}
	if got != 10 {
		t.Errorf("%d of 50 simultaneous attempts allowed, want 10", got)
	}
	mustAllow(t, l, "alice", false, 5*time.Minute)
}

// TestKeyCap checks what happens when an attacker sends from more addresses
// than the Limiter tracks: tracked keys keep their counts, and the keys that
// do not fit share one limit.
func TestKeyCap(t *testing.T) {
	c := newClock()
	l := New(10, 5*time.Minute, c.Now)
	l.maxKeys = 3
	for range 10 {
		mustAllow(t, l, "victim", true, 0)
	}
	mustAllow(t, l, "victim", false, 5*time.Minute)
	mustAllow(t, l, "a", true, 0)
	mustAllow(t, l, "b", true, 0)

	c.Advance(time.Minute)
	got := 0
	for i := range 1000 {
		if ok, _ := attempt(t, l, fmt.Sprint("203.0.113.", i)); ok {
			got++
		}
	}
	if got != 10 {
		t.Errorf("keys over the cap were allowed %d attempts together, want 10", got)
	}
	if n := l.Len(); n != 3 {
		t.Errorf("Len = %d, want 3 (the cap)", n)
	}
	mustAllow(t, l, "victim", false, 4*time.Minute)
	mustAllow(t, l, "a", true, 0)

	// Once tracked keys expire, sweeping makes room again.
	c.Advance(4 * time.Minute)
	mustAllow(t, l, "new", true, 0)
	if n := l.Len(); n != 2 {
		t.Errorf("Len = %d, want 2 (a and new)", n)
	}
	mustAllow(t, l, "victim", true, 0)
}

// TestSweepRate checks that a full map is walked at most sweepsPerWindow
// times a window, however fast new keys arrive, and still frees expired ones.
func TestSweepRate(t *testing.T) {
	c := newClock()
	l := New(1, time.Minute, c.Now)
	l.maxKeys = 100
	walks, allowed := 0, 0
	const windows = 3
	for i := range windows * 6000 {
		before := l.nextSweep
		if ok, _ := attempt(t, l, fmt.Sprint("k", i)); ok {
			allowed++
		}
		if l.nextSweep != before {
			walks++
		}
		c.Advance(10 * time.Millisecond) // a new key every 10 ms
	}
	if walks > windows*sweepsPerWindow+1 {
		t.Errorf("%d sweeps in %d windows, want at most %d", walks, windows, windows*sweepsPerWindow+1)
	}
	// Each key may try once. The map fills in a second, and is emptied
	// about a window later, so about 100 keys a window get their own
	// count, and the rest share one.
	if allowed < windows*l.maxKeys {
		t.Errorf("%d keys allowed an attempt in %d windows, want at least %d: expired keys were not freed", allowed, windows, windows*l.maxKeys)
	}
	c.Advance(2 * time.Minute)
	mustAllow(t, l, "later", true, 0)
	if _, tracked := l.keys["later"]; !tracked {
		t.Error("a new key after every key expired is not tracked")
	}
}

// TestSweepEmptiesMap checks that sweeping still works after a sweep that
// found every key expired.
func TestSweepEmptiesMap(t *testing.T) {
	c := newClock()
	l := New(1, time.Minute, c.Now)
	l.maxKeys = 2
	for round, keys := range [][]string{{"a", "b", "c"}, {"d", "e", "f"}, {"g", "h", "i"}} {
		for _, k := range keys {
			// The third key of a round finds the map full and uses the
			// overflow bucket, whose last attempt has left the window.
			if ok, _ := attempt(t, l, k); !ok {
				t.Fatalf("round %d: Allow(%q) refused", round, k)
			}
		}
		for i, k := range keys {
			if _, tracked := l.keys[k]; tracked != (i < 2) {
				t.Errorf("round %d: %q tracked = %v, want %v", round, k, tracked, i < 2)
			}
		}
		c.Advance(time.Minute)
	}
}

func TestLongKeys(t *testing.T) {
	c := newClock()
	l := New(1, time.Minute, c.Now)
	long := strings.Repeat("x", 1<<20)
	mustAllow(t, l, long+"a", true, 0)
	mustAllow(t, l, long+"a", false, time.Minute)
	mustAllow(t, l, long+"b", true, 0) // same long prefix, another key
	for k := range l.keys {
		if len(k) > maxKeyLen+1 {
			t.Errorf("a key of %d bytes is kept", len(k))
		}
	}
}

func TestNewPanics(t *testing.T) {
	for _, tc := range []struct {
		limit  int
		window time.Duration
	}{{0, time.Minute}, {-1, time.Minute}, {10, 0}, {10, -time.Second}} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("New(%d, %v) did not panic", tc.limit, tc.window)
				}
			}()
			New(tc.limit, tc.window, nil)
		}()
	}
	if l := New(1, time.Second, nil); l.now == nil {
		t.Error("New(nil clock) has no clock")
	}
}

func BenchmarkAllowFail(b *testing.B) {
	l := New(10, 5*time.Minute, nil)
	keys := make([]string, 1000)
	for i := range keys {
		keys[i] = fmt.Sprint("198.51.100.", i)
	}
	i := 0
	for b.Loop() {
		k := keys[i%len(keys)]
		if ok, _ := l.Allow(k); ok {
			l.Fail(k)
		}
		i++
	}
}

func BenchmarkAllowFailParallel(b *testing.B) {
	l := New(10, 5*time.Minute, nil)
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			k := fmt.Sprint("k", i%1000)
			if ok, _ := l.Allow(k); ok {
				l.Fail(k)
			}
			i++
		}
	})
}

// BenchmarkAllowAtCap measures new keys arriving while the map is full: the
// case an attacker spraying addresses creates.
func BenchmarkAllowAtCap(b *testing.B) {
	c := newClock()
	l := New(10, 5*time.Minute, c.Now)
	for i := range MaxKeys {
		l.Fail(fmt.Sprint("k", i))
	}
	i := 0
	for b.Loop() {
		l.Allow(fmt.Sprint("new", i))
		i++
		if i%100 == 0 {
			c.Advance(time.Second)
		}
	}
}

// Successful attempts do not count against the limit; failures around them
// still do.
func TestSucceed(t *testing.T) {
	c := newClock()
	l := New(3, time.Minute, c.Now)
	allow := func(want bool) {
		t.Helper()
		if ok, _ := l.Allow("office"); ok != want {
			t.Fatalf("Allow = %v, want %v", ok, want)
		}
	}
	for range 10 { // ten people sign in from one address
		allow(true)
		l.Succeed("office")
	}
	mustAllow(t, l, "office", true, 0) // a failure
	c.Advance(time.Second)
	allow(true)
	l.Succeed("office") // does not wipe the failure before it
	mustAllow(t, l, "office", true, 0)
	mustAllow(t, l, "office", true, 0)
	mustAllow(t, l, "office", false, time.Minute-time.Second)
	// Succeed without an attempt in flight takes nothing back.
	l.Succeed("office")
	mustAllow(t, l, "office", false, time.Minute-time.Second)
	l.Succeed("never seen")
	if got := l.Len(); got != 1 {
		t.Errorf("Len = %d, want 1", got)
	}
}
