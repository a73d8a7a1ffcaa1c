package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"strings"

	"github.com/handwash/handwash"
)

// CreateProvider adds a provider with a new ID. Provider names are unique,
// so administrators can name one on the command line.
func (s *Store) CreateProvider(ctx context.Context, p *handwash.Provider) error {
	p.Name = strings.TrimSpace(p.Name)
	if p.Name == "" {
		return invalid("provider name is empty")
	}
	id, created := handwash.NewID("prov"), s.nowOr(p.CreatedAt)
	_, err := s.write.ExecContext(ctx, `INSERT INTO providers (id, name, created_at) VALUES ($1, $2, $3)`,
		id, p.Name, micros(created))
	if err != nil {
		if s.d.IsUniqueViolation(err) {
			return handwash.Errorf(handwash.ECONFLICT, "a provider named %q already exists", p.Name)
		}
		return s.dbErr("create provider", err)
	}
	p.ID, p.CreatedAt = id, created
	return nil
}

// Providers lists every provider by name.
func (s *Store) Providers(ctx context.Context) ([]*handwash.Provider, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT id, name, created_at FROM providers ORDER BY name, id`)
	if err != nil {
		return nil, s.dbErr("list providers", err)
	}
	defer rows.Close()
	var ps []*handwash.Provider
	for rows.Next() {
		var p handwash.Provider
		var created int64
		if err := rows.Scan(&p.ID, &p.Name, &created); err != nil {
			return nil, s.dbErr("list providers", err)
		}
		p.CreatedAt = fromMicros(created)
		ps = append(ps, &p)
	}
	return ps, s.dbErr("list providers", rows.Err())
}

// CreateOrg adds an organisation to the scope's provider. Names are unique
// within a provider. A scope limited to one organisation cannot create
// others.
func (s *Store) CreateOrg(ctx context.Context, scope handwash.Scope, o *handwash.Org) error {
	o.Name = strings.TrimSpace(o.Name)
	if o.Name == "" {
		return invalid("organisation name is empty")
	}
	if scope.OrgID != "" {
		return handwash.Errorf(handwash.EFORBIDDEN, "a scope limited to one organisation cannot create organisations")
	}
	id, created := handwash.NewID("org"), s.nowOr(o.CreatedAt)
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if err := providerExists(ctx, tx, scope); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO orgs (id, provider_id, name, created_at) VALUES ($1, $2, $3, $4)`,
			id, scope.ProviderID, o.Name, micros(created))
		if err != nil && s.d.IsUniqueViolation(err) {
			return handwash.Errorf(handwash.ECONFLICT, "an organisation named %q already exists", o.Name)
		}
		return err
	})
	if err != nil {
		return s.dbErr("create organisation", err)
	}
	o.ID, o.ProviderID, o.CreatedAt = id, scope.ProviderID, created
	return nil
}

// Orgs lists the organisations in scope by name.
func (s *Store) Orgs(ctx context.Context, scope handwash.Scope) ([]*handwash.Org, error) {
	var q query
	q.where("provider_id = ?", scope.ProviderID)
	if scope.OrgID != "" {
		q.where("id = ?", scope.OrgID)
	}
	return list(ctx, s, "list organisations", scanOrg, `SELECT id, provider_id, name, created_at FROM orgs`+q.clause()+` ORDER BY name, id`, q.args...)
}

// Org returns one organisation in scope.
func (s *Store) Org(ctx context.Context, scope handwash.Scope, id string) (*handwash.Org, error) {
	if !scope.Covers(scope.ProviderID, id) {
		return nil, notFound("organisation", id)
	}
	o, err := scanOrg(s.read.QueryRowContext(ctx,
		`SELECT id, provider_id, name, created_at FROM orgs WHERE id = $1 AND provider_id = $2`, id, scope.ProviderID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("organisation", id)
	}
	return o, s.dbErr("find organisation", err)
}

func scanOrg(r scanner) (*handwash.Org, error) {
	var o handwash.Org
	var created int64
	if err := r.Scan(&o.ID, &o.ProviderID, &o.Name, &created); err != nil {
		return nil, err
	}
	o.CreatedAt = fromMicros(created)
	return &o, nil
}

// CreateSite adds a site to an organisation in scope. Names are unique
// within an organisation.
func (s *Store) CreateSite(ctx context.Context, scope handwash.Scope, site *handwash.Site) error {
	site.Name = strings.TrimSpace(site.Name)
	if site.Name == "" {
		return invalid("site name is empty")
	}
	id, created := handwash.NewID("site"), s.nowOr(site.CreatedAt)
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if err := s.orgInScope(ctx, tx, scope, site.OrgID); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO sites (id, provider_id, org_id, name, created_at) VALUES ($1, $2, $3, $4, $5)`,
			id, scope.ProviderID, site.OrgID, site.Name, micros(created))
		if err != nil && s.d.IsUniqueViolation(err) {
			return handwash.Errorf(handwash.ECONFLICT, "a site named %q already exists in this organisation", site.Name)
		}
		return err
	})
	if err != nil {
		return s.dbErr("create site", err)
	}
	site.ID, site.CreatedAt = id, created
	return nil
}

// Sites lists an organisation's sites by name.
func (s *Store) Sites(ctx context.Context, scope handwash.Scope, orgID string) ([]*handwash.Site, error) {
	if err := s.orgInScope(ctx, s.read, scope, orgID); err != nil {
		return nil, err
	}
	rows, err := s.read.QueryContext(ctx,
		`SELECT id, org_id, name, created_at FROM sites WHERE org_id = $1 AND provider_id = $2 ORDER BY name, id`,
		orgID, scope.ProviderID)
	if err != nil {
		return nil, s.dbErr("list sites", err)
	}
	defer rows.Close()
	var ss []*handwash.Site
	for rows.Next() {
		var site handwash.Site
		var created int64
		if err := rows.Scan(&site.ID, &site.OrgID, &site.Name, &created); err != nil {
			return nil, s.dbErr("list sites", err)
		}
		site.CreatedAt = fromMicros(created)
		ss = append(ss, &site)
	}
	return ss, s.dbErr("list sites", rows.Err())
}

// memberOrg settles which organisation a user or token created or changed
// within scope belongs to: a scope limited to one organisation can only
// place them there (and does so when none is named); a provider scope can
// place them in any of its organisations, or none for the whole provider.
func (s *Store) memberOrg(ctx context.Context, db querier, scope handwash.Scope, orgID string) (string, error) {
	if orgID == "" {
		return scope.OrgID, nil
	}
	if err := s.orgInScope(ctx, db, scope, orgID); err != nil {
		return "", err
	}
	return orgID, nil
}

// providerExists refuses a scope whose provider is gone.
func providerExists(ctx context.Context, tx *sql.Tx, scope handwash.Scope) error {
	var one int
	err := tx.QueryRowContext(ctx, `SELECT 1 FROM providers WHERE id = $1`, scope.ProviderID).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return notFound("provider", scope.ProviderID)
	}
	return err
}

// roleOrg is the organisation a new user or token (what) with role
// belongs to: orgID, which must be in scope, or the scope's own; an
// org_admin needs one.
func (s *Store) roleOrg(ctx context.Context, tx *sql.Tx, scope handwash.Scope, orgID string, role handwash.Role, what string) (string, error) {
	if err := providerExists(ctx, tx, scope); err != nil {
		return "", err
	}
	org, err := s.memberOrg(ctx, tx, scope, orgID)
	if err != nil {
		return "", err
	}
	if role == handwash.RoleOrgAdmin && org == "" {
		return "", invalid("an org_admin %s needs an organisation", what)
	}
	return org, nil
}

const userColumns = `id, provider_id, org_id, email, name, role, disabled, created_at`

func scanUser(r scanner) (*handwash.User, error) {
	var u handwash.User
	var org sql.NullString
	var created int64
	if err := r.Scan(&u.ID, &u.ProviderID, &org, &u.Email, &u.Name, &u.Role, &u.Disabled, &created); err != nil {
		return nil, err
	}
	u.OrgID, u.CreatedAt = org.String, fromMicros(created)
	return &u, nil
}

// CreateUser adds a user within scope. Email addresses are unique across
// the server, since people sign in with them before any scope is known.
func (s *Store) CreateUser(ctx context.Context, scope handwash.Scope, u *handwash.User) error {
	u.Email = strings.ToLower(strings.TrimSpace(u.Email))
	if u.Email == "" || !strings.Contains(u.Email, "@") {
		return invalid("user email %q is not an email address", u.Email)
	}
	if !u.Role.Valid() {
		return invalid("user role %q is not one of provider_admin, org_admin, viewer", u.Role)
	}
	id, created := handwash.NewID("usr"), s.nowOr(u.CreatedAt)
	var org string
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var err error
		if org, err = s.roleOrg(ctx, tx, scope, u.OrgID, u.Role, "user"); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO users (`+userColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
			id, scope.ProviderID, optString(org), u.Email, u.Name, string(u.Role), u.Disabled, micros(created))
		if err != nil && s.d.IsUniqueViolation(err) {
			return handwash.Errorf(handwash.ECONFLICT, "a user with the email %q already exists", u.Email)
		}
		return err
	})
	if err != nil {
		return s.dbErr("create user", err)
	}
	u.ID, u.ProviderID, u.OrgID, u.CreatedAt = id, scope.ProviderID, org, created
	return nil
}

// Users lists the users in scope by email.
func (s *Store) Users(ctx context.Context, scope handwash.Scope) ([]*handwash.User, error) {
	var q query
	q.scoped(scope, "users")
	return list(ctx, s, "list users", scanUser, `SELECT `+userColumns+` FROM users`+q.clause()+` ORDER BY email`, q.args...)
}

// User returns one user in scope.
func (s *Store) User(ctx context.Context, scope handwash.Scope, id string) (*handwash.User, error) {
	var q query
	q.where("id = ?", id)
	q.scoped(scope, "users")
	u, err := scanUser(s.read.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users`+q.clause(), q.args...))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("user", id)
	}
	return u, s.dbErr("find user", err)
}

// UpdateUser changes a user's name, role, organisation and disabled flag,
// and fills u with the stored user.
func (s *Store) UpdateUser(ctx context.Context, scope handwash.Scope, u *handwash.User) error {
	if !u.Role.Valid() {
		return invalid("user role %q is not one of provider_admin, org_admin, viewer", u.Role)
	}
	var stored *handwash.User
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		org, err := s.memberOrg(ctx, tx, scope, u.OrgID)
		if err != nil {
			return err
		}
		if u.Role == handwash.RoleOrgAdmin && org == "" {
			return invalid("an org_admin user needs an organisation")
		}
		var q query
		set := `UPDATE users SET name = ` + q.arg(u.Name) + `, role = ` + q.arg(string(u.Role)) +
			`, org_id = ` + q.arg(optString(org)) + `, disabled = ` + q.arg(u.Disabled)
		q.where("id = ?", u.ID)
		q.scoped(scope, "users")
		stored, err = scanUser(tx.QueryRowContext(ctx, set+q.clause()+` RETURNING `+userColumns, q.args...))
		if errors.Is(err, sql.ErrNoRows) {
			return notFound("user", u.ID)
		}
		return err
	})
	if err != nil {
		return s.dbErr("update user", err)
	}
	*u = *stored
	return nil
}
