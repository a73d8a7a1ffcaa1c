// Package borg verifies a BorgBackup repository with the borg command
// (version 1.2 or later in the 1.x series): it lists the archives, runs
// borg check, restores a random sample of files from the newest archive
// into a temporary folder and compares them with the originals, and asks
// whether this machine could delete the backups.
package borg

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/handwash/handwash"
	"github.com/handwash/handwash/backup"
)

// Defaults for Options.
const (
	DefaultSample      = 20
	DefaultSampleBytes = 512 << 20
	DefaultLockWait    = 5 * time.Second
)

// maxPassphraseFile bounds a passphrase file.
const maxPassphraseFile = 64 << 10

// Options says which repository to verify and how.
type Options struct {
	// Repo is the repository: a folder (/mnt/usb/borg) or a remote one
	// (ssh://user@host:22/path/repo or user@host:path/repo), without an
	// archive name.
	Repo string
	// Passphrase, or PassphraseFile (a file holding only the passphrase),
	// unlocks an encrypted repository. Either reaches borg only through
	// its environment (BORG_PASSPHRASE). With neither, borg uses whatever
	// BORG_PASSPHRASE, BORG_PASSCOMMAND or BORG_PASSPHRASE_FD Handwash's
	// own environment (or Env) holds; it never asks at a keyboard.
	Passphrase     string
	PassphraseFile string
	// Source is the original folder that was backed up, if known; restored
	// files are compared with it.
	Source string
	// Sample is how many files to restore (DefaultSample when 0), and
	// SampleBytes how many bytes at most (DefaultSampleBytes when 0).
	Sample      int
	SampleBytes int64
	// VerifyData makes borg check read and verify every piece of data
	// (borg check --verify-data): thorough, but it reads the whole
	// repository.
	VerifyData bool
	// Borg is the borg program ("borg" on PATH when empty).
	Borg string
	// LockWait is how long borg waits for a repository another borg is
	// using (DefaultLockWait when 0).
	LockWait time.Duration
	// TempDir is where files are restored (the system's temporary folder
	// when empty). They are deleted afterwards.
	TempDir string
	// Env adds to borg's environment, such as BORG_RSH, BORG_KEY_FILE or
	// BORG_BASE_DIR ("NAME=value").
	Env []string
	// Now returns the time (time.Now when nil).
	Now func() time.Time
}

// String describes the options without the passphrase or Env.
func (o Options) String() string {
	return fmt.Sprintf("borg.Options{Repo: %q, Source: %q, Sample: %d, VerifyData: %t}", o.Repo, o.Source, o.Sample, o.VerifyData)
}

// GoString is String, so %#v does not print the passphrase either.
func (o Options) GoString() string { return o.String() }

// Verify verifies the borg repository opts.Repo. It returns an error, with
// a plain-English message, when the repository cannot be opened at all:
// borg is missing, the passphrase is wrong, there is no repository there,
// another borg holds it. Problems found in the backups themselves are
// reported in the Verification.
func Verify(ctx context.Context, opts Options) (*backup.Verification, error) {
	o, err := opts.normalise()
	if err != nil {
		return nil, err
	}
	loc, err := parseLocation(o.Repo)
	if err != nil {
		return nil, err
	}
	r, err := newRunner(o, loc)
	if err != nil {
		return nil, err
	}
	v := &backup.Verification{Kind: backup.KindBorg, Location: loc.display, StartedAt: o.Now()}
	if v.Tool, err = r.version(ctx); err != nil {
		return nil, err
	}
	v.Exposure, r.readOnly = exposure(loc)
	if err := verifyRepo(ctx, r, o, v); err != nil {
		return nil, err
	}
	v.FinishedAt = o.Now()
	return v, nil
}

// verifyRepo lists, checks and test-restores, filling in v.
func verifyRepo(ctx context.Context, r *runner, o Options, v *backup.Verification) error {
	arcs, listNote, err := r.archives(ctx)
	if err != nil {
		return err
	}
	v.Backups = len(arcs)
	newest := newestArchive(arcs)
	if newest != nil {
		t := newest.Start
		v.Newest = &t
	}
	if v.Integrity, err = r.check(ctx, o.VerifyData, len(arcs)); err != nil {
		return err
	}
	if listNote != "" {
		v.Restore = backup.RestoreTest{Detail: listNote}
		return nil
	}
	v.Restore, err = r.restore(ctx, o, newest)
	return err
}

// normalise checks the options and fills in defaults.
func (o Options) normalise() (Options, error) {
	if strings.TrimSpace(o.Repo) == "" {
		return o, handwash.Errorf(handwash.EINVALID, "Give the borg repository to check: a folder such as /mnt/backup/borg, or ssh://user@server/path/to/repo.")
	}
	if o.Passphrase != "" && o.PassphraseFile != "" {
		return o, handwash.Errorf(handwash.EINVALID, "Give the borg passphrase or a file holding it, not both.")
	}
	if o.Sample < 0 || o.SampleBytes < 0 || o.LockWait < 0 {
		return o, handwash.Errorf(handwash.EINVALID, "The sample size, sample bytes and lock wait cannot be negative.")
	}
	if o.PassphraseFile != "" {
		p, err := readPassphraseFile(o.PassphraseFile)
		if err != nil {
			return o, err
		}
		o.Passphrase, o.PassphraseFile = p, ""
	}
	if o.TempDir != "" {
		if fi, err := os.Stat(o.TempDir); err != nil || !fi.IsDir() {
			return o, handwash.Errorf(handwash.EINVALID, "The temporary folder %s does not exist. Give a folder with free space to restore test files into.", o.TempDir)
		}
	}
	if o.Source != "" {
		src, err := checkSource(o.Source)
		if err != nil {
			return o, err
		}
		o.Source = src
	}
	o.setDefaults()
	return o, nil
}

func (o *Options) setDefaults() {
	if o.Sample == 0 {
		o.Sample = DefaultSample
	}
	if o.SampleBytes == 0 {
		o.SampleBytes = DefaultSampleBytes
	}
	if o.LockWait == 0 {
		o.LockWait = DefaultLockWait
	}
	if o.Borg == "" {
		o.Borg = "borg"
	}
	if o.Now == nil {
		o.Now = time.Now
	}
}

// readPassphraseFile reads a passphrase file, without its final line end.
func readPassphraseFile(name string) (string, error) {
	f, err := os.Open(name)
	if err != nil {
		return "", &handwash.Error{Code: handwash.EINVALID, Err: err,
			Message: fmt.Sprintf("The borg passphrase file %s could not be read (%s). Check the path and that this account may read it.", name, plainOSError(err))}
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxPassphraseFile+1))
	if err != nil {
		return "", &handwash.Error{Code: handwash.EINVALID, Err: err,
			Message: fmt.Sprintf("The borg passphrase file %s could not be read (%s).", name, plainOSError(err))}
	}
	if len(b) > maxPassphraseFile {
		return "", handwash.Errorf(handwash.EINVALID, "The borg passphrase file %s is over 64 KiB: it should hold only the passphrase.", name)
	}
	return strings.TrimRight(string(b), "\r\n"), nil
}

// checkSource makes sure the original folder exists, and returns its
// absolute path.
func checkSource(dir string) (string, error) {
	fi, err := os.Stat(dir)
	if err != nil {
		return "", &handwash.Error{Code: handwash.EINVALID, Err: err,
			Message: fmt.Sprintf("The original folder %s could not be opened (%s). Give the folder that was backed up, or leave it out to restore without comparing.", dir, plainOSError(err))}
	}
	if !fi.IsDir() {
		return "", handwash.Errorf(handwash.EINVALID, "%s is not a folder. Give the folder that was backed up.", dir)
	}
	return filepath.Abs(dir)
}

// plainOSError says what went wrong with a file in a few words.
func plainOSError(err error) string {
	switch {
	case errors.Is(err, os.ErrNotExist):
		return "it does not exist"
	case errors.Is(err, os.ErrPermission):
		return "permission denied"
	}
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}
