package dashboard_test

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/handwash/handwash"
)

var jobAddress = regexp.MustCompile(`id="job-address">(https?://[^<]+)</code>`)

// An administrator adds a backup job and gets its address once; the job's
// reports then show on its page, and a failing job is marked on the list.
func TestBackupJobs(t *testing.T) {
	w := newWorld(t)
	admin := w.browser()
	admin.signIn(w.roseAdmin)
	page := "/orgs/" + w.rose.ID + "/backups"
	status, body, _ := admin.get(page)
	if status != http.StatusOK || !strings.Contains(body, "No backup jobs yet") {
		t.Fatalf("empty backups page: %d: %s", status, text(body))
	}
	// Refused: 400 naming the field, nothing stored.
	for _, c := range []struct{ field, value, says string }{
		{"name", "", "Name:"},
		{"every_hours", "0", "Runs every:"},
		{"every_hours", "745", "Runs every:"},
		{"grace_hours", "48", "May be late by:"},
	} {
		form := url.Values{"name": {"Nightly NAS"}, "every_hours": {"24"}, "grace_hours": {"2"}}
		form.Set(c.field, c.value)
		status, body, _ := admin.post(page, form)
		if status != http.StatusBadRequest || !strings.Contains(html.UnescapeString(body), c.says) {
			t.Errorf("%s=%q: %d, want 400 saying %q: %s", c.field, c.value, status, c.says, text(body))
		}
	}
	if jobs, _ := w.store.BackupJobs(context.Background(), handwash.Scope{ProviderID: w.provider.ID}, ""); len(jobs) != 0 {
		t.Fatalf("refused forms stored %d jobs", len(jobs))
	}
	status, body, _ = admin.post(page, url.Values{"name": {"Nightly NAS"}, "every_hours": {"24"}, "grace_hours": {"2"}})
	m := jobAddress.FindStringSubmatch(body)
	if status != http.StatusCreated || m == nil {
		t.Fatalf("add a job: %d: %s", status, text(body))
	}
	address := html.UnescapeString(m[1])
	cred := address[strings.LastIndex(address, "/")+1:]
	id, _, ok := handwash.ParseCredential(handwash.PrefixBackupJob, cred)
	if !ok {
		t.Fatalf("address %q holds no job credential", address)
	}
	// The address works, as the API serves it.
	job, err := w.store.BackupJobForPing(context.Background(), id)
	if err != nil || !handwash.SecretMatches(cred[strings.LastIndexByte(cred, '_')+1:], job.SecretHash) {
		t.Fatalf("the address shown does not match the stored job: %v", err)
	}
	must(t, w.store.RecordBackupPing(context.Background(), &handwash.BackupPing{JobID: id, At: w.clock.now(), Success: false, Message: "destination full"}))

	// The address is never shown again; the failure shows on both pages.
	status, body, _ = admin.get("/backup-jobs/" + id)
	if status != http.StatusOK || jobAddress.MatchString(body) || !strings.Contains(body, "destination full") || !strings.Contains(body, "FAILED") {
		t.Errorf("job page: %d: %s", status, text(body))
	}
	_, body, _ = admin.get(page)
	if r := row(body, "Nightly NAS"); !strings.Contains(r, "FAILED") || !strings.Contains(r, "every day") {
		t.Errorf("jobs list row: %q", r)
	}
	// Viewers see but cannot add or remove; another organisation sees nothing.
	viewer := w.browser()
	viewer.signIn(w.roseViewer)
	if _, body, _ := viewer.get(page); strings.Contains(body, "Add a backup job") || !strings.Contains(body, "Nightly NAS") {
		t.Errorf("viewer's backups page: %s", text(body))
	}
	if status, _, _ := viewer.post("/backup-jobs/"+id+"/delete", url.Values{}); status != http.StatusForbidden {
		t.Errorf("viewer removing a job: %d, want 403", status)
	}
	oak := w.browser()
	oak.signIn(w.oakAdmin)
	for _, p := range []string{"/backup-jobs/" + id, page} {
		if status, _, _ := oak.get(p); status != http.StatusNotFound {
			t.Errorf("another organisation, %s: %d, want 404", p, status)
		}
	}
	// Overdue once a day and two hours have passed without a success.
	w.clock.advance(27 * time.Hour)
	admin = w.browser() // the old session timed out meanwhile
	admin.signIn(w.roseAdmin)
	if _, body, _ := admin.get(page); !strings.Contains(row(body, "Nightly NAS"), "OVERDUE") {
		t.Errorf("after 27 hours: %q", row(body, "Nightly NAS"))
	}
	admin.get("/backup-jobs/" + id)
	if status, _, loc := admin.post("/backup-jobs/"+id+"/delete", url.Values{}); status != http.StatusSeeOther || loc != page {
		t.Errorf("remove: %d to %q", status, loc)
	}
	if _, err := w.store.BackupJobForPing(context.Background(), id); handwash.ErrorCode(err) != handwash.ENOTFOUND {
		t.Errorf("after removing: %v", err)
	}
}
