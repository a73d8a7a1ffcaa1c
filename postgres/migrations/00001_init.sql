-- The first schema. Times are microseconds since the Unix epoch (UTC), as
-- on SQLite, so one set of queries serves both. Later changes are new files, never edits here.

-- +goose Up
CREATE TABLE providers (
	id TEXT PRIMARY KEY,
	name TEXT NOT NULL UNIQUE,
	created_at BIGINT NOT NULL
);

CREATE TABLE orgs (
	id TEXT PRIMARY KEY,
	provider_id TEXT NOT NULL REFERENCES providers (id) ON DELETE CASCADE,
	name TEXT NOT NULL,
	created_at BIGINT NOT NULL,
	UNIQUE (provider_id, name)
);

CREATE TABLE sites (
	id TEXT PRIMARY KEY,
	provider_id TEXT NOT NULL,
	org_id TEXT NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
	name TEXT NOT NULL,
	created_at BIGINT NOT NULL,
	UNIQUE (org_id, name)
);

CREATE TABLE users (
	id TEXT PRIMARY KEY,
	provider_id TEXT NOT NULL REFERENCES providers (id) ON DELETE CASCADE,
	org_id TEXT REFERENCES orgs (id) ON DELETE CASCADE,
	email TEXT NOT NULL UNIQUE,
	name TEXT NOT NULL,
	role TEXT NOT NULL,
	disabled BOOLEAN NOT NULL DEFAULT FALSE,
	created_at BIGINT NOT NULL
);
CREATE INDEX users_scope ON users (provider_id, org_id);

CREATE TABLE api_tokens (
	id TEXT PRIMARY KEY,
	name TEXT NOT NULL,
	provider_id TEXT NOT NULL REFERENCES providers (id) ON DELETE CASCADE,
	org_id TEXT REFERENCES orgs (id) ON DELETE CASCADE,
	role TEXT NOT NULL,
	secret_hash BYTEA NOT NULL,
	created_at BIGINT NOT NULL,
	expires_at BIGINT,
	last_used_at BIGINT,
	revoked BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE INDEX api_tokens_scope ON api_tokens (provider_id, org_id);

CREATE TABLE enroll_tokens (
	id TEXT PRIMARY KEY,
	provider_id TEXT NOT NULL,
	org_id TEXT NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
	site_id TEXT REFERENCES sites (id) ON DELETE CASCADE,
	secret_hash BYTEA NOT NULL,
	max_uses INTEGER NOT NULL,
	uses INTEGER NOT NULL DEFAULT 0,
	expires_at BIGINT NOT NULL,
	created_at BIGINT NOT NULL,
	revoked BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE INDEX enroll_tokens_scope ON enroll_tokens (provider_id, org_id);

-- A device carries its evaluation queue state: eval_pending marks it,
-- eval_seq counts marks, and a claim records the holder, when the claim
-- ends and which mark it took.
CREATE TABLE devices (
	id TEXT PRIMARY KEY,
	provider_id TEXT NOT NULL,
	org_id TEXT NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
	site_id TEXT REFERENCES sites (id) ON DELETE SET NULL,
	hostname TEXT NOT NULL DEFAULT '',
	platform TEXT NOT NULL DEFAULT '',
	os TEXT NOT NULL DEFAULT '',
	secret_hash BYTEA NOT NULL,
	enrolled_at BIGINT NOT NULL,
	last_seen_at BIGINT,
	last_collected_at BIGINT,
	last_snapshot_id TEXT NOT NULL DEFAULT '',
	facts_digest TEXT NOT NULL DEFAULT '',
	score INTEGER NOT NULL DEFAULT -1,
	evaluated_at BIGINT,
	eval_pending BOOLEAN NOT NULL DEFAULT FALSE,
	eval_seq BIGINT NOT NULL DEFAULT 0,
	eval_claimed_seq BIGINT NOT NULL DEFAULT 0,
	eval_queued_at BIGINT NOT NULL DEFAULT 0,
	eval_holder TEXT NOT NULL DEFAULT '',
	eval_until BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX devices_scope ON devices (provider_id, org_id, enrolled_at);
CREATE INDEX devices_site ON devices (site_id);
CREATE INDEX devices_queue ON devices (eval_queued_at) WHERE eval_pending;

-- One gzip-compressed Facts document per device and digest: an unchanged
-- snapshot adds no blob.
CREATE TABLE facts (
	device_id TEXT NOT NULL REFERENCES devices (id) ON DELETE CASCADE,
	digest TEXT NOT NULL,
	data BYTEA NOT NULL,
	created_at BIGINT NOT NULL,
	PRIMARY KEY (device_id, digest)
);

-- Snapshots are small and many, so the primary key is the table.
CREATE TABLE snapshots (
	device_id TEXT NOT NULL REFERENCES devices (id) ON DELETE CASCADE,
	id TEXT NOT NULL,
	collected_at BIGINT NOT NULL,
	received_at BIGINT NOT NULL,
	digest TEXT NOT NULL,
	size INTEGER NOT NULL,
	PRIMARY KEY (device_id, id)
);
CREATE INDEX snapshots_received ON snapshots (device_id, received_at);

-- The newest assessment of each device, whole and gzip-compressed, with
-- its overall score in columns for summing.
CREATE TABLE assessments (
	device_id TEXT PRIMARY KEY REFERENCES devices (id) ON DELETE CASCADE,
	digest TEXT NOT NULL,
	catalogue_version TEXT NOT NULL,
	evaluated_at BIGINT NOT NULL,
	value INTEGER NOT NULL,
	earned INTEGER NOT NULL,
	max INTEGER NOT NULL,
	pass INTEGER NOT NULL,
	fail INTEGER NOT NULL,
	unknown INTEGER NOT NULL,
	excepted INTEGER NOT NULL,
	not_applicable INTEGER NOT NULL,
	assessed BOOLEAN NOT NULL,
	data BYTEA NOT NULL
);

CREATE TABLE area_scores (
	device_id TEXT NOT NULL REFERENCES devices (id) ON DELETE CASCADE,
	area TEXT NOT NULL,
	value INTEGER NOT NULL,
	earned INTEGER NOT NULL,
	max INTEGER NOT NULL,
	pass INTEGER NOT NULL,
	fail INTEGER NOT NULL,
	unknown INTEGER NOT NULL,
	excepted INTEGER NOT NULL,
	not_applicable INTEGER NOT NULL,
	assessed BOOLEAN NOT NULL,
	PRIMARY KEY (device_id, area)
);

-- The current finding of each device for each control; since is when it
-- took its status, gen which assessment wrote it.
CREATE TABLE findings (
	device_id TEXT NOT NULL REFERENCES devices (id) ON DELETE CASCADE,
	control_id TEXT NOT NULL,
	area TEXT NOT NULL,
	severity TEXT NOT NULL,
	severity_rank INTEGER NOT NULL,
	status TEXT NOT NULL,
	since BIGINT NOT NULL,
	gen BIGINT NOT NULL,
	data TEXT NOT NULL,
	PRIMARY KEY (device_id, control_id)
);
CREATE INDEX findings_control ON findings (control_id, status);
CREATE INDEX findings_status ON findings (status, area);

CREATE TABLE score_history (
	id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	device_id TEXT NOT NULL REFERENCES devices (id) ON DELETE CASCADE,
	at BIGINT NOT NULL,
	overall INTEGER NOT NULL,
	areas TEXT NOT NULL
);
CREATE INDEX score_history_device ON score_history (device_id, at);

CREATE TABLE exceptions (
	id TEXT PRIMARY KEY,
	provider_id TEXT NOT NULL,
	org_id TEXT NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
	device_id TEXT REFERENCES devices (id) ON DELETE CASCADE,
	control TEXT NOT NULL,
	reason TEXT NOT NULL,
	owner TEXT NOT NULL,
	expires BIGINT NOT NULL,
	created_at BIGINT NOT NULL,
	created_by TEXT NOT NULL
);
CREATE INDEX exceptions_org ON exceptions (org_id, device_id);
CREATE INDEX exceptions_device ON exceptions (device_id);

-- The blobs are gzip already: spare PostgreSQL compressing them again.
ALTER TABLE facts ALTER COLUMN data SET STORAGE EXTERNAL;
ALTER TABLE assessments ALTER COLUMN data SET STORAGE EXTERNAL;

CREATE TABLE leases (
	name TEXT PRIMARY KEY,
	holder TEXT NOT NULL,
	expires_at BIGINT NOT NULL
);

CREATE TABLE settings (
	name TEXT PRIMARY KEY,
	value TEXT NOT NULL
);

-- +goose Down
DROP TABLE settings;
DROP TABLE leases;
DROP TABLE exceptions;
DROP TABLE score_history;
DROP TABLE findings;
DROP TABLE area_scores;
DROP TABLE assessments;
DROP TABLE snapshots;
DROP TABLE facts;
DROP TABLE devices;
DROP TABLE enroll_tokens;
DROP TABLE api_tokens;
DROP TABLE users;
DROP TABLE sites;
DROP TABLE orgs;
DROP TABLE providers;
