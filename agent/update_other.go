//go:build !unix && !windows

package agent

import (
	"errors"
	"os"
)

func replaceExecutable(newPath, exe string) error { return os.Rename(newPath, exe) }

// canRestart: on this system the agent has no way to start a new version.
func canRestart() error {
	return errors.New("self-update is not supported on this operating system")
}

// ReExec is not supported on this system.
func ReExec(*Restart) error {
	return errors.New("cannot start a new program in this one's place on this system")
}
