// Package smtptest runs a real SMTP server on loopback for tests, and
// keeps the messages it receives.
package smtptest

import (
	"io"
	"log"
	"net"
	"net/mail"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
)

// Message is one message as one recipient received it.
type Message struct {
	To      string
	Subject string
	Body    string
}

// Mailbox is a plain SMTP server (no TLS, no sign-in) on 127.0.0.1.
type Mailbox struct {
	// Host and Port are where it listens.
	Host string
	Port int

	mu     sync.Mutex
	msgs   []Message
	refuse bool
	got    chan struct{}
}

// Start starts a mailbox that stops when the test ends.
func Start(t testing.TB) *Mailbox {
	t.Helper()
	m := &Mailbox{got: make(chan struct{}, 1)}
	srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &session{m: m}, nil }))
	srv.Domain = "localhost"
	srv.AllowInsecureAuth = true
	srv.ReadTimeout = 10 * time.Second
	srv.WriteTimeout = 10 * time.Second
	srv.ErrorLog = log.New(io.Discard, "", 0)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
	host, port, _ := net.SplitHostPort(l.Addr().String())
	m.Host = host
	m.Port, _ = strconv.Atoi(port)
	return m
}

// Refuse makes the server answer every message with a temporary failure
// (451), or accept them again.
func (m *Mailbox) Refuse(on bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.refuse = on
}

// Take returns the messages received since the last Take, ordered by
// recipient.
func (m *Mailbox) Take() []Message {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := m.msgs
	m.msgs = nil
	slices.SortStableFunc(out, func(a, b Message) int { return strings.Compare(a.To, b.To) })
	return out
}

// Wait waits up to timeout for a message and returns what has arrived.
func (m *Mailbox) Wait(timeout time.Duration) []Message {
	deadline := time.After(timeout)
	for {
		m.mu.Lock()
		n := len(m.msgs)
		m.mu.Unlock()
		if n > 0 {
			return m.Take()
		}
		select {
		case <-m.got:
		case <-deadline:
			return nil
		}
	}
}

type session struct {
	m  *Mailbox
	to []string
}

func (s *session) Mail(string, *smtp.MailOptions) error { return nil }

func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.to = append(s.to, to)
	return nil
}

func (s *session) Data(r io.Reader) error {
	s.m.mu.Lock()
	refuse := s.m.refuse
	s.m.mu.Unlock()
	if refuse {
		return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "try again later"}
	}
	msg, err := mail.ReadMessage(r)
	if err != nil {
		return err
	}
	body, err := io.ReadAll(msg.Body)
	if err != nil {
		return err
	}
	s.m.mu.Lock()
	for _, to := range s.to {
		s.m.msgs = append(s.m.msgs, Message{To: to, Subject: msg.Header.Get("Subject"), Body: string(body)})
	}
	s.m.mu.Unlock()
	select {
	case s.m.got <- struct{}{}:
	default:
	}
	return nil
}

func (s *session) Reset()        { s.to = nil }
func (s *session) Logout() error { return nil }
