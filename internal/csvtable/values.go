package csvtable

import (
	"strings"
	"time"
	"unicode"
)

// CleanText removes control and formatting characters (such as
// right-to-left overrides) from a value the file gives, makes each run of
// white space one space and shortens it to 200 characters, so that what
// the findings quote is safe to show.
func CleanText(s string) string {
	s = strings.Map(func(r rune) rune {
		if r < ' ' || r == 0x7f || (r >= 0x80 && r < 0xa0) || unicode.Is(unicode.Cf, r) {
			return -1 // control and formatting characters, such as right-to-left overrides
		}
		return r
	}, s)
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > 200 {
		// Cut, then trim, so that cleaning the result again changes nothing.
		s = strings.TrimRight(string(r[:200]), " ")
	}
	return s
}

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

// DateExpected says, for BadValue, what ParseTime reads.
const DateExpected = "a date such as 2026-03-31 14:05:00 or 31/03/2026 14:05"

// ParseTime reads a date and time in a format the exports use (see
// DateExpected), in UTC. Runs of white space count as one space, and a
// final " UTC" or " GMT" is ignored. A date before 1990, such as the
// year-one placeholder some exports write instead of nothing, gives nil
// and ok true; anything else it cannot read gives ok false. The words
// exports write for no value ("", "never" and the like) differ from one
// export to another: callers check for them first.
func ParseTime(s string) (t *time.Time, ok bool) {
	s = strings.Join(strings.Fields(s), " ")
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
