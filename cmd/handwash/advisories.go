package main

import (
	"os"
	"time"

	"github.com/handwash/handwash"
	"github.com/handwash/handwash/feeds"
	"github.com/handwash/handwash/policy"
	"github.com/handwash/handwash/vuln"
)

// withAdvisories matches a Linux device's distribution packages against the
// advisories in the feeds cache (the device's OSV export and the KEV
// catalogue) and sets the options the advisory controls read. Without the
// data, it says which command gets it; other platforms need nothing.
func withAdvisories(opt *policy.Options, cache *feeds.Cache, f *handwash.Facts) {
	if f.Device.Platform != handwash.PlatformLinux || f.Software == nil {
		return
	}
	eco, manager, ok := vuln.DeviceEcosystem(f.OS)
	if !ok {
		name := "this distribution"
		if f.OS != nil && f.OS.Name != "" {
			name = f.OS.Name
		}
		opt.VulnsMissing = "Handwash has no source of security advisories for " + name + " yet"
		return
	}
	get := "run handwash feeds update --only kev,osv:" + eco.Name + " (or, offline, handwash feeds import with the files), then check again"
	if cache == nil {
		opt.VulnsMissing = "this computer has no folder for Handwash's feeds: give one with --feeds"
		return
	}
	unusable := func(what string, err error) string {
		if handwash.ErrorCode(err) == handwash.ENOTFOUND {
			return what + " is not in the feeds cache " + cache.Dir() + ": " + get
		}
		return what + " cannot be used (" + handwash.ErrorMessage(err) + "): " + get
	}
	kev, kevMeta, err := cache.LoadKEV()
	if err != nil {
		opt.VulnsMissing = unusable("the catalogue of known exploited vulnerabilities", err)
		return
	}
	path, osvMeta, err := cache.OSVPath(eco.Name)
	if err != nil {
		opt.VulnsMissing = unusable("the security advisories for "+eco.Name, err)
		return
	}
	file, err := os.Open(path)
	if err != nil {
		opt.VulnsMissing = "the security advisories for " + eco.Name + " could not be read (" + err.Error() + "): " + get
		return
	}
	defer file.Close()
	st, err := file.Stat()
	if err != nil {
		opt.VulnsMissing = "the security advisories for " + eco.Name + " could not be read (" + err.Error() + "): " + get
		return
	}
	ix, err := vuln.LoadZip(file, st.Size(), func(e vuln.Ecosystem) bool { return e.Name == eco.Name })
	if err != nil {
		opt.VulnsMissing = "the security advisories for " + eco.Name + " are damaged (" + handwash.ErrorMessage(err) + "): " + get
		return
	}
	pkgs := vuln.InstalledFrom(f.Software.Items, manager)
	ms := ix.Match(eco, pkgs)
	vuln.MarkKnownExploited(ms, func(cve string) bool { _, ok := kev.Lookup(cve); return ok })
	opt.Vulns = policy.VulnerabilitiesOf(ms, len(pkgs))
	for _, st := range cache.Status("kev", "osv:"+eco.Name) {
		opt.Vulns.DataAgeDays = max(opt.Vulns.DataAgeDays, int(st.Age/(24*time.Hour)))
	}
	opt.ReferenceData = append(opt.ReferenceData, osvMeta.DataSource(), kevMeta.DataSource())
}
