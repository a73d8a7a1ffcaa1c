package backup

import (
	"time"

	"github.com/handwash/handwash"
)

// Facts is what a verification says in a device's Facts: small, with
// nothing but its outcome, for the server's controls to judge. err is what
// stopped the verification, if anything; v may be nil then.
func Facts(v *Verification, err error, now time.Time) handwash.BackupVerification {
	f := handwash.BackupVerification{VerifiedAt: now.UTC().Truncate(time.Second)}
	if err != nil {
		f.Problem = handwash.ErrorMessage(err)
	}
	if v == nil {
		return f
	}
	f.Kind, f.Location = v.Kind, v.Location
	if !v.FinishedAt.IsZero() {
		f.VerifiedAt = v.FinishedAt.UTC().Truncate(time.Second)
	}
	f.NewestBackup = v.Newest
	if v.Restore.Ran {
		ok := v.Restore.OK()
		f.RestoreOK, f.FilesRestored = &ok, v.Restore.Files
	}
	if v.Integrity.Ran {
		ok := v.Integrity.OK
		f.IntegrityOK = &ok
	}
	if v.Exposure.Known {
		can := v.Exposure.CanDelete
		f.CanDelete = &can
	}
	return f
}
