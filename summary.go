package handwash

import (
	"context"
	"time"
)

// ControlCount is how many of an organisation's devices fail one control.
type ControlCount struct {
	ControlID string `json:"control_id"`
	Devices   int    `json:"devices"`
}

// OrgScorePoint is an organisation's overall score at the end of a day.
type OrgScorePoint struct {
	// Day is the day (UTC), at midnight.
	Day     time.Time `json:"day"`
	Value   int       `json:"value"`
	Devices int       `json:"devices"`
}

// SummaryService answers the dashboard's questions about many devices at
// once, counted in the store rather than by listing every finding.
type SummaryService interface {
	// FailureCounts counts, for each control failing on at least one device
	// of an organisation, the devices that fail it.
	FailureCounts(ctx context.Context, scope Scope, orgID string) ([]ControlCount, error)
	// OrgScoreHistory lists an organisation's overall score at the end of
	// each day since since on which any of its devices was judged, oldest
	// first.
	OrgScoreHistory(ctx context.Context, scope Scope, orgID string, since time.Time) ([]OrgScorePoint, error)
}
