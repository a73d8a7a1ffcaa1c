package dashboard

import (
	"bytes"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/handwash/handwash"
	"github.com/handwash/handwash/training"
)

type trainingPage struct {
	Org      *handwash.Org
	Summary  training.Summary
	Finding  handwash.Finding
	Staff    []*handwash.StaffMember
	Target   int
	CanWrite bool
	Form     map[string]string
	// ErrorField is the form field the error is about: "export" for the
	// upload, "person-…" or "record-…" for the two forms.
	Error      string
	ErrorField string
	Done       string
	Today      string
}

// handleTraining shows the staff register's data security training
// against the DSPT's 95%, who is due next, and the register.
func (s *server) handleTraining(w http.ResponseWriter, r *http.Request) {
	o, scope, ok := s.pathOrg(w, r)
	if !ok {
		return
	}
	p, err := s.trainingPage(r, o, scope)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	switch r.URL.Query().Get("done") {
	case "imported":
		p.Done = "The register was imported: people already on it were updated, new people added, and training dates recorded."
	case "added":
		p.Done = "The person was saved."
	case "recorded":
		p.Done = "The training was recorded."
	}
	s.render(w, r, http.StatusOK, "training", "Staff training at "+o.Name, p)
}

func (s *server) trainingPage(r *http.Request, o *handwash.Org, scope handwash.Scope) (trainingPage, error) {
	p := trainingPage{Org: o, Target: training.Target, CanWrite: visitorOf(r).principal().CanWrite(), Form: map[string]string{},
		Today: s.now().Format(time.DateOnly)}
	staff, err := s.store.Staff(r.Context(), scope, o.ID)
	if err != nil {
		return p, err
	}
	records, err := s.store.Training(r.Context(), scope, o.ID)
	if err != nil {
		return p, err
	}
	p.Staff, p.Summary = staff, training.Status(staff, records, s.now())
	p.Finding = p.Summary.Finding()
	return p, nil
}

// trainingFormError shows the page again with the problem named, or the
// error page for anything but bad input.
func (s *server) trainingFormError(w http.ResponseWriter, r *http.Request, o *handwash.Org, scope handwash.Scope, err error, field string, form map[string]string) {
	s.formProblem(w, r, err, "training", "Staff training at "+o.Name, func() (any, error) {
		p, perr := s.trainingPage(r, o, scope)
		p.Error, p.ErrorField = handwash.ErrorMessage(err), field
		if form != nil {
			p.Form = form
		}
		return p, perr
	}, handwash.ENOTFOUND)
}

// writer checks the visitor may change the organisation's records.
func (s *server) writer(w http.ResponseWriter, r *http.Request) (*handwash.Org, handwash.Scope, *visitor, bool) {
	o, scope, ok := s.pathOrg(w, r)
	if !ok {
		return nil, scope, nil, false
	}
	v := visitorOf(r)
	if !v.principal().CanWrite() {
		s.fail(w, r, errReadOnly)
		return nil, scope, nil, false
	}
	return o, scope, v, true
}

// handleStaffImport imports the staff register and its training dates
// from a CSV file, all or nothing.
func (s *server) handleStaffImport(w http.ResponseWriter, r *http.Request) {
	o, scope, v, ok := s.writer(w, r)
	if !ok {
		return
	}
	raw, err := uploadedCSV(r)
	var staff []handwash.StaffMember
	var records []handwash.TrainingRecord
	if err == nil {
		staff, records, err = training.Parse(bytes.NewReader(raw), o.ID)
	}
	if err == nil {
		err = s.store.ReplaceStaff(r.Context(), scope, o.ID, staff, func(stored []*handwash.StaffMember) ([]handwash.TrainingRecord, error) {
			return training.Link(records, stored)
		})
	}
	if err != nil {
		s.trainingFormError(w, r, o, scope, fmt.Errorf("%w", handwash.Errorf(handwash.ErrorCode(err), "Register file: %s", handwash.ErrorMessage(err))), "export", nil)
		return
	}
	s.auditAction(r, v, o.ID, "staff.import", o.ID, fmt.Sprintf("imported %d people and %d training records", len(staff), len(records)))
	http.Redirect(w, r, "/orgs/"+url.PathEscape(o.ID)+"/training?done=imported", http.StatusSeeOther)
}

// personFields are the fields of the form that adds a person.
var personFields = []string{training.FieldName, training.FieldEmail, training.FieldRole, training.FieldStartedOn, training.FieldLeftOn}

// handleStaffAdd adds a person to the register, or updates one (by ID).
func (s *server) handleStaffAdd(w http.ResponseWriter, r *http.Request) {
	o, scope, v, ok := s.writer(w, r)
	if !ok {
		return
	}
	form := map[string]string{}
	for _, f := range personFields {
		form[f] = strings.TrimSpace(r.PostFormValue(f))
	}
	m, err := training.ParseByHand(form)
	if err == nil {
		m.OrgID, m.ID = o.ID, r.PostFormValue("id")
		err = s.store.PutStaffMember(r.Context(), scope, &m)
	}
	if err != nil {
		s.trainingFormError(w, r, o, scope, err, "person-"+fieldNamed(err, personFields, training.FieldName), form)
		return
	}
	s.auditAction(r, v, o.ID, "staff.save", m.ID, "saved "+m.Name+" on the staff register")
	http.Redirect(w, r, "/orgs/"+url.PathEscape(o.ID)+"/training?done=added", http.StatusSeeOther)
}

// handleTrainingRecord records one completion for one person.
func (s *server) handleTrainingRecord(w http.ResponseWriter, r *http.Request) {
	o, scope, v, ok := s.writer(w, r)
	if !ok {
		return
	}
	form := map[string]string{"staff": r.PostFormValue("staff"), "course": strings.TrimSpace(r.PostFormValue("course")),
		"completed_on": strings.TrimSpace(r.PostFormValue("completed_on")), "evidence": strings.TrimSpace(r.PostFormValue("evidence"))}
	field, err := "record-completed_on", error(nil)
	done, perr := time.Parse(time.DateOnly, form["completed_on"])
	switch {
	case form["staff"] == "":
		field, err = "record-staff", handwash.Errorf(handwash.EINVALID, "Person: choose who completed the training.")
	case form["course"] == "":
		field, err = "record-course", handwash.Errorf(handwash.EINVALID, "Course: name the training, such as Data Security Awareness Level 1.")
	case perr != nil:
		err = handwash.Errorf(handwash.EINVALID, "Completed on: give the date, such as %s.", s.now().Format(time.DateOnly))
	case done.After(s.now()):
		err = handwash.Errorf(handwash.EINVALID, "Completed on: %s is in the future.", form["completed_on"])
	}
	if err == nil {
		err = s.store.AddTraining(r.Context(), scope, o.ID, []handwash.TrainingRecord{{StaffID: form["staff"], Course: form["course"],
			CompletedOn: done, Source: handwash.TrainingByHand, Evidence: form["evidence"]}})
		if handwash.ErrorCode(err) == handwash.ENOTFOUND {
			field, err = "record-staff", handwash.Errorf(handwash.EINVALID, "Person: choose someone on the register.")
		}
	}
	if err != nil {
		s.trainingFormError(w, r, o, scope, err, field, form)
		return
	}
	s.auditAction(r, v, o.ID, "training.record", form["staff"], "recorded "+form["course"]+" completed on "+form["completed_on"])
	http.Redirect(w, r, "/orgs/"+url.PathEscape(o.ID)+"/training?done=recorded", http.StatusSeeOther)
}
