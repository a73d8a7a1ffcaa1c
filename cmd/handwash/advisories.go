package main

import (
	"slices"

	"github.com/handwash/handwash/collect"
	"github.com/handwash/handwash/feedkeeper"
	"github.com/handwash/handwash/feeds"
	"github.com/handwash/handwash/vuln"
)

// machineFeeds are what update fetches without --only: KEV, end-of-life
// data, the OSV advisories of this machine's distribution, and the OSV
// feeds the cache already holds (so that an import is kept fresh).
func machineFeeds(c *feeds.Cache) []string {
	names := feedkeeper.Kept(c)
	if eco, _, ok := vuln.DeviceEcosystem(collect.OSRelease()); ok && !slices.Contains(names, "osv:"+eco.Name) {
		names = append(names, "osv:"+eco.Name)
	}
	return names
}
