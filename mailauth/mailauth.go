// Package mailauth checks a mail domain's defences against spoofing and for
// privacy in transit, as the NCSC's Email Security Check does: MX, SPF,
// DMARC, DKIM, MTA-STS, TLS-RPT and DNSSEC. It gives a grade, and findings
// in plain English with the exact DNS records to publish, tailored to the
// email service the domain uses (Microsoft 365, Google Workspace, NHSmail).
//
// Everything is read from public DNS and the domain's MTA-STS web server:
// the check needs no access to the mailboxes, so an IT provider can run it
// for any client, and a care home for itself.
package mailauth
