package dashboard

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/handwash/handwash"
	"github.com/handwash/handwash/internal/passhash"
)

type userRow struct {
	User *handwash.User
	// OrgName is the organisation the user is limited to, if any.
	OrgName string
	MFA     bool
	// Editable is false for the visitor themself (nobody locks themself
	// out by mistake) and for users whose role outranks the visitor's.
	Editable bool
}

type usersPage struct {
	Users []userRow
	Roles []handwash.Role
	// Orgs are the organisations a new person may be limited to; empty
	// for an organisation's administrator, whose people join it.
	Orgs []*handwash.Org
	Add  addForm
	// Invited and InviteLink are shown once, after a person is added.
	Invited    *handwash.User
	InviteLink string
}

// roles are the roles offered on the users page, weakest first.
var roles = []handwash.Role{handwash.RoleViewer, handwash.RoleOrgAdmin, handwash.RoleProviderAdmin}

// handleUsers lists the people who may sign in, within the visitor's
// scope, with their roles. Only administrators see it.
func (s *server) handleUsers(w http.ResponseWriter, r *http.Request) {
	p, ok := s.usersPage(w, r)
	if !ok {
		return
	}
	s.render(w, r, http.StatusOK, "users", "People and roles", p)
}

func (s *server) usersPage(w http.ResponseWriter, r *http.Request) (usersPage, bool) {
	v := visitorOf(r)
	pr := v.principal()
	if !pr.CanWrite() {
		s.fail(w, r, handwash.Errorf(handwash.EFORBIDDEN, "Only administrators can manage people and roles."))
		return usersPage{}, false
	}
	ctx := r.Context()
	users, err := s.store.Users(ctx, pr.Scope)
	if err != nil {
		s.fail(w, r, err)
		return usersPage{}, false
	}
	orgs, err := s.store.Orgs(ctx, pr.Scope)
	if err != nil {
		s.fail(w, r, err)
		return usersPage{}, false
	}
	names := map[string]string{}
	for _, o := range orgs {
		names[o.ID] = o.Name
	}
	p := usersPage{Add: addForm{Role: string(handwash.RoleViewer)}}
	if pr.OrgID == "" {
		p.Orgs = orgs
	}
	for _, role := range roles {
		if role.Rank() <= pr.Role.Rank() {
			p.Roles = append(p.Roles, role)
		}
	}
	for _, u := range users {
		rec, err := s.store.SignIn(ctx, u.ID)
		if err != nil {
			s.fail(w, r, err)
			return usersPage{}, false
		}
		p.Users = append(p.Users, userRow{User: u, OrgName: names[u.OrgID], MFA: rec.MFA(),
			Editable: u.ID != v.user.ID && u.Role.Rank() <= pr.Role.Rank()})
	}
	return p, true
}

// handleUserUpdate changes a person's role, or stops or lets them sign
// in. A stopped person is signed out everywhere at once.
func (s *server) handleUserUpdate(w http.ResponseWriter, r *http.Request) {
	v := visitorOf(r)
	pr := v.principal()
	if !pr.CanWrite() {
		s.fail(w, r, errReadOnly)
		return
	}
	ctx := r.Context()
	u, err := s.store.User(ctx, pr.Scope, r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	role := handwash.Role(r.PostFormValue("role"))
	disabled := r.PostFormValue("disabled") == "on"
	switch {
	case u.ID == v.user.ID:
		err = handwash.Errorf(handwash.EFORBIDDEN, "You cannot change your own role or stop yourself signing in: ask another administrator.")
	case u.Role.Rank() > pr.Role.Rank():
		err = handwash.Errorf(handwash.EFORBIDDEN, "%s is a %s, which your role may not change.", u.Email, roleTitle(u.Role))
	case !role.Valid():
		err = handwash.Errorf(handwash.EINVALID, "Choose a role from the list.")
	case role.Rank() > pr.Role.Rank():
		err = handwash.Errorf(handwash.EFORBIDDEN, "You may not give a role above your own.")
	case role == handwash.RoleProviderAdmin && u.OrgID != "":
		err = handwash.Errorf(handwash.EINVALID, "%s works with one organisation, so cannot be a provider administrator; they can be its organisation administrator.", u.Email)
	case role == handwash.RoleOrgAdmin && u.OrgID == "":
		err = handwash.Errorf(handwash.EINVALID, "%s works with every organisation, so cannot be one organisation's administrator; make them a provider administrator or a viewer.", u.Email)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	before := *u
	u.Role, u.Disabled = role, disabled
	if err := s.store.UpdateUser(ctx, pr.Scope, u); err != nil {
		s.fail(w, r, err)
		return
	}
	if disabled && !before.Disabled {
		if _, err := s.store.DeleteUserSessions(ctx, u.ID, ""); err != nil {
			s.log.ErrorContext(ctx, "could not sign a stopped user out", "user_id", u.ID, "err", err)
		}
	}
	s.auditAction(r, v, u.OrgID, "user.update", u.ID, fmt.Sprintf("%s: role %s → %s, may sign in %v → %v", u.Email, before.Role, u.Role, !before.Disabled, !u.Disabled))
	http.Redirect(w, r, "/users", http.StatusSeeOther)
}

// roleTitle names a role as people say it.
func roleTitle(r handwash.Role) string {
	switch r {
	case handwash.RoleProviderAdmin:
		return "provider administrator"
	case handwash.RoleOrgAdmin:
		return "organisation administrator"
	case handwash.RoleViewer:
		return "viewer"
	}
	return string(r)
}

// invitationLife is how long an invitation link works: a long weekend.
const invitationLife = 72 * time.Hour

// addForm is the form that adds a person, as typed.
type addForm struct {
	Email, Name, Role, Org, Error string
}

// handleUserCreate adds a person with a role and gives the administrator
// a one-time link, valid for 72 hours, with which that person chooses
// their password. Nobody but the person ever knows it.
func (s *server) handleUserCreate(w http.ResponseWriter, r *http.Request) {
	v := visitorOf(r)
	pr := v.principal()
	if !pr.CanWrite() {
		s.fail(w, r, errReadOnly)
		return
	}
	form := addForm{Email: strings.TrimSpace(r.PostFormValue("email")), Name: strings.TrimSpace(r.PostFormValue("name")),
		Role: r.PostFormValue("role"), Org: r.PostFormValue("org")}
	if pr.OrgID != "" {
		form.Org = pr.OrgID // an organisation's administrator adds people to it
	}
	role := handwash.Role(form.Role)
	var err error
	switch {
	case handwash.CheckEmail(form.Email) != nil:
		err = handwash.Errorf(handwash.EINVALID, "Email address: type the person's work email address, such as jo@rosehouse.example.")
	case handwash.CheckText("name", form.Name, 200) != nil:
		err = handwash.Errorf(handwash.EINVALID, "Name: type the person's name (at most 200 characters).")
	case !role.Valid() || role.Rank() > pr.Role.Rank():
		err = handwash.Errorf(handwash.EINVALID, "Role: choose one from the list.")
	case role == handwash.RoleProviderAdmin && form.Org != "":
		err = handwash.Errorf(handwash.EINVALID, "A provider administrator works with every organisation: choose \"every organisation\".")
	case role == handwash.RoleOrgAdmin && form.Org == "":
		err = handwash.Errorf(handwash.EINVALID, "An organisation administrator needs their organisation: choose it from the list.")
	}
	if err == nil && form.Org != "" {
		_, err = s.store.Org(r.Context(), pr.Scope, form.Org)
	}
	u := &handwash.User{ID: handwash.NewID("usr"), ProviderID: pr.ProviderID, OrgID: form.Org, Email: form.Email, Name: form.Name, Role: role, CreatedAt: s.now().UTC()}
	if err == nil {
		err = s.store.CreateUser(r.Context(), pr.Scope, u)
		if handwash.ErrorCode(err) == handwash.ECONFLICT {
			err = handwash.Errorf(handwash.EINVALID, "Someone with the email address %s can already sign in.", form.Email)
		}
	}
	if err != nil {
		if code := handwash.ErrorCode(err); code != handwash.EINVALID && code != handwash.ENOTFOUND {
			s.fail(w, r, err)
			return
		}
		p, ok := s.usersPage(w, r)
		if !ok {
			return
		}
		form.Error = handwash.ErrorMessage(err)
		p.Add = form
		s.render(w, r, http.StatusBadRequest, "users", "People and roles", p)
		return
	}
	secret := handwash.NewSecret()
	inv := &handwash.Invitation{ID: handwash.NewID("inv"), UserID: u.ID, SecretHash: handwash.HashSecret(secret), CreatedAt: s.now(), ExpiresAt: s.now().Add(invitationLife)}
	if err := s.store.CreateInvitation(r.Context(), inv); err != nil {
		s.fail(w, r, err)
		return
	}
	s.auditAction(r, v, u.OrgID, "user.create", u.ID, fmt.Sprintf("added %s as %s, with an invitation until %s", u.Email, roleTitle(u.Role), inv.ExpiresAt.Format(time.DateTime)))
	p, ok := s.usersPage(w, r)
	if !ok {
		return
	}
	p.Invited, p.InviteLink = u, s.serverURL(r)+"/welcome/"+handwash.Credential(handwash.PrefixInvitation, inv.ID, secret)
	s.render(w, r, http.StatusCreated, "users", "People and roles", p)
}

type welcomePage struct {
	Name, Email, Error string
}

// invitation checks the link's credential and returns the invitation and
// its user, or an error that says what to do.
func (s *server) invitation(r *http.Request) (*handwash.Invitation, *handwash.User, error) {
	bad := handwash.Errorf(handwash.ENOTFOUND, "This link does not work: it was used already, it has expired, or it was copied wrongly. Ask your administrator for a new one.")
	id, secret, ok := handwash.ParseCredential(handwash.PrefixInvitation, r.PathValue("invitation"))
	if !ok {
		return nil, nil, bad
	}
	inv, err := s.store.InvitationForAuth(r.Context(), id)
	if handwash.ErrorCode(err) == handwash.ENOTFOUND || (err == nil && (!handwash.SecretMatches(secret, inv.SecretHash) || s.now().After(inv.ExpiresAt))) {
		return nil, nil, bad
	}
	if err != nil {
		return nil, nil, err
	}
	u, err := s.store.UserForAuth(r.Context(), inv.UserID)
	if err != nil || u.Disabled {
		return nil, nil, bad
	}
	return inv, u, nil
}

// handleWelcomePage asks an invited person to choose their password.
func (s *server) handleWelcomePage(w http.ResponseWriter, r *http.Request) {
	_, u, err := s.invitation(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "welcome", "Welcome to Handwash", welcomePage{Name: u.Name, Email: u.Email})
}

// handleWelcome sets an invited person's first password, using up the
// invitation, and sends them to sign in.
func (s *server) handleWelcome(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxForm)
	inv, u, err := s.invitation(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	page := welcomePage{Name: u.Name, Email: u.Email}
	password := r.PostFormValue("password")
	if password != r.PostFormValue("confirm") {
		page.Error = "The two passwords are not the same. Type the same password in both boxes."
		s.render(w, r, http.StatusBadRequest, "welcome", "Welcome to Handwash", page)
		return
	}
	if err := passhash.CheckNew(password, nil); err != nil {
		page.Error = handwash.ErrorMessage(err)
		s.render(w, r, http.StatusBadRequest, "welcome", "Welcome to Handwash", page)
		return
	}
	hash, err := passhash.Hash(password)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	used, err := s.store.UseInvitation(r.Context(), inv.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if !used {
		s.fail(w, r, handwash.Errorf(handwash.ENOTFOUND, "This link was used already. Sign in with the password you chose, or ask your administrator for a new link."))
		return
	}
	if err := s.store.SetPassword(r.Context(), u.ID, hash, s.now()); err != nil {
		s.fail(w, r, err)
		return
	}
	s.audit(r, u, u, "user.password_set", u.ID, "chose a first password with an invitation")
	http.Redirect(w, r, "/signin", http.StatusSeeOther)
}
