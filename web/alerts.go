package web

import (
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/handwash/handwash"
)

// Limits of a manual alert's text, in characters.
const (
	maxAlertTitle     = 200
	maxAlertReference = 100
	maxAlertLink      = 2048
	maxAlertText      = 5000
	// MaxCloseReason is the longest reason for closing an alert.
	MaxCloseReason = 1000
)

// AlertSeverities are the severities a person may give a manual alert.
var AlertSeverities = []handwash.Severity{handwash.SeverityCritical, handwash.SeverityHigh, handwash.SeverityMedium, handwash.SeverityLow}

// nhsReference is an NHS England cyber alert reference: CC- and digits.
var nhsReference = regexp.MustCompile(`^CC-[0-9]+$`)

// CheckManualAlert cleans and checks what a person typed for a manual
// alert (title, reference, link, detail, action, severity), in the order
// the form asks for them. A problem is an EINVALID error whose message
// starts with the field's JSON name and a colon ("reference: ...").
func CheckManualAlert(a *handwash.Alert) error {
	a.Title = strings.TrimSpace(a.Title)
	a.Reference = strings.TrimSpace(a.Reference)
	a.Link = strings.TrimSpace(a.Link)
	a.Detail = strings.TrimSpace(a.Detail)
	a.Action = strings.TrimSpace(a.Action)
	switch {
	case a.Title == "":
		return invalid("title", "missing: say in a few words what the alert is about")
	case utf8.RuneCountInString(a.Title) > maxAlertTitle || strings.ContainsFunc(a.Title, unicode.IsControl):
		return invalid("title", "one line of at most %d characters", maxAlertTitle)
	case utf8.RuneCountInString(a.Reference) > maxAlertReference || strings.ContainsFunc(a.Reference, unicode.IsControl):
		return invalid("reference", "one line of at most %d characters", maxAlertReference)
	case strings.HasPrefix(strings.ToUpper(a.Reference), "CC") && !nhsReference.MatchString(a.Reference):
		return invalid("reference", "an NHS England cyber alert reference is CC- followed by its number, such as CC-4567")
	}
	if a.Link != "" {
		u, err := url.Parse(a.Link)
		if err != nil || u.Scheme != "https" || u.Host == "" || u.User != nil || len(a.Link) > maxAlertLink || strings.ContainsFunc(a.Link, unicode.IsSpace) {
			return invalid("link", "must be a web address starting with https://, such as https://digital.nhs.uk/cyber-alerts/2026/cc-4567")
		}
	}
	for _, f := range []struct{ name, v string }{{"detail", a.Detail}, {"action", a.Action}} {
		if utf8.RuneCountInString(f.v) > maxAlertText {
			return invalid(f.name, "longer than %d characters", maxAlertText)
		}
		if strings.ContainsFunc(f.v, func(r rune) bool { return unicode.IsControl(r) && r != '\n' && r != '\r' && r != '\t' }) {
			return invalid(f.name, "contains a control character")
		}
	}
	switch a.Severity {
	case "":
		return invalid("severity", "missing: choose critical, high, medium or low")
	case handwash.SeverityCritical, handwash.SeverityHigh, handwash.SeverityMedium, handwash.SeverityLow:
	default:
		return invalid("severity", "%q is not one of critical, high, medium or low", truncateRunes(string(a.Severity), 40))
	}
	return nil
}

// CheckCloseReason cleans and checks why an alert is closed.
func CheckCloseReason(reason string) (string, error) {
	reason = strings.TrimSpace(reason)
	switch {
	case reason == "":
		return "", invalid("reason", "missing: say why the alert is closed, such as what was done")
	case utf8.RuneCountInString(reason) > MaxCloseReason:
		return "", invalid("reason", "longer than %d characters", MaxCloseReason)
	case strings.ContainsFunc(reason, func(r rune) bool { return unicode.IsControl(r) && r != '\n' && r != '\r' && r != '\t' }):
		return "", invalid("reason", "contains a control character")
	}
	return reason, nil
}

func truncateRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n])
}

// tokenActor is an API token as an alert's audit trail names it.
func (s *server) tokenActor(p handwash.Principal) handwash.Actor {
	return handwash.Actor{ID: p.ID, Name: "API token " + p.ID, At: s.now()}
}

// handleAlertList answers the alerts in the caller's scope, or in one
// organisation of it, newest first; ?state=open or closed narrows them.
func handleAlertList(s *server) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		v, err := query(r, "org", "state", "limit")
		if err != nil {
			writeErr(w, r, err)
			return
		}
		scope := principalOf(r).Scope
		f := handwash.AlertFilter{OrgID: v.Get("org")}
		switch v.Get("state") {
		case "":
		case "open":
			f.Open = true
		case "closed":
			f.Closed = true
		default:
			writeErr(w, r, invalid("state", "expected open or closed"))
			return
		}
		if l := v.Get("limit"); l != "" {
			n, err := strconv.Atoi(l)
			if err != nil || n < 1 || n > maxLimit {
				writeErr(w, r, invalid("limit", "expected a number from 1 to %d", maxLimit))
				return
			}
			f.Limit = n
		}
		if f.OrgID != "" {
			if _, err := s.store.Org(r.Context(), scope, f.OrgID); err != nil {
				writeErr(w, r, err)
				return
			}
		}
		items, err := s.store.Alerts(r.Context(), scope, f)
		if err != nil {
			writeErr(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, newList(items, len(items)))
	})
}

// alertView is one alert with its devices and its audit trail.
type alertView struct {
	*handwash.Alert
	Steps []handwash.AlertStep `json:"steps"`
}

// alertView reads one alert in scope with its trail.
func (s *server) alertView(r *http.Request, scope handwash.Scope, id string) (alertView, error) {
	a, err := s.store.Alert(r.Context(), scope, id)
	if err != nil {
		return alertView{}, err
	}
	steps, err := s.store.AlertSteps(r.Context(), scope, a.ID)
	if err != nil {
		return alertView{}, err
	}
	if steps == nil {
		steps = []handwash.AlertStep{}
	}
	if a.Devices == nil {
		a.Devices = []handwash.AlertDevice{}
	}
	return alertView{Alert: a, Steps: steps}, nil
}

func handleAlertGet(s *server) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := noQuery(r); err != nil {
			writeErr(w, r, err)
			return
		}
		view, err := s.alertView(r, principalOf(r).Scope, r.PathValue("id"))
		if err != nil {
			writeErr(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, view)
	})
}

type alertRequest struct {
	OrgID     string            `json:"org_id"`
	Title     string            `json:"title"`
	Reference string            `json:"reference"`
	Link      string            `json:"link"`
	Detail    string            `json:"detail"`
	Action    string            `json:"action"`
	Severity  handwash.Severity `json:"severity"`
}

// handleAlertCreate enters a manual alert, such as an NHS England cyber
// alert, with the provider's clocks.
func handleAlertCreate(s *server) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := principalOf(r)
		var req alertRequest
		if err := decodeJSON(w, r, &req); err != nil {
			writeErr(w, r, err)
			return
		}
		if req.OrgID == "" {
			writeErr(w, r, invalid("org_id", "missing: say which organisation the alert is for"))
			return
		}
		o, err := s.store.Org(r.Context(), p.Scope, req.OrgID)
		if err != nil {
			writeErr(w, r, err)
			return
		}
		now := s.now()
		a := &handwash.Alert{ID: handwash.NewID("alr"), ProviderID: o.ProviderID, OrgID: o.ID, Origin: handwash.AlertManual,
			Title: req.Title, Reference: req.Reference, Link: req.Link, Detail: req.Detail, Action: req.Action,
			Severity: req.Severity, State: handwash.AlertOpen, OpenedAt: now.UTC()}
		if err := CheckManualAlert(a); err != nil {
			writeErr(w, r, err)
			return
		}
		if err := s.store.CreateAlert(r.Context(), p.Scope, a, s.tokenActor(p)); err != nil {
			writeErr(w, r, err)
			return
		}
		view, err := s.alertView(r, p.Scope, a.ID)
		if err != nil {
			writeErr(w, r, err)
			return
		}
		writeJSON(w, http.StatusCreated, view)
	})
}

// handleAlertAcknowledge says someone is dealing with an alert.
func handleAlertAcknowledge(s *server) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := principalOf(r)
		if err := noQuery(r); err != nil {
			writeErr(w, r, err)
			return
		}
		id := r.PathValue("id")
		// The store says "not found" outside the scope and "conflict" for a
		// closed alert.
		if err := s.store.AcknowledgeAlert(r.Context(), p.Scope, id, s.tokenActor(p)); err != nil {
			writeErr(w, r, err)
			return
		}
		view, err := s.alertView(r, p.Scope, id)
		if err != nil {
			writeErr(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, view)
	})
}

type closeRequest struct {
	Reason string `json:"reason"`
}

// handleAlertClose closes an alert with a reason.
func handleAlertClose(s *server) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := principalOf(r)
		var req closeRequest
		if err := decodeJSON(w, r, &req); err != nil {
			writeErr(w, r, err)
			return
		}
		a, err := s.store.Alert(r.Context(), p.Scope, r.PathValue("id"))
		if err != nil {
			writeErr(w, r, err)
			return
		}
		reason, err := CheckCloseReason(req.Reason)
		if err != nil {
			writeErr(w, r, err)
			return
		}
		if err := s.store.CloseAlert(r.Context(), p.Scope, a.ID, reason, s.tokenActor(p)); err != nil {
			writeErr(w, r, err)
			return
		}
		view, err := s.alertView(r, p.Scope, a.ID)
		if err != nil {
			writeErr(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, view)
	})
}
