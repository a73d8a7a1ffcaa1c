//go:build unix

package agent

import (
	"os"
)

// secureDir makes dir (and its parents) and leaves it open to its owner
// only: it holds the credential and Facts that describe the device's weak
// spots.
func secureDir(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	return os.Chmod(dir, 0o700)
}

// secureFile leaves path readable and writable by its owner only.
func secureFile(path string) error { return os.Chmod(path, 0o600) }

// DefaultConfigPath is where enrol writes the configuration and where every
// other agent command looks for it.
func DefaultConfigPath() string { return "/etc/handwash/agent.json" }

// isAdmin reports whether the process runs as root.
func isAdmin() bool { return os.Geteuid() == 0 }
