package storetest

import (
	"slices"
	"testing"
	"time"

	"github.com/handwash/handwash"
)

// victim is everything organisation A1 of provider A holds.
type victim struct {
	user      *handwash.User
	token     *handwash.APIToken
	enroll    *handwash.EnrollToken
	exception *handwash.StoredException
}

func newVictim(t *testing.T, w *world) *victim {
	t.Helper()
	v := &victim{
		user:      &handwash.User{Email: "manager@rose.example", Name: "Mo", Role: handwash.RoleOrgAdmin, OrgID: w.orgA1.ID},
		token:     &handwash.APIToken{Name: "rose", Role: handwash.RoleOrgAdmin, OrgID: w.orgA1.ID, SecretHash: handwash.HashSecret("s")},
		exception: &handwash.StoredException{OrgID: w.orgA1.ID, DeviceID: w.devA1.ID, Control: "c1", Reason: "r", Owner: "o", Expires: t0.Add(time.Hour)},
	}
	must(t, w.s.CreateUser(w.ctx, w.a, v.user))
	must(t, w.s.CreateAPIToken(w.ctx, w.a, v.token))
	v.enroll, _ = w.enrollToken(t, w.a, w.orgA1.ID, w.siteA1.ID, 3)
	must(t, w.s.CreateException(w.ctx, w.a, v.exception))
	w.snap(t, w.devA1, "s1", "facts", t0)
	must(t, w.s.PutAssessment(w.ctx, w.devA1.ID, digest("facts"), assessment(t0, fnd("c1", handwash.StatusFail))))
	return v
}

// attack tries every read, update and delete on A1's objects through
// scope, which must not cover A1: each is ENOTFOUND, lists leave A1's
// objects out, and nothing of A1 changes. ownOrg is an organisation the
// scope does cover.
func attack(t *testing.T, w *world, scope handwash.Scope, ownOrg string) {
	v := newVictim(t, w)
	ctx, s := w.ctx, w.s
	deviceBefore := w.device(t, w.devA1)
	a1 := w.orgA1.ID
	dev := w.devA1.ID

	notFound := func(what string, err error) {
		t.Helper()
		wantCode(t, what, err, handwash.ENOTFOUND)
	}
	// Reads.
	_, err := s.Org(ctx, scope, a1)
	notFound("Org", err)
	_, err = s.Sites(ctx, scope, a1)
	notFound("Sites", err)
	_, err = s.User(ctx, scope, v.user.ID)
	notFound("User", err)
	_, err = s.EnrollTokens(ctx, scope, a1)
	notFound("EnrollTokens of the org", err)
	_, err = s.Device(ctx, scope, dev)
	notFound("Device", err)
	_, err = s.Snapshots(ctx, scope, dev, 10)
	notFound("Snapshots", err)
	_, err = s.Assessment(ctx, scope, dev)
	notFound("Assessment", err)
	_, err = s.ScoreHistory(ctx, scope, dev, time.Time{})
	notFound("ScoreHistory", err)
	_, err = s.OrgScores(ctx, scope, a1)
	notFound("OrgScores", err)
	_, err = s.Exceptions(ctx, scope, a1)
	notFound("Exceptions of the org", err)

	// Writes into A1, or onto its objects.
	notFound("CreateSite", s.CreateSite(ctx, scope, &handwash.Site{OrgID: a1, Name: "Intruder"}))
	notFound("CreateUser in the org", s.CreateUser(ctx, scope, &handwash.User{Email: "x@evil.example", Role: handwash.RoleViewer, OrgID: a1}))
	notFound("CreateAPIToken in the org", s.CreateAPIToken(ctx, scope, &handwash.APIToken{Role: handwash.RoleViewer, OrgID: a1, SecretHash: handwash.HashSecret("x")}))
	notFound("CreateEnrollToken", s.CreateEnrollToken(ctx, scope, &handwash.EnrollToken{OrgID: a1, SecretHash: handwash.HashSecret("x"), MaxUses: 1, ExpiresAt: t0.Add(time.Hour)}))
	notFound("CreateException", s.CreateException(ctx, scope, &handwash.StoredException{OrgID: a1, Control: "c", Reason: "r", Owner: "o", Expires: t0}))
	if ownOrg != "" {
		notFound("CreateException on the device from an own org", s.CreateException(ctx, scope, &handwash.StoredException{OrgID: ownOrg, DeviceID: dev, Control: "c", Reason: "r", Owner: "o", Expires: t0}))
		notFound("CreateEnrollToken with the org's site", s.CreateEnrollToken(ctx, scope, &handwash.EnrollToken{OrgID: ownOrg, SiteID: w.siteA1.ID, SecretHash: handwash.HashSecret("x"), MaxUses: 1, ExpiresAt: t0.Add(time.Hour)}))
		notFound("UpdateUser moving into the org", s.UpdateUser(ctx, scope, &handwash.User{ID: v.user.ID, Role: handwash.RoleViewer, OrgID: ownOrg}))
	}
	notFound("UpdateUser", s.UpdateUser(ctx, scope, &handwash.User{ID: v.user.ID, Name: "pwned", Role: handwash.RoleViewer, Disabled: true}))
	notFound("RevokeAPIToken", s.RevokeAPIToken(ctx, scope, v.token.ID))
	notFound("RevokeEnrollToken", s.RevokeEnrollToken(ctx, scope, v.enroll.ID))
	notFound("DeleteDevice", s.DeleteDevice(ctx, scope, dev))
	notFound("DeleteException", s.DeleteException(ctx, scope, v.exception.ID))

	// Lists leave A1 out.
	orgs, err := s.Orgs(ctx, scope)
	must(t, err)
	for _, o := range orgs {
		if o.ID == a1 {
			t.Error("Orgs lists the other tenant's organisation")
		}
	}
	users, err := s.Users(ctx, scope)
	must(t, err)
	for _, u := range users {
		if u.ID == v.user.ID {
			t.Error("Users lists the other tenant's user")
		}
	}
	toks, err := s.APITokens(ctx, scope)
	must(t, err)
	for _, tok := range toks {
		if tok.ID == v.token.ID {
			t.Error("APITokens lists the other tenant's token")
		}
	}
	etoks, err := s.EnrollTokens(ctx, scope, "")
	must(t, err)
	for _, tok := range etoks {
		if tok.OrgID == a1 {
			t.Error("EnrollTokens lists the other tenant's token")
		}
	}
	for _, f := range []handwash.DeviceFilter{{}, {OrgID: a1}, {SiteID: w.siteA1.ID}} {
		ds, total, err := s.Devices(ctx, scope, f)
		must(t, err)
		if slices.Contains(ids(ds), dev) {
			t.Errorf("Devices(%+v) lists the other tenant's device", f)
		}
		if f.OrgID != "" && total != 0 {
			t.Errorf("Devices(%+v) counts %d of the other tenant's devices", f, total)
		}
	}
	for _, f := range []handwash.FindingFilter{{}, {OrgID: a1}, {DeviceID: dev}, {ControlID: "c1"}} {
		fs, _, err := s.Findings(ctx, scope, f)
		must(t, err)
		for _, x := range fs {
			if x.DeviceID == dev {
				t.Errorf("Findings(%+v) lists the other tenant's finding", f)
			}
		}
	}
	es, err := s.Exceptions(ctx, scope, "")
	must(t, err)
	for _, e := range es {
		if e.OrgID == a1 {
			t.Error("Exceptions lists the other tenant's exception")
		}
	}

	// Nothing of A1 changed.
	user, err := s.User(ctx, w.a, v.user.ID)
	must(t, err)
	diff(t, "victim user", user, v.user)
	tok, err := s.APIToken(ctx, v.token.ID)
	must(t, err)
	diff(t, "victim token", tok, v.token)
	etoks, err = s.EnrollTokens(ctx, w.a, a1)
	must(t, err)
	for _, tok := range etoks {
		if tok.Revoked {
			t.Error("victim enrolment token was revoked")
		}
	}
	diff(t, "victim device", w.device(t, w.devA1), deviceBefore)
	exs, err := s.ExceptionsFor(ctx, w.devA1)
	must(t, err)
	diff(t, "victim exceptions", exs, []*handwash.StoredException{v.exception})
	sites, err := s.Sites(ctx, w.a, a1)
	must(t, err)
	diff(t, "victim sites", sites, []*handwash.Site{w.siteA1})
	users, err = s.Users(ctx, w.a1)
	must(t, err)
	diff(t, "victim org's users", users, []*handwash.User{v.user})
}

func testIsolationProviders(t *testing.T, s handwash.Store) {
	w := newWorld(t, s)
	attack(t, w, w.b, w.orgB1.ID)
}

func testIsolationOrgs(t *testing.T, s handwash.Store) {
	w := newWorld(t, s)
	attack(t, w, w.a2, w.orgA2.ID)
}
