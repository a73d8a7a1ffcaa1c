package incident

import (
	"errors"
	"maps"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/handwash/handwash"
)

// testNow is when the tests run: 09:00 on Monday 30 November 2026, UK
// time (GMT, the same as UTC).
var testNow = time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)

func utc(y int, m time.Month, d, h, min int) time.Time {
	return time.Date(y, m, d, h, min, 0, 0, time.UTC)
}

func day(y int, m time.Month, d int) *time.Time {
	t := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	return &t
}

// valid is an incident Validate accepts.
func valid() handwash.Incident {
	return handwash.Incident{
		Title:         "Laptop stolen from car",
		What:          "The care coordinator's laptop was taken from her car at the supermarket.\nIt held the visit schedule.",
		OccurredAt:    utc(2026, 11, 27, 17, 30),
		DiscoveredAt:  utc(2026, 11, 27, 18, 10),
		ReportedBy:    "Priya Shah",
		PersonalData:  true,
		Actions:       "Laptop wiped remotely.\tPolice told.",
		ICOReportedOn: day(2026, 11, 28),
		References:    "ICO IC-000001-A1B2",
	}
}

func TestValidate(t *testing.T) {
	in := valid()
	if err := Validate(&in, testNow); err != nil {
		t.Fatalf("valid incident: %v", err)
	}
	for _, c := range []struct {
		name   string
		change func(in *handwash.Incident)
		msg    string
	}{
		{"no title", func(in *handwash.Incident) { in.Title = "  " }, "title: is empty: say in a few words what happened"},
		{"long title", func(in *handwash.Incident) { in.Title = strings.Repeat("é", 201) }, "title: is longer than 200 characters"},
		{"title of 200", func(in *handwash.Incident) { in.Title = strings.Repeat("é", 200) }, ""},
		{"title on two lines", func(in *handwash.Incident) { in.Title = "Laptop\nstolen" }, "title: holds control characters"},
		{"title turned round", func(in *handwash.Incident) { in.Title = "Laptop \u202enelots" }, "title: holds control characters"},
		{"title not text", func(in *handwash.Incident) { in.Title = "\xff" }, "title: is not valid text"},
		{"no what", func(in *handwash.Incident) { in.What = "" }, "what: is empty"},
		{"long what", func(in *handwash.Incident) { in.What = strings.Repeat("a", 10_001) }, "what: is longer than 10000 characters"},
		{"what of 10000", func(in *handwash.Incident) { in.What = strings.Repeat("a", 10_000) }, ""},
		{"what with escape", func(in *handwash.Incident) { in.What = "ok\x1b[2J" }, "what: holds control characters"},
		{"what with an emoji", func(in *handwash.Incident) { in.What = "Sent to the wrong family 👨\u200d👩\u200d👧" }, ""},
		{"long reporter", func(in *handwash.Incident) { in.ReportedBy = strings.Repeat("a", 201) }, "reported_by: is longer than 200 characters"},
		{"reporter on two lines", func(in *handwash.Incident) { in.ReportedBy = "Jo\nBloggs" }, "reported_by: holds control characters"},
		{"long actions", func(in *handwash.Incident) { in.Actions = strings.Repeat("a", 10_001) }, "actions: is longer than 10000 characters"},
		{"long references", func(in *handwash.Incident) { in.References = strings.Repeat("a", 1001) }, "references: is longer than 1000 characters"},
		{"long lessons", func(in *handwash.Incident) { in.Lessons = strings.Repeat("a", 10_001) }, "lessons: is longer than 10000 characters"},
		{"lessons with NUL", func(in *handwash.Incident) { in.Lessons = "a\x00b" }, "lessons: holds control characters"},
		{"no occurred", func(in *handwash.Incident) { in.OccurredAt = time.Time{} }, "occurred_at: is empty: give when it happened"},
		{"no discovered", func(in *handwash.Incident) { in.DiscoveredAt = time.Time{} }, "discovered_at: is empty: give when you found out about it: the ICO's 72 hours start then"},
		{"occurred in 1999", func(in *handwash.Incident) { in.OccurredAt = utc(1999, 12, 31, 12, 0) }, "occurred_at: 12:00 on 31 Dec 1999 is before 2000"},
		{"occurred tomorrow", func(in *handwash.Incident) {
			in.OccurredAt, in.DiscoveredAt, in.ICOReportedOn = utc(2026, 12, 1, 8, 0), utc(2026, 12, 1, 8, 0), nil
		}, ""},
		{"occurred beyond tomorrow", func(in *handwash.Incident) {
			in.OccurredAt, in.DiscoveredAt, in.ICOReportedOn = utc(2026, 12, 1, 9, 1), utc(2026, 12, 1, 9, 1), nil
		}, "occurred_at: 09:01 on 1 Dec 2026 has not happened yet"},
		{"discovered in the future", func(in *handwash.Incident) { in.DiscoveredAt = utc(2027, 1, 1, 9, 0) }, "discovered_at: 09:00 on 1 Jan 2027 has not happened yet"},
		{"discovered before it happened", func(in *handwash.Incident) { in.DiscoveredAt = utc(2026, 11, 27, 17, 0) },
			"discovered_at: 17:00 on 27 Nov 2026 is before it happened, 17:30 on 27 Nov 2026"},
		{"discovered when it happened", func(in *handwash.Incident) { in.DiscoveredAt = in.OccurredAt }, ""},
		{"in UK time", func(in *handwash.Incident) {
			in.OccurredAt, in.DiscoveredAt, in.ICOReportedOn = utc(2026, 7, 1, 13, 0), utc(2026, 7, 1, 12, 0), nil
		}, "discovered_at: 13:00 on 1 Jul 2026 is before it happened, 14:00 on 1 Jul 2026"},
		{"reported before found", func(in *handwash.Incident) { in.ICOReportedOn = day(2026, 11, 26) },
			"ico_reported_on: 26 Nov 2026 is before the day it was discovered, 27 Nov 2026"},
		{"reported the day it was found", func(in *handwash.Incident) { in.ICOReportedOn = day(2026, 11, 27) }, ""},
		{"DSPT report to come", func(in *handwash.Incident) { in.DSPTReportedOn = day(2026, 12, 2) }, "dspt_reported_on: 2 Dec 2026 has not come yet"},
		{"Action Fraud tomorrow", func(in *handwash.Incident) { in.ActionFraudReportedOn = day(2026, 12, 1) }, ""},
		{"Action Fraud before", func(in *handwash.Incident) { in.ActionFraudReportedOn = day(2020, 1, 1) }, "action_fraud_reported_on: 1 Jan 2020 is before the day it was discovered"},
		{"closed before found", func(in *handwash.Incident) { in.ClosedOn = day(2026, 11, 1) }, "closed_on: 1 Nov 2026 is before the day it was discovered"},
		{"closed next year", func(in *handwash.Incident) { in.ClosedOn = day(2027, 1, 1) }, "closed_on: 1 Jan 2027 has not come yet"},
	} {
		t.Run(c.name, func(t *testing.T) {
			in := valid()
			c.change(&in)
			err := Validate(&in, testNow)
			if c.msg == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			var he *handwash.Error
			if !errors.As(err, &he) || he.Code != handwash.EINVALID {
				t.Fatalf("error %v (%T), want an EINVALID *handwash.Error", err, err)
			}
			if !strings.HasPrefix(err.Error(), c.msg) {
				t.Errorf("error %q\nwant it to start %q", err, c.msg)
			}
		})
	}
	if err := Validate(nil, testNow); handwash.ErrorCode(err) != handwash.EINVALID {
		t.Errorf("nil incident: %v", err)
	}
}

func form() map[string]string {
	return map[string]string{
		"near_miss": "no", "title": "  Laptop stolen from car ", "what": "Taken from her car.\r\nIt held the visit schedule.\r\n",
		"occurred_at": "2026-11-27T17:30", "discovered_at": "2026-11-27T18:10", "reported_by": "Priya Shah",
		"personal_data": "yes", "fraud": "No", "actions": "Laptop wiped remotely.", "references": "ICO IC-000001-A1B2",
		"ico_reported_on": "2026-11-28", "dspt_reported_on": "2026-11-28", "action_fraud_reported_on": "",
		"closed_on": "", "lessons": "", "csrf_token": "ignored",
	}
}

func TestParseForm(t *testing.T) {
	got, err := ParseForm(form(), testNow)
	if err != nil {
		t.Fatal(err)
	}
	want := handwash.Incident{
		Title: "Laptop stolen from car", What: "Taken from her car.\nIt held the visit schedule.",
		OccurredAt: utc(2026, 11, 27, 17, 30), DiscoveredAt: utc(2026, 11, 27, 18, 10), ReportedBy: "Priya Shah",
		PersonalData: true, Actions: "Laptop wiped remotely.", References: "ICO IC-000001-A1B2",
		ICOReportedOn: day(2026, 11, 28), DSPTReportedOn: day(2026, 11, 28),
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
	if got.OccurredAt.Location() != time.UTC {
		t.Errorf("times in %v, want UTC", got.OccurredAt.Location())
	}

	// Only what is needed; empty yes/no fields are no.
	got, err = ParseForm(map[string]string{"title": "Phishing email reported", "what": "Nobody clicked.", "occurred_at": "2026-11-30T08:00", "discovered_at": "2026-11-30T08:05", "near_miss": "YES"}, testNow)
	if err != nil || !got.NearMiss || got.PersonalData || got.Fraud || got.ICOReportedOn != nil {
		t.Errorf("minimal: %+v, %v", got, err)
	}
}

// Times are UK time: GMT in winter, BST in summer, and the clocks'
// changes are handled.
func TestParseFormUKTime(t *testing.T) {
	for _, c := range []struct {
		in   string
		want time.Time
		msg  string
	}{
		{"2026-01-15T14:05", utc(2026, 1, 15, 14, 5), ""},
		{"2026-07-01T14:05", utc(2026, 7, 1, 13, 5), ""},
		{"2026-07-01T14:05:30", time.Date(2026, 7, 1, 13, 5, 30, 0, time.UTC), ""},
		// Sunday 29 March 2026: the clocks go forward at 1:00 GMT.
		{"2026-03-29T00:59", utc(2026, 3, 29, 0, 59), ""},
		{"2026-03-29T01:00", time.Time{}, "discovered_at: 2026-03-29T01:00 did not happen in UK time: the clocks went forward"},
		{"2026-03-29T01:59", time.Time{}, "discovered_at: 2026-03-29T01:59 did not happen in UK time"},
		{"2026-03-29T02:00", utc(2026, 3, 29, 1, 0), ""},
		// Sunday 25 October 2026: the clocks go back at 2:00 BST, so 1:00
		// to 1:59 happen twice; the first (BST) is taken.
		{"2026-10-25T00:59", utc(2026, 10, 24, 23, 59), ""},
		{"2026-10-25T01:30", utc(2026, 10, 25, 0, 30), ""},
		{"2026-10-25T02:00", utc(2026, 10, 25, 2, 0), ""},
		{"2026-11-27 18:10", time.Time{}, `discovered_at: "2026-11-27 18:10" is not a date and time: use the form YYYY-MM-DDTHH:MM`},
		{"27/11/2026 18:10", time.Time{}, `discovered_at: "27/11/2026 18:10" is not a date and time`},
		{"2026-11-27T25:00", time.Time{}, `discovered_at: "2026-11-27T25:00" is not a date and time`},
		{"2026-11-27T18:10Z", time.Time{}, `discovered_at: "2026-11-27T18:10Z" is not a date and time`},
	} {
		f := form()
		f["occurred_at"], f["discovered_at"], f["ico_reported_on"], f["dspt_reported_on"] = "2026-01-01T00:00", c.in, "", ""
		got, err := ParseForm(f, testNow)
		if c.msg != "" {
			if err == nil || !strings.HasPrefix(err.Error(), c.msg) {
				t.Errorf("%s: error %v, want %q", c.in, err, c.msg)
			}
			continue
		}
		if err != nil || !got.DiscoveredAt.Equal(c.want) {
			t.Errorf("%s: got %v, %v; want %v", c.in, got.DiscoveredAt, err, c.want)
		}
	}
}

func TestParseFormErrors(t *testing.T) {
	with := func(k, v string) map[string]string {
		m := maps.Clone(form())
		m[k] = v
		return m
	}
	for _, c := range []struct {
		form map[string]string
		msg  string
	}{
		{with("near_miss", "maybe"), `near_miss: "maybe" is not an answer: choose yes or no`},
		{with("personal_data", "unsure"), `personal_data: "unsure" is not an answer: choose yes or no`},
		{with("fraud", "on"), `fraud: "on" is not an answer`},
		{with("title", ""), "title: is empty"},
		{with("title", strings.Repeat("x", 201)), "title: is longer than 200 characters"},
		{with("what", " \r\n "), "what: is empty"},
		{with("occurred_at", ""), "occurred_at: is empty"},
		{with("occurred_at", "yesterday"), `occurred_at: "yesterday" is not a date and time`},
		{with("discovered_at", ""), "discovered_at: is empty"},
		{with("discovered_at", "2026-11-27T17:00"), "discovered_at: 17:00 on 27 Nov 2026 is before it happened"},
		{with("reported_by", "a\tb"), "reported_by: holds control characters"},
		{with("actions", "\x07"), "actions: holds control characters"},
		{with("references", strings.Repeat("x", 1001)), "references: is longer than 1000 characters"},
		{with("ico_reported_on", "28/11/2026"), `ico_reported_on: "28/11/2026" is not a date: use the form YYYY-MM-DD`},
		{with("ico_reported_on", "2026-11-26"), "ico_reported_on: 26 Nov 2026 is before the day it was discovered"},
		{with("dspt_reported_on", "2026-02-30"), `dspt_reported_on: "2026-02-30" is not a date`},
		{with("action_fraud_reported_on", "2027-01-01"), "action_fraud_reported_on: 1 Jan 2027 has not come yet"},
		{with("closed_on", "soon"), `closed_on: "soon" is not a date`},
		{with("lessons", "x\u2066y"), "lessons: holds control characters"},
	} {
		in, err := ParseForm(c.form, testNow)
		var he *handwash.Error
		if !errors.As(err, &he) || he.Code != handwash.EINVALID || !strings.HasPrefix(err.Error(), c.msg) {
			t.Errorf("error %v, want an EINVALID error starting %q", err, c.msg)
		}
		if !cmp.Equal(in, handwash.Incident{}) {
			t.Errorf("returned %+v with an error", in)
		}
	}
}
