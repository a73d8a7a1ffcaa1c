package storetest

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/handwash/handwash"
)

func testProviders(t *testing.T, s handwash.Store) {
	ctx := context.Background()
	p := &handwash.Provider{Name: "Acme IT", CreatedAt: t0}
	must(t, s.CreateProvider(ctx, p))
	if !strings.HasPrefix(p.ID, "prov_") {
		t.Errorf("provider ID %q, want prefix prov_", p.ID)
	}
	q := &handwash.Provider{Name: "Bravo"}
	must(t, s.CreateProvider(ctx, q))
	if q.CreatedAt.IsZero() || q.CreatedAt.Location() != time.UTC {
		t.Errorf("CreatedAt = %v, want now in UTC", q.CreatedAt)
	}
	got, err := s.Providers(ctx)
	must(t, err)
	diff(t, "Providers", got, []*handwash.Provider{p, q})

	wantCode(t, "duplicate name", s.CreateProvider(ctx, &handwash.Provider{Name: "Acme IT"}), handwash.ECONFLICT)
	wantCode(t, "empty name", s.CreateProvider(ctx, &handwash.Provider{Name: " "}), handwash.EINVALID)
	got, err = s.Providers(ctx)
	must(t, err)
	if len(got) != 2 {
		t.Errorf("after failed creations: %d providers, want 2", len(got))
	}
}

func testOrgs(t *testing.T, s handwash.Store) {
	ctx := context.Background()
	p := &handwash.Provider{Name: "Acme IT"}
	must(t, s.CreateProvider(ctx, p))
	scope := handwash.Scope{ProviderID: p.ID}
	o1 := &handwash.Org{Name: "Rose Care Home", CreatedAt: t0}
	o2 := &handwash.Org{Name: "Elm Surgery", CreatedAt: t0}
	must(t, s.CreateOrg(ctx, scope, o1))
	must(t, s.CreateOrg(ctx, scope, o2))
	if !strings.HasPrefix(o1.ID, "org_") || o1.ProviderID != p.ID {
		t.Errorf("org = %+v, want an org_ ID in provider %s", o1, p.ID)
	}
	got, err := s.Orgs(ctx, scope)
	must(t, err)
	diff(t, "Orgs", got, []*handwash.Org{o2, o1})
	one, err := s.Org(ctx, scope, o1.ID)
	must(t, err)
	diff(t, "Org", one, o1)

	// A scope limited to one organisation sees only it.
	orgScope := handwash.Scope{ProviderID: p.ID, OrgID: o1.ID}
	got, err = s.Orgs(ctx, orgScope)
	must(t, err)
	diff(t, "Orgs in an org scope", got, []*handwash.Org{o1})
	_, err = s.Org(ctx, orgScope, o2.ID)
	wantCode(t, "Org of another org in an org scope", err, handwash.ENOTFOUND)
	if err := s.CreateOrg(ctx, orgScope, &handwash.Org{Name: "Sneaky"}); err == nil {
		t.Error("CreateOrg in an org scope succeeded, want an error")
	}

	wantCode(t, "duplicate name", s.CreateOrg(ctx, scope, &handwash.Org{Name: "Elm Surgery"}), handwash.ECONFLICT)
	wantCode(t, "empty name", s.CreateOrg(ctx, scope, &handwash.Org{}), handwash.EINVALID)
	wantCode(t, "unknown provider", s.CreateOrg(ctx, handwash.Scope{ProviderID: "prov_nope"}, &handwash.Org{Name: "X"}), handwash.ENOTFOUND)
	_, err = s.Org(ctx, scope, "org_nope")
	wantCode(t, "Org unknown", err, handwash.ENOTFOUND)
	got, err = s.Orgs(ctx, scope)
	must(t, err)
	if len(got) != 2 {
		t.Errorf("after failed creations: %d organisations, want 2", len(got))
	}
}

func testSites(t *testing.T, s handwash.Store) {
	w := newWorld(t, s)
	site := &handwash.Site{OrgID: w.orgA1.ID, Name: "Annexe", CreatedAt: t0}
	must(t, s.CreateSite(w.ctx, w.a1, site))
	if !strings.HasPrefix(site.ID, "site_") {
		t.Errorf("site ID %q, want prefix site_", site.ID)
	}
	got, err := s.Sites(w.ctx, w.a, w.orgA1.ID)
	must(t, err)
	diff(t, "Sites", got, []*handwash.Site{site, w.siteA1})
	got, err = s.Sites(w.ctx, w.a, w.orgA2.ID)
	must(t, err)
	if len(got) != 0 {
		t.Errorf("Sites of A2 = %v, want none", got)
	}
	wantCode(t, "duplicate name", s.CreateSite(w.ctx, w.a, &handwash.Site{OrgID: w.orgA1.ID, Name: "Annexe"}), handwash.ECONFLICT)
	wantCode(t, "empty name", s.CreateSite(w.ctx, w.a, &handwash.Site{OrgID: w.orgA1.ID}), handwash.EINVALID)
	wantCode(t, "unknown org", s.CreateSite(w.ctx, w.a, &handwash.Site{OrgID: "org_nope", Name: "X"}), handwash.ENOTFOUND)
	_, err = s.Sites(w.ctx, w.a, "org_nope")
	wantCode(t, "Sites of unknown org", err, handwash.ENOTFOUND)
}

func testUsers(t *testing.T, s handwash.Store) {
	w := newWorld(t, s)
	admin := &handwash.User{Email: " Admin@Acme.example ", Name: "Ada", Role: handwash.RoleProviderAdmin, CreatedAt: t0}
	must(t, s.CreateUser(w.ctx, w.a, admin))
	if !strings.HasPrefix(admin.ID, "usr_") || admin.Email != "admin@acme.example" || admin.ProviderID != w.provA.ID || admin.OrgID != "" {
		t.Errorf("created user = %+v", admin)
	}
	manager := &handwash.User{Email: "manager@rose.example", Name: "Mo", Role: handwash.RoleOrgAdmin, OrgID: w.orgA1.ID, CreatedAt: t0}
	must(t, s.CreateUser(w.ctx, w.a, manager))
	// A user made in an organisation's scope belongs to it.
	viewer := &handwash.User{Email: "carer@rose.example", Name: "Cy", Role: handwash.RoleViewer, CreatedAt: t0}
	must(t, s.CreateUser(w.ctx, w.a1, viewer))
	if viewer.OrgID != w.orgA1.ID {
		t.Errorf("user made in org scope has OrgID %q, want %q", viewer.OrgID, w.orgA1.ID)
	}

	got, err := s.Users(w.ctx, w.a)
	must(t, err)
	diff(t, "Users", got, []*handwash.User{admin, viewer, manager})
	got, err = s.Users(w.ctx, w.a1)
	must(t, err)
	diff(t, "Users in org scope", got, []*handwash.User{viewer, manager})
	got, err = s.Users(w.ctx, w.a2)
	must(t, err)
	if len(got) != 0 {
		t.Errorf("Users of A2 = %v, want none", got)
	}
	one, err := s.User(w.ctx, w.a, manager.ID)
	must(t, err)
	diff(t, "User", one, manager)
	_, err = s.User(w.ctx, w.a1, admin.ID)
	wantCode(t, "provider user through org scope", err, handwash.ENOTFOUND)

	up := &handwash.User{ID: viewer.ID, Name: "Cy Jones", Role: handwash.RoleOrgAdmin, OrgID: w.orgA1.ID, Disabled: true}
	must(t, s.UpdateUser(w.ctx, w.a1, up))
	want := *viewer
	want.Name, want.Role, want.Disabled = "Cy Jones", handwash.RoleOrgAdmin, true
	diff(t, "updated user", up, &want)
	one, err = s.User(w.ctx, w.a, viewer.ID)
	must(t, err)
	diff(t, "updated user read back", one, &want)

	wantCode(t, "duplicate email", s.CreateUser(w.ctx, w.a, &handwash.User{Email: "ADMIN@acme.example", Role: handwash.RoleViewer}), handwash.ECONFLICT)
	wantCode(t, "bad role", s.CreateUser(w.ctx, w.a, &handwash.User{Email: "x@y.example", Role: "root"}), handwash.EINVALID)
	wantCode(t, "bad email", s.CreateUser(w.ctx, w.a, &handwash.User{Email: "nobody", Role: handwash.RoleViewer}), handwash.EINVALID)
	wantCode(t, "org admin without org", s.CreateUser(w.ctx, w.a, &handwash.User{Email: "x@y.example", Role: handwash.RoleOrgAdmin}), handwash.EINVALID)
	wantCode(t, "user in another provider's org", s.CreateUser(w.ctx, w.a, &handwash.User{Email: "x@y.example", Role: handwash.RoleViewer, OrgID: w.orgB1.ID}), handwash.ENOTFOUND)
	wantCode(t, "user in another org from org scope", s.CreateUser(w.ctx, w.a1, &handwash.User{Email: "x@y.example", Role: handwash.RoleViewer, OrgID: w.orgA2.ID}), handwash.ENOTFOUND)
	wantCode(t, "update to another org from org scope", s.UpdateUser(w.ctx, w.a1, &handwash.User{ID: viewer.ID, Role: handwash.RoleViewer, OrgID: w.orgA2.ID}), handwash.ENOTFOUND)
	wantCode(t, "update unknown", s.UpdateUser(w.ctx, w.a, &handwash.User{ID: "usr_nope", Role: handwash.RoleViewer}), handwash.ENOTFOUND)
	got, err = s.Users(w.ctx, w.a)
	must(t, err)
	if len(got) != 3 {
		t.Errorf("after failed calls: %d users, want 3", len(got))
	}
}

func testAPITokens(t *testing.T, s handwash.Store) {
	w := newWorld(t, s)
	secret := handwash.NewSecret()
	tok := &handwash.APIToken{Name: "backup script", Role: handwash.RoleViewer, SecretHash: handwash.HashSecret(secret), CreatedAt: t0, ExpiresAt: ptr(t0.Add(720 * time.Hour))}
	must(t, s.CreateAPIToken(w.ctx, w.a, tok))
	if !strings.HasPrefix(tok.ID, "tok_") || tok.ProviderID != w.provA.ID {
		t.Errorf("created token = %+v", tok)
	}
	orgTok := &handwash.APIToken{Name: "rose", Role: handwash.RoleOrgAdmin, SecretHash: handwash.HashSecret(handwash.NewSecret()), CreatedAt: t0.Add(time.Minute)}
	must(t, s.CreateAPIToken(w.ctx, w.a1, orgTok))
	if orgTok.OrgID != w.orgA1.ID {
		t.Errorf("token made in org scope has OrgID %q", orgTok.OrgID)
	}

	got, err := s.APIToken(w.ctx, tok.ID)
	must(t, err)
	diff(t, "APIToken", got, tok)
	if !handwash.SecretMatches(secret, got.SecretHash) {
		t.Error("stored hash does not match the secret")
	}
	list, err := s.APITokens(w.ctx, w.a)
	must(t, err)
	diff(t, "APITokens", list, []*handwash.APIToken{orgTok, tok})
	list, err = s.APITokens(w.ctx, w.a1)
	must(t, err)
	diff(t, "APITokens in org scope", list, []*handwash.APIToken{orgTok})

	used := t0.Add(time.Hour)
	must(t, s.TouchAPIToken(w.ctx, tok.ID, used))
	must(t, s.TouchAPIToken(w.ctx, tok.ID, t0)) // earlier: ignored
	got, err = s.APIToken(w.ctx, tok.ID)
	must(t, err)
	diff(t, "LastUsedAt", got.LastUsedAt, &used)
	wantCode(t, "Touch unknown", s.TouchAPIToken(w.ctx, "tok_nope", used), handwash.ENOTFOUND)

	wantCode(t, "revoke through org scope", s.RevokeAPIToken(w.ctx, w.a1, tok.ID), handwash.ENOTFOUND)
	must(t, s.RevokeAPIToken(w.ctx, w.a, tok.ID))
	got, err = s.APIToken(w.ctx, tok.ID)
	must(t, err)
	if !got.Revoked {
		t.Error("token not revoked")
	}
	wantCode(t, "revoke unknown", s.RevokeAPIToken(w.ctx, w.a, "tok_nope"), handwash.ENOTFOUND)
	_, err = s.APIToken(w.ctx, "tok_nope")
	wantCode(t, "APIToken unknown", err, handwash.ENOTFOUND)
	wantCode(t, "bad hash", s.CreateAPIToken(w.ctx, w.a, &handwash.APIToken{Role: handwash.RoleViewer, SecretHash: []byte("short")}), handwash.EINVALID)
	wantCode(t, "bad role", s.CreateAPIToken(w.ctx, w.a, &handwash.APIToken{Role: "god", SecretHash: handwash.HashSecret("x")}), handwash.EINVALID)
}

func testEnrollTokens(t *testing.T, s handwash.Store) {
	w := newWorld(t, s)
	// newWorld made one token per device; start from those.
	before, err := s.EnrollTokens(w.ctx, w.a, "")
	must(t, err)
	if len(before) != 2 {
		t.Fatalf("EnrollTokens of A = %d, want 2", len(before))
	}
	tok := &handwash.EnrollToken{OrgID: w.orgA1.ID, SiteID: w.siteA1.ID, SecretHash: handwash.HashSecret("s"), MaxUses: 5, ExpiresAt: t0.Add(time.Hour), CreatedAt: t0.Add(time.Hour)}
	must(t, s.CreateEnrollToken(w.ctx, w.a1, tok))
	if !strings.HasPrefix(tok.ID, "enr_") || tok.ProviderID != w.provA.ID || tok.Uses != 0 {
		t.Errorf("created token = %+v", tok)
	}
	list, err := s.EnrollTokens(w.ctx, w.a, w.orgA1.ID)
	must(t, err)
	if len(list) != 2 {
		t.Fatalf("EnrollTokens of A1 = %d, want 2", len(list))
	}
	diff(t, "enrolment token listed", find(list, tok.ID), tok)
	list, err = s.EnrollTokens(w.ctx, w.a2, "")
	must(t, err)
	if len(list) != 1 || list[0].OrgID != w.orgA2.ID {
		t.Errorf("EnrollTokens in A2 scope = %+v, want A2's one", list)
	}
	_, err = s.EnrollTokens(w.ctx, w.a, w.orgB1.ID)
	wantCode(t, "EnrollTokens of another provider's org", err, handwash.ENOTFOUND)

	must(t, s.RevokeEnrollToken(w.ctx, w.a, tok.ID))
	list, err = s.EnrollTokens(w.ctx, w.a1, w.orgA1.ID)
	must(t, err)
	if !find(list, tok.ID).Revoked {
		t.Error("token not revoked")
	}
	wantCode(t, "revoke through another org", s.RevokeEnrollToken(w.ctx, w.a2, tok.ID), handwash.ENOTFOUND)
	wantCode(t, "site of another org", s.CreateEnrollToken(w.ctx, w.a, &handwash.EnrollToken{OrgID: w.orgA2.ID, SiteID: w.siteA1.ID, SecretHash: handwash.HashSecret("s"), MaxUses: 1, ExpiresAt: t0}), handwash.ENOTFOUND)
	wantCode(t, "zero uses", s.CreateEnrollToken(w.ctx, w.a, &handwash.EnrollToken{OrgID: w.orgA1.ID, SecretHash: handwash.HashSecret("s"), ExpiresAt: t0}), handwash.EINVALID)
	wantCode(t, "no expiry", s.CreateEnrollToken(w.ctx, w.a, &handwash.EnrollToken{OrgID: w.orgA1.ID, SecretHash: handwash.HashSecret("s"), MaxUses: 1}), handwash.EINVALID)
	wantCode(t, "no org", s.CreateEnrollToken(w.ctx, w.a, &handwash.EnrollToken{SecretHash: handwash.HashSecret("s"), MaxUses: 1, ExpiresAt: t0}), handwash.EINVALID)
}

func testEnroll(t *testing.T, s handwash.Store) {
	w := newWorld(t, s)
	tok, secret := w.enrollToken(t, w.a1, w.orgA1.ID, w.siteA1.ID, 2)
	d := &handwash.Device{ID: handwash.NewID("dev"), Hostname: "office-pc", Platform: handwash.PlatformWindows, OS: "Windows 11 Pro", SecretHash: handwash.HashSecret("device secret")}
	at := t0.Add(time.Minute)
	must(t, s.Enroll(w.ctx, tok.ID, handwash.HashSecret(secret), at, d))
	want := &handwash.Device{ID: d.ID, ProviderID: w.provA.ID, OrgID: w.orgA1.ID, SiteID: w.siteA1.ID, Hostname: "office-pc",
		Platform: handwash.PlatformWindows, OS: "Windows 11 Pro", SecretHash: handwash.HashSecret("device secret"), EnrolledAt: at, Score: -1}
	diff(t, "enrolled device", d, want)
	diff(t, "device read back", w.device(t, d), want)
	got, err := s.Device(w.ctx, w.a1, d.ID)
	must(t, err)
	diff(t, "Device", got, want)
	list, err := s.EnrollTokens(w.ctx, w.a, w.orgA1.ID)
	must(t, err)
	for _, l := range list {
		if l.ID == tok.ID && l.Uses != 1 {
			t.Errorf("token uses = %d, want 1", l.Uses)
		}
	}
	// The same device ID twice is a conflict, and does not use the token.
	dup := &handwash.Device{ID: d.ID, Hostname: "x", SecretHash: handwash.HashSecret("y")}
	wantCode(t, "duplicate device ID", s.Enroll(w.ctx, tok.ID, handwash.HashSecret(secret), at, dup), handwash.ECONFLICT)
	list, err = s.EnrollTokens(w.ctx, w.a, w.orgA1.ID)
	must(t, err)
	for _, l := range list {
		if l.ID == tok.ID && l.Uses != 1 {
			t.Errorf("after a failed enrolment token uses = %d, want 1", l.Uses)
		}
	}
}

func testEnrollRefused(t *testing.T, s handwash.Store) {
	w := newWorld(t, s)
	good, goodSecret := w.enrollToken(t, w.a, w.orgA1.ID, "", 1)
	revoked, revokedSecret := w.enrollToken(t, w.a, w.orgA1.ID, "", 1)
	must(t, s.RevokeEnrollToken(w.ctx, w.a, revoked.ID))
	used, usedSecret := w.enrollToken(t, w.a, w.orgA1.ID, "", 1)
	must(t, s.Enroll(w.ctx, used.ID, handwash.HashSecret(usedSecret), t0, &handwash.Device{ID: handwash.NewID("dev"), SecretHash: handwash.HashSecret("d")}))
	_, total0, err := s.Devices(w.ctx, w.a, handwash.DeviceFilter{})
	must(t, err)
	tokens0, err := s.EnrollTokens(w.ctx, w.a, "")
	must(t, err)

	cases := []struct {
		name, id, secret string
		now              time.Time
	}{
		{"unknown token", "enr_nope", goodSecret, t0},
		{"wrong secret", good.ID, "not the secret", t0},
		{"revoked", revoked.ID, revokedSecret, t0},
		{"expired", good.ID, goodSecret, good.ExpiresAt},
		{"used up", used.ID, usedSecret, t0},
	}
	for _, c := range cases {
		d := &handwash.Device{ID: handwash.NewID("dev"), Hostname: c.name, SecretHash: handwash.HashSecret("d")}
		wantCode(t, c.name, s.Enroll(w.ctx, c.id, handwash.HashSecret(c.secret), c.now, d), handwash.EUNAUTHORIZED)
		if _, err := s.DeviceForAuth(w.ctx, d.ID); handwash.ErrorCode(err) != handwash.ENOTFOUND {
			t.Errorf("%s: device was created (DeviceForAuth: %v)", c.name, err)
		}
	}
	_, total, err := s.Devices(w.ctx, w.a, handwash.DeviceFilter{})
	must(t, err)
	if total != total0 {
		t.Errorf("devices: %d, want %d", total, total0)
	}
	tokens, err := s.EnrollTokens(w.ctx, w.a, "")
	must(t, err)
	diff(t, "tokens after refusals", tokens, tokens0)
}

func testEnrollConcurrent(t *testing.T, s handwash.Store) {
	w := newWorld(t, s)
	tok, secret := w.enrollToken(t, w.a, w.orgA2.ID, "", 1)
	const n = 16
	errs := make(chan error, n)
	start := make(chan struct{})
	for i := range n {
		go func() {
			<-start
			d := &handwash.Device{ID: handwash.NewID("dev"), Hostname: "racer", SecretHash: handwash.HashSecret("d"), Platform: handwash.Platform("p" + string(rune('a'+i)))}
			errs <- s.Enroll(w.ctx, tok.ID, handwash.HashSecret(secret), t0, d)
		}()
	}
	close(start)
	ok := 0
	for range n {
		err := <-errs
		switch handwash.ErrorCode(err) {
		case "":
			ok++
		case handwash.EUNAUTHORIZED:
		default:
			t.Errorf("concurrent Enroll: %v", err)
		}
	}
	if ok != 1 {
		t.Errorf("%d enrolments succeeded with a single-use token, want 1", ok)
	}
	ds, _, err := s.Devices(w.ctx, w.a2, handwash.DeviceFilter{})
	must(t, err)
	racers := 0
	for _, d := range ds {
		if d.Hostname == "racer" {
			racers++
		}
	}
	if racers != 1 {
		t.Errorf("%d devices enrolled with a single-use token, want 1", racers)
	}
}

var ignoreDeviceTimes = cmpopts.IgnoreFields(handwash.Device{}, "LastSeenAt", "EvaluatedAt")

func find(ts []*handwash.EnrollToken, id string) *handwash.EnrollToken {
	for _, t := range ts {
		if t.ID == id {
			return t
		}
	}
	return nil
}
