package e2e

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/handwash/handwash/internal/browsertest"
	"github.com/handwash/handwash/internal/smtptest"
	"github.com/handwash/handwash/internal/totp"
	"github.com/handwash/handwash/notify"
)

// The dashboard from first administrator to evidence, in a real browser
// against a real server: the administrator set up with handwash admin
// signs in and sets up an authenticator app, makes an enrolment token,
// a real agent enrols this machine with it and reports, the device's
// findings appear, the administrator accepts a risk on it, sends
// themselves a test email and a signed webhook a test message (both
// delivered by the server's notifier, to a real SMTP server and an HTTP
// receiver), and the evidence report downloads as a PDF that pdftotext
// can read.
func TestDashboardWithARealAgent(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a server, an agent and a browser")
	}
	pdftotext, err := exec.LookPath("pdftotext")
	if err != nil {
		if os.Getenv("HANDWASH_TEST_ALL") == "1" {
			t.Fatal("pdftotext is missing: apt-get install poppler-utils")
		}
		t.Skip("pdftotext is missing: apt-get install poppler-utils to run this test")
	}
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	mailbox := smtptest.Start(t)
	hooks := make(chan *http.Request, 4)
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		select {
		case hooks <- r:
		default:
		}
	}))
	defer receiver.Close()
	addr := freePort(t)
	srv := startServerArgs(t, data, addr, "--smtp-host", mailbox.Host, "--smtp-port", strconv.Itoa(mailbox.Port), "--smtp-tls", "none",
		"--smtp-from", "Handwash <alerts@careful.example>", "--public-url", "http://"+addr, "--webhook-allow-private")
	tn := setUp(t, data, 1)
	password := "correct horse battery staple"
	admin := exec.Command(bin, "admin", "--data", data, "user", "create", "--provider", tn.providerID, "--role", "provider_admin",
		"--email", "sam@careful.example", "--name", "Sam Patel", "--password-stdin")
	admin.Stdin = strings.NewReader(password + "\n")
	if out, err := admin.CombinedOutput(); err != nil {
		t.Fatalf("admin user create: %v: %s", err, out)
	}

	ctx := browsertest.New(t)
	do := func(what string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, actions...); err != nil {
			t.Fatalf("%s: %v\nserver log:\n%s", what, err, srv.logs())
		}
	}
	text := func(sel string) string {
		t.Helper()
		s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
		if err != nil {
			t.Fatalf("read %s: %v", sel, err)
		}
		return s
	}

	do("sign in", chromedp.Navigate(srv.url+"/"),
		chromedp.WaitVisible(chromedp.ID("email")),
		chromedp.SendKeys(chromedp.ID("email"), "sam@careful.example"),
		chromedp.SendKeys(chromedp.ID("password"), password),
		chromedp.Submit(chromedp.ID("password")),
		chromedp.WaitVisible(chromedp.ID("secret")))
	secret := strings.ReplaceAll(text("#secret"), " ", "")
	code, err := totp.Code(secret, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	do("set up the authenticator app", chromedp.SendKeys(chromedp.ID("code"), code),
		chromedp.Submit(chromedp.ID("code")), chromedp.WaitVisible(chromedp.CSS(".codes")))

	do("make an enrolment token", chromedp.Navigate(srv.url+"/orgs/"+tn.orgID+"/enrol"),
		chromedp.WaitVisible(chromedp.ID("uses")),
		chromedp.Submit(chromedp.ID("uses")),
		chromedp.WaitVisible(chromedp.ID("credential")))
	credential := text("#credential")
	if !strings.Contains(text("main"), "agent enroll --server "+srv.url+" --token "+credential) {
		t.Errorf("the page does not show the enrolment command for this server")
	}

	config := filepath.Join(dir, "agent", "agent.json")
	run(t, false, "agent", "--config", config, "enroll", "--server", srv.url, "--token", credential)
	run(t, false, "agent", "--config", config, "run", "--once")

	// The device appears, judged, within moments.
	deadline := time.Now().Add(30 * time.Second)
	for {
		do("the organisation's page", chromedp.Navigate(srv.url+"/orgs/"+tn.orgID), chromedp.WaitVisible(chromedp.ID("fix-h")))
		if text("#devices-h") == "1 device." {
			if score := text("#devices-h + table tbody td:nth-of-type(2)"); score != "not assessed" {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("the enrolled device was not judged within 30 s:\n%s", text("main"))
		}
		time.Sleep(500 * time.Millisecond)
	}
	do("the device", chromedp.Click(chromedp.CSS("table.list tbody th a[href^='/devices/']")), chromedp.WaitVisible(chromedp.ID("history-h")))
	if !strings.Contains(text("main"), "Linux") {
		t.Errorf("the device page does not say it is a Linux machine")
	}
	browsertest.AssertAccessible(t, ctx)

	do("accept a risk",
		chromedp.SendKeys(chromedp.ID("reason"), "Checked with the practice manager; replaced next month."),
		chromedp.SendKeys(chromedp.ID("owner"), "Sam Patel"),
		chromedp.SetValue(chromedp.ID("expires"), time.Now().AddDate(0, 1, 0).Format("2006-01-02")),
		chromedp.Submit(chromedp.ID("owner")),
		chromedp.WaitVisible(chromedp.Search(`//button[starts-with(text(), "Revoke")]`)))

	// Notifications: a test email to oneself, and a signed webhook added
	// and tested, each delivered by the server's notifier for real.
	do("send me a test email", chromedp.Navigate(srv.url+"/account/notifications"),
		chromedp.Click(chromedp.Search(`//button[text()="Send me a test email"]`)), chromedp.WaitVisible(chromedp.ID("sent")))
	// The weekly summary may arrive too (Monday morning to Wednesday
	// morning it is due): only the test message is counted.
	var tests []smtptest.Message
	for deadline := time.Now().Add(30 * time.Second); len(tests) == 0 && time.Now().Before(deadline); {
		for _, m := range mailbox.Wait(time.Until(deadline)) {
			if strings.Contains(m.Subject, "Test message") {
				tests = append(tests, m)
			}
		}
	}
	if len(tests) != 1 || tests[0].To != "sam@careful.example" {
		t.Fatalf("test email: %+v\nserver log:\n%s", tests, srv.logs())
	}
	const signing = "a-secret-the-receiver-knows"
	do("add a webhook", chromedp.Navigate(srv.url+"/orgs/"+tn.orgID+"/notifications"),
		chromedp.WaitVisible(chromedp.ID("wh-name")),
		chromedp.SendKeys(chromedp.ID("wh-name"), "Our incident system"),
		chromedp.SetValue(chromedp.ID("wh-format"), "generic"),
		chromedp.SendKeys(chromedp.ID("wh-url"), receiver.URL+"/handwash"),
		chromedp.SendKeys(chromedp.ID("wh-secret"), signing),
		chromedp.Submit(chromedp.ID("wh-name")),
		chromedp.WaitVisible(chromedp.ID("added")))
	do("send it a test", chromedp.Click(chromedp.Search(`//button[starts-with(text(), "Send a test")]`)), chromedp.WaitVisible(chromedp.ID("tested")))
	select {
	case r := <-hooks:
		body, _ := io.ReadAll(r.Body)
		if err := notify.VerifySignature(signing, body, r.Header.Get("X-Handwash-Timestamp"), r.Header.Get("X-Handwash-Signature"), time.Now(), time.Minute); err != nil {
			t.Errorf("the webhook's signature: %v", err)
		}
		if !strings.Contains(string(body), `"kind":"test"`) || !strings.Contains(string(body), "Rose House Care Home") {
			t.Errorf("the webhook's body: %s", body)
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("the webhook received nothing within 30 s\nserver log:\n%s", srv.logs())
	}
	deadline = time.Now().Add(30 * time.Second)
	for {
		do("the recent messages", chromedp.Navigate(srv.url+"/orgs/"+tn.orgID+"/notifications"), chromedp.WaitVisible(chromedp.ID("deliveries-h")))
		if rows := text("#deliveries-h ~ .table-wrap tbody"); strings.Contains(rows, "Our incident system") && strings.Contains(rows, "sent") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the webhook's test is not listed as sent:\n%s", text("main"))
		}
		time.Sleep(500 * time.Millisecond)
	}

	// The evidence report, downloaded with the browser's session.
	cookies, err := chromedp.Call(ctx, network.GetCookies, network.GetCookiesParams{URLs: []string{srv.url}})
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodGet, srv.url+"/orgs/"+tn.orgID+"/evidence.pdf", nil)
	for _, c := range cookies.Cookies {
		req.AddCookie(&http.Cookie{Name: c.Name, Value: c.Value})
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	pdf, err := io.ReadAll(res.Body)
	res.Body.Close()
	if err != nil || res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(string(pdf), "%PDF") {
		t.Fatalf("the evidence report did not download as a PDF: %d %s %.40q (%v)", res.StatusCode, res.Header.Get("Content-Type"), pdf, err)
	}
	file := filepath.Join(dir, "evidence.pdf")
	if err := os.WriteFile(file, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(pdftotext, file, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	for _, want := range []string{"Rose House Care Home", "Cyber Essentials", "Sam Patel"} {
		if !regexp.MustCompile(regexp.QuoteMeta(want)).Match(out) {
			t.Errorf("the evidence PDF lacks %q", want)
		}
	}
}
