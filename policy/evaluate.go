package policy

import (
	"fmt"
	"math"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"time"

	"cel.dev/cel-go/cel"
	"cel.dev/cel-go/common/types"
	"cel.dev/cel-go/common/types/ref"
	"cel.dev/cel-go/interpreter"

	"github.com/handwash/handwash"
)

// Options changes how Facts are judged.
type Options struct {
	// Now is the moment of judgement; the zero time means time.Now().
	Now time.Time
	// Exceptions accept failures; see ApplyExceptions.
	Exceptions []handwash.Exception
	// Vulns is what security advisories say about the device's packages.
	// Nil leaves the controls that read it unknown, with VulnsMissing
	// saying why (or a default that says how to get the data).
	Vulns        *Vulnerabilities
	VulnsMissing string
	// Software is what end-of-life data says about the installed programs;
	// nil leaves the controls that read it unknown, with SoftwareMissing
	// saying why.
	Software        *SoftwareSupport
	SoftwareMissing string
	// ReferenceData names the data Vulns came from and how fresh it was,
	// for the report.
	ReferenceData []handwash.DataSource
	// OSLifecycle, when set, is fresher operating-system support data than
	// the built-in copy (from the feeds' end-of-life data).
	OSLifecycle *Lifecycle
	// Settings are the organisation's choices (how old a backup may be);
	// zero fields take their defaults. Evaluate uses them as given: check
	// values people give where they are read (CheckBackupMaxAge).
	Settings Settings
}

// Evaluate judges Facts against every control and returns the assessment:
// one finding per control, scores per area and overall, and the failures to
// fix first.
func (c *Catalogue) Evaluate(f *handwash.Facts, opt Options) *handwash.Assessment {
	now := opt.Now
	if now.IsZero() {
		now = time.Now()
	}
	now = now.UTC()
	lc := opt.OSLifecycle
	if lc == nil {
		lc = builtInLifecycle()
	}
	support, supportKnown := lc.LookupOSSupport(f)
	vulns := opt.Vulns
	if vulns == nil {
		vulns = &Vulnerabilities{Items: []VulnItem{}}
	}
	software := opt.Software
	if software == nil {
		software = &SoftwareSupport{Items: []SoftwareEndItem{}}
	}
	settings := opt.Settings.WithDefaults()
	ev := &evaluation{
		f: f,
		vars: map[string]any{"facts": f, "now": now, "os_support": &support, "vulns": vulns, "software_support": software,
			"settings": &settings},
		patterns:     unknownPatterns(f, supportKnown, opt.Vulns != nil, opt.Software != nil),
		items:        itemUnknowns(f),
		supportKnown: supportKnown,
		vulnsMissing: opt.VulnsMissing,
		softwareMiss: opt.SoftwareMissing,
	}
	a := &handwash.Assessment{
		Schema:           handwash.AssessmentSchema,
		CatalogueVersion: c.Version,
		EvaluatedAt:      now.Truncate(time.Second),
		Device:           f.Device,
		Facts:            summarise(f),
		ReferenceData:    append([]handwash.DataSource{lc.Source()}, opt.ReferenceData...),
	}
	for _, ctl := range c.Controls {
		a.Findings = append(a.Findings, c.judge(ctl, ev))
	}
	ApplyExceptions(a, f, opt.Exceptions, now)
	for i := range a.Findings {
		fd := &a.Findings[i]
		switch fd.Status {
		case handwash.StatusFail, handwash.StatusUnknown, handwash.StatusExcepted:
			ctl, _ := c.Control(fd.ControlID)
			fd.Why = ctl.Why
			fd.Fix = ctl.Fix[f.Device.Platform]
		}
	}
	Score(a)
	return a
}

// evaluation is what every control of one assessment is judged against.
type evaluation struct {
	f            *handwash.Facts
	vars         map[string]any
	patterns     []unknownFact
	items        []itemUnknown
	supportKnown bool
	vulnsMissing string
	softwareMiss string
}

// activation returns the variables for one expression: the facts, with
// every unobserved fact unknown, and the unobserved list-item facts whose
// fields the expression reads.
func (ev *evaluation) activation(fields map[string]bool) (interpreter.PartialActivation, []handwash.Missing) {
	var patterns []*interpreter.AttributePattern
	for _, u := range ev.patterns {
		if u.readBy(fields) {
			patterns = append(patterns, u.pattern)
		}
	}
	var used []handwash.Missing
	for _, it := range ev.items {
		if fields[it.field] {
			patterns = append(patterns, it.pattern)
			used = append(used, it.missing)
		}
	}
	act, err := cel.PartialVars(ev.vars, patterns...)
	if err != nil {
		panic("policy: " + err.Error()) // only for malformed patterns, which are never made
	}
	return act, used
}

// judge evaluates one control.
func (c *Catalogue) judge(ctl *handwash.Control, ev *evaluation) handwash.Finding {
	cp := c.compiled[ctl.ID]
	f := ev.f
	act, itemsUsed := ev.activation(cp.passFields)
	fd := handwash.Finding{ControlID: ctl.ID, Area: ctl.Area, Severity: ctl.Severity, Title: ctl.Title}
	if !ctl.AppliesTo(f.Device.Platform) {
		fd.Status = handwash.StatusNotApplicable
		fd.Summary = "Does not apply to " + f.Device.Platform.Title() + "."
		return fd
	}
	if cp.applies != nil {
		appliesAct, _ := ev.activation(cp.appliesFields)
		v, _, err := cp.applies.Eval(appliesAct)
		if err == nil && v == types.False {
			fd.Status = handwash.StatusNotApplicable
			fd.Summary = "Does not apply to this device."
			return fd
		}
		// Unknown applicability: judge anyway, so nothing is silently skipped.
	}
	v, _, err := cp.pass.Eval(act)
	switch {
	case err != nil:
		fd.Status = handwash.StatusUnknown
		fd.Missing = []handwash.Missing{{Fact: "", Reason: handwash.ReasonError, Detail: "the check could not be worked out: " + err.Error()}}
	case v == types.True:
		fd.Status = handwash.StatusPass
	case v == types.False:
		fd.Status = handwash.StatusFail
	default:
		fd.Status = handwash.StatusUnknown
		if u, ok := v.(*types.Unknown); ok {
			fd.Missing = missingFor(u, f, itemsUsed, ev.vulnsMissing, ev.softwareMiss)
		}
	}
	switch fd.Status {
	case handwash.StatusUnknown:
		fd.Summary = "Could not be checked: " + missingSentence(fd.Missing) + "."
	}
	reportAct, _ := ev.activation(cp.reportFields)
	switch fd.Status {
	case handwash.StatusFail:
		if cp.message != nil {
			if m, _, err := cp.message.Eval(reportAct); err == nil {
				if s, ok := m.Value().(string); ok {
					fd.Summary = s
				}
			}
		}
	}
	for i, p := range cp.evidence {
		val, _, err := p.Eval(reportAct)
		fd.Evidence = append(fd.Evidence, handwash.Evidence{Label: ctl.Evidence[i].Label, Value: describe(val, err)})
	}
	return fd
}

// unknownPatterns marks every fact that was not observed as a CEL unknown:
// each nil pointer or nil slice reached from the Facts without passing
// through a list, and each empty text the collection names as missing. Inside lists, absent fields read as false or zero, so
// expressions over list items test them with has().
//
// A nil slice the Facts leave out when empty (tagged omitempty, as
// backup.verifications) is an empty list, not an unknown one: it is absent
// because there is nothing in it (no backup was verified), and its parent
// being observed says it was looked for.
func unknownPatterns(f *handwash.Facts, supportKnown, vulnsKnown, softwareKnown bool) []unknownFact {
	var out []unknownFact
	missing := map[string]bool{}
	for _, m := range f.Collection.Missing {
		missing[m.Fact] = true
	}
	var walk func(v reflect.Value, path []string)
	walk = func(v reflect.Value, path []string) {
		t := v.Type()
		for i := 0; i < t.NumField(); i++ {
			name := jsonName(t.Field(i))
			if name == "-" || name == "collection" {
				continue
			}
			fv := v.Field(i)
			p := append(append([]string(nil), path...), name)
			switch fv.Kind() {
			case reflect.Pointer:
				if fv.IsNil() {
					out = append(out, unknownFact{pattern(p), p})
				} else if fv.Elem().Kind() == reflect.Struct && fv.Elem().Type() != reflect.TypeOf(time.Time{}) {
					walk(fv.Elem(), p)
				}
			case reflect.Slice:
				if fv.IsNil() && !omitEmpty(t.Field(i)) {
					out = append(out, unknownFact{pattern(p), p})
				}
			case reflect.Struct:
				if fv.Type() != reflect.TypeOf(time.Time{}) {
					walk(fv, p)
				}
			case reflect.String:
				// A text fact is empty both when it was not observed and
				// when there is nothing to say; the collector's record
				// tells them apart.
				if fv.String() == "" && missing[strings.Join(p, ".")] {
					out = append(out, unknownFact{pattern(p), p})
				}
			}
		}
	}
	walk(reflect.ValueOf(f).Elem(), nil)
	if !supportKnown {
		out = append(out, unknownFact{cel.AttributePattern("os_support"), []string{"os_support"}})
	}
	if !vulnsKnown {
		out = append(out, unknownFact{cel.AttributePattern("vulns"), []string{"vulns"}})
	}
	if !softwareKnown {
		out = append(out, unknownFact{cel.AttributePattern("software_support"), []string{"software_support"}})
	}
	return out
}

// unknownFact is a fact that was not observed, as a CEL attribute pattern
// and as the names on its path.
type unknownFact struct {
	pattern *interpreter.AttributePattern
	path    []string
}

// readBy reports whether an expression that selects these names can read
// the fact: only then need it be unknown to that expression, which keeps
// the patterns each evaluation matches against few.
func (u unknownFact) readBy(names map[string]bool) bool {
	for _, n := range u.path {
		if !names[n] {
			return false
		}
	}
	return true
}

func pattern(path []string) *interpreter.AttributePattern {
	p := cel.AttributePattern("facts")
	for _, q := range path {
		p = p.QualString(q)
	}
	return p
}

// omitEmpty reports whether a field is left out of the JSON when empty.
func omitEmpty(sf reflect.StructField) bool {
	_, opts, _ := strings.Cut(sf.Tag.Get("json"), ",")
	for _, o := range strings.Split(opts, ",") {
		if o == "omitempty" {
			return true
		}
	}
	return false
}

func jsonName(sf reflect.StructField) string {
	name, _, _ := strings.Cut(sf.Tag.Get("json"), ",")
	if name == "" {
		return sf.Name
	}
	return name
}

// missingFor explains an unknown result with the Facts' reasons. A list
// that is unknown because some of its items' facts were not observed is
// explained by those items' records.
func missingFor(u *types.Unknown, f *handwash.Facts, items []handwash.Missing, vulnsMissing, softwareMissing string) []handwash.Missing {
	seen := map[string]bool{}
	var out []handwash.Missing
	for _, id := range u.IDs() {
		trails, _ := u.GetAttributeTrails(id)
		for _, t := range trails {
			s := t.String()
			if seen[s] {
				continue
			}
			seen[s] = true
			if t.Variable() == "os_support" {
				name := "this operating system"
				if f.OS != nil && f.OS.Name != "" {
					name = f.OS.Name
				}
				out = append(out, handwash.Missing{Fact: "os_support", Reason: handwash.ReasonNotSupported,
					Detail: "Handwash's built-in support dates do not cover " + name})
				continue
			}
			if t.Variable() == "vulns" {
				if vulnsMissing == "" {
					vulnsMissing = "no security advisories are loaded for this device's packages: run handwash feeds update (or, offline, handwash feeds import with the advisory files), then check again"
				}
				out = append(out, handwash.Missing{Fact: "vulns", Reason: handwash.ReasonNotCollected, Detail: vulnsMissing})
				continue
			}
			if t.Variable() == "software_support" {
				if softwareMissing == "" {
					softwareMissing = "no end-of-life data is loaded: run handwash feeds update --only eol (or, offline, handwash feeds import with the file), then check again"
				}
				out = append(out, handwash.Missing{Fact: "software_support", Reason: handwash.ReasonNotCollected, Detail: softwareMissing})
				continue
			}
			path := strings.TrimPrefix(s, "facts.")
			var fromItems []handwash.Missing
			for _, m := range items {
				if strings.HasPrefix(m.Fact, path+"[") || strings.HasPrefix(m.Fact, path+".") {
					fromItems = append(fromItems, m)
				}
			}
			if len(fromItems) > 0 {
				for _, m := range fromItems {
					if !seen["item "+m.Fact] {
						seen["item "+m.Fact] = true
						out = append(out, m)
					}
				}
				continue
			}
			m, ok := f.MissingFor(path)
			if !ok {
				m = handwash.Missing{Reason: handwash.ReasonNotCollected}
			}
			m.Fact = path
			out = append(out, m)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Fact < out[j].Fact })
	return out
}

func missingSentence(ms []handwash.Missing) string {
	if len(ms) == 0 {
		return "a fact it needs was not observed"
	}
	var parts []string
	for _, m := range ms {
		s := m.Fact + " was not observed (" + handwash.ReasonText(m.Reason)
		if m.Detail != "" {
			s += "; " + m.Detail
		}
		parts = append(parts, s+")")
	}
	return strings.Join(parts, "; ")
}

// describe turns an evidence value into text people can read.
func describe(v ref.Val, err error) string {
	if err != nil {
		return "could not be worked out (" + err.Error() + ")"
	}
	if _, ok := v.(*types.Unknown); ok {
		return "not observed"
	}
	return plain(v.Value())
}

func plain(x any) string {
	switch v := x.(type) {
	case nil:
		return "none"
	case bool:
		if v {
			return "yes"
		}
		return "no"
	case string:
		if v == "" {
			return "none"
		}
		return v
	case time.Time:
		if v.IsZero() {
			return "never"
		}
		return v.UTC().Format("2 Jan 2006 15:04 UTC")
	case time.Duration:
		return humanDuration(v)
	case float64:
		if v == math.Trunc(v) {
			return strconv.FormatInt(int64(v), 10)
		}
		return strconv.FormatFloat(v, 'f', 1, 64)
	case int64:
		return strconv.FormatInt(v, 10)
	case uint64:
		return strconv.FormatUint(v, 10)
	case []ref.Val:
		if len(v) == 0 {
			return "none"
		}
		parts := make([]string, len(v))
		for i, e := range v {
			parts[i] = plain(e.Value())
		}
		return strings.Join(parts, ", ")
	case ref.Val:
		return plain(v.Value())
	}
	rv := reflect.ValueOf(x)
	switch rv.Kind() {
	case reflect.Pointer:
		if rv.IsNil() {
			return "none"
		}
		return plain(rv.Elem().Interface())
	case reflect.Slice:
		if rv.Len() == 0 {
			return "none"
		}
		parts := make([]string, rv.Len())
		for i := range parts {
			parts[i] = plain(rv.Index(i).Interface())
		}
		return strings.Join(parts, ", ")
	case reflect.Int, reflect.Int32, reflect.Int64:
		return strconv.FormatInt(rv.Int(), 10)
	}
	return fmt.Sprint(x)
}

func humanDuration(d time.Duration) string {
	switch {
	case d >= 48*time.Hour:
		return fmt.Sprintf("%d days", int(d.Hours()/24))
	case d >= 2*time.Hour:
		return fmt.Sprintf("%d hours", int(d.Hours()))
	case d >= 2*time.Minute:
		return fmt.Sprintf("%d minutes", int(d.Minutes()))
	}
	return fmt.Sprintf("%d seconds", int(d.Seconds()))
}

// summarise describes the Facts an assessment used.
func summarise(f *handwash.Facts) handwash.FactsSummary {
	s := handwash.FactsSummary{
		Schema:      f.Schema,
		CollectedAt: f.CollectedAt,
		Elevated:    f.Collection.Elevated,
		DurationMS:  f.Collection.DurationMS,
		Missing:     len(f.Collection.Missing),
	}
	if f.OS != nil {
		s.OS = f.OS.Name
		if f.OS.DisplayVersion != "" && !strings.Contains(s.OS, f.OS.DisplayVersion) {
			s.OS += " " + f.OS.DisplayVersion
		}
	}
	if f.Software != nil {
		s.Software = len(f.Software.Items)
	}
	for _, c := range f.Collection.Collectors {
		if c.Error != "" {
			s.Errors = append(s.Errors, c.Name+": "+c.Error)
		}
	}
	return s
}
