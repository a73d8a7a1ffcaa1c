package handwash

import (
	"fmt"
	"net/mail"
	"strings"
	"time"
	"unicode"
)

// Limits on what a person writes when accepting a risk.
const (
	MaxExceptionReason = 1000
	MaxExceptionOwner  = 200
)

// NewStoredException checks what a person wrote to accept a failed control
// (the control, the reason, who owns the risk and until when) in the order
// they would put it right, and returns the exception to store. known says
// whether a control ID is in the catalogue; nil skips that check. Whether
// the organisation and device are the principal's to change is for the
// caller to check against the store.
func NewStoredException(p Principal, orgID, deviceID, control, reason, owner, expires string, now time.Time, known func(id string) bool) (*StoredException, error) {
	reason, owner = strings.TrimSpace(reason), strings.TrimSpace(owner)
	if orgID == "" {
		return nil, fieldError("org_id", "missing: say which organisation accepts the risk")
	}
	if control == "" {
		return nil, fieldError("control", "missing: give the ID of the control whose failure is accepted")
	}
	if known != nil && !known(control) {
		return nil, fieldError("control", "no control has the ID %q: a device's assessment lists every control's ID", control)
	}
	if err := CheckText("reason", reason, MaxExceptionReason); err != nil {
		return nil, err
	}
	if err := CheckText("owner", owner, MaxExceptionOwner); err != nil {
		return nil, err
	}
	if expires == "" {
		return nil, fieldError("expires", "missing: every accepted risk needs a date to look at it again, such as 2027-03-31")
	}
	until, err := time.Parse(time.DateOnly, expires)
	if err != nil {
		return nil, fieldError("expires", "expected a date such as 2027-03-31")
	}
	if !until.After(now) {
		return nil, fieldError("expires", "%s has passed: give a date in the future", expires)
	}
	return &StoredException{
		ID:         NewID("exc"),
		ProviderID: p.ProviderID,
		OrgID:      orgID,
		DeviceID:   deviceID,
		Control:    control,
		Reason:     reason,
		Owner:      owner,
		Expires:    until,
		CreatedAt:  now.UTC(),
		CreatedBy:  p.Kind + ":" + p.ID,
	}, nil
}

// fieldError is an EINVALID error that names the field first.
func fieldError(field, format string, args ...any) error {
	return Errorf(EINVALID, "%s: %s", field, fmt.Sprintf(format, args...))
}

// CheckText accepts one line or paragraph a person typed: not empty, not
// too long, no control characters.
func CheckText(field, v string, max int) error {
	switch {
	case v == "":
		return fieldError(field, "missing")
	case len(v) > max:
		return fieldError(field, "longer than %d characters", max)
	case strings.ContainsFunc(v, unicode.IsControl):
		return fieldError(field, "contains a control character")
	}
	return nil
}

// CheckEmail accepts a plain email address such as jo@rose.example: no
// display name, no angle brackets.
func CheckEmail(e string) error {
	if err := CheckText("email", e, 254); err != nil {
		return err
	}
	a, err := mail.ParseAddress(e)
	if err != nil || a.Address != e || a.Name != "" {
		return fieldError("email", "%q is not an email address", e)
	}
	return nil
}
