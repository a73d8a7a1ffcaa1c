package main

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"math/big"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/debug"
	"strings"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/spf13/cobra"

	"github.com/handwash/handwash"
	"github.com/handwash/handwash/advisories"
	"github.com/handwash/handwash/agent"
	"github.com/handwash/handwash/dashboard"
	"github.com/handwash/handwash/feedkeeper"
	"github.com/handwash/handwash/feeds"
	"github.com/handwash/handwash/judge"
	"github.com/handwash/handwash/notifier"
	"github.com/handwash/handwash/notify"
	"github.com/handwash/handwash/password"
	"github.com/handwash/handwash/phishdesk"
	"github.com/handwash/handwash/policy"
	"github.com/handwash/handwash/postgres"
	"github.com/handwash/handwash/resolve"
	"github.com/handwash/handwash/sqlite"
	"github.com/handwash/handwash/web"
)

// Files serve keeps in the data directory.
const (
	databaseFile = "handwash.db"
	certFile     = "tls-cert.pem"
	keyFile      = "tls-key.pem"
)

type serveOptions struct {
	data, database  string
	listen          string
	tlsCert, tlsKey string
	plainHTTP       bool
	staleAfter      time.Duration
	workers         int
	debugListen     string
	logFormat       string
	shutdownTimeout time.Duration
	publicURL       string
	smtp            smtpOptions
	webhookPrivate  bool
	feedsDir        string
	feedsRefresh    time.Duration
	phishEvery      time.Duration
	phishCAFile     string
	backupMaxAge    time.Duration
	breached        string
	hibpURL         string
	releases        string
}

// smtpOptions are the mail server's settings. The password is never a
// flag: it comes from HANDWASH_SMTP_PASSWORD or a file.
type smtpOptions struct {
	host, username, passwordFile, from, tls string
	port                                    int
}

func newServeCommand() *cobra.Command {
	var o serveOptions
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Run the server that agents report to and IT providers manage devices with",
		Long: `Serve runs the Handwash server: the JSON API (docs/api.md) that agents upload
Facts to, and that IT providers use to see every device of every organisation
they look after. Each upload is judged in the background with the same controls
as handwash check.

At its address it also serves the web dashboard, where people sign in with a
password and an authenticator app to see scores and findings, accept risks, add
computers and people, and download the evidence report. Make the first
administrator with handwash admin user create --password-stdin.

With no flags it keeps its data in SQLite in ./handwash-data and serves HTTPS on
port 8443 with a self-signed certificate, made on first start. It prints the
certificate's SHA-256 fingerprint: agents pin it with --fingerprint, so they
trust this server and nothing else. --tls-cert and --tls-key use a certificate
you have instead; --http serves plain HTTP, for use behind a reverse proxy that
terminates TLS, or on loopback.

--database postgres://… keeps the data in PostgreSQL instead, and several serve
processes may then share it: background work runs once across them.

Every flag can also be set by an environment variable, named after it:
HANDWASH_ and the flag's name in capitals with _ for -, such as HANDWASH_LISTEN.
A flag given on the command line wins. Pass a database URL that holds a
password in HANDWASH_DATABASE rather than on the command line, where other
users of the machine can see it.

The operations endpoints need no credential: /healthz (the process runs),
/readyz (the database answers) and /metrics (Prometheus). Logs are structured
(log/slog) on standard error and never hold a credential.

Memory: serve runs Go's garbage collector at GOGC=200, trading some memory
for CPU when uploads come fast. Set GOGC (and GOMEMLIMIT) in its environment
to choose otherwise.

Notifications: people choose in the dashboard which emails they receive (a
device newly failing a high-severity check, a device that stopped reporting,
the weekly summary on Monday mornings), and administrators add webhooks for
Microsoft Teams, Slack or any HTTPS receiver. Email goes out through the mail
server given by --smtp-host and --smtp-from (STARTTLS required unless
--smtp-tls says otherwise), signing in with --smtp-username and the password in
HANDWASH_SMTP_PASSWORD or --smtp-password-file. --public-url is the address
people reach the dashboard at, for links in messages.

Security advisories: Linux devices' packages are matched against the feeds in
the data folder's feeds folder (or --feeds), which serve refreshes every
--feeds-refresh: CISA's KEV catalogue, end-of-life data and each OSV feed
already there. Add a distribution once with
handwash feeds update --cache DATA/feeds --only osv:Debian (or import it).
With several serve processes on one PostgreSQL database, one of them downloads
and the others copy the feeds from the database.

Judging: every device is judged with the same settings as handwash check's
handwash.yaml settings block, given here as flags: --backup-max-age is how old
the newest backup may be before backup.recent fails (24h unless set). Changing
a setting judges every device again.

Staff pages: for staff who have no account, an administrator makes a staff
link (Phones and tablets, Staff link): it opens a self-check of the person's
phone, whose answers are recorded against their name, and a password check
that runs in their browser. --breached-passwords says where that check looks
up breached passwords: Have I Been Pwned (only the first 5 characters of the
password's SHA-1 hash leave the browser), a downloaded copy, or off.

Agent updates: --releases names a folder of signed release binaries, as the
release build writes them (handwash_<version>_<os>_<arch>, .exe on Windows,
each with its .sig beside it). Enrolled agents ask for the newest release for
their system every few hours, download it from this server, and install it
only if its signature matches the release key built into them: the server
holds no key and signs nothing. A release without its .sig is not offered.
Without --releases no updates are offered.

Stop it with Ctrl-C or SIGTERM: it stops taking connections, finishes the
requests in flight (for up to --shutdown-timeout), then the judging in flight.

` + toolExitCodesHelp,
		Example: `  handwash serve
  handwash serve --data /var/lib/handwash --listen :443
  handwash serve --http --listen 127.0.0.1:8080      # behind a reverse proxy
  HANDWASH_DATABASE=postgres://handwash@db/handwash handwash serve`,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := applyEnv(cmd, serveFlags); err != nil {
				return err
			}
			return runServe(cmd, o)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&o.data, "data", "handwash-data", "directory for the SQLite database ("+databaseFile+") and the self-signed certificate")
	fl.StringVar(&o.database, "database", "", "a postgres:// URL: keep the data in PostgreSQL instead of SQLite")
	fl.StringVar(&o.listen, "listen", ":8443", "address to listen on, host:port")
	fl.StringVar(&o.tlsCert, "tls-cert", "", "PEM certificate (chain) to serve instead of the self-signed one; needs --tls-key")
	fl.StringVar(&o.tlsKey, "tls-key", "", "PEM private key of --tls-cert")
	fl.BoolVar(&o.plainHTTP, "http", false, "serve plain HTTP: only behind a reverse proxy that terminates TLS, or on loopback")
	fl.DurationVar(&o.staleAfter, "stale-after", 7*24*time.Hour, "a device not heard from for this long is stale")
	fl.IntVar(&o.workers, "workers", 0, "how many devices to judge at once (default: one per CPU)")
	fl.StringVar(&o.logFormat, "log-format", "text", "log format: text or json")
	fl.DurationVar(&o.shutdownTimeout, "shutdown-timeout", 30*time.Second, "on SIGINT or SIGTERM, how long to wait for requests in flight")
	fl.StringVar(&o.publicURL, "public-url", "", "the dashboard's address as people reach it, such as https://handwash.example.org, for links in notifications")
	fl.StringVar(&o.smtp.host, "smtp-host", "", "mail server to send notification emails through, such as smtp.office365.com (no email without it)")
	fl.IntVar(&o.smtp.port, "smtp-port", 0, "mail server port (default 587 for starttls, 465 for tls, 25 for none)")
	fl.StringVar(&o.smtp.tls, "smtp-tls", "starttls", "how to protect the mail connection: starttls, tls, or none (this machine only)")
	fl.StringVar(&o.smtp.username, "smtp-username", "", "user name to sign in to the mail server with; the password comes from HANDWASH_SMTP_PASSWORD or --smtp-password-file")
	fl.StringVar(&o.smtp.passwordFile, "smtp-password-file", "", "file holding the mail server password")
	fl.StringVar(&o.smtp.from, "smtp-from", "", `sender of notification emails, such as "Handwash <alerts@example.org>"`)
	fl.BoolVar(&o.webhookPrivate, "webhook-allow-private", false, "let webhooks post to loopback and private network addresses (receivers on your own network)")
	fl.StringVar(&o.feedsDir, "feeds", "", "folder of the security advisory feeds (default: feeds in the --data folder)")
	fl.DurationVar(&o.feedsRefresh, "feeds-refresh", 24*time.Hour, "how often to refresh the feeds from the internet; 0 for never (sites that use handwash feeds import)")
	fl.DurationVar(&o.phishEvery, "phish-inbox-every", 2*time.Minute, "how often to read the report-phishing mailboxes (handwash admin phish-inbox); 0 for never")
	fl.StringVar(&o.phishCAFile, "phish-inbox-ca-file", "", "PEM certificates to trust for report-phishing mailboxes, for mail servers with their own certificate authority")
	fl.DurationVar(&o.backupMaxAge, "backup-max-age", policy.DefaultBackupMaxAge, "how old a device's newest successful backup may be before the backup.recent check fails: 1h to 744h (31 days)")
	fl.StringVar(&o.breached, "breached-passwords", "hibp", "where the staff password page looks up breached passwords: hibp (Have I Been Pwned's range API: only the first 5 characters of a password's hash leave the browser, and the server passes them on), off, or a downloaded Pwned Passwords file or folder (handwash password index)")
	fl.StringVar(&o.hibpURL, "hibp-url", password.DefaultRangeURL, "address of the Pwned Passwords range API, or of a mirror of it, for --breached-passwords hibp")
	fl.StringVar(&o.debugListen, "debug-listen", "", "loopback address, such as 127.0.0.1:6060, to serve Go's profiles (/debug/pprof/) on for diagnosing CPU and memory use; off without it")
	fl.StringVar(&o.releases, "releases", "", "folder of signed release binaries (handwash_<version>_<os>_<arch> and its .sig) to offer enrolled agents as updates; none without it")
	describeEnv(cmd, serveFlags)
	return cmd
}

var serveFlags = []string{"data", "database", "listen", "tls-cert", "tls-key", "http", "stale-after", "workers", "log-format", "shutdown-timeout",
	"public-url", "smtp-host", "smtp-port", "smtp-tls", "smtp-username", "smtp-password-file", "smtp-from", "webhook-allow-private",
	"feeds", "feeds-refresh", "phish-inbox-every", "phish-inbox-ca-file", "backup-max-age", "breached-passwords", "hibp-url", "releases", "debug-listen"}

// envName is the environment variable that sets a flag.
func envName(flag string) string {
	return "HANDWASH_" + strings.ToUpper(strings.ReplaceAll(flag, "-", "_"))
}

// describeEnv names each flag's environment variable in its help.
func describeEnv(cmd *cobra.Command, names []string) {
	for _, n := range names {
		f := cmd.Flags().Lookup(n)
		if f == nil {
			f = cmd.PersistentFlags().Lookup(n)
		}
		f.Usage += " (env " + envName(n) + ")"
	}
}

// applyEnv sets every flag not given on the command line from its
// environment variable, when that is set.
func applyEnv(cmd *cobra.Command, names []string) error {
	for _, n := range names {
		f := cmd.Flags().Lookup(n)
		if f == nil || f.Changed {
			continue
		}
		v, ok := os.LookupEnv(envName(n))
		if !ok {
			continue
		}
		if err := cmd.Flags().Set(n, v); err != nil {
			// Not the value itself: HANDWASH_DATABASE may hold a password.
			return usageError{fmt.Errorf("%s (for --%s): %v", envName(n), n, errors.Unwrap(err))}
		}
	}
	return nil
}

func (o *serveOptions) check() error {
	switch {
	case o.listen == "":
		return handwash.Errorf(handwash.EINVALID, "--listen: give an address such as :8443 or 127.0.0.1:8080")
	case (o.tlsCert == "") != (o.tlsKey == ""):
		return handwash.Errorf(handwash.EINVALID, "--tls-cert and --tls-key go together: give both, or neither for a self-signed certificate")
	case o.plainHTTP && o.tlsCert != "":
		return handwash.Errorf(handwash.EINVALID, "--http serves plain HTTP, so --tls-cert and --tls-key would not be used: give one or the other")
	case o.staleAfter <= 0:
		return handwash.Errorf(handwash.EINVALID, "--stale-after: give a duration such as 168h")
	case o.workers < 0:
		return handwash.Errorf(handwash.EINVALID, "--workers: give a number of workers, or 0 for one per CPU")
	case o.logFormat != "text" && o.logFormat != "json":
		return handwash.Errorf(handwash.EINVALID, "--log-format %q: use text or json", o.logFormat)
	case o.shutdownTimeout <= 0:
		return handwash.Errorf(handwash.EINVALID, "--shutdown-timeout: give a duration such as 30s")
	case o.feedsRefresh < 0 || (o.feedsRefresh > 0 && o.feedsRefresh < time.Hour):
		return handwash.Errorf(handwash.EINVALID, "--feeds-refresh: give a duration of an hour or more, such as 24h, or 0 for never")
	case o.phishEvery < 0 || (o.phishEvery > 0 && o.phishEvery < 10*time.Second):
		return handwash.Errorf(handwash.EINVALID, "--phish-inbox-every: give a duration of 10s or more, such as 2m, or 0 for never")
	}
	if o.releases != "" {
		if fi, err := os.Stat(o.releases); err != nil || !fi.IsDir() {
			return handwash.Errorf(handwash.EINVALID, "--releases %s: give the folder that holds the release binaries and their .sig files", o.releases)
		}
	}
	if o.debugListen != "" && !loopbackAddress(o.debugListen) {
		return handwash.Errorf(handwash.EINVALID, "--debug-listen %s: give a loopback address such as 127.0.0.1:6060; the profiles show the server's inner workings and must not be reachable from the network", o.debugListen)
	}
	if err := policy.CheckBackupMaxAge(o.backupMaxAge); err != nil {
		return handwash.Errorf(handwash.EINVALID, "--backup-max-age %s %v", o.backupMaxAge, err)
	}
	if _, _, err := net.SplitHostPort(o.listen); err != nil {
		return handwash.Errorf(handwash.EINVALID, "--listen %q: give host:port, such as :8443 or 127.0.0.1:8080", o.listen)
	}
	if o.publicURL != "" {
		u, err := url.Parse(o.publicURL)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
			return handwash.Errorf(handwash.EINVALID, "--public-url %q: give the dashboard's address, such as https://handwash.example.org", o.publicURL)
		}
	}
	return nil
}

// mailConfig reads the mail settings, or nil when --smtp-host is not set.
func (o *serveOptions) mailConfig() (*notify.MailerConfig, error) {
	m := o.smtp
	if m.host == "" {
		if m.from != "" || m.username != "" || m.passwordFile != "" {
			return nil, handwash.Errorf(handwash.EINVALID, "--smtp-host: give the mail server too, or remove the other --smtp- settings")
		}
		return nil, nil
	}
	cfg := &notify.MailerConfig{Host: m.host, Port: m.port, Username: m.username, From: m.from, TLS: notify.TLSMode(m.tls),
		Password: os.Getenv("HANDWASH_SMTP_PASSWORD")}
	if m.passwordFile != "" {
		b, err := os.ReadFile(m.passwordFile)
		if err != nil {
			return nil, handwash.Errorf(handwash.EINVALID, "--smtp-password-file: %v", err)
		}
		cfg.Password = strings.TrimRight(string(b), "\r\n")
	}
	if err := cfg.Validate(); err != nil {
		return nil, handwash.Errorf(handwash.EINVALID, "the --smtp- settings: %s", handwash.ErrorMessage(err))
	}
	return cfg, nil
}

// serverGCPercent is the garbage collector's setting for serve when GOGC
// is not in its environment. Each upload with new Facts leaves some 600 KB
// of garbage; collecting half as often as Go's default (100) took 7-8% more
// uploads a second in the load test, for about 40 MB more at its peak
// (docs/PERFORMANCE.md).
const serverGCPercent = 200

// tuneGC sets the garbage collector for the server, unless GOGC (as
// getenv reads it) says otherwise, and says what it set: 0 for nothing.
func tuneGC(getenv func(string) string) int {
	if getenv("GOGC") != "" {
		return 0
	}
	debug.SetGCPercent(serverGCPercent)
	return serverGCPercent
}

func runServe(cmd *cobra.Command, o serveOptions) error {
	if err := o.check(); err != nil {
		return err
	}
	tuneGC(os.Getenv)
	mailCfg, err := o.mailConfig()
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	stdout := cmd.OutOrStdout()
	var lh slog.Handler = slog.NewTextHandler(cmd.ErrOrStderr(), nil)
	if o.logFormat == "json" {
		lh = slog.NewJSONHandler(cmd.ErrOrStderr(), nil)
	}
	log := slog.New(lh)

	store, where, err := openStore(ctx, o.data, o.database)
	if err != nil {
		return err
	}
	defer store.Close()
	cat, err := policy.Default()
	if err != nil {
		return fmt.Errorf("loading the built-in controls: %w", err)
	}

	var tlsConfig *tls.Config
	var fingerprint string
	if !o.plainHTTP {
		cert, fp, made, err := serverCertificate(o)
		if err != nil {
			return err
		}
		fingerprint = fp
		tlsConfig = &tls.Config{MinVersion: tls.VersionTLS12, Certificates: []tls.Certificate{cert}}
		if made {
			fmt.Fprintf(stdout, "Made a self-signed certificate: %s\n", filepath.Join(o.data, certFile))
		}
	}

	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	feedsDir := o.feedsDir
	if feedsDir == "" {
		feedsDir = feeds.ServerDir(o.data)
	}
	feedCache := feeds.New(feedsDir)
	feedCache.UserAgent = "handwash/" + versionString()
	adv := advisories.New(feedCache, nil)
	j := judge.New(judge.Config{Workers: o.workers, StaleAfter: o.staleAfter, Settings: policy.Settings{BackupMaxAge: o.backupMaxAge}},
		judge.Deps{Store: store, Catalogue: cat, Logger: log, Metrics: reg, Advisories: adv})
	notes, err := notifier.New(notifier.Config{Mail: mailCfg, AllowPrivateWebhooks: o.webhookPrivate, PublicURL: o.publicURL, StaleAfter: o.staleAfter},
		notifier.Deps{Store: store, Catalogue: cat, Logger: log, Metrics: reg})
	if err != nil {
		return err
	}
	api := web.NewServer(web.Config{StaleAfter: o.staleAfter, ReleasesDir: o.releases}, web.Deps{Store: store, Controls: cat, Logger: log, Metrics: reg, Stored: j.Wake, Uploaded: j.Offer, Notified: notes.Wake})
	pin := ""
	if o.tlsCert == "" {
		// A self-signed certificate: the enrolment commands pin it. One
		// from a certificate authority is checked as usual, and renewing
		// it must not strand the agents.
		pin = fingerprint
	}
	dashCfg := dashboard.Config{StaleAfter: o.staleAfter, Fingerprint: pin, AllowPrivateWebhooks: o.webhookPrivate}
	desk, err := newPhishDesk(&o, store, log, notes.Wake)
	if err != nil {
		return err
	}
	breached, err := breachedSource(o)
	if err != nil {
		return err
	}
	if c, ok := breached.(io.Closer); ok {
		defer c.Close()
	}
	dash, err := dashboard.New(dashCfg, dashboard.Deps{Store: store, Catalogue: cat, Logger: log, Stored: j.Wake, Notified: notes.Wake, Phish: desk,
		MobileSupport: adv.MobileSupport, Breached: breached})
	if err != nil {
		return fmt.Errorf("loading the dashboard: %w", err)
	}
	handler := serverRoutes(api, dash)
	srv := &http.Server{
		Handler:           handler,
		TLSConfig:         tlsConfig,
		ReadHeaderTimeout: 10 * time.Second,
		// A 4 MiB upload over a slow care-home line takes a while.
		ReadTimeout:    2 * time.Minute,
		WriteTimeout:   2 * time.Minute,
		IdleTimeout:    2 * time.Minute,
		MaxHeaderBytes: 64 << 10,
		ErrorLog:       slog.NewLogLogger(lh, slog.LevelWarn),
		BaseContext:    func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}

	ln, err := net.Listen("tcp", o.listen)
	if err != nil {
		return handwash.Errorf(handwash.EINVALID, "--listen %s: %v", o.listen, err)
	}
	if o.debugListen != "" {
		dl, err := net.Listen("tcp", o.debugListen)
		if err != nil {
			return handwash.Errorf(handwash.EINVALID, "--debug-listen %s: %v", o.debugListen, err)
		}
		defer dl.Close()
		go (&http.Server{Handler: debugHandler(), ReadHeaderTimeout: 10 * time.Second}).Serve(dl)
		log.Info("serving Go's profiles", "address", "http://"+dl.Addr().String()+"/debug/pprof/")
	}
	scheme := "https"
	if o.plainHTTP {
		scheme = "http"
	}
	// One write, so that whoever watches the output sees all of it at once.
	var banner bytes.Buffer
	fmt.Fprintf(&banner, "Handwash server %s listening on %s://%s (data: %s)\n", versionString(), scheme, ln.Addr(), where)
	if fingerprint != "" {
		fmt.Fprintf(&banner, "Certificate SHA-256 fingerprint (agents pin it with --fingerprint):\n  %s\n", fingerprint)
	}
	printFirstSteps(ctx, &banner, store, o)
	stdout.Write(banner.Bytes())

	j.CountDevices(ctx)
	judgeCtx, stopJudge := context.WithCancel(context.WithoutCancel(ctx))
	judged := make(chan struct{})
	go func() {
		defer close(judged)
		j.Run(judgeCtx)
	}()
	notified := make(chan struct{})
	go func() {
		defer close(notified)
		notes.Run(judgeCtx)
	}()
	go dashboard.RunSessionCleanUp(judgeCtx, store, dashCfg, log, 10*time.Minute)
	// Processes on one SQLite data folder share its feeds folder; those on
	// PostgreSQL may each have their own, and share feeds through it.
	keeper := feedkeeper.New(feedkeeper.Config{Every: o.feedsRefresh, Share: o.database != ""}, feedCache, store, log)
	go keeper.Run(judgeCtx)
	go desk.Run(judgeCtx)
	served := make(chan error, 1)
	go func() {
		if tlsConfig != nil {
			served <- srv.ServeTLS(ln, "", "")
		} else {
			served <- srv.Serve(ln)
		}
	}()
	log.Info("serving", "address", ln.Addr().String(), "tls", tlsConfig != nil)
	if o.releases != "" {
		log.Info("offering agent updates from the releases folder", "folder", o.releases)
	}

	var serveErr error
	select {
	case <-ctx.Done():
		log.Info("shutting down: finishing requests in flight", "timeout", o.shutdownTimeout)
	case serveErr = <-served:
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), o.shutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		log.Warn("requests still in flight were cut off", "err", err)
	}
	stopJudge()
	<-judged
	<-notified
	if err := store.Close(); err != nil {
		log.Warn("closing the database", "err", err)
	}
	log.Info("stopped")
	if serveErr != nil && !errors.Is(serveErr, http.ErrServerClosed) {
		return serveErr
	}
	return nil
}

// newPhishDesk makes what reads the report-phishing mailboxes and checks
// the reports, with DNS for DKIM signatures when a DNS server is found.
func newPhishDesk(o *serveOptions, store handwash.Store, log *slog.Logger, notified func()) (*phishdesk.Desk, error) {
	cfg := phishdesk.Config{Every: o.phishEvery}
	if o.phishEvery == 0 {
		cfg.Every = -1
	}
	if o.phishCAFile != "" {
		tc, err := trustFile("--phish-inbox-ca-file", o.phishCAFile)
		if err != nil {
			return nil, err
		}
		cfg.TLSConfig = tc
	}
	if r, err := resolve.New(""); err == nil {
		cfg.LookupTXT = r.LookupTXT
	} else {
		log.Warn("no DNS server found: DKIM signatures of reported emails are not checked", "err", err)
	}
	return phishdesk.New(cfg, phishdesk.Deps{Store: store, Logger: log, Notified: notified}), nil
}

// serverRoutes puts the API and the operations endpoints beside the
// dashboard, which has every other path.
// breachedSource opens where the staff password page looks up breached
// passwords; nil when it is off.
func breachedSource(o serveOptions) (password.RangeSource, error) {
	switch o.breached {
	case "off":
		return nil, nil
	case "hibp", "":
		if u, err := url.Parse(o.hibpURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return nil, handwash.Errorf(handwash.EINVALID, "--hibp-url %q: give the range API's address, such as %s", o.hibpURL, password.DefaultRangeURL)
		}
		return &password.RangeClient{BaseURL: o.hibpURL, UserAgent: "handwash/" + versionString()}, nil
	}
	off, err := password.OpenOffline(o.breached)
	if err != nil {
		return nil, handwash.Errorf(handwash.EINVALID, "--breached-passwords %s: %s", o.breached, handwash.ErrorMessage(err))
	}
	return off, nil
}

func serverRoutes(api, dash http.Handler) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/api/", api)
	mux.Handle("/hb/", api)
	for _, p := range []string{"/healthz", "/readyz", "/metrics"} {
		mux.Handle(p, api)
	}
	mux.Handle("/", dash)
	return mux
}

// openStore opens PostgreSQL when database is a postgres:// URL, and
// otherwise SQLite in the data directory. where says which, for people,
// without the URL's password.
func openStore(ctx context.Context, data, database string) (handwash.Store, string, error) {
	if database != "" {
		if !strings.HasPrefix(database, "postgres://") && !strings.HasPrefix(database, "postgresql://") {
			return nil, "", handwash.Errorf(handwash.EINVALID, "--database: give a postgres:// URL, or leave it out to use SQLite in --data")
		}
		return openPostgres(ctx, database)
	}
	if data == "" {
		return nil, "", handwash.Errorf(handwash.EINVALID, "--data: give a directory for the database")
	}
	if err := os.MkdirAll(data, 0o700); err != nil {
		return nil, "", handwash.Errorf(handwash.EINVALID, "--data %s: %v", data, err)
	}
	path := filepath.Join(data, databaseFile)
	db, err := sqlite.Open(path)
	if err != nil {
		return nil, "", err
	}
	return db, path, nil
}

// serverCertificate loads the certificate given with --tls-cert and
// --tls-key, or the self-signed one in the data directory, making it on
// first start. It returns the certificate's SHA-256 fingerprint, which
// agents pin.
func serverCertificate(o serveOptions) (cert tls.Certificate, fingerprint string, made bool, err error) {
	certPath, keyPath := o.tlsCert, o.tlsKey
	if certPath == "" {
		certPath, keyPath = filepath.Join(o.data, certFile), filepath.Join(o.data, keyFile)
		if _, err := os.Stat(certPath); errors.Is(err, fs.ErrNotExist) {
			if err := makeSelfSigned(certPath, keyPath); err != nil {
				return cert, "", false, err
			}
			made = true
		}
	}
	cert, err = tls.LoadX509KeyPair(certPath, keyPath)
	if err != nil {
		return cert, "", false, handwash.Errorf(handwash.EINVALID, "the TLS certificate %s and key %s cannot be used: %v", certPath, keyPath, err)
	}
	return cert, certFingerprint(cert.Certificate[0]), made, nil
}

// certFingerprint writes the SHA-256 of a certificate as people compare
// it and the agent's --fingerprint reads it: "AB:CD:…".
func certFingerprint(der []byte) string {
	sum := sha256.Sum256(der)
	var b strings.Builder
	for i, c := range sum {
		if i > 0 {
			b.WriteByte(':')
		}
		fmt.Fprintf(&b, "%02X", c)
	}
	return b.String()
}

// makeSelfSigned makes an ECDSA P-256 certificate for this machine's name,
// localhost and the loopback addresses. It is valid for ten years: agents
// pin it, so a certificate authority's short lifetimes would only mean
// enrolling every device again.
func makeSelfSigned(certPath, keyPath string) error {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return err
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return err
	}
	names := []string{"localhost"}
	host, _ := os.Hostname()
	if host != "" && host != "localhost" {
		names = append([]string{host}, names...)
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: names[0], Organization: []string{"Handwash server"}},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.AddDate(10, 0, 0),
		KeyUsage:              x509.KeyUsageDigitalSignature,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		DNSNames:              names,
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return err
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(certPath), 0o700); err != nil {
		return err
	}
	// The key first, so a certificate never exists without its key.
	if err := writeNew(keyPath, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}), 0o600); err != nil {
		return err
	}
	return writeNew(certPath, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644)
}

// writeNew writes a file through a temporary one, so a crash leaves either
// nothing or the whole file.
func writeNew(path string, b []byte, perm os.FileMode) error {
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, b, perm); err != nil {
		return err
	}
	if err := os.Chmod(tmp, perm); err != nil { // WriteFile's perm is masked by umask
		return err
	}
	return os.Rename(tmp, path)
}

// printFirstSteps says how to make the first administrator when there is
// no provider yet.
func printFirstSteps(ctx context.Context, w io.Writer, store handwash.Store, o serveOptions) {
	ps, err := store.Providers(ctx)
	if err != nil || len(ps) > 0 {
		return
	}
	where := "--data " + agent.ShellQuote(o.data)
	if o.database != "" {
		where = `--database "$HANDWASH_DATABASE"`
	}
	fmt.Fprintf(w, `
Nobody can use this server yet. Create your provider (your IT company, or your
care organisation if you run Handwash yourself) and its first administrator, who
signs in to the dashboard at this address and sets up an authenticator app:

  handwash admin %[1]s provider create "Your IT company"
  printf '%%s\n' 'three random words' | handwash admin %[1]s user create --provider "Your IT company" --role provider_admin --email you@example.org --name "Your name" --password-stdin

Scripts use an API token instead of a person's password:

  handwash admin %[1]s token create --provider "Your IT company" --role provider_admin --name "first script"

Then add an organisation and an enrolment token for its computers:

  handwash admin %[1]s org create --provider "Your IT company" "Rose House Care Home"
  handwash admin %[1]s enroll-token --org "Rose House Care Home"

`, where)
}

// openPostgres opens PostgreSQL; where names it without its password.
func openPostgres(ctx context.Context, dsn string) (handwash.Store, string, error) {
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	db, err := postgres.Open(ctx, dsn)
	if err != nil {
		return nil, "", err
	}
	where := "PostgreSQL"
	if u, err := url.Parse(dsn); err == nil {
		where = u.Redacted()
	}
	return db, where, nil
}

// firstCertificate returns the DER of the first certificate in PEM text.
func firstCertificate(b []byte) ([]byte, bool) {
	for {
		var block *pem.Block
		block, b = pem.Decode(b)
		if block == nil {
			return nil, false
		}
		if block.Type == "CERTIFICATE" {
			return block.Bytes, true
		}
	}
}
