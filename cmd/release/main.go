// Command release builds a release of Handwash: the handwash binary for
// Linux, Windows and macOS on amd64 and arm64, built reproducibly, with a
// SHA256SUMS file, a CycloneDX SBOM for each binary, Ed25519 signatures the
// agent can check, and for Windows a version resource, an icon and, when a
// certificate is given, an Authenticode signature.
//
// Usage:
//
//	go run ./cmd/release --version 1.2.3 --out dist [--signing-key FILE]
//	    [--windows-cert FILE --windows-key FILE] [--targets linux/amd64,windows/amd64]
//	go run ./cmd/release --gen-key FILE
//	go run ./cmd/release --icon-png FILE
//
// The same commit, version, Go version and SOURCE_DATE_EPOCH (or commit date)
// give byte-identical binaries on any machine.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(0)
		}
		fmt.Fprintln(os.Stderr, "release:", err)
		var u usageError
		if errors.As(err, &u) {
			os.Exit(2)
		}
		os.Exit(1)
	}
}

// usageError is a mistake in the command line (exit code 2).
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

func usagef(format string, args ...any) error { return usageError{fmt.Errorf(format, args...)} }

const usage = `Usage:
  go run ./cmd/release --version 1.2.3 [--out dist] [--signing-key FILE]
      [--windows-cert FILE --windows-key FILE] [--targets os/arch,...]
  go run ./cmd/release --gen-key FILE
  go run ./cmd/release --icon-png FILE

Builds handwash for every target with CGO_ENABLED=0 and -trimpath, stamped
with the version, the Git commit and its date (or SOURCE_DATE_EPOCH), then
writes SHA256SUMS, a CycloneDX SBOM per binary and, with a signing key, an
Ed25519 signature per binary (FILE.sig).

Environment:
  SOURCE_DATE_EPOCH               the build date, in seconds since 1970 (default: the commit's date)
  HANDWASH_SIGNING_KEY            the signing key itself, when --signing-key is not given
  HANDWASH_WINDOWS_KEY_PASSWORD   the password of --windows-key, if it has one

Flags:
`

// run is the whole command; tests call it.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("release", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, usage)
		fs.PrintDefaults()
	}
	var o options
	var targets string
	fs.StringVar(&o.Version, "version", "", "the release `version`, such as 1.2.3 (required to build)")
	fs.StringVar(&o.Out, "out", "dist", "the `folder` to write the release to")
	fs.StringVar(&targets, "targets", allTargetsFlag(), "the `targets` to build, as os/arch separated by commas")
	fs.StringVar(&o.SigningKeyFile, "signing-key", "", "the `file` with the Ed25519 release signing key")
	fs.StringVar(&o.WindowsCert, "windows-cert", "", "the Authenticode code-signing certificate `file` (PEM or DER), for osslsigncode")
	fs.StringVar(&o.WindowsKey, "windows-key", "", "the private key `file` of --windows-cert")
	fs.StringVar(&o.TimestampURL, "windows-timestamp-url", "", "an RFC 3161 time-stamping `URL` for the Authenticode signature (makes the Windows binaries differ between builds)")
	fs.BoolVar(&o.AllowDirty, "allow-dirty", false, "build even though the working tree has uncommitted changes (the binaries say so)")
	genKey := fs.String("gen-key", "", "write a new Ed25519 signing key to `file`, print its public key and stop")
	iconPNG := fs.String("icon-png", "", "write the Windows icon at 256 pixels as a PNG `file` and stop")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return usageError{err}
	}
	if fs.NArg() > 0 {
		return usagef("unexpected argument %q: every setting is a flag (see --help)", fs.Arg(0))
	}
	switch {
	case *genKey != "":
		return generateKey(*genKey, stdout)
	case *iconPNG != "":
		return writeIconPNG(*iconPNG, 256)
	}
	if o.Version == "" {
		return usagef("--version is required, such as --version 1.2.3")
	}
	var err error
	if o.Release, err = parseVersion(o.Version); err != nil {
		return usageError{err}
	}
	if o.Targets, err = parseTargets(targets); err != nil {
		return usageError{err}
	}
	if (o.WindowsCert == "") != (o.WindowsKey == "") {
		return usagef("--windows-cert and --windows-key go together: give both to sign the Windows binaries, or neither")
	}
	if o.TimestampURL != "" && o.WindowsCert == "" {
		return usagef("--windows-timestamp-url needs --windows-cert and --windows-key")
	}
	o.WindowsKeyPassword = getenv("HANDWASH_WINDOWS_KEY_PASSWORD")
	o.SourceDateEpoch = getenv("SOURCE_DATE_EPOCH")
	switch {
	case o.SigningKeyFile != "":
		if o.SigningKey, err = readSigningKey(o.SigningKeyFile); err != nil {
			return err
		}
	case getenv("HANDWASH_SIGNING_KEY") != "":
		if o.SigningKey, err = parseSigningKey(getenv("HANDWASH_SIGNING_KEY")); err != nil {
			return fmt.Errorf("HANDWASH_SIGNING_KEY: %w", err)
		}
	}
	return buildRelease(ctx, o, stdout, stderr)
}
