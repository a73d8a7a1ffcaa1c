//go:build unix

package agent

import (
	"os"
	"syscall"
)

// replaceExecutable puts the new program in the old one's place in one
// rename: anything starting the program sees the old or the new one,
// never a mixture, and the running agent goes on with the old one's file.
func replaceExecutable(newPath, exe string) error { return os.Rename(newPath, exe) }

// canRestart: on Linux and macOS the agent starts the new version itself.
func canRestart() error { return nil }

// ReExec runs the new version in this process's place, with the same
// arguments and environment, so that systemd and launchd see their
// service carry on. On failure the caller exits with an error, and the
// service manager starts the new version (Restart=on-failure, KeepAlive).
func ReExec(r *Restart) error {
	return syscall.Exec(r.Executable, os.Args, os.Environ())
}
