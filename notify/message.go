package notify

import (
	"fmt"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/handwash/handwash"
)

// Kind says what a message is about.
type Kind = handwash.NotifyKind

// The kinds of message Handwash sends.
const (
	// KindNewFailure: a device newly fails a high-severity or critical check.
	KindNewFailure = handwash.NotifyNewFailure
	// KindDeviceStale: a device has not reported for a week or more.
	KindDeviceStale = handwash.NotifyDeviceStale
	// KindWeeklySummary: an organisation's scores for the week, for its
	// administrators.
	KindWeeklySummary = handwash.NotifyWeeklySummary
	// KindTest: a message people send themselves to check the settings.
	KindTest = handwash.NotifyTest
	// KindAlertAckOverdue and KindAlertFixOverdue: an alert's clock ran
	// out.
	KindAlertAckOverdue = handwash.NotifyAlertAckOverdue
	KindAlertFixOverdue = handwash.NotifyAlertFixOverdue
	// KindPhishReported: someone reported an email that is likely
	// phishing. KindPhishThanks: the thank-you to the reporter.
	KindPhishReported = handwash.NotifyPhishReported
	KindPhishThanks   = handwash.NotifyPhishThanks
	// KindBackupFailed and KindBackupOverdue: a backup job failed, or has
	// not succeeded in time.
	KindBackupFailed  = handwash.NotifyBackupFailed
	KindBackupOverdue = handwash.NotifyBackupOverdue
)

// Kinds lists every kind of message.
var Kinds = []Kind{KindNewFailure, KindDeviceStale, KindWeeklySummary, KindTest, KindAlertAckOverdue, KindAlertFixOverdue, KindPhishReported, KindPhishThanks, KindBackupFailed, KindBackupOverdue}

// Message is one notification, ready to be rendered for email or a webhook.
// Everything in it is treated as untrusted text: hostnames and control
// titles come from devices, so every format escapes every field.
type Message struct {
	// ID is an optional identifier the caller chooses, the same on every
	// retry, so a webhook receiver can drop a message it already has.
	ID   string
	Kind Kind
	// Org is the organisation's name as its people know it.
	Org string
	// Subject is one short line without the "[Handwash]" prefix.
	Subject string
	// Body says what happened and why it matters: plain text, paragraphs
	// separated by a blank line.
	Body string
	// Next says what to do next, in the same form as Body.
	Next string
	// Link is the dashboard page to open, an absolute http or https URL, or
	// empty.
	Link string
	// Severity is the failed check's severity; empty for other kinds.
	Severity handwash.Severity
	// Device is the hostname of the device the message is about, if one.
	Device string
	// Control is the title of the failed check, for KindNewFailure.
	Control string
	// Time is when it happened: when the failure was found, when the device
	// last reported, when the summary's week ended, or when the test was
	// sent. Messages show it in its own location.
	Time time.Time
	// Summary holds the scores of a weekly summary; nil for other kinds.
	Summary *Summary
}

// Summary is what a weekly summary reports for one organisation.
type Summary struct {
	// Devices is how many devices the organisation has.
	Devices int
	// Overall is the organisation's score, 0-100, or -1 when nothing could
	// be judged.
	Overall int
	// Areas are the scores and check counts per area, in report order.
	Areas []handwash.AreaScore
}

// Limits on a message's fields. A hostname is at most 253 characters; the
// rest leave room for plain English while keeping every format under the
// size its service accepts (Slack's 3,000 characters per section, Teams'
// 28 KB per card).
const (
	maxLine    = 200  // Org and Subject, in characters
	maxDevice  = 255  // in characters
	maxControl = 500  // in characters
	maxBody    = 6000 // Body and Next, in bytes each
	maxLink    = 2048 // in bytes
	maxID      = 200  // in bytes
	maxAreas   = 20
)

// Validate reports the first field of m that is missing or wrong, naming it
// and saying what to do.
func (m Message) Validate() error {
	invalid := func(format string, args ...any) error {
		return handwash.Errorf(handwash.EINVALID, "notification message: "+format, args...)
	}
	known := false
	for _, k := range Kinds {
		known = known || m.Kind == k
	}
	if !known {
		return invalid("kind %q is not known: use one of new_high_failure, device_stale, weekly_summary, test, alert_ack_overdue, alert_fix_overdue, phish_reported, phish_thanks, backup_failed, backup_overdue", m.Kind)
	}
	for _, f := range []struct {
		name, value string
		max         int
		required    bool
	}{
		{"org", m.Org, maxLine, true},
		{"subject", m.Subject, maxLine, true},
		{"device", m.Device, maxDevice, false},
		{"control", m.Control, maxControl, false},
	} {
		if f.required && oneLine(f.value) == "" {
			return invalid("%s is empty: every message needs one", f.name)
		}
		if n := utf8.RuneCountInString(f.value); n > f.max {
			return invalid("%s is %d characters long: shorten it to %d or fewer", f.name, n, f.max)
		}
	}
	if len(paragraphs(m.Body)) == 0 {
		return invalid("body is empty: say what happened and why it matters")
	}
	for _, f := range []struct{ name, value string }{{"body", m.Body}, {"next", m.Next}} {
		if len(f.value) > maxBody {
			return invalid("%s is %d bytes long: shorten it to %d or fewer", f.name, len(f.value), maxBody)
		}
		if !utf8.ValidString(f.value) {
			return invalid("%s is not valid UTF-8 text", f.name)
		}
	}
	if len(m.ID) > maxID {
		return invalid("id is %d bytes long: shorten it to %d or fewer", len(m.ID), maxID)
	}
	if m.Link != "" {
		if err := checkLink(m.Link); err != nil {
			return invalid("link %v", err)
		}
	}
	if m.Severity != "" && m.Severity.Rank() < 0 {
		return invalid("severity %q is not known: use one of critical, high, medium, low, info", m.Severity)
	}
	switch m.Kind {
	case KindNewFailure:
		if m.Severity.Rank() < handwash.SeverityHigh.Rank() {
			return invalid("severity %q is too low for a new failure message: it is sent for high and critical checks only", m.Severity)
		}
		if m.Device == "" || m.Control == "" {
			return invalid("device and control are needed for a new failure message")
		}
	case KindDeviceStale:
		if m.Device == "" {
			return invalid("device is needed for a device stale message")
		}
	case KindWeeklySummary:
		if m.Summary == nil {
			return invalid("summary is needed for a weekly summary message")
		}
	}
	if m.Summary != nil {
		if m.Kind != KindWeeklySummary {
			return invalid("summary is only for weekly summary messages")
		}
		if len(m.Summary.Areas) > maxAreas {
			return invalid("summary has %d areas: at most %d are shown", len(m.Summary.Areas), maxAreas)
		}
		if m.Summary.Overall < -1 || m.Summary.Overall > 100 {
			return invalid("summary overall score %d is out of range: use 0 to 100, or -1 when nothing was judged", m.Summary.Overall)
		}
	}
	return nil
}

// checkLink accepts absolute http and https URLs only, so no format ever
// carries a javascript: or data: link.
func checkLink(link string) error {
	if len(link) > maxLink {
		return fmt.Errorf("is %d bytes long: shorten it to %d or fewer", len(link), maxLink)
	}
	u, err := url.Parse(link)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return fmt.Errorf("must be a full dashboard address starting with https:// or http://")
	}
	if strings.ContainsAny(link, " \t\r\n\"<>\\^`{|}") {
		return fmt.Errorf("has characters that are not allowed in an address: percent-encode them")
	}
	return nil
}

// FailureMessage tells people that device newly fails the high-severity or
// critical check titled control, found at found.
func FailureMessage(org, device, control string, sev handwash.Severity, found time.Time, link string) Message {
	what := severityWord(sev)
	return Message{
		Kind:     KindNewFailure,
		Org:      org,
		Subject:  fmt.Sprintf("New %s problem on %s", what, device),
		Severity: sev,
		Device:   device,
		Control:  control,
		Time:     found,
		Link:     link,
		Body: fmt.Sprintf("On %s, Handwash found that the device %s at %s fails a %s check: “%s”.", when(found), device, org, what, control) +
			"\n\nHigh-severity and critical checks cover the weaknesses that attackers use most often to get into a care provider's computers, steal residents' or patients' information, or lock files away with ransomware. Until this is fixed, the device is at risk.",
		Next: "Open the problem in the Handwash dashboard: it gives the steps to fix it on this device. If someone else looks after your IT, forward this message to them." +
			"\n\nHandwash checks the device again by itself and clears the problem once it is fixed.",
	}
}

// StaleMessage tells people that device has not reported since lastSeen.
func StaleMessage(org, device string, lastSeen, now time.Time, link string) Message {
	ago := daysAgo(lastSeen, now)
	return Message{
		Kind:    KindDeviceStale,
		Org:     org,
		Subject: fmt.Sprintf("%s has not reported for %s", device, ago),
		Device:  device,
		Time:    lastSeen,
		Link:    link,
		Body: fmt.Sprintf("The device %s at %s last reported to Handwash on %s, %s ago.", device, org, when(lastSeen), ago) +
			"\n\nWhile a device does not report, Handwash cannot tell whether it is up to date and protected, so new problems on it would go unnoticed.",
		Next: "Check whether the device is still in use. If it is, switch it on, connect it to the internet and make sure the Handwash agent is running: it reports again at its next check." +
			"\n\nIf the device has been replaced or retired, make sure the information on it has been wiped, then remove it in the dashboard so it no longer counts.",
	}
}

// SummaryMessage is an organisation's weekly summary for the week that
// ended at weekEnding.
func SummaryMessage(org string, weekEnding time.Time, s Summary, link string) Message {
	subject := "Weekly summary"
	score := "Nothing could be checked this week, so there is no overall score."
	if s.Overall >= 0 {
		subject = fmt.Sprintf("Weekly summary, score %d out of 100", s.Overall)
		score = fmt.Sprintf("The overall score is %d out of 100.", s.Overall)
	}
	return Message{
		Kind:    KindWeeklySummary,
		Org:     org,
		Subject: subject,
		Time:    weekEnding,
		Link:    link,
		Summary: &s,
		Body: fmt.Sprintf("This is how %s's %s did in the week to %s. %s", org, plural(s.Devices, "device"), weekEnding.Format("Monday 2 January 2006"), score) +
			"\n\nEach area is scored out of 100, and the more serious a check, the more it counts. The areas with the lowest scores are where fixing things makes the biggest difference.",
		Next: "Open the dashboard to see what to fix first, with the steps for each device. If someone else looks after your IT, share this summary with them.",
	}
}

// TestMessage is the message people send themselves to check that
// notifications reach them.
// AlertOverdueMessage tells people an alert's clock ran out: nobody
// acknowledged it in time (KindAlertAckOverdue), or it is not fixed in time
// (KindAlertFixOverdue).
func AlertOverdueMessage(kind Kind, org string, a *handwash.Alert, link string) Message {
	name := "“" + a.Title + "”"
	if a.Reference != "" {
		name += " (" + a.Reference + ")"
	}
	m := Message{Kind: kind, Org: org, Severity: a.Severity, Link: link}
	if a.Severity.Rank() < 0 {
		m.Severity = ""
	}
	if kind == KindAlertAckOverdue {
		m.Subject = "Nobody has acknowledged the alert " + clipLine(a.Title)
		m.Time = a.AckDue
		m.Body = fmt.Sprintf("The alert %s at %s was opened on %s and should have been acknowledged by %s. Nobody has said they are dealing with it.", name, org, when(a.OpenedAt), when(a.AckDue)) +
			"\n\nAlerts are how Handwash, NHS England and your suppliers warn you of attacks that are happening now. The NHS was hit by WannaCry after such a warning went unheeded."
		m.Next = fmt.Sprintf("Open the alert in Handwash, acknowledge it and choose who deals with it. It must be fixed by %s.", when(a.FixDue))
		return m
	}
	m.Subject = "Alert not fixed in time: " + clipLine(a.Title)
	m.Time = a.FixDue
	m.Body = fmt.Sprintf("The alert %s at %s should have been fixed by %s and is still open.", name, org, when(a.FixDue))
	if a.Affected > 0 {
		m.Body += fmt.Sprintf(" It still affects %s.", plural(a.Affected, "device"))
	}
	m.Body += "\n\nCyber Essentials allows 14 days to fix critical problems; past that, an attacker who knows of the flaw has had time to use it."
	m.Next = "Open the alert in Handwash to see what is left to do. If it cannot be fixed yet, record why, take the affected devices off the network where you can, and tell your IT provider."
	return m
}

// clipLine keeps a subject short.
func clipLine(s string) string {
	s = oneLine(s)
	if utf8.RuneCountInString(s) > 120 {
		return string([]rune(s)[:120]) + "…"
	}
	return s
}

func TestMessage(org string, now time.Time) Message {
	return Message{
		Kind:    KindTest,
		Org:     org,
		Subject: "Test message",
		Time:    now,
		Body: fmt.Sprintf("This is a test message from Handwash for %s, sent on %s. If you can read it, notifications reach you here.", org, when(now)) +
			"\n\nHandwash sends messages here when a device has a new high-severity problem, when a device stops reporting for a week, and once a week with a summary of the scores.",
		Next: "Nothing: this message needs no action.",
	}
}

// severityWord names a severity inside a sentence.
func severityWord(s handwash.Severity) string {
	if s == handwash.SeverityCritical {
		return "critical"
	}
	return string(s) + "-severity"
}

// when writes a moment as people read it in the UK.
func when(t time.Time) string {
	return t.Format("Monday 2 January 2006 at 15:04")
}

// daysAgo says how long ago then was, in whole days.
func daysAgo(then, now time.Time) string {
	days := int(now.Sub(then) / (24 * time.Hour))
	if days < 1 {
		return "less than a day"
	}
	return plural(days, "day")
}

// plural writes a count with its noun.
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
