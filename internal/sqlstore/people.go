package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/handwash/handwash"
)

// Limits on what the people area keeps per organisation, so that one
// organisation cannot fill the database.
const (
	maxStaff        = 20000
	maxText         = 10000 // characters in an incident's or run's text fields
	maxRunBody      = 1 << 20
	maxIncidentBody = 256 << 10
)

// PutAnswer stores an organisation's answer, replacing the one before.
// The catalogue's own checks (package assess) come first; here the value
// and the lengths are checked again, so nothing invalid is ever stored.
func (s *Store) PutAnswer(ctx context.Context, scope handwash.Scope, a *handwash.Answer) error {
	switch {
	case a.QuestionID == "" || len(a.QuestionID) > 100:
		return invalid("question_id: give the ID of the question answered")
	case handwash.Answer{Value: a.Value}.Effective(a.AnsweredAt) == handwash.AnswerUnanswered:
		return invalid("value: %q is not an answer: use yes, partly, no or not-applicable", a.Value)
	case utf8.RuneCountInString(a.Note) > 4000 || utf8.RuneCountInString(a.Owner) > 200 || len(a.AnsweredBy) > 200:
		return invalid("note or owner is too long")
	}
	at := s.nowOr(a.AnsweredAt)
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if err := s.orgInScope(ctx, tx, scope, a.OrgID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM answers WHERE org_id = $1 AND question_id = $2`, a.OrgID, a.QuestionID); err != nil {
			return err
		}
		var review *sqlTime
		if !a.ReviewBy.IsZero() {
			review = &sqlTime{a.ReviewBy}
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO answers (org_id, provider_id, question_id, value, note, owner, review_by, answered_by, answered_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
			a.OrgID, scope.ProviderID, a.QuestionID, a.Value, a.Note, a.Owner, review.arg(), a.AnsweredBy, micros(at))
		return err
	})
	if err != nil {
		return s.dbErr("store an answer", err)
	}
	a.AnsweredAt = at
	return nil
}

// Answers lists an organisation's answers by question, with the names of
// their files.
func (s *Store) Answers(ctx context.Context, scope handwash.Scope, orgID string) ([]handwash.Answer, error) {
	if err := s.orgInScope(ctx, s.read, scope, orgID); err != nil {
		return nil, err
	}
	answers, err := list(ctx, s, "list answers", func(r scanner) (handwash.Answer, error) {
		var a handwash.Answer
		var review sql.NullInt64
		var at int64
		err := r.Scan(&a.QuestionID, &a.Value, &a.Note, &a.Owner, &review, &a.AnsweredBy, &at)
		a.OrgID, a.AnsweredAt = orgID, fromMicros(at)
		if t := optTime(review); t != nil {
			a.ReviewBy = *t
		}
		return a, err
	}, `SELECT question_id, value, note, owner, review_by, answered_by, answered_at FROM answers WHERE org_id = $1 ORDER BY question_id`, orgID)
	if err != nil {
		return nil, err
	}
	files, err := s.AnswerFiles(ctx, scope, orgID, "")
	if err != nil {
		return nil, err
	}
	for i := range answers {
		for _, f := range files {
			if f.QuestionID == answers[i].QuestionID {
				answers[i].Attachments = append(answers[i].Attachments, f.Name)
			}
		}
	}
	return answers, nil
}

// AddAnswerFile keeps an evidence file with a question's answer.
func (s *Store) AddAnswerFile(ctx context.Context, scope handwash.Scope, f *handwash.AnswerFile) error {
	name := strings.TrimSpace(f.Name)
	switch {
	case f.QuestionID == "" || len(f.QuestionID) > 100:
		return invalid("question_id: give the question the file is evidence for")
	case name == "" || utf8.RuneCountInString(name) > 200 || strings.ContainsAny(name, "/\\\x00"):
		return invalid("file: give the file a name of 1 to 200 characters, without folders")
	case len(f.Data) == 0:
		return invalid("file: the file is empty")
	case len(f.Data) > handwash.MaxAnswerFile:
		return handwash.Errorf(handwash.ETOOLARGE, "file: %s is larger than the %d MB kept with an answer", name, handwash.MaxAnswerFile>>20)
	}
	f.ID, f.Name, f.Size, f.UploadedAt = handwash.NewID("afl"), name, len(f.Data), s.nowOr(f.UploadedAt)
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if err := s.orgInScope(ctx, tx, scope, f.OrgID); err != nil {
			return err
		}
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM answer_files WHERE org_id = $1 AND question_id = $2`, f.OrgID, f.QuestionID).Scan(&n); err != nil {
			return err
		}
		if n >= handwash.MaxAnswerFiles {
			return invalid("file: this question already has %d files, the most kept: put several pages in one file", n)
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO answer_files (id, org_id, provider_id, question_id, name, content_type, data, uploaded_by, uploaded_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
			f.ID, f.OrgID, scope.ProviderID, f.QuestionID, f.Name, f.ContentType, f.Data, f.UploadedBy, micros(f.UploadedAt))
		return err
	})
	return s.dbErr("keep an evidence file", err)
}

// AnswerFiles lists an organisation's files, of one question when
// questionID is set, without their data.
func (s *Store) AnswerFiles(ctx context.Context, scope handwash.Scope, orgID, questionID string) ([]handwash.AnswerFile, error) {
	var q query
	q.scoped(scope, "f")
	q.where("f.org_id = ?", orgID)
	if questionID != "" {
		q.where("f.question_id = ?", questionID)
	}
	return list(ctx, s, "list evidence files", func(r scanner) (handwash.AnswerFile, error) {
		var f handwash.AnswerFile
		var at int64
		err := r.Scan(&f.ID, &f.OrgID, &f.QuestionID, &f.Name, &f.ContentType, &f.Size, &f.UploadedBy, &at)
		f.UploadedAt = fromMicros(at)
		return f, err
	}, `SELECT f.id, f.org_id, f.question_id, f.name, f.content_type, length(f.data), f.uploaded_by, f.uploaded_at
		FROM answer_files f`+q.clause()+` ORDER BY f.question_id, f.uploaded_at, f.id`, q.args...)
}

// AnswerFile returns one evidence file with its data.
func (s *Store) AnswerFile(ctx context.Context, scope handwash.Scope, id string) (*handwash.AnswerFile, error) {
	var q query
	q.scoped(scope, "f")
	q.where("f.id = ?", id)
	var f handwash.AnswerFile
	var at int64
	err := s.read.QueryRowContext(ctx, `SELECT f.id, f.org_id, f.question_id, f.name, f.content_type, f.data, f.uploaded_by, f.uploaded_at
		FROM answer_files f`+q.clause(), q.args...).Scan(&f.ID, &f.OrgID, &f.QuestionID, &f.Name, &f.ContentType, &f.Data, &f.UploadedBy, &at)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("evidence file", id)
	}
	if err != nil {
		return nil, s.dbErr("read an evidence file", err)
	}
	f.Size, f.UploadedAt = len(f.Data), fromMicros(at)
	return &f, nil
}

// sqlTime is an optional time argument.
type sqlTime struct{ t time.Time }

func (t *sqlTime) arg() any {
	if t == nil {
		return nil
	}
	return micros(t.t)
}

const staffColumns = `m.id, m.org_id, m.name, m.email, m.role, m.started_on, m.left_on, m.updated_at`

func scanStaff(r scanner) (*handwash.StaffMember, error) {
	var m handwash.StaffMember
	var started, left sql.NullInt64
	var updated int64
	if err := r.Scan(&m.ID, &m.OrgID, &m.Name, &m.Email, &m.Role, &started, &left, &updated); err != nil {
		return nil, err
	}
	m.StartedOn, m.LeftOn, m.UpdatedAt = optTime(started), optTime(left), fromMicros(updated)
	return &m, nil
}

// checkStaff checks one person before storing.
func checkStaff(m *handwash.StaffMember) error {
	m.Name, m.Email = strings.TrimSpace(m.Name), strings.ToLower(strings.TrimSpace(m.Email))
	switch {
	case m.Name == "" || utf8.RuneCountInString(m.Name) > 200:
		return invalid("name: give the person's name, 1 to 200 characters")
	case utf8.RuneCountInString(m.Email) > 254 || utf8.RuneCountInString(m.Role) > 200:
		return invalid("email or role is too long")
	case m.StartedOn != nil && m.LeftOn != nil && m.LeftOn.Before(*m.StartedOn):
		return invalid("left_on: the leaving date is before the start date")
	}
	return nil
}

// upsertStaff updates the person with m's ID, or adds m.
func (s *Store) upsertStaff(ctx context.Context, tx *sql.Tx, providerID string, m *handwash.StaffMember) error {
	if m.ID != "" {
		res, err := tx.ExecContext(ctx, `UPDATE staff SET name = $3, email = $4, role = $5, started_on = $6, left_on = $7, updated_at = $8
			WHERE id = $1 AND org_id = $2`, m.ID, m.OrgID, m.Name, m.Email, m.Role, optMicros(m.StartedOn), optMicros(m.LeftOn), micros(m.UpdatedAt))
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return notFound("member of staff", m.ID)
		}
		return nil
	}
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM staff WHERE org_id = $1`, m.OrgID).Scan(&n); err != nil {
		return err
	}
	if n >= maxStaff {
		return invalid("the staff register already has %d people, the most kept", n)
	}
	m.ID = handwash.NewID("stf")
	_, err := tx.ExecContext(ctx, `INSERT INTO staff (id, provider_id, org_id, name, email, role, started_on, left_on, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
		m.ID, providerID, m.OrgID, m.Name, m.Email, m.Role, optMicros(m.StartedOn), optMicros(m.LeftOn), micros(m.UpdatedAt))
	return err
}

// ReplaceStaff stores an import of the staff register, all or nothing:
// people matched by email, or by name when either has no email, are
// updated; the rest are added; nobody is removed. The people's IDs are set.
func (s *Store) ReplaceStaff(ctx context.Context, scope handwash.Scope, orgID string, staff []handwash.StaffMember,
	training func(stored []*handwash.StaffMember) ([]handwash.TrainingRecord, error)) error {
	if len(staff) > maxStaff {
		return invalid("the import has %d people: at most %d are kept", len(staff), maxStaff)
	}
	now := s.nowOr(time.Time{})
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if err := s.orgInScope(ctx, tx, scope, orgID); err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx, `SELECT `+staffColumns+` FROM staff m WHERE m.org_id = $1`, orgID)
		if err != nil {
			return err
		}
		have, err := scanAll(s, rows, "list staff", scanStaff)
		if err != nil {
			return err
		}
		byEmail, byName := map[string]string{}, map[string]string{}
		for _, m := range have {
			if m.Email != "" {
				byEmail[m.Email] = m.ID
			}
			byName[strings.ToLower(m.Name)] = m.ID
		}
		for i := range staff {
			m := &staff[i]
			m.OrgID, m.UpdatedAt, m.ID = orgID, now, ""
			if err := checkStaff(m); err != nil {
				return handwash.Errorf(handwash.EINVALID, "person %d (%s): %s", i+1, m.Name, handwash.ErrorMessage(err))
			}
			if id, ok := byEmail[m.Email]; ok && m.Email != "" {
				m.ID = id
			} else if id, ok := byName[strings.ToLower(m.Name)]; ok {
				m.ID = id
			}
			if err := s.upsertStaff(ctx, tx, scope.ProviderID, m); err != nil {
				return err
			}
			if m.Email != "" {
				byEmail[m.Email] = m.ID
			}
			byName[strings.ToLower(m.Name)] = m.ID
		}
		if training == nil {
			return nil
		}
		rows, err = tx.QueryContext(ctx, `SELECT `+staffColumns+` FROM staff m WHERE m.org_id = $1 ORDER BY m.name, m.id`, orgID)
		if err != nil {
			return err
		}
		stored, err := scanAll(s, rows, "list staff", scanStaff)
		if err != nil {
			return err
		}
		records, err := training(stored)
		if err != nil {
			return err
		}
		return s.addTraining(ctx, tx, orgID, records, now)
	})
	return s.dbErr("import the staff register", err)
}

// PutStaffMember adds or updates one person.
func (s *Store) PutStaffMember(ctx context.Context, scope handwash.Scope, m *handwash.StaffMember) error {
	if err := checkStaff(m); err != nil {
		return err
	}
	m.UpdatedAt = s.nowOr(time.Time{})
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if err := s.orgInScope(ctx, tx, scope, m.OrgID); err != nil {
			return err
		}
		return s.upsertStaff(ctx, tx, scope.ProviderID, m)
	})
	return s.dbErr("store a member of staff", err)
}

// Staff lists an organisation's staff register by name.
func (s *Store) Staff(ctx context.Context, scope handwash.Scope, orgID string) ([]*handwash.StaffMember, error) {
	if err := s.orgInScope(ctx, s.read, scope, orgID); err != nil {
		return nil, err
	}
	return list(ctx, s, "list staff", scanStaff, `SELECT `+staffColumns+` FROM staff m WHERE m.org_id = $1 ORDER BY m.name, m.id`, orgID)
}

// AddTraining records completions, all or nothing; each names a member
// of staff of the organisation.
func (s *Store) AddTraining(ctx context.Context, scope handwash.Scope, orgID string, records []handwash.TrainingRecord) error {
	now := s.nowOr(time.Time{})
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if err := s.orgInScope(ctx, tx, scope, orgID); err != nil {
			return err
		}
		return s.addTraining(ctx, tx, orgID, records, now)
	})
	return s.dbErr("record training", err)
}

// addTraining checks and inserts records in tx.
func (s *Store) addTraining(ctx context.Context, tx *sql.Tx, orgID string, records []handwash.TrainingRecord, now time.Time) error {
	for i := range records {
		r := &records[i]
		switch {
		case strings.TrimSpace(r.Course) == "" || utf8.RuneCountInString(r.Course) > 200:
			return invalid("training %d: course: name the training, 1 to 200 characters", i+1)
		case r.CompletedOn.IsZero():
			return invalid("training %d: completed_on: give the date it was completed", i+1)
		case r.Source != handwash.TrainingByHand && r.Source != handwash.TrainingImport && r.Source != handwash.TrainingQuiz:
			return invalid("training %d: source %q is not manual, import or quiz", i+1, r.Source)
		case utf8.RuneCountInString(r.Evidence) > 500:
			return invalid("training %d: evidence is too long", i+1)
		}
		var one int
		err := tx.QueryRowContext(ctx, `SELECT 1 FROM staff WHERE id = $1 AND org_id = $2`, r.StaffID, orgID).Scan(&one)
		if errors.Is(err, sql.ErrNoRows) {
			return notFound("member of staff", r.StaffID)
		}
		if err != nil {
			return err
		}
		r.ID, r.OrgID, r.CreatedAt = handwash.NewID("trn"), orgID, now
		if _, err := tx.ExecContext(ctx, `INSERT INTO training (id, org_id, staff_id, course, completed_on, source, evidence, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
			r.ID, orgID, r.StaffID, strings.TrimSpace(r.Course), micros(r.CompletedOn), r.Source, r.Evidence, micros(now)); err != nil {
			return err
		}
	}
	return nil
}

// Training lists an organisation's training records, newest first.
func (s *Store) Training(ctx context.Context, scope handwash.Scope, orgID string) ([]handwash.TrainingRecord, error) {
	if err := s.orgInScope(ctx, s.read, scope, orgID); err != nil {
		return nil, err
	}
	return list(ctx, s, "list training", func(r scanner) (handwash.TrainingRecord, error) {
		var t handwash.TrainingRecord
		var done, created int64
		err := r.Scan(&t.ID, &t.OrgID, &t.StaffID, &t.Course, &done, &t.Source, &t.Evidence, &created)
		t.CompletedOn, t.CreatedAt = fromMicros(done), fromMicros(created)
		return t, err
	}, `SELECT id, org_id, staff_id, course, completed_on, source, evidence, created_at FROM training WHERE org_id = $1
		ORDER BY completed_on DESC, id`, orgID)
}

// PutIncident adds or updates an entry of the incident log (by ID when
// set). Package incident validates it first.
func (s *Store) PutIncident(ctx context.Context, scope handwash.Scope, in *handwash.Incident) error {
	if strings.TrimSpace(in.Title) == "" || in.OccurredAt.IsZero() {
		return invalid("an incident needs a title and when it happened")
	}
	now := s.nowOr(time.Time{})
	if in.CreatedAt.IsZero() {
		in.CreatedAt = now
	}
	in.UpdatedAt = now
	return s.putBody(ctx, scope, bodyRow{
		what: "incident", table: "incidents", prefix: "inc", id: &in.ID, orgID: in.OrgID, limit: maxIncidentBody,
		body:       func() any { return in },
		insertCols: "occurred_at, closed_on, created_at, updated_at",
		insertArgs: []any{micros(in.OccurredAt), optMicros(in.ClosedOn), micros(in.CreatedAt), micros(now)},
		update:     "occurred_at = $4, closed_on = $5, updated_at = $6",
		updateArgs: []any{micros(in.OccurredAt), optMicros(in.ClosedOn), micros(now)},
	})
}

// PutExerciseRun adds or updates a tabletop exercise run (by ID when set).
func (s *Store) PutExerciseRun(ctx context.Context, scope handwash.Scope, r *handwash.ExerciseRun) error {
	if r.ScenarioID == "" || r.StartedAt.IsZero() {
		return invalid("an exercise run needs its scenario and start time")
	}
	return s.putBody(ctx, scope, bodyRow{
		what: "exercise run", table: "exercise_runs", prefix: "exr", id: &r.ID, orgID: r.OrgID, limit: maxRunBody,
		body:       func() any { return r },
		insertCols: "scenario_id, started_at, finished_at",
		insertArgs: []any{r.ScenarioID, micros(r.StartedAt), optMicros(r.FinishedAt)},
		update:     "finished_at = $4, scenario_id = $5",
		updateArgs: []any{optMicros(r.FinishedAt), r.ScenarioID},
	})
}

// bodyRow is a record kept as a JSON body with a few columns beside it.
type bodyRow struct {
	what, table, prefix string
	// id is the record's ID, set here when empty (a new record).
	id    *string
	orgID string
	limit int
	// body is the record to store, read after its ID is set.
	body func() any
	// insertCols and insertArgs are the other columns of a new row;
	// update and updateArgs set them on an existing one, from $4.
	insertCols string
	insertArgs []any
	update     string
	updateArgs []any
}

// putBody inserts or updates a bodyRow of an organisation in scope.
func (s *Store) putBody(ctx context.Context, scope handwash.Scope, row bodyRow) error {
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if err := s.orgInScope(ctx, tx, scope, row.orgID); err != nil {
			return err
		}
		insert := *row.id == ""
		if insert {
			*row.id = handwash.NewID(row.prefix)
		}
		body, err := json.Marshal(row.body())
		if err != nil {
			return err
		}
		if len(body) > row.limit {
			return handwash.Errorf(handwash.ETOOLARGE, "the %s's text is too long: keep it under %d KB", row.what, row.limit>>10)
		}
		if insert {
			cols := strings.Count(row.insertCols, ",") + 1
			marks := make([]string, cols)
			for i := range marks {
				marks[i] = "$" + strconv.Itoa(i+5)
			}
			args := append([]any{*row.id, scope.ProviderID, row.orgID, string(body)}, row.insertArgs...)
			_, err = tx.ExecContext(ctx, `INSERT INTO `+row.table+` (id, provider_id, org_id, body, `+row.insertCols+`)
				VALUES ($1, $2, $3, $4, `+strings.Join(marks, ", ")+`)`, args...)
			return err
		}
		args := append([]any{*row.id, row.orgID, string(body)}, row.updateArgs...)
		res, err := tx.ExecContext(ctx, `UPDATE `+row.table+` SET body = $3, `+row.update+` WHERE id = $1 AND org_id = $2`, args...)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return notFound(row.what, *row.id)
		}
		return nil
	})
	return s.dbErr("store "+row.what, err)
}

func scanBody[T any](r scanner) (*T, error) {
	var body string
	if err := r.Scan(&body); err != nil {
		return nil, err
	}
	v := new(T)
	return v, json.Unmarshal([]byte(body), v)
}

// Incidents lists an organisation's incident log, newest first.
func (s *Store) Incidents(ctx context.Context, scope handwash.Scope, orgID string) ([]*handwash.Incident, error) {
	if err := s.orgInScope(ctx, s.read, scope, orgID); err != nil {
		return nil, err
	}
	return list(ctx, s, "list incidents", scanBody[handwash.Incident],
		`SELECT body FROM incidents WHERE org_id = $1 ORDER BY occurred_at DESC, id`, orgID)
}

// Incident returns one entry of the log in scope.
func (s *Store) Incident(ctx context.Context, scope handwash.Scope, id string) (*handwash.Incident, error) {
	var q query
	q.scoped(scope, "i")
	q.where("i.id = ?", id)
	in, err := scanBody[handwash.Incident](s.read.QueryRowContext(ctx, `SELECT i.body FROM incidents i`+q.clause(), q.args...))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("incident", id)
	}
	return in, s.dbErr("read an incident", err)
}

// ExerciseRuns lists an organisation's exercise runs, newest first.
func (s *Store) ExerciseRuns(ctx context.Context, scope handwash.Scope, orgID string) ([]*handwash.ExerciseRun, error) {
	if err := s.orgInScope(ctx, s.read, scope, orgID); err != nil {
		return nil, err
	}
	return list(ctx, s, "list exercise runs", scanBody[handwash.ExerciseRun],
		`SELECT body FROM exercise_runs WHERE org_id = $1 ORDER BY started_at DESC, id`, orgID)
}

// ExerciseRun returns one run in scope.
func (s *Store) ExerciseRun(ctx context.Context, scope handwash.Scope, id string) (*handwash.ExerciseRun, error) {
	var q query
	q.scoped(scope, "r")
	q.where("r.id = ?", id)
	r, err := scanBody[handwash.ExerciseRun](s.read.QueryRowContext(ctx, `SELECT r.body FROM exercise_runs r`+q.clause(), q.args...))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("exercise run", id)
	}
	return r, s.dbErr("read an exercise run", err)
}
