package dashboard

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/handwash/handwash"
	"github.com/handwash/handwash/dashboard/internal/wasmbuild"
	"github.com/handwash/handwash/internal/qrsvg"
	"github.com/handwash/handwash/mdmimport"
	"github.com/handwash/handwash/password"
)

// Limits on what one staff link may do, per hour: enough for every member
// of staff of a large care home in one meeting, too few to fill the
// phones list or use the server as a free breached-password service.
const (
	staffSelfChecksPerHour = 200
	staffLookupsPerHour    = 1000
)

// phoneCookie holds a random value that marks this phone's browser, so a
// second self-check updates its record; only its hash is stored.
const phoneCookie = "hw_phone"

// staffLinkLives are the lives offered on the page.
var staffLinkLives = []struct {
	Value string
	Label string
	Life  time.Duration
}{
	{"7d", "1 week", 7 * 24 * time.Hour},
	{"30d", "30 days", handwash.DefaultStaffLinkLife},
	{"90d", "90 days", 90 * 24 * time.Hour},
	{"365d", "1 year", handwash.MaxStaffLinkLife},
}

type staffLinkPage struct {
	Org      *handwash.Org
	Link     *handwash.StaffLink
	CanWrite bool
	Lives    any
	// URL and QR are the new link, shown once after it is made.
	URL   string
	QR    template.HTML
	Now   time.Time
	Done  string
	Error string
}

// handleStaffLink shows the organisation's staff link: when it was made
// and until when it works, and the form to make a new one.
func (s *server) handleStaffLink(w http.ResponseWriter, r *http.Request) {
	o, scope, ok := s.pathOrg(w, r)
	if !ok {
		return
	}
	p, err := s.staffLinkPage(r, o, scope)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if r.URL.Query().Get("done") == "stopped" {
		p.Done = "The staff link was stopped: it no longer opens the staff pages."
	}
	s.render(w, r, http.StatusOK, "stafflink", "Staff link of "+o.Name, p)
}

func (s *server) staffLinkPage(r *http.Request, o *handwash.Org, scope handwash.Scope) (staffLinkPage, error) {
	p := staffLinkPage{Org: o, CanWrite: visitorOf(r).principal().CanWrite(), Lives: staffLinkLives, Now: s.now()}
	l, err := s.store.OrgStaffLink(r.Context(), scope, o.ID)
	switch {
	case err == nil:
		p.Link = l
	case handwash.ErrorCode(err) != handwash.ENOTFOUND:
		return p, err
	}
	return p, nil
}

// handleStaffLinkCreate makes a new staff link, which replaces the old
// one, and shows it with its QR code, once.
func (s *server) handleStaffLinkCreate(w http.ResponseWriter, r *http.Request) {
	o, scope, ok := s.pathOrg(w, r)
	if !ok {
		return
	}
	v := visitorOf(r)
	if !v.principal().CanWrite() {
		s.fail(w, r, errReadOnly)
		return
	}
	life := time.Duration(0)
	for _, l := range staffLinkLives {
		if l.Value == r.PostFormValue("life") {
			life = l.Life
		}
	}
	p, err := s.staffLinkPage(r, o, scope)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if life == 0 {
		p.Error = "Choose how long the link works."
		s.render(w, r, http.StatusBadRequest, "stafflink", "Staff link of "+o.Name, p)
		return
	}
	l, cred, err := handwash.NewStaffLink(scope.ProviderID, o.ID, v.user.ID, life, s.now())
	if err == nil {
		err = s.store.PutStaffLink(r.Context(), scope, l)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.auditAction(r, v, o.ID, "staff_link.create", l.ID, "made a new staff link, working until "+l.ExpiresAt.UTC().Format("2 January 2006"))
	p.Link, p.URL = l, s.serverURL(r)+"/s/"+cred
	if p.QR, err = qrsvg.SVG(p.URL, "QR code of the staff link"); err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	s.render(w, r, http.StatusOK, "stafflink", "Staff link of "+o.Name, p)
}

// handleStaffLinkStop stops the organisation's staff link.
func (s *server) handleStaffLinkStop(w http.ResponseWriter, r *http.Request) {
	o, scope, ok := s.pathOrg(w, r)
	if !ok {
		return
	}
	v := visitorOf(r)
	if !v.principal().CanWrite() {
		s.fail(w, r, errReadOnly)
		return
	}
	if err := s.store.DeleteStaffLink(r.Context(), scope, o.ID); err != nil {
		s.fail(w, r, err)
		return
	}
	s.auditAction(r, v, o.ID, "staff_link.stop", o.ID, "stopped the staff link")
	http.Redirect(w, r, "/orgs/"+url.PathEscape(o.ID)+"/staff-link?done=stopped", http.StatusSeeOther)
}

// staffVisit is a request through a staff link.
type staffVisit struct {
	link *handwash.StaffLink
	org  *handwash.Org
	// base is the link's own address, "/s/<credential>".
	base string
}

// errStaffLink answers every credential that does not work, the same way.
var errStaffLink = handwash.Errorf(handwash.ENOTFOUND, "This staff link does not work: it may have been replaced by a newer one or have expired. Ask your manager for the current link.")

// staffLink checks the link's credential in the path.
func (s *server) staffLink(r *http.Request) (*staffVisit, error) {
	cred := r.PathValue("cred")
	id, secret, ok := handwash.ParseCredential(handwash.PrefixStaffLink, cred)
	if !ok {
		return nil, errStaffLink
	}
	l, err := s.store.StaffLink(r.Context(), id)
	if err != nil {
		if handwash.ErrorCode(err) == handwash.ENOTFOUND {
			// Hash anyway, so an unknown ID takes as long as a wrong secret.
			handwash.SecretMatches(secret, make([]byte, 32))
			return nil, errStaffLink
		}
		return nil, err
	}
	if !handwash.SecretMatches(secret, l.SecretHash) || !l.Usable(s.now()) {
		return nil, errStaffLink
	}
	scope := handwash.Scope{ProviderID: l.ProviderID, OrgID: l.OrgID}
	o, err := s.store.Org(r.Context(), scope, l.OrgID)
	if err != nil {
		return nil, err
	}
	return &staffVisit{link: l, org: o, base: "/s/" + cred}, nil
}

func (sv *staffVisit) scope() handwash.Scope {
	return handwash.Scope{ProviderID: sv.link.ProviderID, OrgID: sv.link.OrgID}
}

// staffPage wraps a staff handler: the link must work, and the answer is
// never cached nor its address sent on.
func (s *server) staffPage(h func(http.ResponseWriter, *http.Request, *staffVisit)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Referrer-Policy", "no-referrer")
		w.Header().Set("Accept-CH", "Sec-CH-UA-Platform-Version, Sec-CH-UA-Model")
		sv, err := s.staffLink(r)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		h(w, r, sv)
	}
}

type staffHomePage struct {
	Org  *handwash.Org
	Base string
}

// handleStaffHome is where the link leads: what the staff can check.
func (s *server) handleStaffHome(w http.ResponseWriter, r *http.Request, sv *staffVisit) {
	s.render(w, r, http.StatusOK, "staff", "Check your phone and passwords", staffHomePage{Org: sv.org, Base: sv.base})
}

type selfCheckPage struct {
	Org      *handwash.Org
	Base     string
	Detected mdmimport.Detected
	Steps    []mdmimport.Step
	Form     map[string]string
	Error    string
	// ErrorField is the form field the error is about.
	ErrorField string
	// Saved is the phone as recorded, with its findings, after saving.
	Saved    *handwash.MobileDevice
	Findings []handwash.Finding
}

// handleSelfCheckPage asks about the phone the page is opened on, with
// what its browser says already filled in.
func (s *server) handleSelfCheckPage(w http.ResponseWriter, r *http.Request, sv *staffVisit) {
	d := mdmimport.DetectPhone(r.UserAgent(), mdmimport.ClientHints{Platform: r.Header.Get("Sec-CH-UA-Platform"),
		PlatformVersion: r.Header.Get("Sec-CH-UA-Platform-Version"), Model: r.Header.Get("Sec-CH-UA-Model")})
	form := map[string]string{mdmimport.FieldOS: d.OS, mdmimport.FieldOSVersion: d.Version, mdmimport.FieldModel: d.Model}
	s.render(w, r, http.StatusOK, "selfcheck", "Check your phone or tablet",
		selfCheckPage{Org: sv.org, Base: sv.base, Detected: d, Steps: mdmimport.SelfCheckSteps(d.OS), Form: form})
}

// selfCheckFields are the fields of the self-check form.
var selfCheckFields = []string{mdmimport.FieldOwner, mdmimport.FieldModel, mdmimport.FieldOS, mdmimport.FieldOSVersion,
	mdmimport.FieldPasscode, mdmimport.FieldManaged, mdmimport.FieldAutoUpdates, mdmimport.FieldUnknownWiFi}

// handleSelfCheck records the answers against the person's name and this
// phone, and shows what to fix on it.
func (s *server) handleSelfCheck(w http.ResponseWriter, r *http.Request, sv *staffVisit) {
	r.Body = http.MaxBytesReader(w, r.Body, maxForm)
	form := map[string]string{}
	for _, f := range selfCheckFields {
		form[f] = strings.TrimSpace(r.PostFormValue(f))
	}
	if ok, wait := s.selfChecks.Allow(sv.link.ID); !ok {
		s.render(w, r, http.StatusTooManyRequests, "selfcheck", "Check your phone or tablet", selfCheckPage{Org: sv.org, Base: sv.base,
			Steps: mdmimport.SelfCheckSteps(form[mdmimport.FieldOS]), Form: form, ErrorField: mdmimport.FieldOwner,
			Error: fmt.Sprintf("Many phones were checked through this link in the last hour. Try again in %d minutes.", int(wait.Minutes())+1)})
		return
	}
	d, err := mdmimport.ParseSelfCheck(form, s.now())
	if err == nil {
		d.OrgID, d.ExternalID = sv.org.ID, s.phoneMark(w, r)
		err = s.store.PutMobileDevice(r.Context(), sv.scope(), &d)
	}
	if err != nil {
		if handwash.ErrorCode(err) != handwash.EINVALID {
			s.fail(w, r, err)
			return
		}
		field := fieldNamed(err, selfCheckFields, mdmimport.FieldOwner)
		s.render(w, r, http.StatusBadRequest, "selfcheck", "Check your phone or tablet", selfCheckPage{Org: sv.org, Base: sv.base,
			Steps: mdmimport.SelfCheckSteps(form[mdmimport.FieldOS]), Form: form, Error: handwash.ErrorMessage(err), ErrorField: field})
		return
	}
	s.record(r, &handwash.User{ID: "staff-link", Email: "staff link"}, sv.link.ProviderID, sv.org.ID, "mobile_device.selfcheck", d.ID,
		fmt.Sprintf("%s checked their %s through the staff link", d.Owner, d.Model))
	var shown []handwash.Finding
	for _, f := range mdmimport.Findings([]*handwash.MobileDevice{&d}, s.mobileSupport, s.now()) {
		if f.ControlID != mdmimport.ControlSeenRecently {
			shown = append(shown, f)
		}
	}
	s.render(w, r, http.StatusOK, "selfcheck", "Your phone or tablet", selfCheckPage{Org: sv.org, Base: sv.base, Saved: &d, Findings: shown})
}

// phoneMark returns the mark of this phone's browser, setting the cookie
// on its first self-check; the store keeps its hash.
func (s *server) phoneMark(w http.ResponseWriter, r *http.Request) string {
	v := ""
	if c, err := r.Cookie(phoneCookie); err == nil && len(c.Value) >= 20 && len(c.Value) <= 64 {
		v = c.Value
	} else {
		v = handwash.NewSecret()
	}
	http.SetCookie(w, &http.Cookie{Name: phoneCookie, Value: v, Path: "/s/", MaxAge: 2 * 365 * 24 * 3600,
		HttpOnly: true, Secure: !s.cfg.InsecureCookies, SameSite: http.SameSiteLaxMode})
	sum := sha256.Sum256([]byte(v))
	return "selfcheck:" + hex.EncodeToString(sum[:16])
}

type passwordPage struct {
	Org  *handwash.Org
	Base string
	// Words are the organisation's own words an attacker would try, as
	// JSON for the page's script.
	Words string
	// Breached is false when the server checks no breached passwords.
	Breached bool
	// Wasm is the address of the check's WebAssembly, with its version.
	Wasm string
}

// handlePasswordPage serves the password check: the page's script
// estimates strength and hashes the password in the browser, and asks the
// server only for the range of its hash's first five characters.
func (s *server) handlePasswordPage(w http.ResponseWriter, r *http.Request, sv *staffVisit) {
	words, _ := json.Marshal(password.OrgWords(sv.org.Name))
	// The check is WebAssembly, which needs 'wasm-unsafe-eval', and it
	// fetches the range from here.
	w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'self'; img-src 'self' data:; script-src 'self' 'wasm-unsafe-eval'; connect-src 'self'; form-action 'none'; frame-ancestors 'none'; base-uri 'none'")
	s.render(w, r, http.StatusOK, "password", "Check a password", passwordPage{Org: sv.org, Base: sv.base, Words: string(words),
		Breached: s.breached != nil, Wasm: "/static/strength.wasm?v=" + s.wasmVersion})
}

// handleRange answers the browser's breached-password lookup for one hash
// prefix, padded, from the server's source.
func (s *server) handleRange(w http.ResponseWriter, r *http.Request, sv *staffVisit) {
	w.Header().Set("Cache-Control", "no-store")
	if s.breached == nil {
		http.Error(w, "This server does not check breached passwords.", http.StatusNotFound)
		return
	}
	if ok, wait := s.lookups.Allow(sv.link.ID); !ok {
		w.Header().Set("Retry-After", fmt.Sprint(int(wait.Seconds())+1))
		http.Error(w, "Too many checks through this link in the last hour: try again later.", http.StatusTooManyRequests)
		return
	}
	body, err := s.breached.Range(r.Context(), r.PathValue("prefix"))
	switch {
	case handwash.ErrorCode(err) == handwash.EINVALID && !strings.Contains(handwash.ErrorMessage(err), "has changed"):
		http.Error(w, handwash.ErrorMessage(err), http.StatusBadRequest)
		return
	case err != nil:
		s.log.ErrorContext(r.Context(), "breached-password lookup failed", "org", sv.org.ID, "err", err)
		http.Error(w, "The list of breached passwords cannot be reached just now: try again later.", http.StatusServiceUnavailable)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Write(body)
}

// wasmFile is the compressed WebAssembly and its version.
func wasmFile() ([]byte, string, error) {
	gz, err := files.ReadFile("static/" + wasmbuild.WasmFile)
	if err != nil {
		return nil, "", err
	}
	sum := sha256.Sum256(gz)
	return gz, hex.EncodeToString(sum[:6]), nil
}

// handleWasm serves the password check's WebAssembly, compressed when the
// browser takes gzip (every current one does).
func (s *server) handleWasm(w http.ResponseWriter, r *http.Request) {

	w.Header().Set("Content-Type", "application/wasm")
	w.Header().Set("Cache-Control", "public, max-age=86400")
	w.Header().Set("Vary", "Accept-Encoding")
	if strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
		w.Header().Set("Content-Encoding", "gzip")
		w.Write(s.wasm)
		return
	}
	zr, err := gzip.NewReader(bytes.NewReader(s.wasm))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if _, err := io.Copy(w, zr); err != nil && !errors.Is(err, io.ErrUnexpectedEOF) {
		s.log.WarnContext(r.Context(), "could not send the WebAssembly", "err", err)
	}
}
