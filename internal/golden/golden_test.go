package golden

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// recorder is a testing.TB that keeps what a check reports.
type recorder struct {
	testing.TB
	errors []string
	fatal  bool
}

func (r *recorder) Helper() {}
func (r *recorder) Errorf(format string, args ...any) {
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
}
func (r *recorder) Fatalf(format string, args ...any) { r.fatal = true; r.Errorf(format, args...) }
func (r *recorder) Fatal(args ...any) {
	r.fatal = true
	r.errors = append(r.errors, fmt.Sprint(args...))
}

// A match passes, a difference is reported with its diff, a missing file
// says how to write it, and -update writes the file (and its folder).
func TestCheck(t *testing.T) {
	t.Chdir(t.TempDir())
	*Update = true
	Check(t, "sub/a.txt", "hello\n")
	*Update = false
	if b, err := os.ReadFile(filepath.Join("testdata", "sub", "a.txt")); err != nil || string(b) != "hello\n" {
		t.Fatalf("written: %q, %v", b, err)
	}
	same := &recorder{TB: t}
	Check(same, "sub/a.txt", []byte("hello\n"))
	if len(same.errors) != 0 {
		t.Errorf("a match failed: %v", same.errors)
	}
	diff := &recorder{TB: t}
	Check(diff, "sub/a.txt", "goodbye\n")
	if len(diff.errors) != 1 || !strings.Contains(diff.errors[0], "-want +got") || !strings.Contains(diff.errors[0], "goodbye") {
		t.Errorf("a difference: %v", diff.errors)
	}
	missing := &recorder{TB: t}
	Check(missing, "none.txt", "x")
	if !missing.fatal || !strings.Contains(missing.errors[0], "-update") {
		t.Errorf("a missing file: %v", missing.errors)
	}
}
