//go:build windows

package agent

import (
	"context"
	"errors"
	"fmt"
	"time"

	"golang.org/x/sys/windows"
	"golang.org/x/sys/windows/svc"
	"golang.org/x/sys/windows/svc/eventlog"
	"golang.org/x/sys/windows/svc/mgr"
)

// recovery restarts a failed agent after 30 s, 1 min, then every 5 min,
// forgetting failures after a day.
var recovery = []mgr.RecoveryAction{
	{Type: mgr.ServiceRestart, Delay: 30 * time.Second},
	{Type: mgr.ServiceRestart, Delay: time.Minute},
	{Type: mgr.ServiceRestart, Delay: 5 * time.Minute},
}

const recoveryReset = 24 * 60 * 60 // seconds

func installService(ctx context.Context, o ServiceOptions) error {
	ws := WindowsServiceFor(o.ConfigPath, DefaultConfigPath())
	cfg := mgr.Config{
		DisplayName:  ws.DisplayName,
		Description:  ws.Description,
		StartType:    mgr.StartAutomatic,
		ErrorControl: mgr.ErrorNormal,
		// LocalSystem: the collectors read BitLocker, Defender, the
		// firewall and the accounts database, which need it.
		ServiceStartName: "",
	}
	var m *mgr.Mgr
	connect := step{what: "connect to the service manager", do: func() (err error) {
		m, err = mgr.Connect()
		return err
	}}
	var s *mgr.Service
	create := step{what: fmt.Sprintf("create the service %s (%s %v), starting automatically", ws.Name, o.Executable, ws.Args), do: func() error {
		var err error
		if s, err = m.OpenService(ws.Name); err == nil {
			// Installed before: point it at this binary and these arguments.
			old, err := s.Config()
			if err != nil {
				return err
			}
			cfg.BinaryPathName = windows.EscapeArg(o.Executable)
			for _, a := range ws.Args {
				cfg.BinaryPathName += " " + windows.EscapeArg(a)
			}
			cfg.ServiceType = old.ServiceType
			return s.UpdateConfig(cfg)
		}
		s, err = m.CreateService(ws.Name, o.Executable, cfg, ws.Args...)
		return err
	}}
	// Delayed: the agent is not needed in the busy first minutes after
	// boot, and starts once the network is up. A separate step, because
	// not every service manager knows the setting (Wine does not), and
	// the service works without it.
	delayed := step{what: "delay the service's start after boot", soft: true, do: func() error {
		c, err := s.Config()
		if err != nil {
			return err
		}
		c.DelayedAutoStart = true
		return s.UpdateConfig(c)
	}}
	// Soft for the same reason: the agent runs without it.
	setRecovery := step{what: "set the service to restart after a failure", soft: true, do: func() error {
		if err := s.SetRecoveryActions(recovery, recoveryReset); err != nil {
			return err
		}
		// An exit with an error code counts as a failure too, not only a crash.
		return s.SetRecoveryActionsOnNonCrashFailures(true)
	}}
	eventSource := step{what: "register " + ws.Name + " as an event log source", soft: true, do: func() error {
		return eventlog.InstallAsEventCreate(ws.Name, eventlog.Error|eventlog.Warning|eventlog.Info)
	}}
	start := step{what: "start the service (or restart it, after an upgrade)", do: func() error {
		if st, err := s.Query(); err == nil && st.State != svc.Stopped {
			if err := stopAndWait(s); err != nil {
				return err
			}
		}
		return s.Start()
	}}
	defer func() {
		if s != nil {
			s.Close()
		}
		if m != nil {
			m.Disconnect()
		}
	}()
	return runSteps(o, []step{connect, create, delayed, setRecovery, eventSource, start})
}

// stopAndWait stops the service and waits up to three minutes (a stop
// lets an upload finish).
func stopAndWait(s *mgr.Service) error {
	st, err := s.Control(svc.Stop)
	if err != nil && !errors.Is(err, windows.ERROR_SERVICE_NOT_ACTIVE) {
		return err
	}
	deadline := time.Now().Add(3 * time.Minute)
	for st.State != svc.Stopped {
		if time.Now().After(deadline) {
			return errors.New("the service did not stop within three minutes")
		}
		time.Sleep(500 * time.Millisecond)
		if st, err = s.Query(); err != nil {
			return err
		}
	}
	return nil
}

func uninstallService(ctx context.Context, o ServiceOptions) error {
	var m *mgr.Mgr
	var s *mgr.Service
	defer func() {
		if s != nil {
			s.Close()
		}
		if m != nil {
			m.Disconnect()
		}
	}()
	steps := []step{
		{what: "connect to the service manager", do: func() (err error) {
			m, err = mgr.Connect()
			return err
		}},
		{what: "stop and delete the service " + WindowsServiceName, soft: true, do: func() (err error) {
			if s, err = m.OpenService(WindowsServiceName); err != nil {
				return errors.New("it is not installed")
			}
			if err := stopAndWait(s); err != nil {
				return err
			}
			return s.Delete()
		}},
		{what: "remove the event log source " + WindowsServiceName, soft: true, do: func() error { return eventlog.Remove(WindowsServiceName) }},
	}
	if !o.KeepConfig {
		steps = append(steps, dataSteps(PathsFor(o.ConfigPath))...)
	}
	return runSteps(o, steps)
}
