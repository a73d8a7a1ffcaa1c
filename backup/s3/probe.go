package s3

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"strings"

	"github.com/minio/minio-go/v7"

	"github.com/handwash/handwash/backup"
)

// The exposure probe answers the ransomware question without touching the
// backups:
//
//  1. Put a 1-byte object <prefix>/.handwash-probe-<random>.
//     Refused (access denied): the key cannot write, so it cannot
//     overwrite backups. In a bucket that never had versioning, a delete
//     of a key that does not exist changes nothing, so the probe also
//     tries that, to catch a key that may delete but not write.
//  2. Delete it for good: by its version ID when the bucket keeps
//     versions (a plain delete would only hide it behind a delete
//     marker), by version "null" when versioning is suspended, plainly
//     otherwise; then check that it is really gone.
//  3. When that is refused and the bucket is not in compliance mode, try
//     again bypassing governance-mode retention, as ransomware would.
//
// CanDelete is true when the probe was deleted for good, or when the key
// can write and the bucket keeps no old versions (overwriting a backup
// then destroys it). A probe that cannot be deleted stays in the bucket,
// and Detail names it.

var errKept = errors.New("the delete was accepted but the object is still there")

// exposure tests, or judges from the settings when the probe is off,
// whether this machine's key could delete or overwrite the backups.
func (c *client) exposure(ctx context.Context, p *backup.BucketProtection) backup.Exposure {
	if c.NoWriteProbe {
		return judgeSettings(p)
	}
	key := c.prefix + probeName + strings.ToLower(rand.Text())
	info, err := c.mc.PutObject(ctx, c.Bucket, key, bytes.NewReader([]byte{'h'}), 1, minio.PutObjectOptions{
		ContentType:    "text/plain",
		UserMetadata:   map[string]string{"purpose": "Handwash backup check; safe to delete"},
		SendContentMd5: true, // buckets with object lock require it
	})
	switch {
	case isDenied(err):
		return c.cannotWrite(ctx, key, p)
	case err != nil:
		return unknown("Writing a 1-byte test object to the bucket failed (" + reason(err) + ").")
	}
	versionID, versioned := c.probeVersion(ctx, key, info.VersionID, p)
	if versioned && versionID == "" {
		// A plain delete would only hide the probe behind a delete marker.
		return unknown("The bucket keeps versions but did not tell Handwash the version of its 1-byte test object, so deleting it for good could not be tested." +
			leftover(errKept, key, p))
	}
	return c.tryDelete(ctx, key, versionID, versioned, p)
}

func unknown(detail string) backup.Exposure {
	return backup.Exposure{Known: false, Detail: detail}
}

// probeVersion returns the version ID to delete the probe by, and whether
// the bucket keeps versions.
func (c *client) probeVersion(ctx context.Context, key, versionID string, p *backup.BucketProtection) (string, bool) {
	if versionID != "" && versionID != "null" {
		return versionID, true
	}
	if p.Versioning == "Enabled" {
		st, err := c.mc.StatObject(ctx, c.Bucket, key, minio.StatObjectOptions{})
		if err != nil || st.VersionID == "null" {
			return "", true
		}
		return st.VersionID, true
	}
	if p.Versioning == "Suspended" {
		return "null", false
	}
	return "", false
}

func (c *client) tryDelete(ctx context.Context, key, versionID string, versioned bool, p *backup.BucketProtection) backup.Exposure {
	err := c.deleteForGood(ctx, key, minio.RemoveObjectOptions{VersionID: versionID})
	bypassed := false
	if err != nil && versioned && p.LockMode != "COMPLIANCE" {
		if c.deleteForGood(ctx, key, minio.RemoveObjectOptions{VersionID: versionID, GovernanceBypass: true}) == nil {
			err, bypassed = nil, true
		}
	}
	switch {
	case err == nil && bypassed:
		return exposed(governanceBypassed)
	case err == nil && versioned:
		return exposed(versionDeleted + lockIgnored(p))
	case err == nil || !versioned:
		return exposed(unversionedExposed + leftover(err, key, p))
	case isDenied(err) || errors.Is(err, errKept):
		return backup.Exposure{Known: true, Detail: refusedDetail(err, p) + leftover(err, key, p)}
	}
	return unknown("Handwash wrote a 1-byte test object, but trying to delete it failed (" + reason(err) + ")." + leftover(err, key, p))
}

// deleteForGood deletes the object and checks that it is gone.
func (c *client) deleteForGood(ctx context.Context, key string, opts minio.RemoveObjectOptions) error {
	if err := c.mc.RemoveObject(ctx, c.Bucket, key, opts); err != nil {
		return err
	}
	// Any answer but the object itself (not found, a delete marker, an
	// error) means the accepted delete took effect as far as we can tell.
	if _, err := c.mc.StatObject(ctx, c.Bucket, key, minio.StatObjectOptions{VersionID: opts.VersionID}); err == nil {
		return errKept
	}
	return nil
}

// cannotWrite judges a key that may not write to the bucket.
func (c *client) cannotWrite(ctx context.Context, key string, p *backup.BucketProtection) backup.Exposure {
	const readOnly = "This machine's key may not write to the bucket (Handwash's 1-byte test upload was refused), so ransomware here could not overwrite the backups with it."
	if !c.versioningRead || p.Versioning != "" {
		return backup.Exposure{Known: true, Detail: readOnly + " Handwash did not test deleting, since in a bucket that keeps (or may keep) versions even a test delete leaves a mark."}
	}
	// No versioning: deleting a key that does not exist changes nothing.
	err := c.mc.RemoveObject(ctx, c.Bucket, key, minio.RemoveObjectOptions{})
	switch {
	case err == nil:
		return exposed("This machine's key may not write to the bucket, but it may delete from it (a test delete of an object that does not exist was accepted), and the bucket keeps no old versions. Take the delete permission (s3:DeleteObject) away from this key, and switch on versioning with object lock.")
	case isDenied(err):
		return backup.Exposure{Known: true, Detail: readOnly + " Nor may it delete (a test delete was refused)."}
	}
	return backup.Exposure{Known: true, Detail: readOnly + " Whether it may delete could not be tested (" + reason(err) + ")."}
}

func exposed(detail string) backup.Exposure {
	return backup.Exposure{Known: true, CanDelete: true, Detail: detail}
}

const (
	unversionedExposed = "Handwash wrote a 1-byte test object to the bucket with this machine's key, and the bucket keeps no old versions of what is written now: with this key, ransomware here could delete or overwrite every backup. Switch on versioning and object lock (compliance mode) for the bucket, or give this machine a key that can add backups but not delete them."
	versionDeleted     = "Handwash wrote a 1-byte test object with this machine's key and then deleted it for good, old version and all: with this key, ransomware here could delete every backup, versions included. Switch on object lock (compliance mode) with a retention period, or take the permission to delete versions (s3:DeleteObjectVersion) away from this key."
	governanceBypassed = "Object lock is in governance mode, but this machine's key may bypass it: Handwash deleted its 1-byte test object for good that way. Use compliance mode, or take s3:BypassGovernanceRetention away from this key."
)

func lockIgnored(p *backup.BucketProtection) string {
	if p.ObjectLock && p.RetentionDays > 0 {
		return " The bucket reports object lock, but it did not stop the delete: check the lock with the storage provider."
	}
	return ""
}

// refusedDetail explains a refused permanent delete in a bucket that keeps
// versions.
func refusedDetail(err error, p *backup.BucketProtection) string {
	locked := s3Code(err) == "ObjectLocked" || strings.Contains(strings.ToLower(s3Message(err)), "lock") ||
		strings.Contains(strings.ToLower(s3Message(err)), "retention")
	if locked && p.RetentionDays == 0 {
		return "Object lock stopped Handwash from deleting its 1-byte test object, so this machine's key cannot delete locked backups. Check with the storage provider how long backups are locked for."
	}
	if locked || (p.ObjectLock && p.RetentionDays > 0) {
		return fmt.Sprintf("%s stopped Handwash from deleting its 1-byte test object, so backups less than %d days old cannot be deleted with this machine's key; overwriting a backup only adds a new version.",
			lockText(p), p.RetentionDays)
	}
	return "This machine's key may write to the bucket, but it was refused when Handwash tried to delete its 1-byte test object for good, and the bucket keeps old versions, so overwriting a backup only adds a new version. (This does not test whether the key could change the bucket's settings, such as its lifecycle rules.)"
}

func lockText(p *backup.BucketProtection) string {
	if p.LockMode == "" {
		return "Object lock"
	}
	return fmt.Sprintf("Object lock (%s mode, %d days)", strings.ToLower(p.LockMode), p.RetentionDays)
}

// leftover says that the probe is still in the bucket, when it is.
func leftover(err error, key string, p *backup.BucketProtection) string {
	if err == nil {
		return ""
	}
	until := "Someone with full access to the bucket can delete it."
	if p.ObjectLock && p.RetentionDays > 0 {
		until = fmt.Sprintf("It can be deleted once its retention ends, %d days from now.", p.RetentionDays)
	}
	return fmt.Sprintf(" The 1-byte test object %q stays in the bucket; it is harmless. %s", key, until)
}

// judgeSettings judges the exposure from the bucket's settings alone, for
// when the probe is off. Only compliance-mode object lock settles it.
func judgeSettings(p *backup.BucketProtection) backup.Exposure {
	const off = " Handwash's write test was switched off, so it could not tell whether this machine's key can delete backups."
	switch {
	case p.ObjectLock && p.LockMode == "COMPLIANCE" && p.RetentionDays > 0:
		return backup.Exposure{Known: true, Detail: fmt.Sprintf("Object lock in compliance mode keeps every new backup for %d days, and no key can delete it before then.", p.RetentionDays)}
	case p.ObjectLock && p.RetentionDays > 0:
		return unknown("Object lock is in governance mode: a key with permission to bypass it could still delete backups." + off)
	case p.Versioning == "Enabled":
		return unknown("The bucket keeps old versions, but a key with permission to delete versions could still remove them." + off)
	case len(p.Errors) > 0:
		return unknown("Handwash could not read all of the bucket's settings." + off)
	}
	return unknown("The bucket keeps no old versions and has no object lock, so any key that can write to it could delete or overwrite the backups." + off)
}
