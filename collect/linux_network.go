package collect

import (
	"context"
	"encoding/hex"
	"net/netip"
	"sort"
	"strconv"
	"strings"

	"github.com/handwash/handwash"
)

// linuxNetwork fills the sockets listening beyond loopback, from
// /proc/net/{tcp,tcp6,udp,udp6} (no root needed), with the process behind
// each from ss when root (others' sockets are hidden from other users).
func linuxNetwork(ctx context.Context, h Host, f *handwash.Facts, s *linuxState) error {
	all, read := s.listeners(h)
	if read == 0 {
		f.AddMissing("network", handwash.ReasonNotSupported, "no /proc/net/tcp")
		return nil
	}
	var ls []handwash.Listener
	for _, l := range all {
		if !linuxLoopback(l.Address) {
			ls = append(ls, l)
		}
	}
	ls = linuxDedupeListeners(ls)
	if len(ls) > 0 {
		if h.Elevated() {
			if out, err := h.Run(ctx, "ss", "-H", "-lntup"); err == nil && out.ExitCode == 0 {
				procs := parseSSProcesses(out.Stdout)
				for i := range ls {
					ls[i].Process = procs[ls[i].Protocol+" "+ls[i].Address+" "+strconv.Itoa(ls[i].Port)]
				}
			}
		} else {
			f.AddMissing("network.listeners.process", handwash.ReasonNeedsAdmin, "which process owns another user's socket is visible only to root")
		}
	}
	f.Network = &handwash.NetworkFacts{Listeners: ls}
	return nil
}

// listeners reads the listening sockets of /proc/net/{tcp,tcp6,udp,udp6}
// once per collection, loopback included, and how many of the tables
// could be read. The kernel walks every socket of the host to print these
// tables, which takes tens of milliseconds on a busy machine, so several
// collectors share one reading.
func (s *linuxState) listeners(h Host) ([]handwash.Listener, int) {
	s.netOnce.Do(func() {
		for _, src := range []struct{ file, proto string }{
			{"/proc/net/tcp", "tcp"}, {"/proc/net/tcp6", "tcp"}, {"/proc/net/udp", "udp"}, {"/proc/net/udp6", "udp"},
		} {
			b, err := h.ReadFile(src.file)
			if err != nil {
				continue // tcp6 and udp6 are absent when IPv6 is off
			}
			s.netRead++
			s.net = append(s.net, parseProcNet(b, src.proto)...)
		}
	})
	return s.net, s.netRead
}

// listening reports whether anything listens on a port on any address
// (loopback included), for services that may be socket-activated.
func (s *linuxState) listening(h Host, proto string, port int) bool {
	all, _ := s.listeners(h)
	for _, l := range all {
		if l.Protocol == proto && l.Port == port {
			return true
		}
	}
	return false
}

// parseProcNet reads /proc/net/tcp-style tables and returns the listening
// sockets: TCP state 0A (LISTEN), or UDP sockets bound with no peer (state
// 07). Addresses are hex in the kernel's byte order: IPv4 one little-endian
// word, IPv6 four; ports are big-endian.
func parseProcNet(b []byte, proto string) []handwash.Listener {
	var out []handwash.Listener
	for i, line := range linuxLines(b) {
		f := strings.Fields(line)
		if i == 0 || len(f) < 4 {
			continue // the header
		}
		st := f[3]
		if (proto == "tcp" && st != "0A") || (proto == "udp" && st != "07") {
			continue
		}
		if proto == "udp" && !strings.HasSuffix(f[2], ":0000") {
			continue // connected: a client, not a listener
		}
		hexAddr, hexPort, ok := strings.Cut(f[1], ":")
		if !ok {
			continue
		}
		port, err := strconv.ParseUint(hexPort, 16, 16)
		if err != nil {
			continue
		}
		addr, ok := linuxProcNetAddr(hexAddr)
		if !ok {
			continue
		}
		out = append(out, handwash.Listener{Protocol: proto, Address: addr.String(), Port: int(port)})
	}
	return out
}

// linuxProcNetAddr decodes an address of /proc/net/tcp{,6}.
func linuxProcNetAddr(s string) (netip.Addr, bool) {
	raw, err := hex.DecodeString(s)
	if err != nil || (len(raw) != 4 && len(raw) != 16) {
		return netip.Addr{}, false
	}
	// Each 32-bit word is in host (little-endian) order.
	for w := 0; w < len(raw); w += 4 {
		raw[w], raw[w+1], raw[w+2], raw[w+3] = raw[w+3], raw[w+2], raw[w+1], raw[w]
	}
	a, ok := netip.AddrFromSlice(raw)
	if !ok {
		return a, false
	}
	return a.Unmap(), true
}

// linuxLoopback reports whether an address is reachable only from the
// machine itself.
func linuxLoopback(addr string) bool {
	a, err := netip.ParseAddr(addr)
	return err == nil && a.IsLoopback()
}

func linuxDedupeListeners(ls []handwash.Listener) []handwash.Listener {
	sort.Slice(ls, func(i, j int) bool {
		a, b := ls[i], ls[j]
		if a.Protocol != b.Protocol {
			return a.Protocol < b.Protocol
		}
		if a.Port != b.Port {
			return a.Port < b.Port
		}
		return a.Address < b.Address
	})
	out := []handwash.Listener{}
	for i, l := range ls {
		if i > 0 && l == ls[i-1] {
			continue
		}
		out = append(out, l)
	}
	return out
}

// parseSSProcesses reads ss -H -lntup and maps "proto address port" to the
// first process named in users:(("sshd",pid=1,fd=3)).
func parseSSProcesses(b []byte) map[string]string {
	m := map[string]string{}
	for _, line := range linuxLines(b) {
		f := strings.Fields(line)
		if len(f) < 6 {
			continue
		}
		i := strings.Index(line, `users:(("`)
		if i < 0 {
			continue
		}
		name := line[i+len(`users:(("`):]
		name, _, _ = strings.Cut(name, `"`)
		local := f[4]
		colon := strings.LastIndexByte(local, ':')
		if colon < 0 {
			continue
		}
		host, port := local[:colon], local[colon+1:]
		host = strings.Trim(host, "[]")
		if pct := strings.IndexByte(host, '%'); pct >= 0 {
			host = host[:pct] // 127.0.0.53%lo
		}
		var hosts []string
		switch host {
		case "*":
			hosts = []string{"0.0.0.0", "::"}
		default:
			if a, err := netip.ParseAddr(host); err == nil {
				hosts = []string{a.Unmap().String()}
			}
		}
		for _, hst := range hosts {
			key := f[0] + " " + hst + " " + port
			if _, ok := m[key]; !ok {
				m[key] = name
			}
		}
	}
	return m
}
