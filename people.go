package handwash

import (
	"context"
	"time"
)

// The people area: the self-assessment's answers, the staff register and
// their training, the incident log and tabletop exercises. The questions,
// the quiz and the scenarios are catalogues in packages assess, quiz and
// tabletop; what an organisation records against them is here.

// Answer is an organisation's answer to one self-assessment question
// (assess.Catalogue).
type Answer struct {
	OrgID      string `json:"org_id,omitempty"`
	QuestionID string `json:"question_id"`
	// Value is yes, partly, no or not-applicable.
	Value string `json:"value"`
	// Note says what is in place or what is missing; for not-applicable it
	// says why the question does not apply.
	Note string `json:"note,omitempty"`
	// Owner is the person responsible for the answer and any action it
	// needs.
	Owner string `json:"owner,omitempty"`
	// ReviewBy is when the answer must be checked again; after it, the
	// answer counts as unanswered. Zero means 12 months after AnsweredAt.
	ReviewBy   time.Time `json:"review_by,omitzero"`
	AnsweredBy string    `json:"answered_by,omitempty"`
	AnsweredAt time.Time `json:"answered_at,omitzero"`
	// Attachments name the evidence files kept with the answer.
	Attachments []string `json:"attachments,omitempty"`
}

// The values an answer can have, and AnswerUnanswered for a question with
// no current answer.
const (
	AnswerYes           = "yes"
	AnswerPartly        = "partly"
	AnswerNo            = "no"
	AnswerNotApplicable = "not-applicable"
	AnswerUnanswered    = "unanswered"
)

// ReviewDate is when the answer must be reviewed: ReviewBy, or 12 months
// after AnsweredAt when ReviewBy is not set (the DSPT is annual and its
// evidence items look back over 12 months), or zero when neither is known.
func (a Answer) ReviewDate() time.Time {
	if !a.ReviewBy.IsZero() {
		return a.ReviewBy
	}
	if !a.AnsweredAt.IsZero() {
		return a.AnsweredAt.AddDate(1, 0, 0)
	}
	return time.Time{}
}

// Expired reports whether the answer's review date has passed.
func (a Answer) Expired(now time.Time) bool {
	r := a.ReviewDate()
	return !r.IsZero() && now.After(r)
}

// Effective is the value the answer counts as at now: AnswerUnanswered
// when its review date has passed or its value is not one of the four, and
// its value otherwise.
func (a Answer) Effective(now time.Time) string {
	switch a.Value {
	case AnswerYes, AnswerPartly, AnswerNo, AnswerNotApplicable:
		if !a.Expired(now) {
			return a.Value
		}
	}
	return AnswerUnanswered
}

// MaxAnswerFile is the largest evidence file kept with an answer, and
// MaxAnswerFiles how many one question may have.
const (
	MaxAnswerFile  = 10 << 20
	MaxAnswerFiles = 20
)

// AnswerFile is an evidence file kept with an answer, such as a scanned
// policy or a restore test's notes.
type AnswerFile struct {
	ID          string    `json:"id"`
	OrgID       string    `json:"org_id"`
	QuestionID  string    `json:"question_id"`
	Name        string    `json:"name"`
	ContentType string    `json:"content_type"`
	Size        int       `json:"size"`
	Data        []byte    `json:"-"`
	UploadedBy  string    `json:"uploaded_by,omitempty"`
	UploadedAt  time.Time `json:"uploaded_at"`
}

// StaffMember is one person on an organisation's staff register: staff,
// directors, trustees and volunteers, whom the DSPT's 95% training target
// counts.
type StaffMember struct {
	ID    string `json:"id"`
	OrgID string `json:"org_id"`
	Name  string `json:"name"`
	// Email is optional; with it, an import updates the same person.
	Email string `json:"email,omitempty"`
	// Role is the job, such as "Senior carer" or "Trustee".
	Role      string     `json:"role,omitempty"`
	StartedOn *time.Time `json:"started_on,omitempty"`
	// LeftOn is set when the person has left: they no longer count.
	LeftOn    *time.Time `json:"left_on,omitempty"`
	UpdatedAt time.Time  `json:"updated_at"`
}

// Where a training record came from.
const (
	TrainingByHand = "manual"
	TrainingImport = "import"
	TrainingQuiz   = "quiz"
)

// TrainingRecord is one completion of data security training by one
// member of staff.
type TrainingRecord struct {
	ID      string `json:"id"`
	OrgID   string `json:"org_id"`
	StaffID string `json:"staff_id"`
	// Course names the training, such as "Data Security Awareness Level 1"
	// or "Handwash phishing quiz".
	Course      string    `json:"course"`
	CompletedOn time.Time `json:"completed_on"`
	// Source is manual, import or quiz.
	Source string `json:"source"`
	// Evidence says what shows it, such as "certificate seen" or the
	// quiz's score.
	Evidence  string    `json:"evidence,omitempty"`
	CreatedAt time.Time `json:"created_at"`
}

// Incident is one entry of an organisation's incident and near-miss log.
type Incident struct {
	ID    string `json:"id"`
	OrgID string `json:"org_id"`
	// NearMiss is true for something that could have gone wrong and did
	// not, such as a phishing email reported before anyone clicked.
	NearMiss bool   `json:"near_miss"`
	Title    string `json:"title"`
	// What happened, in the reporter's words.
	What       string    `json:"what"`
	OccurredAt time.Time `json:"occurred_at"`
	// DiscoveredAt starts the ICO's 72 hours.
	DiscoveredAt time.Time `json:"discovered_at"`
	// ReportedBy is who noticed or reported it.
	ReportedBy string `json:"reported_by,omitempty"`
	// PersonalData says personal data may have been lost, seen, changed
	// or made unavailable: a personal data breach.
	PersonalData bool `json:"personal_data"`
	// Fraud says money was taken or asked for, or a crime such as hacking
	// or extortion happened: Report Fraud (which replaced Action Fraud in
	// December 2025) takes the report.
	Fraud bool `json:"fraud"`
	// Actions is what was done about it.
	Actions string `json:"actions,omitempty"`
	// When each body was told, and their reference.
	ICOReportedOn         *time.Time `json:"ico_reported_on,omitempty"`
	DSPTReportedOn        *time.Time `json:"dspt_reported_on,omitempty"`
	ActionFraudReportedOn *time.Time `json:"action_fraud_reported_on,omitempty"`
	References            string     `json:"references,omitempty"`
	// ClosedOn is set when nothing more is to be done; Lessons says what
	// was learned.
	ClosedOn  *time.Time `json:"closed_on,omitempty"`
	Lessons   string     `json:"lessons,omitempty"`
	CreatedBy string     `json:"created_by,omitempty"`
	CreatedAt time.Time  `json:"created_at"`
	UpdatedAt time.Time  `json:"updated_at"`
}

// ExerciseRun is one tabletop exercise run by a facilitator
// (tabletop.Scenario): who took part, their answers to each inject's
// questions and how the team did against each "what good looks like".
type ExerciseRun struct {
	ID           string   `json:"id"`
	OrgID        string   `json:"org_id"`
	ScenarioID   string   `json:"scenario_id"`
	Facilitator  string   `json:"facilitator"`
	Participants []string `json:"participants,omitempty"`
	// Answers and Ratings are tabletop.Run's, as JSON.
	Answers    []ExerciseAnswer `json:"answers,omitempty"`
	Ratings    []ExerciseRating `json:"ratings,omitempty"`
	StartedAt  time.Time        `json:"started_at"`
	FinishedAt *time.Time       `json:"finished_at,omitempty"`
	CreatedBy  string           `json:"created_by,omitempty"`
}

// ExerciseAnswer is what the team said to one discussion question.
type ExerciseAnswer struct {
	Inject   int    `json:"inject"`
	Question int    `json:"question"`
	Text     string `json:"text"`
	By       string `json:"by,omitempty"`
}

// ExerciseRating is how the team did against one "what good looks like".
type ExerciseRating struct {
	Inject int `json:"inject"`
	Good   int `json:"good"`
	// Met is yes, partly or no.
	Met  string `json:"met"`
	Note string `json:"note,omitempty"`
}

// PeopleService keeps the people area's records of each organisation.
type PeopleService interface {
	// PutAnswer stores an organisation's answer to a question, replacing
	// the one before.
	PutAnswer(ctx context.Context, scope Scope, a *Answer) error
	// Answers are the organisation's answers, with the names of their
	// files in Attachments.
	Answers(ctx context.Context, scope Scope, orgID string) ([]Answer, error)
	// AddAnswerFile keeps an evidence file with a question's answer.
	AddAnswerFile(ctx context.Context, scope Scope, f *AnswerFile) error
	// AnswerFiles lists a question's files, without their data; AnswerFile
	// returns one with its data.
	AnswerFiles(ctx context.Context, scope Scope, orgID, questionID string) ([]AnswerFile, error)
	AnswerFile(ctx context.Context, scope Scope, id string) (*AnswerFile, error)

	// ReplaceStaff stores an import of the staff register, all or
	// nothing: people matched by email (or name) are updated, new ones
	// added; nobody is removed. When training is not nil, it is given the
	// register as stored and returns training records to add in the same
	// transaction, so an import of people and their training is whole.
	ReplaceStaff(ctx context.Context, scope Scope, orgID string, staff []StaffMember, training func(stored []*StaffMember) ([]TrainingRecord, error)) error
	// PutStaffMember adds or updates one person (by ID when set).
	PutStaffMember(ctx context.Context, scope Scope, m *StaffMember) error
	Staff(ctx context.Context, scope Scope, orgID string) ([]*StaffMember, error)
	// AddTraining records completions, all or nothing.
	AddTraining(ctx context.Context, scope Scope, orgID string, records []TrainingRecord) error
	Training(ctx context.Context, scope Scope, orgID string) ([]TrainingRecord, error)

	PutIncident(ctx context.Context, scope Scope, in *Incident) error
	Incidents(ctx context.Context, scope Scope, orgID string) ([]*Incident, error)
	Incident(ctx context.Context, scope Scope, id string) (*Incident, error)

	PutExerciseRun(ctx context.Context, scope Scope, r *ExerciseRun) error
	ExerciseRuns(ctx context.Context, scope Scope, orgID string) ([]*ExerciseRun, error)
	ExerciseRun(ctx context.Context, scope Scope, id string) (*ExerciseRun, error)
}
