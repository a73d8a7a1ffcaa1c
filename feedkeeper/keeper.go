// Package feedkeeper keeps a server's security feeds fresh: once a day (by
// default) one server process, whichever holds the "feeds" lease, fetches
// the feeds from the internet; with a shared database, it stores what it
// fetched there and every other process copies it into its own cache from
// the database, so that each feed is downloaded once however many
// processes there are. A feed imported by hand into any process's cache is
// shared the same way.
package feedkeeper

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/handwash/handwash"
	"github.com/handwash/handwash/feeds"
)

// Store is what the keeper needs of the server's database.
type Store interface {
	handwash.LeaseService
	handwash.FeedService
}

// SettingLastRefresh is the setting that holds when the feeds were last
// fetched from the internet (RFC 3339), by any process.
const SettingLastRefresh = "feeds.last_refresh"

const (
	leaseName = "feeds"
	// leaseTTL outlasts a slow download of every feed; the lease is
	// released as soon as the round ends.
	leaseTTL = 30 * time.Minute
	// retryAfterFailure is how soon a round that could not fetch every
	// feed is tried again, rather than a whole interval later.
	retryAfterFailure = time.Hour
)

// Config adjusts a Keeper.
type Config struct {
	// Every is how often the feeds are fetched from the internet; 0 means
	// never (sites that bring feeds in with handwash feeds import).
	Every time.Duration
	// Share copies feeds through the database: on when processes may each
	// have their own cache folder (PostgreSQL); off when they share one
	// data folder (SQLite).
	Share bool
	// Look is how often a process looks for work: feeds to fetch, to copy
	// from the database or to store there (default 5 minutes).
	Look time.Duration
	// First is the wait before the first round, so that a starting server
	// serves first (default one minute).
	First time.Duration
	// Holder names this process in the lease.
	Holder string
	// URLs are where the feeds are fetched from (default feeds.DefaultURLs).
	URLs feeds.URLs
	// Client fetches them (nil: the feeds package's default).
	Client *http.Client
}

// Keeper runs the rounds.
type Keeper struct {
	cfg   Config
	cache *feeds.Cache
	store Store
	log   *slog.Logger
	now   func() time.Time
}

// New returns a Keeper of cache over store.
func New(cfg Config, cache *feeds.Cache, store Store, log *slog.Logger) *Keeper {
	if cfg.Look <= 0 {
		cfg.Look = 5 * time.Minute
	}
	if cfg.First < 0 {
		cfg.First = 0
	} else if cfg.First == 0 {
		cfg.First = time.Minute
	}
	if cfg.URLs == (feeds.URLs{}) {
		cfg.URLs = feeds.DefaultURLs()
	}
	if cfg.Holder == "" {
		host, _ := os.Hostname()
		cfg.Holder = fmt.Sprintf("%s/%d/%s", host, os.Getpid(), handwash.NewSecret()[:8])
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Keeper{cfg: cfg, cache: cache, store: store, log: log, now: time.Now}
}

// Run does a round after cfg.First and then every cfg.Look until ctx ends.
// With neither a refresh interval nor sharing there is nothing to do.
func (k *Keeper) Run(ctx context.Context) {
	if k.cfg.Every <= 0 && !k.cfg.Share {
		return
	}
	wait := k.cfg.First
	for {
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
		wait = k.cfg.Look
		if err := k.Round(ctx); err != nil && ctx.Err() == nil {
			k.log.ErrorContext(ctx, "feeds: round failed", "err", err)
		}
	}
}

// Round copies newer feeds from the database, fetches the feeds from the
// internet if this process holds the lease and they are due, and stores
// in the database what this process has that is newer than its copy there.
func (k *Keeper) Round(ctx context.Context) error {
	var errs []error
	if k.cfg.Share {
		errs = append(errs, k.adopt(ctx))
	}
	if k.cfg.Every > 0 {
		errs = append(errs, k.refreshIfDue(ctx))
	}
	if k.cfg.Share {
		errs = append(errs, k.publish(ctx))
	}
	return errors.Join(errs...)
}

// refreshIfDue fetches every feed the server keeps when the last fetch by
// any process is older than cfg.Every, holding the lease meanwhile.
func (k *Keeper) refreshIfDue(ctx context.Context) error {
	now := k.now()
	got, err := k.store.TryLease(ctx, leaseName, k.cfg.Holder, now, leaseTTL)
	if err != nil || !got {
		return err
	}
	defer k.release()
	last, err := k.store.Setting(ctx, SettingLastRefresh)
	if err != nil && handwash.ErrorCode(err) != handwash.ENOTFOUND {
		return err
	}
	if t, perr := time.Parse(time.RFC3339, last); perr == nil && now.Sub(t) < k.cfg.Every {
		return nil
	}
	sources, err := k.cfg.URLs.Sources(Kept(k.cache)...)
	if err != nil {
		return fmt.Errorf("naming the feeds to refresh: %w", err)
	}
	results, uerr := k.cache.Update(ctx, k.cfg.Client, sources)
	if ctx.Err() != nil {
		return ctx.Err()
	}
	for _, r := range results {
		switch {
		case r.Err != nil:
			k.log.WarnContext(ctx, "feeds: a feed could not be refreshed; the previous copy stays in use", "feed", r.Name, "err", r.Err)
		case r.Changed:
			k.log.InfoContext(ctx, "feeds: refreshed", "feed", r.Name, "version", r.Meta.Version, "count", r.Meta.Count)
		}
	}
	stamp := now
	if uerr != nil {
		// Try again within the hour rather than a whole interval later.
		stamp = now.Add(min(retryAfterFailure, k.cfg.Every) - k.cfg.Every)
	}
	return k.store.SetSetting(ctx, SettingLastRefresh, stamp.UTC().Format(time.RFC3339))
}

func (k *Keeper) release() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := k.store.ReleaseLease(ctx, leaseName, k.cfg.Holder); err != nil {
		k.log.Warn("feeds: could not release the lease", "err", err)
	}
}

// adopt copies into the cache each feed whose database copy was checked
// more recently than the cache's.
func (k *Keeper) adopt(ctx context.Context) error {
	copies, err := k.store.FeedCopies(ctx)
	if err != nil {
		return err
	}
	var errs []error
	for _, c := range copies {
		m, err := feeds.UnmarshalMeta(c.Meta)
		if err != nil {
			errs = append(errs, fmt.Errorf("feed %s in the database: %w", c.Name, err))
			continue
		}
		if local, err := k.cache.Meta(c.Name); err == nil && !c.CheckedAt.After(stored(local)) {
			continue
		}
		res, err := k.adoptOne(ctx, c, m)
		if err != nil {
			errs = append(errs, fmt.Errorf("copying feed %s from the database: %w", c.Name, err))
			continue
		}
		if res.Changed {
			k.log.InfoContext(ctx, "feeds: copied from the database", "feed", c.Name, "version", m.Version, "count", m.Count)
		}
	}
	return errors.Join(errs...)
}

// adoptOne streams a database copy into the cache.
func (k *Keeper) adoptOne(ctx context.Context, c handwash.FeedCopy, m feeds.Meta) (feeds.Result, error) {
	pr, pw := io.Pipe()
	go func() {
		pw.CloseWithError(k.store.CopyFeed(ctx, c.Name, c.SHA256, pw))
	}()
	res, err := k.cache.Adopt(ctx, m, pr)
	pr.Close()
	return res, err
}

// publish stores in the database each feed the cache holds that is newer
// than the database's copy (or that the database lacks).
func (k *Keeper) publish(ctx context.Context) error {
	copies, err := k.store.FeedCopies(ctx)
	if err != nil {
		return err
	}
	inDB := map[string]handwash.FeedCopy{}
	for _, c := range copies {
		inDB[c.Name] = c
	}
	var errs []error
	for _, st := range k.cache.Status() {
		if st.Missing {
			continue
		}
		m, err := k.cache.Meta(st.Name)
		if err != nil {
			continue // damaged: feeds status says so; nothing to share
		}
		if c, ok := inDB[m.Name]; ok && !stored(m).After(c.CheckedAt) {
			continue
		}
		if err := k.publishOne(ctx, m.Name); err != nil {
			errs = append(errs, fmt.Errorf("storing feed %s in the database: %w", m.Name, err))
		}
	}
	return errors.Join(errs...)
}

func (k *Keeper) publishOne(ctx context.Context, name string) error {
	f, m, err := k.cache.OpenData(name)
	if err != nil {
		return err
	}
	defer f.Close()
	meta, err := feeds.MarshalMeta(m)
	if err != nil {
		return err
	}
	if err := k.store.PutFeed(ctx, handwash.FeedCopy{Name: m.Name, Meta: meta, SHA256: m.SHA256, Size: m.Size, CheckedAt: m.CheckedAt}, f); err != nil {
		return err
	}
	k.log.InfoContext(ctx, "feeds: stored in the database for the other server processes", "feed", m.Name, "version", m.Version)
	return nil
}

// stored is m's CheckedAt as the database keeps it, to the microsecond, so
// that a copy compares equal to what it was made from.
func stored(m feeds.Meta) time.Time { return m.CheckedAt.Truncate(time.Microsecond) }

// Kept are the feeds a server keeps fresh: KEV, end-of-life data and the
// OSV feeds its cache holds (add one with handwash feeds update --cache
// DATA/feeds --only osv:Debian, or by import).
func Kept(c *feeds.Cache) []string {
	names := []string{"kev", "eol"}
	for _, st := range c.Status() {
		if strings.HasPrefix(st.Name, "osv:") && !st.Missing && !slices.Contains(names, st.Name) {
			names = append(names, st.Name)
		}
	}
	return names
}
