package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/handwash/handwash"
)

// Answers are saved one by one, a stop keeps them, and the next run
// carries on from the first question not answered; a mistake is asked
// again; list shows them.
func TestAssessAnswersAndResumes(t *testing.T) {
	file := filepath.Join(t.TempDir(), "answers.json")
	code, out, errOut := handwashRun(t, "yes\nA list in the office safe\nJo Brown, manager\nmaybe\nna\n\nWe keep no data ourselves\n\nq\n", "assess", "--file", file)
	if code != exitOK {
		t.Fatalf("exit %d: %s %s", code, out, errOut)
	}
	if !strings.Contains(out, `"maybe" is not an answer`) || !strings.Contains(out, "Say why") || !strings.Contains(out, "2 answers saved") {
		t.Errorf("output: %s", out)
	}
	var f answersFile
	data, err := os.ReadFile(file)
	must(t, err)
	must(t, json.Unmarshal(data, &f))
	if len(f.Answers) != 2 || f.Answers[0].QuestionID != "backup.essential-data-identified" || f.Answers[0].Owner != "Jo Brown, manager" ||
		f.Answers[1].Value != handwash.AnswerNotApplicable || f.Answers[1].Owner != "Jo Brown, manager" || !f.Answers[1].ReviewBy.Equal(now().AddDate(1, 0, 0)) {
		t.Fatalf("answers: %+v", f.Answers)
	}
	// The next run starts at the third question; the end of the input
	// stops it as q does.
	code, out, _ = handwashRun(t, "no\n\n\n", "assess", "--file", file)
	if code != exitOK || !strings.Contains(out, "33 of 35 questions to answer") || !strings.Contains(out, "1 answers saved") && !strings.Contains(out, "1 answer") {
		t.Errorf("resume: %d: %s", code, out)
	}
	code, out, _ = handwashRun(t, "", "assess", "list", "--file", file)
	if code != exitOK || !strings.Contains(out, "3 of 35 questions answered") || !strings.Contains(out, "A list in the office safe") {
		t.Errorf("list: %d: %s", code, out)
	}
	// A year on, the answers are due for review and asked again.
	old := now
	now = func() time.Time { return old().AddDate(1, 0, 2) }
	defer func() { now = old }()
	if _, out, _ := handwashRun(t, "q\n", "assess", "--file", file); !strings.Contains(out, "35 of 35 questions to answer") {
		t.Errorf("a year on: %s", out)
	}
}

func TestAssessRefusesABadFile(t *testing.T) {
	file := filepath.Join(t.TempDir(), "answers.json")
	must(t, os.WriteFile(file, []byte(`{"format":"something else","answers":[]}`), 0o644))
	code, _, errOut := handwashRun(t, "yes\n", "assess", "--file", file)
	if code != exitUsage || !strings.Contains(errOut, "--file") {
		t.Errorf("exit %d: %s", code, errOut)
	}
	data, _ := os.ReadFile(file)
	if string(data) != `{"format":"something else","answers":[]}` {
		t.Error("the bad file was changed")
	}
}

// With --org, answers go to the server's store, with an audit entry, and
// the dashboard's answers are the same.
func TestAssessIntoTheServersData(t *testing.T) {
	data := t.TempDir()
	p := adminSetup(t, data)
	code, out, errOut := handwashRun(t, "partly\nOnly the office PC\nJo\nq\n", "assess", "--org", "Rose House", "--data", data)
	if code != exitOK || !strings.Contains(out, "organisation Rose House") {
		t.Fatalf("exit %d: %s %s", code, out, errOut)
	}
	db := openData(t, data)
	orgs, err := db.Orgs(context.Background(), handwash.Scope{ProviderID: p.ID})
	must(t, err)
	answers, err := db.Answers(context.Background(), handwash.Scope{ProviderID: p.ID}, orgs[0].ID)
	must(t, err)
	if len(answers) != 1 || answers[0].Value != handwash.AnswerPartly || answers[0].Note != "Only the office PC" {
		t.Errorf("answers: %+v", answers)
	}
	if code, _, errOut := handwashRun(t, "", "assess", "list", "--org", "Nowhere", "--data", data); code != exitUsage {
		t.Errorf("an unknown organisation: exit %d: %s", code, errOut)
	}
}

// The report judges saved Facts and the answers in the file, or the
// organisation's devices and answers on the server.
func TestAssessReport(t *testing.T) {
	file := filepath.Join(t.TempDir(), "answers.json")
	handwashRun(t, "no\nNothing written down\nJo\nq\n", "assess", "--file", file)
	code, out, errOut := handwashRun(t, "", "assess", "report", "--file", file, "--facts", windowsNeglected, "--org-name", "Rose Court")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{"Cyber Essentials and DSPT readiness", "Rose Court", "from 1 assessed device", "Action plan\n====", "Nothing written down"} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q", want)
		}
	}
	html := filepath.Join(t.TempDir(), "readiness.html")
	if code, _, errOut := handwashRun(t, "", "assess", "report", "--file", file, "--no-device", "--format", "html", "--output", html); code != exitOK || !strings.Contains(errOut, "written to") {
		t.Errorf("html: exit %d: %s", code, errOut)
	}
	if data, err := os.ReadFile(html); err != nil || !strings.Contains(string(data), "<html") {
		t.Errorf("html file: %v", err)
	}
	pdf := filepath.Join(t.TempDir(), "readiness.pdf")
	if code, _, errOut := handwashRun(t, "", "assess", "report", "--file", file, "--no-device", "--format", "pdf", "--output", pdf); code != exitOK {
		t.Errorf("pdf: exit %d: %s", code, errOut)
	}
	if data, err := os.ReadFile(pdf); err != nil || !strings.HasPrefix(string(data), "%PDF-") {
		t.Errorf("pdf file: %v", err)
	}
	if code, _, errOut := handwashRun(t, "", "assess", "report", "--format", "docx", "--file", file); code != exitUsage || !strings.Contains(errOut, "--format") {
		t.Errorf("a bad format: exit %d: %s", code, errOut)
	}
	data := t.TempDir()
	adminSetup(t, data)
	handwashRun(t, "yes\nOn the list\nJo\nq\n", "assess", "--org", "Rose House", "--data", data)
	code, out, errOut = handwashRun(t, "", "assess", "report", "--org", "Rose House", "--data", data)
	if code != exitOK || !strings.Contains(out, "Rose House") || !strings.Contains(out, "from 0 assessed devices") && !strings.Contains(out, "no assessed device") {
		t.Errorf("--org: exit %d: %s %s", code, out[:min(len(out), 600)], errOut)
	}
}
