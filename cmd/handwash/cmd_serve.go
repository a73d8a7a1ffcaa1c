package main

import "github.com/spf13/cobra"

// newServeCommand is filled in by the server and agent work.
func newServeCommand() *cobra.Command {
	return &cobra.Command{Use: "serve", Short: "(not yet available)", Hidden: true}
}
