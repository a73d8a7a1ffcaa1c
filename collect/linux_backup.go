package collect

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/handwash/handwash"
)

// linuxBackupTools are the backup programs looked for: by the program on
// PATH, or by a schedule that runs it. onlyScheduled marks general tools
// (rclone) that count as a backup only when something runs them.
var linuxBackupTools = []struct {
	name, bin     string
	onlyScheduled bool
}{
	{"restic", "restic", false},
	{"BorgBackup", "borg", false},
	{"borgmatic", "borgmatic", false},
	{"Duplicity", "duplicity", false},
	{"rsnapshot", "rsnapshot", false},
	{"Back In Time", "backintime", false},
	{"UrBackup", "urbackupclientbackend", false},
	{"Veeam Agent for Linux", "veeamconfig", false},
	{"rclone", "rclone", true},
}

// linuxBackup fills the backup tools found: what schedules run them
// (systemd timers, cron), where they write when the schedule says, and
// Déjà Dup's and Timeshift's own records.
func linuxBackup(ctx context.Context, h Host, f *handwash.Facts, s *linuxState) error {
	b := &handwash.BackupFacts{Tools: []handwash.BackupTool{}}
	jobs, complete := linuxSchedules(ctx, h, s)
	mounts := parseProcMounts(linuxRead(h, "/proc/mounts"))

	for _, t := range linuxBackupTools {
		_, err := h.LookPath(t.bin)
		var mine []linuxJob
		for _, j := range jobs {
			if linuxMentions(j.Text, t.bin) {
				mine = append(mine, j)
			}
		}
		if (err != nil || t.onlyScheduled) && len(mine) == 0 {
			continue
		}
		tool := handwash.BackupTool{Name: t.name}
		switch {
		case len(mine) > 0:
			tool.Automatic = boolPtr(true)
			var where []string
			for _, j := range mine {
				where = append(where, j.Where)
			}
			tool.Detail = "run by " + strings.Join(where, ", ")
		case complete:
			tool.Automatic = boolPtr(false)
			tool.Detail = "installed; no systemd timer or cron job runs it"
		default:
			f.AddMissing(fmt.Sprintf("backup.tools[%d].automatic", len(b.Tools)), handwash.ReasonNeedsAdmin, "other users' crontabs are readable only by root")
		}
		for _, j := range mine {
			if loc := linuxBackupTarget(t.bin, j.Text); loc != "" {
				tool.Destination = linuxDest(loc, mounts)
				tool.Configured = boolPtr(true)
				break
			}
		}
		if t.bin == "rsnapshot" {
			if root := parseLoginDefs(linuxRead(h, "/etc/rsnapshot.conf"))["snapshot_root"]; root != "" {
				tool.Destination = linuxDest(root, mounts)
				tool.Configured = boolPtr(true)
			}
		}
		if t.bin == "restic" || t.bin == "borg" || t.bin == "borgmatic" {
			f.AddMissing(fmt.Sprintf("backup.tools[%d].last_success", len(b.Tools)), handwash.ReasonNotSupported, t.name+" keeps its history in the repository, which needs its password")
		}
		b.Tools = append(b.Tools, tool)
	}

	if _, err := h.LookPath("deja-dup"); err == nil {
		tool := handwash.BackupTool{Name: "Déjà Dup"}
		m, err := linuxGSettings(ctx, h, s, "org.gnome.DejaDup")
		if err != nil {
			f.AddMissing(fmt.Sprintf("backup.tools[%d]", len(b.Tools)), handwash.ReasonError, err.Error())
		} else {
			dejaDup(&tool, m, mounts)
		}
		b.Tools = append(b.Tools, tool)
	}

	b.RestorePoints = boolPtr(false)
	ts := linuxRead(h, "/etc/timeshift/timeshift.json")
	if ts == "" {
		ts = linuxRead(h, "/etc/timeshift.json")
	}
	if ts != "" || linuxExists(h, "/usr/bin/timeshift") {
		tool := timeshiftTool(ts)
		b.Tools = append(b.Tools, tool)
		b.RestorePoints = boolPtr(tool.Configured != nil && *tool.Configured && tool.Automatic != nil && *tool.Automatic)
	}
	if linuxExists(h, "/etc/snapper/configs/root") {
		b.RestorePoints = boolPtr(true)
	}
	f.Backup = b
	return nil
}

// linuxJob is something run on a schedule: where it is defined and its text
// (the service unit or the cron line or script).
type linuxJob struct{ Where, Text string }

// linuxSchedules collects enabled systemd timers (with the service each
// starts) and cron jobs. complete is false when some crontabs could not be
// read (other users' need root).
func linuxSchedules(ctx context.Context, h Host, s *linuxState) ([]linuxJob, bool) {
	var jobs []linuxJob
	complete := true
	unitDirs := []string{"/etc/systemd/system", "/usr/local/lib/systemd/system", "/usr/lib/systemd/system", "/lib/systemd/system"}
	timers, _ := h.ReadDir("/etc/systemd/system/timers.target.wants")
	u := s.consoleUser(ctx, h)
	var userTimers []string
	if u.Home != "" {
		userTimers, _ = h.ReadDir(u.Home + "/.config/systemd/user/timers.target.wants")
	}
	addTimer := func(timer string, dirs []string) {
		if !strings.HasSuffix(timer, ".timer") {
			return
		}
		var timerText string
		for _, d := range dirs {
			if timerText = linuxRead(h, d+"/"+timer); timerText != "" {
				break
			}
		}
		unit := parseINI(timerText)["Timer"]["Unit"]
		if unit == "" {
			unit = strings.TrimSuffix(timer, ".timer") + ".service"
		}
		for _, d := range dirs {
			if text := linuxRead(h, d+"/"+unit); text != "" {
				jobs = append(jobs, linuxJob{Where: timer, Text: text})
				return
			}
		}
	}
	for _, t := range timers {
		addTimer(t, unitDirs)
	}
	for _, t := range userTimers {
		addTimer(t, []string{u.Home + "/.config/systemd/user"})
	}

	if t := linuxRead(h, "/etc/crontab"); t != "" {
		jobs = append(jobs, linuxCronJobs("/etc/crontab", t)...)
	}
	for _, dir := range []string{"/etc/cron.d", "/etc/cron.hourly", "/etc/cron.daily", "/etc/cron.weekly", "/etc/cron.monthly"} {
		names, _ := h.ReadDir(dir)
		for _, n := range names {
			text := linuxRead(h, dir+"/"+n)
			if dir == "/etc/cron.d" {
				jobs = append(jobs, linuxCronJobs(dir+"/"+n, text)...)
			} else if text != "" {
				jobs = append(jobs, linuxJob{Where: dir + "/" + n, Text: text})
			}
		}
	}
	// Per-user crontabs: Debian keeps them in crontabs/, Fedora in cron/.
	spool := ""
	for _, d := range []string{"/var/spool/cron/crontabs", "/var/spool/cron"} {
		if linuxExists(h, d) {
			spool = d
			break
		}
	}
	if spool != "" {
		names, err := h.ReadDir(spool)
		switch {
		case err == nil:
			for _, n := range names {
				if n == "crontabs" {
					continue
				}
				if text, err := h.ReadFile(spool + "/" + n); err == nil {
					jobs = append(jobs, linuxCronJobs("crontab of "+n, string(text))...)
				} else {
					complete = false
				}
			}
		default:
			complete = false
			if u.Ok {
				if out, err := h.Run(ctx, "crontab", "-l"); err == nil && out.ExitCode == 0 {
					jobs = append(jobs, linuxCronJobs("crontab of "+u.Name, string(out.Stdout))...)
				}
			}
		}
	}
	return jobs, complete
}

// linuxCronJobs splits a crontab into one job per line, so each tool's
// destination is read from its own line.
func linuxCronJobs(where, text string) []linuxJob {
	var jobs []linuxJob
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || line[0] == '#' {
			continue
		}
		jobs = append(jobs, linuxJob{Where: where, Text: line})
	}
	return jobs
}

// linuxMentions reports whether text runs a program: its name as a word
// of a command line (after a space, slash, = or the start).
func linuxMentions(text, bin string) bool {
	for i := 0; ; {
		j := strings.Index(text[i:], bin)
		if j < 0 {
			return false
		}
		j += i
		before := j == 0 || strings.ContainsRune(" \t/=\"'\n;", rune(text[j-1]))
		end := j + len(bin)
		after := end == len(text) || strings.ContainsRune(" \t\"'\n;", rune(text[end]))
		if before && after {
			return true
		}
		i = end
	}
}

// linuxBackupTarget finds the repository or destination a backup command
// line names: restic -r/--repo or RESTIC_REPOSITORY, borg's REPO::archive
// or BORG_REPO, duplicity's target URL.
func linuxBackupTarget(bin, text string) string {
	words := strings.FieldsFunc(text, func(r rune) bool { return r == ' ' || r == '\t' || r == '\n' || r == '"' || r == '\'' })
	for i, w := range words {
		// Also inside systemd's Environment=RESTIC_REPOSITORY=...
		if _, v, ok := strings.Cut(w, "RESTIC_REPOSITORY="); ok && bin == "restic" {
			return v
		}
		if _, v, ok := strings.Cut(w, "BORG_REPO="); ok && (bin == "borg" || bin == "borgmatic") {
			return v
		}
		switch bin {
		case "restic":
			if (w == "-r" || w == "--repo") && i+1 < len(words) {
				return words[i+1]
			}
			if v, ok := strings.CutPrefix(w, "--repo="); ok {
				return v
			}
		case "borg":
			if repo, _, ok := strings.Cut(w, "::"); ok && repo != "" {
				return repo
			}
		case "duplicity", "rclone":
			if strings.Contains(w, "://") || (bin == "rclone" && strings.Contains(w, ":") && !strings.HasPrefix(w, "-") && i > 0) {
				if i > 0 && words[i-1] != "--log-file" {
					return w
				}
			}
		}
	}
	return ""
}

// linuxMount is one line of /proc/mounts.
type linuxMount struct{ Device, Dir, Type string }

func parseProcMounts(text string) []linuxMount {
	var out []linuxMount
	for _, line := range strings.Split(text, "\n") {
		f := strings.Fields(line)
		if len(f) >= 3 {
			out = append(out, linuxMount{Device: f[0], Dir: strings.ReplaceAll(f[1], `\040`, " "), Type: f[2]})
		}
	}
	return out
}

// linuxDest says what kind of place a backup location is: a URL's scheme
// (sftp, smb: network share; s3, b2, cloud services: cloud) or, for a
// path, the filesystem it is on now.
func linuxDest(loc string, mounts []linuxMount) *handwash.BackupDest {
	d := &handwash.BackupDest{Kind: handwash.DestUnknown, Location: linuxStripCredentials(loc)}
	scheme, rest, hasScheme := strings.Cut(loc, ":")
	if strings.HasPrefix(loc, "/") {
		hasScheme = false
	}
	if hasScheme {
		switch strings.ToLower(scheme) {
		case "sftp", "scp", "ssh", "smb", "cifs", "nfs", "rest", "ftp", "ftps", "afp":
			d.Kind = handwash.DestNetworkShare
		case "s3", "b2", "azure", "gs", "swift", "google", "microsoft", "onedrive", "gdrive", "dropbox", "gdocs", "pydrive", "mega":
			d.Kind = handwash.DestCloud
		case "file":
			return linuxDest(strings.TrimPrefix(rest, "//"), mounts)
		case "rclone":
			d.Kind = handwash.DestCloud // rclone remotes are cloud storage services
		default:
			if strings.Contains(scheme, "@") || !strings.Contains(loc, "://") {
				// borg's user@host:path, or an rclone remote name.
				host := scheme
				if at := strings.LastIndexByte(host, '@'); at >= 0 {
					host = host[at+1:]
				}
				d.Kind = handwash.DestNetworkShare
				for _, c := range []string{"rsync.net", "borgbase.com", "your-storagebox.de", "hetzner"} {
					if strings.Contains(host, c) {
						d.Kind = handwash.DestCloud
					}
				}
			}
		}
		return d
	}
	if !strings.HasPrefix(loc, "/") {
		return d
	}
	var best linuxMount
	for _, m := range mounts {
		if (loc == m.Dir || strings.HasPrefix(loc, strings.TrimSuffix(m.Dir, "/")+"/")) && len(m.Dir) > len(best.Dir) {
			best = m
		}
	}
	switch {
	case strings.HasPrefix(best.Type, "nfs") || best.Type == "cifs" || best.Type == "smb3" || strings.Contains(best.Type, "sshfs") || best.Type == "davfs":
		d.Kind = handwash.DestNetworkShare
		d.AlwaysConnected = boolPtr(true)
	case strings.HasPrefix(loc, "/media/") || strings.HasPrefix(loc, "/run/media/"):
		d.Kind = handwash.DestRemovableDisk
		d.AlwaysConnected = boolPtr(best.Dir != "/" && best.Dir != "")
	case best.Dir == "/":
		d.Kind = handwash.DestSameDisk
		d.AlwaysConnected = boolPtr(true)
	case best.Dir != "":
		d.Kind = handwash.DestInternalDisk
		d.AlwaysConnected = boolPtr(true)
	}
	return d
}

// linuxStripCredentials removes a password from a URL-like location.
func linuxStripCredentials(loc string) string {
	if u, err := url.Parse(loc); err == nil && u.User != nil {
		if _, has := u.User.Password(); has {
			u.User = url.User(u.User.Username())
			return u.String()
		}
	}
	return loc
}

// dejaDup reads Déjà Dup's settings (org.gnome.DejaDup and its child
// schemas): last-backup and last-run are ISO 8601 times ("" = never),
// periodic turns the schedule on, backend names the destination.
func dejaDup(t *handwash.BackupTool, m map[string]string, mounts []linuxMount) {
	parse := func(v string) *time.Time {
		if tm, err := time.Parse(time.RFC3339Nano, v); err == nil {
			tm = tm.UTC()
			return &tm
		}
		return nil
	}
	t.LastSuccess = parse(m["last-backup"])
	t.LastAttempt = parse(m["last-run"])
	if on, ok := linuxBool(m["periodic"]); ok {
		t.Automatic = boolPtr(on)
	}
	backend := m["backend"]
	t.Configured = boolPtr(t.LastSuccess != nil || (backend != "" && backend != "auto"))
	switch backend {
	case "remote":
		uri := m["Remote.uri"]
		if folder := m["Remote.folder"]; folder != "" {
			uri = strings.TrimSuffix(uri, "/") + "/" + strings.TrimPrefix(folder, "/")
		}
		if uri != "" {
			t.Destination = linuxDest(uri, mounts)
			if strings.HasPrefix(uri, "dav") {
				t.Destination.Kind = handwash.DestUnknown // WebDAV may be a NAS or a cloud
			}
		}
	case "local":
		if folder := m["Local.folder"]; folder != "" {
			t.Destination = linuxDest(folder, mounts)
		}
	case "drive":
		t.Destination = &handwash.BackupDest{Kind: handwash.DestRemovableDisk, Location: m["Drive.name"]}
	case "google", "microsoft", "gcs", "s3", "rackspace", "openstack":
		t.Destination = &handwash.BackupDest{Kind: handwash.DestCloud, Location: backend}
	}
	if days := m["periodic-period"]; t.Automatic != nil && *t.Automatic && days != "" {
		t.Detail = "every " + days + " days"
	}
}

// timeshiftTool reads Timeshift's configuration: a backup device chosen
// and any schedule on. Timeshift snapshots system files, by default on
// the same machine.
func timeshiftTool(text string) handwash.BackupTool {
	t := handwash.BackupTool{Name: "Timeshift"}
	var conf map[string]any
	if text == "" || json.Unmarshal([]byte(text), &conf) != nil {
		t.Configured = boolPtr(false)
		t.Detail = "installed, not set up"
		return t
	}
	str := func(k string) string { s, _ := conf[k].(string); return s }
	uuid := str("backup_device_uuid")
	t.Configured = boolPtr(uuid != "")
	auto := false
	var sched []string
	for _, k := range []string{"hourly", "daily", "weekly", "monthly", "boot"} {
		if on, _ := linuxBool(str("schedule_" + k)); on {
			auto = true
			sched = append(sched, k)
		}
	}
	t.Automatic = boolPtr(auto)
	if uuid != "" {
		t.Destination = &handwash.BackupDest{Kind: handwash.DestUnknown, Location: "device UUID " + uuid}
	}
	t.Detail = "system snapshots"
	if len(sched) > 0 {
		t.Detail += " (" + strings.Join(sched, ", ") + ")"
	}
	return t
}
