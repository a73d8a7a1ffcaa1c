package cloudimport

import (
	"fmt"
	"io"
	"strings"

	"github.com/handwash/handwash"
	"github.com/handwash/handwash/internal/csvtable"
)

// The limits of one import. A care provider has tens or hundreds of
// accounts; the limits stop a wrong or hostile file from using up the
// server's memory.
const (
	MaxBytes = 20 << 20 // 20 MiB
	MaxRows  = 50_000
)

var limits = csvtable.Limits{MaxBytes: MaxBytes, MaxRows: MaxRows}

// A layout is one kind of export Parse reads.
type layout struct {
	id     string
	name   string // as people read it
	source string
	// email names the sign-in column; detect says whether a header is this
	// layout; expect lists its main columns, for the unknown-layout error.
	email  []string
	detect func(t *csvtable.Table) bool
	expect string
}

// The column names of each field, in the exports' words (compared as
// csvtable.Key does: case, spaces and bracketed notes do not matter).
var (
	colUPN           = []string{"User principal name", "userPrincipalName", "UPN"}
	colGoogleEmail   = []string{"Email Address [Required]", "Primary email"}
	colDisplayName   = []string{"User display name", "Display name", "Name"}
	colFirstName     = []string{"First Name [Required]", "Given name"}
	colLastName      = []string{"Last Name [Required]", "Family name", "Surname"}
	colAdmin         = []string{"Is admin", "Admin", "Admin roles", "Admin role", "Is admin [READ ONLY]"}
	colUserType      = []string{"User type"}
	colMFARegistered = []string{"Is MFA registered", "MFA registered", "Multifactor authentication registered"}
	colMFACapable    = []string{"Is MFA capable", "MFA capable", "Multifactor authentication capable"}
	colMethods       = []string{"Methods registered"}
	colRecipientType = []string{"Recipient type details", "Recipient type", "Mailbox type"}
	colBlocked       = []string{"Block credential", "Sign-in blocked", "Block sign-in"}
	colEnabled       = []string{"Account enabled"}
	colStatus        = []string{"Status [READ ONLY]"}
	colLastSignIn    = []string{"Last sign in [READ ONLY]", "Last sign-in date time", "Last sign-in"}
	col2SVEnrolled   = []string{"2sv Enrolled [READ ONLY]"}
	col2SVEnforced   = []string{"2sv Enforced [READ ONLY]"}
)

// The layouts, in the order they are tried: the first whose detect
// matches is used.
var layouts = []layout{
	{
		id: "entra-registration", name: "Microsoft Entra user registration details", source: handwash.AccountsM365,
		email: colUPN,
		detect: func(t *csvtable.Table) bool {
			return t.Has(colUPN...) && t.Has(append(colMFARegistered, colMFACapable...)...)
		},
		expect: `User principal name, User display name, Is admin, MFA registered (isMfaRegistered) or MFA capable, Methods registered`,
	},
	{
		id: "m365-active-users", name: "Microsoft 365 admin centre active users", source: handwash.AccountsM365,
		email: colUPN,
		detect: func(t *csvtable.Table) bool {
			return t.Has(colUPN...) && t.Has("Block credential", "Licenses", "License assignment details")
		},
		expect: `User principal name, Display name, Block credential, Licenses`,
	},
	{
		id: "entra-users", name: "Microsoft Entra users download", source: handwash.AccountsM365,
		email:  colUPN,
		detect: func(t *csvtable.Table) bool { return t.Has(colUPN...) && t.Has(colEnabled...) },
		expect: `userPrincipalName, displayName, userType, accountEnabled`,
	},
	{
		id: "google-users", name: "Google Workspace users download", source: handwash.AccountsGoogle,
		email: colGoogleEmail,
		detect: func(t *csvtable.Table) bool {
			return t.Has(colGoogleEmail...) && (t.Has(col2SVEnrolled...) || t.Has(col2SVEnforced...) || t.Has(colFirstName...) && t.Has(colLastName...))
		},
		expect: `First Name [Required], Last Name [Required], Email Address [Required], Status [READ ONLY], Last Sign In [READ ONLY], 2sv Enrolled [READ ONLY], 2sv Enforced [READ ONLY]`,
	},
}

// Parse reads a user export of Microsoft 365 / Entra ID or Google
// Workspace (see the package documentation for the layouts) and returns
// the source (handwash.AccountsM365 or handwash.AccountsGoogle) and the
// organisation's accounts. Guests from other organisations are left out.
//
// On any problem it returns no accounts and a *handwash.Error whose message
// names the line and the column: EINVALID for a bad file, ETOOLARGE when
// it is over MaxBytes or MaxRows.
func Parse(r io.Reader, orgID string) (source string, accounts []handwash.CloudAccount, err error) {
	t, err := csvtable.Read(r, limits)
	if err != nil {
		return "", nil, err
	}
	var l *layout
	for i := range layouts {
		if layouts[i].detect(t) {
			l = &layouts[i]
			break
		}
	}
	if l == nil {
		return "", nil, unknownLayout(t)
	}
	if len(t.Rows) == 0 {
		return "", nil, handwash.Errorf(handwash.EINVALID, "the file has a header row but no accounts: download the %s again", l.name)
	}
	accounts, err = readAccounts(t, l, orgID)
	if err != nil {
		return "", nil, err
	}
	return l.source, accounts, nil
}

func unknownLayout(t *csvtable.Table) error {
	var want []string
	for _, l := range layouts {
		want = append(want, fmt.Sprintf("%s (%s)", l.name, l.expect))
	}
	return handwash.Errorf(handwash.EINVALID, "the file's columns are not those of an export Handwash reads. Its first columns are %s. Handwash expects one of: %s", t.ColumnsFound(), strings.Join(want, "; "))
}

// cols holds the position of each column the file has, or -1.
type cols struct {
	email, name, first, last, admin, userType, mfaRegistered, mfaCapable, methods,
	recipientType, blocked, enabled, status, lastSignIn, enrolled, enforced int
}

func findCols(t *csvtable.Table, l *layout) (c cols, err error) {
	for _, f := range []struct {
		dst   *int
		names []string
	}{
		{&c.email, l.email}, {&c.name, colDisplayName}, {&c.first, colFirstName}, {&c.last, colLastName},
		{&c.admin, colAdmin}, {&c.userType, colUserType}, {&c.mfaRegistered, colMFARegistered},
		{&c.mfaCapable, colMFACapable}, {&c.methods, colMethods}, {&c.recipientType, colRecipientType},
		{&c.blocked, colBlocked}, {&c.enabled, colEnabled}, {&c.status, colStatus},
		{&c.lastSignIn, colLastSignIn}, {&c.enrolled, col2SVEnrolled}, {&c.enforced, col2SVEnforced},
	} {
		if *f.dst, err = t.Col(f.names...); err != nil {
			return c, err
		}
	}
	return c, nil
}

func readAccounts(t *csvtable.Table, l *layout, orgID string) ([]handwash.CloudAccount, error) {
	c, err := findCols(t, l)
	if err != nil {
		return nil, err
	}
	seen := map[string]int{} // lower-case email -> line
	var accounts []handwash.CloudAccount
	guests := 0
	for _, r := range t.Rows {
		a, guest, err := readAccount(t, l, c, r)
		if err != nil {
			return nil, err
		}
		if guest {
			guests++
			continue
		}
		if first, dup := seen[a.Email]; dup {
			return nil, handwash.Errorf(handwash.EINVALID, "lines %d and %d: %s appears twice: remove one and import again", first, r.Line, a.Email)
		}
		seen[a.Email] = r.Line
		a.OrgID = orgID
		a.Source = l.source
		accounts = append(accounts, a)
	}
	if len(accounts) == 0 {
		return nil, handwash.Errorf(handwash.EINVALID, "all %d accounts in the file are guests from other organisations: import the list of your own staff's accounts", guests)
	}
	return accounts, nil
}

// readAccount reads one row. guest is true for a guest from another
// organisation, which is left out.
func readAccount(t *csvtable.Table, l *layout, c cols, r csvtable.Row) (a handwash.CloudAccount, guest bool, err error) {
	f := func(i int) string {
		if i < 0 {
			return ""
		}
		return r.Fields[i]
	}
	email := f(c.email)
	if email == "" {
		return a, false, t.EmptyValue(r, c.email, "every row needs the account's sign-in name")
	}
	if !validEmail(email) {
		return a, false, t.BadValue(r, c.email, "an email address such as jo.bloggs@example.org")
	}
	a.Email = strings.ToLower(email)
	// Guests: Entra writes their user principal name as
	// name_theirdomain#EXT#@yourdomain, and says userType Guest.
	if strings.Contains(a.Email, "#ext#") {
		return a, true, nil
	}
	if ut := strings.ToLower(f(c.userType)); ut == "guest" {
		return a, true, nil
	} else if strings.Contains(ut, "shared") {
		a.Shared = true
	}

	switch {
	case c.name >= 0:
		a.Name = csvtable.CleanText(f(c.name))
	case c.first >= 0 || c.last >= 0:
		a.Name = csvtable.CleanText(strings.TrimSpace(f(c.first) + " " + f(c.last)))
	}

	if c.admin >= 0 {
		if b, ok := yesNo(f(c.admin)); ok {
			a.Admin = b != nil && *b
		} else {
			// A role name, such as "Super Admin" or "Global Administrator".
			a.Admin = true
		}
	}

	if err := readMFA(t, c, r, &a); err != nil {
		return a, false, err
	}

	if c.recipientType >= 0 {
		v := strings.ToLower(f(c.recipientType))
		for _, w := range []string{"shared", "room", "equipment", "resource", "scheduling"} {
			if strings.Contains(v, w) {
				a.Shared = true
			}
		}
	}

	if c.blocked >= 0 {
		b, ok := yesNo(f(c.blocked))
		if !ok {
			return a, false, t.BadValue(r, c.blocked, "True or False")
		}
		if b != nil {
			a.SignInAllowed = ptr(!*b)
		}
	}
	if c.enabled >= 0 {
		b, ok := yesNo(f(c.enabled))
		if !ok {
			return a, false, t.BadValue(r, c.enabled, "True or False")
		}
		if b != nil {
			a.SignInAllowed = b
		}
	}
	if c.status >= 0 && l.source == handwash.AccountsGoogle {
		v := strings.ToLower(f(c.status))
		switch {
		case notGiven[v]:
		case strings.Contains(v, "suspend"), strings.Contains(v, "archiv"), strings.Contains(v, "delet"):
			a.SignInAllowed = ptr(false)
		case strings.Contains(v, "active"):
			a.SignInAllowed = ptr(true)
		default:
			return a, false, t.BadValue(r, c.status, "Active, Suspended or Archived")
		}
	}
	if c.lastSignIn >= 0 {
		tm, ok := when(f(c.lastSignIn))
		if !ok {
			return a, false, t.BadValue(r, c.lastSignIn, csvtable.DateExpected)
		}
		a.LastSignIn = tm
	}
	return a, false, nil
}

// readMFA fills in MFA and MFAMethods. Entra: MFA is "registered" and,
// when the file says it, "capable" (a registered method the organisation's
// policy allows); either alone when the file has one. Google: "2sv
// Enrolled". Without those columns MFA stays nil: not known.
func readMFA(t *csvtable.Table, c cols, r csvtable.Row, a *handwash.CloudAccount) error {
	var mfa *bool
	for _, i := range []int{c.mfaRegistered, c.mfaCapable, c.enrolled} {
		if i < 0 {
			continue
		}
		b, ok := yesNo(r.Fields[i])
		if !ok {
			return t.BadValue(r, i, "True or False")
		}
		switch {
		case b == nil:
		case mfa == nil:
			mfa = b
		default:
			mfa = ptr(*mfa && *b)
		}
	}
	if c.enforced >= 0 {
		if _, ok := yesNo(r.Fields[c.enforced]); !ok {
			return t.BadValue(r, c.enforced, "True or False")
		}
	}
	a.MFA = mfa
	if c.methods >= 0 {
		a.MFAMethods = methods(r.Fields[c.methods])
	}
	return nil
}

// methods splits a list of registered methods. PowerShell's Export-Csv
// writes "System.String[]" for a list it was not told to join: that says
// nothing, so it gives no methods.
func methods(s string) []string {
	s = strings.Trim(strings.TrimSpace(s), "[]{}")
	if strings.HasPrefix(s, "System.") {
		return nil
	}
	var out []string
	for _, m := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ';' || r == '|' }) {
		m = csvtable.CleanText(strings.Trim(strings.TrimSpace(m), `"'`))
		if m != "" && len(out) < 20 {
			out = append(out, m)
		}
	}
	return out
}
