package handwash

import "context"

// ControlCount is how many of an organisation's devices fail one control.
type ControlCount struct {
	ControlID string `json:"control_id"`
	Devices   int    `json:"devices"`
}

// SummaryService answers the dashboard's questions about many devices at
// once, counted in the store rather than by listing every finding.
type SummaryService interface {
	// FailureCounts counts, for each control failing on at least one device
	// of an organisation, the devices that fail it.
	FailureCounts(ctx context.Context, scope Scope, orgID string) ([]ControlCount, error)
}
