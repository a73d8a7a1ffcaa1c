package incident

import (
	"strings"
	"time"
	"unicode/utf8"

	"github.com/handwash/handwash"
)

// The forms of a time from an HTML datetime-local input: without seconds,
// as browsers send it by default, and with them.
const (
	formTime        = "2006-01-02T15:04"
	formTimeSeconds = "2006-01-02T15:04:05"
)

// ParseForm reads the dashboard's incident form (the keys are the Field
// constants; others are ignored) and validates the result with Validate.
// Yes/no fields take yes or no, and empty is no. Times are
// YYYY-MM-DDTHH:MM in UK time, as an HTML datetime-local input sends
// them, and are returned in UTC; dates are YYYY-MM-DD and are returned at
// midnight UTC. Text is trimmed and its line breaks made \n. The ID,
// organisation and timestamps are left for the caller. The error is an
// EINVALID *handwash.Error whose message starts with the field's name.
func ParseForm(form map[string]string, now time.Time) (handwash.Incident, error) {
	var in handwash.Incident
	var err error
	for _, f := range []struct {
		field string
		dst   *bool
	}{{FieldNearMiss, &in.NearMiss}, {FieldPersonalData, &in.PersonalData}, {FieldFraud, &in.Fraud}} {
		switch v := strings.ToLower(strings.TrimSpace(form[f.field])); v {
		case "yes":
			*f.dst = true
		case "no", "":
		default:
			return handwash.Incident{}, fieldErr(f.field, "%q is not an answer: choose yes or no", clip(form[f.field]))
		}
	}
	in.Title = text(form[FieldTitle])
	in.What = text(form[FieldWhat])
	in.ReportedBy = text(form[FieldReportedBy])
	in.Actions = text(form[FieldActions])
	in.References = text(form[FieldReferences])
	in.Lessons = text(form[FieldLessons])
	for _, f := range []struct {
		field string
		dst   *time.Time
	}{{FieldOccurredAt, &in.OccurredAt}, {FieldDiscoveredAt, &in.DiscoveredAt}} {
		if *f.dst, err = formMoment(form, f.field); err != nil {
			return handwash.Incident{}, err
		}
	}
	for _, f := range []struct {
		field string
		dst   **time.Time
	}{
		{FieldICOReportedOn, &in.ICOReportedOn}, {FieldDSPTReportedOn, &in.DSPTReportedOn},
		{FieldActionFraudReportedOn, &in.ActionFraudReportedOn}, {FieldClosedOn, &in.ClosedOn},
	} {
		if *f.dst, err = formDate(form, f.field); err != nil {
			return handwash.Incident{}, err
		}
	}
	if err := Validate(&in, now); err != nil {
		return handwash.Incident{}, err
	}
	return in, nil
}

// text trims a text field and makes its line breaks \n, as browsers send
// \r\n from a text area.
func text(s string) string {
	return strings.TrimSpace(strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n"))
}

// formMoment reads a time in UK time; empty is the zero time, which
// Validate refuses with the field's own message.
func formMoment(form map[string]string, field string) (time.Time, error) {
	v := strings.TrimSpace(form[field])
	if v == "" {
		return time.Time{}, nil
	}
	layout := formTime
	if len(v) > len(formTime) {
		layout = formTimeSeconds
	}
	t, err := time.ParseInLocation(layout, v, london)
	if err != nil {
		return time.Time{}, fieldErr(field, "%q is not a date and time: use the form YYYY-MM-DDTHH:MM, such as 2026-03-31T14:05 (in UK time)", clip(v))
	}
	// A time the clocks skip when they go forward does not exist: Go
	// moves it an hour, so it no longer reads as given.
	if t.Format(layout) != v {
		return time.Time{}, fieldErr(field, "%s did not happen in UK time: the clocks went forward an hour that night, so times from 1:00 to 1:59 were skipped; enter the time the clock showed", v)
	}
	// A time the clocks repeat when they go back happened twice: take
	// the first, which gives the earlier deadline.
	if e := t.Add(-time.Hour); e.Format(layout) == v {
		t = e
	}
	return t.UTC(), nil
}

// formDate reads a date, YYYY-MM-DD as an HTML date input sends it, at
// midnight UTC; empty is nil.
func formDate(form map[string]string, field string) (*time.Time, error) {
	v := strings.TrimSpace(form[field])
	if v == "" {
		return nil, nil
	}
	t, err := time.Parse(time.DateOnly, v)
	if err != nil {
		return nil, fieldErr(field, "%q is not a date: use the form YYYY-MM-DD, such as 2026-03-31", clip(v))
	}
	return &t, nil
}

// clip shortens a value quoted in a message to at most 60 characters.
func clip(s string) string {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	if utf8.RuneCountInString(s) <= 60 {
		return s
	}
	return string([]rune(s)[:57]) + "…"
}
