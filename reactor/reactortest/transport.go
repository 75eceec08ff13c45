package reactortest

import (
	"fmt"
	"io"
	"net"
	"sync/atomic"
	"testing"
	"time"

	"github.com/braid-net/braid"
)

// testPauseReading: a transport paused with PauseProducing delivers nothing
// until ResumeProducing, then delivers everything.
func testPauseReading(t *testing.T, build Builder, o Options) {
	h := newHarness(t, build, o)
	made := make(chan *probe, 1)
	var received atomic.Int64
	all := make(chan struct{})
	const n = 1 << 20
	ln := h.listen("tcp", "127.0.0.1:0", braid.FactoryFunc(func(net.Addr) braid.Protocol {
		p := newProbe()
		p.made = func(p *probe) {
			p.t.PauseProducing()
			made <- p
		}
		p.data = func(p *probe, b []byte) {
			if received.Add(int64(len(b))) == n {
				close(all)
			}
		}
		return p
	}), nil)
	h.run()
	c := h.dial(ln)
	server := wait(t, o, made, "ConnectionMade")
	go c.Write(make([]byte, n)) // blocks once the kernel's buffers are full
	// Nothing may arrive while paused; a loop timer bounds the look.
	quiet := make(chan struct{})
	h.on(server.t.Loop(), func() { server.t.Loop().CallLater(100*time.Millisecond, func() { close(quiet) }) })
	wait(t, o, quiet, "the quiet period")
	if got := received.Load(); got != 0 {
		t.Fatalf("received %d bytes while reading was paused", got)
	}
	h.on(server.t.Loop(), server.t.ResumeProducing)
	wait(t, o, all, "the data after ResumeProducing")
}

// testPausedThroughEOF: data and the end of the stream arrive while reading
// is paused; after ResumeProducing a HalfCloser server gets all of the data,
// then ReadConnectionLost. (An edge-triggered poller reports such a socket
// once, when resumed: the end of the stream must not wait for another report.)
func testPausedThroughEOF(t *testing.T, build Builder, o Options) {
	const n = 48<<10 + 100 // fits in loopback's socket buffers; no multiple of a read buffer
	h := newHarness(t, build, o)
	received := make(chan string, 1)
	made := make(chan *probe, 1)
	ln, _ := listenHalfCloser(h, func(p *probe) {
		p.t.PauseProducing()
		made <- p
	}, func(p *probe, got string) {
		received <- got
		p.t.Close()
	})
	h.run()
	c := h.dial(ln)
	server := wait(t, o, made, "ConnectionMade")
	want := make([]byte, n)
	for i := range want {
		want[i] = byte('a' + i%26)
	}
	if _, err := c.Write(want); err != nil {
		t.Fatalf("write: %v", err)
	}
	// Over loopback the kernel delivers as it sends: once Write and
	// CloseWrite return, the data and the FIN wait in the paused server's
	// socket.
	c.(*net.TCPConn).CloseWrite()
	h.on(server.t.Loop(), server.t.ResumeProducing)
	if got := wait(t, o, received, "ReadConnectionLost"); got != string(want) {
		t.Errorf("received before EOF: %d bytes; want %d", len(got), n)
	}
	wantKind(t, "server", wait(t, o, server.lost, "ConnectionLost"), braid.ErrConnectionDone)
}

// pullProducer writes one chunk each time it is asked, then unregisters
// and closes.
type pullProducer struct {
	p     *probe
	chunk []byte
	left  int
	asked atomic.Int32
	done  chan struct{}
}

func (pp *pullProducer) ResumeProducing() {
	pp.asked.Add(1)
	if pp.left == 0 {
		return
	}
	n := min(pp.left, len(pp.chunk))
	pp.left -= n
	pp.p.t.Write(pp.chunk[:n])
	if pp.left == 0 {
		pp.p.t.UnregisterProducer()
		pp.p.t.Close()
		close(pp.done)
	}
}

func (pp *pullProducer) StopProducing() {}

// drainProbe is a probe that counts OutputDrained calls.
type drainProbe struct {
	*probe
	drained *atomic.Int64
}

func (d drainProbe) OutputDrained() { d.drained.Add(1) }

// testPullProducer: a producer without PauseProducing is asked for a chunk
// each time the output drains (whether or not the chunk went straight to the
// kernel), until it has sent everything.
func testPullProducer(t *testing.T, build Builder, o Options) {
	const total, chunk = 4 << 20, 16 << 10
	h := newHarness(t, build, o)
	prods := make(chan *pullProducer, 1)
	ln := h.listen("tcp", "127.0.0.1:0", braid.FactoryFunc(func(net.Addr) braid.Protocol {
		p := newProbe()
		p.made = func(p *probe) {
			pp := &pullProducer{p: p, chunk: make([]byte, chunk), left: total, done: make(chan struct{})}
			prods <- pp
			if err := p.t.RegisterProducer(braid.Producer(pp)); err != nil {
				panic("RegisterProducer: " + err.Error())
			}
		}
		return p
	}), nil)
	h.run()
	c := h.dial(ln)
	pp := wait(t, o, prods, "ConnectionMade")
	got, err := io.Copy(io.Discard, c)
	if err != nil || got != total {
		t.Fatalf("received %d bytes (%v); want %d: the pull producer was asked %d times", got, err, total, pp.asked.Load())
	}
	wait(t, o, pp.done, "the producer to finish")
	wait(t, o, pp.p.lost, "ConnectionLost")
	if want := int32(total / chunk); pp.asked.Load() < want {
		t.Errorf("producer asked %d times; want at least %d", pp.asked.Load(), want)
	}
}

// testOutputDrained: a Drainer protocol whose output had to wait for a
// slow peer hears OutputDrained once it has all gone to the kernel.
func testOutputDrained(t *testing.T, build Builder, o Options) {
	const total = 32 << 20 // more than loopback's socket buffers take at once
	h := newHarness(t, build, o)
	var drained atomic.Int64
	wrote := make(chan *probe, 1)
	ln := h.listen("tcp", "127.0.0.1:0", braid.FactoryFunc(func(net.Addr) braid.Protocol {
		p := newProbe()
		p.made = func(p *probe) {
			p.t.Write(make([]byte, total))
			wrote <- p
		}
		return drainProbe{probe: p, drained: &drained}
	}), nil)
	h.run()
	c := h.dial(ln)
	p := wait(t, o, wrote, "ConnectionMade")
	if _, err := io.CopyN(io.Discard, c, total); err != nil {
		t.Fatalf("read: %v", err)
	}
	// OutputDrained runs on the loop after the last write to the kernel,
	// which may come just after the peer has read everything.
	deadline := time.Now().Add(o.Timeout)
	for drained.Load() == 0 && time.Now().Before(deadline) {
		h.on(p.t.Loop(), func() {})
	}
	if drained.Load() == 0 {
		t.Errorf("OutputDrained never called")
	}
}

// startStopFactory counts StartFactory and StopFactory.
type startStopFactory struct {
	braid.Factory
	starts, stops atomic.Int32
}

func (f *startStopFactory) StartFactory() { f.starts.Add(1) }
func (f *startStopFactory) StopFactory()  { f.stops.Add(1) }

// testListenerClose: two listeners share a factory, which is started once
// and stopped once both close; a closed listener refuses new connections
// while the ones it accepted go on.
func testListenerClose(t *testing.T, build Builder, o Options) {
	h := newHarness(t, build, o)
	made := make(chan *probe, 2)
	f := &startStopFactory{Factory: echoFactory(made)}
	ln1 := h.listen("tcp", "127.0.0.1:0", f, nil)
	ln2 := h.listen("tcp", "127.0.0.1:0", f, nil)
	h.run()
	if got := f.starts.Load(); got != 1 {
		t.Errorf("StartFactory calls for two listeners: got %d; want 1", got)
	}
	c := h.dial(ln1)
	echoOnce(t, c, "before Close")
	if err := ln1.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	for _, l := range h.r.Loops() {
		h.on(l, func() {}) // a listener may finish closing on its loop
	}
	if c2, err := net.DialTimeout("tcp", ln1.Addr().String(), o.Timeout); err == nil {
		c2.Close()
		t.Errorf("dial after the listener closed: got a connection; want refused")
	}
	echoOnce(t, c, "after Close")
	if got := f.stops.Load(); got != 0 {
		t.Errorf("StopFactory calls with one listener left: got %d; want 0", got)
	}
	ln2.Close()
	// Listener.Close may finish on the loop: look after a round trip.
	h.on(h.r, func() {})
	if got := f.stops.Load(); got != 1 {
		t.Errorf("StopFactory calls after both closed: got %d; want 1", got)
	}
}

// testFactoryRefuses: a factory that returns nil refuses the connection,
// which is closed.
func testFactoryRefuses(t *testing.T, build Builder, o Options) {
	h := newHarness(t, build, o)
	var asked atomic.Int32
	ln := h.listen("tcp", "127.0.0.1:0", braid.FactoryFunc(func(net.Addr) braid.Protocol {
		asked.Add(1)
		return nil
	}), nil)
	h.run()
	c := h.dial(ln)
	if _, err := c.Read(make([]byte, 1)); err == nil {
		t.Errorf("read from a refused connection: got data; want EOF or reset")
	}
	if asked.Load() != 1 {
		t.Errorf("BuildProtocol calls: got %d; want 1", asked.Load())
	}
}

// testConnectBindAddress: ConnectConfig.BindAddress sets the client's local
// address.
func testConnectBindAddress(t *testing.T, build Builder, o Options) {
	h := newHarness(t, build, o)
	made := make(chan *probe, 1)
	ln := h.listen("tcp", "127.0.0.1:0", echoFactory(made), nil)
	h.run()
	bind := freePort(t)
	client := newProbe()
	clientMade := make(chan struct{})
	client.made = func(*probe) { close(clientMade) }
	cf := newClientFactory(client)
	h.on(h.r, func() {
		h.r.Connect("tcp", ln.Addr().String(), cf, &braid.ConnectConfig{BindAddress: bind, Timeout: o.Timeout})
	})
	select {
	case <-clientMade:
	case err := <-cf.failed:
		t.Fatalf("connect bound to %s: %v", bind, err)
	case <-time.After(o.Timeout):
		t.Fatalf("timed out connecting")
	}
	server := wait(t, o, made, "the server's ConnectionMade")
	if client.local != bind || server.remote != bind {
		t.Errorf("addresses: client local %s, server sees %s; want both %s", client.local, server.remote, bind)
	}
}

// testSpreadOverLoops: with several loops, accepted connections land on
// more than one, each staying on its own.
func testSpreadOverLoops(t *testing.T, build Builder, o Options) {
	h := newHarness(t, build, o)
	if len(h.r.Loops()) < 2 {
		t.Skipf("the reactor has %d loop", len(h.r.Loops()))
	}
	const n = 16
	made := make(chan *probe, n)
	ln := h.listen("tcp", "127.0.0.1:0", echoFactory(made), nil)
	h.run()
	ids := h.loopIDs()
	used := map[uint64]bool{}
	for i := range n {
		c := h.dial(ln)
		echoOnce(t, c, fmt.Sprint("conn ", i))
		p := wait(t, o, made, "ConnectionMade")
		p.check(t, fmt.Sprint("connection ", i), ids)
		p.mu.Lock()
		for id := range p.ids {
			used[id] = true
		}
		p.mu.Unlock()
	}
	if len(used) < 2 {
		t.Errorf("%d connections used %d of %d loops; want them spread", n, len(used), len(ids))
	}
}
