package client

import (
	"errors"
	"fmt"
	"time"

	"github.com/braid-net/braid"
	"github.com/braid-net/braid/proto/http1"
)

// link is the braid.Protocol of a client connection. The endpoint makes
// the connection on the Agent's loop (endpoints.ConnectOptions.Loop), so
// events reach conn directly, with no copy and no hop between loops.
type link struct {
	c *conn
	// foreign: an endpoint that ignores ConnectOptions connected on
	// another loop. The connection is refused (its events would race
	// with the Agent's): it is aborted and its events ignored, and the
	// pool, seeing the flag, fails the attempt with ErrForeignLoop.
	foreign bool
}

func (l *link) ConnectionMade(t braid.Transport) {
	if t.Loop() != l.c.a.loop {
		l.foreign = true
		t.Abort()
		return
	}
	// The producer tells the Agent when the output is over its high-water
	// mark, so that a request body pauses.
	t.RegisterProducer(outputFlow{l.c})
	l.c.made(t)
}

func (l *link) DataReceived(p []byte) {
	if !l.foreign {
		l.c.dataReceived(p)
	}
}

func (l *link) ConnectionLost(reason error) {
	if !l.foreign {
		l.c.lost(reason)
	}
}

// outputFlow passes the transport's pause and resume of its producer (the
// output crossed a water mark) to the request body being sent.
type outputFlow struct{ c *conn }

func (o outputFlow) PauseProducing()  { o.c.outputPaused(true) }
func (o outputFlow) ResumeProducing() { o.c.outputPaused(false) }
func (o outputFlow) StopProducing()   {}

// conn is one HTTP/1.1 connection, on the Agent's loop.
type conn struct {
	a    *Agent
	pool *hostPool
	t    braid.Transport
	core *http1.Conn
	out  []byte

	// The exchanges sent on the connection and not yet answered, in
	// order: the first receives the response now coming in, the last may
	// still be sending its body. More than one only when pipelining.
	inflight []*exchange
	served   int // exchanges started on it
	// One timer serves both the response timeout and the idle timeout,
	// re-armed with Reset, so that a keep-alive exchange schedules no new
	// timer: timerKind says what it is counting now.
	timer     braid.DelayedCall
	timerKind timerKind
	hdr       http1.Header // scratch for request heads
	target    []byte
	length    []byte // the Content-Length value sent
	reqHead   http1.Request

	accounted  bool // counted in pool.open
	closing    bool // Close or Abort asked; never reused
	lostErr    error
	gone       bool // ConnectionLost seen
	readPaused bool
	outPaused  bool
	processing bool
}

// made records the transport.
func (c *conn) made(t braid.Transport) {
	c.t = t
	if c.closing {
		t.Abort()
	}
}

// connected puts a new connection to work.
func (c *conn) connected() {
	c.core = http1.NewConn(http1.Client, &c.a.cfg.Limits)
	if c.gone {
		return
	}
	c.pool.conns = append(c.pool.conns, c)
	c.a.stats.Connections++
	c.pool.release(c)
}

// send serializes ev and writes it.
func (c *conn) send(ev http1.Event) error {
	if c.closing || c.gone {
		return ErrConnectionLost
	}
	if err := c.core.Send(ev); err != nil {
		return err
	}
	c.out = c.core.AppendOutgoing(c.out[:0])
	if len(c.out) == 0 {
		return nil
	}
	_, err := c.t.Write(c.out)
	return err
}

func (c *conn) pauseReading() {
	if !c.readPaused && !c.gone && c.t != nil {
		c.readPaused = true
		c.t.PauseProducing()
	}
}

func (c *conn) resumeReading() {
	if c.readPaused && !c.gone {
		c.readPaused = false
		c.t.ResumeProducing()
	}
}

func (c *conn) outputPaused(paused bool) {
	c.outPaused = paused
	if ex := c.last(); ex != nil && ex.producer != nil && !ex.bodyDone && !ex.waitContinue {
		if paused {
			ex.producer.PauseProducing()
		} else {
			ex.producer.ResumeProducing()
		}
	}
}

// close closes the connection after its output; it is never reused.
func (c *conn) close() {
	c.shut(false)
}

// abort drops the connection at once.
func (c *conn) abort() {
	c.shut(true)
}

func (c *conn) shut(abort bool) {
	if c.closing {
		return
	}
	c.closing = true
	c.cancelTimer()
	c.pool.removeIdle(c)
	// Requests still waiting for their answer on it are sent again or
	// fail, before the transport reports the close.
	c.dropInflight(c.lostErr)
	if c.t == nil || c.gone {
		return
	}
	if abort {
		c.t.Abort()
	} else {
		c.t.Close()
	}
}

type timerKind uint8

const (
	timerNone timerKind = iota
	timerResponse
	timerIdle
)

// arm makes the connection's timer count d for kind.
func (c *conn) arm(kind timerKind, d time.Duration) {
	c.timerKind = kind
	if c.timer != nil && c.timer.Active() && c.timer.Reset(d) == nil {
		return
	}
	c.timer = c.a.loop.CallLater(d, c.timerFired)
}

// disarm stops counting; the timer may still fire, and then does nothing.
func (c *conn) disarm(kind timerKind) {
	if c.timerKind == kind {
		c.timerKind = timerNone
	}
}

func (c *conn) cancelTimer() {
	c.timerKind = timerNone
	if c.timer != nil {
		c.timer.Cancel()
		c.timer = nil
	}
}

func (c *conn) timerFired() {
	kind := c.timerKind
	c.timerKind = timerNone
	c.timer = nil
	switch kind {
	case timerResponse:
		switch ex := c.head(); {
		case ex == nil:
		case ex.done:
			// An abandoned exchange's answer is late: the connection
			// is of no more use.
			c.abort()
		default:
			ex.fail(ErrResponseTimeout)
		}
	case timerIdle:
		c.close()
	}
}

func (c *conn) startIdle() { c.arm(timerIdle, c.a.cfg.IdleTimeout) }

func (c *conn) stopIdle() { c.disarm(timerIdle) }

func (c *conn) dataReceived(p []byte) {
	if c.core == nil || c.gone {
		return
	}
	if ex := c.head(); ex != nil {
		ex.gotBytes = true
	}
	if err := c.core.Receive(p); err != nil {
		c.protocolError(err)
		return
	}
	c.process()
}

// lost handles the end of the connection: a body delimited by the close
// ends here; an exchange cut short fails (or is retried).
func (c *conn) lost(reason error) {
	if c.gone {
		return
	}
	c.gone = true
	c.lostErr = reason
	c.cancelTimer()
	c.pool.removeIdle(c)
	c.pool.forget(c)
	if c.accounted {
		c.accounted = false
		c.pool.remove(c)
	}
	if c.core == nil {
		c.dropInflight(reason)
		return
	}
	c.core.ReceiveEOF()
	c.process()
	// What follows a paused body is dropped now; the paused one ends
	// when its consumer resumes it.
	if ex := c.head(); ex != nil && !ex.done && ex.paused {
		c.dropPipelined(reason)
		return
	}
	c.dropInflight(reason)
}

// process turns what the core has parsed into exchange events, until the
// consumer pauses or more data is needed.
func (c *conn) process() {
	if c.processing || c.core == nil {
		return
	}
	c.processing = true
	defer func() { c.processing = false }()
	for {
		ex := c.head()
		if ex != nil && ex.paused {
			c.pauseReading()
			return
		}
		ev, err := c.core.NextEvent()
		if err != nil {
			if errors.Is(err, http1.ErrNeedData) || errors.Is(err, http1.ErrPaused) {
				if c.gone {
					c.dropInflight(c.lostErr)
				}
				c.resumeReading()
				return
			}
			c.protocolError(err)
			return
		}
		if ex == nil {
			// Bytes or a close while idle: the connection is done.
			c.close()
			return
		}
		if ex.done {
			// An abandoned exchange (cancelled while requests before it
			// were answered): its answer is read and dropped.
			switch ev.(type) {
			case *http1.EndOfMessage:
				c.exchangeDone(ex, true)
			case *http1.ConnectionClosed, *http1.Handoff:
				c.abort()
				return
			}
			continue
		}
		switch ev := ev.(type) {
		case *http1.InformationalResponse:
			ex.gotInformational(ev)
		case *http1.Response:
			ex.gotHead(ev)
		case *http1.Data:
			ex.gotData(ev.Data)
		case *http1.EndOfMessage:
			ex.gotEnd(ev.Trailers)
		case *http1.ConnectionClosed:
			// This exchange and any pipelined after it, in order.
			c.dropInflight(c.lostErr)
			return
		case *http1.Handoff:
			ex.fail(errors.New("client: the server switched protocols"))
			return
		}
	}
}

func (c *conn) protocolError(err error) {
	if ex := c.head(); ex != nil && !ex.done {
		ex.fail(fmt.Errorf("client: bad response from %s: %w", c.pool.key, err))
	}
	c.abort()
}

// exchangeDone takes ex, whose answer has ended, off the connection; the
// connection goes on with the next pipelined exchange, serves another
// request, or closes.
func (c *conn) exchangeDone(ex *exchange, reusable bool) {
	c.remove(ex)
	if !reusable || c.closing || c.gone || c.core.MustClose() {
		c.close()
		return
	}
	if next := c.head(); next != nil {
		if c.core.Buffered() > 0 {
			next.gotBytes = true
		}
		c.arm(timerResponse, c.a.cfg.ResponseTimeout)
		c.pool.feed(c)
		return
	}
	c.pool.release(c)
}
