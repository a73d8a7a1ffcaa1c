package dashboard_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/handwash/handwash"
	"github.com/handwash/handwash/internal/browsertest"
	"github.com/handwash/handwash/internal/totp"
)

// In a real browser: an administrator signs in with a password and a code
// from their app, looks at the organisation and a device, and reads the
// audit log; every page passes the accessibility check.
func TestBrowserSignInAndPages(t *testing.T) {
	w := newWorld(t)
	ctx := browsertest.New(t)
	run := func(what string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, actions...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	var body string
	text := func() string {
		t.Helper()
		var err error
		if body, err = chromedp.Run(ctx, chromedp.Text(chromedp.CSS("main"))); err != nil {
			t.Fatalf("read the page: %v", err)
		}
		return body
	}

	run("open the dashboard", chromedp.Navigate(w.srv.URL+"/"), chromedp.WaitVisible(chromedp.ID("email")))
	browsertest.AssertAccessible(t, ctx)

	run("a wrong password",
		chromedp.SendKeys(chromedp.ID("email"), w.roseAdmin.user.Email),
		chromedp.SendKeys(chromedp.ID("password"), "not my password"),
		chromedp.Submit(chromedp.ID("password")),
		chromedp.WaitVisible(chromedp.CSS(".error-summary")))
	if !strings.Contains(text(), "not right") {
		t.Errorf("after a wrong password: %q", body)
	}
	browsertest.AssertAccessible(t, ctx)

	run("the right password",
		chromedp.SendKeys(chromedp.ID("password"), w.roseAdmin.password),
		chromedp.Submit(chromedp.ID("password")),
		chromedp.WaitVisible(chromedp.ID("code")))
	browsertest.AssertAccessible(t, ctx)

	code, err := totp.Code(w.roseAdmin.secret, w.clock.now())
	must(t, err)
	run("the code from the app",
		chromedp.SendKeys(chromedp.ID("code"), code),
		chromedp.Submit(chromedp.ID("code")),
		chromedp.WaitVisible(chromedp.ID("fix-h")))
	page := text()
	for _, want := range []string{"Rose House", "Fix these first", "RECEPTION-PC"} {
		if !strings.Contains(page, want) {
			t.Errorf("organisation page lacks %q", want)
		}
	}
	browsertest.AssertAccessible(t, ctx)

	run("a device", chromedp.Click(chromedp.Search(`//a[text()="RECEPTION-PC"]`)), chromedp.WaitVisible(chromedp.ID("history-h")))
	if strings.Contains(text(), "How to fix it") {
		t.Errorf("the device page opens with every finding expanded")
	}
	run("open a failed finding", chromedp.Click(chromedp.CSS("details.status-fail summary")), chromedp.WaitVisible(chromedp.CSS("details.status-fail[open] .fix")))
	if !strings.Contains(text(), "How to fix it") {
		t.Errorf("an opened finding does not show how to fix it")
	}
	browsertest.AssertAccessible(t, ctx)

	run("accept a risk with a date in the past",
		chromedp.SendKeys(chromedp.ID("reason"), "The label printer needs it until March."),
		chromedp.SendKeys(chromedp.ID("owner"), "Jo Brown"),
		chromedp.SetValue(chromedp.ID("expires"), "2020-01-01"),
		chromedp.Submit(chromedp.ID("owner")),
		chromedp.WaitVisible(chromedp.CSS(".error-summary")))
	browsertest.AssertAccessible(t, ctx)
	run("accept a risk",
		chromedp.SetValue(chromedp.ID("expires"), w.clock.now().AddDate(0, 2, 0).Format("2006-01-02")),
		chromedp.Submit(chromedp.ID("owner")),
		chromedp.WaitVisible(chromedp.Search(`//button[starts-with(text(), "Revoke")]`)))
	if !strings.Contains(text(), "label printer") {
		t.Errorf("the accepted risk is not listed: %q", body)
	}
	browsertest.AssertAccessible(t, ctx)

	// Alerts: the list (with the automatic ones the neglected computer
	// opened), a manual alert with a problem, then the alert's own page.
	run("the alerts", chromedp.Navigate(w.srv.URL+"/orgs/"+w.rose.ID+"/alerts"), chromedp.WaitVisible(chromedp.ID("open-h")))
	browsertest.AssertAccessible(t, ctx)
	run("an alert with a problem", chromedp.Navigate(w.srv.URL+"/orgs/"+w.rose.ID+"/alerts/new"),
		chromedp.WaitVisible(chromedp.ID("alert-title")),
		chromedp.SendKeys(chromedp.ID("alert-title"), "Critical flaw in VPN appliances"),
		chromedp.SendKeys(chromedp.ID("alert-reference"), "CC4567"),
		chromedp.Submit(chromedp.ID("alert-title")),
		chromedp.WaitVisible(chromedp.CSS(".error-summary")))
	if !strings.Contains(text(), "Reference:") {
		t.Errorf("the alert's problem does not name the field: %q", body)
	}
	browsertest.AssertAccessible(t, ctx)
	run("an alert", chromedp.SetValue(chromedp.ID("alert-reference"), "CC-4567"),
		chromedp.Submit(chromedp.ID("alert-title")),
		chromedp.WaitVisible(chromedp.ID("trail-h")))
	browsertest.AssertAccessible(t, ctx)

	// Phishing: the reports page, then an email reported by uploading it.
	sample, err := filepath.Abs("../../shared/fixtures/email/spamassassin/spam/phishing_openphish.eml")
	must(t, err)
	run("the phishing reports", chromedp.Navigate(w.srv.URL+"/orgs/"+w.rose.ID+"/phishing"), chromedp.WaitVisible(chromedp.ID("upload-h")))
	browsertest.AssertAccessible(t, ctx)
	if _, err := os.Stat(sample); err == nil {
		run("a reported email", chromedp.SetUploadFiles(chromedp.ID("message"), []string{sample}),
			chromedp.Submit(chromedp.ID("message")),
			chromedp.WaitVisible(chromedp.ID("signs-h")))
		if !strings.Contains(text(), "Phishing Test OpenPhish") {
			t.Errorf("the reported email's page does not name it: %q", body)
		}
		browsertest.AssertAccessible(t, ctx)
	}

	// Backups: a job added, with its address shown once.
	run("the backups", chromedp.Navigate(w.srv.URL+"/orgs/"+w.rose.ID+"/backups"), chromedp.WaitVisible(chromedp.ID("add-h")))
	browsertest.AssertAccessible(t, ctx)
	run("a backup job added", chromedp.SendKeys(chromedp.ID("backup-name"), "Nightly NAS backup"),
		chromedp.Submit(chromedp.ID("backup-name")),
		chromedp.WaitVisible(chromedp.ID("job-address")))
	browsertest.AssertAccessible(t, ctx)

	// Cloud accounts and phones: the pages, and a phone entered with a
	// problem.
	run("the cloud accounts", chromedp.Navigate(w.srv.URL+"/orgs/"+w.rose.ID+"/accounts"), chromedp.WaitVisible(chromedp.ID("import-h")))
	browsertest.AssertAccessible(t, ctx)
	run("a phone with a problem", chromedp.Navigate(w.srv.URL+"/orgs/"+w.rose.ID+"/phones"),
		chromedp.WaitVisible(chromedp.ID("add-h")),
		chromedp.SendKeys(chromedp.ID("phone-owner"), "Mo Patel"),
		chromedp.SendKeys(chromedp.ID("phone-model"), "iPhone 11"),
		chromedp.SendKeys(chromedp.ID("phone-os_version"), "fifteen"),
		chromedp.Submit(chromedp.ID("phone-owner")),
		chromedp.WaitVisible(chromedp.CSS(".error-summary")))
	browsertest.AssertAccessible(t, ctx)

	run("the network register", chromedp.Navigate(w.srv.URL+"/orgs/"+w.rose.ID+"/network"), chromedp.WaitVisible(chromedp.ID("add-h")),
		chromedp.SendKeys(chromedp.ID("net-name"), "Office router"),
		chromedp.Submit(chromedp.ID("net-name")),
		chromedp.WaitVisible(chromedp.ID("register-h")))
	browsertest.AssertAccessible(t, ctx)

	run("the audit log", chromedp.Navigate(w.srv.URL+"/audit"), chromedp.WaitVisible(chromedp.CSS("table")))
	if page := text(); !strings.Contains(page, "signin") || !strings.Contains(page, "exception.grant") {
		t.Errorf("audit log lacks the sign-in: %q", body)
	}
	browsertest.AssertAccessible(t, ctx)

	run("people and roles", chromedp.Navigate(w.srv.URL+"/users"), chromedp.WaitVisible(chromedp.CSS("table")))
	if !strings.Contains(text(), w.roseViewer.user.Email) {
		t.Errorf("the people page lacks the organisation's viewer")
	}
	browsertest.AssertAccessible(t, ctx)

	// Where notifications go: a webhook with a problem, then one that is
	// added and tested, beside a message that could not be sent.
	failed := &handwash.Delivery{ProviderID: w.provider.ID, OrgID: w.rose.ID, Kind: handwash.NotifyDeviceStale, Channel: handwash.ChannelEmail,
		UserID: w.roseAdmin.user.ID, Email: w.roseAdmin.user.Email, Recipient: w.roseAdmin.user.Email, Subject: "[Handwash] office-mac has stopped reporting", Message: []byte("message")}
	must(t, w.store.FanOut(context.Background(), nil, []*handwash.Delivery{failed}))
	must(t, w.store.FinishDelivery(context.Background(), handwash.DeliveryResult{ID: failed.ID, Error: "the mail server refused the address", At: w.clock.now()}))
	run("the organisation's notifications", chromedp.Navigate(w.srv.URL+"/orgs/"+w.rose.ID+"/notifications"), chromedp.WaitVisible(chromedp.ID("wh-name")))
	if !strings.Contains(text(), "office-mac has stopped reporting") {
		t.Errorf("the recent messages lack the one that could not be sent")
	}
	browsertest.AssertAccessible(t, ctx)
	run("a webhook with a problem",
		chromedp.SendKeys(chromedp.ID("wh-name"), "Office Teams"),
		chromedp.SendKeys(chromedp.ID("wh-url"), "ftp://files.rosehouse.example/in"),
		chromedp.Submit(chromedp.ID("wh-name")),
		chromedp.WaitVisible(chromedp.CSS(".error-summary")))
	if !strings.Contains(text(), "webhook address") {
		t.Errorf("the problem does not name the field: %q", body)
	}
	browsertest.AssertAccessible(t, ctx)
	run("a webhook",
		chromedp.SendKeys(chromedp.ID("wh-url"), teamsURL),
		chromedp.Submit(chromedp.ID("wh-name")),
		chromedp.WaitVisible(chromedp.ID("added")))
	browsertest.AssertAccessible(t, ctx)
	run("send it a test", chromedp.Click(chromedp.Search(`//button[starts-with(text(), "Send a test")]`)), chromedp.WaitVisible(chromedp.ID("tested")))
	if strings.Contains(text(), teamsToken) {
		t.Error("the page shows the webhook's token")
	}
	browsertest.AssertAccessible(t, ctx)

	run("my notifications", chromedp.Navigate(w.srv.URL+"/account/notifications"), chromedp.WaitVisible(chromedp.ID("kind-0")))
	browsertest.AssertAccessible(t, ctx)
	run("send me a test", chromedp.Click(chromedp.Search(`//button[text()="Send me a test email"]`)), chromedp.WaitVisible(chromedp.ID("sent")))
	browsertest.AssertAccessible(t, ctx)

	run("sign out", chromedp.Click(chromedp.CSS("button.link")), chromedp.WaitVisible(chromedp.ID("email")))
}

// In a real browser: an administrator without an authenticator app is
// shown how to set one up, and then their recovery codes.
func TestBrowserMFASetup(t *testing.T) {
	w := newWorld(t)
	ctx := browsertest.New(t)
	if err := chromedp.Do(ctx,
		chromedp.Navigate(w.srv.URL+"/signin"),
		chromedp.SendKeys(chromedp.ID("email"), w.newAdmin.user.Email),
		chromedp.SendKeys(chromedp.ID("password"), w.newAdmin.password),
		chromedp.Submit(chromedp.ID("password")),
		chromedp.WaitVisible(chromedp.ID("secret")),
	); err != nil {
		t.Fatal(err)
	}
	secret, err := chromedp.Run(ctx, chromedp.Text(chromedp.ID("secret")))
	must(t, err)
	browsertest.AssertAccessible(t, ctx)
	code, err := totp.Code(strings.ReplaceAll(secret, " ", ""), w.clock.now())
	must(t, err)
	if err := chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.ID("code"), code),
		chromedp.Submit(chromedp.ID("code")),
		chromedp.WaitVisible(chromedp.CSS(".codes")),
	); err != nil {
		t.Fatal(err)
	}
	codes, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll(".codes code")].map(e => e.textContent)`))
	must(t, err)
	if len(codes) != 10 {
		t.Errorf("%d recovery codes shown, want 10", len(codes))
	}
	browsertest.AssertAccessible(t, ctx)

	// The new administrator adds computers: the token and the commands
	// for each platform are shown once.
	if err := chromedp.Do(ctx,
		chromedp.Navigate(w.srv.URL+"/orgs/"+w.rose.ID+"/enrol"),
		chromedp.WaitVisible(chromedp.ID("uses")),
	); err != nil {
		t.Fatal(err)
	}
	browsertest.AssertAccessible(t, ctx)
	if err := chromedp.Do(ctx,
		chromedp.SetValue(chromedp.ID("uses"), "20"),
		chromedp.Submit(chromedp.ID("uses")),
		chromedp.WaitVisible(chromedp.ID("credential")),
	); err != nil {
		t.Fatal(err)
	}
	cred, err := chromedp.Run(ctx, chromedp.Text(chromedp.ID("credential")))
	must(t, err)
	if !strings.HasPrefix(cred, "hwe_") {
		t.Errorf("credential shown: %q", cred)
	}
	browsertest.AssertAccessible(t, ctx)

	// They add a colleague, whose invitation link opens the page where
	// the colleague chooses a password.
	if err := chromedp.Do(ctx,
		chromedp.Navigate(w.srv.URL+"/users"),
		chromedp.SendKeys(chromedp.ID("add-name"), "Nia Ahmed"),
		chromedp.SendKeys(chromedp.ID("add-email"), "nia@rosehouse.example"),
		chromedp.Submit(chromedp.ID("add-email")),
		chromedp.WaitVisible(chromedp.ID("invite-link")),
	); err != nil {
		t.Fatal(err)
	}
	browsertest.AssertAccessible(t, ctx)
	link, err := chromedp.Run(ctx, chromedp.Text(chromedp.ID("invite-link")))
	must(t, err)
	if err := chromedp.Do(ctx, chromedp.Navigate(link), chromedp.WaitVisible(chromedp.ID("confirm"))); err != nil {
		t.Fatal(err)
	}
	browsertest.AssertAccessible(t, ctx)
}
