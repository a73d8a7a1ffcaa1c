-- Alerts: what needs acting on, with clocks to acknowledge and to fix, the
-- devices an automatic alert is about, and each alert's audit trail. See
-- internal/sqlstore/alert.go.

-- +goose Up
CREATE TABLE alerts (
	id TEXT PRIMARY KEY,
	provider_id TEXT NOT NULL REFERENCES providers (id) ON DELETE CASCADE,
	org_id TEXT NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
	origin TEXT NOT NULL,
	control_id TEXT NOT NULL DEFAULT '',
	severity TEXT NOT NULL,
	title TEXT NOT NULL,
	reference TEXT NOT NULL DEFAULT '',
	link TEXT NOT NULL DEFAULT '',
	detail TEXT NOT NULL DEFAULT '',
	action TEXT NOT NULL DEFAULT '',
	state TEXT NOT NULL,
	owner_id TEXT REFERENCES users (id) ON DELETE SET NULL,
	opened_at BIGINT NOT NULL,
	ack_due BIGINT NOT NULL,
	fix_due BIGINT NOT NULL,
	acknowledged_at BIGINT,
	closed_at BIGINT,
	close_reason TEXT NOT NULL DEFAULT '',
	affected INTEGER NOT NULL DEFAULT 0,
	-- When the reminder (time to acknowledge) and the escalation (time to
	-- fix) were queued: each goes once.
	ack_reminded_at BIGINT,
	fix_escalated_at BIGINT
);
CREATE INDEX alerts_tenant ON alerts (provider_id, org_id, opened_at);
-- At most one open automatic alert per organisation and check: a check
-- failing on another device joins it.
CREATE UNIQUE INDEX alerts_open_control ON alerts (org_id, control_id) WHERE origin = 'automatic' AND state <> 'closed';

CREATE TABLE alert_devices (
	alert_id TEXT NOT NULL REFERENCES alerts (id) ON DELETE CASCADE,
	device_id TEXT NOT NULL,
	hostname TEXT NOT NULL DEFAULT '',
	since BIGINT NOT NULL,
	fixed_at BIGINT,
	PRIMARY KEY (alert_id, device_id)
);
CREATE INDEX alert_devices_device ON alert_devices (device_id);

CREATE TABLE alert_steps (
	id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	alert_id TEXT NOT NULL REFERENCES alerts (id) ON DELETE CASCADE,
	at BIGINT NOT NULL,
	actor_id TEXT NOT NULL DEFAULT '',
	actor_name TEXT NOT NULL,
	action TEXT NOT NULL,
	detail TEXT NOT NULL DEFAULT ''
);
CREATE INDEX alert_steps_alert ON alert_steps (alert_id, id);

-- A provider's clocks, in microseconds; none means the defaults.
CREATE TABLE alert_clocks (
	provider_id TEXT PRIMARY KEY REFERENCES providers (id) ON DELETE CASCADE,
	ack_within BIGINT NOT NULL,
	fix_within BIGINT NOT NULL
);

-- The alert a notification is about (alert reminders).
ALTER TABLE notify_events ADD COLUMN alert_id TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE notify_events DROP COLUMN alert_id;
DROP TABLE alert_clocks;
DROP TABLE alert_steps;
DROP TABLE alert_devices;
DROP TABLE alerts;
