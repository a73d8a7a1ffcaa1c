package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/handwash/handwash"
	"github.com/handwash/handwash/feeds"
)

const feedsExitCodesHelp = `Exit codes:
  0  done (status: also when a feed is missing or old; the text says so,
     and --format json has "missing" and "stale" for each feed)
  2  usage or input error (bad flag, a file that is not a feed or is
     damaged); nothing was changed
  3  a feed could not be downloaded or was rejected (the copies already in
     the cache are kept), or an internal error`

func newFeedsCommand() *cobra.Command {
	var cacheDir string
	cmd := &cobra.Command{
		Use:   "feeds",
		Short: "Update, import and show the vulnerability and end-of-life data",
		Long: `Feeds keeps Handwash's copy of the public data it judges with:

  kev          CISA's Known Exploited Vulnerabilities catalogue: the flaws
               attackers are using now (WannaCry's EternalBlue is one)
  eol          endoflife.date's support dates for operating systems and
               common software
  osv:<name>   OSV advisories for a Linux distribution: osv:Debian,
               osv:Ubuntu, osv:Alpine, osv:Red Hat, osv:Rocky Linux,
               osv:AlmaLinux ("osv" means all of them)

'handwash feeds update' downloads them from their public sources (only what
changed since last time), 'handwash feeds import' loads files brought in by
hand on a computer without internet access, and 'handwash feeds status' says
where each came from and how old it is. Every file is checked in full before
it replaces the copy in the cache; a bad file changes nothing.

Data older than 7 days is itself a finding: advisories published since are
missing from it. The server updates its feeds every day.

` + feedsExitCodesHelp,
		Example: `  handwash feeds update
  handwash feeds update --only kev,eol
  handwash feeds import known_exploited_vulnerabilities.json
  handwash feeds import all.zip --ecosystem Debian
  handwash feeds status`,
	}
	cmd.PersistentFlags().StringVar(&cacheDir, "cache", "", "the feeds cache folder (default: handwash/feeds in this user's cache folder)")
	cmd.AddCommand(newFeedsUpdateCommand(&cacheDir), newFeedsImportCommand(&cacheDir), newFeedsStatusCommand(&cacheDir))
	for _, c := range cmd.Commands() {
		c.Args = wrapArgs(c.Args)
	}
	cmd.Args = wrapArgs(nil)
	cmd.RunE = func(cmd *cobra.Command, _ []string) error { return cmd.Help() }
	return cmd
}

// openFeeds opens the cache the flags name.
func openFeeds(cacheDir string) (*feeds.Cache, error) {
	if cacheDir == "" {
		d, err := feeds.DefaultDir()
		if err != nil {
			return nil, err
		}
		cacheDir = d
	}
	c := feeds.New(cacheDir)
	c.Now = now
	c.UserAgent = "handwash/" + versionString()
	return c, nil
}

func checkFeedsFormat(format string) error {
	if format != "text" && format != "json" {
		return handwash.Errorf(handwash.EINVALID, "--format %q: use text or json", format)
	}
	return nil
}

func newFeedsUpdateCommand(cacheDir *string) *cobra.Command {
	var only []string
	var format string
	urls := feeds.DefaultURLs()
	cmd := &cobra.Command{
		Use:   "update [--only kev,eol,osv:Debian]",
		Short: "Download the feeds that changed",
		Long: `Update downloads each feed from its public source, asking first whether it
has changed since the copy in the cache (so an unchanged feed costs one short
request). A new file is checked in full, then replaces the old one; a file that
fails the checks, or a download cut short, changes nothing and the old copy is
kept. One feed failing does not stop the others.

Without --only it updates the KEV catalogue, the end-of-life data, the OSV
advisories of this computer's Linux distribution, and any other OSV feed
already in the cache. Sizes: the KEV catalogue is about 1.3 MB and the
end-of-life data about 3 MB; OSV zips are large (Debian's and Ubuntu's are
hundreds of MB), so name others only for the distributions your computers run
(--only osv takes all of them). Sources must use https://.

` + feedsExitCodesHelp,
		Example: `  handwash feeds update
  handwash feeds update --only kev,eol
  handwash feeds update --only osv:Debian,osv:Ubuntu
  handwash feeds update --kev-url https://mirror.example.org/kev.json`,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := checkFeedsFormat(format); err != nil {
				return err
			}
			var names []string
			for _, n := range only {
				if n = strings.TrimSpace(n); n != "" {
					names = append(names, n)
				}
			}
			if cmd.Flags().Changed("only") && len(names) == 0 {
				return usageError{fmt.Errorf("--only: name at least one feed: kev, eol, osv or osv:<ecosystem>")}
			}
			c, err := openFeeds(*cacheDir)
			if err != nil {
				return err
			}
			if len(names) == 0 {
				names = machineFeeds(c)
			}
			sources, err := urls.Sources(names...)
			if err != nil {
				return handwash.Errorf(handwash.EINVALID, "--only: %s", handwash.ErrorMessage(err))
			}
			for flag, u := range map[string]string{"kev-url": urls.KEV, "eol-url": urls.EOL, "osv-url": urls.OSVBase} {
				if err := feeds.CheckURL(u); err != nil && cmd.Flags().Changed(flag) {
					return handwash.Errorf(handwash.EINVALID, "--%s: %s", flag, handwash.ErrorMessage(err))
				}
			}
			c.Progress = progressPrinter(cmd.ErrOrStderr())
			results, uerr := c.Update(cmd.Context(), nil, sources)
			if format == "json" {
				if err := writeJSON(cmd.OutOrStdout(), updateJSON(c, results)); err != nil {
					return err
				}
				return uerr
			}
			w := cmd.OutOrStdout()
			for _, r := range results {
				fmt.Fprintln(w, updateLine(r))
			}
			if uerr == nil {
				fmt.Fprintf(w, "Feeds are in %s.\n", c.Dir())
			}
			return uerr
		},
	}
	fl := cmd.Flags()
	fl.StringSliceVar(&only, "only", nil, "update only these feeds, separated by commas: kev, eol, osv (every distribution) or osv:<ecosystem>")
	fl.StringVarP(&format, "format", "f", "text", "output format: text or json")
	fl.StringVar(&urls.KEV, "kev-url", urls.KEV, "where to download the KEV catalogue (a local mirror)")
	fl.StringVar(&urls.EOL, "eol-url", urls.EOL, "where to download endoflife.date's api/v1/products/full (a local mirror)")
	fl.StringVar(&urls.OSVBase, "osv-url", urls.OSVBase, "where OSV's <ecosystem>/all.zip files are (a local mirror)")
	return cmd
}

// updateLine says in one line what happened to a feed.
func updateLine(r feeds.Result) string {
	title := feeds.Title(r.Name)
	switch {
	case r.Err != nil:
		return fmt.Sprintf("%s: NOT UPDATED: %s", title, strings.TrimPrefix(handwash.ErrorMessage(r.Err), title+": "))
	case r.Changed:
		return fmt.Sprintf("%s: %s, downloaded", title, dataWords(r.Meta))
	}
	since := r.Meta.FetchedAt
	if t, err := http.ParseTime(r.Meta.LastModified); err == nil {
		since = t
	}
	return fmt.Sprintf("%s: not changed since %s (%s)", title, since.UTC().Format("2 January 2006 15:04 MST"), dataWords(r.Meta))
}

// dataWords describes a feed's data: "1,404 entries, catalogue 2025.08.25".
func dataWords(m feeds.Meta) string {
	switch m.Kind {
	case feeds.KindKEV:
		return fmt.Sprintf("%s entries, catalogue %s", feeds.Thousands(m.Count), m.Version)
	case feeds.KindEOL:
		return fmt.Sprintf("%s products, generated %s", feeds.Thousands(m.Count), dateWords(m.Version))
	}
	return fmt.Sprintf("%s advisories, newest changed %s", feeds.Thousands(m.Count), dateWords(m.Version))
}

func dateWords(rfc3339 string) string {
	if t, err := time.Parse(time.RFC3339, rfc3339); err == nil {
		return t.UTC().Format("2 January 2006")
	}
	return rfc3339
}

// progressPrinter shows long downloads and checks on stderr, every few
// seconds.
func progressPrinter(w io.Writer) func(feeds.Progress) {
	var last time.Time
	var lastKey string
	return func(p feeds.Progress) {
		big := (p.Stage == "downloading" && p.Total > 20<<20) || (p.Stage == "validating" && p.Total > 10_000)
		if !big {
			return
		}
		key := p.Name + p.Stage
		if key == lastKey && time.Since(last) < 5*time.Second && p.Done < p.Total {
			return
		}
		last, lastKey = time.Now(), key
		switch p.Stage {
		case "downloading":
			fmt.Fprintf(w, "%s: downloading, %d of %d MB\n", feeds.Title(p.Name), p.Done>>20, p.Total>>20)
		default:
			fmt.Fprintf(w, "%s: checking advisories, %s of %s\n", feeds.Title(p.Name), feeds.Thousands(int(p.Done)), feeds.Thousands(int(p.Total)))
		}
	}
}

type feedResultJSON struct {
	Name    string      `json:"name"`
	Changed bool        `json:"changed"`
	Error   string      `json:"error,omitempty"`
	Feed    *feeds.Meta `json:"feed,omitempty"`
}

func updateJSON(c *feeds.Cache, results []feeds.Result) any {
	out := struct {
		Cache string           `json:"cache"`
		Feeds []feedResultJSON `json:"feeds"`
	}{Cache: c.Dir(), Feeds: []feedResultJSON{}}
	for _, r := range results {
		j := feedResultJSON{Name: r.Name, Changed: r.Changed}
		if r.Err != nil {
			j.Error = handwash.ErrorMessage(r.Err)
		}
		if r.Meta.Name != "" {
			m := r.Meta
			j.Feed = &m
		}
		out.Feeds = append(out.Feeds, j)
	}
	return out
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func newFeedsImportCommand(cacheDir *string) *cobra.Command {
	var ecosystem string
	cmd := &cobra.Command{
		Use:   "import PATH [--ecosystem Debian]",
		Short: "Load a feed from a file, for computers without internet access",
		Long: `Import loads a feed from a file brought in by hand. PATH is one of:

  - CISA's KEV catalogue, known_exploited_vulnerabilities.json, from
    https://www.cisa.gov/known-exploited-vulnerabilities-catalog
  - endoflife.date's data: https://endoflife.date/api/v1/products/full saved
    as a file, or a copy of the endoflife.date repository (or its products
    folder) from https://github.com/endoflife-date/endoflife.date
  - an OSV zip of one distribution, such as
    https://osv-vulnerabilities.storage.googleapis.com/Debian/all.zip

Handwash tells which it is from the content, not the name, checks it in full,
and only then replaces the copy in the cache; a bad file changes nothing. An
OSV zip's distribution is read from its advisories, or give it with
--ecosystem to make sure the file is the one you meant.

An imported file's age counts from the date in its data (the catalogue's
release, and so on), since nothing says it was the newest when copied.

` + feedsExitCodesHelp,
		Example: `  handwash feeds import known_exploited_vulnerabilities.json
  handwash feeds import full.json
  handwash feeds import ./endoflife.date
  handwash feeds import all.zip --ecosystem Debian`,
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) != 1 {
				return fmt.Errorf("give one PATH to import (a KEV or endoflife.date JSON file, an endoflife.date folder, or an OSV zip), not %d", len(args))
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			if cmd.Flags().Changed("ecosystem") {
				if _, err := feeds.CanonicalEcosystem(ecosystem); err != nil {
					return handwash.Errorf(handwash.EINVALID, "--ecosystem: %s", handwash.ErrorMessage(err))
				}
			}
			c, err := openFeeds(*cacheDir)
			if err != nil {
				return err
			}
			r, err := c.Import(cmd.Context(), args[0], feeds.ImportOptions{Ecosystem: ecosystem})
			if err != nil {
				return err
			}
			w := cmd.OutOrStdout()
			fmt.Fprintf(w, "%s: %s, imported from %s\n", feeds.Title(r.Name), dataWords(r.Meta), r.Meta.Source)
			if r.Previous != nil {
				fmt.Fprintf(w, "It replaces the copy that had %s.\n", dataWords(*r.Previous))
			}
			if s := c.Status(r.Name)[0]; s.Stale {
				fmt.Fprintf(w, "Note: this data is %s old, so Handwash will report it as out of date: %s since %s are missing from it. Import a newer file when you can.\n",
					feeds.AgeWords(s.Age), missingWords(r.Name), s.CheckedAt.UTC().Format("2 January 2006"))
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&ecosystem, "ecosystem", "", "for an OSV zip: the distribution it must hold (Debian, Ubuntu, Alpine, Red Hat, Rocky Linux, AlmaLinux)")
	return cmd
}

func newFeedsStatusCommand(cacheDir *string) *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:   "status",
		Short: "Say where each feed came from and how old it is",
		Long: `Status lists each feed in the cache: where it came from, the version of its
data, and how old it is. It says plainly when a feed is missing or older than
7 days, and the command that fixes it.

` + feedsExitCodesHelp,
		Example: `  handwash feeds status
  handwash feeds status --format json`,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := checkFeedsFormat(format); err != nil {
				return err
			}
			c, err := openFeeds(*cacheDir)
			if err != nil {
				return err
			}
			st := c.Status()
			if format == "json" {
				return writeJSON(cmd.OutOrStdout(), struct {
					Cache          string             `json:"cache"`
					StaleAfterDays int                `json:"stale_after_days"`
					Feeds          []feeds.FeedStatus `json:"feeds"`
				}{c.Dir(), int(feeds.StaleAfter / (24 * time.Hour)), st})
			}
			return writeFeedsStatus(cmd.OutOrStdout(), c, st)
		},
	}
	cmd.Flags().StringVarP(&format, "format", "f", "text", "output format: text or json")
	return cmd
}

func writeFeedsStatus(w io.Writer, c *feeds.Cache, st []feeds.FeedStatus) error {
	fmt.Fprintf(w, "Feeds in %s\n", c.Dir())
	problems := 0
	osv := false
	for _, s := range st {
		fmt.Fprintf(w, "\n%s (%s)\n", s.Title, feeds.Description(s.Name))
		fix := "handwash feeds update --only " + quoteName(s.Name)
		if s.Imported {
			fix = "import a newer file with 'handwash feeds import PATH', or run '" + fix + "'"
		} else {
			fix = "run '" + fix + "'"
		}
		if strings.HasPrefix(s.Name, "osv:") {
			osv = true
		}
		if s.Missing {
			problems++
			if s.Problem != "" {
				fmt.Fprintf(w, "  MISSING: %s\n", s.Problem)
				continue
			}
			fmt.Fprintf(w, "  MISSING: not in the cache. To get it, run 'handwash feeds update --only %s', or on a computer without internet access 'handwash feeds import PATH'.\n", quoteName(s.Name))
			continue
		}
		from := s.Source
		if s.Imported {
			from = "imported from " + s.Source
		}
		fmt.Fprintf(w, "  from:     %s\n", from)
		fmt.Fprintf(w, "  version:  %s\n", statusVersion(s))
		how := "checked with the source"
		if s.Imported {
			how = "dated by its data"
		}
		fmt.Fprintf(w, "  age:      %s old (%s %s)\n", feeds.AgeWords(s.Age), how, s.CheckedAt.UTC().Format("2 January 2006 15:04 MST"))
		if s.Stale {
			problems++
			fmt.Fprintf(w, "  OUT OF DATE: older than 7 days, so %s since then are missing from it. To fix it, %s.\n", missingWords(s.Name), fix)
		}
	}
	if !osv {
		fmt.Fprintf(w, "\nNo OSV advisories are in the cache. For Linux computers, run 'handwash feeds update --only osv:Debian' (or osv:Ubuntu, osv:Alpine, ...).\n")
	}
	if problems == 0 {
		fmt.Fprintln(w, "\nAll feeds are up to date.")
	}
	return nil
}

// missingWords says what an old feed lacks.
func missingWords(name string) string {
	switch feedKind(name) {
	case feeds.KindKEV:
		return "vulnerabilities found exploited"
	case feeds.KindEOL:
		return "end-of-support dates announced"
	}
	return "advisories published"
}

func statusVersion(s feeds.FeedStatus) string {
	return dataWords(feeds.Meta{Kind: feedKind(s.Name), Version: s.Version, Count: s.Count})
}

func feedKind(name string) feeds.Kind {
	k, _, _ := strings.Cut(name, ":")
	return feeds.Kind(k)
}

// quoteName quotes a feed name with a space for the shell.
func quoteName(name string) string {
	if strings.ContainsRune(name, ' ') {
		return `"` + name + `"`
	}
	return name
}
