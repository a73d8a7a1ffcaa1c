package collect

import (
	"context"
	"sort"
	"strconv"
	"strings"

	"github.com/handwash/handwash"
)

// linuxAccounts fills the local accounts people can sign in with: root and
// the accounts from UID_MIN up with a login shell (getent, so directory
// users that NSS enumerates count too), who is an administrator (sudo,
// wheel, admin, or a sudoers rule when root can read it), empty passwords
// (/etc/shadow, root only), guest and automatic sign-in.
func linuxAccounts(ctx context.Context, h Host, f *handwash.Facts, s *linuxState) error {
	passwd, err := linuxGetent(ctx, h, "passwd", "/etc/passwd")
	if err != nil {
		return err
	}
	groups, err := linuxGetent(ctx, h, "group", "/etc/group")
	if err != nil {
		return err
	}
	uidMin := 1000
	if v, ok := linuxAtoi(parseLoginDefs(linuxRead(h, "/etc/login.defs"))["UID_MIN"]); ok {
		uidMin = v
	}

	var shadow map[string]string
	b, err := h.ReadFile("/etc/shadow")
	switch {
	case err == nil:
		shadow = parseShadow(string(b))
	default:
		reason, detail := handwash.ReasonNotSupported, "no /etc/shadow"
		if linuxDenied(err) {
			reason, detail = handwash.ReasonNeedsAdmin, "/etc/shadow is readable only by root"
		}
		for _, fact := range []string{"enabled", "password_empty", "password_required"} {
			f.AddMissing("accounts.users."+fact, reason, detail)
		}
	}

	adminGroups := map[string]bool{"sudo": true, "wheel": true, "admin": true}
	adminUsers := map[string]bool{}
	for _, text := range linuxSudoers(h) {
		u, g := parseSudoers(text)
		for _, n := range u {
			adminUsers[n] = true
		}
		for _, n := range g {
			adminGroups[n] = true
		}
	}

	a := &handwash.AccountFacts{Users: linuxAccountList(parsePasswd(passwd), parseGroups(groups), shadow, adminGroups, adminUsers, uidMin)}

	guest := linuxLightDM(h)["allow-guest"] == "true"
	for _, u := range a.Users {
		if u.Name == "guest" && (u.Enabled == nil || *u.Enabled) {
			guest = true
		}
	}
	a.GuestEnabled = boolPtr(guest)
	auto, _ := linuxAutoLogon(h)
	a.AutoLogon = boolPtr(auto)

	if cu := s.consoleUser(ctx, h); cu.Ok {
		a.CurrentUser = cu.Name
		for _, u := range a.Users {
			if u.Name == cu.Name {
				a.CurrentUserAdmin = u.Admin
			}
		}
		if cu.Name == "root" {
			a.CurrentUserAdmin = boolPtr(true)
		}
		if a.CurrentUserAdmin == nil {
			// A system or directory account not in the list.
			admin := adminUsers[cu.Name]
			for g, members := range parseGroups(groups) {
				if adminGroups[g] && members.has(cu.Name) {
					admin = true
				}
			}
			a.CurrentUserAdmin = boolPtr(admin)
		}
	}
	f.Accounts = a
	return nil
}

// linuxGetent lists a database through getent (so NSS sources count), or
// reads the file when getent is missing.
func linuxGetent(ctx context.Context, h Host, db, file string) (string, error) {
	out, err := h.Run(ctx, "getent", db)
	if err == nil && out.ExitCode == 0 {
		return string(out.Stdout), nil
	}
	b, ferr := h.ReadFile(file)
	if ferr != nil {
		if err == nil {
			err = ferr
		}
		return "", err
	}
	return string(b), nil
}

// linuxPasswd is one line of /etc/passwd.
type linuxPasswd struct {
	Name        string
	UID, GID    int
	Home, Shell string
}

func parsePasswd(text string) []linuxPasswd {
	var out []linuxPasswd
	for _, line := range strings.Split(text, "\n") {
		p := strings.Split(strings.TrimSpace(line), ":")
		if len(p) < 7 || p[0] == "" || strings.HasPrefix(p[0], "+") || strings.HasPrefix(p[0], "-") {
			continue
		}
		uid, err1 := strconv.Atoi(p[2])
		gid, err2 := strconv.Atoi(p[3])
		if err1 != nil || err2 != nil {
			continue
		}
		out = append(out, linuxPasswd{Name: p[0], UID: uid, GID: gid, Home: p[5], Shell: p[6]})
	}
	return out
}

// linuxGroup is one group: its GID and listed members.
type linuxGroup struct {
	GID     int
	Members []string
}

func (g linuxGroup) has(name string) bool {
	for _, m := range g.Members {
		if m == name {
			return true
		}
	}
	return false
}

func parseGroups(text string) map[string]linuxGroup {
	out := map[string]linuxGroup{}
	for _, line := range strings.Split(text, "\n") {
		p := strings.Split(strings.TrimSpace(line), ":")
		if len(p) < 4 || p[0] == "" {
			continue
		}
		gid, err := strconv.Atoi(p[2])
		if err != nil {
			continue
		}
		var members []string
		for _, m := range strings.Split(p[3], ",") {
			if m = strings.TrimSpace(m); m != "" {
				members = append(members, m)
			}
		}
		out[p[0]] = linuxGroup{GID: gid, Members: members}
	}
	return out
}

// parseShadow maps account names to their password field.
func parseShadow(text string) map[string]string {
	out := map[string]string{}
	for _, line := range strings.Split(text, "\n") {
		p := strings.Split(strings.TrimSpace(line), ":")
		if len(p) >= 2 && p[0] != "" {
			out[p[0]] = p[1]
		}
	}
	return out
}

// parseLoginDefs reads /etc/login.defs: "KEY value" lines.
func parseLoginDefs(text string) map[string]string {
	out := map[string]string{}
	for _, line := range strings.Split(text, "\n") {
		f := strings.Fields(line)
		if len(f) >= 2 && !strings.HasPrefix(f[0], "#") {
			out[f[0]] = f[1]
		}
	}
	return out
}

// linuxLoginShell reports whether a shell lets the account sign in.
func linuxLoginShell(shell string) bool {
	switch shell {
	case "", "/bin/false", "/usr/bin/false", "/sbin/nologin", "/usr/sbin/nologin", "/bin/sync", "/sbin/shutdown", "/sbin/halt", "/usr/bin/nologin":
		return false
	}
	return true
}

// linuxAccountList picks the accounts people sign in with and describes
// them. shadow is nil when it could not be read.
func linuxAccountList(users []linuxPasswd, groups map[string]linuxGroup, shadow map[string]string, adminGroups, adminUsers map[string]bool, uidMin int) []handwash.LocalAccount {
	adminGIDs := map[int]bool{}
	for g := range adminGroups {
		if grp, ok := groups[g]; ok {
			adminGIDs[grp.GID] = true
		}
	}
	list := []handwash.LocalAccount{}
	seen := map[string]bool{}
	for _, u := range users {
		if seen[u.Name] || (u.UID != 0 && (u.UID < uidMin || u.UID == 65534 || !linuxLoginShell(u.Shell))) {
			continue
		}
		seen[u.Name] = true
		a := handwash.LocalAccount{Name: u.Name, ID: strconv.Itoa(u.UID)}
		admin := u.UID == 0 || adminUsers[u.Name] || adminGIDs[u.GID]
		for g := range adminGroups {
			if groups[g].has(u.Name) {
				admin = true
			}
		}
		a.Admin = boolPtr(admin)
		switch {
		case u.UID == 0:
			a.Builtin = "administrator"
		case u.Name == "guest":
			a.Builtin = "guest"
		}
		if shadow != nil {
			if hash, ok := shadow[u.Name]; ok {
				// "!" or "*" first: the password is locked or was never set,
				// so the account cannot sign in with one. Empty: no password.
				a.Enabled = boolPtr(linuxLoginShell(u.Shell) && !strings.HasPrefix(hash, "!") && !strings.HasPrefix(hash, "*"))
				a.PasswordEmpty = boolPtr(hash == "")
				a.PasswordRequired = boolPtr(hash != "")
			}
		}
		list = append(list, a)
	}
	sort.SliceStable(list, func(i, j int) bool { return linuxAtoiOr(list[i].ID) < linuxAtoiOr(list[j].ID) })
	return list
}

func linuxAtoiOr(s string) int { n, _ := strconv.Atoi(s); return n }

// linuxSudoers returns the readable sudoers files (root only: 0440).
func linuxSudoers(h Host) []string {
	var out []string
	if t := linuxRead(h, "/etc/sudoers"); t != "" {
		out = append(out, t)
	}
	names, _ := h.ReadDir("/etc/sudoers.d")
	for _, n := range names {
		// sudo skips files with a dot or ending in ~ in an includedir.
		if strings.Contains(n, ".") || strings.HasSuffix(n, "~") {
			continue
		}
		if t := linuxRead(h, "/etc/sudoers.d/"+n); t != "" {
			out = append(out, t)
		}
	}
	return out
}

// parseSudoers returns the users and %groups given every command ("ALL" as
// the command list): "%sudo ALL=(ALL:ALL) ALL", "alice ALL=(ALL) NOPASSWD: ALL".
func parseSudoers(text string) (users, groups []string) {
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || line[0] == '#' || line[0] == '@' || strings.HasPrefix(line, "Defaults") || strings.Contains(line, "_Alias") {
			continue
		}
		sp := strings.IndexAny(line, " \t")
		if sp < 0 {
			continue
		}
		who, rule := line[:sp], line[sp:]
		if !strings.Contains(rule, "=") {
			continue
		}
		_, cmds, _ := strings.Cut(rule, "=")
		if i := strings.LastIndexByte(cmds, ')'); i >= 0 {
			cmds = cmds[i+1:]
		}
		if i := strings.LastIndexByte(cmds, ':'); i >= 0 {
			cmds = cmds[i+1:] // tags such as NOPASSWD:
		}
		if strings.TrimSpace(cmds) != "ALL" {
			continue
		}
		for _, w := range strings.Split(who, ",") {
			if g, ok := strings.CutPrefix(w, "%"); ok {
				groups = append(groups, g)
			} else if w != "" {
				users = append(users, w)
			}
		}
	}
	return users, groups
}

// linuxLightDM merges LightDM's seat settings, in the order LightDM reads
// them (the later file wins).
func linuxLightDM(h Host) map[string]string {
	merged := map[string]string{}
	var files []string
	for _, dir := range []string{"/usr/share/lightdm/lightdm.conf.d", "/etc/lightdm/lightdm.conf.d"} {
		names, _ := h.ReadDir(dir)
		for _, n := range names {
			if strings.HasSuffix(n, ".conf") {
				files = append(files, dir+"/"+n)
			}
		}
		if dir == "/usr/share/lightdm/lightdm.conf.d" {
			files = append(files, "/etc/lightdm/lightdm.conf")
		}
	}
	for _, file := range files {
		for sec, kv := range parseINI(linuxRead(h, file)) {
			if strings.HasPrefix(sec, "Seat") {
				for k, v := range kv {
					merged[k] = v
				}
			}
		}
	}
	return merged
}

// linuxAutoLogon reports whether someone is signed in at start without a
// password: GDM's AutomaticLoginEnable/TimedLoginEnable, LightDM's
// autologin-user, SDDM's [Autologin] User, or agetty --autologin on a
// console.
func linuxAutoLogon(h Host) (bool, string) {
	for _, file := range []string{"/etc/gdm3/daemon.conf", "/etc/gdm3/custom.conf", "/etc/gdm/custom.conf"} {
		d := parseINI(linuxRead(h, file))["daemon"]
		for _, k := range []string{"AutomaticLoginEnable", "TimedLoginEnable"} {
			if on, _ := linuxBool(d[k]); on {
				return true, file + ": " + k
			}
		}
	}
	if u := linuxLightDM(h)["autologin-user"]; u != "" {
		return true, "LightDM autologin-user=" + u
	}
	files := []string{"/etc/sddm.conf"}
	names, _ := h.ReadDir("/etc/sddm.conf.d")
	for _, n := range names {
		files = append(files, "/etc/sddm.conf.d/"+n)
	}
	for _, file := range files {
		if u := parseINI(linuxRead(h, file))["Autologin"]["User"]; u != "" {
			return true, file + ": User=" + u
		}
	}
	for _, dir := range []string{"/etc/systemd/system/getty@tty1.service.d", "/etc/systemd/system/getty@.service.d", "/etc/systemd/system/serial-getty@.service.d"} {
		names, _ := h.ReadDir(dir)
		for _, n := range names {
			if t := linuxRead(h, dir+"/"+n); strings.Contains(t, "--autologin") || strings.Contains(t, " -a ") {
				return true, dir + "/" + n
			}
		}
	}
	return false, ""
}
