package dashboard

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/handwash/handwash"
)

// pingsShown is how many reports a backup job's page lists.
const pingsShown = 100

// backupRow is a job as lists show it.
type backupRow struct {
	*handwash.BackupJob
	State   string
	Finding handwash.Finding
}

type backupsPage struct {
	Org      *handwash.Org
	Jobs     []backupRow
	Failing  int
	CanWrite bool
	Form     backupForm
}

// backupForm is the form that adds a job, as typed.
type backupForm struct {
	Name, EveryHours, GraceHours string
	Error, ErrorField            string
}

// handleBackups lists an organisation's backup jobs with where each stands.
// Anyone in scope may look; administrators add jobs.
func (s *server) handleBackups(w http.ResponseWriter, r *http.Request) {
	o, scope, ok := s.pathOrg(w, r)
	if !ok {
		return
	}
	p, err := s.backupsPage(r, o, scope)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p.Form = backupForm{EveryHours: "24", GraceHours: "2"}
	s.render(w, r, http.StatusOK, "backups", "Backups of "+o.Name, p)
}

func (s *server) backupsPage(r *http.Request, o *handwash.Org, scope handwash.Scope) (backupsPage, error) {
	jobs, err := s.store.BackupJobs(r.Context(), scope, o.ID)
	p := backupsPage{Org: o, CanWrite: visitorOf(r).principal().CanWrite()}
	now := s.now()
	for _, j := range jobs {
		row := backupRow{BackupJob: j, State: j.State(now), Finding: j.Finding(now)}
		if row.Finding.Status == handwash.StatusFail {
			p.Failing++
		}
		p.Jobs = append(p.Jobs, row)
	}
	return p, err
}

// handleBackupCreate adds a job and shows its address, once.
func (s *server) handleBackupCreate(w http.ResponseWriter, r *http.Request) {
	o, scope, ok := s.pathOrg(w, r)
	if !ok {
		return
	}
	v := visitorOf(r)
	if !v.principal().CanWrite() {
		s.fail(w, r, errReadOnly)
		return
	}
	form := backupForm{Name: strings.TrimSpace(r.PostFormValue("name")), EveryHours: strings.TrimSpace(r.PostFormValue("every_hours")),
		GraceHours: strings.TrimSpace(r.PostFormValue("grace_hours"))}
	every, eerr := strconv.Atoi(form.EveryHours)
	grace, gerr := strconv.Atoi(form.GraceHours)
	secret := handwash.NewSecret()
	j := &handwash.BackupJob{OrgID: o.ID, Name: form.Name, Every: time.Duration(every) * time.Hour, Grace: time.Duration(grace) * time.Hour,
		SecretHash: handwash.HashSecret(secret)}
	switch {
	case form.Name == "" || len([]rune(form.Name)) > 100:
		form.ErrorField, form.Error = "backup-name", "Name: give the backup a name of up to 100 characters, such as “Nightly NAS backup”."
	case eerr != nil || every < 1 || every > 744:
		form.ErrorField, form.Error = "backup-every", "Runs every: give a whole number of hours from 1 to 744 (31 days), such as 24 for a daily backup."
	case gerr != nil || grace < 0 || grace > every:
		form.ErrorField, form.Error = "backup-grace", "May be late by: give a whole number of hours from 0 up to how often it runs."
	default:
		if err := s.store.CreateBackupJob(r.Context(), scope, j); err != nil {
			if handwash.ErrorCode(err) != handwash.EINVALID {
				s.fail(w, r, err)
				return
			}
			form.ErrorField, form.Error = "backup-name", handwash.ErrorMessage(err)
		}
	}
	if form.Error != "" {
		p, err := s.backupsPage(r, o, scope)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		p.Form = form
		s.render(w, r, http.StatusBadRequest, "backups", "Backups of "+o.Name, p)
		return
	}
	s.auditAction(r, v, o.ID, "backup_job.create", j.ID, fmt.Sprintf("added the backup job %q, every %s", j.Name, handwash.DurationWords(j.Every)))
	p, err := s.backupJobPage(r, j)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p.Address = s.serverURL(r) + "/hb/" + handwash.Credential(handwash.PrefixBackupJob, j.ID, secret)
	s.render(w, r, http.StatusCreated, "backupjob", "Backup job: "+j.Name, p)
}

type backupJobPage struct {
	backupRow
	Org      *handwash.Org
	Pings    []*handwash.BackupPing
	CanWrite bool
	// Address is the job's address, shown once when it is made.
	Address string
}

func (s *server) backupJobPage(r *http.Request, j *handwash.BackupJob) (backupJobPage, error) {
	pr := visitorOf(r).principal()
	now := s.now()
	p := backupJobPage{backupRow: backupRow{BackupJob: j, State: j.State(now), Finding: j.Finding(now)}, CanWrite: pr.CanWrite()}
	var err error
	if p.Org, err = s.store.Org(r.Context(), pr.Scope, j.OrgID); err != nil {
		return p, err
	}
	p.Pings, err = s.store.BackupPings(r.Context(), pr.Scope, j.ID, pingsShown)
	return p, err
}

// handleBackupJob shows one job: where it stands, what to do, and its
// reports.
func (s *server) handleBackupJob(w http.ResponseWriter, r *http.Request) {
	j, err := s.store.BackupJob(r.Context(), visitorOf(r).principal().Scope, r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p, err := s.backupJobPage(r, j)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "backupjob", "Backup job: "+j.Name, p)
}

// handleBackupDelete removes a job and its reports.
func (s *server) handleBackupDelete(w http.ResponseWriter, r *http.Request) {
	v := visitorOf(r)
	pr := v.principal()
	if !pr.CanWrite() {
		s.fail(w, r, errReadOnly)
		return
	}
	j, err := s.store.BackupJob(r.Context(), pr.Scope, r.PathValue("id"))
	if err == nil {
		err = s.store.DeleteBackupJob(r.Context(), pr.Scope, j.ID)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.auditAction(r, v, j.OrgID, "backup_job.delete", j.ID, fmt.Sprintf("removed the backup job %q", j.Name))
	http.Redirect(w, r, "/orgs/"+url.PathEscape(j.OrgID)+"/backups", http.StatusSeeOther)
}

// backupState says a job's state in plain words.
func backupState(state string) string {
	switch state {
	case handwash.BackupOK:
		return "working"
	case handwash.BackupFailed:
		return "FAILED"
	case handwash.BackupOverdue:
		return "OVERDUE"
	}
	return "waiting for its first report"
}
