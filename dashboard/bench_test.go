package dashboard_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"github.com/handwash/handwash"
	"github.com/handwash/handwash/dashboard"
	"github.com/handwash/handwash/internal/passhash"
	"github.com/handwash/handwash/policy"
	"github.com/handwash/handwash/sqlite"
	"github.com/handwash/handwash/storetest"
)

// BenchmarkPages measures the server time of the provider's home page and
// an organisation's page with 10,000 judged devices in the store (the
// design's budget: at most 100 ms at the 95th percentile). The devices are
// in 20 organisations of 500, and one organisation of 10,000 for the
// organisation page at its largest; each device has the findings of a
// recorded Windows or macOS machine.
func BenchmarkPages(b *testing.B) {
	store, err := sqlite.Open(filepath.Join(b.TempDir(), "handwash.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer store.Close()
	cat, err := policy.Default()
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	var assessments []*handwash.Assessment
	for _, file := range []string{"../collect/testdata/windows/neglected.facts.json", "../collect/testdata/windows/well-kept.facts.json", "../collect/testdata/macos/well-kept.facts.json", "../collect/testdata/linux/neglected.facts.json"} {
		raw, err := os.ReadFile(file)
		if err != nil {
			b.Fatal(err)
		}
		var f handwash.Facts
		if err := json.Unmarshal(raw, &f); err != nil {
			b.Fatal(err)
		}
		assessments = append(assessments, cat.Evaluate(&f, policy.Options{}))
	}
	// storetest.BenchDevices makes a provider and one organisation per call.
	big := storetest.BenchDevices(b, store, 10000)
	judgeAll := func(ds []*handwash.Device) {
		for i, d := range ds {
			digest := fmt.Sprintf("sha256:%064x", i%len(assessments))
			sn := &handwash.Snapshot{ID: "s1", CollectedAt: time.Now(), Digest: digest}
			if _, err := store.PutSnapshot(ctx, d, sn, []byte{0x1f, 0x8b}); err != nil {
				b.Fatal(err)
			}
			if err := store.PutAssessment(ctx, d.ID, digest, assessments[i%len(assessments)]); err != nil {
				b.Fatal(err)
			}
		}
	}
	judgeAll(big)
	bigDevice, err := store.DeviceForAuth(ctx, big[0].ID)
	if err != nil {
		b.Fatal(err)
	}
	scope := handwash.Scope{ProviderID: bigDevice.ProviderID}
	for i := range 19 {
		o := &handwash.Org{Name: fmt.Sprintf("Home %02d", i)}
		if err := store.CreateOrg(ctx, scope, o); err != nil {
			b.Fatal(err)
		}
	}
	admin := &handwash.User{Email: "bench@example.org", Name: "Bench", Role: handwash.RoleProviderAdmin}
	if err := store.CreateUser(ctx, scope, admin); err != nil {
		b.Fatal(err)
	}
	hash, _ := passhash.Hash("bench password for pages")
	if err := store.SetPassword(ctx, admin.ID, hash, time.Now()); err != nil {
		b.Fatal(err)
	}
	h, err := dashboard.New(dashboard.Config{InsecureCookies: true}, dashboard.Deps{Store: store, Catalogue: cat})
	if err != nil {
		b.Fatal(err)
	}
	// Signed in without the second factor: the benchmark measures pages,
	// not sign-in, so the user is a provider viewer.
	admin.Role = handwash.RoleViewer
	if err := store.UpdateUser(ctx, scope, admin); err != nil {
		b.Fatal(err)
	}
	cookie := signInCookie(b, h, admin.Email, "bench password for pages")

	for _, page := range []struct{ name, path string }{
		{"home-20-orgs", "/"},
		{"org-10000-devices", "/orgs/" + bigDevice.OrgID},
		{"device", "/devices/" + bigDevice.ID},
	} {
		b.Run(page.name, func(b *testing.B) {
			var times []time.Duration
			for b.Loop() {
				req := httptest.NewRequest(http.MethodGet, page.path, nil)
				req.AddCookie(cookie)
				rec := httptest.NewRecorder()
				start := time.Now()
				h.ServeHTTP(rec, req)
				times = append(times, time.Since(start))
				if rec.Code != http.StatusOK {
					b.Fatalf("%s: %d", page.path, rec.Code)
				}
			}
			sort.Slice(times, func(i, j int) bool { return times[i] < times[j] })
			b.ReportMetric(float64(times[len(times)/2].Microseconds())/1000, "p50-ms")
			b.ReportMetric(float64(times[len(times)*95/100].Microseconds())/1000, "p95-ms")
		})
	}
}

// signInCookie signs in through the handler and returns the session
// cookie.
func signInCookie(b *testing.B, h http.Handler, email, password string) *http.Cookie {
	req := httptest.NewRequest(http.MethodPost, "/signin", nil)
	req.PostForm = map[string][]string{"email": {email}, "password": {password}}
	req.Form = req.PostForm
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	for _, c := range rec.Result().Cookies() {
		if c.Value != "" {
			return c
		}
	}
	b.Fatalf("signing in: %d, no cookie", rec.Code)
	return nil
}
