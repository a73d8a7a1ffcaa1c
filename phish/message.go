package phish

import (
	"bytes"
	"net/mail"
	"net/textproto"
	"regexp"
	"strings"

	"github.com/jhillyerd/enmime/v2"
)

// Limits on what one message may make us do. They are far above what real
// mail needs and stop a crafted message from using up memory or time.
const (
	// maxMultipart bounds nested multipart sections; the MIME parser
	// recurses once per level.
	maxMultipart = 200
	// maxBoundaryLines bounds lines that could start a MIME part.
	maxBoundaryLines = 20000
	// maxParts bounds the parts looked at after parsing.
	maxParts = 1000
	// maxLinks bounds the links looked at in one message.
	maxLinks = 2000
	// maxText bounds the text searched for phrases, per message.
	maxText = 1 << 20
)

// message is what the rules look at: the parsed envelope plus the parts of
// it that several rules need, worked out once.
type message struct {
	raw     []byte
	env     *enmime.Envelope // nil when the message could not be parsed at all
	header  textproto.MIMEHeader
	from    *mail.Address
	fromRaw string // the From header as written, for evidence
	subject string

	text        strings.Builder // plain text and text of the HTML, for phrase search
	links       []link
	forms       []form
	attachments []attachment
	problems    []string // what the parser could not make sense of
}

// attachment is one non-body part.
type attachment struct {
	name        string
	contentType string
	data        []byte
}

var envelopeParser = enmime.NewParser(
	enmime.SkipMalformedParts(true),
	enmime.SetReadPartErrorPolicy(enmime.AllowCorruptTextPartErrorPolicy),
	enmime.MaxStoredPartErrors(50),
	// We turn HTML into text ourselves while looking for links and forms,
	// so the parser need not do it a second time.
	enmime.DisableTextConversion(true),
	// Trust a declared character set, as mail programs do when they show
	// the message; guessing (slow) is left for parts that declare none.
	enmime.DisableCharacterDetection(true),
)

// parseMessage reads raw into a message. It never fails: what cannot be
// parsed is recorded as a problem, and the rules work with what is left.
func parseMessage(raw []byte) *message {
	m := &message{raw: raw}
	env, err := envelopeParser.ReadEnvelope(bytes.NewReader(raw))
	if err != nil || env == nil || env.Root == nil {
		m.problems = append(m.problems, "The message's structure could not be read, so only its raw text was checked.")
		m.header = fallbackHeader(raw)
		m.addText(string(raw))
		m.links = append(m.links, textLinks(string(raw), maxLinks)...)
		m.readAddresses(nil)
		return m
	}
	m.env = env
	m.header = env.Root.Header
	if !hasMailHeader(m.header) {
		// Text with no header at all is read as one big bad header line;
		// check it as text instead.
		m.problems = append(m.problems, "The file does not start with the header lines every email has.")
		m.addText(string(raw))
		m.links = append(m.links, textLinks(string(raw), maxLinks)...)
	}
	for _, e := range env.Errors {
		if e.Severe {
			m.problems = append(m.problems, e.Error())
		}
	}
	m.readAddresses(env)
	m.subject = env.GetHeader("Subject")
	m.walk(env.Root)
	return m
}

// hasMailHeader reports whether h has any of the header fields that every
// real message has at least one of.
func hasMailHeader(h textproto.MIMEHeader) bool {
	for _, k := range []string{"From", "To", "Subject", "Date", "Received", "Message-Id", "Content-Type", "Mime-Version", "Return-Path", "Sender", "Reply-To", "Dkim-Signature", "Authentication-Results"} {
		if _, ok := h[k]; ok {
			return true
		}
	}
	return false
}

// fallbackHeader reads whatever header lines it can when the MIME parser
// gave up, so that sender checks still run.
func fallbackHeader(raw []byte) textproto.MIMEHeader {
	h := textproto.MIMEHeader{}
	end := headerEnd(raw)
	for line := range strings.SplitSeq(string(raw[:end]), "\n") {
		k, v, ok := strings.Cut(strings.TrimRight(line, "\r"), ":")
		if !ok || k == "" || strings.ContainsAny(k, " \t") {
			continue
		}
		h.Add(textproto.CanonicalMIMEHeaderKey(k), strings.TrimSpace(v))
	}
	return h
}

// headerEnd returns the offset of the blank line that ends the header, or
// len(raw) when there is none.
func headerEnd(raw []byte) int {
	lf := bytes.Index(raw, []byte("\n\n"))
	crlf := bytes.Index(raw, []byte("\r\n\r\n"))
	switch {
	case lf < 0 && crlf < 0:
		return len(raw)
	case lf < 0:
		return crlf
	case crlf < 0 || lf < crlf:
		return lf
	default:
		return crlf
	}
}

// bodyStart returns the offset of the first byte of the body.
func bodyStart(raw []byte) int {
	end := headerEnd(raw)
	switch {
	case end >= len(raw):
		return len(raw)
	case bytes.HasPrefix(raw[end:], []byte("\r\n\r\n")):
		return end + 4
	default:
		return end + 2
	}
}

var addrPattern = regexp.MustCompile(`[A-Za-z0-9._%+\-=!#$&'*/?^{|}~]+@[A-Za-z0-9\-.]*[A-Za-z0-9]`)

func (m *message) readAddresses(env *enmime.Envelope) {
	m.fromRaw = strings.TrimSpace(m.header.Get("From"))
	if env != nil {
		if list, err := env.AddressList("From"); err == nil && len(list) > 0 {
			m.from = list[0]
			return
		}
	}
	// Broken From headers are common in spam; take the first thing that
	// looks like an address, and whatever comes before it as the name.
	if a := lastAddress(m.fromRaw); a != "" {
		name := strings.TrimSpace(strings.Trim(strings.TrimSpace(m.fromRaw[:strings.LastIndex(m.fromRaw, a)]), "<\" "))
		m.from = &mail.Address{Name: name, Address: a}
	}
}

// lastAddress finds the last address-like string in s: in
// `"boss@example.org" <x@evil.example>` the real address is the last one.
func lastAddress(s string) string {
	if len(s) > 2048 {
		// Real address headers are short; look at the end of a long one.
		s = s[len(s)-2048:]
	}
	all := addrPattern.FindAllString(s, -1)
	if len(all) == 0 {
		return ""
	}
	return all[len(all)-1]
}

// addresses parses an address header leniently, one address per entry.
func (m *message) addresses(key string) []*mail.Address {
	v := m.header.Get(key)
	if v == "" {
		return nil
	}
	if m.env != nil {
		if list, err := m.env.AddressList(key); err == nil {
			return list
		}
	}
	var out []*mail.Address
	for _, a := range addrPattern.FindAllString(v, 10) {
		out = append(out, &mail.Address{Address: a})
	}
	return out
}

// domainOf returns the normalised domain of an address.
func domainOf(addr string) string {
	i := strings.LastIndexByte(addr, '@')
	if i < 0 {
		return ""
	}
	return normaliseHost(strings.Trim(addr[i+1:], "<> "))
}

// walk visits every part once, sorting them into body text, HTML and
// attachments.
func (m *message) walk(root *enmime.Part) {
	n := 0
	var visit func(p *enmime.Part)
	visit = func(p *enmime.Part) {
		for ; p != nil && n < maxParts; p = p.NextSibling {
			n++
			if p.FirstChild != nil {
				visit(p.FirstChild)
				continue
			}
			m.part(p)
		}
	}
	visit(root)
	if n >= maxParts {
		m.problems = append(m.problems, "The message has more parts than Handwash looks at; only the first ones were checked.")
	}
}

func (m *message) part(p *enmime.Part) {
	ct := strings.ToLower(p.ContentType)
	body := p.Disposition != "attachment" && p.FileName == ""
	switch {
	case body && (ct == "text/html" || ct == "application/xhtml+xml"):
		m.addHTML(string(p.Content))
	case body && (ct == "text/plain" || ct == "" || ct == "text/enriched" || ct == "text/rfc822-headers"):
		s := string(p.Content)
		// Some senders put HTML in a part labelled as plain text; mail
		// programs vary in how they show it, so read it both ways.
		if looksLikeHTML(s) {
			m.addHTML(s)
			return
		}
		m.addText(s)
		m.links = append(m.links, textLinks(s, maxLinks-len(m.links))...)
	case strings.HasPrefix(ct, "multipart/") && len(p.Content) == 0:
		// An empty container: nothing to look at.
	default:
		m.attachments = append(m.attachments, attachment{name: p.FileName, contentType: ct, data: p.Content})
	}
}

func (m *message) addText(s string) {
	room := maxText - m.text.Len()
	if room <= 0 {
		return
	}
	if len(s) > room {
		s = s[:room]
	}
	m.text.WriteString(s)
	m.text.WriteByte('\n')
}

func (m *message) addHTML(s string) {
	doc := parseHTML(s, maxLinks-len(m.links))
	m.addText(doc.text)
	m.links = append(m.links, doc.links...)
	m.forms = append(m.forms, doc.forms...)
}

// looksLikeHTML reports whether text labelled as plain is really HTML.
func looksLikeHTML(s string) bool {
	head := s
	if len(head) > 2048 {
		head = head[:2048]
	}
	head = strings.ToLower(head)
	return strings.Contains(head, "<html") || strings.Contains(head, "<body") ||
		(strings.Contains(head, "<a ") && strings.Contains(head, "href="))
}
