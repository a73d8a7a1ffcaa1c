package dashboard_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/handwash/handwash"
	"github.com/handwash/handwash/internal/browsertest"
	"github.com/handwash/handwash/quiz"
)

var quizSeed = regexp.MustCompile(`name="seed" value="(\d+)"`)

// quizAnswers are the answers to the questions drawn with the page's seed,
// wrong ones first.
func quizAnswers(t *testing.T, page string, wrong int) (url.Values, []quiz.Item) {
	t.Helper()
	m := quizSeed.FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no seed in the quiz: %s", text(page))
	}
	seed, _ := strconv.ParseUint(m[1], 10, 64)
	items, err := quiz.Items()
	must(t, err)
	drawn := quiz.Draw(items, seed)
	form := url.Values{"seed": {m[1]}}
	for i, it := range drawn {
		a := it.Answer
		if i < wrong {
			a = map[string]string{quiz.Phishing: quiz.Genuine, quiz.Genuine: quiz.Phishing}[a]
		}
		form.Set("q-"+it.ID, a)
	}
	return form, drawn
}

// A pass by someone on the staff register is recorded as their training;
// a fail, or a name not on the register, records nothing.
func TestQuiz(t *testing.T) {
	w, _ := staffWorld(t)
	admin := w.browser()
	admin.signIn(w.roseAdmin)
	link := makeStaffLink(t, w, admin)
	scope := handwash.Scope{ProviderID: w.provider.ID}
	ann := &handwash.StaffMember{OrgID: w.rose.ID, Name: "Ann Lee", Email: "ann@rosehouse.example"}
	must(t, w.store.PutStaffMember(context.Background(), scope, ann))
	staff := w.browser()
	_, page, _ := staff.get(link + "/quiz")
	if n := strings.Count(page, `class="field step quiz-item"`); n != quiz.Questions {
		t.Fatalf("%d questions, want %d", n, quiz.Questions)
	}
	form, _ := quizAnswers(t, page, 3)
	form.Set("name", "Ann Lee")
	status, body, _ := staff.post(link+"/quiz", form)
	if status != http.StatusOK || !strings.Contains(text(body), "7 of 10 (70%): not passed yet") {
		t.Fatalf("7 of 10: %d: %s", status, text(body))
	}
	form, _ = quizAnswers(t, page, 2)
	form.Del("name")
	if status, body, _ := staff.post(link+"/quiz", form); status != http.StatusBadRequest || !strings.Contains(text(body), "Your name") {
		t.Errorf("no name: %d: %s", status, text(body))
	}
	form.Set("name", "Someone Else")
	if _, body, _ := staff.post(link+"/quiz", form); !strings.Contains(text(body), "is not on Rose House's staff list") {
		t.Errorf("not on the register: %s", text(body))
	}
	form.Set("name", "ann@rosehouse.example")
	missing := url.Values{}
	for k, v := range form {
		missing[k] = v
	}
	for k := range missing {
		if strings.HasPrefix(k, "q-") {
			missing.Del(k)
			break
		}
	}
	if status, _, _ := staff.post(link+"/quiz", missing); status != http.StatusBadRequest {
		t.Errorf("an unanswered question: %d", status)
	}
	if tr, _ := w.store.Training(context.Background(), scope, w.rose.ID); len(tr) != 0 {
		t.Fatalf("training recorded before a pass: %+v", tr)
	}
	status, body, _ = staff.post(link+"/quiz", form)
	if status != http.StatusOK || !strings.Contains(text(body), "8 of 10 (80%): passed") || !strings.Contains(text(body), "recorded as data security training") {
		t.Fatalf("8 of 10: %d: %s", status, text(body))
	}
	tr, err := w.store.Training(context.Background(), scope, w.rose.ID)
	must(t, err)
	if len(tr) != 1 || tr[0].StaffID != ann.ID || tr[0].Source != handwash.TrainingQuiz || tr[0].Evidence != "8 of 10 (80%)" {
		t.Errorf("training = %+v", tr)
	}
}

// In a real browser, on a phone's screen: a member of staff takes the
// quiz, gets two wrong, passes, and reads why each email is what it is.
func TestBrowserQuiz(t *testing.T) {
	w, _ := staffWorld(t)
	admin := w.browser()
	admin.signIn(w.roseAdmin)
	link := makeStaffLink(t, w, admin)
	must(t, w.store.PutStaffMember(context.Background(), handwash.Scope{ProviderID: w.provider.ID}, &handwash.StaffMember{OrgID: w.rose.ID, Name: "Bo Chan"}))
	ctx := browsertest.New(t)
	run := func(what string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, actions...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	run("the quiz", chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile), chromedp.Navigate(w.srv.URL+link+"/quiz"), chromedp.WaitVisible(chromedp.ID("quiz-name")))
	browsertest.AssertAccessible(t, ctx)
	page, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.documentElement.outerHTML`))
	must(t, err)
	form, drawn := quizAnswers(t, page, 2)
	run("name", chromedp.SendKeys(chromedp.ID("quiz-name"), "Bo Chan"))
	for _, it := range drawn {
		suffix := "-g"
		if form.Get("q-"+it.ID) == quiz.Phishing {
			suffix = "-p"
		}
		run("answer "+it.ID, chromedp.Click(chromedp.ID("q-"+it.ID+suffix)))
	}
	run("mark", chromedp.Submit(chromedp.ID("quiz-name")), chromedp.WaitVisible(chromedp.ID("why-h")))
	browsertest.AssertAccessible(t, ctx)
	result, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("main")))
	must(t, err)
	if !strings.Contains(result, "8 of 10 (80%): passed") || !strings.Contains(result, "recorded as data security training") || strings.Count(result, "Not right:") != 2 {
		t.Errorf("result: %s", result)
	}
}
