package mdmimport

import (
	"strings"
	"time"
	"unicode"
)

// words lower-cases s and makes underscores, hyphens and runs of spaces
// one space, so "PASSWORD_NOT_SET", "Not-set" and "not  set" compare alike.
func words(s string) string {
	s = strings.Map(func(r rune) rune {
		if r == '_' || r == '-' {
			return ' '
		}
		return unicode.ToLower(r)
	}, s)
	return strings.Join(strings.Fields(s), " ")
}

// notGiven holds the values exports write for "no value".
var notGiven = map[string]bool{
	"": true, "n/a": true, "na": true, "null": true, "unknown": true, "not available": true,
	"not reported": true, "unsupported": true, "not supported": true, "not applicable": true,
}

var yesWords = map[string]bool{
	"true": true, "yes": true, "y": true, "1": true, "on": true, "enabled": true, "present": true, "set": true,
	"encrypted": true, "managed": true, "protected": true, "password set": true, "passcode set": true,
	"passcode present": true, "password present": true,
}

var noWords = map[string]bool{
	"false": true, "no": true, "n": true, "0": true, "off": true, "disabled": true, "not present": true,
	"not set": true, "not encrypted": true, "unencrypted": true, "unmanaged": true, "not managed": true,
	"not protected": true, "password not set": true, "passcode not set": true, "no password": true,
	"no passcode": true, "none": true,
}

// yesNo reads a yes/no value in the words of the exports: True/False,
// Yes/No, Present/Not Present (Jamf's passcode), Encrypted/Not encrypted,
// Managed/Unmanaged and the like. It returns nil for no value and ok false
// for anything else.
func yesNo(s string) (v *bool, ok bool) {
	w := words(s)
	switch {
	case notGiven[w] || w == "-":
		return nil, true
	case yesWords[w]:
		return ptr(true), true
	case noWords[w]:
		return ptr(false), true
	}
	return nil, false
}

func ptr[T any](v T) *T { return &v }

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
// for the year-one placeholder Intune writes instead of nothing.
func when(s string) (t *time.Time, ok bool) {
	s = strings.Join(strings.Fields(s), " ")
	if w := words(s); notGiven[w] || w == "-" || w == "never" {
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

// version reads an OS version: its leading digits and dots, so "17.4.1",
// "14" and "14 (UP1A.231005.007)" give "17.4.1", "14" and "14". It returns
// "" for no value and ok false when there is no number at the start.
func version(s string) (v string, ok bool) {
	s = strings.TrimSpace(s)
	if w := words(s); notGiven[w] || w == "-" {
		return "", true
	}
	if s == "" || s[0] < '0' || s[0] > '9' {
		return "", false
	}
	end := 0
	for end < len(s) && (s[end] >= '0' && s[end] <= '9' || s[end] == '.') {
		end++
	}
	v = strings.TrimRight(s[:end], ".")
	if !validVersion(v) {
		return "", false
	}
	return v, true
}

// osVersionIn finds a version in an OS name such as "iOS 17.4.1" or
// "Android 14".
func osVersionIn(s string) string {
	for _, f := range strings.Fields(s) {
		if v, ok := version(f); ok && v != "" {
			return v
		}
	}
	return ""
}

// isIPad reports whether a model name or identifier is an iPad's.
func isIPad(model ...string) bool {
	for _, m := range model {
		if strings.HasPrefix(strings.ToLower(strings.TrimSpace(m)), "ipad") {
			return true
		}
	}
	return false
}

// osFamily turns an export's OS name into ios, ipados or android; keep is
// false for anything else (Windows, macOS, Linux, ChromeOS, tvOS), which
// is not a phone or tablet. Intune's "iOS/iPadOS" is told apart by the
// model: iPads run iPadOS.
func osFamily(name string, model ...string) (os string, keep bool) {
	n := strings.ToLower(strings.TrimSpace(name))
	switch {
	case strings.Contains(n, "android") || strings.HasPrefix(n, "aosp"):
		return "android", true
	case strings.HasPrefix(n, "ipados"):
		return "ipados", true
	case strings.HasPrefix(n, "ios") || strings.HasPrefix(n, "iphone os"):
		if isIPad(model...) {
			return "ipados", true
		}
		return "ios", true
	}
	return "", false
}

// osTitle is an OS as people read it.
func osTitle(os string) string {
	switch os {
	case "ios":
		return "iOS"
	case "ipados":
		return "iPadOS"
	case "android":
		return "Android"
	}
	return os
}

// cleanText removes control and formatting characters from a value the
// file gives and shortens it, so that what the findings quote is safe to
// show.
func cleanText(s string) string {
	s = strings.Map(func(r rune) rune {
		if r < ' ' || r == 0x7f || (r >= 0x80 && r < 0xa0) || unicode.Is(unicode.Cf, r) {
			return -1
		}
		return r
	}, s)
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > 200 {
		s = string(r[:200])
	}
	return s
}

// modelName joins a maker and a model as people say them: "Samsung
// SM-A546B", but "iPhone 15" (Apple needs no saying) and "Pixel 8" when
// the model already names its maker ("Google Pixel 8").
func modelName(maker, model string) string {
	maker, model = cleanText(maker), cleanText(model)
	switch {
	case maker == "" || strings.EqualFold(maker, "apple") || notGiven[words(maker)]:
		return model
	case model == "":
		return capitalise(maker)
	case strings.HasPrefix(strings.ToLower(model), strings.ToLower(maker)):
		return model
	}
	return capitalise(maker) + " " + model
}

func capitalise(s string) string {
	if s == "" {
		return s
	}
	r := []rune(s)
	r[0] = unicode.ToUpper(r[0])
	return string(r)
}
