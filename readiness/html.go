package readiness

import (
	_ "embed"
	"html/template"
	"io"

	"github.com/handwash/handwash"
)

//go:embed readiness.html.tmpl
var htmlTemplate string

var pageTemplate = template.Must(template.New("readiness").Funcs(template.FuncMap{
	"intro":          intro,
	"actionsSummary": actionsSummary,
	"schemesWords":   schemesWords,
	"severityWords":  severityWords,
	"effortWords":    effortWords,
	"answerDetail":   answerDetail,
	"inc":            func(i int) int { return i + 1 },
	"statusClass": func(s Status) string {
		switch s {
		case StatusReady:
			return "good"
		case StatusNotReady:
			return "bad"
		case StatusPartly:
			return "mid"
		}
		return "none"
	},
	"checkClass": func(s CheckStatus) string {
		switch s {
		case CheckPass:
			return "good"
		case CheckFail:
			return "bad"
		case CheckUnknown:
			return "mid"
		}
		return "none"
	},
	"answerClass": func(s AnswerStatus) string {
		switch s {
		case AnswerYes:
			return "good"
		case AnswerNo:
			return "bad"
		case AnswerPartly, AnswerExpired:
			return "mid"
		}
		return "none"
	},
	"metClass": func(met bool) string {
		if met {
			return "good"
		}
		return "bad"
	},
	"levelApproaching": func() string { return LevelApproaching },
	"levelMet":         func() string { return LevelMet },
	"coverNote":        func() string { return coverNote },
	"autoFailIntro":    func() string { return autoFailIntro },
	"dsptIntro":        func() string { return dsptIntro },
	"actionsIntro":     func() string { return actionsIntro },
	"nothingToDo":      func() string { return nothingToDo },
	"autoFailSource":   func() string { return AutoFailSource },
	"behind": func(caption string, checks []Check, answers []QuestionResult) behindTable {
		return behindTable{Caption: caption, Checks: checks, Answers: answers}
	},
}).Parse(htmlTemplate))

// behindTable is what the "behind" template draws: the checks and
// questions behind a requirement or item.
type behindTable struct {
	Caption string
	Checks  []Check
	Answers []QuestionResult
}

// WriteHTML writes the readiness as one self-contained, printable HTML
// page: styles inline, no scripts, and nothing loaded from elsewhere, so it
// can be emailed, printed on A4 or kept as a record. Every string in it is
// escaped.
func WriteHTML(w io.Writer, r *Readiness) error {
	if r == nil {
		return handwash.Errorf(handwash.EINVALID, "no readiness to write: build it first with readiness.Build")
	}
	return pageTemplate.Execute(w, r)
}
