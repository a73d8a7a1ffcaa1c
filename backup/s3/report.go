package s3

import (
	"fmt"
	"strings"

	"github.com/handwash/handwash/backup"
)

// fill sets the restore test and the integrity check.
//
// Integrity: S3 has no repository check of its own, so Integrity.Ran is
// true only when at least one restored object could be checked against
// what the bucket stores for it (its size, and the MD5 in its ETag), and
// Subset is "checked/objects". An object that fails that check is also
// listed in Restore.Mismatched, since its restored copy is not what was
// uploaded.
func (r *restored) fill(v *backup.Verification, l *listing, c *config) {
	r.rt.Detail = r.restoreDetail(l, c)
	r.rt.Ran = r.rt.Ran && (r.rt.Files > 0 || len(r.rt.Unreadable) > 0)
	v.Restore = r.rt
	v.Integrity = r.integrity(l)
}

// restoreDetail adds what the shared report does not say from the counts
// (see backup.restoreFinding): where the sample came from and what was
// left out.
func (r *restored) restoreDetail(l *listing, c *config) string {
	var s []string
	switch {
	case l.objects == 0:
		s = append(s, fmt.Sprintf("There are no objects in %s: check the bucket and folder of the backup location.", location(c.Bucket, c.prefix)))
	case len(l.sample) == 0:
		s = append(s, fmt.Sprintf("All %s are larger than %s, so none was restored; raise the size limit to test them.", plural(l.objects, "object"), bytesText(c.MaxSampleBytes)))
	default:
		s = append(s, fmt.Sprintf("The sample was picked at random from %s in %s, restored into a temporary folder and then deleted.", plural(l.objects, "object"), location(c.Bucket, c.prefix)))
	}
	if r.notInSource > 0 {
		s = append(s, fmt.Sprintf("%s not compared because the original folder has no file of that name.", plural(r.notInSource, "object")))
	}
	if n := len(r.corrupt); n > 0 {
		s = append(s, fmt.Sprintf("%s did not match the checksum or size the bucket recorded when %s uploaded: %s.", plural(n, "object"), isAre(n, "it was", "they were"), strings.Join(r.corrupt, ", ")))
	}
	if l.tooLarge > 0 && len(l.sample) > 0 {
		s = append(s, fmt.Sprintf("%s larger than %s %s left out of the sample.", plural(l.tooLarge, "object"), bytesText(c.MaxSampleBytes), isAre(l.tooLarge, "was", "were")))
	}
	if l.truncated {
		s = append(s, fmt.Sprintf("Listing stopped at %d objects: there are more, and a newer backup may be among them.", maxListed))
	}
	return strings.Join(append(s, r.notes...), " ")
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}

func isAre(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

func (r *restored) integrity(l *listing) backup.Integrity {
	in := backup.Integrity{Ran: r.md5Checked > 0 || len(r.corrupt) > 0}
	switch {
	case len(r.corrupt) > 0:
		in.Detail = fmt.Sprintf("S3 has no check of its own, so Handwash checked each restored object against the checksum and size the bucket recorded when it was uploaded: %s did not match, so %s damaged: %s. Keep another copy of %s, and tell the storage provider.",
			plural(len(r.corrupt), "object"), isAre(len(r.corrupt), "it is", "they are"), strings.Join(r.corrupt, ", "), isAre(len(r.corrupt), "that file", "those files"))
	case in.Ran:
		in.OK = true
		in.Detail = fmt.Sprintf("S3 has no check of its own, so Handwash checked each restored object against the checksum the bucket recorded when it was uploaded: each sampled object's content matched (%d of %d restored objects have an MD5 checksum; objects uploaded in parts have none).",
			r.md5Checked, r.rt.Files)
	case r.rt.Files > 0:
		in.Detail = "S3 has no check of its own, and none of the restored objects has a checksum Handwash can check (objects uploaded in parts, or encrypted with a KMS key, store none)."
	default:
		in.Detail = "S3 has no check of its own, and no object was restored to check."
	}
	if in.Ran {
		in.Subset = fmt.Sprintf("%d/%d", r.md5Checked, l.objects)
	}
	return in
}

// bytesText formats a size for people: 512 bytes, 3.2 MiB.
func bytesText(n int64) string {
	const unit = 1024
	if n < unit {
		return plural(int(n), "byte")
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit && exp < 4; m /= unit {
		div *= unit
		exp++
	}
	s := fmt.Sprintf("%.1f", float64(n)/float64(div))
	s = strings.TrimSuffix(s, ".0")
	return s + " " + []string{"KiB", "MiB", "GiB", "TiB", "PiB"}[exp]
}
