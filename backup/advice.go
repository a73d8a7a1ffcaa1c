package backup

import (
	"regexp"
	"strings"
)

// whyText says, for each control, why it matters to a care provider.
var whyText = map[string]string{
	ControlRecent: "A backup is only as good as its last run. If it quietly stopped last week, a failed disk or a ransomware " +
		"attack loses everything written since: care notes, medication records, rotas, letters. The NCSC asks small " +
		"organisations to make backing up part of their everyday business; a daily backup means you lose at most a day's work.",
	ControlRestore: "A backup that has never been restored from is a hope, not a backup: copies can be incomplete, damaged or " +
		"unreadable without anyone noticing until the day they are needed, when a disk has failed or ransomware has struck. " +
		"The NCSC asks you to test that your backups can be restored, and the Data Security and Protection Toolkit asks " +
		"(7.3.4) whether backups are routinely tested to make sure data and information can be restored.",
	ControlIntegrity: "Backups sit for months on disks and servers that slowly fail, and one damaged piece of a backup " +
		"repository can spoil many files in every backup that shares it. The repository's own check reads the backups back " +
		"and confirms every piece is whole, so damage is found while the originals still exist, not on the day you need " +
		"them. The Data Security and Protection Toolkit (7.3.4) asks that backups are routinely tested.",
	ControlProtected: "Ransomware deletes or encrypts every backup it can reach before it asks for payment: criminals look " +
		"for the backups first. A backup that the computers it protects cannot delete or change survives the attack and " +
		"lets you restore residents' and patients' records without paying. The NCSC asks you to keep your backup separate " +
		"from your computer, and its principles for ransomware-resistant backups ask that backups resist destructive actions.",
	ControlBucket: "Cloud storage is not safe from ransomware by itself: a criminal holding this computer's key can delete " +
		"the backups in a bucket as easily as the backup program writes them. Versioning keeps earlier copies when files are " +
		"overwritten, object lock stops anyone deleting them for a set time, encryption protects the records if the storage " +
		"is exposed, and a lifecycle rule that deletes backups too soon leaves nothing to go back to. These are the " +
		"safeguards the NCSC's principles for ransomware-resistant cloud backups ask for. Handwash asks for at least 30 " +
		"days (its own threshold, not an NCSC figure) so that a backup from before an attack is still there when the " +
		"attack is found.",
}

// fixSteps gives, for each control, the steps to put it right for each kind
// of backup; "" is for any other kind. {{repo}} stands for the backup's
// location and {{bucket}} for an S3 bucket's name.
var fixSteps = map[string]map[string]string{
	ControlRecent: {
		KindRestic: `1. Check the backup job is still scheduled and succeeding: on Linux run ` + "`systemctl list-timers`" + ` and ` + "`journalctl -u <your backup unit>`" + `; on Windows open Task Scheduler and look at the task's "Last Run Result".
2. Run the backup once by hand, ` + "`restic -r {{repo}} backup <folders>`" + `, and fix any error it shows (a full disk, a changed password, a server that cannot be reached).
3. Run handwash backup verify again tomorrow to confirm the backup now runs by itself.`,
		KindBorg: `1. Check the backup job is still scheduled and succeeding: on Linux run ` + "`systemctl list-timers`" + ` and ` + "`journalctl -u <your backup unit>`" + `.
2. Run the backup once by hand, ` + "`borg create {{repo}}::{now} <folders>`" + `, and fix any error it shows (a full disk, a changed passphrase, a server that cannot be reached).
3. Run handwash backup verify again tomorrow to confirm the backup now runs by itself.`,
		KindFolder: `1. Check the copy job (robocopy or rsync in a scheduled task, or the NAS's own backup app) is still scheduled and finishes without errors: on Windows open Task Scheduler and look at the task's "Last Run Result".
2. Make sure the backup disk or NAS is connected, switched on and has free space.
3. Run the copy once by hand and read its log for errors.
4. If nothing changed since the last copy, the newest file can be old even though the copy runs: have the job write a marker file when it finishes (for example a last-backup.txt file in {{repo}}) and give it with --marker.`,
		KindS3: `1. Check the program that uploads to the bucket is still scheduled and succeeding: read its log.
2. Check the key it uses has not expired or been removed, and that the account is not over a quota or unpaid.
3. Run the backup once by hand and fix any error it shows.`,
		"": `1. Check the backup job is still scheduled and read its log for errors.
2. Make sure the place the backups go to is reachable and has free space.
3. Run the backup once by hand and fix any error it shows.`,
	},
	ControlRestore: {
		KindRestic: `1. Run ` + "`restic -r {{repo}} check --read-data`" + ` to see every damaged part of the repository (it reads all the data, so on a large or remote repository it takes a while).
2. Meanwhile start a new repository on another disk or server and take a full backup into it, so that you have one good backup now: ` + "`restic -r <new location> init`" + `, then ` + "`restic -r <new location> backup <folders>`" + `.
3. Ask your IT provider to repair the old repository following the "Troubleshooting" chapter of the restic manual, or to retire it once the new one has checked clean for a few weeks.
4. Check the disk holding the repository for faults (Windows: the drive's Properties > Tools > Check; Linux: ` + "`sudo smartctl -a /dev/sdX`" + `) and replace it if it reports errors.`,
		KindBorg: `1. Run ` + "`borg check --verify-data {{repo}}`" + ` to see every damaged part of the repository.
2. Meanwhile start a new repository on another disk or server and take a full backup into it, so that you have one good backup now.
3. Ask your IT provider whether to repair the old repository (` + "`borg check --repair`" + `, only after copying it) or to retire it once the new one has checked clean for a few weeks.
4. Check the disk holding the repository for faults and replace it if it reports errors.`,
		KindFolder: `1. Open the files named above from the backup copy: if they will not open, or differ from the originals, the copy is damaged.
2. Check the backup disk or NAS for faults (Windows: the drive's Properties > Tools > Check; a NAS: its storage manager's health page) and replace a failing disk.
3. Make a fresh, complete copy onto a healthy disk and run handwash backup verify on it.`,
		KindS3: `1. Download the files named above from the storage provider's console and try to open them.
2. Read the backup program's log for failed uploads, and take a full backup again.
3. If files keep coming back damaged, contact the storage provider.`,
		"": `1. Try to open the files named above from the backup.
2. Check the backup's disk or service for faults, and take a full backup again onto a healthy one.
3. Run handwash backup verify again.`,
	},
	ControlIntegrity: {
		KindRestic: `1. Run ` + "`restic -r {{repo}} check --read-data`" + ` to see every damaged part (or, if the check could not run, the reason).
2. Until the repository checks clean, back up to a new repository on another disk or server as well, so that you always have one good backup.
3. Ask your IT provider to repair the repository following the "Troubleshooting" chapter of the restic manual, and to check the disk or server it is on for hardware faults.
4. Schedule a regular check that reads part of the data each time, for example weekly: ` + "`restic -r {{repo}} check --read-data-subset 10%`" + `.`,
		KindBorg: `1. Run ` + "`borg check --verify-data {{repo}}`" + ` to see every damaged part (or, if the check could not run, the reason).
2. Until the repository checks clean, back up to a new repository on another disk or server as well.
3. Ask your IT provider whether to repair it (` + "`borg check --repair`" + `, only after copying it) and to check the disk it is on for faults.
4. Schedule ` + "`borg check`" + ` to run weekly.`,
		"": `1. Run the backup program's own check by hand to see what is damaged, or why the check could not run.
2. Until the backup checks clean, back up to a second place as well, so that you always have one good backup.
3. Ask your IT provider to repair the backup and to check the disk or service it is on for faults.`,
	},
	ControlProtected: {
		KindRestic: `1. Keep the repository where this computer can add backups but not delete or change them: run restic's rest-server on a separate machine or NAS with --append-only (for example ` + "`rest-server --path /srv/restic --append-only --private-repos`" + `) and back up to ` + "`rest:https://<server>:8000/<name>/`" + `.
2. Remove old backups (` + "`restic forget --prune`" + `) only on the server itself or from an administrator's computer, with an account this computer does not have.
3. For a repository on a USB or local disk, unplug the disk after each backup, and keep a second copy somewhere else.
4. For a repository reached over SFTP, switch to rest-server with --append-only, or make sure the server keeps snapshots that the backup account cannot change (ZFS, Btrfs or NAS snapshots).
5. For a cloud bucket, turn on versioning and object lock and check them with handwash backup verify --kind s3.`,
		KindBorg: `1. On the backup server, limit this computer's SSH key to adding backups: in the backup account's ~/.ssh/authorized_keys put ` + "`command=\"borg serve --append-only --restrict-to-path /srv/borg/<repository>\",restrict`" + ` before the key.
2. Prune old archives only on the server itself, or from an administrator's computer with another key.
3. For a repository on a USB or local disk, unplug the disk after each backup, and keep a second copy somewhere else.`,
		KindFolder: `1. Make the backup folder read-only for staff accounts: on the NAS, give the staff (or "everyone") group read-only access to the backup share, and do not map it as a drive letter.
2. Run the copy as a separate backup account that nobody signs in with (a scheduled task running as that account), or have the NAS pull the copy from this computer itself.
3. Turn on the NAS's snapshots (Synology: Snapshot Replication; QNAP: Snapshots), so that earlier versions survive even if the copy is encrypted.
4. For a USB disk, unplug it after each copy and use two disks in turn, one kept away from the building.`,
		KindS3: `1. Turn on versioning and object lock with a default retention of at least 30 days (see "The bucket keeps backups safe from deletion").
2. Give this computer a key that cannot remove earlier versions or change the bucket's settings: leave s3:DeleteObjectVersion, s3:PutBucketVersioning, s3:PutLifecycleConfiguration, s3:PutBucketObjectLockConfiguration and s3:BypassGovernanceRetention out of its policy. Leave out s3:DeleteObject too unless the backup program needs it (restic does, for its lock files; with versioning on, a delete only hides a file and its earlier version stays).
3. Keep the key that can delete old backups off this computer, with the account owner.`,
		"": `1. Keep the backups where this computer can add to them but not delete or change them: an append-only backup server, a NAS with snapshots, or cloud storage with object lock.
2. Remove old backups only from the backup server, or from an administrator's computer with an account this computer does not have.
3. For a USB disk, unplug it after each backup.`,
	},
	ControlBucket: {
		"": `1. Turn on versioning: in the AWS console open the bucket > Properties > Bucket Versioning > Edit > Enable, or run ` + "`aws s3api put-bucket-versioning --bucket {{bucket}} --versioning-configuration Status=Enabled`" + `. Backblaze B2, Wasabi and other providers have the same setting in the bucket's settings.
2. Turn on object lock with a default retention of at least 30 days: Properties > Object Lock > Edit > Enable, default retention mode Governance (or Compliance, which not even the account owner can shorten), 30 days; or run ` + "`aws s3api put-object-lock-configuration --bucket {{bucket}} --object-lock-configuration '{\"ObjectLockEnabled\":\"Enabled\",\"Rule\":{\"DefaultRetention\":{\"Mode\":\"GOVERNANCE\",\"Days\":30}}}'`" + `. Some providers allow object lock only on a new bucket: create one with it on and point the backup at it.
3. Turn on default encryption: Properties > Default encryption > Edit > SSE-S3, or run ` + "`aws s3api put-bucket-encryption --bucket {{bucket}} --server-side-encryption-configuration '{\"Rules\":[{\"ApplyServerSideEncryptionByDefault\":{\"SSEAlgorithm\":\"AES256\"}}]}'`" + `.
4. Open Management > Lifecycle rules and change any rule that deletes backups sooner than 30 days.`,
	},
}

// fixText returns the steps for control on this kind of backup, with its
// location filled in.
func fixText(control string, v *Verification) string {
	steps := fixSteps[control]
	s, ok := steps[v.Kind]
	if !ok {
		s = steps[""]
	}
	return strings.NewReplacer("{{repo}}", shellQuote(v.Location), "{{bucket}}", bucketName(v.Location)).Replace(s)
}

var shellSafe = regexp.MustCompile(`^[A-Za-z0-9_@%+=:,./\\-]+$`)

// shellQuote quotes s for a shell when it holds anything but plain
// characters.
func shellQuote(s string) string {
	if s == "" {
		return "<location>"
	}
	if shellSafe.MatchString(s) {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// bucketName is the bucket in a location such as s3://bucket/prefix.
func bucketName(loc string) string {
	rest, ok := strings.CutPrefix(loc, "s3://")
	if !ok {
		return "<bucket>"
	}
	name, _, _ := strings.Cut(rest, "/")
	if name == "" || !shellSafe.MatchString(name) {
		return "<bucket>"
	}
	return name
}
