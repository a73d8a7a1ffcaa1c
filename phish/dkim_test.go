package phish

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
)

// dkimpyDir holds dkimpy's DKIM test messages and the DNS TXT records of
// the keys they were signed with.
var dkimpyDir = filepath.Join(corpusDir, "dkimpy")

// txtLookup serves TXT records from a map, as DNS would.
func txtLookup(records map[string]string) func(context.Context, string) ([]string, error) {
	return func(ctx context.Context, name string) ([]string, error) {
		if v, ok := records[strings.TrimSuffix(name, ".")]; ok {
			return []string{v}, nil
		}
		return nil, &net.DNSError{Err: "no such host", Name: name, IsNotFound: true}
	}
}

func readKey(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dkimpyDir, name))
	if err != nil {
		t.Skipf("the dkimpy fixtures are not at %s: %v", dkimpyDir, err)
	}
	return strings.TrimSpace(string(b))
}

func readMessage(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dkimpyDir, name))
	if err != nil {
		t.Skipf("the dkimpy fixtures are not at %s: %v", dkimpyDir, err)
	}
	return b
}

// TestDKIMVerify checks full DKIM verification of dkimpy's signed messages
// against the keys published with them, served through Options.LookupTXT.
func TestDKIMVerify(t *testing.T) {
	const rsaKey = "test._domainkey.football.example.com"
	const edKey = "brisbane._domainkey.football.example.com"
	const eximKey = "sed._domainkey.test.ex"
	type want struct{ domain, selector, result, detail string }
	for _, c := range []struct {
		name    string
		message string
		keys    map[string]string // record name → key file
		tamper  func([]byte) []byte
		want    []want
	}{
		{
			name: "RFC 6376 example with its RSA key", message: "rfc6376.signed.msg",
			keys: map[string]string{rsaKey: "test.txt"},
			// The Ed25519 signature's key (RFC 8463's) is not published
			// in the fixtures, so that one is looked up and not found.
			want: []want{{"football.example.com", "brisbane", DKIMPermError, "no key"}, {"football.example.com", "test", DKIMPass, ""}},
		},
		{
			name: "key record without k=, which defaults to RSA", message: "rfc6376.signed.msg",
			keys: map[string]string{rsaKey: "test2.txt"},
			want: []want{{"football.example.com", "brisbane", DKIMPermError, "no key"}, {"football.example.com", "test", DKIMPass, ""}},
		},
		{
			name: "Ed25519 signature from Exim", message: "ed25519test2.msg",
			keys: map[string]string{eximKey: "eximtest.dns"},
			want: []want{{"test.ex", "sed", DKIMPass, ""}},
		},
		{
			name: "Ed25519 signature checked against another key", message: "rfc6376.signed.msg",
			keys: map[string]string{rsaKey: "test.txt", edKey: "ed25519test.dns"},
			want: []want{{"football.example.com", "brisbane", DKIMFail, "did not verify"}, {"football.example.com", "test", DKIMPass, ""}},
		},
		{
			name: "truncated key", message: "rfc6376.signed.msg",
			keys: map[string]string{rsaKey: "test_bad.txt"},
			want: []want{{"football.example.com", "brisbane", DKIMPermError, ""}, {"football.example.com", "test", DKIMPermError, "key syntax"}},
		},
		{
			name: "key record with a broken version tag", message: "rfc6376.signed.msg",
			keys: map[string]string{rsaKey: "badversion.txt"},
			want: []want{{"football.example.com", "brisbane", DKIMPermError, ""}, {"football.example.com", "test", DKIMPermError, ""}},
		},
		{
			name: "RSA key labelled as Ed25519", message: "rfc6376.signed.msg",
			keys: map[string]string{rsaKey: "badk.txt"},
			want: []want{{"football.example.com", "brisbane", DKIMPermError, ""}, {"football.example.com", "test", DKIMPermError, ""}},
		},
		{
			name: "body changed after signing", message: "rfc6376.signed.msg",
			keys: map[string]string{rsaKey: "test.txt"},
			tamper: func(b []byte) []byte {
				return bytes.Replace(b, []byte("We lost the game."), []byte("We won the game."), 1)
			},
			want: []want{{"football.example.com", "brisbane", DKIMPermError, ""}, {"football.example.com", "test", DKIMFail, "body hash"}},
		},
		{
			name: "signed header changed after signing", message: "ed25519test2.msg",
			keys: map[string]string{eximKey: "eximtest.dns"},
			tamper: func(b []byte) []byte {
				return bytes.Replace(b, []byte("From: nobody@example.com"), []byte("From: boss@example.com"), 1)
			},
			want: []want{{"test.ex", "sed", DKIMFail, "signature did not verify"}},
		},
	} {
		t.Run(c.name, func(t *testing.T) {
			raw := readMessage(t, c.message)
			if c.tamper != nil {
				raw = c.tamper(raw)
			}
			records := map[string]string{}
			for name, file := range c.keys {
				records[name] = readKey(t, file)
			}
			r := analyseT(t, raw, Options{LookupTXT: txtLookup(records)})
			if len(r.DKIM) != len(c.want) {
				t.Fatalf("got %d DKIM results %+v, want %d", len(r.DKIM), r.DKIM, len(c.want))
			}
			for i, w := range c.want {
				g := r.DKIM[i]
				if g.Domain != w.domain || g.Selector != w.selector || g.Result != w.result || !strings.Contains(g.Detail, w.detail) {
					t.Errorf("result %d = %+v, want %+v", i, g, w)
				}
			}
		})
	}
}

// TestDKIMSigns checks how DKIM results become signs.
func TestDKIMSigns(t *testing.T) {
	raw := readMessage(t, "rfc6376.signed.msg")
	good := map[string]string{"test._domainkey.football.example.com": readKey(t, "test.txt")}
	// One good signature from the From domain is enough, even next to one
	// that cannot be checked.
	if r := analyseT(t, raw, Options{LookupTXT: txtLookup(good)}); findSign(r, "auth.dkim-fail") != nil {
		t.Errorf("valid signature: got %v", signIDs(r))
	}
	changed := bytes.Replace(raw, []byte("We lost the game."), []byte("We won the game."), 1)
	r := analyseT(t, changed, Options{LookupTXT: txtLookup(good)})
	if s := findSign(r, "auth.dkim-fail"); s == nil || s.Weight != 3 {
		t.Errorf("changed body with DNS: got %v, want auth.dkim-fail:3", signIDs(r))
	}
	// Without DNS the body hash still shows the change.
	r = analyseT(t, changed, Options{})
	if s := findSign(r, "auth.dkim-fail"); s == nil || s.Weight != 3 {
		t.Errorf("changed body without DNS: got %v, want auth.dkim-fail:3", signIDs(r))
	}
	for _, d := range analyseT(t, raw, Options{}).DKIM {
		if d.Result != DKIMUnverified {
			t.Errorf("intact message without DNS: %+v, want %s", d, DKIMUnverified)
		}
	}
	// A domain that publishes no key for the selector did not sign.
	r = analyseT(t, raw, Options{LookupTXT: txtLookup(nil)})
	if s := findSign(r, "auth.dkim-fail"); s == nil || s.Weight != 2 {
		t.Errorf("no published key: got %v, want auth.dkim-fail:2", signIDs(r))
	}
	// DNS trouble is not held against the sender.
	flaky := func(ctx context.Context, name string) ([]string, error) {
		return nil, &net.DNSError{Err: "server misbehaving", Name: name, IsTemporary: true}
	}
	r = analyseT(t, raw, Options{LookupTXT: flaky})
	if findSign(r, "auth.dkim-fail") != nil {
		t.Errorf("temporary DNS failure: got %v", signIDs(r))
	}
	for _, d := range r.DKIM {
		if d.Result != DKIMTempError {
			t.Errorf("temporary DNS failure: %+v, want %s", d, DKIMTempError)
		}
	}
}

// TestDKIMLookupCancelled checks that a cancelled context stops look-ups.
func TestDKIMLookupCancelled(t *testing.T) {
	raw := readMessage(t, "rfc6376.signed.msg")
	ctx, cancel := context.WithCancel(context.Background())
	var calls atomic.Int32
	lookup := func(ctx context.Context, name string) ([]string, error) {
		calls.Add(1)
		cancel()
		return nil, fmt.Errorf("cancelled: %w", ctx.Err())
	}
	if _, err := Analyse(ctx, raw, Options{LookupTXT: lookup}); err == nil {
		t.Error("got no error after the context was cancelled")
	}
	if n := calls.Load(); n > maxSignatures {
		t.Errorf("%d look-ups, want at most one per signature", n)
	}
}
