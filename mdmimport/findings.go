package mdmimport

import (
	"fmt"
	"github.com/handwash/handwash/internal/english"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/handwash/handwash"
	"github.com/handwash/handwash/internal/csvtable"
)

// The controls phones and tablets are judged by. Their IDs are stable:
// exceptions, scripts and dashboards refer to them.
const (
	ControlOSSupported  = "devices.mobile-os-supported"
	ControlPasscode     = "devices.mobile-passcode"
	ControlWipe         = "devices.mobile-wipe"
	ControlSeenRecently = "devices.mobile-seen-recently"
	// ControlAutoUpdates and ControlUnknownWiFi judge the staff
	// self-check's answers, which no MDM export holds.
	ControlAutoUpdates = "devices.mobile-auto-updates"
	ControlUnknownWiFi = "devices.mobile-unknown-wifi"
)

// MaxUnseen is the longest a phone or tablet may go without checking in
// with its MDM (or, for one entered by hand, without being checked). It is
// Handwash's own threshold, in line with the MDMs' own: Intune marks a
// device non-compliant when it has not checked in for 30 days (its
// "compliance status validity period", 30 days unless changed), and
// Google counts a device that has not synced for 30 days as inactive. A
// device silent for longer is not getting settings or updates, would not
// receive a lock or wipe command, and may be lost or with a leaver.
const MaxUnseen = 30 * 24 * time.Hour

// listMax is how many devices a summary names before "and N more".
const listMax = 10

// SupportFunc says whether an OS version (os is ios, ipados or android)
// still gets security updates: supported nil when not known, endsSoon when
// support ends soon, and detail in plain words, such as "iOS 16 no longer
// gets security updates". It comes from the end-of-life data.
type SupportFunc = func(os, version string) (supported *bool, endsSoon bool, detail string)

// Findings judges an organisation's phones and tablets at now: OS still
// supported, passcode on, can be located, locked and wiped, and seen
// within MaxUnseen. It always returns those four findings, in that order,
// in the devices area, then, when any device's self-check answered them,
// automatic updates on and unknown Wi-Fi avoided (judged on the devices
// that answered); failed and unknown ones carry why they matter and how
// to fix them on the platforms and MDMs the devices use. support may be
// nil: then whether an OS is supported is not known.
func Findings(devices []*handwash.MobileDevice, support func(os, version string) (supported *bool, endsSoon bool, detail string), now time.Time) []handwash.Finding {
	var devs []*handwash.MobileDevice
	for _, d := range devices {
		if d != nil {
			devs = append(devs, d)
		}
	}
	slices.SortStableFunc(devs, func(a, b *handwash.MobileDevice) int { return strings.Compare(label(a), label(b)) })
	fs := []handwash.Finding{osFinding(devs, support), passcodeFinding(devs), wipeFinding(devs), seenFinding(devs, now)}
	if answered := filter(devs, func(d *handwash.MobileDevice) bool { return d.AutoUpdates != nil }); len(answered) > 0 {
		fs = append(fs, autoUpdatesFinding(answered))
	}
	if answered := filter(devs, func(d *handwash.MobileDevice) bool { return d.UnknownWiFi != nil }); len(answered) > 0 {
		fs = append(fs, unknownWiFiFinding(answered))
	}
	for i := range fs {
		f := &fs[i]
		f.Area = handwash.AreaDevices
		if f.Status == handwash.StatusFail || f.Status == handwash.StatusUnknown {
			f.Why = whyText[f.ControlID]
			f.Fix = fixText(f.ControlID, devs)
		}
	}
	return fs
}

// Title returns the title of a control, as findings carry it.
func Title(control string) string {
	switch control {
	case ControlOSSupported:
		return "Every phone and tablet runs a system that still gets security updates"
	case ControlPasscode:
		return "Every phone and tablet has a passcode or PIN"
	case ControlWipe:
		return "Every phone and tablet can be located, locked and wiped if lost"
	case ControlSeenRecently:
		return "Every phone and tablet has checked in within " + strconv.Itoa(int(MaxUnseen.Hours()/24)) + " days"
	case ControlAutoUpdates:
		return "Phones and tablets update their system and apps automatically"
	case ControlUnknownWiFi:
		return "Phones and tablets stay off public and unknown Wi-Fi"
	}
	return control
}

func newFinding(control string, sev handwash.Severity) handwash.Finding {
	return handwash.Finding{ControlID: control, Severity: sev, Title: Title(control)}
}

// label names a device as people know it: its model and who uses it, such
// as "iPhone 13 (Jo Bloggs)".
func label(d *handwash.MobileDevice) string {
	what := d.Model
	if what == "" {
		what = d.Name
	}
	if what == "" {
		what = osTitle(d.OS) + " device"
	}
	who := d.Owner
	if who == "" {
		who = d.Name
	}
	if who == "" || who == what {
		who = d.ExternalID
	}
	if who == "" {
		return what
	}
	return what + " (" + who + ")"
}

func labels(devs []*handwash.MobileDevice, extra func(*handwash.MobileDevice) string) string {
	var s []string
	for i, d := range devs {
		if i == listMax {
			break
		}
		l := label(d)
		if extra != nil {
			if e := extra(d); e != "" {
				l += " " + e
			}
		}
		s = append(s, l)
	}
	return english.List(s, len(devs)-len(s))
}

// devicesNoun is "1 phone or tablet" or "3 phones or tablets".
func devicesNoun(n int) string {
	if n == 1 {
		return "1 phone or tablet"
	}
	return strconv.Itoa(n) + " phones or tablets"
}

// allNoun is "All 3 phones and tablets", or "Both phones and tablets".
func allNoun(n int) string {
	if n == 2 {
		return "Both phones and tablets"
	}
	return "All " + strconv.Itoa(n) + " phones and tablets"
}

func itThem(n int) string {
	if n == 1 {
		return "it"
	}
	return "them"
}

func filter(devs []*handwash.MobileDevice, keep func(*handwash.MobileDevice) bool) []*handwash.MobileDevice {
	var out []*handwash.MobileDevice
	for _, d := range devs {
		if keep(d) {
			out = append(out, d)
		}
	}
	return out
}

func count(n int) string { return strconv.Itoa(n) }

func noDevices(f handwash.Finding) handwash.Finding {
	f.Status = handwash.StatusUnknown
	f.Summary = "No phones or tablets are recorded yet."
	f.Missing = []handwash.Missing{{Fact: "mobile_devices", Reason: handwash.ReasonNotCollected,
		Detail: "Import your MDM's device export (Microsoft Intune, Google endpoint management or Jamf Pro), or add each phone and tablet by hand."}}
	return f
}

// sourceNote says, for devices whose records cannot say something, where
// they come from.
func sourceNote(devs []*handwash.MobileDevice, what string) string {
	var srcs []string
	for _, d := range devs {
		if n := sourceName(d.Source); n != "" && !slices.Contains(srcs, n) {
			srcs = append(srcs, n)
		}
	}
	if len(srcs) == 0 {
		return ""
	}
	exports := "'s export"
	if len(srcs) > 1 {
		exports = "'s exports"
	}
	return fmt.Sprintf(" (%s%s %s not say whether %s)", english.List(srcs, 0), exports, doDoes(len(srcs)), what)
}

func doDoes(n int) string {
	if n == 1 {
		return "does"
	}
	return "do"
}

// sourceName names an MDM, or is empty for devices entered by hand or by
// self-check.
func sourceName(s string) string {
	if !handwash.IsMDM(s) {
		return ""
	}
	return handwash.MobileSourceName(s)
}

func osFinding(devs []*handwash.MobileDevice, support SupportFunc) handwash.Finding {
	f := newFinding(ControlOSSupported, handwash.SeverityHigh)
	if len(devs) == 0 {
		return noDevices(f)
	}
	var bad, unknown, soon, good []*handwash.MobileDevice
	detail := map[*handwash.MobileDevice]string{}
	for _, d := range devs {
		if d.OSVersion == "" {
			unknown = append(unknown, d)
			detail[d] = "version not known"
			continue
		}
		if support == nil {
			unknown = append(unknown, d)
			detail[d] = "no end-of-life data"
			continue
		}
		sup, endsSoon, det := support(d.OS, d.OSVersion)
		detail[d] = csvtable.CleanText(det)
		switch {
		case sup == nil:
			unknown = append(unknown, d)
		case !*sup:
			bad = append(bad, d)
		default:
			good = append(good, d)
			if endsSoon {
				soon = append(soon, d)
			}
		}
	}
	version := func(d *handwash.MobileDevice) string {
		if d.OSVersion == "" {
			return "on " + osTitle(d.OS)
		}
		return "on " + osTitle(d.OS) + " " + d.OSVersion
	}
	f.Evidence = []handwash.Evidence{
		{Label: "Phones and tablets", Value: count(len(devs))},
		{Label: "Still supported", Value: count(len(good))},
		{Label: "Out of support", Value: count(len(bad))},
		{Label: "Not known", Value: count(len(unknown))},
	}
	for i, d := range append(append([]*handwash.MobileDevice{}, bad...), soon...) {
		if i == listMax {
			break
		}
		v := osTitle(d.OS) + " " + d.OSVersion
		switch det := detail[d]; {
		case strings.HasPrefix(det, osTitle(d.OS)):
			v = det
		case det != "":
			v += ": " + det
		}
		f.Evidence = append(f.Evidence, handwash.Evidence{Label: label(d), Value: v})
	}
	var soonPart, unknownPart string
	if len(soon) > 0 {
		soonPart = "Support ends soon for " + labels(soon, version) + ": plan to update or replace " + itThem(len(soon)) + "."
	}
	if len(unknown) > 0 {
		unknownPart = "Whether the system is still supported is not known for " + labels(unknown, version) + "."
	}
	switch {
	case len(bad) > 0:
		f.Status = handwash.StatusFail
		f.Summary = joinSentences(fmt.Sprintf("%s %s a system that no longer gets security updates: %s.", capitalise(devicesNoun(len(bad))), runRuns(len(bad)), labels(bad, version)), unknownPart, soonPart)
	case len(unknown) > 0:
		f.Status = handwash.StatusUnknown
		f.Summary = joinSentences(unknownPart, soonPart)
		var noVersion, noData []*handwash.MobileDevice
		for _, d := range unknown {
			if d.OSVersion == "" {
				noVersion = append(noVersion, d)
			} else {
				noData = append(noData, d)
			}
		}
		if len(noVersion) > 0 {
			f.Missing = append(f.Missing, handwash.Missing{Fact: "mobile_devices.os_version", Reason: handwash.ReasonNotCollected,
				Detail: "The OS version is not recorded for " + labels(noVersion, nil) + "."})
		}
		if len(noData) > 0 {
			m := handwash.Missing{Fact: "end_of_life", Reason: handwash.ReasonNotSupported,
				Detail: "Handwash's end-of-life data does not cover " + labels(noData, version) + "."}
			if support == nil {
				m.Reason, m.Detail = handwash.ReasonNotCollected, "The end-of-life data was not available."
			}
			f.Missing = append(f.Missing, m)
		}
	default:
		f.Status = handwash.StatusPass
		f.Summary = joinSentences(fmt.Sprintf("%s run a system that still gets security updates.", allNoun(len(devs))), soonPart)
		if len(devs) == 1 {
			f.Summary = joinSentences("The one phone or tablet runs a system that still gets security updates.", soonPart)
		}
	}
	return f
}

// yesNoFinding judges a yes/no property of every device: fail for any
// no, unknown for any not known, pass otherwise.
func yesNoFinding(f handwash.Finding, devs []*handwash.MobileDevice, get func(*handwash.MobileDevice) *bool,
	fact, failText, passMany, passOne, unknownWhat string, evidence [3]string) handwash.Finding {
	if len(devs) == 0 {
		return noDevices(f)
	}
	no := filter(devs, func(d *handwash.MobileDevice) bool { v := get(d); return v != nil && !*v })
	unknown := filter(devs, func(d *handwash.MobileDevice) bool { return get(d) == nil })
	f.Evidence = []handwash.Evidence{
		{Label: "Phones and tablets", Value: count(len(devs))},
		{Label: evidence[0], Value: count(len(devs) - len(no) - len(unknown))},
		{Label: evidence[1], Value: count(len(no))},
		{Label: evidence[2], Value: count(len(unknown))},
	}
	unknownPart := ""
	if len(unknown) > 0 {
		unknownPart = fmt.Sprintf("Whether %s is not known for %s%s.", unknownWhat, labels(unknown, nil), sourceNote(unknown, unknownWhat))
	}
	switch {
	case len(no) > 0:
		f.Status = handwash.StatusFail
		f.Summary = joinSentences(fmt.Sprintf(failText, capitalise(devicesNoun(len(no))), labels(no, nil)), unknownPart)
	case len(unknown) > 0:
		f.Status = handwash.StatusUnknown
		f.Summary = unknownPart
		f.Missing = []handwash.Missing{{Fact: fact, Reason: handwash.ReasonNotSupported,
			Detail: "Not recorded for " + labels(unknown, nil) + sourceNote(unknown, unknownWhat) + "."}}
	default:
		f.Status = handwash.StatusPass
		f.Summary = fmt.Sprintf(passMany, allNoun(len(devs)))
		if len(devs) == 1 {
			f.Summary = passOne
		}
	}
	return f
}

func passcodeFinding(devs []*handwash.MobileDevice) handwash.Finding {
	return yesNoFinding(newFinding(ControlPasscode, handwash.SeverityHigh), devs,
		func(d *handwash.MobileDevice) *bool { return d.Passcode }, "mobile_devices.passcode",
		"%s can be opened without a passcode or PIN: %s.",
		"%s have a passcode or PIN.", "The one phone or tablet has a passcode or PIN.",
		"a passcode is set", [3]string{"With a passcode", "Without a passcode", "Not known"})
}

func wipeFinding(devs []*handwash.MobileDevice) handwash.Finding {
	return yesNoFinding(newFinding(ControlWipe, handwash.SeverityMedium), devs,
		func(d *handwash.MobileDevice) *bool { return d.Managed }, "mobile_devices.managed",
		"%s cannot be locked or wiped remotely if lost or stolen: %s.",
		"%s can be located, locked and wiped remotely.", "The one phone or tablet can be located, locked and wiped remotely.",
		"the device can be wiped remotely", [3]string{"Can be wiped remotely", "Cannot", "Not known"})
}

func seenFinding(devs []*handwash.MobileDevice, now time.Time) handwash.Finding {
	f := newFinding(ControlSeenRecently, handwash.SeverityMedium)
	if len(devs) == 0 {
		return noDevices(f)
	}
	stale := filter(devs, func(d *handwash.MobileDevice) bool { return d.LastSeen != nil && now.Sub(*d.LastSeen) > MaxUnseen })
	unknown := filter(devs, func(d *handwash.MobileDevice) bool { return d.LastSeen == nil })
	days := int(MaxUnseen.Hours() / 24)
	f.Evidence = []handwash.Evidence{
		{Label: "Phones and tablets", Value: count(len(devs))},
		{Label: fmt.Sprintf("Seen in the last %d days", days), Value: count(len(devs) - len(stale) - len(unknown))},
		{Label: fmt.Sprintf("Not seen for more than %d days", days), Value: count(len(stale))},
		{Label: "Not known", Value: count(len(unknown))},
	}
	last := func(d *handwash.MobileDevice) string {
		return "(last " + d.LastSeen.UTC().Format("2 January 2006") + ")"
	}
	unknownPart := ""
	if len(unknown) > 0 {
		unknownPart = "When these were last seen is not recorded: " + labels(unknown, nil) + "."
	}
	switch {
	case len(stale) > 0:
		f.Status = handwash.StatusFail
		f.Summary = joinSentences(fmt.Sprintf("%s %s not checked in for more than %d days: %s.", capitalise(devicesNoun(len(stale))), haveHas(len(stale)), days, labels(stale, last)), unknownPart)
	case len(unknown) > 0:
		f.Status = handwash.StatusUnknown
		f.Summary = unknownPart
		f.Missing = []handwash.Missing{{Fact: "mobile_devices.last_seen", Reason: handwash.ReasonNotCollected,
			Detail: "No last check-in is recorded for " + labels(unknown, nil) + "."}}
	default:
		f.Status = handwash.StatusPass
		f.Summary = fmt.Sprintf("%s have checked in within the last %d days.", allNoun(len(devs)), days)
		if len(devs) == 1 {
			f.Summary = fmt.Sprintf("The one phone or tablet has checked in within the last %d days.", days)
		}
	}
	return f
}

func haveHas(n int) string {
	if n == 1 {
		return "has"
	}
	return "have"
}

func runRuns(n int) string {
	if n == 1 {
		return "runs"
	}
	return "run"
}

func joinSentences(parts ...string) string {
	var out []string
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, " ")
}

// autoUpdatesFinding judges the self-checked devices' automatic updates.
func autoUpdatesFinding(devs []*handwash.MobileDevice) handwash.Finding {
	return yesNoFinding(newFinding(ControlAutoUpdates, handwash.SeverityMedium), devs,
		func(d *handwash.MobileDevice) *bool { return d.AutoUpdates }, "mobile_devices.auto_updates",
		"%s without automatic updates for the system and apps: %s.",
		"%s that answered the self-check update automatically.", "The one phone or tablet that answered the self-check updates automatically.",
		"updates are automatic", [3]string{"Automatic updates on", "Off", "Not known"})
}

// unknownWiFiFinding judges the self-checked devices' use of Wi-Fi: a
// device that joins unknown Wi-Fi fails.
func unknownWiFiFinding(devs []*handwash.MobileDevice) handwash.Finding {
	avoids := func(d *handwash.MobileDevice) *bool {
		if d.UnknownWiFi == nil {
			return nil
		}
		return ptr(!*d.UnknownWiFi)
	}
	return yesNoFinding(newFinding(ControlUnknownWiFi, handwash.SeverityLow), devs, avoids, "mobile_devices.unknown_wifi",
		"%s joining public or unknown Wi-Fi at times: %s.",
		"%s that answered the self-check stay off unknown Wi-Fi.", "The one phone or tablet that answered the self-check stays off unknown Wi-Fi.",
		"it joins unknown Wi-Fi", [3]string{"Stay off unknown Wi-Fi", "Join it", "Not known"})
}
