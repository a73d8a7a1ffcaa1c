package agent

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"runtime/debug"
	"sync"
	"time"

	"github.com/handwash/handwash"
	"github.com/handwash/handwash/collect"
)

// Jitter spreads collections by ±10% of the interval, so that devices
// switched on together (a care home opening at eight) drift apart instead
// of reporting in the same minute forever.
func Jitter(interval time.Duration) time.Duration {
	spread := float64(interval) * 0.1
	return interval + time.Duration((rand.Float64()*2-1)*spread)
}

// restartGuard keeps a service that restarts over and over (a crash, or a
// machine rebooting repeatedly) from collecting at every start: a
// collection younger than this is not repeated at start.
const restartGuard = 5 * time.Minute

// configPoll is how often a run that the server refused looks for a new
// enrolment in the configuration file; tests shorten it.
var configPoll = time.Minute

// Runner collects and reports, once or on a schedule.
type Runner struct {
	// ConfigPath is the configuration file; the spool and state are beside it.
	ConfigPath string
	// Interval overrides the configured interval when above zero.
	Interval time.Duration
	// Version is recorded in the Facts and sent as the User-Agent.
	Version string
	Log     *slog.Logger
	// Collect gathers the Facts; collect.Collect when nil (tests replace it).
	Collect func(ctx context.Context) *handwash.Facts
	// Backoff spaces retries; DefaultBackoff when zero.
	Backoff Backoff
	// SpoolCount and SpoolBytes bound the spool; the defaults when zero.
	SpoolCount int
	SpoolBytes int64
	// Now is the clock; time.Now when nil.
	Now func() time.Time
	// VerifyBackup verifies the configured backups when they are due;
	// without it they are not verified.
	VerifyBackup BackupVerifier

	paths Paths
	spool *Spool
	state *stateFile
	log   *slog.Logger

	// executable is the program self-update replaces, and releaseKey the
	// key it checks new versions with: os.Executable and ReleasePublicKey
	// unless a test sets them.
	executable string
	releaseKey string
	// update installs new versions; nil when self-update is off.
	update *updater
	// restart ends Run to start a new version.
	restart func(*Restart)
}

func (r *Runner) now() time.Time {
	if r.Now != nil {
		return r.Now()
	}
	return time.Now()
}

// open loads the configuration and opens the spool and the state file.
func (r *Runner) open() (*Config, error) {
	r.log = orDiscard(r.Log)
	r.paths = PathsFor(r.ConfigPath)
	cfg, err := LoadConfig(r.ConfigPath)
	if err != nil {
		return nil, err
	}
	if r.spool, err = OpenSpool(r.paths.Spool, r.log); err != nil {
		return nil, err
	}
	r.spool.Now = r.Now
	if r.SpoolCount > 0 {
		r.spool.MaxCount = r.SpoolCount
	}
	if r.SpoolBytes > 0 {
		r.spool.MaxBytes = r.SpoolBytes
	}
	r.state = openState(r.paths.State)
	return cfg, nil
}

func (r *Runner) uploader(cfg *Config, backoff Backoff) (*uploader, error) {
	c, err := NewClient(cfg.Server, cfg.Fingerprint, cfg.Credential, r.Version)
	if err != nil {
		return nil, err
	}
	if backoff == (Backoff{}) {
		backoff = DefaultBackoff
	}
	return &uploader{client: c, spool: r.spool, state: r.state, log: r.log, backoff: backoff, now: r.now}, nil
}

// Once collects, spools the collection and tries to send the whole spool.
// It returns nil when the spool is empty afterwards, ErrNeedsEnrolment when
// the server refused the credential, and a CodeUnavailable error saying how
// many collections wait when the server could not be reached.
func (r *Runner) Once(ctx context.Context) error {
	cfg, err := r.open()
	if err != nil {
		return err
	}
	if err := r.collectOnce(ctx); err != nil {
		return err
	}
	backoff := r.Backoff
	if backoff == (Backoff{}) {
		backoff = Backoff{Base: 2 * time.Second, Max: 8 * time.Second}
	}
	u, err := r.uploader(cfg, backoff)
	if err != nil {
		return err
	}
	defer u.client.CloseIdleConnections()
	err = u.flush(ctx, 3)
	if err == nil || errors.Is(err, ErrNeedsEnrolment) {
		return err
	}
	n := 0
	if es, lerr := r.spool.List(); lerr == nil {
		n = len(es)
	}
	why := plain(err)
	if ctx.Err() != nil {
		why = "stopped before everything was sent"
	}
	return &handwash.Error{Code: CodeUnavailable, Err: err,
		Message: fmt.Sprintf("%s. %d collection(s) wait in the spool (%s) and will be sent by the next run", why, n, r.spool.Dir())}
}

// Run collects at start and then every interval (with jitter), and sends
// the spool whenever it holds something, until ctx ends. Stopping finishes
// a collection or an upload under way. A refused credential stops the
// uploads, not the collections: they wait in the spool until the device is
// enrolled again, which Run notices by itself.
//
// After an upload cycle, at most every few hours, Run asks the server for
// a new version of the agent (update.go). Once one is installed, Run stops
// as it would for ctx and returns a *Restart: the caller starts the new
// version.
func (r *Runner) Run(ctx context.Context) error {
	cfg, err := r.open()
	if err != nil {
		return err
	}
	interval := cfg.EffectiveInterval()
	if r.Interval > 0 {
		interval = r.Interval
	}
	r.log.Info("agent started", "version", r.Version, "server", cfg.Server, "device", cfg.DeviceID, "interval", interval.String(), "spool", r.spool.Dir())
	r.update = r.newUpdater()

	ctx, stop := context.WithCancel(ctx)
	defer stop()
	var restart *Restart
	r.restart = func(rs *Restart) {
		restart = rs
		stop()
	}
	kick := make(chan struct{}, 1)
	var wg sync.WaitGroup
	wg.Go(func() { r.uploadLoop(ctx, cfg, kick) })
	r.collectLoop(ctx, interval, kick)
	wg.Wait()
	if restart != nil {
		r.log.Info("agent stopped to start the new version", "version", restart.To, "file", restart.Executable)
		return restart
	}
	r.log.Info("agent stopped")
	return nil
}

func (r *Runner) collectLoop(ctx context.Context, interval time.Duration, kick chan<- struct{}) {
	var delay time.Duration
	if last := r.state.get().LastCollectedAt; last != nil {
		if age := r.now().Sub(*last); age >= 0 && age < restartGuard {
			delay = restartGuard - age
			r.log.Info("collected moments ago; the next collection waits", "last", last.Format(time.RFC3339), "wait", delay.Round(time.Second).String())
		}
	}
	for {
		next := r.now().Add(delay)
		r.record(func(s *State) { s.NextCollectionAt = timePtr(next) })
		t := time.NewTimer(delay)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
		if err := r.collectOnce(ctx); err != nil {
			r.log.Error("collection failed", "err", plain(err))
		}
		select {
		case kick <- struct{}{}:
		default: // the uploader has a kick waiting already
		}
		delay = Jitter(interval)
	}
}

func (r *Runner) uploadLoop(ctx context.Context, cfg *Config, kick <-chan struct{}) {
	for {
		u, err := r.uploader(cfg, r.Backoff)
		if err == nil {
			err = u.flush(ctx, 0)
			if err == nil && r.update != nil && r.update.due() {
				if rs := r.update.check(ctx, u.client); rs != nil {
					u.client.CloseIdleConnections()
					r.restart(rs)
					return
				}
			}
			u.client.CloseIdleConnections()
			debug.FreeOSMemory()
		}
		if ctx.Err() != nil {
			return
		}
		if errors.Is(err, ErrNeedsEnrolment) {
			if cfg = r.awaitEnrolment(ctx, cfg); cfg == nil {
				return
			}
			continue
		}
		if err != nil {
			r.log.Error("cannot send the spool", "err", plain(err))
		}
		select {
		case <-ctx.Done():
			return
		case <-kick:
		}
		// A new enrolment or a changed server address takes effect at the
		// next upload, without restarting the service.
		if c, err := LoadConfig(r.ConfigPath); err == nil {
			cfg = c
		} else {
			r.log.Error("cannot read the agent configuration; using the one read before", "err", plain(err))
		}
	}
}

// awaitEnrolment polls the configuration file until it holds another
// device credential, returning it, or nil when ctx ends.
func (r *Runner) awaitEnrolment(ctx context.Context, old *Config) *Config {
	t := time.NewTicker(configPoll)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
		c, err := LoadConfig(r.ConfigPath)
		if err == nil && (c.Credential != old.Credential || c.Server != old.Server) {
			r.log.Info("found a new enrolment; sending the spool", "device", c.DeviceID)
			return c
		}
	}
}

// collectOnce collects and spools one snapshot. The collection is not
// cancelled by ctx: a stop arriving meanwhile waits for it (collectors
// have their own time limits) so that it is spooled, not lost.
func (r *Runner) collectOnce(ctx context.Context) error {
	collectFn := r.Collect
	if collectFn == nil {
		collectFn = func(ctx context.Context) *handwash.Facts {
			return collect.Collect(ctx, collect.Options{Version: r.Version})
		}
	}
	// The configuration is read afresh, so backups added while the agent
	// runs are verified without a restart.
	cfg, cerr := LoadConfig(r.ConfigPath)
	if cerr == nil {
		r.verifyDueBackups(ctx, cfg)
	}
	cpu0, start := cpuTime(), time.Now()
	f := collectFn(context.WithoutCancel(ctx))
	wall, cpu := time.Since(start), cpuTime()-cpu0
	if cerr == nil {
		r.addBackupResults(cfg, f)
	}
	e, dropped, err := r.spool.Add(f)
	// The Facts are no longer needed: hand their memory back to the
	// system now, so the agent at rest stays small.
	debug.FreeOSMemory()
	if err != nil {
		r.record(func(s *State) {
			s.LastError, s.LastErrorAt = "cannot keep the collection in the spool: "+err.Error(), timePtr(r.now())
		})
		return fmt.Errorf("cannot keep the collection in the spool %s: %w", r.spool.Dir(), err)
	}
	r.log.Info("collected this computer's Facts", "snapshot", e.SnapshotID, "seconds", round2(wall.Seconds()),
		"cpu_seconds", round2(cpu.Seconds()), "bytes", e.Size)
	r.record(func(s *State) {
		s.LastCollectedAt = timePtr(r.now())
		s.LastCollectionSeconds = round2(wall.Seconds())
		s.LastCollectionCPUSeconds = round2(cpu.Seconds())
		s.Dropped += len(dropped)
	})
	return nil
}

func round2(f float64) float64 { return float64(int64(f*100+0.5)) / 100 }

func (r *Runner) record(change func(*State)) {
	if err := r.state.update(change); err != nil {
		r.log.Warn("cannot write the agent's state file (status will be out of date)", "err", err)
	}
}

// EnrollOptions says where and how to enrol.
type EnrollOptions struct {
	Server      string
	Token       string
	Fingerprint string
	Interval    time.Duration // 0: DefaultInterval
	ConfigPath  string
	Version     string
	// Device is this device's identity (DeviceIdentity).
	Device handwash.DeviceInfo
	Now    func() time.Time
}

// Enroll exchanges an enrolment token for a device credential and stores
// the configuration. It checks everything it can before using up the
// token: the address, the fingerprint, the token's shape, and that the
// configuration directory can be written.
func Enroll(ctx context.Context, o EnrollOptions) (*Config, error) {
	if _, _, ok := handwash.ParseCredential(handwash.PrefixEnrollToken, o.Token); !ok {
		return nil, handwash.Errorf(handwash.EINVALID, "--token: that is not an enrolment token (they start with hwe_); 'handwash admin enroll-token' makes one")
	}
	if o.Interval != 0 && o.Interval < MinInterval {
		return nil, handwash.Errorf(handwash.EINVALID, "--interval: %s is shorter than the minimum of %s", o.Interval, MinInterval)
	}
	c, err := NewClient(o.Server, o.Fingerprint, "", o.Version)
	if err != nil {
		return nil, err
	}
	defer c.CloseIdleConnections()
	fp := ""
	if o.Fingerprint != "" {
		pin, _ := ParseFingerprint(o.Fingerprint) // checked by NewClient
		fp = hex.EncodeToString(pin)
	}
	if err := PrepareDir(PathsFor(o.ConfigPath).Dir); err != nil {
		return nil, err
	}
	hostname := o.Device.Hostname
	if hostname == "" {
		hostname, _ = os.Hostname()
	}
	a, err := c.Enroll(ctx, o.Token, EnrollRequest{Hostname: hostname, Platform: string(o.Device.Platform), DeviceID: o.Device.ID})
	if err != nil {
		return nil, err
	}
	now := time.Now
	if o.Now != nil {
		now = o.Now
	}
	cfg := &Config{
		Server:      c.Server(),
		DeviceID:    a.DeviceID,
		Credential:  a.Credential,
		Fingerprint: fp,
		Interval:    Duration(o.Interval),
		OrgID:       a.OrgID,
		SiteID:      a.SiteID,
		EnrolledAt:  now().UTC().Truncate(time.Second),
	}
	if err := cfg.Save(o.ConfigPath); err != nil {
		return nil, fmt.Errorf("the server enrolled this device as %s, but its configuration could not be saved (%w); enrol again with a new token", a.DeviceID, err)
	}
	return cfg, nil
}

// DeviceIdentity runs only the collectors that identify the device
// (hostname, platform, device ID), which take a fraction of a full
// collection: enough to tell the server who is enrolling.
func DeviceIdentity(ctx context.Context) handwash.DeviceInfo {
	var cs []collect.Collector
	for _, c := range collect.Collectors() {
		if len(c.Topics) == 0 {
			cs = append(cs, c)
		}
	}
	return collect.Collect(ctx, collect.Options{Collectors: cs}).Device
}
