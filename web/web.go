// Package web is Handwash's HTTP server: the JSON API under /api/v1 that
// agents upload Facts to and IT providers manage their organisations with,
// and the operations endpoints (/healthz, /readyz, /metrics).
//
// It follows Mat Ryer's "How I write HTTP services": NewServer returns one
// http.Handler, every route is in routes.go, and each handler is made by a
// handleX function from the few things it needs. Every handler turns the
// request's credential into a handwash.Principal and passes the principal's
// Scope to the store, so tenancy is enforced by the store's queries and not
// by each handler remembering to filter.
package web

import (
	"log/slog"
	"net/http"
	"runtime"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/handwash/handwash"
)

// Size limits of request bodies.
const (
	// MaxBodySize bounds every JSON request body other than snapshots.
	MaxBodySize = 64 << 10
	// MaxSnapshotCompressed bounds a gzip-compressed snapshot as sent.
	MaxSnapshotCompressed = 4 << 20
	// MaxSnapshotSize bounds a snapshot's Facts document once decompressed.
	MaxSnapshotSize = handwash.MaxFactsSize
)

// Config holds the server's settings: plain values, parsed by cmd/handwash.
type Config struct {
	// StaleAfter is how long a device may go unseen before it counts as
	// stale (default 7 days).
	StaleAfter time.Duration
	// MaxFuture and MaxAge bound a snapshot's collected_at around the
	// server's clock (defaults 24 hours and 30 days): a device with a wrong
	// clock, or an agent replaying a very old spool, is told so.
	MaxFuture, MaxAge time.Duration
	// UploadSlots bounds how many uploads are decompressed and validated
	// at once, which bounds the memory a burst of large uploads can take
	// (default 2 × GOMAXPROCS).
	UploadSlots int
	// ReleasesDir is the folder of signed release binaries offered to
	// agents (serve --releases; see releases.go); empty offers none.
	ReleasesDir string
}

func (c *Config) defaults() {
	if c.StaleAfter <= 0 {
		c.StaleAfter = 7 * 24 * time.Hour
	}
	if c.MaxFuture <= 0 {
		c.MaxFuture = 24 * time.Hour
	}
	if c.MaxAge <= 0 {
		c.MaxAge = 30 * 24 * time.Hour
	}
	if c.UploadSlots <= 0 {
		c.UploadSlots = 2 * runtime.GOMAXPROCS(0)
	}
}

// Controls looks controls up by ID; *policy.Catalogue is one.
type Controls interface {
	Control(id string) (*handwash.Control, bool)
}

// Deps are what the server works with.
type Deps struct {
	Store handwash.Store
	// Controls lets exceptions be checked against the running catalogue.
	Controls Controls
	// Logger receives one line per request and the causes of internal
	// errors; nil discards them. Credentials are never logged.
	Logger *slog.Logger
	// Metrics is where the server registers its metrics and what /metrics
	// serves; nil makes a registry of its own.
	Metrics *prometheus.Registry
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Stored, when set, is called after a snapshot with new Facts is
	// stored, so this process's evaluation workers start at once instead of
	// at their next poll.
	Stored func()
	// Uploaded, when set, is given the Facts of each snapshot with new
	// Facts, already decoded, just before they are stored, so this
	// process's judge need not read and decode them again. It must not
	// change them, and must not count on their being stored (the upload
	// may still fail, or be a retry).
	Uploaded func(deviceID, digest string, f *handwash.Facts)
	// Notified, when set, is called after a backup job's failure queued a
	// notice, so this process's notifier sends it at once.
	Notified func()
}

// server is what the handlers share.
type server struct {
	cfg      Config
	store    handwash.Store
	controls Controls
	log      *slog.Logger
	now      func() time.Time
	metrics  *metrics
	registry *prometheus.Registry
	stored   func()
	notified func()
	uploaded func(deviceID, digest string, f *handwash.Facts)
	auth     *authenticator
	releases *releases // nil without a releases folder
	// uploadSlots bounds concurrent decoding of uploads.
	uploadSlots chan struct{}
}

// NewServer returns the server's HTTP handler.
func NewServer(cfg Config, deps Deps) http.Handler {
	cfg.defaults()
	s := &server{
		cfg:         cfg,
		store:       deps.Store,
		controls:    deps.Controls,
		log:         deps.Logger,
		now:         deps.Now,
		registry:    deps.Metrics,
		stored:      deps.Stored,
		notified:    deps.Notified,
		uploaded:    deps.Uploaded,
		uploadSlots: make(chan struct{}, cfg.UploadSlots),
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.registry == nil {
		s.registry = prometheus.NewRegistry()
	}
	if s.stored == nil {
		s.stored = func() {}
	}
	if s.notified == nil {
		s.notified = func() {}
	}
	if s.uploaded == nil {
		s.uploaded = func(string, string, *handwash.Facts) {}
	}
	s.metrics = newMetrics(s.registry)
	s.auth = newAuthenticator(s.store, s.now, s.log)
	s.releases = newReleases(cfg.ReleasesDir, s.log)

	mux := http.NewServeMux()
	addRoutes(mux, s)
	var h http.Handler = mux
	// No browser session exists yet, but the dashboard will sign people in
	// with cookies; refusing cross-origin state changes now means no route
	// added later can forget to.
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeErr(w, r, handwash.Errorf(handwash.EFORBIDDEN, "a web page of another site may not change anything here"))
	}))
	h = cop.Handler(h)
	h = s.logRequests(mux, h)
	return h
}
