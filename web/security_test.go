package web

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/handwash/handwash"
	"github.com/handwash/handwash/policy"
)

// routeRecorder lists the routes addRoutes adds.
type routeRecorder struct{ patterns []string }

func (r *routeRecorder) Handle(pattern string, _ http.Handler) {
	r.patterns = append(r.patterns, pattern)
}

func routePatterns() []string {
	var rec routeRecorder
	addRoutes(&rec, &server{registry: prometheus.NewRegistry(), log: slog.New(slog.DiscardHandler), now: time.Now})
	return rec.patterns
}

// What a route is, for the security suite.
type routeKind int

const (
	opsRoute    routeKind = iota // no credential
	enrollRoute                  // an enrolment token
	deviceRoute                  // a device credential
	readObject                   // any role; names one object of the victim organisation
	readList                     // any role; a list, filtered to the caller's scope
	adminList                    // administrators only; a list
	writeObject                  // administrators only; names an object of the victim organisation, in the path or the body
	createOrg                    // provider administrators not limited to one organisation
	pingRoute                    // a backup job's address, whose last part is its credential
)

// victim is organisation B with one of everything, which the suite
// attacks from elsewhere.
type victim struct {
	tn            *tenancy
	device        string // B's device ID
	deviceCred    string
	deleted       string // a credential of a device since removed
	exception     string
	user          string
	enroll        string // B's enrolment token ID
	alert         string // B's manual alert
	jobCred       string // B's backup job's ping credential
	usedUp        string // an enrolment token with no uses left
	expiredEnroll string
	ids           []string // every ID of B's, which no other tenant may see
}

func (e *env) victim() *victim {
	e.t.Helper()
	ctx := context.Background()
	tn := e.tenancy()
	v := &victim{tn: tn}
	scopeB := handwash.Scope{ProviderID: tn.p.ID, OrgID: tn.b.ID}

	v.device, v.deviceCred = e.enroll(tn.b, "OAK-OFFICE")
	e.upload(v.deviceCred, "snap-1", facts(e.t, windowsNeglected, e.now().Add(-time.Hour))).want(http.StatusCreated)
	// Judge it here, as the judge package would, so there are findings
	// and scores to reach for.
	cat, err := policy.Default()
	if err != nil {
		e.t.Fatal(err)
	}
	d, err := e.store.Device(ctx, scopeB, v.device)
	if err != nil {
		e.t.Fatal(err)
	}
	f, err := readStoredFacts(e, d)
	if err != nil {
		e.t.Fatal(err)
	}
	if err := e.store.PutAssessment(ctx, d.ID, d.FactsDigest, cat.Evaluate(f, policy.Options{Now: e.now()})); err != nil {
		e.t.Fatal(err)
	}

	gone, goneCred := e.enroll(tn.b, "OLD-PC")
	if err := e.store.DeleteDevice(ctx, scopeB, gone); err != nil {
		e.t.Fatal(err)
	}
	v.deleted = goneCred

	ex := &handwash.StoredException{OrgID: tn.b.ID, DeviceID: v.device, Control: "malware.firewall-on", Reason: "label printer", Owner: "Jo", Expires: e.now().Add(90 * 24 * time.Hour), CreatedBy: "test"}
	if err := e.store.CreateException(ctx, scopeB, ex); err != nil {
		e.t.Fatal(err)
	}
	v.exception = ex.ID
	u := &handwash.User{OrgID: tn.b.ID, Email: "manager@oak.example", Name: "Oak Manager", Role: handwash.RoleOrgAdmin}
	if err := e.store.CreateUser(ctx, scopeB, u); err != nil {
		e.t.Fatal(err)
	}
	v.user = u.ID
	et := &handwash.EnrollToken{OrgID: tn.b.ID, SecretHash: handwash.HashSecret(handwash.NewSecret()), MaxUses: 5, ExpiresAt: e.now().Add(time.Hour)}
	if err := e.store.CreateEnrollToken(ctx, scopeB, et); err != nil {
		e.t.Fatal(err)
	}
	v.enroll = et.ID
	al := &handwash.Alert{OrgID: tn.b.ID, Title: "Patch the VPN now", Reference: "CC-4567", Severity: handwash.SeverityCritical}
	if err := e.store.CreateAlert(ctx, scopeB, al, handwash.Actor{Name: "test", At: e.now()}); err != nil {
		e.t.Fatal(err)
	}
	v.alert = al.ID
	jobSecret := handwash.NewSecret()
	job := &handwash.BackupJob{OrgID: tn.b.ID, Name: "Oak nightly backup", Every: 24 * time.Hour, SecretHash: handwash.HashSecret(jobSecret)}
	if err := e.store.CreateBackupJob(ctx, scopeB, job); err != nil {
		e.t.Fatal(err)
	}
	v.jobCred = handwash.Credential(handwash.PrefixBackupJob, job.ID, jobSecret)

	// An enrolment token used once, of one use; and one that has expired.
	v.usedUp = e.enrollToken(tn.b, 1, time.Hour)
	e.do("POST", "/api/v1/enroll", v.usedUp, map[string]string{"hostname": "FIRST"}).want(http.StatusCreated)
	v.expiredEnroll = e.enrollToken(tn.b, 5, time.Minute)

	v.ids = []string{tn.b.ID, tn.siteB.ID, v.device, v.exception, v.user, v.enroll, v.alert, tn.tokenIDs["B admin"], tn.tokenIDs["B viewer"], "Oak Lodge"}
	return v
}

// routeCase is how the suite calls one route against the victim.
type routeCase struct {
	kind   routeKind
	path   string
	body   any
	header []string
	// shows is what a successful read by the victim's own administrator
	// holds, to show that the refusals are not for want of data.
	shows string
}

func (v *victim) cases(e *env) map[string]routeCase {
	tn := v.tn
	future := e.now().Add(60 * 24 * time.Hour).Format(time.DateOnly)
	upload := gzipped(e.t, facts(e.t, windowsWellKept, e.now().Add(-time.Minute)))
	return map[string]routeCase{
		"GET /healthz": {kind: opsRoute, path: "/healthz"},
		"GET /readyz":  {kind: opsRoute, path: "/readyz"},
		"GET /metrics": {kind: opsRoute, path: "/metrics"},

		"POST /api/v1/enroll":    {kind: enrollRoute, path: "/api/v1/enroll", body: map[string]string{"hostname": "INTRUDER", "platform": "linux"}},
		"POST /api/v1/snapshots": {kind: deviceRoute, path: "/api/v1/snapshots", body: upload, header: []string{"Content-Encoding", "gzip", headerSnapshotID, "intruder-1"}},
		"GET /api/v1/device":     {kind: deviceRoute, path: "/api/v1/device"},

		"GET /api/v1/agent/release":         {kind: deviceRoute, path: "/api/v1/agent/release?os=linux&arch=amd64"},
		"GET /api/v1/agent/releases/{file}": {kind: deviceRoute, path: "/api/v1/agent/releases/handwash_1.2.3_linux_amd64"},

		"GET /api/v1/orgs":              {kind: readList, path: "/api/v1/orgs", shows: tn.b.ID},
		"POST /api/v1/orgs":             {kind: createOrg, path: "/api/v1/orgs", body: map[string]string{"name": "Intruder Ltd"}},
		"GET /api/v1/orgs/{org}":        {kind: readObject, path: "/api/v1/orgs/" + tn.b.ID, shows: "Oak Lodge"},
		"GET /api/v1/orgs/{org}/sites":  {kind: readObject, path: "/api/v1/orgs/" + tn.b.ID + "/sites", shows: tn.siteB.ID},
		"POST /api/v1/orgs/{org}/sites": {kind: writeObject, path: "/api/v1/orgs/" + tn.b.ID + "/sites", body: map[string]string{"name": "Intruder site"}},

		"GET /api/v1/devices":                     {kind: readList, path: "/api/v1/devices?org=" + tn.b.ID, shows: v.device},
		"GET /api/v1/devices/{device}":            {kind: readObject, path: "/api/v1/devices/" + v.device, shows: v.device},
		"DELETE /api/v1/devices/{device}":         {kind: writeObject, path: "/api/v1/devices/" + v.device},
		"GET /api/v1/devices/{device}/assessment": {kind: readObject, path: "/api/v1/devices/" + v.device + "/assessment", shows: "malware.firewall-on"},
		"GET /api/v1/devices/{device}/scores":     {kind: readObject, path: "/api/v1/devices/" + v.device + "/scores", shows: `"overall"`},
		"GET /api/v1/devices/{device}/snapshots":  {kind: readObject, path: "/api/v1/devices/" + v.device + "/snapshots", shows: "snap-1"},
		"GET /api/v1/findings":                    {kind: readList, path: "/api/v1/findings?device=" + v.device, shows: v.device},
		"GET /api/v1/exceptions":                  {kind: readList, path: "/api/v1/exceptions?org=" + tn.b.ID, shows: v.exception},
		"POST /api/v1/exceptions":                 {kind: writeObject, path: "/api/v1/exceptions", body: map[string]string{"org_id": tn.b.ID, "device_id": v.device, "control": "updates.smbv1-off", "reason": "r", "owner": "o", "expires": future}},
		"DELETE /api/v1/exceptions/{id}":          {kind: writeObject, path: "/api/v1/exceptions/" + v.exception},
		"GET /api/v1/users":                       {kind: adminList, path: "/api/v1/users", shows: v.user},
		"POST /api/v1/users":                      {kind: writeObject, path: "/api/v1/users", body: map[string]string{"email": "spy@example.com", "name": "Spy", "role": "org_admin", "org_id": tn.b.ID}},
		"PATCH /api/v1/users/{id}":                {kind: writeObject, path: "/api/v1/users/" + v.user, body: map[string]any{"disabled": true}},
		"GET /api/v1/tokens":                      {kind: adminList, path: "/api/v1/tokens", shows: tn.tokenIDs["B viewer"]},
		"POST /api/v1/tokens":                     {kind: writeObject, path: "/api/v1/tokens", body: map[string]string{"name": "spy", "role": "org_admin", "org_id": tn.b.ID}},
		"DELETE /api/v1/tokens/{id}":              {kind: writeObject, path: "/api/v1/tokens/" + tn.tokenIDs["B viewer"]},
		"GET /api/v1/enroll-tokens":               {kind: adminList, path: "/api/v1/enroll-tokens?org=" + tn.b.ID, shows: v.enroll},
		"POST /api/v1/enroll-tokens":              {kind: writeObject, path: "/api/v1/enroll-tokens", body: map[string]any{"org_id": tn.b.ID, "max_uses": 100}},
		"DELETE /api/v1/enroll-tokens/{id}":       {kind: writeObject, path: "/api/v1/enroll-tokens/" + v.enroll},
		"GET /api/v1/alerts":                      {kind: readList, path: "/api/v1/alerts?org=" + tn.b.ID, shows: v.alert},
		"GET /api/v1/alerts/{id}":                 {kind: readObject, path: "/api/v1/alerts/" + v.alert, shows: "CC-4567"},
		"POST /api/v1/alerts":                     {kind: writeObject, path: "/api/v1/alerts", body: map[string]string{"org_id": tn.b.ID, "title": "Fake alert", "severity": "high"}},
		"POST /api/v1/alerts/{id}/acknowledge":    {kind: writeObject, path: "/api/v1/alerts/" + v.alert + "/acknowledge"},
		"POST /api/v1/alerts/{id}/close":          {kind: writeObject, path: "/api/v1/alerts/" + v.alert + "/close", body: map[string]string{"reason": "not ours"}},
		"/api/":                                   {kind: opsRoute, path: "/api/v1/nothing"},
		"GET /hb/{cred}":                          {kind: pingRoute, path: "/hb/" + v.jobCred},
		"POST /hb/{cred}":                         {kind: pingRoute, path: "/hb/" + v.jobCred, body: "finished"},
		"GET /hb/{cred}/fail":                     {kind: pingRoute, path: "/hb/" + v.jobCred + "/fail"},
		"POST /hb/{cred}/fail":                    {kind: pingRoute, path: "/hb/" + v.jobCred + "/fail", body: "disk full"},
	}
}

// TestSecurity tries every route with every kind of wrong credential, and
// with the credentials of other tenants and of viewers, and checks after
// each attempt that the answer is the right refusal, that it shows nothing
// of the victim's, and that nothing stored changed. The server's logs are
// then searched for every secret issued (see newEnv).
func TestSecurity(t *testing.T) {
	e := newEnv(t)
	v := e.victim()
	tn := v.tn
	cases := v.cases(e)
	// The enrolment token that expires within the minute, expired.
	e.advance(2 * time.Minute)

	// Every route is in the table, so a new route cannot be added without
	// saying how it is protected.
	for _, p := range routePatterns() {
		if _, ok := cases[p]; !ok {
			t.Errorf("route %q has no case in the security suite", p)
		}
	}

	// A good enrolment token of B's, which must open nothing but enrolment.
	enrollB := e.enrollToken(tn.b, 5, time.Hour)
	before := e.dump()
	// attempt makes one request that must be refused with status and
	// change nothing.
	attempt := func(t *testing.T, who, method string, c routeCase, cred string, statuses ...int) {
		t.Helper()
		res := e.do(method, c.path, cred, c.body, c.header...)
		if !slices.Contains(statuses, res.status) {
			t.Errorf("%s: status %d, want %v: %s", who, res.status, statuses, res.body)
		}
		if res.status >= 400 {
			res.errorOf()
		}
		for _, id := range v.ids {
			// An ID the caller sent may be said back ("device … not
			// found"); any other is a leak.
			if strings.Contains(c.path, id) || strings.Contains(fmt.Sprint(c.body), id) {
				continue
			}
			if strings.Contains(string(res.body), id) {
				t.Errorf("%s: the answer shows the victim's %q: %s", who, id, res.body)
			}
		}
		if after := e.dump(); after != before {
			t.Errorf("%s changed the store:\nbefore:\n%s\nafter:\n%s", who, before, after)
			before = after // so that the next attempts are judged on their own
		}
	}

	bad := map[string]string{
		"no credential":           "",
		"not a credential":        "letmein",
		"unknown API token":       handwash.Credential(handwash.PrefixAPIToken, "tok_aaaaaaaaaaaaaaaa", handwash.NewSecret()),
		"wrong API token secret":  tn.tokens["P admin"][:strings.LastIndexByte(tn.tokens["P admin"], '_')+1] + handwash.NewSecret(),
		"revoked API token":       tn.tokens["P admin revoked"],
		"expired API token":       tn.tokens["P admin expired"],
		"unknown device":          handwash.Credential(handwash.PrefixDevice, "dev_aaaaaaaaaaaaaaaa", handwash.NewSecret()),
		"wrong device secret":     v.deviceCred[:strings.LastIndexByte(v.deviceCred, '_')+1] + handwash.NewSecret(),
		"removed device":          v.deleted,
		"used-up enrolment token": v.usedUp,
		"expired enrolment token": v.expiredEnroll,
	}
	for pattern, c := range cases {
		method, _, ok := strings.Cut(pattern, " ")
		if !ok {
			method = "GET"
		}
		t.Run(pattern, func(t *testing.T) {
			if c.kind == pingRoute {
				pingAttempts(t, e, v, method, c, attempt)
				return
			}
			if c.kind == opsRoute {
				res := e.do(method, c.path, "", nil)
				if strings.HasPrefix(c.path, "/api/") {
					res.wantError(http.StatusNotFound, handwash.ENOTFOUND)
				} else {
					res.want(http.StatusOK)
				}
				return
			}
			for who, cred := range bad {
				attempt(t, who, method, c, cred, http.StatusUnauthorized)
			}
			switch c.kind {
			case enrollRoute:
				for _, who := range []string{"P admin", "B admin"} {
					attempt(t, who, method, c, tn.tokens[who], http.StatusUnauthorized)
				}
				attempt(t, "a device", method, c, v.deviceCred, http.StatusUnauthorized)
				return
			case deviceRoute:
				for _, who := range []string{"P admin", "B admin"} {
					attempt(t, who, method, c, tn.tokens[who], http.StatusUnauthorized)
				}
				attempt(t, "an enrolment token", method, c, enrollB, http.StatusUnauthorized)
				return
			}

			// Management routes refuse devices and enrolment tokens.
			attempt(t, "B's device", method, c, v.deviceCred, http.StatusUnauthorized)
			attempt(t, "B's enrolment token", method, c, enrollB, http.StatusUnauthorized)

			writes := c.kind == writeObject || c.kind == createOrg || c.kind == adminList
			// Viewers, even of the victim itself, may not write or see
			// credentials and people.
			if writes {
				for _, who := range []string{"B viewer", "P viewer", "A viewer"} {
					attempt(t, who, method, c, tn.tokens[who], http.StatusForbidden)
				}
			}
			// Other tenants: a sibling organisation's administrators and
			// viewer, and another provider's administrator.
			for _, who := range []string{"A admin", "A provider admin", "A viewer", "Q admin"} {
				if writes && who == "A viewer" {
					continue // refused above, before looking at anything
				}
				switch c.kind {
				case readObject, writeObject:
					attempt(t, who, method, c, tn.tokens[who], http.StatusNotFound)
				case readList, adminList:
					attempt(t, who, method, c, tn.tokens[who], http.StatusOK, http.StatusNotFound)
				case createOrg:
					if who == "Q admin" {
						continue // makes an organisation in Q: its right
					}
					attempt(t, who, method, c, tn.tokens[who], http.StatusForbidden)
				}
			}
			// And the victim's own administrator reads it all, so the
			// refusals above are not for want of something to show.
			if c.kind == readObject || c.kind == readList || c.kind == adminList {
				for _, who := range []string{"B admin", "P admin"} {
					res := e.do(method, c.path, tn.tokens[who], nil).want(http.StatusOK)
					if !strings.Contains(string(res.body), c.shows) {
						t.Errorf("%s: the answer lacks %q: %s", who, c.shows, res.body)
					}
				}
			}
		})
	}
}

// The victim's own administrators may do every write the suite refused to
// others: the refusals were not because the requests were wrong.
func TestSecurityWritesSucceedForTheOwner(t *testing.T) {
	for _, pattern := range routePatterns() {
		method, _, _ := strings.Cut(pattern, " ")
		if method != "POST" && method != "PATCH" && method != "DELETE" || pattern == "POST /api/v1/enroll" || pattern == "POST /api/v1/snapshots" ||
			strings.HasPrefix(pattern, "POST /hb/") { // TestSecurity reports with the right address
			continue
		}
		t.Run(pattern, func(t *testing.T) {
			e := newEnv(t)
			v := e.victim()
			c := v.cases(e)[pattern]
			want := http.StatusCreated
			switch method {
			case "DELETE":
				want = http.StatusNoContent
			case "PATCH":
				want = http.StatusOK
			}
			if strings.HasSuffix(pattern, "/acknowledge") || strings.HasSuffix(pattern, "/close") {
				want = http.StatusOK // a change to the alert, not a new one
			}
			cred := v.tn.tokens["B admin"]
			if c.kind == createOrg {
				cred = v.tn.tokens["P admin"]
			}
			e.do(method, c.path, cred, c.body, c.header...).want(want)
		})
	}
}

// pingAttempts tries a backup job's address with every wrong credential in
// its place, with and without an API token beside it, each of which must
// be "not found" and change nothing. (The right address is
// TestBackupPing's.)
func pingAttempts(t *testing.T, _ *env, v *victim, method string, c routeCase, attempt func(*testing.T, string, string, routeCase, string, ...int)) {
	t.Helper()
	id, _, _ := handwash.ParseCredential(handwash.PrefixBackupJob, v.jobCred)
	fail := strings.HasSuffix(c.path, "/fail")
	wrong := map[string]string{
		"unknown job":       handwash.Credential(handwash.PrefixBackupJob, "bkj_aaaaaaaaaaaaaaaa", handwash.NewSecret()),
		"wrong secret":      handwash.Credential(handwash.PrefixBackupJob, id, handwash.NewSecret()),
		"no secret":         handwash.PrefixBackupJob + "_" + id,
		"API token":         v.tn.tokens["B admin"],
		"device credential": v.deviceCred,
		"enrolment prefix":  handwash.Credential(handwash.PrefixEnrollToken, id, handwash.NewSecret()),
		"not a credential":  "letmein",
		"job ID alone":      id,
	}
	for who, cred := range wrong {
		wc := c
		wc.path = "/hb/" + cred
		if fail {
			wc.path += "/fail"
		}
		attempt(t, who, method, wc, "", http.StatusNotFound)
		attempt(t, who+" with B's admin token", method, wc, v.tn.tokens["B admin"], http.StatusNotFound)
	}
}
