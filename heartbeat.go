package handwash

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// PrefixBackupJob starts a backup job's ping credential, which is part of
// its ping address: "hwb_<id>_<secret>".
const PrefixBackupJob = "hwb"

// BackupJob is a backup that reports to the server each time it runs, like
// a dead man's switch: the backup software (Veeam, Synology Hyper Backup,
// Windows Server Backup through a scheduled task, a script) calls the
// job's own address on success or failure, and a job that has not
// succeeded for longer than expected is overdue.
type BackupJob struct {
	ID         string `json:"id"`
	ProviderID string `json:"provider_id"`
	OrgID      string `json:"org_id"`
	// Name says which backup it is ("Nightly NAS backup").
	Name string `json:"name"`
	// Every is how often the backup should succeed; Grace is how late it
	// may be before it counts as overdue.
	Every time.Duration `json:"every"`
	Grace time.Duration `json:"grace"`
	// SecretHash is the SHA-256 of the ping credential's secret.
	SecretHash []byte    `json:"-"`
	CreatedAt  time.Time `json:"created_at"`
	// LastPingAt, LastSuccessAt and LastFailureAt are when it last
	// reported anything, a success and a failure.
	LastPingAt    *time.Time `json:"last_ping_at,omitempty"`
	LastSuccessAt *time.Time `json:"last_success_at,omitempty"`
	LastFailureAt *time.Time `json:"last_failure_at,omitempty"`
	// LastMessage is what the newest report said, if anything.
	LastMessage string `json:"last_message,omitempty"`
}

// Limits on backup jobs.
const (
	MinBackupEvery = time.Hour
	MaxBackupEvery = 31 * 24 * time.Hour
	// MaxPingMessage bounds what a ping may say.
	MaxPingMessage = 2000
)

// Backup job states.
const (
	// BackupWaiting: created, not yet due, nothing reported yet.
	BackupWaiting = "waiting"
	BackupOK      = "ok"
	// BackupFailed: the newest report was a failure.
	BackupFailed = "failed"
	// BackupOverdue: no success within Every plus Grace.
	BackupOverdue = "overdue"
)

// DueBy is when the job must next succeed: Every and Grace after its last
// success, or after it was created when it never succeeded.
func (j *BackupJob) DueBy() time.Time {
	from := j.CreatedAt
	if j.LastSuccessAt != nil {
		from = *j.LastSuccessAt
	}
	return from.Add(j.Every + j.Grace)
}

// State says where the job stands at now. Overdue wins over failed: a job
// that failed and then stopped reporting is overdue.
func (j *BackupJob) State(now time.Time) string {
	switch {
	case now.After(j.DueBy()):
		return BackupOverdue
	case j.LastFailureAt != nil && (j.LastSuccessAt == nil || j.LastFailureAt.After(*j.LastSuccessAt)):
		return BackupFailed
	case j.LastSuccessAt == nil:
		return BackupWaiting
	}
	return BackupOK
}

// Finding is the job's state as a finding in the backup area, for pages and
// reports: a failed or overdue backup is a high-severity failure.
func (j *BackupJob) Finding(now time.Time) Finding {
	f := Finding{ControlID: "backup.job-on-time", Area: AreaBackup, Severity: SeverityHigh,
		Title: "Backup job “" + j.Name + "” reports success on time"}
	switch j.State(now) {
	case BackupOverdue:
		f.Status = StatusFail
		if j.LastSuccessAt == nil {
			f.Summary = fmt.Sprintf("It has never reported a successful backup; it was due by %s.", j.DueBy().UTC().Format("2 Jan 2006 15:04 MST"))
		} else {
			f.Summary = fmt.Sprintf("Its last successful backup was %s; it should succeed every %s.", j.LastSuccessAt.UTC().Format("2 Jan 2006 15:04 MST"), DurationWords(j.Every))
		}
	case BackupFailed:
		f.Status = StatusFail
		f.Summary = "Its newest report was a failure (" + j.LastFailureAt.UTC().Format("2 Jan 2006 15:04 MST") + ")."
		if j.LastMessage != "" {
			f.Summary += " It said: " + j.LastMessage
		}
	case BackupWaiting:
		f.Status = StatusUnknown
		f.Summary = "It has not reported yet; it is due by " + j.DueBy().UTC().Format("2 Jan 2006 15:04 MST") + "."
	default:
		f.Status = StatusPass
		f.Summary = "Its last successful backup was " + j.LastSuccessAt.UTC().Format("2 Jan 2006 15:04 MST") + "."
	}
	if f.Status != StatusPass {
		f.Why = "A backup that has quietly stopped protects nothing: when a disk fails or ransomware strikes, everything written since the last good backup (care notes, rotas, records) is lost. The NCSC asks for backing up to be part of everyday business."
		f.Fix = "Open the backup software and look at its last run: it says why it failed or did not run (a full or missing drive, an expired password, a computer switched off). Run the backup by hand once it is fixed; the job reports to Handwash by itself. If the backup software was replaced, update the job's address in the new software, or remove the job."
	}
	return f
}

// DurationWords says a duration in whole days or hours.
func DurationWords(d time.Duration) string {
	plural := func(n int, unit string) string {
		if n == 1 {
			return "1 " + unit
		}
		return fmt.Sprintf("%d %ss", n, unit)
	}
	if d >= 24*time.Hour && d%(24*time.Hour) == 0 {
		return plural(int(d/(24*time.Hour)), "day")
	}
	if d >= time.Hour && d%time.Hour == 0 {
		return plural(int(d/time.Hour), "hour")
	}
	return plural(int(d/time.Minute), "minute")
}

// EveryWords says how often, in whole days or hours: "every day", "every
// 6 hours".
func EveryWords(d time.Duration) string {
	if d == 24*time.Hour || d == time.Hour {
		return "every " + strings.TrimPrefix(DurationWords(d), "1 ")
	}
	return "every " + DurationWords(d)
}

// BackupPing is one report from a backup job.
type BackupPing struct {
	JobID   string    `json:"job_id"`
	At      time.Time `json:"at"`
	Success bool      `json:"success"`
	// Message is what the backup software sent with it, clipped.
	Message string `json:"message,omitempty"`
}

// BackupJobService keeps backup jobs and their reports.
type BackupJobService interface {
	CreateBackupJob(ctx context.Context, scope Scope, j *BackupJob) error
	// BackupJobs lists the jobs in scope, of one organisation when orgID
	// is set, by name.
	BackupJobs(ctx context.Context, scope Scope, orgID string) ([]*BackupJob, error)
	BackupJob(ctx context.Context, scope Scope, id string) (*BackupJob, error)
	DeleteBackupJob(ctx context.Context, scope Scope, id string) error
	// BackupPings lists a job's newest reports, newest first.
	BackupPings(ctx context.Context, scope Scope, jobID string, limit int) ([]*BackupPing, error)

	// BackupJobForPing returns a job by ID whatever its scope, for the
	// ping address; the caller compares the secret's hash.
	BackupJobForPing(ctx context.Context, id string) (*BackupJob, error)
	// RecordBackupPing stores a report and moves the job's times; a failure
	// of a job that was not failing queues a backup_failed notice, in the
	// same transaction. Reports older than a year and a month go.
	RecordBackupPing(ctx context.Context, p *BackupPing) error
	// QueueBackupOverdue queues a backup_overdue notice for each job past
	// its due time that has had none since its last success, and returns
	// how many.
	QueueBackupOverdue(ctx context.Context, now time.Time) (int, error)
}
