package collect

import (
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"sort"
	"strings"

	"github.com/handwash/handwash"
)

// Backup sources. File History and OneDrive are per user and read from the
// console user's hive and profile; System Restore's points need an
// administrator.
const (
	keyProfileList        = `HKLM\SOFTWARE\Microsoft\Windows NT\CurrentVersion\ProfileList`
	keyFileHistoryPolicy  = `HKLM\SOFTWARE\Policies\Microsoft\Windows\FileHistory`
	userFileHistory       = `Software\Microsoft\Windows\CurrentVersion\FileHistory`
	fileHistoryConfig     = `AppData\Local\Microsoft\Windows\FileHistory\Configuration\Config1.xml`
	userOneDriveAccounts  = `Software\Microsoft\OneDrive\Accounts`
	userShellFolders      = `Software\Microsoft\Windows\CurrentVersion\Explorer\User Shell Folders`
	keyOneDriveOffPolicy  = `HKLM\SOFTWARE\Policies\Microsoft\Windows\OneDrive`
	keySystemRestorePol   = `HKLM\SOFTWARE\Policies\Microsoft\Windows NT\SystemRestore`
	wqlRestorePoints      = "SELECT SequenceNumber FROM SystemRestore"
	psServerBackupSummary = `[Console]::OutputEncoding=[Text.Encoding]::UTF8; Get-WBSummary | Select-Object LastSuccessfulBackupTime,LastBackupTime,LastBackupResultHR | ConvertTo-Json -Compress`
)

type wmiRestorePoint struct{ SequenceNumber uint32 }

func collectWinBackup(ctx context.Context, h Host, src winSource, f *handwash.Facts) error {
	reg := regRead{src}
	b := &handwash.BackupFacts{Tools: []handwash.BackupTool{}}
	complete := true // whether every tool could be looked for

	if u, ok := consoleUser(src, f, "backup.tools"); !ok {
		complete = false
	} else {
		profile := ""
		if v, err := reg.values(keyProfileList + `\` + u.SID); err == nil {
			profile, _ = v.str("ProfileImagePath")
		}
		fhPol, _ := reg.values(keyFileHistoryPolicy)
		if t, err := winFileHistory(h, reg, u, profile, fhPol); err != nil {
			complete = false
			f.AddMissing("backup.tools", reasonFor(err), "File History: "+err.Error())
		} else if t != nil {
			b.Tools = append(b.Tools, *t)
		}
		odOff, _ := reg.values(keyOneDriveOffPolicy)
		ts, err := winOneDrive(reg, u, profile, odOff)
		if err != nil {
			complete = false
			f.AddMissing("backup.tools", reasonFor(err), "OneDrive: "+err.Error())
		}
		b.Tools = append(b.Tools, ts...)
	}

	if po, err := reg.values(keyProductOptions); err == nil {
		if pt, _ := po.str("ProductType"); !strings.EqualFold(pt, "WinNT") && h.Elevated() {
			if t, err := winServerBackup(ctx, h); err == nil && t != nil {
				b.Tools = append(b.Tools, *t)
			}
		}
	}

	pol, _ := reg.values(keySystemRestorePol)
	if n, ok := pol.num("DisableSR"); ok && n == 1 {
		b.RestorePoints = boolPtr(false)
	} else if h.Elevated() {
		var rps []wmiRestorePoint
		if err := src.WMI(`root\default`, wqlRestorePoints, &rps); err == nil {
			b.RestorePoints = boolPtr(len(rps) > 0)
		} else {
			f.AddMissing("backup.restore_points", reasonFor(err), "SystemRestore: "+err.Error())
		}
	} else {
		f.AddMissing("backup.restore_points", handwash.ReasonNeedsAdmin, "only an administrator can list restore points")
	}
	if !complete && len(b.Tools) == 0 {
		b.Tools = nil // not "none": some could not be looked for
	}
	f.Backup = b
	return nil
}

// fileHistoryXML is the part of File History's Config1.xml we read.
type fileHistoryXML struct {
	XMLName     xml.Name `xml:"DataProtectionUserConfig"`
	DPFrequency int      `xml:"DPFrequency"`
	DPStatus    string   `xml:"DPStatus"`
	Target      struct {
		TargetName      string `xml:"TargetName"`
		TargetURL       string `xml:"TargetUrl"`
		TargetDriveType string `xml:"TargetDriveType"`
	} `xml:"Target"`
}

// parseFileHistoryConfig reads Config1.xml into a backup tool.
func parseFileHistoryConfig(b []byte) (handwash.BackupTool, error) {
	var x fileHistoryXML
	d := xml.NewDecoder(strings.NewReader(decodeMaybeUTF16(b)))
	d.CharsetReader = func(_ string, r io.Reader) (io.Reader, error) { return r, nil }
	if err := d.Decode(&x); err != nil {
		return handwash.BackupTool{}, err
	}
	t := handwash.BackupTool{Name: "File History"}
	target := strings.TrimSpace(x.Target.TargetURL)
	enabled := strings.EqualFold(strings.TrimSpace(x.DPStatus), "ENABLED")
	t.Configured = boolPtr(target != "")
	t.Automatic = boolPtr(target != "" && enabled && x.DPFrequency > 0)
	if target != "" {
		kind := handwash.DestUnknown
		switch strings.ToUpper(strings.TrimSpace(x.Target.TargetDriveType)) {
		case "REMOVABLE":
			kind = handwash.DestRemovableDisk
		case "FIXED":
			kind = handwash.DestInternalDisk
		case "REMOTE":
			kind = handwash.DestNetworkShare
		}
		t.Destination = &handwash.BackupDest{Kind: kind, Location: target}
	}
	var details []string
	if !enabled {
		details = append(details, "File History is turned off")
	}
	if x.DPFrequency > 0 {
		details = append(details, fmt.Sprintf("every %s", humanSeconds(x.DPFrequency)))
	}
	t.Detail = strings.Join(details, "; ")
	return t, nil
}

func humanSeconds(s int) string {
	switch {
	case s%86400 == 0:
		return plural(s/86400, "day")
	case s%3600 == 0:
		return plural(s/3600, "hour")
	case s%60 == 0:
		return plural(s/60, "minute")
	}
	return plural(s, "second")
}

func plural(n int, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return fmt.Sprintf("%d %ss", n, unit)
}

// winFileHistory reads the user's File History: no configuration file
// means it was never set up, and then it is no tool at all. The last
// backup is ProtectedUpToTime (undocumented; a FILETIME).
func winFileHistory(h Host, reg regRead, u winUser, profile string, pol regValues) (*handwash.BackupTool, error) {
	if profile == "" {
		return nil, errors.New("the profile folder of " + u.Name + " is not known")
	}
	b, err := h.ReadFile(profile + `\` + fileHistoryConfig)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	t, err := parseFileHistoryConfig(b)
	if err != nil {
		return nil, fmt.Errorf("Config1.xml: %w", err)
	}
	if n, ok := pol.num("Disabled"); ok && n == 1 {
		t.Automatic = boolPtr(false)
		t.Detail = "File History is turned off by Group Policy"
	}
	if v, err := reg.values(userKey(u.SID, userFileHistory)); err == nil {
		if n, ok := v.num("ProtectedUpToTime"); ok {
			if ts, ok := filetimeToTime(n); ok {
				t.LastSuccess = &ts
			}
		}
	}
	return &t, nil
}

// winOneDrive reports OneDrive Known Folder Move for each signed-in
// account: it backs up Desktop, Documents and Pictures when Windows keeps
// those folders inside the OneDrive folder. The User Shell Folders say so
// reliably; KfmFoldersProtectedNow (undocumented) is only a hint.
func winOneDrive(reg regRead, u winUser, profile string, offPolicy regValues) ([]handwash.BackupTool, error) {
	base := userKey(u.SID, userOneDriveAccounts)
	accounts, err := reg.subkeys(base)
	if err != nil {
		return nil, err
	}
	shell, err := reg.values(userKey(u.SID, userShellFolders))
	if err != nil {
		return nil, err
	}
	syncOff := false
	if n, ok := offPolicy.num("DisableFileSyncNGSC"); ok && n == 1 {
		syncOff = true
	}
	var tools []handwash.BackupTool
	for _, a := range accounts {
		v, err := reg.values(base + `\` + a)
		if err != nil {
			return nil, err
		}
		folder, _ := v.str("UserFolder")
		if strings.TrimSpace(folder) == "" {
			continue // an account slot that is not signed in
		}
		location := "OneDrive (personal)"
		if strings.HasPrefix(strings.ToLower(a), "business") {
			location = "OneDrive for work or school"
			if name, ok := v.str("DisplayName"); ok && name != "" {
				location += ": " + name
			}
		}
		moved := foldersInside(shell, profile, folder)
		t := handwash.BackupTool{
			Name:        "OneDrive Known Folder Move",
			Configured:  boolPtr(len(moved) > 0 && !syncOff),
			Automatic:   boolPtr(len(moved) > 0 && !syncOff),
			Destination: &handwash.BackupDest{Kind: handwash.DestCloud, Location: location, AlwaysConnected: boolPtr(true)},
		}
		switch {
		case syncOff:
			t.Detail = "OneDrive sync is turned off by Group Policy"
		case len(moved) == 0:
			t.Detail = "signed in, but Desktop, Documents and Pictures are not in OneDrive"
		default:
			t.Detail = strings.Join(moved, ", ") + " in OneDrive"
		}
		tools = append(tools, t)
	}
	return tools, nil
}

// foldersInside lists which of Desktop, Documents and Pictures Windows keeps
// inside dir, expanding %USERPROFILE% in the User Shell Folders.
func foldersInside(shell regValues, profile, dir string) []string {
	dir = strings.TrimRight(strings.ToLower(dir), `\`) + `\`
	var in []string
	for _, kf := range []struct{ value, name string }{{"Desktop", "Desktop"}, {"Personal", "Documents"}, {"My Pictures", "Pictures"}} {
		p, ok := shell.str(kf.value)
		if !ok {
			continue
		}
		p = expandUserProfile(p, profile)
		if strings.HasPrefix(strings.ToLower(p)+`\`, dir) && !strings.EqualFold(strings.TrimRight(p, `\`)+`\`, dir) {
			in = append(in, kf.name)
		}
	}
	sort.Strings(in)
	return in
}

// expandUserProfile replaces %USERPROFILE% (any case) with the profile path.
func expandUserProfile(p, profile string) string {
	const v = "%userprofile%"
	if i := strings.Index(strings.ToLower(p), v); i >= 0 && profile != "" {
		return p[:i] + profile + p[i+len(v):]
	}
	return p
}

// winServerBackup reads Windows Server Backup's summary (servers, as an
// administrator). No cmdlet means the feature is not installed: no tool.
func winServerBackup(ctx context.Context, h Host) (*handwash.BackupTool, error) {
	out, err := runPowerShell(ctx, h, psServerBackupSummary)
	if err != nil {
		return nil, err
	}
	return parseServerBackupSummary(out)
}

// parseServerBackupSummary reads Get-WBSummary's JSON (PowerShell 5.1
// dates as \/Date(ms)\/).
func parseServerBackupSummary(b []byte) (*handwash.BackupTool, error) {
	var rows []struct {
		LastSuccessfulBackupTime string
		LastBackupTime           string
		LastBackupResultHR       *int64
	}
	if err := decodePSJSON(b, &rows); err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return nil, nil
	}
	r := rows[0]
	t := &handwash.BackupTool{Name: "Windows Server Backup"}
	if ts, ok := parseWinTime(r.LastSuccessfulBackupTime); ok && ts.Year() > 1 {
		t.LastSuccess = &ts
	}
	if ts, ok := parseWinTime(r.LastBackupTime); ok && ts.Year() > 1 {
		t.LastAttempt = &ts
	}
	t.Configured = boolPtr(t.LastAttempt != nil)
	if r.LastBackupResultHR != nil && *r.LastBackupResultHR != 0 {
		t.Detail = fmt.Sprintf("last backup failed (0x%08X)", uint32(*r.LastBackupResultHR))
	}
	return t, nil
}
