//go:build linux || darwin || freebsd

package reactor

import (
	"net"
	"net/netip"
	"os"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

func sockaddrToAddr(sa unix.Sockaddr, isUnix bool) net.Addr {
	switch a := sa.(type) {
	case *unix.SockaddrInet4:
		return &net.TCPAddr{IP: net.IP(append([]byte(nil), a.Addr[:]...)), Port: a.Port}
	case *unix.SockaddrInet6:
		ip := netip.AddrFrom16(a.Addr)
		return net.TCPAddrFromAddrPort(netip.AddrPortFrom(ip.Unmap().WithZone(zoneName(a.ZoneId)), uint16(a.Port)))
	case *unix.SockaddrUnix:
		return &net.UnixAddr{Name: a.Name, Net: "unix"}
	}
	if isUnix {
		return &net.UnixAddr{Net: "unix"}
	}
	return nil
}

func sockaddrToAddrPort(sa unix.Sockaddr) netip.AddrPort {
	switch a := sa.(type) {
	case *unix.SockaddrInet4:
		return netip.AddrPortFrom(netip.AddrFrom4(a.Addr), uint16(a.Port))
	case *unix.SockaddrInet6:
		ip := netip.AddrFrom16(a.Addr)
		if ip.Is4In6() {
			ip = ip.Unmap()
		} else if a.ZoneId != 0 {
			ip = ip.WithZone(zoneName(a.ZoneId))
		}
		return netip.AddrPortFrom(ip, uint16(a.Port))
	}
	return netip.AddrPort{}
}

func zoneName(id uint32) string {
	if id == 0 {
		return ""
	}
	if ifi, err := net.InterfaceByIndex(int(id)); err == nil {
		return ifi.Name
	}
	return strconv.Itoa(int(id))
}

func zoneID(zone string) uint32 {
	if zone == "" {
		return 0
	}
	if ifi, err := net.InterfaceByName(zone); err == nil {
		return uint32(ifi.Index)
	}
	n, _ := strconv.Atoi(zone)
	return uint32(n)
}

// addrPortToSockaddr converts ap for a socket of the given family.
func addrPortToSockaddr(ap netip.AddrPort, family int) unix.Sockaddr {
	ip := ap.Addr()
	if family == unix.AF_INET6 {
		return &unix.SockaddrInet6{Port: int(ap.Port()), Addr: ip.As16(), ZoneId: zoneID(ip.Zone())}
	}
	return &unix.SockaddrInet4{Port: int(ap.Port()), Addr: ip.Unmap().As4()}
}

func setKeepAlive(fd int, on bool, period time.Duration) error {
	v := 0
	if on {
		v = 1
	}
	if err := unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_KEEPALIVE, v); err != nil {
		return err
	}
	if !on || period <= 0 {
		return nil
	}
	secs := int((period + time.Second - 1) / time.Second)
	return setKeepAlivePeriod(fd, secs)
}

// listenBacklog is the system's largest listen queue, which Backlog 0 picks.
func listenBacklog() int {
	if b, err := os.ReadFile("/proc/sys/net/core/somaxconn"); err == nil {
		if n, err := strconv.Atoi(strings.TrimSpace(string(b))); err == nil && n > 0 {
			return n
		}
	}
	return unix.SOMAXCONN
}

// newSocket returns a non-blocking, close-on-exec socket.
func newSocket(family, typ int) (int, error) {
	fd, err := sysSocket(family, typ, 0)
	if err != nil {
		return -1, os.NewSyscallError("socket", err)
	}
	return fd, nil
}

// bindIP binds an AF_INET or AF_INET6 socket to ap, or, when ap has no
// address (a nil IP), to the family's unspecified address and ap's port. An
// AF_INET6 socket takes IPv4 too only when dual is set (IPV6_V6ONLY off),
// whatever the system's default.
func bindIP(fd, family int, dual bool, ap netip.AddrPort) error {
	if family == unix.AF_INET6 {
		v6only := 1
		if dual {
			v6only = 0
		}
		unix.SetsockoptInt(fd, unix.IPPROTO_IPV6, unix.IPV6_V6ONLY, v6only)
	}
	if !ap.Addr().IsValid() {
		unspec := netip.IPv4Unspecified()
		if family == unix.AF_INET6 {
			unspec = netip.IPv6Unspecified()
		}
		ap = netip.AddrPortFrom(unspec, ap.Port())
	}
	if err := unix.Bind(fd, addrPortToSockaddr(ap, family)); err != nil {
		return os.NewSyscallError("bind", err)
	}
	return nil
}
