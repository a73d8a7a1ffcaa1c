package dashboard

import (
	"fmt"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"

	"github.com/handwash/handwash"
	"github.com/handwash/handwash/quiz"
)

// QuizCourse is the course name a pass is recorded under.
const QuizCourse = "Handwash phishing quiz"

type quizPage struct {
	Org  *handwash.Org
	Base string
	// Seed draws the questions; the same seed gives the same questions
	// when the answers come back.
	Seed     string
	Items    []quiz.Item
	Name     string
	Answers  map[string]string
	Result   *quiz.Result
	Recorded bool
	// NotOnRegister is set when a pass could not be recorded because the
	// name is not on the staff register.
	NotOnRegister bool
	Error         string
	PassMark      int
}

// handleQuizPage draws ten example emails for the person to judge.
func (s *server) handleQuizPage(w http.ResponseWriter, r *http.Request, sv *staffVisit) {
	seed := rand.Uint64()
	s.render(w, r, http.StatusOK, "quiz", "Spot the phishing email", quizPage{Org: sv.org, Base: sv.base, PassMark: quiz.PassMark,
		Seed: strconv.FormatUint(seed, 10), Items: quiz.Draw(s.quizItems, seed), Answers: map[string]string{}})
}

// handleQuiz marks the answers, explains each email, and records a pass
// as training for the person on the staff register.
func (s *server) handleQuiz(w http.ResponseWriter, r *http.Request, sv *staffVisit) {
	r.Body = http.MaxBytesReader(w, r.Body, maxForm)
	seed, err := strconv.ParseUint(r.PostFormValue("seed"), 10, 64)
	if err != nil {
		s.fail(w, r, handwash.Errorf(handwash.EINVALID, "The quiz form is damaged: start the quiz again."))
		return
	}
	drawn := quiz.Draw(s.quizItems, seed)
	p := quizPage{Org: sv.org, Base: sv.base, PassMark: quiz.PassMark, Seed: r.PostFormValue("seed"), Items: drawn,
		Name: strings.TrimSpace(r.PostFormValue("name")), Answers: map[string]string{}}
	for _, it := range drawn {
		if v := r.PostFormValue("q-" + it.ID); v != "" {
			p.Answers[it.ID] = v
		}
	}
	if p.Name == "" || len(p.Name) > 200 {
		p.Error = "Your name: type it as it is on the staff list, so a pass counts as your training."
		s.render(w, r, http.StatusBadRequest, "quiz", "Spot the phishing email", p)
		return
	}
	res, err := quiz.Mark(drawn, quiz.Attempt{Person: p.Name, Taken: s.now(), Answers: p.Answers})
	if err != nil {
		p.Error = "Answer every email: " + handwash.ErrorMessage(err)
		s.render(w, r, http.StatusBadRequest, "quiz", "Spot the phishing email", p)
		return
	}
	p.Result = &res
	if res.Passed {
		p.Recorded, err = s.recordQuizPass(r, sv, p.Name, res)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		p.NotOnRegister = !p.Recorded
	}
	s.render(w, r, http.StatusOK, "quiz", "Your quiz result", p)
}

// recordQuizPass records a pass as training of the member of staff with
// this name (or email), when the register has exactly one.
func (s *server) recordQuizPass(r *http.Request, sv *staffVisit, name string, res quiz.Result) (bool, error) {
	staff, err := s.store.Staff(r.Context(), sv.scope(), sv.org.ID)
	if err != nil {
		return false, err
	}
	var match *handwash.StaffMember
	for _, m := range staff {
		if m.LeftOn != nil {
			continue
		}
		if strings.EqualFold(m.Name, name) || (m.Email != "" && strings.EqualFold(m.Email, name)) {
			if match != nil {
				return false, nil // two people of that name: the manager records it
			}
			match = m
		}
	}
	if match == nil {
		return false, nil
	}
	rec := []handwash.TrainingRecord{{StaffID: match.ID, Course: QuizCourse, CompletedOn: s.now(), Source: handwash.TrainingQuiz,
		Evidence: fmt.Sprintf("%d of %d (%d%%)", res.Score, res.Total, res.Percent)}}
	if err := s.store.AddTraining(r.Context(), sv.scope(), sv.org.ID, rec); err != nil {
		return false, err
	}
	s.record(r, &handwash.User{ID: "staff-link", Email: "staff link"}, sv.link.ProviderID, sv.org.ID, "training.quiz", match.ID,
		fmt.Sprintf("%s passed the phishing quiz: %d of %d", match.Name, res.Score, res.Total))
	return true, nil
}
