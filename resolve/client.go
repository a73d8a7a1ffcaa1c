package resolve

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/miekg/dns"
)

// DefaultTimeout is how long New's resolver waits for one answer from the server.
const DefaultTimeout = 5 * time.Second

// DefaultCacheSize is how many answers New's resolver keeps: enough for a domain check, which asks the same few dozen names many times, and small enough not to matter.
const DefaultCacheSize = 512

// maxCNAMEHops bounds the CNAME chain followed, as resolvers do, so a loop in someone's zone cannot keep us asking.
const maxCNAMEHops = 8

// maxCacheTTL caps how long an answer is kept, so a long-running server notices a changed record within the hour whatever its TTL says.
const maxCacheTTL = time.Hour

// udpSize is the EDNS0 buffer size advertised: the DNS Flag Day 2020 value, which avoids IP fragmentation.
const udpSize = 1232

// Option changes how New's resolver behaves.
type Option func(*client)

// WithTimeout sets how long to wait for each answer (DefaultTimeout if not given); the context's deadline still applies.
func WithTimeout(d time.Duration) Option {
	return func(c *client) {
		if d > 0 {
			c.timeout = d
		}
	}
}

// WithAttempts sets how many times a question is sent over UDP when no answer comes back in time (2 if not given), since a lost datagram is common and cheap to retry.
func WithAttempts(n int) Option {
	return func(c *client) {
		if n > 0 {
			c.attempts = n
		}
	}
}

// WithCacheSize sets how many answers are kept (DefaultCacheSize if not given); 0 turns the cache off.
func WithCacheSize(n int) Option {
	return func(c *client) {
		if n < 0 {
			n = 0
		}
		c.cache = newCache(n)
	}
}

// client is the Resolver New returns: a stub that asks one recursive server and keeps the answers for their TTL.
type client struct {
	server   string
	timeout  time.Duration
	attempts int
	cache    *cache
	udp      *dns.Client
	tcp      *dns.Client
	now      func() time.Time // replaced in tests to age the cache
}

var _ Resolver = (*client)(nil)

// New returns a Resolver that asks the DNS server at addr ("host:port", or a bare host meaning port 53), using UDP with EDNS0 and the DO bit, TCP when an answer is truncated, and a small cache that keeps answers for their TTL (at most an hour).
//
// An empty addr means this computer's own DNS server: the first nameserver
// line of /etc/resolv.conf (127.0.0.1:53 if it has none, as resolv.conf(5)
// says). Windows has no resolv.conf, so there it is the first DNS server
// configured on a network adapter that is up, found as the Go standard
// library finds it, and 127.0.0.1:53 if no adapter has one.
func New(addr string, opts ...Option) (Resolver, error) {
	if addr == "" {
		var err error
		addr, err = systemServer()
		if err != nil {
			return nil, fmt.Errorf("finding this computer's DNS server: %w", err)
		}
	}
	server, err := normaliseServer(addr)
	if err != nil {
		return nil, err
	}
	c := &client{
		server:   server,
		timeout:  DefaultTimeout,
		attempts: 2,
		cache:    newCache(DefaultCacheSize),
		now:      time.Now,
	}
	for _, o := range opts {
		o(c)
	}
	c.udp = &dns.Client{Net: "udp", Timeout: c.timeout, UDPSize: udpSize}
	c.tcp = &dns.Client{Net: "tcp", Timeout: c.timeout}
	return c, nil
}

// normaliseServer accepts "host:port", "host" or a bracketed IPv6 address, and gives "host:port".
func normaliseServer(addr string) (string, error) {
	if host, port, err := net.SplitHostPort(addr); err == nil {
		if _, err := strconv.ParseUint(port, 10, 16); err != nil || host == "" {
			return "", fmt.Errorf("DNS server %q: want host:port, such as 192.0.2.53:53", addr)
		}
		return addr, nil
	}
	host := strings.TrimSuffix(strings.TrimPrefix(addr, "["), "]")
	if host == "" || strings.ContainsAny(host, " /") {
		return "", fmt.Errorf("DNS server %q: want host:port, such as 192.0.2.53:53", addr)
	}
	return net.JoinHostPort(host, "53"), nil
}

// fromResolvConf gives the first nameserver of a resolv.conf file as host:port.
func fromResolvConf(path string) (string, error) {
	conf, err := dns.ClientConfigFromFile(path)
	if err != nil {
		return "", err
	}
	if len(conf.Servers) == 0 {
		return "127.0.0.1:53", nil
	}
	return net.JoinHostPort(conf.Servers[0], conf.Port), nil
}

// answer is what one question came back with, after following CNAMEs: the records of the asked type, the AD bit and how long it may be kept.
type answer struct {
	rrs []dns.RR
	ad  bool
	err error // nil, or an *Error wrapping ErrNotFound; temporary failures are never kept
	ttl time.Duration
}

// canonical lower-cases a name, checks it can go in a query, and gives it in the presentation format miekg/dns uses, escaping the bytes that format treats specially.
func canonical(name string) (string, error) {
	name = strings.ToLower(name)
	raw := strings.TrimSuffix(name, ".")
	if raw == "" {
		if name == "." {
			return ".", nil
		}
		return ".", ErrInvalidName
	}
	if len(raw) > 253 {
		return escapeName(raw), ErrInvalidName
	}
	for l := range strings.SplitSeq(raw, ".") {
		if l == "" || len(l) > 63 {
			return escapeName(raw), ErrInvalidName
		}
	}
	return escapeName(raw), nil
}

// escapeName turns a name in plain text (every byte as it is, dots between labels) into presentation format, absolute.
func escapeName(raw string) string {
	var b strings.Builder
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		switch {
		case c == '.':
			b.WriteByte('.')
		case c == ' ' || c == '\'' || c == '@' || c == ';' || c == '(' || c == ')' || c == '"' || c == '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		case c < 0x20 || c > 0x7e:
			fmt.Fprintf(&b, "\\%03d", c)
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('.')
	return b.String()
}

// lookup answers one question, from the cache if it can, following a CNAME chain to its end.
func (c *client) lookup(ctx context.Context, name string, qtype uint16) (*answer, error) {
	qname, err := canonical(name)
	if err != nil {
		return nil, &Error{Name: plain(qname), Type: dns.TypeToString[qtype], Err: err}
	}
	var (
		out   answer
		first = true
	)
	for hop := 0; ; hop++ {
		a, err := c.ask(ctx, qname, qtype)
		if err != nil {
			return nil, err
		}
		if first || a.ttl < out.ttl {
			out.ttl = a.ttl
		}
		out.ad = (first || out.ad) && a.ad
		first = false
		if a.err != nil {
			return nil, a.err
		}
		var next string
		for _, rr := range a.rrs {
			if cn, ok := rr.(*dns.CNAME); ok && qtype != dns.TypeCNAME {
				next = cn.Target
				continue
			}
			out.rrs = append(out.rrs, rr)
		}
		// A recursive server gives the whole chain in one answer; an
		// authoritative one, or a chain that leaves its zone, may not, so
		// the end of the chain is asked about again.
		if next == "" || len(out.rrs) > 0 {
			return &out, nil
		}
		if hop >= maxCNAMEHops {
			return nil, &Error{Name: plain(qname), Type: dns.TypeToString[qtype], Server: c.server, Err: errors.New("CNAME chain longer than 8 names")}
		}
		qname = strings.ToLower(next)
	}
}

// ask answers one question about one name, from the cache or the server.
func (c *client) ask(ctx context.Context, qname string, qtype uint16) (*answer, error) {
	key := cacheKey{name: qname, qtype: qtype}
	now := c.now()
	if a, ok := c.cache.get(key, now); ok {
		return a, nil
	}
	msg, err := c.exchange(ctx, qname, qtype)
	if err != nil {
		return nil, &Error{Name: plain(qname), Type: dns.TypeToString[qtype], Server: c.server, Err: err}
	}
	a, err := c.parse(qname, qtype, msg)
	if err != nil {
		return nil, err
	}
	if a.ttl > 0 {
		c.cache.put(key, a, now)
	}
	return a, nil
}

// exchange sends the question over UDP, and again over TCP if the answer was truncated.
func (c *client) exchange(ctx context.Context, qname string, qtype uint16) (*dns.Msg, error) {
	m := new(dns.Msg)
	m.SetQuestion(qname, qtype)
	m.RecursionDesired = true
	// AD in the query asks a validating resolver to say whether it
	// validated (RFC 6840 5.7); DO asks for DNSSEC records, which some
	// resolvers need before they will set AD at all.
	m.AuthenticatedData = true
	m.SetEdns0(udpSize, true)

	var (
		r   *dns.Msg
		err error
	)
	for try := 0; try < c.attempts; try++ {
		r, _, err = c.udp.ExchangeContext(ctx, m, c.server)
		if err == nil || ctx.Err() != nil || !isTimeout(err) {
			break
		}
	}
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, err
	}
	if r.Truncated {
		r, _, err = c.tcp.ExchangeContext(ctx, m, c.server)
		if err != nil {
			return nil, fmt.Errorf("over TCP after a truncated answer: %w", err)
		}
	}
	if len(r.Question) > 0 && (!strings.EqualFold(r.Question[0].Name, qname) || r.Question[0].Qtype != qtype) {
		return nil, fmt.Errorf("the answer was to another question (%s %s)", r.Question[0].Name, dns.TypeToString[r.Question[0].Qtype])
	}
	return r, nil
}

func isTimeout(err error) bool {
	var t interface{ Timeout() bool }
	return errors.As(err, &t) && t.Timeout()
}

// parse turns a response into an answer: the records owned by the name (or by the CNAME chain starting at it), NXDOMAIN as ErrNotFound, other rcodes as temporary errors.
func (c *client) parse(qname string, qtype uint16, r *dns.Msg) (*answer, error) {
	tname := dns.TypeToString[qtype]
	name := plain(qname)
	a := &answer{ad: r.AuthenticatedData}
	switch r.Rcode {
	case dns.RcodeSuccess, dns.RcodeNameError:
	default:
		return nil, &Error{Name: name, Type: tname, Server: c.server, Err: fmt.Errorf("the server answered %s", dns.RcodeToString[r.Rcode])}
	}

	// Follow the chain inside this answer; records owned by other names
	// are ignored, as a stub resolver must not trust them.
	owner := qname
	var minTTL uint32 = 1<<32 - 1
	seen := map[string]bool{qname: true}
	for {
		var next string
		var recs []dns.RR
		for _, rr := range r.Answer {
			h := rr.Header()
			if !strings.EqualFold(h.Name, owner) || h.Class != dns.ClassINET {
				continue
			}
			switch h.Rrtype {
			case qtype:
				recs = append(recs, rr)
				minTTL = min(minTTL, h.Ttl)
			case dns.TypeCNAME:
				next = strings.ToLower(rr.(*dns.CNAME).Target)
				minTTL = min(minTTL, h.Ttl)
			}
		}
		if len(recs) > 0 {
			a.rrs = recs
			break
		}
		if next == "" {
			break
		}
		if seen[next] || len(seen) > maxCNAMEHops {
			return nil, &Error{Name: name, Type: tname, Server: c.server, Err: errors.New("the CNAME chain loops or is longer than 8 names")}
		}
		seen[next] = true
		owner = next
		if !hasOwner(r.Answer, next) {
			// The chain leaves this answer: lookup asks about its end.
			a.rrs = []dns.RR{&dns.CNAME{Hdr: dns.RR_Header{Name: qname, Rrtype: dns.TypeCNAME, Class: dns.ClassINET}, Target: next}}
			break
		}
	}

	if r.Rcode == dns.RcodeNameError {
		a.rrs = nil
		a.err = &Error{Name: name, Type: tname, Server: c.server, Err: ErrNotFound}
	}
	if len(a.rrs) > 0 && minTTL != 1<<32-1 {
		a.ttl = time.Duration(minTTL) * time.Second
	} else {
		// Negative answers are kept for the SOA's negative TTL (RFC 2308
		// section 5); without a SOA they are not kept at all.
		for _, rr := range r.Ns {
			if soa, ok := rr.(*dns.SOA); ok {
				a.ttl = time.Duration(min(soa.Hdr.Ttl, soa.Minttl)) * time.Second
				break
			}
		}
	}
	a.ttl = min(a.ttl, maxCacheTTL)
	return a, nil
}

func hasOwner(rrs []dns.RR, name string) bool {
	for _, rr := range rrs {
		if strings.EqualFold(rr.Header().Name, name) {
			return true
		}
	}
	return false
}

// LookupTXT gives each TXT record of name as one string, its character-strings joined with nothing between them (RFC 7208 section 3.3).
func (c *client) LookupTXT(ctx context.Context, name string) ([]string, error) {
	a, err := c.lookup(ctx, name, dns.TypeTXT)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, rr := range a.rrs {
		if t, ok := rr.(*dns.TXT); ok {
			var b strings.Builder
			for _, s := range t.Txt {
				b.WriteString(unescapeTXT(s))
			}
			out = append(out, b.String())
		}
	}
	return out, nil
}

// unescapeTXT undoes the presentation escapes (\" \\ \DDD) miekg/dns puts in character-strings and names, giving the octets the zone holds.
func unescapeTXT(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' || i+1 >= len(s) {
			b.WriteByte(s[i])
			continue
		}
		if i+3 < len(s) && isDigit(s[i+1]) && isDigit(s[i+2]) && isDigit(s[i+3]) {
			n := int(s[i+1]-'0')*100 + int(s[i+2]-'0')*10 + int(s[i+3]-'0')
			if n <= 255 {
				b.WriteByte(byte(n))
				i += 3
				continue
			}
		}
		b.WriteByte(s[i+1])
		i++
	}
	return b.String()
}

func isDigit(b byte) bool { return '0' <= b && b <= '9' }

// LookupA gives name's IPv4 addresses.
func (c *client) LookupA(ctx context.Context, name string) ([]netip.Addr, error) {
	return c.lookupAddr(ctx, name, dns.TypeA)
}

// LookupAAAA gives name's IPv6 addresses.
func (c *client) LookupAAAA(ctx context.Context, name string) ([]netip.Addr, error) {
	return c.lookupAddr(ctx, name, dns.TypeAAAA)
}

func (c *client) lookupAddr(ctx context.Context, name string, qtype uint16) ([]netip.Addr, error) {
	a, err := c.lookup(ctx, name, qtype)
	if err != nil {
		return nil, err
	}
	var out []netip.Addr
	for _, rr := range a.rrs {
		var ip net.IP
		switch v := rr.(type) {
		case *dns.A:
			ip = v.A.To4()
		case *dns.AAAA:
			ip = v.AAAA.To16()
		}
		if addr, ok := netip.AddrFromSlice(ip); ok {
			out = append(out, addr)
		}
	}
	return out, nil
}

// LookupMX gives name's mail exchangers in the order the server gave them.
func (c *client) LookupMX(ctx context.Context, name string) ([]MX, error) {
	a, err := c.lookup(ctx, name, dns.TypeMX)
	if err != nil {
		return nil, err
	}
	var out []MX
	for _, rr := range a.rrs {
		if mx, ok := rr.(*dns.MX); ok {
			out = append(out, MX{Host: hostName(mx.Mx), Pref: mx.Preference})
		}
	}
	return out, nil
}

// LookupPTR gives the names addr's reverse zone points to; an IPv4-mapped IPv6 address is looked up under in-addr.arpa.
func (c *client) LookupPTR(ctx context.Context, addr netip.Addr) ([]string, error) {
	if !addr.IsValid() {
		return nil, &Error{Name: "invalid IP", Type: "PTR", Err: ErrInvalidName}
	}
	arpa, err := dns.ReverseAddr(addr.Unmap().WithZone("").String())
	if err != nil {
		return nil, &Error{Name: addr.String(), Type: "PTR", Err: ErrInvalidName}
	}
	a, err := c.lookup(ctx, arpa, dns.TypePTR)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, rr := range a.rrs {
		if p, ok := rr.(*dns.PTR); ok {
			out = append(out, hostName(p.Ptr))
		}
	}
	return out, nil
}

// Secure asks for name's SOA and reports the AD bit: a validating resolver sets it on signed, validated answers, including the "no such record" answer for a name below the zone's apex.
func (c *client) Secure(ctx context.Context, name string) (bool, error) {
	a, err := c.lookup(ctx, name, dns.TypeSOA)
	if err != nil {
		return false, err
	}
	return a.ad, nil
}

// plain gives a name in presentation format as plain text, for messages.
func plain(name string) string { return unescapeTXT(name) }

// hostName gives a name from the DNS as the mail checks compare it: plain text, lower case, no trailing dot.
func hostName(s string) string {
	return unescapeTXT(strings.TrimSuffix(strings.ToLower(s), "."))
}
