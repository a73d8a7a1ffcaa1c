// Package phishdesk runs the report-phishing inbox on the server: it reads
// each organisation's mailbox over IMAP, finds the suspect email in each
// report (attached, forwarded inline, or redirected), analyses it with the
// phish package, and stores the report with the notices it causes: thanks
// to the reporter, and word to the organisation's people when the email is
// likely phishing. Reports uploaded on the dashboard go the same way.
//
// Nothing a mailbox holds is lost: a message is marked read only after its
// report is stored (or it was found not to be a message at all), so a
// server that stops mid-round reads it again, and the store recognises a
// message it already has by its digest.
package phishdesk

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/tls"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/mail"
	"strings"
	"time"

	"github.com/handwash/handwash"
	"github.com/handwash/handwash/imapinbox"
	"github.com/handwash/handwash/phish"
)

const (
	leaseName = "phish-inbox"
	// leaseTTL outlasts a round over every inbox; the lease is released
	// as soon as the round ends.
	leaseTTL = 15 * time.Minute
	// maxReportsPerRound bounds what one round takes from one inbox, so a
	// flood in one organisation's mailbox does not hold up the others.
	maxReportsPerRound = 50
)

// Store is what the desk needs of the server's database.
type Store interface {
	handwash.LeaseService
	handwash.PhishService
	handwash.TenantService
}

// Config adjusts a Desk.
type Config struct {
	// Every is how often the inboxes are read (default 2 minutes); less
	// than zero turns reading off, leaving uploads.
	Every time.Duration
	// Holder names this process for the lease that lets one process read
	// the inboxes at a time.
	Holder string
	// LookupTXT fetches DNS TXT records for checking DKIM signatures; nil
	// turns those checks off.
	LookupTXT func(ctx context.Context, name string) ([]string, error)
	// TLSConfig, when set, is used to connect to the IMAP servers (tests
	// trust their own certificate authority with it).
	TLSConfig *tls.Config
}

// Deps are what a Desk works with.
type Deps struct {
	Store  Store
	Logger *slog.Logger
	Now    func() time.Time
	// Notified, when set, is called after a report queued a notice, so
	// this process's notifier sends it at once.
	Notified func()
}

// Desk analyses and keeps phishing reports.
type Desk struct {
	cfg      Config
	store    Store
	log      *slog.Logger
	now      func() time.Time
	notified func()
}

// New returns a Desk.
func New(cfg Config, deps Deps) *Desk {
	if cfg.Every == 0 {
		cfg.Every = 2 * time.Minute
	}
	if cfg.Holder == "" {
		cfg.Holder = handwash.NewID("desk")
	}
	d := &Desk{cfg: cfg, store: deps.Store, log: deps.Logger, now: deps.Now, notified: deps.Notified}
	if d.log == nil {
		d.log = slog.New(slog.DiscardHandler)
	}
	if d.now == nil {
		d.now = time.Now
	}
	if d.notified == nil {
		d.notified = func() {}
	}
	return d
}

// Origin says who handed in a report.
type Origin struct {
	// Source is handwash.PhishFromMailbox or handwash.PhishFromUpload.
	Source string
	// UserID, Email and Name are the signed-in user who uploaded it.
	UserID string
	Email  string
	Name   string
}

// Submit analyses a report (the email a person forwarded, or the
// suspicious email itself) for an organisation and stores it. created is
// false when the organisation already had this very message. Bad input
// (empty, too large, too complex) is EINVALID or ETOOLARGE and stores
// nothing.
func (d *Desk) Submit(ctx context.Context, scope handwash.Scope, orgID string, raw []byte, from Origin) (*handwash.PhishReport, bool, error) {
	org, err := d.store.Org(ctx, scope, orgID)
	if err != nil {
		return nil, false, err
	}
	var domains []string
	inbox, err := d.store.PhishInbox(ctx, scope, orgID)
	switch {
	case err == nil:
		domains = inbox.Domains
	case handwash.ErrorCode(err) != handwash.ENOTFOUND:
		return nil, false, err
	}
	rep, err := phish.Unwrap(raw)
	if err != nil {
		return nil, false, err
	}
	analysis, err := phish.Analyse(ctx, rep.Message, phish.Options{OrgName: org.Name, OrgDomains: domains, LookupTXT: d.cfg.LookupTXT, Now: d.now()})
	if err != nil {
		return nil, false, err
	}
	if rep.Limits != "" {
		analysis.Problems = append([]string{rep.Limits}, analysis.Problems...)
	}
	body, err := json.Marshal(analysis)
	if err != nil {
		return nil, false, fmt.Errorf("phishing report: %w", err)
	}
	sum := sha256.Sum256(raw)
	r := &handwash.PhishReport{OrgID: orgID, Source: from.Source, Carried: string(rep.Carried), Note: rep.Note,
		From: analysis.From, Subject: analysis.Subject, Verdict: string(analysis.Verdict), Score: analysis.Score,
		Analysis: body, Digest: hex.EncodeToString(sum[:]), ReceivedAt: d.now()}
	thank := false
	switch from.Source {
	case handwash.PhishFromUpload:
		r.UploadedBy, r.Reporter, r.ReporterName = from.UserID, from.Email, from.Name
	default:
		if rep.Reporter != nil {
			r.Reporter, r.ReporterName = strings.ToLower(rep.Reporter.Address), rep.Reporter.Name
		}
		thank = r.Reporter != "" && ownAddress(r.Reporter, domains) && !automatic(raw) &&
			(inbox == nil || !strings.EqualFold(r.Reporter, inbox.Username))
	}
	created, err := d.store.PutPhishReport(ctx, scope, r, raw, thank)
	if err != nil {
		return nil, false, err
	}
	if created && (r.Thanked || r.Verdict == handwash.PhishVerdictPhishing) {
		d.notified()
	}
	return r, created, nil
}

// ownAddress reports whether addr is at one of the organisation's domains
// or their subdomains. Only people there are thanked by email, so nobody
// can use the mailbox to make the server write to strangers.
func ownAddress(addr string, domains []string) bool {
	at := strings.LastIndexByte(addr, '@')
	if at < 0 {
		return false
	}
	host := strings.ToLower(addr[at+1:])
	for _, d := range domains {
		d = strings.ToLower(d)
		if host == d || strings.HasSuffix(host, "."+d) {
			return true
		}
	}
	return false
}

// automatic reports whether a message was sent by a program (an
// out-of-office reply, a bounce), which must not be answered (RFC 3834).
func automatic(raw []byte) bool {
	m, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return false
	}
	h := m.Header
	if v := strings.ToLower(strings.TrimSpace(h.Get("Auto-Submitted"))); v != "" && v != "no" {
		return true
	}
	return h.Get("X-Autoreply") != "" || h.Get("X-Autorespond") != "" ||
		strings.EqualFold(h.Get("Precedence"), "bulk") || strings.EqualFold(h.Get("Precedence"), "auto_reply") || strings.EqualFold(h.Get("Precedence"), "junk")
}

// Run reads the inboxes every cfg.Every until ctx ends.
func (d *Desk) Run(ctx context.Context) {
	if d.cfg.Every < 0 {
		return
	}
	for {
		select {
		case <-ctx.Done():
			return
		case <-time.After(d.cfg.Every):
		}
		if err := d.Round(ctx); err != nil && ctx.Err() == nil {
			d.log.ErrorContext(ctx, "phishing inbox: round failed", "err", err)
		}
	}
}

// Round reads every organisation's inbox once, if this process holds the
// lease, and records how each went.
func (d *Desk) Round(ctx context.Context) error {
	got, err := d.store.TryLease(ctx, leaseName, d.cfg.Holder, d.now(), leaseTTL)
	if err != nil || !got {
		return err
	}
	defer func() {
		if err := d.store.ReleaseLease(context.WithoutCancel(ctx), leaseName, d.cfg.Holder); err != nil {
			d.log.WarnContext(ctx, "phishing inbox: could not release the lease", "err", err)
		}
	}()
	inboxes, err := d.store.PhishInboxes(ctx)
	if err != nil {
		return err
	}
	for _, in := range inboxes {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		status := d.read(ctx, in)
		if err := d.store.SetPhishInboxStatus(ctx, in.OrgID, d.now(), status); err != nil {
			return err
		}
	}
	return nil
}

// read takes the waiting reports from one inbox and returns what went
// wrong, in plain English, or "".
func (d *Desk) read(ctx context.Context, in *handwash.PhishInbox) string {
	scope := handwash.Scope{ProviderID: in.ProviderID}
	var notes []string
	handle := func(ctx context.Context, m imapinbox.Message) error {
		if m.TooLarge {
			notes = append(notes, fmt.Sprintf("A message of %d MB was too large to check; it was left in the mailbox, marked as read.", m.Size>>20))
			return nil
		}
		_, _, err := d.Submit(ctx, scope, in.OrgID, m.Raw, Origin{Source: handwash.PhishFromMailbox})
		switch handwash.ErrorCode(err) {
		case "":
			return nil
		case handwash.EINVALID, handwash.ETOOLARGE:
			// Not something any retry will read: leave it in the mailbox,
			// marked as read, and say so.
			notes = append(notes, "A message could not be checked and was left in the mailbox, marked as read: "+handwash.ErrorMessage(err))
			return nil
		}
		return err
	}
	n, err := imapinbox.Drain(ctx, d.mailbox(in), maxReportsPerRound, phish.MaxMessageSize, handle)
	if n > 0 {
		d.log.InfoContext(ctx, "phishing inbox: reports read", "org", in.OrgID, "count", n)
	}
	if err != nil {
		d.log.WarnContext(ctx, "phishing inbox: could not read the mailbox", "org", in.OrgID, "err", err)
		notes = append(notes, handwash.ErrorMessage(err))
	}
	return strings.Join(notes, " ")
}

// mailbox is where an inbox's settings say to read.
func (d *Desk) mailbox(in *handwash.PhishInbox) imapinbox.Mailbox {
	mb := imapinbox.Mailbox{Addr: in.Addr, Security: in.Security, Username: in.Username, Password: in.Password, Folder: in.Folder}
	if d.cfg.TLSConfig != nil {
		mb.TLSConfig = d.cfg.TLSConfig.Clone()
	}
	return mb
}
