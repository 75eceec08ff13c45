package braid

import (
	"net"
	"time"
)

// Producer is the common part of push and pull producers: something that writes
// into a consumer (usually a Transport) and can be told to stop.
type Producer interface {
	// StopProducing tells the producer to stop for good, because the
	// consumer is gone.
	StopProducing()
}

// PushProducer writes on its own until paused. A transport pauses it when its
// output rises above the high-water mark and resumes it below the low-water
// mark.
type PushProducer interface {
	Producer
	PauseProducing()
	ResumeProducing()
}

// PullProducer writes one chunk each time ResumeProducing is called; the
// transport calls it whenever its output buffer has drained.
type PullProducer interface {
	Producer
	ResumeProducing()
}

// Transport is a loop's side of one stream connection. Its methods must be
// called on the loop that owns the connection (see Loop); from another
// goroutine, go through Loop.CallFromGoroutine.
//
// A Transport is itself a push producer: PauseProducing stops reading from the
// peer, ResumeProducing starts again and StopProducing closes the connection.
type Transport interface {
	PushProducer

	// Write queues p for sending and returns len(p). It copies p (or has
	// already written it) before it returns. After Close or Abort it returns
	// ErrClosed. An error the kernel reports while writing (a reset, say)
	// ends the connection and arrives as the reason of ConnectionLost, not
	// as Write's result.
	Write(p []byte) (int, error)
	// WriteBuffers queues several slices at once, as one gathered write.
	WriteBuffers(bufs [][]byte) error
	// Close sends what is buffered, then closes. ConnectionLost follows with
	// a reason matching ErrConnectionDone.
	Close() error
	// Abort drops what is buffered and closes at once. ConnectionLost
	// follows with a reason matching ErrConnectionAborted.
	Abort() error
	// CloseWrite sends what is buffered, then shuts down the write side
	// (TCP FIN) while reading goes on.
	CloseWrite() error

	LocalAddr() net.Addr
	RemoteAddr() net.Addr

	// RegisterProducer attaches a producer that writes into this transport.
	// A PushProducer (one with PauseProducing) is paused and resumed with
	// the output buffer; a PullProducer is asked for more each time the
	// output has drained; any other Producer is refused with
	// ErrNotSupported. Only one producer may be registered at a time
	// (ErrProducerRegistered).
	RegisterProducer(p Producer) error
	// UnregisterProducer detaches the registered producer, if any.
	UnregisterProducer()

	// Buffered reports how many bytes wait in the output buffer.
	Buffered() int

	// SetNoDelay sets TCP_NODELAY; other transports return ErrNotSupported.
	SetNoDelay(on bool) error
	// SetKeepAlive enables TCP keep-alive probes every period (0 picks the
	// system default) or disables them.
	SetKeepAlive(on bool, period time.Duration) error

	// Loop returns the loop that owns this connection.
	Loop() Loop
}
