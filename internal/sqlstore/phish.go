package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"github.com/handwash/handwash"
)

const phishInboxColumns = `i.provider_id, i.org_id, i.addr, i.security, i.username, i.password, i.folder, i.domains, i.last_checked_at, i.last_error, i.created_at`

func scanPhishInbox(r scanner) (*handwash.PhishInbox, error) {
	var in handwash.PhishInbox
	var domains string
	var checked sql.NullInt64
	var created int64
	if err := r.Scan(&in.ProviderID, &in.OrgID, &in.Addr, &in.Security, &in.Username, &in.Password, &in.Folder, &domains, &checked, &in.LastError, &created); err != nil {
		return nil, err
	}
	in.Domains = splitList(domains)
	in.LastCheckedAt, in.CreatedAt = optTime(checked), fromMicros(created)
	return &in, nil
}

// splitList reads a comma-separated list; empty gives an empty slice.
func splitList(s string) []string {
	if s == "" {
		return []string{}
	}
	return strings.Split(s, ",")
}

// PutPhishInbox creates or replaces an organisation's inbox settings. The
// status of the last reading is cleared, since it was about the old
// settings.
func (s *Store) PutPhishInbox(ctx context.Context, scope handwash.Scope, in *handwash.PhishInbox) error {
	if in.Addr == "" || in.Username == "" || in.Password == "" {
		return invalid("the mailbox needs a server address, a username and a password")
	}
	for _, d := range in.Domains {
		if d == "" || strings.Contains(d, ",") {
			return invalid("mail domain %q is not a domain name", d)
		}
	}
	created := s.nowOr(in.CreatedAt)
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if err := s.orgInScope(ctx, tx, scope, in.OrgID); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO phish_inboxes (org_id, provider_id, addr, security, username, password, folder, domains, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
			ON CONFLICT (org_id) DO UPDATE SET addr = excluded.addr, security = excluded.security, username = excluded.username,
				password = excluded.password, folder = excluded.folder, domains = excluded.domains,
				last_checked_at = NULL, last_error = ''`,
			in.OrgID, scope.ProviderID, in.Addr, in.Security, in.Username, in.Password, in.Folder, strings.Join(in.Domains, ","), micros(created))
		return err
	})
	if err != nil {
		return s.dbErr("store phishing inbox", err)
	}
	in.ProviderID, in.LastCheckedAt, in.LastError = scope.ProviderID, nil, ""
	return nil
}

// PhishInbox returns the organisation's inbox settings.
func (s *Store) PhishInbox(ctx context.Context, scope handwash.Scope, orgID string) (*handwash.PhishInbox, error) {
	var q query
	q.scoped(scope, "i")
	q.where("i.org_id = ?", orgID)
	in, err := scanPhishInbox(s.read.QueryRowContext(ctx, `SELECT `+phishInboxColumns+` FROM phish_inboxes i`+q.clause(), q.args...))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("phishing inbox of organisation", orgID)
	}
	return in, s.dbErr("find phishing inbox", err)
}

// DeletePhishInbox removes the organisation's inbox settings; its reports
// stay.
func (s *Store) DeletePhishInbox(ctx context.Context, scope handwash.Scope, orgID string) error {
	var q query
	q.scoped(scope, "phish_inboxes")
	q.where("org_id = ?", orgID)
	res, err := s.write.ExecContext(ctx, `DELETE FROM phish_inboxes`+q.clause(), q.args...)
	if err != nil {
		return s.dbErr("delete phishing inbox", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return notFound("phishing inbox of organisation", orgID)
	}
	return nil
}

// PhishInboxes lists every inbox, for the process that reads them.
func (s *Store) PhishInboxes(ctx context.Context) ([]*handwash.PhishInbox, error) {
	return list(ctx, s, "list phishing inboxes", scanPhishInbox,
		`SELECT `+phishInboxColumns+` FROM phish_inboxes i ORDER BY i.org_id`)
}

// SetPhishInboxStatus records how reading an inbox went.
func (s *Store) SetPhishInboxStatus(ctx context.Context, orgID string, at time.Time, lastError string) error {
	_, err := s.write.ExecContext(ctx, `UPDATE phish_inboxes SET last_checked_at = $2, last_error = $3 WHERE org_id = $1`,
		orgID, micros(norm(at)), lastError)
	return s.dbErr("record phishing inbox status", err)
}

const phishReportColumns = `r.id, r.provider_id, r.org_id, r.source, r.reporter, r.reporter_name, r.uploaded_by, r.carried, r.note,
	r.from_addr, r.subject, r.verdict, r.score, r.analysis, r.digest, r.size, r.received_at, r.thanked`

func scanPhishReport(r scanner) (*handwash.PhishReport, error) {
	var p handwash.PhishReport
	var received int64
	if err := r.Scan(&p.ID, &p.ProviderID, &p.OrgID, &p.Source, &p.Reporter, &p.ReporterName, &p.UploadedBy, &p.Carried, &p.Note,
		&p.From, &p.Subject, &p.Verdict, &p.Score, &p.Analysis, &p.Digest, &p.Size, &received, &p.Thanked); err != nil {
		return nil, err
	}
	p.ReceivedAt = fromMicros(received)
	return &p, nil
}

// PutPhishReport stores a report, its original and the notices it causes
// in one transaction.
func (s *Store) PutPhishReport(ctx context.Context, scope handwash.Scope, r *handwash.PhishReport, original []byte, thank bool) (bool, error) {
	if err := checkPhishReport(r, original); err != nil {
		return false, err
	}
	if thank && r.Reporter == "" {
		return false, invalid("a report without a reporter's address cannot be thanked")
	}
	id, received := handwash.NewID("phr"), s.nowOr(r.ReceivedAt)
	var stored *handwash.PhishReport
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		stored = nil
		if err := s.orgInScope(ctx, tx, scope, r.OrgID); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO phish_reports (id, provider_id, org_id, source, reporter, reporter_name, uploaded_by, carried, note,
				from_addr, subject, verdict, score, analysis, digest, size, received_at, thanked)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)
			ON CONFLICT (org_id, digest) DO NOTHING`,
			id, scope.ProviderID, r.OrgID, r.Source, r.Reporter, r.ReporterName, r.UploadedBy, r.Carried, r.Note,
			r.From, r.Subject, r.Verdict, r.Score, r.Analysis, r.Digest, len(original), micros(received), thank)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			stored, err = scanPhishReport(tx.QueryRowContext(ctx, `SELECT `+phishReportColumns+` FROM phish_reports r WHERE r.org_id = $1 AND r.digest = $2`, r.OrgID, r.Digest))
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO phish_originals (report_id, data) VALUES ($1, $2)`, id, original); err != nil {
			return err
		}
		return phishEvents(ctx, tx, scope.ProviderID, r.OrgID, id, r.Reporter, r.Verdict, thank, received)
	})
	if err != nil {
		return false, s.dbErr("store phishing report", err)
	}
	if stored != nil {
		*r = *stored
		return false, nil
	}
	r.ID, r.ProviderID, r.ReceivedAt, r.Size, r.Thanked = id, scope.ProviderID, received, len(original), thank
	return true, nil
}

// checkPhishReport refuses a report the store would keep badly.
func checkPhishReport(r *handwash.PhishReport, original []byte) error {
	switch {
	case r.Source != handwash.PhishFromMailbox && r.Source != handwash.PhishFromUpload:
		return invalid("report source %q is not known: use mailbox or upload", r.Source)
	case r.Verdict != handwash.PhishVerdictPhishing && r.Verdict != handwash.PhishVerdictSuspicious && r.Verdict != handwash.PhishVerdictNone:
		return invalid("report verdict %q is not known", r.Verdict)
	case len(r.Digest) != 64:
		return invalid("report digest must be a SHA-256 in hex")
	case len(original) == 0:
		return invalid("the reported message is empty")
	case r.Analysis == nil:
		return invalid("the report has no analysis")
	}
	return nil
}

// phishEvents queues the notices a new report causes.
func phishEvents(ctx context.Context, tx *sql.Tx, providerID, orgID, reportID, reporter, verdict string, thank bool, at time.Time) error {
	if thank {
		e := handwash.NotifyEvent{ProviderID: providerID, OrgID: orgID, Kind: handwash.NotifyPhishThanks, ReportID: reportID, Email: reporter, At: at}
		if _, err := insertEvent(ctx, tx, &e, at); err != nil {
			return err
		}
	}
	if verdict == handwash.PhishVerdictPhishing {
		e := handwash.NotifyEvent{ProviderID: providerID, OrgID: orgID, Kind: handwash.NotifyPhishReported, ReportID: reportID, At: at}
		if _, err := insertEvent(ctx, tx, &e, at); err != nil {
			return err
		}
	}
	return nil
}

// PhishReports lists reports in scope, newest first, and counts them all.
func (s *Store) PhishReports(ctx context.Context, scope handwash.Scope, f handwash.PhishReportFilter) ([]*handwash.PhishReport, int, error) {
	var q query
	q.scoped(scope, "r")
	if f.OrgID != "" {
		q.where("r.org_id = ?", f.OrgID)
	}
	if f.Verdict != "" {
		q.where("r.verdict = ?", f.Verdict)
	}
	var total int
	if err := s.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM phish_reports r`+q.clause(), q.args...).Scan(&total); err != nil {
		return nil, 0, s.dbErr("count phishing reports", err)
	}
	limit := f.Limit
	if limit <= 0 || limit > 1000 {
		limit = 1000
	}
	rs, err := list(ctx, s, "list phishing reports", scanPhishReport,
		`SELECT `+phishReportColumns+` FROM phish_reports r`+q.clause()+` ORDER BY r.received_at DESC, r.id`+q.page(f.Offset, limit), q.args...)
	return rs, total, err
}

// PhishReport returns one report in scope.
func (s *Store) PhishReport(ctx context.Context, scope handwash.Scope, id string) (*handwash.PhishReport, error) {
	var q query
	q.scoped(scope, "r")
	q.where("r.id = ?", id)
	r, err := scanPhishReport(s.read.QueryRowContext(ctx, `SELECT `+phishReportColumns+` FROM phish_reports r`+q.clause(), q.args...))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("phishing report", id)
	}
	return r, s.dbErr("find phishing report", err)
}

// PhishOriginal returns a report's message as received.
func (s *Store) PhishOriginal(ctx context.Context, scope handwash.Scope, id string) ([]byte, error) {
	var q query
	q.scoped(scope, "r")
	q.where("r.id = ?", id)
	var data []byte
	err := s.read.QueryRowContext(ctx, `SELECT o.data FROM phish_originals o JOIN phish_reports r ON r.id = o.report_id`+q.clause(), q.args...).Scan(&data)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("phishing report", id)
	}
	return data, s.dbErr("read phishing report", err)
}

// PhishMonths counts an organisation's reports per calendar month (UTC).
func (s *Store) PhishMonths(ctx context.Context, scope handwash.Scope, orgID string, since, now time.Time) ([]handwash.PhishMonth, error) {
	if err := s.orgInScope(ctx, s.read, scope, orgID); err != nil {
		return nil, err
	}
	first := monthStart(since)
	var months []handwash.PhishMonth
	for m := first; !m.After(now); m = m.AddDate(0, 1, 0) {
		months = append(months, handwash.PhishMonth{Month: m})
	}
	type row struct {
		at      int64
		verdict string
	}
	rows, err := list(ctx, s, "count phishing reports", func(r scanner) (row, error) {
		var v row
		return v, r.Scan(&v.at, &v.verdict)
	}, `SELECT received_at, verdict FROM phish_reports WHERE provider_id = $1 AND org_id = $2 AND received_at >= $3 AND received_at <= $4`,
		scope.ProviderID, orgID, micros(first), micros(norm(now)))
	if err != nil {
		return nil, err
	}
	for _, r := range rows {
		t := fromMicros(r.at)
		i := (t.Year()-first.Year())*12 + int(t.Month()) - int(first.Month())
		if i < 0 || i >= len(months) {
			continue
		}
		months[i].Reports++
		switch r.verdict {
		case handwash.PhishVerdictPhishing:
			months[i].Phishing++
		case handwash.PhishVerdictSuspicious:
			months[i].Suspicious++
		}
	}
	return months, nil
}

// monthStart is the first moment of t's month, UTC.
func monthStart(t time.Time) time.Time {
	t = t.UTC()
	return time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC)
}
