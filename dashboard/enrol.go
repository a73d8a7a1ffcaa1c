package dashboard

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/handwash/handwash"
	"github.com/handwash/handwash/agent"
)

// enrolLives are the lifetimes offered for a new enrolment token: long
// enough to walk round a care home, short enough that a token left on a
// note is soon worthless.
var enrolLives = []enrolLife{
	{"1h", "1 hour", time.Hour},
	{"24h", "24 hours", 24 * time.Hour},
	{"168h", "7 days", 7 * 24 * time.Hour},
	{"720h", "30 days", 30 * 24 * time.Hour},
}

// enrolLife is one lifetime offered for an enrolment token.
type enrolLife struct {
	Value, Label string
	Life         time.Duration
}

type enrolPage struct {
	Org    *handwash.Org
	Sites  []*handwash.Site
	Tokens []*handwash.EnrollToken
	Lives  []enrolLife
	Now    time.Time
	Form   enrolForm
	// Credential and Instructions are shown once, after a token is made.
	Credential   string
	Instructions []agent.Instructions
}

type enrolForm struct {
	Uses, Life, Site, Error string
}

// handleEnrol shows an organisation's enrolment tokens and the form that
// makes one. Only administrators may see or make them.
func (s *server) handleEnrol(w http.ResponseWriter, r *http.Request) {
	p, ok := s.enrolPage(w, r, enrolForm{Uses: "1", Life: "24h"})
	if !ok {
		return
	}
	s.render(w, r, http.StatusOK, "enrol", "Add computers to "+p.Org.Name, p)
}

func (s *server) enrolPage(w http.ResponseWriter, r *http.Request, form enrolForm) (enrolPage, bool) {
	if !visitorOf(r).principal().CanWrite() {
		s.fail(w, r, handwash.Errorf(handwash.EFORBIDDEN, "Only administrators can add computers."))
		return enrolPage{}, false
	}
	o, scope, ok := s.pathOrg(w, r)
	if !ok {
		return enrolPage{}, false
	}
	p := enrolPage{Org: o, Lives: enrolLives, Now: s.now(), Form: form}
	var err error
	if p.Sites, err = s.store.Sites(r.Context(), scope, o.ID); err == nil {
		p.Tokens, err = s.store.EnrollTokens(r.Context(), scope, o.ID)
	}
	if err != nil {
		s.fail(w, r, err)
		return p, false
	}
	return p, true
}

// handleEnrolCreate makes an enrolment token and shows it once, with the
// commands to paste on each kind of computer.
func (s *server) handleEnrolCreate(w http.ResponseWriter, r *http.Request) {
	form := enrolForm{Uses: r.PostFormValue("uses"), Life: r.PostFormValue("life"), Site: r.PostFormValue("site")}
	p, ok := s.enrolPage(w, r, form)
	if !ok {
		return
	}
	v := visitorOf(r)
	uses, err := strconv.Atoi(form.Uses)
	if err != nil {
		uses = 0 // refused below with the range allowed
	}
	life := time.Duration(0)
	for _, l := range enrolLives {
		if l.Value == form.Life {
			life = l.Life
		}
	}
	var t *handwash.EnrollToken
	var secret string
	switch {
	case life == 0:
		err = handwash.Errorf(handwash.EINVALID, "Choose how long the token works for from the list.")
	case form.Site != "" && !hasSite(p.Sites, form.Site):
		err = handwash.Errorf(handwash.EINVALID, "Choose a site of %s from the list.", p.Org.Name)
	default:
		t, secret, err = handwash.NewEnrollToken(v.user.ProviderID, p.Org.ID, form.Site, uses, life, s.now())
		if err == nil {
			err = s.store.CreateEnrollToken(r.Context(), v.principal().Scope, t)
		}
	}
	if err != nil {
		if handwash.ErrorCode(err) != handwash.EINVALID {
			s.fail(w, r, err)
			return
		}
		p.Form.Error = enrolError(err)
		s.render(w, r, http.StatusBadRequest, "enrol", "Add computers to "+p.Org.Name, p)
		return
	}
	s.auditAction(r, v, p.Org.ID, "enroll_token.create", t.ID, fmt.Sprintf("enrolment token for %d device(s) until %s", t.MaxUses, t.ExpiresAt.Format(time.DateTime)))
	p.Credential = handwash.Credential(handwash.PrefixEnrollToken, t.ID, secret)
	p.Instructions = agent.EnrollInstructions(s.serverURL(r), p.Credential, s.cfg.Fingerprint)
	p.Tokens = append([]*handwash.EnrollToken{t}, p.Tokens...)
	p.Form = enrolForm{Uses: "1", Life: "24h"}
	s.render(w, r, http.StatusCreated, "enrol", "Add computers to "+p.Org.Name, p)
}

func hasSite(sites []*handwash.Site, id string) bool {
	for _, s := range sites {
		if s.ID == id {
			return true
		}
	}
	return false
}

// enrolError says a token's problem in the form's words.
func enrolError(err error) string {
	msg := err.Error()
	switch {
	case strings.HasPrefix(msg, "max_uses:"):
		return fmt.Sprintf("How many computers: give a number from 1 to %d.", handwash.MaxEnrollUses)
	case strings.HasPrefix(msg, "expires_in:"):
		return "Choose how long the token works for from the list."
	}
	return msg
}

// serverURL is the address agents reach this server at, as the browser
// reached it: HTTPS when the request came over TLS, or through a reverse
// proxy that says it did (X-Forwarded-Proto); plain HTTP otherwise, as on
// loopback. A forged header changes only the commands shown to the
// person who forged it.
func (s *server) serverURL(r *http.Request) string {
	u := url.URL{Scheme: "http", Host: r.Host}
	if r.TLS != nil || strings.EqualFold(r.Header.Get("X-Forwarded-Proto"), "https") {
		u.Scheme = "https"
	}
	return u.String()
}
