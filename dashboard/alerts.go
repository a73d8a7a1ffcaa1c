package dashboard

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/handwash/handwash"
	"github.com/handwash/handwash/web"
)

// closedShown is how many closed alerts an organisation's alerts page
// lists.
const closedShown = 100

// alertRow is an alert as lists show it, with its clocks worked out.
type alertRow struct {
	*handwash.Alert
	AckOverdue, FixOverdue bool
	// AckTook and Took say how long acknowledging and closing took.
	AckTook, Took string
}

func (s *server) alertRow(a *handwash.Alert) alertRow {
	now := s.now()
	row := alertRow{Alert: a, AckOverdue: a.AckOverdue(now), FixOverdue: a.FixOverdue(now)}
	if !a.AcknowledgedAt.IsZero() {
		row.AckTook = took(a.AcknowledgedAt.Sub(a.OpenedAt))
	}
	if !a.ClosedAt.IsZero() {
		row.Took = took(a.ClosedAt.Sub(a.OpenedAt))
	}
	return row
}

// took says how long something took in plain words.
func took(d time.Duration) string {
	switch {
	case d < time.Hour:
		return "under an hour"
	case d < 48*time.Hour:
		return plural(int(d/time.Hour), "hour")
	}
	return plural(int(d/(24*time.Hour)), "day")
}

type alertsPage struct {
	Org          *handwash.Org
	Open, Closed []alertRow
	// Overdue counts the open alerts with a clock run out.
	Overdue  int
	CanWrite bool
	Clocks   clocksForm
}

// clocksForm shows the provider's alert clocks and, to its administrators,
// the form that changes them.
type clocksForm struct {
	// Ack and Fix are the clocks in words ("48 hours", "14 days").
	Ack, Fix string
	// AckHours and FixDays are the form's values, as typed after an error.
	AckHours, FixDays string
	CanSet            bool
	Error, ErrorField string
	Done              bool
}

// clocksForm fills in the provider's clocks for the alerts page.
func (s *server) clocksForm(r *http.Request) (clocksForm, error) {
	pr := visitorOf(r).principal()
	c, err := s.store.AlertClocks(r.Context(), handwash.Scope{ProviderID: pr.ProviderID})
	if err != nil {
		return clocksForm{}, err
	}
	return clocksForm{
		Ack: clockWords(c.AckWithin), Fix: clockWords(c.FixWithin),
		AckHours: strconv.Itoa(int(c.AckWithin / time.Hour)), FixDays: strconv.Itoa(int(c.FixWithin / (24 * time.Hour))),
		CanSet: pr.CanWrite() && pr.OrgID == "",
	}, nil
}

// clockWords says a clock in whole hours, or whole days when it is some.
func clockWords(d time.Duration) string {
	if d%(24*time.Hour) == 0 && d >= 72*time.Hour {
		return plural(int(d/(24*time.Hour)), "day")
	}
	return plural(int(d/time.Hour), "hour")
}

// handleAlerts lists an organisation's alerts: open ones first, with
// their clocks, then the newest closed ones. Anyone in scope may look.
func (s *server) handleAlerts(w http.ResponseWriter, r *http.Request) {
	o, scope, ok := s.pathOrg(w, r)
	if !ok {
		return
	}
	ctx := r.Context()
	open, err := s.store.Alerts(ctx, scope, handwash.AlertFilter{OrgID: o.ID, Open: true})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	closed, err := s.store.Alerts(ctx, scope, handwash.AlertFilter{OrgID: o.ID, Closed: true, Limit: closedShown})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p := alertsPage{Org: o, CanWrite: visitorOf(r).principal().CanWrite()}
	if p.Clocks, err = s.clocksForm(r); err != nil {
		s.fail(w, r, err)
		return
	}
	p.Clocks.Done = r.URL.Query().Get("done") == "clocks"
	s.renderAlerts(w, r, http.StatusOK, p, open, closed)
}

// renderAlerts shows the alerts page with its lists.
func (s *server) renderAlerts(w http.ResponseWriter, r *http.Request, status int, p alertsPage, open, closed []*handwash.Alert) {
	for _, a := range open {
		row := s.alertRow(a)
		if row.AckOverdue || row.FixOverdue {
			p.Overdue++
		}
		p.Open = append(p.Open, row)
	}
	for _, a := range closed {
		p.Closed = append(p.Closed, s.alertRow(a))
	}
	s.render(w, r, status, "alerts", "Alerts for "+p.Org.Name, p)
}

// handleAlertClocks sets the provider's alert clocks: how long every
// organisation it looks after has to acknowledge and to fix an alert.
// Only the provider's administrators may; alerts already open keep their
// dates.
func (s *server) handleAlertClocks(w http.ResponseWriter, r *http.Request) {
	o, scope, ok := s.pathOrg(w, r)
	if !ok {
		return
	}
	v := visitorOf(r)
	pr := v.principal()
	if !pr.CanWrite() || pr.OrgID != "" {
		s.fail(w, r, handwash.Errorf(handwash.EFORBIDDEN, "Only your IT provider's administrators can change how long alerts may take."))
		return
	}
	ctx := r.Context()
	form, err := s.clocksForm(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	form.AckHours, form.FixDays = strings.TrimSpace(r.PostFormValue("ack_hours")), strings.TrimSpace(r.PostFormValue("fix_days"))
	hours, herr := strconv.Atoi(form.AckHours)
	days, derr := strconv.Atoi(form.FixDays)
	c := handwash.AlertClocks{AckWithin: time.Duration(hours) * time.Hour, FixWithin: time.Duration(days) * 24 * time.Hour}
	switch {
	case herr != nil || hours < 1 || hours > 720:
		form.ErrorField, form.Error = "clock-ack", "Acknowledge within: give a whole number of hours from 1 to 720 (30 days), such as 48."
	case derr != nil || days < 1 || days > 365:
		form.ErrorField, form.Error = "clock-fix", "Fix within: give a whole number of days from 1 to 365, such as 14 (what Cyber Essentials allows for critical fixes)."
	case c.FixWithin < c.AckWithin:
		form.ErrorField, form.Error = "clock-fix", "Fix within: give at least as long as to acknowledge an alert."
	default:
		if err := s.store.SetAlertClocks(ctx, handwash.Scope{ProviderID: pr.ProviderID}, c); err != nil {
			if handwash.ErrorCode(err) != handwash.EINVALID {
				s.fail(w, r, err)
				return
			}
			form.ErrorField, form.Error = "clock-ack", handwash.ErrorMessage(err)
		}
	}
	if form.Error != "" {
		open, oerr := s.store.Alerts(ctx, scope, handwash.AlertFilter{OrgID: o.ID, Open: true})
		closed, cerr := s.store.Alerts(ctx, scope, handwash.AlertFilter{OrgID: o.ID, Closed: true, Limit: closedShown})
		if err := errors.Join(oerr, cerr); err != nil {
			s.fail(w, r, err)
			return
		}
		s.renderAlerts(w, r, http.StatusBadRequest, alertsPage{Org: o, CanWrite: true, Clocks: form}, open, closed)
		return
	}
	s.auditAction(r, v, "", "alert_clocks.set", pr.ProviderID, fmt.Sprintf("set the alert clocks: acknowledge within %s, fix within %s (was %s and %s)",
		clockWords(c.AckWithin), clockWords(c.FixWithin), form.Ack, form.Fix))
	http.Redirect(w, r, "/orgs/"+url.PathEscape(o.ID)+"/alerts?done=clocks#clocks-h", http.StatusSeeOther)
}

// ownerOption is a person an alert may be given to.
type ownerOption struct {
	ID, Label string
	Selected  bool
}

type alertPage struct {
	alertRow
	Org   *handwash.Org
	Steps []handwash.AlertStep
	// ControlTitle names the check an automatic alert is about, whose page
	// has the fix steps.
	ControlTitle string
	CanWrite     bool
	Owners       []ownerOption
	// Reason is the closing reason as typed; Error and ErrorField say what
	// is wrong with a form.
	Reason            string
	Error, ErrorField string
	// Done says what was just done.
	Done string
}

// handleAlert shows one alert: what it is, what to do, its devices, its
// clocks, its owner and its audit trail, with the forms that act on it for
// administrators.
func (s *server) handleAlert(w http.ResponseWriter, r *http.Request) {
	p, err := s.alertPage(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	switch r.URL.Query().Get("done") {
	case "acknowledged":
		p.Done = "The alert is acknowledged: everyone can see that someone is dealing with it."
	case "assigned":
		p.Done = "The owner was changed."
	case "closed":
		p.Done = "The alert is closed."
	case "created":
		p.Done = "The alert was added. Acknowledge it and give it an owner when someone starts dealing with it."
	}
	s.render(w, r, http.StatusOK, "alert", p.Title, p)
}

func (s *server) alertPage(r *http.Request) (alertPage, error) {
	v := visitorOf(r)
	pr := v.principal()
	ctx := r.Context()
	a, err := s.store.Alert(ctx, pr.Scope, r.PathValue("id"))
	if err != nil {
		return alertPage{}, err
	}
	p := alertPage{alertRow: s.alertRow(a), CanWrite: pr.CanWrite()}
	if p.Org, err = s.store.Org(ctx, pr.Scope, a.OrgID); err != nil {
		return p, err
	}
	if p.Steps, err = s.store.AlertSteps(ctx, pr.Scope, a.ID); err != nil {
		return p, err
	}
	if a.ControlID != "" {
		p.ControlTitle = a.ControlID
		if c, ok := s.cat.Control(a.ControlID); ok {
			p.ControlTitle = c.Title
		}
	}
	if p.CanWrite && a.State != handwash.AlertClosed {
		people, err := s.owners(r, a)
		if err != nil {
			return p, err
		}
		for _, u := range people {
			label := u.Name + " (" + u.Email + ")"
			if u.OrgID == "" {
				label += ", IT provider"
			}
			p.Owners = append(p.Owners, ownerOption{ID: u.ID, Label: label, Selected: u.ID == a.OwnerID})
		}
	}
	return p, nil
}

// owners are the people an alert may be given to: those of its
// organisation and those of the provider who look after every
// organisation, who may sign in.
func (s *server) owners(r *http.Request, a *handwash.Alert) ([]*handwash.User, error) {
	ctx := r.Context()
	ofOrg, err := s.store.Users(ctx, handwash.Scope{ProviderID: a.ProviderID, OrgID: a.OrgID})
	if err != nil {
		return nil, err
	}
	ofProvider, err := s.store.Users(ctx, handwash.Scope{ProviderID: a.ProviderID})
	if err != nil {
		return nil, err
	}
	var out []*handwash.User
	for _, u := range ofOrg {
		if !u.Disabled && u.OrgID == a.OrgID {
			out = append(out, u)
		}
	}
	for _, u := range ofProvider {
		if !u.Disabled && u.OrgID == "" {
			out = append(out, u)
		}
	}
	return out, nil
}

// actor is the signed-in person as an alert's trail names them.
func (s *server) actor(v *visitor) handwash.Actor {
	return handwash.Actor{ID: v.user.ID, Name: v.user.Name, At: s.now()}
}

// writableAlert finds the alert a button is for, for a visitor who may
// change things; another organisation's is "not found".
func (s *server) writableAlert(r *http.Request) (*visitor, *handwash.Alert, error) {
	v := visitorOf(r)
	pr := v.principal()
	if !pr.CanWrite() {
		return v, nil, errReadOnly
	}
	a, err := s.store.Alert(r.Context(), pr.Scope, r.PathValue("id"))
	return v, a, err
}

func alertPath(a *handwash.Alert) string { return "/alerts/" + url.PathEscape(a.ID) }

// handleAlertAcknowledge says that someone is dealing with an alert.
func (s *server) handleAlertAcknowledge(w http.ResponseWriter, r *http.Request) {
	v, a, err := s.writableAlert(r)
	if err == nil && a.State != handwash.AlertOpen {
		err = handwash.Errorf(handwash.ECONFLICT, "This alert was acknowledged or closed already. Go back to the alert and reload the page.")
	}
	if err == nil {
		err = s.store.AcknowledgeAlert(r.Context(), v.principal().Scope, a.ID, s.actor(v))
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.auditAction(r, v, a.OrgID, "alert.acknowledge", a.ID, fmt.Sprintf("%s acknowledged the alert %q", v.user.Name, a.Title))
	http.Redirect(w, r, alertPath(a)+"?done=acknowledged", http.StatusSeeOther)
}

// handleAlertAssign gives an alert an owner from the organisation's or
// the provider's people.
func (s *server) handleAlertAssign(w http.ResponseWriter, r *http.Request) {
	v, a, err := s.writableAlert(r)
	if err == nil && a.State == handwash.AlertClosed {
		err = handwash.Errorf(handwash.ECONFLICT, "This alert is closed, so it needs no owner now.")
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	people, err := s.owners(r, a)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	ownerID := r.PostFormValue("owner")
	var owner *handwash.User
	for _, u := range people {
		if u.ID == ownerID {
			owner = u
		}
	}
	if owner == nil {
		s.alertFormError(w, r, "alert-owner", "Owner: choose a person from the list.", "")
		return
	}
	if err := s.store.AssignAlert(r.Context(), v.principal().Scope, a.ID, owner.ID, s.actor(v)); err != nil {
		s.fail(w, r, err)
		return
	}
	s.auditAction(r, v, a.OrgID, "alert.assign", a.ID, fmt.Sprintf("%s made %s (%s) the owner of the alert %q", v.user.Name, owner.Name, owner.Email, a.Title))
	http.Redirect(w, r, alertPath(a)+"?done=assigned", http.StatusSeeOther)
}

// handleAlertClose closes an alert with a reason.
func (s *server) handleAlertClose(w http.ResponseWriter, r *http.Request) {
	v, a, err := s.writableAlert(r)
	if err == nil && a.State == handwash.AlertClosed {
		err = handwash.Errorf(handwash.ECONFLICT, "This alert is closed already.")
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	typed := r.PostFormValue("reason")
	reason, err := web.CheckCloseReason(typed)
	if err != nil {
		msg := "Why you are closing it: say what was done, or why nothing needs doing."
		if strings.TrimSpace(typed) != "" {
			msg = fmt.Sprintf("Why you are closing it: write at most %d characters (you wrote %d).", web.MaxCloseReason, len([]rune(strings.TrimSpace(typed))))
		}
		s.alertFormError(w, r, "alert-reason", msg, typed)
		return
	}
	if err := s.store.CloseAlert(r.Context(), v.principal().Scope, a.ID, reason, s.actor(v)); err != nil {
		s.fail(w, r, err)
		return
	}
	s.auditAction(r, v, a.OrgID, "alert.close", a.ID, fmt.Sprintf("%s closed the alert %q: %s", v.user.Name, a.Title, truncate(reason, 300)))
	http.Redirect(w, r, alertPath(a)+"?done=closed", http.StatusSeeOther)
}

// alertFormError shows the alert page again with a form's problem.
func (s *server) alertFormError(w http.ResponseWriter, r *http.Request, field, msg, reason string) {
	p, err := s.alertPage(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p.Error, p.ErrorField, p.Reason = msg, field, reason
	s.render(w, r, http.StatusBadRequest, "alert", p.Title, p)
}

// alertForm is the form that enters an alert by hand, as typed.
type alertForm struct {
	Title, Reference, Link, Detail, Action, Severity string
	Error, ErrorField                                string
}

type alertNewPage struct {
	Org        *handwash.Org
	Form       alertForm
	Severities []handwash.Severity
}

// handleAlertNew shows the form that enters an alert by hand.
func (s *server) handleAlertNew(w http.ResponseWriter, r *http.Request) {
	o, _, ok := s.pathOrg(w, r)
	if !ok {
		return
	}
	if !visitorOf(r).principal().CanWrite() {
		s.fail(w, r, handwash.Errorf(handwash.EFORBIDDEN, "Only administrators can add alerts. Tell an administrator of your organisation about the alert."))
		return
	}
	s.render(w, r, http.StatusOK, "alertnew", "Add an alert for "+o.Name, alertNewPage{Org: o, Form: alertForm{Severity: string(handwash.SeverityHigh)}, Severities: web.AlertSeverities})
}

// alertFields names a manual alert's fields as the form does, with the
// ID of each input.
var alertFields = map[string]struct{ label, id string }{
	"title":     {"Title", "alert-title"},
	"reference": {"Reference", "alert-reference"},
	"link":      {"Link", "alert-link"},
	"detail":    {"What it is", "alert-detail"},
	"action":    {"What to do", "alert-action"},
	"severity":  {"Severity", "alert-severity"},
}

// handleAlertCreate stores an alert entered by hand, such as an NHS
// England cyber alert. A form with a problem is shown again, naming the
// field; nothing is stored.
func (s *server) handleAlertCreate(w http.ResponseWriter, r *http.Request) {
	v := visitorOf(r)
	pr := v.principal()
	if !pr.CanWrite() {
		s.fail(w, r, errReadOnly)
		return
	}
	o, scope, ok := s.pathOrg(w, r)
	if !ok {
		return
	}
	form := alertForm{Title: r.PostFormValue("title"), Reference: r.PostFormValue("reference"), Link: r.PostFormValue("link"),
		Detail: r.PostFormValue("detail"), Action: r.PostFormValue("action"), Severity: r.PostFormValue("severity")}
	a := &handwash.Alert{ID: handwash.NewID("alr"), ProviderID: o.ProviderID, OrgID: o.ID, Origin: handwash.AlertManual,
		Title: form.Title, Reference: form.Reference, Link: form.Link, Detail: form.Detail, Action: form.Action,
		Severity: handwash.Severity(form.Severity), State: handwash.AlertOpen, OpenedAt: s.now().UTC()}
	err := web.CheckManualAlert(a)
	if err == nil {
		err = s.store.CreateAlert(r.Context(), scope, a, s.actor(v))
	}
	if err != nil {
		if handwash.ErrorCode(err) != handwash.EINVALID {
			s.fail(w, r, err)
			return
		}
		msg := handwash.ErrorMessage(err)
		form.ErrorField = "alert-title"
		if name, rest, ok := strings.Cut(msg, ": "); ok {
			if f, known := alertFields[name]; known {
				form.ErrorField, msg = f.id, f.label+": "+rest
			}
		}
		form.Error = msg
		s.render(w, r, http.StatusBadRequest, "alertnew", "Add an alert for "+o.Name, alertNewPage{Org: o, Form: form, Severities: web.AlertSeverities})
		return
	}
	ref := ""
	if a.Reference != "" {
		ref = " (" + a.Reference + ")"
	}
	s.auditAction(r, v, o.ID, "alert.create", a.ID, fmt.Sprintf("%s added the %s alert %q%s for %s", v.user.Name, a.Severity, a.Title, ref, o.Name))
	http.Redirect(w, r, alertPath(a)+"?done=created", http.StatusSeeOther)
}

// stepText says a step of an alert's trail in words.
func stepText(action string) string {
	switch action {
	case "opened":
		return "Opened"
	case "device_added":
		return "Another device affected"
	case "device_fixed":
		return "Fixed on a device"
	case "acknowledged":
		return "Acknowledged"
	case "assigned":
		return "Owner given"
	case "closed":
		return "Closed"
	case "reopened":
		return "Opened again"
	}
	return action
}

// stateText says where an alert stands in words.
func stateText(s handwash.AlertState) string {
	switch s {
	case handwash.AlertOpen:
		return "Open: not acknowledged yet"
	case handwash.AlertAcknowledged:
		return "Acknowledged: being dealt with"
	case handwash.AlertClosed:
		return "Closed"
	}
	return string(s)
}
