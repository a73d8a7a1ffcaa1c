-- Staff links (the phone self-check and the password check for staff
-- without an account) and the self-check's answers on phones. See
-- internal/sqlstore/stafflink.go and cloud.go.

-- +goose Up
CREATE TABLE staff_links (
	id TEXT PRIMARY KEY,
	provider_id TEXT NOT NULL REFERENCES providers (id) ON DELETE CASCADE,
	org_id TEXT NOT NULL UNIQUE REFERENCES orgs (id) ON DELETE CASCADE,
	secret_hash BYTEA NOT NULL,
	created_by TEXT NOT NULL DEFAULT '',
	created_at BIGINT NOT NULL,
	expires_at BIGINT NOT NULL
);

ALTER TABLE mobile_devices ADD COLUMN auto_updates BOOLEAN;
ALTER TABLE mobile_devices ADD COLUMN unknown_wifi BOOLEAN;
CREATE INDEX mobile_devices_external ON mobile_devices (org_id, source, external_id);

-- +goose Down
DROP INDEX mobile_devices_external;
ALTER TABLE mobile_devices DROP COLUMN unknown_wifi;
ALTER TABLE mobile_devices DROP COLUMN auto_updates;
DROP TABLE staff_links;
