package assess

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/handwash/handwash"
)

func TestParseValue(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"yes", ValueYes},
		{"Y", ValueYes},
		{"  YES ", ValueYes},
		{"no", ValueNo},
		{"n", ValueNo},
		{"No", ValueNo},
		{"partly", ValuePartly},
		{"Partial", ValuePartly},
		{"na", ValueNotApplicable},
		{"N/A", ValueNotApplicable},
		{"not applicable", ValueNotApplicable},
		{"Not  Applicable", ValueNotApplicable},
		{"not-applicable", ValueNotApplicable},
		{"", ""},
		{"maybe", ""},
		{"yes please", ""},
		{"unanswered", ""},
		{"nope", ""},
	}
	for _, tc := range tests {
		got, err := ParseValue(tc.in)
		if got != tc.want {
			t.Errorf("ParseValue(%q) = %q, want %q", tc.in, got, tc.want)
		}
		if tc.want == "" {
			if code := handwash.ErrorCode(err); code != handwash.EINVALID {
				t.Errorf("ParseValue(%q): error code %q, want %q", tc.in, code, handwash.EINVALID)
			} else if msg := err.Error(); !strings.Contains(msg, "yes, partly, no or not applicable") || !strings.Contains(msg, "n/a") {
				t.Errorf("ParseValue(%q): error %q does not name the accepted words", tc.in, msg)
			}
		} else if err != nil {
			t.Errorf("ParseValue(%q): %v", tc.in, err)
		}
	}
}

func TestDefaultReviewBy(t *testing.T) {
	at := time.Date(2026, 6, 30, 10, 0, 0, 0, time.UTC)
	if got, want := DefaultReviewBy(at), time.Date(2027, 6, 30, 10, 0, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("DefaultReviewBy(%v) = %v, want %v", at, got, want)
	}
}

func TestEffective(t *testing.T) {
	answered := time.Date(2026, 1, 15, 9, 0, 0, 0, time.UTC)
	review := time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		a    Answer
		now  time.Time
		want string
	}{
		{"before review date", Answer{Value: ValueYes, AnsweredAt: answered, ReviewBy: review}, review.Add(-time.Hour), ValueYes},
		{"on the review date", Answer{Value: ValueYes, AnsweredAt: answered, ReviewBy: review}, review, ValueYes},
		{"review date passed", Answer{Value: ValueYes, AnsweredAt: answered, ReviewBy: review}, review.Add(time.Second), Unanswered},
		{"no answer is kept past its date", Answer{Value: ValueNo, ReviewBy: review}, review.AddDate(0, 1, 0), Unanswered},
		{"default review within 12 months", Answer{Value: ValuePartly, AnsweredAt: answered}, answered.AddDate(0, 11, 0), ValuePartly},
		{"default review after 12 months", Answer{Value: ValuePartly, AnsweredAt: answered}, answered.AddDate(1, 0, 1), Unanswered},
		{"no dates at all", Answer{Value: ValueNotApplicable, Note: "No website."}, answered, ValueNotApplicable},
		{"value not an answer", Answer{Value: "y", AnsweredAt: answered}, answered, Unanswered},
		{"empty value", Answer{AnsweredAt: answered}, answered, Unanswered},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.a.Effective(tc.now); got != tc.want {
				t.Errorf("Effective = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestValidateAnswer(t *testing.T) {
	c := mustDefault(t)
	at := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
	good := Answer{
		QuestionID:  "backup.offline-copy",
		Value:       ValueYes,
		Note:        "USB drive swapped every Friday and kept in the manager's safe.",
		Owner:       "Jane Smith, registered manager",
		ReviewBy:    DefaultReviewBy(at),
		AnsweredBy:  "jane@example.org",
		AnsweredAt:  at,
		Attachments: []string{"backup-rota.pdf"},
	}
	tests := []struct {
		name   string
		change func(a *Answer)
		want   string // "" for valid, else the field the error names
	}{
		{"valid", func(a *Answer) {}, ""},
		{"no dates", func(a *Answer) { a.ReviewBy, a.AnsweredAt = time.Time{}, time.Time{} }, ""},
		{"review on the answer date", func(a *Answer) { a.ReviewBy = a.AnsweredAt }, ""},
		{"not applicable with a reason", func(a *Answer) { a.Value, a.Note = ValueNotApplicable, "We keep no data on site." }, ""},
		{"note at the limit", func(a *Answer) { a.Note = strings.Repeat("é", MaxNoteLength) }, ""},
		{"no question", func(a *Answer) { a.QuestionID = "" }, "question_id"},
		{"unknown question", func(a *Answer) { a.QuestionID = "backup.offline-kopy" }, "question_id"},
		{"no value", func(a *Answer) { a.Value = "" }, "value"},
		{"alias value", func(a *Answer) { a.Value = "Y" }, "value"},
		{"unanswered is not a value", func(a *Answer) { a.Value = Unanswered }, "value"},
		{"note too long", func(a *Answer) { a.Note = strings.Repeat("x", MaxNoteLength+1) }, "note"},
		{"owner too long", func(a *Answer) { a.Owner = strings.Repeat("x", MaxOwnerLength+1) }, "owner"},
		{"review before answer", func(a *Answer) { a.ReviewBy = a.AnsweredAt.AddDate(0, 0, -1) }, "review_by"},
		{"not applicable without a reason", func(a *Answer) { a.Value, a.Note = ValueNotApplicable, "  " }, "note"},
		{"attachment with a folder", func(a *Answer) { a.Attachments = []string{"../etc/passwd"} }, "attachments"},
		{"blank attachment", func(a *Answer) { a.Attachments = []string{" "} }, "attachments"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a := good
			a.Attachments = append([]string(nil), good.Attachments...)
			tc.change(&a)
			err := c.ValidateAnswer(a)
			if tc.want == "" {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("no error, want one naming %q", tc.want)
			}
			if code := handwash.ErrorCode(err); code != handwash.EINVALID {
				t.Errorf("code = %s, want %s", code, handwash.EINVALID)
			}
			if !strings.Contains(err.Error(), `field "`+tc.want+`"`) {
				t.Errorf("error = %q, want it to name field %q", err, tc.want)
			}
		})
	}
}

func TestAnswerJSON(t *testing.T) {
	at := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
	a := Answer{QuestionID: "backup.offline-copy", Value: ValueYes, Owner: "Jane", AnsweredAt: at, Attachments: []string{"a.pdf"}}
	b, err := json.Marshal(a)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"question_id":"backup.offline-copy","value":"yes","owner":"Jane","answered_at":"2026-11-30T09:00:00Z","attachments":["a.pdf"]}`
	if diff := cmp.Diff(want, string(b)); diff != "" {
		t.Errorf("JSON (-want +got):\n%s", diff)
	}
	var back Answer
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(a, back); diff != "" {
		t.Errorf("round trip (-want +got):\n%s", diff)
	}
}
