//go:build !unix

package borg

import (
	"os/exec"
	"time"
)

// detach makes sure borg does not hold Handwash up after it is stopped.
func detach(cmd *exec.Cmd) {
	cmd.WaitDelay = 10 * time.Second
}
