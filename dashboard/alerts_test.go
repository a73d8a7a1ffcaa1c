package dashboard_test

import (
	"context"
	"encoding/json"
	"html"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/handwash/handwash"
	"github.com/handwash/handwash/judge"
)

// alerts lists an organisation's alerts straight from the store.
func (w *world) alerts(org *handwash.Org) []*handwash.Alert {
	w.t.Helper()
	as, err := w.store.Alerts(context.Background(), handwash.Scope{ProviderID: w.provider.ID}, handwash.AlertFilter{OrgID: org.ID})
	must(w.t, err)
	return as
}

// manualAlert enters an alert for org through the store, as an
// administrator would on the page.
func (w *world) manualAlert(org *handwash.Org, title string) *handwash.Alert {
	w.t.Helper()
	a := &handwash.Alert{OrgID: org.ID, Title: title, Reference: "CC-4567", Link: "https://digital.nhs.uk/cyber-alerts/2026/cc-4567", Severity: handwash.SeverityCritical}
	must(w.t, w.store.CreateAlert(context.Background(), handwash.Scope{ProviderID: w.provider.ID}, a, handwash.Actor{Name: "test", At: w.clock.now()}))
	return a
}

// row returns the visible text of the table row of page that holds want.
func row(page, want string) string {
	for _, tr := range regexp.MustCompile(`(?s)<tr>.*?</tr>`).FindAllString(page, -1) {
		if t := html.UnescapeString(text(tr)); strings.Contains(t, want) {
			return t
		}
	}
	return ""
}

// An administrator enters an NHS England cyber alert by hand; a form with
// a problem is answered 400 naming the field and stores nothing.
func TestAlertManualCreate(t *testing.T) {
	w := newWorld(t)
	b := w.browser()
	b.signIn(w.roseAdmin)
	org := "/orgs/" + w.rose.ID
	status, page, _ := b.get(org + "/alerts/new")
	if status != http.StatusOK || !strings.Contains(page, "CC- followed by its number, such as CC-4567") {
		t.Fatalf("new alert form: %d: %s", status, text(page))
	}
	before := len(w.alerts(w.rose))
	good := url.Values{"title": {"Critical flaw in VPN appliances"}, "reference": {"CC-4567"}, "link": {"https://digital.nhs.uk/cyber-alerts/2026/cc-4567"},
		"detail": {"A flaw is being used by criminals."}, "action": {"Install version 9.1.2."}, "severity": {"critical"}}
	for _, c := range []struct {
		field, value, says string
	}{
		{"title", "", "Title:"},
		{"reference", "CC4567", "Reference:"},
		{"reference", "cc-45a", "Reference:"},
		{"link", "http://digital.nhs.uk/cyber-alerts", "Link:"},
		{"link", "javascript:alert(1)", "Link:"},
		{"severity", "info", "Severity:"},
		{"detail", strings.Repeat("x", 5001), "What it is:"},
	} {
		form := url.Values{}
		for k, v := range good {
			form[k] = v
		}
		form.Set(c.field, c.value)
		status, page, _ := b.post(org+"/alerts", form)
		if status != http.StatusBadRequest || !strings.Contains(html.UnescapeString(page), c.says) || !strings.Contains(page, `class="error-summary"`) {
			t.Errorf("%s=%q: %d, want 400 saying %q: %s", c.field, c.value, status, c.says, text(page))
		}
		if c.field != "title" && !strings.Contains(page, `value="Critical flaw in VPN appliances"`) {
			t.Errorf("%s=%q: the form lost what was typed", c.field, c.value)
		}
	}
	if n := len(w.alerts(w.rose)); n != before {
		t.Fatalf("bad forms stored %d alerts", n-before)
	}

	status, _, loc := b.post(org+"/alerts", good)
	if status != http.StatusSeeOther || !strings.HasPrefix(loc, "/alerts/") {
		t.Fatalf("good form: %d to %q", status, loc)
	}
	status, page, _ = b.get(loc)
	if status != http.StatusOK {
		t.Fatalf("the new alert: %d", status)
	}
	for _, want := range []string{"Critical flaw in VPN appliances", "Added by hand", "CC-4567", "Install version 9.1.2.", "Open: not acknowledged yet", "Jo Brown"} {
		if !strings.Contains(text(page), want) {
			t.Errorf("the new alert's page lacks %q: %s", want, text(page))
		}
	}
	if !strings.Contains(page, `href="https://digital.nhs.uk/cyber-alerts/2026/cc-4567"`) {
		t.Error("the reference is not a link")
	}
	_, page, _ = b.get(org + "/alerts")
	if r := row(page, "Critical flaw in VPN appliances"); !strings.Contains(r, "Added by hand") || !strings.Contains(r, "CC-4567") {
		t.Errorf("the list's row: %q", r)
	}
	entries, _, err := w.store.Audit(context.Background(), handwash.Scope{ProviderID: w.provider.ID}, handwash.AuditFilter{Action: "alert.create"})
	must(t, err)
	if len(entries) != 1 || !strings.Contains(entries[0].Detail, "Jo Brown") || !strings.Contains(entries[0].Detail, "CC-4567") {
		t.Errorf("audit of alert.create: %+v", entries)
	}
}

// Acknowledging, giving an owner and closing show on the alert's page and
// its list, in its own trail and in the audit log.
func TestAlertAcknowledgeAssignClose(t *testing.T) {
	w := newWorld(t)
	a := w.manualAlert(w.rose, "Patch the VPN appliance")
	b := w.browser()
	b.signIn(w.roseAdmin)
	path := "/alerts/" + a.ID
	status, page, _ := b.get(path)
	if status != http.StatusOK || !strings.Contains(page, `action="/alerts/`+a.ID+`/acknowledge"`) {
		t.Fatalf("alert page for an administrator: %d, without the acknowledge form", status)
	}
	// The owners offered: Rose House's people and the provider's, never
	// Oak Lodge's.
	if !strings.Contains(page, "Ali Khan") || !strings.Contains(page, "Sam Patel") || strings.Contains(page, "Kim Lee") {
		t.Errorf("owners offered: %s", text(page))
	}

	w.clock.advance(3 * time.Hour)
	b = w.browser() // the session timed out meanwhile
	b.signIn(w.roseAdmin)
	b.get(path)
	if status, _, loc := b.post(path+"/acknowledge", nil); status != http.StatusSeeOther || !strings.HasPrefix(loc, path) {
		t.Fatalf("acknowledge: %d to %q", status, loc)
	}
	_, page, _ = b.get(path)
	if !strings.Contains(text(page), "Acknowledged: being dealt with") || !strings.Contains(text(page), "after 3 hours") {
		t.Errorf("after acknowledging: %s", text(page))
	}
	if strings.Contains(page, `action="/alerts/`+a.ID+`/acknowledge"`) {
		t.Error("the acknowledge form is still shown")
	}
	if status, _, _ := b.post(path+"/acknowledge", nil); status != http.StatusConflict {
		t.Errorf("acknowledge twice: %d, want 409", status)
	}

	if status, page, _ := b.post(path+"/assign", url.Values{"owner": {w.oakAdmin.user.ID}}); status != http.StatusBadRequest || !strings.Contains(page, "Owner: choose a person from the list") {
		t.Errorf("assign to another organisation's person: %d: %s", status, text(page))
	}
	if status, _, _ := b.post(path+"/assign", url.Values{"owner": {w.providerAdmin.user.ID}}); status != http.StatusSeeOther {
		t.Fatalf("assign: %d", status)
	}
	_, page, _ = b.get("/orgs/" + w.rose.ID + "/alerts")
	if r := row(page, "Patch the VPN appliance"); !strings.Contains(r, "Sam Patel") {
		t.Errorf("the list does not show the owner: %q", r)
	}

	if status, page, _ := b.post(path+"/close", url.Values{"reason": {"  "}}); status != http.StatusBadRequest || !strings.Contains(page, "Why you are closing it") {
		t.Errorf("close without a reason: %d: %s", status, text(page))
	}
	long := strings.Repeat("z", 1001)
	if status, page, _ := b.post(path+"/close", url.Values{"reason": {long}}); status != http.StatusBadRequest || !strings.Contains(page, "at most 1000 characters") || !strings.Contains(page, long) {
		t.Errorf("close with 1,001 characters: %d: %s", status, text(page))
	}
	w.clock.advance(2 * 24 * time.Hour)
	b = w.browser()
	b.signIn(w.roseAdmin)
	b.get(path)
	if status, _, _ := b.post(path+"/close", url.Values{"reason": {"Installed 9.1.2 on the appliance."}}); status != http.StatusSeeOther {
		t.Fatalf("close: %d", status)
	}
	_, page, _ = b.get(path)
	for _, want := range []string{"Closed", "Installed 9.1.2 on the appliance.", "after 2 days"} {
		if !strings.Contains(text(page), want) {
			t.Errorf("closed alert's page lacks %q: %s", want, text(page))
		}
	}
	if strings.Contains(page, `/close"`) {
		t.Error("a closed alert still shows the close form")
	}
	_, page, _ = b.get("/orgs/" + w.rose.ID + "/alerts")
	closedAt := page[strings.Index(page, `id="closed-h"`):]
	if r := row(closedAt, "Patch the VPN appliance"); !strings.Contains(r, "Installed 9.1.2 on the appliance.") || !strings.Contains(r, "2 days") {
		t.Errorf("the closed row: %q", r)
	}

	// The alert's own trail, with the person's name.
	steps, err := w.store.AlertSteps(context.Background(), handwash.Scope{ProviderID: w.provider.ID}, a.ID)
	must(t, err)
	var trail []string
	for _, s := range steps {
		trail = append(trail, s.Action+" by "+s.ActorName)
	}
	if got := strings.Join(trail, ", "); got != "opened by test, acknowledged by Jo Brown, assigned by Jo Brown, closed by Jo Brown" {
		t.Errorf("trail: %s", got)
	}
	for _, action := range []string{"alert.acknowledge", "alert.assign", "alert.close"} {
		entries, _, err := w.store.Audit(context.Background(), handwash.Scope{ProviderID: w.provider.ID}, handwash.AuditFilter{Action: action})
		must(t, err)
		if len(entries) != 1 || entries[0].Target != a.ID || !strings.Contains(entries[0].Detail, "Jo Brown") {
			t.Errorf("audit of %s: %+v", action, entries)
		}
	}
}

// Viewers see alerts but no forms and may change nothing; another
// organisation's people find nothing there.
func TestAlertRoles(t *testing.T) {
	w := newWorld(t)
	a := w.manualAlert(w.rose, "Patch the VPN appliance")
	path, org := "/alerts/"+a.ID, "/orgs/"+w.rose.ID

	viewer := w.browser()
	viewer.signIn(w.roseViewer)
	for _, p := range []string{org + "/alerts", path} {
		status, page, _ := viewer.get(p)
		if status != http.StatusOK || !strings.Contains(page, "Patch the VPN appliance") {
			t.Errorf("viewer GET %s: %d", p, status)
		}
		if strings.Contains(page, `action="/alerts/`) || strings.Contains(page, "/alerts/new") {
			t.Errorf("viewer GET %s shows forms", p)
		}
	}
	if status, _, _ := viewer.get(org + "/alerts/new"); status != http.StatusForbidden {
		t.Errorf("viewer GET the new alert form: %d, want 403", status)
	}
	posts := map[string]url.Values{
		path + "/acknowledge": nil,
		path + "/assign":      {"owner": {w.roseViewer.user.ID}},
		path + "/close":       {"reason": {"not needed"}},
		org + "/alerts":       {"title": {"Fake"}, "severity": {"high"}},
	}
	for p, form := range posts {
		if status, _, _ := viewer.post(p, form); status != http.StatusForbidden {
			t.Errorf("viewer POST %s: %d, want 403", p, status)
		}
	}

	other := w.browser()
	other.signIn(w.oakAdmin)
	for _, p := range []string{org + "/alerts", org + "/alerts/new", path} {
		if status, _, _ := other.get(p); status != http.StatusNotFound {
			t.Errorf("another organisation's admin GET %s: %d, want 404", p, status)
		}
	}
	other.get("/")
	for p, form := range posts {
		if status, _, _ := other.post(p, form); status != http.StatusNotFound {
			t.Errorf("another organisation's admin POST %s: %d, want 404", p, status)
		}
	}
	got, err := w.store.Alert(context.Background(), handwash.Scope{ProviderID: w.provider.ID}, a.ID)
	must(t, err)
	if got.State != handwash.AlertOpen || got.OwnerID != "" {
		t.Errorf("the refused requests changed the alert: %+v", got)
	}
}

// Clocks that ran out say OVERDUE in words, on the list, the alert's page,
// the organisation's page and the provider's home page.
func TestAlertOverdue(t *testing.T) {
	w := newWorld(t)
	a := w.manualAlert(w.oak, "Patch the VPN appliance")
	b := w.browser()
	b.signIn(w.providerAdmin)
	list := "/orgs/" + w.oak.ID + "/alerts"
	_, page, _ := b.get(list)
	if r := row(page, "Patch the VPN appliance"); r == "" || strings.Contains(r, "OVERDUE") {
		t.Errorf("a new alert's row: %q", r)
	}

	w.clock.advance(handwash.DefaultAckWithin + time.Hour)
	b = w.browser() // the session timed out meanwhile
	b.signIn(w.providerAdmin)
	_, page, _ = b.get(list)
	r := row(page, "Patch the VPN appliance")
	if strings.Count(r, "OVERDUE") != 1 {
		t.Errorf("after 49 hours, the row says OVERDUE %d times, want once (acknowledge): %q", strings.Count(r, "OVERDUE"), r)
	}
	_, page, _ = b.get("/alerts/" + a.ID)
	if !strings.Contains(text(page), "OVERDUE : nobody has acknowledged it yet") {
		t.Errorf("the alert's page: %s", text(page))
	}
	_, page, _ = b.get("/")
	if r := row(page, "Oak Lodge"); !strings.Contains(r, "1 OVERDUE") {
		t.Errorf("the home page's row: %q", r)
	}
	_, page, _ = b.get("/orgs/" + w.oak.ID)
	if !strings.Contains(text(page), "Alerts (1 open) : 1 OVERDUE") {
		t.Errorf("the organisation's page does not link its alerts: %s", text(page))
	}

	w.clock.advance(handwash.DefaultFixWithin)
	b = w.browser()
	b.signIn(w.providerAdmin)
	_, page, _ = b.get(list)
	if r := row(page, "Patch the VPN appliance"); strings.Count(r, "OVERDUE") != 2 {
		t.Errorf("after 15 days, the row: %q", r)
	}
}

// When a device that passed a critical check fails it, Handwash opens an
// alert on its own that names the device and links to the fix.
func TestAlertAutomatic(t *testing.T) {
	w := newWorld(t)
	before := map[string]bool{}
	for _, a := range w.alerts(w.oak) {
		before[a.ControlID] = true
	}
	// OAK-PC-1 is neglected now.
	ctx := context.Background()
	raw, err := os.ReadFile("../collect/testdata/windows/neglected.facts.json")
	must(t, err)
	var f handwash.Facts
	must(t, json.Unmarshal(raw, &f))
	as := judge.Evaluate(w.cat, w.oakPC, &f, nil, time.Now())
	must(t, w.store.PutAssessment(ctx, w.oakPC.ID, f.Digest(), as))

	var opened *handwash.Alert
	for _, a := range w.alerts(w.oak) {
		if a.Origin == handwash.AlertAutomatic && !before[a.ControlID] {
			opened = a
			break
		}
	}
	if opened == nil {
		t.Fatal("no automatic alert was opened")
	}

	b := w.browser()
	b.signIn(w.oakAdmin)
	_, page, _ := b.get("/orgs/" + w.oak.ID + "/alerts")
	if r := row(page, opened.Title); !strings.Contains(r, "Handwash") || !strings.Contains(r, "critical") {
		t.Errorf("the automatic alert's row: %q", r)
	}
	status, page, _ := b.get("/alerts/" + opened.ID)
	if status != http.StatusOK {
		t.Fatalf("automatic alert page: %d", status)
	}
	for _, want := range []string{`href="/devices/` + w.oakPC.ID + `"`, `href="/orgs/` + w.oak.ID + `/controls/` + opened.ControlID + `"`, "OAK-PC-1", "Opened by Handwash"} {
		if !strings.Contains(page, want) {
			t.Errorf("the automatic alert's page lacks %q: %s", want, text(page))
		}
	}
}

// The evidence report lists the organisation's alerts and whether their
// clocks were met.
func TestAlertInEvidence(t *testing.T) {
	w := newWorld(t)
	w.manualAlert(w.oak, "Patch the VPN appliance")
	b := w.browser()
	b.signIn(w.oakAdmin)
	status, page, _ := b.get("/orgs/" + w.oak.ID + "/evidence")
	if status != http.StatusOK {
		t.Fatalf("evidence: %d", status)
	}
	if r := row(page, "Patch the VPN appliance"); !strings.Contains(r, "CC-4567") || !strings.Contains(r, "Running") {
		t.Errorf("the report's alert row: %q", r)
	}
}

// The provider's administrators set how long alerts may take; the
// organisation's people see the clocks but cannot change them; a bad value
// is refused with the field named and changes nothing.
func TestAlertClocksForm(t *testing.T) {
	w := newWorld(t)
	list := "/orgs/" + w.oak.ID + "/alerts"
	clocks := list + "/clocks"
	ctx := context.Background()
	provider := handwash.Scope{ProviderID: w.provider.ID}

	org := w.browser()
	org.signIn(w.oakAdmin)
	_, page, _ := org.get(list)
	if !strings.Contains(text(page), "acknowledged within 48 hours and fixed within 14 days") || strings.Contains(page, `name="ack_hours"`) {
		t.Errorf("an organisation's administrator sees the clocks without the form: %s", text(page))
	}
	if status, _, _ := org.post(clocks, url.Values{"ack_hours": {"1"}, "fix_days": {"365"}}); status != http.StatusForbidden {
		t.Errorf("an organisation's administrator changing the clocks: status %d, want 403", status)
	}

	b := w.browser()
	b.signIn(w.providerAdmin)
	if _, page, _ = b.get(list); !strings.Contains(page, `name="ack_hours"`) {
		t.Errorf("the provider's administrator has no form to change the clocks")
	}
	for _, tc := range []struct {
		ack, fix, field string
	}{
		{"0", "14", "clock-ack"},
		{"two days", "14", "clock-ack"},
		{"48", "366", "clock-fix"},
		{"240", "7", "clock-fix"},
	} {
		status, page, _ := b.post(clocks, url.Values{"ack_hours": {tc.ack}, "fix_days": {tc.fix}})
		if status != http.StatusBadRequest || !strings.Contains(page, `href="#`+tc.field+`"`) || !strings.Contains(page, `value="`+tc.ack+`"`) {
			t.Errorf("clocks %s hours, %s days: status %d; want 400 naming %s and keeping what was typed", tc.ack, tc.fix, status, tc.field)
		}
	}
	if c, _ := w.store.AlertClocks(ctx, provider); c.AckWithin != handwash.DefaultAckWithin || c.FixWithin != handwash.DefaultFixWithin {
		t.Fatalf("refused changes changed the clocks to %+v", c)
	}

	status, _, where := b.post(clocks, url.Values{"ack_hours": {"24"}, "fix_days": {"7"}})
	if status != http.StatusSeeOther || !strings.HasPrefix(where, list+"?done=clocks") {
		t.Fatalf("setting the clocks: %d to %q", status, where)
	}
	_, page, _ = b.get(where)
	if !strings.Contains(text(page), "acknowledged within 24 hours and fixed within 7 days") || !strings.Contains(page, "The clocks were changed") {
		t.Errorf("the page after the change: %s", text(page))
	}
	a := w.manualAlert(w.oak, "Patch the VPN appliance")
	if got := a.AckDue.Sub(a.OpenedAt); got != 24*time.Hour {
		t.Errorf("a new alert's time to acknowledge is %s; want 24h", got)
	}
	if got := a.FixDue.Sub(a.OpenedAt); got != 7*24*time.Hour {
		t.Errorf("a new alert's time to fix is %s; want 7 days", got)
	}
	_, page, _ = b.get("/audit")
	if !strings.Contains(text(page), "set the alert clocks: acknowledge within 24 hours, fix within 7 days (was 48 hours and 14 days)") {
		t.Errorf("the audit log does not record the change: %s", text(page))
	}
}
