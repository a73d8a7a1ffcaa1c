package judge_test

import (
	"archive/zip"
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"github.com/prometheus/client_golang/prometheus"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/handwash/handwash"
	"github.com/handwash/handwash/advisories"
	"github.com/handwash/handwash/feeds"
	"github.com/handwash/handwash/judge"
	"github.com/handwash/handwash/policy"
	"github.com/handwash/handwash/postgres"
	"github.com/handwash/handwash/postgres/pgtest"
	"github.com/handwash/handwash/sqlite"
	"github.com/handwash/handwash/storetest"
	"github.com/handwash/handwash/web"
)

// env is a store, the API over it, and a provider admin's and an
// organisation's credentials.
type env struct {
	t     *testing.T
	store store
	cat   *policy.Catalogue
	api   *httptest.Server
	admin string
	org   *handwash.Org
	// adv, when set, gives the judges security advisories.
	adv *advisories.Source
}

// store is a real store: SQLite or PostgreSQL.
type store interface {
	handwash.Store
	WriteDB() *sql.DB
}

func newEnv(t *testing.T) *env {
	t.Helper()
	store, err := sqlite.Open(filepath.Join(t.TempDir(), "handwash.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	return newEnvOn(t, store)
}

func newEnvOn(t *testing.T, store store) *env {
	t.Helper()
	cat, err := policy.Default()
	if err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, store: store, cat: cat}
	e.api = httptest.NewServer(web.NewServer(web.Config{}, web.Deps{Store: store, Controls: cat}))
	t.Cleanup(e.api.Close)

	ctx := context.Background()
	p := &handwash.Provider{Name: "Careful IT"}
	if err := store.CreateProvider(ctx, p); err != nil {
		t.Fatal(err)
	}
	e.org = &handwash.Org{Name: "Rose House"}
	if err := store.CreateOrg(ctx, handwash.Scope{ProviderID: p.ID}, e.org); err != nil {
		t.Fatal(err)
	}
	secret := handwash.NewSecret()
	tok := &handwash.APIToken{Name: "test", Role: handwash.RoleProviderAdmin, SecretHash: handwash.HashSecret(secret)}
	if err := store.CreateAPIToken(ctx, handwash.Scope{ProviderID: p.ID}, tok); err != nil {
		t.Fatal(err)
	}
	e.admin = handwash.Credential(handwash.PrefixAPIToken, tok.ID, secret)
	return e
}

// judge starts a Judge on the store and stops it when the test ends.
func (e *env) judge(cfg judge.Config, store handwash.Store) *judge.Judge {
	e.t.Helper()
	if cfg.Poll == 0 {
		cfg.Poll = 20 * time.Millisecond
	}
	if store == nil {
		store = e.store
	}
	j := judge.New(cfg, judge.Deps{Store: store, Catalogue: e.cat, Advisories: e.adv})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		j.Run(ctx)
	}()
	e.t.Cleanup(func() {
		cancel()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			buf := make([]byte, 1<<20)
			e.t.Errorf("the judge did not stop within 10 seconds of being told to:\n%s", buf[:runtime.Stack(buf, true)])
		}
	})
	return j
}

// call makes an API request and decodes the answer into out.
func (e *env) call(method, path, cred string, body []byte, out any, headers ...string) int {
	e.t.Helper()
	req, err := http.NewRequest(method, e.api.URL+path, bytes.NewReader(body))
	if err != nil {
		e.t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+cred)
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if out != nil && res.StatusCode < 300 {
		if err := json.Unmarshal(b, out); err != nil {
			e.t.Fatalf("%s %s: %v: %s", method, path, err, b)
		}
	}
	return res.StatusCode
}

// device enrols a device and uploads recorded Facts for it.
func (e *env) device(file, snapshotID string) (id, cred string) {
	e.t.Helper()
	secret := handwash.NewSecret()
	et := &handwash.EnrollToken{OrgID: e.org.ID, SecretHash: handwash.HashSecret(secret), MaxUses: 1, ExpiresAt: time.Now().Add(time.Hour)}
	if err := e.store.CreateEnrollToken(context.Background(), handwash.Scope{ProviderID: e.org.ProviderID}, et); err != nil {
		e.t.Fatal(err)
	}
	var enrolled struct {
		DeviceID   string `json:"device_id"`
		Credential string `json:"credential"`
	}
	if s := e.call("POST", "/api/v1/enroll", handwash.Credential(handwash.PrefixEnrollToken, et.ID, secret), []byte(`{"hostname": "PC"}`), &enrolled); s != http.StatusCreated {
		e.t.Fatalf("enrol: %d", s)
	}
	e.upload(enrolled.Credential, file, snapshotID)
	return enrolled.DeviceID, enrolled.Credential
}

var collectedAt = regexp.MustCompile(`"collected_at": "[^"]*"`)

func (e *env) upload(cred, file, snapshotID string) {
	e.t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		e.t.Fatal(err)
	}
	b = collectedAt.ReplaceAll(b, fmt.Appendf(nil, `"collected_at": %q`, time.Now().UTC().Format(time.RFC3339)))
	if s := e.call("POST", "/api/v1/snapshots", cred, b, nil, "Handwash-Snapshot-Id", snapshotID); s != http.StatusCreated {
		e.t.Fatalf("upload %s: %d", snapshotID, s)
	}
}

// eventually retries f until it is true or 10 seconds have passed.
func eventually(t *testing.T, what string, f func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !f() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within 10 seconds", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

const (
	windowsNeglected = "../collect/testdata/windows/neglected.facts.json"
	windowsWellKept  = "../collect/testdata/windows/well-kept.facts.json"
	linuxWellKept    = "../collect/testdata/linux/well-kept.facts.json"
)

// An uploaded snapshot is judged within moments, as handwash check would
// judge it, and its findings and scores can be read through the API.
func TestUploadIsJudged(t *testing.T) {
	e := newEnv(t)
	e.judge(judge.Config{Workers: 2}, nil)
	id, cred := e.device(windowsNeglected, "s1")

	var a handwash.Assessment
	eventually(t, "the assessment", func() bool {
		return e.call("GET", "/api/v1/devices/"+id+"/assessment", e.admin, nil, &a) == http.StatusOK
	})
	// The same judgement as check makes of the same Facts.
	b, _ := os.ReadFile(windowsNeglected)
	var f handwash.Facts
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatal(err)
	}
	want := e.cat.Evaluate(&f, policy.Options{Now: a.EvaluatedAt})
	if a.Overall != want.Overall || len(a.Findings) != len(want.Findings) || a.Device.ID != f.Device.ID || a.CatalogueVersion != e.cat.Version {
		t.Errorf("assessment: overall %+v, %d findings, device %q; want %+v, %d, %q", a.Overall, len(a.Findings), a.Device.ID, want.Overall, len(want.Findings), f.Device.ID)
	}

	var findings struct {
		Items []handwash.DeviceFinding `json:"items"`
		Total int                      `json:"total"`
	}
	e.call("GET", "/api/v1/findings?device="+id+"&status=fail", e.admin, nil, &findings)
	if findings.Total != want.Overall.Fail || findings.Total == 0 {
		t.Errorf("%d failed findings through the API, want %d", findings.Total, want.Overall.Fail)
	}
	var scores struct {
		Items []handwash.ScorePoint `json:"items"`
	}
	e.call("GET", "/api/v1/devices/"+id+"/scores", e.admin, nil, &scores)
	if len(scores.Items) != 1 || scores.Items[0].Overall != want.Overall.Value {
		t.Errorf("score history: %+v, want one point of %d", scores.Items, want.Overall.Value)
	}
	var d handwash.Device
	e.call("GET", "/api/v1/device", cred, nil, &d)
	if d.Score != want.Overall.Value || d.EvaluatedAt == nil {
		t.Errorf("device: score %d, evaluated %v", d.Score, d.EvaluatedAt)
	}
	var org struct {
		Scores handwash.OrgScores `json:"scores"`
	}
	e.call("GET", "/api/v1/orgs/"+e.org.ID, e.admin, nil, &org)
	if org.Scores.Devices != 1 || org.Scores.Overall.Value != want.Overall.Value {
		t.Errorf("org scores: %+v", org.Scores)
	}

	// New Facts are judged again.
	e.upload(cred, windowsWellKept, "s2")
	eventually(t, "the second assessment", func() bool {
		e.call("GET", "/api/v1/devices/"+id+"/scores", e.admin, nil, &scores)
		return len(scores.Items) == 2
	})
}

// Exceptions set through the API apply on the server as they do in
// handwash.yaml: a device's own, and its organisation's.
// A Linux device's packages are judged against the server's advisories.
func TestUploadJudgedWithAdvisories(t *testing.T) {
	kev, err := os.ReadFile("../../shared/fixtures/kev/known_exploited_vulnerabilities.json")
	if os.IsNotExist(err) {
		t.Skip("the shared fixtures are not beside the project")
	}
	e := newEnv(t)
	cache := feeds.New(t.TempDir())
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	w, _ := zw.Create("DSA-9001-1.json")
	w.Write([]byte(`{"id":"DSA-9001-1","modified":"2025-08-01T10:00:00Z","aliases":["CVE-2014-0160"],
	  "affected":[{"package":{"ecosystem":"Debian:12","name":"openssl"},"ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":"3.0.20-1~deb12u1"}]}]}]}`))
	zw.Close()
	dir := t.TempDir()
	for name, data := range map[string][]byte{"kev.json": kev, "all.zip": b.Bytes()} {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	for _, imp := range []struct{ file, eco string }{{"kev.json", ""}, {"all.zip", "Debian"}} {
		if _, err := cache.Import(context.Background(), filepath.Join(dir, imp.file), feeds.ImportOptions{Ecosystem: imp.eco}); err != nil {
			t.Fatal(err)
		}
	}
	e.adv = advisories.New(cache, nil)
	e.judge(judge.Config{Workers: 2}, nil)
	id, _ := e.device("../collect/testdata/linux/debian12-container.facts.json", "s1")
	var a handwash.Assessment
	eventually(t, "the assessment", func() bool {
		return e.call("GET", "/api/v1/devices/"+id+"/assessment", e.admin, nil, &a) == http.StatusOK
	})
	found := false
	for _, f := range a.Findings {
		if f.ControlID == "updates.packages-known-exploited" {
			found = true
			if f.Status != handwash.StatusFail || !strings.Contains(f.Summary, "openssl 3.0.19-1~deb12u2 (DSA-9001-1, CVE-2014-0160; fixed in 3.0.20-1~deb12u1)") {
				t.Errorf("known exploited: %s %q", f.Status, f.Summary)
			}
		}
	}
	if !found {
		t.Error("no finding for updates.packages-known-exploited")
	}
}

func TestExceptionsApply(t *testing.T) {
	e := newEnv(t)
	e.judge(judge.Config{}, nil)
	id, _ := e.device(windowsNeglected, "s1")
	other, _ := e.device(windowsNeglected, "s1")
	statusOf := func(device, control string) (handwash.Status, *handwash.AppliedException) {
		var a handwash.Assessment
		if e.call("GET", "/api/v1/devices/"+device+"/assessment", e.admin, nil, &a) != http.StatusOK {
			return "", nil
		}
		for _, f := range a.Findings {
			if f.ControlID == control {
				return f.Status, f.Exception
			}
		}
		return "", nil
	}
	eventually(t, "first judgement", func() bool {
		s1, _ := statusOf(id, "malware.firewall-on")
		s2, _ := statusOf(other, "malware.firewall-on")
		return s1 == handwash.StatusFail && s2 == handwash.StatusFail
	})

	expires := time.Now().AddDate(0, 1, 0).Format(time.DateOnly)
	body := fmt.Appendf(nil, `{"org_id": %q, "device_id": %q, "control": "malware.firewall-on", "reason": "label printer", "owner": "Jo", "expires": %q}`, e.org.ID, id, expires)
	if s := e.call("POST", "/api/v1/exceptions", e.admin, body, nil); s != http.StatusCreated {
		t.Fatalf("exception: %d", s)
	}
	eventually(t, "the device's exception applied", func() bool {
		s, ex := statusOf(id, "malware.firewall-on")
		return s == handwash.StatusExcepted && ex != nil && ex.Device == id && ex.Reason == "label printer"
	})
	if s, _ := statusOf(other, "malware.firewall-on"); s != handwash.StatusFail {
		t.Errorf("another device's finding is %s", s)
	}

	body = fmt.Appendf(nil, `{"org_id": %q, "control": "updates.smbv1-off", "reason": "old scanner", "owner": "Jo", "expires": %q}`, e.org.ID, expires)
	if s := e.call("POST", "/api/v1/exceptions", e.admin, body, nil); s != http.StatusCreated {
		t.Fatalf("org exception: %d", s)
	}
	for _, d := range []string{id, other} {
		eventually(t, "the organisation's exception applied to "+d, func() bool {
			s, ex := statusOf(d, "updates.smbv1-off")
			return s == handwash.StatusExcepted && ex != nil && ex.Device == ""
		})
	}
}

// A catalogue other than the one the stored assessments were made with
// has every device judged again; the same one does not.
func TestCatalogueChangeRejudgesAll(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	ids := []string{}
	for i, f := range []string{windowsNeglected, windowsWellKept, linuxWellKept} {
		id, _ := e.device(f, fmt.Sprint("s", i))
		ids = append(ids, id)
	}
	points := func(id string) int {
		var scores struct {
			Items []handwash.ScorePoint `json:"items"`
		}
		e.call("GET", "/api/v1/devices/"+id+"/scores", e.admin, nil, &scores)
		return len(scores.Items)
	}
	allHave := func(n int) func() bool {
		return func() bool {
			for _, id := range ids {
				if points(id) != n {
					return false
				}
			}
			return true
		}
	}

	// First start: the digest is recorded and the uploads judged (twice,
	// perhaps: a server that never recorded a digest judges everything
	// again, and the uploads may be judged before that).
	stop := startJudge(e)
	eventually(t, "the catalogue digest recorded", func() bool {
		v, _ := e.store.Setting(ctx, judge.SettingCatalogueDigest)
		return v == e.cat.Digest
	})
	eventually(t, "first judgement", func() bool { return pending(e) == 0 && allHave(points(ids[0]))() })
	stop()
	n := points(ids[0])

	// A restart with the same catalogue judges nothing again.
	stop = startJudge(e)
	time.Sleep(300 * time.Millisecond)
	stop()
	if !allHave(n)() {
		t.Fatal("a restart with the same catalogue judged devices again")
	}

	// As if the assessments were made by another catalogue.
	if err := e.store.SetSetting(ctx, judge.SettingCatalogueDigest, "an older catalogue"); err != nil {
		t.Fatal(err)
	}
	stop = startJudge(e)
	defer stop()
	eventually(t, "every device judged again", allHave(n+1))
}

// pending counts the devices waiting to be judged, from the store's own
// table.
func pending(e *env) int {
	e.t.Helper()
	var n int
	if err := e.store.WriteDB().QueryRow(`SELECT COUNT(*) FROM devices WHERE eval_pending`).Scan(&n); err != nil {
		e.t.Fatal(err)
	}
	return n
}

// startJudge runs a judge until the returned function is called.
func startJudge(e *env) (stop func()) {
	j := judge.New(judge.Config{Poll: 20 * time.Millisecond}, judge.Deps{Store: e.store, Catalogue: e.cat})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		j.Run(ctx)
	}()
	return func() {
		cancel()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			buf := make([]byte, 1<<20)
			e.t.Fatalf("the judge did not stop within 10 seconds of being told to:\n%s", buf[:runtime.Stack(buf, true)])
		}
	}
}

// tracker records, for each device, how many judgements of it are under
// way, from reading its Facts to storing its assessment, across every
// store it watches.
type tracker struct {
	mu       sync.Mutex
	inFlight map[string]int
	judged   map[string]int
	overlap  []string
}

func newTracker() *tracker {
	return &tracker{inFlight: map[string]int{}, judged: map[string]int{}}
}

func (tr *tracker) total() int {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	n := 0
	for _, c := range tr.judged {
		n += c
	}
	return n
}

// watchedStore is a store whose judging a tracker watches.
type watchedStore struct {
	handwash.Store
	tr *tracker
}

func (w *watchedStore) Facts(ctx context.Context, deviceID, digest string) ([]byte, error) {
	w.tr.mu.Lock()
	w.tr.inFlight[deviceID]++
	if w.tr.inFlight[deviceID] > 1 {
		w.tr.overlap = append(w.tr.overlap, deviceID)
	}
	w.tr.mu.Unlock()
	time.Sleep(2 * time.Millisecond) // widen the window in which an overlap would show
	return w.Store.Facts(ctx, deviceID, digest)
}

func (w *watchedStore) PutAssessment(ctx context.Context, deviceID, digest string, a *handwash.Assessment) error {
	err := w.Store.PutAssessment(ctx, deviceID, digest, a)
	w.tr.mu.Lock()
	w.tr.inFlight[deviceID]--
	w.tr.judged[deviceID]++
	w.tr.mu.Unlock()
	return err
}

// Two judges sharing a store (two serve processes on one database) share
// the work and never judge the same device at once.
func TestTwoJudgesNeverJudgeOneDeviceAtOnce(t *testing.T) {
	e := newEnv(t)
	testTwoJudges(t, e, func(int) handwash.Store { return e.store }, func() int { return pending(e) })
}

// The same on PostgreSQL, where the two judges are two connection pools
// to one database, as two serve processes would be.
func TestTwoJudgesOnPostgreSQL(t *testing.T) {
	dsn := pgtest.Schema(t)
	open := func() *postgres.DB {
		t.Helper()
		db, err := postgres.Open(context.Background(), dsn)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		return db
	}
	first := open()
	e := newEnvOn(t, first)
	second := open()
	stores := []handwash.Store{first, second}
	testTwoJudges(t, e, func(i int) handwash.Store { return stores[i] }, func() int {
		var n int
		if err := first.WriteDB().QueryRow(`SELECT COUNT(*) FROM devices WHERE eval_pending`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	})
}

// testTwoJudges runs two judges, each on the store storeFor gives it, and
// checks that every device is judged once a round and never by both at
// once; pending counts the devices waiting.
func testTwoJudges(t *testing.T, e *env, storeFor func(i int) handwash.Store, pending func() int) {
	const devices = 12
	files := []string{windowsNeglected, windowsWellKept, linuxWellKept}
	for i := range devices {
		e.device(files[i%len(files)], "s1")
	}
	// The catalogue is the one the (absent) assessments were made with,
	// so that each round judges each device once.
	if err := e.store.SetSetting(context.Background(), judge.SettingCatalogueDigest, e.cat.Digest); err != nil {
		t.Fatal(err)
	}
	tr := newTracker()
	for i, holder := range []string{"one", "two"} {
		e.judge(judge.Config{Workers: 4, Holder: holder}, &watchedStore{Store: storeFor(i), tr: tr})
	}
	eventually(t, "the uploads judged", func() bool { return tr.total() >= devices && pending() == 0 })
	for round := 2; round <= 4; round++ {
		if _, err := e.store.MarkAllForEvaluation(context.Background()); err != nil {
			t.Fatal(err)
		}
		eventually(t, fmt.Sprint("round ", round), func() bool { return tr.total() >= round*devices && pending() == 0 })
	}
	time.Sleep(100 * time.Millisecond)
	tr.mu.Lock()
	defer tr.mu.Unlock()
	if len(tr.overlap) > 0 {
		t.Errorf("devices judged by two workers at once: %v", tr.overlap)
	}
	for id, n := range tr.judged {
		if n != 4 {
			t.Errorf("device %s judged %d times in 4 rounds", id, n)
		}
	}
}

// A device claimed by a process that then died is judged once its claim
// runs out.
func TestAbandonedClaimIsJudged(t *testing.T) {
	e := newEnv(t)
	id, _ := e.device(windowsNeglected, "s1")
	claimed, err := e.store.ClaimEvaluations(context.Background(), "a process that died", 10, time.Now(), 300*time.Millisecond)
	if err != nil || len(claimed) != 1 {
		t.Fatalf("claim: %v, %v", claimed, err)
	}
	e.judge(judge.Config{}, nil)
	eventually(t, "the abandoned device judged", func() bool {
		return e.call("GET", "/api/v1/devices/"+id+"/assessment", e.admin, nil, nil) == http.StatusOK
	})
}

// Every device is judged again once a day, because controls about time
// ("updates installed within 14 days") change as time passes. The day is
// shortened to two seconds here. The upload's judgement is awaited first:
// a daily round that marks the device while its upload is still waiting
// rightly coalesces with it into one judgement.
func TestDailyRejudge(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	id, _ := e.device(windowsNeglected, "s1")
	start := time.Now().UTC().Truncate(time.Second)
	if err := e.store.SetSetting(ctx, judge.SettingLastRejudge, start.Format(time.RFC3339)); err != nil {
		t.Fatal(err)
	}
	if err := e.store.SetSetting(ctx, judge.SettingCatalogueDigest, e.cat.Digest); err != nil {
		t.Fatal(err)
	}
	e.judge(judge.Config{Rejudge: 2 * time.Second}, nil)
	points := func() int {
		var scores struct {
			Items []handwash.ScorePoint `json:"items"`
		}
		e.call("GET", "/api/v1/devices/"+id+"/scores", e.admin, nil, &scores)
		return len(scores.Items)
	}
	eventually(t, "the upload judged", func() bool { return points() >= 1 })
	eventually(t, "judged again in the daily round", func() bool {
		v, _ := e.store.Setting(ctx, judge.SettingLastRejudge)
		last, _ := time.Parse(time.RFC3339, v)
		return points() >= 2 && last.After(start)
	})
}

// Evaluate names the server's device in a device exception, and reports
// the Facts' own device identity.
func TestEvaluateDeviceException(t *testing.T) {
	cat, err := policy.Default()
	if err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(windowsNeglected)
	var f handwash.Facts
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatal(err)
	}
	d := &handwash.Device{ID: "dev_one"}
	now := time.Now()
	ex := []*handwash.StoredException{
		{DeviceID: "dev_one", Control: "malware.firewall-on", Reason: "r", Owner: "o", Expires: now.Add(time.Hour)},
		{DeviceID: "dev_other", Control: "updates.smbv1-off", Reason: "r", Owner: "o", Expires: now.Add(time.Hour)},
	}
	a := judge.Evaluate(cat, d, &f, ex, now)
	if a.Device.ID != f.Device.ID {
		t.Errorf("assessment device %q, want the Facts' %q", a.Device.ID, f.Device.ID)
	}
	for _, fd := range a.Findings {
		switch fd.ControlID {
		case "malware.firewall-on":
			if fd.Status != handwash.StatusExcepted || fd.Exception.Device != "dev_one" {
				t.Errorf("firewall: %s %+v", fd.Status, fd.Exception)
			}
		case "updates.smbv1-off":
			if fd.Status == handwash.StatusExcepted {
				t.Error("another device's exception applied")
			}
		}
	}
}

// countingStore counts reads of stored Facts.
type countingStore struct {
	handwash.Store
	mu    sync.Mutex
	reads int
}

func (c *countingStore) Facts(ctx context.Context, deviceID, digest string) ([]byte, error) {
	c.mu.Lock()
	c.reads++
	c.mu.Unlock()
	return c.Store.Facts(ctx, deviceID, digest)
}

func (c *countingStore) count() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.reads
}

// Facts just uploaded are judged as the upload decoded them, without
// being read back from the store; each is used once, so judging again
// reads the stored Facts.
func TestOfferedFactsAreJudgedWithoutReading(t *testing.T) {
	e := newEnv(t)
	// The catalogue is recorded as the one assessments follow: otherwise
	// the judge's first look at it marks every device again, and on a slow
	// machine that can come after the upload below was judged, judging it
	// a second time from stored Facts.
	if err := e.store.SetSetting(context.Background(), judge.SettingCatalogueDigest, e.cat.Digest); err != nil {
		t.Fatal(err)
	}
	counted := &countingStore{Store: e.store}
	j := e.judge(judge.Config{}, counted)
	e.api.Close()
	e.api = httptest.NewServer(web.NewServer(web.Config{}, web.Deps{Store: e.store, Controls: e.cat, Stored: j.Wake, Uploaded: j.Offer}))
	t.Cleanup(e.api.Close)

	id, _ := e.device(windowsNeglected, "s1")
	var a handwash.Assessment
	eventually(t, "the assessment", func() bool {
		return e.call("GET", "/api/v1/devices/"+id+"/assessment", e.admin, nil, &a) == http.StatusOK
	})
	if n := counted.count(); n != 0 {
		t.Errorf("the judge read stored Facts %d times for Facts it was offered", n)
	}
	b, _ := os.ReadFile(windowsNeglected)
	var f handwash.Facts
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatal(err)
	}
	if want := e.cat.Evaluate(&f, policy.Options{Now: a.EvaluatedAt}); a.Overall != want.Overall {
		t.Errorf("judged from offered Facts: overall %+v, want %+v", a.Overall, want.Overall)
	}

	if _, err := e.store.MarkAllForEvaluation(context.Background()); err != nil {
		t.Fatal(err)
	}
	j.Wake()
	eventually(t, "judging again", func() bool { return pending(e) == 0 && counted.count() == 1 })
}

// During a burst of uploads the judge takes one device at a time, and
// still judges every one.
func TestBurstIsJudgedOneAtATime(t *testing.T) {
	e := newEnv(t)
	clock := time.Now()
	reg := prometheus.NewRegistry()
	j := judge.New(judge.Config{Poll: 20 * time.Millisecond}, judge.Deps{Store: e.store, Catalogue: e.cat, Metrics: reg,
		Now: func() time.Time { return clock }}) // time stands still: the burst never ends
	for i := range 100 {
		j.Offer(fmt.Sprint("another device ", i), "sha256:x", &handwash.Facts{})
	}
	var ids []string
	for i, file := range []string{windowsNeglected, windowsNeglected, windowsNeglected} {
		id, _ := e.device(file, fmt.Sprint("s", i))
		ids = append(ids, id)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		j.Run(ctx)
	}()
	defer func() { cancel(); <-done }()
	eventually(t, "every device judged", func() bool { return pending(e) == 0 })
	for _, id := range ids {
		var a handwash.Assessment
		if code := e.call("GET", "/api/v1/devices/"+id+"/assessment", e.admin, nil, &a); code != http.StatusOK {
			t.Errorf("device %s: no assessment (%d)", id, code)
		}
	}
	paced, all := counterValue(t, reg, "handwash_evaluations_paced_total"), counterValue(t, reg, "handwash_evaluations_total")
	if paced < float64(len(ids)) || paced != all {
		t.Errorf("%v of %v judgements during the burst were one at a time, want all and at least %d", paced, all, len(ids))
	}
}

// counterValue adds up a registered counter's values by name.
func counterValue(t *testing.T, reg *prometheus.Registry, name string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() == name {
			sum := 0.0
			for _, m := range mf.GetMetric() {
				sum += m.GetCounter().GetValue()
			}
			return sum
		}
	}
	t.Fatalf("no metric %s", name)
	return 0
}

// Once it has nothing to judge, the judge compacts the older Facts of the
// devices it judged into deltas.
func TestOlderFactsCompactedWhenIdle(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	base := storetest.RealisticFacts(t, "../collect/testdata/linux/debian12-container.facts.json", 1500, 1)
	variants := storetest.FactsVariants(t, base, 3, 1)
	d := storetest.BenchDevices(t, e.store, 1)[0]
	j := e.judge(judge.Config{}, nil)
	for i, v := range variants {
		dg := fmt.Sprintf("sha256:%064x", i)
		if _, err := e.store.PutSnapshot(ctx, d, &handwash.Snapshot{ID: fmt.Sprint("s", i), CollectedAt: time.Now(), Digest: dg}, v); err != nil {
			t.Fatal(err)
		}
		j.Wake()
		eventually(t, "judging "+dg, func() bool { return pending(e) == 0 })
	}
	eventually(t, "the older Facts compacted", func() bool {
		var deltas int
		if err := e.store.WriteDB().QueryRow(`SELECT COUNT(base) FROM facts`).Scan(&deltas); err != nil {
			t.Fatal(err)
		}
		return deltas == 1 // the first is the keyframe, the newest stays whole
	})
}

// runJudge runs a judge with this configuration and clock until the
// returned function is called.
func runJudge(e *env, cfg judge.Config, now func() time.Time) (stop func()) {
	cfg.Poll = 20 * time.Millisecond
	j := judge.New(cfg, judge.Deps{Store: e.store, Catalogue: e.cat, Now: now})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		j.Run(ctx)
	}()
	return func() {
		cancel()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			e.t.Fatal("the judge did not stop within 10 seconds of being told to")
		}
	}
}

// The server's settings (serve --backup-max-age) reach every judgement:
// the well-kept Linux laptop's backup, 37 hours old, fails the default
// limit of 24 hours and passes a limit of 48.
func TestSettingsReachTheJudgement(t *testing.T) {
	at := time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC) // the backup finished 19 Nov 21:04
	for _, tc := range []struct {
		settings policy.Settings
		want     handwash.Status
		summary  string
	}{
		{policy.Settings{}, handwash.StatusFail, "finished 36 hours ago; it should be no more than 24 hours old."},
		{policy.Settings{BackupMaxAge: 48 * time.Hour}, handwash.StatusPass, ""},
		{policy.Settings{BackupMaxAge: 12 * time.Hour}, handwash.StatusFail, "it should be no more than 12 hours old."},
	} {
		t.Run(tc.settings.String(), func(t *testing.T) {
			e := newEnv(t)
			defer runJudge(e, judge.Config{Workers: 1, Settings: tc.settings}, func() time.Time { return at })()
			id, _ := e.device(linuxWellKept, "s1")
			var a handwash.Assessment
			eventually(t, "the assessment", func() bool {
				return e.call("GET", "/api/v1/devices/"+id+"/assessment", e.admin, nil, &a) == http.StatusOK
			})
			for _, fd := range a.Findings {
				if fd.ControlID == "backup.recent" && (fd.Status != tc.want || !strings.Contains(fd.Summary, tc.summary)) {
					t.Errorf("backup.recent: %s %q, want %s %q", fd.Status, fd.Summary, tc.want, tc.summary)
				}
			}
		})
	}
}

// A server started with other settings judges every device again, as for
// a new catalogue; one restarted with the same settings does not.
func TestSettingsChangeRejudgesAll(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	var ids []string
	for i, f := range []string{windowsNeglected, linuxWellKept} {
		id, _ := e.device(f, fmt.Sprint("s", i))
		ids = append(ids, id)
	}
	points := func(id string) int {
		var scores struct {
			Items []handwash.ScorePoint `json:"items"`
		}
		e.call("GET", "/api/v1/devices/"+id+"/scores", e.admin, nil, &scores)
		return len(scores.Items)
	}
	allHave := func(n int) func() bool {
		return func() bool {
			for _, id := range ids {
				if points(id) != n {
					return false
				}
			}
			return true
		}
	}
	recorded := func(want string) func() bool {
		return func() bool { v, _ := e.store.Setting(ctx, judge.SettingCatalogueDigest); return v == want }
	}
	run := func(s policy.Settings) func() { return runJudge(e, judge.Config{Settings: s}, nil) }

	stop := run(policy.Settings{})
	eventually(t, "the catalogue digest recorded", recorded(e.cat.Digest))
	eventually(t, "first judgement", func() bool { return pending(e) == 0 && allHave(points(ids[0]))() })
	stop()
	n := points(ids[0])

	// The default given explicitly is the default: nothing to judge again.
	stop = run(policy.Settings{BackupMaxAge: 24 * time.Hour})
	time.Sleep(300 * time.Millisecond)
	stop()
	if !allHave(n)() {
		t.Fatal("a restart with the default settings given explicitly judged devices again")
	}

	two := policy.Settings{BackupMaxAge: 48 * time.Hour}
	stop = run(two)
	eventually(t, "the settings recorded", recorded(e.cat.Digest+" backup_max_age=48h0m0s"))
	eventually(t, "every device judged again", allHave(n+1))
	stop()

	stop = run(two)
	time.Sleep(300 * time.Millisecond)
	stop()
	if !allHave(n + 1)() {
		t.Fatal("a restart with the same settings judged devices again")
	}

	stop = run(policy.Settings{})
	defer stop()
	eventually(t, "back to the defaults", recorded(e.cat.Digest))
	eventually(t, "every device judged again with the defaults", allHave(n+2))
}
