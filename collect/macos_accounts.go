package collect

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/handwash/handwash"
)

// macLoginWindowPlist holds guest and automatic login settings.
const macLoginWindowPlist = "/Library/Preferences/com.apple.loginwindow.plist"

// collectMacAccounts lists the local accounts people sign in with, who is
// an administrator, and the guest and automatic login settings. Nothing
// here needs root.
func collectMacAccounts(ctx context.Context, h Host, f *handwash.Facts) error {
	out, err := macRunOK(ctx, h, macDscl, ".", "list", "/Users", "UniqueID")
	if err != nil {
		return macTopicMissing(f, "accounts", err)
	}
	uids := parseDsclList(out)
	if len(uids) == 0 {
		return fmt.Errorf("dscl listed no users")
	}
	a := &handwash.AccountFacts{Users: []handwash.LocalAccount{}}
	f.Accounts = a

	var admins map[string]bool
	if out, err := macRunOK(ctx, h, macDscl, ".", "-read", "/Groups/admin", "GroupMembership"); err != nil {
		f.AddMissing("accounts.users", macReason(err), "administrators: "+err.Error())
	} else {
		admins = map[string]bool{}
		for _, n := range parseDsclRead(out)["GroupMembership"] {
			admins[n] = true
		}
	}
	// A disabled account keeps its record but gets ";DisabledUser;" in its
	// AuthenticationAuthority.
	var authority map[string][]string
	if out, err := macRunOK(ctx, h, macDscl, ".", "list", "/Users", "AuthenticationAuthority"); err == nil {
		authority = parseDsclList(out)
	}

	guest, guestErr := macGuestEnabled(ctx, h)
	if guestErr != nil {
		f.AddMissing("accounts.guest_enabled", macReason(guestErr), guestErr.Error())
	} else {
		a.GuestEnabled = guest
	}

	names := make([]string, 0, len(uids))
	for n := range uids {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, name := range names {
		uid, err := strconv.Atoi(firstOr(uids[name], ""))
		if err != nil {
			continue
		}
		acct := handwash.LocalAccount{Name: name, ID: strconv.Itoa(uid)}
		switch {
		case name == "Guest" && uid == 201:
			// The guest account is built in; whether it can sign in is the
			// loginwindow setting, not its record.
			acct.Builtin = "guest"
			acct.Enabled = a.GuestEnabled
		case uid < 500 || strings.HasPrefix(name, "_"):
			continue // system accounts: no one signs in with them
		default:
			if authority != nil {
				acct.Enabled = boolPtr(!strings.Contains(strings.Join(authority[name], " "), ";DisabledUser;"))
			}
		}
		if admins != nil {
			acct.Admin = boolPtr(admins[name])
		}
		a.Users = append(a.Users, acct)
	}

	auto, err := macAutoLogin(ctx, h)
	if err != nil {
		f.AddMissing("accounts.auto_logon", macReason(err), err.Error())
	} else {
		a.AutoLogon = auto
	}

	console, err := macConsoleUser(ctx, h)
	if err != nil {
		f.AddMissing("accounts.current_user", macReason(err), err.Error())
	}
	if console == "" {
		// Nobody at the screen (the login window shows): the person who ran
		// the check is the next best answer.
		for _, k := range []string{"SUDO_USER", "USER"} {
			if v := h.Getenv(k); v != "" && v != "root" {
				console = v
				break
			}
		}
	}
	a.CurrentUser = console
	if console != "" && admins != nil {
		a.CurrentUserAdmin = boolPtr(admins[console])
	}
	return nil
}

func firstOr(s []string, def string) string {
	if len(s) == 0 {
		return def
	}
	return s[0]
}

// parseDsclList reads `dscl . list /Users ATTR`: a record name, spaces,
// then the attribute's values on one line.
func parseDsclList(b []byte) map[string][]string {
	out := map[string][]string{}
	for _, line := range strings.Split(string(b), "\n") {
		fields := strings.Fields(line)
		if len(fields) == 0 {
			continue
		}
		out[fields[0]] = fields[1:]
	}
	return out
}

// macGuestEnabled reads whether the guest account can sign in: MDM's
// com.apple.MCX DisableGuestAccount or EnableGuestAccount, then
// GuestEnabled in com.apple.loginwindow. Current macOS ships with the guest
// account off and no GuestEnabled key, so absent means off.
func macGuestEnabled(ctx context.Context, h Host) (*bool, error) {
	mcx, err := macManaged(ctx, h, "com.apple.MCX", "")
	if err != nil {
		return nil, err
	}
	if v, ok := plistBool(mcx["DisableGuestAccount"]); ok && v {
		return boolPtr(false), nil
	}
	if v, ok := plistBool(mcx["EnableGuestAccount"]); ok {
		return boolPtr(v), nil
	}
	prefs, err := macDomainPrefs(ctx, h, "com.apple.loginwindow", macLoginWindowPlist, "")
	if err != nil {
		return nil, err
	}
	v, _ := prefs.get("GuestEnabled")
	if b, ok := plistBool(v); ok {
		return boolPtr(b), nil
	}
	return boolPtr(false), nil
}

// macAutoLogin reads whether the Mac signs someone in at start-up:
// autoLoginUser in com.apple.loginwindow. Apple's Mac User Guide notes
// that automatic login is disabled while FileVault is on, so a leftover
// autoLoginUser does not count then.
func macAutoLogin(ctx context.Context, h Host) (*bool, error) {
	prefs, err := macDomainPrefs(ctx, h, "com.apple.loginwindow", macLoginWindowPlist, "")
	if err != nil {
		return nil, err
	}
	if v, ok := plistBool(prefs.managed["DisableAutoLoginClient"]); ok && v {
		return boolPtr(false), nil
	}
	v, _ := prefs.get("autoLoginUser")
	if user, _ := plistString(v); strings.TrimSpace(user) == "" {
		return boolPtr(false), nil
	}
	out, err := macRunOK(ctx, h, macFdesetup, "status")
	if err != nil {
		return nil, fmt.Errorf("automatic login is set, but FileVault's state (which overrides it) is unknown: %w", err)
	}
	if on, _, ok := parseFdesetupStatus(out); ok && on {
		return boolPtr(false), nil
	}
	return boolPtr(true), nil
}

// collectMacPasswordPolicy reads the account policies OpenDirectory
// enforces on local accounts: those set with pwpolicy and those MDM
// passcode profiles install (policyIdentifier "ProfilePayload:…"). They are
// readable without root, and what is not in them is not enforced: a
// category with no policy is an observed "none". A stock Mac has one
// policy, com.apple.defaultpasswordpolicy.fde, requiring four characters.
func collectMacPasswordPolicy(ctx context.Context, h Host, f *handwash.Facts) error {
	out, err := macRunOK(ctx, h, macPwpolicy, "-getaccountpolicies")
	if err != nil {
		return macTopicMissing(f, "password_policy", err)
	}
	p, err := parsePwpolicy(out)
	if err != nil {
		return macTopicMissing(f, "password_policy", err)
	}
	f.PasswordPolicy = p
	// A failed-attempt count on macOS runs until the next successful sign-in;
	// there is no window to report.
	f.AddMissing("password_policy.lockout_window_minutes", handwash.ReasonNotSupported, "macOS counts failed attempts until the next successful sign-in, with no time window")
	f.AddMissing("password_policy.deny_list", handwash.ReasonNotSupported, "macOS has no setting that refuses common passwords")
	return nil
}

var (
	macPwLengthRe    = regexp.MustCompile(`\.\{(\d+),\d*\}`)
	macPwCharClassRe = regexp.MustCompile(`\[\^?(?:[^\]]*(?:0-9|a-z|A-Z)[^\]]*|\[:[a-z]+:\])\]`)
)

// parsePwpolicy reads `pwpolicy -getaccountpolicies`: a line "Getting global
// account policies" and then an XML plist with up to three categories of
// policies.
func parsePwpolicy(b []byte) (*handwash.PasswordPolicyFacts, error) {
	p := &handwash.PasswordPolicyFacts{Source: "pwpolicy", MinLength: intPtr(0), MaxAgeDays: intPtr(0),
		LockoutThreshold: intPtr(0), Complexity: boolPtr(false)}
	if !strings.Contains(string(b), "<plist") {
		if strings.Contains(strings.ToLower(string(b)), "no global account policies") {
			return p, nil
		}
		return nil, errors.New("pwpolicy printed no policy list: " + macFirstLine(b))
	}
	v, err := plistFromOutput(b)
	if err != nil {
		return nil, err
	}
	root, ok := v.(map[string]any)
	if !ok {
		return nil, errors.New("pwpolicy: the policy list is not a dictionary")
	}
	for _, pol := range macPolicies(root, "policyCategoryPasswordContent") {
		if m := macPwLengthRe.FindStringSubmatch(pol.content); m != nil && strings.Contains(pol.content, "policyAttributePassword") {
			n, _ := strconv.Atoi(m[1])
			*p.MinLength = max(*p.MinLength, n)
		}
		for _, k := range []string{"minimumLength", "minLength", "minChars"} {
			if n, ok := plistInt(pol.params[k]); ok {
				*p.MinLength = max(*p.MinLength, int(n))
			}
		}
		if macPwCharClassRe.MatchString(pol.content) {
			p.Complexity = boolPtr(true)
		}
		for _, k := range []string{"minimumAlphaCharacters", "minimumNumericCharacters", "minimumMixedCaseCharacters", "minimumSymbols",
			"minimumAlphaCharactersLowerCase", "minimumComplexCharacters", "requiresAlpha", "requiresNumeric", "requiresMixedCase", "requiresSymbol"} {
			if n, ok := plistInt(pol.params[k]); ok && n > 0 {
				p.Complexity = boolPtr(true)
			}
		}
	}
	for _, pol := range macPolicies(root, "policyCategoryAuthentication") {
		if !strings.Contains(pol.content, "policyAttributeMaximumFailedAuthentications") {
			continue
		}
		for _, k := range []string{"policyAttributeMaximumFailedAuthentications", "maxFailedLoginAttempts", "maxFailedAttempts"} {
			if n, ok := plistInt(pol.params[k]); ok && n > 0 && (*p.LockoutThreshold == 0 || int(n) < *p.LockoutThreshold) {
				*p.LockoutThreshold = int(n)
			}
		}
		if n, ok := plistInt(pol.params["autoEnableInSeconds"]); ok && n > 0 {
			p.LockoutMinutes = intPtr(int((n + 59) / 60))
		}
	}
	for _, pol := range macPolicies(root, "policyCategoryPasswordChange") {
		if n, ok := plistInt(pol.params["policyAttributeExpiresEveryNDays"]); ok && n > 0 {
			if *p.MaxAgeDays == 0 || int(n) < *p.MaxAgeDays {
				*p.MaxAgeDays = int(n)
			}
		}
		if n, ok := plistInt(pol.params["maxMinutesUntilChangePassword"]); ok && n > 0 {
			days := int((n + 1439) / 1440)
			if *p.MaxAgeDays == 0 || days < *p.MaxAgeDays {
				*p.MaxAgeDays = days
			}
		}
	}
	// Without autoEnableInSeconds a locked account stays locked until an
	// administrator unlocks it; LockoutMinutes stays unset, as the schema
	// has no "until unlocked".
	return p, nil
}

// macPolicy is one policy of a pwpolicy category.
type macPolicy struct {
	id      string
	content string
	params  map[string]any
}

func macPolicies(root map[string]any, category string) []macPolicy {
	list, _ := root[category].([]any)
	var out []macPolicy
	for _, e := range list {
		var pol macPolicy
		pol.id, _ = plistString(plistGet(e, "policyIdentifier"))
		pol.content, _ = plistString(plistGet(e, "policyContent"))
		pol.params, _ = plistGet(e, "policyParameters").(map[string]any)
		out = append(out, pol)
	}
	return out
}
