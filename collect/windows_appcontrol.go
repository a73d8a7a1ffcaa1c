package collect

import (
	"context"
	"strconv"
	"strings"

	"github.com/handwash/handwash"
)

// App install controls: SmartScreen, "Choose where to get apps", Smart App
// Control, App Control for Business (WDAC) and AppLocker. Registry reads
// need no administrator rights; Win32_DeviceGuard answers any user.
const (
	keySystemPolicy       = `HKLM\SOFTWARE\Policies\Microsoft\Windows\System`
	keyExplorer           = `HKLM\SOFTWARE\Microsoft\Windows\CurrentVersion\Explorer`
	keySmartScreenPolicy  = `HKLM\SOFTWARE\Policies\Microsoft\Windows Defender\SmartScreen`
	keySmartAppControl    = `HKLM\SYSTEM\CurrentControlSet\Control\CI\Policy`
	keyAppLocker          = `HKLM\SOFTWARE\Policies\Microsoft\Windows\SrpV2`
	nsDeviceGuard         = `root\Microsoft\Windows\DeviceGuard`
	wqlDeviceGuard        = "SELECT CodeIntegrityPolicyEnforcementStatus, UsermodeCodeIntegrityPolicyEnforcementStatus FROM Win32_DeviceGuard"
	keyEdgePolicy         = `HKLM\SOFTWARE\Policies\Microsoft\Edge`
	userEdgePolicy        = `Software\Policies\Microsoft\Edge`
	userExplorerAdvanced  = `Software\Microsoft\Windows\CurrentVersion\Explorer\Advanced`
	keyOfficeC2R          = `HKLM\SOFTWARE\Microsoft\Office\ClickToRun\Configuration`
	keyOfficeMSI          = `HKLM\SOFTWARE\Microsoft\Office\16.0\Common\InstallRoot`
	keyOfficeMSI32        = `HKLM\SOFTWARE\WOW6432Node\Microsoft\Office\16.0\Common\InstallRoot`
	userOfficePolicy      = `Software\Policies\Microsoft\Office\16.0`
	userOfficePrefs       = `Software\Microsoft\Office\16.0`
	officeMacroBlockBuild = 15330 // Version 2206, when Current Channel began blocking internet macros
)

type wmiDeviceGuard struct {
	// 0 off, 1 audit, 2 enforced.
	CodeIntegrityPolicyEnforcementStatus         *uint32
	UsermodeCodeIntegrityPolicyEnforcementStatus *uint32
}

func collectWinAppControl(_ context.Context, _ Host, src winSource, f *handwash.Facts) error {
	reg := regRead{src}
	ac := &handwash.AppControlFacts{
		// Windows installs apps from installers, not from package sources
		// whose signatures could be switched off; winget's sources are
		// signed by Microsoft. So there is nothing to list.
		UnverifiedSources: []string{},
	}
	sysPol, err := reg.values(keySystemPolicy)
	if err != nil {
		return err
	}
	explorer, err := reg.values(keyExplorer)
	if err != nil {
		return err
	}
	ac.ReputationCheck, ac.ReputationLevel = winSmartScreen(sysPol, explorer)

	ssPol, _ := reg.values(keySmartScreenPolicy)
	ac.InstallSources = winInstallSources(ssPol, explorer)

	sac, _ := reg.values(keySmartAppControl)
	var dg []wmiDeviceGuard
	dgErr := src.WMI(nsDeviceGuard, wqlDeviceGuard, &dg)
	appLocker, alErr := winAppLocker(reg)
	level, known := winAllowListing(sac, dg, dgErr == nil, appLocker, alErr == nil)
	if known {
		ac.AllowListing = level
	} else {
		f.AddMissing("app_control.allow_listing", handwash.ReasonError, "App Control status (Win32_DeviceGuard) or AppLocker policy could not be read")
	}
	f.AppControl = ac
	return nil
}

// winSmartScreen reads SmartScreen for apps and files: Group Policy's
// EnableSmartScreen and ShellSmartScreenLevel, else the Windows Security
// setting SmartScreenEnabled ("Off", "Warn", "RequireAdmin"); absent means
// on, the Windows default.
func winSmartScreen(pol, explorer regValues) (*bool, string) {
	if n, ok := pol.num("EnableSmartScreen"); ok {
		if n == 0 {
			return boolPtr(false), ""
		}
		level := "warn"
		if l, _ := pol.str("ShellSmartScreenLevel"); strings.EqualFold(strings.TrimSpace(l), "Block") {
			level = "block"
		}
		return boolPtr(true), level
	}
	s, _ := explorer.str("SmartScreenEnabled")
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "off":
		return boolPtr(false), ""
	case "requireadmin":
		// Unrecognised apps need an administrator to run: a block for
		// everyday accounts.
		return boolPtr(true), "block"
	}
	// "Warn", "Prompt", or absent (the Windows default is on).
	return boolPtr(true), "warn"
}

// winInstallSources reads "Choose where to get apps": policy
// (ConfigureAppInstallControl, when ConfigureAppInstallControlEnabled is 1)
// over the user's setting AicEnabled; absent means Anywhere.
func winInstallSources(pol, explorer regValues) string {
	v := ""
	if n, ok := pol.num("ConfigureAppInstallControlEnabled"); ok && n == 1 {
		v, _ = pol.str("ConfigureAppInstallControl")
	}
	if v == "" {
		v, _ = explorer.str("AicEnabled")
	}
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "storeonly":
		return "store_only"
	case "preferstore":
		return "store_preferred"
	}
	// "Recommendations" still installs from anywhere; it only suggests the
	// Store's version.
	return "anywhere"
}

// winAppLocker returns AppLocker's enforcement for executables: "enforced"
// (EnforcementMode 1), "audit" (0), or "" when not configured.
func winAppLocker(reg regRead) (string, error) {
	exe, err := reg.values(keyAppLocker + `\Exe`)
	if err != nil {
		return "", err
	}
	rules, err := reg.subkeys(keyAppLocker + `\Exe`)
	if err != nil {
		return "", err
	}
	n, ok := exe.num("EnforcementMode")
	switch {
	case !ok || len(rules) == 0:
		return "", nil
	case n == 1:
		return "enforced", nil
	}
	return "audit", nil
}

// winAllowListing combines the allow-listing mechanisms; the strictest
// wins. Smart App Control's VerifiedAndReputablePolicyState is 0 off, 1 on,
// 2 evaluation (which only watches).
func winAllowListing(sac regValues, dg []wmiDeviceGuard, dgKnown bool, appLocker string, alKnown bool) (string, bool) {
	rank := map[string]int{"off": 0, "audit": 1, "enforced": 2}
	best := "off"
	raise := func(l string) {
		if rank[l] > rank[best] {
			best = l
		}
	}
	if n, ok := sac.num("VerifiedAndReputablePolicyState"); ok {
		switch n {
		case 1:
			raise("enforced")
		case 2:
			raise("audit")
		}
	}
	for _, d := range dg {
		if d.UsermodeCodeIntegrityPolicyEnforcementStatus != nil {
			switch *d.UsermodeCodeIntegrityPolicyEnforcementStatus {
			case 1:
				raise("audit")
			case 2:
				raise("enforced")
			}
		}
	}
	if appLocker != "" {
		raise(appLocker)
	}
	return best, best == "enforced" || (dgKnown && alKnown)
}

func collectWinContentProtection(_ context.Context, _ Host, src winSource, f *handwash.Facts) error {
	reg := regRead{src}
	cp := &handwash.ContentProtectionFacts{}
	edge, err := reg.values(keyEdgePolicy)
	if err != nil {
		return err
	}
	u, haveUser := consoleUser(src, f, "content_protection.file_extensions_shown", "content_protection.office_macros_blocked")
	var userEdge regValues
	if haveUser {
		userEdge, _ = reg.values(userKey(u.SID, userEdgePolicy))
	}
	cp.WebFilter = winEdgeSmartScreen(edge, userEdge)

	if haveUser {
		adv, err := reg.values(userKey(u.SID, userExplorerAdvanced))
		if err != nil {
			f.AddMissing("content_protection.file_extensions_shown", reasonFor(err), err.Error())
		} else {
			// HideFileExt absent: Windows hides known extensions.
			n, ok := adv.num("HideFileExt")
			cp.FileExtensionsShown = boolPtr(ok && n == 0)
		}

		office, err := winOffice(reg)
		switch {
		case err != nil:
			f.AddMissing("content_protection.office_macros_blocked", reasonFor(err), err.Error())
		case office.kind == "":
			f.AddMissing("content_protection.office_macros_blocked", handwash.ReasonNotInstalled, "Microsoft Office is not installed")
		default:
			blocked, why := winOfficeMacrosBlocked(reg, u.SID, office)
			cp.OfficeMacrosBlocked = blocked
			if blocked == nil {
				f.AddMissing("content_protection.office_macros_blocked", handwash.ReasonNotSupported, why)
			}
		}
	}
	f.ContentProtection = cp
	return nil
}

// winEdgeSmartScreen reads Edge's SmartScreenEnabled policy (machine, then
// user). Without policy SmartScreen is on in Edge, Microsoft's default; a
// person's own Edge setting is not read.
func winEdgeSmartScreen(machine, user regValues) *bool {
	for _, v := range []regValues{machine, user} {
		if n, ok := v.num("SmartScreenEnabled"); ok {
			return boolPtr(n != 0)
		}
	}
	return boolPtr(true)
}

// officeInstall says which Office is installed: Click-to-Run (Microsoft
// 365 Apps, Office 2019 and later) with its version, or MSI.
type officeInstall struct {
	kind  string // "c2r", "msi" or ""
	build int    // the build of 16.0.<build>.<revision>, for Click-to-Run
}

func winOffice(reg regRead) (officeInstall, error) {
	c2r, err := reg.values(keyOfficeC2R)
	if err != nil {
		return officeInstall{}, err
	}
	if v, ok := c2r.str("VersionToReport"); ok && v != "" {
		parts := strings.Split(v, ".")
		build := 0
		if len(parts) >= 3 {
			build, _ = strconv.Atoi(parts[2])
		}
		return officeInstall{kind: "c2r", build: build}, nil
	}
	for _, k := range []string{keyOfficeMSI, keyOfficeMSI32} {
		v, err := reg.values(k)
		if err != nil {
			return officeInstall{}, err
		}
		if p, ok := v.str("Path"); ok && p != "" {
			return officeInstall{kind: "msi"}, nil
		}
	}
	return officeInstall{}, nil
}

// winOfficeMacrosBlocked decides whether Word, Excel and PowerPoint block
// macros in files from the internet. Policy first: "Block macros from
// running in Office files from the Internet"
// (blockcontentexecutionfrominternet 1), or "VBA Macro Notification
// Settings" at 4 (all macros off) blocks, and at 1 (all macros on) does not.
// Without policy, Click-to-Run Office blocks them by default since Version
// 2206 (build 15330) on Current Channel and 2208 on the enterprise channels
// ("Macros from the internet are blocked by default in Office",
// learn.microsoft.com/microsoft-365-apps/security/internet-macros-blocked,
// MicrosoftDocs/OfficeDocs-DeployOffice DeployOffice/security/internet-macros-blocked.md);
// the user's Trust Center choice no longer lets such macros run. Older
// Office follows the Trust Center: "Enable all macros" (VBAWarnings 1) runs
// them, "Disable all without notification" (4) does not, and the default
// (2, disable with notification) lets the user enable them from the
// message bar. For MSI Office 2016 Microsoft documents no change of default.
func winOfficeMacrosBlocked(reg regRead, sid string, office officeInstall) (*bool, string) {
	newDefault := office.kind == "c2r" && office.build >= officeMacroBlockBuild
	for _, app := range []string{"word", "excel", "powerpoint"} {
		pol, err := reg.values(userKey(sid, userOfficePolicy+`\`+app+`\security`))
		if err != nil {
			return nil, "the Office policies could not be read: " + err.Error()
		}
		pref, err := reg.values(userKey(sid, userOfficePrefs+`\`+app+`\security`))
		if err != nil {
			return nil, "the Office settings could not be read: " + err.Error()
		}
		if n, ok := pol.num("blockcontentexecutionfrominternet"); ok {
			if n == 1 {
				continue
			}
			return boolPtr(false), ""
		}
		if n, ok := pol.num("VBAWarnings"); ok && (n == 1 || n == 4) {
			if n == 4 {
				continue
			}
			return boolPtr(false), ""
		}
		if newDefault {
			continue
		}
		n, ok := pref.num("VBAWarnings")
		switch {
		case ok && n == 4:
			continue
		case ok && n == 1:
			return boolPtr(false), ""
		case office.kind == "c2r":
			// Before the change: the user can enable them from the
			// message bar.
			return boolPtr(false), ""
		}
		return nil, "no Office policy is set, and Microsoft does not document whether this Office (MSI) blocks macros from the internet by default"
	}
	return boolPtr(true), ""
}
