-- Feed copies: the security feeds one server process downloaded, kept for
-- the others in chunks. See internal/sqlstore/feed.go.

-- +goose Up
CREATE TABLE feed_copies (
	name TEXT PRIMARY KEY,
	meta TEXT NOT NULL,
	sha256 TEXT NOT NULL,
	size BIGINT NOT NULL,
	checked_at BIGINT NOT NULL
);
CREATE TABLE feed_chunks (
	name TEXT NOT NULL REFERENCES feed_copies (name) ON DELETE CASCADE,
	seq INTEGER NOT NULL,
	data BLOB NOT NULL,
	PRIMARY KEY (name, seq)
);

-- +goose Down
DROP TABLE feed_chunks;
DROP TABLE feed_copies;
