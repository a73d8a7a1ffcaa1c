package main

import (
	"fmt"
	"io"
	"runtime"

	"github.com/spf13/cobra"

	"github.com/handwash/handwash"
	"github.com/handwash/handwash/policy"
)

func newVersionCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version of Handwash, its controls and its data",
		Long: `Version prints which release of Handwash this is, the commit it was built
from and when, then the version of its controls and the date of its built-in
data. A copy built without the release build says "development build" and
shows what Go recorded about its source, if anything.`,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cat, err := policy.Default()
			if err != nil {
				return err
			}
			lc := policy.LifecycleSource()
			w := cmd.OutOrStdout()
			writeBuild(w, thisBuild())
			fmt.Fprintf(w, "controls %s (%d controls)\n", cat.Version, len(cat.Controls))
			fmt.Fprintf(w, "facts schema %s\n", handwash.FactsSchema)
			fmt.Fprintf(w, "OS support dates as of %s\n", lc.AsOf)
			return nil
		},
	}
}

// writeBuild writes the lines about the program itself: its version, the
// commit and the date.
func writeBuild(w io.Writer, d buildDetails) {
	platform := fmt.Sprintf("(%s, %s/%s)", runtime.Version(), runtime.GOOS, runtime.GOARCH)
	commit := d.Commit
	if commit == "" {
		commit = "unknown"
	}
	if d.Modified {
		commit += ", with uncommitted changes"
	}
	if d.Release {
		fmt.Fprintf(w, "handwash %s %s\n", d.Version, platform)
		fmt.Fprintf(w, "commit %s\n", commit)
		if d.Date != "" {
			fmt.Fprintf(w, "built %s\n", d.Date)
		} else {
			fmt.Fprintln(w, "build date unknown")
		}
		return
	}
	fmt.Fprintf(w, "handwash development build %s\n", platform)
	if d.Version != "" {
		fmt.Fprintf(w, "module version %s\n", d.Version)
	}
	if d.Commit == "" {
		fmt.Fprintln(w, "commit unknown (no version control details were recorded when this copy was built)")
		return
	}
	fmt.Fprintf(w, "commit %s\n", commit)
	if d.Date != "" {
		fmt.Fprintf(w, "committed %s\n", d.Date)
	}
}
