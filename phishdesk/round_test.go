package phishdesk

import (
	"strings"
	"testing"
	"time"

	"github.com/handwash/handwash"
	"github.com/handwash/handwash/imapinbox/imaptest"
)

// A round reads the mailbox over IMAP with TLS: every report is stored and
// marked read, and a message that is not a report is marked read and named
// in the inbox's status rather than blocking the others.
func TestRoundReadsTheMailbox(t *testing.T) {
	w := newWorld(t)
	srv := imaptest.Start(t, "report@rosecourt.example", "secret")
	w.desk.cfg.TLSConfig = srv.ClientTLS()
	w.inbox(srv.Addr)
	inner := sample(t, "spam/phishing_openphish.eml")
	srv.Add(t, forward("carol@rosecourt.example", "Is this real?", inner))
	srv.Add(t, []byte("From: someone@elsewhere.example\r\nSubject: redirected\r\n\r\nhello\r\n"))
	srv.Add(t, []byte(" \r\n"))
	srv.Add(t, forward("nurse@rosecourt.example", "", inner))

	w.must(w.desk.Round(w.ctx))
	reports, total, err := w.store.PhishReports(w.ctx, w.scope, handwash.PhishReportFilter{})
	w.must(err)
	if total != 3 {
		t.Fatalf("%d reports stored, want 3: %+v", total, reports)
	}
	thanked := 0
	for _, r := range reports {
		if r.Source != handwash.PhishFromMailbox {
			t.Errorf("report %s source %q", r.ID, r.Source)
		}
		if r.Thanked {
			thanked++
		}
	}
	if thanked != 2 {
		t.Errorf("%d reporters thanked, want the 2 at the organisation's domain", thanked)
	}
	if n := srv.Unseen(t); n != 0 {
		t.Errorf("%d messages left unread", n)
	}
	in, err := w.store.PhishInbox(w.ctx, w.scope, w.org.ID)
	w.must(err)
	if in.LastCheckedAt == nil || !strings.Contains(in.LastError, "could not be checked") {
		t.Errorf("inbox status: checked %v, %q; want the message that was not a report named", in.LastCheckedAt, in.LastError)
	}

	// Nothing new: the next round stores nothing and clears the status.
	w.must(w.desk.Round(w.ctx))
	if _, total, _ := w.store.PhishReports(w.ctx, w.scope, handwash.PhishReportFilter{}); total != 3 {
		t.Errorf("%d reports after a second round, want 3", total)
	}
	if in, _ := w.store.PhishInbox(w.ctx, w.scope, w.org.ID); in.LastError != "" {
		t.Errorf("status after a clean round: %q", in.LastError)
	}
}

// A wrong password is recorded in the inbox's status in plain English,
// without the password; the messages wait for the next round.
func TestRoundLoginRefused(t *testing.T) {
	w := newWorld(t)
	srv := imaptest.Start(t, "report@rosecourt.example", "the-right-one")
	w.desk.cfg.TLSConfig = srv.ClientTLS()
	w.inbox(srv.Addr) // password "secret"
	srv.Add(t, forward("carol@rosecourt.example", "", sample(t, "spam/phishing_openphish.eml")))
	w.must(w.desk.Round(w.ctx))
	in, err := w.store.PhishInbox(w.ctx, w.scope, w.org.ID)
	w.must(err)
	if in.LastError == "" || strings.Contains(in.LastError, "secret") || !strings.Contains(strings.ToLower(in.LastError), "password") {
		t.Errorf("status = %q; want the refused login explained, without the password", in.LastError)
	}
	if n := srv.Unseen(t); n != 1 {
		t.Errorf("%d unread; want the message left for the next round", n)
	}
}

// One process reads the mailboxes at a time.
func TestRoundHoldsTheLease(t *testing.T) {
	w := newWorld(t)
	srv := imaptest.Start(t, "report@rosecourt.example", "secret")
	w.inbox(srv.Addr)
	srv.Add(t, forward("carol@rosecourt.example", "", sample(t, "spam/phishing_openphish.eml")))
	got, err := w.store.TryLease(w.ctx, leaseName, "another-process", now, time.Hour)
	if err != nil || !got {
		t.Fatalf("TryLease = %v, %v", got, err)
	}
	w.desk.cfg.TLSConfig = srv.ClientTLS()
	w.must(w.desk.Round(w.ctx))
	if n := srv.Unseen(t); n != 1 {
		t.Errorf("a process without the lease read the mailbox (%d unread)", n)
	}
}
