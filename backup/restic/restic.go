// Package restic verifies a restic repository through the restic command:
// the newest snapshot and its age (restic snapshots --json), the
// repository's own check (restic check, reading a subset of the data when
// asked), a test restore of a random sample of files from the newest
// snapshot (restic ls --json, restic restore --include) compared by
// SHA-256 with the originals that have not changed since, and whether this
// computer could delete the backups.
//
// It never writes into the repository: listing and restoring run with
// --no-lock, and whether this computer could delete backups is found by
// asking the system about permissions (a local repository) or by a probe
// that cannot change anything (a REST server). Only restic check takes
// restic's usual exclusive lock, so that it does not run while a backup
// or prune does; it is skipped when this computer cannot write to the
// repository at all.
//
// The password reaches restic only through its environment
// (RESTIC_PASSWORD or RESTIC_PASSWORD_FILE), never its command line, and
// no message repeats it.
package restic

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"time"

	"github.com/handwash/handwash"
	"github.com/handwash/handwash/backup"
)

// Options say which repository to verify and how.
type Options struct {
	// Repo is the repository, as restic's -r takes it: a folder, or
	// rest:, sftp:, s3: and the other backends.
	Repo string
	// PasswordFile names a file holding the password; Password is the
	// password itself. Give one, or neither to use the RESTIC_PASSWORD,
	// RESTIC_PASSWORD_FILE or RESTIC_PASSWORD_COMMAND already set.
	PasswordFile string
	Password     string
	// Source is the original folder, to compare restored files with;
	// empty means restored files are only read back, not compared.
	Source string
	// Sample is how many files to restore (default backup.DefaultSample).
	Sample int
	// Subset is the share of the data restic check reads, as its
	// --read-data-subset takes it ("3/13", "5%"), or "all" to read every
	// byte; empty checks the structure only.
	Subset string
	// Restic is the restic program (default "restic" on the PATH).
	Restic string
	// TempDir is where the temporary restore folder is made (default the
	// system's).
	TempDir string
	// Seed makes the sample repeatable, for tests; 0 chooses at random.
	Seed uint64
	// HTTPTimeout limits the REST server probe (default 20 seconds).
	HTTPTimeout time.Duration
	// Now is the clock (default time.Now).
	Now func() time.Time
}

// config is Options checked, with defaults filled in.
type config struct {
	Options
	bin string // the restic program found
}

var subsetRE = regexp.MustCompile(`^(?:([0-9]+)/([0-9]+)|([0-9]+(?:\.[0-9]+)?)%|all)$`)

func (o Options) check() (*config, error) {
	c := &config{Options: o}
	if c.Repo == "" {
		return nil, handwash.Errorf(handwash.EINVALID, "--repo: give the restic repository, as restic -r takes it (such as /mnt/backup/restic or rest:https://backup.example:8000/office/)")
	}
	if c.Sample == 0 {
		c.Sample = backup.DefaultSample
	}
	if c.Sample < 0 {
		return nil, handwash.Errorf(handwash.EINVALID, "--sample %d: give how many files to restore, such as 20", c.Sample)
	}
	if err := checkSubset(c.Subset); err != nil {
		return nil, err
	}
	if err := c.checkPassword(); err != nil {
		return nil, err
	}
	if err := c.checkSource(); err != nil {
		return nil, err
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.HTTPTimeout <= 0 {
		c.HTTPTimeout = 20 * time.Second
	}
	return c, c.findRestic()
}

func checkSubset(s string) error {
	m := subsetRE.FindStringSubmatch(s)
	bad := s != "" && m == nil
	if m != nil && m[1] != "" {
		n, _ := strconv.Atoi(m[1])
		t, _ := strconv.Atoi(m[2])
		bad = n < 1 || t < 1 || n > t
	}
	if m != nil && m[3] != "" {
		p, _ := strconv.ParseFloat(m[3], 64)
		bad = p <= 0 || p > 100
	}
	if bad {
		return handwash.Errorf(handwash.EINVALID, "--subset %q: give the part of the data to read, such as 1/10 (then 2/10 next time, and so on), a percentage such as 5%%, or all", s)
	}
	return nil
}

func (c *config) checkPassword() error {
	switch {
	case c.Password != "" && c.PasswordFile != "":
		return handwash.Errorf(handwash.EINVALID, "give the repository password in one way: a password file or the password, not both")
	case c.PasswordFile != "":
		abs, err := filepath.Abs(c.PasswordFile)
		if err == nil {
			_, err = os.Stat(abs)
		}
		if err != nil {
			return handwash.Errorf(handwash.EINVALID, "--password-file %s cannot be read: %v", c.PasswordFile, pathErr(err))
		}
		c.PasswordFile = abs
	case c.Password == "" && !passwordInEnvironment():
		return handwash.Errorf(handwash.EINVALID, "no password for the repository: give --password-file with a file that holds it (readable only by the account that runs the check), or set RESTIC_PASSWORD_FILE")
	}
	return nil
}

func passwordInEnvironment() bool {
	for _, k := range []string{"RESTIC_PASSWORD", "RESTIC_PASSWORD_FILE", "RESTIC_PASSWORD_COMMAND"} {
		if os.Getenv(k) != "" {
			return true
		}
	}
	return false
}

func (c *config) checkSource() error {
	if c.Source == "" {
		return nil
	}
	abs, err := filepath.Abs(c.Source)
	if err == nil {
		var st os.FileInfo
		if st, err = os.Stat(abs); err == nil && !st.IsDir() {
			return handwash.Errorf(handwash.EINVALID, "--source %s is a file: give the folder that was backed up", c.Source)
		}
	}
	if err != nil {
		return handwash.Errorf(handwash.EINVALID, "--source %s cannot be read: %v", c.Source, pathErr(err))
	}
	c.Source = abs
	return nil
}

func (c *config) findRestic() error {
	name := c.Restic
	if name == "" {
		name = "restic"
	}
	bin, err := exec.LookPath(name)
	if err != nil {
		return handwash.Errorf(handwash.EINVALID, "restic is not installed on this computer, or not where Handwash looked (%s): install it (Debian and Ubuntu: sudo apt install restic; Windows: winget install restic.restic; macOS: brew install restic) or give its full path with --restic", name)
	}
	c.bin = bin
	return nil
}

func pathErr(err error) error {
	if pe, ok := err.(*os.PathError); ok {
		return pe.Err
	}
	return err
}

// Verify verifies the repository. It returns an error only when the
// repository cannot be verified at all: bad options, restic missing, a
// wrong password, no repository at the location, or a repository locked
// by another restic. Damage it finds is reported in the Verification.
func Verify(ctx context.Context, opts Options) (*backup.Verification, error) {
	c, err := opts.check()
	if err != nil {
		return nil, err
	}
	v := &backup.Verification{Kind: backup.KindRestic, Location: Redact(c.Repo), StartedAt: c.Now()}
	tmp, err := os.MkdirTemp(c.TempDir, "handwash-restic-")
	if err != nil {
		return nil, handwash.Errorf(handwash.EINVALID, "cannot make a temporary folder to restore into: %v", err)
	}
	defer backup.RemoveTemp(tmp)
	r := newRunner(c, tmp)
	if err := verify(ctx, c, r, v, tmp); err != nil {
		return nil, err
	}
	v.FinishedAt = c.Now()
	return v, nil
}

func verify(ctx context.Context, c *config, r *runner, v *backup.Verification, tmp string) error {
	var err error
	if v.Tool, err = r.version(ctx); err != nil {
		return err
	}
	snaps, err := r.snapshots(ctx, c.Source)
	if err != nil {
		return err
	}
	v.Backups = snaps.count
	if snaps.count > 0 {
		v.Newest = &snaps.newest.Time
	}
	v.Exposure = exposure(ctx, c)
	readOnly := v.Exposure.Known && !v.Exposure.CanDelete && isLocal(c.Repo)
	if v.Integrity, err = r.check(ctx, c.Subset, readOnly); err != nil {
		return err
	}
	if snaps.count == 0 {
		v.Restore.Detail = "The repository holds no snapshots."
		return nil
	}
	v.Restore, err = r.restoreTest(ctx, snaps.newest, filepath.Join(tmp, "restore"), c.Source, c.Sample, c.Seed)
	if n := snaps.note(); n != "" {
		v.Restore.Detail = n + " " + v.Restore.Detail
	}
	return err
}
