package braid

// Protocol is the application's side of a stream connection. A loop calls its
// methods one at a time, always on the loop's goroutine: ConnectionMade once,
// then DataReceived any number of times, then ConnectionLost once.
type Protocol interface {
	// ConnectionMade is called when the connection is ready; t stays valid
	// for the life of the connection.
	ConnectionMade(t Transport)
	// DataReceived is called with bytes read from the peer. p belongs to the
	// loop and is valid only until DataReceived returns.
	DataReceived(p []byte)
	// ConnectionLost is called once when the connection has ended. reason
	// matches ErrConnectionDone, ErrConnectionLost or ErrConnectionAborted.
	ConnectionLost(reason error)
}

// HalfCloser is implemented by protocols that want to keep writing after the
// peer has stopped (TCP half-close). Without it, end of input closes the
// connection as Close does, after the output still buffered has been sent;
// with it, ReadConnectionLost is called and the connection stays open for
// writing until the protocol closes it.
type HalfCloser interface {
	ReadConnectionLost()
}

// Drainer is implemented by protocols that want to know when the transport's
// output buffer, having held data, has been fully handed to the kernel.
type Drainer interface {
	OutputDrained()
}

// ProtocolBase can be embedded in a protocol to provide default methods. Its
// ConnectionMade stores the transport in Transport.
type ProtocolBase struct {
	Transport Transport
}

// ConnectionMade stores t.
func (b *ProtocolBase) ConnectionMade(t Transport) { b.Transport = t }

// DataReceived discards p.
func (b *ProtocolBase) DataReceived(p []byte) {}

// ConnectionLost does nothing.
func (b *ProtocolBase) ConnectionLost(reason error) {}
