package dashboard_test

import (
	"bytes"
	"compress/gzip"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"testing"

	"github.com/handwash/handwash/dashboard/internal/wasmbuild"
)

// The committed WebAssembly is built from the current password package,
// and its loader is the one of the Go that built it: otherwise the staff
// password page would judge passwords differently from handwash password
// check, or not start. Run go generate ./dashboard after a change.
func TestStrengthWasmIsCurrent(t *testing.T) {
	gz, err := os.ReadFile(filepath.Join("static", wasmbuild.WasmFile))
	if err != nil {
		t.Fatal(err)
	}
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		t.Fatal(err)
	}
	committed, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	// The Go runtime's version is in the module as text.
	built := regexp.MustCompile(`go1\.\d+(\.\d+)?`).Find(committed)
	if string(built) != runtime.Version() {
		t.Skipf("the committed WebAssembly was built with %s and this is %s, whose build differs: run go generate ./dashboard with %s to compare", built, runtime.Version(), built)
	}
	fresh, err := wasmbuild.Build(".")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(fresh, committed) {
		t.Errorf("static/%s is not built from the current source (%d bytes, a fresh build has %d): run go generate ./dashboard and commit the result", wasmbuild.WasmFile, len(committed), len(fresh))
	}
	loader, err := wasmbuild.Loader()
	if err != nil {
		t.Fatal(err)
	}
	if mine, _ := os.ReadFile(filepath.Join("static", wasmbuild.LoaderFile)); !bytes.Equal(mine, loader) {
		t.Errorf("static/%s is not this Go's wasm_exec.js: run go generate ./dashboard", wasmbuild.LoaderFile)
	}
}
