package endpoints

import (
	"github.com/braid-net/braid"
	"github.com/braid-net/braid/deferred"
)

// ListenDeferred listens on ep and returns a Deferred that has already
// fired with the listener or the error, the shape Twisted's
// endpoint.listen() has.
func ListenDeferred(r braid.Reactor, ep ServerEndpoint, f braid.Factory) *deferred.Deferred[braid.Listener] {
	ln, err := ep.Listen(r, f)
	if err != nil {
		return deferred.Fail[braid.Listener](err)
	}
	return deferred.Succeed(ln)
}

// ConnectDeferred connects to ep and returns a Deferred that fires, on r's
// main loop, with the protocol f built (after its ConnectionMade, and for
// TLS after the handshake) or with the error that ended the attempt.
// Cancelling the Deferred cancels the attempt. The Deferred belongs to r's
// main loop: call ConnectDeferred there and use the Deferred there.
func ConnectDeferred(r braid.Reactor, ep ClientEndpoint, f braid.Factory) *deferred.Deferred[braid.Protocol] {
	var a Attempt
	d := deferred.NewCancellable(func(*deferred.Deferred[braid.Protocol]) {
		if a != nil {
			a.Cancel()
		}
	})
	a = ep.Connect(r, f, func(p braid.Protocol, err error) {
		// done may run on another loop; the Deferred belongs to the main
		// one. A result that comes after Cancel is dropped by d.
		r.CallFromGoroutine(func() { d.Resolve(p, err) })
	})
	return d
}
