package dashboard_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"
)

// An administrator answers a question, keeps a file with it and reads it
// back; a bad date changes nothing; a viewer reads but cannot answer;
// another organisation sees nothing; an answer past its review date counts
// as not answered.
func TestSelfAssessment(t *testing.T) {
	w := newWorld(t)
	admin := w.browser()
	admin.signIn(w.roseAdmin)
	list := "/orgs/" + w.rose.ID + "/assessment"
	status, body, _ := admin.get(list)
	if status != http.StatusOK || !strings.Contains(text(body), "Answered 0 of") || !strings.Contains(body, `href="/orgs/`+w.rose.ID+`/assessment/backup.offline-copy"`) {
		t.Fatalf("the list: %d: %s", status, text(body))
	}
	q := list + "/backup.offline-copy"
	if status, body, _ := admin.get(q); status != http.StatusOK || !strings.Contains(text(body), "not permanently connected") {
		t.Fatalf("the question: %d: %s", status, text(body))
	}
	bad := url.Values{"value": {"yes"}, "note": {"A USB drive, unplugged each night"}, "owner": {"Jo Brown"}, "review_by": {"2001-01-01"}}
	if status, body, _ := admin.post(q, bad); status != http.StatusBadRequest || !strings.Contains(body, `href="#review_by"`) || !strings.Contains(body, "A USB drive, unplugged") {
		t.Errorf("a past review date: %d: %s", status, text(body))
	}
	na := url.Values{"value": {"not-applicable"}, "note": {""}, "owner": {"Jo Brown"}}
	if status, body, _ := admin.post(q, na); status != http.StatusBadRequest || !strings.Contains(body, `href="#note"`) {
		t.Errorf("does not apply, without saying why: %d: %s", status, text(body))
	}
	if _, body, _ := admin.get(list); !strings.Contains(text(body), "Answered 0 of") {
		t.Errorf("a refused answer was saved: %s", text(body))
	}
	good := url.Values{"value": {"yes"}, "note": {"A USB drive, unplugged each night"}, "owner": {"Jo Brown"}, "review_by": {w.clock.now().AddDate(0, 6, 0).Format("2006-01-02")}}
	if status, _, loc := admin.post(q, good); status != http.StatusSeeOther || !strings.Contains(loc, "done=saved") {
		t.Fatalf("save: %d %s", status, loc)
	}
	_, body, _ = admin.get(list)
	if shown := text(body); !strings.Contains(shown, "Answered 1 of") || !strings.Contains(shown, "Yes Jo Brown") {
		t.Errorf("after answering: %s", shown)
	}
	admin.get(q)
	if status, _, loc := admin.uploadAs(q+"/files", "file", "unplug-log.pdf", []byte("%PDF-1.4 the log")); status != http.StatusSeeOther || !strings.Contains(loc, "uploaded") {
		t.Fatalf("upload: %d %s", status, loc)
	}
	admin.get(q)
	if status, body, _ := admin.uploadAs(q+"/files", "file", "run-me.html", []byte("<script>alert(1)</script>")); status != http.StatusBadRequest || !strings.Contains(text(body), "is not a kind of file kept as evidence") {
		t.Errorf("an HTML file: %d: %s", status, text(body))
	}
	_, body, _ = admin.get(q)
	link := regexpFind(body, `href="(/answer-files/[^"]+)"`)
	res := admin.raw(link)
	if res.status != http.StatusOK || res.body != "%PDF-1.4 the log" || !strings.HasPrefix(res.header.Get("Content-Disposition"), "attachment") || res.header.Get("Content-Type") != "application/pdf" {
		t.Errorf("download: %d %v %q", res.status, res.header, res.body)
	}
	viewer := w.browser()
	viewer.signIn(w.roseViewer)
	if _, body, _ := viewer.get(q); strings.Contains(body, "Save the answer") {
		t.Error("a viewer is offered the form")
	}
	if status, _, _ := viewer.post(q, good); status != http.StatusForbidden {
		t.Errorf("a viewer answering: %d", status)
	}
	oak := w.browser()
	oak.signIn(w.oakAdmin)
	if status, _, _ := oak.get(q); status != http.StatusNotFound {
		t.Errorf("another organisation's question page: %d", status)
	}
	if res := oak.raw(link); res.status != http.StatusNotFound {
		t.Errorf("another organisation's file: %d", res.status)
	}
	if status, _, _ := admin.get(list + "/no.such-question"); status != http.StatusNotFound {
		t.Errorf("an unknown question: %d", status)
	}
	// Past its review date, the answer counts as not answered.
	w.clock.advance(7 * 30 * 24 * time.Hour)
	admin.signIn(w.roseAdmin)
	if _, body, _ := admin.get(list); !strings.Contains(text(body), "Answered 0 of") || !strings.Contains(text(body), "(review overdue)") {
		t.Errorf("after the review date: %s", text(body))
	}
}

// regexpFind returns the first group of pattern in s, or "".
func regexpFind(s, pattern string) string {
	if m := regexp.MustCompile(pattern).FindStringSubmatch(s); m != nil {
		return m[1]
	}
	return ""
}
