package handwash

import (
	"context"
	"time"
)

// Provider is whoever looks after organisations: an IT company (MSP) with
// many clients, or a care provider that runs Handwash for itself.
type Provider struct {
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	CreatedAt time.Time `json:"created_at"`
}

// Org is one organisation a provider looks after: a care home group, a GP
// practice, a home-care agency.
type Org struct {
	ID         string    `json:"id"`
	ProviderID string    `json:"provider_id"`
	Name       string    `json:"name"`
	CreatedAt  time.Time `json:"created_at"`
}

// Site is one place an organisation works from: a home, a branch surgery.
type Site struct {
	ID        string    `json:"id"`
	OrgID     string    `json:"org_id"`
	Name      string    `json:"name"`
	CreatedAt time.Time `json:"created_at"`
}

// Role says what a user or API token may do.
type Role string

// The roles, from most to least powerful.
const (
	// RoleProviderAdmin manages every organisation of its provider.
	RoleProviderAdmin Role = "provider_admin"
	// RoleOrgAdmin manages one organisation.
	RoleOrgAdmin Role = "org_admin"
	// RoleViewer reads, within its provider or organisation, and changes nothing.
	RoleViewer Role = "viewer"
)

// Valid reports whether r is a known role.
func (r Role) Valid() bool {
	return r == RoleProviderAdmin || r == RoleOrgAdmin || r == RoleViewer
}

// Rank orders roles by what they may do: a viewer 1, an organisation
// administrator 2, a provider administrator 3, anything else 0. Nobody
// may give or change a role ranked above their own.
func (r Role) Rank() int {
	switch r {
	case RoleViewer:
		return 1
	case RoleOrgAdmin:
		return 2
	case RoleProviderAdmin:
		return 3
	}
	return 0
}

// User is a person who signs in to the server.
type User struct {
	ID         string `json:"id"`
	ProviderID string `json:"provider_id"`
	// OrgID limits the user to one organisation; empty means every
	// organisation of the provider (provider admins and provider viewers).
	OrgID     string    `json:"org_id,omitempty"`
	Email     string    `json:"email"`
	Name      string    `json:"name"`
	Role      Role      `json:"role"`
	Disabled  bool      `json:"disabled"`
	CreatedAt time.Time `json:"created_at"`
}

// Scope is the part of the tenancy a store call may see or change: one
// provider, and within it optionally one organisation. Every store call
// that reads or writes tenant data takes one; there is no unscoped call
// except those named for background work.
type Scope struct {
	ProviderID string
	// OrgID, when set, narrows the scope to one organisation.
	OrgID string
}

// Covers reports whether the scope includes an object of this provider and
// organisation.
func (s Scope) Covers(providerID, orgID string) bool {
	if s.ProviderID == "" || s.ProviderID != providerID {
		return false
	}
	return s.OrgID == "" || s.OrgID == orgID
}

// Principal is who is asking: a user, an API token or an enrolled device,
// with what it may do. Handlers turn credentials into a Principal and every
// store call into the Principal's Scope.
type Principal struct {
	// Kind is user, token or device.
	Kind string
	// ID is the user, token or device ID (for the audit log; never a secret).
	ID   string
	Role Role
	Scope
	// DeviceID is set for devices: the only device they may write to.
	DeviceID string
}

// Principal kinds.
const (
	PrincipalUser   = "user"
	PrincipalToken  = "token"
	PrincipalDevice = "device"
)

// CanWrite reports whether the principal may change things in its scope:
// admins may, viewers and devices may not (devices only upload their own
// snapshots, which is checked separately).
func (p Principal) CanWrite() bool {
	return p.Kind != PrincipalDevice && (p.Role == RoleProviderAdmin || p.Role == RoleOrgAdmin)
}

// CanManageOrgs reports whether the principal may create organisations and
// provider-wide users and tokens.
func (p Principal) CanManageOrgs() bool {
	return p.Kind != PrincipalDevice && p.Role == RoleProviderAdmin && p.OrgID == ""
}

// TenantService keeps providers, organisations and sites.
type TenantService interface {
	CreateProvider(ctx context.Context, p *Provider) error
	// Providers lists every provider (server administration only).
	Providers(ctx context.Context) ([]*Provider, error)
	CreateOrg(ctx context.Context, scope Scope, o *Org) error
	Orgs(ctx context.Context, scope Scope) ([]*Org, error)
	// Org returns one organisation in scope, or ENOTFOUND.
	Org(ctx context.Context, scope Scope, id string) (*Org, error)
	CreateSite(ctx context.Context, scope Scope, s *Site) error
	Sites(ctx context.Context, scope Scope, orgID string) ([]*Site, error)
}

// UserService keeps users.
type UserService interface {
	CreateUser(ctx context.Context, scope Scope, u *User) error
	Users(ctx context.Context, scope Scope) ([]*User, error)
	User(ctx context.Context, scope Scope, id string) (*User, error)
	// UpdateUser changes a user's name, role, organisation and disabled flag.
	UpdateUser(ctx context.Context, scope Scope, u *User) error
}
