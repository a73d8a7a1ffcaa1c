//go:build !linux && !darwin && !windows

package agent

import (
	"context"

	"github.com/handwash/handwash"
)

func installService(context.Context, ServiceOptions) error {
	return handwash.Errorf(handwash.EINVALID, "Handwash cannot install a service on this operating system yet: start 'handwash agent run' with its init system")
}

func uninstallService(_ context.Context, o ServiceOptions) error {
	if o.KeepConfig {
		return nil
	}
	return runSteps(o, dataSteps(PathsFor(o.ConfigPath)))
}
