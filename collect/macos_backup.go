package collect

import (
	"context"
	"errors"
	"io/fs"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/handwash/handwash"
)

// macTimeMachinePlist holds Time Machine's settings and each destination's
// history; reading it may need Full Disk Access.
const macTimeMachinePlist = "/Library/Preferences/com.apple.TimeMachine.plist"

// collectMacBackup reports Time Machine: its destinations (tmutil
// destinationinfo -X), whether it backs up by itself, when each
// destination last got a backup and whether it is encrypted (from its
// preferences, which keep these even while the disk is away), and whether
// local snapshots exist. `tmutil latestbackup` is not used: it fails when
// the disk is not attached.
func collectMacBackup(ctx context.Context, h Host, f *handwash.Facts) error {
	out, err := macRun(ctx, h, macTmutil, "destinationinfo", "-X")
	if err != nil {
		return macTopicMissing(f, "backup", err)
	}
	dests, err := parseTmutilDestinations(out)
	if err != nil {
		return macTopicMissing(f, "backup", err)
	}
	b := &handwash.BackupFacts{Tools: []handwash.BackupTool{}}
	f.Backup = b

	prefs, perr := macReadPlistDict(ctx, h, macTimeMachinePlist)
	if errors.Is(perr, fs.ErrNotExist) {
		prefs, perr = map[string]any{}, nil
	}
	prefsWhy := func() (string, string) {
		if errors.Is(perr, fs.ErrPermission) {
			return handwash.ReasonNeedsAdmin, "Time Machine's settings need Full Disk Access to read: give the check Full Disk Access"
		}
		return macReason(perr), perr.Error()
	}

	if len(dests) == 0 {
		// Time Machine is part of macOS, so it is always there to report.
		b.Tools = append(b.Tools, handwash.BackupTool{Name: "Time Machine", Configured: boolPtr(false), Automatic: boolPtr(false), Detail: "no backup destination set up"})
	}
	for i, d := range dests {
		tool := handwash.BackupTool{Name: "Time Machine", Configured: boolPtr(true), Detail: "destination " + d.Name}
		dest := &handwash.BackupDest{Kind: handwash.DestUnknown, Location: d.Name}
		switch d.Kind {
		case "Local":
			// An attached disk; Time Machine cannot say whether it stays attached.
			dest.Kind = handwash.DestRemovableDisk
			if d.MountPoint != "" {
				dest.Location = d.MountPoint
			}
		case "Network":
			dest.Kind = handwash.DestNetworkShare
			if d.URL != "" {
				dest.Location = macStripURLUser(d.URL)
			}
		}
		tool.Destination = dest
		fact := "backup.tools[" + strconv.Itoa(i) + "]"
		if perr != nil {
			reason, detail := prefsWhy()
			f.AddMissing(fact+".last_success", reason, detail)
			f.AddMissing(fact+".destination.encrypted", reason, detail)
		} else {
			hist := macTimeMachineDestination(prefs, d.ID)
			tool.LastSuccess, tool.LastAttempt = hist.lastSuccess, hist.lastAttempt
			dest.Encrypted = hist.encrypted
			if tool.LastSuccess == nil {
				f.AddMissing(fact+".last_success", handwash.ReasonNotSupported, "Time Machine records no completed backup to this destination")
			}
			if dest.Encrypted == nil {
				f.AddMissing(fact+".destination.encrypted", handwash.ReasonNotSupported, "Time Machine records no encryption state for this destination")
			}
		}
		// AutoBackup is "Back up automatically"; it applies to every
		// destination.
		if perr != nil {
			reason, detail := prefsWhy()
			f.AddMissing(fact+".automatic", reason, detail)
		} else if v, ok := plistBool(prefs["AutoBackup"]); ok {
			tool.Automatic = boolPtr(v)
		} else {
			f.AddMissing(fact+".automatic", handwash.ReasonNotSupported, "Time Machine's settings hold no AutoBackup value")
		}
		b.Tools = append(b.Tools, tool)
	}

	snaps, err := macRunOK(ctx, h, macTmutil, "listlocalsnapshots", "/")
	if err != nil {
		f.AddMissing("backup.restore_points", macReason(err), err.Error())
	} else {
		b.RestorePoints = boolPtr(countLocalSnapshots(snaps) > 0)
	}
	return nil
}

// macTMDestination is one destination from `tmutil destinationinfo -X`.
type macTMDestination struct {
	Name, Kind, ID, MountPoint, URL string
}

// parseTmutilDestinations reads `tmutil destinationinfo -X`: a plist dict
// with an array Destinations of dicts (Kind "Local" or "Network", Name, ID,
// MountPoint when mounted, URL for network shares). With none configured,
// tmutil says "No destinations configured." (and exits non-zero) or prints
// an empty dict.
func parseTmutilDestinations(out Output) ([]macTMDestination, error) {
	text := string(out.Stdout) + string(out.Stderr)
	if strings.Contains(text, "No destinations configured") {
		return []macTMDestination{}, nil
	}
	if out.ExitCode != 0 {
		return nil, &macExitError{tool: "tmutil", code: out.ExitCode, msg: macFirstLine(out.Stderr, out.Stdout)}
	}
	v, err := parsePlist(out.Stdout)
	if errors.Is(err, errPlistEmpty) && strings.TrimSpace(string(out.Stdout)) == "" {
		return []macTMDestination{}, nil
	}
	if err != nil {
		return nil, err
	}
	list, _ := plistGet(v, "Destinations").([]any)
	dests := []macTMDestination{}
	for _, e := range list {
		var d macTMDestination
		d.Name, _ = plistString(plistGet(e, "Name"))
		d.Kind, _ = plistString(plistGet(e, "Kind"))
		d.ID, _ = plistString(plistGet(e, "ID"))
		d.MountPoint, _ = plistString(plistGet(e, "MountPoint"))
		d.URL, _ = plistString(plistGet(e, "URL"))
		dests = append(dests, d)
	}
	return dests, nil
}

// macStripURLUser removes the user name and password from a share's URL.
func macStripURLUser(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		if i := strings.LastIndex(s, "@"); i >= 0 {
			if j := strings.Index(s, "://"); j >= 0 && j < i {
				return s[:j+3] + s[i+1:]
			}
		}
		return s
	}
	u.User = nil
	return u.String()
}

// macTMHistory is what com.apple.TimeMachine.plist records of one
// destination.
type macTMHistory struct {
	lastSuccess, lastAttempt *time.Time
	encrypted                *bool
}

// macTimeMachineDestination finds the destination with this ID in
// com.apple.TimeMachine.plist: SnapshotDates (completed backups, on older
// releases) and ReferenceLocalSnapshotDate (the snapshot the last completed
// backup was made from) give the last success, AttemptDates the last
// attempt, and LastKnownEncryptionState ("Encrypted", "NotEncrypted")
// whether it is encrypted.
func macTimeMachineDestination(prefs map[string]any, id string) macTMHistory {
	var h macTMHistory
	list, _ := prefs["Destinations"].([]any)
	for _, e := range list {
		if did, _ := plistString(plistGet(e, "DestinationID")); id != "" && !strings.EqualFold(did, id) {
			continue
		}
		latest := func(dst **time.Time, v any) {
			var ts []any
			switch t := v.(type) {
			case []any:
				ts = t
			default:
				ts = []any{t}
			}
			for _, x := range ts {
				if t, ok := plistTime(x); ok && (*dst == nil || t.After(**dst)) {
					*dst = &t
				}
			}
		}
		latest(&h.lastSuccess, plistGet(e, "SnapshotDates"))
		latest(&h.lastSuccess, plistGet(e, "ReferenceLocalSnapshotDate"))
		latest(&h.lastAttempt, plistGet(e, "AttemptDates"))
		switch s, _ := plistString(plistGet(e, "LastKnownEncryptionState")); s {
		case "Encrypted":
			h.encrypted = boolPtr(true)
		case "NotEncrypted":
			h.encrypted = boolPtr(false)
		}
		break
	}
	if h.lastSuccess != nil && (h.lastAttempt == nil || h.lastSuccess.After(*h.lastAttempt)) {
		h.lastAttempt = h.lastSuccess
	}
	return h
}

// countLocalSnapshots counts Time Machine's local snapshots in `tmutil
// listlocalsnapshots /` ("com.apple.TimeMachine.2025-06-01-101530.local",
// after a "Snapshots for disk /:" heading on recent releases).
func countLocalSnapshots(b []byte) int {
	n := 0
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "com.apple.TimeMachine.") {
			n++
		}
	}
	return n
}
