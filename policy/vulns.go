package policy

import (
	"strings"
	"time"

	"github.com/handwash/handwash/vuln"
)

// Vulnerabilities is what security advisories say about a device's
// distribution packages (dpkg, rpm, apk). Controls see it as the CEL
// variable vulns. Without advisory data for the device (Options.Vulns
// nil) it is unknown, and the controls that read it say how to get the
// data.
type Vulnerabilities struct {
	// Checked is how many installed packages were compared with advisories.
	Checked int `json:"checked"`
	// Fixable counts advisories fixed by a newer version of the package.
	Fixable int `json:"fixable"`
	// Unfixed counts advisories without a fix yet.
	Unfixed int `json:"unfixed"`
	// KnownExploited counts advisories, fixed or not, for a flaw on CISA's
	// list of Known Exploited Vulnerabilities.
	KnownExploited int `json:"known_exploited"`
	// Items are the advisories to act on: the known exploited first, then
	// those with a fix, by package; at most MaxVulnItems.
	Items []VulnItem `json:"items"`
	// DataAgeDays is how old the older of the advisories and the KEV
	// catalogue is, in whole days since their source last confirmed them.
	DataAgeDays int `json:"data_age_days"`
}

// VulnItem is one advisory against one installed source package.
type VulnItem struct {
	// Packages are the installed packages it affects, comma-separated.
	Packages string `json:"packages"`
	// Source is the package the advisory names, and Installed its version.
	Source    string `json:"source"`
	Installed string `json:"installed"`
	// Fixed is the version that fixes it, or "" when there is none yet.
	Fixed    string `json:"fixed"`
	Advisory string `json:"advisory"`
	// CVEs are its CVE identifiers, comma-separated.
	CVEs           string `json:"cves"`
	KnownExploited bool   `json:"known_exploited"`
}

// MaxVulnItems bounds the advisories a finding lists: enough to act on,
// few enough to read.
const MaxVulnItems = 50

// VulnerabilitiesOf summarises the tally of the matches of checked
// packages (vuln.TallyOf or vuln.PackageIndex.Tally, with MaxVulnItems
// items).
func VulnerabilitiesOf(t vuln.Tally, checked int) *Vulnerabilities {
	v := &Vulnerabilities{Checked: checked, Fixable: t.Fixable, Unfixed: t.Unfixed, KnownExploited: t.KnownExploited, Items: []VulnItem{}}
	for _, m := range t.Items[:min(len(t.Items), MaxVulnItems)] {
		v.Items = append(v.Items, VulnItem{Packages: strings.Join(m.Packages, ", "), Source: m.Source, Installed: m.Version, Fixed: m.Fixed,
			Advisory: m.Advisory.ID, CVEs: strings.Join(m.CVEs, ", "), KnownExploited: m.KnownExploited})
	}
	return v
}

// SoftwareSupport is what end-of-life data says about the installed
// programs. Controls see it as the CEL variable software_support; without
// end-of-life data (Options.Software nil) it is unknown.
type SoftwareSupport struct {
	// Items are the programs whose release has lost security support, or
	// loses it within 90 days.
	Items []SoftwareEndItem `json:"items"`
	// DataAgeDays is how old the end-of-life data is, in whole days since
	// its source last confirmed it.
	DataAgeDays int `json:"data_age_days"`
}

// SoftwareEndItem is one installed program and its release's support.
type SoftwareEndItem struct {
	Name    string `json:"name"`
	Version string `json:"version"`
	// Product is endoflife.date's name for it, and Cycle the release.
	Product string `json:"product"`
	Cycle   string `json:"cycle"`
	// Ended says support has ended; DaysEnded how many days ago (0 when
	// the data gives no date, or it has not ended).
	Ended     bool `json:"ended"`
	DaysEnded int  `json:"days_ended"`
	// DaysLeft is how many days of support are left, when it has not ended.
	DaysLeft int `json:"days_left"`
	// Ends is the end of support as text ("14 October 2025"), or "" when the
	// data gives no date.
	Ends string `json:"ends"`
	// Latest is a supported version to move to, or "".
	Latest string `json:"latest"`
}

// SoftwareSupportOf summarises the programs vuln.SoftwareEOL found.
// Microsoft Office is left out: updates.unsupported-software judges it
// with the same dates and needs no data.
func SoftwareSupportOf(ends []vuln.SoftwareEnd, now time.Time) *SoftwareSupport {
	s := &SoftwareSupport{Items: []SoftwareEndItem{}}
	for _, e := range ends {
		if e.Product == "office" {
			continue
		}
		it := SoftwareEndItem{Name: e.Name, Version: e.Version, Product: e.ProductLabel, Cycle: e.CycleLabel, Ended: e.Ended, Latest: e.Latest}
		if it.Cycle == "" {
			it.Cycle = e.Cycle
		}
		if !e.Ends.IsZero() {
			it.Ends = e.Ends.Format("2 January 2006")
			if e.Ended {
				it.DaysEnded = int(now.Sub(e.Ends) / (24 * time.Hour))
			} else {
				it.DaysLeft = int(e.Ends.Sub(now) / (24 * time.Hour))
			}
		}
		s.Items = append(s.Items, it)
	}
	return s
}
