package dashboard_test

import (
	"context"
	"encoding/csv"
	"fmt"
	"html"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/handwash/handwash"
	"github.com/handwash/handwash/dashboard"
	"github.com/handwash/handwash/internal/passhash"
	"github.com/handwash/handwash/internal/totp"
)

// Nothing but the sign-in page and the stylesheet is served to someone who
// has not signed in, and the page asked for is where signing in leads.
func TestSignInRequired(t *testing.T) {
	w := newWorld(t)
	b := w.browser()
	for _, path := range []string{"/", "/orgs/" + w.rose.ID, "/devices/" + w.roseWindows.ID, "/audit", "/no-such-page"} {
		status, _, loc := b.get(path)
		if status != http.StatusSeeOther || !strings.HasPrefix(loc, "/signin?next=") {
			t.Errorf("GET %s signed out: %d to %q, want 303 to /signin", path, status, loc)
		}
	}
	if status, page, _ := b.get("/signin"); status != http.StatusOK || !strings.Contains(page, `autocomplete="current-password"`) {
		t.Errorf("sign-in page: %d", status)
	}
	if status, _, _ := b.get("/static/style.css"); status != http.StatusOK {
		t.Errorf("stylesheet: %d", status)
	}
	// Where signing in leads is always a path on this site.
	status, _, loc := b.post("/signin", url.Values{"email": {w.roseViewer.user.Email}, "password": {w.roseViewer.password}, "next": {"https://evil.example/"}})
	if status != http.StatusSeeOther || loc != "/" {
		t.Errorf("sign in with next=https://evil.example/: %d to %q, want 303 to /", status, loc)
	}
}

// A wrong password and an unknown address get the same answer, and after
// 10 failures in 5 minutes even the right password waits.
func TestSignInFailuresAndThrottling(t *testing.T) {
	w := newWorld(t)
	b := w.browser()
	_, wrong, _ := b.post("/signin", url.Values{"email": {w.roseViewer.user.Email}, "password": {"not it"}})
	_, unknown, _ := b.post("/signin", url.Values{"email": {"nobody@rosehouse.example"}, "password": {"not it"}})
	if !strings.Contains(wrong, "email address or password is not right") || text(wrong) != strings.ReplaceAll(text(unknown), "nobody@rosehouse.example", w.roseViewer.user.Email) {
		t.Errorf("a wrong password and an unknown address are answered differently:\n%s\n%s", text(wrong), text(unknown))
	}
	if strings.Contains(wrong, "not it") {
		t.Error("the page repeats the password typed")
	}
	if status, page, _ := b.post("/signin", url.Values{"email": {""}, "password": {""}}); status != http.StatusBadRequest || !strings.Contains(page, "Type your email address") {
		t.Errorf("empty form: %d", status)
	}
	for i := 0; i < 8; i++ {
		b.post("/signin", url.Values{"email": {w.roseViewer.user.Email}, "password": {"still not it"}})
	}
	status, page, _ := b.post("/signin", url.Values{"email": {w.roseViewer.user.Email}, "password": {w.roseViewer.password}})
	if status != http.StatusTooManyRequests || !strings.Contains(page, "too many attempts") {
		t.Fatalf("the right password after 10 failures: %d, want 429: %s", status, text(page))
	}
	// Another address may not try this account either.
	other := w.browser()
	if status, _, _ := other.do(http.MethodPost, "/signin", url.Values{"email": {strings.ToUpper(w.roseViewer.user.Email)}, "password": {w.roseViewer.password}}); status != http.StatusTooManyRequests {
		t.Errorf("the same account in upper case: %d, want 429", status)
	}
	w.clock.advance(5*time.Minute + time.Second)
	b.signIn(w.roseViewer)

	entries, _, err := w.store.Audit(context.Background(), handwash.Scope{ProviderID: w.provider.ID}, handwash.AuditFilter{Action: "signin.fail"})
	must(t, err)
	if len(entries) < 9 {
		t.Errorf("%d failed sign-ins in the audit log, want at least 9", len(entries))
	}
}

// An administrator must give a code from their app; a code is accepted
// once, and a recovery code once.
func TestSecondFactor(t *testing.T) {
	w := newWorld(t)
	b := w.browser()
	status, _, loc := b.post("/signin", url.Values{"email": {w.roseAdmin.user.Email}, "password": {w.roseAdmin.password}, "next": {"/audit"}})
	if status != http.StatusSeeOther || !strings.HasPrefix(loc, "/signin/code") {
		t.Fatalf("password of an administrator with MFA: %d to %q, want the code page", status, loc)
	}
	// Half signed in: every page leads back to the code.
	if status, _, loc := b.get("/orgs/" + w.rose.ID); status != http.StatusSeeOther || loc != "/signin/code" {
		t.Errorf("a page before the code: %d to %q", status, loc)
	}
	b.get("/signin/code?next=%2Faudit")
	if status, page, _ := b.post("/signin/code", url.Values{"code": {"000000"}, "next": {"/audit"}}); status != http.StatusUnauthorized || !strings.Contains(page, "not right") {
		t.Errorf("a wrong code: %d", status)
	}
	code, err := totp.Code(w.roseAdmin.secret, w.clock.now())
	must(t, err)
	status, _, loc = b.post("/signin/code", url.Values{"code": {code}, "next": {"/audit"}})
	if status != http.StatusSeeOther || loc != "/audit" {
		t.Fatalf("the right code: %d to %q, want 303 to /audit", status, loc)
	}
	if status, page, _ := b.get("/audit"); status != http.StatusOK || !strings.Contains(page, "signin") {
		t.Errorf("audit log after signing in: %d", status)
	}

	// The same code cannot sign in a second browser.
	b2 := w.browser()
	b2.post("/signin", url.Values{"email": {w.roseAdmin.user.Email}, "password": {w.roseAdmin.password}})
	b2.get("/signin/code")
	if status, _, _ := b2.post("/signin/code", url.Values{"code": {code}}); status != http.StatusUnauthorized {
		t.Errorf("a code used before: %d, want 401", status)
	}

	// Recovery codes: give the administrator known ones.
	plain, hashed, err := passhash.NewRecoveryCodes(passhash.RecoveryCodeCount)
	must(t, err)
	must(t, w.store.SetMFA(context.Background(), w.roseAdmin.user.ID, w.roseAdmin.secret, hashed))
	b3 := w.browser()
	b3.post("/signin", url.Values{"email": {w.roseAdmin.user.Email}, "password": {w.roseAdmin.password}})
	b3.get("/signin/code")
	if status, _, _ := b3.post("/signin/code", url.Values{"code": {strings.ToUpper(plain[3])}}); status != http.StatusSeeOther {
		t.Fatalf("a recovery code: %d, want 303", status)
	}
	b4 := w.browser()
	b4.post("/signin", url.Values{"email": {w.roseAdmin.user.Email}, "password": {w.roseAdmin.password}})
	b4.get("/signin/code")
	if status, _, _ := b4.post("/signin/code", url.Values{"code": {plain[3]}}); status != http.StatusUnauthorized {
		t.Errorf("a recovery code used before: %d, want 401", status)
	}
}

var regexpSecret = regexp.MustCompile(`name="secret" value="([^"]+)"`)

// An administrator without an authenticator app must set one up before
// anything else, and then has recovery codes.
func TestAdministratorMustSetUpMFA(t *testing.T) {
	w := newWorld(t)
	b := w.browser()
	status, _, loc := b.post("/signin", url.Values{"email": {w.newAdmin.user.Email}, "password": {w.newAdmin.password}})
	if status != http.StatusSeeOther || !strings.HasPrefix(loc, "/account/mfa") {
		t.Fatalf("an administrator without MFA: %d to %q, want /account/mfa", status, loc)
	}
	if status, _, loc := b.get("/"); status != http.StatusSeeOther || loc != "/account/mfa" {
		t.Errorf("home before MFA is set up: %d to %q", status, loc)
	}
	_, page, _ := b.get("/account/mfa")
	m := regexpSecret.FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no set-up key on the page: %s", text(page))
	}
	secret := strings.ReplaceAll(m[1], " ", "")
	if status, _, _ := b.post("/account/mfa", url.Values{"secret": {secret}, "code": {"123456"}}); status != http.StatusBadRequest {
		t.Errorf("a wrong code when setting up: %d, want 400", status)
	}
	code, err := totp.Code(secret, w.clock.now())
	must(t, err)
	status, page, _ = b.post("/account/mfa", url.Values{"secret": {secret}, "code": {code}})
	if status != http.StatusOK || strings.Count(page, "<li><code>") != passhash.RecoveryCodeCount {
		t.Fatalf("setting up: %d, %d recovery codes shown", status, strings.Count(page, "<li><code>"))
	}
	if status, _, loc := b.get("/"); status != http.StatusSeeOther || loc != "/orgs/"+w.rose.ID {
		t.Errorf("home after setting up MFA: %d to %q, want 303 to the organisation", status, loc)
	}
	rec, err := w.store.SignIn(context.Background(), w.newAdmin.user.ID)
	must(t, err)
	if rec.TOTPSecret != secret || len(rec.RecoveryCodes) != passhash.RecoveryCodeCount {
		t.Errorf("stored: secret %v, %d recovery codes", rec.TOTPSecret == secret, len(rec.RecoveryCodes))
	}
}

// Each person sees only their own organisation's pages; viewers do not see
// the audit log.
func TestScope(t *testing.T) {
	w := newWorld(t)
	viewer := w.browser()
	viewer.signIn(w.roseViewer)
	if status, _, loc := viewer.get("/"); status != http.StatusSeeOther || loc != "/orgs/"+w.rose.ID {
		t.Errorf("home of an organisation's user: %d to %q", status, loc)
	}
	cases := []struct {
		path string
		want int
	}{
		{"/orgs/" + w.rose.ID, http.StatusOK},
		{"/devices/" + w.roseWindows.ID, http.StatusOK},
		{"/orgs/" + w.oak.ID, http.StatusNotFound},
		{"/devices/" + w.oakPC.ID, http.StatusNotFound},
		{"/audit", http.StatusForbidden},
		{"/orgs/" + w.rose.ID + "?platform=amiga", http.StatusBadRequest},
	}
	for _, c := range cases {
		status, page, _ := viewer.get(c.path)
		if status != c.want {
			t.Errorf("viewer of Rose House: GET %s = %d, want %d", c.path, status, c.want)
		}
		if strings.Contains(page, "Oak Lodge") || strings.Contains(page, "OAK-PC-1") {
			t.Errorf("viewer of Rose House: GET %s shows Oak Lodge", c.path)
		}
	}
	oak := w.browser()
	oak.signIn(w.oakAdmin)
	if status, _, _ := oak.get("/devices/" + w.roseMac.ID); status != http.StatusNotFound {
		t.Errorf("Oak Lodge's administrator: a Rose House device = %d, want 404", status)
	}
	provider := w.browser()
	provider.signIn(w.providerAdmin)
	status, page, _ := provider.get("/")
	if status != http.StatusOK || !strings.Contains(page, "Rose House") || !strings.Contains(page, "Oak Lodge") {
		t.Errorf("provider home: %d: %s", status, text(page))
	}
}

// The organisation page shows its scores, what to fix first and its
// devices; the device page its findings with the fix for its platform.
func TestOrgAndDevicePages(t *testing.T) {
	w := newWorld(t)
	b := w.browser()
	b.signIn(w.roseAdmin)
	status, page, _ := b.get("/orgs/" + w.rose.ID)
	if status != http.StatusOK {
		t.Fatalf("org page: %d", status)
	}
	for _, want := range []string{"Rose House", "Scores per area", "<svg", "Fix these first", "RECEPTION-PC", "office-mac", "2 devices"} {
		if !strings.Contains(page, want) {
			t.Errorf("org page lacks %q", want)
		}
	}
	// The neglected Windows PC fails critical checks, listed before
	// lower severities.
	fix := page[strings.Index(page, "Fix these first"):strings.Index(page, `id="devices"`)]
	if c, l := strings.Index(fix, "sev-critical"), strings.LastIndex(fix, "sev-low"); c < 0 || (l >= 0 && l < c) {
		t.Errorf("fix-first list is not ordered by severity")
	}
	if _, page, _ := b.get("/orgs/" + w.rose.ID + "?platform=macos"); strings.Contains(page, "RECEPTION-PC") || !strings.Contains(page, "office-mac") {
		t.Errorf("platform filter: %s", text(page))
	}
	status, page, _ = b.get("/devices/" + w.roseWindows.ID)
	if status != http.StatusOK {
		t.Fatalf("device page: %d", status)
	}
	for _, want := range []string{"RECEPTION-PC", "Why it matters", "How to fix it", "Settings", "Failed", "Score over time", "Programs and packages", "Facts collected"} {
		if !strings.Contains(page, want) {
			t.Errorf("device page lacks %q", want)
		}
	}
	if strings.Contains(page, "systemctl") {
		t.Error("a Windows device's page shows Linux fix steps")
	}
}

// Forms must come from the dashboard's own pages of the same session.
func TestFormsNeedTheirToken(t *testing.T) {
	w := newWorld(t)
	b := w.browser()
	b.signIn(w.roseViewer)
	if status, _, _ := b.post("/signout", url.Values{"csrf": {"forged"}}); status != http.StatusForbidden {
		t.Errorf("sign out with a forged form token: %d, want 403", status)
	}
	b.get("/orgs/" + w.rose.ID)
	if status, _, _ := b.do(http.MethodPost, "/signout", url.Values{"csrf": {b.csrf}}, "Sec-Fetch-Site", "cross-site"); status != http.StatusForbidden {
		t.Errorf("sign out from another site: %d, want 403", status)
	}
	if status, _, _ := b.get("/orgs/" + w.rose.ID); status != http.StatusOK {
		t.Fatal("the refused sign-outs signed the browser out")
	}
	if status, _, loc := b.post("/signout", url.Values{}); status != http.StatusSeeOther || loc != "/signin" {
		t.Errorf("sign out: %d to %q", status, loc)
	}
	if status, _, _ := b.get("/orgs/" + w.rose.ID); status != http.StatusSeeOther {
		t.Errorf("after signing out: %d, want 303", status)
	}
}

// Sessions end after 30 idle minutes, and after 12 hours however active.
func TestSessionTimeouts(t *testing.T) {
	w := newWorld(t)
	b := w.browser()
	b.signIn(w.roseViewer)
	w.clock.advance(29 * time.Minute)
	if status, _, _ := b.get("/orgs/" + w.rose.ID); status != http.StatusOK {
		t.Fatalf("after 29 idle minutes: %d, want 200", status)
	}
	w.clock.advance(31 * time.Minute)
	if status, _, _ := b.get("/orgs/" + w.rose.ID); status != http.StatusSeeOther {
		t.Errorf("after 31 idle minutes: %d, want 303 to sign in", status)
	}
	b.signIn(w.roseViewer)
	for range 25 {
		w.clock.advance(29 * time.Minute)
		b.get("/orgs/" + w.rose.ID)
	}
	if status, _, _ := b.get("/orgs/" + w.rose.ID); status != http.StatusSeeOther {
		t.Errorf("after 12 busy hours: %d, want 303 to sign in", status)
	}
}

// Every answer forbids framing, sniffing and loading from elsewhere, and
// the session cookie cannot be read by scripts.
func TestSecurityHeaders(t *testing.T) {
	w := newWorld(t)
	b := w.browser()
	req, _ := http.NewRequest(http.MethodPost, w.srv.URL+"/signin", strings.NewReader(url.Values{"email": {w.roseViewer.user.Email}, "password": {w.roseViewer.password}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	res, err := b.client.Do(req)
	must(t, err)
	res.Body.Close()
	for h, want := range map[string]string{
		"Content-Security-Policy": "default-src 'none'",
		"X-Content-Type-Options":  "nosniff",
		"X-Frame-Options":         "DENY",
		"Cache-Control":           "no-store",
	} {
		if !strings.Contains(res.Header.Get(h), want) {
			t.Errorf("%s = %q, want %q", h, res.Header.Get(h), want)
		}
	}
	cookies := res.Cookies()
	if len(cookies) != 1 || !cookies[0].HttpOnly || cookies[0].SameSite != http.SameSiteLaxMode {
		t.Errorf("session cookie: %+v", cookies)
	}
}

// An organisation's evidence report (page and PDF), its spreadsheets and
// one control across its devices; none of them for another organisation.
func TestReportsExportsAndControlPage(t *testing.T) {
	w := newWorld(t)
	w.device(w.rose, "=HYPERLINK(\"http://evil.example\")", "../collect/testdata/linux/neglected.facts.json")
	b := w.browser()
	b.signIn(w.roseAdmin)
	org := "/orgs/" + w.rose.ID

	res := b.raw(org + "/evidence")
	if res.status != http.StatusOK || !strings.HasPrefix(res.header.Get("Content-Type"), "text/html") || !strings.Contains(res.body, "Rose House") {
		t.Errorf("evidence page: %d %s", res.status, res.header.Get("Content-Type"))
	}
	res = b.raw(org + "/evidence.pdf")
	if res.status != http.StatusOK || res.header.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(res.body, "%PDF") ||
		!strings.Contains(res.header.Get("Content-Disposition"), "rose-house") {
		t.Errorf("evidence PDF: %d %s %q", res.status, res.header.Get("Content-Type"), res.header.Get("Content-Disposition"))
	}

	res = b.raw(org + "/devices.csv")
	rows, err := csv.NewReader(strings.NewReader(res.body)).ReadAll()
	if err != nil || res.header.Get("Content-Type") != "text/csv; charset=utf-8" {
		t.Fatalf("devices.csv: %v, %s", err, res.header.Get("Content-Type"))
	}
	if len(rows) != 4 || rows[0][1] != "hostname" {
		t.Errorf("devices.csv: %d rows, header %v; want a header and 3 devices", len(rows), rows[0])
	}
	if !strings.Contains(res.body, `'=HYPERLINK(`) || strings.Contains(res.body, "\n=HYPERLINK") || strings.Contains(res.body, ",=HYPERLINK") {
		t.Errorf("a hostname that is a formula is not made plain text:\n%s", res.body)
	}
	res = b.raw(org + "/findings.csv")
	rows, err = csv.NewReader(strings.NewReader(res.body)).ReadAll()
	must(t, err)
	_, total, err := w.store.Findings(context.Background(), handwash.Scope{ProviderID: w.provider.ID}, handwash.FindingFilter{OrgID: w.rose.ID})
	must(t, err)
	if len(rows) != total+1 || total == 0 {
		t.Errorf("findings.csv: %d rows, want %d findings and a header", len(rows), total)
	}

	status, page, _ := b.get(org + "/controls/malware.firewall-on")
	if status != http.StatusOK || !strings.Contains(page, "RECEPTION-PC") || !strings.Contains(page, "Why it matters") {
		t.Errorf("control page: %d: %s", status, text(page))
	}
	if strings.Contains(page, "office-mac") {
		t.Error("the control page lists a device that passes")
	}
	if status, _, _ := b.get(org + "/controls/no.such-control"); status != http.StatusNotFound {
		t.Errorf("an unknown control: %d, want 404", status)
	}

	oak := w.browser()
	oak.signIn(w.oakAdmin)
	for _, path := range []string{"/evidence", "/evidence.pdf", "/devices.csv", "/findings.csv", "/controls/malware.firewall-on"} {
		if res := oak.raw(org + path); res.status != http.StatusNotFound || strings.Contains(res.body, "RECEPTION-PC") {
			t.Errorf("Oak Lodge's administrator: GET %s of Rose House = %d, want 404", path, res.status)
		}
	}
}

// An administrator accepts a failed check's risk with a reason, an owner
// and a date, and revokes it; a viewer and another organisation cannot;
// a form with a problem says which field and keeps what was typed.
func TestExceptionsGrantAndRevoke(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	scope := handwash.Scope{ProviderID: w.provider.ID}
	device := "/devices/" + w.roseWindows.ID
	grant := url.Values{"control": {"malware.firewall-on"}, "reason": {"The label printer's driver needs it off until it is replaced in March."},
		"owner": {"Jo Brown"}, "expires": {w.clock.now().AddDate(0, 3, 0).Format("2006-01-02")}, "scope": {"device"}}

	viewer := w.browser()
	viewer.signIn(w.roseViewer)
	if _, page, _ := viewer.get(device); strings.Contains(page, "Accept the risk") {
		t.Error("a viewer is offered the form to accept a risk")
	}
	if status, _, _ := viewer.post(device+"/exceptions", grant); status != http.StatusForbidden {
		t.Errorf("a viewer accepting a risk: %d, want 403", status)
	}
	oak := w.browser()
	oak.signIn(w.oakAdmin)
	oak.get("/orgs/" + w.oak.ID)
	if status, _, _ := oak.post(device+"/exceptions", grant); status != http.StatusNotFound {
		t.Errorf("another organisation's administrator: %d, want 404", status)
	}

	admin := w.browser()
	admin.signIn(w.roseAdmin)
	admin.get(device)
	bad := url.Values{}
	for k, v := range grant {
		bad[k] = v
	}
	bad.Set("expires", "2020-01-01")
	status, page, _ := admin.post(device+"/exceptions", bad)
	if status != http.StatusBadRequest || !strings.Contains(page, "Look at it again by: 2020-01-01 has passed") || !strings.Contains(page, "label printer") {
		t.Errorf("a date in the past: %d: %s", status, text(page))
	}
	if es, _ := w.store.Exceptions(ctx, scope, w.rose.ID); len(es) != 0 || w.stored.Load() != 0 {
		t.Fatalf("refused forms stored %d exceptions and woke the judge %d times", len(es), w.stored.Load())
	}

	admin.get(device)
	if status, _, loc := admin.post(device+"/exceptions", grant); status != http.StatusSeeOther || !strings.HasPrefix(loc, device) {
		t.Fatalf("accepting a risk: %d to %q", status, loc)
	}
	es, err := w.store.Exceptions(ctx, scope, w.rose.ID)
	must(t, err)
	if len(es) != 1 || es[0].DeviceID != w.roseWindows.ID || es[0].Owner != "Jo Brown" || w.stored.Load() != 1 {
		t.Fatalf("stored: %+v, judge woken %d times", es, w.stored.Load())
	}
	if _, page, _ := admin.get(device); !strings.Contains(page, "label printer") || !strings.Contains(page, "Revoke") {
		t.Error("the device page does not list the exception with a way to revoke it")
	}
	entries, _, err := w.store.Audit(ctx, scope, handwash.AuditFilter{Action: "exception.grant"})
	must(t, err)
	if len(entries) != 1 || entries[0].ActorID != w.roseAdmin.user.ID || entries[0].OrgID != w.rose.ID || !strings.Contains(entries[0].Detail, "malware.firewall-on") {
		t.Errorf("audit: %+v", entries)
	}

	// The organisation's page lists it; once its date has passed, the
	// provider's home counts it as a risk to review, and the page says so.
	org := "/orgs/" + w.rose.ID
	if _, page, _ := viewer.get(org); !strings.Contains(page, "Accepted risks") || !strings.Contains(page, "label printer") || strings.Contains(page, "overdue") {
		t.Errorf("the organisation's page does not list the accepted risk: %s", text(page))
	} else if strings.Contains(page, "/exceptions/"+es[0].ID+"/revoke") {
		t.Error("a viewer is offered the button to revoke it")
	}
	w.clock.advance(100 * 24 * time.Hour)
	provider := w.browser()
	provider.signIn(w.providerAdmin)
	_, home, _ := provider.get("/")
	if !strings.Contains(home, "Risks to review") || !strings.Contains(home, `<a href="/orgs/`+w.rose.ID+`#exceptions-h"><strong>1</strong></a>`) {
		t.Errorf("the provider's home does not count the overdue risk: %s", text(home))
	}
	if !strings.Contains(home, "Backing up your data") && !strings.Contains(home, handwash.AreaBackup.Title()) {
		t.Error("the provider's home has no per-area scores")
	}
	// A hundred days on, everyone signs in again.
	admin.signIn(w.roseAdmin)
	viewer.signIn(w.roseViewer)
	oak.signIn(w.oakAdmin)
	oak.get("/orgs/" + w.oak.ID)
	if _, page, _ := admin.get(org); !strings.Contains(page, "(overdue)") || !strings.Contains(page, "1 is past the date to look again") {
		t.Errorf("the organisation's page does not mark the overdue risk: %s", text(page))
	}

	revoke := "/exceptions/" + es[0].ID + "/revoke"
	if status, _, _ := viewer.post(revoke, url.Values{}); status != http.StatusForbidden {
		t.Errorf("a viewer revoking: %d, want 403", status)
	}
	if status, _, _ := oak.post(revoke, url.Values{}); status != http.StatusNotFound {
		t.Errorf("another organisation revoking: %d, want 404", status)
	}
	admin.get(device)
	if status, _, loc := admin.post(revoke, url.Values{"next": {device}}); status != http.StatusSeeOther || loc != device {
		t.Errorf("revoking: %d to %q", status, loc)
	}
	if es, _ := w.store.Exceptions(ctx, scope, w.rose.ID); len(es) != 0 || w.stored.Load() != 2 {
		t.Errorf("after revoking: %d exceptions, judge woken %d times", len(es), w.stored.Load())
	}
}

// An administrator makes an enrolment token, sees it once with the
// commands for each platform, and revokes it; viewers and other
// organisations cannot.
func TestEnrolmentTokens(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	scope := handwash.Scope{ProviderID: w.provider.ID}
	enrol := "/orgs/" + w.rose.ID + "/enrol"

	viewer := w.browser()
	viewer.signIn(w.roseViewer)
	if status, _, _ := viewer.get(enrol); status != http.StatusForbidden {
		t.Errorf("a viewer's enrolment page: %d, want 403", status)
	}
	viewer.get("/orgs/" + w.rose.ID)
	if status, _, _ := viewer.post(enrol, url.Values{"uses": {"5"}, "life": {"24h"}}); status != http.StatusForbidden {
		t.Errorf("a viewer making a token: %d, want 403", status)
	}
	oak := w.browser()
	oak.signIn(w.oakAdmin)
	if status, _, _ := oak.get(enrol); status != http.StatusNotFound {
		t.Errorf("another organisation's enrolment page: %d, want 404", status)
	}

	admin := w.browser()
	admin.signIn(w.roseAdmin)
	if status, page, _ := admin.get(enrol); status != http.StatusOK || strings.Contains(page, "hwe_") {
		t.Fatalf("enrolment page: %d", status)
	}
	if status, page, _ := admin.post(enrol, url.Values{"uses": {"0"}, "life": {"24h"}}); status != http.StatusBadRequest || !strings.Contains(page, "give a number from 1 to 10000") {
		t.Errorf("0 computers: %d: %s", status, text(page))
	}
	if status, _, _ := admin.post(enrol, url.Values{"uses": {"5"}, "life": {"99y"}}); status != http.StatusBadRequest {
		t.Errorf("a lifetime not on the list: %d, want 400", status)
	}
	status, page, _ := admin.post(enrol, url.Values{"uses": {"5"}, "life": {"24h"}})
	if status != http.StatusCreated {
		t.Fatalf("making a token: %d: %s", status, text(page))
	}
	m := regexp.MustCompile(`hwe_[a-z0-9_]+`).FindString(page)
	id, secret, ok := handwash.ParseCredential(handwash.PrefixEnrollToken, m)
	if !ok {
		t.Fatalf("no enrolment credential on the page: %s", text(page))
	}
	for _, want := range []string{`.\handwash.exe agent enroll --server ` + w.srv.URL + " --token " + m, "sudo handwash agent enroll --server " + w.srv.URL, "Windows", "macOS", "Linux"} {
		if !strings.Contains(html.UnescapeString(page), want) {
			t.Errorf("the new token's page lacks %q", want)
		}
	}
	token := func() *handwash.EnrollToken {
		t.Helper()
		tokens, err := w.store.EnrollTokens(ctx, scope, w.rose.ID)
		must(t, err)
		for _, tok := range tokens {
			if tok.ID == id {
				return tok
			}
		}
		t.Fatalf("token %s is not stored", id)
		return nil
	}
	if tok := token(); tok.MaxUses != 5 || !handwash.SecretMatches(secret, tok.SecretHash) || tok.Revoked {
		t.Fatalf("stored token: %+v", tok)
	}
	if _, page, _ := admin.get(enrol); strings.Contains(page, secret) {
		t.Error("the token's secret is shown again")
	}
	if status, _, _ := oak.post("/enroll-tokens/"+id+"/revoke", url.Values{}); status != http.StatusNotFound {
		t.Errorf("another organisation revoking: %d, want 404", status)
	}
	admin.get(enrol)
	if status, _, loc := admin.post("/enroll-tokens/"+id+"/revoke", url.Values{"next": {enrol}}); status != http.StatusSeeOther || loc != enrol {
		t.Errorf("revoking: %d to %q", status, loc)
	}
	if !token().Revoked {
		t.Error("the token is not revoked")
	}
	for _, action := range []string{"enroll_token.create", "enroll_token.revoke"} {
		if entries, _, err := w.store.Audit(ctx, scope, handwash.AuditFilter{Action: action}); err != nil || len(entries) != 1 {
			t.Errorf("audit %s: %d entries, %v", action, len(entries), err)
		}
	}
}

// Ended sessions are deleted by the clean-up; live ones stay.
func TestCleanUpSessions(t *testing.T) {
	w := newWorld(t)
	live, idle := w.browser(), w.browser()
	live.signIn(w.roseViewer)
	idle.signIn(w.oakAdmin)
	w.clock.advance(20 * time.Minute)
	live.get("/orgs/" + w.rose.ID)
	w.clock.advance(15 * time.Minute) // idle's session is now 35 minutes idle
	n, err := dashboard.CleanUpSessions(context.Background(), w.store, dashboard.Config{}, w.clock.now())
	must(t, err)
	if n != 1 {
		t.Errorf("deleted %d sessions, want 1", n)
	}
	if status, _, _ := live.get("/orgs/" + w.rose.ID); status != http.StatusOK {
		t.Errorf("the live session was ended: %d", status)
	}
}

// Administrators change roles and stop people signing in, within their
// own scope and never above their own role; a stopped person is signed
// out at once.
func TestUsersAndRoles(t *testing.T) {
	w := newWorld(t)
	viewer := w.browser()
	viewer.signIn(w.roseViewer)
	if status, _, _ := viewer.get("/users"); status != http.StatusForbidden {
		t.Errorf("a viewer's people page: %d, want 403", status)
	}

	admin := w.browser()
	admin.signIn(w.roseAdmin)
	status, page, _ := admin.get("/users")
	if status != http.StatusOK || !strings.Contains(page, w.roseViewer.user.Email) || strings.Contains(page, w.oakAdmin.user.Email) || strings.Contains(page, w.providerAdmin.user.Email) {
		t.Fatalf("an organisation administrator's people page: %d: %s", status, text(page))
	}
	if strings.Contains(page, `action="/users/`+w.roseAdmin.user.ID+`"`) || strings.Contains(page, `value="provider_admin"`) {
		t.Error("the page offers changing oneself or a role above one's own")
	}
	user := "/users/" + w.roseViewer.user.ID
	if status, _, _ := admin.post("/users/"+w.roseAdmin.user.ID, url.Values{"role": {"viewer"}}); status != http.StatusForbidden {
		t.Errorf("changing oneself: %d, want 403", status)
	}
	if status, _, _ := admin.post(user, url.Values{"role": {"provider_admin"}}); status != http.StatusForbidden {
		t.Errorf("giving a role above one's own: %d, want 403", status)
	}
	if status, _, _ := admin.post(user, url.Values{"role": {"emperor"}}); status != http.StatusBadRequest {
		t.Errorf("a role that does not exist: %d, want 400", status)
	}
	oak := w.browser()
	oak.signIn(w.oakAdmin)
	oak.get("/users")
	if status, _, _ := oak.post(user, url.Values{"role": {"org_admin"}}); status != http.StatusNotFound {
		t.Errorf("another organisation's administrator: %d, want 404", status)
	}

	admin.get("/users")
	if status, _, _ := admin.post(user, url.Values{"role": {"viewer"}, "disabled": {"on"}}); status != http.StatusSeeOther {
		t.Fatalf("stopping a viewer: %d", status)
	}
	if status, _, _ := viewer.get("/orgs/" + w.rose.ID); status != http.StatusSeeOther {
		t.Errorf("a stopped person is still signed in: %d", status)
	}
	if status, _, _ := w.browser().post("/signin", url.Values{"email": {w.roseViewer.user.Email}, "password": {w.roseViewer.password}}); status != http.StatusUnauthorized {
		t.Errorf("a stopped person signing in: %d, want 401", status)
	}
	admin.get("/users")
	if status, _, _ := admin.post(user, url.Values{"role": {"org_admin"}}); status != http.StatusSeeOther {
		t.Fatalf("making a viewer an administrator: %d", status)
	}
	u, err := w.store.User(context.Background(), handwash.Scope{ProviderID: w.provider.ID}, w.roseViewer.user.ID)
	must(t, err)
	if u.Role != handwash.RoleOrgAdmin || u.Disabled {
		t.Errorf("stored: %+v", u)
	}
	// The new administrator must now set up an authenticator app.
	again := w.browser()
	if _, _, loc := again.post("/signin", url.Values{"email": {w.roseViewer.user.Email}, "password": {w.roseViewer.password}}); !strings.HasPrefix(loc, "/account/mfa") {
		t.Errorf("a new administrator without an authenticator app went to %q", loc)
	}
	entries, _, err := w.store.Audit(context.Background(), handwash.Scope{ProviderID: w.provider.ID}, handwash.AuditFilter{Action: "user.update"})
	must(t, err)
	if len(entries) != 2 {
		t.Errorf("%d user.update entries in the audit log, want 2", len(entries))
	}
}

// The provider's home page says how each organisation's score moved since
// last week, and the organisation page draws it over time.
func TestScoreOverTime(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	// A week and a day ago Rose House's Mac was worse: its findings then
	// were all failures.
	a, err := w.store.Assessment(ctx, handwash.Scope{ProviderID: w.provider.ID}, w.roseMac.ID)
	must(t, err)
	now := *a
	then := *a
	then.EvaluatedAt = w.clock.now().AddDate(0, 0, -8)
	then.Overall.Earned, then.Overall.Pass, then.Overall.Fail = 0, 0, then.Overall.Pass+then.Overall.Fail
	must(t, w.store.PutAssessment(ctx, w.roseMac.ID, w.roseMac.FactsDigest, &then))
	now.EvaluatedAt = w.clock.now()
	must(t, w.store.PutAssessment(ctx, w.roseMac.ID, w.roseMac.FactsDigest, &now))

	b := w.browser()
	b.signIn(w.providerAdmin)
	_, page, _ := b.get("/")
	if !strings.Contains(page, "up ") {
		t.Errorf("home page: no rise since last week shown: %s", text(page))
	}
	_, page, _ = b.get("/orgs/" + w.rose.ID)
	if !strings.Contains(page, "Score over time") || !strings.Contains(page, "Since last week: <strong>up ") {
		t.Errorf("organisation page: no score over time: %s", text(page))
	}
}

// An administrator adds a person and passes on a one-time link, with
// which the person chooses their own password and then signs in.
func TestInvitePeople(t *testing.T) {
	w := newWorld(t)
	viewer := w.browser()
	viewer.signIn(w.roseViewer)
	viewer.get("/orgs/" + w.rose.ID)
	if status, _, _ := viewer.post("/users", url.Values{"name": {"Nia Ahmed"}, "email": {"nia@rosehouse.example"}, "role": {"viewer"}}); status != http.StatusForbidden {
		t.Errorf("a viewer adding a person: %d, want 403", status)
	}
	admin := w.browser()
	admin.signIn(w.roseAdmin)
	admin.get("/users")
	for _, c := range []struct {
		name string
		form url.Values
		want string
	}{
		{"bad email", url.Values{"name": {"Nia Ahmed"}, "email": {"nia at rose"}, "role": {"viewer"}}, "Email address"},
		{"taken email", url.Values{"name": {"Ali again"}, "email": {w.roseViewer.user.Email}, "role": {"viewer"}}, "can already sign in"},
		{"role above one's own", url.Values{"name": {"Nia Ahmed"}, "email": {"nia@rosehouse.example"}, "role": {"provider_admin"}}, "Role"},
		{"no name", url.Values{"name": {" "}, "email": {"nia@rosehouse.example"}, "role": {"viewer"}}, "Name"},
	} {
		if status, page, _ := admin.post("/users", c.form); status != http.StatusBadRequest || !strings.Contains(page, c.want) {
			t.Errorf("%s: %d: %s", c.name, status, text(page))
		}
	}
	status, page, _ := admin.post("/users", url.Values{"name": {"Nia Ahmed"}, "email": {"nia@rosehouse.example"}, "role": {"viewer"}, "org": {w.oak.ID}})
	if status != http.StatusCreated {
		t.Fatalf("adding a person: %d: %s", status, text(page))
	}
	link := regexp.MustCompile(`http://[^<" ]+/welcome/hwi_[a-z0-9_]+`).FindString(page)
	if link == "" {
		t.Fatalf("no invitation link on the page: %s", text(page))
	}
	nia, err := w.store.UserByEmail(context.Background(), "nia@rosehouse.example")
	must(t, err)
	if nia.OrgID != w.rose.ID || nia.Role != handwash.RoleViewer {
		t.Errorf("an organisation's administrator added %+v: not to their own organisation", nia)
	}
	path := strings.TrimPrefix(link, w.srv.URL)

	guest := w.browser()
	if status, page, _ := guest.get(path[:len(path)-3] + "aaa"); status != http.StatusNotFound || strings.Contains(page, "Nia") {
		t.Errorf("a link with the wrong secret: %d", status)
	}
	if status, page, _ := guest.get(path); status != http.StatusOK || !strings.Contains(page, "Nia Ahmed") {
		t.Fatalf("the invitation: %d: %s", status, text(page))
	}
	if status, page, _ := guest.post(path, url.Values{"password": {"coffee train fish"}, "confirm": {"coffee train fiish"}}); status != http.StatusBadRequest || !strings.Contains(page, "not the same") {
		t.Errorf("two different passwords: %d", status)
	}
	if status, page, _ := guest.post(path, url.Values{"password": {"short"}, "confirm": {"short"}}); status != http.StatusBadRequest || !strings.Contains(page, "three random words") {
		t.Errorf("a short password: %d: %s", status, text(page))
	}
	if status, _, loc := guest.post(path, url.Values{"password": {"coffee train fish"}, "confirm": {"coffee train fish"}}); status != http.StatusSeeOther || loc != "/signin" {
		t.Fatalf("choosing a password: %d to %q", status, loc)
	}
	if status, _, _ := guest.get(path); status != http.StatusNotFound {
		t.Errorf("the link a second time: %d, want 404", status)
	}
	guest.signIn(person{user: nia, password: "coffee train fish"})
	if status, page, _ := guest.get("/orgs/" + w.rose.ID); status != http.StatusOK || !strings.Contains(page, "Rose House") {
		t.Errorf("the new person's first page: %d", status)
	}

	// A link not used within 72 hours stops working.
	admin.get("/users")
	_, page, _ = admin.post("/users", url.Values{"name": {"Late Comer"}, "email": {"late@rosehouse.example"}, "role": {"viewer"}})
	late := strings.TrimPrefix(regexp.MustCompile(`http://[^<" ]+/welcome/hwi_[a-z0-9_]+`).FindString(page), w.srv.URL)
	w.clock.advance(73 * time.Hour)
	if status, _, _ := w.browser().get(late); status != http.StatusNotFound {
		t.Errorf("a link after 73 hours: %d, want 404", status)
	}
}

// People who sign in from one address (a care home behind one router) do
// not use up each other's attempts: only failures count.
func TestSuccessfulSignInsDoNotCount(t *testing.T) {
	w := newWorld(t)
	for i := range 15 {
		b := w.browser()
		if status, page, _ := b.post("/signin", url.Values{"email": {w.roseViewer.user.Email}, "password": {w.roseViewer.password}}); status != http.StatusSeeOther {
			t.Fatalf("sign-in %d from one address: %d: %s", i+1, status, text(page))
		}
	}
	for range 3 {
		w.browser().signIn(w.roseAdmin)   // password and code
		w.clock.advance(30 * time.Second) // a code is accepted once
	}
}

// Wrong codes count against the account until a code is right, however
// often the password is given again and from whatever address.
func TestWrongCodesCountAcrossAddresses(t *testing.T) {
	w := newWorld(t)
	send := func(addr, path string, form url.Values, cookie *http.Cookie) *httptest.ResponseRecorder {
		t.Helper()
		req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.RemoteAddr = addr + ":1234"
		if cookie != nil {
			req.AddCookie(cookie)
		}
		rec := httptest.NewRecorder()
		w.handler.ServeHTTP(rec, req)
		return rec
	}
	get := func(addr, path string, cookie *http.Cookie) string {
		req := httptest.NewRequest(http.MethodGet, path, nil)
		req.RemoteAddr = addr + ":1234"
		req.AddCookie(cookie)
		rec := httptest.NewRecorder()
		w.handler.ServeHTTP(rec, req)
		return rec.Body.String()
	}
	login := url.Values{"email": {w.roseAdmin.user.Email}, "password": {w.roseAdmin.password}}
	for i := range 10 {
		addr := fmt.Sprintf("192.0.2.%d", i+1) // a new address each time
		rec := send(addr, "/signin", login, nil)
		if rec.Code != http.StatusSeeOther {
			t.Fatalf("password %d: %d", i+1, rec.Code)
		}
		cookie := rec.Result().Cookies()[0]
		m := csrfField.FindStringSubmatch(get(addr, "/signin/code", cookie))
		if m == nil {
			t.Fatal("no form token on the code page")
		}
		if rec := send(addr, "/signin/code", url.Values{"code": {"000000"}, "csrf": {m[1]}}, cookie); rec.Code != http.StatusUnauthorized {
			t.Fatalf("wrong code %d: %d", i+1, rec.Code)
		}
	}
	if rec := send("192.0.2.99", "/signin", login, nil); rec.Code != http.StatusTooManyRequests {
		t.Errorf("the right password after 10 wrong codes from 10 addresses: %d, want 429", rec.Code)
	}
}
