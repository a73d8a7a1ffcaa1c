package storetest

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/handwash/handwash"
)

// RealisticFacts reads the Facts at path and fills their software list up
// to packages items with made-up but varied packages (names, versions,
// publishers), so that they compress as a real inventory does. The same
// seed gives the same Facts.
func RealisticFacts(tb testing.TB, path string, packages int, seed uint64) *handwash.Facts {
	tb.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	var f handwash.Facts
	if err := json.Unmarshal(b, &f); err != nil {
		tb.Fatalf("%s: %v", path, err)
	}
	if f.Software == nil {
		f.Software = &handwash.SoftwareFacts{}
	}
	rng := rand.New(rand.NewPCG(seed, 1))
	syllables := strings.Fields("lib gtk qt py perl node ruby x11 gnome kde sys util core net crypt ssl xml json yaml font icon theme " +
		"audio video codec image print scan mail web http dns dhcp smb nfs fuse zip bz lz xz zstd sql lite pg redis mongo dev doc " +
		"data base common extra tools bin run time wayland vulkan mesa llvm clang gcc glib cairo pango harf buzz free type poppler")
	publishers := []string{"", "Microsoft Corporation", "Google LLC", "Adobe Inc.", "Mozilla", "Oracle Corporation", "The Document Foundation", "Zoom Video Communications, Inc."}
	arches := []string{"amd64", "all", "amd64", "i386"}
	for len(f.Software.Items) < packages {
		var name strings.Builder
		for n := 2 + rng.IntN(3); n > 0; n-- {
			name.WriteString(syllables[rng.IntN(len(syllables))])
			if n > 1 && rng.IntN(3) == 0 {
				name.WriteByte('-')
			}
		}
		// Real inventories (Windows especially) carry product names,
		// editions and build numbers that compress less than Debian's.
		fmt.Fprintf(&name, "%d", rng.IntN(30))
		if rng.IntN(8) != 0 {
			fmt.Fprintf(&name, " %s %s (x%d) - %d.%d.%d", strings.ToUpper(syllables[rng.IntN(len(syllables))]),
				syllables[rng.IntN(len(syllables))], 32<<rng.IntN(2), rng.IntN(20), rng.IntN(100), rng.IntN(40000))
		}
		f.Software.Items = append(f.Software.Items, handwash.SoftwareItem{
			Name:      name.String(),
			Version:   randomVersion(rng),
			Publisher: publishers[rng.IntN(len(publishers))],
			Source:    "dpkg",
			Arch:      arches[rng.IntN(len(arches))],
		})
	}
	f.Software.Items = f.Software.Items[:packages]
	return &f
}

func randomVersion(rng *rand.Rand) string {
	v := fmt.Sprintf("%d.%d.%d-%d", rng.IntN(12), rng.IntN(40), rng.IntN(200), 1+rng.IntN(9))
	switch rng.IntN(3) {
	case 0:
		v += fmt.Sprintf("+deb12u%d", 1+rng.IntN(9))
	case 1:
		v += fmt.Sprintf("+git%d%02d%02d.%07x", 2018+rng.IntN(8), 1+rng.IntN(12), 1+rng.IntN(28), rng.Uint32()>>4)
	}
	return v
}

// Upgrade changes the versions of n of the Facts' packages, as a day's
// updates do.
func Upgrade(f *handwash.Facts, n int, rng *rand.Rand) {
	items := f.Software.Items
	for range n {
		items[rng.IntN(len(items))].Version = randomVersion(rng)
	}
}

// Gzip encodes Facts as the agent sends them: compact JSON, gzip at best
// compression.
func Gzip(tb testing.TB, f *handwash.Facts) []byte {
	tb.Helper()
	var b bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&b, gzip.BestCompression)
	if err := json.NewEncoder(zw).Encode(f); err != nil {
		tb.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		tb.Fatal(err)
	}
	return b.Bytes()
}

// BenchDevices enrols n devices in a fresh organisation of s and returns
// them.
func BenchDevices(tb testing.TB, s handwash.Store, n int) []*handwash.Device {
	tb.Helper()
	ctx := context.Background()
	p := &handwash.Provider{Name: "Bench " + handwash.NewID("p")}
	if err := s.CreateProvider(ctx, p); err != nil {
		tb.Fatal(err)
	}
	scope := handwash.Scope{ProviderID: p.ID}
	o := &handwash.Org{Name: "Bench"}
	if err := s.CreateOrg(ctx, scope, o); err != nil {
		tb.Fatal(err)
	}
	secret := handwash.NewSecret()
	tok := &handwash.EnrollToken{OrgID: o.ID, SecretHash: handwash.HashSecret(secret), MaxUses: n, ExpiresAt: time.Now().Add(time.Hour)}
	if err := s.CreateEnrollToken(ctx, scope, tok); err != nil {
		tb.Fatal(err)
	}
	ds := make([]*handwash.Device, n)
	for i := range ds {
		d := &handwash.Device{ID: handwash.NewID("dev"), Hostname: fmt.Sprintf("pc-%04d", i), Platform: handwash.PlatformLinux, SecretHash: handwash.HashSecret(handwash.NewSecret())}
		if err := s.Enroll(ctx, tok.ID, handwash.HashSecret(secret), time.Now(), d); err != nil {
			tb.Fatal(err)
		}
		ds[i] = d
	}
	return ds
}

// BenchmarkPutSnapshot measures uploads into s from many devices at once:
// "new" stores a new digest with Facts each time (taking the variants in
// turn), "unchanged" an unchanged digest without Facts, as the server does
// when the digest matches the device's newest. Eight goroutines per CPU
// upload at once, as many agents do to a server. It reports uploads/s.
func BenchmarkPutSnapshot(b *testing.B, open func(tb testing.TB) handwash.Store, variants [][]byte) {
	facts := variants[0]
	const devices = 1000
	b.Run("new", func(b *testing.B) {
		s := open(b)
		defer s.Close()
		ds := BenchDevices(b, s, devices)
		var next atomic.Int64
		b.SetParallelism(8)
		b.ResetTimer()
		start := time.Now()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				i := next.Add(1)
				d := *ds[int(i)%devices]
				facts := variants[int(i)%len(variants)]
				sn := &handwash.Snapshot{ID: fmt.Sprintf("snap-%d", i), CollectedAt: time.Now(), Digest: fmt.Sprintf("sha256:%064x", i), Size: len(facts)}
				if _, err := s.PutSnapshot(context.Background(), &d, sn, facts); err != nil {
					b.Error(err)
					return
				}
			}
		})
		b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "uploads/s")
	})
	b.Run("unchanged", func(b *testing.B) {
		s := open(b)
		defer s.Close()
		ds := BenchDevices(b, s, devices)
		digest := "sha256:" + strings.Repeat("ab", 32)
		for _, d := range ds {
			sn := &handwash.Snapshot{ID: "first", CollectedAt: time.Now(), Digest: digest}
			if _, err := s.PutSnapshot(context.Background(), d, sn, facts); err != nil {
				b.Fatal(err)
			}
		}
		var next atomic.Int64
		b.SetParallelism(8)
		b.ResetTimer()
		start := time.Now()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				i := next.Add(1)
				d := *ds[int(i)%devices]
				sn := &handwash.Snapshot{ID: fmt.Sprintf("snap-%d", i), CollectedAt: time.Now(), Digest: digest}
				if _, err := s.PutSnapshot(context.Background(), &d, sn, nil); err != nil {
					b.Error(err)
					return
				}
			}
		})
		b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "uploads/s")
	})
}

// FactsVariants returns n gzip-compressed versions of f, each a few
// package upgrades after the one before, as one device's Facts change from
// day to day.
func FactsVariants(tb testing.TB, f *handwash.Facts, n int, seed uint64) [][]byte {
	tb.Helper()
	rng := rand.New(rand.NewPCG(seed, 2))
	c := *f
	sw := *f.Software
	sw.Items = append([]handwash.SoftwareItem(nil), f.Software.Items...)
	c.Software = &sw
	out := make([][]byte, n)
	for i := range out {
		out[i] = Gzip(tb, &c)
		Upgrade(&c, 1+rng.IntN(5), rng)
	}
	return out
}
