package web

import (
	"context"
	"net/http"
	"strings"

	"github.com/handwash/handwash"
)

type nameRequest struct {
	Name string `json:"name"`
}

func (n *nameRequest) validate() error {
	n.Name = strings.TrimSpace(n.Name)
	return handwash.CheckText("name", n.Name, 200)
}

// handleScopedList answers a list of everything of one kind in the
// caller's scope, which takes no query parameters.
func handleScopedList[T any](store handwash.Store, list func(handwash.Store, context.Context, handwash.Scope) ([]T, error)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := noQuery(r); err != nil {
			writeErr(w, r, err)
			return
		}
		items, err := list(store, r.Context(), principalOf(r).Scope)
		if err != nil {
			writeErr(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, newList(items, len(items)))
	})
}

// handleOrgFilteredList answers a list of everything of one kind in the
// caller's scope, or with ?org= in one organisation of it.
func handleOrgFilteredList[T any](store handwash.Store, list func(handwash.Store, context.Context, handwash.Scope, string) ([]T, error)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		v, err := query(r, "org")
		if err != nil {
			writeErr(w, r, err)
			return
		}
		scope := principalOf(r).Scope
		orgID := v.Get("org")
		if orgID != "" {
			if _, err := store.Org(r.Context(), scope, orgID); err != nil {
				writeErr(w, r, err)
				return
			}
		}
		items, err := list(store, r.Context(), scope, orgID)
		if err != nil {
			writeErr(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, newList(items, len(items)))
	})
}

func handleOrgCreate(s *server) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := principalOf(r)
		var req nameRequest
		if err := decodeJSON(w, r, &req); err != nil {
			writeErr(w, r, err)
			return
		}
		if err := req.validate(); err != nil {
			writeErr(w, r, err)
			return
		}
		o := &handwash.Org{ID: handwash.NewID("org"), ProviderID: p.ProviderID, Name: req.Name, CreatedAt: s.now().UTC()}
		if err := s.store.CreateOrg(r.Context(), p.Scope, o); err != nil {
			writeErr(w, r, err)
			return
		}
		writeJSON(w, http.StatusCreated, o)
	})
}

// orgView is an organisation with its scores.
type orgView struct {
	*handwash.Org
	Scores *handwash.OrgScores `json:"scores"`
}

func handleOrgGet(store handwash.Store) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		scope := principalOf(r).Scope
		o, err := store.Org(r.Context(), scope, r.PathValue("org"))
		if err != nil {
			writeErr(w, r, err)
			return
		}
		sc, err := store.OrgScores(r.Context(), scope, o.ID)
		if err != nil {
			writeErr(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, orgView{Org: o, Scores: sc})
	})
}

func handleSiteList(store handwash.Store) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		scope := principalOf(r).Scope
		o, err := store.Org(r.Context(), scope, r.PathValue("org"))
		if err != nil {
			writeErr(w, r, err)
			return
		}
		sites, err := store.Sites(r.Context(), scope, o.ID)
		if err != nil {
			writeErr(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, newList(sites, len(sites)))
	})
}

func handleSiteCreate(s *server) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		scope := principalOf(r).Scope
		o, err := s.store.Org(r.Context(), scope, r.PathValue("org"))
		if err != nil {
			writeErr(w, r, err)
			return
		}
		var req nameRequest
		if err := decodeJSON(w, r, &req); err != nil {
			writeErr(w, r, err)
			return
		}
		if err := req.validate(); err != nil {
			writeErr(w, r, err)
			return
		}
		site := &handwash.Site{ID: handwash.NewID("site"), OrgID: o.ID, Name: req.Name, CreatedAt: s.now().UTC()}
		if err := s.store.CreateSite(r.Context(), scope, site); err != nil {
			writeErr(w, r, err)
			return
		}
		writeJSON(w, http.StatusCreated, site)
	})
}

// mayGrant checks that p may give someone role in orgID (empty: the whole
// provider): a role no stronger than p's own, within p's scope, and only
// roles that make sense at that level. A missing organisation is
// ENOTFOUND, as is one outside p's scope.
func mayGrant(r *http.Request, store handwash.Store, p handwash.Principal, role handwash.Role, orgID string) error {
	if !role.Valid() {
		return invalid("role", "%q is not a role: use provider_admin, org_admin or viewer", role)
	}
	if role.Rank() > p.Role.Rank() {
		return handwash.Errorf(handwash.EFORBIDDEN, "role %s is more than your own (%s) may grant", role, p.Role)
	}
	if orgID == "" {
		if role == handwash.RoleOrgAdmin {
			return invalid("org_id", "an org_admin needs the organisation they administer")
		}
		if p.OrgID != "" {
			return handwash.Errorf(handwash.EFORBIDDEN, "you are limited to one organisation, so you may grant roles only in it: give org_id")
		}
		return nil
	}
	if p.OrgID != "" && orgID != p.OrgID {
		// Outside the caller's scope reads as absent, as everywhere.
		return handwash.Errorf(handwash.ENOTFOUND, "no organisation %q: check the ID with GET /api/v1/orgs", orgID)
	}
	if _, err := store.Org(r.Context(), p.Scope, orgID); err != nil {
		return err
	}
	return nil
}

type userRequest struct {
	Email string        `json:"email"`
	Name  string        `json:"name"`
	Role  handwash.Role `json:"role"`
	OrgID string        `json:"org_id"`
}

func handleUserCreate(s *server) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := principalOf(r)
		var req userRequest
		if err := decodeJSON(w, r, &req); err != nil {
			writeErr(w, r, err)
			return
		}
		req.Email = strings.TrimSpace(req.Email)
		req.Name = strings.TrimSpace(req.Name)
		if err := handwash.CheckEmail(req.Email); err != nil {
			writeErr(w, r, err)
			return
		}
		if err := handwash.CheckText("name", req.Name, 200); err != nil {
			writeErr(w, r, err)
			return
		}
		if err := mayGrant(r, s.store, p, req.Role, req.OrgID); err != nil {
			writeErr(w, r, err)
			return
		}
		u := &handwash.User{
			ID:         handwash.NewID("usr"),
			ProviderID: p.ProviderID,
			OrgID:      req.OrgID,
			Email:      req.Email,
			Name:       req.Name,
			Role:       req.Role,
			CreatedAt:  s.now().UTC(),
		}
		if err := s.store.CreateUser(r.Context(), p.Scope, u); err != nil {
			writeErr(w, r, err)
			return
		}
		writeJSON(w, http.StatusCreated, u)
	})
}

// userPatch changes what it names and leaves the rest.
type userPatch struct {
	Name     *string        `json:"name"`
	Role     *handwash.Role `json:"role"`
	OrgID    *string        `json:"org_id"`
	Disabled *bool          `json:"disabled"`
}

func handleUserUpdate(store handwash.Store) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := principalOf(r)
		u, err := store.User(r.Context(), p.Scope, r.PathValue("id"))
		if err != nil {
			writeErr(w, r, err)
			return
		}
		var req userPatch
		if err := decodeJSON(w, r, &req); err != nil {
			writeErr(w, r, err)
			return
		}
		if u.Role.Rank() > p.Role.Rank() {
			writeErr(w, r, handwash.Errorf(handwash.EFORBIDDEN, "%s is a %s, which your role (%s) may not change", u.ID, u.Role, p.Role))
			return
		}
		if req.Name != nil {
			u.Name = strings.TrimSpace(*req.Name)
			if err := handwash.CheckText("name", u.Name, 200); err != nil {
				writeErr(w, r, err)
				return
			}
		}
		if req.Role != nil {
			u.Role = *req.Role
		}
		if req.OrgID != nil {
			u.OrgID = *req.OrgID
		}
		if req.Disabled != nil {
			u.Disabled = *req.Disabled
		}
		if req.Role != nil || req.OrgID != nil {
			if err := mayGrant(r, store, p, u.Role, u.OrgID); err != nil {
				writeErr(w, r, err)
				return
			}
		}
		if err := store.UpdateUser(r.Context(), p.Scope, u); err != nil {
			writeErr(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, u)
	})
}
