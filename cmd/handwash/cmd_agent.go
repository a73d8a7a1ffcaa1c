package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/handwash/handwash"
	"github.com/handwash/handwash/agent"
)

const agentExitCodesHelp = `Exit codes:
  0  done (run --once: the collection was sent and nothing waits in the spool)
  2  usage or input error, or something a person must do first: enrol, get a
     new enrolment token, enrol again after the server refused this device,
     or run as an administrator
  3  the server could not be reached or trusted (run --once: the collection
     waits in the spool and the next run sends it), or an internal error`

// Environment variables the agent commands read, so that deployment tools
// can keep the token off the command line (where other users see it).
const (
	envServer      = "HANDWASH_SERVER"
	envToken       = "HANDWASH_ENROLL_TOKEN"
	envFingerprint = "HANDWASH_FINGERPRINT"
)

func newAgentCommand() *cobra.Command {
	var configPath string
	cmd := &cobra.Command{
		Use:   "agent",
		Short: "Report this computer's Facts to a Handwash server, on a schedule",
		Long: `The agent runs on every computer of an organisation and reports its Facts to
the organisation's Handwash server, which judges them and keeps the history.

Set it up once, as an administrator (root on Linux and macOS):

  1. handwash agent enroll --server URL --token TOKEN   joins the server
  2. handwash agent install                              runs it as a service

It then collects when it starts and every 4 hours (give or take 10%, so
computers switched on together do not all report at once). Each collection
waits in a spool on disk until the server has it, so nothing is lost while
the server or the network is down. 'handwash agent status' says when it last
reported and what waits to be sent.

Its files, readable only by administrators, are the configuration (which
holds the device's credential), its state and the spool, all in the folder of
--config.

` + agentExitCodesHelp,
	}
	cmd.PersistentFlags().StringVar(&configPath, "config", agent.DefaultConfigPath(), "the agent's configuration file; its state and spool are kept beside it")
	cmd.AddCommand(
		newAgentEnrollCommand(&configPath),
		newAgentRunCommand(&configPath),
		newAgentStatusCommand(&configPath),
		newAgentInstallCommand(&configPath),
		newAgentUninstallCommand(&configPath),
		newAgentBackupCommand(&configPath),
		newAgentSelftestCommand(&configPath),
	)
	for _, c := range cmd.Commands() {
		c.Args = wrapArgs(c.Args)
	}
	cmd.Args = wrapArgs(nil)
	cmd.RunE = func(cmd *cobra.Command, _ []string) error { return cmd.Help() }
	return cmd
}

// agentError maps the agent's errors onto the exit codes documented above:
// a refused token or credential is for a person to fix (2); a server that
// cannot be reached (agent.CodeUnavailable) keeps its code and so exits 3
// with its message.
func agentError(err error) error {
	switch handwash.ErrorCode(err) {
	case handwash.EUNAUTHORIZED, handwash.EFORBIDDEN, handwash.ECONFLICT:
		return &handwash.Error{Code: handwash.EINVALID, Message: handwash.ErrorMessage(err), Err: err}
	}
	return err
}

// agentLogger writes the agent's log as text lines on stderr; systemd's
// journal and launchd's log file take it from there.
func agentLogger(w io.Writer, verbose bool) *slog.Logger {
	level := slog.LevelInfo
	if verbose {
		level = slog.LevelDebug
	}
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: level}))
}

func newAgentEnrollCommand(configPath *string) *cobra.Command {
	var server, token, fingerprint string
	var interval time.Duration
	cmd := &cobra.Command{
		Use:   "enroll --server URL --token TOKEN [--fingerprint SHA256]",
		Short: "Join this computer to a Handwash server",
		Long: `Enroll exchanges an enrolment token (made with 'handwash admin enroll-token')
for this computer's own credential, and stores it with the server's address in
the configuration file, readable only by administrators. Run it as an
administrator (with sudo on Linux and macOS).

The server must use https://. If it uses the self-signed certificate that
'handwash serve' made, give --fingerprint with the SHA-256 fingerprint it
printed: the agent then trusts that certificate and no other. Without
--fingerprint the certificate must be trusted by this computer, as for a
web browser. Plain http:// is refused except on this computer's own loopback
address.

Enrolling again replaces the previous enrolment: that is what to do when the
server no longer accepts this computer.

Flags can come from the environment instead: ` + envServer + `, ` + envToken + `
and ` + envFingerprint + `. '--token -' reads the token from standard input, which
keeps it out of the list of running programs.

` + agentExitCodesHelp,
		Example: `  sudo handwash agent enroll --server https://handwash.example:8443 --token hwe_et_abc_def
  sudo handwash agent enroll --server https://192.168.1.10:8443 --token hwe_et_abc_def \
      --fingerprint 3A:5F:...:9C
  echo "$TOKEN" | sudo handwash agent enroll --server https://handwash.example:8443 --token -`,
		RunE: func(cmd *cobra.Command, _ []string) error {
			server = firstNonEmpty(server, os.Getenv(envServer))
			token = firstNonEmpty(token, os.Getenv(envToken))
			fingerprint = firstNonEmpty(fingerprint, os.Getenv(envFingerprint))
			if server == "" {
				return usageError{errors.New("--server is required: the address of the Handwash server, such as https://handwash.example:8443")}
			}
			if token == "-" {
				line, err := bufio.NewReader(cmd.InOrStdin()).ReadString('\n')
				if err != nil && line == "" {
					return usageError{errors.New("--token -: nothing on standard input")}
				}
				token = strings.TrimSpace(line)
			}
			if token == "" {
				return usageError{errors.New("--token is required: an enrolment token from 'handwash admin enroll-token'")}
			}
			var previous string
			if old, err := agent.LoadConfig(*configPath); err == nil {
				previous = old.DeviceID
			}
			dev := agent.DeviceIdentity(cmd.Context())
			cfg, err := agent.Enroll(cmd.Context(), agent.EnrollOptions{
				Server: server, Token: token, Fingerprint: fingerprint, Interval: interval,
				ConfigPath: *configPath, Version: versionString(), Device: dev,
			})
			if err != nil {
				return agentError(err)
			}
			out := cmd.OutOrStdout()
			if previous != "" && previous != cfg.DeviceID {
				fmt.Fprintf(out, "Replaced the previous enrolment (device %s).\n", previous)
			}
			fmt.Fprintf(out, "Enrolled %s with %s as device %s.\n", firstNonEmpty(dev.Hostname, "this computer"), cfg.Server, cfg.DeviceID)
			if cfg.Fingerprint != "" {
				fmt.Fprintln(out, "The server's certificate is pinned: the agent trusts that certificate and no other.")
			}
			fmt.Fprintf(out, "The configuration is in %s, readable only by administrators.\n\n", *configPath)
			fmt.Fprintln(out, "Next:")
			fmt.Fprintln(out, "  handwash agent install      run the agent as a service, from now on and at every start")
			fmt.Fprintln(out, "  handwash agent run --once   or send one report now, to try it")
			return nil
		},
	}
	cmd.Flags().StringVar(&server, "server", "", "the server's address, https://host:port (env "+envServer+")")
	cmd.Flags().StringVar(&token, "token", "", "the enrolment token, hwe_…; - reads it from standard input (env "+envToken+")")
	cmd.Flags().StringVar(&fingerprint, "fingerprint", "", "trust only the server certificate with this SHA-256 fingerprint (AB:CD:… or hex) (env "+envFingerprint+")")
	cmd.Flags().DurationVar(&interval, "interval", agent.DefaultInterval, "how often to collect and report")
	return cmd
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}

func newAgentRunCommand(configPath *string) *cobra.Command {
	var once, verbose, windowsService bool
	var interval time.Duration
	cmd := &cobra.Command{
		Use:   "run [--once]",
		Short: "Collect and report now and then on a schedule (what the service runs)",
		Long: `Run collects this computer's Facts when it starts and then every --interval
(default: the interval given at enrolment, 4 hours unless changed), give or
take 10%. Each collection goes first into the spool beside the configuration
file, then to the server, oldest first; it leaves the spool only once the
server has it. While the server cannot be reached, collections wait (at most
50, or 50 MB: beyond that the oldest is dropped with a warning in the log) and
uploads are retried after 10 seconds, then less and less often, at most 15
minutes apart. A collection the server refuses as invalid is moved to
spool/rejected so the others still go. If the server no longer accepts this
computer's credential, uploads stop until it is enrolled again;
collections go on and wait in the spool.

The service ('handwash agent install') runs this. Stop it with Ctrl-C or
SIGTERM: a collection or upload under way is finished first.

Release builds update themselves: after sending, at most every 3 hours, the
agent asks the server (handwash serve --releases) for a newer version. It
downloads it beside this program, checks its size, SHA-256 checksum and
signature against the release key built into this program, runs its
self-test, keeps this version as <program>.previous, puts the new one in
place and starts it. A download that fails any check is deleted and the
agent carries on with the version it has; 'handwash agent status' says why.
Development builds, which have no release key, never update themselves.

--once collects once, tries to send everything in the spool, and exits: 0 when
all was sent, 3 when the server could not be reached (the collections wait in
the spool for the next run), 2 when the server refused this computer.

` + agentExitCodesHelp,
		Example: `  sudo handwash agent run --once      # report now and exit
  sudo handwash agent run             # run in the foreground, as the service does`,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if interval != 0 && interval < agent.MinInterval {
				return usageError{fmt.Errorf("--interval: %s is shorter than the minimum of %s", interval, agent.MinInterval)}
			}
			log := agentLogger(cmd.ErrOrStderr(), verbose)
			r := &agent.Runner{ConfigPath: *configPath, Interval: interval, Version: versionString(), Log: log, VerifyBackup: agentVerifyBackup}
			if agent.IsWindowsService() || windowsService {
				if el, closeLog, err := agent.EventLogger(slog.LevelInfo); err == nil {
					defer closeLog()
					r.Log = el
				}
				// After an update Run ends with an error, so the service
				// stops with one and Windows starts it again (the recovery
				// actions install set), running the new version.
				err := agent.RunWindowsService(r.Run)
				var restart *agent.Restart
				if errors.As(err, &restart) {
					return &handwash.Error{Code: agent.CodeUnavailable, Err: err, Message: restart.Error() + ": Windows starts the service again shortly"}
				}
				return agentError(err)
			}
			// The service manager stops a daemon with SIGTERM: finish the
			// upload under way rather than die in the middle of it.
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			if once {
				if err := r.Once(ctx); err != nil {
					return agentError(err)
				}
				fmt.Fprintln(cmd.OutOrStdout(), "Collected and sent; nothing waits in the spool.")
				return nil
			}
			err := r.Run(ctx)
			var restart *agent.Restart
			if errors.As(err, &restart) {
				log.Info("starting the new version", "version", restart.To, "file", restart.Executable)
				stop()
				err = agent.ReExec(restart) // returns only if it failed
				// Exiting with an error makes systemd and launchd start the
				// new version; run by hand, it is for the person to do.
				return &handwash.Error{Code: agent.CodeUnavailable, Err: err, Message: fmt.Sprintf(
					"the agent was updated to version %s but could not start it (%v): start 'handwash agent run' again (a service is started again by the system)", restart.To, err)}
			}
			return agentError(err)
		},
	}
	cmd.Flags().BoolVar(&once, "once", false, "collect once, send the spool, and exit")
	cmd.Flags().DurationVar(&interval, "interval", 0, "how often to collect (default: the enrolment's interval, normally 4h)")
	cmd.Flags().BoolVarP(&verbose, "verbose", "v", false, "log more detail")
	// For service managers that svc.IsWindowsService does not recognise
	// (Wine's, where the service code is tried out).
	cmd.Flags().BoolVar(&windowsService, "windows-service", false, "talk to the Windows service manager even if it was not detected")
	cmd.Flags().MarkHidden("windows-service")
	return cmd
}

// newAgentSelftestCommand is what a running agent asks of a new version
// before that replaces it: hidden, as it is for the agent, not for people.
func newAgentSelftestCommand(configPath *string) *cobra.Command {
	return &cobra.Command{
		Use:    "selftest",
		Short:  "Check that this program can take over as the agent (used by self-update)",
		Hidden: true,
		RunE: func(cmd *cobra.Command, _ []string) error {
			rep, err := agent.SelfTest(*configPath, versionString())
			if err != nil {
				return agentError(err)
			}
			return json.NewEncoder(cmd.OutOrStdout()).Encode(rep)
		},
	}
}

// agentStatus is what status prints as JSON; the text form says the same.
type agentStatus struct {
	Config      string             `json:"config"`
	Server      string             `json:"server"`
	DeviceID    string             `json:"device_id"`
	Fingerprint string             `json:"fingerprint,omitempty"`
	Interval    string             `json:"interval"`
	EnrolledAt  time.Time          `json:"enrolled_at"`
	Healthy     bool               `json:"healthy"`
	Summary     string             `json:"summary"`
	State       agent.State        `json:"state"`
	Spool       agent.SpoolSummary `json:"spool"`
	ServerView  *agentServerView   `json:"server_view,omitempty"`
	ServerError string             `json:"server_error,omitempty"`
	// SelfUpdate says whether this build updates itself; what it last did
	// is in State.Update.
	SelfUpdate agentSelfUpdate `json:"self_update"`
}

type agentSelfUpdate struct {
	On   bool   `json:"on"`
	Note string `json:"note"`
}

// agentServerView is what the server says about this device.
type agentServerView struct {
	LastSeenAt  *time.Time `json:"last_seen_at,omitempty"`
	EvaluatedAt *time.Time `json:"evaluated_at,omitempty"`
	Score       int        `json:"score"`
	Hostname    string     `json:"hostname,omitempty"`
}

func newAgentStatusCommand(configPath *string) *cobra.Command {
	var format string
	var offline bool
	cmd := &cobra.Command{
		Use:   "status",
		Short: "Say when the agent last reported and what waits to be sent",
		Long: `Status says which server this computer reports to, when the agent last
collected and last reported, the last problem it met, and how many
collections wait in the spool and since when. It also asks the server when it
last heard from this computer, unless --offline. It never shows the
credential. Run it as an administrator: the agent's files are readable only
by administrators.

` + agentExitCodesHelp,
		Example: `  sudo handwash agent status
  sudo handwash agent status --format json --offline`,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if format != "text" && format != "json" {
				return usageError{fmt.Errorf("--format: %q is not text or json", format)}
			}
			cfg, err := agent.LoadConfig(*configPath)
			if err != nil {
				return agentError(err)
			}
			p := agent.PathsFor(*configPath)
			st, err := agent.LoadState(p.State)
			if err != nil {
				return agentError(handwash.Errorf(handwash.EINVALID, "cannot read %s: %v", p.State, err))
			}
			sp, err := agent.SummarizeSpool(p.Spool)
			if err != nil {
				return agentError(handwash.Errorf(handwash.EINVALID, "cannot read the spool %s: %v", p.Spool, err))
			}
			s := agentStatus{
				Config: *configPath, Server: cfg.Server, DeviceID: cfg.DeviceID,
				Interval: cfg.EffectiveInterval().String(), EnrolledAt: cfg.EnrolledAt, State: st, Spool: sp,
			}
			if cfg.Fingerprint != "" {
				if b, err := agent.ParseFingerprint(cfg.Fingerprint); err == nil {
					s.Fingerprint = agent.FormatFingerprint(b)
				}
			}
			s.SelfUpdate.On, s.SelfUpdate.Note = agent.SelfUpdate()
			if !offline {
				ctx, cancel := context.WithTimeout(cmd.Context(), 10*time.Second)
				s.ServerView, s.ServerError = askServer(ctx, cfg)
				cancel()
			}
			s.Healthy, s.Summary = judgeStatus(s, cfg.EffectiveInterval(), now())
			out := cmd.OutOrStdout()
			if format == "json" {
				enc := json.NewEncoder(out)
				enc.SetIndent("", "  ")
				return enc.Encode(s)
			}
			writeAgentStatus(out, s, now())
			return nil
		},
	}
	cmd.Flags().StringVar(&format, "format", "text", "text or json")
	cmd.Flags().BoolVar(&offline, "offline", false, "do not ask the server")
	return cmd
}

func askServer(ctx context.Context, cfg *agent.Config) (*agentServerView, string) {
	c, err := agent.NewClient(cfg.Server, cfg.Fingerprint, cfg.Credential, versionString())
	if err != nil {
		return nil, handwash.ErrorMessage(err)
	}
	defer c.CloseIdleConnections()
	d, err := c.Device(ctx)
	if err != nil {
		var he *handwash.Error
		if errors.As(err, &he) {
			return nil, he.Message
		}
		return nil, agent.RedactCredential(err.Error())
	}
	return &agentServerView{LastSeenAt: d.LastSeenAt, EvaluatedAt: d.EvaluatedAt, Score: d.Score, Hostname: d.Hostname}, ""
}

// judgeStatus sums the status up in one line for someone who is not in IT.
func judgeStatus(s agentStatus, interval time.Duration, now time.Time) (bool, string) {
	switch {
	case s.State.NeedsEnrolment:
		return false, "The server no longer accepts this computer: enrol it again (handwash agent enroll)."
	case s.State.LastCollectedAt == nil && s.State.LastReportedAt == nil:
		return false, "The agent has not run yet: start it with 'handwash agent install' (or 'handwash agent run --once' to try)."
	case s.State.LastReportedAt == nil:
		return false, "The agent has not reported to the server yet; see the last problem below."
	}
	late := 2*interval + time.Hour
	if age := now.Sub(*s.State.LastReportedAt); age > late {
		return false, fmt.Sprintf("Nothing has reached the server for %s; see the last problem below.", humanDuration(age))
	}
	if s.Spool.Count > 0 && s.State.LastError != "" {
		return true, "Reporting, but some collections wait to be sent; see the last problem below."
	}
	return true, "Reporting normally."
}

func writeAgentStatus(w io.Writer, s agentStatus, now time.Time) {
	line := func(label, format string, args ...any) {
		fmt.Fprintf(w, "  %-17s %s\n", label+":", fmt.Sprintf(format, args...))
	}
	fmt.Fprintln(w, s.Summary)
	fmt.Fprintln(w)
	server := s.Server
	if s.Fingerprint != "" {
		server += " (certificate pinned, SHA-256 " + s.Fingerprint + ")"
	}
	line("Server", "%s", server)
	line("Device ID", "%s", s.DeviceID)
	line("Enrolled", "%s", when(&s.EnrolledAt, now))
	line("Collects every", "%s, give or take 10%%", humanDuration(mustDuration(s.Interval)))
	last := when(s.State.LastCollectedAt, now)
	if s.State.LastCollectedAt != nil && s.State.LastCollectionCPUSeconds > 0 {
		last += fmt.Sprintf(", in %.1f s using %.2f s of processor time", s.State.LastCollectionSeconds, s.State.LastCollectionCPUSeconds)
	}
	line("Last collected", "%s", last)
	line("Last reported", "%s", when(s.State.LastReportedAt, now))
	if s.State.NextCollectionAt != nil && s.State.NextCollectionAt.After(now) {
		line("Next collection", "%s", when(s.State.NextCollectionAt, now))
	}
	if s.Spool.Count == 0 {
		line("Waiting to send", "nothing")
	} else {
		line("Waiting to send", "%d collection(s), %s, the oldest from %s", s.Spool.Count, humanBytes(s.Spool.Bytes), when(s.Spool.Oldest, now))
	}
	if s.Spool.Rejected > 0 {
		line("Refused", "%d collection(s) the server refused, kept in %s", s.Spool.Rejected, filepath.Join(filepath.Dir(s.Config), "spool", "rejected"))
	}
	if s.State.Dropped > 0 {
		line("Dropped", "%d collection(s) lost because the spool was full", s.State.Dropped)
	}
	if s.State.LastError != "" {
		line("Last problem", "%s: %s", when(s.State.LastErrorAt, now), s.State.LastError)
	} else {
		line("Last problem", "none")
	}
	for _, l := range agent.DescribeUpdates(s.State.Update, func(t *time.Time) string { return when(t, now) }) {
		line(l[0], "%s", l[1])
	}
	switch {
	case s.ServerView != nil:
		seen := when(s.ServerView.LastSeenAt, now)
		if s.ServerView.Score >= 0 {
			seen += fmt.Sprintf("; overall score %d out of 100", s.ServerView.Score)
		}
		line("Server says", "last heard from this computer %s", seen)
	case s.ServerError != "":
		line("Server says", "could not ask it: %s", s.ServerError)
	}
	line("Files", "%s (and its folder)", s.Config)
}

func mustDuration(s string) time.Duration {
	d, _ := time.ParseDuration(s)
	return d
}

// when writes a moment for people: local time and how long ago.
func when(t *time.Time, now time.Time) string {
	if t == nil || t.IsZero() {
		return "never"
	}
	at := t.Local().Format("2 Jan 2006 15:04 MST")
	d := now.Sub(*t)
	switch {
	case d < -time.Minute:
		return at + " (in " + humanDuration(-d) + ")"
	case d < time.Minute:
		return at + " (just now)"
	}
	return at + " (" + humanDuration(d) + " ago)"
}

// humanDuration rounds a duration to what people say: "3 hours", "2 days".
func humanDuration(d time.Duration) string {
	plural := func(n int, unit string) string {
		if n == 1 {
			return "1 " + unit
		}
		return fmt.Sprintf("%d %ss", n, unit)
	}
	switch {
	case d < time.Minute:
		return plural(int(d/time.Second), "second")
	case d < time.Hour:
		return plural(int(d/time.Minute), "minute")
	case d < 48*time.Hour:
		return plural(int((d+30*time.Minute)/time.Hour), "hour")
	}
	return plural(int((d+12*time.Hour)/(24*time.Hour)), "day")
}

func humanBytes(n int64) string {
	switch {
	case n >= 10<<20:
		return fmt.Sprintf("%d MB", n>>20)
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%d kB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

// executablePath is the absolute path of this program, through symbolic
// links, for the service to start; tests replace it.
var executablePath = func() (string, error) {
	exe, err := os.Executable()
	if err != nil {
		return "", err
	}
	return filepath.EvalSymlinks(exe)
}

func newAgentInstallCommand(configPath *string) *cobra.Command {
	var dryRun bool
	cmd := &cobra.Command{
		Use:   "install",
		Short: "Run the agent as a service, now and at every start",
		Long: `Install registers 'handwash agent run' as a service that starts with the
computer, restarts after a failure, and runs with low priority so people
using the computer do not notice it; then starts it. Enrol first. Run it as an
administrator, from where handwash will stay (the service runs this very
file): for example /usr/local/bin/handwash, or C:\Program Files\Handwash.

  Linux    a systemd unit, ` + agent.SystemdUnitPath + `, with a read-only
           view of the system except the agent's folder
  macOS    a launch daemon, ` + agent.LaunchdPlistPath + `, logging
           to ` + agent.LaunchdLogDir + `
  Windows  the service "` + agent.WindowsServiceName + `" (automatic, delayed start; restarts
           after a failure), logging to the Application event log

Running it again (after replacing handwash with a new version) updates the
service and restarts it. --dry-run prints what it would do.

` + agentExitCodesHelp,
		Example: `  sudo handwash agent install --dry-run
  sudo handwash agent install`,
		RunE: func(cmd *cobra.Command, _ []string) error {
			exe, err := executablePath()
			if err != nil {
				return fmt.Errorf("cannot tell where this program is: %w", err)
			}
			err = agent.InstallService(cmd.Context(), agent.ServiceOptions{
				Executable: exe, ConfigPath: absPath(*configPath), DryRun: dryRun, Out: cmd.OutOrStdout(),
			})
			if err != nil {
				return agentError(err)
			}
			if !dryRun {
				fmt.Fprintln(cmd.OutOrStdout(), "\nThe agent runs as a service. See how it does with: handwash agent status")
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&dryRun, "dry-run", false, "print what would be done, and do nothing")
	return cmd
}

func newAgentUninstallCommand(configPath *string) *cobra.Command {
	var dryRun, keep bool
	cmd := &cobra.Command{
		Use:   "uninstall",
		Short: "Stop the agent's service and remove it, with its files",
		Long: `Uninstall stops and removes the agent's service and deletes its files: the
configuration (with this computer's credential), the state and the spool of
unsent collections, so nothing about this computer is left behind. With
--keep-config the files stay, for reinstalling later. The device stays on the
server until an administrator removes it there. Run it as an administrator.

` + agentExitCodesHelp,
		Example: `  sudo handwash agent uninstall
  sudo handwash agent uninstall --keep-config --dry-run`,
		RunE: func(cmd *cobra.Command, _ []string) error {
			err := agent.UninstallService(cmd.Context(), agent.ServiceOptions{
				ConfigPath: absPath(*configPath), DryRun: dryRun, KeepConfig: keep, Out: cmd.OutOrStdout(),
			})
			return agentError(err)
		},
	}
	cmd.Flags().BoolVar(&dryRun, "dry-run", false, "print what would be done, and do nothing")
	cmd.Flags().BoolVar(&keep, "keep-config", false, "keep the configuration, state and spool")
	return cmd
}

func absPath(p string) string {
	if a, err := filepath.Abs(p); err == nil {
		return a
	}
	return p
}
