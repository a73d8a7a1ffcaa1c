package phish

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"net/textproto"
	"regexp"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/handwash/handwash"
	"github.com/jhillyerd/enmime/v2"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// Carried says how a report carried the suspect message.
type Carried string

// The ways a report can carry the suspect message.
const (
	// CarriedAttached means the suspect message was attached to the
	// report whole, as Outlook's and Gmail's "Forward as attachment" and
	// Microsoft's Report Message button do. It is returned exactly as it
	// was sent, so every check can be made on it.
	CarriedAttached Carried = "attached"
	// CarriedInline means the suspect message was forwarded in the body of
	// the report, the usual "Forward" in Outlook, Gmail, Apple Mail and
	// Thunderbird. It is rebuilt from the forwarded lines; its original
	// headers are lost, so whether it really came from its sender cannot
	// be checked.
	CarriedInline Carried = "inline"
	// CarriedDirect means no attached or forwarded message was found, so
	// the report is taken to be the suspect message itself, as when a mail
	// rule redirected it with its headers intact.
	CarriedDirect Carried = "direct"
)

// Reported is the suspect message found inside a report, with what the
// report itself says.
type Reported struct {
	// Message is the suspect message in Internet Message Format, ready for
	// Analyse.
	Message []byte
	// Carried says how the report carried it.
	Carried Carried
	// Reporter is who sent the report: its From address when the message
	// was attached or forwarded. For a direct report it is the address in
	// Resent-From (left by a redirect), or nil when there is none. It is
	// nil when the address cannot be read.
	Reporter *mail.Address
	// Subject is the report's own subject, decoded.
	Subject string
	// MessageID is the report's own Message-ID, without angle brackets;
	// empty when it has none.
	MessageID string
	// Note is what the reporter wrote above the forwarded message, or
	// alongside the attached one, as plain text: trimmed, and cut to at
	// most 2000 bytes (so at most 2000 characters). Empty when there is
	// none, and for direct reports.
	Note string
	// Limits says in one plain-English sentence what could not be checked
	// because of how the message was reported; empty when nothing was lost.
	Limits string
}

// maxNote bounds Reported.Note, in bytes.
const maxNote = 2000

// inlineLimits is Reported.Limits for messages forwarded in the body.
const inlineLimits = "The email was forwarded in the body of another email, so its original headers are gone and whether it really came from its sender could not be checked."

// Unwrap finds the suspect message inside a report: an email that a member
// of staff sent to a "report phishing" mailbox. It looks for, in this
// order:
//
//   - An attached message (message/rfc822, or a file named .eml that holds
//     a message). When there are several, the first in the report is taken.
//     Only one level is unwrapped: a message attached to the attached
//     message stays inside it. The message is returned byte for byte as it
//     was sent, so its DKIM signatures can still be checked.
//   - A message forwarded in the body, as Outlook, Gmail, Apple Mail and
//     Thunderbird write it. A new message is built from the forwarded
//     From, Reply-To, Subject, Date and To lines and the text (or HTML)
//     below them, with the report's attachments, which mail programs
//     forward with the message. Outlook's header lines alone, with no
//     "Forwarded message" line, are not taken as a forward when the
//     report's subject marks it as a reply ("RE:"), since Outlook writes
//     the same lines above the message it replies to.
//   - Otherwise the report itself is the suspect message. A delivery
//     report from a mail server (multipart/report) is always taken as
//     itself: the message it returns was not reported by a person.
//
// Unwrap fails only when the report is empty, larger than MaxMessageSize or
// too complex to check safely; a report it cannot make sense of is
// returned as a direct one.
func Unwrap(raw []byte) (rep *Reported, err error) {
	if len(raw) > MaxMessageSize {
		return nil, handwash.Errorf(handwash.ETOOLARGE,
			"the report is %s, more than the %s Handwash checks; forward the suspect email on its own, without other attachments, and try again", size(len(raw)), size(MaxMessageSize))
	}
	if len(bytes.TrimSpace(raw)) == 0 {
		return nil, handwash.Errorf(handwash.EINVALID, "the report is empty; forward the suspect email as an attachment and try again")
	}
	if err := checkComplexity(raw); err != nil {
		return nil, err
	}
	defer func() {
		// As in Analyse: the MIME and HTML parsers are not ours, and one
		// crafted report must not take down the server reading the
		// mailbox.
		if p := recover(); p != nil {
			rep, err = nil, &handwash.Error{Code: handwash.EINTERNAL, Message: "Handwash could not read this report", Err: fmt.Errorf("panic: %v", p)}
		}
	}()
	return unwrapReport(raw), nil
}

func unwrapReport(raw []byte) *Reported {
	env, err := envelopeParser.ReadEnvelope(bytes.NewReader(raw))
	if err != nil || env == nil || env.Root == nil {
		return direct(raw, headerFallback(raw))
	}
	h := headerOf(env)
	if strings.EqualFold(env.Root.ContentType, "multipart/report") {
		return direct(raw, h)
	}
	r := &Reported{Reporter: firstAddress(h.from), Subject: h.subject, MessageID: h.messageID}
	if p := firstAttachedMessage(env.Root); p != nil {
		r.Message, r.Carried = exactContent(raw, p), CarriedAttached
		r.Note = noteText(bodyOf(env.Root).text())
		return r
	}
	if f, ok := findForwardIn(bodyOf(env.Root), !replySubject.MatchString(h.subject)); ok {
		r.Message, r.Carried, r.Limits = f.message(attachmentsOf(env.Root)), CarriedInline, inlineLimits
		r.Note = noteText(f.note)
		return r
	}
	return direct(raw, h)
}

// direct returns the report as the suspect message itself.
func direct(raw []byte, h reportHeader) *Reported {
	return &Reported{Message: raw, Carried: CarriedDirect, Reporter: firstAddress(h.resentFrom), Subject: h.subject, MessageID: h.messageID}
}

// reportHeader holds the report's own header lines that Reported needs.
type reportHeader struct {
	subject, messageID, from, resentFrom string
}

func headerOf(env *enmime.Envelope) reportHeader {
	h := env.Root.Header
	return reportHeader{
		subject:    clip(env.GetHeader("Subject"), 998),
		messageID:  messageID(h.Get("Message-Id")),
		from:       h.Get("From"),
		resentFrom: h.Get("Resent-From"),
	}
}

// headerFallback reads the header lines it can when the MIME parser gave
// up on the report.
func headerFallback(raw []byte) reportHeader {
	h := fallbackHeader(raw)
	return reportHeader{
		subject:    clip(enmime.DecodeRFC2047(h.Get("Subject")), 998),
		messageID:  messageID(h.Get("Message-Id")),
		from:       h.Get("From"),
		resentFrom: h.Get("Resent-From"),
	}
}

// messageID returns the identifier inside a Message-ID header, without
// its angle brackets.
func messageID(v string) string {
	v = strings.TrimSpace(v)
	if i := strings.IndexByte(v, '<'); i >= 0 {
		if j := strings.IndexByte(v[i:], '>'); j > 0 {
			v = v[i+1 : i+j]
		}
	}
	if f := strings.Fields(clip(v, 998)); len(f) > 0 {
		return f[0]
	}
	return ""
}

// firstAddress reads the first address in an address header, or returns
// nil when it cannot be read.
func firstAddress(v string) *mail.Address {
	if strings.TrimSpace(v) == "" {
		return nil
	}
	list, err := enmime.ParseAddressList(v)
	if err != nil || len(list) == 0 || list[0] == nil || !strings.Contains(list[0].Address, "@") {
		return nil
	}
	return list[0]
}

// walkParts calls visit for each part that holds content (not a multipart
// container), in the order they appear in the message, until visit
// returns false.
func walkParts(root *enmime.Part, visit func(*enmime.Part) bool) {
	n := 0
	var walk func(p *enmime.Part) bool
	walk = func(p *enmime.Part) bool {
		for ; p != nil; p = p.NextSibling {
			if n++; n > maxParts {
				return false
			}
			if p.FirstChild != nil {
				if !walk(p.FirstChild) {
					return false
				}
				continue
			}
			if !visit(p) {
				return false
			}
		}
		return true
	}
	walk(root)
}

// firstAttachedMessage returns the first part that holds a whole message.
// The MIME parser does not look inside attached messages, so a message
// attached to an attached message is never found here.
func firstAttachedMessage(root *enmime.Part) *enmime.Part {
	var found *enmime.Part
	walkParts(root, func(p *enmime.Part) bool {
		if isAttachedMessage(p) {
			found = p
		}
		return found == nil
	})
	return found
}

func isAttachedMessage(p *enmime.Part) bool {
	switch strings.ToLower(p.ContentType) {
	case "message/rfc822", "message/global":
		return len(bytes.TrimSpace(p.Content)) > 0
	}
	// Some mail programs attach a saved message as a plain file, labelled
	// application/octet-stream or even text/plain.
	return strings.HasSuffix(strings.ToLower(p.FileName), ".eml") && looksLikeMessage(p.Content)
}

// looksLikeMessage reports whether b starts with a message header that has
// a From or Subject line.
func looksLikeMessage(b []byte) bool {
	h := fallbackHeader(b[:min(len(b), 64<<10)])
	return h.Get("From") != "" || h.Get("Subject") != ""
}

// rawPartParser reads parts without decoding them, for the few attached
// messages whose decoded content the MIME parser may have changed.
var rawPartParser = enmime.NewParser(
	enmime.SkipMalformedParts(true),
	enmime.MaxStoredPartErrors(50),
	enmime.RawContent(true),
	enmime.DisableTextConversion(true),
	enmime.DisableCharacterDetection(true),
)

// exactContent returns the bytes of an attached message as they were sent,
// after undoing only the transfer encoding (base64 or quoted-printable),
// so that DKIM signatures inside it still verify. The MIME parser does
// exactly that for message/rfc822 and other non-text parts; a .eml file
// labelled as text it also converts to UTF-8, so that part is read again
// without decoding, and decoded here.
func exactContent(raw []byte, p *enmime.Part) []byte {
	if !strings.HasPrefix(strings.ToLower(p.ContentType), "text/") {
		return p.Content
	}
	root, err := rawPartParser.ReadParts(bytes.NewReader(raw))
	if err != nil {
		return p.Content
	}
	var found *enmime.Part
	walkParts(root, func(q *enmime.Part) bool {
		if q.PartID == p.PartID {
			found = q
		}
		return found == nil
	})
	if found == nil {
		return p.Content
	}
	return decodeTransfer(found.Header.Get("Content-Transfer-Encoding"), found.Content)
}

// decodeTransfer undoes a content transfer encoding, keeping what it can
// of damaged input.
func decodeTransfer(encoding string, b []byte) []byte {
	switch strings.ToLower(strings.TrimSpace(encoding)) {
	case "base64":
		return decodeBase64(b)
	case "quoted-printable":
		out, _ := io.ReadAll(quotedprintable.NewReader(bytes.NewReader(b)))
		return out
	}
	return b
}

// decodeBase64 decodes base64 leniently, as mail programs do: characters
// outside the alphabet are skipped and decoding stops at padding.
func decodeBase64(b []byte) []byte {
	clean := make([]byte, 0, len(b))
	for _, c := range b {
		if c == '=' {
			break
		}
		if c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '+' || c == '/' {
			clean = append(clean, c)
		}
	}
	if len(clean)%4 == 1 {
		clean = clean[:len(clean)-1]
	}
	out := make([]byte, base64.RawStdEncoding.DecodedLen(len(clean)))
	n, _ := base64.RawStdEncoding.Decode(out, clean)
	return out[:n]
}

// reportBody is the body of a report: its first plain-text part and its
// first HTML part.
type reportBody struct {
	plain, html string
}

func bodyOf(root *enmime.Part) reportBody {
	var b reportBody
	var gotPlain, gotHTML bool
	walkParts(root, func(p *enmime.Part) bool {
		if p.Disposition == "attachment" || p.FileName != "" {
			return true
		}
		switch strings.ToLower(p.ContentType) {
		case "text/plain", "":
			if !gotPlain {
				b.plain, gotPlain = string(p.Content), true
			}
		case "text/html":
			if !gotHTML {
				b.html, gotHTML = string(p.Content), true
			}
		}
		return !gotPlain || !gotHTML
	})
	return b
}

// text returns the body as plain text.
func (b reportBody) text() string {
	if strings.TrimSpace(b.plain) != "" || b.html == "" {
		return b.plain
	}
	return renderHTML(b.html).text
}

// attachmentsOf returns the report's attached files, which mail programs
// send on with a message forwarded in the body.
func attachmentsOf(root *enmime.Part) []*enmime.Part {
	var files []*enmime.Part
	walkParts(root, func(p *enmime.Part) bool {
		if p.Disposition == "attachment" || p.FileName != "" {
			files = append(files, p)
		}
		return len(files) < 100
	})
	return files
}

// noteText cleans up what the reporter wrote: plain text with tidy line
// breaks, without the separator line some mail programs put above a
// forwarded message, cut to maxNote bytes.
func noteText(s string) string {
	s = strings.ToValidUTF8(s[:min(len(s), 64<<10)], "\uFFFD")
	s = strings.ReplaceAll(s, "\r\n", "\n")
	var lines []string
	for line := range strings.SplitSeq(s, "\n") {
		line = strings.TrimRightFunc(strings.Map(noteRune, line), unicode.IsSpace)
		if line == "" && len(lines) > 0 && lines[len(lines)-1] == "" {
			continue
		}
		lines = append(lines, line)
	}
	for len(lines) > 0 && (lines[len(lines)-1] == "" || separatorLine.MatchString(lines[len(lines)-1])) {
		lines = lines[:len(lines)-1]
	}
	return clipBytes(strings.TrimSpace(strings.Join(lines, "\n")), maxNote)
}

// noteRune drops control characters, and characters that reverse the
// direction of text, from a note.
func noteRune(r rune) rune {
	switch {
	case r == '\t':
		return r
	case r == '\u00a0':
		return ' '
	case r < 0x20 || r == 0x7f || r >= 0x80 && r < 0xa0 || r >= 0x202a && r <= 0x202e || r >= 0x2066 && r <= 0x2069:
		return -1
	}
	return r
}

// clipBytes cuts s to at most n bytes, at the start of a character.
func clipBytes(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return strings.TrimRightFunc(s[:cut], unicode.IsSpace)
}

// The lines that start a forwarded message. Gmail writes "----------
// Forwarded message ---------", Thunderbird "-------- Forwarded Message
// --------", Apple Mail "Begin forwarded message:" (often quoted with
// "> "), and older Outlook "-----Original Message-----" for forwards and
// replies alike.
var (
	forwardedLine = regexp.MustCompile(`(?i)^-{2,}\s*forwarded message\s*-{2,}$`)
	appleLine     = regexp.MustCompile(`(?i)^begin forwarded message:?$`)
	originalLine  = regexp.MustCompile(`(?i)^-{2,}\s*original message\s*-{2,}$`)
	separatorLine = regexp.MustCompile(`^\s*(_{8,}|-{8,})\s*$`)
	// fieldLine is one forwarded header line, such as "From: Jo
	// <jo@example.com>" or, from HTML turned into text, "*From:* Jo".
	fieldLine = regexp.MustCompile(`^\*?([A-Za-z][A-Za-z-]{1,15}):\*?\s*(.*)$`)
	// replySubject matches the subjects mail programs give replies.
	replySubject = regexp.MustCompile(`(?i)^\s*(re|aw|sv|antw)\s*(\[\d+\])?\s*:`)
)

// forwardFields maps the header names mail programs write above a
// forwarded message to the header they stand for; "" means known but not
// kept.
var forwardFields = map[string]string{
	"from": "From", "reply-to": "Reply-To", "subject": "Subject", "date": "Date", "sent": "Date",
	"to": "To", "cc": "", "bcc": "", "importance": "", "attachments": "", "priority": "",
}

// forward is a message forwarded in the body of a report.
type forward struct {
	fields map[string]string // From, Reply-To, Subject, Date and To, as written
	note   string            // what the reporter wrote above it
	body   string            // its text
	html   string            // its HTML, when it could be found reliably
	end    int               // where its header lines end in the text searched
}

// textLine is one line of a text, with where it lies in the whole.
type textLine struct {
	text       string
	start, end int
}

func splitLines(s string) []textLine {
	var lines []textLine
	start := 0
	for {
		i := strings.IndexByte(s[start:], '\n')
		if i < 0 {
			return append(lines, textLine{strings.TrimSuffix(s[start:], "\r"), start, len(s)})
		}
		lines = append(lines, textLine{strings.TrimSuffix(s[start:start+i], "\r"), start, start + i})
		start += i + 1
	}
}

// findForwardIn looks for a forwarded message in the plain text of a
// report, then in its HTML. When it is found in the text and the HTML has
// the same header lines, the HTML below them is kept too.
func findForwardIn(b reportBody, outlook bool) (forward, bool) {
	var doc renderedHTML
	if b.html != "" {
		doc = renderHTML(b.html)
	}
	if f, ok := findForward(b.plain, rules{outlook: outlook}); ok {
		// The text showed a forward, so in the HTML Outlook's header
		// lines need no blank line above them: the same From and Subject
		// confirm them.
		if h, ok := findForward(doc.text, rules{outlook: outlook, confirmed: true}); ok && sameField(f, h, "From") && sameField(f, h, "Subject") {
			f.html = htmlAfter(b.html, doc, h.end)
		}
		return f, true
	}
	if f, ok := findForward(doc.text, rules{outlook: outlook}); ok {
		f.html = htmlAfter(b.html, doc, f.end)
		return f, true
	}
	return forward{}, false
}

// htmlAfter returns the HTML after the place in its text where forwarded
// header lines end, or "" if nothing visible follows.
func htmlAfter(s string, doc renderedHTML, end int) string {
	s = s[doc.offset(end):]
	if strings.TrimSpace(renderHTML(s).text) == "" {
		return ""
	}
	return s
}

func sameField(a, b forward, key string) bool {
	return strings.EqualFold(collapseSpace(a.fields[key]), collapseSpace(b.fields[key]))
}

// rules say which forms of forward findForward accepts.
type rules struct {
	// outlook allows the forms Outlook also uses for replies.
	outlook bool
	// confirmed allows Outlook's header lines with no blank line above.
	confirmed bool
}

// findForward finds the first forwarded message in a text.
func findForward(text string, r rules) (forward, bool) {
	if text == "" {
		return forward{}, false
	}
	lines := splitLines(text)
	for i := range lines {
		first, quoted, ok := forwardStart(lines, i, r)
		if !ok {
			continue
		}
		fields, next := readFields(lines, first, quoted)
		if !enoughFields(fields, first == i) {
			continue
		}
		return forward{
			fields: fields,
			note:   text[:lines[i].start],
			body:   bodyAfter(lines, next, quoted),
			end:    lines[next-1].end,
		}, true
	}
	return forward{}, false
}

// enoughFields reports whether forwarded header lines are enough to take
// as a forward. Every mail program writes From; Outlook's lines, which
// have no "Forwarded message" line above them, must also have Subject and
// Sent (or Date), as Outlook always writes them.
func enoughFields(fields map[string]string, outlookBlock bool) bool {
	if fields["From"] == "" {
		return false
	}
	return !outlookBlock || fields["Subject"] != "" && fields["Date"] != ""
}

// forwardStart reports whether a forwarded message starts at line i, and
// if so the line its header lines start on and whether it is quoted with
// ">". Outlook's form, header lines with no line above them, starts on
// line i itself.
func forwardStart(lines []textLine, i int, r rules) (first int, quoted, ok bool) {
	s := strings.TrimSpace(lines[i].text)
	switch {
	case forwardedLine.MatchString(s):
		return skipBlank(lines, i+1, false), false, true
	case appleLine.MatchString(s) || strings.HasPrefix(s, ">") && appleLine.MatchString(strings.TrimSpace(s[1:])):
		// Apple Mail quotes the forwarded message with "> ", and on a
		// Mac the line above it too.
		first = skipBlank(lines, i+1, true)
		return first, first < len(lines) && strings.HasPrefix(lines[first].text, ">"), true
	case !r.outlook:
		return 0, false, false
	case originalLine.MatchString(s):
		return skipBlank(lines, i+1, false), false, true
	case outlookFrom(lines, i, r.confirmed):
		return i, false, true
	}
	return 0, false, false
}

// outlookFrom reports whether line i starts a block of header lines as
// Outlook writes it: "From:" at the very start of a line, at the start of
// the text or below a blank or separator line (unless confirmed).
func outlookFrom(lines []textLine, i int, confirmed bool) bool {
	m := fieldLine.FindStringSubmatch(lines[i].text)
	if m == nil || !strings.EqualFold(m[1], "from") {
		return false
	}
	if i == 0 || confirmed {
		return true
	}
	above := lines[i-1].text
	return strings.TrimSpace(above) == "" || separatorLine.MatchString(above)
}

// unquote removes one level of "> " quoting.
func unquote(s string, quoted bool) string {
	if quoted && strings.HasPrefix(s, ">") {
		s = strings.TrimPrefix(s[1:], " ")
	}
	return s
}

func skipBlank(lines []textLine, i int, quoted bool) int {
	for i < len(lines) && strings.TrimSpace(unquote(lines[i].text, quoted)) == "" {
		i++
	}
	return i
}

// readFields reads forwarded header lines from line i. It returns them,
// and the line after the last one.
func readFields(lines []textLine, i int, quoted bool) (map[string]string, int) {
	fields := map[string]string{}
	last := ""
	start := i
	for ; i < len(lines) && i-start < 30; i++ {
		s := strings.TrimRight(unquote(lines[i].text, quoted), " \t\u00a0")
		if m := fieldLine.FindStringSubmatch(strings.TrimLeft(s, " \t")); m != nil {
			key, known := forwardFields[strings.ToLower(m[1])]
			if !known {
				break
			}
			last = key
			if key != "" && fields[key] == "" {
				fields[key] = strings.TrimSpace(strings.ReplaceAll(m[2], "\u00a0", " "))
			}
			continue
		}
		if last == "" || strings.TrimSpace(s) == "" || !strings.HasPrefix(s, " ") && !strings.HasPrefix(s, "\t") {
			break
		}
		// A long line wrapped onto the next, indented.
		if fields[last] != "" {
			fields[last] += " " + strings.TrimSpace(s)
		}
	}
	return fields, i
}

// bodyAfter returns the forwarded text from line i on.
func bodyAfter(lines []textLine, i int, quoted bool) string {
	i = skipBlank(lines, i, quoted)
	var b strings.Builder
	for ; i < len(lines); i++ {
		b.WriteString(unquote(lines[i].text, quoted))
		b.WriteByte('\n')
	}
	return strings.TrimRightFunc(b.String(), unicode.IsSpace) + "\n"
}

// message builds the forwarded message: its header lines, its HTML or
// text, and the files attached to the report.
func (f forward) message(files []*enmime.Part) []byte {
	var b bytes.Buffer
	for _, k := range []string{"From", "Reply-To", "Subject", "Date", "To"} {
		if v := f.fields[k]; v != "" {
			fmt.Fprintf(&b, "%s: %s\r\n", k, headerValue(k, v))
		}
	}
	b.WriteString("MIME-Version: 1.0\r\n")
	ctype, body := "text/plain; charset=utf-8", f.body
	if f.html != "" {
		ctype, body = "text/html; charset=utf-8", f.html
	}
	if len(files) == 0 {
		fmt.Fprintf(&b, "Content-Type: %s\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n", ctype)
		writeQP(&b, body)
		return b.Bytes()
	}
	w := multipart.NewWriter(&b)
	fmt.Fprintf(&b, "Content-Type: multipart/mixed; boundary=%q\r\n\r\n", w.Boundary())
	pw, _ := w.CreatePart(textproto.MIMEHeader{"Content-Type": {ctype}, "Content-Transfer-Encoding": {"quoted-printable"}})
	writeQP(pw, body)
	for _, p := range files {
		writeFile(w, p)
	}
	w.Close()
	return b.Bytes()
}

func writeQP(w io.Writer, s string) {
	qp := quotedprintable.NewWriter(w)
	io.WriteString(qp, s)
	qp.Close()
}

// writeFile adds one attached file, base64-encoded.
func writeFile(w *multipart.Writer, p *enmime.Part) {
	name, filename := map[string]string{}, map[string]string{}
	if p.FileName != "" {
		name["name"], filename["filename"] = p.FileName, p.FileName
	}
	ctype := mime.FormatMediaType(strings.ToLower(p.ContentType), name)
	if ctype == "" {
		ctype = mime.FormatMediaType("application/octet-stream", name)
	}
	disp := mime.FormatMediaType("attachment", filename)
	pw, err := w.CreatePart(textproto.MIMEHeader{"Content-Type": {ctype}, "Content-Disposition": {disp}, "Content-Transfer-Encoding": {"base64"}})
	if err != nil {
		return
	}
	enc := base64.StdEncoding.EncodeToString(p.Content)
	for len(enc) > 76 {
		io.WriteString(pw, enc[:76]+"\r\n")
		enc = enc[76:]
	}
	io.WriteString(pw, enc+"\r\n")
}

var mailtoForm = regexp.MustCompile(`\[mailto:([^\]\s]+)\]`)

// headerValue makes a forwarded header line fit for a message: one line,
// not too long, and encoded as the standard asks when it is not ASCII.
func headerValue(key, v string) string {
	v = clip(v, 900)
	if key == "Subject" || key == "Date" {
		if isASCII(v) {
			return v
		}
		return strings.ReplaceAll(mime.BEncoding.Encode("utf-8", v), "?= =?", "?=\r\n =?")
	}
	// Outlook writes "Jo Bloggs [mailto:jo@example.com]".
	v = mailtoForm.ReplaceAllString(v, "<$1>")
	if isASCII(v) {
		return v
	}
	if list, err := enmime.ParseAddressList(v); err == nil && len(list) > 0 {
		out := make([]string, len(list))
		for i, a := range list {
			out[i] = a.String()
		}
		return strings.Join(out, ",\r\n ")
	}
	return v
}

// renderedHTML is HTML turned into plain text, one line per block, with
// marks saying where each stretch of the text ends in the HTML so that a
// place found in the text can be found in the HTML.
type renderedHTML struct {
	text  string
	marks []htmlMark
}

// htmlMark says that the text up to offset text came from the HTML up to
// offset html.
type htmlMark struct{ text, html int }

// lineTags are the HTML elements that start a new line of text.
var lineTags = map[atom.Atom]bool{
	atom.Br: true, atom.P: true, atom.Div: true, atom.Tr: true, atom.Li: true, atom.Ul: true, atom.Ol: true,
	atom.H1: true, atom.H2: true, atom.H3: true, atom.H4: true, atom.H5: true, atom.H6: true,
	atom.Table: true, atom.Blockquote: true, atom.Hr: true, atom.Pre: true, atom.Dt: true, atom.Dd: true,
}

// hiddenTags are the HTML elements whose text is not shown.
var hiddenTags = map[atom.Atom]bool{
	atom.Script: true, atom.Style: true, atom.Title: true, atom.Template: true, atom.Noscript: true,
}

func renderHTML(s string) renderedHTML {
	var r renderedHTML
	var text strings.Builder
	z := html.NewTokenizer(strings.NewReader(s))
	pos, hidden := 0, 0
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			break
		}
		pos += len(z.Raw())
		before := text.Len()
		switch tt {
		case html.TextToken:
			if hidden == 0 {
				writeHTMLText(&text, string(z.Text()))
			}
		case html.StartTagToken, html.EndTagToken, html.SelfClosingTagToken:
			name, _ := z.TagName()
			a := atom.Lookup(name)
			switch {
			case hiddenTags[a] && tt == html.StartTagToken:
				hidden++
			case hiddenTags[a] && tt == html.EndTagToken:
				hidden = max(hidden-1, 0)
			default:
				writeHTMLBreak(&text, a, tt == html.EndTagToken)
			}
		}
		if text.Len() > before {
			r.marks = append(r.marks, htmlMark{text.Len(), pos})
		}
	}
	r.text = text.String()
	return r
}

// writeHTMLBreak adds the line break or space an HTML tag stands for. A
// block starts a new line, but an empty one adds no blank line, as in a
// browser; a rule is written as a line of underscores, as Outlook writes
// it in plain text.
func writeHTMLBreak(b *strings.Builder, a atom.Atom, end bool) {
	switch {
	case a == atom.Br:
		if !end {
			b.WriteByte('\n')
		}
	case a == atom.Hr:
		if !end {
			newLine(b)
			b.WriteString(strings.Repeat("_", 32) + "\n")
		}
	case lineTags[a]:
		newLine(b)
	case (a == atom.Td || a == atom.Th) && !end:
		if last := lastByte(b); last != 0 && last != '\n' && last != ' ' {
			b.WriteByte(' ')
		}
	}
}

func newLine(b *strings.Builder) {
	if last := lastByte(b); last != 0 && last != '\n' {
		b.WriteByte('\n')
	}
}

func lastByte(b *strings.Builder) byte {
	if b.Len() == 0 {
		return 0
	}
	return b.String()[b.Len()-1]
}

// writeHTMLText adds text as a browser shows it: each run of white space
// is one space, and a line does not start with a space. A non-breaking
// space is kept, so that a paragraph holding only one (Outlook's way of
// writing a blank line) still makes a line.
func writeHTMLText(b *strings.Builder, s string) {
	var out strings.Builder
	last := lastByte(b)
	space := last == 0 || last == '\n' || last == ' '
	for _, r := range s {
		switch {
		case r == '\u00a0':
			out.WriteByte(' ')
			space = true
		case unicode.IsSpace(r):
			if !space {
				out.WriteByte(' ')
			}
			space = true
		default:
			out.WriteRune(r)
			space = false
		}
	}
	b.WriteString(out.String())
}

// offset returns where in the HTML the text up to textPos ends.
func (r renderedHTML) offset(textPos int) int {
	i := sort.Search(len(r.marks), func(i int) bool { return r.marks[i].text >= textPos })
	if i == len(r.marks) {
		if len(r.marks) == 0 {
			return 0
		}
		return r.marks[len(r.marks)-1].html
	}
	return r.marks[i].html
}
