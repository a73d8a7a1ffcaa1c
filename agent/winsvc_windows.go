//go:build windows

package agent

import (
	"context"
	"fmt"
	"log/slog"
	"strings"

	"golang.org/x/sys/windows/svc"
	"golang.org/x/sys/windows/svc/eventlog"
)

// IsWindowsService reports whether the service manager started this process.
func IsWindowsService() bool {
	ok, err := svc.IsWindowsService()
	return err == nil && ok
}

// RunWindowsService runs run as the agent's Windows service: it tells the
// service manager the agent is running, and cancels run's context on a
// stop or at shutdown, waiting for it to end. An error from run ends the
// service with exit code 1, so the recovery actions restart it.
func RunWindowsService(run func(ctx context.Context) error) error {
	h := &serviceHandler{run: run}
	if err := svc.Run(WindowsServiceName, h); err != nil {
		return err
	}
	return h.err
}

type serviceHandler struct {
	run func(ctx context.Context) error
	err error
}

func (h *serviceHandler) Execute(_ []string, requests <-chan svc.ChangeRequest, status chan<- svc.Status) (bool, uint32) {
	status <- svc.Status{State: svc.StartPending}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- h.run(ctx) }()
	status <- svc.Status{State: svc.Running, Accepts: svc.AcceptStop | svc.AcceptShutdown}
	for {
		select {
		case h.err = <-done:
			if h.err != nil {
				return false, 1
			}
			return false, 0
		case r := <-requests:
			switch r.Cmd {
			case svc.Interrogate:
				status <- r.CurrentStatus
			case svc.Stop, svc.Shutdown:
				// The wait hint covers a collection and an upload finishing.
				status <- svc.Status{State: svc.StopPending, WaitHint: 150_000}
				cancel()
				h.err = <-done
				return false, 0
			}
		}
	}
}

// EventLogger returns a logger writing to the Windows event log under the
// agent's source (registered by install), where administrators of a
// Windows PC look; and a function that closes it.
func EventLogger(level slog.Leveler) (*slog.Logger, func(), error) {
	l, err := eventlog.Open(WindowsServiceName)
	if err != nil {
		return nil, nil, err
	}
	return slog.New(&eventHandler{log: l, level: level}), func() { l.Close() }, nil
}

// eventHandler writes each record as one event: the message, then its
// attributes as key=value.
type eventHandler struct {
	log   *eventlog.Log
	level slog.Leveler
	attrs []slog.Attr
}

func (h *eventHandler) Enabled(_ context.Context, l slog.Level) bool { return l >= h.level.Level() }

func (h *eventHandler) Handle(_ context.Context, r slog.Record) error {
	var b strings.Builder
	b.WriteString(r.Message)
	write := func(a slog.Attr) bool {
		fmt.Fprintf(&b, "\r\n%s=%v", a.Key, a.Value.Resolve())
		return true
	}
	for _, a := range h.attrs {
		write(a)
	}
	r.Attrs(write)
	// Event IDs: 1 information, 2 warning, 3 error.
	switch {
	case r.Level >= slog.LevelError:
		return h.log.Error(3, b.String())
	case r.Level >= slog.LevelWarn:
		return h.log.Warning(2, b.String())
	}
	return h.log.Info(1, b.String())
}

func (h *eventHandler) WithAttrs(as []slog.Attr) slog.Handler {
	c := *h
	c.attrs = append(append([]slog.Attr(nil), h.attrs...), as...)
	return &c
}

// WithGroup is not used by the agent; groups are flattened.
func (h *eventHandler) WithGroup(string) slog.Handler { return h }
