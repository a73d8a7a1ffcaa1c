package borg

import (
	"fmt"
	"strings"
)

// detail says in plain English what the test restore found.
func (t *tally) detail(a *archive, source string, left, damaged int) string {
	parts := []string{fmt.Sprintf("Restored %s (%s) from the newest backup, %s (taken %s), into a temporary folder, then deleted them.",
		plural(t.Files, "file"), formatBytes(t.Bytes), a.Name, a.Start.Local().Format("2 January 2006 15:04 MST"))}
	if n := len(t.Unreadable); n > 0 {
		parts = append(parts, fmt.Sprintf("%s could not be restored whole: %s.", plural(n, "file"), listPaths(t.Unreadable)))
	}
	if t.said != "" {
		parts = append(parts, "borg said: "+t.said)
	}
	parts = append(parts, t.comparison(source))
	if left > 0 {
		parts = append(parts, fmt.Sprintf("%s picked were left out to keep the test small.", plural(left, "large file")))
	}
	if damaged > 0 {
		parts = append(parts, fmt.Sprintf("borg lists %s in this backup as damaged (parts of the data are missing): run borg check on the repository.", plural(damaged, "file")))
	}
	return strings.Join(parts, " ") + t.leftoverNote()
}

// comparison says how the restored files compared with the originals.
func (t *tally) comparison(source string) string {
	if source == "" {
		return "No original folder was given, so they were not compared with the originals; borg checked every piece of them as it restored them."
	}
	var s string
	switch n := len(t.Mismatched); {
	case n > 0:
		s = fmt.Sprintf("%d of the %d compared with the originals in %s were different, though the originals have not changed since the backup, so the backup may be damaged: %s.", n, t.Compared, source, listPaths(t.Mismatched))
	case t.Compared > 0:
		s = fmt.Sprintf("All %d compared with the originals in %s were identical.", t.Compared, source)
	default:
		s = fmt.Sprintf("None could be compared with the originals in %s.", source)
	}
	if t.Changed > 0 {
		verb := "files were"
		if t.Changed == 1 {
			verb = "file was"
		}
		s += fmt.Sprintf(" %d %s not compared because the original has changed since the backup, or is not in %s.", t.Changed, verb, source)
	}
	return s
}

func (t *tally) leftoverNote() string {
	if t.leftover == "" {
		return ""
	}
	return fmt.Sprintf(" Handwash could not delete the restored copies in %s: delete that folder yourself.", t.leftover)
}

// listPaths names up to five files.
func listPaths(paths []string) string {
	if len(paths) <= 5 {
		return strings.Join(paths, ", ")
	}
	return strings.Join(paths[:5], ", ") + fmt.Sprintf(" and %d more", len(paths)-5)
}

// formatBytes says a size the way people read it: 3.2 MB.
func formatBytes(n int64) string {
	const unit = 1000
	if n < unit {
		return plural(int(n), "byte")
	}
	f, u := float64(n), "kB"
	for _, next := range []string{"MB", "GB", "TB"} {
		if f/unit < unit {
			break
		}
		f, u = f/unit, next
	}
	return fmt.Sprintf("%.1f %s", f/unit, u)
}
