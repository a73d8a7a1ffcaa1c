package dashboard_test

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/handwash/handwash"
	"github.com/handwash/handwash/dashboard"
	"github.com/handwash/handwash/password"
)

// breachedList is a downloaded Pwned Passwords file made from the
// passwords zxcvbn knows, with their counts, opened as the server opens
// --breached-passwords FILE.
func breachedList(t testing.TB) (*password.Offline, map[string]int64) {
	t.Helper()
	f, err := os.Open("../../shared/fixtures/passwords/zxcvbn-passwords.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	counts := map[string]int64{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) != 2 {
			continue
		}
		var n int64
		fmt.Sscan(fields[1], &n)
		sum := sha1.Sum([]byte(fields[0]))
		counts[strings.ToUpper(hex.EncodeToString(sum[:]))] = n
	}
	hashes := make([]string, 0, len(counts))
	for h := range counts {
		hashes = append(hashes, h)
	}
	sort.Strings(hashes)
	var b bytes.Buffer
	for _, h := range hashes {
		fmt.Fprintf(&b, "%s:%d\r\n", h, counts[h])
	}
	path := filepath.Join(t.TempDir(), "pwnedpasswords.txt")
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	o, err := password.OpenOfflineWith(path, password.OfflineOptions{NoSave: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { o.Close() })
	return o, counts
}

// staffWorld is a world whose server looks up breached passwords in the
// fixture's list.
func staffWorld(t *testing.T) (*world, map[string]int64) {
	list, counts := breachedList(t)
	return newWorldWith(t, dashboard.Config{}, func(d *dashboard.Deps) { d.Breached = list }), counts
}

var staffURL = regexp.MustCompile(`<code class="secret" id="staff-url">([^<]+)</code>`)

// makeStaffLink makes Rose House's staff link as its administrator and
// returns its path.
func makeStaffLink(t *testing.T, w *world, admin *browser) string {
	t.Helper()
	page := "/orgs/" + w.rose.ID + "/staff-link"
	admin.get(page)
	status, body, _ := admin.post(page, url.Values{"life": {"30d"}})
	m := staffURL.FindStringSubmatch(body)
	if status != http.StatusOK || m == nil {
		t.Fatalf("make the staff link: %d: %s", status, text(body))
	}
	if !strings.Contains(body, `<svg xmlns="http://www.w3.org/2000/svg" class="qr"`) {
		t.Error("the new link has no QR code")
	}
	u, err := url.Parse(m[1])
	must(t, err)
	if !strings.HasPrefix(m[1], w.srv.URL+"/s/hws_") {
		t.Errorf("link %q is not on this server", m[1])
	}
	return u.Path
}

// An administrator makes a link, shown once; it opens the staff pages
// until it is replaced, stopped or expires; nobody else can make one.
func TestStaffLink(t *testing.T) {
	w, _ := staffWorld(t)
	admin := w.browser()
	admin.signIn(w.roseAdmin)
	link := makeStaffLink(t, w, admin)
	staff := w.browser()
	if status, body, _ := staff.get(link); status != http.StatusOK || !strings.Contains(body, "For the staff of Rose House") {
		t.Fatalf("the staff page: %d: %s", status, text(body))
	}
	_, body, _ := admin.get("/orgs/" + w.rose.ID + "/staff-link")
	if strings.Contains(body, link) || !strings.Contains(body, "Works until") {
		t.Errorf("the link is shown again, or its state is not: %s", text(body))
	}
	for _, bad := range []string{"/s/nonsense", "/s/hws_stl_x_y", link + "x", strings.Replace(link, "hws_", "hwt_", 1)} {
		if status, _, _ := staff.get(bad); status != http.StatusNotFound {
			t.Errorf("%s: %d, want 404", bad, status)
		}
	}
	viewer := w.browser()
	viewer.signIn(w.roseViewer)
	viewer.get("/orgs/" + w.rose.ID + "/staff-link")
	if status, _, _ := viewer.post("/orgs/"+w.rose.ID+"/staff-link", url.Values{"life": {"30d"}}); status != http.StatusForbidden {
		t.Errorf("a viewer made a link: %d", status)
	}
	oak := w.browser()
	oak.signIn(w.oakAdmin)
	oak.get("/orgs/" + w.oak.ID)
	if status, _, _ := oak.post("/orgs/"+w.rose.ID+"/staff-link", url.Values{"life": {"30d"}}); status != http.StatusNotFound {
		t.Errorf("another organisation's administrator made a link: %d", status)
	}
	if status, body, _ := admin.post("/orgs/"+w.rose.ID+"/staff-link", url.Values{"life": {"forever"}}); status != http.StatusBadRequest || !strings.Contains(body, "Choose how long") {
		t.Errorf("a bad life: %d: %s", status, text(body))
	}
	if status, _, _ := staff.get(link); status != http.StatusOK {
		t.Errorf("a refused new link stopped the old one: %d", status)
	}
	// A new link replaces the old.
	newLink := makeStaffLink(t, w, admin)
	if status, _, _ := staff.get(link); status != http.StatusNotFound {
		t.Errorf("the replaced link still works: %d", status)
	}
	admin.get("/orgs/" + w.rose.ID + "/staff-link")
	if status, _, loc := admin.post("/orgs/"+w.rose.ID+"/staff-link/stop", url.Values{}); status != http.StatusSeeOther || !strings.Contains(loc, "done=stopped") {
		t.Errorf("stop: %d %s", status, loc)
	}
	if status, _, _ := staff.get(newLink); status != http.StatusNotFound {
		t.Errorf("the stopped link still works: %d", status)
	}
	// A link expires.
	last := makeStaffLink(t, w, admin)
	w.clock.advance(31 * 24 * time.Hour)
	if status, _, _ := staff.get(last); status != http.StatusNotFound {
		t.Errorf("the expired link still works: %d", status)
	}
	entries, _, err := w.store.Audit(context.Background(), handwash.Scope{ProviderID: w.provider.ID}, handwash.AuditFilter{})
	must(t, err)
	var actions []string
	for _, e := range entries {
		if strings.HasPrefix(e.Action, "staff_link.") {
			actions = append(actions, e.Action)
		}
	}
	if len(actions) != 4 {
		t.Errorf("audit: %v, want three links made and one stopped", actions)
	}
}

// The self-check reads the phone from its browser, refuses an incomplete
// form without storing anything, records the answers against the person,
// and a second check of the same phone updates its record.
func TestPhoneSelfCheck(t *testing.T) {
	w, _ := staffWorld(t)
	admin := w.browser()
	admin.signIn(w.roseAdmin)
	link := makeStaffLink(t, w, admin)
	phone := w.browser()
	const iphone = "Mozilla/5.0 (iPhone; CPU iPhone OS 18_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/26.1 Mobile/15E148 Safari/604.1"
	status, body, _ := phone.do(http.MethodGet, link+"/phone", nil, "User-Agent", iphone)
	if status != http.StatusOK || !strings.Contains(body, `<option value="ios" selected>`) || !strings.Contains(body, `value="26.1"`) ||
		!strings.Contains(body, "Settings &gt; Face ID &amp; Passcode") || strings.Contains(body, "Android: open") {
		t.Fatalf("the form on an iPhone: %d: %s", status, text(body))
	}
	const chrome = "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36"
	_, body, _ = phone.do(http.MethodGet, link+"/phone", nil, "User-Agent", chrome,
		"Sec-CH-UA-Platform", `"Android"`, "Sec-CH-UA-Platform-Version", `"15.0.0"`, "Sec-CH-UA-Model", `"Pixel 8"`)
	if !strings.Contains(body, `<option value="android" selected>`) || !strings.Contains(body, `value="15"`) || !strings.Contains(body, `value="Pixel 8"`) {
		t.Errorf("the form on Android with client hints: %s", text(body))
	}
	answers := url.Values{"owner": {"Ann Lee"}, "os": {"android"}, "os_version": {"15"}, "model": {"Pixel 8"},
		"passcode": {"yes"}, "managed": {"yes"}, "auto_updates": {"no"}, "unknown_wifi": {"yes"}}
	incomplete := url.Values{}
	for k, v := range answers {
		incomplete[k] = v
	}
	incomplete.Del("auto_updates")
	status, body, _ = phone.post(link+"/phone", incomplete)
	if status != http.StatusBadRequest || !strings.Contains(body, `href="#sc-auto_updates"`) || !strings.Contains(body, `value="Ann Lee"`) {
		t.Errorf("an incomplete form: %d: %s", status, text(body))
	}
	scope := handwash.Scope{ProviderID: w.provider.ID}
	if ds, _ := w.store.MobileDevices(context.Background(), scope, w.rose.ID); len(ds) != 0 {
		t.Fatalf("a refused form stored %d phones", len(ds))
	}
	status, body, _ = phone.post(link+"/phone", answers)
	shown := text(body)
	if status != http.StatusOK || !strings.Contains(shown, "Thank you, Ann Lee") ||
		!strings.Contains(shown, "without automatic updates for the system and apps: Pixel 8 (Ann Lee)") {
		t.Fatalf("saved: %d: %s", status, shown)
	}
	answers.Set("auto_updates", "yes")
	phone.post(link+"/phone", answers)
	other := w.browser()
	other.post(link+"/phone", url.Values{"owner": {"Bo Chan"}, "os": {"ios"}, "passcode": {"no"}, "managed": {"unsure"}, "auto_updates": {"yes"}, "unknown_wifi": {"no"}})
	ds, err := w.store.MobileDevices(context.Background(), scope, w.rose.ID)
	must(t, err)
	if len(ds) != 2 {
		t.Fatalf("%d phones after three self-checks of two phones, want 2", len(ds))
	}
	for _, d := range ds {
		if d.Source != handwash.MobileSelfCheck || d.LastSeen == nil {
			t.Errorf("phone %+v", d)
		}
		if d.Owner == "Ann Lee" && (d.AutoUpdates == nil || !*d.AutoUpdates) {
			t.Errorf("the second check did not update Ann's phone: %+v", d)
		}
	}
	_, body, _ = admin.get("/orgs/" + w.rose.ID + "/phones")
	if shown := text(body); !strings.Contains(shown, "Ann Lee") || !strings.Contains(shown, "Bo Chan") || !strings.Contains(shown, "selfcheck") {
		t.Errorf("the phones page: %s", shown)
	}
	// Another organisation's staff link records in that organisation only.
	if ds, _ := w.store.MobileDevices(context.Background(), scope, w.oak.ID); len(ds) != 0 {
		t.Errorf("Oak Lodge has %d phones", len(ds))
	}
}

// The password page runs the check in the browser: the password field has
// no name, so no form can send it, and the server gives only ranges.
func TestPasswordPageAndRange(t *testing.T) {
	w, counts := staffWorld(t)
	admin := w.browser()
	admin.signIn(w.roseAdmin)
	link := makeStaffLink(t, w, admin)
	staff := w.browser()
	res := staff.raw(link + "/password")
	if res.status != http.StatusOK {
		t.Fatalf("password page: %d", res.status)
	}
	csp := res.header.Get("Content-Security-Policy")
	if !strings.Contains(csp, "'wasm-unsafe-eval'") || !strings.Contains(csp, "connect-src 'self'") || !strings.Contains(csp, "form-action 'none'") {
		t.Errorf("CSP: %s", csp)
	}
	if regexp.MustCompile(`<input id="pw"[^>]*\bname=`).MatchString(res.body) {
		t.Error("the password field has a name, so a form could send it")
	}
	if !strings.Contains(res.body, `data-words="[&#34;rosehouse&#34;,&#34;rose&#34;,&#34;house&#34;]"`) || !strings.Contains(res.body, `data-breached="true"`) {
		t.Errorf("page data: %s", res.body)
	}
	sum := sha1.Sum([]byte("password"))
	h := strings.ToUpper(hex.EncodeToString(sum[:]))
	res = staff.raw(link + "/range/" + strings.ToLower(h[:5]))
	if res.status != http.StatusOK || res.header.Get("Cache-Control") != "no-store" {
		t.Fatalf("range: %d %v", res.status, res.header)
	}
	if n, err := password.ParseRange([]byte(res.body), h[5:]); err != nil || n != counts[h] || n == 0 {
		t.Errorf("count of \"password\" = %d (%v), want %d", n, err, counts[h])
	}
	if lines := strings.Count(res.body, "\n"); lines < 800 {
		t.Errorf("the range has %d lines: not padded", lines)
	}
	for _, bad := range []string{"12", "GGGGG", "123456"} {
		if res := staff.raw(link + "/range/" + bad); res.status != http.StatusBadRequest {
			t.Errorf("range %q: %d, want 400", bad, res.status)
		}
	}
	if res := staff.raw("/s/hws_stl_nope_nope/range/" + h[:5]); res.status != http.StatusNotFound {
		t.Errorf("range with a bad link: %d", res.status)
	}
	// A server that checks no breached passwords says so.
	off := newWorld(t)
	offAdmin := off.browser()
	offAdmin.signIn(off.roseAdmin)
	offLink := makeStaffLink(t, off, offAdmin)
	if res := offAdmin.raw(offLink + "/range/" + h[:5]); res.status != http.StatusNotFound {
		t.Errorf("range with breached passwords off: %d", res.status)
	}
	if _, body, _ := offAdmin.get(offLink + "/password"); !strings.Contains(body, `data-breached="false"`) {
		t.Error("the page does not know breached passwords are off")
	}
}

// The lookups through one link are limited, so the server is no free
// breached-password service.
func TestRangeLimit(t *testing.T) {
	w, _ := staffWorld(t)
	admin := w.browser()
	admin.signIn(w.roseAdmin)
	link := makeStaffLink(t, w, admin)
	limited := 0
	for i := 0; i < 1001; i++ {
		if res := admin.raw(fmt.Sprintf("%s/range/%05X", link, i)); res.status == http.StatusTooManyRequests {
			limited++
		}
	}
	if limited != 1 {
		t.Errorf("%d of 1,001 lookups in an hour refused, want 1", limited)
	}
	w.clock.advance(time.Hour + time.Second)
	if res := admin.raw(link + "/range/00000"); res.status != http.StatusOK {
		t.Errorf("an hour later: %d", res.status)
	}
}

// The WebAssembly is served compressed, or plain to a browser without
// gzip, as application/wasm.
func TestWasmServed(t *testing.T) {
	w := newWorld(t)
	b := w.browser()
	res := b.raw("/static/strength.wasm?v=1") // the client asks for gzip and undoes it
	if res.status != http.StatusOK || res.header.Get("Content-Type") != "application/wasm" || !strings.HasPrefix(res.body, "\x00asm") {
		t.Fatalf("wasm: %d %v %q", res.status, res.header, res.body[:min(8, len(res.body))])
	}
	req, _ := http.NewRequest(http.MethodGet, w.srv.URL+"/static/strength.wasm", nil)
	req.Header.Set("Accept-Encoding", "gzip")
	resp, err := http.DefaultTransport.RoundTrip(req)
	must(t, err)
	defer resp.Body.Close()
	zr, err := gzip.NewReader(resp.Body)
	if err != nil || resp.Header.Get("Content-Encoding") != "gzip" {
		t.Fatalf("compressed: %v %v", err, resp.Header)
	}
	plain, _ := io.ReadAll(zr)
	if !bytes.Equal(plain, []byte(res.body)) {
		t.Error("the compressed and plain modules differ")
	}
}
