-- The register of routers, NAS boxes, printers and cameras. See
-- internal/sqlstore/netdevice.go.

-- +goose Up
CREATE TABLE network_devices (
	id TEXT PRIMARY KEY,
	provider_id TEXT NOT NULL REFERENCES providers (id) ON DELETE CASCADE,
	org_id TEXT NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
	kind TEXT NOT NULL,
	name TEXT NOT NULL,
	model TEXT NOT NULL DEFAULT '',
	location TEXT NOT NULL DEFAULT '',
	default_password_changed BOOLEAN,
	firmware TEXT NOT NULL DEFAULT '',
	support_ends BIGINT,
	updated_at BIGINT NOT NULL
);
CREATE INDEX network_devices_org ON network_devices (org_id);

-- +goose Down
DROP TABLE network_devices;
