package storetest

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/handwash/handwash"
)

func ids(ds []*handwash.Device) []string {
	var out []string
	for _, d := range ds {
		out = append(out, d.ID)
	}
	return out
}

func testDevices(t *testing.T, s handwash.Store) {
	w := newWorld(t, s)
	// One more in A1, enrolled last: a Linux server seen an hour after
	// t0. Newest enrolment comes first.
	late := w.enroll(t, w.a, w.orgA1.ID, "", "server", handwash.PlatformLinux)
	w.snap(t, w.devA1, "s1", "facts of reception", t0.Add(48*time.Hour))
	w.snap(t, late, "s1", "facts of server", t0.Add(time.Hour))

	cases := []struct {
		name  string
		scope handwash.Scope
		f     handwash.DeviceFilter
		want  []string
		total int
	}{
		{"provider", w.a, handwash.DeviceFilter{}, []string{late.ID, w.devA2.ID, w.devA1.ID}, 3},
		{"org scope", w.a1, handwash.DeviceFilter{}, []string{late.ID, w.devA1.ID}, 2},
		{"org filter", w.a, handwash.DeviceFilter{OrgID: w.orgA2.ID}, []string{w.devA2.ID}, 1},
		{"org filter outside org scope", w.a1, handwash.DeviceFilter{OrgID: w.orgA2.ID}, nil, 0},
		{"site", w.a, handwash.DeviceFilter{SiteID: w.siteA1.ID}, []string{w.devA1.ID}, 1},
		{"platform", w.a, handwash.DeviceFilter{Platform: handwash.PlatformLinux}, []string{late.ID}, 1},
		{"stale", w.a, handwash.DeviceFilter{StaleBefore: ptr(t0.Add(24 * time.Hour))}, []string{late.ID, w.devA2.ID}, 2},
		{"limit", w.a, handwash.DeviceFilter{Limit: 2}, []string{late.ID, w.devA2.ID}, 3},
		{"offset", w.a, handwash.DeviceFilter{Offset: 1}, []string{w.devA2.ID, w.devA1.ID}, 3},
		{"offset and limit", w.a, handwash.DeviceFilter{Offset: 1, Limit: 1}, []string{w.devA2.ID}, 3},
		{"provider B", w.b, handwash.DeviceFilter{}, []string{w.devB1.ID}, 1},
	}
	for _, c := range cases {
		got, total, err := s.Devices(w.ctx, c.scope, c.f)
		must(t, err)
		diff(t, c.name+": devices", ids(got), c.want)
		if total != c.total {
			t.Errorf("%s: total = %d, want %d", c.name, total, c.total)
		}
	}

	got, err := s.Device(w.ctx, w.a, w.devA1.ID)
	must(t, err)
	want := *w.devA1
	want.LastSeenAt = ptr(t0.Add(48*time.Hour + time.Second))
	want.LastSnapshotID, want.FactsDigest = "s1", digest("facts of reception")
	diff(t, "Device", got, &want)
	auth, err := s.DeviceForAuth(w.ctx, w.devA1.ID)
	must(t, err)
	diff(t, "DeviceForAuth", auth, &want)
	_, err = s.DeviceForAuth(w.ctx, "dev_nope")
	wantCode(t, "DeviceForAuth unknown", err, handwash.ENOTFOUND)
	_, err = s.Device(w.ctx, w.a, "dev_nope")
	wantCode(t, "Device unknown", err, handwash.ENOTFOUND)
}

func testDeleteDevice(t *testing.T, s handwash.Store) {
	w := newWorld(t, s)
	w.snap(t, w.devA1, "s1", "facts", t0)
	must(t, s.PutAssessment(w.ctx, w.devA1.ID, digest("facts"), assessment(t0, fnd("c1", handwash.StatusFail))))
	must(t, s.CreateException(w.ctx, w.a, &handwash.StoredException{OrgID: w.orgA1.ID, DeviceID: w.devA1.ID, Control: "c1", Reason: "r", Owner: "o", Expires: t0.Add(time.Hour)}))

	wantCode(t, "delete through another org", s.DeleteDevice(w.ctx, w.a2, w.devA1.ID), handwash.ENOTFOUND)
	must(t, s.DeleteDevice(w.ctx, w.a1, w.devA1.ID))
	_, err := s.DeviceForAuth(w.ctx, w.devA1.ID)
	wantCode(t, "deleted device", err, handwash.ENOTFOUND)
	_, err = s.Facts(w.ctx, w.devA1.ID, digest("facts"))
	wantCode(t, "deleted device's Facts", err, handwash.ENOTFOUND)
	fs, total, err := s.Findings(w.ctx, w.a, handwash.FindingFilter{})
	must(t, err)
	if total != 0 || len(fs) != 0 {
		t.Errorf("deleted device's findings remain: %d", total)
	}
	es, err := s.Exceptions(w.ctx, w.a, "")
	must(t, err)
	if len(es) != 0 {
		t.Errorf("deleted device's exceptions remain: %d", len(es))
	}
	wantCode(t, "delete again", s.DeleteDevice(w.ctx, w.a1, w.devA1.ID), handwash.ENOTFOUND)
}

func testCountDevices(t *testing.T, s handwash.Store) {
	w := newWorld(t, s)
	w.snap(t, w.devA1, "s1", "facts", t0.Add(10*24*time.Hour))
	total, stale, err := s.CountDevices(w.ctx, t0.Add(7*24*time.Hour))
	must(t, err)
	if total != 3 || stale != 2 {
		t.Errorf("CountDevices = %d, %d; want 3, 2", total, stale)
	}
	total, stale, err = s.CountDevices(w.ctx, t0.Add(-time.Hour))
	must(t, err)
	if total != 3 || stale != 0 {
		t.Errorf("CountDevices before enrolment = %d, %d; want 3, 0", total, stale)
	}
}

// pending reports whether a device is waiting for evaluation, by claiming
// with a throwaway holder that is not used again.
func claimed(t *testing.T, w *world, at time.Time) map[string]bool {
	t.Helper()
	ds, err := w.s.ClaimEvaluations(w.ctx, "probe", 100, at, time.Nanosecond)
	must(t, err)
	out := map[string]bool{}
	for _, d := range ds {
		out[d.ID] = true
	}
	return out
}

func testPutSnapshot(t *testing.T, s handwash.Store) {
	w := newWorld(t, s)
	d := &handwash.Device{ID: w.devA1.ID, Hostname: "RECEPTION-PC", Platform: handwash.PlatformWindows, OS: "Windows 11 Pro 23H2"}
	sn := &handwash.Snapshot{ID: "snap-1", CollectedAt: t0, ReceivedAt: t0.Add(2 * time.Second), Digest: digest("one"), Size: 3}
	created, err := s.PutSnapshot(w.ctx, d, sn, gz("one"))
	must(t, err)
	if !created {
		t.Error("first snapshot: created = false")
	}
	want := *w.devA1
	want.Hostname, want.OS = "RECEPTION-PC", "Windows 11 Pro 23H2"
	want.LastSeenAt, want.LastSnapshotID, want.FactsDigest = ptr(t0.Add(2*time.Second)), "snap-1", digest("one")
	diff(t, "device after snapshot", w.device(t, d), &want)
	diff(t, "device passed in is updated", d, &want)

	facts, err := s.Facts(w.ctx, d.ID, digest("one"))
	must(t, err)
	diff(t, "Facts", gunzipString(t, facts), "one")
	_, err = s.Facts(w.ctx, d.ID, digest("two"))
	wantCode(t, "Facts unknown digest", err, handwash.ENOTFOUND)
	_, err = s.Facts(w.ctx, w.devA2.ID, digest("one"))
	wantCode(t, "Facts of another device", err, handwash.ENOTFOUND)

	if !claimed(t, w, t0)[d.ID] {
		t.Error("a new digest did not mark the device for evaluation")
	}

	sn2 := &handwash.Snapshot{ID: "snap-2", CollectedAt: t0.Add(4 * time.Hour), ReceivedAt: t0.Add(4 * time.Hour), Digest: digest("two"), Size: 3}
	created, err = s.PutSnapshot(w.ctx, d, sn2, gz("two"))
	must(t, err)
	if !created {
		t.Error("second snapshot: created = false")
	}
	got, err := s.Snapshots(w.ctx, w.a1, d.ID, 0)
	must(t, err)
	diff(t, "Snapshots", got, []*handwash.Snapshot{sn2, sn})
	got, err = s.Snapshots(w.ctx, w.a1, d.ID, 1)
	must(t, err)
	diff(t, "Snapshots limit 1", got, []*handwash.Snapshot{sn2})
	_, err = s.Snapshots(w.ctx, w.a2, d.ID, 0)
	wantCode(t, "Snapshots through another org", err, handwash.ENOTFOUND)

	// A new digest without Facts cannot be stored.
	_, err = s.PutSnapshot(w.ctx, d, &handwash.Snapshot{ID: "snap-3", CollectedAt: t0.Add(8 * time.Hour), Digest: digest("three")}, nil)
	wantCode(t, "new digest without Facts", err, handwash.EINVALID)
	_, err = s.PutSnapshot(w.ctx, &handwash.Device{ID: "dev_nope"}, &handwash.Snapshot{ID: "x", CollectedAt: t0, Digest: digest("one")}, gz("one"))
	wantCode(t, "unknown device", err, handwash.ENOTFOUND)
	_, err = s.PutSnapshot(w.ctx, d, &handwash.Snapshot{CollectedAt: t0, Digest: digest("one")}, gz("one"))
	wantCode(t, "no snapshot ID", err, handwash.EINVALID)
	got, err = s.Snapshots(w.ctx, w.a1, d.ID, 0)
	must(t, err)
	if len(got) != 2 {
		t.Errorf("after refused uploads: %d snapshots, want 2", len(got))
	}
}

func testPutSnapshotRetry(t *testing.T, s handwash.Store) {
	w := newWorld(t, s)
	d := w.devA1
	w.snap(t, d, "snap-1", "one", t0)
	claimed(t, w, t0) // clears nothing, but takes the mark's claim for a nanosecond
	before := w.device(t, d)
	// A retry, received later: nothing changes.
	created, err := s.PutSnapshot(w.ctx, d, &handwash.Snapshot{ID: "snap-1", CollectedAt: t0, ReceivedAt: t0.Add(time.Hour), Digest: digest("one")}, gz("one"))
	must(t, err)
	if created {
		t.Error("retry: created = true")
	}
	diff(t, "device after retry", w.device(t, d), before)
	// The same ID with other Facts is a conflict, and changes nothing.
	_, err = s.PutSnapshot(w.ctx, d, &handwash.Snapshot{ID: "snap-1", CollectedAt: t0.Add(time.Hour), ReceivedAt: t0.Add(time.Hour), Digest: digest("other")}, gz("other"))
	wantCode(t, "same ID, other digest", err, handwash.ECONFLICT)
	diff(t, "device after conflict", w.device(t, d), before)
	_, err = s.Facts(w.ctx, d.ID, digest("other"))
	wantCode(t, "Facts of the refused upload", err, handwash.ENOTFOUND)
	sns, err := s.Snapshots(w.ctx, w.a, d.ID, 0)
	must(t, err)
	if len(sns) != 1 {
		t.Errorf("%d snapshots, want 1", len(sns))
	}
	// The same snapshot ID on another device is another snapshot.
	if !w.snap(t, w.devA2, "snap-1", "one", t0) {
		t.Error("another device's snapshot with the same ID was not stored")
	}
}

func testPutSnapshotUnchanged(t *testing.T, s handwash.Store) {
	w := newWorld(t, s)
	d := w.devA1
	w.snap(t, d, "snap-1", "one", t0)
	// Judge it, so the mark is cleared.
	ds, err := s.ClaimEvaluations(w.ctx, "worker", 10, t0, time.Minute)
	must(t, err)
	if len(ds) != 1 {
		t.Fatalf("claimed %d devices, want 1", len(ds))
	}
	must(t, s.PutAssessment(w.ctx, d.ID, digest("one"), assessment(t0, fnd("c1", handwash.StatusPass))))

	// Unchanged, without Facts: last seen moves, no new blob, no mark.
	later := t0.Add(4 * time.Hour)
	created, err := s.PutSnapshot(w.ctx, d, &handwash.Snapshot{ID: "snap-2", CollectedAt: later, ReceivedAt: later, Digest: digest("one")}, nil)
	must(t, err)
	if !created {
		t.Error("unchanged snapshot: created = false")
	}
	got := w.device(t, d)
	diff(t, "last seen", got.LastSeenAt, &later)
	if got.LastSnapshotID != "snap-2" || got.FactsDigest != digest("one") {
		t.Errorf("device after unchanged snapshot = %+v", got)
	}
	if claimed(t, w, later)[d.ID] {
		t.Error("an unchanged digest marked the device for evaluation")
	}
	// Unchanged with Facts sent anyway: the blob is not stored twice.
	w.snap(t, d, "snap-3", "one", later.Add(time.Hour))
	facts, err := s.Facts(w.ctx, d.ID, digest("one"))
	must(t, err)
	diff(t, "Facts", gunzipString(t, facts), "one")
	sns, err := s.Snapshots(w.ctx, w.a, d.ID, 0)
	must(t, err)
	if len(sns) != 3 {
		t.Errorf("%d snapshots, want 3", len(sns))
	}
	// A changed digest marks it.
	w.snap(t, d, "snap-4", "two", later.Add(2*time.Hour))
	if !claimed(t, w, later.Add(2*time.Hour))[d.ID] {
		t.Error("a changed digest did not mark the device for evaluation")
	}
	// Back to an earlier digest, whose Facts are kept: no Facts needed.
	_, err = s.PutSnapshot(w.ctx, d, &handwash.Snapshot{ID: "snap-5", CollectedAt: later.Add(3 * time.Hour), Digest: digest("one")}, nil)
	must(t, err)
}

func testPutSnapshotLate(t *testing.T, s handwash.Store) {
	w := newWorld(t, s)
	d := &handwash.Device{ID: w.devA1.ID, Hostname: "new-name"}
	w.snap(t, d, "snap-2", "two", t0.Add(4*time.Hour))
	// A spooled snapshot collected earlier arrives afterwards: it is kept,
	// and moves last seen, but the device stays as the newest snapshot
	// says.
	old := &handwash.Device{ID: w.devA1.ID, Hostname: "old-name"}
	received := t0.Add(5 * time.Hour)
	created, err := s.PutSnapshot(w.ctx, old, &handwash.Snapshot{ID: "snap-1", CollectedAt: t0, ReceivedAt: received, Digest: digest("one")}, gz("one"))
	must(t, err)
	if !created {
		t.Error("late snapshot: created = false")
	}
	got := w.device(t, d)
	if got.Hostname != "new-name" || got.FactsDigest != digest("two") || got.LastSnapshotID != "snap-2" {
		t.Errorf("device after a late snapshot = %+v", got)
	}
	diff(t, "last seen", got.LastSeenAt, &received)
	_, err = s.Facts(w.ctx, d.ID, digest("one"))
	must(t, err)
}

func testPutSnapshotConcurrent(t *testing.T, s handwash.Store) {
	w := newWorld(t, s)
	const n = 8
	var wg sync.WaitGroup
	results := make(chan bool, 2*n)
	for i := range n {
		for range 2 { // each snapshot twice at once: one is a retry
			wg.Add(1)
			go func() {
				defer wg.Done()
				id := "snap-" + string(rune('a'+i))
				content := "facts " + id
				created, err := s.PutSnapshot(w.ctx, &handwash.Device{ID: w.devA1.ID}, &handwash.Snapshot{ID: id, CollectedAt: t0.Add(time.Duration(i) * time.Minute), Digest: digest(content)}, gz(content))
				if err != nil {
					t.Errorf("PutSnapshot %s: %v", id, err)
				}
				results <- created
			}()
		}
	}
	wg.Wait()
	close(results)
	created := 0
	for c := range results {
		if c {
			created++
		}
	}
	if created != n {
		t.Errorf("%d uploads created a snapshot, want %d", created, n)
	}
	sns, err := s.Snapshots(w.ctx, w.a, w.devA1.ID, 0)
	must(t, err)
	if len(sns) != n {
		t.Errorf("%d snapshots, want %d", len(sns), n)
	}
	if got := w.device(t, w.devA1); got.LastSnapshotID != "snap-"+string(rune('a'+n-1)) {
		t.Errorf("newest snapshot = %q, want the one collected last", got.LastSnapshotID)
	}
}

// A burst of good and bad uploads at once, as a store that stores
// concurrent snapshots together would see them: each is answered as if it
// had come alone, and the bad ones change nothing.
func testPutSnapshotBurst(t *testing.T, s handwash.Store) {
	w := newWorld(t, s)
	w.snap(t, w.devA1, "kept", "kept", t0)
	type upload struct {
		d     string
		sn    *handwash.Snapshot
		facts []byte
		want  string // the error code; "" for stored
	}
	var uploads []upload
	for i := range 12 {
		d := w.devA1.ID
		if i%2 == 1 {
			d = w.devA2.ID
		}
		id, content := fmt.Sprintf("good-%02d", i), fmt.Sprintf("facts %d", i)
		for range 2 { // each twice at once: one is a retry
			uploads = append(uploads, upload{d, &handwash.Snapshot{ID: id, CollectedAt: t0.Add(time.Duration(i+1) * time.Minute), Digest: digest(content)}, gz(content), ""})
		}
	}
	for i := range 4 {
		uploads = append(uploads,
			upload{w.devA1.ID, &handwash.Snapshot{ID: "kept", CollectedAt: t0.Add(time.Hour), Digest: digest(fmt.Sprint("conflict ", i))}, gz(fmt.Sprint("conflict ", i)), handwash.ECONFLICT},
			upload{"dev_nope", &handwash.Snapshot{ID: fmt.Sprint("nope-", i), CollectedAt: t0, Digest: digest("nope")}, gz("nope"), handwash.ENOTFOUND},
			upload{w.devA1.ID, &handwash.Snapshot{ID: fmt.Sprint("bare-", i), CollectedAt: t0.Add(time.Hour), Digest: digest(fmt.Sprint("bare ", i))}, nil, handwash.EINVALID})
	}
	start := make(chan struct{})
	var wg sync.WaitGroup
	var mu sync.Mutex
	created := map[string]int{}
	for _, u := range uploads {
		wg.Go(func() {
			<-start
			ok, err := s.PutSnapshot(w.ctx, &handwash.Device{ID: u.d}, u.sn, u.facts)
			if u.want == "" {
				if err != nil {
					t.Errorf("PutSnapshot %s: %v", u.sn.ID, err)
				}
				if ok {
					mu.Lock()
					created[u.d+"/"+u.sn.ID]++
					mu.Unlock()
				}
				return
			}
			wantCode(t, "PutSnapshot "+u.sn.ID, err, u.want)
		})
	}
	close(start)
	wg.Wait()
	if len(created) != 12 {
		t.Errorf("%d snapshots created, want 12", len(created))
	}
	for k, n := range created {
		if n != 1 {
			t.Errorf("%s created %d times", k, n)
		}
	}
	for _, d := range []*handwash.Device{w.devA1, w.devA2} {
		sns, err := s.Snapshots(w.ctx, w.a, d.ID, 0)
		must(t, err)
		want := 6
		if d == w.devA1 {
			want = 7 // and "kept"
		}
		if len(sns) != want {
			t.Errorf("%s: %d snapshots, want %d", d.ID, len(sns), want)
		}
	}
	for i := range 4 {
		_, err := s.Facts(w.ctx, w.devA1.ID, digest(fmt.Sprint("conflict ", i)))
		wantCode(t, "Facts of a refused upload", err, handwash.ENOTFOUND)
	}
	if got := w.device(t, w.devA1); got.LastSnapshotID != "good-10" {
		t.Errorf("newest snapshot of %s = %q, want good-10", w.devA1.ID, got.LastSnapshotID)
	}
}

// bigFacts is a Facts-like JSON document of n packages whose versions
// depend on day, as one device's inventory changes over days.
func bigFacts(n, day int) string {
	var b strings.Builder
	b.WriteString(`{"schema":"handwash.facts/v1","software":{"items":[`)
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		v := 1
		if i%97 == day%97 && day > 0 { // a few packages move each day
			v += day
		}
		fmt.Fprintf(&b, `{"name":"package-%d-%x","version":"%d.%d.%d","source":"dpkg","arch":"amd64"}`, i, i*7919, v, i%13, day*(i%5))
	}
	fmt.Fprintf(&b, `]},"day":%d}`, day)
	return b.String()
}

func gunzipString(t *testing.T, b []byte) string {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(b))
	must(t, err)
	out, err := io.ReadAll(zr)
	must(t, err)
	return string(out)
}

func testFactsHistory(t *testing.T, s handwash.Store) {
	w := newWorld(t, s)
	// Thirty days of changing Facts, one of them sent twice, and a return
	// to the first day's: every version reads back as it was sent.
	days := []int{0, 1, 2, 3, 3, 4, 5, 6, 7, 8, 9, 10, 20, 30, 0}
	// Each is judged, as the server does, and a store that keeps older
	// Facts as deltas is asked to, as the judge does between bursts.
	compactor, compacts := s.(interface {
		CompactFacts(ctx context.Context, deviceID string) error
	})
	for i, day := range days {
		content := bigFacts(1500, day)
		w.snap(t, w.devA1, fmt.Sprintf("s%d", i), content, t0.Add(time.Duration(i)*time.Hour))
		must(t, s.PutAssessment(w.ctx, w.devA1.ID, digest(content), assessment(t0, fnd("c1", handwash.StatusPass))))
		if compacts {
			must(t, compactor.CompactFacts(w.ctx, w.devA1.ID))
		}
	}
	for _, day := range days {
		want := bigFacts(1500, day)
		got, err := s.Facts(w.ctx, w.devA1.ID, digest(want))
		must(t, err)
		if gunzipString(t, got) != want {
			t.Errorf("Facts of day %d do not read back as sent", day)
		}
	}
	// Another device's history is its own.
	w.snap(t, w.devA2, "s1", bigFacts(1500, 5), t0)
	got, err := s.Facts(w.ctx, w.devA2.ID, digest(bigFacts(1500, 5)))
	must(t, err)
	if gunzipString(t, got) != bigFacts(1500, 5) {
		t.Error("the second device's Facts do not read back as sent")
	}
	must(t, s.DeleteDevice(w.ctx, w.a, w.devA1.ID))
	got, err = s.Facts(w.ctx, w.devA2.ID, digest(bigFacts(1500, 5)))
	must(t, err)
	if gunzipString(t, got) != bigFacts(1500, 5) {
		t.Error("deleting another device changed these Facts")
	}
}
