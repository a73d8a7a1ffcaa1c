package handwash

import (
	"context"
	"time"
)

// AlertState is where an alert stands.
type AlertState string

// Alert states.
const (
	// AlertOpen: nobody has said they are dealing with it yet.
	AlertOpen AlertState = "open"
	// AlertAcknowledged: someone is dealing with it.
	AlertAcknowledged AlertState = "acknowledged"
	// AlertClosed: fixed on every device, or closed by a person with a
	// reason.
	AlertClosed AlertState = "closed"
)

// Alert origins.
const (
	// AlertAutomatic alerts are opened by Handwash when a critical check
	// newly fails on a device (a known exploited flaw, an unsupported
	// operating system, SMBv1, ...), and close themselves when every
	// affected device is fixed.
	AlertAutomatic = "automatic"
	// AlertManual alerts are entered by a person, such as an NHS England
	// cyber alert with its CC- reference.
	AlertManual = "manual"
)

// Default alert clocks: acknowledge within 48 hours, fix within 14 days
// (Cyber Essentials' limit for critical fixes).
const (
	DefaultAckWithin = 48 * time.Hour
	DefaultFixWithin = 14 * 24 * time.Hour
)

// Alert is something that needs acting on, with two clocks: acknowledge
// it by AckDue, fix it by FixDue.
type Alert struct {
	ID         string `json:"id"`
	ProviderID string `json:"provider_id"`
	OrgID      string `json:"org_id"`
	// Origin is automatic or manual.
	Origin string `json:"origin"`
	// ControlID is the critical check an automatic alert is about.
	ControlID string   `json:"control_id,omitempty"`
	Severity  Severity `json:"severity"`
	Title     string   `json:"title"`
	// Reference is the alert's outside reference, such as CC-4567 for an
	// NHS England cyber alert; Link its page.
	Reference string `json:"reference,omitempty"`
	Link      string `json:"link,omitempty"`
	// Detail says what it is; Action what to do.
	Detail string     `json:"detail,omitempty"`
	Action string     `json:"action,omitempty"`
	State  AlertState `json:"state"`
	// OwnerID is the user dealing with it; OwnerName their name.
	OwnerID   string    `json:"owner_id,omitempty"`
	OwnerName string    `json:"owner_name,omitempty"`
	OpenedAt  time.Time `json:"opened_at"`
	AckDue    time.Time `json:"ack_due"`
	FixDue    time.Time `json:"fix_due"`
	// AcknowledgedAt and ClosedAt are zero until then.
	AcknowledgedAt time.Time `json:"acknowledged_at,omitzero"`
	ClosedAt       time.Time `json:"closed_at,omitzero"`
	CloseReason    string    `json:"close_reason,omitempty"`
	// Devices are the devices an automatic alert is about (filled in by
	// the store's Alert, not by its lists); Affected counts those not yet
	// fixed.
	Devices  []AlertDevice `json:"devices,omitempty"`
	Affected int           `json:"affected"`
}

// AlertDevice is one device an automatic alert is about.
type AlertDevice struct {
	DeviceID string    `json:"device_id"`
	Hostname string    `json:"hostname"`
	Since    time.Time `json:"since"`
	// FixedAt is when the device's Facts showed it fixed; zero until then.
	FixedAt time.Time `json:"fixed_at,omitzero"`
}

// AckOverdue reports whether nobody acknowledged the alert in time.
func (a *Alert) AckOverdue(now time.Time) bool {
	return a.State == AlertOpen && now.After(a.AckDue)
}

// FixOverdue reports whether the alert is still not closed after its fix
// clock ran out.
func (a *Alert) FixOverdue(now time.Time) bool {
	return a.State != AlertClosed && now.After(a.FixDue)
}

// AlertStep is one step in an alert's audit trail.
type AlertStep struct {
	At        time.Time `json:"at"`
	ActorID   string    `json:"actor_id,omitempty"`
	ActorName string    `json:"actor_name"`
	// Action is opened, device_added, device_fixed, acknowledged,
	// assigned, closed or reopened.
	Action string `json:"action"`
	Detail string `json:"detail,omitempty"`
}

// AlertClocks are a provider's alert clocks.
type AlertClocks struct {
	AckWithin time.Duration `json:"ack_within"`
	FixWithin time.Duration `json:"fix_within"`
}

// AlertFilter narrows a list of alerts.
type AlertFilter struct {
	OrgID string
	// Open lists only alerts that are not closed; Closed only closed ones.
	Open, Closed bool
	Limit        int
}

// AlertService keeps alerts, their devices and their audit trails.
// Automatic alerts are opened, extended and closed by the store itself, in
// the transaction that stores each assessment.
type AlertService interface {
	// CreateAlert stores a manual alert, with its clocks from the
	// provider's AlertClocks.
	CreateAlert(ctx context.Context, scope Scope, a *Alert, actor Actor) error
	Alerts(ctx context.Context, scope Scope, f AlertFilter) ([]*Alert, error)
	// Alert returns one alert with its devices.
	Alert(ctx context.Context, scope Scope, id string) (*Alert, error)
	AlertSteps(ctx context.Context, scope Scope, id string) ([]AlertStep, error)
	AcknowledgeAlert(ctx context.Context, scope Scope, id string, actor Actor) error
	// AssignAlert makes a user of the alert's organisation (or provider)
	// its owner.
	AssignAlert(ctx context.Context, scope Scope, id, ownerID string, actor Actor) error
	CloseAlert(ctx context.Context, scope Scope, id, reason string, actor Actor) error
	AlertClocks(ctx context.Context, scope Scope) (AlertClocks, error)
	SetAlertClocks(ctx context.Context, scope Scope, c AlertClocks) error
}

// Actor is who did something, for audit trails.
type Actor struct {
	ID   string
	Name string
	At   time.Time
}
