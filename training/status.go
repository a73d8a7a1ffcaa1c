package training

import (
	"cmp"
	"fmt"
	"github.com/handwash/handwash/internal/english"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/handwash/handwash"
)

// Target is the share of staff, directors, trustees and volunteers, in
// per cent, who must have completed data security training in the last
// twelve months: DSPT 3.2.1, needed for Standards Met.
const Target = 95

// ControlID identifies the finding Summary.Finding gives. It is stable:
// exceptions, scripts and dashboards refer to it.
const ControlID = "people.training-95"

// listMax is how many people a finding names in each list.
const listMax = 10

// nextMax is how many people a finding names as due next.
const nextMax = 5

// Summary is the training of an organisation's staff on one day.
type Summary struct {
	// Today is the UK day the summary is for, at midnight UTC.
	Today time.Time `json:"today"`
	// Registered is how many people the register holds, counted or not.
	Registered int `json:"registered"`
	// Counted is how many count towards the target: started and not left.
	Counted int `json:"counted"`
	// Trained is how many of them completed training in the last twelve
	// months.
	Trained int `json:"trained"`
	// Percent is Trained as a share of Counted, rounded down (so 94.9% is
	// 94), or 0 when nobody counts.
	Percent int `json:"percent"`
	// Met is true when Trained is at least Target% of Counted and someone
	// counts.
	Met bool `json:"met"`
	// Needed is how many more people must be trained to reach Target.
	Needed int `json:"needed"`
	// Left is how many on the register do not count because their leaving
	// date has come.
	Left int `json:"left"`
	// NotStarted is how many do not count because their start date has
	// not come yet.
	NotStarted int `json:"not_started"`
	// Due is everyone who counts, in the order their training falls due:
	// those never trained first (by name), then by the day their training
	// lapses, earliest first. Those overdue come before the rest.
	Due []Person `json:"due"`
	// Overdue is the people in Due who were never trained or whose
	// training has lapsed.
	Overdue []Person `json:"overdue"`
}

// Person is one member of staff who counts, and their training.
type Person struct {
	// Staff is the person, as the register holds them.
	Staff *handwash.StaffMember `json:"staff"`
	// Last is their most recent completion on or before the day, or nil
	// when they have none.
	Last *handwash.TrainingRecord `json:"last,omitempty"`
	// Lapses is the day Last stops counting, twelve months after it was
	// completed (at midnight UTC), or nil when they have never been
	// trained.
	Lapses *time.Time `json:"lapses,omitempty"`
	// Trained is true while Last is within the last twelve months.
	Trained bool `json:"trained"`
}

// Status works out, for the UK day of now, who counts towards the DSPT's
// training target (see the package documentation), who is trained, who is
// due next and who is overdue. Records are matched to people by StaffID;
// records of people not in staff, and completions after today, are
// ignored.
func Status(staff []*handwash.StaffMember, records []handwash.TrainingRecord, now time.Time) Summary {
	today := day(now)
	s := Summary{Today: today}
	last := map[string]*handwash.TrainingRecord{}
	for i := range records {
		r := &records[i]
		if r.CompletedOn.IsZero() || day(r.CompletedOn).After(today) {
			continue
		}
		if p, ok := last[r.StaffID]; !ok || r.CompletedOn.After(p.CompletedOn) {
			last[r.StaffID] = r
		}
	}
	for _, m := range staff {
		if m == nil {
			continue
		}
		s.Registered++
		switch {
		case m.LeftOn != nil && !day(*m.LeftOn).After(today):
			s.Left++
			continue
		case m.StartedOn != nil && day(*m.StartedOn).After(today):
			s.NotStarted++
			continue
		}
		p := Person{Staff: m}
		if r, ok := last[m.ID]; ok && m.ID != "" {
			lapses := day(r.CompletedOn).AddDate(1, 0, 0)
			p.Last, p.Lapses, p.Trained = r, &lapses, today.Before(lapses)
		}
		s.Counted++
		if p.Trained {
			s.Trained++
		} else {
			s.Overdue = append(s.Overdue, p)
		}
		s.Due = append(s.Due, p)
	}
	order := func(a, b Person) int {
		switch {
		case a.Lapses == nil && b.Lapses != nil:
			return -1
		case a.Lapses != nil && b.Lapses == nil:
			return 1
		case a.Lapses != nil:
			if c := a.Lapses.Compare(*b.Lapses); c != 0 {
				return c
			}
		}
		return cmp.Or(strings.Compare(nameKey(a.Staff.Name), nameKey(b.Staff.Name)), strings.Compare(a.Staff.ID, b.Staff.ID))
	}
	slices.SortStableFunc(s.Due, order)
	slices.SortStableFunc(s.Overdue, order)
	if s.Counted > 0 {
		s.Percent = s.Trained * 100 / s.Counted
		s.Met = s.Trained*100 >= Target*s.Counted
		// The fewest trained that reach the target: Target% of Counted,
		// rounded up.
		s.Needed = max(0, (Target*s.Counted+99)/100-s.Trained)
	}
	return s
}

// Title is the title of the finding.
const Title = "At least 95% of staff have completed data security training in the last 12 months"

// Finding judges the summary against the DSPT's target, in the people
// area: pass when at least Target% of those who count are trained, fail
// when fewer are, and unknown when nobody counts. Failed and unknown
// findings carry why the training matters and how to put it right.
func (s Summary) Finding() handwash.Finding {
	f := handwash.Finding{
		ControlID: ControlID,
		Area:      handwash.AreaPeople,
		Severity:  handwash.SeverityMedium,
		Title:     Title,
	}
	if s.Counted == 0 {
		f.Status = handwash.StatusUnknown
		f.Summary = "No staff are recorded yet, so the share trained cannot be worked out."
		detail := "Import your staff register (a CSV file from your spreadsheet or rota system) or add each person by hand, with the date each last completed data security training."
		if s.Registered > 0 {
			f.Summary = fmt.Sprintf("Nobody on the staff register counts today: of the %s on it, %d %s left and %d %s not started yet.",
				people(s.Registered), s.Left, english.HasHave(s.Left), s.NotStarted, english.HasHave(s.NotStarted))
			detail = "Import your current staff register, or add the people working for you now by hand."
		}
		f.Missing = []handwash.Missing{{Fact: "staff_register", Reason: handwash.ReasonNotCollected, Detail: detail}}
		f.Why, f.Fix = whyText, fixText
		return f
	}

	f.Evidence = []handwash.Evidence{
		{Label: "Staff who count", Value: strconv.Itoa(s.Counted)},
		{Label: "Trained in the last 12 months", Value: strconv.Itoa(s.Trained)},
		{Label: "Share trained", Value: strconv.Itoa(s.Percent) + "%"},
		{Label: "DSPT target (3.2.1)", Value: strconv.Itoa(Target) + "%"},
	}
	if s.Left > 0 {
		f.Evidence = append(f.Evidence, handwash.Evidence{Label: "Left, not counted", Value: strconv.Itoa(s.Left)})
	}
	if s.NotStarted > 0 {
		f.Evidence = append(f.Evidence, handwash.Evidence{Label: "Not started yet, not counted", Value: strconv.Itoa(s.NotStarted)})
	}
	for i, p := range s.Overdue {
		if i == listMax {
			f.Evidence = append(f.Evidence, handwash.Evidence{Label: "Also overdue", Value: people(len(s.Overdue) - listMax)})
			break
		}
		f.Evidence = append(f.Evidence, handwash.Evidence{Label: label(p), Value: overdueText(p)})
	}
	next := 0
	for _, p := range s.Due {
		if !p.Trained {
			continue
		}
		if next == nextMax {
			break
		}
		next++
		f.Evidence = append(f.Evidence, handwash.Evidence{Label: label(p), Value: "due: training lapses on " + formatDay(*p.Lapses)})
	}

	share := fmt.Sprintf("%d of %s (%d%%) %s completed data security training in the last 12 months", s.Trained, people(s.Counted), s.Percent, english.HasHave(s.Trained))
	if s.Met {
		f.Status = handwash.StatusPass
		f.Summary = share + ", meeting the DSPT's " + strconv.Itoa(Target) + "%."
		if len(s.Overdue) > 0 {
			f.Summary += " " + overdueSentence(s.Overdue)
		}
		return f
	}
	f.Status = handwash.StatusFail
	more := fmt.Sprintf("%d more people need", s.Needed)
	if s.Needed == 1 {
		more = "1 more person needs"
	}
	f.Summary = fmt.Sprintf("%s; the DSPT asks for at least %d%%, so %s training. %s",
		share, Target, more, overdueSentence(s.Overdue))
	f.Why, f.Fix = whyText, fixText
	return f
}

// label names a person as people know them: "Jo Bloggs (Senior carer)".
func label(p Person) string {
	if p.Staff.Role == "" {
		return p.Staff.Name
	}
	return p.Staff.Name + " (" + p.Staff.Role + ")"
}

func overdueText(p Person) string {
	if p.Last == nil {
		return "overdue: no training recorded"
	}
	return fmt.Sprintf("overdue: training lapsed on %s (%s, completed %s)", formatDay(*p.Lapses), p.Last.Course, formatDay(day(p.Last.CompletedOn)))
}

// overdueSentence says how many of the overdue were never trained and how
// many have lapsed.
func overdueSentence(overdue []Person) string {
	never := 0
	for _, p := range overdue {
		if p.Last == nil {
			never++
		}
	}
	lapsed := len(overdue) - never
	switch {
	case never > 0 && lapsed > 0:
		return fmt.Sprintf("%s no training recorded and %d %s training that has lapsed.", people(never)+" "+english.HasHave(never), lapsed, english.HasHave(lapsed))
	case never > 0:
		return fmt.Sprintf("%s no training recorded.", people(never)+" "+english.HasHave(never))
	case lapsed > 0:
		return fmt.Sprintf("%s training that has lapsed.", people(lapsed)+" "+english.HasHave(lapsed))
	}
	return ""
}

func people(n int) string { return english.Count(n, "person", "people") }
