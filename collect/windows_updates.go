package collect

import (
	"context"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/handwash/handwash"
)

// Registry keys of the updates collector (no administrator rights needed).
const (
	keyWUPolicy       = `HKLM\SOFTWARE\Policies\Microsoft\Windows\WindowsUpdate`
	keyAUPolicy       = `HKLM\SOFTWARE\Policies\Microsoft\Windows\WindowsUpdate\AU`
	keyMDMUpdate      = `HKLM\SOFTWARE\Microsoft\PolicyManager\current\device\Update`
	keyWUService      = `HKLM\SYSTEM\CurrentControlSet\Services\wuauserv`
	keyCBSReboot      = `HKLM\SOFTWARE\Microsoft\Windows\CurrentVersion\Component Based Servicing\RebootPending`
	keyWURebootNeeded = `HKLM\SOFTWARE\Microsoft\Windows\CurrentVersion\WindowsUpdate\Auto Update\RebootRequired`
)

// Windows Update category IDs (not localised, unlike their names).
const (
	wuCategorySecurity    = "0fa1201d-4330-4fa8-8ae9-b877473b6441" // Security Updates
	wuCategoryCritical    = "e6cf1350-c01b-414d-a61f-263d14d133b4" // Critical Updates
	wuCategoryDefinitions = "e0789628-ce08-4437-be74-2495b842f43b" // Definition Updates
	wuCategoryDrivers     = "ebfc1fc5-71a4-4f7b-9aca-3b9a503104a0" // Drivers
)

// notOSUpdateKBs are updates that arrive through Windows Update but do not
// update Windows: Defender's daily definitions and platform, and the
// monthly Malicious Software Removal Tool.
var notOSUpdateKBs = map[string]bool{"KB2267602": true, "KB4052623": true, "KB890830": true}

func collectWinUpdates(ctx context.Context, _ Host, src winSource, f *handwash.Facts) error {
	reg := regRead{src}
	u := &handwash.UpdateFacts{}
	f.Updates = u

	wu, err := reg.values(keyWUPolicy)
	if err != nil {
		return err
	}
	au, err := reg.values(keyAUPolicy)
	if err != nil {
		return err
	}
	mdm, _ := reg.values(keyMDMUpdate)
	svc, _ := reg.values(keyWUService)
	u.Automatic, u.AutomaticDetail = winAutomaticUpdates(au, mdm, svc)
	u.Source = winUpdateSource(wu, au)

	reboot := false
	for _, k := range []string{keyCBSReboot, keyWURebootNeeded} {
		// PendingFileRenameOperations is left out: installers of every
		// kind set it, so it does not mean updates wait for a restart.
		ok, err := reg.exists(k)
		if err != nil {
			f.AddMissing("updates.reboot_required", reasonFor(err), err.Error())
			reboot = false
			break
		}
		reboot = reboot || ok
	}
	if !hasMissing(f, "updates.reboot_required") {
		u.RebootRequired = boolPtr(reboot)
	}

	st, err := src.WindowsUpdate(ctx)
	if err != nil {
		st.HistoryErr, st.PendingErr, st.ResultsErr = err, err, err
	}
	if st.HistoryErr == nil {
		u.LastInstalled = winLastInstalled(st.History)
		u.CumulativeMonth = winCumulativeMonth(st.History)
	}
	if u.CumulativeMonth == "" {
		detail := "the Windows Update history has no successful install of a monthly cumulative update"
		reason := handwash.ReasonNotSupported
		if st.HistoryErr != nil {
			detail, reason = "Windows Update Agent history: "+st.HistoryErr.Error(), reasonFor(st.HistoryErr)
		}
		f.AddMissing("updates.cumulative_month", reason, detail)
	}
	if u.LastInstalled == nil {
		detail := "the Windows Update history has no successful install of a Windows update"
		reason := handwash.ReasonNotSupported
		if st.HistoryErr != nil {
			detail, reason = "Windows Update Agent history: "+st.HistoryErr.Error(), reasonFor(st.HistoryErr)
		}
		f.AddMissing("updates.last_installed", reason, detail)
	}
	u.LastChecked = st.LastSearch
	switch {
	case u.LastChecked != nil:
	case st.ResultsErr != nil:
		f.AddMissing("updates.last_checked", reasonFor(st.ResultsErr), "Windows Update Agent results: "+st.ResultsErr.Error())
	default:
		f.AddMissing("updates.last_checked", handwash.ReasonError, "the Windows Update Agent did not say when it last searched")
	}
	if st.PendingErr == nil {
		u.Pending = winPendingUpdates(st.Pending)
	} else {
		f.AddMissing("updates.pending", reasonFor(st.PendingErr), "Windows Update Agent search: "+st.PendingErr.Error())
	}
	return nil
}

// hasMissing says whether a fact was already recorded as missing.
func hasMissing(f *handwash.Facts, fact string) bool {
	for _, m := range f.Collection.Missing {
		if m.Fact == fact {
			return true
		}
	}
	return false
}

// winAutomaticUpdates applies Windows Update's settings in order of
// strength: a disabled service stops everything; Group Policy (AU key)
// wins over MDM (PolicyManager); nothing configured means the Windows
// default, which downloads and installs automatically.
func winAutomaticUpdates(au, mdm, svc regValues) (*bool, string) {
	if start, ok := svc.num("Start"); ok && start == 4 {
		return boolPtr(false), "the Windows Update service is disabled"
	}
	if n, ok := au.num("NoAutoUpdate"); ok && n == 1 {
		return boolPtr(false), "automatic updates are turned off by Group Policy (NoAutoUpdate 1)"
	}
	if opt, ok := au.num("AUOptions"); ok {
		switch opt {
		case 2:
			return boolPtr(false), "Group Policy: notify before downloading (AUOptions 2)"
		case 3:
			return boolPtr(false), "Group Policy: download, then notify before installing (AUOptions 3)"
		case 4:
			return boolPtr(true), "Group Policy: download and install on a schedule (AUOptions 4)"
		case 5:
			return nil, "Group Policy lets the local administrator choose (AUOptions 5)"
		case 7:
			return boolPtr(false), "Group Policy: notify before installing and restarting (AUOptions 7)"
		}
		return nil, fmt.Sprintf("Group Policy: unknown AUOptions %d", opt)
	}
	if a, ok := mdm.num("AllowAutoUpdate"); ok {
		// Policy CSP Update/AllowAutoUpdate: 0 notify to download,
		// 1–4 install automatically, 5 off.
		switch {
		case a == 0:
			return boolPtr(false), "MDM policy: notify before downloading (AllowAutoUpdate 0)"
		case a >= 1 && a <= 4:
			return boolPtr(true), fmt.Sprintf("MDM policy: install automatically (AllowAutoUpdate %d)", a)
		case a == 5:
			return boolPtr(false), "MDM policy: automatic updates off (AllowAutoUpdate 5)"
		}
	}
	return boolPtr(true), "Windows Update default: download and install automatically"
}

// winUpdateSource names WSUS when policy points Windows Update at one.
func winUpdateSource(wu, au regValues) string {
	if n, ok := au.num("UseWUServer"); ok && n == 1 {
		if s, ok := wu.str("WUServer"); ok && s != "" {
			return "WSUS (" + s + ")"
		}
		return "WSUS"
	}
	return ""
}

// winLastInstalled finds the newest successful install of an update to
// Windows itself: Defender definitions, drivers and the removal tool
// install all the time and say nothing about Windows being patched.
func winLastInstalled(h []wuaHistoryEntry) *time.Time {
	var newest *time.Time
	for _, e := range h {
		if e.Operation != 1 || (e.ResultCode != 2 && e.ResultCode != 3) {
			continue
		}
		if hasCategory(e.Categories, wuCategoryDefinitions, wuCategoryDrivers) {
			continue
		}
		skip := false
		for _, kb := range kbIDs(e.Title) {
			skip = skip || notOSUpdateKBs[kb]
		}
		if skip {
			continue
		}
		t, ok := parseWinTime(e.Date)
		if !ok {
			continue
		}
		if newest == nil || t.After(*newest) {
			newest = &t
		}
	}
	return newest
}

// cumulativeTitle is the title Microsoft gives each month's cumulative
// update of Windows: "2026-11 Cumulative Update for Windows 11 Version 25H2
// for x64-based Systems (KB5072033)", also "... Cumulative Update Preview
// ..." (which holds the month's security fixes too) and, on servers,
// "... Cumulative Update for Microsoft server operating system ...".
var cumulativeTitle = regexp.MustCompile(`^(\d{4})-(\d{2}) Cumulative Update\b`)

// winCumulativeMonth is the release month of the newest cumulative update
// of Windows installed successfully: ".NET Framework" cumulative updates
// are for .NET, not Windows.
func winCumulativeMonth(h []wuaHistoryEntry) string {
	newest := ""
	for _, e := range h {
		if e.Operation != 1 || (e.ResultCode != 2 && e.ResultCode != 3) {
			continue
		}
		m := cumulativeTitle.FindStringSubmatch(strings.TrimSpace(e.Title))
		if m == nil || strings.Contains(e.Title, ".NET") {
			continue
		}
		if month := m[1] + "-" + m[2]; m[2] >= "01" && m[2] <= "12" && month > newest {
			newest = month
		}
	}
	return newest
}

func hasCategory(cats []string, ids ...string) bool {
	for _, c := range cats {
		for _, id := range ids {
			if strings.EqualFold(strings.Trim(c, "{}"), id) {
				return true
			}
		}
	}
	return false
}

// kbIDs finds KB numbers in an update title; titles are localised, but
// "KB" followed by digits is not.
func kbIDs(title string) []string {
	var ids []string
	for i := 0; i+2 < len(title); i++ {
		if (title[i] != 'K' && title[i] != 'k') || (title[i+1] != 'B' && title[i+1] != 'b') {
			continue
		}
		j := i + 2
		for j < len(title) && title[j] >= '0' && title[j] <= '9' {
			j++
		}
		if j > i+2 && (i == 0 || !isAlnum(title[i-1])) {
			ids = append(ids, "KB"+title[i+2:j])
		}
		i = j - 1
	}
	return ids
}

func isAlnum(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

// winPendingUpdates turns the agent's missing updates into facts. An
// update is a security update when Microsoft gave it an MSRC severity or
// filed it under Security Updates or Critical Updates.
func winPendingUpdates(us []wuaUpdate) []handwash.PendingUpdate {
	out := []handwash.PendingUpdate{}
	for _, u := range us {
		p := handwash.PendingUpdate{
			Name:     strings.TrimSpace(u.Title),
			Severity: strings.TrimSpace(u.MsrcSeverity),
		}
		p.Security = p.Severity != "" || hasCategory(u.Categories, wuCategorySecurity, wuCategoryCritical)
		if t, ok := parseWinTime(u.LastDeploymentChangeTime); ok {
			p.Released = &t
		}
		for _, id := range u.KBArticleIDs {
			id = strings.TrimSpace(id)
			if id == "" {
				continue
			}
			if !strings.HasPrefix(strings.ToUpper(id), "KB") {
				id = "KB" + id
			}
			p.IDs = append(p.IDs, id)
		}
		out = append(out, p)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}
