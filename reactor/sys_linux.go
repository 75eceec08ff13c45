//go:build linux

package reactor

import (
	"net"
	"net/netip"
	"unsafe"

	"golang.org/x/sys/unix"
)

const nativeKind = KindEpoll

func sysSocket(family, typ, proto int) (int, error) {
	return unix.Socket(family, typ|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, proto)
}

func setKeepAlivePeriod(fd, secs int) error {
	if err := unix.SetsockoptInt(fd, unix.IPPROTO_TCP, unix.TCP_KEEPIDLE, secs); err != nil {
		return err
	}
	return unix.SetsockoptInt(fd, unix.IPPROTO_TCP, unix.TCP_KEEPINTVL, secs)
}

// acceptAddr accepts a connection on the listening socket fd and returns it
// with its peer's address. The address is read into rsa, which the listener
// keeps and reuses: unix.Accept4 would allocate a RawSockaddrAny and a
// Sockaddr for every connection, garbage that at ten thousand connections
// accepted in a burst is most of what the heap grows by.
func acceptAddr(fd int, rsa *unix.RawSockaddrAny, isUnix bool) (int, net.Addr, error) {
	n := uint32(unix.SizeofSockaddrAny)
	nfd, _, e := unix.Syscall6(unix.SYS_ACCEPT4, uintptr(fd), uintptr(unsafe.Pointer(rsa)),
		uintptr(unsafe.Pointer(&n)), unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, 0, 0)
	if e != 0 {
		return -1, nil, e
	}
	return int(nfd), rawToAddr(rsa, n, isUnix), nil
}

// rawToAddr converts the n bytes of address in rsa, as sockaddrToAddr
// converts a unix.Sockaddr.
func rawToAddr(rsa *unix.RawSockaddrAny, n uint32, isUnix bool) net.Addr {
	switch rsa.Addr.Family {
	case unix.AF_INET:
		p := (*unix.RawSockaddrInet4)(unsafe.Pointer(rsa))
		return &net.TCPAddr{IP: net.IP(append([]byte(nil), p.Addr[:]...)), Port: netPort(&p.Port)}
	case unix.AF_INET6:
		p := (*unix.RawSockaddrInet6)(unsafe.Pointer(rsa))
		ip := netip.AddrFrom16(p.Addr)
		return net.TCPAddrFromAddrPort(netip.AddrPortFrom(ip.Unmap().WithZone(zoneName(p.Scope_id)), uint16(netPort(&p.Port))))
	case unix.AF_UNIX:
		p := (*unix.RawSockaddrUnix)(unsafe.Pointer(rsa))
		off := uint32(unsafe.Offsetof(p.Path))
		if n <= off {
			return &net.UnixAddr{Net: "unix"}
		}
		path := unsafe.Slice((*byte)(unsafe.Pointer(&p.Path[0])), min(int(n-off), len(p.Path)))
		if path[0] == 0 {
			// An abstract address, named with a leading '@' as Go does.
			return &net.UnixAddr{Name: "@" + string(trimNUL(path[1:])), Net: "unix"}
		}
		return &net.UnixAddr{Name: string(trimNUL(path)), Net: "unix"}
	}
	if isUnix {
		return &net.UnixAddr{Net: "unix"}
	}
	return nil
}

// netPort reads a port stored in network byte order.
func netPort(p *uint16) int {
	b := (*[2]byte)(unsafe.Pointer(p))
	return int(b[0])<<8 | int(b[1])
}

func trimNUL(b []byte) []byte {
	for i, c := range b {
		if c == 0 {
			return b[:i]
		}
	}
	return b
}
