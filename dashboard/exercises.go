package dashboard

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/handwash/handwash"
	"github.com/handwash/handwash/tabletop"
)

type exercisesPage struct {
	Org       *handwash.Org
	Scenarios []tabletop.Scenario
	Runs      []runRow
	CanWrite  bool
	Visitor   string
	Error     string
}

type runRow struct {
	Run   *handwash.ExerciseRun
	Title string
}

// handleExercises lists the tabletop exercises to run and the runs so far.
func (s *server) handleExercises(w http.ResponseWriter, r *http.Request) {
	o, scope, ok := s.pathOrg(w, r)
	if !ok {
		return
	}
	p, err := s.exercisesPage(r, o, scope)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "exercises", "Tabletop exercises for "+o.Name, p)
}

func (s *server) exercisesPage(r *http.Request, o *handwash.Org, scope handwash.Scope) (exercisesPage, error) {
	v := visitorOf(r)
	p := exercisesPage{Org: o, Scenarios: s.scenarios, CanWrite: v.principal().CanWrite(), Visitor: v.user.Name}
	runs, err := s.store.ExerciseRuns(r.Context(), scope, o.ID)
	if err != nil {
		return p, err
	}
	for _, run := range runs {
		p.Runs = append(p.Runs, runRow{Run: run, Title: s.scenarioTitle(run.ScenarioID)})
	}
	return p, nil
}

func (s *server) scenario(id string) (*tabletop.Scenario, bool) {
	for i := range s.scenarios {
		if s.scenarios[i].ID == id {
			return &s.scenarios[i], true
		}
	}
	return nil, false
}

func (s *server) scenarioTitle(id string) string {
	if sc, ok := s.scenario(id); ok {
		return sc.Title
	}
	return id
}

// handleExerciseStart starts a run of a scenario.
func (s *server) handleExerciseStart(w http.ResponseWriter, r *http.Request) {
	o, scope, ok := s.pathOrg(w, r)
	if !ok {
		return
	}
	v := visitorOf(r)
	if !v.principal().CanWrite() {
		s.fail(w, r, errReadOnly)
		return
	}
	sc, known := s.scenario(r.PostFormValue("scenario"))
	facilitator := strings.TrimSpace(r.PostFormValue("facilitator"))
	var participants []string
	for _, line := range strings.Split(r.PostFormValue("participants"), "\n") {
		if p := strings.TrimSpace(line); p != "" {
			participants = append(participants, p)
		}
	}
	problem := ""
	switch {
	case !known:
		problem = "Choose an exercise to run."
	case facilitator == "" || len(facilitator) > 200:
		problem = "Facilitator: give the name of the person running the exercise."
	case len(participants) > 50:
		problem = "Participants: list at most 50 people, one a line."
	}
	if problem != "" {
		p, err := s.exercisesPage(r, o, scope)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		p.Error = problem
		s.render(w, r, http.StatusBadRequest, "exercises", "Tabletop exercises for "+o.Name, p)
		return
	}
	run := &handwash.ExerciseRun{OrgID: o.ID, ScenarioID: sc.ID, Facilitator: facilitator, Participants: participants,
		StartedAt: s.now(), CreatedBy: v.user.ID}
	if err := s.store.PutExerciseRun(r.Context(), scope, run); err != nil {
		s.fail(w, r, err)
		return
	}
	s.auditAction(r, v, o.ID, "exercise.start", run.ID, "started the exercise "+sc.Title)
	http.Redirect(w, r, "/exercise-runs/"+url.PathEscape(run.ID)+"?inject=0", http.StatusSeeOther)
}

type runPage struct {
	Org      *handwash.Org
	Run      *handwash.ExerciseRun
	Scenario *tabletop.Scenario
	// Inject is the one shown, at Index, with Answers and Ratings by
	// question and good item.
	Index    int
	Inject   *tabletop.Inject
	Answers  []string
	Ratings  []handwash.ExerciseRating
	Last     bool
	CanWrite bool
	Error    string
}

// pathRun finds the run of the path, its organisation and scenario.
func (s *server) pathRun(w http.ResponseWriter, r *http.Request) (*handwash.ExerciseRun, *handwash.Org, *tabletop.Scenario, handwash.Scope, bool) {
	scope := visitorOf(r).principal().Scope
	run, err := s.store.ExerciseRun(r.Context(), scope, r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return nil, nil, nil, scope, false
	}
	o, err := s.store.Org(r.Context(), scope, run.OrgID)
	if err != nil {
		s.fail(w, r, err)
		return nil, nil, nil, scope, false
	}
	sc, ok := s.scenario(run.ScenarioID)
	if !ok {
		s.fail(w, r, handwash.Errorf(handwash.ENOTFOUND, "This exercise's scenario is no longer in Handwash."))
		return nil, nil, nil, scope, false
	}
	return run, o, sc, scope, true
}

func (s *server) runPage(r *http.Request, run *handwash.ExerciseRun, o *handwash.Org, sc *tabletop.Scenario, index int) runPage {
	in := &sc.Injects[index]
	p := runPage{Org: o, Run: run, Scenario: sc, Index: index, Inject: in, Last: index == len(sc.Injects)-1,
		CanWrite: visitorOf(r).principal().CanWrite() && run.FinishedAt == nil,
		Answers:  make([]string, len(in.Questions)), Ratings: make([]handwash.ExerciseRating, len(in.Good))}
	for _, a := range run.Answers {
		if a.Inject == index && a.Question >= 0 && a.Question < len(p.Answers) {
			p.Answers[a.Question] = a.Text
		}
	}
	for _, g := range run.Ratings {
		if g.Inject == index && g.Good >= 0 && g.Good < len(p.Ratings) {
			p.Ratings[g.Good] = g
		}
	}
	return p
}

// injectIndex reads ?inject=N (or the form's inject), defaulting to 0.
func injectIndex(v string, sc *tabletop.Scenario) (int, bool) {
	if v == "" {
		return 0, true
	}
	n, err := strconv.Atoi(v)
	return n, err == nil && n >= 0 && n < len(sc.Injects)
}

// handleRun shows one inject of a run: what happens, the questions to
// discuss with the group's answers, and what good looks like to rate.
func (s *server) handleRun(w http.ResponseWriter, r *http.Request) {
	run, o, sc, _, ok := s.pathRun(w, r)
	if !ok {
		return
	}
	index, ok := injectIndex(r.URL.Query().Get("inject"), sc)
	if !ok {
		s.fail(w, r, handwash.Errorf(handwash.ENOTFOUND, "This exercise has no such inject."))
		return
	}
	s.render(w, r, http.StatusOK, "exerciserun", sc.Title, s.runPage(r, run, o, sc, index))
}

// handleRunSave records the answers and ratings of one inject, then goes
// to the next inject, or finishes the run and shows its report.
func (s *server) handleRunSave(w http.ResponseWriter, r *http.Request) {
	run, o, sc, scope, ok := s.pathRun(w, r)
	if !ok {
		return
	}
	v := visitorOf(r)
	if !v.principal().CanWrite() {
		s.fail(w, r, errReadOnly)
		return
	}
	if run.FinishedAt != nil {
		s.fail(w, r, handwash.Errorf(handwash.ECONFLICT, "This exercise is finished: its report is kept as it was. Start a new run to go through it again."))
		return
	}
	index, ok := injectIndex(r.PostFormValue("inject"), sc)
	if !ok {
		s.fail(w, r, handwash.Errorf(handwash.EINVALID, "inject: this exercise has no such inject"))
		return
	}
	in := sc.Injects[index]
	var answers []handwash.ExerciseAnswer
	for _, a := range run.Answers {
		if a.Inject != index {
			answers = append(answers, a)
		}
	}
	for q := range in.Questions {
		if t := strings.TrimSpace(r.PostFormValue(fmt.Sprintf("answer-%d", q))); t != "" {
			answers = append(answers, handwash.ExerciseAnswer{Inject: index, Question: q, Text: t})
		}
	}
	var ratings []handwash.ExerciseRating
	for _, g := range run.Ratings {
		if g.Inject != index {
			ratings = append(ratings, g)
		}
	}
	for g := range in.Good {
		met := r.PostFormValue(fmt.Sprintf("met-%d", g))
		note := strings.TrimSpace(r.PostFormValue(fmt.Sprintf("note-%d", g)))
		if met != "" {
			ratings = append(ratings, handwash.ExerciseRating{Inject: index, Good: g, Met: met, Note: note})
		}
	}
	next := *run
	next.Answers, next.Ratings = answers, ratings
	if err := sc.ValidateRun(tabletopRun(&next)); err != nil {
		p := s.runPage(r, run, o, sc, index)
		p.Error = handwash.ErrorMessage(err)
		s.render(w, r, http.StatusBadRequest, "exerciserun", sc.Title, p)
		return
	}
	run.Answers, run.Ratings = answers, ratings
	finish := r.PostFormValue("then") == "finish"
	if finish {
		done := s.now()
		run.FinishedAt = &done
	}
	if err := s.store.PutExerciseRun(r.Context(), scope, run); err != nil {
		s.fail(w, r, err)
		return
	}
	base := "/exercise-runs/" + url.PathEscape(run.ID)
	switch {
	case finish:
		s.auditAction(r, v, o.ID, "exercise.finish", run.ID, "finished the exercise "+sc.Title)
		http.Redirect(w, r, base+"/report", http.StatusSeeOther)
	case r.PostFormValue("then") == "next" && index+1 < len(sc.Injects):
		http.Redirect(w, r, fmt.Sprintf("%s?inject=%d", base, index+1), http.StatusSeeOther)
	default:
		http.Redirect(w, r, fmt.Sprintf("%s?inject=%d", base, index), http.StatusSeeOther)
	}
}

type runReportPage struct {
	Org    *handwash.Org
	Run    *handwash.ExerciseRun
	Report tabletop.AfterAction
	// Questions are the self-assessment question IDs, to link gaps to.
	Questions map[string]bool
}

// handleRunReport shows the after-action report: what went well, the gaps
// with the controls and questions to work on, and what was said.
func (s *server) handleRunReport(w http.ResponseWriter, r *http.Request) {
	run, o, sc, _, ok := s.pathRun(w, r)
	if !ok {
		return
	}
	qs := map[string]bool{}
	for _, q := range s.questions.Questions {
		qs[q.ID] = true
	}
	s.render(w, r, http.StatusOK, "exercisereport", "After-action report: "+sc.Title, runReportPage{Org: o, Run: run, Report: sc.Report(tabletopRun(run)), Questions: qs})
}

// tabletopRun is a stored run as package tabletop checks and reports it.
func tabletopRun(run *handwash.ExerciseRun) tabletop.Run {
	tr := tabletop.Run{ScenarioID: run.ScenarioID, Facilitator: run.Facilitator, Participants: run.Participants, Started: run.StartedAt}
	for _, a := range run.Answers {
		tr.Answers = append(tr.Answers, tabletop.RunAnswer{InjectIndex: a.Inject, Question: a.Question, Text: a.Text, By: a.By})
	}
	for _, g := range run.Ratings {
		tr.Ratings = append(tr.Ratings, tabletop.Rating{InjectIndex: g.Inject, Good: g.Good, Met: g.Met, Note: g.Note})
	}
	return tr
}
