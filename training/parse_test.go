package training

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/handwash/handwash"
)

// testNow is the day the tests run on: Monday 30 November 2026.
var testNow = time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)

func init() {
	clock = func() time.Time { return testNow }
}

func date(y int, m time.Month, d int) *time.Time {
	t := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	return &t
}

func parseFile(t *testing.T, name string) ([]handwash.StaffMember, []handwash.TrainingRecord) {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	staff, records, err := Parse(f, "org-1")
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return staff, records
}

// stored gives each person an ID, as the store does, and links the
// records to them.
func stored(t *testing.T, f parsed) ([]*handwash.StaffMember, []handwash.TrainingRecord) {
	t.Helper()
	staff, records := f.staff, f.records
	var ptrs []*handwash.StaffMember
	for i := range staff {
		staff[i].ID = fmt.Sprintf("stf-%02d", i+1)
		ptrs = append(ptrs, &staff[i])
	}
	linked, err := Link(records, ptrs)
	if err != nil {
		t.Fatal(err)
	}
	return ptrs, linked
}

type parsed struct {
	staff   []handwash.StaffMember
	records []handwash.TrainingRecord
}

func parseFileT(t *testing.T, name string) parsed {
	t.Helper()
	staff, records := parseFile(t, name)
	return parsed{staff, records}
}

func describeStaff(m handwash.StaffMember) string {
	d := func(t *time.Time) string {
		if t == nil {
			return "-"
		}
		return t.Format(time.DateOnly)
	}
	return fmt.Sprintf("%s|%s|%s|%s|%s", m.Name, m.Email, m.Role, d(m.StartedOn), d(m.LeftOn))
}

func describeRecord(r handwash.TrainingRecord) string {
	return fmt.Sprintf("%s|%s|%s|%s|%s", r.StaffID, r.Course, r.CompletedOn.Format(time.DateOnly), r.Source, r.Evidence)
}

// The files in testdata are made up, in the forms registers take: see
// testdata/README.md.
func TestParseFiles(t *testing.T) {
	for _, c := range []struct {
		file           string
		staff, records []string
	}{
		{"spreadsheet-register.csv", []string{
			"Dee Clarke|dee.clarke@rosecourtcare.co.uk|Registered manager|2015-06-01|-",
			"Priya Shah|priya.shah@rosecourtcare.co.uk|Deputy manager|2018-03-14|-",
			"Tom Okafor|tom.okafor@rosecourtcare.co.uk|Senior carer|2019-09-02|-",
			"Alys Jones|alys.jones@rosecourtcare.co.uk|Carer|2021-01-05|-",
			"Sam Lee||Carer (nights)|2022-07-19|-",
			"Maria Silva|maria.silva@rosecourtcare.co.uk|Carer|2023-10-10|-",
			"Kim Hart||Cook|2024-04-01|-",
			"Joe Bloggs|joe.bloggs@rosecourtcare.co.uk|Maintenance|2017-02-01|2026-08-31",
			"Ola Ade|ola.ade@rosecourtcare.co.uk|Senior carer|2025-05-16|-",
			"Margaret Hughes, OBE||Trustee|2012-01-01|-",
			"Bo Chan||Volunteer|2026-02-12|-",
			"Ann Lee|ann.lee@rosecourtcare.co.uk|Activities coordinator|2027-01-04|-",
		}, []string{
			"dee.clarke@rosecourtcare.co.uk|Data Security Awareness Level 1|2026-01-12|import|Staff register import",
			"priya.shah@rosecourtcare.co.uk|Data Security Awareness Level 1|2026-02-03|import|Staff register import",
			"tom.okafor@rosecourtcare.co.uk|Data Security Awareness Level 1|2025-11-28|import|Staff register import",
			"alys.jones@rosecourtcare.co.uk|Handwash phishing quiz|2025-12-15|import|Staff register import",
			"maria.silva@rosecourtcare.co.uk|Data Security Awareness Level 1|2025-11-30|import|Staff register import",
			"Kim Hart|Data Security Awareness Level 1|2026-05-07|import|Staff register import",
			"joe.bloggs@rosecourtcare.co.uk|Data Security Awareness Level 1|2025-03-01|import|Staff register import",
			"ola.ade@rosecourtcare.co.uk|Induction: data security|2025-05-20|import|Staff register import",
			"Margaret Hughes, OBE|Data Security Awareness Level 1|2026-10-22|import|Staff register import",
		}},
		{"rota-export.csv", []string{
			"Grace Mensah|grace.mensah@brightwaterhomecare.co.uk|Home care manager|2019-04-01|-",
			"Liam Doyle|liam.doyle@brightwaterhomecare.co.uk|Care coordinator|2020-09-14|-",
			"Fatima Begum|fatima.begum@brightwaterhomecare.co.uk|Care worker, days|2021-11-22|-",
			"Jack Evans|jack.evans@brightwaterhomecare.co.uk|Care worker, nights|2024-01-08|2026-05-29",
			"Chloe Roberts|chloe.roberts@brightwaterhomecare.co.uk|Care worker|2025-08-04|-",
			"Sean Murphy|sean.murphy@brightwaterhomecare.co.uk|Field supervisor|2016-03-07|-",
		}, []string{
			// The column is named after the course.
			"grace.mensah@brightwaterhomecare.co.uk|Data Security Awareness Level 1|2026-02-17|import|Staff register import",
			"liam.doyle@brightwaterhomecare.co.uk|Data Security Awareness Level 1|2026-06-03|import|Staff register import",
			"fatima.begum@brightwaterhomecare.co.uk|Data Security Awareness Level 1|2025-10-09|import|Staff register import",
			"jack.evans@brightwaterhomecare.co.uk|Data Security Awareness Level 1|2025-01-15|import|Staff register import",
			"sean.murphy@brightwaterhomecare.co.uk|Data Security Awareness Level 1|2026-11-02|import|Staff register import",
		}},
		{"training-matrix-1252.csv", []string{
			"Zoë Ward||Nurse|2018-09-03|-",
			"Siobhán O’Neill||Care assistant|2025-03-12|-",
			"Rhys Price||Care assistant|2020-07-01|2026-10-31",
			"Nadia Khan||Director|2014-01-06|-",
		}, []string{
			"Zoë Ward|Information governance e-learning|2026-02-03|import|Staff register import",
			"Siobhán O’Neill|Induction: data protection and cyber security|2025-03-12|import|Staff register import",
			"Rhys Price|Information governance e-learning|2026-06-14|import|Staff register import",
		}},
	} {
		t.Run(c.file, func(t *testing.T) {
			staff, records := parseFile(t, c.file)
			var gotStaff, gotRecords []string
			for _, m := range staff {
				if m.OrgID != "org-1" || m.ID != "" {
					t.Errorf("%s: org %q id %q", m.Name, m.OrgID, m.ID)
				}
				gotStaff = append(gotStaff, describeStaff(m))
			}
			for _, r := range records {
				if r.OrgID != "org-1" || r.ID != "" {
					t.Errorf("%s: org %q id %q", r.StaffID, r.OrgID, r.ID)
				}
				gotRecords = append(gotRecords, describeRecord(r))
			}
			if d := cmp.Diff(c.staff, gotStaff); d != "" {
				t.Errorf("staff (-want +got):\n%s", d)
			}
			if d := cmp.Diff(c.records, gotRecords); d != "" {
				t.Errorf("records (-want +got):\n%s", d)
			}
		})
	}
}

func TestParseHeaders(t *testing.T) {
	for _, c := range []struct {
		name, csv string
		want      []string
		course    string
	}{
		{"lower case and underscores", "staff_name,job_title,date_started,training_completed\nJo Bloggs,Carer,01/02/2020,03/04/2026\n",
			[]string{"Jo Bloggs||Carer|2020-02-01|-"}, DefaultCourse},
		{"upper case", "FULL NAME,E-MAIL,POSITION,START DATE,END DATE,COMPLETION DATE,COURSE NAME\nJo Bloggs,JO@EXAMPLE.CO.UK,Cook,01/02/2020,,03/04/2026,Cyber basics\n",
			[]string{"Jo Bloggs|JO@EXAMPLE.CO.UK|Cook|2020-02-01|-"}, "Cyber basics"},
		{"first name and surname", "Forename,Surname\nJo,Bloggs\n,Cher\n", []string{"Jo Bloggs|||-|-", "Cher|||-|-"}, ""},
		{"name falls back to first and last", "Name,First name,Last name\n,Jo,Bloggs\nSam Lee,Samuel,Lee\n", []string{"Jo Bloggs|||-|-", "Sam Lee|||-|-"}, ""},
		{"course from the column name", "Employee,Data security training date\nJo Bloggs,3 April 2026\n", []string{"Jo Bloggs|||-|-"}, "Data security training"},
		{"semicolons and sep line", "sep=;\nName;Role\nJo Bloggs;Carer\n", []string{"Jo Bloggs||Carer|-|-"}, ""},
		{"blank cells mean nothing", "Name,Email,Leaving date,Training completed\nJo Bloggs,n/a,-,Not done\n", []string{"Jo Bloggs|||-|-"}, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			staff, records, err := Parse(strings.NewReader(c.csv), "org-1")
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, m := range staff {
				got = append(got, describeStaff(m))
			}
			if d := cmp.Diff(c.want, got); d != "" {
				t.Errorf("staff (-want +got):\n%s", d)
			}
			if c.course == "" {
				if len(records) != 0 {
					t.Errorf("records %v", records)
				}
				return
			}
			if len(records) != 1 || records[0].Course != c.course {
				t.Errorf("records %+v, want one of course %q", records, c.course)
			}
		})
	}
}

// Every bad row is reported with its line and its column, and nothing is
// imported.
func TestParseErrors(t *testing.T) {
	const head = "Staff name,Email,Date started,Leaving date,Training completed\n"
	for _, c := range []struct {
		name, csv, msg string
	}{
		{"empty", "", "the file is empty"},
		{"header only", head, "the file has a header row but nobody in it"},
		{"no name column", "Role,Email\nCarer,jo@example.co.uk\n", `the file has no column for people's names. Its first columns are "Role", "Email"`},
		{"two name columns", "Name,Name\nJo,Jo\n", `the header row has two columns called "Name"`},
		{"empty name", head + "Jo Bloggs,,,,\n,sam@example.co.uk,,,\n", `line 3: "Staff name" is empty: every person needs a name`},
		{"email as name", head + "jo@example.co.uk,,,,\n", `line 2: "Staff name" is "jo@example.co.uk": expected a person's name, not an email address`},
		{"email as first name", "First name,Surname\nJo,Bloggs\njo@example.co.uk,\n", `line 3: "First name" is "jo@example.co.uk": expected a person's name`},
		{"bad email", head + "Jo Bloggs,jo at example,,,\n", `line 2: "Email" is "jo at example": expected an email address`},
		{"US date", head + "Jo Bloggs,,01/02/2020,,\nSam Lee,,03/31/2026,,\n", `line 3: "Date started" is "03/31/2026": this reads month first, as US dates are written`},
		{"US text date", head + "Jo Bloggs,,\"March 31, 2026\",,\n", `line 2: "Date started" is "March 31, 2026": this reads month first`},
		{"two-digit year", head + "Jo Bloggs,,,31/03/26,\n", `line 2: "Leaving date" is "31/03/26": the year has two digits`},
		{"spreadsheet number", head + "Jo Bloggs,,,,46112\n", `line 2: "Training completed" is "46112": this is a spreadsheet's number for a date`},
		{"no such date", head + "Jo Bloggs,,31/02/2026,,\n", `line 2: "Date started" is "31/02/2026": there is no such date`},
		{"words", head + "Jo Bloggs,,last spring,,\n", `line 2: "Date started" is "last spring": expected a date such as 31/03/2026`},
		{"unlikely year", head + "Jo Bloggs,,01/01/1850,,\n", `line 2: "Date started" is "01/01/1850": this is not a likely date`},
		{"left before started", head + "Jo Bloggs,,01/06/2024,01/05/2024,\n", `line 2: "Leaving date" is 1 May 2024, before "Date started", 1 Jun 2024`},
		{"training in the future", head + "Jo Bloggs,,,,02/12/2026\n", `line 2: "Training completed" is 2 Dec 2026, which has not come yet`},
		{"email twice", head + "Jo Bloggs,jo@example.co.uk,,,\nJoanne Bloggs,JO@example.co.uk,,,\n", "lines 2 and 3: the email address JO@example.co.uk appears twice"},
		{"name twice without email", head + "Jo Bloggs,jo@example.co.uk,,,\njo  bloggs,,,,\n", "lines 2 and 3: jo bloggs appears twice, and Handwash cannot tell the two apart"},
		{"columns shifted", head + "Jo Bloggs,,01/02/2020,,,,extra\n", "line 2 has 7 columns but the header row has 5"},
		{"bad CSV", head + "\"Jo Bloggs,,,,\n", "the file is not valid CSV"},
	} {
		t.Run(c.name, func(t *testing.T) {
			staff, records, err := Parse(strings.NewReader(c.csv), "org-1")
			if staff != nil || records != nil {
				t.Errorf("returned %d staff and %d records with an error", len(staff), len(records))
			}
			var he *handwash.Error
			if !errors.As(err, &he) || he.Code != handwash.EINVALID {
				t.Fatalf("error %v (%T), want an EINVALID *handwash.Error", err, err)
			}
			if !strings.Contains(err.Error(), c.msg) {
				t.Errorf("error %q\nwant it to contain %q", err, c.msg)
			}
		})
	}
}

func TestParseTooLarge(t *testing.T) {
	big := "Name\n" + strings.Repeat("Jo Bloggs\n", MaxBytes/10+1)
	_, _, err := Parse(strings.NewReader(big), "org-1")
	if handwash.ErrorCode(err) != handwash.ETOOLARGE {
		t.Errorf("error %v, want too large", err)
	}
	var b strings.Builder
	b.WriteString("Name\n")
	for i := range MaxRows + 1 {
		fmt.Fprintf(&b, "P%d\n", i)
	}
	_, _, err = Parse(strings.NewReader(b.String()), "org-1")
	if handwash.ErrorCode(err) != handwash.ETOOLARGE || !strings.Contains(err.Error(), "rows") {
		t.Errorf("error %v, want too many rows", err)
	}
}

func TestParseDate(t *testing.T) {
	for _, c := range []struct {
		in, want, problem string
	}{
		{"31/03/2026", "2026-03-31", ""},
		{"1/4/2026", "2026-04-01", ""},
		{"01/02/2026", "2026-02-01", ""}, // day first, as in the UK
		{"12/11/2026", "2026-11-12", ""},
		{"31-03-2026", "2026-03-31", ""},
		{"31.03.2026", "2026-03-31", ""},
		{"2026-03-31", "2026-03-31", ""},
		{"2026/03/31", "2026-03-31", ""},
		{"2026-03-31T00:00:00", "2026-03-31", ""},
		{"31/03/2026 00:00", "2026-03-31", ""},
		{"31/03/2026 14:05:09", "2026-03-31", ""},
		{"31 March 2026", "2026-03-31", ""},
		{"31 Mar 2026", "2026-03-31", ""},
		{"31 mar 2026", "2026-03-31", ""},
		{"31-Mar-2026", "2026-03-31", ""},
		{"1 Sept 2026", "2026-09-01", ""},
		{"31st March 2026", "2026-03-31", ""},
		{"2nd May 2026", "2026-05-02", ""},
		{"Tuesday 31 March 2026", "2026-03-31", ""},
		{"Tue, 31 Mar 2026", "2026-03-31", ""},
		{"  31   March  2026 ", "2026-03-31", ""},
		{"29/02/2028", "2028-02-29", ""},
		{"03/31/2026", "", "this reads month first"},
		{"3/13/2026", "", "this reads month first"},
		{"March 31, 2026", "", "this reads month first"},
		{"Mar 31 2026", "", "this reads month first"},
		{"31/03/26", "", "the year has two digits"},
		{"31-Mar-26", "", "the year has two digits"},
		{"46112", "", "a spreadsheet's number for a date"},
		{"31/02/2026", "", "there is no such date"},
		{"29/02/2026", "", "there is no such date"},
		{"13/13/2026", "", "there is no such date"},
		{"2026-13-01", "", "there is no such date"},
		{"31/03-2026", "", dateExpected},
		{"31/03/20266", "", dateExpected},
		{"March 2026", "", dateExpected},
		{"yesterday", "", dateExpected},
		{"31 Marchember 2026", "", dateExpected},
		{"3/31/2026 2:05 PM", "", dateExpected},
	} {
		got, problem := parseDate(c.in)
		if c.problem != "" {
			if !strings.Contains(problem, c.problem) {
				t.Errorf("parseDate(%q) = %v, %q; want a problem with %q", c.in, got, problem, c.problem)
			}
			continue
		}
		if problem != "" || got.Format(time.DateOnly) != c.want || got.Location() != time.UTC || got.Hour() != 0 {
			t.Errorf("parseDate(%q) = %v, %q; want %s", c.in, got, problem, c.want)
		}
	}
}

func TestLink(t *testing.T) {
	p := parseFileT(t, "spreadsheet-register.csv")
	records := p.records
	ptrs, linked := stored(t, p)
	byID := map[string]*handwash.StaffMember{}
	for _, m := range ptrs {
		byID[m.ID] = m
	}
	for i, r := range linked {
		m := byID[r.StaffID]
		if m == nil || staffKey(*m) != records[i].StaffID {
			t.Errorf("record %d (%s) linked to %v", i, records[i].StaffID, m)
		}
	}
	// The store lower-cases emails and may hold the name with other
	// capitals.
	one := []handwash.TrainingRecord{{StaffID: "Kim Hart"}, {StaffID: "dee.clarke@rosecourtcare.co.uk"}}
	got, err := Link(one, []*handwash.StaffMember{{ID: "a", Name: "KIM  HART"}, {ID: "b", Name: "Dee Clarke", Email: "Dee.Clarke@RoseCourtCare.co.uk"}})
	if err != nil || got[0].StaffID != "a" || got[1].StaffID != "b" {
		t.Errorf("got %+v, %v", got, err)
	}
	if one[0].StaffID != "Kim Hart" {
		t.Error("Link changed its argument")
	}
	for _, c := range []struct {
		stored []*handwash.StaffMember
		msg    string
	}{
		{nil, "Kim Hart has a training record but is not on the staff register"},
		{[]*handwash.StaffMember{{ID: "a", Name: "Kim Hart"}, {ID: "b", Name: "kim hart", Email: "k@example.co.uk"}}, "2 people on the staff register are called Kim Hart"},
	} {
		got, err := Link(one[:1], c.stored)
		if got != nil || err == nil || !strings.Contains(err.Error(), c.msg) {
			t.Errorf("got %v, %v; want %q", got, err, c.msg)
		}
	}
}
