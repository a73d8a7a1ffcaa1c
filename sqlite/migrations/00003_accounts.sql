-- What dashboard sign-in needs: each user's password hash and second
-- factor, their unused recovery codes, signed-in browsers (sessions) and
-- the audit log of administrators' actions. See internal/sqlstore/account.go.

-- +goose Up
-- One row per user who has signed in or been given a password; a user
-- without one has no password and no second factor yet.
CREATE TABLE user_signin (
	user_id TEXT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
	password_hash TEXT NOT NULL DEFAULT '',
	password_changed_at BIGINT,
	totp_secret TEXT NOT NULL DEFAULT '',
	totp_last_step BIGINT NOT NULL DEFAULT 0
);

-- A row per unused recovery code, so using one is deleting one row: a
-- single statement that two requests cannot both win. position keeps the
-- order the codes were given in.
CREATE TABLE recovery_codes (
	user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	code_hash TEXT NOT NULL,
	position INTEGER NOT NULL,
	PRIMARY KEY (user_id, code_hash)
) WITHOUT ROWID;

CREATE TABLE sessions (
	id TEXT PRIMARY KEY,
	user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	secret_hash BLOB NOT NULL,
	mfa BOOLEAN NOT NULL DEFAULT FALSE,
	created_at BIGINT NOT NULL,
	last_seen_at BIGINT NOT NULL,
	expires_at BIGINT NOT NULL,
	address TEXT NOT NULL DEFAULT '',
	user_agent TEXT NOT NULL DEFAULT ''
);
CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX sessions_expires ON sessions (expires_at);
CREATE INDEX sessions_last_seen ON sessions (last_seen_at);

-- AUTOINCREMENT so an ID is never given twice, even after the newest
-- entries went with their provider. org_id has no foreign key: entries
-- about an organisation outlive it, for its provider to see.
CREATE TABLE audit_log (
	id INTEGER PRIMARY KEY AUTOINCREMENT,
	provider_id TEXT NOT NULL REFERENCES providers (id) ON DELETE CASCADE,
	org_id TEXT,
	at BIGINT NOT NULL,
	actor_id TEXT NOT NULL DEFAULT '',
	actor_name TEXT NOT NULL DEFAULT '',
	action TEXT NOT NULL,
	target TEXT NOT NULL DEFAULT '',
	detail TEXT NOT NULL DEFAULT '',
	address TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_provider ON audit_log (provider_id, at, id);
CREATE INDEX audit_log_org ON audit_log (provider_id, org_id, at, id);

-- +goose Down
DROP TABLE audit_log;
DROP TABLE sessions;
DROP TABLE recovery_codes;
DROP TABLE user_signin;
