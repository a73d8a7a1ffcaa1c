package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"time"
)

// TryLease takes the named lease for holder until now+ttl when it is free,
// ended, or already holder's, in one statement, so two processes asking at
// once cannot both have it.
func (s *Store) TryLease(ctx context.Context, name, holder string, now time.Time, ttl time.Duration) (bool, error) {
	if name == "" || holder == "" {
		return false, invalid("lease name and holder must not be empty")
	}
	now = s.nowOr(now)
	var got string
	err := s.write.QueryRowContext(ctx, `INSERT INTO leases (name, holder, expires_at) VALUES ($1, $2, $3)
		ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
		WHERE leases.holder = excluded.holder OR leases.expires_at <= $4
		RETURNING holder`, name, holder, micros(now.Add(ttl)), micros(now)).Scan(&got)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, s.dbErr("take lease", err)
	}
	return got == holder, nil
}

// ReleaseLease gives up the named lease if holder has it.
func (s *Store) ReleaseLease(ctx context.Context, name, holder string) error {
	_, err := s.write.ExecContext(ctx, `DELETE FROM leases WHERE name = $1 AND holder = $2`, name, holder)
	return s.dbErr("release lease", err)
}

// Setting returns a server-wide value, or ENOTFOUND when it was never set.
func (s *Store) Setting(ctx context.Context, key string) (string, error) {
	var v string
	err := s.read.QueryRowContext(ctx, `SELECT value FROM settings WHERE name = $1`, key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", notFound("setting", key)
	}
	return v, s.dbErr("read setting", err)
}

// SetSetting sets a server-wide value.
func (s *Store) SetSetting(ctx context.Context, key, value string) error {
	_, err := s.write.ExecContext(ctx, `INSERT INTO settings (name, value) VALUES ($1, $2)
		ON CONFLICT (name) DO UPDATE SET value = excluded.value`, key, value)
	return s.dbErr("write setting", err)
}
