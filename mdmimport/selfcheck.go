package mdmimport

import (
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/handwash/handwash"
	"github.com/handwash/handwash/internal/csvtable"
)

// The fields of the staff self-check form beyond those of ParseByHand's:
// the answers to the NCSC's tips for smartphones and tablets.
const (
	// FieldAutoUpdates: yes, no or unsure: the system and apps update
	// themselves.
	FieldAutoUpdates = "auto_updates"
	// FieldUnknownWiFi: yes, no or unsure: the person joins public or
	// unknown Wi-Fi with the device.
	FieldUnknownWiFi = "unknown_wifi"
)

// Detected is what a phone's browser says about the phone.
type Detected struct {
	// OS is ios, ipados or android; "" when the browser is not on one.
	OS string
	// Version is the system's version, "" when not known.
	Version string
	// Model is the maker's model name, where the browser gives it (Android
	// only: iPhones do not say).
	Model string
	// Frozen is true when the browser reports a fixed version rather than
	// the real one, so the person should check it in Settings.
	Frozen bool
}

// ClientHints are the user-agent client hints an Android browser sends
// when asked (Sec-CH-UA-Platform, -Platform-Version, -Model), or that
// the page reads with navigator.userAgentData, with the quotes removed.
type ClientHints struct {
	Platform        string
	PlatformVersion string
	Model           string
}

var (
	iosUA     = regexp.MustCompile(`\((iPhone|iPad|iPod)[^)]*?\bOS (\d{1,3}(?:_\d{1,3}){0,2})\b`)
	safariVer = regexp.MustCompile(`\bVersion/(\d{1,3}(?:\.\d{1,3}){0,2})\b`)
	androidUA = regexp.MustCompile(`\bAndroid (\d{1,3}(?:\.\d{1,3}){0,2})(?:; ([^;)]{1,80}))?`)
)

// frozenIOS is the system version Safari 26 and later report on iPhones
// and iPads whatever their real version (18.6), which they give instead
// as Safari's version, the same number as the system's since 26.
const frozenIOS = "18.6"

// DetectPhone reads a browser's User-Agent header and client hints. It
// never fails: what it cannot tell it leaves empty, for the person to
// fill in. Browsers hide what they can: Chrome on Android reports
// "Android 10; K" whatever the phone (the client hints then give the real
// version and model), Safari 26 on iOS reports 18.6 (its own version then
// gives the system's), and an iPad reports itself as a Mac (the page's
// script then says it is a tablet).
func DetectPhone(ua string, hints ClientHints) Detected {
	if len(ua) > 1024 {
		ua = ua[:1024]
	}
	var d Detected
	switch {
	case iosUA.MatchString(ua):
		m := iosUA.FindStringSubmatch(ua)
		d.OS = "ios"
		if m[1] == "iPad" {
			d.OS = "ipados"
		}
		d.Version = strings.ReplaceAll(m[2], "_", ".")
		if strings.HasPrefix(d.Version, frozenIOS) {
			d.Frozen = true
			if s := safariVer.FindStringSubmatch(ua); s != nil && major(s[1]) >= 26 {
				d.Version, d.Frozen = s[1], false
			}
		}
	case androidUA.MatchString(ua):
		m := androidUA.FindStringSubmatch(ua)
		d.OS, d.Version = "android", m[1]
		model := strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(m[2]), " Build"))
		if i := strings.Index(model, " Build/"); i >= 0 {
			model = model[:i]
		}
		switch {
		case d.Version == "10" && model == "K":
			// Chrome's reduced user agent: neither is real.
			d.Version, d.Frozen = "", true
		case model != "" && model != "Mobile" && model != "Tablet" && model != "K" && !strings.HasPrefix(model, "rv:"):
			d.Model = model
		}
	case strings.Contains(ua, "Macintosh") && safariVer.MatchString(ua) && strings.Contains(ua, "Mobile/"):
		// An iPad asking for the desktop site still says Mobile/.
		d.OS, d.Version = "ipados", safariVer.FindStringSubmatch(ua)[1]
	}
	if strings.EqualFold(strings.Trim(hints.Platform, `"`), "Android") {
		d.OS = "android"
		if v := strings.Trim(hints.PlatformVersion, `"`); v != "" && validVersion(v) {
			d.Version, d.Frozen = strings.TrimSuffix(strings.TrimSuffix(v, ".0"), ".0"), false
		}
		if m := csvtable.CleanText(strings.Trim(hints.Model, `"`)); m != "" && len(m) <= 80 {
			d.Model = m
		}
	}
	if !validVersion(d.Version) {
		d.Version = ""
	}
	d.Model = csvtable.CleanText(d.Model)
	return d
}

// major is a version's first number, 0 when there is none.
func major(v string) int {
	n, _ := strconv.Atoi(strings.SplitN(v, ".", 2)[0])
	return n
}

// Step is one question of the self-check, with how to find the answer on
// the person's phone.
type Step struct {
	// Field is the form field of the answer.
	Field string
	// Question is asked of the person, answered yes, no or not sure.
	Question string
	// How says where to look on this kind of phone.
	How string
	// Why says why it matters, in a sentence or two.
	Why string
	// Yes and No are the answers as the person would say them.
	Yes, No string
}

// SelfCheckSteps are the self-check's questions for a phone of os (ios,
// ipados or android; any other value gets both kinds of instructions):
// the NCSC's tips for smartphones and tablets, in its order.
func SelfCheckSteps(os string) []Step {
	how := func(control string) string {
		switch os {
		case "ios", "ipados":
			return apple[control]
		case "android":
			return android[control]
		}
		return apple[control] + "\n\n" + android[control]
	}
	return []Step{
		{Field: FieldPasscode, Question: "Does your phone or tablet ask for a passcode, PIN, fingerprint or face to unlock?",
			How: how(ControlPasscode), Why: "Without one, whoever picks it up can open the care app, email and photos.",
			Yes: "Yes, it is locked", No: "No, it opens with a swipe"},
		{Field: FieldManaged, Question: "Is Find My (iPhone and iPad) or Find My Device (Android) switched on, so it can be found, locked and wiped if lost?",
			How: how(ControlWipe), Why: "A lost phone that can be wiped is an inconvenience; one that cannot may be a data breach.",
			Yes: "Yes, it is on", No: "No, it is off"},
		{Field: FieldAutoUpdates, Question: "Are automatic updates switched on for the system and for apps?",
			How: how(ControlAutoUpdates), Why: "Updates close the weaknesses criminals use; automatic ones happen without anyone remembering.",
			Yes: "Yes, both update themselves", No: "No, or only one of them"},
		{Field: FieldUnknownWiFi, Question: "Do you join public or unknown Wi-Fi with it, such as in cafés, hotels, hospitals or on trains?",
			How: how(ControlUnknownWiFi), Why: "Anyone can run a Wi-Fi hotspot and read or change what passes through it.",
			Yes: "Yes, sometimes", No: "No, only home, work or mobile data"},
	}
}

// ParseSelfCheck validates the self-check form of one phone (owner, model,
// os, os_version and the Step fields; yes, no or unsure) at now, and
// returns the device with Source handwash.MobileSelfCheck and LastSeen
// now. An iPhone or iPad with a passcode is encrypted (Apple's data
// protection needs nothing more); an Android phone's encryption is left
// unknown. Errors are as ParseByHand's, starting with the field's name.
func ParseSelfCheck(form map[string]string, now time.Time) (handwash.MobileDevice, error) {
	in := map[string]string{}
	for _, f := range []string{FieldOwner, FieldModel, FieldOS, FieldOSVersion} {
		in[f] = form[f]
	}
	if strings.TrimSpace(in[FieldModel]) == "" {
		in[FieldModel] = osTitle(strings.ToLower(strings.TrimSpace(form[FieldOS]))) + " device"
	}
	d, err := ParseByHand(in)
	if err != nil {
		return handwash.MobileDevice{}, err
	}
	d.Source = handwash.MobileSelfCheck
	for _, x := range []struct {
		field string
		dst   **bool
	}{{FieldPasscode, &d.Passcode}, {FieldManaged, &d.Managed}, {FieldAutoUpdates, &d.AutoUpdates}, {FieldUnknownWiFi, &d.UnknownWiFi}} {
		switch v := strings.ToLower(strings.TrimSpace(form[x.field])); v {
		case "yes":
			*x.dst = ptr(true)
		case "no":
			*x.dst = ptr(false)
		case "unsure":
		case "":
			return handwash.MobileDevice{}, fieldErr(x.field, "is not answered: choose yes, no or not sure")
		default:
			return handwash.MobileDevice{}, fieldErr(x.field, "%q is not an answer: choose yes, no or not sure", csvtable.Clip(form[x.field]))
		}
	}
	if (d.OS == "ios" || d.OS == "ipados") && d.Passcode != nil && *d.Passcode {
		d.Encrypted = ptr(true)
	}
	seen := now.UTC()
	d.LastSeen = &seen
	return d, nil
}
