package collect

import (
	"context"
	"fmt"
	"strings"

	"github.com/handwash/handwash"
)

// linuxRemovableMedia fills USB storage (whether the usb-storage driver can
// load, or USBGuard blocks devices) and auto-run (GNOME's media handling).
func linuxRemovableMedia(ctx context.Context, h Host, f *handwash.Facts, s *linuxState) error {
	r := &handwash.RemovableMediaFacts{}
	r.USBStorage, r.USBStorageDetail = linuxUSBStorage(h, s)

	gui, why := s.graphical(h)
	switch kind := linuxDesktopKind(h, s); {
	case !gui:
		f.AddMissing("removable_media.autorun_disabled", handwash.ReasonNotSupported, "no graphical desktop ("+why+")")
	case kind == "gnome":
		m, err := linuxGSettings(ctx, h, s, "org.gnome.desktop.media-handling")
		if err != nil {
			f.AddMissing("removable_media.autorun_disabled", handwash.ReasonError, err.Error())
			break
		}
		if never, ok := linuxBool(m["autorun-never"]); ok {
			r.AutorunDisabled = boolPtr(never)
		}
		r.AutorunDetail = fmt.Sprintf("GNOME media-handling: autorun-never=%s, automount=%s, automount-open=%s",
			m["autorun-never"], m["automount"], m["automount-open"])
	default:
		f.AddMissing("removable_media.autorun_disabled", handwash.ReasonNotSupported, "desktop not covered: "+kind)
	}
	f.RemovableMedia = r
	return nil
}

// linuxUSBStorage decides whether USB storage can be used: USBGuard
// blocking unknown devices, a modprobe.d rule that stops usb-storage
// loading ("install usb-storage /bin/false", or "blacklist usb-storage"
// while it is not loaded), or none of those. The modprobe.d files are read
// directly, so no kmod is needed and containers answer too.
func linuxUSBStorage(h Host, s *linuxState) (string, string) {
	if s.running(h, "usbguard-daemon") {
		conf := parseShellVars(linuxRead(h, "/etc/usbguard/usbguard-daemon.conf"))
		// The file is root-only; usbguard's own default is block.
		if t := conf["ImplicitPolicyTarget"]; t == "" || t == "block" || t == "reject" {
			return "blocked", "USBGuard runs and blocks devices its rules do not allow"
		}
	}
	install, blacklist := "", ""
	for _, dir := range []string{"/etc/modprobe.d", "/run/modprobe.d", "/usr/local/lib/modprobe.d", "/usr/lib/modprobe.d", "/lib/modprobe.d"} {
		names, _ := h.ReadDir(dir)
		for _, n := range names {
			if !strings.HasSuffix(n, ".conf") {
				continue
			}
			i, b := parseModprobeConf(linuxRead(h, dir+"/"+n), "usb_storage")
			if i != "" && install == "" {
				install = i + " (" + dir + "/" + n + ")"
			}
			if b && blacklist == "" {
				blacklist = dir + "/" + n
			}
		}
	}
	if install != "" {
		return "blocked", "modprobe.d: install usb-storage " + install
	}
	kernel := strings.TrimSpace(linuxRead(h, "/proc/sys/kernel/osrelease"))
	if strings.Contains(linuxRead(h, "/lib/modules/"+kernel+"/modules.builtin"), "/usb-storage.ko") {
		return "allowed", "usb-storage is built into the kernel and cannot be blocked by modprobe.d"
	}
	loaded := linuxExists(h, "/sys/module/usb_storage")
	switch {
	case blacklist != "" && loaded:
		return "allowed", "usb-storage is blacklisted in " + blacklist + " but loaded"
	case blacklist != "":
		return "blocked", "usb-storage is blacklisted in " + blacklist + " (not loaded automatically)"
	}
	return "allowed", "no USBGuard or modprobe.d rule stops usb-storage"
}

// parseModprobeConf reads modprobe.d(5) for a module (dashes and
// underscores are the same to modprobe) and returns the command of an
// install line that does not load it (/bin/false, /bin/true), and whether
// it is blacklisted.
func parseModprobeConf(text, module string) (install string, blacklist bool) {
	norm := func(s string) string { return strings.ReplaceAll(s, "-", "_") }
	for _, line := range strings.Split(text, "\n") {
		f := strings.Fields(line)
		if len(f) < 2 || strings.HasPrefix(f[0], "#") || norm(f[1]) != module {
			continue
		}
		switch f[0] {
		case "blacklist":
			blacklist = true
		case "install":
			cmd := strings.Join(f[2:], " ")
			if cmd != "" && !strings.Contains(cmd, "modprobe") && !strings.Contains(cmd, "insmod") {
				install = cmd
			}
		}
	}
	return install, blacklist
}
