package endpoints

import (
	"crypto/tls"
	"net"
	"time"

	"github.com/braid-net/braid"
)

// tlsTransport is the braid.Transport the inner protocol of a TLS
// connection writes to: writes are encrypted on the spot and the records go
// to the real transport, whose buffer, producer and backpressure apply
// unchanged.
type tlsTransport tlsConn

var (
	_ braid.Transport = (*tlsTransport)(nil)
	_ TLSInfo         = (*tlsTransport)(nil)
)

func (t *tlsTransport) c() *tlsConn { return (*tlsConn)(t) }

func (t *tlsTransport) Write(p []byte) (int, error) {
	c := t.c()
	if c.state != tlsOpen || c.closing {
		return 0, braid.ErrClosed
	}
	n, err := c.conn.Write(p)
	c.flush()
	return n, err
}

func (t *tlsTransport) WriteBuffers(bufs [][]byte) error {
	c := t.c()
	if c.state != tlsOpen || c.closing {
		return braid.ErrClosed
	}
	for _, b := range bufs {
		if _, err := c.conn.Write(b); err != nil {
			return err
		}
	}
	c.flush()
	return nil
}

// Close sends close_notify, then closes the connection after its output.
func (t *tlsTransport) Close() error {
	c := t.c()
	if c.state != tlsOpen {
		return braid.ErrClosed
	}
	if !c.closing {
		c.closing = true
		c.conn.CloseWrite()
		c.flush()
	}
	return c.t.Close()
}

func (t *tlsTransport) Abort() error { return t.c().t.Abort() }

// CloseWrite sends close_notify and shuts the write side; reading goes on.
func (t *tlsTransport) CloseWrite() error {
	c := t.c()
	if c.state != tlsOpen || c.closing {
		return braid.ErrClosed
	}
	c.closing = true
	c.conn.CloseWrite()
	c.flush()
	return c.t.CloseWrite()
}

func (t *tlsTransport) LocalAddr() net.Addr  { return t.c().t.LocalAddr() }
func (t *tlsTransport) RemoteAddr() net.Addr { return t.c().t.RemoteAddr() }

func (t *tlsTransport) PauseProducing() {
	c := t.c()
	c.readPaused = true
	c.t.PauseProducing()
}

func (t *tlsTransport) ResumeProducing() {
	c := t.c()
	if !c.readPaused {
		return
	}
	c.readPaused = false
	c.t.ResumeProducing()
	// Plaintext may wait inside crypto/tls or ciphertext in the pipe.
	c.loop.CallSoon(c.readLoop)
}

func (t *tlsTransport) StopProducing()                          { t.Close() }
func (t *tlsTransport) RegisterProducer(p braid.Producer) error { return t.c().t.RegisterProducer(p) }
func (t *tlsTransport) UnregisterProducer()                     { t.c().t.UnregisterProducer() }
func (t *tlsTransport) Buffered() int                           { return t.c().t.Buffered() }
func (t *tlsTransport) SetNoDelay(on bool) error                { return t.c().t.SetNoDelay(on) }
func (t *tlsTransport) SetKeepAlive(on bool, d time.Duration) error {
	return t.c().t.SetKeepAlive(on, d)
}
func (t *tlsTransport) Loop() braid.Loop { return t.c().loop }

// ConnectionState reports the negotiated parameters (ALPN, version, peer
// certificates).
func (t *tlsTransport) ConnectionState() tls.ConnectionState { return t.c().conn.ConnectionState() }
