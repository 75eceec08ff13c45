//go:build linux || darwin || freebsd

package reactor

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"

	"github.com/braid-net/braid"
	"github.com/braid-net/braid/internal/poll"
	"golang.org/x/sys/unix"
)

// datagramsPerEvent bounds the datagrams one readiness event reads, for
// fairness with the loop's other work.
const datagramsPerEvent = 64

// udpConn is a datagram socket on the poll driver.
type udpConn struct {
	d         *pollDriver
	fd        int
	family    int
	proto     braid.DatagramProtocol
	refuser   braid.ConnectionRefuser
	laddr     net.Addr
	maxPacket int
	connected bool
	paused    bool
	closed    bool
	peer      unix.Sockaddr
}

var _ braid.DatagramTransport = (*udpConn)(nil)

func (r *Reactor) listenDatagramPoll(network, address string, p braid.DatagramProtocol, cfg *braid.DatagramConfig) (braid.DatagramTransport, error) {
	if cfg == nil {
		cfg = &braid.DatagramConfig{}
	}
	fail := func(err error) (braid.DatagramTransport, error) {
		return nil, fmt.Errorf("reactor: listen %s %s: %w", network, address, err)
	}
	if network != "udp" && network != "udp4" && network != "udp6" {
		return fail(braid.ErrNotSupported)
	}
	ua, err := net.ResolveUDPAddr(network, address)
	if err != nil {
		return fail(err)
	}
	family := unix.AF_INET6
	dual := false
	switch {
	case network == "udp4" || (ua.IP != nil && ua.IP.To4() != nil && network != "udp6"):
		family = unix.AF_INET
	case network == "udp" && ua.IP == nil:
		dual = true
	}
	fd, err := newSocket(family, unix.SOCK_DGRAM)
	if err != nil && dual {
		family, dual = unix.AF_INET, false
		fd, err = newSocket(family, unix.SOCK_DGRAM)
	}
	if err != nil {
		return fail(err)
	}
	if cfg.ReusePort {
		unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_REUSEADDR, 1)
		unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_REUSEPORT, 1)
	}
	if err := bindIP(fd, family, dual, ua.AddrPort()); err != nil {
		unix.Close(fd)
		return fail(err)
	}
	sa, err := unix.Getsockname(fd)
	if err != nil {
		unix.Close(fd)
		return fail(os.NewSyscallError("getsockname", err))
	}
	u := &udpConn{fd: fd, family: family, proto: p, maxPacket: cfg.MaxPacketSize}
	if u.maxPacket <= 0 || u.maxPacket > 65535 {
		u.maxPacket = 65535
	}
	u.refuser, _ = p.(braid.ConnectionRefuser)
	u.laddr = net.UDPAddrFromAddrPort(sockaddrToAddrPort(sa))
	l := r.pick()
	u.d = l.io.(*pollDriver)
	if err := l.exec(u.start); err != nil {
		unix.Close(fd)
		return fail(err)
	}
	return u, nil
}

func (u *udpConn) start() {
	if u.d.draining {
		u.closed = true
		unix.Close(u.fd)
		return
	}
	if err := u.d.add(u.fd, poll.Read, u); err != nil {
		u.d.l.r.log.Error("reactor: cannot poll datagram socket", "err", err)
	}
	u.d.closers[u] = struct{}{}
	u.d.l.safeCall("StartProtocol", func() { u.proto.StartProtocol(u) })
}

// datagramBuf returns n bytes to receive datagrams into: the loop's read
// buffer when it is that large, otherwise a buffer kept for datagrams, so
// that a small Config.ReadBufferSize never cuts a datagram short.
func (d *pollDriver) datagramBuf(n int) []byte {
	if len(d.readBuf) >= n {
		return d.readBuf[:n]
	}
	if len(d.dgramBuf) < n {
		d.dgramBuf = make([]byte, n)
	}
	return d.dgramBuf[:n]
}

func (u *udpConn) handle(ev poll.Event) {
	buf := u.d.datagramBuf(u.maxPacket + 1)
	for i := 0; i < datagramsPerEvent && !u.closed && !u.paused; i++ {
		n, from, err := unix.Recvfrom(u.fd, buf, 0)
		switch {
		case err == unix.EAGAIN:
			return
		case err == unix.EINTR:
			continue
		case err == unix.ECONNREFUSED:
			if u.refuser != nil {
				u.d.l.safeCall("ConnectionRefused", u.refuser.ConnectionRefused)
			}
			continue
		case err != nil:
			u.d.l.r.log.Warn("reactor: datagram read failed", "addr", u.laddr.String(), "err", err)
			return
		}
		if n > u.maxPacket {
			// Limits end with a clear report, never a silent cut.
			u.d.l.r.log.Warn("reactor: datagram larger than MaxPacketSize dropped",
				"addr", u.laddr.String(), "max", u.maxPacket)
			continue
		}
		ap := sockaddrToAddrPort(from)
		u.d.l.safeCall("DatagramReceived", func() { u.proto.DatagramReceived(buf[:n], ap) })
	}
}

func (u *udpConn) sockaddr(addr netip.AddrPort) (unix.Sockaddr, error) {
	if u.family == unix.AF_INET && !addr.Addr().Unmap().Is4() {
		return nil, fmt.Errorf("reactor: %v is not an IPv4 address", addr)
	}
	return addrPortToSockaddr(addr, u.family), nil
}

// WriteTo sends one datagram to addr. A full socket buffer is an error
// (EAGAIN): datagrams are not queued.
func (u *udpConn) WriteTo(p []byte, addr netip.AddrPort) error {
	if u.closed {
		return braid.ErrClosed
	}
	sa, err := u.sockaddr(addr)
	if err != nil {
		return err
	}
	if err := unix.Sendto(u.fd, p, 0, sa); err != nil {
		return os.NewSyscallError("sendto", err)
	}
	return nil
}

// Write sends one datagram to the connected peer.
func (u *udpConn) Write(p []byte) error {
	if u.closed {
		return braid.ErrClosed
	}
	if !u.connected {
		return errors.New("reactor: datagram socket not connected")
	}
	if _, err := unix.Write(u.fd, p); err != nil {
		if err == unix.ECONNREFUSED && u.refuser != nil {
			u.d.l.safeCall("ConnectionRefused", u.refuser.ConnectionRefused)
		}
		return os.NewSyscallError("write", err)
	}
	return nil
}

func (u *udpConn) Connect(addr netip.AddrPort) error {
	if u.closed {
		return braid.ErrClosed
	}
	sa, err := u.sockaddr(addr)
	if err != nil {
		return err
	}
	if err := unix.Connect(u.fd, sa); err != nil {
		return os.NewSyscallError("connect", err)
	}
	u.connected = true
	u.peer = sa
	return nil
}

func (u *udpConn) LocalAddr() net.Addr { return u.laddr }

func boolInt(on bool) int {
	if on {
		return 1
	}
	return 0
}

func (u *udpConn) SetBroadcast(on bool) error {
	return os.NewSyscallError("setsockopt", unix.SetsockoptInt(u.fd, unix.SOL_SOCKET, unix.SO_BROADCAST, boolInt(on)))
}

func (u *udpConn) JoinGroup(group netip.Addr, iface string) error {
	return u.membership(group, iface, true)
}

func (u *udpConn) LeaveGroup(group netip.Addr, iface string) error {
	return u.membership(group, iface, false)
}

func (u *udpConn) membership(group netip.Addr, iface string, join bool) error {
	if !group.IsMulticast() {
		return fmt.Errorf("reactor: %v is not a multicast group", group)
	}
	var ifi *net.Interface
	if iface != "" {
		var err error
		if ifi, err = net.InterfaceByName(iface); err != nil {
			return err
		}
	}
	g := group.Unmap()
	if g.Is4() {
		mreq := &unix.IPMreq{Multiaddr: g.As4()}
		if ifi != nil {
			addrs, _ := ifi.Addrs()
			for _, a := range addrs {
				if ipn, ok := a.(*net.IPNet); ok && ipn.IP.To4() != nil {
					copy(mreq.Interface[:], ipn.IP.To4())
					break
				}
			}
		}
		opt := unix.IP_ADD_MEMBERSHIP
		if !join {
			opt = unix.IP_DROP_MEMBERSHIP
		}
		return os.NewSyscallError("setsockopt", unix.SetsockoptIPMreq(u.fd, unix.IPPROTO_IP, opt, mreq))
	}
	mreq := &unix.IPv6Mreq{Multiaddr: g.As16()}
	if ifi != nil {
		mreq.Interface = uint32(ifi.Index)
	}
	opt := unix.IPV6_JOIN_GROUP
	if !join {
		opt = unix.IPV6_LEAVE_GROUP
	}
	return os.NewSyscallError("setsockopt", unix.SetsockoptIPv6Mreq(u.fd, unix.IPPROTO_IPV6, opt, mreq))
}

func (u *udpConn) SetMulticastTTL(ttl int) error {
	if u.family == unix.AF_INET6 {
		return os.NewSyscallError("setsockopt", unix.SetsockoptInt(u.fd, unix.IPPROTO_IPV6, unix.IPV6_MULTICAST_HOPS, ttl))
	}
	return os.NewSyscallError("setsockopt", unix.SetsockoptByte(u.fd, unix.IPPROTO_IP, unix.IP_MULTICAST_TTL, byte(ttl)))
}

func (u *udpConn) SetMulticastLoopback(on bool) error {
	if u.family == unix.AF_INET6 {
		return os.NewSyscallError("setsockopt", unix.SetsockoptInt(u.fd, unix.IPPROTO_IPV6, unix.IPV6_MULTICAST_LOOP, boolInt(on)))
	}
	return os.NewSyscallError("setsockopt", unix.SetsockoptByte(u.fd, unix.IPPROTO_IP, unix.IP_MULTICAST_LOOP, byte(boolInt(on))))
}

func (u *udpConn) PauseProducing() {
	if u.closed || u.paused {
		return
	}
	u.paused = true
	u.d.poller.Modify(u.fd, poll.Read, 0)
}

func (u *udpConn) ResumeProducing() {
	if u.closed || !u.paused {
		return
	}
	u.paused = false
	u.d.poller.Modify(u.fd, 0, poll.Read)
}

// Close closes the socket; StopProtocol follows on the next turn.
func (u *udpConn) Close() error {
	if u.closed {
		return nil
	}
	u.shutdown()
	return nil
}

func (u *udpConn) shutdown() {
	if u.closed {
		return
	}
	u.closed = true
	in := poll.Read
	if u.paused {
		in = 0
	}
	u.d.remove(u.fd, in)
	delete(u.d.closers, u)
	unix.Close(u.fd)
	u.d.l.CallSoon(func() { u.d.l.safeCall("StopProtocol", u.proto.StopProtocol) })
}

func (u *udpConn) Loop() braid.Loop { return u.d.l }
