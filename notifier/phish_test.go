package notifier

import (
	"crypto/sha256"
	"encoding/hex"
	"mime"
	"slices"
	"strings"
	"testing"

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
