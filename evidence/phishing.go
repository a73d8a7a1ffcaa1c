package evidence

import (
	"fmt"
	"slices"

	"github.com/handwash/handwash"
)

// maxPhishMonths is how many months the phishing table covers: the newest
// of those the Report gives.
const maxPhishMonths = 12

// PhishRow is one month's phishing reports as the report lists them.
type PhishRow struct {
	Month                         string // "November 2026"
	Reports, Phishing, Suspicious int
}

// phishRows lists the newest maxPhishMonths months oldest first, and their
// totals.
func phishRows(months []handwash.PhishMonth) ([]PhishRow, PhishRow) {
	sorted := slices.Clone(months)
	slices.SortStableFunc(sorted, func(a, b handwash.PhishMonth) int { return a.Month.Compare(b.Month) })
	if len(sorted) > maxPhishMonths {
		sorted = sorted[len(sorted)-maxPhishMonths:]
	}
	var rows []PhishRow
	total := PhishRow{Month: "Total"}
	for _, m := range sorted {
		rows = append(rows, PhishRow{Month: m.Month.UTC().Format("January 2006"), Reports: m.Reports, Phishing: m.Phishing, Suspicious: m.Suspicious})
		total.Reports += m.Reports
		total.Phishing += m.Phishing
		total.Suspicious += m.Suspicious
	}
	return rows, total
}

// PhishIntro says why the phishing section is there.
func (d *Document) PhishIntro() string {
	return "Most attacks on care providers start with an email. The NCSC asks organisations to make it easy for staff to report a suspicious email, without blame, so that one person's report protects everyone. Handwash checks each email reported to it and counts the reports each month. A month without reports usually means staff do not know how to report, not that no phishing arrived."
}

// PhishSummary says what the months add up to.
func (d *Document) PhishSummary() string {
	n := len(d.PhishMonths)
	if n == 0 {
		return "No phishing reports have been counted for this organisation."
	}
	period := fmt.Sprintf("the last %d months", n)
	if n == 1 {
		period = "the last month"
	}
	t := d.PhishTotal
	if t.Reports == 0 {
		return "No email was reported in " + period + "."
	}
	s := fmt.Sprintf("In %s, staff reported %s: %d likely phishing and %d suspicious.", period, plural(t.Reports, "email", "emails"), t.Phishing, t.Suspicious)
	quiet := 0
	for _, m := range d.PhishMonths {
		if m.Reports == 0 {
			quiet++
		}
	}
	switch quiet {
	case 0:
	case 1:
		s += fmt.Sprintf(" No email was reported in 1 of the %d months.", n)
	default:
		s += fmt.Sprintf(" No email was reported in %d of the %d months.", quiet, n)
	}
	return s
}
