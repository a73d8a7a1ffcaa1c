package cloudimport

import (
	"strings"
	"time"
	"unicode"
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

// timeLayouts are the date formats the exports use, and those Excel writes
// when it saves them again on a UK computer. A date with a slash and no
// AM/PM is read day first, as in the UK; with AM/PM, month first, as Excel
// writes it on a US computer. Times without a zone are taken as UTC, which
// is what the exports write.
var timeLayouts = []string{
	time.RFC3339,
	"2006-01-02T15:04:05",
	"2006-01-02 15:04:05Z07:00",
	"2006-01-02 15:04:05Z",
	"2006-01-02 15:04:05",
	"2006-01-02 15:04",
	"2006-01-02",
	"2006/01/02 15:04:05",
	"2006/01/02 15:04",
	"2006/01/02",
	"2/1/2006 15:04:05",
	"2/1/2006 15:04",
	"2/1/2006",
	"1/2/2006 3:04:05 PM",
	"1/2/2006 3:04 PM",
	"Jan 2, 2006, 3:04:05 PM",
	"Jan 2, 2006, 3:04 PM",
	"Jan 2, 2006",
	"2 Jan 2006 15:04:05",
	"2 Jan 2006 15:04",
	"2 Jan 2006",
}

// when reads a date and time. It returns nil for no value or "never", and
// for the year-one placeholder some exports write instead of nothing.
func when(s string) (t *time.Time, ok bool) {
	s = strings.Join(strings.Fields(s), " ")
	l := strings.ToLower(s)
	if notGiven[l] || never[l] {
		return nil, true
	}
	s = strings.TrimSuffix(strings.TrimSuffix(s, " UTC"), " GMT")
	for _, layout := range timeLayouts {
		v, err := time.Parse(layout, s)
		if err != nil {
			continue
		}
		if v.Year() < 1990 {
			return nil, true
		}
		v = v.UTC()
		return &v, true
	}
	return nil, false
}

const dateExpected = "a date such as 2026-03-31 14:05:00 or 31/03/2026 14:05"

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

// cleanText removes control characters from a name the file gives and
// shortens it, so that what the findings quote is safe to show.
func cleanText(s string) string {
	s = strings.Map(func(r rune) rune {
		if r < ' ' || r == 0x7f || (r >= 0x80 && r < 0xa0) || unicode.Is(unicode.Cf, r) {
			return -1 // control and formatting characters, such as right-to-left overrides
		}
		return r
	}, s)
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > 200 {
		s = string(r[:200])
	}
	return s
}
