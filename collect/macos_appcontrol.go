package collect

import (
	"context"
	"errors"
	"io/fs"
	"strings"

	"github.com/handwash/handwash"
)

// collectMacAppControl reports Gatekeeper (which apps may open), System
// Integrity Protection, and the package sources outside Apple's.
func collectMacAppControl(ctx context.Context, h Host, f *handwash.Facts) error {
	ac := &handwash.AppControlFacts{}
	f.AppControl = ac

	// `spctl --status -v` prints "assessments enabled" and, with -v,
	// "developer id enabled" or "developer id disabled" (App Store only);
	// it exits 1 when assessments are off. No root needed.
	gk := macGatekeeper{}
	out, err := macRun(ctx, h, macSpctl, "--status", "-v")
	if err == nil {
		gk = parseSpctlStatus(out.Stdout)
	}
	spctlErr := err
	if managed, merr := macManaged(ctx, h, "com.apple.systempolicy.control", ""); merr == nil {
		if gk.assessments == nil {
			if v, ok := plistBool(managed["EnableAssessment"]); ok {
				gk.assessments = boolPtr(v)
			}
		}
		if gk.developerID == nil {
			if v, ok := plistBool(managed["AllowIdentifiedDevelopers"]); ok {
				gk.developerID = boolPtr(v)
			}
		}
	}
	switch {
	case gk.assessments == nil:
		reason, detail := handwash.ReasonError, "spctl printed no Gatekeeper state"
		if spctlErr != nil {
			reason, detail = macReason(spctlErr), spctlErr.Error()
		}
		f.AddMissing("app_control.reputation_check", reason, detail)
		f.AddMissing("app_control.install_sources", reason, detail)
	case !*gk.assessments:
		ac.ReputationCheck = boolPtr(false)
		ac.InstallSources = "anywhere"
	default:
		ac.ReputationCheck = boolPtr(true)
		switch {
		case gk.developerID == nil:
			f.AddMissing("app_control.install_sources", handwash.ReasonError, "spctl did not say whether identified developers are allowed")
		case *gk.developerID:
			ac.InstallSources = "identified_developers"
		default:
			ac.InstallSources = "store_only"
		}
	}

	if sip, err := macSIP(ctx, h); err != nil {
		f.AddMissing("app_control.system_integrity", macReason(err), err.Error())
	} else if sip == nil {
		f.AddMissing("app_control.system_integrity", handwash.ReasonError, "csrutil printed a state we do not know")
	} else {
		ac.SystemIntegrity = sip
	}

	// macOS has no allow-listing of its own; Santa, the common add-on, runs
	// as an Endpoint Security extension whose mode (monitor or lockdown) is
	// not visible from here.
	if out, err := macRunOK(ctx, h, macSysextctl, "list"); err != nil {
		f.AddMissing("app_control.allow_listing", macReason(err), err.Error())
	} else {
		santa := false
		for _, e := range parseSystemExtensions(out) {
			if strings.Contains(strings.ToLower(e.BundleID), "santa") && e.Enabled {
				santa = true
			}
		}
		if santa {
			f.AddMissing("app_control.allow_listing", handwash.ReasonNotSupported, "Santa is installed; whether it blocks (lockdown) or only records (monitor) is not visible")
		} else {
			ac.AllowListing = "off"
		}
	}

	third, unverified, err := macPackageSources(h)
	if err != nil {
		f.AddMissing("app_control.unverified_sources", macReason(err), err.Error())
	} else {
		ac.ThirdPartySources, ac.UnverifiedSources = third, unverified
	}
	return nil
}

// macGatekeeper is what spctl says.
type macGatekeeper struct {
	assessments *bool
	developerID *bool
}

// parseSpctlStatus reads `spctl --status -v`.
func parseSpctlStatus(b []byte) macGatekeeper {
	var g macGatekeeper
	for _, line := range strings.Split(string(b), "\n") {
		switch strings.TrimSpace(line) {
		case "assessments enabled":
			g.assessments = boolPtr(true)
		case "assessments disabled":
			g.assessments = boolPtr(false)
		case "developer id enabled":
			g.developerID = boolPtr(true)
		case "developer id disabled":
			g.developerID = boolPtr(false)
		}
	}
	return g
}

// macHomebrewRepos are Homebrew's repositories: /opt/homebrew on Apple
// silicon, /usr/local/Homebrew on Intel. Taps live in Library/Taps.
var macHomebrewRepos = []string{"/opt/homebrew", "/usr/local/Homebrew"}

// macPackageSources lists package sources beyond Apple's: Homebrew and its
// taps, and MacPorts. Homebrew's own taps (homebrew/…) hold formulae
// reviewed by Homebrew, fetched over HTTPS with their downloads checked
// against the SHA-256 sums in those formulae; any other tap is code from an
// arbitrary repository that nobody signs or reviews, so it counts as an
// unverified source.
func macPackageSources(h Host) (third, unverified []string, err error) {
	unverified = []string{}
	for _, repo := range macHomebrewRepos {
		if _, err := h.Stat(repo + "/bin/brew"); err != nil {
			if _, err2 := h.Stat(repo + "/Library/Taps"); err2 != nil {
				continue
			}
		}
		third = append(third, "Homebrew ("+repo+")")
		users, err := h.ReadDir(repo + "/Library/Taps")
		if errors.Is(err, fs.ErrNotExist) {
			continue // Homebrew 4 reads homebrew/core and cask from its API, untapped
		}
		if err != nil {
			return nil, nil, err
		}
		for _, u := range users {
			taps, err := h.ReadDir(repo + "/Library/Taps/" + u)
			if err != nil {
				continue
			}
			for _, t := range taps {
				name := u + "/" + strings.TrimPrefix(t, "homebrew-")
				third = append(third, "Homebrew tap "+name)
				if u != "homebrew" {
					unverified = append(unverified, "Homebrew tap "+name)
				}
			}
		}
	}
	if _, err := h.Stat("/opt/local/bin/port"); err == nil {
		third = append(third, "MacPorts")
	}
	return third, unverified, nil
}

// collectMacRemovableMedia reports whether USB storage is restricted. macOS
// has no local switch for it: only MDM (the legacy mount-controls setting,
// or a DiskManagement declaration on macOS 15 and later, which leaves no
// readable file) or third-party device control can restrict it.
func collectMacRemovableMedia(ctx context.Context, h Host, f *handwash.Facts) error {
	rm := &handwash.RemovableMediaFacts{}
	f.RemovableMedia = rm
	f.AddMissing("removable_media.autorun_disabled", handwash.ReasonNotSupported,
		"macOS has no auto-run setting for inserted media, and Apple documents none")

	managed, err := macManaged(ctx, h, "com.apple.systemuiserver", "")
	if err != nil {
		f.AddMissing("removable_media.usb_storage", macReason(err), err.Error())
		return nil
	}
	if mc, ok := plistGet(managed, "mount-controls", "harddisk-external").([]any); ok {
		for _, v := range mc {
			switch s, _ := plistString(v); s {
			case "deny":
				rm.USBStorage, rm.USBStorageDetail = "blocked", "MDM mount-controls: external disks denied"
			case "read-only":
				if rm.USBStorage == "" {
					rm.USBStorage, rm.USBStorageDetail = "read_only", "MDM mount-controls: external disks read-only"
				}
			}
		}
		if rm.USBStorage != "" {
			return nil
		}
	}

	out, err := macRunOK(ctx, h, macProfiles, "status", "-type", "enrollment")
	if err != nil {
		f.AddMissing("removable_media.usb_storage", macReason(err), "MDM enrolment: "+err.Error())
		return nil
	}
	if enrolled, ok := parseProfilesEnrollment(out); !ok || enrolled {
		f.AddMissing("removable_media.usb_storage", handwash.ReasonNotSupported,
			"this Mac is managed by MDM, which can restrict external storage with a declaration that is not readable on the Mac")
		return nil
	}
	if out, err := macRunOK(ctx, h, macSysextctl, "list"); err == nil {
		for _, e := range parseSystemExtensions(out) {
			if e.Category == "com.apple.system_extension.endpoint_security" && e.Enabled {
				f.AddMissing("removable_media.usb_storage", handwash.ReasonNotSupported,
					"a third-party security product ("+e.Name+") is installed and may restrict USB storage")
				return nil
			}
		}
	}
	rm.USBStorage = "allowed"
	rm.USBStorageDetail = "not managed by MDM and no device-control product: macOS has no local setting that restricts USB storage"
	return nil
}

// collectMacContentProtection reads Safari's fraudulent website warning
// and whether Finder shows file name extensions, as the user sees them.
func collectMacContentProtection(ctx context.Context, h Host, f *handwash.Facts) error {
	u, err := macSubjectUser(ctx, h)
	if errors.Is(err, errMacNoUser) {
		f.AddMissing("content_protection", handwash.ReasonNotSupported, err.Error())
		return nil
	}
	if err != nil {
		return macTopicMissing(f, "content_protection", err)
	}
	cp := &handwash.ContentProtectionFacts{}
	f.ContentProtection = cp

	// Safari keeps its settings in its sandbox container, which macOS's
	// privacy controls guard: reading it needs Full Disk Access, even as
	// root. Apple does not document the warning's default, so an absent key
	// stays unknown.
	safari := u.Home + "/Library/Containers/com.apple.Safari/Data/Library/Preferences/com.apple.Safari.plist"
	prefs, err := macDomainPrefs(ctx, h, "com.apple.Safari", safari, u.Name)
	// A managed value wins, and is there even when the container is not
	// readable.
	v, _ := prefs.get("WarnAboutFraudulentWebsites")
	if b, ok := plistBool(v); ok {
		cp.WebFilter = boolPtr(b)
	}
	if cp.WebFilter == nil {
		switch {
		case err != nil && errors.Is(err, fs.ErrPermission):
			f.AddMissing("content_protection.web_filter", handwash.ReasonNeedsAdmin,
				"Safari's settings are protected by macOS privacy controls: give the check Full Disk Access")
		case err != nil:
			f.AddMissing("content_protection.web_filter", macReason(err), err.Error())
		default:
			f.AddMissing("content_protection.web_filter", handwash.ReasonNotSupported,
				"Safari's \"Warn when visiting a fraudulent website\" has never been changed, and Apple does not document its default")
		}
	}

	// "Show all filename extensions" in Finder's settings is
	// AppleShowAllExtensions in the user's global domain. Finder ships with
	// it off (nix-darwin's NSGlobalDomain module documents the default as
	// false), and the key appears only once someone changes it, so absent
	// means off.
	global, err := macDomainPrefs(ctx, h, ".GlobalPreferences", u.Home+"/Library/Preferences/.GlobalPreferences.plist", u.Name)
	if err != nil && global.stored == nil {
		f.AddMissing("content_protection.file_extensions_shown", macReason(err), err.Error())
		return nil
	}
	gv, _ := global.get("AppleShowAllExtensions")
	shown, ok := plistBool(gv)
	cp.FileExtensionsShown = boolPtr(ok && shown)
	return nil
}
