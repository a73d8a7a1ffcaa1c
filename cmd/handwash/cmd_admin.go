package main

import "github.com/spf13/cobra"

// newAdminCommand is filled in by the server and agent work.
func newAdminCommand() *cobra.Command {
	return &cobra.Command{Use: "admin", Short: "(not yet available)", Hidden: true}
}
