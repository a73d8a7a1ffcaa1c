package collect

import (
	"bufio"
	"context"
	"sort"
	"strings"
	"unicode/utf16"

	"github.com/handwash/handwash"
)

// Local accounts come from WMI with LocalAccount=True (without it the query
// walks the whole domain); none of this needs administrator rights.
const wqlLocalUsers = "SELECT Name, SID, Disabled, PasswordRequired FROM Win32_UserAccount WHERE LocalAccount=True"

type wmiUserAccount struct {
	Name             string
	SID              string
	Disabled         bool
	PasswordRequired bool
}

func collectWinAccounts(_ context.Context, _ Host, src winSource, f *handwash.Facts) error {
	var users []wmiUserAccount
	if err := src.WMI(`root\cimv2`, wqlLocalUsers, &users); err != nil {
		return err
	}
	a := &handwash.AccountFacts{}
	members, mErr := src.LocalGroupMembers(sidAdministrators)
	if mErr != nil {
		f.AddMissing("accounts.users.admin", reasonFor(mErr), "members of Administrators: "+mErr.Error())
	}
	// PasswordEmpty stays nil on Windows: it cannot be told without trying
	// to sign in. PasswordRequired (the PASSWD_NOTREQD flag) says whether an
	// empty password is allowed, which is what controls judge here.
	a.Users = winLocalAccounts(users, members, mErr == nil)
	for _, u := range a.Users {
		if u.Builtin == "guest" {
			a.GuestEnabled = u.Enabled
		}
	}
	if a.GuestEnabled == nil {
		// No account has RID 501: the guest account is gone.
		a.GuestEnabled = boolPtr(false)
	}

	wl, err := regRead{src}.values(keyWinlogon)
	if err != nil {
		f.AddMissing("accounts.auto_logon", reasonFor(err), err.Error())
	} else {
		a.AutoLogon = boolPtr(winAutoLogon(wl))
	}

	if u, ok := consoleUser(src, f, "accounts.current_user_admin"); ok {
		a.CurrentUser = u.Name
		tok, tErr := src.ProcessToken()
		a.CurrentUserAdmin = winUserIsAdmin(u, tok, tErr, members, mErr)
		if a.CurrentUserAdmin == nil {
			f.AddMissing("accounts.current_user_admin", handwash.ReasonError, "could not tell whether "+u.Name+" is an administrator: Administrators holds groups whose members cannot be listed locally")
		}
	}
	f.Accounts = a
	return nil
}

// winLocalAccounts turns WMI's local users into facts, naming the built-in
// accounts by RID because their names are localised and renamable.
func winLocalAccounts(users []wmiUserAccount, admins []groupMember, adminsKnown bool) []handwash.LocalAccount {
	isAdmin := map[string]bool{}
	for _, m := range admins {
		isAdmin[strings.ToUpper(m.SID)] = true
	}
	out := []handwash.LocalAccount{}
	for _, u := range users {
		acc := handwash.LocalAccount{
			Name:             u.Name,
			ID:               u.SID,
			Enabled:          boolPtr(!u.Disabled),
			PasswordRequired: boolPtr(u.PasswordRequired),
		}
		if rid, ok := ridOf(u.SID); ok {
			switch rid {
			case ridAdministrator:
				acc.Builtin = "administrator"
			case ridGuest:
				acc.Builtin = "guest"
			}
		}
		if adminsKnown {
			// Local accounts cannot belong to domain groups, and local
			// groups cannot nest, so direct membership is the whole answer.
			acc.Admin = boolPtr(isAdmin[strings.ToUpper(u.SID)])
		}
		out = append(out, acc)
	}
	sort.SliceStable(out, func(i, j int) bool { return strings.ToLower(out[i].Name) < strings.ToLower(out[j].Name) })
	return out
}

// winAutoLogon says whether Windows signs someone in at start. The password
// may be in DefaultPassword or an LSA secret, so AutoAdminLogon alone
// counts; DefaultPassword's value is never read.
func winAutoLogon(wl regValues) bool {
	v, ok := wl.str("AutoAdminLogon")
	return ok && strings.TrimSpace(v) == "1"
}

// winUserIsAdmin decides whether the console user's everyday account is an
// administrator. A token of the user's is the truth, including groups that
// UAC filtered out and Entra roles. Without one the Administrators group is
// searched; a miss is only certain when the group holds no groups (or
// unresolved Entra role SIDs), which could contain the user.
func winUserIsAdmin(u winUser, tok winToken, tokErr error, members []groupMember, membersErr error) *bool {
	if u.Admin != nil {
		return u.Admin
	}
	if tokErr == nil && strings.EqualFold(tok.SID, u.SID) && tok.Admin != nil {
		return tok.Admin
	}
	if membersErr != nil {
		return nil
	}
	groups := false
	for _, m := range members {
		if strings.EqualFold(m.SID, u.SID) {
			return boolPtr(true)
		}
		switch m.SIDUsage {
		case 2, 4, 5, 8: // group, alias, well-known group, unknown (Entra roles)
			groups = true
		}
	}
	if groups {
		return nil
	}
	return boolPtr(false)
}

func collectWinPasswordPolicy(ctx context.Context, h Host, src winSource, f *handwash.Facts) error {
	m, err := src.UserModals()
	if err != nil {
		return err
	}
	pp := winPasswordPolicy(m)
	if m.LockoutThreshold != 0 && m.LockoutDuration == timeqForever {
		f.AddMissing("password_policy.lockout_minutes", handwash.ReasonNotSupported, "locked accounts stay locked until an administrator unlocks them, which the schema cannot express")
	}

	if h.Elevated() {
		text, err := src.SecurityPolicy(ctx)
		if err != nil {
			f.AddMissing("password_policy.complexity", reasonFor(err), "secedit: "+err.Error())
		} else if c, ok := seceditValue(text, "System Access", "PasswordComplexity"); ok {
			pp.Complexity = boolPtr(c == "1")
		} else {
			f.AddMissing("password_policy.complexity", handwash.ReasonError, "the secedit export has no PasswordComplexity")
		}
	} else {
		f.AddMissing("password_policy.complexity", handwash.ReasonNeedsAdmin, "only an administrator can export the security policy (secedit)")
	}

	// Windows checks local passwords against no list of common passwords;
	// Microsoft Entra Password Protection does so only for domain accounts,
	// on the domain controllers.
	if j, err := src.JoinInfo(); err == nil && j.Status != 3 {
		pp.DenyList = boolPtr(false)
	} else {
		f.AddMissing("password_policy.deny_list", handwash.ReasonNotSupported, "a domain may check passwords against a banned list on its domain controllers, which cannot be seen from here")
	}
	f.PasswordPolicy = pp
	return nil
}

// winPasswordPolicy reads NetUserModalsGet's answer: ages in seconds, with
// TIMEQ_FOREVER meaning passwords never expire.
func winPasswordPolicy(m userModals) *handwash.PasswordPolicyFacts {
	pp := &handwash.PasswordPolicyFacts{Source: "local security policy"}
	pp.MinLength = intPtr(int(m.MinPasswdLen))
	if m.MaxPasswdAge == timeqForever {
		pp.MaxAgeDays = intPtr(0)
	} else {
		pp.MaxAgeDays = intPtr(int(m.MaxPasswdAge / 86400))
	}
	pp.LockoutThreshold = intPtr(int(m.LockoutThreshold))
	if m.LockoutThreshold != 0 {
		pp.LockoutWindowMinutes = intPtr(int(m.LockoutObservation / 60))
		if m.LockoutDuration != timeqForever {
			pp.LockoutMinutes = intPtr(int(m.LockoutDuration / 60))
		}
	}
	return pp
}

// seceditValue reads one setting of a secedit security template: INI
// sections of "Name = value" lines.
func seceditValue(text []byte, section, name string) (string, bool) {
	s := bufio.NewScanner(strings.NewReader(decodeMaybeUTF16(text)))
	in := false
	for s.Scan() {
		line := strings.TrimSpace(s.Text())
		if strings.HasPrefix(line, "[") && strings.HasSuffix(line, "]") {
			in = strings.EqualFold(line[1:len(line)-1], section)
			continue
		}
		if !in {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if ok && strings.EqualFold(strings.TrimSpace(k), name) {
			return strings.Trim(strings.TrimSpace(v), `"`), true
		}
	}
	return "", false
}

// decodeMaybeUTF16 turns UTF-16LE text with a byte-order mark (as secedit
// writes) into a Go string; other text is returned as it is.
func decodeMaybeUTF16(b []byte) string {
	if len(b) < 2 || b[0] != 0xFF || b[1] != 0xFE {
		return strings.TrimPrefix(string(b), "\ufeff")
	}
	b = b[2:]
	u := make([]uint16, len(b)/2)
	for i := range u {
		u[i] = uint16(b[2*i]) | uint16(b[2*i+1])<<8
	}
	return string(utf16.Decode(u))
}
