package main

import (
	"fmt"
	"io"
	"net/netip"
	"strings"

	"github.com/spf13/cobra"

	"github.com/handwash/handwash"
	"github.com/handwash/handwash/mailauth"
	"github.com/handwash/handwash/mailauth/spf"
	"github.com/handwash/handwash/resolve"
)

func newEmailCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "email",
		Short: "Check a mail domain's defences against spoofing",
		Long: `Check a mail domain's defences against spoofing.

Criminals send email that looks as if it came from a care home or a GP
practice, to families, suppliers and staff, asking them to pay a "new" bank
account or to sign in somewhere. SPF, DKIM and DMARC records in your domain
tell other mail servers to reject those messages; MTA-STS and TLS-RPT keep mail
to you encrypted on the way.`,
	}
	cmd.AddCommand(newEmailCheckCommand(), newEmailSPFCommand())
	for _, c := range cmd.Commands() {
		c.Args = wrapArgs(c.Args)
	}
	return cmd
}

type emailCheckOptions struct {
	format    string
	output    string
	failOn    string
	selectors []string
	resolver  string
}

func newEmailCheckCommand() *cobra.Command {
	var o emailCheckOptions
	cmd := &cobra.Command{
		Use:   "check DOMAIN",
		Short: "Grade a mail domain's SPF, DKIM, DMARC, MTA-STS, TLS-RPT and DNSSEC",
		Long: `Grade a mail domain's defences: its mail servers (MX), SPF (the record, the
10-lookup and 2-void-lookup limits, the final "all"), DMARC (policy, subdomain
policy, pct, reporting addresses), DKIM keys (at the selectors Microsoft 365 and
Google Workspace use, and any given with --selector), MTA-STS (the DNS record
and the policy on the web), TLS-RPT, and whether the zone is DNSSEC-signed.

Each finding says why it matters and gives the exact record to publish, with
the values for Microsoft 365, Google Workspace or NHSmail when the domain uses
them. A lookup that fails is reported as "could not check", never as a pass or
a fail.

` + emailExitCodesHelp,
		Example: `  handwash email check rosecourt.example
  handwash email check --selector s1 --selector mailchimp rosecourt.example
  handwash email check --format json --fail-on high rosecourt.example
  handwash email check --resolver 192.0.2.53:53 rosecourt.example`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error { return runEmailCheck(cmd, args[0], o) },
	}
	fl := cmd.Flags()
	fl.StringVarP(&o.format, "format", "f", "text", "output format: text or json")
	fl.StringVarP(&o.output, "output", "o", "", "write the result to this file instead of standard output")
	fl.StringVar(&o.failOn, "fail-on", "", "exit with code 1 if a finding fails at or above this severity: critical, high, medium, low or info")
	fl.StringSliceVar(&o.selectors, "selector", nil, "a DKIM selector your mail service signs with, besides the usual ones (repeat or separate with commas)")
	fl.StringVar(&o.resolver, "resolver", "", "DNS server to ask, as HOST:PORT (default: this computer's)")
	return cmd
}

const emailExitCodesHelp = `Exit codes:
  0  checked (and, with --fail-on, nothing failed at or above it)
  1  a finding failed at or above the --fail-on severity
  2  usage or input error (bad flag, not a domain name or IP address)
  3  internal error (please report it)`

// newResolver opens the DNS resolver a --resolver flag names.
func newResolver(addr string) (resolve.Resolver, error) {
	r, err := resolve.New(addr)
	if err != nil {
		if addr != "" {
			return nil, handwash.Errorf(handwash.EINVALID, "--resolver: %v", err)
		}
		return nil, handwash.Errorf(handwash.EINVALID, "no DNS server found on this computer (%v): give one with --resolver HOST:PORT", err)
	}
	return r, nil
}

func runEmailCheck(cmd *cobra.Command, domain string, o emailCheckOptions) error {
	if o.format != "text" && o.format != "json" {
		return handwash.Errorf(handwash.EINVALID, "unknown --format %q: use text or json", o.format)
	}
	failOn, err := parseFailOn(o.failOn)
	if err != nil {
		return err
	}
	for _, s := range o.selectors {
		if _, err := mailauth.ParseDomain(s + ".example"); err != nil || strings.Contains(s, ".") {
			return handwash.Errorf(handwash.EINVALID, "--selector %q: a DKIM selector is one word of letters, digits and hyphens, such as selector1", s)
		}
	}
	if _, err := mailauth.ParseDomain(domain); err != nil {
		return err
	}
	r, err := newResolver(o.resolver)
	if err != nil {
		return err
	}
	rep, err := mailauth.Check(cmd.Context(), r, domain, mailauth.Options{Selectors: o.selectors, Now: now})
	if err != nil {
		return err
	}
	if err := writeOutput(cmd, o.output, func(w io.Writer) error {
		if o.format == "json" {
			return writeJSON(w, rep)
		}
		return mailauth.WriteText(w, rep)
	}); err != nil {
		return err
	}
	return failuresAtOrAbove(failOn, rep.Findings, func(f mailauth.Finding) (bool, handwash.Severity) {
		return f.Status == mailauth.StatusFail, f.Severity
	})
}

type emailSPFOptions struct {
	format   string
	ip       string
	sender   string
	helo     string
	resolver string
}

func newEmailSPFCommand() *cobra.Command {
	var o emailSPFOptions
	cmd := &cobra.Command{
		Use:   "spf --ip IP --sender ADDRESS",
		Short: "Say whether a server may send mail for a domain, by its SPF record",
		Long: `Say whether the server at --ip may send mail from --sender, by evaluating the
sender's domain's SPF record as a receiving mail server does (RFC 7208's
check_host), and show every step of how the result was reached: each record,
each mechanism tried, each DNS lookup, and the limits of 10 lookups and 2 that
find nothing.

Use it to answer "may this server (our new scanner, the payroll service, the
newsletter service) send mail for us?" before mail starts bouncing or landing in
junk. With an empty --sender (--sender "") the HELO name given with --helo is
checked, as for bounce messages.

` + spfExitCodesHelp,
		Example: `  handwash email spf --ip 192.0.2.10 --sender manager@rosecourt.example
  handwash email spf --ip 2001:db8::25 --sender invoices@rosecourt.example --format json
  handwash email spf --ip 192.0.2.10 --sender "" --helo mail.rosecourt.example`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runEmailSPF(cmd, o) },
	}
	fl := cmd.Flags()
	fl.StringVarP(&o.format, "format", "f", "text", "output format: text or json")
	fl.StringVar(&o.ip, "ip", "", "the sending server's IP address (IPv4 or IPv6)")
	fl.StringVar(&o.sender, "sender", "", "the sender's address (the envelope's MAIL FROM), such as manager@rosecourt.example")
	fl.StringVar(&o.helo, "helo", "", "the name the server greets with (HELO/EHLO); default: the sender's domain")
	fl.StringVar(&o.resolver, "resolver", "", "DNS server to ask, as HOST:PORT (default: this computer's)")
	return cmd
}

const spfExitCodesHelp = `Exit codes:
  0  the result is pass
  1  any other result (fail, softfail, neutral, none, temperror, permerror)
  2  usage or input error (bad flag, not an IP address or mail address)
  3  internal error (please report it)`

// spfJSON is the JSON form of an SPF check.
type spfJSON struct {
	Schema      string    `json:"schema"`
	IP          string    `json:"ip"`
	Sender      string    `json:"sender"`
	HELO        string    `json:"helo,omitempty"`
	Domain      string    `json:"domain"`
	Result      string    `json:"result"`
	Reason      string    `json:"reason"`
	Mechanism   string    `json:"mechanism,omitempty"`
	MatchedIn   string    `json:"matched_in,omitempty"`
	Explanation string    `json:"explanation,omitempty"`
	Error       string    `json:"error,omitempty"`
	Lookups     int       `json:"dns_lookups"`
	VoidLookups int       `json:"void_lookups"`
	Queries     int       `json:"dns_queries"`
	Steps       []spfStep `json:"steps"`
}

type spfStep struct {
	Depth  int    `json:"depth"`
	Domain string `json:"domain"`
	Term   string `json:"term,omitempty"`
	Kind   string `json:"kind"`
	Text   string `json:"text"`
}

func runEmailSPF(cmd *cobra.Command, o emailSPFOptions) error {
	if o.format != "text" && o.format != "json" {
		return handwash.Errorf(handwash.EINVALID, "unknown --format %q: use text or json", o.format)
	}
	if !cmd.Flags().Changed("ip") {
		return handwash.Errorf(handwash.EINVALID, "--ip: give the sending server's IP address, such as 192.0.2.10")
	}
	ip, err := netip.ParseAddr(strings.TrimSpace(o.ip))
	if err != nil || ip.Zone() != "" {
		return handwash.Errorf(handwash.EINVALID, "--ip %q: not an IP address; give one such as 192.0.2.10 or 2001:db8::25", o.ip)
	}
	if !cmd.Flags().Changed("sender") {
		return handwash.Errorf(handwash.EINVALID, `--sender: give the sender's address, such as manager@rosecourt.example (or --sender "" with --helo for bounces)`)
	}
	sender := strings.Trim(strings.TrimSpace(o.sender), "<>")
	helo := strings.TrimSuffix(strings.TrimSpace(o.helo), ".")
	if sender == "" && helo == "" {
		return handwash.Errorf(handwash.EINVALID, `--helo: with an empty --sender, give the name the server greets with, such as mail.rosecourt.example`)
	}
	if sender != "" {
		at := strings.LastIndexByte(sender, '@')
		if at < 0 {
			return handwash.Errorf(handwash.EINVALID, "--sender %q: not a mail address; give one such as manager@rosecourt.example", o.sender)
		}
		if _, err := mailauth.ParseDomain(sender[at+1:]); err != nil {
			return handwash.Errorf(handwash.EINVALID, "--sender %q: %s", o.sender, handwash.ErrorMessage(err))
		}
		if helo == "" {
			helo = sender[at+1:]
		}
	}
	if _, err := mailauth.ParseDomain(helo); err != nil {
		return handwash.Errorf(handwash.EINVALID, "--helo %q: %s", o.helo, handwash.ErrorMessage(err))
	}
	r, err := newResolver(o.resolver)
	if err != nil {
		return err
	}
	res := spf.CheckMailFrom(cmd.Context(), r, ip, helo, sender, spf.WithClock(now))
	if err := cmd.Context().Err(); err != nil {
		return err
	}
	if err := writeOutput(cmd, "", func(w io.Writer) error {
		if o.format == "json" {
			out := spfJSON{Schema: "handwash.spf-check/v1", IP: ip.String(), Sender: sender, HELO: o.helo, Domain: res.Domain,
				Result: string(res.Verdict), Reason: res.Reason, Mechanism: res.Mechanism, MatchedIn: res.MatchedIn,
				Explanation: res.Explanation, Lookups: res.Lookups, VoidLookups: res.VoidLookups, Queries: res.Queries, Steps: []spfStep{}}
			if res.Err != nil {
				out.Error = res.Err.Error()
			}
			for _, s := range res.Steps {
				out.Steps = append(out.Steps, spfStep{Depth: s.Depth, Domain: s.Domain, Term: s.Term, Kind: string(s.Kind), Text: s.Text})
			}
			return writeJSON(w, out)
		}
		return writeSPFText(w, ip, sender, res)
	}); err != nil {
		return err
	}
	if res.Verdict != spf.Pass {
		return verdictError{verdict: string(res.Verdict)}
	}
	return nil
}

// spfMeaning says what each result means for the person asking.
var spfMeaning = map[spf.Verdict]string{
	spf.Pass:      "Yes: this server may send mail for the domain.",
	spf.Fail:      "No: the domain says this server may not send its mail. Receiving servers will reject or junk it, and with DMARC they should.",
	spf.SoftFail:  "Probably not: the domain says this server should not send its mail, but asks receivers to accept it and treat it with suspicion. Mail from it may land in junk.",
	spf.Neutral:   "The domain says nothing either way about this server. Receivers treat its mail as unchecked, and DMARC will not count SPF for it.",
	spf.None:      "The domain has no SPF record, so nobody can check which servers may send its mail: publish one (handwash email check DOMAIN shows the record to publish).",
	spf.TempError: "The DNS could not be asked just now: try again in a few minutes. Receivers usually ask the sender to try again later.",
	spf.PermError: "The domain's SPF record is broken: receivers cannot use it, and many treat the mail as failing. Its owner must fix the record.",
}

func writeSPFText(w io.Writer, ip netip.Addr, sender string, res spf.Result) error {
	fmt.Fprintf(w, "SPF result: %s\n", strings.ToUpper(string(res.Verdict)))
	if m := spfMeaning[res.Verdict]; m != "" {
		fmt.Fprintln(w, m)
	}
	fmt.Fprintf(w, "\nServer:  %s\n", ip)
	if sender != "" {
		fmt.Fprintf(w, "Sender:  %s\n", sender)
	}
	fmt.Fprintf(w, "Domain:  %s\n", res.Domain)
	fmt.Fprintf(w, "Why:     %s\n", res.Reason)
	if res.Mechanism != "" {
		fmt.Fprintf(w, "Decided by: %s", res.Mechanism)
		if res.MatchedIn != "" && res.MatchedIn != res.Domain {
			fmt.Fprintf(w, " (in the record of %s)", res.MatchedIn)
		}
		fmt.Fprintln(w)
	}
	if res.Explanation != "" {
		fmt.Fprintf(w, "The domain's own explanation: %s\n", res.Explanation)
	}
	fmt.Fprintf(w, "DNS lookups: %d of the %d allowed; lookups that found nothing: %d of %d\n",
		res.Lookups, spf.LookupLimit, res.VoidLookups, spf.VoidLookupLimit)
	fmt.Fprintln(w, "\nHow the result was reached:")
	for _, s := range res.Steps {
		fmt.Fprintf(w, "  %s\n", s.String())
	}
	return nil
}
