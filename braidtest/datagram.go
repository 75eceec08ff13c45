package braidtest

import (
	"net"
	"net/netip"

	"github.com/braid-net/braid"
)

// DatagramCall records one ListenDatagram call.
type DatagramCall struct {
	Network, Address string
	Protocol         braid.DatagramProtocol
	Config           *braid.DatagramConfig // nil if the caller passed nil
	Transport        *DatagramTransport
}

// ListenDatagram records the call and starts p on a new DatagramTransport at
// once. It fails with DatagramErr if set.
func (r *MemoryReactor) ListenDatagram(network, address string, p braid.DatagramProtocol, cfg *braid.DatagramConfig) (braid.DatagramTransport, error) {
	if err := r.DatagramErr; err != nil {
		return nil, err
	}
	t := NewDatagramTransport(r, r.addr(network, address))
	r.Datagrams = append(r.Datagrams, &DatagramCall{Network: network, Address: address, Protocol: p, Config: cfg, Transport: t})
	t.Start(p)
	return t, nil
}

// Datagram is one datagram sent through a DatagramTransport.
type Datagram struct {
	Data []byte
	To   netip.AddrPort // the zero AddrPort for Write on a connected socket
}

// DatagramTransport is a braid.DatagramTransport for tests: it records what
// is sent, and Deliver plays a datagram from a peer. Not safe for concurrent
// use.
type DatagramTransport struct {
	// Sent holds every datagram written, oldest first; a test may reset it.
	Sent []Datagram

	loop      braid.Loop
	local     net.Addr
	proto     braid.DatagramProtocol
	peer      netip.AddrPort
	paused    bool
	closed    bool
	broadcast bool
	groups    map[netip.Addr]string
	ttl       int
	loopback  bool
}

// NewDatagramTransport returns a transport bound to local on loop.
func NewDatagramTransport(loop braid.Loop, local net.Addr) *DatagramTransport {
	return &DatagramTransport{loop: loop, local: local, groups: map[netip.Addr]string{}, ttl: 1, loopback: true}
}

// Start attaches p and calls p.StartProtocol(t).
func (t *DatagramTransport) Start(p braid.DatagramProtocol) {
	t.proto = p
	p.StartProtocol(t)
}

// Deliver hands the protocol a datagram from from. It does nothing while
// reading is paused, after Close, or when the socket is connected to
// another peer, as a real socket would drop it.
func (t *DatagramTransport) Deliver(p []byte, from netip.AddrPort) {
	if t.closed || t.paused || t.proto == nil || (t.peer.IsValid() && from != t.peer) {
		return
	}
	buf := append([]byte(nil), p...)
	t.proto.DatagramReceived(buf, from)
	for i := range buf {
		buf[i] = 0xA5
	}
}

// Refuse tells a connected protocol that implements braid.ConnectionRefuser
// that the peer answered with ICMP port unreachable.
func (t *DatagramTransport) Refuse() {
	if cr, ok := t.proto.(braid.ConnectionRefuser); ok && !t.closed {
		cr.ConnectionRefused()
	}
}

// WriteTo records a datagram to addr.
func (t *DatagramTransport) WriteTo(p []byte, addr netip.AddrPort) error {
	if t.closed {
		return braid.ErrClosed
	}
	t.Sent = append(t.Sent, Datagram{Data: append([]byte(nil), p...), To: addr})
	return nil
}

// Write records a datagram to the connected peer.
func (t *DatagramTransport) Write(p []byte) error {
	if !t.peer.IsValid() {
		return braid.ErrNotSupported
	}
	return t.WriteTo(p, t.peer)
}

// Connect fixes the peer.
func (t *DatagramTransport) Connect(addr netip.AddrPort) error {
	if t.closed {
		return braid.ErrClosed
	}
	t.peer = addr
	return nil
}

// Peer returns the connected peer, if any.
func (t *DatagramTransport) Peer() netip.AddrPort { return t.peer }

// LocalAddr returns the bound address.
func (t *DatagramTransport) LocalAddr() net.Addr { return t.local }

// SetBroadcast records on.
func (t *DatagramTransport) SetBroadcast(on bool) error { t.broadcast = on; return nil }

// Broadcast reports the last SetBroadcast value.
func (t *DatagramTransport) Broadcast() bool { return t.broadcast }

// JoinGroup records group as joined on iface.
func (t *DatagramTransport) JoinGroup(group netip.Addr, iface string) error {
	if !group.IsMulticast() {
		return braid.ErrNotSupported
	}
	t.groups[group] = iface
	return nil
}

// LeaveGroup forgets group.
func (t *DatagramTransport) LeaveGroup(group netip.Addr, iface string) error {
	delete(t.groups, group)
	return nil
}

// Groups returns the joined multicast groups and their interfaces.
func (t *DatagramTransport) Groups() map[netip.Addr]string { return t.groups }

// SetMulticastTTL records ttl.
func (t *DatagramTransport) SetMulticastTTL(ttl int) error { t.ttl = ttl; return nil }

// SetMulticastLoopback records on.
func (t *DatagramTransport) SetMulticastLoopback(on bool) error { t.loopback = on; return nil }

// PauseProducing stops delivery: Deliver drops datagrams until
// ResumeProducing, as a socket whose buffer overflows would.
func (t *DatagramTransport) PauseProducing() { t.paused = true }

// ResumeProducing restarts delivery.
func (t *DatagramTransport) ResumeProducing() { t.paused = false }

// Close closes the transport and calls StopProtocol.
func (t *DatagramTransport) Close() error {
	if t.closed {
		return nil
	}
	t.closed = true
	if t.proto != nil {
		t.proto.StopProtocol()
	}
	return nil
}

// Closed reports whether Close was called.
func (t *DatagramTransport) Closed() bool { return t.closed }

// Loop returns the transport's loop.
func (t *DatagramTransport) Loop() braid.Loop { return t.loop }

var _ braid.DatagramTransport = (*DatagramTransport)(nil)
