// Package handwash is the domain of Handwash, open-source cyber hygiene for
// small health and social care providers.
//
// It names what the rest of the program is about: the Facts observed on a
// device, the Controls that judge them, the Findings and Scores that result,
// the Exceptions that accept a risk, and the Error type that every layer
// returns. It imports nothing of ours, so every other package can depend on
// it and none of it depends on them.
package handwash

import (
	"fmt"
	"strings"
)

// Area groups every control, question and report. The first five are the
// NCSC Small Business Guide's areas; updates carries WannaCry's lessons and
// people covers training, incidents and governance.
type Area string

// The areas, in the order reports show them.
const (
	AreaBackup    Area = "backup"
	AreaMalware   Area = "malware"
	AreaDevices   Area = "devices"
	AreaPasswords Area = "passwords"
	AreaPhishing  Area = "phishing"
	AreaUpdates   Area = "updates"
	AreaPeople    Area = "people"
)

// Areas lists every area in report order.
var Areas = []Area{AreaBackup, AreaMalware, AreaDevices, AreaPasswords, AreaPhishing, AreaUpdates, AreaPeople}

// Title is the area's name as people read it.
func (a Area) Title() string {
	switch a {
	case AreaBackup:
		return "Backing up your data"
	case AreaMalware:
		return "Protecting from malware"
	case AreaDevices:
		return "Keeping devices safe"
	case AreaPasswords:
		return "Passwords and accounts"
	case AreaPhishing:
		return "Avoiding phishing"
	case AreaUpdates:
		return "Updates and unsupported software"
	case AreaPeople:
		return "People and process"
	}
	return string(a)
}

// Valid reports whether a is one of the known areas.
func (a Area) Valid() bool {
	for _, x := range Areas {
		if a == x {
			return true
		}
	}
	return false
}

// Severity says how much a failed control matters.
type Severity string

// Severities from least to most serious.
const (
	SeverityInfo     Severity = "info"
	SeverityLow      Severity = "low"
	SeverityMedium   Severity = "medium"
	SeverityHigh     Severity = "high"
	SeverityCritical Severity = "critical"
)

// Severities lists every severity, most serious first.
var Severities = []Severity{SeverityCritical, SeverityHigh, SeverityMedium, SeverityLow, SeverityInfo}

// Rank orders severities: info 0 up to critical 4; unknown values rank -1.
func (s Severity) Rank() int {
	switch s {
	case SeverityInfo:
		return 0
	case SeverityLow:
		return 1
	case SeverityMedium:
		return 2
	case SeverityHigh:
		return 3
	case SeverityCritical:
		return 4
	}
	return -1
}

// Weight is how many points a control of this severity is worth in a score.
func (s Severity) Weight() int {
	switch s {
	case SeverityLow:
		return 1
	case SeverityMedium:
		return 3
	case SeverityHigh:
		return 6
	case SeverityCritical:
		return 10
	}
	return 0
}

// ParseSeverity reads a severity name, as given to --fail-on.
func ParseSeverity(s string) (Severity, error) {
	v := Severity(strings.ToLower(strings.TrimSpace(s)))
	if v.Rank() < 0 {
		return "", Errorf(EINVALID, "unknown severity %q: use one of critical, high, medium, low, info", s)
	}
	return v, nil
}

// Status is the judgement of one control on one device.
type Status string

// The statuses a finding can have.
const (
	StatusPass          Status = "pass"
	StatusFail          Status = "fail"
	StatusUnknown       Status = "unknown"        // facts missing: the finding says which and why
	StatusNotApplicable Status = "not_applicable" // the control does not apply to this device
	StatusExcepted      Status = "excepted"       // a failure accepted, with a reason, an owner and an expiry date
)

// Platform is the operating system family a device runs.
type Platform string

// The platforms Handwash knows.
const (
	PlatformWindows Platform = "windows"
	PlatformMacOS   Platform = "macos"
	PlatformLinux   Platform = "linux"
	PlatformOther   Platform = "other"
)

// Platforms lists the platforms that collectors and fix steps cover.
var Platforms = []Platform{PlatformWindows, PlatformMacOS, PlatformLinux}

// Title is the platform's name as people read it.
func (p Platform) Title() string {
	switch p {
	case PlatformWindows:
		return "Windows"
	case PlatformMacOS:
		return "macOS"
	case PlatformLinux:
		return "Linux"
	}
	return fmt.Sprintf("%q", string(p))
}
