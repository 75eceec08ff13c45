package reactor

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"sync/atomic"
	"syscall"

	"github.com/braid-net/braid"
)

// pudp is a datagram socket of the portable driver, with a reader goroutine
// that hands each datagram to the loop and waits for it to be consumed.
type pudp struct {
	d         *portableDriver
	uc        *net.UDPConn
	v6        bool
	proto     braid.DatagramProtocol
	maxPacket int
	peer      netip.AddrPort
	connected bool
	inKernel  bool // connected in the kernel too: refusals are reported
	closed    bool
	refuser   braid.ConnectionRefuser

	paused   atomic.Bool
	held     []byte
	heldFrom netip.AddrPort
	ack      chan struct{}
	stop     chan struct{}
}

var _ braid.DatagramTransport = (*pudp)(nil)

func (r *Reactor) listenDatagramPortable(network, address string, p braid.DatagramProtocol, cfg *braid.DatagramConfig) (braid.DatagramTransport, error) {
	if cfg == nil {
		cfg = &braid.DatagramConfig{}
	}
	ua, err := net.ResolveUDPAddr(network, address)
	if err != nil {
		return nil, fmt.Errorf("reactor: listen %s %s: %w", network, address, err)
	}
	uc, err := net.ListenUDP(network, ua)
	if err != nil {
		return nil, fmt.Errorf("reactor: listen %s %s: %w", network, address, err)
	}
	la := uc.LocalAddr().(*net.UDPAddr)
	u := &pudp{
		uc: uc, proto: p, maxPacket: cfg.MaxPacketSize,
		v6:  network == "udp6" || la.IP.To4() == nil,
		ack: make(chan struct{}, 1), stop: make(chan struct{}),
	}
	if u.maxPacket <= 0 || u.maxPacket > 65535 {
		u.maxPacket = 65535
	}
	l := r.pick()
	u.d = l.io.(*portableDriver)
	u.refuser, _ = p.(braid.ConnectionRefuser)
	if err := l.exec(u.start); err != nil {
		uc.Close()
		return nil, err
	}
	return u, nil
}

func (u *pudp) start() {
	if u.d.draining {
		u.closed = true
		u.uc.Close()
		return
	}
	u.d.closers[u] = struct{}{}
	u.d.wg.Add(1)
	go u.readLoop()
	u.d.l.safeCall("StartProtocol", func() { u.proto.StartProtocol(u) })
}

func (u *pudp) readLoop() {
	defer u.d.wg.Done()
	buf := make([]byte, u.maxPacket+1)
	for {
		n, from, err := u.uc.ReadFromUDPAddrPort(buf)
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			if errors.Is(err, syscall.ECONNREFUSED) {
				if u.d.l.CallFromGoroutine(u.refused) != nil {
					return
				}
			}
			continue
		}
		if n > u.maxPacket {
			u.d.l.CallFromGoroutine(func() {
				u.d.l.r.log.Warn("reactor: datagram larger than MaxPacketSize dropped", "max", u.maxPacket)
			})
			continue
		}
		p := buf[:n]
		if from.Addr().Is4In6() {
			from = netip.AddrPortFrom(from.Addr().Unmap(), from.Port())
		}
		if u.d.l.CallFromGoroutine(func() { u.deliver(p, from) }) != nil {
			return
		}
		select {
		case <-u.ack:
		case <-u.stop:
			return
		}
	}
}

func (u *pudp) deliver(p []byte, from netip.AddrPort) {
	if u.closed {
		return
	}
	if u.connected && from != u.peer {
		u.ack <- struct{}{}
		return
	}
	if u.paused.Load() {
		u.held, u.heldFrom = p, from
		return
	}
	u.d.l.safeCall("DatagramReceived", func() { u.proto.DatagramReceived(p, from) })
	u.ack <- struct{}{}
}

func (u *pudp) refused() {
	if !u.closed && u.refuser != nil {
		u.d.l.safeCall("ConnectionRefused", u.refuser.ConnectionRefused)
	}
}

func (u *pudp) WriteTo(p []byte, addr netip.AddrPort) error {
	if u.closed {
		return braid.ErrClosed
	}
	_, err := u.uc.WriteToUDPAddrPort(p, addr)
	return err
}

// Write sends to the peer fixed by Connect. Where the socket could be
// connected in the kernel, an ICMP refusal is reported to a
// ConnectionRefuser; elsewhere the peer is only remembered.
func (u *pudp) Write(p []byte) error {
	if !u.connected {
		return errors.New("reactor: datagram socket not connected")
	}
	if !u.inKernel {
		return u.WriteTo(p, u.peer)
	}
	if u.closed {
		return braid.ErrClosed
	}
	_, err := u.uc.Write(p)
	if errors.Is(err, syscall.ECONNREFUSED) {
		u.refused()
	}
	return err
}

func (u *pudp) Connect(addr netip.AddrPort) error {
	if u.closed {
		return braid.ErrClosed
	}
	inKernel, err := udpConnect(u.uc, u.v6, addr)
	if err != nil {
		return err
	}
	u.peer, u.connected, u.inKernel = addr, true, inKernel
	return nil
}

func (u *pudp) LocalAddr() net.Addr { return u.uc.LocalAddr() }

func (u *pudp) SetBroadcast(on bool) error {
	return udpSockopt(u.uc, u.v6, func(c *udpConn) error { return c.SetBroadcast(on) })
}

func (u *pudp) JoinGroup(group netip.Addr, iface string) error {
	return udpSockopt(u.uc, u.v6, func(c *udpConn) error { return c.JoinGroup(group, iface) })
}

func (u *pudp) LeaveGroup(group netip.Addr, iface string) error {
	return udpSockopt(u.uc, u.v6, func(c *udpConn) error { return c.LeaveGroup(group, iface) })
}

func (u *pudp) SetMulticastTTL(ttl int) error {
	return udpSockopt(u.uc, u.v6, func(c *udpConn) error { return c.SetMulticastTTL(ttl) })
}

func (u *pudp) SetMulticastLoopback(on bool) error {
	return udpSockopt(u.uc, u.v6, func(c *udpConn) error { return c.SetMulticastLoopback(on) })
}

func (u *pudp) PauseProducing() { u.paused.Store(true) }

func (u *pudp) ResumeProducing() {
	u.paused.Store(false)
	if p := u.held; p != nil && !u.closed {
		from := u.heldFrom
		u.held = nil
		u.d.l.safeCall("DatagramReceived", func() { u.proto.DatagramReceived(p, from) })
		u.ack <- struct{}{}
	}
}

func (u *pudp) Close() error {
	u.shutdown()
	return nil
}

func (u *pudp) shutdown() {
	if u.closed {
		return
	}
	u.closed = true
	u.uc.Close()
	close(u.stop)
	delete(u.d.closers, u)
	u.d.l.CallSoon(func() { u.d.l.safeCall("StopProtocol", u.proto.StopProtocol) })
}

func (u *pudp) Loop() braid.Loop { return u.d.l }
