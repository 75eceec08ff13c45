package endpoints

import (
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"time"

	"github.com/braid-net/braid"
)

// TLSInfo is implemented by the transport a protocol gets under TLS: it
// tells the negotiated protocol (ALPN), the version, the server name and the
// peer's certificates. Check for it with a type assertion on the transport.
type TLSInfo interface {
	ConnectionState() tls.ConnectionState
}

// TLSOptions tune the TLS layer.
type TLSOptions struct {
	// HandshakeTimeout bounds the handshake; 0 means DefaultHandshakeTimeout.
	HandshakeTimeout time.Duration
	// OnHandshakeError hears of server handshakes that failed (the
	// protocol was never built, so nothing else does). It runs on the loop.
	OnHandshakeError func(remote net.Addr, err error)
}

// ErrHandshakeTimeout ends a handshake that took longer than allowed.
var ErrHandshakeTimeout = fmt.Errorf("endpoints: tls handshake: %w", braid.ErrTimeout)

// TLSFactory wraps f so that every connection speaks TLS with cfg as the
// server. f builds the protocol once the handshake has succeeded, so it sees
// the negotiated parameters through TLSInfo from ConnectionMade on.
func TLSFactory(cfg *tls.Config, f braid.Factory, opts *TLSOptions) braid.Factory {
	tf := &tlsFactory{cfg: cfg, f: f}
	if opts != nil {
		tf.opts = *opts
	}
	return tf
}

type tlsFactory struct {
	cfg  *tls.Config
	f    braid.Factory
	opts TLSOptions
}

func (tf *tlsFactory) BuildProtocol(remote net.Addr) braid.Protocol {
	return newTLSConn(tf.cfg, false, func() braid.Protocol { return tf.f.BuildProtocol(remote) },
		func(p braid.Protocol, err error) {
			if err != nil && tf.opts.OnHandshakeError != nil {
				tf.opts.OnHandshakeError(remote, err)
			}
		}, tf.opts.HandshakeTimeout)
}

func (tf *tlsFactory) StartFactory() { braid.StartFactory(tf.f) }
func (tf *tlsFactory) StopFactory()  { braid.StopFactory(tf.f) }

// StartTLS begins TLS on a connection that has so far been plain (SMTP's
// STARTTLS, IMAP, POP3, FTP's AUTH TLS). It returns the layer: from now on
// the caller's protocol must pass every DataReceived, ReadConnectionLost and
// ConnectionLost it gets from t to the layer, and write nothing more to t
// itself. After the handshake inner's ConnectionMade is called with a
// transport that encrypts; established then reports the outcome (an error
// means the connection is being closed).
func StartTLS(t braid.Transport, cfg *tls.Config, client bool, inner braid.Protocol, established func(error)) braid.Protocol {
	c := newTLSConn(cfg, client, func() braid.Protocol { return inner }, func(_ braid.Protocol, err error) {
		if established != nil {
			established(err)
		}
	}, 0)
	c.ConnectionMade(t)
	return c
}

type tlsState uint8

const (
	tlsHandshaking tlsState = iota
	tlsLosing               // lost mid-handshake: waiting for the handshake's verdict
	tlsOpen
	tlsClosed
)

// tlsConn is the protocol that sits on the raw transport and runs TLS; its
// transport side (tlsTransport) is what the inner protocol sees.
type tlsConn struct {
	cfg         *tls.Config
	client      bool
	build       func() braid.Protocol
	established func(braid.Protocol, error)
	timeout     time.Duration

	t     braid.Transport
	loop  braid.Loop
	pipe  *tlsPipe
	conn  *tls.Conn
	inner braid.Protocol
	state tlsState
	timer braid.DelayedCall

	readPaused bool // the inner protocol paused reading
	closing    bool // the inner protocol closed its write side
	gotEOF     bool // the peer sent close_notify or closed
	reading    bool // guards readLoop against re-entry
	lostReason error

	flushMu     sync.Mutex
	flushQueued bool
}

func newTLSConn(cfg *tls.Config, client bool, build func() braid.Protocol, established func(braid.Protocol, error), timeout time.Duration) *tlsConn {
	if timeout <= 0 {
		timeout = DefaultHandshakeTimeout
	}
	return &tlsConn{cfg: cfg, client: client, build: build, established: established, timeout: timeout}
}

func (c *tlsConn) ConnectionMade(t braid.Transport) {
	c.t = t
	c.loop = t.Loop()
	c.pipe = newTLSPipe(t.LocalAddr(), t.RemoteAddr())
	c.pipe.onOut = c.queueFlush
	if c.client {
		c.conn = tls.Client(c.pipe, c.cfg)
	} else {
		c.conn = tls.Server(c.pipe, c.cfg)
	}
	c.timer = c.loop.CallLater(c.timeout, c.handshakeTimedOut)
	conn, loop := c.conn, c.loop
	// crypto/tls cannot resume a handshake that returned early, so it runs
	// on a goroutine that blocks on the pipe; the handshake timeout bounds
	// its life. Once done, everything happens on the loop. Handshake, not
	// HandshakeContext: a cancellable context costs crypto/tls a second
	// goroutine per handshake, and closing the pipe already interrupts it.
	go func() {
		err := conn.Handshake()
		if loop.CallFromGoroutine(func() { c.handshakeDone(err) }) != nil {
			c.pipe.Close()
		}
	}()
}

// queueFlush asks the loop to send the handshake's output; calls coalesce.
func (c *tlsConn) queueFlush() {
	c.flushMu.Lock()
	queued := c.flushQueued
	c.flushQueued = true
	c.flushMu.Unlock()
	if !queued {
		c.loop.CallFromGoroutine(func() {
			c.flushMu.Lock()
			c.flushQueued = false
			c.flushMu.Unlock()
			c.flush()
		})
	}
}

// flush hands the pending ciphertext to the real transport.
func (c *tlsConn) flush() {
	c.pipe.takeOut(func(b []byte) { c.t.Write(b) })
}

func (c *tlsConn) handshakeTimedOut() {
	c.timer = nil
	if c.state != tlsHandshaking && c.state != tlsLosing {
		return
	}
	c.fail(ErrHandshakeTimeout)
}

// fail ends a handshake that did not succeed.
func (c *tlsConn) fail(err error) {
	if c.state != tlsHandshaking && c.state != tlsLosing {
		return
	}
	c.state = tlsClosed
	if c.timer != nil && c.timer.Active() {
		c.timer.Cancel()
	}
	c.pipe.Close() // wakes the handshake goroutine so it ends
	c.t.Abort()
	c.established(nil, braid.Lost(err))
}

// handshakeDone takes the handshake goroutine's verdict.
func (c *tlsConn) handshakeDone(err error) {
	if c.state == tlsLosing {
		// The connection went first, often because the peer closed it
		// on the alert this handshake sent: the handshake's own error
		// (a certificate it refused, say) says more than the loss,
		// unless it is only the loss seen from the pipe.
		lost := fmt.Errorf("endpoints: tls handshake: connection lost: %w", c.lostReason)
		if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, net.ErrClosed) {
			lost = fmt.Errorf("endpoints: tls handshake: %w", err)
		}
		c.lostReason = nil
		c.fail(lost)
		return
	}
	if c.state != tlsHandshaking {
		return // already failed (timeout)
	}
	if err != nil {
		c.flush() // send crypto/tls's alert before closing
		c.state = tlsClosed
		c.timer.Cancel()
		c.pipe.Close()
		c.t.Close()
		c.established(nil, braid.Lost(fmt.Errorf("endpoints: tls handshake: %w", err)))
		return
	}
	c.timer.Cancel()
	c.timer = nil // an idle connection keeps only what it needs
	c.pipe.setBlocking(false)
	c.state = tlsOpen
	c.flush()
	c.inner = c.build()
	c.build = nil
	if c.inner == nil {
		c.state = tlsClosed
		c.conn.CloseWrite()
		c.flush()
		c.t.Close()
		c.established(nil, braid.ErrRefused)
		return
	}
	c.inner.ConnectionMade((*tlsTransport)(c))
	c.established(c.inner, nil)
	c.readLoop()
}

func (c *tlsConn) DataReceived(b []byte) {
	if c.state == tlsClosed {
		return
	}
	c.pipe.feed(b)
	if c.state == tlsOpen {
		c.readLoop()
	}
}

// plainPool holds the per-read plaintext buffers: one is used for the
// length of a readLoop, so idle connections hold none.
var plainPool = sync.Pool{New: func() any { b := make([]byte, 16<<10); return &b }}

// readLoop decrypts what has arrived and hands it to the inner protocol,
// until crypto/tls needs more ciphertext (errWouldBlock) or reading is
// paused.
func (c *tlsConn) readLoop() {
	if c.reading {
		return
	}
	c.reading = true
	box := plainPool.Get().(*[]byte)
	buf := *box
	defer func() {
		plainPool.Put(box)
		c.reading = false
	}()
	for c.state == tlsOpen && !c.readPaused && !c.gotEOF {
		n, err := c.conn.Read(buf)
		if n > 0 {
			c.inner.DataReceived(buf[:n])
		}
		if err == nil {
			continue
		}
		c.flush() // a post-handshake message may have produced output
		switch {
		case err == errWouldBlock:
			// crypto/tls hands our pipe's error back unwrapped; comparing
			// it directly keeps this path free of allocations.
			return
		case errors.Is(err, io.EOF):
			c.readEOF()
			return
		default:
			c.lostReason = braid.Lost(fmt.Errorf("endpoints: tls: %w", err))
			c.t.Abort()
			return
		}
	}
}

// readEOF: the peer sent close_notify (or closed cleanly at a record
// boundary).
func (c *tlsConn) readEOF() {
	c.gotEOF = true
	if hc, ok := c.inner.(braid.HalfCloser); ok {
		hc.ReadConnectionLost()
		return
	}
	(*tlsTransport)(c).Close()
}

func (c *tlsConn) ReadConnectionLost() {
	c.pipe.feedEOF()
	if c.state == tlsOpen {
		c.readLoop()
	}
}

func (c *tlsConn) ConnectionLost(reason error) {
	switch c.state {
	case tlsHandshaking:
		// Let the handshake end on the input it has, then hear its
		// verdict (handshakeDone); the timeout still bounds the wait.
		c.state, c.lostReason = tlsLosing, reason
		c.pipe.feedEOF()
		return
	case tlsLosing, tlsClosed:
		return
	}
	c.state = tlsClosed
	c.pipe.Close()
	if c.lostReason != nil {
		reason = c.lostReason
	}
	c.inner.ConnectionLost(reason)
}

// ConnectionState reports the negotiated parameters.
func (c *tlsConn) ConnectionState() tls.ConnectionState { return c.conn.ConnectionState() }

// OutputDrained passes the real transport's drain on to an inner protocol
// that wants it: the ciphertext buffer is the inner protocol's output.
func (c *tlsConn) OutputDrained() {
	if d, ok := c.inner.(braid.Drainer); ok && c.state == tlsOpen {
		d.OutputDrained()
	}
}
