package dashboard

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/handwash/handwash"
	"github.com/handwash/handwash/evidence"
	"github.com/handwash/handwash/readiness"
)

// handleEvidence gives an organisation's evidence report, the document a
// manager hands to an assessor: a printable page, or with .pdf a PDF.
func (s *server) handleEvidence(pdf bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		o, scope, ok := s.pathOrg(w, r)
		if !ok {
			return
		}
		rep, err := s.evidenceReport(r.Context(), o, scope)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		var b bytes.Buffer
		if pdf {
			err = evidence.RenderPDF(&b, rep)
		} else {
			err = evidence.RenderHTML(&b, rep)
		}
		if err != nil {
			s.fail(w, r, err)
			return
		}
		if pdf {
			w.Header().Set("Content-Type", "application/pdf")
			w.Header().Set("Content-Disposition", `attachment; filename="`+evidence.Filename(rep, "pdf")+`"`)
		} else {
			selfContained(w)
		}
		w.Write(b.Bytes())
	}
}

// selfContained sets the headers of a report that is one page with its
// own styles.
func selfContained(w http.ResponseWriter) {
	w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'")
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
}

// evidenceReport gathers what the evidence report of an organisation
// shows, and what readiness is worked out from.
func (s *server) evidenceReport(ctx context.Context, o *handwash.Org, scope handwash.Scope) (*evidence.Report, error) {
	rep := &evidence.Report{GeneratedAt: s.now(), CatalogueVersion: s.cat.Version, Controls: s.cat.Controls, StaleAfter: s.cfg.StaleAfter,
		MobileSupport: s.mobileSupport}
	return rep, evidence.Gather(ctx, s.store, scope, o, rep)
}

// handleReadiness shows the organisation's readiness for Cyber Essentials
// and the DSPT, with the action plan, as a page to print (or as text).
func (s *server) handleReadiness(format string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		o, scope, ok := s.pathOrg(w, r)
		if !ok {
			return
		}
		ctx := r.Context()
		rep, err := s.evidenceReport(ctx, o, scope)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		doc, err := evidence.Build(rep)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		answers, err := s.store.Answers(ctx, scope, o.ID)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		ready, err := readiness.Build(readiness.Input{OrgName: o.Name, Evidence: doc, Findings: readiness.OrgFindings(rep), Catalogue: s.questions,
			Answers: answers, Now: rep.GeneratedAt})
		if err != nil {
			s.fail(w, r, err)
			return
		}
		var b bytes.Buffer
		switch format {
		case "pdf":
			err = readiness.WritePDF(&b, ready)
			w.Header().Set("Content-Type", "application/pdf")
			w.Header().Set("Content-Disposition", `attachment; filename="`+readinessFilename(rep, "pdf")+`"`)
		case "text":
			err = readiness.WriteText(&b, ready)
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			w.Header().Set("Content-Disposition", `attachment; filename="`+readinessFilename(rep, "txt")+`"`)
		default:
			err = readiness.WriteHTML(&b, ready)
			selfContained(w)
		}
		if err != nil {
			s.fail(w, r, err)
			return
		}
		w.Write(b.Bytes())
	}
}

// handleDevicesCSV exports an organisation's devices as CSV.
func (s *server) handleDevicesCSV(w http.ResponseWriter, r *http.Request) {
	o, scope, ok := s.pathOrg(w, r)
	if !ok {
		return
	}
	ctx := r.Context()
	devices, _, err := s.store.Devices(ctx, scope, handwash.DeviceFilter{OrgID: o.ID})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	now := s.now()
	rows := [][]string{{"device_id", "hostname", "platform", "os", "site_id", "score", "last_seen", "stale", "enrolled"}}
	for _, d := range devices {
		score := ""
		if d.Score >= 0 {
			score = strconv.Itoa(d.Score)
		}
		rows = append(rows, []string{d.ID, d.Hostname, string(d.Platform), d.OS, d.SiteID, score,
			timeText(d.LastSeenAt), strconv.FormatBool(d.Stale(now, s.cfg.StaleAfter)), d.EnrolledAt.UTC().Format(time.RFC3339)})
	}
	s.writeCSV(w, r, o, "devices", rows)
}

// handleFindingsCSV exports the current findings of an organisation's
// devices as CSV, one row per device and control.
func (s *server) handleFindingsCSV(w http.ResponseWriter, r *http.Request) {
	o, scope, ok := s.pathOrg(w, r)
	if !ok {
		return
	}
	ctx := r.Context()
	findings, _, err := s.store.Findings(ctx, scope, handwash.FindingFilter{OrgID: o.ID})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	rows := [][]string{{"device_id", "hostname", "control_id", "title", "area", "severity", "status", "since", "summary"}}
	for _, f := range findings {
		rows = append(rows, []string{f.DeviceID, f.Hostname, f.ControlID, f.Title, string(f.Area), string(f.Severity),
			string(f.Status), f.Since.UTC().Format(time.RFC3339), f.Summary})
	}
	s.writeCSV(w, r, o, "findings", rows)
}

// writeCSV sends rows as a CSV download. Cells that a spreadsheet would
// run as a formula are made plain text first.
func (s *server) writeCSV(w http.ResponseWriter, r *http.Request, o *handwash.Org, what string, rows [][]string) {
	var b bytes.Buffer
	cw := csv.NewWriter(&b)
	for _, row := range rows {
		for i, cell := range row {
			row[i] = spreadsheetSafe(cell)
		}
		if err := cw.Write(row); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		s.fail(w, r, err)
		return
	}
	name := fmt.Sprintf("handwash-%s-%s-%s.csv", what, slug(o.Name), s.now().UTC().Format("2006-01-02"))
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	w.Write(b.Bytes())
}

// spreadsheetSafe keeps a cell from being read as a formula by Excel or
// LibreOffice (CSV injection): a hostname like "=HYPERLINK(…)" comes from a
// device, and a manager opens the file.
func spreadsheetSafe(cell string) string {
	if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
		return "'" + cell
	}
	return cell
}

// slug makes a name safe in a file name.
func slug(name string) string {
	var b strings.Builder
	dash := false
	for _, c := range strings.ToLower(name) {
		switch {
		case c >= 'a' && c <= 'z' || c >= '0' && c <= '9':
			b.WriteRune(c)
			dash = false
		case !dash && b.Len() > 0:
			b.WriteByte('-')
			dash = true
		}
		if b.Len() >= 60 {
			break
		}
	}
	out := strings.TrimSuffix(b.String(), "-")
	if out == "" {
		return "organisation"
	}
	return out
}

func timeText(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

type controlPage struct {
	Control  *handwash.Control
	Org      *handwash.Org
	Findings []*handwash.DeviceFinding
	Total    int
}

// handleControl shows one control across an organisation's devices: which
// fail it (or could not be checked) and since when.
func (s *server) handleControl(w http.ResponseWriter, r *http.Request) {
	ctl, ok := s.cat.Control(r.PathValue("control"))
	if !ok {
		s.fail(w, r, handwash.Errorf(handwash.ENOTFOUND, "There is no check with that name. Go back and follow a link from an organisation's page."))
		return
	}
	o, scope, ok := s.pathOrg(w, r)
	if !ok {
		return
	}
	ctx := r.Context()
	p := controlPage{Control: ctl, Org: o}
	all, _, err := s.store.Findings(ctx, scope, handwash.FindingFilter{OrgID: o.ID, ControlID: ctl.ID})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p.Total = len(all)
	for _, f := range all {
		switch f.Status {
		case handwash.StatusFail, handwash.StatusUnknown, handwash.StatusExcepted:
			p.Findings = append(p.Findings, f)
		}
	}
	s.render(w, r, http.StatusOK, "control", ctl.Title, p)
}

// readinessFilename names a readiness download as the evidence report's
// are named.
func readinessFilename(rep *evidence.Report, ext string) string {
	return strings.Replace(evidence.Filename(rep, ext), "handwash-evidence", "handwash-readiness", 1)
}
