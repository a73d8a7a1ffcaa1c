package agent

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/handwash/handwash"
	"github.com/handwash/handwash/agent/release"
	"github.com/handwash/handwash/sqlite"
	"github.com/handwash/handwash/web"
)

// The real server, given a releases folder as the release build writes it,
// offers the newest release to an agent, which installs it; a release
// re-signed with another key in that folder is refused.
func TestSelfUpdateFromTheRealServer(t *testing.T) {
	oldBin := fakeAgent(t, "1.9.2", "pass")
	newBin := fakeAgent(t, "1.10.0", "pass")
	pub, priv, _ := ed25519.GenerateKey(rand.Reader)
	releases := testDir(t)
	publish := func(version string, bin []byte, key ed25519.PrivateKey) {
		t.Helper()
		name := filepath.Join(releases, release.FileName(version, runtime.GOOS, runtime.GOARCH))
		sum := sha256.Sum256(bin)
		sig := base64.StdEncoding.EncodeToString(ed25519.Sign(key, sum[:])) + "\n"
		if err := os.WriteFile(name, bin, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(name+".sig", []byte(sig), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	publish("1.9.2", oldBin, priv)
	publish("1.10.0", newBin, priv)

	store, err := sqlite.Open(filepath.Join(testDir(t), "handwash.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	ctx := context.Background()
	p := &handwash.Provider{Name: "Careful IT"}
	if err := store.CreateProvider(ctx, p); err != nil {
		t.Fatal(err)
	}
	org := &handwash.Org{Name: "Rose House"}
	if err := store.CreateOrg(ctx, handwash.Scope{ProviderID: p.ID}, org); err != nil {
		t.Fatal(err)
	}
	secret := handwash.NewSecret()
	et := &handwash.EnrollToken{OrgID: org.ID, SecretHash: handwash.HashSecret(secret), MaxUses: 1, ExpiresAt: time.Now().Add(time.Hour)}
	if err := store.CreateEnrollToken(ctx, handwash.Scope{ProviderID: p.ID}, et); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(web.NewServer(web.Config{ReleasesDir: releases}, web.Deps{Store: store}))
	defer srv.Close()

	config := filepath.Join(testDir(t), "handwash", "agent.json")
	cfg, err := Enroll(ctx, EnrollOptions{Server: srv.URL, Token: handwash.Credential(handwash.PrefixEnrollToken, et.ID, secret), ConfigPath: config,
		Device: handwash.DeviceInfo{Hostname: "RECEPTION-PC", Platform: handwash.Platform(runtime.GOOS)}})
	if err != nil {
		t.Fatal(err)
	}
	client, err := NewClient(cfg.Server, "", cfg.Credential, "1.9.2")
	if err != nil {
		t.Fatal(err)
	}
	defer client.CloseIdleConnections()
	exe := filepath.Join(testDir(t), "handwash")
	if runtime.GOOS == "windows" {
		exe += ".exe"
	}
	if err := os.WriteFile(exe, oldBin, 0o755); err != nil {
		t.Fatal(err)
	}
	log, lb := testLogger(t)
	now := time.Now()
	u := &updater{key: pub, exe: exe, configPath: config, version: "1.9.2", goos: runtime.GOOS, goarch: runtime.GOARCH,
		log: log, state: openState(PathsFor(config).State), now: func() time.Time { return now }, canRestart: func() error { return nil }}

	// 1.11.0 signed with another key: refused, the program untouched.
	_, otherKey, _ := ed25519.GenerateKey(rand.Reader)
	publish("1.11.0", newBin, otherKey)
	if rs := u.check(ctx, client); rs != nil {
		t.Fatalf("installed a release signed with another key: %+v", rs)
	}
	if b, _ := os.ReadFile(exe); sha(b) != sha(oldBin) {
		t.Fatal("the program changed")
	}
	if st := u.state.get().Update; st.RefusedVersion != "1.11.0" || st.RefusedReason == "" {
		t.Errorf("state %+v", st.RefusedReason)
	}

	// Without it, 1.10.0 (newer than 1.9.2) is installed.
	for _, n := range []string{"", ".sig"} {
		os.Remove(filepath.Join(releases, release.FileName("1.11.0", runtime.GOOS, runtime.GOARCH)+n))
	}
	rs := u.check(ctx, client)
	if rs == nil || rs.To != "1.10.0" {
		t.Fatalf("restart %+v; log:\n%s", rs, lb)
	}
	if b, _ := os.ReadFile(exe); sha(b) != sha(newBin) {
		t.Error("the new version is not in place")
	}
	// And then there is nothing newer to offer.
	o, err := client.LatestRelease(ctx, runtime.GOOS, runtime.GOARCH, "1.10.0")
	if err != nil || o != nil {
		t.Errorf("offered %+v, %v", o, err)
	}
}
