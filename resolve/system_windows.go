//go:build windows

package resolve

import (
	"errors"
	"net"
	"net/netip"
	"os"
	"syscall"
	"unsafe"

	"golang.org/x/sys/windows"
)

// systemServer gives the first DNS server configured on a network adapter that is up, found as the Go standard library's resolver finds it on Windows, or 127.0.0.1:53 when there is none.
func systemServer() (string, error) {
	aas, err := adapterAddresses()
	if err != nil {
		return "", err
	}
	for _, aa := range aas {
		if aa.OperStatus != windows.IfOperStatusUp {
			continue
		}
		for dns := aa.FirstDnsServerAddress; dns != nil; dns = dns.Next {
			sa, err := dns.Address.Sockaddr.Sockaddr()
			if err != nil {
				continue
			}
			var addr netip.Addr
			switch sa := sa.(type) {
			case *syscall.SockaddrInet4:
				addr = netip.AddrFrom4(sa.Addr)
			case *syscall.SockaddrInet6:
				addr = netip.AddrFrom16(sa.Addr)
				// Windows lists these site-local addresses as
				// placeholders when IPv6 DNS is not configured.
				if addr.Is6() && addr.As16()[0] == 0xfe && addr.As16()[1] == 0xc0 {
					continue
				}
			default:
				continue
			}
			if !addr.IsValid() || addr.IsUnspecified() {
				continue
			}
			return net.JoinHostPort(addr.String(), "53"), nil
		}
	}
	return "127.0.0.1:53", nil
}

// adapterAddresses returns the adapters' addresses, growing the buffer as GetAdaptersAddresses asks.
func adapterAddresses() ([]*windows.IpAdapterAddresses, error) {
	var b []byte
	l := uint32(15000) // recommended initial size
	for {
		b = make([]byte, l)
		const flags = windows.GAA_FLAG_INCLUDE_PREFIX | windows.GAA_FLAG_INCLUDE_GATEWAYS
		err := windows.GetAdaptersAddresses(syscall.AF_UNSPEC, flags, 0, (*windows.IpAdapterAddresses)(unsafe.Pointer(&b[0])), &l)
		if err == nil {
			if l == 0 {
				return nil, nil
			}
			break
		}
		if !errors.Is(err, windows.ERROR_BUFFER_OVERFLOW) {
			return nil, os.NewSyscallError("getadaptersaddresses", err)
		}
		if l <= uint32(len(b)) {
			return nil, os.NewSyscallError("getadaptersaddresses", err)
		}
	}
	var aas []*windows.IpAdapterAddresses
	for aa := (*windows.IpAdapterAddresses)(unsafe.Pointer(&b[0])); aa != nil; aa = aa.Next {
		aas = append(aas, aa)
	}
	return aas, nil
}
