package notify

import (
	"bytes"
	_ "embed"
	"fmt"
	htmltemplate "html/template"
	"strings"
	"text/template"
	"unicode"

	"github.com/handwash/handwash"
)

// Email is a message rendered for email.
type Email struct {
	// Subject is one line, starting "[Handwash]".
	Subject string
	// Text is the plain-text part.
	Text string
	// HTML is the HTML alternative: one simple, self-contained page.
	HTML string
}

//go:embed email.txt.tmpl
var emailTextSource string

//go:embed email.html.tmpl
var emailHTMLSource string

// The plain-text part uses text/template; the HTML part uses html/template,
// whose escaping depends on where a value lands (text, attribute, URL), so a
// hostname can never become markup and a link can never become script.
var (
	emailText = template.Must(template.New("text").Funcs(template.FuncMap{"wrap": wrap, "item": item}).Parse(emailTextSource))
	emailHTML = htmltemplate.Must(htmltemplate.New("html").Parse(emailHTMLSource))
)

// RenderEmail renders m as an email: subject, plain text and HTML.
func RenderEmail(m Message) (Email, error) {
	v, err := newView(m)
	if err != nil {
		return Email{}, err
	}
	var text, html bytes.Buffer
	if err := emailText.Execute(&text, v); err != nil {
		return Email{}, fmt.Errorf("notify: render email text: %w", err)
	}
	if err := emailHTML.Execute(&html, v); err != nil {
		return Email{}, fmt.Errorf("notify: render email HTML: %w", err)
	}
	return Email{Subject: "[Handwash] " + v.Org + ": " + v.Subject, Text: text.String(), HTML: html.String()}, nil
}

// view is a message made ready for the templates: single-line fields
// cleaned of control characters, text split into paragraphs, and scores put
// into words. Nothing in it is escaped yet; each format escapes its own way.
type view struct {
	Kind          Kind
	Org           string
	Subject       string
	Severity      handwash.Severity
	SeverityLabel string
	Device        string
	Control       string
	Paragraphs    []string
	Next          []string
	Areas         []areaView
	Link          string
	LinkText      string
	Footer        string
}

// areaView is one area of a weekly summary, in words.
type areaView struct {
	Area  handwash.Area
	Title string
	// Score is "80 out of 100" or "not assessed yet".
	Score string
	// Checks counts the checks: "4 passed, 1 failed".
	Checks string
	// Line is Score and Checks together, for one-line formats.
	Line string
}

func newView(m Message) (view, error) {
	if err := m.Validate(); err != nil {
		return view{}, err
	}
	v := view{
		Kind:       m.Kind,
		Org:        oneLine(m.Org),
		Subject:    oneLine(m.Subject),
		Severity:   m.Severity,
		Device:     oneLine(m.Device),
		Control:    oneLine(m.Control),
		Paragraphs: paragraphs(m.Body),
		Next:       paragraphs(m.Next),
		Link:       m.Link,
	}
	switch m.Severity {
	case handwash.SeverityCritical:
		v.SeverityLabel = "Critical"
	case handwash.SeverityHigh:
		v.SeverityLabel = "High severity"
	}
	switch m.Kind {
	case KindNewFailure:
		v.LinkText = "See the problem and how to fix it"
	case KindDeviceStale:
		v.LinkText = "See the device in the dashboard"
	case KindWeeklySummary:
		v.LinkText = "See the full summary in the dashboard"
	case KindPhishReported:
		v.LinkText = "See the report and the email's signs"
	case KindBackupFailed, KindBackupOverdue:
		v.LinkText = "See the backup's history"
	default:
		v.LinkText = "Open the Handwash dashboard"
	}
	if m.Summary != nil {
		for _, a := range m.Summary.Areas {
			v.Areas = append(v.Areas, newAreaView(a))
		}
	}
	v.Footer = "Handwash sent this message to the people who get notifications for " + v.Org +
		". To change who gets these messages, ask an administrator of " + v.Org + " to change the notification settings in the Handwash dashboard."
	if m.Kind == KindPhishThanks {
		v.Footer = "Handwash sent this message because you reported an email to " + v.Org + "'s phishing mailbox. Questions about it go to your manager or IT support."
	}
	return v, nil
}

func newAreaView(a handwash.AreaScore) areaView {
	title := oneLine(a.Title)
	if title == "" {
		title = a.Area.Title()
	}
	av := areaView{Area: a.Area, Title: title}
	if !a.Assessed || a.Value < 0 {
		av.Score = "not assessed yet"
		av.Line = av.Score
		return av
	}
	av.Score = fmt.Sprintf("%d out of 100", a.Value)
	parts := []string{fmt.Sprintf("%d passed", a.Pass)}
	if a.Fail > 0 {
		parts = append(parts, fmt.Sprintf("%d failed", a.Fail))
	}
	if a.Unknown > 0 {
		parts = append(parts, fmt.Sprintf("%d could not be checked", a.Unknown))
	}
	if a.Excepted > 0 {
		parts = append(parts, fmt.Sprintf("%d accepted as exceptions", a.Excepted))
	}
	av.Checks = strings.Join(parts, ", ")
	av.Line = av.Score + " (" + av.Checks + ")"
	return av
}

// isBidiControl reports whether r changes the direction of the text around
// it, which a device name could use to make itself read as something else.
func isBidiControl(r rune) bool {
	switch {
	case r == '\u061c', r == '\u200e', r == '\u200f':
		return true
	case r >= '\u202a' && r <= '\u202e':
		return true
	case r >= '\u2066' && r <= '\u2069':
		return true
	}
	return false
}

// oneLine turns s into one line: control characters (newlines among them)
// become spaces, direction controls go, and runs of spaces become one, so
// a device name cannot start a new paragraph or a new mail header.
func oneLine(s string) string {
	return strings.Join(strings.Fields(strings.Map(func(r rune) rune {
		switch {
		case isBidiControl(r):
			return -1
		case unicode.IsControl(r):
			return ' '
		}
		return r
	}, s)), " ")
}

// paragraphs splits text at blank lines into one-line paragraphs.
func paragraphs(s string) []string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	var out []string
	for _, p := range strings.Split(s, "\n\n") {
		if p = oneLine(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// wrap breaks a paragraph into lines of at most 72 characters where it can,
// for mail programs that show plain text as it is; a word longer than that
// stays whole.
func wrap(s string) string { return wrapIndent(s, "") }

// item writes s as a list item: "- " first, then wrapped lines indented to
// match.
func item(s string) string { return "- " + wrapIndent(s, "  ") }

func wrapIndent(s, indent string) string {
	width := 72 - len(indent)
	var b strings.Builder
	n := 0
	for i, w := range strings.Fields(s) {
		l := len([]rune(w))
		switch {
		case i == 0:
		case n+1+l > width:
			b.WriteByte('\n')
			b.WriteString(indent)
			n = 0
		default:
			b.WriteByte(' ')
			n++
		}
		b.WriteString(w)
		n += l
	}
	return b.String()
}
