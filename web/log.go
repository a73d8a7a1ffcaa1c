package web

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/handwash/handwash"
)

// requestInfo is what the handlers learn about a request that its log line
// reports: filled in as the request goes through the auth wrappers.
type requestInfo struct {
	id        string
	pattern   string
	principal *handwash.Principal
	errCode   string
	log       *slog.Logger
}

type requestInfoKey struct{}

func infoOf(ctx context.Context) *requestInfo {
	ri, _ := ctx.Value(requestInfoKey{}).(*requestInfo)
	return ri
}

func notePrincipal(ctx context.Context, p handwash.Principal) {
	if ri := infoOf(ctx); ri != nil {
		ri.principal = &p
	}
}

func noteError(ctx context.Context, code string) {
	if ri := infoOf(ctx); ri != nil {
		ri.errCode = code
	}
}

// loggerOf returns the server's logger, for functions that have only the
// request.
func loggerOf(ctx context.Context) *slog.Logger {
	if ri := infoOf(ctx); ri != nil && ri.log != nil {
		return ri.log
	}
	return slog.New(slog.DiscardHandler)
}

func requestID(ctx context.Context) string {
	if ri := infoOf(ctx); ri != nil {
		return ri.id
	}
	return ""
}

func patternOf(r *http.Request) string {
	if ri := infoOf(r.Context()); ri != nil {
		return ri.pattern
	}
	return r.Pattern
}

// statusRecorder remembers the status a handler answered with.
type statusRecorder struct {
	http.ResponseWriter
	status int
	bytes  int64
}

func (w *statusRecorder) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusRecorder) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += int64(n)
	return n, err
}

// Unwrap lets http.ResponseController reach the connection.
func (w *statusRecorder) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// logRequests writes one structured line per request: the route's pattern
// (not the path, which may carry IDs of no use in aggregate, and never the
// query), the status, the duration and who asked, by kind and ID. The
// Authorization header is never read here. It also turns a handler's panic
// into a 500 answer, and counts requests for /metrics.
func (s *server) logRequests(mux *http.ServeMux, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		_, pattern := mux.Handler(r)
		if pattern == "" {
			pattern = "unmatched"
		}
		ri := &requestInfo{id: handwash.NewID("req"), pattern: pattern, log: s.log}
		r = r.WithContext(context.WithValue(r.Context(), requestInfoKey{}, ri))
		w.Header().Set("Handwash-Request-Id", ri.id)
		rec := &statusRecorder{ResponseWriter: w}
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler { //nolint:errorlint // a sentinel compared as net/http does
					panic(v)
				}
				s.log.ErrorContext(r.Context(), "handler panic", "request_id", ri.id, "pattern", pattern, "panic", fmt.Sprint(v))
				if rec.status == 0 {
					writeErr(rec, r, &handwash.Error{Code: handwash.EINTERNAL, Err: errors.New("handler panic")})
				}
			}
			d := time.Since(start)
			if rec.status == 0 {
				rec.status = http.StatusOK
			}
			s.metrics.requests.WithLabelValues(pattern, strconv.Itoa(rec.status)).Inc()
			attrs := []slog.Attr{
				slog.String("request_id", ri.id),
				slog.String("method", r.Method),
				slog.String("pattern", pattern),
				slog.Int("status", rec.status),
				slog.Int64("bytes", rec.bytes),
				slog.Duration("duration", d),
			}
			if p := ri.principal; p != nil {
				attrs = append(attrs, slog.String("principal_kind", p.Kind), slog.String("principal_id", p.ID))
			}
			if ri.errCode != "" {
				attrs = append(attrs, slog.String("error_code", ri.errCode))
			}
			level := slog.LevelInfo
			if rec.status >= 500 {
				level = slog.LevelError
			}
			s.log.LogAttrs(r.Context(), level, "request", attrs...)
		}()
		next.ServeHTTP(rec, r)
	})
}
