package main

import (
	"fmt"
	"runtime"

	"github.com/spf13/cobra"

	"github.com/handwash/handwash"
	"github.com/handwash/handwash/policy"
)

func newVersionCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version of Handwash, its controls and its data",
		RunE: func(cmd *cobra.Command, _ []string) error {
			cat, err := policy.Default()
			if err != nil {
				return err
			}
			lc := policy.LifecycleSource()
			w := cmd.OutOrStdout()
			fmt.Fprintf(w, "handwash %s (%s, %s/%s)\n", versionString(), runtime.Version(), runtime.GOOS, runtime.GOARCH)
			fmt.Fprintf(w, "controls %s (%d controls)\n", cat.Version, len(cat.Controls))
			fmt.Fprintf(w, "facts schema %s\n", handwash.FactsSchema)
			fmt.Fprintf(w, "OS support dates as of %s\n", lc.AsOf)
			return nil
		},
	}
}
