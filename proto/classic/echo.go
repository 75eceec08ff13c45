package classic

import "github.com/braid-net/braid"

// Echo is the echo server (RFC 862): it sends back every byte it receives.
//
// It registers its transport as the producer of its own output, so a peer
// that sends without reading makes the server stop reading once the output
// passes the high-water mark, instead of buffering without bound.
type Echo struct {
	t braid.Transport
}

// NewEcho returns an echo server protocol.
func NewEcho() *Echo { return &Echo{} }

// ConnectionMade starts the echo.
func (e *Echo) ConnectionMade(t braid.Transport) {
	e.t = t
	// Backpressure: reading pauses while our own output is above the
	// high-water mark. Failure (a producer already there) leaves plain echo.
	_ = t.RegisterProducer(t)
}

// DataReceived writes p back.
func (e *Echo) DataReceived(p []byte) { e.t.Write(p) }

// ConnectionLost does nothing.
func (e *Echo) ConnectionLost(error) {}

// ReadConnectionLost closes once the echoes are sent: a client that
// half-closes still gets everything back.
func (e *Echo) ReadConnectionLost() { e.t.Close() }

// Discard is the discard server (RFC 863): it reads and throws away.
type Discard struct{ braid.ProtocolBase }

// NewDiscard returns a discard server protocol.
func NewDiscard() *Discard { return &Discard{} }
