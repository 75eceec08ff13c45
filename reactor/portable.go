package reactor

import (
	"sync"
	"time"
)

// portableDriver is a loop's I/O on package net, for systems without epoll
// or kqueue (and selectable everywhere). Each connection and listener has a
// reader goroutine, but no protocol callback ever runs on one: readers hand
// what they read to the loop and wait until the loop has consumed it, which
// is also the backpressure. Output is gathered per turn as in the poll
// driver and handed to a writer goroutine per connection.
type portableDriver struct {
	l      *loop
	wakeCh chan struct{}
	timer  *time.Timer

	flushQ  []*pconn
	flushSp []*pconn
	chunkPool

	conns   []*pconn
	closers map[closer]struct{}

	draining   bool
	drainDone  func()
	drainTimer *timer

	wg sync.WaitGroup // reader, writer and accept goroutines
}

func newPortableDriver(l *loop) ioDriver {
	t := time.NewTimer(time.Hour)
	t.Stop()
	return &portableDriver{l: l, wakeCh: make(chan struct{}, 1), timer: t, closers: map[closer]struct{}{}}
}

func (d *portableDriver) wait(timeout time.Duration) {
	if len(d.flushQ) > 0 {
		timeout = 0
	}
	switch {
	case timeout == 0:
		select {
		case <-d.wakeCh:
		default:
		}
	case timeout < 0:
		<-d.wakeCh
	default:
		d.timer.Reset(timeout)
		select {
		case <-d.wakeCh:
		case <-d.timer.C:
		}
		d.timer.Stop()
	}
}

func (d *portableDriver) wake() {
	select {
	case d.wakeCh <- struct{}{}:
	default:
	}
}

func (d *portableDriver) endTurn() {
	for round := 0; round < 8 && len(d.flushQ) > 0; round++ {
		q := d.flushQ
		d.flushQ = d.flushSp[:0]
		for i, c := range q {
			q[i] = nil
			c.flags &^= fQueued
			c.flush()
		}
		d.flushSp = q[:0]
	}
}

func (d *portableDriver) addConn(c *pconn) {
	c.idx = len(d.conns)
	d.conns = append(d.conns, c)
	d.l.nconns.Add(1)
}

func (d *portableDriver) removeConn(c *pconn) {
	i := c.idx
	if i < 0 || i >= len(d.conns) || d.conns[i] != c {
		return
	}
	last := len(d.conns) - 1
	d.conns[i] = d.conns[last]
	d.conns[i].idx = i
	d.conns[last] = nil
	d.conns = d.conns[:last]
	c.idx = -1
	d.l.nconns.Add(-1)
	d.checkDrained()
}

// drain works as the poll driver's: see pollDriver.drain.
func (d *portableDriver) drain(timeout time.Duration, done func()) {
	d.draining = true
	for c := range d.closers {
		c.shutdown()
	}
	d.drainDone = done
	for _, c := range append([]*pconn(nil), d.conns...) {
		c.Close()
	}
	if len(d.conns) > 0 {
		d.drainTimer = d.l.CallLater(timeout, func() {
			d.drainTimer = nil
			for _, c := range append([]*pconn(nil), d.conns...) {
				c.closeNow(errDrainTimeout, reasonAbort)
			}
		}).(*timer)
	}
	d.checkDrained()
}

func (d *portableDriver) checkDrained() {
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

func (d *portableDriver) close() {
	for c := range d.closers {
		c.shutdown()
	}
	for _, c := range append([]*pconn(nil), d.conns...) {
		c.closeNow(errDrainTimeout, reasonAbort)
	}
	d.l.runSoon()
	// Every socket is closed, so every goroutine is on its way out.
	d.wg.Wait()
}
