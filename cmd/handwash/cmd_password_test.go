package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/handwash/handwash/password"
)

// A small breached-password list: the real Have I Been Pwned counts of
// three passwords (from its range API, 2024) and one made up.
var testBreached = map[string]int64{
	"P@ssw0rd":             243_011,
	"password":             52_256_179,
	"Rosecourt2024!":       3,
	"lantern pebble":       12,
	"violin orchard ferry": 0, // padding: not breached
}

const strongPassword = "Marmalade Kettle Lighthouse Gravel"

// pwRangeServer serves testBreached as the Pwned Passwords range API and
// records every request in full.
type pwRangeServer struct {
	*httptest.Server
	mu   sync.Mutex
	seen []string
}

func newPwRangeServer(t *testing.T) *pwRangeServer {
	s := &pwRangeServer{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		dump, _ := httputil.DumpRequest(r, true)
		s.mu.Lock()
		s.seen = append(s.seen, string(dump))
		s.mu.Unlock()
		prefix := strings.TrimPrefix(r.URL.Path, "/range/")
		for pw, n := range testBreached {
			if h := password.SHA1Hex(pw); h[:5] == prefix {
				fmt.Fprintf(w, "%s:%d\r\n", h[5:], n)
			}
		}
		fmt.Fprint(w, "0018A45C4D1DEF81644B54AB7F969B88D65:0\r\n")
	}))
	t.Cleanup(s.Close)
	return s
}

// noSecrets fails if the password, its hash or the hash's suffix appears.
func noSecrets(t *testing.T, what, s, pw string) {
	t.Helper()
	h := password.SHA1Hex(pw)
	for _, secret := range []string{pw, h, h[5:], strings.ToLower(h[5:])} {
		if strings.Contains(s, secret) {
			t.Errorf("%s holds %q:\n%s", what, secret, s)
		}
	}
}

func TestPasswordCheckFromPipe(t *testing.T) {
	const pw = "P@ssw0rd"
	code, out, errOut := handwashRun(t, pw+"\n", "password", "check", "--no-breach-check")
	if code != exitFindings {
		t.Fatalf("exit %d, want %d:\n%s%s", code, exitFindings, out, errOut)
	}
	wantAll(t, "text", out, "Strength: 0 of 4, very weak", "How it looks to an attacker:",
		"characters 1 to 8: one of the 10 most common passwords with capitals and", "look-alike",
		"Problem: This is very like a common password", "To make it stronger:",
		"Breached passwords: not checked (--no-breach-check).",
		"The NCSC's advice on passwords:", "three random words", "password manager", "two-step verification",
		"Verdict: do not use this password: it is too easy to guess.")
	wantAll(t, "standard error", errOut, "the verdict is weak")
	noSecrets(t, "output", out+errOut, pw)

	code, out, errOut = handwashRun(t, strongPassword+"\r\n", "password", "check", "--no-breach-check", "--format", "json")
	if code != exitOK {
		t.Fatalf("strong: exit %d:\n%s%s", code, out, errOut)
	}
	var rep passwordReport
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	if rep.Verdict != "strong" || !rep.OK || rep.Strength.Score != 4 || rep.Breach.Source != "none" || rep.Breach.Checked || len(rep.Strength.Advice) != 4 {
		t.Errorf("strong password: %+v", rep)
	}
	noSecrets(t, "JSON", out+errOut, strongPassword)
	for _, word := range strings.Fields(strongPassword) {
		if strings.Contains(out, word) {
			t.Errorf("the JSON holds %q", word)
		}
	}
}

// The organisation's own name and domain count as easy to guess.
func TestPasswordCheckOrgWords(t *testing.T) {
	const pw = "Rosecourt!Care2024"
	code, out, _ := handwashRun(t, pw+"\n", "password", "check", "--no-breach-check", "--format", "json")
	var plain, org passwordReport
	json.Unmarshal([]byte(out), &plain)
	code, out, errOut := handwashRun(t, pw+"\n", "password", "check", "--no-breach-check", "--format", "json",
		"--org-name", "Rose Court Care Home", "--org-domain", "rosecourt.example")
	if err := json.Unmarshal([]byte(out), &org); err != nil {
		t.Fatalf("exit %d: %v\n%s", code, err, errOut)
	}
	if org.Strength.Guesses >= plain.Strength.Guesses || !strings.Contains(org.Strength.Warning+strings.Join(org.Strength.Suggestions, " "), "organisation's name") {
		t.Errorf("organisation's words: %g guesses (without: %g), %q %q", org.Strength.Guesses, plain.Strength.Guesses, org.Strength.Warning, org.Strength.Suggestions)
	}
	noSecrets(t, "output", out, pw)
}

func TestPasswordCheckHIBP(t *testing.T) {
	srv := newPwRangeServer(t)
	check := func(pw string, extra ...string) (int, string, string) {
		return handwashRun(t, pw+"\n", append([]string{"password", "check", "--hibp-url", srv.URL}, extra...)...)
	}
	code, out, errOut := check("P@ssw0rd")
	if code != exitFindings {
		t.Fatalf("breached: exit %d:\n%s%s", code, out, errOut)
	}
	wantAll(t, "breached", out, "Breached passwords: FOUND 243,011 times in data breaches (Have I Been Pwned).",
		"Attackers try breached passwords first", "Only the first 5 of the 40 characters", "Verdict: do not use this password: it has been breached.")
	wantAll(t, "standard error", errOut, "the verdict is breached")

	// Strong, but breached: breached wins.
	code, out, _ = check("lantern pebble", "--format", "json")
	var rep passwordReport
	json.Unmarshal([]byte(out), &rep)
	if code != exitFindings || rep.Verdict != "breached" || rep.Breach.Count != 12 || !rep.Breach.Checked || rep.Breach.Source != "hibp" {
		t.Errorf("breached: exit %d, %+v", code, rep.Breach)
	}

	// A padding entry (count 0) is not a breach.
	code, out, errOut = check("violin orchard ferry", "--hibp")
	if code != exitOK {
		t.Errorf("padding entry: exit %d:\n%s%s", code, out, errOut)
	}
	wantAll(t, "not breached", out, "Breached passwords: not found in Have I Been Pwned's list.", "Verdict: strong. Use it for one account only.")

	srv.mu.Lock()
	seen := srv.seen
	srv.mu.Unlock()
	if len(seen) != 3 {
		t.Fatalf("%d requests, want 3", len(seen))
	}
	for i, pw := range []string{"P@ssw0rd", "lantern pebble", "violin orchard ferry"} {
		if !strings.HasPrefix(seen[i], "GET /range/"+password.SHA1Hex(pw)[:5]+" HTTP/1.1\r\n") || !strings.Contains(seen[i], "\r\nAdd-Padding: true\r\n") || !strings.Contains(seen[i], "User-Agent: handwash/") {
			t.Errorf("request %d:\n%s", i, seen[i])
		}
		noSecrets(t, fmt.Sprintf("request %d", i), seen[i], pw)
	}

	// Have I Been Pwned cannot be reached: the strength still shows, exit 3.
	srv.Close()
	code, out, errOut = check(strongPassword)
	if code != exitInternal {
		t.Errorf("unreachable: exit %d, want %d", code, exitInternal)
	}
	wantAll(t, "unreachable", out, "Strength: 4 of 4", "Breached passwords: could not be checked.", "could not be reached", "--offline FILE",
		"Verdict: strong, but it could not be checked against breached passwords.")
	wantAll(t, "standard error", errOut, "breached passwords could not be checked")
	if strings.Contains(out, "Only the first 5") {
		t.Errorf("says what was sent, but nothing was answered:\n%s", out)
	}
	// A weak password is weak whether or not the check could be done.
	if code, _, _ = check("P@ssw0rd"); code != exitFindings {
		t.Errorf("weak, unreachable: exit %d, want %d", code, exitFindings)
	}
	noSecrets(t, "output", out+errOut, strongPassword)
}

// writePwnedFile writes testBreached as haveibeenpwned-downloader's single
// file: SHA-1 hashes, sorted, HASH:COUNT, CRLF.
func writePwnedFile(t *testing.T) string {
	var lines []string
	for pw, n := range testBreached {
		if n > 0 {
			lines = append(lines, fmt.Sprintf("%s:%d\r\n", password.SHA1Hex(pw), n))
		}
	}
	sort.Strings(lines)
	path := filepath.Join(t.TempDir(), "pwnedpasswords.txt")
	if err := os.WriteFile(path, []byte(strings.Join(lines, "")), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestPasswordCheckOffline(t *testing.T) {
	list := writePwnedFile(t)
	code, out, errOut := handwashRun(t, "", "password", "index", list)
	if code != exitOK {
		t.Fatalf("index: exit %d:\n%s%s", code, out, errOut)
	}
	wantAll(t, "index", out, "Indexed 4 breached-password hashes in "+list, "The index is "+list+".hwidx")
	if _, err := os.Stat(list + ".hwidx"); err != nil {
		t.Fatal(err)
	}
	code, out, errOut = handwashRun(t, "Rosecourt2024!\n", "password", "check", "--offline", list)
	if code != exitFindings {
		t.Fatalf("breached: exit %d:\n%s%s", code, out, errOut)
	}
	wantAll(t, "breached", out, "Breached passwords: FOUND 3 times in data breaches ("+list+").")
	if strings.Contains(out, "Only the first 5") {
		t.Error("offline check says something was sent")
	}
	code, out, errOut = handwashRun(t, strongPassword+"\n", "password", "check", "--offline", list, "--format", "json")
	var rep passwordReport
	if err := json.Unmarshal([]byte(out), &rep); err != nil || code != exitOK {
		t.Fatalf("not breached: exit %d, %v:\n%s%s", code, err, out, errOut)
	}
	if rep.Breach.Source != "offline" || !rep.Breach.Checked || rep.Breach.Found || rep.Breach.ListHashes != 4 || rep.Breach.File != list {
		t.Errorf("offline: %+v", rep.Breach)
	}
	noSecrets(t, "output", out+errOut, strongPassword)

	// A damaged list is refused before the password is read.
	bad := filepath.Join(t.TempDir(), "bad.txt")
	os.WriteFile(bad, []byte("5BAA61E4C9B93F3F0682250B6CF8331B7EE68FD8:1\n0000000A1B2C3D4E5F60718293A4B5C6D7E8F901:1\n"), 0o644)
	code, _, errOut = handwashRun(t, "", "password", "check", "--offline", bad)
	if code != exitUsage || !strings.Contains(errOut, bad+", line 2: the hash is out of order") {
		t.Errorf("unsorted list: exit %d:\n%s", code, errOut)
	}
	code, _, errOut = handwashRun(t, "", "password", "index", filepath.Join(t.TempDir(), "missing.txt"))
	if code != exitUsage || !strings.Contains(errOut, "does not exist") {
		t.Errorf("missing list: exit %d:\n%s", code, errOut)
	}
}

func TestPasswordCheckUsageErrors(t *testing.T) {
	list := writePwnedFile(t)
	for _, tc := range []struct {
		stdin string
		args  []string
		want  string
	}{
		{"", []string{"check", "P@ssw0rd"}, "never type a password on the command line"},
		{"x\n", []string{"check", "--format", "xml"}, "--format"},
		{"x\n", []string{"check", "--hibp", "--offline", list}, "not both"},
		{"x\n", []string{"check", "--no-breach-check", "--offline", list}, "one or the other"},
		{"x\n", []string{"check", "--offline", list, "--hibp-url", "http://127.0.0.1:1"}, "only used when checking online"},
		{"", []string{"check", "--no-breach-check"}, "no password was given"},
		{"\n", []string{"check", "--no-breach-check"}, "no password was given"},
		{"one\ntwo\n", []string{"check", "--no-breach-check"}, "more than one line"},
		{strings.Repeat("x", 1025) + "\n", []string{"check", "--no-breach-check"}, "over 1,024 bytes"},
		{strings.Repeat("x", 5000), []string{"check", "--no-breach-check"}, "over 4 KiB"},
		{"", []string{"index"}, "accepts 1 arg"},
	} {
		code, out, errOut := handwashRun(t, tc.stdin, append([]string{"password"}, tc.args...)...)
		if code != exitUsage || !strings.Contains(errOut, tc.want) {
			t.Errorf("%q: exit %d, want %d with %q:\n%s%s", tc.args, code, exitUsage, tc.want, out, errOut)
		}
		if out != "" {
			t.Errorf("%q: printed a result:\n%s", tc.args, out)
		}
		if strings.Contains(errOut, "P@ssw0rd") {
			t.Errorf("%q: the error repeats the password:\n%s", tc.args, errOut)
		}
	}
	// Exactly 1,024 bytes is allowed.
	if code, _, errOut := handwashRun(t, strings.Repeat("ab", 512)+"\n", "password", "check", "--no-breach-check"); code == exitUsage {
		t.Errorf("1,024 bytes refused: %s", errOut)
	}
}

func TestPasswordHelp(t *testing.T) {
	code, out, _ := handwashRun(t, "", "password", "check", "--help")
	if code != exitOK {
		t.Fatalf("exit %d", code)
	}
	wantAll(t, "help", out, "Exit codes:", "2  usage or input error", "first 5 characters", "--offline", "--org-name", "haveibeenpwned-downloader", "Never give the password as an argument", "--no-breach-check")
	code, out, _ = handwashRun(t, "", "password", "index", "--help")
	if code != exitOK || !strings.Contains(out, "FILE.hwidx") {
		t.Errorf("index help: exit %d\n%s", code, out)
	}
}
