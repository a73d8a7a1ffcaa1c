package phish

import (
	"bytes"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"hash"
	"strconv"
	"strings"

	"github.com/emersion/go-msgauth/authres"
	"github.com/emersion/go-msgauth/dkim"
)

// maxSignatures bounds the DKIM signatures checked in one message; each may
// cost a DNS look-up and an RSA verification.
const maxSignatures = 5

// DKIMResult is what checking one DKIM signature found.
type DKIMResult struct {
	// Domain is the domain that signed (d=).
	Domain string `json:"domain"`
	// Selector names the key the domain used (s=).
	Selector string `json:"selector,omitempty"`
	// Aligned is true when Domain belongs to the same organisation as the
	// From address, which is the signature that counts for DMARC.
	Aligned bool `json:"aligned"`
	// Result is pass, fail, permerror or temperror as in RFC 8601, or
	// unverified when DNS look-ups are off and only the body was checked.
	Result string `json:"result"`
	// Detail says why, in a few words.
	Detail string `json:"detail,omitempty"`
}

// DKIM results.
const (
	DKIMPass       = "pass"
	DKIMFail       = "fail"
	DKIMPermError  = "permerror"
	DKIMTempError  = "temperror"
	DKIMUnverified = "unverified"
)

// authResults is what the trusted Authentication-Results and Received-SPF
// headers say.
type authResults struct {
	spf, dkim, dmarc, compauth []string // result values, lowercased
	dkimPassDomains            map[string]bool
	evidence                   map[string][]string // method → header text
}

// readAuthResults reads the Authentication-Results headers that come from a
// server we trust: the ones named in Options.AuthServIDs or, by default, the
// topmost one's. Headers are added at the top as mail travels, so anything
// a sender wrote in advance sits below the receiving server's own; and no
// sender fakes a failure.
func (a *analysis) readAuthResults() authResults {
	r := authResults{dkimPassDomains: map[string]bool{}, evidence: map[string][]string{}}
	values := a.m.header.Values("Authentication-Results")
	trusted := map[string]bool{}
	for _, id := range a.opts.AuthServIDs {
		trusted[strings.ToLower(id)] = true
	}
	for i, header := range values {
		if i >= 50 {
			break
		}
		v := stripComments(header)
		if first, _, _ := strings.Cut(v, ";"); strings.Contains(first, "=") {
			// Microsoft 365 leaves out the server's name, so the first
			// result would be taken for it.
			v = ";" + v
		}
		id, results, _ := authres.Parse(v)
		v = header
		id = strings.ToLower(id)
		if len(a.opts.AuthServIDs) == 0 && i == 0 {
			trusted[id] = true
		}
		if !trusted[id] {
			continue
		}
		for _, res := range results {
			switch res := res.(type) {
			case *authres.SPFResult:
				r.spf = append(r.spf, string(res.Value))
				r.evidence["spf"] = append(r.evidence["spf"], "Authentication-Results: "+clip(v, 200))
			case *authres.DKIMResult:
				r.dkim = append(r.dkim, string(res.Value))
				d := res.Domain
				if d == "" {
					d = domainOf(res.Identifier)
				}
				if res.Value == authres.ResultPass && d != "" {
					r.dkimPassDomains[normaliseHost(d)] = true
				}
				r.evidence["dkim"] = append(r.evidence["dkim"], "Authentication-Results: "+clip(v, 200))
			case *authres.DMARCResult:
				r.dmarc = append(r.dmarc, string(res.Value))
				r.evidence["dmarc"] = append(r.evidence["dmarc"], "Authentication-Results: "+clip(v, 200))
			case *authres.GenericResult:
				if res.Method == "compauth" {
					r.compauth = append(r.compauth, string(res.Value))
					r.evidence["compauth"] = append(r.evidence["compauth"], "Authentication-Results: "+clip(v, 200))
				}
			}
		}
	}
	// Received-SPF is written by the receiving server at the top too.
	if rs := a.m.header.Values("Received-Spf"); len(rs) > 0 {
		v := strings.TrimSpace(rs[0])
		word, _, _ := strings.Cut(v, " ")
		r.spf = append(r.spf, strings.ToLower(strings.Trim(word, "();")))
		r.evidence["spf"] = append(r.evidence["spf"], "Received-SPF: "+clip(v, 200))
	}
	return r
}

// stripComments removes parenthesised comments, which may hold semicolons
// that would split a result in two.
func stripComments(s string) string {
	if !strings.Contains(s, "(") {
		return s
	}
	var b strings.Builder
	depth, quoted := 0, false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\\' && i+1 < len(s):
			if depth == 0 {
				b.WriteByte(c)
				b.WriteByte(s[i+1])
			}
			i++
		case c == '"' && depth == 0:
			quoted = !quoted
			b.WriteByte(c)
		case c == '(' && !quoted:
			depth++
		case c == ')' && !quoted && depth > 0:
			depth--
		case depth == 0:
			b.WriteByte(c)
		}
	}
	return b.String()
}

func has(values []string, want ...string) bool {
	for _, v := range values {
		for _, w := range want {
			if v == w {
				return true
			}
		}
	}
	return false
}

// checkAuthentication turns what the receiving server recorded, and our own
// DKIM checks, into signs.
func (a *analysis) checkAuthentication() {
	ar := a.readAuthResults()
	switch {
	case has(ar.dmarc, "fail"):
		a.add("auth.dmarc-fail", 5, "The domain in the From address ("+a.fromDomain+") has a policy saying which mail is really from it, and this message failed that check.", ar.evidence["dmarc"]...)
	case has(ar.compauth, "fail"):
		a.add("auth.dmarc-fail", 5, "Your mail service's combined check of the sender ("+a.fromDomain+") failed.", ar.evidence["compauth"]...)
	}
	if !has(ar.spf, "pass") {
		switch {
		case has(ar.spf, "fail", "hardfail"):
			a.add("auth.spf-fail", 2, "The server that delivered this message is not one the sender's domain allows to send its mail.", ar.evidence["spf"]...)
		case has(ar.spf, "softfail"):
			a.add("auth.spf-fail", 1, "The server that delivered this message is probably not one the sender's domain uses (a 'soft' failure).", ar.evidence["spf"]...)
		}
	}

	a.dkim = a.checkDKIM(ar.dkimPassDomains)
	var alignedPass, alignedFail, anyPass, otherFail, alignedBadKey bool
	var failEvidence []string
	for _, d := range a.dkim {
		switch {
		case d.Result == DKIMPass:
			anyPass = true
			alignedPass = alignedPass || d.Aligned
		case d.Result == DKIMFail && d.Aligned:
			alignedFail = true
			failEvidence = append(failEvidence, "DKIM signature by "+d.Domain+": "+d.Detail)
		case d.Result == DKIMFail:
			otherFail = true
			failEvidence = append(failEvidence, "DKIM signature by "+d.Domain+": "+d.Detail)
		case d.Result == DKIMPermError && d.Aligned && (strings.HasPrefix(d.Detail, "no key for signature") || d.Detail == "key revoked"):
			// The domain publishes no such key: the signature was made up.
			alignedBadKey = true
			failEvidence = append(failEvidence, "DKIM signature by "+d.Domain+": "+d.Detail)
		}
	}
	arDKIMPass := has(ar.dkim, "pass")
	switch {
	case alignedPass || arDKIMPass && !alignedFail:
	case alignedFail:
		a.add("auth.dkim-fail", 3, "The message carries a signature from "+a.fromDomain+", the sender's own domain, and it does not match the message.", failEvidence...)
	case alignedBadKey:
		a.add("auth.dkim-fail", 2, "The message carries a signature in the name of "+a.fromDomain+", but that domain does not publish a key that could have made it.", failEvidence...)
	case otherFail && !anyPass:
		a.add("auth.dkim-fail", 1, "The message carries a digital signature that does not match it.", failEvidence...)
	case has(ar.dkim, "fail", "permerror") && !arDKIMPass:
		a.add("auth.dkim-fail", 2, "Your mail server checked the message's digital signature and it failed.", ar.evidence["dkim"]...)
	}
}

// checkDKIM checks each DKIM signature. With DNS it does the full check.
// Without DNS it still recomputes the body hash, which needs no key: a
// mismatch means the body was changed after signing, which is a failure
// whatever the key says. Domains the receiving server already passed are
// not second-guessed, since a mail program may re-encode a message when
// saving it.
func (a *analysis) checkDKIM(arPass map[string]bool) []DKIMResult {
	sigs := a.m.header.Values("Dkim-Signature")
	if len(sigs) == 0 {
		return nil
	}
	if len(sigs) > maxSignatures {
		sigs = sigs[:maxSignatures]
	}
	var out []DKIMResult
	if a.opts.LookupTXT != nil {
		out = a.verifyDKIM(sigs)
		if out != nil {
			return out
		}
	}
	body := a.m.raw[bodyStart(a.m.raw):]
	for _, sig := range sigs {
		tags := parseTags(sig)
		d := DKIMResult{Domain: normaliseHost(tags["d"]), Selector: tags["s"]}
		d.Aligned = d.Domain != "" && orgDomain(d.Domain) == a.fromOrg
		switch ok, detail := bodyHashMatches(body, tags); {
		case detail != "":
			d.Result, d.Detail = DKIMPermError, detail
		case arPass[d.Domain]:
			d.Result, d.Detail = DKIMPass, "passed at your mail server"
		case !ok:
			d.Result, d.Detail = DKIMFail, "the message body was changed after it was signed"
		default:
			d.Result, d.Detail = DKIMUnverified, "the body matches the signature; the signature itself was not checked because DNS look-ups are off"
		}
		out = append(out, d)
	}
	return out
}

// verifyDKIM runs the full RFC 6376 verification through go-msgauth, with
// the key looked up through Options.LookupTXT.
func (a *analysis) verifyDKIM(sigs []string) []DKIMResult {
	ctx := a.ctx
	lookup := func(name string) ([]string, error) {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		return a.opts.LookupTXT(ctx, name)
	}
	verifs, err := dkim.VerifyWithOptions(bytes.NewReader(a.m.raw), &dkim.VerifyOptions{LookupTXT: lookup, MaxVerifications: maxSignatures})
	if err != nil && len(verifs) == 0 {
		return nil
	}
	out := make([]DKIMResult, 0, len(verifs))
	for i, v := range verifs {
		detail := ""
		if v.Err != nil {
			detail = strings.TrimPrefix(v.Err.Error(), "dkim: ")
		}
		d := DKIMResult{Domain: normaliseHost(v.Domain)}
		if i < len(sigs) {
			d.Selector = parseTags(sigs[i])["s"]
		}
		d.Aligned = d.Domain != "" && orgDomain(d.Domain) == a.fromOrg
		switch {
		case v.Err == nil:
			d.Result = DKIMPass
		case dkim.IsTempFail(v.Err):
			d.Result, d.Detail = DKIMTempError, detail
		case dkim.IsPermFail(v.Err), strings.Contains(detail, "body length tag"):
			// A body length tag is risky but legitimate, so it is reported
			// as a signature that could not be judged, not as a failure.
			d.Result, d.Detail = DKIMPermError, detail
		default:
			d.Result, d.Detail = DKIMFail, strings.ReplaceAll(detail, "dkim: ", "")
		}
		out = append(out, d)
	}
	return out
}

// parseTags reads a DKIM tag list (RFC 6376 section 3.2) into a map, with
// folding whitespace removed from values.
func parseTags(s string) map[string]string {
	tags := map[string]string{}
	for part := range strings.SplitSeq(s, ";") {
		k, v, ok := strings.Cut(part, "=")
		if !ok {
			continue
		}
		k = strings.ToLower(strings.TrimSpace(k))
		if _, dup := tags[k]; dup || len(tags) > 30 {
			continue
		}
		tags[k] = strings.Join(strings.Fields(v), "")
	}
	return tags
}

// bodyHashMatches recomputes the DKIM body hash (bh=) of body. detail is
// set when the signature cannot be checked at all.
func bodyHashMatches(body []byte, tags map[string]string) (ok bool, detail string) {
	want, err := base64.StdEncoding.DecodeString(tags["bh"])
	if err != nil || len(want) == 0 {
		return false, "the signature is malformed"
	}
	var h hash.Hash
	switch strings.ToLower(tags["a"]) {
	case "rsa-sha256", "ed25519-sha256":
		h = sha256.New()
	case "rsa-sha1":
		h = sha1.New()
	default:
		return false, "the signature uses an unknown method"
	}
	bodyCanon := "simple"
	if c := strings.ToLower(tags["c"]); c != "" {
		if _, b, ok := strings.Cut(c, "/"); ok {
			bodyCanon = b
		}
	}
	var canon []byte
	switch bodyCanon {
	case "simple":
		canon = simpleBody(body)
	case "relaxed":
		canon = relaxedBody(body)
	default:
		return false, "the signature uses an unknown method"
	}
	if l, ok := tags["l"]; ok {
		n, err := strconv.Atoi(l)
		if err != nil || n < 0 {
			return false, "the signature is malformed"
		}
		if n < len(canon) {
			canon = canon[:n]
		}
	}
	h.Write(canon)
	return subtle.ConstantTimeCompare(h.Sum(nil), want) == 1, ""
}

// lines splits body into lines without their endings, treating a lone LF as
// a line ending too (saved messages often lose their CRs).
func lines(body []byte) [][]byte {
	out := bytes.Split(body, []byte("\n"))
	for i, l := range out {
		out[i] = bytes.TrimSuffix(l, []byte("\r"))
	}
	// A body ending in a line break leaves an empty last element that is
	// not a line.
	if len(out) > 0 && len(out[len(out)-1]) == 0 {
		out = out[:len(out)-1]
	}
	return out
}

// simpleBody is the "simple" body canonicalisation: CRLF line endings, no
// trailing empty lines, and one CRLF for an empty body.
func simpleBody(body []byte) []byte {
	ls := lines(body)
	for len(ls) > 0 && len(ls[len(ls)-1]) == 0 {
		ls = ls[:len(ls)-1]
	}
	if len(ls) == 0 {
		return []byte("\r\n")
	}
	var b bytes.Buffer
	b.Grow(len(body) + len(ls))
	for _, l := range ls {
		b.Write(l)
		b.WriteString("\r\n")
	}
	return b.Bytes()
}

// relaxedBody is the "relaxed" body canonicalisation: runs of spaces and
// tabs become one space, spaces at line ends go, trailing empty lines go,
// and an empty body stays empty.
func relaxedBody(body []byte) []byte {
	ls := lines(body)
	var b bytes.Buffer
	b.Grow(len(body) + len(ls))
	pendingEmpty := 0
	for _, l := range ls {
		l = bytes.TrimRight(l, " \t")
		if len(l) == 0 {
			pendingEmpty++
			continue
		}
		for ; pendingEmpty > 0; pendingEmpty-- {
			b.WriteString("\r\n")
		}
		space := false
		for _, c := range l {
			if c == ' ' || c == '\t' {
				space = true
				continue
			}
			if space {
				b.WriteByte(' ')
				space = false
			}
			b.WriteByte(c)
		}
		b.WriteString("\r\n")
	}
	return b.Bytes()
}
