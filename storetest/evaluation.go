package storetest

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/handwash/handwash"
	"github.com/handwash/handwash/policy"
)

// fnd is a finding of a control in the backup area at high severity,
// unless changed.
func fnd(control string, status handwash.Status) handwash.Finding {
	return handwash.Finding{ControlID: control, Area: handwash.AreaBackup, Severity: handwash.SeverityHigh, Title: "Control " + control, Status: status,
		Summary: "summary of " + control, Evidence: []handwash.Evidence{{Label: "seen", Value: string(status)}}}
}

func inArea(f handwash.Finding, a handwash.Area, sev handwash.Severity) handwash.Finding {
	f.Area, f.Severity = a, sev
	return f
}

// assessment is an assessment of findings, scored by policy.Score.
func assessment(at time.Time, fs ...handwash.Finding) *handwash.Assessment {
	a := &handwash.Assessment{Schema: handwash.AssessmentSchema, CatalogueVersion: "cat-1", EvaluatedAt: at, Findings: fs}
	policy.Score(a)
	return a
}

// pending checks the count of devices waiting to be judged, on a store
// that counts them (for /metrics).
func pending(t *testing.T, s handwash.Store, want int) {
	t.Helper()
	q, ok := s.(interface {
		PendingEvaluations(context.Context) (int, error)
	})
	if !ok {
		return
	}
	n, err := q.PendingEvaluations(context.Background())
	must(t, err)
	if n != want {
		t.Errorf("PendingEvaluations = %d, want %d", n, want)
	}
}

func testClaimEvaluations(t *testing.T, s handwash.Store) {
	w := newWorld(t, s)
	w.snap(t, w.devA1, "s1", "a1", t0)
	w.snap(t, w.devA2, "s1", "a2", t0.Add(time.Minute))
	w.snap(t, w.devB1, "s1", "b1", t0.Add(2*time.Minute))
	pending(t, s, 3)

	// Oldest mark first, up to the limit; each device to one holder.
	first, err := s.ClaimEvaluations(w.ctx, "worker-1", 2, t0.Add(time.Hour), time.Minute)
	must(t, err)
	diff(t, "first claim", sorted(ids(first)), sorted([]string{w.devA1.ID, w.devA2.ID}))
	second, err := s.ClaimEvaluations(w.ctx, "worker-2", 10, t0.Add(time.Hour), time.Minute)
	must(t, err)
	diff(t, "second claim", ids(second), []string{w.devB1.ID})
	none, err := s.ClaimEvaluations(w.ctx, "worker-3", 10, t0.Add(time.Hour+30*time.Second), time.Minute)
	must(t, err)
	if len(none) != 0 {
		t.Errorf("claimed %v while every claim holds", ids(none))
	}
	// Judging clears the mark.
	must(t, s.PutAssessment(w.ctx, w.devA1.ID, digest("a1"), assessment(t0.Add(time.Hour), fnd("c1", handwash.StatusPass))))
	pending(t, s, 2) // claimed devices wait until they are judged
	// A claim that ends is handed out again.
	again, err := s.ClaimEvaluations(w.ctx, "worker-3", 10, t0.Add(time.Hour+time.Minute), time.Minute)
	must(t, err)
	diff(t, "claims after the lease ended", sorted(ids(again)), sorted([]string{w.devA2.ID, w.devB1.ID}))
	for _, d := range again {
		if d.FactsDigest == "" || d.OrgID == "" {
			t.Errorf("claimed device lacks its record: %+v", d)
		}
	}
	got := w.device(t, w.devA1)
	if got.Score != 100 || got.EvaluatedAt == nil || !got.EvaluatedAt.Equal(t0.Add(time.Hour)) {
		t.Errorf("judged device: score %d, evaluated at %v", got.Score, got.EvaluatedAt)
	}
	zero, err := s.ClaimEvaluations(w.ctx, "worker-3", 0, t0, time.Minute)
	must(t, err)
	if len(zero) != 0 {
		t.Errorf("limit 0 claimed %d", len(zero))
	}
	wantCode(t, "PutAssessment unknown device", s.PutAssessment(w.ctx, "dev_nope", digest("x"), assessment(t0)), handwash.ENOTFOUND)
}

func testClaimEvaluationsConcurrent(t *testing.T, s handwash.Store) {
	w := newWorld(t, s)
	var all []string
	for i := range 12 {
		d := w.enroll(t, w.a, w.orgA1.ID, "", "pc", handwash.PlatformWindows)
		w.snap(t, d, "s", "facts "+string(rune('a'+i)), t0)
		all = append(all, d.ID)
	}
	var mu sync.Mutex
	var got []string
	var wg sync.WaitGroup
	for i := range 6 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				ds, err := s.ClaimEvaluations(w.ctx, "worker-"+string(rune('a'+i)), 2, t0, time.Hour)
				if err != nil {
					t.Errorf("ClaimEvaluations: %v", err)
					return
				}
				if len(ds) == 0 {
					return
				}
				mu.Lock()
				got = append(got, ids(ds)...)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	diff(t, "devices claimed once each", sorted(got), sorted(all))
}

func testPutAssessmentNewerDigest(t *testing.T, s handwash.Store) {
	w := newWorld(t, s)
	w.snap(t, w.devA1, "s1", "one", t0)
	ds, err := s.ClaimEvaluations(w.ctx, "worker", 10, t0, time.Minute)
	must(t, err)
	if len(ds) != 1 {
		t.Fatalf("claimed %d, want 1", len(ds))
	}
	// A new snapshot arrives while "one" is judged.
	w.snap(t, w.devA1, "s2", "two", t0.Add(time.Second))
	must(t, s.PutAssessment(w.ctx, w.devA1.ID, digest("one"), assessment(t0, fnd("c1", handwash.StatusPass))))
	again, err := s.ClaimEvaluations(w.ctx, "worker", 10, t0.Add(2*time.Second), time.Minute)
	must(t, err)
	if len(again) != 1 || again[0].FactsDigest != digest("two") {
		t.Errorf("after judging an older digest, claimed %+v, want the device with digest two", again)
	}
	must(t, s.PutAssessment(w.ctx, w.devA1.ID, digest("two"), assessment(t0, fnd("c1", handwash.StatusPass))))
	if left := claimed(t, w, t0.Add(time.Hour)); len(left) != 0 {
		t.Errorf("still marked after judging the newest digest: %v", left)
	}
}

func testPutAssessmentMarkedMeanwhile(t *testing.T, s handwash.Store) {
	w := newWorld(t, s)
	w.snap(t, w.devA1, "s1", "one", t0)
	_, err := s.ClaimEvaluations(w.ctx, "worker", 10, t0, time.Minute)
	must(t, err)
	// An exception is added while it is judged with the old exceptions.
	must(t, s.CreateException(w.ctx, w.a, &handwash.StoredException{OrgID: w.orgA1.ID, Control: "c1", Reason: "r", Owner: "o", Expires: t0.Add(time.Hour)}))
	must(t, s.PutAssessment(w.ctx, w.devA1.ID, digest("one"), assessment(t0, fnd("c1", handwash.StatusFail))))
	if !claimed(t, w, t0.Add(time.Second))[w.devA1.ID] {
		t.Error("a device marked during its evaluation lost the mark")
	}
}

func testAssessment(t *testing.T, s handwash.Store) {
	w := newWorld(t, s)
	w.snap(t, w.devA1, "s1", "one", t0)
	_, err := s.Assessment(w.ctx, w.a, w.devA1.ID)
	wantCode(t, "before any assessment", err, handwash.ENOTFOUND)
	a := assessment(t0, fnd("c1", handwash.StatusPass), inArea(fnd("c2", handwash.StatusFail), handwash.AreaUpdates, handwash.SeverityCritical))
	a.Device = handwash.DeviceInfo{Hostname: "reception-pc"}
	a.FixFirst = []string{"c2"}
	a.Findings[1].Why, a.Findings[1].Fix = "because", "do this"
	a.Findings[1].Exception = &handwash.AppliedException{Exception: handwash.Exception{Control: "c2", Reason: "r", Owner: "o", Expires: t0}, Expired: true}
	a.Facts = handwash.FactsSummary{Schema: "handwash.facts/v1", CollectedAt: t0, Software: 1500}
	must(t, s.PutAssessment(w.ctx, w.devA1.ID, digest("one"), a))
	got, err := s.Assessment(w.ctx, w.a1, w.devA1.ID)
	must(t, err)
	diff(t, "Assessment", got, a)
	if d := w.device(t, w.devA1); d.Score != a.Overall.Value {
		t.Errorf("device score = %d, want %d", d.Score, a.Overall.Value)
	}
	_, err = s.Assessment(w.ctx, w.a2, w.devA1.ID)
	wantCode(t, "through another org", err, handwash.ENOTFOUND)
	_, err = s.Assessment(w.ctx, w.b, w.devA1.ID)
	wantCode(t, "through another provider", err, handwash.ENOTFOUND)

	// The next assessment replaces it.
	b := assessment(t0.Add(time.Hour), fnd("c1", handwash.StatusFail))
	must(t, s.PutAssessment(w.ctx, w.devA1.ID, digest("one"), b))
	got, err = s.Assessment(w.ctx, w.a, w.devA1.ID)
	must(t, err)
	diff(t, "replaced Assessment", got, b)
	wantCode(t, "nil assessment", s.PutAssessment(w.ctx, w.devA1.ID, digest("one"), nil), handwash.EINVALID)
	dup := assessment(t0, fnd("c1", handwash.StatusPass), fnd("c1", handwash.StatusFail))
	wantCode(t, "two findings for one control", s.PutAssessment(w.ctx, w.devA1.ID, digest("one"), dup), handwash.EINVALID)
	got, err = s.Assessment(w.ctx, w.a, w.devA1.ID)
	must(t, err)
	diff(t, "Assessment after refused ones", got, b)
}

func testScoreHistory(t *testing.T, s handwash.Store) {
	w := newWorld(t, s)
	w.snap(t, w.devA1, "s1", "one", t0)
	a1 := assessment(t0, fnd("c1", handwash.StatusPass), fnd("c2", handwash.StatusFail))
	a2 := assessment(t0.Add(24*time.Hour), fnd("c1", handwash.StatusPass), fnd("c2", handwash.StatusPass))
	must(t, s.PutAssessment(w.ctx, w.devA1.ID, digest("one"), a1))
	must(t, s.PutAssessment(w.ctx, w.devA1.ID, digest("one"), a2))
	areas := func(a *handwash.Assessment) map[handwash.Area]int {
		m := map[handwash.Area]int{}
		for _, as := range a.Areas {
			m[as.Area] = as.Value
		}
		return m
	}
	got, err := s.ScoreHistory(w.ctx, w.a, w.devA1.ID, time.Time{})
	must(t, err)
	diff(t, "ScoreHistory", got, []handwash.ScorePoint{
		{At: t0, Overall: 50, Areas: areas(a1)},
		{At: t0.Add(24 * time.Hour), Overall: 100, Areas: areas(a2)},
	})
	got, err = s.ScoreHistory(w.ctx, w.a, w.devA1.ID, t0.Add(time.Hour))
	must(t, err)
	if len(got) != 1 || got[0].Overall != 100 {
		t.Errorf("ScoreHistory since = %+v, want the second point", got)
	}
	_, err = s.ScoreHistory(w.ctx, w.a2, w.devA1.ID, time.Time{})
	wantCode(t, "through another org", err, handwash.ENOTFOUND)
}

func testFindings(t *testing.T, s handwash.Store) {
	w := newWorld(t, s)
	for _, d := range []*handwash.Device{w.devA1, w.devA2, w.devB1} {
		w.snap(t, d, "s1", "facts", t0)
	}
	must(t, s.PutAssessment(w.ctx, w.devA1.ID, digest("facts"), assessment(t0,
		fnd("backup-1", handwash.StatusFail),
		inArea(fnd("update-1", handwash.StatusFail), handwash.AreaUpdates, handwash.SeverityCritical),
		inArea(fnd("fw-1", handwash.StatusPass), handwash.AreaMalware, handwash.SeverityMedium))))
	must(t, s.PutAssessment(w.ctx, w.devA2.ID, digest("facts"), assessment(t0.Add(time.Minute),
		fnd("backup-1", handwash.StatusPass),
		inArea(fnd("update-1", handwash.StatusFail), handwash.AreaUpdates, handwash.SeverityCritical))))
	must(t, s.PutAssessment(w.ctx, w.devB1.ID, digest("facts"), assessment(t0,
		fnd("backup-1", handwash.StatusFail))))

	type row struct{ Device, Control string }
	rows := func(fs []*handwash.DeviceFinding) []row {
		var out []row
		for _, f := range fs {
			out = append(out, row{f.DeviceID, f.ControlID})
		}
		return out
	}
	a1, a2 := w.devA1.ID, w.devA2.ID
	cases := []struct {
		name  string
		scope handwash.Scope
		f     handwash.FindingFilter
		want  []row
		total int
	}{
		// Most severe first, then the oldest, then by hostname.
		{"all of A", w.a, handwash.FindingFilter{}, []row{{a1, "update-1"}, {a2, "update-1"}, {a1, "backup-1"}, {a2, "backup-1"}, {a1, "fw-1"}}, 5},
		{"org scope", w.a2, handwash.FindingFilter{}, []row{{a2, "update-1"}, {a2, "backup-1"}}, 2},
		{"org filter", w.a, handwash.FindingFilter{OrgID: w.orgA1.ID}, []row{{a1, "update-1"}, {a1, "backup-1"}, {a1, "fw-1"}}, 3},
		{"org filter outside org scope", w.a2, handwash.FindingFilter{OrgID: w.orgA1.ID}, nil, 0},
		{"device", w.a, handwash.FindingFilter{DeviceID: a2}, []row{{a2, "update-1"}, {a2, "backup-1"}}, 2},
		{"device of another provider", w.a, handwash.FindingFilter{DeviceID: w.devB1.ID}, nil, 0},
		{"control", w.a, handwash.FindingFilter{ControlID: "backup-1"}, []row{{a1, "backup-1"}, {a2, "backup-1"}}, 2},
		{"status", w.a, handwash.FindingFilter{Status: handwash.StatusFail}, []row{{a1, "update-1"}, {a2, "update-1"}, {a1, "backup-1"}}, 3},
		{"area", w.a, handwash.FindingFilter{Area: handwash.AreaMalware}, []row{{a1, "fw-1"}}, 1},
		{"control and status", w.a, handwash.FindingFilter{ControlID: "backup-1", Status: handwash.StatusFail}, []row{{a1, "backup-1"}}, 1},
		{"page", w.a, handwash.FindingFilter{Offset: 1, Limit: 2}, []row{{a2, "update-1"}, {a1, "backup-1"}}, 5},
		{"provider B", w.b, handwash.FindingFilter{}, []row{{w.devB1.ID, "backup-1"}}, 1},
	}
	for _, c := range cases {
		got, total, err := s.Findings(w.ctx, c.scope, c.f)
		must(t, err)
		diff(t, c.name, rows(got), c.want)
		if total != c.total {
			t.Errorf("%s: total = %d, want %d", c.name, total, c.total)
		}
	}
	got, _, err := s.Findings(w.ctx, w.a, handwash.FindingFilter{DeviceID: a1, ControlID: "update-1"})
	must(t, err)
	want := &handwash.DeviceFinding{DeviceID: a1, Hostname: "reception-pc", Since: t0,
		Finding: inArea(fnd("update-1", handwash.StatusFail), handwash.AreaUpdates, handwash.SeverityCritical)}
	diff(t, "one finding", got, []*handwash.DeviceFinding{want})
}

func testFindingsSince(t *testing.T, s handwash.Store) {
	w := newWorld(t, s)
	d := w.devA1
	w.snap(t, d, "s1", "facts", t0)
	put := func(at time.Time, fs ...handwash.Finding) {
		t.Helper()
		must(t, s.PutAssessment(w.ctx, d.ID, digest("facts"), assessment(at, fs...)))
	}
	since := func() map[string]time.Time {
		t.Helper()
		fs, _, err := s.Findings(w.ctx, w.a, handwash.FindingFilter{DeviceID: d.ID})
		must(t, err)
		m := map[string]time.Time{}
		for _, f := range fs {
			m[f.ControlID+" "+string(f.Status)] = f.Since
		}
		return m
	}
	t1, t2, t3 := t0.Add(time.Hour), t0.Add(2*time.Hour), t0.Add(3*time.Hour)
	put(t0, fnd("a", handwash.StatusFail), fnd("b", handwash.StatusPass), fnd("gone", handwash.StatusFail))
	// a stays failed: Since stays; b starts failing: Since moves; gone is
	// no longer judged: it disappears; new appears.
	changed := fnd("a", handwash.StatusFail)
	changed.Summary = "new wording"
	put(t1, changed, fnd("b", handwash.StatusFail), fnd("new", handwash.StatusUnknown))
	diff(t, "since after the second assessment", since(), map[string]time.Time{"a fail": t0, "b fail": t1, "new unknown": t1})
	fs, _, err := s.Findings(w.ctx, w.a, handwash.FindingFilter{ControlID: "a"})
	must(t, err)
	if len(fs) != 1 || fs[0].Summary != "new wording" {
		t.Errorf("finding a was not updated: %+v", fs)
	}
	put(t2, fnd("a", handwash.StatusPass), fnd("b", handwash.StatusFail), fnd("new", handwash.StatusUnknown))
	put(t3, fnd("a", handwash.StatusFail), fnd("b", handwash.StatusFail), fnd("new", handwash.StatusUnknown))
	diff(t, "since after a pass and a failure again", since(), map[string]time.Time{"a fail": t3, "b fail": t1, "new unknown": t1})
}

func testOrgScores(t *testing.T, s handwash.Store) {
	w := newWorld(t, s)
	extra := w.enroll(t, w.a, w.orgA1.ID, "", "second", handwash.PlatformLinux)
	unjudged := w.enroll(t, w.a, w.orgA1.ID, "", "third", handwash.PlatformLinux)
	_ = unjudged
	for _, d := range []*handwash.Device{w.devA1, extra, w.devA2} {
		w.snap(t, d, "s1", "facts", t0)
	}
	// A1: backup high pass + high fail on one device, high pass on the
	// other; updates critical fail, medium pass.
	must(t, s.PutAssessment(w.ctx, w.devA1.ID, digest("facts"), assessment(t0,
		fnd("b1", handwash.StatusPass), fnd("b2", handwash.StatusFail),
		inArea(fnd("u1", handwash.StatusFail), handwash.AreaUpdates, handwash.SeverityCritical),
		inArea(fnd("m1", handwash.StatusNotApplicable), handwash.AreaMalware, handwash.SeverityHigh))))
	must(t, s.PutAssessment(w.ctx, extra.ID, digest("facts"), assessment(t0,
		fnd("b1", handwash.StatusPass), fnd("b2", handwash.StatusExcepted),
		inArea(fnd("u1", handwash.StatusPass), handwash.AreaUpdates, handwash.SeverityMedium),
		inArea(fnd("u2", handwash.StatusUnknown), handwash.AreaUpdates, handwash.SeverityLow))))
	// A2 has its own device, which must not count in A1.
	must(t, s.PutAssessment(w.ctx, w.devA2.ID, digest("facts"), assessment(t0, fnd("b1", handwash.StatusFail))))

	got, err := s.OrgScores(w.ctx, w.a, w.orgA1.ID)
	must(t, err)
	area := func(a handwash.Area, sc handwash.Score) handwash.AreaScore {
		return handwash.AreaScore{Area: a, Title: a.Title(), Score: sc}
	}
	none := handwash.Score{Value: -1}
	want := &handwash.OrgScores{
		OrgID:   w.orgA1.ID,
		Devices: 2,
		// 6+6+3 earned of 6+6+10+6+6+3+1.
		Overall: handwash.Score{Value: 55, Earned: 21, Max: 38, Pass: 3, Fail: 2, Unknown: 1, Excepted: 1, NotApplicable: 1, Assessed: true},
		Areas: []handwash.AreaScore{
			area(handwash.AreaBackup, handwash.Score{Value: 75, Earned: 18, Max: 24, Pass: 2, Fail: 1, Excepted: 1, Assessed: true}),
			area(handwash.AreaMalware, handwash.Score{Value: -1, NotApplicable: 1}),
			area(handwash.AreaDevices, none),
			area(handwash.AreaPasswords, none),
			area(handwash.AreaPhishing, none),
			area(handwash.AreaUpdates, handwash.Score{Value: 21, Earned: 3, Max: 14, Pass: 1, Fail: 1, Unknown: 1, Assessed: true}),
			area(handwash.AreaPeople, none),
		},
	}
	diff(t, "OrgScores", got, want)

	empty := &handwash.Org{Name: "Empty"}
	must(t, s.CreateOrg(w.ctx, w.a, empty))
	got, err = s.OrgScores(w.ctx, w.a, empty.ID)
	must(t, err)
	if got.Devices != 0 || got.Overall.Value != -1 || got.Overall.Assessed || len(got.Areas) != len(handwash.Areas) {
		t.Errorf("OrgScores of an empty org = %+v", got)
	}
	_, err = s.OrgScores(w.ctx, w.a2, w.orgA1.ID)
	wantCode(t, "through another org", err, handwash.ENOTFOUND)
	_, err = s.OrgScores(w.ctx, w.b, w.orgA1.ID)
	wantCode(t, "through another provider", err, handwash.ENOTFOUND)

	// Judged again with scores for the backup area only: its old scores
	// in the other areas go, and only the other device counts there.
	again := assessment(t0.Add(time.Hour), fnd("b1", handwash.StatusPass), fnd("b2", handwash.StatusPass))
	var kept []handwash.AreaScore
	for _, as := range again.Areas {
		if as.Area == handwash.AreaBackup {
			kept = append(kept, as)
		}
	}
	again.Areas = kept
	must(t, s.PutAssessment(w.ctx, w.devA1.ID, digest("facts"), again))
	got, err = s.OrgScores(w.ctx, w.a, w.orgA1.ID)
	must(t, err)
	byArea := map[handwash.Area]handwash.Score{}
	for _, as := range got.Areas {
		byArea[as.Area] = as.Score
	}
	diff(t, "updates after judging again", byArea[handwash.AreaUpdates], handwash.Score{Value: 75, Earned: 3, Max: 4, Pass: 1, Unknown: 1, Assessed: true})
	diff(t, "malware after judging again", byArea[handwash.AreaMalware], none)
	diff(t, "backup after judging again", byArea[handwash.AreaBackup], handwash.Score{Value: 100, Earned: 24, Max: 24, Pass: 3, Excepted: 1, Assessed: true})
}

func testExceptions(t *testing.T, s handwash.Store) {
	w := newWorld(t, s)
	other := w.enroll(t, w.a, w.orgA1.ID, "", "other", handwash.PlatformLinux)
	orgWide := &handwash.StoredException{OrgID: w.orgA1.ID, Control: "backup-1", Reason: "moving supplier", Owner: "Mo", Expires: t0.Add(30 * 24 * time.Hour), CreatedAt: t0, CreatedBy: "usr_x"}
	must(t, s.CreateException(w.ctx, w.a1, orgWide))
	if orgWide.ID == "" || orgWide.ProviderID != w.provA.ID {
		t.Errorf("created exception = %+v", orgWide)
	}
	one := &handwash.StoredException{OrgID: w.orgA1.ID, DeviceID: w.devA1.ID, Control: "fw-1", Reason: "kiosk", Owner: "Mo", Expires: t0.Add(time.Hour), CreatedAt: t0}
	must(t, s.CreateException(w.ctx, w.a, one))
	a2 := &handwash.StoredException{OrgID: w.orgA2.ID, Control: "backup-1", Reason: "r", Owner: "o", Expires: t0, CreatedAt: t0}
	must(t, s.CreateException(w.ctx, w.a, a2))

	got, err := s.ExceptionsFor(w.ctx, w.devA1)
	must(t, err)
	diff(t, "ExceptionsFor the device", got, []*handwash.StoredException{orgWide, one})
	got, err = s.ExceptionsFor(w.ctx, other)
	must(t, err)
	diff(t, "ExceptionsFor another device", got, []*handwash.StoredException{orgWide})
	got, err = s.Exceptions(w.ctx, w.a, w.orgA1.ID)
	must(t, err)
	diff(t, "Exceptions of A1", got, []*handwash.StoredException{orgWide, one})
	got, err = s.Exceptions(w.ctx, w.a2, "")
	must(t, err)
	diff(t, "Exceptions in A2 scope", got, []*handwash.StoredException{a2})
	got, err = s.Exceptions(w.ctx, w.a, "")
	must(t, err)
	if len(got) != 3 {
		t.Errorf("Exceptions of A = %d, want 3", len(got))
	}

	wantCode(t, "device of another org", s.CreateException(w.ctx, w.a, &handwash.StoredException{OrgID: w.orgA2.ID, DeviceID: w.devA1.ID, Control: "c", Reason: "r", Owner: "o", Expires: t0}), handwash.ENOTFOUND)
	wantCode(t, "org of another provider", s.CreateException(w.ctx, w.a, &handwash.StoredException{OrgID: w.orgB1.ID, Control: "c", Reason: "r", Owner: "o", Expires: t0}), handwash.ENOTFOUND)
	wantCode(t, "no control", s.CreateException(w.ctx, w.a, &handwash.StoredException{OrgID: w.orgA1.ID, Reason: "r", Owner: "o", Expires: t0}), handwash.EINVALID)
	wantCode(t, "delete through another org", s.DeleteException(w.ctx, w.a2, one.ID), handwash.ENOTFOUND)
	must(t, s.DeleteException(w.ctx, w.a1, one.ID))
	got, err = s.ExceptionsFor(w.ctx, w.devA1)
	must(t, err)
	diff(t, "ExceptionsFor after delete", got, []*handwash.StoredException{orgWide})
	wantCode(t, "delete again", s.DeleteException(w.ctx, w.a1, one.ID), handwash.ENOTFOUND)
}

func testExceptionsMarkDevices(t *testing.T, s handwash.Store) {
	w := newWorld(t, s)
	other := w.enroll(t, w.a, w.orgA1.ID, "", "other", handwash.PlatformLinux)
	for _, d := range []*handwash.Device{w.devA1, other, w.devA2} {
		w.snap(t, d, "s1", "facts", t0)
	}
	clear := func(at time.Time) {
		t.Helper()
		ds, err := s.ClaimEvaluations(w.ctx, "w", 100, at, time.Minute)
		must(t, err)
		for _, d := range ds {
			must(t, s.PutAssessment(w.ctx, d.ID, d.FactsDigest, assessment(at)))
		}
	}
	clear(t0)
	e := &handwash.StoredException{OrgID: w.orgA1.ID, DeviceID: other.ID, Control: "c", Reason: "r", Owner: "o", Expires: t0}
	must(t, s.CreateException(w.ctx, w.a, e))
	diff(t, "marked by a device exception", claimed(t, w, t0.Add(time.Hour)), map[string]bool{other.ID: true})
	clear(t0.Add(2 * time.Hour))
	orgWide := &handwash.StoredException{OrgID: w.orgA1.ID, Control: "c", Reason: "r", Owner: "o", Expires: t0}
	must(t, s.CreateException(w.ctx, w.a, orgWide))
	diff(t, "marked by an org exception", claimed(t, w, t0.Add(3*time.Hour)), map[string]bool{w.devA1.ID: true, other.ID: true})
	clear(t0.Add(4 * time.Hour))
	must(t, s.DeleteException(w.ctx, w.a, orgWide.ID))
	diff(t, "marked by deleting an org exception", claimed(t, w, t0.Add(5*time.Hour)), map[string]bool{w.devA1.ID: true, other.ID: true})
}

func testLeases(t *testing.T, s handwash.Store) {
	w := newWorld(t, s)
	try := func(name, holder string, at time.Time, want bool) {
		t.Helper()
		got, err := s.TryLease(w.ctx, name, holder, at, time.Minute)
		must(t, err)
		if got != want {
			t.Errorf("TryLease(%s, %s, +%v) = %v, want %v", name, holder, at.Sub(t0), got, want)
		}
	}
	try("feeds", "r1", t0, true)
	try("feeds", "r2", t0.Add(30*time.Second), false)
	try("stale", "r2", t0.Add(30*time.Second), true) // another lease is independent
	try("feeds", "r1", t0.Add(50*time.Second), true) // renewed until +110s
	try("feeds", "r2", t0.Add(100*time.Second), false)
	try("feeds", "r2", t0.Add(110*time.Second), true) // ended: taken over
	try("feeds", "r1", t0.Add(111*time.Second), false)
	must(t, s.ReleaseLease(w.ctx, "feeds", "r1")) // not the holder: no effect
	try("feeds", "r1", t0.Add(112*time.Second), false)
	must(t, s.ReleaseLease(w.ctx, "feeds", "r2"))
	try("feeds", "r1", t0.Add(113*time.Second), true)
}

func testLeasesConcurrent(t *testing.T, s handwash.Store) {
	w := newWorld(t, s)
	var wg sync.WaitGroup
	var mu sync.Mutex
	won := 0
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ok, err := s.TryLease(w.ctx, "job", "replica-"+string(rune('a'+i)), t0, time.Minute)
			if err != nil {
				t.Errorf("TryLease: %v", err)
			}
			if ok {
				mu.Lock()
				won++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if won != 1 {
		t.Errorf("%d replicas got the lease at once, want 1", won)
	}
}

func testSettings(t *testing.T, s handwash.Store) {
	w := newWorld(t, s)
	_, err := s.Setting(w.ctx, "catalogue_version")
	wantCode(t, "unset setting", err, handwash.ENOTFOUND)
	must(t, s.SetSetting(w.ctx, "catalogue_version", "v1"))
	must(t, s.SetSetting(w.ctx, "catalogue_version", "v2"))
	got, err := s.Setting(w.ctx, "catalogue_version")
	must(t, err)
	if got != "v2" {
		t.Errorf("Setting = %q, want v2", got)
	}
}

func testMarkAllForEvaluation(t *testing.T, s handwash.Store) {
	w := newWorld(t, s)
	w.snap(t, w.devA1, "s1", "facts", t0)
	w.snap(t, w.devB1, "s1", "facts", t0)
	ds, err := s.ClaimEvaluations(w.ctx, "w", 10, t0, time.Minute)
	must(t, err)
	for _, d := range ds {
		must(t, s.PutAssessment(w.ctx, d.ID, d.FactsDigest, assessment(t0)))
	}
	// Every device with Facts, in every tenancy; devA2 has nothing to judge.
	n, err := s.MarkAllForEvaluation(w.ctx)
	must(t, err)
	if n != 2 {
		t.Errorf("MarkAllForEvaluation = %d, want 2", n)
	}
	diff(t, "marked", claimed(t, w, t0.Add(time.Hour)), map[string]bool{w.devA1.ID: true, w.devB1.ID: true})
}

func sorted(s []string) []string {
	out := append([]string(nil), s...)
	sort.Strings(out)
	return out
}

func testFailureCounts(t *testing.T, s handwash.Store) {
	w := newWorld(t, s)
	extra := w.enroll(t, w.a, w.orgA1.ID, "", "second", handwash.PlatformLinux)
	for _, d := range []*handwash.Device{w.devA1, extra, w.devA2} {
		w.snap(t, d, "s1", "facts", t0)
	}
	must(t, s.PutAssessment(w.ctx, w.devA1.ID, digest("facts"), assessment(t0,
		fnd("b1", handwash.StatusFail), fnd("b2", handwash.StatusFail), fnd("b3", handwash.StatusPass))))
	must(t, s.PutAssessment(w.ctx, extra.ID, digest("facts"), assessment(t0,
		fnd("b1", handwash.StatusFail), fnd("b2", handwash.StatusExcepted), fnd("b3", handwash.StatusUnknown))))
	// Another organisation's failures never count.
	must(t, s.PutAssessment(w.ctx, w.devA2.ID, digest("facts"), assessment(t0, fnd("b1", handwash.StatusFail), fnd("b3", handwash.StatusFail))))

	got, err := s.FailureCounts(w.ctx, w.a, w.orgA1.ID)
	must(t, err)
	diff(t, "FailureCounts", got, []handwash.ControlCount{{ControlID: "b1", Devices: 2}, {ControlID: "b2", Devices: 1}})
	got, err = s.FailureCounts(w.ctx, w.a1, w.orgA1.ID)
	must(t, err)
	diff(t, "FailureCounts within the organisation's own scope", got, []handwash.ControlCount{{ControlID: "b1", Devices: 2}, {ControlID: "b2", Devices: 1}})

	empty := &handwash.Org{Name: "Empty"}
	must(t, s.CreateOrg(w.ctx, w.a, empty))
	got, err = s.FailureCounts(w.ctx, w.a, empty.ID)
	must(t, err)
	if len(got) != 0 {
		t.Errorf("FailureCounts of an empty organisation = %+v", got)
	}
	_, err = s.FailureCounts(w.ctx, w.a2, w.orgA1.ID)
	wantCode(t, "through another organisation", err, handwash.ENOTFOUND)
	_, err = s.FailureCounts(w.ctx, w.b, w.orgA1.ID)
	wantCode(t, "through another provider", err, handwash.ENOTFOUND)
	_, err = s.FailureCounts(w.ctx, w.a, "")
	wantCode(t, "without an organisation", err, handwash.EINVALID)
}

// The organisation's totals (OrgScores, FailureCounts) follow every
// assessment and every device deleted: after a mixed history they equal the
// sums of the devices' own newest assessments.
func testOrgTotalsFollowChanges(t *testing.T, s handwash.Store) {
	w := newWorld(t, s)
	var devices []*handwash.Device
	for i := range 5 {
		d := w.enroll(t, w.a, w.orgA1.ID, "", fmt.Sprintf("pc-%d", i), handwash.PlatformWindows)
		w.snap(t, d, "s1", "facts", t0)
		devices = append(devices, d)
	}
	statuses := []handwash.Status{handwash.StatusPass, handwash.StatusFail, handwash.StatusUnknown, handwash.StatusExcepted, handwash.StatusNotApplicable}
	areas := []handwash.Area{handwash.AreaBackup, handwash.AreaMalware, handwash.AreaUpdates}
	rng := rand.New(rand.NewPCG(1, 2))
	for round := range 12 {
		for i, d := range devices {
			if (i+round)%3 == 0 {
				continue // not every device is judged every round
			}
			var fs []handwash.Finding
			for c := range 4 + rng.IntN(4) { // controls come and go
				f := fnd(fmt.Sprintf("c%d", c), statuses[rng.IntN(len(statuses))])
				fs = append(fs, inArea(f, areas[c%len(areas)], handwash.SeverityHigh))
			}
			a := assessment(t0.Add(time.Duration(round)*time.Hour), fs...)
			if round%4 == 3 {
				a.Areas = a.Areas[:2] // an area no longer scored
			}
			must(t, s.PutAssessment(w.ctx, d.ID, digest("facts"), a))
		}
		if round == 6 {
			must(t, s.DeleteDevice(w.ctx, w.a, devices[1].ID))
			devices = append(devices[:1], devices[2:]...)
		}
	}

	want := &handwash.OrgScores{OrgID: w.orgA1.ID}
	var overall, none handwash.Score
	byArea := map[handwash.Area]*handwash.Score{}
	failing := map[string]int{}
	add := func(dst *handwash.Score, sc handwash.Score) {
		dst.Earned += sc.Earned
		dst.Max += sc.Max
		dst.Pass += sc.Pass
		dst.Fail += sc.Fail
		dst.Unknown += sc.Unknown
		dst.Excepted += sc.Excepted
		dst.NotApplicable += sc.NotApplicable
	}
	finish := func(sc *handwash.Score) {
		sc.Assessed = sc.Max > 0
		sc.Value = -1
		if sc.Assessed {
			sc.Value = int(math.Round(100 * float64(sc.Earned) / float64(sc.Max)))
		}
	}
	for _, d := range devices {
		a, err := s.Assessment(w.ctx, w.a, d.ID)
		if handwash.ErrorCode(err) == handwash.ENOTFOUND {
			continue
		}
		must(t, err)
		want.Devices++
		add(&overall, a.Overall)
		for _, as := range a.Areas {
			if byArea[as.Area] == nil {
				byArea[as.Area] = &handwash.Score{}
			}
			add(byArea[as.Area], as.Score)
		}
		for _, f := range a.Findings {
			if f.Status == handwash.StatusFail {
				failing[f.ControlID]++
			}
		}
	}
	finish(&overall)
	finish(&none)
	want.Overall = overall
	for _, area := range handwash.Areas {
		sc := none
		if x := byArea[area]; x != nil {
			sc = *x
			finish(&sc)
		}
		want.Areas = append(want.Areas, handwash.AreaScore{Area: area, Title: area.Title(), Score: sc})
	}
	got, err := s.OrgScores(w.ctx, w.a, w.orgA1.ID)
	must(t, err)
	diff(t, "OrgScores against the devices' own assessments", got, want)

	var wantFailing []handwash.ControlCount
	for id, n := range failing {
		wantFailing = append(wantFailing, handwash.ControlCount{ControlID: id, Devices: n})
	}
	sort.Slice(wantFailing, func(i, j int) bool { return wantFailing[i].ControlID < wantFailing[j].ControlID })
	gotFailing, err := s.FailureCounts(w.ctx, w.a, w.orgA1.ID)
	must(t, err)
	diff(t, "FailureCounts against the devices' own findings", gotFailing, wantFailing)
}

// An organisation's overall score is recorded for each day its devices are
// judged: the last score of the day counts.
func testOrgScoreHistory(t *testing.T, s handwash.Store) {
	w := newWorld(t, s)
	w.snap(t, w.devA1, "s1", "facts", t0)
	day2 := t0.Add(24 * time.Hour)
	must(t, s.PutAssessment(w.ctx, w.devA1.ID, digest("facts"), assessment(t0, fnd("c1", handwash.StatusFail), fnd("c2", handwash.StatusPass))))
	must(t, s.PutAssessment(w.ctx, w.devA1.ID, digest("facts"), assessment(t0.Add(time.Hour), fnd("c1", handwash.StatusFail), fnd("c2", handwash.StatusFail))))
	must(t, s.PutAssessment(w.ctx, w.devA1.ID, digest("facts"), assessment(day2, fnd("c1", handwash.StatusPass), fnd("c2", handwash.StatusPass))))
	got, err := s.OrgScoreHistory(w.ctx, w.a, w.orgA1.ID, t0.Add(-48*time.Hour))
	must(t, err)
	midnight := func(t time.Time) time.Time { return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC) }
	diff(t, "OrgScoreHistory", got, []handwash.OrgScorePoint{{Day: midnight(t0), Value: 0, Devices: 1}, {Day: midnight(day2), Value: 100, Devices: 1}})
	got, err = s.OrgScoreHistory(w.ctx, w.a1, w.orgA1.ID, day2)
	must(t, err)
	if len(got) != 1 || got[0].Value != 100 {
		t.Errorf("since the second day: %+v", got)
	}
	got, err = s.OrgScoreHistory(w.ctx, w.a, w.orgA2.ID, t0.Add(-48*time.Hour))
	must(t, err)
	if len(got) != 0 {
		t.Errorf("another organisation's history: %+v", got)
	}
	_, err = s.OrgScoreHistory(w.ctx, w.a2, w.orgA1.ID, t0)
	wantCode(t, "through another organisation", err, handwash.ENOTFOUND)
	_, err = s.OrgScoreHistory(w.ctx, w.b, w.orgA1.ID, t0)
	wantCode(t, "through another provider", err, handwash.ENOTFOUND)
}
