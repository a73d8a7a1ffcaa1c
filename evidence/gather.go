package evidence

import (
	"context"
	"time"

	"github.com/handwash/handwash"
)

// PhishMonthsShown is how many months of phishing reports the report and
// the dashboard's reporting table cover: this one and the 11 before.
const PhishMonthsShown = 12

// MonthsBefore is the first day of the month n months before now's, UTC.
func MonthsBefore(now time.Time, n int) time.Time {
	now = now.UTC()
	return time.Date(now.Year(), now.Month()-time.Month(n), 1, 0, 0, 0, 0, time.UTC)
}

// Gather fills in from the store what the report of organisation o shows
// (its provider's name, scores, devices and their findings, exceptions,
// alerts, backup jobs, phishing months, cloud accounts, phones, staff
// training and incidents) as of
// rep.GeneratedAt, which must be set. The dashboard's report and
// handwash assess report --org both gather through it.
func Gather(ctx context.Context, s handwash.Store, scope handwash.Scope, o *handwash.Org, rep *Report) error {
	rep.Org = *o
	if ps, err := s.Providers(ctx); err == nil {
		for _, p := range ps {
			if p.ID == o.ProviderID {
				rep.ProviderName = p.Name
			}
		}
	}
	scores, err := s.OrgScores(ctx, scope, o.ID)
	if err != nil {
		return err
	}
	rep.Scores = *scores
	if rep.Devices, _, err = s.Devices(ctx, scope, handwash.DeviceFilter{OrgID: o.ID}); err != nil {
		return err
	}
	if rep.Findings, _, err = s.Findings(ctx, scope, handwash.FindingFilter{OrgID: o.ID}); err != nil {
		return err
	}
	if rep.Exceptions, err = s.Exceptions(ctx, scope, o.ID); err != nil {
		return err
	}
	// The newest alerts, open or closed.
	if rep.Alerts, err = s.Alerts(ctx, scope, handwash.AlertFilter{OrgID: o.ID}); err != nil {
		return err
	}
	// The backup jobs as they stand now, and the phishing reports of the
	// last 12 months, this one included.
	if rep.BackupJobs, err = s.BackupJobs(ctx, scope, o.ID); err != nil {
		return err
	}
	now := rep.GeneratedAt
	if rep.PhishMonths, err = s.PhishMonths(ctx, scope, o.ID, MonthsBefore(now, PhishMonthsShown-1), now); err != nil {
		return err
	}
	if rep.CloudAccounts, rep.CloudImports, err = s.CloudAccounts(ctx, scope, o.ID); err != nil {
		return err
	}
	if rep.MobileDevices, err = s.MobileDevices(ctx, scope, o.ID); err != nil {
		return err
	}
	if rep.Staff, err = s.Staff(ctx, scope, o.ID); err != nil {
		return err
	}
	if rep.Training, err = s.Training(ctx, scope, o.ID); err != nil {
		return err
	}
	rep.Incidents, err = s.Incidents(ctx, scope, o.ID)
	return err
}
