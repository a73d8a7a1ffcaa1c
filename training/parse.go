package training

import (
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/handwash/handwash"
	"github.com/handwash/handwash/internal/csvtable"
)

// The limits of one import. A care provider's register has tens or
// hundreds of people, a group's a few thousand; the limits stop a wrong or
// hostile file from using up the server's memory.
const (
	MaxBytes = 5 << 20 // 5 MiB
	MaxRows  = 20_000
)

var limits = csvtable.Limits{MaxBytes: MaxBytes, MaxRows: MaxRows}

// DefaultCourse names the training of a record whose file does not say
// which course it was.
const DefaultCourse = "Data security training"

// ImportEvidence is what an imported training record says shows it.
const ImportEvidence = "Staff register import"

// The names accepted for each column (compared as csvtable.Key does: case,
// spaces and punctuation do not matter), the first found being used.
var (
	nameCols  = []string{"Name", "Staff name", "Full name", "Employee name", "Employee", "Staff member", "Member of staff", "Colleague", "Colleague name", "Person", "Staff full name"}
	firstCols = []string{"First name", "Forename", "Forenames", "Given name", "First names"}
	lastCols  = []string{"Last name", "Surname", "Family name"}
	emailCols = []string{"Email", "Email address", "E-mail", "E-mail address", "Work email", "Work email address", "Staff email", "Business email"}
	roleCols  = []string{"Role", "Job title", "Job role", "Position", "Post", "Job", "Designation", "Occupation", "Role title"}
	startCols = []string{"Start date", "Date started", "Started", "Started on", "Date joined", "Joined", "Joining date", "Date of joining",
		"Employment start date", "Date employed", "Hire date", "Date of hire", "Commencement date", "Date commenced"}
	leftCols = []string{"Leaving date", "Date left", "Left", "Left on", "Leaver date", "Date of leaving", "End date",
		"Employment end date", "Termination date", "Finish date", "Date finished"}
	// trainedCols hold a completion date and say nothing of the course.
	trainedCols = []string{"Training completed", "Training date", "Date trained", "Last trained", "Last training date", "Last training",
		"Training completed on", "Date of training", "Training completion date", "Completed", "Completed on", "Date completed",
		"Completion date", "Last completed"}
	// courseDateCols hold a completion date and are named after the
	// course, which the name gives.
	courseDateCols = []string{"Data security training", "Data security training date", "Data security training completed",
		"Data security awareness", "Data security awareness level 1", "Data security awareness training",
		"Data security and protection training", "Data protection training", "Information governance training",
		"Information governance", "IG training", "GDPR training", "Cyber security training", "Cyber security awareness",
		"Cyber training", "DSPT training"}
	courseCols = []string{"Course", "Course name", "Course title", "Training course", "Training name", "Training title", "Module", "Training type"}
)

// noDate holds what registers write in a date cell for "no date".
var noDate = map[string]bool{
	"-": true, "–": true, "—": true, "n/a": true, "na": true, "none": true, "null": true, "never": true,
	"not applicable": true, "current": true,
}

// notTrained holds what registers write in a training date cell for "not
// trained yet".
var notTrained = map[string]bool{
	"not done": true, "not completed": true, "not yet": true, "outstanding": true, "not started": true, "no": true,
}

// clock is the clock Parse checks training dates against.
var clock = time.Now

// Parse reads a staff register (see the package documentation for the
// columns and date forms it accepts) and returns its people, with OrgID
// set, and one training record for each person with a training date, with
// Source handwash.TrainingImport and StaffID holding the person's
// lower-case email, or their name when they have none (see Link). The
// store gives IDs and timestamps.
//
// On any problem it returns nothing and a *handwash.Error whose message
// names the line and the column: EINVALID for a bad file, ETOOLARGE when
// it is over MaxBytes or MaxRows.
func Parse(r io.Reader, orgID string) ([]handwash.StaffMember, []handwash.TrainingRecord, error) {
	t, err := csvtable.Read(r, limits)
	if err != nil {
		return nil, nil, err
	}
	c, err := findCols(t)
	if err != nil {
		return nil, nil, err
	}
	if len(t.Rows) == 0 {
		return nil, nil, handwash.Errorf(handwash.EINVALID, "the file has a header row but nobody in it: add a row for each member of staff, director, trustee and volunteer")
	}
	today := day(clock())
	var (
		staff   []handwash.StaffMember
		records []handwash.TrainingRecord
		byEmail = map[string]int{} // lower-case email -> line
		byName  = map[string]row{}
	)
	for _, r := range t.Rows {
		m, rec, err := readRow(t, c, r, today)
		if err != nil {
			return nil, nil, err
		}
		if m.Email != "" {
			k := strings.ToLower(m.Email)
			if first, dup := byEmail[k]; dup {
				return nil, nil, handwash.Errorf(handwash.EINVALID, "lines %d and %d: the email address %s appears twice: each person needs their own row and their own email address; remove one row or correct the address", first, r.Line, m.Email)
			}
			byEmail[k] = r.Line
		}
		k := nameKey(m.Name)
		if first, dup := byName[k]; dup && (first.email == "" || m.Email == "") {
			return nil, nil, handwash.Errorf(handwash.EINVALID, "lines %d and %d: %s appears twice, and Handwash cannot tell the two apart without an email address: add each person's email address, or remove the row that is there twice", first.line, r.Line, m.Name)
		}
		byName[k] = row{line: r.Line, email: m.Email}
		m.OrgID = orgID
		staff = append(staff, m)
		if rec != nil {
			rec.OrgID = orgID
			records = append(records, *rec)
		}
	}
	return staff, records, nil
}

type row struct {
	line  int
	email string
}

// cols holds the position of each column the file has, or -1.
type cols struct {
	name, first, last, email, role, started, left, trained, course int
	// courseFromHeader is the course the training date column names, or
	// "" when it names none.
	courseFromHeader string
}

func findCols(t *csvtable.Table) (c cols, err error) {
	for _, f := range []struct {
		dst   *int
		names []string
	}{
		{&c.name, nameCols}, {&c.first, firstCols}, {&c.last, lastCols}, {&c.email, emailCols},
		{&c.role, roleCols}, {&c.started, startCols}, {&c.left, leftCols}, {&c.course, courseCols},
	} {
		if *f.dst, err = t.Col(f.names...); err != nil {
			return c, err
		}
	}
	if c.trained, err = t.Col(trainedCols...); err != nil {
		return c, err
	}
	if c.trained < 0 {
		if c.trained, err = t.Col(courseDateCols...); err != nil {
			return c, err
		}
		if c.trained >= 0 {
			c.courseFromHeader = courseName(t.Header[c.trained])
		}
	}
	if c.name < 0 && c.first < 0 && c.last < 0 {
		return c, handwash.Errorf(handwash.EINVALID, "the file has no column for people's names. Its first columns are %s. "+
			"Handwash needs a Name column (or First name and Surname), and reads Email, Role, Start date, Leaving date, Training completed and Course when they are there: "+
			"Handwash reads the column names from the first row, so delete any title rows above them, rename the columns if need be and import the file again", t.ColumnsFound())
	}
	return c, nil
}

// courseName turns the name of a column of training dates into the name of
// its course: "Data security training date" is "Data security training".
func courseName(header string) string {
	s := csvtable.CleanText(header)
	for _, suffix := range []string{" completion date", " date completed", " completed on", " completed", " date"} {
		if n := len(s) - len(suffix); n > 0 && strings.EqualFold(s[n:], suffix) {
			return strings.TrimSpace(s[:n])
		}
	}
	return s
}

func readRow(t *csvtable.Table, c cols, r csvtable.Row, today time.Time) (m handwash.StaffMember, rec *handwash.TrainingRecord, err error) {
	f := func(i int) string {
		if i < 0 {
			return ""
		}
		return r.Fields[i]
	}

	m.Name = csvtable.CleanText(f(c.name))
	if m.Name == "" {
		m.Name = csvtable.CleanText(f(c.first) + " " + f(c.last))
	}
	if m.Name == "" {
		col := c.name
		if col < 0 {
			col = c.first
		}
		if col < 0 {
			col = c.last
		}
		return m, nil, t.EmptyValue(r, col, "every person needs a name; delete the row if it is not a person")
	}
	if strings.Contains(m.Name, "@") {
		col := c.name
		if !strings.Contains(f(c.name), "@") {
			col = c.first
			if !strings.Contains(f(c.first), "@") {
				col = c.last
			}
		}
		return m, nil, t.BadValue(r, col, "a person's name, not an email address: put email addresses in an Email column")
	}

	if v := f(c.email); v != "" && !noDate[strings.ToLower(v)] {
		if !validEmail(v) {
			return m, nil, t.BadValue(r, c.email, "an email address such as jo.bloggs@rosecourtcare.co.uk, or nothing")
		}
		m.Email = v
	}
	m.Role = csvtable.CleanText(f(c.role))

	if m.StartedOn, err = readDate(t, r, c.started, false); err != nil {
		return m, nil, err
	}
	if m.LeftOn, err = readDate(t, r, c.left, false); err != nil {
		return m, nil, err
	}
	if m.StartedOn != nil && m.LeftOn != nil && m.LeftOn.Before(*m.StartedOn) {
		return m, nil, handwash.Errorf(handwash.EINVALID, "line %d: %q is %s, before %q, %s: check both dates (they are read day first)",
			r.Line, csvtable.Clip(t.Header[c.left]), formatDay(*m.LeftOn), csvtable.Clip(t.Header[c.started]), formatDay(*m.StartedOn))
	}

	done, err := readDate(t, r, c.trained, true)
	if err != nil || done == nil {
		return m, nil, err
	}
	if done.After(today.AddDate(0, 0, 1)) {
		return m, nil, handwash.Errorf(handwash.EINVALID, "line %d: %q is %s, which has not come yet: enter the date the training was completed (dates are read day first)",
			r.Line, csvtable.Clip(t.Header[c.trained]), formatDay(*done))
	}
	rec = &handwash.TrainingRecord{
		StaffID:     staffKey(m),
		Course:      csvtable.CleanText(f(c.course)),
		CompletedOn: *done,
		Source:      handwash.TrainingImport,
		Evidence:    ImportEvidence,
	}
	if rec.Course == "" {
		rec.Course = c.courseFromHeader
	}
	if rec.Course == "" {
		rec.Course = DefaultCourse
	}
	return m, rec, nil
}

// readDate reads the date in column col, nil when the column is missing or
// the cell says there is no date.
func readDate(t *csvtable.Table, r csvtable.Row, col int, training bool) (*time.Time, error) {
	if col < 0 {
		return nil, nil
	}
	v := r.Fields[col]
	if k := strings.ToLower(strings.Join(strings.Fields(v), " ")); k == "" || noDate[k] || training && notTrained[k] {
		return nil, nil
	}
	d, problem := parseDate(v)
	if problem == "" && (d.Year() < 1900 || d.Year() > 2100 || training && d.Year() < 1990) {
		problem = "this is not a likely date: check the year"
	}
	if problem != "" {
		return nil, handwash.Errorf(handwash.EINVALID, "line %d: %q is %q: %s", r.Line, csvtable.Clip(t.Header[col]), csvtable.Clip(v), problem)
	}
	return &d, nil
}

// validEmail accepts what looks like one email address: something, one
// @, and a domain with a dot, without spaces.
func validEmail(s string) bool {
	if len(s) > 254 || !utf8.ValidString(s) || strings.ContainsAny(s, " \t,;<>\"()[]\\") || csvtable.CleanText(s) != s {
		return false
	}
	local, domain, ok := strings.Cut(s, "@")
	return ok && local != "" && !strings.Contains(domain, "@") &&
		strings.Contains(domain, ".") && !strings.HasPrefix(domain, ".") && !strings.HasSuffix(domain, ".") && !strings.Contains(domain, "..")
}

// staffKey is what a training record's StaffID holds until Link: the
// person's lower-case email, or their name.
func staffKey(m handwash.StaffMember) string {
	if m.Email != "" {
		return strings.ToLower(m.Email)
	}
	return m.Name
}

// nameKey compares names without regard to case or spacing.
func nameKey(name string) string {
	return strings.ToLower(strings.Join(strings.Fields(name), " "))
}

// Link sets the StaffID of each record Parse returned to the ID of the
// stored person it belongs to, found by the email or name Parse put there:
// a stored person whose email matches (without regard to case), or else
// the only one whose name matches (without regard to case or spacing).
// The store matches imported people the same way, so after it has saved
// Parse's staff, every record finds its person. It returns an EINVALID
// error, and no records, when one does not.
func Link(records []handwash.TrainingRecord, stored []*handwash.StaffMember) ([]handwash.TrainingRecord, error) {
	byEmail := map[string]string{}
	byName := map[string][]string{}
	for _, m := range stored {
		if m == nil {
			continue
		}
		if m.Email != "" {
			byEmail[strings.ToLower(m.Email)] = m.ID
		}
		k := nameKey(m.Name)
		byName[k] = append(byName[k], m.ID)
	}
	out := make([]handwash.TrainingRecord, len(records))
	for i, rec := range records {
		id, ok := byEmail[strings.ToLower(rec.StaffID)]
		if !ok {
			switch ids := byName[nameKey(rec.StaffID)]; len(ids) {
			case 0:
				return nil, handwash.Errorf(handwash.EINVALID, "%s has a training record but is not on the staff register: import the register again", rec.StaffID)
			case 1:
				id = ids[0]
			default:
				return nil, handwash.Errorf(handwash.EINVALID, "%d people on the staff register are called %s: add their email addresses to the register so their training can be told apart", len(ids), rec.StaffID)
			}
		}
		rec.StaffID = id
		out[i] = rec
	}
	return out, nil
}

// fieldErr is the EINVALID error of a form field: its message starts with
// the field's name.
func fieldErr(field, format string, args ...any) error {
	return handwash.Errorf(handwash.EINVALID, "%s: %s", field, fmt.Sprintf(format, args...))
}
