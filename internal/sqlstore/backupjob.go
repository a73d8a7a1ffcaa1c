package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/handwash/handwash"
)

// pingKeep is how long a job's reports are kept: a year, and a month to
// compare with.
const pingKeep = 395 * 24 * time.Hour

const backupJobColumns = `j.id, j.provider_id, j.org_id, j.name, j.every_us, j.grace_us, j.secret_hash, j.created_at,
	j.last_ping_at, j.last_success_at, j.last_failure_at, j.last_message`

func scanBackupJob(r scanner) (*handwash.BackupJob, error) {
	var j handwash.BackupJob
	var every, grace, created int64
	var ping, success, failure sql.NullInt64
	if err := r.Scan(&j.ID, &j.ProviderID, &j.OrgID, &j.Name, &every, &grace, &j.SecretHash, &created,
		&ping, &success, &failure, &j.LastMessage); err != nil {
		return nil, err
	}
	j.Every, j.Grace = time.Duration(every)*time.Microsecond, time.Duration(grace)*time.Microsecond
	j.CreatedAt = fromMicros(created)
	j.LastPingAt, j.LastSuccessAt, j.LastFailureAt = optTime(ping), optTime(success), optTime(failure)
	return &j, nil
}

// CreateBackupJob stores a new job of an organisation in scope.
func (s *Store) CreateBackupJob(ctx context.Context, scope handwash.Scope, j *handwash.BackupJob) error {
	name := strings.TrimSpace(j.Name)
	switch {
	case name == "" || utf8.RuneCountInString(name) > 100:
		return invalid("name: give the backup a name of 1 to 100 characters, such as “Nightly NAS backup”")
	case j.Every < handwash.MinBackupEvery || j.Every > handwash.MaxBackupEvery:
		return invalid("every: give how often the backup runs, from an hour to 31 days")
	case j.Grace < 0 || j.Grace > j.Every:
		return invalid("grace: give how late the backup may be, from none up to its interval")
	case len(j.SecretHash) == 0:
		return invalid("the job has no secret")
	}
	id, created := j.ID, s.nowOr(j.CreatedAt)
	if id == "" {
		id = handwash.NewID("bkj")
	}
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if err := s.orgInScope(ctx, tx, scope, j.OrgID); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO backup_jobs (id, provider_id, org_id, name, every_us, grace_us, secret_hash, created_at, due_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
			id, scope.ProviderID, j.OrgID, name, j.Every.Microseconds(), j.Grace.Microseconds(), j.SecretHash, micros(created),
			micros(created.Add(j.Every+j.Grace)))
		return err
	})
	if err != nil {
		return s.dbErr("create backup job", err)
	}
	j.ID, j.ProviderID, j.Name, j.CreatedAt = id, scope.ProviderID, name, created
	return nil
}

// BackupJobs lists jobs in scope by organisation and name.
func (s *Store) BackupJobs(ctx context.Context, scope handwash.Scope, orgID string) ([]*handwash.BackupJob, error) {
	var q query
	q.scoped(scope, "j")
	if orgID != "" {
		q.where("j.org_id = ?", orgID)
	}
	return list(ctx, s, "list backup jobs", scanBackupJob,
		`SELECT `+backupJobColumns+` FROM backup_jobs j`+q.clause()+` ORDER BY j.org_id, j.name, j.id`, q.args...)
}

// BackupJob returns one job in scope.
func (s *Store) BackupJob(ctx context.Context, scope handwash.Scope, id string) (*handwash.BackupJob, error) {
	var q query
	q.scoped(scope, "j")
	q.where("j.id = ?", id)
	j, err := scanBackupJob(s.read.QueryRowContext(ctx, `SELECT `+backupJobColumns+` FROM backup_jobs j`+q.clause(), q.args...))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("backup job", id)
	}
	return j, s.dbErr("find backup job", err)
}

// DeleteBackupJob removes a job and its reports.
func (s *Store) DeleteBackupJob(ctx context.Context, scope handwash.Scope, id string) error {
	var q query
	q.scoped(scope, "backup_jobs")
	q.where("id = ?", id)
	res, err := s.write.ExecContext(ctx, `DELETE FROM backup_jobs`+q.clause(), q.args...)
	if err != nil {
		return s.dbErr("delete backup job", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return notFound("backup job", id)
	}
	return nil
}

// BackupPings lists a job's newest reports.
func (s *Store) BackupPings(ctx context.Context, scope handwash.Scope, jobID string, limit int) ([]*handwash.BackupPing, error) {
	if _, err := s.BackupJob(ctx, scope, jobID); err != nil {
		return nil, err
	}
	if limit <= 0 || limit > 1000 {
		limit = 1000
	}
	return list(ctx, s, "list backup reports", func(r scanner) (*handwash.BackupPing, error) {
		p := handwash.BackupPing{JobID: jobID}
		var at int64
		err := r.Scan(&at, &p.Success, &p.Message)
		p.At = fromMicros(at)
		return &p, err
	}, `SELECT at, success, message FROM backup_pings WHERE job_id = $1 ORDER BY at DESC, id DESC LIMIT $2`, jobID, limit)
}

// BackupJobForPing returns a job by ID for the ping address.
func (s *Store) BackupJobForPing(ctx context.Context, id string) (*handwash.BackupJob, error) {
	j, err := scanBackupJob(s.read.QueryRowContext(ctx, `SELECT `+backupJobColumns+` FROM backup_jobs j WHERE j.id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("backup job", id)
	}
	return j, s.dbErr("find backup job", err)
}

// RecordBackupPing stores a report, moves the job's times and queues a
// notice when a job starts failing.
func (s *Store) RecordBackupPing(ctx context.Context, p *handwash.BackupPing) error {
	if len(p.Message) > handwash.MaxPingMessage || !utf8.ValidString(p.Message) {
		return invalid("message: send at most %d bytes of UTF-8 text", handwash.MaxPingMessage)
	}
	at := s.nowOr(p.At)
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		j, err := scanBackupJob(tx.QueryRowContext(ctx, `SELECT `+backupJobColumns+` FROM backup_jobs j WHERE j.id = $1`+s.d.LockRows, p.JobID))
		if errors.Is(err, sql.ErrNoRows) {
			return notFound("backup job", p.JobID)
		}
		if err != nil {
			return err
		}
		failingBefore := j.LastFailureAt != nil && (j.LastSuccessAt == nil || j.LastFailureAt.After(*j.LastSuccessAt))
		if _, err := tx.ExecContext(ctx, `INSERT INTO backup_pings (job_id, at, success, message) VALUES ($1, $2, $3, $4)`,
			j.ID, micros(at), p.Success, p.Message); err != nil {
			return err
		}
		if p.Success {
			success := at
			if j.LastSuccessAt != nil && j.LastSuccessAt.After(at) {
				success = *j.LastSuccessAt // a late report of an older run
			}
			_, err = tx.ExecContext(ctx, `UPDATE backup_jobs SET last_ping_at = $2, last_success_at = $3, last_message = $4, due_at = $5 WHERE id = $1`,
				j.ID, micros(at), micros(success), p.Message, micros(success.Add(j.Every+j.Grace)))
		} else {
			_, err = tx.ExecContext(ctx, `UPDATE backup_jobs SET last_ping_at = $2, last_failure_at = $2, last_message = $3 WHERE id = $1`,
				j.ID, micros(at), p.Message)
		}
		if err != nil {
			return err
		}
		if !p.Success && !failingBefore {
			e := handwash.NotifyEvent{ProviderID: j.ProviderID, OrgID: j.OrgID, Kind: handwash.NotifyBackupFailed, JobID: j.ID, At: at}
			if _, err := insertEvent(ctx, tx, &e, at); err != nil {
				return err
			}
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM backup_pings WHERE job_id = $1 AND at < $2`, j.ID, micros(at.Add(-pingKeep)))
		return err
	})
	if err != nil {
		return s.dbErr("record backup report", err)
	}
	p.At = at
	return nil
}

// QueueBackupOverdue queues one notice per overdue spell of each job.
func (s *Store) QueueBackupOverdue(ctx context.Context, now time.Time) (int, error) {
	now = s.nowOr(now)
	n, err := s.queueEvents(ctx, now, `SELECT id, provider_id, org_id, due_at FROM backup_jobs
			WHERE due_at < $1 AND (overdue_notified_at IS NULL OR overdue_notified_at <> due_at)
			ORDER BY id LIMIT 10000`, []any{micros(now)},
		func(r scanner, e *handwash.NotifyEvent) error {
			var due int64
			err := r.Scan(&e.JobID, &e.ProviderID, &e.OrgID, &due)
			e.Kind, e.At = handwash.NotifyBackupOverdue, fromMicros(due)
			return err
		},
		func(tx *sql.Tx, e *handwash.NotifyEvent) error {
			_, err := tx.ExecContext(ctx, `UPDATE backup_jobs SET overdue_notified_at = due_at WHERE id = $1`, e.JobID)
			return err
		})
	return n, s.dbErr("queue overdue backup notices", err)
}
