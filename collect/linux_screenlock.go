package collect

import (
	"context"
	"strings"

	"github.com/handwash/handwash"
)

// linuxScreenLock fills the screen lock of the console user's desktop:
// GNOME (and desktops built on its settings) through gsettings, KDE Plasma
// through kscreenlockerrc. A machine with no graphical desktop has nothing
// to lock: the topic is left out as not supported.
func linuxScreenLock(ctx context.Context, h Host, f *handwash.Facts, s *linuxState) error {
	gui, why := s.graphical(h)
	if !gui {
		f.AddMissing("screen_lock", handwash.ReasonNotSupported, "no graphical desktop ("+why+")")
		return nil
	}
	u := s.consoleUser(ctx, h)
	switch d := linuxDesktopKind(h, s); d {
	case "gnome":
		lock, err := linuxGSettings(ctx, h, s, "org.gnome.desktop.screensaver")
		if err != nil {
			f.AddMissing("screen_lock", handwash.ReasonError, err.Error())
			return nil
		}
		session, err := linuxGSettings(ctx, h, s, "org.gnome.desktop.session")
		if err != nil {
			f.AddMissing("screen_lock", handwash.ReasonError, err.Error())
			return nil
		}
		f.ScreenLock = gnomeScreenLock(lock, session)
	case "kde":
		conf := parseINI(linuxRead(h, "/etc/xdg/kscreenlockerrc"))
		if u.Home != "" {
			for k, v := range parseINI(linuxRead(h, u.Home+"/.config/kscreenlockerrc"))["Daemon"] {
				if conf["Daemon"] == nil {
					conf["Daemon"] = map[string]string{}
				}
				conf["Daemon"][k] = v
			}
		}
		f.ScreenLock = kdeScreenLock(conf["Daemon"])
	default:
		f.AddMissing("screen_lock", handwash.ReasonNotSupported, "desktop not covered: "+d)
		return nil
	}
	f.ScreenLock.Scope = "user " + u.Name
	return nil
}

// linuxDesktopKind says whose settings hold the screen lock: gnome (GNOME,
// Ubuntu's desktop, Budgie, Pop), kde, or the name of another desktop. The
// session the check runs in decides; otherwise the desktops installed.
func linuxDesktopKind(h Host, s *linuxState) string {
	cur := strings.ToLower(h.Getenv("XDG_CURRENT_DESKTOP"))
	s.graphical(h)
	names := append([]string{cur}, s.desktops...)
	for _, n := range names {
		switch {
		case strings.Contains(n, "gnome") || strings.Contains(n, "ubuntu") || strings.Contains(n, "budgie") || strings.Contains(n, "pop"):
			return "gnome"
		case strings.Contains(n, "kde") || strings.Contains(n, "plasma"):
			return "kde"
		}
	}
	if linuxExists(h, "/usr/bin/gnome-shell") {
		return "gnome"
	}
	if linuxExists(h, "/usr/bin/plasmashell") {
		return "kde"
	}
	if len(names) > 1 {
		return names[1]
	}
	return "unknown"
}

// linuxGSettings reads every key of a schema as the console user, since
// settings are per user and root's are not theirs.
func linuxGSettings(ctx context.Context, h Host, s *linuxState, schema string) (map[string]string, error) {
	out, err := s.runAsUser(ctx, h, "gsettings", "list-recursively", schema)
	if err != nil {
		return nil, err
	}
	if out.ExitCode != 0 {
		return nil, &linuxCmdError{cmd: "gsettings list-recursively " + schema, msg: linuxFirstLine(out.Stderr)}
	}
	return parseGSettings(out.Stdout), nil
}

// linuxCmdError is a command that ran and failed.
type linuxCmdError struct{ cmd, msg string }

func (e *linuxCmdError) Error() string { return e.cmd + ": " + e.msg }

// parseGSettings reads gsettings list-recursively: "schema key value"
// lines, where child schemas (org.gnome.DejaDup.Remote) keep their own
// name. Keys are returned as "key" for the schema asked for and
// "Child.key" for its children; GVariant type prefixes ("uint32 300") and
// string quotes are removed.
func parseGSettings(b []byte) map[string]string {
	m := map[string]string{}
	root := ""
	for _, line := range linuxLines(b) {
		schema, rest, ok := strings.Cut(line, " ")
		if !ok {
			continue
		}
		key, val, _ := strings.Cut(rest, " ")
		if root == "" || len(schema) < len(root) {
			root = schema
		}
		name := key
		if child, ok := strings.CutPrefix(schema, root+"."); ok {
			name = child + "." + key
		}
		m[name] = gvariantValue(val)
	}
	return m
}

// gvariantValue strips a GVariant text value to its plain form.
func gvariantValue(v string) string {
	v = strings.TrimSpace(v)
	for _, t := range []string{"uint32 ", "int32 ", "uint64 ", "int64 ", "byte ", "@as ", "@s ", "@ms "} {
		v = strings.TrimPrefix(v, t)
	}
	if len(v) >= 2 && v[0] == '\'' && v[len(v)-1] == '\'' {
		v = strings.ReplaceAll(v[1:len(v)-1], `\'`, `'`)
	}
	return v
}

// gnomeScreenLock reads GNOME's settings: the screen blanks after
// session idle-delay seconds (0 = never) and locks lock-delay seconds later
// when screensaver lock-enabled is true.
func gnomeScreenLock(screensaver, session map[string]string) *handwash.ScreenLockFacts {
	sl := &handwash.ScreenLockFacts{}
	idle, idleOK := linuxAtoi(session["idle-delay"])
	enabled, enabledOK := linuxBool(screensaver["lock-enabled"])
	if idleOK {
		sl.IdleSeconds = intPtr(idle)
	}
	if d, ok := linuxAtoi(screensaver["lock-delay"]); ok {
		sl.GraceSeconds = intPtr(d)
	}
	if idleOK && enabledOK {
		sl.Enabled = boolPtr(enabled && idle > 0)
	}
	return sl
}

// kdeScreenLock reads kscreenlockerrc's [Daemon] group, with KDE's
// defaults for keys not set (kscreenlocker's kcfg: Autolock true,
// Timeout 5 minutes, LockGrace 5 seconds).
func kdeScreenLock(daemon map[string]string) *handwash.ScreenLockFacts {
	auto, timeout, grace := true, 5, 5
	if v, ok := linuxBool(daemon["Autolock"]); ok {
		auto = v
	}
	if v, ok := linuxAtoi(daemon["Timeout"]); ok {
		timeout = v
	}
	if v, ok := linuxAtoi(daemon["LockGrace"]); ok {
		grace = v
	}
	return &handwash.ScreenLockFacts{Enabled: boolPtr(auto && timeout > 0), IdleSeconds: intPtr(timeout * 60), GraceSeconds: intPtr(grace)}
}
