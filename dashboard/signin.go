package dashboard

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/handwash/handwash"
	"github.com/handwash/handwash/internal/passhash"
	"github.com/handwash/handwash/internal/totp"
)

// The answers to a failed sign-in. They never say whether the email
// address is known, and never repeat the password or code.
const (
	msgBadPassword = "The email address or password is not right. Check them and try again."
	msgBadCode     = "That code is not right, or was already used. Type the 6-digit code your authenticator app shows now, or one of your recovery codes."
)

func msgTooMany(wait time.Duration) string {
	mins := int(wait.Round(time.Minute) / time.Minute)
	if mins < 1 {
		mins = 1
	}
	unit := "minutes"
	if mins == 1 {
		unit = "minute"
	}
	return fmt.Sprintf("There have been too many attempts to sign in. For your safety, wait %d %s and try again. If you have forgotten your password, ask your administrator to set a new one.", mins, unit)
}

type signInPage struct {
	Email, Next, Error string
}

func (s *server) handleSignInPage(w http.ResponseWriter, r *http.Request) {
	if v := s.visitorFrom(w, r); v.complete() {
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return
	}
	s.render(w, r, http.StatusOK, "signin", "Sign in", signInPage{Next: localPath(r.URL.Query().Get("next"))})
}

// handleSignIn checks an email address and password. Attempts are limited
// per account and per address, and a password is checked (at the cost of
// an argon2id hash) even for an unknown address, so timing does not tell
// which addresses have accounts.
func (s *server) handleSignIn(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxForm)
	email := strings.TrimSpace(r.PostFormValue("email"))
	password := r.PostFormValue("password")
	page := signInPage{Email: email, Next: localPath(r.PostFormValue("next"))}
	if email == "" || password == "" {
		page.Error = "Type your email address and your password."
		s.render(w, r, http.StatusBadRequest, "signin", "Sign in", page)
		return
	}
	account, address := "account:"+strings.ToLower(email), "address:"+clientAddress(r)
	if wait, ok := s.allow(account, address); !ok {
		page.Error = msgTooMany(wait)
		s.render(w, r, http.StatusTooManyRequests, "signin", "Sign in", page)
		return
	}
	ctx := r.Context()
	u, err := s.store.UserByEmail(ctx, email)
	var rec *handwash.SignIn
	if err == nil {
		rec, err = s.store.SignIn(ctx, u.ID)
	}
	if err != nil && handwash.ErrorCode(err) != handwash.ENOTFOUND {
		s.fail(w, r, err)
		return
	}
	hash := dummyHash()
	if rec != nil && rec.PasswordHash != "" {
		hash = rec.PasswordHash
	}
	ok, _, verr := passhash.Verify(password, hash)
	if verr != nil {
		s.log.ErrorContext(ctx, "a stored password hash cannot be read", "user_id", u.ID, "err", verr)
		ok = false
	}
	if !ok || u == nil || rec == nil || rec.PasswordHash == "" || u.Disabled {
		s.byAccount.Fail(account)
		s.byAddress.Fail(address)
		if u != nil {
			s.audit(r, u, u, "signin.fail", u.ID, "wrong password or disabled account")
		}
		page.Error = msgBadPassword
		s.render(w, r, http.StatusUnauthorized, "signin", "Sign in", page)
		return
	}
	// The attempt succeeded: it does not count against the address, which
	// others may share (a care home behind one router).
	s.byAddress.Succeed(address)
	ss, err := s.startSession(w, r, u, false)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v := &visitor{user: u, session: ss, signIn: rec}
	if v.complete() {
		s.byAccount.Reset(account)
		s.audit(r, u, u, "signin", u.ID, "signed in without a second factor (not set up)")
		http.Redirect(w, r, page.Next, http.StatusSeeOther)
		return
	}
	// Not signed in yet: wrong codes keep counting against the account
	// until the second factor is given, however often the password is.
	s.byAccount.Succeed(account)
	http.Redirect(w, r, nextStep(v)+"?next="+url.QueryEscape(page.Next), http.StatusSeeOther)
}

// allow counts a sign-in attempt against both limits, and says how long to
// wait when either is reached.
func (s *server) allow(account, address string) (time.Duration, bool) {
	okA, waitA := s.byAccount.Allow(account)
	okB, waitB := s.byAddress.Allow(address)
	if okA && okB {
		return 0, true
	}
	return max(waitA, waitB), false
}

// dummyHash is checked when there is no account, so an unknown address
// takes as long as a wrong password. It is made at the first sign-in, not
// when the program starts: hashing costs 19 MiB and tens of milliseconds,
// which every handwash command (check, the agent) would otherwise pay.
var dummyHash = sync.OnceValue(func() string {
	h, err := passhash.Hash(handwash.NewSecret())
	if err != nil {
		panic("dashboard: " + err.Error())
	}
	return h
})

type codePage struct {
	Next, Error string
}

func (s *server) handleCodePage(w http.ResponseWriter, r *http.Request) {
	v := visitorOf(r)
	if v.complete() {
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return
	}
	if !v.signIn.MFA() {
		http.Redirect(w, r, "/account/mfa", http.StatusSeeOther)
		return
	}
	s.render(w, r, http.StatusOK, "code", "Enter your code", codePage{Next: localPath(r.URL.Query().Get("next"))})
}

// handleCode checks the second factor: a code from the authenticator app,
// accepted once, or a one-time recovery code. Then the half-signed-in
// session is replaced by a new, complete one.
func (s *server) handleCode(w http.ResponseWriter, r *http.Request) {
	v := visitorOf(r)
	page := codePage{Next: localPath(r.PostFormValue("next"))}
	if !v.signIn.MFA() {
		http.Redirect(w, r, "/account/mfa", http.StatusSeeOther)
		return
	}
	account, address := "account:"+strings.ToLower(v.user.Email), "address:"+clientAddress(r)
	if wait, ok := s.allow(account, address); !ok {
		page.Error = msgTooMany(wait)
		s.render(w, r, http.StatusTooManyRequests, "code", "Enter your code", page)
		return
	}
	ctx := r.Context()
	code := strings.TrimSpace(r.PostFormValue("code"))
	accepted, how := false, ""
	if step, ok := totp.Verify(v.signIn.TOTPSecret, code, s.now(), v.signIn.TOTPLastStep); ok {
		used, err := s.store.UseTOTPStep(ctx, v.user.ID, step)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		accepted, how = used, "authenticator code"
	} else if i, ok := passhash.MatchRecoveryCode(code, v.signIn.RecoveryCodes); ok {
		used, err := s.store.UseRecoveryCode(ctx, v.user.ID, v.signIn.RecoveryCodes[i])
		if err != nil {
			s.fail(w, r, err)
			return
		}
		accepted, how = used, fmt.Sprintf("recovery code (%d left)", len(v.signIn.RecoveryCodes)-1)
	}
	if !accepted {
		s.byAccount.Fail(account)
		s.byAddress.Fail(address)
		s.audit(r, v.user, v.user, "signin.fail", v.user.ID, "wrong second-factor code")
		page.Error = msgBadCode
		s.render(w, r, http.StatusUnauthorized, "code", "Enter your code", page)
		return
	}
	s.byAccount.Reset(account)
	s.byAddress.Succeed(address)
	if _, err := s.completeSession(w, r, v); err != nil {
		s.fail(w, r, err)
		return
	}
	s.audit(r, v.user, v.user, "signin", v.user.ID, "signed in with a "+how)
	http.Redirect(w, r, page.Next, http.StatusSeeOther)
}

// completeSession replaces a session that has just been given its second
// factor with a new one, so the ID known before that step is worth nothing.
func (s *server) completeSession(w http.ResponseWriter, r *http.Request, v *visitor) (*handwash.Session, error) {
	if err := s.store.DeleteSession(r.Context(), v.session.ID); err != nil && handwash.ErrorCode(err) != handwash.ENOTFOUND {
		return nil, err
	}
	return s.startSession(w, r, v.user, true)
}

type mfaSetupPage struct {
	Secret, URI, Next, Error string
	Required                 bool
	Recovery                 []string
}

// handleMFASetupPage shows a new authenticator secret to add to an app.
// Setting up again replaces the old secret and recovery codes, so a
// signed-in user may do it (for a new phone); a half-signed-in one only
// when they have none yet.
func (s *server) handleMFASetupPage(w http.ResponseWriter, r *http.Request) {
	v := visitorOf(r)
	if !v.complete() && v.signIn.MFA() {
		http.Redirect(w, r, "/signin/code", http.StatusSeeOther)
		return
	}
	secret, err := totp.NewSecret()
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "mfa", "Set up your authenticator app", mfaSetupPage{
		Secret: groupSecret(secret), URI: totp.URI(secret, "Handwash", v.user.Email),
		Next: localPath(r.URL.Query().Get("next")), Required: mfaRequired(v.user) && !v.signIn.MFA(),
	})
}

// handleMFASetup confirms a new authenticator secret with a code from the
// app, stores it with fresh recovery codes, and shows those codes once.
func (s *server) handleMFASetup(w http.ResponseWriter, r *http.Request) {
	v := visitorOf(r)
	if !v.complete() && v.signIn.MFA() {
		http.Redirect(w, r, "/signin/code", http.StatusSeeOther)
		return
	}
	secret := strings.ToUpper(strings.ReplaceAll(strings.TrimSpace(r.PostFormValue("secret")), " ", ""))
	page := mfaSetupPage{Secret: groupSecret(secret), URI: totp.URI(secret, "Handwash", v.user.Email),
		Next: localPath(r.PostFormValue("next")), Required: mfaRequired(v.user) && !v.signIn.MFA()}
	if _, err := totp.Code(secret, s.now()); err != nil || len(secret) < 32 {
		page.Error = "The set-up key on this page was changed. Reload the page to get a new one."
		s.render(w, r, http.StatusBadRequest, "mfa", "Set up your authenticator app", page)
		return
	}
	step, ok := totp.Verify(secret, r.PostFormValue("code"), s.now(), 0)
	if !ok {
		page.Error = "That code is not right. Check the time on your phone is set automatically, then type the 6-digit code the app shows now."
		s.render(w, r, http.StatusBadRequest, "mfa", "Set up your authenticator app", page)
		return
	}
	plain, hashed, err := passhash.NewRecoveryCodes(passhash.RecoveryCodeCount)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	ctx := r.Context()
	if err := s.store.SetMFA(ctx, v.user.ID, secret, hashed); err != nil {
		s.fail(w, r, err)
		return
	}
	if _, err := s.store.UseTOTPStep(ctx, v.user.ID, step); err != nil {
		s.fail(w, r, err)
		return
	}
	ss, err := s.completeSession(w, r, v)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	// Every other session of this user ends: they were signed in with the
	// old second factor, or none.
	if _, err := s.store.DeleteUserSessions(ctx, v.user.ID, ss.ID); err != nil {
		s.log.ErrorContext(ctx, "could not end a user's other sessions", "user_id", v.user.ID, "err", err)
	}
	s.audit(r, v.user, v.user, "mfa.setup", v.user.ID, "set up an authenticator app and new recovery codes")
	nv := &visitor{user: v.user, session: ss, signIn: v.signIn, csrf: formToken(ss)}
	r = r.WithContext(withVisitor(r.Context(), nv))
	s.render(w, r, http.StatusOK, "recovery", "Your recovery codes", mfaSetupPage{Recovery: plain, Next: page.Next})
}

func (s *server) handleSignOut(w http.ResponseWriter, r *http.Request) {
	v := visitorOf(r)
	s.endSession(w, r, v)
	s.audit(r, v.user, v.user, "signout", v.user.ID, "")
	http.Redirect(w, r, "/signin", http.StatusSeeOther)
}

// groupSecret writes a base32 secret in groups of four, as authenticator
// apps show keys typed in by hand.
func groupSecret(s string) string {
	var b strings.Builder
	for i, c := range s {
		if i > 0 && i%4 == 0 {
			b.WriteByte(' ')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// auditAction records an administrator's change in an organisation
// (orgID; empty for the whole provider) in the audit log.
func (s *server) auditAction(r *http.Request, v *visitor, orgID, action, target, detail string) {
	s.record(r, v.user, v.user.ProviderID, orgID, action, target, detail)
}

// audit records what actor did about subject (a sign-in, say) in the audit
// log of subject's provider and organisation.
func (s *server) audit(r *http.Request, actor, subject *handwash.User, action, target, detail string) {
	s.record(r, actor, subject.ProviderID, subject.OrgID, action, target, detail)
}

// record appends to the audit log. A failure to record is logged, and does
// not undo the action.
func (s *server) record(r *http.Request, actor *handwash.User, providerID, orgID, action, target, detail string) {
	e := &handwash.AuditEntry{
		ProviderID: providerID, OrgID: orgID, At: s.now(),
		ActorID: actor.ID, ActorName: actor.Email, Action: action, Target: target, Detail: detail,
		Address: clientAddress(r),
	}
	if err := s.store.AddAudit(r.Context(), e); err != nil {
		s.log.ErrorContext(r.Context(), "could not write the audit log", "action", action, "err", err)
	}
}
