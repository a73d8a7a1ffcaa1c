package web

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sort"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/handwash/handwash"
	"github.com/handwash/handwash/sqlite"
	"github.com/handwash/handwash/storetest"
)

// BenchmarkUpload measures snapshot uploads over loopback HTTP into
// SQLite, from many devices at once, with realistic Facts (1,500
// packages, gzip-compressed as the agent sends them):
//
//   - new: Facts that changed since the device's last upload (read,
//     decompressed, validated, digested and stored);
//   - unchanged: the same Facts again, sent in full (read and validated,
//     only "last seen" stored);
//   - shortcut: the same Facts announced by digest with Expect:
//     100-continue, so the body is never sent.
//
// It reports uploads/s and the p50 and p99 latencies.
//
//	go test -run '^$' -bench Upload -benchtime 3000x ./web
func BenchmarkUpload(b *testing.B) {
	f := storetest.RealisticFacts(b, "../collect/testdata/linux/debian12-container.facts.json", 1500, 1)
	f.CollectedAt = time.Now().UTC().Truncate(time.Second)
	variants := storetest.FactsVariants(b, f, 16, 1)
	digest := f.Digest()
	for _, mode := range []string{"new", "unchanged", "shortcut"} {
		b.Run(mode, func(b *testing.B) {
			store, err := sqlite.Open(filepath.Join(b.TempDir(), "handwash.db"))
			if err != nil {
				b.Fatal(err)
			}
			defer store.Close()
			srv := httptest.NewServer(NewServer(Config{}, Deps{Store: store}))
			defer srv.Close()
			creds := benchDevices(b, store, 200)
			client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64, ExpectContinueTimeout: time.Second}}
			send := func(cred, id string, body []byte, headers ...string) int {
				req, _ := http.NewRequest("POST", srv.URL+"/api/v1/snapshots", bytes.NewReader(body))
				req.Header.Set("Authorization", "Bearer "+cred)
				req.Header.Set("Content-Encoding", "gzip")
				req.Header.Set(headerSnapshotID, id)
				for i := 0; i+1 < len(headers); i += 2 {
					req.Header.Set(headers[i], headers[i+1])
				}
				res, err := client.Do(req)
				if err != nil {
					b.Error(err)
					return 0
				}
				io.Copy(io.Discard, res.Body)
				res.Body.Close()
				return res.StatusCode
			}
			if mode != "new" {
				for _, c := range creds {
					if s := send(c, "first", variants[0]); s != http.StatusCreated {
						b.Fatalf("first upload: %d", s)
					}
				}
			}
			var next atomic.Int64
			var mu sync.Mutex
			var latencies []time.Duration
			b.SetParallelism(8)
			b.ResetTimer()
			start := time.Now()
			b.RunParallel(func(pb *testing.PB) {
				var mine []time.Duration
				for pb.Next() {
					i := next.Add(1)
					cred := creds[int(i)%len(creds)]
					id := fmt.Sprintf("snap-%d", i)
					t0 := time.Now()
					var s int
					switch mode {
					case "new":
						s = send(cred, id, variants[int(i/int64(len(creds)))%len(variants)])
					case "unchanged":
						s = send(cred, id, variants[0])
					case "shortcut":
						s = send(cred, id, variants[0], headerFactsDigest, digest, "Expect", "100-continue")
					}
					mine = append(mine, time.Since(t0))
					if s/100 != 2 {
						b.Errorf("upload: %d", s)
						return
					}
				}
				mu.Lock()
				latencies = append(latencies, mine...)
				mu.Unlock()
			})
			elapsed := time.Since(start)
			b.StopTimer()
			sort.Slice(latencies, func(i, j int) bool { return latencies[i] < latencies[j] })
			if n := len(latencies); n > 0 {
				b.ReportMetric(float64(n)/elapsed.Seconds(), "uploads/s")
				b.ReportMetric(float64(latencies[n/2].Microseconds())/1000, "p50-ms")
				b.ReportMetric(float64(latencies[n*99/100].Microseconds())/1000, "p99-ms")
			}
		})
	}
}

// benchDevices enrols n devices and returns their credentials.
func benchDevices(b *testing.B, store handwash.Store, n int) []string {
	b.Helper()
	ctx := context.Background()
	p := &handwash.Provider{Name: "Bench"}
	if err := store.CreateProvider(ctx, p); err != nil {
		b.Fatal(err)
	}
	o := &handwash.Org{Name: "Bench"}
	if err := store.CreateOrg(ctx, handwash.Scope{ProviderID: p.ID}, o); err != nil {
		b.Fatal(err)
	}
	secret := handwash.NewSecret()
	tok := &handwash.EnrollToken{OrgID: o.ID, SecretHash: handwash.HashSecret(secret), MaxUses: n, ExpiresAt: time.Now().Add(time.Hour)}
	if err := store.CreateEnrollToken(ctx, handwash.Scope{ProviderID: p.ID}, tok); err != nil {
		b.Fatal(err)
	}
	creds := make([]string, n)
	for i := range creds {
		ds := handwash.NewSecret()
		d := &handwash.Device{ID: handwash.NewID("dev"), Hostname: "pc", SecretHash: handwash.HashSecret(ds)}
		if err := store.Enroll(ctx, tok.ID, handwash.HashSecret(secret), time.Now(), d); err != nil {
			b.Fatal(err)
		}
		creds[i] = handwash.Credential(handwash.PrefixDevice, d.ID, ds)
	}
	return creds
}
