package collect

import (
	"context"
	"errors"
	"io/fs"
	"strings"

	"github.com/handwash/handwash"
)

// What can lock an idle Windows session, all readable without
// administrator rights: the machine inactivity limit, the user's secure
// screen saver (policy over preference), and sleep with sign-in on wake.
const (
	keySystemPolicies   = `HKLM\SOFTWARE\Microsoft\Windows\CurrentVersion\Policies\System`
	keyWinlogon         = `HKLM\SOFTWARE\Microsoft\Windows NT\CurrentVersion\Winlogon`
	keyPINComplexity    = `HKLM\SOFTWARE\Policies\Microsoft\PassportForWork\PINComplexity`
	keyPowerPolicy      = `HKLM\SOFTWARE\Policies\Microsoft\Power\PowerSettings`
	userDesktop         = `Control Panel\Desktop`
	userDesktopPolicy   = `Software\Policies\Microsoft\Windows\Control Panel\Desktop`
	powerSleepIdle      = "29f6c1db-86da-48c5-9fdb-f2b67b1f44da"
	powerConsoleLock    = "0e796bdb-100d-47d6-a2d5-f7d2daa51f51"
	defaultGraceSeconds = 5 // ScreenSaverGracePeriod when unset (MSS setting documentation)
)

func collectWinScreenLock(_ context.Context, _ Host, src winSource, f *handwash.Facts) error {
	reg := regRead{src}
	sl := &handwash.ScreenLockFacts{}
	var scopes []string
	lockAfter := func(secs int, scope string) {
		if sl.IdleSeconds == nil || secs < *sl.IdleSeconds {
			sl.IdleSeconds = intPtr(secs)
		}
		scopes = append(scopes, scope)
	}

	sys, err := reg.values(keySystemPolicies)
	if err != nil {
		return err
	}
	if n, ok := sys.num("InactivityTimeoutSecs"); ok && n > 0 {
		lockAfter(int(n), "machine policy")
	}

	known := true // whether every mechanism could be read
	if u, ok := consoleUser(src, f); ok {
		pref, err1 := reg.values(userKey(u.SID, userDesktop))
		pol, err2 := reg.values(userKey(u.SID, userDesktopPolicy))
		if err1 != nil || err2 != nil {
			known = false
			err := err1
			if err == nil {
				err = err2
			}
			f.AddMissing("screen_lock.idle_seconds", reasonFor(err), "the screen saver settings of "+u.Name+": "+err.Error())
		} else if secs, ok := secureScreenSaver(pref, pol); ok {
			lockAfter(secs, "user "+u.Name)
			wl, _ := reg.values(keyWinlogon)
			grace := defaultGraceSeconds
			if n, ok := wl.num("ScreenSaverGracePeriod"); ok {
				grace = int(n)
			}
			sl.GraceSeconds = intPtr(grace)
		}
	} else {
		known = false
	}

	if ps, err := src.PowerSettings(); err == nil {
		pol, _ := reg.values(keyPowerPolicy + `\` + powerSleepIdle)
		lockPol, _ := reg.values(keyPowerPolicy + `\` + powerConsoleLock)
		if secs, ok := sleepLock(ps, pol, lockPol); ok {
			lockAfter(secs, "power plan")
		}
	} else {
		known = false
		f.AddMissing("screen_lock.idle_seconds", reasonFor(err), "the power plan: "+err.Error())
	}

	switch {
	case sl.IdleSeconds != nil:
		sl.Enabled = boolPtr(true)
	case known:
		sl.Enabled = boolPtr(false)
	default:
		f.AddMissing("screen_lock.enabled", handwash.ReasonError, "nothing read locks the screen, but some settings could not be read")
	}
	sl.Scope = strings.Join(scopes, ", ")

	// Without the policy, Windows Hello asks for a PIN of at least 4
	// characters: "If you don't configure this policy setting, the PIN
	// length must be greater than or equal to 4" (Microsoft, PassportForWork
	// PINComplexity MinimumPINLength policy).
	pin, err := reg.values(keyPINComplexity)
	switch {
	case err == nil:
		if n, ok := pin.num("MinimumPINLength"); ok {
			sl.PINMinLength = intPtr(int(n))
		} else {
			sl.PINMinLength = intPtr(windowsDefaultPINLength)
		}
	case errors.Is(err, fs.ErrNotExist):
		sl.PINMinLength = intPtr(windowsDefaultPINLength)
	default:
		f.AddMissing("screen_lock.pin_min_length", reasonFor(err), "the PIN policy: "+err.Error())
	}
	f.ScreenLock = sl
	return nil
}

// windowsDefaultPINLength is Windows Hello's minimum PIN length when no
// policy sets one.
const windowsDefaultPINLength = 4

// secureScreenSaver says whether the user's screen saver locks the
// session, and after how long. Each policy value overrides its preference.
// Windows leaves ScreenSaveActive at "1" even with no screen saver chosen,
// so without SCRNSAVE.EXE nothing starts and nothing locks.
func secureScreenSaver(pref, pol regValues) (int, bool) {
	get := func(name string) (string, bool) {
		if s, ok := pol.str(name); ok {
			return strings.TrimSpace(s), true
		}
		s, ok := pref.str(name)
		return strings.TrimSpace(s), ok
	}
	active, _ := get("ScreenSaveActive")
	secure, _ := get("ScreenSaverIsSecure")
	exe, _ := get("SCRNSAVE.EXE")
	timeout, _ := get("ScreenSaveTimeOut")
	if active != "1" || secure != "1" || exe == "" {
		return 0, false
	}
	n, ok := regValue{Type: regSZ, Str: timeout}.number()
	if !ok || n == 0 {
		return 0, false
	}
	return int(n), true
}

// sleepLock says whether the device locks by going to sleep: a sleep
// timeout and sign-in on wake (CONSOLELOCK), each from policy if set, else
// the active power plan. Plugged-in (AC) values are used, the case of every
// desktop and of a docked laptop.
func sleepLock(ps powerSettings, sleepPol, lockPol regValues) (int, bool) {
	sleep := uint64(ps.ACSleepSeconds)
	if n, ok := sleepPol.num("ACSettingIndex"); ok {
		sleep = n
	}
	lock := uint64(ps.ACLockOnWake)
	if n, ok := lockPol.num("ACSettingIndex"); ok {
		lock = n
	}
	if sleep == 0 || lock == 0 {
		return 0, false
	}
	return int(sleep), true
}
