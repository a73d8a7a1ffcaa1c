package dashboard_test

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/handwash/handwash"
)

// An administrator imports the Entra ID registration details; the page
// then names the administrators without two-step verification. A bad file
// is refused with its line, and changes nothing.
func TestCloudAccountsImport(t *testing.T) {
	w := newWorld(t)
	admin := w.browser()
	admin.signIn(w.roseAdmin)
	page := "/orgs/" + w.rose.ID + "/accounts"
	status, body, _ := admin.get(page)
	if status != http.StatusOK || !strings.Contains(body, "No accounts have been imported yet") {
		t.Fatalf("empty accounts page: %d: %s", status, text(body))
	}
	export, err := os.ReadFile("../cloudimport/testdata/entra-registration.csv")
	must(t, err)
	bad := []byte(strings.Replace(string(export), ",True,True,True,False,", ",True,maybe,True,False,", 1))
	status, body, _ = admin.uploadAs(page, "export", "bad.csv", bad)
	if status != http.StatusBadRequest || !strings.Contains(html.UnescapeString(body), "Export file: line 2") {
		t.Errorf("bad export: %d: %s", status, text(body))
	}
	if accounts, _, _ := w.store.CloudAccounts(context.Background(), handwash.Scope{ProviderID: w.provider.ID}, w.rose.ID); len(accounts) != 0 {
		t.Fatalf("a refused export stored %d accounts", len(accounts))
	}
	status, body, loc := admin.uploadAs(page, "export", "registration.csv", export)
	if status != http.StatusSeeOther {
		t.Fatalf("import: %d: %s", status, text(body))
	}
	_, body, _ = admin.get(loc)
	shown := html.UnescapeString(text(body))
	if !strings.Contains(shown, "it.admin@rosecourtcare.example") || !strings.Contains(shown, "Microsoft 365") {
		t.Errorf("accounts page after the import: %s", shown)
	}
	// Viewers see the findings but cannot import; another organisation sees nothing.
	viewer := w.browser()
	viewer.signIn(w.roseViewer)
	if _, body, _ := viewer.get(page); strings.Contains(body, `id="import-h"`) || !strings.Contains(body, "it.admin@rosecourtcare.example") {
		t.Errorf("viewer's accounts page: %s", text(body))
	}
	if status, _, _ := viewer.uploadAs(page, "export", "registration.csv", export); status != http.StatusForbidden {
		t.Errorf("viewer importing: %d, want 403", status)
	}
	oak := w.browser()
	oak.signIn(w.oakAdmin)
	if status, _, _ := oak.get(page); status != http.StatusNotFound {
		t.Errorf("another organisation: %d, want 404", status)
	}
}

// Phones and tablets come from an Intune export and by hand; one entered
// by hand can be removed, and a bad entry names its field.
func TestPhones(t *testing.T) {
	w := newWorld(t)
	admin := w.browser()
	admin.signIn(w.roseAdmin)
	page := "/orgs/" + w.rose.ID + "/phones"
	admin.get(page)
	export, err := os.ReadFile("../mdmimport/testdata/intune-devices.csv")
	must(t, err)
	if status, body, _ := admin.uploadAs(page+"/import", "export", "intune.csv", export); status != http.StatusSeeOther {
		t.Fatalf("import: %d: %s", status, text(body))
	}
	admin.get(page)
	good := url.Values{"owner": {"Mo Patel"}, "model": {"iPhone 11"}, "os": {"ios"}, "os_version": {"15.8"}, "passcode": {"no"}, "managed": {"unknown"}, "encrypted": {"yes"}}
	bad := url.Values{}
	for k, v := range good {
		bad[k] = v
	}
	bad.Set("os_version", "fifteen")
	status, body, _ := admin.post(page, bad)
	if status != http.StatusBadRequest || !strings.Contains(html.UnescapeString(body), "os_version") {
		t.Errorf("bad entry: %d: %s", status, text(body))
	}
	if status, body, _ := admin.post(page, good); status != http.StatusSeeOther {
		t.Fatalf("add by hand: %d: %s", status, text(body))
	}
	ds, err := w.store.MobileDevices(context.Background(), handwash.Scope{ProviderID: w.provider.ID}, w.rose.ID)
	must(t, err)
	var hand *handwash.MobileDevice
	intune := 0
	for _, d := range ds {
		switch d.Source {
		case handwash.MobileByHand:
			hand = d
		case handwash.MobileIntune:
			intune++
		}
	}
	if hand == nil || intune == 0 {
		t.Fatalf("devices = %d from Intune, by hand %+v", intune, hand)
	}
	_, body, _ = admin.get(page)
	shown := html.UnescapeString(text(body))
	if !strings.Contains(shown, "Mo Patel") || !strings.Contains(shown, "Passcode") {
		t.Errorf("phones page: %s", shown)
	}
	if status, _, loc := admin.post(page+"/"+hand.ID+"/remove", url.Values{}); status != http.StatusSeeOther || !strings.HasSuffix(loc, "done=removed") {
		t.Errorf("remove: %d to %q", status, loc)
	}
	// An MDM's device cannot be removed by hand.
	var mdm string
	for _, d := range ds {
		if d.Source == handwash.MobileIntune {
			mdm = d.ID
		}
	}
	admin.get(page)
	if status, _, _ := admin.post(page+"/"+mdm+"/remove", url.Values{}); status != http.StatusNotFound {
		t.Errorf("removing an Intune device: %d, want 404", status)
	}
}
