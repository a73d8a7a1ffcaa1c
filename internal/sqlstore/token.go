package sqlstore

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"database/sql"
	"errors"
	"strings"
	"time"

	"github.com/handwash/handwash"
)

const apiTokenColumns = `id, name, provider_id, org_id, role, secret_hash, created_at, expires_at, last_used_at, revoked`

func scanAPIToken(r scanner) (*handwash.APIToken, error) {
	var t handwash.APIToken
	var org sql.NullString
	var created int64
	var expires, used sql.NullInt64
	if err := r.Scan(&t.ID, &t.Name, &t.ProviderID, &org, &t.Role, &t.SecretHash, &created, &expires, &used, &t.Revoked); err != nil {
		return nil, err
	}
	t.OrgID, t.CreatedAt = org.String, fromMicros(created)
	t.ExpiresAt, t.LastUsedAt = optTime(expires), optTime(used)
	return &t, nil
}

// checkHash rejects a secret hash that is not a SHA-256, which would make
// the credential impossible to use.
func checkHash(h []byte) error {
	if len(h) != sha256.Size {
		return invalid("secret hash has %d bytes, want %d (SHA-256)", len(h), sha256.Size)
	}
	return nil
}

// CreateAPIToken adds an API token within scope, with a new ID.
func (s *Store) CreateAPIToken(ctx context.Context, scope handwash.Scope, t *handwash.APIToken) error {
	if !t.Role.Valid() {
		return invalid("token role %q is not one of provider_admin, org_admin, viewer", t.Role)
	}
	if err := checkHash(t.SecretHash); err != nil {
		return err
	}
	t.Name = strings.TrimSpace(t.Name)
	id, created := handwash.NewID("tok"), s.nowOr(t.CreatedAt)
	var org string
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var err error
		if org, err = s.roleOrg(ctx, tx, scope, t.OrgID, t.Role, "token"); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO api_tokens (`+apiTokenColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, NULL, FALSE)`,
			id, t.Name, scope.ProviderID, optString(org), string(t.Role), t.SecretHash, micros(created), optMicros(t.ExpiresAt))
		return err
	})
	if err != nil {
		return s.dbErr("create API token", err)
	}
	t.ID, t.ProviderID, t.OrgID, t.CreatedAt = id, scope.ProviderID, org, created
	if t.ExpiresAt != nil {
		e := norm(*t.ExpiresAt)
		t.ExpiresAt = &e
	}
	t.LastUsedAt, t.Revoked = nil, false
	return nil
}

// APITokens lists the API tokens in scope, newest first.
func (s *Store) APITokens(ctx context.Context, scope handwash.Scope) ([]*handwash.APIToken, error) {
	var q query
	q.scoped(scope, "api_tokens")
	return list(ctx, s, "list API tokens", scanAPIToken, `SELECT `+apiTokenColumns+` FROM api_tokens`+q.clause()+` ORDER BY created_at DESC, id`, q.args...)
}

// RevokeAPIToken revokes an API token in scope; revoking it again is no
// error.
func (s *Store) RevokeAPIToken(ctx context.Context, scope handwash.Scope, id string) error {
	var q query
	q.where("id = ?", id)
	q.scoped(scope, "api_tokens")
	res, err := s.write.ExecContext(ctx, `UPDATE api_tokens SET revoked = TRUE`+q.clause(), q.args...)
	if err != nil {
		return s.dbErr("revoke API token", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return notFound("API token", id)
	}
	return nil
}

// APIToken returns any API token by ID, for authentication.
func (s *Store) APIToken(ctx context.Context, id string) (*handwash.APIToken, error) {
	t, err := scanAPIToken(s.read.QueryRowContext(ctx, `SELECT `+apiTokenColumns+` FROM api_tokens WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("API token", id)
	}
	return t, s.dbErr("find API token", err)
}

// TouchAPIToken records that a token was used at a time; an earlier time
// than the one stored is ignored, so concurrent requests cannot move it
// back.
func (s *Store) TouchAPIToken(ctx context.Context, id string, at time.Time) error {
	res, err := s.write.ExecContext(ctx,
		`UPDATE api_tokens SET last_used_at = $2 WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < $2)`,
		id, micros(s.nowOr(at)))
	if err != nil {
		return s.dbErr("record API token use", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		var one int
		err := s.read.QueryRowContext(ctx, `SELECT 1 FROM api_tokens WHERE id = $1`, id).Scan(&one)
		if errors.Is(err, sql.ErrNoRows) {
			return notFound("API token", id)
		}
		return s.dbErr("record API token use", err)
	}
	return nil
}

const enrollTokenColumns = `id, provider_id, org_id, site_id, secret_hash, max_uses, uses, expires_at, created_at, revoked`

func scanEnrollToken(r scanner) (*handwash.EnrollToken, error) {
	var t handwash.EnrollToken
	var site sql.NullString
	var expires, created int64
	if err := r.Scan(&t.ID, &t.ProviderID, &t.OrgID, &site, &t.SecretHash, &t.MaxUses, &t.Uses, &expires, &created, &t.Revoked); err != nil {
		return nil, err
	}
	t.SiteID, t.ExpiresAt, t.CreatedAt = site.String, fromMicros(expires), fromMicros(created)
	return &t, nil
}

// CreateEnrollToken adds an enrolment token for an organisation in scope
// (and optionally one of its sites), with a new ID.
func (s *Store) CreateEnrollToken(ctx context.Context, scope handwash.Scope, t *handwash.EnrollToken) error {
	if err := checkHash(t.SecretHash); err != nil {
		return err
	}
	if t.MaxUses < 1 {
		return invalid("enrolment token max_uses is %d, want at least 1", t.MaxUses)
	}
	if t.ExpiresAt.IsZero() {
		return invalid("enrolment token has no expiry time")
	}
	id, created, expires := handwash.NewID("enr"), s.nowOr(t.CreatedAt), norm(t.ExpiresAt)
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if err := s.orgInScope(ctx, tx, scope, t.OrgID); err != nil {
			return err
		}
		if t.SiteID != "" {
			var one int
			err := tx.QueryRowContext(ctx, `SELECT 1 FROM sites WHERE id = $1 AND org_id = $2`, t.SiteID, t.OrgID).Scan(&one)
			if errors.Is(err, sql.ErrNoRows) {
				return notFound("site", t.SiteID)
			}
			if err != nil {
				return err
			}
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO enroll_tokens (`+enrollTokenColumns+`) VALUES ($1, $2, $3, $4, $5, $6, 0, $7, $8, FALSE)`,
			id, scope.ProviderID, t.OrgID, optString(t.SiteID), t.SecretHash, t.MaxUses, micros(expires), micros(created))
		return err
	})
	if err != nil {
		return s.dbErr("create enrolment token", err)
	}
	t.ID, t.ProviderID, t.CreatedAt, t.ExpiresAt, t.Uses, t.Revoked = id, scope.ProviderID, created, expires, 0, false
	return nil
}

// EnrollTokens lists the enrolment tokens in scope, newest first, of one
// organisation when orgID is set.
func (s *Store) EnrollTokens(ctx context.Context, scope handwash.Scope, orgID string) ([]*handwash.EnrollToken, error) {
	if orgID != "" {
		if err := s.orgInScope(ctx, s.read, scope, orgID); err != nil {
			return nil, err
		}
	}
	var q query
	q.scoped(scope, "enroll_tokens")
	if orgID != "" {
		q.where("org_id = ?", orgID)
	}
	return list(ctx, s, "list enrolment tokens", scanEnrollToken, `SELECT `+enrollTokenColumns+` FROM enroll_tokens`+q.clause()+` ORDER BY created_at DESC, id`, q.args...)
}

// RevokeEnrollToken revokes an enrolment token in scope.
func (s *Store) RevokeEnrollToken(ctx context.Context, scope handwash.Scope, id string) error {
	var q query
	q.where("id = ?", id)
	q.scoped(scope, "enroll_tokens")
	res, err := s.write.ExecContext(ctx, `UPDATE enroll_tokens SET revoked = TRUE`+q.clause(), q.args...)
	if err != nil {
		return s.dbErr("revoke enrolment token", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return notFound("enrolment token", id)
	}
	return nil
}

// Enroll uses an enrolment token to add a device, in one transaction. The
// token's row is locked while it is checked and its use counted, so two
// enrolments racing for the last use cannot both have it.
func (s *Store) Enroll(ctx context.Context, tokenID string, secretHash []byte, now time.Time, d *handwash.Device) error {
	if d.ID == "" {
		return invalid("device ID is empty")
	}
	if err := checkHash(d.SecretHash); err != nil {
		return err
	}
	now = s.nowOr(now)
	refused := func(why string) error {
		return handwash.Errorf(handwash.EUNAUTHORIZED, "enrolment token is not valid%s: ask your administrator for a new one", why)
	}
	var t *handwash.EnrollToken
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var err error
		t, err = scanEnrollToken(tx.QueryRowContext(ctx,
			`SELECT `+enrollTokenColumns+` FROM enroll_tokens WHERE id = $1`+s.d.LockRows, tokenID))
		if errors.Is(err, sql.ErrNoRows) {
			return refused("")
		}
		if err != nil {
			return err
		}
		// Only someone holding the secret learns why the token is refused.
		if len(secretHash) != len(t.SecretHash) || subtle.ConstantTimeCompare(secretHash, t.SecretHash) != 1 {
			return refused("")
		}
		switch {
		case t.Revoked:
			return refused(" (it was revoked)")
		case !now.Before(t.ExpiresAt):
			return refused(" (it expired)")
		case t.Uses >= t.MaxUses:
			return refused(" (it has been used as many times as it allows)")
		}
		if _, err := tx.ExecContext(ctx, `UPDATE enroll_tokens SET uses = uses + 1 WHERE id = $1`, tokenID); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO devices (id, provider_id, org_id, site_id, hostname, platform, os, secret_hash, enrolled_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
			d.ID, t.ProviderID, t.OrgID, optString(t.SiteID), d.Hostname, string(d.Platform), d.OS, d.SecretHash, micros(now))
		if err != nil && s.d.IsUniqueViolation(err) {
			return handwash.Errorf(handwash.ECONFLICT, "device ID %q is already in use", d.ID)
		}
		return err
	})
	if err != nil {
		return s.dbErr("enrol device", err)
	}
	d.ProviderID, d.OrgID, d.SiteID, d.EnrolledAt = t.ProviderID, t.OrgID, t.SiteID, now
	d.LastSeenAt, d.LastSnapshotID, d.FactsDigest, d.Score, d.EvaluatedAt = nil, "", "", -1, nil
	return nil
}
