package dashboard

import (
	"net/http"
	"net/url"
	"time"

	"github.com/handwash/handwash"
	"github.com/handwash/handwash/incident"
)

// incidentFields are the fields of the incident form.
var incidentFields = []string{incident.FieldNearMiss, incident.FieldTitle, incident.FieldWhat, incident.FieldOccurredAt,
	incident.FieldDiscoveredAt, incident.FieldReportedBy, incident.FieldPersonalData, incident.FieldFraud, incident.FieldActions,
	incident.FieldReferences, incident.FieldICOReportedOn, incident.FieldDSPTReportedOn, incident.FieldActionFraudReportedOn,
	incident.FieldClosedOn, incident.FieldLessons}

type incidentRow struct {
	In      *handwash.Incident
	Overdue bool
	Due     []incident.Duty
}

type incidentsPage struct {
	Org       *handwash.Org
	Incidents []incidentRow
	Findings  []handwash.Finding
	CanWrite  bool
	Done      string
}

// handleIncidents lists the incident and near-miss log with what each
// still needs reporting.
func (s *server) handleIncidents(w http.ResponseWriter, r *http.Request) {
	o, scope, ok := s.pathOrg(w, r)
	if !ok {
		return
	}
	list, err := s.store.Incidents(r.Context(), scope, o.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	now := s.now()
	p := incidentsPage{Org: o, CanWrite: visitorOf(r).principal().CanWrite(), Findings: incident.Findings(list, now)}
	for _, in := range list {
		row := incidentRow{In: in}
		for _, d := range incident.Duties(*in, now) {
			if d.Required && !d.Done {
				row.Due = append(row.Due, d)
				row.Overdue = row.Overdue || d.Overdue
			}
		}
		p.Incidents = append(p.Incidents, row)
	}
	if r.URL.Query().Get("done") == "saved" {
		p.Done = "The incident was saved."
	}
	s.render(w, r, http.StatusOK, "incidents", "Incidents and near misses at "+o.Name, p)
}

type incidentPage struct {
	Org      *handwash.Org
	In       *handwash.Incident
	Duties   []incident.Duty
	Form     map[string]string
	CanWrite bool
	Error    string
	// ErrorField is the form field the error is about.
	ErrorField string
	Now        string
	Done       string
}

// ukTime is how the form shows times: UK time, as people read clocks.
var ukTime = handwash.UKTime

// incidentForm is an incident as its form shows it.
func incidentForm(in *handwash.Incident) map[string]string {
	yes := func(b bool) string {
		if b {
			return "yes"
		}
		return "no"
	}
	moment := func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.In(ukTime).Format("2006-01-02T15:04")
	}
	date := func(t *time.Time) string {
		if t == nil {
			return ""
		}
		return t.UTC().Format(time.DateOnly)
	}
	return map[string]string{
		incident.FieldNearMiss: yes(in.NearMiss), incident.FieldTitle: in.Title, incident.FieldWhat: in.What,
		incident.FieldOccurredAt: moment(in.OccurredAt), incident.FieldDiscoveredAt: moment(in.DiscoveredAt),
		incident.FieldReportedBy: in.ReportedBy, incident.FieldPersonalData: yes(in.PersonalData), incident.FieldFraud: yes(in.Fraud),
		incident.FieldActions: in.Actions, incident.FieldReferences: in.References, incident.FieldICOReportedOn: date(in.ICOReportedOn),
		incident.FieldDSPTReportedOn: date(in.DSPTReportedOn), incident.FieldActionFraudReportedOn: date(in.ActionFraudReportedOn),
		incident.FieldClosedOn: date(in.ClosedOn), incident.FieldLessons: in.Lessons,
	}
}

// handleIncidentNew shows the empty form.
func (s *server) handleIncidentNew(w http.ResponseWriter, r *http.Request) {
	o, _, ok := s.pathOrg(w, r)
	if !ok {
		return
	}
	now := s.now().In(ukTime).Format("2006-01-02T15:04")
	form := map[string]string{incident.FieldOccurredAt: now, incident.FieldDiscoveredAt: now, incident.FieldReportedBy: visitorOf(r).user.Name}
	s.render(w, r, http.StatusOK, "incident", "Record an incident or near miss", incidentPage{Org: o, Form: form,
		CanWrite: visitorOf(r).principal().CanWrite(), Now: now})
}

// handleIncident shows one incident with its reporting duties and the
// form to update it.
func (s *server) handleIncident(w http.ResponseWriter, r *http.Request) {
	in, o, ok := s.pathIncident(w, r)
	if !ok {
		return
	}
	p := incidentPage{Org: o, In: in, Duties: incident.Duties(*in, s.now()), Form: incidentForm(in),
		CanWrite: visitorOf(r).principal().CanWrite(), Now: s.now().In(ukTime).Format("2006-01-02T15:04")}
	if r.URL.Query().Get("done") == "saved" {
		p.Done = "The incident was saved. Check what must be reported, and by when, below."
	}
	s.render(w, r, http.StatusOK, "incident", in.Title, p)
}

func (s *server) pathIncident(w http.ResponseWriter, r *http.Request) (*handwash.Incident, *handwash.Org, bool) {
	scope := visitorOf(r).principal().Scope
	in, err := s.store.Incident(r.Context(), scope, r.PathValue("id"))
	if err == nil {
		var o *handwash.Org
		if o, err = s.store.Org(r.Context(), scope, in.OrgID); err == nil {
			return in, o, true
		}
	}
	s.fail(w, r, err)
	return nil, nil, false
}

// handleIncidentSave records a new incident (POST /orgs/{org}/incidents)
// or updates one (POST /incidents/{id}).
func (s *server) handleIncidentSave(w http.ResponseWriter, r *http.Request) {
	v := visitorOf(r)
	pr := v.principal()
	var o *handwash.Org
	var old *handwash.Incident
	if r.PathValue("id") != "" {
		var ok bool
		if old, o, ok = s.pathIncident(w, r); !ok {
			return
		}
	} else {
		var ok bool
		if o, _, ok = s.pathOrg(w, r); !ok {
			return
		}
	}
	if !pr.CanWrite() {
		s.fail(w, r, errReadOnly)
		return
	}
	form := map[string]string{}
	for _, f := range incidentFields {
		form[f] = r.PostFormValue(f)
	}
	now := s.now()
	in, err := incident.ParseForm(form, now)
	if err == nil {
		in.OrgID = o.ID
		if old != nil {
			in.ID, in.CreatedAt, in.CreatedBy = old.ID, old.CreatedAt, old.CreatedBy
		} else {
			in.CreatedBy = v.user.Name
		}
		err = s.store.PutIncident(r.Context(), pr.Scope, &in)
	}
	if err != nil {
		s.formProblem(w, r, err, "incident", "Record an incident or near miss", func() (any, error) {
			p := incidentPage{Org: o, In: old, Form: form, CanWrite: true, Error: handwash.ErrorMessage(err),
				ErrorField: fieldNamed(err, incidentFields, incident.FieldTitle), Now: now.In(ukTime).Format("2006-01-02T15:04")}
			if old != nil {
				p.Duties = incident.Duties(*old, now)
			}
			return p, nil
		})
		return
	}
	action := "incident.create"
	if old != nil {
		action = "incident.update"
	}
	s.auditAction(r, v, o.ID, action, in.ID, in.Title)
	http.Redirect(w, r, "/incidents/"+url.PathEscape(in.ID)+"?done=saved", http.StatusSeeOther)
}
