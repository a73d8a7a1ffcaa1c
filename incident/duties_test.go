package incident

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/handwash/handwash"
)

// summary writes duties compactly: id, then r (required), d (done), o
// (overdue) or -, and the deadline in UTC.
func summary(ds []Duty) string {
	var s []string
	for _, d := range ds {
		flag := func(b bool, c string) string {
			if b {
				return c
			}
			return "-"
		}
		due := "none"
		if d.Due != nil {
			due = d.Due.UTC().Format("2006-01-02T15:04Z")
		}
		s = append(s, fmt.Sprintf("%s %s%s%s %s", d.ID, flag(d.Required, "r"), flag(d.Done, "d"), flag(d.Overdue, "o"), due))
	}
	return strings.Join(s, ", ")
}

func TestDuties(t *testing.T) {
	found := utc(2026, 11, 27, 18, 10)
	base := handwash.Incident{Title: "t", What: "w", OccurredAt: found, DiscoveredAt: found}
	with := func(change func(in *handwash.Incident)) handwash.Incident {
		in := base
		change(&in)
		return in
	}
	const due = "2026-11-30T18:10Z"
	for _, c := range []struct {
		name string
		in   handwash.Incident
		now  time.Time
		want string
	}{
		{"near miss", with(func(in *handwash.Incident) { in.NearMiss = true }), testNow,
			"ico --- none, dspt --- none, action-fraud --- none, lessons --- none"},
		{"near miss with lessons", with(func(in *handwash.Incident) { in.NearMiss, in.Lessons = true, "Check the address." }), testNow,
			"ico --- none, dspt --- none, action-fraud --- none, lessons -d- none"},
		{"incident with nothing to report", base, testNow,
			"ico --- none, dspt --- none, action-fraud --- none, lessons --- none"},
		{"personal data", with(func(in *handwash.Incident) { in.PersonalData = true }), testNow,
			"ico r-- " + due + ", dspt r-- " + due + ", action-fraud --- none"},
		{"personal data in a near miss", with(func(in *handwash.Incident) { in.NearMiss, in.PersonalData = true, true }), testNow,
			"ico r-- " + due + ", dspt r-- " + due + ", action-fraud --- none"},
		{"fraud", with(func(in *handwash.Incident) { in.Fraud = true }), testNow.AddDate(1, 0, 0),
			"ico --- none, dspt r-- none, action-fraud r-- none"},
		{"personal data and fraud", with(func(in *handwash.Incident) { in.PersonalData, in.Fraud = true, true }), testNow,
			"ico r-- " + due + ", dspt r-- " + due + ", action-fraud r-- none"},
		{"all reported", with(func(in *handwash.Incident) {
			in.PersonalData, in.Fraud = true, true
			in.ICOReportedOn, in.DSPTReportedOn, in.ActionFraudReportedOn = day(2026, 11, 28), day(2026, 11, 28), day(2026, 11, 29)
		}), testNow.AddDate(0, 0, 10),
			"ico rd- " + due + ", dspt rd- " + due + ", action-fraud rd- none"},
		{"reported though not needed", with(func(in *handwash.Incident) { in.ICOReportedOn = day(2026, 11, 28) }), testNow,
			"ico -d- none, dspt --- none, action-fraud --- none, lessons --- none"},
		// The 72 hours: due at 18:10 on 30 November.
		{"a minute before the deadline", with(func(in *handwash.Incident) { in.PersonalData = true }), utc(2026, 11, 30, 18, 9),
			"ico r-- " + due + ", dspt r-- " + due + ", action-fraud --- none"},
		{"at the deadline", with(func(in *handwash.Incident) { in.PersonalData = true }), utc(2026, 11, 30, 18, 10),
			"ico r-- " + due + ", dspt r-- " + due + ", action-fraud --- none"},
		{"a second after the deadline", with(func(in *handwash.Incident) { in.PersonalData = true }), utc(2026, 11, 30, 18, 10).Add(time.Second),
			"ico r-o " + due + ", dspt r-o " + due + ", action-fraud --- none"},
		{"ICO told, DSPT not", with(func(in *handwash.Incident) { in.PersonalData, in.ICOReportedOn = true, day(2026, 11, 30) }), utc(2026, 12, 1, 0, 0),
			"ico rd- " + due + ", dspt r-o " + due + ", action-fraud --- none"},
		{"closed without a report", with(func(in *handwash.Incident) { in.PersonalData, in.ClosedOn = true, day(2026, 11, 29) }), testNow.AddDate(0, 1, 0),
			"ico r-- " + due + ", dspt r-- " + due + ", action-fraud --- none"},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := summary(Duties(c.in, c.now)); got != c.want {
				t.Errorf("got  %s\nwant %s", got, c.want)
			}
		})
	}
}

// The 72 hours are hours, whatever the clocks do, and the deadline is
// given in UK time.
func TestDutiesClockChange(t *testing.T) {
	for _, c := range []struct {
		name, discovered, wantDue, wantText string
	}{
		// Saturday 10:00 GMT + 72 hours is Tuesday 10:00 UTC, which is
		// 11:00 BST: the clocks went forward on the Sunday.
		{"spring", "2026-03-28T10:00", "2026-03-31T10:00Z", "by 11:00 on Tuesday 31 March 2026 (UK time)"},
		// Saturday 09:30 BST + 72 hours is Tuesday 08:30 UTC, 08:30 GMT.
		{"autumn", "2026-10-24T09:30", "2026-10-27T08:30Z", "by 08:30 on Tuesday 27 October 2026 (UK time)"},
		// No change: 72 hours is the same time three days later.
		{"summer", "2026-07-04T09:30", "2026-07-07T08:30Z", "by 09:30 on Tuesday 7 July 2026 (UK time)"},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := form()
			f["occurred_at"], f["discovered_at"], f["ico_reported_on"], f["dspt_reported_on"] = c.discovered, c.discovered, "", ""
			in, err := ParseForm(f, testNow)
			if err != nil {
				t.Fatal(err)
			}
			ds := Duties(in, testNow)
			if got := ds[0].Due.UTC().Format("2006-01-02T15:04Z"); got != c.wantDue {
				t.Errorf("due %s, want %s", got, c.wantDue)
			}
			for _, d := range ds[:2] {
				if !strings.Contains(d.What, c.wantText) {
					t.Errorf("%s: %q\ndoes not say %q", d.ID, d.What, c.wantText)
				}
			}
			due := *ds[0].Due
			if Duties(in, due)[0].Overdue || !Duties(in, due.Add(time.Nanosecond))[0].Overdue {
				t.Errorf("not overdue exactly after %v", due)
			}
		})
	}
}

func TestDutiesText(t *testing.T) {
	in := handwash.Incident{DiscoveredAt: testNow, OccurredAt: testNow, PersonalData: true, Fraud: true}
	ds := Duties(in, testNow)
	bodies := []string{ds[0].Body, ds[1].Body, ds[2].Body}
	if d := cmp.Diff([]string{"ICO", "DSPT incident reporting tool", "Report Fraud (formerly Action Fraud)"}, bodies); d != "" {
		t.Errorf("bodies (-want +got):\n%s", d)
	}
	for _, c := range []struct {
		duty Duty
		want []string
	}{
		{ds[0], []string{"72 hours", "unless it is unlikely to result in a risk to people's rights and freedoms", "Article 33", "https://ico.org.uk/", "0303 123 1113", "why it is late"}},
		{ds[1], []string{"https://www.dsptoolkit.nhs.uk", "incident reporting tool", "by 09:00 on Thursday 3 December 2026"}},
		{ds[2], []string{"0300 123 2040", "press 9", "Report Fraud", "Police Scotland on 101"}},
	} {
		for _, w := range c.want {
			if !strings.Contains(c.duty.What, w) {
				t.Errorf("%s: %q\ndoes not say %q", c.duty.ID, c.duty.What, w)
			}
		}
	}
	near := Duties(handwash.Incident{NearMiss: true, DiscoveredAt: testNow}, testNow)
	if len(near) != 4 || near[3].ID != DutyLessons || !strings.Contains(near[3].What, "near miss") {
		t.Errorf("near miss: %+v", near)
	}
	for _, d := range near[:3] {
		if d.Required || !strings.HasPrefix(d.What, "Not needed") {
			t.Errorf("near miss: %s required %v: %q", d.ID, d.Required, d.What)
		}
	}
}
