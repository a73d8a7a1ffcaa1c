package dashboard_test

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/handwash/handwash"
)

// The network register: a router with its default password is a failing
// finding; a bad date names its field and changes nothing.
func TestNetworkRegister(t *testing.T) {
	w := newWorld(t)
	admin := w.browser()
	admin.signIn(w.roseAdmin)
	page := "/orgs/" + w.rose.ID + "/network"
	status, body, _ := admin.get(page)
	if status != http.StatusOK || !strings.Contains(body, "No network devices are in the register yet") {
		t.Fatalf("empty register: %d: %s", status, text(body))
	}
	router := url.Values{"kind": {"router"}, "name": {"Office router"}, "model": {"BT Smart Hub 2"}, "password_changed": {"no"}, "support_ends": {"2030-01-31"}}
	bad := url.Values{}
	for k, v := range router {
		bad[k] = v
	}
	bad.Set("support_ends", "soon")
	if status, body, _ := admin.post(page, bad); status != http.StatusBadRequest || !strings.Contains(body, `href="#net-support_ends"`) {
		t.Errorf("bad date: %d: %s", status, text(body))
	}
	bad.Set("support_ends", "")
	bad.Set("kind", "toaster")
	if status, body, _ := admin.post(page, bad); status != http.StatusBadRequest || !strings.Contains(body, `href="#net-kind"`) {
		t.Errorf("bad kind: %d: %s", status, text(body))
	}
	if ds, _ := w.store.NetworkDevices(context.Background(), handwash.Scope{ProviderID: w.provider.ID}, w.rose.ID); len(ds) != 0 {
		t.Fatalf("refused forms stored %d devices", len(ds))
	}
	if status, body, _ := admin.post(page, router); status != http.StatusSeeOther {
		t.Fatalf("add: %d: %s", status, text(body))
	}
	_, body, _ = admin.get(page)
	shown := html.UnescapeString(text(body))
	if !strings.Contains(shown, "1 of 1 still use the password they came with: Office router (BT Smart Hub 2)") {
		t.Errorf("register after adding: %s", shown)
	}
	viewer := w.browser()
	viewer.signIn(w.roseViewer)
	viewer.get(page)
	if status, _, _ := viewer.post(page, router); status != http.StatusForbidden {
		t.Errorf("viewer adding: %d, want 403", status)
	}
	oak := w.browser()
	oak.signIn(w.oakAdmin)
	if status, _, _ := oak.get(page); status != http.StatusNotFound {
		t.Errorf("another organisation: %d, want 404", status)
	}
	ds, _ := w.store.NetworkDevices(context.Background(), handwash.Scope{ProviderID: w.provider.ID}, w.rose.ID)
	oak.get("/orgs/" + w.oak.ID + "/network")
	if status, _, _ := oak.post("/orgs/"+w.rose.ID+"/network/"+ds[0].ID+"/remove", url.Values{}); status != http.StatusNotFound {
		t.Errorf("another organisation removing: %d, want 404", status)
	}
	if status, _, _ := admin.post(page+"/"+ds[0].ID+"/remove", url.Values{}); status != http.StatusSeeOther {
		t.Errorf("remove: %d", status)
	}
}
