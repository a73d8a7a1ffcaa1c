package notifier

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/handwash/handwash"
	"github.com/handwash/handwash/internal/smtptest"
	"github.com/handwash/handwash/notify"
	"github.com/handwash/handwash/policy"
	"github.com/handwash/handwash/sqlite"
)

// receiver is a webhook receiver that keeps what is posted and answers
// with the statuses queued in answers (200 when none are left).
type receiver struct {
	mu      sync.Mutex
	posts   []post
	answers []int
	srv     *httptest.Server
}

type post struct {
	path string
	body []byte
	hdr  http.Header
}

func startReceiver(t testing.TB) *receiver {
	t.Helper()
	rc := &receiver{}
	rc.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		rc.mu.Lock()
		defer rc.mu.Unlock()
		rc.posts = append(rc.posts, post{r.URL.Path, b, r.Header.Clone()})
		status := http.StatusOK
		if len(rc.answers) > 0 {
			status, rc.answers = rc.answers[0], rc.answers[1:]
		}
		w.WriteHeader(status)
	}))
	t.Cleanup(rc.srv.Close)
	return rc
}

func (rc *receiver) take() []post {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	out := rc.posts
	rc.posts = nil
	return out
}

// world is a provider with one care home, its people and devices.
type world struct {
	t        testing.TB
	ctx      context.Context
	store    handwash.Store
	cat      *policy.Catalogue
	clock    time.Time
	mail     *smtptest.Mailbox
	hooks    *receiver
	prov     *handwash.Provider
	org      *handwash.Org
	admin    *handwash.User
	manager  *handwash.User
	viewer   *handwash.User
	generic  *handwash.Webhook
	slack    *handwash.Webhook
	devices  []*handwash.Device
	critical *handwash.Control
	high     *handwash.Control
}

// A Thursday afternoon in London, days after the last weekly summary.
var start = time.Date(2026, 11, 26, 14, 0, 0, 0, time.UTC)

func newWorld(t testing.TB) *world {
	t.Helper()
	st, err := sqlite.Open(filepath.Join(t.TempDir(), "handwash.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	cat, err := policy.Default()
	if err != nil {
		t.Fatal(err)
	}
	w := &world{t: t, ctx: context.Background(), store: st, cat: cat, clock: start, mail: smtptest.Start(t), hooks: startReceiver(t)}
	for _, c := range cat.Controls {
		if c.Severity == handwash.SeverityCritical && w.critical == nil {
			w.critical = c
		}
		if c.Severity == handwash.SeverityHigh && w.high == nil {
			w.high = c
		}
	}
	w.prov = &handwash.Provider{Name: "Acme IT"}
	w.must(st.CreateProvider(w.ctx, w.prov))
	scope := handwash.Scope{ProviderID: w.prov.ID}
	w.org = &handwash.Org{Name: "Rose Care Home"}
	w.must(st.CreateOrg(w.ctx, scope, w.org))
	w.admin = w.user("ada@acme.example", handwash.RoleProviderAdmin, "")
	w.manager = w.user("mo@rose.example", handwash.RoleOrgAdmin, w.org.ID)
	w.viewer = w.user("vi@rose.example", handwash.RoleViewer, w.org.ID)
	w.must(st.SetNotifyKinds(w.ctx, scope, w.viewer.ID, []handwash.NotifyKind{handwash.NotifyDeviceStale}))
	w.generic = w.webhook(w.org.ID, "generic", "/generic", "a-long-enough-signing-secret", handwash.NotifyNewFailure, handwash.NotifyWeeklySummary)
	w.slack = w.webhook("", "slack", "/services/T000/B000/secret-token", "", handwash.NotifyChoices...)
	for _, host := range []string{"reception-pc", "office-pc", "nurse-laptop"} {
		w.devices = append(w.devices, w.enroll(host))
	}
	return w
}

func (w *world) must(err error) {
	w.t.Helper()
	if err != nil {
		w.t.Fatal(err)
	}
}

func (w *world) user(email string, role handwash.Role, orgID string) *handwash.User {
	w.t.Helper()
	u := &handwash.User{Email: email, Name: email, Role: role, OrgID: orgID}
	w.must(w.store.CreateUser(w.ctx, handwash.Scope{ProviderID: w.prov.ID}, u))
	w.must(w.store.SetPassword(w.ctx, u.ID, "$argon2id$v=19$m=65536,t=1,p=4$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA", start))
	return u
}

func (w *world) webhook(orgID, format, path, secret string, kinds ...handwash.NotifyKind) *handwash.Webhook {
	w.t.Helper()
	h := &handwash.Webhook{ID: handwash.NewID("whk"), ProviderID: w.prov.ID, OrgID: orgID, Name: format + " hook", Format: format,
		URL: w.hooks.srv.URL + path, Secret: secret, Kinds: kinds}
	w.must(w.store.CreateWebhook(w.ctx, handwash.Scope{ProviderID: w.prov.ID}, h))
	return h
}

func (w *world) enroll(host string) *handwash.Device {
	w.t.Helper()
	secret := handwash.NewSecret()
	tok := &handwash.EnrollToken{OrgID: w.org.ID, SecretHash: handwash.HashSecret(secret), MaxUses: 1, ExpiresAt: time.Now().Add(time.Hour)}
	w.must(w.store.CreateEnrollToken(w.ctx, handwash.Scope{ProviderID: w.prov.ID}, tok))
	d := &handwash.Device{ID: handwash.NewID("dev"), Hostname: host, Platform: handwash.PlatformWindows, SecretHash: handwash.HashSecret(handwash.NewSecret())}
	w.must(w.store.Enroll(w.ctx, tok.ID, handwash.HashSecret(secret), w.clock, d))
	return d
}

// judge stores an assessment of a device with these controls failing.
func (w *world) judge(d *handwash.Device, failing ...*handwash.Control) {
	w.t.Helper()
	a := &handwash.Assessment{Schema: handwash.AssessmentSchema, CatalogueVersion: "test", EvaluatedAt: w.clock}
	for _, c := range []*handwash.Control{w.critical, w.high} {
		st := handwash.StatusPass
		if slices.Contains(failing, c) {
			st = handwash.StatusFail
		}
		a.Findings = append(a.Findings, handwash.Finding{ControlID: c.ID, Area: c.Area, Severity: c.Severity, Title: c.Title, Status: st})
	}
	policy.Score(a)
	w.must(w.store.PutAssessment(w.ctx, d.ID, "sha256:facts", a))
}

func (w *world) notifier(mailOn bool) *Notifier {
	w.t.Helper()
	cfg := Config{AllowPrivateWebhooks: true, PublicURL: "https://handwash.example.org/", Holder: handwash.NewID("test")}
	if mailOn {
		cfg.Mail = &notify.MailerConfig{Host: w.mail.Host, Port: w.mail.Port, From: "Handwash <alerts@acme.example>", TLS: notify.TLSNone, Timeout: 5 * time.Second}
	}
	n, err := New(cfg, Deps{Store: w.store, Catalogue: w.cat, Now: func() time.Time { return w.clock },
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	w.must(err)
	return n
}

func (w *world) round(n *Notifier) {
	w.t.Helper()
	w.must(n.Round(w.ctx))
}

func recipients(ms []smtptest.Message) []string {
	var out []string
	for _, m := range ms {
		out = append(out, m.To)
	}
	return out
}

func TestNewFailureReachesPeopleAndWebhooks(t *testing.T) {
	w := newWorld(t)
	n := w.notifier(true)
	d := w.devices[0]
	w.judge(d)
	w.round(n)
	if got := w.mail.Take(); len(got) != 0 {
		t.Fatalf("a first judgement sent %d emails", len(got))
	}

	w.clock = w.clock.Add(time.Hour)
	w.judge(d, w.critical)
	w.round(n)
	got := w.mail.Take()
	if want := []string{w.admin.Email, w.manager.Email}; !slices.Equal(recipients(got), want) {
		t.Fatalf("emails went to %v, want the administrators %v (the viewer chose only stale devices)", recipients(got), want)
	}
	for _, m := range got {
		if !strings.Contains(m.Subject, "reception-pc") || !strings.Contains(m.Body, w.critical.Title) ||
			!strings.Contains(m.Body, "https://handwash.example.org/devices/"+d.ID) {
			t.Errorf("email to %s: %q\n%s", m.To, m.Subject, m.Body)
		}
	}
	posts := w.hooks.take()
	if len(posts) != 2 {
		t.Fatalf("%d webhook posts, want 2 (the care home's generic one and the provider's Slack one)", len(posts))
	}
	for _, p := range posts {
		switch p.path {
		case "/generic":
			if err := notify.VerifySignature(w.generic.Secret, p.body, p.hdr.Get("X-Handwash-Timestamp"), p.hdr.Get("X-Handwash-Signature"), time.Now(), 5*time.Minute); err != nil {
				t.Errorf("the generic post's signature: %v", err)
			}
			var body struct {
				ID, Kind, Device, Control, Severity string
			}
			if err := json.Unmarshal(p.body, &body); err != nil || body.Kind != "new_high_failure" || body.Device != "reception-pc" ||
				body.Control != w.critical.Title || body.Severity != "critical" || body.ID == "" {
				t.Errorf("generic post: %s (%v)", p.body, err)
			}
		case w.slack.URL[len(w.hooks.srv.URL):]:
			if !bytes.Contains(p.body, []byte("reception-pc")) {
				t.Errorf("slack post: %s", p.body)
			}
		default:
			t.Errorf("a post to %s", p.path)
		}
	}

	// Sent is sent: the next round sends nothing more.
	w.clock = w.clock.Add(time.Hour)
	w.round(n)
	if m, p := w.mail.Take(), w.hooks.take(); len(m)+len(p) != 0 {
		t.Errorf("a quiet round sent %d emails and %d posts", len(m), len(p))
	}
	ds, err := w.store.Deliveries(w.ctx, handwash.Scope{ProviderID: w.prov.ID, OrgID: w.org.ID}, 50)
	w.must(err)
	if len(ds) != 4 {
		t.Fatalf("%d deliveries listed, want 4", len(ds))
	}
	for _, d := range ds {
		if d.Status != handwash.DeliverySent || d.Attempts != 1 {
			t.Errorf("delivery to %s: %s after %d tries", d.Recipient, d.Status, d.Attempts)
		}
	}
}

func TestManyFailuresAreOneMessage(t *testing.T) {
	w := newWorld(t)
	n := w.notifier(true)
	for _, d := range w.devices {
		w.judge(d)
	}
	w.clock = w.clock.Add(time.Hour)
	for _, d := range w.devices {
		w.judge(d, w.critical, w.high)
	}
	w.round(n)
	got := w.mail.Take()
	if len(got) != 2 {
		t.Fatalf("%d emails, want one to each administrator", len(got))
	}
	m := got[0]
	if !strings.Contains(m.Subject, "6 new high-severity problems on 3 devices") {
		t.Errorf("subject %q", m.Subject)
	}
	// The critical ones first.
	first, last := strings.Index(m.Body, w.critical.Title), strings.LastIndex(m.Body, w.high.Title)
	if first < 0 || last < first || !strings.Contains(m.Body, "nurse-laptop") {
		t.Errorf("body:\n%s", m.Body)
	}
}

func TestStaleDevicesAndTheWeeklySummary(t *testing.T) {
	w := newWorld(t)
	n := w.notifier(true)
	for _, d := range w.devices {
		w.judge(d)
	}
	w.round(n)
	w.mail.Take()
	w.hooks.take()

	// Eight days on, a Friday: every device is stale; no summary yet.
	w.clock = start.Add(8 * 24 * time.Hour)
	w.round(n)
	got := w.mail.Take()
	if want := []string{w.admin.Email, w.manager.Email, w.viewer.Email}; !slices.Equal(recipients(got), want) {
		t.Fatalf("stale emails to %v, want %v", recipients(got), want)
	}
	if !strings.Contains(got[0].Subject, "3 devices have stopped reporting") {
		t.Errorf("stale subject %q", got[0].Subject)
	}
	if posts := w.hooks.take(); len(posts) != 1 || posts[0].path == "/generic" {
		t.Errorf("stale posts: %d, want only the Slack one (the generic one does not take them)", len(posts))
	}
	w.round(n)
	if got := w.mail.Take(); len(got) != 0 {
		t.Errorf("stale devices were announced twice: %v", recipients(got))
	}

	// Monday 7 December, 08:00 in London (GMT): the summary goes to the
	// administrators, once, however many rounds.
	w.clock = time.Date(2026, 12, 7, 8, 5, 0, 0, time.UTC)
	w.round(n)
	w.round(n)
	got = w.mail.Take()
	if want := []string{w.admin.Email, w.manager.Email}; !slices.Equal(recipients(got), want) {
		t.Fatalf("summaries to %v, want %v", recipients(got), want)
	}
	if !strings.Contains(got[0].Subject, "Weekly summary") || !strings.Contains(got[0].Body, "Rose Care Home") || !strings.Contains(got[0].Body, "3 devices") {
		t.Errorf("summary: %q\n%s", got[0].Subject, got[0].Body)
	}
	if posts := w.hooks.take(); len(posts) != 2 {
		t.Errorf("summary posts: %d, want 2", len(posts))
	}
}

func TestRetriesAndGivingUp(t *testing.T) {
	w := newWorld(t)
	n := w.notifier(true)
	d := w.devices[0]
	w.judge(d)
	w.clock = w.clock.Add(time.Hour)
	w.judge(d, w.critical)
	// The mail server is busy; the webhook receiver is busy once, then
	// answers; Slack's address is gone for good.
	w.mail.Refuse(true)
	w.hooks.answers = []int{http.StatusServiceUnavailable, http.StatusNotFound}
	w.round(n)
	scope := handwash.Scope{ProviderID: w.prov.ID}
	status := func() map[string]*handwash.Delivery {
		t.Helper()
		ds, err := w.store.Deliveries(w.ctx, scope, 50)
		w.must(err)
		out := map[string]*handwash.Delivery{}
		for _, d := range ds {
			out[d.Recipient] = d
		}
		return out
	}
	st := status()
	if len(st) != 4 {
		t.Fatalf("%d deliveries, want 4", len(st))
	}
	for name, d := range st {
		if d.Attempts != 1 || d.LastError == "" {
			t.Errorf("%s after one try: %+v", name, d)
		}
		if strings.Contains(d.LastError, "secret-token") || strings.Contains(d.LastError, "signing-secret") {
			t.Errorf("%s: the error shows a secret: %s", name, d.LastError)
		}
	}
	// Which webhook got the 503 and which the 404 depends on the order of
	// sending; one is pending, the other given up.
	var pending, failed int
	for _, d := range []*handwash.Delivery{st[w.generic.Name], st[w.slack.Name], st[w.admin.Email]} {
		switch d.Status {
		case handwash.DeliveryPending:
			pending++
			if want := w.clock.Add(time.Minute); !d.NextAt.Equal(want) {
				t.Errorf("%s: next try at %v, want %v", d.Recipient, d.NextAt, want)
			}
		case handwash.DeliveryFailed:
			failed++
		}
	}
	if pending != 2 || failed != 1 {
		t.Errorf("%d pending and %d given up, want 2 and 1", pending, failed)
	}

	// Not before its time; then sent.
	w.mail.Refuse(false)
	w.clock = w.clock.Add(30 * time.Second)
	w.round(n)
	if got := w.mail.Take(); len(got) != 0 {
		t.Fatal("retried before its time")
	}
	w.clock = w.clock.Add(time.Minute)
	w.round(n)
	if got := w.mail.Take(); len(got) != 2 {
		t.Fatalf("%d emails on the second try, want 2", len(got))
	}
	for name, d := range status() {
		if d.Status == handwash.DeliveryPending {
			t.Errorf("%s still pending after the second try", name)
		}
		if d.Status == handwash.DeliverySent && d.LastError != "" {
			t.Errorf("%s was sent but keeps an error", name)
		}
	}
}

func TestTestMessages(t *testing.T) {
	w := newWorld(t)
	scope := handwash.Scope{ProviderID: w.prov.ID, OrgID: w.org.ID}
	// Without a mail server, a test email says so instead of vanishing.
	n := w.notifier(false)
	w.must(w.store.QueueNotification(w.ctx, scope, &handwash.NotifyEvent{ProviderID: w.prov.ID, OrgID: w.org.ID, Kind: handwash.NotifyTest, UserID: w.viewer.ID, At: w.clock}))
	w.must(w.store.QueueNotification(w.ctx, scope, &handwash.NotifyEvent{ProviderID: w.prov.ID, OrgID: w.org.ID, Kind: handwash.NotifyTest, WebhookID: w.generic.ID, At: w.clock}))
	w.round(n)
	ds, err := w.store.Deliveries(w.ctx, scope, 10)
	w.must(err)
	if len(ds) != 2 {
		t.Fatalf("%d deliveries, want 2 (one email, one post)", len(ds))
	}
	for _, d := range ds {
		switch d.Channel {
		case handwash.ChannelEmail:
			if d.Status != handwash.DeliveryFailed || d.Recipient != w.viewer.Email || !strings.Contains(d.LastError, "--smtp-host") {
				t.Errorf("test email without a mail server: %+v", d)
			}
		case handwash.ChannelWebhook:
			if d.Status != handwash.DeliverySent || d.Kind != handwash.NotifyTest {
				t.Errorf("test post: %+v", d)
			}
		}
	}
	posts := w.hooks.take()
	if len(posts) != 1 || posts[0].path != "/generic" || !bytes.Contains(posts[0].body, []byte(`"kind":"test"`)) {
		t.Errorf("test posts: %+v", posts)
	}
}

// Two server processes sharing a database send each message once.
func TestTwoProcessesSendOnce(t *testing.T) {
	w := newWorld(t)
	a, b := w.notifier(true), w.notifier(true)
	for _, d := range w.devices {
		w.judge(d)
	}
	w.clock = w.clock.Add(time.Hour)
	for i, d := range w.devices {
		w.judge(d, w.critical)
		if i == 1 {
			// a takes the lease and fans the first two out.
			w.round(a)
		}
	}
	var wg sync.WaitGroup
	for _, n := range []*Notifier{a, b, a, b} {
		wg.Go(func() { w.must(n.Round(w.ctx)) })
	}
	wg.Wait()
	got := w.mail.Take()
	if len(got) != 4 {
		t.Errorf("%d emails, want 4: the first group and then the last device's, each to both administrators", len(got))
	}
}

func TestWeekEnding(t *testing.T) {
	w := newWorld(t)
	n := w.notifier(false)
	london, _ := time.LoadLocation("Europe/London")
	for _, c := range []struct{ now, want time.Time }{
		// Tuesday: the Monday before, 08:00 GMT.
		{time.Date(2026, 11, 24, 14, 0, 0, 0, time.UTC), time.Date(2026, 11, 23, 8, 0, 0, 0, london)},
		// Monday before and after eight.
		{time.Date(2026, 11, 30, 7, 59, 0, 0, time.UTC), time.Date(2026, 11, 23, 8, 0, 0, 0, london)},
		{time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC), time.Date(2026, 11, 30, 8, 0, 0, 0, london)},
		// Summer time: 08:00 BST is 07:00 UTC.
		{time.Date(2026, 6, 15, 7, 0, 0, 0, time.UTC), time.Date(2026, 6, 15, 8, 0, 0, 0, london)},
		{time.Date(2026, 6, 15, 6, 59, 0, 0, time.UTC), time.Date(2026, 6, 8, 8, 0, 0, 0, london)},
		// Sunday night.
		{time.Date(2026, 3, 29, 23, 0, 0, 0, time.UTC), time.Date(2026, 3, 23, 8, 0, 0, 0, london)},
	} {
		if got := n.WeekEnding(c.now); !got.Equal(c.want) {
			t.Errorf("WeekEnding(%v) = %v, want %v", c.now, got, c.want)
		}
	}
}

func TestRetryAt(t *testing.T) {
	now := start
	temp := &notify.DeliveryError{Temporary: true, Message: "busy"}
	slow := &notify.DeliveryError{Temporary: true, Message: "busy", RetryAfter: 30 * time.Minute}
	for _, c := range []struct {
		attempts int
		err      error
		want     time.Duration // 0: give up
	}{
		{1, temp, time.Minute},
		{2, temp, 5 * time.Minute},
		{7, temp, 8 * time.Hour},
		{8, temp, 0},
		{1, slow, 30 * time.Minute},
		{1, &notify.DeliveryError{Message: "not found"}, 0},
		{1, errors.New("refused"), 0},
		{1, context.DeadlineExceeded, time.Minute},
	} {
		got := retryAt(now, c.attempts, c.err)
		if (c.want == 0 && !got.IsZero()) || (c.want != 0 && !got.Equal(now.Add(c.want))) {
			t.Errorf("retryAt(try %d, %v) = %v, want +%v", c.attempts, c.err, got, c.want)
		}
	}
}

// An alert nobody acknowledges reminds the administrators; one not fixed
// in time escalates; each once.
func TestAlertReminders(t *testing.T) {
	w := newWorld(t)
	n := w.notifier(true)
	d := w.devices[0]
	w.judge(d, w.critical) // opens an alert (a device's first judgement)
	w.round(n)
	w.mail.Take()
	w.hooks.take()

	w.clock = w.clock.Add(49 * time.Hour)
	w.round(n)
	w.round(n)
	got := w.mail.Take()
	if want := []string{w.admin.Email, w.manager.Email}; !slices.Equal(recipients(got), want) {
		t.Fatalf("reminders to %v, want %v", recipients(got), want)
	}
	if !strings.Contains(got[0].Subject, "Nobody has acknowledged the alert "+w.critical.Title) ||
		!strings.Contains(got[0].Body, "https://handwash.example.org/alerts/alr_") || !strings.Contains(got[0].Body, "Rose Care Home") {
		t.Errorf("reminder: %q\n%s", got[0].Subject, got[0].Body)
	}
	if posts := w.hooks.take(); len(posts) != 1 || !bytes.Contains(posts[0].body, []byte("Nobody has acknowledged")) {
		t.Errorf("reminder posts: %d (the Slack one takes every kind)", len(posts))
	}

	// Fifteen days on (the devices are stale by now too): the escalation.
	w.clock = w.clock.Add(13 * 24 * time.Hour)
	w.round(n)
	var escalations []string
	for _, m := range w.mail.Take() {
		if strings.Contains(m.Subject, "Alert not fixed in time: "+w.critical.Title) {
			escalations = append(escalations, m.To)
			if !strings.Contains(m.Body, "still affects 1 device") {
				t.Errorf("escalation: %s", m.Body)
			}
		}
	}
	if len(escalations) != 2 {
		t.Errorf("escalations to %v, want both administrators", escalations)
	}
}
