package dashboard

import (
	"fmt"
	"net/http"

	"github.com/handwash/handwash"
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
	Error string
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
	p := usersPage{}
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
