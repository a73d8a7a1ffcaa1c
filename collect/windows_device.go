package collect

import (
	"context"
	"regexp"
	"strconv"
	"strings"

	"github.com/handwash/handwash"
)

// Registry keys the device and OS collectors read (no administrator rights
// needed for any of them).
const (
	keyCurrentVersion = `HKLM\SOFTWARE\Microsoft\Windows NT\CurrentVersion`
	keyCryptography   = `HKLM\SOFTWARE\Microsoft\Cryptography`
	keyProductOptions = `HKLM\SYSTEM\CurrentControlSet\Control\ProductOptions`
	keySessionEnv     = `HKLM\SYSTEM\CurrentControlSet\Control\Session Manager\Environment`
	keyEnrollments    = `HKLM\SOFTWARE\Microsoft\Enrollments`
	keyFindMyPolicy   = `HKLM\SOFTWARE\Policies\Microsoft\FindMyDevice`
)

// WMI queries of the device collector (no administrator rights needed).
const (
	wqlComputerSystem = "SELECT Manufacturer, Model, PCSystemType FROM Win32_ComputerSystem"
	wqlEnclosure      = "SELECT ChassisTypes FROM Win32_SystemEnclosure"
	wqlBattery        = "SELECT DeviceID FROM Win32_Battery"
)

type wmiComputerSystem struct {
	Manufacturer string
	Model        string
	// PCSystemType is WMI's power platform role: 1 desktop, 2 mobile,
	// 3 workstation, 4 enterprise server, 5 SOHO server, 6 appliance,
	// 7 performance server, 8 slate.
	PCSystemType *uint16
}

// wmiEnclosure is Win32_SystemEnclosure. WMI hands uint16 arrays to
// automation clients as VT_I4 elements, hence int32.
type wmiEnclosure struct{ ChassisTypes []int32 }

type wmiBattery struct{ DeviceID string }

func collectWinDevice(_ context.Context, _ Host, src winSource, f *handwash.Facts) error {
	reg := regRead{src}
	d := &f.Device
	d.Platform = "windows"

	if v, err := reg.values(keyCryptography); err != nil {
		f.AddMissing("device.id", reasonFor(err), "MachineGuid: "+err.Error())
	} else if g, ok := v.str("MachineGuid"); ok {
		d.ID = DeviceID(g)
	} else {
		f.AddMissing("device.id", handwash.ReasonError, "the registry has no MachineGuid")
	}
	if v, err := reg.values(keySessionEnv); err == nil {
		// The machine's architecture, not this process's (a 32-bit build
		// under WOW64 would say 386).
		if a, ok := v.str("PROCESSOR_ARCHITECTURE"); ok {
			d.Arch = winArch(a)
		}
	}

	cv, _ := reg.values(keyCurrentVersion)
	po, _ := reg.values(keyProductOptions)
	productType, _ := po.str("ProductType")
	installType, _ := cv.str("InstallationType")
	if g := winGraphical(installType); g != nil {
		d.Graphical = g
	}

	var cs []wmiComputerSystem
	csErr := src.WMI(`root\cimv2`, wqlComputerSystem, &cs)
	var encl []wmiEnclosure
	_ = src.WMI(`root\cimv2`, wqlEnclosure, &encl)
	var batteries []wmiBattery
	battErr := src.WMI(`root\cimv2`, wqlBattery, &batteries)
	var sys wmiComputerSystem
	if csErr == nil && len(cs) > 0 {
		sys = cs[0]
		d.Vendor = strings.TrimSpace(sys.Manufacturer)
		d.Model = strings.TrimSpace(sys.Model)
	}
	var chassis []uint16
	for _, e := range encl {
		for _, c := range e.ChassisTypes {
			chassis = append(chassis, uint16(c))
		}
	}
	var battery *bool
	if battErr == nil {
		battery = boolPtr(len(batteries) > 0)
	}
	d.FormFactor = winFormFactor(sys, productType, chassis, battery)

	if j, err := src.JoinInfo(); err == nil {
		d.Join = winJoin(j)
	} else {
		f.AddMissing("device.join", reasonFor(err), err.Error())
	}

	if enrolled, err := winMDMEnrolled(reg); err == nil {
		d.MDMEnrolled = boolPtr(enrolled)
	} else {
		f.AddMissing("device.mdm_enrolled", reasonFor(err), err.Error())
	}

	// Find my device keeps no documented local record of whether it is on;
	// only a policy that turns it off is certain.
	if v, err := reg.values(keyFindMyPolicy); err == nil {
		if n, ok := v.num("AllowFindMyDevice"); ok && n == 0 {
			d.FindMy = boolPtr(false)
		}
	}
	if d.FindMy == nil {
		f.AddMissing("device.find_my", handwash.ReasonNotSupported, "Windows keeps no documented local record of whether Find my device is on")
	}
	return nil
}

// winArch turns PROCESSOR_ARCHITECTURE into Go's names.
func winArch(a string) string {
	switch strings.ToUpper(strings.TrimSpace(a)) {
	case "AMD64":
		return "amd64"
	case "ARM64":
		return "arm64"
	case "X86":
		return "386"
	}
	return strings.ToLower(a)
}

// winGraphical reads CurrentVersion's InstallationType: Server Core and
// Nano Server have no desktop; Client and Server (with Desktop Experience)
// do.
func winGraphical(installType string) *bool {
	switch strings.ToLower(strings.TrimSpace(installType)) {
	case "client", "server":
		return boolPtr(true)
	case "server core", "nano server":
		return boolPtr(false)
	}
	return nil
}

var vmModel = regexp.MustCompile(`(?i)virtual machine|vmware|virtualbox|kvm|qemu|hvm domu|parallels|bochs|amazon ec2|google compute engine`)

// winFormFactor decides the form factor: a virtual machine first (its
// chassis is made up), then a server edition, then SMBIOS chassis types,
// then WMI's platform role, then a battery.
func winFormFactor(sys wmiComputerSystem, productType string, chassis []uint16, battery *bool) string {
	if vmModel.MatchString(sys.Model) || vmModel.MatchString(sys.Manufacturer) {
		return handwash.FormVM
	}
	if pt := strings.ToLower(productType); pt == "servernt" || pt == "lanmannt" {
		return handwash.FormServer
	}
	for _, c := range chassis {
		if ff := chassisForm(c); ff != "" {
			return ff
		}
	}
	if sys.PCSystemType != nil {
		switch *sys.PCSystemType {
		case 1, 3, 6:
			return handwash.FormDesktop
		case 2:
			return handwash.FormLaptop
		case 4, 5, 7:
			return handwash.FormServer
		case 8:
			return handwash.FormTablet
		}
	}
	if battery != nil && *battery {
		return handwash.FormLaptop
	}
	return handwash.FormUnknown
}

// chassisForm maps an SMBIOS chassis type (DMTF DSP0134 7.4.1) to a form
// factor; "" for Other, Unknown and parts of a chassis.
func chassisForm(c uint16) string {
	switch c {
	case 8, 9, 10, 14, 31, 32: // portable, laptop, notebook, sub notebook, convertible, detachable
		return handwash.FormLaptop
	case 11, 30: // hand held, tablet
		return handwash.FormTablet
	case 3, 4, 5, 6, 7, 13, 15, 16, 24, 34, 35, 36: // desktops, towers, all in one, mini PC, stick PC
		return handwash.FormDesktop
	case 17, 23, 25, 28, 29: // main server chassis, rack mount, multi-system, blade, blade enclosure
		return handwash.FormServer
	}
	return ""
}

// winJoin names how the device is managed. NetGetAadJoinInformation's join
// type 1 is a device join (Entra, or hybrid with a domain); 2 is only a work
// account added to a personal device, which does not manage the device.
func winJoin(j joinInfo) string {
	domain := j.Status == 3
	entra := j.AADJoinType == 1
	switch {
	case domain && entra:
		return "hybrid"
	case domain:
		return "domain"
	case entra:
		return "entra"
	}
	return "workgroup"
}

var guidKey = regexp.MustCompile(`^\{?[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}\}?$`)

// winMDMEnrolled looks for an MDM enrolment: a GUID key under Enrollments
// with a ProviderID ("MS DM Server" for Intune). Other subkeys (Context,
// Status, ValidNodePaths) are bookkeeping.
func winMDMEnrolled(reg regRead) (bool, error) {
	subs, err := reg.subkeys(keyEnrollments)
	if err != nil {
		return false, err
	}
	for _, s := range subs {
		if !guidKey.MatchString(s) {
			continue
		}
		v, err := reg.values(keyEnrollments + `\` + s)
		if err != nil {
			return false, err
		}
		if p, ok := v.str("ProviderID"); ok && strings.TrimSpace(p) != "" {
			return true, nil
		}
	}
	return false, nil
}

// ESU licences: Windows 10 Extended Security Updates add-on MAK licence IDs
// for years 1 to 3 (https://learn.microsoft.com/windows/whats-new/enable-extended-security-updates).
var esuLicenceIDs = []string{
	"f520e45e-7413-4a34-a497-d2765967d094",
	"1043add5-23b1-4afb-9a0f-64343c8f3f8d",
	"83d49986-add3-41d7-ba33-87c7bfb5c0fb",
}

// wqlESU asks only for the ESU licences: the full SoftwareLicensingProduct
// class takes seconds.
var wqlESU = "SELECT ID, LicenseStatus FROM SoftwareLicensingProduct WHERE ID='" + strings.Join(esuLicenceIDs, "' OR ID='") + "'"

type wmiLicence struct {
	ID string
	// LicenseStatus is 0 unlicensed, 1 licensed, 2–6 grace or notification.
	LicenseStatus uint32
}

// lastNonESUBuild is the last Windows 10 22H2 revision released to everyone
// (KB5066791, 14 October 2025): a higher revision on build 19045 means ESU
// updates are arriving, which is the only local evidence of consumer ESU.
const lastNonESUBuild = 6456

func collectWinOS(_ context.Context, _ Host, src winSource, f *handwash.Facts) error {
	cv, err := src.RegValues(keyCurrentVersion)
	if err != nil {
		return err
	}
	osf := winOSFromRegistry(cv)
	f.OS = osf
	build, _ := strconv.Atoi(osf.Build)
	switch {
	case build >= 22000:
		f.AddMissing("os.extended_support", handwash.ReasonNotSupported, "Extended Security Updates are a Windows 10 programme")
	case isLTSC(osf.Edition):
		f.AddMissing("os.extended_support", handwash.ReasonNotSupported, "LTSC editions have their own support lifecycle; ESU does not apply")
	default:
		var lic []wmiLicence
		err := src.WMI(`root\cimv2`, wqlESU, &lic)
		osf.ExtendedSupport = winESU(build, osf.Revision, lic, err)
		if osf.ExtendedSupport == nil {
			f.AddMissing("os.extended_support", reasonFor(err), "could not read the ESU licence: "+err.Error())
		}
	}
	return nil
}

// winOSFromRegistry reads CurrentVersion. ProductName says "Windows 10" on
// Windows 11 too, so the build decides.
func winOSFromRegistry(cv regValues) *handwash.OSFacts {
	osf := &handwash.OSFacts{ID: "windows"}
	name, _ := cv.str("ProductName")
	osf.Build, _ = cv.str("CurrentBuild")
	if osf.Build == "" {
		osf.Build, _ = cv.str("CurrentBuildNumber")
	}
	if build, err := strconv.Atoi(osf.Build); err == nil && build >= 22000 {
		name = strings.Replace(name, "Windows 10", "Windows 11", 1)
	}
	osf.Name = name
	if osf.Build != "" {
		osf.Version = "10.0." + osf.Build
	}
	if ubr, ok := cv.num("UBR"); ok {
		osf.Revision = intPtr(int(ubr))
	}
	osf.Edition, _ = cv.str("EditionID")
	osf.DisplayVersion, _ = cv.str("DisplayVersion")
	if osf.DisplayVersion == "" {
		// Before 20H2 the release was ReleaseId ("1909").
		osf.DisplayVersion, _ = cv.str("ReleaseId")
	}
	return osf
}

// winESU decides whether Windows 10 gets Extended Security Updates: an
// activated ESU licence, or ESU-only updates already installed.
func winESU(build int, revision *int, lic []wmiLicence, licErr error) *bool {
	updatesArriving := build == 19045 && revision != nil && *revision > lastNonESUBuild
	if licErr == nil {
		for _, l := range lic {
			if l.LicenseStatus == 1 {
				return boolPtr(true)
			}
		}
		return boolPtr(updatesArriving)
	}
	if updatesArriving {
		return boolPtr(true)
	}
	return nil
}

// isLTSC says whether an EditionID is a Long-Term Servicing Channel edition
// (EnterpriseS, EnterpriseSN, IoTEnterpriseS, IoTEnterpriseSK).
func isLTSC(edition string) bool {
	return strings.Contains(strings.ToLower(edition), "enterprises")
}
