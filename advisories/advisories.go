// Package advisories gives the evaluator what the cached security
// advisories say about one device. It reads the feeds cache: the KEV
// catalogue and the OSV export of the device's distribution, loaded into
// memory once and kept while the cache's files are unchanged (the server
// judges many devices with one load), and matches the device's packages.
// A Source made by NewForOneDevice (handwash check) reads instead, for
// each device, only the advisories of the device's own packages.
package advisories

import (
	"slices"
	"sync"
	"time"

	"github.com/handwash/handwash"
	"github.com/handwash/handwash/feeds"
	"github.com/handwash/handwash/policy"
	"github.com/handwash/handwash/vuln"
)

// recheck is how often a Source looks at the cache for newer files: a
// daily refresh is seen within a minute, and judging a device costs no
// file reads.
const recheck = time.Minute

// Source matches devices' packages against a feeds cache.
type Source struct {
	cache *feeds.Cache
	now   func() time.Time

	mu sync.Mutex
	// kev is the CVE IDs of CISA's catalogue, all that matching needs.
	kev loaded[*vuln.KEVIDs]
	// eol is the end-of-life data of the products Apply and MobileSupport
	// look up (eolProducts), not the other few hundred.
	eol loaded[*vuln.EOL]
	// lifecycle is the OS support data made from eol, once per load.
	lifecycle *policy.Lifecycle
	osv       map[string]*loaded[*vuln.Index]
	checked   map[string]time.Time
	// oneDevice reads only the device's packages' advisories, every time.
	oneDevice bool
}

// loaded is one feed in memory, with the metadata of the file it came
// from, or the error that stopped it loading.
type loaded[T any] struct {
	data T
	meta feeds.Meta
	err  error
}

// New returns a Source over cache; cache may be nil (no folder for feeds),
// and then every Linux device's advisory controls say so.
func New(cache *feeds.Cache, now func() time.Time) *Source {
	if now == nil {
		now = time.Now
	}
	return &Source{cache: cache, now: now, osv: map[string]*loaded[*vuln.Index]{}, checked: map[string]time.Time{}}
}

// NewForOneDevice returns a Source for judging one device, as handwash
// check does: rather than keeping the whole OSV export of a distribution
// in memory, it reads, for each device it is applied to, only the lines
// of the export's package index for that device's packages
// (feeds.Cache.TallyOSV), and keeps only the tally of the matches. The
// findings are the same as New's.
func NewForOneDevice(cache *feeds.Cache, now func() time.Time) *Source {
	s := New(cache, now)
	s.oneDevice = true
	return s
}

// softwareWarning is how long before its end a program's support counts
// as ending (updates.software-support-ending).
const softwareWarning = 90 * 24 * time.Hour

// Apply sets what the advisory controls read for f: opt.Vulns and
// opt.Software, and the data they came from in opt.ReferenceData, or
// opt.VulnsMissing and opt.SoftwareMissing saying which command gets the
// data.
func (s *Source) Apply(opt *policy.Options, f *handwash.Facts) {
	s.applySoftware(opt, f)
	s.applyPackages(opt, f)
}

// applySoftware matches the installed programs against end-of-life data,
// and gives the evaluator the same data's OS support dates.
func (s *Source) applySoftware(opt *policy.Options, f *handwash.Facts) {
	if f.Software == nil {
		return
	}
	if s.cache == nil {
		opt.SoftwareMissing = "there is no folder for Handwash's feeds: give one with --feeds"
		return
	}
	eol := s.loadEOL()
	if eol.err != nil {
		if handwash.ErrorCode(eol.err) == handwash.ENOTFOUND {
			opt.SoftwareMissing = "the end-of-life data is not in the feeds cache " + s.cache.Dir() + ": run handwash feeds update --only eol (or, offline, handwash feeds import with the file), then check again"
		} else {
			opt.SoftwareMissing = "the end-of-life data cannot be used (" + handwash.ErrorMessage(eol.err) + "): run handwash feeds update --only eol, then check again"
		}
		return
	}
	now := s.now()
	opt.Software = policy.SoftwareSupportOf(vuln.SoftwareEOL(f.Software.Items, eol.data, now, softwareWarning), now)
	opt.Software.DataAgeDays = int(now.Sub(eol.meta.CheckedAt) / (24 * time.Hour))
	opt.ReferenceData = append(opt.ReferenceData, eol.meta.DataSource())
	opt.OSLifecycle = s.osLifecycle()
}

// osLifecycle is the OS support data made from the loaded end-of-life
// data.
func (s *Source) osLifecycle() *policy.Lifecycle {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.lifecycle
}

// applyPackages matches a Linux device's distribution packages against the
// advisories of its distribution.
func (s *Source) applyPackages(opt *policy.Options, f *handwash.Facts) {
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
	if s.cache == nil {
		opt.VulnsMissing = "there is no folder for Handwash's feeds: give one with --feeds"
		return
	}
	get := "run handwash feeds update --only kev,osv:" + eco.Name + " (or, offline, handwash feeds import with the files), then check again"
	unusable := func(what string, err error) string {
		if handwash.ErrorCode(err) == handwash.ENOTFOUND {
			return what + " is not in the feeds cache " + s.cache.Dir() + ": " + get
		}
		return what + " cannot be used (" + handwash.ErrorMessage(err) + "): " + get
	}
	pkgs := vuln.InstalledFrom(f.Software.Items, manager)
	kev, ms := s.match(eco, pkgs)
	if kev.err != nil {
		opt.VulnsMissing = unusable("the catalogue of known exploited vulnerabilities", kev.err)
		return
	}
	if ms.err != nil {
		opt.VulnsMissing = unusable("the security advisories for "+eco.Name, ms.err)
		return
	}
	v := policy.VulnerabilitiesOf(ms.data, len(pkgs))
	now := s.now()
	for _, m := range []feeds.Meta{kev.meta, ms.meta} {
		v.DataAgeDays = max(v.DataAgeDays, int(now.Sub(m.CheckedAt)/(24*time.Hour)))
	}
	opt.Vulns = v
	opt.ReferenceData = append(opt.ReferenceData, ms.meta.DataSource(), kev.meta.DataSource())
}

// eolProducts are the end-of-life data's products that a Source looks up:
// installed programs' (vuln.SoftwareEOL), operating systems'
// (policy.LifecycleFromEOL), and phones' and tablets' (MobileSupport).
var eolProducts = sync.OnceValue(func() []string {
	names := append(vuln.SoftwareEOLProducts(), policy.LifecycleProducts()...)
	for _, p := range mobileProducts {
		names = append(names, p)
	}
	slices.Sort(names)
	return slices.Compact(names)
})

// loadEOL returns the end-of-life data, read again when its file changed
// since the last look (at most every recheck).
func (s *Source) loadEOL() loaded[*vuln.EOL] {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	if now.Sub(s.checked["eol"]) >= recheck || s.checked["eol"].IsZero() {
		s.checked["eol"] = now
		if meta, ok := s.current("eol", s.eol.meta, s.eol.err); !ok {
			e, m, err := s.cache.LoadEOL(eolProducts()...)
			s.eol = loaded[*vuln.EOL]{e, m, err}
			s.lifecycle = nil
			if err == nil {
				ds := m.DataSource()
				s.lifecycle = policy.LifecycleFromEOL(e, ds.Source, ds.AsOf)
			}
		} else {
			s.eol.meta = meta
		}
	}
	return s.eol
}

// match returns the KEV catalogue and the tally of the advisories of the
// device's ecosystem that affect pkgs. For one device only the package
// index's lines for pkgs are read, every time, and only the tally kept;
// otherwise the ecosystem's whole index is kept for the next device.
func (s *Source) match(eco vuln.Ecosystem, pkgs []vuln.Installed) (loaded[*vuln.KEVIDs], loaded[vuln.Tally]) {
	kev := s.loadKEV()
	if kev.err != nil {
		return kev, loaded[vuln.Tally]{} // not needed
	}
	if s.oneDevice {
		t, m, err := s.cache.TallyOSV(eco.Name, eco, pkgs, kev.data.Contains, policy.MaxVulnItems)
		return kev, loaded[vuln.Tally]{t, m, err}
	}
	ix := s.loadIndex(eco.Name)
	if ix.err != nil {
		return kev, loaded[vuln.Tally]{meta: ix.meta, err: ix.err}
	}
	ms := ix.data.Match(eco, pkgs)
	vuln.MarkKnownExploited(ms, kev.data.Contains)
	return kev, loaded[vuln.Tally]{vuln.TallyOf(ms, policy.MaxVulnItems), ix.meta, nil}
}

// loadKEV returns the KEV catalogue, read again when its file changed
// since the last look (at most every recheck).
func (s *Source) loadKEV() loaded[*vuln.KEVIDs] {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	if now.Sub(s.checked["kev"]) >= recheck || s.checked["kev"].IsZero() {
		s.checked["kev"] = now
		if meta, ok := s.current("kev", s.kev.meta, s.kev.err); !ok {
			k, m, err := s.cache.LoadKEVIDs()
			s.kev = loaded[*vuln.KEVIDs]{k, m, err}
		} else {
			s.kev.meta = meta // a newer confirmation of the same file
		}
	}
	return s.kev
}

// loadIndex returns the ecosystem's index of every advisory, read again
// when its file changed since the last look (at most every recheck).
func (s *Source) loadIndex(ecosystem string) loaded[*vuln.Index] {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	name := "osv:" + ecosystem
	ix := s.osv[ecosystem]
	if ix == nil || now.Sub(s.checked[name]) >= recheck {
		s.checked[name] = now
		var prev feeds.Meta
		var prevErr error = handwash.Errorf(handwash.ENOTFOUND, "not loaded")
		if ix != nil {
			prev, prevErr = ix.meta, ix.err
		}
		if meta, ok := s.current(name, prev, prevErr); !ok {
			i, m, err := s.cache.LoadOSV(ecosystem)
			ix = &loaded[*vuln.Index]{i, m, err}
			s.osv[ecosystem] = ix
		} else {
			ix.meta = meta
		}
	}
	return *ix
}

// current reports whether the feed's file is still the one loaded (same
// digest), returning its latest metadata.
func (s *Source) current(name string, loadedMeta feeds.Meta, loadErr error) (feeds.Meta, bool) {
	if loadErr != nil {
		return feeds.Meta{}, false
	}
	m, err := s.cache.Meta(name)
	if err != nil || m.SHA256 != loadedMeta.SHA256 {
		return feeds.Meta{}, false
	}
	return m, true
}
