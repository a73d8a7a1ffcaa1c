package agent

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"slices"
	"time"

	"github.com/handwash/handwash"
)

// BackupTarget is a backup the agent verifies on a schedule with handwash
// backup verify: its age, a test restore of a sample of files, its own
// integrity check, and whether this device could delete it.
type BackupTarget struct {
	// Kind is restic, borg, folder or s3.
	Kind string `json:"kind"`
	// Repo is the repository, folder or s3://bucket/prefix.
	Repo string `json:"repo"`
	// PasswordFile holds the repository's password (restic, borg), or for
	// s3 the access key and secret key; the configuration keeps only the
	// file's path, never the secret.
	PasswordFile string `json:"password_file,omitempty"`
	// Source is the original folder, to compare restored files with.
	Source string `json:"source,omitempty"`
	// Endpoint is an S3-compatible service's host[:port].
	Endpoint string `json:"endpoint,omitempty"`
	// Every is how often to verify; DefaultBackupEvery when zero.
	Every Duration `json:"every,omitempty"`
}

// DefaultBackupEvery is how often a backup is verified unless its target
// says otherwise: weekly, reading a thirteenth of the repository's data
// each time, so all of it is read within a quarter.
const DefaultBackupEvery = 7 * 24 * time.Hour

// backupParts is how many parts a repository's data is read in, one a
// week: thirteen weeks make a quarter.
const backupParts = 13

// maxBackupTargets bounds the targets of one device.
const maxBackupTargets = 20

// Key names the target in the results file.
func (t BackupTarget) Key() string { return t.Kind + " " + t.Repo }

// EffectiveEvery is the target's interval, or DefaultBackupEvery.
func (t BackupTarget) EffectiveEvery() time.Duration {
	if t.Every <= 0 {
		return DefaultBackupEvery
	}
	return time.Duration(t.Every)
}

// validate checks a target; the message names the field.
func (t BackupTarget) validate() error {
	switch {
	case !slices.Contains([]string{"restic", "borg", "folder", "s3"}, t.Kind):
		return fmt.Errorf("backups: kind %q: use restic, borg, folder or s3", t.Kind)
	case t.Repo == "":
		return fmt.Errorf("backups: %s: repo is empty: give the repository, folder or bucket", t.Kind)
	case t.Every != 0 && (time.Duration(t.Every) < time.Hour || time.Duration(t.Every) > 92*24*time.Hour):
		return fmt.Errorf("backups: %s: every: give a duration from 1h to 2208h (92 days)", t.Key())
	}
	return nil
}

// RollingSubset is the part of a repository's data to read at now: part n
// of 13, moving on each week, so that thirteen weekly verifications read
// every part, the whole repository within a quarter.
func RollingSubset(now time.Time) string {
	weeks := now.UTC().Unix() / int64(7*24*time.Hour/time.Second)
	return fmt.Sprintf("%d/%d", weeks%backupParts+1, backupParts)
}

// BackupVerifier verifies one backup, reading the given part of its data
// ("3/13"), and says what it found; a verification that could not run
// says why in Problem.
type BackupVerifier func(ctx context.Context, t BackupTarget, subset string) handwash.BackupVerification

// backupResults is the file of the newest verification of each target,
// beside the configuration.
type backupResults struct {
	path  string
	byKey map[string]handwash.BackupVerification
}

func loadBackupResults(path string) (*backupResults, error) {
	r := &backupResults{path: path, byKey: map[string]handwash.BackupVerification{}}
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return r, nil
	}
	if err != nil {
		return nil, err
	}
	// A damaged file costs only a verification done again.
	_ = json.Unmarshal(b, &r.byKey)
	return r, nil
}

func (r *backupResults) save() error {
	b, err := json.MarshalIndent(r.byKey, "", "  ")
	if err != nil {
		return err
	}
	return writeFileAtomic(r.path, b, true)
}

// current lists the newest verification of each target still configured,
// in the configuration's order.
func (r *backupResults) current(targets []BackupTarget) []handwash.BackupVerification {
	var out []handwash.BackupVerification
	for _, t := range targets {
		if v, ok := r.byKey[t.Key()]; ok {
			out = append(out, v)
		}
	}
	return out
}

// verifyDueBackups verifies each target whose newest verification is older
// than its interval, and records the results.
func (r *Runner) verifyDueBackups(ctx context.Context, cfg *Config) {
	if len(cfg.Backups) == 0 || r.VerifyBackup == nil {
		return
	}
	results, err := loadBackupResults(r.paths.Backups)
	if err != nil {
		r.log.Warn("cannot read the backup verification results", "err", plain(err))
		return
	}
	now := r.now()
	changed := false
	for _, t := range cfg.Backups {
		if last, ok := results.byKey[t.Key()]; ok && now.Sub(last.VerifiedAt) < t.EffectiveEvery() {
			continue
		}
		if ctx.Err() != nil {
			break
		}
		r.log.Info("verifying a backup", "kind", t.Kind, "repo", t.Repo)
		v := r.VerifyBackup(ctx, t, RollingSubset(now))
		if ctx.Err() != nil {
			break // stopped part-way: verify again at the next start
		}
		if v.VerifiedAt.IsZero() {
			v.VerifiedAt = r.now()
		}
		if v.Problem != "" {
			r.log.Warn("backup verification could not finish", "kind", t.Kind, "repo", t.Repo, "problem", v.Problem)
		}
		results.byKey[t.Key()] = v
		changed = true
	}
	if changed {
		if err := results.save(); err != nil {
			r.log.Warn("cannot keep the backup verification results", "err", plain(err))
		}
	}
}

// addBackupResults puts the newest verifications into the Facts.
func (r *Runner) addBackupResults(cfg *Config, f *handwash.Facts) {
	if len(cfg.Backups) == 0 || f == nil {
		return
	}
	results, err := loadBackupResults(r.paths.Backups)
	if err != nil {
		return
	}
	vs := results.current(cfg.Backups)
	if len(vs) == 0 {
		return
	}
	if f.Backup == nil {
		f.Backup = &handwash.BackupFacts{Tools: []handwash.BackupTool{}}
	}
	f.Backup.Verifications = vs
}

// AddBackup adds a backup to verify, or replaces the one of the same kind
// and repository; the message of a refusal names the field.
func (c *Config) AddBackup(t BackupTarget) error {
	next := *c
	next.Backups = slices.Clone(c.Backups)
	i := slices.IndexFunc(next.Backups, func(o BackupTarget) bool { return o.Key() == t.Key() })
	if i >= 0 {
		next.Backups[i] = t
	} else {
		next.Backups = append(next.Backups, t)
	}
	if err := next.validate(); err != nil {
		return handwash.Errorf(handwash.EINVALID, "%v", err)
	}
	c.Backups = next.Backups
	return nil
}

// RemoveBackup stops verifying a backup; ENOTFOUND when it is not listed.
func (c *Config) RemoveBackup(kind, repo string) error {
	key := BackupTarget{Kind: kind, Repo: repo}.Key()
	i := slices.IndexFunc(c.Backups, func(o BackupTarget) bool { return o.Key() == key })
	if i < 0 {
		return handwash.Errorf(handwash.ENOTFOUND, "no %s backup at %s is verified by this agent: see handwash agent backup list", kind, repo)
	}
	c.Backups = slices.Delete(c.Backups, i, i+1)
	return nil
}
