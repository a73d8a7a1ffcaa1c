package web

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/handwash/handwash"
)

// A manual alert goes through its life through the API: entered with its
// NHS England reference, listed while open, acknowledged, and closed with a
// reason, each step in its trail with the token as the actor and in the
// audit log.
func TestAlertsAPI(t *testing.T) {
	e := newEnv(t)
	tn := e.tenancy()
	admin, viewer := tn.tokens["B admin"], tn.tokens["B viewer"]

	// Bad input names the field and stores nothing.
	before := e.dump()
	for _, c := range []struct {
		body  map[string]any
		field string
	}{
		{map[string]any{"title": "No org", "severity": "high"}, "org_id"},
		{map[string]any{"org_id": tn.b.ID, "title": "  ", "severity": "high"}, "title"},
		{map[string]any{"org_id": tn.b.ID, "title": "VPN", "reference": "CC4567", "severity": "high"}, "reference"},
		{map[string]any{"org_id": tn.b.ID, "title": "VPN", "reference": "CC-45x", "severity": "high"}, "reference"},
		{map[string]any{"org_id": tn.b.ID, "title": "VPN", "link": "http://example.com/a", "severity": "high"}, "link"},
		{map[string]any{"org_id": tn.b.ID, "title": "VPN", "link": "javascript:alert(1)", "severity": "high"}, "link"},
		{map[string]any{"org_id": tn.b.ID, "title": "VPN"}, "severity"},
		{map[string]any{"org_id": tn.b.ID, "title": "VPN", "severity": "info"}, "severity"},
		{map[string]any{"org_id": tn.b.ID, "title": "VPN", "severity": "high", "detail": strings.Repeat("x", 5001)}, "detail"},
		{map[string]any{"org_id": tn.b.ID, "title": "VPN", "severity": "high", "owner": "me"}, "owner"},
	} {
		res := e.do("POST", "/api/v1/alerts", admin, c.body)
		res.wantError(http.StatusBadRequest, handwash.EINVALID, c.field)
		if got := res.errorOf().Message; !strings.HasPrefix(got, c.field+":") {
			t.Errorf("%v: message %q does not start with the field", c.body, got)
		}
	}
	if after := e.dump(); after != before {
		t.Errorf("bad alerts changed the store")
	}

	// Viewers read but may not write.
	e.do("POST", "/api/v1/alerts", viewer, map[string]any{"org_id": tn.b.ID, "title": "VPN", "severity": "high"}).wantError(http.StatusForbidden, handwash.EFORBIDDEN)

	var created alertView
	e.do("POST", "/api/v1/alerts", admin, map[string]any{"org_id": tn.b.ID, "title": "Patch the VPN appliance", "reference": "CC-4567",
		"link": "https://digital.nhs.uk/cyber-alerts/2026/cc-4567", "detail": "A flaw is being used.", "action": "Install 9.1.2.", "severity": "critical"}).
		want(http.StatusCreated).decode(&created)
	a := created.Alert
	if a.ID == "" || a.Origin != handwash.AlertManual || a.State != handwash.AlertOpen || a.Reference != "CC-4567" || a.OrgID != tn.b.ID {
		t.Fatalf("created alert: %+v", a)
	}
	if d := a.AckDue.Sub(a.OpenedAt); d != handwash.DefaultAckWithin {
		t.Errorf("acknowledge within %s, want the default %s", d, handwash.DefaultAckWithin)
	}
	if len(created.Steps) != 1 || created.Steps[0].Action != "opened" || created.Steps[0].ActorID != tn.tokenIDs["B admin"] {
		t.Errorf("steps after creating: %+v", created.Steps)
	}

	var open list[*handwash.Alert]
	e.do("GET", "/api/v1/alerts?org="+tn.b.ID+"&state=open", viewer, nil).want(http.StatusOK).decode(&open)
	if open.Total != 1 || open.Items[0].ID != a.ID {
		t.Errorf("open alerts: %+v", open)
	}
	e.do("GET", "/api/v1/alerts?state=shut", viewer, nil).wantError(http.StatusBadRequest, handwash.EINVALID, "state")
	e.do("GET", "/api/v1/alerts?org="+tn.b.ID, tn.tokens["A admin"], nil).wantError(http.StatusNotFound, handwash.ENOTFOUND)
	e.do("GET", "/api/v1/alerts/"+a.ID, tn.tokens["A admin"], nil).wantError(http.StatusNotFound, handwash.ENOTFOUND)

	e.do("POST", "/api/v1/alerts/"+a.ID+"/acknowledge", viewer, nil).wantError(http.StatusForbidden, handwash.EFORBIDDEN)
	var acked alertView
	e.do("POST", "/api/v1/alerts/"+a.ID+"/acknowledge", admin, nil).want(http.StatusOK).decode(&acked)
	if acked.State != handwash.AlertAcknowledged || acked.AcknowledgedAt.IsZero() {
		t.Errorf("after acknowledging: %+v", acked.Alert)
	}

	e.do("POST", "/api/v1/alerts/"+a.ID+"/close", admin, map[string]string{"reason": " "}).wantError(http.StatusBadRequest, handwash.EINVALID, "reason")
	e.do("POST", "/api/v1/alerts/"+a.ID+"/close", admin, map[string]string{"reason": strings.Repeat("y", 1001)}).wantError(http.StatusBadRequest, handwash.EINVALID, "reason")
	var closed alertView
	e.do("POST", "/api/v1/alerts/"+a.ID+"/close", admin, map[string]string{"reason": "Installed 9.1.2 on the appliance."}).want(http.StatusOK).decode(&closed)
	if closed.State != handwash.AlertClosed || closed.CloseReason != "Installed 9.1.2 on the appliance." || closed.ClosedAt.IsZero() {
		t.Errorf("after closing: %+v", closed.Alert)
	}
	var actions []string
	for _, s := range closed.Steps {
		actions = append(actions, s.Action)
	}
	if got := strings.Join(actions, ","); got != "opened,acknowledged,closed" {
		t.Errorf("trail %s, want opened,acknowledged,closed", got)
	}
	e.do("POST", "/api/v1/alerts/"+a.ID+"/close", admin, map[string]string{"reason": "again"}).wantError(http.StatusConflict, handwash.ECONFLICT)

	var closedList list[*handwash.Alert]
	e.do("GET", "/api/v1/alerts?state=closed", admin, nil).want(http.StatusOK).decode(&closedList)
	if closedList.Total != 1 || closedList.Items[0].ID != a.ID {
		t.Errorf("closed alerts: %+v", closedList)
	}

	for _, action := range []string{"alert.create", "alert.acknowledge", "alert.close"} {
		entries, _, err := e.store.Audit(context.Background(), handwash.Scope{ProviderID: tn.p.ID}, handwash.AuditFilter{Action: action})
		if err != nil {
			t.Fatal(err)
		}
		if len(entries) != 1 {
			t.Errorf("%d %s entries in the audit log, want 1", len(entries), action)
		}
	}
}
