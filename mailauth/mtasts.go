package mailauth

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"time"

	"github.com/handwash/handwash"
	"github.com/handwash/handwash/resolve"
)

// maxPolicySize is the most of an MTA-STS policy Check reads: a real policy
// is a few hundred bytes, and RFC 8461 section 3.3 lets senders stop at 64 KB.
const maxPolicySize = 64 << 10

// policyClient fetches MTA-STS policies when Options.HTTPClient is nil. It
// finds the policy host's address through r, like every other lookup of
// the check, so a check pointed at a split-horizon DNS server with
// --resolver fetches the policy from the server that one names. Its
// timeouts sit under Check's own so a dead server gives a finding, not a
// hang.
func policyClient(r resolve.Resolver) *http.Client {
	return &http.Client{
		Timeout: 15 * time.Second,
		Transport: &http.Transport{
			Proxy:                 http.ProxyFromEnvironment,
			DialContext:           dialVia(r, &net.Dialer{Timeout: 10 * time.Second}),
			TLSClientConfig:       &tls.Config{MinVersion: tls.VersionTLS12},
			TLSHandshakeTimeout:   10 * time.Second,
			ResponseHeaderTimeout: 10 * time.Second,
			MaxIdleConns:          10,
			IdleConnTimeout:       30 * time.Second,
		},
	}
}

// dialVia dials a host:port, finding the host's addresses (IPv4 first)
// through r and trying each in turn.
func dialVia(r resolve.Resolver, d *net.Dialer) func(ctx context.Context, network, addr string) (net.Conn, error) {
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		host, port, err := net.SplitHostPort(addr)
		if err != nil {
			return nil, err
		}
		if _, err := netip.ParseAddr(host); err == nil {
			return d.DialContext(ctx, network, addr)
		}
		v4, err4 := r.LookupA(ctx, host)
		v6, err6 := r.LookupAAAA(ctx, host)
		addrs := append(v4, v6...)
		if len(addrs) == 0 {
			if err4 == nil {
				err4 = err6
			}
			return nil, fmt.Errorf("no address for %s: %w", host, err4)
		}
		var errs []error
		for _, a := range addrs {
			c, err := d.DialContext(ctx, network, net.JoinHostPort(a.String(), port))
			if err == nil {
				return c, nil
			}
			errs = append(errs, err)
		}
		return nil, errors.Join(errs...)
	}
}

// MTASTSResult is what was found about the domain's MTA-STS policy.
type MTASTSResult struct {
	// Name is _mta-sts.<domain>.
	Name string `json:"name"`
	// Records are the TXT records there that start with v=STSv1.
	Records []string `json:"records,omitempty"`
	// Record is the record read, when there is exactly one and it is valid.
	Record *MTASTSRecord `json:"record,omitempty"`
	// RecordError says why the record could not be read.
	RecordError string `json:"record_error,omitempty"`
	// PolicyURL is where the policy was fetched from.
	PolicyURL string `json:"policy_url,omitempty"`
	// Policy is the policy read, when it could be fetched and read.
	Policy *MTASTSPolicy `json:"policy,omitempty"`
	// PolicyError says why the policy could not be fetched.
	PolicyError string `json:"policy_error,omitempty"`
	// PolicyParseError says why the policy fetched could not be read.
	PolicyParseError string `json:"policy_parse_error,omitempty"`
	// PolicyTemporary is true when PolicyError may pass (a timeout), so the
	// policy is unknown rather than broken.
	PolicyTemporary bool `json:"policy_temporary,omitempty"`
	// Error says why the DNS lookup failed.
	Error string `json:"error,omitempty"`
}

func lookupMTASTS(ctx context.Context, r resolve.Resolver, domain string, client *http.Client) MTASTSResult {
	res := MTASTSResult{Name: "_mta-sts." + domain}
	txts, err := r.LookupTXT(ctx, res.Name)
	if err != nil && !errors.Is(err, resolve.ErrNotFound) {
		res.Error = err.Error()
		return res
	}
	for _, t := range txts {
		if strings.HasPrefix(t, "v=STSv1") {
			res.Records = append(res.Records, t)
		}
	}
	if len(res.Records) == 0 {
		return res
	}
	if len(res.Records) == 1 {
		if rec, err := ParseMTASTSRecord(res.Records[0]); err != nil {
			res.RecordError = err.Error()
		} else {
			res.Record = &rec
		}
	}
	// The policy is fetched even when the record is wrong, so one run shows
	// everything there is to fix.
	res.PolicyURL = "https://mta-sts." + domain + "/.well-known/mta-sts.txt"
	if client == nil {
		client = policyClient(r)
	}
	text, temporary, err := fetchPolicy(ctx, client, res.PolicyURL)
	if err != nil {
		res.PolicyError, res.PolicyTemporary = err.Error(), temporary
		return res
	}
	p, err := ParseMTASTSPolicy(text)
	if err != nil {
		res.PolicyParseError = err.Error()
		return res
	}
	res.Policy = &p
	return res
}

// fetchPolicy gets a policy file as RFC 8461 section 3.3 has senders do:
// HTTPS only, no redirects, status 200, text/plain, at most 64 KB. It
// reports whether a failure may pass (a timeout) rather than being one
// every sender would also meet.
func fetchPolicy(ctx context.Context, client *http.Client, url string) (string, bool, error) {
	c := *client
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return "", false, err
	}
	req.Header.Set("User-Agent", "handwash-email-check")
	resp, err := c.Do(req)
	if err != nil {
		return "", isTemporaryNetError(err), fmt.Errorf("could not fetch the policy: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 300 && resp.StatusCode < 400 {
		return "", false, fmt.Errorf("the web server redirects to %s, which senders do not follow", clip(resp.Header.Get("Location")))
	}
	if resp.StatusCode != http.StatusOK {
		return "", false, fmt.Errorf("the web server answered %q instead of the policy", resp.Status)
	}
	if mt, _, err := mime.ParseMediaType(resp.Header.Get("Content-Type")); err != nil || mt != "text/plain" {
		return "", false, fmt.Errorf("the policy is served as %q; it must be text/plain", clip(resp.Header.Get("Content-Type")))
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxPolicySize+1))
	if err != nil {
		return "", isTemporaryNetError(err), fmt.Errorf("could not read the policy: %w", err)
	}
	if len(body) > maxPolicySize {
		return "", false, errors.New("the policy is larger than 64 KB, so senders ignore it")
	}
	return string(body), false, nil
}

// isTemporaryNetError picks out failures that asking again may cure:
// timeouts, and DNS failures other than "no such host".
func isTemporaryNetError(err error) bool {
	if errors.Is(err, context.DeadlineExceeded) {
		return true
	}
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		return !dnsErr.IsNotFound
	}
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

const whyMTASTS = "Email between mail servers is usually encrypted, but a criminal on the network path can quietly turn the encryption off and read it. MTA-STS tells senders to insist on encryption when they deliver to you, so letters about residents, patients and staff cannot be read or changed on the way."

// policyAdvice writes the records and policy file for a domain: the TXT
// record with a fresh id (senders only fetch the policy again when the id
// changes) and the file listing the real MX hosts.
func policyAdvice(rep *Report, mode string) []Record {
	d := rep.Domain
	age := 604800 // a week while testing, so a mistake does not linger
	if mode == ModeEnforce {
		age = 1209600
	}
	var b strings.Builder
	fmt.Fprintf(&b, "version: STSv1\nmode: %s\n", mode)
	for _, h := range rep.MX.Hosts {
		fmt.Fprintf(&b, "mx: %s\n", h.Host)
	}
	fmt.Fprintf(&b, "max_age: %d\n", age)
	return []Record{
		{Name: "_mta-sts." + d, Type: "TXT", Value: "v=STSv1; id=" + rep.CheckedAt.Format("20060102150405")},
		{Name: "https://mta-sts." + d + "/.well-known/mta-sts.txt", Type: "FILE", Value: b.String()},
	}
}

// hostAdvice says who can serve the policy file. Microsoft 365 and Google
// Workspace do not host it for their customers; for others, ask.
func hostAdvice(rep *Report) string {
	d := rep.Domain
	what := " The file must be served over HTTPS, as text/plain, with a valid certificate for mta-sts." + d + "."
	switch rep.Provider {
	case ProviderMicrosoft365, ProviderGoogle:
		return what + " " + rep.Provider.Name() + " does not host it for you: your web host or IT supplier can, on any web server or static-site service."
	case ProviderNHSmail:
		return what + " Ask the NHSmail helpdesk whether they provide it for your domain; otherwise your web host or IT supplier can serve it."
	}
	return what + " Your web host or IT supplier can set this up."
}

func judgeMTASTS(rep *Report) []Finding {
	m, d := rep.MTASTS, rep.Domain
	if m.Error != "" {
		return []Finding{{
			ID: "email.mta-sts-unknown", Severity: handwash.SeverityMedium, Status: StatusUnknown,
			Title:   "Could not look up your MTA-STS record",
			Summary: "The DNS did not answer when asked for " + m.Name + ", so MTA-STS was not checked. Try again later.",
			Details: []string{m.Error},
		}}
	}
	if !rep.MX.receivesMail() {
		return nil // it protects mail coming in; with no MX there is none
	}
	host := hostAdvice(rep)
	switch {
	case len(m.Records) == 0:
		return []Finding{{
			ID: "email.mta-sts-missing", Severity: handwash.SeverityMedium, Status: StatusFail,
			Title:   "Email sent to you can be read in transit (no MTA-STS)",
			Summary: d + " has no MTA-STS policy, so senders deliver to you unencrypted if anyone on the way interferes.",
			Why:     whyMTASTS,
			Fix:     "Publish the TXT record and the policy file below, in testing mode, together with a TLS-RPT record so you get reports. After a few weeks with no problems in the reports, change the file to mode: enforce and change the id in the TXT record." + host,
			Records: policyAdvice(rep, ModeTesting),
		}}
	case len(m.Records) > 1:
		return []Finding{{
			ID: "email.mta-sts-multiple", Severity: handwash.SeverityMedium, Status: StatusFail,
			Title:   "Several MTA-STS records: senders ignore them all",
			Summary: fmt.Sprintf("There are %d MTA-STS records at %s; senders must then act as if there were none.", len(m.Records), m.Name),
			Why:     whyMTASTS,
			Fix:     "Delete all but one record at " + m.Name + ".",
			Records: policyAdvice(rep, ModeTesting)[:1],
			Details: quoteAll(m.Records),
		}}
	}
	var fs []Finding
	if m.RecordError != "" {
		fs = append(fs, Finding{
			ID: "email.mta-sts-record-invalid", Severity: handwash.SeverityMedium, Status: StatusFail,
			Title:   "Your MTA-STS record has a mistake",
			Summary: "The record at " + m.Name + " cannot be read: " + m.RecordError + ", so senders ignore your policy.",
			Why:     whyMTASTS,
			Fix:     "Replace the record with the one below. The id is any 1 to 32 letters and digits; change it every time you change the policy file.",
			Records: policyAdvice(rep, ModeTesting)[:1],
			Details: quoteAll(m.Records),
		})
	}
	switch {
	case m.PolicyError != "" && m.PolicyTemporary:
		return append(fs, Finding{
			ID: "email.mta-sts-policy-unknown", Severity: handwash.SeverityMedium, Status: StatusUnknown,
			Title:   "Could not fetch your MTA-STS policy",
			Summary: "The web server at " + m.PolicyURL + " did not answer in time, so the policy was not checked. Try again later.",
			Details: []string{m.PolicyError},
		})
	case m.PolicyParseError != "":
		return append(fs, Finding{
			ID: "email.mta-sts-policy-invalid", Severity: handwash.SeverityMedium, Status: StatusFail,
			Title:   "Your MTA-STS policy file has a mistake",
			Summary: "The policy at " + m.PolicyURL + " cannot be read: " + m.PolicyParseError + ". Senders ignore it.",
			Why:     whyMTASTS,
			Fix:     "Replace the file with the one below, and change the id in the TXT record so senders fetch it again.",
			Records: policyAdvice(rep, ModeTesting),
		})
	case m.PolicyError != "":
		return append(fs, Finding{
			ID: "email.mta-sts-policy-unavailable", Severity: handwash.SeverityMedium, Status: StatusFail,
			Title:   "Your MTA-STS policy file cannot be fetched",
			Summary: "You publish an MTA-STS record, but the policy at " + m.PolicyURL + " cannot be fetched: " + m.PolicyError + ".",
			Why:     whyMTASTS + " Without the file, the record does nothing.",
			Fix:     "Serve the file below at that address." + host,
			Records: policyAdvice(rep, ModeTesting)[1:],
		})
	}
	p := m.Policy
	var unmatched []string
	for _, h := range rep.MX.Hosts {
		if !p.MatchMX(h.Host) {
			unmatched = append(unmatched, h.Host)
		}
	}
	if len(unmatched) > 0 && p.Mode != ModeNone {
		f := Finding{
			ID: "email.mta-sts-mx-mismatch", Severity: handwash.SeverityMedium, Status: StatusWarn,
			Title:   "Your MTA-STS policy does not list all your mail servers",
			Summary: "These mail servers are in your MX records but not in the policy's mx lines: " + strings.Join(unmatched, ", ") + ".",
			Why:     "Senders check your mail servers against the policy. In testing mode they report the mismatch; in enforce mode they refuse to deliver to an unlisted server, so email to you can be delayed or lost.",
			Fix:     "Update the policy file to list your current mail servers, and change the id in the TXT record so senders fetch it again.",
			Records: policyAdvice(rep, p.Mode),
			Details: []string{"policy mx: " + strings.Join(p.MX, ", ")},
		}
		if p.Mode == ModeEnforce {
			f.Severity, f.Status = handwash.SeverityHigh, StatusFail
			f.Title = "Your MTA-STS policy blocks email to some of your mail servers"
		}
		fs = append(fs, f)
	}
	switch p.Mode {
	case ModeTesting:
		fs = append(fs, Finding{
			ID: "email.mta-sts-testing", Severity: handwash.SeverityLow, Status: StatusWarn,
			Title:   "MTA-STS is in testing mode",
			Summary: "Your policy has mode: testing, so senders report problems but still deliver without encryption if it is interfered with.",
			Why:     whyMTASTS,
			Fix:     "When your TLS reports show no problems, change the policy to mode: enforce and change the id in the TXT record.",
			Records: policyAdvice(rep, ModeEnforce),
		})
	case ModeNone:
		fs = append(fs, Finding{
			ID: "email.mta-sts-none", Severity: handwash.SeverityMedium, Status: StatusWarn,
			Title:   "MTA-STS is switched off",
			Summary: "Your policy has mode: none, which tells senders you have no policy.",
			Why:     whyMTASTS,
			Fix:     "Unless you are moving away from MTA-STS on purpose, publish a policy in testing mode and then enforce.",
			Records: policyAdvice(rep, ModeTesting),
		})
	}
	if p.Mode != ModeNone && p.MaxAge < 86400 {
		fs = append(fs, Finding{
			ID: "email.mta-sts-max-age-short", Severity: handwash.SeverityLow, Status: StatusWarn,
			Title:   "Senders forget your MTA-STS policy quickly",
			Summary: fmt.Sprintf("max_age is %d seconds (under a day), so senders must fetch the policy again and again.", p.MaxAge),
			Why:     "MTA-STS protects you best when senders remember the policy: an attacker who can block the policy's web address for a moment can otherwise switch it off.",
			Fix:     "Set max_age to at least 604800 (a week), and 1209600 (two weeks) or more once in enforce mode.",
			Records: policyAdvice(rep, p.Mode),
		})
	}
	if p.Mode == ModeEnforce && len(unmatched) == 0 && m.RecordError == "" {
		fs = append(fs, Finding{
			ID: "email.mta-sts-ok", Severity: handwash.SeverityMedium, Status: StatusPass,
			Title:   "Senders must encrypt email to you (MTA-STS enforced)",
			Summary: "Your MTA-STS policy is in enforce mode and lists all your mail servers.",
			Details: []string{"policy mx: " + strings.Join(p.MX, ", "), fmt.Sprintf("max_age: %d", p.MaxAge)},
		})
	}
	return fs
}
