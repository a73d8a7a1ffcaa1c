package judge

import (
	"fmt"
	"testing"

	"github.com/handwash/handwash"
)

// Offered Facts are kept for the newest offeredMax snapshots only, and each
// is taken once.
func TestOfferedKeepsTheNewest(t *testing.T) {
	var o offered
	facts := make([]*handwash.Facts, offeredMax+5)
	for i := range facts {
		facts[i] = &handwash.Facts{}
		o.put(fmt.Sprint("d", i), "sha256:x", facts[i])
	}
	o.put("d10", "sha256:x", &handwash.Facts{}) // offered twice: the first stays
	for i := range facts {
		got := o.take(fmt.Sprint("d", i), "sha256:x")
		switch {
		case i < 5 && got != nil:
			t.Errorf("d%d: the oldest offers should have been dropped", i)
		case i >= 5 && got != facts[i]:
			t.Errorf("d%d: got %p, want the Facts offered (%p)", i, got, facts[i])
		}
		if again := o.take(fmt.Sprint("d", i), "sha256:x"); again != nil {
			t.Errorf("d%d: taken twice", i)
		}
	}
	if o.take("d6", "sha256:other") != nil {
		t.Error("Facts of another digest were returned")
	}
	if len(o.order) != 0 || len(o.facts) != 0 {
		t.Errorf("after taking everything: %d in order, %d in the map", len(o.order), len(o.facts))
	}
}
