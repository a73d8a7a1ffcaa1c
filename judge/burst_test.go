package judge

import (
	"testing"
	"time"
)

func TestBurstNeedsEnoughUploadsInTheWindow(t *testing.T) {
	var b burst
	t0 := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
	if b.on(t0) {
		t.Fatal("no uploads make a burst")
	}
	for i := range burstUploads - 1 {
		b.add(t0.Add(time.Duration(i) * time.Millisecond))
	}
	if b.on(t0.Add(100 * time.Millisecond)) {
		t.Fatalf("%d uploads in a second make a burst; want %d", burstUploads-1, burstUploads)
	}
	b.add(t0.Add(100 * time.Millisecond))
	if !b.on(t0.Add(200 * time.Millisecond)) {
		t.Fatalf("%d uploads in 0.1 s are not a burst", burstUploads)
	}
	if b.on(t0.Add(burstWindow)) {
		t.Fatal("still a burst a second after it began, with no more uploads")
	}
	// A steady trickle, one every 20 ms, is fifty a second: no burst.
	var c burst
	for i := range 3 * burstUploads {
		at := t0.Add(time.Duration(i) * 20 * time.Millisecond)
		c.add(at)
		if c.on(at) {
			t.Fatalf("upload %d: fifty a second taken for a burst", i)
		}
	}
}
