package quiz

import (
	"bytes"
	"context"
	"encoding/json"
	"io/fs"
	"net/mail"
	"path"
	"regexp"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"
	"github.com/jhillyerd/enmime/v2"

	"github.com/handwash/handwash/internal/golden"
	"github.com/handwash/handwash/phish"
)

func items(t *testing.T) []Item {
	t.Helper()
	items, err := Items()
	if err != nil {
		t.Fatal(err)
	}
	return items
}

func exampleNames(t *testing.T) []string {
	t.Helper()
	names, err := fs.Glob(files, "examples/*.eml")
	if err != nil {
		t.Fatal(err)
	}
	return names
}

// TestExamplesAreCompleteMessages checks that every example parses as an
// Internet message with the header lines a real delivered email has.
func TestExamplesAreCompleteMessages(t *testing.T) {
	for _, name := range exampleNames(t) {
		t.Run(path.Base(name), func(t *testing.T) {
			raw, err := fs.ReadFile(files, name)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Contains(raw, []byte("\r\n")) || bytes.Contains(bytes.ReplaceAll(raw, []byte("\r\n"), nil), []byte("\n")) {
				t.Error("lines must end in CRLF, as RFC 5322 requires")
			}
			msg, err := mail.ReadMessage(bytes.NewReader(raw))
			if err != nil {
				t.Fatal(err)
			}
			h := msg.Header
			for _, k := range []string{"Received", "Authentication-Results", "From", "To", "Subject", "Date", "Message-Id", "Mime-Version", "Content-Type"} {
				if h.Get(k) == "" {
					t.Errorf("no %s header", k)
				}
			}
			if _, err := mail.ParseAddress(h.Get("From")); err != nil {
				t.Errorf("From: %v", err)
			}
			if _, err := mail.ParseAddressList(h.Get("To")); err != nil {
				t.Errorf("To: %v", err)
			}
			if _, err := h.Date(); err != nil {
				t.Errorf("Date: %v", err)
			}
			if id := h.Get("Message-Id"); !strings.HasPrefix(id, "<") || !strings.HasSuffix(id, ">") || !strings.Contains(id, "@") {
				t.Errorf("Message-ID %q is not <left@right>", id)
			}
			if !strings.HasPrefix(h.Get("Authentication-Results"), "mx."+OrgDomain+";") {
				t.Errorf("Authentication-Results should come from the home's own mail server, mx.%s", OrgDomain)
			}
			env, err := enmime.ReadEnvelope(bytes.NewReader(raw))
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range env.Errors {
				if e.Severe {
					t.Errorf("MIME: %v", e)
				}
			}
		})
	}
}

// TestAnalyserAgrees runs the phishing analyser's verdict against each
// answer. When it fails, make the example clearer and more realistic; do
// not loosen the test.
func TestAnalyserAgrees(t *testing.T) {
	for _, it := range items(t) {
		t.Run(it.ID, func(t *testing.T) {
			var ok bool
			switch it.Answer {
			case Phishing:
				ok = it.Verdict == phish.VerdictPhishing || it.Verdict == phish.VerdictSuspicious
			case Genuine:
				ok = it.Verdict == phish.VerdictNone
			}
			if !ok {
				var titles []string
				for _, s := range it.Signs {
					titles = append(titles, s.ID)
				}
				t.Errorf("answer %s, but the analyser says %q (signs: %s)", it.Answer, it.Verdict, strings.Join(titles, ", "))
			}
			if it.Answer == Phishing && len(it.Signs) == 0 {
				t.Error("a phishing example has no signs to explain it")
			}
		})
	}
}

// TestSignaturesMatch checks that the examples with a DKIM signature have
// not been edited since they were signed: with the receiving server's
// results taken out, the analyser checks the body against the signature
// itself.
func TestSignaturesMatch(t *testing.T) {
	signed := 0
	for _, name := range exampleNames(t) {
		raw, err := fs.ReadFile(files, name)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Contains(raw, []byte("\r\nDKIM-Signature:")) {
			continue
		}
		signed++
		rep, err := phish.Analyse(context.Background(), withoutHeader(raw, "Authentication-Results"), analyserOptions)
		if err != nil {
			t.Fatal(err)
		}
		if len(rep.DKIM) == 0 {
			t.Errorf("%s: the analyser found no DKIM signature", name)
		}
		for _, d := range rep.DKIM {
			if d.Result != phish.DKIMUnverified || !d.Aligned {
				t.Errorf("%s: DKIM signature by %s: %s (%s), aligned %v; an edited example must be signed again "+
					"(with any throwaway RSA key, as nothing looks it up), or lose its DKIM-Signature and dkim=pass",
					name, d.Domain, d.Result, d.Detail, d.Aligned)
			}
		}
	}
	if signed < 5 {
		t.Errorf("%d examples are signed; the genuine ones from outside should be", signed)
	}
}

// withoutHeader removes every line of the header field key, with its
// continuation lines, from raw.
func withoutHeader(raw []byte, key string) []byte {
	end := bytes.Index(raw, []byte("\r\n\r\n"))
	var out bytes.Buffer
	skipping := false
	for _, line := range bytes.SplitAfter(raw[:end+2], []byte("\r\n")) {
		if len(line) > 0 && (line[0] == ' ' || line[0] == '\t') {
			if !skipping {
				out.Write(line)
			}
			continue
		}
		name, _, _ := bytes.Cut(line, []byte(":"))
		skipping = strings.EqualFold(string(name), key)
		if !skipping {
			out.Write(line)
		}
	}
	out.Write(raw[end+2:])
	return out.Bytes()
}

func TestWithoutHeader(t *testing.T) {
	raw := []byte("Received: a\r\nAuthentication-Results: x;\r\n\tspf=pass\r\nFrom: b\r\n\r\nbody\r\n")
	got := string(withoutHeader(raw, "Authentication-Results"))
	want := "Received: a\r\nFrom: b\r\n\r\nbody\r\n"
	if got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

// TestQuizMatchesExamples checks quiz.yaml and examples/ one to one.
func TestQuizMatchesExamples(t *testing.T) {
	spec, err := fs.ReadFile(files, "quiz.yaml")
	if err != nil {
		t.Fatal(err)
	}
	listed := regexp.MustCompile(`(?m)^- file: (\S+)$`).FindAllStringSubmatch(string(spec), -1)
	var inYAML, onDisk []string
	for _, m := range listed {
		inYAML = append(inYAML, m[1])
	}
	for _, name := range exampleNames(t) {
		onDisk = append(onDisk, path.Base(name))
	}
	slices.Sort(inYAML)
	if diff := cmp.Diff(onDisk, inYAML); diff != "" {
		t.Errorf("examples/ and quiz.yaml differ (-examples +quiz.yaml):\n%s", diff)
	}
	its := items(t)
	if len(its) != len(onDisk) {
		t.Errorf("Items returned %d items for %d examples", len(its), len(onDisk))
	}
	var phishing int
	for _, it := range its {
		if it.Answer == Phishing {
			phishing++
		}
		if it.From == "" || it.Subject == "" || it.Body == "" || it.Teaching == "" || len(it.Clues) == 0 {
			t.Errorf("%s: From, Subject, Body, Teaching and Clues must all be filled in", it.ID)
		}
	}
	if len(its) < 12 {
		t.Errorf("%d examples; the quiz needs at least 12 for variety", len(its))
	}
	// About 60% phishing, like the mix staff should expect to practise on.
	if share := phishing * 100 / len(its); share < 55 || share > 67 {
		t.Errorf("%d%% of the examples are phishing, want about 60%%", share)
	}
}

// TestLoadRejects checks that a quiz and examples that do not match are
// refused, naming the problem.
func TestLoadRejects(t *testing.T) {
	eml, err := fs.ReadFile(files, "examples/rota-update.eml")
	if err != nil {
		t.Fatal(err)
	}
	entry := "- file: a.eml\n  answer: genuine\n  teaching: Fine.\n"
	tests := []struct {
		name string
		yaml string
		emls []string
		want string
	}{
		{"example not in quiz", entry, []string{"a.eml", "b.eml"}, "examples/b.eml is not in quiz.yaml"},
		{"quiz names a missing example", entry + strings.ReplaceAll(entry, "a.eml", "c.eml"), []string{"a.eml"}, "c.eml"},
		{"listed twice", entry + entry, []string{"a.eml"}, "listed twice"},
		{"bad answer", strings.ReplaceAll(entry, "genuine", "safe"), []string{"a.eml"}, `answer is "safe"`},
		{"no teaching", strings.ReplaceAll(entry, "Fine.", `""`), []string{"a.eml"}, "teaching is empty"},
		{"unknown field", entry + "  hint: x\n", []string{"a.eml"}, "hint"},
		{"path outside examples", strings.ReplaceAll(entry, "a.eml", "../a.eml"), []string{"a.eml"}, "must be the name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fsys := fstest.MapFS{"quiz.yaml": {Data: []byte(tt.yaml)}}
			for _, e := range tt.emls {
				fsys["examples/"+e] = &fstest.MapFile{Data: eml}
			}
			_, err := load(fsys)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got error %v, want one containing %q", err, tt.want)
			}
		})
	}
	good := fstest.MapFS{"quiz.yaml": {Data: []byte(entry)}, "examples/a.eml": {Data: eml}}
	if its, err := load(good); err != nil || len(its) != 1 || its[0].ID != "a" {
		t.Errorf("a good quiz: got %v, %v", its, err)
	}
}

var htmlTag = regexp.MustCompile(`<\s*/?\s*[A-Za-z!][^>]*>|&(?:[a-zA-Z]+|#[0-9]+|#x[0-9a-fA-F]+);`)
var href = regexp.MustCompile(`(?i)href\s*=\s*"([^"]+)"`)

// TestBodyIsPlainText checks that no example shows raw HTML, and that the
// real address of every link in an HTML email is in the text shown.
func TestBodyIsPlainText(t *testing.T) {
	for _, it := range items(t) {
		if m := htmlTag.FindString(it.Body); m != "" {
			t.Errorf("%s: Body contains HTML: %q", it.ID, m)
		}
		raw, err := fs.ReadFile(files, "examples/"+it.ID+".eml")
		if err != nil {
			t.Fatal(err)
		}
		env, err := enmime.ReadEnvelope(bytes.NewReader(raw))
		if err != nil {
			t.Fatal(err)
		}
		if env.HTML == "" || strings.Contains(string(raw), "Content-Type: text/plain") {
			continue // the plain-text part is shown as written
		}
		for _, m := range href.FindAllStringSubmatch(env.HTML, -1) {
			if !strings.Contains(it.Body, m[1]) {
				t.Errorf("%s: Body does not show where a link goes (%s):\n%s", it.ID, m[1], it.Body)
			}
		}
	}
}

func TestAttachments(t *testing.T) {
	for _, it := range items(t) {
		var want []string
		if it.ID == "shared-document-attachment" {
			want = []string{"Staff_Pay_Review_2027.html"}
		}
		if diff := cmp.Diff(want, it.Attachments); diff != "" {
			t.Errorf("%s: attachments (-want +got):\n%s", it.ID, diff)
		}
	}
}

func TestItemsReturnsCopies(t *testing.T) {
	first := items(t)
	first[0].Subject = "changed"
	first[0].Signs[0].Evidence[0] = "changed"
	first[0].Clues[0] = "changed"
	second := items(t)
	if second[0].Subject == "changed" || second[0].Signs[0].Evidence[0] == "changed" || second[0].Clues[0] == "changed" {
		t.Error("changing what Items returned changed the quiz")
	}
}

// TestFeedbackGolden records what a person sees after getting one question
// wrong, and the text shown for an HTML email, so that a change to the
// wording, the examples or the analyser shows up as a diff.
func TestFeedbackGolden(t *testing.T) {
	const id = "m365-password-expiry"
	i := slices.IndexFunc(items(t), func(it Item) bool { return it.ID == id })
	if i < 0 {
		t.Fatalf("no item %s", id)
	}
	it := items(t)[i]
	r, err := Mark([]Item{it}, Attempt{Person: "Priya Shah", Taken: taken, Answers: map[string]string{id: Genuine}})
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false) // keep <address> readable in the diff
	enc.SetIndent("", "  ")
	if err := enc.Encode(r.Feedback[0]); err != nil {
		t.Fatal(err)
	}
	golden.Check(t, id+".feedback.golden", b.Bytes())
	golden.Check(t, id+".body.golden", []byte(it.Body+"\n"))
}
