-- Invitations: a one-time link that lets a person an administrator added
-- set their first password. See internal/sqlstore/account.go.

-- +goose Up
CREATE TABLE invitations (
	id TEXT PRIMARY KEY,
	user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	secret_hash BLOB NOT NULL,
	created_at BIGINT NOT NULL,
	expires_at BIGINT NOT NULL
);
CREATE INDEX invitations_user ON invitations (user_id);

-- +goose Down
DROP TABLE invitations;
