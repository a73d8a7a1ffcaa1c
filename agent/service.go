package agent

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/handwash/handwash"
)

// errNotAdmin is what install and uninstall say to someone who is not an
// administrator.
var errNotAdmin = handwash.Errorf(handwash.EINVALID, "installing or removing a service needs an administrator: run this again with sudo (Linux and macOS) or from an administrator's command prompt (Windows)")

// Service names and files on each platform.
const (
	// SystemdUnitName and SystemdUnitPath are the Linux service.
	SystemdUnitName = "handwash-agent.service"
	SystemdUnitPath = "/etc/systemd/system/" + SystemdUnitName
	// LaunchdLabel, LaunchdPlistPath and LaunchdLogDir are the macOS daemon.
	LaunchdLabel     = "dev.handwash.agent"
	LaunchdPlistPath = "/Library/LaunchDaemons/" + LaunchdLabel + ".plist"
	LaunchdLogDir    = "/Library/Logs/Handwash"
	// WindowsServiceName is the Windows service (and its event log source).
	WindowsServiceName = "HandwashAgent"
)

// unixConfigPath is DefaultConfigPath on Linux and macOS, named here so the
// generated unit and property list are the same whatever platform the
// tests run on.
const unixConfigPath = "/etc/handwash/agent.json"

// ServiceOptions says what install and uninstall act on.
type ServiceOptions struct {
	// Executable is the absolute path of the handwash binary to run.
	Executable string
	// ConfigPath is the agent's configuration file.
	ConfigPath string
	// DryRun prints what would be done and does nothing.
	DryRun bool
	// KeepConfig leaves the configuration, state and spool on uninstall.
	KeepConfig bool
	// Out receives what is done, or would be.
	Out io.Writer
}

// runArgs are the service's arguments after the executable.
func runArgs(configPath, defaultPath string) []string {
	args := []string{"agent", "run"}
	if configPath != "" && filepath.Clean(configPath) != filepath.Clean(defaultPath) {
		args = append(args, "--config", configPath)
	}
	return args
}

// systemdQuote writes a word for a unit file so that systemd reads it back
// as it is: specifier (%) and variable ($) characters doubled and, when
// the word has spaces, quotes or backslashes, double quotes around it with
// those escaped.
func systemdQuote(s string) string {
	s = strings.NewReplacer("%", "%%", "$", "$$").Replace(s)
	if s != "" && !strings.ContainsAny(s, " \t\"'\\;") {
		return s
	}
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}

// SystemdUnit returns the Linux unit that runs the agent.
//
// The collectors run as root because much of what they read is root's
// only (other users' crontabs, firewall rules, disk encryption), but they
// write nothing except the agent's own directory, so the unit makes the
// whole file system read-only for the service and removes what the agent
// never uses. Options that would hide facts are left out on purpose, and
// the unit says which and why.
func SystemdUnit(executable, configPath string) string {
	if configPath == "" {
		configPath = unixConfigPath
	}
	words := []string{systemdQuote(executable)}
	for _, a := range runArgs(configPath, unixConfigPath) {
		words = append(words, systemdQuote(a))
	}
	return `# Written by 'handwash agent install'; 'handwash agent uninstall' removes it.
[Unit]
Description=Handwash agent: reports this computer's cyber hygiene to the Handwash server
Documentation=https://github.com/handwash/handwash
Wants=network-online.target
After=network-online.target

[Service]
Type=simple
ExecStart=` + strings.Join(words, " ") + `
Restart=on-failure
RestartSec=30s
# A stop lets a collection (under 30 s) and an upload (under 2 min) finish.
TimeoutStopSec=150s

# The agent must never slow down the people using the computer.
Nice=10
CPUSchedulingPolicy=batch
IOSchedulingClass=best-effort
IOSchedulingPriority=7
# A hard ceiling, as osquery's watchdog has; at rest the agent needs under 30 MB.
MemoryMax=200M
UMask=0077

# Read-only system: the agent writes only its own directory.
ProtectSystem=strict
ReadWritePaths=` + systemdQuote(path.Dir(configPath)) + `
` + selfUpdatePaths(executable) + `# dnf and yum, which the updates collector asks from their cache (-C),
# still take locks in their cache and write their logs ("-": if present).
ReadWritePaths=-/var/cache/dnf -/var/cache/yum -/var/cache/libdnf5 -/var/lib/dnf -/var/log
ProtectHome=read-only
PrivateTmp=yes
# The collectors start tools as root or, through runuser, as the console
# user; none of them needs set-user-ID programs to gain privileges.
NoNewPrivileges=yes
RestrictSUIDSGID=yes
ProtectKernelModules=yes
ProtectKernelLogs=yes
ProtectKernelTunables=yes
ProtectControlGroups=yes
ProtectClock=yes
RestrictRealtime=yes
RestrictNamespaces=yes
LockPersonality=yes
SystemCallArchitectures=native
# HTTPS to the server, netlink for ss and nft, local sockets for D-Bus.
RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6 AF_NETLINK
# Left out on purpose: PrivateDevices (lsblk and cryptsetup read the disks),
# ProtectHostname (would freeze the host name the Facts report),
# MemoryDenyWriteExecute (Python tools such as firewall-cmd use libffi),
# CapabilityBoundingSet and SystemCallFilter (the collectors run some twenty
# system tools; a narrower list would hide facts without saying so).

[Install]
WantedBy=multi-user.target
`
}

// selfUpdatePaths opens the program's folder to the service when this
// build updates itself: the new version is written beside the program and
// renamed into its place.
func selfUpdatePaths(executable string) string {
	if on, _ := SelfUpdate(); !on {
		return ""
	}
	return `# Self-update writes a new version beside the program and renames it into
# place, so the program's folder is writable too (install handwash in a
# folder of its own, such as /opt/handwash, to keep this narrow).
ReadWritePaths=` + systemdQuote(path.Dir(executable)) + "\n"
}

// xmlEscape escapes text for a property list.
func xmlEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;", "'", "&apos;").Replace(s)
}

// LaunchdPlist returns the macOS launch daemon that runs the agent: at
// boot, restarted 30 s after a failure, in the background class that macOS
// throttles when people need the machine.
func LaunchdPlist(executable, configPath string) string {
	var args strings.Builder
	for _, a := range append([]string{executable}, runArgs(configPath, unixConfigPath)...) {
		args.WriteString("\t\t<string>" + xmlEscape(a) + "</string>\n")
	}
	log := xmlEscape(LaunchdLogDir + "/agent.log")
	return `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<!-- Written by 'handwash agent install'; 'handwash agent uninstall' removes it. -->
<plist version="1.0">
<dict>
	<key>Label</key>
	<string>` + LaunchdLabel + `</string>
	<key>ProgramArguments</key>
	<array>
` + args.String() + `	</array>
	<key>RunAtLoad</key>
	<true/>
	<key>KeepAlive</key>
	<dict>
		<key>SuccessfulExit</key>
		<false/>
	</dict>
	<key>ThrottleInterval</key>
	<integer>30</integer>
	<key>ExitTimeOut</key>
	<integer>150</integer>
	<key>ProcessType</key>
	<string>Background</string>
	<key>Nice</key>
	<integer>10</integer>
	<key>LowPriorityIO</key>
	<true/>
	<key>Umask</key>
	<integer>63</integer>
	<key>StandardOutPath</key>
	<string>` + log + `</string>
	<key>StandardErrorPath</key>
	<string>` + log + `</string>
</dict>
</plist>
`
}

// WindowsService describes the Windows service install creates.
type WindowsService struct {
	Name        string
	DisplayName string
	Description string
	// Args follow the executable on the service's command line.
	Args []string
}

// WindowsServiceFor returns the Windows service that runs the agent.
func WindowsServiceFor(configPath, defaultPath string) WindowsService {
	return WindowsService{
		Name:        WindowsServiceName,
		DisplayName: "Handwash agent",
		Description: "Reports this computer's cyber hygiene to the Handwash server every few hours. Stopping it stops the reports; 'handwash agent uninstall' removes it.",
		Args:        runArgs(configPath, defaultPath),
	}
}

// step is one action of install or uninstall, printed as it is done, or
// only printed for a dry run.
type step struct {
	what string
	show string // shown after what on a dry run: the file to be written
	do   func() error
	// soft steps may fail (removing what is already gone) with a note.
	soft bool
}

func runSteps(o ServiceOptions, steps []step) error {
	out := o.Out
	if out == nil {
		out = io.Discard
	}
	for _, s := range steps {
		if o.DryRun {
			fmt.Fprintf(out, "Would %s\n", s.what)
			if s.show != "" {
				fmt.Fprintf(out, "%s\n", strings.TrimRight(s.show, "\n"))
			}
			continue
		}
		err := s.do()
		switch {
		case err == nil:
			fmt.Fprintf(out, "Did %s\n", s.what)
		case s.soft:
			fmt.Fprintf(out, "Skipped %s (%v)\n", s.what, err)
		default:
			return fmt.Errorf("could not %s: %w", s.what, err)
		}
	}
	return nil
}

// writeStep writes a file readable by everyone (a unit, a property list).
func writeStep(path, content string) step {
	return step{what: "write " + path, show: content, do: func() error {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return err
		}
		return writeFileAtomic(path, []byte(content), false)
	}}
}

// removeFileStep removes a file; one already gone is fine.
func removeFileStep(path string) step {
	return step{what: "remove " + path, do: func() error {
		if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
		return nil
	}}
}

// dataSteps remove the agent's configuration (with the credential), state
// and spool (Facts describing the device's weak spots), then its directory
// if nothing else is in it.
func dataSteps(p Paths) []step {
	return []step{
		removeFileStep(p.Config),
		removeFileStep(p.State),
		{what: "remove " + p.Spool, do: func() error { return removeTree(p.Spool) }},
		{what: "remove " + p.Dir + " if empty", soft: true, do: func() error {
			// Temporary files of an interrupted write go too.
			names, _ := readNames(p.Dir)
			for _, n := range names {
				if strings.HasPrefix(n, ".agent") && strings.Contains(n, ".tmp-") {
					os.Remove(filepath.Join(p.Dir, n))
				}
			}
			if err := os.Remove(p.Dir); err != nil && !errors.Is(err, fs.ErrNotExist) {
				return errors.New("it holds other files")
			}
			return nil
		}},
	}
}

// removeTree removes a folder and what it holds, one entry at a time.
// os.RemoveAll would do, but Wine, where the Windows code is tested, lacks
// the call it makes on Windows.
func removeTree(dir string) error {
	es, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	for _, e := range es {
		p := filepath.Join(dir, e.Name())
		if e.IsDir() {
			err = removeTree(p)
		} else {
			err = os.Remove(p)
		}
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
	}
	if err := os.Remove(dir); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}

// checkInstall refuses what would make a service that cannot work.
func checkInstall(o ServiceOptions) error {
	if _, err := LoadConfig(o.ConfigPath); err != nil {
		return err
	}
	if !filepath.IsAbs(o.Executable) {
		return handwash.Errorf(handwash.EINVALID, "the service needs the absolute path of handwash, not %q", o.Executable)
	}
	for _, tmp := range []string{os.TempDir(), "/tmp", "/var/tmp"} {
		if rel, err := filepath.Rel(tmp, o.Executable); err == nil && !strings.HasPrefix(rel, "..") {
			return handwash.Errorf(handwash.EINVALID, "handwash runs from a temporary folder (%s), which the service cannot rely on: copy it to a permanent place (for example /usr/local/bin or C:\\Program Files\\Handwash) and run install from there", o.Executable)
		}
	}
	return nil
}

// InstallService registers the agent as a service that starts at boot and
// starts it now. It is safe to run again (after an upgrade, say).
func InstallService(ctx context.Context, o ServiceOptions) error {
	if o.Out == nil {
		o.Out = io.Discard
	}
	if !o.DryRun {
		if !isAdmin() {
			return errNotAdmin
		}
		if err := checkInstall(o); err != nil {
			return err
		}
	}
	return installService(ctx, o)
}

// UninstallService stops and removes the service and, unless KeepConfig,
// the agent's configuration, state and spool.
func UninstallService(ctx context.Context, o ServiceOptions) error {
	if o.Out == nil {
		o.Out = io.Discard
	}
	if !o.DryRun && !isAdmin() {
		return errNotAdmin
	}
	return uninstallService(ctx, o)
}
