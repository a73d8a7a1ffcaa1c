//go:build unix

package backup

import (
	"errors"
	"io/fs"
	"os"
	"syscall"

	"golang.org/x/sys/unix"
)

// Modifiable reports which of paths this user could change: write to (a
// folder: add, rename or delete what is in it), or make writable because
// the user owns it. It only asks the system (access(2), then the mode
// bits); it never writes anything. known is false when no path could be
// looked at.
func Modifiable(paths []string) (known bool, writable []string) {
	for _, p := range paths {
		ok, err := modifiable(p)
		if err != nil {
			continue
		}
		known = true
		if ok {
			writable = append(writable, p)
		}
	}
	return known, writable
}

func modifiable(p string) (bool, error) {
	st, err := os.Lstat(p)
	if err != nil {
		return false, err
	}
	switch err := unix.Access(p, unix.W_OK); {
	case err == nil:
		return true, nil
	case errors.Is(err, unix.EROFS):
		return false, nil // a read-only mount: not even root can write
	case errors.Is(err, unix.EACCES), errors.Is(err, unix.EPERM):
		return ownedByMe(st), nil // an owner can chmod it writable
	}
	return modeWritable(st), nil
}

// ownedByMe reports whether this user owns the file, or is root.
func ownedByMe(st fs.FileInfo) bool {
	sys, ok := st.Sys().(*syscall.Stat_t)
	if !ok {
		return false
	}
	uid := os.Geteuid()
	return uid == 0 || int(sys.Uid) == uid
}

// modeWritable reads the mode bits, for systems where access(2) gave no
// answer.
func modeWritable(st fs.FileInfo) bool {
	if ownedByMe(st) {
		return true
	}
	sys, ok := st.Sys().(*syscall.Stat_t)
	if !ok {
		return false
	}
	perm := st.Mode().Perm()
	if perm&0o002 != 0 {
		return true
	}
	if perm&0o020 == 0 {
		return false
	}
	groups, _ := os.Getgroups()
	groups = append(groups, os.Getegid())
	for _, g := range groups {
		if uint32(g) == uint32(sys.Gid) {
			return true
		}
	}
	return false
}
