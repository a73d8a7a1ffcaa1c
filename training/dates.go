package training

import (
	"github.com/handwash/handwash"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// london is the time zone whose days count: a care provider's "today" and
// "12 months ago" are UK days.
var london = handwash.UKTime

// dateExpected says what parseDate reads.
const dateExpected = "expected a date such as 31/03/2026, 31 March 2026 or 2026-03-31"

var (
	// A time after the date, as Excel adds when it saves a date cell.
	trailingTime = regexp.MustCompile(`^(\S+(?: \S+){0,3})[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?$`)
	isoDate      = regexp.MustCompile(`^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$`)
	numericDate  = regexp.MustCompile(`^(\d{1,2})([-/.])(\d{1,2})([-/.])(\d{1,4})$`)
	serialDate   = regexp.MustCompile(`^\d{5}(?:\.\d+)?$`)
	ordinal      = regexp.MustCompile(`^(\d{1,2})(?:st|nd|rd|th)$`)
)

var months = map[string]time.Month{
	"jan": time.January, "january": time.January,
	"feb": time.February, "february": time.February,
	"mar": time.March, "march": time.March,
	"apr": time.April, "april": time.April,
	"may": time.May,
	"jun": time.June, "june": time.June,
	"jul": time.July, "july": time.July,
	"aug": time.August, "august": time.August,
	"sep": time.September, "sept": time.September, "september": time.September,
	"oct": time.October, "october": time.October,
	"nov": time.November, "november": time.November,
	"dec": time.December, "december": time.December,
}

var weekdays = map[string]bool{
	"mon": true, "monday": true, "tue": true, "tues": true, "tuesday": true,
	"wed": true, "wednesday": true, "thu": true, "thur": true, "thurs": true, "thursday": true,
	"fri": true, "friday": true, "sat": true, "saturday": true, "sun": true, "sunday": true,
}

// parseDate reads a date written the UK way (see the package
// documentation) and returns it at midnight UTC, as the store keeps
// dates. When it cannot, problem says why and what to do, to follow
// `"Column" is "value": ` in a message.
func parseDate(s string) (t time.Time, problem string) {
	s = strings.Join(strings.Fields(s), " ")
	if m := trailingTime.FindStringSubmatch(s); m != nil {
		s = m[1]
	}
	switch {
	case s == "":
		return time.Time{}, dateExpected
	case serialDate.MatchString(s):
		return time.Time{}, "this is a spreadsheet's number for a date, not the date itself: format the column as a date (such as 31/03/2026) and save the file again"
	}
	if m := isoDate.FindStringSubmatch(s); m != nil {
		return calendarDate(atoi(m[1]), atoi(m[2]), atoi(m[3]))
	}
	if m := numericDate.FindStringSubmatch(s); m != nil {
		if m[2] != m[4] {
			return time.Time{}, dateExpected
		}
		a, b, y := atoi(m[1]), atoi(m[3]), m[5]
		if len(y) == 2 {
			return time.Time{}, "the year has two digits: write it in full, such as 31/03/2026"
		}
		if len(y) != 4 {
			return time.Time{}, dateExpected
		}
		if b > 12 && a <= 12 {
			return time.Time{}, usProblem
		}
		return calendarDate(atoi(y), b, a)
	}
	return textDate(s)
}

// usProblem explains why a month-first date is refused.
const usProblem = "this reads month first, as US dates are written: write dates day first, such as 31/03/2026 or 31 March 2026. " +
	"If the file came from a system set up for the US, change its date format to UK (or day/month/year) and export it again, " +
	"since its other dates would be read the wrong way round"

// textDate reads a date with the month's name: "31 March 2026",
// "31-Mar-2026", "Tuesday 31st March 2026".
func textDate(s string) (time.Time, string) {
	s = strings.ToLower(strings.NewReplacer(",", " ", "-", " ", "/", " ", ".", " ").Replace(s))
	f := strings.Fields(s)
	if len(f) == 4 && weekdays[f[0]] {
		f = f[1:]
	}
	if len(f) != 3 {
		return time.Time{}, dateExpected
	}
	day := func(s string) (int, bool) {
		if m := ordinal.FindStringSubmatch(s); m != nil {
			s = m[1]
		}
		if len(s) == 0 || len(s) > 2 || !digits(s) {
			return 0, false
		}
		return atoi(s), true
	}
	year := func(s string) (int, string) {
		switch {
		case !digits(s):
			return 0, dateExpected
		case len(s) == 2:
			return 0, "the year has two digits: write it in full, such as 31 March 2026"
		case len(s) != 4:
			return 0, dateExpected
		}
		return atoi(s), ""
	}
	if m, ok := months[f[1]]; ok {
		d, ok := day(f[0])
		if !ok {
			return time.Time{}, dateExpected
		}
		y, problem := year(f[2])
		if problem != "" {
			return time.Time{}, problem
		}
		return calendarDate(y, int(m), d)
	}
	if _, ok := months[f[0]]; ok {
		if _, ok := day(f[1]); ok {
			if _, problem := year(f[2]); problem == "" {
				return time.Time{}, usProblem
			}
		}
	}
	return time.Time{}, dateExpected
}

// calendarDate returns the date at midnight UTC, or a problem when there is
// no such day, such as 31 February.
func calendarDate(y, m, d int) (time.Time, string) {
	if m < 1 || m > 12 || d < 1 || d > 31 {
		return time.Time{}, "there is no such date: check the day and the month (dates are read day first, such as 31/03/2026)"
	}
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	if t.Day() != d {
		return time.Time{}, "there is no such date: check the day and the month"
	}
	return t, ""
}

func digits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}

func atoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}

// day returns the UK calendar day of t, at midnight UTC, so that days
// compare and add as dates: t is a date from the store (midnight UTC) or
// a moment such as when a quiz was passed.
func day(t time.Time) time.Time {
	y, m, d := t.In(london).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// formatDay writes a day as people read it: "31 Mar 2026".
func formatDay(t time.Time) string {
	return t.Format("2 Jan 2006")
}
