package spf

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"github.com/handwash/handwash/resolve"
)

// maxAnalysedRecords bounds how many records Analyse follows, so a zone that includes widely cannot make it ask without end; far more than any record within the limits needs.
const maxAnalysedRecords = 60

// Analysis is what Analyse found in a domain's SPF record and everything it includes, without a client IP: the facts the domain check turns into findings.
type Analysis struct {
	// Domain is the domain analysed.
	Domain string
	// Records holds every TXT record of Domain that starts "v=spf1": none means the domain has no SPF record, and more than one makes every check a permerror.
	Records []string
	// Record is the parsed record, when there is exactly one and it parses.
	Record *Record
	// ParseError is why the record did not parse (a *SyntaxError), or nil.
	ParseError error
	// Lookups is how many DNS-querying terms (include, a, mx, ptr, exists, redirect) a check can evaluate, counting every record included or redirected to, as when no mechanism matches early; more than LookupLimit makes such checks a permerror.
	Lookups int
	// Complete is false when some include or redirect could not be followed (a macro that needs the sender's address, a DNS failure, a loop, or too many records), so Lookups may be more.
	Complete bool
	// Chain lists every record visited: Domain's own first, then each include or redirect in the order a check meets them.
	Chain []Node
	// VoidLookups lists lookups in the chain that find nothing; more than VoidLookupLimit in one check makes it a permerror.
	VoidLookups []VoidLookup
	// All is the qualifier of the all mechanism that mail from unlisted servers meets, in Domain's record or the one it redirects to; zero when there is none, which means neutral.
	All Qualifier
	// AllDomain is the domain whose record holds that all mechanism, empty when none does.
	AllDomain string
	// PTR lists every ptr mechanism in the chain, which RFC 7208 section 5.5 says should not be used: it is slow and unreliable.
	PTR []Place
	// PassAll lists every +all in the chain: in Domain's record it lets any server pass, and in an included record it makes the include match for any server.
	PassAll []Place
	// NeutralAll lists every ?all in the chain, which says nothing about servers not listed.
	NeutralAll []Place
	// Problems lists what makes checks fail or go wrong, found anywhere in the chain, in plain English.
	Problems []Problem
}

// Node is one record visited by Analyse.
type Node struct {
	// Domain is the domain whose record this is.
	Domain string
	// Depth is 0 for the analysed domain, 1 for what it includes or redirects to, and so on.
	Depth int
	// Via is the term that led here ("include:_spf.example.net" or "redirect=example.net"), empty for the analysed domain.
	Via string
	// Record is the SPF record, empty if none was found.
	Record string
	// Lookups is how many DNS-querying terms this record holds itself.
	Lookups int
	// Err says why the record cannot be used (no record, several, a syntax error, a DNS failure), or is nil.
	Err error
}

// Place says where a term is: the domain whose record holds it, and the term as written.
type Place struct {
	// Domain is the domain whose record holds the term.
	Domain string
	// Term is the term as written.
	Term string
}

// VoidLookup is a lookup a check makes that finds nothing.
type VoidLookup struct {
	// Domain and Term say which record and term make the lookup.
	Domain, Term string
	// Target is the name looked up.
	Target string
	// NotFound is true when Target does not exist at all (NXDOMAIN), false when it exists but has no records of the kind asked for.
	NotFound bool
}

// Problem is something in the chain that breaks checks or makes them unreliable.
type Problem struct {
	// Domain and Term say where; Term is empty for problems with a record as a whole.
	Domain, Term string
	// Text says what is wrong, in plain English.
	Text string
	// Err is the underlying error, if any.
	Err error
}

// DefaultVerdict gives the result mail from a server that no mechanism lists gets: from the all mechanism, neutral without one, none without a record, permerror when the record is broken.
func (a *Analysis) DefaultVerdict() Verdict {
	switch {
	case len(a.Records) == 0:
		return None
	case len(a.Records) > 1 || a.ParseError != nil:
		return PermError
	case a.All == 0:
		return Neutral
	}
	return a.All.Verdict()
}

// OverLimit reports whether checks can need more DNS lookups than RFC 7208 allows.
func (a *Analysis) OverLimit() bool { return a.Lookups > LookupLimit }

// Analyse fetches domain's SPF record and follows every include and redirect, counting the DNS lookups a check can need and finding what would break checks; it returns an error only when the domain's own record cannot be fetched (a DNS failure) or the domain is not a valid name.
func Analyse(ctx context.Context, r resolve.Resolver, domain string) (*Analysis, error) {
	domain = strings.TrimSuffix(domain, ".")
	if why := invalidDomain(domain); why != "" {
		return nil, fmt.Errorf("%q is not a valid domain name: %s", domain, why)
	}
	a := &Analysis{Domain: domain, Complete: true}
	txts, err := r.LookupTXT(ctx, domain)
	if err != nil && !errors.Is(err, resolve.ErrNotFound) {
		return nil, fmt.Errorf("looking up the SPF record of %s: %w", domain, err)
	}
	for _, t := range txts {
		if IsSPF(t) {
			a.Records = append(a.Records, t)
		}
	}
	w := &walker{r: r, a: a}
	switch len(a.Records) {
	case 0:
		a.Chain = append(a.Chain, Node{Domain: domain, Err: fmt.Errorf("%s has no SPF record", domain)})
		return a, nil
	case 1:
	default:
		err := fmt.Errorf("%s has %d SPF records, and may have only one", domain, len(a.Records))
		a.Chain = append(a.Chain, Node{Domain: domain, Err: err})
		a.Problems = append(a.Problems, Problem{Domain: domain, Text: fmt.Sprintf("%s publishes %d SPF records; every check is a permerror until all but one are removed (or merged into one)", domain, len(a.Records)), Err: err})
		return a, nil
	}
	rec, err := Parse(a.Records[0])
	if err != nil {
		a.ParseError = err
		a.Chain = append(a.Chain, Node{Domain: domain, Record: a.Records[0], Err: err})
		a.Problems = append(a.Problems, Problem{Domain: domain, Text: fmt.Sprintf("the SPF record of %s has an error, so every check is a permerror: %v", domain, err), Err: err})
		return a, nil
	}
	a.Record = rec
	w.walk(ctx, domain, rec, 0, "", []string{strings.ToLower(domain)})
	a.All, a.AllDomain = w.all(rec, domain)
	return a, nil
}

// walker follows one domain's chain of records for Analyse.
type walker struct {
	r      resolve.Resolver
	a      *Analysis
	allOf  map[string]*Record // domain → record, for following redirects to the all mechanism
	visits int
}

// walk records the terms of rec (domain's record, reached by via at depth) and follows its includes and redirect; path holds the domains above, to catch loops.
func (w *walker) walk(ctx context.Context, domain string, rec *Record, depth int, via string, path []string) {
	w.visits++
	if w.allOf == nil {
		w.allOf = map[string]*Record{}
	}
	w.allOf[strings.ToLower(domain)] = rec
	idx := len(w.a.Chain)
	w.a.Chain = append(w.a.Chain, Node{Domain: domain, Depth: depth, Via: via, Record: rec.Text})
	own := 0
	all := rec.All()
	for i := range rec.Terms {
		t := &rec.Terms[i]
		place := Place{Domain: domain, Term: t.Text}
		if t.Modifier && t.Name == "redirect" && all != nil {
			continue // ignored when the record has all (section 6.1)
		}
		if t.QueriesDNS() {
			own++
			w.a.Lookups++
		}
		switch t.Name {
		case "all":
			switch t.Qualifier {
			case QualifierPass:
				w.a.PassAll = append(w.a.PassAll, place)
			case QualifierNeutral:
				w.a.NeutralAll = append(w.a.NeutralAll, place)
			}
		case "ptr":
			w.a.PTR = append(w.a.PTR, place)
		case "a", "mx", "exists":
			w.checkVoid(ctx, domain, t)
		case "include", "redirect":
			if t.Modifier == (t.Name == "include") {
				continue // an unknown modifier named include is ignored
			}
			w.follow(ctx, domain, t, depth, path)
		}
	}
	w.a.Chain[idx].Lookups = own
}

// target expands a term's domain-spec when it needs nothing but the current domain; ok is false when it needs the sender or the client's address.
func target(t *Term, domain string) (string, bool) {
	if t.Domain == "" {
		return domain, true
	}
	for _, m := range t.macro {
		if m.letter != 0 && m.letter != 'd' {
			return "", false
		}
	}
	env := &macroEnv{domain: domain}
	return strings.TrimSuffix(t.macro.expand(env), "."), true
}

func (w *walker) incomplete(domain string, t *Term, format string, args ...any) {
	w.a.Complete = false
	w.a.Problems = append(w.a.Problems, Problem{Domain: domain, Term: t.Text, Text: fmt.Sprintf(format, args...)})
}

func (w *walker) follow(ctx context.Context, domain string, t *Term, depth int, path []string) {
	name, ok := target(t, domain)
	if !ok {
		w.a.Complete = false // depends on the sender: nothing to report but the count
		return
	}
	if invalidDomain(name) != "" {
		w.a.Problems = append(w.a.Problems, Problem{Domain: domain, Term: t.Text, Text: fmt.Sprintf("%s names %q, which is not a valid domain, so checks that reach it are a permerror", t.Text, name)})
		return
	}
	if slices.Contains(path, strings.ToLower(name)) {
		w.incomplete(domain, t, "%s leads back to %s, a loop: checks that reach it go over the limit of %d DNS lookups and are a permerror", t.Text, name, LookupLimit)
		return
	}
	if w.visits >= maxAnalysedRecords {
		w.incomplete(domain, t, "not followed: more than %d records are included, far more than checks can use", maxAnalysedRecords)
		return
	}
	node := Node{Domain: name, Depth: depth + 1, Via: t.Text}
	txts, err := w.r.LookupTXT(ctx, name)
	if err != nil && !errors.Is(err, resolve.ErrNotFound) {
		node.Err = err
		w.a.Chain = append(w.a.Chain, node)
		w.incomplete(domain, t, "could not look up the record of %s (%v); checks that reach it may be a temperror", name, err)
		return
	}
	var spf []string
	for _, s := range txts {
		if IsSPF(s) {
			spf = append(spf, s)
		}
	}
	kind := map[bool]string{true: "include", false: "redirect"}[t.Name == "include"]
	switch {
	case errors.Is(err, resolve.ErrNotFound) || len(txts) == 0:
		w.a.VoidLookups = append(w.a.VoidLookups, VoidLookup{Domain: domain, Term: t.Text, Target: name, NotFound: errors.Is(err, resolve.ErrNotFound)})
		fallthrough
	case len(spf) == 0:
		node.Err = fmt.Errorf("%s has no SPF record", name)
		w.a.Chain = append(w.a.Chain, node)
		w.a.Problems = append(w.a.Problems, Problem{Domain: domain, Term: t.Text, Err: node.Err,
			Text: fmt.Sprintf("%s names %s, which has no SPF record, so checks that reach this %s are a permerror", t.Text, name, kind)})
		return
	case len(spf) > 1:
		node.Err = fmt.Errorf("%s has %d SPF records", name, len(spf))
		w.a.Chain = append(w.a.Chain, node)
		w.a.Problems = append(w.a.Problems, Problem{Domain: domain, Term: t.Text, Err: node.Err,
			Text: fmt.Sprintf("%s names %s, which has %d SPF records, so checks that reach this %s are a permerror", t.Text, name, len(spf), kind)})
		return
	}
	rec, err := Parse(spf[0])
	if err != nil {
		node.Record, node.Err = spf[0], err
		w.a.Chain = append(w.a.Chain, node)
		w.a.Problems = append(w.a.Problems, Problem{Domain: domain, Term: t.Text, Err: err,
			Text: fmt.Sprintf("the SPF record of %s, reached by %s, has an error, so checks that reach it are a permerror: %v", name, t.Text, err)})
		return
	}
	w.walk(ctx, name, rec, depth+1, t.Text, append(slices.Clip(path), strings.ToLower(name)))
}

// checkVoid looks up the target of an a, mx or exists term that needs no sender, noting it when nothing is found and when an mx names too many servers.
func (w *walker) checkVoid(ctx context.Context, domain string, t *Term) {
	name, ok := target(t, domain)
	if !ok || invalidDomain(name) != "" {
		return
	}
	var (
		found bool
		err   error
	)
	switch t.Name {
	case "mx":
		var mxs []resolve.MX
		mxs, err = w.r.LookupMX(ctx, name)
		found = len(mxs) > 0
		if len(mxs) > MXLimit {
			w.a.Problems = append(w.a.Problems, Problem{Domain: domain, Term: t.Text,
				Err:  &LimitError{Limit: "MX records", Max: MXLimit, Domain: domain, Term: t.Text},
				Text: fmt.Sprintf("%s names %s, which has %d mail servers; SPF allows at most %d, so checks that reach it are a permerror", t.Text, name, len(mxs), MXLimit)})
		}
	case "exists":
		var ips []netip.Addr
		ips, err = w.r.LookupA(ctx, name)
		found = len(ips) > 0
	default: // a: void for both kinds of client when neither kind of address exists
		ips4, e4 := w.r.LookupA(ctx, name)
		ips6, e6 := w.r.LookupAAAA(ctx, name)
		found = len(ips4)+len(ips6) > 0
		err = e4
		if err == nil || errors.Is(err, resolve.ErrNotFound) {
			if e6 != nil && !errors.Is(e6, resolve.ErrNotFound) {
				err = e6
			}
		}
	}
	if err != nil && !errors.Is(err, resolve.ErrNotFound) {
		w.a.Problems = append(w.a.Problems, Problem{Domain: domain, Term: t.Text, Err: err,
			Text: fmt.Sprintf("could not look up %s for %s (%v); checks that reach it may be a temperror", name, t.Text, err)})
		return
	}
	if !found {
		w.a.VoidLookups = append(w.a.VoidLookups, VoidLookup{Domain: domain, Term: t.Text, Target: name, NotFound: errors.Is(err, resolve.ErrNotFound)})
	}
}

// all finds the all mechanism unlisted servers meet: in rec, or by following its redirects.
func (w *walker) all(rec *Record, domain string) (Qualifier, string) {
	seen := map[string]bool{}
	for rec != nil && !seen[strings.ToLower(domain)] {
		seen[strings.ToLower(domain)] = true
		if all := rec.All(); all != nil {
			return all.Qualifier, domain
		}
		red := rec.Redirect()
		if red == nil {
			return 0, ""
		}
		name, ok := target(red, domain)
		if !ok {
			return 0, ""
		}
		domain, rec = name, w.allOf[strings.ToLower(name)]
	}
	return 0, ""
}
