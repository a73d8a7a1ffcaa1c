// Package quiz is a short built-in quiz on spotting phishing, which staff
// take in the dashboard. A pass counts as evidence of data security
// training.
//
// The questions are real-looking example emails, embedded from examples/,
// each either phishing or genuine, set in a UK care home (Rose Court Care
// Home, rosecourtcare.co.uk). quiz.yaml gives each one its answer and a
// sentence or two of teaching. Every example is also run through the
// phish analyser, so the feedback after each answer can show what Handwash
// itself would have pointed out.
//
// Items loads the examples, Draw picks a balanced set of Questions for one
// attempt, and Mark scores the answers against PassMark.
package quiz

import (
	"bytes"
	"context"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"
	"sync"

	"github.com/goccy/go-yaml"
	"github.com/jhillyerd/enmime/v2"

	"github.com/handwash/handwash/phish"
)

// The two answers to every question.
const (
	Phishing = "phishing"
	Genuine  = "genuine"
)

// Org and OrgDomain are the made-up care home that the example emails are
// addressed to. The analyser is told about it, as a real organisation's
// Handwash would be, so it can spot mail that pretends to come from inside.
const (
	Org       = "Rose Court Care Home"
	OrgDomain = "rosecourtcare.co.uk"
)

// Item is one question: an example email, its answer and what it teaches.
// Answer, Teaching, Clues, Verdict and Signs give the answer away, so show
// them only after the question has been answered.
type Item struct {
	// ID names the example, from its file name without .eml, such as
	// "supplier-bank-details".
	ID string `json:"id"`
	// From is the sender as the email gives it, name and address
	// ("Microsoft 365 Admin <it.notices@harbourviewlettings.example>").
	From string `json:"from"`
	// Subject is the email's subject line.
	Subject string `json:"subject"`
	// Body is the text of the email to show: its plain-text part or, when
	// it has none, its HTML turned into text, with each link followed by
	// the address it really goes to in brackets.
	Body string `json:"body"`
	// Attachments are the names of the files attached to the email.
	Attachments []string `json:"attachments,omitempty"`
	// Answer is Phishing or Genuine.
	Answer string `json:"answer"`
	// Teaching says in a sentence or two what gives the email away, or
	// why it is genuine.
	Teaching string `json:"teaching"`
	// Clues are the things in the email staff should notice.
	Clues []string `json:"clues,omitempty"`
	// Verdict is the phish analyser's judgement on the email.
	Verdict phish.Verdict `json:"verdict"`
	// Signs are the analyser's reasons, each explained in plain English.
	Signs []phish.Sign `json:"signs"`
}

//go:embed quiz.yaml examples/*.eml
var files embed.FS

// analyserOptions are the settings every example is analysed with.
var analyserOptions = phish.Options{OrgName: Org, OrgDomains: []string{OrgDomain}}

var loadOnce = sync.OnceValues(func() ([]Item, error) { return load(files) })

// Items returns every question in the quiz, in the order quiz.yaml lists
// them. The examples are read and analysed once; each call returns a copy
// the caller may change.
func Items() ([]Item, error) {
	items, err := loadOnce()
	if err != nil {
		return nil, err
	}
	out := make([]Item, len(items))
	for i, it := range items {
		out[i] = it.clone()
	}
	return out, nil
}

func (it Item) clone() Item {
	it.Attachments = slices.Clone(it.Attachments)
	it.Clues = slices.Clone(it.Clues)
	it.Signs = slices.Clone(it.Signs)
	for i := range it.Signs {
		it.Signs[i].Evidence = slices.Clone(it.Signs[i].Evidence)
	}
	return it
}

// entry is one question in quiz.yaml.
type entry struct {
	File     string   `yaml:"file"`
	Answer   string   `yaml:"answer"`
	Teaching string   `yaml:"teaching"`
	Clues    []string `yaml:"clues"`
}

// load reads quiz.yaml and the examples from fsys and analyses each one.
// The quiz and the examples must match one to one, so that no example is
// left out of the quiz by mistake.
func load(fsys fs.FS) ([]Item, error) {
	spec, err := fs.ReadFile(fsys, "quiz.yaml")
	if err != nil {
		return nil, err
	}
	var entries []entry
	if err := yaml.UnmarshalWithOptions(spec, &entries, yaml.Strict()); err != nil {
		return nil, fmt.Errorf("quiz.yaml: %s", yaml.FormatError(err, false, true))
	}
	examples, err := fs.Glob(fsys, "examples/*.eml")
	if err != nil {
		return nil, err
	}
	listed := map[string]bool{}
	items := make([]Item, 0, len(entries))
	for i, e := range entries {
		if e.File == "" || path.Base(e.File) != e.File || path.Ext(e.File) != ".eml" {
			return nil, fmt.Errorf("quiz.yaml: entry %d: file %q must be the name of an .eml file in examples/", i+1, e.File)
		}
		if listed[e.File] {
			return nil, fmt.Errorf("quiz.yaml: %s is listed twice", e.File)
		}
		listed[e.File] = true
		if e.Answer != Phishing && e.Answer != Genuine {
			return nil, fmt.Errorf("quiz.yaml: %s: answer is %q, want %q or %q", e.File, e.Answer, Phishing, Genuine)
		}
		if strings.TrimSpace(e.Teaching) == "" {
			return nil, fmt.Errorf("quiz.yaml: %s: teaching is empty", e.File)
		}
		raw, err := fs.ReadFile(fsys, "examples/"+e.File)
		if err != nil {
			return nil, fmt.Errorf("quiz.yaml: %s: %w", e.File, err)
		}
		it, err := newItem(strings.TrimSuffix(e.File, ".eml"), raw)
		if err != nil {
			return nil, fmt.Errorf("examples/%s: %w", e.File, err)
		}
		it.Answer = e.Answer
		it.Teaching = strings.TrimSpace(e.Teaching)
		it.Clues = e.Clues
		items = append(items, it)
	}
	for _, name := range examples {
		if !listed[path.Base(name)] {
			return nil, fmt.Errorf("%s is not in quiz.yaml", name)
		}
	}
	return items, nil
}

// newItem reads one example for showing and runs the analyser over it.
func newItem(id string, raw []byte) (Item, error) {
	env, err := enmime.ReadEnvelope(bytes.NewReader(raw))
	if err != nil {
		return Item{}, err
	}
	it := Item{
		ID:      id,
		From:    sender(env),
		Subject: env.GetHeader("Subject"),
		// enmime gives the plain-text part, or turns the HTML into text
		// with each link's real address in brackets after its words.
		Body: strings.TrimSpace(strings.ReplaceAll(env.Text, "\r\n", "\n")),
	}
	for _, a := range env.Attachments {
		it.Attachments = append(it.Attachments, a.FileName)
	}
	rep, err := phish.Analyse(context.Background(), raw, analyserOptions)
	if err != nil {
		return Item{}, err
	}
	it.Verdict = rep.Verdict
	it.Signs = rep.Signs
	return it, nil
}

// sender gives the From header as people read it: the name as written,
// not encoded, and the address.
func sender(env *enmime.Envelope) string {
	list, err := env.AddressList("From")
	if err != nil || len(list) == 0 {
		return env.GetHeader("From")
	}
	a := list[0]
	if a.Name == "" {
		return a.Address
	}
	return a.Name + " <" + a.Address + ">"
}
