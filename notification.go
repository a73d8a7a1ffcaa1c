package handwash

import (
	"context"
	"slices"
	"time"
)

// NotifyKind says what a notification is about.
type NotifyKind string

// The kinds of notification the server sends.
const (
	// NotifyNewFailure: a device newly fails a high-severity or critical
	// check.
	NotifyNewFailure NotifyKind = "new_high_failure"
	// NotifyDeviceStale: a device has stopped reporting.
	NotifyDeviceStale NotifyKind = "device_stale"
	// NotifyWeeklySummary: an organisation's scores for the week.
	NotifyWeeklySummary NotifyKind = "weekly_summary"
	// NotifyTest: a message someone sends to check the settings.
	NotifyTest NotifyKind = "test"
	// NotifyAlertAckOverdue: nobody acknowledged an alert in time.
	NotifyAlertAckOverdue NotifyKind = "alert_ack_overdue"
	// NotifyAlertFixOverdue: an alert is still open after its time to fix
	// ran out.
	NotifyAlertFixOverdue NotifyKind = "alert_fix_overdue"
	// NotifyPhishReported: someone reported an email that is likely
	// phishing.
	NotifyPhishReported NotifyKind = "phish_reported"
	// NotifyPhishThanks: the thank-you to a person who reported an email,
	// with what Handwash found. It goes to the reporter alone.
	NotifyPhishThanks NotifyKind = "phish_thanks"
	// NotifyBackupFailed: a backup job reported a failure.
	NotifyBackupFailed NotifyKind = "backup_failed"
	// NotifyBackupOverdue: a backup job has not reported a success in
	// time.
	NotifyBackupOverdue NotifyKind = "backup_overdue"
)

// NotifyChoices are the kinds a person or a webhook may choose to receive,
// in the order pages list them. Tests go to whoever asked for them.
var NotifyChoices = []NotifyKind{NotifyNewFailure, NotifyDeviceStale, NotifyWeeklySummary, NotifyAlertAckOverdue, NotifyAlertFixOverdue, NotifyPhishReported, NotifyBackupFailed, NotifyBackupOverdue}

// Title names the kind as people read it.
func (k NotifyKind) Title() string {
	switch k {
	case NotifyNewFailure:
		return "A device newly fails a high-severity or critical check"
	case NotifyDeviceStale:
		return "A device has stopped reporting"
	case NotifyWeeklySummary:
		return "Weekly summary of the organisation's scores"
	case NotifyTest:
		return "Test message"
	case NotifyAlertAckOverdue:
		return "Nobody has acknowledged an alert in time"
	case NotifyAlertFixOverdue:
		return "An alert is still open after its time to fix ran out"
	case NotifyPhishReported:
		return "Someone reported an email that is likely phishing"
	case NotifyPhishThanks:
		return "Thanks to a person who reported an email"
	case NotifyBackupFailed:
		return "A backup job reported a failure"
	case NotifyBackupOverdue:
		return "A backup job has not succeeded in time"
	}
	return string(k)
}

// Valid reports whether k is one of NotifyChoices.
func (k NotifyKind) Valid() bool { return slices.Contains(NotifyChoices, k) }

// DefaultNotifyKinds is what a person receives by email until they choose:
// administrators everything, viewers nothing. The weekly summary is for
// "organisation administrators" in the sense of whoever looks after one.
func DefaultNotifyKinds(r Role) []NotifyKind {
	if r == RoleProviderAdmin || r == RoleOrgAdmin {
		return slices.Clone(NotifyChoices)
	}
	return nil
}

// NotifyEvent is something people may need to hear about, queued in the
// store in the same transaction as what caused it, and turned into
// deliveries (one per recipient) by the notifier.
type NotifyEvent struct {
	ID         int64
	ProviderID string
	OrgID      string
	Kind       NotifyKind
	// AlertID is the alert an alert reminder is about.
	AlertID string
	// ReportID is the phishing report a phishing notice or thank-you is
	// about.
	ReportID string
	// Email, for a thank-you, is its one recipient: the reporter, who
	// need not be a user.
	Email string
	// JobID is the backup job a backup notice is about.
	JobID string
	// DeviceID, ControlID and Severity say which device and check, for new
	// failures and stale devices.
	DeviceID  string
	ControlID string
	Severity  Severity
	// At is when it happened: the failure was found, the device was last
	// seen, the summary's week ended, the test was asked for.
	At time.Time
	// UserID or WebhookID, for a test, is its one recipient.
	UserID    string
	WebhookID string

	// Filled in when events are listed for the notifier.
	OrgName  string
	Hostname string
}

// Webhook is an address that receives an organisation's notifications (or,
// without OrgID, every organisation's of the provider) as JSON.
type Webhook struct {
	ID         string `json:"id"`
	ProviderID string `json:"provider_id"`
	// OrgID empty means every organisation of the provider.
	OrgID string `json:"org_id,omitempty"`
	Name  string `json:"name"`
	// Format is generic, slack or teams.
	Format string `json:"format"`
	// URL and Secret are secrets (Slack and Teams addresses hold a token):
	// they are never logged, and pages show only the URL's host.
	URL       string       `json:"-"`
	Secret    string       `json:"-"`
	Kinds     []NotifyKind `json:"kinds"`
	CreatedAt time.Time    `json:"created_at"`
}

// Wants reports whether the webhook receives kind.
func (w *Webhook) Wants(k NotifyKind) bool { return slices.Contains(w.Kinds, k) }

// Delivery channels.
const (
	ChannelEmail   = "email"
	ChannelWebhook = "webhook"
)

// DeliveryStatus is where a delivery stands.
type DeliveryStatus string

// Delivery statuses.
const (
	DeliveryPending DeliveryStatus = "pending"
	DeliverySent    DeliveryStatus = "sent"
	// DeliveryFailed: given up, because the error will not fix itself or
	// the tries ran out.
	DeliveryFailed DeliveryStatus = "failed"
)

// Delivery is one message to one recipient, tried until it is sent or
// given up.
type Delivery struct {
	ID         int64
	ProviderID string
	OrgID      string
	Kind       NotifyKind
	Channel    string
	// UserID and Email for email; WebhookID for a webhook (and Webhook,
	// filled in when due deliveries are listed for sending).
	UserID    string
	Email     string
	WebhookID string
	Webhook   *Webhook
	// Recipient is the email address or the webhook's name, for pages.
	Recipient string
	Subject   string
	// Message is the message as the notifier encoded it.
	Message   []byte
	Status    DeliveryStatus
	Attempts  int
	NextAt    time.Time
	LastError string
	CreatedAt time.Time
	SentAt    time.Time
}

// NotifyRecipient is a person who may receive email about an organisation,
// with what they receive.
type NotifyRecipient struct {
	User  *User
	Kinds []NotifyKind
}

// Wants reports whether the person receives kind.
func (r NotifyRecipient) Wants(k NotifyKind) bool { return slices.Contains(r.Kinds, k) }

// DeliveryResult is how one try at a delivery went.
type DeliveryResult struct {
	ID   int64
	Sent bool
	// RetryAt, when not zero and not sent, is when to try again; zero
	// means give up.
	RetryAt time.Time
	// Error says what went wrong, in plain English, without secrets.
	Error string
	At    time.Time
}

// NotifyService keeps people's notification choices, the webhooks, and the
// queue of notifications waiting to be sent.
type NotifyService interface {
	// NotifyKinds returns what a user receives by email, and whether they
	// chose it (false: their role's default).
	NotifyKinds(ctx context.Context, scope Scope, userID string) ([]NotifyKind, bool, error)
	SetNotifyKinds(ctx context.Context, scope Scope, userID string, kinds []NotifyKind) error

	// CreateWebhook stores a webhook for scope's organisation, or for the
	// whole provider when w.OrgID is empty (provider scope only).
	CreateWebhook(ctx context.Context, scope Scope, w *Webhook) error
	// Webhooks lists the webhooks scope may see: with an organisation, its
	// own and the provider-wide ones.
	Webhooks(ctx context.Context, scope Scope) ([]*Webhook, error)
	DeleteWebhook(ctx context.Context, scope Scope, id string) error

	// QueueNotification queues an event (a test, from a page).
	QueueNotification(ctx context.Context, scope Scope, e *NotifyEvent) error
	// Deliveries lists the newest deliveries scope may see, newest first.
	Deliveries(ctx context.Context, scope Scope, limit int) ([]*Delivery, error)

	// The rest is for the notifier, which works for every tenant.

	// QueueStaleNotices queues a device_stale event for each device last
	// seen before staleBefore that has not had one since it was last seen,
	// and returns how many.
	QueueStaleNotices(ctx context.Context, staleBefore, now time.Time) (int, error)
	// QueueAlertReminders queues an alert_ack_overdue event for each open
	// alert past its time to acknowledge, and an alert_fix_overdue event
	// for each alert not closed past its time to fix, once each, and
	// returns how many.
	QueueAlertReminders(ctx context.Context, now time.Time) (int, error)
	// QueueWeeklySummaries queues a weekly_summary event for each
	// organisation that has not had one for the week ending weekEnding.
	QueueWeeklySummaries(ctx context.Context, weekEnding time.Time) (int, error)
	// PendingNotifyEvents lists up to limit events not yet turned into
	// deliveries, oldest first.
	PendingNotifyEvents(ctx context.Context, limit int) ([]*NotifyEvent, error)
	// NotifyRecipients lists the enabled people with a password who may see
	// the organisation, with what they receive, and the webhooks for it.
	NotifyRecipients(ctx context.Context, providerID, orgID string) ([]NotifyRecipient, []*Webhook, error)
	// FanOut stores deliveries and marks the events done, in one
	// transaction; it changes nothing when any of the events was done
	// already.
	FanOut(ctx context.Context, eventIDs []int64, ds []*Delivery) error
	// ClaimDeliveries hands out up to limit pending deliveries that are
	// due, each counting a try, and holds them until now+lease so that no
	// other process sends them meanwhile.
	ClaimDeliveries(ctx context.Context, now time.Time, limit int, lease time.Duration) ([]*Delivery, error)
	// FinishDelivery records how a try went.
	FinishDelivery(ctx context.Context, r DeliveryResult) error
	// PruneNotifications removes deliveries and events finished before
	// before, and returns how many deliveries went.
	PruneNotifications(ctx context.Context, before time.Time) (int, error)
}
