package restic

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/handwash/handwash/backup"
)

const (
	benchFiles    = 200
	benchFileSize = 256 << 10
)

// benchFixture is a repository holding one backup of 200 files of 256 KiB
// of random data (50 MiB), in nested folders.
func benchFixture(b *testing.B) (*fixture, *runner, snapshot) {
	b.Helper()
	files := map[string][]byte{}
	for i := range benchFiles {
		files[fmt.Sprintf("dir%02d/sub/file%03d.bin", i%10, i)] = random(benchFileSize)
	}
	f := newFixture(b, files)
	c, err := f.options().check()
	if err != nil {
		b.Fatal(err)
	}
	tmp := b.TempDir()
	r := newRunner(c, tmp)
	snaps, err := r.snapshots(context.Background(), "")
	if err != nil || snaps.count != 1 {
		b.Fatalf("snapshots: %+v, %v", snaps, err)
	}
	return f, r, snaps.newest
}

// BenchmarkRestoreTest measures the test restore of the whole sample:
// restic ls, restic restore of 200 files, SHA-256 of each restored file
// and of its original, and the comparison. MB/s is of the 50 MiB
// restored.
func BenchmarkRestoreTest(b *testing.B) {
	f, r, snap := benchFixture(b)
	b.SetBytes(benchFiles * benchFileSize)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		dir := filepath.Join(b.TempDir(), fmt.Sprint(i))
		rt, err := r.restoreTest(context.Background(), snap, dir, f.source, benchFiles, 1)
		if err != nil || !rt.OK() || rt.Matched != benchFiles {
			b.Fatalf("%+v, %v", rt, err)
		}
		backup.RemoveTemp(dir)
	}
}

// BenchmarkHashSample measures SHA-256 of the same 200 original files
// alone, the part of the restore test that sha256sum also does.
func BenchmarkHashSample(b *testing.B) {
	f, _, _ := benchFixture(b)
	root, err := os.OpenRoot(f.source)
	if err != nil {
		b.Fatal(err)
	}
	defer root.Close()
	b.SetBytes(benchFiles * benchFileSize)
	b.ReportAllocs()
	for b.Loop() {
		for name := range f.files {
			if _, err := backup.HashIn(root, name); err != nil {
				b.Fatal(err)
			}
		}
	}
}
