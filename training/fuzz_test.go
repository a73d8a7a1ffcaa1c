package training

import (
	"bytes"
	"strings"
	"testing"

	"github.com/handwash/handwash"
	"github.com/handwash/handwash/internal/csvtable"
	"github.com/handwash/handwash/internal/csvtable/csvtabletest"
)

// The file comes from whoever imports it, so Parse must survive anything,
// return all or nothing, and only accept what it promises; and whatever it
// accepts must link and be judged without a panic.
func FuzzParse(f *testing.F) {
	csvtabletest.AddFiles(f)
	f.Add([]byte("Name,Email,Start date,Leaving date,Training completed,Course\nJo,jo@example.co.uk,1/2/2020,,31 March 2026,X\n"))
	f.Add([]byte("First name;Surname;Data security training\nJo;;03/31/2026\n"))
	f.Add([]byte("sep=\t\nStaff name\tDate left\nJo\t31-Mar-26\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		staff, records, err := Parse(bytes.NewReader(data), "org-1")
		if err != nil {
			csvtabletest.CheckRefusal(t, err)
			if staff != nil || records != nil {
				t.Fatalf("returned %d staff and %d records with an error", len(staff), len(records))
			}
			return
		}
		if len(staff) == 0 || len(staff) > MaxRows || len(records) > len(staff) {
			t.Fatalf("%d staff and %d records without an error", len(staff), len(records))
		}
		var ptrs []*handwash.StaffMember
		for i := range staff {
			m := &staff[i]
			if m.OrgID != "org-1" || m.Name == "" || csvtable.CleanText(m.Name) != m.Name || csvtable.CleanText(m.Role) != m.Role {
				t.Fatalf("person %+v", m)
			}
			if m.Email != "" && !validEmail(m.Email) {
				t.Fatalf("accepted email %q", m.Email)
			}
			if m.StartedOn != nil && m.LeftOn != nil && m.LeftOn.Before(*m.StartedOn) {
				t.Fatalf("left before starting: %+v", m)
			}
			m.ID = "stf-" + strings.Repeat("x", i%7) + string(rune('a'+i%26)) + m.Name
			ptrs = append(ptrs, m)
		}
		for _, r := range records {
			if r.OrgID != "org-1" || r.Source != handwash.TrainingImport || r.Course == "" || r.CompletedOn.IsZero() || r.StaffID == "" {
				t.Fatalf("record %+v", r)
			}
		}
		linked, err := Link(records, ptrs)
		if err != nil {
			t.Fatalf("Link: %v", err)
		}
		s := Status(ptrs, linked, testNow)
		if s.Counted+s.Left+s.NotStarted != len(staff) || s.Trained > s.Counted {
			t.Fatalf("summary %+v of %d people", s, len(staff))
		}
		_ = s.Finding()
	})
}

// A form comes from a browser: ParseByHand must refuse what it does not
// promise, and name the field when it does.
func FuzzParseByHand(f *testing.F) {
	f.Add("Jo Bloggs", "jo@example.co.uk", "Carer", "2024-09-02", "")
	f.Add("", "x", "\x00", "02/09/2024", "2024-09-01")
	f.Fuzz(func(t *testing.T, name, email, role, started, left string) {
		m, err := ParseByHand(map[string]string{"name": name, "email": email, "role": role, "started_on": started, "left_on": left})
		if err != nil {
			field, _, _ := strings.Cut(err.Error(), ":")
			switch field {
			case FieldName, FieldEmail, FieldRole, FieldStartedOn, FieldLeftOn:
			default:
				t.Fatalf("error %q names no field", err)
			}
			return
		}
		if m.Name == "" || csvtable.CleanText(m.Name) != m.Name || csvtable.CleanText(m.Role) != m.Role {
			t.Fatalf("accepted name %q role %q", m.Name, m.Role)
		}
		if m.StartedOn != nil && m.LeftOn != nil && m.LeftOn.Before(*m.StartedOn) {
			t.Fatalf("left before starting: %+v", m)
		}
	})
}
