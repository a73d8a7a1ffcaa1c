package judge

import "github.com/prometheus/client_golang/prometheus"

type metrics struct {
	evaluations *prometheus.CounterVec
	duration    prometheus.Histogram
	claimed     prometheus.Counter
	offered     prometheus.Counter
	paced       prometheus.Counter
	compactions prometheus.Counter
	inProgress  prometheus.Gauge
	queue       prometheus.Gauge
	devices     *prometheus.GaugeVec
}

func newMetrics(reg prometheus.Registerer, countsQueue bool) *metrics {
	m := &metrics{
		evaluations: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "handwash_evaluations_total",
			Help: "Devices judged by this process, by result (ok or error).",
		}, []string{"result"}),
		duration: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "handwash_evaluation_duration_seconds",
			Help:    "Time to judge one device: read its Facts and exceptions, evaluate, store the assessment.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5},
		}),
		claimed: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "handwash_evaluation_claims_total",
			Help: "Devices this process claimed for judging.",
		}),
		offered: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "handwash_evaluations_offered_facts_total",
			Help: "Devices judged from the Facts their upload had just decoded, without reading them from the store.",
		}),
		paced: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "handwash_evaluations_paced_total",
			Help: "Devices judged one at a time, using at most a quarter of one CPU, while a burst of uploads came first.",
		}),
		compactions: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "handwash_facts_compactions_total",
			Help: "Devices whose older Facts this process compacted into deltas, between bursts of judging.",
		}),
		inProgress: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "handwash_evaluations_in_progress",
			Help: "Devices being judged by this process now.",
		}),
		queue: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "handwash_evaluation_queue",
			Help: "Devices waiting to be judged, across all processes (when the store can count them).",
		}),
		devices: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "handwash_devices",
			Help: "Enrolled devices in every organisation, by state: total, active, and stale (not seen for --stale-after).",
		}, []string{"state"}),
	}
	m.evaluations.WithLabelValues("ok")
	m.evaluations.WithLabelValues("error")
	reg.MustRegister(m.evaluations, m.duration, m.claimed, m.offered, m.paced, m.compactions, m.inProgress, m.devices)
	if countsQueue {
		// Shown only when it can be known: a gauge stuck at zero would
		// say the queue is empty.
		reg.MustRegister(m.queue)
	}
	return m
}
