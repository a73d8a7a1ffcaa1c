package collect

import (
	"context"
	"errors"
	"io/fs"
	"path"
	"regexp"
	"strconv"
	"strings"

	"github.com/handwash/handwash"
)

// Files the sharing collector reads.
const (
	macSSHDConfig       = "/etc/ssh/sshd_config"
	macNSMBConf         = "/etc/nsmb.conf"
	macSMBServerPlist   = "/Library/Preferences/SystemConfiguration/com.apple.smb.server.plist"
	macARDLaunchdFlag   = "/Library/Application Support/Apple/Remote Desktop/RemoteManagement.launchd"
	macSSHDLabel        = "com.openssh.sshd"
	macScreenShareJob   = "com.apple.screensharing"
	macSMBDLabel        = "com.apple.smbd"
	macSSHPort          = 22
	macVNCPort          = 5900
	macSMBPort          = 445
	macSSHDIncludeDepth = 8
	macSSHDMaxFiles     = 64
)

// collectMacSharing reports Remote Login (SSH), Screen Sharing and File
// Sharing (SMB). Each is a launchd job that ships disabled and that System
// Settings enables; launchd itself then listens on the service's port and
// starts the daemon per connection. So a job is on when launchd's override
// database says enabled, or when something listens on its port.
func collectMacSharing(ctx context.Context, h Host, f *handwash.Facts) error {
	var overrides map[string]bool
	out, err := macRunOK(ctx, h, macLaunchctl, "print-disabled", "system")
	if err == nil {
		overrides = parseLaunchctlDisabled(out)
	}
	overridesErr := err

	// Only ports other machines can reach count: an SSH tunnel that
	// listens on 127.0.0.1:22 is not Remote Login.
	var ports map[int]bool
	if ls, err := macTCPListeners(ctx, h); err == nil {
		ports = map[int]bool{}
		for _, l := range ls {
			if !macLoopback(l.Address) {
				ports[l.Port] = true
			}
		}
	}
	// As root, `launchctl list` shows the system domain's loaded jobs.
	var loaded map[string]bool
	if h.Elevated() {
		if out, err := macRunOK(ctx, h, macLaunchctl, "list"); err == nil {
			loaded = map[string]bool{}
			for _, j := range parseLaunchctlList(out) {
				loaded[j.Label] = true
			}
		}
	}
	state := func(label string, port int) *bool {
		return macServiceState(label, port, overrides, ports, loaded)
	}
	why := "launchctl print-disabled system: unreadable"
	if overridesErr != nil {
		why = overridesErr.Error()
	}

	ra := &handwash.RemoteAccessFacts{}
	f.RemoteAccess = ra
	ssh := &handwash.SSHFacts{Enabled: state(macSSHDLabel, macSSHPort)}
	ra.SSH = ssh
	if ssh.Enabled == nil {
		f.AddMissing("remote_access.ssh.enabled", macReason(overridesErr), why)
	}
	if cfg, err := macReadSSHDConfig(ctx, h); err != nil {
		for _, k := range []string{"permit_root_login", "password_authentication", "permit_empty_passwords"} {
			f.AddMissing("remote_access.ssh."+k, macReason(err), err.Error())
		}
	} else {
		ssh.PermitRootLogin, ssh.PasswordAuthentication, ssh.PermitEmptyPasswords = macSSHDEffective(cfg)
	}

	ra.ScreenSharing = state(macScreenShareJob, macVNCPort)
	// Remote Management (Apple Remote Desktop) includes screen sharing; it
	// is on while this flag file exists (as osquery's sharing_preferences
	// reads it).
	if _, err := h.Stat(macARDLaunchdFlag); err == nil {
		ra.ScreenSharing = boolPtr(true)
	}
	if ra.ScreenSharing == nil {
		f.AddMissing("remote_access.screen_sharing", macReason(overridesErr), why)
	}

	smb := &handwash.SMBFacts{ServerEnabled: state(macSMBDLabel, macSMBPort)}
	f.SMB = smb
	if smb.ServerEnabled == nil {
		f.AddMissing("smb.server_enabled", macReason(overridesErr), why)
	}
	// Apple documents neither whether its SMB server still accepts SMB 1
	// nor a setting for it; but a server that is off offers no SMB 1 either.
	switch {
	case smb.ServerEnabled != nil && !*smb.ServerEnabled:
		smb.V1Server = boolPtr(false)
	case smb.ServerEnabled != nil:
		f.AddMissing("smb.v1_server", handwash.ReasonNotSupported, "File Sharing is on, and macOS documents no SMB 1 setting for its file-sharing server")
	}

	conf, err := h.ReadFile(macNSMBConf)
	switch {
	case err == nil || errors.Is(err, fs.ErrNotExist):
		smb.V1Client = boolPtr(macNSMBAllowsSMB1(conf))
	default:
		f.AddMissing("smb.v1_client", macReason(err), err.Error())
	}

	server, err := macReadPlistDict(ctx, h, macSMBServerPlist)
	if err == nil {
		if v, ok := plistBool(server["SigningRequired"]); ok {
			smb.SigningRequired = boolPtr(v)
		}
	}
	if smb.SigningRequired == nil {
		detail := "SigningRequired is not set in com.apple.smb.server, and Apple does not document the default"
		reason := handwash.ReasonNotSupported
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			reason, detail = macReason(err), err.Error()
		}
		f.AddMissing("smb.signing_required", reason, detail)
	}
	return nil
}

// macServiceState decides whether a sharing service is on. ssh.plist,
// com.apple.screensharing.plist and com.apple.smbd.plist all ship with
// Disabled set, so a job with no override is off; while a job is enabled
// launchd holds its port open, so a listener on the port means on (and a
// listener from another program, say a second sshd, serves the same
// purpose). ports and loaded are nil when unknown.
func macServiceState(label string, port int, overrides map[string]bool, ports map[int]bool, loaded map[string]bool) *bool {
	if ports[port] || loaded[label] {
		return boolPtr(true)
	}
	if disabled, ok := overrides[label]; ok {
		return boolPtr(!disabled)
	}
	if overrides != nil || ports != nil {
		return boolPtr(false)
	}
	return nil
}

var macLaunchdOverrideRe = regexp.MustCompile(`^\s*"([^"]+)"\s*=>\s*(\S+)`)

// parseLaunchctlDisabled reads `launchctl print-disabled system`:
//
//	disabled services = {
//		"com.openssh.sshd" => enabled
//		"com.apple.smbd" => disabled
//	}
//
// Releases before macOS 11 print "=> true" for disabled and "=> false" for
// enabled. It returns, for each label, whether the job is disabled.
func parseLaunchctlDisabled(b []byte) map[string]bool {
	out := map[string]bool{}
	for _, line := range strings.Split(string(b), "\n") {
		m := macLaunchdOverrideRe.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		switch strings.TrimSpace(m[2]) {
		case "disabled", "true":
			out[m[1]] = true
		case "enabled", "false":
			out[m[1]] = false
		}
	}
	return out
}

// macLaunchdJob is one line of `launchctl list`.
type macLaunchdJob struct {
	PID    int // 0 when not running
	Status string
	Label  string
}

// parseLaunchctlList reads `launchctl list`: a "PID Status Label" header,
// then tab-separated lines where PID is "-" for a job that is loaded but
// not running.
func parseLaunchctlList(b []byte) []macLaunchdJob {
	var jobs []macLaunchdJob
	for _, line := range strings.Split(string(b), "\n") {
		fields := strings.Fields(line)
		if len(fields) < 3 || fields[0] == "PID" {
			continue
		}
		pid, err := strconv.Atoi(fields[0])
		if err != nil && fields[0] != "-" {
			continue
		}
		jobs = append(jobs, macLaunchdJob{PID: pid, Status: fields[1], Label: strings.Join(fields[2:], " ")})
	}
	return jobs
}

// macReadSSHDConfig reads sshd_config and the files it includes, keeping
// the global settings: like sshd, the first value of a keyword wins, and
// settings inside a Match block (until "Match all") are not global. Keys
// are lower case. macOS ships "Include /etc/ssh/sshd_config.d/*" near the
// top, with 100-macos.conf there setting UsePAM yes.
func macReadSSHDConfig(ctx context.Context, h Host) (map[string]string, error) {
	cfg := map[string]string{}
	inMatch := false
	reads := 0
	var read func(file string, depth int, required bool) error
	read = func(file string, depth int, required bool) error {
		if depth > macSSHDIncludeDepth {
			return errors.New("sshd_config: includes nest too deep")
		}
		if reads++; reads > macSSHDMaxFiles {
			return errors.New("sshd_config: includes too many files")
		}
		b, err := h.ReadFile(file)
		if err != nil {
			if !required && errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			return err
		}
		for _, line := range strings.Split(string(b), "\n") {
			key, value := macSSHDLine(line)
			switch key {
			case "":
				continue
			case "match":
				inMatch = !strings.EqualFold(strings.TrimSpace(value), "all")
				continue
			case "include":
				if inMatch {
					continue
				}
				for _, pattern := range strings.Fields(value) {
					if !path.IsAbs(pattern) {
						pattern = "/etc/ssh/" + pattern
					}
					files, err := macGlob(h, pattern)
					if err != nil {
						return err
					}
					for _, inc := range files {
						if err := read(inc, depth+1, false); err != nil {
							return err
						}
					}
				}
				continue
			}
			if inMatch {
				continue
			}
			if _, seen := cfg[key]; !seen {
				cfg[key] = value
			}
		}
		return nil
	}
	if err := read(macSSHDConfig, 0, true); err != nil {
		return nil, err
	}
	return cfg, nil
}

// macSSHDLine splits a config line into a lower-case keyword and its value
// ("Key value" or "Key=value"), dropping comments and quotes.
func macSSHDLine(line string) (key, value string) {
	line = strings.TrimSpace(line)
	if line == "" || strings.HasPrefix(line, "#") {
		return "", ""
	}
	i := strings.IndexAny(line, " \t=")
	if i < 0 {
		return strings.ToLower(line), ""
	}
	key = strings.ToLower(line[:i])
	value = strings.TrimLeft(line[i:], " \t")
	value = strings.TrimSpace(strings.TrimPrefix(value, "="))
	if j := strings.Index(value, " #"); j >= 0 {
		value = strings.TrimSpace(value[:j])
	}
	return key, strings.Trim(value, `"`)
}

// macGlob expands an Include pattern whose wildcards are in its last
// element, in lexical order as sshd does.
func macGlob(h Host, pattern string) ([]string, error) {
	dir, base := path.Split(pattern)
	if !strings.ContainsAny(base, "*?[") {
		return []string{pattern}, nil
	}
	names, err := h.ReadDir(strings.TrimSuffix(dir, "/"))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []string
	for _, n := range names {
		if ok, _ := path.Match(base, n); ok {
			out = append(out, dir+n)
		}
	}
	return out, nil
}

// macSSHDEffective applies OpenSSH's defaults to the global settings and
// returns PermitRootLogin, whether a password can sign in, and
// PermitEmptyPasswords. A password can sign in through
// PasswordAuthentication, or through keyboard-interactive when PAM is on
// (macOS turns UsePAM on), unless AuthenticationMethods leaves both out.
func macSSHDEffective(cfg map[string]string) (permitRoot string, password, empty *bool) {
	yes := func(key string, def bool) bool {
		v, ok := cfg[key]
		if !ok {
			return def
		}
		return strings.EqualFold(v, "yes")
	}
	permitRoot = strings.ToLower(cfg["permitrootlogin"])
	switch permitRoot {
	case "":
		permitRoot = "prohibit-password" // OpenSSH's default since 7.0
	case "without-password":
		permitRoot = "prohibit-password" // the old name of the same setting
	}
	kbd := yes("kbdinteractiveauthentication", true)
	if _, ok := cfg["kbdinteractiveauthentication"]; !ok {
		kbd = yes("challengeresponseauthentication", true) // the old name
	}
	pw := yes("passwordauthentication", true) || (kbd && yes("usepam", false))
	if methods, ok := cfg["authenticationmethods"]; ok && !strings.EqualFold(methods, "any") {
		if !strings.Contains(methods, "password") && !strings.Contains(methods, "keyboard-interactive") {
			pw = false
		}
	}
	return permitRoot, boolPtr(pw), boolPtr(yes("permitemptypasswords", false))
}

// macNSMBAllowsSMB1 reads protocol_vers_map in the [default] section of
// /etc/nsmb.conf: a bitmap of the SMB versions the client may use (1 SMB 1,
// 2 SMB 2, 4 SMB 3). nsmb.conf(5) gives 7 as the default, so with no file
// or no setting the client may fall back to SMB 1.
func macNSMBAllowsSMB1(conf []byte) bool {
	section := ""
	vers := int64(7)
	for _, line := range strings.Split(string(conf), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || line[0] == '#' || line[0] == ';' {
			continue
		}
		if strings.HasPrefix(line, "[") && strings.HasSuffix(line, "]") {
			section = strings.ToLower(strings.Trim(line, "[]"))
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok || section != "default" || strings.TrimSpace(strings.ToLower(k)) != "protocol_vers_map" {
			continue
		}
		if n, err := strconv.ParseInt(strings.TrimSpace(v), 0, 64); err == nil {
			vers = n
		}
	}
	return vers&1 != 0
}
