// Package evidence renders an organisation's evidence report: the document a
// care home manager or practice manager hands to a Cyber Essentials or Data
// Security and Protection Toolkit (DSPT) assessor.
//
// The dashboard gathers a Report (the organisation, its devices, their
// current findings, its exceptions and the control catalogue) and calls
// RenderHTML for a printable page or RenderPDF for an A4 document. Both are
// made from the same Document, which Build works out: scores per area, the
// checks that fail on most devices, and tables that map every Cyber
// Essentials requirement and DSPT evidence item the catalogue cites to the
// checks that evidence it and their result across the devices. What
// Handwash cannot see (the self-assessed questions about training, cloud
// services, routers and suppliers) is said plainly, never counted as met.
package evidence

import (
	"cmp"
	"fmt"
	"github.com/handwash/handwash/internal/english"
	"math"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"github.com/handwash/handwash"
	"github.com/handwash/handwash/cloudimport"
	"github.com/handwash/handwash/internal/svgchart"
	"github.com/handwash/handwash/mdmimport"
)

// DefaultStaleAfter is how long a device may go unseen before the report
// calls it stale when the Report does not say: the dashboard's default.
const DefaultStaleAfter = 7 * 24 * time.Hour

// Report is everything an evidence report is made from. The caller gathers
// it from the store; the renderers only read it.
type Report struct {
	// ProviderName is who looks after the organisation (an IT provider, or
	// the organisation itself); it is named as the report's preparer.
	ProviderName string
	Org          handwash.Org
	// GeneratedAt is when the report was made: it dates the report, decides
	// which devices are stale and which exceptions have expired, and is the
	// PDF's creation date, so the same Report always renders the same bytes.
	GeneratedAt time.Time
	// CatalogueVersion is the version of the controls the findings were
	// judged with.
	CatalogueVersion string
	// Version is the Handwash version that made the report; empty leaves it
	// out.
	Version string
	// Scores are the organisation's scores summed over its assessed devices,
	// as the store's OrgScores gives them.
	Scores handwash.OrgScores
	// Devices are the organisation's enrolled devices, with their newest
	// score and last-seen time.
	Devices []*handwash.Device
	// StaleAfter is how long a device may go unseen before it counts as
	// stale; zero means DefaultStaleAfter.
	StaleAfter time.Duration
	// Findings are the devices' current findings. Failed, unknown and
	// excepted findings are needed for the findings tables; passes and
	// not-applicable findings are needed too for the mapping tables to call
	// a requirement met, because a control with no finding on a device
	// counts as not checked there, never as passed.
	Findings []*handwash.DeviceFinding
	// Exceptions are the organisation's accepted risks, current and expired.
	Exceptions []*handwash.StoredException
	// Alerts are the organisation's alerts, open and closed; the report
	// lists the newest maxAlerts of them with how fast each was handled.
	Alerts []*handwash.Alert
	// BackupJobs are the organisation's backup jobs; the report lists
	// where each stood at GeneratedAt.
	BackupJobs []*handwash.BackupJob
	// PhishMonths count the organisation's phishing reports per month, as
	// the store's PhishMonths gives them; the report lists the newest 12.
	PhishMonths []handwash.PhishMonth
	// CloudAccounts and CloudImports are the organisation's cloud accounts
	// and the imports they came from, as the store's CloudAccounts gives
	// them; the report lists the imports and judges the accounts at
	// GeneratedAt.
	CloudAccounts []handwash.CloudAccount
	CloudImports  []handwash.CloudImport
	// MobileDevices are the organisation's phones and tablets, imported
	// from an MDM or entered by hand; the report judges them at GeneratedAt.
	MobileDevices []*handwash.MobileDevice
	// Staff and Training are the staff register and its training
	// records, and Incidents the incident log, for readiness.
	Staff     []*handwash.StaffMember
	Training  []handwash.TrainingRecord
	Incidents []*handwash.Incident
	// MobileSupport says whether a phone or tablet's OS version (os is ios,
	// ipados or android) still gets security updates, from the end-of-life
	// data: supported is nil when not known, endsSoon when support ends
	// soon, and detail says so in words. Nil means there is no end-of-life
	// data: whether a system is supported is then not known.
	MobileSupport func(os, version string) (supported *bool, endsSoon bool, detail string)
	// Controls are the catalogue's controls, for titles, areas, "why it
	// matters" text and references to Cyber Essentials and the DSPT.
	Controls []*handwash.Control
	// NotAssessed explains areas that no device check covers. The people
	// area gets a standard note when none is given.
	NotAssessed []Note
}

// Note explains, in a sentence or two, why an area has no score.
type Note struct {
	Area handwash.Area
	Text string
}

// Text limits, in characters: a runaway hostname or reason must not make
// the report enormous or push a table row past the end of a PDF page.
const (
	maxName = 120  // hostnames, owners, organisation and provider names
	maxText = 1000 // reasons and notes
)

// maxDevicesNamed is how many device names a findings row lists before
// saying "and N more"; the device list at the end names them all.
const maxDevicesNamed = 10

// maxFixFirst is how many failing checks the summary lists.
const maxFixFirst = 5

// Document is a Report worked out for reading: what both renderers show,
// in the order they show it. Every caller-supplied string in it is already
// cleaned and cut to length.
type Document struct {
	// Title names the document: "Cyber hygiene evidence: Ash Lodge".
	Title string
	// OrgName and ProviderName are the Report's, cleaned; OrgName is never
	// empty.
	OrgName, ProviderName string
	GeneratedAt           time.Time
	// Generated is GeneratedAt as people read it: "20 November 2026 at
	// 09:30 UTC"; Date is the day alone.
	Generated, Date string
	// CatalogueVersion and Version are the Report's, cleaned.
	CatalogueVersion, Version string

	// Overall is the organisation's score over every assessed device.
	Overall handwash.Score
	// Band names the overall score in words: good, fair or poor.
	Band string
	// Devices counts enrolled devices; Assessed those with a score; Stale
	// those not seen for longer than StaleAfter.
	Devices, Assessed, Stale int
	StaleAfter               string // "7 days"
	// Failing counts the checks that fail on at least one device.
	Failing int
	// FixFirst are the most important failing checks, worst first.
	FixFirst []*ControlResult

	// Areas are every area in report order, with its score and findings.
	Areas []*AreaSection

	// Exceptions are the accepted risks, soonest to end first.
	Exceptions []ExceptionRow
	// ExpiredExceptions counts the exceptions whose date has passed.
	ExpiredExceptions int

	// Alerts are the organisation's newest alerts, newest first, with how
	// fast each was handled; MoreAlerts counts older ones left out.
	Alerts     []AlertRow
	MoreAlerts int

	// Backups are the backup jobs by name, with where each stood at
	// GeneratedAt; FailingBackups counts those failed or overdue.
	Backups        []BackupRow
	FailingBackups int
	// Restores are the devices' newest restore tests (findings of the
	// backup.restore-tested check), by device name; empty when none is
	// recorded.
	Restores []RestoreRow

	// PhishMonths count the phishing reports of the newest 12 months,
	// oldest first; PhishTotal adds them up.
	PhishMonths []PhishRow
	PhishTotal  PhishRow

	// CloudImports are the imports of cloud accounts, Microsoft 365
	// first; CloudFindings judge the accounts (MFA for administrators and
	// users, shared mailboxes, a recent import), and are empty when no
	// account or import is recorded.
	CloudImports  []CloudImportRow
	CloudFindings []FindingRow

	// MobileSources count the phones and tablets from each source, MDMs
	// first, and MobileTotal all of them; MobileFindings judge them
	// (supported system, passcode, remote wipe, recent check-in), and are
	// empty when no phone or tablet is recorded.
	MobileSources  []MobileSourceRow
	MobileTotal    int
	MobileFindings []FindingRow

	// CyberEssentials and DSPT are the mapping tables.
	CyberEssentials, DSPT []*Requirement

	// DeviceRows list every enrolled device by name.
	DeviceRows []DeviceRow
}

// AreaSection is one area's score and the checks in it that did not pass
// everywhere.
type AreaSection struct {
	Area  handwash.Area
	Title string
	// Score is the area's score summed over the assessed devices.
	handwash.Score
	// Band names the score in words; empty when not assessed.
	Band string
	// Results says in words what the score is made of: "412 passed, 37
	// failed, 12 could not be checked".
	Results string
	// Note says why an area is not assessed.
	Note string
	// Controls are the checks that failed, could not be checked or were
	// accepted on at least one device, worst first.
	Controls []*ControlResult
}

// ControlResult is one check's result across the organisation's devices.
type ControlResult struct {
	// ID, Title, Area and Severity are the control's, from the catalogue
	// (or, for a control no longer in it, from its findings).
	ID       string
	Title    string
	Area     handwash.Area
	Severity handwash.Severity
	// Why says why the check matters (from the catalogue).
	Why string
	// Devices counted by the status of their finding.
	Pass, Fail, Unknown, Excepted, NotApplicable int
	// Of is the number of assessed devices, for "fails on 3 of 12 devices".
	Of int
	// Failing names the devices that fail, at most maxDevicesNamed of them;
	// MoreFailing counts the rest.
	Failing     []string
	MoreFailing int
}

// FailText says on how many devices the check fails.
func (c *ControlResult) FailText() string {
	if c.Fail == 0 {
		return "none"
	}
	return fmt.Sprintf("%d of %d", c.Fail, c.Of)
}

// FailingNames lists the failing devices, "and N more" when there are more
// than the report names.
func (c *ControlResult) FailingNames() string {
	s := strings.Join(c.Failing, ", ")
	if c.MoreFailing > 0 {
		s += fmt.Sprintf(" and %d more", c.MoreFailing)
	}
	return s
}

// ExceptionRow is one accepted risk as the report lists it.
type ExceptionRow struct {
	ControlID    string
	ControlTitle string
	// Device is the device's hostname, or "Every device" for an
	// organisation-wide exception.
	Device    string
	Reason    string
	Owner     string
	Expires   string // "31 March 2027"
	Expired   bool
	CreatedBy string
	Created   string
}

// DeviceRow is one device as the device list shows it.
type DeviceRow struct {
	// Name is the hostname, or "Unnamed device <ID>".
	Name string
	// Platform is "Windows", "macOS", "Linux", "Other" or "Unknown".
	Platform string
	OS       string
	// Score is "72/100", or "Not assessed yet".
	Score    string
	LastSeen string
	Stale    bool
	// Status says in words whether the device reports: "Reporting", or
	// "Not seen for 12 days".
	Status string
	// Assessed is false for a device with no score yet.
	Assessed bool
	// Failing counts the checks the device fails.
	Failing int
}

// Build works out the Document for a Report. It fails only when there is
// no Report.
func Build(r *Report) (*Document, error) {
	if r == nil {
		return nil, handwash.Errorf(handwash.EINVALID, "no report to render: pass the organisation's report data")
	}
	at := r.GeneratedAt.UTC()
	d := &Document{
		OrgName:          orDefault(clip(r.Org.Name, maxName), "this organisation"),
		ProviderName:     clip(r.ProviderName, maxName),
		GeneratedAt:      at,
		Generated:        at.Format("2 January 2006 at 15:04 UTC"),
		Date:             at.Format("2 January 2006"),
		CatalogueVersion: orDefault(clip(r.CatalogueVersion, maxName), "unknown"),
		Version:          clip(r.Version, maxName),
		Overall:          r.Scores.Overall,
	}
	d.Title = "Cyber hygiene evidence: " + d.OrgName
	if d.Overall.Assessed {
		d.Band = band(d.Overall.Value)
	}
	staleAfter := r.StaleAfter
	if staleAfter <= 0 {
		staleAfter = DefaultStaleAfter
	}
	d.StaleAfter = duration(staleAfter)

	controls := map[string]*handwash.Control{}
	for _, c := range r.Controls {
		if c != nil {
			controls[c.ID] = c
		}
	}

	// Devices, in a stable order, and which are assessed: only their
	// findings count, so a deleted device's leftovers cannot skew a table.
	devices := make([]*handwash.Device, 0, len(r.Devices))
	for _, dev := range r.Devices {
		if dev != nil {
			devices = append(devices, dev)
		}
	}
	slices.SortStableFunc(devices, func(a, b *handwash.Device) int {
		return cmp.Or(cmp.Compare(strings.ToLower(a.Hostname), strings.ToLower(b.Hostname)), cmp.Compare(a.ID, b.ID))
	})
	names := map[string]string{}
	index := map[string]int{}
	for i, dev := range devices {
		names[dev.ID] = deviceName(dev)
		index[dev.ID] = i
	}

	// status[device][control], the last finding winning if one is repeated.
	status := make([]map[string]handwash.Status, len(devices))
	for i := range status {
		status[i] = map[string]handwash.Status{}
	}
	results := map[string]*ControlResult{}
	for _, f := range r.Findings {
		if f == nil {
			continue
		}
		i, ok := index[f.DeviceID]
		if !ok {
			continue
		}
		status[i][f.ControlID] = f.Status
		if results[f.ControlID] == nil {
			results[f.ControlID] = newResult(f.ControlID, controls[f.ControlID], &f.Finding)
		}
	}
	assessed := 0
	for i, dev := range devices {
		if dev.Score >= 0 || len(status[i]) > 0 {
			assessed++
		}
	}
	d.Devices, d.Assessed = len(devices), assessed
	for i, dev := range devices {
		for id, st := range status[i] {
			c := results[id]
			switch st {
			case handwash.StatusPass:
				c.Pass++
			case handwash.StatusFail:
				c.Fail++
				if len(c.Failing) < maxDevicesNamed {
					c.Failing = append(c.Failing, names[dev.ID])
				} else {
					c.MoreFailing++
				}
			case handwash.StatusUnknown:
				c.Unknown++
			case handwash.StatusExcepted:
				c.Excepted++
			case handwash.StatusNotApplicable:
				c.NotApplicable++
			}
		}
	}
	all := make([]*ControlResult, 0, len(results))
	for _, c := range results {
		c.Of = assessed
		all = append(all, c)
	}
	slices.SortFunc(all, worstFirst)

	for _, c := range all {
		if c.Fail > 0 {
			d.Failing++
			if len(d.FixFirst) < maxFixFirst {
				d.FixFirst = append(d.FixFirst, c)
			}
		}
	}
	d.Areas = areaSections(r, all)

	for i, dev := range devices {
		d.DeviceRows = append(d.DeviceRows, deviceRow(dev, status[i], at, staleAfter))
		if d.DeviceRows[i].Stale {
			d.Stale++
		}
	}
	d.Exceptions, d.ExpiredExceptions = exceptionRows(r.Exceptions, controls, names, at)
	d.Alerts, d.MoreAlerts = alertRows(r.Alerts, at)
	d.Backups, d.FailingBackups = backupRows(r.BackupJobs, at)
	d.Restores = restoreRows(r.Findings, devices, names)
	d.PhishMonths, d.PhishTotal = phishRows(r.PhishMonths)
	d.CloudImports = cloudImportRows(r.CloudImports)
	if len(r.CloudAccounts) > 0 || len(r.CloudImports) > 0 {
		d.CloudFindings = findingRows(cloudimport.Findings(r.CloudAccounts, r.CloudImports, at))
	}
	d.MobileSources, d.MobileTotal = mobileSourceRows(r.MobileDevices)
	if d.MobileTotal > 0 {
		support := r.MobileSupport
		if support == nil {
			support = noSupportData
		}
		d.MobileFindings = findingRows(mdmimport.Findings(r.MobileDevices, support, at))
	}
	d.CyberEssentials, d.DSPT = mapping(r.Controls, results, assessed, devices, status)
	return d, nil
}

func newResult(id string, ctl *handwash.Control, f *handwash.Finding) *ControlResult {
	if ctl != nil {
		return &ControlResult{ID: id, Title: ctl.Title, Area: ctl.Area, Severity: ctl.Severity, Why: strings.TrimSpace(ctl.Why)}
	}
	// A control no longer in the catalogue: its findings still say what it was.
	return &ControlResult{ID: clip(id, maxName), Title: clip(f.Title, maxName), Area: f.Area, Severity: f.Severity, Why: clip(strings.TrimSpace(f.Why), maxText)}
}

// worstFirst orders checks: failures before the rest, then most severe,
// then failing on most devices, then could not be checked on most, then
// by ID so the order is stable.
func worstFirst(a, b *ControlResult) int {
	if (a.Fail > 0) != (b.Fail > 0) {
		if a.Fail > 0 {
			return -1
		}
		return 1
	}
	return cmp.Or(
		cmp.Compare(b.Severity.Rank(), a.Severity.Rank()),
		cmp.Compare(b.Fail, a.Fail),
		cmp.Compare(b.Unknown, a.Unknown),
		cmp.Compare(b.Excepted, a.Excepted),
		cmp.Compare(a.ID, b.ID),
	)
}

// peopleNote is said of the people area when the caller gives no note.
const peopleNote = "Training, incident response, suppliers and governance are not checked on devices. " +
	"They are covered by the self-assessment questions, which this report does not include yet."

func areaSections(r *Report, all []*ControlResult) []*AreaSection {
	scores := map[handwash.Area]handwash.Score{}
	order := slices.Clone(handwash.Areas)
	for _, s := range r.Scores.Areas {
		scores[s.Area] = s.Score
		if !slices.Contains(order, s.Area) {
			order = append(order, s.Area)
		}
	}
	notes := map[handwash.Area]string{handwash.AreaPeople: peopleNote}
	for _, n := range r.NotAssessed {
		notes[n.Area] = clip(n.Text, maxText)
	}
	var out []*AreaSection
	for _, area := range order {
		s, ok := scores[area]
		if !ok {
			s = handwash.Score{Value: -1}
		}
		sec := &AreaSection{Area: area, Title: clip(area.Title(), maxName), Score: s}
		if s.Assessed {
			sec.Band = band(s.Value)
			sec.Results = resultsText(s)
		} else {
			sec.Note = orDefault(notes[area], "No device check in this area could be judged yet.")
		}
		for _, c := range all {
			if c.Area == area && c.Fail+c.Unknown+c.Excepted > 0 {
				sec.Controls = append(sec.Controls, c)
			}
		}
		out = append(out, sec)
	}
	return out
}

// resultsText says what a summed score is made of, counting check results
// over every device.
func resultsText(s handwash.Score) string {
	parts := []string{english.Count(s.Pass, "check passed", "checks passed")}
	accepted := "accepted as exceptions"
	if s.Excepted == 1 {
		accepted = "accepted as an exception"
	}
	if s.Fail > 0 {
		parts = append(parts, fmt.Sprintf("%d failed", s.Fail))
	}
	if s.Unknown > 0 {
		parts = append(parts, fmt.Sprintf("%d could not be checked", s.Unknown))
	}
	if s.Excepted > 0 {
		parts = append(parts, fmt.Sprintf("%d %s", s.Excepted, accepted))
	}
	return strings.Join(parts, ", ")
}

func deviceRow(dev *handwash.Device, status map[string]handwash.Status, now time.Time, staleAfter time.Duration) DeviceRow {
	row := DeviceRow{
		Name:     deviceName(dev),
		Platform: platformTitle(dev.Platform),
		OS:       clip(dev.OS, maxName),
		Score:    "Not assessed yet",
		Stale:    dev.Stale(now, staleAfter),
		Status:   "Reporting",
	}
	if dev.Score >= 0 || len(status) > 0 {
		row.Assessed = true
	}
	if dev.Score >= 0 {
		row.Score = fmt.Sprintf("%d/100", dev.Score)
	}
	seen := dev.EnrolledAt
	if dev.LastSeenAt != nil {
		seen = *dev.LastSeenAt
	}
	switch {
	case dev.LastSeenAt == nil:
		row.LastSeen = "Never"
		if row.Stale {
			row.Status = "Never reported"
		} else {
			row.Status = "Waiting for its first report"
		}
	default:
		row.LastSeen = seen.UTC().Format("2 January 2006")
		if row.Stale {
			row.Status = "Not seen for " + duration(now.Sub(seen))
		}
	}
	for _, st := range status {
		if st == handwash.StatusFail {
			row.Failing++
		}
	}
	return row
}

func exceptionRows(ex []*handwash.StoredException, controls map[string]*handwash.Control, names map[string]string, now time.Time) ([]ExceptionRow, int) {
	var rows []ExceptionRow
	expired := 0
	sorted := slices.Clone(ex)
	sorted = slices.DeleteFunc(sorted, func(e *handwash.StoredException) bool { return e == nil })
	slices.SortStableFunc(sorted, func(a, b *handwash.StoredException) int {
		return cmp.Or(a.Expires.Compare(b.Expires), cmp.Compare(a.Control, b.Control), cmp.Compare(a.DeviceID, b.DeviceID), cmp.Compare(a.ID, b.ID))
	})
	for _, e := range sorted {
		row := ExceptionRow{
			ControlID:    clip(e.Control, maxName),
			ControlTitle: clip(e.Control, maxName),
			Device:       "Every device",
			Reason:       clip(e.Reason, maxText),
			Owner:        clip(e.Owner, maxName),
			Expires:      e.Expires.UTC().Format("2 January 2006"),
			Expired:      !e.Expires.After(now),
			CreatedBy:    clip(e.CreatedBy, maxName),
		}
		if !e.CreatedAt.IsZero() {
			row.Created = e.CreatedAt.UTC().Format("2 January 2006")
		}
		if c := controls[e.Control]; c != nil {
			row.ControlTitle = c.Title
		}
		if e.DeviceID != "" {
			row.Device = orDefault(names[e.DeviceID], "Device "+clip(e.DeviceID, maxName)+" (no longer enrolled)")
		}
		if row.Expired {
			expired++
		}
		rows = append(rows, row)
	}
	return rows, expired
}

// band names a 0-100 score in words, as the charts do.
func band(v int) string {
	best := svgchart.Band{Min: math.Inf(-1)}
	for _, b := range svgchart.ScoreBands() {
		if float64(v) >= b.Min && b.Min >= best.Min {
			best = b
		}
	}
	return best.Name
}

func deviceName(d *handwash.Device) string {
	if n := clip(d.Hostname, maxName); n != "" {
		return n
	}
	return "Unnamed device " + clip(d.ID, maxName)
}

func platformTitle(p handwash.Platform) string {
	switch p {
	case handwash.PlatformWindows, handwash.PlatformMacOS, handwash.PlatformLinux:
		return p.Title()
	case "":
		return "Unknown"
	}
	return "Other"
}

// duration says a length of time in whole days or hours: "7 days", "1 day",
// "5 hours".
func duration(d time.Duration) string {
	if d >= 24*time.Hour {
		return english.Count(int(d/(24*time.Hour)), "day", "days")
	}
	return english.Count(max(int(d/time.Hour), 1), "hour", "hours")
}

func orDefault(s, def string) string {
	if strings.TrimSpace(s) == "" {
		return def
	}
	return s
}

// clip makes caller-supplied text safe to print anywhere: invalid UTF-8
// and control characters (which XML forbids and PDF viewers show as boxes)
// become spaces or U+FFFD, runs of whitespace at the ends are trimmed, and
// text longer than max characters is cut to end in "…".
func clip(s string, max int) string {
	s = strings.TrimSpace(strings.ToValidUTF8(s, "\uFFFD"))
	clean := true
	for _, r := range s {
		if r < 0x20 && r != '\n' || r == 0x7f || r >= 0x80 && r < 0xa0 || r == 0xfffe || r == 0xffff {
			clean = false
			break
		}
	}
	if !clean {
		s = strings.Map(func(r rune) rune {
			switch {
			case r == '\t' || r == '\r':
				return ' '
			case r < 0x20 && r != '\n' || r == 0x7f || r >= 0x80 && r < 0xa0 || r == 0xfffe || r == 0xffff:
				return '\uFFFD'
			}
			return r
		}, s)
	}
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	n := 0
	for i := range s {
		if n == max-1 {
			return strings.TrimSpace(s[:i]) + "…"
		}
		n++
	}
	return s
}

// Filename suggests a file name for the report, for a download's
// Content-Disposition: "handwash-evidence-rosewood-care-2026-11-30.pdf".
// It holds only lower-case ASCII letters, digits and hyphens before the
// extension, whatever the organisation is called.
func Filename(r *Report, ext string) string {
	name, date := "", ""
	if r != nil {
		name = slug(r.Org.Name)
		date = r.GeneratedAt.UTC().Format("2006-01-02")
	}
	parts := []string{"handwash-evidence"}
	for _, p := range []string{name, date} {
		if p != "" {
			parts = append(parts, p)
		}
	}
	if ext = slug(ext); ext != "" {
		return strings.Join(parts, "-") + "." + ext
	}
	return strings.Join(parts, "-")
}

// slug spells s in lower-case ASCII letters and digits joined by single
// hyphens, dropping accents: "Zoë’s Home" is "zoe-s-home".
func slug(s string) string {
	var b strings.Builder
	hyphen := false
	for _, r := range norm.NFKD.String(strings.ToLower(s)) {
		switch {
		case r >= 'a' && r <= 'z' || r >= '0' && r <= '9':
			if hyphen && b.Len() > 0 {
				b.WriteByte('-')
			}
			hyphen = false
			b.WriteRune(r)
		case unicode.Is(unicode.Mn, r):
		default:
			hyphen = true
		}
		if b.Len() >= 60 {
			break
		}
	}
	return b.String()
}

// plural is "1 device" or "3 devices", for the reports and their templates.
var plural = english.Count
