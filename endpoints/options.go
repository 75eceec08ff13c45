package endpoints

import "github.com/braid-net/braid"

// ConnectOptions tunes one connection made through a client endpoint, for
// what the caller decides rather than the endpoint string.
type ConnectOptions struct {
	// Loop, when it is one of the reactor's loops, owns the connection:
	// every attempt of a happy-eyeballs race is made on it, so the
	// protocol's callbacks and done run there. A client that lives on one
	// loop (an HTTP connection pool, a proxy's upstream side) then works
	// with its connections without handing data from loop to loop. Nil
	// lets the reactor choose, as Connect does.
	Loop braid.Loop
}

// OptionConnector is a ClientEndpoint that honours ConnectOptions. Every
// client endpoint of this package is one.
type OptionConnector interface {
	ClientEndpoint
	// ConnectWith is Connect with opts.
	ConnectWith(r braid.Reactor, f braid.Factory, opts ConnectOptions, done func(braid.Protocol, error)) Attempt
}

// ConnectWith connects to ep with opts. An endpoint that is not an
// OptionConnector (one registered elsewhere) connects with its Connect,
// without the options: a caller that needs the loop checks the transport's
// Loop in ConnectionMade.
func ConnectWith(ep ClientEndpoint, r braid.Reactor, f braid.Factory, opts ConnectOptions, done func(braid.Protocol, error)) Attempt {
	if oc, ok := ep.(OptionConnector); ok {
		return oc.ConnectWith(r, f, opts, done)
	}
	return ep.Connect(r, f, done)
}
