package password

// Offline lookups at the size of the real list.
//
// The full Pwned Passwords list is about a billion SHA-1 hashes (some 45
// GB). To measure lookups at a realistic size without downloading it,
// TestOfflineScale generates random hashes in the downloader's single-file
// form (sorted, HASH:COUNT, CRLF), indexes the file, and measures lookups
// a second and memory:
//
//	go test ./password -run TestOfflineScale -v -timeout 1h -args -hashes 100000000
//
// 100 million hashes make a file of about 4.5 GB, in the system's
// temporary folder, deleted at the end (or kept with -scale-file PATH,
// which is reused if it exists). BenchmarkOfflineLookup measures the same
// with the testing package, on 1 million hashes unless -hashes is given:
//
//	go test ./password -run XXX -bench OfflineLookup -benchmem
//	go test ./password -run XXX -bench OfflineLookup -benchmem -timeout 1h -args -hashes 100000000

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

var (
	flagHashes    = flag.Int64("hashes", 0, "hashes in the generated file of TestOfflineScale and BenchmarkOfflineLookup (the benchmark's default: 1,000,000)")
	flagScaleFile = flag.String("scale-file", "", "generate the file here and keep it (reused if it exists), instead of a temporary file")
)

var scratchDirs []string

func TestMain(m *testing.M) {
	flag.Parse()
	code := m.Run()
	for _, d := range scratchDirs {
		os.RemoveAll(d)
	}
	os.Exit(code)
}

// genBuckets is how many groups of hashes (by their first 16 bits) the
// generator makes and sorts separately.
const genBuckets = 1 << 16

// generateHashes writes n random hashes, sorted, in the downloader's
// single-file form, and returns every sampleEvery-th hash for lookups that
// find something. Counts follow a long tail, as the real ones do (most
// under 10, a few in the millions), so lines are about as long.
func generateHashes(path string, n, sampleEvery int64, progress func(done int)) (samples [][20]byte, err error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	w := bufio.NewWriterSize(f, 4<<20)
	type chunk struct {
		data    []byte
		samples [][20]byte
	}
	gen := func(b int) chunk {
		lo, hi := int64(b)*n/genBuckets, int64(b+1)*n/genBuckets
		r := rand.New(rand.NewPCG(0x68616e6477617368, uint64(b)))
		vals := make([][20]byte, hi-lo)
		for i := range vals {
			v := &vals[i]
			v[0], v[1] = byte(b>>8), byte(b)
			for j := 2; j < 20; j += 8 {
				x := r.Uint64()
				for k := j; k < min(j+8, 20); k++ {
					v[k] = byte(x)
					x >>= 8
				}
			}
		}
		slices.SortFunc(vals, func(a, b [20]byte) int { return bytes.Compare(a[:], b[:]) })
		var c chunk
		c.data = make([]byte, 0, len(vals)*48)
		var hexbuf [40]byte
		for i, v := range vals {
			if i > 0 && v == vals[i-1] {
				continue
			}
			if (lo+int64(i))%sampleEvery == 0 {
				c.samples = append(c.samples, v)
			}
			hex.Encode(hexbuf[:], v[:])
			c.data = append(c.data, bytes.ToUpper(hexbuf[:])...)
			c.data = append(c.data, ':')
			c.data = strconv.AppendInt(c.data, int64(math.Exp(r.ExpFloat64()*1.5)), 10)
			c.data = append(c.data, '\r', '\n')
		}
		return c
	}
	jobs := make(chan struct {
		b   int
		out chan chunk
	}, 64)
	order := make(chan chan chunk, 64)
	go func() {
		for b := range genBuckets {
			out := make(chan chunk, 1)
			jobs <- struct {
				b   int
				out chan chunk
			}{b, out}
			order <- out
		}
		close(jobs)
		close(order)
	}()
	for range runtime.GOMAXPROCS(0) {
		go func() {
			for j := range jobs {
				j.out <- gen(j.b)
			}
		}()
	}
	done := 0
	for out := range order {
		c := <-out
		if err == nil {
			_, err = w.Write(c.data)
		}
		samples = append(samples, c.samples...)
		done++
		if progress != nil && done%(genBuckets/16) == 0 {
			progress(done * 100 / genBuckets)
		}
	}
	if err != nil {
		return nil, err
	}
	if err := w.Flush(); err != nil {
		return nil, err
	}
	return samples, f.Close()
}

// scaleFile generates (or reuses) the file of n hashes.
func scaleFile(tb testing.TB, n int64) (path string, samples [][20]byte) {
	tb.Helper()
	path = *flagScaleFile
	if path == "" {
		dir, err := os.MkdirTemp("", "handwash-pwned-*")
		if err != nil {
			tb.Fatal(err)
		}
		scratchDirs = append(scratchDirs, dir)
		path = filepath.Join(dir, "pwnedpasswords.txt")
	}
	sampleEvery := max(n/100_000, 1)
	if _, err := os.Stat(path); err == nil {
		// Regenerating is the only way to know the samples; reading them
		// back is quicker: take every sampleEvery-th line.
		f, err := os.Open(path)
		if err != nil {
			tb.Fatal(err)
		}
		defer f.Close()
		sc := bufio.NewScanner(f)
		for i := int64(0); sc.Scan(); i++ {
			if i%sampleEvery == 0 {
				var v [20]byte
				hex.Decode(v[:], sc.Bytes()[:40])
				samples = append(samples, v)
			}
		}
		return path, samples
	}
	start := time.Now()
	samples, err := generateHashes(path, n, sampleEvery, func(pct int) {
		if testing.Verbose() {
			fmt.Fprintf(os.Stderr, "generating %d hashes: %d%%\n", n, pct)
		}
	})
	if err != nil {
		tb.Fatal(err)
	}
	st, _ := os.Stat(path)
	tb.Logf("generated %d hashes, %.2f GB, in %s", n, float64(st.Size())/1e9, time.Since(start).Round(time.Second))
	return path, samples
}

// lookupRate measures lookups a second for d with g goroutines, half of
// them of hashes in the file.
func lookupRate(tb testing.TB, o *Offline, samples [][20]byte, g int, d time.Duration) float64 {
	var total, found atomic.Int64
	var wg sync.WaitGroup
	deadline := time.Now().Add(d)
	for w := range g {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := rand.New(rand.NewPCG(uint64(w), 1))
			var hexbuf [40]byte
			var n, f int64
			for ; n%256 != 0 || time.Now().Before(deadline); n++ {
				var v [20]byte
				if n%2 == 0 {
					v = samples[r.IntN(len(samples))]
				} else {
					for i := range v {
						v[i] = byte(r.Uint32())
					}
				}
				hex.Encode(hexbuf[:], v[:])
				_, ok, err := o.Lookup(string(hexbuf[:]))
				if err != nil {
					tb.Error(err)
					return
				}
				if ok {
					f++
				}
			}
			total.Add(n)
			found.Add(f)
		}()
	}
	wg.Wait()
	if f, n := found.Load(), total.Load(); f < n/2 {
		tb.Errorf("%d of %d lookups found, want at least half", f, n)
	}
	return float64(total.Load()) / d.Seconds()
}

// procStatus reads the memory figures of this process from Linux's
// /proc/self/status, such as VmRSS and VmHWM (peak), in kB; none elsewhere.
func procStatus() map[string]int64 {
	out := map[string]int64{}
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return out
	}
	for _, line := range strings.Split(string(b), "\n") {
		k, v, ok := strings.Cut(line, ":")
		if f := strings.Fields(v); ok && len(f) == 2 && f[1] == "kB" {
			out[k], _ = strconv.ParseInt(f[0], 10, 64)
		}
	}
	return out
}

// loadAverage is Linux's one-minute load average (0 elsewhere).
func loadAverage() float64 {
	b, _ := os.ReadFile("/proc/loadavg")
	f := strings.Fields(string(b))
	if len(f) == 0 {
		return 0
	}
	v, _ := strconv.ParseFloat(f[0], 64)
	return v
}

func heapInUse() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapInuse
}

func TestOfflineScale(t *testing.T) {
	n := *flagHashes
	if n == 0 {
		t.Skip("generates a large file: run with -args -hashes 100000000 (see scale_test.go)")
	}
	t.Logf("load average %.1f on %d CPUs", loadAverage(), runtime.NumCPU())
	path, samples := scaleFile(t, n)
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("file: %d hashes, %.2f GB (%.1f bytes a line); %d hashes kept to look up", n, float64(st.Size())/1e9, float64(st.Size())/float64(n), len(samples))

	heap0 := heapInUse()
	start := time.Now()
	o, err := OpenOfflineWith(path, OfflineOptions{Rebuild: true})
	if err != nil {
		t.Fatal(err)
	}
	build := time.Since(start)
	ist, _ := os.Stat(o.IndexPath())
	t.Logf("index built in %s (%.0f MB/s): %d bits, blocks of about %d hashes (%d bytes), largest %d bytes; index file %.1f MB, %.1f MB of it in memory",
		build.Round(time.Millisecond), float64(st.Size())/1e6/build.Seconds(), o.IndexBits(), n>>o.IndexBits(),
		st.Size()>>o.IndexBits(), o.idx.maxBlock, float64(ist.Size())/(1<<20), float64(o.IndexBytes())/(1<<20))
	if err := o.IndexSaveError(); err != nil {
		t.Fatal(err)
	}
	o.Close()

	start = time.Now()
	o, err = OpenOffline(path)
	if err != nil || o.IndexBuilt() {
		t.Fatalf("reopen: %v, rebuilt %v", err, o.IndexBuilt())
	}
	defer o.Close()
	t.Logf("opened with the saved index in %s; Go heap grew by %.1f MB", time.Since(start).Round(time.Microsecond), float64(int64(heapInUse())-int64(heap0))/(1<<20))

	procs := runtime.GOMAXPROCS(0)
	one := lookupRate(t, o, samples, 1, 3*time.Second)
	all := lookupRate(t, o, samples, procs, 3*time.Second)
	allocs := testing.AllocsPerRun(1000, func() { o.Lookup("5BAA61E4C9B93F3F0682250B6CF8331B7EE68FD8") })
	ps := procStatus()
	t.Logf("lookups, file in the page cache, half found: %.0f a second on 1 goroutine, %.0f on %d; %.1f allocations each; Go heap in use %.1f MB; process RSS %d MB, peak %d MB",
		one, all, procs, allocs, float64(heapInUse())/(1<<20), ps["VmRSS"]>>10, ps["VmHWM"]>>10)
	switch load := loadAverage(); {
	case one >= 100_000:
	case load > float64(runtime.NumCPU()):
		t.Logf("%.0f lookups a second on one goroutine is under 100,000, but the load average is %.1f on %d CPUs: not judged", one, load, runtime.NumCPU())
	default:
		t.Errorf("%.0f lookups a second on one goroutine, want at least 100,000", one)
	}

	// Other index sizes: all 2^20 blocks in memory; and 2^17, whose blocks
	// of about 760 hashes are what a billion hashes would have if the
	// index were held to 2^20 blocks in memory.
	for _, bits := range []int{20, 17} {
		if bits >= o.IndexBits() && bits != 20 {
			continue
		}
		other, err := OpenOfflineWith(path, OfflineOptions{IndexBits: bits, NoSave: true})
		if err != nil {
			t.Fatal(err)
		}
		one := lookupRate(t, other, samples, 1, 3*time.Second)
		all := lookupRate(t, other, samples, procs, 3*time.Second)
		t.Logf("index of %d bits in memory (%.1f MB), blocks of about %d hashes (%d bytes): %.0f lookups a second on 1 goroutine, %.0f on %d",
			bits, float64(other.IndexBytes())/(1<<20), n>>bits, st.Size()>>bits, one, all, procs)
		other.Close()
	}

	// Not in the page cache: each lookup reads from the disk, as with a
	// list bigger than the memory that can cache it.
	for _, g := range []int{1, 16} {
		if err := dropFromCache(path); err != nil {
			t.Logf("cannot measure lookups from the disk here: %v", err)
			break
		}
		dropFromCache(o.IndexPath())
		rate := lookupRate(t, o, samples, g, 3*time.Second)
		t.Logf("lookups from the disk (file dropped from the page cache first): %.0f a second on %d goroutines", rate, g)
	}
}

var benchOnce struct {
	sync.Once
	path    string
	samples [][20]byte
}

func BenchmarkOfflineLookup(b *testing.B) {
	n := *flagHashes
	if n == 0 {
		n = 1_000_000
	}
	benchOnce.Do(func() { benchOnce.path, benchOnce.samples = scaleFile(b, n) })
	if benchOnce.path == "" {
		b.Fatal("no file")
	}
	o, err := OpenOfflineWith(benchOnce.path, OfflineOptions{})
	if err != nil {
		b.Fatal(err)
	}
	defer o.Close()
	hexes := make([]string, len(benchOnce.samples))
	for i, v := range benchOnce.samples {
		hexes[i] = strings.ToUpper(hex.EncodeToString(v[:]))
	}
	b.Run("found", func(b *testing.B) {
		b.ReportMetric(float64(o.IndexBytes()), "index-bytes")
		i := 0
		for b.Loop() {
			if _, ok, err := o.Lookup(hexes[i%len(hexes)]); !ok || err != nil {
				b.Fatal(ok, err)
			}
			i++
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "lookups/s")
	})
	b.Run("missing", func(b *testing.B) {
		i := 0
		for b.Loop() {
			h := hexes[i%len(hexes)]
			h = h[:39] + string("0123456789ABCDEF"[(hexVal(h[39])+1)%16])
			if _, ok, err := o.Lookup(h); ok || err != nil {
				b.Fatal(ok, err)
			}
			i++
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "lookups/s")
	})
	b.Run("parallel", func(b *testing.B) {
		var next atomic.Int64
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if _, _, err := o.Lookup(hexes[int(next.Add(1))%len(hexes)]); err != nil {
					b.Error(err)
				}
			}
		})
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "lookups/s")
	})
}
