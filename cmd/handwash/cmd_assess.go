package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/handwash/handwash"
	"github.com/handwash/handwash/assess"
	"github.com/handwash/handwash/evidence"
	"github.com/handwash/handwash/policy"
	"github.com/handwash/handwash/readiness"
)

// defaultAnswersFile is where handwash assess keeps answers when no server
// store is named.
const defaultAnswersFile = "handwash-assessment.json"

// maxAnswersFile bounds the answers file read.
const maxAnswersFile = 4 << 20

type assessOptions struct {
	file     string
	org      string
	data     string
	database string
	all      bool
}

// answerBook is where answers are kept: a file beside the user, or an
// organisation on the server's store.
type answerBook interface {
	Answers(ctx context.Context) ([]handwash.Answer, error)
	Put(ctx context.Context, a *handwash.Answer) error
	Where() string
	Close() error
}

func newAssessCommand() *cobra.Command {
	var o assessOptions
	cmd := &cobra.Command{
		Use:   "assess",
		Short: "Answer the questions no computer can: backups kept offline, training, incident plans",
		Long: `Assess asks the self-assessment's questions, one at a time, in the terminal:
the things no computer can answer, such as whether a backup is kept offline,
who is accountable, whether staff know how to report phishing, and whether the
incident plan works when email is down. Each question says why it matters and
what "yes" looks like, with its references to the NCSC Small Business Guide,
Cyber Essentials and the Data Security and Protection Toolkit (DSPT).

Answer yes, partly, no or na (does not apply), then a note of what is in place
or missing, and who owns it. Each answer is saved as soon as it is given, so
you can stop at any question with q (or Ctrl-D) and carry on later: the
questions already answered are skipped, until their review date (12 months
after answering) passes. --all asks every question again.

Answers are kept in ` + defaultAnswersFile + ` in this folder (--file), or, with
--org, for that organisation in handwash serve's data (--data or --database),
where the dashboard shows them too.

` + toolExitCodesHelp,
		Example: `  handwash assess
  handwash assess --file /srv/records/assessment.json
  handwash assess --org "Rose Court" --data /var/lib/handwash
  handwash assess list`,
		Args: wrapArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			return withAnswerBook(cmd, o, func(ctx context.Context, cat *assess.Catalogue, book answerBook) error {
				return askQuestions(ctx, cmd.InOrStdin(), cmd.OutOrStdout(), cat, book, o.all)
			})
		},
	}
	addAssessFlags(cmd, &o)
	cmd.Flags().BoolVar(&o.all, "all", false, "ask every question, also those answered and not yet due for review")
	list := &cobra.Command{
		Use:   "list",
		Short: "List the self-assessment's questions with their answers",
		Args:  wrapArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			return withAnswerBook(cmd, o, func(ctx context.Context, cat *assess.Catalogue, book answerBook) error {
				answers, err := book.Answers(ctx)
				if err != nil {
					return err
				}
				return listAnswers(cmd.OutOrStdout(), cat, answers, now())
			})
		},
	}
	addAssessFlags(list, &o)
	cmd.AddCommand(list, newAssessReportCommand())
	return cmd
}

type assessReportOptions struct {
	assessOptions
	format, output       string
	facts, config, feeds string
	name                 string
	noDevice             bool
}

func newAssessReportCommand() *cobra.Command {
	var o assessReportOptions
	cmd := &cobra.Command{
		Use:   "report",
		Short: "Readiness for Cyber Essentials and the DSPT, and the action plan",
		Long: `Report works out how ready the organisation is for Cyber Essentials (per
requirement, with the automatic-fail items first) and for the Data Security and
Protection Toolkit (each item at Approaching Standards and at Standards Met),
from the self-assessment's answers and the checks of the computers, and lists
every action to take, most urgent first: anything that fails Cyber Essentials
outright, then by severity, then quickest first.

Without --org it judges this computer, as handwash check does (or the Facts
saved with --facts, or none with --no-device), with the answers in --file.
With --org it uses every device, the cloud accounts, the phones and the answers
of that organisation in handwash serve's data.

` + toolExitCodesHelp,
		Example: `  handwash assess report
  handwash assess report --format html --output readiness.html
  handwash assess report --org "Rose Court" --data /var/lib/handwash`,
		Args: wrapArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error { return runAssessReport(cmd, o) },
	}
	addAssessFlags(cmd, &o.assessOptions)
	fl := cmd.Flags()
	fl.StringVar(&o.format, "format", "text", "text, html or pdf (pdf needs --output)")
	fl.StringVarP(&o.output, "output", "o", "", "write the report to this file instead of standard output")
	fl.StringVar(&o.facts, "facts", "", "without --org: judge these saved Facts instead of this computer")
	fl.BoolVar(&o.noDevice, "no-device", false, "without --org: leave computers out, for the answers alone")
	fl.StringVar(&o.config, "config", "", "without --org: settings and exceptions, as for handwash check")
	fl.StringVar(&o.feeds, "feeds", "", "without --org: folder of the security advisory feeds, as for handwash check")
	fl.StringVar(&o.name, "org-name", "", "without --org: the organisation's name for the report")
	return cmd
}

func runAssessReport(cmd *cobra.Command, o assessReportOptions) error {
	checkMemory()
	if o.format != "text" && o.format != "html" && o.format != "pdf" {
		return handwash.Errorf(handwash.EINVALID, "--format %q: use text, html or pdf", o.format)
	}
	if o.format == "pdf" && o.output == "" {
		return handwash.Errorf(handwash.EINVALID, "--format pdf: give --output FILE.pdf as well, to keep the PDF out of the terminal")
	}
	if o.org != "" && (o.facts != "" || o.noDevice) {
		return handwash.Errorf(handwash.EINVALID, "--facts and --no-device judge one computer: leave them out with --org, which uses the organisation's devices")
	}
	pcat, err := policy.Default()
	if err != nil {
		return err
	}
	return withAnswerBook(cmd, o.assessOptions, func(ctx context.Context, cat *assess.Catalogue, book answerBook) error {
		t := now().UTC()
		rep := &evidence.Report{GeneratedAt: t, CatalogueVersion: pcat.Version, Controls: pcat.Controls, Version: versionString()}
		var findings []handwash.Finding
		if ob, ok := book.(*orgBook); ok {
			if err := evidence.Gather(ctx, ob.store, ob.scope(), ob.org, rep); err != nil {
				return err
			}
			findings = readiness.OrgFindings(rep)
		} else {
			rep.Org.Name = o.name
			if !o.noDevice {
				a, err := assessMachine(cmd, pcat, o.facts, o.config, o.feeds)
				if err != nil {
					return err
				}
				if rep.Org.Name == "" {
					rep.Org.Name = a.Device.Hostname
				}
				thisMachine(rep, a)
			}
		}
		doc, err := evidence.Build(rep)
		if err != nil {
			return err
		}
		answers, err := book.Answers(ctx)
		if err != nil {
			return err
		}
		r, err := readiness.Build(readiness.Input{OrgName: rep.Org.Name, Evidence: doc, Findings: findings, Catalogue: cat, Answers: answers, Now: t})
		if err != nil {
			return err
		}
		if err := writeOutput(cmd, o.output, func(w io.Writer) error {
			switch o.format {
			case "html":
				return readiness.WriteHTML(w, r)
			case "pdf":
				return readiness.WritePDF(w, r)
			}
			return readiness.WriteText(w, r)
		}); err != nil {
			return err
		}
		if o.output != "" {
			fmt.Fprintf(cmd.ErrOrStderr(), "Readiness report written to %s.\n", o.output)
		}
		return nil
	})
}

// thisMachine puts one computer's assessment in the report as its only
// device.
func thisMachine(rep *evidence.Report, a *handwash.Assessment) {
	id := a.Device.ID
	if id == "" {
		id = "this-computer"
	}
	seen := a.EvaluatedAt
	rep.Devices = []*handwash.Device{{ID: id, Hostname: a.Device.Hostname, Platform: a.Device.Platform, OS: a.Facts.OS,
		Score: a.Overall.Value, EnrolledAt: seen, LastSeenAt: &seen, EvaluatedAt: &seen}}
	rep.Scores = handwash.OrgScores{Devices: 1, Overall: a.Overall, Areas: a.Areas}
	for _, f := range a.Findings {
		rep.Findings = append(rep.Findings, &handwash.DeviceFinding{DeviceID: id, Hostname: a.Device.Hostname, Since: seen, Finding: f})
	}
}

func addAssessFlags(cmd *cobra.Command, o *assessOptions) {
	fl := cmd.Flags()
	fl.StringVar(&o.file, "file", defaultAnswersFile, "file the answers are kept in")
	fl.StringVar(&o.org, "org", "", "keep the answers for this organisation (ID or name) in handwash serve's data instead of a file")
	fl.StringVar(&o.data, "data", "handwash-data", "with --org: handwash serve's data directory (SQLite)")
	fl.StringVar(&o.database, "database", "", "with --org: handwash serve's postgres:// URL")
}

// withAnswerBook opens the catalogue and the answers for one command.
func withAnswerBook(cmd *cobra.Command, o assessOptions, fn func(context.Context, *assess.Catalogue, answerBook) error) error {
	ctx := cmd.Context()
	if ctx == nil {
		ctx = context.Background()
	}
	cat, err := assess.Default()
	if err != nil {
		return err
	}
	var book answerBook
	if o.org != "" {
		book, err = openOrgBook(ctx, o)
	} else {
		book, err = openFileBook(o.file)
	}
	if err != nil {
		return err
	}
	defer book.Close()
	return fn(ctx, cat, book)
}

// fileBook keeps answers in a JSON file, rewritten whole (through a
// temporary file and a rename) after each answer, so a stop at any moment
// loses nothing already answered.
type fileBook struct {
	path    string
	answers []handwash.Answer
}

type answersFile struct {
	// Format names the file's layout, for later versions.
	Format  string            `json:"format"`
	Answers []handwash.Answer `json:"answers"`
}

const answersFormat = "handwash.assessment/v1"

func openFileBook(path string) (*fileBook, error) {
	b := &fileBook{path: path}
	data, err := readLimited(path, maxAnswersFile)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return b, nil
	case err != nil:
		return nil, fileError("--file", path, err)
	}
	var f answersFile
	dec := json.NewDecoder(strings.NewReader(string(data)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return nil, handwash.Errorf(handwash.EINVALID, "--file %s: not an answers file handwash assess wrote (%v): give another --file, or move it away to start again", path, err)
	}
	if f.Format != answersFormat {
		return nil, handwash.Errorf(handwash.EINVALID, "--file %s: format %q is not %s: give another --file", path, f.Format, answersFormat)
	}
	b.answers = f.Answers
	return b, nil
}

func (b *fileBook) Answers(context.Context) ([]handwash.Answer, error) { return b.answers, nil }
func (b *fileBook) Where() string                                      { return b.path }
func (b *fileBook) Close() error                                       { return nil }

func (b *fileBook) Put(_ context.Context, a *handwash.Answer) error {
	next := make([]handwash.Answer, 0, len(b.answers)+1)
	for _, x := range b.answers {
		if x.QuestionID != a.QuestionID {
			next = append(next, x)
		}
	}
	next = append(next, *a)
	data, err := json.MarshalIndent(answersFile{Format: answersFormat, Answers: next}, "", "  ")
	if err != nil {
		return err
	}
	dir := filepath.Dir(b.path)
	tmp, err := os.CreateTemp(dir, ".handwash-assessment-*")
	if err != nil {
		return handwash.Errorf(handwash.EINVALID, "--file %s: the answers cannot be saved here: %v", b.path, err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(append(data, '\n')); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), b.path); err != nil {
		return err
	}
	b.answers = next
	return nil
}

// orgBook keeps answers for an organisation in the server's store.
type orgBook struct {
	store handwash.Store
	org   *handwash.Org
}

func openOrgBook(ctx context.Context, o assessOptions) (*orgBook, error) {
	store, _, err := openStore(ctx, o.data, o.database)
	if err != nil {
		return nil, err
	}
	org, err := findOrg(ctx, store, o.org, nil)
	if err != nil {
		store.Close()
		return nil, err
	}
	return &orgBook{store: store, org: org}, nil
}

func (b *orgBook) scope() handwash.Scope { return handwash.Scope{ProviderID: b.org.ProviderID} }
func (b *orgBook) Where() string         { return "organisation " + b.org.Name }
func (b *orgBook) Close() error          { return b.store.Close() }

func (b *orgBook) Answers(ctx context.Context) ([]handwash.Answer, error) {
	return b.store.Answers(ctx, b.scope(), b.org.ID)
}

func (b *orgBook) Put(ctx context.Context, a *handwash.Answer) error {
	a.OrgID = b.org.ID
	if err := b.store.PutAnswer(ctx, b.scope(), a); err != nil {
		return err
	}
	e := &handwash.AuditEntry{ProviderID: b.org.ProviderID, OrgID: b.org.ID, At: now().UTC(), ActorID: "handwash assess",
		ActorName: "handwash assess (operating system user " + osUserName() + ")", Action: "answer.save", Target: a.QuestionID,
		Detail: "answered " + a.QuestionID + ": " + a.Value}
	if err := b.store.AddAudit(ctx, e); err != nil {
		return fmt.Errorf("the answer was saved, but the audit log could not be written: %w", err)
	}
	return nil
}

// errStop is a person's q: save and stop.
var errStop = errors.New("stop")

// prompter reads answers line by line.
type prompter struct {
	in  *bufio.Scanner
	out io.Writer
}

// ask prints the prompt and returns the trimmed line; io.EOF at the end
// of the input, and errStop for q.
func (p *prompter) ask(prompt string) (string, error) {
	fmt.Fprint(p.out, prompt)
	if !p.in.Scan() {
		fmt.Fprintln(p.out)
		if err := p.in.Err(); err != nil {
			return "", err
		}
		return "", io.EOF
	}
	line := strings.TrimSpace(p.in.Text())
	if strings.EqualFold(line, "q") || strings.EqualFold(line, "quit") {
		return "", errStop
	}
	return line, nil
}

// askQuestions asks each question that needs an answer, saving each
// answer as it is given.
func askQuestions(ctx context.Context, in io.Reader, out io.Writer, cat *assess.Catalogue, book answerBook, all bool) error {
	answers, err := book.Answers(ctx)
	if err != nil {
		return err
	}
	t := now()
	current := map[string]handwash.Answer{}
	for _, a := range answers {
		current[a.QuestionID] = a
	}
	var todo []assess.Question
	for _, area := range handwash.Areas {
		for _, q := range cat.ByArea(area) {
			if a, ok := current[q.ID]; all || !ok || a.Effective(t) == handwash.AnswerUnanswered {
				todo = append(todo, q)
			}
		}
	}
	fmt.Fprintf(out, "Self-assessment, kept in %s: %d of %d questions to answer.\n", book.Where(), len(todo), len(cat.Questions))
	fmt.Fprintln(out, "Answer yes, partly, no or na (does not apply). Each answer is saved at once: type q to stop and carry on later, s to skip a question.")
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 64<<10), 64<<10)
	p := &prompter{in: sc, out: out}
	saved, lastOwner := 0, ""
	defer func() {
		fmt.Fprintf(out, "\n%d answers saved in %s. Run handwash assess again to carry on; handwash assess list shows every answer.\n", saved, book.Where())
	}()
	for i, q := range todo {
		prev, had := current[q.ID]
		fmt.Fprintf(out, "\n%d of %d · %s\n%s\n\n", i+1, len(todo), q.Area.Title(), q.Question)
		wrap(out, "  ", q.Help)
		fmt.Fprintf(out, "  Evidence to keep: %s\n", q.Evidence)
		if had {
			fmt.Fprintf(out, "  Last answer: %s (%s)\n", prev.Value, prev.AnsweredAt.Local().Format("2 January 2006"))
		}
		owner := prev.Owner
		if owner == "" {
			owner = lastOwner
		}
		a, err := askOne(p, cat, q, owner, t)
		switch {
		case errors.Is(err, errStop), errors.Is(err, io.EOF):
			return nil
		case errors.Is(err, errSkip):
			continue
		case err != nil:
			return err
		}
		if err := book.Put(ctx, &a); err != nil {
			return err
		}
		saved, lastOwner = saved+1, a.Owner
	}
	return nil
}

var errSkip = errors.New("skip")

// askOne asks for one question's answer, note and owner (owner by
// default: the question's last owner, or the last one given), asking
// again after a mistake.
func askOne(p *prompter, cat *assess.Catalogue, q assess.Question, owner string, t time.Time) (handwash.Answer, error) {
	a := handwash.Answer{QuestionID: q.ID, AnsweredBy: osUserName(), AnsweredAt: t, ReviewBy: assess.DefaultReviewBy(t)}
	for {
		line, err := p.ask("Answer (yes, partly, no, na; s to skip, q to stop): ")
		if err != nil {
			return a, err
		}
		if strings.EqualFold(line, "s") || strings.EqualFold(line, "skip") {
			return a, errSkip
		}
		if a.Value, err = assess.ParseValue(line); err == nil {
			break
		}
		fmt.Fprintln(p.out, "  "+handwash.ErrorMessage(err))
	}
	for {
		prompt := "What is in place, or missing (Enter for none): "
		if a.Value == handwash.AnswerNotApplicable {
			prompt = "Why does it not apply to you: "
		}
		line, err := p.ask(prompt)
		if err != nil {
			return a, err
		}
		a.Note = line
		if a.Value == handwash.AnswerNotApplicable && line == "" {
			fmt.Fprintln(p.out, "  Say why, for an assessor reading it later.")
			continue
		}
		if err := cat.ValidateAnswer(a); err != nil {
			fmt.Fprintln(p.out, "  "+handwash.ErrorMessage(err))
			continue
		}
		break
	}
	prompt := "Who owns this (name and role): "
	if owner != "" {
		prompt = "Who owns this [" + owner + "]: "
	}
	for {
		line, err := p.ask(prompt)
		if err != nil {
			return a, err
		}
		if line != "" {
			owner = line
		}
		a.Owner = owner
		if err := cat.ValidateAnswer(a); err != nil {
			fmt.Fprintln(p.out, "  "+handwash.ErrorMessage(err))
			continue
		}
		return a, nil
	}
}

// wrap prints text in lines of about 76 characters after indent.
func wrap(w io.Writer, indent, text string) {
	line := indent
	for _, word := range strings.Fields(text) {
		if len(line)+len(word) > 78 && line != indent {
			fmt.Fprintln(w, line)
			line = indent
		}
		if line != indent {
			line += " "
		}
		line += word
	}
	if line != indent {
		fmt.Fprintln(w, line)
	}
}

// listAnswers prints every question by area with its answer.
func listAnswers(w io.Writer, cat *assess.Catalogue, answers []handwash.Answer, t time.Time) error {
	byID := map[string]handwash.Answer{}
	for _, a := range answers {
		byID[a.QuestionID] = a
	}
	p := cat.Progress(answers, t)
	fmt.Fprintf(w, "%d of %d questions answered (%d past their review date).\n", p.Answered, p.Questions, p.Expired)
	for _, area := range handwash.Areas {
		qs := cat.ByArea(area)
		if len(qs) == 0 {
			continue
		}
		fmt.Fprintf(w, "\n%s\n", area.Title())
		for _, q := range qs {
			a, ok := byID[q.ID]
			state := "not answered"
			if ok {
				state = a.Effective(t)
				if a.Expired(t) {
					state = "review overdue (was " + a.Value + ")"
				}
			}
			fmt.Fprintf(w, "  %-15s %s\n", state, q.Question)
			if ok && a.Note != "" {
				wrap(w, "                  ", a.Note)
			}
		}
	}
	return nil
}
