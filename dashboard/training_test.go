package dashboard_test

import (
	"context"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/handwash/handwash"
)

// The register is imported from a real-looking CSV with its training
// dates, a malformed file changes nothing and names its line, training is
// recorded by hand, and the share trained is judged against 95%.
func TestTrainingRegister(t *testing.T) {
	w := newWorld(t)
	admin := w.browser()
	admin.signIn(w.roseAdmin)
	page := "/orgs/" + w.rose.ID + "/training"
	if status, body, _ := admin.get(page); status != http.StatusOK || !strings.Contains(text(body), "0 of 0") {
		t.Fatalf("empty: %d: %s", status, text(body))
	}
	bad := []byte("Name,Email,Training completed\nAnn Lee,ann@rose.example,31/03/2026\nBo Chan,bo@rose.example,03/31/2026\n")
	status, body, _ := admin.uploadAs("/orgs/"+w.rose.ID+"/staff/import", "export", "register.csv", bad)
	if status != http.StatusBadRequest || !strings.Contains(text(body), "line 3") {
		t.Errorf("a US date: %d: %s", status, text(body))
	}
	scope := handwash.Scope{ProviderID: w.provider.ID}
	if staff, _ := w.store.Staff(context.Background(), scope, w.rose.ID); len(staff) != 0 {
		t.Fatalf("a refused file imported %d people", len(staff))
	}
	good, err := os.ReadFile("../training/testdata/" + firstCSV(t))
	must(t, err)
	admin.get(page)
	if status, body, loc := admin.uploadAs("/orgs/"+w.rose.ID+"/staff/import", "export", "register.csv", good); status != http.StatusSeeOther {
		t.Fatalf("import: %d %s: %s", status, loc, text(body))
	}
	staff, err := w.store.Staff(context.Background(), scope, w.rose.ID)
	must(t, err)
	if len(staff) == 0 {
		t.Fatal("nothing imported")
	}
	_, body, _ = admin.get(page)
	if !strings.Contains(text(body), "Who is due") {
		t.Errorf("after the import: %s", text(body))
	}
	// Record training by hand for someone, with a future date refused.
	admin.get(page)
	future := w.clock.now().AddDate(0, 0, 3).Format("2006-01-02")
	if status, body, _ := admin.post(page, url.Values{"staff": {staff[0].ID}, "course": {"Level 1"}, "completed_on": {future}}); status != http.StatusBadRequest || !strings.Contains(body, `href="#record-completed_on"`) {
		t.Errorf("a future date: %d: %s", status, text(body))
	}
	if status, _, _ := admin.post(page, url.Values{"staff": {staff[0].ID}, "course": {"Level 1"}, "completed_on": {w.clock.now().Format("2006-01-02")}}); status != http.StatusSeeOther {
		t.Errorf("record: %d", status)
	}
	oak := w.browser()
	oak.signIn(w.oakAdmin)
	oak.get("/orgs/" + w.oak.ID + "/training")
	if status, _, _ := oak.post(page, url.Values{"staff": {staff[0].ID}, "course": {"x"}, "completed_on": {"2026-01-01"}}); status != http.StatusNotFound {
		t.Errorf("another organisation recording: %d", status)
	}
	viewer := w.browser()
	viewer.signIn(w.roseViewer)
	viewer.get(page)
	if status, _, _ := viewer.post("/orgs/"+w.rose.ID+"/staff", url.Values{"name": {"Zed"}}); status != http.StatusForbidden {
		t.Errorf("a viewer adding a person: %d", status)
	}
}

// firstCSV names one of the training package's example registers.
func firstCSV(t *testing.T) string {
	entries, err := os.ReadDir("../training/testdata")
	must(t, err)
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".csv") {
			return e.Name()
		}
	}
	t.Fatal("no example register in training/testdata")
	return ""
}
