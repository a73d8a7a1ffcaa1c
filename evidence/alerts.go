package evidence

import (
	"cmp"
	"fmt"
	"slices"
	"time"

	"github.com/handwash/handwash"
)

// maxAlerts is how many alerts the report lists, newest first.
const maxAlerts = 50

// AlertRow is one alert as the report lists it: when it was opened,
// acknowledged and closed, and whether each of its two clocks was met.
type AlertRow struct {
	Title     string
	Reference string
	// Origin is "Opened by Handwash" or "Added by hand".
	Origin   string
	Severity handwash.Severity
	Opened   string // "3 March 2027, 09:30 UTC"
	// Acknowledged and Closed say when and after how long, or "Not yet".
	Acknowledged string
	Closed       string
	Reason       string
	// AckClock and FixClock say whether each clock was met: "Met",
	// "Missed", "Overdue" or "Running" (not due yet); AckMissed and
	// FixMissed are true for Missed and Overdue.
	AckClock, FixClock   string
	AckMissed, FixMissed bool
}

// alertRows lists the newest alerts first, at most maxAlerts of them, and
// counts the rest.
func alertRows(alerts []*handwash.Alert, at time.Time) ([]AlertRow, int) {
	var list []*handwash.Alert
	for _, a := range alerts {
		if a != nil {
			list = append(list, a)
		}
	}
	slices.SortStableFunc(list, func(a, b *handwash.Alert) int {
		return cmp.Or(b.OpenedAt.Compare(a.OpenedAt), cmp.Compare(a.ID, b.ID))
	})
	more := 0
	if len(list) > maxAlerts {
		list, more = list[:maxAlerts], len(list)-maxAlerts
	}
	var out []AlertRow
	for _, a := range list {
		row := AlertRow{
			Title:        clip(a.Title, maxName),
			Reference:    clip(a.Reference, maxName),
			Origin:       "Added by hand",
			Severity:     a.Severity,
			Opened:       when(a.OpenedAt),
			Acknowledged: "Not yet",
			Closed:       "Not yet",
			Reason:       clip(a.CloseReason, maxText),
		}
		if a.Origin == handwash.AlertAutomatic {
			row.Origin = "Opened by Handwash"
		}
		if !a.AcknowledgedAt.IsZero() {
			row.Acknowledged = when(a.AcknowledgedAt) + ", after " + took(a.AcknowledgedAt.Sub(a.OpenedAt))
		}
		if !a.ClosedAt.IsZero() {
			row.Closed = when(a.ClosedAt) + ", after " + took(a.ClosedAt.Sub(a.OpenedAt))
		}
		// Closing an alert deals with it too: one closed before anyone
		// acknowledged it met the first clock if it closed in time.
		handled := a.AcknowledgedAt
		if handled.IsZero() || (!a.ClosedAt.IsZero() && a.ClosedAt.Before(handled)) {
			handled = a.ClosedAt
		}
		row.AckClock, row.AckMissed = clock(handled, a.AckDue, at)
		row.FixClock, row.FixMissed = clock(a.ClosedAt, a.FixDue, at)
		out = append(out, row)
	}
	return out, more
}

// clock says whether something done at done (zero: not yet) met due, as
// seen at now.
func clock(done, due, now time.Time) (string, bool) {
	switch {
	case !done.IsZero() && !done.After(due):
		return "Met", false
	case !done.IsZero():
		return "Missed", true
	case now.After(due):
		return "Overdue", true
	}
	return "Running", false
}

func when(t time.Time) string { return t.UTC().Format("2 January 2006, 15:04 UTC") }

// took says how long something took in plain words.
func took(d time.Duration) string {
	switch {
	case d < time.Hour:
		return "under an hour"
	case d < 48*time.Hour:
		return plural(int(d/time.Hour), "hour", "hours")
	}
	return plural(int(d/(24*time.Hour)), "day", "days")
}

// alertsIntro says what the alerts section lists.
func (d *Document) AlertsIntro() string {
	s := "Handwash opens an alert when a computer newly fails a critical check, and alerts received from elsewhere, such as NHS England cyber alerts, are added by hand. Each must be acknowledged and fixed within set times (by default 48 hours and 14 days)."
	if d.MoreAlerts > 0 {
		s += fmt.Sprintf(" The newest %d are listed; %d older ones are left out.", maxAlerts, d.MoreAlerts)
	}
	return s
}
