// Package csvtabletest helps the fuzz tests of the CSV imports: seeds from
// the package's example files, and the one kind of error an import may
// refuse a file with.
package csvtabletest

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/handwash/handwash"
)

// AddFiles adds every testdata/*.csv of the package to the fuzz corpus.
func AddFiles(f *testing.F) {
	f.Helper()
	files, _ := filepath.Glob(filepath.Join("testdata", "*.csv"))
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
}

// CheckRefusal fails the test unless err is how an import refuses a file:
// an invalid or too-large *handwash.Error with a message.
func CheckRefusal(t testing.TB, err error) {
	t.Helper()
	var he *handwash.Error
	if !errors.As(err, &he) || (he.Code != handwash.EINVALID && he.Code != handwash.ETOOLARGE) || he.Message == "" {
		t.Fatalf("error %T %q is not an invalid or too-large *handwash.Error", err, err)
	}
}
