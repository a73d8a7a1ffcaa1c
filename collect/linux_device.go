package collect

import (
	"context"
	"strings"

	"github.com/handwash/handwash"
)

// linuxDevice fills the device's identity, kind and whether it has a desktop.
func linuxDevice(ctx context.Context, h Host, f *handwash.Facts, s *linuxState) error {
	// Said here too (Collect sets them from the binary) so that a recording
	// replays as the machine it came from on any platform.
	f.Device.Platform = "linux"
	if a := linuxGoArch(strings.TrimSpace(linuxRead(h, "/proc/sys/kernel/arch"))); a != "" {
		f.Device.Arch = a
	}
	id := strings.TrimSpace(linuxRead(h, "/etc/machine-id"))
	if id == "" {
		// Older systems and some containers keep it only for D-Bus.
		id = strings.TrimSpace(linuxRead(h, "/var/lib/dbus/machine-id"))
	}
	if id != "" {
		f.Device.ID = DeviceID(id)
	} else {
		f.AddMissing("device.id", handwash.ReasonNotSupported, "no /etc/machine-id")
	}

	dmi := func(name string) string {
		return linuxDMIValue(linuxRead(h, "/sys/class/dmi/id/"+name))
	}
	f.Device.Vendor = dmi("sys_vendor")
	f.Device.Model = dmi("product_name")
	if v := dmi("product_version"); v != "" && f.Device.Model != "" && strings.HasPrefix(f.Device.Vendor, "LENOVO") {
		// Lenovo puts the marketing name (ThinkPad T14 Gen 3) in
		// product_version and a part number in product_name.
		f.Device.Model = v
	}

	batteries := false
	if names, err := h.ReadDir("/sys/class/power_supply"); err == nil {
		for _, n := range names {
			if strings.HasPrefix(n, "BAT") {
				batteries = true
			}
		}
	}
	virt := linuxVirtualization(h, f.Device.Vendor, f.Device.Model)
	f.Device.FormFactor = linuxFormFactor(virt, strings.TrimSpace(linuxRead(h, "/sys/class/dmi/id/chassis_type")), batteries)

	gui, _ := s.graphical(h)
	f.Device.Graphical = boolPtr(gui)
	return nil
}

// linuxDMIValue cleans a DMI string, dropping the placeholders firmware
// vendors leave in unset fields.
func linuxDMIValue(v string) string {
	v = strings.TrimSpace(v)
	switch strings.ToLower(v) {
	case "", "to be filled by o.e.m.", "default string", "system product name", "system manufacturer", "not applicable", "none", "o.e.m.":
		return ""
	}
	return v
}

// linuxVirtualization names the hypervisor or container the system runs in,
// or "" for bare metal (or when nothing says otherwise).
func linuxVirtualization(h Host, vendor, model string) string {
	if linuxExists(h, "/.dockerenv") {
		return "docker"
	}
	if linuxExists(h, "/run/.containerenv") {
		return "podman"
	}
	if c := strings.TrimSpace(linuxRead(h, "/run/systemd/container")); c != "" {
		return c
	}
	v := strings.ToLower(vendor + " " + model)
	for _, known := range []struct{ substr, name string }{
		{"qemu", "qemu"}, {"kvm", "kvm"}, {"vmware", "vmware"}, {"virtualbox", "virtualbox"},
		{"innotek", "virtualbox"}, {"xen", "xen"}, {"bochs", "bochs"}, {"parallels", "parallels"},
		{"amazon ec2", "amazon"}, {"google compute engine", "google"}, {"openstack", "openstack"},
		{"microsoft corporation virtual machine", "microsoft"}, {"cloud hypervisor", "cloud-hypervisor"},
	} {
		if strings.Contains(v, known.substr) {
			return known.name
		}
	}
	if t := strings.TrimSpace(linuxRead(h, "/sys/hypervisor/type")); t != "" {
		return t
	}
	return ""
}

// linuxFormFactor decides the form factor from the hypervisor, the SMBIOS
// chassis type (DMTF DSP0134, section 7.4.1) and the batteries.
func linuxFormFactor(virt, chassis string, batteries bool) string {
	if virt != "" {
		// A container is not a virtual machine, but it is as far from a
		// physical device: the closest form factor the schema has.
		return handwash.FormVM
	}
	switch chassis {
	case "8", "9", "10", "11", "14", "31", "32": // portable, laptop, notebook, hand held, sub notebook, convertible, detachable
		return handwash.FormLaptop
	case "30": // tablet
		return handwash.FormTablet
	case "3", "4", "5", "6", "7", "13", "15", "16", "24", "35", "36": // desktop, low profile, pizza box, mini tower, tower, all in one, space-saving, lunch box, sealed-case PC, mini PC, stick PC
		return handwash.FormDesktop
	case "17", "23", "25", "28", "29": // main server chassis, rack mount, multi-system, blade, blade enclosure
		return handwash.FormServer
	}
	if batteries {
		return handwash.FormLaptop
	}
	return handwash.FormUnknown
}

// linuxGoArch names the kernel's machine (uname -m) as Go does.
func linuxGoArch(m string) string {
	switch m {
	case "x86_64":
		return "amd64"
	case "aarch64", "arm64":
		return "arm64"
	case "i386", "i486", "i586", "i686":
		return "386"
	case "armv6l", "armv7l", "armv8l":
		return "arm"
	}
	return m
}
