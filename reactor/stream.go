package reactor

import (
	"net"
	"net/netip"

	"github.com/braid-net/braid"
	"github.com/braid-net/braid/internal/poll"
)

// streamConn is what the backend-neutral connection logic needs of a
// backend's stream transport (conn on epoll/kqueue, pconn on package net).
type streamConn interface {
	braid.Transport
	base() *connCommon
	loop() *loop
	flush()
	// readingChanged is told that the flags deciding whether to read
	// (fReadClosed, fClosing) changed.
	readingChanged()
	closeNow(cause error, kind closeKind)
	shutdownWrite()
}

// connCommon is the state of a stream connection that does not depend on
// how its bytes move: flags, pending output, the protocol and the producer
// bookkeeping. Both backends' transports embed it; its methods implement the
// parts of braid.Transport that are the same for both, and take the
// embedding transport as c where they call back into the backend.
//
// Its fields are packed, "the producer is a push producer" and "the
// protocol is a Drainer" are flags rather than more interfaces, and what few
// connections use (a producer, a client connector) lives in a side struct
// made when first needed, so that an idle connection costs little memory:
// ten thousand of them are the normal case for a server.
type connCommon struct {
	idx      int32 // position in the driver's conns, -1 when not there
	flags    uint16
	interest poll.Interest // what the poll driver watches the socket for
	out      outbuf
	proto    braid.Protocol
	ext      *connExtra // nil until one of its fields is set
}

// connExtra is the part of a connection's state that most connections never
// use.
type connExtra struct {
	producer  braid.Producer // a PushProducer when fPush is set
	connector *connectorCore // the client connector that made it, if any
	// peer6 is the poll driver's record of an IPv6 TCP peer (an IPv4
	// one is kept in the connection itself).
	peer6 netip.AddrPort
	laddr net.Addr // the poll driver's local address, once asked for
}

// extra returns the connection's side struct, making it if needed.
func (cc *connCommon) extra() *connExtra {
	if cc.ext == nil {
		cc.ext = new(connExtra)
	}
	return cc.ext
}

// producer returns the registered producer, or nil.
func (cc *connCommon) producer() braid.Producer {
	if cc.ext == nil {
		return nil
	}
	return cc.ext.producer
}

// connector returns the client connector that made the connection, or nil.
func (cc *connCommon) connector() *connectorCore {
	if cc.ext == nil {
		return nil
	}
	return cc.ext.connector
}

// setProtocol attaches the connection's protocol.
func (cc *connCommon) setProtocol(p braid.Protocol) {
	cc.proto = p
	if _, ok := p.(braid.Drainer); ok {
		cc.flags |= fDrainer
	}
}

// writesRefused reports whether Write must fail: the connection is closed,
// or it or its write side is closing.
func (cc *connCommon) writesRefused() bool {
	return cc.flags&(fClosed|fClosing|fWriteClosing|fWriteClosed) != 0
}

// appendBuffers is the backend-neutral half of WriteBuffers: every slice is
// added to the output; the caller then arranges the flush.
func (cc *connCommon) appendBuffers(src chunkSource, bufs [][]byte) error {
	if cc.writesRefused() {
		return braid.ErrClosed
	}
	for _, b := range bufs {
		cc.out.append(src, b)
	}
	return nil
}

// callProto runs a protocol callback, turning a panic into the loss of this
// connection only.
func callProto(c streamConn, f func()) {
	defer recoverProto(c)
	f()
}

// recoverProto must be deferred directly (recover only works there).
func recoverProto(c streamConn) {
	if v := recover(); v != nil {
		err := newPanicError(v)
		c.loop().r.log.Error("reactor: protocol panicked; closing its connection",
			"remote", addrString(c.RemoteAddr()), "panic", err.Error(), "stack", string(err.Stack))
		c.closeNow(err, reasonLost)
	}
}

// pauseAboveHighWater pauses the registered push producer once buffered
// output passes the high-water mark.
func (cc *connCommon) pauseAboveHighWater(c streamConn, buffered int) {
	if cc.flags&(fPush|fProducerPaused) == fPush && buffered > c.loop().r.cfg.HighWater {
		cc.flags |= fProducerPaused
		callProto(c, cc.ext.producer.(braid.PushProducer).PauseProducing)
	}
}

// resumeBelowLowWater resumes a paused push producer once output is below
// the low-water mark.
func (cc *connCommon) resumeBelowLowWater(c streamConn, buffered int) {
	if cc.flags&fProducerPaused != 0 && cc.flags&fClosed == 0 && buffered <= c.loop().r.cfg.LowWater {
		cc.flags &^= fProducerPaused
		if cc.flags&fPush != 0 {
			callProto(c, cc.ext.producer.(braid.PushProducer).ResumeProducing)
		}
	}
}

// outputDrained runs when nothing is left to send: pending closes happen,
// and, when had says output was sent, pull producers are asked for more and
// a Drainer is told.
func (cc *connCommon) outputDrained(c streamConn, had bool) {
	switch {
	case cc.flags&fClosing != 0:
		c.closeNow(nil, reasonDone)
		return
	case cc.flags&fWriteClosing != 0:
		c.shutdownWrite()
		return
	}
	if !had || cc.flags&fClosed != 0 {
		return
	}
	if p := cc.producer(); p != nil && cc.flags&fPush == 0 {
		callProto(c, p.(braid.PullProducer).ResumeProducing)
	}
	if cc.flags&(fDrainer|fClosed) == fDrainer && c.Buffered() == 0 {
		callProto(c, cc.proto.(braid.Drainer).OutputDrained)
	}
}

// readEnded handles the peer's end of input: a HalfCloser hears of it and
// may go on writing; any other protocol's connection is closed once its
// output is sent.
func (cc *connCommon) readEnded(c streamConn) {
	cc.flags |= fReadClosed
	hc, half := cc.proto.(braid.HalfCloser)
	if !half {
		c.Close()
		return
	}
	c.readingChanged()
	callProto(c, hc.ReadConnectionLost)
	if cc.flags&fWriteClosed != 0 {
		c.closeNow(nil, reasonDone)
	}
}

// closeGracefully implements Transport.Close: buffered output is sent, then
// the connection closed.
func (cc *connCommon) closeGracefully(c streamConn) error {
	if cc.flags&(fClosed|fClosing) != 0 {
		return nil
	}
	cc.flags |= fClosing
	if c.Buffered() == 0 {
		// Nothing to send: close at once, sparing the interest change.
		c.closeNow(nil, reasonDone)
		return nil
	}
	c.readingChanged()
	return nil
}

// closeWrite implements Transport.CloseWrite: buffered output is sent, then
// the write side shut down.
func (cc *connCommon) closeWrite(c streamConn) error {
	if cc.flags&fClosed != 0 {
		return braid.ErrClosed
	}
	if cc.flags&(fWriteClosing|fWriteClosed|fClosing) != 0 {
		return nil
	}
	cc.flags |= fWriteClosing
	if c.Buffered() == 0 {
		c.shutdownWrite()
	}
	return nil
}

// afterShutdownWrite closes a connection whose both directions are done.
func (cc *connCommon) afterShutdownWrite(c streamConn) {
	if cc.flags&fReadClosed != 0 {
		c.closeNow(nil, reasonDone)
	}
}

// registerProducer implements Transport.RegisterProducer.
func (cc *connCommon) registerProducer(c streamConn, p braid.Producer) error {
	if cc.flags&fClosed != 0 {
		return braid.ErrClosed
	}
	if cc.producer() != nil {
		return braid.ErrProducerRegistered
	}
	cc.flags &^= fProducerPaused
	if pp, ok := p.(braid.PushProducer); ok {
		cc.extra().producer = p
		cc.flags |= fPush
		if c.Buffered() > c.loop().r.cfg.HighWater {
			cc.flags |= fProducerPaused
			callProto(c, pp.PauseProducing)
		}
		return nil
	}
	pull, ok := p.(braid.PullProducer)
	if !ok {
		return braid.ErrNotSupported
	}
	cc.extra().producer = p
	if c.Buffered() == 0 {
		callProto(c, pull.ResumeProducing)
	}
	return nil
}

// UnregisterProducer detaches the producer.
func (cc *connCommon) UnregisterProducer() {
	if cc.ext != nil {
		cc.ext.producer = nil
	}
	cc.flags &^= fPush | fProducerPaused
}

// closed does the backend-neutral part of closing: the producer is let go
// and, on the next turn, it is stopped, the protocol told why and the
// connector that made it told after it.
func (cc *connCommon) closed(c streamConn, cause error, kind closeKind) {
	var reason error
	switch kind {
	case reasonDone:
		reason = braid.Done(cause)
	case reasonLost:
		reason = braid.Lost(cause)
	default:
		reason = braid.Aborted(cause)
	}
	p := cc.producer()
	if p != nil {
		cc.ext.producer = nil
	}
	cc.flags &^= fPush
	made := cc.flags&fMade != 0
	proto, cn := cc.proto, cc.connector()
	l := c.loop()
	l.CallSoon(func() {
		if p != nil {
			l.safeCall("StopProducing", p.StopProducing)
		}
		if made {
			l.safeCall("ConnectionLost", func() { proto.ConnectionLost(reason) })
		}
		if cn != nil {
			cn.lost(reason)
		}
	})
}
