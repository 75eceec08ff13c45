//go:build linux || darwin || freebsd

package reactor

import (
	"net"
	"net/netip"
)

func netipAddrPort(ip net.IP, port int) netip.AddrPort {
	a, _ := netip.AddrFromSlice(ip)
	return netip.AddrPortFrom(a, uint16(port))
}
