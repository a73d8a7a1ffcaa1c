package dashboard

import (
	"testing"
	"time"

	"github.com/handwash/handwash"
)

func TestTrend(t *testing.T) {
	day := func(d int) time.Time { return time.Date(2026, 11, d, 0, 0, 0, 0, time.UTC) }
	weekAgo := day(23)
	history := []handwash.OrgScorePoint{{Day: day(20), Value: 40}, {Day: day(23), Value: 50}, {Day: day(28), Value: 70}}
	for _, c := range []struct {
		name    string
		now     int
		history []handwash.OrgScorePoint
		want    string
	}{
		{"up", 62, history, "up 12"},
		{"down", 45, history, "down 5"},
		{"same", 50, history, "no change"},
		{"no score a week ago", 62, history[2:], ""},
		{"not assessed then", 62, []handwash.OrgScorePoint{{Day: day(22), Value: -1}}, ""},
		{"not assessed now", -1, history, ""},
	} {
		if got := trend(c.now, c.history, weekAgo); got != c.want {
			t.Errorf("%s: trend = %q, want %q", c.name, got, c.want)
		}
	}
}
