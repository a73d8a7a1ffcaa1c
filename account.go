package handwash

import (
	"context"
	"time"
)

// People sign in to the dashboard with their email address, a password
// (kept only as an argon2id hash) and, for administrators always and for
// everyone who turns it on, a code from an authenticator app. A signed-in
// browser holds a session cookie whose secret the store keeps only as a
// SHA-256 hash, like every other credential.

// SignIn is what the store keeps to let a user sign in.
type SignIn struct {
	UserID string
	// PasswordHash is the argon2id hash in PHC form; empty when no
	// password was ever set (the user cannot sign in until one is).
	PasswordHash      string
	PasswordChangedAt *time.Time
	// TOTPSecret is the base32 secret of the user's authenticator app;
	// empty while multi-factor authentication is not set up.
	TOTPSecret string
	// TOTPLastStep is the last time step whose code was accepted, so a
	// code is never accepted twice.
	TOTPLastStep int64
	// RecoveryCodes are the hashes of the one-time recovery codes not
	// yet used.
	RecoveryCodes []string
}

// MFA reports whether the user has multi-factor authentication set up.
func (s *SignIn) MFA() bool { return s != nil && s.TOTPSecret != "" }

// Session is a signed-in browser.
type Session struct {
	ID     string `json:"id"`
	UserID string `json:"user_id"`
	// SecretHash is the SHA-256 of the secret in the cookie.
	SecretHash []byte `json:"-"`
	// MFA says whether the second factor was given; a session without it
	// may only finish signing in (or set up MFA when that is required).
	MFA        bool      `json:"mfa"`
	CreatedAt  time.Time `json:"created_at"`
	LastSeenAt time.Time `json:"last_seen_at"`
	// ExpiresAt is the absolute end of the session, however active.
	ExpiresAt time.Time `json:"expires_at"`
	// Address and UserAgent are where the session was started from, shown
	// to the user in their list of sessions.
	Address   string `json:"address"`
	UserAgent string `json:"user_agent"`
}

// PrefixInvitation starts an invitation's credential, as the other
// credentials have prefixes of their own.
const PrefixInvitation = "hwi"

// Invitation lets a person an administrator added set their first
// password, once, through a link the administrator passes on. The store
// keeps only the SHA-256 of its secret.
type Invitation struct {
	ID         string
	UserID     string
	SecretHash []byte
	CreatedAt  time.Time
	ExpiresAt  time.Time
}

// AuditEntry records one action of an administrator (or a token) that
// changed something: who, what, when and from where.
type AuditEntry struct {
	ID         int64     `json:"id"`
	ProviderID string    `json:"provider_id"`
	OrgID      string    `json:"org_id,omitempty"`
	At         time.Time `json:"at"`
	// ActorID is the user or API token that acted; ActorName is how to
	// show it (an email address, or a token's name), kept as it was then.
	ActorID   string `json:"actor_id"`
	ActorName string `json:"actor_name"`
	// Action names what was done, as "user.create", "exception.grant",
	// "enroll_token.revoke" or "signin.fail".
	Action string `json:"action"`
	// Target is the ID of what was acted on, if any.
	Target string `json:"target,omitempty"`
	// Detail says the rest in plain English; never a secret.
	Detail  string `json:"detail,omitempty"`
	Address string `json:"address,omitempty"`
}

// AuditFilter narrows a list of audit entries.
type AuditFilter struct {
	OrgID   string
	ActorID string
	Action  string
	// Since and Before bound the time, when set.
	Since, Before time.Time
	Limit, Offset int
}

// AccountService keeps what dashboard sign-in needs: passwords, second
// factors, sessions and the audit log.
type AccountService interface {
	// UserByEmail finds a user for signing in, whatever their scope;
	// email addresses are unique across the server. ENOTFOUND when none.
	UserByEmail(ctx context.Context, email string) (*User, error)
	// UserForAuth returns a user by ID whatever their scope, for a session.
	UserForAuth(ctx context.Context, id string) (*User, error)
	// SignIn returns a user's sign-in record (empty fields when nothing
	// was set yet).
	SignIn(ctx context.Context, userID string) (*SignIn, error)
	// SetPassword replaces a user's password hash.
	SetPassword(ctx context.Context, userID, hash string, at time.Time) error
	// SetMFA sets up (or, with an empty secret, removes) a user's
	// authenticator secret and replaces their recovery codes.
	SetMFA(ctx context.Context, userID, secret string, recoveryCodes []string) error
	// UseTOTPStep records that the code of step was accepted, and reports
	// false (changing nothing) when a code of that step or a later one was
	// accepted before: the check and the record are one atomic step, so
	// one code cannot sign in twice even through two servers.
	UseTOTPStep(ctx context.Context, userID string, step int64) (bool, error)
	// UseRecoveryCode removes one unused recovery code (by its hash), and
	// reports false when it was not there (used already).
	UseRecoveryCode(ctx context.Context, userID, codeHash string) (bool, error)

	CreateSession(ctx context.Context, s *Session) error
	// SessionForAuth returns a session by ID, for checking a cookie.
	SessionForAuth(ctx context.Context, id string) (*Session, error)
	// TouchSession moves a session's last-seen time (and, once the second
	// factor is given, marks it so).
	TouchSession(ctx context.Context, id string, at time.Time, mfa bool) error
	DeleteSession(ctx context.Context, id string) error
	// DeleteUserSessions signs a user out everywhere, except the session
	// keep (when not empty); it returns how many ended.
	DeleteUserSessions(ctx context.Context, userID, keep string) (int, error)
	// DeleteExpiredSessions removes sessions past their absolute end or
	// idle since before idleBefore, for the background clean-up.
	DeleteExpiredSessions(ctx context.Context, now, idleBefore time.Time) (int, error)

	// CreateInvitation stores an invitation for an existing user.
	CreateInvitation(ctx context.Context, inv *Invitation) error
	// InvitationForAuth returns an invitation by ID, for checking a link.
	InvitationForAuth(ctx context.Context, id string) (*Invitation, error)
	// UseInvitation deletes an invitation and reports whether this call
	// did, so a link sets a password once even when opened twice at once.
	UseInvitation(ctx context.Context, id string) (bool, error)

	// AddAudit appends an entry to the audit log; entries are never
	// changed or removed through the store.
	AddAudit(ctx context.Context, e *AuditEntry) error
	// Audit lists entries in scope, newest first, and the total matching.
	Audit(ctx context.Context, scope Scope, filter AuditFilter) ([]*AuditEntry, int, error)
}
