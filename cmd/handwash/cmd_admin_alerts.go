package main

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/handwash/handwash"
)

// newAlertClocksCommand shows or changes a provider's alert clocks.
func newAlertClocksCommand(o *adminOptions) *cobra.Command {
	var provider string
	var ack, fix time.Duration
	c := &cobra.Command{
		Use:   "alert-clocks --provider ID|NAME [--ack 48h] [--fix 336h]",
		Short: "Show or change how long a provider's organisations have to acknowledge and to fix an alert",
		Long: `Alert-clocks shows a provider's alert clocks, or with --ack or --fix changes
them: how long after an alert opens it must be acknowledged (default 48h) and
fixed (default 336h, the 14 days Cyber Essentials allows for critical fixes).
Alerts already open keep the clocks they opened with.`,
		Example: `  handwash admin alert-clocks --provider "Careful IT"
  handwash admin alert-clocks --provider "Careful IT" --ack 24h --fix 168h`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := required("provider", provider); err != nil {
				return err
			}
			change := cmd.Flags().Changed("ack") || cmd.Flags().Changed("fix")
			return o.withStore(cmd, func(ctx context.Context, s handwash.Store) error {
				p, err := findProvider(ctx, s, provider)
				if err != nil {
					return err
				}
				scope := handwash.Scope{ProviderID: p.ID}
				clocks, err := s.AlertClocks(ctx, scope)
				if err != nil {
					return err
				}
				if change {
					if cmd.Flags().Changed("ack") {
						clocks.AckWithin = ack
					}
					if cmd.Flags().Changed("fix") {
						clocks.FixWithin = fix
					}
					if err := s.SetAlertClocks(ctx, scope, clocks); err != nil {
						return err
					}
				}
				if o.format == "json" {
					return json.NewEncoder(cmd.OutOrStdout()).Encode(map[string]string{
						"provider_id": p.ID, "ack_within": clocks.AckWithin.String(), "fix_within": clocks.FixWithin.String()})
				}
				verb := "are"
				if change {
					verb = "are now"
				}
				_, err = fmt.Fprintf(cmd.OutOrStdout(), "%s's alert clocks %s: acknowledge within %s, fix within %s.\n", p.Name, verb, handwash.DurationWords(clocks.AckWithin), handwash.DurationWords(clocks.FixWithin))
				return err
			})
		},
	}
	c.Flags().StringVar(&provider, "provider", "", "the provider (ID or name)")
	c.Flags().DurationVar(&ack, "ack", handwash.DefaultAckWithin, "time to acknowledge an alert, an hour to 30 days")
	c.Flags().DurationVar(&fix, "fix", handwash.DefaultFixWithin, "time to fix an alert, a day to a year")
	return c
}
