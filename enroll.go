package handwash

import "time"

// Limits on enrolment tokens. They are short-lived, so that one that
// leaks (pasted in an email, left on a sticky note) is soon worthless.
const (
	DefaultEnrollLife = 24 * time.Hour
	MinEnrollLife     = 5 * time.Minute
	MaxEnrollLife     = 30 * 24 * time.Hour
	MaxEnrollUses     = 10000
)

// NewEnrollToken makes an enrolment token that lets up to uses devices
// join an organisation (and site, when siteID is set) for life, and
// returns it with its secret, which is shown once and stored only as a
// hash. Whether the organisation and site are the caller's is for the
// caller to check against the store.
func NewEnrollToken(providerID, orgID, siteID string, uses int, life time.Duration, now time.Time) (*EnrollToken, string, error) {
	if orgID == "" {
		return nil, "", fieldError("org_id", "missing: say which organisation the devices join")
	}
	if uses < 1 || uses > MaxEnrollUses {
		return nil, "", fieldError("max_uses", "expected a number from 1 to %d", MaxEnrollUses)
	}
	if life < MinEnrollLife || life > MaxEnrollLife {
		return nil, "", fieldError("expires_in", "expected from %s to %s", MinEnrollLife, MaxEnrollLife)
	}
	now = now.UTC()
	secret := NewSecret()
	return &EnrollToken{
		ID:         NewID("enr"),
		ProviderID: providerID,
		OrgID:      orgID,
		SiteID:     siteID,
		SecretHash: HashSecret(secret),
		MaxUses:    uses,
		ExpiresAt:  now.Add(life),
		CreatedAt:  now,
	}, secret, nil
}
