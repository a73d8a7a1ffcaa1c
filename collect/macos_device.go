package collect

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/handwash/handwash"
)

// macSystemVersionPlist holds the OS version; it is XML and world-readable.
const macSystemVersionPlist = "/System/Library/CoreServices/SystemVersion.plist"

// collectMacDevice fills the device identity: ID, model, form factor, MDM
// enrolment and Find My.
func collectMacDevice(ctx context.Context, h Host, f *handwash.Facts) error {
	f.Device.Platform = "macos"
	f.Device.Vendor = "Apple"
	// Every Mac runs a graphical login window that people sign in to, even
	// a Mac mini used as a server.
	f.Device.Graphical = boolPtr(true)
	if name, err := h.Hostname(); err == nil {
		f.Device.Hostname = name
	}
	// The machine's architecture, not this program's: an Intel build of
	// Handwash runs under Rosetta on Apple silicon, where hw.optional.arm64
	// still says 1. Intel Macs answer 0 or do not know the name.
	if out, err := macRun(ctx, h, macSysctl, "-n", "hw.optional.arm64"); err == nil {
		if strings.TrimSpace(string(out.Stdout)) == "1" {
			f.Device.Arch = "arm64"
		} else {
			f.Device.Arch = "amd64"
		}
	}

	var hw macHardware
	out, err := macRunOK(ctx, h, macIoreg, "-rd1", "-c", "IOPlatformExpertDevice", "-a")
	if err == nil {
		hw, err = parseIoregPlatform(out)
	}
	if err != nil {
		f.AddMissing("device.id", macReason(err), err.Error())
	} else {
		f.Device.ID = DeviceID(hw.UUID)
		f.Device.Model = hw.Model
		if hw.ProductName != "" {
			f.Device.Model = hw.ProductName
		}
	}

	// A battery section in pmset's settings is the plainest sign of a
	// laptop; model identifiers of Apple-silicon Macs ("Mac14,2") no longer
	// say "Book".
	battery := -1
	if b, err := macRunOK(ctx, h, macPmset, "-g", "custom"); err == nil {
		if _, ok := parsePmsetCustom(b)["Battery Power"]; ok {
			battery = 1
		} else {
			battery = 0
		}
	}
	f.Device.FormFactor = macFormFactor(hw.Model, hw.ProductName, battery)
	if f.Device.FormFactor == handwash.FormUnknown {
		f.AddMissing("device.form_factor", handwash.ReasonError, "neither the model nor the power settings say what kind of Mac this is")
	}

	if out, err := macRunOK(ctx, h, macProfiles, "status", "-type", "enrollment"); err != nil {
		f.AddMissing("device.mdm_enrolled", macReason(err), err.Error())
	} else if enrolled, ok := parseProfilesEnrollment(out); ok {
		f.Device.MDMEnrolled = boolPtr(enrolled)
	} else {
		f.AddMissing("device.mdm_enrolled", handwash.ReasonError, "profiles status: "+macFirstLine(out))
	}

	// Find My Mac leaves its token in NVRAM while it is on; MDM tools (for
	// example Jamf extension attributes) read it the same way. Apple does
	// not document it, so only its presence is taken as a fact: an absent
	// token is reported as unknown, not as "off". The token's value holds
	// the owner's Apple Account and is never kept.
	out2, err := macRun(ctx, h, macNvram, "fmm-mobileme-token-FMM")
	switch {
	case err != nil:
		f.AddMissing("device.find_my", macReason(err), err.Error())
	case out2.ExitCode == 0 && strings.HasPrefix(strings.TrimSpace(string(out2.Stdout)), "fmm-mobileme-token-FMM"):
		f.Device.FindMy = boolPtr(true)
	default:
		f.AddMissing("device.find_my", handwash.ReasonNotSupported, "no Find My Mac token in NVRAM; macOS documents no other local sign, so off and unknown look the same")
	}
	return nil
}

// macHardware is what ioreg says of the machine.
type macHardware struct {
	UUID        string
	Model       string // model identifier, e.g. "MacBookAir10,1" or "Mac14,2"
	ProductName string // marketing name where the firmware gives one
}

// parseIoregPlatform reads `ioreg -rd1 -c IOPlatformExpertDevice -a`: a
// plist array with one dict (or, from other ioreg flags, a root dict with
// IORegistryEntryChildren).
func parseIoregPlatform(b []byte) (macHardware, error) {
	v, err := parsePlist(b)
	if err != nil {
		return macHardware{}, err
	}
	var dev map[string]any
	var find func(v any, depth int)
	find = func(v any, depth int) {
		if dev != nil || depth > 4 {
			return
		}
		switch t := v.(type) {
		case []any:
			for _, e := range t {
				find(e, depth+1)
			}
		case map[string]any:
			if _, ok := t["IOPlatformUUID"]; ok {
				dev = t
				return
			}
			find(t["IORegistryEntryChildren"], depth+1)
		}
	}
	find(v, 0)
	if dev == nil {
		return macHardware{}, fmt.Errorf("ioreg: no IOPlatformUUID")
	}
	var hw macHardware
	hw.UUID, _ = plistString(dev["IOPlatformUUID"])
	hw.Model, _ = plistDataString(dev["model"])
	hw.ProductName, _ = plistDataString(dev["product-name"])
	if strings.TrimSpace(hw.UUID) == "" {
		return macHardware{}, fmt.Errorf("ioreg: empty IOPlatformUUID")
	}
	return hw, nil
}

// macFormFactor decides the form factor from the model identifier, the
// marketing name and whether pmset shows a battery (1), none (0) or could
// not tell (-1).
func macFormFactor(model, product string, battery int) string {
	for _, vm := range []string{"VirtualMac", "VMware", "Parallels", "QEMU"} {
		if strings.HasPrefix(model, vm) {
			return handwash.FormVM
		}
	}
	if strings.Contains(model, "Book") || strings.Contains(product, "Book") {
		return handwash.FormLaptop
	}
	for _, d := range []string{"iMac", "Macmini", "MacPro", "Mac mini", "Mac Pro", "Mac Studio"} {
		if strings.HasPrefix(model, d) || strings.HasPrefix(product, d) {
			return handwash.FormDesktop
		}
	}
	switch battery {
	case 1:
		return handwash.FormLaptop
	case 0:
		// Every Mac without a battery is a desktop (iMac, Mac mini, Mac
		// Studio, Mac Pro); virtual machines were caught above.
		if model != "" {
			return handwash.FormDesktop
		}
	}
	return handwash.FormUnknown
}

// parseProfilesEnrollment reads `profiles status -type enrollment`:
//
//	Enrolled via DEP: No
//	MDM enrollment: Yes (User Approved)
func parseProfilesEnrollment(b []byte) (enrolled, ok bool) {
	for _, line := range strings.Split(string(b), "\n") {
		k, v, found := strings.Cut(line, ":")
		if !found {
			continue
		}
		if strings.EqualFold(strings.TrimSpace(k), "MDM enrollment") {
			v = strings.ToLower(strings.TrimSpace(v))
			return strings.HasPrefix(v, "yes"), strings.HasPrefix(v, "yes") || strings.HasPrefix(v, "no")
		}
	}
	return false, false
}

// parsePmsetCustom reads `pmset -g custom`: a section per power source
// ("Battery Power:", "AC Power:", "UPS Power:") of "key value" lines. Keys
// may hold spaces ("Sleep On Power Button 1"), so the value is the last
// field.
func parsePmsetCustom(b []byte) map[string]map[string]string {
	out := map[string]map[string]string{}
	var cur map[string]string
	for _, line := range strings.Split(string(b), "\n") {
		line = strings.TrimRight(line, "\r")
		if strings.TrimSpace(line) == "" {
			continue
		}
		if line[0] != ' ' && line[0] != '\t' && strings.HasSuffix(line, ":") {
			cur = map[string]string{}
			out[strings.TrimSuffix(line, ":")] = cur
			continue
		}
		if cur == nil {
			continue
		}
		fields := strings.Fields(line)
		if len(fields) < 2 {
			continue
		}
		cur[strings.Join(fields[:len(fields)-1], " ")] = fields[len(fields)-1]
	}
	return out
}

// macCodenames names the macOS releases by major version, for
// OSFacts.Codename. The names are fixed for each release.
var macCodenames = map[int]string{
	10: "", 11: "Big Sur", 12: "Monterey", 13: "Ventura", 14: "Sonoma", 15: "Sequoia", 26: "Tahoe",
}

// collectMacOS fills the OS facts from SystemVersion.plist and uname. The
// plist is read directly rather than through sw_vers: it is the same data
// (osquery's os_version table reads it too) without starting a process.
func collectMacOS(ctx context.Context, h Host, f *handwash.Facts) error {
	v, err := macReadPlistDict(ctx, h, macSystemVersionPlist)
	if err != nil {
		return macTopicMissing(f, "os", err)
	}
	version, _ := plistString(v["ProductVersion"])
	if version == "" {
		return fmt.Errorf("%s has no ProductVersion", macSystemVersionPlist)
	}
	visible, _ := plistString(v["ProductUserVisibleVersion"])
	if visible == "" {
		visible = version
	}
	build, _ := plistString(v["ProductBuildVersion"])
	if version == "10.16" && h.Getenv("SYSTEM_VERSION_COMPAT") != "" {
		// With SYSTEM_VERSION_COMPAT set, macOS 11 and later hand every
		// process (this one too) a compatibility copy that says 10.16.
		return fmt.Errorf("SYSTEM_VERSION_COMPAT is set, so macOS reports 10.16 instead of its real version: run the check without it")
	}
	osf := &handwash.OSFacts{ID: "macos", Version: version, Build: build, Name: "macOS " + visible}
	major, _ := strconv.Atoi(strings.SplitN(version, ".", 2)[0])
	if major == 10 {
		// 10.x releases are named by their minor version (10.15 Catalina).
		minor := strings.SplitN(version+".0", ".", 3)[1]
		osf.Codename = map[string]string{"13": "High Sierra", "14": "Mojave", "15": "Catalina"}[minor]
	} else {
		osf.Codename = macCodenames[major]
	}
	f.OS = osf

	out, err := macRunOK(ctx, h, macUname, "-r")
	if err != nil {
		f.AddMissing("os.kernel", macReason(err), err.Error())
	} else if k := strings.TrimSpace(string(out)); macKernelRe.MatchString(k) {
		osf.Kernel = k // the Darwin (XNU) release, e.g. 24.5.0
	} else {
		f.AddMissing("os.kernel", handwash.ReasonError, "uname -r printed "+strconv.Quote(k))
	}
	return nil
}

var macKernelRe = regexp.MustCompile(`^\d+(\.\d+)*$`)
