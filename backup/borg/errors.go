package borg

import (
	"fmt"

	"github.com/handwash/handwash"
)

// stopper is a borg failure that stops the verification: the repository
// could not be opened at all. It gives the handwash code and the message.
type stopper struct {
	code string
	msg  func(repo string) string
}

// quoteRemote are the failures whose message adds what the server, or
// ssh reaching it, said.
var quoteRemote = map[string]bool{"ConnectionClosed": true, "ConnectionClosedWithHint": true}

// stoppers maps borg's message IDs (--log-json "msgid") to plain English.
var stoppers = map[string]stopper{
	"PassphraseWrong": {handwash.EINVALID, func(repo string) string {
		return fmt.Sprintf("The passphrase for the borg repository %s is wrong. Check the passphrase (or the file holding it) and try again.", repo)
	}},
	"NoPassphraseFailure":     {handwash.EINVALID, noPassphrase},
	"PasswordRetriesExceeded": {handwash.EINVALID, noPassphrase},
	"Repository.DoesNotExist": {handwash.ENOTFOUND, func(repo string) string {
		return fmt.Sprintf("There is no borg repository at %s. Check the path (is the backup disk plugged in and mounted?).", repo)
	}},
	"Repository.InvalidRepository": {handwash.ENOTFOUND, func(repo string) string {
		return fmt.Sprintf("%s is not a borg repository (it has no borg config file). Give the folder that borg backs up into: the one holding config and data.", repo)
	}},
	"Repository.ParentPathDoesNotExist": {handwash.ENOTFOUND, func(repo string) string {
		return fmt.Sprintf("There is no borg repository at %s: the folder above it does not exist. Check the path.", repo)
	}},
	"LockTimeout": {handwash.EINVALID, func(repo string) string {
		return fmt.Sprintf("The borg repository %s is in use by another borg program (a backup, prune or check may be running), so it could not be checked. Try again when that has finished. If nothing is running, a crashed borg may have left its lock: run 'borg break-lock %s'.", repo, repo)
	}},
	"LockFailed": {handwash.EINVALID, func(repo string) string {
		return fmt.Sprintf("borg could not lock the repository %s (it needs to create a lock file there). Check that this account can reach the folder.", repo)
	}},
	// borg's questions, answered no by the environment, come before the
	// error that follows them.
	"BORG_RELOCATED_REPO_ACCESS_IS_OK": {handwash.EINVALID, func(repo string) string {
		return fmt.Sprintf("borg stopped rather than open %s, because the repository was somewhere else when this computer last used it. If you moved it, run 'borg list %s' once yourself and answer yes; then check again.", repo, repo)
	}},
	"BORG_UNKNOWN_UNENCRYPTED_REPO_ACCESS_IS_OK": {handwash.EINVALID, func(repo string) string {
		return fmt.Sprintf("borg stopped rather than open %s, because the repository is not encrypted and this computer has not used it before (someone could have put a fake one in its place). If it is yours, run 'borg list %s' once yourself and answer yes; then check again. Better still, encrypt your backups.", repo, repo)
	}},
	"Cache.RepositoryAccessAborted": {handwash.EINVALID, accessAborted},
	"Cache.CacheInitAbortedError":   {handwash.EINVALID, accessAborted},
	"Cache.RepositoryReplay": {handwash.EINVALID, func(repo string) string {
		return fmt.Sprintf("borg refused to open %s because the repository is older than the last time this computer saw it. Someone may have put back an old copy of it, or swapped it: ask whoever looks after your backups before trusting them.", repo)
	}},
	"Cache.EncryptionMethodMismatch": {handwash.EINVALID, func(repo string) string {
		return fmt.Sprintf("borg refused to open %s because its encryption is not what this computer saw before. The repository may have been swapped: ask whoever looks after your backups before trusting them.", repo)
	}},
	"KeyfileNotFoundError": {handwash.EINVALID, func(repo string) string {
		return fmt.Sprintf("The borg repository %s keeps its key in a key file on the computer that makes the backups (keyfile encryption), and it is not on this computer. Copy it (see 'borg key export') and give it with BORG_KEY_FILE.", repo)
	}},
	"ConnectionClosed":         {handwash.ENOTFOUND, connection},
	"ConnectionClosedWithHint": {handwash.ENOTFOUND, connection},
	"PathNotAllowed": {handwash.EINVALID, func(repo string) string {
		return fmt.Sprintf("The backup server does not allow this computer to open %s (borg serve --restrict-to-path). Check the path with whoever looks after the server.", repo)
	}},
	"UnsupportedRepoVersion": {handwash.EINVALID, func(repo string) string {
		return fmt.Sprintf("The borg repository %s was made by a different version of borg than this one. Install the borg version that makes the backups.", repo)
	}},
}

func noPassphrase(repo string) string {
	return fmt.Sprintf("The borg repository %s is encrypted and no passphrase was given. Give its passphrase, or a file holding it.", repo)
}

func connection(repo string) string {
	return fmt.Sprintf("Could not connect to the backup server for %s. Check the address, that the server is switched on and reachable, and that this computer's SSH key is allowed there (Handwash cannot type a password).", repo)
}

func accessAborted(repo string) string {
	return fmt.Sprintf("borg stopped rather than open %s without asking you first. Run 'borg list %s' once yourself, read its question and answer it; then check again.", repo, repo)
}

// stopError returns the error for a borg failure that stops the
// verification, or nil when borg did not fail in one of those ways.
func (r *runner) stopError(out output) error {
	if out.code == 0 {
		return nil
	}
	for _, e := range out.log {
		if s, ok := stoppers[e.MsgID]; ok {
			msg := s.msg(r.loc.display)
			if said := out.remote(); quoteRemote[e.MsgID] && said != "" {
				msg += " It said: " + r.scrub(said)
			}
			return &handwash.Error{Code: s.code, Message: msg, Err: fmt.Errorf("borg: %s", r.scrub(out.summary()))}
		}
	}
	return nil
}
