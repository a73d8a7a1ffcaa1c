// Command handwash checks a computer's cyber hygiene against the NCSC Small
// Business Guide, the lessons of WannaCry and Cyber Essentials, and says in
// plain English what to fix first.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"time"

	"github.com/spf13/cobra"

	"github.com/handwash/handwash"
)

// version is set at release time with -ldflags "-X main.version=v1.2.3".
var version = ""

// now is the clock check judges by; tests set it.
var now = time.Now

// Exit codes, documented in every command's help.
const (
	exitOK       = 0 // nothing failed at or above --fail-on
	exitFindings = 1 // a failed control at or above --fail-on
	exitUsage    = 2 // usage or input error; nothing was changed
	exitInternal = 3 // internal error
)

const exitCodesHelp = `Exit codes:
  0  nothing failed at or above --fail-on (or --fail-on not given)
  1  a control failed at or above the --fail-on severity
  2  usage or input error (bad flag, unreadable or invalid file); nothing was changed
  3  internal error (please report it)`

// toolExitCodesHelp is the exit codes of the commands that judge nothing
// (collect, serve, admin), which have no --fail-on.
const toolExitCodesHelp = `Exit codes:
  0  done (serve: stopped cleanly on SIGINT or SIGTERM)
  2  usage or input error (bad flag or argument, something named that does
     not exist, a database or file that cannot be used); nothing was changed
  3  internal error, or the database failed while running (please report it)`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run is the whole program, callable from tests.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	root := newRootCommand(stdin, stdout, stderr)
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	return exitCode(err, stderr)
}

// findingsError reports that failures reached the --fail-on severity; the
// report has already said which.
type findingsError struct {
	n   int
	sev handwash.Severity
}

func (e findingsError) Error() string {
	return fmt.Sprintf("%d failed control(s) at or above %s severity", e.n, e.sev)
}

// usageError wraps flag and argument problems that cobra reports.
type usageError struct{ error }

// exitCode maps an error to the documented exit code, printing it once.
func exitCode(err error, stderr io.Writer) int {
	if err == nil {
		return exitOK
	}
	var fe findingsError
	if errors.As(err, &fe) {
		fmt.Fprintln(stderr, "handwash:", fe.Error())
		return exitFindings
	}
	var ve verdictError
	if errors.As(err, &ve) {
		fmt.Fprintln(stderr, "handwash:", ve.Error())
		return exitFindings
	}
	var ue usageError
	if errors.As(err, &ue) {
		fmt.Fprintln(stderr, "handwash:", ue.Error())
		fmt.Fprintln(stderr, "Run 'handwash --help' for usage.")
		return exitUsage
	}
	switch handwash.ErrorCode(err) {
	case handwash.EINVALID, handwash.ETOOLARGE, handwash.ENOTFOUND:
		fmt.Fprintln(stderr, "handwash:", handwash.ErrorMessage(err))
		return exitUsage
	}
	fmt.Fprintln(stderr, "handwash:", handwash.ErrorMessage(err))
	return exitInternal
}

func newRootCommand(stdin io.Reader, stdout, stderr io.Writer) *cobra.Command {
	root := &cobra.Command{
		Use:   "handwash",
		Short: "Cyber hygiene checks for health and social care",
		Long: `Handwash checks this computer against the NCSC Small Business Guide's five
areas (backups, malware, phones and tablets, passwords, phishing), the lessons
of WannaCry (patch, leave unsupported software, act on critical alerts) and
Cyber Essentials, and says in plain English what to fix first and how.

Start with:  handwash check

Started with no command at a console (for instance by double-clicking
handwash.exe), it checks this computer, shows the report and keeps a copy as a
web page in your Documents folder.`,
		SilenceErrors: true,
		SilenceUsage:  true,
		Version:       versionString(),
	}
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError{err} })
	root.AddCommand(newCheckCommand(), newCollectCommand(), newVersionCommand(), newServeCommand(), newAdminCommand(), newAgentCommand(), newFeedsCommand(), newEmailCommand(), newPhishCommand(), newBackupCommand(), newPasswordCommand(), newAssessCommand())
	for _, c := range root.Commands() {
		c.Args = wrapArgs(c.Args)
	}
	root.Args = cobra.ArbitraryArgs
	root.RunE = func(cmd *cobra.Command, args []string) error {
		if len(args) > 0 {
			return usageError{fmt.Errorf("unknown command %q: the commands are check, collect, assess, email, feeds, phish, backup, password, serve, admin, agent and version", args[0])}
		}
		if interactive(stdin, stdout) {
			return runDoubleClick(cmd)
		}
		return cmd.Help()
	}
	return root
}

// wrapArgs makes argument errors usage errors (exit code 2).
func wrapArgs(v cobra.PositionalArgs) cobra.PositionalArgs {
	if v == nil {
		v = cobra.NoArgs
	}
	return func(cmd *cobra.Command, args []string) error {
		if err := v(cmd, args); err != nil {
			return usageError{err}
		}
		return nil
	}
}

// versionString is this build's version: the release tag, or the commit it
// was built from.
func versionString() string {
	if version != "" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok {
		if bi.Main.Version != "" && bi.Main.Version != "(devel)" {
			return bi.Main.Version
		}
		rev, dirty := "", false
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				rev = s.Value
			case "vcs.modified":
				dirty = s.Value == "true"
			}
		}
		if len(rev) > 12 {
			rev = rev[:12]
		}
		if rev != "" {
			if dirty {
				rev += "-modified"
			}
			return "dev-" + rev
		}
	}
	return "dev"
}
