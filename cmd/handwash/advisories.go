package main

import (
	"context"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/handwash/handwash/collect"
	"github.com/handwash/handwash/feeds"
	"github.com/handwash/handwash/vuln"
)

// machineFeeds are what update fetches without --only: KEV, end-of-life
// data, the OSV advisories of this machine's distribution, and the OSV
// feeds the cache already holds (so that an import is kept fresh).
func machineFeeds(c *feeds.Cache) []string {
	names := cachedFeeds(c)
	if eco, _, ok := vuln.DeviceEcosystem(collect.OSRelease()); ok && !slices.Contains(names, "osv:"+eco.Name) {
		names = append(names, "osv:"+eco.Name)
	}
	return names
}

// cachedFeeds are KEV, end-of-life data and the OSV feeds the cache holds:
// what the server keeps fresh.
func cachedFeeds(c *feeds.Cache) []string {
	names := []string{"kev", "eol"}
	for _, st := range c.Status() {
		if strings.HasPrefix(st.Name, "osv:") && !st.Missing && !slices.Contains(names, st.Name) {
			names = append(names, st.Name)
		}
	}
	return names
}

// refreshFeeds updates the server's feeds from urls every interval,
// starting first after the server does: KEV, end-of-life data and every OSV feed
// already in its cache (add one with handwash feeds update --cache
// DATA/feeds --only osv:Debian). The cache's own locks keep two processes
// from updating one feed at once; each serve process refreshes its own
// cache folder.
func refreshFeeds(ctx context.Context, c *feeds.Cache, urls feeds.URLs, first, every time.Duration, log *slog.Logger) {
	wait := first
	for {
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
		wait = every
		sources, err := urls.Sources(cachedFeeds(c)...)
		if err != nil {
			log.ErrorContext(ctx, "feeds: could not name the feeds to refresh", "err", err)
			continue
		}
		results, err := c.Update(ctx, &http.Client{}, sources)
		if err != nil && ctx.Err() == nil {
			log.ErrorContext(ctx, "feeds: refresh failed", "err", err)
		}
		for _, r := range results {
			switch {
			case r.Err != nil:
				log.WarnContext(ctx, "feeds: a feed could not be refreshed; the previous copy stays in use", "feed", r.Name, "err", r.Err)
			case r.Changed:
				log.InfoContext(ctx, "feeds: refreshed", "feed", r.Name, "version", r.Meta.Version, "count", r.Meta.Count)
			}
		}
	}
}
