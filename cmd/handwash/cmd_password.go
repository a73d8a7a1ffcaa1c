package main

import (
	"context"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/handwash/handwash"
	"github.com/handwash/handwash/password"
)

// maxCheckedPassword is the longest password check reads, in bytes.
const maxCheckedPassword = 1024

const passwordExitCodesHelp = `Exit codes:
  0  the password is strong (score 3 or 4 of 4) and was not found in the
     breached passwords (or --no-breach-check was given)
  1  the password is weak, or it was found in the breached passwords
  2  usage or input error (bad flag, no password, more than one line, a
     password over 1,024 bytes, an offline file that is missing or damaged)
  3  the password is strong but the breached-password check could not be
     done (Have I Been Pwned could not be reached), or an internal error`

type passwordCheckOptions struct {
	format     string
	orgName    string
	orgDomains []string
	hibp       bool
	hibpURL    string
	offline    string
	noBreach   bool
	stdin      bool
}

func newPasswordCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "password",
		Short: "Check how strong a password is and whether it has been breached",
		Long: `Check how strong a password is and whether it has been breached.

handwash password check asks for a password without showing it, says how
many guesses an attacker would need and why (common words, names, dates,
keyboard patterns, look-alike swaps), and checks it against the passwords
stolen in data breaches that attackers try first. The password is never
stored, logged or sent: the breach check sends only the first 5 of the 40
characters of its SHA-1 hash to Have I Been Pwned, or works entirely offline
with a downloaded copy of the list.`,
	}
	cmd.AddCommand(newPasswordCheckCommand(), newPasswordIndexCommand())
	for _, c := range cmd.Commands() {
		c.Args = wrapArgs(c.Args)
	}
	return cmd
}

func newPasswordCheckCommand() *cobra.Command {
	var o passwordCheckOptions
	cmd := &cobra.Command{
		Use:   "check",
		Short: "Say how strong a password is and whether it has been breached",
		Long: `Say how strong one password is and whether it is in the lists of breached
passwords, in plain English, with what to do about it.

The password is read from the terminal without showing it. When standard
input is not a terminal, its one line is the password (at most 1,024 bytes;
the line ending is not part of it). Never give the password as an argument:
it would be saved in the shell's history.

Strength is zxcvbn's estimate of the guesses an attacker who knows the usual
patterns would need, scored 0 to 4; 3 or more counts as strong. Give your
organisation's name and web or mail domain with --org-name and --org-domain
so that passwords made from them count as weak: they are the first thing an
attacker targeting you tries.

Breached passwords are checked with Have I Been Pwned's Pwned Passwords
service by default: only the first 5 characters of the password's SHA-1 hash
are sent (asking for a padded answer, so even its size says nothing), and
the match is made on this computer. To work offline, download the list once
with haveibeenpwned-downloader (https://github.com/HaveIBeenPwned/PwnedPasswordsDownloader),
index it with handwash password index, and give it with --offline.

` + passwordExitCodesHelp,
		Example: `  handwash password check
  handwash password check --org-name "Rose Court Care Home" --org-domain rosecourt.example
  handwash password check --offline pwnedpasswords.txt
  printf '%s\n' 'three random words' | handwash password check --format json`,
		Args: noPasswordArgs,
		RunE: func(cmd *cobra.Command, args []string) error { return runPasswordCheck(cmd, o) },
	}
	fl := cmd.Flags()
	fl.StringVarP(&o.format, "format", "f", "text", "output format: text or json")
	fl.StringVar(&o.orgName, "org-name", "", "your organisation's name, whose words count as easy to guess")
	fl.StringSliceVar(&o.orgDomains, "org-domain", nil, "your organisation's web or mail domain, whose names count as easy to guess (repeat or separate with commas)")
	fl.BoolVar(&o.hibp, "hibp", false, "check breached passwords with Have I Been Pwned online (the default)")
	fl.StringVar(&o.hibpURL, "hibp-url", password.DefaultRangeURL, "address of the Pwned Passwords range API, or of a mirror of it")
	fl.StringVar(&o.offline, "offline", "", "check breached passwords in this downloaded Pwned Passwords file (or folder) instead of online")
	fl.BoolVar(&o.noBreach, "no-breach-check", false, "judge strength only; do not check breached passwords")
	fl.BoolVar(&o.stdin, "stdin", false, "read the password from standard input even when it is a terminal (it will show as you type)")
	return cmd
}

// noPasswordArgs refuses arguments without repeating them: one is
// probably the password.
func noPasswordArgs(_ *cobra.Command, args []string) error {
	if len(args) > 0 {
		return fmt.Errorf("give no arguments: never type a password on the command line, where the shell saves it in its history (change that password if it is a real one). Run handwash password check and type it when asked")
	}
	return nil
}

func newPasswordIndexCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "index FILE",
		Short: "Index a downloaded list of breached passwords for quick offline checks",
		Long: `Index a downloaded copy of Have I Been Pwned's Pwned Passwords list, so that
handwash password check --offline FILE finds a password in it in well under a
millisecond.

FILE is the single file haveibeenpwned-downloader writes by default
(pwnedpasswords.txt: SHA-1 hashes, lines HASH:COUNT, sorted). Every line is
checked; the index is saved beside it as FILE.hwidx (at most 8 MB) and is
rebuilt automatically whenever the file changes. Indexing the full list
(about 40 GB) takes a few minutes, most of it reading the file.

` + toolExitCodesHelp,
		Example: `  haveibeenpwned-downloader pwnedpasswords
  handwash password index pwnedpasswords.txt`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error { return runPasswordIndex(cmd, args[0]) },
	}
	return cmd
}

func runPasswordIndex(cmd *cobra.Command, path string) error {
	if st, err := os.Stat(path); err == nil && st.IsDir() {
		return handwash.Errorf(handwash.EINVALID, "%s is a folder: the per-prefix files need no index; give it to handwash password check --offline as it is", path)
	}
	start := time.Now()
	off, err := password.OpenOfflineWith(path, password.OfflineOptions{Rebuild: true, Progress: indexProgress(cmd.ErrOrStderr(), path)})
	if err != nil {
		return err
	}
	defer off.Close()
	if err := off.IndexSaveError(); err != nil {
		return handwash.Errorf(handwash.EINVALID, "the index of %s could not be saved as %s: %v", path, off.IndexPath(), unwrapPathError(err))
	}
	size := func(p string) int64 {
		if st, err := os.Stat(p); err == nil {
			return st.Size()
		}
		return 0
	}
	fmt.Fprintf(cmd.OutOrStdout(), "Indexed %s breached-password hashes in %s (%s) in %s.\nThe index is %s (%s). handwash password check --offline %s can use it now.\n",
		pwThousands(off.Hashes()), path, humanBytes(size(path)), humanDuration(time.Since(start)), off.IndexPath(), humanBytes(size(off.IndexPath())), path)
	return nil
}

// indexProgress prints how far indexing has got, at most every 5 seconds,
// for files big enough to take a while.
func indexProgress(w io.Writer, path string) func(done, total int64) {
	var last time.Time
	return func(done, total int64) {
		if total < 256<<20 || (time.Since(last) < 5*time.Second && done < total) {
			return
		}
		last = time.Now()
		fmt.Fprintf(w, "Indexing %s: %d of %d MB read\n", path, done>>20, total>>20)
	}
}

// passwordReport is the result of password check, as --format json shows
// it. It never holds the password or its hash.
type passwordReport struct {
	Strength password.Result `json:"strength"`
	Breach   breachReport    `json:"breach"`
	// Verdict is breached, weak or strong.
	Verdict string `json:"verdict"`
	// OK is true when the verdict is strong and the breach check was done
	// or skipped on purpose: exit code 0.
	OK bool `json:"ok"`
}

type breachReport struct {
	// Source is hibp (online), offline or none (--no-breach-check).
	Source string `json:"source"`
	// Checked is false when the check was skipped or failed (Error).
	Checked bool `json:"checked"`
	Found   bool `json:"found"`
	// Count is how many times the password appears in breaches.
	Count int64 `json:"count"`
	// URL is the range API asked (hibp); File the list looked in
	// (offline), and ListHashes how many hashes it holds.
	URL        string `json:"url,omitempty"`
	File       string `json:"file,omitempty"`
	ListHashes int64  `json:"list_hashes,omitempty"`
	Error      string `json:"error,omitempty"`
}

func runPasswordCheck(cmd *cobra.Command, o passwordCheckOptions) error {
	if o.format != "text" && o.format != "json" {
		return handwash.Errorf(handwash.EINVALID, "unknown --format %q: use text or json", o.format)
	}
	switch {
	case o.noBreach && (o.hibp || o.offline != ""):
		return handwash.Errorf(handwash.EINVALID, "--no-breach-check and --hibp or --offline: give one or the other")
	case o.hibp && o.offline != "":
		return handwash.Errorf(handwash.EINVALID, "--hibp and --offline: check online or offline, not both")
	case cmd.Flags().Changed("hibp-url") && (o.noBreach || o.offline != ""):
		return handwash.Errorf(handwash.EINVALID, "--hibp-url is only used when checking online")
	}
	ctx := cmd.Context()
	stderr := cmd.ErrOrStderr()

	// Open the offline list first, so that a bad file is reported before
	// anyone types a password.
	var off *password.Offline
	if o.offline != "" {
		var err error
		off, err = password.OpenOfflineWith(o.offline, password.OfflineOptions{Progress: indexProgress(stderr, o.offline)})
		if err != nil {
			return err
		}
		defer off.Close()
		if off.IndexBuilt() {
			if err := off.IndexSaveError(); err != nil {
				fmt.Fprintf(stderr, "handwash: the index of %s could not be saved beside it (%v), so it will be built again next time\n", o.offline, unwrapPathError(err))
			}
		}
	}

	pw, err := readCheckedPassword(ctx, cmd, o.stdin)
	if err != nil {
		return err
	}
	rep := passwordReport{Strength: password.Strength(pw, password.OrgWords(o.orgName, o.orgDomains...))}
	var breachErr error
	switch {
	case o.noBreach:
		rep.Breach.Source = "none"
	case off != nil:
		rep.Breach.Source, rep.Breach.File, rep.Breach.ListHashes = "offline", o.offline, off.Hashes()
		rep.Breach.Count, rep.Breach.Found, breachErr = off.LookupPassword(pw)
	default:
		rep.Breach.Source, rep.Breach.URL = "hibp", o.hibpURL
		c := &password.RangeClient{BaseURL: o.hibpURL, UserAgent: "handwash/" + versionString() + " (password check)"}
		rep.Breach.Count, breachErr = c.Lookup(ctx, pw)
		rep.Breach.Found = rep.Breach.Count > 0
	}
	if breachErr != nil {
		if ctx.Err() != nil {
			return handwash.Errorf(handwash.EINVALID, "stopped before the breached-password check finished")
		}
		rep.Breach.Error = handwash.ErrorMessage(breachErr)
		rep.Breach.Count, rep.Breach.Found = 0, false
	} else {
		rep.Breach.Checked = rep.Breach.Source != "none"
	}
	switch {
	case rep.Breach.Found:
		rep.Verdict = "breached"
	case !rep.Strength.Strong:
		rep.Verdict = "weak"
	default:
		rep.Verdict = "strong"
	}
	rep.OK = rep.Verdict == "strong" && breachErr == nil
	if err := writeOutput(cmd, "", func(w io.Writer) error {
		if o.format == "json" {
			return writeJSON(w, rep)
		}
		return writePasswordText(w, &rep)
	}); err != nil {
		return err
	}
	switch {
	case rep.Verdict != "strong":
		return verdictError{verdict: rep.Verdict}
	case breachErr != nil && off != nil:
		return breachErr // the offline list is damaged: exit 2
	case breachErr != nil:
		// The report says why; standard error says what it means.
		return &handwash.Error{Code: password.CodeUnavailable, Err: breachErr,
			Message: "breached passwords could not be checked, so the password is not known to be safe to use"}
	}
	return nil
}

// readCheckedPassword reads the password: from the terminal without echo,
// or the one line of standard input.
func readCheckedPassword(ctx context.Context, cmd *cobra.Command, forceStdin bool) (string, error) {
	in := cmd.InOrStdin()
	if f, ok := in.(*os.File); ok && !forceStdin && term.IsTerminal(int(f.Fd())) {
		return readPasswordFromTerminal(ctx, int(f.Fd()), cmd.ErrOrStderr())
	}
	b, err := io.ReadAll(io.LimitReader(in, 4097))
	if err != nil {
		return "", handwash.Errorf(handwash.EINVALID, "the password could not be read from standard input: %v", err)
	}
	if len(b) > 4096 {
		return "", handwash.Errorf(handwash.ETOOLARGE, "standard input holds over 4 KiB: give one password, on one line")
	}
	line, rest, _ := strings.Cut(string(b), "\n")
	line = strings.TrimSuffix(line, "\r")
	if strings.TrimSpace(rest) != "" {
		return "", handwash.Errorf(handwash.EINVALID, "standard input holds more than one line: give one password, on one line")
	}
	return checkPasswordInput(line)
}

func checkPasswordInput(pw string) (string, error) {
	switch {
	case pw == "":
		return "", handwash.Errorf(handwash.EINVALID, "no password was given: type it when asked, or pipe it in, for example: printf '%%s\\n' 'three random words' | handwash password check")
	case len(pw) > maxCheckedPassword:
		return "", handwash.Errorf(handwash.ETOOLARGE, "the password is over 1,024 bytes: that is longer than any password needs to be")
	}
	return pw, nil
}

// readPasswordFromTerminal prompts on standard error and reads a line with
// echo off, putting the terminal back as it was if interrupted.
func readPasswordFromTerminal(ctx context.Context, fd int, stderr io.Writer) (string, error) {
	state, err := term.GetState(fd)
	if err != nil {
		return "", handwash.Errorf(handwash.EINVALID, "the terminal cannot hide what is typed (%v): pipe the password in instead", err)
	}
	fmt.Fprint(stderr, "Password to check (it will not show as you type): ")
	type result struct {
		b   []byte
		err error
	}
	ch := make(chan result, 1)
	go func() {
		b, err := term.ReadPassword(fd)
		ch <- result{b, err}
	}()
	select {
	case r := <-ch:
		fmt.Fprintln(stderr)
		if r.err != nil {
			return "", handwash.Errorf(handwash.EINVALID, "the password could not be read from the terminal: %v", r.err)
		}
		pw := string(r.b)
		clear(r.b)
		return checkPasswordInput(pw)
	case <-ctx.Done():
		_ = term.Restore(fd, state)
		fmt.Fprintln(stderr)
		return "", handwash.Errorf(handwash.EINVALID, "stopped: no password was checked")
	}
}

func writePasswordText(w io.Writer, rep *passwordReport) error {
	s := &rep.Strength
	p := func(format string, args ...any) { fmt.Fprintf(w, format, args...) }
	p("Strength: %d of 4, %s\n", s.Score, s.Rating)
	pwWrap(w, "  ", "  ", "An attacker who knows the usual patterns needs "+humanGuesses(s.Guesses)+" guesses, which take:")
	for _, ct := range s.CrackTimes {
		p("    %-18s %s\n", ct.Display, ct.Description)
	}
	if len(s.Patterns) > 0 {
		p("  How it looks to an attacker:\n")
		for _, pt := range s.Patterns {
			where := fmt.Sprintf("character %d", pt.Start)
			if pt.End > pt.Start {
				where = fmt.Sprintf("characters %d to %d", pt.Start, pt.End)
			}
			pwWrap(w, "    - ", "      ", where+": "+pt.Description)
		}
	}
	if s.Warning != "" {
		pwWrap(w, "  Problem: ", "    ", s.Warning)
	}
	if len(s.Suggestions) > 0 {
		p("  To make it stronger:\n")
		for _, sg := range s.Suggestions {
			pwWrap(w, "    - ", "      ", sg)
		}
	}
	p("\n")
	b := &rep.Breach
	switch {
	case b.Source == "none":
		p("Breached passwords: not checked (--no-breach-check).\n")
	case b.Error != "":
		p("Breached passwords: could not be checked.\n")
		pwWrap(w, "  ", "  ", b.Error)
	case b.Found:
		where := "Have I Been Pwned"
		if b.Source == "offline" {
			where = b.File
		}
		p("Breached passwords: FOUND %s in data breaches (%s).\n", pwTimes(b.Count), where)
		pwWrap(w, "  ", "  ", "Attackers try breached passwords first, on every website. Do not use this password, and change it wherever it is used now, starting with email.")
	case b.Source == "offline" && b.ListHashes > 0:
		pwWrap(w, "", "  ", fmt.Sprintf("Breached passwords: not found among the %s in %s.", pwThousands(b.ListHashes), b.File))
	case b.Source == "offline":
		pwWrap(w, "", "  ", fmt.Sprintf("Breached passwords: not found in %s.", b.File))
	default:
		pwWrap(w, "", "  ", "Breached passwords: not found in Have I Been Pwned's list.")
	}
	if b.Source == "hibp" && b.Checked {
		pwWrap(w, "  ", "  ", "Only the first 5 of the 40 characters of the password's SHA-1 hash were sent; the password itself never left this computer.")
	}
	p("\nThe NCSC's advice on passwords:\n")
	for _, a := range s.Advice {
		pwWrap(w, "  - ", "    ", a)
	}
	p("\n")
	switch rep.Verdict {
	case "breached":
		p("Verdict: do not use this password: it has been breached.\n")
	case "weak":
		p("Verdict: do not use this password: it is too easy to guess.\n")
	default:
		if rep.OK {
			p("Verdict: strong. Use it for one account only.\n")
		} else {
			p("Verdict: strong, but it could not be checked against breached passwords.\n")
		}
	}
	return nil
}

// pwWrap writes text wrapped at 79 columns, the first line after
// first and the others after rest.
func pwWrap(w io.Writer, first, rest, text string) {
	const width = 79
	line := first
	empty := true
	for _, word := range strings.Fields(text) {
		if !empty && len(line)+1+len(word) > width {
			fmt.Fprintln(w, line)
			line, empty = rest, true
		}
		if !empty {
			line += " "
		}
		line += word
		empty = false
	}
	fmt.Fprintln(w, line)
}

// humanGuesses says a number of guesses in words: about 5, about 2,300,
// about 90 million, about 4 trillion, or more than a thousand trillion.
func humanGuesses(g float64) string {
	switch {
	case g < 1e6:
		return "about " + pwThousands(int64(math.Round(g)))
	case g < 1e9:
		return "about " + strconv.FormatFloat(g/1e6, 'f', 0, 64) + " million"
	case g < 1e12:
		return "about " + strconv.FormatFloat(g/1e9, 'f', 0, 64) + " billion"
	case g < 1e15:
		return "about " + strconv.FormatFloat(g/1e12, 'f', 0, 64) + " trillion"
	}
	return "more than a thousand trillion"
}

func pwTimes(n int64) string {
	if n == 1 {
		return "once"
	}
	return pwThousands(n) + " times"
}

// pwThousands writes n with commas: 3,861,493.
func pwThousands(n int64) string {
	s := strconv.FormatInt(n, 10)
	if n < 0 {
		return "-" + pwThousands(-n)
	}
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
