package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/handwash/handwash"
)

// Limits on an alert's text.
const (
	maxAlertTitle  = 200
	maxAlertRef    = 100
	maxAlertLink   = 2048
	maxAlertText   = 8192
	maxAlertReason = 1000
	// handwashActor names Handwash itself in alerts' trails.
	handwashActor = "Handwash"
)

// device is what alert transitions need to know of a device.
type device struct {
	providerID, orgID, id, hostname string
}

// alertTransitions keeps a device's automatic alerts in step with its
// newest assessment, in the assessment's transaction: a critical check
// that newly fails opens the organisation's alert for it (or joins the one
// open), and a check that no longer fails marks the device fixed, closing
// the alert once every device is.
func alertTransitions(ctx context.Context, tx *sql.Tx, d device, at int64, critical []*handwash.Finding, stopped []string) error {
	for _, f := range critical {
		id, err := openAutomaticAlert(ctx, tx, d, f, at)
		if err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO alert_devices (alert_id, device_id, hostname, since) VALUES ($1, $2, $3, $4)
			ON CONFLICT (alert_id, device_id) DO UPDATE SET since = excluded.since, fixed_at = NULL, hostname = excluded.hostname
			WHERE alert_devices.fixed_at IS NOT NULL`, id, d.id, d.hostname, at)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n > 0 {
			if err := alertStep(ctx, tx, id, handwash.Actor{Name: handwashActor}, at, "device_added", "fails on "+hostOr(d)); err != nil {
				return err
			}
			if err := countAffected(ctx, tx, id); err != nil {
				return err
			}
		}
	}
	for _, control := range stopped {
		var id string
		err := tx.QueryRowContext(ctx, `SELECT id FROM alerts WHERE org_id = $1 AND control_id = $2 AND origin = 'automatic' AND state <> 'closed'`,
			d.orgID, control).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			continue
		}
		if err != nil {
			return err
		}
		if err := settleDevice(ctx, tx, id, d, at, "device_fixed", "fixed on "+hostOr(d)); err != nil {
			return err
		}
	}
	return nil
}

// settleDevice marks a device no longer affected by an alert (fixed, or
// removed), and closes the alert when it was the last.
func settleDevice(ctx context.Context, tx *sql.Tx, id string, d device, at int64, action, detail string) error {
	res, err := tx.ExecContext(ctx, `UPDATE alert_devices SET fixed_at = $3 WHERE alert_id = $1 AND device_id = $2 AND fixed_at IS NULL`, id, d.id, at)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return nil
	}
	if err := alertStep(ctx, tx, id, handwash.Actor{Name: handwashActor}, at, action, detail); err != nil {
		return err
	}
	if err := countAffected(ctx, tx, id); err != nil {
		return err
	}
	var left int
	if err := tx.QueryRowContext(ctx, `SELECT affected FROM alerts WHERE id = $1`, id).Scan(&left); err != nil {
		return err
	}
	if left > 0 {
		return nil
	}
	const reason = "Fixed on every affected device, as their newest Facts show, or the device was removed."
	if _, err := tx.ExecContext(ctx, `UPDATE alerts SET state = 'closed', closed_at = $2, close_reason = $3 WHERE id = $1`, id, at, reason); err != nil {
		return err
	}
	return alertStep(ctx, tx, id, handwash.Actor{Name: handwashActor}, at, "closed", reason)
}

// removeFromAlerts settles a device that is being deleted in every alert
// it still counts in, so an alert does not wait for it for ever.
func removeFromAlerts(ctx context.Context, tx *sql.Tx, d device, at int64) error {
	rows, err := tx.QueryContext(ctx, `SELECT ad.alert_id FROM alert_devices ad JOIN alerts a ON a.id = ad.alert_id
		WHERE ad.device_id = $1 AND ad.fixed_at IS NULL AND a.state <> 'closed'`, d.id)
	if err != nil {
		return err
	}
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return err
		}
		ids = append(ids, id)
	}
	if err := rows.Close(); err != nil {
		return err
	}
	for _, id := range ids {
		if err := settleDevice(ctx, tx, id, d, at, "device_removed", hostOr(d)+" was removed from Handwash"); err != nil {
			return err
		}
	}
	return nil
}

func hostOr(d device) string {
	if d.hostname != "" {
		return d.hostname
	}
	return d.id
}

// openAutomaticAlert returns the organisation's open alert for the
// finding's check, opening one when there is none.
func openAutomaticAlert(ctx context.Context, tx *sql.Tx, d device, f *handwash.Finding, at int64) (string, error) {
	var id string
	err := tx.QueryRowContext(ctx, `SELECT id FROM alerts WHERE org_id = $1 AND control_id = $2 AND origin = 'automatic' AND state <> 'closed'`,
		d.orgID, f.ControlID).Scan(&id)
	if err == nil || !errors.Is(err, sql.ErrNoRows) {
		return id, err
	}
	clocks, err := clocksOf(ctx, tx, d.providerID)
	if err != nil {
		return "", err
	}
	id = handwash.NewID("alr")
	title := f.Title
	if title == "" {
		title = f.ControlID
	}
	opened := fromMicros(at)
	_, err = tx.ExecContext(ctx, `INSERT INTO alerts (id, provider_id, org_id, origin, control_id, severity, title, detail, state,
		opened_at, ack_due, fix_due) VALUES ($1, $2, $3, 'automatic', $4, $5, $6, $7, 'open', $8, $9, $10)`,
		id, d.providerID, d.orgID, f.ControlID, string(f.Severity), clip(title, maxAlertTitle), clip(f.Summary, maxAlertText),
		at, micros(opened.Add(clocks.AckWithin)), micros(opened.Add(clocks.FixWithin)))
	if err != nil {
		return "", err
	}
	return id, alertStep(ctx, tx, id, handwash.Actor{Name: handwashActor}, at, "opened", "a critical check failed: "+clip(title, maxAlertTitle))
}

// countAffected recounts the devices an alert is about that are not fixed.
func countAffected(ctx context.Context, tx *sql.Tx, id string) error {
	_, err := tx.ExecContext(ctx, `UPDATE alerts SET affected = (SELECT COUNT(*) FROM alert_devices WHERE alert_id = $1 AND fixed_at IS NULL) WHERE id = $1`, id)
	return err
}

func alertStep(ctx context.Context, tx *sql.Tx, id string, actor handwash.Actor, at int64, action, detail string) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO alert_steps (alert_id, at, actor_id, actor_name, action, detail) VALUES ($1, $2, $3, $4, $5, $6)`,
		id, at, actor.ID, clip(actor.Name, maxShortText), action, clip(detail, maxAlertText))
	return err
}

// clip shortens text to at most n bytes, at a character boundary.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	s = s[:n]
	for len(s) > 0 && !utf8Start(s[len(s)-1]) {
		s = s[:len(s)-1]
	}
	if len(s) > 0 {
		s = s[:len(s)-1]
	}
	return s
}

func utf8Start(b byte) bool { return b < 0x80 || b >= 0xC0 }

// clocksOf reads a provider's alert clocks, or the defaults.
func clocksOf(ctx context.Context, q querier, providerID string) (handwash.AlertClocks, error) {
	var ack, fix int64
	err := q.QueryRowContext(ctx, `SELECT ack_within, fix_within FROM alert_clocks WHERE provider_id = $1`, providerID).Scan(&ack, &fix)
	if errors.Is(err, sql.ErrNoRows) {
		return handwash.AlertClocks{AckWithin: handwash.DefaultAckWithin, FixWithin: handwash.DefaultFixWithin}, nil
	}
	return handwash.AlertClocks{AckWithin: time.Duration(ack) * time.Microsecond, FixWithin: time.Duration(fix) * time.Microsecond}, err
}

const alertColumns = `a.id, a.provider_id, a.org_id, a.origin, a.control_id, a.severity, a.title, a.reference, a.link, a.detail, a.action,
	a.state, COALESCE(a.owner_id, ''), COALESCE(u.name, ''), a.opened_at, a.ack_due, a.fix_due, a.acknowledged_at, a.closed_at, a.close_reason, a.affected`

const alertFrom = ` FROM alerts a LEFT JOIN users u ON u.id = a.owner_id`

func scanAlert(r scanner) (*handwash.Alert, error) {
	var a handwash.Alert
	var sev, state string
	var opened, ack, fix int64
	var acked, closed sql.NullInt64
	if err := r.Scan(&a.ID, &a.ProviderID, &a.OrgID, &a.Origin, &a.ControlID, &sev, &a.Title, &a.Reference, &a.Link, &a.Detail, &a.Action,
		&state, &a.OwnerID, &a.OwnerName, &opened, &ack, &fix, &acked, &closed, &a.CloseReason, &a.Affected); err != nil {
		return nil, err
	}
	a.Severity, a.State = handwash.Severity(sev), handwash.AlertState(state)
	a.OpenedAt, a.AckDue, a.FixDue = fromMicros(opened), fromMicros(ack), fromMicros(fix)
	if acked.Valid {
		a.AcknowledgedAt = fromMicros(acked.Int64)
	}
	if closed.Valid {
		a.ClosedAt = fromMicros(closed.Int64)
	}
	return &a, nil
}

// CreateAlert stores an alert a person entered, with the provider's clocks.
func (s *Store) CreateAlert(ctx context.Context, scope handwash.Scope, a *handwash.Alert, actor handwash.Actor) error {
	for _, f := range []struct {
		what, v  string
		limit    int
		required bool
	}{
		{"alert title", a.Title, maxAlertTitle, true},
		{"alert reference", a.Reference, maxAlertRef, false},
		{"alert link", a.Link, maxAlertLink, false},
		{"alert detail", a.Detail, maxAlertText, false},
		{"alert action", a.Action, maxAlertText, false},
	} {
		if f.required && strings.TrimSpace(f.v) == "" {
			return invalid("%s is empty", f.what)
		}
		if err := checkText(f.what, f.v, f.limit); err != nil {
			return err
		}
	}
	if a.Severity.Rank() < 0 {
		return invalid("alert severity %q is not known: use critical, high, medium, low or info", a.Severity)
	}
	at := s.nowOr(actor.At)
	return s.inTx(ctx, func(tx *sql.Tx) error {
		if err := s.orgInScope(ctx, tx, scope, a.OrgID); err != nil {
			return err
		}
		clocks, err := clocksOf(ctx, tx, scope.ProviderID)
		if err != nil {
			return err
		}
		a.ID, a.ProviderID, a.Origin, a.ControlID, a.State = handwash.NewID("alr"), scope.ProviderID, handwash.AlertManual, "", handwash.AlertOpen
		a.OpenedAt, a.AckDue, a.FixDue = at, at.Add(clocks.AckWithin), at.Add(clocks.FixWithin)
		_, err = tx.ExecContext(ctx, `INSERT INTO alerts (id, provider_id, org_id, origin, severity, title, reference, link, detail, action, state,
			opened_at, ack_due, fix_due) VALUES ($1, $2, $3, 'manual', $4, $5, $6, $7, $8, $9, 'open', $10, $11, $12)`,
			a.ID, a.ProviderID, a.OrgID, string(a.Severity), a.Title, a.Reference, a.Link, a.Detail, a.Action,
			micros(a.OpenedAt), micros(a.AckDue), micros(a.FixDue))
		if err != nil {
			return err
		}
		return alertStep(ctx, tx, a.ID, actor, micros(at), "opened", "entered by hand")
	})
}

// Alerts lists the alerts in scope: open ones first, newest first.
func (s *Store) Alerts(ctx context.Context, scope handwash.Scope, f handwash.AlertFilter) ([]*handwash.Alert, error) {
	var q query
	q.scoped(scope, "a")
	if f.OrgID != "" {
		q.where("a.org_id = ?", f.OrgID)
	}
	switch {
	case f.Open && !f.Closed:
		q.where("a.state <> 'closed'")
	case f.Closed && !f.Open:
		q.where("a.state = 'closed'")
	}
	limit := f.Limit
	if limit <= 0 || limit > 1000 {
		limit = 1000
	}
	return list(ctx, s, "list alerts", scanAlert, `SELECT `+alertColumns+alertFrom+q.clause()+
		` ORDER BY CASE WHEN a.state = 'closed' THEN 1 ELSE 0 END, a.opened_at DESC, a.id`+q.page(0, limit), q.args...)
}

// Alert returns one alert in scope with its devices.
func (s *Store) Alert(ctx context.Context, scope handwash.Scope, id string) (*handwash.Alert, error) {
	var q query
	q.where("a.id = ?", id)
	q.scoped(scope, "a")
	a, err := scanAlert(s.read.QueryRowContext(ctx, `SELECT `+alertColumns+alertFrom+q.clause(), q.args...))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("alert", id)
	}
	if err != nil {
		return nil, s.dbErr("find alert", err)
	}
	a.Devices, err = list(ctx, s, "list alert devices", func(r scanner) (handwash.AlertDevice, error) {
		var d handwash.AlertDevice
		var since int64
		var fixed sql.NullInt64
		if err := r.Scan(&d.DeviceID, &d.Hostname, &since, &fixed); err != nil {
			return d, err
		}
		d.Since = fromMicros(since)
		if fixed.Valid {
			d.FixedAt = fromMicros(fixed.Int64)
		}
		return d, nil
	}, `SELECT device_id, hostname, since, fixed_at FROM alert_devices WHERE alert_id = $1 ORDER BY fixed_at IS NOT NULL, hostname, device_id`, a.ID)
	return a, err
}

// AlertSteps lists an alert's audit trail, oldest first.
func (s *Store) AlertSteps(ctx context.Context, scope handwash.Scope, id string) ([]handwash.AlertStep, error) {
	if _, err := s.Alert(ctx, scope, id); err != nil {
		return nil, err
	}
	return list(ctx, s, "list alert steps", func(r scanner) (handwash.AlertStep, error) {
		var st handwash.AlertStep
		var at int64
		err := r.Scan(&at, &st.ActorID, &st.ActorName, &st.Action, &st.Detail)
		st.At = fromMicros(at)
		return st, err
	}, `SELECT at, actor_id, actor_name, action, detail FROM alert_steps WHERE alert_id = $1 ORDER BY id`, id)
}

// changeAlert runs change on an alert in scope inside a transaction, with
// its current state.
func (s *Store) changeAlert(ctx context.Context, scope handwash.Scope, id string, change func(tx *sql.Tx, a *handwash.Alert) error) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		var q query
		q.where("a.id = ?", id)
		q.scoped(scope, "a")
		// Lock the row first: PostgreSQL locks no row of an outer join.
		var one int
		err := tx.QueryRowContext(ctx, `SELECT 1 FROM alerts a`+q.clause()+s.d.LockRows, q.args...).Scan(&one)
		if errors.Is(err, sql.ErrNoRows) {
			return notFound("alert", id)
		}
		if err != nil {
			return err
		}
		a, err := scanAlert(tx.QueryRowContext(ctx, `SELECT `+alertColumns+alertFrom+q.clause(), q.args...))
		if err != nil {
			return err
		}
		return change(tx, a)
	})
}

// AcknowledgeAlert records that someone is dealing with an open alert; an
// acknowledged one stays as it was.
func (s *Store) AcknowledgeAlert(ctx context.Context, scope handwash.Scope, id string, actor handwash.Actor) error {
	at := micros(s.nowOr(actor.At))
	err := s.changeAlert(ctx, scope, id, func(tx *sql.Tx, a *handwash.Alert) error {
		switch a.State {
		case handwash.AlertClosed:
			return handwash.Errorf(handwash.ECONFLICT, "the alert %q is closed already", id)
		case handwash.AlertAcknowledged:
			return nil
		}
		if _, err := tx.ExecContext(ctx, `UPDATE alerts SET state = 'acknowledged', acknowledged_at = $2 WHERE id = $1`, id, at); err != nil {
			return err
		}
		return alertStep(ctx, tx, id, actor, at, "acknowledged", "")
	})
	return s.dbErr("acknowledge alert", err)
}

// AssignAlert makes a user who may see the alert's organisation its owner.
func (s *Store) AssignAlert(ctx context.Context, scope handwash.Scope, id, ownerID string, actor handwash.Actor) error {
	at := micros(s.nowOr(actor.At))
	err := s.changeAlert(ctx, scope, id, func(tx *sql.Tx, a *handwash.Alert) error {
		var name string
		err := tx.QueryRowContext(ctx, `SELECT name FROM users WHERE id = $1 AND provider_id = $2 AND (org_id IS NULL OR org_id = $3) AND NOT disabled`,
			ownerID, a.ProviderID, a.OrgID).Scan(&name)
		if errors.Is(err, sql.ErrNoRows) {
			return notFound("user", ownerID)
		}
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE alerts SET owner_id = $2 WHERE id = $1`, id, ownerID); err != nil {
			return err
		}
		return alertStep(ctx, tx, id, actor, at, "assigned", "owner: "+name)
	})
	return s.dbErr("assign alert", err)
}

// CloseAlert closes an alert with a person's reason.
func (s *Store) CloseAlert(ctx context.Context, scope handwash.Scope, id, reason string, actor handwash.Actor) error {
	if strings.TrimSpace(reason) == "" {
		return invalid("the reason for closing the alert is empty: say why it no longer needs acting on")
	}
	if err := checkText("reason for closing the alert", reason, maxAlertReason); err != nil {
		return err
	}
	at := micros(s.nowOr(actor.At))
	err := s.changeAlert(ctx, scope, id, func(tx *sql.Tx, a *handwash.Alert) error {
		if a.State == handwash.AlertClosed {
			return handwash.Errorf(handwash.ECONFLICT, "the alert %q is closed already", id)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE alerts SET state = 'closed', closed_at = $2, close_reason = $3 WHERE id = $1`, id, at, reason); err != nil {
			return err
		}
		return alertStep(ctx, tx, id, actor, at, "closed", reason)
	})
	return s.dbErr("close alert", err)
}

// AlertClocks returns the provider's alert clocks.
func (s *Store) AlertClocks(ctx context.Context, scope handwash.Scope) (handwash.AlertClocks, error) {
	if scope.ProviderID == "" {
		return handwash.AlertClocks{}, invalid("alert clocks need a provider")
	}
	c, err := clocksOf(ctx, s.read, scope.ProviderID)
	return c, s.dbErr("read alert clocks", err)
}

// SetAlertClocks changes the provider's alert clocks (provider scope only);
// alerts already open keep theirs.
func (s *Store) SetAlertClocks(ctx context.Context, scope handwash.Scope, c handwash.AlertClocks) error {
	if scope.ProviderID == "" || scope.OrgID != "" {
		return handwash.Errorf(handwash.EFORBIDDEN, "only the provider's scope may change its alert clocks")
	}
	switch {
	case c.AckWithin < time.Hour || c.AckWithin > 30*24*time.Hour:
		return invalid("the time to acknowledge an alert must be between an hour and 30 days, not %s", c.AckWithin)
	case c.FixWithin < 24*time.Hour || c.FixWithin > 365*24*time.Hour:
		return invalid("the time to fix an alert must be between a day and a year, not %s", c.FixWithin)
	case c.FixWithin < c.AckWithin:
		return invalid("the time to fix an alert (%s) is shorter than the time to acknowledge it (%s)", c.FixWithin, c.AckWithin)
	}
	_, err := s.write.ExecContext(ctx, `INSERT INTO alert_clocks (provider_id, ack_within, fix_within) VALUES ($1, $2, $3)
		ON CONFLICT (provider_id) DO UPDATE SET ack_within = excluded.ack_within, fix_within = excluded.fix_within`,
		scope.ProviderID, c.AckWithin.Microseconds(), c.FixWithin.Microseconds())
	if err != nil && strings.Contains(strings.ToLower(err.Error()), "foreign key") {
		return notFound("provider", scope.ProviderID)
	}
	return s.dbErr(fmt.Sprintf("set alert clocks of %s", scope.ProviderID), err)
}
