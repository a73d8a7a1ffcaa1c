-- Running totals per organisation, kept up to date as each assessment is
-- stored and each device deleted, so the dashboard's organisation and
-- provider pages read a few rows instead of adding up every device's
-- scores and findings. org_scores holds the sums of the devices' newest
-- scores: area '' for the overall score, and one row per area; devices
-- counts the score rows added in. org_failures counts, per control, the
-- devices whose newest finding is a failure. See internal/sqlstore/totals.go.

-- +goose Up
CREATE TABLE org_scores (
	org_id TEXT NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
	area TEXT NOT NULL,
	devices BIGINT NOT NULL,
	earned BIGINT NOT NULL,
	max BIGINT NOT NULL,
	pass BIGINT NOT NULL,
	fail BIGINT NOT NULL,
	unknown BIGINT NOT NULL,
	excepted BIGINT NOT NULL,
	not_applicable BIGINT NOT NULL,
	PRIMARY KEY (org_id, area)
);

CREATE TABLE org_failures (
	org_id TEXT NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
	control_id TEXT NOT NULL,
	devices BIGINT NOT NULL,
	PRIMARY KEY (org_id, control_id)
);

INSERT INTO org_scores (org_id, area, devices, earned, max, pass, fail, unknown, excepted, not_applicable)
	SELECT d.org_id, '', COUNT(*), SUM(x.earned), SUM(x.max), SUM(x.pass), SUM(x.fail), SUM(x.unknown), SUM(x.excepted), SUM(x.not_applicable)
	FROM assessments x JOIN devices d ON d.id = x.device_id GROUP BY d.org_id;
INSERT INTO org_scores (org_id, area, devices, earned, max, pass, fail, unknown, excepted, not_applicable)
	SELECT d.org_id, x.area, COUNT(*), SUM(x.earned), SUM(x.max), SUM(x.pass), SUM(x.fail), SUM(x.unknown), SUM(x.excepted), SUM(x.not_applicable)
	FROM area_scores x JOIN devices d ON d.id = x.device_id GROUP BY d.org_id, x.area;
INSERT INTO org_failures (org_id, control_id, devices)
	SELECT d.org_id, f.control_id, COUNT(*) FROM findings f JOIN devices d ON d.id = f.device_id
	WHERE f.status = 'fail' GROUP BY d.org_id, f.control_id;

-- +goose Down
DROP TABLE org_failures;
DROP TABLE org_scores;
