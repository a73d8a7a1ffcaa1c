package storetest

import (
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/handwash/handwash"
)

// withPassword gives a user a password, as people who may be notified
// have.
func (w *world) withPassword(t *testing.T, u *handwash.User) *handwash.User {
	t.Helper()
	must(t, w.s.SetPassword(w.ctx, u.ID, "$argon2id$v=19$m=65536,t=1,p=4$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA", t0))
	return u
}

func testNotifyKinds(t *testing.T, s handwash.Store) {
	w := newWorld(t, s)
	admin := w.newUser(t, w.a, "ada@acme.example", handwash.RoleProviderAdmin, "")
	viewer := w.newUser(t, w.a1, "vi@rose.example", handwash.RoleViewer, w.orgA1.ID)

	kinds := func(scope handwash.Scope, u *handwash.User) ([]handwash.NotifyKind, bool) {
		t.Helper()
		k, chosen, err := s.NotifyKinds(w.ctx, scope, u.ID)
		must(t, err)
		return k, chosen
	}
	if k, chosen := kinds(w.a, admin); chosen || !slices.Equal(k, handwash.NotifyChoices) {
		t.Errorf("an administrator's defaults: %v (chosen %v), want every kind", k, chosen)
	}
	if k, chosen := kinds(w.a1, viewer); chosen || len(k) != 0 {
		t.Errorf("a viewer's defaults: %v (chosen %v), want none", k, chosen)
	}

	must(t, s.SetNotifyKinds(w.ctx, w.a1, viewer.ID, []handwash.NotifyKind{handwash.NotifyWeeklySummary, handwash.NotifyWeeklySummary}))
	if k, chosen := kinds(w.a1, viewer); !chosen || !slices.Equal(k, []handwash.NotifyKind{handwash.NotifyWeeklySummary}) {
		t.Errorf("after choosing the summary: %v (chosen %v)", k, chosen)
	}
	// Choosing nothing is a choice, not the default.
	must(t, s.SetNotifyKinds(w.ctx, w.a, admin.ID, nil))
	if k, chosen := kinds(w.a, admin); !chosen || len(k) != 0 {
		t.Errorf("after choosing nothing: %v (chosen %v)", k, chosen)
	}

	wantCode(t, "unknown kind", s.SetNotifyKinds(w.ctx, w.a1, viewer.ID, []handwash.NotifyKind{"everything"}), handwash.EINVALID)
	wantCode(t, "a test is not a choice", s.SetNotifyKinds(w.ctx, w.a1, viewer.ID, []handwash.NotifyKind{handwash.NotifyTest}), handwash.EINVALID)
	if k, _ := kinds(w.a1, viewer); !slices.Equal(k, []handwash.NotifyKind{handwash.NotifyWeeklySummary}) {
		t.Errorf("a refused choice changed the stored one: %v", k)
	}
	// Out of scope: another provider, or an organisation's scope for the
	// provider's own person.
	wantCode(t, "another provider's user", s.SetNotifyKinds(w.ctx, w.b, viewer.ID, nil), handwash.ENOTFOUND)
	wantCode(t, "provider user from an organisation's scope", s.SetNotifyKinds(w.ctx, w.a1, admin.ID, nil), handwash.ENOTFOUND)
	_, _, err := s.NotifyKinds(w.ctx, w.b, viewer.ID)
	wantCode(t, "read another provider's user", err, handwash.ENOTFOUND)
}

func (w *world) webhook(t *testing.T, scope handwash.Scope, orgID, name string, kinds ...handwash.NotifyKind) *handwash.Webhook {
	t.Helper()
	h := &handwash.Webhook{ID: handwash.NewID("whk"), ProviderID: scope.ProviderID, OrgID: orgID, Name: name, Format: "teams",
		URL: "https://example.webhook.office.com/webhookb2/secret-token", Kinds: kinds, CreatedAt: t0}
	must(t, w.s.CreateWebhook(w.ctx, scope, h))
	return h
}

func testWebhooks(t *testing.T, s handwash.Store) {
	w := newWorld(t, s)
	all := handwash.NotifyChoices
	wide := w.webhook(t, w.a, "", "IT desk", all...)
	rose := w.webhook(t, w.a1, w.orgA1.ID, "Rose managers", handwash.NotifyNewFailure)
	elm := w.webhook(t, w.a, w.orgA2.ID, "Elm", handwash.NotifyWeeklySummary)
	w.webhook(t, w.b, w.orgB1.ID, "Oak", all...)

	ids := func(scope handwash.Scope) []string {
		t.Helper()
		hs, err := s.Webhooks(w.ctx, scope)
		must(t, err)
		var out []string
		for _, h := range hs {
			out = append(out, h.Name)
		}
		return out
	}
	diff(t, "provider A's webhooks", ids(w.a), []string{"IT desk", "Elm", "Rose managers"})
	diff(t, "Rose's webhooks", ids(w.a1), []string{"IT desk", "Rose managers"})
	diff(t, "provider B's webhooks", ids(w.b), []string{"Oak"})
	hs, err := s.Webhooks(w.ctx, w.a1)
	must(t, err)
	diff(t, "Rose's webhook read back", hs[1], rose)

	for _, c := range []struct {
		name  string
		scope handwash.Scope
		h     handwash.Webhook
		code  string
	}{
		{"provider-wide from an organisation", w.a1, handwash.Webhook{ID: "whk_1", ProviderID: w.provA.ID, Name: "x", Format: "slack", URL: "https://hooks.slack.com/x", Kinds: all}, handwash.ENOTFOUND},
		{"another organisation", w.a1, handwash.Webhook{ID: "whk_2", ProviderID: w.provA.ID, OrgID: w.orgA2.ID, Name: "x", Format: "slack", URL: "https://hooks.slack.com/x", Kinds: all}, handwash.ENOTFOUND},
		{"another provider's organisation", w.a, handwash.Webhook{ID: "whk_3", ProviderID: w.provA.ID, OrgID: w.orgB1.ID, Name: "x", Format: "slack", URL: "https://hooks.slack.com/x", Kinds: all}, handwash.ENOTFOUND},
		{"another provider", w.a, handwash.Webhook{ID: "whk_4", ProviderID: w.provB.ID, Name: "x", Format: "slack", URL: "https://hooks.slack.com/x", Kinds: all}, handwash.ENOTFOUND},
		{"no name", w.a, handwash.Webhook{ID: "whk_5", ProviderID: w.provA.ID, Name: " ", Format: "slack", URL: "https://hooks.slack.com/x", Kinds: all}, handwash.EINVALID},
		{"unknown format", w.a, handwash.Webhook{ID: "whk_6", ProviderID: w.provA.ID, Name: "x", Format: "xml", URL: "https://hooks.slack.com/x", Kinds: all}, handwash.EINVALID},
		{"no kinds", w.a, handwash.Webhook{ID: "whk_7", ProviderID: w.provA.ID, Name: "x", Format: "slack", URL: "https://hooks.slack.com/x"}, handwash.EINVALID},
		{"unknown kind", w.a, handwash.Webhook{ID: "whk_8", ProviderID: w.provA.ID, Name: "x", Format: "slack", URL: "https://hooks.slack.com/x", Kinds: []handwash.NotifyKind{"all"}}, handwash.EINVALID},
		{"no URL", w.a, handwash.Webhook{ID: "whk_9", ProviderID: w.provA.ID, Name: "x", Format: "slack", Kinds: all}, handwash.EINVALID},
		{"same ID", w.a, handwash.Webhook{ID: wide.ID, ProviderID: w.provA.ID, Name: "x", Format: "slack", URL: "https://hooks.slack.com/x", Kinds: all}, handwash.ECONFLICT},
	} {
		h := c.h
		err := s.CreateWebhook(w.ctx, c.scope, &h)
		wantCode(t, c.name, err, c.code)
		noSecret(t, c.name, err, "hooks.slack.com/x")
	}
	diff(t, "provider A's webhooks after refusals", ids(w.a), []string{"IT desk", "Elm", "Rose managers"})

	// An organisation may not remove the provider's webhook or another
	// organisation's; the provider may remove any of its own.
	wantCode(t, "Rose deletes the provider's", s.DeleteWebhook(w.ctx, w.a1, wide.ID), handwash.ENOTFOUND)
	wantCode(t, "Rose deletes Elm's", s.DeleteWebhook(w.ctx, w.a1, elm.ID), handwash.ENOTFOUND)
	wantCode(t, "provider B deletes A's", s.DeleteWebhook(w.ctx, w.b, wide.ID), handwash.ENOTFOUND)
	must(t, s.DeleteWebhook(w.ctx, w.a1, rose.ID))
	must(t, s.DeleteWebhook(w.ctx, w.a, elm.ID))
	wantCode(t, "delete twice", s.DeleteWebhook(w.ctx, w.a, elm.ID), handwash.ENOTFOUND)
	diff(t, "provider A's webhooks after deletes", ids(w.a), []string{"IT desk"})
}

// pendingEvents lists the events waiting to be fanned out.
func (w *world) pendingEvents(t *testing.T) []*handwash.NotifyEvent {
	t.Helper()
	es, err := w.s.PendingNotifyEvents(w.ctx, 1000)
	must(t, err)
	return es
}

func testNewFailureEvents(t *testing.T, s handwash.Store) {
	w := newWorld(t, s)
	w.snap(t, w.devA1, "s1", "facts", t0)
	d := digest("facts")
	high := fnd("c-high", handwash.StatusFail)
	crit := inArea(fnd("c-crit", handwash.StatusPass), handwash.AreaUpdates, handwash.SeverityCritical)
	medium := inArea(fnd("c-med", handwash.StatusPass), handwash.AreaMalware, handwash.SeverityMedium)

	// A device's first judgement is no news, even with failures.
	must(t, s.PutAssessment(w.ctx, w.devA1.ID, d, assessment(t0, high, crit, medium)))
	if es := w.pendingEvents(t); len(es) != 0 {
		t.Fatalf("the first judgement queued %d events", len(es))
	}
	// Newly failing: the critical and the medium one. Only the critical
	// one is news; the high one failed already.
	crit.Status, medium.Status = handwash.StatusFail, handwash.StatusFail
	must(t, s.PutAssessment(w.ctx, w.devA1.ID, d, assessment(t0.Add(time.Hour), high, crit, medium)))
	es := w.pendingEvents(t)
	if len(es) != 1 {
		t.Fatalf("events after a new critical failure: %+v", es)
	}
	e := es[0]
	want := handwash.NotifyEvent{ID: e.ID, ProviderID: w.provA.ID, OrgID: w.orgA1.ID, Kind: handwash.NotifyNewFailure, DeviceID: w.devA1.ID,
		ControlID: "c-crit", Severity: handwash.SeverityCritical, At: t0.Add(time.Hour), OrgName: "Rose Care Home", Hostname: "reception-pc"}
	diff(t, "new failure event", e, &want)

	// Judged again the same: no news. Excepted then failing again: news.
	must(t, s.PutAssessment(w.ctx, w.devA1.ID, d, assessment(t0.Add(2*time.Hour), high, crit, medium)))
	high.Status = handwash.StatusExcepted
	must(t, s.PutAssessment(w.ctx, w.devA1.ID, d, assessment(t0.Add(3*time.Hour), high, crit, medium)))
	if es := w.pendingEvents(t); len(es) != 1 {
		t.Fatalf("events after no new failure: %d, want still 1", len(es))
	}
	high.Status = handwash.StatusFail
	must(t, s.PutAssessment(w.ctx, w.devA1.ID, d, assessment(t0.Add(4*time.Hour), high, crit, medium)))
	es = w.pendingEvents(t)
	if len(es) != 2 || es[1].ControlID != "c-high" || !es[0].At.Before(es[1].At) {
		t.Fatalf("events after the exception ended: %+v", es)
	}
}

func testStaleNotices(t *testing.T, s handwash.Store) {
	w := newWorld(t, s)
	// Devices were enrolled at t0 and a minute or two after; A1 reports at
	// t0+1h.
	w.snap(t, w.devA1, "s1", "facts", t0.Add(time.Hour))
	n, err := s.QueueStaleNotices(w.ctx, t0.Add(30*time.Minute), t0.Add(8*24*time.Hour))
	must(t, err)
	if n != 2 {
		t.Fatalf("stale notices: %d, want 2 (A2 and B1, never reported since enrolment)", n)
	}
	es := w.pendingEvents(t)
	if len(es) != 2 {
		t.Fatalf("stale events: %d, want 2", len(es))
	}
	e := es[0]
	if e.DeviceID != w.devA2.ID {
		e = es[1]
	}
	want := handwash.NotifyEvent{ID: e.ID, ProviderID: w.provA.ID, OrgID: w.orgA2.ID, Kind: handwash.NotifyDeviceStale, DeviceID: w.devA2.ID,
		At: t0.Add(time.Minute), OrgName: "Elm Surgery", Hostname: "gp-laptop"}
	diff(t, "stale event", e, &want)
	// Once per quiet spell.
	if n, err := s.QueueStaleNotices(w.ctx, t0.Add(2*time.Hour), t0.Add(9*24*time.Hour)); err != nil || n != 1 {
		t.Fatalf("second round: %d, %v; want 1 (A1 now)", n, err)
	}
	if n, err := s.QueueStaleNotices(w.ctx, t0.Add(2*time.Hour), t0.Add(10*24*time.Hour)); err != nil || n != 0 {
		t.Fatalf("third round: %d, %v; want 0", n, err)
	}
	// A2 reports again and goes quiet again: a new notice.
	w.snap(t, w.devA2, "s2", "later", t0.Add(3*time.Hour))
	if n, err := s.QueueStaleNotices(w.ctx, t0.Add(4*time.Hour), t0.Add(11*24*time.Hour)); err != nil || n != 1 {
		t.Fatalf("after A2 went quiet again: %d, %v; want 1", n, err)
	}
	// A deleted device takes its notice with it.
	must(t, s.DeleteDevice(w.ctx, w.a, w.devA2.ID))
	if n, err := s.QueueStaleNotices(w.ctx, t0.Add(4*time.Hour), t0.Add(12*24*time.Hour)); err != nil || n != 0 {
		t.Fatalf("after a delete: %d, %v; want 0", n, err)
	}
}

func testWeeklySummaries(t *testing.T, s handwash.Store) {
	w := newWorld(t, s)
	week := time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)
	for i, c := range []struct {
		week time.Time
		want int
	}{{week, 3}, {week, 0}, {week.Add(-7 * 24 * time.Hour), 0}, {week.Add(7 * 24 * time.Hour), 3}} {
		n, err := s.QueueWeeklySummaries(w.ctx, c.week)
		must(t, err)
		if n != c.want {
			t.Errorf("round %d: %d summaries, want %d", i, n, c.want)
		}
	}
	es := w.pendingEvents(t)
	if len(es) != 6 || es[0].Kind != handwash.NotifyWeeklySummary || !es[0].At.Equal(week) || es[0].OrgName == "" {
		t.Fatalf("summary events: %+v", es)
	}
}

func testQueueNotification(t *testing.T, s handwash.Store) {
	w := newWorld(t, s)
	u := w.newUser(t, w.a1, "vi@rose.example", handwash.RoleViewer, w.orgA1.ID)
	wide := w.webhook(t, w.a, "", "IT desk", handwash.NotifyChoices...)
	elm := w.webhook(t, w.a2, w.orgA2.ID, "Elm", handwash.NotifyNewFailure)
	ok := []handwash.NotifyEvent{
		{ProviderID: w.provA.ID, OrgID: w.orgA1.ID, Kind: handwash.NotifyTest, UserID: u.ID, At: t0},
		{ProviderID: w.provA.ID, OrgID: w.orgA1.ID, Kind: handwash.NotifyTest, WebhookID: wide.ID, At: t0},
		{ProviderID: w.provA.ID, Kind: handwash.NotifyTest, WebhookID: wide.ID, At: t0},
	}
	for i := range ok {
		scope := w.a1
		if ok[i].OrgID == "" {
			scope = w.a
		}
		must(t, s.QueueNotification(w.ctx, scope, &ok[i]))
		if ok[i].ID == 0 {
			t.Errorf("event %d has no ID", i)
		}
	}
	for _, c := range []struct {
		name  string
		scope handwash.Scope
		e     handwash.NotifyEvent
		code  string
	}{
		{"another organisation's webhook", w.a1, handwash.NotifyEvent{ProviderID: w.provA.ID, OrgID: w.orgA1.ID, Kind: handwash.NotifyTest, WebhookID: elm.ID}, handwash.ENOTFOUND},
		{"another organisation's event", w.a1, handwash.NotifyEvent{ProviderID: w.provA.ID, OrgID: w.orgA2.ID, Kind: handwash.NotifyTest, WebhookID: elm.ID}, handwash.ENOTFOUND},
		{"another provider's user", w.b, handwash.NotifyEvent{ProviderID: w.provB.ID, OrgID: w.orgB1.ID, Kind: handwash.NotifyTest, UserID: u.ID}, handwash.ENOTFOUND},
		{"another provider", w.a, handwash.NotifyEvent{ProviderID: w.provB.ID, Kind: handwash.NotifyTest}, handwash.ENOTFOUND},
		{"unknown kind", w.a, handwash.NotifyEvent{ProviderID: w.provA.ID, Kind: "spam"}, handwash.EINVALID},
	} {
		e := c.e
		wantCode(t, c.name, s.QueueNotification(w.ctx, c.scope, &e), c.code)
	}
	if es := w.pendingEvents(t); len(es) != len(ok) {
		t.Errorf("queued %d events, want %d", len(es), len(ok))
	}
}

func testNotifyRecipients(t *testing.T, s handwash.Store) {
	w := newWorld(t, s)
	admin := w.withPassword(t, w.newUser(t, w.a, "ada@acme.example", handwash.RoleProviderAdmin, ""))
	manager := w.withPassword(t, w.newUser(t, w.a1, "mo@rose.example", handwash.RoleOrgAdmin, w.orgA1.ID))
	viewer := w.withPassword(t, w.newUser(t, w.a1, "vi@rose.example", handwash.RoleViewer, w.orgA1.ID))
	w.newUser(t, w.a1, "new@rose.example", handwash.RoleOrgAdmin, w.orgA1.ID) // invited, no password yet
	gone := w.withPassword(t, w.newUser(t, w.a1, "gone@rose.example", handwash.RoleOrgAdmin, w.orgA1.ID))
	gone.Disabled = true
	must(t, s.UpdateUser(w.ctx, w.a1, gone))
	w.withPassword(t, w.newUser(t, w.a2, "el@elm.example", handwash.RoleOrgAdmin, w.orgA2.ID))
	w.withPassword(t, w.newUser(t, w.b, "ob@oak.example", handwash.RoleProviderAdmin, ""))
	must(t, s.SetNotifyKinds(w.ctx, w.a1, viewer.ID, []handwash.NotifyKind{handwash.NotifyDeviceStale}))
	wide := w.webhook(t, w.a, "", "IT desk", handwash.NotifyChoices...)
	rose := w.webhook(t, w.a1, w.orgA1.ID, "Rose", handwash.NotifyNewFailure)
	w.webhook(t, w.a2, w.orgA2.ID, "Elm", handwash.NotifyNewFailure)

	people, hooks, err := s.NotifyRecipients(w.ctx, w.provA.ID, w.orgA1.ID)
	must(t, err)
	type got struct {
		Email string
		Kinds []handwash.NotifyKind
	}
	var gotPeople []got
	for _, p := range people {
		gotPeople = append(gotPeople, got{p.User.Email, p.Kinds})
	}
	diff(t, "Rose's recipients", gotPeople, []got{
		{admin.Email, handwash.NotifyChoices},
		{manager.Email, handwash.NotifyChoices},
		{viewer.Email, []handwash.NotifyKind{handwash.NotifyDeviceStale}},
	})
	var names []string
	for _, h := range hooks {
		names = append(names, h.ID)
	}
	want := []string{wide.ID, rose.ID}
	slices.Sort(want)
	diff(t, "Rose's webhooks", names, want)

	people, hooks, err = s.NotifyRecipients(w.ctx, w.provA.ID, "")
	must(t, err)
	if len(people) != 1 || people[0].User.ID != admin.ID || len(hooks) != 1 || hooks[0].ID != wide.ID {
		t.Errorf("the provider's own recipients: %d people, %d webhooks", len(people), len(hooks))
	}
}

func testDeliveries(t *testing.T, s handwash.Store) {
	w := newWorld(t, s)
	u := w.withPassword(t, w.newUser(t, w.a1, "mo@rose.example", handwash.RoleOrgAdmin, w.orgA1.ID))
	hook := w.webhook(t, w.a1, w.orgA1.ID, "Rose", handwash.NotifyNewFailure)
	_, err := s.QueueWeeklySummaries(w.ctx, t0)
	must(t, err)
	es := w.pendingEvents(t)
	var rose, oak *handwash.NotifyEvent
	for _, e := range es {
		switch e.OrgID {
		case w.orgA1.ID:
			rose = e
		case w.orgB1.ID:
			oak = e
		}
	}
	email := &handwash.Delivery{ProviderID: w.provA.ID, OrgID: w.orgA1.ID, Kind: handwash.NotifyWeeklySummary, Channel: handwash.ChannelEmail,
		UserID: u.ID, Email: u.Email, Recipient: u.Email, Subject: "Weekly summary", Message: []byte(`{"kind":"weekly_summary"}`)}
	post := &handwash.Delivery{ProviderID: w.provA.ID, OrgID: w.orgA1.ID, Kind: handwash.NotifyWeeklySummary, Channel: handwash.ChannelWebhook,
		WebhookID: hook.ID, Recipient: hook.Name, Subject: "Weekly summary", Message: []byte(`{}`)}
	must(t, s.FanOut(w.ctx, []int64{rose.ID}, []*handwash.Delivery{email, post}))
	if email.ID == 0 || post.ID == 0 || email.Status != handwash.DeliveryPending {
		t.Fatalf("fanned out: %+v", email)
	}
	// The same event again: refused, nothing added.
	extra := *email
	wantCode(t, "fan out twice", s.FanOut(w.ctx, []int64{oak.ID, rose.ID}, []*handwash.Delivery{&extra}), handwash.ECONFLICT)
	if es := w.pendingEvents(t); len(es) != 2 {
		t.Errorf("after a refused fan-out, %d events wait; want 2 (Elm's and Oak's)", len(es))
	}
	wantCode(t, "unknown channel", s.FanOut(w.ctx, []int64{oak.ID}, []*handwash.Delivery{{Channel: "pigeon"}}), handwash.EINVALID)

	// Claimed once, with a try counted, until the lease ends.
	// Deliveries are due from when they were fanned out: now, by the
	// store's clock.
	now := time.Now().UTC().Add(time.Minute).Truncate(time.Second)
	got, err := s.ClaimDeliveries(w.ctx, now, 10, time.Minute)
	must(t, err)
	if len(got) != 2 || got[0].ID != email.ID || got[0].Attempts != 1 || got[1].Webhook == nil || got[1].Webhook.URL != hook.URL {
		t.Fatalf("claimed: %+v", got)
	}
	if string(got[0].Message) != `{"kind":"weekly_summary"}` || got[0].Email != u.Email {
		t.Errorf("claimed email delivery: %+v", got[0])
	}
	if again, err := s.ClaimDeliveries(w.ctx, now.Add(30*time.Second), 10, time.Minute); err != nil || len(again) != 0 {
		t.Fatalf("claimed again within the lease: %d, %v", len(again), err)
	}
	// Sent; to be tried again; tried again, given up.
	must(t, s.FinishDelivery(w.ctx, handwash.DeliveryResult{ID: email.ID, Sent: true, At: now}))
	must(t, s.FinishDelivery(w.ctx, handwash.DeliveryResult{ID: post.ID, RetryAt: now.Add(5 * time.Minute), Error: "Teams was busy", At: now}))
	if got, _ := s.ClaimDeliveries(w.ctx, now.Add(2*time.Minute), 10, time.Minute); len(got) != 0 {
		t.Fatalf("claimed before its retry time: %d", len(got))
	}
	// The webhook is removed meanwhile: the delivery comes without it.
	must(t, s.DeleteWebhook(w.ctx, w.a1, hook.ID))
	got, err = s.ClaimDeliveries(w.ctx, now.Add(6*time.Minute), 10, time.Minute)
	must(t, err)
	if len(got) != 1 || got[0].Attempts != 2 || got[0].Webhook != nil || got[0].LastError != "Teams was busy" {
		t.Fatalf("claimed for a retry: %+v", got)
	}
	must(t, s.FinishDelivery(w.ctx, handwash.DeliveryResult{ID: post.ID, Error: "The webhook was removed.", At: now.Add(6 * time.Minute)}))

	list := func(scope handwash.Scope) []*handwash.Delivery {
		t.Helper()
		ds, err := s.Deliveries(w.ctx, scope, 50)
		must(t, err)
		return ds
	}
	ds := list(w.a1)
	if len(ds) != 2 || ds[0].ID != post.ID || ds[0].Status != handwash.DeliveryFailed || ds[1].Status != handwash.DeliverySent || !ds[1].SentAt.Equal(now) {
		t.Fatalf("Rose's deliveries: %+v", ds)
	}
	if len(list(w.a)) != 2 || len(list(w.a2)) != 0 || len(list(w.b)) != 0 {
		t.Error("deliveries seen out of scope")
	}

	// A disabled person's pending email goes without an address.
	_, err = s.QueueWeeklySummaries(w.ctx, t0.Add(7*24*time.Hour))
	must(t, err)
	es = w.pendingEvents(t)
	late := *email
	late.ID = 0
	must(t, s.FanOut(w.ctx, []int64{es[0].ID}, []*handwash.Delivery{&late}))
	u.Disabled = true
	must(t, s.UpdateUser(w.ctx, w.a1, u))
	got, err = s.ClaimDeliveries(w.ctx, now.Add(7*time.Minute), 10, time.Minute)
	must(t, err)
	if len(got) != 1 || got[0].Email != "" {
		t.Fatalf("a disabled person's email: %+v", got)
	}

	// Pruning takes finished deliveries only.
	n, err := s.PruneNotifications(w.ctx, time.Now().Add(time.Hour))
	must(t, err)
	if n != 2 || len(list(w.a1)) != 1 {
		t.Errorf("pruned %d, %d left; want 2 and the pending one", n, len(list(w.a1)))
	}
}

func testClaimDeliveriesConcurrent(t *testing.T, s handwash.Store) {
	w := newWorld(t, s)
	_, err := s.QueueWeeklySummaries(w.ctx, t0)
	must(t, err)
	es := w.pendingEvents(t)
	var ds []*handwash.Delivery
	for i := range 40 {
		ds = append(ds, &handwash.Delivery{ProviderID: w.provA.ID, OrgID: w.orgA1.ID, Kind: handwash.NotifyWeeklySummary, Channel: handwash.ChannelEmail,
			Email: "x@example.org", Recipient: "x@example.org", Subject: "s", Message: []byte{byte(i)}})
	}
	must(t, s.FanOut(w.ctx, []int64{es[0].ID}, ds))
	now := time.Now().Add(time.Minute)
	var mu sync.Mutex
	seen := map[int64]int{}
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for {
				got, err := s.ClaimDeliveries(w.ctx, now, 3, time.Hour)
				if err != nil {
					t.Error(err)
					return
				}
				if len(got) == 0 {
					return
				}
				mu.Lock()
				for _, d := range got {
					seen[d.ID]++
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if len(seen) != len(ds) {
		t.Errorf("claimed %d deliveries, want %d", len(seen), len(ds))
	}
	for id, n := range seen {
		if n != 1 {
			t.Errorf("delivery %d claimed %d times", id, n)
		}
	}
}
