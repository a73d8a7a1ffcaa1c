package main

import "github.com/spf13/cobra"

// newAgentCommand is filled in by the server and agent work.
func newAgentCommand() *cobra.Command {
	return &cobra.Command{Use: "agent", Short: "(not yet available)", Hidden: true}
}
