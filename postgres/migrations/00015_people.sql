-- The people area: self-assessment answers and their evidence files, the
-- staff register and training, the incident log and tabletop exercise
-- runs. See internal/sqlstore/people.go.

-- +goose Up
CREATE TABLE answers (
	org_id TEXT NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
	provider_id TEXT NOT NULL REFERENCES providers (id) ON DELETE CASCADE,
	question_id TEXT NOT NULL,
	value TEXT NOT NULL,
	note TEXT NOT NULL DEFAULT '',
	owner TEXT NOT NULL DEFAULT '',
	review_by BIGINT,
	answered_by TEXT NOT NULL DEFAULT '',
	answered_at BIGINT NOT NULL,
	PRIMARY KEY (org_id, question_id)
);

CREATE TABLE answer_files (
	id TEXT PRIMARY KEY,
	org_id TEXT NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
	provider_id TEXT NOT NULL REFERENCES providers (id) ON DELETE CASCADE,
	question_id TEXT NOT NULL,
	name TEXT NOT NULL,
	content_type TEXT NOT NULL,
	data BYTEA NOT NULL,
	uploaded_by TEXT NOT NULL DEFAULT '',
	uploaded_at BIGINT NOT NULL
);
CREATE INDEX answer_files_question ON answer_files (org_id, question_id);

CREATE TABLE staff (
	id TEXT PRIMARY KEY,
	provider_id TEXT NOT NULL REFERENCES providers (id) ON DELETE CASCADE,
	org_id TEXT NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
	name TEXT NOT NULL,
	email TEXT NOT NULL DEFAULT '',
	role TEXT NOT NULL DEFAULT '',
	started_on BIGINT,
	left_on BIGINT,
	updated_at BIGINT NOT NULL
);
CREATE INDEX staff_org ON staff (org_id, name);

CREATE TABLE training (
	id TEXT PRIMARY KEY,
	org_id TEXT NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
	staff_id TEXT NOT NULL REFERENCES staff (id) ON DELETE CASCADE,
	course TEXT NOT NULL,
	completed_on BIGINT NOT NULL,
	source TEXT NOT NULL,
	evidence TEXT NOT NULL DEFAULT '',
	created_at BIGINT NOT NULL
);
CREATE INDEX training_org ON training (org_id, staff_id, completed_on);

CREATE TABLE incidents (
	id TEXT PRIMARY KEY,
	provider_id TEXT NOT NULL REFERENCES providers (id) ON DELETE CASCADE,
	org_id TEXT NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
	body TEXT NOT NULL,
	occurred_at BIGINT NOT NULL,
	closed_on BIGINT,
	created_at BIGINT NOT NULL,
	updated_at BIGINT NOT NULL
);
CREATE INDEX incidents_org ON incidents (org_id, occurred_at);

CREATE TABLE exercise_runs (
	id TEXT PRIMARY KEY,
	provider_id TEXT NOT NULL REFERENCES providers (id) ON DELETE CASCADE,
	org_id TEXT NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
	scenario_id TEXT NOT NULL,
	body TEXT NOT NULL,
	started_at BIGINT NOT NULL,
	finished_at BIGINT
);
CREATE INDEX exercise_runs_org ON exercise_runs (org_id, started_at);

-- +goose Down
DROP TABLE exercise_runs;
DROP TABLE incidents;
DROP TABLE training;
DROP TABLE staff;
DROP TABLE answer_files;
DROP TABLE answers;
