package braidtest

import (
	"time"

	"github.com/braid-net/braid"
)

// This file holds the test's side of a StringTransport: reading what the
// protocol wrote, draining it, and playing the peer.

// Value returns the output buffer: what the protocol wrote and the test has
// not drained. The slice is valid until the next call on t.
func (t *StringTransport) Value() []byte { return t.out[t.head:] }

// String returns the output buffer as a string.
func (t *StringTransport) String() string { return string(t.Value()) }

// Clear drains the whole output buffer and discards it.
func (t *StringTransport) Clear() {
	had := t.Buffered() > 0
	t.take(t.Buffered())
	t.drained(had)
}

// Drain takes up to n bytes (all of them if n < 0) from the front of the
// output buffer, as the kernel would, and returns a copy of them. Falling to
// the low-water mark resumes a paused push producer; emptying the buffer asks
// a pull producer for more, tells a Drainer protocol, and completes a
// pending Close.
func (t *StringTransport) Drain(n int) []byte {
	if n < 0 || n > t.Buffered() {
		n = t.Buffered()
	}
	had := t.Buffered() > 0
	p := append([]byte(nil), t.take(n)...)
	t.drained(had)
	return p
}

// take removes n bytes from the output and returns them. The slice aliases
// the buffer: use it before calling drained, whose callbacks may write.
func (t *StringTransport) take(n int) []byte {
	p := t.out[t.head : t.head+n]
	t.head += n
	if t.head == len(t.out) {
		t.out, t.head = t.out[:0], 0
	}
	return p
}

// drained runs what follows a drain; had tells whether the buffer held data
// before it.
func (t *StringTransport) drained(had bool) {
	if t.push != nil && t.producerPaused && t.Buffered() <= t.low {
		t.producerPaused = false
		t.ResumeCount++
		t.push.ResumeProducing()
	}
	if t.Buffered() > 0 || !had {
		return
	}
	if t.producer != nil && t.push == nil {
		t.loop.CallSoon(t.pull)
	}
	if d, ok := t.proto.(braid.Drainer); ok && !t.lost {
		d.OutputDrained()
	}
	if t.closing && !t.lost {
		t.loseSoon(braid.Done(nil))
	}
}

// Receive delivers p to the protocol as bytes from the peer. While reading is
// paused (PauseProducing) the bytes are held and delivered after
// ResumeProducing. After the connection is lost, or the peer has
// half-closed, Receive does nothing.
func (t *StringTransport) Receive(p []byte) {
	if t.lost || t.readEOF || t.proto == nil || len(p) == 0 {
		return
	}
	if t.readPaused {
		t.in = append(t.in, p...)
		return
	}
	t.inBuf = append(t.inBuf[:0], p...)
	t.proto.DataReceived(t.inBuf)
	// The slice was the loop's: scribble over it so that a protocol that
	// kept it fails its tests.
	for i := range t.inBuf {
		t.inBuf[i] = 0xA5
	}
}

// ReadEOF simulates the peer shutting its write side (TCP FIN). A protocol
// that implements braid.HalfCloser hears ReadConnectionLost and may go on
// writing; for any other the transport closes as with Close: what is
// buffered is still sent, then ConnectionLost follows with
// ErrConnectionDone.
func (t *StringTransport) ReadEOF() {
	if t.lost || t.readEOF {
		return
	}
	t.readEOF = true
	if hc, ok := t.proto.(braid.HalfCloser); ok {
		hc.ReadConnectionLost()
		if t.writeClosed {
			t.Close() // both directions are shut: the connection is over
		}
		return
	}
	t.Close()
}

// PeerClose simulates the peer closing the connection: the protocol loses
// the connection with ErrConnectionDone at once, whatever it implements.
func (t *StringTransport) PeerClose() { t.Lose(braid.Done(nil)) }

// PeerReset simulates a reset from the peer: the output is dropped and the
// protocol loses the connection with ErrConnectionLost caused by
// ErrPeerReset.
func (t *StringTransport) PeerReset() {
	if t.lost {
		return
	}
	t.out, t.head = t.out[:0], 0
	t.Lose(braid.Lost(ErrPeerReset))
}

// Lose ends the connection now with reason: the producer is stopped and the
// protocol's ConnectionLost runs. Later calls do nothing.
func (t *StringTransport) Lose(reason error) {
	if t.lost {
		return
	}
	t.lost = true
	t.reason = reason
	if p := t.producer; p != nil {
		t.UnregisterProducer()
		p.StopProducing()
	}
	if t.proto != nil {
		t.proto.ConnectionLost(reason)
	}
	if t.onLost != nil {
		t.onLost(reason)
	}
}

// loseSoon ends the connection on the loop's next turn. The reason is read
// then, so an Abort after a Close whose end is still queued wins, as it
// would on a real loop.
func (t *StringTransport) loseSoon(reason error) {
	queued := t.pending != nil
	t.pending = reason
	if !queued {
		t.loop.CallSoon(func() { t.Lose(t.pending) })
	}
}

// Closing reports whether Close was called.
func (t *StringTransport) Closing() bool { return t.closing }

// Aborted reports whether Abort was called.
func (t *StringTransport) Aborted() bool { return t.aborted }

// WriteClosed reports whether CloseWrite was called.
func (t *StringTransport) WriteClosed() bool { return t.writeClosed }

// ReadPaused reports whether reading is paused (PauseProducing).
func (t *StringTransport) ReadPaused() bool { return t.readPaused }

// Lost returns the reason given to ConnectionLost, and whether it was called.
func (t *StringTransport) Lost() (reason error, ok bool) { return t.reason, t.lost }

// Producer returns the registered producer, or nil.
func (t *StringTransport) Producer() braid.Producer { return t.producer }

// ProducerPaused reports whether the transport has paused its push producer.
func (t *StringTransport) ProducerPaused() bool { return t.producerPaused }

// NoDelay reports the last SetNoDelay value.
func (t *StringTransport) NoDelay() bool { return t.noDelay }

// KeepAlive reports the last SetKeepAlive values.
func (t *StringTransport) KeepAlive() (on bool, period time.Duration) {
	return t.keepAlive, t.keepAliveTime
}
