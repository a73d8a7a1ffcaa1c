package collect

import (
	"context"
	"fmt"
	"strings"

	"github.com/handwash/handwash"
)

// AutoPlay and USB storage settings; all readable without administrator
// rights.
const (
	keyExplorerPolicies = `HKLM\SOFTWARE\Microsoft\Windows\CurrentVersion\Policies\Explorer`
	userExplorerPolicy  = `Software\Microsoft\Windows\CurrentVersion\Policies\Explorer`
	userAutoplay        = `Software\Microsoft\Windows\CurrentVersion\Explorer\AutoplayHandlers`
	keyRemovablePolicy  = `HKLM\SOFTWARE\Policies\Microsoft\Windows\RemovableStorageDevices`
	userRemovablePolicy = `Software\Policies\Microsoft\Windows\RemovableStorageDevices`
	removableDiskClass  = `{53f5630d-b6bf-11d0-94f2-00a0c91efb8b}`
	keyStorageMDM       = `HKLM\SOFTWARE\Microsoft\PolicyManager\current\device\Storage`
	keyUSBSTOR          = `HKLM\SYSTEM\CurrentControlSet\Services\USBSTOR`
	keyUASPStor         = `HKLM\SYSTEM\CurrentControlSet\Services\UASPStor`
)

// NoDriveTypeAutoRun bits for the drives people plug in: removable (0x4)
// and CD-ROM (0x20). 0xFF turns AutoRun off for every type.
const autorunRemovableBits = 0x04 | 0x20

func collectWinRemovableMedia(_ context.Context, _ Host, src winSource, f *handwash.Facts) error {
	reg := regRead{src}
	rm := &handwash.RemovableMediaFacts{}
	machine, err := reg.values(keyExplorerPolicies)
	if err != nil {
		return err
	}
	var userPol, userAP, userRS, userDisk regValues
	userKnown := false
	if u, ok := consoleUser(src, f); ok {
		var e1, e2, e3, e4 error
		userPol, e1 = reg.values(userKey(u.SID, userExplorerPolicy))
		userAP, e2 = reg.values(userKey(u.SID, userAutoplay))
		userRS, e3 = reg.values(userKey(u.SID, userRemovablePolicy))
		userDisk, e4 = reg.values(userKey(u.SID, userRemovablePolicy+`\`+removableDiskClass))
		userKnown = e1 == nil && e2 == nil && e3 == nil && e4 == nil
	}
	disabled, detail := winAutorun(machine, userPol, userAP)
	if disabled || userKnown {
		rm.AutorunDisabled = boolPtr(disabled)
	} else {
		f.AddMissing("removable_media.autorun_disabled", handwash.ReasonError, "no machine policy turns AutoPlay off, and the user's own AutoPlay setting could not be read")
	}
	rm.AutorunDetail = detail

	machineRS, err := reg.values(keyRemovablePolicy)
	if err != nil {
		return err
	}
	disk, _ := reg.values(keyRemovablePolicy + `\` + removableDiskClass)
	mdm, _ := reg.values(keyStorageMDM)
	usbstor, _ := reg.values(keyUSBSTOR)
	uasp, _ := reg.values(keyUASPStor)
	rm.USBStorage, rm.USBStorageDetail = winUSBStorage(machineRS, disk, userRS, userDisk, mdm, usbstor, uasp)
	f.RemovableMedia = rm
	return nil
}

// winAutorun decides whether inserted media can start programs or open by
// themselves. Policy can turn AutoRun off for all drives (NoAutorun 1) or by
// drive type (NoDriveTypeAutoRun; the Windows default 0x91 leaves removable
// and CD drives on); a user can turn AutoPlay off (DisableAutoplay 1). With
// none of these AutoPlay is on, the Windows default.
func winAutorun(machine, userPol, userAP regValues) (bool, string) {
	var why []string
	for _, src := range []struct {
		where string
		v     regValues
	}{{"machine policy", machine}, {"user policy", userPol}} {
		if n, ok := src.v.num("NoAutorun"); ok && n == 1 {
			why = append(why, src.where+": NoAutorun 1")
		}
		if n, ok := src.v.num("NoDriveTypeAutoRun"); ok && n&autorunRemovableBits == autorunRemovableBits {
			why = append(why, fmt.Sprintf("%s: NoDriveTypeAutoRun 0x%X", src.where, n))
		}
	}
	if n, ok := userAP.num("DisableAutoplay"); ok && n == 1 {
		why = append(why, "AutoPlay is turned off in Settings")
	}
	if len(why) > 0 {
		return true, strings.Join(why, "; ")
	}
	return false, "AutoPlay is on (the Windows default)"
}

// winUSBStorage decides whether USB drives can be used: Group Policy's
// Removable Storage Access (Deny_All, or the Removable Disks class's
// Deny_Read/Deny_Write), the MDM write block, or the USB storage driver
// disabled. The last leaves UAS drives, which load UASPStor, unless that is
// disabled too.
func winUSBStorage(machineRS, disk, userRS, userDisk, mdm, usbstor, uasp regValues) (string, string) {
	on := func(v regValues, name string) bool { n, ok := v.num(name); return ok && n == 1 }
	switch {
	case on(machineRS, "Deny_All") || on(userRS, "Deny_All"):
		return "blocked", "Group Policy denies all removable storage (Deny_All)"
	case on(disk, "Deny_Read") || on(userDisk, "Deny_Read"):
		return "blocked", "Group Policy denies reading removable disks"
	}
	if start, ok := usbstor.num("Start"); ok && start == 4 {
		if ustart, ok := uasp.num("Start"); ok && ustart == 4 {
			return "blocked", "the USB storage drivers (USBSTOR and UASPStor) are disabled"
		}
		return "blocked", "the USB storage driver (USBSTOR) is disabled; fast UAS drives use UASPStor, which is not"
	}
	switch {
	case on(disk, "Deny_Write") || on(userDisk, "Deny_Write"):
		return "read_only", "Group Policy denies writing to removable disks"
	case on(mdm, "RemovableDiskDenyWriteAccess"):
		return "read_only", "MDM policy denies writing to removable disks"
	}
	return "allowed", ""
}
