package storetest

import (
	"strings"
	"testing"
	"time"

	"github.com/handwash/handwash"
)

// critical is a critical finding of the control.
func critical(control string, status handwash.Status) handwash.Finding {
	f := inArea(fnd(control, status), handwash.AreaUpdates, handwash.SeverityCritical)
	f.Title = "Check " + control
	f.Summary = "summary of " + control
	return f
}

func (w *world) judged(t *testing.T, d *handwash.Device, at time.Time, fs ...handwash.Finding) {
	t.Helper()
	w.snap(t, d, "s-"+at.Format("150405"), "facts", at)
	must(t, w.s.PutAssessment(w.ctx, d.ID, digest("facts"), assessment(at, fs...)))
}

func (w *world) alerts(t *testing.T, scope handwash.Scope, f handwash.AlertFilter) []*handwash.Alert {
	t.Helper()
	as, err := w.s.Alerts(w.ctx, scope, f)
	must(t, err)
	return as
}

func (w *world) steps(t *testing.T, scope handwash.Scope, id string) []string {
	t.Helper()
	st, err := w.s.AlertSteps(w.ctx, scope, id)
	must(t, err)
	var out []string
	for _, s := range st {
		out = append(out, s.Action+" by "+s.ActorName)
	}
	return out
}

func testAutomaticAlerts(t *testing.T, s handwash.Store) {
	w := newWorld(t, s)
	second := w.enroll(t, w.a, w.orgA1.ID, "", "office-pc", handwash.PlatformWindows)
	smb := "updates.smbv1-off"

	// A critical check failing at the first judgement opens an alert; a
	// high one does not.
	w.judged(t, w.devA1, t0, critical(smb, handwash.StatusFail), fnd("c-high", handwash.StatusFail))
	as := w.alerts(t, w.a1, handwash.AlertFilter{})
	if len(as) != 1 {
		t.Fatalf("%d alerts, want 1", len(as))
	}
	a := as[0]
	if a.Origin != handwash.AlertAutomatic || a.ControlID != smb || a.State != handwash.AlertOpen || a.Affected != 1 ||
		a.Title != "Check "+smb || a.Severity != handwash.SeverityCritical || !a.OpenedAt.Equal(t0) ||
		!a.AckDue.Equal(t0.Add(handwash.DefaultAckWithin)) || !a.FixDue.Equal(t0.Add(handwash.DefaultFixWithin)) {
		t.Errorf("the alert: %+v", a)
	}

	// Another device of the organisation joins it; judging again changes
	// nothing; another organisation gets its own.
	w.judged(t, second, t0.Add(time.Hour), critical(smb, handwash.StatusPass))
	w.judged(t, second, t0.Add(2*time.Hour), critical(smb, handwash.StatusFail))
	w.judged(t, w.devA1, t0.Add(3*time.Hour), critical(smb, handwash.StatusFail))
	w.judged(t, w.devA2, t0.Add(3*time.Hour), critical(smb, handwash.StatusFail))
	got, err := s.Alert(w.ctx, w.a1, a.ID)
	must(t, err)
	if got.Affected != 2 || len(got.Devices) != 2 || got.Devices[0].Hostname != "office-pc" || !got.Devices[0].Since.Equal(t0.Add(2*time.Hour)) {
		t.Errorf("after a second device: %+v", got)
	}
	if n := len(w.alerts(t, w.a, handwash.AlertFilter{})); n != 2 {
		t.Errorf("provider A has %d alerts, want 2 (one per organisation)", n)
	}
	if n := len(w.alerts(t, w.a2, handwash.AlertFilter{OrgID: w.orgA1.ID})); n != 0 {
		t.Errorf("Elm sees %d of Rose's alerts", n)
	}
	_, err = s.Alert(w.ctx, w.b, a.ID)
	wantCode(t, "another provider's alert", err, handwash.ENOTFOUND)

	// Fixed on one device, then the other: the alert closes itself.
	w.judged(t, w.devA1, t0.Add(4*time.Hour), critical(smb, handwash.StatusPass))
	got, _ = s.Alert(w.ctx, w.a1, a.ID)
	if got.Affected != 1 || got.State != handwash.AlertOpen {
		t.Errorf("fixed on one device: %+v", got)
	}
	w.judged(t, second, t0.Add(5*time.Hour), critical(smb, handwash.StatusExcepted))
	got, _ = s.Alert(w.ctx, w.a1, a.ID)
	if got.State != handwash.AlertClosed || got.Affected != 0 || !got.ClosedAt.Equal(t0.Add(5*time.Hour)) || !strings.Contains(got.CloseReason, "every affected device") {
		t.Errorf("fixed everywhere: %+v", got)
	}
	diff(t, "the alert's trail", w.steps(t, w.a1, a.ID), []string{
		"opened by Handwash", "device_added by Handwash", "device_added by Handwash",
		"device_fixed by Handwash", "device_fixed by Handwash", "closed by Handwash"})

	// Failing again opens a new alert.
	w.judged(t, w.devA1, t0.Add(6*time.Hour), critical(smb, handwash.StatusFail))
	open := w.alerts(t, w.a1, handwash.AlertFilter{Open: true})
	if len(open) != 1 || open[0].ID == a.ID {
		t.Errorf("open alerts after failing again: %+v", open)
	}
	if closed := w.alerts(t, w.a1, handwash.AlertFilter{Closed: true}); len(closed) != 1 || closed[0].ID != a.ID {
		t.Errorf("closed alerts: %+v", closed)
	}

	// The only affected device is removed: the alert does not wait for it.
	must(t, s.DeleteDevice(w.ctx, w.a, w.devA1.ID))
	got, _ = s.Alert(w.ctx, w.a1, open[0].ID)
	if got.State != handwash.AlertClosed || got.Affected != 0 {
		t.Errorf("after the device was removed: %+v", got)
	}
	if st := w.steps(t, w.a1, open[0].ID); len(st) != 4 || st[2] != "device_removed by Handwash" {
		t.Errorf("trail after removal: %v", st)
	}
}

func testManualAlerts(t *testing.T, s handwash.Store) {
	w := newWorld(t, s)
	sam := handwash.Actor{ID: "usr_sam", Name: "Sam Patel", At: t0}
	owner := w.newUser(t, w.a1, "mo@rose.example", handwash.RoleOrgAdmin, w.orgA1.ID)
	elm := w.newUser(t, w.a2, "el@elm.example", handwash.RoleOrgAdmin, w.orgA2.ID)

	must(t, s.SetAlertClocks(w.ctx, w.a, handwash.AlertClocks{AckWithin: 24 * time.Hour, FixWithin: 7 * 24 * time.Hour}))
	a := &handwash.Alert{OrgID: w.orgA1.ID, Title: "Critical vulnerability in Fortinet FortiOS", Reference: "CC-4567",
		Link: "https://digital.nhs.uk/cyber-alerts/2026/cc-4567", Severity: handwash.SeverityCritical, Detail: "A flaw is being exploited.", Action: "Update FortiOS."}
	must(t, s.CreateAlert(w.ctx, w.a1, a, sam))
	if a.ID == "" || a.Origin != handwash.AlertManual || !a.AckDue.Equal(t0.Add(24*time.Hour)) || !a.FixDue.Equal(t0.Add(7*24*time.Hour)) {
		t.Errorf("created: %+v", a)
	}
	for _, c := range []struct {
		name  string
		scope handwash.Scope
		a     handwash.Alert
		code  string
	}{
		{"no title", w.a1, handwash.Alert{OrgID: w.orgA1.ID, Title: " ", Severity: handwash.SeverityHigh}, handwash.EINVALID},
		{"unknown severity", w.a1, handwash.Alert{OrgID: w.orgA1.ID, Title: "x", Severity: "urgent"}, handwash.EINVALID},
		{"long reference", w.a1, handwash.Alert{OrgID: w.orgA1.ID, Title: "x", Severity: handwash.SeverityHigh, Reference: strings.Repeat("x", 200)}, handwash.EINVALID},
		{"another organisation", w.a1, handwash.Alert{OrgID: w.orgA2.ID, Title: "x", Severity: handwash.SeverityHigh}, handwash.ENOTFOUND},
		{"another provider", w.b, handwash.Alert{OrgID: w.orgA1.ID, Title: "x", Severity: handwash.SeverityHigh}, handwash.ENOTFOUND},
	} {
		al := c.a
		wantCode(t, c.name, s.CreateAlert(w.ctx, c.scope, &al, sam), c.code)
	}
	if n := len(w.alerts(t, w.a, handwash.AlertFilter{})); n != 1 {
		t.Fatalf("%d alerts after refusals, want 1", n)
	}

	must(t, s.AcknowledgeAlert(w.ctx, w.a1, a.ID, handwash.Actor{ID: owner.ID, Name: "Mo", At: t0.Add(time.Hour)}))
	must(t, s.AcknowledgeAlert(w.ctx, w.a1, a.ID, handwash.Actor{ID: owner.ID, Name: "Mo", At: t0.Add(2 * time.Hour)}))
	wantCode(t, "assign someone of another organisation", s.AssignAlert(w.ctx, w.a1, a.ID, elm.ID, sam), handwash.ENOTFOUND)
	must(t, s.AssignAlert(w.ctx, w.a1, a.ID, owner.ID, sam))
	wantCode(t, "acknowledge from another organisation", s.AcknowledgeAlert(w.ctx, w.a2, a.ID, sam), handwash.ENOTFOUND)
	wantCode(t, "close without a reason", s.CloseAlert(w.ctx, w.a1, a.ID, "  ", sam), handwash.EINVALID)
	must(t, s.CloseAlert(w.ctx, w.a1, a.ID, "FortiOS updated to 7.4.5 on the firewall.", handwash.Actor{ID: owner.ID, Name: "Mo", At: t0.Add(26 * time.Hour)}))
	wantCode(t, "close twice", s.CloseAlert(w.ctx, w.a1, a.ID, "again", sam), handwash.ECONFLICT)
	wantCode(t, "acknowledge a closed alert", s.AcknowledgeAlert(w.ctx, w.a1, a.ID, sam), handwash.ECONFLICT)

	got, err := s.Alert(w.ctx, w.a1, a.ID)
	must(t, err)
	if got.State != handwash.AlertClosed || got.OwnerName != owner.Name || !got.AcknowledgedAt.Equal(t0.Add(time.Hour)) ||
		!got.ClosedAt.Equal(t0.Add(26*time.Hour)) || got.Reference != "CC-4567" || got.CloseReason != "FortiOS updated to 7.4.5 on the firewall." {
		t.Errorf("after its life: %+v", got)
	}
	if got.AckOverdue(t0.Add(100*time.Hour)) || got.FixOverdue(t0.Add(1000*time.Hour)) {
		t.Error("a closed alert is overdue")
	}
	diff(t, "the trail", w.steps(t, w.a1, a.ID), []string{"opened by Sam Patel", "acknowledged by Mo", "assigned by Sam Patel", "closed by Mo"})
}

func testAlertClocks(t *testing.T, s handwash.Store) {
	w := newWorld(t, s)
	c, err := s.AlertClocks(w.ctx, w.a)
	must(t, err)
	if c.AckWithin != handwash.DefaultAckWithin || c.FixWithin != handwash.DefaultFixWithin {
		t.Errorf("defaults: %+v", c)
	}
	wantCode(t, "from an organisation", s.SetAlertClocks(w.ctx, w.a1, handwash.AlertClocks{AckWithin: time.Hour, FixWithin: 48 * time.Hour}), handwash.EFORBIDDEN)
	for _, bad := range []handwash.AlertClocks{
		{AckWithin: time.Minute, FixWithin: 48 * time.Hour},
		{AckWithin: 2 * time.Hour, FixWithin: time.Hour},
		{AckWithin: 72 * time.Hour, FixWithin: 48 * time.Hour},
	} {
		wantCode(t, "bad clocks", s.SetAlertClocks(w.ctx, w.a, bad), handwash.EINVALID)
	}
	must(t, s.SetAlertClocks(w.ctx, w.b, handwash.AlertClocks{AckWithin: 4 * time.Hour, FixWithin: 72 * time.Hour}))
	if c, _ := s.AlertClocks(w.ctx, w.b); c.AckWithin != 4*time.Hour || c.FixWithin != 72*time.Hour {
		t.Errorf("provider B's clocks: %+v", c)
	}
	if c, _ := s.AlertClocks(w.ctx, w.a); c.AckWithin != handwash.DefaultAckWithin {
		t.Errorf("provider A's clocks changed with B's: %+v", c)
	}
	// An automatic alert takes its provider's clocks.
	w.judged(t, w.devB1, t0, critical("updates.smbv1-off", handwash.StatusFail))
	as := w.alerts(t, w.b, handwash.AlertFilter{})
	if len(as) != 1 || !as[0].AckDue.Equal(t0.Add(4*time.Hour)) || !as[0].FixDue.Equal(t0.Add(72*time.Hour)) {
		t.Errorf("alert with B's clocks: %+v", as)
	}
}

func testAlertReminders(t *testing.T, s handwash.Store) {
	w := newWorld(t, s)
	smb := "updates.smbv1-off"
	w.judged(t, w.devA1, t0, critical(smb, handwash.StatusFail))
	w.judged(t, w.devA2, t0, critical(smb, handwash.StatusFail))
	remind := func(at time.Time, want int) {
		t.Helper()
		n, err := s.QueueAlertReminders(w.ctx, at)
		must(t, err)
		if n != want {
			t.Errorf("reminders at %v: %d, want %d", at.Sub(t0), n, want)
		}
	}
	remind(t0.Add(47*time.Hour), 0)
	// Elm's is acknowledged in time; Rose's is not.
	elm := w.alerts(t, w.a2, handwash.AlertFilter{})[0]
	must(t, s.AcknowledgeAlert(w.ctx, w.a2, elm.ID, handwash.Actor{Name: "El", At: t0.Add(time.Hour)}))
	remind(t0.Add(49*time.Hour), 1)
	remind(t0.Add(50*time.Hour), 0)
	es := w.pendingEvents(t)
	if len(es) != 1 || es[0].Kind != handwash.NotifyAlertAckOverdue || es[0].OrgID != w.orgA1.ID || es[0].AlertID == "" || es[0].Severity != handwash.SeverityCritical {
		t.Fatalf("reminder events: %+v", es)
	}
	// Past the time to fix: both escalate once; a closed one does not.
	rose := w.alerts(t, w.a1, handwash.AlertFilter{})[0]
	must(t, s.CloseAlert(w.ctx, w.a1, rose.ID, "SMBv1 removed by the IT provider.", handwash.Actor{Name: "Mo", At: t0.Add(14 * 24 * time.Hour)}))
	remind(t0.Add(15*24*time.Hour), 1)
	remind(t0.Add(16*24*time.Hour), 0)
	es = w.pendingEvents(t)
	if len(es) != 2 || es[1].Kind != handwash.NotifyAlertFixOverdue || es[1].AlertID != elm.ID {
		t.Errorf("escalation events: %+v", es)
	}
}
