package sqlstore

import (
	"context"
	"time"

	"github.com/handwash/handwash"
)

// FailureCounts counts, per control, the organisation's devices failing it,
// from the counts kept up to date as assessments are stored (org_failures).
func (s *Store) FailureCounts(ctx context.Context, scope handwash.Scope, orgID string) ([]handwash.ControlCount, error) {
	if err := s.orgInScope(ctx, s.read, scope, orgID); err != nil {
		return nil, err
	}
	return list(ctx, s, "count failures", func(r scanner) (handwash.ControlCount, error) {
		var c handwash.ControlCount
		return c, r.Scan(&c.ControlID, &c.Devices)
	}, `SELECT control_id, devices FROM org_failures WHERE org_id = $1 AND devices > 0 ORDER BY control_id`, orgID)
}

// OrgScoreHistory lists an organisation's overall score at the end of each
// day since since, oldest first.
func (s *Store) OrgScoreHistory(ctx context.Context, scope handwash.Scope, orgID string, since time.Time) ([]handwash.OrgScorePoint, error) {
	if err := s.orgInScope(ctx, s.read, scope, orgID); err != nil {
		return nil, err
	}
	return list(ctx, s, "list organisation scores", func(r scanner) (handwash.OrgScorePoint, error) {
		var p handwash.OrgScorePoint
		var day string
		if err := r.Scan(&day, &p.Value, &p.Devices); err != nil {
			return p, err
		}
		var err error
		p.Day, err = time.Parse(dayFormat, day)
		return p, err
	}, `SELECT day, value, devices FROM org_score_history WHERE org_id = $1 AND day >= $2 ORDER BY day`, orgID, since.UTC().Format(dayFormat))
}
