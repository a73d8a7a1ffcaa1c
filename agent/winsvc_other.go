//go:build !windows

package agent

import (
	"context"
	"errors"
	"log/slog"
)

// IsWindowsService is false off Windows.
func IsWindowsService() bool { return false }

// RunWindowsService is only for Windows.
func RunWindowsService(func(ctx context.Context) error) error {
	return errors.New("not a Windows service")
}

// EventLogger is only for Windows.
func EventLogger(slog.Leveler) (*slog.Logger, func(), error) {
	return nil, nil, errors.New("the event log is only on Windows")
}
