package web

import (
	"net"
	"net/http"

	"github.com/handwash/handwash"
)

// audited records a change made through the API in the audit log, once it
// has succeeded: who (the API token), what (action, and the ID in the
// path), when and from where. It goes inside s.token, which names the
// principal.
func (s *server) audited(action string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(sw, r)
		if sw.status < 200 || sw.status > 299 {
			return
		}
		p := principalOf(r)
		target := ""
		for _, name := range []string{"id", "device", "org"} {
			if v := r.PathValue(name); v != "" {
				target = v
				break
			}
		}
		orgID := p.OrgID
		if o := r.PathValue("org"); o != "" {
			orgID = o
		}
		host, _, err := net.SplitHostPort(r.RemoteAddr)
		if err != nil {
			host = r.RemoteAddr
		}
		e := &handwash.AuditEntry{
			ProviderID: p.ProviderID, OrgID: orgID, At: s.now(),
			ActorID: p.ID, ActorName: "API token " + p.ID, Action: action, Target: target,
			Detail: r.Method + " " + r.URL.Path + " through the API", Address: host,
		}
		if err := s.store.AddAudit(r.Context(), e); err != nil {
			s.log.ErrorContext(r.Context(), "could not write the audit log", "action", action, "err", err)
		}
	})
}

// statusWriter remembers the status a handler answered with.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	w.status = code
	w.ResponseWriter.WriteHeader(code)
}

// Unwrap lets http.ResponseController reach the writer underneath.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
