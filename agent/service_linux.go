//go:build linux

package agent

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"

	"github.com/handwash/handwash"
)

// Seams for tests: where the unit goes, whether systemd runs the machine,
// and how systemctl is called.
var (
	unitPath      = SystemdUnitPath
	systemdBooted = func() bool {
		// sd_booted(3): systemd is PID 1 exactly when this directory exists.
		fi, err := os.Lstat("/run/systemd/system")
		return err == nil && fi.IsDir()
	}
	systemctl = func(ctx context.Context, args ...string) error {
		out, err := exec.CommandContext(ctx, "systemctl", args...).CombinedOutput()
		if err != nil {
			return fmt.Errorf("systemctl %s: %v: %s", strings.Join(args, " "), err, strings.TrimSpace(string(out)))
		}
		return nil
	}
)

func errNoSystemd() error {
	init := "another init system"
	if b, err := os.ReadFile("/proc/1/comm"); err == nil {
		init = strings.TrimSpace(string(b))
	}
	return handwash.Errorf(handwash.EINVALID, "this system is not run by systemd (process 1 is %s), so the agent cannot be installed as a systemd service; start 'handwash agent run' with your init system instead", init)
}

func systemctlStep(ctx context.Context, args ...string) step {
	return step{what: "run systemctl " + strings.Join(args, " "), do: func() error { return systemctl(ctx, args...) }}
}

func installService(ctx context.Context, o ServiceOptions) error {
	if !o.DryRun && !systemdBooted() {
		return errNoSystemd()
	}
	return runSteps(o, []step{
		writeStep(unitPath, SystemdUnit(o.Executable, o.ConfigPath)),
		systemctlStep(ctx, "daemon-reload"),
		systemctlStep(ctx, "enable", SystemdUnitName),
		// restart, not start: after an upgrade the new binary takes over.
		systemctlStep(ctx, "restart", SystemdUnitName),
	})
}

func uninstallService(ctx context.Context, o ServiceOptions) error {
	var steps []step
	if o.DryRun || systemdBooted() {
		stop := systemctlStep(ctx, "disable", "--now", SystemdUnitName)
		stop.soft = true // not installed, or already removed
		steps = append(steps, stop)
	} else if !o.DryRun {
		fmt.Fprintln(o.Out, "systemd is not running this system; removing the files only.")
	}
	steps = append(steps, removeFileStep(unitPath))
	if o.DryRun || systemdBooted() {
		steps = append(steps, systemctlStep(ctx, "daemon-reload"))
	}
	if !o.KeepConfig {
		steps = append(steps, dataSteps(PathsFor(o.ConfigPath))...)
	}
	err := runSteps(o, steps)
	if errors.Is(err, os.ErrPermission) {
		return errNotAdmin
	}
	return err
}
