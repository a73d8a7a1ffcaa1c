package notify

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/handwash/handwash"
)

// Format is the shape of a webhook's body.
type Format string

// The webhook formats.
const (
	// FormatGeneric is Handwash's own JSON, described in the package doc,
	// for scripts, ticketing systems and automation tools.
	FormatGeneric Format = "generic"
	// FormatSlack is a Slack incoming-webhook message.
	FormatSlack Format = "slack"
	// FormatTeams is a Microsoft Teams incoming-webhook or Workflows message
	// holding an Adaptive Card.
	FormatTeams Format = "teams"
)

// Formats lists every webhook format.
var Formats = []Format{FormatGeneric, FormatSlack, FormatTeams}

// GenericVersion is the version of the generic JSON body. It changes only
// when a field is removed or changes meaning; new fields may appear in any
// version, so receivers should ignore fields they do not know.
const GenericVersion = 1

// RenderWebhook renders m as the body of a webhook request in format f.
func RenderWebhook(f Format, m Message) ([]byte, error) {
	v, err := newView(m)
	if err != nil {
		return nil, err
	}
	var payload any
	switch f {
	case FormatGeneric:
		payload = genericBody(m, v)
	case FormatSlack:
		payload = slackBody(v)
	case FormatTeams:
		payload = teamsBody(v)
	default:
		return nil, handwash.Errorf(handwash.EINVALID, "webhook format %q is not known: use generic, slack or teams", f)
	}
	b, err := json.Marshal(payload)
	if err != nil {
		return nil, fmt.Errorf("notify: encode %s webhook body: %w", f, err)
	}
	return b, nil
}

// generic is the generic JSON body; the package doc describes each field.
type generic struct {
	Version  int               `json:"version"`
	ID       string            `json:"id,omitempty"`
	Kind     Kind              `json:"kind"`
	Org      string            `json:"org"`
	Subject  string            `json:"subject"`
	Body     string            `json:"body"`
	Next     string            `json:"next,omitempty"`
	Link     string            `json:"link,omitempty"`
	Severity handwash.Severity `json:"severity,omitempty"`
	Device   string            `json:"device,omitempty"`
	Control  string            `json:"control,omitempty"`
	Time     time.Time         `json:"time,omitzero"`
	Summary  *genericSummary   `json:"summary,omitempty"`
}

type genericSummary struct {
	Devices int           `json:"devices"`
	Score   *int          `json:"score"`
	Areas   []genericArea `json:"areas"`
}

type genericArea struct {
	Area     handwash.Area `json:"area"`
	Title    string        `json:"title"`
	Score    *int          `json:"score"`
	Pass     int           `json:"pass"`
	Fail     int           `json:"fail"`
	Unknown  int           `json:"unknown"`
	Excepted int           `json:"excepted"`
}

func genericBody(m Message, v view) generic {
	g := generic{
		Version:  GenericVersion,
		ID:       m.ID,
		Kind:     v.Kind,
		Org:      v.Org,
		Subject:  v.Subject,
		Body:     strings.Join(v.Paragraphs, "\n\n"),
		Next:     strings.Join(v.Next, "\n\n"),
		Link:     v.Link,
		Severity: v.Severity,
		Device:   v.Device,
		Control:  v.Control,
	}
	if !m.Time.IsZero() {
		g.Time = m.Time.UTC()
	}
	if s := m.Summary; s != nil {
		gs := &genericSummary{Devices: s.Devices, Areas: []genericArea{}}
		if s.Overall >= 0 {
			gs.Score = &s.Overall
		}
		for i, a := range s.Areas {
			ga := genericArea{Area: a.Area, Title: v.Areas[i].Title, Pass: a.Pass, Fail: a.Fail, Unknown: a.Unknown, Excepted: a.Excepted}
			if a.Assessed && a.Value >= 0 {
				ga.Score = &s.Areas[i].Value
			}
			gs.Areas = append(gs.Areas, ga)
		}
		g.Summary = gs
	}
	return g
}

// Slack's limits: a header holds 150 characters, a section's text 3,000 and
// a field 2,000; a section holds 10 fields.
const (
	slackHeaderMax  = 150
	slackSectionMax = 3000
	slackFieldMax   = 2000
	slackFieldsMax  = 10
)

type slack struct {
	Text   string       `json:"text"`
	Blocks []slackBlock `json:"blocks"`
}

type slackBlock struct {
	Type     string      `json:"type"`
	Text     *slackText  `json:"text,omitempty"`
	Fields   []slackText `json:"fields,omitempty"`
	Elements []slackText `json:"elements,omitempty"`
}

type slackText struct {
	Type string `json:"type"`
	Text string `json:"text"`
	// Emoji is only for plain_text; false keeps ":name:" in a hostname as
	// it is.
	Emoji *bool `json:"emoji,omitempty"`
	// Verbatim stops Slack turning names that look like web addresses or
	// channels into links: a device name must not become a link.
	Verbatim bool `json:"verbatim,omitempty"`
}

func mrkdwn(s string) slackText { return slackText{Type: "mrkdwn", Text: s, Verbatim: true} }

func slackBody(v view) slack {
	no := false
	// A header is plain_text, which Slack shows as it is (no markup, no
	// mentions), so it is not escaped: escaping would show "&amp;".
	blocks := []slackBlock{{Type: "header", Text: &slackText{Type: "plain_text", Text: truncate(v.Subject, slackHeaderMax), Emoji: &no}}}
	context := "*" + slackEscape(v.Org, slackSectionMax/2) + "*"
	if v.SeverityLabel != "" {
		context += " · " + v.SeverityLabel
	}
	blocks = append(blocks, slackBlock{Type: "context", Elements: []slackText{mrkdwn(context)}})
	blocks = append(blocks, slackBlock{Type: "section", Text: ptr(mrkdwn(slackEscape(strings.Join(v.Paragraphs, "\n\n"), slackSectionMax)))})
	for i := 0; i < len(v.Areas); i += slackFieldsMax {
		b := slackBlock{Type: "section"}
		if i == 0 {
			b.Text = ptr(mrkdwn("*Scores by area*"))
		}
		for _, a := range v.Areas[i:min(i+slackFieldsMax, len(v.Areas))] {
			field := "*" + slackEscape(a.Title, 200) + "*\n" + a.Score
			if a.Checks != "" {
				field += "\n" + a.Checks
			}
			b.Fields = append(b.Fields, mrkdwn(truncate(field, slackFieldMax)))
		}
		blocks = append(blocks, b)
	}
	if len(v.Next) > 0 {
		blocks = append(blocks, slackBlock{Type: "section", Text: ptr(mrkdwn("*What to do next*\n" + slackEscape(strings.Join(v.Next, "\n\n"), slackSectionMax-30)))})
	}
	if v.Link != "" {
		blocks = append(blocks, slackBlock{Type: "section", Text: ptr(mrkdwn("<" + slackLinkURL(v.Link) + "|" + v.LinkText + ">"))})
	}
	return slack{
		// Slack shows text in notifications, where blocks do not appear.
		Text:   slackEscape(v.Subject+" ("+v.Org+")", slackSectionMax),
		Blocks: blocks,
	}
}

// slackEscape escapes the three characters Slack's mrkdwn reads as markup
// (&, < and >), so text cannot make a link or mention @channel, and cuts
// the result to at most limit characters without splitting an escape.
func slackEscape(s string, limit int) string {
	if esc := slackEscaper.Replace(s); utf8.RuneCountInString(esc) <= limit {
		return esc
	}
	var b strings.Builder
	n := 0
	for _, r := range s {
		esc := slackEscaper.Replace(string(r))
		k := utf8.RuneCountInString(esc)
		if n+k > limit-1 {
			break
		}
		b.WriteString(esc)
		n += k
	}
	b.WriteString("…")
	return b.String()
}

var slackEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

// slackLinkURL makes a link safe inside Slack's <url|text> form: the
// characters that would end the URL early are percent-encoded, and & is
// escaped as Slack asks.
func slackLinkURL(u string) string {
	return strings.NewReplacer("&", "&amp;", "<", "%3C", ">", "%3E", "|", "%7C").Replace(u)
}

// truncate cuts s to at most limit characters, ending with "…" when cut.
func truncate(s string, limit int) string {
	if utf8.RuneCountInString(s) <= limit {
		return s
	}
	r := []rune(s)
	return string(r[:limit-1]) + "…"
}

func ptr[T any](v T) *T { return &v }

// The Teams body is a message with one Adaptive Card attachment, which both
// the old Office 365 connectors and Teams Workflows ("Post to a channel when
// a webhook request is received") accept. Card version 1.4 is the newest
// every Teams client shows.
type teams struct {
	Type        string            `json:"type"`
	Attachments []teamsAttachment `json:"attachments"`
}

type teamsAttachment struct {
	ContentType string    `json:"contentType"`
	ContentURL  *string   `json:"contentUrl"`
	Content     teamsCard `json:"content"`
}

type teamsCard struct {
	Schema  string            `json:"$schema"`
	Type    string            `json:"type"`
	Version string            `json:"version"`
	Body    []teamsElement    `json:"body"`
	Actions []teamsAction     `json:"actions,omitempty"`
	MSTeams map[string]string `json:"msteams"`
}

// teamsElement is a RichTextBlock or a FactSet. Text from the message goes
// only into TextRuns, which Teams never reads as Markdown, so a device name
// shows as it is and cannot make a link.
type teamsElement struct {
	Type    string      `json:"type"`
	Inlines []teamsRun  `json:"inlines,omitempty"`
	Facts   []teamsFact `json:"facts,omitempty"`
	Spacing string      `json:"spacing,omitempty"`
}

type teamsRun struct {
	Type     string `json:"type"`
	Text     string `json:"text"`
	Size     string `json:"size,omitempty"`
	Weight   string `json:"weight,omitempty"`
	Color    string `json:"color,omitempty"`
	IsSubtle bool   `json:"isSubtle,omitempty"`
}

// teamsFact holds our own words only (area titles and counts): Teams reads
// facts as Markdown.
type teamsFact struct {
	Title string `json:"title"`
	Value string `json:"value"`
}

type teamsAction struct {
	Type  string `json:"type"`
	Title string `json:"title"`
	URL   string `json:"url"`
}

func run(text string) teamsRun { return teamsRun{Type: "TextRun", Text: text} }

func richText(runs ...teamsRun) teamsElement {
	return teamsElement{Type: "RichTextBlock", Inlines: runs}
}

func teamsBody(v view) teams {
	org := run(v.Org)
	org.IsSubtle = true
	line := []teamsRun{org}
	if v.SeverityLabel != "" {
		sev := run(" · " + v.SeverityLabel)
		sev.Color, sev.Weight = "Attention", "Bolder"
		line = append(line, sev)
	}
	subject := run(v.Subject)
	subject.Size, subject.Weight = "Large", "Bolder"
	body := []teamsElement{richText(line...), richText(subject)}
	for _, p := range v.Paragraphs {
		body = append(body, richText(run(p)))
	}
	if len(v.Areas) > 0 {
		heading := run("Scores by area")
		heading.Weight = "Bolder"
		facts := teamsElement{Type: "FactSet"}
		for _, a := range v.Areas {
			value := a.Score
			if a.Checks != "" {
				value += ": " + a.Checks
			}
			facts.Facts = append(facts.Facts, teamsFact{Title: teamsFactText(a.Title), Value: value})
		}
		body = append(body, richText(heading), facts)
	}
	if len(v.Next) > 0 {
		heading := run("What to do next")
		heading.Weight = "Bolder"
		h := richText(heading)
		h.Spacing = "Medium"
		body = append(body, h)
		for _, p := range v.Next {
			body = append(body, richText(run(p)))
		}
	}
	card := teamsCard{
		Schema:  "http://adaptivecards.io/schemas/adaptive-card.json",
		Type:    "AdaptiveCard",
		Version: "1.4",
		Body:    body,
		MSTeams: map[string]string{"width": "Full"},
	}
	if v.Link != "" {
		card.Actions = []teamsAction{{Type: "Action.OpenUrl", Title: v.LinkText, URL: v.Link}}
	}
	return teams{
		Type: "message",
		Attachments: []teamsAttachment{{
			ContentType: "application/vnd.microsoft.card.adaptive",
			Content:     card,
		}},
	}
}

// teamsFactText keeps an area title from reading as Markdown in a fact:
// titles are ours, but a summary could carry one from elsewhere.
func teamsFactText(s string) string {
	return strings.Map(func(r rune) rune {
		switch r {
		case '*', '_', '[', ']', '(', ')', '`', '#', '<', '>':
			return -1
		}
		return r
	}, s)
}
