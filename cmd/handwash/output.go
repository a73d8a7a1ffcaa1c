package main

import (
	"bufio"
	"io"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/handwash/handwash"
)

// writeOutput writes to standard output, or to a file that appears whole or
// not at all: the report is written to a temporary file beside it and
// renamed into place, so a failure never leaves half a report behind.
func writeOutput(cmd *cobra.Command, path string, write func(io.Writer) error) error {
	if path == "" || path == "-" {
		w := bufio.NewWriter(cmd.OutOrStdout())
		if err := write(w); err != nil {
			return err
		}
		return w.Flush()
	}
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*")
	if err != nil {
		return handwash.Errorf(handwash.EINVALID, "--output: cannot write in %s: %v", dir, err)
	}
	defer os.Remove(tmp.Name())
	w := bufio.NewWriter(tmp)
	if err := write(w); err != nil {
		tmp.Close()
		return err
	}
	if err := w.Flush(); err != nil {
		tmp.Close()
		return handwash.Errorf(handwash.EINVALID, "--output: writing %s: %v", path, err)
	}
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return handwash.Errorf(handwash.EINVALID, "--output: writing %s: %v", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return handwash.Errorf(handwash.EINVALID, "--output: %v", err)
	}
	return nil
}
