package handwash

import (
	"testing"
	"time"
)

// UK time is GMT in winter and BST in summer, from the built-in zone data.
func TestUKTime(t *testing.T) {
	for _, c := range []struct {
		at     time.Time
		name   string
		offset int
	}{
		{time.Date(2026, 1, 15, 12, 0, 0, 0, time.UTC), "GMT", 0},
		{time.Date(2026, 7, 15, 12, 0, 0, 0, time.UTC), "BST", 3600},
	} {
		if name, offset := c.at.In(UKTime).Zone(); name != c.name || offset != c.offset {
			t.Errorf("%s: %s %+d, want %s %+d", c.at.Format(time.DateOnly), name, offset, c.name, c.offset)
		}
	}
}
