package dashboard_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/handwash/handwash"
	"github.com/handwash/handwash/internal/browsertest"
	"github.com/handwash/handwash/internal/totp"
	"github.com/handwash/handwash/tabletop"
)

// A run's answers and ratings are checked, kept inject by inject, and
// frozen once it is finished; others cannot see or change it.
func TestExerciseRun(t *testing.T) {
	w := newWorld(t)
	admin := w.browser()
	admin.signIn(w.roseAdmin)
	page := "/orgs/" + w.rose.ID + "/exercises"
	if status, body, _ := admin.get(page); status != http.StatusOK || !strings.Contains(text(body), "A laptop") && !strings.Contains(text(body), "laptop") {
		t.Fatalf("exercises: %d: %s", status, text(body))
	}
	if status, body, _ := admin.post(page, url.Values{"scenario": {"lost-laptop"}, "facilitator": {""}}); status != http.StatusBadRequest || !strings.Contains(body, "Facilitator:") {
		t.Errorf("no facilitator: %d: %s", status, text(body))
	}
	status, _, loc := admin.post(page, url.Values{"scenario": {"lost-laptop"}, "facilitator": {"Jo Brown"}, "participants": {"Ali Khan, deputy\nSam Patel, IT"}})
	if status != http.StatusSeeOther || !strings.HasSuffix(loc, "?inject=0") {
		t.Fatalf("start: %d %s", status, loc)
	}
	run := strings.TrimSuffix(loc, "?inject=0")
	admin.get(loc)
	if status, body, _ := admin.post(run, url.Values{"inject": {"0"}, "met-0": {"sometimes"}, "then": {"next"}}); status != http.StatusBadRequest || !strings.Contains(text(body), "There is a problem") {
		t.Errorf("a bad rating: %d: %s", status, text(body))
	}
	if status, _, loc := admin.post(run, url.Values{"inject": {"0"}, "answer-0": {"Ring the police and the IT provider"}, "met-0": {"no"}, "note-0": {"No list of laptops"}, "then": {"next"}}); status != http.StatusSeeOther || !strings.HasSuffix(loc, "?inject=1") {
		t.Fatalf("save the first part: %d %s", status, loc)
	}
	viewer := w.browser()
	viewer.signIn(w.roseViewer)
	viewer.get(run)
	if status, _, _ := viewer.post(run, url.Values{"inject": {"0"}, "then": {"stay"}}); status != http.StatusForbidden {
		t.Errorf("a viewer saving: %d", status)
	}
	oak := w.browser()
	oak.signIn(w.oakAdmin)
	if status, _, _ := oak.get(run); status != http.StatusNotFound {
		t.Errorf("another organisation's run: %d", status)
	}
	admin.get(run + "?inject=1")
	if status, _, loc := admin.post(run, url.Values{"inject": {"1"}, "then": {"finish"}}); status != http.StatusSeeOther || !strings.HasSuffix(loc, "/report") {
		t.Fatalf("finish: %d %s", status, loc)
	}
	_, body, _ := admin.get(run + "/report")
	shown := text(body)
	if !strings.Contains(shown, "No : ") && !strings.Contains(shown, "No:") {
		t.Errorf("report lacks the gap rated no: %s", shown)
	}
	if !strings.Contains(shown, "No list of laptops") || !strings.Contains(shown, "Ring the police and the IT provider") {
		t.Errorf("report: %s", shown)
	}
	admin.get(run + "?inject=0")
	if status, _, _ := admin.post(run, url.Values{"inject": {"0"}, "then": {"stay"}}); status != http.StatusConflict {
		t.Errorf("changing a finished run: %d", status)
	}
	runs, err := w.store.ExerciseRuns(context.Background(), handwash.Scope{ProviderID: w.provider.ID}, w.rose.ID)
	must(t, err)
	if len(runs) != 1 || runs[0].FinishedAt == nil || len(runs[0].Participants) != 2 || len(runs[0].Ratings) != 1 {
		t.Errorf("stored run: %+v", runs)
	}
}

// In a real browser: a facilitator runs a whole exercise, part by part,
// rating each item, and reads the after-action report, whose gaps link to
// the checks and questions to work on. Every page passes the
// accessibility check.
func TestBrowserWholeExercise(t *testing.T) {
	w := newWorld(t)
	scenarios, err := tabletop.Default()
	must(t, err)
	var sc tabletop.Scenario
	for _, s := range scenarios {
		if s.ID == "lost-laptop" {
			sc = s
		}
	}
	ctx := browsertest.New(t)
	signInBrowser(t, ctx, w, w.roseAdmin)
	run := func(what string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, actions...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	run("the exercises", chromedp.Navigate(w.srv.URL+"/orgs/"+w.rose.ID+"/exercises"), chromedp.WaitVisible(chromedp.ID("scenarios-h")))
	browsertest.AssertAccessible(t, ctx)
	run("start", chromedp.SendKeys(chromedp.ID("who-lost-laptop"), "Ali Khan, deputy manager"),
		chromedp.Click(chromedp.Search(`//section[@aria-labelledby="sc-lost-laptop"]//button`)), chromedp.WaitVisible(chromedp.ID("inject-h")))
	browsertest.AssertAccessible(t, ctx)
	wantNo := 0
	for i, in := range sc.Injects {
		run(fmt.Sprintf("part %d", i+1), chromedp.WaitVisible(chromedp.ID("inject-h")), chromedp.SendKeys(chromedp.ID("answer-0"), fmt.Sprintf("Answer to part %d", i+1)))
		for g := range in.Good {
			met := "yes"
			if (i+g)%2 == 0 {
				met, wantNo = "no", wantNo+1
			}
			run("rate", chromedp.Click(chromedp.ID(fmt.Sprintf("met-%d-%s", g, met))))
		}
		if i == len(sc.Injects)-1 {
			run("finish", chromedp.Click(chromedp.Search(`//button[@value="finish"]`)), chromedp.WaitVisible(chromedp.ID("gaps-h")))
		} else {
			run("next", chromedp.Click(chromedp.Search(`//button[@value="next"]`)), chromedp.WaitVisible(chromedp.Search(fmt.Sprintf(`//h2[starts-with(text(), "Part %d of")]`, i+2))))
		}
	}
	browsertest.AssertAccessible(t, ctx)
	report, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("main")))
	must(t, err)
	if got := strings.Count(report, "No: "); got != wantNo {
		t.Errorf("the report has %d gaps rated no, want %d: %s", got, wantNo, report)
	}
	for i := range sc.Injects {
		if !strings.Contains(report, fmt.Sprintf("Answer to part %d", i+1)) {
			t.Errorf("the report lacks part %d's answer", i+1)
		}
	}
	links, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("ol.gaps a").length`))
	if err != nil || links < wantNo {
		t.Errorf("the gaps link to %d checks and questions (%v)", links, err)
	}
}

// signInBrowser signs p in, with their code, in the browser of ctx.
func signInBrowser(t *testing.T, ctx context.Context, w *world, p person) {
	t.Helper()
	err := chromedp.Do(ctx, chromedp.Navigate(w.srv.URL+"/signin"), chromedp.WaitVisible(chromedp.ID("email")),
		chromedp.SendKeys(chromedp.ID("email"), p.user.Email), chromedp.SendKeys(chromedp.ID("password"), p.password),
		chromedp.Submit(chromedp.ID("password")), chromedp.WaitVisible(chromedp.ID("code")))
	if err != nil {
		t.Fatalf("sign in as %s: %v", p.user.Email, err)
	}
	code, err := totp.Code(p.secret, w.clock.now())
	must(t, err)
	if err := chromedp.Do(ctx, chromedp.SendKeys(chromedp.ID("code"), code), chromedp.Submit(chromedp.ID("code")), chromedp.WaitVisible(chromedp.CSS(`nav[aria-label="Main"]`))); err != nil {
		t.Fatalf("code for %s: %v", p.user.Email, err)
	}
}
