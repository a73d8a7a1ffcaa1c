package dashboard

import (
	"bytes"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/handwash/handwash"
	"github.com/handwash/handwash/web"
)

// page is what every template gets: the page's own data and what the
// layout needs.
type page struct {
	Title   string
	Visitor *visitorView
	Data    any
	// CSRF is the session's form token, for every form on the page.
	CSRF string
}

// visitorView is the signed-in person as the layout shows them.
type visitorView struct {
	Name, Email string
	Role        handwash.Role
	Admin       bool
	// Provider is a provider administrator, who looks after every
	// organisation and the notifications that go to all of them.
	Provider bool
	Complete bool
}

// parsePages parses every page with the layout. Each page template is
// named after its file ("home" for templates/home.html) and defines
// "content".
func parsePages() (map[string]*template.Template, error) {
	layout, err := fs.ReadFile(files, "templates/layout.html")
	if err != nil {
		return nil, err
	}
	// partials.html defines pieces several pages share.
	partials, err := fs.ReadFile(files, "templates/partials.html")
	if err != nil {
		return nil, err
	}
	names, err := fs.Glob(files, "templates/*.html")
	if err != nil {
		return nil, err
	}
	pages := map[string]*template.Template{}
	for _, n := range names {
		name := strings.TrimSuffix(path.Base(n), ".html")
		if name == "layout" || name == "partials" {
			continue
		}
		body, err := fs.ReadFile(files, n)
		if err != nil {
			return nil, err
		}
		t, err := template.New("layout").Funcs(funcs).Parse(string(layout))
		if err != nil {
			return nil, fmt.Errorf("dashboard: layout: %w", err)
		}
		if _, err := t.New("partials").Parse(string(partials)); err != nil {
			return nil, fmt.Errorf("dashboard: partials: %w", err)
		}
		if _, err := t.New(name).Parse(string(body)); err != nil {
			return nil, fmt.Errorf("dashboard: %s: %w", n, err)
		}
		pages[name] = t
	}
	return pages, nil
}

// render writes a page; a template error is an internal error, and the
// page is written only once it rendered whole.
func (s *server) render(w http.ResponseWriter, r *http.Request, status int, name, title string, data any) {
	t, ok := s.pages[name]
	if !ok {
		s.log.ErrorContext(r.Context(), "no such page template", "page", name)
		http.Error(w, "Something went wrong on the server.", http.StatusInternalServerError)
		return
	}
	p := page{Title: title, Data: data}
	if v := visitorOf(r); v != nil && v.user != nil {
		p.Visitor = &visitorView{Name: v.user.Name, Email: v.user.Email, Role: v.user.Role,
			Admin: mfaRequired(v.user), Provider: v.principal().CanManageOrgs(), Complete: v.complete()}
		p.CSRF = v.csrf
	}
	var b bytes.Buffer
	if err := t.ExecuteTemplate(&b, "layout", p); err != nil {
		s.log.ErrorContext(r.Context(), "could not render a page", "page", name, "err", err)
		http.Error(w, "Something went wrong on the server.", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	w.Write(b.Bytes())
}

type errorPage struct {
	Message string
}

// fail shows an error page with the status the error's code maps to.
// Internal errors are logged and shown without their detail.
func (s *server) fail(w http.ResponseWriter, r *http.Request, err error) {
	status, msg := web.StatusOf(handwash.ErrorCode(err)), handwash.ErrorMessage(err)
	if status == http.StatusInternalServerError {
		s.log.ErrorContext(r.Context(), "dashboard request failed", "path", logPath(r.URL.Path), "err", err)
		msg = "Something went wrong on the server. Try again in a minute; if it keeps happening, tell your IT provider."
	}
	s.render(w, r, status, "error", http.StatusText(status), errorPage{Message: msg})
}

// formProblem answers a form that could not be saved. Bad input (EINVALID
// or ETOOLARGE, and the other codes given) shows the form's page again
// with status 400: page builds it with the problem shown. Anything else
// is the error page.
func (s *server) formProblem(w http.ResponseWriter, r *http.Request, err error, name, title string, page func() (any, error), codes ...string) {
	if c := handwash.ErrorCode(err); c != handwash.EINVALID && c != handwash.ETOOLARGE && !slices.Contains(codes, c) {
		s.fail(w, r, err)
		return
	}
	p, perr := page()
	if perr != nil {
		s.fail(w, r, perr)
		return
	}
	s.render(w, r, http.StatusBadRequest, name, title, p)
}

// fieldNamed is the field of fields that an error's message starts with
// ("owner: is empty…"), or def.
func fieldNamed(err error, fields []string, def string) string {
	msg := handwash.ErrorMessage(err)
	for _, f := range fields {
		if strings.HasPrefix(msg, f+":") || strings.HasPrefix(msg, f+" ") {
			return f
		}
	}
	return def
}

// logPath is a request's path as logs may show it: a staff link's
// credential is cut to its ID.
func logPath(p string) string {
	rest, ok := strings.CutPrefix(p, "/s/")
	if !ok {
		return p
	}
	cred, tail, _ := strings.Cut(rest, "/")
	id, _, ok := handwash.ParseCredential(handwash.PrefixStaffLink, cred)
	if !ok {
		id = "?"
	}
	return "/s/" + handwash.PrefixStaffLink + "_" + id + "_…/" + tail
}

var funcs = template.FuncMap{
	"date":       func(t time.Time) string { return t.Local().Format("2 January 2006") },
	"datetime":   func(t time.Time) string { return t.Local().Format("2 Jan 2006, 15:04") },
	"ago":        ago,
	"score":      scoreText,
	"band":       band,
	"status":     statusText,
	"roletitle":  roleTitle,
	"urlq":       url.QueryEscape,
	"delivery":   deliveryText,
	"steptext":   stepText,
	"alertstate": stateText,
	"verdict":    verdictClass,
	"month":      monthName,
	"backup":     backupState,
	"every":      handwash.EveryWords,
	"duration":   handwash.DurationWords,
	"yesno":      yesNo,
	"deref":      func(b *bool) bool { return b != nil && *b },
	"list":       func(s ...string) []string { return s },
	"add":        func(a, b int) int { return a + b },
	"answer":     answerWords,
}

// deliveryText says where a delivery stands in plain words.
func deliveryText(s handwash.DeliveryStatus) string {
	switch s {
	case handwash.DeliveryPending:
		return "pending"
	case handwash.DeliverySent:
		return "sent"
	case handwash.DeliveryFailed:
		return "gave up"
	}
	return string(s)
}

// statusText says a finding's status in plain words.
func statusText(s handwash.Status) string {
	switch s {
	case handwash.StatusPass:
		return "Passed"
	case handwash.StatusFail:
		return "Failed"
	case handwash.StatusUnknown:
		return "Could not check"
	case handwash.StatusExcepted:
		return "Accepted"
	case handwash.StatusNotApplicable:
		return "Does not apply"
	}
	return string(s)
}

// scoreText writes a score out of 100, or says it was not assessed.
func scoreText(v int) string {
	if v < 0 {
		return "not assessed"
	}
	return fmt.Sprintf("%d", v)
}

// band names a score's band in words, so meaning never rests on colour.
func band(v int) string {
	switch {
	case v < 0:
		return "none"
	case v >= 80:
		return "good"
	case v >= 50:
		return "fair"
	}
	return "poor"
}

// ago says how long ago a moment was, in plain words.
func ago(t time.Time) string {
	if t.IsZero() {
		return "never"
	}
	d := time.Since(t)
	switch {
	case d < time.Minute:
		return "just now"
	case d < time.Hour:
		return plural(int(d/time.Minute), "minute") + " ago"
	case d < 48*time.Hour:
		return plural(int(d/time.Hour), "hour") + " ago"
	}
	return plural(int(d/(24*time.Hour)), "day") + " ago"
}

func plural(n int, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return fmt.Sprintf("%d %ss", n, unit)
}
