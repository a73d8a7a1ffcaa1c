package incident

import (
	"strings"
	"time"

	"github.com/handwash/handwash"
)

// The IDs of the duties Duties returns. They are stable: dashboards refer
// to them.
const (
	DutyICO         = "ico"
	DutyDSPT        = "dspt"
	DutyActionFraud = "action-fraud"
	// DutyLessons is not a duty to anyone outside: it suggests writing
	// down what was learned from an incident nobody needs to be told of.
	DutyLessons = "lessons"
)

// ICODeadline is how long after discovering a personal data breach it
// must be reported to the ICO: UK GDPR Article 33.
const ICODeadline = 72 * time.Hour

// Duty is one report an incident may call for.
type Duty struct {
	// ID is DutyICO, DutyDSPT, DutyActionFraud or DutyLessons.
	ID string `json:"id"`
	// Body is who is told: "ICO", "DSPT incident reporting tool" or
	// "Report Fraud (formerly Action Fraud)"; "Lessons learned" for
	// DutyLessons.
	Body string `json:"body"`
	// Required is true when the incident calls for the report.
	Required bool `json:"required"`
	// Due is when the report must be made by, or nil when no deadline is
	// set.
	Due *time.Time `json:"due,omitempty"`
	// Done is true when the report's date is recorded (for DutyLessons,
	// when lessons are written down).
	Done bool `json:"done"`
	// Overdue is true when the report is required, not done, past Due,
	// and the incident is still open.
	Overdue bool `json:"overdue"`
	// What says, in plain English, when the report applies and how to
	// make it.
	What string `json:"what"`
}

// Duties says whom an incident must be reported to, and by when, at now
// (see the package documentation). It returns the ICO, the DSPT incident
// reporting tool and Action Fraud, in that order, each saying whether it
// is required; when none is, as for a near miss with no personal data and
// no fraud, it adds DutyLessons, a suggestion to write down what was
// learned.
func Duties(in handwash.Incident, now time.Time) []Duty {
	open := in.ClosedOn == nil
	var due *time.Time
	if in.PersonalData && !in.DiscoveredAt.IsZero() {
		d := in.DiscoveredAt.Add(ICODeadline)
		due = &d
	}
	overdue := func(required, done bool, due *time.Time) bool {
		return required && !done && open && due != nil && now.After(*due)
	}

	ico := Duty{ID: DutyICO, Body: "ICO", Required: in.PersonalData, Done: in.ICOReportedOn != nil}
	if ico.Required {
		ico.Due = due
		ico.What = icoText(due)
	} else {
		ico.What = icoNotNeeded
	}
	ico.Overdue = overdue(ico.Required, ico.Done, ico.Due)

	dspt := Duty{ID: DutyDSPT, Body: "DSPT incident reporting tool", Required: in.PersonalData || in.Fraud, Done: in.DSPTReportedOn != nil}
	if dspt.Required {
		dspt.Due = due
		dspt.What = dsptText(due)
	} else {
		dspt.What = dsptNotNeeded
	}
	dspt.Overdue = overdue(dspt.Required, dspt.Done, dspt.Due)

	af := Duty{ID: DutyActionFraud, Body: "Report Fraud (formerly Action Fraud)", Required: in.Fraud, Done: in.ActionFraudReportedOn != nil}
	if af.Required {
		af.What = actionFraudText
	} else {
		af.What = actionFraudNotNeeded
	}

	duties := []Duty{ico, dspt, af}
	if !ico.Required && !dspt.Required && !af.Required {
		what := lessonsText
		if in.NearMiss {
			what = lessonsNearMissText
		}
		duties = append(duties, Duty{ID: DutyLessons, Body: "Lessons learned", Done: strings.TrimSpace(in.Lessons) != "", What: what})
	}
	return duties
}

func icoText(due *time.Time) string {
	when := ""
	if due != nil {
		when = " For this incident that is by " + formatDeadline(*due) + " (UK time)."
	}
	return "A personal data breach must be reported to the Information Commissioner's Office (ICO) within 72 hours of your becoming aware of it, " +
		"unless it is unlikely to result in a risk to people's rights and freedoms (UK GDPR Article 33)." + when + " " +
		"Report it online at https://ico.org.uk/for-organisations/report-a-breach/personal-data-breach/ at any time, or call the ICO's helpline on 0303 123 1113 (Monday to Friday, 9am to 5pm). " +
		"If you do not know everything yet, report what you know now and send the rest later; a report made after 72 hours must say why it is late. " +
		"If you report through the DSPT incident reporting tool and it says the ICO has been told, record the same date here. " +
		"If you decide the breach is unlikely to put anyone at risk and need not be reported, write down why in the actions and close the incident: keep a record of every breach, reported or not. " +
		"When the risk to the people affected is high, tell them too, without delay."
}

const icoNotNeeded = "Not needed: no personal data is recorded as involved. " +
	"If personal data may have been lost, seen by someone who should not have seen it, changed or made unavailable, it is a personal data breach: " +
	"mark it so, and the ICO's 72 hours count from when you found out."

func dsptText(due *time.Time) string {
	when := "There is no set deadline for a cyber incident without personal data: report it as soon as you can."
	if due != nil {
		when = "For a personal data breach, report within the ICO's 72 hours: by " + formatDeadline(*due) + " (UK time)."
	}
	return "Organisations registered on the Data Security and Protection Toolkit (DSPT), as care providers with NHS or council contracts are asked to be, " +
		"report personal data breaches and cyber incidents through its incident reporting tool: sign in at https://www.dsptoolkit.nhs.uk and report the incident there. " +
		"The tool asks questions to judge how serious it is and passes breaches that must be reported on to the ICO. " +
		when + " Keep the reference it gives you in this incident's references."
}

const dsptNotNeeded = "Not needed: no personal data breach or cyber crime is recorded. " +
	"Keep the incident in this log all the same: the DSPT asks for a way to report and learn from incidents and near misses (6.1.1)."

const actionFraudText = "Report fraud and cyber crime, such as ransomware, a hacked email account or a fake invoice that was paid, to the police's national reporting centre on 0300 123 2040. " +
	"Action Fraud was replaced by Report Fraud in December 2025, with the same number; report online at https://www.reportfraud.police.uk. " +
	"If an attack is still happening, call 0300 123 2040 straight away and press 9. " +
	"In Scotland, call Police Scotland on 101 instead. " +
	"If money was paid, call your bank at once as well. There is no set deadline, but the sooner the better: keep the crime reference number in this incident's references."

const actionFraudNotNeeded = "Not needed: no fraud or cyber crime is recorded. " +
	"If money was taken or asked for, or someone hacked, locked or held your systems or data to ransom, mark it as fraud: it should then be reported on 0300 123 2040."

const lessonsText = "Nothing here needs reporting outside your organisation. " +
	"Write down what happened, why, and what you will change, so it does not happen again: the NCSC's Response & Recovery guide ends every incident with learning from it, " +
	"and the DSPT asks for a way to report and learn from incidents and near misses (6.1.1)."

const lessonsNearMissText = "A near miss with no personal data and no fraud needs no report outside your organisation. " +
	"It is a free lesson: write down what nearly happened, what stopped it, and what you will change, and share it with staff, since near misses show where the next real incident will come from. " +
	"The DSPT asks for a way to report and learn from incidents and near misses (6.1.1)."
