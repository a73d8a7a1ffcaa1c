package cloudimport

import (
	"fmt"
	"github.com/handwash/handwash/internal/english"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/handwash/handwash"
	"github.com/handwash/handwash/internal/csvtable"
)

// The controls the accounts are judged by. Their IDs are stable:
// exceptions, scripts and dashboards refer to them.
const (
	ControlAdminMFA     = "passwords.cloud-admin-mfa"
	ControlUserMFA      = "passwords.cloud-user-mfa"
	ControlSharedSignIn = "passwords.cloud-shared-sign-in"
	ControlImportFresh  = "passwords.cloud-import-fresh"
)

// MaxImportAge is the oldest the newest import of a source may be. It is
// Handwash's own threshold, not a Cyber Essentials or DSPT figure: care
// providers take on and lose staff every month, and an account made for a
// new starter, or left open for a leaver, shows in these findings only once
// the list is imported again. A month keeps that gap short while asking a
// few minutes' work once a month of someone who is not in IT.
const MaxImportAge = 30 * 24 * time.Hour

// listMax is how many accounts a summary names before "and N more".
const listMax = 10

// Findings judges an organisation's cloud accounts and its imports of
// them, at now: administrators with MFA, users with MFA, shared mailboxes
// that cannot be signed in to, and an import no more than MaxImportAge
// old. It always returns the four findings, in that order, in the
// passwords area; failed and unknown ones carry why they matter and how to
// fix them for the sources imported.
func Findings(accounts []handwash.CloudAccount, imports []handwash.CloudImport, now time.Time) []handwash.Finding {
	accts := slices.Clone(accounts)
	slices.SortStableFunc(accts, func(a, b handwash.CloudAccount) int { return strings.Compare(a.Email, b.Email) })
	srcs := sources(accts, imports)
	fs := []handwash.Finding{adminFinding(accts, srcs), userFinding(accts, srcs), sharedFinding(accts, srcs), freshFinding(imports, now)}
	for i := range fs {
		f := &fs[i]
		f.Area = handwash.AreaPasswords
		if f.Status == handwash.StatusFail || f.Status == handwash.StatusUnknown {
			f.Why = whyText[f.ControlID]
			f.Fix = fixText(f.ControlID, srcs)
		}
	}
	return fs
}

// Title returns the title of a control, as findings carry it.
func Title(control string) string {
	switch control {
	case ControlAdminMFA:
		return "Every cloud administrator signs in with MFA"
	case ControlUserMFA:
		return "Every cloud user who can sign in uses MFA"
	case ControlSharedSignIn:
		return "Nobody can sign in to a shared mailbox directly"
	case ControlImportFresh:
		return "The list of cloud accounts was imported in the last " + strconv.Itoa(int(MaxImportAge.Hours()/24)) + " days"
	}
	return control
}

func newFinding(control string, sev handwash.Severity) handwash.Finding {
	return handwash.Finding{ControlID: control, Severity: sev, Title: Title(control)}
}

// sources lists the sources accounts or imports come from, Microsoft 365
// first.
func sources(accts []handwash.CloudAccount, imports []handwash.CloudImport) []string {
	var out []string
	add := func(s string) {
		if s != "" && !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	for _, a := range accts {
		add(a.Source)
	}
	for _, im := range imports {
		add(im.Source)
	}
	slices.SortStableFunc(out, func(a, b string) int {
		return handwash.SourceRank(handwash.CloudSources, a) - handwash.SourceRank(handwash.CloudSources, b)
	})
	return out
}

// sourceName names a source for a sentence.
func sourceName(s string) string {
	if n := handwash.CloudSourceName(s); n != "" {
		return n
	}
	return strconv.Quote(s)
}

func canSignIn(a handwash.CloudAccount) bool { return a.SignInAllowed == nil || *a.SignInAllowed }

func hasMFA(a handwash.CloudAccount) bool { return a.MFA != nil && *a.MFA }
func noMFA(a handwash.CloudAccount) bool  { return a.MFA != nil && !*a.MFA }

// anyAdmin reports whether the export of source marks anyone as an
// administrator. An organisation always has one, so an export that marks
// nobody does not say who they are (Microsoft 365's active users export
// and Google's users download have no such column).
func anyAdmin(accts []handwash.CloudAccount, source string) bool {
	return slices.ContainsFunc(accts, func(a handwash.CloudAccount) bool { return a.Source == source && a.Admin })
}

// mfaKnown reports whether the export of source says anything about MFA.
func mfaKnown(accts []handwash.CloudAccount, source string) bool {
	return slices.ContainsFunc(accts, func(a handwash.CloudAccount) bool { return a.Source == source && a.MFA != nil })
}

func filter(accts []handwash.CloudAccount, keep func(handwash.CloudAccount) bool) []handwash.CloudAccount {
	var out []handwash.CloudAccount
	for _, a := range accts {
		if keep(a) {
			out = append(out, a)
		}
	}
	return out
}

// names lists accounts' emails: the first listMax and "and N more".
func names(accts []handwash.CloudAccount) string {
	var s []string
	for i, a := range accts {
		if i == listMax {
			break
		}
		s = append(s, a.Email)
	}
	return english.List(s, len(accts)-len(s))
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	if len(word) > 1 && word[len(word)-1] == 'y' && !strings.ContainsRune("aeiou", rune(word[len(word)-2])) {
		return strconv.Itoa(n) + " " + word[:len(word)-1] + "ies"
	}
	if strings.HasSuffix(word, "s") || strings.HasSuffix(word, "x") {
		return strconv.Itoa(n) + " " + word + "es"
	}
	return strconv.Itoa(n) + " " + word + "s"
}

func count(n int) string { return strconv.Itoa(n) }

func noAccounts(f handwash.Finding) handwash.Finding {
	f.Status = handwash.StatusUnknown
	f.Summary = "No list of cloud accounts has been imported yet, so Handwash cannot tell who has MFA."
	f.Missing = []handwash.Missing{{Fact: "cloud_accounts", Reason: handwash.ReasonNotCollected,
		Detail: "Import Microsoft Entra's user registration details or Google Workspace's users download."}}
	return f
}

// importHint says what to import instead of a list that does not say who
// has MFA.
func importHint(source string) string {
	switch source {
	case handwash.AccountsM365:
		return "Import Microsoft Entra's user registration details instead (Entra ID > Authentication methods > User registration details > Download)."
	case handwash.AccountsGoogle:
		return "Download the users list again with all user info columns (Directory > Users > Download users) and import it."
	}
	return ""
}

// blindNote says that the list of source does not say who has MFA, and
// what to import instead.
func blindNote(source string) string {
	return joinSentences("The "+sourceName(source)+" list imported does not say who has MFA.", importHint(source))
}

func adminFinding(accts []handwash.CloudAccount, srcs []string) handwash.Finding {
	f := newFinding(ControlAdminMFA, handwash.SeverityCritical)
	if len(accts) == 0 {
		return noAccounts(f)
	}
	admins := filter(accts, func(a handwash.CloudAccount) bool { return a.Admin && canSignIn(a) })
	without := filter(admins, noMFA)
	notKnown := filter(admins, func(a handwash.CloudAccount) bool { return a.MFA == nil })
	blocked := filter(accts, func(a handwash.CloudAccount) bool { return a.Admin && !canSignIn(a) })

	// Sources whose export does not say who is an administrator: their
	// administrators are among the accounts that can sign in.
	var blindSentences []string
	var missing []handwash.Missing
	var blindPass []string
	for _, s := range srcs {
		if anyAdmin(accts, s) {
			continue
		}
		mine := filter(accts, func(a handwash.CloudAccount) bool { return a.Source == s && canSignIn(a) && !a.Shared })
		if len(mine) == 0 {
			continue
		}
		missing = append(missing, handwash.Missing{Fact: "cloud_accounts.admin", Reason: handwash.ReasonNotSupported,
			Detail: "The " + sourceName(s) + " list imported does not say who is an administrator."})
		if !mfaKnown(accts, s) {
			blindSentences = append(blindSentences, joinSentences("The "+sourceName(s)+" list imported says neither who is an administrator nor who has MFA.", importHint(s)))
			missing = append(missing, handwash.Missing{Fact: "cloud_accounts.mfa", Reason: handwash.ReasonNotSupported, Detail: blindNote(s)})
			continue
		}
		risky := filter(mine, noMFA)
		unsure := filter(mine, func(a handwash.CloudAccount) bool { return a.MFA == nil })
		if len(risky)+len(unsure) == 0 {
			blindPass = append(blindPass, "The "+sourceName(s)+" list does not say who is an administrator, but every account in it that can sign in has MFA, so every administrator does too.")
			continue
		}
		sentence := "The " + sourceName(s) + " list does not say who is an administrator"
		if len(risky) > 0 {
			sentence += fmt.Sprintf(", and %s that can sign in %s no MFA: %s", plural(len(risky), "account"), haveHas(len(risky)), names(risky))
		}
		if len(unsure) > 0 {
			sentence += fmt.Sprintf(", and whether %s that can sign in %s MFA is not known: %s", plural(len(unsure), "account"), haveHas(len(unsure)), names(unsure))
		}
		blindSentences = append(blindSentences, sentence+". If any of them is an administrator, this fails.")
	}
	if len(notKnown) > 0 {
		missing = append(missing, handwash.Missing{Fact: "cloud_accounts.mfa", Reason: handwash.ReasonNotSupported,
			Detail: "The list imported does not say whether these administrators have MFA: " + names(notKnown) + "."})
	}

	if len(admins) > 0 {
		f.Evidence = []handwash.Evidence{
			{Label: "Administrator accounts that can sign in", Value: count(len(admins))},
			{Label: "With MFA", Value: count(len(filter(admins, hasMFA)))},
			{Label: "Without MFA", Value: count(len(without))},
			{Label: "MFA not known", Value: count(len(notKnown))},
		}
	} else {
		f.Evidence = []handwash.Evidence{{Label: "Administrator accounts named in the lists", Value: "none"}}
	}
	if len(blocked) > 0 {
		f.Evidence = append(f.Evidence, handwash.Evidence{Label: "Blocked administrator accounts (not counted)", Value: names(blocked)})
	}
	if len(without) > 0 {
		f.Evidence = append(f.Evidence, handwash.Evidence{Label: "Administrators without MFA", Value: names(without)})
	}

	switch {
	case len(without) > 0:
		f.Status = handwash.StatusFail
		f.Summary = fmt.Sprintf("%s can sign in with a password alone: %s.", capitalise(plural(len(without), "administrator account")), names(without))
		if len(notKnown) > 0 {
			f.Summary += " MFA is not known for " + names(notKnown) + "."
		}
		f.Summary = joinSentences(append([]string{f.Summary}, blindSentences...)...)
	case len(notKnown) > 0 || len(blindSentences) > 0:
		f.Status = handwash.StatusUnknown
		var parts []string
		if len(notKnown) > 0 {
			parts = append(parts, fmt.Sprintf("The list imported does not say whether %s %s MFA: %s.", plural(len(notKnown), "administrator"), haveHas(len(notKnown)), names(notKnown)))
		}
		f.Summary = joinSentences(append(parts, blindSentences...)...)
		f.Missing = missing
	default:
		f.Status = handwash.StatusPass
		var parts []string
		if len(admins) > 0 {
			parts = append(parts, fmt.Sprintf("%s that can sign in have MFA.", allOf(len(admins), "administrator account")))
			if len(admins) == 1 {
				parts[0] = "The one administrator account that can sign in has MFA."
			}
		}
		f.Summary = joinSentences(append(parts, blindPass...)...)
	}
	return f
}

func userFinding(accts []handwash.CloudAccount, srcs []string) handwash.Finding {
	f := newFinding(ControlUserMFA, handwash.SeverityHigh)
	if len(accts) == 0 {
		return noAccounts(f)
	}
	users := filter(accts, func(a handwash.CloudAccount) bool { return canSignIn(a) && !a.Shared })
	without := filter(users, noMFA)
	notKnown := filter(users, func(a handwash.CloudAccount) bool { return a.MFA == nil })
	f.Evidence = []handwash.Evidence{
		{Label: "Accounts that can sign in", Value: count(len(users))},
		{Label: "With MFA", Value: count(len(filter(users, hasMFA)))},
		{Label: "Without MFA", Value: count(len(without))},
		{Label: "MFA not known", Value: count(len(notKnown))},
		{Label: "Blocked or suspended (not counted)", Value: count(len(filter(accts, func(a handwash.CloudAccount) bool { return !canSignIn(a) })))},
		{Label: "Shared mailboxes (judged on their own)", Value: count(len(filter(accts, func(a handwash.CloudAccount) bool { return a.Shared && canSignIn(a) })))},
	}
	if len(without) > 0 {
		f.Evidence = append(f.Evidence, handwash.Evidence{Label: "Accounts without MFA", Value: names(without)})
	}

	// What is not known, source by source: a whole export without MFA
	// says so once; otherwise the accounts are named.
	var unknownParts []string
	var missing []handwash.Missing
	for _, s := range srcs {
		mine := filter(notKnown, func(a handwash.CloudAccount) bool { return a.Source == s })
		if len(mine) == 0 {
			continue
		}
		if !mfaKnown(accts, s) {
			unknownParts = append(unknownParts, blindNote(s))
			missing = append(missing, handwash.Missing{Fact: "cloud_accounts.mfa", Reason: handwash.ReasonNotSupported, Detail: blindNote(s)})
			continue
		}
		unknownParts = append(unknownParts, fmt.Sprintf("The %s list does not say whether %s %s MFA: %s.", sourceName(s), plural(len(mine), "account"), haveHas(len(mine)), names(mine)))
		missing = append(missing, handwash.Missing{Fact: "cloud_accounts.mfa", Reason: handwash.ReasonNotSupported,
			Detail: "The " + sourceName(s) + " list does not say whether these accounts have MFA: " + names(mine) + "."})
	}

	switch {
	case len(users) == 0:
		f.Status = handwash.StatusNotApplicable
		f.Summary = "No account in the lists imported can sign in."
	case len(without) > 0:
		f.Status = handwash.StatusFail
		lead := fmt.Sprintf("%s of the %s that can sign in %s no MFA: %s.", count(len(without)), plural(len(users), "account"), haveHas(len(without)), names(without))
		if len(users) == 1 {
			lead = "The one account that can sign in has no MFA: " + names(without) + "."
		}
		f.Summary = joinSentences(append([]string{lead}, unknownParts...)...)
	case len(notKnown) > 0:
		f.Status = handwash.StatusUnknown
		f.Summary = joinSentences(unknownParts...)
		f.Missing = missing
	default:
		f.Status = handwash.StatusPass
		f.Summary = fmt.Sprintf("%s that can sign in have MFA.", allOf(len(users), "account"))
		if len(users) == 1 {
			f.Summary = "The one account that can sign in has MFA."
		}
	}
	return f
}

func sharedFinding(accts []handwash.CloudAccount, srcs []string) handwash.Finding {
	f := newFinding(ControlSharedSignIn, handwash.SeverityMedium)
	if len(accts) == 0 {
		f.Status = handwash.StatusUnknown
		f.Summary = "No list of cloud accounts has been imported yet."
		f.Missing = []handwash.Missing{{Fact: "cloud_accounts", Reason: handwash.ReasonNotCollected,
			Detail: "Import the Microsoft 365 active users export, which says whose sign-in is blocked."}}
		return f
	}
	shared := filter(accts, func(a handwash.CloudAccount) bool { return a.Shared })
	open := filter(shared, func(a handwash.CloudAccount) bool { return a.SignInAllowed != nil && *a.SignInAllowed })
	notKnown := filter(shared, func(a handwash.CloudAccount) bool { return a.SignInAllowed == nil })
	f.Evidence = []handwash.Evidence{
		{Label: "Shared and resource mailboxes", Value: count(len(shared))},
		{Label: "Sign-in blocked", Value: count(len(shared) - len(open) - len(notKnown))},
		{Label: "Sign-in allowed", Value: count(len(open))},
		{Label: "Not known", Value: count(len(notKnown))},
	}
	switch {
	case len(shared) == 0:
		f.Status = handwash.StatusNotApplicable
		f.Summary = "No shared mailboxes were found in the lists imported."
		if slices.Contains(srcs, handwash.AccountsM365) {
			f.Summary += " Handwash knows an account is a shared mailbox only when the list has a Recipient type column: Microsoft's user exports have none, so check Exchange admin centre > Recipients > Mailboxes > Shared yourself."
		}
		f.Evidence = nil
	case len(open) > 0:
		f.Status = handwash.StatusFail
		f.Summary = fmt.Sprintf("%s can be signed in to directly, with a password nobody owns: %s.", capitalise(plural(len(open), "shared mailbox")), names(open))
		if len(notKnown) > 0 {
			f.Summary += " Not known for " + names(notKnown) + "."
		}
	case len(notKnown) > 0:
		f.Status = handwash.StatusUnknown
		f.Summary = fmt.Sprintf("The list imported does not say whether sign-in is blocked for %s: %s.", plural(len(notKnown), "shared mailbox"), names(notKnown))
		f.Missing = []handwash.Missing{{Fact: "cloud_accounts.sign_in_allowed", Reason: handwash.ReasonNotSupported,
			Detail: "Import the Microsoft 365 active users export, whose Block credential column says whose sign-in is blocked."}}
	default:
		f.Status = handwash.StatusPass
		f.Summary = fmt.Sprintf("Sign-in is blocked for %s.", strings.ToLower(allOf(len(shared), "shared mailbox")))
		if len(shared) == 1 {
			f.Summary = "Sign-in is blocked for the one shared mailbox."
		}
	}
	return f
}

func freshFinding(imports []handwash.CloudImport, now time.Time) handwash.Finding {
	f := newFinding(ControlImportFresh, handwash.SeverityLow)
	newest := map[string]handwash.CloudImport{}
	for _, im := range imports {
		if cur, ok := newest[im.Source]; !ok || im.ImportedAt.After(cur.ImportedAt) {
			newest[im.Source] = im
		}
	}
	if len(newest) == 0 {
		f.Status = handwash.StatusUnknown
		f.Summary = "No list of cloud accounts has been imported yet."
		f.Missing = []handwash.Missing{{Fact: "cloud_imports", Reason: handwash.ReasonNotCollected,
			Detail: "Import Microsoft Entra's user registration details or Google Workspace's users download."}}
		return f
	}
	srcs := sources(nil, imports)
	var stale, fresh []string
	for _, s := range srcs {
		im := newest[s]
		age := now.Sub(im.ImportedAt)
		v := im.ImportedAt.UTC().Format("2 January 2006")
		if im.ImportedBy != "" {
			v += " by " + csvtable.CleanText(im.ImportedBy)
		}
		v += ", " + plural(im.Accounts, "account")
		f.Evidence = append(f.Evidence, handwash.Evidence{Label: sourceName(s) + " last imported", Value: v})
		sentence := fmt.Sprintf("The %s list was imported %s (%s)", sourceName(s), ago(age), im.ImportedAt.UTC().Format("2 January 2006"))
		if age > MaxImportAge {
			stale = append(stale, sentence)
		} else {
			fresh = append(fresh, sentence)
		}
	}
	f.Evidence = append(f.Evidence, handwash.Evidence{Label: "Oldest allowed", Value: plural(int(MaxImportAge.Hours()/24), "day")})
	if len(stale) > 0 {
		f.Status = handwash.StatusFail
		f.Summary = english.List(stale, 0) + fmt.Sprintf("; it should be no more than %d days old, so new starters' and leavers' accounts may be missing from these findings.", int(MaxImportAge.Hours()/24))
		if len(stale) > 1 {
			f.Summary = strings.Replace(f.Summary, "; it should", "; each should", 1)
		}
		return f
	}
	f.Status = handwash.StatusPass
	f.Summary = english.List(fresh, 0) + "."
	return f
}

func ago(d time.Duration) string {
	switch {
	case d < 0:
		return "with a date in the future (check the server's clock)"
	case d < 24*time.Hour:
		return "today"
	}
	return plural(int(d.Hours()/24), "day") + " ago"
}

// allOf is "All 3 accounts", or "Both accounts" (for two or more).
func allOf(n int, word string) string {
	p := plural(n, word)
	if n == 2 {
		return "Both " + p[2:]
	}
	return "All " + p
}

func haveHas(n int) string {
	if n == 1 {
		return "has"
	}
	return "have"
}

func capitalise(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

func joinSentences(parts ...string) string {
	var out []string
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, " ")
}
