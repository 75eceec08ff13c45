package policies

import (
	"net"
	"net/netip"
	"sync"
	"sync/atomic"

	"github.com/braid-net/braid"
)

// Limit wraps f so that at most max connections built by it are open at
// once. A connection over the limit gets a protocol from overflow instead
// (for example Reply("busy\r\n")), or is refused if overflow is nil.
//
// Loops build protocols in parallel, so the count is atomic; it goes down
// when a wrapped connection's ConnectionLost runs.
func Limit(f braid.Factory, max int, overflow braid.Factory) *LimitFactory {
	l := &LimitFactory{max: int64(max), overflow: overflow}
	l.Factory = wrapFactory(f, l.wrap)
	return l
}

// LimitFactory is the factory returned by Limit.
type LimitFactory struct {
	braid.Factory
	max      int64
	n        atomic.Int64
	overflow braid.Factory
}

// StartFactory passes the start on to the wrapped factory.
func (l *LimitFactory) StartFactory() { braid.StartFactory(l.Factory) }

// StopFactory passes the stop on to the wrapped factory.
func (l *LimitFactory) StopFactory() { braid.StopFactory(l.Factory) }

// Open reports how many connections are open under the limit.
func (l *LimitFactory) Open() int { return int(l.n.Load()) }

// BuildProtocol builds the wrapped protocol while under the limit and the
// overflow protocol (or nil) above it.
func (l *LimitFactory) BuildProtocol(remote net.Addr) braid.Protocol {
	if l.n.Add(1) > l.max {
		l.n.Add(-1)
		return overflowProtocol(l.overflow, remote)
	}
	p := l.Factory.BuildProtocol(remote)
	if p == nil {
		l.n.Add(-1)
	}
	return p
}

func (l *LimitFactory) wrap(p braid.Protocol, _ net.Addr) braid.Protocol {
	return &counted{conn: conn{inner: p}, done: func() { l.n.Add(-1) }}
}

func overflowProtocol(f braid.Factory, remote net.Addr) braid.Protocol {
	if f == nil {
		return nil
	}
	return f.BuildProtocol(remote)
}

// counted calls done once when its connection ends.
type counted struct {
	conn
	done func()
}

func (c *counted) ConnectionMade(t braid.Transport) {
	c.Transport = t
	c.inner.ConnectionMade(c)
}

func (c *counted) DataReceived(p []byte) { c.inner.DataReceived(p) }

func (c *counted) ConnectionLost(reason error) {
	if c.done != nil {
		c.done()
		c.done = nil
	}
	c.lost(reason)
}

// PerPeer wraps f so that one peer address (the IP, without the port) has at
// most max connections open at once; connections over the limit get a
// protocol from overflow, or are refused if overflow is nil. Addresses that
// are not IP (Unix sockets) count as one peer.
func PerPeer(f braid.Factory, max int, overflow braid.Factory) *PerPeerFactory {
	l := &PerPeerFactory{max: max, overflow: overflow, open: map[netip.Addr]int{}}
	l.Factory = wrapFactory(f, l.wrap)
	return l
}

// PerPeerFactory is the factory returned by PerPeer.
type PerPeerFactory struct {
	braid.Factory
	max      int
	overflow braid.Factory
	mu       sync.Mutex // loops build protocols in parallel
	open     map[netip.Addr]int
}

// StartFactory passes the start on to the wrapped factory.
func (l *PerPeerFactory) StartFactory() { braid.StartFactory(l.Factory) }

// StopFactory passes the stop on to the wrapped factory.
func (l *PerPeerFactory) StopFactory() { braid.StopFactory(l.Factory) }

// Open reports how many connections from addr's IP are open.
func (l *PerPeerFactory) Open(addr net.Addr) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.open[peerKey(addr)]
}

// BuildProtocol builds the wrapped protocol while the peer is under its
// limit and the overflow protocol (or nil) above it.
func (l *PerPeerFactory) BuildProtocol(remote net.Addr) braid.Protocol {
	key := peerKey(remote)
	l.mu.Lock()
	if l.open[key] >= l.max {
		l.mu.Unlock()
		return overflowProtocol(l.overflow, remote)
	}
	l.open[key]++
	l.mu.Unlock()
	p := l.Factory.BuildProtocol(remote)
	if p == nil {
		l.release(key)
	}
	return p
}

func (l *PerPeerFactory) release(key netip.Addr) {
	l.mu.Lock()
	if l.open[key] <= 1 {
		delete(l.open, key) // the map holds only peers with connections
	} else {
		l.open[key]--
	}
	l.mu.Unlock()
}

func (l *PerPeerFactory) wrap(p braid.Protocol, remote net.Addr) braid.Protocol {
	key := peerKey(remote)
	return &counted{conn: conn{inner: p}, done: func() { l.release(key) }}
}

func peerKey(a net.Addr) netip.Addr {
	switch a := a.(type) {
	case *net.TCPAddr:
		ip, _ := netip.AddrFromSlice(a.IP)
		return ip.Unmap()
	case *net.UDPAddr:
		ip, _ := netip.AddrFromSlice(a.IP)
		return ip.Unmap()
	}
	if a != nil {
		if ap, err := netip.ParseAddrPort(a.String()); err == nil {
			return ap.Addr().Unmap()
		}
	}
	return netip.Addr{}
}

// Reply returns a factory of protocols that write msg and close: the usual
// overflow protocol of a limit ("421 too many connections\r\n").
func Reply(msg string) braid.Factory {
	return braid.FactoryFunc(func(net.Addr) braid.Protocol { return &reply{msg: msg} })
}

type reply struct {
	braid.ProtocolBase
	msg string
}

func (r *reply) ConnectionMade(t braid.Transport) {
	t.Write([]byte(r.msg))
	t.Close()
}
