// Package phish looks at one email message and says whether it shows the
// signs of phishing, in words a care-home manager can act on.
//
// Analyse parses the message, tolerating the broken mail that criminals and
// old systems send, and runs general rules over its sender addresses,
// authentication results, links, HTML forms, attachments and wording. Each
// rule that fires adds a Sign with a weight, a plain-English explanation and
// the exact evidence; the weights add up to a score and a Verdict. WriteText
// renders a Report for people, and a Report is also ready for encoding/json.
//
// Nothing leaves the machine unless Options.LookupTXT is set, in which case
// DKIM signatures are checked against the keys their domains publish in
// DNS. Without it, the body of each signed message is still checked against
// its signature, which needs no key.
package phish
