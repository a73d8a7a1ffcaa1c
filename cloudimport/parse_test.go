package cloudimport

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/handwash/handwash"
)

func b(v bool) *bool { return &v }

func boolStr(p *bool) string {
	if p == nil {
		return "nil"
	}
	return fmt.Sprint(*p)
}

// The files in testdata are made up, with the real exports' column names:
// see testdata/README.md for where each comes from.
func TestParseLayouts(t *testing.T) {
	type want struct {
		email, name     string
		admin, shared   bool
		mfa, signIn     *bool
		methods, signed string
	}
	for _, c := range []struct {
		file   string
		source string
		n      int
		check  []want
	}{
		{"entra-registration.csv", handwash.AccountsM365, 6, []want{
			{email: "manager@rosecourtcare.example", name: "Priya Shah", admin: true, mfa: b(true), methods: "Microsoft Authenticator app|Mobile phone"},
			{email: "it.admin@rosecourtcare.example", name: "Rose Court IT", admin: true, mfa: b(false)},
			// Registered but not capable: the method is not one the
			// policy allows, so no MFA.
			{email: "carer.lee@rosecourtcare.example", name: "Sam Lee", mfa: b(false), methods: "Mobile phone"},
		}},
		{"entra-registration-graph.csv", handwash.AccountsM365, 2, []want{
			{email: "manager@rosecourtcare.example", name: "Priya Shah", admin: true, mfa: b(true)},
		}},
		{"m365-active-users.csv", handwash.AccountsM365, 5, []want{
			{email: "manager@rosecourtcare.example", name: "Priya Shah", signIn: b(true)},
			{email: "leaver@rosecourtcare.example", name: "Old Starter", signIn: b(false)},
			{email: "office@rosecourtcare.example", name: "Office", signIn: b(true)},
		}},
		{"m365-active-users-recipients.csv", handwash.AccountsM365, 5, []want{
			{email: "office@rosecourtcare.example", name: "Office", shared: true, signIn: b(true)},
			{email: "rota@rosecourtcare.example", name: "Rota", shared: true, signIn: b(false)},
		}},
		{"entra-users.csv", handwash.AccountsM365, 2, []want{
			{email: "leaver@rosecourtcare.example", name: "Old Starter", signIn: b(false)},
		}},
		{"google-users.csv", handwash.AccountsGoogle, 4, []want{
			{email: "maria@willowhomecare.example", name: "Maria Silva", mfa: b(true), signIn: b(true), signed: "2026-11-29T08:15:02Z"},
			{email: "zoe@willowhomecare.example", name: "Zoë Ward", mfa: b(false), signIn: b(true)},
			{email: "leah@willowhomecare.example", name: "Leah Old", mfa: b(false), signIn: b(false), signed: "2026-06-01T10:00:00Z"},
		}},
	} {
		t.Run(c.file, func(t *testing.T) {
			src, accts := parseFile(t, c.file)
			if src != c.source || len(accts) != c.n {
				t.Fatalf("source %q, %d accounts; want %q, %d", src, len(accts), c.source, c.n)
			}
			byEmail := map[string]handwash.CloudAccount{}
			for _, a := range accts {
				if a.OrgID != "org-1" || a.Source != c.source {
					t.Errorf("%s: org %q source %q", a.Email, a.OrgID, a.Source)
				}
				byEmail[a.Email] = a
			}
			for _, w := range c.check {
				a, ok := byEmail[w.email]
				if !ok {
					t.Errorf("%s missing", w.email)
					continue
				}
				signed := ""
				if a.LastSignIn != nil {
					signed = a.LastSignIn.Format(time.RFC3339)
				}
				got := fmt.Sprintf("%s|%v|%v|%s|%s|%s|%s", a.Name, a.Admin, a.Shared, boolStr(a.MFA), boolStr(a.SignInAllowed), strings.Join(a.MFAMethods, "|"), signed)
				exp := fmt.Sprintf("%s|%v|%v|%s|%s|%s|%s", w.name, w.admin, w.shared, boolStr(w.mfa), boolStr(w.signIn), w.methods, w.signed)
				if got != exp {
					t.Errorf("%s:\n got %s\nwant %s", w.email, got, exp)
				}
			}
			for _, a := range accts {
				if strings.Contains(a.Email, "#ext#") {
					t.Errorf("guest %s kept", a.Email)
				}
			}
		})
	}
}

const regHeader = "User principal name,User display name,Is admin,MFA registered\n"

func parseString(s string) (string, []handwash.CloudAccount, error) {
	return Parse(strings.NewReader(s), "org-1")
}

func TestParseErrors(t *testing.T) {
	big := strings.Repeat("x", MaxBytes+1)
	var many strings.Builder
	many.WriteString(regHeader)
	for i := range MaxRows + 1 {
		fmt.Fprintf(&many, "u%d@x.example,U,False,True\n", i)
	}
	for _, c := range []struct {
		name, in, code, msg string
	}{
		{"bad yes/no", regHeader + "a@x.example,A,False,True\nb@x.example,B,False,True\nc@x.example,C,False,maybe\n", handwash.EINVALID,
			`line 4: "MFA registered" is "maybe": expected True or False`},
		{"empty", "", handwash.EINVALID, "the file is empty"},
		{"only a BOM and blank lines", "\ufeff\r\n\r\n", handwash.EINVALID, "the file is empty"},
		{"header only", regHeader, handwash.EINVALID, "a header row but no accounts"},
		{"unknown layout", "Name,Phone\nJo,0123\n", handwash.EINVALID, `Its first columns are "Name", "Phone". Handwash expects one of: Microsoft Entra user registration details (User principal name`},
		{"duplicate email", regHeader + "a@x.example,A,False,True\nb@x.example,B,False,True\nA@X.example,A2,False,True\n", handwash.EINVALID,
			"lines 2 and 4: a@x.example appears twice"},
		{"not an email", regHeader + "jo bloggs,Jo,False,True\n", handwash.EINVALID, `line 2: "User principal name" is "jo bloggs": expected an email address`},
		{"empty email", regHeader + ",Jo,False,True\n", handwash.EINVALID, `line 2: "User principal name" is empty`},
		{"bad quoting", regHeader + "a@x.example,\"A,False,True\nb@x.example,B,False,True\n", handwash.EINVALID, "line 3: the file is not valid CSV"},
		{"extra column", regHeader + "a@x.example,A,False,True,surprise\n", handwash.EINVALID, "line 2 has 5 columns but the header row has 4"},
		{"two columns with one name", "User principal name,MFA registered,MFA  Registered\na@x.example,True,True\n", handwash.EINVALID, `two columns called "MFA  Registered" (columns 2 and 3)`},
		{"bad date", "Email Address [Required],First Name [Required],Last Name [Required],Last Sign In [READ ONLY]\na@x.example,A,B,yesterday\n", handwash.EINVALID,
			`line 2: "Last Sign In [READ ONLY]" is "yesterday": expected a date`},
		{"bad Google status", "Email Address [Required],2sv Enrolled [READ ONLY],Status [READ ONLY]\na@x.example,True,Sleeping\n", handwash.EINVALID,
			`line 2: "Status [READ ONLY]" is "Sleeping": expected Active, Suspended or Archived`},
		{"bad block credential", "User principal name,Block credential\na@x.example,sometimes\n", handwash.EINVALID, `"Block credential" is "sometimes"`},
		{"only guests", regHeader + "x_y.example#EXT#@x.onmicrosoft.com,G,False,False\n", handwash.EINVALID, "guests from other organisations"},
		{"too large", big, handwash.ETOOLARGE, "larger than 20 MiB"},
		{"too many rows", many.String(), handwash.ETOOLARGE, "more than 50000 rows"},
	} {
		t.Run(c.name, func(t *testing.T) {
			src, accts, err := parseString(c.in)
			if err == nil {
				t.Fatalf("no error; %d accounts", len(accts))
			}
			if src != "" || accts != nil {
				t.Errorf("returned %q and %d accounts with the error", src, len(accts))
			}
			var he *handwash.Error
			if !errors.As(err, &he) || he.Code != c.code {
				t.Errorf("error %T %v, want code %s", err, err, c.code)
			}
			if !strings.Contains(err.Error(), c.msg) {
				t.Errorf("error %q\nwant it to contain %q", err, c.msg)
			}
		})
	}
}

// Excel and PowerShell write CSV in several ways; all must read the same.
func TestParseEncodings(t *testing.T) {
	plain := "User principal name,User display name,Is admin,MFA registered\r\na@x.example,Zoë Brontë,True,True\r\n"
	utf16le := func(s string) []byte {
		u := utf16.Encode([]rune(s))
		out := []byte{0xFF, 0xFE}
		for _, c := range u {
			out = append(out, byte(c), byte(c>>8))
		}
		return out
	}
	cp1252 := bytes.ReplaceAll([]byte(plain), []byte("ë"), []byte{0xEB})
	for name, in := range map[string][]byte{
		"plain":             []byte(plain),
		"BOM":               append([]byte("\ufeff"), plain...),
		"UTF-16":            utf16le(plain),
		"Windows-1252":      cp1252,
		"semicolons":        []byte(strings.ReplaceAll(plain, ",", ";")),
		"tabs":              []byte(strings.ReplaceAll(plain, ",", "\t")),
		"sep line":          []byte("sep=;\r\n" + strings.ReplaceAll(plain, ",", ";")),
		"Excel quoting":     []byte(`"User principal name","User display name","Is admin","MFA registered"` + "\r\n" + `"a@x.example","Zoë Brontë","TRUE","TRUE"` + "\r\n"),
		"odd header case":   []byte("USER PRINCIPAL NAME, user display name ,isAdmin,IsMfaRegistered\na@x.example,Zoë Brontë,yes,Yes\n"),
		"blank rows":        []byte(plain + ",,,\r\n\r\n"),
		"no final newline":  []byte(strings.TrimSuffix(plain, "\r\n")),
		"upper-case e-mail": []byte(strings.Replace(plain, "a@x.example", "A@X.Example", 1)),
	} {
		t.Run(name, func(t *testing.T) {
			src, accts, err := Parse(bytes.NewReader(in), "org-1")
			if err != nil {
				t.Fatal(err)
			}
			if src != handwash.AccountsM365 || len(accts) != 1 {
				t.Fatalf("%q, %d accounts", src, len(accts))
			}
			a := accts[0]
			if a.Email != "a@x.example" || a.Name != "Zoë Brontë" || !a.Admin || a.MFA == nil || !*a.MFA {
				t.Errorf("%+v", a)
			}
		})
	}
	// The sep line counts as a line: errors name the file's own lines.
	_, _, err := parseString("sep=,\nUser principal name,MFA registered\na@x.example,perhaps\n")
	if err == nil || !strings.HasPrefix(err.Error(), "line 3:") {
		t.Errorf("error after a sep line: %v", err)
	}
}

func TestParseValues(t *testing.T) {
	for in, want := range map[string]string{
		"2026/11/29 08:15:02":         "2026-11-29T08:15:02Z",
		"2026-11-29T08:15:02Z":        "2026-11-29T08:15:02Z",
		"2026-11-29T09:15:02+01:00":   "2026-11-29T08:15:02Z",
		"2026-11-29 08:15:02.0000000": "2026-11-29T08:15:02Z",
		"29/11/2026 08:15":            "2026-11-29T08:15:00Z",
		"11/29/2026 8:15:02 AM":       "2026-11-29T08:15:02Z",
		"Nov 29, 2026, 8:15:02 AM":    "2026-11-29T08:15:02Z",
		"Never logged in":             "nil",
		"0001-01-01 00:00:00":         "nil",
		"":                            "nil",
	} {
		tm, ok := when(in)
		got := "nil"
		if !ok {
			got = "error"
		} else if tm != nil {
			got = tm.Format(time.RFC3339)
		}
		if got != want {
			t.Errorf("when(%q) = %s, want %s", in, got, want)
		}
	}
	if _, ok := when("11/29/2026 08:15"); ok {
		t.Error("a US date without AM/PM was read as a UK one")
	}
	if m := methods("System.String[]"); m != nil {
		t.Errorf("methods of an unjoined PowerShell list: %q", m)
	}
	if m := methods(`["microsoftAuthenticatorPush","mobilePhone"]`); strings.Join(m, "|") != "microsoftAuthenticatorPush|mobilePhone" {
		t.Errorf("methods of a JSON-like list: %q", m)
	}
}

// A Google download with an administrator column marks role holders.
func TestParseGoogleAdminColumn(t *testing.T) {
	in := "Email Address [Required],First Name [Required],Last Name [Required],2sv Enrolled [READ ONLY],Admin role\n" +
		"a@x.example,A,One,True,Super Admin\nb@x.example,B,Two,False,\nc@x.example,C,Three,False,None\n"
	_, accts, err := parseString(in)
	if err != nil {
		t.Fatal(err)
	}
	if !accts[0].Admin || accts[1].Admin || accts[2].Admin {
		t.Errorf("admins: %v %v %v", accts[0].Admin, accts[1].Admin, accts[2].Admin)
	}
}

// Every file in testdata parses, and re-parsing gives the same accounts.
func TestParseTestdataStable(t *testing.T) {
	files, _ := filepath.Glob("testdata/*.csv")
	if len(files) < 6 {
		t.Fatalf("only %d test files", len(files))
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		_, a1, err1 := Parse(bytes.NewReader(data), "o")
		_, a2, err2 := Parse(bytes.NewReader(data), "o")
		if err1 != nil || err2 != nil || !reflect.DeepEqual(a1, a2) {
			t.Errorf("%s: %v %v", f, err1, err2)
		}
	}
}
