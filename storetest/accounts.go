package storetest

import (
	"database/sql"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/handwash/handwash"
	"github.com/handwash/handwash/internal/passhash"
)

// newUser adds a user within scope.
func (w *world) newUser(t *testing.T, scope handwash.Scope, email string, role handwash.Role, orgID string) *handwash.User {
	t.Helper()
	u := &handwash.User{Email: email, Name: email, Role: role, OrgID: orgID, CreatedAt: t0}
	must(t, w.s.CreateUser(w.ctx, scope, u))
	return u
}

// signIn reads a user's sign-in record.
func (w *world) signIn(t *testing.T, userID string) *handwash.SignIn {
	t.Helper()
	rec, err := w.s.SignIn(w.ctx, userID)
	must(t, err)
	return rec
}

// noSecret checks that an error does not repeat a secret.
func noSecret(t *testing.T, what string, err error, secret string) {
	t.Helper()
	if err != nil && (strings.Contains(err.Error(), secret) || strings.Contains(handwash.ErrorMessage(err), secret)) {
		t.Errorf("%s: the error repeats a secret: %v", what, err)
	}
}

// hashPassword hashes a password as the dashboard does.
func hashPassword(t *testing.T, password string) string {
	t.Helper()
	h, err := passhash.Hash(password)
	must(t, err)
	return h
}

func testUserByEmail(t *testing.T, s handwash.Store) {
	w := newWorld(t, s)
	jo := w.newUser(t, w.a1, " Jo.Bloggs@Rose.Example ", handwash.RoleViewer, "")
	admin := w.newUser(t, w.b, "admin@oak.example", handwash.RoleProviderAdmin, "")
	for _, email := range []string{"jo.bloggs@rose.example", "JO.BLOGGS@ROSE.EXAMPLE", "  Jo.Bloggs@rose.example\t"} {
		got, err := s.UserByEmail(w.ctx, email)
		must(t, err)
		diff(t, "UserByEmail("+email+")", got, jo)
	}
	got, err := s.UserByEmail(w.ctx, "Admin@Oak.example")
	must(t, err)
	diff(t, "UserByEmail of another provider's user", got, admin)
	_, err = s.UserByEmail(w.ctx, "nobody@rose.example")
	wantCode(t, "UserByEmail unknown", err, handwash.ENOTFOUND)
	_, err = s.UserByEmail(w.ctx, "jo.bloggs@rose.example.evil")
	wantCode(t, "UserByEmail of a longer address", err, handwash.ENOTFOUND)
	_, err = s.UserByEmail(w.ctx, " ")
	wantCode(t, "UserByEmail empty", err, handwash.EINVALID)

	got, err = s.UserForAuth(w.ctx, admin.ID)
	must(t, err)
	diff(t, "UserForAuth", got, admin)
	_, err = s.UserForAuth(w.ctx, "usr_nope")
	wantCode(t, "UserForAuth unknown", err, handwash.ENOTFOUND)
	_, err = s.UserForAuth(w.ctx, "")
	wantCode(t, "UserForAuth empty", err, handwash.EINVALID)
}

func testPassword(t *testing.T, s handwash.Store) {
	w := newWorld(t, s)
	u := w.newUser(t, w.a, "ada@acme.example", handwash.RoleProviderAdmin, "")
	other := w.newUser(t, w.a1, "mo@rose.example", handwash.RoleViewer, "")
	diff(t, "sign-in record before any password", w.signIn(t, u.ID), &handwash.SignIn{UserID: u.ID})

	first := hashPassword(t, "correct horse battery")
	must(t, s.SetPassword(w.ctx, u.ID, first, t0))
	diff(t, "after the first password", w.signIn(t, u.ID), &handwash.SignIn{UserID: u.ID, PasswordHash: first, PasswordChangedAt: ptr(t0)})
	if ok, _, err := passhash.Verify("correct horse battery", w.signIn(t, u.ID).PasswordHash); !ok || err != nil {
		t.Errorf("the stored hash does not verify the password (%v)", err)
	}

	second := hashPassword(t, "kettle lamp orchard")
	changed := t0.Add(36 * time.Hour)
	must(t, s.SetPassword(w.ctx, u.ID, second, changed))
	diff(t, "after a new password", w.signIn(t, u.ID), &handwash.SignIn{UserID: u.ID, PasswordHash: second, PasswordChangedAt: &changed})
	diff(t, "another user's record", w.signIn(t, other.ID), &handwash.SignIn{UserID: other.ID})

	// Without a time, now.
	must(t, s.SetPassword(w.ctx, other.ID, first, time.Time{}))
	if at := w.signIn(t, other.ID).PasswordChangedAt; at == nil || at.IsZero() || at.Location() != time.UTC {
		t.Errorf("PasswordChangedAt = %v, want now in UTC", at)
	}

	plain := "my plain password"
	err := s.SetPassword(w.ctx, u.ID, plain, t0)
	wantCode(t, "a password, not a hash", err, handwash.EINVALID)
	noSecret(t, "a password, not a hash", err, plain)
	wantCode(t, "an empty hash", s.SetPassword(w.ctx, u.ID, "", t0), handwash.EINVALID)
	wantCode(t, "an oversized hash", s.SetPassword(w.ctx, u.ID, "$argon2id$"+strings.Repeat("a", 5000), t0), handwash.EINVALID)
	wantCode(t, "unknown user", s.SetPassword(w.ctx, "usr_nope", first, t0), handwash.ENOTFOUND)
	wantCode(t, "empty user ID", s.SetPassword(w.ctx, "", first, t0), handwash.EINVALID)
	diff(t, "after refused changes", w.signIn(t, u.ID), &handwash.SignIn{UserID: u.ID, PasswordHash: second, PasswordChangedAt: &changed})

	_, err = s.SignIn(w.ctx, "usr_nope")
	wantCode(t, "SignIn unknown", err, handwash.ENOTFOUND)
	_, err = s.SignIn(w.ctx, "")
	wantCode(t, "SignIn empty", err, handwash.EINVALID)
}

const (
	totpSecret  = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
	totpSecret2 = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
)

func testMFA(t *testing.T, s handwash.Store) {
	w := newWorld(t, s)
	u := w.newUser(t, w.a, "ada@acme.example", handwash.RoleProviderAdmin, "")
	hash := hashPassword(t, "correct horse battery")
	must(t, s.SetPassword(w.ctx, u.ID, hash, t0))
	_, codes, err := passhash.NewRecoveryCodes(3)
	must(t, err)

	must(t, s.SetMFA(w.ctx, u.ID, totpSecret, codes))
	rec := w.signIn(t, u.ID)
	diff(t, "after setting MFA up", rec, &handwash.SignIn{UserID: u.ID, PasswordHash: hash, PasswordChangedAt: ptr(t0), TOTPSecret: totpSecret, RecoveryCodes: codes})
	if !rec.MFA() {
		t.Error("MFA() = false after setting it up")
	}

	// Steps: accepted once each, only ever forward.
	for _, c := range []struct {
		step int64
		want bool
	}{{1000, true}, {1000, false}, {999, false}, {1001, true}, {1003, true}, {1002, false}} {
		got, err := s.UseTOTPStep(w.ctx, u.ID, c.step)
		must(t, err)
		if got != c.want {
			t.Errorf("UseTOTPStep(%d) = %v, want %v", c.step, got, c.want)
		}
	}
	if got := w.signIn(t, u.ID).TOTPLastStep; got != 1003 {
		t.Errorf("TOTPLastStep = %d, want 1003", got)
	}

	// Replacing the authenticator replaces the codes and keeps the last
	// step, so no code accepted before is accepted again.
	_, codes2, err := passhash.NewRecoveryCodes(passhash.RecoveryCodeCount)
	must(t, err)
	must(t, s.SetMFA(w.ctx, u.ID, totpSecret2, codes2))
	diff(t, "after replacing MFA", w.signIn(t, u.ID), &handwash.SignIn{UserID: u.ID, PasswordHash: hash, PasswordChangedAt: ptr(t0), TOTPSecret: totpSecret2, TOTPLastStep: 1003, RecoveryCodes: codes2})
	if ok, err := s.UseTOTPStep(w.ctx, u.ID, 1003); ok || err != nil {
		t.Errorf("UseTOTPStep of the last step after replacing MFA = %v, %v; want false", ok, err)
	}
	if ok, err := s.UseRecoveryCode(w.ctx, u.ID, codes[0]); ok || err != nil {
		t.Errorf("an old recovery code after replacing MFA = %v, %v; want false", ok, err)
	}

	// Refusals change nothing, and never repeat the secret.
	before := w.signIn(t, u.ID)
	err = s.SetMFA(w.ctx, u.ID, "not base32 at all!", codes)
	wantCode(t, "a secret that is not base32", err, handwash.EINVALID)
	noSecret(t, "a secret that is not base32", err, "not base32 at all!")
	wantCode(t, "a lower-case secret", s.SetMFA(w.ctx, u.ID, strings.ToLower(totpSecret), codes), handwash.EINVALID)
	wantCode(t, "an oversized secret", s.SetMFA(w.ctx, u.ID, strings.Repeat("A", 200), codes), handwash.EINVALID)
	wantCode(t, "recovery codes without a secret", s.SetMFA(w.ctx, u.ID, "", codes), handwash.EINVALID)
	wantCode(t, "a code given twice", s.SetMFA(w.ctx, u.ID, totpSecret, []string{codes[0], codes[1], codes[0]}), handwash.EINVALID)
	wantCode(t, "an empty code", s.SetMFA(w.ctx, u.ID, totpSecret, []string{codes[0], ""}), handwash.EINVALID)
	wantCode(t, "unknown user", s.SetMFA(w.ctx, "usr_nope", totpSecret, codes), handwash.ENOTFOUND)
	wantCode(t, "empty user ID", s.SetMFA(w.ctx, "", totpSecret, codes), handwash.EINVALID)
	diff(t, "after refused changes", w.signIn(t, u.ID), before)

	// Removing it leaves the password.
	must(t, s.SetMFA(w.ctx, u.ID, "", nil))
	rec = w.signIn(t, u.ID)
	diff(t, "after removing MFA", rec, &handwash.SignIn{UserID: u.ID, PasswordHash: hash, PasswordChangedAt: ptr(t0), TOTPLastStep: 1003})
	if rec.MFA() {
		t.Error("MFA() = true after removing it")
	}

	// A user who never set anything up: nothing to accept.
	fresh := w.newUser(t, w.a1, "new@rose.example", handwash.RoleViewer, "")
	if ok, err := s.UseTOTPStep(w.ctx, fresh.ID, 5); ok || err != nil {
		t.Errorf("UseTOTPStep of a user without a record = %v, %v; want false", ok, err)
	}
	_, err = s.UseTOTPStep(w.ctx, "usr_nope", 5)
	wantCode(t, "UseTOTPStep unknown user", err, handwash.ENOTFOUND)
	_, err = s.UseTOTPStep(w.ctx, u.ID, 0)
	wantCode(t, "UseTOTPStep of step 0", err, handwash.EINVALID)
	_, err = s.UseTOTPStep(w.ctx, u.ID, -3)
	wantCode(t, "UseTOTPStep of a negative step", err, handwash.EINVALID)
	_, err = s.UseTOTPStep(w.ctx, "", 5)
	wantCode(t, "UseTOTPStep empty user ID", err, handwash.EINVALID)
}

// race runs fn in n goroutines at once and counts how many return true.
func race(t *testing.T, n int, fn func() (bool, error)) int {
	t.Helper()
	var wg sync.WaitGroup
	var mu sync.Mutex
	won := 0
	start := make(chan struct{})
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			ok, err := fn()
			if err != nil {
				t.Errorf("concurrent call: %v", err)
			}
			if ok {
				mu.Lock()
				won++
				mu.Unlock()
			}
		}()
	}
	close(start)
	wg.Wait()
	return won
}

func testTOTPStepConcurrent(t *testing.T, s handwash.Store) {
	w := newWorld(t, s)
	u := w.newUser(t, w.a, "ada@acme.example", handwash.RoleProviderAdmin, "")
	must(t, s.SetMFA(w.ctx, u.ID, totpSecret, nil))
	for step := int64(100); step < 105; step++ {
		if won := race(t, 8, func() (bool, error) { return s.UseTOTPStep(w.ctx, u.ID, step) }); won != 1 {
			t.Errorf("step %d was accepted %d times at once, want once", step, won)
		}
	}
}

func testRecoveryCodes(t *testing.T, s handwash.Store) {
	w := newWorld(t, s)
	u := w.newUser(t, w.a, "ada@acme.example", handwash.RoleProviderAdmin, "")
	other := w.newUser(t, w.b, "bo@oak.example", handwash.RoleProviderAdmin, "")
	_, codes, err := passhash.NewRecoveryCodes(4)
	must(t, err)
	must(t, s.SetMFA(w.ctx, u.ID, totpSecret, codes))
	must(t, s.SetMFA(w.ctx, other.ID, totpSecret, codes[:1]))

	use := func(what, userID, code string, want bool) {
		t.Helper()
		got, err := s.UseRecoveryCode(w.ctx, userID, code)
		must(t, err)
		if got != want {
			t.Errorf("%s: UseRecoveryCode = %v, want %v", what, got, want)
		}
	}
	use("first use", u.ID, codes[1], true)
	use("second use", u.ID, codes[1], false)
	use("a code never given", u.ID, "$sha256$bm90$YQ", false)
	diff(t, "codes left", w.signIn(t, u.ID).RecoveryCodes, []string{codes[0], codes[2], codes[3]})
	// The same hash of another user is theirs alone.
	use("another user's copy", other.ID, codes[0], true)
	diff(t, "codes left after another user used theirs", w.signIn(t, u.ID).RecoveryCodes, []string{codes[0], codes[2], codes[3]})

	if won := race(t, 8, func() (bool, error) { return s.UseRecoveryCode(w.ctx, u.ID, codes[2]) }); won != 1 {
		t.Errorf("a recovery code was used %d times at once, want once", won)
	}
	diff(t, "codes left after the race", w.signIn(t, u.ID).RecoveryCodes, []string{codes[0], codes[3]})

	_, err = s.UseRecoveryCode(w.ctx, "usr_nope", codes[0])
	wantCode(t, "unknown user", err, handwash.ENOTFOUND)
	_, err = s.UseRecoveryCode(w.ctx, u.ID, "")
	wantCode(t, "empty code", err, handwash.EINVALID)
	_, err = s.UseRecoveryCode(w.ctx, "", codes[0])
	wantCode(t, "empty user ID", err, handwash.EINVALID)
}

// newSession makes a session of a user, created at at and lasting life.
func (w *world) newSession(t *testing.T, userID string, at time.Time, life time.Duration) (*handwash.Session, string) {
	t.Helper()
	secret := handwash.NewSecret()
	ss := &handwash.Session{ID: handwash.NewID("ses"), UserID: userID, SecretHash: handwash.HashSecret(secret),
		CreatedAt: at, LastSeenAt: at, ExpiresAt: at.Add(life), Address: "192.0.2.7", UserAgent: "Mozilla/5.0 (X11; Linux x86_64)"}
	must(t, w.s.CreateSession(w.ctx, ss))
	return ss, secret
}

func (w *world) session(t *testing.T, id string) *handwash.Session {
	t.Helper()
	ss, err := w.s.SessionForAuth(w.ctx, id)
	must(t, err)
	return ss
}

func testSessions(t *testing.T, s handwash.Store) {
	w := newWorld(t, s)
	u := w.newUser(t, w.a, "ada@acme.example", handwash.RoleProviderAdmin, "")
	other := w.newUser(t, w.a1, "mo@rose.example", handwash.RoleViewer, "")

	ss, secret := w.newSession(t, u.ID, t0, 12*time.Hour)
	want := *ss
	got := w.session(t, ss.ID)
	diff(t, "session read back", got, &want)
	if !handwash.SecretMatches(secret, got.SecretHash) {
		t.Error("the stored hash does not match the session's secret")
	}

	// Without times but the end: created and last seen now.
	now := &handwash.Session{ID: handwash.NewID("ses"), UserID: u.ID, SecretHash: handwash.HashSecret("x"), ExpiresAt: t0.Add(time.Hour)}
	must(t, s.CreateSession(w.ctx, now))
	if now.CreatedAt.IsZero() || now.CreatedAt.Location() != time.UTC || !now.LastSeenAt.Equal(now.CreatedAt) {
		t.Errorf("session made without times: created %v, last seen %v; want now, twice", now.CreatedAt, now.LastSeenAt)
	}
	diff(t, "session made without times", w.session(t, now.ID), now)

	// Touch moves the last-seen time forward only, and the second factor
	// once given stays given.
	must(t, s.TouchSession(w.ctx, ss.ID, t0.Add(time.Minute), true))
	want.LastSeenAt, want.MFA = t0.Add(time.Minute), true
	diff(t, "after a touch", w.session(t, ss.ID), &want)
	must(t, s.TouchSession(w.ctx, ss.ID, t0.Add(30*time.Second), false))
	diff(t, "after an earlier touch without MFA", w.session(t, ss.ID), &want)
	wantCode(t, "touch unknown", s.TouchSession(w.ctx, "ses_nope", t0, false), handwash.ENOTFOUND)
	wantCode(t, "touch empty ID", s.TouchSession(w.ctx, "", t0, false), handwash.EINVALID)

	// Refused creations.
	dupSecret := handwash.NewSecret()
	err := s.CreateSession(w.ctx, &handwash.Session{ID: ss.ID, UserID: u.ID, SecretHash: handwash.HashSecret(dupSecret), ExpiresAt: t0.Add(time.Hour)})
	wantCode(t, "duplicate ID", err, handwash.ECONFLICT)
	noSecret(t, "duplicate ID", err, dupSecret)
	diff(t, "session after a duplicate was refused", w.session(t, ss.ID), &want)
	for _, c := range []struct {
		name string
		ss   handwash.Session
		code string
	}{
		{"empty ID", handwash.Session{UserID: u.ID, SecretHash: handwash.HashSecret("x"), ExpiresAt: t0}, handwash.EINVALID},
		{"empty user", handwash.Session{ID: "ses_a", SecretHash: handwash.HashSecret("x"), ExpiresAt: t0}, handwash.EINVALID},
		{"unknown user", handwash.Session{ID: "ses_b", UserID: "usr_nope", SecretHash: handwash.HashSecret("x"), ExpiresAt: t0}, handwash.ENOTFOUND},
		{"bad hash", handwash.Session{ID: "ses_c", UserID: u.ID, SecretHash: []byte("plain secret"), ExpiresAt: t0}, handwash.EINVALID},
		{"no end", handwash.Session{ID: "ses_d", UserID: u.ID, SecretHash: handwash.HashSecret("x")}, handwash.EINVALID},
		{"huge user agent", handwash.Session{ID: "ses_e", UserID: u.ID, SecretHash: handwash.HashSecret("x"), ExpiresAt: t0, UserAgent: strings.Repeat("x", 5000)}, handwash.EINVALID},
	} {
		err := s.CreateSession(w.ctx, &c.ss)
		wantCode(t, c.name, err, c.code)
		noSecret(t, c.name, err, "plain secret")
		if c.ss.ID != "" {
			_, err := s.SessionForAuth(w.ctx, c.ss.ID)
			wantCode(t, c.name+": read back", err, handwash.ENOTFOUND)
		}
	}

	// Deleting one, then all of a user's but one.
	must(t, s.DeleteSession(w.ctx, now.ID))
	_, err = s.SessionForAuth(w.ctx, now.ID)
	wantCode(t, "deleted session", err, handwash.ENOTFOUND)
	wantCode(t, "delete again", s.DeleteSession(w.ctx, now.ID), handwash.ENOTFOUND)
	wantCode(t, "delete empty ID", s.DeleteSession(w.ctx, ""), handwash.EINVALID)

	s2, _ := w.newSession(t, u.ID, t0, time.Hour)
	s3, _ := w.newSession(t, u.ID, t0, time.Hour)
	others, _ := w.newSession(t, other.ID, t0, time.Hour)
	n, err := s.DeleteUserSessions(w.ctx, u.ID, s2.ID)
	must(t, err)
	if n != 2 {
		t.Errorf("DeleteUserSessions keeping one ended %d, want 2", n)
	}
	for _, gone := range []string{ss.ID, s3.ID} {
		_, err := s.SessionForAuth(w.ctx, gone)
		wantCode(t, "ended session", err, handwash.ENOTFOUND)
	}
	diff(t, "the session kept", w.session(t, s2.ID), s2)
	diff(t, "another user's session", w.session(t, others.ID), others)
	n, err = s.DeleteUserSessions(w.ctx, u.ID, "")
	must(t, err)
	if n != 1 {
		t.Errorf("DeleteUserSessions keeping none ended %d, want 1", n)
	}
	_, err = s.SessionForAuth(w.ctx, s2.ID)
	wantCode(t, "session ended with the rest", err, handwash.ENOTFOUND)
	n, err = s.DeleteUserSessions(w.ctx, u.ID, "")
	if n != 0 || err != nil {
		t.Errorf("DeleteUserSessions of a user with none = %d, %v; want 0", n, err)
	}
	_, err = s.DeleteUserSessions(w.ctx, "", "")
	wantCode(t, "DeleteUserSessions empty user ID", err, handwash.EINVALID)
	_, err = s.SessionForAuth(w.ctx, "")
	wantCode(t, "SessionForAuth empty ID", err, handwash.EINVALID)
	diff(t, "another user's session at the end", w.session(t, others.ID), others)
}

func testSessionsExpire(t *testing.T, s handwash.Store) {
	w := newWorld(t, s)
	u := w.newUser(t, w.a, "ada@acme.example", handwash.RoleProviderAdmin, "")
	now, idle := t0.Add(2*time.Hour), 30*time.Minute
	mk := func(created, seen time.Time, life time.Duration) *handwash.Session {
		ss, _ := w.newSession(t, u.ID, created, life)
		must(t, s.TouchSession(w.ctx, ss.ID, seen, false))
		ss.LastSeenAt = seen
		return ss
	}
	ended := mk(t0, now.Add(-time.Minute), time.Hour)                    // past its absolute end, though active
	idleOne := mk(t0, now.Add(-idle-time.Second), 12*time.Hour)          // idle too long
	active := mk(t0, now.Add(-time.Minute), 12*time.Hour)                // kept
	endsNow := mk(now.Add(-time.Hour), now.Add(-time.Minute), time.Hour) // its end is now: not yet past
	idleEdge := mk(t0, now.Add(-idle), 12*time.Hour)                     // idle exactly the limit: kept

	n, err := s.DeleteExpiredSessions(w.ctx, now, now.Add(-idle))
	must(t, err)
	if n != 2 {
		t.Errorf("DeleteExpiredSessions removed %d, want 2", n)
	}
	for _, gone := range []*handwash.Session{ended, idleOne} {
		_, err := s.SessionForAuth(w.ctx, gone.ID)
		wantCode(t, "expired session", err, handwash.ENOTFOUND)
	}
	for _, kept := range []*handwash.Session{active, endsNow, idleEdge} {
		diff(t, "session kept", w.session(t, kept.ID), kept)
	}
	// Without an idle limit, only the absolute end counts.
	n, err = s.DeleteExpiredSessions(w.ctx, now.Add(time.Second), time.Time{})
	must(t, err)
	if n != 1 {
		t.Errorf("DeleteExpiredSessions with no idle limit removed %d, want 1 (the one that ended)", n)
	}
	_, err = s.SessionForAuth(w.ctx, endsNow.ID)
	wantCode(t, "session past its end", err, handwash.ENOTFOUND)
}

// rawDB is a store that lets tests reach its database, which the sqlite
// and postgres stores do (for benchmarks and maintenance).
type rawDB interface{ WriteDB() *sql.DB }

func testAccountsCascade(t *testing.T, s handwash.Store) {
	raw, ok := s.(rawDB)
	if !ok {
		t.Skip("the store does not give its database, so organisations and providers cannot be deleted")
	}
	db := raw.WriteDB()
	w := newWorld(t, s)
	orgUser := w.newUser(t, w.a1, "mo@rose.example", handwash.RoleOrgAdmin, w.orgA1.ID)
	provUser := w.newUser(t, w.a, "ada@acme.example", handwash.RoleProviderAdmin, "")
	bUser := w.newUser(t, w.b, "bo@oak.example", handwash.RoleProviderAdmin, "")
	_, codes, err := passhash.NewRecoveryCodes(2)
	must(t, err)
	hash := hashPassword(t, "correct horse battery")
	sessions := map[string]*handwash.Session{}
	for _, u := range []*handwash.User{orgUser, provUser, bUser} {
		must(t, s.SetPassword(w.ctx, u.ID, hash, t0))
		must(t, s.SetMFA(w.ctx, u.ID, totpSecret, codes))
		sessions[u.ID], _ = w.newSession(t, u.ID, t0, time.Hour)
	}
	orgEntry := &handwash.AuditEntry{ProviderID: w.provA.ID, OrgID: w.orgA1.ID, At: t0, ActorID: orgUser.ID, ActorName: orgUser.Email, Action: "user.create"}
	must(t, s.AddAudit(w.ctx, orgEntry))
	must(t, s.AddAudit(w.ctx, &handwash.AuditEntry{ProviderID: w.provB.ID, At: t0, ActorID: bUser.ID, Action: "signin"}))

	count := func(table, userID string) int {
		t.Helper()
		var n int
		must(t, db.QueryRowContext(w.ctx, `SELECT COUNT(*) FROM `+table+` WHERE user_id = $1`, userID).Scan(&n))
		return n
	}
	gone := func(what string, u *handwash.User) {
		t.Helper()
		_, err := s.UserForAuth(w.ctx, u.ID)
		wantCode(t, what+": UserForAuth", err, handwash.ENOTFOUND)
		_, err = s.SignIn(w.ctx, u.ID)
		wantCode(t, what+": SignIn", err, handwash.ENOTFOUND)
		_, err = s.SessionForAuth(w.ctx, sessions[u.ID].ID)
		wantCode(t, what+": SessionForAuth", err, handwash.ENOTFOUND)
		_, err = s.UserByEmail(w.ctx, u.Email)
		wantCode(t, what+": UserByEmail", err, handwash.ENOTFOUND)
		for _, table := range []string{"user_signin", "recovery_codes", "sessions"} {
			if n := count(table, u.ID); n != 0 {
				t.Errorf("%s: %d rows left in %s", what, n, table)
			}
		}
	}
	kept := func(what string, u *handwash.User) {
		t.Helper()
		diff(t, what+": sign-in record", w.signIn(t, u.ID), &handwash.SignIn{UserID: u.ID, PasswordHash: hash, PasswordChangedAt: ptr(t0), TOTPSecret: totpSecret, RecoveryCodes: codes})
		diff(t, what+": session", w.session(t, sessions[u.ID].ID), sessions[u.ID])
	}

	if _, err := db.ExecContext(w.ctx, `DELETE FROM orgs WHERE id = $1`, w.orgA1.ID); err != nil {
		t.Fatalf("delete organisation: %v", err)
	}
	gone("user of the deleted organisation", orgUser)
	kept("provider-wide user", provUser)
	kept("another provider's user", bUser)
	// What happened in the organisation stays in its provider's log.
	got, total, err := s.Audit(w.ctx, w.a, handwash.AuditFilter{OrgID: w.orgA1.ID})
	must(t, err)
	diff(t, "audit entries of the deleted organisation", got, []*handwash.AuditEntry{orgEntry})
	if total != 1 {
		t.Errorf("total = %d, want 1", total)
	}

	if _, err := db.ExecContext(w.ctx, `DELETE FROM providers WHERE id = $1`, w.provB.ID); err != nil {
		t.Fatalf("delete provider: %v", err)
	}
	gone("user of the deleted provider", bUser)
	kept("the other provider's user", provUser)
	var n int
	must(t, db.QueryRowContext(w.ctx, `SELECT COUNT(*) FROM audit_log WHERE provider_id = $1`, w.provB.ID).Scan(&n))
	if n != 0 {
		t.Errorf("%d audit entries of the deleted provider are left", n)
	}
}

func testAudit(t *testing.T, s handwash.Store) {
	w := newWorld(t, s)
	type spec struct {
		prov, org, actor, action string
		min                      int
	}
	// Minutes after t0; two share a time, to show the tie-break.
	specs := []spec{
		{w.provA.ID, "", "usr_ada", "org.create", 0},
		{w.provA.ID, w.orgA1.ID, "usr_ada", "user.create", 1},
		{w.provA.ID, w.orgA1.ID, "usr_mo", "signin", 2},
		{w.provA.ID, w.orgA2.ID, "usr_ada", "user.create", 3},
		{w.provA.ID, w.orgA1.ID, "tok_script", "exception.grant", 4},
		{w.provA.ID, w.orgA1.ID, "usr_mo", "signin", 4},
		{w.provA.ID, w.orgA2.ID, "usr_eli", "signin.fail", 5},
		{w.provA.ID, "", "usr_ada", "enroll_token.revoke", 6},
		{w.provB.ID, w.orgB1.ID, "usr_bo", "signin", 2},
		{w.provB.ID, "", "usr_ada", "user.create", 3}, // an actor ID as in A, to show it does not cross
	}
	var all []*handwash.AuditEntry
	for i, sp := range specs {
		e := &handwash.AuditEntry{ProviderID: sp.prov, OrgID: sp.org, At: t0.Add(time.Duration(sp.min) * time.Minute),
			ActorID: sp.actor, ActorName: sp.actor + "@example", Action: sp.action, Target: fmt.Sprintf("target-%d", i),
			Detail: "what happened, in words", Address: "198.51.100.4"}
		must(t, s.AddAudit(w.ctx, e))
		if i > 0 && e.ID <= all[i-1].ID {
			t.Errorf("entry %d has ID %d, not above the one before (%d)", i, e.ID, all[i-1].ID)
		}
		all = append(all, e)
	}
	// pick returns entries by index, in the order given.
	pick := func(idx ...int) []*handwash.AuditEntry {
		out := make([]*handwash.AuditEntry, len(idx))
		for i, j := range idx {
			out[i] = all[j]
		}
		return out
	}
	since, before := t0.Add(2*time.Minute), t0.Add(5*time.Minute)
	for _, c := range []struct {
		name   string
		scope  handwash.Scope
		filter handwash.AuditFilter
		want   []*handwash.AuditEntry
	}{
		{"provider A", w.a, handwash.AuditFilter{}, pick(7, 6, 5, 4, 3, 2, 1, 0)},
		{"provider B", w.b, handwash.AuditFilter{}, pick(9, 8)},
		{"organisation A1", w.a1, handwash.AuditFilter{}, pick(5, 4, 2, 1)},
		{"organisation A2", w.a2, handwash.AuditFilter{}, pick(6, 3)},
		{"A filtered to A1", w.a, handwash.AuditFilter{OrgID: w.orgA1.ID}, pick(5, 4, 2, 1)},
		{"A1 filtered to A1", w.a1, handwash.AuditFilter{OrgID: w.orgA1.ID}, pick(5, 4, 2, 1)},
		{"A filtered to B's organisation", w.a, handwash.AuditFilter{OrgID: w.orgB1.ID}, nil},
		{"actor in A", w.a, handwash.AuditFilter{ActorID: "usr_ada"}, pick(7, 3, 1, 0)},
		{"actor in B", w.b, handwash.AuditFilter{ActorID: "usr_ada"}, pick(9)},
		{"actor in A1", w.a1, handwash.AuditFilter{ActorID: "usr_ada"}, pick(1)},
		{"action", w.a, handwash.AuditFilter{Action: "signin"}, pick(5, 2)},
		{"action and org", w.a, handwash.AuditFilter{Action: "user.create", OrgID: w.orgA2.ID}, pick(3)},
		{"since (inclusive)", w.a, handwash.AuditFilter{Since: since}, pick(7, 6, 5, 4, 3, 2)},
		{"before (exclusive)", w.a, handwash.AuditFilter{Before: before}, pick(5, 4, 3, 2, 1, 0)},
		{"since and before", w.a, handwash.AuditFilter{Since: since, Before: before}, pick(5, 4, 3, 2)},
		{"everything", w.a, handwash.AuditFilter{OrgID: w.orgA1.ID, ActorID: "usr_mo", Action: "signin", Since: since, Before: before}, pick(5, 2)},
		{"nothing matches", w.a, handwash.AuditFilter{Action: "no.such"}, nil},
	} {
		got, total, err := s.Audit(w.ctx, c.scope, c.filter)
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		diff(t, c.name, got, c.want, cmpopts.EquateEmpty())
		if total != len(c.want) {
			t.Errorf("%s: total = %d, want %d", c.name, total, len(c.want))
		}
	}

	// Pages add up to the whole list, each with the whole total.
	whole := pick(7, 6, 5, 4, 3, 2, 1, 0)
	var paged []*handwash.AuditEntry
	for off := 0; off < len(whole)+3; off += 3 {
		got, total, err := s.Audit(w.ctx, w.a, handwash.AuditFilter{Limit: 3, Offset: off})
		must(t, err)
		if total != len(whole) {
			t.Errorf("page at %d: total = %d, want %d", off, total, len(whole))
		}
		if len(got) > 3 {
			t.Errorf("page at %d has %d entries, over the limit of 3", off, len(got))
		}
		paged = append(paged, got...)
	}
	diff(t, "pages put together", paged, whole)
	got, _, err := s.Audit(w.ctx, w.a1, handwash.AuditFilter{Offset: 2})
	must(t, err)
	diff(t, "offset without a limit", got, pick(2, 1))

	// Another organisation of the same provider is not found from an
	// organisation's scope, as everywhere else.
	_, _, err = s.Audit(w.ctx, w.a1, handwash.AuditFilter{OrgID: w.orgA2.ID})
	wantCode(t, "A1 asking for A2", err, handwash.ENOTFOUND)

	for _, c := range []struct {
		name   string
		scope  handwash.Scope
		filter handwash.AuditFilter
		names  string
	}{
		{"negative limit", w.a, handwash.AuditFilter{Limit: -1}, "limit"},
		{"negative offset", w.a, handwash.AuditFilter{Offset: -5}, "offset"},
		{"since after before", w.a, handwash.AuditFilter{Since: before, Before: since}, "since"},
		{"since equal to before", w.a, handwash.AuditFilter{Since: since, Before: since}, "since"},
		{"scope without a provider", handwash.Scope{}, handwash.AuditFilter{}, "provider"},
		{"oversized action", w.a, handwash.AuditFilter{Action: strings.Repeat("a", 5000)}, "action"},
	} {
		_, _, err := s.Audit(w.ctx, c.scope, c.filter)
		wantCode(t, c.name, err, handwash.EINVALID)
		if err != nil && !strings.Contains(handwash.ErrorMessage(err), c.names) {
			t.Errorf("%s: %q does not name %s", c.name, handwash.ErrorMessage(err), c.names)
		}
	}

	// Adding: the time defaults to now; refusals add nothing.
	e := &handwash.AuditEntry{ProviderID: w.provB.ID, ActorID: "usr_bo", Action: "signout"}
	must(t, s.AddAudit(w.ctx, e))
	if e.At.IsZero() || e.At.Location() != time.UTC || e.ID <= all[len(all)-1].ID {
		t.Errorf("entry added without a time: %+v", e)
	}
	for _, c := range []struct {
		name string
		e    handwash.AuditEntry
		code string
	}{
		{"no provider", handwash.AuditEntry{Action: "x"}, handwash.EINVALID},
		{"unknown provider", handwash.AuditEntry{ProviderID: "prov_nope", Action: "x"}, handwash.ENOTFOUND},
		{"no action", handwash.AuditEntry{ProviderID: w.provA.ID}, handwash.EINVALID},
		{"oversized detail", handwash.AuditEntry{ProviderID: w.provA.ID, Action: "x", Detail: strings.Repeat("d", 100000)}, handwash.EINVALID},
	} {
		wantCode(t, c.name, s.AddAudit(w.ctx, &c.e), c.code)
	}
	_, total, err := s.Audit(w.ctx, w.a, handwash.AuditFilter{})
	must(t, err)
	if total != len(whole) {
		t.Errorf("after refused entries provider A has %d, want %d", total, len(whole))
	}
}

func testAuditLimit(t *testing.T, s handwash.Store) {
	w := newWorld(t, s)
	const n = 505 // over the limit of 500
	for range n {
		must(t, s.AddAudit(w.ctx, &handwash.AuditEntry{ProviderID: w.provA.ID, At: t0, ActorID: "usr_ada", Action: "signin"}))
	}
	for _, limit := range []int{0, 501, 100000} {
		got, total, err := s.Audit(w.ctx, w.a, handwash.AuditFilter{Limit: limit})
		must(t, err)
		if len(got) != 500 || total != n {
			t.Errorf("limit %d: %d entries of %d, want 500 of %d", limit, len(got), total, n)
		}
	}
	got, _, err := s.Audit(w.ctx, w.a, handwash.AuditFilter{Limit: 500, Offset: 500})
	must(t, err)
	if len(got) != n-500 {
		t.Errorf("the last page has %d entries, want %d", len(got), n-500)
	}
}

func testInvitations(t *testing.T, s handwash.Store) {
	w := newWorld(t, s)
	u := w.newUser(t, w.a1, "new.starter@rose.example", handwash.RoleViewer, w.orgA1.ID)
	inv := &handwash.Invitation{ID: "inv_one", UserID: u.ID, SecretHash: handwash.HashSecret("secret"), CreatedAt: t0, ExpiresAt: t0.Add(72 * time.Hour)}
	must(t, s.CreateInvitation(w.ctx, inv))
	got, err := s.InvitationForAuth(w.ctx, "inv_one")
	must(t, err)
	diff(t, "invitation", got, inv, cmpopts.EquateApproxTime(time.Microsecond))
	wantCode(t, "the same ID again", s.CreateInvitation(w.ctx, inv), handwash.ECONFLICT)

	// Used once, however many try at once.
	if n := race(t, 8, func() (bool, error) { return s.UseInvitation(w.ctx, "inv_one") }); n != 1 {
		t.Errorf("the invitation was used %d times, want once", n)
	}
	_, err = s.InvitationForAuth(w.ctx, "inv_one")
	wantCode(t, "after use", err, handwash.ENOTFOUND)

	for _, c := range []struct {
		name string
		inv  handwash.Invitation
		code string
	}{
		{"no ID", handwash.Invitation{UserID: u.ID, SecretHash: handwash.HashSecret("x"), ExpiresAt: t0}, handwash.EINVALID},
		{"unknown user", handwash.Invitation{ID: "inv_x", UserID: "usr_nope", SecretHash: handwash.HashSecret("x"), ExpiresAt: t0}, handwash.ENOTFOUND},
		{"plain secret", handwash.Invitation{ID: "inv_y", UserID: u.ID, SecretHash: []byte("secret"), ExpiresAt: t0}, handwash.EINVALID},
		{"no end", handwash.Invitation{ID: "inv_z", UserID: u.ID, SecretHash: handwash.HashSecret("x")}, handwash.EINVALID},
	} {
		wantCode(t, c.name, s.CreateInvitation(w.ctx, &c.inv), c.code)
	}

	// An invitation goes with its user's organisation.
	must(t, s.CreateInvitation(w.ctx, &handwash.Invitation{ID: "inv_two", UserID: u.ID, SecretHash: handwash.HashSecret("x"), ExpiresAt: t0.Add(time.Hour)}))
	db, ok := s.(interface{ WriteDB() *sql.DB })
	if !ok {
		t.Skip("the store gives no database handle to delete an organisation with")
	}
	if _, err := db.WriteDB().ExecContext(w.ctx, `DELETE FROM orgs WHERE id = $1`, w.orgA1.ID); err != nil {
		t.Fatal(err)
	}
	_, err = s.InvitationForAuth(w.ctx, "inv_two")
	wantCode(t, "after its organisation was deleted", err, handwash.ENOTFOUND)
}
