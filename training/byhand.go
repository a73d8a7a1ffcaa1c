package training

import (
	"strings"
	"time"

	"github.com/handwash/handwash"
	"github.com/handwash/handwash/internal/csvtable"
)

// The fields of the form for one person entered by hand.
const (
	FieldName      = "name"       // required
	FieldEmail     = "email"      // optional
	FieldRole      = "role"       // optional, such as "Senior carer" or "Trustee"
	FieldStartedOn = "started_on" // optional, YYYY-MM-DD (an HTML date input)
	FieldLeftOn    = "left_on"    // optional, YYYY-MM-DD; set when the person has left
)

// maxFieldLen is the longest text field accepted, in characters.
const maxFieldLen = 200

// ParseByHand validates one person entered on a form (the keys are the
// Field constants; others are ignored) and returns them, without an ID or
// an organisation, which the caller sets. The error is an EINVALID
// *handwash.Error whose message starts with the field's name, for instance
// `left_on: 2024-01-31 is before the start date, 2025-06-01`.
func ParseByHand(form map[string]string) (handwash.StaffMember, error) {
	var m handwash.StaffMember
	var err error
	if m.Name, err = formText(form, FieldName, true); err != nil {
		return handwash.StaffMember{}, err
	}
	if strings.Contains(m.Name, "@") {
		return handwash.StaffMember{}, fieldErr(FieldName, "%q looks like an email address: enter the person's name here and their email address below", csvtable.Clip(m.Name))
	}
	if m.Role, err = formText(form, FieldRole, false); err != nil {
		return handwash.StaffMember{}, err
	}
	if v := strings.TrimSpace(form[FieldEmail]); v != "" {
		if !validEmail(v) {
			return handwash.StaffMember{}, fieldErr(FieldEmail, "%q is not an email address: enter one such as jo.bloggs@rosecourtcare.co.uk, or leave it empty", csvtable.Clip(v))
		}
		m.Email = v
	}
	if m.StartedOn, err = formDate(form, FieldStartedOn); err != nil {
		return handwash.StaffMember{}, err
	}
	if m.LeftOn, err = formDate(form, FieldLeftOn); err != nil {
		return handwash.StaffMember{}, err
	}
	if m.StartedOn != nil && m.LeftOn != nil && m.LeftOn.Before(*m.StartedOn) {
		return handwash.StaffMember{}, fieldErr(FieldLeftOn, "%s is before the start date, %s: check both dates",
			m.LeftOn.Format(time.DateOnly), m.StartedOn.Format(time.DateOnly))
	}
	return m, nil
}

// formText reads a text field: trimmed, at most maxFieldLen characters,
// with no control or formatting characters.
func formText(form map[string]string, field string, required bool) (string, error) {
	v, problem := csvtable.Field(form[field], maxFieldLen)
	switch {
	case problem != "":
		return "", fieldErr(field, "%s", problem)
	case v == "" && required:
		return "", fieldErr(field, "%s", "is empty: enter the person's name as colleagues know it")
	}
	return v, nil
}

// formDate reads a date field, YYYY-MM-DD as an HTML date input sends it;
// empty is nil.
func formDate(form map[string]string, field string) (*time.Time, error) {
	v := strings.TrimSpace(form[field])
	if v == "" {
		return nil, nil
	}
	t, err := time.Parse(time.DateOnly, v)
	if err != nil {
		return nil, fieldErr(field, "%q is not a date: use the form YYYY-MM-DD, such as 2026-03-31", csvtable.Clip(v))
	}
	if t.Year() < 1900 || t.Year() > 2100 {
		return nil, fieldErr(field, "%s is not a likely date: check the year", v)
	}
	return &t, nil
}
