// Package imapinbox reads a "report phishing" mailbox over IMAP, always
// encrypted with TLS, and hands each unread message to the caller.
//
// Drain is meant to be called every few minutes for each organisation's
// mailbox. It hands out unread messages oldest first and marks each one
// read (\Seen) on the server as soon as the caller's handler has accepted
// it, so a message is handed out once. A message the handler refuses stays
// unread and is handed out again by the next Drain. Check tests the
// settings for an admin command.
//
// The password is sent only over TLS: implicit TLS (port 993) or STARTTLS
// (port 143), never plain text. It never appears in an error, in String or
// in LogValue.
//
// Errors are *handwash.Error values in plain English that name the server,
// the user and the folder, and say what to do: EINVALID for settings that
// cannot work (including an untrusted certificate or a server without
// STARTTLS), EUNAUTHORIZED for a refused login, ENOTFOUND for a missing
// folder, and CodeUnavailable when trying again later may work. errors.Is
// tells the kind of failure apart: ErrConnect, ErrTLS, ErrNoSTARTTLS,
// ErrLogin, ErrFolder and ErrServer, or ctx.Err() when ctx ended. A
// handler's error is returned wrapped, keeping its own code.
package imapinbox

import (
	"context"
	"crypto/tls"
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/handwash/handwash"
)

// Defaults and limits of the settings.
const (
	// DefaultFolder is the folder read when Mailbox.Folder is empty.
	DefaultFolder = "INBOX"
	// DefaultTimeout bounds connecting and each command when
	// Mailbox.Timeout is 0.
	DefaultTimeout = 30 * time.Second
	// MaxFolderLen is the longest folder name accepted, in bytes.
	MaxFolderLen = 200
)

// The values of Mailbox.Security.
const (
	// SecurityTLS speaks TLS from the first byte (implicit TLS), usually on
	// port 993.
	SecurityTLS = "tls"
	// SecuritySTARTTLS connects in plain text and switches to TLS with the
	// STARTTLS command before anything else, usually on port 143. A server
	// that does not offer STARTTLS is refused, before the password is sent.
	SecuritySTARTTLS = "starttls"
)

// Mailbox says where and how to read reports.
type Mailbox struct {
	// Addr is the server's host name and port, such as
	// outlook.office365.com:993. Port 993 means TLS from the start; any
	// other port means STARTTLS, unless Security says otherwise.
	Addr string
	// Security is "tls" (implicit TLS) or "starttls"; empty means choose
	// by port: "tls" for 993, "starttls" for any other. Plain text is never
	// allowed: a server that does not offer STARTTLS is an error.
	Security string
	// Username is the login name of the mailbox, often its email address.
	Username string
	// Password is the mailbox's password or app password. It is a secret:
	// never logged, never in errors, String or LogValue.
	Password string
	// Folder is the mailbox folder to read; empty means INBOX.
	Folder string
	// TLSConfig, when not nil, is used for the TLS connection: tests pass
	// one whose RootCAs hold their own certificate authority. ServerName is
	// filled in from Addr's host when empty, and TLS 1.2 is the minimum
	// whatever MinVersion says. InsecureSkipVerify is refused.
	TLSConfig *tls.Config
	// Timeout bounds connecting and each command the server must answer;
	// 0 means DefaultTimeout. Fetching a message's content gets an extra
	// second for every 64 KiB of its size.
	Timeout time.Duration
}

// Message is one message found in the mailbox.
type Message struct {
	// UID is the message's unique identifier in the folder (IMAP UID).
	UID uint32
	// Size is the size of the whole message in bytes, as the server gives
	// it.
	Size int64
	// Raw is the whole message exactly as the server stores it (headers
	// and body), or nil when TooLarge.
	Raw []byte
	// TooLarge is true when Size was above the limit given to Drain: the
	// content was not fetched, so Raw is nil.
	TooLarge bool
	// InternalDate is when the server received the message.
	InternalDate time.Time
}

// String describes the mailbox, without the password, for messages and
// logs: folder "INBOX" of reports@example.org on imap.example.org:993.
func (mb Mailbox) String() string {
	return fmt.Sprintf("folder %q of %s on %s", mb.folder(), clean(mb.Username), clean(mb.Addr))
}

// GoString is String, so %#v does not print the password either.
func (mb Mailbox) GoString() string { return mb.String() }

// LogValue logs the mailbox settings without the password.
func (mb Mailbox) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("addr", clean(mb.Addr)),
		slog.String("security", mb.security()),
		slog.String("username", clean(mb.Username)),
		slog.String("folder", mb.folder()),
	)
}

// Validate reports the first setting that is missing or wrong, naming the
// field and saying what to do. It never repeats the password.
func (mb Mailbox) Validate() error {
	if err := validateAddr(mb.Addr); err != nil {
		return err
	}
	switch mb.Security {
	case "", SecurityTLS, SecuritySTARTTLS:
	default:
		return invalid("Security", "is %q: use \"tls\" (usually port 993), \"starttls\" (usually port 143), or leave it empty to choose by port; plain text is not allowed", clean(mb.Security))
	}
	if mb.Username == "" {
		return invalid("Username", "is empty: give the login name of the mailbox, usually its email address")
	}
	if mb.Password == "" {
		return invalid("Password", "is empty: give the mailbox's password or app password")
	}
	if err := validateFolder(mb.Folder); err != nil {
		return err
	}
	if mb.TLSConfig != nil && mb.TLSConfig.InsecureSkipVerify {
		return invalid("TLSConfig", "turns certificate checks off (InsecureSkipVerify): put the server's certificate authority in RootCAs instead")
	}
	if mb.Timeout < 0 {
		return invalid("Timeout", "is negative (%v): use 0 for the default of %v", mb.Timeout, DefaultTimeout)
	}
	return nil
}

// validateAddr checks that addr is host:port with a port from 1 to 65535.
func validateAddr(addr string) error {
	const example = "such as imap.example.org:993"
	if addr == "" {
		return invalid("Addr", "is empty: give the server's host name and port, %s", example)
	}
	host, port, err := net.SplitHostPort(addr)
	if err != nil || host == "" || strings.ContainsFunc(host, badHostRune) {
		return invalid("Addr", "%q is not a host name and port: give them as host:port, %s", clean(addr), example)
	}
	n, err := strconv.Atoi(port)
	if err != nil || n < 1 || n > 65535 || strings.ContainsAny(port, "+-") {
		return invalid("Addr", "%q has no valid port: give a number from 1 to 65535, usually 993 (TLS) or 143 (STARTTLS), %s", clean(addr), example)
	}
	return nil
}

// badHostRune reports whether r cannot be part of a host name or address.
func badHostRune(r rune) bool {
	return unicode.IsControl(r) || unicode.IsSpace(r) || r == '/' || r == '@'
}

// validateFolder checks the folder name, which may be empty.
func validateFolder(folder string) error {
	switch {
	case len(folder) > MaxFolderLen:
		return invalid("Folder", "is %d bytes long: use at most %d, or leave it empty for INBOX", len(folder), MaxFolderLen)
	case !utf8.ValidString(folder):
		return invalid("Folder", "is not valid UTF-8 text: type the folder name again, or leave it empty for INBOX")
	case strings.ContainsFunc(folder, unicode.IsControl):
		return invalid("Folder", "%q holds control characters: type the folder name again, or leave it empty for INBOX", folder)
	}
	return nil
}

// invalid returns an EINVALID error about one field of the settings.
func invalid(field, format string, args ...any) error {
	return handwash.Errorf(handwash.EINVALID, "mailbox setting %s: "+format, append([]any{field}, args...)...)
}

// folder returns the folder to read.
func (mb Mailbox) folder() string {
	if mb.Folder == "" {
		return DefaultFolder
	}
	return mb.Folder
}

// security returns the TLS mode in force: Security, or the one chosen by
// port.
func (mb Mailbox) security() string {
	if mb.Security != "" {
		return mb.Security
	}
	if _, port, _ := net.SplitHostPort(mb.Addr); port == "993" {
		return SecurityTLS
	}
	return SecuritySTARTTLS
}

// timeout returns the time limit for connecting and for each command.
func (mb Mailbox) timeout() time.Duration {
	if mb.Timeout <= 0 {
		return DefaultTimeout
	}
	return mb.Timeout
}

// tlsConfig returns the TLS settings for the connection: a copy of
// TLSConfig (or the defaults), with the server name and TLS 1.2 at least.
func (mb Mailbox) tlsConfig() *tls.Config {
	cfg := &tls.Config{}
	if mb.TLSConfig != nil {
		cfg = mb.TLSConfig.Clone()
	}
	if cfg.MinVersion < tls.VersionTLS12 {
		cfg.MinVersion = tls.VersionTLS12
	}
	if cfg.ServerName == "" {
		cfg.ServerName, _, _ = net.SplitHostPort(mb.Addr)
	}
	return cfg
}

// clean removes control characters, so text from settings or from a
// server cannot break a log line or a message.
func clean(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == utf8.RuneError {
			return -1
		}
		return r
	}, s)
}

// Drain reads up to max unseen messages (no \Seen flag) from the folder,
// oldest (lowest UID) first, and calls handle for each.
//
// When handle returns nil the message is flagged \Seen on the server
// straight away, so it is not handed out again; when handle returns an
// error, the message is left unseen and Drain stops and returns that error
// (wrapped, so errors.Is and errors.As still find it), with the count of
// messages handled so far. Messages larger than maxSize bytes are handed to
// handle with TooLarge set and no Raw (so the caller can record them), then
// flagged \Seen like any other.
//
// Drain logs in, selects the folder (read-write), searches UNSEEN by UID,
// fetches each message's RFC822.SIZE first and then BODY.PEEK[] (peek:
// fetching does not itself set \Seen), and logs out at the end.
//
// A message that handle accepted but that could not then be flagged (the
// connection dropped, say) is counted and will be handed out again by the
// next Drain, so handle should cope with seeing a message twice. A
// cancelled ctx closes the connection at once; Drain then returns an error
// that wraps ctx.Err(). max and maxSize must be at least 1.
func Drain(ctx context.Context, mb Mailbox, max int, maxSize int64, handle func(context.Context, Message) error) (int, error) {
	if err := checkDrainArgs(mb, max, maxSize, handle); err != nil {
		return 0, err
	}
	s, err := open(ctx, mb)
	if err != nil {
		return 0, err
	}
	defer s.logout()
	uids, err := s.unseen(ctx)
	if err != nil {
		return 0, err
	}
	if len(uids) > max {
		uids = uids[:max]
	}
	n := 0
	for _, uid := range uids {
		handled, err := s.drainOne(ctx, uid, maxSize, handle)
		if handled {
			n++
		}
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

// checkDrainArgs checks Drain's arguments before anything is sent.
func checkDrainArgs(mb Mailbox, max int, maxSize int64, handle func(context.Context, Message) error) error {
	if err := mb.Validate(); err != nil {
		return err
	}
	switch {
	case max < 1:
		return handwash.Errorf(handwash.EINVALID, "reading %s: the number of messages to read at once is %d: give 1 or more", mb, max)
	case maxSize < 1:
		return handwash.Errorf(handwash.EINVALID, "reading %s: the size limit for a message is %d bytes: give 1 or more", mb, maxSize)
	case handle == nil:
		return handwash.Errorf(handwash.EINVALID, "reading %s: no handler was given for the messages", mb)
	}
	return nil
}

// Check logs in and selects the folder, to test the settings from an
// admin command, and returns the number of unseen messages in it. It
// leaves every message's flags as they were, and logs out at the end.
// Its errors are Drain's.
func Check(ctx context.Context, mb Mailbox) (unseen int, err error) {
	if err := mb.Validate(); err != nil {
		return 0, err
	}
	s, err := open(ctx, mb)
	if err != nil {
		return 0, err
	}
	defer s.logout()
	uids, err := s.unseen(ctx)
	return len(uids), err
}
