package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/handwash/handwash"
	"github.com/handwash/handwash/agent"
	"github.com/handwash/handwash/internal/passhash"
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
server keeps only a hash of them. Passwords are read from standard input,
never from the command line, where other users of the machine could see them.

` + toolExitCodesHelp,
		Example: `  handwash admin provider create "Careful IT Ltd"
  handwash admin token create --provider prov_… --role provider_admin --name "Sam's laptop"
  handwash admin org create --provider prov_… "Rose House Care Home"
  handwash admin enroll-token --org "Rose House Care Home" --uses 20
  printf '%s\n' 'three random words' | handwash admin user set-password --email jo@rose.example`,
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
			newUserCreateCommand(o), newUserListCommand(o), newUserSetPasswordCommand(o)),
		adminGroup("token", "API tokens, for scripts and tools",
			newTokenCreateCommand(o), newTokenListCommand(o), newTokenRevokeCommand(o)),
		newEnrollTokenCommand(o),
		newAlertClocksCommand(o),
		newPhishInboxCommand(o),
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
	var passwordStdin bool
	c := &cobra.Command{
		Use:   "create --provider ID [--org ID] --role ROLE --email E --name N [--password-stdin]",
		Short: "Create a user",
		Long: `Create makes a user who can sign in to the dashboard with their email
address. With --password-stdin it also sets their first password, read from
standard input (see handwash admin user set-password); without it, set one
later with set-password before they can sign in.`,
		Example: `  printf '%s\n' 'three random words' | handwash admin user create --provider "Careful IT" --role provider_admin --email sam@careful.example --name Sam --password-stdin`,
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
			// The password is read, checked and hashed before anything is
			// made, so a refused one leaves no user behind.
			var hash string
			if passwordStdin {
				var err error
				if hash, err = readNewPassword(cmd, "--password-stdin", "user create … --password-stdin"); err != nil {
					return err
				}
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
				detail, with := "created without a password", ""
				if hash != "" {
					if err := s.SetPassword(ctx, u.ID, hash, now().UTC()); err != nil {
						return fmt.Errorf("user %s was created, but their password could not be set (set it with handwash admin user set-password --email %s): %w", u.ID, u.Email, err)
					}
					detail, with = "created with a password", " with a password"
				}
				if err := adminAudit(ctx, s, u, "user.create", detail); err != nil {
					return err
				}
				return o.created(cmd.OutOrStdout(), u, fmt.Sprintf("Created user %s (%s, %s)%s.", u.ID, u.Email, u.Role, with))
			})
		},
	}
	t.add(c, "the user")
	c.Flags().StringVar(&email, "email", "", "the user's email address")
	c.Flags().StringVar(&name, "name", "", "the user's name")
	c.Flags().BoolVar(&passwordStdin, "password-stdin", false, "read the user's first password from standard input")
	return c
}

func newUserSetPasswordCommand(o *adminOptions) *cobra.Command {
	var email string
	c := &cobra.Command{
		Use:   "set-password --email ADDRESS",
		Short: "Set a user's password, read from standard input",
		Long: `Set-password gives a user a new dashboard password, read from the first line
of standard input, and signs them out everywhere: every browser they were
signed in with must sign in again. The change is recorded in the audit log as
done by handwash admin and the operating system user who ran it.

The password must have at least 8 characters; three random words make a good
one. It is read from standard input only when that is a pipe or a file, never
typed at a terminal, where it would show on the screen.`,
		Example: `  printf '%s\n' 'three random words' | handwash admin user set-password --email jo@rose.example
  handwash admin user set-password --email jo@rose.example < new-password.txt`,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := required("email", email); err != nil {
				return err
			}
			hash, err := readNewPassword(cmd, "standard input", "user set-password --email "+agent.ShellQuote(strings.TrimSpace(email)))
			if err != nil {
				return err
			}
			return o.withStore(cmd, func(ctx context.Context, s handwash.Store) error {
				u, err := s.UserByEmail(ctx, email)
				if handwash.ErrorCode(err) == handwash.ENOTFOUND {
					return handwash.Errorf(handwash.ENOTFOUND, "--email %q: no user has that email address; list them with handwash admin user list", strings.TrimSpace(email))
				}
				if err != nil {
					return err
				}
				if err := s.SetPassword(ctx, u.ID, hash, now().UTC()); err != nil {
					return err
				}
				ended, err := s.DeleteUserSessions(ctx, u.ID, "")
				if err != nil {
					return fmt.Errorf("the password of %s was set, but their sessions could not be ended (run this again): %w", u.Email, err)
				}
				if err := adminAudit(ctx, s, u, "user.set_password", fmt.Sprintf("set a new password; %d session(s) ended", ended)); err != nil {
					return err
				}
				text := fmt.Sprintf("Set a new password for %s (%s) and ended %d session(s): they must sign in again.", u.Email, u.ID, ended)
				if u.Disabled {
					text += "\nThis user is disabled: they cannot sign in until they are enabled again."
				}
				return o.created(cmd.OutOrStdout(), struct {
					UserID        string `json:"user_id"`
					Email         string `json:"email"`
					SessionsEnded int    `json:"sessions_ended"`
				}{u.ID, u.Email, ended}, text)
			})
		},
	}
	c.Flags().StringVar(&email, "email", "", "the user's email address")
	return c
}

// maxPasswordInput bounds what readNewPassword reads: a password of
// passhash.MaxPasswordBytes and a line ending, with room to say that one
// is too long rather than cut it short.
const maxPasswordInput = 64 << 10

// readNewPassword reads a new password from the first line of standard
// input, checks it against the password policy and returns its hash. from
// names the source in errors, and example is the admin command to show in
// the advice to pipe the password in.
//
// It refuses to read from a terminal: turning echo off needs
// golang.org/x/term, which Handwash does not use, and a password typed with
// echo on shows on the screen and stays in the terminal's scroll-back.
// Any character device counts as a terminal here (the standard library
// cannot tell them apart), so /dev/null is refused too, which loses nothing.
func readNewPassword(cmd *cobra.Command, from, example string) (string, error) {
	in := cmd.InOrStdin()
	if f, ok := in.(*os.File); ok {
		if fi, err := f.Stat(); err == nil && fi.Mode()&os.ModeCharDevice != 0 {
			return "", handwash.Errorf(handwash.EINVALID,
				"%s: standard input is a terminal, where the password would show as you type it. Pipe it in instead, for example:\n  printf '%%s\\n' 'three random words' | handwash admin %s\nor read it from a file only you can read:\n  handwash admin %s < new-password.txt", from, example, example)
		}
	}
	b, err := io.ReadAll(io.LimitReader(in, maxPasswordInput+1))
	if err != nil {
		return "", handwash.Errorf(handwash.EINVALID, "%s: could not read the password: %v", from, err)
	}
	if len(b) > maxPasswordInput {
		return "", handwash.Errorf(handwash.EINVALID, "%s: over 64 KiB was given: give only the password, on one line", from)
	}
	line, rest, _ := strings.Cut(string(b), "\n")
	line = strings.TrimSuffix(line, "\r")
	if strings.TrimSpace(rest) != "" {
		return "", handwash.Errorf(handwash.EINVALID, "%s: more than one line was given: give only the password, on one line", from)
	}
	if line == "" {
		return "", handwash.Errorf(handwash.EINVALID, "%s: no password was given: pipe it in, for example printf '%%s\\n' 'three random words' | handwash admin %s", from, example)
	}
	if err := passhash.CheckNew(line, nil); err != nil {
		return "", handwash.Errorf(handwash.EINVALID, "%s: %s", from, handwash.ErrorMessage(err))
	}
	hash, err := passhash.Hash(line)
	if err != nil {
		return "", fmt.Errorf("hash the password: %w", err)
	}
	return hash, nil
}

// adminActor is how the audit log names this command: handwash admin, and
// the operating system user who ran it, since the command works on the
// database directly, without signing in.
const adminActor = "handwash admin"

// adminAudit records an action of handwash admin on a user in the audit
// log of the user's provider and organisation.
func adminAudit(ctx context.Context, s handwash.Store, u *handwash.User, action, detail string) error {
	e := &handwash.AuditEntry{ProviderID: u.ProviderID, OrgID: u.OrgID, At: now().UTC(),
		ActorID: adminActor, ActorName: adminActor + " (operating system user " + osUserName() + ")",
		Action: action, Target: u.ID, Detail: detail}
	if err := s.AddAudit(ctx, e); err != nil {
		return fmt.Errorf("%s was done, but the audit log could not be written: %w", action, err)
	}
	return nil
}

// osUserName names who ran the command, as well as the system can say.
func osUserName() string {
	if u, err := user.Current(); err == nil && u.Username != "" {
		return u.Username
	}
	for _, v := range []string{"USER", "USERNAME"} {
		if n := os.Getenv(v); n != "" {
			return n
		}
	}
	return "unknown"
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
	site := ""
	if t.SiteID != "" {
		site = ", site " + t.SiteID
	}
	fmt.Fprintf(w, `Enrolment token for %s (%s%s): %d use(s), until %s.

  %s

Keep it secret: it is shown only now, and anyone who has it can add computers
to %s until it is used up or expires.

On each computer, as an administrator:
`, org.Name, org.ID, site, t.MaxUses, t.ExpiresAt.Format("2006-01-02 15:04 MST"), cred, org.Name)
	for _, in := range agent.EnrollInstructions(server, cred, fingerprint) {
		fmt.Fprintf(w, "\n%s (%s):\n", in.Platform.Title(), in.Where)
		for _, c := range in.Commands {
			fmt.Fprintf(w, "  %s\n", c)
		}
	}
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
