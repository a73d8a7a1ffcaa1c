package backup

import (
	"fmt"
	"os"
	"os/user"
	"path/filepath"
	"runtime"
)

// LocalExposure answers the ransomware question for a backup on a disk or
// share this computer reaches: could this account change any of paths
// (root and what is in it)? It asks the system (see Modifiable) and writes
// nothing. what names the backup in sentences: "the repository", "the
// copy".
func LocalExposure(root string, paths []string, what string) Exposure {
	known, writable := Modifiable(paths)
	who := account()
	switch {
	case !known && runtime.GOOS == "windows":
		return Exposure{Detail: "Handwash cannot yet read Windows folder permissions: open the backup folder's Properties > Security tab, and check that the accounts people sign in with have only Read access to it."}
	case !known:
		return Exposure{Detail: fmt.Sprintf("Handwash could not look at %s's folders to see who may change them.", what)}
	case len(writable) > 0:
		return Exposure{Known: true, CanDelete: true, Detail: fmt.Sprintf("%s may delete or change %s: it can write to %s.%s", who, what, names(root, writable, what), rootNote())}
	}
	return Exposure{Known: true, Detail: fmt.Sprintf("%s cannot write to %s's folders or files, and does not own them, so it cannot delete or change them.", who, what)}
}

// names lists up to three paths, relative to root (what's own folder).
func names(root string, paths []string, what string) string {
	var out []string
	for _, p := range paths {
		rel, err := filepath.Rel(root, p)
		switch {
		case err == nil && rel == ".":
			out = append(out, what+"'s own folder")
		case err == nil && filepath.IsLocal(rel):
			out = append(out, filepath.ToSlash(rel))
		default:
			out = append(out, p)
		}
	}
	return list(out, 3)
}

func account() string {
	if u, err := user.Current(); err == nil && u.Username != "" {
		return "This account (" + u.Username + ")"
	}
	return "This account"
}

func rootNote() string {
	if runtime.GOOS != "windows" && os.Geteuid() == 0 {
		return " Handwash is running as root, which may change anything on this computer's disks: run it as the account the backups run as, or as a staff account, to see what they could do."
	}
	return ""
}
