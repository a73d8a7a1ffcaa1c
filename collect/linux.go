package collect

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io/fs"
	"path"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/handwash/handwash"
)

// linuxCollectors are the collectors of linux machines. They live in files
// without build tags so their tests run on every platform against recordings.
//
// Each call returns a fresh set that shares one reading of the package
// database, the process list and the console user, so call it once per
// collection: Collect does.
func linuxCollectors() []Collector {
	s := &linuxState{}
	c := func(name string, topics []string, timeout time.Duration, run func(context.Context, Host, *handwash.Facts, *linuxState) error) Collector {
		return Collector{Name: name, Topics: topics, Timeout: timeout, Run: func(ctx context.Context, h Host, f *handwash.Facts) error {
			return run(ctx, h, f, s)
		}}
	}
	return []Collector{
		c("linux-device", nil, 2*time.Second, linuxDevice),
		c("linux-os", []string{"os"}, 2*time.Second, linuxOS),
		// Updates may ask dnf, which reads its cache in Python: give it room.
		c("linux-updates", []string{"updates"}, 4*time.Second, linuxUpdates),
		c("linux-firewall", []string{"firewall"}, 3*time.Second, linuxFirewall),
		c("linux-malware", []string{"malware"}, 2*time.Second, linuxMalware),
		c("linux-encryption", []string{"encryption"}, 2*time.Second, linuxEncryption),
		c("linux-screen-lock", []string{"screen_lock"}, 2*time.Second, linuxScreenLock),
		c("linux-accounts", []string{"accounts"}, 2*time.Second, linuxAccounts),
		c("linux-password-policy", []string{"password_policy"}, 2*time.Second, linuxPasswordPolicy),
		c("linux-remote-access", []string{"remote_access"}, 2*time.Second, linuxRemoteAccess),
		c("linux-smb", []string{"smb"}, 2*time.Second, linuxSMB),
		c("linux-network", []string{"network"}, 2*time.Second, linuxNetwork),
		c("linux-wifi", []string{"wifi"}, 3*time.Second, linuxWiFi),
		c("linux-removable-media", []string{"removable_media"}, 2*time.Second, linuxRemovableMedia),
		c("linux-app-control", []string{"app_control"}, 2*time.Second, linuxAppControl),
		c("linux-backup", []string{"backup"}, 2*time.Second, linuxBackup),
		c("linux-software", []string{"software"}, 3*time.Second, linuxSoftware),
	}
}

// linuxState is what several Linux collectors need and is read once per
// collection: the package database is the largest thing read, and dnf/rpm
// systems can only list it with a command.
type linuxState struct {
	pkgOnce sync.Once
	pkgs    linuxPackageDB

	procOnce sync.Once
	procs    map[string]bool

	userOnce sync.Once
	user     linuxUser

	netOnce sync.Once
	net     []handwash.Listener
	netRead int

	guiOnce  sync.Once
	gui      *bool
	guiWhy   string
	desktops []string
}

// linuxUser is the person the check is about: who ran it (through sudo) or
// who sits at the console.
type linuxUser struct {
	Name string
	UID  string
	Home string
	// Ok is false when nobody could be named.
	Ok bool
}

// processes returns the names (comm) of the running processes. Reading
// /proc needs no root: every process's comm is world-readable.
func (s *linuxState) processes(h Host) map[string]bool {
	s.procOnce.Do(func() {
		s.procs = map[string]bool{}
		pids, err := h.ReadDir("/proc")
		if err != nil {
			return
		}
		for _, pid := range pids {
			if pid == "" || pid[0] < '0' || pid[0] > '9' {
				continue
			}
			b, err := h.ReadFile("/proc/" + pid + "/comm")
			if err != nil {
				continue // the process ended while we looked
			}
			if name := strings.TrimSpace(string(b)); name != "" {
				s.procs[name] = true
			}
		}
	})
	return s.procs
}

// running reports whether a process with one of these names runs. comm is
// cut to 15 bytes by the kernel, so names are compared the same way.
func (s *linuxState) running(h Host, names ...string) bool {
	procs := s.processes(h)
	for _, n := range names {
		if len(n) > 15 {
			n = n[:15]
		}
		if procs[n] {
			return true
		}
	}
	return false
}

// consoleUser names the person the check is about. Run through sudo, that is
// SUDO_USER; run by someone else, that person; run as root by a service, the
// user of the graphical session on seat0 when loginctl can say.
func (s *linuxState) consoleUser(ctx context.Context, h Host) linuxUser {
	s.userOnce.Do(func() {
		name := h.Getenv("SUDO_USER")
		if name == "" && !h.Elevated() {
			name = h.Getenv("USER")
			if name == "" {
				name = h.Getenv("LOGNAME")
			}
			if name == "" {
				if out, err := h.Run(ctx, "id", "-un"); err == nil && out.ExitCode == 0 {
					name = strings.TrimSpace(string(out.Stdout))
				}
			}
		}
		if name == "" && h.Elevated() {
			name = linuxSeatUser(ctx, h)
			if name == "" {
				name = "root"
			}
		}
		if name == "" {
			return
		}
		s.user = linuxUser{Name: name, Ok: true}
		if out, err := h.Run(ctx, "getent", "passwd", name); err == nil && out.ExitCode == 0 {
			if p := strings.Split(strings.TrimSpace(string(out.Stdout)), ":"); len(p) >= 7 {
				s.user.UID, s.user.Home = p[2], p[5]
			}
		}
	})
	return s.user
}

// linuxSeatUser is the user of the session on seat0, from
// "loginctl list-sessions --no-legend" (SESSION UID USER SEAT TTY ...).
func linuxSeatUser(ctx context.Context, h Host) string {
	out, err := h.Run(ctx, "loginctl", "list-sessions", "--no-legend")
	if err != nil || out.ExitCode != 0 {
		return ""
	}
	for _, line := range linuxLines(out.Stdout) {
		f := strings.Fields(line)
		if len(f) >= 4 && f[3] == "seat0" && f[2] != "root" {
			return f[2]
		}
	}
	return ""
}

// runAsUser runs a command as the console user, so per-user settings
// (gsettings, crontab) are theirs and not root's. When the check already
// runs as that user, the command runs directly.
func (s *linuxState) runAsUser(ctx context.Context, h Host, name string, args ...string) (Output, error) {
	u := s.consoleUser(ctx, h)
	if h.Elevated() && u.Ok && u.Name != "root" {
		return h.Run(ctx, "runuser", append([]string{"-u", u.Name, "--", name}, args...)...)
	}
	return h.Run(ctx, name, args...)
}

// graphical reports whether the machine has a graphical desktop people sign
// in to, and how that was decided.
//
// systemd's default target is no help: Debian and Ubuntu ship graphical.target
// as the default even on servers and in containers. What counts is a display
// manager, a desktop session that can be started, or a graphical session now.
func (s *linuxState) graphical(h Host) (bool, string) {
	s.guiOnce.Do(func() {
		s.desktops = linuxDesktops(h)
		t := h.Getenv("XDG_SESSION_TYPE")
		switch {
		case t == "x11" || t == "wayland":
			s.gui, s.guiWhy = boolPtr(true), "graphical session ("+t+")"
		case linuxExists(h, "/etc/systemd/system/display-manager.service"):
			s.gui, s.guiWhy = boolPtr(true), "display manager enabled"
		case len(s.desktops) > 0:
			s.gui, s.guiWhy = boolPtr(true), "desktop sessions installed: "+strings.Join(s.desktops, ", ")
		default:
			s.gui, s.guiWhy = boolPtr(false), "no display manager or desktop session installed"
		}
	})
	return *s.gui, s.guiWhy
}

// linuxDesktops lists the desktop sessions installed (the .desktop files of
// /usr/share/xsessions and wayland-sessions), e.g. "gnome", "plasma".
func linuxDesktops(h Host) []string {
	seen := map[string]bool{}
	var out []string
	for _, dir := range []string{"/usr/share/wayland-sessions", "/usr/share/xsessions"} {
		names, _ := h.ReadDir(dir)
		for _, n := range names {
			if n, ok := strings.CutSuffix(n, ".desktop"); ok && !seen[n] {
				seen[n] = true
				out = append(out, n)
			}
		}
	}
	return out
}

// linuxPkg is one installed package.
type linuxPkg struct {
	Name, Version, Arch string
	// Vendor is rpm's VENDOR tag.
	Vendor string
	// Installed is rpm's INSTALLTIME.
	Installed time.Time
	// Source and SourceVersion are dpkg's Source field: the source package
	// and, when it differs from Version, its version.
	Source, SourceVersion string
}

// linuxPackageDB is the installed packages of the machine's own package
// manager.
type linuxPackageDB struct {
	// Manager is dpkg or rpm; empty when neither database is there.
	Manager string
	Pkgs    []linuxPkg
	// byName maps a package name to its indexes in Pkgs (one per arch).
	byName map[string][]int
	// Err says why the database could not be read.
	Err error
}

// installed returns the installed package with this name (the first arch).
func (db *linuxPackageDB) installed(name string) (linuxPkg, bool) {
	if i, ok := db.byName[name]; ok {
		return db.Pkgs[i[0]], true
	}
	return linuxPkg{}, false
}

func (db *linuxPackageDB) index() {
	db.byName = make(map[string][]int, len(db.Pkgs))
	for i, p := range db.Pkgs {
		db.byName[p.Name] = append(db.byName[p.Name], i)
	}
}

// packages reads the package database once: dpkg's status file where it
// exists (a file read, no dpkg-query process), otherwise rpm -qa.
func (s *linuxState) packages(ctx context.Context, h Host) *linuxPackageDB {
	s.pkgOnce.Do(func() {
		b, err := h.ReadFile("/var/lib/dpkg/status")
		if err == nil {
			s.pkgs.Manager = "dpkg"
			s.pkgs.Pkgs, s.pkgs.Err = parseDpkgStatus(bytes.NewReader(b))
			s.pkgs.index()
			return
		}
		if _, err := h.LookPath("rpm"); err != nil {
			s.pkgs.Err = errors.New("neither /var/lib/dpkg/status nor rpm found")
			return
		}
		s.pkgs.Manager = "rpm"
		out, err := h.Run(ctx, "rpm", "-qa", "--queryformat", linuxRPMQueryFormat)
		if err != nil {
			s.pkgs.Err = err
			return
		}
		if out.ExitCode != 0 {
			s.pkgs.Err = errors.New("rpm -qa: " + linuxFirstLine(out.Stderr))
			return
		}
		s.pkgs.Pkgs = parseRPMQuery(out.Stdout)
		s.pkgs.index()
	})
	return &s.pkgs
}

// linuxRead reads a file as text, "" when it cannot be read.
func linuxRead(h Host, name string) string {
	b, err := h.ReadFile(name)
	if err != nil {
		return ""
	}
	return string(b)
}

// linuxExists reports whether a file or directory exists.
func linuxExists(h Host, name string) bool {
	_, err := h.Stat(name)
	return err == nil
}

// linuxDenied reports whether err is a permission error.
func linuxDenied(err error) bool { return errors.Is(err, fs.ErrPermission) }

// linuxLines splits output into lines without the line ends.
func linuxLines(b []byte) []string {
	s := strings.ReplaceAll(string(b), "\r\n", "\n")
	s = strings.TrimRight(s, "\n")
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}

// linuxFirstLine is the first non-empty line of a message, for details.
func linuxFirstLine(b []byte) string {
	for _, l := range linuxLines(b) {
		if l = strings.TrimSpace(l); l != "" {
			return l
		}
	}
	return ""
}

// parseShellVars reads KEY=value lines as os-release(5), /etc/default/* and
// ufw.conf write them: optional quotes, # comments, no expansion.
func parseShellVars(text string) map[string]string {
	vars := map[string]string{}
	sc := bufio.NewScanner(strings.NewReader(text))
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || line[0] == '#' {
			continue
		}
		line = strings.TrimPrefix(line, "export ")
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			continue
		}
		k = strings.TrimSpace(k)
		v = strings.TrimSpace(v)
		if len(v) >= 2 && (v[0] == '"' || v[0] == '\'') && v[len(v)-1] == v[0] {
			q := v[0]
			v = v[1 : len(v)-1]
			if q == '"' {
				// os-release(5): backslash escapes ", \, $ and `.
				r := strings.NewReplacer(`\"`, `"`, `\\`, `\`, `\$`, `$`, "\\`", "`")
				v = r.Replace(v)
			}
		} else if i := strings.Index(v, " #"); i >= 0 {
			v = strings.TrimSpace(v[:i])
		}
		vars[k] = v
	}
	return vars
}

// parseINI reads an INI file (systemd units, NetworkManager keyfiles, KDE
// and display-manager configs) into section → key → value. Later values win,
// as those programs read them. Keys keep their case.
func parseINI(text string) map[string]map[string]string {
	ini := map[string]map[string]string{"": {}}
	sec := ""
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(strings.TrimSuffix(line, "\r"))
		if line == "" || line[0] == '#' || line[0] == ';' {
			continue
		}
		if line[0] == '[' {
			if end := strings.IndexByte(line, ']'); end > 0 {
				sec = line[1:end]
				if ini[sec] == nil {
					ini[sec] = map[string]string{}
				}
			}
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			continue
		}
		ini[sec][strings.TrimSpace(k)] = strings.TrimSpace(v)
	}
	return ini
}

// linuxBool reads the many spellings of a boolean in Linux config files.
func linuxBool(v string) (bool, bool) {
	switch strings.ToLower(strings.Trim(strings.TrimSpace(v), `"'`)) {
	case "1", "yes", "true", "on", "enable", "enabled":
		return true, true
	case "0", "no", "false", "off", "disable", "disabled":
		return false, true
	}
	return false, false
}

// linuxAtoi parses a decimal integer, ok false when it is not one.
func linuxAtoi(s string) (int, bool) {
	n, err := strconv.Atoi(strings.Trim(strings.TrimSpace(s), `"'`))
	return n, err == nil
}

// linuxUnitEnabled reports whether a systemd unit is enabled, by the links
// systemctl enable makes in /etc/systemd/system/*.wants/. Reading the links
// works when systemd is not running (containers), where systemctl cannot
// answer.
func linuxUnitEnabled(h Host, unit string) bool {
	for _, dir := range []string{"multi-user.target.wants", "timers.target.wants", "sockets.target.wants", "sysinit.target.wants", "graphical.target.wants", "default.target.wants"} {
		names, _ := h.ReadDir(path.Join("/etc/systemd/system", dir))
		for _, n := range names {
			if n == unit {
				return true
			}
		}
	}
	return false
}

// linuxLocation is the machine's time zone, for the local times in logs.
// /etc/localtime is read through the Host so that recordings (which carry
// /etc/timezone instead) replay the same on any machine.
func linuxLocation(h Host) *time.Location {
	if b, err := h.ReadFile("/etc/localtime"); err == nil {
		if loc, err := time.LoadLocationFromTZData("Local", b); err == nil {
			return loc
		}
	}
	if name := strings.TrimSpace(linuxRead(h, "/etc/timezone")); name != "" {
		if loc, err := time.LoadLocation(name); err == nil {
			return loc
		}
	}
	return time.UTC
}
