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
	driverCore[*conn]
	poller   *poll.Poller
	fdConns  fdTable         // the connections, by fd
	others   map[int]handler // listeners, connection attempts, datagram sockets
	maxBatch int

	readBuf  []byte
	dgramBuf []byte // for datagrams when readBuf is smaller than they may be
	iov      []unix.Iovec

	// edge is poll.Edge when connections are watched edge-triggered: a
	// connection is then reported once per arrival of bytes, and one
	// whose read filled readBuf waits in readQ to be read again next
	// turn (see conn.read).
	edge   poll.Interest
	readQ  []*conn
	readSp []*conn

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
	d := &pollDriver{
		poller:   p,
		maxBatch: l.r.cfg.MaxEventsPerTurn,
		readBuf:  make([]byte, l.r.cfg.ReadBufferSize),
		iov:      make([]unix.Iovec, 0, 64),
		others:   map[int]handler{},
	}
	if poll.EdgeTriggered && !l.r.cfg.LevelTriggered {
		d.edge = poll.Edge
	}
	d.init(l)
	return d, nil
}

func (d *pollDriver) wait(timeout time.Duration) {
	ms := -1
	if len(d.flushQ) > 0 || len(d.readQ) > 0 {
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
		// Connections are looked up first, and called directly rather
		// than through the handler interface: they are nearly every
		// event.
		if c := d.fdConns.get(ev.Fd); c != nil {
			c.handle(ev)
		} else if h := d.others[ev.Fd]; h != nil {
			h.handle(ev)
		}
	}
	if len(d.readQ) > 0 {
		d.readAgain()
	}
}

// queueRead puts c in the read-again queue unless it is there.
func (d *pollDriver) queueRead(c *conn) {
	if c.flags&fReadAgain == 0 {
		c.flags |= fReadAgain
		d.readQ = append(d.readQ, c)
	}
}

// readAgain reads once more each connection queued last turn, after those
// the poller reported: a connection that keeps the read buffer full takes
// its turn with the others instead of ahead of them. One that stopped
// reading meanwhile is skipped: resuming reports it again.
func (d *pollDriver) readAgain() {
	q := d.readQ
	d.readQ = d.readSp[:0]
	for i, c := range q {
		q[i] = nil
		c.flags &^= fReadAgain
		if c.flags&fClosed == 0 && c.interest&poll.Read != 0 {
			c.read(false)
		}
	}
	d.readSp = q[:0]
}

func (d *pollDriver) wake() { d.poller.Wake() }

// add registers h for fd.
func (d *pollDriver) add(fd int, in poll.Interest, h handler) error {
	if err := d.poller.Add(fd, in); err != nil {
		return err
	}
	if c, ok := h.(*conn); ok {
		d.fdConns.set(fd, c)
	} else {
		d.others[fd] = h
	}
	return nil
}

// remove unregisters fd; the caller closes it.
func (d *pollDriver) remove(fd int, in poll.Interest) {
	d.poller.Delete(fd, in)
	if d.fdConns.get(fd) != nil {
		d.fdConns.set(fd, nil)
	} else {
		delete(d.others, fd)
	}
}

func (d *pollDriver) close() {
	d.closeAll()
	d.poller.Close()
}
