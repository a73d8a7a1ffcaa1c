-- Facts kept as a delta against an earlier whole document of the same
-- device (a keyframe): base names the keyframe's digest, and is NULL for
-- keyframes. See internal/sqlstore/delta.go.

-- +goose Up
ALTER TABLE facts ADD COLUMN base TEXT;
CREATE INDEX facts_keyframes ON facts (device_id, created_at) WHERE base IS NULL;

-- +goose Down
DROP INDEX facts_keyframes;
ALTER TABLE facts DROP COLUMN base;
