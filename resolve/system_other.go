//go:build !windows

package resolve

// systemServer gives the first nameserver in /etc/resolv.conf.
func systemServer() (string, error) {
	return fromResolvConf("/etc/resolv.conf")
}
