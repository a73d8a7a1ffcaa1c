package dashboard

import (
	"context"
	"fmt"
	"html/template"
	"math"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/handwash/handwash"
	"github.com/handwash/handwash/internal/svgchart"
)

// devicesPerPage is how many devices a list shows at once.
const devicesPerPage = 50

// fixFirstShown is how many failed checks an organisation's page lists
// before the rest, which are one click away: ten is a morning's work, and
// a longer list is where people stop reading.
const fixFirstShown = 10

type orgRow struct {
	Org      *handwash.Org
	Scores   *handwash.OrgScores
	Devices  int
	Stale    int
	Failures int
	// Exceptions are the organisation's accepted risks, and Overdue how
	// many are past their date to look again.
	Exceptions []*handwash.StoredException
	Overdue    int
	// Trend says how the overall score moved since a week ago.
	Trend string
	// History is the overall score at the end of each day of the last
	// 90 days on which a device was judged.
	History []handwash.OrgScorePoint
	// OpenAlerts counts the organisation's alerts that are not closed,
	// and OverdueAlerts those of them with a clock run out.
	OpenAlerts, OverdueAlerts int
}

type homePage struct {
	Orgs []orgRow
	// Areas are the areas devices are scored in, for the table's columns.
	Areas []handwash.Area
}

// handleHome is the provider's morning screen: every organisation with its
// scores, stale devices and failures. A user of one organisation goes
// straight to it.
func (s *server) handleHome(w http.ResponseWriter, r *http.Request) {
	v := visitorOf(r)
	if v.user.OrgID != "" {
		http.Redirect(w, r, "/orgs/"+url.PathEscape(v.user.OrgID), http.StatusSeeOther)
		return
	}
	ctx, scope := r.Context(), v.principal().Scope
	orgs, err := s.store.Orgs(ctx, scope)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p := homePage{Areas: deviceAreas()}
	for _, o := range orgs {
		row, err := s.orgRow(ctx, scope, o)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		p.Orgs = append(p.Orgs, row)
	}
	s.render(w, r, http.StatusOK, "home", "Your organisations", p)
}

func (s *server) orgRow(ctx context.Context, scope handwash.Scope, o *handwash.Org) (orgRow, error) {
	row := orgRow{Org: o}
	var err error
	if row.Scores, err = s.store.OrgScores(ctx, scope, o.ID); err != nil {
		return row, err
	}
	if _, row.Devices, err = s.store.Devices(ctx, scope, handwash.DeviceFilter{OrgID: o.ID, Limit: 1}); err != nil {
		return row, err
	}
	before := s.now().Add(-s.cfg.StaleAfter)
	if _, row.Stale, err = s.store.Devices(ctx, scope, handwash.DeviceFilter{OrgID: o.ID, StaleBefore: &before, Limit: 1}); err != nil {
		return row, err
	}
	// Each device's assessment counts its failures: their sum needs no
	// look at the findings themselves.
	row.Failures = row.Scores.Overall.Fail
	if row.Exceptions, err = s.store.Exceptions(ctx, scope, o.ID); err != nil {
		return row, err
	}
	for _, e := range row.Exceptions {
		if e.Expires.Before(s.now()) {
			row.Overdue++
		}
	}
	if row.History, err = s.store.OrgScoreHistory(ctx, scope, o.ID, s.now().AddDate(0, 0, -90)); err != nil {
		return row, err
	}
	row.Trend = trend(row.Scores.Overall.Value, row.History, s.now().AddDate(0, 0, -7))
	alerts, err := s.store.Alerts(ctx, scope, handwash.AlertFilter{OrgID: o.ID, Open: true})
	if err != nil {
		return row, err
	}
	row.OpenAlerts = len(alerts)
	for _, a := range alerts {
		if a.AckOverdue(s.now()) || a.FixOverdue(s.now()) {
			row.OverdueAlerts++
		}
	}
	return row, nil
}

// deviceAreas are the areas that devices' checks score: every area but
// people, which no device can show.
func deviceAreas() []handwash.Area {
	var out []handwash.Area
	for _, a := range handwash.Areas {
		if a != handwash.AreaPeople {
			out = append(out, a)
		}
	}
	return out
}

// areaScore is the organisation's score in one area, or -1.
func (r orgRow) AreaScore(a handwash.Area) int {
	for _, s := range r.Scores.Areas {
		if s.Area == a {
			return s.Value
		}
	}
	return -1
}

// pathOrg returns the organisation the path names, within the visitor's
// scope; otherwise it shows the error (another organisation's is "not
// found") and reports false.
func (s *server) pathOrg(w http.ResponseWriter, r *http.Request) (*handwash.Org, handwash.Scope, bool) {
	scope := visitorOf(r).principal().Scope
	o, err := s.store.Org(r.Context(), scope, r.PathValue("org"))
	if err != nil {
		s.fail(w, r, err)
		return nil, scope, false
	}
	return o, scope, true
}

type fixFirst struct {
	OrgID     string
	ControlID string
	Title     string
	Area      handwash.Area
	Severity  handwash.Severity
	Devices   int
}

type orgPage struct {
	orgRow
	Chart      template.HTML
	ChartTable svgchart.Table
	// OverTime is the chart of the overall score over time.
	OverTime      template.HTML
	OverTimeTable svgchart.Table
	FixFirst      []fixFirst
	FixLater      []fixFirst
	List          []*handwash.Device
	Total         int
	Filter        deviceFilterView
	Sites         []*handwash.Site
	Platforms     []handwash.Platform
	Prev, Next    string
	StaleAfter    time.Duration
	Now           time.Time
	// CanWrite shows the buttons that revoke exceptions.
	CanWrite bool
}

type deviceFilterView struct {
	Platform, Site string
	Stale          bool
	Page           int
}

// handleOrg shows one organisation: scores per area, what to fix first
// across its devices, and its devices with filters.
func (s *server) handleOrg(w http.ResponseWriter, r *http.Request) {
	o, scope, ok := s.pathOrg(w, r)
	if !ok {
		return
	}
	ctx := r.Context()
	row, err := s.orgRow(ctx, scope, o)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p := orgPage{orgRow: row, Platforms: handwash.Platforms, StaleAfter: s.cfg.StaleAfter, Now: s.now(), CanWrite: visitorOf(r).principal().CanWrite()}
	chart := svgchart.BarChart{ID: "areas", Title: "Scores per area, out of 100", Max: 100, Bands: svgchart.ScoreBands(),
		LabelHeading: "Area", ValueHeading: "Score out of 100", MissingText: "not assessed"}
	for _, a := range row.Scores.Areas {
		b := svgchart.Bar{Label: a.Title, Value: float64(a.Value)}
		if a.Value < 0 {
			b.Missing, b.Value = true, math.NaN()
		}
		chart.Bars = append(chart.Bars, b)
	}
	p.Chart, p.ChartTable = chart.SVG(), chart.Table()
	line := svgchart.LineChart{ID: "org-history", Title: "Overall score over the last 90 days", Max: 100,
		Start: s.now().AddDate(0, 0, -90), End: s.now(), Location: time.Local}
	series := svgchart.Series{Name: "Overall score"}
	for _, pt := range row.History {
		v := float64(pt.Value)
		if pt.Value < 0 {
			v = math.NaN()
		}
		series.Points = append(series.Points, svgchart.Point{Time: pt.Day, Value: v})
	}
	line.Series = []svgchart.Series{series}
	p.OverTime, p.OverTimeTable = line.SVG(), line.Table()
	if p.FixFirst, err = s.fixFirst(ctx, scope, o.ID); err != nil {
		s.fail(w, r, err)
		return
	}
	if len(p.FixFirst) > fixFirstShown {
		p.FixFirst, p.FixLater = p.FixFirst[:fixFirstShown], p.FixFirst[fixFirstShown:]
	}
	if p.Sites, err = s.store.Sites(ctx, scope, o.ID); err != nil {
		s.fail(w, r, err)
		return
	}
	q := r.URL.Query()
	f := handwash.DeviceFilter{OrgID: o.ID, Limit: devicesPerPage}
	p.Filter.Platform = q.Get("platform")
	if p.Filter.Platform != "" {
		f.Platform = handwash.Platform(p.Filter.Platform)
		if !slices.Contains(handwash.Platforms, f.Platform) {
			s.fail(w, r, handwash.Errorf(handwash.EINVALID, "There is no platform called %q. Choose one from the list.", p.Filter.Platform))
			return
		}
	}
	p.Filter.Site = q.Get("site")
	f.SiteID = p.Filter.Site
	if q.Get("stale") != "" {
		p.Filter.Stale = true
		before := s.now().Add(-s.cfg.StaleAfter)
		f.StaleBefore = &before
	}
	if n := q.Get("page"); n != "" {
		pg, err := strconv.Atoi(n)
		if err != nil || pg < 1 || pg > 100000 {
			s.fail(w, r, handwash.Errorf(handwash.EINVALID, "page must be a whole number from 1"))
			return
		}
		p.Filter.Page = pg - 1
	}
	f.Offset = p.Filter.Page * devicesPerPage
	if p.List, p.Total, err = s.store.Devices(ctx, scope, f); err != nil {
		s.fail(w, r, err)
		return
	}
	link := func(page int) string {
		v := url.Values{}
		if p.Filter.Platform != "" {
			v.Set("platform", p.Filter.Platform)
		}
		if p.Filter.Site != "" {
			v.Set("site", p.Filter.Site)
		}
		if p.Filter.Stale {
			v.Set("stale", "1")
		}
		v.Set("page", strconv.Itoa(page+1))
		return "?" + v.Encode() + "#devices"
	}
	if p.Filter.Page > 0 {
		p.Prev = link(p.Filter.Page - 1)
	}
	if f.Offset+len(p.List) < p.Total {
		p.Next = link(p.Filter.Page + 1)
	}
	s.render(w, r, http.StatusOK, "org", o.Name, p)
}

// fixFirst lists the controls failing on an organisation's devices, most
// severe first and then by how many devices fail them.
func (s *server) fixFirst(ctx context.Context, scope handwash.Scope, orgID string) ([]fixFirst, error) {
	counts, err := s.store.FailureCounts(ctx, scope, orgID)
	if err != nil {
		return nil, err
	}
	var out []fixFirst
	for _, c := range counts {
		ff := fixFirst{OrgID: orgID, ControlID: c.ControlID, Devices: c.Devices, Title: c.ControlID}
		if ctl, ok := s.cat.Control(c.ControlID); ok {
			ff.Title, ff.Area, ff.Severity = ctl.Title, ctl.Area, ctl.Severity
		}
		out = append(out, ff)
	}
	sort.SliceStable(out, func(i, j int) bool {
		if a, b := out[i].Severity.Rank(), out[j].Severity.Rank(); a != b {
			return a > b
		}
		if out[i].Devices != out[j].Devices {
			return out[i].Devices > out[j].Devices
		}
		return out[i].ControlID < out[j].ControlID
	})
	return out, nil
}

type areaFindings struct {
	Area     handwash.Area
	Title    string
	Score    *handwash.AreaScore
	Findings []handwash.Finding
}

type devicePage struct {
	Device     *handwash.Device
	Org        *handwash.Org
	Assessment *handwash.Assessment
	Areas      []areaFindings
	Chart      template.HTML
	ChartTable svgchart.Table
	Exceptions []*handwash.StoredException
	Stale      bool
	Now        time.Time
	// CanWrite shows the forms that grant and revoke exceptions.
	CanWrite bool
	// Acceptable are the controls this device fails or could not be
	// checked on: the ones an exception may be granted for.
	Acceptable []handwash.Finding
	Grant      grantForm
}

// grantForm is the form that grants an exception, as typed.
type grantForm struct {
	Control, Reason, Owner, Expires string
	// WholeOrg grants it for every device of the organisation.
	WholeOrg bool
	Error    string
}

// handleDevice shows one device: a summary of its Facts, its findings by
// area with why they matter and the fix for its platform, its score over
// time and its exceptions.
func (s *server) handleDevice(w http.ResponseWriter, r *http.Request) {
	p, err := s.devicePage(r, grantForm{})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "device", p.Device.Hostname, p)
}

// devicePage gathers what the device page shows.
func (s *server) devicePage(r *http.Request, grant grantForm) (devicePage, error) {
	v := visitorOf(r)
	ctx, scope := r.Context(), v.principal().Scope
	d, err := s.store.Device(ctx, scope, r.PathValue("device"))
	if err != nil {
		return devicePage{}, err
	}
	p := devicePage{Device: d, Now: s.now(), Stale: d.Stale(s.now(), s.cfg.StaleAfter), CanWrite: v.principal().CanWrite(), Grant: grant}
	if p.Org, err = s.store.Org(ctx, scope, d.OrgID); err != nil {
		return p, err
	}
	p.Assessment, err = s.store.Assessment(ctx, scope, d.ID)
	if err != nil && handwash.ErrorCode(err) != handwash.ENOTFOUND {
		return p, err
	}
	if p.Assessment != nil {
		p.Areas = groupByArea(p.Assessment)
		for _, f := range p.Assessment.Findings {
			if f.Status == handwash.StatusFail || f.Status == handwash.StatusUnknown {
				p.Acceptable = append(p.Acceptable, f)
			}
		}
	}
	history, err := s.store.ScoreHistory(ctx, scope, d.ID, s.now().AddDate(0, 0, -90))
	if err != nil {
		return p, err
	}
	line := svgchart.LineChart{ID: "history", Title: "Overall score over the last 90 days", Max: 100,
		Start: s.now().AddDate(0, 0, -90), End: s.now(), Location: time.Local}
	series := svgchart.Series{Name: "Overall score"}
	for _, pt := range history {
		series.Points = append(series.Points, svgchart.Point{Time: pt.At, Value: float64(pt.Overall)})
	}
	line.Series = []svgchart.Series{series}
	p.Chart, p.ChartTable = line.SVG(), line.Table()
	p.Exceptions, err = s.store.ExceptionsFor(ctx, d)
	return p, err
}

// groupByArea orders a device's findings by area, and within each area
// failures first, then unknowns, exceptions, passes and the rest.
func groupByArea(a *handwash.Assessment) []areaFindings {
	rank := map[handwash.Status]int{handwash.StatusFail: 0, handwash.StatusUnknown: 1, handwash.StatusExcepted: 2, handwash.StatusPass: 3, handwash.StatusNotApplicable: 4}
	var out []areaFindings
	for _, area := range handwash.Areas {
		af := areaFindings{Area: area, Title: area.Title()}
		for i := range a.Areas {
			if a.Areas[i].Area == area {
				af.Score = &a.Areas[i]
			}
		}
		for _, f := range a.Findings {
			if f.Area == area {
				af.Findings = append(af.Findings, f)
			}
		}
		sort.SliceStable(af.Findings, func(i, j int) bool {
			fi, fj := af.Findings[i], af.Findings[j]
			if rank[fi.Status] != rank[fj.Status] {
				return rank[fi.Status] < rank[fj.Status]
			}
			return fi.Severity.Rank() > fj.Severity.Rank()
		})
		if len(af.Findings) > 0 || af.Score != nil {
			out = append(out, af)
		}
	}
	return out
}

type auditPage struct {
	Entries    []*handwash.AuditEntry
	Total      int
	Prev, Next string
}

// handleAudit lists administrators' actions in the visitor's scope,
// newest first. Only administrators see it.
func (s *server) handleAudit(w http.ResponseWriter, r *http.Request) {
	v := visitorOf(r)
	if !v.principal().CanWrite() {
		s.fail(w, r, handwash.Errorf(handwash.EFORBIDDEN, "Only administrators can see the audit log."))
		return
	}
	const perPage = 100
	pg := 0
	if n := r.URL.Query().Get("page"); n != "" {
		x, err := strconv.Atoi(n)
		if err != nil || x < 1 || x > 100000 {
			s.fail(w, r, handwash.Errorf(handwash.EINVALID, "page must be a whole number from 1"))
			return
		}
		pg = x - 1
	}
	entries, total, err := s.store.Audit(r.Context(), v.principal().Scope, handwash.AuditFilter{Limit: perPage, Offset: pg * perPage})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p := auditPage{Entries: entries, Total: total}
	if pg > 0 {
		p.Prev = fmt.Sprintf("?page=%d", pg)
	}
	if (pg+1)*perPage < total {
		p.Next = fmt.Sprintf("?page=%d", pg+2)
	}
	s.render(w, r, http.StatusOK, "audit", "Audit log", p)
}

// handleGrantException accepts the risk of a failed control on a device,
// or on every device of its organisation, with a reason, an owner and a
// date to look at it again. Only administrators may.
func (s *server) handleGrantException(w http.ResponseWriter, r *http.Request) {
	v := visitorOf(r)
	p := v.principal()
	if !p.CanWrite() {
		s.fail(w, r, errReadOnly)
		return
	}
	ctx := r.Context()
	d, err := s.store.Device(ctx, p.Scope, r.PathValue("device"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	form := grantForm{
		Control: r.PostFormValue("control"), Reason: r.PostFormValue("reason"), Owner: r.PostFormValue("owner"),
		Expires: r.PostFormValue("expires"), WholeOrg: r.PostFormValue("scope") == "org",
	}
	deviceID := d.ID
	if form.WholeOrg {
		deviceID = ""
	}
	known := func(id string) bool { _, ok := s.cat.Control(id); return ok }
	e, err := handwash.NewStoredException(p, d.OrgID, deviceID, form.Control, form.Reason, form.Owner, form.Expires, s.now(), known)
	if err == nil {
		err = s.store.CreateException(ctx, p.Scope, e)
	}
	if err != nil {
		if handwash.ErrorCode(err) != handwash.EINVALID {
			s.fail(w, r, err)
			return
		}
		form.Error = grantError(err)
		page, perr := s.devicePage(r, form)
		if perr != nil {
			s.fail(w, r, perr)
			return
		}
		s.render(w, r, http.StatusBadRequest, "device", d.Hostname, page)
		return
	}
	covers := "device " + d.Hostname
	if form.WholeOrg {
		covers = "every device of the organisation"
	}
	s.auditAction(r, v, d.OrgID, "exception.grant", e.ID, fmt.Sprintf("accepted %s for %s until %s, owner %s: %s", e.Control, covers, e.Expires.Format(time.DateOnly), e.Owner, e.Reason))
	s.stored()
	http.Redirect(w, r, "/devices/"+url.PathEscape(d.ID)+"#exceptions-h", http.StatusSeeOther)
}

// handleRevoke makes the handler that ends something by the ID in the
// path (an exception, an enrolment token), for administrators only,
// records it in the audit log, calls after, and goes back to the page the
// form came from.
func (s *server) handleRevoke(action, detail string, revoke func(ctx context.Context, scope handwash.Scope, id string) error, after func()) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		v := visitorOf(r)
		p := v.principal()
		if !p.CanWrite() {
			s.fail(w, r, errReadOnly)
			return
		}
		id := r.PathValue("id")
		if err := revoke(r.Context(), p.Scope, id); err != nil {
			s.fail(w, r, err)
			return
		}
		s.auditAction(r, v, p.OrgID, action, id, detail)
		after()
		http.Redirect(w, r, localPath(r.PostFormValue("next")), http.StatusSeeOther)
	}
}

var errReadOnly = handwash.Errorf(handwash.EFORBIDDEN, "You can look but not change things here: ask an administrator of your organisation.")

// grantError turns a field error of an exception into a sentence for the
// form.
func grantError(err error) string {
	msg := err.Error()
	for field, label := range map[string]string{"control:": "Check", "reason:": "Reason", "owner:": "Who owns the risk", "expires:": "Look at it again by"} {
		if rest, ok := strings.CutPrefix(msg, field); ok {
			return label + ":" + rest
		}
	}
	return msg
}

// trend says in words how an overall score moved since the newest day at
// or before weekAgo: "up 5", "down 3", "no change", or "" when there was
// no score then.
func trend(now int, history []handwash.OrgScorePoint, weekAgo time.Time) string {
	then := -1
	for _, p := range history {
		if !p.Day.After(weekAgo) {
			then = p.Value
		}
	}
	switch {
	case then < 0 || now < 0:
		return ""
	case now > then:
		return fmt.Sprintf("up %d", now-then)
	case now < then:
		return fmt.Sprintf("down %d", then-now)
	}
	return "no change"
}
