-- An organisation's overall score at the end of each day (UTC) on which
-- one of its devices was judged or deleted, for the dashboard's "score
-- over time" and "since last week". Kept by the store beside org_scores;
-- it starts when this migration runs.

-- +goose Up
CREATE TABLE org_score_history (
	org_id TEXT NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
	day TEXT NOT NULL,
	value INTEGER NOT NULL,
	devices BIGINT NOT NULL,
	earned BIGINT NOT NULL,
	max BIGINT NOT NULL,
	PRIMARY KEY (org_id, day)
);

-- +goose Down
DROP TABLE org_score_history;
