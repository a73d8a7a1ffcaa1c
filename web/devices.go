package web

import (
	"net/http"
	"time"

	"github.com/handwash/handwash"
)

func handleDeviceList(s *server) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		v, err := query(r, "org", "site", "platform", "stale", "offset", "limit")
		if err != nil {
			writeErr(w, r, err)
			return
		}
		f := handwash.DeviceFilter{OrgID: v.Get("org"), SiteID: v.Get("site"), Platform: handwash.Platform(v.Get("platform"))}
		if f.Offset, f.Limit, err = page(v); err != nil {
			writeErr(w, r, err)
			return
		}
		switch f.Platform {
		case "", handwash.PlatformWindows, handwash.PlatformMacOS, handwash.PlatformLinux, handwash.PlatformOther:
		default:
			writeErr(w, r, invalid("platform", "%q is not a platform: use windows, macos, linux or other", f.Platform))
			return
		}
		switch v.Get("stale") {
		case "":
		case "true":
			before := s.now().Add(-s.cfg.StaleAfter)
			f.StaleBefore = &before
		default:
			writeErr(w, r, invalid("stale", "use stale=true to list only devices not seen for %s, or leave it out", humanDuration(s.cfg.StaleAfter)))
			return
		}
		devices, total, err := s.store.Devices(r.Context(), principalOf(r).Scope, f)
		if err != nil {
			writeErr(w, r, err)
			return
		}
		views := make([]deviceView, len(devices))
		for i, d := range devices {
			views[i] = s.view(d)
		}
		writeJSON(w, http.StatusOK, newList(views, total))
	})
}

// deviceInScope returns the device the path names, or ENOTFOUND when the
// caller's scope does not hold it, before anything about it is read.
func deviceInScope(r *http.Request, store handwash.Store) (*handwash.Device, error) {
	return store.Device(r.Context(), principalOf(r).Scope, r.PathValue("device"))
}

func handleDeviceGet(s *server) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		d, err := deviceInScope(r, s.store)
		if err != nil {
			writeErr(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, s.view(d))
	})
}

func handleDeviceDelete(store handwash.Store) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := store.DeleteDevice(r.Context(), principalOf(r).Scope, r.PathValue("device")); err != nil {
			writeErr(w, r, err)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
}

func handleAssessmentGet(store handwash.Store) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		d, err := deviceInScope(r, store)
		if err != nil {
			writeErr(w, r, err)
			return
		}
		a, err := store.Assessment(r.Context(), principalOf(r).Scope, d.ID)
		if handwash.ErrorCode(err) == handwash.ENOTFOUND {
			writeErr(w, r, handwash.Errorf(handwash.ENOTFOUND, "device %s has not been judged yet: it is judged within seconds of its first upload", d.ID))
			return
		}
		if err != nil {
			writeErr(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, a)
	})
}

func handleScoreHistory(store handwash.Store) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		v, err := query(r, "since")
		if err != nil {
			writeErr(w, r, err)
			return
		}
		var since time.Time
		if s := v.Get("since"); s != "" {
			if since, err = parseTime("since", s); err != nil {
				writeErr(w, r, err)
				return
			}
		}
		d, err := deviceInScope(r, store)
		if err != nil {
			writeErr(w, r, err)
			return
		}
		points, err := store.ScoreHistory(r.Context(), principalOf(r).Scope, d.ID, since)
		if err != nil {
			writeErr(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, newList(points, len(points)))
	})
}

func handleSnapshotList(store handwash.Store) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		v, err := query(r, "limit")
		if err != nil {
			writeErr(w, r, err)
			return
		}
		_, limit, err := page(v)
		if err != nil {
			writeErr(w, r, err)
			return
		}
		d, err := deviceInScope(r, store)
		if err != nil {
			writeErr(w, r, err)
			return
		}
		snaps, err := store.Snapshots(r.Context(), principalOf(r).Scope, d.ID, limit)
		if err != nil {
			writeErr(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, newList(snaps, len(snaps)))
	})
}

func handleFindingList(store handwash.Store) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		v, err := query(r, "org", "device", "control", "status", "area", "offset", "limit")
		if err != nil {
			writeErr(w, r, err)
			return
		}
		f := handwash.FindingFilter{
			OrgID:     v.Get("org"),
			DeviceID:  v.Get("device"),
			ControlID: v.Get("control"),
			Status:    handwash.Status(v.Get("status")),
			Area:      handwash.Area(v.Get("area")),
		}
		if f.Offset, f.Limit, err = page(v); err != nil {
			writeErr(w, r, err)
			return
		}
		switch f.Status {
		case "", handwash.StatusPass, handwash.StatusFail, handwash.StatusUnknown, handwash.StatusNotApplicable, handwash.StatusExcepted:
		default:
			writeErr(w, r, invalid("status", "%q is not a status: use pass, fail, unknown, not_applicable or excepted", f.Status))
			return
		}
		if f.Area != "" && !f.Area.Valid() {
			writeErr(w, r, invalid("area", "%q is not an area: use backup, malware, devices, passwords, phishing, updates or people", f.Area))
			return
		}
		findings, total, err := store.Findings(r.Context(), principalOf(r).Scope, f)
		if err != nil {
			writeErr(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, newList(findings, total))
	})
}
