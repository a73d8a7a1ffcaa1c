package imapinbox

import (
	"context"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"slices"
	"sync/atomic"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
)

// bodyBytesPerSecond is the slowest transfer allowed for a message's
// content: fetching it gets Timeout plus one second for each 64 KiB.
const bodyBytesPerSecond = 64 << 10

// session is one logged-in connection to the mailbox.
//
// Time limits and cancellation work by closing raw: imapclient then fails
// every command that is waiting. imapclient's own deadlines are switched
// off (see noDeadlines), so every wait on the server goes through run.
type session struct {
	mb      Mailbox
	raw     net.Conn
	client  *imapclient.Client
	expired atomic.Bool // a time limit closed the connection
	unwatch func() bool // stops watching the context
}

// open connects, starts TLS, logs in and selects the folder read-write.
func open(ctx context.Context, mb Mailbox) (*session, error) {
	s := &session{mb: mb}
	if err := s.dial(ctx); err != nil {
		return nil, err
	}
	s.unwatch = context.AfterFunc(ctx, func() { s.raw.Close() })
	if err := s.start(ctx); err != nil {
		s.close()
		return nil, err
	}
	return s, nil
}

// start does everything after the TCP connection: TLS, login, select.
func (s *session) start(ctx context.Context) error {
	var err error
	if s.mb.security() == SecurityTLS {
		err = s.startImplicitTLS(ctx)
	} else {
		err = s.startSTARTTLS(ctx)
	}
	if err != nil {
		return err
	}
	if err := s.login(ctx); err != nil {
		return err
	}
	return s.selectFolder(ctx)
}

// dial opens the TCP connection.
func (s *session) dial(ctx context.Context) error {
	d := net.Dialer{Timeout: s.mb.timeout()}
	raw, err := d.DialContext(ctx, "tcp", s.mb.Addr)
	if err != nil {
		if ctx.Err() != nil {
			return s.errStopped(ctx, "connecting")
		}
		return s.errConnect(err)
	}
	s.raw = raw
	return nil
}

// startImplicitTLS does the TLS handshake and waits for the greeting.
func (s *session) startImplicitTLS(ctx context.Context) error {
	cfg := s.mb.tlsConfig()
	if cfg.NextProtos == nil {
		cfg.NextProtos = []string{"imap"} // as imapclient.DialTLS does
	}
	conn := tls.Client(s.raw, cfg)
	err := s.run(ctx, "starting TLS", 0, func() error { return conn.HandshakeContext(ctx) })
	if err != nil {
		return s.errTLSStart(err)
	}
	s.client = imapclient.New(noDeadlines{conn}, nil)
	err = s.run(ctx, "waiting for the server's greeting", 0, s.client.WaitGreeting)
	return s.errServer("waiting for the server's greeting", err)
}

// startSTARTTLS sends STARTTLS first of all and does the TLS handshake.
// A server that refuses STARTTLS is left before anything else is sent.
func (s *session) startSTARTTLS(ctx context.Context) error {
	opts := &imapclient.Options{TLSConfig: s.mb.tlsConfig()}
	err := s.run(ctx, "starting TLS", 0, func() error {
		c, err := imapclient.NewStartTLS(noDeadlines{s.raw}, opts)
		s.client = c
		return err
	})
	var refused *imap.Error
	if errors.As(err, &refused) {
		return s.errNoSTARTTLS(refused)
	}
	if err != nil {
		return s.errTLSStart(err)
	}
	return nil
}

// login sends the username and password, over TLS only.
func (s *session) login(ctx context.Context) error {
	err := s.run(ctx, "logging in", 0, func() error {
		return s.client.Login(s.mb.Username, s.mb.Password).Wait()
	})
	var refused *imap.Error
	if errors.As(err, &refused) {
		return s.errLogin(refused)
	}
	return s.errServer("logging in", err)
}

// selectFolder opens the folder read-write.
func (s *session) selectFolder(ctx context.Context) error {
	err := s.run(ctx, "opening the folder", 0, func() error {
		_, err := s.client.Select(s.mb.folder(), nil).Wait()
		return err
	})
	var refused *imap.Error
	if errors.As(err, &refused) {
		return s.errFolder(refused)
	}
	return s.errServer("opening the folder", err)
}

// unseen returns the UIDs of the messages without \Seen, lowest first.
func (s *session) unseen(ctx context.Context) ([]imap.UID, error) {
	var data *imap.SearchData
	err := s.run(ctx, "looking for unread messages", 0, func() (searchErr error) {
		criteria := &imap.SearchCriteria{NotFlag: []imap.Flag{imap.FlagSeen}}
		data, searchErr = s.client.UIDSearch(criteria, nil).Wait()
		return searchErr
	})
	if err != nil {
		return nil, s.errServer("looking for unread messages", err)
	}
	// Not data.AllUIDs: it panics on a malformed answer ("1:*").
	set, _ := data.All.(imap.UIDSet)
	uids, ok := set.Nums()
	if !ok {
		return nil, s.errServer("looking for unread messages", errors.New("the server answered with an open-ended list of messages"))
	}
	slices.Sort(uids)
	return uids, nil
}

// drainOne fetches one message, hands it to handle and, when handle
// accepts it, flags it \Seen. handled reports whether handle returned nil.
// A message that has gone from the folder meanwhile is skipped.
func (s *session) drainOne(ctx context.Context, uid imap.UID, maxSize int64, handle func(context.Context, Message) error) (handled bool, err error) {
	msg, found, err := s.fetch(ctx, uid, maxSize)
	if err != nil || !found {
		return false, err
	}
	if err := handle(ctx, msg); err != nil {
		return false, s.errHandler(uid, err)
	}
	return true, s.markSeen(ctx, uid)
}

// fetch gets a message's size and date and, unless it is over maxSize,
// its content. found is false when the message no longer exists.
func (s *session) fetch(ctx context.Context, uid imap.UID, maxSize int64) (msg Message, found bool, err error) {
	what := "reading message UID " + uidText(uid)
	var meta *imapclient.FetchMessageBuffer
	err = s.run(ctx, what, 0, func() (fetchErr error) {
		meta, fetchErr = s.fetchMeta(uid)
		return fetchErr
	})
	if err != nil || meta == nil {
		return Message{}, false, s.errServer(what, err)
	}
	msg = Message{UID: uint32(uid), Size: meta.RFC822Size, InternalDate: meta.InternalDate}
	if msg.Size > maxSize {
		msg.TooLarge = true
		return msg, true, nil
	}
	err = s.run(ctx, what, msg.Size/bodyBytesPerSecond, func() (fetchErr error) {
		msg.Raw, msg.TooLarge, fetchErr = s.fetchBody(uid, maxSize)
		return fetchErr
	})
	return msg, true, s.errServer(what, err)
}

// fetchMeta fetches RFC822.SIZE and INTERNALDATE; nil means the message
// no longer exists.
func (s *session) fetchMeta(uid imap.UID) (*imapclient.FetchMessageBuffer, error) {
	opts := &imap.FetchOptions{UID: true, RFC822Size: true, InternalDate: true}
	bufs, err := s.client.Fetch(imap.UIDSetNum(uid), opts).Collect()
	if err != nil {
		return nil, err
	}
	for _, b := range bufs {
		if b.UID == uid {
			return b, nil
		}
	}
	return nil, nil
}

// fetchBody fetches BODY.PEEK[], the whole message without setting \Seen.
// tooLarge is true, and nothing is kept, when the content the server sends
// is over maxSize (it said a smaller size before).
func (s *session) fetchBody(uid imap.UID, maxSize int64) (raw []byte, tooLarge bool, err error) {
	opts := &imap.FetchOptions{UID: true, BodySection: []*imap.FetchItemBodySection{{Peek: true}}}
	cmd := s.client.Fetch(imap.UIDSetNum(uid), opts)
	got := false
	for m := cmd.Next(); m != nil && err == nil; m = cmd.Next() {
		for item := m.Next(); item != nil && err == nil; item = m.Next() {
			body, ok := item.(imapclient.FetchItemDataBodySection)
			if ok && body.Literal != nil && !got {
				got = true
				raw, tooLarge, err = readLimited(body.Literal, maxSize)
			}
		}
	}
	if closeErr := cmd.Close(); err == nil {
		err = closeErr
	}
	if err == nil && !got {
		err = errors.New("the server sent no content for the message")
	}
	return raw, tooLarge, err
}

// readLimited reads a whole literal unless it is over maxSize.
func readLimited(lit imap.LiteralReader, maxSize int64) ([]byte, bool, error) {
	if lit.Size() > maxSize {
		return nil, true, nil
	}
	raw := make([]byte, lit.Size())
	if _, err := io.ReadFull(lit, raw); err != nil {
		return nil, false, err
	}
	return raw, false, nil
}

// markSeen adds \Seen to the message.
func (s *session) markSeen(ctx context.Context, uid imap.UID) error {
	what := "marking message UID " + uidText(uid) + " as read"
	err := s.run(ctx, what, 0, func() error {
		store := &imap.StoreFlags{Op: imap.StoreFlagsAdd, Silent: true, Flags: []imap.Flag{imap.FlagSeen}}
		return s.client.Store(imap.UIDSetNum(uid), store, nil).Close()
	})
	return s.errSeen(uid, s.errServer(what, err))
}

// logout says goodbye, within the time limit, and closes the connection.
// Its errors are ignored: the work is done by then.
func (s *session) logout() {
	s.run(context.Background(), "logging out", 0, func() error { return s.client.Logout().Wait() })
	s.close()
}

// close closes the connection and waits for imapclient to let go of it.
func (s *session) close() {
	s.unwatch()
	s.raw.Close()
	if s.client != nil {
		s.client.Close()
	}
}

// run calls f, closing the connection if the server takes longer than the
// time limit (plus extraSeconds) or ctx ends first, which makes f return.
// It returns f's error, or one that says the time ran out or ctx ended.
func (s *session) run(ctx context.Context, what string, extraSeconds int64, f func() error) error {
	// Closing the connection when ctx ends happens in a goroutine of its
	// own, so a command sent just after might still get through: once
	// ctx has ended, nothing more is sent.
	if ctx.Err() != nil {
		return s.errStopped(ctx, what)
	}
	limit := s.mb.timeout() + time.Duration(extraSeconds)*time.Second
	timer := time.AfterFunc(limit, func() {
		s.expired.Store(true)
		s.raw.Close()
	})
	err := f()
	timer.Stop()
	switch {
	case err == nil:
		return nil
	case ctx.Err() != nil:
		return s.errStopped(ctx, what)
	case s.expired.Load():
		return s.errTimeout(what, limit)
	}
	return err
}

// noDeadlines hides deadlines from imapclient, whose own limits are fixed
// in v2.0.0-beta.8 (30 seconds for each answer once it starts and for
// writing a command, 5 minutes for a message's content) and would
// override Mailbox.Timeout. session.run enforces the time limits instead,
// by closing the connection.
type noDeadlines struct{ net.Conn }

func (noDeadlines) SetDeadline(time.Time) error      { return nil }
func (noDeadlines) SetReadDeadline(time.Time) error  { return nil }
func (noDeadlines) SetWriteDeadline(time.Time) error { return nil }
