package cloudimport

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/handwash/handwash"
	"github.com/handwash/handwash/internal/csvtable"
	"github.com/handwash/handwash/internal/csvtable/csvtabletest"
)

// The file comes from whoever imports it, so Parse must survive anything,
// return all or nothing, and only accept what it promises; and whatever it
// accepts must be judged without a panic.
func FuzzParse(f *testing.F) {
	csvtabletest.AddFiles(f)
	f.Add([]byte(regHeader + "a@x.example,A,True,maybe\n"))
	f.Add([]byte("sep=;\nUser principal name;Block credential\na@x.example;True\n"))
	f.Add([]byte("\xff\xfeU\x00,\x00"))
	f.Add([]byte("\"unterminated"))
	f.Fuzz(func(t *testing.T, data []byte) {
		src, accts, err := Parse(bytes.NewReader(data), "org-1")
		if err != nil {
			csvtabletest.CheckRefusal(t, err)
			if src != "" || accts != nil {
				t.Fatalf("returned %q and %d accounts with an error", src, len(accts))
			}
			return
		}
		if src != handwash.AccountsM365 && src != handwash.AccountsGoogle {
			t.Fatalf("source %q", src)
		}
		if len(accts) == 0 || len(accts) > MaxRows {
			t.Fatalf("%d accounts without an error", len(accts))
		}
		seen := map[string]bool{}
		for _, a := range accts {
			if a.OrgID != "org-1" || a.Source != src {
				t.Fatalf("account %+v", a)
			}
			if !validEmail(a.Email) || a.Email != strings.ToLower(a.Email) || strings.Contains(a.Email, "#ext#") {
				t.Fatalf("accepted email %q", a.Email)
			}
			if seen[a.Email] {
				t.Fatalf("%q twice", a.Email)
			}
			seen[a.Email] = true
			if csvtable.CleanText(a.Name) != a.Name {
				t.Fatalf("name %q not clean", a.Name)
			}
		}
		fs := Findings(accts, []handwash.CloudImport{{Source: src, ImportedAt: time.Unix(0, 0)}}, time.Unix(1e9, 0))
		if len(fs) != 4 {
			t.Fatalf("%d findings", len(fs))
		}
	})
}
