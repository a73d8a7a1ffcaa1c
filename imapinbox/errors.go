package imapinbox

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/emersion/go-imap/v2"

	"github.com/handwash/handwash"
)

// CodeUnavailable is the handwash.Error code for a mail server that could
// not be reached, stopped answering, dropped the connection or failed a
// command: trying again later may work. (The agent and feeds packages use
// the same code; the root package has none for this.)
const CodeUnavailable = "unavailable"

// The kinds of failure, for errors.Is. Each error Drain and Check return
// for a failure of the server or the settings wraps one of them.
var (
	// ErrConnect: the server could not be reached (unknown name, refused
	// connection, no answer).
	ErrConnect = errors.New("imapinbox: cannot connect to the mail server")
	// ErrTLS: TLS could not be set up, most often because the server's
	// certificate is not trusted or is for another name.
	ErrTLS = errors.New("imapinbox: no trusted TLS connection")
	// ErrNoSTARTTLS: the server does not offer STARTTLS, so the password
	// was not sent.
	ErrNoSTARTTLS = errors.New("imapinbox: the mail server offers no STARTTLS")
	// ErrLogin: the server refused the username and password.
	ErrLogin = errors.New("imapinbox: login refused")
	// ErrFolder: the folder does not exist or cannot be opened.
	ErrFolder = errors.New("imapinbox: folder not found")
	// ErrServer: after connecting, the server failed a command, stopped
	// answering in time, or dropped the connection.
	ErrServer = errors.New("imapinbox: the mail server failed")
)

// maxServerText is how much of a server's answer an error quotes.
const maxServerText = 200

// newError returns a handwash.Error whose cause wraps kind and, when not
// nil, cause with the password cut out. Anything in format's arguments
// that did not come from this package must be cut already (serverSaid,
// redact).
func (s *session) newError(code string, kind, cause error, format string, args ...any) error {
	err := kind
	if cause != nil {
		err = fmt.Errorf("%w: %w", kind, s.redact(cause))
	}
	return &handwash.Error{Code: code, Message: fmt.Sprintf(format, args...), Err: err}
}

// errConnect explains a failed TCP connection.
func (s *session) errConnect(err error) error {
	code, why := CodeUnavailable, s.redact(err).Error()
	var dnsErr *net.DNSError
	switch {
	case errors.As(err, &dnsErr) && dnsErr.IsNotFound:
		code, why = handwash.EINVALID, "there is no server of that name"
	case errors.Is(err, syscall.ECONNREFUSED):
		why = "the server refused the connection (nothing is listening on that port)"
	case isTimeout(err):
		why = "no answer within " + s.mb.timeout().String()
	}
	return s.newError(code, ErrConnect, err,
		"cannot connect to the mail server %s to read %s: %s. Check Addr (the server's name and port) and that this computer can reach the server; if they are right, the server or the network may be down and a later try may work",
		clean(s.mb.Addr), s.folderOf(), why)
}

// errTLSStart explains a failed TLS handshake, or a failure to start it.
func (s *session) errTLSStart(err error) error {
	if isHandwash(err) {
		return err
	}
	if isCertificateError(err) {
		return s.newError(handwash.EINVALID, ErrTLS, err,
			"the mail server %s did not show a certificate this computer trusts for the name %q (%v), so %s was not read. Check that Addr holds the server's real name (Microsoft 365: outlook.office365.com:993; Google Workspace: imap.gmail.com:993); if it does, the server's certificate is wrong or someone is intercepting the connection: do not turn certificate checks off",
			clean(s.mb.Addr), s.mb.tlsConfig().ServerName, s.redact(err), s.folderOf())
	}
	return s.newError(handwash.EINVALID, ErrTLS, err,
		"could not set up an encrypted (TLS) connection with the mail server %s to read %s: %v. Check the port and Security: port 993 is for \"tls\", port 143 for \"starttls\"",
		clean(s.mb.Addr), s.folderOf(), s.redact(err))
}

// errNoSTARTTLS explains a server that refused the STARTTLS command.
func (s *session) errNoSTARTTLS(refused *imap.Error) error {
	return s.newError(handwash.EINVALID, ErrNoSTARTTLS, refused,
		"the mail server %s does not offer STARTTLS (it answered %q), so logging in as %s would send the password in plain text: it was not sent. Use the server's TLS port instead (usually %s:993, with Security \"tls\"), or ask the mail provider to turn TLS on",
		clean(s.mb.Addr), s.serverSaid(refused), clean(s.mb.Username), s.host())
}

// errLogin explains a refused login.
func (s *session) errLogin(refused *imap.Error) error {
	return s.newError(handwash.EUNAUTHORIZED, ErrLogin, refused,
		"the mail server %s refused the login for %s (it answered %q). Check the mailbox's username and password. With Microsoft 365 or Google Workspace, basic IMAP login may be turned off for the mailbox or the whole organisation: an administrator must allow IMAP for it, and an app password may be needed instead of the usual password",
		clean(s.mb.Addr), clean(s.mb.Username), s.serverSaid(refused))
}

// errFolder explains a folder that could not be selected.
func (s *session) errFolder(refused *imap.Error) error {
	return s.newError(handwash.ENOTFOUND, ErrFolder, refused,
		"the mail server %s has no folder %q that %s can open (it answered %q). Check the folder's name (some servers tell capitals apart, and write a subfolder as \"INBOX/Reports\" or \"INBOX.Reports\"), or leave it empty to read INBOX",
		clean(s.mb.Addr), s.mb.folder(), clean(s.mb.Username), s.serverSaid(refused))
}

// errServer explains a failure after connecting, while doing what. It
// returns nil for nil, and a handwash.Error as it is.
func (s *session) errServer(what string, err error) error {
	if err == nil || isHandwash(err) {
		return err
	}
	var refused *imap.Error
	if errors.As(err, &refused) {
		return s.newError(CodeUnavailable, ErrServer, err,
			"the mail server %s answered %q when %s for %s. Try again later; if it keeps happening, check the mailbox on the server",
			clean(s.mb.Addr), s.serverSaid(refused), what, s.folderOf())
	}
	return s.newError(CodeUnavailable, ErrServer, err,
		"the connection to the mail server %s failed while %s for %s (%v). Try again later; if it keeps happening, check the server and the network",
		clean(s.mb.Addr), what, s.folderOf(), s.redact(err))
}

// errTimeout explains a server that took longer than the time limit.
func (s *session) errTimeout(what string, limit time.Duration) error {
	return s.newError(CodeUnavailable, ErrServer, nil,
		"the mail server %s did not answer within %v while %s for %s. Try again later; if it keeps happening, the server or the network is too slow: check them, or allow more time (Timeout)",
		clean(s.mb.Addr), limit, what, s.folderOf())
}

// errStopped explains work stopped by ctx; it wraps ctx.Err().
func (s *session) errStopped(ctx context.Context, what string) error {
	return &handwash.Error{
		Code:    CodeUnavailable,
		Message: fmt.Sprintf("reading %s stopped while %s: %v. Messages not yet handled stay unread for the next run", s.mb, what, ctx.Err()),
		Err:     fmt.Errorf("imapinbox: stopped while %s: %w", what, ctx.Err()),
	}
}

// errHandler wraps the handler's error, keeping it for errors.Is and
// errors.As (and so its handwash.Error code, when it has one).
func (s *session) errHandler(uid imap.UID, err error) error {
	return fmt.Errorf("imapinbox: message UID %d in %s was not handled and stays unread: %w", uid, s.mb, err)
}

// errSeen adds to err that the message was handled but not flagged.
func (s *session) errSeen(uid imap.UID, err error) error {
	var e *handwash.Error
	if err == nil || !errors.As(err, &e) {
		return err
	}
	return &handwash.Error{Code: e.Code, Err: e.Err,
		Message: e.Message + ". Message UID " + uidText(uid) + " was handled but not marked as read, so the next run will hand it out again"}
}

// serverSaid returns what the server answered, cleaned, cut short and
// without the password.
func (s *session) serverSaid(e *imap.Error) string {
	text := string(e.Type)
	if e.Code != "" {
		text += " [" + string(e.Code) + "]"
	}
	if e.Text != "" {
		text += " " + e.Text
	}
	text = clean(text)
	if r := []rune(text); len(r) > maxServerText {
		text = string(r[:maxServerText]) + "..."
	}
	return s.redactText(text)
}

// redact returns err, or a copy of its text with the password cut out
// when it holds the password.
func (s *session) redact(err error) error {
	if text := err.Error(); s.mb.Password != "" && strings.Contains(text, s.mb.Password) {
		return errors.New(s.redactText(text))
	}
	return err
}

// redactText replaces the password in text.
func (s *session) redactText(text string) string {
	if s.mb.Password == "" {
		return text
	}
	return strings.ReplaceAll(text, s.mb.Password, "[password]")
}

// folderOf names the folder and user, for messages that name the server
// already: folder "INBOX" of reports@example.org.
func (s *session) folderOf() string {
	return fmt.Sprintf("folder %q of %s", s.mb.folder(), clean(s.mb.Username))
}

// host returns Addr's host.
func (s *session) host() string {
	host, _, _ := net.SplitHostPort(s.mb.Addr)
	return clean(host)
}

// isCertificateError reports whether err says the certificate was not
// trusted or was for another name.
func isCertificateError(err error) bool {
	var (
		verify   *tls.CertificateVerificationError
		unknown  x509.UnknownAuthorityError
		hostname x509.HostnameError
		invalid  x509.CertificateInvalidError
	)
	return errors.As(err, &verify) || errors.As(err, &unknown) ||
		errors.As(err, &hostname) || errors.As(err, &invalid)
}

// isTimeout reports whether err is a network timeout.
func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// isHandwash reports whether err is already explained.
func isHandwash(err error) bool {
	var e *handwash.Error
	return errors.As(err, &e)
}

// uidText returns the UID in decimal.
func uidText(uid imap.UID) string {
	return strconv.FormatUint(uint64(uid), 10)
}
