package collect

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/handwash/handwash"
)

// BitLocker's WMI class answers only an elevated administrator.
const (
	nsBitLocker           = `root\CIMV2\Security\MicrosoftVolumeEncryption`
	wqlEncryptableVolumes = "SELECT DeviceID, DriveLetter, VolumeType, ProtectionStatus, ConversionStatus, EncryptionMethod FROM Win32_EncryptableVolume"
)

// psBitLockerShell asks Explorer, which shows a padlock on encrypted drives
// to any user, for each fixed drive's BitLocker state. It is the only
// non-administrator source; the property is undocumented.
const psBitLockerShell = `[Console]::OutputEncoding=[Text.Encoding]::UTF8; $s=New-Object -ComObject Shell.Application; Get-CimInstance Win32_LogicalDisk -Filter 'DriveType=3' | ForEach-Object { [pscustomobject]@{Drive=$_.DeviceID; Protection=$s.NameSpace($_.DeviceID + '\').Self.ExtendedProperty('System.Volume.BitLockerProtection')} } | ConvertTo-Json -Compress`

type wmiEncryptableVolume struct {
	DeviceID    string
	DriveLetter *string
	// VolumeType is 0 OS, 1 fixed data, 2 removable.
	VolumeType *uint32
	// ProtectionStatus is 0 off, 1 on, 2 unknown (locked).
	ProtectionStatus *uint32
	// ConversionStatus is 0 decrypted, 1 encrypted, 2 encrypting,
	// 3 decrypting, 4 encryption paused, 5 decryption paused.
	ConversionStatus *uint32
	EncryptionMethod *uint32
}

// protectionRefresher is a source that can ask each volume for its live
// protection status: the ProtectionStatus property is cached and was seen
// stale on build 26100, so osquery calls GetProtectionStatus instead
// (osquery/tables/system/windows/bitlocker_info.cpp). Recordings hold the
// answers already.
type protectionRefresher interface {
	RefreshProtection(vols []wmiEncryptableVolume)
}

func collectWinEncryption(ctx context.Context, h Host, src winSource, f *handwash.Facts) error {
	reason, detail := handwash.ReasonNeedsAdmin, "Win32_EncryptableVolume needs an elevated administrator"
	if h.Elevated() {
		var vols []wmiEncryptableVolume
		err := src.WMI(nsBitLocker, wqlEncryptableVolumes, &vols)
		if err == nil {
			if r, ok := src.(protectionRefresher); ok {
				r.RefreshProtection(vols)
			}
			f.Encryption = &handwash.EncryptionFacts{Volumes: bitLockerVolumes(vols)}
			return nil
		}
		// Explorer's view may still answer.
		reason, detail = reasonFor(err), "Win32_EncryptableVolume: "+err.Error()
	}
	vols, err := shellBitLocker(ctx, h)
	if err != nil {
		f.AddMissing("encryption", reason, detail+"; Explorer's BitLocker state could not be read either: "+err.Error())
		return nil
	}
	f.Encryption = &handwash.EncryptionFacts{Volumes: vols}
	return nil
}

// bitLockerVolumes reads Win32_EncryptableVolume. Device encryption that
// "waits for activation" (its recovery key not yet backed up) is fully
// encrypted but unprotected: the key sits in the clear on the disk, so it
// counts as not encrypted.
func bitLockerVolumes(vols []wmiEncryptableVolume) []handwash.Volume {
	out := []handwash.Volume{}
	for _, v := range vols {
		letter := ""
		if v.DriveLetter != nil {
			letter = strings.TrimSpace(*v.DriveLetter)
		}
		role := handwash.RoleData
		if v.VolumeType != nil {
			switch *v.VolumeType {
			case 0:
				role = handwash.RoleSystem
			case 2:
				role = handwash.RoleRemovable
			}
		}
		if letter == "" && role != handwash.RoleSystem {
			continue // recovery and EFI partitions hold no user data
		}
		vol := handwash.Volume{Name: letter, Role: role, Method: "BitLocker"}
		conv, prot := uint32(99), uint32(99)
		if v.ConversionStatus != nil {
			conv = *v.ConversionStatus
		}
		if v.ProtectionStatus != nil {
			prot = *v.ProtectionStatus
		}
		var details []string
		switch {
		case prot == 1:
			vol.Encrypted = boolPtr(true)
		case prot == 2:
			// Unknown means the volume is locked, which only an encrypted
			// volume can be.
			vol.Encrypted = boolPtr(true)
			details = append(details, "locked")
		case prot == 0 && conv == 1:
			vol.Encrypted = boolPtr(false)
			details = append(details, "encrypted but protection is off (suspended, or waiting for activation)")
		case prot == 0:
			vol.Encrypted = boolPtr(false)
		}
		switch conv {
		case 0:
			details = append(details, "not encrypted")
			vol.Method = ""
		case 2:
			details = append(details, "encrypting")
		case 3:
			details = append(details, "decrypting")
		case 4:
			details = append(details, "encryption paused")
		case 5:
			details = append(details, "decryption paused")
		}
		if v.EncryptionMethod != nil {
			if m := bitLockerMethod(*v.EncryptionMethod); m != "" && conv != 0 {
				details = append(details, m)
			}
		}
		vol.Detail = strings.Join(details, "; ")
		out = append(out, vol)
	}
	sortVolumes(out)
	return out
}

// bitLockerMethod names Win32_EncryptableVolume's EncryptionMethod.
func bitLockerMethod(m uint32) string {
	switch m {
	case 1:
		return "AES-128 with diffuser"
	case 2:
		return "AES-256 with diffuser"
	case 3:
		return "AES-CBC 128"
	case 4:
		return "AES-CBC 256"
	case 5:
		return "hardware encryption"
	case 6:
		return "XTS-AES 128"
	case 7:
		return "XTS-AES 256"
	}
	return ""
}

func sortVolumes(vs []handwash.Volume) {
	rank := map[string]int{handwash.RoleSystem: 0, handwash.RoleData: 1, handwash.RoleRemovable: 2}
	sort.SliceStable(vs, func(i, j int) bool {
		if rank[vs[i].Role] != rank[vs[j].Role] {
			return rank[vs[i].Role] < rank[vs[j].Role]
		}
		return vs[i].Name < vs[j].Name
	})
}

// powershellPath is Windows PowerShell by full path, so a program of the
// same name earlier on PATH is never run instead.
func powershellPath(h Host) string {
	root := h.Getenv("SystemRoot")
	if root == "" {
		root = `C:\Windows`
	}
	return root + `\System32\WindowsPowerShell\v1.0\powershell.exe`
}

// runPowerShell runs a script that prints JSON.
func runPowerShell(ctx context.Context, h Host, script string) ([]byte, error) {
	out, err := h.Run(ctx, powershellPath(h), "-NoProfile", "-NonInteractive", "-Command", script)
	if err != nil {
		return nil, err
	}
	if out.ExitCode != 0 {
		return nil, fmt.Errorf("PowerShell exited with %d: %s", out.ExitCode, strings.TrimSpace(string(out.Stderr)))
	}
	return out.Stdout, nil
}

// shellBitLocker reads Explorer's BitLocker property for each fixed drive.
func shellBitLocker(ctx context.Context, h Host) ([]handwash.Volume, error) {
	out, err := runPowerShell(ctx, h, psBitLockerShell)
	if err != nil {
		return nil, err
	}
	return parseShellBitLocker(out, h.Getenv("SystemDrive"))
}

// parseShellBitLocker reads the script's JSON. System.Volume.BitLockerProtection
// is undocumented; observed values: 1 on, 2 off, 3 encrypting, 4 decrypting,
// 5 suspended, 6 on and locked (https://stackoverflow.com/questions/41308245).
// Anything else, or no value, is not guessed at.
func parseShellBitLocker(b []byte, systemDrive string) ([]handwash.Volume, error) {
	var rows []struct {
		Drive      string
		Protection *int
	}
	if err := decodePSJSON(b, &rows); err != nil {
		return nil, err
	}
	if systemDrive == "" {
		systemDrive = "C:"
	}
	out := []handwash.Volume{}
	for _, r := range rows {
		v := handwash.Volume{Name: r.Drive, Role: handwash.RoleData}
		if strings.EqualFold(r.Drive, systemDrive) {
			v.Role = handwash.RoleSystem
		}
		p := -1
		if r.Protection != nil {
			p = *r.Protection
		}
		switch p {
		case 1:
			v.Encrypted, v.Method = boolPtr(true), "BitLocker"
		case 6:
			v.Encrypted, v.Method, v.Detail = boolPtr(true), "BitLocker", "locked"
		case 2:
			v.Encrypted, v.Detail = boolPtr(false), "BitLocker off"
		case 3:
			v.Encrypted, v.Method, v.Detail = boolPtr(false), "BitLocker", "encrypting"
		case 4:
			v.Encrypted, v.Method, v.Detail = boolPtr(false), "BitLocker", "decrypting"
		case 5:
			v.Encrypted, v.Method, v.Detail = boolPtr(false), "BitLocker", "suspended"
		default:
			v.Detail = fmt.Sprintf("Explorer's BitLocker state is unknown (%d)", p)
		}
		out = append(out, v)
	}
	sortVolumes(out)
	return out, nil
}
