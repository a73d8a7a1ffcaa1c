package dashboard_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// A breach is recorded, its 72-hour ICO duty shown and, once past, made a
// critical finding; a bad time names its field and changes nothing; the
// report's date clears it; others cannot see the log.
func TestIncidentLog(t *testing.T) {
	w := newWorld(t)
	admin := w.browser()
	admin.signIn(w.roseAdmin)
	list := "/orgs/" + w.rose.ID + "/incidents"
	if status, body, _ := admin.get(list); status != http.StatusOK || !strings.Contains(text(body), "Nothing is recorded yet") {
		t.Fatalf("empty log: %d: %s", status, text(body))
	}
	found := w.clock.now().Add(-2 * time.Hour).In(londonTZ(t)).Format("2006-01-02T15:04")
	form := url.Values{"near_miss": {"no"}, "title": {"Laptop stolen from car"}, "what": {"The night manager's laptop, with the rota"},
		"occurred_at": {found}, "discovered_at": {found}, "personal_data": {"yes"}, "fraud": {"no"}}
	bad := url.Values{}
	for k, v := range form {
		bad[k] = v
	}
	bad.Set("discovered_at", "yesterday")
	admin.get(list + "/new")
	if status, body, _ := admin.post(list, bad); status != http.StatusBadRequest || !strings.Contains(body, `href="#inc-discovered_at"`) {
		t.Errorf("a bad time: %d: %s", status, text(body))
	}
	if _, body, _ := admin.get(list); !strings.Contains(text(body), "Nothing is recorded yet") {
		t.Error("a refused form was saved")
	}
	admin.get(list + "/new")
	status, _, loc := admin.post(list, form)
	if status != http.StatusSeeOther || !strings.HasPrefix(loc, "/incidents/") {
		t.Fatalf("save: %d %s", status, loc)
	}
	_, body, _ := admin.get(loc)
	shown := text(body)
	if !strings.Contains(shown, "ICO: by") || !strings.Contains(shown, "Report Fraud (formerly Action Fraud): not needed") {
		t.Errorf("duties: %s", shown)
	}
	// Past 72 hours, the ICO report is overdue and a critical finding.
	w.clock.advance(71 * time.Hour)
	admin.signIn(w.roseAdmin)
	_, body, _ = admin.get(list)
	if shown := text(body); !strings.Contains(shown, "ICO OVERDUE") || !strings.Contains(shown, "CRITICAL") && !strings.Contains(shown, "critical") {
		t.Errorf("overdue: %s", shown)
	}
	// Recording the report clears it.
	id := strings.TrimPrefix(strings.SplitN(loc, "?", 2)[0], "/incidents/")
	admin.get("/incidents/" + id)
	form.Set("ico_reported_on", w.clock.now().Format("2006-01-02"))
	form.Set("dspt_reported_on", w.clock.now().Format("2006-01-02"))
	if status, _, _ := admin.post("/incidents/"+id, form); status != http.StatusSeeOther {
		t.Fatalf("update: %d", status)
	}
	if _, body, _ := admin.get(list); strings.Contains(text(body), "OVERDUE") {
		t.Errorf("still overdue after reporting: %s", text(body))
	}
	oak := w.browser()
	oak.signIn(w.oakAdmin)
	if status, _, _ := oak.get("/incidents/" + id); status != http.StatusNotFound {
		t.Errorf("another organisation's incident: %d", status)
	}
	oak.get("/orgs/" + w.oak.ID + "/incidents")
	if status, _, _ := oak.post("/incidents/"+id, form); status != http.StatusNotFound {
		t.Errorf("another organisation updating: %d", status)
	}
	viewer := w.browser()
	viewer.signIn(w.roseViewer)
	viewer.get(list)
	if status, _, _ := viewer.post(list, form); status != http.StatusForbidden {
		t.Errorf("a viewer recording: %d", status)
	}
}

func londonTZ(t *testing.T) *time.Location {
	l, err := time.LoadLocation("Europe/London")
	must(t, err)
	return l
}
