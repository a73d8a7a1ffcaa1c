package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"github.com/handwash/handwash"
)

// Limits on what a notification row may hold.
const (
	maxWebhookURL    = 2048
	maxWebhookSecret = 1024
	maxMessage       = 64 << 10
	maxDeliveryError = 2000
)

// joinKinds stores a list of kinds as one comma-separated column.
func joinKinds(kinds []handwash.NotifyKind) (string, error) {
	parts := make([]string, 0, len(kinds))
	seen := map[handwash.NotifyKind]bool{}
	for _, k := range kinds {
		if !k.Valid() {
			return "", invalid("notification kind %q is not known: use new_high_failure, device_stale, weekly_summary, alert_ack_overdue or alert_fix_overdue", k)
		}
		if !seen[k] {
			seen[k] = true
			parts = append(parts, string(k))
		}
	}
	return strings.Join(parts, ","), nil
}

// splitKinds reads a stored list of kinds.
func splitKinds(s string) []handwash.NotifyKind {
	if s == "" {
		return []handwash.NotifyKind{}
	}
	var out []handwash.NotifyKind
	for _, p := range strings.Split(s, ",") {
		out = append(out, handwash.NotifyKind(p))
	}
	return out
}

// NotifyKinds returns what a user in scope receives by email, and whether
// they chose it.
func (s *Store) NotifyKinds(ctx context.Context, scope handwash.Scope, userID string) ([]handwash.NotifyKind, bool, error) {
	u, err := s.User(ctx, scope, userID)
	if err != nil {
		return nil, false, err
	}
	var kinds string
	err = s.read.QueryRowContext(ctx, `SELECT kinds FROM notify_prefs WHERE user_id = $1`, u.ID).Scan(&kinds)
	if errors.Is(err, sql.ErrNoRows) {
		return handwash.DefaultNotifyKinds(u.Role), false, nil
	}
	if err != nil {
		return nil, false, s.dbErr("read notification choices", err)
	}
	return splitKinds(kinds), true, nil
}

// SetNotifyKinds records what a user in scope chose to receive.
func (s *Store) SetNotifyKinds(ctx context.Context, scope handwash.Scope, userID string, kinds []handwash.NotifyKind) error {
	joined, err := joinKinds(kinds)
	if err != nil {
		return err
	}
	return s.inTx(ctx, func(tx *sql.Tx) error {
		var q query
		q.where("id = ?", userID)
		q.scoped(scope, "users")
		var one int
		err := tx.QueryRowContext(ctx, `SELECT 1 FROM users`+q.clause(), q.args...).Scan(&one)
		if errors.Is(err, sql.ErrNoRows) {
			return notFound("user", userID)
		}
		if err != nil {
			return s.dbErr("find user", err)
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO notify_prefs (user_id, kinds) VALUES ($1, $2)
			ON CONFLICT (user_id) DO UPDATE SET kinds = excluded.kinds`, userID, joined)
		return s.dbErr("store notification choices", err)
	})
}

const webhookColumns = `id, provider_id, org_id, name, format, url, secret, kinds, created_at`

func scanWebhook(r scanner) (*handwash.Webhook, error) {
	var w handwash.Webhook
	var org sql.NullString
	var kinds string
	var created int64
	if err := r.Scan(&w.ID, &w.ProviderID, &org, &w.Name, &w.Format, &w.URL, &w.Secret, &kinds, &created); err != nil {
		return nil, err
	}
	w.OrgID = org.String
	w.Kinds = splitKinds(kinds)
	w.CreatedAt = fromMicros(created)
	return &w, nil
}

// CreateWebhook stores a webhook for scope's organisation, or for the whole
// provider when w.OrgID is empty and scope is the provider's.
func (s *Store) CreateWebhook(ctx context.Context, scope handwash.Scope, w *handwash.Webhook) error {
	if err := checkID("webhook ID", w.ID); err != nil {
		return err
	}
	if w.ProviderID != scope.ProviderID || (scope.OrgID != "" && w.OrgID != scope.OrgID) {
		return notFound("organisation", w.OrgID)
	}
	if strings.TrimSpace(w.Name) == "" {
		return invalid("webhook name is empty")
	}
	if err := checkText("webhook name", w.Name, maxShortText); err != nil {
		return err
	}
	switch w.Format {
	case "generic", "slack", "teams":
	default:
		return invalid("webhook format %q is not known: use generic, slack or teams", w.Format)
	}
	if w.URL == "" || len(w.URL) > maxWebhookURL {
		return invalid("webhook URL must be 1 to %d bytes long", maxWebhookURL)
	}
	if len(w.Secret) > maxWebhookSecret {
		return invalid("webhook secret is over %d bytes", maxWebhookSecret)
	}
	if len(w.Kinds) == 0 {
		return invalid("webhook receives no kind of notification: choose at least one")
	}
	kinds, err := joinKinds(w.Kinds)
	if err != nil {
		return err
	}
	w.CreatedAt = s.nowOr(w.CreatedAt)
	return s.inTx(ctx, func(tx *sql.Tx) error {
		if w.OrgID != "" {
			if err := s.orgInScope(ctx, tx, scope, w.OrgID); err != nil {
				return err
			}
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO webhooks (`+webhookColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
			w.ID, w.ProviderID, optString(w.OrgID), w.Name, w.Format, w.URL, w.Secret, kinds, micros(w.CreatedAt))
		if err != nil && s.d.IsUniqueViolation(err) {
			return handwash.Errorf(handwash.ECONFLICT, "webhook %q exists already", w.ID)
		}
		return s.dbErr("store webhook", err)
	})
}

// webhookScope adds the conditions for the webhooks scope may see: with an
// organisation, its own and the provider-wide ones.
func webhookScope(q *query, scope handwash.Scope) {
	q.where("w.provider_id = ?", scope.ProviderID)
	if scope.OrgID != "" {
		q.where("(w.org_id = ? OR w.org_id IS NULL)", scope.OrgID)
	}
}

// Webhooks lists the webhooks scope may see, provider-wide ones first.
func (s *Store) Webhooks(ctx context.Context, scope handwash.Scope) ([]*handwash.Webhook, error) {
	var q query
	webhookScope(&q, scope)
	return list(ctx, s, "list webhooks", scanWebhook,
		`SELECT `+prefixed("w.", webhookColumns)+` FROM webhooks w`+q.clause()+` ORDER BY w.org_id IS NOT NULL, w.name, w.id`, q.args...)
}

// DeleteWebhook removes a webhook scope owns: an organisation's scope
// cannot remove a provider-wide webhook. Its pending deliveries are given
// up when they come to be sent.
func (s *Store) DeleteWebhook(ctx context.Context, scope handwash.Scope, id string) error {
	var q query
	q.where("id = ?", id)
	q.scoped(scope, "webhooks")
	res, err := s.write.ExecContext(ctx, `DELETE FROM webhooks`+q.clause(), q.args...)
	if err != nil {
		return s.dbErr("delete webhook", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return notFound("webhook", id)
	}
	return nil
}

// QueueNotification queues an event in scope; a test's one recipient must
// be in scope too.
func (s *Store) QueueNotification(ctx context.Context, scope handwash.Scope, e *handwash.NotifyEvent) error {
	if e.ProviderID != scope.ProviderID || (scope.OrgID != "" && e.OrgID != scope.OrgID) {
		return notFound("organisation", e.OrgID)
	}
	if e.Kind != handwash.NotifyTest && !e.Kind.Valid() {
		return invalid("notification kind %q is not known", e.Kind)
	}
	return s.inTx(ctx, func(tx *sql.Tx) error {
		if e.OrgID != "" {
			if err := s.orgInScope(ctx, tx, scope, e.OrgID); err != nil {
				return err
			}
		}
		if e.WebhookID != "" {
			var q query
			q.where("w.id = ?", e.WebhookID)
			webhookScope(&q, scope)
			var one int
			if err := tx.QueryRowContext(ctx, `SELECT 1 FROM webhooks w`+q.clause(), q.args...).Scan(&one); errors.Is(err, sql.ErrNoRows) {
				return notFound("webhook", e.WebhookID)
			} else if err != nil {
				return err
			}
		}
		if e.UserID != "" {
			var q query
			q.where("id = ?", e.UserID)
			q.scoped(scope, "users")
			var one int
			if err := tx.QueryRowContext(ctx, `SELECT 1 FROM users`+q.clause(), q.args...).Scan(&one); errors.Is(err, sql.ErrNoRows) {
				return notFound("user", e.UserID)
			} else if err != nil {
				return err
			}
		}
		id, err := insertEvent(ctx, tx, e, s.nowOr(time.Time{}))
		e.ID = id
		return err
	})
}

// insertEvent adds an event to the outbox.
func insertEvent(ctx context.Context, tx *sql.Tx, e *handwash.NotifyEvent, now time.Time) (int64, error) {
	var id int64
	err := tx.QueryRowContext(ctx, `INSERT INTO notify_events (provider_id, org_id, kind, device_id, control_id, severity, at, user_id, webhook_id, created_at, alert_id, report_id, email, job_id)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING id`,
		e.ProviderID, e.OrgID, string(e.Kind), e.DeviceID, e.ControlID, string(e.Severity), micros(norm(e.At)), e.UserID, e.WebhookID, micros(now), e.AlertID,
		e.ReportID, e.Email, e.JobID).Scan(&id)
	return id, err
}

// newFailureEvents queues a new_high_failure event for each control that
// newly fails at high severity or worse on a device judged before. A
// device's first judgement is no news: its failures are on the dashboard,
// and the weekly summary counts them.
func newFailureEvents(ctx context.Context, tx *sql.Tx, providerID, orgID, deviceID string, at int64, controls []*handwash.Finding) error {
	for _, f := range controls {
		e := handwash.NotifyEvent{ProviderID: providerID, OrgID: orgID, Kind: handwash.NotifyNewFailure,
			DeviceID: deviceID, ControlID: f.ControlID, Severity: f.Severity, At: fromMicros(at)}
		if _, err := insertEvent(ctx, tx, &e, e.At); err != nil {
			return err
		}
	}
	return nil
}

const deliveryColumns = `d.id, d.provider_id, d.org_id, d.kind, d.channel, d.user_id, d.email, d.webhook_id, d.recipient, d.subject,
	d.message, d.status, d.attempts, d.next_at, d.last_error, d.created_at, d.sent_at`

func scanDelivery(r scanner, extra ...any) (*handwash.Delivery, error) {
	var d handwash.Delivery
	var kind, status string
	var next, created int64
	var sent sql.NullInt64
	dest := append([]any{&d.ID, &d.ProviderID, &d.OrgID, &kind, &d.Channel, &d.UserID, &d.Email, &d.WebhookID, &d.Recipient, &d.Subject,
		&d.Message, &status, &d.Attempts, &next, &d.LastError, &created, &sent}, extra...)
	if err := r.Scan(dest...); err != nil {
		return nil, err
	}
	d.Kind = handwash.NotifyKind(kind)
	d.Status = handwash.DeliveryStatus(status)
	d.NextAt = fromMicros(next)
	d.CreatedAt = fromMicros(created)
	if sent.Valid {
		d.SentAt = fromMicros(sent.Int64)
	}
	return &d, nil
}

// Deliveries lists the newest deliveries scope may see, newest first.
func (s *Store) Deliveries(ctx context.Context, scope handwash.Scope, limit int) ([]*handwash.Delivery, error) {
	if limit <= 0 || limit > 1000 {
		limit = 1000
	}
	var q query
	q.scoped(scope, "d")
	return list(ctx, s, "list deliveries", func(r scanner) (*handwash.Delivery, error) { return scanDelivery(r) },
		`SELECT `+deliveryColumns+` FROM deliveries d`+q.clause()+` ORDER BY d.created_at DESC, d.id DESC`+q.page(0, limit), q.args...)
}

// QueueStaleNotices queues a device_stale event for each device last seen
// before staleBefore that has had none since it was last seen (at most
// 10,000 a call; the rest at the next).
func (s *Store) QueueStaleNotices(ctx context.Context, staleBefore, now time.Time) (int, error) {
	// A device enrolled that never reported counts from its enrolment: an
	// agent that never got going is news too.
	n, err := s.queueEvents(ctx, s.nowOr(now), `SELECT d.id, d.provider_id, d.org_id, `+seenExpr+` FROM devices d
			LEFT JOIN stale_notices sn ON sn.device_id = d.id
			WHERE `+seenExpr+` < $1 AND (sn.device_id IS NULL OR sn.last_seen_at <> `+seenExpr+`)
			ORDER BY d.id LIMIT 10000`, []any{micros(staleBefore)},
		func(r scanner, e *handwash.NotifyEvent) error {
			var seen int64
			err := r.Scan(&e.DeviceID, &e.ProviderID, &e.OrgID, &seen)
			e.Kind, e.At = handwash.NotifyDeviceStale, fromMicros(seen)
			return err
		},
		func(tx *sql.Tx, e *handwash.NotifyEvent) error {
			_, err := tx.ExecContext(ctx, `INSERT INTO stale_notices (device_id, last_seen_at) VALUES ($1, $2)
				ON CONFLICT (device_id) DO UPDATE SET last_seen_at = excluded.last_seen_at`, e.DeviceID, micros(e.At))
			return err
		})
	return n, s.dbErr("queue stale device notices", err)
}

// queueEvents queues, in one transaction, an event for each row of query
// (read by scan), and runs mark for each so it is not queued again; it
// returns how many were queued.
func (s *Store) queueEvents(ctx context.Context, now time.Time, query string, args []any,
	scan func(r scanner, e *handwash.NotifyEvent) error, mark func(tx *sql.Tx, e *handwash.NotifyEvent) error) (int, error) {
	n := 0
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		n = 0
		rows, err := tx.QueryContext(ctx, query, args...)
		if err != nil {
			return err
		}
		events, err := scanAll(s, rows, "queue notices", func(r scanner) (*handwash.NotifyEvent, error) {
			var e handwash.NotifyEvent
			return &e, scan(r, &e)
		})
		if err != nil {
			return err
		}
		for _, e := range events {
			if _, err := insertEvent(ctx, tx, e, now); err != nil {
				return err
			}
			if err := mark(tx, e); err != nil {
				return err
			}
		}
		n = len(events)
		return nil
	})
	return n, err
}

// QueueAlertReminders queues, once each, a reminder for every open alert
// past its time to acknowledge and an escalation for every alert not
// closed past its time to fix.
func (s *Store) QueueAlertReminders(ctx context.Context, now time.Time) (int, error) {
	now = s.nowOr(now)
	n := 0
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		n = 0
		for _, r := range []struct {
			kind       handwash.NotifyKind
			cond, mark string
		}{
			{handwash.NotifyAlertAckOverdue, `state = 'open' AND ack_due < $1 AND ack_reminded_at IS NULL`, `ack_reminded_at`},
			{handwash.NotifyAlertFixOverdue, `state <> 'closed' AND fix_due < $1 AND fix_escalated_at IS NULL`, `fix_escalated_at`},
		} {
			rows, err := tx.QueryContext(ctx, `SELECT id, provider_id, org_id, severity FROM alerts WHERE `+r.cond+` ORDER BY id LIMIT 10000`, micros(now))
			if err != nil {
				return err
			}
			var events []handwash.NotifyEvent
			for rows.Next() {
				e := handwash.NotifyEvent{Kind: r.kind, At: now}
				var sev string
				if err := rows.Scan(&e.AlertID, &e.ProviderID, &e.OrgID, &sev); err != nil {
					rows.Close()
					return err
				}
				e.Severity = handwash.Severity(sev)
				events = append(events, e)
			}
			if err := rows.Close(); err != nil {
				return err
			}
			for i := range events {
				if _, err := insertEvent(ctx, tx, &events[i], now); err != nil {
					return err
				}
				if _, err := tx.ExecContext(ctx, `UPDATE alerts SET `+r.mark+` = $2 WHERE id = $1`, events[i].AlertID, micros(now)); err != nil {
					return err
				}
			}
			n += len(events)
		}
		return nil
	})
	return n, s.dbErr("queue alert reminders", err)
}

// QueueWeeklySummaries queues a weekly_summary event for each organisation
// that has not had one for the week ending weekEnding.
func (s *Store) QueueWeeklySummaries(ctx context.Context, weekEnding time.Time) (int, error) {
	week := micros(norm(weekEnding))
	now := s.nowOr(time.Time{})
	var n int64
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO notify_events (provider_id, org_id, kind, at, created_at)
			SELECT o.provider_id, o.id, CAST($1 AS TEXT), CAST($2 AS BIGINT), CAST($3 AS BIGINT) FROM orgs o
			LEFT JOIN weekly_summaries ws ON ws.org_id = o.id
			WHERE ws.org_id IS NULL OR ws.week_ending < $2`, string(handwash.NotifyWeeklySummary), week, micros(now))
		if err != nil {
			return err
		}
		if n, err = res.RowsAffected(); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO weekly_summaries (org_id, week_ending) SELECT id, CAST($1 AS BIGINT) FROM orgs WHERE true
			ON CONFLICT (org_id) DO UPDATE SET week_ending = excluded.week_ending WHERE weekly_summaries.week_ending < excluded.week_ending`, week)
		return err
	})
	return int(n), s.dbErr("queue weekly summaries", err)
}

// PendingNotifyEvents lists up to limit events not yet fanned out, oldest
// first, with their organisation's name and device's hostname where those
// still exist.
func (s *Store) PendingNotifyEvents(ctx context.Context, limit int) ([]*handwash.NotifyEvent, error) {
	return list(ctx, s, "list notification events", func(r scanner) (*handwash.NotifyEvent, error) {
		var e handwash.NotifyEvent
		var kind, sev string
		var at int64
		var org, host sql.NullString
		if err := r.Scan(&e.ID, &e.ProviderID, &e.OrgID, &kind, &e.DeviceID, &e.ControlID, &sev, &at, &e.UserID, &e.WebhookID, &e.AlertID, &e.ReportID, &e.Email, &e.JobID, &org, &host); err != nil {
			return nil, err
		}
		e.Kind, e.Severity, e.At = handwash.NotifyKind(kind), handwash.Severity(sev), fromMicros(at)
		e.OrgName, e.Hostname = org.String, host.String
		return &e, nil
	}, `SELECT e.id, e.provider_id, e.org_id, e.kind, e.device_id, e.control_id, e.severity, e.at, e.user_id, e.webhook_id, e.alert_id, e.report_id, e.email, e.job_id, o.name, d.hostname
		FROM notify_events e
		LEFT JOIN orgs o ON o.id = e.org_id AND o.provider_id = e.provider_id
		LEFT JOIN devices d ON d.id = e.device_id AND d.org_id = e.org_id
		WHERE NOT e.done ORDER BY e.id LIMIT $1`, limit)
}

// NotifyRecipients lists the enabled people with a password who may see an
// organisation (its own people and the provider's), with what they
// receive, and the webhooks for it. With orgID empty: the provider's own
// people and its provider-wide webhooks.
func (s *Store) NotifyRecipients(ctx context.Context, providerID, orgID string) ([]handwash.NotifyRecipient, []*handwash.Webhook, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT `+prefixed("u.", userColumns)+`, p.kinds FROM users u
		JOIN user_signin si ON si.user_id = u.id AND si.password_hash <> ''
		LEFT JOIN notify_prefs p ON p.user_id = u.id
		WHERE u.provider_id = $1 AND NOT u.disabled AND (u.org_id IS NULL OR u.org_id = $2)
		ORDER BY u.email`, providerID, orgID)
	if err != nil {
		return nil, nil, s.dbErr("list notification recipients", err)
	}
	people, err := scanAll(s, rows, "list notification recipients", func(r scanner) (handwash.NotifyRecipient, error) {
		var kinds sql.NullString
		u, err := scanUser(rowWith{r, &kinds})
		if err != nil {
			return handwash.NotifyRecipient{}, err
		}
		rc := handwash.NotifyRecipient{User: u, Kinds: handwash.DefaultNotifyKinds(u.Role)}
		if kinds.Valid {
			rc.Kinds = splitKinds(kinds.String)
		}
		return rc, nil
	})
	if err != nil {
		return nil, nil, err
	}
	hooks, err := list(ctx, s, "list webhooks", scanWebhook,
		`SELECT `+prefixed("w.", webhookColumns)+` FROM webhooks w WHERE w.provider_id = $1 AND (w.org_id IS NULL OR w.org_id = $2) ORDER BY w.id`,
		providerID, orgID)
	return people, hooks, err
}

// rowWith scans the columns scan knows and then extra ones.
type rowWith struct {
	r     scanner
	extra *sql.NullString
}

func (w rowWith) Scan(dest ...any) error { return w.r.Scan(append(dest, w.extra)...) }

// FanOut stores deliveries and marks their events done in one transaction,
// and changes nothing when another process did some of the events first.
func (s *Store) FanOut(ctx context.Context, eventIDs []int64, ds []*handwash.Delivery) error {
	now := s.nowOr(time.Time{})
	for _, d := range ds {
		if d.Channel != handwash.ChannelEmail && d.Channel != handwash.ChannelWebhook {
			return invalid("delivery channel %q is not known", d.Channel)
		}
		if len(d.Message) > maxMessage {
			return invalid("notification message is %d bytes, over %d", len(d.Message), maxMessage)
		}
	}
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		for _, id := range eventIDs {
			res, err := tx.ExecContext(ctx, `UPDATE notify_events SET done = TRUE WHERE id = $1 AND NOT done`, id)
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n != 1 {
				return handwash.Errorf(handwash.ECONFLICT, "notification event %d was sent out already", id)
			}
		}
		for _, d := range ds {
			d.Status, d.CreatedAt = handwash.DeliveryPending, now
			if d.NextAt.IsZero() {
				d.NextAt = now
			}
			err := tx.QueryRowContext(ctx, `INSERT INTO deliveries (provider_id, org_id, kind, channel, user_id, email, webhook_id, recipient, subject,
				message, status, next_at, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id`,
				d.ProviderID, d.OrgID, string(d.Kind), d.Channel, d.UserID, d.Email, d.WebhookID, d.Recipient, d.Subject,
				d.Message, string(d.Status), micros(norm(d.NextAt)), micros(now)).Scan(&d.ID)
			if err != nil {
				return err
			}
		}
		return nil
	})
	return s.dbErr("store deliveries", err)
}

// ClaimDeliveries hands out up to limit due pending deliveries, counting a
// try for each and moving its next try to now+lease, so that a process
// that dies mid-send leaves it to be tried again then. A webhook delivery
// comes with its webhook (nil when it was removed); an email delivery's
// Email is emptied when its person was removed or disabled.
func (s *Store) ClaimDeliveries(ctx context.Context, now time.Time, limit int, lease time.Duration) ([]*handwash.Delivery, error) {
	now = s.nowOr(now)
	var out []*handwash.Delivery
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `UPDATE deliveries SET attempts = attempts + 1, next_at = $1
			WHERE id IN (SELECT id FROM deliveries WHERE status = 'pending' AND next_at <= $2 ORDER BY next_at, id LIMIT $3`+s.d.SkipLocked+`)
			RETURNING id`, micros(now.Add(lease)), micros(now), limit)
		if err != nil {
			return err
		}
		ids, err := scanAll(s, rows, "claim deliveries", func(r scanner) (int64, error) {
			var id int64
			return id, r.Scan(&id)
		})
		if err != nil {
			return err
		}
		out = out[:0]
		for _, id := range ids {
			var wh sql.NullString
			var w handwash.Webhook
			var wkinds sql.NullString
			var worg sql.NullString
			var wcreated sql.NullInt64
			var person sql.NullString
			d, err := scanDelivery(tx.QueryRowContext(ctx, `SELECT `+deliveryColumns+`,
				w.id, COALESCE(w.provider_id, ''), w.org_id, COALESCE(w.name, ''), COALESCE(w.format, ''), COALESCE(w.url, ''),
				COALESCE(w.secret, ''), w.kinds, w.created_at, u.id
				FROM deliveries d
				LEFT JOIN webhooks w ON w.id = d.webhook_id AND w.provider_id = d.provider_id
				LEFT JOIN users u ON u.id = d.user_id AND u.email = d.email AND NOT u.disabled
				WHERE d.id = $1`, id),
				&wh, &w.ProviderID, &worg, &w.Name, &w.Format, &w.URL, &w.Secret, &wkinds, &wcreated, &person)
			if err != nil {
				return err
			}
			if wh.Valid {
				w.ID, w.OrgID, w.Kinds = wh.String, worg.String, splitKinds(wkinds.String)
				w.CreatedAt = fromMicros(wcreated.Int64)
				d.Webhook = &w
			}
			// A thank-you goes to its reporter, who need not be a user.
			if d.Channel == handwash.ChannelEmail && !person.Valid && d.UserID != "" {
				d.Email = ""
			}
			out = append(out, d)
		}
		return nil
	})
	if err != nil {
		return nil, s.dbErr("claim deliveries", err)
	}
	return out, nil
}

// FinishDelivery records how a try went: sent, to be tried again at
// RetryAt, or given up.
func (s *Store) FinishDelivery(ctx context.Context, r handwash.DeliveryResult) error {
	at := micros(s.nowOr(r.At))
	msg := r.Error
	if len(msg) > maxDeliveryError {
		msg = msg[:maxDeliveryError]
	}
	var err error
	switch {
	case r.Sent:
		_, err = s.write.ExecContext(ctx, `UPDATE deliveries SET status = 'sent', sent_at = $2, last_error = '' WHERE id = $1`, r.ID, at)
	case !r.RetryAt.IsZero():
		_, err = s.write.ExecContext(ctx, `UPDATE deliveries SET next_at = $2, last_error = $3 WHERE id = $1 AND status = 'pending'`,
			r.ID, micros(norm(r.RetryAt)), msg)
	default:
		_, err = s.write.ExecContext(ctx, `UPDATE deliveries SET status = 'failed', last_error = $2 WHERE id = $1`, r.ID, msg)
	}
	return s.dbErr("record delivery", err)
}

// PruneNotifications removes deliveries that finished (sent or given up)
// and events done before before.
func (s *Store) PruneNotifications(ctx context.Context, before time.Time) (int, error) {
	var n int64
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM deliveries WHERE status <> 'pending' AND created_at < $1`, micros(before))
		if err != nil {
			return err
		}
		n, _ = res.RowsAffected()
		_, err = tx.ExecContext(ctx, `DELETE FROM notify_events WHERE done AND created_at < $1`, micros(before))
		return err
	})
	return int(n), s.dbErr("prune notifications", err)
}

// prefixed puts alias before each of a comma-separated list of columns.
func prefixed(alias, columns string) string {
	parts := strings.Split(columns, ",")
	for i, p := range parts {
		parts[i] = alias + strings.TrimSpace(p)
	}
	return strings.Join(parts, ", ")
}
