package readiness

import (
	"io"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/handwash/handwash"
	"github.com/handwash/handwash/assess"
	"github.com/handwash/handwash/evidence"
)

func TestBuildNeedsNow(t *testing.T) {
	if _, err := Build(Input{OrgName: "Ash Lodge"}); handwash.ErrorCode(err) != handwash.EINVALID {
		t.Errorf("Build without Now = %v, want an EINVALID error", err)
	}
}

func TestWritersNeedReadiness(t *testing.T) {
	if err := WriteText(io.Discard, nil); handwash.ErrorCode(err) != handwash.EINVALID {
		t.Errorf("WriteText(nil) = %v, want an EINVALID error", err)
	}
	if err := WriteHTML(io.Discard, nil); handwash.ErrorCode(err) != handwash.EINVALID {
		t.Errorf("WriteHTML(nil) = %v, want an EINVALID error", err)
	}
}

// goodInput is the all-good fixture, with changes to its answers.
func goodInput(t *testing.T, changes map[string]handwash.Answer) Input {
	t.Helper()
	if changes == nil {
		changes = map[string]handwash.Answer{}
	}
	if _, ok := changes["devices.public-wifi"]; !ok {
		changes["devices.public-wifi"] = notApplicableWiFi
	}
	return Input{OrgName: "Ash Lodge", Evidence: devices(t, nil), Findings: append(cloud(true), phones()...), Answers: answered(t, changes), Now: now}
}

func mustBuild(t *testing.T, in Input) *Readiness {
	t.Helper()
	r, err := Build(in)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func ceItem(t *testing.T, r *Readiness, id string) *CEItem {
	t.Helper()
	for _, it := range append(append([]*CEItem(nil), r.CyberEssentials.AutoFail...), r.CyberEssentials.Requirements...) {
		if it.ID == id {
			return it
		}
	}
	t.Fatalf("no Cyber Essentials item %s", id)
	return nil
}

func dsptItem(t *testing.T, r *Readiness, id string) *DSPTItem {
	t.Helper()
	for _, it := range r.DSPT.Items {
		if it.ID == id {
			return it
		}
	}
	t.Fatalf("no DSPT item %s", id)
	return nil
}

// The latest answer counts, wherever it is in the list.
func TestLatestAnswerCounts(t *testing.T) {
	in := goodInput(t, map[string]handwash.Answer{"people.accountable-person": {Value: handwash.AnswerYes, AnsweredAt: time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)}})
	in.Answers = append(in.Answers, handwash.Answer{QuestionID: "people.accountable-person", Value: handwash.AnswerNo, AnsweredAt: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)})
	r := mustBuild(t, in)
	if it := dsptItem(t, r, "1.1.5"); !it.Met {
		t.Errorf("1.1.5 not met (%q): the older no should not count", it.Missing)
	}
}

// A "partly" to an automatic-fail question fails Cyber Essentials; to any
// other question it leaves the requirement partly ready.
func TestPartly(t *testing.T) {
	partly := handwash.Answer{Value: handwash.AnswerPartly, Note: "Not on the care records system yet."}
	r := mustBuild(t, goodInput(t, map[string]handwash.Answer{"passwords.mfa-cloud-services": partly}))
	for _, id := range []string{"cloud-mfa", assess.CEUserAccessControl} {
		if got := ceItem(t, r, id).Status; got != StatusNotReady {
			t.Errorf("with MFA partly on, %s is %s, want %s", id, got, StatusNotReady)
		}
	}
	if r.CyberEssentials.Status != StatusNotReady {
		t.Errorf("Cyber Essentials is %s, want %s", r.CyberEssentials.Status, StatusNotReady)
	}
	if len(r.Actions) == 0 || r.Actions[0].Link != "passwords.mfa-cloud-services" || !r.Actions[0].AutoFail {
		t.Errorf("first action = %+v, want the MFA question as an automatic fail", r.Actions)
	}

	r = mustBuild(t, goodInput(t, map[string]handwash.Answer{"passwords.leavers-removed": partly}))
	if got := ceItem(t, r, assess.CEUserAccessControl).Status; got != StatusPartly {
		t.Errorf("with leavers partly removed, user access control is %s, want %s", got, StatusPartly)
	}
	if r.CyberEssentials.Status != StatusPartly {
		t.Errorf("Cyber Essentials is %s, want %s", r.CyberEssentials.Status, StatusPartly)
	}
}

// Not applicable shows an item only with a reason.
func TestNotApplicableNeedsReason(t *testing.T) {
	for _, tt := range []struct {
		note string
		met  bool
	}{
		{"We have no contracts: everyone is a partner.", true},
		{"  ", false},
	} {
		r := mustBuild(t, goodInput(t, map[string]handwash.Answer{"people.contracts-data-security": {Value: handwash.AnswerNotApplicable, Note: tt.note}}))
		it := dsptItem(t, r, "2.2.1")
		if it.Met != tt.met {
			t.Errorf("not applicable with note %q: 2.2.1 met = %v, want %v (missing %q)", tt.note, it.Met, tt.met, it.Missing)
		}
		acted := false
		for _, a := range r.Actions {
			acted = acted || a.Link == "people.contracts-data-security"
		}
		if acted == tt.met {
			t.Errorf("not applicable with note %q: in the action plan = %v, want %v", tt.note, acted, !tt.met)
		}
	}
}

// A check that could not be checked on a device leaves its requirement
// partly ready and its DSPT item not met, saying why; an accepted
// exception counts as a pass.
func TestUnknownAndExcepted(t *testing.T) {
	in := goodInput(t, nil)
	in.Evidence = devicesWith(t, map[string]handwash.Status{"malware.antimalware-on": handwash.StatusUnknown, "backup.restore-tested": handwash.StatusExcepted})
	r := mustBuild(t, in)
	if got := ceItem(t, r, assess.CEMalwareProtection).Status; got != StatusPartly {
		t.Errorf("malware protection is %s, want %s", got, StatusPartly)
	}
	it := dsptItem(t, r, "6.2.1")
	if it.Met || len(it.Missing) != 1 || !strings.Contains(it.Missing[0], "could not be checked") {
		t.Errorf("6.2.1 met = %v, missing %q; want not met because a device could not be checked", it.Met, it.Missing)
	}
	if it := dsptItem(t, r, "7.3.4"); !it.Met {
		t.Errorf("7.3.4 not met (%q): an accepted exception should count as a pass", it.Missing)
	}
	for _, a := range r.Actions {
		if a.Link == "malware.antimalware-on" || a.Link == "backup.restore-tested" {
			t.Errorf("action %s: only failing checks are actions", a.Link)
		}
	}
}

// devicesWith is the fixture's devices, with one device (reception-pc)
// given another status for some controls.
func devicesWith(t *testing.T, status map[string]handwash.Status) *evidence.Document {
	t.Helper()
	doc := devices(t, nil)
	for _, row := range append(append([]*evidence.Requirement(nil), doc.CyberEssentials...), doc.DSPT...) {
		for _, c := range row.Controls {
			if st, ok := status[c.ID]; ok && c.Pass == 3 {
				c.Pass--
				switch st {
				case handwash.StatusUnknown:
					c.Unknown++
				case handwash.StatusExcepted:
					c.Excepted++
				}
			}
		}
	}
	return doc
}

func TestMergeLevel(t *testing.T) {
	ref := func(level string, confirmed bool) assess.DSPTRef {
		return assess.DSPTRef{Item: "1.1.1", Level: level, Confirmed: confirmed}
	}
	tests := []struct {
		name          string
		refs          []assess.DSPTRef
		level         string
		confirmed     bool
		approachingAt string
	}{
		{"none", []assess.DSPTRef{ref("", false)}, "", false, "Not met (may be needed)"},
		{"met, unconfirmed", []assess.DSPTRef{ref(assess.DSPTMet, false)}, assess.DSPTMet, false, "Not needed"},
		{"lowest wins", []assess.DSPTRef{ref(assess.DSPTMet, true), ref(assess.DSPTApproaching, false)}, assess.DSPTApproaching, false, "Not met"},
		{"one confirmation is enough", []assess.DSPTRef{ref(assess.DSPTMet, false), ref(assess.DSPTMet, true)}, assess.DSPTMet, true, "Not needed"},
		{"no level does not undo one", []assess.DSPTRef{ref(assess.DSPTApproaching, true), ref("", false)}, assess.DSPTApproaching, true, "Not met"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			it := &DSPTItem{ID: "1.1.1"}
			for _, r := range tt.refs {
				mergeLevel(it, r)
			}
			if it.Level != tt.level || it.LevelConfirmed != tt.confirmed {
				t.Errorf("level %q confirmed %v, want %q %v", it.Level, it.LevelConfirmed, tt.level, tt.confirmed)
			}
			if got := it.At(LevelApproaching); got != tt.approachingAt {
				t.Errorf("at Approaching Standards: %q, want %q", got, tt.approachingAt)
			}
			if got := it.At(LevelMet); got != "Not met" {
				t.Errorf("at Standards Met: %q, want %q", got, "Not met")
			}
		})
	}
}

// What callers and answers supply is escaped on the page and kept to one
// line in the text; every table has a caption and every header cell a
// scope.
func TestPageStructureAndEscaping(t *testing.T) {
	in := goodInput(t, map[string]handwash.Answer{"people.staff-training": {Value: handwash.AnswerPartly, Note: "<script>alert(1)</script>\nsecond line", Owner: "Ann & Bob"}})
	in.OrgName = "Ash <b>Lodge</b>\n& Co"
	r := mustBuild(t, in)
	html := page(t, r)
	for _, bad := range []string{"<script>", "<b>Lodge"} {
		if strings.Contains(html, bad) {
			t.Errorf("the page contains %q unescaped", bad)
		}
	}
	if !strings.Contains(html, "Ash &lt;b&gt;Lodge&lt;/b&gt; &amp; Co") {
		t.Errorf("the organisation's name is not on the page, escaped")
	}
	if !strings.Contains(text(t, r), "Note: <script>alert(1)</script> second line") {
		t.Errorf("the note is not in the text on one line")
	}
	if tables, captions := strings.Count(html, "<table>"), strings.Count(html, "<caption>"); tables == 0 || tables != captions {
		t.Errorf("%d tables and %d captions, want one caption each", tables, captions)
	}
	for _, th := range regexp.MustCompile(`<th[ >][^>]*>?`).FindAllString(html, -1) {
		if !strings.Contains(th, `scope="`) {
			t.Errorf("header cell without scope: %s", th)
		}
	}
	if strings.Contains(html, "<script") || strings.Contains(html, "http://") || strings.Contains(html, "https://") {
		t.Errorf("the page has a script or loads something from elsewhere")
	}
}
