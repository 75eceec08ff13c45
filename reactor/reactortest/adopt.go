package reactortest

import (
	"errors"
	"net"
	"testing"

	"github.com/braid-net/braid"
)

// testAdopt hands the reactor an already-listening socket and an
// already-connected one by descriptor, then closes the originals: the
// reactor works on its own duplicates.
func testAdopt(t *testing.T, build Builder, o Options) {
	h := newHarness(t, build, o)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	lf, err := l.(*net.TCPListener).File()
	if err != nil {
		t.Skipf("no descriptors to hand over here: %v", err)
	}
	made := make(chan *probe, 2)
	ln, err := h.r.AdoptListener(lf.Fd(), echoFactory(made))
	if errors.Is(err, braid.ErrNotSupported) {
		t.Skipf("AdoptListener: %v", err)
	}
	if err != nil {
		t.Fatalf("AdoptListener: %v", err)
	}
	lf.Close()
	l.Close()
	if ln.Addr().String() != l.Addr().String() {
		t.Errorf("adopted listener's Addr: got %v; want %v", ln.Addr(), l.Addr())
	}
	h.run()
	c := h.dial(ln)
	echoOnce(t, c, "through an adopted listener")
	wait(t, o, made, "ConnectionMade on the adopted listener")

	// A connected pair made outside the reactor; the reactor adopts one end.
	pl, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer pl.Close()
	peer, err := net.Dial("tcp", pl.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer peer.Close()
	mine, err := pl.Accept()
	if err != nil {
		t.Fatal(err)
	}
	cf, err := mine.(*net.TCPConn).File()
	if err != nil {
		t.Fatal(err)
	}
	adopted := make(chan error, 1)
	h.on(h.r, func() { adopted <- h.r.AdoptConnection(cf.Fd(), echoFactory(made)) })
	if err := <-adopted; err != nil {
		t.Fatalf("AdoptConnection: %v", err)
	}
	cf.Close()
	mine.Close()
	server := wait(t, o, made, "ConnectionMade on the adopted connection")
	echoOnce(t, peer, "through an adopted connection")
	peer.Close()
	wantKind(t, "adopted connection", wait(t, o, server.lost, "ConnectionLost"), braid.ErrConnectionDone)
}

// testReusePort listens with one SO_REUSEPORT socket per loop and echoes
// over many connections.
func testReusePort(t *testing.T, build Builder, o Options) {
	h := newHarness(t, build, o)
	made := make(chan *probe, 32)
	ln, err := h.r.Listen("tcp", "127.0.0.1:0", echoFactory(made), &braid.ListenConfig{ReusePort: true})
	if errors.Is(err, braid.ErrNotSupported) {
		t.Skipf("ReusePort: %v", err)
	}
	if err != nil {
		t.Fatalf("Listen with ReusePort: %v", err)
	}
	h.run()
	ids := h.loopIDs()
	for range 32 {
		c := h.dial(ln)
		echoOnce(t, c, "reuse port")
		p := wait(t, o, made, "ConnectionMade")
		p.check(t, "connection", ids)
		c.Close()
	}
}
