package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"

	"github.com/spf13/cobra"

	"github.com/handwash/handwash"
	"github.com/handwash/handwash/advisories"
	"github.com/handwash/handwash/collect"
	"github.com/handwash/handwash/policy"
	"github.com/handwash/handwash/report"
	"github.com/handwash/handwash/schema"
)

// configName is the settings file looked for beside the handwash binary.
const configName = "handwash.yaml"

type checkOptions struct {
	format  string
	output  string
	failOn  string
	facts   string
	explain string
	config  string
	feeds   string
}

func newCheckCommand() *cobra.Command {
	var o checkOptions
	cmd := &cobra.Command{
		Use:   "check",
		Short: "Assess this computer and say what to fix first",
		Long: `Check assesses this computer (or saved Facts) against Handwash's controls,
grouped by area: backup, malware, devices, passwords, phishing, updates and
people. It prints a score per area and overall, each control's result, and a
"fix these first" list ordered by severity, with why each matters and the
steps to fix it on this platform.

Run it as an administrator (Windows) or with sudo (macOS, Linux) to see more;
without, some controls say they could not be checked and why.

Settings and exceptions: Handwash reads the settings file given with --config,
or else handwash.yaml beside the handwash program if there is one. Both parts
are optional:

  settings:
    backup_max_age: 48h             # how old the newest backup may be: 1h to
                                    # 744h (31 days); 24h if not set
  exceptions:
    - control: malware.usb-controlled
      device: RECEPTION-PC          # optional: hostname or device ID
      reason: The label printer needs a USB stick each week.
      owner: Jane Smith, registered manager
      expires: 2027-03-31

An exception accepts a control on a device for a while, with a reason, an
owner and an expiry date. An accepted failure shows as "accepted"; once its
date passes, the exception no longer applies and the report says it expired.
A mistake in the file stops the check with exit code 2, naming the line.

On Linux, the distribution's packages are compared with its security
advisories and with CISA's catalogue of vulnerabilities that attackers exploit,
once handwash feeds update has fetched them (see handwash feeds --help).

` + exitCodesHelp,
		Example: `  handwash check
  handwash check --format html --output report.html
  handwash check --format json --fail-on high
  handwash collect > facts.json && handwash check --facts facts.json
  handwash check --explain updates.smbv1-off`,
		RunE: func(cmd *cobra.Command, _ []string) error { return runCheck(cmd, o) },
	}
	fl := cmd.Flags()
	fl.StringVarP(&o.format, "format", "f", "text", "output format: text, json or html")
	fl.StringVarP(&o.output, "output", "o", "", "write the report to this file instead of standard output")
	fl.StringVar(&o.failOn, "fail-on", "", "exit with code 1 if a control fails at or above this severity: critical, high, medium, low or info")
	fl.StringVar(&o.facts, "facts", "", "judge saved Facts from this file (- for standard input) instead of this computer")
	fl.StringVar(&o.explain, "explain", "", "show one control: what it checks, its references and the evidence it was judged on")
	fl.StringVar(&o.config, "config", "", "settings file with settings and exceptions (default: "+configName+" beside the handwash program, if present)")
	fl.StringVar(&o.feeds, "feeds", "", "folder of the feeds that handwash feeds update keeps, as its --cache (default: this user's cache folder)")
	return cmd
}

func runCheck(cmd *cobra.Command, o checkOptions) error {
	checkMemory()
	// Check everything the user gave before doing any work.
	if !validFormat(o.format) {
		return handwash.Errorf(handwash.EINVALID, "unknown --format %q: use text, json or html", o.format)
	}
	failOn, err := parseFailOn(o.failOn)
	if err != nil {
		return err
	}
	cat, err := policy.Default()
	if err != nil {
		return fmt.Errorf("loading the built-in controls: %w", err)
	}
	if o.explain != "" {
		if _, ok := cat.Control(o.explain); !ok {
			return handwash.Errorf(handwash.EINVALID, "--explain: no control has the ID %q: the report lists every control's ID", o.explain)
		}
	}
	a, err := assessMachine(cmd, cat, o.facts, o.config, o.feeds)
	if err != nil {
		return err
	}

	if o.explain != "" {
		ctl, _ := cat.Control(o.explain)
		var finding *handwash.Finding
		for i := range a.Findings {
			if a.Findings[i].ControlID == o.explain {
				finding = &a.Findings[i]
			}
		}
		return writeOutput(cmd, o.output, func(w io.Writer) error { return report.Explain(w, ctl, finding) })
	}
	in := report.Input{Assessment: a, Controls: cat.Controls, Version: versionString()}
	if err := writeOutput(cmd, o.output, func(w io.Writer) error { return report.Render(w, o.format, in) }); err != nil {
		return err
	}
	if o.output != "" {
		fmt.Fprintf(cmd.ErrOrStderr(), "Report written to %s (overall score %s).\n", o.output, overall(a))
	}
	return failuresAtOrAbove(failOn, a.Findings, func(f handwash.Finding) (bool, handwash.Severity) {
		return f.Status == handwash.StatusFail, f.Severity
	})
}

// checkGCPercent is the garbage collector's target while judging this
// computer. Go's default (100) lets the heap grow to twice what is live;
// a check holds little for long, mostly the compiled catalogue, so
// collecting more often keeps its peak memory inside the 50 MB budget
// (about 47 MB against 57 MB at the default) for about 60 ms more of the
// 1 s budget (docs/PERFORMANCE.md). GOGC, when set, wins.
const checkGCPercent = 10

// checkMemory applies checkGCPercent unless GOGC is set.
func checkMemory() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(checkGCPercent)
	}
}

// assessMachine judges this computer's Facts (or those saved in
// factsFile) with the settings and exceptions of configFile and the
// feeds in feedsDir, as check does.
func assessMachine(cmd *cobra.Command, cat *policy.Catalogue, factsFile, configFile, feedsDir string) (*handwash.Assessment, error) {
	config, err := loadConfig(configFile, cat)
	if err != nil {
		return nil, err
	}
	var facts *handwash.Facts
	if factsFile != "" {
		if facts, err = readFacts(cmd, factsFile); err != nil {
			return nil, err
		}
	} else {
		facts = collect.Collect(cmd.Context(), collect.Options{Version: versionString()})
	}
	opt := policy.Options{Now: now(), Exceptions: config.Exceptions, Settings: config.Settings}
	cache, _ := openFeeds(feedsDir) // without a cache folder, the advisory controls say so
	advisories.NewForOneDevice(cache, now).Apply(&opt, facts)
	return cat.Evaluate(facts, opt), nil
}

// parseFailOn reads a --fail-on flag: "" for none.
func parseFailOn(flag string) (handwash.Severity, error) {
	if flag == "" {
		return "", nil
	}
	s, err := handwash.ParseSeverity(flag)
	if err != nil {
		return "", handwash.Errorf(handwash.EINVALID, "--fail-on: %s", handwash.ErrorMessage(err))
	}
	return s, nil
}

// failuresAtOrAbove is the findingsError for the failed findings at or
// above failOn ("" for none), or nil.
func failuresAtOrAbove[F any](failOn handwash.Severity, findings []F, failed func(F) (bool, handwash.Severity)) error {
	if failOn == "" {
		return nil
	}
	n := 0
	for _, f := range findings {
		if ok, sev := failed(f); ok && sev.Rank() >= failOn.Rank() {
			n++
		}
	}
	if n > 0 {
		return findingsError{n: n, sev: failOn}
	}
	return nil
}

func validFormat(f string) bool {
	for _, x := range report.Formats {
		if f == x {
			return true
		}
	}
	return false
}

func overall(a *handwash.Assessment) string {
	if !a.Overall.Assessed {
		return "not assessed"
	}
	return fmt.Sprintf("%d/100", a.Overall.Value)
}

// readFacts reads saved Facts from a file or standard input.
func readFacts(cmd *cobra.Command, name string) (*handwash.Facts, error) {
	if name == "-" {
		return schema.DecodeFacts(cmd.InOrStdin(), "standard input")
	}
	f, err := os.Open(name)
	if err != nil {
		return nil, fileError("--facts", name, err)
	}
	defer f.Close()
	return schema.DecodeFacts(f, name)
}

// loadConfig reads the settings file, with its settings and exceptions:
// the one given, or handwash.yaml beside the program when it exists.
// Without one, every setting is its default and there are no exceptions.
func loadConfig(path string, cat *policy.Catalogue) (*policy.Config, error) {
	explicit := path != ""
	if !explicit {
		exe, err := os.Executable()
		if err != nil {
			return &policy.Config{}, nil
		}
		path = filepath.Join(filepath.Dir(exe), configName)
	}
	b, err := readLimited(path, policy.MaxExceptionsSize)
	if err != nil {
		if !explicit && errors.Is(err, fs.ErrNotExist) {
			return &policy.Config{}, nil
		}
		return nil, fileError("--config", path, err)
	}
	known := func(id string) bool { _, ok := cat.Control(id); return ok }
	return policy.ParseConfig(b, path, known)
}

// readLimited reads a file of at most max bytes.
func readLimited(path string, max int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, max+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > max {
		return nil, handwash.Errorf(handwash.ETOOLARGE, "%s is larger than %d KiB", path, max>>10)
	}
	return b, nil
}

// fileError explains a file that cannot be opened.
func fileError(flag, name string, err error) error {
	var he *handwash.Error
	if errors.As(err, &he) {
		return err
	}
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return handwash.Errorf(handwash.EINVALID, "%s: %s does not exist", flag, name)
	case errors.Is(err, fs.ErrPermission):
		return handwash.Errorf(handwash.EINVALID, "%s: %s cannot be read: permission denied", flag, name)
	}
	return handwash.Errorf(handwash.EINVALID, "%s: %s: %v", flag, name, strings.TrimPrefix(err.Error(), "open "+name+": "))
}
