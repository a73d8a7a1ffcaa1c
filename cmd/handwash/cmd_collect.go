package main

import (
	"encoding/json"
	"io"

	"github.com/spf13/cobra"

	"github.com/handwash/handwash/collect"
)

func newCollectCommand() *cobra.Command {
	var output string
	cmd := &cobra.Command{
		Use:   "collect",
		Short: "Print the Facts of this computer as JSON, without judging them",
		Long: `Collect observes this computer and prints its Facts: a versioned JSON document
(schema handwash.facts/v1, described in docs/FACTS.md) of what was seen, never a
judgement. What could not be observed is left out, with the reason in
collection.missing.

Judge saved Facts later, on any computer, with:  handwash check --facts FILE

` + toolExitCodesHelp,
		Example: `  handwash collect > facts.json
  sudo handwash collect --output facts.json    # as root/administrator it sees more
  handwash check --facts facts.json`,
		RunE: func(cmd *cobra.Command, _ []string) error {
			f := collect.Collect(cmd.Context(), collect.Options{Version: versionString()})
			return writeOutput(cmd, output, func(w io.Writer) error {
				enc := json.NewEncoder(w)
				enc.SetIndent("", "  ")
				return enc.Encode(f)
			})
		},
	}
	cmd.Flags().StringVarP(&output, "output", "o", "", "write to this file instead of standard output")
	return cmd
}
