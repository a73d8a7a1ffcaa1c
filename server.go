package handwash

import (
	"context"
	"time"
)

// Secrets (API tokens, enrolment tokens, device secrets) are random, shown
// once, and stored only as a SHA-256 hash: SecretHash in the token types
// below. A credential is written "<prefix>_<id>_<secret>" so the server can
// find the row by ID and compare hashes in constant time.

// Credential prefixes.
const (
	PrefixAPIToken    = "hwt"
	PrefixEnrollToken = "hwe"
	PrefixDevice      = "hwd"
)

// APIToken lets a program use the API with a role within a scope.
type APIToken struct {
	ID         string `json:"id"`
	Name       string `json:"name"`
	ProviderID string `json:"provider_id"`
	// OrgID limits the token to one organisation; empty means the provider.
	OrgID      string     `json:"org_id,omitempty"`
	Role       Role       `json:"role"`
	SecretHash []byte     `json:"-"`
	CreatedAt  time.Time  `json:"created_at"`
	ExpiresAt  *time.Time `json:"expires_at,omitempty"`
	LastUsedAt *time.Time `json:"last_used_at,omitempty"`
	Revoked    bool       `json:"revoked"`
}

// EnrollToken lets devices join an organisation: short-lived, and single
// use or capped.
type EnrollToken struct {
	ID         string `json:"id"`
	ProviderID string `json:"provider_id"`
	OrgID      string `json:"org_id"`
	// SiteID puts enrolled devices in a site; empty for none.
	SiteID     string    `json:"site_id,omitempty"`
	SecretHash []byte    `json:"-"`
	MaxUses    int       `json:"max_uses"`
	Uses       int       `json:"uses"`
	ExpiresAt  time.Time `json:"expires_at"`
	CreatedAt  time.Time `json:"created_at"`
	Revoked    bool      `json:"revoked"`
}

// TokenService keeps API and enrolment tokens.
type TokenService interface {
	CreateAPIToken(ctx context.Context, scope Scope, t *APIToken) error
	APITokens(ctx context.Context, scope Scope) ([]*APIToken, error)
	RevokeAPIToken(ctx context.Context, scope Scope, id string) error
	// APIToken returns the token with this ID whatever its scope, for
	// authentication; the caller compares the secret hash and checks expiry.
	APIToken(ctx context.Context, id string) (*APIToken, error)
	// TouchAPIToken records that a token was used.
	TouchAPIToken(ctx context.Context, id string, at time.Time) error

	CreateEnrollToken(ctx context.Context, scope Scope, t *EnrollToken) error
	EnrollTokens(ctx context.Context, scope Scope, orgID string) ([]*EnrollToken, error)
	RevokeEnrollToken(ctx context.Context, scope Scope, id string) error
	// Enroll uses an enrolment token to add a device, in one transaction: it
	// fails with EUNAUTHORIZED, changing nothing, when the token does not
	// exist, its hash differs, it is revoked, expired at now, or has no uses
	// left; otherwise it counts a use and creates d in the token's
	// organisation and site (d.ID, d.SecretHash and d.Hostname set by the
	// caller).
	Enroll(ctx context.Context, tokenID string, secretHash []byte, now time.Time, d *Device) error
}

// Device is a computer enrolled with the server.
type Device struct {
	ID         string `json:"id"`
	ProviderID string `json:"provider_id"`
	OrgID      string `json:"org_id"`
	SiteID     string `json:"site_id,omitempty"`
	// Hostname, Platform and OS come from the newest snapshot.
	Hostname   string     `json:"hostname"`
	Platform   Platform   `json:"platform,omitempty"`
	OS         string     `json:"os,omitempty"`
	SecretHash []byte     `json:"-"`
	EnrolledAt time.Time  `json:"enrolled_at"`
	LastSeenAt *time.Time `json:"last_seen_at,omitempty"`
	// LastSnapshotID and FactsDigest describe the newest snapshot.
	LastSnapshotID string `json:"last_snapshot_id,omitempty"`
	FactsDigest    string `json:"facts_digest,omitempty"`
	// Score is the newest overall score, -1 before the first assessment.
	Score       int        `json:"score"`
	EvaluatedAt *time.Time `json:"evaluated_at,omitempty"`
}

// Stale reports whether the device has not reported for longer than after.
func (d *Device) Stale(now time.Time, after time.Duration) bool {
	seen := d.EnrolledAt
	if d.LastSeenAt != nil {
		seen = *d.LastSeenAt
	}
	return now.Sub(seen) > after
}

// DeviceFilter narrows a device listing.
type DeviceFilter struct {
	OrgID    string
	SiteID   string
	Platform Platform
	// StaleBefore, when set, keeps devices last seen before it.
	StaleBefore *time.Time
	Offset      int
	Limit       int
}

// DeviceService keeps enrolled devices.
type DeviceService interface {
	Devices(ctx context.Context, scope Scope, filter DeviceFilter) ([]*Device, int, error)
	Device(ctx context.Context, scope Scope, id string) (*Device, error)
	// DeviceForAuth returns the device with this ID whatever its scope, for
	// authenticating uploads; the caller compares the secret hash.
	DeviceForAuth(ctx context.Context, id string) (*Device, error)
	DeleteDevice(ctx context.Context, scope Scope, id string) error
	// CountDevices counts devices in every tenancy by state, for metrics.
	CountDevices(ctx context.Context, staleBefore time.Time) (total, stale int, err error)
}

// Snapshot is one upload of a device's Facts.
type Snapshot struct {
	// ID is chosen by the agent, so a retried upload is recognised.
	ID          string    `json:"id"`
	DeviceID    string    `json:"device_id"`
	CollectedAt time.Time `json:"collected_at"`
	ReceivedAt  time.Time `json:"received_at"`
	// Digest identifies the Facts' content (without the moment and duration
	// of collection), so an unchanged snapshot is stored once.
	Digest string `json:"digest"`
	Size   int    `json:"size"`
}

// SnapshotService keeps snapshots.
type SnapshotService interface {
	// PutSnapshot stores a snapshot and its gzip-compressed Facts (facts may
	// be nil when the device's previous snapshot had the same digest), moves
	// the device's last-seen time, hostname, platform, OS and digest, and
	// marks the device for evaluation when the digest changed, all in one
	// transaction. A snapshot ID already stored for this device with the same
	// digest is a retry: nothing changes and created is false. The same ID
	// with another digest is ECONFLICT.
	PutSnapshot(ctx context.Context, d *Device, s *Snapshot, facts []byte) (created bool, err error)
	Snapshots(ctx context.Context, scope Scope, deviceID string, limit int) ([]*Snapshot, error)
	// Facts returns the gzip-compressed Facts with this digest.
	Facts(ctx context.Context, deviceID, digest string) ([]byte, error)
}

// StoredException is an exception kept on the server, for one device or
// for every device of an organisation.
type StoredException struct {
	ID         string `json:"id"`
	ProviderID string `json:"provider_id"`
	OrgID      string `json:"org_id"`
	// DeviceID limits it to one device; empty means the whole organisation.
	DeviceID  string    `json:"device_id,omitempty"`
	Control   string    `json:"control"`
	Reason    string    `json:"reason"`
	Owner     string    `json:"owner"`
	Expires   time.Time `json:"expires"`
	CreatedAt time.Time `json:"created_at"`
	CreatedBy string    `json:"created_by"`
}

// ExceptionService keeps exceptions. Creating or deleting one marks the
// devices it covers for evaluation.
type ExceptionService interface {
	CreateException(ctx context.Context, scope Scope, e *StoredException) error
	DeleteException(ctx context.Context, scope Scope, id string) error
	Exceptions(ctx context.Context, scope Scope, orgID string) ([]*StoredException, error)
	// ExceptionsFor returns the exceptions that bear on one device: its own
	// and its organisation's.
	ExceptionsFor(ctx context.Context, d *Device) ([]*StoredException, error)
}

// AssessmentService keeps the judgement of each device's newest snapshot
// and the history of its scores.
type AssessmentService interface {
	// ClaimEvaluations hands out up to limit devices marked for evaluation,
	// each to one holder until lease ends, so replicas share the work and
	// none is judged twice at once.
	ClaimEvaluations(ctx context.Context, holder string, limit int, now time.Time, lease time.Duration) ([]*Device, error)
	// PutAssessment stores the assessment of snapshot digest for a device,
	// records its scores in the history, and clears the device's mark unless
	// a newer snapshot arrived meanwhile.
	PutAssessment(ctx context.Context, deviceID, digest string, a *Assessment) error
	// Assessment returns a device's newest assessment.
	Assessment(ctx context.Context, scope Scope, deviceID string) (*Assessment, error)
	ScoreHistory(ctx context.Context, scope Scope, deviceID string, since time.Time) ([]ScorePoint, error)
	// MarkAllForEvaluation marks every device, as when the catalogue changes.
	MarkAllForEvaluation(ctx context.Context) (int, error)
	// Findings lists the current findings of the devices in scope.
	Findings(ctx context.Context, scope Scope, filter FindingFilter) ([]*DeviceFinding, int, error)
	// OrgScores sums the newest scores of an organisation's devices: each
	// area's earned and maximum points added over the devices.
	OrgScores(ctx context.Context, scope Scope, orgID string) (*OrgScores, error)
}

// DeviceFinding is a device's current finding for one control, and since
// when it has had that status.
type DeviceFinding struct {
	DeviceID string    `json:"device_id"`
	Hostname string    `json:"hostname"`
	Since    time.Time `json:"since"`
	Finding
}

// FindingFilter narrows a findings listing.
type FindingFilter struct {
	OrgID     string
	DeviceID  string
	ControlID string
	Status    Status
	Area      Area
	Offset    int
	Limit     int
}

// OrgScores are an organisation's scores over its assessed devices.
type OrgScores struct {
	OrgID   string      `json:"org_id"`
	Devices int         `json:"devices"`
	Overall Score       `json:"overall"`
	Areas   []AreaScore `json:"areas"`
}

// ScorePoint is one entry of a device's score history.
type ScorePoint struct {
	At      time.Time    `json:"at"`
	Overall int          `json:"overall"`
	Areas   map[Area]int `json:"areas"`
}

// LeaseService lets one of several server processes do a background job
// alone.
type LeaseService interface {
	// TryLease takes or renews the named lease for holder until now+ttl, and
	// reports whether holder has it.
	TryLease(ctx context.Context, name, holder string, now time.Time, ttl time.Duration) (bool, error)
	ReleaseLease(ctx context.Context, name, holder string) error
	// Setting and SetSetting keep small server-wide values (the catalogue
	// version the stored assessments were made with).
	Setting(ctx context.Context, key string) (string, error)
	SetSetting(ctx context.Context, key, value string) error
}

// Store is everything the server keeps, as the sqlite and postgres packages
// provide it.
type Store interface {
	TenantService
	UserService
	TokenService
	DeviceService
	SnapshotService
	ExceptionService
	AssessmentService
	LeaseService
	AccountService
	SummaryService
	NotifyService
	AlertService
	FeedService
	PhishService
	BackupJobService
	CloudService
	NetworkDeviceService
	StaffLinkService
	PeopleService
	Close() error
}
