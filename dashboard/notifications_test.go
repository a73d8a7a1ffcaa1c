package dashboard_test

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/handwash/handwash"
	"github.com/handwash/handwash/dashboard"
)

// Distinctive parts of webhook addresses and secrets, which no page and
// no audit entry may show.
const (
	teamsToken    = "TOKENzx81TEAMS"
	genericToken  = "PATHqwertyGENERIC"
	genericSecret = "s3cretVALUE-0123456789"
)

var (
	teamsURL   = "https://example.webhook.office.com/webhookb2/" + teamsToken + "/IncomingWebhook/abc"
	genericURL = "https://hooks.rosehouse.example/in/" + genericToken + "?key=" + genericToken
)

// pending lists the notification events not yet sent out.
func (w *world) pending() []*handwash.NotifyEvent {
	w.t.Helper()
	es, err := w.store.PendingNotifyEvents(context.Background(), 100)
	must(w.t, err)
	return es
}

// webhooks lists every webhook of the provider.
func (w *world) webhooks() []*handwash.Webhook {
	w.t.Helper()
	hs, err := w.store.Webhooks(context.Background(), handwash.Scope{ProviderID: w.provider.ID})
	must(w.t, err)
	return hs
}

// webhook finds a stored webhook by name.
func (w *world) webhook(name string) *handwash.Webhook {
	w.t.Helper()
	for _, h := range w.webhooks() {
		if h.Name == name {
			return h
		}
	}
	w.t.Fatalf("no webhook called %q is stored", name)
	return nil
}

// audited lists the audit entries of one action.
func (w *world) audited(action string) []*handwash.AuditEntry {
	w.t.Helper()
	es, _, err := w.store.Audit(context.Background(), handwash.Scope{ProviderID: w.provider.ID}, handwash.AuditFilter{Action: action})
	must(w.t, err)
	return es
}

func webhookForm(name, format, address, secret string, kinds ...handwash.NotifyKind) url.Values {
	f := url.Values{"name": {name}, "format": {format}, "url": {address}, "secret": {secret}}
	for _, k := range kinds {
		f.Add("kinds", string(k))
	}
	return f
}

// Every person chooses the emails they receive; until they do, their
// role's defaults apply. A kind that does not exist changes nothing.
func TestNotificationChoices(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	scope := handwash.Scope{ProviderID: w.provider.ID}
	page := "/account/notifications"

	viewer := w.browser()
	viewer.signIn(w.roseViewer)
	status, body, _ := viewer.get(page)
	if status != http.StatusOK {
		t.Fatalf("a viewer's notifications page: %d", status)
	}
	for _, want := range []string{w.roseViewer.user.Email, "You have not chosen yet", "viewer", "no emails", "Email me about", handwash.NotifyNewFailure.Title(), `href="/account/notifications"`} {
		if !strings.Contains(html.UnescapeString(body), want) {
			t.Errorf("a viewer's notifications page lacks %q", want)
		}
	}
	if strings.Contains(body, " checked") {
		t.Error("a viewer's page ticks emails they do not get by default")
	}
	if strings.Contains(body, "/notifications\">") && strings.Contains(body, `href="/orgs/`+w.rose.ID+`/notifications"`) {
		t.Error("a viewer is offered the organisation's webhooks")
	}

	admin := w.browser()
	admin.signIn(w.roseAdmin)
	_, body, _ = admin.get(page)
	if n := strings.Count(body, " checked"); n != len(handwash.NotifyChoices) {
		t.Errorf("an administrator's defaults: %d boxes ticked, want %d", n, len(handwash.NotifyChoices))
	}
	if !strings.Contains(body, `href="/orgs/`+w.rose.ID+`/notifications"`) {
		t.Error("an administrator's page does not link to the organisation's notifications")
	}

	status, _, loc := viewer.post(page, url.Values{"kinds": {string(handwash.NotifyDeviceStale), string(handwash.NotifyNewFailure)}})
	if status != http.StatusSeeOther || !strings.HasPrefix(loc, page) {
		t.Fatalf("saving choices: %d to %q", status, loc)
	}
	want := []handwash.NotifyKind{handwash.NotifyNewFailure, handwash.NotifyDeviceStale}
	kinds, chosen, err := w.store.NotifyKinds(ctx, scope, w.roseViewer.user.ID)
	must(t, err)
	if !chosen || !slices.Equal(kinds, want) {
		t.Fatalf("stored: %v (chosen %v), want %v", kinds, chosen, want)
	}
	_, body, _ = viewer.get(loc)
	if !strings.Contains(body, "Your choices are saved") || strings.Contains(body, "You have not chosen yet") || strings.Count(body, " checked") != 2 {
		t.Errorf("after saving: %s", text(body))
	}

	status, body, _ = viewer.post(page, url.Values{"kinds": {string(handwash.NotifyWeeklySummary), "everything_now"}})
	if status != http.StatusBadRequest || !strings.Contains(body, "Email me about") || !strings.Contains(body, "everything_now") {
		t.Errorf("an unknown kind: %d: %s", status, text(body))
	}
	if kinds, _, _ := w.store.NotifyKinds(ctx, scope, w.roseViewer.user.ID); !slices.Equal(kinds, want) {
		t.Errorf("an unknown kind changed the choices to %v", kinds)
	}
	if status, _, _ := viewer.post(page, url.Values{"csrf": {"forged"}}); status != http.StatusForbidden {
		t.Errorf("a forged form token: %d, want 403", status)
	}

	// Choosing nothing is a choice: no email at all.
	viewer.get(page)
	if status, _, _ := viewer.post(page, url.Values{}); status != http.StatusSeeOther {
		t.Fatalf("choosing nothing: %d", status)
	}
	kinds, chosen, err = w.store.NotifyKinds(ctx, scope, w.roseViewer.user.ID)
	must(t, err)
	if !chosen || len(kinds) != 0 {
		t.Errorf("after choosing nothing: %v (chosen %v)", kinds, chosen)
	}
}

// Anyone may send themselves a test email: it is queued for them alone,
// the notifier is woken, and the page says so.
func TestNotificationTestEmail(t *testing.T) {
	w := newWorld(t)
	viewer := w.browser()
	viewer.signIn(w.roseViewer)
	viewer.get("/account/notifications")
	status, _, loc := viewer.post("/account/notifications/test", url.Values{})
	if status != http.StatusSeeOther || !strings.HasPrefix(loc, "/account/notifications?") {
		t.Fatalf("a test email: %d to %q", status, loc)
	}
	es := w.pending()
	if len(es) != 1 || es[0].Kind != handwash.NotifyTest || es[0].UserID != w.roseViewer.user.ID || es[0].OrgID != w.rose.ID || es[0].WebhookID != "" {
		t.Fatalf("queued: %+v", es)
	}
	if w.notified.Load() != 1 {
		t.Errorf("the notifier was woken %d times, want 1", w.notified.Load())
	}
	if _, body, _ := viewer.get(loc); !strings.Contains(body, "on its way") || !strings.Contains(body, "recent messages") {
		t.Errorf("no word that the test is on its way: %s", text(body))
	}

	// Once the notifier made the delivery, the person sees it listed.
	d := &handwash.Delivery{ProviderID: w.provider.ID, OrgID: w.rose.ID, Kind: handwash.NotifyTest, Channel: handwash.ChannelEmail,
		UserID: w.roseViewer.user.ID, Email: w.roseViewer.user.Email, Recipient: w.roseViewer.user.Email, Subject: "[Handwash] Test message for Ali", Message: []byte("message")}
	must(t, w.store.FanOut(context.Background(), []int64{es[0].ID}, []*handwash.Delivery{d}))
	if _, body, _ := viewer.get("/account/notifications"); !strings.Contains(body, "Test message for Ali") || !strings.Contains(body, "pending") {
		t.Errorf("the test email is not listed: %s", text(body))
	}

	// A provider's administrator belongs to no organisation.
	provider := w.browser()
	provider.signIn(w.providerAdmin)
	provider.get("/account/notifications")
	if status, _, _ := provider.post("/account/notifications/test", url.Values{}); status != http.StatusSeeOther {
		t.Fatalf("a provider administrator's test email: %d", status)
	}
	es = w.pending()
	if len(es) != 1 || es[0].UserID != w.providerAdmin.user.ID || es[0].OrgID != "" {
		t.Errorf("queued: %+v", es)
	}

	// Ten tests an hour each, then a refusal that says when to try again.
	for range 9 {
		if status, _, _ := provider.post("/account/notifications/test", url.Values{}); status != http.StatusSeeOther {
			t.Fatalf("a test within the allowance: %d", status)
		}
	}
	status, body, _ := provider.post("/account/notifications/test", url.Values{})
	if status != http.StatusForbidden || !strings.Contains(body, "Try again in") {
		t.Errorf("the eleventh test in an hour: %d %s", status, text(body))
	}
	if n := len(w.pending()); n != 10 {
		t.Errorf("%d of the provider administrator's tests wait, want 10 (the refused one not among them)", n)
	}
	w.clock.advance(time.Hour)
	if status, _, _ := provider.post("/account/notifications/test", url.Values{}); status != http.StatusSeeOther {
		t.Errorf("a test an hour later: %d", status)
	}
}

// The webhook pages are for administrators: an organisation's for its
// own, the provider's for provider administrators; another
// organisation's is "not found".
func TestNotificationPagesAccess(t *testing.T) {
	w := newWorld(t)
	rose, oak := "/orgs/"+w.rose.ID+"/notifications", "/orgs/"+w.oak.ID+"/notifications"
	cases := []struct {
		who  person
		path string
		want int
	}{
		{w.roseViewer, "/account/notifications", http.StatusOK},
		{w.roseViewer, rose, http.StatusForbidden},
		{w.roseViewer, "/notifications", http.StatusForbidden},
		{w.roseAdmin, rose, http.StatusOK},
		{w.roseAdmin, oak, http.StatusNotFound},
		{w.roseAdmin, "/notifications", http.StatusForbidden},
		{w.oakAdmin, rose, http.StatusNotFound},
		{w.providerAdmin, rose, http.StatusOK},
		{w.providerAdmin, oak, http.StatusOK},
		{w.providerAdmin, "/notifications", http.StatusOK},
		{w.providerAdmin, "/account/notifications", http.StatusOK},
	}
	browsers := map[string]*browser{}
	for _, c := range cases {
		b := browsers[c.who.user.ID]
		if b == nil {
			b = w.browser()
			b.signIn(c.who)
			browsers[c.who.user.ID] = b
		}
		status, body, _ := b.get(c.path)
		if status != c.want {
			t.Errorf("%s: GET %s = %d, want %d", c.who.user.Email, c.path, status, c.want)
		}
		if status == http.StatusOK && !strings.Contains(body, `href="/account/notifications"`) {
			t.Errorf("%s: GET %s has no link to their own choices", c.who.user.Email, c.path)
		}
	}

	// Where people find the pages.
	_, body, _ := browsers[w.roseAdmin.user.ID].get("/orgs/" + w.rose.ID)
	if !strings.Contains(body, `href="`+rose+`"`) {
		t.Error("the organisation's page does not link to its notifications for an administrator")
	}
	if _, body, _ := browsers[w.roseViewer.user.ID].get("/orgs/" + w.rose.ID); strings.Contains(body, `href="`+rose+`"`) || !strings.Contains(body, `href="/account/notifications"`) {
		t.Error("a viewer's organisation page: links wrong")
	}
	if _, body, _ := browsers[w.providerAdmin.user.ID].get("/"); !strings.Contains(body, `href="/notifications"`) {
		t.Error("the provider's home page does not link to its notifications")
	}
}

// A webhook with a problem is refused with the field named and what to
// do, and nothing is stored; the address is not repeated.
func TestWebhookValidation(t *testing.T) {
	w := newWorld(t)
	admin := w.browser()
	admin.signIn(w.roseAdmin)
	page := "/orgs/" + w.rose.ID + "/notifications"
	admin.get(page)
	kinds := []handwash.NotifyKind{handwash.NotifyNewFailure}
	for _, c := range []struct {
		name string
		form url.Values
		want []string
	}{
		{"no name", webhookForm(" ", "teams", teamsURL, "", kinds...), []string{"Name:"}},
		{"a name with a line break", webhookForm("Office\nTeams", "teams", teamsURL, "", kinds...), []string{"Name:"}},
		{"an unknown format", webhookForm("Office", "pigeon", teamsURL, "", kinds...), []string{"Format:"}},
		{"no kinds", webhookForm("Office", "teams", teamsURL, ""), []string{"Send it messages about", "at least one"}},
		{"an unknown kind", webhookForm("Office", "teams", teamsURL, "", "everything"), []string{"Send it messages about", "everything"}},
		{"no address", webhookForm("Office", "generic", "", "", kinds...), []string{"webhook address", "is empty"}},
		{"an ftp address", webhookForm("Office", "generic", "ftp://files.rosehouse.example/"+genericToken, "", kinds...), []string{"webhook address", "https://"}},
		{"a short secret", webhookForm("Office", "generic", genericURL, "short", kinds...), []string{"secret", "at least 16"}},
		{"a secret for Teams", webhookForm("Office", "teams", teamsURL, genericSecret, kinds...), []string{"secret", "only for the generic format"}},
		{"a loopback address", webhookForm("Office", "generic", "http://127.0.0.1:8080/"+genericToken, "", kinds...), []string{"webhook address", "this machine"}},
		{"a private address", webhookForm("Office", "generic", "https://192.168.1.20/"+genericToken, "", kinds...), []string{"webhook address", "private network"}},
	} {
		status, body, _ := admin.post(page+"/webhooks", c.form)
		if status != http.StatusBadRequest {
			t.Errorf("%s: %d, want 400: %s", c.name, status, text(body))
			continue
		}
		plain := html.UnescapeString(body)
		for _, want := range c.want {
			if !strings.Contains(plain, want) {
				t.Errorf("%s: the page lacks %q: %s", c.name, want, text(body))
			}
		}
		if !strings.Contains(body, "error-summary") {
			t.Errorf("%s: no error summary", c.name)
		}
		for _, secret := range []string{teamsToken, genericToken, genericSecret} {
			if strings.Contains(body, secret) {
				t.Errorf("%s: the page repeats %q", c.name, secret)
			}
		}
	}
	if hs := w.webhooks(); len(hs) != 0 {
		t.Errorf("refused forms stored %d webhooks", len(hs))
	}
	if es := w.audited("webhook.create"); len(es) != 0 {
		t.Errorf("refused forms wrote %d audit entries", len(es))
	}

	// The name typed is kept; the kinds ticked too.
	_, body, _ := admin.post(page+"/webhooks", webhookForm("Office Teams", "teams", "ftp://x.example/", "", handwash.NotifyDeviceStale))
	if !strings.Contains(body, `value="Office Teams"`) || strings.Count(body, " checked") != 1 {
		t.Errorf("the refused form forgot what was typed")
	}

	// A receiver on the provider's own network, when the server allows it.
	lan := newWorldWith(t, dashboard.Config{AllowPrivateWebhooks: true})
	b := lan.browser()
	b.signIn(lan.roseAdmin)
	lanPage := "/orgs/" + lan.rose.ID + "/notifications"
	b.get(lanPage)
	if status, body, _ := b.post(lanPage+"/webhooks", webhookForm("Server room", "generic", "http://127.0.0.1:8080/in", "", kinds...)); status != http.StatusSeeOther {
		t.Errorf("a loopback address when allowed: %d: %s", status, text(body))
	}
	if hs := lan.webhooks(); len(hs) != 1 {
		t.Errorf("%d webhooks stored, want 1", len(hs))
	}
}

// An administrator adds webhooks; pages and the audit log show only the
// scheme and host of their addresses, never the rest nor the secret.
func TestWebhookSecretsNotShown(t *testing.T) {
	w := newWorld(t)
	admin := w.browser()
	admin.signIn(w.roseAdmin)
	page := "/orgs/" + w.rose.ID + "/notifications"
	admin.get(page)
	status, _, loc := admin.post(page+"/webhooks", webhookForm("Office Teams", "teams", teamsURL, "", handwash.NotifyNewFailure, handwash.NotifyDeviceStale))
	if status != http.StatusSeeOther || !strings.HasPrefix(loc, page) {
		t.Fatalf("adding a Teams webhook: %d to %q", status, loc)
	}
	teams := w.webhook("Office Teams")
	if teams.URL != teamsURL || teams.OrgID != w.rose.ID || teams.Format != "teams" || teams.ProviderID != w.provider.ID ||
		!slices.Equal(teams.Kinds, []handwash.NotifyKind{handwash.NotifyNewFailure, handwash.NotifyDeviceStale}) || !strings.HasPrefix(teams.ID, "whk_") {
		t.Errorf("stored: %+v", teams)
	}
	status, body, _ := admin.get(loc)
	if status != http.StatusOK || !strings.Contains(html.UnescapeString(body), "Office Teams") || !strings.Contains(body, "was added") {
		t.Errorf("after adding: %d: %s", status, text(body))
	}
	admin.get(page)
	if status, _, _ := admin.post(page+"/webhooks", webhookForm("Ticket system", "generic", genericURL, genericSecret, handwash.NotifyWeeklySummary)); status != http.StatusSeeOther {
		t.Fatalf("adding a generic webhook: %d", status)
	}
	if g := w.webhook("Ticket system"); g.Secret != genericSecret || g.URL != genericURL {
		t.Errorf("the generic webhook's address or secret was not stored as given")
	}

	_, body, _ = admin.get(page)
	for _, want := range []string{"Office Teams", "Microsoft Teams", "https://example.webhook.office.com", "Ticket system", "https://hooks.rosehouse.example", handwash.NotifyWeeklySummary.Title()} {
		if !strings.Contains(html.UnescapeString(body), want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	for _, secret := range []string{teamsToken, genericToken, genericSecret, "webhookb2", "/in/"} {
		if strings.Contains(body, secret) {
			t.Errorf("the page shows %q from a webhook's address or secret", secret)
		}
	}

	entries := w.audited("webhook.create")
	if len(entries) != 2 {
		t.Fatalf("%d webhook.create entries, want 2", len(entries))
	}
	for _, e := range entries {
		if e.OrgID != w.rose.ID || e.ActorID != w.roseAdmin.user.ID || !strings.Contains(e.Detail, "://") {
			t.Errorf("audit entry: %+v", e)
		}
		for _, secret := range []string{teamsToken, genericToken, genericSecret} {
			if strings.Contains(e.Detail, secret) {
				t.Errorf("the audit log holds %q: %s", secret, e.Detail)
			}
		}
	}
	_, body, _ = admin.get("/audit")
	if !strings.Contains(body, "example.webhook.office.com") || strings.Contains(body, teamsToken) {
		t.Errorf("the audit page: %s", text(body))
	}
}

// Test messages and deleting webhooks: administrators only, within their
// scope; a webhook for every organisation is a provider administrator's
// to delete.
func TestWebhookTestAndDelete(t *testing.T) {
	w := newWorld(t)
	rosePage := "/orgs/" + w.rose.ID + "/notifications"
	kinds := []handwash.NotifyKind{handwash.NotifyNewFailure}

	provider := w.browser()
	provider.signIn(w.providerAdmin)
	provider.get("/notifications")
	if status, body, _ := provider.post("/notifications/webhooks", webhookForm("Careful IT helpdesk", "slack", "https://hooks.slack.com/services/T0/B0/"+teamsToken, "", kinds...)); status != http.StatusSeeOther {
		t.Fatalf("adding a webhook for every organisation: %d: %s", status, text(body))
	}
	everyone := w.webhook("Careful IT helpdesk")
	if everyone.OrgID != "" {
		t.Fatalf("the provider's webhook belongs to %q", everyone.OrgID)
	}
	admin := w.browser()
	admin.signIn(w.roseAdmin)
	admin.get(rosePage)
	if status, _, _ := admin.post("/notifications/webhooks", webhookForm("Sneaky", "slack", "https://hooks.slack.com/services/T0/B1/x", "", kinds...)); status != http.StatusForbidden {
		t.Errorf("an organisation's administrator adding a webhook for every organisation: %d, want 403", status)
	}
	if status, _, _ := admin.post(rosePage+"/webhooks", webhookForm("Office Teams", "teams", teamsURL, "", kinds...)); status != http.StatusSeeOther {
		t.Fatalf("adding a webhook: %d", status)
	}
	own := w.webhook("Office Teams")

	// The organisation's page lists both; the provider's only its own.
	_, body, _ := admin.get(rosePage)
	if !strings.Contains(body, "Careful IT helpdesk") || !strings.Contains(body, "every organisation") || !strings.Contains(body, "Office Teams") {
		t.Errorf("the organisation's page: %s", text(body))
	}
	if strings.Contains(body, `action="/webhooks/`+everyone.ID+`/delete"`) || !strings.Contains(body, `action="/webhooks/`+own.ID+`/delete"`) {
		t.Error("an organisation's administrator is offered the wrong delete buttons")
	}
	if _, body, _ := provider.get(rosePage); !strings.Contains(body, `action="/webhooks/`+everyone.ID+`/delete"`) {
		t.Error("a provider administrator is not offered to delete the webhook for every organisation")
	}
	if _, body, _ := provider.get("/notifications"); !strings.Contains(body, "Careful IT helpdesk") || strings.Contains(body, own.ID) {
		t.Errorf("the provider's page: %s", text(body))
	}

	unchanged := func(who string) {
		t.Helper()
		if hs := w.webhooks(); len(hs) != 2 {
			t.Errorf("%s: %d webhooks left, want 2", who, len(hs))
		}
		if es := w.pending(); len(es) != 0 {
			t.Errorf("%s: %d events queued, want none", who, len(es))
		}
		if n := w.notified.Load(); n != 0 {
			t.Errorf("%s: the notifier was woken %d times", who, n)
		}
	}
	viewer := w.browser()
	viewer.signIn(w.roseViewer)
	viewer.get("/account/notifications")
	for _, path := range []string{"/webhooks/" + own.ID + "/test", "/webhooks/" + own.ID + "/delete", rosePage + "/webhooks"} {
		if status, _, _ := viewer.post(path, url.Values{"org": {w.rose.ID}, "name": {"Mine"}, "format": {"teams"}, "url": {teamsURL}, "kinds": {"device_stale"}}); status != http.StatusForbidden {
			t.Errorf("a viewer: POST %s = %d, want 403", path, status)
		}
	}
	unchanged("a viewer")
	oak := w.browser()
	oak.signIn(w.oakAdmin)
	oak.get("/orgs/" + w.oak.ID + "/notifications")
	for _, org := range []string{"", w.oak.ID, w.rose.ID} {
		for _, path := range []string{"/webhooks/" + own.ID + "/test", "/webhooks/" + own.ID + "/delete"} {
			if status, body, _ := oak.post(path, url.Values{"org": {org}}); status != http.StatusNotFound || strings.Contains(body, "Office Teams") {
				t.Errorf("another organisation's administrator: POST %s with org %q = %d, want 404", path, org, status)
			}
		}
	}
	if status, _, _ := oak.post(rosePage+"/webhooks", webhookForm("Mine", "teams", teamsURL, "", kinds...)); status != http.StatusNotFound {
		t.Errorf("another organisation's administrator adding a webhook: %d, want 404", status)
	}
	unchanged("another organisation")
	admin.get(rosePage)
	if status, _, _ := admin.post("/webhooks/"+everyone.ID+"/delete", url.Values{"org": {w.rose.ID}}); status != http.StatusForbidden {
		t.Errorf("an organisation's administrator deleting the webhook for every organisation: %d, want 403", status)
	}
	unchanged("an organisation's administrator")

	// Tests: the organisation's webhook, then the provider's from the
	// organisation's page, which sends it about that organisation.
	status, _, loc := admin.post("/webhooks/"+own.ID+"/test", url.Values{"org": {w.rose.ID}})
	if status != http.StatusSeeOther || !strings.HasPrefix(loc, rosePage+"?") {
		t.Fatalf("testing a webhook: %d to %q", status, loc)
	}
	if _, body, _ := admin.get(loc); !strings.Contains(body, "on its way") || !strings.Contains(body, "Office Teams") {
		t.Errorf("no word that the test is on its way: %s", text(body))
	}
	admin.post("/webhooks/"+everyone.ID+"/test", url.Values{"org": {w.rose.ID}})
	provider.get("/notifications")
	if status, _, loc := provider.post("/webhooks/"+everyone.ID+"/test", url.Values{}); status != http.StatusSeeOther || !strings.HasPrefix(loc, "/notifications?") {
		t.Errorf("testing from the provider's page: %d to %q", status, loc)
	}
	es := w.pending()
	type sent struct{ webhook, org string }
	var got []sent
	for _, e := range es {
		if e.Kind != handwash.NotifyTest || e.UserID != "" || e.ProviderID != w.provider.ID {
			t.Errorf("queued: %+v", e)
		}
		got = append(got, sent{e.WebhookID, e.OrgID})
	}
	if want := []sent{{own.ID, w.rose.ID}, {everyone.ID, w.rose.ID}, {everyone.ID, ""}}; !slices.Equal(got, want) {
		t.Errorf("queued tests %v, want %v", got, want)
	}
	if n := w.notified.Load(); n != 3 {
		t.Errorf("the notifier was woken %d times, want 3", n)
	}
	tests := w.audited("webhook.test")
	if len(tests) != 3 {
		t.Errorf("%d webhook.test entries, want 3", len(tests))
	}
	for _, e := range tests {
		if strings.Contains(e.Detail, teamsToken) || !strings.Contains(e.Detail, "://") {
			t.Errorf("audit: %s", e.Detail)
		}
	}

	// The messages made of them are listed, with what became of them.
	ctx := context.Background()
	d1 := &handwash.Delivery{ProviderID: w.provider.ID, OrgID: w.rose.ID, Kind: handwash.NotifyTest, Channel: handwash.ChannelWebhook,
		WebhookID: own.ID, Recipient: own.Name, Subject: "[Handwash] Test for the Office Teams channel", Message: []byte("{}")}
	d2 := &handwash.Delivery{ProviderID: w.provider.ID, OrgID: w.oak.ID, Kind: handwash.NotifyNewFailure, Channel: handwash.ChannelEmail,
		UserID: w.oakAdmin.user.ID, Email: w.oakAdmin.user.Email, Recipient: w.oakAdmin.user.Email, Subject: "[Handwash] OAK-PC-1 fails a check", Message: []byte("message")}
	must(t, w.store.FanOut(ctx, []int64{es[0].ID}, []*handwash.Delivery{d1, d2}))
	must(t, w.store.FinishDelivery(ctx, handwash.DeliveryResult{ID: d1.ID, Error: "Teams answered 404: the workflow was deleted", At: w.clock.now()}))
	_, body, _ = admin.get(rosePage)
	for _, want := range []string{"Test for the Office Teams channel", "gave up", "the workflow was deleted", "Test message", "Webhook"} {
		if !strings.Contains(html.UnescapeString(body), want) {
			t.Errorf("the organisation's recent messages lack %q", want)
		}
	}
	if strings.Contains(body, "OAK-PC-1") {
		t.Error("Rose House's page lists Oak Lodge's messages")
	}
	if _, body, _ := provider.get("/notifications"); !strings.Contains(body, "OAK-PC-1 fails a check") || !strings.Contains(body, "Oak Lodge") || !strings.Contains(body, "pending") {
		t.Errorf("the provider's recent messages: %s", text(body))
	}

	// Deleting.
	admin.get(rosePage)
	status, _, loc = admin.post("/webhooks/"+own.ID+"/delete", url.Values{"org": {w.rose.ID}})
	if status != http.StatusSeeOther || !strings.HasPrefix(loc, rosePage+"?") {
		t.Fatalf("deleting a webhook: %d to %q", status, loc)
	}
	if hs := w.webhooks(); len(hs) != 1 || hs[0].ID != everyone.ID {
		t.Errorf("after deleting: %d webhooks", len(hs))
	}
	if status, _, _ := admin.post("/webhooks/"+own.ID+"/delete", url.Values{"org": {w.rose.ID}}); status != http.StatusNotFound {
		t.Errorf("deleting it again: %d, want 404", status)
	}
	provider.get(rosePage)
	if status, _, _ := provider.post("/webhooks/"+everyone.ID+"/delete", url.Values{"org": {w.rose.ID}}); status != http.StatusSeeOther {
		t.Errorf("a provider administrator deleting the webhook for every organisation: %d", status)
	}
	if hs := w.webhooks(); len(hs) != 0 {
		t.Errorf("after deleting both: %d webhooks", len(hs))
	}
	deletes := w.audited("webhook.delete")
	if len(deletes) != 2 {
		t.Errorf("%d webhook.delete entries, want 2", len(deletes))
	}
	for _, e := range deletes {
		if strings.Contains(e.Detail, teamsToken) || !strings.Contains(e.Detail, "://") {
			t.Errorf("audit: %s", e.Detail)
		}
	}
}
