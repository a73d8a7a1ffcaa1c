package dashboard

import (
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/handwash/handwash"
	"github.com/handwash/handwash/assess"
)

// questionRow is one question as the self-assessment page lists it.
type questionRow struct {
	Q *assess.Question
	// Answer is the stored answer, nil when none.
	Answer *handwash.Answer
	// State is the answer as it counts now: yes, partly, no,
	// not-applicable or unanswered (also when its review date passed).
	State   string
	Expired bool
}

type areaQuestions struct {
	Area handwash.Area
	Rows []questionRow
}

type assessmentPage struct {
	Org      *handwash.Org
	Progress assess.Progress
	Areas    []areaQuestions
	Version  string
	Done     string
}

// answerWords says an answer's state in words.
func answerWords(state string) string {
	switch state {
	case handwash.AnswerYes:
		return "Yes"
	case handwash.AnswerPartly:
		return "Partly"
	case handwash.AnswerNo:
		return "No"
	case handwash.AnswerNotApplicable:
		return "Does not apply"
	}
	return "Not answered"
}

// handleAssessment lists the self-assessment's questions by area with the
// organisation's answers.
func (s *server) handleAssessment(w http.ResponseWriter, r *http.Request) {
	o, scope, ok := s.pathOrg(w, r)
	if !ok {
		return
	}
	answers, err := s.store.Answers(r.Context(), scope, o.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	now := s.now()
	p := assessmentPage{Org: o, Progress: s.questions.Progress(answers, now), Version: s.questions.Version}
	for _, area := range handwash.Areas {
		qs := s.questions.ByArea(area)
		if len(qs) == 0 {
			continue
		}
		aq := areaQuestions{Area: area}
		for i := range qs {
			row := questionRow{Q: &qs[i], State: handwash.AnswerUnanswered}
			if j := slices.IndexFunc(answers, func(a handwash.Answer) bool { return a.QuestionID == qs[i].ID }); j >= 0 {
				row.Answer, row.State, row.Expired = &answers[j], answers[j].Effective(now), answers[j].Expired(now)
			}
			aq.Rows = append(aq.Rows, row)
		}
		p.Areas = append(p.Areas, aq)
	}
	if r.URL.Query().Get("done") == "saved" {
		p.Done = "The answer was saved."
	}
	s.render(w, r, http.StatusOK, "assessment", "Self-assessment of "+o.Name, p)
}

type questionPage struct {
	Org      *handwash.Org
	Q        *assess.Question
	Answer   *handwash.Answer
	State    string
	Expired  bool
	Files    []handwash.AnswerFile
	CanWrite bool
	// Form holds what was typed, after a problem.
	Form       map[string]string
	Error      string
	ErrorField string
	Done       string
}

// pathQuestion finds the organisation and question of the path.
func (s *server) pathQuestion(w http.ResponseWriter, r *http.Request) (*handwash.Org, handwash.Scope, *assess.Question, bool) {
	o, scope, ok := s.pathOrg(w, r)
	if !ok {
		return nil, scope, nil, false
	}
	q, ok := s.questions.Question(r.PathValue("question"))
	if !ok {
		s.fail(w, r, handwash.Errorf(handwash.ENOTFOUND, "There is no question with this ID in the self-assessment."))
		return nil, scope, nil, false
	}
	return o, scope, q, true
}

func (s *server) questionPage(r *http.Request, o *handwash.Org, scope handwash.Scope, q *assess.Question) (questionPage, error) {
	p := questionPage{Org: o, Q: q, State: handwash.AnswerUnanswered, CanWrite: visitorOf(r).principal().CanWrite()}
	answers, err := s.store.Answers(r.Context(), scope, o.ID)
	if err != nil {
		return p, err
	}
	now := s.now()
	if i := slices.IndexFunc(answers, func(a handwash.Answer) bool { return a.QuestionID == q.ID }); i >= 0 {
		p.Answer, p.State, p.Expired = &answers[i], answers[i].Effective(now), answers[i].Expired(now)
	}
	if p.Files, err = s.store.AnswerFiles(r.Context(), scope, o.ID, q.ID); err != nil {
		return p, err
	}
	p.Form = map[string]string{"review_by": assess.DefaultReviewBy(now).Format(time.DateOnly)}
	if a := p.Answer; a != nil {
		p.Form = map[string]string{"value": a.Value, "note": a.Note, "owner": a.Owner, "review_by": a.ReviewDate().Format(time.DateOnly)}
		if p.Expired {
			p.Form["review_by"] = assess.DefaultReviewBy(now).Format(time.DateOnly)
		}
	}
	return p, nil
}

// handleQuestion shows one question with its help, the answer and its
// evidence files, and the form to answer it.
func (s *server) handleQuestion(w http.ResponseWriter, r *http.Request) {
	o, scope, q, ok := s.pathQuestion(w, r)
	if !ok {
		return
	}
	p, err := s.questionPage(r, o, scope, q)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if r.URL.Query().Get("done") == "uploaded" {
		p.Done = "The file was kept with the answer."
	}
	s.render(w, r, http.StatusOK, "question", q.Question, p)
}

// handleAnswer saves the organisation's answer to a question.
func (s *server) handleAnswer(w http.ResponseWriter, r *http.Request) {
	o, scope, q, ok := s.pathQuestion(w, r)
	if !ok {
		return
	}
	v := visitorOf(r)
	if !v.principal().CanWrite() {
		s.fail(w, r, errReadOnly)
		return
	}
	form := map[string]string{}
	for _, f := range []string{"value", "note", "owner", "review_by"} {
		form[f] = strings.TrimSpace(r.PostFormValue(f))
	}
	now := s.now()
	a := handwash.Answer{OrgID: o.ID, QuestionID: q.ID, Note: form["note"], Owner: form["owner"], AnsweredBy: v.user.Name, AnsweredAt: now}
	field, err := "value", error(nil)
	if a.Value, err = assess.ParseValue(form["value"]); err == nil {
		field = "review_by"
		if form["review_by"] != "" {
			var t time.Time
			if t, err = time.ParseInLocation(time.DateOnly, form["review_by"], time.UTC); err != nil {
				err = handwash.Errorf(handwash.EINVALID, "review by: %q is not a date: use the date picker, or the form YYYY-MM-DD", form["review_by"])
			} else if !t.After(now) {
				err = handwash.Errorf(handwash.EINVALID, "review by: choose a date after today, when the answer should be checked again")
			}
			a.ReviewBy = t.Add(24*time.Hour - time.Second)
		}
	} else {
		err = handwash.Errorf(handwash.EINVALID, "answer: choose yes, partly, no or does not apply")
	}
	if err == nil {
		if err = s.questions.ValidateAnswer(a); err != nil {
			field = "note"
			if strings.Contains(handwash.ErrorMessage(err), `"owner"`) {
				field = "owner"
			}
		}
	}
	if err == nil {
		err = s.store.PutAnswer(r.Context(), scope, &a)
	}
	if err != nil {
		s.formProblem(w, r, err, "question", q.Question, func() (any, error) {
			p, err2 := s.questionPage(r, o, scope, q)
			p.Form, p.Error, p.ErrorField = form, handwash.ErrorMessage(err), field
			return p, err2
		})
		return
	}
	s.auditAction(r, v, o.ID, "answer.save", q.ID, fmt.Sprintf("answered %s: %s", q.ID, answerWords(a.Value)))
	http.Redirect(w, r, "/orgs/"+url.PathEscape(o.ID)+"/assessment?done=saved#"+url.PathEscape(q.ID), http.StatusSeeOther)
}

// evidenceTypes are the kinds of evidence file kept: documents, images
// and text, never anything a browser would run.
var evidenceTypes = map[string]string{
	".pdf": "application/pdf", ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg",
	".txt": "text/plain", ".csv": "text/csv", ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
	".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ".odt": "application/vnd.oasis.opendocument.text",
	".ods": "application/vnd.oasis.opendocument.spreadsheet", ".eml": "message/rfc822",
}

// handleAnswerFile keeps an uploaded evidence file with a question's
// answer.
func (s *server) handleAnswerFile(w http.ResponseWriter, r *http.Request) {
	o, scope, q, ok := s.pathQuestion(w, r)
	if !ok {
		return
	}
	v := visitorOf(r)
	if !v.principal().CanWrite() {
		s.fail(w, r, errReadOnly)
		return
	}
	err := s.keepAnswerFile(r, scope, o, q, v)
	if err != nil {
		s.formProblem(w, r, err, "question", q.Question, func() (any, error) {
			p, err2 := s.questionPage(r, o, scope, q)
			p.Error, p.ErrorField = handwash.ErrorMessage(err), "evidence-file"
			return p, err2
		})
		return
	}
	http.Redirect(w, r, "/orgs/"+url.PathEscape(o.ID)+"/assessment/"+url.PathEscape(q.ID)+"?done=uploaded", http.StatusSeeOther)
}

func (s *server) keepAnswerFile(r *http.Request, scope handwash.Scope, o *handwash.Org, q *assess.Question, v *visitor) error {
	f, hdr, err := r.FormFile("file")
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return handwash.Errorf(handwash.ETOOLARGE, "file: it is larger than the %d MB kept with an answer", handwash.MaxAnswerFile>>20)
		}
		return handwash.Errorf(handwash.EINVALID, "file: choose the file to keep")
	}
	defer f.Close()
	name := filepath.Base(strings.ReplaceAll(hdr.Filename, `\`, "/"))
	ctype, known := evidenceTypes[strings.ToLower(filepath.Ext(name))]
	if !known {
		return handwash.Errorf(handwash.EINVALID, "file: %s is not a kind of file kept as evidence: give a PDF, a picture (PNG or JPEG), a Word, Excel or OpenDocument file, text, CSV or an email (.eml)", name)
	}
	data, err := io.ReadAll(io.LimitReader(f, handwash.MaxAnswerFile+1))
	if err != nil {
		return err
	}
	af := &handwash.AnswerFile{OrgID: o.ID, QuestionID: q.ID, Name: name, ContentType: ctype, Data: data, UploadedBy: v.user.Name}
	if err := s.store.AddAnswerFile(r.Context(), scope, af); err != nil {
		return err
	}
	s.auditAction(r, v, o.ID, "answer.file", af.ID, fmt.Sprintf("kept %s (%d bytes) as evidence for %s", af.Name, af.Size, q.ID))
	return nil
}

// handleAnswerFileDownload sends an evidence file as a download, never
// shown in the page, so nothing in it runs.
func (s *server) handleAnswerFileDownload(w http.ResponseWriter, r *http.Request) {
	pr := visitorOf(r).principal()
	f, err := s.store.AnswerFile(r.Context(), pr.Scope, r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", f.ContentType)
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": f.Name}))
	w.Header().Set("Content-Length", strconv.Itoa(len(f.Data)))
	w.Header().Set("Cache-Control", "no-store")
	w.Write(f.Data)
}
