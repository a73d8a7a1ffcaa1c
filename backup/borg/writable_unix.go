//go:build unix

package borg

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"

	"golang.org/x/sys/unix"
)

// changeable walks the repository folder and returns the first file or
// folder in it that this account could change or delete: one it may
// write to, or one it owns (and so could give itself permission to), on
// a file system not mounted read-only. It writes nothing. known is false
// when the folder could not be looked at.
func changeable(dir string) (where string, known bool, err error) {
	if _, err := os.Stat(dir); err != nil {
		return "", false, err
	}
	// The walk's function returns no errors of its own, and the folder
	// itself was looked at above.
	_ = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if canChange(p) {
			where = p
			return filepath.SkipAll
		}
		if err != nil && d != nil && d.IsDir() {
			return filepath.SkipDir // cannot be listed, so its files cannot be found to delete
		}
		return nil
	})
	return where, true, nil
}

// canChange reports whether this account could change or delete what is
// at p (deleting a folder's files needs write permission on the folder).
func canChange(p string) bool {
	err := unix.Access(p, unix.W_OK)
	if err == nil {
		return true
	}
	if errors.Is(err, unix.EROFS) {
		return false
	}
	var st syscall.Stat_t
	return syscall.Stat(p, &st) == nil && int(st.Uid) == os.Geteuid()
}
