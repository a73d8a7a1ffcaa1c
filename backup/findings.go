package backup

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/handwash/handwash"
)

// The controls a verification is judged by. Their IDs are stable:
// exceptions, scripts and dashboards refer to them.
const (
	ControlRecent    = "backup.verify.recent"
	ControlRestore   = "backup.verify.restore"
	ControlIntegrity = "backup.verify.integrity"
	ControlProtected = "backup.verify.protected"
	ControlBucket    = "backup.verify.bucket"
)

// DefaultMaxAge is the oldest the newest backup may be: a day, as the
// NCSC's "make backing up part of your everyday business" asks, and as
// the check's backup.recent control does.
const DefaultMaxAge = 24 * time.Hour

// MinRetentionDays is the fewest days a bucket must keep each backup
// before it can be deleted (object lock) and may keep it before a
// lifecycle rule deletes it. It is Handwash's own threshold, not a figure
// from the NCSC: criminals often spend days or weeks inside a network
// before they encrypt it, and damage is often noticed only at month end,
// so a month of backups that nobody can delete means one from before the
// attack is still there when it is found. It serves the NCSC's principles
// for ransomware-resistant cloud backups ("backups should be resilient to
// destructive actions"; "restore from a backup version, even if later
// versions become corrupted").
const MinRetentionDays = 30

// FindingOptions set how a verification is judged.
type FindingOptions struct {
	// MaxAge is the oldest the newest backup may be; 0 means
	// DefaultMaxAge.
	MaxAge time.Duration
	// Now is when ages are measured to; zero means when the verification
	// finished (or, failing that, the current time).
	Now time.Time
}

func (o FindingOptions) withDefaults(v *Verification) FindingOptions {
	if o.MaxAge <= 0 {
		o.MaxAge = DefaultMaxAge
	}
	if o.Now.IsZero() {
		o.Now = v.FinishedAt
	}
	if o.Now.IsZero() {
		o.Now = time.Now()
	}
	return o
}

// Findings judges a verification: recent, restore, integrity and
// protected for every kind, and bucket for an S3 bucket (v.Protection not
// nil). Failed and unknown findings carry why they matter and the steps
// to fix them for this kind of backup.
func Findings(v *Verification, opts FindingOptions) []handwash.Finding {
	opts = opts.withDefaults(v)
	fs := []handwash.Finding{recentFinding(v, opts), restoreFinding(v), integrityFinding(v), protectedFinding(v)}
	if v.Protection != nil {
		fs = append(fs, bucketFinding(v.Protection))
	}
	for i := range fs {
		f := &fs[i]
		f.Area = handwash.AreaBackup
		if f.Status == handwash.StatusFail || f.Status == handwash.StatusUnknown {
			f.Why = whyText[f.ControlID]
			f.Fix = fixText(f.ControlID, v)
		}
	}
	return fs
}

// Title returns the title of a control, as findings carry it.
func Title(control string, maxAge time.Duration) string {
	switch control {
	case ControlRecent:
		if maxAge <= 0 {
			maxAge = DefaultMaxAge
		}
		return "Newest backup no more than " + duration(maxAge) + " old"
	case ControlRestore:
		return "A sample of files restores whole"
	case ControlIntegrity:
		return "The backup's own integrity check passes"
	case ControlProtected:
		return "This computer cannot delete or overwrite the backups"
	case ControlBucket:
		return "The bucket keeps backups safe from deletion"
	}
	return control
}

func newFinding(control string, sev handwash.Severity, maxAge time.Duration) handwash.Finding {
	return handwash.Finding{ControlID: control, Severity: sev, Title: Title(control, maxAge)}
}

func recentFinding(v *Verification, o FindingOptions) handwash.Finding {
	f := newFinding(ControlRecent, handwash.SeverityHigh, o.MaxAge)
	f.Evidence = []handwash.Evidence{{Label: "Backups found", Value: strconv.Itoa(v.Backups)}}
	if v.Newest == nil {
		f.Status = handwash.StatusFail
		f.Summary = "No backups were found in this " + kindNoun(v.Kind) + "."
		return f
	}
	age := o.Now.Sub(*v.Newest)
	f.Evidence = append(f.Evidence, handwash.Evidence{Label: "Newest backup", Value: v.Newest.UTC().Format(time.RFC3339)},
		handwash.Evidence{Label: "Oldest allowed", Value: duration(o.MaxAge)})
	switch {
	case age < -5*time.Minute:
		f.Status = handwash.StatusPass
		f.Summary = fmt.Sprintf("The newest backup is dated %s, which is in the future: check the clocks of this computer and of the one that makes the backups.", When(*v.Newest))
	case age > o.MaxAge:
		f.Status = handwash.StatusFail
		f.Summary = fmt.Sprintf("The newest backup was taken %s ago (%s); it should be no more than %s old.", duration(age), When(*v.Newest), duration(o.MaxAge))
		if v.Kind == KindFolder {
			f.Summary += " A copy keeps each file's own date, so this may only mean that no file has changed since: if so, have the copy job update a marker file each time it finishes and give it with --marker."
		}
	default:
		f.Status = handwash.StatusPass
		f.Summary = fmt.Sprintf("The newest backup was taken %s ago (%s)%s.", duration(age), When(*v.Newest), backupsCount(v))
	}
	return f
}

func backupsCount(v *Verification) string {
	switch v.Kind {
	case KindRestic:
		return "; " + plural(v.Backups, "snapshot") + " in all"
	case KindBorg:
		return "; " + plural(v.Backups, "archive") + " in all"
	}
	return ""
}

func restoreFinding(v *Verification) handwash.Finding {
	r := v.Restore
	f := newFinding(ControlRestore, handwash.SeverityHigh, 0)
	f.Evidence = restoreEvidence(r)
	switch {
	case !r.Ran && v.Backups == 0 && v.Newest == nil:
		f.Status = handwash.StatusFail
		f.Summary = joinSentences("There is no backup to restore from.", r.Detail)
	case !r.Ran:
		f.Status = handwash.StatusUnknown
		f.Summary = joinSentences("The test restore could not be done.", r.Detail)
		f.Missing = []handwash.Missing{{Fact: "restore", Reason: handwash.ReasonError, Detail: r.Detail}}
	case r.OK():
		f.Status = handwash.StatusPass
		f.Summary = joinSentences(restoredSentence(v.Kind, r), comparedSentence(r), r.Detail)
	default: // a restore without files says why in Detail
		f.Status = handwash.StatusFail
		f.Summary = joinSentences(restoreProblems(r), r.Detail)
	}
	return f
}

func restoreEvidence(r RestoreTest) []handwash.Evidence {
	if !r.Ran {
		return nil
	}
	ev := []handwash.Evidence{
		{Label: "Files restored", Value: strconv.Itoa(r.Files)},
		{Label: "Size restored", Value: MB(r.Bytes)},
		{Label: "Compared with the originals", Value: strconv.Itoa(r.Compared)},
		{Label: "Identical", Value: strconv.Itoa(r.Matched)},
		{Label: "Changed since the backup, not compared", Value: strconv.Itoa(r.Changed)},
	}
	if r.Snapshot != "" {
		ev = append([]handwash.Evidence{{Label: "Restored from", Value: r.Snapshot}}, ev...)
	}
	if len(r.Mismatched) > 0 {
		ev = append(ev, handwash.Evidence{Label: "Different from the original", Value: strings.Join(r.Mismatched, ", ")})
	}
	if len(r.Unreadable) > 0 {
		ev = append(ev, handwash.Evidence{Label: "Could not be restored", Value: strings.Join(r.Unreadable, ", ")})
	}
	return ev
}

func restoredSentence(kind string, r RestoreTest) string {
	from := "the newest backup"
	if r.Snapshot != "" {
		from += " (" + snapshotNoun(kind) + " " + r.Snapshot + ")"
	}
	return fmt.Sprintf("%s (%s) were restored from %s and read back whole.", capitalise(plural(r.Files, "file")), MB(r.Bytes), from)
}

func comparedSentence(r RestoreTest) string {
	var parts []string
	switch {
	case r.Compared == 0 && r.Changed == 0:
		return "They were not compared with the originals."
	case r.Compared == r.Matched && r.Compared == 1:
		parts = append(parts, "the one whose original has not changed since the backup was identical to it")
	case r.Compared > 0:
		parts = append(parts, fmt.Sprintf("all %d whose originals have not changed since the backup were identical to them", r.Compared))
	}
	if r.Changed > 0 {
		parts = append(parts, fmt.Sprintf("%s changed since the backup, so %s not compared", plural(r.Changed, "original"), isAre(r.Changed, "was", "were")))
	}
	return capitalise(strings.Join(parts, "; ")) + "."
}

func restoreProblems(r RestoreTest) string {
	var s []string
	if r.Files == 0 && len(r.Unreadable) == 0 && r.Detail == "" {
		s = append(s, "The newest backup holds no files to restore.")
	}
	if n := len(r.Unreadable); n > 0 {
		s = append(s, fmt.Sprintf("%d of the %d files chosen could not be restored: %s.", n, n+r.Files, list(r.Unreadable, 5)))
	}
	if n := len(r.Mismatched); n > 0 {
		s = append(s, fmt.Sprintf("%s restored %s different from what was backed up (an original unchanged since the backup, or the size the backup recorded): %s.",
			capitalise(plural(n, "file")), isAre(n, "is", "are"), list(r.Mismatched, 5)))
	}
	if r.Files > 0 && (r.Compared > 0 || r.Changed > 0) && len(r.Mismatched) == 0 {
		s = append(s, comparedSentence(r))
	}
	return strings.Join(s, " ")
}

// hasOwnCheck reports whether a kind of backup has an integrity check of
// its own; a plain copy in a folder has none.
func hasOwnCheck(kind string) bool { return kind != KindFolder }

func integrityFinding(v *Verification) handwash.Finding {
	in := v.Integrity
	f := newFinding(ControlIntegrity, handwash.SeverityHigh, 0)
	if in.Ran && (v.Kind == KindRestic || in.Subset != "") {
		f.Evidence = []handwash.Evidence{{Label: "Data read", Value: subsetText(in.Subset)}}
	}
	switch {
	case !hasOwnCheck(v.Kind):
		f.Status = handwash.StatusNotApplicable
		f.Summary = firstNonEmpty(in.Detail, "A plain copy has no integrity check of its own: the test restore is its check.")
	case !in.Ran:
		f.Status = handwash.StatusUnknown
		f.Summary = joinSentences("The "+kindNoun(v.Kind)+"'s own check could not be run.", in.Detail)
		f.Missing = []handwash.Missing{{Fact: "integrity", Reason: handwash.ReasonError, Detail: in.Detail}}
	case in.OK:
		f.Status = handwash.StatusPass
		f.Summary = joinSentences(fmt.Sprintf("The %s's own check found no errors%s.", kindNoun(v.Kind), subsetSentence(v.Kind, in.Subset)), in.Detail)
	default:
		f.Status = handwash.StatusFail
		f.Summary = joinSentences("The "+kindNoun(v.Kind)+"'s own check found damage.", in.Detail)
	}
	return f
}

func subsetText(s string) string {
	switch s {
	case "":
		return "none (structure only)"
	case "all":
		return "all"
	}
	return s
}

// subsetSentence says how much data a check read, after a semicolon.
func subsetSentence(kind, s string) string {
	switch {
	case s == "" && kind == KindRestic:
		return "; it checked the structure, not the stored data (give --subset, such as 1/10, to read some of the data too)"
	case s == "":
		return ""
	case s == "all":
		return "; it read all the stored data"
	}
	return "; it read " + s + " of the stored data"
}

func protectedFinding(v *Verification) handwash.Finding {
	e := v.Exposure
	f := newFinding(ControlProtected, handwash.SeverityHigh, 0)
	switch {
	case !e.Known:
		f.Status = handwash.StatusUnknown
		f.Summary = joinSentences("Handwash could not tell whether this computer could delete or overwrite these backups.", e.Detail)
		f.Missing = []handwash.Missing{{Fact: "exposure", Reason: handwash.ReasonNotSupported, Detail: e.Detail}}
	case e.CanDelete:
		f.Status = handwash.StatusFail
		f.Summary = joinSentences("This computer could delete or overwrite these backups, and so could ransomware running on it.", e.Detail)
	default:
		f.Status = handwash.StatusPass
		f.Summary = joinSentences("This computer cannot delete or overwrite these backups.", e.Detail)
	}
	return f
}

func bucketFinding(p *BucketProtection) handwash.Finding {
	f := newFinding(ControlBucket, handwash.SeverityMedium, 0)
	f.Evidence = bucketEvidence(p)
	problems := bucketProblems(p)
	switch {
	case len(problems) > 0:
		f.Status = handwash.StatusFail
		f.Summary = joinSentences(capitalise(strings.Join(problems, "; "))+".", strings.Join(p.Errors, " "))
	case len(p.Errors) > 0:
		f.Status = handwash.StatusUnknown
		f.Summary = joinSentences("Some of the bucket's settings could not be read.", strings.Join(p.Errors, " "))
		for _, e := range p.Errors {
			f.Missing = append(f.Missing, handwash.Missing{Fact: "bucket", Reason: handwash.ReasonError, Detail: e})
		}
	default:
		f.Status = handwash.StatusPass
		f.Summary = fmt.Sprintf("Versioning is on; object lock (%s) keeps each backup for %d days; default encryption is %s; no lifecycle rule deletes backups within %d days.",
			firstNonEmpty(p.LockMode, "default mode"), p.RetentionDays, p.Encryption, MinRetentionDays)
	}
	return f
}

// bucketProblems lists what is wrong with the settings that could be read.
// A setting named in Errors (by "versioning", "object lock", "encryption"
// or "lifecycle") was not read and is not judged.
func bucketProblems(p *BucketProtection) []string {
	var out []string
	if !unread(p, "versioning") && !strings.EqualFold(p.Versioning, "Enabled") {
		out = append(out, map[bool]string{true: "versioning is suspended", false: "versioning is off"}[strings.EqualFold(p.Versioning, "Suspended")])
	}
	if !unread(p, "object lock") {
		switch {
		case !p.ObjectLock:
			out = append(out, "object lock is off")
		case p.RetentionDays == 0:
			out = append(out, "object lock has no default retention, so new backups are not locked")
		case p.RetentionDays < MinRetentionDays:
			out = append(out, fmt.Sprintf("object lock keeps each backup for only %s (at least %d are needed)", plural(p.RetentionDays, "day"), MinRetentionDays))
		}
	}
	if !unread(p, "encryption") && p.Encryption == "" {
		out = append(out, "the bucket has no default encryption")
	}
	if !unread(p, "lifecycle") && p.ExpiresAfterDays > 0 && p.ExpiresAfterDays < MinRetentionDays {
		out = append(out, fmt.Sprintf("a lifecycle rule deletes backups after %s (they should be kept at least %d)", plural(p.ExpiresAfterDays, "day"), MinRetentionDays))
	}
	return out
}

func unread(p *BucketProtection, setting string) bool {
	for _, e := range p.Errors {
		if strings.Contains(strings.ToLower(e), setting) {
			return true
		}
	}
	return false
}

func bucketEvidence(p *BucketProtection) []handwash.Evidence {
	lock := "off"
	if p.ObjectLock {
		lock = fmt.Sprintf("on, %s, %s", firstNonEmpty(p.LockMode, "no default mode"), plural(p.RetentionDays, "day"))
	}
	expiry := "none"
	if p.ExpiresAfterDays > 0 {
		expiry = plural(p.ExpiresAfterDays, "day")
	}
	rules := strconv.Itoa(p.LifecycleRules)
	return []handwash.Evidence{
		{Label: "Versioning", Value: readOr(p, "versioning", firstNonEmpty(p.Versioning, "never switched on"))},
		{Label: "Object lock", Value: readOr(p, "object lock", lock)},
		{Label: "Default encryption", Value: readOr(p, "encryption", firstNonEmpty(p.Encryption, "none"))},
		{Label: "Lifecycle rules", Value: readOr(p, "lifecycle", rules)},
		{Label: "Shortest expiry of backups", Value: readOr(p, "lifecycle", expiry)},
	}
}

// readOr is value, or "could not be read" for a setting named in Errors.
func readOr(p *BucketProtection, setting, value string) string {
	if unread(p, setting) {
		return "could not be read"
	}
	return value
}

// snapshotNoun is what a kind of backup calls one backup.
func snapshotNoun(kind string) string {
	switch kind {
	case KindRestic:
		return "snapshot"
	case KindBorg:
		return "archive"
	}
	return "backup"
}

// kindNoun names a kind of backup in a sentence.
func kindNoun(kind string) string {
	switch kind {
	case KindRestic, KindBorg:
		return "repository"
	case KindFolder:
		return "backup folder"
	case KindS3:
		return "bucket"
	}
	return "backup"
}

// When formats a time as reports show it.
func When(t time.Time) string { return t.UTC().Format("2 January 2006, 15:04 MST") }

// duration says how long d is in words: "40 minutes", "3 hours", "2 days".
func duration(d time.Duration) string {
	if d < 0 {
		d = -d
	}
	switch {
	case d < time.Minute:
		return "under a minute"
	case d < 2*time.Hour:
		return plural(int(d/time.Minute), "minute")
	case d < 72*time.Hour:
		return plural(int(d/time.Hour), "hour")
	}
	return plural(int(d/(24*time.Hour)), "day")
}

// MB formats a size in megabytes (millions of bytes).
func MB(n int64) string {
	switch {
	case n == 0:
		return "0 MB"
	case n < 100_000:
		return "under 0.1 MB"
	}
	return fmt.Sprintf("%.1f MB", float64(n)/1e6)
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return strconv.Itoa(n) + " " + word + "s"
}

func isAre(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// list joins up to max names, saying how many more there are.
func list(names []string, max int) string {
	if len(names) <= max {
		return strings.Join(names, ", ")
	}
	return strings.Join(names[:max], ", ") + fmt.Sprintf(" and %d more", len(names)-max)
}

func joinSentences(s ...string) string {
	var out []string
	for _, x := range s {
		if x = strings.TrimSpace(x); x != "" {
			out = append(out, x)
		}
	}
	return strings.Join(out, " ")
}

func firstNonEmpty(s ...string) string {
	for _, x := range s {
		if x != "" {
			return x
		}
	}
	return ""
}

func capitalise(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
