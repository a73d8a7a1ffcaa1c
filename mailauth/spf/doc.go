// Package spf evaluates and analyses Sender Policy Framework records (RFC 7208), so Handwash can tell a care provider, or the IT provider who runs their mail, whether a server may send mail for their domain, and how that answer was reached.
//
// CheckHost is the check_host() function of RFC 7208 section 4, with every
// limit of section 4.6.4 and every macro of section 7, and records each step
// it takes in plain English. Analyse looks at a domain's record without a
// client IP, as the domain check needs: how many DNS lookups the record and
// everything it includes can take, which lookups find nothing, what happens
// to mail from everywhere else. Parse checks a record's syntax and names the
// term at fault.
//
// All DNS questions go through a resolve.Resolver, so tests answer them from
// zone text with resolvetest.
package spf
