package main

import (
	"context"
	"errors"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/handwash/handwash"
	"github.com/handwash/handwash/backup"
	"github.com/handwash/handwash/backup/borg"
	"github.com/handwash/handwash/backup/folder"
	"github.com/handwash/handwash/backup/restic"
	"github.com/handwash/handwash/backup/s3"
)

func newBackupCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "backup",
		Short: "Prove backups are recent, can be restored and are kept apart",
		Long: `Prove that backups are recent, can be restored and are kept apart.

A backup is only worth having if it is recent, if files really come back from
it, and if ransomware on the computers it protects cannot delete it first.
handwash backup verify tests all three on one backup, the way the NCSC asks
("test they can be restored"; "keep your backup separate from your
computer") and the Data Security and Protection Toolkit asks (7.3.4: "Are
backups routinely tested to make sure that data and information can be
restored?").`,
	}
	cmd.AddCommand(newBackupVerifyCommand())
	for _, c := range cmd.Commands() {
		c.Args = wrapArgs(c.Args)
	}
	return cmd
}

type backupVerifyOptions struct {
	kind         string
	repo         string
	passwordFile string
	source       string
	sample       int
	subset       string
	marker       string
	maxAge       time.Duration
	format       string
	output       string
	failOn       string
	restic       string
	endpoint     string
	region       string
	insecureHTTP bool
	noProbe      bool
}

func newBackupVerifyCommand() *cobra.Command {
	var o backupVerifyOptions
	cmd := &cobra.Command{
		Use:   "verify --kind restic|borg|folder|s3 --repo LOCATION",
		Short: "Check one backup: its age, a test restore, its own check, and who could delete it",
		Long: `Check one backup and say in plain English what to fix:

  - the newest backup, and whether it is within --max-age (a day unless told);
  - a test restore of a random sample of files (--sample, 20 unless told) into
    a temporary folder, each compared by SHA-256 with the original in --source
    where the original has not changed since the backup;
  - the backup's own integrity check (restic check; --subset reads part of the
    stored data too, such as 1/10, or all of it);
  - whether this computer could delete or overwrite the backups, as
    ransomware running here would (for a restic REST server: whether it is in
    append-only mode).

Kinds of backup:
  restic  a restic repository: a folder, or rest:, sftp:, s3: and the others,
          as restic -r takes it. The password comes from --password-file (or
          RESTIC_PASSWORD_FILE, RESTIC_PASSWORD or RESTIC_PASSWORD_COMMAND, if
          set); it is passed to restic only through its environment. Needs the
          restic program (sudo apt install restic).
  folder  a plain copy of a folder on another disk or a NAS (robocopy, rsync, a
          NAS backup app). The newest file in it is taken as the newest backup,
          unless --marker names a file the copy job updates when it finishes.
  borg    a BorgBackup repository: a folder, or ssh://… as borg takes it. The
          passphrase comes from --password-file and is passed to borg only
          through its environment. --subset all runs borg check --verify-data,
          which reads every chunk (slow); without it borg checks the structure
          and the stored checksums. Needs the borg program (sudo apt install
          borgbackup).
  s3      an S3-compatible bucket (AWS, Backblaze B2, Wasabi, a NAS's S3
          service) as s3://BUCKET/PREFIX, with --endpoint for anything but
          AWS. The keys come from AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY
          (and AWS_SESSION_TOKEN), or from --password-file holding the access
          key and the secret key on two lines. Besides the sample, it reads the
          bucket's versioning, object lock, encryption and lifecycle rules, and
          asks whether these keys could delete backups for good: it uploads a
          1-byte object named .handwash-probe-… under the prefix and deletes it
          (--no-write-probe judges from the settings alone).

Nothing is written to the backup or the originals: listing and restoring run
without restic's lock, and restic check takes its usual lock (when this
computer could write one).

` + backupExitCodesHelp,
		Example: `  handwash backup verify --kind restic --repo /mnt/backup/restic --password-file /root/restic-pw --source /home/office
  handwash backup verify --kind restic --repo rest:https://backup.example:8000/office/ --password-file pw.txt --subset 1/10
  handwash backup verify --kind folder --repo '\\nas\backup\office' --source 'C:\Users\office\Documents'
  handwash backup verify --kind folder --repo /mnt/usb/backup --marker last-backup.txt --format json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runBackupVerify(cmd, o) },
	}
	fl := cmd.Flags()
	fl.StringVar(&o.kind, "kind", "", "kind of backup: restic, borg, folder or s3")
	fl.StringVar(&o.repo, "repo", "", "the backup's location: a restic repository as restic -r takes it, or the folder holding a copy")
	fl.StringVar(&o.passwordFile, "password-file", "", "restic, borg: a file holding the repository's password; s3: a file holding the access key and the secret key, one per line")
	fl.StringVar(&o.endpoint, "endpoint", "", "s3: the service's host[:port], such as s3.eu-west-2.wasabisys.com (default: AWS)")
	fl.StringVar(&o.region, "region", "", "s3: the bucket's region (default: ask the service)")
	fl.BoolVar(&o.insecureHTTP, "insecure-http", false, "s3: plain HTTP, for a service on this machine only")
	fl.BoolVar(&o.noProbe, "no-write-probe", false, "s3: do not upload and delete a 1-byte probe object to test the keys")
	fl.StringVar(&o.source, "source", "", "the original folder, to compare restored files with")
	fl.IntVar(&o.sample, "sample", backup.DefaultSample, "how many files to restore, chosen at random")
	fl.StringVar(&o.subset, "subset", "", "restic: the part of the stored data restic check reads, such as 1/10 or 5%, or all (default: the structure only)")
	fl.StringVar(&o.marker, "marker", "", "folder: a file the copy job updates each time it finishes (relative names are inside --repo)")
	fl.DurationVar(&o.maxAge, "max-age", backup.DefaultMaxAge, "the oldest the newest backup may be, such as 24h or 72h")
	fl.StringVarP(&o.format, "format", "f", "text", "output format: text or json")
	fl.StringVarP(&o.output, "output", "o", "", "write the result to this file instead of standard output")
	fl.StringVar(&o.failOn, "fail-on", "high", `exit with code 1 if a finding fails at or above this severity: critical, high, medium, low or info ("" never)`)
	fl.StringVar(&o.restic, "restic", "", "restic: the restic program to run (default: restic on the PATH)")
	return cmd
}

const backupExitCodesHelp = `Exit codes:
  0  verified, and nothing failed at or above --fail-on
  1  a finding failed at or above --fail-on (high unless told)
  2  usage or input error: bad flag, restic not installed, wrong password, no
     backup at the location, or a repository locked by another restic
     (nothing was changed)
  3  internal error (please report it)`

func runBackupVerify(cmd *cobra.Command, o backupVerifyOptions) error {
	failOn, err := o.check()
	if err != nil {
		return err
	}
	v, err := verifyBackup(cmd.Context(), o)
	if err != nil {
		return usageOrInternal(err)
	}
	fs := backup.Findings(v, backup.FindingOptions{MaxAge: o.maxAge})
	if err := writeOutput(cmd, o.output, func(w io.Writer) error {
		if o.format == "json" {
			return writeJSON(w, backup.NewResult(v, fs))
		}
		return backup.WriteText(w, v, fs)
	}); err != nil {
		return err
	}
	return failuresAtOrAbove(failOn, fs, func(f handwash.Finding) (bool, handwash.Severity) {
		return f.Status == handwash.StatusFail, f.Severity
	})
}

// check validates the flags that do not depend on the kind's own checks.
func (o backupVerifyOptions) check() (handwash.Severity, error) {
	if o.format != "text" && o.format != "json" {
		return "", handwash.Errorf(handwash.EINVALID, "unknown --format %q: use text or json", o.format)
	}
	failOn, err := parseFailOn(o.failOn)
	if err != nil {
		return "", err
	}
	if o.maxAge <= 0 {
		return "", handwash.Errorf(handwash.EINVALID, "--max-age %s: give how old the newest backup may be, such as 24h", o.maxAge)
	}
	if o.kind == "" {
		return "", handwash.Errorf(handwash.EINVALID, "--kind: say what kind of backup --repo is: restic, borg, folder or s3")
	}
	if err := o.flagsFitKind(); err != nil {
		return "", err
	}
	return failOn, nil
}

// kindFlags lists the flags that apply to some kinds only, with the kinds.
var kindFlags = []struct {
	flag  string
	kinds []string
	set   func(o backupVerifyOptions) bool
}{
	{"--password-file", []string{backup.KindRestic, backup.KindBorg, backup.KindS3}, func(o backupVerifyOptions) bool { return o.passwordFile != "" }},
	{"--subset", []string{backup.KindRestic, backup.KindBorg}, func(o backupVerifyOptions) bool { return o.subset != "" }},
	{"--restic", []string{backup.KindRestic}, func(o backupVerifyOptions) bool { return o.restic != "" }},
	{"--marker", []string{backup.KindFolder}, func(o backupVerifyOptions) bool { return o.marker != "" }},
	{"--endpoint", []string{backup.KindS3}, func(o backupVerifyOptions) bool { return o.endpoint != "" }},
	{"--region", []string{backup.KindS3}, func(o backupVerifyOptions) bool { return o.region != "" }},
	{"--insecure-http", []string{backup.KindS3}, func(o backupVerifyOptions) bool { return o.insecureHTTP }},
	{"--no-write-probe", []string{backup.KindS3}, func(o backupVerifyOptions) bool { return o.noProbe }},
}

// flagsFitKind refuses a flag given for a kind it does not apply to.
func (o backupVerifyOptions) flagsFitKind() error {
	for _, k := range kindFlags {
		if k.set(o) && !slices.Contains(k.kinds, o.kind) {
			return handwash.Errorf(handwash.EINVALID, "%s applies to --kind %s, not to --kind %s", k.flag, strings.Join(k.kinds, " or "), o.kind)
		}
	}
	if o.kind == backup.KindBorg && o.subset != "" && o.subset != "all" {
		return handwash.Errorf(handwash.EINVALID, "--subset %q: borg reads all of the data or none of it: give --subset all, or leave it out", o.subset)
	}
	return nil
}

// verifyBackup runs the kind's verification.
func verifyBackup(ctx context.Context, o backupVerifyOptions) (*backup.Verification, error) {
	switch o.kind {
	case backup.KindRestic:
		return restic.Verify(ctx, restic.Options{Repo: o.repo, PasswordFile: o.passwordFile, Source: o.source,
			Sample: o.sample, Subset: o.subset, Restic: o.restic, Now: now})
	case backup.KindFolder:
		return folder.Verify(ctx, folder.Options{Copy: o.repo, Source: o.source, Marker: o.marker, Sample: o.sample, Now: now})
	case backup.KindBorg:
		return borg.Verify(ctx, borg.Options{Repo: o.repo, PassphraseFile: o.passwordFile, Source: o.source, Sample: o.sample,
			VerifyData: o.subset == "all", Now: now})
	case backup.KindS3:
		return verifyBucket(ctx, o)
	}
	return nil, handwash.Errorf(handwash.EINVALID, "unknown --kind %q: use restic, borg, folder or s3", o.kind)
}

// verifyBucket verifies an S3-compatible bucket with keys from
// --password-file or the environment.
func verifyBucket(ctx context.Context, o backupVerifyOptions) (*backup.Verification, error) {
	bucket, prefix, err := s3.ParseLocation(o.repo)
	if err != nil {
		return nil, err
	}
	opts := s3.Options{Bucket: bucket, Prefix: prefix, Endpoint: o.endpoint, Region: o.region, Insecure: o.insecureHTTP,
		Source: o.source, Sample: o.sample, NoWriteProbe: o.noProbe, Now: now,
		AccessKey: os.Getenv("AWS_ACCESS_KEY_ID"), SecretKey: os.Getenv("AWS_SECRET_ACCESS_KEY"), SessionToken: os.Getenv("AWS_SESSION_TOKEN")}
	if o.passwordFile != "" {
		if opts.AccessKey, opts.SecretKey, err = readKeyFile(o.passwordFile); err != nil {
			return nil, err
		}
		opts.SessionToken = ""
	}
	return s3.Verify(ctx, opts)
}

// readKeyFile reads an access key and a secret key, one per line.
func readKeyFile(path string) (access, secret string, err error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", "", handwash.Errorf(handwash.EINVALID, "--password-file: %v", err)
	}
	if len(b) > 4096 {
		return "", "", handwash.Errorf(handwash.EINVALID, "--password-file %s: over 4 KiB: give the access key and the secret key, one per line", path)
	}
	var lines []string
	for _, l := range strings.Split(string(b), "\n") {
		if l = strings.TrimSpace(l); l != "" {
			lines = append(lines, l)
		}
	}
	if len(lines) != 2 {
		return "", "", handwash.Errorf(handwash.EINVALID, "--password-file %s: give the access key and the secret key, one per line (found %d lines)", path, len(lines))
	}
	return lines[0], lines[1], nil
}

// usageOrInternal makes a locked repository (ECONFLICT: try again later)
// exit with code 2 like the other input problems, since the exit codes
// give 3 to internal errors alone.
func usageOrInternal(err error) error {
	var e *handwash.Error
	if errors.As(err, &e) && e.Code == handwash.ECONFLICT {
		return &handwash.Error{Code: handwash.EINVALID, Message: e.Message, Err: err}
	}
	return err
}
