package dashboard

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/handwash/handwash"
	"github.com/handwash/handwash/notify"
)

// kindOption is one kind of notification as a checkbox.
type kindOption struct {
	Kind    handwash.NotifyKind
	Title   string
	Hint    string
	Checked bool
}

// kindHint says in a line when a kind of notification is sent.
func kindHint(k handwash.NotifyKind) string {
	switch k {
	case handwash.NotifyNewFailure:
		return "Sent as soon as a computer fails an important check it passed before, such as its firewall being turned off."
	case handwash.NotifyDeviceStale:
		return "Sent when a computer stops sending its results: it may be switched off, broken, lost or without its agent."
	case handwash.NotifyWeeklySummary:
		return "Sent once a week: each organisation's scores and how they changed."
	}
	return ""
}

// kindOptions lists every kind people may choose, with those in chosen
// checked.
func kindOptions(chosen []handwash.NotifyKind) []kindOption {
	var out []kindOption
	for _, k := range handwash.NotifyChoices {
		out = append(out, kindOption{Kind: k, Title: k.Title(), Hint: kindHint(k), Checked: slices.Contains(chosen, k)})
	}
	return out
}

// parseKinds reads the kinds a form's checkboxes chose, in the order of
// handwash.NotifyChoices, without repeats; bad is the first value that is
// not a kind people may choose.
func parseKinds(values []string) (kinds []handwash.NotifyKind, bad string, ok bool) {
	for _, v := range values {
		if !handwash.NotifyKind(v).Valid() {
			return nil, v, false
		}
	}
	kinds = []handwash.NotifyKind{}
	for _, k := range handwash.NotifyChoices {
		if slices.Contains(values, string(k)) {
			kinds = append(kinds, k)
		}
	}
	return kinds, "", true
}

// kindTitles names kinds as people read them.
func kindTitles(kinds []handwash.NotifyKind) []string {
	var out []string
	for _, k := range kinds {
		out = append(out, k.Title())
	}
	return out
}

// messagesShown is how many of their own recent emails a person's page
// lists.
const messagesShown = 10

type choicesPage struct {
	Email string
	Kinds []kindOption
	// Chosen is false while the person receives their role's default.
	Chosen   bool
	RoleName string
	Defaults []string
	// Messages are the person's own recent emails, newest first.
	Messages []*handwash.Delivery
	// Manage is the page where an administrator sets up webhooks.
	Manage string
	// Saved and Sent say what was just done.
	Saved, Sent bool
	Error       string
}

// handleChoices shows which emails the signed-in person receives, and lets
// them choose.
func (s *server) handleChoices(w http.ResponseWriter, r *http.Request) {
	p, err := s.choicesPage(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	q := r.URL.Query()
	p.Saved, p.Sent = q.Has("saved"), q.Has("sent")
	s.render(w, r, http.StatusOK, "notifychoices", "Your email notifications", p)
}

func (s *server) choicesPage(r *http.Request) (choicesPage, error) {
	v := visitorOf(r)
	pr := v.principal()
	ctx := r.Context()
	kinds, chosen, err := s.store.NotifyKinds(ctx, pr.Scope, v.user.ID)
	if err != nil {
		return choicesPage{}, err
	}
	defaults := handwash.DefaultNotifyKinds(v.user.Role)
	if !chosen {
		kinds = defaults
	}
	p := choicesPage{Email: v.user.Email, Kinds: kindOptions(kinds), Chosen: chosen,
		RoleName: roleTitle(v.user.Role), Defaults: kindTitles(defaults)}
	switch {
	case pr.CanManageOrgs():
		p.Manage = "/notifications"
	case pr.CanWrite() && v.user.OrgID != "":
		p.Manage = "/orgs/" + url.PathEscape(v.user.OrgID) + "/notifications"
	}
	// The person's own emails are among the newest of their scope.
	ds, err := s.store.Deliveries(ctx, pr.Scope, 200)
	if err != nil {
		return p, err
	}
	for _, d := range ds {
		if d.Channel == handwash.ChannelEmail && d.UserID == v.user.ID && len(p.Messages) < messagesShown {
			p.Messages = append(p.Messages, d)
		}
	}
	return p, nil
}

// handleChoicesSave stores which emails the person receives. Choosing none
// is a choice too: they then receive no email.
func (s *server) handleChoicesSave(w http.ResponseWriter, r *http.Request) {
	v := visitorOf(r)
	_ = r.ParseForm() // read already, with the form token
	kinds, bad, ok := parseKinds(r.PostForm["kinds"])
	if !ok {
		p, err := s.choicesPage(r)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		p.Error = fmt.Sprintf("Email me about: %q is not a kind of email Handwash sends. Reload the page and tick the boxes again.", truncate(bad, 40))
		s.render(w, r, http.StatusBadRequest, "notifychoices", "Your email notifications", p)
		return
	}
	if err := s.store.SetNotifyKinds(r.Context(), v.principal().Scope, v.user.ID, kinds); err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/account/notifications?saved=1", http.StatusSeeOther)
}

// handleChoicesTest queues a test email to the person who asked.
func (s *server) handleChoicesTest(w http.ResponseWriter, r *http.Request) {
	v := visitorOf(r)
	pr := v.principal()
	e := &handwash.NotifyEvent{ProviderID: v.user.ProviderID, OrgID: v.user.OrgID, Kind: handwash.NotifyTest, UserID: v.user.ID, At: s.now()}
	if err := s.queueTest(r, pr, e); err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/account/notifications?sent=1#messages-h", http.StatusSeeOther)
}

// Test messages a person may ask for in an hour: enough to try settings
// again and again, too few to use the server to flood an inbox or channel.
const (
	testLimit  = 10
	testWindow = time.Hour
)

// queueTest queues a test message that the visitor asked for, within
// their hourly allowance, and wakes the notifier.
func (s *server) queueTest(r *http.Request, pr handwash.Principal, e *handwash.NotifyEvent) error {
	if ok, wait := s.tests.Allow(pr.ID); !ok {
		return handwash.Errorf(handwash.EFORBIDDEN, "You have sent %d test messages in the last hour. Try again in %d minutes.", testLimit, int(wait.Minutes())+1)
	}
	if err := s.store.QueueNotification(r.Context(), pr.Scope, e); err != nil {
		return err
	}
	s.tests.Fail(pr.ID)
	s.notified()
	return nil
}

// formatOption is a webhook format as the form offers it.
type formatOption struct {
	Value notify.Format
	Label string
	Hint  string
}

var formatOptions = []formatOption{
	{notify.FormatTeams, "Microsoft Teams", "In the Teams channel, add the Workflows template “Post to a channel when a webhook request is received” and paste the address it gives you."},
	{notify.FormatSlack, "Slack", "In Slack, add an incoming webhook to the channel and paste its address (it starts https://hooks.slack.com/)."},
	{notify.FormatGeneric, "Generic (JSON)", "For any HTTPS receiver, such as a ticketing system: Handwash's own JSON, signed with the secret if you give one so the receiver can check it came from Handwash."},
}

func formatLabel(f string) string {
	for _, o := range formatOptions {
		if string(o.Value) == f {
			return o.Label
		}
	}
	return f
}

// webhookForm is the form that adds a webhook, as typed. The address and
// the secret are never written back into it.
type webhookForm struct {
	Name   string
	Format string
	Kinds  []kindOption
	Error  string
	// ErrorField is the ID of the input the error is about.
	ErrorField string
}

type webhookRow struct {
	Hook *handwash.Webhook
	// Origin is the scheme and host of the address: all of it a page
	// shows, since the rest may be a token.
	Origin       string
	FormatLabel  string
	Kinds        []string
	ProviderWide bool
	CanDelete    bool
}

type deliveryRow struct {
	*handwash.Delivery
	OrgName string
}

type notificationsPage struct {
	// Org is the organisation of the page; nil on the provider's page.
	Org *handwash.Org
	// Path is the page's address, where its forms go back to.
	Path       string
	Webhooks   []webhookRow
	Deliveries []deliveryRow
	Formats    []formatOption
	Form       webhookForm
	// Added and Tested name the webhook just added or tested; Deleted
	// says one was deleted.
	Added, Tested string
	Deleted       bool
}

// handleNotifications shows where an organisation's notifications go (or,
// at /notifications, the provider's for every organisation), with the
// newest deliveries and the form that adds a webhook.
func (s *server) handleNotifications(w http.ResponseWriter, r *http.Request) {
	p, ok := s.notificationsPage(w, r, webhookForm{Format: string(notify.FormatTeams), Kinds: kindOptions(handwash.NotifyChoices)})
	if !ok {
		return
	}
	q := r.URL.Query()
	for _, row := range p.Webhooks {
		if row.Hook.ID == q.Get("added") {
			p.Added = row.Hook.Name
		}
		if row.Hook.ID == q.Get("tested") {
			p.Tested = row.Hook.Name
		}
	}
	p.Deleted = q.Has("deleted")
	s.render(w, r, http.StatusOK, "notifications", notificationsTitle(p.Org), p)
}

func notificationsTitle(o *handwash.Org) string {
	if o == nil {
		return "Notifications for every organisation"
	}
	return "Notifications for " + o.Name
}

// notificationsPage gathers an organisation's notifications page, or the
// provider's when the path names no organisation. Only administrators see
// it, and only provider administrators the provider's.
func (s *server) notificationsPage(w http.ResponseWriter, r *http.Request, form webhookForm) (notificationsPage, bool) {
	pr := visitorOf(r).principal()
	if !pr.CanWrite() {
		s.fail(w, r, handwash.Errorf(handwash.EFORBIDDEN, "Only administrators can set up where notifications go. To choose the emails you receive, go to your notifications page."))
		return notificationsPage{}, false
	}
	p := notificationsPage{Formats: formatOptions, Form: form}
	ctx, scope := r.Context(), pr.Scope
	names := map[string]string{}
	if r.PathValue("org") != "" {
		o, _, ok := s.pathOrg(w, r)
		if !ok {
			return p, false
		}
		p.Org, scope.OrgID = o, o.ID
		p.Path = "/orgs/" + url.PathEscape(o.ID) + "/notifications"
	} else {
		if !pr.CanManageOrgs() {
			s.fail(w, r, handwash.Errorf(handwash.EFORBIDDEN, "Only provider administrators can set up notifications for every organisation. Your organisation's notifications are on its page."))
			return p, false
		}
		p.Path = "/notifications"
		orgs, err := s.store.Orgs(ctx, scope)
		if err != nil {
			s.fail(w, r, err)
			return p, false
		}
		for _, o := range orgs {
			names[o.ID] = o.Name
		}
	}
	hooks, err := s.store.Webhooks(ctx, scope)
	if err != nil {
		s.fail(w, r, err)
		return p, false
	}
	for _, h := range hooks {
		if p.Org == nil && h.OrgID != "" {
			continue // the provider's page lists only the provider-wide ones
		}
		p.Webhooks = append(p.Webhooks, webhookRow{Hook: h, Origin: origin(h.URL), FormatLabel: formatLabel(h.Format),
			Kinds: kindTitles(h.Kinds), ProviderWide: h.OrgID == "", CanDelete: h.OrgID != "" || pr.CanManageOrgs()})
	}
	// The organisation's own first, then those for every organisation.
	slices.SortStableFunc(p.Webhooks, func(a, b webhookRow) int {
		switch {
		case a.ProviderWide == b.ProviderWide:
			return 0
		case b.ProviderWide:
			return -1
		}
		return 1
	})
	ds, err := s.store.Deliveries(ctx, scope, 50)
	if err != nil {
		s.fail(w, r, err)
		return p, false
	}
	for _, d := range ds {
		p.Deliveries = append(p.Deliveries, deliveryRow{Delivery: d, OrgName: names[d.OrgID]})
	}
	return p, true
}

// origin is the scheme and host of a webhook's address: all of it that a
// page or the audit log may show, since Slack and Teams keep a token in
// the rest.
func origin(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return "(an address that could not be read)"
	}
	return u.Scheme + "://" + u.Host
}

// handleWebhookCreate adds a webhook to an organisation, or at
// /notifications/webhooks to every organisation of the provider. A form
// with a problem is shown again, saying which field and what to do.
func (s *server) handleWebhookCreate(w http.ResponseWriter, r *http.Request) {
	_ = r.ParseForm() // read already, with the form token
	kinds, bad, kindsOK := parseKinds(r.PostForm["kinds"])
	form := webhookForm{Name: strings.TrimSpace(r.PostFormValue("name")), Format: r.PostFormValue("format"), Kinds: kindOptions(kinds)}
	p, ok := s.notificationsPage(w, r, form)
	if !ok {
		return
	}
	v := visitorOf(r)
	pr := v.principal()
	scope, orgID := pr.Scope, ""
	if p.Org != nil {
		scope.OrgID, orgID = p.Org.ID, p.Org.ID
	}
	address, secret := strings.TrimSpace(r.PostFormValue("url")), strings.TrimSpace(r.PostFormValue("secret"))
	format := notify.Format(form.Format)
	var err error
	switch {
	case handwash.CheckText("name", form.Name, 100) != nil:
		p.Form.ErrorField, err = "wh-name", handwash.Errorf(handwash.EINVALID, "Name: give the webhook a name people will recognise, such as “Office Teams channel” (one line, at most 100 characters).")
	case !slices.Contains(notify.Formats, format):
		p.Form.ErrorField, err = "wh-format", handwash.Errorf(handwash.EINVALID, "Format: choose Microsoft Teams, Slack or Generic from the list.")
	case !kindsOK:
		p.Form.ErrorField, err = "wh-kind-0", handwash.Errorf(handwash.EINVALID, "Send it messages about: %q is not a kind of message Handwash sends. Reload the page and tick the boxes again.", truncate(bad, 40))
	case len(kinds) == 0:
		p.Form.ErrorField, err = "wh-kind-0", handwash.Errorf(handwash.EINVALID, "Send it messages about: tick at least one kind of message.")
	default:
		cfg := notify.WebhookConfig{URL: address, Format: format, Secret: secret, AllowPrivateNetworks: s.cfg.AllowPrivateWebhooks}
		if verr := cfg.Validate(); verr != nil {
			p.Form.ErrorField, err = webhookError(verr)
		}
	}
	hook := &handwash.Webhook{ID: handwash.NewID("whk"), ProviderID: pr.ProviderID, OrgID: orgID, Name: form.Name,
		Format: string(format), URL: address, Secret: secret, Kinds: kinds, CreatedAt: s.now().UTC()}
	if err == nil {
		err = s.store.CreateWebhook(r.Context(), scope, hook)
	}
	if err != nil {
		if handwash.ErrorCode(err) != handwash.EINVALID {
			s.fail(w, r, err)
			return
		}
		p.Form.Error = handwash.ErrorMessage(err)
		s.render(w, r, http.StatusBadRequest, "notifications", notificationsTitle(p.Org), p)
		return
	}
	s.auditAction(r, v, orgID, "webhook.create", hook.ID, fmt.Sprintf("added the %s webhook %q to %s, for %s, sending %s",
		hook.Format, hook.Name, origin(hook.URL), webhookFor(p.Org), kindList(hook.Kinds)))
	http.Redirect(w, r, p.Path+"?added="+url.QueryEscape(hook.ID)+"#webhooks-h", http.StatusSeeOther)
}

func webhookFor(o *handwash.Org) string {
	if o == nil {
		return "every organisation"
	}
	return o.Name
}

func kindList(kinds []handwash.NotifyKind) string {
	var s []string
	for _, k := range kinds {
		s = append(s, string(k))
	}
	return strings.Join(s, ", ")
}

// webhookError turns notify's complaint about a webhook setting into the
// form's words and the input it is about. The complaint never holds the
// address, so it may be shown.
func webhookError(err error) (string, error) {
	msg := handwash.ErrorMessage(err)
	for _, f := range []struct{ setting, id, label string }{
		{"url", "wh-url", "The webhook address "},
		{"secret", "wh-secret", "The secret "},
		{"format", "wh-format", "Format: "},
	} {
		rest, ok := strings.CutPrefix(msg, fmt.Sprintf("webhook setting %q: ", f.setting))
		if !ok {
			continue
		}
		if before, _, blocked := strings.Cut(rest, ", which is blocked"); blocked {
			rest = before + ", where Handwash does not send messages, so that nobody can use a webhook to reach computers inside the server's network. Use the receiver's public address; if it really is on your own network, ask whoever runs the Handwash server to allow private addresses."
		}
		return f.id, handwash.Errorf(handwash.EINVALID, "%s%s", f.label, rest)
	}
	return "wh-url", handwash.Errorf(handwash.EINVALID, "%s", msg)
}

// formWebhook finds the webhook a button is for, for a visitor who may
// change things: in the visitor's scope, narrowed to the organisation of
// the page the button was on (the form's "org"), which is returned too.
// Another organisation's webhook is "not found".
func (s *server) formWebhook(r *http.Request) (*handwash.Webhook, *handwash.Org, error) {
	pr := visitorOf(r).principal()
	if !pr.CanWrite() {
		return nil, nil, errReadOnly
	}
	ctx, scope := r.Context(), pr.Scope
	var o *handwash.Org
	if id := r.PostFormValue("org"); id != "" {
		var err error
		if o, err = s.store.Org(ctx, scope, id); err != nil {
			return nil, nil, err
		}
		scope.OrgID = o.ID
	}
	hooks, err := s.store.Webhooks(ctx, scope)
	if err != nil {
		return nil, nil, err
	}
	for _, h := range hooks {
		if h.ID == r.PathValue("id") {
			return h, o, nil
		}
	}
	return nil, nil, handwash.Errorf(handwash.ENOTFOUND, "There is no such webhook: it may have been deleted already. Go back to the notifications page and reload it.")
}

// notificationsPath is the page a webhook's button goes back to.
func notificationsPath(pr handwash.Principal, o *handwash.Org) string {
	switch {
	case o != nil:
		return "/orgs/" + url.PathEscape(o.ID) + "/notifications"
	case pr.OrgID != "":
		return "/orgs/" + url.PathEscape(pr.OrgID) + "/notifications"
	}
	return "/notifications"
}

// handleWebhookTest queues a test message to one webhook. A webhook for
// every organisation tested from an organisation's page sends it about
// that organisation.
func (s *server) handleWebhookTest(w http.ResponseWriter, r *http.Request) {
	v := visitorOf(r)
	pr := v.principal()
	hook, o, err := s.formWebhook(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	orgID := hook.OrgID
	switch {
	case orgID != "":
	case o != nil:
		orgID = o.ID
	case pr.OrgID != "":
		orgID = pr.OrgID
	}
	e := &handwash.NotifyEvent{ProviderID: hook.ProviderID, OrgID: orgID, Kind: handwash.NotifyTest, WebhookID: hook.ID, At: s.now()}
	if err := s.queueTest(r, pr, e); err != nil {
		s.fail(w, r, err)
		return
	}
	s.auditAction(r, v, orgID, "webhook.test", hook.ID, fmt.Sprintf("sent a test message to the %s webhook %q at %s", hook.Format, hook.Name, origin(hook.URL)))
	http.Redirect(w, r, notificationsPath(pr, o)+"?tested="+url.QueryEscape(hook.ID)+"#deliveries-h", http.StatusSeeOther)
}

// handleWebhookDelete deletes a webhook. Only a provider administrator may
// delete one that serves every organisation.
func (s *server) handleWebhookDelete(w http.ResponseWriter, r *http.Request) {
	v := visitorOf(r)
	pr := v.principal()
	hook, o, err := s.formWebhook(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if hook.OrgID == "" && !pr.CanManageOrgs() {
		s.fail(w, r, handwash.Errorf(handwash.EFORBIDDEN, "%q sends notifications about every organisation, so only a provider administrator can delete it.", hook.Name))
		return
	}
	if err := s.store.DeleteWebhook(r.Context(), pr.Scope, hook.ID); err != nil {
		s.fail(w, r, err)
		return
	}
	s.auditAction(r, v, hook.OrgID, "webhook.delete", hook.ID, fmt.Sprintf("deleted the %s webhook %q to %s", hook.Format, hook.Name, origin(hook.URL)))
	http.Redirect(w, r, notificationsPath(pr, o)+"?deleted=1#webhooks-h", http.StatusSeeOther)
}
