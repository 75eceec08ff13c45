package braidtest

import (
	"fmt"
	"net"

	"github.com/braid-net/braid"
)

// This file holds the records of MemoryReactor's Listen, Connect and Adopt
// calls and the methods a test drives them with.

// ListenCall records one Listen or AdoptListener call. It is also the
// braid.Listener returned to the caller.
type ListenCall struct {
	Network, Address string
	Factory          braid.Factory
	Config           *braid.ListenConfig // nil if the caller passed nil
	FD               uintptr             // the descriptor, for AdoptListener
	Adopted          bool

	r      *MemoryReactor
	addr   net.Addr
	closed bool
}

// Listen records the call and returns a listener whose address has a made-up
// port when address asks for port 0. It fails with ListenErr if set.
func (r *MemoryReactor) Listen(network, address string, f braid.Factory, cfg *braid.ListenConfig) (braid.Listener, error) {
	if err := r.ListenErr; err != nil {
		return nil, err
	}
	l := &ListenCall{Network: network, Address: address, Factory: f, Config: cfg, r: r, addr: r.addr(network, address)}
	r.Listens = append(r.Listens, l)
	braid.StartFactory(f)
	return l, nil
}

// AdoptListener records the call like Listen, with FD set.
func (r *MemoryReactor) AdoptListener(fd uintptr, f braid.Factory) (braid.Listener, error) {
	if err := r.AdoptErr; err != nil {
		return nil, err
	}
	l := &ListenCall{Network: "tcp", Factory: f, FD: fd, Adopted: true, r: r, addr: r.addr("tcp", "127.0.0.1:0")}
	r.Listens = append(r.Listens, l)
	braid.StartFactory(f)
	return l, nil
}

// Addr returns the listening address.
func (l *ListenCall) Addr() net.Addr { return l.addr }

// Close stops the listener; connections already accepted go on.
func (l *ListenCall) Close() error {
	if l.closed {
		return nil
	}
	l.closed = true
	braid.StopFactory(l.Factory)
	return nil
}

// Closed reports whether Close was called.
func (l *ListenCall) Closed() bool { return l.closed }

// Accept simulates an incoming connection from remote (nil for a default
// address): the factory builds a protocol, which is connected to a new
// StringTransport on the reactor's loop. It returns nil, nil if the factory
// refused. Accepting on a closed listener is a bug in the test and panics.
func (l *ListenCall) Accept(remote net.Addr) (braid.Protocol, *StringTransport) {
	if l.closed {
		panic(fmt.Sprintf("braidtest: Accept on closed listener %s", l.addr))
	}
	if remote == nil {
		remote = &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 40000 + len(l.r.live)}
	}
	p := l.Factory.BuildProtocol(remote)
	if p == nil {
		return nil, nil
	}
	t := l.r.newTransport(l.addr, remote, nil)
	t.MakeConnection(p)
	return p, t
}

// ConnectCall records one Connect call. It is also the braid.Connector
// returned to the caller, so the factory sees it in its notifications, and a
// test drives each attempt with Succeed or Fail.
type ConnectCall struct {
	Network, Address string
	Factory          braid.ClientFactory
	Config           *braid.ConnectConfig // nil if the caller passed nil
	// Attempts counts the attempts started: 1 after Reactor.Connect, one
	// more for each Connector.Connect while idle.
	Attempts int

	r          *MemoryReactor
	dest       net.Addr
	connecting bool
	transport  *StringTransport
}

// Connect records the call and starts an attempt, which stays in progress
// until the test calls Succeed or Fail.
func (r *MemoryReactor) Connect(network, address string, f braid.ClientFactory, cfg *braid.ConnectConfig) braid.Connector {
	c := &ConnectCall{Network: network, Address: address, Factory: f, Config: cfg, r: r, dest: r.addr(network, address)}
	r.Connects = append(r.Connects, c)
	c.Connect()
	return c
}

// Connect starts a new attempt unless one is in progress or connected.
func (c *ConnectCall) Connect() {
	if c.connecting || c.transport != nil {
		return
	}
	c.connecting = true
	c.Attempts++
	braid.StartFactory(c.Factory)
}

// StopConnecting cancels the attempt in progress; the factory hears
// ClientConnectionFailed with a reason matching braid.ErrConnectionAborted.
func (c *ConnectCall) StopConnecting() {
	if c.connecting {
		c.Fail(braid.Aborted(nil))
	}
}

// Disconnect cancels the attempt in progress or closes the connection.
func (c *ConnectCall) Disconnect() {
	if c.connecting {
		c.StopConnecting()
		return
	}
	if c.transport != nil {
		_ = c.transport.Close()
	}
}

// Destination returns the address being connected to.
func (c *ConnectCall) Destination() net.Addr { return c.dest }

// Connecting reports whether an attempt is in progress.
func (c *ConnectCall) Connecting() bool { return c.connecting }

// Transport returns the transport of the current connection, or nil.
func (c *ConnectCall) Transport() *StringTransport { return c.transport }

// Succeed completes the attempt in progress: the factory builds a protocol,
// which is connected to a new StringTransport. When the connection is lost,
// the factory hears ClientConnectionLost after the protocol's
// ConnectionLost. If the factory refuses (nil protocol), it hears
// ClientConnectionFailed with braid.ErrRefused and Succeed returns nil, nil.
// Succeed without an attempt in progress is a bug in the test and panics.
func (c *ConnectCall) Succeed() (braid.Protocol, *StringTransport) {
	if !c.connecting {
		panic(fmt.Sprintf("braidtest: Succeed with no attempt in progress to %s", c.dest))
	}
	local := &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 50000 + c.Attempts}
	p := c.Factory.BuildProtocol(c.dest)
	if p == nil {
		c.Fail(braid.ErrRefused)
		return nil, nil
	}
	c.connecting = false
	var t *StringTransport
	t = c.r.newTransport(local, c.dest, func(reason error) {
		if c.transport == t {
			c.transport = nil
		}
		c.Factory.ClientConnectionLost(c, reason)
		braid.StopFactory(c.Factory)
	})
	c.transport = t
	t.MakeConnection(p)
	return p, t
}

// SucceedTo completes the attempt in progress by connecting it, in memory,
// to a connection accepted on l: both factories build their protocols,
// joined by a Pump on the reactor's clock (cfg may be nil; its Clock and
// addresses are set here). The factory hears of the end as with Succeed.
// If l's factory refuses, the attempt fails with an error matching
// braid.ErrConnectionLost and braid.ErrRefused, and SucceedTo returns nil.
func (c *ConnectCall) SucceedTo(l *ListenCall, cfg *PumpConfig) *Pump {
	if !c.connecting {
		panic(fmt.Sprintf("braidtest: SucceedTo with no attempt in progress to %s", c.dest))
	}
	if l.closed {
		panic(fmt.Sprintf("braidtest: SucceedTo a closed listener %s", l.addr))
	}
	local := &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 50000 + c.Attempts}
	sp := l.Factory.BuildProtocol(local)
	if sp == nil {
		c.Fail(braid.Lost(braid.ErrRefused))
		return nil
	}
	cp := c.Factory.BuildProtocol(l.addr)
	if cp == nil {
		c.Fail(braid.ErrRefused)
		return nil
	}
	c.connecting = false
	var pc PumpConfig
	if cfg != nil {
		pc = *cfg
	}
	pc.Clock, pc.ClientAddr, pc.ServerAddr = c.r.Clock, local, l.addr
	p := ConnectWith(cp, sp, &pc)
	r := c.r
	for _, t := range []*StringTransport{p.Client, p.Server} {
		r.live[t] = struct{}{}
	}
	p.Server.onLost = func(error) { delete(r.live, p.Server) }
	p.Client.onLost = func(reason error) {
		delete(r.live, p.Client)
		if c.transport == p.Client {
			c.transport = nil
		}
		c.Factory.ClientConnectionLost(c, reason)
		braid.StopFactory(c.Factory)
	}
	c.transport = p.Client
	return p
}

// Fail ends the attempt in progress with reason: the factory hears
// ClientConnectionFailed. Fail without an attempt in progress panics.
func (c *ConnectCall) Fail(reason error) {
	if !c.connecting {
		panic(fmt.Sprintf("braidtest: Fail with no attempt in progress to %s", c.dest))
	}
	c.connecting = false
	c.Factory.ClientConnectionFailed(c, reason)
	braid.StopFactory(c.Factory)
}

// AdoptCall records one AdoptConnection call and the connection made of it.
type AdoptCall struct {
	FD        uintptr
	Factory   braid.Factory
	Protocol  braid.Protocol   // nil if the factory refused
	Transport *StringTransport // nil if the factory refused
}

// AdoptConnection records the call and connects a protocol built by f to a
// new StringTransport at once. It fails with AdoptErr if set, and with
// braid.ErrRefused if f refuses.
func (r *MemoryReactor) AdoptConnection(fd uintptr, f braid.Factory) error {
	if err := r.AdoptErr; err != nil {
		return err
	}
	a := &AdoptCall{FD: fd, Factory: f}
	r.AdoptedConns = append(r.AdoptedConns, a)
	local := r.addr("tcp", "127.0.0.1:0")
	remote := &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 40000}
	p := f.BuildProtocol(remote)
	if p == nil {
		return braid.ErrRefused
	}
	a.Protocol = p
	a.Transport = r.newTransport(local, remote, nil)
	a.Transport.MakeConnection(p)
	return nil
}
