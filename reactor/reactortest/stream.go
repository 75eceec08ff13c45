package reactortest

import (
	"errors"
	"io"
	"math/rand/v2"
	"net"
	"testing"
	"time"

	"github.com/braid-net/braid"
)

// testEchoRandomChunks streams StreamBytes through an echo server with
// writes and reads of random sizes, and compares checksums: nothing lost,
// duplicated, reordered or corrupted, and no buffer as large as the stream.
func testEchoRandomChunks(t *testing.T, build Builder, o Options) {
	h := newHarness(t, build, o)
	made := make(chan *probe, 1)
	ln := h.listen("tcp", "127.0.0.1:0", echoFactory(made), nil)
	h.run()
	c := h.dial(ln)
	c.SetDeadline(time.Now().Add(2 * o.Timeout))

	sent := newStream(1)
	writeErr := make(chan error, 1)
	go func() {
		rng := rand.New(rand.NewPCG(1, 1))
		buf := make([]byte, 256<<10)
		left := o.StreamBytes
		for left > 0 {
			n := min(left, 1+rng.IntN(len(buf)))
			sent.fill(buf[:n])
			if _, err := c.Write(buf[:n]); err != nil {
				writeErr <- err
				return
			}
			left -= n
		}
		writeErr <- c.(interface{ CloseWrite() error }).CloseWrite()
	}()
	got, err := readAll(c, rand.New(rand.NewPCG(2, 2)))
	if err != nil {
		t.Fatalf("read after %d bytes: %v", got.n, err)
	}
	if err := wait(t, o, writeErr, "the writer"); err != nil {
		t.Fatalf("write: %v", err)
	}
	if got.n != sent.n || got.sum.Sum32() != sent.sum.Sum32() {
		t.Errorf("echo: got %d bytes (crc %08x); want %d (crc %08x)", got.n, got.sum.Sum32(), sent.n, sent.sum.Sum32())
	}
	wantKind(t, "server", wait(t, o, wait(t, o, made, "ConnectionMade").lost, "ConnectionLost"), braid.ErrConnectionDone)
}

// testHalfCloseFromClient: the client shuts its write side; a HalfCloser
// server hears ReadConnectionLost after all the data, and can still answer.
func testHalfCloseFromClient(t *testing.T, build Builder, o Options) {
	h := newHarness(t, build, o)
	received := make(chan string, 1)
	ln, servers := listenHalfCloser(h, nil, func(p *probe, got string) {
		received <- got
		p.t.Write([]byte("reply after EOF"))
		p.t.Close()
	})
	h.run()
	c := h.dial(ln)
	c.Write([]byte("request"))
	c.(*net.TCPConn).CloseWrite()
	if got := wait(t, o, received, "ReadConnectionLost"); got != "request" {
		t.Errorf("received before EOF: got %q; want %q", got, "request")
	}
	reply, err := io.ReadAll(c)
	if err != nil || string(reply) != "reply after EOF" {
		t.Errorf("reply: got %q, %v; want %q then EOF", reply, err, "reply after EOF")
	}
	wantKind(t, "server", wait(t, o, wait(t, o, servers, "the server").lost, "ConnectionLost"), braid.ErrConnectionDone)
}

// testHalfCloseFromServer: the server calls CloseWrite; the client reads
// EOF, then writes, and the server still receives.
func testHalfCloseFromServer(t *testing.T, build Builder, o Options) {
	h := newHarness(t, build, o)
	received := make(chan string, 1)
	ln, servers := listenHalfCloser(h, func(p *probe) {
		p.t.Write([]byte("greeting"))
		if err := p.t.CloseWrite(); err != nil {
			panic("CloseWrite: " + err.Error())
		}
		if _, err := p.t.Write([]byte("x")); !errors.Is(err, braid.ErrClosed) {
			panic("Write after CloseWrite did not fail with ErrClosed")
		}
	}, func(p *probe, got string) {
		received <- got
		p.t.Close()
	})
	h.run()
	c := h.dial(ln)
	greeting, err := io.ReadAll(c)
	if err != nil || string(greeting) != "greeting" {
		t.Fatalf("read: got %q, %v; want %q then EOF", greeting, err, "greeting")
	}
	if _, err := c.Write([]byte("still talking")); err != nil {
		t.Fatalf("write after the server's CloseWrite: %v", err)
	}
	c.(*net.TCPConn).CloseWrite()
	if got := wait(t, o, received, "ReadConnectionLost"); got != "still talking" {
		t.Errorf("server received: got %q; want %q", got, "still talking")
	}
	wantKind(t, "server", wait(t, o, wait(t, o, servers, "the server").lost, "ConnectionLost"), braid.ErrConnectionDone)
}

// listenHalfCloser listens on loopback with HalfCloser servers that run
// made (if set) at ConnectionMade and, at the end of input, hand eof what
// they received. Each server is sent on the channel returned.
func listenHalfCloser(h *harness, made func(p *probe), eof func(p *probe, got string)) (braid.Listener, <-chan *probe) {
	h.t.Helper()
	servers := make(chan *probe, 1)
	ln := h.listen("tcp", "127.0.0.1:0", braid.FactoryFunc(func(net.Addr) braid.Protocol {
		p := newProbe()
		var got []byte
		p.made = made
		p.data = func(p *probe, b []byte) { got = append(got, b...) }
		servers <- p
		return halfProbe{probe: p, eof: func(p *probe) { eof(p, string(got)) }}
	}), nil)
	return ln, servers
}

// testEOFClosesPlainProtocol: a protocol that is not a HalfCloser loses the
// connection cleanly when the peer stops writing.
func testEOFClosesPlainProtocol(t *testing.T, build Builder, o Options) {
	h := newHarness(t, build, o)
	made := make(chan *probe, 1)
	ln := h.listen("tcp", "127.0.0.1:0", echoFactory(made), nil)
	h.run()
	c := h.dial(ln)
	c.Write([]byte("last words"))
	c.(*net.TCPConn).CloseWrite()
	wantKind(t, "server", wait(t, o, wait(t, o, made, "ConnectionMade").lost, "ConnectionLost"), braid.ErrConnectionDone)
	rest, err := io.ReadAll(c)
	if err != nil {
		t.Errorf("read after EOF: %v", err)
	}
	if len(rest) > len("last words") {
		t.Errorf("read: got %q", rest)
	}
}

// bulkServer writes n stream bytes on ConnectionMade, then calls end.
func bulkServer(n int, seed byte, end func(p *probe), made chan<- *probe) braid.Factory {
	return braid.FactoryFunc(func(net.Addr) braid.Protocol {
		p := newProbe()
		p.made = func(p *probe) {
			s := newStream(seed)
			buf := make([]byte, 64<<10)
			for left := n; left > 0; left -= len(buf) {
				b := buf[:min(left, len(buf))]
				s.fill(b)
				if _, err := p.t.Write(b); err != nil {
					panic("Write: " + err.Error())
				}
			}
			end(p)
			made <- p
		}
		return p
	})
}

// testCloseFlushes: Close sends everything buffered before closing.
func testCloseFlushes(t *testing.T, build Builder, o Options) {
	const n = 8 << 20
	h := newHarness(t, build, o)
	made := make(chan *probe, 1)
	ln := h.listen("tcp", "127.0.0.1:0", bulkServer(n, 3, func(p *probe) {
		p.t.Close()
		if _, err := p.t.Write([]byte("x")); !errors.Is(err, braid.ErrClosed) {
			panic("Write after Close did not fail with ErrClosed")
		}
	}, made), nil)
	h.run()
	c := h.dial(ln)
	want := newStream(3)
	want.fill(make([]byte, n))
	got, err := readAll(c, rand.New(rand.NewPCG(3, 3)))
	if err != nil {
		t.Fatalf("read after %d bytes: %v", got.n, err)
	}
	if got.n != n || got.sum.Sum32() != want.sum.Sum32() {
		t.Errorf("received %d bytes (crc %08x); want %d (crc %08x)", got.n, got.sum.Sum32(), n, want.sum.Sum32())
	}
	wantKind(t, "server", wait(t, o, wait(t, o, made, "ConnectionMade").lost, "ConnectionLost"), braid.ErrConnectionDone)
}

// testAbortDrops: Abort drops what is buffered; the peer gets less than was
// written, and the protocol hears ErrConnectionAborted.
func testAbortDrops(t *testing.T, build Builder, o Options) {
	const n = 64 << 20 // far more than loopback socket buffers hold
	h := newHarness(t, build, o)
	made := make(chan *probe, 1)
	ln := h.listen("tcp", "127.0.0.1:0", bulkServer(n, 4, func(p *probe) {
		p.t.Abort()
		if _, err := p.t.Write([]byte("x")); !errors.Is(err, braid.ErrClosed) {
			panic("Write after Abort did not fail with ErrClosed")
		}
	}, made), nil)
	h.run()
	c := h.dial(ln)
	server := wait(t, o, made, "ConnectionMade")
	wantKind(t, "server", wait(t, o, server.lost, "ConnectionLost"), braid.ErrConnectionAborted)
	got, _ := readAll(c, rand.New(rand.NewPCG(4, 4))) // EOF or reset: both fine
	if got.n >= n {
		t.Errorf("received %d bytes after Abort; want fewer than the %d written", got.n, n)
	}
}

// producer writes chunks into its transport until paused, and records the
// largest output the transport held after a write.
type producer struct {
	p               *probe
	chunk           []byte
	left            int
	paused          bool
	pauses, resumes int
	maxBuffered     int
	firstPause      chan struct{}
	done            chan struct{}
}

func (pr *producer) PauseProducing() {
	pr.paused = true
	if pr.pauses == 0 {
		close(pr.firstPause)
	}
	pr.pauses++
}

func (pr *producer) ResumeProducing() {
	pr.resumes++
	if pr.paused {
		pr.paused = false
		pr.p.t.Loop().CallSoon(pr.run)
	}
}

func (pr *producer) StopProducing() { pr.left = 0 }

// run writes one chunk per loop turn, as a producer fed by a source would.
func (pr *producer) run() {
	if pr.paused || pr.left == 0 {
		return
	}
	n := min(pr.left, len(pr.chunk))
	pr.p.t.Write(pr.chunk[:n])
	pr.left -= n
	pr.maxBuffered = max(pr.maxBuffered, pr.p.t.Buffered())
	if pr.left == 0 {
		pr.p.t.UnregisterProducer()
		pr.p.t.Close()
		close(pr.done)
		return
	}
	pr.p.t.Loop().CallSoon(pr.run)
}

// testSlowReaderProducer: a server streams to a client that does not read
// at first. The push producer must be paused, the server's output must stay
// under the high-water mark plus one write, and everything must arrive once
// the client reads.
func testSlowReaderProducer(t *testing.T, build Builder, o Options) {
	const total, chunk = 32 << 20, 16 << 10
	h := newHarness(t, build, o)
	prods := make(chan *producer, 1)
	ln := h.listen("tcp", "127.0.0.1:0", braid.FactoryFunc(func(net.Addr) braid.Protocol {
		p := newProbe()
		p.made = func(p *probe) {
			pr := &producer{p: p, chunk: make([]byte, chunk), left: total,
				firstPause: make(chan struct{}), done: make(chan struct{})}
			for i := range pr.chunk {
				pr.chunk[i] = byte(i)
			}
			if err := p.t.RegisterProducer(pr); err != nil {
				panic("RegisterProducer: " + err.Error())
			}
			if err := p.t.RegisterProducer(pr); !errors.Is(err, braid.ErrProducerRegistered) {
				panic("second RegisterProducer did not fail with ErrProducerRegistered")
			}
			prods <- pr
			pr.run()
		}
		return p
	}), nil)
	h.run()
	c := h.dial(ln)
	pr := wait(t, o, prods, "ConnectionMade")
	wait(t, o, pr.firstPause, "the producer to be paused while the client does not read")
	got, err := readAll(c, rand.New(rand.NewPCG(5, 5)))
	if err != nil {
		t.Fatalf("read after %d bytes: %v", got.n, err)
	}
	wait(t, o, pr.done, "the producer to finish")
	wantKind(t, "server", wait(t, o, pr.p.lost, "ConnectionLost"), braid.ErrConnectionDone)
	// The loop is done with pr: its fields are safe to read.
	if got.n != total {
		t.Errorf("received %d bytes; want %d", got.n, total)
	}
	if limit := o.HighWater + chunk; pr.maxBuffered > limit {
		t.Errorf("largest server output: got %d bytes; want at most %d (high-water mark + one write)", pr.maxBuffered, limit)
	}
	if pr.pauses == 0 || pr.resumes == 0 {
		t.Errorf("pauses, resumes: got %d, %d; want both above 0", pr.pauses, pr.resumes)
	}
	t.Logf("pauses %d, resumes %d, largest output %d bytes", pr.pauses, pr.resumes, pr.maxBuffered)
}

// streamWriter is a push producer that writes a stream in chunks of random
// sizes, one per loop turn, then shuts its write side.
type streamWriter struct {
	p      *probe
	src    *stream
	rng    *rand.Rand
	buf    []byte
	left   int
	paused bool
}

func (w *streamWriter) PauseProducing() { w.paused = true }

func (w *streamWriter) ResumeProducing() {
	if w.paused {
		w.paused = false
		w.p.t.Loop().CallSoon(w.run)
	}
}

func (w *streamWriter) StopProducing() { w.left = 0 }

func (w *streamWriter) run() {
	if w.paused || w.left == 0 {
		return
	}
	n := min(w.left, 1+w.rng.IntN(len(w.buf)))
	w.src.fill(w.buf[:n])
	w.p.t.Write(w.buf[:n])
	w.left -= n
	if w.left == 0 {
		w.p.t.UnregisterProducer()
		w.p.t.CloseWrite()
		return
	}
	w.p.t.Loop().CallSoon(w.run)
}

// testClientEcho streams through the reactor at both ends: a braid client
// writes a stream in random chunks with a push producer while it reads the
// echo back from a braid server, and checksums it.
func testClientEcho(t *testing.T, build Builder, o Options) {
	total := o.StreamBytes / 4
	h := newHarness(t, build, o)
	made := make(chan *probe, 1)
	ln := h.listen("tcp", "127.0.0.1:0", echoFactory(made), nil)
	h.run()
	w := &streamWriter{src: newStream(7), rng: rand.New(rand.NewPCG(7, 7)), buf: make([]byte, 64<<10), left: total}
	got := newSink()
	client := newProbe()
	client.made = func(p *probe) {
		w.p = p
		if err := p.t.RegisterProducer(w); err != nil {
			panic("RegisterProducer: " + err.Error())
		}
		w.run()
	}
	client.data = func(p *probe, b []byte) { got.Write(b) }
	cf := newClientFactory(client)
	h.on(h.r, func() { h.r.Connect("tcp", ln.Addr().String(), cf, nil) })
	wantKind(t, "client", wait(t, o, client.lost, "the client's ConnectionLost"), braid.ErrConnectionDone)
	// The client's callbacks, which fed w and got, are over.
	if got.n != int64(total) || got.sum.Sum32() != w.src.sum.Sum32() {
		t.Errorf("echo: got %d bytes (crc %08x); want %d (crc %08x)", got.n, got.sum.Sum32(), total, w.src.sum.Sum32())
	}
	wantKind(t, "server", wait(t, o, wait(t, o, made, "ConnectionMade").lost, "ConnectionLost"), braid.ErrConnectionDone)
}
