package incident

import (
	"cmp"
	"fmt"
	"github.com/handwash/handwash/internal/english"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/handwash/handwash"
)

// The controls the incident log is judged by. Their IDs are stable:
// exceptions, scripts and dashboards refer to them.
const (
	ControlReporting = "people.incident-reporting"
	ControlLessons   = "people.incident-lessons"
)

// LessonsWithin is how long an incident may stay open without lessons
// written down. It is Handwash's own limit, not a DSPT or ICO rule: long
// enough to deal with most incidents, short enough that people still
// remember what happened.
const LessonsWithin = 30 * 24 * time.Hour

// listMax is how many incidents a finding names.
const listMax = 10

// Title returns the title of a control, as findings carry it.
func Title(control string) string {
	switch control {
	case ControlReporting:
		return "Incidents are reported to the ICO and others on time"
	case ControlLessons:
		return "Incidents open more than " + strconv.Itoa(int(LessonsWithin.Hours()/24)) + " days have their lessons written down"
	}
	return control
}

// Findings judges an organisation's incident log at now, in the people
// area. It always returns two findings, in this order: reports on time,
// failed when any open incident has a required report past its deadline
// (critical when one is to the ICO, high otherwise); and lessons written
// down, failed (medium) when an incident has been open more than
// LessonsWithin since it was discovered with no lessons recorded. Both are
// not applicable when the log is empty. Failed findings carry why they
// matter and how to put them right.
func Findings(incidents []*handwash.Incident, now time.Time) []handwash.Finding {
	var log []*handwash.Incident
	for _, in := range incidents {
		if in != nil {
			log = append(log, in)
		}
	}
	slices.SortStableFunc(log, func(a, b *handwash.Incident) int {
		return cmp.Or(started(a).Compare(started(b)), strings.Compare(a.ID, b.ID))
	})
	fs := []handwash.Finding{reportingFinding(log, now), lessonsFinding(log, now)}
	for i := range fs {
		f := &fs[i]
		f.Area = handwash.AreaPeople
		f.Title = Title(f.ControlID)
		if f.Status == handwash.StatusFail {
			f.Why, f.Fix = whyText[f.ControlID], fixText[f.ControlID]
		}
	}
	return fs
}

// started is when an incident's clock starts: when it was discovered, or
// when it happened or was logged when that is not known.
func started(in *handwash.Incident) time.Time {
	for _, t := range []time.Time{in.DiscoveredAt, in.OccurredAt, in.CreatedAt} {
		if !t.IsZero() {
			return t
		}
	}
	return time.Time{}
}

func emptyLog(f handwash.Finding) handwash.Finding {
	f.Status = handwash.StatusNotApplicable
	f.Summary = "No incidents or near misses are recorded."
	return f
}

func reportingFinding(log []*handwash.Incident, now time.Time) handwash.Finding {
	f := handwash.Finding{ControlID: ControlReporting, Severity: handwash.SeverityHigh}
	if len(log) == 0 {
		return emptyLog(f)
	}
	type late struct {
		in     *handwash.Incident
		duties []Duty
	}
	var overdue, pending []late
	counts := map[string]int{}
	for _, in := range log {
		var o, p []Duty
		for _, d := range Duties(*in, now) {
			switch {
			case d.Overdue:
				o = append(o, d)
				counts[d.ID]++
				if d.ID == DutyICO {
					f.Severity = handwash.SeverityCritical
				}
			case d.Required && !d.Done && in.ClosedOn == nil:
				p = append(p, d)
			}
		}
		if len(o) > 0 {
			overdue = append(overdue, late{in, o})
		}
		if len(p) > 0 {
			pending = append(pending, late{in, p})
		}
	}
	f.Evidence = []handwash.Evidence{
		{Label: "Incidents and near misses recorded", Value: strconv.Itoa(len(log))},
		{Label: "With a report overdue", Value: strconv.Itoa(len(overdue))},
		{Label: "With a report still to make", Value: strconv.Itoa(len(pending))},
	}
	add := func(items []late, describe func(Duty) string) {
		for i, l := range items {
			if i == listMax {
				f.Evidence = append(f.Evidence, handwash.Evidence{Label: "Not listed", Value: more(len(items) - listMax)})
				break
			}
			var parts []string
			for _, d := range l.duties {
				parts = append(parts, describe(d))
			}
			f.Evidence = append(f.Evidence, handwash.Evidence{Label: label(l.in), Value: strings.Join(parts, "; ")})
		}
	}
	add(overdue, func(d Duty) string {
		return fmt.Sprintf("%s report overdue: it was due by %s, %s ago", d.Body, formatDeadline(*d.Due), ago(now.Sub(*d.Due)))
	})
	add(pending, func(d Duty) string {
		if d.Due == nil {
			return d.Body + " report not recorded yet"
		}
		return fmt.Sprintf("%s report due by %s", d.Body, formatDeadline(*d.Due))
	})

	if len(overdue) == 0 {
		f.Status = handwash.StatusPass
		f.Summary = "No report is overdue."
		if len(pending) > 0 {
			f.Summary += fmt.Sprintf(" %s still %s a report to make: the list says when each is due.", incidents(len(pending)), english.HasHave(len(pending)))
		}
		return f
	}
	f.Status = handwash.StatusFail
	var which []string
	total := 0
	for _, x := range []struct{ id, name string }{
		{DutyICO, "to the ICO"}, {DutyDSPT, "in the DSPT incident reporting tool"},
	} {
		if n := counts[x.id]; n > 0 {
			which = append(which, fmt.Sprintf("%d %s", n, x.name))
			total += n
		}
	}
	reports := "an overdue report"
	if total > 1 {
		reports = "overdue reports"
	}
	f.Summary = fmt.Sprintf("%s %s %s: %s.", incidents(len(overdue)), english.HasHave(len(overdue)), reports, strings.Join(which, " and "))
	if counts[DutyICO] > 0 {
		f.Summary += " Report to the ICO now, and say why the report is late."
	}
	return f
}

func lessonsFinding(log []*handwash.Incident, now time.Time) handwash.Finding {
	f := handwash.Finding{ControlID: ControlLessons, Severity: handwash.SeverityMedium}
	if len(log) == 0 {
		return emptyLog(f)
	}
	var stale []*handwash.Incident
	open := 0
	for _, in := range log {
		if in.ClosedOn != nil {
			continue
		}
		open++
		if s := started(in); !s.IsZero() && now.Sub(s) > LessonsWithin && strings.TrimSpace(in.Lessons) == "" {
			stale = append(stale, in)
		}
	}
	days := strconv.Itoa(int(LessonsWithin.Hours() / 24))
	f.Evidence = []handwash.Evidence{
		{Label: "Open incidents", Value: strconv.Itoa(open)},
		{Label: "Open more than " + days + " days without lessons", Value: strconv.Itoa(len(stale))},
	}
	for i, in := range stale {
		if i == listMax {
			f.Evidence = append(f.Evidence, handwash.Evidence{Label: "Not listed", Value: more(len(stale) - listMax)})
			break
		}
		f.Evidence = append(f.Evidence, handwash.Evidence{Label: label(in),
			Value: fmt.Sprintf("open since %s (%s), no lessons written down", formatDay(ukDay(started(in))), ago(now.Sub(started(in))))})
	}
	if len(stale) == 0 {
		f.Status = handwash.StatusPass
		f.Summary = "No incident has been open more than " + days + " days without its lessons written down."
		return f
	}
	f.Status = handwash.StatusFail
	f.Summary = fmt.Sprintf("%s %s been open more than %s days with no lessons written down.", incidents(len(stale)), english.HasHave(len(stale)), days)
	return f
}

// label names an incident as people know it: its title, whether it was a
// near miss and when it was found.
func label(in *handwash.Incident) string {
	kind := ""
	if in.NearMiss {
		kind = "near miss, "
	}
	when := "date not known"
	if s := started(in); !s.IsZero() {
		when = "found " + formatDay(ukDay(s))
	}
	return fmt.Sprintf("%s (%s%s)", clip(strings.Join(strings.Fields(in.Title), " ")), kind, when)
}

// ago writes a duration roughly, as people say it: "5 hours", "3 days".
func ago(d time.Duration) string {
	switch h := int(d.Hours()); {
	case h < 1:
		return "less than an hour"
	case h < 48:
		return plural(h, "hour")
	default:
		return plural(h/24, "day")
	}
}

func plural(n int, word string) string { return english.Count(n, word, word+"s") }

func incidents(n int) string { return english.Count(n, "incident", "incidents") }

// more is "1 more incident" or "3 more incidents".
func more(n int) string { return english.Count(n, "more incident", "more incidents") }
