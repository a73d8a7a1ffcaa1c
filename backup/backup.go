// Package backup verifies backups the way the NCSC asks ("test they can be
// restored; keep them separate"): for one backup (a restic or borg
// repository, a plain copy in a folder, an S3-compatible bucket) it finds
// the newest backup and its age, restores a random sample of files into a
// temporary folder and compares them by hash, runs the repository's own
// integrity check, and asks whether this machine could delete or overwrite
// the backups, as ransomware running here would.
//
// Each kind of backup is verified by its own package (backup/restic,
// backup/borg, backup/folder, backup/s3), which fills in a Verification;
// this package turns a Verification into findings and reports.
package backup

import (
	"time"
)

// Kinds of backup.
const (
	KindRestic = "restic"
	KindBorg   = "borg"
	KindFolder = "folder"
	KindS3     = "s3"
)

// Verification is what verifying one backup found. Every part says whether
// it was done: a part that could not be done is not a pass.
type Verification struct {
	// Kind is restic, borg, folder or s3.
	Kind string `json:"kind"`
	// Location names the backup as the user gave it, without secrets
	// (a path, a repository URL without its password, s3://bucket/prefix).
	Location string `json:"location"`
	// Tool is the program and version used, such as "restic 0.14.0", when
	// one was run.
	Tool       string    `json:"tool,omitempty"`
	StartedAt  time.Time `json:"started_at"`
	FinishedAt time.Time `json:"finished_at"`

	// Newest is when the newest backup was taken; nil when there is none.
	Newest *time.Time `json:"newest,omitempty"`
	// Backups counts the backups (snapshots, archives, object versions)
	// found.
	Backups int `json:"backups"`

	Integrity Integrity   `json:"integrity"`
	Restore   RestoreTest `json:"restore"`
	Exposure  Exposure    `json:"exposure"`
	// Protection describes an S3 bucket's settings; nil for other kinds.
	Protection *BucketProtection `json:"protection,omitempty"`
}

// Integrity is the result of the repository's own check of its data.
type Integrity struct {
	// Ran says whether a check ran. A plain folder has none of its own.
	Ran bool `json:"ran"`
	OK  bool `json:"ok"`
	// Subset is the share of the stored data read, such as "3/13" (restic
	// --read-data-subset); empty when only the structure was checked, "all"
	// when every byte was read.
	Subset string `json:"subset,omitempty"`
	// Detail says what the check reported, in plain English, with the
	// tool's own words where they help.
	Detail string `json:"detail,omitempty"`
}

// RestoreTest is a test restore of a random sample of files.
type RestoreTest struct {
	// Ran says whether files were restored.
	Ran bool `json:"ran"`
	// Snapshot names the backup restored from (a snapshot ID, an archive
	// name), where there are several.
	Snapshot string `json:"snapshot,omitempty"`
	// Files and Bytes count what was restored.
	Files int   `json:"files"`
	Bytes int64 `json:"bytes"`
	// Compared counts the restored files compared by SHA-256 with the
	// original (those whose original has not changed since the backup),
	// and Matched those that were identical.
	Compared int `json:"compared"`
	Matched  int `json:"matched"`
	// Changed counts the restored files that were not compared because
	// their original has changed, or gone, since the backup was taken.
	Changed int `json:"changed"`
	// Mismatched lists the files whose restored copy differs from an
	// original that has not changed since the backup; Unreadable those
	// that could not be restored at all.
	Mismatched []string `json:"mismatched,omitempty"`
	Unreadable []string `json:"unreadable,omitempty"`
	// Seconds is how long the restore and comparison took.
	Seconds float64 `json:"seconds"`
	// Detail says anything else worth knowing, in plain English.
	Detail string `json:"detail,omitempty"`
}

// OK reports whether the test restore ran and every file came back whole.
func (r RestoreTest) OK() bool {
	return r.Ran && r.Files > 0 && len(r.Mismatched) == 0 && len(r.Unreadable) == 0
}

// Exposure answers the ransomware question: could a program running here,
// with the access this machine has, delete or overwrite the backups?
type Exposure struct {
	// Known says whether Handwash could tell.
	Known bool `json:"known"`
	// CanDelete says whether backups could be deleted or overwritten from
	// here.
	CanDelete bool `json:"can_delete"`
	// Detail says how this was found out, in plain English.
	Detail string `json:"detail,omitempty"`
}

// BucketProtection is what an S3-compatible bucket's settings say about
// keeping backups safe.
type BucketProtection struct {
	// Versioning is Enabled, Suspended or "" (never switched on).
	Versioning string `json:"versioning"`
	// ObjectLock says whether object lock is on, with its default mode
	// (GOVERNANCE or COMPLIANCE) and retention in days.
	ObjectLock    bool   `json:"object_lock"`
	LockMode      string `json:"lock_mode,omitempty"`
	RetentionDays int    `json:"retention_days,omitempty"`
	// Encryption is the default encryption (AES256, aws:kms) or "".
	Encryption string `json:"encryption,omitempty"`
	// LifecycleRules counts the lifecycle rules; ExpiresAfterDays is the
	// shortest expiry of current objects among them (0 when none), since
	// a rule that deletes backups after a day defeats keeping them.
	LifecycleRules   int `json:"lifecycle_rules"`
	ExpiresAfterDays int `json:"expires_after_days,omitempty"`
	// Errors lists the settings that could not be read (permission denied,
	// not supported by this provider), in plain English.
	Errors []string `json:"errors,omitempty"`
}
