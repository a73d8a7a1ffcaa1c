package collect

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"time"

	"github.com/handwash/handwash"
)

// Where macOS keeps its software update state; both are world-readable.
const (
	macSoftwareUpdatePlist = "/Library/Preferences/com.apple.SoftwareUpdate.plist"
	macInstallHistoryPlist = "/Library/Receipts/InstallHistory.plist"
)

// collectMacUpdates reads how the Mac updates itself from the settings and
// the cached results of its last check. It does not run `softwareupdate
// --list`: that asks Apple's servers and takes half a minute or more.
func collectMacUpdates(ctx context.Context, h Host, f *handwash.Facts) error {
	u := &handwash.UpdateFacts{}
	f.Updates = u

	prefs, err := macDomainPrefs(ctx, h, "com.apple.SoftwareUpdate", macSoftwareUpdatePlist, "")
	if err != nil && prefs.stored == nil {
		for _, fact := range []string{"updates.automatic", "updates.last_checked", "updates.pending"} {
			f.AddMissing(fact, macReason(err), err.Error())
		}
	} else {
		if err != nil {
			// MDM's values win, so without them the stored ones prove nothing.
			f.AddMissing("updates.automatic", macReason(err), "managed settings: "+err.Error())
		} else {
			auto, detail := macAutomaticUpdates(prefs)
			u.Automatic, u.AutomaticDetail = auto, detail
			if auto == nil {
				f.AddMissing("updates.automatic", handwash.ReasonNotSupported,
					"\"Install macOS updates\" (AutomaticallyInstallMacOSUpdates) has never been set, and its default differs between macOS versions")
			}
		}

		if t, ok := plistTime(prefs.stored["LastSuccessfulDate"]); ok {
			u.LastChecked = &t
			installed := ""
			if sv, err := macReadPlistDict(ctx, h, macSystemVersionPlist); err == nil {
				installed, _ = plistString(sv["ProductVersion"])
			}
			pending, err := macPendingUpdates(prefs.stored, installed)
			if err != nil {
				f.AddMissing("updates.pending", handwash.ReasonError, err.Error())
			} else {
				u.Pending = pending
			}
		} else {
			f.AddMissing("updates.last_checked", handwash.ReasonNotSupported, "this Mac has no record of a successful check for updates")
			f.AddMissing("updates.pending", handwash.ReasonNotSupported,
				"this Mac has no record of a successful check for updates, and asking Apple (softwareupdate --list) takes too long for a check")
		}
	}

	hist, err := macReadPlist(ctx, h, macInstallHistoryPlist)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		f.AddMissing("updates.last_installed", handwash.ReasonNotSupported, "no install history on this Mac")
	case err != nil:
		f.AddMissing("updates.last_installed", macReason(err), err.Error())
	default:
		if e, ok := macLastOSUpdate(parseInstallHistory(hist)); ok {
			t := e.Date
			u.LastInstalled = &t
		} else {
			f.AddMissing("updates.last_installed", handwash.ReasonNotSupported, "the install history holds no macOS update")
		}
	}

	// macOS keeps no documented record of installed updates waiting for a
	// restart; only `softwareupdate --list` ("Action: restart") says so, and
	// it is too slow to run here.
	f.AddMissing("updates.reboot_required", handwash.ReasonNotSupported, "macOS keeps no readable record of updates waiting for a restart")
	return nil
}

// macAutomaticUpdates decides whether macOS security updates install by
// themselves. Four settings of com.apple.SoftwareUpdate must all be on:
// check, download, install macOS updates, and install Security Responses
// and system files. MDM values win over the stored ones.
//
// Apple ships the first, second and fourth on, and they have no key until
// someone changes them, so an absent key counts as on. The default of
// AutomaticallyInstallMacOSUpdates has changed between releases, so when it
// is absent the answer is unknown unless another setting is already off.
func macAutomaticUpdates(p macPrefs) (*bool, string) {
	type setting struct {
		key, label string
		defaultOn  bool // documented default when the key is absent
	}
	settings := []setting{
		{"AutomaticCheckEnabled", "check for updates", true},
		{"AutomaticDownload", "download new updates", true},
		{"AutomaticallyInstallMacOSUpdates", "install macOS updates", false},
		{"CriticalUpdateInstall", "install Security Responses and system files", true},
	}
	var parts, managed []string
	allOn, unknown := true, false
	for _, s := range settings {
		v, isManaged := p.get(s.key)
		on, ok := plistBool(v)
		state := ""
		switch {
		case ok && on:
			state = "on"
		case ok:
			state = "off"
			allOn = false
		case s.defaultOn:
			state = "on (default)"
		default:
			state = "not set"
			unknown = true
		}
		if isManaged && ok {
			managed = append(managed, s.label)
		}
		parts = append(parts, s.label+": "+state)
	}
	detail := strings.Join(parts, "; ")
	if len(managed) > 0 {
		detail += " (set by MDM: " + strings.Join(managed, ", ") + ")"
	}
	switch {
	case !allOn:
		return boolPtr(false), detail
	case unknown:
		return nil, detail
	}
	return boolPtr(true), detail
}

// macPendingUpdates lists the updates the last check found
// (RecommendedUpdates). installed is the running macOS version, recorded
// against macOS updates.
func macPendingUpdates(stored map[string]any, installed string) ([]handwash.PendingUpdate, error) {
	pending := []handwash.PendingUpdate{}
	raw, present := stored["RecommendedUpdates"]
	if !present {
		if n, ok := plistInt(stored["LastRecommendedUpdatesAvailable"]); ok && n > 0 {
			return nil, fmt.Errorf("the last check found %d updates but did not list them", n)
		}
		return pending, nil
	}
	list, ok := raw.([]any)
	if !ok {
		return nil, fmt.Errorf("RecommendedUpdates is not a list")
	}
	for _, e := range list {
		name, _ := plistString(plistGet(e, "Display Name"))
		if name == "" {
			name, _ = plistString(plistGet(e, "Identifier"))
		}
		if name == "" {
			continue
		}
		p := handwash.PendingUpdate{Name: name, Security: macSecurityUpdateName(name)}
		p.Version, _ = plistString(plistGet(e, "Display Version"))
		if id, _ := plistString(plistGet(e, "Product Key")); id != "" {
			p.IDs = []string{id}
		}
		if strings.HasPrefix(name, "macOS") {
			p.Installed = installed
		}
		pending = append(pending, p)
	}
	return pending, nil
}

// macSecurityUpdateName says whether an update carries security fixes.
// Apple gives no flag; its macOS updates, Safari updates and Security
// Responses are the ones its security release notes
// (support.apple.com/100100) list, so those count and nothing else does.
func macSecurityUpdateName(name string) bool {
	for _, s := range []string{"macOS", "OS X", "Safari", "Security"} {
		if strings.Contains(name, s) {
			return true
		}
	}
	return false
}

// macInstall is one entry of InstallHistory.plist.
type macInstall struct {
	Date        time.Time
	Name        string
	Version     string
	Process     string
	ContentType string
}

// parseInstallHistory reads the array of InstallHistory.plist. Entries
// without a date are left out: they cannot say when anything happened.
func parseInstallHistory(v any) []macInstall {
	list, _ := v.([]any)
	var out []macInstall
	for _, e := range list {
		t, ok := plistTime(plistGet(e, "date"))
		if !ok {
			continue
		}
		var in macInstall
		in.Date = t
		in.Name, _ = plistString(plistGet(e, "displayName"))
		in.Version, _ = plistString(plistGet(e, "displayVersion"))
		in.Process, _ = plistString(plistGet(e, "processName"))
		in.ContentType, _ = plistString(plistGet(e, "contentType"))
		out = append(out, in)
	}
	return out
}

// macLastOSUpdate returns the newest install of a macOS update: one made by
// Software Update (or a full macOS installer) whose name is a macOS release
// or a security update or response.
func macLastOSUpdate(hist []macInstall) (macInstall, bool) {
	return macNewest(hist, func(e macInstall) bool {
		switch e.Process {
		case "softwareupdated", "Software Update", "macOS Installer", "OS X Installer":
		default:
			return false
		}
		if e.ContentType == "config-data" {
			return false
		}
		return strings.HasPrefix(e.Name, "macOS") || strings.HasPrefix(e.Name, "OS X") ||
			strings.Contains(e.Name, "Security Update") || strings.Contains(e.Name, "Security Response") ||
			strings.Contains(e.Name, "Background Security")
	})
}

// macLastXProtectUpdate returns the newest install of XProtect's malware
// definitions (XProtectPlistConfigData) or its remediator
// (XProtectPayloads).
func macLastXProtectUpdate(hist []macInstall) (macInstall, bool) {
	return macNewest(hist, func(e macInstall) bool {
		return strings.HasPrefix(e.Name, "XProtectPlistConfigData") || strings.HasPrefix(e.Name, "XProtectPayloads")
	})
}

func macNewest(hist []macInstall, keep func(macInstall) bool) (macInstall, bool) {
	var best macInstall
	found := false
	for _, e := range hist {
		if keep(e) && (!found || e.Date.After(best.Date)) {
			best, found = e, true
		}
	}
	return best, found
}
