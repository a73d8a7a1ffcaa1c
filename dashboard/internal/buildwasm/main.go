// Command buildwasm builds the staff password page's WebAssembly (package
// ../strength) into ../../static: strength.wasm.gz, compressed, and
// wasm_exec.js, the Go runtime's loader of the same Go version. Both are
// committed, so that building Handwash needs no extra step; run
// go generate ./dashboard after changing package password or Go, and
// TestStrengthWasmIsCurrent says when that is due.
package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/handwash/handwash/dashboard/internal/wasmbuild"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "buildwasm:", err)
		os.Exit(1)
	}
}

func run() error {
	dir := "static"
	wasm, err := wasmbuild.Build(".")
	if err != nil {
		return err
	}
	gz, err := wasmbuild.Gzip(wasm)
	if err != nil {
		return err
	}
	loader, err := wasmbuild.Loader()
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, wasmbuild.WasmFile), gz, 0o644); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, wasmbuild.LoaderFile), loader, 0o644)
}
