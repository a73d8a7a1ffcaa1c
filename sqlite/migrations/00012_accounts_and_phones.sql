-- Cloud accounts imported from Microsoft 365 / Entra ID and Google
-- Workspace exports, and the organisation's phones and tablets. See
-- internal/sqlstore/cloud.go.

-- +goose Up
CREATE TABLE cloud_imports (
	org_id TEXT NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
	source TEXT NOT NULL,
	imported_at BIGINT NOT NULL,
	imported_by TEXT NOT NULL DEFAULT '',
	accounts INTEGER NOT NULL,
	PRIMARY KEY (org_id, source)
);

-- mfa, sign_in_allowed: NULL when the export does not say.
CREATE TABLE cloud_accounts (
	org_id TEXT NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
	source TEXT NOT NULL,
	email TEXT NOT NULL,
	name TEXT NOT NULL DEFAULT '',
	admin BOOLEAN NOT NULL DEFAULT FALSE,
	mfa BOOLEAN,
	mfa_methods TEXT NOT NULL DEFAULT '',
	shared BOOLEAN NOT NULL DEFAULT FALSE,
	sign_in_allowed BOOLEAN,
	last_sign_in BIGINT,
	PRIMARY KEY (org_id, source, email)
);

CREATE TABLE mobile_devices (
	id TEXT PRIMARY KEY,
	provider_id TEXT NOT NULL REFERENCES providers (id) ON DELETE CASCADE,
	org_id TEXT NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
	source TEXT NOT NULL,
	external_id TEXT NOT NULL DEFAULT '',
	owner TEXT NOT NULL DEFAULT '',
	name TEXT NOT NULL DEFAULT '',
	model TEXT NOT NULL DEFAULT '',
	os TEXT NOT NULL,
	os_version TEXT NOT NULL DEFAULT '',
	passcode BOOLEAN,
	encrypted BOOLEAN,
	managed BOOLEAN,
	last_seen BIGINT,
	updated_at BIGINT NOT NULL
);
CREATE INDEX mobile_devices_org ON mobile_devices (org_id, source);

-- +goose Down
DROP TABLE mobile_devices;
DROP TABLE cloud_accounts;
DROP TABLE cloud_imports;
