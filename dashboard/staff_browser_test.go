package dashboard_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/device"

	"github.com/handwash/handwash"
	"github.com/handwash/handwash/dashboard"
	"github.com/handwash/handwash/internal/browsertest"
	"github.com/handwash/handwash/password"
	"github.com/handwash/handwash/sqlite"
)

// recorder serves the dashboard and keeps the address of every request.
type recorder struct {
	mu   sync.Mutex
	urls []string
}

func (rc *recorder) serve(t *testing.T, h http.Handler) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rc.mu.Lock()
		rc.urls = append(rc.urls, r.Method+" "+r.URL.String())
		rc.mu.Unlock()
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func (rc *recorder) seen() []string {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]string(nil), rc.urls...)
}

// On a phone-sized screen in a real browser: a member of staff opens the
// staff link, checks their iPhone (the page fills in the system from the
// browser), then an Android phone whose Chrome hides its version (the
// page's script asks for it), then checks two passwords, with the same
// strength as handwash password check gives and nothing but a hash prefix
// sent. Every page passes the accessibility check and fits the screen.
func TestBrowserStaffPagesOnAPhone(t *testing.T) {
	w, counts := staffWorld(t)
	admin := w.browser()
	admin.signIn(w.roseAdmin)
	link := makeStaffLink(t, w, admin)
	var rec recorder
	srv := rec.serve(t, w.handler)
	ctx := browsertest.New(t)
	run := func(what string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, actions...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	get := func(what string, a chromedp.Action[string]) string {
		t.Helper()
		v, err := chromedp.Run(ctx, a)
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		return v
	}
	fits := func(what string) {
		t.Helper()
		wide, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth <= window.innerWidth`))
		if err != nil || !wide {
			t.Errorf("%s is wider than the phone's screen (%v)", what, err)
		}
	}

	// An iPhone 13 (390 by 844), whose Safari says iOS 15.
	run("emulate an iPhone", chromedp.Emulate(device.IPhone13))
	run("the staff page", chromedp.Navigate(srv.URL+link), chromedp.WaitVisible(chromedp.Search(`//a[text()="Check your phone or tablet"]`)))
	browsertest.AssertAccessible(t, ctx)
	fits("the staff page")
	run("the self-check", chromedp.Click(chromedp.Search(`//a[text()="Check your phone or tablet"]`)), chromedp.WaitVisible(chromedp.ID("sc-owner")))
	if os, version := get("system", chromedp.Value(chromedp.ID("sc-os"))), get("version", chromedp.Value(chromedp.ID("sc-os_version"))); os != "ios" || version != "15.0" {
		t.Errorf("detected %q %q, want ios 15.0", os, version)
	}
	browsertest.AssertAccessible(t, ctx)
	fits("the self-check")
	run("answer", chromedp.SendKeys(chromedp.ID("sc-owner"), "Ann Lee"),
		chromedp.Click(chromedp.ID("sc-passcode-yes")), chromedp.Click(chromedp.CSS(`details.how summary`)),
		chromedp.Click(chromedp.ID("sc-managed-no")), chromedp.Click(chromedp.ID("sc-auto_updates-yes")),
		chromedp.Click(chromedp.ID("sc-unknown_wifi-no")),
		chromedp.Submit(chromedp.ID("sc-owner")), chromedp.WaitVisible(chromedp.ID("results-h")))
	result := get("the result", chromedp.Text(chromedp.CSS("main")))
	for _, want := range []string{"Thank you, Ann Lee", "Failed Every phone and tablet can be located, locked and wiped if lost", "Passed Every phone and tablet has a passcode"} {
		if !strings.Contains(result, want) {
			t.Errorf("the result lacks %q: %s", want, result)
		}
	}
	browsertest.AssertAccessible(t, ctx)
	fits("the result")

	// An Android phone with Chrome's reduced user agent: the page's script
	// reads the real version and model from the client hints.
	run("emulate a Pixel", chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, emulation.SetUserAgentOverride, emulation.SetUserAgentOverrideParams{
			UserAgent:         "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36",
			UserAgentMetadata: &emulation.UserAgentMetadata{Platform: "Android", PlatformVersion: "14.0.0", Model: "Pixel 7", Mobile: true},
		})
		return err
	}))
	run("the self-check on Android", chromedp.Navigate(srv.URL+link+"/phone"), chromedp.WaitVisible(chromedp.ID("sc-owner")))
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`document.getElementById("sc-model").value === "Pixel 7"`)); err != nil {
		t.Errorf("the script did not fill in the model: %v", err)
	}
	if os, version := get("system", chromedp.Value(chromedp.ID("sc-os"))), get("version", chromedp.Value(chromedp.ID("sc-os_version"))); os != "android" || version != "14" {
		t.Errorf("detected %q %q, want android 14", os, version)
	}
	if how := get("how", chromedp.TextContent(chromedp.CSS("fieldset.step details.how p"))); !strings.Contains(how, "Android:") || strings.Contains(how, "iPhone and iPad:") {
		t.Errorf("the steps are not Android's: %s", how)
	}

	// The password check.
	words := []string{"rosehouse", "rose", "house"}
	run("the password page", chromedp.Navigate(srv.URL+link+"/password"), chromedp.WaitEnabled(chromedp.ID("pw-go")))
	browsertest.AssertAccessible(t, ctx)
	fits("the password page")
	check := func(pw string) (rating, breach string) {
		t.Helper()
		if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(document.getElementById("pw").value = "") === ""`)); err != nil {
			t.Fatalf("clear the password: %v", err)
		}
		run("check "+pw, chromedp.SendKeys(chromedp.ID("pw"), pw),
			chromedp.Click(chromedp.ID("pw-go")), chromedp.WaitVisible(chromedp.ID("pw-result")))
		if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`!document.getElementById("pw-breach").textContent.startsWith("Looking")`)); err != nil {
			t.Fatalf("the breach lookup did not finish: %v", err)
		}
		return get("rating", chromedp.Text(chromedp.ID("pw-rating"))), get("breach", chromedp.Text(chromedp.ID("pw-breach")))
	}
	for _, pw := range []string{"password", "rosehouse2024", "lantern gravy orbit tuesday"} {
		rating, breach := check(pw)
		want := password.Strength(pw, words)
		if !strings.HasPrefix(rating, want.Rating+" (") {
			t.Errorf("%q: the page says %q, handwash password check says %s (%d)", pw, rating, want.Rating, want.Score)
		}
		found := counts[password.SHA1Hex(pw)] > 0
		if found != strings.HasPrefix(breach, "Found") {
			t.Errorf("%q: %q, but it is in the list: %v", pw, breach, found)
		}
	}
	browsertest.AssertAccessible(t, ctx)
	ranges := 0
	for _, u := range rec.seen() {
		if strings.Contains(u, "/range/") {
			ranges++
			if !regexp.MustCompile(`/range/[0-9A-F]{5}$`).MatchString(u) {
				t.Errorf("a range request is not a 5-character prefix: %s", u)
			}
		}
		for _, pw := range []string{"password", "rosehouse2024", "lantern"} {
			h := password.SHA1Hex(pw)
			// ("password" is in the page's own address.)
			if (pw != "password" && strings.Contains(u, pw)) || strings.Contains(strings.ToUpper(u), h[:10]) {
				t.Errorf("a request carried the password or more than 5 characters of its hash: %s", u)
			}
		}
	}
	if ranges != 3 {
		t.Errorf("%d range requests for 3 passwords", ranges)
	}
}

// BenchmarkBrowserPasswordCheck measures the staff password page in
// Chromium: the first load of the WebAssembly (download and compile, from
// loopback) and one check of a typical password in the browser, as
// milliseconds.
func BenchmarkBrowserPasswordCheck(b *testing.B) {
	store, err := sqlite.Open(filepath.Join(b.TempDir(), "handwash.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer store.Close()
	bctx := context.Background()
	prov := &handwash.Provider{Name: "Careful IT"}
	must(b, store.CreateProvider(bctx, prov))
	scope := handwash.Scope{ProviderID: prov.ID}
	org := &handwash.Org{Name: "Rose House"}
	must(b, store.CreateOrg(bctx, scope, org))
	l, cred, err := handwash.NewStaffLink(prov.ID, org.ID, "", handwash.DefaultStaffLinkLife, time.Now())
	must(b, err)
	must(b, store.PutStaffLink(bctx, scope, l))
	h, err := dashboard.New(dashboard.Config{InsecureCookies: true}, dashboard.Deps{Store: store})
	must(b, err)
	srv := httptest.NewServer(h)
	defer srv.Close()
	ctx := browsertest.New(b)
	start := time.Now()
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/s/"+cred+"/password"), chromedp.WaitEnabled(chromedp.ID("pw-go"))); err != nil {
		b.Fatal(err)
	}
	load := time.Since(start)
	const checks = 20
	var total float64
	b.ResetTimer()
	for b.Loop() {
		ms, err := chromedp.Run(ctx, chromedp.Evaluate[float64](fmt.Sprintf(`(() => {
			const t0 = performance.now();
			for (let i = 0; i < %d; i++) { handwashCheck("Rosehouse2024!" + i, ["rosehouse", "rose", "house"]); }
			return performance.now() - t0;
		})()`, checks)))
		if err != nil {
			b.Fatal(err)
		}
		total += ms
	}
	b.ReportMetric(float64(load.Milliseconds()), "load-ms")
	b.ReportMetric(total/float64(b.N*checks), "ms/check")
}
