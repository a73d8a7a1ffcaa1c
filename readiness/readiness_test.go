package readiness

import (
	"bytes"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/handwash/handwash"
	"github.com/handwash/handwash/assess"
	"github.com/handwash/handwash/internal/golden"
)

func text(t *testing.T, r *Readiness) string {
	t.Helper()
	var b bytes.Buffer
	if err := WriteText(&b, r); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func page(t *testing.T, r *Readiness) string {
	t.Helper()
	var b bytes.Buffer
	if err := WriteHTML(&b, r); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// TestGolden works out each fixture's readiness and compares the text with
// testdata/<fixture>.txt.golden, and the HTML of two of them with
// .html.golden. Run with -update after a deliberate change, and read the
// diff: it is what a registered manager reads.
func TestGolden(t *testing.T) {
	for _, f := range fixtures {
		t.Run(f.name, func(t *testing.T) {
			r := build(t, f.name)
			golden.Check(t, f.name+".txt.golden", []byte(text(t, r)))
			if f.name == "admin-without-mfa" || f.name == "unanswered-expired" {
				golden.Check(t, f.name+".html.golden", []byte(page(t, r)))
			}
		})
	}
}

// The goldens are long; these say what each fixture is for, so a wrong
// golden cannot be accepted without failing here too.
func TestFixtureOutcomes(t *testing.T) {
	type outcome struct {
		ce, approaching, met Status
		autoFail             [2]Status // cloud MFA, fixes within 14 days
		firstActions         []string
		actions              int
	}
	tests := map[string]outcome{
		"all-good": {StatusReady, StatusReady, StatusReady, [2]Status{StatusReady, StatusReady}, nil, 0},
		"admin-without-mfa": {StatusNotReady, StatusReady, StatusNotReady, [2]Status{StatusNotReady, StatusReady},
			[]string{"passwords.cloud-admin-mfa", "passwords.cloud-user-mfa", "passwords.supplier-remote-access-mfa", "phishing.payment-changes-verified", "devices.locate-wipe"}, 5},
		"unanswered-expired": {StatusPartly, StatusNotReady, StatusNotReady, [2]Status{StatusPartly, StatusPartly},
			[]string{"passwords.mfa-cloud-services", "updates.network-equipment-updated"}, 7},
		"failing-patch": {StatusNotReady, StatusReady, StatusNotReady, [2]Status{StatusReady, StatusNotReady},
			[]string{"updates.security-pending", "updates.windows-monthly-update"}, 2},
		"nothing-known": {StatusNotKnown, StatusNotReady, StatusNotReady, [2]Status{StatusNotKnown, StatusNotKnown}, nil, -1},
	}
	for _, f := range fixtures {
		want, ok := tests[f.name]
		if !ok {
			t.Errorf("fixture %s has no expected outcome: add one", f.name)
			continue
		}
		t.Run(f.name, func(t *testing.T) {
			r := build(t, f.name)
			got := outcome{
				ce: r.CyberEssentials.Status, approaching: r.DSPT.Approaching.Status, met: r.DSPT.StandardsMet.Status,
				autoFail: [2]Status{r.CyberEssentials.AutoFail[0].Status, r.CyberEssentials.AutoFail[1].Status},
				actions:  len(r.Actions),
			}
			for i, a := range r.Actions {
				if i < len(want.firstActions) {
					got.firstActions = append(got.firstActions, a.Link)
				}
			}
			if want.actions < 0 {
				got.actions = -1 // any number
			}
			if diff := cmp.Diff(want, got, cmp.AllowUnexported(outcome{})); diff != "" {
				t.Errorf("outcome (-want +got):\n%s", diff)
			}
		})
	}
}

// Every Cyber Essentials requirement and every DSPT item the
// self-assessment cites appears in the readiness, in its text and on its
// page, with the questions that cite it.
func TestCatalogueCoverage(t *testing.T) {
	cat, err := assess.Default()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range fixtures {
		t.Run(f.name, func(t *testing.T) {
			r := build(t, f.name)
			txt, html := text(t, r), page(t, r)
			ce := map[string]*CEItem{}
			for _, it := range r.CyberEssentials.Requirements {
				ce[it.ID] = it
			}
			items := map[string]*DSPTItem{}
			for _, it := range r.DSPT.Items {
				items[it.ID] = it
			}
			for _, id := range assess.CyberEssentialsRequirements {
				it := ce[id]
				if it == nil {
					t.Errorf("Cyber Essentials requirement %s is missing", id)
					continue
				}
				if !strings.Contains(txt, "] "+it.Title+"\n") {
					t.Errorf("the text has no heading for requirement %s (%s)", id, it.Title)
				}
				if !strings.Contains(html, `id="ce-`+id+`"`) {
					t.Errorf("the page has no heading for requirement %s", id)
				}
			}
			for _, q := range cat.Questions {
				if id := q.Refs.CyberEssentials; id != "" && ce[id] != nil && !hasQuestion(ce[id].Answers, q.ID) {
					t.Errorf("question %s cites %s but is not listed under it", q.ID, id)
				}
				for _, ref := range q.Refs.DSPT {
					it := items[ref.Item]
					switch {
					case it == nil:
						t.Errorf("DSPT item %s, cited by %s, is missing", ref.Item, q.ID)
						continue
					case !hasQuestion(it.Answers, q.ID):
						t.Errorf("question %s cites DSPT %s but is not listed under it", q.ID, ref.Item)
					}
					if !strings.Contains(txt, "\n"+ref.Item+": ") {
						t.Errorf("the text has no entry for DSPT %s", ref.Item)
					}
					if !strings.Contains(html, ">"+ref.Item+"</a>") {
						t.Errorf("the page's item table has no row for DSPT %s", ref.Item)
					}
				}
			}
		})
	}
}

func hasQuestion(as []QuestionResult, id string) bool {
	for _, a := range as {
		if a.ID == id {
			return true
		}
	}
	return false
}

// The plan is ordered by risk, then effort: automatic fails first, then
// severity, then low effort before high (a check, whose effort is not
// estimated, after them), then by ID.
func TestActionOrder(t *testing.T) {
	a := func(link string, auto bool, sev handwash.Severity, effort assess.Effort) Action {
		kind := ActionQuestion
		if effort == "" {
			kind = ActionCheck
		}
		return Action{Link: link, AutoFail: auto, Severity: sev, Effort: effort, Kind: kind}
	}
	tests := []struct {
		name string
		in   []Action
		want []string
	}{
		{
			name: "automatic fail before a more severe action",
			in:   []Action{a("critical", false, handwash.SeverityCritical, assess.EffortLow), a("auto-medium", true, handwash.SeverityMedium, assess.EffortHigh)},
			want: []string{"auto-medium", "critical"},
		},
		{
			name: "severity from critical down to unrated",
			in: []Action{a("low", false, handwash.SeverityLow, assess.EffortLow), a("unrated", false, "", assess.EffortLow), a("high", false, handwash.SeverityHigh, assess.EffortLow),
				a("info", false, handwash.SeverityInfo, assess.EffortLow), a("critical", false, handwash.SeverityCritical, assess.EffortLow), a("medium", false, handwash.SeverityMedium, assess.EffortLow)},
			want: []string{"critical", "high", "medium", "low", "info", "unrated"},
		},
		{
			name: "low effort before high within a severity, checks last",
			in: []Action{a("z-check", false, handwash.SeverityHigh, ""), a("high", false, handwash.SeverityHigh, assess.EffortHigh),
				a("low", false, handwash.SeverityHigh, assess.EffortLow), a("medium", false, handwash.SeverityHigh, assess.EffortMedium)},
			want: []string{"low", "medium", "high", "z-check"},
		},
		{
			name: "severity before effort",
			in:   []Action{a("medium-low-effort", false, handwash.SeverityMedium, assess.EffortLow), a("high-high-effort", false, handwash.SeverityHigh, assess.EffortHigh)},
			want: []string{"high-high-effort", "medium-low-effort"},
		},
		{
			name: "automatic fails ordered among themselves",
			in: []Action{a("b-auto-check", true, handwash.SeverityCritical, ""), a("auto-high", true, handwash.SeverityHigh, assess.EffortLow),
				a("a-auto-question", true, handwash.SeverityCritical, assess.EffortMedium)},
			want: []string{"a-auto-question", "b-auto-check", "auto-high"},
		},
		{
			name: "ties broken by ID",
			in:   []Action{a("c", false, handwash.SeverityHigh, assess.EffortLow), a("a", false, handwash.SeverityHigh, assess.EffortLow), a("b", false, handwash.SeverityHigh, assess.EffortLow)},
			want: []string{"a", "b", "c"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := append([]Action(nil), tt.in...)
			SortActions(got)
			var links []string
			for _, x := range got {
				links = append(links, x.Link)
			}
			if diff := cmp.Diff(tt.want, links); diff != "" {
				t.Errorf("order (-want +got):\n%s", diff)
			}
		})
	}
}
