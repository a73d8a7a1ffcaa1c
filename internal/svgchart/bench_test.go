package svgchart

import (
	"math"
	"testing"
	"time"
)

// BenchmarkLineChart draws a year of daily scores for five series, about
// the most an organisation's dashboard page shows at once.
func BenchmarkLineChart(b *testing.B) {
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	series := make([]Series, 5)
	for i := range series {
		pts := make([]Point, 365)
		for j := range pts {
			pts[j] = Point{start.AddDate(0, 0, j), 50 + 40*math.Sin(float64(j+30*i)/20)}
		}
		series[i] = Series{Name: "Series", Points: pts}
	}
	c := LineChart{ID: "trend", Title: "Scores over the year", Series: series, Gap: 36 * time.Hour}
	b.ReportAllocs()
	for b.Loop() {
		_ = c.SVG()
		_ = c.Table().Hidden()
	}
}
