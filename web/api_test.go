package web

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/handwash/handwash"
)

func TestEnroll(t *testing.T) {
	e := newEnv(t)
	tn := e.tenancy()
	admin := tn.tokens["P admin"]

	// An enrolment token of two uses, for a site, made through the API.
	var tok createdEnrollToken
	e.do("POST", "/api/v1/enroll-tokens", admin, map[string]any{"org_id": tn.a.ID, "site_id": tn.siteA.ID, "max_uses": 2, "expires_in": "1h"}).
		want(http.StatusCreated).decode(&tok)
	e.remember(tok.Credential)
	if !strings.HasPrefix(tok.Credential, "hwe_"+tok.ID+"_") || tok.MaxUses != 2 || tok.SiteID != tn.siteA.ID {
		t.Fatalf("enrolment token: %+v", tok)
	}

	// A bad request does not use it up.
	e.do("POST", "/api/v1/enroll", tok.Credential, map[string]string{"hostname": ""}).wantError(http.StatusBadRequest, handwash.EINVALID, "hostname")
	e.do("POST", "/api/v1/enroll", tok.Credential, map[string]string{"hostname": "PC", "os": "x"}).wantError(http.StatusBadRequest, handwash.EINVALID, "os", "unknown field")
	e.do("POST", "/api/v1/enroll", tok.Credential, map[string]string{"hostname": "PC", "platform": "amiga"}).wantError(http.StatusBadRequest, handwash.EINVALID, "platform")

	for i, host := range []string{"RECEPTION-PC", "OFFICE-MAC"} {
		var got enrollResponse
		e.do("POST", "/api/v1/enroll", tok.Credential, map[string]string{"hostname": host, "platform": "windows", "device_id": "e2cf2297d77eda5244a09158f88bf4be"}).
			want(http.StatusCreated).decode(&got)
		e.remember(got.Credential)
		if got.OrgID != tn.a.ID || got.SiteID != tn.siteA.ID || !strings.HasPrefix(got.Credential, "hwd_"+got.DeviceID+"_") {
			t.Errorf("enrolment %d: %+v", i, got)
		}
		var d deviceView
		e.do("GET", "/api/v1/device", got.Credential, nil).want(http.StatusOK).decode(&d)
		if d.ID != got.DeviceID || d.Hostname != host || d.OrgID != tn.a.ID || d.Score != -1 {
			t.Errorf("device %d: %+v", i, d.Device)
		}
	}

	// Used up: refused, and nothing made.
	before := e.dump()
	e.do("POST", "/api/v1/enroll", tok.Credential, map[string]string{"hostname": "THIRD"}).wantError(http.StatusUnauthorized, handwash.EUNAUTHORIZED, "used up")
	// Expired.
	expiring := e.enrollToken(tn.a, 10, time.Hour)
	before = e.dump()
	e.advance(61 * time.Minute)
	e.do("POST", "/api/v1/enroll", expiring, map[string]string{"hostname": "LATE"}).wantError(http.StatusUnauthorized, handwash.EUNAUTHORIZED, "expired")
	if e.dump() != before {
		t.Error("a refused enrolment changed the store")
	}
	// Revoked through the API.
	e.advance(-61 * time.Minute)
	revoked := e.enrollToken(tn.a, 10, time.Hour)
	id, _, _ := handwash.ParseCredential(handwash.PrefixEnrollToken, revoked)
	e.do("DELETE", "/api/v1/enroll-tokens/"+id, admin, nil).want(http.StatusNoContent)
	before = e.dump()
	e.do("POST", "/api/v1/enroll", revoked, map[string]string{"hostname": "REVOKED"}).wantError(http.StatusUnauthorized, handwash.EUNAUTHORIZED, "revoked")
	if e.dump() != before {
		t.Error("a refused enrolment changed the store")
	}

	var tokens list[handwash.EnrollToken]
	e.do("GET", "/api/v1/enroll-tokens?org="+tn.a.ID, admin, nil).want(http.StatusOK).decode(&tokens)
	if tokens.Total != 3 {
		t.Errorf("%d enrolment tokens listed, want 3", tokens.Total)
	}
	for _, tk := range tokens.Items {
		if tk.ID == tok.ID && tk.Uses != 2 {
			t.Errorf("the used-up token shows %d uses", tk.Uses)
		}
	}
}

// Only one device enrols with a token of one use, however many try at once.
func TestEnrollOneUseRace(t *testing.T) {
	e := newEnv(t)
	tn := e.tenancy()
	tok := e.enrollToken(tn.a, 1, time.Hour)
	const n = 10
	statuses := make(chan int, n)
	for range n {
		go func() {
			statuses <- e.do("POST", "/api/v1/enroll", tok, map[string]string{"hostname": "PC"}).status
		}()
	}
	created := 0
	for range n {
		switch s := <-statuses; s {
		case http.StatusCreated:
			created++
		case http.StatusUnauthorized:
		default:
			t.Errorf("status %d", s)
		}
	}
	_, total, err := e.store.Devices(context.Background(), handwash.Scope{ProviderID: tn.p.ID}, handwash.DeviceFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if created != 1 || total != 1 {
		t.Errorf("%d enrolments succeeded and %d devices exist, want 1 and 1", created, total)
	}
}

func TestOrgsSitesAndDevices(t *testing.T) {
	e := newEnv(t)
	tn := e.tenancy()
	admin := tn.tokens["P admin"]

	var org handwash.Org
	e.do("POST", "/api/v1/orgs", admin, map[string]string{"name": "  Birch Court  "}).want(http.StatusCreated).decode(&org)
	if org.Name != "Birch Court" || org.ProviderID != tn.p.ID || !strings.HasPrefix(org.ID, "org_") {
		t.Errorf("org: %+v", org)
	}
	e.do("POST", "/api/v1/orgs", admin, map[string]string{"name": ""}).wantError(http.StatusBadRequest, handwash.EINVALID, "name")

	var orgs list[handwash.Org]
	e.do("GET", "/api/v1/orgs", admin, nil).want(http.StatusOK).decode(&orgs)
	if orgs.Total != 3 {
		t.Errorf("%d orgs, want A, B and Birch Court", orgs.Total)
	}
	e.do("GET", "/api/v1/orgs", tn.tokens["A viewer"], nil).want(http.StatusOK).decode(&orgs)
	if orgs.Total != 1 || orgs.Items[0].ID != tn.a.ID {
		t.Errorf("A's viewer sees %+v", orgs.Items)
	}

	var site handwash.Site
	e.do("POST", "/api/v1/orgs/"+org.ID+"/sites", admin, map[string]string{"name": "Ground floor"}).want(http.StatusCreated).decode(&site)
	var sites list[handwash.Site]
	e.do("GET", "/api/v1/orgs/"+org.ID+"/sites", admin, nil).want(http.StatusOK).decode(&sites)
	if sites.Total != 1 || sites.Items[0].ID != site.ID {
		t.Errorf("sites: %+v", sites)
	}

	// Two devices in A, one uploads; the other goes quiet.
	idA, credA := e.enroll(tn.a, "ONE")
	idB, _ := e.enroll(tn.a, "TWO")
	e.upload(credA, "s1", facts(t, linuxWellKept, e.now())).want(http.StatusCreated)
	var devices list[deviceView]
	e.do("GET", "/api/v1/devices?org="+tn.a.ID, admin, nil).want(http.StatusOK).decode(&devices)
	if devices.Total != 2 {
		t.Errorf("%d devices in A", devices.Total)
	}
	e.do("GET", "/api/v1/devices?platform=linux", admin, nil).want(http.StatusOK).decode(&devices)
	if devices.Total != 1 || devices.Items[0].ID != idA {
		t.Errorf("linux devices: %+v", devices.Items)
	}
	e.do("GET", "/api/v1/devices?limit=1&offset=1", admin, nil).want(http.StatusOK).decode(&devices)
	if devices.Total != 2 || len(devices.Items) != 1 {
		t.Errorf("page: total %d, %d items", devices.Total, len(devices.Items))
	}
	e.advance(8 * 24 * time.Hour)
	e.do("GET", "/api/v1/devices?stale=true", admin, nil).want(http.StatusOK).decode(&devices)
	if devices.Total != 2 || !devices.Items[0].Stale {
		t.Errorf("stale after 8 days: %+v", devices.Items)
	}
	e.advance(-8 * 24 * time.Hour)
	e.do("GET", "/api/v1/devices?stale=true", admin, nil).want(http.StatusOK).decode(&devices)
	if devices.Total != 0 {
		t.Errorf("stale at once: %+v", devices.Items)
	}

	for _, c := range []struct{ query, field string }{
		{"limit=501", "limit"}, {"limit=0", "limit"}, {"offset=-1", "offset"}, {"stale=false", "stale"},
		{"platform=amiga", "platform"}, {"orgg=x", "orgg"}, {"org=a&org=b", "org"},
	} {
		e.do("GET", "/api/v1/devices?"+c.query, admin, nil).wantError(http.StatusBadRequest, handwash.EINVALID, c.field)
	}

	// The assessment before judging is "not yet".
	e.do("GET", "/api/v1/devices/"+idA+"/assessment", admin, nil).wantError(http.StatusNotFound, handwash.ENOTFOUND, "not been judged yet")
	e.do("GET", "/api/v1/devices/"+idA+"/scores?since=2026-01-01", admin, nil).want(http.StatusOK)
	e.do("GET", "/api/v1/devices/"+idA+"/scores?since=yesterday", admin, nil).wantError(http.StatusBadRequest, handwash.EINVALID, "since")
	e.do("GET", "/api/v1/findings?status=broken", admin, nil).wantError(http.StatusBadRequest, handwash.EINVALID, "status")
	e.do("GET", "/api/v1/findings?area=fun", admin, nil).wantError(http.StatusBadRequest, handwash.EINVALID, "area")

	e.do("DELETE", "/api/v1/devices/"+idB, tn.tokens["A admin"], nil).want(http.StatusNoContent)
	e.do("DELETE", "/api/v1/devices/"+idB, tn.tokens["A admin"], nil).wantError(http.StatusNotFound, handwash.ENOTFOUND)
	var org2 orgView
	e.do("GET", "/api/v1/orgs/"+tn.a.ID, admin, nil).want(http.StatusOK).decode(&org2)
	if org2.ID != tn.a.ID || org2.Scores == nil {
		t.Errorf("org with scores: %+v", org2)
	}
}

func TestExceptions(t *testing.T) {
	e := newEnv(t)
	tn := e.tenancy()
	admin := tn.tokens["A admin"]
	dev, _ := e.enroll(tn.a, "PC")
	devB, _ := e.enroll(tn.b, "PC-B")
	future := e.now().AddDate(0, 3, 0).Format(time.DateOnly)
	ok := map[string]string{"org_id": tn.a.ID, "device_id": dev, "control": "malware.firewall-on", "reason": "label printer", "owner": "Jo Bloggs", "expires": future}
	with := func(k, v string) map[string]string {
		m := map[string]string{}
		for a, b := range ok {
			m[a] = b
		}
		m[k] = v
		return m
	}
	for _, c := range []struct {
		body   map[string]string
		status int
		words  []string
	}{
		{with("control", "malware.nonsense"), 400, []string{"control", "malware.nonsense"}},
		{with("control", ""), 400, []string{"control", "missing"}},
		{with("expires", "2020-01-01"), 400, []string{"expires", "passed"}},
		{with("expires", "next week"), 400, []string{"expires", "date"}},
		{with("reason", " "), 400, []string{"reason", "missing"}},
		{with("owner", ""), 400, []string{"owner"}},
		{with("org_id", ""), 400, []string{"org_id"}},
		{with("device_id", devB), 404, []string{devB}},
		{with("org_id", tn.b.ID), 404, nil},
	} {
		res := e.do("POST", "/api/v1/exceptions", admin, c.body)
		code := handwash.EINVALID
		if c.status == 404 {
			code = handwash.ENOTFOUND
		}
		res.wantError(c.status, code, c.words...)
	}
	// A device of another organisation of the same provider.
	e.do("POST", "/api/v1/exceptions", tn.tokens["P admin"], with("device_id", devB)).wantError(http.StatusBadRequest, handwash.EINVALID, "device_id", tn.b.ID)

	var ex handwash.StoredException
	e.do("POST", "/api/v1/exceptions", admin, ok).want(http.StatusCreated).decode(&ex)
	if ex.DeviceID != dev || ex.Control != "malware.firewall-on" || ex.Expires.Format(time.DateOnly) != future || ex.CreatedBy != "token:"+tn.tokenIDs["A admin"] {
		t.Errorf("exception: %+v", ex)
	}
	var orgWide handwash.StoredException
	e.do("POST", "/api/v1/exceptions", admin, with("device_id", "")).want(http.StatusCreated).decode(&orgWide)
	var exs list[handwash.StoredException]
	e.do("GET", "/api/v1/exceptions?org="+tn.a.ID, tn.tokens["A viewer"], nil).want(http.StatusOK).decode(&exs)
	if exs.Total != 2 {
		t.Errorf("%d exceptions", exs.Total)
	}
	e.do("DELETE", "/api/v1/exceptions/"+ex.ID, admin, nil).want(http.StatusNoContent)
	e.do("DELETE", "/api/v1/exceptions/"+ex.ID, admin, nil).wantError(http.StatusNotFound, handwash.ENOTFOUND)

	// The changes made, and only those, are in the audit log, with the
	// token that made them.
	entries, _, err := e.store.Audit(context.Background(), handwash.Scope{ProviderID: tn.p.ID}, handwash.AuditFilter{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, en := range entries {
		if strings.HasPrefix(en.Action, "exception.") {
			got = append(got, en.Action+" "+en.Target+" "+en.ActorID)
		}
	}
	want := []string{"exception.revoke " + ex.ID + " " + tn.tokenIDs["A admin"], "exception.grant  " + tn.tokenIDs["A admin"], "exception.grant  " + tn.tokenIDs["A admin"]}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("audit log (-want +got):\n%s", diff)
	}
}

func TestUsersAndTokens(t *testing.T) {
	e := newEnv(t)
	tn := e.tenancy()
	aAdmin := tn.tokens["A admin"]

	// An org admin may make people of their own organisation, up to their
	// own role.
	var u handwash.User
	e.do("POST", "/api/v1/users", aAdmin, map[string]string{"email": "sam@rose.example", "name": "Sam", "role": "viewer", "org_id": tn.a.ID}).
		want(http.StatusCreated).decode(&u)
	if u.OrgID != tn.a.ID || u.Role != handwash.RoleViewer || u.ProviderID != tn.p.ID {
		t.Errorf("user: %+v", u)
	}
	for _, c := range []struct {
		body   map[string]string
		status int
		code   string
		words  []string
	}{
		{map[string]string{"email": "x@rose.example", "name": "X", "role": "provider_admin", "org_id": tn.a.ID}, 403, handwash.EFORBIDDEN, []string{"provider_admin"}},
		{map[string]string{"email": "x@rose.example", "name": "X", "role": "viewer"}, 403, handwash.EFORBIDDEN, []string{"org_id"}},
		{map[string]string{"email": "x@rose.example", "name": "X", "role": "viewer", "org_id": tn.b.ID}, 404, handwash.ENOTFOUND, nil},
		{map[string]string{"email": "not an address", "name": "X", "role": "viewer", "org_id": tn.a.ID}, 400, handwash.EINVALID, []string{"email"}},
		{map[string]string{"email": "x@rose.example", "name": "X", "role": "king", "org_id": tn.a.ID}, 400, handwash.EINVALID, []string{"role"}},
	} {
		e.do("POST", "/api/v1/users", aAdmin, c.body).wantError(c.status, c.code, c.words...)
	}
	// Nor may they raise anyone above themselves.
	e.do("PATCH", "/api/v1/users/"+u.ID, aAdmin, map[string]any{"role": "provider_admin"}).wantError(http.StatusForbidden, handwash.EFORBIDDEN, "provider_admin")
	e.do("PATCH", "/api/v1/users/"+u.ID, aAdmin, map[string]any{"org_id": tn.b.ID}).wantError(http.StatusNotFound, handwash.ENOTFOUND)
	e.do("PATCH", "/api/v1/users/"+u.ID, aAdmin, map[string]any{"nmae": "typo"}).wantError(http.StatusBadRequest, handwash.EINVALID, "nmae")
	var patched handwash.User
	e.do("PATCH", "/api/v1/users/"+u.ID, aAdmin, map[string]any{"name": "Sam Smith", "disabled": true}).want(http.StatusOK).decode(&patched)
	if patched.Name != "Sam Smith" || !patched.Disabled || patched.Role != handwash.RoleViewer {
		t.Errorf("patched: %+v", patched)
	}

	// A token made through the API works, within its scope, until revoked.
	var tok createdToken
	e.do("POST", "/api/v1/tokens", aAdmin, map[string]string{"name": "monitoring", "role": "viewer", "org_id": tn.a.ID, "expires_in": "48h"}).
		want(http.StatusCreated).decode(&tok)
	e.remember(tok.Credential)
	if tok.ExpiresAt == nil || tok.ExpiresAt.Sub(e.now()) < 47*time.Hour || tok.Role != handwash.RoleViewer {
		t.Errorf("token: %+v", tok.APIToken)
	}
	var orgs list[handwash.Org]
	e.do("GET", "/api/v1/orgs", tok.Credential, nil).want(http.StatusOK).decode(&orgs)
	if orgs.Total != 1 || orgs.Items[0].ID != tn.a.ID {
		t.Errorf("the new token sees %+v", orgs.Items)
	}
	e.do("POST", "/api/v1/tokens", aAdmin, map[string]string{"name": "x", "role": "viewer", "org_id": tn.a.ID, "expires_in": "forever"}).wantError(http.StatusBadRequest, handwash.EINVALID, "expires_in")
	e.do("POST", "/api/v1/tokens", aAdmin, map[string]string{"name": "x", "role": "provider_admin", "org_id": tn.a.ID}).wantError(http.StatusForbidden, handwash.EFORBIDDEN)

	res := e.do("GET", "/api/v1/tokens", aAdmin, nil).want(http.StatusOK)
	if strings.Contains(string(res.body), "secret") || strings.Contains(string(res.body), tok.Credential) {
		t.Errorf("the token list shows secrets: %s", res.body)
	}
	// An org admin may not revoke a provider-wide token (it is not theirs
	// to see) nor a stronger one in their organisation.
	e.do("DELETE", "/api/v1/tokens/"+tn.tokenIDs["P admin"], aAdmin, nil).wantError(http.StatusNotFound, handwash.ENOTFOUND)
	e.do("DELETE", "/api/v1/tokens/"+tn.tokenIDs["A provider admin"], aAdmin, nil).wantError(http.StatusForbidden, handwash.EFORBIDDEN)
	e.do("DELETE", "/api/v1/tokens/"+tok.ID, aAdmin, nil).want(http.StatusNoContent)
	e.do("GET", "/api/v1/orgs", tok.Credential, nil).wantError(http.StatusUnauthorized, handwash.EUNAUTHORIZED)

	// A token's use is recorded, but not on every request.
	used, err := e.store.APIToken(context.Background(), tn.tokenIDs["A admin"])
	if err != nil {
		t.Fatal(err)
	}
	if used.LastUsedAt == nil || e.now().Sub(*used.LastUsedAt) > time.Minute {
		t.Errorf("last used %v", used.LastUsedAt)
	}
}

func TestStrictJSON(t *testing.T) {
	e := newEnv(t)
	tn := e.tenancy()
	admin := tn.tokens["P admin"]
	for _, c := range []struct {
		name, body, contentType string
		status                  int
		words                   []string
	}{
		{"unknown field", `{"name": "X", "colour": "red"}`, "application/json", 400, []string{"colour", "unknown field"}},
		{"wrong type", `{"name": 42}`, "application/json", 400, []string{"name", "a string", "number"}},
		{"not an object", `["X"]`, "application/json", 400, []string{"object"}},
		{"two values", `{"name": "X"} {"name": "Y"}`, "application/json", 400, []string{"one"}},
		{"syntax", `{"name": "X",}`, "application/json", 400, []string{"not valid JSON"}},
		{"cut short", `{"name": "X"`, "application/json", 400, []string{"ends too soon"}},
		{"empty", ``, "application/json", 400, []string{"empty"}},
		{"not JSON", `name=X`, "application/x-www-form-urlencoded", 400, []string{"application/json"}},
		{"too large", `{"name": "` + strings.Repeat("x", MaxBodySize) + `"}`, "application/json", 413, []string{"64 KiB"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			before := e.dump()
			code := handwash.EINVALID
			if c.status == 413 {
				code = handwash.ETOOLARGE
			}
			e.do("POST", "/api/v1/orgs", admin, []byte(c.body), "Content-Type", c.contentType).wantError(c.status, code, c.words...)
			if e.dump() != before {
				t.Error("the store changed")
			}
		})
	}
}

func TestUnknownRoutes(t *testing.T) {
	e := newEnv(t)
	e.do("GET", "/api/v1/nothing", "", nil).wantError(http.StatusNotFound, handwash.ENOTFOUND, "docs/api.md")
	res := e.do("PUT", "/api/v1/orgs", "", nil)
	res.wantError(http.StatusMethodNotAllowed, "method_not_allowed", "GET", "POST")
	if got := res.header.Get("Allow"); got != "GET, POST" {
		t.Errorf("Allow: %q", got)
	}
	e.tenancy()
}

// A browser's cross-site request may not change anything, even with a
// good credential (the dashboard's cookies will need this).
func TestCrossOriginRefused(t *testing.T) {
	e := newEnv(t)
	tn := e.tenancy()
	before := e.dump()
	e.do("POST", "/api/v1/orgs", tn.tokens["P admin"], map[string]string{"name": "X"}, "Sec-Fetch-Site", "cross-site").
		wantError(http.StatusForbidden, handwash.EFORBIDDEN, "another site")
	e.do("POST", "/api/v1/orgs", tn.tokens["P admin"], map[string]string{"name": "X"}, "Origin", "https://evil.example").
		wantError(http.StatusForbidden, handwash.EFORBIDDEN)
	if e.dump() != before {
		t.Error("a cross-site request changed the store")
	}
	e.do("GET", "/api/v1/orgs", tn.tokens["P admin"], nil, "Sec-Fetch-Site", "cross-site").want(http.StatusOK)
}

func TestOperations(t *testing.T) {
	e := newEnv(t)
	tn := e.tenancy()
	_, cred := e.enroll(tn.a, "PC")
	e.upload(cred, "s1", facts(t, windowsNeglected, e.now())).want(http.StatusCreated)
	e.do("POST", "/api/v1/snapshots", cred, []byte("{"), headerSnapshotID, "s2").want(http.StatusBadRequest)

	e.do("GET", "/healthz", "", nil).want(http.StatusOK)
	e.do("GET", "/readyz", "", nil).want(http.StatusOK)
	m := string(e.do("GET", "/metrics", "", nil).want(http.StatusOK).body)
	for _, want := range []string{
		`handwash_uploads_total{result="created"} 1`,
		`handwash_uploads_total{result="invalid"} 1`,
		`handwash_upload_duration_seconds_count 2`,
		`handwash_http_requests_total{code="201",pattern="POST /api/v1/enroll"} 1`,
	} {
		if !strings.Contains(m, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}

	// Each request is logged once, with who asked but not how they proved it.
	logs := e.logs.String()
	if !strings.Contains(logs, `"pattern":"POST /api/v1/snapshots","status":201`) || !strings.Contains(logs, `"principal_kind":"device"`) {
		t.Errorf("the request log lacks the upload:\n%s", logs)
	}
	if strings.Contains(logs, "Bearer") || strings.Contains(logs, "hwd_") {
		t.Error("the logs hold a credential")
	}

	e.store.Close()
	e.do("GET", "/readyz", "", nil).want(http.StatusServiceUnavailable)
	e.do("GET", "/healthz", "", nil).want(http.StatusOK)
}
