package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/net/idna"

	"github.com/handwash/handwash"
	"github.com/handwash/handwash/imapinbox"
)

// phishInboxOptions are the flags of handwash admin phish-inbox.
type phishInboxOptions struct {
	org, addr, security, user, passwordFile, folder, caFile string
	domains                                                 []string
	remove, noCheck                                         bool
}

// newPhishInboxCommand shows, sets or removes an organisation's
// report-phishing mailbox.
func newPhishInboxCommand(o *adminOptions) *cobra.Command {
	var f phishInboxOptions
	c := &cobra.Command{
		Use:   "phish-inbox --org ID|NAME [--addr HOST:PORT --user NAME --password-file FILE [--domain DOMAIN]...] [--remove]",
		Short: "Show, set or remove the mailbox where an organisation's staff report phishing",
		Long: `Phish-inbox shows an organisation's report-phishing mailbox, or with --addr
sets it: staff forward suspicious emails there, and the server reads it over
IMAP with TLS every few minutes, checks each email, thanks the person who
reported it and tells the administrators of any likely phishing.

The mailbox's password is read from --password-file (a file holding it on one
line; - reads standard input), never from the command line, where other users
could see it. It is stored in the server's database and never shown again.
The settings are tried before they are saved, unless --no-check is given.

--domain names the organisation's own mail domains (repeat it for each):
people with addresses there are thanked by email, and lookalikes of them count
as a sign of phishing. Without it, the domain of --user is used.

For Microsoft 365 and Google Workspace use outlook.office365.com:993 and
imap.gmail.com:993; both may need IMAP switched on for the mailbox, and
Google an app password.`,
		Example: `  handwash admin phish-inbox --org "Rose Court" --addr imap.example.net:993 \
      --user report-phishing@rosecourt.example --password-file imap-password.txt
  handwash admin phish-inbox --org "Rose Court"
  handwash admin phish-inbox --org "Rose Court" --remove`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := required("org", f.org); err != nil {
				return err
			}
			return o.withStore(cmd, func(ctx context.Context, s handwash.Store) error {
				org, err := findOrg(ctx, s, f.org, nil)
				if err != nil {
					return err
				}
				scope := handwash.Scope{ProviderID: org.ProviderID}
				switch {
				case f.remove:
					if err := s.DeletePhishInbox(ctx, scope, org.ID); err != nil {
						return err
					}
					return o.created(cmd.OutOrStdout(), map[string]string{"org_id": org.ID, "removed": "true"},
						fmt.Sprintf("%s's report-phishing mailbox was removed. Its reports stay.", org.Name))
				case f.addr != "":
					in, err := f.inbox(cmd, org.ID)
					if err != nil {
						return err
					}
					if !f.noCheck {
						if err := f.check(ctx, in); err != nil {
							return err
						}
					}
					if err := s.PutPhishInbox(ctx, scope, in); err != nil {
						return err
					}
				}
				in, err := s.PhishInbox(ctx, scope, org.ID)
				if handwash.ErrorCode(err) == handwash.ENOTFOUND {
					return o.created(cmd.OutOrStdout(), map[string]string{"org_id": org.ID},
						fmt.Sprintf("%s has no report-phishing mailbox. Set one with --addr, --user and --password-file.", org.Name))
				}
				if err != nil {
					return err
				}
				return o.created(cmd.OutOrStdout(), in, describeInbox(org.Name, in))
			})
		},
	}
	c.Flags().StringVar(&f.org, "org", "", "the organisation (ID or name)")
	c.Flags().StringVar(&f.addr, "addr", "", "the IMAP server as HOST:PORT (993 for TLS, 143 for STARTTLS)")
	c.Flags().StringVar(&f.security, "security", "", "tls or starttls (default: by port)")
	c.Flags().StringVar(&f.user, "user", "", "the mailbox's username, usually its address")
	c.Flags().StringVar(&f.passwordFile, "password-file", "", "a file holding the mailbox's password on one line (- for standard input)")
	c.Flags().StringVar(&f.folder, "folder", "", "the folder to read (default INBOX)")
	c.Flags().StringArrayVar(&f.domains, "domain", nil, "the organisation's own mail domain (repeat for each)")
	c.Flags().StringVar(&f.caFile, "ca-file", "", "PEM certificates to trust for the IMAP server, for a server with its own certificate authority")
	c.Flags().BoolVar(&f.remove, "remove", false, "remove the mailbox (its reports stay)")
	c.Flags().BoolVar(&f.noCheck, "no-check", false, "save the settings without trying them")
	return c
}

// inbox builds the settings from the flags, checking each.
func (f *phishInboxOptions) inbox(cmd *cobra.Command, orgID string) (*handwash.PhishInbox, error) {
	if err := required("user", f.user); err != nil {
		return nil, err
	}
	if err := required("password-file", f.passwordFile); err != nil {
		return nil, err
	}
	password, err := readSecretLine(cmd, f.passwordFile)
	if err != nil {
		return nil, err
	}
	domains, err := mailDomains(f.domains, f.user)
	if err != nil {
		return nil, err
	}
	in := &handwash.PhishInbox{OrgID: orgID, Addr: f.addr, Security: f.security, Username: f.user, Password: password, Folder: f.folder, Domains: domains}
	mb := imapinbox.Mailbox{Addr: in.Addr, Security: in.Security, Username: in.Username, Password: in.Password, Folder: in.Folder}
	if err := mb.Validate(); err != nil {
		return nil, err
	}
	return in, nil
}

// check logs in to the mailbox, so that wrong settings are found now
// rather than by a report that never arrives.
func (f *phishInboxOptions) check(ctx context.Context, in *handwash.PhishInbox) error {
	mb := imapinbox.Mailbox{Addr: in.Addr, Security: in.Security, Username: in.Username, Password: in.Password, Folder: in.Folder, Timeout: 30 * time.Second}
	if f.caFile != "" {
		cfg, err := trustFile("--ca-file", f.caFile)
		if err != nil {
			return err
		}
		mb.TLSConfig = cfg
	}
	if _, err := imapinbox.Check(ctx, mb); err != nil {
		// Exit 2 whatever went wrong: nothing changed, and the settings
		// (or --no-check) are the way out.
		return handwash.Errorf(handwash.EINVALID, "%s. Nothing was saved: fix the settings, or give --no-check to save them anyway", handwash.ErrorMessage(err))
	}
	return nil
}

// trustFile is a TLS configuration that trusts the certificates in a PEM
// file as well as the system's.
func trustFile(flag, path string) (*tls.Config, error) {
	pem, err := os.ReadFile(path)
	if err != nil {
		return nil, handwash.Errorf(handwash.EINVALID, "%s: %v", flag, err)
	}
	pool, err := x509.SystemCertPool()
	if err != nil || pool == nil {
		pool = x509.NewCertPool()
	}
	if !pool.AppendCertsFromPEM(pem) {
		return nil, handwash.Errorf(handwash.EINVALID, "%s %s: no PEM certificate found in it", flag, path)
	}
	return &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}, nil
}

// mailDomains checks the organisation's mail domains, or takes the
// username's domain when none are given.
func mailDomains(given []string, user string) ([]string, error) {
	if len(given) == 0 {
		if at := strings.LastIndexByte(user, '@'); at >= 0 {
			given = []string{user[at+1:]}
		}
	}
	var out []string
	for _, d := range given {
		d = strings.TrimSuffix(strings.ToLower(strings.TrimSpace(d)), ".")
		ascii, err := idna.Lookup.ToASCII(d)
		if err != nil || !strings.Contains(ascii, ".") || strings.ContainsAny(ascii, ",@ ") {
			return nil, handwash.Errorf(handwash.EINVALID, "--domain %q: give a mail domain such as rosecourt.example", d)
		}
		out = append(out, ascii)
	}
	if len(out) == 0 {
		return nil, handwash.Errorf(handwash.EINVALID, "--domain: give the organisation's mail domain, since --user %q is not an email address", user)
	}
	return out, nil
}

// readSecretLine reads a secret on one line from a file, or from standard
// input for "-".
func readSecretLine(cmd *cobra.Command, path string) (string, error) {
	var in io.Reader = cmd.InOrStdin()
	if path != "-" {
		f, err := os.Open(path)
		if err != nil {
			return "", handwash.Errorf(handwash.EINVALID, "--password-file: %v", err)
		}
		defer f.Close()
		in = f
	}
	b, err := io.ReadAll(io.LimitReader(in, 4097))
	if err != nil {
		return "", handwash.Errorf(handwash.EINVALID, "--password-file: could not read it: %v", err)
	}
	if len(b) > 4096 {
		return "", handwash.Errorf(handwash.EINVALID, "--password-file: over 4 KiB: give only the password, on one line")
	}
	line, rest, _ := strings.Cut(string(b), "\n")
	line = strings.TrimSuffix(line, "\r")
	if strings.TrimSpace(rest) != "" {
		return "", handwash.Errorf(handwash.EINVALID, "--password-file: more than one line: give only the password, on one line")
	}
	if line == "" {
		return "", handwash.Errorf(handwash.EINVALID, "--password-file: it is empty: put the mailbox's password in it, on one line")
	}
	return line, nil
}

// describeInbox says where an organisation's mailbox is, without its
// password.
func describeInbox(org string, in *handwash.PhishInbox) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s's report-phishing mailbox: %s at %s", org, in.Username, in.Addr)
	if in.Folder != "" {
		fmt.Fprintf(&b, ", folder %s", in.Folder)
	}
	fmt.Fprintf(&b, ".\nReporters thanked at: %s.\n", strings.Join(in.Domains, ", "))
	switch {
	case in.LastCheckedAt == nil:
		b.WriteString("Not read yet: the server reads it every few minutes.")
	case in.LastError != "":
		fmt.Fprintf(&b, "Last read %s, with a problem: %s", in.LastCheckedAt.Local().Format("2 Jan 2006 15:04"), in.LastError)
	default:
		fmt.Fprintf(&b, "Last read %s without problems.", in.LastCheckedAt.Local().Format("2 Jan 2006 15:04"))
	}
	return b.String()
}
