package reactor

import (
	"net"
	"time"

	"github.com/braid-net/braid"
)

// driverBase is the part of a driver that does not depend on its connection
// type: what connectors, listeners and datagram sockets see of it.
type driverBase struct {
	l *loop
	chunkPool
	closers  map[closer]struct{} // what Stop closes outright
	draining bool
}

// driverCore is what both I/O drivers keep about their connections apart from
// the I/O itself: the flush queue run at the end of every turn, the set of
// owned connections and the drain. C is the driver's connection type; every
// method runs on the loop.
type driverCore[C interface {
	streamConn
	comparable
}] struct {
	driverBase

	flushQ  []C
	flushSp []C

	conns []C // owned connections, for drain; connCommon.idx is the position

	drainDone  func()
	drainTimer *timer
}

func (d *driverCore[C]) init(l *loop) {
	d.l = l
	d.closers = map[closer]struct{}{}
}

// queueFlush puts c in the flush queue of this turn unless it is there.
func (d *driverCore[C]) queueFlush(c C, cc *connCommon) {
	if cc.flags&fQueued == 0 {
		cc.flags |= fQueued
		d.flushQ = append(d.flushQ, c)
	}
}

// endTurn flushes the output gathered during the turn. Callbacks run by a
// flush (producers resumed, OutputDrained) may write again; a few rounds
// catch those, and what is left waits for the next turn.
func (d *driverCore[C]) endTurn() {
	var zero C
	for round := 0; round < 8 && len(d.flushQ) > 0; round++ {
		q := d.flushQ
		d.flushQ = d.flushSp[:0]
		for i, c := range q {
			q[i] = zero
			c.base().flags &^= fQueued
			c.flush()
		}
		d.flushSp = q[:0]
	}
}

func (d *driverCore[C]) addConn(c C) {
	c.base().idx = int32(len(d.conns))
	d.conns = append(d.conns, c)
	d.l.nconns.Add(1)
}

func (d *driverCore[C]) removeConn(c C) {
	cc := c.base()
	i := int(cc.idx)
	if i < 0 || i >= len(d.conns) || d.conns[i] != c {
		return
	}
	last := len(d.conns) - 1
	d.conns[i] = d.conns[last]
	d.conns[i].base().idx = int32(i)
	var zero C
	d.conns[last] = zero
	d.conns = d.conns[:last]
	cc.idx = -1
	d.l.nconns.Add(-1)
	d.checkDrained()
}

// buildProtocol asks f for the protocol of a new connection from raddr. A
// refusal (nil) is reported to the connector cn, if any; the caller then
// closes the socket.
func (d *driverBase) buildProtocol(f braid.Factory, raddr net.Addr, cn *connectorCore) braid.Protocol {
	var proto braid.Protocol
	d.l.safeCall("BuildProtocol", func() { proto = f.BuildProtocol(raddr) })
	if proto == nil && cn != nil {
		cn.failed(braid.ErrRefused)
	}
	return proto
}

// attach makes c, whose socket is being watched, one of the driver's
// connections, speaking proto; the connector cn (if any) learns of it.
// The backend then starts c and calls made.
func (d *driverCore[C]) attach(c C, proto braid.Protocol, cn *connectorCore) {
	cc := c.base()
	if cn != nil {
		cc.extra().connector = cn
	}
	cc.setProtocol(proto)
	d.addConn(c)
	if cn != nil {
		cn.connected(c)
	}
}

// made tells the protocol its connection is made.
func (d *driverCore[C]) made(c C) {
	cc := c.base()
	cc.flags |= fMade
	callProto(c, func() { cc.proto.ConnectionMade(c) })
}

// connClosed is the end of a connection's closeNow, once its socket is
// closed: its buffers go back to the pool, it leaves the set, and its
// protocol hears of it on the next turn.
func (d *driverCore[C]) connClosed(c C, cause error, kind closeKind) {
	cc := c.base()
	cc.out.release(&d.chunkPool)
	d.removeConn(c)
	cc.closed(c, cause, kind)
}

// drain implements Stop's part on this loop. Listeners, datagram sockets and
// connection attempts close at once. Every connection is asked to Close: one
// with no output pending closes now; one with output gets until the drain
// timeout to flush it, then is aborted.
func (d *driverCore[C]) drain(timeout time.Duration, done func()) {
	d.draining = true
	for c := range d.closers {
		c.shutdown()
	}
	d.drainDone = done
	for _, c := range append([]C(nil), d.conns...) {
		c.Close()
	}
	if len(d.conns) > 0 {
		d.drainTimer = d.l.CallLater(timeout, func() {
			d.drainTimer = nil
			d.abortAll()
		}).(*timer)
	}
	d.checkDrained()
}

func (d *driverCore[C]) abortAll() {
	for _, c := range append([]C(nil), d.conns...) {
		c.closeNow(errDrainTimeout, reasonAbort)
	}
}

func (d *driverCore[C]) checkDrained() {
	if !d.draining || len(d.conns) > 0 || d.drainDone == nil {
		return
	}
	if d.drainTimer != nil {
		d.drainTimer.Cancel()
		d.drainTimer = nil
	}
	f := d.drainDone
	d.drainDone = nil
	f()
}

// closeAll is the first part of a driver's close: everything still open is
// closed and the ConnectionLost notifications that queues run.
func (d *driverCore[C]) closeAll() {
	for c := range d.closers {
		c.shutdown()
	}
	d.abortAll()
	d.l.runSoon()
}
