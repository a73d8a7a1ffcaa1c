package cloudimport

import (
	"strings"
	"time"

	"github.com/handwash/handwash/internal/csvtable"
)

// notGiven holds the values exports write for "no value".
var notGiven = map[string]bool{
	"": true, "-": true, "n/a": true, "na": true, "none": true, "null": true, "unknown": true, "not available": true,
}

// yesNo reads a yes/no value in the words of the exports: True/False
// (Microsoft and Google), Yes/No, and the Entra admin centre's
// Registered/Capable/Enabled and their "Not" forms. It returns nil for no
// value and ok false for anything else.
func yesNo(s string) (v *bool, ok bool) {
	switch strings.Join(strings.Fields(strings.ToLower(s)), " ") {
	case "true", "yes", "y", "1", "registered", "capable", "enabled", "on":
		return ptr(true), true
	case "false", "no", "n", "0", "not registered", "notregistered", "not capable", "notcapable", "not enabled", "disabled", "off":
		return ptr(false), true
	}
	if notGiven[strings.ToLower(strings.TrimSpace(s))] {
		return nil, true
	}
	return nil, false
}

func ptr[T any](v T) *T { return &v }

// never holds the words exports use for a sign-in that has not happened.
var never = map[string]bool{"never": true, "never logged in": true, "never signed in": true}

// when reads a date and time (see csvtable.ParseTime). It returns nil for
// no value or "never", and for the year-one placeholder some exports write
// instead of nothing.
func when(s string) (t *time.Time, ok bool) {
	s = strings.Join(strings.Fields(s), " ")
	l := strings.ToLower(s)
	if notGiven[l] || never[l] {
		return nil, true
	}
	return csvtable.ParseTime(s)
}

// validEmail is a loose check that s is a sign-in name: something@domain,
// no spaces or control characters.
func validEmail(s string) bool {
	if len(s) > 320 {
		return false
	}
	local, domain, ok := strings.Cut(s, "@")
	if !ok || local == "" || domain == "" || strings.Contains(domain, "@") || !strings.Contains(domain, ".") {
		return false
	}
	for _, r := range s {
		if r <= ' ' || r == 0x7f || r == '<' || r == '>' || r == '"' || r == ',' || r == ';' {
			return false
		}
	}
	return true
}
