package web

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/handwash/handwash"
)

// touchEvery is how often a token's last use is written: often enough to
// tell a live token from a forgotten one, rarely enough that a busy script
// does not turn every read into a write.
const touchEvery = time.Minute

// requirement is what a route asks of an API token's role.
type requirement int

const (
	// requireAny lets every role read (within its scope).
	requireAny requirement = iota
	// requireAdmin asks for a provider or organisation administrator.
	requireAdmin
	// requireProviderAdmin asks for a provider administrator not limited
	// to one organisation: creating organisations.
	requireProviderAdmin
)

func (q requirement) allows(p handwash.Principal) bool {
	switch q {
	case requireAdmin:
		return p.CanWrite()
	case requireProviderAdmin:
		return p.CanManageOrgs()
	}
	return true
}

func (q requirement) refusal(p handwash.Principal) error {
	if q == requireProviderAdmin {
		return handwash.Errorf(handwash.EFORBIDDEN, "only a provider administrator whose token is not limited to one organisation may do this (your role: %s)", p.Role)
	}
	return handwash.Errorf(handwash.EFORBIDDEN, "your role (%s) may only read: ask an administrator to do this", p.Role)
}

// The answers to credentials that are missing or of the wrong kind. They
// never repeat the credential.
var (
	errNoCredential = handwash.Errorf(handwash.EUNAUTHORIZED,
		"no credential: send one as the header \"Authorization: Bearer <credential>\"")
	errNeedsToken = handwash.Errorf(handwash.EUNAUTHORIZED,
		"this request needs an API token (hwt_…): enrolment tokens may only enrol, and device credentials may only upload snapshots, read their own device and fetch agent updates")
	errBadToken = handwash.Errorf(handwash.EUNAUTHORIZED,
		"the API token is not valid: it is unknown, revoked or expired; ask an administrator for a new one (handwash admin token create)")
	errNeedsDevice = handwash.Errorf(handwash.EUNAUTHORIZED,
		"this request needs a device credential (hwd_…), which handwash agent enroll obtains")
	errBadDevice = handwash.Errorf(handwash.EUNAUTHORIZED,
		"the device credential is not valid: the device may have been removed; enrol it again with handwash agent enroll")
	errNeedsEnrollToken = handwash.Errorf(handwash.EUNAUTHORIZED,
		"enrolment needs an enrolment token (hwe_…), which an administrator makes with handwash admin enroll-token")
	errBadEnrollToken = handwash.Errorf(handwash.EUNAUTHORIZED,
		"the enrolment token is not valid: it is unknown, revoked, expired or used up; ask an administrator for a new one (handwash admin enroll-token)")
)

// bearer returns the credential of an "Authorization: Bearer" header.
func bearer(r *http.Request) (string, bool) {
	scheme, cred, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	cred = strings.TrimSpace(cred)
	return cred, cred != ""
}

// authenticator turns credentials into principals.
type authenticator struct {
	store handwash.Store
	now   func() time.Time
	log   *slog.Logger
	// touched remembers when this process last recorded each token's use,
	// so that a burst of requests writes once, not once per request.
	touched sync.Map // token ID → time.Time
}

func newAuthenticator(store handwash.Store, now func() time.Time, log *slog.Logger) *authenticator {
	return &authenticator{store: store, now: now, log: log}
}

// apiToken checks an API token and returns its principal.
func (a *authenticator) apiToken(ctx context.Context, cred string) (handwash.Principal, error) {
	id, secret, ok := handwash.ParseCredential(handwash.PrefixAPIToken, cred)
	if !ok {
		if strings.HasPrefix(cred, handwash.PrefixDevice+"_") || strings.HasPrefix(cred, handwash.PrefixEnrollToken+"_") {
			return handwash.Principal{}, errNeedsToken
		}
		return handwash.Principal{}, a.refuse(ctx, errBadToken, "malformed", "")
	}
	t, err := a.store.APIToken(ctx, id)
	if handwash.ErrorCode(err) == handwash.ENOTFOUND {
		// Hash the secret anyway, so an unknown ID takes as long as a
		// wrong secret.
		handwash.SecretMatches(secret, make([]byte, 32))
		return handwash.Principal{}, a.refuse(ctx, errBadToken, "unknown", id)
	}
	if err != nil {
		return handwash.Principal{}, err
	}
	now := a.now()
	switch {
	case !handwash.SecretMatches(secret, t.SecretHash):
		return handwash.Principal{}, a.refuse(ctx, errBadToken, "wrong secret", id)
	case t.Revoked:
		return handwash.Principal{}, a.refuse(ctx, errBadToken, "revoked", id)
	case t.ExpiresAt != nil && !now.Before(*t.ExpiresAt):
		return handwash.Principal{}, a.refuse(ctx, errBadToken, "expired", id)
	case !t.Role.Valid() || t.ProviderID == "" || (t.Role == handwash.RoleOrgAdmin && t.OrgID == ""):
		// A token the store should never have kept: refuse it rather
		// than guess its scope.
		return handwash.Principal{}, a.refuse(ctx, errBadToken, "inconsistent role or scope", id)
	}
	a.touch(ctx, t, now)
	return handwash.Principal{
		Kind:  handwash.PrincipalToken,
		ID:    t.ID,
		Role:  t.Role,
		Scope: handwash.Scope{ProviderID: t.ProviderID, OrgID: t.OrgID},
	}, nil
}

// touch records a token's use at most once a minute.
func (a *authenticator) touch(ctx context.Context, t *handwash.APIToken, now time.Time) {
	if t.LastUsedAt != nil && now.Sub(*t.LastUsedAt) < touchEvery {
		return
	}
	if last, ok := a.touched.Load(t.ID); ok && now.Sub(last.(time.Time)) < touchEvery {
		return
	}
	a.touched.Store(t.ID, now)
	if err := a.store.TouchAPIToken(ctx, t.ID, now); err != nil {
		// Not worth failing the request for.
		a.log.WarnContext(ctx, "could not record a token's use", "token_id", t.ID, "err", err)
	}
}

// device checks a device credential and returns the device.
func (a *authenticator) device(ctx context.Context, cred string) (*handwash.Device, error) {
	id, secret, ok := handwash.ParseCredential(handwash.PrefixDevice, cred)
	if !ok {
		if strings.HasPrefix(cred, handwash.PrefixAPIToken+"_") || strings.HasPrefix(cred, handwash.PrefixEnrollToken+"_") {
			return nil, errNeedsDevice
		}
		return nil, a.refuse(ctx, errBadDevice, "malformed", "")
	}
	d, err := a.store.DeviceForAuth(ctx, id)
	if handwash.ErrorCode(err) == handwash.ENOTFOUND {
		handwash.SecretMatches(secret, make([]byte, 32))
		return nil, a.refuse(ctx, errBadDevice, "unknown", id)
	}
	if err != nil {
		return nil, err
	}
	if !handwash.SecretMatches(secret, d.SecretHash) {
		return nil, a.refuse(ctx, errBadDevice, "wrong secret", id)
	}
	if d.ProviderID == "" || d.OrgID == "" {
		return nil, a.refuse(ctx, errBadDevice, "no tenancy", id)
	}
	return d, nil
}

// refuse logs why a credential was refused (by its ID, never its secret)
// and returns the answer, which says less.
func (a *authenticator) refuse(ctx context.Context, answer error, why, id string) error {
	a.log.InfoContext(ctx, "credential refused", "why", why, "credential_id", id)
	return answer
}

// token wraps a handler that needs an API token whose role meets req. A
// missing or bad credential is 401; a good one whose role falls short is
// 403, decided before anything is looked up, so it says nothing about
// whether the object asked for exists.
func (s *server) token(req requirement, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		cred, ok := bearer(r)
		if !ok {
			writeErr(w, r, errNoCredential)
			return
		}
		p, err := s.auth.apiToken(r.Context(), cred)
		if err != nil {
			writeErr(w, r, err)
			return
		}
		notePrincipal(r.Context(), p)
		if !req.allows(p) {
			writeErr(w, r, req.refusal(p))
			return
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), principalKey{}, p)))
	})
}

// device wraps a handler that needs a device credential.
func (s *server) device(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		cred, ok := bearer(r)
		if !ok {
			writeErr(w, r, errNoCredential)
			return
		}
		d, err := s.auth.device(r.Context(), cred)
		if err != nil {
			writeErr(w, r, err)
			return
		}
		p := handwash.Principal{
			Kind:     handwash.PrincipalDevice,
			ID:       d.ID,
			Scope:    handwash.Scope{ProviderID: d.ProviderID, OrgID: d.OrgID},
			DeviceID: d.ID,
		}
		notePrincipal(r.Context(), p)
		ctx := context.WithValue(r.Context(), principalKey{}, p)
		ctx = context.WithValue(ctx, deviceKey{}, d)
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

type (
	principalKey struct{}
	deviceKey    struct{}
)

// principalOf returns who is asking; the auth wrappers put it there.
func principalOf(r *http.Request) handwash.Principal {
	p, ok := r.Context().Value(principalKey{}).(handwash.Principal)
	if !ok {
		// A route without an auth wrapper would otherwise run with the
		// zero scope; fail loudly instead.
		panic("web: handler reached without a principal")
	}
	return p
}

// deviceOf returns the authenticated device.
func deviceOf(r *http.Request) *handwash.Device {
	d, ok := r.Context().Value(deviceKey{}).(*handwash.Device)
	if !ok {
		panic("web: handler reached without a device")
	}
	return d
}
