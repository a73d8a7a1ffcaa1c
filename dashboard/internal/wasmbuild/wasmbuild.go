// Package wasmbuild builds the staff password page's WebAssembly, for
// go generate (../buildwasm) and for the test that the committed copy is
// current.
package wasmbuild

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// The files in the dashboard's static folder.
const (
	WasmFile   = "strength.wasm.gz"
	LoaderFile = "wasm_exec.js"
)

// Build compiles ./internal/strength, relative to the dashboard package's
// folder dir, for js/wasm and returns the module. The build is
// reproducible: the same source and Go version give the same bytes.
func Build(dir string) ([]byte, error) {
	tmp, err := os.MkdirTemp("", "handwash-wasm")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	out := filepath.Join(tmp, "strength.wasm")
	cmd := exec.Command("go", "build", "-trimpath", "-buildvcs=false", "-ldflags=-s -w", "-o", out, "./internal/strength")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOOS=js", "GOARCH=wasm", "CGO_ENABLED=0")
	if msg, err := cmd.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("go build for js/wasm: %v\n%s", err, msg)
	}
	return os.ReadFile(out)
}

// Gzip compresses the module as it is served, with no name or time in the
// header, so the same module gives the same bytes.
func Gzip(wasm []byte) ([]byte, error) {
	var b bytes.Buffer
	zw, err := gzip.NewWriterLevel(&b, gzip.BestCompression)
	if err != nil {
		return nil, err
	}
	if _, err := zw.Write(wasm); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// Loader returns wasm_exec.js from the Go installation that builds.
func Loader() ([]byte, error) {
	root, err := exec.Command("go", "env", "GOROOT").Output()
	if err != nil {
		return nil, fmt.Errorf("go env GOROOT: %v", err)
	}
	return os.ReadFile(filepath.Join(strings.TrimSpace(string(root)), "lib", "wasm", "wasm_exec.js"))
}
