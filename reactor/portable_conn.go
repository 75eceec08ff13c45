package reactor

import (
	"errors"
	"io"
	"net"
	"time"

	"github.com/braid-net/braid"
)

// portableReadSize is the read buffer of each portable connection's reader.
const portableReadSize = 16 << 10

// pconn is a stream connection of the portable driver: a net.Conn with a
// reader and a writer goroutine, every callback on the loop.
type pconn struct {
	connCommon
	d        *portableDriver
	nc       net.Conn
	inflight int  // bytes handed to the writer goroutine
	writing  bool // the writer goroutine has a batch
	isUnix   bool

	held    []byte        // data read while paused, delivered on resume
	ack     chan struct{} // the loop has consumed what the reader handed it
	resume  chan struct{}
	stop    chan struct{} // closed when the connection closes
	writeCh chan net.Buffers
	wchunks []*chunk    // the chunks the writer goroutine is sending
	wbufs   net.Buffers // their segments, reused batch after batch

	// The reader and the writer each have at most one report on its way to
	// the loop, so a report's data waits in these fields and the posted
	// calls are made once: nothing is allocated per read or write.
	rdata     []byte // what the reader read, until the loop acks it
	wn        int64  // what the writer wrote of its batch
	werr      error
	wbatch    net.Buffers // the writer goroutine's own: the batch it writes
	deliverFn func()
	writtenFn func()
}

var _ braid.Transport = (*pconn)(nil)

func (d *portableDriver) newConn(nc net.Conn, f braid.Factory, cn *connectorCore) {
	if d.draining {
		nc.Close()
		return
	}
	raddr := nc.RemoteAddr()
	_, isUnix := nc.(*net.UnixConn)
	if isUnix && (raddr == nil || raddr.String() == "") {
		raddr = &net.UnixAddr{Net: "unix"}
	}
	proto := d.buildProtocol(f, raddr, cn)
	if proto == nil {
		nc.Close()
		return
	}
	c := &pconn{
		d: d, nc: nc, isUnix: isUnix,
		ack: make(chan struct{}, 1), resume: make(chan struct{}, 1), stop: make(chan struct{}),
		writeCh: make(chan net.Buffers),
	}
	c.idx = -1
	c.deliverFn = func() { c.deliver(c.rdata) }
	c.writtenFn = func() { c.written(c.wn, c.werr) }
	d.attach(c, proto, cn)
	d.wg.Add(2)
	go c.readLoop()
	go c.writeLoop()
	d.made(c)
}

func (c *pconn) base() *connCommon { return &c.connCommon }
func (c *pconn) loop() *loop       { return c.d.l }

// readLoop runs on the connection's reader goroutine.
func (c *pconn) readLoop() {
	defer c.d.wg.Done()
	buf := make([]byte, portableReadSize)
	for {
		n, err := c.nc.Read(buf)
		if n > 0 {
			c.rdata = buf[:n]
			if c.d.l.CallFromGoroutine(c.deliverFn) != nil {
				return
			}
			select {
			case <-c.ack:
			case <-c.stop:
				return
			}
		}
		if err != nil {
			c.d.l.CallFromGoroutine(func() { c.readFailed(err) })
			return
		}
	}
}

// deliver runs on the loop with what the reader read; the reader waits for
// the ack, so a paused connection holds at most one buffer.
func (c *pconn) deliver(p []byte) {
	if c.flags&fClosed != 0 {
		return
	}
	if c.flags&(fReadPaused|fClosing) != 0 {
		c.held = p
		return
	}
	c.dataReceived(p)
	c.ack <- struct{}{}
}

func (c *pconn) dataReceived(p []byte) {
	defer recoverProto(c)
	c.proto.DataReceived(p)
}

func (c *pconn) readFailed(err error) {
	if c.flags&fClosed != 0 {
		return
	}
	if errors.Is(err, io.EOF) {
		c.readEOF()
		return
	}
	c.closeNow(err, reasonLost)
}

func (c *pconn) readEOF() { c.readEnded(c) }

// readingChanged has nothing to do: the reader goroutine goes on reading and
// deliver holds what arrives while the protocol does not want it.
func (c *pconn) readingChanged() {}

// writeLoop runs on the connection's writer goroutine: it writes the
// batches the loop hands it and reports back.
func (c *pconn) writeLoop() {
	defer c.d.wg.Done()
	for {
		select {
		case c.wbatch = <-c.writeCh:
			// WriteTo needs the batch by pointer; a field of c, which
			// lives on the heap anyway, spares an allocation per batch.
			c.wn, c.werr = c.wbatch.WriteTo(c.nc)
			if c.d.l.CallFromGoroutine(c.writtenFn) != nil {
				return
			}
		case <-c.stop:
			return
		}
	}
}

func (c *pconn) Write(p []byte) (int, error) {
	if c.writesRefused() {
		return 0, braid.ErrClosed
	}
	c.out.append(c.d, p)
	c.queued()
	return len(p), nil
}

func (c *pconn) WriteBuffers(bufs [][]byte) error {
	if err := c.appendBuffers(c.d, bufs); err != nil {
		return err
	}
	c.queued()
	return nil
}

func (c *pconn) queued() {
	c.d.queueFlush(c, &c.connCommon)
	if c.flags&fPush != 0 {
		c.pauseAboveHighWater(c, c.Buffered())
	}
}

// flush hands the pending output to the writer goroutine, unless it is busy
// (then written hands it over when the writer reports back).
func (c *pconn) flush() {
	if c.flags&fClosed != 0 || c.writing {
		return
	}
	if c.out.size == 0 {
		c.drained(false)
		return
	}
	bufs := c.wbufs[:0]
	for i := range c.out.chunks {
		bufs = append(bufs, c.out.segment(i))
	}
	c.wbufs = bufs
	c.inflight = c.out.size
	c.writing = true
	// The chunks now belong to the writer until it reports back; the
	// output goes on in the slice the last batch used.
	spare := c.wchunks[:0]
	c.wchunks = c.out.chunks
	c.out = outbuf{chunks: spare}
	select {
	case c.writeCh <- bufs:
	case <-c.stop:
	}
}

// written runs on the loop when the writer has finished a batch.
func (c *pconn) written(n int64, err error) {
	c.writing = false
	c.inflight = 0
	for i, ch := range c.wchunks {
		c.d.putChunk(ch)
		c.wchunks[i] = nil
	}
	c.wchunks = c.wchunks[:0]
	clear(c.wbufs)
	if c.flags&fClosed != 0 {
		return
	}
	if err != nil {
		c.closeNow(err, reasonLost)
		return
	}
	c.resumeBelowLowWater(c, c.Buffered())
	if c.out.size > 0 {
		c.flush()
		return
	}
	c.drained(true)
}

// drained runs when the writer has nothing more to send.
func (c *pconn) drained(had bool) {
	if c.flags&fClosed != 0 || c.writing || c.out.size > 0 {
		return
	}
	c.outputDrained(c, had)
}

func (c *pconn) shutdownWrite() {
	c.flags &^= fWriteClosing
	c.flags |= fWriteClosed
	if cw, ok := c.nc.(interface{ CloseWrite() error }); ok {
		if err := cw.CloseWrite(); err != nil {
			c.closeNow(err, reasonLost)
			return
		}
	}
	c.afterShutdownWrite(c)
}

func (c *pconn) Close() error { return c.closeGracefully(c) }

func (c *pconn) Abort() error {
	c.closeNow(nil, reasonAbort)
	return nil
}

func (c *pconn) CloseWrite() error { return c.closeWrite(c) }

func (c *pconn) closeNow(cause error, kind closeKind) {
	if c.flags&fClosed != 0 {
		return
	}
	c.flags |= fClosed
	d := c.d
	c.nc.Close()
	close(c.stop)
	d.connClosed(c, cause, kind)
}

func (c *pconn) PauseProducing() {
	c.flags |= fReadPaused
}

func (c *pconn) ResumeProducing() {
	if c.flags&fReadPaused == 0 {
		return
	}
	c.flags &^= fReadPaused
	if p := c.held; p != nil && c.flags&(fClosed|fClosing) == 0 {
		c.held = nil
		c.dataReceived(p)
		c.ack <- struct{}{}
	}
}

func (c *pconn) StopProducing() { c.Close() }

func (c *pconn) LocalAddr() net.Addr  { return c.nc.LocalAddr() }
func (c *pconn) RemoteAddr() net.Addr { return c.nc.RemoteAddr() }

func (c *pconn) RegisterProducer(p braid.Producer) error { return c.registerProducer(c, p) }

func (c *pconn) Buffered() int { return c.out.size + c.inflight }

func (c *pconn) SetNoDelay(on bool) error {
	tc, ok := c.nc.(*net.TCPConn)
	if !ok {
		return braid.ErrNotSupported
	}
	return tc.SetNoDelay(on)
}

func (c *pconn) SetKeepAlive(on bool, period time.Duration) error {
	tc, ok := c.nc.(*net.TCPConn)
	if !ok {
		return braid.ErrNotSupported
	}
	if err := tc.SetKeepAlive(on); err != nil || !on || period <= 0 {
		return err
	}
	return tc.SetKeepAlivePeriod(period)
}

func (c *pconn) Loop() braid.Loop { return c.d.l }
