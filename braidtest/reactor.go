package braidtest

import (
	"errors"
	"net"
	"net/netip"
	"strconv"
	"sync/atomic"

	"github.com/braid-net/braid"
	"github.com/braid-net/braid/task"
)

// ErrAlreadyRan is returned by a second MemoryReactor.Run.
var ErrAlreadyRan = errors.New("braidtest: reactor already ran")

// MemoryReactor is a braid.Reactor that touches no socket. It records every
// Listen, Connect, ListenDatagram and Adopt call so a test can check them and
// drive them: accept a fake connection on a recorded listener, or complete or
// fail a recorded connection attempt. Its loop is a task.Clock, so time moves
// only when the test advances it.
//
// Run does not block: it runs the startup triggers and the CallWhenRunning
// callbacks, then returns nil with the reactor running. Stop runs the
// shutdown triggers, closes listeners and loses live connections
// (ErrConnectionDone caused by braid.ErrNotRunning), synchronously unless a
// Before trigger returns a Waitable that has not finished; shutdown then
// resumes when it finishes. Both must be called on the test's goroutine,
// like everything else on a MemoryReactor except CallFromGoroutine.
type MemoryReactor struct {
	*task.Clock // the single loop; Now, CallLater, CallSoon, ... act on it

	// Errors to return from the next Listen, ListenDatagram, AdoptListener
	// or AdoptConnection; nil lets them succeed.
	ListenErr, DatagramErr, AdoptErr error

	Listens      []*ListenCall
	Connects     []*ConnectCall
	Datagrams    []*DatagramCall
	AdoptedConns []*AdoptCall

	running, started  bool // Run called; startup finished
	stopping, stopped bool
	stopAsked         bool        // Stop called before Run
	closed            atomic.Bool // stopped, for CallFromGoroutine
	whenRunning       []func()
	triggers          []trigger
	nextTrigger       braid.TriggerID
	live              map[*StringTransport]struct{}
	nextPort          int
}

// NewMemoryReactor returns a reactor on a new task.Clock.
func NewMemoryReactor() *MemoryReactor {
	return &MemoryReactor{
		Clock:    task.NewClock(),
		live:     map[*StringTransport]struct{}{},
		nextPort: 30000,
	}
}

var _ braid.Reactor = (*MemoryReactor)(nil)

// Loops returns the one loop: the reactor itself.
func (r *MemoryReactor) Loops() []braid.Loop { return []braid.Loop{r} }

// CallFromGoroutine queues f from any goroutine; it fails with
// braid.ErrNotRunning once the reactor has stopped.
func (r *MemoryReactor) CallFromGoroutine(f func()) error {
	if r.closed.Load() {
		return braid.ErrNotRunning
	}
	return r.Clock.CallFromGoroutine(f)
}

// Running reports whether Run was called and the reactor has not stopped.
func (r *MemoryReactor) Running() bool { return r.running && !r.stopped }

// Stopped reports whether shutdown has finished.
func (r *MemoryReactor) Stopped() bool { return r.stopped }

// Live returns the transports of connections accepted, completed or adopted
// and not yet lost.
func (r *MemoryReactor) Live() []*StringTransport {
	out := make([]*StringTransport, 0, len(r.live))
	for t := range r.live {
		out = append(out, t)
	}
	return out
}

// newTransport makes a transport on r's loop that r tracks until it is lost;
// then also runs onLost.
func (r *MemoryReactor) newTransport(local, remote net.Addr, onLost func(error)) *StringTransport {
	t := NewStringTransport(&TransportConfig{Loop: r, LocalAddr: local, RemoteAddr: remote})
	r.live[t] = struct{}{}
	t.onLost = func(reason error) {
		delete(r.live, t)
		if onLost != nil {
			onLost(reason)
		}
	}
	return t
}

// addr turns a network and address into a net.Addr as a real listener would
// report it, inventing a port for port 0.
func (r *MemoryReactor) addr(network, address string) net.Addr {
	switch network {
	case "unix", "unixpacket":
		return &net.UnixAddr{Name: address, Net: network}
	}
	host, port, err := net.SplitHostPort(address)
	if err != nil {
		host, port = address, "0"
	}
	n, _ := strconv.Atoi(port)
	if n == 0 {
		r.nextPort++
		n = r.nextPort
	}
	ip, err := netip.ParseAddr(host)
	if err != nil {
		ip = netip.IPv4Unspecified()
	}
	ap := netip.AddrPortFrom(ip, uint16(n))
	if network == "udp" || network == "udp4" || network == "udp6" {
		return net.UDPAddrFromAddrPort(ap)
	}
	return net.TCPAddrFromAddrPort(ap)
}
