// Command pkg builds Handwash's installable packages from release binaries:
// a .deb and an .rpm for each Linux binary, and an MSI for the Windows one.
//
//	go run ./packaging/cmd/pkg --version 1.2.3 \
//	    --bin-linux-amd64 dist/handwash-linux-amd64 \
//	    --bin-linux-arm64 dist/handwash-linux-arm64 \
//	    --bin-windows-amd64 dist/handwash-windows-amd64.exe \
//	    --out dist
//
// Give at least one binary; packages are made for those given. The MSI
// needs wixl and msibuild (Debian's wixl and msitools packages). Set
// SOURCE_DATE_EPOCH to date everything in the Linux packages, so that the
// same binaries make byte-for-byte the same .deb and .rpm. It prints each
// package's path, size and SHA-256.
package main

import (
	"context"
	"crypto/sha256"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"

	"github.com/handwash/handwash/packaging"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "pkg:", err)
		var u usageError
		if errors.As(err, &u) {
			os.Exit(2)
		}
		os.Exit(1)
	}
}

type usageError struct{ error }

func run(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("pkg", flag.ContinueOnError)
	fs.SetOutput(out)
	version := fs.String("version", "", "the release's version, such as 1.2.3 (required)")
	linuxAMD64 := fs.String("bin-linux-amd64", "", "handwash built for linux/amd64: makes the amd64 .deb and .rpm")
	linuxARM64 := fs.String("bin-linux-arm64", "", "handwash built for linux/arm64: makes the arm64 .deb and .rpm")
	windowsAMD64 := fs.String("bin-windows-amd64", "", "handwash.exe built for windows/amd64: makes the MSI")
	darwinAMD64 := fs.String("bin-darwin-amd64", "", "handwash built for darwin/amd64: makes the Intel Mac tarball")
	darwinARM64 := fs.String("bin-darwin-arm64", "", "handwash built for darwin/arm64: makes the Apple silicon Mac tarball")
	outDir := fs.String("out", "dist", "the folder to write the packages to")
	if err := fs.Parse(args); err != nil {
		return usageError{err}
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Errorf("unexpected arguments: %q", fs.Args())}
	}
	if *version == "" {
		return usageError{errors.New("--version is required")}
	}
	if _, err := packaging.ParseVersion(*version); err != nil {
		return usageError{err}
	}
	if *linuxAMD64 == "" && *linuxARM64 == "" && *windowsAMD64 == "" && *darwinAMD64 == "" && *darwinARM64 == "" {
		return usageError{errors.New("give at least one binary: --bin-linux-amd64, --bin-linux-arm64, --bin-windows-amd64, --bin-darwin-amd64 or --bin-darwin-arm64")}
	}
	if err := os.MkdirAll(*outDir, 0o755); err != nil {
		return err
	}
	var made []string
	for _, l := range []packaging.Linux{
		{Version: *version, Arch: "amd64", Binary: *linuxAMD64},
		{Version: *version, Arch: "arm64", Binary: *linuxARM64},
	} {
		if l.Binary == "" {
			continue
		}
		for _, format := range packaging.Formats {
			path, err := l.Write(format, *outDir)
			if err != nil {
				return fmt.Errorf("linux/%s %s: %w", l.Arch, format, err)
			}
			made = append(made, path)
		}
	}
	if *windowsAMD64 != "" {
		path, err := packaging.MSI{Version: *version, Binary: *windowsAMD64}.Write(ctx, *outDir)
		if err != nil {
			return fmt.Errorf("windows/amd64 MSI: %w", err)
		}
		made = append(made, path)
	}
	for _, m := range []packaging.MacOS{{Version: *version, Arch: "amd64", Binary: *darwinAMD64}, {Version: *version, Arch: "arm64", Binary: *darwinARM64}} {
		if m.Binary == "" {
			continue
		}
		path, err := m.Write(*outDir)
		if err != nil {
			return fmt.Errorf("darwin/%s tarball: %w", m.Arch, err)
		}
		made = append(made, path)
	}
	for _, path := range made {
		sum, size, err := digest(path)
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "%s  %d bytes  sha256:%x\n", path, size, sum)
	}
	return nil
}

func digest(path string) ([]byte, int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, 0, err
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return nil, 0, err
	}
	return h.Sum(nil), n, nil
}
