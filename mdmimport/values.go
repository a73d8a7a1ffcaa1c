package mdmimport

import (
	"strings"
	"time"
	"unicode"

	"github.com/handwash/handwash/internal/csvtable"
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

// when reads a date and time (see csvtable.ParseTime). It returns nil for
// no value or "never", and for the year-one placeholder Intune writes
// instead of nothing.
func when(s string) (t *time.Time, ok bool) {
	s = strings.Join(strings.Fields(s), " ")
	if w := words(s); notGiven[w] || w == "-" || w == "never" {
		return nil, true
	}
	return csvtable.ParseTime(s)
}

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

// modelName joins a maker and a model as people say them: "Samsung
// SM-A546B", but "iPhone 15" (Apple needs no saying) and "Pixel 8" when
// the model already names its maker ("Google Pixel 8").
func modelName(maker, model string) string {
	maker, model = csvtable.CleanText(maker), csvtable.CleanText(model)
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
