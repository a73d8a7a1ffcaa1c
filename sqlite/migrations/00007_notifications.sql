-- Notifications: what each person chose to receive, the webhooks, the
-- events waiting to be sent and the deliveries to each recipient. See
-- internal/sqlstore/notify.go and the notifier package.

-- +goose Up
-- A row only for a person who chose; the others get their role's default.
-- kinds is a comma-separated list of notification kinds.
CREATE TABLE notify_prefs (
	user_id TEXT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
	kinds TEXT NOT NULL
);

-- url and secret are secrets: a Slack or Teams address holds a token.
-- org_id NULL: every organisation of the provider.
CREATE TABLE webhooks (
	id TEXT PRIMARY KEY,
	provider_id TEXT NOT NULL REFERENCES providers (id) ON DELETE CASCADE,
	org_id TEXT REFERENCES orgs (id) ON DELETE CASCADE,
	name TEXT NOT NULL,
	format TEXT NOT NULL,
	url TEXT NOT NULL,
	secret TEXT NOT NULL DEFAULT '',
	kinds TEXT NOT NULL,
	created_at BIGINT NOT NULL
);
CREATE INDEX webhooks_provider ON webhooks (provider_id, org_id);

-- The outbox: written in the same transaction as what caused it (an
-- assessment, a stale device, the week's end), turned into deliveries by
-- the notifier. No foreign keys, so an event outlives what it is about.
CREATE TABLE notify_events (
	id INTEGER PRIMARY KEY AUTOINCREMENT,
	provider_id TEXT NOT NULL,
	org_id TEXT NOT NULL DEFAULT '',
	kind TEXT NOT NULL,
	device_id TEXT NOT NULL DEFAULT '',
	control_id TEXT NOT NULL DEFAULT '',
	severity TEXT NOT NULL DEFAULT '',
	at BIGINT NOT NULL,
	user_id TEXT NOT NULL DEFAULT '',
	webhook_id TEXT NOT NULL DEFAULT '',
	created_at BIGINT NOT NULL,
	done BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE INDEX notify_events_pending ON notify_events (id) WHERE NOT done;
CREATE INDEX notify_events_created ON notify_events (created_at);

-- One message to one recipient. next_at is when it may be tried (again);
-- a try in progress moves it forward, so a process that dies mid-send
-- leaves the delivery to be tried again later, never lost.
CREATE TABLE deliveries (
	id INTEGER PRIMARY KEY AUTOINCREMENT,
	provider_id TEXT NOT NULL,
	org_id TEXT NOT NULL DEFAULT '',
	kind TEXT NOT NULL,
	channel TEXT NOT NULL,
	user_id TEXT NOT NULL DEFAULT '',
	email TEXT NOT NULL DEFAULT '',
	webhook_id TEXT NOT NULL DEFAULT '',
	recipient TEXT NOT NULL,
	subject TEXT NOT NULL,
	message BLOB NOT NULL,
	status TEXT NOT NULL,
	attempts INTEGER NOT NULL DEFAULT 0,
	next_at BIGINT NOT NULL,
	last_error TEXT NOT NULL DEFAULT '',
	created_at BIGINT NOT NULL,
	sent_at BIGINT
);
CREATE INDEX deliveries_due ON deliveries (next_at) WHERE status = 'pending';
CREATE INDEX deliveries_tenant ON deliveries (provider_id, org_id, created_at);
CREATE INDEX deliveries_created ON deliveries (created_at);

-- A device's stale notice, by the last-seen time it was about: a device
-- that reports again and goes quiet again gets a new one.
CREATE TABLE stale_notices (
	device_id TEXT PRIMARY KEY REFERENCES devices (id) ON DELETE CASCADE,
	last_seen_at BIGINT NOT NULL
);

-- The week each organisation's newest weekly summary was for.
CREATE TABLE weekly_summaries (
	org_id TEXT PRIMARY KEY REFERENCES orgs (id) ON DELETE CASCADE,
	week_ending BIGINT NOT NULL
);

-- +goose Down
DROP TABLE weekly_summaries;
DROP TABLE stale_notices;
DROP TABLE deliveries;
DROP TABLE notify_events;
DROP TABLE webhooks;
DROP TABLE notify_prefs;
