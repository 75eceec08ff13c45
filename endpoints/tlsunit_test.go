package endpoints

import (
	"bytes"
	"crypto/tls"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/braid-net/braid"
	"github.com/braid-net/braid/braidtest"
	"github.com/braid-net/braid/internal/testcert"
	"github.com/braid-net/braid/task"
)

// kickLoop is a task.Clock that also signals when a goroutine queues work,
// so a test can wait for the handshake goroutine instead of polling.
type kickLoop struct {
	*task.Clock
	kick chan struct{}
}

func (k *kickLoop) CallFromGoroutine(f func()) error {
	k.Clock.CallFromGoroutine(f)
	select {
	case k.kick <- struct{}{}:
	default:
	}
	return nil
}

// recorder is an inner protocol that keeps what it hears.
type recorder struct {
	t       braid.Transport
	got     bytes.Buffer
	eof     bool
	lost    error
	echo    bool
	made    bool
	halfCls bool
}

func (r *recorder) ConnectionMade(t braid.Transport) { r.t, r.made = t, true }
func (r *recorder) DataReceived(p []byte) {
	if r.echo {
		r.t.Write(p)
		return
	}
	r.got.Write(p)
}
func (r *recorder) ConnectionLost(reason error) { r.lost = reason }

type halfRecorder struct{ recorder }

func (r *halfRecorder) ReadConnectionLost() { r.eof = true }

// tlsPair is a client and a server tlsConn joined by StringTransports.
type tlsPair struct {
	loop           *kickLoop
	ct, st         *braidtest.StringTransport
	client, server *tlsConn
	cerr, serr     error
	cdone, sdone   bool
}

func newTLSPair(t *testing.T, client, server braid.Protocol, serverCfg func(*tls.Config)) *tlsPair {
	t.Helper()
	ca := testcert.NewCA(t)
	file := ca.Issue(t, filepath.Join(ca.Dir, "s.pem"), testcert.Server, "a.test")
	cert, err := tls.LoadX509KeyPair(file, file)
	if err != nil {
		t.Fatal(err)
	}
	scfg := &tls.Config{Certificates: []tls.Certificate{cert}}
	if serverCfg != nil {
		serverCfg(scfg)
	}
	p := &tlsPair{loop: &kickLoop{Clock: task.NewClock(), kick: make(chan struct{}, 1)}}
	p.ct = braidtest.NewStringTransport(&braidtest.TransportConfig{Loop: p.loop})
	p.st = braidtest.NewStringTransport(&braidtest.TransportConfig{Loop: p.loop})
	p.client = newTLSConn(ca.ClientConfig("a.test"), true, func() braid.Protocol { return client },
		func(_ braid.Protocol, err error) { p.cdone, p.cerr = true, err }, time.Second)
	p.server = newTLSConn(scfg, false, func() braid.Protocol { return server },
		func(_ braid.Protocol, err error) { p.sdone, p.serr = true, err }, time.Second)
	p.ct.MakeConnection(p.client)
	p.st.MakeConnection(p.server)
	p.handshake(t)
	return p
}

// pump moves bytes both ways until neither side has output.
func (p *tlsPair) pump() bool {
	moved := false
	for {
		p.loop.Flush()
		a, b := p.ct.Value(), p.st.Value()
		if len(a) == 0 && len(b) == 0 {
			return moved
		}
		moved = true
		if len(a) > 0 {
			buf := append([]byte(nil), a...)
			p.ct.Clear()
			p.st.Receive(buf)
		}
		if len(b) > 0 {
			buf := append([]byte(nil), b...)
			p.st.Clear()
			p.ct.Receive(buf)
		}
	}
}

func (p *tlsPair) handshake(t *testing.T) {
	t.Helper()
	deadline := time.After(waitFor)
	for !(p.cdone && p.sdone) {
		if p.pump() || (p.cdone && p.sdone) {
			continue
		}
		select {
		case <-p.loop.kick:
		case <-deadline:
			t.Fatalf("handshake did not finish within %v: client %v %v (state %d), server %v %v (state %d); out %d/%d; client in %d, server in %d", waitFor,
				p.cdone, p.cerr, p.client.state, p.sdone, p.serr, p.server.state, len(p.ct.Value()), len(p.st.Value()), len(p.client.pipe.in), len(p.server.pipe.in))
		}
	}
}

func TestTLSLayerEchoAndClose(t *testing.T) {
	c, s := &recorder{}, &recorder{echo: true}
	p := newTLSPair(t, c, s, nil)
	if p.cerr != nil || p.serr != nil || !c.made || !s.made {
		t.Fatalf("handshake: client %v, server %v", p.cerr, p.serr)
	}
	for _, n := range []int{1, 1000, 16384, 70000} {
		c.got.Reset()
		msg := bytes.Repeat([]byte{'x'}, n)
		c.t.Write(msg)
		p.pump()
		if c.got.Len() != n {
			t.Fatalf("echo of %d bytes: got %d", n, c.got.Len())
		}
	}
	// Close sends close_notify; the server (not a half-closer) closes too.
	c.t.Close()
	p.pump()
	p.loop.Flush()
	if !p.st.Closing() {
		t.Fatal("server did not close after the client's close_notify")
	}
}

func TestTLSLayerHalfClose(t *testing.T) {
	c, s := &recorder{}, &halfRecorder{}
	p := newTLSPair(t, c, s, nil)
	c.t.CloseWrite()
	p.pump()
	if !s.eof {
		t.Fatal("half-closing server not told of the client's close_notify")
	}
	// The server may still write.
	s.t.Write([]byte("after"))
	p.pump()
	if got := c.got.String(); got != "after" {
		t.Fatalf("client got %q after half-close; want %q", got, "after")
	}
}

func TestTLSLayerPause(t *testing.T) {
	c, s := &recorder{}, &recorder{}
	p := newTLSPair(t, c, s, nil)
	s.t.PauseProducing()
	c.t.Write([]byte("held"))
	p.pump()
	if s.got.Len() != 0 {
		t.Fatalf("paused server got %q", s.got.String())
	}
	s.t.ResumeProducing()
	p.pump()
	if got := s.got.String(); got != "held" {
		t.Fatalf("after resume: got %q; want %q", got, "held")
	}
}

func TestTLSLayerCorruptRecord(t *testing.T) {
	c, s := &recorder{}, &recorder{}
	p := newTLSPair(t, c, s, nil)
	c.t.Write([]byte("secret"))
	rec := append([]byte(nil), p.ct.Value()...)
	p.ct.Clear()
	rec[len(rec)-1] ^= 0xff // break the AEAD tag
	p.st.Receive(rec)
	p.loop.Flush()
	if !p.st.Aborted() {
		t.Fatal("server did not abort on a corrupt record")
	}
	if !errors.Is(s.lost, braid.ErrConnectionLost) {
		t.Fatalf("server protocol lost: got %v; want ErrConnectionLost", s.lost)
	}
	if s.got.Len() != 0 {
		t.Fatalf("server delivered %q from a corrupt record", s.got.String())
	}
}

func TestTLSLayerHandshakeTimeout(t *testing.T) {
	loop := &kickLoop{Clock: task.NewClock(), kick: make(chan struct{}, 1)}
	st := braidtest.NewStringTransport(&braidtest.TransportConfig{Loop: loop})
	var got error
	c := newTLSConn(&tls.Config{}, false, func() braid.Protocol { return &recorder{} },
		func(_ braid.Protocol, err error) { got = err }, 2*time.Second)
	st.MakeConnection(c)
	loop.Advance(2 * time.Second)
	if !errors.Is(got, ErrHandshakeTimeout) || !errors.Is(got, braid.ErrTimeout) {
		t.Fatalf("got %v; want ErrHandshakeTimeout", got)
	}
	if !st.Aborted() {
		t.Fatal("transport not aborted after the handshake timeout")
	}
}

// TestTLSLayerAllocs: once established, a message through the layer
// (encrypt, write, read, decrypt, deliver) allocates nothing of ours. The
// only allocations left are crypto/tls's own: readFromUntil allocates an
// atLeastReader each time it reads (for the record header and then for the
// body), over any net.Conn, so two per record received; an echo receives
// two records.
func TestTLSLayerAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are meaningless under the race detector")
	}
	c, s := &recorder{}, &recorder{echo: true}
	p := newTLSPair(t, c, s, nil)
	msg := bytes.Repeat([]byte{'m'}, 64)
	// Move bytes without the pump's copies: they are the test's, not ours.
	var a, b []byte
	step := func() {
		c.t.Write(msg)
		a = append(a[:0], p.ct.Value()...)
		p.ct.Clear()
		p.st.Receive(a)
		b = append(b[:0], p.st.Value()...)
		p.st.Clear()
		p.ct.Receive(b)
		c.got.Reset()
	}
	for i := 0; i < 100; i++ {
		step()
	}
	const cryptoTLS = 4 // see above
	if n := testing.AllocsPerRun(1000, step); n > cryptoTLS {
		t.Fatalf("allocations per echoed message: got %v; want at most %d (crypto/tls's own)", n, cryptoTLS)
	}
}

// BenchmarkTLSLayerEcho echoes 64 bytes through two TLS layers joined in
// memory: the cost of the layer itself, without sockets.
func BenchmarkTLSLayerEcho(b *testing.B) {
	t := &testing.T{}
	c, s := &recorder{}, &recorder{echo: true}
	p := newTLSPair(t, c, s, nil)
	msg := bytes.Repeat([]byte{'m'}, 64)
	var x, y []byte
	b.ReportAllocs()
	b.SetBytes(int64(len(msg)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		c.t.Write(msg)
		x = append(x[:0], p.ct.Value()...)
		p.ct.Clear()
		p.st.Receive(x)
		y = append(y[:0], p.st.Value()...)
		p.st.Clear()
		p.ct.Receive(y)
		c.got.Reset()
	}
}
