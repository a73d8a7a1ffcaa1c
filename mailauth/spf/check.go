package spf

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"time"

	"github.com/handwash/handwash/resolve"
)

// Verdict is the result of an SPF check (RFC 7208 section 2.6).
type Verdict string

// The seven results of RFC 7208 section 2.6.
const (
	// None: the domain has no SPF record, or is not a valid domain name.
	None Verdict = "none"
	// Neutral: the domain says nothing about whether the IP may send for it.
	Neutral Verdict = "neutral"
	// Pass: the IP may send mail for the domain.
	Pass Verdict = "pass"
	// Fail: the IP may not send mail for the domain.
	Fail Verdict = "fail"
	// SoftFail: the IP probably may not send mail for the domain.
	SoftFail Verdict = "softfail"
	// TempError: the DNS could not be asked; trying later may give an answer.
	TempError Verdict = "temperror"
	// PermError: the domain's records are broken and need fixing by the domain's owner.
	PermError Verdict = "permerror"
)

// Limits of RFC 7208 section 4.6.4.
const (
	// LookupLimit is how many DNS-querying mechanisms and modifiers (include, a, mx, ptr, exists, redirect) one check may evaluate.
	LookupLimit = 10
	// VoidLookupLimit is how many a, mx, ptr and exists lookups may find nothing (no such name, or no records) before the check is a permerror; a missing include or redirect target is not counted, as it makes the check a permerror anyway.
	VoidLookupLimit = 2
	// MXLimit is how many mail exchangers an mx mechanism may have.
	MXLimit = 10
	// PTRLimit is how many names from a reverse lookup a ptr mechanism or %{p} macro checks.
	PTRLimit = 10
)

// DefaultTimeLimit bounds one whole check, as RFC 7208 section 4.6.4 asks ("at least 20 seconds").
const DefaultTimeLimit = 20 * time.Second

// Result is what CheckHost found, and how.
type Result struct {
	// Verdict is the result: none, neutral, pass, fail, softfail, temperror or permerror.
	Verdict Verdict
	// Domain is the domain checked.
	Domain string
	// Mechanism is the term that decided the verdict, as written (for example "-all" or "include:_spf.example.net"); empty when none matched.
	Mechanism string
	// MatchedIn is the domain whose record holds Mechanism; it differs from Domain after a redirect.
	MatchedIn string
	// Explanation is the domain's own explanation of a fail (its exp= modifier, macros expanded); empty when it gives none.
	Explanation string
	// Reason says in plain English why the verdict is what it is.
	Reason string
	// Err is the cause of a temperror or permerror: a *SyntaxError, a *LimitError or a DNS error.
	Err error
	// Lookups is how many DNS-querying terms were evaluated, of the LookupLimit allowed.
	Lookups int
	// VoidLookups is how many of those found nothing, of the VoidLookupLimit allowed.
	VoidLookups int
	// Queries is how many DNS questions were asked in all, including ones the limits do not count.
	Queries int
	// Steps tell how the result was reached, in order.
	Steps []Step
}

// StepKind says what a Step is about.
type StepKind string

// The kinds of step.
const (
	StepStart  StepKind = "start"  // what is being checked
	StepRecord StepKind = "record" // a record fetched, or not found
	StepTerm   StepKind = "term"   // a mechanism or modifier evaluated
	StepLookup StepKind = "lookup" // a DNS lookup made while evaluating a term
	StepLimit  StepKind = "limit"  // a processing limit reached
	StepResult StepKind = "result" // a verdict reached for a record
)

// Step is one step of a check, in plain English.
type Step struct {
	// Depth is 0 for the domain checked, 1 inside an include or redirect from it, and so on.
	Depth int
	// Domain is the domain whose record is being evaluated.
	Domain string
	// Term is the term being evaluated, as written; empty for steps about the record as a whole.
	Term string
	// Kind says what the step is about.
	Kind StepKind
	// Text says what happened.
	Text string
	// Lookups and VoidLookups are the counts so far.
	Lookups, VoidLookups int
}

// String gives the step indented by its depth, with the term first.
func (s Step) String() string {
	ind := strings.Repeat("  ", s.Depth)
	if s.Term != "" {
		return ind + s.Term + ": " + s.Text
	}
	return ind + s.Text
}

// LimitError says which processing limit of RFC 7208 section 4.6.4 a check went over.
type LimitError struct {
	// Limit is what was limited: "DNS lookups", "void lookups" or "MX records".
	Limit string
	// Max is the number allowed.
	Max int
	// Domain and Term say where the limit was reached.
	Domain, Term string
}

// Error says which limit was passed, where.
func (e *LimitError) Error() string {
	return fmt.Sprintf("%s of %s goes over the limit of %d %s", e.Term, e.Domain, e.Max, e.Limit)
}

// Option changes how CheckHost checks.
type Option func(*checker)

// WithHELO gives the name the client gave in HELO or EHLO, for the %{h} macro.
func WithHELO(name string) Option { return func(c *checker) { c.helo = name } }

// WithReceiver gives the name of the host doing the check, for the %{r} macro in explanations ("unknown" if not given).
func WithReceiver(name string) Option { return func(c *checker) { c.receiver = name } }

// WithClock sets the clock the %{t} macro reads.
func WithClock(now func() time.Time) Option { return func(c *checker) { c.now = now } }

// WithVoidLimit changes the void-lookup limit from VoidLookupLimit, which RFC 7208 section 4.6.4 allows to be configurable.
func WithVoidLimit(n int) Option { return func(c *checker) { c.voidLimit = n } }

// WithTimeLimit bounds the whole check (DefaultTimeLimit if not given); going over it gives temperror.
func WithTimeLimit(d time.Duration) Option { return func(c *checker) { c.timeLimit = d } }

// checker holds one check's inputs, counts and trace.
type checker struct {
	r         resolve.Resolver
	ip        netip.Addr
	sender    string
	local     string
	senderDom string
	helo      string
	receiver  string
	now       func() time.Time
	voidLimit int
	timeLimit time.Duration

	lookups, voids, queries int
	steps                   []Step

	ptrDone  bool
	ptrNames []string        // the first PTRLimit names of the client IP
	ptrErr   error           // why the PTR lookup failed
	valid    map[string]bool // PTR name → whether it has the IP among its addresses
}

// CheckHost evaluates check_host() of RFC 7208 section 4: may ip send mail from sender (whose domain is domain, or the HELO name when the MAIL FROM is empty)?
//
// An empty sender means the null reverse-path: the sender becomes
// postmaster@domain, as section 2.4 says, so a HELO check is
// CheckHost(ctx, r, ip, helo, "", WithHELO(helo)). A sender with an empty
// local part gets "postmaster". An IPv4-mapped IPv6 address is checked as the
// IPv4 address it maps (section 5).
func CheckHost(ctx context.Context, r resolve.Resolver, ip netip.Addr, domain, sender string, opts ...Option) Result {
	domain = strings.TrimSuffix(domain, ".")
	if sender == "" {
		sender = "postmaster@" + domain
	}
	c := &checker{
		r:         r,
		ip:        ip.Unmap().WithZone(""),
		now:       time.Now,
		voidLimit: VoidLookupLimit,
		timeLimit: DefaultTimeLimit,
		valid:     map[string]bool{},
	}
	c.local, c.senderDom = splitSender(sender, domain)
	c.sender = c.local + "@" + c.senderDom
	for _, o := range opts {
		o(c)
	}
	if c.helo == "" {
		c.helo = c.senderDom
	}
	res := Result{Domain: domain}
	if !ip.IsValid() {
		res.Verdict, res.Reason, res.Err = PermError, "no client IP address was given to check", errors.New("invalid IP address")
		return res
	}
	if c.timeLimit > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, c.timeLimit)
		defer cancel()
	}
	c.step(0, domain, "", StepStart, "checking whether %s may send mail for %s (sender %s)", c.ip, domain, c.sender)
	o := c.checkHost(ctx, domain, 0, true)
	c.step(0, domain, "", StepResult, "the result is %s: %s", o.verdict, o.reason)
	res.Verdict = o.verdict
	res.Reason = o.reason
	res.Err = o.err
	res.Explanation = o.exp
	if o.term != nil {
		res.Mechanism = o.term.Text
		res.MatchedIn = o.domain
	}
	res.Lookups, res.VoidLookups, res.Queries = c.lookups, c.voids, c.queries
	res.Steps = c.steps
	return res
}

// CheckMailFrom checks the MAIL FROM identity as an MTA would: the domain of mailFrom, or the HELO name with postmaster as the sender when mailFrom is empty (RFC 7208 section 2.4).
func CheckMailFrom(ctx context.Context, r resolve.Resolver, ip netip.Addr, helo, mailFrom string, opts ...Option) Result {
	opts = append([]Option{WithHELO(helo)}, opts...)
	mailFrom = strings.Trim(mailFrom, "<>")
	if mailFrom == "" {
		return CheckHost(ctx, r, ip, helo, "", opts...)
	}
	_, dom := splitSender(mailFrom, helo)
	return CheckHost(ctx, r, ip, dom, mailFrom, opts...)
}

// outcome is what one check_host() call, at any depth, came to.
type outcome struct {
	verdict Verdict
	term    *Term  // the mechanism that matched
	domain  string // the domain whose record held it
	reason  string
	err     error
	exp     string
}

func (c *checker) step(depth int, domain, term string, kind StepKind, format string, args ...any) {
	c.steps = append(c.steps, Step{
		Depth: depth, Domain: domain, Term: term, Kind: kind,
		Text: fmt.Sprintf(format, args...), Lookups: c.lookups, VoidLookups: c.voids,
	})
}

// checkHost is check_host() for one domain; depth counts includes and redirects, and wantExp is false inside includes, whose explanations are never used (section 6.2).
func (c *checker) checkHost(ctx context.Context, domain string, depth int, wantExp bool) outcome {
	if why := invalidDomain(domain); why != "" {
		c.step(depth, domain, "", StepRecord, "%q is not a domain that can have an SPF record (%s), so the result is none", domain, why)
		return outcome{verdict: None, reason: fmt.Sprintf("%q is not a valid domain name: %s", domain, why)}
	}
	rec, o, ok := c.fetch(ctx, domain, depth)
	if !ok {
		return o
	}
	for i := range rec.Terms {
		t := &rec.Terms[i]
		if t.Modifier {
			continue
		}
		if t.QueriesDNS() {
			if o, over := c.countLookup(domain, t, depth); over {
				return o
			}
		}
		matched, o, stop := c.evalMechanism(ctx, rec, t, domain, depth)
		if stop {
			return o
		}
		if matched {
			v := t.Qualifier.Verdict()
			c.step(depth, domain, t.Text, StepResult, "matched, so %s's result is %s", domain, v)
			o := outcome{verdict: v, term: t, domain: domain, reason: fmt.Sprintf("%s in the record of %s matched", t.Text, domain)}
			if v == Fail && wantExp {
				o.exp = c.explain(ctx, rec, domain, depth)
			}
			return o
		}
	}
	if red := rec.Redirect(); red != nil {
		if all := rec.All(); all != nil {
			c.step(depth, domain, red.Text, StepTerm, "ignored, because the record has an all mechanism (%s)", all.Text)
		} else {
			return c.redirect(ctx, red, domain, depth, wantExp)
		}
	}
	c.step(depth, domain, "", StepResult, "no mechanism matched, so %s's result is neutral (the default)", domain)
	return outcome{verdict: Neutral, domain: domain, reason: fmt.Sprintf("no mechanism in the record of %s matched, and it has no redirect", domain)}
}

// fetch looks up domain's SPF record and parses it, giving the outcome to return when there is none or it is broken.
func (c *checker) fetch(ctx context.Context, domain string, depth int) (*Record, outcome, bool) {
	c.queries++
	txts, err := c.r.LookupTXT(ctx, domain)
	if err != nil {
		if errors.Is(err, resolve.ErrNotFound) {
			c.step(depth, domain, "", StepRecord, "%s does not exist in the DNS, so it has no SPF record: the result is none", domain)
			return nil, outcome{verdict: None, domain: domain, reason: domain + " does not exist in the DNS"}, false
		}
		c.step(depth, domain, "", StepRecord, "could not look up the TXT records of %s (%v): the result is temperror", domain, err)
		return nil, outcome{verdict: TempError, domain: domain, err: err, reason: fmt.Sprintf("the DNS did not answer for %s; try again later", domain)}, false
	}
	var spf []string
	for _, t := range txts {
		if IsSPF(t) {
			spf = append(spf, t)
		}
	}
	switch len(spf) {
	case 0:
		c.step(depth, domain, "", StepRecord, "%s has no SPF record (no TXT record starting \"v=spf1\"): the result is none", domain)
		return nil, outcome{verdict: None, domain: domain, reason: domain + " has no SPF record"}, false
	case 1:
	default:
		c.step(depth, domain, "", StepRecord, "%s has %d SPF records, and may have only one: the result is permerror", domain, len(spf))
		return nil, outcome{verdict: PermError, domain: domain,
			err:    fmt.Errorf("%s has %d SPF records: %q", domain, len(spf), spf),
			reason: fmt.Sprintf("%s publishes %d SPF records; it must publish exactly one", domain, len(spf))}, false
	}
	rec, err := Parse(spf[0])
	if err != nil {
		c.step(depth, domain, "", StepRecord, "the SPF record of %s is %q, which has an error: %v; the result is permerror", domain, spf[0], err)
		return nil, outcome{verdict: PermError, domain: domain, err: err,
			reason: fmt.Sprintf("the SPF record of %s has an error: %v", domain, err)}, false
	}
	c.step(depth, domain, "", StepRecord, "the SPF record of %s is %q", domain, spf[0])
	return rec, outcome{}, true
}

// countLookup counts a DNS-querying term against the limit of 10.
func (c *checker) countLookup(domain string, t *Term, depth int) (outcome, bool) {
	c.lookups++
	if c.lookups <= LookupLimit {
		return outcome{}, false
	}
	c.lookups = LookupLimit
	c.step(depth, domain, t.Text, StepLimit, "not evaluated: it would be DNS lookup %d, and SPF allows at most %d: the result is permerror", LookupLimit+1, LookupLimit)
	err := &LimitError{Limit: "DNS lookups", Max: LookupLimit, Domain: domain, Term: t.Text}
	return outcome{verdict: PermError, domain: domain, err: err,
		reason: fmt.Sprintf("checking needs more than %d DNS lookups (the limit was reached at %s in the record of %s)", LookupLimit, t.Text, domain)}, true
}

// countVoid counts a lookup that found nothing against the void limit.
func (c *checker) countVoid(domain string, t *Term, depth int) (outcome, bool) {
	c.voids++
	if c.voids <= c.voidLimit {
		return outcome{}, false
	}
	c.step(depth, domain, t.Text, StepLimit, "this is lookup %d to find nothing, and SPF allows at most %d: the result is permerror", c.voids, c.voidLimit)
	err := &LimitError{Limit: "void lookups", Max: c.voidLimit, Domain: domain, Term: t.Text}
	return outcome{verdict: PermError, domain: domain, err: err,
		reason: fmt.Sprintf("more than %d lookups found nothing (the last at %s in the record of %s)", c.voidLimit, t.Text, domain)}, true
}

func (c *checker) env(ctx context.Context, domain string) *macroEnv {
	return &macroEnv{
		sender: c.sender, local: c.local, senderDo: c.senderDom, domain: domain,
		ip: c.ip, helo: c.helo, receiver: c.receiver, now: c.now(),
		ptr: func() string { return c.validatedName(ctx, domain) },
	}
}

// target expands a term's domain-spec (or gives the current domain) and makes it a name to look up: trailing dot removed, cut to 253 characters from the left (section 7.3). ok is false for names that cannot be in the DNS, which then match nothing.
func (c *checker) target(ctx context.Context, t *Term, domain string) (name string, ok bool) {
	if t.Domain == "" {
		return domain, true
	}
	name = strings.TrimSuffix(t.macro.expand(c.env(ctx, domain)), ".")
	for len(name) > 253 {
		i := strings.IndexByte(name, '.')
		if i < 0 {
			return name, false
		}
		name = name[i+1:]
	}
	if name == "" {
		return name, false
	}
	for l := range strings.SplitSeq(name, ".") {
		if l == "" || len(l) > 63 {
			return name, false
		}
	}
	return name, true
}

// family names the address type a and mx look up for the client IP.
func (c *checker) family() string {
	if c.ip.Is4() {
		return "IPv4"
	}
	return "IPv6"
}

// lookupAddrs gets name's addresses of the client's family.
func (c *checker) lookupAddrs(ctx context.Context, name string) ([]netip.Addr, error) {
	c.queries++
	if c.ip.Is4() {
		return c.r.LookupA(ctx, name)
	}
	return c.r.LookupAAAA(ctx, name)
}

func (c *checker) tempError(domain string, t *Term, depth int, name string, err error) outcome {
	c.step(depth, domain, t.Text, StepLookup, "the DNS did not answer for %s (%v): the result is temperror", name, err)
	return outcome{verdict: TempError, domain: domain, err: err,
		reason: fmt.Sprintf("the DNS did not answer for %s while evaluating %s in the record of %s; try again later", name, t.Text, domain)}
}

// evalMechanism evaluates one mechanism; stop means o is the final outcome (an error).
func (c *checker) evalMechanism(ctx context.Context, rec *Record, t *Term, domain string, depth int) (matched bool, o outcome, stop bool) {
	switch t.Name {
	case "all":
		return true, o, false

	case "ip4", "ip6":
		if c.ip.Is4() != t.Prefix.Addr().Is4() || !t.Prefix.Contains(c.ip) {
			if c.ip.Is4() != t.Prefix.Addr().Is4() {
				c.step(depth, domain, t.Text, StepTerm, "does not match: %s is an %s address", c.ip, c.family())
			} else {
				c.step(depth, domain, t.Text, StepTerm, "does not match: %s is not in %s", c.ip, t.Prefix)
			}
			return false, o, false
		}
		c.step(depth, domain, t.Text, StepTerm, "%s is in %s", c.ip, t.Prefix)
		return true, o, false

	case "a", "exists":
		name, ok := c.target(ctx, t, domain)
		if !ok {
			c.step(depth, domain, t.Text, StepTerm, "does not match: %q is not a name that can exist in the DNS", name)
			return false, o, false
		}
		var addrs []netip.Addr
		var err error
		what := c.family()
		if t.Name == "exists" {
			// exists always asks for A records, whatever the client's address (section 5.7).
			c.queries++
			addrs, err = c.r.LookupA(ctx, name)
			what = "IPv4"
		} else {
			addrs, err = c.lookupAddrs(ctx, name)
		}
		if err != nil && !errors.Is(err, resolve.ErrNotFound) {
			return false, c.tempError(domain, t, depth, name, err), true
		}
		if len(addrs) == 0 {
			c.step(depth, domain, t.Text, StepLookup, "%s has no %s addresses (DNS lookup %d of %d)", name, what, c.lookups, LookupLimit)
			if o, over := c.countVoid(domain, t, depth); over {
				return false, o, true
			}
			c.step(depth, domain, t.Text, StepTerm, "does not match (a lookup that found nothing: %d of %d allowed)", c.voids, c.voidLimit)
			return false, o, false
		}
		if t.Name == "exists" {
			c.step(depth, domain, t.Text, StepTerm, "%s exists (DNS lookup %d of %d)", name, c.lookups, LookupLimit)
			return true, o, false
		}
		if p, ok := matchAddrs(c.ip, addrs, t.CIDR4, t.CIDR6); ok {
			c.step(depth, domain, t.Text, StepTerm, "%s has address %s, and %s is in %s (DNS lookup %d of %d)", name, listAddrs(addrs), c.ip, p, c.lookups, LookupLimit)
			return true, o, false
		}
		c.step(depth, domain, t.Text, StepTerm, "does not match: %s has %s, not %s (DNS lookup %d of %d)", name, listAddrs(addrs), c.ip, c.lookups, LookupLimit)
		return false, o, false

	case "mx":
		return c.evalMX(ctx, t, domain, depth)

	case "ptr":
		return c.evalPTR(ctx, t, domain, depth)

	case "include":
		name, ok := c.target(ctx, t, domain)
		if !ok {
			c.step(depth, domain, t.Text, StepTerm, "%q is not a valid domain, so the include finds no record: the result is permerror", name)
			return false, outcome{verdict: PermError, domain: domain, err: fmt.Errorf("include target %q is not a valid domain", name),
				reason: fmt.Sprintf("%s in the record of %s names a domain that cannot exist", t.Text, domain)}, true
		}
		c.step(depth, domain, t.Text, StepTerm, "checking the record of %s (DNS lookup %d of %d)", name, c.lookups, LookupLimit)
		in := c.checkHost(ctx, name, depth+1, false)
		switch in.verdict {
		case Pass:
			c.step(depth, domain, t.Text, StepTerm, "%s gave pass, so the include matches", name)
			return true, o, false
		case Fail, SoftFail, Neutral:
			c.step(depth, domain, t.Text, StepTerm, "does not match: %s gave %s, and only pass makes an include match", name, in.verdict)
			return false, o, false
		case None:
			c.step(depth, domain, t.Text, StepTerm, "%s has no SPF record, which makes the include a permerror", name)
			return false, outcome{verdict: PermError, domain: domain, err: fmt.Errorf("included domain %s has no SPF record", name),
				reason: fmt.Sprintf("%s in the record of %s names a domain with no SPF record", t.Text, domain)}, true
		default:
			c.step(depth, domain, t.Text, StepTerm, "%s gave %s, so this check is %s too", name, in.verdict, in.verdict)
			in.term = nil
			return false, in, true
		}
	}
	return false, o, false
}

func (c *checker) evalMX(ctx context.Context, t *Term, domain string, depth int) (bool, outcome, bool) {
	var o outcome
	name, ok := c.target(ctx, t, domain)
	if !ok {
		c.step(depth, domain, t.Text, StepTerm, "does not match: %q is not a name that can exist in the DNS", name)
		return false, o, false
	}
	c.queries++
	mxs, err := c.r.LookupMX(ctx, name)
	if err != nil && !errors.Is(err, resolve.ErrNotFound) {
		return false, c.tempError(domain, t, depth, name, err), true
	}
	if len(mxs) == 0 {
		c.step(depth, domain, t.Text, StepLookup, "%s has no MX records (DNS lookup %d of %d)", name, c.lookups, LookupLimit)
		if o, over := c.countVoid(domain, t, depth); over {
			return false, o, true
		}
		c.step(depth, domain, t.Text, StepTerm, "does not match (a lookup that found nothing: %d of %d allowed)", c.voids, c.voidLimit)
		return false, o, false
	}
	if len(mxs) > MXLimit {
		c.step(depth, domain, t.Text, StepLimit, "%s has %d MX records, and SPF allows at most %d: the result is permerror", name, len(mxs), MXLimit)
		return false, outcome{verdict: PermError, domain: domain,
			err:    &LimitError{Limit: "MX records", Max: MXLimit, Domain: domain, Term: t.Text},
			reason: fmt.Sprintf("%s in the record of %s names %s, which has %d mail servers; SPF allows at most %d", t.Text, domain, name, len(mxs), MXLimit)}, true
	}
	mxs = slices.Clone(mxs)
	slices.SortStableFunc(mxs, func(a, b resolve.MX) int { return cmp.Compare(a.Pref, b.Pref) })
	var hosts []string
	for _, mx := range mxs {
		if mx.Host == "" {
			continue // a null MX (RFC 7505) names no host
		}
		hosts = append(hosts, mx.Host)
		addrs, err := c.lookupAddrs(ctx, mx.Host)
		if err != nil && !errors.Is(err, resolve.ErrNotFound) {
			return false, c.tempError(domain, t, depth, mx.Host, err), true
		}
		if p, ok := matchAddrs(c.ip, addrs, t.CIDR4, t.CIDR6); ok {
			c.step(depth, domain, t.Text, StepTerm, "mail server %s of %s has address %s, and %s is in %s (DNS lookup %d of %d)", mx.Host, name, listAddrs(addrs), c.ip, p, c.lookups, LookupLimit)
			return true, o, false
		}
	}
	if len(hosts) == 0 {
		c.step(depth, domain, t.Text, StepTerm, "does not match: %s says it takes no mail (null MX) (DNS lookup %d of %d)", name, c.lookups, LookupLimit)
	} else {
		c.step(depth, domain, t.Text, StepTerm, "does not match: no %s address of %s's mail servers (%s) is %s (DNS lookup %d of %d)", c.family(), name, strings.Join(hosts, ", "), c.ip, c.lookups, LookupLimit)
	}
	return false, o, false
}

func (c *checker) evalPTR(ctx context.Context, t *Term, domain string, depth int) (bool, outcome, bool) {
	var o outcome
	name, ok := c.target(ctx, t, domain)
	if !ok {
		c.step(depth, domain, t.Text, StepTerm, "does not match: %q is not a name that can exist in the DNS", name)
		return false, o, false
	}
	names := c.reverseNames(ctx)
	if c.ptrErr != nil && !errors.Is(c.ptrErr, resolve.ErrNotFound) {
		// A DNS error in the PTR lookup makes ptr not match (section 5.5).
		c.step(depth, domain, t.Text, StepTerm, "does not match: the reverse lookup of %s failed (%v)", c.ip, c.ptrErr)
		return false, o, false
	}
	if len(names) == 0 {
		c.step(depth, domain, t.Text, StepLookup, "%s has no reverse DNS name (DNS lookup %d of %d)", c.ip, c.lookups, LookupLimit)
		if o, over := c.countVoid(domain, t, depth); over {
			return false, o, true
		}
		c.step(depth, domain, t.Text, StepTerm, "does not match (a lookup that found nothing: %d of %d allowed)", c.voids, c.voidLimit)
		return false, o, false
	}
	for _, n := range names {
		if !isSubdomain(n, name) {
			continue
		}
		if c.validate(ctx, n) {
			c.step(depth, domain, t.Text, StepTerm, "%s's reverse name %s is in %s and points back to it (DNS lookup %d of %d)", c.ip, n, name, c.lookups, LookupLimit)
			return true, o, false
		}
	}
	c.step(depth, domain, t.Text, StepTerm, "does not match: no reverse name of %s (%s) both ends in %s and points back to it (DNS lookup %d of %d)", c.ip, strings.Join(names, ", "), name, c.lookups, LookupLimit)
	return false, o, false
}

// reverseNames looks up the client IP's PTR names once per check, keeping the first PTRLimit (section 4.6.4).
func (c *checker) reverseNames(ctx context.Context) []string {
	if !c.ptrDone {
		c.ptrDone = true
		c.queries++
		names, err := c.r.LookupPTR(ctx, c.ip)
		c.ptrErr = err
		if len(names) > PTRLimit {
			names = names[:PTRLimit]
		}
		c.ptrNames = names
	}
	return c.ptrNames
}

// validate reports whether name, from a PTR record, has the client IP among its addresses; DNS errors make it unvalidated (section 5.5).
func (c *checker) validate(ctx context.Context, name string) bool {
	if v, ok := c.valid[name]; ok {
		return v
	}
	addrs, _ := c.lookupAddrs(ctx, name)
	v := slices.Contains(addrs, c.ip)
	c.valid[name] = v
	return v
}

// validatedName gives %{p}: a validated reverse name of the client IP, preferring domain itself, then its subdomains, then any; "unknown" if none validates (section 7.3).
func (c *checker) validatedName(ctx context.Context, domain string) string {
	names := c.reverseNames(ctx)
	for _, pass := range []func(string) bool{
		func(n string) bool { return strings.EqualFold(n, domain) },
		func(n string) bool { return isSubdomain(n, domain) },
		func(string) bool { return true },
	} {
		for _, n := range names {
			if pass(n) && c.validate(ctx, n) {
				return n
			}
		}
	}
	return "unknown"
}

func (c *checker) redirect(ctx context.Context, red *Term, domain string, depth int, wantExp bool) outcome {
	if o, over := c.countLookup(domain, red, depth); over {
		return o
	}
	name, ok := c.target(ctx, red, domain)
	if !ok {
		c.step(depth, domain, red.Text, StepTerm, "%q is not a valid domain: the result is permerror", name)
		return outcome{verdict: PermError, domain: domain, err: fmt.Errorf("redirect target %q is not a valid domain", name),
			reason: fmt.Sprintf("%s in the record of %s names a domain that cannot exist", red.Text, domain)}
	}
	c.step(depth, domain, red.Text, StepTerm, "no mechanism matched, so the result is that of %s (DNS lookup %d of %d)", name, c.lookups, LookupLimit)
	o := c.checkHost(ctx, name, depth+1, wantExp)
	if o.verdict == None {
		c.step(depth, domain, red.Text, StepResult, "%s has no SPF record, which makes the redirect a permerror", name)
		return outcome{verdict: PermError, domain: domain, err: fmt.Errorf("redirect target %s has no SPF record", name),
			reason: fmt.Sprintf("%s in the record of %s names a domain with no SPF record", red.Text, domain)}
	}
	return o
}

// explain fetches and expands the exp= explanation of a fail (section 6.2); any problem with it means no explanation, never another result.
func (c *checker) explain(ctx context.Context, rec *Record, domain string, depth int) string {
	exp := rec.Exp()
	if exp == nil {
		return ""
	}
	name, ok := c.target(ctx, exp, domain)
	if !ok {
		c.step(depth, domain, exp.Text, StepTerm, "no explanation: %q is not a valid domain", name)
		return ""
	}
	c.queries++
	txts, err := c.r.LookupTXT(ctx, name)
	switch {
	case err != nil:
		c.step(depth, domain, exp.Text, StepLookup, "no explanation: looking up %s failed (%v)", name, err)
		return ""
	case len(txts) != 1:
		c.step(depth, domain, exp.Text, StepLookup, "no explanation: %s has %d TXT records, and needs exactly one", name, len(txts))
		return ""
	}
	m, err := parseMacroString(txts[0], true, true)
	if err != nil {
		c.step(depth, domain, exp.Text, StepLookup, "no explanation: the TXT record of %s is not valid explanation text (%v)", name, err)
		return ""
	}
	text := m.expand(c.env(ctx, domain))
	c.step(depth, domain, exp.Text, StepLookup, "the explanation is %q", text)
	return text
}

// matchAddrs reports whether ip is within the CIDR length of one of addrs, giving that network.
func matchAddrs(ip netip.Addr, addrs []netip.Addr, cidr4, cidr6 int) (netip.Prefix, bool) {
	for _, a := range addrs {
		a = a.Unmap()
		if a.Is4() != ip.Is4() {
			continue
		}
		bits := cidr6
		if a.Is4() {
			bits = cidr4
		}
		p, err := a.Prefix(bits)
		if err == nil && p.Contains(ip) {
			return p, true
		}
	}
	return netip.Prefix{}, false
}

func listAddrs(addrs []netip.Addr) string {
	s := make([]string, 0, len(addrs))
	for i, a := range addrs {
		if i == 5 {
			s = append(s, fmt.Sprintf("and %d more", len(addrs)-5))
			break
		}
		s = append(s, a.String())
	}
	return strings.Join(s, ", ")
}

// isSubdomain reports whether name is parent or below it, ignoring case and trailing dots.
func isSubdomain(name, parent string) bool {
	name = strings.ToLower(strings.TrimSuffix(name, "."))
	parent = strings.ToLower(strings.TrimSuffix(parent, "."))
	return name == parent || strings.HasSuffix(name, "."+parent)
}

// invalidDomain says why domain cannot be checked (section 4.3), or "" if it can: labels of 1 to 63 octets, 253 in all, at least two labels, not an address literal.
func invalidDomain(domain string) string {
	d := strings.TrimSuffix(domain, ".")
	switch {
	case d == "":
		return "it is empty"
	case strings.HasPrefix(d, "["):
		return "it is an address literal, not a name"
	case len(d) > 253:
		return "it is longer than 253 characters"
	case !strings.Contains(d, "."):
		return "it has only one label"
	}
	for l := range strings.SplitSeq(d, ".") {
		if l == "" {
			return "it has an empty label"
		}
		if len(l) > 63 {
			return "it has a label longer than 63 characters"
		}
	}
	return ""
}
