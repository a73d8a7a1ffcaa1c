package sqlite

import (
	"context"
	"fmt"
	"io/fs"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/pressly/goose/v3"

	"github.com/handwash/handwash"
	"github.com/handwash/handwash/storetest"
)

// A database made before organisations' totals were kept gets them from
// its devices' stored scores and findings when it is migrated.
func TestOrgTotalsBackfilled(t *testing.T) {
	db, err := Open(filepath.Join(t.TempDir(), "handwash.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	devices := storetest.BenchDevices(t, db, 3)
	for i, d := range devices {
		digest := fmt.Sprintf("sha256:%064x", i)
		if _, err := db.PutSnapshot(ctx, d, &handwash.Snapshot{ID: "s1", CollectedAt: time.Now(), Digest: digest}, []byte{0x1f, 0x8b}); err != nil {
			t.Fatal(err)
		}
		a := &handwash.Assessment{EvaluatedAt: time.Now(), Findings: []handwash.Finding{
			{ControlID: "a", Area: handwash.AreaBackup, Severity: handwash.SeverityHigh, Status: handwash.StatusFail},
			{ControlID: "b", Area: handwash.AreaUpdates, Severity: handwash.SeverityLow, Status: []handwash.Status{handwash.StatusPass, handwash.StatusFail, handwash.StatusFail}[i]},
		}}
		a.Overall = handwash.Score{Value: 50, Earned: 1, Max: 7, Pass: 1 - min(i, 1), Fail: 1 + min(i, 1), Assessed: true}
		a.Areas = []handwash.AreaScore{
			{Area: handwash.AreaBackup, Score: handwash.Score{Value: 0, Max: 6, Fail: 1, Assessed: true}},
			{Area: handwash.AreaUpdates, Score: handwash.Score{Value: 100 * (1 - min(i, 1)), Earned: 1 - min(i, 1), Max: 1, Pass: 1 - min(i, 1), Fail: min(i, 1), Assessed: true}},
		}
		if err := db.PutAssessment(ctx, d.ID, digest, a); err != nil {
			t.Fatal(err)
		}
	}
	d, err := db.DeviceForAuth(ctx, devices[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	scope := handwash.Scope{ProviderID: d.ProviderID}
	scores, err := db.OrgScores(ctx, scope, d.OrgID)
	if err != nil {
		t.Fatal(err)
	}
	failures, err := db.FailureCounts(ctx, scope, d.OrgID)
	if err != nil {
		t.Fatal(err)
	}
	if scores.Devices != 3 || len(failures) != 2 {
		t.Fatalf("before: %d devices, failures %v", scores.Devices, failures)
	}

	dir, err := fs.Sub(migrations, "migrations")
	if err != nil {
		t.Fatal(err)
	}
	p, err := goose.NewProvider(goose.DialectSQLite3, db.WriteDB(), dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.DownTo(ctx, 3); err != nil {
		t.Fatal(err)
	}
	if _, err := p.Up(ctx); err != nil {
		t.Fatal(err)
	}
	scores2, err := db.OrgScores(ctx, scope, d.OrgID)
	if err != nil {
		t.Fatal(err)
	}
	failures2, err := db.FailureCounts(ctx, scope, d.OrgID)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(scores, scores2); diff != "" {
		t.Errorf("scores after the migration (-before +after):\n%s", diff)
	}
	if diff := cmp.Diff(failures, failures2); diff != "" {
		t.Errorf("failures after the migration (-before +after):\n%s", diff)
	}
}
