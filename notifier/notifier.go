// Package notifier decides who hears about what, and sees that they do.
//
// The store queues events in the same transaction as what caused them: a
// device newly failing a high-severity or critical check (written with its
// assessment), a device that stopped reporting, the week's end, a test
// someone asked for. Each round, the notifier
//
//  1. queues stale-device, alert reminder and weekly-summary events that
//     are due;
//  2. turns waiting events into deliveries, one per recipient: the people
//     who may see the organisation and chose that kind of message (by
//     email), and the organisation's and provider's webhooks that take it.
//     Events of one organisation and kind that arrive together become one
//     message, so a catalogue update that fails a check on fifty devices
//     sends each person one email, not fifty;
//  3. sends the deliveries that are due, through package notify, and tries
//     a failed one again with growing delays while its error is temporary.
//
// Steps 1 and 2 run in one process at a time across all the server
// processes sharing a database, under a lease. Deliveries are claimed, each
// try counted, so a process that stops mid-send leaves them to be tried
// again later: a message is sent at least once, and a webhook receiver can
// drop a repeat by the message's id.
package notifier

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/handwash/handwash"
	"github.com/handwash/handwash/notify"
	"github.com/handwash/handwash/policy"
	"github.com/prometheus/client_golang/prometheus"
)

// Config says how the notifier sends and when.
type Config struct {
	// Mail is the mail server to send email through; nil means no email is
	// sent (people's choices are kept, and tests say email is not set up).
	Mail *notify.MailerConfig
	// AllowPrivateWebhooks lets webhooks post to loopback and private
	// addresses (receivers on the provider's own network).
	AllowPrivateWebhooks bool
	// PublicURL is the dashboard's address as people reach it, such as
	// https://handwash.example.org, for links in messages; empty means
	// messages carry no link.
	PublicURL string
	// StaleAfter is how long a device may go unseen before people are told
	// (default 7 days).
	StaleAfter time.Duration
	// Holder names this process for the lease (default host and PID).
	Holder string
	// Interval is the time between rounds when nothing wakes the notifier
	// (default 1 minute).
	Interval time.Duration
	// SummaryDay and SummaryHour are when the weekly summary goes, in
	// Location (default Monday, 8 o'clock, Europe/London).
	SummaryDay  time.Weekday
	SummaryHour int
	Location    *time.Location
	// Retention is how long sent and given-up deliveries are listed
	// (default 30 days).
	Retention time.Duration
	// Workers is how many deliveries are sent at once (default 4).
	Workers int
}

func (c *Config) defaults() {
	if c.StaleAfter <= 0 {
		c.StaleAfter = 7 * 24 * time.Hour
	}
	if c.Holder == "" {
		host, _ := os.Hostname()
		c.Holder = fmt.Sprintf("%s:%d:notify", host, os.Getpid())
	}
	if c.Interval <= 0 {
		c.Interval = time.Minute
	}
	if c.SummaryDay == 0 && c.SummaryHour == 0 {
		c.SummaryDay, c.SummaryHour = time.Monday, 8
	}
	if c.Location == nil {
		c.Location = handwash.UKTime
	}
	if c.Retention <= 0 {
		c.Retention = 30 * 24 * time.Hour
	}
	if c.Workers <= 0 {
		c.Workers = 4
	}
	c.PublicURL = strings.TrimRight(c.PublicURL, "/")
}

// Deps are what the notifier works with.
type Deps struct {
	Store handwash.Store
	// Catalogue names the checks in messages.
	Catalogue *policy.Catalogue
	Logger    *slog.Logger
	// Now is the clock; nil means time.Now.
	Now     func() time.Time
	Metrics prometheus.Registerer
}

// Notifier turns queued events into messages and delivers them.
type Notifier struct {
	cfg     Config
	store   handwash.Store
	cat     *policy.Catalogue
	log     *slog.Logger
	now     func() time.Time
	mailer  *notify.Mailer
	wake    chan struct{}
	metrics *metrics
	pruned  time.Time
}

// New makes a notifier; it reports a mail setting that is wrong.
func New(cfg Config, deps Deps) (*Notifier, error) {
	cfg.defaults()
	n := &Notifier{cfg: cfg, store: deps.Store, cat: deps.Catalogue, log: deps.Logger, now: deps.Now, wake: make(chan struct{}, 1)}
	if n.log == nil {
		n.log = slog.New(slog.DiscardHandler)
	}
	if n.now == nil {
		n.now = time.Now
	}
	if cfg.Mail != nil {
		m, err := notify.NewMailer(*cfg.Mail)
		if err != nil {
			return nil, err
		}
		n.mailer = m
	}
	reg := deps.Metrics
	if reg == nil {
		reg = prometheus.NewRegistry()
	}
	n.metrics = newMetrics(reg)
	return n, nil
}

// Wake asks for a round now (after a test was queued, say).
func (n *Notifier) Wake() {
	select {
	case n.wake <- struct{}{}:
	default:
	}
}

// Run does a round at start, then every Interval or when woken, until ctx
// ends.
func (n *Notifier) Run(ctx context.Context) {
	if n.mailer == nil {
		n.log.Info("email notifications are off: start the server with --smtp-host (and --smtp-from) to send them")
	}
	for {
		if err := n.Round(ctx); err != nil && ctx.Err() == nil {
			n.log.ErrorContext(ctx, "notifications: a round failed", "err", err)
		}
		select {
		case <-ctx.Done():
			n.releaseLease()
			return
		case <-n.wake:
		case <-time.After(n.cfg.Interval):
		}
	}
}

const (
	leaseName = "notify"
	leaseTTL  = 2 * time.Minute
	// claimLease is how long a claimed delivery is held: longer than the
	// slowest send (the mail and webhook timeouts), so no other process
	// sends it meanwhile.
	claimLease = 10 * time.Minute
	batch      = 500
)

// Round does one round: queue what is due, fan out, send. The first two
// steps only where this process holds the lease; sending everywhere.
func (n *Notifier) Round(ctx context.Context) error {
	now := n.now()
	held, err := n.store.TryLease(ctx, leaseName, n.cfg.Holder, now, leaseTTL)
	if err != nil {
		return err
	}
	var errs []error
	if held {
		errs = append(errs, n.queueDue(ctx, now), n.fanOut(ctx))
		if now.Sub(n.pruned) > time.Hour {
			if _, err := n.store.PruneNotifications(ctx, now.Add(-n.cfg.Retention)); err != nil {
				errs = append(errs, err)
			} else {
				n.pruned = now
			}
		}
	}
	errs = append(errs, n.deliver(ctx))
	return errors.Join(errs...)
}

func (n *Notifier) releaseLease() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := n.store.ReleaseLease(ctx, leaseName, n.cfg.Holder); err != nil {
		n.log.Warn("could not release the notifications lease", "err", err)
	}
}

// queueDue queues stale-device notices and, in the two days after the
// week's end, the weekly summaries.
func (n *Notifier) queueDue(ctx context.Context, now time.Time) error {
	stale, err := n.store.QueueStaleNotices(ctx, now.Add(-n.cfg.StaleAfter), now)
	if err != nil {
		return err
	}
	if stale > 0 {
		n.log.InfoContext(ctx, "notifications: devices stopped reporting", "devices", stale)
	}
	if _, err := n.store.QueueAlertReminders(ctx, now); err != nil {
		return err
	}
	if _, err := n.store.QueueBackupOverdue(ctx, now); err != nil {
		return err
	}
	// A server that was down at the week's end catches up for two days;
	// one started mid-week sends its first summary at the next week's end.
	if end := n.WeekEnding(now); now.Sub(end) < 48*time.Hour {
		if _, err := n.store.QueueWeeklySummaries(ctx, end); err != nil {
			return err
		}
	}
	return nil
}

// WeekEnding is the newest weekly summary time at or before now.
func (n *Notifier) WeekEnding(now time.Time) time.Time {
	local := now.In(n.cfg.Location)
	day := time.Date(local.Year(), local.Month(), local.Day(), n.cfg.SummaryHour, 0, 0, 0, n.cfg.Location)
	back := (int(local.Weekday()) - int(n.cfg.SummaryDay) + 7) % 7
	end := day.AddDate(0, 0, -back)
	if end.After(now) {
		end = end.AddDate(0, 0, -7)
	}
	return end
}

// link is an absolute address of a dashboard page, or "" without a public
// URL.
func (n *Notifier) link(path string) string {
	if n.cfg.PublicURL == "" {
		return ""
	}
	return n.cfg.PublicURL + path
}

// title names a check as people read it.
func (n *Notifier) title(controlID string) string {
	if n.cat != nil {
		if c, ok := n.cat.Control(controlID); ok && c.Title != "" {
			return c.Title
		}
	}
	return controlID
}

// encode turns a message into a delivery's stored form.
func encode(m notify.Message) ([]byte, error) { return json.Marshal(m) }

func decode(b []byte) (notify.Message, error) {
	var m notify.Message
	err := json.Unmarshal(b, &m)
	return m, err
}
