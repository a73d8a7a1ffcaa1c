package dashboard

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/handwash/handwash"
	"github.com/handwash/handwash/phish"
)

// prefixSession starts a session cookie's value, as the other credentials
// have prefixes of their own.
const prefixSession = "hws"

// touchEvery is how often a session's last-seen time is written: often
// enough for a 30-minute idle timeout, rarely enough that browsing does not
// write on every page.
const touchEvery = time.Minute

// cookieName is the session cookie's name. The __Host- prefix makes
// browsers refuse it unless it is Secure, for this host only, and for
// every path.
func (s *server) cookieName() string {
	if s.cfg.InsecureCookies {
		return "handwash-session"
	}
	return "__Host-handwash-session"
}

// startSession signs a browser in as u: a new session (never one the
// browser already had, so a session ID planted before sign-in is useless)
// with mfa saying whether the second factor was given.
func (s *server) startSession(w http.ResponseWriter, r *http.Request, u *handwash.User, mfa bool) (*handwash.Session, error) {
	now := s.now()
	secret := handwash.NewSecret()
	ss := &handwash.Session{
		ID:         handwash.NewID("ses"),
		UserID:     u.ID,
		SecretHash: handwash.HashSecret(secret),
		MFA:        mfa,
		CreatedAt:  now,
		LastSeenAt: now,
		ExpiresAt:  now.Add(s.cfg.SessionLifetime),
		Address:    clientAddress(r),
		UserAgent:  truncate(r.UserAgent(), 200),
	}
	if err := s.store.CreateSession(r.Context(), ss); err != nil {
		return nil, err
	}
	http.SetCookie(w, &http.Cookie{
		Name:     s.cookieName(),
		Value:    handwash.Credential(prefixSession, ss.ID, secret),
		Path:     "/",
		Expires:  ss.ExpiresAt,
		Secure:   !s.cfg.InsecureCookies,
		HttpOnly: true,
		SameSite: http.SameSiteLaxMode,
	})
	return ss, nil
}

// endSession forgets the browser's session, in the store and the cookie.
func (s *server) endSession(w http.ResponseWriter, r *http.Request, v *visitor) {
	if v != nil && v.session != nil {
		if err := s.store.DeleteSession(r.Context(), v.session.ID); err != nil && handwash.ErrorCode(err) != handwash.ENOTFOUND {
			s.log.ErrorContext(r.Context(), "could not end a session", "user_id", v.user.ID, "err", err)
		}
	}
	http.SetCookie(w, &http.Cookie{Name: s.cookieName(), Value: "", Path: "/", MaxAge: -1,
		Secure: !s.cfg.InsecureCookies, HttpOnly: true, SameSite: http.SameSiteLaxMode})
}

// visitorFrom reads the session cookie and returns who is signed in, or
// nil. Sessions past their end, idle too long, or of a disabled user are
// ended here.
func (s *server) visitorFrom(w http.ResponseWriter, r *http.Request) *visitor {
	c, err := r.Cookie(s.cookieName())
	if err != nil {
		return nil
	}
	id, secret, ok := handwash.ParseCredential(prefixSession, c.Value)
	if !ok {
		return nil
	}
	ctx := r.Context()
	ss, err := s.store.SessionForAuth(ctx, id)
	if err != nil {
		if handwash.ErrorCode(err) != handwash.ENOTFOUND {
			s.log.ErrorContext(ctx, "could not read a session", "err", err)
		}
		return nil
	}
	if !handwash.SecretMatches(secret, ss.SecretHash) {
		return nil
	}
	now := s.now()
	v := &visitor{session: ss}
	if now.After(ss.ExpiresAt) || now.Sub(ss.LastSeenAt) > s.cfg.IdleTimeout {
		s.endSession(w, r, v)
		return nil
	}
	u, err := s.store.UserForAuth(ctx, ss.UserID)
	if err != nil || u.Disabled {
		s.endSession(w, r, v)
		return nil
	}
	v.user = u
	if v.signIn, err = s.store.SignIn(ctx, u.ID); err != nil {
		s.log.ErrorContext(ctx, "could not read a user's sign-in record", "user_id", u.ID, "err", err)
		return nil
	}
	v.csrf = formToken(ss)
	if now.Sub(ss.LastSeenAt) >= touchEvery {
		if err := s.store.TouchSession(ctx, ss.ID, now, ss.MFA); err != nil {
			s.log.WarnContext(ctx, "could not record a session's activity", "err", err)
		}
	}
	return v
}

// complete reports whether the visitor has finished signing in: with the
// second factor, or without one where none is set up and none is required.
func (v *visitor) complete() bool {
	if v == nil {
		return false
	}
	if v.session.MFA {
		return true
	}
	return !v.signIn.MFA() && !mfaRequired(v.user)
}

// mfaRequired says whether a user must use a second factor: every
// administrator must (Cyber Essentials asks for MFA on every administrator
// account of a cloud service, and this is one).
func mfaRequired(u *handwash.User) bool {
	return u.Role == handwash.RoleProviderAdmin || u.Role == handwash.RoleOrgAdmin
}

// signedIn wraps pages that need a complete sign-in; a visitor who has not
// finished is sent on to the step they are at, anyone else to sign in.
func (s *server) signedIn(h http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		v := s.visitorFrom(w, r)
		switch {
		case v == nil:
			http.Redirect(w, r, "/signin?next="+url.QueryEscape(localPath(r.URL.RequestURI())), http.StatusSeeOther)
			return
		case !v.complete():
			http.Redirect(w, r, nextStep(v), http.StatusSeeOther)
			return
		}
		if r.Method != http.MethodGet && r.Method != http.MethodHead && !v.checkForm(r) {
			s.fail(w, r, errFormToken)
			return
		}
		h(w, r.WithContext(withVisitor(r.Context(), v)))
	})
}

// partial wraps the steps of signing in that a session without its second
// factor may take (giving the code, setting MFA up, signing out).
func (s *server) partial(h http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		v := s.visitorFrom(w, r)
		if v == nil {
			http.Redirect(w, r, "/signin", http.StatusSeeOther)
			return
		}
		if r.Method != http.MethodGet && r.Method != http.MethodHead && !v.checkForm(r) {
			s.fail(w, r, errFormToken)
			return
		}
		h(w, r.WithContext(withVisitor(r.Context(), v)))
	})
}

// nextStep is where a visitor who has not finished signing in goes.
func nextStep(v *visitor) string {
	if v.signIn.MFA() {
		return "/signin/code"
	}
	return "/account/mfa"
}

var errFormToken = handwash.Errorf(handwash.EFORBIDDEN, "This form is out of date or did not come from your Handwash session. Go back, reload the page and try again.")

// formToken is the token every form of a session carries: an HMAC of the
// session's stored secret hash, which only the server knows, so another
// site cannot make a form that passes even if a browser sent its cookie.
func formToken(ss *handwash.Session) string {
	m := hmac.New(sha256.New, ss.SecretHash)
	m.Write([]byte("handwash form token"))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// checkForm reports whether a state-changing request carries the
// session's form token.
func (v *visitor) checkForm(r *http.Request) bool {
	limit := int64(maxForm)
	if isUpload(r) {
		limit = maxUpload
	}
	r.Body = http.MaxBytesReader(nil, r.Body, limit)
	got := r.PostFormValue("csrf")
	return got != "" && hmac.Equal([]byte(got), []byte(v.csrf))
}

// maxForm bounds a form's body.
const maxForm = 64 << 10

// maxUpload bounds a form that uploads a file: the largest email Handwash
// checks (larger than any CSV export it reads), and room for the form
// around it.
const maxUpload = phish.MaxMessageSize + 64<<10

// uploadPaths end the paths of the forms that upload a file, which may be
// larger than other forms.
var uploadPaths = []string{"/phishing", "/accounts", "/phones/import", "/files", "/staff/import"}

// isUpload reports whether a request is one of the forms that upload a
// file.
func isUpload(r *http.Request) bool {
	if r.Method != http.MethodPost || !strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") || !strings.HasPrefix(r.URL.Path, "/orgs/") {
		return false
	}
	for _, p := range uploadPaths {
		if strings.HasSuffix(r.URL.Path, p) {
			return true
		}
	}
	return false
}

// clientAddress is the address a request came from, for throttling and
// the audit log. Behind a reverse proxy this is the proxy's address; the
// proxy then limits sign-in attempts per client itself.
func clientAddress(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// localPath keeps a "next" address on this site: a path, never a URL to
// another host, so signing in cannot be used to send people elsewhere.
func localPath(p string) string {
	if p == "" || !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//") || strings.HasPrefix(p, "/\\") || strings.ContainsAny(p, "\r\n") {
		return "/"
	}
	return p
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}
