package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"strings"

	"github.com/handwash/handwash"
)

const exceptionColumns = `id, provider_id, org_id, device_id, control, reason, owner, expires, created_at, created_by`

func scanException(r scanner) (*handwash.StoredException, error) {
	var e handwash.StoredException
	var device sql.NullString
	var expires, created int64
	if err := r.Scan(&e.ID, &e.ProviderID, &e.OrgID, &device, &e.Control, &e.Reason, &e.Owner, &expires, &created, &e.CreatedBy); err != nil {
		return nil, err
	}
	e.DeviceID, e.Expires, e.CreatedAt = device.String, fromMicros(expires), fromMicros(created)
	return &e, nil
}

// markCovered marks for evaluation the devices an exception bears on that
// have Facts to judge.
func markCovered(ctx context.Context, tx *sql.Tx, orgID, deviceID string, now int64) error {
	var q query
	q.where("org_id = ?", orgID)
	q.where("facts_digest <> ''")
	if deviceID != "" {
		q.where("id = ?", deviceID)
	}
	_, err := tx.ExecContext(ctx, `UPDATE devices SET `+markSet(q.arg(now))+q.clause(), q.args...)
	return err
}

// markSet is the SET list that marks a device for evaluation at now: the
// sequence number tells PutAssessment that the mark came after its claim.
func markSet(now string) string {
	return `eval_queued_at = CASE WHEN eval_pending THEN eval_queued_at ELSE ` + now + ` END,
		eval_pending = TRUE, eval_seq = eval_seq + 1`
}

// CreateException adds an exception for an organisation in scope, or one
// of its devices, and marks the devices it covers for evaluation.
func (s *Store) CreateException(ctx context.Context, scope handwash.Scope, e *handwash.StoredException) error {
	e.Control = strings.TrimSpace(e.Control)
	switch {
	case e.Control == "":
		return invalid("exception control is empty")
	case strings.TrimSpace(e.Reason) == "":
		return invalid("exception reason is empty")
	case strings.TrimSpace(e.Owner) == "":
		return invalid("exception owner is empty")
	case e.Expires.IsZero():
		return invalid("exception expires is empty")
	}
	id, created, expires := handwash.NewID("exc"), s.nowOr(e.CreatedAt), norm(e.Expires)
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if err := s.orgInScope(ctx, tx, scope, e.OrgID); err != nil {
			return err
		}
		if e.DeviceID != "" {
			var one int
			err := tx.QueryRowContext(ctx, `SELECT 1 FROM devices WHERE id = $1 AND org_id = $2 AND provider_id = $3`,
				e.DeviceID, e.OrgID, scope.ProviderID).Scan(&one)
			if errors.Is(err, sql.ErrNoRows) {
				return notFound("device", e.DeviceID)
			}
			if err != nil {
				return err
			}
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO exceptions (`+exceptionColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
			id, scope.ProviderID, e.OrgID, optString(e.DeviceID), e.Control, e.Reason, e.Owner, micros(expires), micros(created), e.CreatedBy)
		if err != nil {
			return err
		}
		return markCovered(ctx, tx, e.OrgID, e.DeviceID, micros(created))
	})
	if err != nil {
		return s.dbErr("create exception", err)
	}
	e.ID, e.ProviderID, e.CreatedAt, e.Expires = id, scope.ProviderID, created, expires
	return nil
}

// DeleteException removes an exception in scope and marks the devices it
// covered for evaluation.
func (s *Store) DeleteException(ctx context.Context, scope handwash.Scope, id string) error {
	return s.dbErr("delete exception", s.inTx(ctx, func(tx *sql.Tx) error {
		var q query
		q.where("id = ?", id)
		q.scoped(scope, "exceptions")
		var org string
		var device sql.NullString
		err := tx.QueryRowContext(ctx, `DELETE FROM exceptions`+q.clause()+` RETURNING org_id, device_id`, q.args...).Scan(&org, &device)
		if errors.Is(err, sql.ErrNoRows) {
			return notFound("exception", id)
		}
		if err != nil {
			return err
		}
		return markCovered(ctx, tx, org, device.String, micros(s.nowOr(s.now())))
	}))
}

// Exceptions lists the exceptions in scope, of one organisation when orgID
// is set, by control and then device.
func (s *Store) Exceptions(ctx context.Context, scope handwash.Scope, orgID string) ([]*handwash.StoredException, error) {
	if orgID != "" {
		if err := s.orgInScope(ctx, s.read, scope, orgID); err != nil {
			return nil, err
		}
	}
	var q query
	q.scoped(scope, "exceptions")
	if orgID != "" {
		q.where("org_id = ?", orgID)
	}
	return s.exceptions(ctx, `SELECT `+exceptionColumns+` FROM exceptions`+q.clause()+
		` ORDER BY org_id, control, COALESCE(device_id, ''), created_at, id`, q.args...)
}

// ExceptionsFor returns a device's own exceptions and its organisation's.
func (s *Store) ExceptionsFor(ctx context.Context, d *handwash.Device) ([]*handwash.StoredException, error) {
	return s.exceptions(ctx, `SELECT `+exceptionColumns+` FROM exceptions
		WHERE provider_id = $1 AND org_id = $2 AND (device_id IS NULL OR device_id = $3)
		ORDER BY control, COALESCE(device_id, ''), created_at, id`, d.ProviderID, d.OrgID, d.ID)
}

func (s *Store) exceptions(ctx context.Context, stmt string, args ...any) ([]*handwash.StoredException, error) {
	return list(ctx, s, "list exceptions", scanException, stmt, args...)
}
