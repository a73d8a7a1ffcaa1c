package handwash

import (
	"context"
	"time"
)

// Limits on a staff link's life. Staff open it on their own phones from a
// poster or a message, so it lives for weeks, not hours; it can only add
// self-checked phones and look up breached passwords, and a new link
// replaces the old one at once.
const (
	DefaultStaffLinkLife = 30 * 24 * time.Hour
	MinStaffLinkLife     = 24 * time.Hour
	MaxStaffLinkLife     = 365 * 24 * time.Hour
)

// PrefixStaffLink begins a staff link's credential: "hws_<id>_<secret>".
const PrefixStaffLink = "hws"

// StaffLink lets the staff of one organisation, who have no account, check
// their phone and their passwords: the phone self-check records their
// answers against their name, and the password check runs in their
// browser. An organisation has at most one; the secret is shown once.
type StaffLink struct {
	ID         string    `json:"id"`
	ProviderID string    `json:"provider_id"`
	OrgID      string    `json:"org_id"`
	SecretHash []byte    `json:"-"`
	CreatedBy  string    `json:"created_by,omitempty"`
	CreatedAt  time.Time `json:"created_at"`
	ExpiresAt  time.Time `json:"expires_at"`
}

// NewStaffLink makes a staff link for an organisation that lasts for life,
// and returns it with its credential, which is shown once and stored only
// as a hash.
func NewStaffLink(providerID, orgID, createdBy string, life time.Duration, now time.Time) (*StaffLink, string, error) {
	if orgID == "" {
		return nil, "", fieldError("org_id", "missing: say which organisation the link is for")
	}
	if life < MinStaffLinkLife || life > MaxStaffLinkLife {
		return nil, "", fieldError("expires_in", "expected from %s to %s", DurationWords(MinStaffLinkLife), DurationWords(MaxStaffLinkLife))
	}
	now = now.UTC()
	secret := NewSecret()
	l := &StaffLink{ID: NewID("stl"), ProviderID: providerID, OrgID: orgID, SecretHash: HashSecret(secret),
		CreatedBy: createdBy, CreatedAt: now, ExpiresAt: now.Add(life)}
	return l, Credential(PrefixStaffLink, l.ID, secret), nil
}

// Usable reports whether the link still works at now.
func (l *StaffLink) Usable(now time.Time) bool { return now.Before(l.ExpiresAt) }

// StaffLinkService keeps the organisations' staff links.
type StaffLinkService interface {
	// PutStaffLink stores the organisation's link, replacing the one
	// before, which stops working.
	PutStaffLink(ctx context.Context, scope Scope, l *StaffLink) error
	// OrgStaffLink is the organisation's link, ENOTFOUND when it has none.
	OrgStaffLink(ctx context.Context, scope Scope, orgID string) (*StaffLink, error)
	DeleteStaffLink(ctx context.Context, scope Scope, orgID string) error
	// StaffLink finds a link by ID, whatever its organisation, for
	// checking a credential; the caller compares the secret's hash.
	StaffLink(ctx context.Context, id string) (*StaffLink, error)
}
