package evidence

import (
	"cmp"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/handwash/handwash"
)

// ResultKind is a requirement's result across the devices, in one word an
// assessor can scan for; it is also the class the HTML styles it by.
type ResultKind string

// The results a requirement can have.
const (
	// ResultMet: every device checked passes every check that evidences it
	// (some perhaps by an accepted exception).
	ResultMet ResultKind = "met"
	// ResultNotMet: at least one device fails a check that evidences it.
	ResultNotMet ResultKind = "not-met"
	// ResultPartly: nothing fails, but some devices could not be checked.
	ResultPartly ResultKind = "partly"
	// ResultNotChecked: checks evidence it, but no device gave a result.
	ResultNotChecked ResultKind = "not-checked"
	// ResultSelfAssessed: no Handwash check covers it; it is answered in the
	// self-assessment.
	ResultSelfAssessed ResultKind = "self-assessed"
)

// Label is the result as the tables print it.
func (k ResultKind) Label() string {
	switch k {
	case ResultMet:
		return "Met"
	case ResultNotMet:
		return "Not met"
	case ResultPartly:
		return "Partly checked"
	case ResultNotChecked:
		return "Not checked"
	case ResultSelfAssessed:
		return "Self-assessed"
	}
	return string(k)
}

// Requirement is one Cyber Essentials requirement or question, or one DSPT
// evidence item, with the checks that evidence it and their result across
// the organisation's devices.
type Requirement struct {
	// Scheme is "ce" or "dspt".
	Scheme string
	// Group is the Cyber Essentials requirement a question belongs to
	// ("Firewalls"), or the DSPT standard ("Standard 6").
	Group string
	// ID is the question or item ("A6.4", "6.2.1"); empty for a Cyber
	// Essentials requirement as a whole.
	ID string
	// Whole is true for a Cyber Essentials requirement as a whole: the
	// rows after it, up to the next whole one, are its questions.
	Whole bool
	// Text says what it asks.
	Text string
	// Note qualifies the ID, such as "item number to be confirmed".
	Note string
	// Controls are the checks that evidence it, in catalogue order.
	Controls []*ControlResult
	// Devices counted by their worst result over those checks: a device
	// that fails any of them fails.
	Pass, Fail, Unknown, Excepted int
	// Checked counts devices with a result for any of the checks.
	Checked int
	Result  ResultKind
	// ResultText explains the result in a sentence: "Fails on 3 of 12
	// devices checked.".
	ResultText string
}

// ceRequirement is one of the five Cyber Essentials technical
// requirements; its questions in the IASME question set are numbered
// under Prefix.
type ceRequirement struct {
	ID, Title, Text, Prefix string
}

// ceRequirements are the Cyber Essentials requirements for IT
// infrastructure (v3.3), in the order the requirements document gives them.
var ceRequirements = []ceRequirement{
	{"firewalls", "Firewalls", "Protect every device with a correctly configured firewall.", "A4."},
	{"secure-configuration", "Secure configuration", "Remove what is not needed, lock devices with a password, PIN or biometric, and stop auto-run.", "A5."},
	{"security-update-management", "Security update management", "Keep all software licensed and supported, and install critical and high-risk fixes within 14 days.", "A6."},
	{"user-access-control", "User access control", "Give each person their own account with only the access they need, and protect how they sign in.", "A7."},
	{"malware-protection", "Malware protection", "Keep malware protection active on every device.", "A8."},
}

// selfAssessed are requirements Handwash cannot see on a device, listed so
// that an assessor sees them as open rather than missing. Wording follows
// the IASME question set (Danzell, v16) and the DSPT 2025-26 items.
var selfAssessed = []Requirement{
	{Scheme: "ce", Group: "firewalls", ID: "A4.6", Text: "Firewall rules are approved, documented and reviewed at least every 12 months."},
	{Scheme: "ce", Group: "firewalls", Text: "The router or boundary firewall's default administrator password is changed, and remote administration is switched off or protected."},
	{Scheme: "ce", Group: "user-access-control", ID: "A7.16, A7.17", Text: "Multi-factor authentication is on for every cloud service, for administrators and all users. A \"no\" fails the assessment."},
	{Scheme: "ce", Group: "user-access-control", Text: "Accounts are approved before they are made and removed when no longer needed."},
	{Scheme: "dspt", ID: "3.2.1", Text: "At least 95% of staff, directors, trustees and volunteers completed data security training in the last twelve months."},
	{Scheme: "dspt", ID: "4.3.1", Text: "All administrators of your IT systems have signed an agreement holding them to higher standards."},
	{Scheme: "dspt", ID: "4.5.3", Text: "Multi-factor authentication is used for remote and cloud access, such as the digital social care record."},
	{Scheme: "dspt", ID: "6.1.1", Text: "There is a system for reporting data security breaches and near misses."},
	{Scheme: "dspt", ID: "7.1.1", Text: "A digital asset register of hardware and software is kept up to date and reviewed at least every 12 months. The device list in this report can help, but covers only enrolled computers."},
	{Scheme: "dspt", ID: "9.1.1", Text: "The passwords of all networking components, such as the Wi-Fi router, have been changed from their defaults."},
}

// dsptStandard finds a DSPT reference without an item number: "(DSPT
// standard 9, IT protection; item number to be confirmed)".
var dsptStandard = regexp.MustCompile(`\s*\(DSPT standard (\d+)[^)]*\)\s*$`)

// mapping builds the Cyber Essentials and DSPT tables: one row per
// requirement or item that any control cites, plus the self-assessed ones
// no control covers.
func mapping(controls []*handwash.Control, results map[string]*ControlResult, assessed int, devices []*handwash.Device, status []map[string]handwash.Status) (ce, dspt []*Requirement) {
	resultFor := func(c *handwash.Control) *ControlResult {
		if r := results[c.ID]; r != nil {
			return r
		}
		r := newResult(c.ID, c, nil)
		r.Of = assessed
		results[c.ID] = r
		return r
	}

	// Cyber Essentials: each requirement as a whole (every control citing it
	// or one of its questions), then each question a control cites.
	type row struct {
		req  *Requirement
		seen map[string]bool
	}
	add := func(r *row, c *handwash.Control) {
		if !r.seen[c.ID] {
			r.seen[c.ID] = true
			r.req.Controls = append(r.req.Controls, resultFor(c))
		}
	}
	groups := map[string]*row{}
	questions := map[string]*row{}
	var groupOrder []string
	for _, g := range ceRequirements {
		groups[g.ID] = &row{req: &Requirement{Scheme: "ce", Group: g.Title, Whole: true, Text: g.Text}, seen: map[string]bool{}}
		groupOrder = append(groupOrder, g.ID)
	}
	dsptRows := map[string]*row{}
	for _, c := range controls {
		if c == nil {
			continue
		}
		for _, ref := range c.References {
			switch ref.Scheme {
			case "ce":
				g := ceGroup(ref.ID)
				if g == "" {
					g = "other"
					if groups[g] == nil {
						groups[g] = &row{req: &Requirement{Scheme: "ce", Group: "Other requirements", Whole: true, Text: "Cyber Essentials requirements cited by the checks."}, seen: map[string]bool{}}
						groupOrder = append(groupOrder, g)
					}
				}
				add(groups[g], c)
				if ref.ID != "" && ref.ID != g {
					q := questions[ref.ID]
					if q == nil {
						q = &row{req: &Requirement{Scheme: "ce", Group: groups[g].req.Group, ID: ref.ID, Text: strings.TrimSpace(ref.Text)}, seen: map[string]bool{}}
						questions[ref.ID] = q
					}
					add(q, c)
				}
			case "dspt":
				key, req := dsptKey(ref)
				r := dsptRows[key]
				if r == nil {
					r = &row{req: req, seen: map[string]bool{}}
					dsptRows[key] = r
				}
				add(r, c)
			}
		}
	}

	for _, g := range groupOrder {
		group := groups[g]
		ce = append(ce, group.req)
		var qs []*Requirement
		for _, q := range questions {
			if q.req.Group == group.req.Group {
				qs = append(qs, q.req)
			}
		}
		for _, s := range selfAssessed {
			if s.Scheme == "ce" && s.Group == g && (s.ID == "" || questions[s.ID] == nil) {
				s := s
				s.Group = group.req.Group
				qs = append(qs, &s)
			}
		}
		slices.SortStableFunc(qs, func(a, b *Requirement) int { return cmp.Or(compareItems(a.ID, b.ID), cmp.Compare(a.ID, b.ID)) })
		ce = append(ce, qs...)
	}

	for _, r := range dsptRows {
		dspt = append(dspt, r.req)
	}
	for _, s := range selfAssessed {
		if s.Scheme == "dspt" && dsptRows[s.ID] == nil {
			s := s
			dspt = append(dspt, &s)
		}
	}
	for _, r := range dspt {
		if r.Group == "" {
			r.Group = "Standard " + strings.SplitN(r.ID, ".", 2)[0]
		}
	}
	slices.SortStableFunc(dspt, func(a, b *Requirement) int {
		return cmp.Or(compareItems(a.ID, b.ID), cmp.Compare(a.ID, b.ID), cmp.Compare(a.Text, b.Text))
	})

	for _, r := range append(slices.Clone(ce), dspt...) {
		judge(r, len(devices), status)
	}
	return ce, dspt
}

// ceGroup returns the requirement a Cyber Essentials reference belongs
// to: the ID itself when it names a requirement, or the requirement whose
// questions share its number ("A6.4" is security update management).
func ceGroup(id string) string {
	for _, g := range ceRequirements {
		if id == g.ID || strings.HasPrefix(id, g.Prefix) {
			return g.ID
		}
	}
	return ""
}

// dsptKey returns the row a DSPT reference belongs in. References without
// an item number are gathered by the standard their text names, so two
// wordings of "backups are kept separate" make one row.
func dsptKey(ref handwash.Reference) (string, *Requirement) {
	text := strings.TrimSpace(ref.Text)
	if ref.ID != "" {
		return ref.ID, &Requirement{Scheme: "dspt", ID: ref.ID, Text: text}
	}
	if m := dsptStandard.FindStringSubmatchIndex(text); m != nil {
		n := text[m[2]:m[3]]
		req := &Requirement{Scheme: "dspt", Group: "Standard " + n, ID: "Standard " + n, Text: text[:m[0]]}
		if strings.Contains(text[m[0]:], "to be confirmed") {
			req.Note = "item number to be confirmed"
		}
		return "standard " + n, req
	}
	return "text " + text, &Requirement{Scheme: "dspt", Group: "Other items", Text: text}
}

// compareItems orders item numbers as people count them: 6.2.1 before
// 6.10.1, A6.4 before A6.5, a whole standard ("Standard 7") after its
// numbered items, and rows with no number after those with one.
func compareItems(a, b string) int {
	ka, kb := itemKey(a), itemKey(b)
	for i := 0; i < len(ka) && i < len(kb); i++ {
		if c := cmp.Compare(ka[i], kb[i]); c != 0 {
			return c
		}
	}
	return cmp.Compare(len(ka), len(kb))
}

func itemKey(id string) []int {
	if id == "" {
		return []int{1 << 30}
	}
	if n, ok := strings.CutPrefix(id, "Standard "); ok {
		v, _ := strconv.Atoi(n)
		return []int{v, 1 << 30}
	}
	id = strings.TrimLeft(id, "ABCDEFGHIJKLMNOPQRSTUVWXYZ")
	var key []int
	for _, part := range strings.FieldsFunc(id, func(r rune) bool { return r < '0' || r > '9' }) {
		v, _ := strconv.Atoi(part)
		key = append(key, v)
	}
	return key
}

// judge counts each device by its worst result over a requirement's checks
// and says the requirement's result. A check a device has no finding for
// counts as not checked there, never as passed.
func judge(r *Requirement, devices int, status []map[string]handwash.Status) {
	if len(r.Controls) == 0 {
		r.Result = ResultSelfAssessed
		r.ResultText = "Handwash cannot check this: answer it in your self-assessment."
		return
	}
	notApplicable := 0
	for i := 0; i < devices; i++ {
		worst := -1
		na := false
		for _, c := range r.Controls {
			st, ok := status[i][c.ID]
			if !ok {
				continue
			}
			if st == handwash.StatusNotApplicable {
				na = true
				continue
			}
			worst = max(worst, statusWeight(st))
		}
		switch worst {
		case 3:
			r.Fail++
		case 2:
			r.Unknown++
		case 1:
			r.Excepted++
		case 0:
			r.Pass++
		default:
			if na {
				notApplicable++
			}
		}
	}
	r.Checked = r.Pass + r.Fail + r.Unknown + r.Excepted
	switch {
	case r.Fail > 0:
		r.Result = ResultNotMet
		r.ResultText = fmt.Sprintf("Fails on %d of %s checked", r.Fail, plural(r.Checked, "device", "devices"))
		if r.Unknown > 0 {
			r.ResultText += fmt.Sprintf("; %d could not be checked", r.Unknown)
		}
		r.ResultText += "."
	case r.Unknown > 0:
		r.Result = ResultPartly
		r.ResultText = fmt.Sprintf("No failures, but %d of %s could not be checked.", r.Unknown, plural(r.Checked, "device", "devices"))
	case r.Checked > 0:
		r.Result = ResultMet
		if r.Checked == 1 {
			r.ResultText = "Passes on the 1 device checked"
		} else {
			r.ResultText = fmt.Sprintf("Passes on all %d devices checked", r.Checked)
		}
		if r.Excepted > 0 {
			r.ResultText += fmt.Sprintf(", %d of them by an accepted exception", r.Excepted)
		}
		r.ResultText += "."
	case notApplicable > 0:
		r.Result = ResultNotChecked
		r.ResultText = "These checks do not apply to any of the devices."
	default:
		r.Result = ResultNotChecked
		r.ResultText = "No device has a result for these checks yet."
	}
}

// statusWeight orders statuses from best to worst for a requirement.
func statusWeight(s handwash.Status) int {
	switch s {
	case handwash.StatusPass:
		return 0
	case handwash.StatusExcepted:
		return 1
	case handwash.StatusUnknown:
		return 2
	case handwash.StatusFail:
		return 3
	}
	return -1
}
