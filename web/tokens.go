package web

import (
	"net/http"
	"strings"
	"time"

	"github.com/handwash/handwash"
)

// Bounds of token lifetimes and uses.
const (
	defaultTokenLife = 30 * 24 * time.Hour
	maxTokenLife     = 365 * 24 * time.Hour
	minTokenLife     = time.Hour
	maxTokenName     = 200
	credentialNote   = "keep it secret: it is shown only now"
)

type tokenRequest struct {
	Name      string        `json:"name"`
	Role      handwash.Role `json:"role"`
	OrgID     string        `json:"org_id"`
	ExpiresIn string        `json:"expires_in"`
}

// createdToken is a new API token with its credential: the only answer
// that holds it.
type createdToken struct {
	*handwash.APIToken
	Credential string `json:"credential"`
	Note       string `json:"note"`
}

func handleTokenCreate(s *server) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := principalOf(r)
		var req tokenRequest
		if err := decodeJSON(w, r, &req); err != nil {
			writeErr(w, r, err)
			return
		}
		req.Name = strings.TrimSpace(req.Name)
		if err := handwash.CheckText("name", req.Name, maxTokenName); err != nil {
			writeErr(w, r, err)
			return
		}
		life := defaultTokenLife
		if req.ExpiresIn != "" {
			var err error
			if life, err = parseDuration("expires_in", req.ExpiresIn, minTokenLife, maxTokenLife); err != nil {
				writeErr(w, r, err)
				return
			}
		}
		if err := mayGrant(r, s.store, p, req.Role, req.OrgID); err != nil {
			writeErr(w, r, err)
			return
		}
		now := s.now().UTC()
		expires := now.Add(life)
		secret := handwash.NewSecret()
		t := &handwash.APIToken{
			ID:         handwash.NewID("tok"),
			Name:       req.Name,
			ProviderID: p.ProviderID,
			OrgID:      req.OrgID,
			Role:       req.Role,
			SecretHash: handwash.HashSecret(secret),
			CreatedAt:  now,
			ExpiresAt:  &expires,
		}
		if err := s.store.CreateAPIToken(r.Context(), p.Scope, t); err != nil {
			writeErr(w, r, err)
			return
		}
		writeJSON(w, http.StatusCreated, createdToken{APIToken: t, Credential: handwash.Credential(handwash.PrefixAPIToken, t.ID, secret), Note: credentialNote})
	})
}

func handleTokenRevoke(store handwash.Store) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := principalOf(r)
		id := r.PathValue("id")
		// APIToken looks in every tenancy (it is for authentication), so
		// the scope is checked here, and a token outside it is as absent
		// as one that does not exist.
		t, err := store.APIToken(r.Context(), id)
		if err == nil && !p.Scope.Covers(t.ProviderID, t.OrgID) {
			err = handwash.Errorf(handwash.ENOTFOUND, "no API token %q", id)
		}
		if err != nil {
			writeErr(w, r, err)
			return
		}
		if t.Role.Rank() > p.Role.Rank() {
			writeErr(w, r, handwash.Errorf(handwash.EFORBIDDEN, "token %s has role %s, which your role (%s) may not revoke", t.ID, t.Role, p.Role))
			return
		}
		if err := store.RevokeAPIToken(r.Context(), p.Scope, id); err != nil {
			writeErr(w, r, err)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
}

type enrollTokenRequest struct {
	OrgID     string `json:"org_id"`
	SiteID    string `json:"site_id"`
	MaxUses   *int   `json:"max_uses"`
	ExpiresIn string `json:"expires_in"`
}

type createdEnrollToken struct {
	*handwash.EnrollToken
	Credential string `json:"credential"`
	Note       string `json:"note"`
}

func handleEnrollTokenCreate(s *server) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := principalOf(r)
		var req enrollTokenRequest
		if err := decodeJSON(w, r, &req); err != nil {
			writeErr(w, r, err)
			return
		}
		if req.OrgID == "" {
			writeErr(w, r, invalid("org_id", "missing: say which organisation the devices join"))
			return
		}
		if _, err := s.store.Org(r.Context(), p.Scope, req.OrgID); err != nil {
			writeErr(w, r, err)
			return
		}
		if req.SiteID != "" {
			if err := siteInOrg(r, s.store, p.Scope, req.OrgID, req.SiteID); err != nil {
				writeErr(w, r, err)
				return
			}
		}
		uses := 1
		if req.MaxUses != nil {
			uses = *req.MaxUses
		}
		life := handwash.DefaultEnrollLife
		if req.ExpiresIn != "" {
			var err error
			if life, err = parseDuration("expires_in", req.ExpiresIn, handwash.MinEnrollLife, handwash.MaxEnrollLife); err != nil {
				writeErr(w, r, err)
				return
			}
		}
		t, secret, err := handwash.NewEnrollToken(p.ProviderID, req.OrgID, req.SiteID, uses, life, s.now())
		if err != nil {
			writeErr(w, r, err)
			return
		}
		if err := s.store.CreateEnrollToken(r.Context(), p.Scope, t); err != nil {
			writeErr(w, r, err)
			return
		}
		writeJSON(w, http.StatusCreated, createdEnrollToken{EnrollToken: t, Credential: handwash.Credential(handwash.PrefixEnrollToken, t.ID, secret), Note: credentialNote})
	})
}

// siteInOrg checks that a site belongs to an organisation in scope.
func siteInOrg(r *http.Request, store handwash.Store, scope handwash.Scope, orgID, siteID string) error {
	sites, err := store.Sites(r.Context(), scope, orgID)
	if err != nil {
		return err
	}
	for _, s := range sites {
		if s.ID == siteID {
			return nil
		}
	}
	return invalid("site_id", "organisation %s has no site %q: list its sites with GET /api/v1/orgs/%s/sites", orgID, siteID, orgID)
}

func handleEnrollTokenRevoke(store handwash.Store) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := store.RevokeEnrollToken(r.Context(), principalOf(r).Scope, r.PathValue("id")); err != nil {
			writeErr(w, r, err)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
}
