// Package resolvetest runs an authoritative DNS server on 127.0.0.1 for tests, loaded from zone-file text, so tests of the mail checks read like the real zones they describe.
//
// The server answers NXDOMAIN and NODATA as a real one does, follows CNAMEs,
// expands wildcards, can be told to fail (SERVFAIL, REFUSED) or say nothing
// for chosen names so temporary errors can be tested, sets the AD bit for
// names in zones marked signed, and counts the questions it is asked so tests
// can prove caching and lookup limits.
package resolvetest

import (
	"fmt"
	"net"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/handwash/handwash/resolve"
	"github.com/miekg/dns"
)

// Server is an authoritative DNS server listening on 127.0.0.1, over UDP and TCP on the same port.
type Server struct {
	addr string
	udp  *dns.Server
	tcp  *dns.Server

	mu       sync.Mutex
	records  map[string][]dns.RR // owner (lower case, absolute) → records
	names    map[string]bool     // every owner and every empty non-terminal above one
	zones    map[string]bool     // apexes, from SOA records
	signed   map[string]bool     // apexes whose answers get the AD bit
	fail     map[string]int      // name → rcode to answer with
	silent   map[string]bool     // names never answered, to make the client time out
	truncate map[string]bool     // names answered with TC over UDP, to force TCP
	counts   map[string]int      // "name TYPE" → questions asked
	total    int
	log      []Query
}

// Query is one question the server was asked.
type Query struct {
	// Name is the name asked about, lower case, without the trailing dot.
	Name string
	// Type is the record type, such as "TXT".
	Type string
	// TCP reports whether the question came over TCP.
	TCP bool
}

// Start runs a server loaded with zone, a zone file in RFC 1035 master format (use $ORIGIN or absolute names; $TTL defaults to 3600), and stops it when the test ends.
//
// A zone without a SOA record is served as if a SOA at the root held it, so
// short test zones need not write one.
func Start(t testing.TB, zone string) *Server {
	t.Helper()
	s := &Server{
		records:  map[string][]dns.RR{},
		names:    map[string]bool{".": true},
		zones:    map[string]bool{},
		signed:   map[string]bool{},
		fail:     map[string]int{},
		silent:   map[string]bool{},
		truncate: map[string]bool{},
		counts:   map[string]int{},
	}
	if err := s.Add(zone); err != nil {
		t.Fatalf("resolvetest: %v", err)
	}
	pc, ln, err := listen()
	if err != nil {
		t.Fatalf("resolvetest: %v", err)
	}
	s.addr = pc.LocalAddr().String()
	s.udp = &dns.Server{PacketConn: pc, Handler: dns.HandlerFunc(s.serve)}
	s.tcp = &dns.Server{Listener: ln, Handler: dns.HandlerFunc(s.serve), ReadTimeout: 2 * time.Second}
	var started sync.WaitGroup
	started.Add(2)
	s.udp.NotifyStartedFunc = started.Done
	s.tcp.NotifyStartedFunc = started.Done
	go s.udp.ActivateAndServe()
	go s.tcp.ActivateAndServe()
	started.Wait()
	t.Cleanup(func() {
		s.udp.Shutdown()
		s.tcp.Shutdown()
	})
	return s
}

// listen opens UDP and TCP on one free port, retrying when the port the UDP socket got is taken for TCP.
func listen() (net.PacketConn, net.Listener, error) {
	var lastErr error
	for range 20 {
		pc, err := net.ListenPacket("udp", "127.0.0.1:0")
		if err != nil {
			return nil, nil, err
		}
		ln, err := net.Listen("tcp", pc.LocalAddr().String())
		if err == nil {
			return pc, ln, nil
		}
		pc.Close()
		lastErr = err
	}
	return nil, nil, fmt.Errorf("no free port for UDP and TCP together: %w", lastErr)
}

// Addr gives the server's "127.0.0.1:port".
func (s *Server) Addr() string { return s.addr }

// Resolver gives a resolve.Resolver that asks this server, with a short timeout so tests of silent names are quick; opts come after and may change it.
func (s *Server) Resolver(opts ...resolve.Option) resolve.Resolver {
	opts = append([]resolve.Option{resolve.WithTimeout(300 * time.Millisecond), resolve.WithAttempts(1)}, opts...)
	r, err := resolve.New(s.addr, opts...)
	if err != nil {
		panic("resolvetest: " + err.Error()) // the address is ours, so this cannot happen
	}
	return r
}

// Add loads more records, in the same format as Start's zone.
func (s *Server) Add(zone string) error {
	zp := dns.NewZoneParser(strings.NewReader(zone), ".", "zone")
	zp.SetDefaultTTL(3600)
	var rrs []dns.RR
	for rr, ok := zp.Next(); ok; rr, ok = zp.Next() {
		rrs = append(rrs, rr)
	}
	if err := zp.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, rr := range rrs {
		h := rr.Header()
		h.Name = canon(h.Name)
		s.records[h.Name] = append(s.records[h.Name], rr)
		for n := h.Name; ; {
			s.names[n] = true
			i, end := dns.NextLabel(n, 0)
			if end {
				break
			}
			n = n[i:]
		}
		switch rr.(type) {
		case *dns.SOA:
			s.zones[h.Name] = true
		case *dns.DNSKEY:
			s.signed[h.Name] = true
		}
	}
	return nil
}

// Sign marks zones, by apex, as DNSSEC-signed: answers for names at or under them get the AD bit when the question asks for DNSSEC (DO or AD). A zone with a DNSKEY record at its apex is marked already.
func (s *Server) Sign(apexes ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, a := range apexes {
		s.signed[fqdn(a)] = true
	}
}

// ServFail makes the server answer SERVFAIL to any question about names.
func (s *Server) ServFail(names ...string) { s.Fail(dns.RcodeServerFailure, names...) }

// Fail makes the server answer with rcode (a dns.Rcode* value) to any question about names.
func (s *Server) Fail(rcode int, names ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, n := range names {
		s.fail[fqdn(n)] = rcode
	}
}

// Timeout makes the server never answer questions about names, so the client times out.
func (s *Server) Timeout(names ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, n := range names {
		s.silent[fqdn(n)] = true
	}
}

// Truncate makes the server answer questions about names over UDP with the TC bit and no records, so the client must ask again over TCP.
func (s *Server) Truncate(names ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, n := range names {
		s.truncate[fqdn(n)] = true
	}
}

// Heal undoes ServFail, Fail, Timeout and Truncate for names.
func (s *Server) Heal(names ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, n := range names {
		n = fqdn(n)
		delete(s.fail, n)
		delete(s.silent, n)
		delete(s.truncate, n)
	}
}

// Count gives how many questions of type qtype ("TXT", "A"…) about name the server was asked; an empty qtype counts every type.
func (s *Server) Count(name, qtype string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	name = strings.TrimSuffix(fqdn(name), ".")
	if qtype != "" {
		return s.counts[name+" "+strings.ToUpper(qtype)]
	}
	n := 0
	for k, v := range s.counts {
		if strings.HasPrefix(k, name+" ") {
			n += v
		}
	}
	return n
}

// Total gives how many questions the server was asked, over UDP and TCP.
func (s *Server) Total() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.total
}

// Queries gives every question asked so far, in order.
func (s *Server) Queries() []Query {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Query(nil), s.log...)
}

// Reset forgets the questions counted so far.
func (s *Server) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.counts = map[string]int{}
	s.total = 0
	s.log = nil
}

func fqdn(name string) string { return canon(dns.Fqdn(name)) }

// canon gives one spelling of a name in presentation format, lower case, so
// "a\032b" from a zone file and "a\ b" from a query are the same key.
func canon(name string) string {
	buf := make([]byte, 256)
	off, err := dns.PackDomainName(dns.Fqdn(name), buf, 0, nil, false)
	if err != nil {
		return strings.ToLower(name)
	}
	n, _, err := dns.UnpackDomainName(buf[:off], 0)
	if err != nil {
		return strings.ToLower(name)
	}
	return strings.ToLower(n)
}

func (s *Server) serve(w dns.ResponseWriter, req *dns.Msg) {
	_, tcp := w.RemoteAddr().(*net.TCPAddr)
	resp := new(dns.Msg)
	if len(req.Question) != 1 || req.Opcode != dns.OpcodeQuery {
		resp.SetRcode(req, dns.RcodeFormatError)
		w.WriteMsg(resp)
		return
	}
	q := req.Question[0]
	qname := canon(q.Name)
	opt := req.IsEdns0()
	wantDNSSEC := req.AuthenticatedData || (opt != nil && opt.Do())

	s.mu.Lock()
	key := strings.TrimSuffix(qname, ".") + " " + dns.TypeToString[q.Qtype]
	s.counts[key]++
	s.total++
	s.log = append(s.log, Query{Name: strings.TrimSuffix(qname, "."), Type: dns.TypeToString[q.Qtype], TCP: tcp})
	silent := s.silent[qname]
	rcode, failing := s.fail[qname]
	trunc := s.truncate[qname] && !tcp
	if !silent && !failing && !trunc {
		s.answer(resp, req, qname, q.Qtype)
		resp.AuthenticatedData = wantDNSSEC && s.isSigned(qname)
	}
	s.mu.Unlock()

	switch {
	case silent:
		return
	case failing:
		resp.SetRcode(req, rcode)
	case trunc:
		resp.SetReply(req)
		resp.Truncated = true
	}
	resp.Authoritative = !failing
	resp.RecursionAvailable = req.RecursionDesired
	if opt != nil {
		resp.SetEdns0(1232, opt.Do())
	}
	if !tcp {
		size := dns.MinMsgSize
		if opt != nil {
			size = int(opt.UDPSize())
		}
		resp.Truncate(size)
	}
	w.WriteMsg(resp)
}

// answer fills resp as an authoritative server would; s.mu is held.
func (s *Server) answer(resp, req *dns.Msg, qname string, qtype uint16) {
	resp.SetReply(req)
	name := qname
	seen := map[string]bool{}
	for !seen[name] {
		seen[name] = true
		rrs, owner := s.lookup(name)
		if owner == "" {
			resp.Rcode = dns.RcodeNameError
			resp.Ns = append(resp.Ns, s.soa(name))
			return
		}
		var cname *dns.CNAME
		matched := false
		for _, rr := range rrs {
			if rr.Header().Rrtype == qtype || qtype == dns.TypeANY {
				resp.Answer = append(resp.Answer, synth(rr, name))
				matched = true
			}
			if c, ok := rr.(*dns.CNAME); ok {
				cname = c
			}
		}
		if matched {
			return
		}
		if cname == nil {
			resp.Ns = append(resp.Ns, s.soa(name)) // NODATA
			return
		}
		resp.Answer = append(resp.Answer, synth(cname, name))
		target := canon(cname.Target)
		if s.apex(target) != s.apex(name) {
			// As an authoritative server does, stop at the zone's edge:
			// the client asks about the target itself.
			return
		}
		name = target
	}
}

// lookup gives name's records and the owner they came from ("" when the name does not exist), expanding a wildcard as RFC 4592 does.
func (s *Server) lookup(name string) ([]dns.RR, string) {
	if s.names[name] {
		return s.records[name], name
	}
	if rrs := s.lookupWildcard(name); rrs != nil {
		return rrs, name
	}
	return nil, ""
}

// lookupWildcard finds the closest existing ancestor of name and gives the records of the wildcard directly under it.
func (s *Server) lookupWildcard(name string) []dns.RR {
	for n := name; ; {
		i, end := dns.NextLabel(n, 0)
		if end {
			return nil
		}
		n = n[i:]
		if s.names[n] {
			return s.records["*."+strings.TrimPrefix(n, ".")]
		}
	}
}

// soa gives the SOA of the zone holding name, or a made-up one at the root.
func (s *Server) soa(name string) dns.RR {
	apex := s.apex(name)
	for _, rr := range s.records[apex] {
		if soa, ok := rr.(*dns.SOA); ok {
			return soa
		}
	}
	return &dns.SOA{
		Hdr: dns.RR_Header{Name: ".", Rrtype: dns.TypeSOA, Class: dns.ClassINET, Ttl: 3600},
		Ns:  "ns.test.", Mbox: "hostmaster.test.", Serial: 1, Refresh: 3600, Retry: 600, Expire: 86400, Minttl: 300,
	}
}

// apex gives the longest zone apex at or above name, "." if none.
func (s *Server) apex(name string) string {
	best := "."
	for z := range s.zones {
		if dns.IsSubDomain(z, name) && len(z) > len(best) {
			best = z
		}
	}
	return best
}

func (s *Server) isSigned(name string) bool {
	for z := range s.signed {
		if dns.IsSubDomain(z, name) {
			return true
		}
	}
	return false
}

// synth gives rr with owner name, for wildcard answers; the stored record is never changed.
func synth(rr dns.RR, name string) dns.RR {
	if strings.EqualFold(rr.Header().Name, name) {
		return rr
	}
	c := dns.Copy(rr)
	c.Header().Name = name
	return c
}

// Names lists the names the server holds records for, sorted, for debugging a test.
func (s *Server) Names() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for n := range s.records {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}
