package collect

import (
	"context"
	"errors"
	"io/fs"
	"path"
	"sort"
	"strings"
	"sync"

	"github.com/handwash/handwash"
)

// macHomebrewPrefixes are where Homebrew installs: /opt/homebrew on Apple
// silicon, /usr/local on Intel.
var macHomebrewPrefixes = []string{"/opt/homebrew", "/usr/local"}

// macInfoPlistWorkers bounds how many app bundles are read at once; binary
// Info.plists each start a plutil.
const macInfoPlistWorkers = 8

// collectMacSoftware lists installed applications and Homebrew packages.
// Apps are found by walking /Applications, /Applications/Utilities and the
// user's ~/Applications, one folder level deep (suites such as "Microsoft
// Office" keep apps in a folder), and reading each bundle's Info.plist.
// system_profiler SPApplicationsDataType would say the same in seconds to
// minutes, and misses what Spotlight has not indexed. Apple's own apps in
// /System/Applications are updated with macOS and are left out.
func collectMacSoftware(ctx context.Context, h Host, f *handwash.Facts) error {
	roots := []string{"/Applications", "/Applications/Utilities"}
	if u, err := macSubjectUser(ctx, h); err == nil && u.Home != "" {
		roots = append(roots, u.Home+"/Applications")
	}
	bundles, err := macFindApps(h, roots)
	if err != nil {
		return macTopicMissing(f, "software", err)
	}
	items := macReadApps(ctx, h, bundles)
	for _, prefix := range macHomebrewPrefixes {
		items = append(items, macHomebrewItems(h, prefix+"/Cellar")...)
		items = append(items, macHomebrewItems(h, prefix+"/Caskroom")...)
	}
	sort.Slice(items, func(i, j int) bool {
		a, b := items[i], items[j]
		if a.Source != b.Source {
			return a.Source < b.Source
		}
		if !strings.EqualFold(a.Name, b.Name) {
			return strings.ToLower(a.Name) < strings.ToLower(b.Name)
		}
		return a.Version < b.Version
	})
	if items == nil {
		items = []handwash.SoftwareItem{}
	}
	f.Software = &handwash.SoftwareFacts{Items: items}
	return ctx.Err()
}

// macFindApps returns the .app bundles in roots and one folder below. The
// first root must be readable; the others may be missing.
func macFindApps(h Host, roots []string) ([]string, error) {
	seen := map[string]bool{}
	var apps []string
	add := func(p string) {
		if !seen[p] {
			seen[p] = true
			apps = append(apps, p)
		}
	}
	for i, root := range roots {
		names, err := h.ReadDir(root)
		if err != nil {
			if i == 0 {
				return nil, err
			}
			continue
		}
		for _, n := range names {
			if strings.HasPrefix(n, ".") {
				continue
			}
			p := root + "/" + n
			if strings.HasSuffix(n, ".app") {
				add(p)
				continue
			}
			if seen[p] || macIsRoot(p, roots) {
				continue // Utilities is a root of its own
			}
			sub, err := h.ReadDir(p)
			if err != nil {
				continue // a file, or a folder we may not read
			}
			for _, s := range sub {
				if strings.HasSuffix(s, ".app") {
					add(p + "/" + s)
				}
			}
		}
	}
	sort.Strings(apps)
	return apps, nil
}

func macIsRoot(p string, roots []string) bool {
	for _, r := range roots {
		if r == p {
			return true
		}
	}
	return false
}

// macReadApps reads the Info.plist of each bundle, a few at a time.
func macReadApps(ctx context.Context, h Host, bundles []string) []handwash.SoftwareItem {
	items := make([]handwash.SoftwareItem, len(bundles))
	ok := make([]bool, len(bundles))
	jobs := make(chan int)
	var wg sync.WaitGroup
	for w := 0; w < macInfoPlistWorkers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				items[i], ok[i] = macReadApp(ctx, h, bundles[i])
			}
		}()
	}
	for i := range bundles {
		if ctx.Err() != nil {
			break
		}
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	var out []handwash.SoftwareItem
	for i, it := range items {
		if ok[i] {
			out = append(out, it)
		}
	}
	return out
}

// macReadApp reads one bundle's name and version. A bundle without a
// readable Info.plist is still listed, by its folder name.
func macReadApp(ctx context.Context, h Host, bundle string) (handwash.SoftwareItem, bool) {
	it := handwash.SoftwareItem{Name: strings.TrimSuffix(path.Base(bundle), ".app"), Source: "app"}
	info, err := macReadPlistDict(ctx, h, bundle+"/Contents/Info.plist")
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			// Not an app bundle after all (or an iOS app wrapper); skip it.
			_, statErr := h.Stat(bundle + "/Contents")
			return it, statErr == nil
		}
		return it, true
	}
	// The display name is the one people see ("Google Chrome" rather than
	// "Chrome"); many bundles only have CFBundleName.
	for _, k := range []string{"CFBundleDisplayName", "CFBundleName"} {
		if s, _ := plistString(info[k]); strings.TrimSpace(s) != "" && !strings.Contains(s, "$(") && !strings.Contains(s, "${") {
			it.Name = strings.TrimSpace(s)
			break
		}
	}
	// CFBundleShortVersionString is the version people see; some apps leave
	// it out or fill it with text, and then the build number is all there is.
	for _, k := range []string{"CFBundleShortVersionString", "CFBundleVersion"} {
		if s, _ := plistString(info[k]); strings.TrimSpace(s) != "" {
			it.Version = strings.TrimSpace(s)
			break
		}
	}
	return it, true
}

// macHomebrewItems lists <dir>/<name>/<version> folders: Homebrew's Cellar
// (formulae) or Caskroom (casks). Every installed version is listed, since
// old ones stay on disk until `brew cleanup`.
func macHomebrewItems(h Host, dir string) []handwash.SoftwareItem {
	names, err := h.ReadDir(dir)
	if err != nil {
		return nil
	}
	var items []handwash.SoftwareItem
	for _, n := range names {
		if strings.HasPrefix(n, ".") {
			continue
		}
		versions, err := h.ReadDir(dir + "/" + n)
		if err != nil {
			continue
		}
		for _, v := range versions {
			if strings.HasPrefix(v, ".") {
				continue // Caskroom keeps .metadata beside the versions
			}
			items = append(items, handwash.SoftwareItem{Name: n, Version: v, Source: "homebrew"})
		}
	}
	return items
}
