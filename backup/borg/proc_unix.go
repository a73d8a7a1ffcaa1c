//go:build unix

package borg

import (
	"os"
	"os/exec"
	"syscall"
	"time"
)

// detach starts borg in a session of its own, without a controlling
// terminal, so that neither borg nor ssh can ask for a passphrase or
// password at the keyboard; and stops it with an interrupt, which lets
// borg release its lock, before killing it.
func detach(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) }
	cmd.WaitDelay = 10 * time.Second
}
