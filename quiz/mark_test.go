package quiz

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/handwash/handwash"
)

var taken = time.Date(2026, 12, 3, 14, 30, 0, 0, time.UTC)

// answers answers drawn with the right answer for the first right items
// and the wrong one for the rest.
func answers(drawn []Item, right int) map[string]string {
	out := map[string]string{}
	for i, it := range drawn {
		a := it.Answer
		if i >= right {
			a = map[string]string{Phishing: Genuine, Genuine: Phishing}[a]
		}
		out[it.ID] = a
	}
	return out
}

func TestMarkScores(t *testing.T) {
	ten := fakeItems(6, 4)
	tests := []struct {
		name    string
		drawn   []Item
		right   int
		percent int
		passed  bool
	}{
		{"all right", ten, 10, 100, true},
		{"9 of 10", ten, 9, 90, true},
		{"8 of 10 is the pass mark", ten, 8, 80, true},
		{"7 of 10 fails", ten, 7, 70, false},
		{"none right", ten, 0, 0, false},
		{"4 of 5 passes", fakeItems(3, 2), 4, 80, true},
		{"7 of 9 rounds down and fails", fakeItems(5, 4), 7, 77, false},
		{"one of one", fakeItems(1, 0), 1, 100, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := Mark(tt.drawn, Attempt{Person: "Priya Shah", Taken: taken, Answers: answers(tt.drawn, tt.right)})
			if err != nil {
				t.Fatal(err)
			}
			if r.Score != tt.right || r.Total != len(tt.drawn) || r.Percent != tt.percent || r.Passed != tt.passed {
				t.Errorf("got %d/%d, %d%%, passed %v; want %d/%d, %d%%, passed %v",
					r.Score, r.Total, r.Percent, r.Passed, tt.right, len(tt.drawn), tt.percent, tt.passed)
			}
			if r.Person != "Priya Shah" || !r.Taken.Equal(taken) {
				t.Errorf("the result is for %q at %v, want Priya Shah at %v", r.Person, r.Taken, taken)
			}
			if len(r.Feedback) != len(tt.drawn) {
				t.Fatalf("%d feedback entries for %d questions", len(r.Feedback), len(tt.drawn))
			}
			for i, f := range r.Feedback {
				if f.ID != tt.drawn[i].ID {
					t.Errorf("feedback %d is for %s, want %s: it must follow the order asked", i, f.ID, tt.drawn[i].ID)
				}
				if want := i < tt.right; f.Correct != want {
					t.Errorf("%s: Correct is %v, want %v", f.ID, f.Correct, want)
				}
				if f.Answer != tt.drawn[i].Answer {
					t.Errorf("%s: Answer is %q, want %q", f.ID, f.Answer, tt.drawn[i].Answer)
				}
			}
		})
	}
}

func TestMarkFeedbackFromItems(t *testing.T) {
	drawn := Draw(items(t), 3)
	r, err := Mark(drawn, Attempt{Answers: answers(drawn, len(drawn))})
	if err != nil {
		t.Fatal(err)
	}
	for i, f := range r.Feedback {
		it := drawn[i]
		if f.Teaching != it.Teaching || f.Subject != it.Subject || f.From != it.From || f.Verdict != it.Verdict {
			t.Errorf("%s: feedback does not carry the item's teaching, subject, sender and verdict", it.ID)
		}
		if diff := cmp.Diff(it.Signs, f.Signs); diff != "" && len(it.Signs) > 0 {
			t.Errorf("%s: signs (-item +feedback):\n%s", it.ID, diff)
		}
		for _, s := range f.Signs {
			if s.Title == "" || s.Explanation == "" {
				t.Errorf("%s: a sign has no title or explanation: %+v", it.ID, s)
			}
		}
	}
}

func TestMarkErrors(t *testing.T) {
	drawn := fakeItems(6, 4)
	drawn[3].Subject = "Your parcel is on hold"
	with := func(change func(map[string]string)) map[string]string {
		a := answers(drawn, 10)
		change(a)
		return a
	}
	tests := []struct {
		name    string
		drawn   []Item
		answers map[string]string
		want    []string // words the message must contain
	}{
		{"missing answer", drawn, with(func(a map[string]string) { delete(a, "p3") }), []string{`"p3"`, "Your parcel is on hold", "no answer"}},
		{"empty answer", drawn, with(func(a map[string]string) { a["g1"] = "" }), []string{`"g1"`, "no answer"}},
		{"no answers at all", drawn, nil, []string{`"p0"`, "no answer"}},
		{"answer not phishing or genuine", drawn, with(func(a map[string]string) { a["p2"] = "not sure" }), []string{`"p2"`, `"not sure"`, `"phishing"`, `"genuine"`}},
		{"answers are lower case", drawn, with(func(a map[string]string) { a["g0"] = "Genuine" }), []string{`"g0"`, `"Genuine"`}},
		{"answer to a question not asked", drawn, with(func(a map[string]string) { a["p9"] = Phishing }), []string{`"p9"`, "not one of the questions"}},
		{"no questions", nil, map[string]string{}, []string{"no questions"}},
		{"a question asked twice", append(fakeItems(2, 2), fakeItems(1, 0)...), nil, []string{`"p0"`, "twice"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := Mark(tt.drawn, Attempt{Person: "Priya Shah", Taken: taken, Answers: tt.answers})
			if err == nil {
				t.Fatalf("no error; result %+v", r)
			}
			if code := handwash.ErrorCode(err); code != handwash.EINVALID {
				t.Errorf("code %q, want %q", code, handwash.EINVALID)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %s", err, w)
				}
			}
		})
	}
}
