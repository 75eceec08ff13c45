package framing

import (
	"strconv"

	"github.com/braid-net/braid"
)

// LineHandler is told of each line a [Lines] protocol receives. line is
// valid only until LineReceived returns.
type LineHandler interface {
	LineReceived(c *Conn, line []byte)
}

// LineHandlerFunc adapts a function to a LineHandler.
type LineHandlerFunc func(c *Conn, line []byte)

// LineReceived calls f.
func (f LineHandlerFunc) LineReceived(c *Conn, line []byte) { f(c, line) }

// MessageHandler is told of each message a [Netstrings] or [Prefixed]
// protocol receives. msg is valid only until MessageReceived returns.
type MessageHandler interface {
	MessageReceived(c *Conn, msg []byte)
}

// MessageHandlerFunc adapts a function to a MessageHandler.
type MessageHandlerFunc func(c *Conn, msg []byte)

// MessageReceived calls f.
func (f MessageHandlerFunc) MessageReceived(c *Conn, msg []byte) { f(c, msg) }

// Optional interfaces a handler may implement.
type (
	// ConnectionMadeHandler is told when the connection is ready.
	ConnectionMadeHandler interface{ ConnectionMade(c *Conn) }
	// ConnectionLostHandler is told once when the connection has ended.
	// After a framing error, reason matches braid.ErrConnectionLost and
	// the framing error (errors.Is(reason, framing.ErrLineTooLong)).
	ConnectionLostHandler interface {
		ConnectionLost(c *Conn, reason error)
	}
	// RawDataHandler receives the bytes of a [Lines] protocol in raw mode
	// (see [Conn.ReadRaw]). p is valid only until the call returns; after
	// the last chunk of a counted body, c.RawRemaining() is 0.
	RawDataHandler interface{ RawDataReceived(c *Conn, p []byte) }
	// FramingErrorHandler is told of a framing error (a line or message
	// over its limit, a malformed netstring) before the connection is
	// closed, so that it can write the protocol's own error reply.
	FramingErrorHandler interface{ FramingError(c *Conn, err error) }
	// ReadConnectionLostHandler keeps the connection open for writing
	// after the peer stopped sending (see braid.HalfCloser). Without it,
	// end of input closes the connection.
	ReadConnectionLostHandler interface{ ReadConnectionLost(c *Conn) }
	// OutputDrainedHandler is told when the transport's output has been
	// handed to the kernel (see braid.Drainer).
	OutputDrainedHandler interface{ OutputDrained(c *Conn) }
)

var comma = []byte{','}

type kind uint8

const (
	kindLine kind = iota
	kindNetstring
	kindPrefix
)

// Conn is a connection as a framed protocol's handler sees it: the
// transport, plus sending whole frames, pausing delivery, and for lines the
// switch to raw mode. Like the transport, it is used on the loop only.
type Conn struct {
	braid.Transport

	kind  kind
	lines *LineSplitter
	ns    *NetstringSplitter
	pre   *PrefixSplitter

	// The handler, under its two possible types. The optional hooks are
	// found by type assertion when needed rather than cached, which keeps
	// an idle connection small.
	lh LineHandler
	mh MessageHandler
	h  any

	hdr      [16]byte
	err      error
	closing  bool
	eof      bool // the peer half-closed; close once held frames are handed over
	paused   bool
	pumping  bool
	lineOnly bool
}

// Lines returns a protocol that splits its input into lines and hands each to
// h. cfg may be nil.
func Lines(h LineHandler, cfg *LineConfig) braid.Protocol {
	p := &struct {
		adapter
		s LineSplitter
	}{}
	p.s.init(cfg)
	p.c.kind, p.c.lines, p.c.lh = kindLine, &p.s, h
	p.c.hooks(h)
	return &p.adapter
}

// LineOnly is Lines without raw mode (Twisted's LineOnlyReceiver): ReadRaw
// and SetRawMode do nothing, so every byte the peer sends is part of a line
// and subject to the line limit, whatever the handler does.
func LineOnly(h LineHandler, cfg *LineConfig) braid.Protocol {
	p := Lines(h, cfg).(*adapter)
	p.c.lineOnly = true
	return p
}

// Netstrings returns a protocol that hands each netstring's payload to h.
// cfg may be nil.
func Netstrings(h MessageHandler, cfg *NetstringConfig) braid.Protocol {
	p := &struct {
		adapter
		s NetstringSplitter
	}{}
	p.s.init(cfg)
	p.c.kind, p.c.ns, p.c.mh = kindNetstring, &p.s, h
	p.c.hooks(h)
	return &p.adapter
}

// Prefixed returns a protocol that hands each length-prefixed message to h.
// cfg may be nil; a prefix Size other than 0, 1, 2 or 4 is a programming
// error and panics.
func Prefixed(h MessageHandler, cfg *PrefixConfig) braid.Protocol {
	p := &struct {
		adapter
		s PrefixSplitter
	}{}
	if err := p.s.init(cfg); err != nil {
		panic(err.Error() + ": prefix size " + strconv.Itoa(cfg.Size))
	}
	p.c.kind, p.c.pre, p.c.mh = kindPrefix, &p.s, h
	p.c.hooks(h)
	return &p.adapter
}

func (c *Conn) hooks(h any) { c.h = h }

// Send writes one frame: a line and the delimiter, a netstring, or a
// length-prefixed message. The receive limits of the Config do not apply to
// what is sent, since the peer's limits may differ; a message longer than
// its prefix can express is not sent (ErrMessageTooLong). A line is not
// checked for the delimiter. Send allocates nothing.
func (c *Conn) Send(frame []byte) error {
	// Header, payload and trailer go out as separate writes: the transport
	// copies each and gathers them into one system call, and the Conn
	// keeps no slice array per connection.
	var head, tail []byte
	switch c.kind {
	case kindLine:
		tail = c.lines.delim
	case kindNetstring:
		head = append(strconv.AppendInt(c.hdr[:0], int64(len(frame)), 10), ':')
		tail = comma
	case kindPrefix:
		if uint64(len(frame)) > 1<<(8*c.pre.size)-1 {
			return ErrMessageTooLong
		}
		head = c.hdr[:c.pre.size]
		putUint(head, c.pre.size, len(frame))
	}
	for _, b := range [3][]byte{head, frame, tail} {
		if len(b) == 0 {
			continue
		}
		if _, err := c.Transport.Write(b); err != nil {
			return err
		}
	}
	return nil
}

func putUint(h []byte, size, n int) {
	for i := size - 1; i >= 0; i-- {
		h[i] = byte(n)
		n >>= 8
	}
}

// SendString is Send for a string.
func (c *Conn) SendString(s string) error {
	return c.Send([]byte(s))
}

// ReadRaw makes a Lines protocol (not LineOnly) hand the next n bytes to the
// handler's RawDataReceived, then return to lines. It may be called from
// LineReceived, to read a body announced by a header line. It does nothing
// if the handler has no RawDataReceived (the bytes stay lines rather than
// vanish), and nothing for the other framings.
func (c *Conn) ReadRaw(n int64) {
	if c.rawOK() {
		c.lines.ReadRaw(n)
	}
}

// SetRawMode makes a Lines protocol hand all further input to
// RawDataReceived, until SetLineMode. Like ReadRaw, it needs a handler with
// RawDataReceived.
func (c *Conn) SetRawMode() {
	if c.rawOK() {
		c.lines.SetRawMode()
	}
}

func (c *Conn) rawOK() bool {
	_, ok := c.h.(RawDataHandler)
	return c.lines != nil && !c.lineOnly && ok
}

// SetLineMode returns a Lines protocol to lines at once.
func (c *Conn) SetLineMode() {
	if c.lines != nil {
		c.lines.SetLineMode()
	}
}

// RawRemaining is the number of raw bytes a Lines protocol still expects: 0
// in line mode, -1 in raw mode without a count.
func (c *Conn) RawRemaining() int64 {
	if c.lines != nil {
		return c.lines.RawRemaining()
	}
	return 0
}

// Err returns the framing error that closed the connection, if any.
func (c *Conn) Err() error { return c.err }

// Close stops delivery of frames and closes the transport once its output
// is sent.
func (c *Conn) Close() error {
	c.closing = true
	return c.Transport.Close()
}

// Abort stops delivery of frames and closes the transport at once.
func (c *Conn) Abort() error {
	c.closing = true
	return c.Transport.Abort()
}

// PauseProducing stops reading from the peer and stops handing frames
// already received to the handler, until ResumeProducing.
func (c *Conn) PauseProducing() {
	c.paused = true
	c.Transport.PauseProducing()
}

// ResumeProducing hands over the frames held back, then reads again.
func (c *Conn) ResumeProducing() {
	c.paused = false
	c.pump()
	if !c.paused && !c.closing {
		c.Transport.ResumeProducing()
	}
}

// pump hands complete frames to the handler until the input runs out, the
// handler pauses or closes, or a framing error ends the connection.
func (c *Conn) pump() {
	if c.pumping {
		return // a handler resumed from inside a callback: the outer loop goes on
	}
	c.pumping = true
	for !c.paused && !c.closing {
		if err := c.deliver(); err != nil {
			if err != ErrNeedData {
				c.fail(err)
			}
			break
		}
	}
	c.pumping = false
	if c.paused && !c.closing {
		c.retain()
	}
	if c.eof && !c.paused && !c.closing {
		c.Close() // the peer is done and every frame has been handed over
	}
}

func (c *Conn) deliver() error {
	switch c.kind {
	case kindLine:
		tok, err := c.lines.Next()
		if err != nil {
			return err
		}
		if !tok.Raw {
			c.lh.LineReceived(c, tok.Data)
		} else {
			// rawOK made sure the handler has the method.
			c.h.(RawDataHandler).RawDataReceived(c, tok.Data)
		}
	case kindNetstring:
		m, err := c.ns.Next()
		if err != nil {
			return err
		}
		c.mh.MessageReceived(c, m)
	case kindPrefix:
		m, err := c.pre.Next()
		if err != nil {
			return err
		}
		c.mh.MessageReceived(c, m)
	}
	return nil
}

func (c *Conn) receive(p []byte) {
	switch c.kind {
	case kindLine:
		c.lines.Receive(p)
	case kindNetstring:
		c.ns.Receive(p)
	case kindPrefix:
		c.pre.Receive(p)
	}
}

func (c *Conn) retain() {
	switch c.kind {
	case kindLine:
		c.lines.Retain()
	case kindNetstring:
		c.ns.Retain()
	case kindPrefix:
		c.pre.Retain()
	}
}

func (c *Conn) drop() {
	switch c.kind {
	case kindLine:
		c.lines.reset()
	case kindNetstring:
		c.ns.reset()
	case kindPrefix:
		c.pre.reset()
	}
}

func (c *Conn) fail(err error) {
	c.err = err
	if h, ok := c.h.(FramingErrorHandler); ok {
		h.FramingError(c, err)
	}
	c.Close()
}

// adapter is the braid.Protocol side of a Conn. It is a separate type so
// that Conn's own method set stays that of a transport.
type adapter struct {
	c Conn
}

func (a *adapter) ConnectionMade(t braid.Transport) {
	a.c.Transport = t
	if h, ok := a.c.h.(ConnectionMadeHandler); ok {
		h.ConnectionMade(&a.c)
	}
}

func (a *adapter) DataReceived(p []byte) {
	c := &a.c
	if c.closing {
		return
	}
	c.receive(p)
	c.pump()
	if c.closing {
		c.drop()
	}
}

func (a *adapter) ConnectionLost(reason error) {
	c := &a.c
	c.closing = true
	c.drop()
	if c.err != nil {
		reason = braid.Lost(c.err)
	}
	if h, ok := c.h.(ConnectionLostHandler); ok {
		h.ConnectionLost(c, reason)
	}
}

func (a *adapter) ReadConnectionLost() {
	if h, ok := a.c.h.(ReadConnectionLostHandler); ok {
		h.ReadConnectionLost(&a.c)
		return
	}
	// Without the hook, end of input closes, but only after the frames a
	// paused handler holds back have been handed over.
	a.c.eof = true
	if !a.c.paused {
		a.c.Close()
	}
}

func (a *adapter) OutputDrained() {
	if h, ok := a.c.h.(OutputDrainedHandler); ok {
		h.OutputDrained(&a.c)
	}
}
