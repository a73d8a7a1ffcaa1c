package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/handwash/handwash"
	"github.com/handwash/handwash/imapinbox/imaptest"
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
