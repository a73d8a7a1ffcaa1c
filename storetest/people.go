package storetest

import (
	"bytes"
	"testing"
	"time"

	"github.com/handwash/handwash"
)

func testAnswers(t *testing.T, s handwash.Store) {
	w := newWorld(t, s)
	a := &handwash.Answer{OrgID: w.orgA1.ID, QuestionID: "backup.offline-copy", Value: handwash.AnswerPartly, Note: "USB drive, not always unplugged",
		Owner: "Registered manager", AnsweredBy: "usr-1", AnsweredAt: t0, ReviewBy: t0.AddDate(0, 6, 0)}
	must(t, s.PutAnswer(w.ctx, w.a1, a))
	a2 := *a
	a2.Value, a2.Note, a2.ReviewBy = handwash.AnswerYes, "Unplugged every night", time.Time{}
	must(t, s.PutAnswer(w.ctx, w.a, &a2))
	must(t, s.AddAnswerFile(w.ctx, w.a1, &handwash.AnswerFile{OrgID: w.orgA1.ID, QuestionID: "backup.offline-copy", Name: "rota.pdf", ContentType: "application/pdf", Data: []byte("%PDF-1.4 test")}))
	got, err := s.Answers(w.ctx, w.a, w.orgA1.ID)
	must(t, err)
	if len(got) != 1 || got[0].Value != handwash.AnswerYes || got[0].Note != "Unplugged every night" || !got[0].ReviewBy.IsZero() ||
		!got[0].AnsweredAt.Equal(norm(t0)) || len(got[0].Attachments) != 1 || got[0].Attachments[0] != "rota.pdf" {
		t.Fatalf("Answers = %+v", got)
	}
	files, err := s.AnswerFiles(w.ctx, w.a1, w.orgA1.ID, "backup.offline-copy")
	must(t, err)
	if len(files) != 1 || files[0].Size != 13 || files[0].Data != nil {
		t.Fatalf("AnswerFiles = %+v", files)
	}
	f, err := s.AnswerFile(w.ctx, w.a1, files[0].ID)
	must(t, err)
	if !bytes.Equal(f.Data, []byte("%PDF-1.4 test")) || f.Name != "rota.pdf" {
		t.Errorf("AnswerFile = %+v", f)
	}
	wantCode(t, "PutAnswer with a bad value", s.PutAnswer(w.ctx, w.a, &handwash.Answer{OrgID: w.orgA1.ID, QuestionID: "x.y", Value: "maybe"}), handwash.EINVALID)
	wantCode(t, "AddAnswerFile too large", s.AddAnswerFile(w.ctx, w.a, &handwash.AnswerFile{OrgID: w.orgA1.ID, QuestionID: "x.y", Name: "big", Data: make([]byte, handwash.MaxAnswerFile+1)}), handwash.ETOOLARGE)
	wantCode(t, "AddAnswerFile with a folder", s.AddAnswerFile(w.ctx, w.a, &handwash.AnswerFile{OrgID: w.orgA1.ID, QuestionID: "x.y", Name: "../etc/passwd", Data: []byte("x")}), handwash.EINVALID)
	_, err = s.Answers(w.ctx, w.a2, w.orgA1.ID)
	wantCode(t, "Answers from another organisation", err, handwash.ENOTFOUND)
	_, err = s.AnswerFile(w.ctx, w.a2, files[0].ID)
	wantCode(t, "AnswerFile from another organisation", err, handwash.ENOTFOUND)
	wantCode(t, "PutAnswer from another provider", s.PutAnswer(w.ctx, w.b, &handwash.Answer{OrgID: w.orgA1.ID, QuestionID: "x.y", Value: "yes"}), handwash.ENOTFOUND)
}

func testStaffAndTraining(t *testing.T, s handwash.Store) {
	w := newWorld(t, s)
	started := t0.AddDate(-2, 0, 0)
	staff := []handwash.StaffMember{
		{Name: "Ann Lee", Email: "Ann@Rose.example", Role: "Senior carer", StartedOn: &started},
		{Name: "Bo Chan", Role: "Night carer"},
	}
	must(t, s.ReplaceStaff(w.ctx, w.a1, w.orgA1.ID, staff, nil))
	if staff[0].ID == "" || staff[1].ID == "" {
		t.Fatal("ReplaceStaff set no IDs")
	}
	// A second import matches by email, then by name, and removes nobody.
	left := t0
	again := []handwash.StaffMember{{Name: "Ann Lee-Smith", Email: "ann@rose.example", LeftOn: &left}, {Name: "bo chan", Role: "Carer"}, {Name: "Cy Dee"}}
	must(t, s.ReplaceStaff(w.ctx, w.a, w.orgA1.ID, again, nil))
	if again[0].ID != staff[0].ID || again[1].ID != staff[1].ID {
		t.Errorf("the second import did not match: %s %s, want %s %s", again[0].ID, again[1].ID, staff[0].ID, staff[1].ID)
	}
	got, err := s.Staff(w.ctx, w.a, w.orgA1.ID)
	must(t, err)
	if len(got) != 3 || got[0].Name != "Ann Lee-Smith" || got[0].LeftOn == nil || got[0].Email != "ann@rose.example" {
		t.Fatalf("Staff = %+v", got)
	}
	bad := []handwash.StaffMember{{Name: "Dee"}, {Name: ""}}
	wantCode(t, "ReplaceStaff with a nameless person", s.ReplaceStaff(w.ctx, w.a, w.orgA1.ID, bad, nil), handwash.EINVALID)
	// Training that cannot be linked undoes the import of the people.
	newcomers := []handwash.StaffMember{{Name: "New Person"}}
	unlinked := func([]*handwash.StaffMember) ([]handwash.TrainingRecord, error) {
		return []handwash.TrainingRecord{{StaffID: "stf_nobody", Course: "x", CompletedOn: t0, Source: handwash.TrainingImport}}, nil
	}
	wantCode(t, "ReplaceStaff with training for nobody", s.ReplaceStaff(w.ctx, w.a, w.orgA1.ID, newcomers, unlinked), handwash.ENOTFOUND)
	if got, _ := s.Staff(w.ctx, w.a, w.orgA1.ID); len(got) != 3 {
		t.Errorf("a refused import added people: %d", len(got))
	}
	// People and their training together.
	withTraining := func(stored []*handwash.StaffMember) ([]handwash.TrainingRecord, error) {
		for _, m := range stored {
			if m.Name == "Cy Dee" {
				return []handwash.TrainingRecord{{StaffID: m.ID, Course: "Induction", CompletedOn: t0, Source: handwash.TrainingImport}}, nil
			}
		}
		return nil, nil
	}
	must(t, s.ReplaceStaff(w.ctx, w.a, w.orgA1.ID, []handwash.StaffMember{{Name: "Cy Dee", Role: "Cook"}}, withTraining))
	if tr, _ := s.Training(w.ctx, w.a, w.orgA1.ID); len(tr) != 1 || tr[0].Course != "Induction" {
		t.Fatalf("training imported with the register: %+v", tr)
	}
	one := &handwash.StaffMember{OrgID: w.orgA1.ID, Name: "Eve"}
	must(t, s.PutStaffMember(w.ctx, w.a1, one))
	records := []handwash.TrainingRecord{
		{StaffID: staff[0].ID, Course: "Data Security Awareness", CompletedOn: t0.AddDate(0, -3, 0), Source: handwash.TrainingImport},
		{StaffID: one.ID, Course: "Handwash phishing quiz", CompletedOn: t0, Source: handwash.TrainingQuiz, Evidence: "9 of 10"},
	}
	must(t, s.AddTraining(w.ctx, w.a1, w.orgA1.ID, records))
	tr, err := s.Training(w.ctx, w.a, w.orgA1.ID)
	must(t, err)
	if len(tr) != 3 || tr[0].StaffID != one.ID && tr[1].StaffID != one.ID || tr[2].CompletedOn != norm(t0.AddDate(0, -3, 0)) {
		t.Fatalf("Training = %+v", tr)
	}
	// All or nothing: a record for someone of another organisation fails
	// the whole call.
	other := &handwash.StaffMember{OrgID: w.orgA2.ID, Name: "Zed"}
	must(t, s.PutStaffMember(w.ctx, w.a, other))
	mixed := []handwash.TrainingRecord{
		{StaffID: one.ID, Course: "Refresher", CompletedOn: t0, Source: handwash.TrainingByHand},
		{StaffID: other.ID, Course: "Refresher", CompletedOn: t0, Source: handwash.TrainingByHand},
	}
	wantCode(t, "AddTraining for another organisation's staff", s.AddTraining(w.ctx, w.a, w.orgA1.ID, mixed), handwash.ENOTFOUND)
	if tr, _ := s.Training(w.ctx, w.a, w.orgA1.ID); len(tr) != 3 {
		t.Errorf("a refused call recorded training: %d", len(tr))
	}
	_, err = s.Staff(w.ctx, w.a2, w.orgA1.ID)
	wantCode(t, "Staff from another organisation", err, handwash.ENOTFOUND)
	wantCode(t, "PutStaffMember from another provider", s.PutStaffMember(w.ctx, w.b, &handwash.StaffMember{OrgID: w.orgA1.ID, Name: "x"}), handwash.ENOTFOUND)
}

func testIncidentsAndExercises(t *testing.T, s handwash.Store) {
	w := newWorld(t, s)
	in := &handwash.Incident{OrgID: w.orgA1.ID, Title: "Laptop left on a bus", What: "The night manager's laptop", OccurredAt: t0.Add(-2 * time.Hour),
		DiscoveredAt: t0, PersonalData: true}
	must(t, s.PutIncident(w.ctx, w.a1, in))
	reported := t0.Add(24 * time.Hour)
	in.ICOReportedOn, in.References = &reported, "ICO case 123"
	must(t, s.PutIncident(w.ctx, w.a1, in))
	got, err := s.Incident(w.ctx, w.a, in.ID)
	must(t, err)
	if got.ICOReportedOn == nil || got.References != "ICO case 123" || !got.PersonalData || got.Title != in.Title {
		t.Errorf("Incident = %+v", got)
	}
	list, err := s.Incidents(w.ctx, w.a1, w.orgA1.ID)
	must(t, err)
	if len(list) != 1 {
		t.Errorf("Incidents = %d", len(list))
	}
	_, err = s.Incident(w.ctx, w.a2, in.ID)
	wantCode(t, "Incident from another organisation", err, handwash.ENOTFOUND)
	moved := *in
	moved.OrgID = w.orgA2.ID
	wantCode(t, "PutIncident moving it to another organisation", s.PutIncident(w.ctx, w.a, &moved), handwash.ENOTFOUND)

	run := &handwash.ExerciseRun{OrgID: w.orgA1.ID, ScenarioID: "lost-laptop", Facilitator: "Jo", StartedAt: t0,
		Answers: []handwash.ExerciseAnswer{{Inject: 0, Question: 1, Text: "Ring the IT provider"}}}
	must(t, s.PutExerciseRun(w.ctx, w.a1, run))
	done := t0.Add(time.Hour)
	run.FinishedAt, run.Ratings = &done, []handwash.ExerciseRating{{Inject: 0, Good: 0, Met: "partly"}}
	must(t, s.PutExerciseRun(w.ctx, w.a1, run))
	r, err := s.ExerciseRun(w.ctx, w.a, run.ID)
	must(t, err)
	if r.FinishedAt == nil || len(r.Answers) != 1 || len(r.Ratings) != 1 || r.Ratings[0].Met != "partly" {
		t.Errorf("ExerciseRun = %+v", r)
	}
	runs, err := s.ExerciseRuns(w.ctx, w.a, w.orgA1.ID)
	must(t, err)
	if len(runs) != 1 {
		t.Errorf("ExerciseRuns = %d", len(runs))
	}
	_, err = s.ExerciseRun(w.ctx, w.b, run.ID)
	wantCode(t, "ExerciseRun from another provider", err, handwash.ENOTFOUND)
}
