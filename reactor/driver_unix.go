//go:build linux || darwin || freebsd

package reactor

import (
	"runtime"
	"time"

	"github.com/braid-net/braid/internal/poll"
	"golang.org/x/sys/unix"
)

// handler is anything the poll driver watches: a connection, a listener, a
// connection attempt, a datagram socket.
type handler interface {
	handle(ev poll.Event)
}

// pollDriver is a loop's I/O on epoll or kqueue: no goroutine per connection;
// one read buffer per loop; output gathered per turn and written with writev.
type pollDriver struct {
	l        *loop
	poller   *poll.Poller
	handlers []handler // indexed by fd
	maxBatch int

	readBuf []byte
	iov     []unix.Iovec
	flushQ  []*conn
	flushSp []*conn
	chunkPool

	conns   []*conn // owned connections, for drain; conn.idx is the position
	closers map[closer]struct{}

	draining   bool
	drainDone  func()
	drainTimer *timer

	stats driverStats
}

// driverStats counts system calls on the write path; tests read them to
// check that writes are gathered.
type driverStats struct {
	writev int64
	write  int64
	reads  int64
}

func nativeKinds() []string { return []string{nativeKind} }

func newPollDriver(l *loop) (ioDriver, error) {
	p, err := poll.New(l.r.cfg.MaxEventsPerTurn)
	if err != nil {
		return nil, err
	}
	return &pollDriver{
		l:        l,
		poller:   p,
		maxBatch: l.r.cfg.MaxEventsPerTurn,
		readBuf:  make([]byte, l.r.cfg.ReadBufferSize),
		iov:      make([]unix.Iovec, 0, 64),
		closers:  map[closer]struct{}{},
	}, nil
}

func (d *pollDriver) wait(timeout time.Duration) {
	ms := -1
	if len(d.flushQ) > 0 {
		ms = 0
	} else if timeout >= 0 {
		// Round up so that a timer due in 0.3ms does not make us spin;
		// cap so that the count fits the system call (the loop simply
		// waits again).
		ms = int((min(timeout, time.Hour) + time.Millisecond - 1) / time.Millisecond)
	}
	// Look first without blocking (cheap, and under load usually enough).
	// Before blocking, yield: a goroutine this turn made runnable (say by a
	// channel send) would otherwise wait for the scheduler to take the
	// processor back from a loop blocked in a system call.
	evs, err := d.poller.Wait(0)
	if err == nil && len(evs) == 0 && !d.poller.Woke() && ms != 0 {
		runtime.Gosched()
		evs, err = d.poller.Wait(ms)
	}
	if err != nil {
		d.l.r.log.Error("reactor: poll failed", "err", err)
		return
	}
	for _, ev := range evs {
		if ev.Fd < len(d.handlers) {
			if h := d.handlers[ev.Fd]; h != nil {
				h.handle(ev)
			}
		}
	}
}

func (d *pollDriver) wake() { d.poller.Wake() }

// add registers h for fd.
func (d *pollDriver) add(fd int, in poll.Interest, h handler) error {
	if err := d.poller.Add(fd, in); err != nil {
		return err
	}
	if fd >= len(d.handlers) {
		n := max(fd+1, 2*len(d.handlers), 64)
		hs := make([]handler, n)
		copy(hs, d.handlers)
		d.handlers = hs
	}
	d.handlers[fd] = h
	return nil
}

// remove unregisters fd; the caller closes it.
func (d *pollDriver) remove(fd int, in poll.Interest) {
	d.poller.Delete(fd, in)
	if fd < len(d.handlers) {
		d.handlers[fd] = nil
	}
}

// endTurn flushes the output gathered during the turn. Callbacks run by a
// flush (producers resumed, OutputDrained) may write again; a few rounds
// catch those, and what is left waits for the next turn.
func (d *pollDriver) endTurn() {
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

func (d *pollDriver) addConn(c *conn) {
	c.idx = len(d.conns)
	d.conns = append(d.conns, c)
	d.l.nconns.Add(1)
}

func (d *pollDriver) removeConn(c *conn) {
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

// drain implements Stop's part on this loop. Listeners, datagram sockets and
// connection attempts close at once. Every connection is asked to Close: one
// with no output pending closes now; one with output gets until the drain
// timeout to flush it, then is aborted.
func (d *pollDriver) drain(timeout time.Duration, done func()) {
	d.draining = true
	for c := range d.closers {
		c.shutdown()
	}
	d.drainDone = done
	for _, c := range append([]*conn(nil), d.conns...) {
		c.Close()
	}
	if len(d.conns) > 0 {
		d.drainTimer = d.l.CallLater(timeout, func() {
			d.drainTimer = nil
			for _, c := range append([]*conn(nil), d.conns...) {
				c.closeNow(errDrainTimeout, reasonAbort)
			}
		}).(*timer)
	}
	d.checkDrained()
}

func (d *pollDriver) checkDrained() {
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

func (d *pollDriver) close() {
	for c := range d.closers {
		c.shutdown()
	}
	for _, c := range append([]*conn(nil), d.conns...) {
		c.closeNow(errDrainTimeout, reasonAbort)
	}
	// ConnectionLost notifications queued by the closes above still run.
	d.l.runSoon()
	d.poller.Close()
}
