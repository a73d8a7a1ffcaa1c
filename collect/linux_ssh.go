package collect

import (
	"context"
	"path"
	"strings"

	"github.com/handwash/handwash"
)

// linuxRemoteAccess fills the SSH server: whether it runs (or waits on a
// socket) and how it lets people in, from sshd -T as root and from
// sshd_config and its drop-ins otherwise.
func linuxRemoteAccess(ctx context.Context, h Host, f *handwash.Facts, s *linuxState) error {
	ssh := &handwash.SSHFacts{}
	f.RemoteAccess = &handwash.RemoteAccessFacts{SSH: ssh}
	// Remote desktops: xrdp and GNOME Remote Desktop (RDP), VNC servers,
	// and the remote-support tools small providers are sold.
	f.RemoteAccess.ScreenSharing = boolPtr(s.running(h, "xrdp", "gnome-remote-desktop", "gnome-remote-de", "vino-server", "x11vnc", "Xvnc", "x0vncserver", "krfb", "teamviewerd", "anydesk", "rustdesk") ||
		s.listening(h, "tcp", 3389) || s.listening(h, "tcp", 5900))
	installed := false
	for _, p := range []string{"sshd", "/usr/sbin/sshd"} {
		if _, err := h.LookPath(p); err == nil {
			installed = true
		}
	}
	installed = installed || linuxExists(h, "/usr/sbin/sshd")
	if !installed {
		ssh.Enabled = boolPtr(false)
		return nil
	}
	// Ubuntu 22.10 and later start sshd from ssh.socket on the first
	// connection, so no sshd process is no proof it is off.
	ssh.Enabled = boolPtr(s.running(h, "sshd", "sshd-session") || linuxUnitEnabled(h, "ssh.socket") || s.listening(h, "tcp", 22))

	var conf map[string]string
	if h.Elevated() {
		out, err := h.Run(ctx, "sshd", "-T")
		if err == nil && out.ExitCode == 0 {
			conf = parseSSHDEffective(out.Stdout)
		}
	}
	if conf == nil {
		if !linuxExists(h, "/etc/ssh/sshd_config") {
			f.AddMissing("remote_access.ssh.permit_root_login", handwash.ReasonError, "no /etc/ssh/sshd_config")
			return nil
		}
		conf = linuxSSHDConfig(h)
	}
	root := conf["permitrootlogin"]
	if root == "" {
		root = "prohibit-password" // OpenSSH 7.0 and later
	}
	if root == "without-password" {
		root = "prohibit-password" // the old spelling
	}
	ssh.PermitRootLogin = root
	pw, kbd, pam := linuxSSHYes(conf, "passwordauthentication", true), linuxSSHYes(conf, "kbdinteractiveauthentication", true), linuxSSHYes(conf, "usepam", false)
	if _, ok := conf["kbdinteractiveauthentication"]; !ok {
		kbd = linuxSSHYes(conf, "challengeresponseauthentication", true) // the name before OpenSSH 8.7
	}
	// Keyboard-interactive through PAM asks for the same password, so it
	// counts as password sign-in.
	ssh.PasswordAuthentication = boolPtr(pw || (kbd && pam))
	ssh.PermitEmptyPasswords = boolPtr(linuxSSHYes(conf, "permitemptypasswords", false))
	return nil
}

// linuxSSHYes reads a yes/no sshd option, def when unset.
func linuxSSHYes(conf map[string]string, key string, def bool) bool {
	v, ok := conf[key]
	if !ok {
		return def
	}
	return v == "yes"
}

// parseSSHDEffective reads sshd -T: lowercase "key value" lines.
func parseSSHDEffective(b []byte) map[string]string {
	conf := map[string]string{}
	for _, line := range linuxLines(b) {
		k, v, ok := strings.Cut(strings.TrimSpace(line), " ")
		if ok {
			if _, seen := conf[k]; !seen {
				conf[k] = strings.TrimSpace(v)
			}
		}
	}
	return conf
}

// linuxSSHDConfig reads sshd_config as sshd does for a connection that
// matches no Match block: the first value of each keyword wins, and
// Include pulls files in where it stands, in lexical order.
func linuxSSHDConfig(h Host) map[string]string {
	conf := map[string]string{}
	parseSSHDConfig(h, "/etc/ssh/sshd_config", conf, 0)
	return conf
}

// parseSSHDConfig adds a file's settings to conf (keys lowercased); it
// stops at the first Match block, whose settings apply only to some
// connections.
func parseSSHDConfig(h Host, file string, conf map[string]string, depth int) bool {
	if depth > 8 {
		return false
	}
	for _, line := range strings.Split(linuxRead(h, file), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || line[0] == '#' {
			continue
		}
		key, val := linuxSSHDKeyValue(line)
		switch key {
		case "":
			continue
		case "match":
			return true
		case "include":
			for _, pattern := range strings.Fields(val) {
				if !strings.HasPrefix(pattern, "/") {
					pattern = "/etc/ssh/" + pattern
				}
				for _, inc := range linuxGlob(h, pattern) {
					if parseSSHDConfig(h, inc, conf, depth+1) {
						return true
					}
				}
			}
			continue
		}
		if _, seen := conf[key]; !seen {
			conf[key] = strings.ToLower(val)
		}
	}
	return false
}

// linuxSSHDKeyValue splits "Keyword value" or "Keyword=value".
func linuxSSHDKeyValue(line string) (string, string) {
	i := strings.IndexAny(line, " \t=")
	if i < 0 {
		return strings.ToLower(line), ""
	}
	key := strings.ToLower(line[:i])
	val := strings.TrimLeft(line[i:], " \t")
	val = strings.TrimPrefix(val, "=")
	return key, strings.Trim(strings.TrimSpace(val), `"`)
}

// linuxGlob expands a pattern whose last element may hold wildcards, in
// lexical order.
func linuxGlob(h Host, pattern string) []string {
	dir, base := path.Split(pattern)
	if !strings.ContainsAny(base, "*?[") {
		return []string{pattern}
	}
	names, _ := h.ReadDir(strings.TrimSuffix(dir, "/"))
	var out []string
	for _, n := range names {
		if ok, _ := path.Match(base, n); ok {
			out = append(out, dir+n)
		}
	}
	return out
}
