package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"github.com/handwash/handwash"
)

var _ handwash.AccountService = (*Store)(nil)

// AuditLimit is the most audit entries one call of Audit returns, and how
// many it returns when the filter gives no limit: enough for a page, small
// enough that a request cannot make the server read the whole log.
const AuditLimit = 500

// Size limits on what the account calls store. The values come from the
// dashboard and the command line, which have limits of their own; these
// stop a bug from filling the database.
const (
	maxIDLen        = 128
	maxHashLen      = 1024 // a PHC string or recovery code hash
	maxTOTPSecret   = 128  // base32 characters
	maxRecoveryKept = 100
	maxShortText    = 1024 // names, addresses, user agents, actions, targets
	maxDetail       = 8192
)

// checkID refuses an empty or oversized ID, naming what it identifies.
func checkID(what, id string) error {
	if id == "" {
		return invalid("%s is empty", what)
	}
	if len(id) > maxIDLen {
		return invalid("%s has %d bytes, over the limit of %d", what, len(id), maxIDLen)
	}
	return nil
}

// checkText refuses a value over its size limit. The value is never
// repeated, since some of it may be a secret.
func checkText(what, v string, limit int) error {
	if len(v) > limit {
		return invalid("%s has %d bytes, over the limit of %d", what, len(v), limit)
	}
	return nil
}

// userExists returns ENOTFOUND unless the user exists, in any scope.
func (s *Store) userExists(ctx context.Context, db querier, id string) error {
	var one int
	err := db.QueryRowContext(ctx, `SELECT 1 FROM users WHERE id = $1`, id).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return notFound("user", id)
	}
	return s.dbErr("find user", err)
}

// UserByEmail finds a user by email address, whatever their scope, for
// signing in. CreateUser stores addresses trimmed and in lower case, and
// the column is unique, so comparing the address normalised the same way
// finds at most one user, through the column's index, and "Jo@Example"
// and "jo@example" cannot be two people.
func (s *Store) UserByEmail(ctx context.Context, email string) (*handwash.User, error) {
	email = strings.ToLower(strings.TrimSpace(email))
	if email == "" {
		return nil, invalid("email address is empty")
	}
	if err := checkText("email address", email, maxShortText); err != nil {
		return nil, err
	}
	u, err := scanUser(s.read.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE email = $1`, email))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, handwash.Errorf(handwash.ENOTFOUND, "no user has the email address %q", email)
	}
	return u, s.dbErr("find user by email", err)
}

// UserForAuth returns any user by ID, whatever their scope, for checking
// a session. It is for authentication only: everything else reads users
// through a scope.
func (s *Store) UserForAuth(ctx context.Context, id string) (*handwash.User, error) {
	if err := checkID("user ID", id); err != nil {
		return nil, err
	}
	u, err := scanUser(s.read.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("user", id)
	}
	return u, s.dbErr("find user", err)
}

// SignIn returns a user's sign-in record: empty, but for the user ID, when
// nothing was set yet; ENOTFOUND when there is no such user. One statement
// reads the record and its recovery codes, so it never sees a new
// authenticator secret with the old codes.
func (s *Store) SignIn(ctx context.Context, userID string) (*handwash.SignIn, error) {
	if err := checkID("user ID", userID); err != nil {
		return nil, err
	}
	rows, err := s.read.QueryContext(ctx, `SELECT COALESCE(si.password_hash, ''), si.password_changed_at,
			COALESCE(si.totp_secret, ''), COALESCE(si.totp_last_step, 0), rc.code_hash
		FROM users u
		LEFT JOIN user_signin si ON si.user_id = u.id
		LEFT JOIN recovery_codes rc ON rc.user_id = u.id
		WHERE u.id = $1
		ORDER BY rc.position`, userID)
	if err != nil {
		return nil, s.dbErr("read sign-in record", err)
	}
	defer rows.Close()
	var rec *handwash.SignIn
	for rows.Next() {
		var r handwash.SignIn
		var changed sql.NullInt64
		var code sql.NullString
		if err := rows.Scan(&r.PasswordHash, &changed, &r.TOTPSecret, &r.TOTPLastStep, &code); err != nil {
			return nil, s.dbErr("read sign-in record", err)
		}
		if rec == nil {
			r.UserID, r.PasswordChangedAt = userID, optTime(changed)
			rec = &r
		}
		if code.Valid {
			rec.RecoveryCodes = append(rec.RecoveryCodes, code.String)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, s.dbErr("read sign-in record", err)
	}
	if rec == nil {
		return nil, notFound("user", userID)
	}
	return rec, nil
}

// SetPassword replaces a user's password hash, which must be an argon2id
// PHC string: anything else would lock the user out.
func (s *Store) SetPassword(ctx context.Context, userID, hash string, at time.Time) error {
	if err := checkID("user ID", userID); err != nil {
		return err
	}
	if !strings.HasPrefix(hash, "$argon2id$") {
		return invalid("password hash is not an argon2id PHC string")
	}
	if err := checkText("password hash", hash, maxHashLen); err != nil {
		return err
	}
	at = s.nowOr(at)
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if err := s.userExists(ctx, tx, userID); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO user_signin (user_id, password_hash, password_changed_at) VALUES ($1, $2, $3)
			ON CONFLICT (user_id) DO UPDATE SET password_hash = excluded.password_hash, password_changed_at = excluded.password_changed_at`,
			userID, hash, micros(at))
		return err
	})
	return s.dbErr("set password", err)
}

// SetMFA sets up, replaces or (with an empty secret) removes a user's
// authenticator secret, and replaces their recovery codes, in one
// transaction. The last accepted time step is kept: it only ever moves
// forward, so no code accepted before can be accepted again.
func (s *Store) SetMFA(ctx context.Context, userID, secret string, recoveryCodes []string) error {
	if err := checkID("user ID", userID); err != nil {
		return err
	}
	if err := checkTOTPSecret(secret); err != nil {
		return err
	}
	if secret == "" && len(recoveryCodes) > 0 {
		return invalid("recovery codes were given without an authenticator secret: they would be useless")
	}
	if len(recoveryCodes) > maxRecoveryKept {
		return invalid("%d recovery codes were given, over the limit of %d", len(recoveryCodes), maxRecoveryKept)
	}
	seen := make(map[string]bool, len(recoveryCodes))
	for i, c := range recoveryCodes {
		if c == "" {
			return invalid("recovery code %d of %d is empty", i+1, len(recoveryCodes))
		}
		if err := checkText("a recovery code hash", c, maxHashLen); err != nil {
			return err
		}
		if seen[c] {
			return invalid("recovery code %d of %d is given twice", i+1, len(recoveryCodes))
		}
		seen[c] = true
	}
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if err := s.userExists(ctx, tx, userID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO user_signin (user_id, totp_secret) VALUES ($1, $2)
			ON CONFLICT (user_id) DO UPDATE SET totp_secret = excluded.totp_secret`, userID, secret); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM recovery_codes WHERE user_id = $1`, userID); err != nil {
			return err
		}
		for i, c := range recoveryCodes {
			if _, err := tx.ExecContext(ctx, `INSERT INTO recovery_codes (user_id, code_hash, position) VALUES ($1, $2, $3)`, userID, c, i); err != nil {
				return err
			}
		}
		return nil
	})
	return s.dbErr("set up multi-factor authentication", err)
}

// checkTOTPSecret refuses a secret that is not base32 (RFC 4648, upper
// case, padding allowed), without repeating it.
func checkTOTPSecret(secret string) error {
	if err := checkText("authenticator secret", secret, maxTOTPSecret); err != nil {
		return err
	}
	for _, r := range secret {
		if !(r >= 'A' && r <= 'Z' || r >= '2' && r <= '7' || r == '=') {
			return invalid("authenticator secret is not base32 (A to Z and 2 to 7)")
		}
	}
	return nil
}

// UseTOTPStep records that a code of step was accepted, in one conditional
// UPDATE: on SQLite writes are serialised, and on PostgreSQL a concurrent
// UPDATE of the row waits and then checks the condition again, so of two
// servers given the same code at once exactly one is told true. A user
// with no sign-in record has no authenticator, so nothing is accepted.
func (s *Store) UseTOTPStep(ctx context.Context, userID string, step int64) (bool, error) {
	if err := checkID("user ID", userID); err != nil {
		return false, err
	}
	if step <= 0 {
		return false, invalid("time step %d is not positive", step)
	}
	res, err := s.write.ExecContext(ctx,
		`UPDATE user_signin SET totp_last_step = $2 WHERE user_id = $1 AND totp_last_step < $2`, userID, step)
	if err != nil {
		return false, s.dbErr("record an authenticator code", err)
	}
	if n, _ := res.RowsAffected(); n == 1 {
		return true, nil
	}
	return false, s.userExists(ctx, s.read, userID)
}

// UseRecoveryCode deletes one unused recovery code by its hash; the row
// deleted is the proof that this call, and no other, used it. The caller
// has already matched the code in constant time against every stored hash,
// and hashes are salted, so looking the hash up by equality tells an
// observer nothing about any code.
func (s *Store) UseRecoveryCode(ctx context.Context, userID, codeHash string) (bool, error) {
	if err := checkID("user ID", userID); err != nil {
		return false, err
	}
	if codeHash == "" {
		return false, invalid("recovery code hash is empty")
	}
	if err := checkText("recovery code hash", codeHash, maxHashLen); err != nil {
		return false, err
	}
	res, err := s.write.ExecContext(ctx, `DELETE FROM recovery_codes WHERE user_id = $1 AND code_hash = $2`, userID, codeHash)
	if err != nil {
		return false, s.dbErr("use a recovery code", err)
	}
	if n, _ := res.RowsAffected(); n == 1 {
		return true, nil
	}
	return false, s.userExists(ctx, s.read, userID)
}

const sessionColumns = `id, user_id, secret_hash, mfa, created_at, last_seen_at, expires_at, address, user_agent`

func scanSession(r scanner) (*handwash.Session, error) {
	var ss handwash.Session
	var created, seen, expires int64
	if err := r.Scan(&ss.ID, &ss.UserID, &ss.SecretHash, &ss.MFA, &created, &seen, &expires, &ss.Address, &ss.UserAgent); err != nil {
		return nil, err
	}
	ss.CreatedAt, ss.LastSeenAt, ss.ExpiresAt = fromMicros(created), fromMicros(seen), fromMicros(expires)
	return &ss, nil
}

// CreateSession stores a new session with the ID the caller chose. Its
// creation time defaults to now, and its last-seen time to its creation.
func (s *Store) CreateSession(ctx context.Context, ss *handwash.Session) error {
	if err := checkID("session ID", ss.ID); err != nil {
		return err
	}
	if err := checkID("session user ID", ss.UserID); err != nil {
		return err
	}
	if err := checkHash(ss.SecretHash); err != nil {
		return err
	}
	if ss.ExpiresAt.IsZero() {
		return invalid("session has no expiry time")
	}
	if err := checkText("session address", ss.Address, maxShortText); err != nil {
		return err
	}
	if err := checkText("session user agent", ss.UserAgent, maxShortText); err != nil {
		return err
	}
	created := s.nowOr(ss.CreatedAt)
	seen := norm(ss.LastSeenAt)
	if seen.IsZero() {
		seen = created
	}
	expires := norm(ss.ExpiresAt)
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if err := s.userExists(ctx, tx, ss.UserID); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO sessions (`+sessionColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
			ss.ID, ss.UserID, ss.SecretHash, ss.MFA, micros(created), micros(seen), micros(expires), ss.Address, ss.UserAgent)
		if err != nil && s.d.IsUniqueViolation(err) {
			return handwash.Errorf(handwash.ECONFLICT, "session ID %q is already in use", ss.ID)
		}
		return err
	})
	if err != nil {
		return s.dbErr("create session", err)
	}
	ss.CreatedAt, ss.LastSeenAt, ss.ExpiresAt = created, seen, expires
	return nil
}

// SessionForAuth returns any session by ID, for checking a cookie; the
// caller compares the secret hash in constant time and checks the times.
func (s *Store) SessionForAuth(ctx context.Context, id string) (*handwash.Session, error) {
	if err := checkID("session ID", id); err != nil {
		return nil, err
	}
	ss, err := scanSession(s.read.QueryRowContext(ctx, `SELECT `+sessionColumns+` FROM sessions WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("session", id)
	}
	return ss, s.dbErr("find session", err)
}

// TouchSession moves a session's last-seen time, never back (requests of
// one browser can finish out of order), and marks it as having had its
// second factor when mfa is true; nothing unmarks it.
func (s *Store) TouchSession(ctx context.Context, id string, at time.Time, mfa bool) error {
	if err := checkID("session ID", id); err != nil {
		return err
	}
	res, err := s.write.ExecContext(ctx, `UPDATE sessions
		SET last_seen_at = CASE WHEN last_seen_at < $2 THEN $2 ELSE last_seen_at END, mfa = (mfa OR $3)
		WHERE id = $1`, id, micros(s.nowOr(at)), mfa)
	if err != nil {
		return s.dbErr("record session activity", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return notFound("session", id)
	}
	return nil
}

// DeleteSession ends one session; ENOTFOUND when it had already ended.
func (s *Store) DeleteSession(ctx context.Context, id string) error {
	if err := checkID("session ID", id); err != nil {
		return err
	}
	res, err := s.write.ExecContext(ctx, `DELETE FROM sessions WHERE id = $1`, id)
	if err != nil {
		return s.dbErr("end session", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return notFound("session", id)
	}
	return nil
}

// DeleteUserSessions ends every session of a user but keep (when not
// empty), and returns how many ended: none for a user with none, or with
// no account.
func (s *Store) DeleteUserSessions(ctx context.Context, userID, keep string) (int, error) {
	if err := checkID("user ID", userID); err != nil {
		return 0, err
	}
	res, err := s.write.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = $1 AND id <> $2`, userID, keep)
	if err != nil {
		return 0, s.dbErr("end a user's sessions", err)
	}
	n, err := res.RowsAffected()
	return int(n), s.dbErr("end a user's sessions", err)
}

// DeleteExpiredSessions removes the sessions whose absolute end is before
// now, or last seen before idleBefore (a zero idleBefore removes none for
// idleness). The dashboard refuses such sessions as it reads them, with
// the same strict comparisons, so this only reclaims space.
func (s *Store) DeleteExpiredSessions(ctx context.Context, now, idleBefore time.Time) (int, error) {
	idle := int64(0)
	if !idleBefore.IsZero() {
		idle = micros(idleBefore)
	}
	res, err := s.write.ExecContext(ctx, `DELETE FROM sessions WHERE expires_at < $1 OR last_seen_at < $2`,
		micros(s.nowOr(now)), idle)
	if err != nil {
		return 0, s.dbErr("remove expired sessions", err)
	}
	n, err := res.RowsAffected()
	return int(n), s.dbErr("remove expired sessions", err)
}

// AddAudit appends an entry to the audit log, filling in its ID and, when
// not given, its time. The provider must exist; the organisation need not
// any more, since the entry may record its deletion.
func (s *Store) AddAudit(ctx context.Context, e *handwash.AuditEntry) error {
	if err := checkID("audit entry provider ID", e.ProviderID); err != nil {
		return err
	}
	if e.Action == "" {
		return invalid("audit entry action is empty")
	}
	for _, f := range []struct {
		what, v string
		limit   int
	}{
		{"audit entry organisation ID", e.OrgID, maxIDLen},
		{"audit entry actor ID", e.ActorID, maxShortText},
		{"audit entry actor name", e.ActorName, maxShortText},
		{"audit entry action", e.Action, maxShortText},
		{"audit entry target", e.Target, maxShortText},
		{"audit entry detail", e.Detail, maxDetail},
		{"audit entry address", e.Address, maxShortText},
	} {
		if err := checkText(f.what, f.v, f.limit); err != nil {
			return err
		}
	}
	at := s.nowOr(e.At)
	var id int64
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var one int
		err := tx.QueryRowContext(ctx, `SELECT 1 FROM providers WHERE id = $1`, e.ProviderID).Scan(&one)
		if errors.Is(err, sql.ErrNoRows) {
			return notFound("provider", e.ProviderID)
		}
		if err != nil {
			return err
		}
		return tx.QueryRowContext(ctx, `INSERT INTO audit_log (provider_id, org_id, at, actor_id, actor_name, action, target, detail, address)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
			e.ProviderID, optString(e.OrgID), micros(at), e.ActorID, e.ActorName, e.Action, e.Target, e.Detail, e.Address).Scan(&id)
	})
	if err != nil {
		return s.dbErr("write audit log", err)
	}
	e.ID, e.At = id, at
	return nil
}

const auditColumns = `id, provider_id, org_id, at, actor_id, actor_name, action, target, detail, address`

func scanAudit(r scanner) (*handwash.AuditEntry, error) {
	var e handwash.AuditEntry
	var org sql.NullString
	var at int64
	if err := r.Scan(&e.ID, &e.ProviderID, &org, &at, &e.ActorID, &e.ActorName, &e.Action, &e.Target, &e.Detail, &e.Address); err != nil {
		return nil, err
	}
	e.OrgID, e.At = org.String, fromMicros(at)
	return &e, nil
}

// Audit lists the audit entries in scope that match the filter, newest
// first, up to AuditLimit at a time, and how many match in all. A provider
// scope sees all its provider's entries, an organisation scope only those
// of its organisation; asking an organisation scope for another
// organisation's entries is ENOTFOUND, as everywhere else. Since is
// inclusive and Before exclusive, so consecutive ranges do not overlap.
func (s *Store) Audit(ctx context.Context, scope handwash.Scope, f handwash.AuditFilter) ([]*handwash.AuditEntry, int, error) {
	if scope.ProviderID == "" {
		return nil, 0, invalid("the scope names no provider")
	}
	switch {
	case f.Limit < 0:
		return nil, 0, invalid("audit filter limit %d is negative: give 0 for the default of %d, or up to %d", f.Limit, AuditLimit, AuditLimit)
	case f.Offset < 0:
		return nil, 0, invalid("audit filter offset %d is negative", f.Offset)
	case !f.Since.IsZero() && !f.Before.IsZero() && !f.Since.Before(f.Before):
		return nil, 0, invalid("audit filter: since (%s) must be earlier than before (%s)", f.Since.UTC().Format(time.RFC3339), f.Before.UTC().Format(time.RFC3339))
	}
	for _, v := range []struct{ what, v string }{
		{"audit filter organisation ID", f.OrgID}, {"audit filter actor ID", f.ActorID}, {"audit filter action", f.Action},
	} {
		if err := checkText(v.what, v.v, maxShortText); err != nil {
			return nil, 0, err
		}
	}
	if f.OrgID != "" && !scope.Covers(scope.ProviderID, f.OrgID) {
		return nil, 0, notFound("organisation", f.OrgID)
	}
	var q query
	q.scoped(scope, "audit_log")
	if f.OrgID != "" && scope.OrgID == "" {
		q.where("audit_log.org_id = ?", f.OrgID)
	}
	if f.ActorID != "" {
		q.where("audit_log.actor_id = ?", f.ActorID)
	}
	if f.Action != "" {
		q.where("audit_log.action = ?", f.Action)
	}
	if !f.Since.IsZero() {
		q.where("audit_log.at >= ?", micros(f.Since))
	}
	if !f.Before.IsZero() {
		q.where("audit_log.at < ?", micros(f.Before))
	}
	var total int
	if err := s.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM audit_log`+q.clause(), q.args...).Scan(&total); err != nil {
		return nil, 0, s.dbErr("count audit entries", err)
	}
	limit := f.Limit
	if limit == 0 || limit > AuditLimit {
		limit = AuditLimit
	}
	stmt := `SELECT ` + auditColumns + ` FROM audit_log` + q.clause() + ` ORDER BY audit_log.at DESC, audit_log.id DESC` + q.page(f.Offset, limit)
	es, err := list(ctx, s, "list audit entries", scanAudit, stmt, q.args...)
	return es, total, err
}

// CreateInvitation stores an invitation for an existing user.
func (s *Store) CreateInvitation(ctx context.Context, inv *handwash.Invitation) error {
	if err := checkID("invitation ID", inv.ID); err != nil {
		return err
	}
	if err := checkID("invitation user ID", inv.UserID); err != nil {
		return err
	}
	if err := checkHash(inv.SecretHash); err != nil {
		return err
	}
	if inv.ExpiresAt.IsZero() {
		return invalid("invitation has no expiry time")
	}
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if err := s.userExists(ctx, tx, inv.UserID); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO invitations (id, user_id, secret_hash, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)`,
			inv.ID, inv.UserID, inv.SecretHash, micros(s.nowOr(inv.CreatedAt)), micros(norm(inv.ExpiresAt)))
		if s.d.IsUniqueViolation(err) {
			return handwash.Errorf(handwash.ECONFLICT, "invitation %q exists already", inv.ID)
		}
		return err
	})
	return s.dbErr("store invitation", err)
}

// InvitationForAuth returns an invitation by ID, whatever its scope, for
// checking a link.
func (s *Store) InvitationForAuth(ctx context.Context, id string) (*handwash.Invitation, error) {
	if err := checkID("invitation ID", id); err != nil {
		return nil, err
	}
	var inv handwash.Invitation
	var created, expires int64
	err := s.read.QueryRowContext(ctx, `SELECT id, user_id, secret_hash, created_at, expires_at FROM invitations WHERE id = $1`, id).
		Scan(&inv.ID, &inv.UserID, &inv.SecretHash, &created, &expires)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("invitation", id)
	}
	if err != nil {
		return nil, s.dbErr("find invitation", err)
	}
	inv.CreatedAt, inv.ExpiresAt = fromMicros(created), fromMicros(expires)
	return &inv, nil
}

// UseInvitation deletes an invitation, and reports whether this call did.
func (s *Store) UseInvitation(ctx context.Context, id string) (bool, error) {
	if err := checkID("invitation ID", id); err != nil {
		return false, err
	}
	res, err := s.write.ExecContext(ctx, `DELETE FROM invitations WHERE id = $1`, id)
	if err != nil {
		return false, s.dbErr("use invitation", err)
	}
	n, err := res.RowsAffected()
	return n == 1, s.dbErr("use invitation", err)
}
