//go:build windows

package collect

import (
	"os/exec"
	"syscall"

	"golang.org/x/sys/windows"
)

func elevated() bool { return windows.GetCurrentProcessToken().IsElevated() }

// hideWindow stops a console window flashing up for each command when the
// agent runs as a service or the check runs from a double-click.
func hideWindow(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{HideWindow: true, CreationFlags: windows.CREATE_NO_WINDOW}
}
