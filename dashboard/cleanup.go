package dashboard

import (
	"context"
	"log/slog"
	"time"

	"github.com/handwash/handwash"
)

// CleanUpSessions deletes the sessions that have ended (past their
// lifetime, or idle for longer than the idle timeout) once, and says how
// many. Ended sessions are refused anyway; this keeps the table small and
// leaves no stale session hashes behind.
func CleanUpSessions(ctx context.Context, store handwash.Store, cfg Config, now time.Time) (int, error) {
	cfg.defaults()
	return store.DeleteExpiredSessions(ctx, now, now.Add(-cfg.IdleTimeout))
}

// RunSessionCleanUp cleans up ended sessions every interval until ctx
// ends. Every server process may run it: deleting what has ended is the
// same however many do it.
func RunSessionCleanUp(ctx context.Context, store handwash.Store, cfg Config, log *slog.Logger, every time.Duration) {
	for {
		if n, err := CleanUpSessions(ctx, store, cfg, time.Now()); err != nil && ctx.Err() == nil {
			log.WarnContext(ctx, "could not delete ended dashboard sessions", "err", err)
		} else if n > 0 {
			log.InfoContext(ctx, "deleted ended dashboard sessions", "sessions", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(every):
		}
	}
}
