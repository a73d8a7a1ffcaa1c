//go:build windows

package agent

import (
	"errors"
	"fmt"
	"io/fs"
	"os"

	"golang.org/x/sys/windows/svc/mgr"
)

// replaceExecutable puts the new program in the old one's place. Windows
// will not replace or delete a running program, but lets it be renamed:
// the running one moves aside to <exe>.old (removed at the next start)
// and the new one takes its name. If that fails, the old one goes back.
func replaceExecutable(newPath, exe string) error {
	old := exe + ".old"
	if err := os.Remove(old); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("cannot remove %s, left by an earlier update: %w", old, err)
	}
	if err := renameReplacing(exe, old); err != nil {
		return err
	}
	if err := renameReplacing(newPath, exe); err != nil {
		if rerr := os.Rename(old, exe); rerr != nil {
			return fmt.Errorf("%w; putting the running version back failed too (%v): it is %s", err, rerr, old)
		}
		return err
	}
	return nil
}

// canRestart checks that Windows will start the agent's service again
// when it stops with an error after an update, as 'handwash agent
// install' sets it to; without that, an update would leave it stopped.
func canRestart() error {
	if !IsWindowsService() {
		return nil // run by hand: whoever runs it starts it again
	}
	fix := errors.New("Windows is not set to restart the agent's service after it stops with an error, so an update would leave it stopped: run 'handwash agent install' again")
	m, err := mgr.Connect()
	if err != nil {
		return fmt.Errorf("cannot ask the service manager how it restarts the agent: %w", err)
	}
	defer m.Disconnect()
	s, err := m.OpenService(WindowsServiceName)
	if err != nil {
		return fmt.Errorf("cannot ask the service manager how it restarts the agent: %w", err)
	}
	defer s.Close()
	actions, err := s.RecoveryActions()
	if err != nil || len(actions) == 0 || actions[0].Type != mgr.ServiceRestart {
		return fix
	}
	if on, err := s.RecoveryActionsOnNonCrashFailures(); err != nil || !on {
		return fix
	}
	return nil
}

// ReExec cannot replace a running process on Windows: the service stops
// with an error instead, and Windows starts the new version.
func ReExec(*Restart) error {
	return errors.New("Windows cannot run a new program in the place of a running one: start the agent again")
}
