package evidence

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/handwash/handwash"
)

// restoreControl is the check whose findings say when a device last
// restored from a backup in a test (handwash backup verify). The catalogue
// may not have it: without findings the report says no test is recorded.
const restoreControl = "backup.restore-tested"

// BackupRow is one backup job as the report lists it, as it stood when
// the report was made.
type BackupRow struct {
	Name string
	// Every says how often it should succeed ("1 day"); Late how late it
	// may be ("may run 2 hours late"), empty when it may not be late.
	Every string
	Late  string
	// LastSuccess is when it last succeeded, or "Never".
	LastSuccess string
	// State is "working", "FAILED", "OVERDUE" or "waiting for its first
	// report"; Failing is true for FAILED and OVERDUE.
	State   string
	Failing bool
	// Detail says more when it is not working: when it was due, and what
	// its newest failure said.
	Detail string
}

// RestoreRow is one device's newest restore test, from its finding of
// restoreControl.
type RestoreRow struct {
	Device string
	// Result is the finding's status in words ("Passed", "Failed");
	// Failing is true when it failed.
	Result  string
	Failing bool
	// Summary is what the finding says was found.
	Summary string
}

// backupRows lists the backup jobs by name with where each stood at at,
// and counts those failing or overdue.
func backupRows(jobs []*handwash.BackupJob, at time.Time) ([]BackupRow, int) {
	var list []*handwash.BackupJob
	for _, j := range jobs {
		if j != nil {
			list = append(list, j)
		}
	}
	slices.SortStableFunc(list, func(a, b *handwash.BackupJob) int {
		return cmp.Or(cmp.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name)), cmp.Compare(a.ID, b.ID))
	})
	var out []BackupRow
	failing := 0
	for _, j := range list {
		row := BackupRow{
			Name:        orDefault(clip(j.Name, maxName), "Unnamed backup job"),
			Every:       "Not set",
			LastSuccess: "Never",
		}
		if j.Every > 0 {
			row.Every = handwash.DurationWords(j.Every)
		}
		if j.Grace > 0 {
			row.Late = "may run " + handwash.DurationWords(j.Grace) + " late"
		}
		if j.LastSuccessAt != nil {
			row.LastSuccess = when(*j.LastSuccessAt)
		}
		state := j.State(at)
		var detail []string
		switch state {
		case handwash.BackupOK:
			row.State = "working"
		case handwash.BackupFailed:
			row.State, row.Failing = "FAILED", true
		case handwash.BackupOverdue:
			row.State, row.Failing = "OVERDUE", true
			detail = append(detail, "It should have succeeded by "+when(j.DueBy())+".")
		default:
			row.State = "waiting for its first report"
			detail = append(detail, "It should report its first success by "+when(j.DueBy())+".")
		}
		// A failure newer than any success is worth saying, whether the job
		// then carried on failing or stopped reporting.
		if row.Failing && j.LastFailureAt != nil && (j.LastSuccessAt == nil || j.LastFailureAt.After(*j.LastSuccessAt)) {
			detail = append(detail, "Its newest report was a failure, on "+when(*j.LastFailureAt)+".")
			if msg := clip(strings.Join(strings.Fields(j.LastMessage), " "), maxText); msg != "" {
				detail = append(detail, "It said: “"+msg+"”")
			}
		}
		row.Detail = strings.Join(detail, " ")
		if row.Failing {
			failing++
		}
		out = append(out, row)
	}
	return out, failing
}

// restoreRows lists each enrolled device's finding of restoreControl, in
// the order of devices; the last finding of a device wins, as elsewhere.
// Devices that verify no backup (the control does not apply) are left out.
func restoreRows(findings []*handwash.DeviceFinding, devices []*handwash.Device, names map[string]string) []RestoreRow {
	newest := map[string]*handwash.DeviceFinding{}
	for _, f := range findings {
		if f != nil && f.ControlID == restoreControl && f.Status != handwash.StatusNotApplicable {
			newest[f.DeviceID] = f
		}
	}
	if len(newest) == 0 {
		return nil
	}
	var out []RestoreRow
	for _, dev := range devices {
		f := newest[dev.ID]
		if f == nil {
			continue
		}
		out = append(out, RestoreRow{
			Device:  names[dev.ID],
			Result:  statusWords(f.Status),
			Failing: f.Status == handwash.StatusFail,
			Summary: clip(restoreSummary(f), maxText),
		})
	}
	return out
}

// restoreSummary is what a restore finding says: its summary, or for a
// pass (whose summary is empty) the evidence of when the backups were
// last verified.
func restoreSummary(f *handwash.DeviceFinding) string {
	if f.Summary != "" {
		return f.Summary
	}
	for _, e := range f.Evidence {
		if e.Label == "Last verified" {
			return "Last verified: " + e.Value
		}
	}
	return ""
}

// statusWords says a finding's status as the report's tables do.
func statusWords(s handwash.Status) string {
	switch s {
	case handwash.StatusPass:
		return "Passed"
	case handwash.StatusFail:
		return "Failed"
	case handwash.StatusUnknown:
		return "Could not be checked"
	case handwash.StatusExcepted:
		return "Accepted as an exception"
	case handwash.StatusNotApplicable:
		return "Does not apply"
	}
	return "Unknown"
}

// BackupsIntro says why the backups section is there and how the jobs
// stood.
func (d *Document) BackupsIntro() string {
	s := "A backup that has quietly stopped protects nothing: when a disk fails or ransomware strikes, everything written since the last good backup is lost. The NCSC Small Business Guide asks organisations to make backing up part of everyday business, and the DSPT asks whether backups are routinely tested to make sure data and information can be restored (7.3.4)."
	n := len(d.Backups)
	if n > 0 {
		s += " Each backup job below reports to Handwash whenever it runs, so one that fails or stops is noticed."
	}
	switch {
	case d.FailingBackups == 0:
	case n == 1:
		s += " This job was failing or overdue when this report was made."
	case d.FailingBackups == n:
		s += fmt.Sprintf(" All %d jobs were failing or overdue when this report was made.", n)
	case d.FailingBackups == 1:
		s += fmt.Sprintf(" 1 of the %d jobs was failing or overdue when this report was made.", n)
	default:
		s += fmt.Sprintf(" %d of the %d jobs were failing or overdue when this report was made.", d.FailingBackups, n)
	}
	return s
}
