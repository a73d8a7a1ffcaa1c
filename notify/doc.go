// Package notify tells people about their devices by email and by webhook:
// a new high-severity failure, a device that has stopped reporting, a weekly
// summary for an organisation's administrators, and a test message.
//
// It renders a Message into each format and delivers it once. Deciding when
// to send, to whom, and trying again belong to the caller: Mailer.Send and
// Webhook.Send return an error instead of retrying, and IsTemporary says
// whether the same message may go through later.
//
// # Messages
//
// FailureMessage, StaleMessage, SummaryMessage and TestMessage write a
// Message in plain English for a care home or practice manager: what
// happened, why it matters, what to do next, and where to click. Every
// field is treated as untrusted, because hostnames and check titles come
// from devices: control characters and text-direction marks are removed,
// and each format escapes in its own way (html/template for the HTML email,
// &, < and > for Slack's mrkdwn, text runs that Teams never reads as
// Markdown, encoding/json for every JSON body).
//
// # Email
//
// An email has a subject starting "[Handwash]", a plain-text part and a
// simple HTML alternative (one column, real headings, a table with headers
// for scores, a link with words that say where it goes). Mailer sends it
// through an SMTP server with STARTTLS required by default; implicit TLS is
// "tls", and "none" is refused for any server but this machine. The
// password never appears in an error or in the settings' String or
// LogValue.
//
// # Webhooks
//
// A Webhook posts JSON in one of three formats: Slack's incoming-webhook
// message (text and blocks), a Microsoft Teams message holding an Adaptive
// Card (accepted by Teams Workflows and incoming webhooks), or the generic
// format below. Only http and https addresses are accepted; redirects are
// not followed; the answer is read up to a size cap. Slack and Teams
// addresses hold a secret token, so errors and logs show only the scheme
// and host. By default the webhook will not connect to loopback, private
// or link-local addresses, checked on the address actually dialled; set
// AllowPrivateNetworks for a receiver on your own network.
//
// # The generic format, version 1
//
// The body is one JSON object. Fields may be added in any version, so
// ignore the ones you do not know; a field is removed or changes meaning
// only with a new version number.
//
//	version   number  always 1 for this layout
//	id        string  the sender's identifier for this message, the same on
//	                  every retry: use it to drop duplicates (may be absent)
//	kind      string  new_high_failure, device_stale, weekly_summary, test,
//	                  alert_ack_overdue or alert_fix_overdue
//	org       string  the organisation's name
//	subject   string  one short line
//	body      string  what happened and why it matters; paragraphs are
//	                  separated by a blank line
//	next      string  what to do next, in the same form (may be absent)
//	link      string  the dashboard page to open (may be absent)
//	severity  string  critical or high, for new_high_failure
//	device    string  the device's hostname, for new_high_failure and
//	                  device_stale
//	control   string  the failed check's title, for new_high_failure
//	                  (when several failures or stale devices are found
//	                  together, one message lists them all in body, and
//	                  device and control name the most severe or the
//	                  first)
//	time      string  RFC 3339 in UTC: when the failure was found, when the
//	                  device last reported, when the summary's week ended,
//	                  or when the test was sent (may be absent)
//	summary   object  for weekly_summary only:
//	  devices  number  how many devices the organisation has
//	  score    number  overall score 0-100, or null if nothing was judged
//	  areas    array   one object per area:
//	    area      string  backup, malware, devices, passwords, phishing,
//	                      updates or people
//	    title     string  the area's name as people read it
//	    score     number  0-100, or null when not assessed
//	    pass, fail, unknown, excepted
//	              number  how many checks passed, failed, could not be
//	                      checked, or were accepted as exceptions
//
// # Signed requests
//
// When a generic webhook has a secret, each request carries two headers:
//
//	X-Handwash-Timestamp: 1763631000
//	X-Handwash-Signature: sha256=<64 hex digits>
//
// The timestamp is the Unix time in seconds when the request was signed.
// The signature is the HMAC-SHA256, keyed with the secret, of the
// timestamp, a full stop, and the exact bytes of the body:
//
//	HMAC-SHA256(secret, timestamp + "." + body)
//
// To check a request, recompute the HMAC over the body exactly as received
// (before parsing it), compare it with the header in constant time, and
// reject the request when the timestamp is more than a few minutes from
// your clock: because the timestamp is signed too, an old request cannot be
// replayed with a fresh one. VerifySignature does all of this in Go.
package notify
