package notify

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"net/mail"
	"net/netip"
	"net/textproto"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"

	"github.com/handwash/handwash"
)

// TLSMode says how the connection to the mail server is encrypted.
type TLSMode string

// The TLS modes.
const (
	// TLSStartTLS connects in plain text and must switch to TLS with
	// STARTTLS before anything else is sent, or the message is not sent.
	// Usually port 587. The default.
	TLSStartTLS TLSMode = "starttls"
	// TLSImplicit speaks TLS from the start. Usually port 465.
	TLSImplicit TLSMode = "tls"
	// TLSNone sends everything, password included, in plain text. Allowed
	// only for a mail server on this machine (a local relay).
	TLSNone TLSMode = "none"
)

// Mailer defaults and limits.
const (
	DefaultMailTimeout = 30 * time.Second
	maxRecipients      = 50
)

// MailerConfig says how to reach the mail server. The names in brackets
// are the ones errors use.
type MailerConfig struct {
	// Host (host) is the mail server's host name, such as
	// smtp.office365.com.
	Host string
	// Port (port); 0 means 587 for starttls, 465 for tls and 25 for none.
	Port int
	// Username (username) and Password (password) sign in to the server;
	// leave both empty for a server that needs no sign-in.
	Username string
	Password string
	// From (from) is the sender, such as "Handwash <alerts@example.org>".
	From string
	// TLS (tls) is starttls, tls or none; empty means starttls.
	TLS TLSMode
	// Timeout (timeout) bounds connecting and each step of the
	// conversation; 0 means DefaultMailTimeout.
	Timeout time.Duration
	// RootCAs, when set, are the only certificate authorities trusted for
	// the server's certificate: for a private CA, and for tests. Nil means
	// the system's.
	RootCAs *x509.CertPool
}

// Validate reports the first setting that is missing or wrong, naming it
// and saying what to do. It never repeats the password.
func (c MailerConfig) Validate() error {
	invalid := func(field, format string, args ...any) error {
		return handwash.Errorf(handwash.EINVALID, "email setting %q: "+format, append([]any{field}, args...)...)
	}
	host := c.Host
	switch {
	case host == "":
		return invalid("host", "is empty: give the mail server's host name, such as smtp.example.org")
	case strings.Contains(host, "://"):
		return invalid("host", "should be the host name only, such as smtp.example.org, without %q", host[:strings.Index(host, "://")+3])
	case len(host) > 253 || strings.ContainsAny(host, " \t\r\n/@"):
		return invalid("host", "%q is not a host name: give the name only, such as smtp.example.org", truncate(host, 80))
	case strings.Contains(host, ":") && !isIP(host):
		return invalid("host", "%q has a port in it: give the port in the port setting instead", host)
	}
	if c.Port < 0 || c.Port > 65535 {
		return invalid("port", "%d is not a port: use 587 for starttls, 465 for tls, or 0 for the usual port", c.Port)
	}
	switch c.TLS {
	case "", TLSStartTLS, TLSImplicit:
	case TLSNone:
		if !isLoopback(host) {
			return invalid("tls", "\"none\" would send the password and every message unencrypted, so it is only allowed for a mail server on this machine (localhost, 127.0.0.1 or ::1), not %q: use starttls (port 587) or tls (port 465)", host)
		}
	default:
		return invalid("tls", "%q is not known: use starttls, tls or none", c.TLS)
	}
	if c.Username != "" && c.Password == "" {
		return invalid("password", "is empty but username is set: give the password, or leave username empty if the server needs no sign-in")
	}
	if c.Username == "" && c.Password != "" {
		return invalid("username", "is empty but a password is set: give the username too")
	}
	if strings.ContainsAny(c.Username, "\x00\r\n") || strings.ContainsAny(c.Password, "\x00\r\n") {
		return invalid("username", "or password holds a line break or a NUL character, which cannot be sent: check for a stray character pasted with them")
	}
	if c.From == "" {
		return invalid("from", "is empty: give the address messages come from, such as \"Handwash <alerts@example.org>\"")
	}
	if _, err := mail.ParseAddress(c.From); err != nil {
		return invalid("from", "%q is not an email address: use a form such as \"Handwash <alerts@example.org>\" or alerts@example.org", truncate(c.From, 200))
	}
	if c.Timeout < 0 || c.Timeout > maxTimeout {
		return invalid("timeout", "is %s: use a positive duration up to %s, or 0 for the default %s", c.Timeout, maxTimeout, DefaultMailTimeout)
	}
	return nil
}

func isIP(host string) bool {
	_, err := netip.ParseAddr(host)
	return err == nil
}

// isLoopback reports whether host is this machine.
func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip, err := netip.ParseAddr(host)
	return err == nil && ip.Unmap().IsLoopback()
}

func (c MailerConfig) mode() TLSMode {
	if c.TLS == "" {
		return TLSStartTLS
	}
	return c.TLS
}

func (c MailerConfig) port() int {
	if c.Port != 0 {
		return c.Port
	}
	switch c.mode() {
	case TLSImplicit:
		return 465
	case TLSNone:
		return 25
	}
	return 587
}

// String describes the mail settings without the password.
func (c MailerConfig) String() string {
	s := fmt.Sprintf("mail server %s port %d (%s)", c.Host, c.port(), c.mode())
	if c.Username != "" {
		s += " as " + c.Username
	}
	return s
}

// GoString is String, so %#v does not print the password either.
func (c MailerConfig) GoString() string { return c.String() }

// LogValue logs the mail settings without the password.
func (c MailerConfig) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("host", c.Host),
		slog.Int("port", c.port()),
		slog.String("tls", string(c.mode())),
		slog.String("username", c.Username),
		slog.String("from", c.From),
	)
}

// Mailer sends notifications by email. It connects afresh for each Send and
// is safe for concurrent use.
type Mailer struct {
	cfg     MailerConfig
	secrets []string
}

// NewMailer checks cfg and returns a mailer for it.
func NewMailer(cfg MailerConfig) (*Mailer, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg.TLS = cfg.mode()
	cfg.Port = cfg.port()
	if cfg.Timeout == 0 {
		cfg.Timeout = DefaultMailTimeout
	}
	m := &Mailer{cfg: cfg}
	if cfg.Password != "" {
		// The password, and the forms it takes on the wire (AUTH PLAIN and
		// LOGIN), in case a server or library error ever echoes them.
		m.secrets = []string{
			cfg.Password,
			base64.StdEncoding.EncodeToString([]byte(cfg.Password)),
			base64.StdEncoding.EncodeToString([]byte("\x00" + cfg.Username + "\x00" + cfg.Password)),
		}
	}
	return m, nil
}

// Send renders msg and sends it to every address in to, in one message,
// once. It returns nil when the server accepted the message, a
// *handwash.Error with code EINVALID when msg or an address is not valid,
// and a *DeliveryError otherwise; IsTemporary says whether to try again
// later.
func (m *Mailer) Send(ctx context.Context, to []string, msg Message) error {
	if len(to) == 0 {
		return handwash.Errorf(handwash.EINVALID, "email: no recipients: give at least one address")
	}
	if len(to) > maxRecipients {
		return handwash.Errorf(handwash.EINVALID, "email: %d recipients is too many for one message: send to at most %d at a time", len(to), maxRecipients)
	}
	for i, addr := range to {
		if _, err := mail.ParseAddress(addr); err != nil {
			return handwash.Errorf(handwash.EINVALID, "email: recipient %d, %q, is not an email address", i+1, truncate(addr, 200))
		}
	}
	email, err := RenderEmail(msg)
	if err != nil {
		return err
	}

	gm := gomail.NewMsg(gomail.WithNoDefaultUserAgent())
	if err := gm.From(m.cfg.From); err != nil {
		return handwash.Errorf(handwash.EINVALID, "email setting \"from\": %v", err)
	}
	if err := gm.To(to...); err != nil {
		return handwash.Errorf(handwash.EINVALID, "email: recipients: %v", err)
	}
	gm.Subject(email.Subject)
	gm.SetDate()
	gm.SetMessageID()
	gm.SetUserAgent("Handwash")
	// Mark the message as sent by a program (RFC 3834), so out-of-office
	// replies do not come back to the sender address.
	gm.SetGenHeader("Auto-Submitted", "auto-generated")
	gm.SetGenHeader(gomail.HeaderXAutoResponseSuppress, "All")
	gm.SetBodyString(gomail.TypeTextPlain, email.Text)
	gm.AddAlternativeString(gomail.TypeTextHTML, email.HTML)

	client, err := gomail.NewClient(m.cfg.Host, m.options()...)
	if err != nil {
		return m.fail(false, 0, "could not set up the mail client", err)
	}
	if err := client.DialAndSendWithContext(ctx, gm); err != nil {
		return m.sendError(ctx, err)
	}
	return nil
}

func (m *Mailer) options() []gomail.Option {
	tlsConfig := &tls.Config{ServerName: m.cfg.Host, MinVersion: tls.VersionTLS12, RootCAs: m.cfg.RootCAs}
	opts := []gomail.Option{
		gomail.WithPort(m.cfg.Port),
		gomail.WithTimeout(m.cfg.Timeout),
		gomail.WithTLSConfig(tlsConfig),
	}
	switch m.cfg.TLS {
	case TLSImplicit:
		opts = append(opts, gomail.WithSSL())
	case TLSNone:
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
	default:
		// Mandatory: if the server does not offer STARTTLS, nothing is sent.
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	}
	if m.cfg.Username != "" {
		// PLAIN and LOGIN are what mail services offer over TLS; other
		// mechanisms are found by asking the server. Over "none" (this
		// machine only, checked by Validate) the plain-text forms are
		// allowed on purpose.
		mechs := []gomail.SMTPAuthType{gomail.SMTPAuthPlain, gomail.SMTPAuthLogin}
		if m.cfg.TLS == TLSNone {
			mechs = []gomail.SMTPAuthType{gomail.SMTPAuthPlainNoEnc, gomail.SMTPAuthLoginNoEnc}
		}
		opts = append(opts,
			gomail.WithOpportunisticSMTPAuth(mechs...),
			gomail.WithUsername(m.cfg.Username),
			gomail.WithPassword(m.cfg.Password),
		)
	}
	return opts
}

// fail makes a DeliveryError that names the server and carries the cause
// with the password cut out.
func (m *Mailer) fail(temporary bool, code int, msg string, cause error) *DeliveryError {
	return &DeliveryError{
		Temporary: temporary,
		Status:    code,
		Message:   fmt.Sprintf("email through %s port %d: %s", m.cfg.Host, m.cfg.Port, msg),
		Err:       redact(cause, m.secrets...),
	}
}

// sendError says what went wrong in plain English and whether it may pass.
func (m *Mailer) sendError(ctx context.Context, err error) error {
	if code := smtpCode(err); code >= 400 {
		return m.fail(code < 500, code, smtpReplyText(code), err)
	}
	var certErr *tls.CertificateVerificationError
	var unknownCA x509.UnknownAuthorityError
	var hostErr x509.HostnameError
	var recordErr tls.RecordHeaderError
	text := err.Error()
	switch {
	case ctx.Err() != nil && errors.Is(err, ctx.Err()):
		return m.fail(true, 0, "sending was cancelled before the mail server accepted the message", err)
	case errors.As(err, &certErr), errors.As(err, &unknownCA), errors.As(err, &hostErr):
		return m.fail(false, 0, "the mail server's certificate is not trusted: check the host setting is the name on the server's certificate", err)
	case errors.As(err, &recordErr):
		return m.fail(false, 0, fmt.Sprintf("the mail server did not answer with TLS: check that the tls setting (%s) matches the port (usually starttls on 587, tls on 465)", m.cfg.TLS), err)
	case strings.Contains(text, "does not support STARTTLS"):
		return m.fail(false, 0, "the mail server does not offer STARTTLS, so nothing was sent: if it uses port 465, set tls to \"tls\"; otherwise check the host and port", err)
	case strings.Contains(text, "does not support SMTP AUTH"), errors.Is(err, gomail.ErrNoSupportedAuthDiscovered):
		return m.fail(false, 0, "the mail server does not offer a way to sign in that Handwash can use here: check the port and tls settings, or leave username and password empty if it needs no sign-in", err)
	case isTimeout(err):
		return m.fail(true, 0, fmt.Sprintf("the mail server did not answer within %s: check that it is up, and that this server may connect to it", m.cfg.Timeout), err)
	case isNetworkTrouble(err):
		return m.fail(true, 0, "could not reach the mail server: check the host and port, and that this server may connect to it", err)
	}
	// Anything else is more likely a passing fault than a setting: keep the
	// message for another try rather than lose it.
	return m.fail(true, 0, "the mail server did not take the message", err)
}

// smtpCode is the SMTP reply code in err, or 0. go-mail's SendError does
// not unwrap, so its code is read through its own method.
func smtpCode(err error) int {
	var se *gomail.SendError
	if errors.As(err, &se) && se.ErrorCode() != 0 {
		return se.ErrorCode()
	}
	var te *textproto.Error
	if errors.As(err, &te) {
		return te.Code
	}
	return 0
}

// smtpReplyText says what an SMTP error reply means and what to check.
func smtpReplyText(code int) string {
	switch {
	case code == 530 || code == 534 || code == 535 || code == 538:
		return fmt.Sprintf("the mail server refused to sign in (reply %d): check the username and password, and whether the mail service needs an app password or SMTP sign-in switched on", code)
	case code == 550 || code == 551 || code == 553 || code == 501:
		return fmt.Sprintf("the mail server refused an address (reply %d): check the from setting is an address this account may send as, and that the recipients exist", code)
	case code == 552:
		return fmt.Sprintf("the mail server refused the message as too large (reply %d)", code)
	case code == 554:
		return fmt.Sprintf("the mail server refused the message (reply %d): check the from setting and the server's sending rules", code)
	case code >= 500:
		return fmt.Sprintf("the mail server refused the message (reply %d): check the settings against what the mail service asks for", code)
	case code == 421:
		return fmt.Sprintf("the mail server is not taking messages just now (reply %d)", code)
	case code == 454:
		return fmt.Sprintf("the mail server could not sign in or start TLS just now (reply %d)", code)
	}
	return fmt.Sprintf("the mail server asked to try again later (reply %d)", code)
}
