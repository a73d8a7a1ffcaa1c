package sqlstore

import (
	"context"

	"github.com/handwash/handwash"
)

// FailureCounts counts, per control, the organisation's devices failing it.
func (s *Store) FailureCounts(ctx context.Context, scope handwash.Scope, orgID string) ([]handwash.ControlCount, error) {
	if orgID == "" {
		return nil, invalid("organisation ID is empty")
	}
	if _, err := s.Org(ctx, scope, orgID); err != nil {
		return nil, err
	}
	var q query
	q.scoped(scope, "d")
	q.where("d.org_id = ?", orgID)
	q.where("f.status = ?", string(handwash.StatusFail))
	return list(ctx, s, "count failures", func(r scanner) (handwash.ControlCount, error) {
		var c handwash.ControlCount
		return c, r.Scan(&c.ControlID, &c.Devices)
	}, `SELECT f.control_id, COUNT(*) FROM findings f JOIN devices d ON d.id = f.device_id`+
		q.clause()+` GROUP BY f.control_id ORDER BY f.control_id`, q.args...)
}
