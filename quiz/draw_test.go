package quiz

import (
	"fmt"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func ids(items []Item) []string {
	out := make([]string, len(items))
	for i, it := range items {
		out[i] = it.ID
	}
	return out
}

// fakeItems makes p phishing and g genuine items.
func fakeItems(p, g int) []Item {
	var out []Item
	for i := range p {
		out = append(out, Item{ID: fmt.Sprintf("p%d", i), Answer: Phishing})
	}
	for i := range g {
		out = append(out, Item{ID: fmt.Sprintf("g%d", i), Answer: Genuine})
	}
	return out
}

func count(items []Item, answer string) int {
	n := 0
	for _, it := range items {
		if it.Answer == answer {
			n++
		}
	}
	return n
}

func TestDrawBalance(t *testing.T) {
	pools := map[string][]Item{
		"the quiz":         items(t),
		"mostly phishing":  fakeItems(20, 3),
		"mostly genuine":   fakeItems(3, 20),
		"evenly split":     fakeItems(10, 10),
		"exactly enough":   fakeItems(7, 3),
		"large and skewed": fakeItems(40, 5),
	}
	for name, pool := range pools {
		t.Run(name, func(t *testing.T) {
			seen := map[string]bool{}
			for seed := range uint64(500) {
				drawn := Draw(pool, seed)
				if len(drawn) != Questions {
					t.Fatalf("seed %d: drew %d items, want %d", seed, len(drawn), Questions)
				}
				if p, g := count(drawn, Phishing), count(drawn, Genuine); p < 3 || g < 3 {
					t.Fatalf("seed %d: %d phishing and %d genuine, want at least 3 of each", seed, p, g)
				}
				got := ids(drawn)
				slices.Sort(got)
				if len(slices.Compact(got)) != Questions {
					t.Fatalf("seed %d: an item was drawn twice: %v", seed, ids(drawn))
				}
				for _, id := range got {
					seen[id] = true
				}
			}
			if len(seen) != len(pool) {
				t.Errorf("500 draws used %d of the %d items", len(seen), len(pool))
			}
		})
	}
}

func TestDrawDeterministic(t *testing.T) {
	pool := items(t)
	before := ids(pool)
	if diff := cmp.Diff(ids(Draw(pool, 42)), ids(Draw(pool, 42))); diff != "" {
		t.Errorf("the same seed drew different items:\n%s", diff)
	}
	if diff := cmp.Diff(before, ids(pool)); diff != "" {
		t.Errorf("Draw changed its input:\n%s", diff)
	}
	// Pinned, so that a change to how items are drawn, which would show
	// a different set of questions for a seed already handed out, is
	// noticed.
	want := []string{"p2", "g1", "p0", "g5", "p5", "p1", "g3", "g4", "g2", "p6"}
	if diff := cmp.Diff(want, ids(Draw(fakeItems(8, 6), 7))); diff != "" {
		t.Errorf("seed 7 drew a different set (-want +got):\n%s", diff)
	}
	distinct := map[string]bool{}
	for seed := range uint64(20) {
		distinct[fmt.Sprint(ids(Draw(pool, seed)))] = true
	}
	if len(distinct) < 15 {
		t.Errorf("20 seeds gave only %d different draws", len(distinct))
	}
}

func TestDrawFewItems(t *testing.T) {
	tests := []struct {
		name       string
		pool       []Item
		want, p, g int
	}{
		{"fewer than Questions", fakeItems(4, 2), 6, 4, 2},
		{"two genuine only", fakeItems(20, 2), Questions, 8, 2},
		{"no genuine", fakeItems(12, 0), Questions, 10, 0},
		{"none", nil, 0, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			drawn := Draw(tt.pool, 1)
			if len(drawn) != tt.want || count(drawn, Phishing) != tt.p || count(drawn, Genuine) != tt.g {
				t.Errorf("drew %d (%d phishing, %d genuine), want %d (%d, %d)", len(drawn), count(drawn, Phishing), count(drawn, Genuine), tt.want, tt.p, tt.g)
			}
		})
	}
}
