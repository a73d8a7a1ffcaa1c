// Package collect gathers the Facts of the machine it runs on.
//
// Each topic has a collector per platform, chosen by file name and build tag
// (firewall_linux.go, firewall_windows.go, firewall_darwin.go), with a stub
// elsewhere. Collectors run concurrently, each with its own timeout; one that
// fails, panics or overruns never stops the others, and what it could not
// observe is recorded in Facts.Collection.Missing with a reason.
//
// Collectors look at the machine only through a Host, so tests replay
// recorded command outputs and files from testdata/ on any platform. Parsing
// is kept in plain functions without build tags, so the Windows and macOS
// parsers are tested on Linux too.
package collect

import (
	"context"
	"fmt"
	"reflect"
	"runtime"
	"sort"
	"time"

	"github.com/handwash/handwash"
)

// Collector fills one or more topics of the Facts.
type Collector struct {
	// Name identifies the collector in Facts.Collection.Collectors.
	Name string
	// Topics are the top-level Facts fields (their JSON names) it fills; if it
	// fails or times out, each is recorded as missing.
	Topics []string
	// Timeout bounds the collector; DefaultTimeout when zero.
	Timeout time.Duration
	// Run observes the machine and writes into f, a fresh Facts that belongs
	// to this collector alone. It records what it could not observe with
	// f.AddMissing. An error means the whole collector failed.
	Run func(ctx context.Context, h Host, f *handwash.Facts) error
}

// DefaultTimeout bounds a collector that does not set its own.
const DefaultTimeout = 5 * time.Second

// Options changes how Collect runs.
type Options struct {
	// Host is the machine to look at; the real one when nil.
	Host Host
	// Collectors replaces the platform's own set (tests).
	Collectors []Collector
	// Version is recorded in the Facts.
	Version string
	// Now is the clock; time.Now when nil.
	Now func() time.Time
}

// Collect gathers the Facts of this machine.
func Collect(ctx context.Context, opt Options) *handwash.Facts {
	now := opt.Now
	if now == nil {
		now = time.Now
	}
	h := opt.Host
	if h == nil {
		h = NewHost()
	}
	cs := opt.Collectors
	if cs == nil {
		cs = Collectors()
	}
	start := now()
	f := &handwash.Facts{
		Schema:      handwash.FactsSchema,
		CollectedAt: start.UTC().Truncate(time.Second),
	}
	f.Device.Platform = Platform()
	f.Device.Arch = runtime.GOARCH
	f.Collection.Version = opt.Version
	f.Collection.Elevated = h.Elevated()

	// The channel is buffered so that a collector finishing after we stopped
	// waiting for it can still send and end.
	results := make(chan outcome, len(cs))
	for i, c := range cs {
		go func() { results <- runOne(ctx, h, c, i, now) }()
	}

	byIndex := make([]*outcome, len(cs))
	deadline := time.NewTimer(maxTimeout(cs) + time.Second)
	defer deadline.Stop()
	for got := 0; got < len(cs); got++ {
		select {
		case r := <-results:
			byIndex[r.i] = &r
		case <-deadline.C:
			got = len(cs) // stop waiting; the rest are recorded as timed out
		case <-ctx.Done():
			got = len(cs)
		}
	}
	for i, c := range cs {
		r := byIndex[i]
		if r == nil {
			f.Collection.Collectors = append(f.Collection.Collectors, handwash.CollectorRun{Name: c.Name, Error: "did not finish in time"})
			for _, t := range c.Topics {
				f.AddMissing(t, handwash.ReasonTimedOut, c.Name+" did not finish in time")
			}
			continue
		}
		f.Collection.Collectors = append(f.Collection.Collectors, r.run)
		// What a collector that overran wrote may be half done: drop it. A
		// collector that returned an error keeps what it did observe.
		if r.run.Error != errTimedOut {
			merge(f, r.partial)
		}
		if r.run.Error != "" {
			reason := handwash.ReasonError
			if r.run.Error == errTimedOut {
				reason = handwash.ReasonTimedOut
			}
			for _, t := range c.Topics {
				if !topicSet(f, t) {
					f.AddMissing(t, reason, c.Name+": "+r.run.Error)
				}
			}
		}
	}
	recordUnobservedTopics(f)
	sort.SliceStable(f.Collection.Missing, func(i, j int) bool { return f.Collection.Missing[i].Fact < f.Collection.Missing[j].Fact })
	f.Collection.DurationMS = now().Sub(start).Milliseconds()
	return f
}

const errTimedOut = "timed out"

func maxTimeout(cs []Collector) time.Duration {
	var m time.Duration
	for _, c := range cs {
		m = max(m, c.timeout())
	}
	return m
}

func (c Collector) timeout() time.Duration {
	if c.Timeout == 0 {
		return DefaultTimeout
	}
	return c.Timeout
}

// outcome is what one collector's run produced.
type outcome struct {
	i       int
	partial *handwash.Facts
	run     handwash.CollectorRun
}

// runOne runs a collector with its timeout, turning a panic into an error.
func runOne(ctx context.Context, h Host, c Collector, i int, now func() time.Time) (r outcome) {
	ctx, cancel := context.WithTimeout(ctx, c.timeout())
	defer cancel()
	r.i = i
	r.partial = &handwash.Facts{}
	r.run.Name = c.Name
	start := now()
	defer func() {
		r.run.DurationMS = now().Sub(start).Milliseconds()
		if p := recover(); p != nil {
			r.run.Error = fmt.Sprintf("internal error: %v", p)
		}
	}()
	err := c.Run(ctx, h, r.partial)
	if ctx.Err() == context.DeadlineExceeded {
		r.run.Error = errTimedOut
	} else if err != nil {
		r.run.Error = err.Error()
	}
	return r
}

// merge copies what a collector observed into the Facts. Top-level topics
// that several collectors share (device, collection) are merged field by
// field; any other topic belongs to one collector.
func merge(dst, src *handwash.Facts) {
	dv := reflect.ValueOf(dst).Elem()
	sv := reflect.ValueOf(src).Elem()
	t := dv.Type()
	for i := 0; i < t.NumField(); i++ {
		switch t.Field(i).Name {
		case "Schema", "CollectedAt", "Collection":
			continue
		case "Device":
			mergeNonZero(dv.Field(i), sv.Field(i))
			continue
		}
		if f := sv.Field(i); !f.IsZero() {
			if dv.Field(i).IsZero() {
				dv.Field(i).Set(f)
			} else if f.Kind() == reflect.Pointer {
				mergeNonZero(dv.Field(i).Elem(), f.Elem())
			}
		}
	}
	dst.Collection.Missing = append(dst.Collection.Missing, src.Collection.Missing...)
}

// mergeNonZero copies the fields of src that are set into dst.
func mergeNonZero(dst, src reflect.Value) {
	for i := 0; i < src.NumField(); i++ {
		if !src.Field(i).IsZero() {
			dst.Field(i).Set(src.Field(i))
		}
	}
}

// topicSet reports whether the top-level topic with this JSON name was filled.
func topicSet(f *handwash.Facts, topic string) bool {
	v := reflect.ValueOf(f).Elem()
	for i := 0; i < v.NumField(); i++ {
		if jsonName(v.Type().Field(i)) == topic {
			return !v.Field(i).IsZero()
		}
	}
	return false
}

// recordUnobservedTopics makes sure every topic left empty has a reason.
func recordUnobservedTopics(f *handwash.Facts) {
	v := reflect.ValueOf(f).Elem()
	for i := 0; i < v.NumField(); i++ {
		fv := v.Field(i)
		if fv.Kind() != reflect.Pointer || !fv.IsNil() {
			continue
		}
		name := jsonName(v.Type().Field(i))
		if _, ok := f.MissingFor(name); ok {
			continue
		}
		if hasMissingUnder(f, name) {
			continue
		}
		f.AddMissing(name, handwash.ReasonNotSupported, "no collector for this on "+string(f.Device.Platform))
	}
}

func hasMissingUnder(f *handwash.Facts, topic string) bool {
	for _, m := range f.Collection.Missing {
		if len(m.Fact) > len(topic) && m.Fact[:len(topic)] == topic && (m.Fact[len(topic)] == '.' || m.Fact[len(topic)] == '[') {
			return true
		}
	}
	return false
}

func jsonName(sf reflect.StructField) string {
	tag := sf.Tag.Get("json")
	for i := 0; i < len(tag); i++ {
		if tag[i] == ',' {
			return tag[:i]
		}
	}
	if tag == "" {
		return sf.Name
	}
	return tag
}
