package web

import (
	"net/http"
	"strings"
	"time"

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
	req.Reason = strings.TrimSpace(req.Reason)
	req.Owner = strings.TrimSpace(req.Owner)
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
	if req.Control == "" {
		return nil, invalid("control", "missing: give the ID of the control whose failure is accepted")
	}
	if s.controls != nil {
		if _, ok := s.controls.Control(req.Control); !ok {
			return nil, invalid("control", "no control has the ID %q: a device's assessment lists every control's ID", req.Control)
		}
	}
	if err := validText("reason", req.Reason, 1000); err != nil {
		return nil, err
	}
	if err := validText("owner", req.Owner, 200); err != nil {
		return nil, err
	}
	if req.Expires == "" {
		return nil, invalid("expires", "missing: every accepted risk needs a date to look at it again, such as 2027-03-31")
	}
	expires, err := time.Parse(time.DateOnly, req.Expires)
	if err != nil {
		return nil, invalid("expires", "expected a date such as 2027-03-31")
	}
	now := s.now()
	if !expires.After(now) {
		return nil, invalid("expires", "%s has passed: give a date in the future", req.Expires)
	}
	return &handwash.StoredException{
		ID:         handwash.NewID("exc"),
		ProviderID: p.ProviderID,
		OrgID:      req.OrgID,
		DeviceID:   req.DeviceID,
		Control:    req.Control,
		Reason:     req.Reason,
		Owner:      req.Owner,
		Expires:    expires,
		CreatedAt:  now.UTC(),
		CreatedBy:  p.Kind + ":" + p.ID,
	}, nil
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
