package notifier

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/handwash/handwash"
	"github.com/handwash/handwash/notify"
)

// group is events that become one message: one organisation's new
// failures or stale devices found together, or one summary or test.
type group struct {
	events []*handwash.NotifyEvent
}

func (g *group) first() *handwash.NotifyEvent { return g.events[0] }

func (g *group) ids() []int64 {
	ids := make([]int64, len(g.events))
	for i, e := range g.events {
		ids[i] = e.ID
	}
	return ids
}

// groups gathers waiting events into messages, oldest first.
func groups(events []*handwash.NotifyEvent) []*group {
	var out []*group
	byKey := map[string]*group{}
	for _, e := range events {
		if e.Kind == handwash.NotifyNewFailure || e.Kind == handwash.NotifyDeviceStale {
			key := e.ProviderID + "\x00" + e.OrgID + "\x00" + string(e.Kind)
			if g, ok := byKey[key]; ok {
				g.events = append(g.events, e)
				continue
			}
			g := &group{events: []*handwash.NotifyEvent{e}}
			byKey[key] = g
			out = append(out, g)
			continue
		}
		out = append(out, &group{events: []*handwash.NotifyEvent{e}})
	}
	return out
}

// fanOut turns waiting events into deliveries.
func (n *Notifier) fanOut(ctx context.Context) error {
	for {
		events, err := n.store.PendingNotifyEvents(ctx, batch)
		if err != nil || len(events) == 0 {
			return err
		}
		type audience struct {
			people []handwash.NotifyRecipient
			hooks  []*handwash.Webhook
		}
		audiences := map[string]*audience{}
		for _, g := range groups(events) {
			e := g.first()
			key := e.ProviderID + "\x00" + e.OrgID
			a, ok := audiences[key]
			if !ok {
				people, hooks, err := n.store.NotifyRecipients(ctx, e.ProviderID, e.OrgID)
				if err != nil {
					return err
				}
				a = &audience{people, hooks}
				audiences[key] = a
			}
			ds, err := n.deliveries(ctx, g, a.people, a.hooks)
			if err != nil {
				return err
			}
			if err := n.store.FanOut(ctx, g.ids(), ds); err != nil {
				if handwash.ErrorCode(err) == handwash.ECONFLICT {
					continue // another process did it meanwhile
				}
				return err
			}
			n.metrics.queued.Add(float64(len(ds)))
		}
		if len(events) < batch {
			return nil
		}
	}
}

// deliveries makes a group's message and one delivery for each of its
// recipients; none when the organisation or everything it was about is
// gone, or nobody wants it.
func (n *Notifier) deliveries(ctx context.Context, g *group, people []handwash.NotifyRecipient, hooks []*handwash.Webhook) ([]*handwash.Delivery, error) {
	e := g.first()
	if e.OrgID != "" && e.OrgName == "" {
		return nil, nil // the organisation was removed
	}
	msg, ok, err := n.message(ctx, g)
	if err != nil || !ok {
		return nil, err
	}
	if err := msg.Validate(); err != nil {
		return nil, fmt.Errorf("notification event %d: %w", e.ID, err)
	}
	body, err := encode(msg)
	if err != nil {
		return nil, err
	}
	base := handwash.Delivery{ProviderID: e.ProviderID, OrgID: e.OrgID, Kind: e.Kind, Subject: msg.Subject, Message: body, NextAt: n.now()}
	var out []*handwash.Delivery
	if e.Kind == handwash.NotifyPhishThanks {
		// The reporter alone, who need not be a user.
		if n.mailer != nil && e.Email != "" {
			d := base
			d.Channel, d.Email, d.Recipient = handwash.ChannelEmail, e.Email, e.Email
			out = append(out, &d)
		}
		return out, nil
	}
	for _, p := range people {
		if (e.Kind == handwash.NotifyTest && p.User.ID == e.UserID) || (e.UserID == "" && e.WebhookID == "" && p.Wants(e.Kind) && n.mailer != nil) {
			d := base
			d.Channel, d.UserID, d.Email, d.Recipient = handwash.ChannelEmail, p.User.ID, p.User.Email, p.User.Email
			out = append(out, &d)
		}
	}
	for _, h := range hooks {
		if (e.Kind == handwash.NotifyTest && h.ID == e.WebhookID) || (e.UserID == "" && e.WebhookID == "" && h.Wants(e.Kind)) {
			d := base
			d.Channel, d.WebhookID, d.Recipient = handwash.ChannelWebhook, h.ID, h.Name
			out = append(out, &d)
		}
	}
	return out, nil
}

// message writes a group's message; ok is false when there is nothing to
// say (a summary of an organisation without devices).
func (n *Notifier) message(ctx context.Context, g *group) (notify.Message, bool, error) {
	e := g.first()
	org := e.OrgName
	if org == "" {
		org = "all your organisations"
	}
	var msg notify.Message
	switch e.Kind {
	case handwash.NotifyTest:
		msg = notify.TestMessage(org, e.At)
	case handwash.NotifyWeeklySummary:
		sc, err := n.store.OrgScores(ctx, handwash.Scope{ProviderID: e.ProviderID}, e.OrgID)
		if err != nil {
			if handwash.ErrorCode(err) == handwash.ENOTFOUND {
				return msg, false, nil
			}
			return msg, false, err
		}
		if sc.Devices == 0 {
			return msg, false, nil
		}
		msg = notify.SummaryMessage(org, e.At, notify.Summary{Devices: sc.Devices, Overall: sc.Overall.Value, Areas: sc.Areas}, n.link("/orgs/"+e.OrgID))
	case handwash.NotifyNewFailure:
		if len(g.events) == 1 {
			msg = notify.FailureMessage(org, host(e), n.title(e.ControlID), e.Severity, e.At, n.link("/devices/"+e.DeviceID))
		} else {
			msg = n.failures(org, g, n.link("/orgs/"+e.OrgID))
		}
	case handwash.NotifyDeviceStale:
		if len(g.events) == 1 {
			msg = notify.StaleMessage(org, host(e), e.At, n.now(), n.link("/devices/"+e.DeviceID))
		} else {
			msg = n.stale(org, g, n.link("/orgs/"+e.OrgID+"?stale=1"))
		}
	case handwash.NotifyAlertAckOverdue, handwash.NotifyAlertFixOverdue:
		a, err := n.store.Alert(ctx, handwash.Scope{ProviderID: e.ProviderID}, e.AlertID)
		if handwash.ErrorCode(err) == handwash.ENOTFOUND {
			return msg, false, nil // the organisation or the alert went
		}
		if err != nil {
			return msg, false, err
		}
		// Acted on since the clock ran out: nothing to say.
		if a.State == handwash.AlertClosed || (e.Kind == handwash.NotifyAlertAckOverdue && a.State != handwash.AlertOpen) {
			return msg, false, nil
		}
		msg = notify.AlertOverdueMessage(e.Kind, org, a, n.link("/alerts/"+a.ID))
	case handwash.NotifyPhishReported, handwash.NotifyPhishThanks:
		r, err := n.store.PhishReport(ctx, handwash.Scope{ProviderID: e.ProviderID}, e.ReportID)
		if handwash.ErrorCode(err) == handwash.ENOTFOUND {
			return msg, false, nil // the organisation went
		}
		if err != nil {
			return msg, false, err
		}
		if e.Kind == handwash.NotifyPhishThanks {
			msg = notify.PhishThanksMessage(org, phishView(r))
		} else {
			msg = notify.PhishReportedMessage(org, phishView(r), n.link("/phishing/"+r.ID))
		}
	case handwash.NotifyBackupFailed, handwash.NotifyBackupOverdue:
		j, err := n.store.BackupJob(ctx, handwash.Scope{ProviderID: e.ProviderID}, e.JobID)
		if handwash.ErrorCode(err) == handwash.ENOTFOUND {
			return msg, false, nil // the job or its organisation went
		}
		if err != nil {
			return msg, false, err
		}
		// Put right since: nothing to say.
		state := j.State(n.now())
		if (e.Kind == handwash.NotifyBackupFailed && state != handwash.BackupFailed && state != handwash.BackupOverdue) ||
			(e.Kind == handwash.NotifyBackupOverdue && state != handwash.BackupOverdue) {
			return msg, false, nil
		}
		v := notify.BackupJob{Name: j.Name, Every: j.Every, At: e.At, Message: j.LastMessage}
		if j.LastSuccessAt != nil {
			v.LastSuccess = *j.LastSuccessAt
		}
		if e.Kind == handwash.NotifyBackupFailed {
			msg = notify.BackupFailedMessage(org, v, n.link("/backup-jobs/"+j.ID))
		} else {
			msg = notify.BackupOverdueMessage(org, v, n.link("/backup-jobs/"+j.ID))
		}
	default:
		return msg, false, nil
	}
	msg.ID = fmt.Sprintf("%s-%d", e.Kind, e.ID)
	return msg, true, nil
}

// phishView is what messages say about a report: its verdict and the
// titles of its signs, read from the stored analysis.
func phishView(r *handwash.PhishReport) notify.PhishReport {
	v := notify.PhishReport{Verdict: r.Verdict, From: r.From, Subject: r.Subject, Reporter: r.Reporter, Received: r.ReceivedAt}
	var a struct {
		Signs []struct {
			Title string `json:"title"`
		} `json:"signs"`
	}
	if json.Unmarshal(r.Analysis, &a) == nil {
		for _, s := range a.Signs {
			v.Signs = append(v.Signs, s.Title)
		}
	}
	return v
}

func host(e *handwash.NotifyEvent) string {
	if e.Hostname == "" {
		return "a removed device"
	}
	return e.Hostname
}

// listed is how many lines a combined message lists before "and N more".
const listed = 20

// failures writes one message for several new failures at one
// organisation, the most severe first.
func (n *Notifier) failures(org string, g *group, link string) notify.Message {
	events := slices.Clone(g.events)
	slices.SortStableFunc(events, func(a, b *handwash.NotifyEvent) int { return b.Severity.Rank() - a.Severity.Rank() })
	devices := map[string]bool{}
	var lines []string
	for i, e := range events {
		devices[e.DeviceID] = true
		if i < listed {
			lines = append(lines, fmt.Sprintf("- %s: %s (%s)", host(e), n.title(e.ControlID), e.Severity))
		}
	}
	if len(events) > listed {
		lines = append(lines, fmt.Sprintf("- and %d more", len(events)-listed))
	}
	worst := events[0]
	return notify.Message{
		Kind:     handwash.NotifyNewFailure,
		Org:      org,
		Subject:  fmt.Sprintf("%d new high-severity problems on %d %s", len(events), len(devices), plural(len(devices), "device")),
		Severity: worst.Severity,
		Device:   host(worst),
		Control:  n.title(worst.ControlID),
		Time:     events[len(events)-1].At,
		Link:     link,
		Body: fmt.Sprintf("Handwash found %d new high-severity or critical problems at %s:", len(events), org) + "\n\n" + strings.Join(lines, "\n") +
			"\n\nHigh-severity and critical checks cover the weaknesses that attackers use most often to get into a care provider's computers, steal residents' or patients' information, or lock files away with ransomware. Until they are fixed, these devices are at risk.",
		Next: "Open the organisation in the Handwash dashboard and start with the critical problems: each one gives the steps to fix it on that device. If someone else looks after your IT, forward this message to them.",
	}
}

// stale writes one message for several devices that stopped reporting.
func (n *Notifier) stale(org string, g *group, link string) notify.Message {
	var lines []string
	oldest := g.events[0].At
	for i, e := range g.events {
		if e.At.Before(oldest) {
			oldest = e.At
		}
		if i < listed {
			lines = append(lines, fmt.Sprintf("- %s, last reported %s", host(e), e.At.In(time.UTC).Format("2 January 2006")))
		}
	}
	if len(g.events) > listed {
		lines = append(lines, fmt.Sprintf("- and %d more", len(g.events)-listed))
	}
	return notify.Message{
		Kind:    handwash.NotifyDeviceStale,
		Org:     org,
		Subject: fmt.Sprintf("%d devices have stopped reporting", len(g.events)),
		Device:  host(g.events[0]),
		Time:    oldest,
		Link:    link,
		Body: fmt.Sprintf("These devices at %s have not reported to Handwash for a week or more:", org) + "\n\n" + strings.Join(lines, "\n") +
			"\n\nWhile a device does not report, Handwash cannot tell whether it is up to date and protected, so new problems on it would go unnoticed.",
		Next: "Check whether each device is still in use. If it is, switch it on, connect it to the internet and make sure the Handwash agent is running." +
			"\n\nIf a device has been replaced or retired, make sure the information on it has been wiped, then remove it in the dashboard so it no longer counts.",
	}
}

func plural(n int, noun string) string {
	if n == 1 {
		return noun
	}
	return noun + "s"
}
