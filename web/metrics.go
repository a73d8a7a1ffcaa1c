package web

import (
	"github.com/prometheus/client_golang/prometheus"
)

// metrics are the server's own Prometheus metrics; the judge package adds
// evaluation and device counts to the same registry.
type metrics struct {
	requests       *prometheus.CounterVec
	uploads        *prometheus.CounterVec
	uploadDuration prometheus.Histogram
	uploadBytes    prometheus.Histogram
}

// Upload results, the values of handwash_uploads_total's result label.
const (
	uploadCreated      = "created"   // new Facts stored and queued for judging
	uploadUnchanged    = "unchanged" // same Facts as before: only "last seen" moved
	uploadShortcut     = "shortcut"  // unchanged, known from the digest header without reading the body
	uploadDuplicate    = "duplicate" // a retry of a snapshot already stored
	uploadInvalid      = "invalid"
	uploadConflict     = "conflict"
	uploadTooLarge     = "too_large"
	uploadUnauthorized = "unauthorized"
	uploadError        = "error"
)

func newMetrics(reg prometheus.Registerer) *metrics {
	m := &metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "handwash_http_requests_total",
			Help: "HTTP requests answered, by route pattern and status code.",
		}, []string{"pattern", "code"}),
		uploads: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "handwash_uploads_total",
			Help: "Snapshot uploads by result: created, unchanged, shortcut (unchanged, body not read), duplicate, invalid, conflict, too_large, unauthorized, error.",
		}, []string{"result"}),
		uploadDuration: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "handwash_upload_duration_seconds",
			Help:    "Time to answer a snapshot upload, from its headers to the answer.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}),
		uploadBytes: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "handwash_upload_facts_bytes",
			Help:    "Size of uploaded Facts documents once decompressed.",
			Buckets: prometheus.ExponentialBuckets(4<<10, 4, 7), // 4 KiB to 16 MiB
		}),
	}
	// Every result is shown from the start, so rates work before the first
	// failure.
	for _, r := range []string{uploadCreated, uploadUnchanged, uploadShortcut, uploadDuplicate, uploadInvalid, uploadConflict, uploadTooLarge, uploadUnauthorized, uploadError} {
		m.uploads.WithLabelValues(r)
	}
	reg.MustRegister(m.requests, m.uploads, m.uploadDuration, m.uploadBytes)
	return m
}
