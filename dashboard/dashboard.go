// Package dashboard is the web dashboard: server-rendered pages where a
// registered manager, a practice manager or their IT provider signs in and
// sees, fixes and proves an organisation's cyber hygiene.
//
// Pages are html/template with their assets embedded, work without
// JavaScript, and are tested in a real browser. People sign in with a
// password (argon2id) and, for administrators always and for everyone who
// turns it on, a code from an authenticator app; at most 10 failed
// attempts in 5 minutes are allowed per account and per address, the rule
// Cyber Essentials asks of care providers' own systems. Sessions live in a
// Secure, HttpOnly, SameSite cookie with idle and absolute timeouts, and
// every state-changing request must come from the dashboard's own pages
// (Fetch metadata or Origin checks, plus a per-session form token).
//
// Everyone chooses the emails they receive; administrators also send
// notifications to webhooks (Microsoft Teams, Slack, or Handwash's generic
// JSON), whose addresses and secrets pages and the audit log never show
// beyond the scheme and host.
package dashboard

import (
	"context"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"time"

	"github.com/handwash/handwash"
	"github.com/handwash/handwash/assess"
	"github.com/handwash/handwash/internal/throttle"
	"github.com/handwash/handwash/password"
	"github.com/handwash/handwash/phishdesk"
	"github.com/handwash/handwash/policy"
	"github.com/handwash/handwash/quiz"
	"github.com/handwash/handwash/tabletop"
)

//go:embed templates/*.html static
var files embed.FS

// Config holds the dashboard's settings.
type Config struct {
	// IdleTimeout signs a browser out after this long without a request
	// (default 30 minutes).
	IdleTimeout time.Duration
	// SessionLifetime signs a browser out this long after signing in,
	// however active (default 12 hours: one shift).
	SessionLifetime time.Duration
	// InsecureCookies drops the Secure flag and the __Host- prefix from
	// the session cookie, for plain HTTP on loopback during development
	// and tests. Never behind a proxy on a network.
	InsecureCookies bool
	// StaleAfter is how long a device may go unseen before it counts as
	// stale (default 7 days).
	StaleAfter time.Duration
	// Fingerprint is the SHA-256 fingerprint of the server's certificate,
	// which the enrolment commands pin when it is self-signed; empty for
	// a certificate that agents can check themselves.
	Fingerprint string
	// AllowPrivateWebhooks lets administrators save webhook addresses on
	// loopback, private and link-local networks: for receivers on the
	// provider's own network, and for tests. Off by default, so that
	// whoever may add a webhook cannot use it to reach services inside the
	// server's network. The notifier must be told the same.
	AllowPrivateWebhooks bool
}

func (c *Config) defaults() {
	if c.IdleTimeout <= 0 {
		c.IdleTimeout = 30 * time.Minute
	}
	if c.SessionLifetime <= 0 {
		c.SessionLifetime = 12 * time.Hour
	}
	if c.StaleAfter <= 0 {
		c.StaleAfter = 7 * 24 * time.Hour
	}
}

// Deps are what the dashboard works with.
type Deps struct {
	Store     handwash.Store
	Catalogue *policy.Catalogue
	// Logger receives internal errors; nil discards them. Passwords, codes
	// and cookies are never logged.
	Logger *slog.Logger
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Stored, when set, is called after a change that devices must be
	// judged again for (an exception granted or revoked), so this
	// process's judge starts at once.
	Stored func()
	// Notified, when set, is called after a notification is queued (a
	// test asked for on a page), so this process's notifier sends it at
	// once.
	Notified func()
	// MobileSupport says whether a phone or tablet OS version still gets
	// security updates (advisories.Source.MobileSupport); nil leaves it
	// unknown.
	MobileSupport func(os, version string) (supported *bool, endsSoon bool, detail string)
	// Phish analyses and stores phishing reports uploaded on the pages;
	// nil makes one that checks no DKIM signature (no DNS).
	Phish *phishdesk.Desk
	// Breached answers the staff password page's breached-password
	// lookups (Have I Been Pwned's range API, or a downloaded copy); nil
	// leaves the page checking strength only.
	Breached password.RangeSource
}

// Failed sign-in attempts allowed per account and per address, and the
// window they are counted in (Cyber Essentials: "no more than 10 guesses
// in 5 minutes").
const (
	signInLimit  = 10
	signInWindow = 5 * time.Minute
)

// server is what the handlers share.
type server struct {
	cfg       Config
	store     handwash.Store
	cat       *policy.Catalogue
	log       *slog.Logger
	now       func() time.Time
	pages     map[string]*template.Template
	stored    func()
	notified  func()
	byAccount *throttle.Limiter
	byAddress *throttle.Limiter
	// tests counts each person's test messages (queueTest).
	tests   *throttle.Limiter
	phish   *phishdesk.Desk
	support func(os, version string) (*bool, bool, string)
	// breached, selfChecks and lookups serve the staff link's pages.
	breached   password.RangeSource
	selfChecks *throttle.Limiter
	lookups    *throttle.Limiter
	// wasm is the password check's compressed WebAssembly, read once,
	// and wasmVersion its digest for the page's address.
	wasm        []byte
	wasmVersion string
	// questions is the self-assessment's catalogue, scenarios the
	// tabletop exercises.
	questions *assess.Catalogue
	scenarios []tabletop.Scenario
	// quizItems are the phishing quiz's example emails, analysed once.
	quizItems []quiz.Item
}

// New returns the dashboard's HTTP handler. It serves every path it is
// given; the caller mounts the API beside it.
func New(cfg Config, deps Deps) (http.Handler, error) {
	cfg.defaults()
	s := &server{cfg: cfg, store: deps.Store, cat: deps.Catalogue, log: deps.Logger, now: deps.Now, support: deps.MobileSupport}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.stored = deps.Stored; s.stored == nil {
		s.stored = func() {}
	}
	if s.notified = deps.Notified; s.notified == nil {
		s.notified = func() {}
	}
	if s.phish = deps.Phish; s.phish == nil {
		s.phish = phishdesk.New(phishdesk.Config{Every: -1}, phishdesk.Deps{Store: deps.Store, Logger: s.log, Now: s.now, Notified: s.notified})
	}
	s.byAccount = throttle.New(signInLimit, signInWindow, s.now)
	s.byAddress = throttle.New(signInLimit, signInWindow, s.now)
	s.tests = throttle.New(testLimit, testWindow, s.now)
	s.breached = deps.Breached
	s.selfChecks = throttle.New(staffSelfChecksPerHour, time.Hour, s.now)
	s.lookups = throttle.New(staffLookupsPerHour, time.Hour, s.now)
	var err error
	if s.wasm, s.wasmVersion, err = wasmFile(); err != nil {
		return nil, fmt.Errorf("dashboard: %w", err)
	}
	if s.questions, err = assess.Default(); err != nil {
		return nil, fmt.Errorf("dashboard: %w", err)
	}
	if s.scenarios, err = tabletop.Default(); err != nil {
		return nil, fmt.Errorf("dashboard: %w", err)
	}
	if s.quizItems, err = quiz.Items(); err != nil {
		return nil, fmt.Errorf("dashboard: %w", err)
	}
	if s.pages, err = parsePages(); err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	s.routes(mux)
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.fail(w, r, handwash.Errorf(handwash.EFORBIDDEN, "A page of another website tried to change something here, so it was refused. If you pressed a button on a Handwash page, reload the page and try again."))
	}))
	return securityHeaders(cop.Handler(mux)), nil
}

// routes lists every page.
func (s *server) routes(mux *http.ServeMux) {
	static, _ := fs.Sub(files, "static")
	mux.HandleFunc("GET /static/strength.wasm", s.handleWasm)
	mux.Handle("GET /static/", http.StripPrefix("/static/", staticFiles(static)))

	mux.HandleFunc("GET /signin", s.handleSignInPage)
	mux.HandleFunc("POST /signin", s.handleSignIn)
	mux.Handle("GET /signin/code", s.partial(s.handleCodePage))
	mux.Handle("POST /signin/code", s.partial(s.handleCode))
	mux.Handle("GET /account/mfa", s.partial(s.handleMFASetupPage))
	mux.Handle("POST /account/mfa", s.partial(s.handleMFASetup))
	mux.Handle("POST /signout", s.partial(s.handleSignOut))

	mux.Handle("GET /{$}", s.signedIn(s.handleHome))
	mux.Handle("GET /orgs/{org}", s.signedIn(s.handleOrg))
	mux.Handle("GET /orgs/{org}/controls/{control}", s.signedIn(s.handleControl))
	mux.Handle("GET /orgs/{org}/evidence", s.signedIn(s.handleEvidence(false)))
	mux.Handle("GET /orgs/{org}/evidence.pdf", s.signedIn(s.handleEvidence(true)))
	mux.Handle("GET /orgs/{org}/devices.csv", s.signedIn(s.handleDevicesCSV))
	mux.Handle("GET /orgs/{org}/findings.csv", s.signedIn(s.handleFindingsCSV))
	mux.Handle("GET /orgs/{org}/enrol", s.signedIn(s.handleEnrol))
	mux.Handle("POST /orgs/{org}/enrol", s.signedIn(s.handleEnrolCreate))
	mux.Handle("POST /enroll-tokens/{id}/revoke", s.signedIn(s.handleRevoke("enroll_token.revoke", "revoked an enrolment token", s.store.RevokeEnrollToken, func() {})))
	mux.Handle("GET /orgs/{org}/alerts", s.signedIn(s.handleAlerts))
	mux.Handle("GET /orgs/{org}/alerts/new", s.signedIn(s.handleAlertNew))
	mux.Handle("POST /orgs/{org}/alerts/clocks", s.signedIn(s.handleAlertClocks))
	mux.Handle("POST /orgs/{org}/alerts", s.signedIn(s.handleAlertCreate))
	mux.Handle("GET /alerts/{id}", s.signedIn(s.handleAlert))
	mux.Handle("POST /alerts/{id}/acknowledge", s.signedIn(s.handleAlertAcknowledge))
	mux.Handle("POST /alerts/{id}/assign", s.signedIn(s.handleAlertAssign))
	mux.Handle("POST /alerts/{id}/close", s.signedIn(s.handleAlertClose))
	mux.Handle("GET /orgs/{org}/phishing", s.signedIn(s.handlePhishing))
	mux.Handle("POST /orgs/{org}/phishing", s.signedIn(s.handlePhishUpload))
	mux.Handle("GET /phishing/{id}", s.signedIn(s.handlePhishReport))
	mux.Handle("GET /phishing/{id}/original", s.signedIn(s.handlePhishOriginal))
	mux.Handle("GET /orgs/{org}/backups", s.signedIn(s.handleBackups))
	mux.Handle("POST /orgs/{org}/backups", s.signedIn(s.handleBackupCreate))
	mux.Handle("GET /backup-jobs/{id}", s.signedIn(s.handleBackupJob))
	mux.Handle("POST /backup-jobs/{id}/delete", s.signedIn(s.handleBackupDelete))
	mux.Handle("GET /orgs/{org}/accounts", s.signedIn(s.handleAccounts))
	mux.Handle("POST /orgs/{org}/accounts", s.signedIn(s.handleAccountsImport))
	mux.Handle("GET /orgs/{org}/phones", s.signedIn(s.handlePhones))
	mux.Handle("POST /orgs/{org}/phones/import", s.signedIn(s.handlePhonesImport))
	mux.Handle("POST /orgs/{org}/phones", s.signedIn(s.handlePhoneAdd))
	mux.Handle("POST /orgs/{org}/phones/{id}/remove", s.signedIn(s.handlePhoneRemove))
	mux.Handle("GET /orgs/{org}/network", s.signedIn(s.handleNetwork))
	mux.Handle("POST /orgs/{org}/network", s.signedIn(s.handleNetworkAdd))
	mux.Handle("POST /orgs/{org}/network/{id}/remove", s.signedIn(s.handleNetworkRemove))
	mux.Handle("GET /devices/{device}", s.signedIn(s.handleDevice))
	mux.Handle("POST /devices/{device}/exceptions", s.signedIn(s.handleGrantException))
	// Revoking an exception changes how the devices it covered are judged.
	mux.Handle("POST /exceptions/{id}/revoke", s.signedIn(s.handleRevoke("exception.revoke", "revoked an exception", s.store.DeleteException, s.stored)))
	mux.Handle("GET /audit", s.signedIn(s.handleAudit))
	mux.Handle("GET /users", s.signedIn(s.handleUsers))
	mux.Handle("POST /users", s.signedIn(s.handleUserCreate))
	mux.Handle("POST /users/{id}", s.signedIn(s.handleUserUpdate))
	mux.Handle("GET /account/notifications", s.signedIn(s.handleChoices))
	mux.Handle("POST /account/notifications", s.signedIn(s.handleChoicesSave))
	mux.Handle("POST /account/notifications/test", s.signedIn(s.handleChoicesTest))
	mux.Handle("GET /orgs/{org}/notifications", s.signedIn(s.handleNotifications))
	mux.Handle("POST /orgs/{org}/notifications/webhooks", s.signedIn(s.handleWebhookCreate))
	mux.Handle("GET /notifications", s.signedIn(s.handleNotifications))
	mux.Handle("POST /notifications/webhooks", s.signedIn(s.handleWebhookCreate))
	mux.Handle("POST /webhooks/{id}/test", s.signedIn(s.handleWebhookTest))
	mux.Handle("POST /webhooks/{id}/delete", s.signedIn(s.handleWebhookDelete))
	mux.Handle("GET /orgs/{org}/assessment", s.signedIn(s.handleAssessment))
	mux.Handle("GET /orgs/{org}/assessment/{question}", s.signedIn(s.handleQuestion))
	mux.Handle("POST /orgs/{org}/assessment/{question}", s.signedIn(s.handleAnswer))
	mux.Handle("POST /orgs/{org}/assessment/{question}/files", s.signedIn(s.handleAnswerFile))
	mux.Handle("GET /answer-files/{id}", s.signedIn(s.handleAnswerFileDownload))
	mux.Handle("GET /orgs/{org}/readiness", s.signedIn(s.handleReadiness("html")))
	mux.Handle("GET /orgs/{org}/readiness.txt", s.signedIn(s.handleReadiness("text")))
	mux.Handle("GET /orgs/{org}/readiness.pdf", s.signedIn(s.handleReadiness("pdf")))
	mux.Handle("GET /orgs/{org}/training", s.signedIn(s.handleTraining))
	mux.Handle("POST /orgs/{org}/staff/import", s.signedIn(s.handleStaffImport))
	mux.Handle("POST /orgs/{org}/staff", s.signedIn(s.handleStaffAdd))
	mux.Handle("POST /orgs/{org}/training", s.signedIn(s.handleTrainingRecord))
	mux.Handle("GET /orgs/{org}/incidents", s.signedIn(s.handleIncidents))
	mux.Handle("GET /orgs/{org}/incidents/new", s.signedIn(s.handleIncidentNew))
	mux.Handle("POST /orgs/{org}/incidents", s.signedIn(s.handleIncidentSave))
	mux.Handle("GET /incidents/{id}", s.signedIn(s.handleIncident))
	mux.Handle("POST /incidents/{id}", s.signedIn(s.handleIncidentSave))
	mux.Handle("GET /orgs/{org}/exercises", s.signedIn(s.handleExercises))
	mux.Handle("POST /orgs/{org}/exercises", s.signedIn(s.handleExerciseStart))
	mux.Handle("GET /exercise-runs/{id}", s.signedIn(s.handleRun))
	mux.Handle("POST /exercise-runs/{id}", s.signedIn(s.handleRunSave))
	mux.Handle("GET /exercise-runs/{id}/report", s.signedIn(s.handleRunReport))
	mux.Handle("GET /orgs/{org}/staff-link", s.signedIn(s.handleStaffLink))
	mux.Handle("POST /orgs/{org}/staff-link", s.signedIn(s.handleStaffLinkCreate))
	mux.Handle("POST /orgs/{org}/staff-link/stop", s.signedIn(s.handleStaffLinkStop))
	// The staff link's pages need no sign-in: the link is the credential.
	mux.HandleFunc("GET /s/{cred}", s.staffPage(s.handleStaffHome))
	mux.HandleFunc("GET /s/{cred}/phone", s.staffPage(s.handleSelfCheckPage))
	mux.HandleFunc("POST /s/{cred}/phone", s.staffPage(s.handleSelfCheck))
	mux.HandleFunc("GET /s/{cred}/password", s.staffPage(s.handlePasswordPage))
	mux.HandleFunc("GET /s/{cred}/range/{prefix}", s.staffPage(s.handleRange))
	mux.HandleFunc("GET /s/{cred}/quiz", s.staffPage(s.handleQuizPage))
	mux.HandleFunc("POST /s/{cred}/quiz", s.staffPage(s.handleQuiz))
	mux.HandleFunc("GET /welcome/{invitation}", s.handleWelcomePage)
	mux.HandleFunc("POST /welcome/{invitation}", s.handleWelcome)
	mux.Handle("/", s.signedIn(func(w http.ResponseWriter, r *http.Request) {
		s.fail(w, r, handwash.Errorf(handwash.ENOTFOUND, "There is no page at this address. Go back to the home page and follow the links from there."))
	}))
}

// securityHeaders sets the headers every answer carries: nothing may be
// loaded from elsewhere, framed, or sniffed, and pages are not cached.
func securityHeaders(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hd := w.Header()
		hd.Set("Content-Security-Policy", "default-src 'none'; style-src 'self'; img-src 'self' data:; script-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
		hd.Set("X-Content-Type-Options", "nosniff")
		hd.Set("Referrer-Policy", "same-origin")
		hd.Set("X-Frame-Options", "DENY")
		hd.Set("Cross-Origin-Opener-Policy", "same-origin")
		if hd.Get("Cache-Control") == "" {
			hd.Set("Cache-Control", "no-store")
		}
		h.ServeHTTP(w, r)
	})
}

// staticFiles serves the embedded stylesheet and icons, cacheable for a
// day (they change only with the binary).
func staticFiles(fsys fs.FS) http.Handler {
	fh := http.FileServerFS(fsys)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=86400")
		fh.ServeHTTP(w, r)
	})
}

// ctxKey keys what the session middleware puts in a request's context.
type ctxKey int

const visitorKey ctxKey = iota

// visitor is who is signed in on this request, if anyone.
type visitor struct {
	user    *handwash.User
	session *handwash.Session
	signIn  *handwash.SignIn
	// csrf is the form token of this session.
	csrf string
}

func visitorOf(r *http.Request) *visitor {
	v, _ := r.Context().Value(visitorKey).(*visitor)
	return v
}

func withVisitor(ctx context.Context, v *visitor) context.Context {
	return context.WithValue(ctx, visitorKey, v)
}

// principal is the signed-in user as the store's scope rules see them.
func (v *visitor) principal() handwash.Principal {
	return handwash.Principal{
		Kind:  handwash.PrincipalUser,
		ID:    v.user.ID,
		Role:  v.user.Role,
		Scope: handwash.Scope{ProviderID: v.user.ProviderID, OrgID: v.user.OrgID},
	}
}
