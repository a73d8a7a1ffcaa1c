package main

import (
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/handwash/handwash"
	"github.com/handwash/handwash/phish"
	"github.com/handwash/handwash/resolve"
)

type phishOptions struct {
	format     string
	output     string
	failOn     string
	orgName    string
	orgDomains []string
	protected  []string
	noDNS      bool
	resolver   string
}

func newPhishCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "phish",
		Short: "Look at a suspicious email for the signs of phishing",
		Long: `Look at a suspicious email for the signs of phishing.

Three in four cyber incidents that adult social care providers report start
with a phishing email. handwash phish analyse reads one email saved as an .eml
file (Gmail: More > "Download message"; Thunderbird: File > Save As; Apple
Mail: File > Save As, "Raw Message Source") and says in plain English what in
it looks like phishing.

Whatever the verdict, report phishing you receive: to your IT provider, and to
the NCSC at report@phishing.gov.uk.`,
	}
	cmd.AddCommand(newPhishAnalyseCommand())
	for _, c := range cmd.Commands() {
		c.Args = wrapArgs(c.Args)
	}
	return cmd
}

func newPhishAnalyseCommand() *cobra.Command {
	var o phishOptions
	cmd := &cobra.Command{
		Use:   "analyse FILE.eml",
		Short: "Say whether one email shows the signs of phishing",
		Long: `Say whether one email shows the signs of phishing: failed sender checks,
a sender that pretends to be the NHS or a supplier, lookalike addresses,
links that go somewhere other than they say, forms that ask for passwords,
dangerous attachments (judged by what they are, not their name), and the
urgent or payment-change wording criminals use. Each sign is explained, and
the verdict is "likely phishing", "suspicious" or "no signs found".

Give the message as a file in Internet Message Format (.eml), or - to read it
from standard input. DKIM signatures are checked with the sender's published
keys when the DNS can be reached (--no-dns to work offline); the message
itself never leaves this computer.

` + phishExitCodesHelp,
		Example: `  handwash phish analyse invoice.eml
  handwash phish analyse --org-name "Rose Court Care Home" --org-domain rosecourt.example message.eml
  handwash phish analyse --format json - < message.eml
  handwash phish analyse --fail-on suspicious message.eml`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error { return runPhishAnalyse(cmd, args[0], o) },
	}
	fl := cmd.Flags()
	fl.StringVarP(&o.format, "format", "f", "text", "output format: text or json")
	fl.StringVarP(&o.output, "output", "o", "", "write the result to this file instead of standard output")
	fl.StringVar(&o.failOn, "fail-on", "", "exit with code 1 if the verdict is this or worse: suspicious or likely-phishing")
	fl.StringVar(&o.orgName, "org-name", "", "your organisation's name as staff know it, so a stranger using it is noticed")
	fl.StringSliceVar(&o.orgDomains, "org-domain", nil, "your organisation's own mail domain, guarded against lookalikes (repeat or separate with commas)")
	fl.StringSliceVar(&o.protected, "protect", nil, "another domain to guard against lookalikes, such as a supplier's or your council's (repeat or separate with commas)")
	fl.BoolVar(&o.noDNS, "no-dns", false, "do not look up DKIM keys in the DNS (work offline)")
	fl.StringVar(&o.resolver, "resolver", "", "DNS server to ask, as HOST:PORT (default: this computer's)")
	return cmd
}

const phishExitCodesHelp = `Exit codes:
  0  analysed (and, with --fail-on, the verdict was better than it)
  1  the verdict was at or worse than --fail-on
  2  usage or input error (bad flag, unreadable, empty or oversized message)
  3  internal error (please report it)`

// phishRank orders the verdicts, worst highest.
func phishRank(v phish.Verdict) int {
	switch v {
	case phish.VerdictPhishing:
		return 2
	case phish.VerdictSuspicious:
		return 1
	}
	return 0
}

func runPhishAnalyse(cmd *cobra.Command, path string, o phishOptions) error {
	if o.format != "text" && o.format != "json" {
		return handwash.Errorf(handwash.EINVALID, "unknown --format %q: use text or json", o.format)
	}
	failRank := -1
	switch strings.ToLower(strings.ReplaceAll(o.failOn, " ", "-")) {
	case "":
	case "suspicious":
		failRank = 1
	case "likely-phishing", "phishing":
		failRank = 2
	default:
		return handwash.Errorf(handwash.EINVALID, "--fail-on %q: use suspicious or likely-phishing", o.failOn)
	}
	if o.noDNS && o.resolver != "" {
		return handwash.Errorf(handwash.EINVALID, "--resolver and --no-dns: give one or the other")
	}
	opts := phish.Options{OrgName: o.orgName, OrgDomains: o.orgDomains, Protected: o.protected, Now: now()}
	if !o.noDNS {
		r, err := resolve.New(o.resolver)
		if err != nil {
			if o.resolver != "" {
				return handwash.Errorf(handwash.EINVALID, "--resolver: %v", err)
			}
			fmt.Fprintf(cmd.ErrOrStderr(), "handwash: no DNS server found (%v): DKIM signatures are not checked\n", err)
		} else {
			opts.LookupTXT = r.LookupTXT
		}
	}
	raw, err := readMessage(cmd.InOrStdin(), path, phish.MaxMessageSize)
	if err != nil {
		return err
	}
	rep, err := phish.Analyse(cmd.Context(), raw, opts)
	if err != nil {
		if ctxErr := cmd.Context().Err(); ctxErr != nil {
			return ctxErr
		}
		if handwash.ErrorCode(err) == handwash.EINTERNAL {
			return handwash.Errorf(handwash.EINVALID, "%s: %v", shownPath(path), err)
		}
		return err
	}
	if err := writeOutput(cmd, o.output, func(w io.Writer) error {
		if o.format == "json" {
			return writeJSON(w, rep)
		}
		return phish.WriteText(w, rep)
	}); err != nil {
		return err
	}
	if failRank >= 0 && phishRank(rep.Verdict) >= failRank {
		return verdictError{verdict: string(rep.Verdict)}
	}
	return nil
}

// verdictError reports that a verdict reached --fail-on; the result has
// already said why.
type verdictError struct{ verdict string }

func (e verdictError) Error() string { return "the verdict is " + e.verdict }

// readMessage reads a message from path ("-" for stdin), refusing one over
// max bytes with an error that names the file.
func readMessage(stdin io.Reader, path string, max int) ([]byte, error) {
	var r io.Reader = stdin
	if path != "-" {
		f, err := os.Open(path)
		if err != nil {
			return nil, handwash.Errorf(handwash.EINVALID, "%s cannot be read: %v", path, unwrapPathError(err))
		}
		defer f.Close()
		if st, err := f.Stat(); err == nil && st.IsDir() {
			return nil, handwash.Errorf(handwash.EINVALID, "%s is a folder: give one message saved as a file (.eml)", path)
		}
		r = f
	}
	raw, err := io.ReadAll(io.LimitReader(r, int64(max)+1))
	if err != nil {
		return nil, handwash.Errorf(handwash.EINVALID, "%s cannot be read: %v", shownPath(path), err)
	}
	switch {
	case len(raw) > max:
		return nil, handwash.Errorf(handwash.ETOOLARGE, "%s is larger than %d MB: that is not one email message", shownPath(path), max>>20)
	case len(strings.TrimSpace(string(raw[:min(len(raw), 4096)]))) == 0:
		return nil, handwash.Errorf(handwash.EINVALID, "%s is empty: give one email message saved as a file (.eml)", shownPath(path))
	}
	return raw, nil
}

func shownPath(path string) string {
	if path == "-" {
		return "standard input"
	}
	return path
}

func unwrapPathError(err error) error {
	if pe, ok := err.(*os.PathError); ok {
		return pe.Err
	}
	return err
}
