package phish

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/handwash/handwash"
	"golang.org/x/net/publicsuffix"
)

// MaxMessageSize is the largest message Analyse accepts unless
// Options.MaxSize says otherwise. Most mail services refuse messages above
// about 25 MB, so nothing larger arrives by email.
const MaxMessageSize = 25 << 20

// Scores at which the verdict changes. One strong sign (a failed DMARC
// check, a lookalike address) makes a message suspicious; it takes a
// dangerous attachment or several signs together to make it likely
// phishing.
const (
	SuspiciousScore = 3
	PhishingScore   = 7
)

// Verdict is the overall judgement on a message.
type Verdict string

// The verdicts, from worst to best.
const (
	VerdictPhishing   Verdict = "likely phishing"
	VerdictSuspicious Verdict = "suspicious"
	VerdictNone       Verdict = "no signs found"
)

// Options tune an analysis to the organisation reading the mail. The zero
// value works: default brands, no DNS.
type Options struct {
	// OrgName is the organisation's name as staff know it ("Rose Court
	// Care Home"); a sender's name that uses it from an outside address is
	// a sign.
	OrgName string
	// OrgDomains are the organisation's own mail domains, guarded against
	// lookalikes. Free-mail domains such as gmail.com belong to no one
	// organisation and are ignored here.
	OrgDomains []string
	// Protected are more domains to guard against lookalikes, such as a
	// local authority's or a supplier's.
	Protected []string
	// Brands replaces DefaultBrands when not nil.
	Brands []Brand
	// AuthServIDs names the mail servers whose Authentication-Results
	// headers to believe; empty means the topmost one, which is the
	// receiving server's in almost every setup.
	AuthServIDs []string
	// LookupTXT fetches DNS TXT records, such as (*net.Resolver).LookupTXT.
	// When nil, DNS is off: no DKIM key is fetched and only what can be
	// checked offline is. It may be called from several goroutines at
	// once, one per signature.
	LookupTXT func(ctx context.Context, name string) ([]string, error)
	// MaxSize is the largest message accepted, in bytes; 0 means
	// MaxMessageSize.
	MaxSize int
	// Now is the time dates are judged against when a message has no
	// Received line; zero means the current time.
	Now time.Time
}

// Sign is one reason to think a message is phishing.
type Sign struct {
	// ID names the rule, stable across versions, such as
	// "sender.display-name-brand".
	ID string `json:"id"`
	// Weight is how much the sign adds to the score: 1 is a small hint,
	// 8 is dangerous on its own.
	Weight int `json:"weight"`
	// Title says what was found in a few words.
	Title string `json:"title"`
	// Explanation says, in plain English, what was found in this message
	// and why it matters.
	Explanation string `json:"explanation"`
	// Evidence is the exact text the sign rests on: a header, a link, an
	// attachment's name.
	Evidence []string `json:"evidence,omitempty"`
}

// Report is the result of analysing one message.
type Report struct {
	// Verdict is the overall judgement.
	Verdict Verdict `json:"verdict"`
	// Score is the sum of the signs' weights.
	Score int `json:"score"`
	// Summary is one sentence on the verdict.
	Summary string `json:"summary"`
	// From and Subject identify the message, as its headers give them.
	From    string `json:"from,omitempty"`
	Subject string `json:"subject,omitempty"`
	// Signs are the reasons, heaviest first.
	Signs []Sign `json:"signs"`
	// DKIM lists what checking each DKIM signature found.
	DKIM []DKIMResult `json:"dkim,omitempty"`
	// Problems are parts of the message that could not be read.
	Problems []string `json:"problems,omitempty"`
	// Advice is what the reader should do next.
	Advice []string `json:"advice"`
}

// analysis holds the state of one Analyse call.
type analysis struct {
	ctx        context.Context
	opts       Options
	now        time.Time
	brands     *brandSet
	m          *message
	fromDomain string
	fromOrg    string
	// tracking are the organisations that vouch for the message (the From
	// domain and the DKIM signers whose signature holds), whose own
	// click-counting links are expected.
	tracking map[string]bool
	signs    []Sign
	dkim     []DKIMResult
}

// Analyse reads one message in Internet Message Format (an .eml file) and
// reports the signs of phishing it shows. It fails only when the input is
// too large, empty or too complex to check safely, or ctx is done; broken
// mail is analysed as far as it can be read.
func Analyse(ctx context.Context, raw []byte, opts Options) (rep *Report, err error) {
	limit := opts.MaxSize
	if limit <= 0 {
		limit = MaxMessageSize
	}
	if len(raw) > limit {
		return nil, handwash.Errorf(handwash.ETOOLARGE,
			"the message is %s, more than the %s Handwash checks; save it without its attachments and try again", size(len(raw)), size(limit))
	}
	if len(bytes.TrimSpace(raw)) == 0 {
		return nil, handwash.Errorf(handwash.EINVALID, "the message is empty; save the whole message as an .eml file and try again")
	}
	if err := checkComplexity(raw); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	defer func() {
		// The rules are fuzzed, but the MIME and HTML parsers are not ours;
		// a crash on one crafted message must not take down a server
		// checking a whole inbox.
		if p := recover(); p != nil {
			rep, err = nil, &handwash.Error{Code: handwash.EINTERNAL, Message: "Handwash could not analyse this message", Err: fmt.Errorf("panic: %v", p)}
		}
	}()
	return analyse(ctx, raw, opts)
}

func analyse(ctx context.Context, raw []byte, opts Options) (*Report, error) {
	a := &analysis{ctx: ctx, opts: opts, now: opts.Now, brands: brandSetFor(opts), m: parseMessage(raw)}
	if a.now.IsZero() {
		a.now = time.Now()
	}
	if a.m.from != nil {
		a.fromDomain = domainOf(a.m.from.Address)
		a.fromOrg = orgDomain(a.fromDomain)
	}
	a.checkAuthentication()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	a.tracking = map[string]bool{a.fromOrg: a.fromOrg != ""}
	for _, d := range a.dkim {
		if d.Result == DKIMPass || d.Result == DKIMUnverified {
			a.tracking[orgDomain(d.Domain)] = true
		}
	}
	a.checkSender()
	a.checkHeaders()
	a.checkLinks()
	a.checkForms()
	a.checkAttachments()
	a.checkLanguage()
	if len(a.m.problems) > 0 {
		a.add("mime.malformed", 1, "Parts of the message do not follow the rules for email.", a.m.problems[:min(len(a.m.problems), 3)]...)
	}
	return a.report(), nil
}

// add records a sign. A rule that fires more than once (several bad links)
// makes one sign, with the heaviest weight and explanation, and all the
// evidence.
func (a *analysis) add(id string, weight int, detail string, evidence ...string) {
	detail = clip(detail, 1000)
	for i, e := range evidence {
		evidence[i] = clip(e, 300)
	}
	for i := range a.signs {
		s := &a.signs[i]
		if s.ID != id {
			continue
		}
		if weight > s.Weight {
			s.Weight = weight
			s.Explanation = explain(id, detail)
		}
		for _, e := range evidence {
			if len(s.Evidence) < maxEvidence && !slices.Contains(s.Evidence, e) {
				s.Evidence = append(s.Evidence, e)
			}
		}
		return
	}
	s := Sign{ID: id, Weight: weight, Title: catalogue[id].title, Explanation: explain(id, detail)}
	for _, e := range evidence {
		if len(s.Evidence) < maxEvidence && !slices.Contains(s.Evidence, e) {
			s.Evidence = append(s.Evidence, e)
		}
	}
	a.signs = append(a.signs, s)
}

const maxEvidence = 5

func explain(id, detail string) string {
	why := catalogue[id].why
	if detail == "" {
		return why
	}
	return detail + " " + why
}

func (a *analysis) report() *Report {
	slices.SortStableFunc(a.signs, func(x, y Sign) int {
		if c := cmp.Compare(y.Weight, x.Weight); c != 0 {
			return c
		}
		return strings.Compare(x.ID, y.ID)
	})
	r := &Report{Signs: a.signs, DKIM: a.dkim, Problems: a.m.problems, Subject: clip(a.m.subject, 300), From: clip(a.m.fromRaw, 300)}
	if a.m.from != nil && a.m.env != nil {
		r.From = a.m.from.String()
		if a.m.from.Name != "" {
			// mail.Address.String encodes non-ASCII names; people read
			// them as written.
			r.From = fmt.Sprintf("%q <%s>", a.m.from.Name, a.m.from.Address)
		}
	}
	if r.Signs == nil {
		r.Signs = []Sign{}
	}
	for _, s := range a.signs {
		r.Score += s.Weight
	}
	switch {
	case r.Score >= PhishingScore:
		r.Verdict = VerdictPhishing
		r.Summary = "This message shows strong signs of phishing: treat it as an attack."
	case r.Score >= SuspiciousScore:
		r.Verdict = VerdictSuspicious
		r.Summary = "This message shows some signs of phishing: check it is genuine before you act on it."
	default:
		r.Verdict = VerdictNone
		r.Summary = "Handwash found no clear signs of phishing in this message."
	}
	r.Advice = advice(r.Verdict)
	return r
}

// advice follows the NCSC's guidance on suspicious email.
func advice(v Verdict) []string {
	report := "Report it: forward it to report@phishing.gov.uk (the National Cyber Security Centre's reporting service) and tell whoever looks after your IT."
	switch v {
	case VerdictPhishing:
		return []string{
			"Do not click any links, open any attachments or reply.",
			report,
			"If you have already clicked a link or typed a password, change that password now and tell your IT support. If you have paid money or changed bank details, call your bank straight away on the number on its website.",
			"Then delete the message.",
		}
	case VerdictSuspicious:
		return []string{
			"Do not click links, open attachments or pay anything until you are sure the message is genuine.",
			"Check with the sender using a phone number or address you already have, not one in this message.",
			"If it turns out to be fake: " + strings.ToLower(report[:1]) + report[1:],
		}
	default:
		return []string{
			"No check is perfect. If the message asks for money, a password or bank details, or just feels wrong, check with the sender using contact details you already have.",
			"You can report any suspicious message to report@phishing.gov.uk.",
		}
	}
}

// checkComplexity refuses messages built to exhaust the MIME parser, which
// recurses once per nested multipart and allocates per part, before
// parsing them.
func checkComplexity(raw []byte) error {
	multipart := countFold(raw, []byte("multipart"), maxMultipart+1)
	if multipart > maxMultipart {
		return handwash.Errorf(handwash.ETOOLARGE, "the message has more than %d nested sections, too many to check safely; real mail never has so many, so treat it as suspicious", maxMultipart)
	}
	if multipart == 0 {
		return nil
	}
	lines := 0
	for i := 0; i+1 < len(raw); i++ {
		if raw[i] == '-' && raw[i+1] == '-' && (i == 0 || raw[i-1] == '\n') {
			lines++
			if lines > maxBoundaryLines {
				return handwash.Errorf(handwash.ETOOLARGE, "the message has more than %d parts, too many to check safely; real mail never has so many, so treat it as suspicious", maxBoundaryLines)
			}
		}
	}
	return nil
}

// countFold counts case-insensitive occurrences of an ASCII lowercase word,
// stopping at limit.
func countFold(b, word []byte, limit int) int {
	n := 0
	first := word[0]
	for i := 0; i+len(word) <= len(b) && n < limit; i++ {
		if b[i]|0x20 != first {
			continue
		}
		match := true
		for j := 1; j < len(word); j++ {
			if b[i+j]|0x20 != word[j] {
				match = false
				break
			}
		}
		if match {
			n++
			i += len(word) - 1
		}
	}
	return n
}

func size(n int) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%d KB", n>>10)
	default:
		return fmt.Sprintf("%d bytes", n)
	}
}

// clip shortens s for evidence, so a crafted header cannot flood a report,
// and drops control characters that could garble a terminal.
func clip(s string, n int) string {
	s = strings.Map(func(r rune) rune {
		switch {
		case r == '\t' || r == '\n' || r == '\r':
			return ' '
		case r < 0x20 || r == 0x7f || r >= 0x80 && r < 0xa0 || r >= 0x202a && r <= 0x202e || r >= 0x2066 && r <= 0x2069:
			return -1
		}
		return r
	}, s)
	s = collapseSpace(s)
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && !utf8RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

func utf8RuneStart(b byte) bool { return b&0xc0 != 0x80 }

func publicSuffix(host string) (string, bool) { return publicsuffix.PublicSuffix(host) }
