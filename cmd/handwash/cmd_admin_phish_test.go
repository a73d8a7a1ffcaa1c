package main

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/handwash/handwash"
	"github.com/handwash/handwash/imapinbox/imaptest"
	"github.com/handwash/handwash/internal/smtptest"
)

func TestAdminPhishInbox(t *testing.T) {
	data := t.TempDir()
	p := adminSetup(t, data)
	srv := imaptest.Start(t, "report@rosehouse.example", "imap pass word")
	dir := t.TempDir()
	ca := filepath.Join(dir, "ca.pem")
	must(t, os.WriteFile(ca, srv.Certs.CAPEM, 0o600))
	good := filepath.Join(dir, "password.txt")
	must(t, os.WriteFile(good, []byte("imap pass word\n"), 0o600))
	wrong := filepath.Join(dir, "wrong.txt")
	must(t, os.WriteFile(wrong, []byte("not it\n"), 0o600))
	base := []string{"admin", "--data", data, "phish-inbox", "--org", "Rose House"}
	set := append(append([]string{}, base...), "--addr", srv.Addr, "--security", "tls", "--user", "report@rosehouse.example", "--ca-file", ca)

	code, out, errOut := handwashRun(t, "", base...)
	if code != exitOK || !strings.Contains(out, "has no report-phishing mailbox") {
		t.Fatalf("show before: exit %d\n%s%s", code, out, errOut)
	}
	// Refused: each names what to fix, exits 2 and saves nothing.
	for name, args := range map[string][]string{
		"wrong password": {"--password-file", wrong},
		"no password":    {},
		"empty password": {"--password-file", os.DevNull},
		"bad domain":     {"--password-file", good, "--domain", "not a domain"},
		"bad security":   {"--password-file", good, "--security", "none"},
	} {
		code, out, errOut := handwashRun(t, "", append(append([]string{}, set...), args...)...)
		if code != exitUsage || strings.Contains(out+errOut, "imap pass word") {
			t.Errorf("%s: exit %d, want %d without the password\n%s%s", name, code, exitUsage, out, errOut)
		}
	}
	db := openData(t, data)
	if ins, err := db.PhishInboxes(context.Background()); err != nil || len(ins) != 0 {
		t.Fatalf("refused settings were saved: %v, %v", ins, err)
	}

	code, out, errOut = handwashRun(t, "", append(append([]string{}, set...), "--password-file", good)...)
	if code != exitOK || !strings.Contains(out, "report@rosehouse.example at "+srv.Addr) || !strings.Contains(out, "Reporters thanked at: rosehouse.example") ||
		strings.Contains(out, "imap pass word") {
		t.Fatalf("set: exit %d\n%s%s", code, out, errOut)
	}
	ins, err := db.PhishInboxes(context.Background())
	if err != nil || len(ins) != 1 || ins[0].Password != "imap pass word" || ins[0].ProviderID != p.ID {
		t.Fatalf("stored inbox = %+v, %v", ins, err)
	}
	code, out, _ = handwashRun(t, "", append(append([]string{}, base...), "--remove")...)
	if code != exitOK || !strings.Contains(out, "was removed") {
		t.Errorf("remove: exit %d: %s", code, out)
	}
	if _, err := db.PhishInbox(context.Background(), handwash.Scope{ProviderID: p.ID}, ins[0].OrgID); handwash.ErrorCode(err) != handwash.ENOTFOUND {
		t.Errorf("after remove: %v", err)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// The server reads an organisation's report mailbox by itself, and the
// reporter gets their thanks by email.
func TestServeReadsThePhishingMailbox(t *testing.T) {
	if testing.Short() {
		t.Skip("waits for the server's first reading of the mailbox (10 seconds)")
	}
	data := t.TempDir()
	adminSetup(t, data)
	imap := imaptest.Start(t, "report@rosehouse.example", "imap pass word")
	mail := smtptest.Start(t)
	dir := t.TempDir()
	ca := filepath.Join(dir, "ca.pem")
	must(t, os.WriteFile(ca, imap.Certs.CAPEM, 0o600))
	password := filepath.Join(dir, "password.txt")
	must(t, os.WriteFile(password, []byte("imap pass word\n"), 0o600))
	code, out, errOut := handwashRun(t, "", "admin", "--data", data, "phish-inbox", "--org", "Rose House", "--addr", imap.Addr, "--security", "tls",
		"--user", "report@rosehouse.example", "--password-file", password, "--ca-file", ca)
	if code != exitOK {
		t.Fatalf("phish-inbox: exit %d\n%s%s", code, out, errOut)
	}
	inner, err := os.ReadFile("../../../shared/fixtures/email/spamassassin/spam/phishing_openphish.eml")
	if err != nil {
		t.Skipf("the shared email corpus is not beside the repository: %v", err)
	}
	imap.Add(t, []byte("From: Carol <carol@rosehouse.example>\r\nTo: report@rosehouse.example\r\nSubject: FW: odd email\r\nMIME-Version: 1.0\r\n"+
		"Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nIs this real?\r\n--b\r\nContent-Type: message/rfc822\r\n\r\n"+
		string(inner)+"\r\n--b--\r\n"))

	serve(t, "--data", data, "--listen", "127.0.0.1:0", "--http", "--phish-inbox-every", "10s", "--phish-inbox-ca-file", ca,
		"--smtp-host", mail.Host, "--smtp-port", strconv.Itoa(mail.Port), "--smtp-tls", "none", "--smtp-from", "Handwash <alerts@careful.example>")
	got := mail.Wait(60 * time.Second)
	if len(got) != 1 || got[0].To != "carol@rosehouse.example" || !strings.Contains(got[0].Body, "Handwash checked it") {
		t.Fatalf("mail = %+v; want Carol's thanks", got)
	}
	if n := imap.Unseen(t); n != 0 {
		t.Errorf("%d messages left unread in the mailbox", n)
	}
	db := openData(t, data)
	ins, err := db.PhishInboxes(context.Background())
	if err != nil || len(ins) != 1 {
		t.Fatal(ins, err)
	}
	reports, total, err := db.PhishReports(context.Background(), handwash.Scope{ProviderID: ins[0].ProviderID}, handwash.PhishReportFilter{})
	if err != nil || total != 1 || reports[0].Reporter != "carol@rosehouse.example" || reports[0].Carried != "attached" {
		t.Errorf("reports = %+v, %v", reports, err)
	}
}
