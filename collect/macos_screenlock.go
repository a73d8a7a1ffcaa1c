package collect

import (
	"context"
	"errors"
	"io/fs"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/handwash/handwash"
)

// collectMacScreenLock works out whether the screen locks by itself, from
// three things: whether a password is needed after the screen saver starts
// or the display sleeps (sysadminctl, or MDM's askForPassword), when the
// screen saver starts (the per-host idleTime, or MDM's), and when the
// display sleeps (pmset). The screen is locked at whichever comes first,
// plus the password delay.
func collectMacScreenLock(ctx context.Context, h Host, f *handwash.Facts) error {
	u, err := macSubjectUser(ctx, h)
	if errors.Is(err, errMacNoUser) {
		f.AddMissing("screen_lock", handwash.ReasonNotSupported, err.Error())
		return nil
	}
	if err != nil {
		return macTopicMissing(f, "screen_lock", err)
	}
	sl := &handwash.ScreenLockFacts{Scope: "user " + u.Name}
	f.ScreenLock = sl

	// Since macOS 10.13 the user's own "require password" choice is not
	// kept where `defaults` can read it; sysadminctl (macOS 13 and later)
	// reports it, on stderr, for the session it runs in.
	var required *bool
	var delay *int
	out, err := macRunAsUser(ctx, h, u, macSysadminctl, "-screenLock", "status")
	if err == nil {
		var ok bool
		required, delay, ok = parseSysadminctlScreenLock(append(append([]byte{}, out.Stderr...), out.Stdout...))
		if !ok {
			err = errors.New("sysadminctl -screenLock status: " + macFirstLine(out.Stderr, out.Stdout))
		}
	}
	sysadminErr := err

	managed, merr := macManaged(ctx, h, "com.apple.screensaver", u.Name)
	if merr != nil {
		f.AddMissing("screen_lock", macReason(merr), "managed settings: "+merr.Error())
	}
	var managedKeys []string
	if v, ok := plistBool(managed["askForPassword"]); ok {
		required = boolPtr(v)
		managedKeys = append(managedKeys, "askForPassword")
	}
	if n, ok := plistInt(managed["askForPasswordDelay"]); ok && n >= 0 {
		delay = intPtr(int(n))
		managedKeys = append(managedKeys, "askForPasswordDelay")
	}

	// idleTime is seconds before the screen saver starts (0: never). It is
	// per host, in ~/Library/Preferences/ByHost/com.apple.screensaver.<UUID>.plist.
	// macOS writes it only once someone changes the setting, and Apple does
	// not document the default, so an absent value stays unknown.
	var idle *int
	if n, ok := plistInt(managed["idleTime"]); ok && n >= 0 {
		idle = intPtr(int(n))
		managedKeys = append(managedKeys, "idleTime")
	} else if n, err := macUserIdleTime(ctx, h, u); err == nil && n >= 0 {
		idle = intPtr(n)
	}
	if len(managedKeys) > 0 {
		sl.Scope += " and machine policy (" + strings.Join(managedKeys, ", ") + ")"
	}

	displaySleep := map[string]int{}
	if b, err := macRunOK(ctx, h, macPmset, "-g", "custom"); err == nil {
		for source, kv := range parsePmsetCustom(b) {
			if n, err := strconv.Atoi(kv["displaysleep"]); err == nil && n >= 0 {
				displaySleep[source] = n
			}
		}
	} else {
		f.AddMissing("screen_lock.idle_seconds", macReason(err), "display sleep: "+err.Error())
	}

	seconds, never, unknown := macEffectiveIdle(idle, displaySleep)
	switch {
	case !never && !unknown:
		sl.IdleSeconds = intPtr(seconds)
	case never:
		f.AddMissing("screen_lock.idle_seconds", handwash.ReasonNotSupported,
			"nothing starts by itself: on at least one power source the display never sleeps and the screen saver never starts")
	default:
		f.AddMissing("screen_lock.idle_seconds", handwash.ReasonNotSupported,
			"the display never sleeps and the screen saver's start time has never been set, so it is at its undocumented default")
	}

	switch {
	case required == nil:
		reason, detail := handwash.ReasonNotSupported, "sysadminctl gave no answer and no profile sets askForPassword"
		if sysadminErr != nil {
			reason, detail = macReason(sysadminErr), sysadminErr.Error()
		}
		f.AddMissing("screen_lock.enabled", reason, detail)
	case !*required:
		sl.Enabled = boolPtr(false)
	case never:
		sl.Enabled = boolPtr(false) // a password is asked for, but nothing starts by itself
	case unknown:
		f.AddMissing("screen_lock.enabled", handwash.ReasonNotSupported, "a password is required, but when the screen saver starts is not recorded")
	default:
		sl.Enabled = boolPtr(true)
	}
	if required != nil && *required {
		if delay != nil {
			sl.GraceSeconds = delay
		} else {
			f.AddMissing("screen_lock.grace_seconds", handwash.ReasonError, "sysadminctl did not say how long after the screen saver a password is needed")
		}
	}
	return nil
}

// macEffectiveIdle combines the screen saver's start (idle seconds, nil
// unknown, 0 never) with the display sleep of each power source (minutes,
// 0 never). For each source the screen goes dark at the sooner of the two;
// across sources the longest wait counts, since the Mac may be on either.
// never is set when on some power source nothing ever starts; unknown when
// that cannot be ruled out. When idle is unknown but the display does sleep,
// the display's time is reported: the screen saver can only make it sooner.
func macEffectiveIdle(idle *int, displaySleep map[string]int) (seconds int, never, unknown bool) {
	sources := make([]string, 0, len(displaySleep))
	for s := range displaySleep {
		sources = append(sources, s)
	}
	sort.Strings(sources)
	if len(sources) == 0 {
		switch {
		case idle == nil:
			return 0, false, true
		case *idle == 0:
			return 0, true, false
		}
		return *idle, false, false
	}
	worst := 0
	for _, s := range sources {
		best := 0
		if idle != nil && *idle > 0 {
			best = *idle
		}
		if d := displaySleep[s] * 60; d > 0 && (best == 0 || d < best) {
			best = d
		}
		switch {
		case best > 0:
			worst = max(worst, best)
		case idle == nil:
			unknown = true
		default:
			never = true
		}
	}
	return worst, never, unknown
}

// macUserIdleTime reads the per-host screen saver idleTime of u. The file is
// named after the Mac's hardware UUID.
func macUserIdleTime(ctx context.Context, h Host, u macUser) (int, error) {
	out, err := macRunOK(ctx, h, macIoreg, "-rd1", "-c", "IOPlatformExpertDevice", "-a")
	if err != nil {
		return -1, err
	}
	hw, err := parseIoregPlatform(out)
	if err != nil {
		return -1, err
	}
	file := u.Home + "/Library/Preferences/ByHost/com.apple.screensaver." + hw.UUID + ".plist"
	prefs, err := macReadPlistDict(ctx, h, file)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return -1, nil
		}
		return -1, err
	}
	if n, ok := plistInt(prefs["idleTime"]); ok {
		return int(n), nil
	}
	return -1, nil
}

var macScreenLockRe = regexp.MustCompile(`(?i)screenLock\s+(?:delay\s+)?is\s+(.+?)\s*$`)

// parseSysadminctlScreenLock reads `sysadminctl -screenLock status`, which
// logs one line to stderr behind a timestamp:
//
//	2025-06-02 09:14:01.123 sysadminctl[4321:98765] screenLock delay is immediate
//	2025-06-02 09:14:01.123 sysadminctl[4321:98765] screenLock delay is 300 seconds
//	2025-06-02 09:14:01.123 sysadminctl[4321:98765] screenLock is off
//
// "delay is -1 seconds" also means off. It returns whether a password is
// required and after how many seconds.
func parseSysadminctlScreenLock(b []byte) (required *bool, delay *int, ok bool) {
	for _, line := range strings.Split(string(b), "\n") {
		m := macScreenLockRe.FindStringSubmatch(strings.TrimSpace(line))
		if m == nil {
			continue
		}
		v := strings.ToLower(strings.TrimSuffix(m[1], "."))
		switch {
		case v == "off" || v == "disabled":
			return boolPtr(false), nil, true
		case v == "immediate" || v == "immediately":
			return boolPtr(true), intPtr(0), true
		}
		num := strings.TrimSpace(strings.TrimSuffix(strings.TrimSuffix(v, "seconds"), "second"))
		num = strings.TrimSuffix(strings.SplitN(num, "(", 2)[0], ".000000")
		f, err := strconv.ParseFloat(strings.TrimSpace(num), 64)
		if err != nil {
			continue
		}
		if f < 0 {
			return boolPtr(false), nil, true
		}
		return boolPtr(true), intPtr(int(f)), true
	}
	return nil, nil, false
}
