package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/handwash/handwash"
)

// adminOptions are the flags every admin command shares.
type adminOptions struct {
	data, database string
	format         string
}

var adminFlags = []string{"data", "database", "format"}

func newAdminCommand() *cobra.Command {
	o := &adminOptions{}
	cmd := &cobra.Command{
		Use:   "admin",
		Short: "Manage the server's providers, organisations, sites, users and tokens",
		Long: `Admin manages the server's data directly, in the same data directory or database
as handwash serve (which may be running): providers, organisations, sites,
users, API tokens and enrolment tokens. It is for the server's operator: it can
see and change every tenant, so run it only where the data is.

Credentials (API tokens, enrolment tokens) are printed once, when made; the
server keeps only a hash of them.

` + toolExitCodesHelp,
		Example: `  handwash admin provider create "Careful IT Ltd"
  handwash admin token create --provider prov_… --role provider_admin --name "Sam's laptop"
  handwash admin org create --provider prov_… "Rose House Care Home"
  handwash admin enroll-token --org "Rose House Care Home" --uses 20`,
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			for _, n := range adminFlags {
				f := cmd.Flags().Lookup(n)
				if f == nil || f.Changed {
					continue
				}
				if v, ok := os.LookupEnv(envName(n)); ok {
					if err := cmd.Flags().Set(n, v); err != nil {
						return usageError{fmt.Errorf("%s (for --%s): %v", envName(n), n, err)}
					}
				}
			}
			if o.format != "text" && o.format != "json" {
				return handwash.Errorf(handwash.EINVALID, "--format %q: use text or json", o.format)
			}
			return nil
		},
	}
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if len(args) > 0 {
			return usageError{fmt.Errorf("unknown command %q for handwash admin: use one of %s", args[0], verbs(cmd))}
		}
		return cmd.Help()
	}
	pf := cmd.PersistentFlags()
	pf.StringVar(&o.data, "data", "handwash-data", "handwash serve's data directory (SQLite)")
	pf.StringVar(&o.database, "database", "", "handwash serve's postgres:// URL, when it uses PostgreSQL")
	pf.StringVar(&o.format, "format", "text", "output format: text or json")
	describeEnv(cmd, adminFlags)

	cmd.AddCommand(
		adminGroup("provider", "Providers: IT companies, or a care organisation that runs Handwash itself",
			newProviderCreateCommand(o), newProviderListCommand(o)),
		adminGroup("org", "Organisations a provider looks after",
			newOrgCreateCommand(o), newOrgListCommand(o)),
		adminGroup("site", "Sites (places) of an organisation",
			newSiteCreateCommand(o), newSiteListCommand(o)),
		adminGroup("user", "People who will sign in to the dashboard",
			newUserCreateCommand(o), newUserListCommand(o)),
		adminGroup("token", "API tokens, for scripts and tools",
			newTokenCreateCommand(o), newTokenListCommand(o), newTokenRevokeCommand(o)),
		newEnrollTokenCommand(o),
	)
	return cmd
}

// adminGroup is a noun with its verbs.
func adminGroup(use, short string, subs ...*cobra.Command) *cobra.Command {
	c := &cobra.Command{Use: use, Short: short, Args: cobra.ArbitraryArgs}
	c.RunE = func(cmd *cobra.Command, args []string) error {
		if len(args) > 0 {
			return usageError{fmt.Errorf("unknown command %q for handwash admin %s: use one of %s", args[0], use, verbs(cmd))}
		}
		return usageError{fmt.Errorf("say what to do with %s: %s", use, verbs(cmd))}
	}
	c.AddCommand(subs...)
	for _, s := range subs {
		s.Args = wrapArgs(s.Args)
	}
	return c
}

func verbs(cmd *cobra.Command) string {
	var v []string
	for _, c := range cmd.Commands() {
		if c.Name() != "help" {
			v = append(v, c.Name())
		}
	}
	return strings.Join(v, ", ")
}

// withStore opens the store for the length of one command.
func (o *adminOptions) withStore(cmd *cobra.Command, fn func(ctx context.Context, s handwash.Store) error) error {
	ctx := cmd.Context()
	if ctx == nil {
		ctx = context.Background()
	}
	store, _, err := openStore(ctx, o.data, o.database)
	if err != nil {
		return err
	}
	defer store.Close()
	return fn(ctx, store)
}

// required refuses an empty flag, naming it.
func required(name, v string) error {
	if strings.TrimSpace(v) == "" {
		return usageError{fmt.Errorf("--%s is required", name)}
	}
	return nil
}

// table prints rows under a header, or the items as JSON.
func (o *adminOptions) table(w io.Writer, items any, header string, rows [][]string) error {
	if o.format == "json" {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(items)
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, header)
	for _, r := range rows {
		fmt.Fprintln(tw, strings.Join(r, "\t"))
	}
	return tw.Flush()
}

// created prints what was made, as JSON or in words.
func (o *adminOptions) created(w io.Writer, v any, text string) error {
	if o.format == "json" {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(v)
	}
	_, err := fmt.Fprintln(w, text)
	return err
}

func newProviderCreateCommand(o *adminOptions) *cobra.Command {
	return &cobra.Command{
		Use:   "create NAME",
		Short: "Create a provider",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			name := strings.TrimSpace(args[0])
			if name == "" {
				return handwash.Errorf(handwash.EINVALID, "NAME: give the provider's name")
			}
			return o.withStore(cmd, func(ctx context.Context, s handwash.Store) error {
				p := &handwash.Provider{Name: name}
				if err := s.CreateProvider(ctx, p); err != nil {
					return err
				}
				return o.created(cmd.OutOrStdout(), p, fmt.Sprintf("Created provider %s (%s).\nNext: handwash admin token create --provider %s --role provider_admin --name \"first administrator\"", p.ID, p.Name, p.ID))
			})
		},
	}
}

func newProviderListCommand(o *adminOptions) *cobra.Command {
	return &cobra.Command{
		Use:   "list",
		Short: "List providers",
		RunE: func(cmd *cobra.Command, _ []string) error {
			return o.withStore(cmd, func(ctx context.Context, s handwash.Store) error {
				ps, err := s.Providers(ctx)
				if err != nil {
					return err
				}
				var rows [][]string
				for _, p := range ps {
					rows = append(rows, []string{p.ID, p.Name, p.CreatedAt.Format(time.DateOnly)})
				}
				return o.table(cmd.OutOrStdout(), nonNil(ps), "ID\tNAME\tCREATED", rows)
			})
		},
	}
}

// findProvider finds a provider by ID or exact name.
func findProvider(ctx context.Context, s handwash.Store, idOrName string) (*handwash.Provider, error) {
	ps, err := s.Providers(ctx)
	if err != nil {
		return nil, err
	}
	var byName []*handwash.Provider
	for _, p := range ps {
		if p.ID == idOrName {
			return p, nil
		}
		if strings.EqualFold(p.Name, idOrName) {
			byName = append(byName, p)
		}
	}
	switch len(byName) {
	case 1:
		return byName[0], nil
	case 0:
		return nil, handwash.Errorf(handwash.ENOTFOUND, "--provider %q: no provider has that ID or name; list them with handwash admin provider list", idOrName)
	}
	return nil, handwash.Errorf(handwash.EINVALID, "--provider %q: %d providers have that name; give the ID instead (handwash admin provider list)", idOrName, len(byName))
}

// findOrg finds an organisation by ID or exact name among every
// provider's, or within one provider's when provider is set.
func findOrg(ctx context.Context, s handwash.Store, idOrName string, provider *handwash.Provider) (*handwash.Org, error) {
	ps := []*handwash.Provider{provider}
	if provider == nil {
		var err error
		if ps, err = s.Providers(ctx); err != nil {
			return nil, err
		}
	}
	var byName []*handwash.Org
	for _, p := range ps {
		orgs, err := s.Orgs(ctx, handwash.Scope{ProviderID: p.ID})
		if err != nil {
			return nil, err
		}
		for _, org := range orgs {
			if org.ID == idOrName {
				return org, nil
			}
			if strings.EqualFold(org.Name, idOrName) {
				byName = append(byName, org)
			}
		}
	}
	switch len(byName) {
	case 1:
		return byName[0], nil
	case 0:
		return nil, handwash.Errorf(handwash.ENOTFOUND, "--org %q: no organisation has that ID or name; list them with handwash admin org list", idOrName)
	}
	ids := make([]string, len(byName))
	for i, org := range byName {
		ids[i] = org.ID
	}
	return nil, handwash.Errorf(handwash.EINVALID, "--org %q: %d organisations have that name (%s); give the ID instead", idOrName, len(byName), strings.Join(ids, ", "))
}

func newOrgCreateCommand(o *adminOptions) *cobra.Command {
	var provider string
	c := &cobra.Command{
		Use:   "create --provider ID NAME",
		Short: "Create an organisation",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := required("provider", provider); err != nil {
				return err
			}
			name := strings.TrimSpace(args[0])
			if name == "" {
				return handwash.Errorf(handwash.EINVALID, "NAME: give the organisation's name")
			}
			return o.withStore(cmd, func(ctx context.Context, s handwash.Store) error {
				p, err := findProvider(ctx, s, provider)
				if err != nil {
					return err
				}
				org := &handwash.Org{Name: name, ProviderID: p.ID}
				if err := s.CreateOrg(ctx, handwash.Scope{ProviderID: p.ID}, org); err != nil {
					return err
				}
				return o.created(cmd.OutOrStdout(), org, fmt.Sprintf("Created organisation %s (%s) for %s.\nNext: handwash admin enroll-token --org %s", org.ID, org.Name, p.Name, org.ID))
			})
		},
	}
	c.Flags().StringVar(&provider, "provider", "", "the provider (ID or name) that looks after it")
	return c
}

func newOrgListCommand(o *adminOptions) *cobra.Command {
	var provider string
	c := &cobra.Command{
		Use:   "list [--provider ID]",
		Short: "List organisations",
		RunE: func(cmd *cobra.Command, _ []string) error {
			return o.withStore(cmd, func(ctx context.Context, s handwash.Store) error {
				ps, err := providersFor(ctx, s, provider)
				if err != nil {
					return err
				}
				var all []*handwash.Org
				var rows [][]string
				for _, p := range ps {
					orgs, err := s.Orgs(ctx, handwash.Scope{ProviderID: p.ID})
					if err != nil {
						return err
					}
					for _, org := range orgs {
						all = append(all, org)
						rows = append(rows, []string{org.ID, org.Name, p.Name, org.CreatedAt.Format(time.DateOnly)})
					}
				}
				return o.table(cmd.OutOrStdout(), nonNil(all), "ID\tNAME\tPROVIDER\tCREATED", rows)
			})
		},
	}
	c.Flags().StringVar(&provider, "provider", "", "only this provider's (ID or name)")
	return c
}

// providersFor is one provider, or all of them when idOrName is empty.
func providersFor(ctx context.Context, s handwash.Store, idOrName string) ([]*handwash.Provider, error) {
	if idOrName == "" {
		return s.Providers(ctx)
	}
	p, err := findProvider(ctx, s, idOrName)
	if err != nil {
		return nil, err
	}
	return []*handwash.Provider{p}, nil
}

func newSiteCreateCommand(o *adminOptions) *cobra.Command {
	var org string
	c := &cobra.Command{
		Use:   "create --org ID NAME",
		Short: "Create a site of an organisation",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := required("org", org); err != nil {
				return err
			}
			name := strings.TrimSpace(args[0])
			if name == "" {
				return handwash.Errorf(handwash.EINVALID, "NAME: give the site's name")
			}
			return o.withStore(cmd, func(ctx context.Context, s handwash.Store) error {
				ob, err := findOrg(ctx, s, org, nil)
				if err != nil {
					return err
				}
				site := &handwash.Site{OrgID: ob.ID, Name: name}
				if err := s.CreateSite(ctx, handwash.Scope{ProviderID: ob.ProviderID}, site); err != nil {
					return err
				}
				return o.created(cmd.OutOrStdout(), site, fmt.Sprintf("Created site %s (%s) of %s.", site.ID, site.Name, ob.Name))
			})
		},
	}
	c.Flags().StringVar(&org, "org", "", "the organisation (ID or name)")
	return c
}

func newSiteListCommand(o *adminOptions) *cobra.Command {
	var org string
	c := &cobra.Command{
		Use:   "list --org ID",
		Short: "List an organisation's sites",
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := required("org", org); err != nil {
				return err
			}
			return o.withStore(cmd, func(ctx context.Context, s handwash.Store) error {
				ob, err := findOrg(ctx, s, org, nil)
				if err != nil {
					return err
				}
				sites, err := s.Sites(ctx, handwash.Scope{ProviderID: ob.ProviderID}, ob.ID)
				if err != nil {
					return err
				}
				var rows [][]string
				for _, site := range sites {
					rows = append(rows, []string{site.ID, site.Name, site.CreatedAt.Format(time.DateOnly)})
				}
				return o.table(cmd.OutOrStdout(), nonNil(sites), "ID\tNAME\tCREATED", rows)
			})
		},
	}
	c.Flags().StringVar(&org, "org", "", "the organisation (ID or name)")
	return c
}

// tenancyFlags are a provider, an optional organisation within it and a
// role, as users and tokens take them.
type tenancyFlags struct {
	provider, org, role string
}

func (t *tenancyFlags) add(c *cobra.Command, what string) {
	c.Flags().StringVar(&t.provider, "provider", "", "the provider (ID or name) "+what+" belongs to")
	c.Flags().StringVar(&t.org, "org", "", "limit "+what+" to one organisation (ID or name) of the provider")
	c.Flags().StringVar(&t.role, "role", "", "provider_admin, org_admin or viewer")
}

// resolve checks the flags and returns the scope they give.
func (t *tenancyFlags) resolve(ctx context.Context, s handwash.Store) (handwash.Scope, handwash.Role, error) {
	if err := required("provider", t.provider); err != nil {
		return handwash.Scope{}, "", err
	}
	if err := required("role", t.role); err != nil {
		return handwash.Scope{}, "", err
	}
	role := handwash.Role(t.role)
	if !role.Valid() {
		return handwash.Scope{}, "", handwash.Errorf(handwash.EINVALID, "--role %q: use provider_admin, org_admin or viewer", t.role)
	}
	if role == handwash.RoleOrgAdmin && t.org == "" {
		return handwash.Scope{}, "", handwash.Errorf(handwash.EINVALID, "--org: an org_admin administers one organisation: say which")
	}
	p, err := findProvider(ctx, s, t.provider)
	if err != nil {
		return handwash.Scope{}, "", err
	}
	scope := handwash.Scope{ProviderID: p.ID}
	if t.org != "" {
		org, err := findOrg(ctx, s, t.org, p)
		if err != nil {
			return handwash.Scope{}, "", err
		}
		scope.OrgID = org.ID
	}
	return scope, role, nil
}

func newUserCreateCommand(o *adminOptions) *cobra.Command {
	var t tenancyFlags
	var email, name string
	c := &cobra.Command{
		Use:   "create --provider ID [--org ID] --role ROLE --email E --name N",
		Short: "Create a user",
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := required("email", email); err != nil {
				return err
			}
			if err := required("name", name); err != nil {
				return err
			}
			if !strings.Contains(email, "@") {
				return handwash.Errorf(handwash.EINVALID, "--email %q: give an email address", email)
			}
			return o.withStore(cmd, func(ctx context.Context, s handwash.Store) error {
				scope, role, err := t.resolve(ctx, s)
				if err != nil {
					return err
				}
				u := &handwash.User{ProviderID: scope.ProviderID, OrgID: scope.OrgID, Email: strings.TrimSpace(email), Name: strings.TrimSpace(name), Role: role}
				if err := s.CreateUser(ctx, scope, u); err != nil {
					return err
				}
				return o.created(cmd.OutOrStdout(), u, fmt.Sprintf("Created user %s (%s, %s).", u.ID, u.Email, u.Role))
			})
		},
	}
	t.add(c, "the user")
	c.Flags().StringVar(&email, "email", "", "the user's email address")
	c.Flags().StringVar(&name, "name", "", "the user's name")
	return c
}

func newUserListCommand(o *adminOptions) *cobra.Command {
	var provider string
	c := &cobra.Command{
		Use:   "list [--provider ID]",
		Short: "List users",
		RunE: func(cmd *cobra.Command, _ []string) error {
			return o.withStore(cmd, func(ctx context.Context, s handwash.Store) error {
				ps, err := providersFor(ctx, s, provider)
				if err != nil {
					return err
				}
				var all []*handwash.User
				var rows [][]string
				for _, p := range ps {
					users, err := s.Users(ctx, handwash.Scope{ProviderID: p.ID})
					if err != nil {
						return err
					}
					for _, u := range users {
						all = append(all, u)
						rows = append(rows, []string{u.ID, u.Email, u.Name, string(u.Role), orDash(u.OrgID), p.Name, strconv.FormatBool(u.Disabled)})
					}
				}
				return o.table(cmd.OutOrStdout(), nonNil(all), "ID\tEMAIL\tNAME\tROLE\tORG\tPROVIDER\tDISABLED", rows)
			})
		},
	}
	c.Flags().StringVar(&provider, "provider", "", "only this provider's (ID or name)")
	return c
}

func newTokenCreateCommand(o *adminOptions) *cobra.Command {
	var t tenancyFlags
	var name string
	var expires time.Duration
	c := &cobra.Command{
		Use:   "create --provider ID [--org ID] --role ROLE --name N [--expires 720h]",
		Short: "Create an API token (printed once)",
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := required("name", name); err != nil {
				return err
			}
			if expires < 0 {
				return handwash.Errorf(handwash.EINVALID, "--expires: give a duration such as 720h, or 0 for a token that does not expire")
			}
			return o.withStore(cmd, func(ctx context.Context, s handwash.Store) error {
				scope, role, err := t.resolve(ctx, s)
				if err != nil {
					return err
				}
				secret := handwash.NewSecret()
				tok := &handwash.APIToken{Name: strings.TrimSpace(name), ProviderID: scope.ProviderID, OrgID: scope.OrgID, Role: role, SecretHash: handwash.HashSecret(secret), CreatedAt: now().UTC()}
				if expires > 0 {
					e := tok.CreatedAt.Add(expires)
					tok.ExpiresAt = &e
				}
				if err := s.CreateAPIToken(ctx, scope, tok); err != nil {
					return err
				}
				cred := handwash.Credential(handwash.PrefixAPIToken, tok.ID, secret)
				if o.format == "json" {
					return o.created(cmd.OutOrStdout(), struct {
						*handwash.APIToken
						Credential string `json:"credential"`
					}{tok, cred}, "")
				}
				until := "never expires"
				if tok.ExpiresAt != nil {
					until = "expires " + tok.ExpiresAt.Format("2006-01-02 15:04 MST")
				}
				fmt.Fprintf(cmd.OutOrStdout(), "Created API token %s (%s, %s).\n\n  %s\n\nKeep it secret: it is shown only now. Send it as \"Authorization: Bearer <token>\".\n", tok.ID, tok.Role, until, cred)
				return nil
			})
		},
	}
	t.add(c, "the token")
	c.Flags().StringVar(&name, "name", "", "what the token is for, such as \"monitoring script\"")
	c.Flags().DurationVar(&expires, "expires", 30*24*time.Hour, "how long the token works (0: until revoked)")
	return c
}

func newTokenListCommand(o *adminOptions) *cobra.Command {
	var provider string
	c := &cobra.Command{
		Use:   "list [--provider ID]",
		Short: "List API tokens (never their secrets)",
		RunE: func(cmd *cobra.Command, _ []string) error {
			return o.withStore(cmd, func(ctx context.Context, s handwash.Store) error {
				ps, err := providersFor(ctx, s, provider)
				if err != nil {
					return err
				}
				var all []*handwash.APIToken
				var rows [][]string
				for _, p := range ps {
					tokens, err := s.APITokens(ctx, handwash.Scope{ProviderID: p.ID})
					if err != nil {
						return err
					}
					for _, t := range tokens {
						all = append(all, t)
						rows = append(rows, []string{t.ID, t.Name, string(t.Role), orDash(t.OrgID), p.Name, timeOrDash(t.ExpiresAt), timeOrDash(t.LastUsedAt), strconv.FormatBool(t.Revoked)})
					}
				}
				return o.table(cmd.OutOrStdout(), nonNil(all), "ID\tNAME\tROLE\tORG\tPROVIDER\tEXPIRES\tLAST USED\tREVOKED", rows)
			})
		},
	}
	c.Flags().StringVar(&provider, "provider", "", "only this provider's (ID or name)")
	return c
}

func newTokenRevokeCommand(o *adminOptions) *cobra.Command {
	return &cobra.Command{
		Use:   "revoke TOKEN_ID",
		Short: "Revoke an API token at once",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return o.withStore(cmd, func(ctx context.Context, s handwash.Store) error {
				t, err := s.APIToken(ctx, args[0])
				if err != nil {
					return err
				}
				if err := s.RevokeAPIToken(ctx, handwash.Scope{ProviderID: t.ProviderID}, t.ID); err != nil {
					return err
				}
				return o.created(cmd.OutOrStdout(), map[string]string{"revoked": t.ID}, fmt.Sprintf("Revoked API token %s (%s).", t.ID, t.Name))
			})
		},
	}
}

func newEnrollTokenCommand(o *adminOptions) *cobra.Command {
	var org, site, server, fingerprint string
	var uses int
	var expires time.Duration
	c := &cobra.Command{
		Use:   "enroll-token --org ID|NAME [--site ID] [--uses N] [--expires 24h]",
		Short: "Create an enrolment token for an organisation's computers (printed once)",
		Long: `Enroll-token makes an enrolment token: computers that present it with
handwash agent enroll join the organisation (and site). It works for --uses
computers, until --expires has passed, whichever comes first. It prints the
token once, with the commands to run on each computer.

handwash admin enroll-token list shows the tokens and their uses.`,
		Args: wrapArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := required("org", org); err != nil {
				return err
			}
			if uses < 1 || uses > 10000 {
				return handwash.Errorf(handwash.EINVALID, "--uses %d: give how many computers may enrol with it, from 1 to 10000", uses)
			}
			if expires < time.Minute || expires > 30*24*time.Hour {
				return handwash.Errorf(handwash.EINVALID, "--expires %s: give a duration from 1m to 720h (30 days); enrolment tokens are meant to be short-lived", expires)
			}
			return o.withStore(cmd, func(ctx context.Context, s handwash.Store) error {
				ob, err := findOrg(ctx, s, org, nil)
				if err != nil {
					return err
				}
				scope := handwash.Scope{ProviderID: ob.ProviderID}
				if site != "" {
					sites, err := s.Sites(ctx, scope, ob.ID)
					if err != nil {
						return err
					}
					found := false
					for _, st := range sites {
						if st.ID == site || strings.EqualFold(st.Name, site) {
							site, found = st.ID, true
							break
						}
					}
					if !found {
						return handwash.Errorf(handwash.ENOTFOUND, "--site %q: %s has no such site; list them with handwash admin site list --org %s", site, ob.Name, ob.ID)
					}
				}
				secret := handwash.NewSecret()
				created := now().UTC()
				t := &handwash.EnrollToken{ProviderID: ob.ProviderID, OrgID: ob.ID, SiteID: site, SecretHash: handwash.HashSecret(secret), MaxUses: uses, ExpiresAt: created.Add(expires), CreatedAt: created}
				if err := s.CreateEnrollToken(ctx, scope, t); err != nil {
					return err
				}
				cred := handwash.Credential(handwash.PrefixEnrollToken, t.ID, secret)
				if o.format == "json" {
					return o.created(cmd.OutOrStdout(), struct {
						*handwash.EnrollToken
						Credential string `json:"credential"`
					}{t, cred}, "")
				}
				fp := fingerprint
				if fp == "" {
					fp = dataDirFingerprint(o.data)
				}
				printEnrollInstructions(cmd.OutOrStdout(), ob, t, cred, server, fp)
				return nil
			})
		},
	}
	c.Flags().StringVar(&org, "org", "", "the organisation (ID or name) the computers join")
	c.Flags().StringVar(&site, "site", "", "the site (ID or name) they join")
	c.Flags().IntVar(&uses, "uses", 1, "how many computers may enrol with it")
	c.Flags().DurationVar(&expires, "expires", 24*time.Hour, "how long it works")
	c.Flags().StringVar(&server, "server", "", "the server's address as agents reach it, for the printed commands (default https://<this machine's name>:8443)")
	c.Flags().StringVar(&fingerprint, "fingerprint", "", "the server certificate's SHA-256 fingerprint, for the printed commands (default: the self-signed certificate's in --data)")
	describeEnv(c, []string{"server"})
	c.AddCommand(newEnrollTokenListCommand(o))
	return c
}

func newEnrollTokenListCommand(o *adminOptions) *cobra.Command {
	var org string
	c := &cobra.Command{
		Use:   "list [--org ID|NAME]",
		Short: "List enrolment tokens (never their secrets)",
		Args:  wrapArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			return o.withStore(cmd, func(ctx context.Context, s handwash.Store) error {
				type scoped struct {
					scope handwash.Scope
					orgID string
				}
				var which []scoped
				if org != "" {
					ob, err := findOrg(ctx, s, org, nil)
					if err != nil {
						return err
					}
					which = append(which, scoped{handwash.Scope{ProviderID: ob.ProviderID}, ob.ID})
				} else {
					ps, err := s.Providers(ctx)
					if err != nil {
						return err
					}
					for _, p := range ps {
						which = append(which, scoped{handwash.Scope{ProviderID: p.ID}, ""})
					}
				}
				var all []*handwash.EnrollToken
				var rows [][]string
				for _, w := range which {
					tokens, err := s.EnrollTokens(ctx, w.scope, w.orgID)
					if err != nil {
						return err
					}
					for _, t := range tokens {
						all = append(all, t)
						rows = append(rows, []string{t.ID, t.OrgID, orDash(t.SiteID), fmt.Sprintf("%d/%d", t.Uses, t.MaxUses), t.ExpiresAt.Format("2006-01-02 15:04 MST"), strconv.FormatBool(t.Revoked)})
					}
				}
				return o.table(cmd.OutOrStdout(), nonNil(all), "ID\tORG\tSITE\tUSES\tEXPIRES\tREVOKED", rows)
			})
		},
	}
	c.Flags().StringVar(&org, "org", "", "only this organisation's (ID or name)")
	return c
}

// dataDirFingerprint is the fingerprint of the self-signed certificate in
// the data directory, or "" when there is none.
func dataDirFingerprint(data string) string {
	b, err := os.ReadFile(filepath.Join(data, certFile))
	if err != nil {
		return ""
	}
	der, ok := firstCertificate(b)
	if !ok {
		return ""
	}
	return certFingerprint(der)
}

// printEnrollInstructions prints an enrolment token and the commands that
// use it on each platform.
func printEnrollInstructions(w io.Writer, org *handwash.Org, t *handwash.EnrollToken, cred, server, fingerprint string) {
	if server == "" {
		host, _ := os.Hostname()
		if host == "" {
			host = "SERVER"
		}
		server = "https://" + host + ":8443"
	}
	args := "--server " + shellQuote(server) + " --token " + cred
	if fingerprint != "" {
		args += " --fingerprint " + fingerprint
	}
	site := ""
	if t.SiteID != "" {
		site = ", site " + t.SiteID
	}
	fmt.Fprintf(w, `Enrolment token for %s (%s%s): %d use(s), until %s.

  %s

Keep it secret: it is shown only now, and anyone who has it can add computers
to %s until it is used up or expires.

On each computer, as an administrator:

Windows (PowerShell, "Run as administrator", in the folder with handwash.exe):
  .\handwash.exe agent enroll %s
  .\handwash.exe agent install

macOS (Terminal):
  sudo handwash agent enroll %s
  sudo handwash agent install

Linux:
  sudo handwash agent enroll %s
  sudo handwash agent install
`, org.Name, org.ID, site, t.MaxUses, t.ExpiresAt.Format("2006-01-02 15:04 MST"), cred, org.Name, args, args, args)
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func timeOrDash(t *time.Time) string {
	if t == nil {
		return "-"
	}
	return t.Format("2006-01-02 15:04")
}

// nonNil makes an empty list print as [] in JSON.
func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
