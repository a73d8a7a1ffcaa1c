package handwash

import (
	"context"
	"time"
)

// PhishInbox is an organisation's report-phishing mailbox: staff forward
// suspicious emails to it, and the server reads it over IMAP with TLS.
type PhishInbox struct {
	ProviderID string `json:"provider_id"`
	OrgID      string `json:"org_id"`
	// Addr is the IMAP server as host:port (993 for TLS from the start,
	// 143 for STARTTLS).
	Addr string `json:"addr"`
	// Security is "tls" or "starttls"; empty chooses by port.
	Security string `json:"security,omitempty"`
	Username string `json:"username"`
	// Password is a secret: never logged, never shown, never in JSON.
	Password string `json:"-"`
	// Folder is the mailbox folder read, INBOX when empty.
	Folder string `json:"folder,omitempty"`
	// Domains are the organisation's own mail domains. A reporter at one of
	// them is thanked by email (nobody else is, so the inbox cannot be used
	// to send mail to strangers), and lookalikes of them are a phishing
	// sign.
	Domains []string `json:"domains"`
	// LastCheckedAt and LastError say how the newest reading went; the
	// error is plain English and holds no secret.
	LastCheckedAt *time.Time `json:"last_checked_at,omitempty"`
	LastError     string     `json:"last_error,omitempty"`
	CreatedAt     time.Time  `json:"created_at"`
}

// Where a phishing report came from.
const (
	PhishFromMailbox = "mailbox"
	PhishFromUpload  = "upload"
)

// PhishReport is one suspicious email someone reported, with Handwash's
// analysis of it. The original message is kept apart (PhishOriginal), for
// the organisation's administrators only.
type PhishReport struct {
	ID         string `json:"id"`
	ProviderID string `json:"provider_id"`
	OrgID      string `json:"org_id"`
	// Source is mailbox or upload.
	Source string `json:"source"`
	// Reporter is the address of who reported it; ReporterName their name
	// as their mail program gave it. For an upload, the user's.
	Reporter     string `json:"reporter,omitempty"`
	ReporterName string `json:"reporter_name,omitempty"`
	// UploadedBy is the user who uploaded it on the dashboard.
	UploadedBy string `json:"uploaded_by,omitempty"`
	// Carried says how the report held the suspect email: attached,
	// inline or direct.
	Carried string `json:"carried"`
	// Note is what the reporter wrote with it.
	Note string `json:"note,omitempty"`
	// From and Subject are the suspect email's.
	From    string `json:"from,omitempty"`
	Subject string `json:"subject,omitempty"`
	// Verdict and Score are the analysis's: likely phishing, suspicious or
	// no signs found.
	Verdict string `json:"verdict"`
	Score   int    `json:"score"`
	// Analysis is the whole analysis as JSON (the phish package's Report).
	Analysis []byte `json:"analysis,omitempty"`
	// Digest is the SHA-256 of the original as received, in hex: the same
	// message received twice is one report.
	Digest     string    `json:"digest"`
	Size       int       `json:"size"`
	ReceivedAt time.Time `json:"received_at"`
	// Thanked says a thank-you email to the reporter was queued.
	Thanked bool `json:"thanked"`
}

// Phishing verdicts as reports store them (the phish package's words).
const (
	PhishVerdictPhishing   = "likely phishing"
	PhishVerdictSuspicious = "suspicious"
	PhishVerdictNone       = "no signs found"
)

// PhishMonth counts one month's reports of an organisation.
type PhishMonth struct {
	// Month is the first day of the month, UTC.
	Month      time.Time `json:"month"`
	Reports    int       `json:"reports"`
	Phishing   int       `json:"phishing"`
	Suspicious int       `json:"suspicious"`
}

// PhishReportFilter narrows a listing of reports.
type PhishReportFilter struct {
	OrgID   string
	Verdict string
	Offset  int
	Limit   int
}

// PhishService keeps report-phishing inboxes and the reports people make.
type PhishService interface {
	// PutPhishInbox creates or replaces the organisation's inbox settings.
	PutPhishInbox(ctx context.Context, scope Scope, in *PhishInbox) error
	// PhishInbox returns the organisation's inbox, ENOTFOUND when it has
	// none. The password is filled in, for the server's own use.
	PhishInbox(ctx context.Context, scope Scope, orgID string) (*PhishInbox, error)
	DeletePhishInbox(ctx context.Context, scope Scope, orgID string) error
	// PhishInboxes lists every inbox, with passwords, for the process that
	// reads them (background work across tenants).
	PhishInboxes(ctx context.Context) ([]*PhishInbox, error)
	// SetPhishInboxStatus records how reading an inbox went.
	SetPhishInboxStatus(ctx context.Context, orgID string, at time.Time, lastError string) error

	// PutPhishReport stores a report and its original in one transaction,
	// with the notices it causes: the reporter's thanks when thank is set
	// (r.Thanked is set to match), and, for likely phishing, the notice to
	// the organisation's people. A message whose digest the organisation
	// already has is the same report again: nothing changes, created is
	// false, and r is filled from the stored report.
	PutPhishReport(ctx context.Context, scope Scope, r *PhishReport, original []byte, thank bool) (created bool, err error)
	PhishReports(ctx context.Context, scope Scope, filter PhishReportFilter) ([]*PhishReport, int, error)
	PhishReport(ctx context.Context, scope Scope, id string) (*PhishReport, error)
	// PhishOriginal returns the message as it was received.
	PhishOriginal(ctx context.Context, scope Scope, id string) ([]byte, error)
	// PhishMonths counts an organisation's reports per month from since's
	// month on, oldest first, with every month present (zero when none).
	PhishMonths(ctx context.Context, scope Scope, orgID string, since, now time.Time) ([]PhishMonth, error)
}
