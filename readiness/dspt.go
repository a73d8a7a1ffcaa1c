package readiness

import (
	"cmp"
	"fmt"
	"github.com/handwash/handwash/internal/english"
	"slices"
	"strings"

	"github.com/handwash/handwash/assess"
	"github.com/handwash/handwash/evidence"
)

// DSPT is an organisation's readiness for the Data Security and Protection
// Toolkit, over the evidence items Handwash covers.
type DSPT struct {
	// Approaching is Approaching Standards, for social care providers: the
	// items whose lowest level is Approaching Standards. StandardsMet is
	// Standards Met: every item here, including those whose level is not
	// known, to be safe.
	Approaching, StandardsMet DSPTLevel
	// Items are the evidence items the device checks, the findings from no
	// device and the self-assessment questions cite, in item order.
	Items []*DSPTItem
}

// The DSPT levels, as the report names them.
const (
	LevelApproaching = "Approaching Standards"
	LevelMet         = "Standards Met"
)

// DSPTLevel is how ready the organisation is for one DSPT level, over the
// items Handwash covers.
type DSPTLevel struct {
	// Name is LevelApproaching or LevelMet.
	Name string
	// Status is StatusReady when every item needed is met, StatusNotReady
	// when one is not, and StatusNotKnown when Handwash covers no item
	// needed at this level.
	Status Status
	// Needed counts the items needed at this level; Met those met.
	Needed, Met int
	// NotMet names the items needed and not met.
	NotMet []string
	// Unconfirmed counts the items needed whose level the sources do not
	// confirm.
	Unconfirmed int
	// Summary explains the status in a sentence, without naming it.
	Summary string
}

// DSPTItem is one DSPT evidence item, with what shows it and what is
// missing.
type DSPTItem struct {
	// ID is the item number ("6.2.1"); a whole standard ("Standard 7") when
	// a check cites the standard but not the item; empty when not even the
	// standard is known.
	ID string
	// Standard is "Standard 6".
	Standard string
	// Text says what the item asks.
	Text string
	// Note qualifies the number, such as "item number to be confirmed".
	Note string
	// Level is the lowest level that needs the item, assess.DSPTApproaching
	// or assess.DSPTMet, from the questions that cite it; empty when the
	// sources do not say. LevelConfirmed is true when the level is checked
	// in the DSPT's own guidance.
	Level          string
	LevelConfirmed bool
	// Met is true when every check behind the item passes and every
	// question is answered yes, or not applicable with a reason.
	Met bool
	// Checks and Answers are what is behind the item.
	Checks  []Check
	Answers []QuestionResult
	// Missing says, one sentence each, what stops the item being met.
	Missing []string
}

// Label names the item: "6.2.1", "Standard 7", or "Other item".
func (it *DSPTItem) Label() string {
	return orDefault(it.ID, "Other item")
}

// NeededFor names the lowest level that needs the item.
func (it *DSPTItem) NeededFor() string {
	switch it.Level {
	case assess.DSPTApproaching:
		return LevelApproaching
	case assess.DSPTMet:
		return LevelMet
	}
	return "Not known"
}

// LevelNote says how sure the level is: empty when confirmed.
func (it *DSPTItem) LevelNote() string {
	switch {
	case it.Level == "":
		return "The sources Handwash uses do not say which level needs this item; it is counted at Standards Met to be safe."
	case !it.LevelConfirmed:
		return "Level not confirmed in the DSPT's own guidance."
	}
	return ""
}

// At says whether the item is met at a level (LevelApproaching or
// LevelMet): "Met", "Not met", "Not needed", or, when the level is not
// known, "Met (may not be needed)" or "Not met (may be needed)".
func (it *DSPTItem) At(level string) string {
	met := "Not met"
	if it.Met {
		met = "Met"
	}
	switch {
	case it.Level == "" && level == LevelApproaching:
		if it.Met {
			return met + " (may not be needed)"
		}
		return met + " (may be needed)"
	case it.Level == assess.DSPTMet && level == LevelApproaching:
		return "Not needed"
	}
	return met
}

// neededAt reports whether the item counts towards a level.
func (it *DSPTItem) neededAt(level string) bool {
	if level == LevelApproaching {
		return it.Level == assess.DSPTApproaching
	}
	return true
}

// dsptText words the items no device check or self-assessed row of the
// evidence report describes, from the project's domain digest (DSPT
// section).
var dsptText = map[string]string{
	"1.1.5": "A named senior person is accountable for data security and protection.",
	"1.6.6": "There is a policy on staff using their own devices for work.",
	"2.1.1": "Staff induction covers data security and protection.",
	"2.2.1": "Staff contracts contain data security requirements.",
	"3.1.1": "A training needs analysis has been done in the last 12 months.",
	"6.3.2": "High severity cyber alerts are responded to within 48 hours: knowing whether each applies, and following any recommended mitigations.",
	"8.3.1": "How do your systems receive updates and how often?",
}

func (b *builder) dspt() DSPT {
	items := map[string]*DSPTItem{}
	seen := map[string]map[string]bool{}
	var order []string
	get := func(key string) *DSPTItem {
		it := items[key]
		if it == nil {
			it = &DSPTItem{}
			items[key] = it
			seen[key] = map[string]bool{}
			order = append(order, key)
		}
		return it
	}
	byNumber := func(id string) *DSPTItem {
		it := get(id)
		if it.ID == "" {
			it.ID = id
			it.Standard = "Standard " + strings.SplitN(id, ".", 2)[0]
			it.Text = dsptText[id]
		}
		return it
	}
	for _, row := range b.doc.DSPT {
		key := row.ID
		if key == "" {
			key = "text " + row.Text
		}
		it := get(key)
		it.ID, it.Standard, it.Note = row.ID, row.Group, row.Note
		if row.Text != "" {
			it.Text = row.Text
		}
		for _, c := range row.Controls {
			if !seen[key][c.ID] {
				seen[key][c.ID] = true
				it.Checks = append(it.Checks, b.flag(deviceCheck(c)))
			}
		}
	}
	for _, x := range b.extra {
		for _, id := range x.dspt {
			it := byNumber(id)
			if !seen[id][x.ID] {
				seen[id][x.ID] = true
				it.Checks = append(it.Checks, b.flag(x.Check))
			}
		}
	}
	for i := range b.cat.Questions {
		q := &b.cat.Questions[i]
		for _, ref := range q.Refs.DSPT {
			it := byNumber(ref.Item)
			it.Answers = append(it.Answers, b.question(q))
			if it.Text == "" {
				it.Text = q.Question
			}
			mergeLevel(it, ref)
		}
	}

	var d DSPT
	for _, key := range order {
		it := items[key]
		sortChecks(it.Checks)
		it.Met, it.Missing = meets(it)
		d.Items = append(d.Items, it)
	}
	slices.SortStableFunc(d.Items, func(a, b *DSPTItem) int {
		return cmp.Or(evidence.CompareItems(a.ID, b.ID), cmp.Compare(a.ID, b.ID), cmp.Compare(a.Text, b.Text))
	})
	d.Approaching = level(LevelApproaching, d.Items)
	d.StandardsMet = level(LevelMet, d.Items)
	return d
}

// mergeLevel takes the lowest level any question gives an item, and
// counts it confirmed when any question citing it at that level says so.
func mergeLevel(it *DSPTItem, ref assess.DSPTRef) {
	rank := func(l string) int {
		switch l {
		case assess.DSPTApproaching:
			return 0
		case assess.DSPTMet:
			return 1
		}
		return 2
	}
	switch {
	case rank(ref.Level) < rank(it.Level):
		it.Level, it.LevelConfirmed = ref.Level, ref.Confirmed
	case ref.Level != "" && ref.Level == it.Level:
		it.LevelConfirmed = it.LevelConfirmed || ref.Confirmed
	}
}

// meets says whether an item is met and, if not, what is missing.
func meets(it *DSPTItem) (bool, []string) {
	var missing []string
	shown := 0
	for _, c := range it.Checks {
		title := "“" + c.Title + "”"
		switch c.Status {
		case CheckPass:
			shown++
		case CheckFail, CheckUnknown:
			missing = append(missing, fmt.Sprintf("%s (%s): %s", title, c.ID, c.Detail))
		case CheckNotChecked:
			missing = append(missing, fmt.Sprintf("%s (%s): %s", title, c.ID, c.Detail))
		}
	}
	for _, a := range it.Answers {
		q := "“" + a.Question + "”"
		switch {
		case a.Good:
			shown++
		case a.Status == AnswerNo:
			missing = append(missing, q+" is answered no.")
		case a.Status == AnswerPartly:
			missing = append(missing, q+" is answered only partly.")
		case a.Status == AnswerExpired:
			missing = append(missing, q+" was answered, but the answer is out of date: check it and answer again.")
		case a.Status == AnswerNotApplicable:
			missing = append(missing, q+" is answered not applicable without saying why.")
		default:
			missing = append(missing, q+" is not answered.")
		}
	}
	if len(it.Checks) == 0 && len(it.Answers) == 0 {
		missing = append(missing, "Handwash has no check or question for this item: answer it in the Toolkit itself.")
	} else if shown == 0 && len(missing) == 0 {
		missing = append(missing, "None of the checks behind this item apply to your devices, and no question covers it: show it another way in the Toolkit.")
	}
	return len(missing) == 0, missing
}

// level says how ready the organisation is for one level.
func level(name string, items []*DSPTItem) DSPTLevel {
	l := DSPTLevel{Name: name}
	for _, it := range items {
		if !it.neededAt(name) {
			continue
		}
		l.Needed++
		if it.Met {
			l.Met++
		} else {
			l.NotMet = append(l.NotMet, it.Label())
		}
		if it.LevelNote() != "" {
			l.Unconfirmed++
		}
	}
	switch {
	case l.Needed == 0:
		l.Status = StatusNotKnown
		l.Summary = "Handwash covers no item needed at this level."
	case l.Met == l.Needed:
		l.Status = StatusReady
		l.Summary = fmt.Sprintf("All %d items Handwash covers that %s needs are met.", l.Needed, name)
		if l.Needed == 1 {
			l.Summary = fmt.Sprintf("The 1 item Handwash covers that %s needs is met.", name)
		}
	case l.Met == 0:
		l.Status = StatusNotReady
		l.Summary = fmt.Sprintf("None of the %d items Handwash covers that %s needs is met yet.", l.Needed, name)
	default:
		l.Status = StatusNotReady
		l.Summary = fmt.Sprintf("%d of the %d items Handwash covers that %s needs %s not met: %s.",
			len(l.NotMet), l.Needed, name, isAre(len(l.NotMet)), english.List(l.NotMet, 0))
	}
	return l
}
