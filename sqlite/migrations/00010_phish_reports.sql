-- The report-phishing inbox: each organisation's mailbox settings, the
-- reports people make, and the original messages, kept apart so listings
-- stay light. See internal/sqlstore/phish.go.

-- +goose Up
-- password is a secret: never logged, never shown.
CREATE TABLE phish_inboxes (
	org_id TEXT PRIMARY KEY REFERENCES orgs (id) ON DELETE CASCADE,
	provider_id TEXT NOT NULL REFERENCES providers (id) ON DELETE CASCADE,
	addr TEXT NOT NULL,
	security TEXT NOT NULL DEFAULT '',
	username TEXT NOT NULL,
	password TEXT NOT NULL,
	folder TEXT NOT NULL DEFAULT '',
	domains TEXT NOT NULL DEFAULT '',
	last_checked_at BIGINT,
	last_error TEXT NOT NULL DEFAULT '',
	created_at BIGINT NOT NULL
);

CREATE TABLE phish_reports (
	id TEXT PRIMARY KEY,
	provider_id TEXT NOT NULL REFERENCES providers (id) ON DELETE CASCADE,
	org_id TEXT NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
	source TEXT NOT NULL,
	reporter TEXT NOT NULL DEFAULT '',
	reporter_name TEXT NOT NULL DEFAULT '',
	uploaded_by TEXT NOT NULL DEFAULT '',
	carried TEXT NOT NULL,
	note TEXT NOT NULL DEFAULT '',
	from_addr TEXT NOT NULL DEFAULT '',
	subject TEXT NOT NULL DEFAULT '',
	verdict TEXT NOT NULL,
	score INTEGER NOT NULL,
	analysis BLOB NOT NULL,
	digest TEXT NOT NULL,
	size INTEGER NOT NULL,
	received_at BIGINT NOT NULL,
	thanked BOOLEAN NOT NULL DEFAULT FALSE
);
-- The same message received twice is one report.
CREATE UNIQUE INDEX phish_reports_digest ON phish_reports (org_id, digest);
CREATE INDEX phish_reports_tenant ON phish_reports (provider_id, org_id, received_at);

CREATE TABLE phish_originals (
	report_id TEXT PRIMARY KEY REFERENCES phish_reports (id) ON DELETE CASCADE,
	data BLOB NOT NULL
);

-- The report a phishing notice or thank-you is about, and a thank-you's
-- one recipient, who need not be a user.
ALTER TABLE notify_events ADD COLUMN report_id TEXT NOT NULL DEFAULT '';
ALTER TABLE notify_events ADD COLUMN email TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE notify_events DROP COLUMN email;
ALTER TABLE notify_events DROP COLUMN report_id;
DROP TABLE phish_originals;
DROP TABLE phish_reports;
DROP TABLE phish_inboxes;
