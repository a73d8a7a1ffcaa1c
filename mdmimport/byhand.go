package mdmimport

import (
	"strings"
	"time"

	"github.com/handwash/handwash"
	"github.com/handwash/handwash/internal/csvtable"
)

// The fields of the form for a phone or tablet entered by hand.
const (
	FieldOwner     = "owner"      // who uses it: required
	FieldModel     = "model"      // such as "iPhone 13" or "Samsung Galaxy A54": required
	FieldName      = "name"       // the device's own name: optional
	FieldSerial    = "serial"     // serial number or asset tag: optional, kept as ExternalID
	FieldOS        = "os"         // ios, ipados or android: required
	FieldOSVersion = "os_version" // digits and dots, such as 17.4.1: optional
	FieldPasscode  = "passcode"   // yes, no or unknown (empty is unknown)
	FieldEncrypted = "encrypted"  // yes, no or unknown
	FieldManaged   = "managed"    // yes, no or unknown: can it be located, locked and wiped remotely
	FieldLastSeen  = "last_seen"  // the date it was last checked, YYYY-MM-DD (an HTML date input): optional
)

// maxFieldLen is the longest text field accepted, in characters.
const maxFieldLen = 200

// ParseByHand validates one phone or tablet entered in a form (the keys
// are the Field constants; others are ignored) and returns it with Source
// handwash.MobileByHand. The error is an EINVALID *handwash.Error whose
// message starts with the field's name, for instance
// `os: "windows" is not a phone or tablet system: choose ios, ipados or android`.
// A last-seen date later than tomorrow is refused.
func ParseByHand(form map[string]string) (handwash.MobileDevice, error) {
	d := handwash.MobileDevice{Source: handwash.MobileByHand}
	var err error
	if d.Owner, err = formText(form, FieldOwner, true); err != nil {
		return handwash.MobileDevice{}, err
	}
	if d.Model, err = formText(form, FieldModel, true); err != nil {
		return handwash.MobileDevice{}, err
	}
	if d.Name, err = formText(form, FieldName, false); err != nil {
		return handwash.MobileDevice{}, err
	}
	if d.ExternalID, err = formText(form, FieldSerial, false); err != nil {
		return handwash.MobileDevice{}, err
	}

	os := strings.ToLower(strings.TrimSpace(form[FieldOS]))
	switch os {
	case "ios", "ipados", "android":
		d.OS = os
	case "":
		return handwash.MobileDevice{}, fieldErr(FieldOS, "is empty: choose ios, ipados or android")
	default:
		return handwash.MobileDevice{}, fieldErr(FieldOS, "%q is not a phone or tablet system: choose ios, ipados or android", csvtable.Clip(form[FieldOS]))
	}

	if v := strings.TrimSpace(form[FieldOSVersion]); v != "" {
		if !validVersion(v) {
			return handwash.MobileDevice{}, fieldErr(FieldOSVersion, "%q is not a version number: use digits and dots, such as 17.4.1 (on an iPhone: Settings > General > About; on Android: Settings > About phone)", csvtable.Clip(v))
		}
		d.OSVersion = v
	}

	for _, x := range []struct {
		field string
		dst   **bool
	}{{FieldPasscode, &d.Passcode}, {FieldEncrypted, &d.Encrypted}, {FieldManaged, &d.Managed}} {
		switch v := strings.ToLower(strings.TrimSpace(form[x.field])); v {
		case "yes":
			*x.dst = ptr(true)
		case "no":
			*x.dst = ptr(false)
		case "", "unknown":
		default:
			return handwash.MobileDevice{}, fieldErr(x.field, "%q is not an answer: choose yes, no or unknown", csvtable.Clip(form[x.field]))
		}
	}

	if v := strings.TrimSpace(form[FieldLastSeen]); v != "" {
		t, err := time.Parse("2006-01-02", v)
		if err != nil {
			return handwash.MobileDevice{}, fieldErr(FieldLastSeen, "%q is not a date: use the form YYYY-MM-DD, such as 2026-03-31", csvtable.Clip(v))
		}
		if t.Year() < 2000 || t.After(time.Now().Add(48*time.Hour)) {
			return handwash.MobileDevice{}, fieldErr(FieldLastSeen, "%s is not a date the device could have been checked", v)
		}
		d.LastSeen = &t
	}
	return d, nil
}

// formText reads a text field: trimmed, at most maxFieldLen characters,
// with no control or formatting characters.
func formText(form map[string]string, field string, required bool) (string, error) {
	v, problem := csvtable.Field(form[field], maxFieldLen)
	switch {
	case problem != "":
		return "", fieldErr(field, "%s", problem)
	case v == "" && required:
		return "", fieldErr(field, "%s", "is empty: it is needed to name the device in findings")
	}
	return v, nil
}

// validVersion accepts digits and dots: 1 to 6 numbers of 1 to 6 digits.
func validVersion(v string) bool {
	parts := strings.Split(v, ".")
	if len(parts) > 6 {
		return false
	}
	for _, p := range parts {
		if p == "" || len(p) > 6 {
			return false
		}
		for _, r := range p {
			if r < '0' || r > '9' {
				return false
			}
		}
	}
	return true
}

func fieldErr(field, format string, args ...any) error {
	e := handwash.Errorf(handwash.EINVALID, format, args...)
	e.Message = field + ": " + e.Message
	return e
}
