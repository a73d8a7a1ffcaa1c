package dashboard_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// The readiness page combines the organisation's devices and answers: an
// answer of no to the cloud MFA question puts Cyber Essentials' automatic
// fail at the top of the action plan; other organisations see nothing.
func TestReadiness(t *testing.T) {
	w := newWorld(t)
	admin := w.browser()
	admin.signIn(w.roseAdmin)
	page := "/orgs/" + w.rose.ID + "/readiness"
	res := admin.raw(page)
	if res.status != http.StatusOK || !strings.Contains(res.header.Get("Content-Security-Policy"), "default-src 'none'") || !strings.Contains(res.body, "Rose House") {
		t.Fatalf("readiness: %d %v %s", res.status, res.header, text(res.body))
	}
	q := "/orgs/" + w.rose.ID + "/assessment/passwords.mfa-cloud-services"
	admin.get(q)
	if status, _, _ := admin.post(q, url.Values{"value": {"no"}, "note": {"Email has no two-step verification"}, "owner": {"Jo Brown"}}); status != http.StatusSeeOther {
		t.Fatalf("answer: %d", status)
	}
	// A register with nobody trained fails DSPT 3.2.1's 95%.
	admin.get("/orgs/" + w.rose.ID + "/training")
	if status, _, _ := admin.post("/orgs/"+w.rose.ID+"/staff", url.Values{"name": {"Ann Lee"}}); status != http.StatusSeeOther {
		t.Fatalf("add a person: %d", status)
	}
	plain := admin.raw(page + ".txt")
	if !strings.Contains(plain.body, "people.training-95") {
		t.Errorf("the training finding is not in the readiness report")
	}
	if plain.status != http.StatusOK || !strings.Contains(plain.header.Get("Content-Disposition"), "handwash-readiness-rose-house") {
		t.Fatalf("text: %d %v", plain.status, plain.header)
	}
	if !strings.Contains(plain.body, "passwords.mfa-cloud-services") || !strings.Contains(plain.body, "Email has no two-step verification") && !strings.Contains(plain.body, "mfa") {
		t.Errorf("the plan does not carry the answer: %s", plain.body)
	}
	plan := plain.body[strings.Index(plain.body, "Action plan\n====="):]
	if i := strings.Index(plan, "passwords.mfa-cloud-services"); i < 0 || i > 1500 {
		t.Errorf("the automatic fail is not at the top of the plan: %s", plan[:min(len(plan), 2000)])
	}
	pdf := admin.raw(page + ".pdf")
	if pdf.status != http.StatusOK || pdf.header.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(pdf.body, "%PDF-") {
		t.Errorf("pdf: %d %v", pdf.status, pdf.header)
	}
	oak := w.browser()
	oak.signIn(w.oakAdmin)
	if res := oak.raw(page); res.status != http.StatusNotFound {
		t.Errorf("another organisation: %d", res.status)
	}
}
