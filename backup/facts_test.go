package backup

import (
	"errors"
	"testing"
	"time"

	"github.com/handwash/handwash"
)

func TestFacts(t *testing.T) {
	at := time.Date(2026, 11, 30, 3, 0, 0, 0, time.UTC)
	newest := at.Add(-2 * time.Hour)
	v := &Verification{Kind: KindRestic, Location: "/srv/restic", FinishedAt: at, Newest: &newest, Backups: 3,
		Integrity: Integrity{Ran: true, OK: false}, Restore: RestoreTest{Ran: true, Files: 20, Compared: 20, Matched: 20},
		Exposure: Exposure{Known: true, CanDelete: true}}
	f := Facts(v, nil, at.Add(time.Minute))
	if f.Kind != KindRestic || !f.VerifiedAt.Equal(at) || f.RestoreOK == nil || !*f.RestoreOK || f.FilesRestored != 20 ||
		f.IntegrityOK == nil || *f.IntegrityOK || f.CanDelete == nil || !*f.CanDelete || f.Problem != "" || !f.NewestBackup.Equal(newest) {
		t.Errorf("Facts = %+v", f)
	}
	// What did not run is left unset, not false.
	f = Facts(&Verification{Kind: KindFolder, Location: "/mnt/copy", FinishedAt: at}, nil, at)
	if f.RestoreOK != nil || f.IntegrityOK != nil || f.CanDelete != nil {
		t.Errorf("Facts of a verification that checked nothing = %+v", f)
	}
	// A verification that could not run says why.
	f = Facts(nil, handwash.Errorf(handwash.EINVALID, "the password is wrong"), at)
	if f.Problem != "the password is wrong" || !f.VerifiedAt.Equal(at) {
		t.Errorf("Facts of a failure = %+v", f)
	}
	if f := Facts(nil, errors.New("boom"), at); f.Problem == "" {
		t.Error("a plain error left no problem")
	}
}
