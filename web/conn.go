package web

import (
	"errors"
	"time"

	"github.com/braid-net/braid"
	"github.com/braid-net/braid/proto/http1"
)

// Errors a handler may see.
var (
	// ErrBodyTooLarge: ReadBody's limit was exceeded.
	ErrBodyTooLarge = errors.New("web: request body too large")
	// ErrConnectionLost: the client went away before the body ended.
	ErrConnectionLost = errors.New("web: connection lost")
	// ErrBodyTimeout: the client stopped sending the body.
	ErrBodyTimeout = errors.New("web: request body timed out")
)

// timer says what the connection's one timer is waiting for.
type timer uint8

const (
	timerNone timer = iota
	timerIdle
	timerHeader
	timerBody
	timerSend    // a response is pending: the client must keep reading
	timerClosing // closing: the last bytes must leave in time
)

// conn is the braid.Protocol of one HTTP/1.1 connection: it feeds the sans-I/O
// core and runs handlers, on the connection's loop.
type conn struct {
	srv  *Server
	t    braid.Transport
	core *http1.Conn

	req Request
	w   ResponseWriter

	active   bool // a request is being handled (its response not ended)
	reading  bool // the current request's body is still arriving
	batching bool // inside process: gather output, write once
	paused   bool // reading paused by the handler
	heldBack bool // reading paused because pipelined input waits
	bodyWait bool // reading paused because body events wait for the handler
	closed   bool
	switched bool // handed off to b.handedOff
	headLive bool // req points into the core's buffer (see setHead)
	draining bool // shutting down: close after the current response
	lost     bool // ConnectionLost has run

	timer     braid.DelayedCall
	timerSet  bool // timer is scheduled: kept here so a request need not ask it
	timerKind timer
	deadline  time.Duration // when timerKind expires, after clock.base; the timer may fire earlier
	due       time.Duration // when the timer is due, after clock.base
	clock     *loopClock    // the loop's time for the current second
	timeoutFn func()
	processFn func()
	sent      int64 // bytes handed to the transport
	bodyRead  int64 // request body bytes delivered so far
	acked     int64 // of those, taken by the kernel at the last send check

	b *bufs // per-request memory; nil while idle

	prev, next *conn // the server's list of live connections
}

// bufs is the memory a request needs, lent by a pool while a request is
// under way so that idle keep-alive connections cost little.
type bufs struct {
	arena   []byte           // request target and fields
	fields  []http1.Field    // request fields, into arena
	hdr     http1.FieldBlock // response fields, checked as added
	body    []byte           // response body held back before the head
	bodyBuf []byte           // ReadBody's buffer

	onData    func(p []byte)                         // Request.OnBody
	onEnd     func(trailers http1.Header, err error) // Request.OnBody
	asked     bool                                   // OnBody was called
	bodyErr   error                                  // how the body ended
	clbuf     [20]byte                               // Content-Length value
	switchTo  braid.Protocol                         // SwitchProtocols, Tunnel
	tunnel    bool                                   // Tunnel rather than SwitchProtocols
	handedOff braid.Protocol                         // after the switch
}

func (c *conn) takeBufs() {
	if c.b == nil {
		c.b = c.clock.takeBufs()
	}
	b := c.b
	b.hdr.Reset()
	b.body = b.body[:0]
}

// releaseBufs gives the request memory back once the connection is idle.
func (c *conn) releaseBufs() {
	b := c.b
	if b == nil || c.active || c.reading {
		return
	}
	c.b = nil
	c.req.Target, c.req.Header = nil, nil
	b.onData, b.onEnd, b.bodyErr, b.switchTo, b.tunnel, b.asked = nil, nil, nil, nil, false, false
	if cap(b.body) > 4<<10 {
		b.body = nil
	}
	if cap(b.bodyBuf) > 4<<10 {
		b.bodyBuf = nil
	}
	if cap(b.arena) > 16<<10 {
		b.arena = nil
	}
	c.clock.releaseBufs(b)
}

func newConn(s *Server) *conn {
	c := &conn{srv: s, core: http1.NewConn(http1.Server, &s.cfg.Limits)}
	c.req.c = c
	c.w.c = c
	return c
}

func (c *conn) ConnectionMade(t braid.Transport) {
	c.t = t
	c.clock = c.srv.clocks.get(t.Loop())
	c.draining = c.srv.conns.add(c)
	c.setTimer(timerIdle)
}

func (c *conn) DataReceived(p []byte) {
	if c.switched {
		c.b.handedOff.DataReceived(p)
		return
	}
	if c.closed {
		return
	}
	if err := c.core.Receive(p); err != nil {
		c.protocolError(err)
		return
	}
	c.process()
}

// ReadConnectionLost keeps the connection open for writing after the client
// half-closes, so that responses in flight still go out.
func (c *conn) ReadConnectionLost() {
	if c.switched {
		if h, ok := c.b.handedOff.(braid.HalfCloser); ok {
			h.ReadConnectionLost()
		} else {
			c.t.Close()
		}
		return
	}
	c.core.ReceiveEOF()
	c.process()
	if c.active && !c.reading {
		// The core waits for the response before it reports the close;
		// the handler hears of it now, like net/http's.
		c.w.peerClosed()
	}
}

func (c *conn) ConnectionLost(reason error) {
	c.cancelTimer()
	c.closed = true
	c.lost = true
	defer c.srv.conns.remove(c)
	if c.switched {
		c.b.handedOff.ConnectionLost(reason)
		return
	}
	if c.active {
		if c.reading {
			c.reading = false
			c.req.finishBody(nil, ErrConnectionLost)
		}
		c.w.connectionLost()
	}
}

// process drains the core's events, gathering the output of every response
// finished meanwhile into one write.
func (c *conn) process() {
	if c.batching || c.closed || c.switched {
		return
	}
	c.batching = true
	defer func() {
		c.batching = false
		c.writeOut()
	}()
	for !c.closed {
		if c.bodyHeld() {
			// The body's events stay in the core, which holds what
			// was read (the transport is paused) until the handler
			// wants them.
			c.holdBody(true)
			return
		}
		c.holdBody(false)
		if c.headLive {
			c.keepHead()
		}
		if !c.active && c.core.Buffered() == 0 {
			// The last request read so far is answered: send the
			// batch now, so that the core finds nothing left to send
			// when it goes idle and gives its memory back.
			c.writeOut()
		}
		ev, err := c.core.NextEvent()
		if err != nil {
			c.waiting(err)
			return
		}
		switch ev := ev.(type) {
		case *http1.Request:
			c.startRequest(ev)
		case *http1.Data:
			if c.timerKind == timerBody {
				c.setTimer(timerBody)
			}
			c.bodyRead += int64(len(ev.Data))
			if f := c.b.onData; f != nil {
				f(ev.Data)
			}
		case *http1.EndOfMessage:
			if c.reading {
				c.reading = false
				c.stopTimer()
				c.req.finishBody(ev.Trailers, nil)
				if c.b.switchTo != nil && !c.w.headSent {
					c.w.sendSwitch()
				}
			}
		case *http1.ConnectionClosed:
			if c.active {
				// The client finished sending: it may be waiting
				// (half-close) or gone. Like net/http, tell the
				// handler; the response can still be written.
				c.w.peerClosed()
			} else {
				c.closeAfterFlush()
			}
			return
		case *http1.Handoff:
			c.handOff(ev.Rest)
			return
		}
	}
}

// waiting handles NextEvent's non-event results.
func (c *conn) waiting(err error) {
	switch err {
	case http1.ErrNeedData:
		switch {
		case c.reading:
			if c.timerKind != timerBody {
				c.setTimer(timerBody)
			}
		case c.active:
			c.armSend()
		case c.core.Buffered() > 0:
			// Part of a head: the header timer runs from its first
			// byte and is not reset by more bytes.
			if c.timerKind != timerHeader {
				c.setTimer(timerHeader)
			}
		default:
			c.setTimer(timerIdle)
			c.releaseBufs()
		}
		c.holdBack(false)
	case http1.ErrPaused:
		if c.core.MustClose() {
			return
		}
		c.armSend()
		// Pipelined requests wait; stop reading once a good deal is
		// buffered so the client cannot make it grow.
		c.holdBack(c.core.Buffered() > 16<<10)
	case http1.ErrSwitched:
	default:
		c.protocolError(err)
	}
}

func (c *conn) holdBack(on bool) {
	if on == c.heldBack {
		return
	}
	c.heldBack = on
	c.updateReading()
}

// bodyHeld reports that the request body must not be parsed further: the
// handler paused it, or has not asked for it yet while its response is
// under way. A body nobody asked for is dropped once the response has
// ended, and one that comes with a protocol switch is dropped at once.
func (c *conn) bodyHeld() bool {
	if !c.reading || !c.active || c.req.ContentLength == 0 || c.bodyRead == c.req.ContentLength {
		// No body, or all of it delivered: only its end is left.
		return false
	}
	return c.paused || !c.b.asked && c.b.switchTo == nil
}

// holdBody pauses or resumes reading while body events wait. No timer runs
// against the client meanwhile except the send check: the wait is the
// handler's.
func (c *conn) holdBody(on bool) {
	if on == c.bodyWait {
		return
	}
	c.bodyWait = on
	if on {
		c.armSend()
	}
	c.updateReading()
}

func (c *conn) updateReading() {
	if c.closed {
		return
	}
	if c.heldBack || c.paused || c.bodyWait {
		c.t.PauseProducing()
	} else {
		c.t.ResumeProducing()
	}
}

// PauseBody and ResumeBody back Request.PauseBody and ResumeBody.
func (c *conn) PauseBody() {
	c.paused = true
	c.updateReading()
}

func (c *conn) ResumeBody() {
	if !c.paused {
		return
	}
	c.paused = false
	c.updateReading()
	c.wakeBody()
}

// wakeBody runs process soon when body events wait for a handler that now
// takes them: from a later loop turn, so that the handler's callbacks are
// not re-entered.
func (c *conn) wakeBody() {
	if c.bodyWait && !c.batching {
		if c.processFn == nil {
			c.processFn = c.process
		}
		c.t.Loop().CallSoon(c.processFn)
	}
}

func (c *conn) startRequest(ev *http1.Request) {
	c.takeBufs()
	c.setHead(ev)
	c.active = true
	c.reading = true
	c.bodyRead = 0
	c.stopTimer()
	c.w.reset(&c.req)
	if c.draining {
		c.w.AddHeader("Connection", "close")
	}
	c.srv.cfg.Handler.Serve(&c.w, &c.req)
}

// responseEnded runs when the handler has ended the response.
func (c *conn) responseEnded() {
	c.active = false
	if c.paused {
		// A body the handler paused and no longer wants is read and
		// dropped, so that the next request can follow.
		c.paused = false
		c.updateReading()
	}

	c.flush()
	if c.core.MustClose() || c.draining {
		c.closeAfterFlush()
		return
	}
	if !c.batching {
		c.process()
	}
}

func (c *conn) closeAfterFlush() {
	if c.closed {
		return
	}
	c.writeOut()
	c.closed = true
	c.setTimer(timerClosing)
	c.t.Close()
}

// flush writes what the core has serialized, unless process is gathering
// the responses of this turn into one write and little is pending.
func (c *conn) flush() {
	if c.batching && c.core.Outgoing() < 32<<10 {
		return
	}
	c.writeOut()
}

// writeOut hands what the core has serialized to the transport, which
// copies it into its output.
func (c *conn) writeOut() {
	if c.core.Outgoing() == 0 || c.t == nil {
		return
	}
	n := c.core.Outgoing()
	c.core.WriteOutgoing(c.t)
	c.sent += int64(n)
}

func (c *conn) sendContinue() {
	if c.w.headSent || c.core.Send(&http1.InformationalResponse{Status: 100}) != nil {
		return
	}
	c.writeOut()
}

// protocolError answers a bad request with the status the core chose, then
// closes.
func (c *conn) protocolError(err error) {
	if c.closed {
		return
	}
	var pe *http1.ProtocolError
	answerable := errors.As(err, &pe) && pe.Remote && pe.Status != 0
	if answerable {
		c.srv.cfg.Logger.Debug("web: bad request", "remote", c.t.RemoteAddr().String(), "err", err)
	}
	if c.active && c.reading {
		// The handler hears first and may answer itself.
		c.reading = false
		c.req.finishBody(nil, err)
	}
	responding := c.active && (c.w.headSent || c.w.ended)
	switch {
	case c.closed:
	case answerable && !responding:
		c.errorResponse(pe.Status)
	case !c.active || c.w.ended:
		c.closeAfterFlush()
	default:
		c.closed = true
		c.cancelTimer()
		c.t.Abort()
	}
}

// errorResponse sends status with a short text body and closes.
func (c *conn) errorResponse(status int) {
	text := http1.StatusText(status)
	var cl [20]byte
	h := http1.Header{
		{Name: []byte("Content-Type"), Value: []byte("text/plain; charset=utf-8")},
		{Name: []byte("Content-Length"), Value: appendInt(cl[:0], len(text)+1)},
		{Name: []byte("Connection"), Value: []byte("close")},
	}
	if c.core.Send(&http1.Response{Status: status, Headers: h}) == nil {
		c.core.Send(&http1.Data{Data: append([]byte(text), '\n')})
		c.core.Send(&http1.EndOfMessage{})
	}
	c.active = false
	c.writeOut()
	c.closeAfterFlush()
}

func appendInt(b []byte, n int) []byte {
	if n == 0 {
		return append(b, '0')
	}
	var tmp [20]byte
	i := len(tmp)
	for ; n > 0; n /= 10 {
		i--
		tmp[i] = byte('0' + n%10)
	}
	return append(b, tmp[i:]...)
}

// setTimer arms the connection's one timer for k. The timer is moved only
// when it would fire too late: one that fires early finds the deadline not
// reached and waits again. So the idle timer armed after every request costs
// no reordering of the loop's timers, and no clock reading either: it runs
// from the loop's reading for the current second, which may make an idle
// connection close up to a second early.
func (c *conn) setTimer(k timer) {
	var d time.Duration
	switch k {
	case timerIdle:
		d = c.srv.cfg.IdleTimeout
	case timerHeader:
		d = c.srv.cfg.HeaderTimeout
	case timerBody:
		d = c.srv.cfg.BodyTimeout
	case timerSend, timerClosing:
		d = c.srv.cfg.SendTimeout
	}
	var at time.Duration // now, after clock.base
	if k == timerIdle {
		at = c.clock.read().at
	} else {
		at = c.clock.since(c.t.Loop().Now())
	}
	c.timerKind = k
	c.deadline = at + d
	if c.timerSet {
		if c.due <= c.deadline {
			return
		}
		if c.timer.Reset(c.deadline-c.clock.since(c.t.Loop().Now())) == nil {
			c.due = c.deadline
			return
		}
		c.timerSet = false // gone with its loop: schedule anew
	}
	if c.timeoutFn == nil {
		c.timeoutFn = c.timeout
	}
	c.timer = c.t.Loop().CallLater(c.deadline-c.clock.since(c.t.Loop().Now()), c.timeoutFn)
	c.timerSet, c.due = true, c.deadline
}

// stopTimer disarms the timer without cancelling it: a timer that fires
// disarmed does nothing, and keeping it scheduled lets the next setTimer
// reset it instead of allocating a new one on every request.
func (c *conn) stopTimer() {
	c.timerKind = timerNone
}

// armSend starts the send check while a response is pending, unless it
// runs already.
func (c *conn) armSend() {
	if c.timerKind != timerSend {
		c.acked = c.sent - int64(c.t.Buffered())
		c.setTimer(timerSend)
	}
}

// cancelTimer removes the timer for good, when the connection ends.
func (c *conn) cancelTimer() {
	c.timerKind = timerNone
	if c.timerSet {
		c.timerSet = false
		c.timer.Cancel()
	}
}

func (c *conn) timeout() {
	c.timerSet = false
	if c.timerKind != timerNone && !c.lost {
		if left := c.deadline - c.clock.since(c.t.Loop().Now()); left > 0 {
			// Fired early (see setTimer): wait for the rest.
			c.timer = c.t.Loop().CallLater(left, c.timeoutFn)
			c.timerSet, c.due = true, c.deadline
			return
		}
	}
	k := c.timerKind
	c.timerKind = timerNone
	if c.lost {
		return
	}
	if k == timerClosing {
		// The client does not take the last bytes.
		c.t.Abort()
		return
	}
	if c.closed {
		return
	}
	switch k {
	case timerSend:
		acked := c.sent - int64(c.t.Buffered())
		if c.t.Buffered() > 0 && acked == c.acked {
			c.srv.cfg.Logger.Debug("web: client stopped reading", "remote", c.t.RemoteAddr().String())
			c.closed = true
			c.t.Abort()
			return
		}
		c.acked = acked
		c.setTimer(timerSend)
	case timerIdle:
		c.closeAfterFlush()
	case timerHeader:
		c.core.Fail(408, "request head timed out")
		c.errorResponse(408)
	case timerBody:
		c.reading = false
		c.core.Fail(408, "request body timed out")
		// The handler hears first and may answer itself.
		c.req.finishBody(nil, ErrBodyTimeout)
		switch {
		case c.closed:
		case !c.w.headSent && !c.w.ended:
			c.errorResponse(408)
		case c.w.ended:
			c.closeAfterFlush()
		default:
			// A response is half sent: nothing sane can follow.
			c.closed = true
			c.t.Abort()
		}
	}
}

// handOff passes the connection to the protocol given to SwitchProtocols.
func (c *conn) handOff(rest []byte) {
	p := c.b.switchTo
	c.b.switchTo = nil
	c.stopTimer()
	c.active = false
	if p == nil {
		c.closeAfterFlush()
		return
	}
	c.writeOut()
	c.b.handedOff = p
	c.switched = true
	if c.paused || c.heldBack || c.bodyWait {
		c.paused, c.heldBack, c.bodyWait = false, false, false
		c.t.ResumeProducing()
	}
	rest = append([]byte(nil), rest...)
	p.ConnectionMade(c.t)
	if len(rest) > 0 {
		p.DataReceived(rest)
	}
}
