package collect

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/handwash/handwash"
)

// collectMacFirewall reads the Application Firewall (ALF) through
// socketfilterfw, which answers without root and reports the settings in
// force. com.apple.alf.plist is not used: from macOS 15 it no longer
// reliably mirrors them. The MDM payload com.apple.security.firewall is
// the fallback when socketfilterfw cannot tell.
func collectMacFirewall(ctx context.Context, h Host, f *handwash.Facts) error {
	// One run prints one line per option, in any wording of any release.
	out, err := macRunOK(ctx, h, macSocketfilterf, "--getglobalstate", "--getblockall", "--getstealthmode", "--getallowsigned")
	var alf macALF
	if err == nil {
		alf = parseSocketfilterfw(out)
	}
	managed, merr := macManaged(ctx, h, "com.apple.security.firewall", "")
	if merr == nil {
		alf.fillFromManaged(managed)
	}
	if alf.enabled == nil {
		if err == nil {
			err = merr
		}
		if err == nil {
			return fmt.Errorf("socketfilterfw printed no firewall state: %q", macFirstLine(out))
		}
		return macTopicMissing(f, "firewall", err)
	}

	fw := &handwash.FirewallFacts{Product: "macOS Application Firewall", Stealth: alf.stealth}
	p := handwash.FirewallProfile{Name: "default", Enabled: alf.enabled}
	switch {
	case !*alf.enabled:
		p.DefaultInbound = "allow"
	default:
		// With the firewall on, an incoming connection is let in only if a
		// rule allows it: an app the user allowed, or, when "automatically
		// allow signed software" is on, any app signed by Apple or (for
		// downloaded software) a Developer ID. Those automatic allowances are
		// rules too, so they are listed in AllowedInbound rather than
		// counted as a default of "allow"; anything else, unsigned software
		// in particular, is blocked until someone approves it. With "block
		// all incoming connections" only essential services get through.
		p.DefaultInbound = "block"
	}
	fw.Profiles = []handwash.FirewallProfile{p}
	if *alf.enabled {
		if alf.blockAll != nil && *alf.blockAll {
			// Apple's Mac User Guide (Firewall options): block all incoming
			// connections "except those required for basic internet services,
			// such as DHCP, Bonjour and IPSec".
			fw.AllowedInbound = []string{"basic internet services (DHCP, Bonjour, IPSec)"}
		} else {
			if alf.allowBuiltin != nil && *alf.allowBuiltin {
				fw.AllowedInbound = append(fw.AllowedInbound, "built-in software signed by Apple (automatic)")
			}
			if alf.allowDownloaded != nil && *alf.allowDownloaded {
				fw.AllowedInbound = append(fw.AllowedInbound, "downloaded software with a valid signature (automatic)")
			}
			if apps, err := macRunOK(ctx, h, macSocketfilterf, "--listapps"); err == nil {
				for _, a := range parseSocketfilterfwApps(apps) {
					if a.allow {
						fw.AllowedInbound = append(fw.AllowedInbound, a.name)
					}
				}
			}
		}
	}
	if fw.Stealth == nil {
		f.AddMissing("firewall.stealth", handwash.ReasonError, "socketfilterfw did not say whether stealth mode is on")
	}
	f.Firewall = fw
	return nil
}

// macALF is what socketfilterfw and the MDM payload say of the firewall.
type macALF struct {
	state                         int // 0 off, 1 on, 2 block all (-1 unknown)
	enabled                       *bool
	blockAll, stealth             *bool
	allowBuiltin, allowDownloaded *bool
}

var macALFStateRe = regexp.MustCompile(`\(State = (\d+)\)`)

// parseSocketfilterfw reads the lines socketfilterfw prints for
// --getglobalstate, --getblockall, --getstealthmode and --getallowsigned.
// The wording changed over the years; both forms are recognised:
//
//	Firewall is enabled. (State = 1)          Firewall is disabled. (State = 0)
//	Firewall is blocking all non-essential incoming connections.
//	Firewall has block all state set to enabled.    Block all ENABLED!
//	Firewall stealth mode is on                     Stealth mode enabled
//	Automatically allow built-in signed software ENABLED.
//	Automatically allow downloaded signed software DISABLED.
//	Automatically allow signed software ENABLED.    (before macOS 10.15)
func parseSocketfilterfw(b []byte) macALF {
	a := macALF{state: -1}
	for _, raw := range strings.Split(string(b), "\n") {
		line := strings.TrimSpace(raw)
		low := strings.ToLower(line)
		onOff := func() *bool {
			switch {
			case strings.HasSuffix(strings.TrimRight(low, ".! "), "enabled"), strings.HasSuffix(low, " on"):
				return boolPtr(true)
			case strings.HasSuffix(strings.TrimRight(low, ".! "), "disabled"), strings.HasSuffix(low, " off"):
				return boolPtr(false)
			}
			return nil
		}
		switch {
		case strings.HasPrefix(low, "firewall is enabled"), strings.HasPrefix(low, "firewall is disabled"):
			a.enabled = boolPtr(strings.HasPrefix(low, "firewall is enabled"))
			if m := macALFStateRe.FindStringSubmatch(line); m != nil {
				a.state, _ = strconv.Atoi(m[1])
				if a.state == 2 {
					a.blockAll = boolPtr(true)
				}
			}
		case strings.HasPrefix(low, "firewall is blocking all"), strings.HasPrefix(low, "firewall is set to block all"):
			a.enabled, a.blockAll, a.state = boolPtr(true), boolPtr(true), 2
		case strings.Contains(low, "block all state set to"), strings.HasPrefix(low, "block all "):
			// The dedicated --getblockall answer wins over "(State = 2)":
			// real output shows both "State = 2" and block all disabled.
			if v := onOff(); v != nil {
				a.blockAll = v
			}
		case strings.Contains(low, "stealth mode"):
			a.stealth = onOff()
		case strings.HasPrefix(low, "automatically allow built-in signed software"):
			a.allowBuiltin = onOff()
		case strings.HasPrefix(low, "automatically allow downloaded signed software"):
			a.allowDownloaded = onOff()
		case strings.HasPrefix(low, "automatically allow signed software"):
			a.allowBuiltin = onOff()
			a.allowDownloaded = a.allowBuiltin
		}
	}
	return a
}

// fillFromManaged completes what socketfilterfw did not say with the MDM
// payload com.apple.security.firewall.
func (a *macALF) fillFromManaged(m map[string]any) {
	set := func(dst **bool, key string) {
		if *dst != nil {
			return
		}
		if v, ok := plistBool(m[key]); ok {
			*dst = boolPtr(v)
		}
	}
	set(&a.enabled, "EnableFirewall")
	set(&a.blockAll, "BlockAllIncoming")
	set(&a.stealth, "EnableStealthMode")
	set(&a.allowBuiltin, "AllowSigned")
	set(&a.allowDownloaded, "AllowSignedApp")
}

// macALFApp is one application rule of the firewall.
type macALFApp struct {
	name  string
	allow bool
}

var (
	macALFAppOldRe = regexp.MustCompile(`^(.*\S)\s+\(state:\s*(\d+)\)$`)
	macALFAppNewRe = regexp.MustCompile(`^\d+\s*:\s*(.*\S)\s*$`)
)

// parseSocketfilterfwApps reads `socketfilterfw --listapps`. Current
// releases print a numbered path and, on the next line, "( Allow incoming
// connections )" or "( Block incoming connections )"; older ones printed
// "name (state: 1)" (1 allow, 4 block).
func parseSocketfilterfwApps(b []byte) []macALFApp {
	var apps []macALFApp
	pending := ""
	for _, raw := range strings.Split(string(b), "\n") {
		line := strings.TrimSpace(raw)
		if line == "" || strings.Contains(strings.ToLower(line), "total number of apps") {
			continue
		}
		if m := macALFAppOldRe.FindStringSubmatch(line); m != nil {
			apps = append(apps, macALFApp{name: m[1], allow: m[2] == "1"})
			continue
		}
		if m := macALFAppNewRe.FindStringSubmatch(line); m != nil {
			pending = m[1]
			continue
		}
		if pending != "" && strings.HasPrefix(line, "(") {
			low := strings.ToLower(line)
			apps = append(apps, macALFApp{name: pending, allow: strings.Contains(low, "allow")})
			pending = ""
		}
	}
	return apps
}
