package storetest

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"testing"
	"time"

	"github.com/handwash/handwash"
)

// phishReport makes a report of message raw for an organisation.
func phishReport(orgID, verdict, reporter, raw string, at time.Time) *handwash.PhishReport {
	sum := sha256.Sum256([]byte(raw))
	return &handwash.PhishReport{OrgID: orgID, Source: handwash.PhishFromMailbox, Reporter: reporter, Carried: "attached",
		From: "billing@paypa1.example", Subject: "Invoice", Verdict: verdict, Score: 9,
		Analysis: []byte(`{"verdict":"` + verdict + `"}`), Digest: hex.EncodeToString(sum[:]), ReceivedAt: at}
}

func testPhishInbox(t *testing.T, s handwash.Store) {
	w := newWorld(t, s)
	_, err := s.PhishInbox(w.ctx, w.a, w.orgA1.ID)
	wantCode(t, "PhishInbox before any", err, handwash.ENOTFOUND)
	in := &handwash.PhishInbox{OrgID: w.orgA1.ID, Addr: "imap.rose.example:993", Username: "report@rose.example", Password: "s3cret", Domains: []string{"rose.example", "rosecare.example"}, CreatedAt: t0}
	must(t, s.PutPhishInbox(w.ctx, w.a1, in))
	must(t, s.SetPhishInboxStatus(w.ctx, w.orgA1.ID, t0.Add(time.Minute), "could not log in"))
	got, err := s.PhishInbox(w.ctx, w.a, w.orgA1.ID)
	must(t, err)
	if got.Password != "s3cret" || got.ProviderID != w.provA.ID || len(got.Domains) != 2 || got.LastError != "could not log in" || got.LastCheckedAt == nil {
		t.Errorf("PhishInbox = %+v", got)
	}
	// Replacing the settings clears the old status.
	in.Password, in.Domains = "n3w", nil
	must(t, s.PutPhishInbox(w.ctx, w.a, in))
	got, err = s.PhishInbox(w.ctx, w.a1, w.orgA1.ID)
	must(t, err)
	if got.Password != "n3w" || len(got.Domains) != 0 || got.LastError != "" || got.LastCheckedAt != nil {
		t.Errorf("PhishInbox after replacing = %+v", got)
	}
	// Other tenants see nothing and change nothing.
	_, err = s.PhishInbox(w.ctx, w.a2, w.orgA1.ID)
	wantCode(t, "PhishInbox from another organisation", err, handwash.ENOTFOUND)
	_, err = s.PhishInbox(w.ctx, w.b, w.orgA1.ID)
	wantCode(t, "PhishInbox from another provider", err, handwash.ENOTFOUND)
	wantCode(t, "PutPhishInbox from another provider", s.PutPhishInbox(w.ctx, w.b, &handwash.PhishInbox{OrgID: w.orgA1.ID, Addr: "x:1", Username: "u", Password: "p"}), handwash.ENOTFOUND)
	wantCode(t, "DeletePhishInbox from another organisation", s.DeletePhishInbox(w.ctx, w.a2, w.orgA1.ID), handwash.ENOTFOUND)
	wantCode(t, "PutPhishInbox without a password", s.PutPhishInbox(w.ctx, w.a, &handwash.PhishInbox{OrgID: w.orgA2.ID, Addr: "x:1", Username: "u"}), handwash.EINVALID)

	all, err := s.PhishInboxes(w.ctx)
	must(t, err)
	if len(all) != 1 || all[0].OrgID != w.orgA1.ID || all[0].Password != "n3w" {
		t.Errorf("PhishInboxes = %+v; want A1's with its password", all)
	}
	must(t, s.DeletePhishInbox(w.ctx, w.a, w.orgA1.ID))
	wantCode(t, "DeletePhishInbox twice", s.DeletePhishInbox(w.ctx, w.a, w.orgA1.ID), handwash.ENOTFOUND)
}

func testPhishReports(t *testing.T, s handwash.Store) {
	w := newWorld(t, s)
	original := "From: billing@paypa1.example\r\nSubject: Invoice\r\n\r\nPay now\r\n"
	r := phishReport(w.orgA1.ID, handwash.PhishVerdictPhishing, "carer@rose.example", original, t0)
	created, err := s.PutPhishReport(w.ctx, w.a1, r, []byte(original), true)
	must(t, err)
	if !created || r.ID == "" || r.ProviderID != w.provA.ID || !r.Thanked || r.Size != len(original) {
		t.Fatalf("PutPhishReport = %v, %+v", created, r)
	}
	// The thanks and the notice to IT were queued with it.
	events := w.pendingEvents(t)
	kinds := map[handwash.NotifyKind]*handwash.NotifyEvent{}
	for _, e := range events {
		kinds[e.Kind] = e
	}
	if e := kinds[handwash.NotifyPhishThanks]; e == nil || e.Email != "carer@rose.example" || e.ReportID != r.ID || e.OrgName != w.orgA1.Name {
		t.Errorf("thanks event = %+v; want one to the reporter about the report", e)
	}
	if e := kinds[handwash.NotifyPhishReported]; e == nil || e.ReportID != r.ID || e.Email != "" {
		t.Errorf("phishing notice = %+v; want one about the report", e)
	}

	// The same message again is the same report, and queues nothing.
	again := phishReport(w.orgA1.ID, handwash.PhishVerdictPhishing, "someone@rose.example", original, t0.Add(time.Hour))
	created, err = s.PutPhishReport(w.ctx, w.a1, again, []byte(original), true)
	must(t, err)
	if created || again.ID != r.ID || again.Reporter != "carer@rose.example" {
		t.Errorf("PutPhishReport of the same message = %v, %+v; want the stored report", created, again)
	}
	if n := len(w.pendingEvents(t)); n != len(events) {
		t.Errorf("pending events after a repeat = %d; want %d", n, len(events))
	}
	// Another organisation may hold the same message.
	other := phishReport(w.orgA2.ID, handwash.PhishVerdictNone, "", original, t0)
	created, err = s.PutPhishReport(w.ctx, w.a, other, []byte(original), false)
	if err != nil || !created || other.Thanked {
		t.Errorf("PutPhishReport in another organisation = %v, %v, thanked %v", created, err, other.Thanked)
	}

	got, err := s.PhishReport(w.ctx, w.a1, r.ID)
	must(t, err)
	if got.Subject != "Invoice" || got.Verdict != handwash.PhishVerdictPhishing || string(got.Analysis) != string(r.Analysis) || !got.ReceivedAt.Equal(norm(t0)) {
		t.Errorf("PhishReport = %+v", got)
	}
	data, err := s.PhishOriginal(w.ctx, w.a1, r.ID)
	if err != nil || !bytes.Equal(data, []byte(original)) {
		t.Errorf("PhishOriginal = %q, %v; want the message as received", data, err)
	}
	// Other tenants see nothing.
	_, err = s.PhishReport(w.ctx, w.a2, r.ID)
	wantCode(t, "PhishReport from another organisation", err, handwash.ENOTFOUND)
	_, err = s.PhishOriginal(w.ctx, w.b, r.ID)
	wantCode(t, "PhishOriginal from another provider", err, handwash.ENOTFOUND)
	_, err = s.PutPhishReport(w.ctx, w.b, phishReport(w.orgA1.ID, handwash.PhishVerdictNone, "", "x", t0), []byte("x"), false)
	wantCode(t, "PutPhishReport from another provider", err, handwash.ENOTFOUND)
	list, total, err := s.PhishReports(w.ctx, w.a2, handwash.PhishReportFilter{})
	if err != nil || total != 1 || len(list) != 1 || list[0].OrgID != w.orgA2.ID {
		t.Errorf("PhishReports for A2 = %v, %d, %v; want its one report", list, total, err)
	}
	list, total, err = s.PhishReports(w.ctx, w.a, handwash.PhishReportFilter{Verdict: handwash.PhishVerdictPhishing})
	if err != nil || total != 1 || len(list) != 1 || list[0].ID != r.ID {
		t.Errorf("PhishReports of likely phishing = %v, %d, %v", list, total, err)
	}
	if list, _, _ := s.PhishReports(w.ctx, w.b, handwash.PhishReportFilter{}); len(list) != 0 {
		t.Errorf("PhishReports for provider B = %v; want none", list)
	}
}

func testPhishReportRefused(t *testing.T, s handwash.Store) {
	w := newWorld(t, s)
	for name, change := range map[string]func(r *handwash.PhishReport){
		"source":   func(r *handwash.PhishReport) { r.Source = "fax" },
		"verdict":  func(r *handwash.PhishReport) { r.Verdict = "bad" },
		"digest":   func(r *handwash.PhishReport) { r.Digest = "abc" },
		"analysis": func(r *handwash.PhishReport) { r.Analysis = nil },
	} {
		r := phishReport(w.orgA1.ID, handwash.PhishVerdictNone, "a@rose.example", name, t0)
		change(r)
		_, err := s.PutPhishReport(w.ctx, w.a, r, []byte(name), false)
		wantCode(t, "PutPhishReport with a bad "+name, err, handwash.EINVALID)
	}
	_, err := s.PutPhishReport(w.ctx, w.a, phishReport(w.orgA1.ID, handwash.PhishVerdictNone, "", "m", t0), []byte("m"), true)
	wantCode(t, "PutPhishReport thanking nobody", err, handwash.EINVALID)
	if list, total, _ := s.PhishReports(w.ctx, w.a, handwash.PhishReportFilter{}); total != 0 || len(list) != 0 {
		t.Errorf("refused reports were stored: %v", list)
	}
	if n := len(w.pendingEvents(t)); n != 0 {
		t.Errorf("refused reports queued %d events", n)
	}
}

func testPhishMonths(t *testing.T, s handwash.Store) {
	w := newWorld(t, s)
	at := []struct {
		when    time.Time
		verdict string
	}{
		{time.Date(2026, 1, 31, 23, 59, 0, 0, time.UTC), handwash.PhishVerdictPhishing},
		{time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC), handwash.PhishVerdictSuspicious},
		{time.Date(2026, 2, 14, 12, 0, 0, 0, time.UTC), handwash.PhishVerdictNone},
		{time.Date(2026, 4, 2, 9, 0, 0, 0, time.UTC), handwash.PhishVerdictPhishing},
		{time.Date(2025, 12, 31, 9, 0, 0, 0, time.UTC), handwash.PhishVerdictPhishing}, // before the range
	}
	for i, a := range at {
		raw := fmt.Sprintf("message %d", i)
		_, err := s.PutPhishReport(w.ctx, w.a1, phishReport(w.orgA1.ID, a.verdict, "", raw, a.when), []byte(raw), false)
		must(t, err)
	}
	// Another organisation's reports do not count.
	_, err := s.PutPhishReport(w.ctx, w.a, phishReport(w.orgA2.ID, handwash.PhishVerdictPhishing, "", "x", at[0].when), []byte("x"), false)
	must(t, err)
	months, err := s.PhishMonths(w.ctx, w.a1, w.orgA1.ID, time.Date(2026, 1, 15, 0, 0, 0, 0, time.UTC), time.Date(2026, 4, 20, 0, 0, 0, 0, time.UTC))
	must(t, err)
	want := []handwash.PhishMonth{
		{Month: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), Reports: 1, Phishing: 1},
		{Month: time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC), Reports: 2, Suspicious: 1},
		{Month: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)},
		{Month: time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC), Reports: 1, Phishing: 1},
	}
	if fmt.Sprint(months) != fmt.Sprint(want) {
		t.Errorf("PhishMonths =\n%v\nwant\n%v", months, want)
	}
	_, err = s.PhishMonths(w.ctx, w.b, w.orgA1.ID, t0, t0)
	wantCode(t, "PhishMonths from another provider", err, handwash.ENOTFOUND)
}

func norm(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }
