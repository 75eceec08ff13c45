package braid

import (
	"net"
	"reflect"
	"sync"
)

// Factory builds one protocol per connection. BuildProtocol runs on the loop
// that will own the connection; it may return nil to refuse the connection,
// which is then closed.
type Factory interface {
	BuildProtocol(remote net.Addr) Protocol
}

// FactoryFunc adapts a function to a Factory.
type FactoryFunc func(remote net.Addr) Protocol

// BuildProtocol calls f.
func (f FactoryFunc) BuildProtocol(remote net.Addr) Protocol { return f(remote) }

// NewFactory returns a Factory that calls newProtocol for every connection.
func NewFactory[P Protocol](newProtocol func() P) Factory {
	return FactoryFunc(func(net.Addr) Protocol { return newProtocol() })
}

// StartStopper is implemented by factories with set-up and tear-down work.
// StartFactory runs before the first listener or connector using the factory
// starts, StopFactory after the last one stops, however many share it. Call
// them through StartFactory and StopFactory (the functions), which count.
type StartStopper interface {
	StartFactory()
	StopFactory()
}

// ClientFactory is a Factory used to connect out. It hears about attempts
// that fail and connections that end.
type ClientFactory interface {
	Factory
	// ClientConnectionFailed is called when an attempt made by c fails.
	ClientConnectionFailed(c Connector, reason error)
	// ClientConnectionLost is called after the protocol's ConnectionLost.
	ClientConnectionLost(c Connector, reason error)
}

// Connector is one outgoing connection attempt, which can be retried.
type Connector interface {
	// Connect starts (again) an attempt to connect.
	Connect()
	// StopConnecting cancels an attempt in progress; the factory hears of it
	// through ClientConnectionFailed, with a reason that matches
	// ErrConnectionAborted.
	StopConnecting()
	// Disconnect stops an attempt in progress or closes the connection.
	Disconnect()
	// Destination is the address being connected to.
	Destination() net.Addr
}

// Listener is a listening port. Close stops accepting; connections already
// accepted go on.
type Listener interface {
	Addr() net.Addr
	Close() error
}

var factoryRefs = struct {
	sync.Mutex
	n map[any]int
}{n: map[any]int{}}

// StartFactory calls f.StartFactory if f implements StartStopper and no
// listener or connector has started it yet. Listeners and connectors call it
// when they start; each call must be paired with one to StopFactory.
func StartFactory(f Factory) {
	s, ok := f.(StartStopper)
	if !ok || !reflect.TypeOf(f).Comparable() {
		if ok {
			s.StartFactory()
		}
		return
	}
	factoryRefs.Lock()
	n := factoryRefs.n[f]
	factoryRefs.n[f] = n + 1
	factoryRefs.Unlock()
	if n == 0 {
		s.StartFactory()
	}
}

// StopFactory undoes one StartFactory; the last one calls f.StopFactory.
func StopFactory(f Factory) {
	s, ok := f.(StartStopper)
	if !ok || !reflect.TypeOf(f).Comparable() {
		if ok {
			s.StopFactory()
		}
		return
	}
	factoryRefs.Lock()
	n := factoryRefs.n[f] - 1
	if n <= 0 {
		delete(factoryRefs.n, f)
	} else {
		factoryRefs.n[f] = n
	}
	factoryRefs.Unlock()
	if n == 0 {
		s.StopFactory()
	}
}
