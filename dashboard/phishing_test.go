package dashboard_test

import (
	"bytes"
	"context"
	"html"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/handwash/handwash"
)

// upload sends an email file with the report form, as a browser does.
func (b *browser) upload(path, filename string, data []byte) (int, string, string) {
	b.t.Helper()
	return b.uploadAs(path, "message", filename, data)
}

// uploadAs sends a file in the form field named field.
func (b *browser) uploadAs(path, field, filename string, data []byte) (int, string, string) {
	b.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	must(b.t, mw.WriteField("csrf", b.csrf))
	if filename != "" {
		fw, err := mw.CreateFormFile(field, filename)
		must(b.t, err)
		_, err = fw.Write(data)
		must(b.t, err)
	}
	must(b.t, mw.Close())
	req, err := http.NewRequest(http.MethodPost, b.w.srv.URL+path, &body)
	must(b.t, err)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	res, err := b.client.Do(req)
	must(b.t, err)
	defer res.Body.Close()
	page, err := io.ReadAll(res.Body)
	must(b.t, err)
	if m := csrfField.FindSubmatch(page); m != nil {
		b.csrf = string(m[1])
	}
	return res.StatusCode, string(page), res.Header.Get("Location")
}

// phishSample is a real phishing email from the shared corpus.
func phishSample(t *testing.T) []byte {
	t.Helper()
	b, err := os.ReadFile("../../shared/fixtures/email/spamassassin/spam/phishing_openphish.eml")
	if err != nil {
		t.Skipf("the shared email corpus is not beside the repository: %v", err)
	}
	return b
}

// Anyone at an organisation can report an email on the dashboard; they see
// what was found, the month counts it, and only administrators can open
// the email itself.
func TestPhishingUpload(t *testing.T) {
	w := newWorld(t)
	raw := phishSample(t)
	viewer := w.browser()
	viewer.signIn(w.roseViewer)
	page := "/orgs/" + w.rose.ID + "/phishing"
	status, body, _ := viewer.get(page)
	if status != http.StatusOK || !strings.Contains(body, "No reports yet") || !strings.Contains(body, "No mailbox is set up") {
		t.Fatalf("empty phishing page: %d: %s", status, text(body))
	}
	status, body, loc := viewer.upload(page, "suspicious.eml", raw)
	if status != http.StatusSeeOther || !strings.HasPrefix(loc, "/phishing/") {
		t.Fatalf("upload: %d to %q: %s", status, loc, text(body))
	}
	status, body, _ = viewer.get(loc)
	shown := html.UnescapeString(text(body))
	if status != http.StatusOK || !strings.Contains(shown, "Thank you for reporting") || !strings.Contains(shown, "Phishing Test OpenPhish") ||
		!strings.Contains(shown, "What Handwash found") || strings.Contains(body, "/original") {
		t.Fatalf("report page for a viewer: %d: %s", status, shown)
	}
	id := strings.TrimPrefix(strings.Split(loc, "?")[0], "/phishing/")
	if status, _, _ := viewer.get("/phishing/" + id + "/original"); status != http.StatusForbidden {
		t.Errorf("a viewer opening the email itself: %d, want 403", status)
	}
	status, body, _ = viewer.get(page)
	if status != http.StatusOK || !strings.Contains(row(body, "Phishing Test OpenPhish"), "ali@rosehouse.example (uploaded)") {
		t.Errorf("phishing page after the upload: %s", text(body))
	}

	// The organisation's administrator may download it, as a file.
	admin := w.browser()
	admin.signIn(w.roseAdmin)
	res := admin.raw("/phishing/" + id + "/original")
	if res.status != http.StatusOK || res.body != string(raw) || !strings.HasPrefix(res.header.Get("Content-Disposition"), "attachment;") ||
		res.header.Get("Content-Type") != "application/octet-stream" {
		t.Errorf("download: %d, %q, %d bytes", res.status, res.header.Get("Content-Disposition"), len(res.body))
	}
	// Another organisation sees nothing of it.
	oak := w.browser()
	oak.signIn(w.oakAdmin)
	for _, p := range []string{"/phishing/" + id, "/phishing/" + id + "/original", page} {
		if status, _, _ := oak.get(p); status != http.StatusNotFound {
			t.Errorf("another organisation's admin, %s: %d, want 404", p, status)
		}
	}
	// The upload and the download are in the audit log.
	entries, _, err := w.store.Audit(context.Background(), handwash.Scope{ProviderID: w.provider.ID}, handwash.AuditFilter{Limit: 50})
	must(t, err)
	var actions []string
	for _, e := range entries {
		actions = append(actions, e.Action)
	}
	if got := strings.Join(actions, " "); !strings.Contains(got, "phish_report.upload") || !strings.Contains(got, "phish_report.download") {
		t.Errorf("audit log actions: %s", got)
	}
}

// A bad upload is answered 400 naming the field, and stores nothing.
func TestPhishingUploadRefused(t *testing.T) {
	w := newWorld(t)
	b := w.browser()
	b.signIn(w.roseAdmin)
	page := "/orgs/" + w.rose.ID + "/phishing"
	b.get(page)
	for name, c := range map[string]struct {
		file string
		data []byte
	}{
		"no file":    {"", nil},
		"empty file": {"empty.eml", []byte("\r\n")},
	} {
		status, body, _ := b.upload(page, c.file, c.data)
		if status != http.StatusBadRequest || !strings.Contains(body, `class="error-summary"`) || !strings.Contains(body, "Email file:") {
			t.Errorf("%s: %d, want 400 naming the email file: %s", name, status, text(body))
		}
	}
	reports, total, err := w.store.PhishReports(context.Background(), handwash.Scope{ProviderID: w.provider.ID}, handwash.PhishReportFilter{})
	must(t, err)
	if total != 0 {
		t.Errorf("refused uploads were stored: %v", reports)
	}
}
