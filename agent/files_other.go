//go:build !unix && !windows

package agent

import "os"

// secureDir makes dir; this platform has no permissions Handwash knows how to set.
func secureDir(dir string) error { return os.MkdirAll(dir, 0o700) }

// secureFile does nothing on this platform.
func secureFile(string) error { return nil }

// DefaultConfigPath is where enrol writes the configuration.
func DefaultConfigPath() string { return "handwash/agent.json" }

// isAdmin cannot tell on this platform, so it lets the operating system decide.
func isAdmin() bool { return true }
