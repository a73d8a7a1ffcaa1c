package notifier

import (
	"crypto/sha256"
	"encoding/hex"
	"mime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/handwash/handwash"
)

// report stores a phishing report as the inbox would.
func (w *world) report(verdict, reporter, raw string, thank bool) *handwash.PhishReport {
	w.t.Helper()
	sum := sha256.Sum256([]byte(raw))
	r := &handwash.PhishReport{OrgID: w.org.ID, Source: handwash.PhishFromMailbox, Reporter: reporter, Carried: "attached",
		From: "NHS Payroll <payroll@nhs-payro1l.example>", Subject: "Confirm your bank details", Verdict: verdict, Score: 12,
		Analysis:   []byte(`{"verdict":"` + verdict + `","signs":[{"id":"sender.lookalike","title":"The sender's address imitates NHS"}]}`),
		Digest:     hex.EncodeToString(sum[:]),
		ReceivedAt: w.clock}
	_, err := w.store.PutPhishReport(w.ctx, handwash.Scope{ProviderID: w.prov.ID}, r, []byte(raw), thank)
	w.must(err)
	return r
}

func TestPhishReportNotices(t *testing.T) {
	w := newWorld(t)
	n := w.notifier(true)
	r := w.report(handwash.PhishVerdictPhishing, "carer@rose.example", "message one", true)
	w.round(n)
	mail := w.mail.Take()
	got := recipients(mail)
	slices.Sort(got)
	// The reporter is thanked; the administrators hear of likely phishing
	// (the viewer chose only stale devices).
	want := []string{"ada@acme.example", "carer@rose.example", "mo@rose.example"}
	if !slices.Equal(got, want) {
		t.Fatalf("mail went to %v; want %v", got, want)
	}
	for _, m := range mail {
		m.Subject, _ = new(mime.WordDecoder).DecodeHeader(m.Subject)
		if m.To == "carer@rose.example" {
			if !strings.Contains(m.Subject, "Thank you for reporting") || !strings.Contains(m.Body, "likely phishing") || strings.Contains(m.Body, "/phishing/") {
				t.Errorf("thanks: subject %q, body %q; want the verdict and no dashboard link", m.Subject, m.Body)
			}
			continue
		}
		if !strings.Contains(m.Subject, "Likely phishing reported") || !strings.Contains(m.Body, "imitates NHS") || !strings.Contains(m.Body, "/phishing/"+r.ID) {
			t.Errorf("notice to %s: subject %q, body %q", m.To, m.Subject, m.Body)
		}
	}
	// The Slack hook takes every kind; the generic one chose others.
	posts := w.hooks.take()
	if len(posts) != 1 || !strings.Contains(string(posts[0].body), "Likely phishing reported") {
		t.Errorf("posts = %+v; want one to Slack", posts)
	}

	// An email with no signs, or one from outside that is not thanked,
	// tells IT nothing.
	w.report(handwash.PhishVerdictNone, "nurse@rose.example", "message two", true)
	w.report(handwash.PhishVerdictSuspicious, "stranger@elsewhere.example", "message three", false)
	w.round(n)
	mail = w.mail.Take()
	if len(mail) != 1 || mail[0].To != "nurse@rose.example" || !strings.Contains(mail[0].Body, "no signs of phishing") {
		t.Errorf("mail = %+v; want only the nurse's thanks", mail)
	}
	if posts := w.hooks.take(); len(posts) != 0 {
		t.Errorf("posts = %+v; want none", posts)
	}
}

// A failed backup and an overdue one each reach the administrators once,
// with the fake clock moving past the job's due time; one put right before
// the notice goes out says nothing.
func TestBackupNotices(t *testing.T) {
	w := newWorld(t)
	n := w.notifier(true)
	scope := handwash.Scope{ProviderID: w.prov.ID}
	job := &handwash.BackupJob{OrgID: w.org.ID, Name: "Nightly NAS", Every: 24 * time.Hour, Grace: time.Hour, SecretHash: handwash.HashSecret("s"), CreatedAt: w.clock}
	w.must(w.store.CreateBackupJob(w.ctx, scope, job))
	ping := func(ok bool, msg string) {
		w.t.Helper()
		w.must(w.store.RecordBackupPing(w.ctx, &handwash.BackupPing{JobID: job.ID, At: w.clock, Success: ok, Message: msg}))
	}
	subjects := func() []string {
		var out []string
		for _, m := range w.mail.Take() {
			s, _ := new(mime.WordDecoder).DecodeHeader(m.Subject)
			out = append(out, m.To+": "+s)
		}
		slices.Sort(out)
		return out
	}
	ping(true, "")
	w.clock = w.clock.Add(20 * time.Hour)
	w.round(n)
	if got := subjects(); len(got) != 0 {
		t.Fatalf("mail before anything went wrong: %v", got)
	}
	ping(false, "destination full")
	w.clock = w.clock.Add(time.Minute)
	w.round(n)
	got := subjects()
	if len(got) != 2 || !strings.Contains(got[0], "ada@acme.example: [Handwash] Rose Care Home: Backup failed: Nightly NAS") {
		t.Errorf("after a failure: %v; want the two administrators told", got)
	}
	// Past due (a day and an hour after the last success): overdue, once.
	w.clock = w.clock.Add(6 * time.Hour)
	w.round(n)
	w.clock = w.clock.Add(time.Hour)
	w.round(n)
	if got := subjects(); len(got) != 2 || !strings.Contains(got[1], "Backup overdue: Nightly NAS") {
		t.Errorf("once overdue: %v; want one notice each", got)
	}
	// A failure put right before the round goes out says nothing.
	ping(true, "")
	w.clock = w.clock.Add(time.Hour)
	ping(false, "again")
	ping(true, "retried")
	w.round(n)
	if got := subjects(); len(got) != 0 {
		t.Errorf("a failure already put right was notified: %v", got)
	}
}
