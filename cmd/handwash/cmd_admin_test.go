package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/handwash/handwash"
	"github.com/handwash/handwash/internal/passhash"
	"github.com/handwash/handwash/sqlite"
)

// openData opens the SQLite store in an admin data directory, closed when
// the test ends.
func openData(t *testing.T, data string) *sqlite.DB {
	t.Helper()
	db, err := sqlite.Open(filepath.Join(data, databaseFile))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// passwordMatches reports whether the user's stored hash is of password.
func passwordMatches(t *testing.T, db handwash.Store, userID, password string) bool {
	t.Helper()
	rec, err := db.SignIn(context.Background(), userID)
	if err != nil {
		t.Fatal(err)
	}
	if rec.PasswordHash == "" {
		return false
	}
	ok, _, err := passhash.Verify(password, rec.PasswordHash)
	if err != nil {
		t.Fatal(err)
	}
	return ok
}

// adminSetup makes a provider and an organisation, and returns the
// provider.
func adminSetup(t *testing.T, data string) *handwash.Provider {
	t.Helper()
	var p handwash.Provider
	admin(t, data, &p, "provider", "create", "Careful IT")
	admin(t, data, nil, "org", "create", "--provider", p.ID, "Rose House")
	return &p
}

func TestAdminUserSetPassword(t *testing.T) {
	data := t.TempDir()
	adminSetup(t, data)
	var u handwash.User
	admin(t, data, &u, "user", "create", "--provider", "Careful IT", "--org", "Rose House", "--role", "org_admin", "--email", "Jo@Rose.example", "--name", "Jo")
	db := openData(t, data)
	ctx := context.Background()
	if passwordMatches(t, db, u.ID, "") {
		t.Fatal("a user made without --password-stdin has a password")
	}
	for range 2 {
		ss := &handwash.Session{ID: handwash.NewID("ses"), UserID: u.ID, SecretHash: handwash.HashSecret(handwash.NewSecret()), ExpiresAt: time.Now().Add(time.Hour)}
		if err := db.CreateSession(ctx, ss); err != nil {
			t.Fatal(err)
		}
	}

	const password = "kettle lamp orchard"
	code, out, errOut := handwashRun(t, password+"\n", "admin", "--data", data, "user", "set-password", "--email", "JO@rose.example")
	if code != exitOK {
		t.Fatalf("set-password: exit %d: %s", code, errOut)
	}
	for _, w := range []string{"jo@rose.example", u.ID, "ended 2 session(s)"} {
		if !strings.Contains(out, w) {
			t.Errorf("set-password does not say %q:\n%s", w, out)
		}
	}
	if strings.Contains(out+errOut, password) {
		t.Error("set-password printed the password")
	}
	if !passwordMatches(t, db, u.ID, password) {
		t.Error("the stored hash is not of the password given")
	}
	if n, err := db.DeleteUserSessions(ctx, u.ID, ""); err != nil || n != 0 {
		t.Errorf("after set-password %d session(s) were left (%v), want 0", n, err)
	}
	entries, _, err := db.Audit(ctx, handwash.Scope{ProviderID: u.ProviderID, OrgID: u.OrgID}, handwash.AuditFilter{Action: "user.set_password"})
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 {
		t.Fatalf("audit entries of set-password: %d, want 1", len(entries))
	}
	e := entries[0]
	if e.ActorID != "handwash admin" || !strings.HasPrefix(e.ActorName, "handwash admin (operating system user ") || e.Target != u.ID || e.OrgID != u.OrgID {
		t.Errorf("audit entry: %+v", e)
	}
	if strings.Contains(e.Detail, password) {
		t.Error("the audit entry holds the password")
	}

	// A Windows line ending and JSON output; the session count is 0 now.
	const second = "three random words"
	code, out, errOut = handwashRun(t, second+"\r\n", "admin", "--data", data, "--format", "json", "user", "set-password", "--email", "jo@rose.example")
	if code != exitOK {
		t.Fatalf("set-password --format json: exit %d: %s", code, errOut)
	}
	var got struct {
		UserID        string `json:"user_id"`
		Email         string `json:"email"`
		SessionsEnded int    `json:"sessions_ended"`
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil || got.UserID != u.ID || got.Email != "jo@rose.example" || got.SessionsEnded != 0 {
		t.Errorf("JSON output %+v (%v):\n%s", got, err, out)
	}
	if !passwordMatches(t, db, u.ID, second) {
		t.Error("the password given with a Windows line ending was not stored as typed")
	}
}

func TestAdminUserCreateWithPassword(t *testing.T) {
	data := t.TempDir()
	adminSetup(t, data)
	const password = "correct horse battery"
	code, out, errOut := handwashRun(t, password, "admin", "--data", data, "--format", "json", "user", "create",
		"--provider", "Careful IT", "--role", "provider_admin", "--email", "sam@careful.example", "--name", "Sam", "--password-stdin")
	if code != exitOK {
		t.Fatalf("user create --password-stdin: exit %d: %s", code, errOut)
	}
	var u handwash.User
	if err := json.Unmarshal([]byte(out), &u); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	db := openData(t, data)
	if !passwordMatches(t, db, u.ID, password) {
		t.Error("the new user's password is not the one given")
	}
	entries, _, err := db.Audit(context.Background(), handwash.Scope{ProviderID: u.ProviderID}, handwash.AuditFilter{ActorID: "handwash admin"})
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 || entries[0].Action != "user.create" || entries[0].Target != u.ID || !strings.Contains(entries[0].Detail, "with a password") {
		t.Errorf("audit entries: %+v", entries)
	}
}

func TestAdminUserPasswordRefused(t *testing.T) {
	data := t.TempDir()
	p := adminSetup(t, data)
	admin(t, data, nil, "user", "create", "--provider", p.ID, "--role", "viewer", "--email", "jo@rose.example", "--name", "Jo")
	create := func(email string) []string {
		return []string{"user", "create", "--provider", p.ID, "--role", "viewer", "--email", email, "--name", "X", "--password-stdin"}
	}
	setPassword := []string{"user", "set-password", "--email", "jo@rose.example"}
	for _, c := range []struct {
		name  string
		stdin string
		args  []string
		want  []string
	}{
		{"no --email", "kettle lamp orchard\n", []string{"user", "set-password"}, []string{"--email"}},
		{"unknown --email", "kettle lamp orchard\n", []string{"user", "set-password", "--email", "nobody@rose.example"}, []string{"--email", "nobody@rose.example"}},
		{"nothing piped in", "", setPassword, []string{"standard input", "no password", "printf"}},
		{"an empty line", "\n", setPassword, []string{"standard input", "no password"}},
		{"too short", "kettle\n", setPassword, []string{"standard input", "too short"}},
		{"two lines", "kettle lamp orchard\nsecond line\n", setPassword, []string{"standard input", "one line"}},
		{"far too long", strings.Repeat("x", maxPasswordInput+10), setPassword, []string{"standard input", "64 KiB"}},
		{"too long", strings.Repeat("x", passhash.MaxPasswordBytes+1), setPassword, []string{"standard input", "too long"}},
		{"create: too short", "kettle", create("new@rose.example"), []string{"--password-stdin", "too short"}},
		{"create: nothing piped in", "", create("new@rose.example"), []string{"--password-stdin", "no password"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			code, out, errOut := handwashRun(t, c.stdin, append([]string{"admin", "--data", data}, c.args...)...)
			if code != exitUsage {
				t.Errorf("exit %d, want %d:\n%s%s", code, exitUsage, out, errOut)
			}
			for _, w := range c.want {
				if !strings.Contains(errOut, w) {
					t.Errorf("the error does not say %q:\n%s", w, errOut)
				}
			}
			if line, _, _ := strings.Cut(c.stdin, "\n"); len(line) >= 6 && strings.Contains(out+errOut, line) {
				t.Errorf("the password was printed:\n%s%s", out, errOut)
			}
		})
	}
	// Nothing was changed: no password, no new user.
	db := openData(t, data)
	u, err := db.UserByEmail(context.Background(), "jo@rose.example")
	if err != nil {
		t.Fatal(err)
	}
	if passwordMatches(t, db, u.ID, "kettle lamp orchard") {
		t.Error("a refused set-password set the password")
	}
	if _, err := db.UserByEmail(context.Background(), "new@rose.example"); handwash.ErrorCode(err) != handwash.ENOTFOUND {
		t.Errorf("a user created with a refused password exists (%v)", err)
	}
}

// A password is never read from a terminal, where it would show as it is
// typed. The null device stands in for one: it is a character device, as a
// terminal is, and that is what the check looks at.
func TestAdminUserPasswordFromTerminal(t *testing.T) {
	data := t.TempDir()
	p := adminSetup(t, data)
	admin(t, data, nil, "user", "create", "--provider", p.ID, "--role", "viewer", "--email", "jo@rose.example", "--name", "Jo")
	tty, err := os.Open(os.DevNull)
	if err != nil {
		t.Fatal(err)
	}
	defer tty.Close()
	for _, args := range [][]string{
		{"user", "set-password", "--email", "jo@rose.example"},
		{"user", "create", "--provider", p.ID, "--role", "viewer", "--email", "new@rose.example", "--name", "New", "--password-stdin"},
	} {
		var out, errOut bytes.Buffer
		code := run(context.Background(), append([]string{"admin", "--data", data}, args...), tty, &out, &errOut)
		if code != exitUsage {
			t.Errorf("%v from a terminal: exit %d, want %d:\n%s", args, code, exitUsage, errOut.String())
		}
		for _, w := range []string{"terminal", "printf '%s\\n' 'three random words' | handwash admin user"} {
			if !strings.Contains(errOut.String(), w) {
				t.Errorf("%v from a terminal does not say %q:\n%s", args, w, errOut.String())
			}
		}
	}
}

func TestAdminAlertClocks(t *testing.T) {
	data := t.TempDir()
	adminSetup(t, data)
	code, out, errOut := handwashRun(t, "", "admin", "--data", data, "alert-clocks", "--provider", "Careful IT")
	if code != exitOK || !strings.Contains(out, "Careful IT's alert clocks are: acknowledge within 2 days, fix within 14 days.") {
		t.Fatalf("show: exit %d\n%s%s", code, out, errOut)
	}
	code, out, errOut = handwashRun(t, "", "admin", "--data", data, "alert-clocks", "--provider", "Careful IT", "--ack", "24h", "--fix", "168h")
	if code != exitOK || !strings.Contains(out, "are now: acknowledge within 1 day, fix within 7 days.") {
		t.Fatalf("change: exit %d\n%s%s", code, out, errOut)
	}
	for _, bad := range [][]string{{"--ack", "1m"}, {"--fix", "1h"}, {"--ack", "soon"}} {
		code, out, errOut = handwashRun(t, "", append([]string{"admin", "--data", data, "alert-clocks", "--provider", "Careful IT"}, bad...)...)
		if code != exitUsage {
			t.Errorf("%v: exit %d, want %d\n%s%s", bad, code, exitUsage, out, errOut)
		}
	}
	code, out, _ = handwashRun(t, "", "admin", "--data", data, "--format", "json", "alert-clocks", "--provider", "Careful IT")
	if code != exitOK || !strings.Contains(out, `"ack_within":"24h0m0s"`) {
		t.Errorf("after refusals: %s", out)
	}
}
