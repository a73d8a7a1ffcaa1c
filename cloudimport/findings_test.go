package cloudimport

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/handwash/handwash"
	"github.com/handwash/handwash/internal/golden"
)

var now = time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)

func parseFile(t *testing.T, name string) (string, []handwash.CloudAccount) {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	src, accts, err := Parse(f, "org-1")
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return src, accts
}

func imported(src string, daysAgo, accounts int) handwash.CloudImport {
	return handwash.CloudImport{OrgID: "org-1", Source: src, ImportedAt: now.Add(-time.Duration(daysAgo) * 24 * time.Hour), ImportedBy: "priya@rosecourtcare.example", Accounts: accounts}
}

type goldenCase struct {
	accounts []handwash.CloudAccount
	imports  []handwash.CloudImport
}

// cases are organisations as the store would hold them after imports of
// the files in testdata, and a few made in code.
func cases(t *testing.T) map[string]goldenCase {
	_, entra := parseFile(t, "entra-registration.csv")
	_, active := parseFile(t, "m365-active-users-recipients.csv")
	_, google := parseFile(t, "google-users.csv")
	var good []handwash.CloudAccount
	for _, a := range entra {
		a.MFA = ptr(true)
		good = append(good, a)
	}
	good = append(good, handwash.CloudAccount{OrgID: "org-1", Source: handwash.AccountsM365, Email: "office@rosecourtcare.example", Shared: true, SignInAllowed: ptr(false)})
	var many []handwash.CloudAccount
	for i := range 14 {
		many = append(many, handwash.CloudAccount{OrgID: "org-1", Source: handwash.AccountsGoogle, Email: fmt.Sprintf("carer%02d@willowhomecare.example", i), MFA: ptr(i%7 == 0), Admin: i == 0})
	}
	return map[string]goldenCase{
		// Entra registration details: an administrator and two users
		// without MFA, a fresh import.
		"entra": {entra, []handwash.CloudImport{imported(handwash.AccountsM365, 2, len(entra)), imported(handwash.AccountsM365, 40, 5)}},
		// The admin centre's active users, with a recipient type column
		// added: no MFA known, a shared mailbox open, an old import.
		"m365-active": {active, []handwash.CloudImport{imported(handwash.AccountsM365, 45, len(active))}},
		// Google: nobody marked as administrator, two users without 2SV.
		"google": {google, []handwash.CloudImport{imported(handwash.AccountsGoogle, 1, len(google))}},
		// Everything right.
		"good": {good, []handwash.CloudImport{imported(handwash.AccountsM365, 0, len(good))}},
		// Both sources, one stale; more than ten accounts to name.
		"both": {append(append([]handwash.CloudAccount{}, entra...), many...), []handwash.CloudImport{imported(handwash.AccountsM365, 3, len(entra)), imported(handwash.AccountsGoogle, 31, len(many))}},
		// Nothing imported yet.
		"none": {},
	}
}

// TestGolden judges each case and compares the findings, as JSON and as
// text, with testdata/findings-<name>.json and .txt. Run with -update to
// rewrite them after a deliberate change, and read the diff: it is what
// people see.
func TestGolden(t *testing.T) {
	for name, c := range cases(t) {
		t.Run(name, func(t *testing.T) {
			fs := Findings(c.accounts, c.imports, now)
			js, err := json.MarshalIndent(fs, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			golden.Check(t, "findings-"+name+".json", append(js, '\n'))
			golden.Check(t, "findings-"+name+".txt", []byte(render(fs)))
		})
	}
}

func render(fs []handwash.Finding) string {
	var b strings.Builder
	for _, f := range fs {
		fmt.Fprintf(&b, "== %s [%s, %s] %s\n%s\n", f.ControlID, f.Severity, f.Status, f.Title, f.Summary)
		for _, e := range f.Evidence {
			fmt.Fprintf(&b, "  %s: %s\n", e.Label, e.Value)
		}
		for _, m := range f.Missing {
			fmt.Fprintf(&b, "  missing %s (%s): %s\n", m.Fact, m.Reason, m.Detail)
		}
		if f.Why != "" {
			fmt.Fprintf(&b, "Why: %s\nFix:\n%s\n", f.Why, f.Fix)
		}
		b.WriteString("\n")
	}
	return b.String()
}

func statuses(fs []handwash.Finding) map[string]handwash.Status {
	m := map[string]handwash.Status{}
	for _, f := range fs {
		m[f.ControlID] = f.Status
	}
	return m
}

// TestStatuses pins the judgement of each case, so a change to the
// wording cannot hide a change of verdict in a large golden diff.
func TestStatuses(t *testing.T) {
	const (
		P = handwash.StatusPass
		F = handwash.StatusFail
		U = handwash.StatusUnknown
		N = handwash.StatusNotApplicable
	)
	want := map[string][4]handwash.Status{
		"entra":       {F, F, N, P},
		"m365-active": {U, U, F, F},
		"google":      {U, F, N, P},
		"good":        {P, P, P, P},
		"both":        {F, F, N, F},
		"none":        {U, U, U, U},
	}
	for name, c := range cases(t) {
		fs := Findings(c.accounts, c.imports, now)
		got := statuses(fs)
		for i, id := range []string{ControlAdminMFA, ControlUserMFA, ControlSharedSignIn, ControlImportFresh} {
			if got[id] != want[name][i] {
				t.Errorf("%s: %s is %s, want %s", name, id, got[id], want[name][i])
			}
			if fs[i].ControlID != id || fs[i].Area != handwash.AreaPasswords {
				t.Errorf("%s: finding %d is %s in %s", name, i, fs[i].ControlID, fs[i].Area)
			}
			if (fs[i].Status == F || fs[i].Status == U) && (fs[i].Why == "" || fs[i].Fix == "") {
				t.Errorf("%s: %s %s has no why or fix", name, id, fs[i].Status)
			}
			if fs[i].Status == U && len(fs[i].Missing) == 0 {
				t.Errorf("%s: %s is unknown but says nothing is missing", name, id)
			}
		}
	}
}

func TestAdminJudgement(t *testing.T) {
	acct := func(email string, admin bool, mfa *bool, signIn *bool) handwash.CloudAccount {
		return handwash.CloudAccount{Source: handwash.AccountsM365, Email: email, Admin: admin, MFA: mfa, SignInAllowed: signIn}
	}
	yes, no := ptr(true), ptr(false)
	for _, c := range []struct {
		name     string
		accounts []handwash.CloudAccount
		want     handwash.Status
	}{
		{"admin with MFA", []handwash.CloudAccount{acct("a@x.example", true, yes, nil), acct("b@x.example", false, no, nil)}, handwash.StatusPass},
		{"admin without MFA", []handwash.CloudAccount{acct("a@x.example", true, no, nil)}, handwash.StatusFail},
		{"blocked admin without MFA is not counted", []handwash.CloudAccount{acct("a@x.example", true, no, no), acct("b@x.example", true, yes, nil)}, handwash.StatusPass},
		{"admin with MFA not known", []handwash.CloudAccount{acct("a@x.example", true, nil, nil)}, handwash.StatusUnknown},
		{"fail wins over not known", []handwash.CloudAccount{acct("a@x.example", true, nil, nil), acct("b@x.example", true, no, nil)}, handwash.StatusFail},
		{"nobody marked admin, everyone has MFA", []handwash.CloudAccount{acct("a@x.example", false, yes, nil), acct("b@x.example", false, yes, nil)}, handwash.StatusPass},
		{"nobody marked admin, someone without MFA", []handwash.CloudAccount{acct("a@x.example", false, yes, nil), acct("b@x.example", false, no, nil)}, handwash.StatusUnknown},
		{"nobody marked admin, nothing known", []handwash.CloudAccount{acct("a@x.example", false, nil, yes)}, handwash.StatusUnknown},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := Findings(c.accounts, nil, now)[0]
			if f.Status != c.want {
				t.Errorf("status %s, want %s: %s", f.Status, c.want, f.Summary)
			}
		})
	}
}

func TestNamesList(t *testing.T) {
	var accts []handwash.CloudAccount
	for i := range 13 {
		accts = append(accts, handwash.CloudAccount{Email: fmt.Sprintf("u%02d@x.example", i)})
	}
	got := names(accts)
	if !strings.HasSuffix(got, "u09@x.example and 3 more") || strings.Count(got, "@") != 10 {
		t.Errorf("names = %q", got)
	}
	if got := names(accts[:1]); got != "u00@x.example" {
		t.Errorf("one name = %q", got)
	}
	if got := names(accts[:2]); got != "u00@x.example and u01@x.example" {
		t.Errorf("two names = %q", got)
	}
}

func TestFreshThreshold(t *testing.T) {
	for _, c := range []struct {
		age  time.Duration
		want handwash.Status
	}{
		{29 * 24 * time.Hour, handwash.StatusPass},
		{MaxImportAge, handwash.StatusPass},
		{MaxImportAge + time.Hour, handwash.StatusFail},
		{-time.Hour, handwash.StatusPass}, // a clock a little ahead
	} {
		im := []handwash.CloudImport{{Source: handwash.AccountsGoogle, ImportedAt: now.Add(-c.age), Accounts: 3}}
		f := Findings(nil, im, now)[3]
		if f.Status != c.want {
			t.Errorf("age %v: %s, want %s (%s)", c.age, f.Status, c.want, f.Summary)
		}
	}
}

// The Fix names only the consoles of the sources imported.
func TestFixForSources(t *testing.T) {
	fs := Findings([]handwash.CloudAccount{{Source: handwash.AccountsGoogle, Email: "a@x.example", MFA: ptr(false)}}, nil, now)
	if fix := fs[1].Fix; !strings.Contains(fix, "Google Admin console") || strings.Contains(fix, "Entra") {
		t.Errorf("Google-only fix:\n%s", fix)
	}
	if !bytes.Contains([]byte(fs[1].Why), []byte("A7.17")) || !strings.Contains(fs[0].Why, "A7.16") || !strings.Contains(fs[0].Why, "Advanced") {
		t.Errorf("why texts lack their sources")
	}
}
