package incident

import (
	"strings"
	"testing"
	"time"

	"github.com/handwash/handwash"
)

// The form comes from a browser: ParseForm must survive anything, refuse
// what it does not promise, name the field when it does, and give only
// incidents that Validate accepts and that can be judged without a panic.
func FuzzParseForm(f *testing.F) {
	f.Add("Laptop stolen from car", "Taken from her car.\r\n", "2026-11-27T17:30", "2026-11-27T18:10", "yes", "no", "no", "2026-11-28", "", "")
	f.Add("", "", "2026-03-29T01:30", "2026-10-25T01:30:00", "maybe", "", "YES", "28/11/2026", "2026-02-30", "x")
	f.Add("a\u202eb", "\x00", "2026-11-27T17:30Z", "0000-01-01T00:00", "no", "yes", "", "", "1999-01-01", "2026-11-29")
	f.Fuzz(func(t *testing.T, title, what, occurred, discovered, personal, fraud, nearMiss, icoOn, closedOn, lessons string) {
		form := map[string]string{
			FieldTitle: title, FieldWhat: what, FieldOccurredAt: occurred, FieldDiscoveredAt: discovered,
			FieldPersonalData: personal, FieldFraud: fraud, FieldNearMiss: nearMiss,
			FieldICOReportedOn: icoOn, FieldClosedOn: closedOn, FieldLessons: lessons,
			FieldDSPTReportedOn: icoOn, FieldActions: what, FieldReferences: title, FieldReportedBy: title,
		}
		in, err := ParseForm(form, testNow)
		if err != nil {
			if handwash.ErrorCode(err) != handwash.EINVALID {
				t.Fatalf("error %v is not EINVALID", err)
			}
			field, _, _ := strings.Cut(err.Error(), ":")
			if _, ok := form[field]; !ok {
				t.Fatalf("error %q names no field", err)
			}
			return
		}
		if err := Validate(&in, testNow); err != nil {
			t.Fatalf("ParseForm gave an incident Validate refuses: %v", err)
		}
		if in.OccurredAt.Location() != time.UTC || in.DiscoveredAt.Location() != time.UTC || in.DiscoveredAt.Before(in.OccurredAt) {
			t.Fatalf("times %v, %v", in.OccurredAt, in.DiscoveredAt)
		}
		if in.Title != strings.TrimSpace(in.Title) || strings.Contains(in.What, "\r") {
			t.Fatalf("text not normalised: %q %q", in.Title, in.What)
		}
		ds := Duties(in, testNow)
		if len(ds) < 3 || ds[0].Required != in.PersonalData || ds[2].Required != in.Fraud {
			t.Fatalf("duties %+v for %+v", ds, in)
		}
		if fs := Findings([]*handwash.Incident{&in}, testNow.Add(100*24*time.Hour)); len(fs) != 2 {
			t.Fatalf("%d findings", len(fs))
		}
	})
}
