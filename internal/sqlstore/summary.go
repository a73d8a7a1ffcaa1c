package sqlstore

import (
	"context"

	"github.com/handwash/handwash"
)

// FailureCounts counts, per control, the organisation's devices failing it,
// from the counts kept up to date as assessments are stored (org_failures).
func (s *Store) FailureCounts(ctx context.Context, scope handwash.Scope, orgID string) ([]handwash.ControlCount, error) {
	if orgID == "" {
		return nil, invalid("organisation ID is empty")
	}
	if _, err := s.Org(ctx, scope, orgID); err != nil {
		return nil, err
	}
	return list(ctx, s, "count failures", func(r scanner) (handwash.ControlCount, error) {
		var c handwash.ControlCount
		return c, r.Scan(&c.ControlID, &c.Devices)
	}, `SELECT control_id, devices FROM org_failures WHERE org_id = $1 AND devices > 0 ORDER BY control_id`, orgID)
}
