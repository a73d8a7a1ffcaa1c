package phish

import (
	"fmt"
	"net/mail"
	"strings"
	"time"
)

// checkSender looks at who the message says it is from, and whether the
// other sender addresses agree.
func (a *analysis) checkSender() {
	m := a.m
	if m.from == nil {
		return
	}
	evidence := "From: " + clip(m.fromRaw, 200)
	a.checkDisplayName(evidence)

	if l, ok := findLookalike(a.fromDomain, a.brands.protected); ok {
		a.add("sender.lookalike-domain", 6, fmt.Sprintf("The sender's address ends in %s, which looks like %s (%s) but is not: it %s.",
			unicodeHost(a.fromDomain), l.target.domain, l.target.owner, l.how), evidence)
	}
	a.checkReplyTo()
	a.checkReturnPath()
	if freeMail[a.fromOrg] {
		a.add("sender.free-mail", 1, "The message comes from "+a.fromDomain+", a free email service.", evidence)
	}
}

// checkDisplayName compares the name shown in the inbox with the address
// behind it.
func (a *analysis) checkDisplayName(evidence string) {
	name := a.m.from.Name
	if name == "" {
		return
	}
	// An address in the name that differs from the real one.
	if shown := lastAddress(name); shown != "" && !strings.EqualFold(shown, a.m.from.Address) {
		if orgDomain(domainOf(shown)) != a.fromOrg || freeMail[a.fromOrg] {
			a.add("sender.display-name-address", 3, fmt.Sprintf("The sender's name is shown as %s, but the message really comes from %s.", shown, a.m.from.Address), evidence)
		}
	}
	if len(name) > 256 {
		// Inboxes show only the start of a long name.
		name = name[:256]
	}
	key := nameKey(name)
	if key == "" {
		return
	}
	for _, b := range a.brands.brands {
		matched := ""
		for _, n := range b.names {
			if strings.Contains(key, n) {
				matched = n
				break
			}
		}
		if matched == "" || b.sends(a.fromDomain) {
			continue
		}
		if b.own {
			weight := 4
			if freeMail[a.fromOrg] {
				weight = 5
			}
			a.add("sender.display-name-own-org", weight, fmt.Sprintf("The sender's name includes %q, your organisation's name, but the address (%s) is not one of your organisation's.", name, a.m.from.Address), evidence)
			return
		}
		weight, where := 3, "an address that does not belong to "+b.Name
		if freeMail[a.fromOrg] {
			weight, where = 5, "a free email account"
		}
		a.add("sender.display-name-brand", weight, fmt.Sprintf("The sender's name %q suggests %s, but the message comes from %s (%s).", name, b.Name, where, a.m.from.Address), evidence)
		return
	}
}

// sends reports whether b really sends from domain. Free-mail domains never
// count: a bank does not write from a Gmail account.
func (b brandNames) sends(domain string) bool {
	if freeMail[orgDomain(domain)] {
		return false
	}
	for _, d := range b.Domains {
		if under(domain, normaliseHost(d)) {
			return true
		}
	}
	return false
}

// checkReplyTo looks for replies that would go somewhere other than the
// sender.
func (a *analysis) checkReplyTo() {
	listOrgs := map[string]bool{}
	for _, k := range []string{"List-Post", "List-Id", "List-Unsubscribe"} {
		v := a.m.header.Get(k)
		for _, addr := range addrPattern.FindAllString(v, 4) {
			listOrgs[orgDomain(domainOf(addr))] = true
		}
		if k == "List-Id" {
			if _, id, ok := strings.Cut(v, "<"); ok {
				listOrgs[orgDomain(strings.TrimSuffix(id, ">"))] = true
			}
		}
	}
	// Old list software marks lists only with Precedence and Sender.
	if p := strings.ToLower(a.m.header.Get("Precedence")); p == "list" || p == "bulk" {
		for _, addr := range addrPattern.FindAllString(a.m.header.Get("Sender"), 2) {
			listOrgs[orgDomain(domainOf(addr))] = true
		}
	}
	weight := 0
	var detail string
	var evidence []string
	for i, r := range a.m.addresses("Reply-To") {
		if i >= 5 {
			break
		}
		rd := domainOf(r.Address)
		ro := orgDomain(rd)
		if rd == "" || strings.EqualFold(r.Address, a.m.from.Address) || listOrgs[ro] {
			continue
		}
		if l, ok := findLookalike(rd, a.brands.protected); ok {
			a.add("sender.lookalike-domain", 5, fmt.Sprintf("Replies would go to %s, which looks like %s (%s) but is not: it %s.",
				r.Address, l.target.domain, l.target.owner, l.how), "Reply-To: "+clip(a.m.header.Get("Reply-To"), 200))
		}
		w, d := 0, ""
		switch {
		case freeMail[ro] && ro == a.fromOrg:
			w, d = 3, fmt.Sprintf("The message comes from %s, but replies would go to a different free email account, %s.", a.m.from.Address, r.Address)
		case freeMail[ro]:
			w, d = 3, fmt.Sprintf("The message comes from %s, but replies would go to %s, a free email account.", a.m.from.Address, r.Address)
		case ro != a.fromOrg:
			w, d = 2, fmt.Sprintf("The message comes from %s, but replies would go to %s, at a different organisation.", a.m.from.Address, r.Address)
		}
		if w > weight {
			weight, detail = w, d
		}
		if w > 0 {
			evidence = append(evidence, "Reply-To: "+r.String())
		}
	}
	if weight > 0 {
		a.add("sender.reply-to-differs", weight, detail, append([]string{"From: " + clip(a.m.fromRaw, 200)}, evidence...)...)
	}
}

// checkReturnPath compares the bounce address with the visible sender.
func (a *analysis) checkReturnPath() {
	rp := a.m.header.Get("Return-Path")
	addr := lastAddress(rp)
	if addr == "" {
		return
	}
	ro := orgDomain(domainOf(addr))
	if ro == a.fromOrg || ro == "" {
		return
	}
	if freeMail[ro] && !freeMail[a.fromOrg] {
		a.add("sender.return-path-differs", 2, fmt.Sprintf("The message shows %s as the sender, but it was really sent from a free email account, %s.", a.m.from.Address, addr),
			"From: "+clip(a.m.fromRaw, 200), "Return-Path: "+clip(rp, 200))
		return
	}
	a.add("sender.return-path-differs", 1, fmt.Sprintf("The message shows %s as the sender, but its hidden return address is at %s.", a.m.from.Address, ro),
		"From: "+clip(a.m.fromRaw, 200), "Return-Path: "+clip(rp, 200))
}

// checkHeaders looks for header lines that real mail systems get right and
// hand-made or replayed messages often do not.
func (a *analysis) checkHeaders() {
	h := a.m.header
	// RFC 5322 allows one of each; two From lines is a known way to show
	// one sender while checks look at the other.
	weight := 0
	var dups, evidence []string
	for _, k := range []string{"From", "Sender", "Reply-To", "To", "Subject", "Date", "Message-Id"} {
		vs := h.Values(k)
		if len(vs) < 2 {
			continue
		}
		w := 1
		if k == "From" {
			w = 3
		}
		weight = max(weight, w)
		dups = append(dups, k)
		for _, v := range vs[:min(len(vs), 3)] {
			evidence = append(evidence, k+": "+clip(v, 150))
		}
	}
	if weight > 0 {
		a.add("header.duplicate", weight, "The message has more than one "+strings.Join(dups, ", ")+" line, which properly made mail never has.", evidence...)
	}
	a.checkDate()
	a.checkSubmission()
}

// checkDate compares the date the sender's program wrote with when the
// message arrived.
func (a *analysis) checkDate() {
	// A message sent on again by hand (resent) keeps its first date and
	// records the new one in Resent-Date.
	dh := a.m.header.Get("Resent-Date")
	if dh == "" {
		dh = a.m.header.Get("Date")
	}
	date, err := mail.ParseDate(strings.TrimSpace(dh))
	if err != nil {
		return
	}
	arrived, received := a.arrival()
	if arrived.IsZero() {
		if date.After(a.now.Add(48 * time.Hour)) {
			a.add("header.date-mismatch", 2, "The message is dated in the future ("+date.Format("2 January 2006")+").", clip(dh, 100))
		}
		return
	}
	gap := arrived.Sub(date)
	switch {
	case gap > 7*24*time.Hour:
		a.add("header.date-mismatch", 2, fmt.Sprintf("The message is dated %s but arrived on %s, %s later.",
			date.Format("2 January 2006"), arrived.Format("2 January 2006"), roughDuration(gap)), "Date: "+clip(dh, 100), "Received: … "+clip(received[strings.LastIndexByte(received, ';')+1:], 100))
	case gap < -24*time.Hour:
		a.add("header.date-mismatch", 2, fmt.Sprintf("The message is dated %s, after it arrived on %s.",
			date.Format("2 January 2006"), arrived.Format("2 January 2006")), "Date: "+clip(dh, 100), "Received: … "+clip(received[strings.LastIndexByte(received, ';')+1:], 100))
	}
}

// arrival returns when the last server received the message, from the
// topmost Received line that has a readable date.
func (a *analysis) arrival() (time.Time, string) {
	for i, r := range a.m.header.Values("Received") {
		if i >= 3 {
			break
		}
		j := strings.LastIndexByte(r, ';')
		if j < 0 {
			continue
		}
		if t, err := mail.ParseDate(strings.TrimSpace(r[j+1:])); err == nil {
			return t, r
		}
	}
	return time.Time{}, ""
}

func roughDuration(d time.Duration) string {
	days := int(d.Hours() / 24)
	switch {
	case days >= 730:
		return fmt.Sprintf("%d years", days/365)
	case days >= 60:
		return fmt.Sprintf("%d months", days/30)
	default:
		return fmt.Sprintf("%d days", days)
	}
}

// checkSubmission looks for a message handed to a free-mail service's
// sending server that carries no DKIM signature. Those services sign every
// message they send, so the route shown was made up or the message was
// altered on the way.
func (a *analysis) checkSubmission() {
	if len(a.m.header.Values("Dkim-Signature")) > 0 {
		return
	}
	for i, r := range a.m.header.Values("Received") {
		if i >= 20 {
			break
		}
		fields := strings.Fields(strings.ToLower(r))
		host := ""
		for j := 0; j+1 < len(fields); j++ {
			if fields[j] == "by" {
				host = fields[j+1]
				break
			}
		}
		for _, s := range freeMailSubmission {
			if host == s {
				a.add("auth.unsigned-via-free-mail", 2, "The message says it was sent through "+host+", which signs every message it sends, but it carries no signature.", "Received: "+clip(r, 200))
				return
			}
		}
	}
}
