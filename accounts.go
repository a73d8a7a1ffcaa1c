package handwash

import (
	"context"
	"slices"
	"time"
)

// Where cloud accounts were imported from.
const (
	AccountsM365   = "m365"
	AccountsGoogle = "google"
)

// CloudSources are the sources of cloud accounts, in the order pages and
// reports list them.
var CloudSources = []string{AccountsM365, AccountsGoogle}

// CloudSourceName names a source of cloud accounts as people know it;
// empty for a source Handwash does not know.
func CloudSourceName(source string) string {
	switch source {
	case AccountsM365:
		return "Microsoft 365"
	case AccountsGoogle:
		return "Google Workspace"
	}
	return ""
}

// SourceRank is where source stands in order (such as CloudSources or
// MobileSources), or after all of them when it is not there.
func SourceRank(order []string, source string) int {
	if i := slices.Index(order, source); i >= 0 {
		return i
	}
	return len(order)
}

// CloudAccount is one user of the organisation's cloud email and office
// service (Microsoft 365 / Entra ID, Google Workspace), as its own export
// describes it. Imports replace an organisation's accounts of that source
// as a whole.
type CloudAccount struct {
	OrgID string `json:"org_id"`
	// Source is m365 or google.
	Source string `json:"source"`
	// Email is the sign-in name (user principal name or primary email).
	Email string `json:"email"`
	Name  string `json:"name,omitempty"`
	// Admin says the account holds an administrator role.
	Admin bool `json:"admin"`
	// MFA says two-step verification is registered or enforced; nil when
	// the export does not say.
	MFA *bool `json:"mfa,omitempty"`
	// MFAMethods lists the methods registered, in the export's words.
	MFAMethods []string `json:"mfa_methods,omitempty"`
	// Shared says the account is a shared or resource mailbox, which nobody
	// should sign in to directly.
	Shared bool `json:"shared"`
	// SignInAllowed says the account can sign in (not blocked or
	// suspended); nil when the export does not say.
	SignInAllowed *bool `json:"sign_in_allowed,omitempty"`
	// LastSignIn is the last sign-in the export records.
	LastSignIn *time.Time `json:"last_sign_in,omitempty"`
}

// CloudImport is one import of an organisation's accounts from one source.
type CloudImport struct {
	OrgID      string    `json:"org_id"`
	Source     string    `json:"source"`
	ImportedAt time.Time `json:"imported_at"`
	// ImportedBy is the user who imported it.
	ImportedBy string `json:"imported_by,omitempty"`
	Accounts   int    `json:"accounts"`
}

// Where a phone or tablet's record came from.
const (
	MobileIntune    = "intune"
	MobileGoogle    = "google"
	MobileJamf      = "jamf"
	MobileByHand    = "manual"
	MobileSelfCheck = "selfcheck"
)

// MobileSources are where phone and tablet records come from, in the order
// pages and reports list them: the MDMs first.
var MobileSources = []string{MobileIntune, MobileGoogle, MobileJamf, MobileByHand, MobileSelfCheck}

// MobileSourceName names where a phone or tablet's record came from;
// empty for a source Handwash does not know.
func MobileSourceName(source string) string {
	switch source {
	case MobileIntune:
		return "Microsoft Intune"
	case MobileGoogle:
		return "Google endpoint management"
	case MobileJamf:
		return "Jamf Pro"
	case MobileByHand:
		return "Entered by hand"
	case MobileSelfCheck:
		return "Staff self-check"
	}
	return ""
}

// IsMDM reports whether a phone or tablet's record came from an MDM's
// export, which the next export of the same MDM replaces.
func IsMDM(source string) bool {
	return source == MobileIntune || source == MobileGoogle || source == MobileJamf
}

// MobileDevice is one phone or tablet of the organisation, from an MDM
// export, an entry by hand or a staff member's self-check.
type MobileDevice struct {
	ID    string `json:"id"`
	OrgID string `json:"org_id"`
	// Source is intune, google, jamf, manual or selfcheck.
	Source string `json:"source"`
	// ExternalID is the MDM's own ID or the serial number, so a new export
	// updates the same record.
	ExternalID string `json:"external_id,omitempty"`
	Owner      string `json:"owner,omitempty"`
	Name       string `json:"name,omitempty"`
	Model      string `json:"model,omitempty"`
	// OS is ios, ipados, android or another name; OSVersion as reported.
	OS        string `json:"os"`
	OSVersion string `json:"os_version,omitempty"`
	// Passcode, Encrypted and Managed (can be wiped remotely) are nil when
	// the source does not say.
	Passcode  *bool `json:"passcode,omitempty"`
	Encrypted *bool `json:"encrypted,omitempty"`
	Managed   *bool `json:"managed,omitempty"`
	// AutoUpdates says the system and apps update themselves, and
	// UnknownWiFi that the person joins public or unknown Wi-Fi with it:
	// only a self-check records them (nil otherwise).
	AutoUpdates *bool `json:"auto_updates,omitempty"`
	UnknownWiFi *bool `json:"unknown_wifi,omitempty"`
	// LastSeen is the last check-in with the MDM, or the self-check.
	LastSeen  *time.Time `json:"last_seen,omitempty"`
	UpdatedAt time.Time  `json:"updated_at"`
}

// CloudService keeps the organisation's cloud accounts and its phones and
// tablets.
type CloudService interface {
	// ReplaceCloudAccounts stores an import: the organisation's accounts
	// from that source are replaced by accounts, all or nothing.
	ReplaceCloudAccounts(ctx context.Context, scope Scope, imp *CloudImport, accounts []CloudAccount) error
	CloudAccounts(ctx context.Context, scope Scope, orgID string) ([]CloudAccount, []CloudImport, error)

	// ReplaceMobileDevices stores an MDM import: the organisation's devices
	// from that source are replaced, all or nothing (devices entered by
	// hand or by self-check stay).
	ReplaceMobileDevices(ctx context.Context, scope Scope, orgID, source string, devices []MobileDevice) error
	// PutMobileDevice adds or updates one device entered by hand or by
	// self-check: by ID when set; a self-check without an ID updates the
	// organisation's self-checked device with the same ExternalID, so the
	// same phone checked again is one record.
	PutMobileDevice(ctx context.Context, scope Scope, d *MobileDevice) error
	DeleteMobileDevice(ctx context.Context, scope Scope, id string) error
	MobileDevices(ctx context.Context, scope Scope, orgID string) ([]*MobileDevice, error)
}
