package dashboard

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/handwash/handwash"
	"github.com/handwash/handwash/evidence"
	"github.com/handwash/handwash/phish"
	"github.com/handwash/handwash/phishdesk"
)

// phishShown is how many reports a page lists.
const phishShown = 50

type phishingPage struct {
	Org     *handwash.Org
	Reports []*handwash.PhishReport
	Total   int
	// Offset and More page through the reports.
	Offset, Next int
	More         bool
	Months       []handwash.PhishMonth
	// YearReports and YearPhishing add up the months.
	YearReports, YearPhishing int
	Inbox                     *handwash.PhishInbox
	Error                     string
}

// handlePhishing shows an organisation's phishing reports: how many each
// month, the newest reports, the form to upload one, and how its mailbox
// is doing. Anyone who may see the organisation may look.
func (s *server) handlePhishing(w http.ResponseWriter, r *http.Request) {
	o, scope, ok := s.pathOrg(w, r)
	if !ok {
		return
	}
	offset, _ := strconv.Atoi(r.URL.Query().Get("offset"))
	p, err := s.phishingPage(r, o, scope, max(offset, 0))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "phishing", "Phishing reports for "+o.Name, p)
}

func (s *server) phishingPage(r *http.Request, o *handwash.Org, scope handwash.Scope, offset int) (phishingPage, error) {
	ctx := r.Context()
	p := phishingPage{Org: o, Offset: offset}
	var err error
	if p.Reports, p.Total, err = s.store.PhishReports(ctx, scope, handwash.PhishReportFilter{OrgID: o.ID, Offset: offset, Limit: phishShown}); err != nil {
		return p, err
	}
	p.Next, p.More = offset+phishShown, offset+phishShown < p.Total
	now := s.now()
	if p.Months, err = s.store.PhishMonths(ctx, scope, o.ID, evidence.MonthsBefore(now, evidence.PhishMonthsShown-1), now); err != nil {
		return p, err
	}
	for _, m := range p.Months {
		p.YearReports += m.Reports
		p.YearPhishing += m.Phishing
	}
	p.Inbox, err = s.store.PhishInbox(ctx, scope, o.ID)
	if handwash.ErrorCode(err) == handwash.ENOTFOUND {
		err = nil
	}
	return p, err
}

// handlePhishUpload analyses an email someone saved from their mail
// program and stores it as a report. Reporting is never refused for want
// of a role: viewers may report too, and it is in the audit log.
func (s *server) handlePhishUpload(w http.ResponseWriter, r *http.Request) {
	o, scope, ok := s.pathOrg(w, r)
	if !ok {
		return
	}
	v := visitorOf(r)
	raw, err := uploadedMessage(r)
	var rep *handwash.PhishReport
	if err == nil {
		rep, _, err = s.phish.Submit(r.Context(), scope, o.ID, raw, phishdesk.Origin{Source: handwash.PhishFromUpload, UserID: v.user.ID, Email: v.user.Email, Name: v.user.Name})
	}
	if err != nil {
		code := handwash.ErrorCode(err)
		if code != handwash.EINVALID && code != handwash.ETOOLARGE {
			s.fail(w, r, err)
			return
		}
		p, perr := s.phishingPage(r, o, scope, 0)
		if perr != nil {
			s.fail(w, r, perr)
			return
		}
		p.Error = "Email file: " + handwash.ErrorMessage(err)
		s.render(w, r, http.StatusBadRequest, "phishing", "Phishing reports for "+o.Name, p)
		return
	}
	s.auditAction(r, v, o.ID, "phish_report.upload", rep.ID, fmt.Sprintf("reported an email as suspicious: verdict %s", rep.Verdict))
	http.Redirect(w, r, "/phishing/"+url.PathEscape(rep.ID)+"?done=uploaded", http.StatusSeeOther)
}

// uploadedMessage reads the email file of the upload form.
func uploadedMessage(r *http.Request) ([]byte, error) {
	f, hdr, err := r.FormFile("message")
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return nil, handwash.Errorf(handwash.ETOOLARGE, "the file is larger than the %d MB Handwash checks; save the email without its attachments and try again", phish.MaxMessageSize>>20)
		}
		return nil, handwash.Errorf(handwash.EINVALID, "choose the email file to upload (an .eml file saved from your mail program)")
	}
	defer f.Close()
	if hdr.Size > phish.MaxMessageSize {
		return nil, handwash.Errorf(handwash.ETOOLARGE, "the file is larger than the %d MB Handwash checks; save the email without its attachments and try again", phish.MaxMessageSize>>20)
	}
	return io.ReadAll(io.LimitReader(f, phish.MaxMessageSize+1))
}

type phishReportPage struct {
	*handwash.PhishReport
	Org      *handwash.Org
	Analysis phish.Report
	// CanSeeOriginal: only administrators may open the email itself,
	// which may hold personal information.
	CanSeeOriginal bool
	Done           bool
}

// handlePhishReport shows one report: the verdict, each sign with what it
// means, and what to do.
func (s *server) handlePhishReport(w http.ResponseWriter, r *http.Request) {
	pr := visitorOf(r).principal()
	ctx := r.Context()
	rep, err := s.store.PhishReport(ctx, pr.Scope, r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p := phishReportPage{PhishReport: rep, CanSeeOriginal: pr.CanWrite(), Done: r.URL.Query().Get("done") == "uploaded"}
	if p.Org, err = s.store.Org(ctx, pr.Scope, rep.OrgID); err != nil {
		s.fail(w, r, err)
		return
	}
	if err := json.Unmarshal(rep.Analysis, &p.Analysis); err != nil {
		s.fail(w, r, fmt.Errorf("phishing report %s: stored analysis: %w", rep.ID, err))
		return
	}
	title := "Reported email"
	if rep.Subject != "" {
		title = "Reported email: " + rep.Subject
	}
	s.render(w, r, http.StatusOK, "phishreport", title, p)
}

// handlePhishOriginal downloads the email as received, for the
// organisation's administrators only. It is sent as a file to save, never
// shown in the browser, since it was made by an attacker.
func (s *server) handlePhishOriginal(w http.ResponseWriter, r *http.Request) {
	v := visitorOf(r)
	pr := v.principal()
	if !pr.CanWrite() {
		s.fail(w, r, handwash.Errorf(handwash.EFORBIDDEN, "Only administrators can open the reported email itself, because it may hold personal information. The report shows what Handwash found in it."))
		return
	}
	ctx := r.Context()
	rep, err := s.store.PhishReport(ctx, pr.Scope, r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	data, err := s.store.PhishOriginal(ctx, pr.Scope, rep.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.auditAction(r, v, rep.OrgID, "phish_report.download", rep.ID, "downloaded a reported email")
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("Content-Disposition", `attachment; filename="reported-`+rep.ReceivedAt.Format("2006-01-02")+`-`+rep.ID+`.eml"`)
	w.Header().Set("Content-Length", strconv.Itoa(len(data)))
	w.Header().Set("Cache-Control", "no-store")
	w.Write(data)
}

// verdictClass is the style of a verdict's badge.
func verdictClass(v string) string {
	switch v {
	case handwash.PhishVerdictPhishing:
		return "sev-critical"
	case handwash.PhishVerdictSuspicious:
		return "sev-medium"
	}
	return "sev-info"
}

// monthName names a month of the reporting table.
func monthName(t time.Time) string { return t.Format("January 2006") }
