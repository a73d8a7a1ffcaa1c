package sqlstore

import (
	"context"
	"database/sql"
	"errors"

	"github.com/handwash/handwash"
)

const staffLinkColumns = `l.id, l.provider_id, l.org_id, l.secret_hash, l.created_by, l.created_at, l.expires_at`

func scanStaffLink(r scanner) (*handwash.StaffLink, error) {
	var l handwash.StaffLink
	var created, expires int64
	if err := r.Scan(&l.ID, &l.ProviderID, &l.OrgID, &l.SecretHash, &l.CreatedBy, &created, &expires); err != nil {
		return nil, err
	}
	l.CreatedAt, l.ExpiresAt = fromMicros(created), fromMicros(expires)
	return &l, nil
}

// PutStaffLink stores an organisation's staff link, replacing its last.
func (s *Store) PutStaffLink(ctx context.Context, scope handwash.Scope, l *handwash.StaffLink) error {
	switch {
	case l.ID == "":
		return invalid("the staff link has no ID")
	case len(l.SecretHash) == 0:
		return invalid("the staff link has no secret")
	case !l.ExpiresAt.After(l.CreatedAt):
		return invalid("expires_at: the link must expire after it is made")
	}
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if err := s.orgInScope(ctx, tx, scope, l.OrgID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM staff_links WHERE org_id = $1`, l.OrgID); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO staff_links (id, provider_id, org_id, secret_hash, created_by, created_at, expires_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7)`,
			l.ID, scope.ProviderID, l.OrgID, l.SecretHash, l.CreatedBy, micros(l.CreatedAt), micros(l.ExpiresAt))
		return err
	})
	if err != nil {
		return s.dbErr("store a staff link", err)
	}
	l.ProviderID = scope.ProviderID
	return nil
}

// OrgStaffLink returns the staff link of an organisation in scope.
func (s *Store) OrgStaffLink(ctx context.Context, scope handwash.Scope, orgID string) (*handwash.StaffLink, error) {
	var q query
	q.scoped(scope, "l")
	q.where("l.org_id = ?", orgID)
	l, err := scanStaffLink(s.read.QueryRowContext(ctx, `SELECT `+staffLinkColumns+` FROM staff_links l`+q.clause(), q.args...))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("staff link of organisation", orgID)
	}
	return l, s.dbErr("find a staff link", err)
}

// DeleteStaffLink stops an organisation's staff link.
func (s *Store) DeleteStaffLink(ctx context.Context, scope handwash.Scope, orgID string) error {
	var q query
	q.scoped(scope, "staff_links")
	q.where("org_id = ?", orgID)
	res, err := s.write.ExecContext(ctx, `DELETE FROM staff_links`+q.clause(), q.args...)
	if err != nil {
		return s.dbErr("stop a staff link", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return notFound("staff link of organisation", orgID)
	}
	return nil
}

// StaffLink returns a staff link by ID, for checking its credential.
func (s *Store) StaffLink(ctx context.Context, id string) (*handwash.StaffLink, error) {
	l, err := scanStaffLink(s.read.QueryRowContext(ctx, `SELECT `+staffLinkColumns+` FROM staff_links l WHERE l.id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("staff link", id)
	}
	return l, s.dbErr("find a staff link", err)
}
