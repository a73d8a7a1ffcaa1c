package notifier

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/handwash/handwash"
	"github.com/handwash/handwash/notify"
	"github.com/prometheus/client_golang/prometheus"
)

// backoff is the wait before each try after a temporary failure: eight
// tries over about a day, after which the delivery is given up.
var backoff = []time.Duration{time.Minute, 5 * time.Minute, 15 * time.Minute, time.Hour, 2 * time.Hour, 4 * time.Hour, 8 * time.Hour}

// retryAt is when to try a delivery again after its attempts-th try failed
// with err, or zero to give up.
func retryAt(now time.Time, attempts int, err error) time.Time {
	if !notify.IsTemporary(err) || attempts > len(backoff) {
		return time.Time{}
	}
	wait := backoff[attempts-1]
	var de *notify.DeliveryError
	if errors.As(err, &de) && de.RetryAfter > wait {
		wait = min(de.RetryAfter, 12*time.Hour)
	}
	return now.Add(wait)
}

// deliver sends every due delivery, a few at a time.
func (n *Notifier) deliver(ctx context.Context) error {
	for {
		ds, err := n.store.ClaimDeliveries(ctx, n.now(), 50, claimLease)
		if err != nil || len(ds) == 0 {
			return err
		}
		work := make(chan *handwash.Delivery)
		var wg sync.WaitGroup
		var mu sync.Mutex
		var errs []error
		for range min(n.cfg.Workers, len(ds)) {
			wg.Go(func() {
				for d := range work {
					if err := n.send(ctx, d); err != nil {
						mu.Lock()
						errs = append(errs, err)
						mu.Unlock()
					}
				}
			})
		}
		for _, d := range ds {
			work <- d
		}
		close(work)
		wg.Wait()
		if err := errors.Join(errs...); err != nil || ctx.Err() != nil {
			return err
		}
	}
}

// send tries one delivery and records the result; it returns an error only
// when the result could not be recorded.
func (n *Notifier) send(ctx context.Context, d *handwash.Delivery) error {
	err := n.try(ctx, d)
	res := handwash.DeliveryResult{ID: d.ID, Sent: err == nil, At: n.now()}
	outcome := "sent"
	if err != nil {
		res.Error = err.Error()
		res.RetryAt = retryAt(res.At, d.Attempts, err)
		outcome = "gave_up"
		if !res.RetryAt.IsZero() {
			outcome = "retry"
		}
		// The error text never holds a secret: notify removes passwords,
		// signing secrets and webhook paths from it.
		n.log.WarnContext(ctx, "notification not delivered", "delivery", d.ID, "channel", d.Channel, "kind", d.Kind,
			"try", d.Attempts, "retry_at", res.RetryAt, "err", res.Error)
	}
	n.metrics.results.WithLabelValues(d.Channel, outcome).Inc()
	if ctx.Err() != nil {
		// Shutting down: leave the claim to run out, so the delivery is
		// tried again then, rather than record a failure that was ours.
		return nil
	}
	return n.store.FinishDelivery(context.WithoutCancel(ctx), res)
}

// Errors that no retry can fix, said plainly for the deliveries list.
var (
	errNoMail         = &notify.DeliveryError{Message: "Email is not set up on this server: its administrator starts handwash serve with --smtp-host and --smtp-from"}
	errPersonGone     = &notify.DeliveryError{Message: "The person was removed or disabled, so their email was not sent"}
	errWebhookRemoved = &notify.DeliveryError{Message: "The webhook was removed, so nothing was sent to it"}
)

// try sends a delivery once.
func (n *Notifier) try(ctx context.Context, d *handwash.Delivery) error {
	msg, err := decode(d.Message)
	if err != nil {
		return &notify.DeliveryError{Message: "The stored message could not be read", Err: err}
	}
	switch d.Channel {
	case handwash.ChannelEmail:
		if n.mailer == nil {
			return errNoMail
		}
		if d.Email == "" {
			return errPersonGone
		}
		return n.mailer.Send(ctx, []string{d.Email}, msg)
	case handwash.ChannelWebhook:
		if d.Webhook == nil {
			return errWebhookRemoved
		}
		h, err := notify.NewWebhook(notify.WebhookConfig{URL: d.Webhook.URL, Format: notify.Format(d.Webhook.Format), Secret: d.Webhook.Secret,
			AllowPrivateNetworks: n.cfg.AllowPrivateWebhooks})
		if err != nil {
			return err
		}
		return h.Send(ctx, msg)
	}
	return &notify.DeliveryError{Message: "Unknown delivery channel " + d.Channel}
}

type metrics struct {
	queued  prometheus.Counter
	results *prometheus.CounterVec
}

func newMetrics(reg prometheus.Registerer) *metrics {
	m := &metrics{
		queued: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "handwash_notifications_queued_total",
			Help: "Notifications queued for sending by this process, one per recipient.",
		}),
		results: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "handwash_notification_tries_total",
			Help: "Tries at sending a notification by this process, by channel (email, webhook) and outcome (sent, retry, gave_up).",
		}, []string{"channel", "outcome"}),
	}
	for _, c := range []string{handwash.ChannelEmail, handwash.ChannelWebhook} {
		for _, o := range []string{"sent", "retry", "gave_up"} {
			m.results.WithLabelValues(c, o)
		}
	}
	reg.MustRegister(m.queued, m.results)
	return m
}
