package collect

import (
	"context"
	"sort"
	"strings"

	"github.com/handwash/handwash"
)

// Installed programs are read from the Uninstall keys of both registry
// views and of every loaded user hive (per-user installers such as VS Code
// or Zoom appear only there). Win32_Product is never used: it is slow and
// makes Windows Installer check, and sometimes repair, every MSI product.
const (
	keyUninstall64 = `HKLM\SOFTWARE\Microsoft\Windows\CurrentVersion\Uninstall`
	keyUninstall32 = `HKLM\SOFTWARE\WOW6432Node\Microsoft\Windows\CurrentVersion\Uninstall`
	userUninstall  = `Software\Microsoft\Windows\CurrentVersion\Uninstall`
)

func collectWinSoftware(_ context.Context, _ Host, src winSource, f *handwash.Facts) error {
	reg := regRead{src}
	roots := []struct{ key, arch string }{{keyUninstall64, ""}, {keyUninstall32, "x86"}}
	hives, err := reg.subkeys(`HKU`)
	if err != nil {
		f.AddMissing("software.items", reasonFor(err), "the loaded user hives: "+err.Error())
	}
	for _, sid := range hives {
		if isUserHiveSID(sid) {
			roots = append(roots, struct{ key, arch string }{userKey(sid, userUninstall), ""})
		}
	}
	var entries []uninstallEntry
	for _, r := range roots {
		subs, err := reg.subkeys(r.key)
		if err != nil {
			f.AddMissing("software.items", reasonFor(err), r.key+": "+err.Error())
			continue
		}
		for _, s := range subs {
			v, err := reg.values(r.key + `\` + s)
			if err != nil {
				continue // a key we may not read belongs to someone else
			}
			entries = append(entries, uninstallEntry{key: s, arch: r.arch, values: v})
		}
	}
	f.Software = &handwash.SoftwareFacts{Items: winSoftwareItems(entries)}
	return nil
}

// uninstallEntry is one Uninstall subkey.
type uninstallEntry struct {
	key    string
	arch   string
	values regValues
}

// winSoftwareItems keeps what Programs and Features would show: entries
// with a DisplayName, not hidden (SystemComponent 1) and not updates filed
// under their product (ParentKeyName). An entry in several places (both
// views, several users) is listed once.
func winSoftwareItems(entries []uninstallEntry) []handwash.SoftwareItem {
	items := []handwash.SoftwareItem{}
	seen := map[string]bool{}
	for _, e := range entries {
		v := e.values
		name, _ := v.str("DisplayName")
		name = strings.TrimSpace(name)
		if name == "" {
			continue
		}
		if n, ok := v.num("SystemComponent"); ok && n == 1 {
			continue
		}
		if p, ok := v.str("ParentKeyName"); ok && strings.TrimSpace(p) != "" {
			continue
		}
		version, _ := v.str("DisplayVersion")
		publisher, _ := v.str("Publisher")
		it := handwash.SoftwareItem{
			Name:      name,
			Version:   strings.TrimSpace(version),
			Publisher: strings.TrimSpace(publisher),
			Source:    "registry",
			Arch:      e.arch,
		}
		id := strings.ToLower(e.key + "|" + it.Name + "|" + it.Version)
		if seen[id] {
			continue
		}
		seen[id] = true
		items = append(items, it)
	}
	sort.SliceStable(items, func(i, j int) bool {
		a, b := strings.ToLower(items[i].Name), strings.ToLower(items[j].Name)
		if a != b {
			return a < b
		}
		return items[i].Version < items[j].Version
	})
	return items
}
