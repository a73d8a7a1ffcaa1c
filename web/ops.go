package web

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/handwash/handwash"
)

// handleHealthz answers while the process runs: for a supervisor deciding
// whether to restart it.
func handleHealthz() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
}

// pinger is a store that can say whether its database answers.
type pinger interface {
	Ping(ctx context.Context) error
}

// handleReadyz answers 200 when the database answers: for a load balancer
// deciding whether to send this process requests.
func handleReadyz(store handwash.Store, log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		var err error
		if p, ok := store.(pinger); ok {
			err = p.Ping(ctx)
		} else {
			// Any small read will do: a missing setting still means the
			// database answered.
			_, err = store.Setting(ctx, "catalogue_digest")
			if handwash.ErrorCode(err) == handwash.ENOTFOUND {
				err = nil
			}
		}
		if err != nil {
			log.WarnContext(r.Context(), "not ready: the database does not answer", "err", err)
			writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "the database does not answer"})
			return
		}
		writeJSON(w, http.StatusOK, map[string]string{"status": "ready"})
	})
}

// handleMetrics serves the registry in Prometheus's text format. The
// device counts in it are refreshed by the judge package in the
// background, so a scrape costs no query.
func handleMetrics(reg *prometheus.Registry) http.Handler {
	return promhttp.HandlerFor(reg, promhttp.HandlerOpts{})
}

// handleAPINotFound answers requests under /api/ that no route takes: 405
// when the path exists for another method, else 404, both in JSON.
func handleAPINotFound(routes handler) http.Handler {
	mux, _ := routes.(*http.ServeMux)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var allowed []string
		if mux != nil {
			for _, m := range []string{http.MethodGet, http.MethodPost, http.MethodPatch, http.MethodDelete} {
				probe := &http.Request{Method: m, URL: r.URL, Host: r.Host, Header: http.Header{}}
				if _, p := mux.Handler(probe); p != "" && p != "/api/" {
					allowed = append(allowed, m)
				}
			}
		}
		if len(allowed) > 0 {
			w.Header().Set("Allow", strings.Join(allowed, ", "))
			noteError(r.Context(), "method_not_allowed")
			writeJSON(w, http.StatusMethodNotAllowed, errorBody{Error: errorDetail{
				Code:    "method_not_allowed",
				Message: r.Method + " is not allowed here: use " + strings.Join(allowed, " or "),
			}})
			return
		}
		noteError(r.Context(), handwash.ENOTFOUND)
		writeJSON(w, http.StatusNotFound, errorBody{Error: errorDetail{
			Code:    handwash.ENOTFOUND,
			Message: "no such API endpoint: see docs/api.md for the endpoints",
		}})
	})
}
