package incident

import (
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/handwash/handwash"
)

// The fields of an incident, as the dashboard's form names them and as
// errors start.
const (
	FieldNearMiss              = "near_miss"     // yes or no (empty is no)
	FieldTitle                 = "title"         // required
	FieldWhat                  = "what"          // required
	FieldOccurredAt            = "occurred_at"   // required, YYYY-MM-DDTHH:MM in UK time
	FieldDiscoveredAt          = "discovered_at" // required, YYYY-MM-DDTHH:MM in UK time
	FieldReportedBy            = "reported_by"
	FieldPersonalData          = "personal_data" // yes or no (empty is no)
	FieldFraud                 = "fraud"         // yes or no (empty is no)
	FieldActions               = "actions"
	FieldReferences            = "references"
	FieldICOReportedOn         = "ico_reported_on"          // YYYY-MM-DD
	FieldDSPTReportedOn        = "dspt_reported_on"         // YYYY-MM-DD
	FieldActionFraudReportedOn = "action_fraud_reported_on" // YYYY-MM-DD
	FieldClosedOn              = "closed_on"                // YYYY-MM-DD
	FieldLessons               = "lessons"
)

// The most characters each text field holds.
const (
	MaxTitle      = 200
	MaxWhat       = 10_000
	MaxReportedBy = 200
	MaxActions    = 10_000
	MaxReferences = 1_000
	MaxLessons    = 10_000
)

// futureSlack is how far ahead of now a time or date may be: a clock a
// little fast, or a date typed on a server in another time zone, is not a
// mistake worth refusing.
const futureSlack = 24 * time.Hour

// earliest is the first day an incident in the log may be dated.
var earliest = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)

// london is UK time, in which the form's times are given and days are
// counted.
var london = handwash.UKTime

// Validate checks an incident before it is stored: a title of 1 to
// MaxTitle characters on one line; what happened, 1 to MaxWhat
// characters; when it happened and when it was discovered, neither more
// than a day after now nor before 2000, and discovered no earlier than it
// happened; the other text fields within their limits and free of control
// characters (line breaks are allowed in the long ones); and the report
// and closing dates neither before the day it was discovered nor more than
// a day after now. The error is an EINVALID *handwash.Error whose message
// starts with the field's name (the Field constants), for instance
// `discovered_at: 14:05 on 31 Mar 2026 is before it happened, 16:00 on 31 Mar 2026: …`.
func Validate(in *handwash.Incident, now time.Time) error {
	if in == nil {
		return handwash.Errorf(handwash.EINVALID, "no incident was given")
	}
	for _, f := range []struct {
		field     string
		value     string
		max       int
		required  bool
		multiline bool
		hint      string
	}{
		{FieldTitle, in.Title, MaxTitle, true, false, "say in a few words what happened, such as \"Laptop stolen from car\""},
		{FieldWhat, in.What, MaxWhat, true, true, "say what happened, what information or systems were involved and who may be affected"},
		{FieldReportedBy, in.ReportedBy, MaxReportedBy, false, false, ""},
		{FieldActions, in.Actions, MaxActions, false, true, ""},
		{FieldReferences, in.References, MaxReferences, false, true, ""},
		{FieldLessons, in.Lessons, MaxLessons, false, true, ""},
	} {
		if err := checkText(f.field, f.value, f.max, f.required, f.multiline, f.hint); err != nil {
			return err
		}
	}

	latest := now.Add(futureSlack)
	for _, f := range []struct {
		field string
		t     time.Time
		what  string
	}{
		{FieldOccurredAt, in.OccurredAt, "give when it happened, as near as you know"},
		{FieldDiscoveredAt, in.DiscoveredAt, "give when you found out about it: the ICO's 72 hours start then"},
	} {
		switch {
		case f.t.IsZero():
			return fieldErr(f.field, "is empty: %s", f.what)
		case f.t.Before(earliest):
			return fieldErr(f.field, "%s is before 2000: check the year", formatTime(f.t))
		case f.t.After(latest):
			return fieldErr(f.field, "%s has not happened yet: check the date and time (in UK time)", formatTime(f.t))
		}
	}
	if in.DiscoveredAt.Before(in.OccurredAt) {
		return fieldErr(FieldDiscoveredAt, "%s is before it happened, %s: it cannot have been found before it happened; check both times (in UK time)",
			formatTime(in.DiscoveredAt), formatTime(in.OccurredAt))
	}

	found := ukDay(in.DiscoveredAt)
	lastDay := ukDay(latest)
	for _, f := range []struct {
		field string
		d     *time.Time
		what  string
	}{
		{FieldICOReportedOn, in.ICOReportedOn, "the day it was reported to the ICO"},
		{FieldDSPTReportedOn, in.DSPTReportedOn, "the day it was reported in the DSPT incident reporting tool"},
		{FieldActionFraudReportedOn, in.ActionFraudReportedOn, "the day it was reported to Action Fraud"},
		{FieldClosedOn, in.ClosedOn, "the day it was closed"},
	} {
		if f.d == nil {
			continue
		}
		switch d := ukDay(*f.d); {
		case d.Before(found):
			return fieldErr(f.field, "%s is before the day it was discovered, %s: enter %s", formatDay(d), formatDay(found), f.what)
		case d.After(lastDay):
			return fieldErr(f.field, "%s has not come yet: enter %s", formatDay(d), f.what)
		}
	}
	return nil
}

// checkText checks one text field: valid UTF-8, within max characters,
// not empty when required, and without control characters (line breaks
// and tabs are allowed in a multiline field) or characters that change
// the direction of text.
func checkText(field, v string, max int, required, multiline bool, hint string) error {
	switch {
	case !utf8.ValidString(v):
		return fieldErr(field, "is not valid text: type it again")
	case required && strings.TrimSpace(v) == "":
		return fieldErr(field, "is empty: %s", hint)
	case utf8.RuneCountInString(v) > max:
		return fieldErr(field, "is longer than %d characters: shorten it", max)
	}
	for _, r := range v {
		if badRune(r, multiline) {
			return fieldErr(field, "holds control characters: type it again")
		}
	}
	return nil
}

func badRune(r rune, multiline bool) bool {
	switch {
	case r == '\n' || r == '\r' || r == '\t':
		return !multiline
	case r < ' ' || r == 0x7f || r >= 0x80 && r < 0xa0:
		return true
	case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069:
		return true // overrides and isolates that make text read other than it is
	}
	return !multiline && unicode.Is(unicode.Cf, r)
}

// fieldErr is the EINVALID error of a field: its message starts with the
// field's name.
func fieldErr(field, format string, args ...any) error {
	return handwash.Errorf(handwash.EINVALID, "%s: %s", field, fmt.Sprintf(format, args...))
}

// ukDay returns the UK calendar day of t, at midnight UTC, so that days
// compare as dates.
func ukDay(t time.Time) time.Time {
	y, m, d := t.In(london).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// formatTime writes a moment in UK time: "14:05 on 31 Mar 2026".
func formatTime(t time.Time) string {
	return t.In(london).Format("15:04 on 2 Jan 2006")
}

// formatDeadline writes a deadline in UK time with its weekday, as people
// plan by: "11:00 on Tuesday 31 March 2026".
func formatDeadline(t time.Time) string {
	return t.In(london).Format("15:04 on Monday 2 January 2006")
}

// formatDay writes a day: "31 Mar 2026".
func formatDay(t time.Time) string {
	return t.Format("2 Jan 2006")
}
