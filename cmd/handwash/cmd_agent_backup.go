package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/handwash/handwash"
	"github.com/handwash/handwash/agent"
	"github.com/handwash/handwash/backup"
	"github.com/handwash/handwash/backup/restic"
)

// newAgentBackupCommand lists, adds and removes the backups the agent
// verifies on a schedule.
func newAgentBackupCommand(configPath *string) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "backup",
		Short: "Choose the backups the agent verifies each week",
		Long: `The agent can verify backups on a schedule, weekly by default, as
'handwash backup verify' does by hand: the newest backup's age, a test
restore of a sample of files, the backup's own integrity check (a thirteenth
of the data each week, so all of it within a quarter), and whether this
computer could delete the backups. The results go to the server with the
next report. Passwords stay in their own files: the configuration keeps only
the file's path.`,
		Example: `  sudo handwash agent backup add --kind restic --repo /srv/restic --password-file /etc/handwash/restic-password
  sudo handwash agent backup list
  sudo handwash agent backup remove --kind restic --repo /srv/restic`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	cmd.AddCommand(newAgentBackupAddCommand(configPath), newAgentBackupListCommand(configPath), newAgentBackupRemoveCommand(configPath))
	for _, c := range cmd.Commands() {
		c.Args = wrapArgs(c.Args)
	}
	return cmd
}

func newAgentBackupAddCommand(configPath *string) *cobra.Command {
	var t agent.BackupTarget
	var every time.Duration
	cmd := &cobra.Command{
		Use:   "add --kind KIND --repo LOCATION [--password-file FILE] [--source DIR]",
		Short: "Verify a backup on a schedule",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			t.Every = agent.Duration(every)
			if t.PasswordFile != "" {
				if _, err := os.Stat(t.PasswordFile); err != nil {
					return handwash.Errorf(handwash.EINVALID, "--password-file: %v", err)
				}
			}
			cfg, err := agent.LoadConfig(*configPath)
			if err != nil {
				return agentError(err)
			}
			if err := cfg.AddBackup(t); err != nil {
				return err
			}
			if err := cfg.Save(*configPath); err != nil {
				return handwash.Errorf(handwash.EINVALID, "cannot save %s: %v", *configPath, err)
			}
			_, err = fmt.Fprintf(cmd.OutOrStdout(), "The agent will verify the %s backup at %s every %s, starting at its next collection.\n",
				t.Kind, t.Repo, handwash.DurationWords(t.EffectiveEvery()))
			return err
		},
	}
	f := cmd.Flags()
	f.StringVar(&t.Kind, "kind", "", "restic, borg, folder or s3")
	f.StringVar(&t.Repo, "repo", "", "the repository, the copy's folder, or s3://bucket/prefix")
	f.StringVar(&t.PasswordFile, "password-file", "", "a file holding the repository's password (for s3: the access key and secret key, one per line)")
	f.StringVar(&t.Source, "source", "", "the original folder, to compare restored files with")
	f.StringVar(&t.Endpoint, "endpoint", "", "an S3-compatible service's host[:port]")
	f.DurationVar(&every, "every", agent.DefaultBackupEvery, "how often to verify it")
	return cmd
}

func newAgentBackupListCommand(configPath *string) *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List the backups the agent verifies",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := agent.LoadConfig(*configPath)
			if err != nil {
				return agentError(err)
			}
			out := cmd.OutOrStdout()
			if format == "json" {
				enc := json.NewEncoder(out)
				enc.SetIndent("", "  ")
				return enc.Encode(cfg.Backups)
			}
			if len(cfg.Backups) == 0 {
				_, err := fmt.Fprintln(out, "The agent verifies no backups. Add one with handwash agent backup add.")
				return err
			}
			tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "KIND\tREPOSITORY\tEVERY\tPASSWORD FILE")
			for _, t := range cfg.Backups {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", t.Kind, t.Repo, handwash.DurationWords(t.EffectiveEvery()), t.PasswordFile)
			}
			return tw.Flush()
		},
	}
	cmd.Flags().StringVar(&format, "format", "text", "text or json")
	return cmd
}

func newAgentBackupRemoveCommand(configPath *string) *cobra.Command {
	var kind, repo string
	cmd := &cobra.Command{
		Use:   "remove --kind KIND --repo LOCATION",
		Short: "Stop verifying a backup",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := agent.LoadConfig(*configPath)
			if err != nil {
				return agentError(err)
			}
			if err := cfg.RemoveBackup(kind, repo); err != nil {
				return err
			}
			if err := cfg.Save(*configPath); err != nil {
				return handwash.Errorf(handwash.EINVALID, "cannot save %s: %v", *configPath, err)
			}
			_, err = fmt.Fprintf(cmd.OutOrStdout(), "The agent no longer verifies the %s backup at %s.\n", kind, repo)
			return err
		},
	}
	cmd.Flags().StringVar(&kind, "kind", "", "restic, borg, folder or s3")
	cmd.Flags().StringVar(&repo, "repo", "", "the repository as it was added")
	return cmd
}

// agentVerifyBackup is how the agent verifies one of its backups: as
// handwash backup verify does, reading the given part of a restic
// repository's data, and summed up for the Facts.
func agentVerifyBackup(ctx context.Context, t agent.BackupTarget, subset string) handwash.BackupVerification {
	o := backupVerifyOptions{kind: t.Kind, repo: t.Repo, passwordFile: t.PasswordFile, source: t.Source, sample: backup.DefaultSample, endpoint: t.Endpoint}
	if t.Kind == backup.KindRestic {
		o.subset = subset
	}
	v, err := verifyBackup(ctx, o)
	f := backup.Facts(v, err, now())
	if v == nil {
		f.Kind, f.Location = t.Kind, restic.Redact(t.Repo)
	}
	return f
}
