package mailauth

import "strings"

// Grade sums up a domain's email defences in one letter.
type Grade string

// The grades, best first.
const (
	GradeA       Grade = "A"
	GradeB       Grade = "B"
	GradeC       Grade = "C"
	GradeD       Grade = "D"
	GradeF       Grade = "F"
	GradeUnknown Grade = "unknown"
)

// tri is an answer that may be unknown because a lookup failed.
type tri int

const (
	triNo tri = iota
	triYes
	triUnknown
)

// gradeFacts are the few things the grade depends on.
type gradeFacts struct {
	dmarcValid  tri    // exactly one readable DMARC record applies
	policy      string // the policy in force: none, quarantine or reject
	fullPct     bool   // pct is 100
	spfPresent  tri    // an SPF record exists
	spfSound    tri    // SPF ends -all or ~all, within the lookup limits
	dkimFound   tri    // a usable DKIM key was found
	mtaSTSForce tri    // MTA-STS enforced, or the domain takes no mail
}

// gradeOf is the rule, kept simple enough to explain on one line:
//
//	F  no working DMARC record, or DMARC p=none and no SPF record
//	D  DMARC p=none (spoofed mail is still delivered)
//	C  DMARC quarantines or rejects, but SPF is unsound or no DKIM key was found
//	B  DMARC quarantines or rejects, SPF and DKIM in place, but not everything A needs
//	A  DMARC p=reject for all mail (pct 100), SPF and DKIM in place, MTA-STS enforced
//
// It says why in the words of the first rule that failed.
func gradeOf(f gradeFacts) (Grade, string) {
	switch {
	case f.dmarcValid != triYes:
		return GradeF, "there is no working DMARC record, so nothing tells receivers to stop email that pretends to be from you"
	case f.policy == "none" && f.spfPresent != triYes:
		return GradeF, "DMARC only asks for reports (p=none) and there is no SPF record, so email pretending to be from you is delivered"
	case f.policy == "none":
		return GradeD, "DMARC only asks for reports (p=none), so email pretending to be from you is still delivered"
	case f.spfSound != triYes && f.dkimFound != triYes:
		return GradeC, "DMARC stops spoofed email, but SPF has problems and no DKIM key was found, so your own email may be stopped too"
	case f.spfSound != triYes:
		return GradeC, "DMARC stops spoofed email, but SPF has problems, so your own email may be stopped too"
	case f.dkimFound != triYes:
		return GradeC, "DMARC stops spoofed email, but no DKIM key was found, so your own email relies on SPF alone"
	}
	var missing []string
	if f.policy != "reject" {
		missing = append(missing, "DMARC p=reject")
	}
	if !f.fullPct {
		missing = append(missing, "DMARC applied to all email (pct=100)")
	}
	if f.mtaSTSForce != triYes {
		missing = append(missing, "MTA-STS in enforce mode")
	}
	if len(missing) > 0 {
		return GradeB, "spoofing is stopped and SPF and DKIM are in place; for an A it needs " + strings.Join(missing, " and ")
	}
	return GradeA, "DMARC rejects spoofed email, SPF and DKIM are in place, and senders must encrypt email to you"
}

// grade works out the grade. Where a lookup failed, it tries the best and
// the worst the missing answer could be: if both give the same grade that
// is the grade; if not, the grade is unknown, since guessing either way
// would mislead.
func grade(rep *Report) (Grade, string) {
	f := gradeFacts{
		dmarcValid:  dmarcValid(rep),
		policy:      rep.DMARC.Policy,
		fullPct:     rep.DMARC.Record == nil || rep.DMARC.Record.Percent == 100,
		spfPresent:  spfPresent(rep),
		spfSound:    spfSound(rep),
		dkimFound:   dkimFound(rep),
		mtaSTSForce: mtaSTSEnforced(rep),
	}
	best, worst := f, f
	for _, p := range []struct{ b, w *tri }{
		{&best.dmarcValid, &worst.dmarcValid}, {&best.spfPresent, &worst.spfPresent},
		{&best.spfSound, &worst.spfSound}, {&best.dkimFound, &worst.dkimFound},
		{&best.mtaSTSForce, &worst.mtaSTSForce},
	} {
		if *p.b == triUnknown {
			*p.b, *p.w = triYes, triNo
		}
	}
	if f.dmarcValid == triUnknown {
		best.policy, best.fullPct = "reject", true
	}
	gb, why := gradeOf(best)
	gw, _ := gradeOf(worst)
	if gb != gw {
		return GradeUnknown, "some lookups failed (see the findings that could not be checked), and the grade depends on them: try again later"
	}
	return gb, why
}

func dmarcValid(rep *Report) tri {
	switch {
	case rep.DMARC.Error != "":
		return triUnknown
	case rep.DMARC.Record != nil:
		return triYes
	}
	return triNo
}

func dkimFound(rep *Report) tri {
	if sendsNoMail(rep) {
		return triYes // nothing to sign
	}
	unknown := false
	for _, s := range rep.DKIM.Selectors {
		if s.live() && !(s.Key.KeyType == "rsa" && s.Key.Bits < 1024) {
			// RFC 8301: signatures with shorter RSA keys are invalid.
			return triYes
		}
		if s.Error != "" {
			unknown = true
		}
	}
	if unknown {
		return triUnknown
	}
	return triNo
}

func mtaSTSEnforced(rep *Report) tri {
	m := rep.MTASTS
	switch {
	case rep.MX.Error != "":
		return triUnknown
	case !rep.MX.receivesMail():
		return triYes // nothing to protect
	case m.Error != "" || m.PolicyTemporary:
		return triUnknown
	case m.Record != nil && m.Policy != nil && m.Policy.Mode == ModeEnforce:
		for _, h := range rep.MX.Hosts {
			if !m.Policy.MatchMX(h.Host) {
				return triNo
			}
		}
		return triYes
	}
	return triNo
}
