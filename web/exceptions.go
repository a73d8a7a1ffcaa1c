package web

import (
	"net/http"

	"github.com/handwash/handwash"
)

type exceptionRequest struct {
	OrgID    string `json:"org_id"`
	DeviceID string `json:"device_id"`
	Control  string `json:"control"`
	Reason   string `json:"reason"`
	Owner    string `json:"owner"`
	// Expires is a date, as in handwash.yaml; the exception stops
	// applying at its start (midnight UTC).
	Expires string `json:"expires"`
}

func handleExceptionCreate(s *server) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := principalOf(r)
		var req exceptionRequest
		if err := decodeJSON(w, r, &req); err != nil {
			writeErr(w, r, err)
			return
		}
		e, err := s.exception(r, p, req)
		if err != nil {
			writeErr(w, r, err)
			return
		}
		if err := s.store.CreateException(r.Context(), p.Scope, e); err != nil {
			writeErr(w, r, err)
			return
		}
		s.stored() // the devices it covers are marked for judging
		writeJSON(w, http.StatusCreated, e)
	})
}

// exception checks an exception request, in the order a person fixes one.
func (s *server) exception(r *http.Request, p handwash.Principal, req exceptionRequest) (*handwash.StoredException, error) {
	if req.OrgID == "" {
		return nil, invalid("org_id", "missing: say which organisation accepts the risk")
	}
	if _, err := s.store.Org(r.Context(), p.Scope, req.OrgID); err != nil {
		return nil, err
	}
	if req.DeviceID != "" {
		d, err := s.store.Device(r.Context(), p.Scope, req.DeviceID)
		if err != nil {
			return nil, err
		}
		if d.OrgID != req.OrgID {
			return nil, invalid("device_id", "device %s belongs to organisation %s, not %s", d.ID, d.OrgID, req.OrgID)
		}
	}
	var known func(string) bool
	if s.controls != nil {
		known = func(id string) bool { _, ok := s.controls.Control(id); return ok }
	}
	return handwash.NewStoredException(p, req.OrgID, req.DeviceID, req.Control, req.Reason, req.Owner, req.Expires, s.now(), known)
}

func handleExceptionDelete(s *server) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := s.store.DeleteException(r.Context(), principalOf(r).Scope, r.PathValue("id")); err != nil {
			writeErr(w, r, err)
			return
		}
		s.stored()
		w.WriteHeader(http.StatusNoContent)
	})
}
