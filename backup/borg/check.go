package borg

import (
	"context"
	"fmt"

	"github.com/handwash/handwash"
	"github.com/handwash/handwash/backup"
)

// damageAdvice says what to do about a damaged repository.
const damageAdvice = " Some backups may not restore. Keep the older backups, make a fresh backup now to another disk or repository, and ask whoever looks after your backups about repairing this one ('borg check --repair', after copying the repository)."

// check runs borg check on the repository and its archives (reading every
// piece of data with verifyData). It changes nothing: Handwash never asks
// for --repair.
func (r *runner) check(ctx context.Context, verifyData bool, archives int) (backup.Integrity, error) {
	args := []string{"check"}
	if verifyData {
		args = append(args, "--verify-data")
	}
	out, err := r.run(ctx, "", nil, append(args, "--", r.loc.arg)...)
	if err != nil {
		return backup.Integrity{}, err
	}
	return r.integrity(out, verifyData, archives), nil
}

// integrity reads borg check's exit code and messages.
func (r *runner) integrity(out output, verifyData bool, archives int) backup.Integrity {
	if err := r.stopError(out); err != nil {
		return backup.Integrity{Detail: "borg check could not run. " + handwash.ErrorMessage(err)}
	}
	in := backup.Integrity{Ran: true, OK: out.code == 0}
	if verifyData {
		in.Subset = "all"
	}
	said := r.scrub(out.summary())
	switch {
	case in.OK:
		in.Detail = checkedOK(verifyData, archives)
	case out.code == 1:
		in.Detail = "borg check found damage in the repository. It said: " + said + damageAdvice
	default:
		in.Detail = fmt.Sprintf("borg check stopped before it finished (exit code %d), which usually means damage it could not get past. It said: %s%s", out.code, said, damageAdvice)
	}
	return in
}

func checkedOK(verifyData bool, archives int) string {
	if verifyData {
		return fmt.Sprintf("borg check found no problems in the repository or its %s, and read and verified every piece of backed-up data (--verify-data).", plural(archives, "archive"))
	}
	return fmt.Sprintf("borg check found no problems in the repository or its %s. It checked the checksum of everything stored and the archives' structure, but did not decrypt and verify each piece of data: that is --verify-data, which reads the whole repository and takes longer.", plural(archives, "archive"))
}

// plural says "1 archive", "2 archives".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
