package collect

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"io"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/handwash/handwash"
	"github.com/handwash/handwash/vercmp"
)

// linuxUpdates fills how the machine gets security updates, from apt's or
// dnf's own files and logs.
func linuxUpdates(ctx context.Context, h Host, f *handwash.Facts, s *linuxState) error {
	db := s.packages(ctx, h)
	u := &handwash.UpdateFacts{}
	switch db.Manager {
	case "dpkg":
		linuxAptUpdates(ctx, h, f, db, u)
	case "rpm":
		linuxDnfUpdates(ctx, h, f, db, u)
	default:
		f.AddMissing("updates", handwash.ReasonNotSupported, "no dpkg or rpm package database")
		return nil
	}
	linuxRebootRequired(ctx, h, f, db, u)
	f.Updates = u
	return nil
}

// linuxAptUpdates reads apt's configuration, its downloaded security lists
// and its history.
//
// Pending security updates come from the lists apt already downloaded
// (/var/lib/apt/lists/*-security_*_Packages*), each compared with the
// installed version by dpkg's rules. apt-get -s upgrade would say the same
// but takes seconds when apt has no binary cache, far over the budget of a
// check. Non-security updates are not listed: that would mean reading the
// whole archive index (tens of megabytes).
func linuxAptUpdates(ctx context.Context, h Host, f *handwash.Facts, db *linuxPackageDB, u *handwash.UpdateFacts) {
	// Automatic updates: both periodic values on and the tool installed.
	out, err := h.Run(ctx, "apt-config", "dump")
	switch {
	case err != nil:
		f.AddMissing("updates.automatic", handwash.ReasonNotInstalled, "apt-config: "+err.Error())
	case out.ExitCode != 0:
		f.AddMissing("updates.automatic", handwash.ReasonError, "apt-config dump: "+linuxFirstLine(out.Stderr))
	default:
		conf := parseAptConfig(out.Stdout)
		lists, upgrade := conf["APT::Periodic::Update-Package-Lists"], conf["APT::Periodic::Unattended-Upgrade"]
		_, installed := db.installed("unattended-upgrades")
		switch {
		case !installed:
			u.Automatic, u.AutomaticDetail = boolPtr(false), "unattended-upgrades is not installed"
		case !linuxAptPeriodicOn(upgrade):
			u.Automatic, u.AutomaticDetail = boolPtr(false), `APT::Periodic::Unattended-Upgrade is "`+upgrade+`"`
		case !linuxAptPeriodicOn(lists):
			u.Automatic, u.AutomaticDetail = boolPtr(false), `APT::Periodic::Update-Package-Lists is "`+lists+`"`
		default:
			u.Automatic, u.AutomaticDetail = boolPtr(true), "unattended-upgrades"
		}
	}

	sec, err := linuxAptSecurityLists(h)
	switch {
	case err != nil:
		f.AddMissing("updates.pending", handwash.ReasonError, err.Error())
	case len(sec.files) == 0:
		f.AddMissing("updates.pending", handwash.ReasonNotSupported, "no security package list in /var/lib/apt/lists (no security source, or apt update never ran)")
	default:
		u.Pending = linuxPendingSecurity(db.Pkgs, sec.versions)
	}
	if !sec.date.IsZero() {
		d := sec.date
		u.LastChecked = &d
	} else {
		f.AddMissing("updates.last_checked", handwash.ReasonNotSupported, "no InRelease file with a Date in /var/lib/apt/lists")
	}

	loc := linuxLocation(h)
	if t, ok := linuxAptLastUpgrade(h, loc); ok {
		u.LastInstalled = &t
	} else {
		f.AddMissing("updates.last_installed", handwash.ReasonNotSupported, "no upgrade recorded in /var/log/apt/history.log or /var/log/dpkg.log")
	}
}

// parseAptConfig reads apt-config dump: lines of `Key "value";`.
func parseAptConfig(b []byte) map[string]string {
	conf := map[string]string{}
	for _, line := range linuxLines(b) {
		k, v, ok := strings.Cut(strings.TrimSpace(line), " ")
		if !ok {
			continue
		}
		v = strings.TrimSuffix(strings.TrimSpace(v), ";")
		conf[k] = strings.Trim(v, `"`)
	}
	return conf
}

// linuxAptPeriodicOn reads an APT::Periodic value: a number of days
// ("0" or unset is off), or "always".
func linuxAptPeriodicOn(v string) bool {
	v = strings.TrimSpace(v)
	if v == "" {
		return false
	}
	if n, ok := linuxAtoi(v); ok {
		return n > 0
	}
	return v != "0"
}

// linuxAptSecurity is what apt's security lists say.
type linuxAptSecurity struct {
	files []string
	// versions maps "name arch" to the newest version in a security pocket.
	versions map[string]string
	// date is the newest Date of the security pockets' InRelease files.
	date time.Time
}

// linuxAptSecurityLists finds the lists of security pockets by their
// InRelease files (Suite or Codename ending in -security, or a Label
// naming security, as Debian-Security does) and reads their packages.
func linuxAptSecurityLists(h Host) (linuxAptSecurity, error) {
	const dir = "/var/lib/apt/lists"
	sec := linuxAptSecurity{versions: map[string]string{}}
	names, err := h.ReadDir(dir)
	if err != nil {
		return sec, nil // no lists at all: reported as no security list
	}
	var anyDate time.Time
	for _, n := range names {
		prefix, ok := strings.CutSuffix(n, "InRelease")
		if !ok {
			prefix, ok = strings.CutSuffix(n, "_Release")
			prefix += "_"
		}
		if !ok {
			continue
		}
		rel := parseAptRelease(linuxRead(h, dir+"/"+n))
		if rel.date.After(anyDate) {
			anyDate = rel.date
		}
		if !rel.security() {
			continue
		}
		if rel.date.After(sec.date) {
			sec.date = rel.date
		}
		for _, m := range names {
			if !strings.HasPrefix(m, prefix) || !linuxIsPackagesList(m) {
				continue
			}
			b, err := h.ReadFile(dir + "/" + m)
			if err != nil {
				return sec, err
			}
			r, err := linuxDecompress(m, b)
			if err != nil {
				return sec, err
			}
			if err := parseAptPackages(r, sec.versions); err != nil {
				return sec, err
			}
			sec.files = append(sec.files, m)
		}
	}
	if sec.date.IsZero() {
		sec.date = anyDate
	}
	return sec, nil
}

// linuxIsPackagesList reports whether a file in /var/lib/apt/lists is a
// binary Packages index, plain or compressed.
func linuxIsPackagesList(name string) bool {
	for _, ext := range []string{"", ".gz", ".lz4", ".xz", ".bz2", ".zst", ".lzma"} {
		if strings.HasSuffix(name, "_Packages"+ext) {
			return true
		}
	}
	return false
}

// linuxAptRelease is the header of an InRelease or Release file.
type linuxAptRelease struct {
	origin, label, suite, codename string
	date                           time.Time
}

func (r linuxAptRelease) security() bool {
	return strings.HasSuffix(r.suite, "-security") || strings.HasSuffix(r.codename, "-security") ||
		strings.Contains(strings.ToLower(r.label), "security") || strings.HasSuffix(r.suite, "/updates")
}

// parseAptRelease reads the fields of an InRelease file's first stanza. The
// PGP armour header before it has none of these fields.
func parseAptRelease(text string) linuxAptRelease {
	var r linuxAptRelease
	done := false
	parseDebStanzas(strings.NewReader(text), []string{"Origin", "Label", "Suite", "Codename", "Date"}, func(v []string) {
		if done {
			return
		}
		done = true
		r.origin, r.label, r.suite, r.codename = v[0], v[1], v[2], v[3]
		for _, layout := range []string{time.RFC1123, time.RFC1123Z, "Mon, _2 Jan 2006 15:04:05 MST"} {
			if t, err := time.Parse(layout, v[4]); err == nil {
				r.date = t.UTC()
				break
			}
		}
	})
	return r
}

// parseAptPackages reads an apt Packages list into versions, keeping the
// newest version of each "name arch".
func parseAptPackages(r io.Reader, versions map[string]string) error {
	return parseDebStanzas(r, []string{"Package", "Version", "Architecture"}, func(v []string) {
		if v[0] == "" || v[1] == "" {
			return
		}
		key := v[0] + " " + v[2]
		if old, ok := versions[key]; !ok || vercmp.Deb(v[1], old) > 0 {
			versions[key] = v[1]
		}
	})
}

// linuxPendingSecurity lists the installed packages that a security pocket
// has a newer version of.
func linuxPendingSecurity(installed []linuxPkg, security map[string]string) []handwash.PendingUpdate {
	pending := []handwash.PendingUpdate{}
	for _, p := range installed {
		v, ok := security[p.Name+" "+p.Arch]
		if !ok || vercmp.Deb(v, p.Version) <= 0 {
			continue
		}
		pending = append(pending, handwash.PendingUpdate{Name: p.Name, Version: v, Installed: p.Version, Security: true})
	}
	sort.Slice(pending, func(i, j int) bool { return pending[i].Name < pending[j].Name })
	return pending
}

// linuxAptLastUpgrade is when apt last upgraded a package, from
// history.log (and its first rotation) or, failing that, dpkg.log.
func linuxAptLastUpgrade(h Host, loc *time.Location) (time.Time, bool) {
	for _, name := range []string{"/var/log/apt/history.log", "/var/log/apt/history.log.1.gz", "/var/log/apt/history.log.1"} {
		b, err := h.ReadFile(name)
		if err != nil {
			continue
		}
		if strings.HasSuffix(name, ".gz") {
			zr, err := gzip.NewReader(bytes.NewReader(b))
			if err != nil {
				continue
			}
			if b, err = io.ReadAll(io.LimitReader(zr, 64<<20)); err != nil {
				continue
			}
		}
		if t, ok := parseAptHistory(b, loc); ok {
			return t, true
		}
	}
	if b, err := h.ReadFile("/var/log/dpkg.log"); err == nil {
		return parseDpkgLog(b, loc)
	}
	return time.Time{}, false
}

// parseAptHistory returns the end of the newest block of apt's history.log
// that upgraded something. Its times are local, with two spaces between
// date and time ("Start-Date: 2026-11-29  18:16:59").
func parseAptHistory(b []byte, loc *time.Location) (time.Time, bool) {
	var last time.Time
	var start, end string
	upgraded := false
	flush := func() {
		when := end
		if when == "" {
			when = start
		}
		if upgraded && when != "" {
			if t, err := time.ParseInLocation("2006-01-02 15:04:05", strings.Join(strings.Fields(when), " "), loc); err == nil && t.After(last) {
				last = t
			}
		}
		start, end, upgraded = "", "", false
	}
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 1<<20), 16<<20) // Install: lines can be very long
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "Start-Date:"):
			flush()
			start = strings.TrimSpace(strings.TrimPrefix(line, "Start-Date:"))
		case strings.HasPrefix(line, "End-Date:"):
			end = strings.TrimSpace(strings.TrimPrefix(line, "End-Date:"))
		case strings.HasPrefix(line, "Upgrade:"):
			upgraded = true
		}
	}
	flush()
	if last.IsZero() {
		return last, false
	}
	return last.UTC(), true
}

// parseDpkgLog returns the time of the newest "upgrade" line of dpkg.log
// ("2026-11-29 18:17:08 upgrade perl:amd64 5.36.0-7+deb12u2 5.36.0-7+deb12u4").
func parseDpkgLog(b []byte, loc *time.Location) (time.Time, bool) {
	var last time.Time
	for _, line := range linuxLines(b) {
		f := strings.Fields(line)
		if len(f) < 3 || f[2] != "upgrade" {
			continue
		}
		if t, err := time.ParseInLocation("2006-01-02 15:04:05", f[0]+" "+f[1], loc); err == nil && t.After(last) {
			last = t
		}
	}
	if last.IsZero() {
		return last, false
	}
	return last.UTC(), true
}

// linuxDnfUpdates asks dnf, from its cache only, which security updates are
// pending, and reads dnf-automatic's configuration.
func linuxDnfUpdates(ctx context.Context, h Host, f *handwash.Facts, db *linuxPackageDB, u *handwash.UpdateFacts) {
	dnf := "dnf"
	if _, err := h.LookPath("dnf"); err != nil {
		if _, err := h.LookPath("dnf5"); err == nil {
			dnf = "dnf5"
		} else if _, err := h.LookPath("yum"); err == nil {
			dnf = "yum"
		} else {
			f.AddMissing("updates.pending", handwash.ReasonNotInstalled, "dnf not found")
			dnf = ""
		}
	}
	if dnf != "" {
		// -C: the cache only. Refreshing metadata needs the network and root.
		// dnf exits 100 when updates are pending, 0 when none.
		// The option after the command: dnf 5 takes --security only there.
		out, err := h.Run(ctx, dnf, "-C", "check-update", "--security")
		switch {
		case err != nil && ctx.Err() != nil:
			f.AddMissing("updates.pending", handwash.ReasonTimedOut, dnf+" check-update did not finish in time")
		case err != nil:
			f.AddMissing("updates.pending", handwash.ReasonError, dnf+": "+err.Error())
		case out.ExitCode == 0 || out.ExitCode == 100:
			u.Pending = parseDnfCheckUpdate(out.Stdout, db)
			if t, ok := parseDnfMetadataTime(append(append([]byte{}, out.Stdout...), out.Stderr...), linuxLocation(h)); ok {
				u.LastChecked = &t
			}
		default:
			f.AddMissing("updates.pending", handwash.ReasonError, dnf+" check-update: "+linuxFirstLine(out.Stderr))
		}
	}
	if u.LastChecked == nil {
		f.AddMissing("updates.last_checked", handwash.ReasonNotSupported, "dnf did not say when its metadata was last refreshed")
	}

	var newest time.Time
	for _, p := range db.Pkgs {
		if p.Installed.After(newest) {
			newest = p.Installed
		}
	}
	if !newest.IsZero() {
		u.LastInstalled = &newest
	} else {
		f.AddMissing("updates.last_installed", handwash.ReasonNotSupported, "rpm gave no install times")
	}

	u.Automatic, u.AutomaticDetail = linuxDnfAutomatic(h, db)
}

// linuxDnfAutomatic decides whether dnf-automatic (or dnf5's automatic
// plugin) installs updates by itself: installed, its timer enabled, and
// (for the plain timer) apply_updates = yes.
func linuxDnfAutomatic(h Host, db *linuxPackageDB) (*bool, string) {
	_, dnf4 := db.installed("dnf-automatic")
	_, dnf5 := db.installed("dnf5-plugin-automatic")
	if !dnf4 && !dnf5 {
		return boolPtr(false), "dnf-automatic is not installed"
	}
	conf := "/etc/dnf/automatic.conf"
	timers := []string{"dnf-automatic.timer", "dnf-automatic-install.timer"}
	if dnf5 {
		conf = "/etc/dnf/dnf5-plugins/automatic.conf"
		timers = []string{"dnf5-automatic.timer", "dnf-automatic.timer"}
	}
	ini := parseINI(linuxRead(h, conf))
	upgradeType := ini["commands"]["upgrade_type"]
	if upgradeType == "" {
		upgradeType = "default"
	}
	apply, _ := linuxBool(ini["commands"]["apply_updates"]) // unset means no
	for _, t := range timers {
		if !linuxUnitEnabled(h, t) {
			continue
		}
		if t == "dnf-automatic-install.timer" || apply {
			return boolPtr(true), "dnf-automatic (" + t + ", upgrade_type = " + upgradeType + ")"
		}
		return boolPtr(false), t + " enabled but apply_updates is not yes: updates are only downloaded"
	}
	return boolPtr(false), "dnf-automatic is installed but no timer is enabled"
}

// parseDnfCheckUpdate reads the package lines of dnf check-update
// ("name.arch  version  repo") up to the "Obsoleting Packages" section.
func parseDnfCheckUpdate(b []byte, db *linuxPackageDB) []handwash.PendingUpdate {
	pending := []handwash.PendingUpdate{}
	seen := map[string]bool{}
	for _, line := range linuxLines(b) {
		if strings.HasPrefix(line, "Obsoleting") {
			break
		}
		f := strings.Fields(line)
		if len(f) != 3 || strings.HasPrefix(line, " ") {
			continue
		}
		dot := strings.LastIndexByte(f[0], '.')
		if dot <= 0 || !linuxLooksLikeVersion(f[1]) {
			continue
		}
		name, arch := f[0][:dot], f[0][dot+1:]
		if seen[f[0]] {
			continue
		}
		seen[f[0]] = true
		p := handwash.PendingUpdate{Name: name, Version: f[1], Security: true}
		if db != nil {
			for _, i := range db.byName[name] {
				if db.Pkgs[i].Arch == arch || arch == "noarch" {
					p.Installed = db.Pkgs[i].Version
				}
			}
		}
		pending = append(pending, p)
	}
	sort.Slice(pending, func(i, j int) bool { return pending[i].Name < pending[j].Name })
	return pending
}

func linuxLooksLikeVersion(s string) bool { return s != "" && (s[0] >= '0' && s[0] <= '9') }

var dnfMetadataRE = regexp.MustCompile(`Last metadata expiration check: .* ago on (.+?)\.?\s*$`)

// parseDnfMetadataTime reads dnf's "Last metadata expiration check: 0:41:07
// ago on Fri Nov 20 08:48:53 2026." (C locale), in local time.
func parseDnfMetadataTime(b []byte, loc *time.Location) (time.Time, bool) {
	for _, line := range linuxLines(b) {
		m := dnfMetadataRE.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		for _, layout := range []string{"Mon Jan _2 15:04:05 2006", "Mon 02 Jan 2006 03:04:05 PM MST", "Mon 02 Jan 2006 15:04:05 MST"} {
			if t, err := time.ParseInLocation(layout, strings.TrimSpace(m[1]), loc); err == nil {
				return t.UTC(), true
			}
		}
	}
	return time.Time{}, false
}

// linuxRebootRequired decides whether installed updates wait for a restart:
// Ubuntu's (and unattended-upgrades') /var/run/reboot-required, then
// whether a newer kernel is installed than the one running, which is what
// needrestart's KSTA and needs-restarting -r report for the kernel too.
func linuxRebootRequired(ctx context.Context, h Host, f *handwash.Facts, db *linuxPackageDB, u *handwash.UpdateFacts) {
	if linuxExists(h, "/var/run/reboot-required") || linuxExists(h, "/run/reboot-required") {
		u.RebootRequired = boolPtr(true)
		return
	}
	kernel := strings.TrimSpace(linuxRead(h, "/proc/sys/kernel/osrelease"))
	if newer, ok := linuxNewerKernel(db, kernel); ok {
		u.RebootRequired = boolPtr(newer)
		return
	}
	if _, err := h.LookPath("needrestart"); err == nil {
		if out, err := h.Run(ctx, "needrestart", "-b", "-k"); err == nil {
			switch parseNeedrestartKSTA(out.Stdout) {
			case "1":
				u.RebootRequired = boolPtr(false)
				return
			case "2", "3":
				u.RebootRequired = boolPtr(true)
				return
			}
		}
	}
	if _, err := h.LookPath("needs-restarting"); err == nil && db.Manager == "rpm" {
		// dnf-utils: exit 1 when a reboot is needed, 0 when not.
		if out, err := h.Run(ctx, "needs-restarting", "-r"); err == nil && (out.ExitCode == 0 || out.ExitCode == 1) {
			u.RebootRequired = boolPtr(out.ExitCode == 1)
			return
		}
	}
	f.AddMissing("updates.reboot_required", handwash.ReasonNotSupported, "the running kernel "+kernel+" is not one the package manager installed, and nothing else says")
}

// linuxNewerKernel reports whether a kernel package newer than the running
// one is installed. ok is false when the running kernel is not a package
// (a container, a custom build), so nothing can be said.
func linuxNewerKernel(db *linuxPackageDB, running string) (newer, ok bool) {
	if running == "" {
		return false, false
	}
	switch db.Manager {
	case "dpkg":
		cur, found := db.installed("linux-image-" + running)
		if !found {
			cur, found = db.installed("linux-image-unsigned-" + running)
		}
		if !found {
			return false, false
		}
		for _, p := range db.Pkgs {
			rest, isImage := strings.CutPrefix(p.Name, "linux-image-")
			rest = strings.TrimPrefix(rest, "unsigned-")
			if isImage && rest != "" && rest[0] >= '0' && rest[0] <= '9' && vercmp.Deb(p.Version, cur.Version) > 0 {
				return true, true
			}
		}
		return false, true
	case "rpm":
		var cur string
		var kernels []string
		for _, p := range db.Pkgs {
			if p.Name != "kernel-core" && p.Name != "kernel" {
				continue
			}
			v := p.Version
			if _, after, ok := strings.Cut(v, ":"); ok {
				v = after
			}
			if v+"."+p.Arch == running {
				cur = p.Version
			}
			kernels = append(kernels, p.Version)
		}
		if cur == "" {
			return false, false
		}
		for _, k := range kernels {
			if vercmp.EVR(k, cur) > 0 {
				return true, true
			}
		}
		return false, true
	}
	return false, false
}

// parseNeedrestartKSTA reads NEEDRESTART-KSTA from needrestart -b: 1 the
// newest kernel runs, 2 an ABI-compatible upgrade waits, 3 a version upgrade
// waits, 0 unknown.
func parseNeedrestartKSTA(b []byte) string {
	for _, line := range linuxLines(b) {
		if v, ok := strings.CutPrefix(line, "NEEDRESTART-KSTA:"); ok {
			return strings.TrimSpace(v)
		}
	}
	return ""
}
