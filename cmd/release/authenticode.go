package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
)

// checkAuthenticode checks, before anything is built, that the Windows
// binaries can be signed as asked.
func checkAuthenticode(o options) error {
	if _, err := exec.LookPath("osslsigncode"); err != nil {
		return errors.New("--windows-cert and --windows-key sign the Windows binaries with osslsigncode, which is not installed (on Debian or Ubuntu: apt-get install osslsigncode)")
	}
	for _, f := range []string{o.WindowsCert, o.WindowsKey} {
		if _, err := os.Stat(f); err != nil {
			return fmt.Errorf("Windows signing: %w", err)
		}
	}
	return nil
}

// authenticodeSign signs a Windows binary in place with osslsigncode. The
// signing time is the build date, so that with an RSA key (whose signatures
// are deterministic) and no time-stamping server the signed binary is
// reproducible too.
func authenticodeSign(ctx context.Context, o options, s source, exe string) error {
	signed := exe + ".signed"
	defer os.Remove(signed)
	args := []string{"sign",
		"-certs", o.WindowsCert, "-key", o.WindowsKey,
		"-h", "sha256", "-n", "Handwash",
		"-time", strconv.FormatInt(s.Date.Unix(), 10),
	}
	if o.TimestampURL != "" {
		args = append(args, "-ts", o.TimestampURL)
	}
	cmd := exec.CommandContext(ctx, "osslsigncode", args...)
	if o.WindowsKeyPassword != "" {
		// On standard input, not the command line, where other users could
		// read it.
		cmd.Args = append(cmd.Args, "-readpass", "-")
		cmd.Stdin = strings.NewReader(o.WindowsKeyPassword)
	}
	cmd.Args = append(cmd.Args, "-in", exe, "-out", signed)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("osslsigncode could not sign %s: %v\n%s", exe, err, strings.TrimSpace(out.String()))
	}
	return os.Rename(signed, exe)
}
