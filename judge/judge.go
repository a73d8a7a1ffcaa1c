// Package judge is the server's background work: it judges uploaded Facts
// with the same catalogue and evaluator as handwash check, re-judges every
// device when the catalogue changes (and once a day, since controls such as
// "updates installed within 14 days" change their verdict as time passes
// even when the Facts do not), and keeps the device counts that /metrics
// shows.
//
// Every serve process runs a Judge. Several may share one database: the
// store hands each device marked for judging to one holder at a time
// (ClaimEvaluations), and jobs that must run once across processes take a
// named lease first.
package judge

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/handwash/handwash/internal/gunzip"
	"log/slog"
	"os"
	"runtime"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/handwash/handwash"
	"github.com/handwash/handwash/advisories"
	"github.com/handwash/handwash/policy"
	"github.com/handwash/handwash/schema"
)

// Settings and leases the judge keeps in the store.
const (
	// SettingCatalogueDigest is the digest of the catalogue the stored
	// assessments were made with, followed by the judging settings
	// (Config.Settings) when they are not the defaults.
	SettingCatalogueDigest = "catalogue_digest"
	// SettingLastRejudge is when every device was last marked for the
	// daily re-judging, in RFC 3339.
	SettingLastRejudge = "last_rejudge"

	leaseCatalogue = "catalogue"
	leaseRejudge   = "rejudge"
)

// Config holds the judge's settings.
type Config struct {
	// Workers is how many devices are judged at once (default GOMAXPROCS).
	Workers int
	// Holder names this process in leases and claims (default host name,
	// process ID and a random suffix).
	Holder string
	// Poll is how often idle workers look for work that another process
	// queued (default 1 second); Wake starts them at once for work this
	// process queued.
	Poll time.Duration
	// Lease is how long a claimed device stays this process's before
	// another may take it (default 2 minutes): long enough to judge a
	// batch, short enough that a crashed process's claims return soon.
	Lease time.Duration
	// Rejudge is how often every device is judged again (default 24 hours;
	// negative turns it off).
	Rejudge time.Duration
	// StaleAfter is how long a device may go unseen before it counts as
	// stale (default 7 days).
	StaleAfter time.Duration
	// Refresh is how often device counts are read for /metrics (default
	// 30 seconds).
	Refresh time.Duration
	// Settings are the organisation-wide choices every device is judged
	// with, such as how old a backup may be (serve --backup-max-age); zero
	// fields take their defaults. Changing them judges every device again.
	Settings policy.Settings
}

func (c *Config) defaults() {
	if c.Workers <= 0 {
		c.Workers = runtime.GOMAXPROCS(0)
	}
	if c.Holder == "" {
		host, _ := os.Hostname()
		c.Holder = fmt.Sprintf("%s/%d/%s", host, os.Getpid(), handwash.NewSecret()[:8])
	}
	if c.Poll <= 0 {
		c.Poll = time.Second
	}
	if c.Lease <= 0 {
		c.Lease = 2 * time.Minute
	}
	if c.Rejudge == 0 {
		c.Rejudge = 24 * time.Hour
	}
	if c.StaleAfter <= 0 {
		c.StaleAfter = 7 * 24 * time.Hour
	}
	if c.Refresh <= 0 {
		c.Refresh = 30 * time.Second
	}
}

// Deps are what the judge works with.
type Deps struct {
	Store     handwash.Store
	Catalogue *policy.Catalogue
	// Logger receives what went wrong; nil discards it.
	Logger *slog.Logger
	// Metrics is where the judge registers its metrics; nil for none.
	Metrics prometheus.Registerer
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Advisories matches Linux devices' packages against the server's
	// feeds; nil leaves the advisory controls unknown.
	Advisories *advisories.Source
}

// Judge does the background work of one serve process.
type Judge struct {
	cfg     Config
	store   handwash.Store
	cat     *policy.Catalogue
	adv     *advisories.Source
	log     *slog.Logger
	now     func() time.Time
	metrics *metrics
	wake    chan struct{}
	offered offered
	burst   burst

	compactMu sync.Mutex
	toCompact map[string]bool
}

// New returns a Judge; Run starts it.
func New(cfg Config, deps Deps) *Judge {
	cfg.defaults()
	j := &Judge{
		cfg:   cfg,
		store: deps.Store,
		cat:   deps.Catalogue,
		adv:   deps.Advisories,
		log:   deps.Logger,
		now:   deps.Now,
		wake:  make(chan struct{}, 1),

		toCompact: map[string]bool{},
	}
	if j.log == nil {
		j.log = slog.New(slog.DiscardHandler)
	}
	if j.now == nil {
		j.now = time.Now
	}
	reg := deps.Metrics
	if reg == nil {
		reg = prometheus.NewRegistry()
	}
	_, countsQueue := deps.Store.(pendingCounter)
	j.metrics = newMetrics(reg, countsQueue)
	return j
}

// Offer hands the judge the decoded Facts of a snapshot about to be
// stored, so that judging it need not read and decode them again; the web
// server calls it for each upload with new Facts, before storing them so
// that a judge claiming the device at once finds them. Only the newest few are kept,
// and each is used once: a judge that falls behind reads the rest from the
// store as usual. f must not be changed afterwards.
func (j *Judge) Offer(deviceID, digest string, f *handwash.Facts) {
	j.offered.put(deviceID, digest, f)
	j.burst.add(j.now())
}

// Wake tells idle workers that there is work, without waiting for their
// next poll. It never blocks.
func (j *Judge) Wake() {
	select {
	case j.wake <- struct{}{}:
	default:
	}
}

// Run does the background work until ctx is done, then waits for the
// devices being judged to be finished (a judgement takes milliseconds) and
// returns. Devices claimed but not yet started are left for their lease to
// run out.
func (j *Judge) Run(ctx context.Context) error {
	var wg sync.WaitGroup
	wg.Go(func() { j.watchCatalogue(ctx) })
	wg.Go(func() { j.rejudgeDaily(ctx) })
	wg.Go(func() { j.refreshCounts(ctx) })
	wg.Go(func() { j.dispatch(ctx) })
	wg.Wait()
	return nil
}

// dispatch claims devices in batches and hands them to the workers. One
// claim per batch rather than per device keeps the database's write load
// low when many uploads arrive at once.
func (j *Judge) dispatch(ctx context.Context) {
	work := make(chan *handwash.Device)
	var wg sync.WaitGroup
	for range j.cfg.Workers {
		wg.Go(func() {
			for d := range work {
				j.evaluate(ctx, d)
			}
		})
	}
	defer func() {
		close(work)
		wg.Wait()
	}()
	batch := 2 * j.cfg.Workers
	for {
		if j.burst.on(j.now()) && j.judgeDuringBurst(ctx) {
			continue
		}
		devices, err := j.store.ClaimEvaluations(ctx, j.cfg.Holder, batch, j.now(), j.cfg.Lease)
		if err != nil && ctx.Err() == nil {
			j.log.ErrorContext(ctx, "could not claim devices to judge", "err", err)
		}
		j.metrics.claimed.Add(float64(len(devices)))
		for _, d := range devices {
			select {
			case work <- d:
			case <-ctx.Done():
				return
			}
		}
		if len(devices) == batch {
			continue // more may be waiting
		}
		j.compactWhileIdle(ctx)
		select {
		case <-ctx.Done():
			return
		case <-j.wake:
		case <-time.After(j.cfg.Poll):
		}
	}
}

// evaluate judges one device's newest Facts and stores the assessment.
func (j *Judge) evaluate(ctx context.Context, d *handwash.Device) {
	// A judgement in progress is finished even when shutdown begins: it
	// takes milliseconds, and stopping halfway would only leave the work
	// for the lease to hand out again. But not at any cost: a database
	// that stops answering must not hold shutdown up for ever.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), j.cfg.Lease)
	defer cancel()
	start := time.Now()
	j.metrics.inProgress.Inc()
	defer j.metrics.inProgress.Dec()
	err := j.judge(ctx, d)
	j.metrics.duration.Observe(time.Since(start).Seconds())
	if err != nil {
		j.metrics.evaluations.WithLabelValues("error").Inc()
		j.log.ErrorContext(ctx, "could not judge a device", "device_id", d.ID, "digest", d.FactsDigest, "err", err)
		return
	}
	j.metrics.evaluations.WithLabelValues("ok").Inc()
	if _, ok := j.store.(compactor); ok {
		j.compactMu.Lock()
		if len(j.toCompact) < maxToCompact {
			j.toCompact[d.ID] = true
		}
		j.compactMu.Unlock()
	}
}

// compactor is a store that keeps a device's older Facts small (as deltas
// against a keyframe) when asked.
type compactor interface {
	CompactFacts(ctx context.Context, deviceID string) error
}

// maxToCompact bounds the devices remembered for compaction; one left out
// is compacted after it is next judged.
const maxToCompact = 100_000

// compactWhileIdle compacts the older Facts of devices this process judged,
// one device at a time, until there are none left or there is work to
// judge: compaction costs about as much as judging a device, so it waits
// until bursts of uploads are over. Nothing is lost if the process stops
// first: the Facts stay whole until the device is judged again.
func (j *Judge) compactWhileIdle(ctx context.Context) {
	c, ok := j.store.(compactor)
	if !ok {
		return
	}
	for ctx.Err() == nil && len(j.wake) == 0 && !j.burst.on(j.now()) {
		j.compactMu.Lock()
		id := ""
		for k := range j.toCompact {
			id = k
			delete(j.toCompact, k)
			break
		}
		j.compactMu.Unlock()
		if id == "" {
			return
		}
		if err := c.CompactFacts(ctx, id); err != nil && ctx.Err() == nil {
			j.log.WarnContext(ctx, "could not compact a device's older Facts; they stay whole", "device_id", id, "err", err)
		}
		j.metrics.compactions.Inc()
	}
}

func (j *Judge) judge(ctx context.Context, d *handwash.Device) error {
	if d.FactsDigest == "" {
		return errors.New("the device has no Facts to judge")
	}
	f := j.offered.take(d.ID, d.FactsDigest)
	if f == nil {
		gz, err := j.store.Facts(ctx, d.ID, d.FactsDigest)
		if err != nil {
			return fmt.Errorf("reading Facts: %w", err)
		}
		if f, err = decodeFacts(gz); err != nil {
			return err
		}
	} else {
		j.metrics.offered.Inc()
	}
	stored, err := j.store.ExceptionsFor(ctx, d)
	if err != nil {
		return fmt.Errorf("reading exceptions: %w", err)
	}
	a := evaluate(j.cat, d, f, stored, j.now(), j.adv, j.cfg.Settings)
	if err := j.store.PutAssessment(ctx, d.ID, d.FactsDigest, a); err != nil {
		return fmt.Errorf("storing the assessment: %w", err)
	}
	return nil
}

// Evaluate judges Facts of a device with its stored exceptions and the
// default settings, exactly as handwash check judges a device with
// exceptions from handwash.yaml.
func Evaluate(cat *policy.Catalogue, d *handwash.Device, f *handwash.Facts, stored []*handwash.StoredException, now time.Time) *handwash.Assessment {
	return evaluate(cat, d, f, stored, now, nil, policy.Settings{})
}

// evaluate is Evaluate with the server's security advisories, when it has
// them, and its settings.
func evaluate(cat *policy.Catalogue, d *handwash.Device, f *handwash.Facts, stored []*handwash.StoredException, now time.Time, adv *advisories.Source, settings policy.Settings) *handwash.Assessment {
	ex := make([]handwash.Exception, 0, len(stored))
	for _, e := range stored {
		x := handwash.Exception{Control: e.Control, Reason: e.Reason, Owner: e.Owner, Expires: e.Expires}
		if e.DeviceID != "" {
			if e.DeviceID != d.ID {
				continue // not this device's: ExceptionsFor should not return it
			}
			x.Device = d.ID
		}
		ex = append(ex, x)
	}
	// The evaluator matches a device exception against the Facts' own
	// device ID or hostname; a server exception names the server's device
	// ID. Judge a copy whose device ID is the server's, so the exception
	// applies and says which device it was set for, then report the
	// Facts' own identity.
	own := f.Device
	c := *f
	c.Device.ID = d.ID
	opt := policy.Options{Now: now, Exceptions: ex, Settings: settings}
	if adv != nil {
		adv.Apply(&opt, &c)
	}
	a := cat.Evaluate(&c, opt)
	a.Device = own
	return a
}

// offeredMax is how many offered Facts are kept: enough for the uploads
// of a few seconds at the pace the judge keeps up with, about 7 MB with
// 1,500 packages each.
const offeredMax = 32

// offered keeps the newest Facts offered, oldest dropped first.
type offered struct {
	mu    sync.Mutex
	order []offeredKey
	facts map[offeredKey]*handwash.Facts
}

type offeredKey struct{ device, digest string }

func (o *offered) put(deviceID, digest string, f *handwash.Facts) {
	k := offeredKey{deviceID, digest}
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.facts == nil {
		o.facts = map[offeredKey]*handwash.Facts{}
	}
	if _, ok := o.facts[k]; ok {
		return
	}
	for len(o.order) >= offeredMax {
		delete(o.facts, o.order[0])
		o.order = o.order[1:]
	}
	o.order = append(o.order, k)
	o.facts[k] = f
}

// take returns the offered Facts of a device with that digest, or nil, and
// forgets them.
func (o *offered) take(deviceID, digest string) *handwash.Facts {
	k := offeredKey{deviceID, digest}
	o.mu.Lock()
	defer o.mu.Unlock()
	f, ok := o.facts[k]
	if !ok {
		return nil
	}
	delete(o.facts, k)
	for i, x := range o.order {
		if x == k {
			o.order = append(o.order[:i], o.order[i+1:]...)
			break
		}
	}
	return f
}

// decodeFacts reads stored Facts. They were validated when uploaded, so
// they take schema's fast path; Facts stored under an older, laxer schema
// are still read by plain decoding. The size limit holds either way, in
// case the store was written by something else.
func decodeFacts(gz []byte) (*handwash.Facts, error) {
	var f *handwash.Facts
	err := gunzip.Use(gz, handwash.MaxFactsSize, func(b []byte) (err error) {
		if f, err = schema.DecodeFactsBytes(b, "stored Facts"); err == nil {
			return nil
		}
		f = new(handwash.Facts)
		if err := json.Unmarshal(b, f); err != nil {
			return fmt.Errorf("stored Facts cannot be decoded: %w", err)
		}
		return nil
	})
	switch {
	case errors.Is(err, gunzip.ErrNotGzip):
		return nil, fmt.Errorf("stored Facts are not gzip: %w", err)
	case errors.Is(err, gunzip.ErrDamaged):
		return nil, fmt.Errorf("stored Facts cannot be read: %w", err)
	case errors.Is(err, gunzip.ErrTooLarge):
		return nil, fmt.Errorf("stored Facts are over %d bytes", handwash.MaxFactsSize)
	}
	return f, err
}

// judgedWith names what the stored assessments should have been made
// with: the catalogue's digest, then the settings when they are not the
// defaults, so that a server started with other settings judges every
// device again, as it does for a new catalogue.
func (j *Judge) judgedWith() string {
	s := j.cfg.Settings.WithDefaults()
	if s == (policy.Settings{}).WithDefaults() {
		return j.cat.Digest
	}
	return j.cat.Digest + " " + s.String()
}

// watchCatalogue marks every device for judging when the running catalogue
// (or its settings) differs from what the stored assessments were made
// with. It runs at
// start, under a lease so that replicas starting together do it once; a
// replica that finds the lease taken tries again until the setting says
// its catalogue is in place.
func (j *Judge) watchCatalogue(ctx context.Context) {
	for {
		done, err := j.checkCatalogue(ctx)
		if err != nil && ctx.Err() == nil {
			j.log.ErrorContext(ctx, "could not compare the catalogue with the stored assessments'", "err", err)
		}
		if done {
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(j.retry()):
		}
	}
}

func (j *Judge) retry() time.Duration { return min(10*j.cfg.Poll, 30*time.Second) }

// checkCatalogue does watchCatalogue's work once, and reports whether
// the stored assessments now follow this catalogue.
func (j *Judge) checkCatalogue(ctx context.Context) (done bool, err error) {
	got, err := j.store.TryLease(ctx, leaseCatalogue, j.cfg.Holder, j.now(), time.Minute)
	if err != nil || !got {
		return false, err
	}
	defer j.release(leaseCatalogue)
	have, err := j.setting(ctx, SettingCatalogueDigest)
	if err != nil {
		return false, err
	}
	want := j.judgedWith()
	if have == want {
		return true, nil
	}
	n, err := j.store.MarkAllForEvaluation(ctx)
	if err != nil {
		return false, err
	}
	if err := j.store.SetSetting(ctx, SettingCatalogueDigest, want); err != nil {
		return false, err
	}
	j.log.InfoContext(ctx, "the catalogue or the judging settings changed: judging every device again",
		"catalogue_version", j.cat.Version, "settings", j.cfg.Settings.WithDefaults().String(), "devices", n)
	j.Wake()
	return true, nil
}

// rejudgeDaily marks every device for judging once a day across all
// replicas: the setting records when it was last done, under a lease.
func (j *Judge) rejudgeDaily(ctx context.Context) {
	if j.cfg.Rejudge < 0 {
		return
	}
	every := min(j.cfg.Rejudge/4, time.Hour)
	for {
		if err := j.rejudgeIfDue(ctx); err != nil && ctx.Err() == nil {
			j.log.ErrorContext(ctx, "could not mark devices for their daily judging", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(every):
		}
	}
}

func (j *Judge) rejudgeIfDue(ctx context.Context) error {
	now := j.now()
	got, err := j.store.TryLease(ctx, leaseRejudge, j.cfg.Holder, now, time.Minute)
	if err != nil || !got {
		return err
	}
	defer j.release(leaseRejudge)
	last, err := j.setting(ctx, SettingLastRejudge)
	if err != nil {
		return err
	}
	if last == "" {
		// A new server: its devices are judged as they upload; start the
		// clock now.
		return j.store.SetSetting(ctx, SettingLastRejudge, now.UTC().Format(time.RFC3339))
	}
	t, err := time.Parse(time.RFC3339, last)
	if err == nil && now.Sub(t) < j.cfg.Rejudge {
		return nil
	}
	n, err := j.store.MarkAllForEvaluation(ctx)
	if err != nil {
		return err
	}
	j.log.InfoContext(ctx, "judging every device again, as once a day", "devices", n)
	j.Wake()
	return j.store.SetSetting(ctx, SettingLastRejudge, now.UTC().Format(time.RFC3339))
}

// setting reads a setting, "" when it was never set.
func (j *Judge) setting(ctx context.Context, key string) (string, error) {
	v, err := j.store.Setting(ctx, key)
	if handwash.ErrorCode(err) == handwash.ENOTFOUND {
		return "", nil
	}
	return v, err
}

// release gives a lease back, even during shutdown, so another replica
// need not wait for it to run out.
func (j *Judge) release(name string) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := j.store.ReleaseLease(ctx, name, j.cfg.Holder); err != nil {
		j.log.Warn("could not release a lease", "lease", name, "err", err)
	}
}

// refreshCounts reads the device counts for /metrics every so often, so a
// scrape (or many) costs no query. Every replica does it: the counts are
// of the shared database, and each replica's /metrics should show them.
// Staleness itself needs no job: it is worked out from "last seen" when
// devices are listed.
func (j *Judge) refreshCounts(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-time.After(j.cfg.Refresh):
		}
		j.CountDevices(ctx)
	}
}

// CountDevices reads the device counts (and the evaluation queue, where
// the store can count it) for /metrics once. Run keeps them fresh; serve
// calls this before it answers, so the first scrape already has them.
func (j *Judge) CountDevices(ctx context.Context) {
	total, stale, err := j.store.CountDevices(ctx, j.now().Add(-j.cfg.StaleAfter))
	if err != nil {
		if ctx.Err() == nil {
			j.log.WarnContext(ctx, "could not count devices", "err", err)
		}
	} else {
		j.metrics.devices.WithLabelValues("total").Set(float64(total))
		j.metrics.devices.WithLabelValues("stale").Set(float64(stale))
		j.metrics.devices.WithLabelValues("active").Set(float64(total - stale))
	}
	if q, ok := j.store.(pendingCounter); ok {
		if n, err := q.PendingEvaluations(ctx); err == nil {
			j.metrics.queue.Set(float64(n))
		}
	}
}

// pendingCounter is a store that can count the devices waiting to be
// judged; when the store offers it, /metrics shows the queue.
type pendingCounter interface {
	PendingEvaluations(ctx context.Context) (int, error)
}
