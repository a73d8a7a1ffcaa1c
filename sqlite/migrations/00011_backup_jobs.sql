-- Backup jobs: backups that report to the server on success or failure,
-- and their reports. See internal/sqlstore/backupjob.go.

-- +goose Up
-- secret_hash is the SHA-256 of the ping address's secret.
-- overdue_notified_at: the due time of the episode already notified, so
-- each overdue spell is notified once.
CREATE TABLE backup_jobs (
	id TEXT PRIMARY KEY,
	provider_id TEXT NOT NULL REFERENCES providers (id) ON DELETE CASCADE,
	org_id TEXT NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
	name TEXT NOT NULL,
	every_us BIGINT NOT NULL,
	grace_us BIGINT NOT NULL,
	secret_hash BLOB NOT NULL,
	created_at BIGINT NOT NULL,
	last_ping_at BIGINT,
	last_success_at BIGINT,
	last_failure_at BIGINT,
	last_message TEXT NOT NULL DEFAULT '',
	due_at BIGINT NOT NULL,
	overdue_notified_at BIGINT
);
CREATE INDEX backup_jobs_tenant ON backup_jobs (provider_id, org_id, name);
CREATE INDEX backup_jobs_due ON backup_jobs (due_at);

CREATE TABLE backup_pings (
	id INTEGER PRIMARY KEY AUTOINCREMENT,
	job_id TEXT NOT NULL REFERENCES backup_jobs (id) ON DELETE CASCADE,
	at BIGINT NOT NULL,
	success BOOLEAN NOT NULL,
	message TEXT NOT NULL DEFAULT ''
);
CREATE INDEX backup_pings_job ON backup_pings (job_id, at);

-- The backup job a backup notice is about.
ALTER TABLE notify_events ADD COLUMN job_id TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE notify_events DROP COLUMN job_id;
DROP TABLE backup_pings;
DROP TABLE backup_jobs;
