//go:build darwin

package agent

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
)

// launchctl runs launchctl; tests replace it.
var launchctl = func(ctx context.Context, args ...string) error {
	out, err := exec.CommandContext(ctx, "launchctl", args...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("launchctl %s: %v: %s", strings.Join(args, " "), err, strings.TrimSpace(string(out)))
	}
	return nil
}

func launchctlStep(ctx context.Context, soft bool, args ...string) step {
	return step{what: "run launchctl " + strings.Join(args, " "), soft: soft, do: func() error { return launchctl(ctx, args...) }}
}

const launchdTarget = "system/" + LaunchdLabel

func installService(ctx context.Context, o ServiceOptions) error {
	return runSteps(o, []step{
		{what: "make " + LaunchdLogDir, do: func() error { return os.MkdirAll(LaunchdLogDir, 0o755) }},
		writeStep(LaunchdPlistPath, LaunchdPlist(o.Executable, o.ConfigPath)),
		// An installed daemon is taken out first, so a reinstall after an
		// upgrade starts the new binary; the first install has none.
		launchctlStep(ctx, true, "bootout", launchdTarget),
		launchctlStep(ctx, false, "enable", launchdTarget),
		launchctlStep(ctx, false, "bootstrap", "system", LaunchdPlistPath),
	})
}

func uninstallService(ctx context.Context, o ServiceOptions) error {
	steps := []step{
		launchctlStep(ctx, true, "bootout", launchdTarget),
		removeFileStep(LaunchdPlistPath),
		{what: "remove " + LaunchdLogDir, do: func() error { return os.RemoveAll(LaunchdLogDir) }},
	}
	if !o.KeepConfig {
		steps = append(steps, dataSteps(PathsFor(o.ConfigPath))...)
	}
	return runSteps(o, steps)
}
