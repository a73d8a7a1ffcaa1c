package password

import (
	"bytes"
	"context"
	"crypto/sha1"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/handwash/handwash"
)

// breached is a list of breached passwords and their counts.
type breached struct {
	passwords []string
	counts    map[string]int64 // by upper-case SHA-1
}

// fixturePasswords reads the 47,023 passwords zxcvbn knows, with their
// counts, as a stand-in for Have I Been Pwned's list.
func fixturePasswords(t testing.TB) *breached {
	t.Helper()
	b := &breached{counts: map[string]int64{}}
	for n, line := range strings.Split(strings.TrimSpace(string(readFixture(t, "passwords/zxcvbn-passwords.txt"))), "\n") {
		f := strings.Fields(line)
		if len(f) != 2 {
			t.Fatalf("zxcvbn-passwords.txt line %d: %q", n+1, line)
		}
		c, err := strconv.ParseInt(f[1], 10, 64)
		if err != nil {
			t.Fatal(err)
		}
		b.passwords = append(b.passwords, f[0])
		b.counts[SHA1Hex(f[0])] = c
	}
	return b
}

// sortedLines is the list in the downloader's single-file form.
func (b *breached) sortedLines(eol string) []byte {
	hashes := make([]string, 0, len(b.counts))
	for h := range b.counts {
		hashes = append(hashes, h)
	}
	sort.Strings(hashes)
	var buf bytes.Buffer
	for _, h := range hashes {
		fmt.Fprintf(&buf, "%s:%d%s", h, b.counts[h], eol)
	}
	return buf.Bytes()
}

// rangeServer is a Pwned Passwords range API over a list, padded as the
// real one is, that records every request it receives in full.
type rangeServer struct {
	*httptest.Server
	mu       sync.Mutex
	requests [][]byte
}

func newRangeServer(t *testing.T, list *breached) *rangeServer {
	rs := &rangeServer{}
	rs.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		dump, _ := httputil.DumpRequest(r, true)
		rs.mu.Lock()
		rs.requests = append(rs.requests, dump)
		rs.mu.Unlock()
		prefix, ok := strings.CutPrefix(r.URL.Path, "/range/")
		if !ok || !isHex(prefix, 5) {
			http.Error(w, "The hash prefix was not in a valid format", http.StatusBadRequest)
			return
		}
		prefix = strings.ToUpper(prefix)
		var lines []string
		for h, c := range list.counts {
			if strings.HasPrefix(h, prefix) {
				lines = append(lines, fmt.Sprintf("%s:%d", h[5:], c))
			}
		}
		if r.Header.Get("Add-Padding") == "true" {
			for i := 0; len(lines) < 800; i++ {
				sum := sha1.Sum([]byte(prefix + strconv.Itoa(i)))
				lines = append(lines, strings.ToUpper(hex.EncodeToString(sum[:]))[5:]+":0")
			}
		}
		sort.Strings(lines)
		w.Header().Set("Content-Type", "text/plain")
		fmt.Fprint(w, strings.Join(lines, "\r\n"))
	}))
	t.Cleanup(rs.Close)
	return rs
}

func (rs *rangeServer) received() [][]byte {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	return append([][]byte(nil), rs.requests...)
}

var rangePath = regexp.MustCompile(`^GET /range/[0-9A-F]{5} HTTP/1\.1\r\n`)

// Only the first 5 characters of the hash leave: not the password, not the
// rest of the hash, in no part of the request.
func TestRangeClientSendsOnlyThePrefix(t *testing.T) {
	list := fixturePasswords(t)
	rs := newRangeServer(t, list)
	c := &RangeClient{BaseURL: rs.URL, UserAgent: "handwash-test"}
	ctx := context.Background()
	checked := []string{"password", "123456", "dragon1", "xpcrew", "Tr0ub4dour&3 is not in the list", "correct horse battery staple"}
	for _, pw := range checked {
		n, err := c.Lookup(ctx, pw)
		if err != nil {
			t.Fatalf("%q: %v", pw, err)
		}
		if want := list.counts[SHA1Hex(pw)]; n != want {
			t.Errorf("%q: count %d, want %d", pw, n, want)
		}
	}
	reqs := rs.received()
	if len(reqs) != len(checked) {
		t.Fatalf("%d requests for %d passwords", len(reqs), len(checked))
	}
	for i, req := range reqs {
		pw, hash := checked[i], SHA1Hex(checked[i])
		s := string(req)
		if !rangePath.MatchString(s) || !strings.HasPrefix(s, "GET /range/"+hash[:5]+" ") {
			t.Errorf("request %d does not ask for /range/%s: %q", i, hash[:5], s)
		}
		for _, want := range []string{"\r\nAdd-Padding: true\r\n", "\r\nUser-Agent: handwash-test\r\n"} {
			if !strings.Contains(s, want) {
				t.Errorf("request %d lacks %q: %q", i, want, s)
			}
		}
		low := strings.ToLower(s)
		for _, secret := range []string{pw, hash, hash[5:], hash[5:12], strings.ToLower(hash[5:12])} {
			if strings.Contains(s, secret) || strings.Contains(low, strings.ToLower(secret)) {
				t.Errorf("request %d holds %q: %q", i, secret, s)
			}
		}
		if !strings.HasSuffix(s, "\r\n\r\n") {
			t.Errorf("request %d has a body: %q", i, s)
		}
	}
}

// A padding entry (count 0) with the very suffix asked for is not a match.
func TestRangeIgnoresPadding(t *testing.T) {
	h := SHA1Hex("not breached")
	body := "0018A45C4D1DEF81644B54AB7F969B88D65:1\r\n" + h[5:] + ":0\r\n00D4F6E8FA6EECAD2A3AA415EEC418D38EC:2"
	if n, err := ParseRange([]byte(body), h[5:]); n != 0 || err != nil {
		t.Errorf("padding entry: %d, %v", n, err)
	}
	if n, err := ParseRange([]byte(strings.ToLower(body)+"\n"), "00d4f6e8fa6eecad2a3aa415eec418d38ec"); n != 2 || err != nil {
		t.Errorf("lower case, LF: %d, %v", n, err)
	}
	for body, line := range map[string]string{
		"0018A45C4D1DEF81644B54AB7F969B88D65:1\r\nnot a line\r\n": "line 2",
		"0018A45C4D1DEF81644B54AB7F969B88D6:1":                    "line 1",
		"0018A45C4D1DEF81644B54AB7F969B88D65:x":                   "line 1",
		"0018A45C4D1DEF81644B54AB7F969B88D65:":                    "line 1",
		"<html><body>Sign in to continue</body></html>":           "line 1",
	} {
		if _, err := ParseRange([]byte(body), h[5:]); err == nil || !strings.Contains(err.Error(), line) {
			t.Errorf("ParseRange(%q): %v, want an error naming %s", body, err, line)
		}
	}
}

func TestRangeClientErrors(t *testing.T) {
	status := func(code int, body string) string {
		s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(code)
			fmt.Fprint(w, body)
		}))
		t.Cleanup(s.Close)
		return s.URL
	}
	down := httptest.NewServer(http.NotFoundHandler())
	down.Close()
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
		}
	}))
	t.Cleanup(slow.Close)
	for _, tc := range []struct {
		name, url string
		client    *http.Client
		want      []string
	}{
		{"unreachable", down.URL, nil, []string{"could not be reached", "internet connection", "--offline"}},
		{"too many requests", status(429, ""), nil, []string{"slow down", "Wait a minute"}},
		{"server error", status(503, "down"), nil, []string{"503 Service Unavailable", "--offline"}},
		{"not a range", status(200, "<html>captive portal</html>"), nil, []string{"not a Pwned Passwords range", "line 1"}},
		{"too big", status(200, strings.Repeat("0018A45C4D1DEF81644B54AB7F969B88D65:1\r\n", MaxRangeBody/38+1)), nil, []string{"over 2 MB"}},
		{"timeout", slow.URL, &http.Client{Timeout: 100 * time.Millisecond}, []string{"could not be reached", "no answer in time"}},
	} {
		c := &RangeClient{BaseURL: tc.url, HTTPClient: tc.client}
		_, err := c.Lookup(context.Background(), "password")
		if handwash.ErrorCode(err) != CodeUnavailable {
			t.Errorf("%s: %v (code %q), want code %q", tc.name, err, handwash.ErrorCode(err), CodeUnavailable)
			continue
		}
		for _, w := range tc.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: %q lacks %q", tc.name, err, w)
			}
		}
		if strings.Contains(err.Error(), "password") && !strings.Contains(err.Error(), "Passwords") {
			t.Errorf("%s: %q names the password", tc.name, err)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := (&RangeClient{BaseURL: slow.URL}).Lookup(ctx, "x"); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
	if _, err := (&RangeClient{}).LookupHash(context.Background(), "not a hash"); handwash.ErrorCode(err) != handwash.EINVALID {
		t.Errorf("bad hash: %v", err)
	}
}

func TestSHA1Hex(t *testing.T) {
	// The example from Have I Been Pwned's API documentation.
	if got := SHA1Hex("P@ssw0rd"); got != "21BD12DC183F740EE76F27B78EB39C8AD972A757" {
		t.Errorf("SHA1Hex = %s", got)
	}
}

func FuzzParseRange(f *testing.F) {
	f.Add([]byte("0018A45C4D1DEF81644B54AB7F969B88D65:1\r\n00D4F6E8FA6EECAD2A3AA415EEC418D38EC:0"), "0018A45C4D1DEF81644B54AB7F969B88D65")
	f.Add([]byte("00d4f6e8fa6eecad2a3aa415eec418d38ec:12\n\n"), "00D4F6E8FA6EECAD2A3AA415EEC418D38EC")
	f.Add([]byte(":\r\n\r"), "00D4F6E8FA6EECAD2A3AA415EEC418D38EC")
	f.Add([]byte("0200000000000000000000000d000000000:01"), "0200000000000000000000000d000000000")
	f.Fuzz(func(t *testing.T, body []byte, suffix string) {
		n, err := ParseRange(body, suffix)
		if err != nil {
			if n != 0 {
				t.Fatalf("error %v with count %d", err, n)
			}
			return
		}
		if n < 0 {
			t.Fatalf("negative count %d", n)
		}
		if n > 0 && !bytes.Contains(bytes.ToUpper(body), []byte(strings.ToUpper(suffix)+":")) {
			t.Fatalf("count %d for %q not in the body %q", n, suffix, body)
		}
	})
}
